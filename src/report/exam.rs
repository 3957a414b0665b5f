//! What the report needs of exam.json: one spec per question, each section's full marks.

use super::items::ItemSpec;
use crate::bank::{letter, Answer};
use crate::draw::manifest::Manifest;
use std::collections::HashMap;

/// One spec per canonical question (first met in paper order), and the index by question id.
pub fn item_specs(m: &Manifest) -> (Vec<ItemSpec>, HashMap<String, usize>) {
    let mut specs = Vec::new();
    let mut index = HashMap::new();
    for p in &m.papers {
        for (_, it) in p.leaves() {
            if index.contains_key(&it.question) {
                continue;
            }
            let (options, key) = match (&it.answer, it.kind) {
                (Answer::Choice(printed), _) => {
                    let options: Vec<char> = (0..it.options.len()).map(letter).collect();
                    let mut key: Vec<char> = printed
                        .iter()
                        .filter_map(|&i| it.canonical_letter(i).or(Some(letter(i))))
                        .collect();
                    key.sort_unstable();
                    (options, key)
                }
                (Answer::Judge(b), _) => (vec!['T', 'F'], vec![if *b { 'T' } else { 'F' }]),
                _ => (Vec::new(), Vec::new()),
            };
            index.insert(it.question.clone(), specs.len());
            specs.push(ItemSpec {
                question: it.question.clone(),
                kind: it.kind.name().to_string(),
                max: it.points,
                options,
                key,
            });
        }
    }
    (specs, index)
}

/// Full marks of each section, from the first paper (every paper has the same sections).
pub fn section_max(m: &Manifest) -> Vec<f64> {
    m.papers
        .first()
        .map(|p| {
            p.sections
                .iter()
                .map(|s| {
                    s.items
                        .iter()
                        .flat_map(|i| i.leaves())
                        .map(|l| l.points)
                        .sum()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Each section's title (as results.csv heads its column) with its full marks.
pub fn section_totals(m: &Manifest, titles: &[String]) -> Vec<(String, f64)> {
    let max = section_max(m);
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), max.get(i).copied().unwrap_or(0.0)))
        .collect()
}

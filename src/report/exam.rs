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

/// How a question is printed: its number on each paper, and its stem, options and key as the
/// first paper that has it prints them (the reference paper of the report's letters).
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    /// (paper code, printed number) on every paper that has the question.
    pub numbers: Vec<(String, Option<u32>)>,
    pub stem: String,
    /// Option texts in printed order on the reference paper.
    pub options: Vec<String>,
    /// `order[i]` is the bank index of the option printed at `i` on the reference paper.
    pub order: Vec<usize>,
    /// Whether some paper prints the options in another order than the reference paper.
    pub reordered: bool,
    /// The key in printed terms on the reference paper: letters, or √/× for a judge item.
    pub key: String,
}

impl Printed {
    /// The reference paper's code.
    pub fn paper(&self) -> &str {
        self.numbers.first().map_or("", |(c, _)| c.as_str())
    }

    /// The printed letter (or √/×) of bank option `bank` (`A`…, or `T`/`F`).
    pub fn letter(&self, bank: char) -> String {
        match bank {
            'T' => "√".into(),
            'F' => "×".into(),
            _ => self
                .at(bank)
                .map_or(bank.to_string(), |p| letter(p).to_string()),
        }
    }

    /// Where bank option `bank` is printed (options not shuffled are printed in bank order).
    fn at(&self, bank: char) -> Option<usize> {
        let b = (bank as u8).wrapping_sub(b'A') as usize;
        if self.order.is_empty() {
            (b < self.options.len()).then_some(b)
        } else {
            self.order.iter().position(|&o| o == b)
        }
    }

    /// The text printed for bank option `bank` (`A`…); none for judge items.
    pub fn option_text(&self, bank: char) -> Option<&str> {
        self.options.get(self.at(bank)?).map(String::as_str)
    }

    /// The printed position of bank option `bank`, for sorting options as printed.
    pub fn position(&self, bank: char) -> usize {
        match bank {
            'T' => return 0,
            'F' => return 1,
            _ => {}
        }
        self.at(bank)
            .unwrap_or((bank as u8).wrapping_sub(b'A') as usize)
    }
}

/// Every question as the papers print it, by question id.
pub fn printed(m: &Manifest) -> HashMap<String, Printed> {
    let mut out: HashMap<String, Printed> = HashMap::new();
    for p in &m.papers {
        for (_, it) in p.leaves() {
            match out.get_mut(&it.question) {
                Some(seen) => {
                    seen.numbers.push((p.code.clone(), it.number));
                    seen.reordered |= seen.order != it.order;
                }
                None => {
                    let key = match &it.answer {
                        Answer::Judge(true) => "√".to_string(),
                        Answer::Judge(false) => "×".to_string(),
                        Answer::Choice(ix) => Answer::letters(ix),
                        _ => String::new(),
                    };
                    out.insert(
                        it.question.clone(),
                        Printed {
                            numbers: vec![(p.code.clone(), it.number)],
                            stem: it.stem.clone(),
                            options: it.options.clone(),
                            order: it.order.clone(),
                            reordered: false,
                            key,
                        },
                    );
                }
            }
        }
    }
    out
}

/// The first `n` characters of `text` on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, n: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let head: String = chars.by_ref().take(n).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

//! What the report needs of exam.json: one spec per question, each section's full marks.

use super::items::ItemSpec;
use crate::bank::{letter, Answer, Kind};
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
    /// A true/false item: its bank options `T` and `F` print as √ and ×.
    pub judge: bool,
}

impl Printed {
    /// The reference paper's code.
    pub fn paper(&self) -> &str {
        self.numbers.first().map_or("", |(c, _)| c.as_str())
    }

    /// The printed letter (or √/×) of bank option `bank` (`A`…, or `T`/`F`).
    pub fn letter(&self, bank: char) -> String {
        match bank {
            'T' if self.judge => "√".into(),
            'F' if self.judge => "×".into(),
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
            'T' if self.judge => return 0,
            'F' if self.judge => return 1,
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
                            judge: it.kind == Kind::Judge,
                        },
                    );
                }
            }
        }
    }
    out
}

/// The first `n` characters of `text` on one line, with an ellipsis when cut; a cut in the
/// middle of a Latin word backs off to the word's start.
pub fn excerpt(text: &str, n: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let mut head: String = chars.by_ref().take(n).collect();
    let Some(next) = chars.next() else {
        return head;
    };
    if next.is_ascii_alphanumeric() && head.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        if let Some(space) = head.rfind(' ').filter(|&i| i > n / 2) {
            head.truncate(space);
        }
    }
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(order: Vec<usize>, judge: bool) -> Printed {
        Printed {
            numbers: vec![("A".into(), Some(2))],
            stem: String::new(),
            options: (0..order.len()).map(|i| format!("o{i}")).collect(),
            order,
            reordered: false,
            key: String::new(),
            judge,
        }
    }

    #[test]
    fn bank_options_print_at_their_shuffled_letters() {
        // Printed A is the bank's C, printed F the bank's A.
        let p = printed(vec![2, 5, 4, 3, 1, 0], false);
        assert_eq!(p.letter('C'), "A");
        assert_eq!(p.letter('A'), "F");
        // A sixth option F of a multiple choice is a letter, not a judge's ×.
        assert_eq!(p.letter('F'), "B");
        assert_eq!(p.position('F'), 1);
        assert_eq!(p.option_text('C'), Some("o0"));
        let j = printed(Vec::new(), true);
        assert_eq!((j.letter('T'), j.letter('F')), ("√".into(), "×".into()));
        assert!(j.position('T') < j.position('F'));
    }

    #[test]
    fn an_excerpt_is_one_line_and_says_when_it_is_cut() {
        assert_eq!(excerpt("行政机关\n依照  法律", 20), "行政机关 依照 法律");
        assert_eq!(excerpt("一二三四五六", 4), "一二三四…");
        assert_eq!(
            excerpt("Which continent is the largest", 18),
            "Which continent is…"
        );
    }
}

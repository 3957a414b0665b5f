//! Built-in scoring rules (DESIGN.md §4), over printed answers.

use crate::bank::{Answer, Kind};
use crate::blueprint::Rule;
use crate::draw::manifest::Item;

pub use crate::sheet::Status;

/// One candidate's answer to one item, in printed terms.
#[derive(Debug, Clone)]
pub struct Response<'a> {
    pub status: Status,
    /// Printed option indices marked, ascending.
    pub letters: &'a [usize],
    pub judge: Option<bool>,
    /// The cell's text (fill-in answers, or points for manual items).
    pub text: &'a str,
}

/// The rule that applies to an item of `kind` in a section scored by `rule`:
/// multi-select rules fall back to all-or-nothing on single and judge parts of a case.
pub fn effective(rule: Rule, kind: Kind) -> Rule {
    match (rule, kind) {
        (_, Kind::Short) => Rule::Manual,
        (Rule::Manual, k) => Rule::default_for(k),
        (Rule::PartialHalf | Rule::Fraction | Rule::PerOption, Kind::Single | Kind::Judge) => {
            Rule::AllOrNothing
        }
        (Rule::PartialHalf | Rule::Fraction, Kind::Fill) => Rule::PerOption,
        (r, _) => r,
    }
}

/// Points for `resp` on `item` under `rule` (already made effective). `Manual` items return `None`:
/// their points come from elsewhere.
pub fn score(item: &Item, rule: Rule, penalty: f64, resp: &Response) -> Option<f64> {
    let full = item.points;
    let wrong_cost = -penalty * full;
    let points = match (&item.answer, rule) {
        (_, Rule::Manual) => return None,
        (Answer::Choice(key), rule) => {
            if resp.status == Status::Blank || resp.letters.is_empty() {
                return Some(0.0);
            }
            if resp.status == Status::Unreadable {
                return Some(0.0);
            }
            let marked = resp.letters;
            let right = marked.iter().filter(|m| key.contains(m)).count();
            let wrong = marked.len() - right;
            let exact = wrong == 0 && right == key.len();
            match rule {
                Rule::AllOrNothing => {
                    if exact {
                        full
                    } else {
                        0.0
                    }
                }
                Rule::Negative => {
                    if exact {
                        full
                    } else {
                        wrong_cost
                    }
                }
                Rule::PartialHalf => {
                    if wrong > 0 {
                        0.0
                    } else if right == key.len() {
                        full
                    } else {
                        full / 2.0
                    }
                }
                Rule::PerOption => {
                    if wrong > 0 {
                        0.0
                    } else {
                        full * right as f64 / key.len() as f64
                    }
                }
                Rule::Fraction => {
                    let n = item.options.len();
                    let k = key.len();
                    let plus = right as f64 / k as f64;
                    let minus = if n > k {
                        wrong as f64 / (n - k) as f64
                    } else {
                        0.0
                    };
                    full * (plus - minus).clamp(0.0, 1.0)
                }
                Rule::Manual => unreachable!("handled above"),
            }
        }
        (Answer::Judge(truth), rule) => match (resp.status, resp.judge) {
            (Status::Blank | Status::Unreadable, _) | (_, None) if resp.status != Status::Multi => {
                0.0
            }
            (Status::Ok, Some(j)) if j == *truth => full,
            _ => {
                if rule == Rule::Negative {
                    wrong_cost
                } else {
                    0.0
                }
            }
        },
        (Answer::Fill(blanks), rule) => {
            if resp.status == Status::Blank || resp.text.trim().is_empty() {
                return Some(0.0);
            }
            let given = split_blanks(resp.text, blanks.len());
            let right = blanks
                .iter()
                .zip(&given)
                .filter(|(alts, g)| alts.iter().any(|a| normalise(a) == normalise(g)))
                .count();
            match rule {
                Rule::PerOption => full * right as f64 / blanks.len() as f64,
                Rule::Negative => {
                    if right == blanks.len() {
                        full
                    } else {
                        wrong_cost
                    }
                }
                _ => {
                    if right == blanks.len() {
                        full
                    } else {
                        0.0
                    }
                }
            }
        }
        (Answer::Text { .. } | Answer::Parts, _) => return None,
    };
    Some(points)
}

/// A fill-in cell split into its blanks: `|` between blanks (or `；`/`;` when the item has
/// several blanks and no `|`).
pub fn split_blanks(text: &str, blanks: usize) -> Vec<String> {
    let parts: Vec<&str> = if text.contains('|') || blanks == 1 {
        text.split('|').collect()
    } else {
        text.split([';', '；']).collect()
    };
    parts.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Text compared for fill-in: full-width folded to half-width, case folded, white space removed.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            };
            (!c.is_whitespace()).then_some(c)
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::TextFormat;

    fn item(kind: Kind, options: usize, answer: Answer, points: f64) -> Item {
        Item {
            number: Some(1),
            question: "q".into(),
            kind,
            stem: "s".into(),
            options: (0..options).map(|i| format!("o{i}")).collect(),
            order: (0..options).collect(),
            answer,
            points,
            explanation: String::new(),
            source: String::new(),
            tags: Vec::new(),
            difficulty: 3,
            format: TextFormat::Plain,
            scenario: None,
            parts: Vec::new(),
        }
    }

    fn choice(letters: &[usize], status: Status) -> Response<'_> {
        Response {
            status,
            letters,
            judge: None,
            text: "",
        }
    }

    #[test]
    fn multiple_choice_under_each_rule() {
        // Key A C D of five options, 2 points.
        let it = item(Kind::Multiple, 5, Answer::Choice(vec![0, 2, 3]), 2.0);
        let s = |rule, marks: &[usize]| score(&it, rule, 0.25, &choice(marks, Status::Ok)).unwrap();
        assert_eq!(s(Rule::AllOrNothing, &[0, 2, 3]), 2.0);
        assert_eq!(s(Rule::AllOrNothing, &[0, 2]), 0.0);
        assert_eq!(s(Rule::PartialHalf, &[0, 2]), 1.0);
        assert_eq!(s(Rule::PartialHalf, &[0, 1]), 0.0);
        assert_eq!(s(Rule::PerOption, &[0, 2]), 2.0 * 2.0 / 3.0);
        assert_eq!(s(Rule::PerOption, &[0, 2, 4]), 0.0);
        // fraction: right +1/3 each, wrong −1/2 each.
        assert!((s(Rule::Fraction, &[0, 2, 1]) - 2.0 * (2.0 / 3.0 - 0.5)).abs() < 1e-12);
        assert_eq!(s(Rule::Fraction, &[1, 4]), 0.0);
        assert_eq!(s(Rule::Negative, &[0]), -0.5);
        assert_eq!(
            score(&it, Rule::Negative, 0.25, &choice(&[], Status::Blank)),
            Some(0.0)
        );
    }

    #[test]
    fn single_and_judge() {
        let it = item(Kind::Single, 4, Answer::Choice(vec![1]), 1.0);
        assert_eq!(
            score(&it, Rule::AllOrNothing, 0.25, &choice(&[1], Status::Ok)),
            Some(1.0)
        );
        assert_eq!(
            score(
                &it,
                Rule::AllOrNothing,
                0.25,
                &choice(&[1, 2], Status::Multi)
            ),
            Some(0.0)
        );
        assert_eq!(
            score(&it, Rule::Negative, 0.25, &choice(&[2], Status::Ok)),
            Some(-0.25)
        );
        assert_eq!(
            score(&it, Rule::Negative, 0.25, &choice(&[], Status::Unreadable)),
            Some(0.0)
        );
        let j = item(Kind::Judge, 0, Answer::Judge(false), 1.0);
        let r = |judge, status| Response {
            status,
            letters: &[],
            judge,
            text: "",
        };
        assert_eq!(
            score(&j, Rule::AllOrNothing, 0.25, &r(Some(false), Status::Ok)),
            Some(1.0)
        );
        assert_eq!(
            score(&j, Rule::AllOrNothing, 0.25, &r(Some(true), Status::Ok)),
            Some(0.0)
        );
        assert_eq!(
            score(&j, Rule::Negative, 0.25, &r(Some(true), Status::Ok)),
            Some(-0.25)
        );
        assert_eq!(
            score(&j, Rule::Negative, 0.25, &r(None, Status::Blank)),
            Some(0.0)
        );
        assert_eq!(
            score(&j, Rule::Negative, 0.25, &r(None, Status::Multi)),
            Some(-0.25)
        );
    }

    #[test]
    fn fill_in_normalises_width_case_and_spaces() {
        let it = item(
            Kind::Fill,
            0,
            Answer::Fill(vec![vec!["二".into(), "2".into()], vec!["CO2".into()]]),
            2.0,
        );
        let r = |t| Response {
            status: Status::Ok,
            letters: &[],
            judge: None,
            text: t,
        };
        assert_eq!(
            score(&it, Rule::AllOrNothing, 0.0, &r("２ | c o２")),
            Some(2.0)
        );
        assert_eq!(score(&it, Rule::AllOrNothing, 0.0, &r("2|SO2")), Some(0.0));
        assert_eq!(score(&it, Rule::PerOption, 0.0, &r("二；SO2")), Some(1.0));
    }

    #[test]
    fn rules_fall_back_on_kinds_they_do_not_fit() {
        assert_eq!(
            effective(Rule::PartialHalf, Kind::Single),
            Rule::AllOrNothing
        );
        assert_eq!(
            effective(Rule::PartialHalf, Kind::Multiple),
            Rule::PartialHalf
        );
        assert_eq!(effective(Rule::AllOrNothing, Kind::Short), Rule::Manual);
    }
}

//! What must hold in an `exam.json` before anything is printed or graded from it: the format
//! version, and the invariants a draw guarantees (papers and numbers unique, option orders that
//! are permutations, key letters among the options, points that are numbers ≥ 0).

use super::manifest::{Item, Manifest, FORMAT_VERSION};
use crate::bank::{letter, Answer, Kind};

/// At most this many problems are listed; a file with more was not written by a draw.
const MAX_PROBLEMS: usize = 20;

/// One reason an exam.json cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    /// Written by a later examforge whose format this one does not know.
    #[error("it was made by a newer examforge (format {found}; this examforge reads format {supported})")]
    Newer {
        found: u32,
        supported: u32,
        tool: String,
    },
    /// Written in a format this examforge no longer reads.
    #[error("its format {found} is older than this examforge reads (format {supported})")]
    Older { found: u32, supported: u32 },
    /// No papers at all.
    #[error("it holds no papers")]
    NoPapers,
    /// Two papers share a code (or a candidate id).
    #[error("paper code `{code}` appears twice")]
    DuplicatePaper { code: String },
    /// Two items of one paper share a printed number.
    #[error("paper {paper}: number {number} is printed twice (`{first}` and `{second}`)")]
    DuplicateNumber {
        paper: String,
        number: u32,
        first: String,
        second: String,
    },
    /// A scoreable item without a printed number cannot be matched to a sheet column.
    #[error("paper {paper}, `{question}`: it has no printed number")]
    Unnumbered { paper: String, question: String },
    /// The printed option order does not use each bank option exactly once.
    #[error("paper {paper}, {item}: option order {order:?} is not a permutation of its {options} options")]
    NotPermutation {
        paper: String,
        item: String,
        order: Vec<usize>,
        options: usize,
    },
    /// A key letter names no printed option.
    #[error("paper {paper}, {item}: key letter `{key}` is outside its options ({range})")]
    KeyOutsideOptions {
        paper: String,
        item: String,
        key: char,
        range: String,
    },
    /// The answer does not fit the item's kind (e.g. letters for a judge item, two for single).
    #[error("paper {paper}, {item}: the answer `{answer}` does not fit a {kind} item")]
    AnswerMismatch {
        paper: String,
        item: String,
        answer: String,
        kind: Kind,
    },
    /// Points (of an item, a section, or a penalty) that are negative or not a number.
    #[error("paper {paper}, {place}: {what} {value} is not a number ≥ 0")]
    BadPoints {
        paper: String,
        place: String,
        what: &'static str,
        value: f64,
    },
}

impl ManifestError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            ManifestError::Newer { tool, .. } => format!(
                "this exam.json was made by a newer examforge ({tool}); use that version or later, \
                 or draw the exam again with this one"
            ),
            ManifestError::Older { .. } => {
                "draw the exam again with this examforge (same blueprint and --seed)".into()
            }
            _ => "exam.json is written by `examforge draw` and must not be edited by hand; \
                  draw it again (same blueprint and --seed gives the same papers)"
                .into(),
        }
    }
}

/// Checks the format version alone, before the rest of the file is read: a newer format may
/// not even parse.
pub fn check_format(format: u32, tool: &str) -> Result<(), ManifestError> {
    match format.cmp(&FORMAT_VERSION) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(ManifestError::Newer {
            found: format,
            supported: FORMAT_VERSION,
            tool: tool.to_string(),
        }),
        std::cmp::Ordering::Less => Err(ManifestError::Older {
            found: format,
            supported: FORMAT_VERSION,
        }),
    }
}

/// Every invariant a draw guarantees, checked; all problems found (up to 20) are returned.
pub fn check(m: &Manifest) -> Result<(), Vec<ManifestError>> {
    let mut problems = Vec::new();
    if let Err(e) = check_format(m.format, &m.tool) {
        return Err(vec![e]);
    }
    if m.papers.is_empty() {
        problems.push(ManifestError::NoPapers);
    }
    let mut codes: Vec<&str> = m.papers.iter().map(|p| p.code.as_str()).collect();
    codes.sort_unstable();
    for pair in codes.windows(2) {
        if pair[0] == pair[1] {
            problems.push(ManifestError::DuplicatePaper {
                code: pair[0].to_string(),
            });
        }
    }
    for p in &m.papers {
        let paper = p.code.clone();
        for (si, s) in p.sections.iter().enumerate() {
            let place = format!("section {}", si + 1);
            if !(s.points.is_finite() && s.points >= 0.0) {
                problems.push(ManifestError::BadPoints {
                    paper: paper.clone(),
                    place: place.clone(),
                    what: "points",
                    value: s.points,
                });
            }
            if let Some(pen) = s.penalty {
                if !(pen.is_finite() && pen >= 0.0) {
                    problems.push(ManifestError::BadPoints {
                        paper: paper.clone(),
                        place,
                        what: "penalty",
                        value: pen,
                    });
                }
            }
        }
        let mut numbers: Vec<(u32, &str)> = Vec::new();
        for (_, it) in p.leaves() {
            match it.number {
                Some(n) => numbers.push((n, &it.question)),
                None => problems.push(ManifestError::Unnumbered {
                    paper: paper.clone(),
                    question: it.question.clone(),
                }),
            }
            check_item(&paper, it, &mut problems);
        }
        numbers.sort_by_key(|&(n, _)| n);
        for pair in numbers.windows(2) {
            if pair[0].0 == pair[1].0 {
                problems.push(ManifestError::DuplicateNumber {
                    paper: paper.clone(),
                    number: pair[0].0,
                    first: pair[0].1.to_string(),
                    second: pair[1].1.to_string(),
                });
            }
        }
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn check_item(paper: &str, it: &Item, problems: &mut Vec<ManifestError>) {
    let item = match it.number {
        Some(n) => format!("item {n} (`{}`)", it.question),
        None => format!("`{}`", it.question),
    };
    if !(it.points.is_finite() && it.points >= 0.0) {
        problems.push(ManifestError::BadPoints {
            paper: paper.to_string(),
            place: item.clone(),
            what: "points",
            value: it.points,
        });
    }
    let n = it.options.len();
    let mut sorted = it.order.clone();
    sorted.sort_unstable();
    if sorted.len() != n || sorted.iter().enumerate().any(|(i, &o)| i != o) {
        problems.push(ManifestError::NotPermutation {
            paper: paper.to_string(),
            item: item.clone(),
            order: it.order.clone(),
            options: n,
        });
    }
    let fits = match (&it.answer, it.kind) {
        (Answer::Choice(keys), Kind::Single | Kind::Multiple) => {
            if let Some(&k) = keys.iter().find(|&&k| k >= n) {
                let range = match n {
                    0 => "it has none".to_string(),
                    _ => format!("A–{}", letter(n - 1)),
                };
                problems.push(ManifestError::KeyOutsideOptions {
                    paper: paper.to_string(),
                    item: item.clone(),
                    key: char::from_u32(u32::from(b'A') + k.min(25) as u32).unwrap_or('?'),
                    range,
                });
                return;
            }
            let mut unique = keys.clone();
            unique.dedup();
            let count_ok = match it.kind {
                Kind::Single => keys.len() == 1,
                _ => keys.len() >= 2,
            };
            count_ok && unique.len() == keys.len() && keys.windows(2).all(|w| w[0] < w[1])
        }
        (Answer::Judge(_), Kind::Judge) => true,
        (Answer::Fill(blanks), Kind::Fill) => {
            !blanks.is_empty() && blanks.iter().all(|alts| !alts.is_empty())
        }
        (Answer::Text { .. }, Kind::Short) => true,
        (Answer::Parts, Kind::Case) => true,
        _ => false,
    };
    if !fits {
        problems.push(ManifestError::AnswerMismatch {
            paper: paper.to_string(),
            item,
            answer: it.key_text(),
            kind: it.kind,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::synthetic;
    use crate::draw::{draw, DrawInput, Papers};
    use std::collections::HashSet;

    fn manifest() -> Manifest {
        let banks = vec![synthetic::bank(400)];
        let bp = synthetic::blueprint(crate::blueprint::Mode::Redraw);
        draw(&DrawInput {
            blueprint: &bp,
            banks: &banks,
            seed: 5,
            avoid: &HashSet::new(),
            papers: Papers::Variants(2),
        })
        .unwrap()
        .manifest
    }

    fn first_choice(m: &mut Manifest) -> &mut Item {
        m.papers[1]
            .sections
            .iter_mut()
            .flat_map(|s| s.items.iter_mut())
            .find(|it| it.kind == Kind::Single)
            .unwrap()
    }

    fn problems(m: &Manifest) -> Vec<String> {
        check(m)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_drawn_manifest_passes() {
        assert_eq!(check(&manifest()), Ok(()));
    }

    #[test]
    fn a_newer_format_is_refused_by_name() {
        let mut m = manifest();
        m.format = 99;
        let e = check(&m).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "it was made by a newer examforge (format 99; this examforge reads format 1)"
        );
        assert!(e[0].hint().contains("newer examforge"));
    }

    #[test]
    fn each_broken_invariant_is_named() {
        let mut m = manifest();
        let it = first_choice(&mut m);
        let n = it.number.unwrap();
        let q = it.question.clone();
        it.order = vec![0, 0, 2, 3];
        it.answer = Answer::Choice(vec![5]);
        it.points = -1.0;
        let dup = m.papers[1].sections[0].items[0].number;
        m.papers[1].sections[0].items[1].number = dup;
        m.papers[0].code = "B".into();
        let p = problems(&m);
        assert!(
            p.contains(&"paper code `B` appears twice".to_string()),
            "{p:#?}"
        );
        assert!(
            p.contains(&format!(
                "paper B, item {n} (`{q}`): option order [0, 0, 2, 3] is not a permutation of its 4 options"
            )),
            "{p:#?}"
        );
        assert!(
            p.contains(&format!(
                "paper B, item {n} (`{q}`): key letter `F` is outside its options (A–D)"
            )),
            "{p:#?}"
        );
        assert!(
            p.contains(&format!(
                "paper B, item {n} (`{q}`): points -1 is not a number ≥ 0"
            )),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|l| l.starts_with(&format!(
                "paper B: number {} is printed twice",
                dup.unwrap()
            ))),
            "{p:#?}"
        );
    }

    #[test]
    fn answers_must_fit_their_kind() {
        let mut m = manifest();
        first_choice(&mut m).answer = Answer::Choice(vec![0, 1]);
        let p = problems(&m);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].ends_with("the answer `AB` does not fit a single item"),
            "{p:#?}"
        );
        let mut m = manifest();
        first_choice(&mut m).answer = Answer::Judge(true);
        assert_eq!(problems(&m).len(), 1);
    }
}

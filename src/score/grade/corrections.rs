//! Corrections to what the sheet says: points given by hand (`--manual`), two markers' marks
//! (双评) settled by a tolerance or a third mark (仲裁), and decided appeals (复核).
//!
//! For one candidate's item, in this order:
//! - no `--manual` row: the sheet's score (a short answer's points written in its cell);
//! - one row: its points replace the sheet's score (status `manual`);
//! - two rows (two markers): within the tolerance, their mean (status `double`); beyond it the
//!   item waits for a third mark (status `arbitration`, listed in arbitration.csv, the
//!   candidate `pending`) and scores the two marks' mean until it comes;
//! - three rows: the mean of the two closest marks; when two pairs are equally close, the
//!   middle mark (status `arbitrated`);
//! - more rows: an error naming them;
//! - then an appeal replaces the item's points whatever they were (status `appeal`), and the
//!   change is logged with its reason.

use super::cell::Scored;
use super::plan::{Leaf, Plan};
use super::{settle, Arbitration, Change, GradeError, Grader};
use crate::bank::fmt_points;
use crate::blueprint::Rule;
use crate::event::appeals::ExamAppeal;
use crate::input::diagnostic::Lang;
use crate::sheet::{SheetRow, Status};
use std::collections::HashMap;

/// How an item's points were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum How {
    /// From the sheet, by the item's rule.
    #[default]
    Sheet,
    /// One `--manual` row.
    Manual,
    /// Two markers within the tolerance: their mean.
    Double,
    /// Two markers beyond the tolerance: a third mark is needed.
    Arbitration,
    /// Three marks: the mean of the two closest.
    Arbitrated,
    /// A decided appeal.
    Appeal,
}

impl How {
    /// The item status items.csv shows in place of the cell's, when not from the sheet.
    pub fn name(self) -> Option<&'static str> {
        match self {
            How::Sheet => None,
            How::Manual => Some("manual"),
            How::Double => Some("double"),
            How::Arbitration => Some("arbitration"),
            How::Arbitrated => Some("arbitrated"),
            How::Appeal => Some("appeal"),
        }
    }

    /// The way [`How::name`] spells as `name`.
    pub fn from_name(name: &str) -> Option<How> {
        [
            How::Manual,
            How::Double,
            How::Arbitration,
            How::Arbitrated,
            How::Appeal,
        ]
        .into_iter()
        .find(|h| h.name() == Some(name))
    }
}

/// One mark given by hand: a `--manual` row.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The row's line in the `--manual` file.
    pub line: usize,
    /// The marker, when the file has a `marker` column.
    pub marker: String,
    pub points: f64,
}

/// The corrections of one candidate's item.
#[derive(Debug, Clone, Default)]
pub(super) struct Entry {
    /// The item as written: its printed number or its question id.
    pub item: String,
    pub number: Option<u32>,
    pub marks: Vec<Mark>,
    pub appeal: Option<ExamAppeal>,
}

/// Every correction of a run, by candidate id.
#[derive(Debug, Clone)]
pub struct Corrections {
    /// The `--manual` file, as named in messages.
    manual_file: String,
    /// The languages of the `--manual` file and of the appeals file: the words of the
    /// messages about their rows.
    manual_lang: Lang,
    appeals_lang: Lang,
    by_candidate: HashMap<String, Vec<Entry>>,
    tolerance: f64,
    item_tolerance: HashMap<String, f64>,
}

impl Default for Corrections {
    fn default() -> Self {
        Corrections {
            manual_file: String::new(),
            manual_lang: Lang::En,
            appeals_lang: Lang::En,
            by_candidate: HashMap::new(),
            tolerance: Corrections::DEFAULT_TOLERANCE,
            item_tolerance: HashMap::new(),
        }
    }
}

/// The first two problems with a `--manual` row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MarkError {
    /// The same marker twice for one item.
    #[error(
        "marker `{marker}` marked item {item} of candidate `{candidate}` twice (also line {other})"
    )]
    SameMarker {
        marker: String,
        item: String,
        candidate: String,
        other: usize,
    },
}

impl Corrections {
    /// Two markers' marks this far apart or closer are averaged.
    pub const DEFAULT_TOLERANCE: f64 = 1.0;

    /// No corrections.
    pub fn new() -> Self {
        Corrections::default()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_candidate.is_empty()
    }

    /// Names the `--manual` file in messages, told in its language `lang`.
    pub fn set_manual_file(&mut self, file: &str, lang: Lang) {
        self.manual_file = file.to_string();
        self.manual_lang = lang;
    }

    /// The language of the appeals file: the words of the messages about its appeals.
    pub fn set_appeals_language(&mut self, lang: Lang) {
        self.appeals_lang = lang;
    }

    /// The tolerance for every item (`item: None`) or for one (its number or question id).
    pub fn set_tolerance(&mut self, item: Option<&str>, t: f64) {
        match item {
            None => self.tolerance = t,
            Some(i) => {
                self.item_tolerance.insert(i.trim().to_string(), t);
            }
        }
    }

    /// The tolerance of item `number` (question `question`).
    pub fn tolerance(&self, number: u32, question: &str) -> f64 {
        if self.item_tolerance.is_empty() {
            return self.tolerance;
        }
        self.item_tolerance
            .get(&number.to_string())
            .or_else(|| self.item_tolerance.get(question))
            .copied()
            .unwrap_or(self.tolerance)
    }

    fn entry(&mut self, candidate: &str, item: &str) -> &mut Entry {
        let list = self
            .by_candidate
            .entry(candidate.trim().to_string())
            .or_default();
        let item = item.trim();
        let i = match list.iter().position(|e| e.item == item) {
            Some(i) => i,
            None => {
                list.push(Entry {
                    item: item.to_string(),
                    number: item.parse().ok(),
                    ..Entry::default()
                });
                list.len() - 1
            }
        };
        &mut list[i]
    }

    /// Adds a `--manual` row. Rows without a marker are each another marker's; a marker named
    /// twice for one item is an error.
    pub fn add_mark(&mut self, candidate: &str, item: &str, mark: Mark) -> Result<(), MarkError> {
        let e = self.entry(candidate, item);
        if !mark.marker.is_empty() {
            if let Some(o) = e.marks.iter().find(|m| m.marker == mark.marker) {
                return Err(MarkError::SameMarker {
                    marker: mark.marker,
                    item: item.trim().to_string(),
                    candidate: candidate.trim().to_string(),
                    other: o.line,
                });
            }
        }
        e.marks.push(mark);
        Ok(())
    }

    /// Adds a decided appeal (the reader has refused two for one item).
    pub fn add_appeal(&mut self, a: &ExamAppeal) {
        self.entry(&a.candidate, &a.item).appeal = Some(a.clone());
    }

    /// The corrections of candidate `id`.
    pub(super) fn of(&self, id: &str) -> Option<&[Entry]> {
        if self.by_candidate.is_empty() {
            return None;
        }
        self.by_candidate.get(id).map(Vec::as_slice)
    }

    /// Every candidate named, with the place of its first correction (`file:line` of a
    /// `--manual` row, or the appeal's location) and the language of that file.
    pub fn named(&self) -> impl Iterator<Item = (&str, String, Lang)> + '_ {
        self.by_candidate.iter().map(|(id, list)| {
            let (at, lang) = list
                .iter()
                .find_map(|e| e.marks.first().map(|m| (self.mark_at(m), self.manual_lang)))
                .or_else(|| {
                    list.iter().find_map(|e| {
                        e.appeal
                            .as_ref()
                            .map(|a| (a.candidate_at.to_string(), self.appeals_lang))
                    })
                })
                .unwrap_or_default();
            (id.as_str(), at, lang)
        })
    }

    /// Where a mark is written.
    pub fn mark_at(&self, m: &Mark) -> String {
        format!("{}:{}", self.manual_file, m.line)
    }
}

/// An item as a correction names it, in Chinese: `第 5 题` for a printed number, `题目 `q-3``
/// for a question id.
fn item_zh(item: &str) -> String {
    if item.parse::<u32>().is_ok() {
        format!("第 {item} 题")
    } else {
        format!("题目 `{item}`")
    }
}

/// Points from marks given by hand, by the rules in this module's head: the points and how
/// they were found (`None` when there are no marks; `Err` with more than three).
pub fn settle_marks(marks: &[Mark], tolerance: f64) -> Option<Result<(f64, How), ()>> {
    let p: Vec<f64> = marks.iter().map(|m| m.points).collect();
    Some(Ok(match p.as_slice() {
        [] => return None,
        [a] => (*a, How::Manual),
        [a, b] if (a - b).abs() <= tolerance + 1e-9 => ((a + b) / 2.0, How::Double),
        [a, b] => ((a + b) / 2.0, How::Arbitration),
        [a, b, c] => {
            let mut s = [*a, *b, *c];
            s.sort_by(f64::total_cmp);
            let (low, high) = (s[1] - s[0], s[2] - s[1]);
            let points = if (low - high).abs() <= 1e-9 {
                s[1]
            } else if low < high {
                (s[0] + s[1]) / 2.0
            } else {
                (s[1] + s[2]) / 2.0
            };
            (points, How::Arbitrated)
        }
        _ => return Some(Err(())),
    }))
}

impl Grader<'_> {
    /// Scores every item of `row` into `scored`, corrections applied: the section totals and
    /// the appeals applied.
    pub(super) fn score_row(
        &mut self,
        plan: &Plan,
        row: &SheetRow,
        id: &str,
        scored: &mut Vec<Scored>,
    ) -> Result<(Vec<f64>, Vec<Change>), GradeError> {
        let manual = self.manual;
        let entries = manual.of(id);
        let mut used = vec![false; entries.map_or(0, <[Entry]>::len)];
        let mut sections = vec![0.0; plan.paper.sections.len()];
        let mut changes = Vec::new();
        for leaf in &plan.leaves {
            let raw = leaf.pos.and_then(|p| row.answer(p)).unwrap_or("");
            let mut s = self.cell(leaf, raw, row.line)?;
            if let Some(entries) = entries {
                let found = entries
                    .iter()
                    .position(|e| e.number == Some(leaf.number) || e.item == leaf.item.question);
                if let Some(k) = found {
                    used[k] = true;
                    self.correct(leaf, &entries[k], id, &mut s, &mut changes)?;
                }
            }
            if s.how == How::Sheet && leaf.rule == Rule::Manual && s.status == Status::Blank {
                self.tally.short_without_points += 1;
            }
            sections[leaf.section] += s.points;
            scored.push(s);
        }
        if let Some(e) = entries.and_then(|e| e.iter().zip(&used).find(|(_, u)| !**u)) {
            let e = e.0;
            let (at, lang) = self.entry_at(e);
            let last = plan.leaves.iter().map(|l| l.number).max().unwrap_or(0);
            return Err(GradeError::Correction {
                at,
                message: format!(
                    "item `{}` is not on paper {} of candidate `{id}`",
                    e.item, plan.paper.code
                ),
                hint: format!("give the printed item number (1–{last}) or the question id"),
                zh: Box::new((
                    format!(
                        "考生 `{id}` 的 {} 卷上没有{}",
                        plan.paper.code,
                        item_zh(&e.item)
                    ),
                    format!("写试卷上印的题号（1–{last}）或题目编号"),
                )),
                lang,
            });
        }
        for s in &mut sections {
            *s = settle(*s);
        }
        Ok((sections, changes))
    }

    /// Where an entry's item is written: its first `--manual` row, else its appeal's `item`;
    /// and the language of that file.
    fn entry_at(&self, e: &Entry) -> (String, Lang) {
        match (e.marks.first(), &e.appeal) {
            (Some(m), _) => (self.manual.mark_at(m), self.manual.manual_lang),
            (None, Some(a)) => (a.item_at.to_string(), self.manual.appeals_lang),
            (None, None) => (String::new(), Lang::En),
        }
    }

    /// Applies one item's corrections to its scored cell.
    fn correct(
        &mut self,
        leaf: &Leaf,
        e: &Entry,
        id: &str,
        s: &mut Scored,
        changes: &mut Vec<Change>,
    ) -> Result<(), GradeError> {
        let max = leaf.item.points;
        for m in &e.marks {
            if !m.points.is_finite() || m.points < 0.0 || m.points > max + 1e-9 {
                return Err(GradeError::Correction {
                    at: self.manual.mark_at(m),
                    message: format!(
                        "{} points for item {} of candidate `{id}` is outside 0–{}",
                        fmt_points(m.points),
                        e.item,
                        fmt_points(max)
                    ),
                    hint: format!(
                        "item {} is worth {} points; give 0 to {}",
                        leaf.number,
                        fmt_points(max),
                        fmt_points(max)
                    ),
                    zh: Box::new((
                        format!(
                            "考生 `{id}` 的{}给了 {} 分，不在 0–{} 分之内",
                            item_zh(&e.item),
                            fmt_points(m.points),
                            fmt_points(max)
                        ),
                        format!(
                            "第 {} 题满分 {} 分：给 0 到 {} 分",
                            leaf.number,
                            fmt_points(max),
                            fmt_points(max)
                        ),
                    )),
                    lang: self.manual.manual_lang,
                });
            }
        }
        let tolerance = self.manual.tolerance(leaf.number, &leaf.item.question);
        match settle_marks(&e.marks, tolerance) {
            None => {}
            Some(Err(())) => {
                let lines: Vec<String> = e.marks.iter().map(|m| m.line.to_string()).collect();
                let (at, lang) = self.entry_at(e);
                return Err(GradeError::Correction {
                    at,
                    message: format!(
                        "{} marks for item {} of candidate `{id}` (lines {})",
                        e.marks.len(),
                        e.item,
                        lines.join(", ")
                    ),
                    hint: "an item takes one mark, two markers' marks (双评), or those two and an arbitrator's (仲裁); remove the extra rows".into(),
                    zh: Box::new((
                        format!(
                            "考生 `{id}` 的{}有 {} 个评分（第 {} 行）",
                            item_zh(&e.item),
                            e.marks.len(),
                            lines.join("、")
                        ),
                        "一道题只能有一个评分，或两位评卷人各一个（双评），或再加一个仲裁评分（仲裁）：删去多余的行".into(),
                    )),
                    lang,
                });
            }
            Some(Ok((points, how))) => {
                s.points = settle(points);
                s.how = how;
                if how == How::Arbitration && e.appeal.is_none() {
                    self.arbitrations.push(Arbitration {
                        item: leaf.number,
                        question: leaf.item.question.clone(),
                        max,
                        tolerance,
                        marks: e.marks.clone(),
                    });
                }
            }
        }
        if let Some(a) = &e.appeal {
            if a.score > max + 1e-9 {
                return Err(GradeError::Correction {
                    at: a.score_at.to_string(),
                    message: format!(
                        "the appeal gives item {} of candidate `{id}` {} points, above its {}",
                        e.item,
                        fmt_points(a.score),
                        fmt_points(max)
                    ),
                    hint: format!("give 0 to {} points", fmt_points(max)),
                    zh: Box::new((
                        format!(
                            "申诉给考生 `{id}` 的{} {} 分，超过了满分 {} 分",
                            item_zh(&e.item),
                            fmt_points(a.score),
                            fmt_points(max)
                        ),
                        format!("给 0 到 {} 分", fmt_points(max)),
                    )),
                    lang: self.manual.appeals_lang,
                });
            }
            changes.push(Change {
                item: leaf.number,
                question: leaf.item.question.clone(),
                old: s.points,
                new: a.score,
                reason: a.decision.reason.clone(),
                date: a.decision.date.to_string(),
                by: a.decision.by.clone(),
            });
            s.points = a.score;
            s.how = How::Appeal;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(p: &[f64]) -> Vec<Mark> {
        p.iter()
            .enumerate()
            .map(|(i, &points)| Mark {
                line: i + 2,
                marker: String::new(),
                points,
            })
            .collect()
    }

    #[test]
    fn two_marks_within_the_tolerance_are_averaged_beyond_it_wait_for_a_third() {
        assert_eq!(
            settle_marks(&marks(&[6.0]), 1.0),
            Some(Ok((6.0, How::Manual)))
        );
        assert_eq!(
            settle_marks(&marks(&[6.0, 7.0]), 1.0),
            Some(Ok((6.5, How::Double)))
        );
        assert_eq!(
            settle_marks(&marks(&[4.0, 7.0]), 1.0),
            Some(Ok((5.5, How::Arbitration)))
        );
        assert_eq!(
            settle_marks(&marks(&[4.0, 7.0]), 3.0),
            Some(Ok((5.5, How::Double)))
        );
        // The two closest of 4, 7 and 6.5.
        assert_eq!(
            settle_marks(&marks(&[4.0, 7.0, 6.5]), 1.0),
            Some(Ok((6.75, How::Arbitrated)))
        );
        // 4, 6, 8: two pairs equally close, the middle mark.
        assert_eq!(
            settle_marks(&marks(&[4.0, 8.0, 6.0]), 1.0),
            Some(Ok((6.0, How::Arbitrated)))
        );
        assert_eq!(
            settle_marks(&marks(&[1.0, 2.0, 3.0, 4.0]), 1.0),
            Some(Err(()))
        );
        assert_eq!(settle_marks(&[], 1.0), None);
    }

    #[test]
    fn a_marker_named_twice_for_one_item_is_an_error() {
        let mut c = Corrections::new();
        let m = |line, marker: &str| Mark {
            line,
            marker: marker.into(),
            points: 3.0,
        };
        c.add_mark("1", "5", m(2, "李")).unwrap();
        c.add_mark("1", "5", m(3, "王")).unwrap();
        assert_eq!(
            c.add_mark("1", "5", m(4, "李")).unwrap_err().to_string(),
            "marker `李` marked item 5 of candidate `1` twice (also line 2)"
        );
        c.set_tolerance(Some("5"), 2.0);
        assert_eq!(c.tolerance(5, "s1"), 2.0);
        assert_eq!(c.tolerance(6, "s2"), 1.0);
    }
}

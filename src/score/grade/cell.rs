//! One cell of a row scored: read by its item's cell kind, then a built-in rule, the script's
//! `score` hook, or manual points. Results are remembered per leaf by raw cell.

use super::plan::Leaf;
use super::{GradeError, Grader, How};
use crate::bank::{letter, Kind};
use crate::blueprint::Rule;
use crate::draw::manifest::Item;
use crate::score::rules::{score as builtin_score, Response};
use crate::score::script::{ItemInfo, ResponseInfo, RuleScript};
use crate::sheet::{parse_cell, Cell, CellKind, SheetRow, Status};
use std::borrow::Cow;

/// Distinct raw cells remembered per item.
pub(super) const MEMO_PER_ITEM: usize = 32;
const NO_MEMO: u8 = u8::MAX;

/// One scored item of the last graded row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scored {
    /// Index of the cell in its leaf's memo; `NO_MEMO` when not remembered.
    memo: u8,
    pub status: Status,
    /// Bank letters as a bit set (A = bit 0).
    pub bits: u32,
    pub judge: Option<bool>,
    pub points: f64,
    /// How the points were found: the sheet, or a correction.
    pub how: How,
}

impl Scored {
    /// The index of this result in its leaf's memo, when it is remembered there.
    pub(super) fn memo(&self) -> Option<usize> {
        (self.memo != NO_MEMO).then_some(usize::from(self.memo))
    }

    fn invalid() -> Self {
        Scored {
            memo: NO_MEMO,
            status: Status::Invalid,
            bits: 0,
            judge: None,
            points: 0.0,
            how: How::Sheet,
        }
    }
}

/// Remembered cells of one leaf: keys apart from values, so a lookup scans one cache line.
///
/// A leaf fixes everything a rule or a script reads about its item (points, rule, penalty,
/// number, section, key, options, tags), and reading a cell depends only on its text and the
/// sheet's tokens, which are fixed for a run: so the raw text is a complete key.
#[derive(Default)]
pub(super) struct Memo {
    keys: Vec<u64>,
    values: Vec<Scored>,
}

impl Memo {
    fn get(&self, key: u64) -> Option<Scored> {
        let i = self.keys.iter().position(|c| *c == key)?;
        Some(Scored {
            memo: i as u8,
            ..self.values[i]
        })
    }

    fn remember(&mut self, key: u64, s: &mut Scored) {
        if self.keys.len() < MEMO_PER_ITEM {
            s.memo = self.keys.len() as u8;
            self.keys.push(key);
            self.values.push(*s);
        }
    }

    pub(super) fn values(&self) -> &[Scored] {
        &self.values
    }
}

/// A raw cell of up to seven bytes packed with its length, as a memo key.
fn memo_key(raw: &str) -> Option<u64> {
    let b = raw.as_bytes();
    (b.len() <= 7).then(|| {
        b.iter()
            .fold(b.len() as u64, |k, &x| (k << 8) | u64::from(x))
    })
}

/// Points written in a short answer's cell.
enum ManualPoints {
    Given(f64),
    /// Nothing written: `--manual` gives them, or the item is counted as without points.
    Missing,
    /// Not a number, or outside 0–max.
    Invalid,
}

impl Grader<'_> {
    /// The scored cell `raw` of `leaf`, from the leaf's memo when it was seen before.
    pub(super) fn cell(&mut self, leaf: &Leaf, raw: &str, line: u64) -> Result<Scored, GradeError> {
        let key = memo_key(raw)
            .filter(|_| leaf.rule != Rule::Manual && !matches!(leaf.cell, CellKind::Text));
        if let Some(s) = key.and_then(|k| leaf.memo.borrow().get(k)) {
            return Ok(s);
        }
        let mut s = self.score_cell(leaf, raw, line)?;
        if let Some(k) = key {
            leaf.memo.borrow_mut().remember(k, &mut s);
        }
        Ok(s)
    }

    /// Reads one cell and scores it: built-in rule, script, or manual points. A cell that is not
    /// a mark the item can have is `invalid` and earns nothing.
    fn score_cell(&mut self, leaf: &Leaf, raw: &str, line: u64) -> Result<Scored, GradeError> {
        let it = leaf.item;
        let Ok(cell) = parse_cell(raw, leaf.cell, &self.tokens) else {
            return Ok(Scored::invalid());
        };
        self.letters.clear();
        let mut bits = 0u32;
        for i in cell.letters.iter() {
            self.letters.push(i);
            if let Some(&b) = it.order.get(i) {
                bits |= 1 << b;
            }
        }
        let points = if leaf.rule == Rule::Manual {
            match manual_points(it, cell.text) {
                ManualPoints::Given(p) => p,
                ManualPoints::Missing => 0.0,
                ManualPoints::Invalid => return Ok(Scored::invalid()),
            }
        } else {
            let scripted = match self.script.filter(|s| s.has_score()) {
                Some(script) => self.script_points(script, leaf, &cell, bits, line)?,
                None => None,
            };
            // `()` from the script leaves the item to the blueprint's built-in rule.
            scripted.unwrap_or_else(|| {
                let resp = Response {
                    status: cell.status,
                    letters: &self.letters,
                    judge: cell.judge,
                    text: cell.text,
                };
                builtin_score(it, leaf.rule, leaf.penalty, &resp).unwrap_or(0.0)
            })
        };
        Ok(Scored {
            memo: NO_MEMO,
            status: cell.status,
            bits,
            judge: cell.judge,
            points,
            how: How::Sheet,
        })
    }

    /// The rule script's points for one cell, or `None` where the script returns `()`.
    fn script_points(
        &self,
        script: &RuleScript,
        leaf: &Leaf,
        cell: &Cell,
        bits: u32,
        line: u64,
    ) -> Result<Option<f64>, GradeError> {
        let it = leaf.item;
        let marks: Vec<String> = match it.kind {
            Kind::Single | Kind::Multiple => (0..26)
                .filter(|b| bits & (1 << b) != 0)
                .map(|b| letter(b).to_string())
                .collect(),
            Kind::Judge => cell
                .judge
                .map(|j| vec![if j { "T" } else { "F" }.to_string()])
                .unwrap_or_default(),
            _ => vec![cell.text.to_string()],
        };
        script
            .score(
                &ItemInfo {
                    id: &it.question,
                    number: leaf.number,
                    kind: it.kind.name(),
                    points: it.points,
                    key: &leaf.key,
                    options: it.options.len(),
                    tags: &it.tags,
                    section: leaf.section_title,
                },
                &ResponseInfo {
                    marks: &marks,
                    status: cell.status.name(),
                    text: cell.text,
                },
            )
            .map_err(|source| GradeError::Script { line, source })
    }
}

/// Points for a short answer written in its cell (`--manual` rows replace them later).
fn manual_points(it: &Item, cell: &str) -> ManualPoints {
    if cell.trim().is_empty() {
        return ManualPoints::Missing;
    }
    match cell.trim().replace(['，', ','], ".").parse::<f64>() {
        Ok(p) if !p.is_finite() || p < 0.0 || p > it.points + 1e-9 => ManualPoints::Invalid,
        Ok(p) => ManualPoints::Given(p),
        Err(_) => ManualPoints::Invalid,
    }
}

/// The marks of a scored cell as items.csv shows them: bank letters, T/F, the text, or (for an
/// invalid cell) the text as written, so that a reviewer sees what was there.
pub(super) fn marks_text<'r>(leaf: &Leaf, s: &Scored, row: &'r SheetRow) -> Cow<'r, str> {
    let raw = || leaf.pos.and_then(|p| row.answer(p)).unwrap_or("").trim();
    if s.status == Status::Invalid {
        return Cow::Borrowed(raw());
    }
    match leaf.cell {
        CellKind::Single { .. } | CellKind::Multiple { .. } => Cow::Owned(
            (0..26)
                .filter(|b| s.bits & (1 << b) != 0)
                .map(letter)
                .collect(),
        ),
        CellKind::Judge => Cow::Borrowed(match s.judge {
            Some(true) => "T",
            Some(false) => "F",
            None => "",
        }),
        CellKind::Text => Cow::Borrowed(raw()),
    }
}

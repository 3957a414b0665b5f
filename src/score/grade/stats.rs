//! Item analysis: per-question facility, discrimination and response counts, gathered per
//! paper while rows are graded and folded into per-question totals at the end. Discrimination is
//! the project's one index, the item–rest correlation of [`crate::report::correlation`].

use super::cell::{Scored, MEMO_PER_ITEM};
use super::plan::{Leaf, Plan};
use crate::bank::letter;
use crate::draw::manifest::Item;
use crate::report::correlation::Moments;
use crate::sheet::{CellKind, Status};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Item analysis of one bank question over everyone who had it.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ItemStats {
    pub question: String,
    pub kind: String,
    pub n: u64,
    pub max: f64,
    pub mean: f64,
    /// Mean points / max points.
    pub facility: f64,
    /// The item–rest correlation (item points against the total less the item), as the report
    /// computes it; none when either does not vary.
    pub discrimination: Option<f64>,
    pub blank: u64,
    pub multi: u64,
    pub unreadable: u64,
    /// Marks the item cannot have (listed for review in items.csv with status `invalid`).
    pub invalid: u64,
    /// How often each choice response (in bank letters, T/F for judge) was given.
    pub responses: BTreeMap<String, u64>,
    /// Σx, Σx², Σy, Σy², Σxy (x = item points, y = total).
    #[serde(skip)]
    sums: [f64; 5],
    /// Responses by bank-letter bit set (0–255), then judge blank/false/true (256–258).
    #[serde(skip)]
    counts: Vec<u32>,
}

/// The position of a status in the per-leaf status counters.
pub(super) fn status_index(s: Status) -> usize {
    match s {
        Status::Ok => 0,
        Status::Blank => 1,
        Status::Multi => 2,
        Status::Unreadable => 3,
        Status::Invalid => 4,
    }
}

/// Item statistics gathered on one paper, folded into the per-question totals at the end
/// (at once for per-candidate papers). Kept per paper and small, so a row touches little memory.
#[derive(Default)]
pub(super) struct Acc {
    rows: u64,
    sum_y: f64,
    sum_y2: f64,
    /// Per leaf: Σx, Σx², Σxy (x = item points, y = total).
    sums: Vec<[f64; 3]>,
    /// Per leaf: cells by status (see [`status_index`]).
    status: Vec<[u32; 5]>,
    /// Per leaf × `MEMO_PER_ITEM`: how often each remembered cell was given.
    hits: Vec<u32>,
}

impl Acc {
    pub(super) fn new(leaves: usize) -> Self {
        Acc {
            sums: vec![[0.0; 3]; leaves],
            status: vec![[0; 5]; leaves],
            hits: vec![0; leaves * MEMO_PER_ITEM],
            ..Acc::default()
        }
    }
}

/// Per-question totals, one slot per bank question.
#[derive(Default)]
pub(super) struct Stats<'a> {
    items: Vec<ItemStats>,
    slot_of: HashMap<&'a str, usize>,
}

impl<'a> Stats<'a> {
    /// The slot of `item`'s question, made on first sight.
    pub(super) fn slot(&mut self, item: &'a Item) -> usize {
        if let Some(&s) = self.slot_of.get(item.question.as_str()) {
            return s;
        }
        self.items.push(ItemStats {
            question: item.question.clone(),
            kind: item.kind.name().to_string(),
            max: item.points,
            ..ItemStats::default()
        });
        self.slot_of.insert(&item.question, self.items.len() - 1);
        self.items.len() - 1
    }

    /// Adds one accepted row of `plan` (total `y`, items `scored`) to the paper's gatherings.
    pub(super) fn add(&mut self, plan: &Plan, scored: &[Scored], y: f64) {
        let mut acc = plan.acc.borrow_mut();
        let acc = &mut *acc;
        acc.rows += 1;
        acc.sum_y += y;
        acc.sum_y2 += y * y;
        for (i, (leaf, s)) in plan.leaves.iter().zip(scored).enumerate() {
            let x = s.points;
            let a = &mut acc.sums[i];
            a[0] += x;
            a[1] += x * x;
            a[2] += x * y;
            acc.status[i][status_index(s.status)] += 1;
            if counts_response(leaf, s) {
                match s.memo() {
                    Some(m) => acc.hits[i * MEMO_PER_ITEM + m] += 1,
                    None => *response_slot(&mut self.items[leaf.slot], leaf.cell, s) += 1,
                }
            }
        }
    }

    /// Adds a paper's gathered statistics to the per-question totals and clears them.
    pub(super) fn fold(&mut self, plan: &Plan) {
        let mut acc = plan.acc.borrow_mut();
        if acc.rows == 0 {
            return;
        }
        for (i, leaf) in plan.leaves.iter().enumerate() {
            let st = &mut self.items[leaf.slot];
            st.n += acc.rows;
            st.sums[0] += acc.sums[i][0];
            st.sums[1] += acc.sums[i][1];
            st.sums[2] += acc.sum_y;
            st.sums[3] += acc.sum_y2;
            st.sums[4] += acc.sums[i][2];
            st.blank += u64::from(acc.status[i][1]);
            st.multi += u64::from(acc.status[i][2]);
            st.unreadable += u64::from(acc.status[i][3]);
            st.invalid += u64::from(acc.status[i][4]);
            for (j, s) in leaf.memo.borrow().values().iter().enumerate() {
                let hits = acc.hits[i * MEMO_PER_ITEM + j];
                if hits > 0 && counts_response(leaf, s) {
                    *response_slot(st, leaf.cell, s) += hits;
                }
            }
        }
        *acc = Acc::new(plan.leaves.len());
    }

    /// The finished item analysis, by question id.
    pub(super) fn finish(&self) -> Vec<ItemStats> {
        let mut out: Vec<ItemStats> = self
            .items
            .iter()
            .filter(|s| s.n > 0)
            .cloned()
            .map(|mut s| {
                let n = s.n as f64;
                s.mean = s.sums[0] / n;
                s.facility = if s.max > 0.0 { s.mean / s.max } else { 0.0 };
                let [sx, sxx, sy, syy, sxy] = s.sums;
                s.discrimination = Moments {
                    n: s.n,
                    sx,
                    sxx,
                    sy,
                    syy,
                    sxy,
                }
                .item_rest()
                .r;
                for (code, &n) in s.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                    let text = match code {
                        256 => String::new(),
                        257 => "F".to_string(),
                        258 => "T".to_string(),
                        _ => (0..8)
                            .filter(|b| code & (1 << b) != 0)
                            .map(letter)
                            .collect(),
                    };
                    *s.responses.entry(text).or_default() += u64::from(n);
                }
                s
            })
            .collect();
        out.sort_by(|a, b| a.question.cmp(&b.question));
        out
    }
}

/// Whether a scored cell counts among the item's responses: choice and judge marks the item
/// can have (an invalid mark is counted as `invalid`, not as a response).
fn counts_response(leaf: &Leaf, s: &Scored) -> bool {
    !matches!(leaf.cell, CellKind::Text) && s.status != Status::Invalid
}

/// The counter of a choice or judge response: bank-letter bit sets 0–255, then judge blank/F/T.
fn response_slot<'s>(st: &'s mut ItemStats, cell: CellKind, s: &Scored) -> &'s mut u32 {
    if st.counts.is_empty() {
        st.counts = vec![0; 259];
    }
    let index = match cell {
        CellKind::Judge => match s.judge {
            None => 256,
            Some(false) => 257,
            Some(true) => 258,
        },
        _ => (s.bits as usize).min(255),
    };
    &mut st.counts[index]
}

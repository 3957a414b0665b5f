//! A paper's plan: each scoreable item with what grading needs precomputed (rule, column,
//! cell kind, key in bank letters), cached for exams with few papers.

use super::cell::Memo;
use super::stats::{Acc, Stats};
use crate::bank::{letter, Answer, Kind};
use crate::blueprint::Rule;
use crate::draw::manifest::{Item, Manifest, Paper};
use crate::score::rules::effective;
use crate::sheet::{CellKind, ItemRef, SheetRow};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One scoreable item of a paper. Everything a rule or a script reads about the item is fixed
/// here, so results remembered per leaf depend on the raw cell alone.
pub(super) struct Leaf<'m> {
    pub item: &'m Item,
    pub section: usize,
    pub section_title: &'m str,
    pub number: u32,
    pub rule: Rule,
    pub penalty: f64,
    pub cell: CellKind,
    /// The item's question slot in the statistics.
    pub slot: usize,
    /// The answer column holding this item.
    pub pos: Option<usize>,
    /// The key in bank letters, for scripts.
    pub key: Vec<String>,
    /// Results by raw cell: a paper's answers repeat, and reading and scoring are pure.
    pub memo: RefCell<Memo>,
}

/// A paper's leaves, maximum and gathered statistics.
pub(super) struct Plan<'m> {
    pub paper: &'m Paper,
    pub leaves: Vec<Leaf<'m>>,
    pub max: f64,
    pub acc: RefCell<Acc>,
}

/// Paper plans are cached when an exam has few papers; per-candidate exams build one per row.
const PLAN_CACHE_LIMIT: usize = 1024;

/// Answer columns by item number and by question id, from the sheet's header.
type Columns = (HashMap<u32, usize>, HashMap<String, usize>);

/// Builds and caches plans.
pub(super) struct Plans<'m> {
    manifest: &'m Manifest,
    cache: Vec<Option<Rc<Plan<'m>>>>,
    columns: Option<Columns>,
    /// Whether leaves carry the key in bank letters (only scripts read it).
    with_key: bool,
}

impl<'m> Plans<'m> {
    pub(super) fn new(manifest: &'m Manifest, with_key: bool) -> Self {
        Plans {
            manifest,
            cache: vec![None; manifest.papers.len().min(PLAN_CACHE_LIMIT)],
            columns: None,
            with_key,
        }
    }

    /// Turns the cache off (tests compare cached and uncached grading).
    #[cfg(test)]
    pub(super) fn uncached(mut self) -> Self {
        self.cache.clear();
        self
    }

    /// Whether plans of paper `index` are kept between rows.
    pub(super) fn is_cached(&self, index: usize) -> bool {
        index < self.cache.len()
    }

    /// Every cached plan.
    pub(super) fn cached(&self) -> Vec<Rc<Plan<'m>>> {
        self.cache.iter().flatten().cloned().collect()
    }

    /// The plan of paper `index`; `row` gives the answer columns the first time.
    pub(super) fn get(
        &mut self,
        index: usize,
        row: &SheetRow,
        stats: &mut Stats<'m>,
    ) -> Rc<Plan<'m>> {
        if let Some(Some(p)) = self.cache.get(index) {
            return p.clone();
        }
        let (by_number, by_id) = self.columns.get_or_insert_with(|| columns(row));
        let paper = &self.manifest.papers[index];
        let mut leaves = Vec::new();
        for (si, section) in paper.sections.iter().enumerate() {
            for it in section.items.iter().flat_map(|top| top.leaves()) {
                let Some(number) = it.number else { continue };
                leaves.push(Leaf {
                    item: it,
                    section: si,
                    section_title: &section.title,
                    number,
                    rule: effective(section.rule, it.kind),
                    penalty: section.penalty.unwrap_or(0.25),
                    cell: cell_kind(it),
                    slot: stats.slot(it),
                    pos: by_number
                        .get(&number)
                        .or_else(|| by_id.get(&it.question))
                        .copied(),
                    key: if self.with_key {
                        canonical_key(it)
                    } else {
                        Vec::new()
                    },
                    memo: RefCell::new(Memo::default()),
                });
            }
        }
        let max = leaves.iter().map(|l| l.item.points).sum();
        let acc = RefCell::new(Acc::new(leaves.len()));
        let plan = Rc::new(Plan {
            paper,
            leaves,
            max,
            acc,
        });
        if let Some(slot) = self.cache.get_mut(index) {
            *slot = Some(plan.clone());
        }
        plan
    }
}

fn columns(row: &SheetRow) -> Columns {
    let mut n = HashMap::new();
    let mut i = HashMap::new();
    for (pos, (r, _)) in row.answers().enumerate() {
        match r {
            ItemRef::Number(k) => {
                n.entry(*k).or_insert(pos);
            }
            ItemRef::Id(q) => {
                i.entry(q.clone()).or_insert(pos);
            }
        }
    }
    (n, i)
}

fn cell_kind(it: &Item) -> CellKind {
    match it.kind {
        Kind::Single => CellKind::Single {
            options: it.options.len(),
        },
        Kind::Multiple => CellKind::Multiple {
            options: it.options.len(),
        },
        Kind::Judge => CellKind::Judge,
        _ => CellKind::Text,
    }
}

/// The right answer in the bank's letters, as scripts see it.
pub(super) fn canonical_key(it: &Item) -> Vec<String> {
    match &it.answer {
        Answer::Choice(printed) => {
            let mut v: Vec<String> = printed
                .iter()
                .filter_map(|&i| it.order.get(i))
                .map(|&b| letter(b).to_string())
                .collect();
            v.sort();
            v
        }
        Answer::Judge(b) => vec![if *b { "T" } else { "F" }.to_string()],
        Answer::Fill(blanks) => blanks.iter().map(|alts| alts.join("|")).collect(),
        Answer::Text { reference, .. } => vec![reference.clone()],
        Answer::Parts => Vec::new(),
    }
}

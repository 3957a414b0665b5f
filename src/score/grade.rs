//! Grading a stream of scanned rows against a manifest: points, totals, item statistics.
//! Memory holds one summary per candidate and one aggregate per question, never the items of all rows.

use super::rules::{effective, score as builtin_score, Response};
use super::script::{CandidateInfo, ItemInfo, ItemOutcome, ResponseInfo, RuleScript};
use crate::bank::{letter, Answer, Kind};
use crate::blueprint::Rule;
use crate::draw::manifest::{Item, Manifest, Paper};
use crate::sheet::{parse_cell, CellKind, ItemRef, SheetRow, Status, Tokens};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

/// One graded candidate, as results.csv prints it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Graded {
    pub line: u64,
    pub id: String,
    pub name: String,
    pub team: String,
    pub paper: String,
    pub score: f64,
    pub max: f64,
    pub sections: Vec<f64>,
    pub pass: Option<bool>,
    pub grade: Option<String>,
    pub rank: usize,
    pub duplicate: bool,
}

/// Counts shown in the closing summary.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Tally {
    pub read: u64,
    pub graded: u64,
    pub rejected: u64,
    pub blanks: u64,
    pub multi_marks: u64,
    pub unreadable: u64,
    pub duplicates: u64,
    pub short_without_points: u64,
}

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
    /// Point-biserial correlation of item points with total score.
    pub discrimination: Option<f64>,
    pub blank: u64,
    pub multi: u64,
    pub unreadable: u64,
    /// How often each choice response (in bank letters, T/F for judge) was given.
    pub responses: BTreeMap<String, u64>,
    #[serde(skip)]
    sums: [f64; 5],
    /// Responses by bank-letter bit set (0–255), then judge blank/false/true (256–258).
    #[serde(skip)]
    counts: Vec<u32>,
}

/// Manual points for short answers: (candidate, number or question id) → points.
pub type Manual = HashMap<(String, String), f64>;

/// One scoreable item of a paper, with everything grading needs precomputed.
struct Leaf<'m> {
    item: &'m Item,
    section: usize,
    number: u32,
    rule: Rule,
    penalty: f64,
    cell: CellKind,
    slot: usize,
    /// The answer column holding this item.
    pos: Option<usize>,
    /// The key in bank letters, for scripts.
    key: Vec<String>,
    /// Results by raw cell: a paper's answers repeat, and reading and scoring are pure.
    memo: std::cell::RefCell<Memo>,
}

struct Plan<'m> {
    paper: &'m Paper,
    leaves: Vec<Leaf<'m>>,
    max: f64,
    acc: std::cell::RefCell<Acc>,
}

/// Item statistics gathered on one paper, folded into the per-question totals at the end
/// (at once for per-candidate papers). Kept per paper and small, so a row touches little memory.
#[derive(Default)]
struct Acc {
    rows: u64,
    sum_y: f64,
    sum_y2: f64,
    /// Per leaf: Σx, Σx², Σxy (x = item points, y = total).
    sums: Vec<[f64; 3]>,
    /// Per leaf: cells by status (ok, blank, multi, unreadable).
    status: Vec<[u32; 4]>,
    /// Per leaf × `MEMO_PER_ITEM`: how often each remembered cell was given.
    hits: Vec<u32>,
}

impl Acc {
    fn new(leaves: usize) -> Self {
        Acc {
            sums: vec![[0.0; 3]; leaves],
            status: vec![[0; 4]; leaves],
            hits: vec![0; leaves * MEMO_PER_ITEM],
            ..Acc::default()
        }
    }
}

/// One scored item of the last graded row.
#[derive(Debug, Clone, Copy)]
struct Scored {
    /// Index of the cell in its leaf's memo; `NO_MEMO` when not remembered.
    memo: u8,
    status: Status,
    /// Bank letters as a bit set (A = bit 0).
    bits: u32,
    judge: Option<bool>,
    points: f64,
}

/// Remembered cells of one item: keys apart from values, so a lookup scans one cache line.
#[derive(Default)]
struct Memo {
    keys: Vec<u64>,
    values: Vec<Scored>,
}

/// A row of items.csv.
pub struct ItemLine<'a> {
    pub number: u32,
    pub question: &'a str,
    /// Marks in the bank's letters (T/F for judge, the text for fill and short).
    pub marks: Cow<'a, str>,
    pub status: Status,
    pub points: f64,
    pub max: f64,
}

/// Distinct raw cells remembered per item.
const MEMO_PER_ITEM: usize = 32;
const NO_MEMO: u8 = u8::MAX;

/// A raw cell of up to seven bytes packed with its length, as a memo key.
fn memo_key(raw: &str) -> Option<u64> {
    let b = raw.as_bytes();
    (b.len() <= 7).then(|| {
        b.iter()
            .fold(b.len() as u64, |k, &x| (k << 8) | u64::from(x))
    })
}

/// Paper plans are cached when an exam has few papers; per-candidate exams build one per row.
const PLAN_CACHE_LIMIT: usize = 1024;

/// The grading state.
pub struct Grader<'a> {
    manifest: &'a Manifest,
    script: Option<&'a RuleScript>,
    manual: &'a Manual,
    tokens: Tokens,
    pub tally: Tally,
    /// Every graded score, for ranks: the one number kept per candidate.
    scores: Vec<f64>,
    /// A 64-bit hash of each graded row's candidate id, for duplicate flags (sorted at the end).
    seen: Vec<u64>,
    /// Member scores (and maxima) per team.
    teams: BTreeMap<String, Vec<(f64, f64)>>,
    stats: Vec<ItemStats>,
    slot_of: HashMap<&'a str, usize>,
    paper_of: HashMap<&'a str, usize>,
    plans: Vec<Option<Rc<Plan<'a>>>>,
    by_number: Option<(HashMap<u32, usize>, HashMap<String, usize>)>,
    section_titles: Vec<String>,
    last: Option<Rc<Plan<'a>>>,
    scored: Vec<Scored>,
    letters: Vec<usize>,
    /// Script results per (slot, status, bits, judge): score hooks are pure.
    memo: HashMap<(usize, u8, u32, u8), f64>,
}

fn judge_code(j: Option<bool>) -> u8 {
    match j {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn status_code(s: Status) -> u8 {
    match s {
        Status::Ok => 0,
        Status::Blank => 1,
        Status::Multi => 2,
        Status::Unreadable => 3,
    }
}

impl<'a> Grader<'a> {
    /// A grader for `manifest`, reading cells with `tokens`.
    pub fn new(
        manifest: &'a Manifest,
        script: Option<&'a RuleScript>,
        manual: &'a Manual,
        tokens: Tokens,
    ) -> Self {
        let section_titles = manifest
            .papers
            .first()
            .map(|p| p.sections.iter().map(|s| s.title.clone()).collect())
            .unwrap_or_default();
        let paper_of = manifest
            .papers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.as_str(), i))
            .collect();
        Grader {
            manifest,
            script,
            manual,
            tokens,
            tally: Tally::default(),
            scores: Vec::new(),
            seen: Vec::new(),
            teams: BTreeMap::new(),
            stats: Vec::new(),
            slot_of: HashMap::new(),
            paper_of,
            plans: vec![None; manifest.papers.len().min(PLAN_CACHE_LIMIT)],
            by_number: None,
            section_titles,
            last: None,
            scored: Vec::new(),
            letters: Vec::new(),
            memo: HashMap::new(),
        }
    }

    /// Section titles, in order.
    pub fn section_titles(&self) -> &[String] {
        &self.section_titles
    }

    fn paper_index(&self, row: &SheetRow) -> Result<usize, String> {
        let m = self.manifest;
        let code = row.paper.trim();
        if code.is_empty() {
            if m.papers.len() == 1 {
                return Ok(0);
            }
            if let Some(&i) = self.paper_of.get(row.candidate.trim()) {
                return Ok(i);
            }
            return Err(format!(
                "no paper code, and the exam has {} papers",
                m.papers.len()
            ));
        }
        if let Some(&i) = self.paper_of.get(code) {
            return Ok(i);
        }
        // Scanners number their key versions: 1 is paper A, 2 is paper B …
        if let Ok(k) = code.parse::<usize>() {
            if (1..=m.papers.len()).contains(&k) && m.papers[k - 1].candidate.is_none() {
                return Ok(k - 1);
            }
        }
        m.papers
            .iter()
            .position(|p| p.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                let known: Vec<&str> = m.papers.iter().take(8).map(|p| p.code.as_str()).collect();
                format!(
                    "unknown paper code `{code}` (the exam has {}{})",
                    known.join(", "),
                    if m.papers.len() > 8 { ", …" } else { "" }
                )
            })
    }

    fn plan(&mut self, index: usize, row: &SheetRow) -> Rc<Plan<'a>> {
        if let Some(Some(p)) = self.plans.get(index) {
            return p.clone();
        }
        let (by_number, by_id) = self.by_number.get_or_insert_with(|| {
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
        });
        let paper = &self.manifest.papers[index];
        let mut leaves = Vec::new();
        for (si, section) in paper.sections.iter().enumerate() {
            for top in &section.items {
                for it in top.leaves() {
                    let Some(number) = it.number else { continue };
                    let slot = match self.slot_of.get(it.question.as_str()) {
                        Some(&s) => s,
                        None => {
                            self.stats.push(ItemStats {
                                question: it.question.clone(),
                                kind: it.kind.name().to_string(),
                                max: it.points,
                                ..ItemStats::default()
                            });
                            self.slot_of.insert(&it.question, self.stats.len() - 1);
                            self.stats.len() - 1
                        }
                    };
                    leaves.push(Leaf {
                        item: it,
                        section: si,
                        number,
                        rule: effective(section.rule, it.kind),
                        penalty: section.penalty.unwrap_or(0.25),
                        cell: match it.kind {
                            Kind::Single => CellKind::Single {
                                options: it.options.len(),
                            },
                            Kind::Multiple => CellKind::Multiple {
                                options: it.options.len(),
                            },
                            Kind::Judge => CellKind::Judge,
                            _ => CellKind::Text,
                        },
                        slot,
                        pos: by_number
                            .get(&number)
                            .or_else(|| by_id.get(&it.question))
                            .copied(),
                        key: if self.script.is_some() {
                            canonical_key(it)
                        } else {
                            Vec::new()
                        },
                        memo: std::cell::RefCell::new(Memo::default()),
                    });
                }
            }
        }
        let max = leaves.iter().map(|l| l.item.points).sum();
        let acc = std::cell::RefCell::new(Acc::new(leaves.len()));
        let plan = Rc::new(Plan {
            paper,
            leaves,
            max,
            acc,
        });
        if let Some(slot) = self.plans.get_mut(index) {
            *slot = Some(plan.clone());
        }
        plan
    }

    /// Grades one row. An `Err` is the reason to reject it; nothing of a rejected row is counted.
    /// Its rank and duplicate flag are known only at the end: see [`Grader::finish`].
    pub fn grade(&mut self, row: &SheetRow) -> Result<Graded, String> {
        self.tally.read += 1;
        let index = self.paper_index(row)?;
        let plan = self.plan(index, row);
        self.last = None;
        self.scored.clear();
        let id = row.candidate.trim();
        let mut sections = vec![0.0; plan.paper.sections.len()];
        let mut counts = [0u64; 3];
        for leaf in &plan.leaves {
            let raw = leaf.pos.and_then(|p| row.answer(p)).unwrap_or("");
            let key = memo_key(raw)
                .filter(|_| leaf.rule != Rule::Manual && !matches!(leaf.cell, CellKind::Text));
            let cached = key.and_then(|k| {
                let memo = leaf.memo.borrow();
                let i = memo.keys.iter().position(|c| *c == k)?;
                Some(Scored {
                    memo: i as u8,
                    ..memo.values[i]
                })
            });
            let scored = match cached {
                Some(s) => s,
                None => {
                    let mut s = self.score_cell(&plan, leaf, raw, id)?;
                    if let Some(k) = key {
                        let mut memo = leaf.memo.borrow_mut();
                        if memo.keys.len() < MEMO_PER_ITEM {
                            s.memo = memo.keys.len() as u8;
                            memo.keys.push(k);
                            memo.values.push(s);
                        }
                    }
                    s
                }
            };
            match scored.status {
                Status::Blank => counts[0] += 1,
                Status::Multi => counts[1] += 1,
                Status::Unreadable => counts[2] += 1,
                Status::Ok => {}
            }
            sections[leaf.section] += scored.points;
            self.scored.push(scored);
        }
        let score: f64 = sections.iter().sum();
        let candidate = plan.paper.candidate.as_ref();
        let mut graded = Graded {
            line: row.line,
            name: non_empty(&row.name, candidate.map(|c| c.name.as_str())),
            team: non_empty(&row.team, candidate.map(|c| c.team.as_str())),
            id: id.to_string(),
            paper: plan.paper.code.clone(),
            score,
            max: plan.max,
            sections,
            pass: self.manifest.blueprint.scoring.pass.map(|p| score >= p),
            grade: None,
            rank: 0,
            duplicate: false,
        };
        if let Some(script) = self.script.filter(|s| s.has_total()) {
            let items = self.outcomes(&plan);
            let out = script
                .total(&self.candidate_info(&graded, items))
                .map_err(|e| format!("rule script: {e}"))?;
            graded.score = out.score;
            if out.pass.is_some() {
                graded.pass = out.pass;
            }
            graded.grade = out.grade;
        }
        // Only now is the row accepted: count it and feed the statistics.
        self.tally.blanks += counts[0];
        self.tally.multi_marks += counts[1];
        self.tally.unreadable += counts[2];
        self.tally.graded += 1;
        let y = graded.score;
        {
            let mut acc = plan.acc.borrow_mut();
            let acc = &mut *acc;
            acc.rows += 1;
            acc.sum_y += y;
            acc.sum_y2 += y * y;
            for (i, (leaf, s)) in plan.leaves.iter().zip(&self.scored).enumerate() {
                let x = s.points;
                let a = &mut acc.sums[i];
                a[0] += x;
                a[1] += x * x;
                a[2] += x * y;
                acc.status[i][usize::from(status_code(s.status))] += 1;
                if !matches!(leaf.cell, CellKind::Text) {
                    if s.memo == NO_MEMO {
                        *response_slot(&mut self.stats[leaf.slot], leaf.cell, s) += 1;
                    } else {
                        acc.hits[i * MEMO_PER_ITEM + usize::from(s.memo)] += 1;
                    }
                }
            }
        }
        if index >= self.plans.len() {
            self.fold(&plan);
        }
        self.seen.push(id_hash(id));
        self.scores.push(graded.score);
        if !graded.team.is_empty() {
            let member = (graded.score, graded.max);
            match self.teams.get_mut(&graded.team) {
                Some(members) => members.push(member),
                None => {
                    self.teams.insert(graded.team.clone(), vec![member]);
                }
            }
        }
        self.last = Some(plan);
        Ok(graded)
    }

    /// Reads one cell and scores it: built-in rule, script, or manual points.
    fn score_cell(
        &mut self,
        plan: &Plan<'a>,
        leaf: &Leaf<'a>,
        raw: &str,
        id: &str,
    ) -> Result<Scored, String> {
        let it = leaf.item;
        let cell = parse_cell(raw, leaf.cell, &self.tokens)
            .map_err(|e| format!("item {}: {e}", leaf.number))?;
        self.letters.clear();
        let mut bits = 0u32;
        for i in cell.letters.iter() {
            self.letters.push(i);
            if let Some(&b) = it.order.get(i) {
                bits |= 1 << b;
            }
        }
        let points = if leaf.rule == Rule::Manual {
            self.manual_points(id, leaf.number, it, cell.text)?
        } else if let Some(script) = self.script.filter(|s| s.has_score()) {
            let memo_key = (
                leaf.slot,
                status_code(cell.status),
                bits,
                judge_code(cell.judge),
            );
            let cacheable = !matches!(leaf.cell, CellKind::Text);
            match self.memo.get(&memo_key).filter(|_| cacheable) {
                Some(&p) => p,
                None => {
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
                    let status = cell.status.name();
                    let section = &plan.paper.sections[leaf.section].title;
                    let p = script
                        .score(
                            &ItemInfo {
                                id: &it.question,
                                number: leaf.number,
                                kind: it.kind.name(),
                                points: it.points,
                                key: &leaf.key,
                                options: it.options.len(),
                                tags: &it.tags,
                                section,
                            },
                            &ResponseInfo {
                                marks: &marks,
                                status,
                                text: cell.text,
                            },
                        )
                        .map_err(|e| format!("rule script: {e}"))?;
                    if cacheable {
                        self.memo.insert(memo_key, p);
                    }
                    p
                }
            }
        } else {
            let resp = Response {
                status: cell.status,
                letters: &self.letters,
                judge: cell.judge,
                text: cell.text,
            };
            builtin_score(it, leaf.rule, leaf.penalty, &resp).unwrap_or(0.0)
        };
        Ok(Scored {
            memo: NO_MEMO,
            status: cell.status,
            bits,
            judge: cell.judge,
            points,
        })
    }

    /// The items of the row just graded, for items.csv.
    pub fn last_items<'r>(&'r self, row: &'r SheetRow) -> impl Iterator<Item = ItemLine<'r>> + 'r {
        let plan = self.last.as_deref();
        plan.into_iter().flat_map(move |p| {
            p.leaves
                .iter()
                .zip(&self.scored)
                .map(move |(leaf, s)| ItemLine {
                    number: leaf.number,
                    question: &leaf.item.question,
                    marks: marks_text(leaf, s, row),
                    status: s.status,
                    points: s.points,
                    max: leaf.item.points,
                })
        })
    }

    fn outcomes(&self, plan: &Plan) -> Vec<ItemOutcome> {
        plan.leaves
            .iter()
            .zip(&self.scored)
            .map(|(l, s)| ItemOutcome {
                id: l.item.question.clone(),
                number: l.number,
                points: s.points,
                max: l.item.points,
                status: s.status.to_string(),
            })
            .collect()
    }

    fn manual_points(
        &mut self,
        id: &str,
        number: u32,
        it: &Item,
        cell: &str,
    ) -> Result<f64, String> {
        let given = if !cell.trim().is_empty() {
            Some(
                cell.trim()
                    .replace(['，', ','], ".")
                    .parse::<f64>()
                    .map_err(|_| {
                        format!(
                            "item {number}: `{cell}` is not a score for a {} item",
                            it.kind
                        )
                    })?,
            )
        } else {
            self.manual
                .get(&(id.to_string(), number.to_string()))
                .or_else(|| self.manual.get(&(id.to_string(), it.question.clone())))
                .copied()
        };
        match given {
            Some(p) if !p.is_finite() || p < 0.0 || p > it.points + 1e-9 => Err(format!(
                "item {number}: score {p} is outside 0–{}",
                crate::bank::fmt_points(it.points)
            )),
            Some(p) => Ok(p),
            None => {
                self.tally.short_without_points += 1;
                Ok(0.0)
            }
        }
    }

    fn candidate_info(&self, g: &Graded, items: Vec<ItemOutcome>) -> CandidateInfo {
        CandidateInfo {
            id: g.id.clone(),
            name: g.name.clone(),
            team: g.team.clone(),
            score: g.score,
            max: g.max,
            sections: self
                .section_titles
                .iter()
                .zip(&g.sections)
                .map(|(t, s)| (t.clone(), *s, 0.0))
                .collect(),
            items,
        }
    }

    /// Adds a paper's gathered statistics to the per-question totals and clears them.
    fn fold(&mut self, plan: &Plan) {
        let mut acc = plan.acc.borrow_mut();
        if acc.rows == 0 {
            return;
        }
        for (i, leaf) in plan.leaves.iter().enumerate() {
            let st = &mut self.stats[leaf.slot];
            st.n += acc.rows;
            st.sums[0] += acc.sums[i][0];
            st.sums[1] += acc.sums[i][1];
            st.sums[2] += acc.sum_y;
            st.sums[3] += acc.sum_y2;
            st.sums[4] += acc.sums[i][2];
            st.blank += u64::from(acc.status[i][1]);
            st.multi += u64::from(acc.status[i][2]);
            st.unreadable += u64::from(acc.status[i][3]);
            if !matches!(leaf.cell, CellKind::Text) {
                for (j, s) in leaf.memo.borrow().values.iter().enumerate() {
                    let hits = acc.hits[i * MEMO_PER_ITEM + j];
                    if hits > 0 {
                        *response_slot(st, leaf.cell, s) += hits;
                    }
                }
            }
        }
        let leaves = plan.leaves.len();
        *acc = Acc::new(leaves);
    }

    /// Ranks, duplicate flags and item statistics, once every row is read.
    pub fn finish(&mut self) -> (Ranking, Vec<ItemStats>) {
        let cached: Vec<Rc<Plan<'a>>> = self.plans.iter().flatten().cloned().collect();
        for plan in cached {
            self.fold(&plan);
        }
        let mut sorted = std::mem::take(&mut self.scores);
        sorted.sort_by(|a, b| b.total_cmp(a));
        let mut ids = std::mem::take(&mut self.seen);
        ids.sort_unstable();
        let mut duplicated = HashSet::new();
        for pair in ids.windows(2) {
            if pair[0] == pair[1] {
                self.tally.duplicates += 1;
                duplicated.insert(pair[0]);
            }
        }
        let ranking = Ranking { sorted, duplicated };
        let mut out: Vec<ItemStats> = self
            .stats
            .iter()
            .filter(|s| s.n > 0)
            .cloned()
            .map(|mut s| {
                let n = s.n as f64;
                s.mean = s.sums[0] / n;
                s.facility = if s.max > 0.0 { s.mean / s.max } else { 0.0 };
                let cov = s.sums[4] / n - s.mean * (s.sums[2] / n);
                let vx = s.sums[1] / n - s.mean * s.mean;
                let vy = s.sums[3] / n - (s.sums[2] / n).powi(2);
                s.discrimination =
                    (vx > 1e-12 && vy > 1e-12).then(|| cov / (vx.sqrt() * vy.sqrt()));
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
        (ranking, out)
    }

    /// Team standings: the script's `team` hook, else the mean of the members.
    /// A hook sees each member's team, score and max.
    pub fn teams(&self) -> Result<Vec<(String, f64, usize)>, String> {
        let mut out = Vec::new();
        for (team, members) in &self.teams {
            let score = match self.script.filter(|s| s.has_team()) {
                Some(s) => {
                    let infos: Vec<CandidateInfo> = members
                        .iter()
                        .map(|&(score, max)| CandidateInfo {
                            id: String::new(),
                            name: String::new(),
                            team: team.clone(),
                            score,
                            max,
                            sections: Vec::new(),
                            items: Vec::new(),
                        })
                        .collect();
                    s.team(&infos).map_err(|e| format!("rule script: {e}"))?
                }
                None => members.iter().map(|m| m.0).sum::<f64>() / members.len() as f64,
            };
            out.push((team.clone(), score, members.len()));
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }
}

/// Ranks and duplicate flags, from one number per candidate.
pub struct Ranking {
    /// Scores, highest first.
    sorted: Vec<f64>,
    /// Hashes of candidate ids found on more than one row.
    duplicated: HashSet<u64>,
}

impl Ranking {
    /// Competition rank of `score` (1, 2, 2, 4 …).
    pub fn rank(&self, score: f64) -> usize {
        self.sorted.partition_point(|s| *s > score) + 1
    }

    /// Whether candidate `id` appears on more than one row.
    pub fn duplicate(&self, id: &str) -> bool {
        self.duplicated.contains(&id_hash(id))
    }

    /// Fills in a candidate's rank and duplicate flag.
    pub fn complete(&self, g: &mut Graded) {
        g.rank = self.rank(g.score);
        g.duplicate = self.duplicate(&g.id);
    }
}

/// A candidate id as 64 bits: the duplicate check keeps this, not the id.
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The counter of a choice or judge response: bank-letter bit sets 0–255, then judge blank/F/T.
fn response_slot<'s>(st: &'s mut ItemStats, cell: CellKind, s: &Scored) -> &'s mut u32 {
    if st.counts.is_empty() {
        st.counts = vec![0; 259];
    }
    let index = match cell {
        CellKind::Judge => 256 + usize::from(judge_code(s.judge)),
        _ => (s.bits as usize).min(255),
    };
    &mut st.counts[index]
}

fn marks_text<'r>(leaf: &Leaf, s: &Scored, row: &'r SheetRow) -> Cow<'r, str> {
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
        CellKind::Text => Cow::Borrowed(leaf.pos.and_then(|p| row.answer(p)).unwrap_or("").trim()),
    }
}

fn non_empty(a: &str, b: Option<&str>) -> String {
    if a.trim().is_empty() {
        b.unwrap_or("").to_string()
    } else {
        a.trim().to_string()
    }
}

/// The right answer in the bank's letters, as scripts see it.
fn canonical_key(it: &Item) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::Mode;
    use crate::draw::{draw, synthetic, DrawInput, Papers};
    use crate::sheet::Sheet;
    use std::collections::HashSet;

    fn grade_all(m: &Manifest, csv: &str, cached: bool) -> (Vec<Graded>, Vec<ItemStats>, Tally) {
        let manual = Manual::new();
        let mut sheet =
            Sheet::open("t.csv", std::io::Cursor::new(csv.as_bytes().to_vec()), None).unwrap();
        let mut g = Grader::new(m, None, &manual, sheet.layout().tokens.clone());
        if !cached {
            g.plans.clear();
        }
        let mut out = Vec::new();
        while let Some(row) = sheet.next() {
            out.push(g.grade(row.unwrap()).unwrap());
        }
        let (_, stats) = g.finish();
        (out, stats, g.tally.clone())
    }

    /// Statistics gathered per paper and folded at the end equal those folded after every row.
    #[test]
    fn item_statistics_do_not_depend_on_plan_caching() {
        let banks = [synthetic::bank(400)];
        let bp = synthetic::blueprint(Mode::Shuffle);
        let m = draw(&DrawInput {
            blueprint: &bp,
            banks: &banks,
            seed: 3,
            avoid: &HashSet::new(),
            papers: Papers::Variants(2),
        })
        .unwrap()
        .manifest;
        let mut csv = String::from("candidate,name,team,paper");
        for n in 1..=100 {
            csv.push_str(&format!(",{n}"));
        }
        csv.push('\n');
        let marks = ["A", "B", "AC", "", "D", "AB", "BD", "C"];
        for i in 0..300 {
            csv.push_str(&format!("{i},n,t,{}", if i % 2 == 0 { "A" } else { "B" }));
            for (j, (_, it)) in m.papers[i % 2].leaves().enumerate() {
                let cell = match it.kind {
                    Kind::Judge => ["T", "F", ""][(i + j) % 3],
                    _ => marks[(i * 7 + j) % 8],
                };
                csv.push(',');
                csv.push_str(cell);
            }
            csv.push('\n');
        }
        let (a, sa, ta) = grade_all(&m, &csv, true);
        let (b, sb, tb) = grade_all(&m, &csv, false);
        assert_eq!(
            a.iter().map(|g| g.score).collect::<Vec<_>>(),
            b.iter().map(|g| g.score).collect::<Vec<_>>()
        );
        assert_eq!(ta.blanks, tb.blanks);
        assert_eq!(sa.len(), sb.len());
        for (x, y) in sa.iter().zip(&sb) {
            assert_eq!(
                (x.question.as_str(), x.n, x.blank, x.multi, &x.responses),
                (y.question.as_str(), y.n, y.blank, y.multi, &y.responses)
            );
            assert!(
                (x.mean - y.mean).abs() < 1e-9
                    && (x.discrimination.unwrap_or(0.0) - y.discrimination.unwrap_or(0.0)).abs()
                        < 1e-9
            );
        }
        assert!(sa.iter().map(|s| s.n).sum::<u64>() == 300 * 100);
    }
}

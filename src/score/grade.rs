//! Grading a stream of scanned rows against a manifest: points, totals, item statistics.
//! Memory holds one summary per candidate and one aggregate per question, never the items of all rows.

use super::rules::{effective, score as builtin_score, Response};
use super::script::{CandidateInfo, ItemInfo, ItemOutcome, ResponseInfo, RuleScript};
use crate::bank::{letter, Answer, Kind};
use crate::blueprint::Rule;
use crate::draw::manifest::{Item, Manifest, Paper};
use crate::sheet::{parse_cell, CellKind, ItemRef, SheetRow, Status, Tokens};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One graded candidate, as results.csv prints it.
#[derive(Debug, Clone, Serialize)]
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

/// One scored item of one candidate (a row of items.csv).
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub number: u32,
    pub question: String,
    /// Marks in the bank's letters (T/F for judge, text for fill and short).
    pub marks: String,
    pub status: Status,
    pub points: f64,
    pub max: f64,
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
    /// How often each response (in bank letters) was given.
    pub responses: BTreeMap<String, u64>,
    #[serde(skip)]
    sums: [f64; 5],
}

/// Manual points for short answers: (candidate, number or question id) → points.
pub type Manual = HashMap<(String, String), f64>;

/// The grading state.
pub struct Grader<'a> {
    manifest: &'a Manifest,
    script: Option<&'a RuleScript>,
    manual: &'a Manual,
    tokens: Tokens,
    pub tally: Tally,
    pub graded: Vec<Graded>,
    seen: HashMap<String, usize>,
    stats: BTreeMap<String, ItemStats>,
    section_titles: Vec<String>,
    buf: Vec<usize>,
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
        Grader {
            manifest,
            script,
            manual,
            tokens,
            tally: Tally::default(),
            graded: Vec::new(),
            seen: HashMap::new(),
            stats: BTreeMap::new(),
            section_titles,
            buf: Vec::new(),
        }
    }

    /// Section titles, in order.
    pub fn section_titles(&self) -> &[String] {
        &self.section_titles
    }

    fn paper_for(&self, row: &SheetRow) -> Result<&'a Paper, String> {
        let m = self.manifest;
        let code = row.paper.trim();
        if code.is_empty() {
            if m.papers.len() == 1 {
                return Ok(&m.papers[0]);
            }
            if let Some(p) = m.paper(row.candidate.trim()) {
                return Ok(p);
            }
            return Err(format!(
                "no paper code, and the exam has {} papers",
                m.papers.len()
            ));
        }
        m.paper(code)
            .or_else(|| m.papers.iter().find(|p| p.code.eq_ignore_ascii_case(code)))
            .ok_or_else(|| {
                let known: Vec<&str> = m.papers.iter().take(8).map(|p| p.code.as_str()).collect();
                format!(
                    "unknown paper code `{code}` (the exam has {}{})",
                    known.join(", "),
                    if m.papers.len() > 8 { ", …" } else { "" }
                )
            })
    }

    /// Grades one row; `items` receives its item rows. An `Err` is the reason to reject the row.
    pub fn grade(&mut self, row: &SheetRow, items: &mut Vec<ItemRow>) -> Result<(), String> {
        self.tally.read += 1;
        items.clear();
        let paper = self.paper_for(row)?;
        let id = row.candidate.trim().to_string();
        let mut by_number: HashMap<u32, &str> = HashMap::new();
        let mut by_id: HashMap<&str, &str> = HashMap::new();
        for (r, text) in row.answers() {
            match r {
                ItemRef::Number(n) => {
                    by_number.insert(*n, text);
                }
                ItemRef::Id(q) => {
                    by_id.insert(q.as_str(), text);
                }
            }
        }
        let mut sections = vec![0.0; paper.sections.len()];
        let mut counts = (0u64, 0u64, 0u64);
        for (si, it) in paper.leaves() {
            let Some(number) = it.number else { continue };
            let raw = by_number
                .get(&number)
                .copied()
                .or_else(|| by_id.get(it.question.as_str()).copied())
                .unwrap_or("");
            let section = &paper.sections[si];
            let rule = effective(section.rule, it.kind);
            let kind = match it.kind {
                Kind::Single => CellKind::Single {
                    options: it.options.len(),
                },
                Kind::Multiple => CellKind::Multiple {
                    options: it.options.len(),
                },
                Kind::Judge => CellKind::Judge,
                _ => CellKind::Text,
            };
            let cell =
                parse_cell(raw, kind, &self.tokens).map_err(|e| format!("item {number}: {e}"))?;
            self.buf.clear();
            self.buf.extend(cell.letters.iter());
            let canonical: String = match it.kind {
                Kind::Single | Kind::Multiple => {
                    let mut c: Vec<char> = self
                        .buf
                        .iter()
                        .filter_map(|&i| it.canonical_letter(i))
                        .collect();
                    c.sort_unstable();
                    c.into_iter().collect()
                }
                Kind::Judge => cell
                    .judge
                    .map(|j| if j { "T" } else { "F" })
                    .unwrap_or("")
                    .to_string(),
                _ => cell.text.to_string(),
            };
            let points = if rule == Rule::Manual {
                self.manual_points(&id, number, it, cell.text)?
            } else {
                let resp = Response {
                    status: cell.status,
                    letters: &self.buf,
                    judge: cell.judge,
                    text: cell.text,
                };
                match self.script.filter(|s| s.has_score()) {
                    Some(script) => {
                        let key = canonical_key(it);
                        let marks: Vec<String> = match it.kind {
                            Kind::Single | Kind::Multiple | Kind::Judge => {
                                canonical.chars().map(String::from).collect()
                            }
                            _ => vec![cell.text.to_string()],
                        };
                        let status = cell.status.to_string();
                        script
                            .score(
                                &ItemInfo {
                                    id: &it.question,
                                    number,
                                    kind: it.kind.name(),
                                    points: it.points,
                                    key: &key,
                                    options: it.options.len(),
                                    tags: &it.tags,
                                    section: &section.title,
                                },
                                &ResponseInfo {
                                    marks: &marks,
                                    status: &status,
                                    text: cell.text,
                                },
                            )
                            .map_err(|e| format!("rule script: {e}"))?
                    }
                    None => builtin_score(it, rule, section.penalty.unwrap_or(0.25), &resp)
                        .unwrap_or(0.0),
                }
            };
            match cell.status {
                Status::Blank => counts.0 += 1,
                Status::Multi => counts.1 += 1,
                Status::Unreadable => counts.2 += 1,
                Status::Ok => {}
            }
            sections[si] += points;
            items.push(ItemRow {
                number,
                question: it.question.clone(),
                marks: canonical,
                status: cell.status,
                points,
                max: it.points,
            });
        }
        let score: f64 = sections.iter().sum();
        let max: f64 = paper.leaves().map(|(_, it)| it.points).sum();
        let mut graded = Graded {
            line: row.line,
            name: non_empty(&row.name, paper.candidate.as_ref().map(|c| c.name.as_str())),
            team: non_empty(&row.team, paper.candidate.as_ref().map(|c| c.team.as_str())),
            id: id.clone(),
            paper: paper.code.clone(),
            score,
            max,
            sections,
            pass: self.manifest.blueprint.scoring.pass.map(|p| score >= p),
            grade: None,
            rank: 0,
            duplicate: false,
        };
        if let Some(script) = self.script.filter(|s| s.has_total()) {
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
        self.tally.blanks += counts.0;
        self.tally.multi_marks += counts.1;
        self.tally.unreadable += counts.2;
        self.tally.graded += 1;
        for it in items.iter() {
            let s = self
                .stats
                .entry(it.question.clone())
                .or_insert_with(|| ItemStats {
                    question: it.question.clone(),
                    kind: paper
                        .leaves()
                        .find(|(_, l)| l.question == it.question)
                        .map(|(_, l)| l.kind.name().to_string())
                        .unwrap_or_default(),
                    max: it.max,
                    ..ItemStats::default()
                });
            s.n += 1;
            let (x, y) = (it.points, graded.score);
            s.sums[0] += x;
            s.sums[1] += x * x;
            s.sums[2] += y;
            s.sums[3] += y * y;
            s.sums[4] += x * y;
            match it.status {
                Status::Blank => s.blank += 1,
                Status::Multi => s.multi += 1,
                Status::Unreadable => s.unreadable += 1,
                Status::Ok => {}
            }
            if it.marks.len() <= 8 {
                *s.responses.entry(it.marks.clone()).or_default() += 1;
            }
        }
        let n = self.seen.entry(id).or_default();
        *n += 1;
        if *n > 1 {
            self.tally.duplicates += 1;
        }
        self.graded.push(graded);
        Ok(())
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

    fn candidate_info(&self, g: &Graded, items: &[ItemRow]) -> CandidateInfo {
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
            items: items
                .iter()
                .map(|i| ItemOutcome {
                    id: i.question.clone(),
                    number: i.number,
                    points: i.points,
                    max: i.max,
                    status: i.status.to_string(),
                })
                .collect(),
        }
    }

    /// Ranks, duplicate flags and item statistics, once every row is read.
    pub fn finish(&mut self) -> Vec<ItemStats> {
        let mut order: Vec<usize> = (0..self.graded.len()).collect();
        order.sort_by(|&a, &b| {
            self.graded[b]
                .score
                .total_cmp(&self.graded[a].score)
                .then(a.cmp(&b))
        });
        let mut rank = 0;
        for (pos, &i) in order.iter().enumerate() {
            if pos == 0 || self.graded[i].score != self.graded[order[pos - 1]].score {
                rank = pos + 1;
            }
            self.graded[i].rank = rank;
        }
        for g in &mut self.graded {
            g.duplicate = self.seen.get(&g.id).is_some_and(|n| *n > 1);
        }
        self.stats
            .values()
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
                s
            })
            .collect()
    }

    /// Team standings: the script's `team` hook, else the mean of the members.
    pub fn teams(&self) -> Result<Vec<(String, f64, usize)>, String> {
        let mut groups: BTreeMap<&str, Vec<&Graded>> = BTreeMap::new();
        for g in &self.graded {
            if !g.team.is_empty() {
                groups.entry(&g.team).or_default().push(g);
            }
        }
        let mut out = Vec::new();
        for (team, members) in groups {
            let score = match self.script.filter(|s| s.has_team()) {
                Some(s) => {
                    let infos: Vec<CandidateInfo> = members
                        .iter()
                        .map(|g| self.candidate_info(g, &[]))
                        .collect();
                    s.team(&infos).map_err(|e| format!("rule script: {e}"))?
                }
                None => members.iter().map(|g| g.score).sum::<f64>() / members.len() as f64,
            };
            out.push((team.to_string(), score, members.len()));
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
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

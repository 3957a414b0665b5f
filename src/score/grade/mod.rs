//! Grading a stream of scanned rows against a manifest: points, totals, item statistics.
//! Memory holds one summary per candidate and one aggregate per question, never the items of all rows.
//!
//! A row ends in one of three ways: graded ([`Outcome::Graded`]); rejected with a typed
//! [`Rejection`] when the row as a whole cannot be used (unknown paper, ragged, no candidate id);
//! or the run stops with a [`GradeError`] (a rule script that fails). A mark an item cannot have
//! is that item's problem: status `invalid`, 0 points, counted in [`Tally::invalid`] for review.

mod cell;
mod corrections;
mod outcome;
mod paper;
mod plan;
mod rank;
mod roster;
mod stats;
mod teams;
#[cfg(test)]
mod tests;

pub use corrections::{settle_marks, Corrections, How, Mark, MarkError};
pub use outcome::{GradeError, Outcome, Rejection};
pub use rank::Ranking;
pub use roster::Roster;
pub use stats::ItemStats;
pub use teams::TeamStanding;

use crate::draw::manifest::Manifest;
use crate::input::diagnostic::Lang;
use crate::score::script::{CandidateInfo, ItemOutcome, RuleScript};
use crate::sheet::{Rejected, SheetRow, Status, Tokens};
use cell::Scored;
use plan::{Plan, Plans};
use serde::Serialize;
use stats::Stats;
use std::borrow::Cow;
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
    /// Items that wait for a third mark (仲裁): the score is not final.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// Items whose points an appeal changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appeals: Vec<Change>,
}

/// An item's points changed by an appeal, as results.json and changes.csv record it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Change {
    pub item: u32,
    pub question: String,
    pub old: f64,
    pub new: f64,
    pub reason: String,
    pub date: String,
    pub by: String,
}

/// An item waiting for a third mark, as arbitration.csv lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arbitration {
    pub item: u32,
    pub question: String,
    pub max: f64,
    pub tolerance: f64,
    /// The marks given, with their `--manual` lines and markers.
    pub marks: Vec<Mark>,
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
    /// Items with a mark they cannot have, scored 0 and listed for review.
    pub invalid: u64,
    pub duplicates: u64,
    pub short_without_points: u64,
    /// Items scored by one `--manual` row.
    pub manual: u64,
    /// Items scored by two markers within the tolerance (双评).
    pub double_marked: u64,
    /// Items waiting for a third mark (仲裁), and the candidates they leave pending.
    pub arbitration: u64,
    pub pending: u64,
    /// Items settled by a third mark.
    pub arbitrated: u64,
    /// Items changed by an appeal (复核).
    pub appeals: u64,
    /// Registered candidates without a sheet (缺考).
    pub absent: u64,
    /// Sheets with nothing marked, graded 0.
    pub blank_sheets: u64,
}

/// A row of items.csv.
pub struct ItemLine<'a> {
    pub number: u32,
    pub question: &'a str,
    /// Marks in the bank's letters (T/F for judge, the text for fill and short, the cell as
    /// written for an invalid mark).
    pub marks: Cow<'a, str>,
    pub status: Status,
    /// How the points were found, when not from the sheet.
    pub how: How,
    pub points: f64,
    pub max: f64,
}

impl ItemLine<'_> {
    /// The status items.csv shows: how the points were found when not from the sheet, else
    /// the cell's status.
    pub fn status_name(&self) -> &'static str {
        self.how.name().unwrap_or(self.status.name())
    }

    /// Reads back what [`ItemLine::status_name`] wrote: the cell's status, and how the points
    /// were found when not from the sheet (points given by hand or changed by an appeal were
    /// given to a response that was scored, so its cell counts as read).
    pub fn parse_status(name: &str) -> Option<(Status, How)> {
        match How::from_name(name) {
            Some(how) => Some((Status::Ok, how)),
            None => Status::from_name(name).map(|s| (s, How::Sheet)),
        }
    }
}

/// Points given by hand, two markers' marks and appeals (see [`Corrections`]).
pub type Manual = Corrections;

/// The grading state.
pub struct Grader<'a> {
    manifest: &'a Manifest,
    script: Option<&'a RuleScript>,
    manual: &'a Manual,
    roster: Option<Roster>,
    tokens: Tokens,
    pub tally: Tally,
    papers: paper::Papers<'a>,
    plans: Plans<'a>,
    stats: Stats<'a>,
    teams: teams::Teams,
    /// Every graded score, for ranks: the one number kept per candidate.
    scores: Vec<f64>,
    /// A 64-bit hash of each graded row's candidate id, for duplicate flags.
    seen: Vec<u64>,
    section_titles: Vec<String>,
    /// The plan and items of the row graded last, for items.csv.
    last: Option<Rc<Plan<'a>>>,
    scored: Vec<Scored>,
    /// Printed option indices of the cell being scored (a reused buffer).
    letters: Vec<usize>,
    /// The items of the row graded last that wait for a third mark.
    arbitrations: Vec<Arbitration>,
    /// Candidates named by corrections who were graded, or rejected (their row is listed).
    corrected: std::collections::HashSet<String>,
    /// Lines and ids of sheets with nothing marked.
    pub blank_sheets: Vec<(u64, String)>,
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
            roster: None,
            tokens,
            tally: Tally::default(),
            papers: paper::Papers::new(manifest),
            plans: Plans::new(manifest, script.is_some()),
            stats: Stats::default(),
            teams: teams::Teams::default(),
            scores: Vec::new(),
            seen: Vec::new(),
            section_titles,
            last: None,
            scored: Vec::new(),
            letters: Vec::new(),
            arbitrations: Vec::new(),
            corrected: std::collections::HashSet::new(),
            blank_sheets: Vec::new(),
        }
    }

    /// Grades against a roster: names and teams come from it, a sheet of someone not on it is
    /// rejected ([`Rejection::NotOnRoster`]), and who has no sheet is absent (see
    /// [`Grader::absent`]).
    pub fn with_roster(mut self, roster: Roster) -> Self {
        self.roster = Some(roster);
        self
    }

    /// Registered candidates without a sheet (缺考), once every row is read.
    pub fn absent(&self) -> Vec<&crate::draw::manifest::Candidate> {
        self.roster.iter().flat_map(Roster::absent).collect()
    }

    /// The items of the row graded last that wait for a third mark.
    pub fn last_arbitrations(&self) -> &[Arbitration] {
        &self.arbitrations
    }

    /// Corrections naming a candidate with no row at all: each with where it is written.
    pub fn unused_corrections(&self) -> Vec<(String, String, Lang)> {
        let mut v: Vec<(String, String, Lang)> = self
            .manual
            .named()
            .filter(|(id, _, _)| !self.corrected.contains(*id))
            .map(|(id, at, lang)| (id.to_string(), at, lang))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }

    /// Section titles, in order.
    pub fn section_titles(&self) -> &[String] {
        &self.section_titles
    }

    /// Counts a row the sheet reader could not make into a row, and says why it is rejected.
    pub fn unusable(&mut self, r: &Rejected) -> Rejection {
        self.tally.read += 1;
        self.tally.rejected += 1;
        Rejection::Unreadable {
            reason: r.reason.clone(),
            reason_zh: r.reason_zh.clone(),
        }
    }

    /// Grades one row. Its rank and duplicate flag are known only at the end: see
    /// [`Grader::finish`]. Nothing of a rejected row is counted but the rejection.
    pub fn grade(&mut self, row: &SheetRow) -> Result<Outcome, GradeError> {
        self.tally.read += 1;
        self.last = None;
        self.arbitrations.clear();
        let id = row.candidate.trim();
        let index = match self.papers.find(row) {
            Ok(i) => i,
            Err(r) => {
                self.tally.rejected += 1;
                if self.manual.of(id).is_some() {
                    self.corrected.insert(id.to_string());
                }
                if let Some(roster) = &mut self.roster {
                    roster.saw(id);
                }
                return Ok(Outcome::Rejected(r));
            }
        };
        let registered = match &mut self.roster {
            None => None,
            Some(roster) => match roster.find(id) {
                Some(c) => Some(c.clone()),
                None => {
                    self.tally.rejected += 1;
                    if self.manual.of(id).is_some() {
                        self.corrected.insert(id.to_string());
                    }
                    return Ok(Outcome::Rejected(Rejection::NotOnRoster {
                        id: id.to_string(),
                        suggestion: roster.suggestion(id),
                    }));
                }
            },
        };
        let plan = self.plans.get(index, row, &mut self.stats);
        let mut scored = std::mem::take(&mut self.scored);
        scored.clear();
        let result = self.score_row(&plan, row, id, &mut scored);
        self.scored = scored;
        let (sections, changes) = result?;
        let score = settle(sections.iter().sum());
        let candidate = registered.as_ref().or(plan.paper.candidate.as_ref());
        let (name, team) = match &registered {
            Some(c) => (
                non_empty(&c.name, Some(row.name.as_str())),
                non_empty(&c.team, Some(row.team.as_str())),
            ),
            None => (
                non_empty(&row.name, candidate.map(|c| c.name.as_str())),
                non_empty(&row.team, candidate.map(|c| c.team.as_str())),
            ),
        };
        if self.manual.of(id).is_some() {
            self.corrected.insert(id.to_string());
        }
        let pending = !self.arbitrations.is_empty();
        let mut graded = Graded {
            line: row.line,
            name,
            team,
            id: id.to_string(),
            paper: plan.paper.code.clone(),
            score,
            max: plan.max,
            sections,
            pass: self.manifest.blueprint.scoring.pass.map(|p| score >= p),
            grade: None,
            rank: 0,
            duplicate: false,
            pending,
            appeals: changes,
        };
        if let Some(script) = self.script.filter(|s| s.has_total()) {
            let out = script
                .total(&self.candidate_info(&graded, &plan))
                .map_err(|source| GradeError::Script {
                    line: row.line,
                    source,
                })?;
            graded.score = settle(out.score);
            if out.pass.is_some() {
                graded.pass = out.pass;
            }
            graded.grade = out.grade;
        }
        if graded.pending {
            // Whether a pending candidate passes is known only once the third mark is in.
            graded.pass = None;
        }
        self.accept(&plan, &graded, index);
        self.last = Some(plan);
        Ok(Outcome::Graded(graded))
    }

    /// Counts an accepted row: tally, item statistics, ranks, teams.
    fn accept(&mut self, plan: &Rc<Plan<'a>>, graded: &Graded, index: usize) {
        let t = &mut self.tally;
        for s in &self.scored {
            match s.status {
                Status::Blank => t.blanks += 1,
                Status::Multi => t.multi_marks += 1,
                Status::Unreadable => t.unreadable += 1,
                Status::Invalid => t.invalid += 1,
                Status::Ok => {}
            }
        }
        for s in &self.scored {
            match s.how {
                How::Sheet => {}
                How::Manual => t.manual += 1,
                How::Double => t.double_marked += 1,
                How::Arbitration => t.arbitration += 1,
                How::Arbitrated => t.arbitrated += 1,
                How::Appeal => t.appeals += 1,
            }
        }
        t.pending += u64::from(graded.pending);
        if self
            .scored
            .iter()
            .all(|s| s.status == Status::Blank && s.how == How::Sheet)
        {
            t.blank_sheets += 1;
            self.blank_sheets.push((graded.line, graded.id.clone()));
        }
        t.graded += 1;
        self.stats.add(plan, &self.scored, graded.score);
        if !self.plans.is_cached(index) {
            self.stats.fold(plan);
        }
        self.seen.push(rank::id_hash(&graded.id));
        self.scores.push(graded.score);
        if !graded.team.is_empty() {
            self.teams.add(&graded.team, graded.score, graded.max);
        }
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
                    marks: cell::marks_text(leaf, s, row),
                    status: s.status,
                    how: s.how,
                    points: s.points,
                    max: leaf.item.points,
                })
        })
    }

    fn candidate_info(&self, g: &Graded, plan: &Plan) -> CandidateInfo {
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
            items: plan
                .leaves
                .iter()
                .zip(&self.scored)
                .map(|(l, s)| ItemOutcome {
                    id: l.item.question.clone(),
                    number: l.number,
                    points: s.points,
                    max: l.item.points,
                    status: s.how.name().unwrap_or(s.status.name()).to_string(),
                })
                .collect(),
        }
    }

    /// Ranks, duplicate flags and item statistics, once every row is read.
    pub fn finish(&mut self) -> (Ranking, Vec<ItemStats>) {
        for plan in self.plans.cached() {
            self.stats.fold(&plan);
        }
        let ranking = Ranking::new(
            std::mem::take(&mut self.scores),
            std::mem::take(&mut self.seen),
        );
        self.tally.duplicates = ranking.duplicate_rows();
        self.tally.absent = self
            .roster
            .as_ref()
            .map_or(0, |r| r.absent().count() as u64);
        (ranking, self.stats.finish())
    }

    /// Team standings: the script's `team` hook, else the mean of the members.
    pub fn teams(&self) -> Result<Vec<TeamStanding>, GradeError> {
        self.teams.standings(self.script)
    }
}

/// A score kept to a millionth of a point. The same credits added in another order (items are
/// shuffled between papers) differ in the last bits of a float: settled, they are one score, so
/// equal points rank alike and pass alike (six ⅙-point credits reach a pass mark of 1).
/// `-0` becomes `0`.
pub fn settle(score: f64) -> f64 {
    (score * 1e6).round() / 1e6 + 0.0
}

fn non_empty(a: &str, b: Option<&str>) -> String {
    if a.trim().is_empty() {
        b.unwrap_or("").to_string()
    } else {
        a.trim().to_string()
    }
}

//! What the report's files and templates show: figures formatted, in the exam's language.

use super::items::{ItemRow, Reliability};
use super::labels::Labels;
use super::summary::{Summary, Team};
use crate::bank::fmt_points;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The grading run's counts, as results.json records them.
#[derive(Debug, Deserialize, Default)]
pub struct Tally {
    #[serde(default)]
    pub read: u64,
    #[serde(default)]
    pub rejected: u64,
}

/// `v` with `digits` decimals; a tiny negative prints without its sign.
pub fn fixed(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// [`fixed`], or nothing.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| fixed(v, digits)).unwrap_or_default()
}

/// A share as a whole percentage.
pub fn pct(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 0))
}

/// One item row as CSV, HTML and the PDF show it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub question: String,
    pub location: String,
    pub kind: String,
    /// The kind in the report's language.
    pub kind_label: &'static str,
    pub n: u64,
    pub facility: String,
    pub sd: String,
    pub discrimination: String,
    pub efficiency: String,
    pub blank: String,
    pub multi: String,
    pub key: String,
    /// `A 10% · B* 70% · …` (the key starred).
    pub options: String,
    pub codes: Vec<&'static str>,
    pub reasons: Vec<String>,
}

impl ItemView {
    /// The view of an item row; `locations` maps question ids to `file:line`.
    pub fn of(r: &ItemRow, locations: &HashMap<String, String>, zh: bool) -> Self {
        let location = locations
            .get(&r.question)
            .or_else(|| {
                r.question
                    .rsplit_once('.')
                    .and_then(|(case, _)| locations.get(case))
            })
            .or_else(|| locations.get(""))
            .cloned()
            .unwrap_or_default();
        ItemView {
            question: r.question.clone(),
            location,
            kind: r.kind.clone(),
            kind_label: kind_label(&r.kind, zh),
            n: r.n,
            facility: fixed(r.facility, 3),
            sd: fixed(r.sd, 3),
            discrimination: opt(r.discrimination, 3),
            efficiency: opt(r.efficiency, 3),
            blank: fixed(r.blank, 3),
            multi: fixed(r.multi, 3),
            key: r.key.clone(),
            options: r
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{}{} {}",
                        o.option,
                        if o.key { "*" } else { "" },
                        pct(o.share)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
            codes: r.flags.iter().map(|f| f.kind.code()).collect(),
            reasons: r.flags.iter().map(|f| f.reason(zh)).collect(),
        }
    }
}

fn kind_label(kind: &str, zh: bool) -> &'static str {
    match (kind, zh) {
        ("single", true) => "单选",
        ("multiple", true) => "多选",
        ("judge", true) => "判断",
        ("fill", true) => "填空",
        ("short", true) => "简答",
        ("single", false) => "single",
        ("multiple", false) => "multiple",
        ("judge", false) => "true/false",
        ("fill", false) => "fill-in",
        ("short", false) => "short",
        _ => "",
    }
}

#[derive(Serialize)]
pub struct SummaryJson<'a> {
    pub exam: &'a str,
    pub read: u64,
    pub candidates: u64,
    pub rejected: u64,
    pub alpha: Option<f64>,
    pub sem: Option<f64>,
    pub items_per_candidate: f64,
    pub mean: f64,
    pub median: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub full: f64,
    pub pass_line: Option<f64>,
    pub passed: Option<u64>,
    pub pass_rate: Option<f64>,
    pub grades: &'a [(String, u64)],
    pub sections: &'a [super::summary::SectionStat],
    pub histogram: &'a [super::summary::Bin],
    pub items: &'a [ItemRow],
    pub teams: &'a [Team],
    pub banks: &'a [String],
}

/// What the report templates receive.
#[derive(Serialize)]
pub struct View<'a> {
    pub title: &'a str,
    pub lang: &'static str,
    pub fonts: String,
    pub labels: &'static Labels,
    /// (label, value) lines of the summary.
    pub facts: Vec<(String, String)>,
    pub grades: Vec<(String, String)>,
    pub sections: Vec<SectionView>,
    pub flagged: Vec<ItemView>,
    pub items: Vec<ItemView>,
    pub ranking: Vec<RankView>,
    pub ranked: usize,
    pub teams: Vec<TeamView>,
    pub bank_notes: Vec<String>,
    pub scores_svg: String,
    pub sections_svg: String,
}

#[derive(Serialize)]
pub struct SectionView {
    pub title: String,
    pub mean: String,
    pub max: String,
    pub facility: String,
}

#[derive(Serialize)]
pub struct RankView {
    pub rank: usize,
    pub candidate: String,
    pub name: String,
    pub team: String,
    pub score: String,
    pub result: String,
}

#[derive(Serialize)]
pub struct TeamView {
    pub rank: usize,
    pub team: String,
    pub score: String,
    pub members: u64,
}

/// The summary's (label, value) lines.
pub fn facts(
    s: &Summary,
    r: &Reliability,
    t: &Tally,
    pass_line: Option<f64>,
    l: &Labels,
) -> Vec<(String, String)> {
    let mut v = vec![
        (l.candidates.into(), s.candidates.to_string()),
        (l.rejected.into(), t.rejected.to_string()),
        (l.mean.into(), fixed(s.mean, 2)),
        (l.median.into(), fmt_points(s.median)),
        (l.sd.into(), fixed(s.sd, 2)),
        (
            l.range.into(),
            format!("{} – {}", fmt_points(s.min), fmt_points(s.max)),
        ),
        (l.full.into(), fmt_points(s.full)),
    ];
    if let (Some(p), Some(rate)) = (pass_line, s.pass_rate) {
        v.push((
            l.pass_rate.into(),
            format!(
                "{} ({} ≥ {})",
                pct(rate),
                s.passed.unwrap_or(0),
                fmt_points(p)
            ),
        ));
    } else if let Some(rate) = s.pass_rate {
        v.push((l.pass_rate.into(), pct(rate)));
    }
    v.push((l.alpha.into(), opt(r.alpha, 3)));
    v.push((l.sem.into(), opt(r.sem, 2)));
    v
}

/// A report's figures, computed: summary.json and the templates' view are made from them.
pub struct Figures<'a> {
    pub title: &'a str,
    pub zh: bool,
    pub summary: &'a Summary,
    pub reliability: &'a Reliability,
    pub tally: &'a Tally,
    pub pass_line: Option<f64>,
    pub rows: &'a [ItemRow],
    pub items: &'a [ItemView],
    pub teams: &'a [Team],
    pub bank_notes: &'a [String],
}

impl<'a> Figures<'a> {
    /// The labels in the exam's language.
    pub fn labels(&self) -> &'static Labels {
        super::labels::of(self.zh)
    }

    /// The histogram of total scores with the pass line, and the bar chart of section facility
    /// (SVG).
    pub fn charts(&self) -> [String; 2] {
        let labels = self.labels();
        let scores = super::chart::histogram(
            &self.summary.histogram,
            self.pass_line,
            &super::chart::HistogramLabels {
                x_axis: labels.score_axis.into(),
                y_axis: labels.count.into(),
                pass: labels.pass_line.into(),
            },
        );
        [scores, super::chart::sections(&self.summary.sections)]
    }

    /// summary.json.
    pub fn summary_json(&self) -> SummaryJson<'a> {
        let (s, r) = (self.summary, self.reliability);
        SummaryJson {
            exam: self.title,
            candidates: s.candidates,
            rejected: self.tally.rejected,
            read: self.tally.read,
            alpha: r.alpha,
            sem: r.sem,
            items_per_candidate: r.items,
            mean: s.mean,
            median: s.median,
            sd: s.sd,
            min: s.min,
            max: s.max,
            full: s.full,
            pass_line: self.pass_line,
            passed: s.passed,
            pass_rate: s.pass_rate,
            grades: &s.grades,
            sections: &s.sections,
            histogram: &s.histogram,
            items: self.rows,
            teams: self.teams,
            banks: self.bank_notes,
        }
    }

    /// What the report templates receive: `ranking` holds the first rows of `ranked`.
    pub fn view(
        &self,
        fonts: String,
        ranking: Vec<RankView>,
        ranked: usize,
        svgs: [String; 2],
    ) -> View<'a> {
        let labels = self.labels();
        let s = self.summary;
        let [scores_svg, sections_svg] = svgs;
        View {
            title: self.title,
            lang: if self.zh { "zh" } else { "en" },
            fonts,
            labels,
            facts: facts(s, self.reliability, self.tally, self.pass_line, labels),
            grades: s
                .grades
                .iter()
                .map(|(g, c)| (g.clone(), c.to_string()))
                .collect(),
            sections: s
                .sections
                .iter()
                .map(|s| SectionView {
                    title: s.title.clone(),
                    mean: fixed(s.mean, 2),
                    max: fmt_points(s.max),
                    facility: pct(s.facility),
                })
                .collect(),
            flagged: self
                .items
                .iter()
                .filter(|i| !i.reasons.is_empty())
                .cloned()
                .collect(),
            items: self.items.to_vec(),
            ranking,
            ranked,
            teams: self
                .teams
                .iter()
                .map(|t| TeamView {
                    rank: t.rank,
                    team: t.team.clone(),
                    score: fixed(t.score, 2),
                    members: t.members,
                })
                .collect(),
            bank_notes: self.bank_notes.to_vec(),
            scores_svg,
            sections_svg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_negatives_print_without_a_sign() {
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-0.25, 2), "-0.25");
        assert_eq!(pct(0.125), "12%");
    }
}

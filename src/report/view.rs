//! What the report's files and templates show: figures formatted, in the exam's language.

use super::exam::{excerpt, Printed};
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

/// One item row as CSV, HTML and the PDF show it: by the number printed on the paper, with
/// options and key as printed (letters of the reference paper, √/× for judge items).
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// The bank's question id.
    pub question: String,
    /// The printed number (with paper codes where the papers differ).
    pub number: String,
    /// The number in a sentence: `第 7 题`, `A卷第 5 题、B卷第 2 题`.
    pub number_words: String,
    /// The stem's first words.
    pub stem: String,
    pub location: String,
    pub kind: String,
    /// The kind in the report's language.
    pub kind_label: &'static str,
    pub n: u64,
    /// Fractions for the CSV.
    pub facility: String,
    pub sd: String,
    pub discrimination: String,
    pub efficiency: String,
    pub blank: String,
    pub multi: String,
    /// Percentages (and discrimination to two decimals, as the flags compare it) for the pages.
    pub facility_pct: String,
    pub sd_pct: String,
    pub discrimination_shown: String,
    pub efficiency_pct: String,
    pub blank_pct: String,
    pub multi_pct: String,
    /// The key as printed.
    pub key: String,
    /// `A 10% · B* 70% · …` (printed letters, the key starred).
    pub options: String,
    /// One line per option as printed: letter (starred if keyed), the option's first words, share.
    pub choices: Vec<String>,
    pub codes: Vec<&'static str>,
    pub reasons: Vec<String>,
}

/// How many characters of a stem, and of an option, the report prints, in Chinese and in
/// English (a Chinese character says about as much as a word's two or three letters).
const STEM_CHARS: [usize; 2] = [36, 90];
const OPTION_CHARS: [usize; 2] = [18, 40];

impl ItemView {
    /// The view of an item row; `locations` maps question ids to `file:line`, `printed` is how
    /// the papers print the question, of `papers` papers in all; option letters are those of
    /// paper `reference` (the first), or named with their paper when it lacks the question.
    pub fn of(
        r: &ItemRow,
        locations: &HashMap<String, String>,
        printed: Option<&Printed>,
        papers: usize,
        reference: &str,
        zh: bool,
    ) -> Self {
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
        let shown = |c: char| printed.map_or(c.to_string(), |p| p.letter(c));
        let mut options: Vec<&super::items::OptionRow> = r.options.iter().collect();
        if let Some(p) = printed {
            options.sort_by_key(|o| p.position(o.option));
        }
        let star = |key: bool| if key { "*" } else { "" };
        let mut compact = options
            .iter()
            .map(|o| format!("{}{} {}", shown(o.option), star(o.key), pct(o.share)))
            .collect::<Vec<_>>()
            .join(" · ");
        if let Some(p) = printed.filter(|p| p.paper() != reference && !compact.is_empty()) {
            compact = if zh {
                format!("（{}卷字母）{compact}", p.paper())
            } else {
                format!("(letters of paper {}) {compact}", p.paper())
            };
        }
        let choices = options
            .iter()
            .map(|o| {
                let text = printed
                    .and_then(|p| p.option_text(o.option))
                    .map(|t| format!(" {}", excerpt(t, OPTION_CHARS[usize::from(!zh)])))
                    .unwrap_or_default();
                format!("{}{}{text}  {}", shown(o.option), star(o.key), pct(o.share))
            })
            .collect();
        ItemView {
            question: r.question.clone(),
            number: printed.map_or_else(String::new, |p| number_label(p, papers, zh)),
            number_words: printed
                .map_or_else(|| r.question.clone(), |p| number_words(p, papers, zh)),
            stem: printed.map_or_else(String::new, |p| {
                excerpt(&p.stem, STEM_CHARS[usize::from(!zh)])
            }),
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
            facility_pct: pct(r.facility),
            sd_pct: pct(r.sd),
            discrimination_shown: opt(r.discrimination, 2),
            efficiency_pct: r.efficiency.map(pct).unwrap_or_default(),
            blank_pct: pct(r.blank),
            multi_pct: pct(r.multi),
            key: printed.map_or_else(|| r.key.clone(), |p| p.key.clone()),
            options: compact,
            choices,
            codes: r.flags.iter().map(|f| f.kind.code()).collect(),
            reasons: r.flags.iter().map(|f| f.reason(zh, &shown)).collect(),
        }
    }
}

/// The number in a sentence: `第 7 题` / `question 7`, `A卷第 5 题、B卷第 2 题` / `question 5 on
/// paper A, 2 on paper B`, or `第 2–58 题（各卷不同）`.
pub fn number_words(p: &Printed, papers: usize, zh: bool) -> String {
    let label = number_label(p, papers, zh);
    if label.parse::<u32>().is_ok() || p.numbers.len() > 4 {
        return if zh {
            format!("第 {label} 题")
        } else {
            format!("question {label}")
        };
    }
    let one = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_else(|| "?".into());
    let each: Vec<String> = p
        .numbers
        .iter()
        .map(|(c, n)| {
            if zh {
                format!("{c}卷第 {} 题", one(*n))
            } else {
                format!("{} on paper {c}", one(*n))
            }
        })
        .collect();
    if zh {
        each.join("、")
    } else {
        format!("question {}", each.join(", "))
    }
}

/// The number a question is printed at: `7` when every paper prints it there, else each paper's
/// number (`A卷 7 · B卷 12`), or their range when there are too many papers to list.
pub fn number_label(p: &Printed, papers: usize, zh: bool) -> String {
    let nums = &p.numbers;
    let first = nums.first().and_then(|(_, n)| *n);
    let one = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_else(|| "?".into());
    if nums.len() == papers && nums.iter().all(|(_, n)| *n == first) {
        return one(first);
    }
    if nums.len() <= 4 {
        return nums
            .iter()
            .map(|(c, n)| {
                if zh {
                    format!("{c}卷 {}", one(*n))
                } else {
                    format!("{c}: {}", one(*n))
                }
            })
            .collect::<Vec<_>>()
            .join(" · ");
    }
    let lo = nums.iter().filter_map(|(_, n)| *n).min();
    let hi = nums.iter().filter_map(|(_, n)| *n).max();
    let (lo, hi) = (one(lo), one(hi));
    if zh {
        format!("{lo}–{hi}（各卷不同）")
    } else {
        format!("{lo}–{hi} (varies by paper)")
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
    pub failed: Option<u64>,
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
    /// `共 65 人，列出前 50 名；…`: the line under the ranking's heading.
    pub ranking_note: String,
    /// Every candidate who did not pass, in rank order.
    pub failing: Vec<RankView>,
    /// `15 人未达到合格线 60 分：`, or empty when nobody failed.
    pub failing_note: String,
    /// The plain-words opening: who passed, weak sections, questions to look at.
    pub overview: Vec<String>,
    pub teams: Vec<TeamView>,
    pub bank_notes: Vec<String>,
    /// `（字母按 A 卷）` when papers print some question's options in other orders.
    pub letters_note: String,
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

#[derive(Clone, Serialize)]
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
    if let Some(rate) = s.pass_rate {
        v.push((l.pass_rate.into(), pct(rate)));
    }
    if let Some(words) = passed_in_words(s.passed, s.failed, pass_line, l.zh) {
        v.push((l.passed_label.into(), words));
    }
    v.push((l.alpha.into(), opt(r.alpha, 3)));
    v.push((l.sem.into(), opt(r.sem, 2)));
    v
}

/// `50 人合格（60 分及以上），15 人不合格`: who passed, in words, against the pass line.
pub fn passed_in_words(
    passed: Option<u64>,
    failed: Option<u64>,
    pass_line: Option<f64>,
    zh: bool,
) -> Option<String> {
    let (p, f) = (passed?, failed.unwrap_or(0));
    Some(match (pass_line, zh) {
        (Some(line), true) => format!("{p} 人合格（{} 分及以上），{f} 人不合格", fmt_points(line)),
        (None, true) => format!("{p} 人合格，{f} 人不合格"),
        (Some(line), false) => format!("{p} passed ({} or more), {f} failed", fmt_points(line)),
        (None, false) => format!("{p} passed, {f} failed"),
    })
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
    /// The paper whose option letters the report uses, when papers print options in other orders.
    pub letters_of: Option<&'a str>,
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
            failed: s.failed,
            pass_rate: s.pass_rate,
            grades: &s.grades,
            sections: &s.sections,
            histogram: &s.histogram,
            items: self.rows,
            teams: self.teams,
            banks: self.bank_notes,
        }
    }

    /// What the report templates receive: `ranking` holds the first rows of `ranked`, `failing`
    /// every candidate who did not pass.
    pub fn view(
        &self,
        fonts: String,
        ranking: Vec<RankView>,
        ranked: usize,
        failing: Vec<RankView>,
        svgs: [String; 2],
    ) -> View<'a> {
        let labels = self.labels();
        let s = self.summary;
        let ranking_note = ranking_note(labels, ranked, ranking.len());
        let failing_note = failing_note(failing.len(), self.pass_line, self.zh);
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
            ranking_note,
            failing,
            failing_note,
            overview: super::overview::overview(s, self.pass_line, self.items, self.zh),
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
            letters_note: match (self.letters_of, self.zh) {
                (None, _) => String::new(),
                (Some(code), true) => format!("（字母按 {code} 卷）"),
                (Some(code), false) => format!(" (letters as on paper {code})"),
            },
            scores_svg,
            sections_svg,
        }
    }
}

/// The line under the ranking's heading: how many there are and how many are listed.
pub fn ranking_note(l: &Labels, ranked: usize, shown: usize) -> String {
    l.shown_of
        .replace("{n}", &ranked.to_string())
        .replace("{top}", &shown.to_string())
}

/// The line above the failing list.
pub fn failing_note(failed: usize, pass_line: Option<f64>, zh: bool) -> String {
    match (failed, pass_line, zh) {
        (0, _, _) => String::new(),
        (n, Some(p), true) => format!("{n} 人未达到合格线（{} 分）：", fmt_points(p)),
        (n, None, true) => format!("{n} 人不合格："),
        (n, Some(p), false) => format!("{n} did not reach the pass line of {}:", fmt_points(p)),
        (n, None, false) => format!("{n} did not pass:"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranking_caption_is_plain_text() {
        assert_eq!(
            ranking_note(&super::super::labels::ZH, 65, 50),
            "共 65 人，列出前 50 名；全部名次见 ranking.csv。"
        );
        assert_eq!(
            ranking_note(&super::super::labels::EN, 9, 9),
            "9 candidates; the first 9 are listed, ranking.csv lists everyone."
        );
    }

    #[test]
    fn pass_and_fail_in_words() {
        assert_eq!(
            passed_in_words(Some(50), Some(15), Some(60.0), true).unwrap(),
            "50 人合格（60 分及以上），15 人不合格"
        );
        assert_eq!(
            passed_in_words(Some(3), Some(1), Some(59.5), false).unwrap(),
            "3 passed (59.5 or more), 1 failed"
        );
        assert_eq!(passed_in_words(None, None, Some(60.0), true), None);
        assert_eq!(
            failing_note(15, Some(60.0), true),
            "15 人未达到合格线（60 分）："
        );
        assert_eq!(failing_note(0, Some(60.0), true), "");
    }

    #[test]
    fn tiny_negatives_print_without_a_sign() {
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-0.25, 2), "-0.25");
        assert_eq!(pct(0.125), "12%");
    }
}

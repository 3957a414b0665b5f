//! Exam blueprints: what a paper holds (sections, selectors, quotas, points) and how it is drawn and scored.

use crate::bank::{Kind, Language};
use crate::input::diagnostic::{Diagnostic, Diagnostics};
use crate::input::toml::TomlDoc;
use serde::{Deserialize, Serialize};

/// A parsed blueprint file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    pub exam: ExamSpec,
    #[serde(default)]
    pub draw: DrawSpec,
    #[serde(default)]
    pub scoring: ScoringSpec,
    #[serde(rename = "section")]
    pub sections: Vec<SectionSpec>,
}

/// `[exam]`: what is printed at the top of the paper, and where the questions come from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExamSpec {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subtitle: String,
    /// Minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    #[serde(default)]
    pub instructions: Vec<String>,
    /// Bank files or globs, relative to the blueprint.
    pub banks: Vec<String>,
    /// The total the sections must add up to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// Print 绝密★启用前 / CONFIDENTIAL.
    #[serde(default)]
    pub confidential: bool,
    /// Labels' language; default: the banks'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// The day the exam is sat: questions citing an instrument not in force that day are
    /// handled by `outdated` (the statute registry `laws.toml` beside the banks says which).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<crate::law::Date>,
    /// What a dated draw does with out-of-date questions; default `exclude`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outdated: Option<Outdated>,
}

/// What a dated draw does with questions citing an instrument not in force on `[exam] date`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Outdated {
    /// Leave them out of the draw.
    #[default]
    Exclude,
    /// Draw them, warning for each one drawn.
    Warn,
    /// Refuse to draw while a section could draw one.
    Fail,
}

impl Outdated {
    /// The name as written in a blueprint.
    pub fn name(self) -> &'static str {
        match self {
            Outdated::Exclude => "exclude",
            Outdated::Warn => "warn",
            Outdated::Fail => "fail",
        }
    }
}

/// How papers differ from each other.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The same questions on every paper, in another order.
    #[default]
    Shuffle,
    /// Each paper draws anew, overlapping as little as the bank allows.
    Redraw,
}

/// What to do when the banks run short because of `avoid`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnShort {
    #[default]
    Fail,
    /// Warn and reuse avoided questions.
    Reuse,
}

/// `[draw]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DrawSpec {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default = "one")]
    pub variants: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default = "yes")]
    pub shuffle_questions: bool,
    #[serde(default = "yes")]
    pub shuffle_options: bool,
    /// Earlier exam.json files whose questions are not drawn again.
    #[serde(default)]
    pub avoid: Vec<String>,
    #[serde(default)]
    pub on_short: OnShort,
}

impl Default for DrawSpec {
    fn default() -> Self {
        DrawSpec {
            mode: Mode::Shuffle,
            variants: 1,
            seed: None,
            shuffle_questions: true,
            shuffle_options: true,
            avoid: Vec::new(),
            on_short: OnShort::Fail,
        }
    }
}

fn one() -> usize {
    1
}
fn yes() -> bool {
    true
}

/// `[scoring]`: exam-wide scoring settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ScoringSpec {
    /// A rhai rule script (relative to the blueprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// The pass line in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<f64>,
}

/// Built-in scoring rules (DESIGN.md §4).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Full points for exactly the key, else nothing.
    AllOrNothing,
    /// Multi-select: all right = full, a right subset = half, any wrong mark = 0 (少选得一半, 错选不得分).
    PartialHalf,
    /// Each right mark earns its share; any wrong mark = 0. For fill-in: each right blank earns its share.
    PerOption,
    /// Moodle style: right options +1/k each, wrong −1/(n−k) each, clamped to [0, 1].
    Fraction,
    /// A wrong answer costs `penalty` × points; blank costs nothing.
    Negative,
    /// Points come from the sheet's column or `--manual` (short answers).
    Manual,
}

impl Rule {
    /// The rule's name as written in a blueprint.
    pub fn name(self) -> &'static str {
        match self {
            Rule::AllOrNothing => "all-or-nothing",
            Rule::PartialHalf => "partial-half",
            Rule::PerOption => "per-option",
            Rule::Fraction => "fraction",
            Rule::Negative => "negative",
            Rule::Manual => "manual",
        }
    }

    /// The default rule for a kind.
    pub fn default_for(kind: Kind) -> Rule {
        match kind {
            Kind::Short => Rule::Manual,
            _ => Rule::AllOrNothing,
        }
    }
}

/// A difficulty target for a section, met as closely as the bank allows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum DifficultyTarget {
    /// A mean difficulty, e.g. 2.5.
    Mean(f64),
    /// Shares of easy (1–2), medium (3) and hard (4–5), e.g. [30, 50, 20].
    Mix([f64; 3]),
}

/// `[[section]]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Heading; default: the kind's name (单项选择题 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub kind: Kind,
    pub count: usize,
    /// Points per item (per case for case sections; its parts share them).
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    /// For `negative`: the share of the item's points a wrong answer costs (default 0.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_any: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_all: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_none: Vec<String>,
    /// Inclusive range, e.g. [2, 4].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<[u8; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<DifficultyTarget>,
    #[serde(default, rename = "quota", skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<Quota>,
}

/// `[[section.quota]]`: so many of the section's items carry `tag`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub tag: String,
    pub count: usize,
}

impl SectionSpec {
    /// The rule used to score this section.
    pub fn rule(&self) -> Rule {
        self.rule.unwrap_or(Rule::default_for(self.kind))
    }

    /// Points this section is worth.
    pub fn total(&self) -> f64 {
        self.count as f64 * self.points
    }
}

impl Blueprint {
    /// Parses and checks a blueprint; `file` names it in errors. Every problem is reported at
    /// its `file:line:col`, not just the first.
    pub fn parse(file: &str, text: &str) -> Result<Blueprint, Diagnostics> {
        let doc = TomlDoc::parse(file, text)?;
        let bp: Blueprint = doc.deserialize()?;
        let errors = bp.validate(&doc);
        if errors.is_empty() {
            Ok(bp)
        } else {
            Err(Diagnostics::new(file, errors))
        }
    }

    /// Every rule a parsed blueprint breaks, each at the key that breaks it.
    fn validate(&self, doc: &TomlDoc) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut bad = |path: &str, message: String, hint: &str| {
            errors.push(doc.error(path, message, hint));
        };
        if self.sections.is_empty() {
            bad(
                "section",
                "the blueprint has no `[[section]]`".into(),
                "add sections with kind, count and points",
            );
        }
        if self.exam.banks.is_empty() {
            bad(
                "exam.banks",
                "`[exam] banks` is empty".into(),
                "list bank files or globs, e.g. banks = [\"*.toml\"]",
            );
        }
        if self.draw.variants == 0 || self.draw.variants > 26 * 27 {
            bad(
                "draw.variants",
                format!("`variants = {}` is out of range", self.draw.variants),
                "use 1 to 702 paper codes",
            );
        }
        for (i, s) in self.sections.iter().enumerate() {
            let name = format!("section {} ({})", i + 1, s.kind);
            let at = |key: &str| format!("section[{i}].{key}");
            if s.count == 0 {
                bad(
                    &at("count"),
                    format!("{name} has `count = 0`"),
                    "every section draws at least one item",
                );
            }
            if s.points.is_nan() || s.points <= 0.0 {
                bad(
                    &at("points"),
                    format!("{name} has `points = {}`", s.points),
                    "points per item must be positive",
                );
            }
            if let Some(p) = s.penalty {
                if !(p.is_finite() && p >= 0.0) {
                    bad(
                        &at("penalty"),
                        format!("{name} has `penalty = {p}`"),
                        "the penalty is a share of the item's points, e.g. 0.25",
                    );
                }
            }
            if let Some([lo, hi]) = s.difficulty {
                if !(1..=5).contains(&lo) || !(1..=5).contains(&hi) || lo > hi {
                    bad(
                        &at("difficulty"),
                        format!("{name}: difficulty range [{lo}, {hi}] is not within 1–5"),
                        "write e.g. difficulty = [2, 4]",
                    );
                }
            }
            match &s.target {
                Some(DifficultyTarget::Mean(m)) if !(1.0..=5.0).contains(m) => {
                    bad(
                        &at("target"),
                        format!("{name}: target mean {m} is outside 1–5"),
                        "e.g. target = 2.5",
                    );
                }
                Some(DifficultyTarget::Mix(mix))
                    if mix.iter().any(|x| *x < 0.0) || mix.iter().sum::<f64>() <= 0.0 =>
                {
                    bad(
                        &at("target"),
                        format!("{name}: target mix {mix:?} needs non-negative shares"),
                        "e.g. target = [30, 50, 20] for easy/medium/hard",
                    );
                }
                _ => {}
            }
            let rule = s.rule();
            let fits = match rule {
                Rule::Manual => true,
                Rule::PartialHalf | Rule::Fraction => {
                    s.kind == Kind::Multiple || s.kind == Kind::Case
                }
                Rule::PerOption => matches!(s.kind, Kind::Multiple | Kind::Fill | Kind::Case),
                _ => s.kind != Kind::Short,
            };
            if !fits {
                let key = if s.rule.is_some() { "rule" } else { "kind" };
                bad(&at(key), format!("{name}: rule `{}` does not apply to {} items", rule.name(), s.kind), "partial-half and fraction are for multiple; per-option for multiple and fill; short answers are manual");
            }
            let quota_sum: usize = s.quotas.iter().map(|q| q.count).sum();
            if quota_sum > s.count {
                bad(
                    &at("quota[0]"),
                    format!(
                        "{name}: its quotas ask for {quota_sum} items but the section has {}",
                        s.count
                    ),
                    "lower the quota counts or raise `count`",
                );
            }
            for (j, q) in s.quotas.iter().enumerate() {
                if q.tag.trim().is_empty() {
                    bad(
                        &at(&format!("quota[{j}].tag")),
                        format!("{name}: quota {} has an empty tag", j + 1),
                        "name the tag the quota counts, e.g. tag = \"危险废物\"",
                    );
                }
            }
        }
        if let Some(total) = self.exam.total {
            let sum: f64 = self.sections.iter().map(SectionSpec::total).sum();
            if (sum - total).abs() > 1e-6 {
                let parts: Vec<String> = self
                    .sections
                    .iter()
                    .map(|s| format!("{}×{}", s.count, crate::bank::fmt_points(s.points)))
                    .collect();
                bad(
                    "exam.total",
                    format!(
                        "the sections add up to {} points ({}) but `[exam] total` is {}",
                        crate::bank::fmt_points(sum),
                        parts.join(" + "),
                        crate::bank::fmt_points(total)
                    ),
                    "change a section's count or points, or the total",
                );
            }
        }
        errors
    }
}

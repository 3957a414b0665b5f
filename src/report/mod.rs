//! The exam report: score summary, rankings, item analysis with flags, charts' data.
//! Pure: the command feeds it rows and writes what it returns.

pub mod chart;
pub mod correlation;
pub mod exam;
pub mod items;
pub mod labels;
pub mod overview;
pub mod summary;
pub mod tables;
pub mod view;

use serde::Serialize;

/// Top and bottom groups for distractor analysis: the best and the weakest third by item-sum
/// total (candidates tied at a boundary all belong to the group).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    /// Totals at or above this are in the top group.
    pub top_from: f64,
    /// Totals at or below this are in the bottom group.
    pub bottom_to: f64,
}

impl Group {
    /// The thirds of `totals` (sorted in place).
    pub fn thirds(totals: &mut [f64]) -> Group {
        if totals.is_empty() {
            return Group {
                top_from: f64::INFINITY,
                bottom_to: f64::NEG_INFINITY,
            };
        }
        totals.sort_by(f64::total_cmp);
        let third = totals.len().div_ceil(3);
        Group {
            bottom_to: totals[third - 1],
            top_from: totals[totals.len() - third],
        }
    }
}

/// Why a question is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    NegativeDiscrimination,
    LowDiscrimination,
    TooEasy,
    TooHard,
    /// A wrong option draws more of the top group than the key.
    StrongDistractor,
    /// The top group prefers another option and the weakest prefer the key: the key may be wrong.
    KeySuspect,
}

impl FlagKind {
    /// The flag's name in CSV and JSON.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::NegativeDiscrimination => "negative-discrimination",
            FlagKind::LowDiscrimination => "low-discrimination",
            FlagKind::TooEasy => "too-easy",
            FlagKind::TooHard => "too-hard",
            FlagKind::StrongDistractor => "strong-distractor",
            FlagKind::KeySuspect => "key-suspect",
        }
    }
}

/// A flag with the figure behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// The statistic that tripped it (discrimination, facility, or the top group's share).
    pub value: f64,
    /// The option concerned, for distractor flags.
    pub option: Option<char>,
}

impl Flag {
    fn new(kind: FlagKind, value: f64, option: Option<char>) -> Self {
        Flag {
            kind,
            value,
            option,
        }
    }

    /// The reason in words, in Chinese or English; `shown` gives an option's letter as the
    /// paper prints it. Every figure is the one printed beside it (see [`rounded`]), so the
    /// comparison in words holds for the figure the reader sees.
    pub fn reason(&self, zh: bool, shown: &dyn Fn(char) -> String) -> String {
        let v = self.value;
        let o = self.option.map(shown).unwrap_or_else(|| "?".into());
        let d = view::fixed(v, 2);
        let pct = view::pct(v);
        let low = view::fixed(items::LOW_DISCRIMINATION, 2);
        let (easy, hard) = (view::pct(items::EASY), view::pct(items::HARD));
        match (self.kind, zh) {
            (FlagKind::NegativeDiscrimination, false) => {
                format!("discrimination {d} is negative: weaker candidates score better")
            }
            (FlagKind::NegativeDiscrimination, true) => {
                format!("区分度 {d}，为负：低分者反而得分更高")
            }
            (FlagKind::LowDiscrimination, false) => {
                format!("low discrimination: {d}, below {low}")
            }
            (FlagKind::LowDiscrimination, true) => format!("区分度低：{d}，低于 {low}"),
            (FlagKind::TooEasy, false) => format!("too easy: facility {pct}, above {easy}"),
            (FlagKind::TooEasy, true) => format!("过易：难度系数 {pct}，高于 {easy}"),
            (FlagKind::TooHard, false) => format!("too hard: facility {pct}, below {hard}"),
            (FlagKind::TooHard, true) => format!("过难：难度系数 {pct}，低于 {hard}"),
            (FlagKind::StrongDistractor, false) => {
                format!("distractor {o} draws {pct} of the top third, more than the key")
            }
            (FlagKind::StrongDistractor, true) => {
                format!("干扰项 {o} 吸引高分组 {pct}，多于正确答案")
            }
            (FlagKind::KeySuspect, false) => format!(
                "key looks wrong: the top third prefers {o} ({pct}), the bottom third picks the key"
            ),
            (FlagKind::KeySuspect, true) => {
                format!("答案可能有误：高分组多选 {o}（{pct}），低分组反而多选标准答案")
            }
        }
    }
}

/// `v` rounded to `digits` decimals, as the report prints it: flags compare this, so that a
/// printed −0.00 is never called negative nor a printed 0.20 called below 0.20.
pub fn rounded(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    let r = (v * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

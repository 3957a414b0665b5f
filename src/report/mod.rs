//! The exam report: score summary, rankings, item analysis with flags, charts' data.
//! Pure: the command feeds it rows and writes what it returns.

pub mod chart;
pub mod correlation;
pub mod exam;
pub mod items;
pub mod labels;
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

    /// The reason in words, in Chinese or English.
    pub fn reason(&self, zh: bool) -> String {
        let v = self.value;
        let o = self.option.unwrap_or('?');
        let pct = v * 100.0;
        match (self.kind, zh) {
            (FlagKind::NegativeDiscrimination, false) => {
                format!("negative discrimination {v:.2}: weaker candidates score better")
            }
            (FlagKind::NegativeDiscrimination, true) => {
                format!("区分度为负（{v:.2}）：低分者反而答对更多")
            }
            (FlagKind::LowDiscrimination, false) => {
                format!("low discrimination {v:.2} < 0.20")
            }
            (FlagKind::LowDiscrimination, true) => format!("区分度低（{v:.2} < 0.20）"),
            (FlagKind::TooEasy, false) => format!("too easy: facility {v:.2} > 0.95"),
            (FlagKind::TooEasy, true) => format!("过易：难度系数 {v:.2} > 0.95"),
            (FlagKind::TooHard, false) => format!("too hard: facility {v:.2} < 0.20"),
            (FlagKind::TooHard, true) => format!("过难：难度系数 {v:.2} < 0.20"),
            (FlagKind::StrongDistractor, false) => {
                format!("distractor {o} draws {pct:.0}% of the top third, more than the key")
            }
            (FlagKind::StrongDistractor, true) => {
                format!("干扰项 {o} 吸引高分组 {pct:.0}%，多于正确答案")
            }
            (FlagKind::KeySuspect, false) => format!(
                "key looks wrong: the top third prefers {o} ({pct:.0}%), the bottom third picks the key"
            ),
            (FlagKind::KeySuspect, true) => {
                format!("答案可能有误：高分组多选 {o}（{pct:.0}%），低分组反而多选标准答案")
            }
        }
    }
}

//! Question banks: the model, TOML loading with locations, validation and statistics.

pub mod export;
pub mod import;
mod load;
mod stats;

pub use load::{load_bank, BankSource};
pub use stats::{fmt_points, near_duplicates, Summary};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds of question a bank can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Single,
    Multiple,
    Judge,
    Fill,
    Short,
    Case,
}

impl Kind {
    /// Every kind, in printing order.
    pub const ALL: [Kind; 6] = [
        Kind::Single,
        Kind::Multiple,
        Kind::Judge,
        Kind::Fill,
        Kind::Short,
        Kind::Case,
    ];

    /// The kind's name as written in TOML.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Judge => "judge",
            Kind::Fill => "fill",
            Kind::Short => "short",
            Kind::Case => "case",
        }
    }

    /// The kind's name in Chinese, as messages about a Chinese bank say it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Kind::Single => "单选题",
            Kind::Multiple => "多选题",
            Kind::Judge => "判断题",
            Kind::Fill => "填空题",
            Kind::Short => "简答题",
            Kind::Case => "案例分析题",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Whether answers are option letters.
    pub fn is_choice(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The language a bank is written in; it picks the labels printed on papers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Zh,
    En,
}

/// How question text is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TextFormat {
    /// Printed literally, whatever characters it holds.
    #[default]
    Plain,
    /// Passed to Typst as markup (math, emphasis); the author vouches for it.
    Typst,
}

/// The right answer of a question, in the bank's own option order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// Indices (0 = A) of the right options, ascending.
    Choice(Vec<usize>),
    /// A true/false statement's truth.
    Judge(bool),
    /// For each blank, the accepted alternatives.
    Fill(Vec<Vec<String>>),
    /// A reference answer and its rubric (scoring points).
    Text {
        reference: String,
        rubric: Vec<String>,
    },
    /// A case's answers live in its parts.
    Parts,
}

impl Answer {
    /// Choice indices as letters, e.g. `[0, 2]` → "AC".
    pub fn letters(indices: &[usize]) -> String {
        indices.iter().map(|&i| letter(i)).collect()
    }
}

/// The letter of option `i` (0 = A).
pub fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

/// One question (or one part of a case).
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub kind: Kind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Answer,
    pub tags: Vec<String>,
    pub difficulty: u8,
    pub points: f64,
    pub explanation: String,
    pub source: String,
    pub shuffle: bool,
    pub format: TextFormat,
    pub scenario: Option<String>,
    pub parts: Vec<Question>,
    /// Where the question starts.
    pub location: crate::input::diagnostic::Location,
}

impl Question {
    /// Points of the whole question: its own, or its parts' sum for a case.
    pub fn total_points(&self) -> f64 {
        if self.kind == Kind::Case {
            self.parts.iter().map(|p| p.points).sum()
        } else {
            self.points
        }
    }

    /// Whether the question carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// A loaded bank file.
#[derive(Debug, Clone)]
pub struct Bank {
    pub id: String,
    pub title: String,
    pub language: Language,
    /// The file it came from, as given.
    pub path: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    pub questions: Vec<Question>,
}

/// The number of blanks (runs of three or more underscores) in a fill-in stem.
pub fn count_blanks(stem: &str) -> usize {
    blank_runs(stem).len()
}

/// Byte ranges of the blanks (runs of ≥3 `_`) in `stem`.
pub fn blank_runs(stem: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = stem.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && bytes[i] == b'_' {
                i += 1;
            }
            if i - start >= 3 {
                runs.push(start..i);
            }
        } else {
            i += 1;
        }
    }
    runs
}

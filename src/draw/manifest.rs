//! `exam.json`: the self-contained record of a draw. Grading reads only this file.

use crate::bank::{letter, Answer, Kind, Language, TextFormat};
use crate::blueprint::{Blueprint, Rule};
use serde::{Deserialize, Serialize};

/// The manifest's format version; bump it whenever a draw with the same seed could change.
pub const FORMAT_VERSION: u32 = 1;

/// Everything drawn, as printed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub tool: String,
    pub seed: u64,
    pub language: Language,
    pub blueprint: Blueprint,
    pub banks: Vec<BankDigest>,
    /// The blueprint's rule script, carried along so that grading needs nothing but this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesSource>,
    /// The exam date and the statute registry the draw was checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law: Option<LawRecord>,
    pub papers: Vec<Paper>,
}

/// What a dated draw was checked against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LawRecord {
    /// The day the exam is sat (`[exam] date`).
    pub date: String,
    /// The registry as found, e.g. `laws.toml`.
    pub registry: String,
    /// SHA-256 of the registry's bytes.
    pub registry_sha256: String,
    /// `exclude`, `warn` or `fail`.
    pub outdated: String,
    /// How many questions of the banks cite an instrument not in force on the date.
    pub outdated_questions: usize,
}

/// A rule script's text and the path the blueprint named it by.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RulesSource {
    pub path: String,
    pub source: String,
}

/// A bank the draw read, identified by its content.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BankDigest {
    pub id: String,
    pub path: String,
    pub sha256: String,
    pub questions: usize,
}

/// A candidate named on a per-candidate paper.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub team: String,
}

/// One paper code: A, B, … or a candidate's id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Paper {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Candidate>,
    pub sections: Vec<Section>,
}

/// A section as printed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    pub title: String,
    pub kind: Kind,
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<f64>,
    /// Points per item (per case for case sections).
    pub points: f64,
    pub items: Vec<Item>,
}

/// One printed question; a case holds its parts as items.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    /// The printed number; a case has none, its parts do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// The bank's question id (`case.1` for a case's first part).
    pub question: String,
    pub kind: Kind,
    pub stem: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `order[i]` is the bank index of the option printed at position `i`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<usize>,
    /// The answer in printed terms (letters refer to printed positions).
    pub answer: Answer,
    pub points: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explanation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub difficulty: u8,
    #[serde(default, skip_serializing_if = "is_plain")]
    pub format: TextFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Item>,
}

fn is_plain(f: &TextFormat) -> bool {
    *f == TextFormat::Plain
}

impl Item {
    /// The answer as a key prints it: letters, T/F, blanks `a;b | c`, or the reference text.
    pub fn key_text(&self) -> String {
        key_text(&self.answer)
    }

    /// The scoreable items: itself, or a case's parts.
    pub fn leaves(&self) -> Box<dyn Iterator<Item = &Item> + '_> {
        if self.parts.is_empty() {
            Box::new(std::iter::once(self))
        } else {
            Box::new(self.parts.iter())
        }
    }

    /// The bank's letter for printed option `i`.
    pub fn canonical_letter(&self, printed: usize) -> Option<char> {
        self.order.get(printed).map(|&b| letter(b))
    }
}

/// See [`Item::key_text`].
pub fn key_text(a: &Answer) -> String {
    match a {
        Answer::Choice(ix) => Answer::letters(ix),
        Answer::Judge(b) => if *b { "T" } else { "F" }.to_string(),
        Answer::Fill(blanks) => blanks
            .iter()
            .map(|alts| alts.join(";"))
            .collect::<Vec<_>>()
            .join(" | "),
        Answer::Text { reference, .. } => reference.clone(),
        Answer::Parts => String::new(),
    }
}

impl Paper {
    /// Every scoreable item in printed order, with its section index.
    pub fn leaves(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.sections.iter().enumerate().flat_map(|(si, s)| {
            s.items
                .iter()
                .flat_map(move |it| it.leaves().map(move |l| (si, l)))
        })
    }
}

impl Manifest {
    /// The paper with `code`.
    pub fn paper(&self, code: &str) -> Option<&Paper> {
        self.papers.iter().find(|p| p.code == code)
    }

    /// The greatest total of any paper.
    pub fn max_points(&self) -> f64 {
        self.papers
            .first()
            .map_or(0.0, |p| p.leaves().map(|(_, it)| it.points).sum())
    }
}

//! Banks written out for other tools: the 题库 table (xlsx / CSV with Chinese headers), GIFT and
//! Moodle XML; and the bank TOML that `bank import` writes. Pure: questions in, bytes out, with a
//! warning for every field the target cannot hold.

mod gift;
mod moodle;
mod table;
mod toml;

#[cfg(test)]
mod tests;

pub use self::toml::{header_toml, question_toml, to_toml};
pub use gift::to_gift;
pub use moodle::{snap_fraction, to_moodle_xml, MOODLE_FRACTIONS};
pub use table::{to_csv, to_rows, to_xlsx, HEADERS};

use crate::bank::{blank_runs, Answer, Kind, Language, Question, TextFormat};
use crate::input::diagnostic::Diagnostic;

/// The target formats of `bank export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Xlsx,
    Csv,
    Gift,
    MoodleXml,
}

/// An export: the file's bytes, how many questions it holds, and what was left out or changed.
#[derive(Debug)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub written: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether `target` can hold `q` at all: no format holds a case's parts, and GIFT holds one
/// blank per question.
pub fn holds(target: Target, q: &Question) -> bool {
    match (&q.answer, target) {
        (Answer::Parts, _) => false,
        (Answer::Fill(blanks), Target::Gift) => blanks.len() == 1 && blank_runs(&q.stem).len() == 1,
        _ => q.kind != Kind::Case,
    }
}

/// Exports questions to `target`; labels written into the target's text (the rubric's heading in
/// a grader's information) are in `language`, the bank's.
pub fn export(
    target: Target,
    questions: &[Question],
    language: Language,
) -> Result<Exported, String> {
    let mut diagnostics = Vec::new();
    let bytes = match target {
        Target::Xlsx => to_xlsx(questions, &mut diagnostics)?,
        Target::Csv => to_csv(questions, &mut diagnostics),
        Target::Gift => to_gift(questions, language, &mut diagnostics).into_bytes(),
        Target::MoodleXml => to_moodle_xml(questions, language, &mut diagnostics).into_bytes(),
    };
    let written = questions.iter().filter(|q| holds(target, q)).count();
    Ok(Exported {
        bytes,
        written,
        diagnostics,
    })
}

/// A warning about question `q`, placed at its bank location.
fn warn(q: &Question, msg: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::warning(None, format!("{}: `{}`: {}", q.location, q.id, msg.into())).with_hint(hint)
}

/// Case questions have parts that no exchange format holds; they are left out with a warning.
fn exportable<'a>(questions: &'a [Question], diags: &mut Vec<Diagnostic>) -> Vec<&'a Question> {
    let mut out = Vec::new();
    for q in questions {
        if q.kind == Kind::Case {
            diags.push(warn(
                q,
                "a case with parts is not exported",
                "export its parts as questions of their own if they stand alone",
            ));
            continue;
        }
        if q.format == TextFormat::Typst {
            diags.push(warn(
                q,
                "Typst markup is exported as plain text",
                "check the question in the target tool",
            ));
        }
        out.push(q);
    }
    out
}

/// The heading of a short answer's rubric lines in the grader's information, per language;
/// `bank import` reads either.
pub const RUBRIC_LABELS: [(Language, &str); 2] = [
    (Language::Zh, "评分要点："),
    (Language::En, "Marking points:"),
];

/// The tag prefix that keeps a Moodle idnumber which is not a valid id (`T & F`); exports
/// write it back as the question's `<idnumber>`, not as a tag.
pub const IDNUMBER_TAG: &str = "moodle-idnumber:";

/// The Moodle idnumber of `q`: the one kept from its import, else its id.
fn idnumber(q: &Question) -> &str {
    q.tags
        .iter()
        .find_map(|t| t.strip_prefix(IDNUMBER_TAG))
        .unwrap_or(&q.id)
}

/// The tags of `q` that are tags in Moodle (not the kept idnumber).
fn bank_tags(q: &Question) -> impl Iterator<Item = &String> {
    q.tags.iter().filter(|t| !t.starts_with(IDNUMBER_TAG))
}

/// Moodle keeps a tag's first 50 characters (`core_tag_tag`'s `TAG_MAX_LENGTH`) and drops
/// `<`, `>` and control characters (`PARAM_TAG`); a tag that loses some is named.
fn check_tag(q: &Question, tag: &str, diags: &mut Vec<Diagnostic>) {
    const TAG_MAX_LENGTH: usize = 50;
    if tag.chars().count() > TAG_MAX_LENGTH {
        diags.push(warn(
            q,
            format!("Moodle keeps the first {TAG_MAX_LENGTH} characters of the tag `{tag}`"),
            "shorten the tag in the bank",
        ));
    }
    if tag.contains(['<', '>']) || tag.chars().any(char::is_control) {
        diags.push(warn(
            q,
            format!("Moodle drops `<`, `>` and line breaks from the tag `{tag}`"),
            "write the tag without them",
        ));
    }
}

/// What a grader reads about a short answer: the reference, then its rubric lines under the
/// heading in the bank's language. Students never see it.
fn grader_info(reference: &str, rubric: &[String], language: Language) -> String {
    let mut s = reference.to_string();
    if !rubric.is_empty() {
        let label = RUBRIC_LABELS
            .iter()
            .find(|(l, _)| *l == language)
            .map_or("评分要点：", |(_, t)| *t);
        s.push('\n');
        s.push_str(label);
        for r in rubric {
            s.push('\n');
            s.push_str(r);
        }
    }
    s
}

/// The points as written in a file: `2`, `0.5`.
fn points_text(p: f64) -> String {
    if p.fract() == 0.0 && p.abs() < 1e15 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

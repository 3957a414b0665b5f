//! Questions → bank TOML, the format `bank check` reads; fixed key order so that the same
//! questions always give the same bytes.

use super::points_text;
use crate::bank::{Answer, Language, Question};
use std::fmt::Write;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A bank file holding `questions`: [`header_toml`], then [`question_toml`] for each.
pub fn to_toml(id: &str, title: &str, language: Language, questions: &[Question]) -> String {
    let mut out = header_toml(id, title, language);
    for x in questions {
        out.push_str(&question_toml(x));
    }
    out
}

/// A bank file's `[bank]` table. The language is the last line, `language = "zh"` or `"en"`,
/// always two letters in quotes, so that a writer that learns it only at the end can patch it.
pub fn header_toml(id: &str, title: &str, language: Language) -> String {
    let lang = match language {
        Language::Zh => "zh",
        Language::En => "en",
    };
    format!(
        "[bank]\nid = {}\ntitle = {}\nlanguage = {}\n",
        q(id),
        q(title),
        q(lang)
    )
}

/// One `[[question]]` table, after a blank line.
pub fn question_toml(x: &Question) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n[[question]]\nid = {}\nkind = {}",
        q(&x.id),
        q(x.kind.name())
    );
    let _ = writeln!(out, "stem = {}", q(&x.stem));
    if !x.options.is_empty() {
        let _ = writeln!(out, "options = {}", list(&x.options));
    }
    match &x.answer {
        Answer::Choice(l) => {
            let _ = writeln!(out, "answer = {}", q(&Answer::letters(l)));
        }
        Answer::Judge(b) => {
            let _ = writeln!(out, "answer = {b}");
        }
        Answer::Fill(blanks) => {
            let inner: Vec<String> = blanks.iter().map(|b| list(b)).collect();
            let _ = writeln!(out, "answer = [{}]", inner.join(", "));
        }
        Answer::Text { reference, rubric } => {
            let _ = writeln!(out, "answer = {}", q(reference));
            if !rubric.is_empty() {
                let _ = writeln!(out, "rubric = {}", list(rubric));
            }
        }
        Answer::Parts => {}
    }
    if !x.tags.is_empty() {
        let _ = writeln!(out, "tags = {}", list(&x.tags));
    }
    let _ = writeln!(
        out,
        "difficulty = {}\npoints = {}",
        x.difficulty,
        points_text(x.points)
    );
    if !x.explanation.is_empty() {
        let _ = writeln!(out, "explanation = {}", q(&x.explanation));
    }
    if !x.source.is_empty() {
        let _ = writeln!(out, "source = {}", q(&x.source));
    }
    if !x.shuffle {
        let _ = writeln!(out, "shuffle = false");
    }
    out
}

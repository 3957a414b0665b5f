//! Questions → Moodle GIFT, escaped as Moodle's `qformat_gift` reads it (`repchar`,
//! `escapedchar_pre`): `\` doubled, `~ = # { } :` after a backslash, line breaks as `\n`.
//! The comment line before each question carries what GIFT has no place for: `[id:…]` and
//! `[tag:…]` (read by Moodle too), and `[difficulty:…]`, `[points:…]`, `[source:…]` and, for
//! essays, `[graderinfo:…]`, which Moodle ignores and `bank import` reads back.

use super::{bank_tags, exportable, grader_info, idnumber, points_text, warn};
use crate::bank::{blank_runs, Answer, Kind, Language, Question};
use crate::input::diagnostic::Diagnostic;
use std::fmt::Write;

/// GIFT's special characters escaped, newlines as `\n`: the inverse of `escapedchar_pre`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A short answer's alternative: a `*` is a wildcard in Moodle's short-answer matching unless
/// written `\*`.
fn esc_alternative(s: &str) -> String {
    esc(&s.replace('*', "\\*"))
}

/// A text written where Moodle's `parse_text_with_format` and weight parser look at its start:
/// a leading `[html]`-like word is shielded by the text's own format, and `weight` (`%0%`,
/// `%100%`) is written before a text that starts with `%`, which Moodle would read as a weight.
fn shielded(text: &str, format: &str, weight: Option<&str>) -> String {
    let e = esc(text);
    let formatted = ["[html]", "[moodle]", "[plain]", "[markdown]"]
        .iter()
        .any(|f| text.starts_with(f));
    let e = if formatted {
        format!("[{format}]{e}")
    } else {
        e
    };
    match weight {
        Some(w) if text.starts_with('%') => format!("%{w}%{e}"),
        _ => e,
    }
}

/// An `[id:…]` or `[tag:…]` value as Moodle reads it: `]` written `\]`, on one line.
fn meta(s: &str) -> String {
    s.replace(']', "\\]").replace(['\n', '\r'], " ")
}

/// A value of examforge's own comment keys: `\`, `]` and line breaks escaped.
fn meta_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ']' => out.push_str("\\]"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The GIFT text of `questions`; the rubric heading of a grader's information is in `language`.
pub fn to_gift(questions: &[Question], language: Language, diags: &mut Vec<Diagnostic>) -> String {
    let mut out = String::new();
    for q in exportable(questions, diags) {
        if !super::holds(super::Target::Gift, q) {
            diags.push(warn(
                q,
                "GIFT holds one blank per question; not exported",
                "export to Moodle XML, which writes it as a cloze question",
            ));
            continue;
        }
        let _ = write!(out, "// [id:{}]", meta(idnumber(q)));
        for t in bank_tags(q) {
            super::check_tag(q, t, diags);
            let _ = write!(out, " [tag:{}]", meta(t));
        }
        let _ = write!(
            out,
            " [difficulty:{}] [points:{}]",
            q.difficulty,
            points_text(q.points)
        );
        if !q.source.is_empty() {
            let _ = write!(out, " [source:{}]", meta_text(&q.source));
        }
        if let Answer::Text { reference, rubric } = &q.answer {
            let info = grader_info(reference, rubric, language);
            if !info.is_empty() {
                let _ = write!(out, " [graderinfo:{}]", meta_text(&info));
                diags.push(warn(
                    q,
                    "GIFT has no grader information: the reference answer is kept in a comment Moodle ignores",
                    "export to Moodle XML to give Moodle's graders the reference answer",
                ));
            }
        }
        out.push('\n');
        // Moodle reads GIFT text as HTML unless told otherwise; bank text is literal.
        let literal = [&q.stem, &q.explanation]
            .into_iter()
            .chain(&q.options)
            .any(|t| t.contains(['<', '&']));
        let format = if literal { "plain" } else { "moodle" };
        // The stem follows `::id::[plain]` when literal; otherwise a leading `[html]` of its own
        // is shielded by `[moodle]`.
        let stem = |s: &str| {
            if literal {
                esc(s)
            } else {
                shielded(s, format, None)
            }
        };
        let name = format!("::{}::{}", esc(&q.id), if literal { "[plain]" } else { "" });
        let general = if q.explanation.is_empty() {
            String::new()
        } else {
            format!("####{}", esc(&q.explanation))
        };
        match &q.answer {
            Answer::Choice(right) => {
                let k = right.len() as f64;
                let _ = writeln!(out, "{name}{}{{", stem(&q.stem));
                for (i, o) in q.options.iter().enumerate() {
                    let is_right = right.contains(&i);
                    let (mark, text) = match (q.kind, is_right) {
                        (Kind::Single, true) => ("=".to_string(), shielded(o, format, None)),
                        (Kind::Single, false) => ("~".to_string(), shielded(o, format, Some("0"))),
                        (_, true) => {
                            let (f, _) = super::snap_fraction(1.0 / k);
                            let w = format!("%{}%", super::moodle::percent(f));
                            (format!("~{w}"), shielded(o, format, None))
                        }
                        (_, false) => ("~%-100%".to_string(), shielded(o, format, None)),
                    };
                    let _ = writeln!(out, "\t{mark}{text}");
                }
                let _ = writeln!(out, "{general}}}\n");
                if !q.shuffle {
                    diags.push(warn(
                        q,
                        "GIFT has no per-question shuffle setting; `shuffle = false` is not kept",
                        "set the quiz to keep this question's order in Moodle",
                    ));
                }
            }
            Answer::Judge(b) => {
                let _ = writeln!(
                    out,
                    "{name}{}{{{}{general}}}\n",
                    stem(&q.stem),
                    if *b { "T" } else { "F" }
                );
            }
            Answer::Fill(blanks) => {
                let runs = blank_runs(&q.stem);
                let r = &runs[0];
                if let Some(a) = blanks[0].iter().find(|a| a.contains("->")) {
                    diags.push(warn(
                        q,
                        format!("GIFT reads a short answer holding `->` (`{a}`) as a matching question; not exported"),
                        "export to Moodle XML, which holds it",
                    ));
                    out.truncate(out.rfind("// [id:").unwrap_or(out.len()));
                    continue;
                }
                let alts: Vec<String> = blanks[0]
                    .iter()
                    .map(|a| {
                        let e = esc_alternative(a);
                        let e = if a.starts_with('%') {
                            format!("%100%{e}")
                        } else {
                            e
                        };
                        let formatted = ["[html]", "[moodle]", "[plain]", "[markdown]"]
                            .iter()
                            .any(|f| a.starts_with(f));
                        format!(
                            "={}{e}",
                            if formatted {
                                format!("[{format}]")
                            } else {
                                String::new()
                            }
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "{name}{}{{{}{general}}}{}\n",
                    stem(&q.stem[..r.start]),
                    alts.join(" "),
                    esc(&q.stem[r.end..])
                );
            }
            Answer::Text { .. } => {
                // An essay: Moodle shows the general feedback to students after the attempt,
                // so it holds the explanation only.
                let _ = writeln!(out, "{name}{}{{{general}}}\n", stem(&q.stem));
            }
            Answer::Parts => {}
        }
    }
    out
}

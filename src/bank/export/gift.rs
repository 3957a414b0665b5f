//! Questions → Moodle GIFT. Ids, tags, difficulty (`难度:N`), source (`出处:…`) and points
//! (`分值:N`) travel in the `// [id:…] [tag:…]` comment Moodle reads before each question.

use super::{exportable, points_text, warn};
use crate::bank::{blank_runs, Answer, Kind, Question};
use crate::input::diagnostic::Diagnostic;
use std::fmt::Write;

/// GIFT's special characters escaped, newlines as `\n`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
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

fn meta(s: &str) -> String {
    s.replace(']', "\\]").replace(['\n', '\r'], " ")
}

/// The GIFT text of `questions`.
pub fn to_gift(questions: &[Question], diags: &mut Vec<Diagnostic>) -> String {
    let mut out = String::new();
    for q in exportable(questions, diags) {
        let mut tags: Vec<String> = q.tags.clone();
        tags.push(format!("难度:{}", q.difficulty));
        tags.push(format!("分值:{}", points_text(q.points)));
        if !q.source.is_empty() {
            tags.push(format!("出处:{}", q.source));
        }
        let _ = write!(out, "// [id:{}]", meta(&q.id));
        for t in &tags {
            let _ = write!(out, " [tag:{}]", meta(t));
        }
        out.push('\n');
        // Moodle reads GIFT text as HTML unless told otherwise; bank text is literal.
        let literal = [&q.stem, &q.explanation]
            .into_iter()
            .chain(&q.options)
            .any(|t| t.contains(['<', '&']));
        let name = format!("::{}::{}", esc(&q.id), if literal { "[plain]" } else { "" });
        let general = if q.explanation.is_empty() {
            String::new()
        } else {
            format!("####{}", esc(&q.explanation))
        };
        match &q.answer {
            Answer::Choice(right) => {
                let k = right.len() as f64;
                let _ = writeln!(out, "{name}{}{{", esc(&q.stem));
                for (i, o) in q.options.iter().enumerate() {
                    let is_right = right.contains(&i);
                    let mark = match (q.kind, is_right) {
                        (Kind::Single, true) => "=".to_string(),
                        (Kind::Single, false) => "~".to_string(),
                        (_, true) => {
                            let (f, _) = super::snap_fraction(1.0 / k);
                            format!("~%{}%", super::moodle::percent(f))
                        }
                        (_, false) => "~%-100%".to_string(),
                    };
                    let _ = writeln!(out, "\t{mark}{}", esc(o));
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
                    esc(&q.stem),
                    if *b { "T" } else { "F" }
                );
            }
            Answer::Fill(blanks) => {
                let runs = blank_runs(&q.stem);
                if !super::holds(super::Target::Gift, q) {
                    diags.push(warn(
                        q,
                        "GIFT holds one blank per question; not exported",
                        "export to Moodle XML, which writes it as a cloze question",
                    ));
                    out.truncate(out.rfind("// [id:").unwrap_or(out.len()));
                    continue;
                }
                let r = &runs[0];
                let alts: Vec<String> = blanks[0].iter().map(|a| format!("={}", esc(a))).collect();
                let _ = writeln!(
                    out,
                    "{name}{}{{{}{general}}}{}\n",
                    esc(&q.stem[..r.start]),
                    alts.join(" "),
                    esc(&q.stem[r.end..])
                );
            }
            Answer::Text { reference, rubric } => {
                // GIFT essays have no grader information: the reference answer, its rubric and
                // the explanation share the general feedback.
                let general = super::reference_text(reference, rubric, Some(&q.explanation));
                let _ = writeln!(out, "{name}{}{{####{}}}\n", esc(&q.stem), esc(&general));
            }
            Answer::Parts => {}
        }
    }
    out
}

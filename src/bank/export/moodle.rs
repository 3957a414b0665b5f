//! Questions → Moodle XML, written with the elements Moodle's importer
//! (`question/format/xml/format.php`) reads: `multichoice` with `<single>`, `<shuffleanswers>`
//! and `fraction` percentages on Moodle's allowed list; `truefalse` with `true`/`false` answers;
//! `shortanswer` for one blank, `cloze` for several; `essay` with the reference answer as
//! `<graderinfo>` (never the general feedback, which students see); `<idnumber>`,
//! `<defaultgrade>`, `<generalfeedback>` and the bank's own `<tags>` on every one. Difficulty
//! and source, which Moodle has no field for, go into `<examforge_difficulty>` and
//! `<examforge_source>`: Moodle's importer reads only the elements it knows.

use super::{bank_tags, exportable, grader_info, idnumber, points_text, warn};
use crate::bank::{blank_runs, Answer, Kind, Language, Question};
use crate::input::diagnostic::Diagnostic;
use std::fmt::Write;

/// The grade fractions Moodle accepts (`question_bank::fraction_options_full`), besides their
/// negatives and 0.
pub const MOODLE_FRACTIONS: [f64; 20] = [
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
];

/// The allowed fraction nearest to `f`, and whether snapping changed it beyond Moodle's seven
/// decimals (1/3 → 0.3333333 is not a change; 0.35 → 0.3333333 is).
pub fn snap_fraction(f: f64) -> (f64, bool) {
    let mag = f.abs();
    let nearest = std::iter::once(0.0)
        .chain(MOODLE_FRACTIONS)
        .min_by(|a, b| (a - mag).abs().total_cmp(&(b - mag).abs()))
        .unwrap_or(0.0);
    let snapped = if f < 0.0 { -nearest } else { nearest };
    (snapped, (snapped - f).abs() > 5e-7)
}

/// A fraction as Moodle writes the `fraction` attribute: a percentage, `33.33333`, `-100`.
pub fn percent(f: f64) -> String {
    let s = format!("{:.5}", f * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn x(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn text_el(name: &str, text: &str) -> String {
    format!(
        "<{name} format=\"plain_text\"><text>{}</text></{name}>",
        x(text)
    )
}

/// The Moodle XML document for `questions`; the rubric heading of a grader's information is in
/// `language`.
pub fn to_moodle_xml(
    questions: &[Question],
    language: Language,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    for q in exportable(questions, diags) {
        let ty = match (&q.answer, q.kind) {
            (Answer::Choice(_), _) => "multichoice",
            (Answer::Judge(_), _) => "truefalse",
            (Answer::Fill(b), _) if b.len() == 1 => "shortanswer",
            (Answer::Fill(_), _) => "cloze",
            _ => "essay",
        };
        let _ = writeln!(out, "<!-- question: {} -->", x(&q.id).replace("--", "- -"));
        let _ = writeln!(out, "  <question type=\"{ty}\">");
        let _ = writeln!(out, "    <name><text>{}</text></name>", x(&q.id));
        let stem = match (&q.answer, ty) {
            (Answer::Fill(blanks), "cloze") => cloze_text(q, blanks, diags),
            _ => q.stem.clone(),
        };
        let _ = writeln!(out, "    {}", text_el("questiontext", &stem));
        let _ = writeln!(out, "    {}", text_el("generalfeedback", &q.explanation));
        // Moodle takes a cloze question's mark from its blanks' weights and does not read
        // `<defaultgrade>` there; it is written anyway so that `bank import` keeps the points.
        let _ = writeln!(
            out,
            "    <defaultgrade>{}</defaultgrade>",
            points_text(q.points)
        );
        let penalty = if ty == "truefalse" {
            "1"
        } else if ty == "essay" {
            "0"
        } else {
            "0.3333333"
        };
        let _ = writeln!(
            out,
            "    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>"
        );
        let _ = writeln!(out, "    <idnumber>{}</idnumber>", x(idnumber(q)));
        match &q.answer {
            Answer::Choice(right) => {
                let single = q.kind == Kind::Single;
                let _ = writeln!(out, "    <single>{single}</single>");
                let _ = writeln!(out, "    <shuffleanswers>{}</shuffleanswers>", q.shuffle);
                let _ = writeln!(out, "    <answernumbering>ABCD</answernumbering>");
                let _ = writeln!(
                    out,
                    "    <showstandardinstruction>0</showstandardinstruction>"
                );
                for f in [
                    "correctfeedback",
                    "partiallycorrectfeedback",
                    "incorrectfeedback",
                ] {
                    let _ = writeln!(out, "    {}", text_el(f, ""));
                }
                let k = right.len() as f64;
                for (i, o) in q.options.iter().enumerate() {
                    let f = match (single, right.contains(&i)) {
                        (true, true) => 1.0,
                        (true, false) => 0.0,
                        (false, true) => {
                            let (f, changed) = snap_fraction(1.0 / k);
                            if changed {
                                diags.push(warn(q, format!("the share {:.4} of a right option is rounded to Moodle's {}", 1.0 / k, f), "Moodle accepts only the fractions on its list"));
                            }
                            f
                        }
                        (false, false) => -1.0,
                    };
                    let _ = writeln!(
                        out,
                        "    <answer fraction=\"{}\" format=\"plain_text\"><text>{}</text>{}</answer>",
                        percent(f),
                        x(o),
                        text_el("feedback", "")
                    );
                }
            }
            Answer::Judge(b) => {
                for (word, truth) in [("true", true), ("false", false)] {
                    let f = if truth == *b { "100" } else { "0" };
                    let _ = writeln!(
                        out,
                        "    <answer fraction=\"{f}\" format=\"moodle_auto_format\"><text>{word}</text>{}</answer>",
                        text_el("feedback", "")
                    );
                }
            }
            Answer::Fill(blanks) if blanks.len() == 1 => {
                let _ = writeln!(out, "    <usecase>0</usecase>");
                for a in &blanks[0] {
                    // A `*` is a wildcard in Moodle's short-answer matching unless written `\*`.
                    let _ = writeln!(
                        out,
                        "    <answer fraction=\"100\" format=\"moodle_auto_format\"><text>{}</text>{}</answer>",
                        x(&a.replace('*', "\\*")),
                        text_el("feedback", "")
                    );
                }
            }
            Answer::Fill(_) => {}
            Answer::Text { reference, rubric } => {
                let info = grader_info(reference, rubric, language);
                let _ = writeln!(out, "    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n    <attachments>0</attachments>\n    <attachmentsrequired>0</attachmentsrequired>");
                let _ = writeln!(out, "    {}", text_el("graderinfo", &info));
                let _ = writeln!(out, "    {}", text_el("responsetemplate", ""));
            }
            Answer::Parts => {}
        }
        let _ = writeln!(
            out,
            "    <examforge_difficulty>{}</examforge_difficulty>",
            q.difficulty
        );
        if !q.source.is_empty() {
            let _ = writeln!(
                out,
                "    <examforge_source>{}</examforge_source>",
                x(&q.source)
            );
        }
        let _ = writeln!(out, "    <tags>");
        for t in bank_tags(q) {
            super::check_tag(q, t, diags);
            let _ = writeln!(out, "      <tag><text>{}</text></tag>", x(t));
        }
        let _ = writeln!(out, "    </tags>\n  </question>");
    }
    out.push_str("</quiz>\n");
    out
}

/// An answer inside a cloze blank, written so that Moodle's `qtype_multianswer_extract_question`
/// reads it back: an answer ends at a `~`, `#` or `}` not after `\\` or `&`; it is then
/// HTML-entity-decoded, and `\\}` and `\\#` lose their backslash (nothing else does). So `}` and
/// `#` are escaped with a backslash, and `~`, `\\`, `&`, `<`, `>` written as character
/// references; a `*` becomes `\\*`, a literal star in short-answer matching.
pub fn cloze_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '}' => out.push_str("\\}"),
            '#' => out.push_str("\\#"),
            '*' => out.push_str("\\*"),
            '~' => out.push_str("&#126;"),
            '\\' => out.push_str("&#92;"),
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// The stem with each blank as `{w:SHORTANSWER:=a~=b}`; the weights add up to the points when
/// they can (Moodle takes a cloze question's mark from its blanks' whole-number weights).
fn cloze_text(q: &Question, blanks: &[Vec<String>], diags: &mut Vec<Diagnostic>) -> String {
    let runs = blank_runs(&q.stem);
    let per = q.points / blanks.len() as f64;
    let weight = if per.fract() == 0.0 && per >= 1.0 {
        per as u64
    } else {
        diags.push(warn(q, format!("{} points do not split into whole-number weights over {} blanks; in Moodle each blank weighs 1", points_text(q.points), blanks.len()), "give the question a multiple of its blank count in points"));
        1
    };
    let mut out = String::new();
    let mut last = 0;
    for (r, alts) in runs.iter().zip(blanks) {
        out.push_str(&q.stem[last..r.start]);
        let answers: Vec<String> = alts
            .iter()
            .map(|a| format!("={}", cloze_escape(a)))
            .collect();
        let _ = write!(out, "{{{weight}:SHORTANSWER:{}}}", answers.join("~"));
        last = r.end;
    }
    out.push_str(&q.stem[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_snap_to_moodles_list() {
        assert_eq!(snap_fraction(1.0 / 3.0), (0.3333333, false));
        assert_eq!(snap_fraction(1.0 / 7.0), (0.1428571, false));
        assert_eq!(snap_fraction(0.35), (0.3333333, true));
        assert_eq!(snap_fraction(-0.42), (-0.4, true));
        assert_eq!(snap_fraction(-1.0), (-1.0, false));
        assert_eq!(percent(0.3333333), "33.33333");
        assert_eq!(percent(-1.0), "-100");
        assert_eq!(percent(0.0), "0");
    }
}

//! Round trips (bank → target → bank keeps every field the target holds) and the Moodle XML
//! checked element by element against what Moodle's importer reads.

use super::{export, Target};
use crate::bank::import::{import, Format, Options};
use crate::bank::{load_bank, Answer, BankSource, Kind, Language, Question};

const BANKS: [(&str, &str); 4] = [
    (
        "xzcf.toml",
        include_str!("../../../question-banks/xzcf.toml"),
    ),
    (
        "hjbh-dq.toml",
        include_str!("../../../question-banks/hjbh-dq.toml"),
    ),
    (
        "gf-jsxm.toml",
        include_str!("../../../question-banks/gf-jsxm.toml"),
    ),
    (
        "sample-en.toml",
        include_str!("../../../question-banks/sample-en.toml"),
    ),
];

fn bank(path: &str, text: &str) -> Vec<Question> {
    let (bank, diags) = load_bank(&BankSource {
        path,
        text,
        sha256: String::new(),
    });
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    bank.expect("a bank").questions
}

fn round_trip(target: Target, format: Format, questions: &[Question]) -> Vec<Question> {
    let bytes = export(target, questions, Language::En)
        .expect("export")
        .bytes;
    let again = export(target, questions, Language::En)
        .expect("export")
        .bytes;
    assert_eq!(bytes, again, "{target:?} export is byte-stable");
    let opts = Options {
        prefix: "rt".into(),
        sheet: None,
    };
    let got = import(format, "rt", &bytes, &opts);
    let errors: Vec<_> = got.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{target:?}: {errors:?}");
    got.questions
}

/// The fields a target keeps; `shuffle` is dropped for GIFT, which has no such setting.
fn same(target: Target, a: &Question, b: &Question) {
    let what = format!("{target:?} {}", a.id);
    assert_eq!(a.id, b.id, "{what}");
    assert_eq!(a.kind, b.kind, "{what}");
    assert_eq!(a.stem, b.stem, "{what}");
    assert_eq!(a.options, b.options, "{what}");
    assert_eq!(a.answer, b.answer, "{what}");
    assert_eq!(a.tags, b.tags, "{what}");
    assert_eq!(a.difficulty, b.difficulty, "{what}");
    assert_eq!(a.points, b.points, "{what}");
    assert_eq!(a.explanation, b.explanation, "{what}");
    assert_eq!(a.source, b.source, "{what}");
    if target != Target::Gift {
        assert_eq!(a.shuffle, b.shuffle, "{what}");
    }
}

fn check_round_trip(target: Target, format: Format) {
    for (path, text) in BANKS.into_iter().chain([("m.toml", SMALL)]) {
        let orig = bank(path, text);
        let back = round_trip(target, format, &orig);
        let mut compared = 0;
        for q in &orig {
            let held = q.kind != Kind::Case
                && !(target == Target::Gift && matches!(&q.answer, Answer::Fill(b) if b.len() > 1));
            let found = back.iter().find(|b| b.id == q.id);
            assert_eq!(found.is_some(), held, "{target:?} {path} {}", q.id);
            if let Some(b) = found {
                same(target, q, b);
                compared += 1;
            }
        }
        assert!(compared >= 5, "{path}: {compared}");
    }
}

#[test]
fn toml_to_xlsx_to_toml_keeps_every_field() {
    check_round_trip(Target::Xlsx, Format::Xlsx);
}

#[test]
fn toml_to_csv_to_toml_keeps_every_field() {
    check_round_trip(Target::Csv, Format::Csv);
}

#[test]
fn toml_to_gift_to_toml_keeps_every_field_gift_holds() {
    check_round_trip(Target::Gift, Format::Gift);
}

#[test]
fn toml_to_moodle_xml_to_toml_keeps_every_field() {
    check_round_trip(Target::MoodleXml, Format::MoodleXml);
}

#[test]
fn gift_escapes_survive() {
    let text = r##"[bank]
id = "esc"
[[question]]
id = "esc-1"
kind = "single"
stem = "In {a: b}, which sign = #1 ~ here?"
options = ["= sign", "~ tilde", "# hash", "{ brace }"]
answer = "A"
explanation = "a: b = c"
source = "x"
"##;
    let orig = bank("esc.toml", text);
    let back = round_trip(Target::Gift, Format::Gift, &orig);
    same(Target::Gift, &orig[0], &back[0]);
}

const SMALL: &str = r#"[bank]
id = "m"
[[question]]
id = "m-1"
kind = "single"
stem = "HTTP is at which layer? <b>not bold</b>"
options = ["transport", "application", "network"]
answer = "B"
points = 2
explanation = "HTTP is an application protocol."
tags = ["net"]
difficulty = 2
source = "RFC 9110"
[[question]]
id = "m-2"
kind = "multiple"
stem = "Which does TCP provide?"
options = ["reliable delivery", "flow control", "broadcast", "congestion control"]
answer = "ABD"
points = 4
shuffle = false
source = "RFC 9293"
[[question]]
id = "m-3"
kind = "judge"
stem = "A stack is first in, first out."
answer = false
source = "x"
[[question]]
id = "m-4"
kind = "fill"
stem = "Water is ___."
answer = [["H2O", "H₂O"]]
source = "x"
[[question]]
id = "m-5"
kind = "short"
stem = "Describe the TCP handshake."
answer = "SYN, SYN+ACK, ACK"
rubric = ["three steps"]
points = 6
source = "x"
"#;

/// Checks the document against what `qformat_xml` reads (moodle/moodle
/// question/format/xml/format.php at 00055ef): `import_headers` reads `name/text`,
/// `questiontext/@format` and `text`, `generalfeedback`, `defaultgrade`, `idnumber`, `tags/tag/text`;
/// `import_multichoice` reads `single` (default true) and `shuffleanswers` (default false);
/// `import_answer` divides `answer/@fraction` by 100; `import_truefalse` matches the answer text
/// `true`/`false` and takes `fraction == 100` as right; `import_shortanswer` reads `usecase`.
#[test]
fn moodle_xml_holds_what_moodles_importer_reads() {
    use crate::bank::import::moodle::parse;
    let qs = bank("m.toml", SMALL);
    let super::Exported {
        bytes,
        diagnostics: diags,
        written,
    } = export(Target::MoodleXml, &qs, Language::En).unwrap();
    assert_eq!(written, qs.len());
    assert!(diags.is_empty(), "{diags:?}");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>"));
    let root = parse(&text).expect("well-formed");
    let quiz = root.child("quiz").expect("<quiz>");
    let items: Vec<_> = quiz.all("question").collect();
    let types: Vec<&str> = items.iter().map(|q| q.attr("type").unwrap()).collect();
    assert_eq!(
        types,
        [
            "multichoice",
            "multichoice",
            "truefalse",
            "shortanswer",
            "essay"
        ]
    );
    let text_of = |n: &super::super::import::moodle::Node, el: &str| {
        n.child(el)
            .and_then(|e| e.child("text"))
            .map(|t| t.text.clone())
            .unwrap_or_default()
    };
    let fractions = |n: &super::super::import::moodle::Node| -> Vec<String> {
        n.all("answer")
            .map(|a| a.attr("fraction").unwrap().to_string())
            .collect()
    };
    let allowed = |f: &str| {
        let v: f64 = f.parse::<f64>().unwrap() / 100.0;
        v == 0.0
            || super::MOODLE_FRACTIONS
                .iter()
                .any(|m| (m - v.abs()).abs() < 1e-9)
    };

    let single = items[0];
    assert_eq!(text_of(single, "name"), "m-1");
    assert_eq!(single.value("idnumber").as_deref(), Some("m-1"));
    assert_eq!(
        single.child("questiontext").unwrap().attr("format"),
        Some("plain_text")
    );
    assert_eq!(
        text_of(single, "questiontext"),
        "HTTP is at which layer? <b>not bold</b>"
    );
    assert_eq!(
        text_of(single, "generalfeedback"),
        "HTTP is an application protocol."
    );
    assert_eq!(single.value("defaultgrade").as_deref(), Some("2"));
    assert_eq!(single.value("single").as_deref(), Some("true"));
    assert_eq!(single.value("shuffleanswers").as_deref(), Some("true"));
    assert_eq!(fractions(single), ["0", "100", "0"]);
    let answers: Vec<String> = single.all("answer").map(|a| a.text_of_self()).collect();
    assert_eq!(answers, ["transport", "application", "network"]);
    let tags: Vec<String> = single
        .child("tags")
        .unwrap()
        .all("tag")
        .map(|t| t.text_of_self())
        .collect();
    // Moodle's tags hold the bank's tags only; difficulty and source, which Moodle has no field
    // for, go into elements its importer does not read.
    assert_eq!(tags, ["net"]);
    assert_eq!(single.value("examforge_difficulty").as_deref(), Some("2"));
    assert_eq!(
        single.value("examforge_source").as_deref(),
        Some("RFC 9110")
    );

    // Feedback: the combined feedback of a multichoice and each answer's own, empty, as
    // `import_combined_feedback` and `import_answer` read them.
    for el in [
        "correctfeedback",
        "partiallycorrectfeedback",
        "incorrectfeedback",
    ] {
        assert_eq!(
            single.child(el).and_then(|e| e.attr("format")),
            Some("plain_text"),
            "{el}"
        );
    }
    assert!(single.all("answer").all(|a| a.child("feedback").is_some()));
    assert_eq!(single.value("answernumbering").as_deref(), Some("ABCD"));

    let multi = items[1];
    assert_eq!(multi.value("single").as_deref(), Some("false"));
    assert_eq!(multi.value("shuffleanswers").as_deref(), Some("false"));
    assert_eq!(
        fractions(multi),
        ["33.33333", "33.33333", "-100", "33.33333"]
    );
    assert!(fractions(multi).iter().all(|f| allowed(f)));
    assert_eq!(multi.value("defaultgrade").as_deref(), Some("4"));

    let tf = items[2];
    let tf_answers: Vec<(String, String)> = tf
        .all("answer")
        .map(|a| (a.text_of_self(), a.attr("fraction").unwrap().to_string()))
        .collect();
    assert_eq!(
        tf_answers,
        [("true".into(), "0".into()), ("false".into(), "100".into())]
    );

    let sa = items[3];
    assert_eq!(sa.value("usecase").as_deref(), Some("0"));
    assert_eq!(fractions(sa), ["100", "100"]);
    let alts: Vec<String> = sa.all("answer").map(|a| a.text_of_self()).collect();
    assert_eq!(alts, ["H2O", "H₂O"]);

    let essay = items[4];
    assert_eq!(
        text_of(essay, "graderinfo"),
        "SYN, SYN+ACK, ACK\nMarking points:\nthree steps"
    );
    assert_eq!(essay.value("defaultgrade").as_deref(), Some("6"));
}

#[test]
fn several_blanks_become_a_cloze_question() {
    let text = r#"[bank]
id = "c"
[[question]]
id = "c-1"
kind = "fill"
stem = "Water is ___ and ice is ___."
answer = [["H2O", "H₂O"], ["solid"]]
points = 2
source = "x"
"#;
    let qs = bank("c.toml", text);
    let super::Exported {
        bytes,
        diagnostics: diags,
        written,
    } = export(Target::MoodleXml, &qs, Language::En).unwrap();
    assert_eq!(written, qs.len());
    assert!(diags.is_empty(), "{diags:?}");
    let xml = String::from_utf8(bytes).unwrap();
    assert!(xml.contains("<question type=\"cloze\">"), "{xml}");
    assert!(
        xml.contains("Water is {1:SHORTANSWER:=H2O~=H₂O} and ice is {1:SHORTANSWER:=solid}."),
        "{xml}"
    );
}

/// What Moodle's GIFT importer makes of one question: a port of `qformat_gift::readquestion`
/// (moodle/moodle question/format/gift/format.php) for the types examforge writes, and of
/// `qformat_default::extract_idnumber_and_tags_from_comment` for the comment's `[id:…]` and
/// `[tag:…]`.
#[derive(Debug, Default)]
struct MoodleGift {
    name: String,
    qtype: &'static str,
    questiontext: String,
    questiontextformat: String,
    generalfeedback: String,
    /// (fraction, answer text, feedback) of multichoice and shortanswer answers.
    answers: Vec<(f64, String, String)>,
    single: bool,
    correctanswer: bool,
    idnumber: String,
    tags: Vec<String>,
}

const PLACEHOLDERS: [(&str, &str, &str); 7] = [
    ("\\:", "&&058;", ":"),
    ("\\#", "&&035;", "#"),
    ("\\=", "&&061;", "="),
    ("\\{", "&&123;", "{"),
    ("\\}", "&&125;", "}"),
    ("\\~", "&&126;", "~"),
    ("\\n", "&&010", "\n"),
];

fn escapedchar_pre(s: &str) -> String {
    let mut s = s.replace("\\\\", "&&092;");
    for (esc, ph, _) in PLACEHOLDERS {
        s = s.replace(esc, ph);
    }
    s.replace("&&092;", "\\")
}

fn escapedchar_post(s: &str) -> String {
    let mut s = s.to_string();
    for (_, ph, c) in PLACEHOLDERS {
        s = s.replace(ph, c);
    }
    s
}

/// `parse_text_with_format`: (format, trimmed text).
fn parse_text_with_format(text: &str, default: &str) -> (String, String) {
    let mut format = default.to_string();
    let mut text = text.to_string();
    if text.starts_with('[') {
        if let Some(end) = text.find(']') {
            let name = &text[1..end];
            if matches!(name, "moodle" | "html" | "plain" | "markdown") {
                format = name.to_string();
                text = text[end + 1..].to_string();
            }
        }
    }
    (format, escapedchar_post(&text).trim().to_string())
}

/// `$giftanswerweightregex = '/^%\-*([0-9]{1,2})\.?([0-9]*)%/'` and `answerweightparser`.
fn answer_weight(answer: &str) -> Option<(f64, String)> {
    let b = answer.as_bytes();
    if b.first() != Some(&b'%') {
        return None;
    }
    let mut i = 1;
    while b.get(i) == Some(&b'-') {
        i += 1;
    }
    let matches = [2, 1].iter().any(|&d| {
        if !(i..i + d).all(|k| b.get(k).is_some_and(u8::is_ascii_digit)) {
            return false;
        }
        let mut k = i + d;
        if b.get(k) == Some(&b'.') {
            k += 1;
        }
        while b.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        b.get(k) == Some(&b'%')
    });
    if !matches {
        return None;
    }
    let rest = &answer[1..];
    let end = rest.find('%')?;
    let weight: f64 = rest[..end].parse().ok()?;
    Some((weight / 100.0, rest[end + 1..].to_string()))
}

/// `commentparser`: the answer and its feedback.
fn commentparser(answer: &str, format: &str) -> (String, String) {
    let (a, f) = answer.split_once('#').unwrap_or((answer, ""));
    (
        parse_text_with_format(a.trim(), format).1,
        parse_text_with_format(f.trim(), format).1,
    )
}

fn moodle_readquestion(lines: &[&str]) -> Option<MoodleGift> {
    let mut q = MoodleGift::default();
    let mut comment = String::new();
    let kept: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.trim().starts_with("//") {
                comment.push_str(l.trim());
                comment.push('\n');
                " "
            } else {
                *l
            }
        })
        .collect();
    // extract_idnumber_and_tags_from_comment: `\]` is the only escape.
    let token = |rest: &str| -> Option<(String, usize)> {
        let mut value = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if rest[i + 1..].starts_with(']') => {
                    value.push(']');
                    chars.next();
                }
                ']' => return Some((value.trim().to_string(), i + 1)),
                c if c.is_control() => return None,
                c => value.push(c),
            }
        }
        None
    };
    if let Some(i) = comment.find("[id:") {
        q.idnumber = token(&comment[i + 4..]).map(|t| t.0).unwrap_or_default();
    }
    let mut rest = comment.as_str();
    while let Some(i) = rest.find("[tag:") {
        rest = &rest[i + 5..];
        if let Some((t, used)) = token(rest) {
            q.tags.push(t);
            rest = &rest[used..];
        }
    }
    let text = kept.join("\n").trim().to_string();
    let mut text = escapedchar_pre(&text);
    assert!(!text.starts_with("$CATEGORY:"));
    if let Some(r) = text.strip_prefix("::") {
        let r = r.to_string();
        let end = r.find("::")?;
        q.name = escapedchar_post(&r[..end]).trim().to_string();
        text = r[end + 2..].trim().to_string();
    }
    let start = text.find('{')?;
    let finish = text.find('}')?;
    let mut answertext = text[start + 1..finish].trim().to_string();
    let questiontext = if text.ends_with('}') {
        format!("{}{}", &text[..start], &text[finish + 1..])
    } else {
        format!("{}_____{}", &text[..start], &text[finish + 1..])
    };
    let mut generalfeedback = String::new();
    if let Some(gf) = answertext.rfind("####") {
        generalfeedback = answertext[gf + 4..].to_string();
        answertext = answertext[..gf].trim().to_string();
    }
    let (format, qt) = parse_text_with_format(&questiontext, "moodle");
    q.questiontext = qt;
    q.generalfeedback = parse_text_with_format(&generalfeedback, &format).1;
    q.questiontextformat = format.clone();
    if answertext.is_empty() {
        q.qtype = "essay";
    } else if answertext.starts_with('#') {
        q.qtype = "numerical";
    } else if answertext.contains('~') {
        q.qtype = "multichoice";
        q.single = answertext.contains('=');
        let replaced = answertext.replace('=', "~=");
        let mut answers: Vec<&str> = replaced.split('~').collect();
        if answers[0].trim().is_empty() {
            answers.remove(0);
        }
        for a in answers {
            let a = a.trim();
            let (fraction, a) = if let Some(r) = a.strip_prefix('=') {
                (1.0, r.to_string())
            } else if let Some((w, r)) = answer_weight(a) {
                (w, r)
            } else {
                (0.0, a.to_string())
            };
            let (text, feedback) = commentparser(&a, &format);
            q.answers.push((fraction, text, feedback));
        }
    } else if answertext.contains('=') && answertext.contains("->") {
        q.qtype = "match";
    } else {
        let check = match answertext.find('#') {
            Some(i) if i > 0 => answertext[..i].trim(),
            _ => answertext.as_str(),
        };
        if matches!(check, "T" | "TRUE" | "F" | "FALSE") {
            q.qtype = "truefalse";
            let bits: Vec<&str> = answertext.splitn(3, '#').collect();
            let answer = parse_text_with_format(bits[0].trim(), &format).1;
            q.correctanswer = answer == "T" || answer == "TRUE";
        } else {
            q.qtype = "shortanswer";
            let mut answers: Vec<&str> = answertext.split('=').collect();
            if answers[0].trim().is_empty() {
                answers.remove(0);
            }
            for a in answers {
                let a = a.trim();
                let (fraction, a) = answer_weight(a).unwrap_or((1.0, a.to_string()));
                let (text, feedback) = commentparser(&a, &format);
                q.answers.push((fraction, text, feedback));
            }
        }
    }
    Some(q)
}

/// Moodle's short-answer matching: `\*` is a literal star.
fn shortanswer_literal(s: &str) -> String {
    s.replace("\\*", "*")
}

const TRICKY_EN: &str = r#"[bank]
id = "t"
language = "en"
[[question]]
id = "t-path"
kind = "single"
stem = "Which path opens the file C:\\new\\table.txt? (In TeX: $1 \\neq 0$, {braces}, a:b, x = y, #1, ~home)"
options = ["C:\\new\\table.txt", "C:/new/table.txt", "~/new = {table}#1", "\\\\server\\share"]
answer = "A"
tags = ["paths", "a tag with spaces"]
difficulty = 4
points = 2
explanation = "Windows writes \\ between folders; \\n is not a line break there."
source = "Microsoft Docs, Naming Files, Paths, and Namespaces"
[[question]]
id = "t-multi"
kind = "multiple"
stem = "Which are prime?"
options = ["2", "3", "4", "5"]
answer = "ABD"
points = 3
source = "x"
[[question]]
id = "t-judge"
kind = "judge"
stem = "Line one\nline two: a \\ backslash"
answer = false
explanation = "It has ####four hashes."
source = "x"
[[question]]
id = "t-fill"
kind = "fill"
stem = "The glob ___ matches every text file."
answer = [["*.txt", "\\*.txt"]]
source = "x"
[[question]]
id = "t-percent"
kind = "single"
stem = "[html] is no format here; which reads %50%?"
options = ["%50% of it", "[html] the word", "half"]
answer = "A"
source = "x"
[[question]]
id = "t-percent-fill"
kind = "fill"
stem = "Half is ___."
answer = [["%50%", "[plain] 50 percent"]]
source = "x"
[[question]]
id = "t-essay"
kind = "short"
stem = "Explain \\neq."
answer = "It means not equal."
rubric = ["names the symbol", "gives an example"]
explanation = "Shown to students after the attempt."
source = "x"
"#;

/// The GIFT export, read back by a port of Moodle's own reader, holds every field as the bank
/// has it: backslashes and TeX survive, the essay's reference and rubric never reach the
/// general feedback, tags are the bank's alone; and `bank import` reads the file back whole.
#[test]
fn gift_export_reads_in_moodle_as_the_bank_says() {
    let qs = bank("t.toml", TRICKY_EN);
    let super::Exported {
        bytes, diagnostics, ..
    } = export(Target::Gift, &qs, Language::En).unwrap();
    let gift = String::from_utf8(bytes.clone()).unwrap();
    // qformat_default::readquestions: a blank line ends a question.
    let blocks: Vec<Vec<&str>> = gift
        .split("\n\n")
        .map(|b| b.lines().collect::<Vec<_>>())
        .filter(|b| b.iter().any(|l| !l.trim().is_empty()))
        .collect();
    assert_eq!(blocks.len(), qs.len(), "{gift}");
    let read: Vec<MoodleGift> = blocks
        .iter()
        .map(|b| moodle_readquestion(b).expect("Moodle reads it"))
        .collect();

    let path = &read[0];
    assert_eq!(path.qtype, "multichoice");
    assert!(path.single);
    assert_eq!(path.name, "t-path");
    assert_eq!(path.idnumber, "t-path");
    assert_eq!(
        path.tags,
        ["paths", "a tag with spaces"],
        "no difficulty, points or source among Moodle's tags"
    );
    assert_eq!(path.questiontext, qs[0].stem);
    assert_eq!(path.generalfeedback, qs[0].explanation);
    let got: Vec<(f64, &str)> = path
        .answers
        .iter()
        .map(|(f, t, _)| (*f, t.as_str()))
        .collect();
    let want: Vec<(f64, &str)> = qs[0]
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| (if i == 0 { 1.0 } else { 0.0 }, o.as_str()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        path.answers[0].1, "C:\\new\\table.txt",
        "no line break in C:\\new"
    );

    let multi = &read[1];
    assert_eq!(multi.qtype, "multichoice");
    assert!(!multi.single);
    let fractions: Vec<i64> = multi
        .answers
        .iter()
        .map(|a| (a.0 * 1e7).round() as i64)
        .collect();
    assert_eq!(fractions, [3333333, 3333333, -10000000, 3333333]);

    let judge = &read[2];
    assert_eq!(judge.qtype, "truefalse");
    assert!(!judge.correctanswer);
    assert_eq!(judge.questiontext, "Line one\nline two: a \\ backslash");
    assert_eq!(judge.generalfeedback, "It has ####four hashes.");

    let fill = &read[3];
    assert_eq!(fill.qtype, "shortanswer");
    assert_eq!(fill.questiontext, "The glob _____ matches every text file.");
    let alts: Vec<(f64, String)> = fill
        .answers
        .iter()
        .map(|(f, t, _)| (*f, shortanswer_literal(t)))
        .collect();
    assert_eq!(
        alts,
        [(1.0, "*.txt".to_string()), (1.0, "\\*.txt".to_string())],
        "a star is written \\* so that Moodle matches it literally"
    );

    let percent = &read[4];
    assert_eq!(percent.questiontext, qs[4].stem, "a leading [html] is text");
    let got: Vec<(f64, &str)> = percent
        .answers
        .iter()
        .map(|(f, t, _)| (*f, t.as_str()))
        .collect();
    assert_eq!(
        got,
        [(1.0, "%50% of it"), (0.0, "[html] the word"), (0.0, "half")]
    );
    let alts: Vec<(f64, &str)> = read[5]
        .answers
        .iter()
        .map(|(f, t, _)| (*f, t.as_str()))
        .collect();
    assert_eq!(alts, [(1.0, "%50%"), (1.0, "[plain] 50 percent")]);

    let essay = &read[6];
    assert_eq!(essay.qtype, "essay");
    assert_eq!(essay.questiontext, "Explain \\neq.");
    assert_eq!(
        essay.generalfeedback, "Shown to students after the attempt.",
        "the reference answer and rubric are not in what students see"
    );
    assert!(!gift.contains("####It means not equal"));
    assert!(
        gift.contains("[graderinfo:It means not equal.\\nMarking points:\\nnames the symbol\\ngives an example]"),
        "{gift}"
    );
    assert!(!gift.contains("评分要点"), "English bank, English labels");
    assert!(diagnostics
        .iter()
        .any(|d| d.message.contains("GIFT has no grader information")));

    // examforge reads its own export back field for field.
    let back = round_trip(Target::Gift, Format::Gift, &qs);
    assert_eq!(back.len(), qs.len());
    for (a, b) in qs.iter().zip(&back) {
        same(Target::Gift, a, b);
    }
}

/// The Moodle XML export of the same bank: tags are the bank's, the grader's information is in
/// `<graderinfo>` with English labels, and several blanks become a cloze question whose answers
/// Moodle's `qtype_multianswer_extract_question` reads back exactly: an answer runs to the first
/// `~`, `#` or `}` not after `\` or `&`, then `html_entity_decode` and `\}`, `\#` unescaped.
#[test]
fn moodle_xml_export_reads_in_moodle_as_the_bank_says() {
    use crate::bank::import::moodle::parse;
    let mut text = TRICKY_EN.to_string();
    text.push_str(
        r#"[[question]]
id = "t-cloze"
kind = "fill"
stem = "Escape ___ and ___ right."
answer = [["a}b#c~d\\e&f*g<h>", "x/y\"z=%50%"], ["&amp;"]]
points = 2
source = "x"
"#,
    );
    let qs = bank("t.toml", &text);
    let super::Exported {
        bytes, diagnostics, ..
    } = export(Target::MoodleXml, &qs, Language::En).unwrap();
    assert!(
        diagnostics.iter().all(|d| !d.message.contains("tag")),
        "{diagnostics:?}"
    );
    let xml = String::from_utf8(bytes.clone()).unwrap();
    let root = parse(&xml).expect("well-formed");
    let items: Vec<_> = root.child("quiz").unwrap().all("question").collect();
    let tags: Vec<String> = items[0]
        .child("tags")
        .unwrap()
        .all("tag")
        .map(|t| t.text_of_self())
        .collect();
    assert_eq!(tags, ["paths", "a tag with spaces"]);
    let essay = items[6];
    assert_eq!(
        essay
            .child("graderinfo")
            .unwrap()
            .child("text")
            .unwrap()
            .text,
        "It means not equal.\nMarking points:\nnames the symbol\ngives an example"
    );
    assert_eq!(
        essay
            .child("generalfeedback")
            .unwrap()
            .child("text")
            .unwrap()
            .text,
        "Shown to students after the attempt."
    );
    let sa = items[3];
    let alts: Vec<String> = sa
        .all("answer")
        .map(|a| shortanswer_literal(&a.text_of_self()))
        .collect();
    assert_eq!(alts, ["*.txt", "\\*.txt"]);

    let cloze = items[7];
    assert_eq!(cloze.attr("type"), Some("cloze"));
    let qt = &cloze
        .child("questiontext")
        .unwrap()
        .child("text")
        .unwrap()
        .text;
    // Each `{w:SHORTANSWER:=…~=…}` split as Moodle's ANSWER_ALTERNATIVE_REGEX does.
    let mut blanks: Vec<Vec<String>> = Vec::new();
    let mut rest = qt.as_str();
    while let Some(i) = rest.find("{1:SHORTANSWER:") {
        let body = &rest[i + "{1:SHORTANSWER:".len()..];
        let mut alts = Vec::new();
        let mut start = 0;
        let mut end = None;
        for (k, c) in body.char_indices() {
            let before = &body[start..k];
            let escaped =
                before.ends_with('\\') || before.ends_with('&') || before.ends_with("&amp;");
            if matches!(c, '~' | '#' | '}') && !escaped {
                alts.push(body[start..k].to_string());
                assert_ne!(c, '#', "no feedback is written");
                if c == '}' {
                    end = Some(k);
                    break;
                }
                start = k + 1;
            }
        }
        let end = end.expect("closed");
        blanks.push(
            alts.iter()
                .map(|a| {
                    let a = a.strip_prefix('=').expect("full credit");
                    let a = html_escape::decode_html_entities(a)
                        .replace("\\}", "}")
                        .replace("\\#", "#");
                    shortanswer_literal(&a)
                })
                .collect(),
        );
        rest = &body[end + 1..];
    }
    assert_eq!(
        blanks,
        [
            vec!["a}b#c~d\\e&f*g<h>".to_string(), "x/y\"z=%50%".to_string()],
            vec!["&amp;".to_string()],
        ]
    );
    // examforge reads it back too.
    let back = round_trip(Target::MoodleXml, Format::MoodleXml, &qs);
    for (a, b) in qs.iter().zip(&back) {
        same(Target::MoodleXml, a, b);
    }
}

//! Round trips (bank → target → bank keeps every field the target holds) and the Moodle XML
//! checked element by element against what Moodle's importer reads.

use super::{export, Target};
use crate::bank::import::{import, Format, Options};
use crate::bank::{load_bank, Answer, BankSource, Kind, Question};

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
    let bytes = export(target, questions).expect("export").bytes;
    let again = export(target, questions).expect("export").bytes;
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
    } = export(Target::MoodleXml, &qs).unwrap();
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
    assert_eq!(tags, ["net", "难度:2", "出处:RFC 9110"]);

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
        "SYN, SYN+ACK, ACK\n评分要点：\nthree steps"
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
    } = export(Target::MoodleXml, &qs).unwrap();
    assert_eq!(written, qs.len());
    assert!(diags.is_empty(), "{diags:?}");
    let xml = String::from_utf8(bytes).unwrap();
    assert!(xml.contains("<question type=\"cloze\">"), "{xml}");
    assert!(
        xml.contains("Water is {1:SHORTANSWER:=H2O~=H₂O} and ice is {1:SHORTANSWER:=solid}."),
        "{xml}"
    );
}

use super::*;
use crate::bank::{Answer, Kind, TextFormat};

const REG: &str = r#"
not_instruments = ["责令改正违法行为决定书"]

[[instrument]]
id = "code"
name = "中华人民共和国生态环境法典"
aliases = ["生态环境法典"]
kind = "法律"
adopted = 2026-03-12
adopted_source = "a report of the vote"
in_force = 2026-08-15
in_force_source = "a report"

[[instrument]]
id = "epl"
name = "中华人民共和国环境保护法"
aliases = ["环境保护法", "环保法"]
kind = "法律"
in_force = 2015-01-01
in_force_source = "its art. 70"
replaced_on = 2026-08-15
replaced_by = "code"
replaced_source = "a report"

[[instrument]]
id = "apl"
name = "中华人民共和国行政处罚法"
kind = "法律"
in_force = 2021-07-15
in_force_source = "its art. 86"

[[instrument]]
id = "old"
name = "某暂行办法"
kind = "部门规章"
note = "commencement not found"
"#;

fn reg() -> Registry {
    Registry::parse("laws.toml", REG).expect("registry parses")
}

fn d(s: &str) -> Date {
    Date::parse(s).expect("date")
}

fn question(id: &str, source: &str) -> Question {
    Question {
        id: id.into(),
        kind: Kind::Judge,
        stem: "x".into(),
        options: vec![],
        answer: Answer::Judge(true),
        tags: vec![],
        difficulty: 3,
        points: 1.0,
        explanation: String::new(),
        source: source.into(),
        shuffle: true,
        format: TextFormat::Plain,
        scenario: None,
        parts: vec![],
        location: crate::input::diagnostic::Location {
            file: "b.toml".into(),
            line: 1,
            col: 1,
        },
    }
}

#[test]
fn every_alias_form_finds_the_instrument() {
    let r = reg();
    for title in [
        "《中华人民共和国环境保护法》",
        "中华人民共和国环境保护法",
        "《环境保护法》",
        "环保法",
        " 环境 保护法 ",
    ] {
        match r.lookup(title) {
            Lookup::Instrument(i) => assert_eq!(i.id, "epl", "{title}"),
            other => panic!("{title}: {other:?}"),
        }
    }
    // The prefix is optional both ways: a registry name without it matches a cited name with it.
    match r.lookup("中华人民共和国某暂行办法") {
        Lookup::Instrument(i) => assert_eq!(i.id, "old"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        r.lookup("《责令改正违法行为决定书》"),
        Lookup::NotInstrument
    );
    assert_eq!(r.lookup("《水污染防治法》"), Lookup::Unknown);
}

#[test]
fn status_turns_on_the_day_of_replacement() {
    let r = reg();
    let epl = r.get("epl").unwrap();
    assert_eq!(epl.status_on(d("2014-12-31")), Status::NotYetInForce);
    assert_eq!(epl.status_on(d("2026-08-14")), Status::InForce);
    assert_eq!(epl.status_on(d("2026-08-15")), Status::Replaced);
    let code = r.get("code").unwrap();
    assert_eq!(code.status_on(d("2026-03-11")), Status::NotYetInForce);
    assert_eq!(code.status_on(d("2026-08-14")), Status::Adopted);
    assert_eq!(code.status_on(d("2026-08-15")), Status::InForce);
    assert_eq!(
        r.get("old").unwrap().status_on(d("2026-12-01")),
        Status::Undated
    );
}

#[test]
fn a_question_citing_a_replaced_law_is_outdated_with_the_issue_wording() {
    let r = reg();
    let q = question(
        "hjdq-041",
        "《中华人民共和国行政处罚法》第二十八条；《环境保护法》第五十九条",
    );
    let before = check_question(&r, &q, d("2026-08-14"));
    assert!(!before.outdated());
    assert_eq!(before.instruments, vec!["apl", "epl"]);
    let after = check_question(&r, &q, d("2026-08-16"));
    assert!(after.outdated());
    assert_eq!(
        after.reason(),
        Some("`hjdq-041` cites 《环境保护法》第五十九条, replaced by 《中华人民共和国生态环境法典》 on 2026-08-15")
    );
}

#[test]
fn a_title_not_in_the_registry_is_reported_once() {
    let r = reg();
    let q = question(
        "q1",
        "《水污染防治法》第十条；《水污染防治法》第十一条；《责令改正违法行为决定书》",
    );
    let law = check_question(&r, &q, d("2026-12-01"));
    assert!(!law.outdated());
    assert_eq!(
        law.findings,
        vec![Finding::Unknown {
            title: "水污染防治法".into()
        }]
    );
}

#[test]
fn case_parts_are_checked_too() {
    let r = reg();
    let mut q = question("case-1", "《行政处罚法》第四十四条");
    q.parts
        .push(question("case-1.1", "《环保法》第六十三条第一款第三项"));
    let law = check_question(&r, &q, d("2026-12-01"));
    assert!(law.outdated());
    assert!(law
        .reason()
        .unwrap()
        .contains("《环保法》第六十三条第一款第三项"));
}

#[test]
fn registry_errors_are_located() {
    let bad =
        "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nin_force = 2020-01-01\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert_eq!(
        e[0].location.as_ref().unwrap().to_string(),
        "laws.toml:5:12"
    );
    assert!(
        e[0].message.contains("no `in_force_source`"),
        "{}",
        e[0].message
    );

    let bad = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"条例\"\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert_eq!(e[0].location.as_ref().unwrap().line, 4);

    let bad = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nnote = \"?\"\nreplaced_on = 2026-08-15\nreplaced_source = \"x\"\nreplaced_by = \"nope\"\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert_eq!(
        e[0].location.as_ref().unwrap().to_string(),
        "laws.toml:8:15"
    );
    assert!(e[0].message.contains("names no instrument"));

    let bad = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nin_force = 2020-01-01T10:00:00\nin_force_source = \"x\"\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert!(e[0].message.contains("must be a date alone"));

    let bad = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert!(e[0].message.contains("no `note` saying why"));

    let twice = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nnote = \"?\"\n[[instrument]]\nid = \"b\"\nname = \"中华人民共和国甲法\"\nkind = \"法律\"\nnote = \"?\"\n";
    let e = Registry::parse("laws.toml", twice).unwrap_err();
    assert_eq!(e[0].location.as_ref().unwrap().line, 8);
    assert!(e[0].message.contains("already names `a`"));

    let typo =
        "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nin_forse = 2020-01-01\n";
    let e = Registry::parse("laws.toml", typo).unwrap_err();
    assert_eq!(e[0].location.as_ref().unwrap().line, 5);
}

#[test]
fn dates_parse_strictly() {
    assert_eq!(d("2026-08-15").to_string(), "2026-08-15");
    assert!(Date::parse("2026-02-30").is_none());
    assert!(Date::parse("2026-8-15").is_none());
    assert!(Date::parse("15.08.2026").is_none());
}

#[test]
fn a_question_about_the_code_itself_holds_from_its_adoption_one_on_its_articles_from_commencement()
{
    let r = reg();
    let about = question("code-adopted", "《中华人民共和国生态环境法典》");
    let article = question("code-art", "《生态环境法典》第一条");
    let on = |q: &Question, day: &str| check_question(&r, q, d(day));

    // Before the vote neither holds.
    assert!(on(&about, "2026-03-11").outdated());
    assert_eq!(
        on(&about, "2026-03-11").reason(),
        Some("`code-adopted` cites 《中华人民共和国生态环境法典》, not in force until 2026-08-15")
    );
    // Adopted, not yet in force: the question about the code is drawn, the one on an article is not.
    let about_april = on(&about, "2026-04-01");
    assert!(!about_april.outdated(), "{:?}", about_april.findings);
    assert_eq!(about_april.worst, Some(Status::InForce));
    let article_april = on(&article, "2026-04-01");
    assert!(article_april.outdated());
    assert_eq!(article_april.worst, Some(Status::NotYetInForce));
    assert_eq!(
        article_april.reason(),
        Some("`code-art` cites 《生态环境法典》第一条, not in force until 2026-08-15")
    );
    // From commencement both hold.
    assert!(!on(&about, "2026-08-15").outdated());
    assert!(!on(&article, "2026-08-15").outdated());

    // A replaced law stays replaced for a question about it as well: adoption never revives it.
    let old = question("epl-itself", "《环境保护法》");
    assert!(on(&old, "2026-12-01").outdated());

    // The summary counts the April question as in force, the article one as not yet.
    let (_, s) = summarise(&r, [&about, &article], d("2026-04-01"));
    assert_eq!(s.outdated, vec!["code-art"]);
    assert_eq!(s.by_status.get("in-force"), Some(&1));
    assert_eq!(s.by_status.get("not-yet-in-force"), Some(&1));
    assert_eq!(s.by_instrument["code"].status, Status::Adopted);
    assert_eq!(s.by_instrument["code"].questions, 2);
}

#[test]
fn an_adoption_date_needs_its_source_and_cannot_follow_commencement() {
    let bad = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nadopted = 2026-03-12\nin_force = 2026-08-15\nin_force_source = \"x\"\n";
    let e = Registry::parse("laws.toml", bad).unwrap_err();
    assert_eq!(
        e[0].location.as_ref().unwrap().to_string(),
        "laws.toml:5:11"
    );
    assert!(
        e[0].message.contains("no `adopted_source`"),
        "{}",
        e[0].message
    );

    let late = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nadopted = 2026-09-01\nadopted_source = \"y\"\nin_force = 2026-08-15\nin_force_source = \"x\"\n";
    let e = Registry::parse("laws.toml", late).unwrap_err();
    assert_eq!(e[0].location.as_ref().unwrap().line, 5);
    assert!(
        e[0].message
            .contains("adopted on 2026-09-01, after it came into force on 2026-08-15"),
        "{}",
        e[0].message
    );

    // Adopted with its commencement unknown: undated, as before.
    let undated = "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nadopted = 2026-03-12\nadopted_source = \"y\"\nnote = \"commencement not found\"\n";
    let r = Registry::parse("laws.toml", undated).expect("parses");
    assert_eq!(
        r.get("a").unwrap().status_on(d("2026-04-01")),
        Status::Undated
    );
}

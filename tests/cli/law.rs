use super::*;
use predicates::prelude::*;
use std::collections::BTreeSet;

const FIXTURE: &str = "tests/fixtures/law/";

fn check_json(args: &[&str]) -> serde_json::Value {
    let out = examforge()
        .args(["bank", "check", "--format", "json"])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("json")
}

fn outdated(v: &serde_json::Value) -> BTreeSet<String> {
    v["law"]["summary"]["outdated"]
        .as_array()
        .expect("outdated list")
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// `bank check` of the fixture bank with the registry `laws`.
fn check_with_laws(laws: &Path) -> Command {
    let mut c = examforge();
    c.args(["bank", "check", FIXTURE, "--laws"]).arg(laws);
    c
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_day_before_and_after_the_code_differ_exactly_by_the_replaced_laws() {
    let before = check_json(&[FIXTURE, "--as-of", "2026-08-14"]);
    let after = check_json(&[FIXTURE, "--as-of", "2026-08-16"]);
    // The day before, only the code itself is not yet in force.
    assert_eq!(outdated(&before), set(&["code-1"]));
    // The day after, the code is in force and every question citing a law it replaced is out of date.
    assert_eq!(
        outdated(&after),
        set(&["epl-1", "epl-2", "epl-3", "swl-1", "swl-2"])
    );
    let s = &after["law"]["summary"];
    assert_eq!(s["by_status"]["replaced"], 5);
    assert_eq!(s["by_status"]["in-force"], 6);
    assert_eq!(s["by_status"]["unregistered"], 1);
    assert_eq!(s["by_instrument"]["apl"]["questions"], 4);
    assert_eq!(s["by_instrument"]["epl"]["questions"], 3);
    assert_eq!(s["by_instrument"]["epl"]["status"], "replaced");
    assert_eq!(s["by_instrument"]["code"]["status"], "in-force");
    assert_eq!(after["law"]["registry"], "tests/fixtures/law/laws.toml");
    assert_eq!(after["errors"], 0);
}

#[test]
fn warnings_name_the_question_the_article_and_the_replacement_at_its_line() {
    examforge()
        .args(["bank", "check", FIXTURE, "--as-of", "2026-08-16", "--list-replaced"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "tests/fixtures/law/bank.toml:46:1: warning: `epl-1` cites 《中华人民共和国环境保护法》第五十九条, replaced by 《中华人民共和国生态环境法典》 on 2026-08-15",
        ))
        .stderr(predicate::str::contains(
            "`swl-2` cites 《固废法》第一百一十二条第一款第三项, replaced by",
        ))
        .stderr(predicate::str::contains(
            "`odd-1` cites 《某市环境保护条例》, which is not in the statute registry",
        ))
        .stdout(predicate::str::contains(
            "law in force on 2026-08-16 (registry tests/fixtures/law/laws.toml): 5 question(s) cite an instrument not in force",
        ));
}

/// Questions kept for exams dated before their law was replaced are counted per instrument, not
/// warned about one by one; an unknown title is still a warning at its line.
#[test]
fn replaced_citations_are_counted_per_instrument_by_default() {
    examforge()
        .args(["bank", "check", FIXTURE, "--as-of", "2026-08-16"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: 3 question(s) cite 《中华人民共和国环境保护法》, not in force on 2026-08-16: kept for exams dated earlier",
        ))
        .stderr(predicate::str::contains("warning: `epl-1`").not())
        .stderr(predicate::str::contains(
            "`odd-1` cites 《某市环境保护条例》, which is not in the statute registry",
        ));
}

#[test]
fn strict_turns_the_statute_warnings_into_errors() {
    examforge()
        .args([
            "bank",
            "check",
            FIXTURE,
            "--as-of",
            "2026-08-16",
            "--strict",
        ])
        .exits_saying(
            1,
            &[
                "bank.toml:46:1: error: `epl-1` cites",
                "error: 6 error(s) in the banks",
            ],
        );
}

#[test]
fn a_broken_registry_given_with_laws_is_located() {
    let d = tmp();
    let laws = write(
        d.path(),
        "laws.toml",
        "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nin_force = 2020-01-01\n",
    );
    check_with_laws(&laws).exits_saying(
        1,
        &[
            &format!(
                "{}:5:12: error: `a` has `in_force` but no `in_force_source`",
                laws.display()
            ),
            "hint:",
        ],
    );
    std::fs::write(
        &laws,
        "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法规\"\nnote = \"x\"\n",
    )
    .unwrap();
    check_with_laws(&laws).exits_saying(1, &[&format!("{}:4:8:", laws.display())]);
}

#[test]
fn every_misspelt_registry_key_is_reported_with_a_suggestion() {
    let d = tmp();
    let laws = write(
        d.path(),
        "laws.toml",
        "[[instrument]]\nid = \"a\"\nname = \"甲法\"\nkind = \"法律\"\nin_forse = 2020-01-01\n\n[[instrument]]\nid = \"b\"\nname = \"乙法\"\nkind = \"法规\"\nnoet = \"x\"\n",
    );
    check_with_laws(&laws).exits_saying(
        1,
        &[
            &format!(
                "{}:5:1: error: unknown key `in_forse` in `[[instrument]]`",
                laws.display()
            ),
            "hint: did you mean `in_force`?",
            &format!(
                "{}:11:1: error: unknown key `noet` in `[[instrument]]`",
                laws.display()
            ),
            "hint: did you mean `note`?",
        ],
    );
}

/// A workspace holding the fixture bank and registry and a blueprint with `body` after `[exam]`.
fn dated_workspace(exam_extra: &str, sections: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tmp();
    for f in ["bank.toml", "laws.toml"] {
        std::fs::copy(root().join(FIXTURE).join(f), d.path().join(f)).unwrap();
    }
    let bp = write(
        d.path(),
        "exam.toml",
        format!("[exam]\ntitle = \"t\"\nbanks = [\"bank.toml\"]\n{exam_extra}\n{sections}"),
    );
    (d, bp)
}

fn drawn_ids(exam_json: &Path) -> BTreeSet<String> {
    let v = read_json(exam_json);
    v["papers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["sections"].as_array().unwrap().clone())
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .map(|it| it["question"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_dated_draw_leaves_out_what_is_not_in_force_and_records_the_registry() {
    let (d, bp) = dated_workspace(
        "date = 2026-12-01",
        "[[section]]\nkind = \"judge\"\ncount = 7\npoints = 1\n",
    );
    let out = d.path().join("out");
    draw(&bp, "3", &out).exits_saying(
        0,
        &["按考试日期 2026-12-01，有 5 道题引用的法规当日不在施行，未予抽取"],
    );
    assert_eq!(
        drawn_ids(&out.join("exam.json")),
        set(&["apl-1", "apl-2", "apl-3", "cpr-1", "cpr-2", "code-1", "odd-1"])
    );
    let v = read_json(&out.join("exam.json"));
    assert_eq!(v["law"]["date"], "2026-12-01");
    assert_eq!(v["law"]["registry"], "laws.toml");
    assert_eq!(v["law"]["outdated_questions"], 5);
    assert_eq!(v["blueprint"]["exam"]["date"], "2026-12-01");
    let digest = {
        use sha2::Digest;
        let bytes = std::fs::read(d.path().join("laws.toml")).unwrap();
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(v["law"]["registry_sha256"], digest.as_str());

    // Sat before the code came into force, the same blueprint draws the old laws and not the code.
    std::fs::write(
        &bp,
        "[exam]\ntitle = \"t\"\nbanks = [\"bank.toml\"]\ndate = 2026-08-14\n[[section]]\nkind = \"judge\"\ncount = 11\npoints = 1\n",
    )
    .unwrap();
    draw(&bp, "3", &out).arg("--force").assert().success();
    let ids = drawn_ids(&out.join("exam.json"));
    assert!(!ids.contains("code-1") && ids.contains("epl-1"), "{ids:?}");
}

#[test]
fn an_impossible_dated_draw_says_how_many_the_date_excluded_per_section_and_quota() {
    let (d, bp) = dated_workspace(
        "date = 2026-12-01",
        "[[section]]\nkind = \"judge\"\ncount = 8\npoints = 1\n[[section.quota]]\ntag = \"危险废物\"\ncount = 1\n[[section.quota]]\ntag = \"三同时\"\ncount = 3\n",
    );
    let out = d.path().join("out");
    draw_any_seed(&bp, &out)
        .exits_saying(
            1,
            &[
                "section 1 「判断题」: needs 8 judge question(s), the banks hold 7 (5 more cite an instrument not in force on the exam date 2026-12-01)",
                "quota `危险废物` needs 1, the banks hold 0 (2 more cite an instrument not in force on the exam date 2026-12-01)",
                "quota `三同时` needs 3, the banks hold 2 (1 more cite",
            ],
        );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn outdated_warn_draws_them_and_fail_refuses() {
    let (d, bp) = dated_workspace(
        "date = 2026-12-01\noutdated = \"warn\"",
        "[[section]]\nkind = \"judge\"\ncount = 12\npoints = 1\n",
    );
    let out = d.path().join("out");
    draw(&bp, "1", &out)
        .exits_saying(
            0,
            &[
                "warning: drawn although out of date: `swl-1` cites 《中华人民共和国固体废物污染环境防治法》第八十二条",
            ],
        );
    let (d, bp) = dated_workspace(
        "date = 2026-12-01\noutdated = \"fail\"",
        "[[section]]\nkind = \"judge\"\ncount = 2\npoints = 1\n",
    );
    draw_any_seed(&bp, &d.path().join("out"))
        .exits_saying(
            1,
            &[
                "`outdated = \"fail\"` and 5 question(s) the sections could draw cite an instrument not in force on 2026-12-01",
                "bank.toml:46:1",
            ],
        );
}

#[test]
fn a_bad_exam_date_is_located_and_a_date_needs_a_registry() {
    let (d, bp) = dated_workspace(
        "date = \"2026-13-01\"",
        "[[section]]\nkind = \"judge\"\ncount = 1\npoints = 1\n",
    );
    draw_any_seed(&bp, &d.path().join("out"))
        .exits_saying(1, &["exam.toml:4:8", "not a date written as YYYY-MM-DD"]);
    let (d, bp) = dated_workspace(
        "date = 2026-12-01",
        "[[section]]\nkind = \"judge\"\ncount = 1\npoints = 1\n",
    );
    std::fs::remove_file(d.path().join("laws.toml")).unwrap();
    draw_any_seed(&bp, &d.path().join("out")).exits_saying(
        1,
        &["`[exam] date = 2026-12-01` is set but no laws.toml was found"],
    );
}

#[test]
fn the_bundled_closed_book_exam_is_dated_and_draws_nothing_out_of_date() {
    let bp = std::fs::read_to_string(root().join("question-banks/closed-book.toml")).unwrap();
    assert!(
        bp.contains("date = 2026-12-01"),
        "the bundled blueprint is dated"
    );
    let v = check_json(&["question-banks/", "--as-of", "2026-12-01"]);
    let old = outdated(&v);
    assert!(!old.is_empty(), "the banks keep questions on replaced laws");
    assert_eq!(
        v["law"]["summary"]["unknown_titles"], 0,
        "every title is in the registry"
    );
    let d = tmp();
    for seed in ["1", "2", "3", "4", "5"] {
        let out = d.path().join(seed);
        draw("question-banks/closed-book.toml", seed, &out)
            .assert()
            .success();
        for id in drawn_ids(&out.join("exam.json")) {
            let top = id.split('.').next().unwrap();
            assert!(!old.contains(top), "seed {seed} drew out-of-date `{id}`");
        }
    }
}

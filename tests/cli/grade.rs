use super::*;
use std::path::Path;

/// `examforge grade D/exam.json SCAN EXTRA… -o D/OUT`.
fn grade_in(
    d: &tempfile::TempDir,
    scan: &Path,
    out: &str,
    extra: &[std::ffi::OsString],
) -> assert_cmd::Command {
    let mut c = grade(&d.path().join("exam.json"), scan, &d.path().join(out));
    c.args(extra);
    c
}

#[test]
fn the_key_fed_back_scores_full_marks_on_every_paper() {
    let (d, m) = drawn("question-banks/closed-book.toml", "17");
    let mut rows = Vec::new();
    let mut n_items = 0;
    for (k, p) in m["papers"].as_array().unwrap().iter().enumerate() {
        let mut cells: Vec<(u64, String)> = Vec::new();
        for s in p["sections"].as_array().unwrap() {
            for it in s["items"].as_array().unwrap() {
                let leaves: Vec<&serde_json::Value> = match it["parts"].as_array() {
                    Some(parts) => parts.iter().collect(),
                    None => vec![it],
                };
                for l in leaves {
                    let a = &l["answer"];
                    let cell = if let Some(c) = a.get("choice") {
                        c.as_array()
                            .unwrap()
                            .iter()
                            .map(|i| (b'A' + i.as_u64().unwrap() as u8) as char)
                            .collect()
                    } else if let Some(j) = a.get("judge") {
                        if j.as_bool().unwrap() {
                            "√".to_string()
                        } else {
                            "×".to_string()
                        }
                    } else if let Some(f) = a.get("fill") {
                        f.as_array()
                            .unwrap()
                            .iter()
                            .map(|alts| alts[0].as_str().unwrap().to_string())
                            .collect::<Vec<_>>()
                            .join("|")
                    } else {
                        l["points"].as_f64().unwrap().to_string()
                    };
                    cells.push((l["number"].as_u64().unwrap(), cell));
                }
            }
        }
        n_items = cells.len();
        let mut row = vec![
            format!("2601000{k}"),
            "张三".into(),
            "甲".into(),
            p["code"].as_str().unwrap().to_string(),
        ];
        row.extend(cells.into_iter().map(|(_, c)| c));
        rows.push(row);
    }
    let scan = d.path().join("scan.csv");
    let mut w = csv::Writer::from_path(&scan).unwrap();
    let mut header = vec![
        "candidate".to_string(),
        "name".into(),
        "team".into(),
        "paper".into(),
    ];
    header.extend((1..=n_items).map(|i| i.to_string()));
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    // The bundled rule scripts leave fill blanks ("a|b" on the sheet) to the blueprint's rule:
    // a fully right answer earns full marks under every rule the project ships.
    for (out, rules) in [
        ("res", None),
        ("half", Some("scripts/multi-half.rhai")),
        ("neg", Some("scripts/negative.rhai")),
    ] {
        let extra: Vec<std::ffi::OsString> = rules
            .map(|r| vec!["--rules".into(), root().join(r).into()])
            .unwrap_or_default();
        grade_in(&d, &scan, out, &extra).assert().success();
        let res = read_csv(&d.path().join(out).join("results.csv"));
        assert_eq!(res.len(), 3, "A and B graded");
        for r in &res[1..] {
            assert_eq!(
                (r[4].as_str(), r[5].as_str()),
                ("100", "100"),
                "paper {} scored {} with {rules:?}",
                r[3],
                r[4]
            );
        }
    }
}

/// Single 2 points (negative, penalty 0.5), multiple 4 (partial-half), judge 1, fill 2 (per blank), short 8 (manual).
#[test]
fn built_in_rules_give_hand_computed_scores() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = grade_sheet(
        d.path(),
        "1,全对,甲,A,B,A;C,错,２|co2,7.5\n\
         2,少选,甲,A,C,A,对,二|SO2,\n\
         3,错选,乙,A,,AB,,,3\n\
         4,重复,乙,A,B,[A|C],×,2|CO2,8\n\
         4,重复,乙,A,B,AC,F,2|CO2,8\n",
    );
    let manual = write(d.path(), "manual.csv", "candidate,item,points\n2,5,4\n");
    grade_in(&d, &scan, "res", &flag("--manual", &manual)).exits_saying(0, &["重复考号"]);
    let res = read_csv(&d.path().join("res/results.csv"));
    let score = |id: &str| {
        res.iter()
            .filter(|r| r[0] == id)
            .map(|r| r[4].clone())
            .collect::<Vec<_>>()
    };
    // 1: 2 + 4 + 1 + 2 + 7.5
    assert_eq!(score("1"), ["16.5"]);
    // 2: wrong single −1, half of 4, wrong judge 0, one blank of two 1, manual 4
    assert_eq!(score("2"), ["6"]);
    // 3: blank single 0, A+B has a wrong mark 0, blanks 0, short 3
    assert_eq!(score("3"), ["3"]);
    assert_eq!(score("4"), ["17", "17"]);
    let dup: Vec<&Vec<String>> = res.iter().filter(|r| r[0] == "4").collect();
    assert!(
        dup.iter().all(|r| r[14] == "true"),
        "duplicates flagged: {dup:?}"
    );
    let pass: Vec<String> = res[1..].iter().map(|r| r[12].clone()).collect();
    assert_eq!(pass, ["true", "false", "false", "true", "true"]);
    // Item analysis over the five accepted rows.
    let v = read_json(&d.path().join("res/results.json"));
    let m1 = item_stats(&v, "m1");
    assert_eq!(m1["n"], 5);
    assert_eq!(m1["mean"], 2.8);
    assert_eq!(m1["facility"], 0.7);
    assert_eq!(
        m1["responses"],
        serde_json::json!({"A": 1, "AB": 1, "AC": 3})
    );
    let s1 = item_stats(&v, "s1");
    assert_eq!(
        (s1["mean"].as_f64(), s1["blank"].as_u64()),
        (Some(1.0), Some(1))
    );
    assert_eq!(s1["responses"], serde_json::json!({"": 1, "B": 3, "C": 1}));
    assert!(
        s1["discrimination"].as_f64().unwrap() > 0.5,
        "the single question separates high and low scorers"
    );
    let items = read_csv(&d.path().join("res/items.csv"));
    assert!(
        items
            .iter()
            .any(|r| r[0] == "2" && r[3] == "m1" && r[4] == "A" && r[6] == "2"),
        "{items:?}"
    );
}

/// Only unusable rows are rejected (unknown paper, ragged); a bad mark makes its item invalid.
#[test]
fn every_row_ends_in_results_or_rejected() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = grade_sheet(d.path(), "1,a,甲,A,B,AC,错,2|CO2,1\n2,b,甲,Q,B,AC,错,2|CO2,1\n3,c,甲,A,B,AC\n4,d,甲,A,hello,AC,错,2|CO2,1\n5,e,甲,A,B,AC,错,2|CO2,99\n6,f,甲,A,B,AC,也许,2|CO2,1\n");
    grade_in(&d, &scan, "res", &[])
        .exits_saying(3, &["拒收               2", "无效               3"]);
    let rej = read_csv(&d.path().join("res/rejected.csv"));
    let reasons: Vec<String> = rej[1..]
        .iter()
        .map(|r| format!("{}: {}", r[0], r[2]))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("3: 试卷代码 `Q` 不是本次考试的"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("4: 这一行有 6 列，而表头有 9 列"),
        "{reasons:?}"
    );
    let res = read_csv(&d.path().join("res/results.csv"));
    let scores: Vec<(&str, &str)> = res[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str()))
        .collect();
    // 10 for everything right; the invalid item earns nothing.
    assert_eq!(scores, [("1", "10"), ("4", "8"), ("5", "9"), ("6", "9")]);
    let items = read_csv(&d.path().join("res/items.csv"));
    let invalid: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .filter(|r| r[5] == "invalid")
        .map(|r| (r[0].as_str(), r[2].as_str(), r[4].as_str(), r[6].as_str()))
        .collect();
    assert_eq!(
        invalid,
        [
            ("4", "1", "hello", "0"),
            ("5", "5", "99", "0"),
            ("6", "3", "也许", "0")
        ]
    );
    // Outputs are not overwritten without --force.
    grade_in(&d, &scan, "res", &[]).exits_saying(1, &["already exists"]);
}

/// The printed sheet offers A–E everywhere: E on a four-option question is that item's problem.
#[test]
fn a_stray_mark_makes_its_item_invalid_not_the_row() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = grade_sheet(
        d.path(),
        "1,a,甲,A,E,AC,错,2|CO2,1\n2,b,甲,A,B,ACE,错,2|CO2,1\n",
    );
    grade_in(&d, &scan, "res", &[]).exits_saying(
        0,
        &[
            "拒收               0",
            "无效               2",
            "状态为 `invalid` 的行",
        ],
    );
    assert_eq!(read_csv(&d.path().join("res/rejected.csv")).len(), 1);
    let res = read_csv(&d.path().join("res/results.csv"));
    // Single (2) lost on row 1, multiple (4) lost on row 2; the rest right.
    assert_eq!(
        res[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[4].as_str()))
            .collect::<Vec<_>>(),
        [("1", "8"), ("2", "6")]
    );
    let items = read_csv(&d.path().join("res/items.csv"));
    let row = items
        .iter()
        .find(|r| r[0] == "1" && r[2] == "1")
        .expect("item 1 of candidate 1 listed");
    assert_eq!(
        (row[4].as_str(), row[5].as_str(), row[6].as_str()),
        ("E", "invalid", "0")
    );
    let v = read_json(&d.path().join("res/results.json"));
    assert_eq!(v["summary"]["invalid"], 2);
    assert_eq!(v["summary"]["rejected"], 0);
    let s1 = item_stats(&v, "s1");
    assert_eq!(
        (s1["invalid"].as_u64(), &s1["responses"]),
        (Some(1), &serde_json::json!({"B": 1}))
    );
}

#[test]
fn gb18030_and_utf16_sheets_grade_alike() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let text = "考号,姓名,单位,卷别,1,2,3,4,5\n1,张三,甲单位,A,B,AC,错,二|CO2,5\n";
    let p = write(d.path(), "gbk.csv", gb18030(text));
    grade_in(&d, &p, "r1", &[]).exits_saying(0, &["GB18030"]);
    let p2 = write(d.path(), "utf16.txt", unicode_text(text));
    grade_in(&d, &p2, "r2", &[]).assert().success();
    let a = read_csv(&d.path().join("r1/results.csv"));
    let b = read_csv(&d.path().join("r2/results.csv"));
    assert_eq!(a, b);
    assert_eq!(a[1][1], "张三");
    assert_eq!(a[1][4], "14");
}

#[test]
fn a_rule_script_scores_and_grades() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = grade_sheet(d.path(), "1,a,甲,A,B,A,错,2|CO2,8\n");
    grade_in(&d, &scan, "r", &flag("--rules", "scripts/pass-grades.rhai"))
        .assert()
        .success();
    let res = read_csv(&d.path().join("r/results.csv"));
    // partial-half gives 2 of 4 on the multiple: 2 + 2 + 1 + 2 + 8 = 15 of 17 → 88% → 良好.
    assert_eq!(res[1][4], "15");
    assert_eq!(res[1][13], "良好");
    let hostile = write(
        d.path(),
        "loop.rhai",
        "fn score(item, response) { loop { } }\n",
    );
    // The exam is Chinese: so is what the grader is told.
    grade_in(&d, &scan, "r2", &flag("--rules", &hostile)).exits_saying(
        1,
        &[
            "scan.csv:2: 规则脚本 `",
            "loop.rhai`：`score` 超出了 1000000 步运算的上限",
            "hint: 找一找永不结束的循环",
            "为了不让任何考生按出错的规则计分，这次运行已停止",
        ],
    );
    assert!(
        !d.path().join("r2/results.csv").exists(),
        "a stopped run writes no results"
    );
}

#[test]
fn the_blueprint_script_travels_in_exam_json() {
    let (d, m) = drawn("tests/fixtures/grade/scripted.toml", "17");
    assert_eq!(m["rules"]["path"], "../../../scripts/pass-grades.rhai");
    assert!(m["rules"]["source"].as_str().unwrap().contains("fn total"));
    let scan = grade_sheet(d.path(), "1,a,甲,A,B,AC,错,2|CO2,8\n2,b,甲,A,A,B,对,,1\n");
    grade_in(&d, &scan, "r", &[]).assert().success();
    let res = read_csv(&d.path().join("r/results.csv"));
    assert_eq!((res[1][4].as_str(), res[1][13].as_str()), ("17", "优秀"));
    // −1 for the wrong single under negative marking, +1 for the short answer.
    assert_eq!(
        (res[2][4].as_str(), res[2][13].as_str(), res[2][12].as_str()),
        ("0", "不合格", "false")
    );
    assert_eq!(
        (res[1][11].as_str(), res[2][11].as_str()),
        ("1", "2"),
        "ranks"
    );
}

#[test]
fn a_broken_blueprint_script_fails_the_draw() {
    let d = tmp();
    let bp = d.path().join("bp.toml");
    let text = std::fs::read_to_string(root().join("tests/fixtures/grade/blueprint.toml"))
        .unwrap()
        .replace(
            "banks = [\"bank.toml\"]",
            &format!(
                "banks = [\"{}\"]",
                root().join("tests/fixtures/grade/bank.toml").display()
            ),
        )
        .replace("[scoring]", "[scoring]\nscript = \"bad.rhai\"");
    std::fs::write(&bp, text).unwrap();
    write(
        d.path(),
        "bad.rhai",
        "fn score(item, response) { import \"x\" as y; 1.0 }\n",
    );
    draw_any_seed(&bp, &d.path().join("o")).exits_saying(1, &["bad.rhai", "import"]);
    assert!(!d.path().join("o/exam.json").exists());
}

/// The contest fixture (five marks per contestant) drawn, and `rows` of marks graded by the
/// rule script `rules` into r/.
fn contest_graded(rows: &str, rules: &str) -> tempfile::TempDir {
    let d = tmp();
    draw("tests/fixtures/contest/blueprint.toml", "17", d.path())
        .assert()
        .success();
    let header = "candidate,name,team,paper,1,2,3,4,5\n";
    let scan = write(d.path(), "scores.csv", format!("{header}{rows}"));
    grade_in(&d, &scan, "r", &flag("--rules", rules))
        .assert()
        .success();
    d
}

/// An on-site contest: five judges' scores per contestant, the highest and lowest dropped.
#[test]
fn judges_trimmed_mean_for_an_on_site_contest() {
    let d = contest_graded(
        "c1,甲,一队,,9,9.5,8,9.2,7.5\nc2,乙,一队,,6,7,8,9,10\n",
        "scripts/judges-trimmed-mean.rhai",
    );
    let res = read_csv(&d.path().join("r/results.csv"));
    // (9 + 8 + 9.2) / 3 = 8.7333…; (7 + 8 + 9) / 3 = 8
    assert_eq!(res[1][4], "8.73");
    assert_eq!(res[2][4], "8");
}

#[test]
fn team_score_is_the_mean_of_the_best_five() {
    // Totals 50, 40, 30, 20, 10, 0 in team 一队; 25 alone in 二队.
    let d = contest_graded(
        "a,,一队,,10,10,10,10,10\nb,,一队,,8,8,8,8,8\nc,,一队,,6,6,6,6,6\nd,,一队,,4,4,4,4,4\ne,,一队,,2,2,2,2,2\nf,,一队,,0,0,0,0,0\ng,,二队,,5,5,5,5,5\n",
        "scripts/team-best-five.rhai",
    );
    let v = read_json(&d.path().join("r/results.json"));
    let teams = v["teams"].as_array().unwrap();
    assert_eq!(teams[0]["team"], "一队");
    assert_eq!(teams[0]["score"], 30.0);
    assert_eq!(teams[1]["team"], "二队");
    assert_eq!(teams[1]["score"], 25.0);
}

/// ZipGrade's own header, with key versions 1 and 2 standing for papers A and B.
#[test]
fn zipgrade_exports_grade_with_numbered_key_versions() {
    let d = tmp();
    draw(GRADE_BLUEPRINT, "17", d.path())
        .args(["--variants", "2"])
        .assert()
        .success();
    let mut text = String::from("QuizName,QuizClass,FirstName,LastName,StudentID,CustomID,Earned Points,Possible Points,PercentCorrect,QuizCreated,DataExported,Key Version");
    for q in 1..=5 {
        text.push_str(&format!(",Stu{q},PriKey{q},Points{q},Mark{q}"));
    }
    text.push_str("\nq,c,三,张,101,,0,0,0,x,x,1,B,,,,AC,,,,F,,,,2|CO2,,,,8,,,\n");
    text.push_str("q,c,四,李,102,,0,0,0,x,x,2,B,,,,AC,,,,F,,,,2|CO2,,,,8,,,\n");
    let scan = write(d.path(), "zipgrade.csv", text);
    grade_in(&d, &scan, "r", &[]).exits_saying(0, &["zipgrade 格式"]);
    let res = read_csv(&d.path().join("r/results.csv"));
    assert_eq!(
        (
            res[1][0].as_str(),
            res[1][1].as_str(),
            res[1][3].as_str(),
            res[1][4].as_str()
        ),
        ("101", "三 张", "A", "17")
    );
    assert_eq!(res[2][3], "B");
}

/// Writes `bank.toml` of `n` four-option questions of `kind`, each keyed `answer` (ids s1…
/// for singles, m1… for multiples), and `blueprint.toml` into `dir`.
fn exam_files(
    dir: &Path,
    (kind, n, answer): (&str, usize, &str),
    blueprint: &str,
) -> std::path::PathBuf {
    let (id, label) = match kind {
        "single" => ("s", "单选"),
        _ => ("m", "多选"),
    };
    let questions: String = (1..=n)
        .map(|i| {
            format!(
                "[[question]]\nid = \"{id}{i}\"\nkind = \"{kind}\"\nstem = \"{label}{i}（ ）\"\n\
                 options = [\"甲\", \"乙\", \"丙\", \"丁\"]\nanswer = \"{answer}\"\nsource = \"fixture\"\n"
            )
        })
        .collect();
    write(
        dir,
        "bank.toml",
        format!("[bank]\nid = \"t\"\ntitle = \"t\"\nlanguage = \"zh\"\n{questions}"),
    );
    write(dir, "blueprint.toml", blueprint)
}

/// Question ids of section `s` of paper `p`.
fn section_questions(m: &serde_json::Value, p: usize, s: usize) -> Vec<String> {
    let mut q: Vec<String> = m["papers"][p]["sections"][s]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["question"].as_str().unwrap().to_string())
        .collect();
    q.sort();
    q
}

/// A question worth 1 point on paper B and 3 on paper A: a script sees the points of the
/// paper the candidate sat, whatever was graded before.
#[test]
fn a_rule_script_sees_the_points_of_the_paper_sat() {
    let d = tmp();
    let bp = exam_files(
        d.path(),
        ("single", 4, "A"),
        "[exam]\ntitle = \"t\"\nbanks = [\"bank.toml\"]\ntotal = 8\n\n\
         [draw]\nmode = \"redraw\"\nvariants = 2\nshuffle_questions = false\nshuffle_options = false\n\n\
         [[section]]\ntitle = \"一\"\nkind = \"single\"\ncount = 2\npoints = 1\n\n\
         [[section]]\ntitle = \"二\"\nkind = \"single\"\ncount = 2\npoints = 3\n",
    );
    // A seed where paper B's 1-point questions are paper A's 3-point questions.
    let seed = (1..200)
        .find(|seed| {
            let _ = std::fs::remove_file(d.path().join("exam.json"));
            draw(&bp, &seed.to_string(), d.path())
                .arg("--force")
                .assert()
                .success();
            let m = read_json(&d.path().join("exam.json"));
            section_questions(&m, 1, 0) == section_questions(&m, 0, 1)
        })
        .expect("some seed swaps the sections");
    let rules = write(
        d.path(),
        "rules.rhai",
        "fn score(item, response) { if response.marks == item.key { item.points } else { 0.0 } }\n",
    );
    let scan = write(
        d.path(),
        "scan.csv",
        "考号,姓名,单位,卷别,1,2,3,4\n1,a,甲,A,A,A,A,A\n2,b,甲,B,A,A,,\n",
    );
    for (out, extra) in [
        ("builtin", vec![]),
        (
            "script",
            vec!["--rules".into(), rules.clone().into_os_string()],
        ),
    ] {
        grade_in(&d, &scan, out, &extra).assert().success();
        let res = read_csv(&d.path().join(out).join("results.csv"));
        let row = |id: &str| res.iter().find(|r| r[0] == id).unwrap().clone();
        // candidate, name, team, paper, score, max, 一, 二, …
        assert_eq!(
            &row("1")[3..8],
            ["A", "8", "8", "2", "6"],
            "{out}, seed {seed}"
        );
        assert_eq!(
            &row("2")[3..8],
            ["B", "2", "8", "2", "0"],
            "{out}, seed {seed}"
        );
    }
}

/// Five ⅓-point partial credits: the lone candidate is first, whatever the float noise.
#[test]
fn a_lone_candidate_with_fractional_credits_ranks_first() {
    let d = tmp();
    let bp = exam_files(
        d.path(),
        ("multiple", 5, "ABC"),
        "[exam]\ntitle = \"t\"\nbanks = [\"bank.toml\"]\ntotal = 5\n\n\
         [draw]\nshuffle_questions = false\nshuffle_options = false\n\n\
         [[section]]\nkind = \"multiple\"\ncount = 5\npoints = 1\nrule = \"per-option\"\n",
    );
    draw(&bp, "1", d.path()).assert().success();
    let scan = grade_sheet(d.path(), "1,a,甲,A,A,A,A,A,A\n");
    grade_in(&d, &scan, "res", &[]).assert().success();
    let res = read_csv(&d.path().join("res/results.csv"));
    assert_eq!(
        (res[1][4].as_str(), res[1][7].as_str()),
        ("1.67", "1"),
        "{res:?}"
    );
    let v = read_json(&d.path().join("res/results.json"));
    let c = &v["candidates"][0];
    assert_eq!(c["rank"], 1);
    // Scores are kept to a millionth of a point.
    assert_eq!(c["score"].as_f64(), Some(1.666667));
    assert_eq!(c["sections"][0].as_f64(), Some(1.666667));
}

#[test]
fn manual_points_saved_by_excel_as_unicode_text_count_and_a_bad_row_is_named() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = grade_sheet(d.path(), "2,少选,甲,A,C,A,对,二|SO2,\n");
    // Excel "Unicode 文本": UTF-16LE with a BOM, tabs, CRLF.
    let manual = write(
        d.path(),
        "manual.txt",
        unicode_text("candidate,item,points\r\n2,5,4\r\n"),
    );
    grade_in(&d, &scan, "res", &flag("--manual", &manual))
        .assert()
        .success();
    let res = read_csv(&d.path().join("res/results.csv"));
    // Wrong single −1, half of 4, wrong judge 0, one blank of two 1, manual 4.
    assert_eq!(res[1][4], "6");

    // GB18030 with a word for the points on the file's third line (after a blank line): told
    // in Chinese, as the file is.
    std::fs::write(&manual, gb18030("考号,题号,得分\r\n\r\n2,5,四分\r\n")).unwrap();
    grade_in(&d, &scan, "res2", &flag("--manual", &manual)).exits_saying(
        1,
        &[
            &format!("{}:3: 得分 `四分` 不是数字", manual.display()),
            "hint: 得分写成数字，如 4 或 3.5",
        ],
    );
    // The English twin, in English; a short row too.
    std::fs::write(&manual, "candidate,item,points\n\n2,5,four\n2,5\n").unwrap();
    grade_in(&d, &scan, "res2", &flag("--manual", &manual)).exits_saying(
        1,
        &[
            &format!("{}:3: `four` is not a number", manual.display()),
            "hint: points are numbers such as 4 or 3.5",
        ],
    );
    std::fs::write(&manual, "考号,题号,得分\n2,5,4\n2,5\n").unwrap();
    grade_in(&d, &scan, "res2", &flag("--manual", &manual)).exits_saying(
        1,
        &[
            &format!("{}:3: 这一行不足 3 列", manual.display()),
            "hint: 每行依次写：考号,题号,得分[,评卷人]",
        ],
    );
}

/// Cells a spreadsheet would run (`=SUM(1)`, `-甲队`, `@丙`) are written with a `'` by the one
/// CSV writer, and every reader takes it off again: the scanner CSV, streamed by grade, gives
/// its name and team back as they were, and so does the roster, read whole.
#[test]
fn guarded_cells_read_back_as_written_through_the_scanner_csv_and_the_roster() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let write = |name: &str, rows: &[&[&str]]| {
        let mut w = examforge::input::table::Writer::new(Vec::new());
        for r in rows {
            w.write_record(*r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        std::fs::write(d.path().join(name), bytes).unwrap();
        d.path().join(name)
    };
    let scan = write(
        "scan.csv",
        &[
            &["考号", "姓名", "单位", "卷别", "1", "2", "3", "4", "5"],
            &[
                "1", "=SUM(1)", "-甲队", "A", "B", "A;C", "错", "2|co2", "7.5",
            ],
            &["2", "乙一", "乙队", "A", "C", "A", "对", "", ""],
        ],
    );
    let text = std::fs::read_to_string(&scan).unwrap();
    assert!(
        text.contains("'=SUM(1)") && text.contains("'-甲队"),
        "{text}"
    );
    let roster = write(
        "roster.csv",
        &[
            &["准考证号", "姓名", "单位"],
            &["1", "=SUM(1)", "-甲队"],
            &["2", "乙一", "乙队"],
            &["3", "@丙", "=丙队"],
        ],
    );
    let people = |out: &str| -> Vec<[String; 3]> {
        let path = d.path().join(out).join("results.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("'-") && !text.contains("'="), "{text}");
        let results: serde_json::Value = serde_json::from_str(&text).unwrap();
        results["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| ["id", "name", "team"].map(|k| c[k].as_str().unwrap().to_string()))
            .collect()
    };
    // The sheet alone (streamed).
    grade_in(&d, &scan, "sheet", &[]).assert().success();
    assert_eq!(
        people("sheet")[0],
        ["1", "=SUM(1)", "-甲队"].map(String::from)
    );
    // With the roster (read whole): the absent candidate keeps its name and team too.
    grade_in(&d, &scan, "roster", &flag("--roster", roster))
        .assert()
        .success();
    let listed = people("roster");
    for want in [["1", "=SUM(1)", "-甲队"], ["3", "@丙", "=丙队"]] {
        assert!(listed.contains(&want.map(String::from)), "{listed:?}");
    }
}

/// A scanner CSV whose header no layout knows, and a layout file with a mistake: told in
/// Chinese when the header or the layout file is written in Chinese, in English when not.
#[test]
fn a_scanner_csv_and_its_layout_file_are_told_in_their_language() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = write(d.path(), "scan.csv", "学号,姓名,第1题,第2题\n1,张三,B,AC\n");
    grade_in(&d, &scan, "r", &[]).exits_saying(
        1,
        &[
            &format!(
                "{}:1: 认不出这是哪种答题卡导出格式（表头：`学号`, `姓名`, `第1题`, `第2题`）",
                scan.display()
            ),
            "hint: 已知的格式：examforge, zipgrade",
            "用 `--csv-layout 文件.toml` 说明各列",
        ],
    );
    let layout = write(
        d.path(),
        "layout.toml",
        "[columns]\ncandidate = \"学号\"\n[answers]\npattern = \"第题\"\n",
    );
    grade_in(&d, &scan, "r", &flag("--csv-layout", &layout)).exits_saying(
        1,
        &[
            "layout.toml:4:11: `pattern = \"第题\"` 里没有 `{n}` 或 `{id}`",
            "hint: 用 {n} 标出题号的位置",
        ],
    );
    // The layout file's words made right, the CSV is read by it.
    std::fs::write(
        &layout,
        "[columns]\ncandidate = \"学号\"\n[answers]\npattern = \"第{n}题\"\n",
    )
    .unwrap();
    grade_in(&d, &scan, "r", &flag("--csv-layout", &layout))
        .exits_saying(0, &["已评分             1"]);
    // A column the layout names that the header does not have.
    std::fs::write(
        &layout,
        "[columns]\ncandidate = \"准考证号\"\n[answers]\npattern = \"第{n}题\"\n",
    )
    .unwrap();
    grade_in(&d, &scan, "r3", &flag("--csv-layout", &layout)).exits_saying(
        1,
        &[
            &format!(
                "{}:1: 表头里没有 `准考证号` 列（格式文件 `{}`）",
                scan.display(),
                layout.display()
            ),
            "hint: 表头有：",
        ],
    );
    // The English twins.
    let scan = write(
        d.path(),
        "scan2.csv",
        "Student,Name,Item 1,Item 2\n1,Zhang,B,AC\n",
    );
    grade_in(&d, &scan, "r2", &[]).exits_saying(
        1,
        &[
            &format!("{}:1: unknown answer-sheet layout", scan.display()),
            "hint: known layouts: examforge, zipgrade",
        ],
    );
    std::fs::write(
        &layout,
        "[columns]\ncandidate = \"Student\"\n[answers]\npattern = \"Item\"\n",
    )
    .unwrap();
    grade_in(&d, &scan, "r2", &flag("--csv-layout", &layout)).exits_saying(
        1,
        &["layout.toml:4:11: `pattern = \"Item\"` has no `{n}` or `{id}`"],
    );
    std::fs::write(
        &layout,
        "[columns]\ncandidate = \"Student ID\"\n[answers]\npattern = \"Item {n}\"\n",
    )
    .unwrap();
    grade_in(&d, &scan, "r2", &flag("--csv-layout", &layout)).exits_saying(
        1,
        &[
            &format!(
                "{}:1: column `Student ID` is not in the header (layout `{}`)",
                scan.display(),
                layout.display()
            ),
            "hint: the header has:",
        ],
    );
}

/// A sheet with nothing marked is graded 0 with a warning, in the language of the sheet.
#[test]
fn a_blank_sheet_is_warned_about_in_the_sheets_language() {
    let d = tmp();
    draw_grade_fixture(d.path());
    let scan = write(
        d.path(),
        "scan.csv",
        "candidate,name,team,paper,1,2,3,4,5\n1,Zhang,A,A,B,AC,,,\n2,Li,A,A,,,,,\n",
    );
    grade_in(&d, &scan, "r", &[]).exits_saying(
        0,
        &[&format!(
            "warning: {}:3: nothing is marked on the sheet of `2`: graded 0",
            scan.display()
        )],
    );
    let scan = grade_sheet(d.path(), "1,张三,甲,A,B,AC,,,\n2,李四,甲,A,,,,,\n");
    grade_in(&d, &scan, "r2", &[]).exits_saying(
        0,
        &[&format!(
            "warning: {}:3: `2` 的答题卡上什么也没有填涂：记 0 分",
            scan.display()
        )],
    );
}

/// A Chinese scanner export as people head it (`支队`, `试卷`): every column is read, what
/// is not read is named, and the summary and rejected.csv speak Chinese; without any paper
/// column an exam of two papers stops at the header instead of rejecting every row.
#[test]
fn a_chinese_export_headed_its_own_way_is_read_or_stopped_at_the_header() {
    let (d, m) = drawn("question-banks/closed-book.toml", "17");
    let papers = m["papers"].as_array().unwrap();
    assert!(papers.len() > 1, "the bundled exam has several papers");
    let numbers: Vec<u64> = papers[0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().iter())
        .flat_map(|it| match it["parts"].as_array() {
            Some(parts) => parts
                .iter()
                .map(|l| l["number"].as_u64().unwrap())
                .collect(),
            None => vec![it["number"].as_u64().unwrap()],
        })
        .collect();
    let items: Vec<String> = numbers.iter().map(u64::to_string).collect();
    let blanks = ",".repeat(numbers.len());
    let body = format!(
        "26010001,张三,第一支队,A,3{blanks}\n26010002,李四,第二支队,B,5{blanks}\n26010003,王五,第二支队,C,4{blanks}\n"
    );
    let head = |team: &str, paper: &str| {
        format!(
            "准考证号,姓名,{team},{paper},总分{}{}\n",
            if items.is_empty() { "" } else { "," },
            items.join(",")
        )
    };
    let scan = write(
        d.path(),
        "scan.csv",
        format!("{}{body}", head("支队", "试卷")),
    );
    grade_in(&d, &scan, "res", &[]).exits_saying(
        3,
        &[
            &format!("warning: {}:1: 没有读取这些列：`总分`", scan.display()),
            "已评分             2",
            "拒收               1  （见 rejected.csv）",
        ],
    );
    let res = read_csv(&d.path().join("res/results.csv"));
    let team_of = |id: &str| res.iter().find(|r| r[0] == id).unwrap()[2].clone();
    assert_eq!(team_of("26010001"), "第一支队");
    assert_eq!(team_of("26010002"), "第二支队");
    let rejected = read_csv(&d.path().join("res/rejected.csv"));
    assert_eq!(rejected[1][1], "26010003");
    assert!(
        rejected[1][2].starts_with("试卷代码 `C` 不是本次考试的"),
        "{:?}",
        rejected[1]
    );
    // No paper column: stopped at the header, in Chinese, nothing written.
    let scan = write(
        d.path(),
        "scan2.csv",
        format!("{}{body}", head("支队", "备注")),
    );
    grade_in(&d, &scan, "res2", &[]).exits_saying(
        1,
        &[&format!(
            "error: {}:1: 没有哪一列写明每张答题卡用的是哪套试卷，而本次考试有 {} 套试卷",
            scan.display(),
            papers.len()
        )],
    );
    assert!(!d.path().join("res2").exists());
    // The same in English for an English header.
    let scan = write(
        d.path(),
        "scan3.csv",
        format!(
            "candidate,name,team,{}\n26010001,Zhang,One,3{blanks}\n",
            ["form".to_string()]
                .into_iter()
                .chain(items.iter().cloned())
                .collect::<Vec<_>>()
                .join(",")
        ),
    );
    grade_in(&d, &scan, "res3", &[]).exits_saying(
        1,
        &[&format!(
            "error: {}:1: no column says which paper each sheet was written on",
            scan.display()
        )],
    );
}

use super::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/report";

/// The cell a candidate writes for question `q` answering `bank` (bank letter, or T/F).
fn printed_cell(item: &Value, bank: &str) -> String {
    if bank.is_empty() {
        return String::new();
    }
    match bank {
        "T" => return "√".into(),
        "F" => return "×".into(),
        _ => {}
    }
    let want = (bank.as_bytes()[0] - b'A') as u64;
    let order = item["order"].as_array().unwrap();
    let printed = order.iter().position(|o| o.as_u64() == Some(want)).unwrap();
    ((b'A' + printed as u8) as char).to_string()
}

/// Nine candidates of falling strength on A and B: the strong get r1…r5 right and pick B on `bad`,
/// the weak miss them and pick `bad`'s key A. Totals 5 5 4 4 3 3 3 2 1.
fn scan(exam: &Path, out: &Path) {
    let strength = [5, 5, 4, 4, 3, 2, 2, 1, 0];
    let teams = ["甲", "乙", "丙"];
    let people: Vec<[String; 3]> = (0..strength.len())
        .map(|k| {
            [
                format!("26{k:02}"),
                format!("考生{k}"),
                teams[k % 3].to_string(),
            ]
        })
        .collect();
    scan_people(exam, out, &people, &strength);
}

/// Candidates (id, name, team) of the given strengths, alternating papers A and B: one of
/// strength `s` gets the first `s` of r1…r5 right and, when `s` ≥ 3, picks B on `bad`; the weak
/// pick `bad`'s key A. Totals by strength 0…5: 1 2 3 3 4 5.
fn scan_people(exam: &Path, out: &Path, people: &[[String; 3]], strength: &[usize]) {
    let m = read_json(exam);
    let keys = [
        ("r1", "A"),
        ("r2", "B"),
        ("r3", "C"),
        ("r4", "D"),
        ("r5", "T"),
    ];
    let wrong = [
        ("r1", "B"),
        ("r2", "C"),
        ("r3", "D"),
        ("r4", "A"),
        ("r5", "F"),
    ];
    let mut w = csv::Writer::from_path(out).unwrap();
    w.write_record([
        "candidate",
        "name",
        "team",
        "paper",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    ])
    .unwrap();
    for (k, &s) in strength.iter().enumerate() {
        let paper = &m["papers"][k % 2];
        let mut row = people[k].to_vec();
        row.push(paper["code"].as_str().unwrap().to_string());
        for sec in paper["sections"].as_array().unwrap() {
            for it in sec["items"].as_array().unwrap() {
                let q = it["question"].as_str().unwrap();
                let answer = if q == "bad" {
                    if s >= 3 {
                        "B"
                    } else {
                        "A"
                    }
                } else {
                    let i = keys.iter().position(|(id, _)| *id == q).unwrap();
                    if i < s {
                        keys[i].1
                    } else {
                        wrong[i].1
                    }
                };
                row.push(printed_cell(it, answer));
            }
        }
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

/// The fixture's blueprint: papers A and B of six questions, pass line 4.
fn blueprint() -> PathBuf {
    root().join(FIXTURE).join("blueprint.toml")
}

/// The papers drawn from `blueprint` with seed 5 into `dir`, and the nine candidates' answers
/// beside them in scan.csv.
fn sat(dir: &Path, blueprint: &Path) {
    draw(blueprint, "5", dir).assert().success();
    scan(&dir.join("exam.json"), &dir.join("scan.csv"));
}

/// `grade DIR/exam.json DIR/scan.csv -o DIR/res`.
fn grade_res(dir: &Path) -> assert_cmd::Command {
    grade(
        &dir.join("exam.json"),
        &dir.join("scan.csv"),
        &dir.join("res"),
    )
}

/// Draws the fixture's A/B papers, grades the nine candidates, and returns the temp folder.
fn graded() -> tempfile::TempDir {
    graded_from(tmp(), &blueprint())
}

/// [`graded`], then `report res -o rep ARGS…`; the folder and rep/.
fn graded_and_reported(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let d = graded();
    let out = d.path().join("rep");
    report(&d.path().join("res"), &out)
        .args(args)
        .assert()
        .success();
    (d, out)
}

fn graded_from(d: tempfile::TempDir, blueprint: &Path) -> tempfile::TempDir {
    sat(d.path(), blueprint);
    grade_res(d.path()).assert().success();
    d
}

#[test]
fn the_report_flags_the_question_whose_key_the_weakest_pick() {
    let d = graded();
    let out = d.path().join("rep");
    report(&d.path().join("res"), &out)
        .args(["--banks", FIXTURE, "--format", "csv"])
        .exits_saying(0, &["9 名考生，6 道题"]);
    let items = read_csv(&out.join("item-analysis.csv"));
    assert_eq!(
        items[0][..10],
        cells("question kind n facility sd discrimination efficiency blank multi flags")
    );
    // One row per bank question, over both paper codes.
    assert_eq!(items.len(), 7, "{items:?}");
    let bad = items.iter().find(|r| r[0] == "bad").unwrap();
    assert_eq!(bad[2], "9");
    // Four weak candidates chose the key A: facility 4/9.
    assert_eq!(bad[3], "0.444");
    assert!(bad[5].starts_with('-'), "negative discrimination: {bad:?}");
    assert!(bad[9].contains("key-suspect"), "{bad:?}");
    assert!(bad[9].contains("negative-discrimination"), "{bad:?}");
    // Where to fix it: the bank file and the line of its [[question]].
    assert_eq!(bad[10], format!("{FIXTURE}/bank.toml:46"));
    // A good question is not suspected.
    let r1 = items.iter().find(|r| r[0] == "r1").unwrap();
    assert!(!r1[9].contains("key-suspect"), "{r1:?}");
    assert!(r1[5].parse::<f64>().unwrap() > 0.2, "{r1:?}");

    // Ranking: ties share a rank (1, 1, 3, 3, 5, …).
    let ranking = read_csv(&out.join("ranking.csv"));
    let ranks: Vec<&str> = ranking[1..].iter().map(|r| r[0].as_str()).collect();
    let scores: Vec<&str> = ranking[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(scores, ["5", "5", "4", "4", "3", "3", "3", "2", "1"]);
    assert_eq!(ranks, ["1", "1", "3", "3", "5", "5", "5", "8", "9"]);
    let teams = read_csv(&out.join("teams.csv"));
    assert_eq!(teams[0], ["rank", "team", "score", "members"]);
    assert_eq!(teams.len(), 4);

    let s = read_json(&out.join("summary.json"));
    // Totals 5 5 4 4 3 3 3 2 1: mean 30/9, median 3, 4 of 9 at or above the pass line 4.
    assert!((s["mean"].as_f64().unwrap() - 30.0 / 9.0).abs() < 1e-9);
    assert_eq!(s["median"].as_f64(), Some(3.0));
    assert!((s["pass_rate"].as_f64().unwrap() - 4.0 / 9.0).abs() < 1e-9);
    assert!(s["alpha"].is_f64() && s["sem"].is_f64(), "{s}");
    let summary = read_csv(&out.join("summary.csv"));
    assert!(summary.iter().any(|r| r[0] == "alpha"));
    // Only what was asked for.
    assert!(!out.join("report.pdf").exists() && !out.join("report.html").exists());
}

#[test]
fn report_pdf_holds_the_ranking_and_the_flags() {
    let (_d, out) = graded_and_reported(&["--banks", FIXTURE, "--format", "pdf"]);
    let text = pdf_text(&out.join("report.pdf"));
    for want in [
        "报告测试",
        "考试分析报告",
        "个人排名",
        "2600",
        "2608",
        "单位排名",
        "需复核的试题",
        "答案可能有误",
        "区分度 -0.88，为负",
        "bank.toml:46",
        "合格率",
    ] {
        assert!(
            text.contains(want),
            "`{want}` missing from report.pdf:\n{text}"
        );
    }
}

#[test]
fn report_html_is_one_self_contained_page() {
    let (_d, out) = graded_and_reported(&["--format", "html"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "two inline charts");
    assert!(html.contains("答案可能有误"));
    assert!(html.contains("合格线"), "the pass line is marked");
    for external in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(external), "`{external}` in report.html");
    }
}

#[test]
fn an_english_exam_gets_english_labels() {
    let d = tmp();
    let bp = std::fs::read_to_string(blueprint()).unwrap();
    let bp = write(
        d.path(),
        "blueprint.toml",
        bp.replace("[exam]\n", "[exam]\nlanguage = \"en\"\n"),
    );
    std::fs::copy(
        root().join(FIXTURE).join("bank.toml"),
        d.path().join("bank.toml"),
    )
    .unwrap();
    let d = graded_from(d, &bp);
    let out = d.path().join("rep");
    report(&d.path().join("res"), &out)
        .args(["--format", "html"])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for want in [
        "Exam report",
        "Questions to review",
        "key looks wrong: the top third prefers",
        "Cronbach",
        "Ranking",
    ] {
        assert!(html.contains(want), "`{want}` missing");
    }
    assert!(!html.contains("考试分析报告"));
    // exam.json sits beside the bank here, so the line is found without --banks.
    let items = read_csv(&out.join("item-analysis.csv"));
    let bad = items.iter().find(|r| r[0] == "bad").unwrap();
    assert!(bad[10].ends_with("bank.toml:46"), "{bad:?}");
}

#[test]
fn a_bank_that_is_gone_is_named_by_path_only() {
    let d = graded();
    let out = d.path().join("rep");
    // exam.json names bank.toml relative to the blueprint; neither here nor beside exam.json.
    report(&d.path().join("res"), &out)
        .args(["--format", "csv"])
        .assert()
        .success();
    let items = read_csv(&out.join("item-analysis.csv"));
    let bad = items.iter().find(|r| r[0] == "bad").unwrap();
    assert_eq!(bad[10], "bank.toml");
    let s = read_json(&out.join("summary.json"));
    assert!(s["banks"][0].as_str().unwrap().contains("not found"), "{s}");
}

#[test]
fn grade_with_report_writes_the_report_beside_the_results() {
    let d = tmp();
    sat(d.path(), &blueprint());
    grade_res(d.path()).arg("--report").assert().success();
    for f in [
        "report.pdf",
        "report.html",
        "item-analysis.csv",
        "ranking.csv",
        "summary.json",
    ] {
        assert!(d.path().join("res/report").join(f).is_file(), "{f}");
    }
    // With the grading outputs gone but the report's still there, nothing is graded or written.
    for f in ["results.json", "results.csv", "items.csv", "rejected.csv"] {
        std::fs::remove_file(d.path().join("res").join(f)).unwrap();
    }
    grade_res(d.path())
        .arg("--report")
        .exits_saying(1, &["already exists"]);
    assert!(!d.path().join("res/results.csv").exists());
}

#[test]
fn an_items_row_of_another_exam_is_an_error_naming_its_line() {
    let d = graded();
    let items = d.path().join("res/items.csv");
    let text = std::fs::read_to_string(&items).unwrap();
    std::fs::write(&items, text.replacen(",r1,", ",zz9,", 1)).unwrap();
    let line = text.lines().position(|l| l.contains(",r1,")).unwrap() + 1;
    report(&d.path().join("res"), &d.path().join("rep"))
        .args(["--format", "csv"])
        .exits_saying(
            1,
            &[
                &format!("items.csv:{line}: question `zz9` is not in exam.json"),
                "hint:",
            ],
        );
}

#[test]
fn report_needs_force_to_replace_and_an_exam_it_can_find() {
    let d = graded();
    let run = |extra: &[&str]| {
        let mut c = report(&d.path().join("res"), &d.path().join("rep"));
        c.args(["--format", "csv"]).args(extra);
        c
    };
    run(&[]).assert().success();
    run(&[]).exits_saying(1, &["already exists"]);
    run(&["--force"]).assert().success();
    // Another exam.json than the one graded against is refused.
    let other = d.path().join("other.json");
    let text = std::fs::read_to_string(d.path().join("exam.json")).unwrap();
    std::fs::write(&other, text.replacen("\"seed\": 5", "\"seed\": 6", 1)).unwrap();
    assert_ne!(std::fs::read_to_string(&other).unwrap(), text);
    run(&["--force", "--exam", other.to_str().unwrap()]).exits_saying(
        1,
        &["is not the exam.json these results were graded against"],
    );
    run(&["--force", "--exam", "nowhere/exam.json"])
        .exits_saying(1, &["`nowhere/exam.json` not found", "--exam"]);
}

#[test]
fn the_same_results_give_byte_identical_reports() {
    let d = graded();
    for out in ["rep1", "rep2"] {
        report(&d.path().join("res"), &d.path().join(out))
            .args(["--banks", FIXTURE, "--format", "html"])
            .assert()
            .success();
    }
    for f in [
        "summary.csv",
        "item-analysis.csv",
        "ranking.csv",
        "teams.csv",
        "summary.json",
        "report.html",
        "report-scores.svg",
    ] {
        assert_eq!(
            std::fs::read(d.path().join("rep1").join(f)).unwrap(),
            std::fs::read(d.path().join("rep2").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn a_report_template_override_is_used_and_its_errors_name_the_line() {
    let d = graded();
    let t = template_override(
        &d.path().join("templates"),
        "report.html.j2",
        "<p>{{ title }}: α = {{ facts[-2][1] }}, {{ flagged|length }} flagged</p>\n",
    );
    let out = d.path().join("rep");
    report(&d.path().join("res"), &out)
        .args(["--format", "html", "--templates"])
        .arg(&t)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<p>报告测试: α = 0."), "{html}");
    assert!(html.contains(" flagged</p>"), "{html}");

    std::fs::write(t.join("report.html.j2"), "ok\n{{ no_such_thing }}\n").unwrap();
    report(&d.path().join("res"), &out)
        .args(["--format", "html", "--force", "--templates"])
        .arg(&t)
        .exits_saying(1, &["template `report.html.j2` line 2"]);
}

/// A trainer grades in the project folder with relative paths, then reports from elsewhere
/// (another folder, a script): exam.json is found from the results folder.
#[test]
fn report_finds_the_exam_from_another_folder() {
    let project = tmp();
    let p = project.path();
    draw(blueprint(), "5", Path::new("exam"))
        .current_dir(p)
        .assert()
        .success();
    scan(&p.join("exam/exam.json"), &p.join("scan.csv"));
    let relative = Path::new;
    grade(
        relative("exam/exam.json"),
        relative("scan.csv"),
        relative("results"),
    )
    .current_dir(p)
    .assert()
    .success();
    let json = read_json(&p.join("results/results.json"));
    assert_eq!(json["manifest"], "../exam/exam.json");
    let elsewhere = tmp();
    report(&p.join("results"), relative("rep"))
        .current_dir(elsewhere.path())
        .args(["--format", "csv"])
        .exits_saying(0, &["9 名考生，6 道题"]);
    assert!(elsewhere.path().join("rep/item-analysis.csv").is_file());
}

/// `report results/ -o results/` writes beside grade's files: the item analysis has its own
/// name, and grade's items.csv (one row per candidate and item) stays as it was.
#[test]
fn a_report_into_the_results_folder_keeps_what_grade_wrote() {
    let d = graded();
    let res = d.path().join("res");
    let before = std::fs::read(res.join("items.csv")).unwrap();
    for _ in 0..2 {
        report(&res, &res)
            .args(["--format", "csv", "--force"])
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(res.join("items.csv")).unwrap(), before);
    assert_eq!(read_csv(&res.join("item-analysis.csv"))[0][0], "question");
}

/// An output that would replace an input is refused, even with --force.
#[test]
fn grade_refuses_to_write_over_its_own_answers() {
    let d = graded();
    // The scanner's CSV, saved by mistake as results.csv in the results folder.
    let answers = d.path().join("res/results.csv");
    std::fs::copy(d.path().join("scan.csv"), &answers).unwrap();
    let scanned = std::fs::read(&answers).unwrap();
    grade(&d.path().join("exam.json"), &answers, &d.path().join("res"))
        .arg("--force")
        .exits_saying(1, &["is an input of this command and would be overwritten"]);
    assert_eq!(std::fs::read(&answers).unwrap(), scanned);
}

/// Every output of grade and its report (CSV, JSON, the PDF typst writes) is readable like any
/// file the user writes: mode 0666 less the umask.
#[cfg(unix)]
#[test]
fn outputs_are_written_with_the_users_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let d = tmp();
        sat(d.path(), &blueprint());
        let res = d.path().join("res");
        let status = std::process::Command::new("sh")
            .current_dir(root())
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("examforge"))
            .arg("grade")
            .arg(d.path().join("exam.json"))
            .arg(d.path().join("scan.csv"))
            .arg("--report")
            .arg("-o")
            .arg(&res)
            .status()
            .unwrap();
        assert!(status.success());
        for f in [
            "results.csv",
            "results.json",
            "items.csv",
            "rejected.csv",
            "report/ranking.csv",
            "report/report.pdf",
            "report/summary.json",
        ] {
            let m = std::fs::metadata(res.join(f)).unwrap().permissions().mode();
            assert_eq!(m & 0o777, mode, "{f} under umask {umask}: {:o}", m & 0o777);
        }
    }
}

/// results.csv opened and re-saved by Excel on Chinese Windows (GB18030) reports as before:
/// the same ranking, names and teams intact.
#[test]
fn a_results_csv_resaved_as_gb18030_reports_alike() {
    let d = graded();
    let res = d.path().join("res");
    let report = |out: &str| {
        report(&res, &d.path().join(out))
            .args(["--format", "csv"])
            .assert()
            .success();
        std::fs::read_to_string(d.path().join(out).join("ranking.csv")).unwrap()
    };
    let utf8 = report("utf8");
    let text = std::fs::read_to_string(res.join("results.csv")).unwrap();
    let gb = gb18030(&text);
    assert_ne!(gb, text.as_bytes(), "the fixture has Chinese text");
    std::fs::write(res.join("results.csv"), gb).unwrap();
    assert_eq!(report("gb"), utf8);
}

/// The bundled roster's 65 candidates on the fixture's A/B papers (pass line 4): 50 pass, 15 fail.
#[test]
fn a_report_of_65_lists_every_one_of_the_15_who_failed() {
    let d = tmp();
    draw(blueprint(), "5", d.path()).assert().success();
    let roster = read_csv(&root().join("question-banks/roster.csv"));
    let people: Vec<[String; 3]> = roster[1..]
        .iter()
        .map(|r| [r[0].clone(), r[1].clone(), r[2].clone()])
        .collect();
    assert_eq!(people.len(), 65);
    // Every fifth candidate fails at 2 or 3 points (13 of them), and the last two with 1: the
    // failures are spread through the roster, not its tail.
    let strength: Vec<usize> = (0..65)
        .map(|k| match k {
            63 | 64 => 0,
            k if k % 5 == 2 => [1, 2, 3][k % 3],
            k => 4 + k % 2,
        })
        .collect();
    let failing: Vec<&str> = people
        .iter()
        .zip(&strength)
        .filter(|(_, s)| **s < 4)
        .map(|(p, _)| p[0].as_str())
        .collect();
    assert_eq!(failing.len(), 15);
    scan_people(
        &d.path().join("exam.json"),
        &d.path().join("scan.csv"),
        &people,
        &strength,
    );
    grade_res(d.path()).assert().success();
    let out = d.path().join("rep");
    report(&d.path().join("res"), &out)
        .args(["--banks", FIXTURE])
        .assert()
        .success();

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let failing_html = &html[html.find("不合格名单</h2>").expect("a failing list")..];
    let failing_html = &failing_html[..failing_html.find("</table>").unwrap()];
    for id in &failing {
        assert!(
            failing_html.contains(&format!("<td>{id}</td>")),
            "{id} not listed"
        );
    }
    assert_eq!(
        failing_html.matches("<tr>").count(),
        16,
        "a header and the 15"
    );

    let text = pdf_text(&out.join("report.pdf"));
    let list = &text[text.find("不合格名单").expect("a failing list in the PDF")..];
    assert!(list.contains("15 人未达到合格线（4 分）"), "{list}");
    for id in &failing {
        assert!(
            list.contains(id),
            "{id} missing from the PDF's failing list:\n{list}"
        );
    }
    // The opening says it in words, and the top-50 list is still there.
    for want in [
        "65 人参加考试，50 人合格（4 分及以上），15 人不合格",
        "共 65 人，列出前 50 名；全部名次见 ranking.csv。",
    ] {
        assert!(
            text.contains(want),
            "`{want}` missing from report.pdf:\n{text}"
        );
        assert!(html.contains(want), "`{want}` missing from report.html");
    }
}

/// The caption under the ranking's heading is text, not Typst strings pasted together.
#[test]
fn the_ranking_caption_reads_as_a_sentence() {
    let (_d, out) = graded_and_reported(&["--banks", FIXTURE, "--list", "5"]);
    let want = "共 9 人，列出前 5 名；全部名次见 ranking.csv。";
    let typ = std::fs::read_to_string(out.join("report.typ")).unwrap();
    assert!(typ.contains(&format!("#\"{want}\";")), "one Typst string");
    let text = pdf_text(&out.join("report.pdf"));
    let line = text.lines().find(|l| l.contains("列出前")).unwrap();
    assert_eq!(line.trim(), want);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&format!("<p class=\"note\">{want}</p>")));
}

/// Questions are shown as the papers print them: the number on each paper, the stem's first
/// words, the options in printed order and letters, the key as printed, √/× for true/false.
#[test]
fn questions_appear_by_their_printed_number_and_letters() {
    let (d, out) = graded_and_reported(&["--format", "html"]);
    let m = read_json(&d.path().join("exam.json"));
    let find = |code: usize, q: &str| -> Value {
        m["papers"][code]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap().clone())
            .find(|it| it["question"] == q)
            .unwrap()
    };
    let (a, b) = (find(0, "bad"), find(1, "bad"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let number = format!("<b>A卷 {} · B卷 {}</b>", a["number"], b["number"]);
    assert!(html.contains(&number), "`{number}` missing");
    // Paper A's key letter, and the text of the option printed there.
    let key = a["answer"]["choice"][0].as_u64().unwrap() as usize;
    let letter = (b'A' + key as u8) as char;
    assert!(
        html.contains(&format!("答案：<b>{letter}</b>")),
        "key {letter}"
    );
    let text = a["options"][key].as_str().unwrap();
    assert!(
        html.contains(&format!("{letter}* {text}")),
        "{letter}* {text}"
    );
    let stem: String = a["stem"].as_str().unwrap().chars().take(4).collect();
    assert!(html.contains(&stem), "the stem's first words");
    // The opening names it the same way, with the reason in a few words.
    let review = format!(
        "建议复核 1 道题：A卷第 {} 题、B卷第 {} 题「{stem}",
        a["number"], b["number"]
    );
    assert!(html.contains(&review), "`{review}` missing");
    assert!(html.contains("」：答案可能有误"));
    // The true/false item: √ and ×, never T and F.
    let row = html
        .lines()
        .find(|l| l.contains("<td>判断</td>"))
        .expect("a judge row");
    assert!(row.contains("√") && row.contains("×"), "{row}");
    assert!(!row.contains("T ") && !row.contains("F*"), "{row}");
}

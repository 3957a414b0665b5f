//! Corrections after the sheets are read: points given by hand, two markers (双评) and the
//! arbitrator (仲裁), appeals (复核), and candidates who did not sit (缺考).

use super::*;
use std::ffi::OsString;
use std::path::Path;

/// `grade D/exam.json D/scan.csv EXTRA… -o D/OUT`: the grading fixture drawn into `d`
/// ([`draw_grade_fixture`]) and its sheet ([`grade_sheet`]).
fn grade_scan(d: &Path, out: &str, extra: &[OsString]) -> assert_cmd::Command {
    let mut c = grade(&d.join("exam.json"), &d.join("scan.csv"), &d.join(out));
    c.args(extra);
    c
}

/// A column of results.csv by header name, per candidate id.
fn column(out: &Path, name: &str) -> Vec<(String, String)> {
    let rows = read_csv(&out.join("results.csv"));
    let c = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[c].clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// (number, status, points) of a candidate's items in items.csv.
fn items(out: &Path, candidate: &str) -> Vec<(String, String, String)> {
    read_csv(&out.join("items.csv"))
        .into_iter()
        .filter(|r| r[0] == candidate)
        .map(|r| (r[2].clone(), r[5].clone(), r[6].clone()))
        .collect()
}

fn item(n: &str, status: &str, points: &str) -> (String, String, String) {
    (n.into(), status.into(), points.into())
}

/// A `--manual` row replaces what the sheet scored, for a choice, a fill and a short answer.
#[test]
fn a_manual_score_replaces_the_sheets_score_for_every_kind() {
    let d = tmp();
    let d = d.path();
    draw_grade_fixture(d);
    // Everything right on the sheet: 2 + 4 + 1 + 2 + 7 = 16.
    grade_sheet(d, "1,张三,甲,A,B,AC,错,2|CO2,7\n");
    // The single marked 0 by hand (a torn sheet), one fill blank refused, the short answer re-marked.
    let manual = write(d, "manual.csv", "考号,题号,得分\n1,1,0\n1,4,1\n1,5,5\n");
    grade_scan(d, "r", &flag("--manual", &manual))
        .assert()
        .success();
    // 0 + 4 + 1 + 1 + 5.
    assert_eq!(column(&d.join("r"), "score"), pairs(&[("1", "11")]));
    assert_eq!(
        items(&d.join("r"), "1"),
        [
            item("1", "manual", "0"),
            item("2", "ok", "4"),
            item("3", "ok", "1"),
            item("4", "manual", "1"),
            item("5", "manual", "5"),
        ]
    );

    // Points outside 0..=points, an item not on the paper, a candidate without a sheet.
    for (text, line, message) in [
        (
            "1,2,5\n",
            2,
            "5 points for item 2 of candidate `1` is outside 0–4",
        ),
        (
            "1,1,1\n1,9,1\n",
            3,
            "item `9` is not on paper A of candidate `1`",
        ),
        ("7,1,1\n", 2, "candidate `7` has no sheet in"),
    ] {
        std::fs::write(&manual, format!("candidate,item,points\n{text}")).unwrap();
        grade_scan(d, "bad", &flag("--manual", &manual))
            .exits_saying(1, &[&format!("{}:{line}: {message}", manual.display())]);
        assert!(!d.join("bad/results.csv").exists(), "nothing written");
    }
    // The same mistakes in a file with Chinese headers: told in Chinese, at the same lines.
    for (text, line, message, hint) in [
        (
            "1,2,5\n",
            2,
            "考生 `1` 的第 2 题给了 5 分，不在 0–4 分之内",
            "第 2 题满分 4 分：给 0 到 4 分",
        ),
        (
            "1,1,1\n1,9,1\n",
            3,
            "考生 `1` 的 A 卷上没有第 9 题",
            "写试卷上印的题号（1–5）或题目编号",
        ),
        ("7,1,1\n", 2, "考生 `7` 在 ", "核对考号与答题卡"),
    ] {
        std::fs::write(&manual, format!("考号,题号,得分\n{text}")).unwrap();
        grade_scan(d, "bad", &flag("--manual", &manual)).exits_saying(
            1,
            &[
                &format!("{}:{line}: {message}", manual.display()),
                &format!("hint: {hint}"),
            ],
        );
        assert!(!d.join("bad/results.csv").exists(), "nothing written");
    }
}

/// Two markers (双评): within the tolerance their mean; beyond it the item waits for a third
/// mark (仲裁), and the third settles it by the two closest marks.
#[test]
fn two_markers_beyond_the_tolerance_send_the_item_to_arbitration() {
    let d = tmp();
    let d = d.path();
    draw_grade_fixture(d);
    grade_sheet(
        d,
        "1,张三,甲,A,B,AC,错,2|CO2,\n2,李四,甲,A,B,AC,错,2|CO2,\n",
    );
    let two = "candidate,item,points,marker\n1,5,6,李\n1,5,7,王\n2,5,3,李\n2,5,7,王\n";
    let manual = write(d, "manual.csv", two);
    grade_scan(d, "r", &flag("--manual", &manual)).exits_saying(3, &["待仲裁", "1 名考生待定"]);
    let r = d.join("r");
    // 1: 9 + (6 + 7) / 2; 2: 9 + the two marks' mean, pending.
    assert_eq!(column(&r, "score"), pairs(&[("1", "15.5"), ("2", "14")]));
    assert_eq!(
        column(&r, "status"),
        pairs(&[("1", "graded"), ("2", "pending")])
    );
    // Whether 2 passes waits for the third mark.
    assert_eq!(column(&r, "pass"), pairs(&[("1", "true"), ("2", "")]));
    assert_eq!(items(&r, "1")[4], item("5", "double", "6.5"));
    assert_eq!(items(&r, "2")[4], item("5", "arbitration", "5"));
    let arb = read_csv(&r.join("arbitration.csv"));
    assert_eq!(
        arb,
        [
            cells("candidate name item question max tolerance marks markers lines"),
            vec!["2", "李四", "5", "q1", "8", "1", "3 7", "李 王", "4 5"]
        ]
    );
    assert_eq!(
        read_json(&r.join("results.json"))["candidates"][1]["status"],
        "pending"
    );

    // The arbitrator's mark arrives: 3, 7 and 6 → (7 + 6) / 2.
    std::fs::write(&manual, format!("{two}2,5,6,赵\n")).unwrap();
    grade_scan(
        d,
        "r",
        &[flag("--manual", &manual), vec!["--force".into()]].concat(),
    )
    .assert()
    .success();
    assert_eq!(column(&r, "score"), pairs(&[("1", "15.5"), ("2", "15.5")]));
    assert_eq!(items(&r, "2")[4], item("5", "arbitrated", "6.5"));
    assert_eq!(
        read_csv(&r.join("arbitration.csv")).len(),
        1,
        "none waiting"
    );

    // A wider tolerance for item 5 averages 3 and 7.
    std::fs::write(&manual, two).unwrap();
    let mut extra = flag("--manual", &manual);
    extra.extend(["--double-tolerance".into(), "5=4".into()]);
    grade_scan(d, "wide", &extra).assert().success();
    assert_eq!(items(&d.join("wide"), "2")[4], item("5", "double", "5"));

    // One marker twice for one item is an error, not a silent pick: told in Chinese when the
    // file is Chinese (its markers' names), in English when it is not.
    std::fs::write(
        &manual,
        "candidate,item,points,marker\n1,5,6,李\n1,5,7,李\n",
    )
    .unwrap();
    grade_scan(d, "twice", &flag("--manual", &manual)).exits_saying(
        1,
        &[
            &format!(
                "{}:3: 评卷人 `李` 给考生 `1` 的第 5 题评了两次（另一次在第 2 行）",
                manual.display()
            ),
            "hint: 每位评卷人每道题只给一个评分",
        ],
    );
    std::fs::write(
        &manual,
        "candidate,item,points,marker\n1,5,6,Li\n1,5,7,Li\n",
    )
    .unwrap();
    grade_scan(d, "twice", &flag("--manual", &manual)).exits_saying(
        1,
        &[&format!(
            "{}:3: marker `Li` marked item 5 of candidate `1` twice (also line 2)",
            manual.display()
        )],
    );
}

const APPEAL: &str = "[[appeal]]\ncandidate = \"1\"\nitem = 4\nscore = 2\n\
    reason = \"复核：第1空“二”与“2”同义，可接受\"\ndate = 2026-12-01\nby = \"张三\"\n";

/// An appeal changes one item's points on every run, and the change is logged and published.
#[test]
fn an_appeal_changes_an_item_and_is_logged() {
    let d = tmp();
    let d = d.path();
    draw_grade_fixture(d);
    // Candidate 1 wrote 两 in the first blank: 1 of 2 on the fill, 15 in all.
    grade_sheet(
        d,
        "1,张三,甲,A,B,AC,错,两|CO2,7\n2,李四,甲,A,B,AC,错,2|CO2,6\n",
    );
    let appeals = write(d, "appeals.toml", APPEAL);
    grade_scan(d, "r", &flag("--appeals", &appeals)).exits_saying(0, &["复核改分"]);
    let r = d.join("r");
    assert_eq!(column(&r, "score"), pairs(&[("1", "16"), ("2", "15")]));
    assert_eq!(items(&r, "1")[3], item("4", "appeal", "2"));
    assert_eq!(
        read_csv(&r.join("changes.csv")),
        [
            cells("candidate name item question old new reason date by"),
            vec![
                "1",
                "张三",
                "4",
                "f1",
                "1",
                "2",
                "复核：第1空“二”与“2”同义，可接受",
                "2026-12-01",
                "张三"
            ]
        ]
    );
    let v = read_json(&r.join("results.json"));
    let a = &v["candidates"][0]["appeals"][0];
    assert_eq!(
        (a["old"].as_f64(), a["new"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    assert_eq!(a["reason"], "复核：第1空“二”与“2”同义，可接受");
    assert_eq!(v["candidates"][0]["rank"], 1);

    // A correction to the sheet and a rerun: the appeal still applies.
    grade_sheet(
        d,
        "1,张三,甲,A,A,AC,错,两|CO2,7\n2,李四,甲,A,B,AC,错,2|CO2,6\n",
    );
    let mut extra = flag("--appeals", &appeals);
    extra.push("--force".into());
    grade_scan(d, "r", &extra).assert().success();
    // The single now wrong (−1 under negative marking): 16 − 3.
    assert_eq!(column(&r, "score"), pairs(&[("1", "13"), ("2", "15")]));
    assert_eq!(items(&r, "1")[3], item("4", "appeal", "2"));

    // An unknown candidate or item is an error at the appeal, told in Chinese: the file is
    // written in Chinese (its reasons).
    for (text, message) in [
        (
            APPEAL.replace("\"1\"", "\"9\""),
            "appeals.toml:2:13: 考生 `9` 在 ",
        ),
        (
            APPEAL.replace("item = 4", "item = 12"),
            "appeals.toml:3:8: 考生 `1` 的 A 卷上没有第 12 题",
        ),
        (
            APPEAL.replace("score = 2", "score = 3"),
            "appeals.toml:4:9: 申诉给考生 `1` 的第 4 题 3 分，超过了满分 2 分",
        ),
        (
            APPEAL.replace("score = 2", "scroe = 2"),
            "appeals.toml:4:1: `[[appeal]]` 里没有 `scroe` 这个键",
        ),
    ] {
        std::fs::write(&appeals, text).unwrap();
        grade_scan(d, "bad", &flag("--appeals", &appeals)).exits_saying(1, &[message]);
    }
}

/// The roster names who sat: the absent (缺考) have no score and are in no statistic; a blank
/// sheet is graded 0 with a warning; a sheet of someone not on the roster is an error.
#[test]
fn absent_candidates_are_listed_without_a_score_and_left_out_of_the_statistics() {
    let d = tmp();
    let d = d.path();
    draw_grade_fixture(d);
    let roster = write(
        d,
        "roster.csv",
        "准考证号,姓名,单位\n1,张三,一队\n2,李四,一队\n3,王五,二队\n",
    );
    // 1 sat (name and team left to the roster); 2 handed in a blank sheet; 3 did not sit.
    grade_sheet(d, "1,,,A,B,AC,错,2|CO2,7\n2,李四,一队,A,,,,,\n");
    grade_scan(d, "r", &flag("--roster", &roster)).exits_saying(
        0,
        &[
            "缺考               1",
            &format!(
                "warning: {}:3: `2` 的答题卡上什么也没有填涂：记 0 分",
                d.join("scan.csv").display()
            ),
        ],
    );
    let r = d.join("r");
    let rows = read_csv(&r.join("results.csv"));
    assert_eq!(rows[0].last().unwrap(), "status");
    let absent = rows.iter().find(|r| r[0] == "3").unwrap();
    // candidate, name, team, paper, score, max, five sections, rank, pass, grade, duplicate, line, status
    assert_eq!(
        absent,
        &[
            "3", "王五", "二队", "", "", "17", "", "", "", "", "", "", "", "", "false", "",
            "absent"
        ]
    );
    assert_eq!(&rows[1][..3], ["1", "张三", "一队"]);
    assert_eq!(
        column(&r, "rank"),
        pairs(&[("1", "1"), ("2", "2"), ("3", "")])
    );
    let v = read_json(&r.join("results.json"));
    assert_eq!(v["summary"]["absent"], 1);
    assert_eq!(v["summary"]["blank_sheets"], 1);
    assert_eq!(v["candidates"][2]["status"], "absent");
    assert!(v["candidates"][2]["score"].is_null());
    // Item statistics over the two who sat.
    let s1 = item_stats(&v, "s1");
    assert_eq!(
        (s1["n"].as_u64(), s1["mean"].as_f64()),
        (Some(2), Some(1.0))
    );
    // The report reads the absent row and leaves it out.
    report(&r, &d.join("report")).exits_saying(0, &["报告：2 名考生"]);
    let ranking = read_csv(&d.join("report/ranking.csv"));
    assert_eq!(ranking.len(), 3, "{ranking:?}");

    // A sheet whose id is not on the roster.
    grade_sheet(
        d,
        "1,,,A,B,AC,错,2|CO2,7\n2026O01,赵六,二队,A,B,AC,错,2|CO2,7\n",
    );
    std::fs::write(
        &roster,
        "准考证号,姓名,单位\n1,张三,一队\n2026001,赵六,二队\n",
    )
    .unwrap();
    grade_scan(d, "bad", &flag("--roster", &roster)).exits_saying(
        1,
        &[&format!(
            "{}:3: 考号 `2026O01` 不在考生名单上（是不是 `2026001`？）",
            d.join("scan.csv").display()
        )],
    );
    assert!(!d.join("bad/results.csv").exists());
}

/// Standings treat an absent candidate like a missing one (`missing` policy), and the report
/// leaves them out of its statistics.
#[test]
fn standings_treat_an_absent_candidate_as_missing() {
    let d = tmp();
    let d = d.path();
    draw_grade_fixture(d);
    let roster = write(d, "roster.csv", "id,name,team\n1,张三,一队\n2,李四,一队\n");
    grade_sheet(d, "1,,,A,B,AC,错,2|CO2,7\n");
    grade_scan(d, "exam", &flag("--roster", &roster))
        .assert()
        .success();
    write(
        d,
        "quiz.csv",
        "entrant,name,team,points\n1,张三,一队,5\n2,李四,一队,6\n",
    );
    let spec = write(
        d,
        "s.toml",
        "[standings]\ntitle = \"t\"\nentrant = \"candidate\"\nmissing = \"zero\"\n\n\
         [[event]]\nname = \"笔试\"\nresults = \"exam\"\n\n\
         [[event]]\nname = \"竞赛\"\nresults = \"quiz.csv\"\n",
    );
    standings(&spec, &d.join("st")).exits_saying(0, &["缺项：`2` 缺 `笔试`：缺考，计0分"]);
    let st = read_csv(&d.join("st/standings.csv"));
    // 张三 16 + 5; 李四 0 + 6.
    assert_eq!((&*st[1][1], &*st[1][4]), ("1", "21"));
    assert_eq!((&*st[2][1], &*st[2][4]), ("2", "6"));
}

/// A judge's mark changed by an appeal before the trimmed mean is taken.
#[test]
fn an_appeal_changes_a_judges_mark() {
    let d = tmp();
    let d = d.path();
    let scores = write(
        d,
        "scores.csv",
        "参赛者,评委,violations,records,procedure\n\
         甲队,评委1,35,25,26\n甲队,评委2,38,27,27\n甲队,评委3,30,22,24\n",
    );
    let appeals = write(
        d,
        "appeals.toml",
        "[[appeal]]\nentrant = \"甲队\"\njudge = \"评委3\"\ncriterion = \"执法文书质量\"\nmark = 26\n\
         reason = \"录入错误：原始评分表为26\"\ndate = 2026-12-01\n\n\
         [[appeal]]\ncandidate = \"1\"\nitem = 1\nscore = 0\nreason = \"笔试的复核\"\ndate = 2026-12-01\n",
    );
    let rubric = Path::new("tests/fixtures/event/onsite.toml");
    judge(rubric, &scores, &d.join("plain")).assert().success();
    judge(rubric, &scores, &d.join("appealed"))
        .args(flag("--appeals", &appeals))
        .assert()
        .success();
    // Totals 86, 92, 76 → 86 kept; with 评委3's 文书 26: 86, 92, 80 → 86 kept still; the
    // judges' sheet shows the new mark.
    let judges = read_csv(&d.join("appealed/judges.csv"));
    let j3 = judges.iter().find(|r| r[1] == "评委3").unwrap();
    assert_eq!(&j3[3..7], ["30", "26", "24", "80"]);
    let changes = read_csv(&d.join("appealed/changes.csv"));
    assert_eq!(
        changes[1],
        [
            "甲队",
            "评委3",
            "records",
            "4",
            "22",
            "26",
            "录入错误：原始评分表为26",
            "2026-12-01",
            ""
        ]
    );
    assert_eq!(read_csv(&d.join("plain/changes.csv")).len(), 1);

    // An appeal naming a judge who did not mark the entrant is an error at the appeal, in the
    // language of the appeals file.
    std::fs::write(
        &appeals,
        "[[appeal]]\nentrant = \"甲队\"\njudge = \"评委4\"\ncriterion = \"records\"\nmark = 26\n\
         reason = \"录入错误\"\ndate = 2026-12-01\n",
    )
    .unwrap();
    judge(rubric, &scores, &d.join("bad"))
        .args(flag("--appeals", &appeals))
        .exits_saying(
            1,
            &[
                "appeals.toml:1:1: 评委 `评委4` 没有给 `甲队` 打分的行",
                "hint: 是不是 `评委1`？",
            ],
        );
    std::fs::write(
        &appeals,
        "[[appeal]]\nentrant = \"Team A\"\njudge = \"J4\"\ncriterion = \"records\"\nmark = 26\n\
         reason = \"keyed in wrong\"\ndate = 2026-12-01\n",
    )
    .unwrap();
    let english = write(
        d,
        "scores-en.csv",
        "entrant,judge,violations,records,procedure\n\
         Team A,J1,35,25,26\nTeam A,J2,38,27,27\nTeam A,J3,30,22,24\n",
    );
    judge(rubric, &english, &d.join("bad"))
        .args(flag("--appeals", &appeals))
        .exits_saying(
            1,
            &[
                "appeals.toml:1:1: judge `J4` has no row for `Team A`",
                "hint: did you mean `J1`?",
            ],
        );
    assert!(!d.join("bad").exists());
}

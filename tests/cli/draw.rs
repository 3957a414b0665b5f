use super::*;
use predicates::prelude::*;

#[test]
fn two_processes_write_identical_files() {
    let (a, b) = (tmp(), tmp());
    for d in [&a, &b] {
        examforge()
            .args([
                "draw",
                "question-banks/closed-book.toml",
                "--seed",
                "2026",
                "-o",
            ])
            .arg(d.path())
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
    let out = examforge()
        .args(["draw", "question-banks/sample-en-exam.toml", "-o"])
        .arg(d.path())
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
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("exam.json")).unwrap()).unwrap();
    assert_eq!(m["seed"].as_u64(), Some(seed));
    assert_eq!(m["format"], 1);
    assert_eq!(m["banks"][0]["path"], "sample-en.toml");
    assert_eq!(m["banks"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn one_paper_per_roster_row() {
    let d = tmp();
    examforge()
        .args([
            "draw",
            "question-banks/closed-book.toml",
            "--seed",
            "3",
            "--roster",
            "question-banks/roster.csv",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("exam.json")).unwrap()).unwrap();
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
    examforge()
        .arg("draw")
        .arg(&bp)
        .arg("-o")
        .arg(&out_dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "too-big.toml:7:9: section 1 「Single choice」: needs 500 single question(s), the banks hold",
        ))
        .stderr(predicate::str::contains(
            "too-big.toml:15:7: section 2 「True or false」: quota `no-such-tag` needs 2, the banks hold 0",
        ))
        .stderr(predicate::str::contains("hint:"));
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn blueprint_typos_and_bad_totals_are_located() {
    let d = tmp();
    let bp = d.path().join("typo.toml");
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncuont = 5\npoints = 1\n").unwrap();
    examforge()
        .arg("draw")
        .arg(&bp)
        .arg("-o")
        .arg(d.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "typo.toml:7:1: unknown key `cuont` in `[[section]]`",
        ))
        .stderr(predicate::str::contains("hint: did you mean `count`?"));
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\ntotal = 100\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncount = 30\npoints = 1\n").unwrap();
    examforge()
        .arg("draw")
        .arg(&bp)
        .arg("-o")
        .arg(d.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "typo.toml:3:9: the sections add up to 30 points (30×1) but `[exam] total` is 100",
        ));
}

#[test]
fn existing_outputs_are_kept_without_force() {
    let d = tmp();
    let run = || {
        examforge()
            .args([
                "draw",
                "question-banks/sample-en-exam.toml",
                "--seed",
                "1",
                "-o",
            ])
            .arg(d.path())
            .assert()
    };
    run().success();
    std::fs::write(d.path().join("exam.json"), "mine").unwrap();
    run()
        .code(1)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(d.path().join("exam.json")).unwrap(),
        "mine"
    );
    examforge()
        .args([
            "draw",
            "question-banks/sample-en-exam.toml",
            "--seed",
            "1",
            "--force",
            "-o",
        ])
        .arg(d.path())
        .assert()
        .success();
}

//! Bad inputs are located and refused before anything is written; outputs are safe to share.

use super::*;
use predicates::prelude::*;
use std::path::Path;

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Runs `examforge ARGS…` under `umask MASK` through the shell (the binary forbids unsafe code,
/// so the test cannot set the umask itself).
fn with_umask(mask: &str, dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let bin = assert_cmd::cargo::cargo_bin("examforge");
    let mut c = assert_cmd::Command::new("sh");
    user_env(&mut c)
        .current_dir(workdir())
        .arg("-c")
        .arg(format!("umask {mask}; exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .arg("-o")
        .arg(dir);
    c.assert()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn bank_errors_are_located_with_hints() {
    let d = tmp();
    // `bank check` of `text` as b.toml: refused, and what it said.
    let refused = |text: &str| {
        let bank = write(d.path(), "b.toml", text);
        stderr_of(
            &examforge()
                .args(["bank", "check"])
                .arg(&bank)
                .assert()
                .code(1),
        )
    };
    let err = refused("[bank]\nid = \"b\"\n\n[[question]]\nid = \"q1\"\nkind = \"judge\"\nstme = \"x\"\nanswer = true\n");
    assert!(
        err.contains(
            "b.toml:7:1: error: unknown key `stme` in a question\n  hint: did you mean `stem`?"
        ),
        "{err}"
    );
    // Every syntax error, not only the first.
    let err = refused("[bank]\nid = \"b\n\n[[question]]\nid = q2\n");
    assert!(err.contains("b.toml:2:8: error: invalid TOML"), "{err}");
    assert!(err.contains("b.toml:5:6: error: invalid TOML"), "{err}");
}

#[test]
fn blueprint_errors_are_all_located_at_their_keys() {
    let d = tmp();
    let bp = d.path().join("bp.toml");
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"singel\"\ncuont = 5\npoints = 1\n").unwrap();
    let a = draw_any_seed(&bp, d.path()).assert().code(1);
    let err = stderr_of(&a);
    assert!(err.contains("error: 2 errors in `"), "{err}");
    assert!(
        err.contains("bp.toml:6:8: `kind`: unknown variant `singel`"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `single`?"), "{err}");
    assert!(
        err.contains(
            "bp.toml:7:1: unknown key `cuont` in `[[section]]`\n    hint: did you mean `count`?"
        ),
        "{err}"
    );
    // Checks after parsing: each at the value that breaks it.
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\ntotal = 100\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncount = 5\npoints = 1\n\n[[section]]\nkind = \"judge\"\ncount = 0\npoints = -1\nrule = \"partial-half\"\n").unwrap();
    let a = draw_any_seed(&bp, d.path()).assert().code(1);
    let err = stderr_of(&a);
    for want in [
        "bp.toml:13:9: section 2 (judge) has `count = 0`",
        "bp.toml:14:10: section 2 (judge) has `points = -1`",
        "bp.toml:15:8: section 2 (judge): rule `partial-half` does not apply to judge items",
        "bp.toml:3:9: the sections add up to 5 points",
        "hint: points per item must be positive",
    ] {
        assert!(err.contains(want), "`{want}` missing from:\n{err}");
    }
    // A bank pattern that matches nothing: at its entry in the list.
    std::fs::write(&bp, "[exam]\ntitle = \"t\"\nbanks = [\n  \"nope/*.toml\",\n]\n\n[[section]]\nkind = \"single\"\ncount = 5\npoints = 1\n").unwrap();
    draw_any_seed(&bp, d.path())
        .exits_saying(1, &["bp.toml:4:3: no bank file matches `nope/*.toml`"]);
    assert!(!d.path().join("exam.json").exists());
}

#[test]
fn layout_file_errors_are_located_at_their_keys() {
    let d = tmp();
    draw("tests/fixtures/grade/blueprint.toml", "1", d.path())
        .assert()
        .success();
    let scan = d.path().join("scan.csv");
    std::fs::write(&scan, "id,1,2,3,4,5\n1,A,B,C,D,E\n").unwrap();
    let layout = d.path().join("reader.toml");
    let grade = |layout: &Path| {
        examforge()
            .arg("grade")
            .arg(d.path().join("exam.json"))
            .arg(&scan)
            .arg("--csv-layout")
            .arg(layout)
            .arg("-o")
            .arg(d.path().join("res"))
            .assert()
            .code(1)
    };
    std::fs::write(
        &layout,
        "[columns]\ncandidate = \"id\"\n\n[answers]\npatern = \"{n}\"\n",
    )
    .unwrap();
    let err = stderr_of(&grade(&layout));
    assert!(
        err.contains("reader.toml:5:1: unknown key `patern` in `[answers]`"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `pattern`?"), "{err}");
    // Later checks point at their key, not at 1:1; all are reported.
    std::fs::write(
        &layout,
        "delimiter = \";;\"\nbase = \"zipgrad\"\n[answers]\ncolumns = \"B\"\n",
    )
    .unwrap();
    let err = stderr_of(&grade(&layout));
    for want in [
        "error: 3 errors in `",
        "reader.toml:1:13: `delimiter = \";;\"` is not a single character",
        "reader.toml:2:8: `base = \"zipgrad\"` is not a built-in layout",
        "hint: did you mean `zipgrade`?",
        "reader.toml:4:11: `columns = \"B\"` is not a column range",
    ] {
        assert!(err.contains(want), "`{want}` missing from:\n{err}");
    }
    assert!(!d.path().join("res").exists());
}

fn render_html(exam: &Path, out: &Path) -> assert_cmd::assert::Assert {
    examforge()
        .arg("render")
        .arg(exam)
        .args(["--format", "html", "-o"])
        .arg(out)
        .assert()
}

#[test]
fn an_exam_json_from_a_newer_examforge_is_refused_by_render_and_grade() {
    let (d, mut m) = drawn("question-banks/sample-en-exam.toml", "4");
    m["format"] = 99.into();
    let exam = d.path().join("exam.json");
    std::fs::write(&exam, serde_json::to_vec(&m).unwrap()).unwrap();
    let want = "cannot be used: it was made by a newer examforge (format 99; this examforge reads format 1)";
    render_html(&exam, &d.path().join("out"))
        .code(1)
        .stderr(predicate::str::contains(want))
        .stderr(predicate::str::contains(
            "hint: this exam.json was made by a newer examforge",
        ));
    let scan = d.path().join("scan.csv");
    std::fs::write(&scan, "candidate,paper,1\n1,A,B\n").unwrap();
    grade(&exam, &scan, &d.path().join("res")).exits_saying(1, &[want]);
    assert!(!d.path().join("out").exists() && !d.path().join("res").exists());
}

#[test]
fn an_exam_json_that_breaks_the_draws_invariants_is_refused() {
    let (d, m) = drawn("question-banks/sample-en-exam.toml", "4");
    let exam = d.path().join("exam.json");
    // The first choice item of paper A: its option order, key and points.
    let (s, i) = (0, 0);
    let item = &m["papers"][0]["sections"][s]["items"][i];
    let q = item["question"].as_str().unwrap().to_string();
    let n = item["number"].as_u64().unwrap();
    let options = item["options"].as_array().unwrap().len();
    assert!(options >= 2, "the first section is a choice section");
    let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut m = m.clone();
        edit(&mut m["papers"][0]["sections"][s]["items"][i]);
        std::fs::write(&exam, serde_json::to_vec(&m).unwrap()).unwrap();
        stderr_of(&render_html(&exam, &d.path().join("out")).code(1))
    };
    let err = broken(&|it| it["order"][1] = it["order"][0].clone());
    assert!(
        err.contains(&format!("paper A, item {n} (`{q}`): option order [")),
        "{err}"
    );
    assert!(err.contains("is not a permutation of its"), "{err}");
    assert!(
        err.contains("hint: exam.json is written by `examforge draw`"),
        "{err}"
    );
    let err = broken(&|it| it["answer"] = serde_json::json!({"choice": [7]}));
    assert!(
        err.contains(&format!(
            "item {n} (`{q}`): key letter `H` is outside its options"
        )),
        "{err}"
    );
    let err = broken(&|it| it["points"] = (-2.0).into());
    assert!(err.contains("points -2 is not a number ≥ 0"), "{err}");
    assert!(!d.path().join("out").exists());
}

#[test]
fn inputs_are_checked_before_the_output_folder() {
    // A working folder with stale outputs, as `make` leaves in the repository.
    let d = tmp();
    std::fs::create_dir(d.path().join("exam")).unwrap();
    for f in ["exam.json", "key.csv", "paper-A.typ"] {
        std::fs::write(d.path().join("exam").join(f), "stale").unwrap();
    }
    std::fs::write(d.path().join("typo.toml"), "[exam]\ntitle = \"t\"\nbanks = [\"x.toml\"]\n\n[[section]]\nkind = \"single\"\ncuont = 5\npoints = 1\n").unwrap();
    for verb in ["draw", "make"] {
        examforge()
            .current_dir(d.path())
            .args([verb, "typo.toml"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "typo.toml:7:1: unknown key `cuont` in `[[section]]`",
            ))
            .stderr(predicate::str::contains("already exists").not());
    }
    examforge()
        .current_dir(d.path())
        .args(["render", "exam/exam.json"])
        .exits_saying(1, &["not an examforge exam.json"]);
    assert_eq!(
        std::fs::read_to_string(d.path().join("exam/exam.json")).unwrap(),
        "stale"
    );
}

#[test]
fn candidates_whose_ids_look_alike_keep_their_own_papers() {
    let d = tmp();
    let roster = write(
        d.path(),
        "roster.csv",
        "candidate,name\nx.1,Ann\nx_1,Bob\nx/1,Cy\n",
    );
    make_typ_per_candidate(&roster, &d.path().join("out"))
        .assert()
        .success();
    let papers: Vec<(String, String)> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("paper-")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        papers.len(),
        3,
        "{:?}",
        papers.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    for (id, name) in [("x.1", "Ann"), ("x_1", "Bob"), ("x/1", "Cy")] {
        let own: Vec<&String> = papers
            .iter()
            .filter(|(_, text)| text.contains(name))
            .map(|(file, _)| file)
            .collect();
        assert_eq!(own.len(), 1, "{id}'s paper is one file: {own:?}");
    }
    // Ids that differ only in case would share a file on Windows and macOS: refused, both named.
    std::fs::write(&roster, "candidate,name\nab1,Ann\nAB1,Bob\n").unwrap();
    make_typ_per_candidate(&roster, &d.path().join("case"))
        .exits_saying(1, &["papers `ab1` and `AB1`"]);
    assert!(!d.path().join("case").exists());
}

#[cfg(unix)]
#[test]
fn outputs_are_as_readable_as_the_umask_allows() {
    let d = tmp();
    with_umask(
        "022",
        &d.path().join("a"),
        &["draw", "tests/fixtures/grade/blueprint.toml", "--seed", "1"],
    )
    .success();
    assert_eq!(mode(&d.path().join("a/exam.json")), 0o644);
    assert_eq!(mode(&d.path().join("a/key.csv")), 0o644);
    with_umask(
        "027",
        &d.path().join("b"),
        &["draw", "tests/fixtures/grade/blueprint.toml", "--seed", "1"],
    )
    .success();
    assert_eq!(mode(&d.path().join("b/exam.json")), 0o640);
    // Grading's outputs too.
    let scan = d.path().join("scan.csv");
    std::fs::write(
        &scan,
        "考号,姓名,单位,卷别,1,2,3,4,5\n1,甲,乙,A,B,AC,对,2|CO2,7\n",
    )
    .unwrap();
    let exam = d.path().join("a/exam.json");
    let exam = exam.to_str().unwrap();
    with_umask(
        "022",
        &d.path().join("res"),
        &["grade", exam, scan.to_str().unwrap()],
    )
    .success();
    for f in ["results.json", "results.csv", "items.csv", "rejected.csv"] {
        assert_eq!(mode(&d.path().join("res").join(f)), 0o644, "{f}");
    }
}

#[test]
fn completions_and_man_stop_quietly_when_the_reader_goes_away() {
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("examforge"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes, as `| head -0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?}\n{err}", out.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

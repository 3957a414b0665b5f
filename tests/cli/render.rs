use super::*;
use predicates::prelude::*;

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What users get: the working folder has no templates/ and the environment no
/// EXAMFORGE_TEMPLATES, so the papers come from the templates built into the binary.
#[test]
fn papers_print_from_the_embedded_templates() {
    assert!(!workdir().join("templates").exists());
    let d = made(&["--seed", "5", "--variants", "1", "--no-split"]);
    let flat = squash(&pdf_text(&d.path().join("papers.pdf")));
    assert!(flat.contains("全省生态环境执法人员培训结业考试"), "title");
    assert!(
        flat.contains("一、单项选择题（每题1分，共25分）"),
        "section heading"
    );
    assert!(
        flat.contains("密封线内不得答题"),
        "the seal line of the built-in paper"
    );
}

#[test]
fn make_prints_papers_whose_text_reads_back() {
    let d = made(&["--seed", "11"]);
    let m = read_json(&d.path().join("exam.json"));
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
    let d = made(&["question-banks/sample-en-exam.toml", "--seed", "5"]);
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
    let d = made(&["tests/fixtures/inject/blueprint.toml", "--seed", "1"]);
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
    make(
        &[
            "question-banks/sample-en-exam.toml",
            "--seed",
            "1",
            "--typst",
            "/nonexistent/typst",
        ],
        d.path(),
    )
    .exits_saying(
        2,
        &["typst was not found", "cargo install --locked typst-cli"],
    );
    assert!(d.path().join("paper-A.typ").is_file());
    assert!(d.path().join("exam.json").is_file());
}

#[test]
fn html_and_typ_formats() {
    let d = made(&[
        "question-banks/sample-en-exam.toml",
        "--seed",
        "2",
        "--format",
        "html",
    ]);
    let html = std::fs::read_to_string(d.path().join("paper-A.html")).unwrap();
    assert!(html.contains("<title>General Science and Geography Quiz — A</title>"));
    assert!(html.contains("Paper A"));
    // The Avogadro constant's power is raised, as in the PDF, not printed as `10^23`.
    assert!(html.contains("× 10<sup>23</sup> mol⁻¹"), "{html}");
    assert!(!html.contains("10^23"), "{html}");
}

#[test]
fn same_exam_gives_identical_pdfs() {
    let (a, b) = (tmp(), tmp());
    for d in [&a, &b] {
        make(
            &["question-banks/sample-en-exam.toml", "--seed", "4"],
            d.path(),
        )
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
    let t = template_override(
        &d.path().join("tpl"),
        "paper.html.j2",
        "<p>{{ exam.title }} / {{ paper.code }} / {{ paper.sections|length }}</p>",
    );
    let make_html = |out: &str| {
        let mut c = make(
            &[
                "question-banks/sample-en-exam.toml",
                "--seed",
                "2",
                "--format",
                "html",
            ],
            &d.path().join(out),
        );
        c.arg("--templates").arg(&t);
        c
    };
    make_html("o").assert().success();
    assert_eq!(
        std::fs::read_to_string(d.path().join("o/paper-B.html")).unwrap(),
        "<p>General Science and Geography Quiz / B / 6</p>"
    );
    std::fs::write(t.join("paper.html.j2"), "{{ exam.titel }}").unwrap();
    make_html("p").exits_saying(1, &["template `paper.html.j2` line 1"]);
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
    make(&["blueprint.toml", "--seed", "1"], Path::new("out"))
        .current_dir(&ws)
        .assert()
        .success();
    assert!(ws.join("out/paper-A.pdf").is_file());
    examforge()
        .arg("init")
        .arg(&ws)
        .exits_saying(1, &["is not empty"]);
}

/// The pages of a PDF, through pdftotext (pages end with a form feed), whitespace removed.
fn pdf_pages(pdf: &Path) -> Vec<String> {
    let text = pdf_text(pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(squash).collect();
    pages.pop();
    pages
}

/// The page footer "第 i 页 共 n 页" of a page: (i, n).
fn page_of(page: &str) -> Option<(usize, usize)> {
    let at = page.rfind("页共")?;
    let before = &page[..at];
    let i: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let n: String = page[at + "页共".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((i.parse().ok()?, n.parse().ok()?))
}

/// Papers of a bundle: each paper's pages, its blank backs included.
fn papers_of(pages: &[String]) -> Vec<Vec<String>> {
    let mut papers: Vec<Vec<String>> = Vec::new();
    for p in pages {
        match page_of(p) {
            Some((1, _)) => papers.push(vec![p.clone()]),
            _ => papers
                .last_mut()
                .expect("the bundle starts with page 1")
                .push(p.clone()),
        }
    }
    papers
}

#[test]
fn papers_pdf_holds_every_candidate_in_roster_order_each_counting_its_own_pages() {
    let d = tmp();
    make(
        &[
            "--roster",
            "question-banks/roster.csv",
            "--seed",
            "8",
            "--batch",
            "20",
        ],
        d.path(),
    )
    .assert()
    .success()
    .stderr(predicate::str::contains("页，双面印刷）"))
    .stderr(predicate::str::contains("unknown font family").not());
    let roster = std::fs::read_to_string(root().join("question-banks/roster.csv")).unwrap();
    let rows: Vec<Vec<&str>> = roster
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.len() > 50, "enough papers for four batches");
    assert!(
        !d.path().join(format!("paper-{}.pdf", rows[0][0])).exists(),
        "no per-paper PDFs above 50 papers unless asked"
    );
    let papers = papers_of(&pdf_pages(&d.path().join("papers.pdf")));
    assert_eq!(papers.len(), rows.len(), "one paper per roster row");
    for (paper, row) in papers.iter().zip(&rows) {
        let first = &paper[0];
        assert!(
            first.contains(&format!("试卷编号{}", row[0])),
            "paper number {}",
            row[0]
        );
        assert!(first.contains(row[1]), "name {} in the seal", row[1]);
        assert!(
            first.contains(&squash(row[2])),
            "team {} in the seal",
            row[2]
        );
        let (_, n) = page_of(first).unwrap();
        assert!(n >= 2, "a 60-question paper has several pages");
        for (i, page) in paper.iter().enumerate() {
            if i < n {
                assert_eq!(
                    page_of(page),
                    Some((i + 1, n)),
                    "paper {} page {}",
                    row[0],
                    i + 1
                );
                assert!(page.contains(row[1]), "seal on every page of {}", row[0]);
            } else {
                assert!(page.is_empty(), "the back of an odd paper is blank: {page}");
            }
        }
        assert_eq!(
            paper.len(),
            n + n % 2,
            "paper {} has an even page count",
            row[0]
        );
    }
}

/// `make` of the Chinese sample as papers A, B and C, seed 3, split into one PDF per paper.
fn make_three_variants(out: &Path, extra: &[&str]) {
    make(&["--variants", "3", "--seed", "3"], out)
        .args(extra)
        .exits_saying(0, &["每套试卷各一个 PDF"]);
}

#[test]
fn split_pdfs_are_the_pages_of_papers_pdf() {
    for batch in ["1", "25"] {
        let d = tmp();
        make_three_variants(d.path(), &["--batch", batch]);
        let papers = papers_of(&pdf_pages(&d.path().join("papers.pdf")));
        assert_eq!(papers.len(), 3);
        for (paper, code) in papers.iter().zip(["A", "B", "C"]) {
            assert!(paper[0].contains(&format!("{code}卷")));
            let alone = pdf_pages(&d.path().join(format!("paper-{code}.pdf")));
            assert_eq!(&alone, paper, "paper-{code}.pdf, batches of {batch}");
            assert_eq!(
                alone.len() % 2,
                0,
                "two-sided by default for Chinese papers"
            );
        }
    }
}

#[test]
fn one_sided_papers_follow_each_other_without_blank_pages() {
    let d = made(&[
        "--variants",
        "2",
        "--seed",
        "6",
        "--no-duplex",
        "--no-split",
    ]);
    assert!(!d.path().join("paper-A.pdf").exists());
    let pages = pdf_pages(&d.path().join("papers.pdf"));
    let papers = papers_of(&pages);
    assert_eq!(papers.len(), 2);
    for paper in &papers {
        let (_, n) = page_of(&paper[0]).unwrap();
        assert_eq!(paper.len(), n, "no blank page");
    }
    assert!(
        papers.iter().any(|p| p.len() % 2 == 1),
        "the draw gives an odd paper: {:?}",
        papers.iter().map(Vec::len).collect::<Vec<_>>()
    );
}

/// typst labels a paper's first page with the number it had before the paper restarts its count
/// (3, not 1, when one-sided papers follow each other), so papers are found by their bookmarks and
/// labelled anew: each split PDF is its paper's pages, each paper numbered from 1.
#[test]
fn one_sided_papers_in_one_batch_split_by_their_bookmarks_and_number_from_one() {
    use examforge::render::pdf;
    let d = tmp();
    make_three_variants(d.path(), &["--no-duplex", "--split"]);
    let bundle = pdf::load(&std::fs::read(d.path().join("papers.pdf")).unwrap()).unwrap();
    let marks = pdf::bookmarks(&bundle);
    let titles: Vec<&str> = marks.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(titles, ["A卷", "B卷", "C卷"]);
    let numbers = pdf::page_numbers(&bundle);
    let papers = papers_of(&pdf_pages(&d.path().join("papers.pdf")));
    let mut at = 0;
    for ((paper, code), (start, _)) in papers.iter().zip(["A", "B", "C"]).zip(&marks) {
        assert_eq!(*start, at, "bookmark of {code} on its first page");
        let want: Vec<Option<i64>> = (1..=paper.len() as i64).map(Some).collect();
        assert_eq!(
            numbers[at..at + paper.len()],
            want[..],
            "labels of paper {code}"
        );
        let alone = pdf_pages(&d.path().join(format!("paper-{code}.pdf")));
        assert_eq!(&alone, paper, "paper-{code}.pdf");
        let own =
            pdf::load(&std::fs::read(d.path().join(format!("paper-{code}.pdf"))).unwrap()).unwrap();
        assert_eq!(
            pdf::page_numbers(&own),
            want,
            "paper-{code}.pdf numbered from 1"
        );
        at += paper.len();
    }
    assert_eq!(at, numbers.len());
}

#[test]
fn key_opens_with_an_answer_table_per_paper() {
    let d = made(&["--variants", "2", "--seed", "6"]);
    let key = std::fs::read_to_string(d.path().join("key.csv")).unwrap();
    let text = squash(&pdf_text(&d.path().join("key.pdf")));
    let mut at = 0;
    for code in ["A", "B"] {
        let answers: Vec<String> = key
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[0] == code)
            .take(10)
            .map(|f| f[3].to_string())
            .collect();
        assert!(
            answers
                .iter()
                .all(|a| a.chars().all(|c| c.is_ascii_uppercase())),
            "{answers:?}"
        );
        let row = format!("题号12345678910答案{}", answers.concat());
        let found = text[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("paper {code}: `{row}` not in key.pdf"));
        at += found + row.len();
        let explained = text[at..].find("1.").expect("explained answers follow");
        assert!(
            text[at..at + explained].contains("题号"),
            "the whole table comes first"
        );
    }
}

#[test]
fn typst_warnings_are_shown_with_their_file() {
    let d = tmp();
    let t = template_override(
        &d.path().join("tpl"),
        "key.typ.j2",
        "#set text(font: \"No Such Typeface\")\n{{ exam.title }}\n",
    );
    make(
        &["question-banks/sample-en-exam.toml", "--seed", "1"],
        &d.path().join("out"),
    )
    .arg("--templates")
    .arg(&t)
    .exits_saying(
        0,
        &[
            "typst said on `key.typ`",
            "│ warning: unknown font family: no such typeface",
        ],
    );
}

/// The built-in blank sheet carries its layout inside its PDF; a sheet template without that
/// attachment gets the same layout from one more typst run. sheet.pdf, the print file, carries it
/// when it is the one blank sheet; with a sheet per paper code it holds a page per code.
#[test]
fn the_sheet_layout_is_the_same_with_or_without_its_attachment() {
    let d = tmp();
    let sheet = std::fs::read_to_string(root().join("templates/sheet.typ.j2")).unwrap();
    let bare: String = sheet
        .lines()
        .filter(|l| !l.contains("pdf.attach"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(bare, sheet, "the built-in sheet attaches its layout");
    let t = template_override(&d.path().join("tpl"), "sheet.typ.j2", &bare);
    for (out, tpl) in [("with", None), ("without", Some(&t))] {
        let mut c = make(&["--seed", "2"], &d.path().join(out));
        if let Some(tpl) = tpl {
            c.arg("--templates").arg(tpl);
        }
        c.assert().success();
    }
    let read = |out: &str| std::fs::read(d.path().join(out).join("sheet.layout.json")).unwrap();
    assert!(!read("with").is_empty());
    assert_eq!(read("with"), read("without"));
    let doc =
        examforge::render::pdf::load(&std::fs::read(d.path().join("with/sheet.pdf")).unwrap())
            .unwrap();
    let attached = examforge::render::pdf::attachment(&doc, "sheet.layout.json");
    let layout: serde_json::Value = serde_json::from_slice(&read("with")).unwrap();
    let sheets = layout["sheets"].as_array().unwrap();
    if sheets.len() == 1 {
        assert!(attached.is_some(), "sheet.pdf carries the layout");
    } else {
        assert!(
            attached.is_none(),
            "a print file of several sheets is no layout"
        );
        assert_eq!(examforge::render::pdf::page_count(&doc), sheets.len());
    }
    // one paper code: one sheet, whose sheet.pdf carries the layout
    let one = d.path().join("one");
    make(&["--variants", "1", "--seed", "2", "--no-split"], &one)
        .assert()
        .success();
    let doc = examforge::render::pdf::load(&std::fs::read(one.join("sheet.pdf")).unwrap()).unwrap();
    let attached = examforge::render::pdf::attachment(&doc, "sheet.layout.json").unwrap();
    let layout: serde_json::Value = read_json(&one.join("sheet.layout.json"));
    assert_eq!(layout["sheets"].as_array().unwrap().len(), 1);
    assert_eq!(layout["sheets"][0]["papers"], serde_json::json!(["A"]));
    assert!(!attached.is_empty());
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
    make(&["--seed", "1"], &d.path().join("out"))
        .arg("--typst")
        .arg(&typst)
        .exits_saying(2, &["no CJK font", "fonts-noto-cjk"]);
    assert!(d.path().join("out/paper-A.typ").is_file(), "sources kept");
}

#[cfg(unix)]
#[test]
fn typst_errors_are_shown_with_their_file() {
    let d = tmp();
    let typst = fake_typst(d.path(), "Noto Serif CJK SC\\n");
    make(&["--seed", "1"], &d.path().join("out"))
        .arg("--typst")
        .arg(&typst)
        .exits_saying(
            1,
            &["typst failed on", ".typ`", "│ error: unexpected argument"],
        );
}

/// typst compiles in the set's staging folder; its message names the file where the user
/// finds it (the sources are kept when typst fails), not the staging folder that is gone.
#[test]
fn a_broken_template_is_reported_at_the_kept_source() {
    let d = tmp();
    let tpl = d.path().join("templates");
    std::fs::create_dir_all(&tpl).unwrap();
    let paper = std::fs::read_to_string(root().join("templates/paper.typ.j2")).unwrap();
    std::fs::write(
        tpl.join("paper.typ.j2"),
        paper.replacen("#set ", "#sett ", 1),
    )
    .unwrap();
    let out = d.path().join("out");
    let run = examforge()
        .args(["make", "--seed", "1", "--templates"])
        .arg(&tpl)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("unknown variable: sett"), "{stderr}");
    let named = format!("{}:", out.join("paper-A.typ").display());
    assert!(stderr.contains(&named), "names {named}: {stderr}");
    assert!(!stderr.contains(".examforge-"), "{stderr}");
    let kept = std::fs::read_to_string(out.join("paper-A.typ")).unwrap();
    assert!(kept.contains("#sett "));
}

#[test]
fn roster_key_prints_tables_per_candidate_and_explains_each_question_once() {
    let d = tmp();
    let roster = std::fs::read_to_string(root().join("question-banks/roster.csv")).unwrap();
    let few: Vec<&str> = roster.lines().take(4).collect();
    let path = d.path().join("roster.csv");
    std::fs::write(&path, few.join("\n") + "\n").unwrap();
    let out = d.path().join("out");
    make(&["--seed", "8", "--batch", "1", "--jobs", "2"], &out)
        .arg("--roster")
        .arg(&path)
        .assert()
        .success();
    let key = std::fs::read_to_string(out.join("key.csv")).unwrap();
    let text = squash(&pdf_text(&out.join("key.pdf")));
    // Tables follow each other, as many to a page as fit; each page's foot names its first and
    // last paper.
    let ids: Vec<&str> = few[1..]
        .iter()
        .map(|r| r.split(',').next().unwrap())
        .collect();
    let mut tabled = 0;
    for page in pdf_pages(&out.join("key.pdf")) {
        let on: Vec<&&str> = ids
            .iter()
            .filter(|id| page.contains(&format!("试卷编号{id}")))
            .collect();
        let Some(first) = on.first() else { continue };
        tabled += on.len();
        let foot = match on.last() {
            Some(last) if last != first => format!("{first}–{last}"),
            _ => first.to_string(),
        };
        assert!(page.ends_with(&foot), "the foot names `{foot}`: {page}");
    }
    assert_eq!(tabled, ids.len(), "every paper's table once");
    let mut at = 0;
    for row in &few[1..] {
        let id = row.split(',').next().unwrap();
        let answers: Vec<String> = key
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[0] == id)
            .take(10)
            .map(|f| f[3].to_string())
            .collect();
        assert_eq!(answers.len(), 10, "{id} in key.csv");
        let header = format!("试卷编号{id}");
        at += text[at..]
            .find(&header)
            .unwrap_or_else(|| panic!("{header} not in key.pdf"));
        let table = format!("题号12345678910答案{}", answers.concat());
        let found = text[at..]
            .find(&table)
            .unwrap_or_else(|| panic!("candidate {id}: `{table}` not in key.pdf"));
        assert!(
            !text[at..at + found].contains("解析"),
            "no explanation between the header and the table of {id}"
        );
        at += found + table.len();
    }
    let explained = text[at..]
        .find("试题解析")
        .expect("the explained answers follow the last table");
    assert!(
        !text[..at + explained].contains("解析："),
        "tables only before"
    );
    // Every question once, whatever the number of papers (and batches) it appears in.
    let m: serde_json::Value = read_json(&out.join("exam.json"));
    let mut ids = std::collections::BTreeMap::new();
    for paper in m["papers"].as_array().unwrap() {
        for section in paper["sections"].as_array().unwrap() {
            for item in section["items"].as_array().unwrap() {
                let parts = item["parts"].as_array().cloned().unwrap_or_default();
                let leaves = if parts.is_empty() {
                    vec![item.clone()]
                } else {
                    parts
                };
                for leaf in leaves {
                    *ids.entry(leaf["question"].as_str().unwrap().to_string())
                        .or_insert(0) += 1;
                }
            }
        }
    }
    assert!(ids.values().any(|&n| n > 1), "papers share questions");
    assert_eq!(text.matches("题目编号").count(), ids.len());
    for id in ids.keys() {
        assert_eq!(
            text.matches(&format!("题目编号：{}", squash(id))).count(),
            1,
            "{id} explained once"
        );
    }
    let first = &m["papers"][0]["sections"][0]["items"][0];
    let why = squash(first["explanation"].as_str().unwrap());
    assert!(!why.is_empty());
    assert_eq!(text.matches(&why).count(), 1, "explanation `{why}` once");
}

#[test]
fn force_replaces_the_whole_set_so_no_paper_of_the_old_exam_stays() {
    let d = tmp();
    make_three_variants(d.path(), &[]);
    assert!(d.path().join("paper-C.pdf").is_file());
    let two = |force: bool| {
        let mut c = make(&["--variants", "2", "--seed", "3"], d.path());
        if force {
            c.arg("--force");
        }
        c
    };
    two(false).exits_saying(1, &["already exists"]);
    two(true).assert().success();
    for gone in ["paper-C.pdf", "paper-C.typ"] {
        assert!(
            !d.path().join(gone).exists(),
            "{gone} is left from the old exam"
        );
    }
    for kept in [
        "paper-A.pdf",
        "paper-B.pdf",
        "papers.pdf",
        "exam.json",
        "sheet.layout.json",
    ] {
        assert!(d.path().join(kept).is_file(), "{kept}");
    }
    let papers = papers_of(&pdf_pages(&d.path().join("papers.pdf")));
    assert_eq!(papers.len(), 2);
}

#[test]
fn force_removes_the_papers_of_candidates_no_longer_on_the_roster() {
    let d = tmp();
    let make_for = |roster: &str| {
        let path = write(d.path(), "roster.csv", roster);
        make_typ_per_candidate(&path, &d.path().join("out"))
            .arg("--force")
            .assert()
            .success();
    };
    // The user's own file in the folder is not part of any set.
    std::fs::create_dir(d.path().join("out")).unwrap();
    std::fs::write(d.path().join("out/paper-notes.txt"), "mine").unwrap();
    make_for("candidate,name\n001,Ann\n002,Bob\n003,Cy\n");
    assert!(d.path().join("out/paper-003.typ").is_file());
    make_for("candidate,name\n001,Ann\n004,Di\n");
    let mut papers: Vec<String> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("paper-"))
        .collect();
    papers.sort();
    assert_eq!(
        papers,
        ["paper-001.typ", "paper-004.typ", "paper-notes.txt"]
    );
}

#[test]
fn an_output_folder_that_cannot_be_made_is_a_write_error_not_a_missing_typst() {
    let d = tmp();
    let file = d.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    make(&["--seed", "1"], &file.join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write"))
        .stderr(predicate::str::contains("a-file/out"))
        .stderr(predicate::str::contains("caused by:"))
        .stderr(predicate::str::contains("install").not());
}

#[cfg(unix)]
#[test]
fn a_typst_that_cannot_start_is_named_with_the_os_error() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmp();
    let typst = d.path().join("typst");
    std::fs::write(&typst, [0u8, 1, 2, 3]).unwrap();
    std::fs::set_permissions(&typst, std::fs::Permissions::from_mode(0o755)).unwrap();
    make(&["--seed", "1"], &d.path().join("out"))
        .arg("--typst")
        .arg(&typst)
        .exits_saying(1, &["cannot run", "caused by: Exec format error"]);
    assert!(d.path().join("out/paper-A.typ").is_file(), "sources kept");
}

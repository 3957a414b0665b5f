//! `examforge grade`: a scanner CSV against exam.json → results, items, rejected rows.

use super::draw::read_manifest;
use super::fsio::{self, Outputs};
use crate::bank::fmt_points;
use crate::cli::GradeArgs;
use crate::score::grade::{Graded, Grader, Manual};
use crate::score::script::RuleScript;
use crate::sheet::{parse_layout_file, ReadAhead, Sheet};
use crate::Error;
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

const OUTPUTS: [&str; 4] = ["results.json", "results.csv", "items.csv", "rejected.csv"];

/// Runs `grade`.
pub fn run(a: &GradeArgs) -> Result<u8, Error> {
    let out = Outputs::new(&a.output, a.force);
    out.check_free(&OUTPUTS)?;
    let manifest = read_manifest(&a.exam)?;
    let layout = match &a.layout {
        Some(p) => Some(
            parse_layout_file(&p.display().to_string(), &fsio::read_text(p)?).map_err(sheet_err)?,
        ),
        None => None,
    };
    // `--rules` wins; else the script the blueprint named, carried in exam.json.
    let rules = match &a.rules {
        Some(p) => Some((p.display().to_string(), fsio::read_text(p)?)),
        None => manifest
            .rules
            .as_ref()
            .map(|r| (r.path.clone(), r.source.clone())),
    };
    let script = match &rules {
        Some((name, source)) => {
            Some(RuleScript::compile(name, source).map_err(|e| Error::Input {
                hint: e.hint(),
                message: e.to_string(),
            })?)
        }
        None => None,
    };
    let script_path = rules.map(|(name, _)| name);
    let manual = match &a.manual {
        Some(p) => read_manual(p)?,
        None => Manual::new(),
    };
    let shown = a.answers.display().to_string();
    let file = std::fs::File::open(&a.answers).map_err(|source| Error::Read {
        path: a.answers.clone(),
        source,
    })?;
    let sheet = Sheet::open(&shown, file, layout.as_ref()).map_err(sheet_err)?;
    let tokens = sheet.layout().tokens.clone();
    let layout_name = sheet.layout().name.clone();
    let encoding = sheet.encoding().to_string();

    std::fs::create_dir_all(&a.output).map_err(|source| Error::Write {
        path: a.output.clone(),
        source,
    })?;
    let temp = |prefix: &str| {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempfile_in(&a.output)
            .map_err(|source| Error::Write {
                path: a.output.clone(),
                source,
            })
    };
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| Error::Write {
            path: path.clone(),
            source,
        }
    };
    let csv_err = |path: &Path| {
        let path = path.to_path_buf();
        move |e: csv::Error| Error::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        }
    };
    let items_path = out.path("items.csv");
    let mut items_tmp = temp(".examforge-items-")?;
    let mut items_csv = csv::Writer::from_writer(BufWriter::new(items_tmp.as_file_mut()));
    items_csv
        .write_record([
            "candidate",
            "paper",
            "number",
            "question",
            "marks",
            "status",
            "points",
            "max",
        ])
        .map_err(csv_err(&items_path))?;
    let rejected_path = out.path("rejected.csv");
    let mut rejected_tmp = temp(".examforge-rejected-")?;
    let mut rejected = csv::Writer::from_writer(BufWriter::new(rejected_tmp.as_file_mut()));
    rejected
        .write_record(["line", "candidate", "reason", "raw"])
        .map_err(csv_err(&rejected_path))?;
    // Candidates wait here, one JSON line each, until ranks are known.
    let mut graded_tmp = temp(".examforge-graded-")?;
    let graded_path = graded_tmp.path().to_path_buf();
    let mut graded_out = BufWriter::new(graded_tmp.as_file_mut());

    let mut grader = Grader::new(&manifest, script.as_ref(), &manual, tokens);
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading: {pos} rows ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let (mut number, mut points, mut max) = (String::new(), String::new(), String::new());
    // One thread reads the CSV while this one grades.
    let mut sheet = ReadAhead::start(sheet);
    while let Some(row) = sheet.next() {
        bar.inc(1);
        match row {
            Err(r) => {
                grader.tally.read += 1;
                grader.tally.rejected += 1;
                rejected
                    .write_record([r.line.to_string(), String::new(), r.reason, r.raw])
                    .map_err(csv_err(&rejected_path))?;
            }
            Ok(row) => match grader.grade(row) {
                Ok(g) => {
                    for it in grader.last_items(row) {
                        number.clear();
                        let _ = write!(number, "{}", it.number);
                        points.clear();
                        points.push_str(&fmt_points(it.points));
                        max.clear();
                        max.push_str(&fmt_points(it.max));
                        items_csv
                            .write_record([
                                row.candidate.as_str(),
                                &g.paper,
                                &number,
                                it.question,
                                &it.marks,
                                it.status.name(),
                                &points,
                                &max,
                            ])
                            .map_err(csv_err(&items_path))?;
                    }
                    serde_json::to_writer(&mut graded_out, &g)
                        .map_err(|e| write_err(&graded_path)(e.into()))?;
                    graded_out
                        .write_all(b"\n")
                        .map_err(write_err(&graded_path))?;
                }
                Err(reason) => {
                    if reason.starts_with("rule script:") {
                        bar.finish_and_clear();
                        return Err(Error::Input {
                            message: format!("{shown}:{}: {reason}", row.line),
                            hint: Some("fix the script; the run stops so that no candidate is scored by a broken rule".into()),
                        });
                    }
                    grader.tally.rejected += 1;
                    let raw: Vec<&str> = row.answers().map(|(_, t)| t).collect();
                    rejected
                        .write_record([
                            row.line.to_string(),
                            row.candidate.clone(),
                            reason,
                            raw.join(","),
                        ])
                        .map_err(csv_err(&rejected_path))?;
                }
            },
        }
    }
    bar.finish_and_clear();
    graded_out.flush().map_err(write_err(&graded_path))?;
    drop(graded_out);
    let (ranking, stats) = grader.finish();
    let teams = grader.teams().map_err(|e| Error::Input {
        message: e,
        hint: None,
    })?;

    // Second pass over the graded candidates: ranks and duplicate flags, into results.csv and results.json.
    let results_path = out.path("results.csv");
    let mut results_tmp = temp(".examforge-results-")?;
    let mut results = csv::Writer::from_writer(BufWriter::new(results_tmp.as_file_mut()));
    let mut header: Vec<String> = ["candidate", "name", "team", "paper", "score", "max"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(grader.section_titles().iter().cloned());
    header.extend(
        ["rank", "pass", "grade", "duplicate", "line"]
            .iter()
            .map(|s| s.to_string()),
    );
    results
        .write_record(&header)
        .map_err(csv_err(&results_path))?;
    let json_path = out.path("results.json");
    let mut json_tmp = temp(".examforge-json-")?;
    let mut json = BufWriter::new(json_tmp.as_file_mut());
    let head = serde_json::json!({
        "exam": manifest.blueprint.exam.title,
        "manifest": a.exam.display().to_string(),
        "manifest_sha256": super::report::digest(&a.exam)?,
        "seed": manifest.seed,
        "answers": shown,
        "layout": layout_name,
        "encoding": encoding,
        "rules": script_path,
        "summary": grader.tally,
        "sections": grader.section_titles(),
        "teams": teams.iter().map(|(t, s, n)| serde_json::json!({"team": t, "score": s, "members": n})).collect::<Vec<_>>(),
        "items": stats,
    });
    let head = serde_json::to_string_pretty(&head).expect("json");
    json.write_all(head.trim_end_matches('}').trim_end().as_bytes())
        .map_err(write_err(&json_path))?;
    json.write_all(b",\n  \"candidates\": [")
        .map_err(write_err(&json_path))?;
    graded_tmp
        .as_file_mut()
        .seek(SeekFrom::Start(0))
        .map_err(write_err(&graded_path))?;
    let mut first = true;
    for line in BufReader::new(graded_tmp.as_file_mut()).lines() {
        let line = line.map_err(write_err(&graded_path))?;
        let mut g: Graded =
            serde_json::from_str(&line).map_err(|e| write_err(&graded_path)(e.into()))?;
        ranking.complete(&mut g);
        let mut rec = vec![
            g.id.clone(),
            g.name.clone(),
            g.team.clone(),
            g.paper.clone(),
            fmt_points(g.score),
            fmt_points(g.max),
        ];
        rec.extend(g.sections.iter().map(|s| fmt_points(*s)));
        rec.extend([
            g.rank.to_string(),
            g.pass.map(|p| p.to_string()).unwrap_or_default(),
            g.grade.clone().unwrap_or_default(),
            g.duplicate.to_string(),
            g.line.to_string(),
        ]);
        results.write_record(&rec).map_err(csv_err(&results_path))?;
        json.write_all(if first { b"\n    " } else { b",\n    " })
            .map_err(write_err(&json_path))?;
        serde_json::to_writer(&mut json, &g).map_err(|e| write_err(&json_path)(e.into()))?;
        first = false;
    }
    json.write_all(b"\n  ]\n}\n")
        .map_err(write_err(&json_path))?;

    // Every output is complete: move them into place.
    items_csv.flush().map_err(write_err(&items_path))?;
    drop(items_csv);
    rejected.flush().map_err(write_err(&rejected_path))?;
    drop(rejected);
    results.flush().map_err(write_err(&results_path))?;
    drop(results);
    json.flush().map_err(write_err(&json_path))?;
    drop(json);
    for (tmp, path) in [
        (items_tmp, items_path),
        (rejected_tmp, rejected_path),
        (results_tmp, results_path),
        (json_tmp, json_path),
    ] {
        tmp.as_file().sync_all().map_err(write_err(&path))?;
        persist(tmp, &path, a.force)?;
    }

    let t = &grader.tally;
    eprintln!("{shown}: {layout_name} layout, {encoding}");
    eprintln!("  read        {:>8}", t.read);
    eprintln!("  graded      {:>8}", t.graded);
    eprintln!(
        "  rejected    {:>8}{}",
        t.rejected,
        if t.rejected > 0 {
            "  (see rejected.csv)"
        } else {
            ""
        }
    );
    eprintln!("  blanks      {:>8}", t.blanks);
    eprintln!("  multi-marks {:>8}", t.multi_marks);
    eprintln!("  unreadable  {:>8}", t.unreadable);
    if t.duplicates > 0 {
        eprintln!(
            "  duplicates  {:>8}  (candidate ids seen more than once; both rows kept and flagged)",
            t.duplicates
        );
    }
    if t.short_without_points > 0 {
        eprintln!(
            "  short answers without points {:>4}  (give them with --manual)",
            t.short_without_points
        );
    }
    eprintln!(
        "wrote {}",
        OUTPUTS
            .map(|n| out.path(n).display().to_string())
            .join(", ")
    );
    if a.report {
        super::report::after_grade(&a.exam, &a.output, a.force)?;
    }
    Ok(if t.rejected > 0 { 1 } else { 0 })
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path, force: bool) -> Result<(), Error> {
    let result = if force {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    result.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Exists {
                path: path.to_path_buf(),
            }
        } else {
            Error::Write {
                path: path.to_path_buf(),
                source: e.error,
            }
        }
    })
}

fn sheet_err(e: crate::sheet::SheetError) -> Error {
    Error::Input {
        hint: e.hint(),
        message: e.to_string(),
    }
}

/// `--manual`: candidate, item (number or question id), points.
fn read_manual(path: &Path) -> Result<Manual, Error> {
    let text = fsio::read_text(path)?;
    let shown = path.display();
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut out = Manual::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| {
            Error::input(
                format!("{shown}:{line}: {e}"),
                "rows are: candidate,item,points",
            )
        })?;
        let (Some(c), Some(item), Some(p)) = (rec.get(0), rec.get(1), rec.get(2)) else {
            return Err(Error::input(
                format!("{shown}:{line}: expected 3 fields"),
                "rows are: candidate,item,points",
            ));
        };
        let p: f64 = p.trim().parse().map_err(|_| {
            Error::input(
                format!("{shown}:{line}: `{p}` is not a number"),
                "points are numbers such as 4 or 3.5",
            )
        })?;
        out.insert((c.trim().to_string(), item.trim().to_string()), p);
    }
    Ok(out)
}

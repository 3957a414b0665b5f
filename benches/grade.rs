//! Grading 100,000 sheets × 100 items: built-in rules and a rhai `score` rule against a bare csv read.
//! Run: `cargo bench --bench grade`. Targets: built-in ≥ 50 % of the bare read's speed, rhai ≤ 1.5× built-in,
//! memory flat in the number of sheets (peak resident memory is printed after each phase).

use examforge::blueprint::Mode;
use examforge::draw::{draw, synthetic, DrawInput, Papers};
use examforge::score::grade::{Grader, Manual};
use examforge::score::script::RuleScript;
use examforge::sheet::Sheet;
use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let sheets: usize = std::env::var("SHEETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let banks = [synthetic::bank(1_000)];
    let bp = synthetic::blueprint(Mode::Shuffle);
    let m = draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed: 1,
        avoid: &HashSet::new(),
        papers: Papers::Variants(2),
    })
    .unwrap()
    .manifest;
    let dir = tempfile::tempdir().unwrap();
    // KEEP_SCAN=path reuses a generated file between runs (for profiling the grading alone).
    let kept = std::env::var_os("KEEP_SCAN").map(std::path::PathBuf::from);
    let path = kept.clone().unwrap_or_else(|| dir.path().join("scan.csv"));
    if !kept.as_ref().is_some_and(|p| p.exists()) {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        write!(w, "candidate,name,team,paper").unwrap();
        for n in 1..=100 {
            write!(w, ",{n}").unwrap();
        }
        writeln!(w).unwrap();
        let marks = ["A", "B", "C", "D", "AC", "BD", "", "T", "F", "ABD"];
        for i in 0..sheets {
            write!(
                w,
                "{:08},name {i},team {},{}",
                i,
                i % 13,
                if i % 2 == 0 { "A" } else { "B" }
            )
            .unwrap();
            let p = &m.papers[i % 2];
            for (j, (_, it)) in p.leaves().enumerate() {
                let cell = match it.kind {
                    examforge::bank::Kind::Judge => ["T", "F", "√", ""][(i + j) % 4],
                    _ => marks[(i * 7 + j * 3) % 7],
                };
                write!(w, ",{cell}").unwrap();
            }
            writeln!(w).unwrap();
        }
    }
    let size = std::fs::metadata(&path).unwrap().len();
    println!("{sheets} sheets × 100 items, {:.1} MB", size as f64 / 1e6);

    let only_builtin = std::env::var_os("ONLY_BUILTIN").is_some();
    let bare_read = || {
        let t = Instant::now();
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        let mut rec = csv::StringRecord::new();
        let mut fields = 0u64;
        while rdr.read_record(&mut rec).unwrap() {
            fields += rec.iter().map(|f| f.len().min(1) as u64).sum::<u64>();
        }
        (t.elapsed().as_secs_f64(), fields)
    };
    let (bare, fields) =
        (0..5)
            .map(|_| bare_read())
            .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a });
    println!(
        "bare csv read:     {bare:.3} s ({:.0} sheets/s; {fields} non-empty fields), peak {} MiB",
        sheets as f64 / bare,
        peak_kib() / 1024
    );

    if !only_builtin {
        let t = Instant::now();
        let mut sheet = Sheet::open("scan.csv", std::fs::File::open(&path).unwrap(), None).unwrap();
        let tokens = sheet.layout().tokens.clone();
        let (mut rows, mut cells) = (0usize, 0usize);
        let read_only = {
            while let Some(row) = sheet.next() {
                rows += row.unwrap().answers().len().min(1);
            }
            t.elapsed().as_secs_f64()
        };
        let t = Instant::now();
        let mut sheet = Sheet::open("scan.csv", std::fs::File::open(&path).unwrap(), None).unwrap();
        while let Some(row) = sheet.next() {
            let row = row.unwrap();
            for (_, raw) in row.answers() {
                let kind = examforge::sheet::CellKind::Multiple { options: 5 };
                cells += examforge::sheet::parse_cell(raw, kind, &tokens)
                    .map(|c| c.letters.len())
                    .unwrap_or(0);
            }
        }
        let parsed = t.elapsed().as_secs_f64();
        println!("sheet rows only:   {read_only:.3} s; with every cell parsed: {parsed:.3} s ({rows} rows, {cells} marks)");
    }

    // Each figure is the best of five runs, so that a busy moment of the machine does not count.
    let best = |f: &dyn Fn() -> (f64, u64)| {
        (0..5)
            .map(|_| f())
            .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
    };
    let grade = |script: Option<&RuleScript>| {
        let manual = Manual::new();
        let file = std::fs::File::open(&path).unwrap();
        let sheet = Sheet::open("scan.csv", file, None).unwrap();
        let tokens = sheet.layout().tokens.clone();
        let mut g = Grader::new(&m, script, &manual, tokens);
        let t = Instant::now();
        let mut sheet = examforge::sheet::ReadAhead::start(sheet);
        let mut busy = std::time::Duration::ZERO;
        while let Some(row) = sheet.next() {
            let row = row.unwrap();
            let s = Instant::now();
            g.grade(row).unwrap();
            busy += s.elapsed();
        }
        g.finish();
        if std::env::var_os("BUSY").is_some() {
            eprintln!(
                "  grading thread busy {:.3} s of {:.3} s",
                busy.as_secs_f64(),
                t.elapsed().as_secs_f64()
            );
        }
        (t.elapsed().as_secs_f64(), g.tally.graded)
    };
    let (builtin, n) = best(&|| grade(None));
    println!("built-in rules:    {builtin:.3} s ({:.0} sheets/s, {n} graded) = {:.0} % of the bare read's speed, peak {} MiB", sheets as f64 / builtin, bare / builtin * 100.0, peak_kib() / 1024);
    if only_builtin {
        return;
    }
    let script = RuleScript::compile(
        "scripts/multi-half.rhai",
        include_str!("../scripts/multi-half.rhai"),
    )
    .unwrap();
    let (rhai, _) = best(&|| grade(Some(&script)));
    println!(
        "rhai score rule:   {rhai:.3} s ({:.0} sheets/s) = {:.2}× built-in, peak {} MiB",
        sheets as f64 / rhai,
        rhai / builtin,
        peak_kib() / 1024
    );
}

//! The report over 100,000 candidates × 100 items: peak memory and time of `grade` and of `report`
//! on the same results, each run as its own process under `/usr/bin/time`.
//! Run: `cargo bench --bench report` (SHEETS=10000 for a smaller run). Target: the report's peak
//! memory does not grow with candidates × items (per-item sums; one result row per candidate for
//! the ranking) and stays within grading's.

use examforge::bank::{Answer, Kind};
use examforge::blueprint::Mode;
use examforge::draw::{draw, synthetic, DrawInput, Papers};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// A tiny deterministic generator (SplitMix64).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs the binary under `/usr/bin/time`; returns (seconds, peak KiB).
fn measured(args: &[&std::ffi::OsStr]) -> (f64, u64) {
    let exe = env!("CARGO_BIN_EXE_examforge");
    let t = Instant::now();
    let out = if Path::new("/usr/bin/time").exists() {
        Command::new("/usr/bin/time")
            .args(["-f", "PEAK_KIB %M"])
            .arg(exe)
            .args(args)
            .output()
    } else {
        Command::new(exe).args(args).output()
    }
    .expect("run examforge");
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "examforge failed:\n{stderr}"
    );
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_KIB ")?.trim().parse().ok())
        .unwrap_or(0);
    (secs, peak)
}

fn main() {
    let sheets: usize = std::env::var("SHEETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let banks = [synthetic::bank(1_000)];
    let m = draw(&DrawInput {
        blueprint: &synthetic::blueprint(Mode::Shuffle),
        banks: &banks,
        seed: 1,
        avoid: &HashSet::new(),
        papers: Papers::Variants(2),
    })
    .unwrap()
    .manifest;
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.json");
    std::fs::write(&exam, serde_json::to_vec(&m).unwrap()).unwrap();
    let scan = dir.path().join("scan.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&scan).unwrap());
    write!(w, "candidate,name,team,paper").unwrap();
    for n in 1..=100 {
        write!(w, ",{n}").unwrap();
    }
    writeln!(w).unwrap();
    // Each candidate has an ability; an item is answered right with a chance that grows with it,
    // so that the statistics have something to find.
    for i in 0..sheets {
        let ability = mix(i as u64) % 1000;
        let p = &m.papers[i % 2];
        write!(w, "{i:08},name {i},team {},{}", i % 13, p.code).unwrap();
        for (j, (_, it)) in p.leaves().enumerate() {
            let roll = mix((i as u64) << 8 | j as u64) % 1000;
            let right = roll < 250 + ability * 6 / 10;
            let cell = match (&it.answer, it.kind) {
                (Answer::Judge(t), _) => if *t == right { "T" } else { "F" }.to_string(),
                (Answer::Choice(k), Kind::Multiple) if right => {
                    k.iter().map(|&x| (b'A' + x as u8) as char).collect()
                }
                (Answer::Choice(k), _) if right => ((b'A' + k[0] as u8) as char).to_string(),
                (Answer::Choice(k), _) if roll % 17 == 0 => String::new(),
                (Answer::Choice(k), _) => {
                    ((b'A' + ((k[0] + 1 + (roll as usize % 3)) % 4) as u8) as char).to_string()
                }
                _ => String::new(),
            };
            write!(w, ",{cell}").unwrap();
        }
        writeln!(w).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let res = dir.path().join("res");
    let (g_secs, g_peak) = measured(&[
        "grade".as_ref(),
        exam.as_os_str(),
        scan.as_os_str(),
        "-o".as_ref(),
        res.as_os_str(),
    ]);
    let items = std::fs::metadata(res.join("items.csv")).unwrap().len();
    println!(
        "{sheets} candidates × 100 items (items.csv {:.0} MB)",
        items as f64 / 1e6
    );
    println!(
        "grade:               {g_secs:6.2} s, peak {:6.1} MiB",
        g_peak as f64 / 1024.0
    );
    for format in ["csv", "html"] {
        let out = dir.path().join(format!("rep-{format}"));
        let (secs, peak) = measured(&[
            "report".as_ref(),
            res.as_os_str(),
            "--exam".as_ref(),
            exam.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        println!(
            "report --format {format:4}: {secs:6.2} s, peak {:6.1} MiB",
            peak as f64 / 1024.0
        );
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rep-csv/summary.json")).unwrap())
            .unwrap();
    println!(
        "alpha {:.3}, sem {:.2}, mean {:.2}, flagged {}",
        summary["alpha"].as_f64().unwrap_or(f64::NAN),
        summary["sem"].as_f64().unwrap_or(f64::NAN),
        summary["mean"].as_f64().unwrap_or(f64::NAN),
        summary["items"].as_array().map_or(0, |a| a
            .iter()
            .filter(|i| !i["flags"].as_array().unwrap().is_empty())
            .count())
    );
}

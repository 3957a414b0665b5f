//! Printing speed on the peer exam (40 Chinese questions, one shuffled paper per candidate):
//! `examforge make` (papers.pdf + key + sheet) against one bare `typst compile` of the same paper
//! sources, and Auto Multiple Choice on the same content when it is installed, in the same run.
//! Reports wall time, pages per second and peak memory (the resident memory of the whole process
//! tree, sampled from /proc every 10 ms, so parallel typst processes add up).
//!
//! Run: `cargo bench --bench render`. Needs python3, typst, pdfinfo and a CJK font. The generator is
//! `$PEER_EXAM`, else `../shared/bench/peer-exam.py` beside the repository (or one folder up);
//! sizes come from `$BENCH_SIZES` (default `100,1000`); `BENCH_AMC=0` skips AMC; `$BENCH_RUNS`
//! (default 3) runs of make and of the bare compiles, interleaved, best time reported (AMC once).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    secs: f64,
    peak_mib: f64,
}

/// Runs `c` to its end, sampling the resident memory of it and all its descendants.
fn measure(c: &mut Command, what: &str) -> Run {
    let t = Instant::now();
    let mut child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let mut peak_kib = 0u64;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut s);
        }
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak_kib = peak_kib.max(tree_rss_kib(child.id()));
        std::thread::sleep(Duration::from_millis(10));
    };
    let secs = t.elapsed().as_secs_f64();
    let err = reader.join().unwrap_or_default();
    assert!(status.success(), "{what} failed:\n{err}");
    Run {
        secs,
        peak_mib: peak_kib as f64 / 1024.0,
    }
}

/// The fastest time and the highest peak of several runs.
fn best(runs: &[Run]) -> Run {
    Run {
        secs: runs.iter().map(|r| r.secs).fold(f64::INFINITY, f64::min),
        peak_mib: runs.iter().map(|r| r.peak_mib).fold(0.0, f64::max),
    }
}

/// The summed VmRSS of `root` and its descendants.
fn tree_rss_kib(root: u32) -> u64 {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
            if let Some(ppid) = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok())
            {
                parent.insert(pid, ppid);
            }
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parent.get(&pid) {
                Some(&p) if p != 0 => pid = p,
                _ => return false,
            }
        }
        false
    };
    parent
        .keys()
        .filter(|&&pid| in_tree(pid))
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .sum()
}

fn pages(pdf: &Path) -> u32 {
    let info = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn generator() -> PathBuf {
    if let Some(p) = std::env::var_os("PEER_EXAM") {
        return p.into();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "../shared/bench/peer-exam.py",
        "../../shared/bench/peer-exam.py",
    ]
    .iter()
    .map(|p| root.join(p))
    .find(|p| p.is_file())
    .expect("peer-exam.py: set $PEER_EXAM")
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The folders of the Noto CJK fonts, as fontconfig lists them.
fn cjk_font_dirs() -> Option<Vec<PathBuf>> {
    let out = Command::new("fc-list")
        .args([":", "family", "file"])
        .output()
        .ok()?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((file, families)) = line.split_once(": ") {
            if families.contains("CJK SC") {
                if let Some(dir) = Path::new(file).parent() {
                    if !dirs.iter().any(|d| d == dir) {
                        dirs.push(dir.to_path_buf());
                    }
                }
            }
        }
    }
    (!dirs.is_empty()).then_some(dirs)
}

fn row(what: &str, r: &Run, pages: u32, base: Option<&Run>) {
    let ratio = base.map_or(String::new(), |b| format!("{:>6.2}×", r.secs / b.secs));
    println!(
        "  {what:<44} {:>7.2} s {ratio:>7} {:>7.1} pages/s {:>8.0} MiB peak ({pages} pages)",
        r.secs,
        f64::from(pages) / r.secs,
        r.peak_mib
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "100,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let amc = std::env::var("BENCH_AMC").map_or(true, |v| v != "0")
        && on_path("auto-multiple-choice").is_some();
    let typst = std::env::var_os("EXAMFORGE_TYPST")
        .map(PathBuf::from)
        .or_else(|| on_path("typst"))
        .expect("typst on PATH");
    let gen = generator();
    let exe = env!("CARGO_BIN_EXE_examforge");
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let status = Command::new("python3")
            .arg(&gen)
            .args(["--lang", "zh", "--copies", &n.to_string(), "-o"])
            .arg(d.join("peer"))
            .status()
            .unwrap();
        assert!(status.success());
        println!("peer exam, {n} papers × 40 questions (zh), 2-sided:");
        let out = d.join("out");
        // Each measured `$BENCH_RUNS` times (default 3), interleaved so that a slow spell of the
        // machine hits all three alike: the fastest time and the highest peak are reported.
        let runs: usize = std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3);
        let (mut ours, mut bare, mut lean) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs.max(1) {
            ours.push(measure(
                Command::new(exe)
                    .arg("make")
                    .arg(d.join("peer/blueprint.toml"))
                    .arg("--roster")
                    .arg(d.join("peer/roster.csv"))
                    .args(["--seed", "1", "--force", "-o"])
                    .arg(&out),
                "examforge make",
            ));
            bare.push(measure(
                Command::new(&typst)
                    .arg("compile")
                    .arg("--root")
                    .arg(&out)
                    .arg(out.join("papers.typ"))
                    .arg(d.join("bare.pdf")),
                "typst compile papers.typ",
            ));
            // The same compile with the flags make gives its batches: untagged, and only the
            // font folders of the chain (as fontconfig lists them), so the gaps can be told apart.
            let mut c = Command::new(&typst);
            c.arg("compile")
                .arg("--no-pdf-tags")
                .arg("--root")
                .arg(&out);
            if let Some(dirs) = cjk_font_dirs() {
                c.arg("--ignore-system-fonts");
                for dir in dirs {
                    c.arg("--font-path").arg(dir);
                }
            }
            lean.push(measure(
                c.arg(out.join("papers.typ")).arg(d.join("lean.pdf")),
                "typst compile --no-pdf-tags papers.typ",
            ));
        }
        let (ours, bare, lean) = (best(&ours), best(&bare), best(&lean));
        let paper_pages = pages(&out.join("papers.pdf"));
        assert_eq!(paper_pages, pages(&d.join("bare.pdf")), "same pages");
        let all = paper_pages + pages(&out.join("key.pdf")) + pages(&out.join("sheet.pdf"));
        row(
            "bare typst compile papers.typ (1 process)",
            &bare,
            paper_pages,
            None,
        );
        row(
            "  the same, untagged, CJK font folders only",
            &lean,
            paper_pages,
            Some(&bare),
        );
        row(
            "examforge make (papers.pdf + key + sheet)",
            &ours,
            all,
            Some(&bare),
        );
        if amc {
            let tex = d.join("exam.tex");
            let status = Command::new("python3")
                .arg(&gen)
                .args(["--lang", "zh", "--copies", &n.to_string(), "--amc"])
                .arg(&tex)
                .status()
                .unwrap();
            assert!(status.success());
            std::fs::create_dir_all(d.join("amc")).unwrap();
            let r = measure(
                Command::new("auto-multiple-choice")
                    .args(["prepare", "--mode", "s", "--prefix"])
                    .arg(format!("{}/", d.display()))
                    .args(["--with", "xelatex", "--data"])
                    .arg(d.join("amc"))
                    .arg(&tex)
                    .current_dir(d),
                "auto-multiple-choice prepare",
            );
            let amc_pages = ["sujet.pdf", "DOC-sujet.pdf"]
                .iter()
                .map(|f| d.join(f))
                .find(|p| p.is_file())
                .map_or(0, |p| pages(&p));
            row("AMC prepare --mode s (xelatex)", &r, amc_pages, Some(&bare));
            println!("  examforge is {:.1}× faster than AMC", r.secs / ours.secs);
        }
    }
}

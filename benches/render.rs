//! 100 per-candidate 40-item Chinese papers to PDF through typst (needs typst and a CJK font).
//! Run: `cargo bench --bench render`.

use std::process::Command;
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let bp = dir.path().join("bench.toml");
    std::fs::write(
        &bp,
        format!(
            "[exam]\ntitle = \"渲染基准测试\"\nbanks = [\"{root}/question-banks/xzcf.toml\", \"{root}/question-banks/hjbh-dq.toml\", \"{root}/question-banks/gf-jsxm.toml\"]\n\n[draw]\nmode = \"redraw\"\n\n[[section]]\nkind = \"single\"\ncount = 20\npoints = 1\n\n[[section]]\nkind = \"multiple\"\ncount = 10\npoints = 2\n\n[[section]]\nkind = \"judge\"\ncount = 10\npoints = 1\n"
        ),
    )
    .unwrap();
    let roster = dir.path().join("roster.csv");
    let mut text = String::from("准考证号,姓名,单位\n");
    for i in 0..100 {
        text.push_str(&format!(
            "{},考生{i},第{}执法支队\n",
            26_100_000 + i,
            i % 13 + 1
        ));
    }
    std::fs::write(&roster, text).unwrap();
    let exe = env!("CARGO_BIN_EXE_examforge");
    let t = Instant::now();
    let out = Command::new(exe)
        .arg("make")
        .arg(&bp)
        .arg("--roster")
        .arg(&roster)
        .arg("--seed")
        .arg("1")
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages = 0;
    for i in 0..100 {
        let pdf = dir.path().join(format!("out/paper-{}.pdf", 26_100_000 + i));
        let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
        pages += String::from_utf8_lossy(&info.stdout)
            .lines()
            .find(|l| l.starts_with("Pages:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u32>().ok())
            .unwrap_or(0);
    }
    println!("100 papers × 40 items (+ key and sheet): {secs:.2} s wall, {pages} paper pages, {:.1} pages/s", f64::from(pages) / secs);
}

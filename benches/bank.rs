//! `bank import` and `bank check` on national-size banks: 10⁴, 10⁵ and 3 × 10⁵ questions with
//! Chinese stems and realistic near-duplicates (a word changed, a question entered twice), as
//! GIFT, as Moodle XML and as a 题库 CSV. Each step runs as its own process under `/usr/bin/time`: wall time and
//! peak memory (max RSS).
//! Run: `cargo bench --bench bank`. `BANK_SIZES=10000,100000` picks the sizes,
//! `BANK_FORMS=gift,csv,xml` the forms;
//! `OLD_EXAMFORGE=/path/to/examforge` also runs an earlier build on the same files, each step
//! stopped after `OLD_TIMEOUT` seconds (default 120). `BANK_DIR=/some/folder` writes the
//! generated files there and keeps them with each build's bank and the stderr of its import
//! and check (`out-{build}-{n}-{form}.toml`, `….import.txt`, `….check.txt`), to compare.
//! Target: a 300,000-question bank imports in seconds and checks in seconds.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A tiny deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const WHO: &[&str] = &[
    "排污单位",
    "建设单位",
    "生产经营单位",
    "县级以上地方人民政府",
    "生态环境主管部门",
    "企业事业单位和其他生产经营者",
    "重点排污单位",
    "医疗卫生机构",
    "危险废物运输单位",
    "环境监测机构",
    "工业园区管理机构",
    "城镇污水集中处理设施的运营单位",
];
const DUTY: &[&str] = &[
    "如实申报排放污染物的种类、数量和浓度",
    "建立环境保护责任制度，明确单位负责人和相关人员的责任",
    "如实向社会公开其主要污染物的名称、排放方式、排放浓度和总量",
    "按照国家有关规定和监测规范安装使用监测设备",
    "制定突发环境事件应急预案，报生态环境主管部门备案",
    "对危险废物的容器和包装物设置危险废物识别标志",
    "按照排污许可证的要求排放污染物",
    "采取措施防治在生产建设中产生的废气、废水、废渣",
    "保存原始监测记录",
    "编制环境影响报告书并报有审批权的部门审批",
];
const WHEN: &[&str] = &[
    "在投入生产或者使用之前",
    "发生突发环境事件时",
    "在排污许可证有效期届满前",
    "每年一月三十一日前",
    "在建设项目开工前",
    "自收到通知之日起",
];
const ASK: &[&str] = &[
    "下列说法正确的是",
    "其期限为",
    "应当向哪个部门报告",
    "违反规定的，由谁责令改正",
    "下列哪一项不属于其义务",
];
const SPAN: &[&str] = &[
    "五日",
    "十日",
    "十五日",
    "三十日",
    "六十日",
    "三个月",
    "一年",
    "三年",
];

/// The stems of a bank of `n`: most new, about 2 % a near-duplicate of an earlier stem (one word
/// changed) and 0.5 % an exact repeat, as banks merged from several trainers' files have.
fn stems(n: usize) -> Vec<String> {
    let mut rng = Rng(n as u64);
    let mut out: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.next() % 1000;
        if i > 0 && roll < 25 {
            let earlier = out[(rng.next() % i as u64) as usize].clone();
            out.push(if roll < 5 {
                earlier
            } else {
                earlier
                    .replacen("应当", "必须", 1)
                    .replacen("报告", "报送", 1)
            });
            continue;
        }
        // The matter of the question: a few characters of its own, as real stems name a
        // substance, a place or a document that others do not.
        let matter: String = (0..4 + rng.next() % 4)
            .filter_map(|_| char::from_u32(0x4E00 + (rng.next() % 6000) as u32))
            .collect();
        let mut s = String::new();
        let _ = write!(
            s,
            "涉及{matter}的，{}{}应当{}，{}",
            rng.pick(WHO),
            rng.pick(WHEN),
            rng.pick(DUTY),
            rng.pick(ASK),
        );
        if rng.next() % 2 == 0 {
            let _ = write!(s, "（{}内向{}报告）", rng.pick(SPAN), rng.pick(WHO));
        }
        s.push('？');
        out.push(s);
    }
    out
}

fn write_gift(path: &Path, stems: &[String]) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut rng = Rng(7);
    for (i, s) in stems.iter().enumerate() {
        let right = (rng.next() % 4) as usize;
        writeln!(w, "// 难度:{}\n::q{i}::{s}{{", 1 + i % 5).unwrap();
        for k in 0..4 {
            let mark = if k == right { '=' } else { '~' };
            writeln!(w, "{mark}{}", SPAN[(i + k) % SPAN.len()]).unwrap();
        }
        writeln!(w, "}}\n").unwrap();
    }
}

fn write_xml(path: &Path, stems: &[String]) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut rng = Rng(7);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>").unwrap();
    for (i, s) in stems.iter().enumerate() {
        let right = (rng.next() % 4) as usize;
        writeln!(
            w,
            "  <question type=\"multichoice\">\n    <name><text>q{i}</text></name>\n    <questiontext format=\"html\"><text><![CDATA[<p>{s}</p>]]></text></questiontext>\n    <single>true</single>"
        )
        .unwrap();
        for k in 0..4 {
            let fraction = if k == right { 100 } else { 0 };
            writeln!(
                w,
                "    <answer fraction=\"{fraction}\" format=\"html\"><text>{}</text></answer>",
                SPAN[(i + k) % SPAN.len()]
            )
            .unwrap();
        }
        writeln!(
            w,
            "    <tags><tag><text>难度:{}</text></tag></tags>\n  </question>",
            1 + i % 5
        )
        .unwrap();
    }
    writeln!(w, "</quiz>").unwrap();
}

fn write_csv(path: &Path, stems: &[String]) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "编号,题型,题干,选项A,选项B,选项C,选项D,正确答案,难度,知识点,出处"
    )
    .unwrap();
    for (i, s) in stems.iter().enumerate() {
        let o = |k: usize| SPAN[(i + k) % SPAN.len()];
        writeln!(
            w,
            "q{i},单选题,{s},{},{},{},{},{},{},环境法,《中华人民共和国环境保护法》第{}条",
            o(0),
            o(1),
            o(2),
            o(3),
            ["A", "B", "C", "D"][i % 4],
            1 + i % 5,
            1 + i % 70
        )
        .unwrap();
    }
}

/// One measured step: wall seconds, CPU seconds (user and system: on a shared machine the wall
/// time also counts waiting for a core) and peak KiB; `finished` is false when stopped at the
/// time limit.
struct Run {
    secs: f64,
    cpu: f64,
    peak_kib: u64,
    finished: bool,
}

/// Runs `exe args` under `/usr/bin/time`, stopping it after `limit`; with `keep`, what the run
/// wrote to stdout and stderr (less `time`'s lines) is saved there.
fn measured(exe: &str, args: &[&str], limit: Duration, keep: Option<&Path>) -> Run {
    let t = Instant::now();
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "PEAK_KIB %M\nCPU_SECS %U %S"])
        .arg(exe)
        .args(args)
        .stdout(if keep.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::piped())
        .spawn()
        .expect("run /usr/bin/time");
    let stdout = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut out, &mut s).ok();
            s
        })
    });
    // stderr is drained by a thread: near-duplicate warnings may fill the pipe.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let mut finished = true;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > limit {
            finished = false;
            // Stop examforge itself, the child of `time`, so that `time` still reports.
            let children =
                std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id()))
                    .unwrap_or_default();
            for pid in children.split_whitespace() {
                Command::new("kill").arg(pid).status().ok();
            }
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = t.elapsed().as_secs_f64();
    let stderr = reader.join().unwrap();
    if let Some(keep) = keep {
        let mut saved = stdout.map(|t| t.join().unwrap()).unwrap_or_default();
        for l in stderr.lines() {
            if !l.starts_with("PEAK_KIB ") && !l.starts_with("CPU_SECS ") {
                saved.extend_from_slice(l.as_bytes());
                saved.push(b'\n');
            }
        }
        std::fs::write(keep, saved).unwrap();
    }
    if finished {
        assert!(
            status.code().is_some_and(|c| c <= 1),
            "{exe} {args:?} failed:\n{}",
            &stderr[stderr.len().saturating_sub(2000)..]
        );
    }
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_KIB ")?.trim().parse().ok())
        .unwrap_or(0);
    let cpu = stderr
        .lines()
        .find_map(|l| l.strip_prefix("CPU_SECS "))
        .map_or(0.0, |l| {
            l.split_whitespace()
                .filter_map(|x| x.parse::<f64>().ok())
                .sum()
        });
    Run {
        secs,
        cpu,
        peak_kib,
        finished,
    }
}

fn show(r: &Run) -> String {
    if r.finished {
        format!(
            "{:>7.2} s {:>6.2} cpu {:>5.0} MiB",
            r.secs,
            r.cpu,
            r.peak_kib as f64 / 1024.0
        )
    } else {
        format!(
            "stopped after {:.0} s at {:.0} MiB",
            r.secs,
            r.peak_kib as f64 / 1024.0
        )
    }
}

fn main() {
    assert!(
        Path::new("/usr/bin/time").exists(),
        "this bench measures peak memory with /usr/bin/time (Debian package `time`)"
    );
    let sizes: Vec<usize> = std::env::var("BANK_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 300_000]);
    let forms: Vec<String> = std::env::var("BANK_FORMS")
        .ok()
        .map(|s| s.split(',').map(|f| f.trim().to_string()).collect())
        .unwrap_or_else(|| vec!["gift".into(), "csv".into(), "xml".into()]);
    let new = env!("CARGO_BIN_EXE_examforge").to_string();
    let old = std::env::var("OLD_EXAMFORGE").ok();
    let old_limit = Duration::from_secs(
        std::env::var("OLD_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(120),
    );
    let temp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("BANK_DIR").map(std::path::PathBuf::from);
    let dir = keep.as_deref().unwrap_or(temp.path());
    println!(
        "{:>9} {:<5} {:>9}  {:<8} {:>28} {:>28}",
        "questions", "form", "size", "build", "import", "check"
    );
    for &n in &sizes {
        let stems = stems(n);
        for form in &forms {
            let form = form.as_str();
            let input = dir.join(format!("bank-{n}.{form}"));
            match form {
                "gift" => write_gift(&input, &stems),
                "xml" => write_xml(&input, &stems),
                _ => write_csv(&input, &stems),
            }
            let size = std::fs::metadata(&input).unwrap().len();
            let mut builds = vec![("this", new.as_str(), Duration::from_secs(3600))];
            if let Some(old) = &old {
                builds.push(("earlier", old.as_str(), old_limit));
            }
            for (name, exe, limit) in builds {
                let out = dir.join(format!("out-{name}-{n}-{form}.toml"));
                let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
                let kept = |step: &str| {
                    keep.as_ref()
                        .map(|_| dir.join(format!("out-{name}-{n}-{form}.{step}.txt")))
                };
                let import = measured(
                    exe,
                    &["bank", "import", i, "-o", o, "--id", "b", "--force"],
                    limit,
                    kept("import").as_deref(),
                );
                let check = if import.finished {
                    show(&measured(
                        exe,
                        &["bank", "check", o],
                        limit,
                        kept("check").as_deref(),
                    ))
                } else {
                    "-".into()
                };
                println!(
                    "{n:>9} {form:<5} {:>7.1}MB  {name:<8} {:>28} {:>28}",
                    size as f64 / 1e6,
                    show(&import),
                    check
                );
                if keep.is_none() {
                    std::fs::remove_file(&out).ok();
                }
            }
            if keep.is_none() {
                std::fs::remove_file(&input).ok();
            }
        }
    }
}

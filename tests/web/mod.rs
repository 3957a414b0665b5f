//! What the tests of `examforge serve` start from, over HTTP (tests/serve.rs) or in a browser
//! (tests/browser.rs): a workspace from `examforge init` with its codes issued, a candidate's
//! paper, a server on a free port, and the answer that earns an item's points.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The examforge binary cargo built for the tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_examforge")
}

/// `examforge ARGS…` as `args` sets it up, which must succeed (what it said is shown if not);
/// its stdout.
pub fn examforge(args: impl FnOnce(&mut Command) -> &mut Command) -> Vec<u8> {
    let out = args(&mut Command::new(bin())).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A port no one listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Returns once something listens on `port` (a minute at the most).
pub fn wait_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "port {port} did not open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process, killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A workspace made by `examforge init` in a temporary folder.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Workspace {
    /// `examforge init` into a fresh folder.
    pub fn init() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        examforge(|c| c.arg("init").arg(&root));
        Workspace { dir, root }
    }

    /// The workspace's competition.toml.
    pub fn competition(&self) -> PathBuf {
        self.root.join("competition.toml")
    }
}

/// `serve codes COMPETITION -o OUT EXTRA…`; each candidate's code, by candidate id.
pub fn issue_codes(competition: &Path, out: &Path, extra: &[&str]) -> HashMap<String, String> {
    examforge(|c| {
        c.args(["serve", "codes"])
            .arg(competition)
            .arg("-o")
            .arg(out)
            .args(extra)
    });
    std::fs::read_to_string(out.join("codes.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[3].to_string())
        })
        .collect()
}

/// The paper of round week1 that `candidate` is given (`serve --show-paper`).
pub fn paper(competition: &Path, candidate: &str) -> Value {
    let out = examforge(|c| {
        c.arg("serve")
            .arg(competition)
            .args(["--show-paper", "week1", candidate])
    });
    serde_json::from_slice(&out).unwrap()
}

/// `examforge serve COMPETITION --listen 127.0.0.1:PORT` on a free port, with what `setup`
/// adds; running once its port is open.
pub struct Server {
    pub child: Killed,
    pub base: String,
}

impl Server {
    /// Starts the server; see [`Server`].
    pub fn start(competition: &Path, setup: impl FnOnce(&mut Command)) -> Server {
        let port = free_port();
        let mut c = Command::new(bin());
        c.arg("serve")
            .arg(competition)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        setup(&mut c);
        let child = Killed(c.spawn().unwrap());
        wait_port(port);
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// The score a result page shows (the text of its `#score` element).
pub fn shown_score(page: &str) -> &str {
    page.split("id=\"score\">")
        .nth(1)
        .expect("a score on the page")
        .split('<')
        .next()
        .unwrap()
}

/// The items of a paper (`serve --show-paper`), in order.
pub fn leaves(paper: &Value) -> Vec<Value> {
    paper["papers"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .collect()
}

/// The answer that earns full points on an item of the paper (in printed letters; a fill's
/// blanks joined by `|`).
pub fn right_answer(item: &Value) -> String {
    let a = &item["answer"];
    match item["kind"].as_str().unwrap() {
        "single" | "multiple" => a["choice"]
            .as_array()
            .or_else(|| a.as_array())
            .unwrap()
            .iter()
            .map(|i| (b'A' + i.as_u64().unwrap() as u8) as char)
            .collect(),
        "judge" => if a["judge"].as_bool().or(a.as_bool()).unwrap() {
            "T"
        } else {
            "F"
        }
        .into(),
        _ => a["fill"]
            .as_array()
            .or_else(|| a.as_array())
            .unwrap()
            .iter()
            .map(|b| b[0].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("|"),
    }
}

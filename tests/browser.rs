//! `examforge serve` in a real headless browser (Debian's chromium, driven through chromedriver
//! over WebDriver): a candidate signs in on a 360 px wide phone, answers a round, reloads in the
//! middle without losing an answer, submits, sees the key and explanations, and the board shows
//! their team's points. Screenshots go to `EXAMFORGE_SCREENSHOTS` (or a temporary folder).

mod web;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use web::{
    free_port, issue_codes, leaves, paper, right_answer, shown_score, wait_port, Killed, Server,
};

/// One browser at a time: two Chromiums starting together on a loaded two-core machine can take
/// longer than chromedriver waits for either.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A WebDriver session.
struct Browser {
    agent: ureq::Agent,
    url: String,
    _driver: Killed,
    _profile: tempfile::TempDir,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Browser {
    fn start() -> Option<Browser> {
        let chromium = Path::new("/usr/bin/chromium");
        let driver = Path::new("/usr/bin/chromedriver");
        if !chromium.exists() || !driver.exists() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but chromium or chromedriver is missing: .ci/run installs chromium chromium-driver");
            }
            eprintln!("skipped: browser test (install chromium and chromium-driver)");
            return None;
        }
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // A browser that does not come up is started again from nothing; after the last try the
        // test fails with what chromedriver and Chromium said.
        let mut logs = Vec::new();
        for attempt in 1..=3 {
            match Self::try_start(chromium, driver) {
                Ok((agent, url, driver, profile)) => {
                    return Some(Browser {
                        agent,
                        url,
                        _driver: driver,
                        _profile: profile,
                        _turn: turn,
                    })
                }
                Err(log) => {
                    eprintln!("browser start {attempt} of 3 failed");
                    logs.push(log);
                }
            }
        }
        panic!(
            "chromium did not start three times; the last chromedriver log ends:\n{}",
            logs.pop().unwrap_or_default()
        );
    }

    /// Starts chromedriver and a session, or gives back the end of chromedriver's log.
    fn try_start(
        chromium: &Path,
        driver: &Path,
    ) -> Result<(ureq::Agent, String, Killed, tempfile::TempDir), String> {
        let profile = tempfile::tempdir().unwrap();
        let log = profile.path().join("chromedriver.log");
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .arg("--enable-chrome-logs")
            // No session bus here: Chromium waits for one otherwise.
            .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
            .env("HOME", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Killed(child);
        wait_port(port);
        let data = profile.path().join("data");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(150))
            .build();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=360,800",
                     format!("--user-data-dir={}", data.display())]
        }}}});
        let started = agent
            .post(&format!("http://127.0.0.1:{port}/session"))
            .send_json(caps)
            .map_err(|e| e.to_string())
            .and_then(|r| r.into_json::<Value>().map_err(|e| e.to_string()))
            .and_then(|r| {
                r["value"]["sessionId"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("no session id in {r}"))
            });
        match started {
            Ok(id) => Ok((
                agent,
                format!("http://127.0.0.1:{port}/session/{id}"),
                driver,
                profile,
            )),
            Err(e) => {
                drop(driver);
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(format!("{e}\n{}", tail.join("\n")))
            }
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let r = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.post(&url).send_json(body.unwrap_or(json!({}))),
        };
        match r {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => panic!(
                "webdriver {path}: {code} {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("webdriver {path}: {e}"),
        }
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            let r = self.cmd(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            );
            if let Some(e) = r.as_array().and_then(|a| a.first()) {
                // The W3C element reference: the object's one value, whatever its key.
                return e
                    .as_object()
                    .and_then(|o| o.values().next())
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("element reference: {e}"))
                    .to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no element {css}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), None);
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn selected(&self, css: &str) -> bool {
        let e = self.find(css);
        self.cmd("GET", &format!("/element/{e}/selected"), None)
            .as_bool()
            .unwrap()
    }

    fn value(&self, css: &str) -> String {
        let e = self.find(css);
        self.cmd("GET", &format!("/element/{e}/property/value"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A phone's viewport (headless chromium's window is never narrower than 500 px, so the
    /// width is emulated), or the desktop window with `mobile = false`.
    fn size(&self, w: u32, h: u32, mobile: bool) {
        if mobile {
            self.cmd(
                "POST",
                "/goog/cdp/execute",
                Some(json!({"cmd": "Emulation.setDeviceMetricsOverride",
                "params": {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": true}})),
            );
        } else {
            self.cmd(
                "POST",
                "/goog/cdp/execute",
                Some(json!({"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})),
            );
            self.cmd(
                "POST",
                "/window/rect",
                Some(json!({"width": w, "height": h})),
            );
        }
    }

    fn inner_width(&self) -> u64 {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return window.innerWidth", "args": []})),
        )
        .as_u64()
        .unwrap()
    }

    fn shot(&self, dir: &Path, name: &str) {
        // The whole page, not just the window: chromium's full-page capture through CDP.
        let v = self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Page.captureScreenshot", "params": {"captureBeyondViewport": true, "format": "png"}})),
        );
        let b64 = v["data"].as_str().map(String::from).unwrap_or_else(|| {
            self.cmd("GET", "/screenshot", None)
                .as_str()
                .unwrap()
                .to_string()
        });
        std::fs::write(dir.join(name), base64(&b64)).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.url).call();
    }
}

impl Browser {
    /// What the window shows (the top of the page).
    fn shot_view(&self, dir: &Path, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", None);
        std::fs::write(dir.join(name), base64(b64.as_str().unwrap())).unwrap();
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n: u32 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(val(c)) << (18 - 6 * i);
        }
        let k = chunk.len() - 1;
        for i in 0..k {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// The folder the screenshots go to: `EXAMFORGE_SCREENSHOTS`, or one under the temporary folder.
fn screenshots() -> PathBuf {
    let shots: PathBuf = match std::env::var("EXAMFORGE_SCREENSHOTS") {
        Ok(d) => PathBuf::from(d),
        Err(_) => {
            std::env::temp_dir().join(format!("examforge-screenshots-{}", std::process::id()))
        }
    };
    std::fs::create_dir_all(&shots).unwrap();
    shots
}

/// The candidate the tests sign in as.
const WHO: &str = "26010001";

/// A workspace's competition served: the codes issued, the server started; the server, and
/// [`WHO`]'s code and items of round week1.
fn served(ws: &web::Workspace) -> (Server, String, Vec<Value>) {
    let comp = ws.competition();
    let codes = issue_codes(&comp, &ws.root.join("codes"), &[]);
    let items = leaves(&paper(&comp, WHO));
    (Server::start(&comp, |_| {}), codes[WHO].clone(), items)
}

impl Browser {
    /// The sign-in page on a phone 360 px wide.
    fn signin_on_a_phone(&self, base: &str) {
        self.size(360, 800, true);
        self.go(&format!("{base}/signin"));
        assert_eq!(self.inner_width(), 360);
    }
}

#[test]
fn a_candidate_answers_on_a_phone_and_the_board_shows_the_team() {
    let Some(b) = Browser::start() else { return };
    let shots = screenshots();
    eprintln!("screenshots: {}", shots.display());

    // A workspace from `init`, codes issued, the server started.
    let ws = web::Workspace::init();
    let (server, code, items) = served(&ws);
    let base = &server.base;

    // Sign in on the phone.
    b.signin_on_a_phone(base);
    b.shot(&shots, "1-signin-phone.png");
    b.type_into("#code", &code.to_lowercase().replace('-', " "));
    b.click("button[type=submit].primary");
    b.find("form[action='/round/week1/start'] button");
    b.shot(&shots, "2-home-phone.png");
    b.click("form[action='/round/week1/start'] button");
    b.find("#paper");
    b.shot(&shots, "3-round-phone.png");
    b.shot_view(&shots, "3-round-phone-top.png");

    // Answer: each answer saved as given (the page's script posts it); a reload halfway.
    let answer = |it: &Value| {
        let n = it["number"].as_u64().unwrap();
        let cell = right_answer(it);
        match it["kind"].as_str().unwrap() {
            "fill" => {
                for (i, part) in cell.split('|').enumerate() {
                    let css = format!("#q{n} input[name=q{n}]:nth-of-type(1)");
                    let _ = css;
                    let sel = format!("#q{n} label.blank:nth-of-type({}) input", i + 1);
                    b.type_into(&sel, part);
                }
            }
            _ => {
                for l in cell.chars() {
                    b.click(&format!("input[name=q{n}][value='{l}']"));
                }
            }
        }
        b.find(&format!("#q{n}[data-saved=yes]"));
        (n, it["kind"].as_str().unwrap().to_string(), cell)
    };
    let mut given = Vec::new();
    for it in items.iter().take(10) {
        given.push(answer(it));
    }
    b.cmd("POST", "/refresh", None);
    b.find("#paper");
    for (n, kind, cell) in &given {
        if kind == "fill" {
            for (i, part) in cell.split('|').enumerate() {
                assert_eq!(
                    b.value(&format!("#q{n} label.blank:nth-of-type({}) input", i + 1)),
                    *part,
                    "q{n} lost on reload"
                );
            }
        } else {
            for l in cell.chars() {
                assert!(
                    b.selected(&format!("input[name=q{n}][value='{l}']")),
                    "q{n} lost on reload"
                );
            }
        }
    }
    for it in items.iter().skip(10) {
        given.push(answer(it));
    }
    b.shot(&shots, "4-answered-phone.png");
    let page = b.source();
    for it in &items {
        if let Some(e) = it["explanation"]
            .as_str()
            .filter(|e| !e.is_empty() && !e.contains('&') && !e.contains('\'') && !e.contains('"'))
        {
            assert!(
                !page.contains(e),
                "explanation on the page before submitting"
            );
        }
    }
    b.click("#submit");
    b.find("#score");
    let result = b.source();
    let total: f64 = items.iter().map(|it| it["points"].as_f64().unwrap()).sum();
    let score = shown_score(&result);
    assert_eq!(score.parse::<f64>().unwrap(), total);
    assert!(
        result.contains("Key") && result.contains("Explanation"),
        "no key after submitting"
    );
    if let Some(e) = items
        .iter()
        .filter_map(|it| it["explanation"].as_str())
        .find(|e| !e.is_empty() && !e.contains('&') && !e.contains('\'') && !e.contains('"'))
    {
        assert!(result.contains(e));
    }
    b.shot(&shots, "5-result-phone.png");
    b.shot_view(&shots, "5-result-phone-top.png");

    // The board: the team's points.
    b.go(&format!("{base}/board"));
    b.find("table.grid");
    let board = b.source();
    assert!(board.contains("泠川市生态环境综合行政执法支队"));
    assert!(
        board.contains(&format!(
            "<td class=\"n\">{}</td>",
            if total.fract() == 0.0 {
                format!("{total:.0}")
            } else {
                total.to_string()
            }
        )),
        "{board}"
    );
    b.shot(&shots, "6-board-phone.png");
    b.size(1280, 900, false);
    b.go(&format!("{base}/board"));
    b.find("table.grid");
    b.shot(&shots, "7-board-desktop.png");
    b.go(&format!("{base}/round/week1"));
    b.find("#score");
    b.shot(&shots, "8-result-desktop.png");
    b.go(&format!("{base}/me"));
    b.find("table.grid");
    b.shot(&shots, "9-me-desktop.png");
}

impl Browser {
    fn exists(&self, css: &str) -> bool {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .is_some_and(|a| !a.is_empty())
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.cmd("GET", &format!("/element/{e}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

#[test]
fn one_question_at_a_time_on_a_phone_in_chinese() {
    let Some(b) = Browser::start() else { return };
    let shots = screenshots();

    // A workspace from `init` with the bundled Chinese banks and the weekly round's blueprint,
    // the round shown one question at a time.
    let ws = web::Workspace::init();
    let root = &ws.root;
    let banks = Path::new(env!("CARGO_MANIFEST_DIR")).join("question-banks");
    for f in [
        "xzcf.toml",
        "hjbh-dq.toml",
        "gf-jsxm.toml",
        "sts-ys.toml",
        "xcjc-zj.toml",
        "laws.toml",
        "weekly-round.toml",
    ] {
        std::fs::copy(banks.join(f), root.join(f)).unwrap();
    }
    let comp = ws.competition();
    let init = std::fs::read_to_string(&comp).unwrap();
    let line = |key: &str| {
        init.lines()
            .find(|l| l.starts_with(key))
            .unwrap()
            .to_string()
    };
    std::fs::write(
        &comp,
        format!(
            "[competition]\ntitle = \"生态环境执法知识竞赛\"\norganiser = \"培训处\"\nroster = \"roster.csv\"\n\
             language = \"zh\"\n\n[[round]]\nid = \"week1\"\nname = \"第一周 每周一练\"\n{}\n{}\n\
             time_limit = 20\nblueprint = \"weekly-round.toml\"\nview = \"one\"\n",
            line("opens ="),
            line("closes =")
        ),
    )
    .unwrap();
    let (server, code, items) = served(&ws);
    let base = &server.base;

    b.signin_on_a_phone(base);
    b.type_into("#code", &code);
    b.click("button[type=submit].primary");
    b.click("form[action='/round/week1/start'] button");
    // The round opens on its first question.
    b.find("#q1");
    assert_eq!(
        b.text("#progress"),
        format!("第 1 题 / 共 {} 题", items.len())
    );
    b.shot(&shots, "10-question-phone-zh.png");
    b.shot_view(&shots, "10-question-phone-zh-top.png");

    // Answer the first six one at a time: each saved as given (the strip marks it), then Next.
    let mut expected = 0.0;
    for it in items.iter().take(6) {
        let n = it["number"].as_u64().unwrap();
        assert!(
            !b.exists(&format!("#q{}", n + 1)),
            "another question on the page"
        );
        for l in right_answer(it).chars() {
            b.click(&format!("input[name=q{n}][value='{l}']"));
        }
        b.find(&format!("#q{n}[data-saved=yes]"));
        b.find(&format!(".strip button[data-n='{n}'].answered"));
        expected += it["points"].as_f64().unwrap();
        if n == 3 {
            b.shot(&shots, "11-question-answered-phone-zh.png");
        }
        b.click("#next");
        b.find(&format!("#q{}", n + 1));
    }
    // A reload on the seventh: still the seventh, the six answered in the strip.
    b.cmd("POST", "/refresh", None);
    b.find("#q7");
    for it in items.iter().take(6) {
        let n = it["number"].as_u64().unwrap();
        assert!(b.exists(&format!(".strip button[data-n='{n}'].answered")));
    }
    assert!(!b.exists(".strip button[data-n='7'].answered"));
    // Back to the second through the strip: its answer is there.
    b.click(".strip button[data-n='2']");
    b.find("#q2");
    for l in right_answer(&items[1]).chars() {
        assert!(
            b.selected(&format!("input[name=q2][value='{l}']")),
            "q2 lost"
        );
    }
    // The same question on a desktop.
    b.size(1280, 900, false);
    b.go(&format!("{base}/round/week1/q/2"));
    b.find("#q2");
    b.shot(&shots, "12-question-desktop-zh.png");
    b.size(360, 800, true);
    // Switch to the whole round: the six answers are there.
    b.click("a.switch");
    b.find("#q20");
    for it in items.iter().take(6) {
        let n = it["number"].as_u64().unwrap();
        for l in right_answer(it).chars() {
            assert!(
                b.selected(&format!("input[name=q{n}][value='{l}']")),
                "q{n} lost"
            );
        }
    }
    // Back to one at a time, to the last question, and submit there.
    b.click("a.switch");
    b.find("#progress");
    let last = items.last().unwrap()["number"].as_u64().unwrap();
    b.go(&format!("{base}/round/week1/q/{last}"));
    b.find(&format!("#q{last}"));
    assert!(!b.exists("#next"));
    assert!(
        b.text(".notice").contains("还有 13 题未答"),
        "{}",
        b.text(".notice")
    );
    b.shot(&shots, "13-question-last-phone-zh.png");
    b.click("#submit");
    b.find("#score");
    let score: f64 = b.text("#score").parse().unwrap();
    assert_eq!(score, expected);
    let result = b.source();
    assert!(result.contains("正确答案") && result.contains("解析"));
}

//! `examforge serve` over real HTTP: a candidate's round end to end, the security musts, and no
//! acknowledged answer lost to `kill -9`. The flows run on SQLite, and on PostgreSQL when
//! `EXAMFORGE_TEST_POSTGRES` holds a URL (under `CI=true` it must).

mod web;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use web::{bin, examforge, leaves, right_answer, shown_score, Server};

const ADMIN: &str = "test-admin-token-0123456789";

/// A workspace from `examforge init`, with codes issued on `db`.
struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    db: String,
    codes: HashMap<String, String>,
}

fn postgres_url() -> Option<String> {
    match std::env::var("EXAMFORGE_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but EXAMFORGE_TEST_POSTGRES is not set: .ci/run starts PostgreSQL and exports it");
            }
            eprintln!(
                "skipped: PostgreSQL flow (set EXAMFORGE_TEST_POSTGRES=postgres://… to run it)"
            );
            None
        }
    }
}

/// A fresh PostgreSQL schema for one test: the URL's database with `search_path` set.
fn fresh_postgres(base: &str, tag: &str) -> String {
    let schema = format!(
        "t_{tag}_{}_{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    );
    let status = Command::new("psql")
        .arg(base)
        .arg("-qc")
        .arg(format!("CREATE SCHEMA {schema}"))
        .status()
        .expect("psql runs");
    assert!(status.success(), "psql could not create a schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

impl Workspace {
    fn new(db: Option<String>) -> Self {
        Self::with(db, |_| {})
    }

    fn with(db: Option<String>, edit: impl FnOnce(&Path)) -> Self {
        let web::Workspace { dir, root } = web::Workspace::init();
        edit(&root);
        let db =
            db.unwrap_or_else(|| format!("sqlite://{}", root.join("competition.db").display()));
        let codes = web::issue_codes(
            &root.join("competition.toml"),
            &root.join("codes"),
            &["--database", &db],
        );
        Workspace {
            _dir: dir,
            root,
            db,
            codes,
        }
    }

    fn serve(&self) -> Server {
        Server::start(&self.root.join("competition.toml"), |c| {
            c.args(["--database", &self.db])
                .env("EXAMFORGE_ADMIN_TOKEN", ADMIN);
        })
    }

    fn paper(&self, candidate: &str) -> serde_json::Value {
        web::paper(&self.root.join("competition.toml"), candidate)
    }
}

/// A browser-like client: its own cookies, no redirects followed.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookies: HashMap<String, String>,
}

struct Reply {
    status: u16,
    body: String,
    location: Option<String>,
}

impl Client {
    fn new(base: &str) -> Self {
        Client {
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            base: base.to_string(),
            cookies: HashMap::new(),
        }
    }

    fn take(&mut self, r: std::result::Result<ureq::Response, ureq::Error>) -> Reply {
        let r = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        for c in r.all("set-cookie") {
            let kv = c.split(';').next().unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
            assert!(
                c.contains("HttpOnly") && c.contains("SameSite=Strict"),
                "cookie {c}"
            );
        }
        Reply {
            status: r.status(),
            location: r.header("location").map(String::from),
            body: r.into_string().unwrap_or_default(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn get(&mut self, path: &str) -> Reply {
        let r = self
            .agent
            .get(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie_header())
            .call();
        self.take(r)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)], json: bool) -> Reply {
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie_header());
        if json {
            req = req.set("accept", "application/json");
        }
        let r = req.send_form(form);
        self.take(r)
    }

    /// The page's CSRF token (the hidden `csrf` field).
    fn csrf(page: &str) -> String {
        let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    }

    fn sign_in(&mut self, code: &str) -> Reply {
        let page = self.get("/signin").body;
        let csrf = Self::csrf(&page);
        self.post("/signin", &[("csrf", &csrf), ("code", code)], false)
    }
}

/// The form fields answering item `n` with `cell`.
fn fields(kind: &str, n: u64, cell: &str) -> Vec<(String, String)> {
    let name = format!("q{n}");
    let mut v = vec![("present".to_string(), n.to_string())];
    match kind {
        "fill" => v.extend(cell.split('|').map(|b| (name.clone(), b.to_string()))),
        _ => v.extend(cell.chars().map(|c| (name.clone(), c.to_string()))),
    }
    v
}

fn save(c: &mut Client, csrf: &str, kind: &str, n: u64, cell: &str) -> Reply {
    let mut f = vec![("csrf".to_string(), csrf.to_string())];
    f.extend(fields(kind, n, cell));
    let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    c.post("/round/week1/save", &refs, true)
}

fn started(ws: &Workspace, s: &Server, who: &str) -> (Client, String) {
    let mut c = Client::new(&s.base);
    let r = c.sign_in(&ws.codes[who]);
    assert_eq!(r.status, 303, "{}", r.body);
    let home = c.get("/").body;
    let csrf = Client::csrf(&home);
    let r = c.post("/round/week1/start", &[("csrf", &csrf)], false);
    assert_eq!(r.status, 303, "{}", r.body);
    (c, csrf)
}

fn flow(ws: &Workspace) {
    let s = ws.serve();
    let who = "26010001";
    let paper = ws.paper(who);
    let items = leaves(&paper);
    assert_eq!(items.len(), 20);
    let (mut c, csrf) = started(ws, &s, who);
    let page = c.get("/round/week1").body;
    // Nothing of the key before the attempt closes.
    for it in &items {
        let e = it["explanation"].as_str().unwrap_or("");
        if !e.is_empty() {
            assert!(
                !page.contains(&e.replace('\'', "&#x27;")) && !page.contains(e),
                "explanation sent early: {e}"
            );
        }
    }
    // Answer the first half right, reload, the rest; every other item wrong on purpose.
    let mut expected = 0.0;
    let mut given = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let n = it["number"].as_u64().unwrap();
        let kind = it["kind"].as_str().unwrap();
        let right = right_answer(it);
        let cell = if i % 5 == 4 {
            match kind {
                "judge" => {
                    if right == "T" {
                        "F".to_string()
                    } else {
                        "T".to_string()
                    }
                }
                "fill" => "wrong".to_string(),
                _ => {
                    if right.starts_with('A') {
                        "B".into()
                    } else {
                        "A".into()
                    }
                }
            }
        } else {
            expected += it["points"].as_f64().unwrap();
            right
        };
        let r = save(&mut c, &csrf, kind, n, &cell);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains(&format!("[{n}]")), "{}", r.body);
        given.push((n, kind.to_string(), cell));
        if i == 9 {
            // A reload in the middle: every answer given so far is shown as given.
            assert_shown(&c.get("/round/week1").body, &given);
        }
    }
    let r = c.post("/round/week1/submit", &[("csrf", &csrf)], false);
    assert_eq!(r.status, 303, "{}", r.body);
    let result = c.get("/round/week1").body;
    let score = shown_score(&result);
    assert_eq!(score.parse::<f64>().unwrap(), expected, "{result}");
    // After submitting: key and explanations.
    let with_expl = items
        .iter()
        .filter_map(|it| it["explanation"].as_str())
        .find(|e| !e.is_empty() && !e.contains('\'') && !e.contains('"') && !e.contains('&'));
    if let Some(e) = with_expl {
        assert!(result.contains(e), "explanation missing after submit");
    }
    // The board shows the team's points (team rule: mean; one member answered).
    let board = Client::new(&s.base).get("/board").body;
    assert!(board.contains("泠川市生态环境综合行政执法支队"), "{board}");
    assert!(
        board.contains(&format!("<td class=\"n\">{}</td>", fmt(expected))),
        "{board}"
    );
    // The personal page: points and rank 1.
    let me = c.get("/me").body;
    assert!(me.contains(&fmt(expected)));
    // Export: grade's layout and a score list standings reads.
    let out = ws.root.join("export");
    examforge(|c| {
        c.args(["serve", "export"])
            .arg(ws.root.join("competition.toml"))
            .arg("week1")
            .arg("-o")
            .arg(&out)
            .args(["--database", &ws.db])
    });
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        results.contains(who) && results.contains(&fmt(expected)),
        "{results}"
    );
    assert!(out.join("items.csv").exists() && out.join("results.json").exists());
    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    assert_eq!(scores.lines().next(), Some("entrant,team,points,round"));
    assert!(
        scores.contains(&format!(
            "{who},泠川市生态环境综合行政执法支队,{},Week 1",
            fmt(expected)
        )),
        "{scores}"
    );
}

fn fmt(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[test]
fn a_candidate_answers_a_round_and_the_board_shows_their_team_sqlite() {
    flow(&Workspace::new(None));
}

#[test]
fn a_candidate_answers_a_round_and_the_board_shows_their_team_postgres() {
    if let Some(url) = postgres_url() {
        flow(&Workspace::new(Some(fresh_postgres(&url, "flow"))));
    }
}

/// A candidate answers a round one question at a time with plain HTML forms (no script): each
/// answer posted with the button that moves on, a reload in the middle, every answer kept, the
/// submit at the end, then the key.
fn one_at_a_time(ws: &Workspace) {
    let s = ws.serve();
    let who = "26010001";
    let items = leaves(&ws.paper(who));
    let (mut c, _) = started(ws, &s, who);
    // The round's view is `one`: its page is the first question not answered yet.
    let r = c.get("/round/week1");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/round/week1/q/1"));
    let mut expected = 0.0;
    let mut given: Vec<(u64, String, String)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let n = it["number"].as_u64().unwrap();
        let kind = it["kind"].as_str().unwrap();
        let page = c.get(&format!("/round/week1/q/{n}"));
        assert_eq!(page.status, 200, "{}", page.body);
        let page = page.body;
        assert!(
            page.contains(&format!("Question {n} of {}", items.len())),
            "{page}"
        );
        // Only this question is on the page, and nothing of any key.
        for other in &items {
            let m = other["number"].as_u64().unwrap();
            assert_eq!(
                page.contains(&format!("name=\"q{m}\"")),
                m == n,
                "q{m} on the page of q{n}"
            );
            if let Some(e) = other["explanation"].as_str().filter(|e| {
                !e.is_empty() && !e.contains('\'') && !e.contains('"') && !e.contains('&')
            }) {
                assert!(!page.contains(e), "an explanation sent early: {e}");
            }
        }
        // The strip marks the questions answered so far, and this one as current.
        for (m, _, cell) in &given {
            assert_eq!(
                page.contains(&format!("data-n=\"{m}\" class=\"answered")),
                !cell.is_empty(),
                "q{m} in the strip"
            );
        }
        assert!(
            page.contains(&format!("aria-current=\"step\">{n}<")),
            "{page}"
        );
        // Every fifth answer wrong, one question skipped (moved on with nothing given).
        let right = right_answer(it);
        let cell = if i == 6 {
            String::new()
        } else if i % 5 == 4 {
            match kind {
                "judge" if right == "T" => "F".into(),
                "judge" => "T".into(),
                "fill" => "wrong".into(),
                _ if right.starts_with('A') => "B".into(),
                _ => "A".into(),
            }
        } else {
            expected += it["points"].as_f64().unwrap();
            right
        };
        let last = i + 1 == items.len();
        let mut form = vec![("csrf".to_string(), Client::csrf(&page))];
        form.extend(fields(kind, n, &cell));
        if !last {
            assert!(page.contains("id=\"next\"") && !page.contains("id=\"submit\""));
            form.push(("go".into(), (n + 1).to_string()));
        } else {
            assert!(page.contains("id=\"submit\"") && !page.contains("id=\"next\""));
            // One question was left blank: the last page says so before the submit.
            assert!(
                page.contains("Other questions not answered yet: 1"),
                "{page}"
            );
        }
        given.push((n, kind.to_string(), cell));
        let refs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        if last {
            // The last answer goes with the submit.
            let r = c.post("/round/week1/submit", &refs, false);
            assert_eq!(r.status, 303, "{}", r.body);
            assert_eq!(r.location.as_deref(), Some("/round/week1"));
            break;
        }
        let r = c.post("/round/week1/save", &refs, false);
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            r.location.as_deref(),
            Some(format!("/round/week1/q/{}", n + 1).as_str())
        );
        if i == 9 {
            // A reload in the middle: the round's page lands on the first unanswered question
            // (the skipped one), Previous goes back with the answer kept, and the whole-round
            // view shows every answer given so far.
            let r = c.get("/round/week1");
            assert_eq!(r.location.as_deref(), Some("/round/week1/q/7"));
            let page = c.get(&format!("/round/week1/q/{n}")).body;
            assert!(page.contains("id=\"prev\""));
            assert_shown(&page, &given[i..]);
            let mut back = vec![("csrf".to_string(), Client::csrf(&page))];
            back.extend(fields(kind, n, &given[i].2));
            back.push(("go".into(), (n - 1).to_string()));
            let refs: Vec<(&str, &str)> =
                back.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let r = c.post("/round/week1/save", &refs, false);
            assert_eq!(
                r.location.as_deref(),
                Some(format!("/round/week1/q/{}", n - 1).as_str())
            );
            assert_shown(&c.get("/round/week1/all").body, &given);
            // A form without its CSRF token is refused, and saves nothing.
            let r = c.post(
                "/round/week1/save",
                &[("present", "1"), ("q1", "Z"), ("go", "2")],
                false,
            );
            assert_eq!(r.status, 403);
        }
    }
    // Submitted: every answer was kept (the score says so), and the key is shown.
    let result = c.get("/round/week1").body;
    let score = shown_score(&result);
    assert_eq!(score.parse::<f64>().unwrap(), expected, "{result}");
    assert_eq!(result.matches("class=\"keyline\"").count(), items.len());
    // A closed attempt's question pages lead to the result.
    let r = c.get("/round/week1/q/3");
    assert_eq!(r.location.as_deref(), Some("/round/week1"));
}

fn view_one(root: &Path) {
    let path = root.join("competition.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("view = \"all\""));
    let text = text.replacen("view = \"all\"", "view = \"one\"", 1);
    std::fs::write(path, text).unwrap();
}

#[test]
fn one_question_at_a_time_with_plain_forms_sqlite() {
    one_at_a_time(&Workspace::with(None, view_one));
}

#[test]
fn one_question_at_a_time_with_plain_forms_postgres() {
    if let Some(base) = postgres_url() {
        one_at_a_time(&Workspace::with(
            Some(fresh_postgres(&base, "one")),
            view_one,
        ));
    }
}

#[test]
fn posts_without_the_csrf_token_are_refused() {
    let ws = Workspace::new(None);
    let s = ws.serve();
    let mut c = Client::new(&s.base);
    // Sign-in without the pre-session token.
    let r = c.post("/signin", &[("code", &ws.codes["26010001"])], false);
    assert_eq!(r.status, 403);
    let (mut c, csrf) = started(&ws, &s, "26010001");
    let r = c.post("/round/week1/save", &[("present", "1"), ("q1", "A")], true);
    assert_eq!(r.status, 403);
    let r = c.post(
        "/round/week1/save",
        &[("csrf", "0000"), ("present", "1"), ("q1", "A")],
        true,
    );
    assert_eq!(r.status, 403);
    let r = c.post("/round/week1/submit", &[], false);
    assert_eq!(r.status, 403);
    let r = c.post(
        "/round/week1/save",
        &[("csrf", &csrf), ("present", "1"), ("q1", "A")],
        true,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn one_candidate_cannot_see_or_change_anothers_attempt() {
    let ws = Workspace::new(None);
    let s = ws.serve();
    let (mut a, csrf_a) = started(&ws, &s, "26010001");
    let kind = leaves(&ws.paper("26010001"))[0]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(save(&mut a, &csrf_a, &kind, 1, "A").status, 200);
    let mut b = Client::new(&s.base);
    assert_eq!(b.sign_in(&ws.codes["26010002"]).status, 303);
    // B has no attempt: B's round page is B's, and sends B home.
    let r = b.get("/round/week1");
    assert_eq!(r.location.as_deref(), Some("/"));
    // B with A's token: refused; with B's own: no attempt of B's to change.
    assert_eq!(save(&mut b, &csrf_a, &kind, 1, "B").status, 403);
    let csrf_b = Client::csrf(&b.get("/").body);
    assert_eq!(save(&mut b, &csrf_b, &kind, 1, "B").status, 404);
    // A's answer is as A gave it.
    let page = a.get("/round/week1").body;
    assert!(page.contains("name=\"q1\" value=\"A\" checked"), "{page}");
}

#[test]
fn a_late_submission_is_refused_and_saved_answers_count() {
    let ws = Workspace::new(None);
    let s = ws.serve();
    let (mut c, csrf) = started(&ws, &s, "26010001");
    let items = leaves(&ws.paper("26010001"));
    let first = &items[0];
    let kind = first["kind"].as_str().unwrap();
    assert_eq!(
        save(&mut c, &csrf, kind, 1, &right_answer(first)).status,
        200
    );
    // The organiser closes the round: the attempt's time is up.
    let (mut admin, csrf_admin) = admin(&s);
    assert_eq!(
        admin
            .post("/admin/round/week1/close", &[("csrf", &csrf_admin)], false)
            .status,
        303
    );
    std::thread::sleep(Duration::from_millis(5));
    // A late answer and a late submission are refused.
    let second = &items[1];
    let r = save(
        &mut c,
        &csrf,
        second["kind"].as_str().unwrap(),
        2,
        &right_answer(second),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let mut f = vec![("csrf".to_string(), csrf.clone())];
    f.extend(fields(
        second["kind"].as_str().unwrap(),
        2,
        &right_answer(second),
    ));
    let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(c.post("/round/week1/submit", &refs, false).status, 409);
    // The answer saved in time counts; the late one does not.
    let result = c.get("/round/week1").body;
    let score = shown_score(&result);
    assert_eq!(score, fmt(first["points"].as_f64().unwrap()), "{result}");
    // The organiser's action is in the audit log.
    let page = admin.get("/admin").body;
    assert!(
        page.contains("close round") && page.contains("week1"),
        "{page}"
    );
    // The signed-in organiser with a wrong token is refused, and nothing is done or logged.
    let r = admin.post(
        "/admin/extend",
        &[
            ("csrf", "0000"),
            ("candidate", "26010001"),
            ("round", "week1"),
            ("minutes", "30"),
        ],
        false,
    );
    assert_eq!(r.status, 403);
    let page = admin.get("/admin").body;
    assert!(!page.contains("26010001 week1 +30 min"), "{page}");
    // Without the admin session, admin actions are refused.
    let mut other = Client::new(&s.base);
    assert_eq!(
        other
            .post("/admin/round/week1/open", &[("csrf", "x")], false)
            .status,
        403
    );
}

#[test]
fn a_script_in_a_bank_stem_is_shown_as_text() {
    let ws = Workspace::with(None, |root| {
        let bank = std::fs::read_to_string(root.join("sample-en.toml")).unwrap();
        let bank = bank.replace(
            "stem = \"Which of the following is the SI base unit of electric current?\"",
            "stem = \"<script>alert('x')</script> Which unit is the SI base unit of current?\"",
        );
        std::fs::write(root.join("sample-en.toml"), bank).unwrap();
        let comp = std::fs::read_to_string(root.join("competition.toml")).unwrap();
        // Every single-choice question on the paper, so the one with the script is drawn.
        let comp = comp.replace("kind = \"single\"\ncount = 10", "kind = \"single\"\ncount = 10\nids = [\"en-001\", \"en-002\", \"en-003\", \"en-004\", \"en-005\", \"en-006\", \"en-007\", \"en-008\", \"en-009\", \"en-010\"]");
        std::fs::write(root.join("competition.toml"), comp).unwrap();
    });
    let s = ws.serve();
    let (mut c, _) = started(&ws, &s, "26010001");
    let page = c.get("/round/week1").body;
    assert!(!page.contains("<script>alert"), "unescaped");
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;")
            || page.contains("&lt;script&gt;"),
        "{page}"
    );
    // Nothing is loaded from another host.
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    // The same in the one-question view, on each single-choice question's own page.
    let mut seen = false;
    for n in 1..=10 {
        let page = c.get(&format!("/round/week1/q/{n}")).body;
        assert!(!page.contains("<script>alert"), "unescaped on q{n}");
        seen |= page.contains("&lt;script&gt;");
    }
    assert!(seen, "the question with the script was not drawn");
}

#[test]
fn sign_in_is_rate_limited() {
    let ws = Workspace::new(None);
    let s = ws.serve();
    let mut c = Client::new(&s.base);
    for _ in 0..10 {
        assert_eq!(c.sign_in("AAAA-BBBB-CCCC-DDDD").status, 401);
    }
    // Even the right code is refused now, and the count is in the database: a restart keeps it.
    assert_eq!(c.sign_in(&ws.codes["26010001"]).status, 429);
    drop(s);
    let s = ws.serve();
    let mut c = Client::new(&s.base);
    assert_eq!(c.sign_in(&ws.codes["26010001"]).status, 429);
}

#[test]
fn kill_9_loses_no_acknowledged_answer() {
    let ws = Workspace::new(None);
    let mut s = ws.serve();
    let (mut c, csrf) = started(&ws, &s, "26010001");
    let items = leaves(&ws.paper("26010001"));
    let mut given = Vec::new();
    for it in items.iter().take(15) {
        let n = it["number"].as_u64().unwrap();
        let kind = it["kind"].as_str().unwrap();
        let cell = right_answer(it);
        assert_eq!(save(&mut c, &csrf, kind, n, &cell).status, 200);
        given.push((n, kind.to_string(), cell));
    }
    // SIGKILL: no shutdown, no flush.
    s.child.0.kill().unwrap();
    s.child.0.wait().unwrap();
    let s2 = ws.serve();
    c.base = s2.base.clone();
    // The session is a row too: the same cookie still works.
    assert_shown(&c.get("/round/week1").body, &given);
}

/// Asserts the attempt page shows each (number, kind, cell) as given.
fn assert_shown(page: &str, given: &[(u64, String, String)]) {
    for (n, kind, cell) in given {
        match kind.as_str() {
            "fill" => {
                for b in cell.split('|') {
                    assert!(
                        page.contains(&format!("name=\"q{n}\" value=\"{b}\"")),
                        "q{n} lost"
                    );
                }
            }
            _ => {
                for l in cell.chars() {
                    assert!(
                        page.contains(&format!("name=\"q{n}\" value=\"{l}\" checked")),
                        "q{n} lost"
                    );
                }
            }
        }
    }
}

#[test]
fn a_competition_file_error_is_located_with_a_hint() {
    let ws = Workspace::new(None);
    let path = ws.root.join("competition.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("time_limit = 20", "time_limmit = 20");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(bin())
        .arg("serve")
        .arg(&path)
        .args(["--show-paper", "week1", "26010001"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("competition.toml:17:1") && err.contains("time_limit"),
        "{err}"
    );
}

fn admin(s: &Server) -> (Client, String) {
    let mut a = Client::new(&s.base);
    let pre = Client::csrf(&a.get("/admin").body);
    assert_eq!(
        a.post("/admin/signin", &[("csrf", &pre), ("code", ADMIN)], false)
            .status,
        303
    );
    let csrf = Client::csrf(&a.get("/admin").body);
    (a, csrf)
}

#[test]
fn the_organiser_extends_time_and_voids_an_attempt_with_a_reason() {
    let ws = Workspace::new(None);
    let s = ws.serve();
    let (mut c, csrf) = started(&ws, &s, "26010001");
    let (mut a, acsrf) = admin(&s);
    // A wrong token is refused and counted.
    let mut other = Client::new(&s.base);
    let pre = Client::csrf(&other.get("/admin").body);
    assert_eq!(
        other
            .post(
                "/admin/signin",
                &[("csrf", &pre), ("code", "wrong-token-0000000")],
                false
            )
            .status,
        401
    );
    let before = c.get("/round/week1").body;
    let left = |p: &str| -> u64 {
        p.split("data-left=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let r = a.post(
        "/admin/extend",
        &[
            ("csrf", &acsrf),
            ("candidate", "26010001"),
            ("round", "week1"),
            ("minutes", "10"),
        ],
        false,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let after = c.get("/round/week1").body;
    assert!(left(&after) > left(&before) + 9 * 60_000, "not extended");
    let r = c.post("/round/week1/submit", &[("csrf", &csrf)], false);
    assert_eq!(r.status, 303);
    let board = Client::new(&s.base).get("/board").body;
    assert!(board.contains("张伟东"));
    let r = a.post(
        "/admin/void",
        &[
            ("csrf", &acsrf),
            ("candidate", "26010001"),
            ("round", "week1"),
            ("reason", "answered for another <b>"),
        ],
        false,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // Voided: off the board, the candidate sees why, the audit log keeps it (escaped).
    let board = Client::new(&s.base).get("/board").body;
    assert!(!board.contains("张伟东"), "a voided attempt still ranks");
    assert!(c
        .get("/round/week1")
        .body
        .contains("answered for another &lt;b&gt;"));
    let page = a.get("/admin").body;
    assert!(page.contains("26010001 week1 +10 min"), "{page}");
    assert!(
        page.contains("26010001 week1 #1: answered for another &lt;b&gt;"),
        "{page}"
    );
}

#[test]
fn a_lost_code_is_replaced_and_the_old_one_stops_working() {
    let ws = Workspace::new(None);
    examforge(|c| {
        c.args(["serve", "codes"])
            .arg(ws.root.join("competition.toml"))
            .arg("-o")
            .arg(ws.root.join("codes2"))
            .args(["--database", &ws.db, "--replace", "26010002"])
    });
    let text = std::fs::read_to_string(ws.root.join("codes2/codes.csv")).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    let new = text
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        new.len(),
        19,
        "16 characters of base 32 in groups of four: {new}"
    );
    // Issuing everyone's codes again needs --force.
    let again = Command::new(bin())
        .args(["serve", "codes"])
        .arg(ws.root.join("competition.toml"))
        .arg("-o")
        .arg(ws.root.join("codes3"))
        .args(["--database", &ws.db])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--replace"));
    let s = ws.serve();
    assert_eq!(
        Client::new(&s.base).sign_in(&ws.codes["26010002"]).status,
        401
    );
    assert_eq!(Client::new(&s.base).sign_in(&new).status, 303);
    assert_eq!(
        Client::new(&s.base).sign_in(&ws.codes["26010003"]).status,
        303
    );
}

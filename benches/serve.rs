//! Load on `examforge serve` over loopback, as at a round's opening: N simulated candidates sign
//! in at once (the sign-in wave: the time until the last one is in, and sign-in p50/p99), then
//! answer a 20-question round, one answer per request (as the page's autosave sends them).
//! Reports answers/s, p50/p99 answer latency and lost answers (acknowledged but not in the
//! database after the run) on SQLite, and on PostgreSQL when `EXAMFORGE_TEST_POSTGRES` is set;
//! and, in the same run, a bare axum handler committing one row per request to SQLite, for the
//! ratio. Memory is the server's peak RSS at the largest N.
//!
//! `cargo bench --bench serve` (`SERVE_BENCH_N=10000` by default; `SERVE_BENCH_LEVELS=16,64,256`
//! client threads for the rate ladder).

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_examforge")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "port {port} did not open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A workspace of `n` candidates in 50 teams, codes issued on `db`; returns the codes.
fn workspace(root: &Path, n: usize, db: &str) -> Vec<String> {
    assert!(Command::new(bin())
        .arg("init")
        .arg(root)
        .output()
        .unwrap()
        .status
        .success());
    let mut roster = String::from("准考证号,姓名,单位\n");
    for i in 0..n {
        roster.push_str(&format!("c{i:06},考生{i},第{}支队\n", i % 50));
    }
    std::fs::write(root.join("roster.csv"), roster).unwrap();
    let comp = std::fs::read_to_string(root.join("competition.toml"))
        .unwrap()
        .replace("time_limit = 20", "time_limit = 120");
    std::fs::write(root.join("competition.toml"), comp).unwrap();
    let out = Command::new(bin())
        .args(["serve", "codes"])
        .arg(root.join("competition.toml"))
        .arg("-o")
        .arg(root.join("codes"))
        .args(["--database", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(root.join("codes/codes.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[derive(Default)]
struct Tally {
    signin: Vec<f64>,
    answer: Vec<f64>,
    acked: usize,
    errors: usize,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn csrf(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\" value=\"")? + 19;
    Some(page[at..at + page[at..].find('"')?].to_string())
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(60))
        .build()
}

/// A reply's status and body, its cookies kept in `cookies`.
fn take(
    r: Result<ureq::Response, ureq::Error>,
    cookies: &mut Vec<String>,
) -> Option<(u16, String)> {
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(_) => return None,
    };
    for c in r.all("set-cookie") {
        let kv = c.split(';').next().unwrap().to_string();
        let name = kv.split('=').next().unwrap().to_string();
        cookies.retain(|x| !x.starts_with(&format!("{name}=")));
        cookies.push(kv);
    }
    let s = r.status();
    Some((s, r.into_string().unwrap_or_default()))
}

/// A signed-in candidate: the session cookie and the page's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

/// Signs in as a phone does: the sign-in form, the code posted, the home page (with the round's
/// Start button) shown. The latency is the three requests together.
fn sign_in(base: &str, code: &str, t: &mut Tally) -> Option<Session> {
    let agent = agent();
    let mut cookies: Vec<String> = Vec::new();
    let start = Instant::now();
    let (_, page) = take(agent.get(&format!("{base}/signin")).call(), &mut cookies)?;
    let pre = csrf(&page)?;
    let (s, _) = take(
        agent
            .post(&format!("{base}/signin"))
            .set("cookie", &cookies.join("; "))
            .send_form(&[("csrf", &pre), ("code", code)]),
        &mut cookies,
    )?;
    if s != 303 {
        return None;
    }
    let (s, home) = take(
        agent
            .get(&format!("{base}/"))
            .set("cookie", &cookies.join("; "))
            .call(),
        &mut cookies,
    )?;
    if s != 200 {
        return None;
    }
    t.signin.push(start.elapsed().as_secs_f64() * 1000.0);
    Some(Session {
        cookie: cookies.join("; "),
        csrf: csrf(&home)?,
    })
}

/// A signed-in candidate starts the round and answers its 20 questions, one request each (as
/// the page's autosave sends them).
fn answer(base: &str, s: &Session, t: &mut Tally) -> Option<()> {
    let agent = agent();
    let mut cookies = Vec::new();
    let (status, _) = take(
        agent
            .post(&format!("{base}/round/week1/start"))
            .set("cookie", &s.cookie)
            .send_form(&[("csrf", &s.csrf)]),
        &mut cookies,
    )?;
    if status != 303 {
        return None;
    }
    for n in 1..=20u32 {
        let n = n.to_string();
        // Single and judge: one letter; multiple: two; fill: a word (kinds by section order).
        let value = match n.parse::<u32>().unwrap() {
            1..=10 => "A",
            11..=14 => "B",
            15..=18 => "T",
            _ => "word",
        };
        let q = format!("q{n}");
        let t0 = Instant::now();
        let r = agent
            .post(&format!("{base}/round/week1/save"))
            .set("cookie", &s.cookie)
            .set("accept", "application/json")
            .send_form(&[
                ("csrf", s.csrf.as_str()),
                ("present", n.as_str()),
                (q.as_str(), value),
            ]);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        match r {
            Ok(r) if r.status() == 200 => {
                t.answer.push(ms);
                t.acked += 1;
            }
            _ => t.errors += 1,
        }
    }
    Some(())
}

struct Run {
    candidates: usize,
    threads: usize,
    /// From the wave's start to the last sign-in.
    signin_secs: f64,
    signed_in: usize,
    signin_p50: f64,
    signin_p99: f64,
    /// The answering, every candidate signed in.
    answer_secs: f64,
    answers_per_s: f64,
    p50: f64,
    p99: f64,
    acked: usize,
    errors: usize,
}

/// `threads` clients work through `jobs`, each job by the next free client; the tallies merged.
fn pool<J: Send + Sync + 'static, R: Send + 'static>(
    jobs: Vec<J>,
    threads: usize,
    work: impl Fn(&J, &mut Tally) -> Option<R> + Send + Sync + 'static,
) -> (Tally, Vec<Option<R>>) {
    let n = jobs.len();
    let next = Arc::new(AtomicUsize::new(0));
    let jobs = Arc::new(jobs);
    let work = Arc::new(work);
    let all = Arc::new(Mutex::new((Tally::default(), Vec::new())));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (next, jobs, work, all) = (next.clone(), jobs.clone(), work.clone(), all.clone());
            std::thread::spawn(move || {
                let mut t = Tally::default();
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() {
                        break;
                    }
                    let r = work(&jobs[i], &mut t);
                    if r.is_none() {
                        t.errors += 1;
                    }
                    out.push((i, r));
                }
                let mut a = all.lock().unwrap();
                a.0.signin.extend(t.signin);
                a.0.answer.extend(t.answer);
                a.0.acked += t.acked;
                a.0.errors += t.errors;
                a.1.extend(out);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let (t, mut out) = std::mem::take(&mut *all.lock().unwrap());
    out.sort_by_key(|(i, _)| *i);
    assert_eq!(out.len(), n);
    (t, out.into_iter().map(|(_, r)| r).collect())
}

/// The round's opening as the target puts it: first every candidate signs in at once (the wave
/// at a round's opening, the worst case for sign-in; its time is until the last sign-in), then
/// the signed-in candidates answer the round (the sustained rate, with every session a row).
fn drive(base: &str, codes: &[String], threads: usize) -> Run {
    let b = base.to_string();
    let start = Instant::now();
    let (mut signins, sessions) =
        pool(codes.to_vec(), threads, move |code, t| sign_in(&b, code, t));
    let signin_secs = start.elapsed().as_secs_f64();
    let signed: Vec<Session> = sessions.into_iter().flatten().collect();
    let signed_in = signed.len();
    let b = base.to_string();
    let start = Instant::now();
    let (mut answers, _) = pool(signed, threads, move |s, t| answer(&b, s, t));
    let answer_secs = start.elapsed().as_secs_f64();
    Run {
        candidates: codes.len(),
        threads,
        signin_secs,
        signed_in,
        signin_p50: pct(&mut signins.signin, 0.50),
        signin_p99: pct(&mut signins.signin, 0.99),
        answer_secs,
        answers_per_s: answers.acked as f64 / answer_secs,
        p50: pct(&mut answers.answer, 0.50),
        p99: pct(&mut answers.answer, 0.99),
        acked: answers.acked,
        errors: signins.errors + answers.errors,
    }
}

fn answers_in_db(db: &str) -> i64 {
    examforge::serve::block_on(async {
        let store = examforge::store::Store::open(db).await.unwrap();
        store.answer_count().await.unwrap()
    })
    .unwrap()
}

fn report(label: &str, r: &Run, lost: i64) {
    println!(
        "{label:<10} candidates {:>6}  threads {:>4}  signed in {:>6} in {:>6.1} s (p50 {:>6.1} ms, p99 {:>7.1} ms)  answering {:>6.1} s: answers/s {:>6.0}  p50 {:>6.1} ms  p99 {:>6.1} ms  acked {:>7}  errors {:>3}  lost {lost}",
        r.candidates, r.threads, r.signed_in, r.signin_secs, r.signin_p50, r.signin_p99, r.answer_secs, r.answers_per_s, r.p50, r.p99, r.acked, r.errors
    );
    let _ = std::io::stdout().flush();
}

/// The server on `db` under the rate ladder, then all `n` candidates at once.
fn bench_backend(label: &str, db_for: &dyn Fn(&str) -> String, n: usize, levels: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let ladder_n = 1000.min(n);
    let mut best: Option<(usize, f64)> = None;
    for &threads in levels {
        let root = dir.path().join(format!("{label}-ladder-{threads}"));
        let db = db_for(&format!("ladder{threads}"));
        let db = if db.is_empty() {
            format!("sqlite://{}", root.join("c.db").display())
        } else {
            db
        };
        let codes = workspace(&root, ladder_n, &db);
        let port = free_port();
        let server = Server(
            Command::new(bin())
                .arg("serve")
                .arg(root.join("competition.toml"))
                .args(["--listen", &format!("127.0.0.1:{port}"), "--database", &db])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_port(port);
        let r = drive(&format!("http://127.0.0.1:{port}"), &codes, threads);
        drop(server);
        let lost = r.acked as i64 - answers_in_db(&db);
        report(label, &r, lost);
        if r.p99 < 100.0 && best.is_none_or(|(_, a)| r.answers_per_s > a) {
            best = Some((threads, r.answers_per_s));
        }
    }
    match best {
        Some((t, a)) => println!(
            "{label:<10} highest rate with p99 < 100 ms: {a:.0} answers/s ({t} client threads)"
        ),
        None => println!("{label:<10} p99 was over 100 ms at every level"),
    }
    // All n candidates: sign-ins within a minute, answers, memory.
    let root = dir.path().join(format!("{label}-all"));
    let db = db_for("all");
    let db = if db.is_empty() {
        format!("sqlite://{}", root.join("c.db").display())
    } else {
        db
    };
    let codes = workspace(&root, n, &db);
    let port = free_port();
    let server = Server(
        Command::new(bin())
            .arg("serve")
            .arg(root.join("competition.toml"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database", &db])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_port(port);
    let threads = best.map_or(levels[0], |(t, _)| t);
    let r = drive(&format!("http://127.0.0.1:{port}"), &codes, threads);
    let rss = peak_rss_kb(server.0.id());
    drop(server);
    let lost = r.acked as i64 - answers_in_db(&db);
    report(label, &r, lost);
    println!(
        "{label:<10} target: {} of {n} candidates signed in within {:.1} s (target 60 s), sign-in p99 {:.1} ms; {:.0} answers/s (target 1000) at p99 {:.1} ms (target 100 ms); {lost} lost (target 0); server peak RSS {:.1} MB",
        r.signed_in,
        r.signin_secs,
        r.signin_p99,
        r.answers_per_s,
        r.p99,
        rss as f64 / 1024.0
    );
}

/// A bare axum handler committing one row per request to SQLite (WAL, synchronous = NORMAL).
fn bare(levels: &[usize]) {
    use axum::routing::post;
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bare.db");
    let port = free_port();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.spawn(async move {
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10)),
            )
            .await
            .unwrap();
        sqlx::query("CREATE TABLE a (k TEXT, v TEXT, at INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        let app = axum::Router::new()
            .route(
                "/a",
                post(
                    |axum::extract::State(pool): axum::extract::State<sqlx::SqlitePool>,
                     axum::Form(f): axum::Form<Vec<(String, String)>>| async move {
                        let v = f.first().map(|x| x.1.clone()).unwrap_or_default();
                        sqlx::query("INSERT INTO a (k, v, at) VALUES ($1, $2, $3)")
                            .bind("k")
                            .bind(v)
                            .bind(0i64)
                            .execute(&pool)
                            .await
                            .unwrap();
                        "{\"saved\":true}"
                    },
                ),
            )
            .with_state(pool);
        let l = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        axum::serve(l, app).await.unwrap();
    });
    wait_port(port);
    for &threads in levels {
        let per = 20_000 / threads;
        let start = Instant::now();
        let lat = Arc::new(Mutex::new(Vec::new()));
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let lat = lat.clone();
                std::thread::spawn(move || {
                    let agent = ureq::AgentBuilder::new().build();
                    let mut v = Vec::with_capacity(per);
                    for i in 0..per {
                        let t0 = Instant::now();
                        agent
                            .post(&format!("http://127.0.0.1:{port}/a"))
                            .send_form(&[("v", &i.to_string())])
                            .unwrap();
                        v.push(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                    lat.lock().unwrap().extend(v);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let mut v = std::mem::take(&mut *lat.lock().unwrap());
        println!(
            "{:<10} threads {threads:>4}  answers/s {:>7.0}  p50 {:>6.1} ms  p99 {:>6.1} ms",
            "bare axum",
            v.len() as f64 / secs,
            pct(&mut v, 0.5),
            pct(&mut v, 0.99)
        );
    }
    rt.shutdown_background();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("SERVE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let levels: Vec<usize> = std::env::var("SERVE_BENCH_LEVELS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![16, 64, 256]);
    println!("serve load bench: {n} candidates, 20 answers each, client thread levels {levels:?}");
    bare(&levels);
    bench_backend("sqlite", &|_| String::new(), n, &levels);
    match std::env::var("EXAMFORGE_TEST_POSTGRES") {
        Ok(base) if !base.is_empty() => {
            let db_for = |tag: &str| {
                let schema = format!("bench_{tag}_{}", std::process::id());
                let ok = Command::new("psql")
                    .arg(&base)
                    .arg("-qc")
                    .arg(format!("CREATE SCHEMA {schema}"))
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(ok, "psql could not create a schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-c%20search_path%3D{schema}")
            };
            bench_backend("postgres", &db_for, n, &levels);
        }
        _ => println!("postgres   skipped: set EXAMFORGE_TEST_POSTGRES=postgres://… to measure it"),
    }
}

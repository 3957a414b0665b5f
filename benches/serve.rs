//! Load on `examforge serve` over loopback: N simulated candidates sign in and answer a
//! 20-question round, one answer per request (as the page's autosave sends them). Reports
//! sign-ins/s, answers/s, p50/p99 answer latency and lost answers (acknowledged but not in the
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

/// One candidate: sign in, start the round, answer 20 questions one request each.
fn candidate(base: &str, code: &str, t: &mut Tally) -> Option<()> {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(60))
        .build();
    let mut cookies: Vec<String> = Vec::new();
    let take = |r: Result<ureq::Response, ureq::Error>,
                cookies: &mut Vec<String>|
     -> Option<(u16, String)> {
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
    };
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
    let (_, home) = take(
        agent
            .get(&format!("{base}/"))
            .set("cookie", &cookies.join("; "))
            .call(),
        &mut cookies,
    )?;
    t.signin.push(start.elapsed().as_secs_f64() * 1000.0);
    let token = csrf(&home)?;
    take(
        agent
            .post(&format!("{base}/round/week1/start"))
            .set("cookie", &cookies.join("; "))
            .send_form(&[("csrf", &token)]),
        &mut cookies,
    )?;
    let cookie = cookies.join("; ");
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
            .set("cookie", &cookie)
            .set("accept", "application/json")
            .send_form(&[
                ("csrf", token.as_str()),
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
    secs: f64,
    signins_per_s: f64,
    answers_per_s: f64,
    p50: f64,
    p99: f64,
    signin_p99: f64,
    acked: usize,
    errors: usize,
}

fn drive(base: &str, codes: &[String], threads: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let all = Arc::new(Mutex::new(Tally::default()));
    let codes = Arc::new(codes.to_vec());
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (next, all, codes, base) =
                (next.clone(), all.clone(), codes.clone(), base.to_string());
            std::thread::spawn(move || {
                let mut t = Tally::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= codes.len() {
                        break;
                    }
                    if candidate(&base, &codes[i], &mut t).is_none() {
                        t.errors += 1;
                    }
                }
                let mut a = all.lock().unwrap();
                a.signin.extend(t.signin);
                a.answer.extend(t.answer);
                a.acked += t.acked;
                a.errors += t.errors;
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let mut t = std::mem::take(&mut *all.lock().unwrap());
    Run {
        candidates: codes.len(),
        threads,
        secs,
        signins_per_s: t.signin.len() as f64 / secs,
        answers_per_s: t.acked as f64 / secs,
        p50: pct(&mut t.answer, 0.50),
        p99: pct(&mut t.answer, 0.99),
        signin_p99: pct(&mut t.signin, 0.99),
        acked: t.acked,
        errors: t.errors,
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
        "{label:<10} candidates {:>6}  threads {:>4}  {:>6.1} s  sign-ins/s {:>7.0}  sign-in p99 {:>7.1} ms  answers/s {:>7.0}  p50 {:>6.1} ms  p99 {:>6.1} ms  acked {:>7}  errors {:>3}  lost {lost}",
        r.candidates, r.threads, r.secs, r.signins_per_s, r.signin_p99, r.answers_per_s, r.p50, r.p99, r.acked, r.errors
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
    println!("{label:<10} {n} candidates signed in in {:.1} s (all of them answering meanwhile); server peak RSS {:.1} MB", r.secs, rss as f64 / 1024.0);
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

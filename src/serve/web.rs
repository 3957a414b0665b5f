//! The router and its handlers, by resource: sign-in, rounds and attempts, me, board, admin.

use super::competition::{self, Competition, Counted, Mark};
use super::pages::{self, labels, render, APP_CSS, APP_JS};
use crate::bank::Kind;
use crate::draw::manifest::{Candidate, Item, Manifest};
use crate::store::{Attempt, Override, Store, StoreError};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Environment, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

/// Failed sign-ins a client may make in [`RATE_WINDOW_MS`] before it is refused.
const RATE_LIMIT: i64 = 10;
const RATE_WINDOW_MS: i64 = 10 * 60_000;
const SESSION_COOKIE: &str = "ef_session";
const PRE_COOKIE: &str = "ef_pre";

/// What the server holds: the competition (fixed while it runs), the database and the pages.
pub struct App {
    comp: Competition,
    store: Store,
    /// SHA-256 of the admin token; no admin pages without one.
    admin: Option<String>,
    env: Environment<'static>,
    t: BTreeMap<&'static str, &'static str>,
}

impl App {
    /// A server for `comp` over `store`; `admin_token` from the environment or a file.
    pub fn new(comp: Competition, store: Store, admin_token: Option<String>) -> Self {
        let t = labels(comp.language);
        App {
            comp,
            store,
            admin: admin_token.map(|t| sha256_hex(t.trim())),
            env: pages::environment(),
            t,
        }
    }

    /// The competition's title.
    pub fn title(&self) -> &str {
        &self.comp.file.title
    }
}

type Shared = Arc<App>;

/// The routes.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin_page).post(signin))
        .route("/signout", post(signout))
        .route("/round/{id}", get(round_page))
        .route("/round/{id}/all", get(round_all))
        .route("/round/{id}/q/{n}", get(round_one))
        .route("/round/{id}/start", post(start))
        .route("/round/{id}/save", post(save))
        .route("/round/{id}/submit", post(submit))
        .route("/me", get(me))
        .route("/board", get(board))
        .route("/admin", get(admin_page))
        .route("/admin/signin", post(admin_signin))
        .route("/admin/round/{id}/{action}", post(admin_round))
        .route("/admin/extend", post(admin_extend))
        .route("/admin/void", post(admin_void))
        .route(
            "/static/app.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    APP_JS,
                )
            }),
        )
        .with_state(app)
}

// ---------------------------------------------------------------- errors

/// What a handler can fail with, mapped to a status and a page.
enum WebError {
    Store(StoreError),
    NotFound,
    /// CSRF token missing or wrong, or another candidate's resource.
    Forbidden,
    TooMany,
    /// The attempt is closed or its time is up.
    Late(String),
    Bad(String),
}

impl From<CloseError> for WebError {
    fn from(e: CloseError) -> Self {
        match e {
            CloseError::Store(e) => WebError::Store(e),
            CloseError::Grade(m) => WebError::Bad(m),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Store(e)
    }
}

type Result<T> = std::result::Result<T, WebError>;

fn message_page(
    app: &App,
    status: StatusCode,
    heading: &str,
    message: &str,
    back: &str,
) -> Response {
    let html = render(
        &app.env,
        "message.html",
        context! { t => app.t, title => app.comp.file.title, heading, message, back },
    );
    (status, html_headers(), html).into_response()
}

fn html_headers() -> [(header::HeaderName, &'static str); 3] {
    [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    ]
}

struct Failed<'a>(&'a App, WebError);

impl IntoResponse for Failed<'_> {
    fn into_response(self) -> Response {
        let app = self.0;
        match self.1 {
            WebError::Store(e) => {
                eprintln!(
                    "error: {e}: {}",
                    std::error::Error::source(&e)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                );
                message_page(
                    app,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "503",
                    &e.to_string(),
                    "/",
                )
            }
            WebError::NotFound => message_page(app, StatusCode::NOT_FOUND, "404", "", "/"),
            WebError::Forbidden => {
                message_page(app, StatusCode::FORBIDDEN, "403", app.t["forbidden"], "/")
            }
            WebError::TooMany => message_page(
                app,
                StatusCode::TOO_MANY_REQUESTS,
                "429",
                app.t["too_many"],
                "/signin",
            ),
            WebError::Late(back) => {
                message_page(app, StatusCode::CONFLICT, "409", app.t["time_up"], &back)
            }
            WebError::Bad(m) => message_page(app, StatusCode::BAD_REQUEST, "400", &m, "/"),
        }
    }
}

fn respond(app: &App, r: Result<Response>) -> Response {
    match r {
        Ok(r) => r,
        Err(e) => Failed(app, e).into_response(),
    }
}

// ---------------------------------------------------------------- helpers

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `n` random bytes from the operating system, as hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("the operating system supplies random bytes");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 as hex.
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// A code as typed (spaces, dashes, lower case) in the form it was issued.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The hash a code is stored as.
pub fn code_hash(code: &str) -> String {
    sha256_hex(&format!("examforge code\0{}", normalise_code(code)))
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let age = max_age.map_or(String::new(), |a| format!("; Max-Age={a}"));
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{age}"
    ))
    .expect("hex cookie values")
}

/// The signed-in session, if any: (token hash, who, csrf).
async fn session(app: &App, headers: &HeaderMap) -> Result<Option<(String, String, String)>> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = sha256_hex(token);
    Ok(app
        .store
        .session(&hash)
        .await?
        .map(|s| (hash, s.who, s.csrf)))
}

/// The signed-in candidate and the session's CSRF token.
async fn candidate<'a>(
    app: &'a App,
    headers: &HeaderMap,
) -> Result<Option<(&'a Candidate, String)>> {
    Ok(match session(app, headers).await? {
        Some((_, who, csrf)) => app.comp.candidate(&who).map(|c| (c, csrf)),
        None => None,
    })
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The form's `csrf` field, or an `X-CSRF-Token` header.
fn csrf_of<'f>(form: &'f [(String, String)], headers: &'f HeaderMap) -> Option<&'f str> {
    form.iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

fn field<'f>(form: &'f [(String, String)], name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn fmt_points(x: f64) -> String {
    crate::bank::fmt_points(x)
}

/// A time as `YYYY-MM-DD HH:MM` UTC+8 (the competition's zone is the organiser's: the file's
/// offsets say it; the display uses the first round's).
fn show_time(app: &App, ms: i64) -> String {
    let offset = app.comp.display_offset_min();
    let secs = ms.div_euclid(1000) + offset * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let d = crate::law::Date::from_unix_days(days);
    format!("{d} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

/// A round's effective window (the file's, or as an organiser changed it).
async fn window(app: &App, round: &competition::Round) -> Result<(i64, i64)> {
    let o = app.store.round_override(&round.spec.id).await?;
    Ok((
        o.opens.unwrap_or(round.spec.opens),
        o.closes.unwrap_or(round.spec.closes),
    ))
}

fn parse_paper(a: &Attempt) -> Result<Manifest> {
    serde_json::from_str(&a.paper).map_err(|e| WebError::Bad(format!("stored paper: {e}")))
}

/// Closes an attempt: grades its saved answers and records the score (once, whichever request
/// or process gets there first).
async fn close(app: &App, a: &Attempt, at: i64) -> Result<()> {
    close_attempt(&app.comp, &app.store, a, at)
        .await
        .map_err(|e| match e {
            CloseError::Store(e) => WebError::Store(e),
            CloseError::Grade(m) => WebError::Bad(m),
        })
}

/// Why an attempt could not be closed.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot grade an attempt: {0}")]
    Grade(String),
}

/// Grades an attempt's saved answers and closes it at `at` (once, whichever request or process
/// gets there first).
pub async fn close_attempt(
    comp: &Competition,
    store: &Store,
    a: &Attempt,
    at: i64,
) -> std::result::Result<(), CloseError> {
    let paper: Manifest = serde_json::from_str(&a.paper)
        .map_err(|e| CloseError::Grade(format!("stored paper: {e}")))?;
    let Some(c) = comp.candidate(&a.candidate) else {
        return Ok(());
    };
    let answers: HashMap<u32, String> = store
        .answers(&a.candidate, &a.round, a.n)
        .await?
        .into_iter()
        .map(|(i, r)| (i as u32, r))
        .collect();
    let g = competition::grade(&paper, c, &answers).map_err(CloseError::Grade)?;
    let marks = serde_json::to_string(&g.marks).expect("marks serialise");
    store.close_attempt(a, at, g.score, g.max, &marks).await?;
    Ok(())
}

/// Closes every attempt of `candidate` (or everyone's) whose time is up, graded as saved.
pub async fn close_expired(
    comp: &Competition,
    store: &Store,
    candidate: Option<&str>,
) -> std::result::Result<(), CloseError> {
    let now = now_ms();
    for a in store.expired(now, candidate).await? {
        close_attempt(comp, store, &a, a.deadline).await?;
    }
    Ok(())
}

/// The counted result per candidate and round: the best closed, not voided attempt.
fn counted(attempts: &[Attempt]) -> Vec<Counted> {
    let mut best: BTreeMap<(String, String), f64> = BTreeMap::new();
    for a in attempts {
        if a.voided.is_some() {
            continue;
        }
        if let (Some(_), Some(s)) = (a.submitted, a.score) {
            let e = best
                .entry((a.round.clone(), a.candidate.clone()))
                .or_insert(f64::NEG_INFINITY);
            if s > *e {
                *e = s;
            }
        }
    }
    best.into_iter()
        .map(|((round, candidate), score)| Counted {
            candidate,
            round,
            score,
        })
        .collect()
}

// ---------------------------------------------------------------- sign-in

async fn signin_page(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let r = async {
        if candidate(&app, &headers).await?.is_some() {
            return Ok(Redirect::to("/").into_response());
        }
        Ok(signin_form(
            &app,
            "/signin",
            app.t["signin_heading"],
            app.t["code"],
            "text",
            None,
        ))
    }
    .await;
    respond(&app, r)
}

/// The sign-in form, with a fresh pre-session token (double-submit CSRF protection).
fn signin_form(
    app: &App,
    action: &str,
    heading: &str,
    label: &str,
    input_type: &str,
    error: Option<&str>,
) -> Response {
    let pre = random_hex(16);
    let html = render(
        &app.env,
        "signin.html",
        context! { t => app.t, title => app.comp.file.title, csrf => pre, action, heading, label, input_type, error },
    );
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut r = (status, html_headers(), html).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(PRE_COOKIE, &pre, None));
    r
}

/// Checks the double-submitted pre-session token of a sign-in form.
fn pre_ok(headers: &HeaderMap, form: &[(String, String)]) -> bool {
    match (cookie(headers, PRE_COOKIE), field(form, "csrf")) {
        (Some(c), Some(f)) => !c.is_empty() && same(c, f),
        _ => false,
    }
}

async fn rate_limited(app: &App, client: &str) -> Result<bool> {
    let n = app
        .store
        .signin_failures(client, now_ms() - RATE_WINDOW_MS)
        .await?;
    Ok(n >= RATE_LIMIT)
}

async fn new_session(app: &App, who: &str) -> Result<Response> {
    let token = random_hex(32);
    let csrf = random_hex(16);
    app.store
        .create_session(&sha256_hex(&token), who, &csrf, now_ms())
        .await?;
    let to = if who == "admin" { "/admin" } else { "/" };
    let mut r = Redirect::to(to).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, None));
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(PRE_COOKIE, "", Some(0)));
    Ok(r)
}

async fn signin(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let r = async {
        if !pre_ok(&headers, &form) {
            return Err(WebError::Forbidden);
        }
        let client = peer.ip().to_string();
        if rate_limited(&app, &client).await? {
            return Err(WebError::TooMany);
        }
        let code = field(&form, "code").unwrap_or("");
        match app.store.candidate_by_code(&code_hash(code)).await? {
            Some(id) if app.comp.candidate(&id).is_some() => new_session(&app, &id).await,
            _ => {
                app.store.signin_failed(&client, now_ms()).await?;
                Ok(signin_form(
                    &app,
                    "/signin",
                    app.t["signin_heading"],
                    app.t["code"],
                    "text",
                    Some(app.t["bad_code"]),
                ))
            }
        }
    }
    .await;
    respond(&app, r)
}

async fn signout(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let r = async {
        if let Some((hash, _, csrf)) = session(&app, &headers).await? {
            if !csrf_of(&form, &headers).is_some_and(|c| same(c, &csrf)) {
                return Err(WebError::Forbidden);
            }
            app.store.end_session(&hash).await?;
        }
        let mut r = Redirect::to("/signin").into_response();
        r.headers_mut()
            .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
        Ok(r)
    }
    .await;
    respond(&app, r)
}

// ---------------------------------------------------------------- home and rounds

#[derive(Serialize)]
struct RoundLine {
    id: String,
    name: String,
    window: String,
    time_limit: u32,
    count: usize,
    status: String,
    score: Option<String>,
    max: Option<String>,
    can_start: bool,
    can_continue: bool,
    can_review: bool,
}

async fn home(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let r = async {
        let Some((c, csrf)) = candidate(&app, &headers).await? else {
            return Ok(Redirect::to("/signin").into_response());
        };
        close_expired(&app.comp, &app.store, Some(&c.id)).await?;
        let now = now_ms();
        let mut rounds = Vec::new();
        let mut own: Vec<Attempt> = Vec::new();
        for r in &app.comp.rounds {
            let (opens, closes) = window(&app, r).await?;
            let attempts = app.store.attempts(&c.id, &r.spec.id).await?;
            own.extend(attempts.iter().cloned());
            let last = attempts.last();
            let open_attempt = last.is_some_and(|a| a.submitted.is_none() && a.voided.is_none());
            let is_open = now >= opens && now < closes;
            let used = attempts.len() as u32;
            let best = counted(&attempts).first().map(|x| x.score);
            let status = if open_attempt {
                app.t["in_progress"]
            } else if last.is_some() {
                app.t["done"]
            } else if now < opens {
                app.t["not_open"]
            } else if now >= closes {
                app.t["closed"]
            } else {
                app.t["not_started"]
            };
            rounds.push(RoundLine {
                id: r.spec.id.clone(),
                name: r.spec.name.clone(),
                window: format!("{} – {}", show_time(&app, opens), show_time(&app, closes)),
                time_limit: r.spec.time_limit,
                count: r.blueprint.sections.iter().map(|s| s.count).sum(),
                status: status.to_string(),
                score: best.map(fmt_points),
                max: last.and_then(|a| a.max_points).map(fmt_points),
                can_start: is_open && !open_attempt && used < r.spec.attempts,
                can_continue: open_attempt,
                can_review: !open_attempt && last.is_some(),
            });
        }
        // The candidate's own total (each round's counted attempt, as the board adds them up);
        // the rank, which needs everyone's, is on /me.
        let total: f64 = counted(&own).iter().map(|x| x.score).sum();
        let html = render(
            &app.env,
            "home.html",
            context! { t => app.t, title => app.comp.file.title, signed_in => true, csrf,
            candidate => c, rounds, total => fmt_points(total) },
        );
        Ok((html_headers(), html).into_response())
    }
    .await;
    respond(&app, r)
}

async fn start(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let r = async {
        let Some((c, csrf)) = candidate(&app, &headers).await? else {
            return Ok(Redirect::to("/signin").into_response());
        };
        if !csrf_of(&form, &headers).is_some_and(|x| same(x, &csrf)) {
            return Err(WebError::Forbidden);
        }
        let round = app.comp.round(&id).ok_or(WebError::NotFound)?;
        close_expired(&app.comp, &app.store, Some(&c.id)).await?;
        let (opens, closes) = window(&app, round).await?;
        let now = now_ms();
        if now < opens || now >= closes {
            return Err(WebError::Late("/".into()));
        }
        let attempts = app.store.attempts(&c.id, &id).await?;
        if attempts
            .iter()
            .any(|a| a.submitted.is_none() && a.voided.is_none())
        {
            return Ok(Redirect::to(&format!("/round/{id}")).into_response());
        }
        if attempts.len() as u32 >= round.spec.attempts {
            return Err(WebError::Late("/".into()));
        }
        let paper = app
            .comp
            .paper(&id, &c.id)
            .map_err(|e| WebError::Bad(e.to_string()))?;
        let extra = app.store.extension(&c.id, &id).await?;
        let limit = (i64::from(round.spec.time_limit) + extra) * 60_000;
        let items = competition::numbers(&paper).len() as i64;
        let a = Attempt {
            candidate: c.id.clone(),
            round: id.clone(),
            n: attempts.len() as i64 + 1,
            started: now,
            deadline: (now + limit).min(closes),
            items,
            paper: serde_json::to_string(&paper).expect("manifest serialises"),
            submitted: None,
            score: None,
            max_points: None,
            marks: None,
            voided: None,
        };
        app.store.start_attempt(&a).await?;
        Ok(Redirect::to(&format!("/round/{id}")).into_response())
    }
    .await;
    respond(&app, r)
}

#[derive(Serialize)]
struct OptionView {
    letter: char,
    text: String,
    checked: bool,
    key: bool,
}

#[derive(Serialize)]
struct ItemView {
    number: u32,
    kind: &'static str,
    stem: String,
    points: String,
    options: Vec<OptionView>,
    blanks: Vec<String>,
    response: String,
}

#[derive(Serialize)]
struct SectionView {
    title: String,
    items: Vec<ItemView>,
}

/// An item as the candidate sees it before the attempt closes: no key, no explanation.
fn item_view(it: &Item, response: &str) -> ItemView {
    let n = it.number.unwrap_or(0);
    let blanks = if it.kind == Kind::Fill {
        let count = crate::bank::count_blanks(&it.stem).max(1);
        let mut parts = crate::score::rules::split_blanks(response, count);
        parts.resize(count, String::new());
        parts
    } else {
        Vec::new()
    };
    ItemView {
        number: n,
        kind: it.kind.name(),
        stem: it.stem.clone(),
        points: fmt_points(it.points),
        options: it
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let letter = crate::bank::letter(i);
                OptionView {
                    letter,
                    text: o.clone(),
                    checked: response.contains(letter),
                    key: false,
                }
            })
            .collect(),
        blanks,
        response: response.to_string(),
    }
}

/// Which page of an open attempt a request asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// The round's own view (`view` in the competition file).
    Default,
    /// The whole round on one page.
    All,
    /// Question `n` alone.
    One(u32),
}

async fn round_page(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let r = attempt_page(&app, &id, &headers, Asked::Default).await;
    respond(&app, r)
}

async fn round_all(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let r = attempt_page(&app, &id, &headers, Asked::All).await;
    respond(&app, r)
}

async fn round_one(
    State(app): State<Shared>,
    Path((id, n)): Path<(String, u32)>,
    headers: HeaderMap,
) -> Response {
    let r = attempt_page(&app, &id, &headers, Asked::One(n)).await;
    respond(&app, r)
}

/// The page of a candidate's attempt at round `id`: while it is open, the whole round or one
/// question (as asked, or as the round says); once closed, the score and, where the round shows
/// it, the key.
async fn attempt_page(app: &App, id: &str, headers: &HeaderMap, asked: Asked) -> Result<Response> {
    let Some((c, csrf)) = candidate(app, headers).await? else {
        return Ok(Redirect::to("/signin").into_response());
    };
    let round = app.comp.round(id).ok_or(WebError::NotFound)?;
    close_expired(&app.comp, &app.store, Some(&c.id)).await?;
    let attempts = app.store.attempts(&c.id, id).await?;
    let Some(a) = attempts.last() else {
        return Ok(Redirect::to("/").into_response());
    };
    let open = a.submitted.is_none() && a.voided.is_none();
    if !open && asked != Asked::Default {
        return Ok(Redirect::to(&format!("/round/{id}")).into_response());
    }
    let paper = parse_paper(a)?;
    let p = paper.papers.first().ok_or(WebError::NotFound)?;
    let now = now_ms();
    if open {
        let answers: HashMap<u32, String> = app
            .store
            .answers(&c.id, id, a.n)
            .await?
            .into_iter()
            .map(|(i, r)| (i as u32, r))
            .collect();
        let given = |n: u32| answers.get(&n).map_or("", String::as_str);
        let left = (a.deadline - now).max(0);
        let common = context! { t => app.t, title => app.comp.file.title, signed_in => true, csrf,
        round => context!{ id => round.spec.id, name => round.spec.name },
        left_ms => left,
        left_text => format!("{}:{:02}", left / 60_000, left / 1000 % 60),
        deadline_text => show_time(app, a.deadline) };
        // The first question not answered yet (or the last), so a return lands on work.
        let numbers = competition::numbers(&paper);
        let resume = numbers
            .iter()
            .find(|n| given(**n).is_empty())
            .or(numbers.last())
            .copied()
            .unwrap_or(1);
        let asked = match asked {
            Asked::Default if round.spec.view == competition::View::One => {
                return Ok(Redirect::to(&format!("/round/{id}/q/{resume}")).into_response());
            }
            other => other,
        };
        if let Asked::One(n) = asked {
            // Only this question is sent: no other question, and nothing of any key.
            let leaves: Vec<(&str, &Item)> = p
                .sections
                .iter()
                .flat_map(|s| {
                    s.items
                        .iter()
                        .flat_map(|it| it.leaves())
                        .map(move |it| (s.title.as_str(), it))
                })
                .collect();
            let m = leaves.len() as u32;
            let Some(&(section, it)) = leaves.iter().find(|(_, it)| it.number == Some(n)) else {
                return Err(WebError::NotFound);
            };
            let strip: Vec<Value> = leaves
                .iter()
                .filter_map(|(_, it)| it.number)
                .map(|k| context! { n => k, answered => !given(k).is_empty(), current => k == n })
                .collect();
            let answered = leaves
                .iter()
                .filter_map(|(_, it)| it.number)
                .filter(|k| !given(*k).is_empty())
                .count() as u32;
            // The questions other than this one still unanswered (said before the submit).
            let others = leaves
                .iter()
                .filter_map(|(_, it)| it.number)
                .filter(|k| *k != n && given(*k).is_empty())
                .count() as u32;
            let at = leaves
                .iter()
                .position(|(_, it)| it.number == Some(n))
                .unwrap_or(0);
            let prev = at.checked_sub(1).and_then(|i| leaves[i].1.number);
            let next = leaves.get(at + 1).and_then(|(_, it)| it.number);
            let fill = |label: &str| {
                label
                    .replace("{n}", &n.to_string())
                    .replace("{m}", &m.to_string())
                    .replace("{k}", &answered.to_string())
                    .replace("{u}", &others.to_string())
            };
            let html = render(
                &app.env,
                "question.html",
                context! {
                q => item_view(it, given(n)), section, strip, prev, next, current => n,
                progress => fill(app.t["n_of_m"]), answered_text => fill(app.t["k_answered"]),
                unanswered => others, unanswered_text => fill(app.t["u_unanswered"]),
                ..common },
            );
            return Ok((html_headers(), html).into_response());
        }
        let sections: Vec<SectionView> = p
            .sections
            .iter()
            .map(|s| SectionView {
                title: s.title.clone(),
                items: s
                    .items
                    .iter()
                    .flat_map(|it| it.leaves())
                    .map(|it| item_view(it, given(it.number.unwrap_or(0))))
                    .collect(),
            })
            .collect();
        let html = render(
            &app.env,
            "attempt.html",
            context! { sections, resume, ..common },
        );
        return Ok((html_headers(), html).into_response());
    }
    // Closed: the score, and the key when the round shows it.
    let marks: Vec<Mark> = a
        .marks
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let by_number: HashMap<u32, &Mark> = marks.iter().map(|m| (m.number, m)).collect();
    let show_key = round.spec.show_key;
    let items: Vec<Value> = p
        .leaves()
        .map(|(_, it)| {
            let n = it.number.unwrap_or(0);
            let m = by_number.get(&n);
            let mut v = item_view(it, m.map_or("", |m| m.response.as_str()));
            let key = it.key_text();
            if show_key {
                for (i, o) in v.options.iter_mut().enumerate() {
                    o.key = matches!(&it.answer, crate::bank::Answer::Choice(k) if k.contains(&i));
                }
            }
            let points = m.map_or(0.0, |m| m.points);
            let max = m.map_or(it.points, |m| m.max);
            context! { number => n, stem => v.stem, options => v.options, response => v.response,
            points => fmt_points(points), max => fmt_points(max), right => points >= max,
            key => if show_key { key } else { String::new() },
            explanation => if show_key { it.explanation.clone() } else { String::new() },
            source => if show_key { it.source.clone() } else { String::new() } }
        })
        .collect();
    let (opens, closes) = window(app, round).await?;
    let can_start = (attempts.len() as u32) < round.spec.attempts && now >= opens && now < closes;
    let html = render(
        &app.env,
        "result.html",
        context! { t => app.t, title => app.comp.file.title, signed_in => true, csrf,
        round => context!{ id => round.spec.id, name => round.spec.name },
        score => fmt_points(a.score.unwrap_or(0.0)), max => fmt_points(a.max_points.unwrap_or(0.0)),
        voided => a.voided, show_key, items, can_start },
    );
    Ok((html_headers(), html).into_response())
}

/// The kind of each printed item number of a round's papers: sections in order, numbered from 1
/// (an online round has no cases, so every item is one number).
fn kinds(round: &competition::Round) -> Vec<Kind> {
    round
        .blueprint
        .sections
        .iter()
        .flat_map(|s| std::iter::repeat_n(s.kind, s.count))
        .collect()
}

/// The answers a form carries: for each question `present`, its cell (`AC`, `T`, `a | b`).
fn form_answers(form: &[(String, String)], kinds: &[Kind]) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (_, n) in form.iter().filter(|(k, _)| k == "present") {
        let Ok(n) = n.parse::<u32>() else { continue };
        let Some(kind) = kinds.get((n as usize).wrapping_sub(1)) else {
            continue;
        };
        let name = format!("q{n}");
        let values: Vec<&str> = form
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        let cell = match kind {
            Kind::Fill => {
                if values.iter().all(|v| v.trim().is_empty()) {
                    String::new()
                } else {
                    values
                        .iter()
                        .map(|v| v.trim())
                        .collect::<Vec<_>>()
                        .join(" | ")
                }
            }
            _ => {
                let mut letters: Vec<char> = values
                    .iter()
                    .flat_map(|v| v.chars())
                    .filter(|c| c.is_ascii_uppercase())
                    .collect();
                letters.sort_unstable();
                letters.dedup();
                letters.into_iter().collect()
            }
        };
        out.push((n, cell));
    }
    out
}

/// Saves a form's answers to the candidate's open attempt; `Err(Late)` when its time is up.
/// Returns the attempt's number and the item numbers saved.
async fn save_form(
    app: &App,
    c: &Candidate,
    round: &competition::Round,
    form: &[(String, String)],
) -> Result<(i64, Vec<u32>)> {
    let id = &round.spec.id;
    let a = app
        .store
        .attempt_state(&c.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let back = format!("/round/{id}");
    let now = now_ms();
    if a.closed || now > a.deadline {
        return Err(WebError::Late(back));
    }
    let mut saved = Vec::new();
    for (n, cell) in form_answers(form, &kinds(round)) {
        if i64::from(n) > a.items {
            continue;
        }
        if !app
            .store
            .save_answer(&c.id, id, a.n, i64::from(n), &cell, now)
            .await?
        {
            return Err(WebError::Late(back));
        }
        saved.push(n);
    }
    Ok((a.n, saved))
}

async fn save(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let json = wants_json(&headers);
    let r: Result<Response> = async {
        let Some((c, csrf)) = candidate(&app, &headers).await? else {
            return Err(WebError::Forbidden);
        };
        if !csrf_of(&form, &headers).is_some_and(|x| same(x, &csrf)) {
            return Err(WebError::Forbidden);
        }
        let round = app.comp.round(&id).ok_or(WebError::NotFound)?;
        let (_, saved) = save_form(&app, c, round, &form).await?;
        if json {
            return Ok(axum::Json(
                serde_json::json!({ "saved": saved, "message": app.t["saved"] }),
            )
            .into_response());
        }
        // The one-question view's buttons name the question to go to (this one's answer saved
        // first); the whole round's Save returns to the question saved.
        if let Some(go) = field(&form, "go").and_then(|g| g.parse::<u32>().ok()) {
            let count = kinds(round).len() as u32;
            let go = go.clamp(1, count.max(1));
            return Ok(Redirect::to(&format!("/round/{id}/q/{go}")).into_response());
        }
        let anchor = saved.first().map_or(String::new(), |n| format!("#q{n}"));
        Ok(Redirect::to(&format!("/round/{id}/all{anchor}")).into_response())
    }
    .await;
    match (json, r) {
        (true, Err(e)) => {
            let (status, message) = match e {
                WebError::Forbidden => (StatusCode::FORBIDDEN, app.t["forbidden"]),
                WebError::Late(_) => (StatusCode::CONFLICT, app.t["late"]),
                WebError::NotFound => (StatusCode::NOT_FOUND, "not found"),
                WebError::TooMany => (StatusCode::TOO_MANY_REQUESTS, app.t["too_many"]),
                WebError::Store(_) | WebError::Bad(_) => (StatusCode::SERVICE_UNAVAILABLE, "error"),
            };
            (
                status,
                axum::Json(serde_json::json!({ "saved": [], "message": message })),
            )
                .into_response()
        }
        (_, r) => respond(&app, r),
    }
}

async fn submit(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let r = async {
        let Some((c, csrf)) = candidate(&app, &headers).await? else {
            return Err(WebError::Forbidden);
        };
        if !csrf_of(&form, &headers).is_some_and(|x| same(x, &csrf)) {
            return Err(WebError::Forbidden);
        }
        let round = app.comp.round(&id).ok_or(WebError::NotFound)?;
        let (n, _) = match save_form(&app, c, round, &form).await {
            Ok(x) => x,
            Err(WebError::Late(back)) => {
                // Too late: the answers saved in time are graded, this form's are not.
                close_expired(&app.comp, &app.store, Some(&c.id)).await?;
                return Err(WebError::Late(back));
            }
            Err(e) => return Err(e),
        };
        let attempts = app.store.attempts(&c.id, &id).await?;
        if let Some(a) = attempts.iter().find(|a| a.n == n) {
            close(&app, a, now_ms()).await?;
        }
        Ok(Redirect::to(&format!("/round/{id}")).into_response())
    }
    .await;
    respond(&app, r)
}

// ---------------------------------------------------------------- me and board

async fn me(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let r = async {
        let Some((c, csrf)) = candidate(&app, &headers).await? else {
            return Ok(Redirect::to("/signin").into_response());
        };
        close_expired(&app.comp, &app.store, None).await?;
        let all = app.store.outcomes().await?;
        let counted = counted(&all);
        let mut rows = Vec::new();
        for r in &app.comp.rounds {
            let st = competition::standings(&app.comp, &[&r.spec.id], &counted).map_err(WebError::Bad)?;
            let mine = counted.iter().find(|x| x.round == r.spec.id && x.candidate == c.id);
            let rank = mine.and_then(|_| st.standings.iter().find(|s| s.entrant == c.id)).map(|s| s.rank);
            rows.push(context! { name => r.spec.name, score => mine.map_or("—".to_string(), |m| fmt_points(m.score)), rank => rank.map_or("—".to_string(), |r| r.to_string()) });
        }
        let ids: Vec<&str> = app.comp.rounds.iter().map(|r| r.spec.id.as_str()).collect();
        let st = competition::standings(&app.comp, &ids, &counted).map_err(WebError::Bad)?;
        let mine = st.standings.iter().find(|s| s.entrant == c.id);
        // 错题本: every item lost on a closed attempt, with the key where the round shows it.
        let mut wrong = Vec::new();
        let mut own = Vec::new();
        for r in &app.comp.rounds {
            own.extend(app.store.attempts(&c.id, &r.spec.id).await?);
        }
        for a in own.iter().filter(|a| a.submitted.is_some() && a.voided.is_none()) {
            let Some(round) = app.comp.round(&a.round) else { continue };
            let marks: Vec<Mark> = a.marks.as_deref().and_then(|m| serde_json::from_str(m).ok()).unwrap_or_default();
            let paper = parse_paper(a)?;
            let Some(p) = paper.papers.first() else { continue };
            for (_, it) in p.leaves() {
                let Some(m) = marks.iter().find(|m| Some(m.number) == it.number) else { continue };
                if m.points >= m.max {
                    continue;
                }
                let show = round.spec.show_key;
                let v = item_view(it, &m.response);
                let options: Vec<Value> = v.options.iter().enumerate().map(|(i, o)| context!{ letter => o.letter, text => o.text,
                    key => show && matches!(&it.answer, crate::bank::Answer::Choice(k) if k.contains(&i)) }).collect();
                wrong.push(context! { round => round.spec.name, stem => it.stem, options, response => m.response,
                    key => if show { it.key_text() } else { String::new() },
                    explanation => if show { it.explanation.clone() } else { String::new() },
                    source => if show { it.source.clone() } else { String::new() } });
            }
        }
        let html = render(
            &app.env,
            "me.html",
            context! { t => app.t, title => app.comp.file.title, signed_in => true, csrf, candidate => c, rows,
                total => fmt_points(mine.map_or(0.0, |m| m.score)), rank => mine.map_or("—".to_string(), |m| m.rank.to_string()), wrong },
        );
        Ok((html_headers(), html).into_response())
    }
    .await;
    respond(&app, r)
}

async fn board(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let r = async {
        close_expired(&app.comp, &app.store, None).await?;
        let signed = candidate(&app, &headers).await?;
        let all = app.store.outcomes().await?;
        let counted = counted(&all);
        let mut team_size: HashMap<&str, usize> = HashMap::new();
        for c in &app.comp.roster {
            *team_size.entry(c.team.as_str()).or_default() += 1;
        }
        let mut views: Vec<(String, Vec<&str>)> = vec![(
            app.t["cumulative"].to_string(),
            app.comp.rounds.iter().map(|r| r.spec.id.as_str()).collect(),
        )];
        views.extend(app.comp.rounds.iter().map(|r| (r.spec.name.clone(), vec![r.spec.id.as_str()])));
        let mut boards = Vec::new();
        for (name, ids) in views {
            let st = competition::standings(&app.comp, &ids, &counted).map_err(WebError::Bad)?;
            let mut took: HashMap<&str, usize> = HashMap::new();
            let mut seen = std::collections::HashSet::new();
            for x in counted.iter().filter(|x| ids.contains(&x.round.as_str())) {
                if let Some(c) = app.comp.candidate(&x.candidate) {
                    if seen.insert(&c.id) {
                        *took.entry(c.team.as_str()).or_default() += 1;
                    }
                }
            }
            let rate = |team: &str| {
                let size = team_size.get(team).copied().unwrap_or(0).max(1);
                let n = took.get(team).copied().unwrap_or(0);
                (format!("{:.0}%", 100.0 * n as f64 / size as f64), format!("{n}/{size}"))
            };
            let mut teams: Vec<Value> = st
                .teams
                .iter()
                .map(|t| {
                    let (rate, took) = rate(&t.team);
                    context! { rank => t.rank.to_string(), team => t.team, score => fmt_points(t.score), rate, took }
                })
                .collect();
            // Teams nobody of has answered yet: listed after the ranked ones, with their 参与率.
            let mut listed: std::collections::HashSet<&str> = st.teams.iter().map(|t| t.team.as_str()).collect();
            for c in &app.comp.roster {
                if !c.team.is_empty() && listed.insert(c.team.as_str()) {
                    let (rate, took) = rate(&c.team);
                    teams.push(context! { rank => "—", team => c.team, score => "—", rate, took });
                }
            }
            let people: Vec<Value> = st.standings.iter().map(|s| context! { rank => s.rank, name => s.name, team => s.team, score => fmt_points(s.score) }).collect();
            boards.push(context! { name, teams, people });
        }
        let html = render(
            &app.env,
            "board.html",
            context! { t => app.t, title => app.comp.file.title, signed_in => signed.is_some(),
                csrf => signed.map(|(_, c)| c), boards, updated => show_time(&app, now_ms()) },
        );
        Ok((html_headers(), html).into_response())
    }
    .await;
    respond(&app, r)
}

// ---------------------------------------------------------------- admin

/// The admin session's CSRF token, when signed in as the organiser.
async fn admin_session(app: &App, headers: &HeaderMap) -> Result<Option<String>> {
    Ok(match session(app, headers).await? {
        Some((_, who, csrf)) if who == "admin" && app.admin.is_some() => Some(csrf),
        _ => None,
    })
}

async fn admin_page(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let r = async {
        if app.admin.is_none() {
            return Err(WebError::NotFound);
        }
        let Some(csrf) = admin_session(&app, &headers).await? else {
            return Ok(signin_form(&app, "/admin/signin", app.t["admin"], app.t["admin_token"], "password", None));
        };
        close_expired(&app.comp, &app.store, None).await?;
        let all = app.store.outcomes().await?;
        let now = now_ms();
        let mut rounds = Vec::new();
        for r in &app.comp.rounds {
            let (opens, closes) = window(&app, r).await?;
            let of: Vec<&Attempt> = all.iter().filter(|a| a.round == r.spec.id).collect();
            let people: std::collections::HashSet<&str> = of.iter().map(|a| a.candidate.as_str()).collect();
            let submitted = of.iter().filter(|a| a.submitted.is_some()).count();
            let status = if now < opens { app.t["not_open"] } else if now >= closes { app.t["closed"] } else { app.t["open"] };
            rounds.push(context! { id => r.spec.id, name => r.spec.name,
                window => format!("{} – {}", show_time(&app, opens), show_time(&app, closes)), status,
                started => of.len(), submitted,
                rate => format!("{:.0}%", 100.0 * people.len() as f64 / app.comp.roster.len().max(1) as f64) });
        }
        let audit: Vec<Value> = app.store.audit_log(50).await?.into_iter()
            .map(|(at, actor, action, detail)| context! { at => show_time(&app, at), actor, action, detail }).collect();
        let html = render(
            &app.env,
            "admin.html",
            context! { t => app.t, title => app.comp.file.title, signed_in => false, csrf, rounds, audit },
        );
        Ok((html_headers(), html).into_response())
    }
    .await;
    respond(&app, r)
}

async fn admin_signin(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let r = async {
        let Some(expected) = &app.admin else {
            return Err(WebError::NotFound);
        };
        if !pre_ok(&headers, &form) {
            return Err(WebError::Forbidden);
        }
        let client = format!("admin {}", peer.ip());
        if rate_limited(&app, &client).await? {
            return Err(WebError::TooMany);
        }
        let given = sha256_hex(field(&form, "code").unwrap_or("").trim());
        if !same(&given, expected) {
            app.store.signin_failed(&client, now_ms()).await?;
            return Ok(signin_form(
                &app,
                "/admin/signin",
                app.t["admin"],
                app.t["admin_token"],
                "password",
                Some(app.t["bad_code"]),
            ));
        }
        app.store
            .audit(now_ms(), "admin", "sign-in", &peer.ip().to_string())
            .await?;
        new_session(&app, "admin").await
    }
    .await;
    respond(&app, r)
}

/// The admin's CSRF-checked request, or why not.
async fn admin_checked(app: &App, headers: &HeaderMap, form: &[(String, String)]) -> Result<()> {
    let csrf = admin_session(app, headers)
        .await?
        .ok_or(WebError::Forbidden)?;
    if !csrf_of(form, headers).is_some_and(|x| same(x, &csrf)) {
        return Err(WebError::Forbidden);
    }
    Ok(())
}

/// An admin's form: the session and its CSRF token checked before `act` runs (a future does
/// nothing until awaited), then what `act` returns — the action and its detail — written to the
/// audit log, and back to /admin.
async fn admin_post(
    app: &App,
    headers: &HeaderMap,
    form: &[(String, String)],
    act: impl std::future::Future<Output = Result<(String, String)>>,
) -> Response {
    let r = async {
        admin_checked(app, headers, form).await?;
        let (action, detail) = act.await?;
        app.store.audit(now_ms(), "admin", &action, &detail).await?;
        Ok(Redirect::to("/admin").into_response())
    }
    .await;
    respond(app, r)
}

async fn admin_round(
    State(app): State<Shared>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let act = async {
        let round = app.comp.round(&id).ok_or(WebError::NotFound)?;
        let now = now_ms();
        let (opens, closes) = window(&app, round).await?;
        let o = match action.as_str() {
            "open" => Override {
                opens: Some(now.min(opens)),
                closes: Some(if closes <= now {
                    now + 24 * 3_600_000
                } else {
                    closes
                }),
            },
            "close" => Override {
                opens: Some(opens.min(now)),
                closes: Some(now),
            },
            _ => return Err(WebError::NotFound),
        };
        app.store.set_override(&id, o).await?;
        if action == "close" {
            app.store.cap_deadlines(&id, now).await?;
        }
        Ok((format!("{action} round"), id.clone()))
    };
    admin_post(&app, &headers, &form, act).await
}

async fn admin_extend(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let act = async {
        let c = field(&form, "candidate").unwrap_or("").trim();
        let round = field(&form, "round").unwrap_or("");
        let minutes: i64 = field(&form, "minutes")
            .and_then(|m| m.trim().parse().ok())
            .filter(|m| (1..=600).contains(m))
            .ok_or_else(|| WebError::Bad("minutes: 1 to 600".into()))?;
        if app.comp.candidate(c).is_none() || app.comp.round(round).is_none() {
            return Err(WebError::Bad(format!(
                "no candidate `{c}` or round `{round}`"
            )));
        }
        app.store.extend(c, round, minutes).await?;
        Ok(("extend".to_string(), format!("{c} {round} +{minutes} min")))
    };
    admin_post(&app, &headers, &form, act).await
}

async fn admin_void(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let act = async {
        let c = field(&form, "candidate").unwrap_or("").trim();
        let round = field(&form, "round").unwrap_or("");
        let reason = field(&form, "reason").unwrap_or("").trim();
        if reason.is_empty() {
            return Err(WebError::Bad("a voided attempt needs a reason".into()));
        }
        let attempts = app.store.attempts(c, round).await?;
        let a = attempts
            .last()
            .ok_or_else(|| WebError::Bad(format!("`{c}` has no attempt at round `{round}`")))?;
        app.store.void_attempt(c, round, a.n, reason).await?;
        Ok((
            "void".to_string(),
            format!("{c} {round} #{}: {reason}", a.n),
        ))
    };
    admin_post(&app, &headers, &form, act).await
}

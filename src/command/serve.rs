//! `examforge serve`: read the competition file, its blueprints, banks and roster, then serve,
//! issue codes, export a round, or show a candidate's paper.

use super::draw::{draw_source, read_roster};
use crate::bank::Language;
use crate::blueprint::Blueprint;
use crate::cli::{ServeArgs, ServeCommand, ServeDb};
use crate::draw::manifest::RulesSource;
use crate::error::ExitCode;
use crate::input::diagnostic::Lang;
use crate::io::output::{self, OutputSet};
use crate::io::read;
use crate::serve::competition::{
    answers_csv, numbers, online_kinds, BlueprintRef, Competition, CompetitionFile, DrawFrom, Round,
};
use crate::serve::{self, App};
use crate::store::Store;
use crate::Error;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Runs `serve` and its subcommands.
pub fn run(a: &ServeArgs) -> Result<ExitCode, Error> {
    match &a.command {
        Some(ServeCommand::Codes {
            competition,
            db,
            output,
            replace,
            url,
            force,
        }) => codes(competition, db, output, replace, url, *force),
        Some(ServeCommand::Export {
            competition,
            round,
            db,
            output,
            force,
        }) => export(competition, round, db, output, *force),
        None => {
            let Some(file) = &a.competition else {
                return Err(Error::input(
                    "`serve` needs the competition file",
                    "examforge serve competition.toml (`examforge init` writes a worked one)",
                ));
            };
            let comp = load(file)?;
            if let Some(v) = &a.show_paper {
                let m = comp.paper(&v[0], &v[1]).map_err(|e| {
                    Error::input(
                        e.to_string(),
                        "name a round id and a candidate id of the roster",
                    )
                })?;
                let mut json = serde_json::to_string_pretty(&m).expect("manifest serialises");
                json.push('\n');
                output::to_stdout(json.as_bytes())?;
                return Ok(ExitCode::Success);
            }
            let token = admin_token(a)?;
            let zh = comp.language == Language::Zh;
            if token.is_none() {
                if zh {
                    eprintln!("note: 没有管理口令（设置 EXAMFORGE_ADMIN_TOKEN 或用 --admin-token-file 给出）：管理页面关闭");
                } else {
                    eprintln!("note: no admin token (set EXAMFORGE_ADMIN_TOKEN or pass --admin-token-file): the admin page is off");
                }
            }
            let url = database_url(file, &a.db);
            serve::block_on(async {
                let store = Store::open(&url).await.map_err(serve::ServeError::from)?;
                let codes = store.code_count().await.map_err(serve::ServeError::from)?;
                if codes == 0 && zh {
                    eprintln!(
                        "note: 还没有发放登录码：运行 `examforge serve codes {}`",
                        file.display()
                    );
                } else if codes == 0 {
                    eprintln!(
                        "note: no access codes issued yet: run `examforge serve codes {}`",
                        file.display()
                    );
                }
                serve::serve(App::new(comp, store, token), &a.listen).await
            })
            .and_then(|r| r)
            .map_err(serve_err)?;
            Ok(ExitCode::Success)
        }
    }
}

fn serve_err(e: serve::ServeError) -> Error {
    let mut message = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        message.push_str(&format!(": {s}"));
        src = s.source();
    }
    Error::Environment {
        message,
        hint: Some(
            "check --listen and --database (a PostgreSQL URL is postgres://USER:PASSWORD@HOST/DB)"
                .into(),
        ),
    }
}

fn admin_token(a: &ServeArgs) -> Result<Option<String>, Error> {
    let token = match &a.admin_token_file {
        Some(p) => Some(read::text(p)?.trim().to_string()),
        None => std::env::var("EXAMFORGE_ADMIN_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    };
    match token {
        Some(t) if t.len() < 16 => Err(Error::input(
            "the admin token is shorter than 16 characters",
            "use a long random token, e.g. `openssl rand -hex 24`",
        )),
        t => Ok(t.filter(|t| !t.is_empty())),
    }
}

/// `--database`, or `sqlite://COMPETITION.db` beside the competition file.
fn database_url(file: &Path, db: &ServeDb) -> String {
    match &db.database {
        Some(u) if u.contains("://") => u.clone(),
        Some(path) => format!("sqlite://{path}"),
        None => format!("sqlite://{}", file.with_extension("db").display()),
    }
}

/// Reads the competition file, its roster, and each round's blueprint and banks.
pub fn load(file: &Path) -> Result<Competition, Error> {
    let shown = file.display().to_string();
    let text = read::text(file)?;
    let cf = CompetitionFile::parse(&shown, &text)?;
    let base = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let roster = read_roster(&base.join(&cf.roster))?;
    let mut rounds = Vec::new();
    for spec in &cf.rounds {
        let (path, bp_text, mut bp): (PathBuf, String, Blueprint) = match &spec.blueprint {
            BlueprintRef::File(rel) => {
                let p = base.join(rel);
                let t = read::text(&p)?;
                let bp = Blueprint::parse(&p.display().to_string(), &t)?;
                (p, t, bp)
            }
            BlueprintRef::Inline(bp) => (file.to_path_buf(), text.clone(), (**bp).clone()),
        };
        let name = format!("{shown}: round `{}`", spec.id);
        online_kinds(&bp).map_err(|m| {
            Error::input(
                format!("{name}: {m}"),
                "draw short answers and cases for a written exam with `make`",
            )
        })?;
        // Every round draws only what is in force on its opening day, by the statute registry
        // beside the blueprint or its banks.
        let bp_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut near = vec![path.clone()];
        near.extend(bp.exam.banks.iter().map(|b| bp_dir.join(b)));
        if super::laws::find(None, &near)?.is_some() {
            bp.exam.date = Some(spec.open_date);
        } else if bp.exam.date.is_none() {
            let day = spec.open_date;
            if Lang::of_text(&bp.exam.title) == Lang::Zh {
                eprintln!(
                    "note: {name}：题库旁没有 laws.toml：不核对题目所引法规在 {day} 是否施行"
                );
            } else {
                eprintln!("note: {name}: no laws.toml beside its banks: its questions are not checked for the law in force on {day}");
            }
        }
        let source = draw_source(&path, &bp_text, &bp)?;
        let rules = match spec.rules.as_ref().map(|r| base.join(r)).or_else(|| {
            bp.scoring
                .script
                .as_ref()
                .map(|s| path.parent().unwrap_or(Path::new("")).join(s))
        }) {
            Some(p) => {
                let source = read::text(&p)?;
                crate::score::script::RuleScript::compile(&p.display().to_string(), &source)
                    .map_err(|e| Error::Input {
                        hint: e.hint(),
                        message: e.to_string(),
                        zh: None,
                    })?;
                Some(RulesSource {
                    path: p.display().to_string(),
                    source,
                })
            }
            None => None,
        };
        let law = source.law_record();
        let excluded = source.exclusions().ids.clone();
        let why = source.exclusions().why.to_string();
        rounds.push(Round {
            spec: spec.clone(),
            blueprint: bp,
            from: DrawFrom {
                banks: source.banks,
                avoid: source.avoid,
                excluded,
                why,
                law,
            },
            rules,
        });
    }
    let comp = Competition::new(cf, roster, rounds);
    // A round the banks cannot fill is found now, not when the first candidate starts it.
    if let Some(first) = comp.roster.first() {
        for r in &comp.rounds {
            comp.paper(&r.spec.id, &first.id).map_err(|e| {
                Error::input(
                    format!("{shown}: round `{}`: {e}", r.spec.id),
                    "lower the round's counts or add questions to the banks",
                )
            })?;
        }
    }
    Ok(comp)
}

/// 80 random bits as 16 characters of Crockford's base 32 (no I, L, O, U), printed in groups of four.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut b = [0u8; 10];
    getrandom::getrandom(&mut b).expect("the operating system supplies random bytes");
    let mut bits: u128 = 0;
    for x in b {
        bits = bits << 8 | u128::from(x);
    }
    let chars: Vec<char> = (0..16)
        .map(|i| ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn codes(
    file: &Path,
    db: &ServeDb,
    output: &Path,
    replace: &[String],
    url: &str,
    force: bool,
) -> Result<ExitCode, Error> {
    let comp = load(file)?;
    for id in replace {
        if comp.candidate(id).is_none() {
            return Err(Error::input(
                format!("no candidate `{id}` on the roster"),
                "--replace takes ids of the roster",
            ));
        }
    }
    let out = OutputSet::new(output, force || !replace.is_empty(), "serve codes");
    out.check_free(&["codes.csv", "slips.html"])?;
    let who: Vec<_> = if replace.is_empty() {
        comp.roster.iter().collect()
    } else {
        comp.roster
            .iter()
            .filter(|c| replace.contains(&c.id))
            .collect()
    };
    let db_url = database_url(file, db);
    let issued: Vec<(String, String)> = serve::block_on(async {
        let store = Store::open(&db_url).await?;
        if replace.is_empty() && !force && store.code_count().await? > 0 {
            return Ok(None);
        }
        let now = serve::now_ms();
        let mut v = Vec::new();
        for c in &who {
            let code = new_code();
            store.set_code(&c.id, &serve::code_hash(&code), now).await?;
            v.push((c.id.clone(), code));
        }
        Ok::<_, crate::store::StoreError>(Some(v))
    })
    .map_err(serve_err)?
    .map_err(|e| serve_err(e.into()))?
    .ok_or_else(|| Error::input(
        "codes were issued already for this competition",
        "pass --replace ID for a lost code, or --force to issue new codes to everyone (the old ones stop working)",
    ))?;
    let mut w = crate::input::table::Writer::new(Vec::new());
    w.write_record(["candidate", "name", "team", "code"])
        .expect("in memory");
    let mut slips = String::new();
    for (id, code) in &issued {
        let c = comp.candidate(id).expect("from the roster");
        w.write_record([&c.id, &c.name, &c.team, code])
            .expect("in memory");
        slips.push_str(&format!(
            "<div class=\"slip\"><p class=\"t\">{}</p><p>{} · {} · {}</p><p class=\"code\">{}</p><p>{}</p></div>\n",
            esc(&comp.file.title), esc(&c.name), esc(&c.team), esc(&c.id), esc(code), esc(url)
        ));
    }
    let csv = w.into_inner().expect("in memory");
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title><style>\
         body{{font-family:sans-serif;margin:10mm}}.slip{{display:inline-block;width:85mm;border:1px dashed #888;padding:4mm;margin:2mm;vertical-align:top}}\
         .t{{font-weight:bold}}.code{{font:bold 16pt monospace;letter-spacing:1px}}</style></head><body>\n{slips}</body></html>\n",
        esc(&comp.file.title)
    );
    out.write("codes.csv", &csv)?;
    out.write("slips.html", html.as_bytes())?;
    out.commit()?;
    let (codes_csv, slips) = (out.path("codes.csv"), out.path("slips.html"));
    if comp.language == Language::Zh {
        eprintln!(
            "已发放 {} 个登录码：{} 和 {}（请妥善保管：数据库只存它们的哈希值）",
            issued.len(),
            codes_csv.display(),
            slips.display()
        );
    } else {
        eprintln!(
            "issued {} code(s): {} and {} (keep them private: the database holds only their hashes)",
            issued.len(),
            codes_csv.display(),
            slips.display()
        );
    }
    Ok(ExitCode::Success)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn export(
    file: &Path,
    round: &str,
    db: &ServeDb,
    output: &Path,
    force: bool,
) -> Result<ExitCode, Error> {
    let comp = load(file)?;
    let r = comp.round(round).ok_or_else(|| {
        let ids: Vec<&str> = comp.rounds.iter().map(|r| r.spec.id.as_str()).collect();
        Error::input(
            format!("no round `{round}`"),
            format!("the rounds are: {}", ids.join(", ")),
        )
    })?;
    let out = OutputSet::new(output, force, "serve export");
    out.check_free(&[
        "exam.json",
        "answers.csv",
        "scores.csv",
        "results.csv",
        "items.csv",
        "results.json",
        "rejected.csv",
    ])?;
    let db_url = database_url(file, db);
    let attempts = serve::block_on(async {
        let store = Store::open(&db_url).await?;
        serve::close_expired(&comp, &store, None).await?;
        Ok::<_, serve::ServeError>(store.all_attempts(Some(round)).await?)
    })
    .map_err(serve_err)?
    .map_err(serve_err)?;
    // The counted attempt of each candidate: the best closed one not voided (the board's rule).
    let mut best: HashMap<&str, &crate::store::Attempt> = HashMap::new();
    for a in attempts
        .iter()
        .filter(|a| a.submitted.is_some() && a.voided.is_none())
    {
        let e = best.entry(a.candidate.as_str()).or_insert(a);
        if a.score > e.score {
            *e = a;
        }
    }
    if best.is_empty() {
        return Err(Error::input(
            format!("round `{round}` has no submitted attempt yet"),
            "export a round once candidates have answered it",
        ));
    }
    let mut manifest: Option<crate::draw::manifest::Manifest> = None;
    let mut answers: Vec<(String, HashMap<u32, String>)> = Vec::new();
    let db_url2 = db_url.clone();
    let keys: Vec<(String, i64)> = comp
        .roster
        .iter()
        .filter_map(|c| best.get(c.id.as_str()).map(|a| (c.id.clone(), a.n)))
        .collect();
    let saved = serve::block_on(async {
        let store = Store::open(&db_url2).await?;
        let mut v = Vec::new();
        for (id, n) in &keys {
            v.push(store.answers(id, round, *n).await?);
        }
        Ok::<_, crate::store::StoreError>(v)
    })
    .map_err(serve_err)?
    .map_err(|e| serve_err(e.into()))?;
    for ((id, _), rows) in keys.iter().zip(saved) {
        let a = best[id.as_str()];
        let m: crate::draw::manifest::Manifest = serde_json::from_str(&a.paper).map_err(|e| {
            Error::input(
                format!("the stored paper of {id}: {e}"),
                "the database was changed by hand",
            )
        })?;
        match &mut manifest {
            None => manifest = Some(m),
            Some(all) => all.papers.extend(m.papers),
        }
        answers.push((
            id.clone(),
            rows.into_iter().map(|(i, r)| (i as u32, r)).collect(),
        ));
    }
    let mut manifest = manifest.expect("at least one attempt");
    // Each paper has its own seed (competition, round, candidate); none is the whole exam's.
    manifest.seed = 0;
    let nums = numbers(&manifest);
    let rows: Vec<_> = answers
        .iter()
        .map(|(id, cells)| {
            (
                comp.candidate(id).expect("from the roster"),
                id.as_str(),
                cells,
            )
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    json.push('\n');
    let mut w = crate::input::table::Writer::new(Vec::new());
    w.write_record(["entrant", "team", "points", "round"])
        .expect("in memory");
    for c in &comp.roster {
        if let Some(a) = best.get(c.id.as_str()) {
            w.write_record([
                &c.id,
                &c.team,
                &crate::bank::fmt_points(a.score.unwrap_or(0.0)),
                &r.spec.name,
            ])
            .expect("in memory");
        }
    }
    out.write("exam.json", json.as_bytes())?;
    out.write("answers.csv", answers_csv(&nums, &rows).as_bytes())?;
    out.write("scores.csv", &w.into_inner().expect("in memory"))?;
    out.commit()?;
    // The round graded as `grade` grades a scanner's CSV, into the same folder.
    super::grade::grade(&super::grade::Job {
        exam: out.path("exam.json"),
        answers: out.path("answers.csv"),
        csv_layout: None,
        rules: None,
        manual: None,
        appeals: None,
        roster: None,
        tolerance: Vec::new(),
        output: output.to_path_buf(),
        force: true,
        report: false,
    })?;
    if comp.language == Language::Zh {
        eprintln!(
            "已写出 {}（`standings` 可作为一个项目读入的得分表）",
            out.path("scores.csv").display()
        );
    } else {
        eprintln!(
            "wrote {} (a score list `standings` reads as an event)",
            out.path("scores.csv").display()
        );
    }
    Ok(ExitCode::Success)
}

//! `examforge standings`: events' results (grade or judge folders, score CSVs) → individual and
//! team standings with a column per event.

use super::say::Say;
use super::script::{load_script, reported};
use crate::bank::fmt_points;
use crate::cli::StandingsArgs;
use crate::error::ExitCode;
use crate::event::header_is;
use crate::event::scores::{score_columns, tally};
use crate::event::standings::{
    compute_registered, register, suspect_spellings, EventData, EventSpec, Member, Missing,
    Registry, Standings, StandingsSpec, TeamRule,
};
use crate::event::Entrant;
use crate::input::diagnostic::{Diagnostic, Lang, Location};
use crate::input::table;
use crate::io::output::OutputSet;
use crate::score::script::Hook;
use crate::Error;
use std::path::Path;

const OUTPUTS: [&str; 4] = [
    "standings.csv",
    "teams.csv",
    "standings.json",
    "missing.csv",
];

/// Runs `standings`.
pub fn run(a: &StandingsArgs) -> Result<ExitCode, Error> {
    let shown = a.file.display().to_string();
    let text = crate::io::read::text(&a.file)?;
    let spec = StandingsSpec::parse(&shown, &text).map_err(|d| reported(&d, &shown))?;
    // The language of the standings file: the words of the messages placed in it.
    let lang = spec.lang;
    let out = OutputSet::new(&a.out.output, a.out.force, "standings");
    out.check_free(&OUTPUTS)?;
    let script = match &spec.script {
        Some(rel) => {
            let s = load_script(&a.file, rel, Hook::TopLevel, lang)?;
            let mut errors = Vec::new();
            if spec.team_rule == TeamRule::Script && !s.has_team() {
                errors.push(
                    hook_missing(
                        &spec.team_rule_at,
                        "team_rule",
                        s.name(),
                        "fn team(members)",
                    )
                    .in_language(lang),
                );
            }
            if spec.missing == Missing::Script && !s.has_combine() {
                errors.push(
                    hook_missing(&spec.missing_at, "missing", s.name(), "fn combine(events)")
                        .in_language(lang),
                );
            }
            if !errors.is_empty() {
                return Err(reported(&errors, &shown));
            }
            if spec.team_rule != TeamRule::Script && !s.has_combine() {
                eprintln!(
                    "warning: `{}` is not used: it has no `fn combine(events)` and team_rule is not \"script\"",
                    s.name()
                );
            }
            Some(s)
        }
        None => None,
    };
    let base = a.file.parent().unwrap_or(Path::new(""));
    let roster = match &spec.roster {
        Some(rel) => {
            let path = base.join(rel);
            let candidates = super::draw::read_roster(&path)?
                .into_iter()
                .map(|c| Member {
                    id: c.id,
                    name: c.name,
                    team: c.team,
                    ..Member::default()
                })
                .collect();
            Some(Registry {
                file: path.display().to_string(),
                candidates,
            })
        }
        None => None,
    };
    let mut data = Vec::new();
    let mut problems = Vec::new();
    for e in &spec.events {
        match read_event(base, e, spec.entrant, lang) {
            Ok(d) => data.push(d),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Err(reported(&problems, &shown));
    }
    let problems = match &roster {
        Some(r) => register(r, &spec, &mut data),
        None => suspect_spellings(&spec, &data),
    };
    if !problems.is_empty() {
        return Err(reported(&problems, &shown));
    }
    let s = compute_registered(&spec, &data, script.as_ref(), roster.as_ref());
    super::show_script_log(script.as_ref());
    let s = s.map_err(|e| e.told_in(lang))?;

    out.write("standings.csv", &standings_csv(&s))?;
    out.write("teams.csv", &teams_csv(&s))?;
    let mut json = serde_json::to_string_pretty(&s).expect("json");
    json.push('\n');
    out.write("standings.json", json.as_bytes())?;
    out.write("missing.csv", &missing_csv(&s))?;
    out.commit()?;

    let say = Say::new(spec.lang);
    let warnings = if say.zh() {
        &s.warnings_zh
    } else {
        &s.warnings
    };
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let file = crate::io::output::shown(&a.file).display().to_string();
    let kind = match (s.entrant, say.zh()) {
        (Entrant::Team, true) => "支参赛队",
        (Entrant::Candidate, true) => "位个人",
        (e, false) => e.name(),
    };
    if say.zh() {
        say.head(
            &file,
            format!(
                "{} 个项目，{} {kind}排名",
                s.events.len(),
                s.standings.len()
            ),
        );
    } else {
        say.head(
            &file,
            format!(
                "{} event(s), {} {kind}(s) ranked",
                s.events.len(),
                s.standings.len()
            ),
        );
    }
    if !s.teams.is_empty() {
        say.item(say.pick("teams ranked", "队伍排名"), s.teams.len());
    }
    for m in &s.missing {
        if say.zh() {
            say.item(
                "缺项",
                format!("`{}` 缺 `{}`：{}", m.entrant, m.event, m.zh),
            );
        } else {
            say.item(
                "missing",
                format!("`{}` from `{}`: {}", m.entrant, m.event, m.outcome),
            );
        }
    }
    say.wrote(OUTPUTS.map(|n| out.shown(n).display().to_string()));
    Ok(ExitCode::Success)
}

fn hook_missing(at: &Option<Location>, key: &str, script: &str, hook: &str) -> Diagnostic {
    Diagnostic::error(
        at.clone(),
        format!("{key} = \"script\", but `{script}` has no `{hook}`"),
    )
    .with_hint(format!(
        "add `{hook} {{ … }}` to the script, or choose another {key}"
    ))
    .zh(
        format!("{key} = \"script\"，但 `{script}` 里没有 `{hook}`"),
        format!("在脚本里加上 `{hook} {{ … }}`，或换一种 {key}"),
    )
}

/// Reads one event's results: a folder from `grade` or `judge`, or a CSV (results.csv or a score
/// list). `lang` is the language of the file naming the event, where the errors are placed.
pub(super) fn read_event(
    base: &Path,
    e: &EventSpec,
    entrant: Entrant,
    lang: Lang,
) -> Result<EventData, Vec<Diagnostic>> {
    let path = base.join(&e.results);
    let shown = path.display().to_string();
    let at = Some(e.at.clone());
    let fail = |message: String, hint: &str, zh: (String, &str)| {
        vec![Diagnostic::error(at.clone(), message)
            .with_hint(hint)
            .zh(zh.0, zh.1)
            .in_language(lang)]
    };
    if path.is_dir() {
        let json = path.join("results.json");
        if json.is_file() {
            return read_results_json(&json).map_err(|m| {
                fail(
                    m.clone(),
                    "run `examforge grade` or `examforge judge` again into that folder",
                    (
                        m,
                        "在那个文件夹里重新运行 `examforge grade` 或 `examforge judge`",
                    ),
                )
            });
        }
        let csv = path.join("results.csv");
        if !csv.is_file() {
            return Err(fail(
                format!("event `{}`: `{shown}` holds no results.json or results.csv", e.name),
                "name the folder `examforge grade` or `examforge judge` wrote with -o, or a score CSV",
                (
                    format!("赛项 `{}`：`{shown}` 里没有 results.json 或 results.csv", e.name),
                    "写 `examforge grade` 或 `examforge judge` 用 -o 输出的文件夹，或一个成绩 CSV",
                ),
            ));
        }
        return read_csv_event(&csv, e, entrant, lang);
    }
    if !path.is_file() {
        return Err(fail(
            format!("event `{}`: `{shown}` does not exist", e.name),
            "paths are relative to the standings file",
            (
                format!("赛项 `{}`：`{shown}` 不存在", e.name),
                "路径从总成绩文件所在的文件夹算起",
            ),
        ));
    }
    read_csv_event(&path, e, entrant, lang)
}

/// A results status that means the candidate sat nothing (缺考).
fn is_absent(status: &str) -> bool {
    header_is(status, &["absent", "缺考"])
}

fn read_results_json(path: &Path) -> Result<EventData, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("`{shown}` is not valid JSON: {e}"))?;
    let team_level = v["entrant"].as_str() == Some("team");
    // The input the results' line numbers refer to (a judge's score sheet, grade's answers).
    let source = ["scores", "answers", "scans"]
        .iter()
        .find_map(|k| v[*k].as_str())
        .map_or_else(|| shown.to_string(), str::to_string);
    let list = v["candidates"]
        .as_array()
        .ok_or_else(|| format!("`{shown}` has no `candidates` list"))?;
    let mut rows = Vec::new();
    let mut max = None;
    for c in list {
        let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
        let absent = is_absent(&field("status"));
        let score = match c["score"].as_f64() {
            Some(s) => s,
            None if absent => 0.0,
            None => {
                return Err(format!(
                    "`{shown}`: candidate `{}` has no score",
                    field("id")
                ))
            }
        };
        max = max.or(c["max"].as_f64());
        rows.push(Member {
            id: field("id"),
            name: field("name"),
            team: field("team"),
            score,
            absent,
            source: source.clone(),
            line: c["line"].as_u64().unwrap_or(0) as usize,
        });
    }
    Ok(EventData {
        team_level,
        max,
        rows,
    })
}

/// A results.csv (candidate,…,score,…) or a score list (entrant,team,points[,round]). In team
/// standings, a score list with no team on any row names teams.
fn read_csv_event(
    path: &Path,
    e: &EventSpec,
    entrant: Entrant,
    lang: Lang,
) -> Result<EventData, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let t = table::read(path).map_err(|err| {
        vec![
            Diagnostic::error(Some(e.at.clone()), format!("event `{}`: {err}", e.name))
                .with_hint(err.hint().unwrap_or_default())
                .zh(
                    format!("赛项 `{}`：{err}", e.name),
                    err.hint().unwrap_or_default(),
                )
                .in_language(lang),
        ]
    })?;
    let find = |aliases: &[&str]| t.header.iter().position(|h| header_is(h, aliases));
    let row_error = |line: usize, reason: String| {
        Diagnostic::error(None, format!("{shown}:{line}: {reason}"))
            .with_hint("fix the row; standings never guess a score")
    };
    if let (Some(id), Some(score), Some(_rank)) =
        (find(&["candidate"]), find(&["score"]), find(&["rank"]))
    {
        let (name, team, max_col) = (find(&["name"]), find(&["team"]), find(&["max"]));
        let status = find(&["status"]);
        let mut rows = Vec::new();
        let mut bad = Vec::new();
        let mut max = None;
        for (line, f) in &t.rows {
            let get = |i: usize| f.get(i).map_or("", |s| s.trim());
            let member = |score| Member {
                id: get(id).to_string(),
                name: name.map_or("", get).to_string(),
                team: team.map_or("", get).to_string(),
                score,
                absent: status.is_some_and(|c| is_absent(get(c))),
                source: shown.clone(),
                line: *line,
            };
            match get(score).parse::<f64>() {
                Ok(s) if s.is_finite() => rows.push(member(s)),
                _ if status.is_some_and(|c| is_absent(get(c))) => rows.push(member(0.0)),
                _ => bad.push(row_error(
                    *line,
                    format!("score `{}` is not a number", get(score)),
                )),
            }
            max = max.or_else(|| max_col.and_then(|m| get(m).parse().ok()));
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        return Ok(EventData {
            team_level: false,
            max,
            rows,
        });
    }
    let Some(cols) = score_columns(&t.header) else {
        return Err(vec![Diagnostic::error(
            Some(e.at.clone()),
            format!(
                "event `{}`: `{shown}` is neither a results.csv nor a score list (header: {})",
                e.name,
                t.header.join(",")
            ),
        )
        .with_hint(
            "a score list has the header entrant,team,points[,round] (参赛者,单位,得分,轮次)",
        )
        .zh(
            format!(
                "赛项 `{}`：`{shown}` 既不是 results.csv 也不是得分表（表头：{}）",
                e.name,
                t.header.join(",")
            ),
            "得分表的表头是 参赛者,单位,得分,轮次（或 entrant,team,points,round；轮次可不写）",
        )
        .in_language(lang)]);
    };
    let (entries, bad) = tally(&cols, &t.rows);
    if !bad.is_empty() {
        return Err(bad
            .into_iter()
            .map(|b| row_error(b.line, b.reason))
            .collect());
    }
    let team_level = entrant == Entrant::Team && entries.iter().all(|x| x.team.is_empty());
    Ok(EventData {
        team_level,
        max: None,
        rows: entries
            .into_iter()
            .map(|x| Member {
                name: if x.name.is_empty() {
                    x.entrant.clone()
                } else {
                    x.name
                },
                id: x.entrant,
                team: x.team,
                score: x.score,
                absent: false,
                source: shown.clone(),
                line: x.line,
            })
            .collect(),
    })
}

fn standings_csv(s: &Standings) -> Vec<u8> {
    let mut header: Vec<String> = ["rank", "entrant", "name", "team", "score"]
        .map(String::from)
        .to_vec();
    // Normalised events say from what: `知识竞赛 (200→100)`.
    header.extend(s.events.iter().map(|e| match (s.scale, e.max) {
        (Some(scale), Some(max)) if (scale - max).abs() > crate::rank::TIE => {
            format!("{} ({}→{})", e.name, fmt_points(max), fmt_points(scale))
        }
        _ => e.name.clone(),
    }));
    let mut rows = vec![header];
    for r in &s.standings {
        let mut rec = vec![
            r.rank.to_string(),
            r.entrant.clone(),
            r.name.clone(),
            r.team.clone(),
            fmt_points(r.score),
        ];
        rec.extend(
            r.events
                .iter()
                .map(|e| e.map(fmt_points).unwrap_or_default()),
        );
        rows.push(rec);
    }
    crate::io::output::csv(&rows)
}

fn teams_csv(s: &Standings) -> Vec<u8> {
    let mut rows = vec![["rank", "team", "score", "members", "left_out"]
        .map(String::from)
        .to_vec()];
    if s.entrant == Entrant::Team {
        // The standings are the teams.
        for r in &s.standings {
            rows.push(vec![
                r.rank.to_string(),
                r.entrant.clone(),
                fmt_points(r.score),
                String::new(),
                String::new(),
            ]);
        }
    }
    for t in &s.teams {
        rows.push(vec![
            t.rank.to_string(),
            t.team.clone(),
            fmt_points(t.score),
            t.members.to_string(),
            t.left_out.join("; "),
        ]);
    }
    crate::io::output::csv(&rows)
}

fn missing_csv(s: &Standings) -> Vec<u8> {
    let mut rows = vec![["entrant", "event", "outcome"].map(String::from).to_vec()];
    for m in &s.missing {
        rows.push(vec![m.entrant.clone(), m.event.clone(), m.outcome.clone()]);
    }
    crate::io::output::csv(&rows)
}

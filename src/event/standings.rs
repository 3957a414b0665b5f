//! Standings across events: each event's results, weighted (or combined by a script), for
//! entrants (teams or candidates), with teams built from their members by a team rule.
//!
//! ```toml
//! [standings]
//! title = "执法大练兵总成绩"
//! entrant = "team"          # or "candidate"
//! team_rule = "sum"         # sum | mean | "best-5" (sum of the best five) | script
//! missing = "zero"          # zero | exclude | script
//! # script = "combine.rhai" # `combine(events)` and/or `team(members)`
//! organiser = "某市生态环境局"
//! date = "2026年12月1日"
//! [awards]                  # rank cut-offs for certificates: 一等奖 ≤ first, 二等奖 ≤ second, …
//! first = 1
//! second = 3
//! third = 6
//! [[event]]
//! name = "现场执法比武"
//! results = "onsite/"       # a grade or judge output folder, or a score CSV
//! weight = 0.6
//! ```

use super::rubric::Entrant;
use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Location};
use crate::input::toml::TomlDoc;
use crate::rank::ranks;
use crate::score::script::{CandidateInfo, CombineEvent, RuleScript, ScriptError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use toml::Spanned;

/// How a team's score comes from its members' scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TeamRule {
    Sum,
    Mean,
    /// The sum of the best N members' scores.
    Best(usize),
    /// The script's `team(members)`.
    Script,
}

impl TeamRule {
    /// `sum`, `mean`, `best-N` or `script`.
    pub fn parse(t: &str) -> Option<TeamRule> {
        match t.trim() {
            "sum" => Some(TeamRule::Sum),
            "mean" => Some(TeamRule::Mean),
            "script" => Some(TeamRule::Script),
            t => match t.strip_prefix("best-").map(str::parse::<usize>) {
                Some(Ok(n)) if n > 0 => Some(TeamRule::Best(n)),
                _ => None,
            },
        }
    }
}

/// What happens to an entrant missing from an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// The event counts 0.
    Zero,
    /// The entrant is left out of the standings.
    Exclude,
    /// The script's `combine(events)` sees the event as missing and decides.
    Script,
}

/// Rank cut-offs for prizes: ranks up to `first` win 一等奖, up to `second` 二等奖, up to `third` 三等奖.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Awards {
    pub first: usize,
    pub second: usize,
    pub third: usize,
}

/// A parsed, checked standings file.
#[derive(Debug, Clone, PartialEq)]
pub struct StandingsSpec {
    pub title: String,
    pub entrant: Entrant,
    pub team_rule: TeamRule,
    pub missing: Missing,
    /// Path of a rhai script, relative to the standings file.
    pub script: Option<String>,
    pub organiser: String,
    pub date: String,
    pub awards: Option<Awards>,
    pub events: Vec<EventSpec>,
    /// Where `team_rule` and `missing` are written, for errors found once the script is loaded.
    pub team_rule_at: Option<Location>,
    pub missing_at: Option<Location>,
}

/// One `[[event]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    pub name: String,
    /// A results folder or a score CSV, relative to the standings file.
    pub results: String,
    pub weight: f64,
    /// Where `results` is written.
    pub at: Location,
}

impl StandingsSpec {
    /// Parses and checks a standings file; every problem is reported at `file:line:col`.
    pub fn parse(file: &str, src: &str) -> Result<StandingsSpec, Vec<Diagnostic>> {
        let doc = TomlDoc::parse(file, src).map_err(Diagnostics::into_vec)?;
        let raw: Raw = doc.deserialize().map_err(Diagnostics::into_vec)?;
        let mut errors = Vec::new();
        let err = |span: std::ops::Range<usize>, m: String, h: &str| {
            Diagnostic::error(Some(doc.location(span.start)), m).with_hint(h)
        };
        let s = raw.standings;
        let team_rule = match s.team_rule.as_ref().map(|t| t.get_ref().trim()) {
            None => TeamRule::Sum,
            Some(t) => match TeamRule::parse(t) {
                Some(r) => r,
                None => {
                    let rules = "use \"sum\", \"mean\", \"best-N\" (the sum of the best N members, e.g. \"best-5\") or \"script\"";
                    let hint = match did_you_mean(t, &["sum", "mean", "script", "best-"]) {
                        Some("best-") => format!("did you mean `best-N`? {rules}"),
                        Some(k) => format!("did you mean `{k}`?"),
                        None => rules.to_string(),
                    };
                    errors.push(err(
                        s.team_rule.as_ref().map_or(0..0, |t| t.span()),
                        format!("unknown team rule `{t}`"),
                        &hint,
                    ));
                    TeamRule::Sum
                }
            },
        };
        let missing = s.missing.as_ref().map_or(Missing::Zero, |m| *m.get_ref());
        let script = s.script.as_ref().map(|p| p.get_ref().trim().to_string());
        let needs_script = |what: &str, span: std::ops::Range<usize>| {
            err(
                span,
                format!("{what} = \"script\" needs a script"),
                "add script = \"FILE.rhai\" to [standings], with `fn combine(events)` / `fn team(members)`",
            )
        };
        if script.is_none() {
            if team_rule == TeamRule::Script {
                errors.push(needs_script(
                    "team_rule",
                    s.team_rule.as_ref().map_or(0..0, |t| t.span()),
                ));
            }
            if missing == Missing::Script {
                errors.push(needs_script(
                    "missing",
                    s.missing.as_ref().map_or(0..0, |t| t.span()),
                ));
            }
        }
        if let Some(a) = &raw.awards {
            let v = a.get_ref();
            if v.first == 0 || v.first > v.second || v.second > v.third {
                errors.push(err(
                    a.span(),
                    format!(
                        "award cut-offs {} / {} / {} do not grow",
                        v.first, v.second, v.third
                    ),
                    "first, second and third are the last ranks of each prize: 1 ≤ first ≤ second ≤ third",
                ));
            }
        }
        if raw.events.is_empty() {
            errors.push(err(
                0..0,
                "the standings file has no `[[event]]`".into(),
                "add one per event: [[event]] name = \"…\" results = \"folder/\" weight = 1",
            ));
        }
        let mut events: Vec<EventSpec> = Vec::new();
        for e in raw.events {
            let name = e.name.get_ref().trim().to_string();
            if name.is_empty() {
                errors.push(err(
                    e.name.span(),
                    "an event has no name".into(),
                    "the name heads the event's column in standings.csv",
                ));
            } else if events.iter().any(|o| o.name == name) {
                errors.push(err(
                    e.name.span(),
                    format!("event `{name}` is listed twice"),
                    "give each event its own name",
                ));
            }
            let weight = e.weight.as_ref().map_or(1.0, |w| *w.get_ref());
            if let Some(w) = &e.weight {
                if !(weight.is_finite() && weight >= 0.0) {
                    errors.push(err(
                        w.span(),
                        format!("`weight = {weight}` is negative"),
                        "weights are 0 or more",
                    ));
                }
            }
            if e.results.get_ref().trim().is_empty() {
                errors.push(err(
                    e.results.span(),
                    "`results` is empty".into(),
                    "name a grade or judge output folder, or a score CSV",
                ));
            }
            events.push(EventSpec {
                name,
                results: e.results.get_ref().trim().to_string(),
                weight,
                at: Location::at(file, src, e.results.span().start),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StandingsSpec {
            title: s.title,
            entrant: s.entrant,
            team_rule,
            missing,
            script,
            organiser: s.organiser,
            date: s.date,
            awards: raw.awards.map(Spanned::into_inner),
            events,
            team_rule_at: s.team_rule.map(|t| Location::at(file, src, t.span().start)),
            missing_at: s.missing.map(|t| Location::at(file, src, t.span().start)),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    standings: RawStandings,
    awards: Option<Spanned<Awards>>,
    #[serde(rename = "event", default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandings {
    title: String,
    #[serde(default)]
    entrant: Entrant,
    team_rule: Option<Spanned<String>>,
    missing: Option<Spanned<Missing>>,
    script: Option<Spanned<String>>,
    #[serde(default)]
    organiser: String,
    #[serde(default)]
    date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: Spanned<String>,
    results: Spanned<String>,
    weight: Option<Spanned<f64>>,
}

/// One entrant's result in one event, as read from its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub team: String,
    pub score: f64,
}

/// An event's results, whatever produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    /// The results score teams (a judged event with `entrant = "team"`): `id` is the team.
    pub team_level: bool,
    /// Points available, when the results say.
    pub max: Option<f64>,
    pub rows: Vec<Member>,
}

/// Why standings cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StandingsError {
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("event `{event}` scores teams, but these standings rank candidates")]
    TeamEvent { event: String },
    #[error("event `{event}`: `{entrant}` has no team, so it cannot count for a team")]
    NoTeam { event: String, entrant: String },
    #[error("event `{event}`: `{entrant}` appears more than once")]
    Twice { event: String, entrant: String },
}

impl StandingsError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            StandingsError::Script(e) => e.hint(),
            StandingsError::TeamEvent { .. } => {
                Some("rank teams (entrant = \"team\"), or judge the event per candidate".into())
            }
            StandingsError::NoTeam { .. } => {
                Some("give every candidate a team (单位) in that event's input".into())
            }
            StandingsError::Twice { .. } => Some(
                "resolve the duplicate in that event's results first; standings never pick one"
                    .into(),
            ),
        }
    }
}

/// An event's column in the standings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventHead {
    pub name: String,
    pub weight: f64,
    pub max: Option<f64>,
}

/// One row of the standings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub entrant: String,
    pub name: String,
    pub team: String,
    pub score: f64,
    pub rank: usize,
    /// Per event: the entrant's score there, or `None` when missing.
    pub events: Vec<Option<f64>>,
}

/// A team's place, built from its members' overall scores (candidate standings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamStanding {
    pub team: String,
    pub score: f64,
    pub rank: usize,
    pub members: usize,
}

/// An entrant missing from an event, and what was done about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingNote {
    pub entrant: String,
    pub event: String,
    pub outcome: String,
}

/// The standings, as standings.json holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standings {
    pub title: String,
    pub entrant: Entrant,
    pub organiser: String,
    pub date: String,
    pub awards: Option<Awards>,
    pub events: Vec<EventHead>,
    pub standings: Vec<Standing>,
    pub teams: Vec<TeamStanding>,
    pub missing: Vec<MissingNote>,
}

fn team_score(
    rule: TeamRule,
    members: &[&Member],
    script: Option<&RuleScript>,
) -> Result<f64, ScriptError> {
    let mut scores: Vec<f64> = members.iter().map(|m| m.score).collect();
    Ok(match rule {
        TeamRule::Sum => scores.iter().sum(),
        TeamRule::Mean => scores.iter().sum::<f64>() / scores.len().max(1) as f64,
        TeamRule::Best(n) => {
            scores.sort_by(|a, b| b.total_cmp(a));
            scores.iter().take(n).sum()
        }
        TeamRule::Script => {
            let script = script.expect("checked when the script was loaded");
            let infos: Vec<CandidateInfo> = members
                .iter()
                .map(|m| CandidateInfo {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    team: m.team.clone(),
                    score: m.score,
                    max: 0.0,
                    sections: Vec::new(),
                    items: Vec::new(),
                })
                .collect();
            script.team(&infos)?
        }
    })
}

/// Teams in order of first appearance, each with its members.
fn by_team<'a>(
    event: &str,
    rows: impl Iterator<Item = &'a Member>,
) -> Result<Vec<(String, Vec<&'a Member>)>, StandingsError> {
    let mut out: Vec<(String, Vec<&Member>)> = Vec::new();
    for m in rows {
        if m.team.is_empty() {
            return Err(StandingsError::NoTeam {
                event: event.into(),
                entrant: m.id.clone(),
            });
        }
        match out.iter_mut().find(|(t, _)| *t == m.team) {
            Some((_, v)) => v.push(m),
            None => out.push((m.team.clone(), vec![m])),
        }
    }
    Ok(out)
}

/// Combines the events' results into standings; `data` follows `spec.events`.
pub fn compute(
    spec: &StandingsSpec,
    data: &[EventData],
    script: Option<&RuleScript>,
) -> Result<Standings, StandingsError> {
    // Per event: entrant → score, and the entrants (id, name, team) in order of appearance.
    let mut people: Vec<(String, String, String)> = Vec::new();
    let mut known: HashMap<String, usize> = HashMap::new();
    let mut per_event: Vec<HashMap<String, f64>> = Vec::new();
    for (e, d) in spec.events.iter().zip(data) {
        let mut scores = HashMap::new();
        let mut add = |id: &str, name: &str, team: &str, score: f64| {
            if scores.insert(id.to_string(), score).is_some() {
                return Err(StandingsError::Twice {
                    event: e.name.clone(),
                    entrant: id.to_string(),
                });
            }
            if !known.contains_key(id) {
                known.insert(id.to_string(), people.len());
                people.push((id.to_string(), name.to_string(), team.to_string()));
            }
            Ok(())
        };
        match (spec.entrant, d.team_level) {
            (Entrant::Candidate, true) => {
                return Err(StandingsError::TeamEvent {
                    event: e.name.clone(),
                })
            }
            (Entrant::Candidate, false) | (Entrant::Team, true) => {
                for m in &d.rows {
                    let team = if d.team_level { &m.id } else { &m.team };
                    add(&m.id, &m.name, team, m.score)?;
                }
            }
            (Entrant::Team, false) => {
                for (team, members) in by_team(&e.name, d.rows.iter())? {
                    let s = team_score(spec.team_rule, &members, script)?;
                    add(&team, &team, &team, s)?;
                }
            }
        }
        per_event.push(scores);
    }

    let combine = script.filter(|s| s.has_combine());
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for (id, name, team) in people {
        let events: Vec<Option<f64>> = per_event.iter().map(|m| m.get(&id).copied()).collect();
        let absent: Vec<usize> = (0..events.len()).filter(|&i| events[i].is_none()).collect();
        let outcome = match spec.missing {
            Missing::Zero => "counted as 0",
            Missing::Exclude => "left out of the standings",
            Missing::Script => "left to the script's combine",
        };
        for &i in &absent {
            missing.push(MissingNote {
                entrant: id.clone(),
                event: spec.events[i].name.clone(),
                outcome: outcome.into(),
            });
        }
        if spec.missing == Missing::Exclude && !absent.is_empty() {
            continue;
        }
        let score = match combine {
            Some(s) => {
                let args: Vec<CombineEvent> = spec
                    .events
                    .iter()
                    .zip(data)
                    .zip(&events)
                    .map(|((e, d), score)| CombineEvent {
                        name: e.name.clone(),
                        score: *score,
                        weight: e.weight,
                        max: d.max,
                    })
                    .collect();
                s.combine(&id, &args)?
            }
            None => spec
                .events
                .iter()
                .zip(&events)
                .map(|(e, s)| e.weight * s.unwrap_or(0.0))
                .sum(),
        };
        rows.push(Standing {
            entrant: id,
            name,
            team,
            score,
            rank: 0,
            events,
        });
    }
    rank_rows(&mut rows);

    let mut teams = Vec::new();
    if spec.entrant == Entrant::Candidate {
        let members: Vec<Member> = rows
            .iter()
            .filter(|r| !r.team.is_empty())
            .map(|r| Member {
                id: r.entrant.clone(),
                name: r.name.clone(),
                team: r.team.clone(),
                score: r.score,
            })
            .collect();
        for (team, ms) in by_team("standings", members.iter())? {
            teams.push(TeamStanding {
                score: team_score(spec.team_rule, &ms, script)?,
                members: ms.len(),
                team,
                rank: 0,
            });
        }
        let ranks = ranks(&teams.iter().map(|t| t.score).collect::<Vec<_>>());
        for (t, r) in teams.iter_mut().zip(ranks) {
            t.rank = r;
        }
        teams.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.team.cmp(&b.team)));
    }

    Ok(Standings {
        title: spec.title.clone(),
        entrant: spec.entrant,
        organiser: spec.organiser.clone(),
        date: spec.date.clone(),
        awards: spec.awards,
        events: spec
            .events
            .iter()
            .zip(data)
            .map(|(e, d)| EventHead {
                name: e.name.clone(),
                weight: e.weight,
                max: d.max,
            })
            .collect(),
        standings: rows,
        teams,
        missing,
    })
}

fn rank_rows(rows: &mut [Standing]) {
    let ranks = ranks(&rows.iter().map(|r| r.score).collect::<Vec<_>>());
    for (r, k) in rows.iter_mut().zip(ranks) {
        r.rank = k;
    }
    rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.entrant.cmp(&b.entrant)));
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"[standings]
title = "总成绩"
entrant = "team"
team_rule = "best-2"
missing = "zero"

[[event]]
name = "笔试"
results = "exam/"
weight = 0.5

[[event]]
name = "比武"
results = "onsite/"
"#;

    fn m(id: &str, team: &str, score: f64) -> Member {
        Member {
            id: id.into(),
            name: id.into(),
            team: team.into(),
            score,
        }
    }

    #[test]
    fn teams_from_members_and_team_events_combine_with_weights() {
        let spec = StandingsSpec::parse("s.toml", SPEC).unwrap();
        assert_eq!(spec.team_rule, TeamRule::Best(2));
        let exam = EventData {
            team_level: false,
            max: Some(100.0),
            rows: vec![
                m("a", "一队", 90.0),
                m("b", "一队", 70.0),
                m("c", "一队", 80.0),
                m("d", "二队", 60.0),
            ],
        };
        let onsite = EventData {
            team_level: true,
            max: None,
            rows: vec![m("一队", "", 50.0), m("三队", "", 40.0)],
        };
        let s = compute(&spec, &[exam, onsite], None).unwrap();
        // 一队: 0.5 × (90 + 80) + 50 = 135; 二队: 0.5 × 60 + 0 (missing) = 30; 三队: 0 + 40 = 40.
        let got: Vec<(&str, f64, usize)> = s
            .standings
            .iter()
            .map(|r| (r.entrant.as_str(), r.score, r.rank))
            .collect();
        assert_eq!(
            got,
            vec![("一队", 135.0, 1), ("三队", 40.0, 2), ("二队", 30.0, 3)]
        );
        assert_eq!(s.missing.len(), 2);
    }

    #[test]
    fn bad_values_are_located() {
        let e = StandingsSpec::parse("s.toml", &SPEC.replace("best-2", "best-of-2")).unwrap_err();
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.col), (4, 13), "{}", e[0]);
        let e = StandingsSpec::parse("s.toml", &SPEC.replace("\"zero\"", "\"nil\"")).unwrap_err();
        assert!(e[0].message.contains("unknown variant `nil`"), "{}", e[0]);
        assert_eq!(e[0].location.as_ref().unwrap().line, 5);
        let e = StandingsSpec::parse("s.toml", &SPEC.replace("\"zero\"", "\"zeor\"")).unwrap_err();
        assert_eq!(
            e[0].hint.as_deref(),
            Some("did you mean `zero`?"),
            "{}",
            e[0]
        );
        let e = StandingsSpec::parse("s.toml", &SPEC.replace("best-2", "maen")).unwrap_err();
        assert_eq!(
            e[0].hint.as_deref(),
            Some("did you mean `mean`?"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn every_misspelt_key_is_reported_with_a_suggestion() {
        let typos = SPEC
            .replacen("team_rule", "team_rul", 1)
            .replacen("missing", "mising", 1);
        let e = StandingsSpec::parse("s.toml", &typos).unwrap_err();
        assert_eq!(e.len(), 2, "{e:#?}");
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `team_rule`?"));
        assert_eq!(e[1].hint.as_deref(), Some("did you mean `missing`?"));
        assert_eq!(e[0].location.as_ref().unwrap().line, 4);
    }
}

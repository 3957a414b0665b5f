//! Standings across events: each event's results, weighted (or combined by a script), for
//! entrants (teams or candidates), with teams built from their members by a team rule.
//!
//! ```toml
//! [standings]
//! title = "执法大练兵总成绩"
//! entrant = "team"          # or "candidate"
//! team_rule = "sum"         # sum | mean | "best-5" (sum of the best five) | script
//! missing = "zero"          # zero | exclude | script: for entrants and for a team's members
//! # script = "combine.rhai" # `combine(events)` and/or `team(members)`
//! roster = "roster.csv"     # the registered list: every event's entrants are checked against it
//! scale = 100               # each event normalised to 100 points before weighting
//! organiser = "某市生态环境局"
//! date = "2026-12-01"       # printed 二〇二六年十二月一日 on a Chinese certificate
//! [awards.team]             # rank cut-offs for team certificates: 一等奖 ≤ first, 二等奖 ≤ second, …
//! first = 1
//! second = 3
//! third = 6
//! [awards.individual]       # individual cut-offs never award teams
//! first = 3
//! second = 8
//! third = 15
//! # [awards] first = … (no kind): the standings' own entrant kind only
//! [certificates]
//! number = "HB-2026-{:03}"  # certificate numbers, in award order
//! seal = true               # the seal ring placeholder; false leaves it off
//! [[event]]
//! name = "现场执法比武"
//! results = "onsite/"       # a grade or judge output folder, or a score CSV
//! weight = 0.6
//! # max = 200               # the points available, when the results do not say (score lists)
//! ```

use super::rubric::Entrant;
use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Lang, Location};
use crate::input::toml::TomlDoc;
use crate::rank::ranks;
use crate::score::script::{CandidateInfo, CombineEvent, RuleScript, ScriptError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use toml::Spanned;

/// How a team's score comes from its members' scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TeamRule {
    #[default]
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

/// What happens to an entrant missing from an event (or absent from it), and to a team's
/// member with no score in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// The event counts 0; a missing member counts 0 in the team's score.
    #[default]
    Zero,
    /// The entrant is left out of the standings; a missing member is left out of the team's score.
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

/// The prize cut-offs of each entrant kind: individual cut-offs never award teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AwardRules {
    pub team: Option<Awards>,
    pub individual: Option<Awards>,
}

impl AwardRules {
    /// The cut-offs for `kind`.
    pub fn of(&self, kind: Entrant) -> Option<Awards> {
        match kind {
            Entrant::Team => self.team,
            Entrant::Candidate => self.individual,
        }
    }
}

/// How certificates are printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateStyle {
    /// A number pattern with one `{}` or `{:0N}` (`HB-2026-{:03}`): certificates are numbered
    /// in award order.
    #[serde(default)]
    pub number: Option<String>,
    /// Whether the seal ring placeholder is printed.
    #[serde(default = "yes")]
    pub seal: bool,
}

fn yes() -> bool {
    true
}

impl Default for CertificateStyle {
    fn default() -> Self {
        CertificateStyle {
            number: None,
            seal: true,
        }
    }
}

/// A parsed, checked standings file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StandingsSpec {
    pub title: String,
    pub entrant: Entrant,
    pub team_rule: TeamRule,
    pub missing: Missing,
    /// Path of a rhai script, relative to the standings file.
    pub script: Option<String>,
    /// Path of the roster (the registered list), relative to the standings file.
    pub roster: Option<String>,
    /// Each event is normalised to this many points before weighting.
    pub scale: Option<f64>,
    pub organiser: String,
    pub date: String,
    pub awards: AwardRules,
    pub certificates: CertificateStyle,
    pub events: Vec<EventSpec>,
    /// Where `team_rule` and `missing` are written, for errors found once the script is loaded.
    pub team_rule_at: Option<Location>,
    pub missing_at: Option<Location>,
    /// The language the file is written in: the words of every message about it, those found
    /// while the standings are computed too ([`StandingsError::told_in`]).
    pub lang: Lang,
}

/// One `[[event]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    pub name: String,
    /// A results folder or a score CSV, relative to the standings file.
    pub results: String,
    pub weight: f64,
    /// The points available, as the file declares them (score lists do not say).
    pub max: Option<f64>,
    /// Where `results` is written.
    pub at: Location,
}

impl StandingsSpec {
    /// Parses and checks a standings file; every problem is reported at `file:line:col`, in
    /// Chinese when the file is written in Chinese.
    pub fn parse(file: &str, src: &str) -> Result<StandingsSpec, Vec<Diagnostic>> {
        let lang = Lang::of_toml(src);
        StandingsSpec::check(file, src, lang)
            .map_err(|errors| errors.into_iter().map(|d| d.in_language(lang)).collect())
    }

    fn check(file: &str, src: &str, lang: Lang) -> Result<StandingsSpec, Vec<Diagnostic>> {
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
                    let rules_zh = "可用 \"sum\"（求和）、\"mean\"（平均）、\"best-N\"（取最好的 N 名成员之和，如 \"best-5\"）或 \"script\"（脚本）";
                    let (hint, hint_zh) = match did_you_mean(t, &["sum", "mean", "script", "best-"])
                    {
                        Some("best-") => (
                            format!("did you mean `best-N`? {rules}"),
                            format!("是不是 `best-N`？{rules_zh}"),
                        ),
                        Some(k) => (format!("did you mean `{k}`?"), format!("是不是 `{k}`？")),
                        None => (rules.to_string(), rules_zh.to_string()),
                    };
                    errors.push(
                        err(
                            s.team_rule.as_ref().map_or(0..0, |t| t.span()),
                            format!("unknown team rule `{t}`"),
                            &hint,
                        )
                        .zh(format!("没有 `{t}` 这种团体计分规则"), hint_zh),
                    );
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
            ).zh(format!("{what} = \"script\" 需要一个脚本"), "在 [standings] 里加上 script = \"文件.rhai\"，脚本里写 `fn combine(events)` / `fn team(members)`")
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
        let mut awards = AwardRules::default();
        if let Some(a) = &raw.awards {
            let v = a.get_ref();
            let check = |errors: &mut Vec<Diagnostic>, kind: &str, cut: Awards, span| {
                if cut.first == 0 || cut.first > cut.second || cut.second > cut.third {
                    errors.push(err(
                        span,
                        format!(
                            "{kind}award cut-offs {} / {} / {} do not grow",
                            cut.first, cut.second, cut.third
                        ),
                        "first, second and third are the last ranks of each prize: 1 ≤ first ≤ second ≤ third",
                    ).zh(format!("{}获奖名次线 {} / {} / {} 不是逐级增大", match kind { "team " => "团体", "individual " => "个人", _ => "" }, cut.first, cut.second, cut.third), "first、second、third 分别是一、二、三等奖的最后一个名次：1 ≤ first ≤ second ≤ third"));
                }
                cut
            };
            match (v.first, v.second, v.third) {
                (None, None, None) => {}
                (Some(first), Some(second), Some(third)) => {
                    let cut = check(
                        &mut errors,
                        "",
                        Awards {
                            first,
                            second,
                            third,
                        },
                        a.span(),
                    );
                    let own = match s.entrant {
                        Entrant::Team => &v.team,
                        Entrant::Candidate => &v.individual,
                    };
                    if let Some(o) = own {
                        errors.push(err(
                            o.span(),
                            format!(
                                "[awards] gives first/second/third and [awards.{}] as well",
                                kind_key(s.entrant)
                            ),
                            "first/second/third directly under [awards] are the cut-offs of the standings' entrant kind: keep one of the two",
                        ).zh(format!("[awards] 写了 first/second/third，又写了 [awards.{}]", kind_key(s.entrant)), "直接写在 [awards] 下的 first/second/third 就是本排名对象的名次线：两者只留一个"));
                    }
                    match s.entrant {
                        Entrant::Team => awards.team = Some(cut),
                        Entrant::Candidate => awards.individual = Some(cut),
                    }
                }
                _ => errors.push(
                    err(
                        a.span(),
                        "[awards] needs first, second and third together".into(),
                        "e.g. first = 1, second = 3, third = 6 (the last rank of each prize)",
                    )
                    .zh(
                        "[awards] 的 first、second、third 要一起写",
                        "如 first = 1, second = 3, third = 6（各等奖的最后一个名次）",
                    ),
                ),
            }
            if let Some(t) = &v.team {
                awards.team = Some(check(&mut errors, "team ", *t.get_ref(), t.span()));
            }
            if let Some(i) = &v.individual {
                if s.entrant == Entrant::Team {
                    errors.push(err(
                        i.span(),
                        "[awards.individual] in team standings".into(),
                        "team standings rank no individuals: rank candidates (entrant = \"candidate\") for individual awards",
                    ).zh("团体排名里写了 [awards.individual]", "团体排名不排个人：要评个人奖，按个人排名（entrant = \"candidate\"）"));
                }
                awards.individual = Some(check(&mut errors, "individual ", *i.get_ref(), i.span()));
            }
        }
        let certificates = match raw.certificates {
            Some(c) => {
                let span = c.span();
                let c = c.into_inner();
                if let Some(p) = &c.number {
                    if let Err(why) = crate::event::certificates::check_number(p) {
                        errors.push(err(
                            span,
                            format!("certificate number `{p}`: {why}"),
                            "write one {} or {:03} where the running number goes, e.g. number = \"HB-2026-{:03}\"",
                        ).zh(format!("证书编号 `{p}`：{why}"), "在流水号的位置写一个 {} 或 {:03}，如 number = \"HB-2026-{:03}\""));
                    }
                }
                c
            }
            None => CertificateStyle::default(),
        };
        let scale = s.scale.as_ref().map(|v| *v.get_ref());
        if let Some(v) = &s.scale {
            if !(v.get_ref().is_finite() && *v.get_ref() > 0.0) {
                errors.push(
                    err(
                        v.span(),
                        format!("`scale = {}` is not above 0", v.get_ref()),
                        "the points each event is normalised to, e.g. scale = 100",
                    )
                    .zh(
                        format!("`scale = {}` 不大于 0", v.get_ref()),
                        "各赛项折算到的分数，如 scale = 100",
                    ),
                );
            }
        }
        let roster = s.roster.as_ref().map(|r| r.get_ref().trim().to_string());
        if raw.events.is_empty() {
            errors.push(
                err(
                    0..0,
                    "the standings file has no `[[event]]`".into(),
                    "add one per event: [[event]] name = \"…\" results = \"folder/\" weight = 1",
                )
                .zh(
                    "总成绩文件没有任何 `[[event]]`",
                    "每个赛项加一个：[[event]] name = \"…\" results = \"文件夹/\" weight = 1",
                ),
            );
        }
        let mut events: Vec<EventSpec> = Vec::new();
        for e in raw.events {
            let name = e.name.get_ref().trim().to_string();
            if name.is_empty() {
                errors.push(
                    err(
                        e.name.span(),
                        "an event has no name".into(),
                        "the name heads the event's column in standings.csv",
                    )
                    .zh(
                        "有一个赛项没有名称",
                        "名称是 standings.csv 里该赛项那一列的列名",
                    ),
                );
            } else if events.iter().any(|o| o.name == name) {
                errors.push(
                    err(
                        e.name.span(),
                        format!("event `{name}` is listed twice"),
                        "give each event its own name",
                    )
                    .zh(format!("赛项 `{name}` 列了两次"), "每个赛项用自己的名称"),
                );
            }
            let weight = e.weight.as_ref().map_or(1.0, |w| *w.get_ref());
            if let Some(w) = &e.weight {
                if !(weight.is_finite() && weight >= 0.0) {
                    errors.push(
                        err(
                            w.span(),
                            format!("`weight = {weight}` is negative"),
                            "weights are 0 or more",
                        )
                        .zh(
                            format!("权重 `weight = {weight}` 是负数"),
                            "权重为 0 或正数",
                        ),
                    );
                }
            }
            if e.results.get_ref().trim().is_empty() {
                errors.push(
                    err(
                        e.results.span(),
                        "`results` is empty".into(),
                        "name a grade or judge output folder, or a score CSV",
                    )
                    .zh(
                        "`results` 为空",
                        "写 grade 或 judge 的输出文件夹，或一个成绩 CSV",
                    ),
                );
            }
            let max = e.max.as_ref().map(|m| *m.get_ref());
            if let Some(m) = &e.max {
                if !(m.get_ref().is_finite() && *m.get_ref() > 0.0) {
                    errors.push(
                        err(
                            m.span(),
                            format!("`max = {}` is not above 0", m.get_ref()),
                            "the points available in the event, e.g. max = 200",
                        )
                        .zh(
                            format!("`max = {}` 不大于 0", m.get_ref()),
                            "该赛项的满分，如 max = 200",
                        ),
                    );
                }
            }
            events.push(EventSpec {
                name,
                results: e.results.get_ref().trim().to_string(),
                weight,
                max,
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
            roster,
            scale,
            organiser: s.organiser,
            date: s.date,
            awards,
            certificates,
            events,
            team_rule_at: s.team_rule.map(|t| Location::at(file, src, t.span().start)),
            missing_at: s.missing.map(|t| Location::at(file, src, t.span().start)),
            lang,
        })
    }
}

fn kind_key(kind: Entrant) -> &'static str {
    match kind {
        Entrant::Team => "team",
        Entrant::Candidate => "individual",
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    standings: RawStandings,
    awards: Option<Spanned<RawAwards>>,
    certificates: Option<Spanned<CertificateStyle>>,
    #[serde(rename = "event", default)]
    events: Vec<RawEvent>,
}

/// `[awards]`: first/second/third for the standings' own kind, and/or a table per kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAwards {
    first: Option<usize>,
    second: Option<usize>,
    third: Option<usize>,
    team: Option<Spanned<Awards>>,
    individual: Option<Spanned<Awards>>,
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
    roster: Option<Spanned<String>>,
    scale: Option<Spanned<f64>>,
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
    max: Option<Spanned<f64>>,
}

/// One entrant's result in one event, as read from its results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub team: String,
    pub score: f64,
    /// Absent (缺考): treated by the `missing` policy, never counted as a score.
    pub absent: bool,
    /// Where the entrant is written, for errors: the input file and its line (0: unknown).
    pub source: String,
    pub line: usize,
}

/// An event's results, whatever produced them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventData {
    /// The results score teams (a judged event with `entrant = "team"`): `id` is the team.
    pub team_level: bool,
    /// Points available, when the results say.
    pub max: Option<f64>,
    pub rows: Vec<Member>,
}

/// The registered list: the roster's candidates, each with its team. Every event's entrants
/// are checked against it, and every registered entrant is ranked (missing events or not).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registry {
    /// The roster file, for messages.
    pub file: String,
    /// Candidates (id, name, team) in roster order.
    pub candidates: Vec<Member>,
}

impl Registry {
    /// The teams, in order of first appearance on the roster.
    pub fn teams(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.candidates {
            if !c.team.is_empty() && !out.contains(&c.team.as_str()) {
                out.push(&c.team);
            }
        }
        out
    }
}

/// Checks every event's entrants against the registered list and writes them as registered:
/// a candidate named by id (or by a name the roster holds once) gets the roster's id, name and
/// team; a team must be a roster team. A near miss is an error with "did you mean"; an unknown
/// name is an error naming the file and line. No entrant off the list is ever ranked.
pub fn register(reg: &Registry, spec: &StandingsSpec, data: &mut [EventData]) -> Vec<Diagnostic> {
    let teams = reg.teams();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in reg.candidates.iter().enumerate() {
        by_id.insert(&c.id, i);
        if !c.name.is_empty() {
            by_name.entry(&c.name).or_default().push(i);
        }
    }
    let mut known: Vec<&str> = reg.candidates.iter().map(|c| c.id.as_str()).collect();
    known.extend(by_name.keys().copied());
    let mut errors = Vec::new();
    for (e, d) in spec.events.iter().zip(data.iter_mut()) {
        for m in &mut d.rows {
            let at = if m.line > 0 {
                format!("{}:{}", m.source, m.line)
            } else {
                m.source.clone()
            };
            // What is wrong, in English and in Chinese.
            let mut fail = |what: (String, String), near: Option<&str>| {
                let (message, message_zh) = match near {
                    Some(n) => (
                        format!("{at}: event `{}`: {}; did you mean {n}?", e.name, what.0),
                        format!("{at}: 赛项 `{}`：{}；是不是 {n}？", e.name, what.1),
                    ),
                    None => (
                        format!("{at}: event `{}`: {}", e.name, what.0),
                        format!("{at}: 赛项 `{}`：{}", e.name, what.1),
                    ),
                };
                errors.push(
                    Diagnostic::error(None, message)
                        .with_hint(format!(
                            "the roster `{}` is the registered list: correct the name in that file, or register the entrant on the roster",
                            reg.file
                        ))
                        .zh(
                            message_zh,
                            format!(
                                "名单 `{}` 是报名名单：在那个文件里改正名称，或把参赛者登记到名单上",
                                reg.file
                            ),
                        )
                        .in_language(spec.lang),
                );
            };
            let team_check = |team: &str| -> Option<((String, String), Option<&str>)> {
                if team.is_empty() || teams.contains(&team) {
                    return None;
                }
                Some((
                    (
                        format!("team `{team}` is not on the roster"),
                        format!("单位 `{team}` 不在名单上"),
                    ),
                    did_you_mean(team, &teams),
                ))
            };
            if d.team_level {
                if let Some((what, near)) = team_check(&m.id) {
                    fail(what, near);
                }
                continue;
            }
            let found = by_id.get(m.id.as_str()).copied().or_else(|| {
                match by_name.get(m.id.as_str()).map(Vec::as_slice) {
                    Some([one]) => Some(*one),
                    _ => None,
                }
            });
            let Some(i) = found else {
                let what = if by_name.get(m.id.as_str()).is_some_and(|v| v.len() > 1) {
                    (
                        format!("`{}` is the name of several candidates on the roster: give the candidate's id", m.id),
                        format!("名单上有几位考生都叫 `{}`：请写考号", m.id),
                    )
                } else {
                    (
                        format!("candidate `{}` is not on the roster", m.id),
                        format!("考生 `{}` 不在名单上", m.id),
                    )
                };
                fail(what, did_you_mean(&m.id, &known));
                continue;
            };
            let c = &reg.candidates[i];
            if !m.team.is_empty() && m.team != c.team {
                let near = team_check(&m.team).and_then(|(_, n)| n);
                fail(
                    (
                        format!(
                            "`{}` is entered for team `{}`, but the roster has them in `{}`",
                            m.id, m.team, c.team
                        ),
                        format!(
                            "`{}` 报的单位是 `{}`，但名单上是 `{}`",
                            m.id, m.team, c.team
                        ),
                    ),
                    near,
                );
                continue;
            }
            m.id = c.id.clone();
            m.name = c.name.clone();
            m.team = c.team.clone();
        }
    }
    errors
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
    #[error(
        "event `{event}`: its maximum is not known, so it cannot be put on a scale of {scale}"
    )]
    NoMax { event: String, scale: f64 },
    #[error(
        "event `{event}`: `max = {declared}` in the standings file, but its results say {results}"
    )]
    MaxDiffers {
        event: String,
        declared: f64,
        results: f64,
    },
}

impl StandingsError {
    /// The error that ends the command, in `lang`, the language of the standings file.
    pub fn told_in(self, lang: Lang) -> crate::Error {
        match self {
            StandingsError::Script(e) => crate::Error::Script(e).in_language(lang),
            e => {
                let (message, hint) = e.zh();
                crate::Error::input(e.to_string(), e.hint().unwrap_or_default())
                    .zh(message, hint)
                    .in_language(lang)
            }
        }
    }

    /// The message and hint in Chinese.
    fn zh(&self) -> (String, String) {
        let (message, hint) = match self {
            StandingsError::Script(e) => (e.to_string(), ""),
            StandingsError::TeamEvent { event } => (
                format!("赛项 `{event}` 计的是团体成绩，而这份排名排的是个人"),
                "按团体排名（entrant = \"team\"），或让该赛项按个人评分",
            ),
            StandingsError::NoTeam { event, entrant } => (
                format!("赛项 `{event}`：`{entrant}` 没有所属单位，不能计入团体"),
                "在该赛项的成绩里给每位考生写上单位",
            ),
            StandingsError::Twice { event, entrant } => (
                format!("赛项 `{event}`：`{entrant}` 出现了不止一次"),
                "先在该赛项的成绩里解决重复；排名不会替你选其中一条",
            ),
            StandingsError::NoMax { event, scale } => (
                format!("赛项 `{event}`：不知道它的满分，无法折算成 {scale} 分制"),
                "在该 [[event]] 下写上满分：`max = …`",
            ),
            StandingsError::MaxDiffers {
                event,
                declared,
                results,
            } => (
                format!(
                    "赛项 `{event}`：排名文件里写的是 `max = {declared}`，但它的成绩显示满分是 {results}"
                ),
                "删去该 [[event]] 的 `max`，或改正它",
            ),
        };
        (message, hint.to_string())
    }

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
            StandingsError::NoMax { .. } => {
                Some("give the points available: `max = …` under that [[event]]".into())
            }
            StandingsError::MaxDiffers { .. } => {
                Some("remove `max` from that [[event]], or correct it".into())
            }
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
    /// Members left out of the team's score (left out of the standings by `missing`).
    #[serde(default)]
    pub left_out: Vec<String>,
}

/// An entrant missing from an event, and what was done about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingNote {
    pub entrant: String,
    pub event: String,
    pub outcome: String,
    /// The outcome in Chinese, for a Chinese event's published tables.
    #[serde(default)]
    pub zh: String,
}

/// The standings, as standings.json holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standings {
    pub title: String,
    pub entrant: Entrant,
    pub organiser: String,
    pub date: String,
    pub awards: AwardRules,
    #[serde(default)]
    pub certificates: CertificateStyle,
    /// Each event was normalised to this many points before weighting (the events' columns hold
    /// the normalised scores).
    #[serde(default)]
    pub scale: Option<f64>,
    pub events: Vec<EventHead>,
    pub standings: Vec<Standing>,
    pub teams: Vec<TeamStanding>,
    pub missing: Vec<MissingNote>,
    /// What the user must know about these standings (events of different maxima weighted raw).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The same warnings in Chinese, for a Chinese event's published tables.
    #[serde(default)]
    pub warnings_zh: Vec<String>,
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

/// Without a roster: team names that look like one team spelt two ways (close names that never
/// appear in the same event), each an error at the rarer spelling's first place, so that no
/// ghost team is ranked.
pub fn suspect_spellings(spec: &StandingsSpec, data: &[EventData]) -> Vec<Diagnostic> {
    // Each team name: the events it appears in, and where first.
    let mut names: Vec<(String, Vec<usize>, String)> = Vec::new();
    for (i, d) in data.iter().enumerate() {
        for m in &d.rows {
            let team = if d.team_level { &m.id } else { &m.team };
            if team.is_empty() {
                continue;
            }
            let at = if m.line > 0 {
                format!("{}:{}", m.source, m.line)
            } else {
                m.source.clone()
            };
            match names.iter_mut().find(|(n, _, _)| n == team) {
                Some((_, events, _)) => {
                    if !events.contains(&i) {
                        events.push(i);
                    }
                }
                None => names.push((team.clone(), vec![i], at)),
            }
        }
    }
    let mut out = Vec::new();
    for (k, (n, events, at)) in names.iter().enumerate() {
        // The spelling in fewer events is the suspect; of two in as many, the later one.
        let others: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(j, (m, e, _))| {
                m != n
                    && (e.len() > events.len() || (e.len() == events.len() && *j < k))
                    && !e.iter().any(|x| events.contains(x))
            })
            .map(|(_, (m, _, _))| m.as_str())
            .collect();
        if let Some(near) = did_you_mean(n, &others) {
            let event = &spec.events[events[0]].name;
            out.push(
                Diagnostic::error(
                    None,
                    format!(
                        "{at}: event `{event}`: team `{n}` never appears in an event with `{near}`; did you mean {near}?"
                    ),
                )
                .with_hint(
                    "one team spelt two ways would be ranked as two: correct the name, or give [standings] roster = \"roster.csv\" to check every name against the registered list",
                )
                .zh(
                    format!(
                        "{at}: 赛项 `{event}`：单位 `{n}` 从没和 `{near}` 出现在同一个赛项里；是不是 {near}？"
                    ),
                    "同一个单位写成两种名字，会被当作两个单位排名：改正名称，或在 [standings] 里写 roster = \"roster.csv\"，用报名名单核对每个名称",
                )
                .in_language(spec.lang),
            );
        }
    }
    out
}

/// Teams, each with its members' (id, name).
type Teams = Vec<(String, Vec<(String, String)>)>;

/// Each event's points available, the factor to the scale, and the warnings (English, Chinese).
type Maxima = (Vec<Option<f64>>, Vec<f64>, Vec<String>, Vec<String>);

/// Each team's members, (id, name) in order: the roster's, else every candidate any
/// candidate-level event names with that team.
fn members_of(
    spec: &StandingsSpec,
    data: &[EventData],
    roster: Option<&Registry>,
) -> Result<Teams, StandingsError> {
    let mut out: Teams = Vec::new();
    let mut put = |team: &str, id: &str, name: &str| match out.iter_mut().find(|(t, _)| t == team) {
        Some((_, v)) => {
            if !v.iter().any(|(i, _)| i == id) {
                v.push((id.to_string(), name.to_string()));
            }
        }
        None => out.push((team.to_string(), vec![(id.to_string(), name.to_string())])),
    };
    if let Some(r) = roster {
        for c in r.candidates.iter().filter(|c| !c.team.is_empty()) {
            put(&c.team, &c.id, &c.name);
        }
    }
    for (e, d) in spec.events.iter().zip(data) {
        if d.team_level {
            continue;
        }
        for m in &d.rows {
            if m.team.is_empty() {
                return Err(StandingsError::NoTeam {
                    event: e.name.clone(),
                    entrant: m.id.clone(),
                });
            }
            put(&m.team, &m.id, &m.name);
        }
    }
    Ok(out)
}

/// `name (id)`, or the id alone.
fn who(id: &str, name: &str) -> String {
    if name.is_empty() || name == id {
        id.to_string()
    } else {
        format!("{name} ({id})")
    }
}

/// Each event's points available (the standings file's `max`, else the results'), and the
/// factor that puts it on the scale; a warning when events of different maxima are weighted raw.
fn event_maxima(spec: &StandingsSpec, data: &[EventData]) -> Result<Maxima, StandingsError> {
    let mut maxima = Vec::new();
    for (e, d) in spec.events.iter().zip(data) {
        maxima.push(match (e.max, d.max) {
            (Some(a), Some(b)) if (a - b).abs() > crate::rank::TIE => {
                return Err(StandingsError::MaxDiffers {
                    event: e.name.clone(),
                    declared: a,
                    results: b,
                })
            }
            (a, b) => a.or(b),
        });
    }
    let mut warnings = Vec::new();
    let mut warnings_zh = Vec::new();
    let factors = match spec.scale {
        Some(scale) => spec
            .events
            .iter()
            .zip(&maxima)
            .map(|(e, m)| {
                m.map(|m| scale / m).ok_or_else(|| StandingsError::NoMax {
                    event: e.name.clone(),
                    scale,
                })
            })
            .collect::<Result<Vec<f64>, _>>()?,
        None => {
            let weighted: Vec<(&EventSpec, Option<f64>)> = spec
                .events
                .iter()
                .zip(maxima.iter().copied())
                .filter(|(e, _)| e.weight > 0.0)
                .collect();
            let mut known: Vec<f64> = weighted.iter().filter_map(|(_, m)| *m).collect();
            known.sort_by(f64::total_cmp);
            known.dedup_by(|a, b| (*a - *b).abs() <= crate::rank::TIE);
            if known.len() > 1 {
                let list: Vec<String> = weighted
                    .iter()
                    .map(|(e, m)| match m {
                        Some(m) => format!("`{}` out of {}", e.name, crate::bank::fmt_points(*m)),
                        None => format!("`{}` out of an unknown maximum", e.name),
                    })
                    .collect();
                let list_zh: Vec<String> = weighted
                    .iter()
                    .map(|(e, m)| match m {
                        Some(m) => format!("{} 满分 {}", e.name, crate::bank::fmt_points(*m)),
                        None => format!("{} 满分未知", e.name),
                    })
                    .collect();
                warnings.push(format!(
                    "events of different maxima are weighted on their raw scores: {}; add `scale = 100` to [standings] to put each event on 100 points before weighting",
                    list.join(", ")
                ));
                warnings_zh.push(format!(
                    "各项满分不同，却按原始分加权：{}；在 [standings] 中加 scale = 100，可先折算为百分制再加权",
                    list_zh.join("，")
                ));
            }
            vec![1.0; spec.events.len()]
        }
    };
    Ok((maxima, factors, warnings, warnings_zh))
}

/// Combines the events' results into standings; `data` follows `spec.events`.
pub fn compute(
    spec: &StandingsSpec,
    data: &[EventData],
    script: Option<&RuleScript>,
) -> Result<Standings, StandingsError> {
    compute_registered(spec, data, script, None)
}

/// Combines the events' results into standings, every entrant of `roster` (already checked by
/// [`register`]) among them. Scores absent or missing from an event follow `spec.missing`, for
/// entrants and for a team's members alike.
pub fn compute_registered(
    spec: &StandingsSpec,
    data: &[EventData],
    script: Option<&RuleScript>,
    roster: Option<&Registry>,
) -> Result<Standings, StandingsError> {
    let (maxima, factors, warnings, warnings_zh) = event_maxima(spec, data)?;
    let teams = if spec.entrant == Entrant::Team {
        members_of(spec, data, roster)?
    } else {
        Vec::new()
    };
    // Per event: entrant → score, and the entrants (id, name, team) in order of appearance,
    // registered ones first.
    let mut people: Vec<(String, String, String)> = Vec::new();
    let mut known: HashMap<String, usize> = HashMap::new();
    let mut meet = |id: &str, name: &str, team: &str| {
        if !known.contains_key(id) {
            known.insert(id.to_string(), people.len());
            people.push((id.to_string(), name.to_string(), team.to_string()));
        }
    };
    if let Some(r) = roster {
        match spec.entrant {
            Entrant::Candidate => {
                for c in &r.candidates {
                    meet(&c.id, &c.name, &c.team);
                }
            }
            Entrant::Team => {
                for t in r.teams() {
                    meet(t, t, t);
                }
            }
        }
    }
    let mut per_event: Vec<HashMap<String, f64>> = Vec::new();
    let mut absent_from: Vec<Vec<String>> = Vec::new();
    let mut missing = Vec::new();
    let (policy, policy_zh) = match spec.missing {
        Missing::Zero => ("counted as 0", "计0分"),
        Missing::Exclude => ("left out of the standings", "不参与排名"),
        Missing::Script => ("left to the script's combine", "由计分脚本处理"),
    };
    for ((e, d), f) in spec.events.iter().zip(data).zip(&factors) {
        let mut scores = HashMap::new();
        let mut absent = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for m in &d.rows {
            if !seen.insert(m.id.as_str()) {
                return Err(StandingsError::Twice {
                    event: e.name.clone(),
                    entrant: m.id.clone(),
                });
            }
        }
        match (spec.entrant, d.team_level) {
            (Entrant::Candidate, true) => {
                return Err(StandingsError::TeamEvent {
                    event: e.name.clone(),
                })
            }
            (Entrant::Candidate, false) | (Entrant::Team, true) => {
                for m in &d.rows {
                    let team = if d.team_level { &m.id } else { &m.team };
                    meet(&m.id, &m.name, team);
                    if m.absent {
                        absent.push(m.id.clone());
                    } else {
                        scores.insert(m.id.clone(), f * m.score);
                    }
                }
            }
            (Entrant::Team, false) => {
                for (team, members) in &teams {
                    let present: Vec<Member> = d
                        .rows
                        .iter()
                        .filter(|m| &m.team == team && !m.absent)
                        .map(|m| Member {
                            score: f * m.score,
                            ..m.clone()
                        })
                        .collect();
                    if present.is_empty() {
                        continue;
                    }
                    let gone: Vec<&(String, String)> = members
                        .iter()
                        .filter(|(id, _)| !present.iter().any(|m| &m.id == id))
                        .collect();
                    let mut counted = present.clone();
                    if !gone.is_empty() {
                        let (outcome, zh) = if spec.missing == Missing::Zero {
                            counted.extend(gone.iter().map(|(id, name)| Member {
                                id: id.clone(),
                                name: name.clone(),
                                team: team.clone(),
                                ..Member::default()
                            }));
                            ("each counted as 0 in the team's score", "每人计0分")
                        } else {
                            ("left out of the team's score", "不计入团体成绩")
                        };
                        let names: Vec<String> = gone.iter().map(|(i, n)| who(i, n)).collect();
                        missing.push(MissingNote {
                            entrant: team.clone(),
                            event: e.name.clone(),
                            outcome: format!(
                                "member(s) without a score: {}; {outcome}",
                                names.join(", ")
                            ),
                            zh: format!("成员无成绩：{}；{zh}", names.join("、")),
                        });
                    }
                    let refs: Vec<&Member> = counted.iter().collect();
                    let s = team_score(spec.team_rule, &refs, script)?;
                    meet(team, team, team);
                    scores.insert(team.clone(), s);
                }
            }
        }
        per_event.push(scores);
        absent_from.push(absent);
    }

    let combine = script.filter(|s| s.has_combine());
    let mut rows = Vec::new();
    let mut excluded: Vec<(String, String, String)> = Vec::new();
    for (id, name, team) in people {
        let events: Vec<Option<f64>> = per_event.iter().map(|m| m.get(&id).copied()).collect();
        let gone: Vec<usize> = (0..events.len()).filter(|&i| events[i].is_none()).collect();
        for &i in &gone {
            let (why, why_zh) = if absent_from[i].contains(&id) {
                ("absent (缺考): ", "缺考")
            } else {
                ("", "缺赛")
            };
            missing.push(MissingNote {
                entrant: id.clone(),
                event: spec.events[i].name.clone(),
                outcome: format!("{why}{policy}"),
                zh: format!("{why_zh}，{policy_zh}"),
            });
        }
        if spec.missing == Missing::Exclude && !gone.is_empty() {
            excluded.push((id, name, team));
            continue;
        }
        let score = match combine {
            Some(s) => {
                let args: Vec<CombineEvent> = spec
                    .events
                    .iter()
                    .zip(&maxima)
                    .zip(&events)
                    .map(|((e, max), score)| CombineEvent {
                        name: e.name.clone(),
                        score: *score,
                        weight: e.weight,
                        max: match spec.scale {
                            Some(scale) => Some(scale),
                            None => *max,
                        },
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

    let mut team_rows = Vec::new();
    if spec.entrant == Entrant::Candidate {
        let mut grouped: Vec<(String, Vec<Member>)> = Vec::new();
        for r in rows.iter().filter(|r| !r.team.is_empty()) {
            let m = Member {
                id: r.entrant.clone(),
                name: r.name.clone(),
                team: r.team.clone(),
                score: r.score,
                ..Member::default()
            };
            match grouped.iter_mut().find(|(t, _)| *t == r.team) {
                Some((_, v)) => v.push(m),
                None => grouped.push((r.team.clone(), vec![m])),
            }
        }
        for (team, ms) in grouped {
            let refs: Vec<&Member> = ms.iter().collect();
            let left_out: Vec<String> = excluded
                .iter()
                .filter(|(_, _, t)| *t == team)
                .map(|(i, n, _)| who(i, n))
                .collect();
            if !left_out.is_empty() {
                missing.push(MissingNote {
                    entrant: team.clone(),
                    event: spec.title.clone(),
                    outcome: format!(
                        "member(s) left out of the standings and so of the team's score: {}",
                        left_out.join(", ")
                    ),
                    zh: format!(
                        "成员不参与排名，因而不计入团体成绩：{}",
                        left_out.join("、")
                    ),
                });
            }
            team_rows.push(TeamStanding {
                score: team_score(spec.team_rule, &refs, script)?,
                members: ms.len(),
                team,
                rank: 0,
                left_out,
            });
        }
        let ranks = ranks(&team_rows.iter().map(|t| t.score).collect::<Vec<_>>());
        for (t, r) in team_rows.iter_mut().zip(ranks) {
            t.rank = r;
        }
        team_rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.team.cmp(&b.team)));
    }

    Ok(Standings {
        title: spec.title.clone(),
        entrant: spec.entrant,
        organiser: spec.organiser.clone(),
        date: spec.date.clone(),
        awards: spec.awards,
        certificates: spec.certificates.clone(),
        scale: spec.scale,
        events: spec
            .events
            .iter()
            .zip(&maxima)
            .map(|(e, max)| EventHead {
                name: e.name.clone(),
                weight: e.weight,
                max: *max,
            })
            .collect(),
        standings: rows,
        teams: team_rows,
        missing,
        warnings,
        warnings_zh,
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
            ..Member::default()
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

    const CANDIDATES: &str = r#"[standings]
title = "个人全能"
entrant = "candidate"

[[event]]
name = "笔试"
results = "exam/"
"#;

    #[test]
    fn the_old_awards_form_is_the_standings_own_kind_only() {
        let spec = StandingsSpec::parse(
            "s.toml",
            &format!("{CANDIDATES}[awards]\nfirst = 3\nsecond = 8\nthird = 15\n"),
        )
        .unwrap();
        assert_eq!(spec.awards.team, None);
        assert_eq!(spec.awards.individual.unwrap().third, 15);
        let spec = StandingsSpec::parse(
            "s.toml",
            &format!("{CANDIDATES}[awards.team]\nfirst = 1\nsecond = 2\nthird = 3\n[awards.individual]\nfirst = 3\nsecond = 8\nthird = 15\n"),
        )
        .unwrap();
        assert_eq!(spec.awards.team.unwrap().third, 3);
        assert_eq!(spec.awards.individual.unwrap().first, 3);
        // Individual awards in team standings, or both forms for one kind: refused at their line.
        let e = StandingsSpec::parse(
            "s.toml",
            &format!("{SPEC}[awards.individual]\nfirst = 1\nsecond = 2\nthird = 3\n"),
        )
        .unwrap_err();
        assert_eq!(e[0].message, "[awards.individual] in team standings");
        let e = StandingsSpec::parse(
            "s.toml",
            &format!("{CANDIDATES}[awards]\nfirst = 3\nsecond = 8\nthird = 15\n[awards.individual]\nfirst = 1\nsecond = 2\nthird = 3\n"),
        )
        .unwrap_err();
        assert!(
            e[0].message.contains("and [awards.individual] as well"),
            "{}",
            e[0]
        );
        let e = StandingsSpec::parse(
            "s.toml",
            &format!("{CANDIDATES}[certificates]\nnumber = \"HB-2026\"\n"),
        )
        .unwrap_err();
        assert!(
            e[0].message.starts_with("certificate number `HB-2026`"),
            "{}",
            e[0]
        );
    }

    fn roster() -> Registry {
        Registry {
            file: "roster.csv".into(),
            candidates: ["1:张三:一支队", "2:李四:一支队", "3:王五:二支队"]
                .iter()
                .map(|c| {
                    let f: Vec<&str> = c.split(':').collect();
                    Member {
                        id: f[0].into(),
                        name: f[1].into(),
                        team: f[2].into(),
                        ..Member::default()
                    }
                })
                .collect(),
        }
    }

    fn at(mut m: Member, line: usize) -> Member {
        m.source = "quiz.csv".into();
        m.line = line;
        m
    }

    #[test]
    fn every_entrant_is_checked_against_the_registered_list() {
        let spec = StandingsSpec::parse("s.toml", SPEC).unwrap();
        let mut data = vec![
            EventData {
                team_level: false,
                max: Some(100.0),
                // By id, by name, a name spelt wrong, a team spelt wrong.
                rows: vec![
                    at(m("1", "", 90.0), 2),
                    at(m("李四", "", 80.0), 3),
                    at(m("王伍", "", 70.0), 4),
                    at(m("3", "第二支队", 70.0), 5),
                ],
            },
            EventData {
                team_level: true,
                max: None,
                rows: vec![at(m("第一支队", "", 50.0), 7), at(m("三支队", "", 1.0), 8)],
            },
        ];
        let e = register(&roster(), &spec, &mut data);
        let msgs: Vec<&str> = e.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "quiz.csv:4: event `笔试`: candidate `王伍` is not on the roster; did you mean 王五?",
                "quiz.csv:5: event `笔试`: `3` is entered for team `第二支队`, but the roster has them in `二支队`; did you mean 二支队?",
                "quiz.csv:7: event `比武`: team `第一支队` is not on the roster; did you mean 一支队?",
                "quiz.csv:8: event `比武`: team `三支队` is not on the roster; did you mean 一支队?",
            ]
        );
        // Found entrants are written as registered.
        assert_eq!(
            (data[0].rows[1].id.as_str(), data[0].rows[1].team.as_str()),
            ("2", "一支队")
        );
    }

    #[test]
    fn a_teams_missing_member_follows_the_missing_policy() {
        let spec = StandingsSpec::parse("s.toml", &SPEC.replace("best-2", "mean")).unwrap();
        let exam = EventData {
            team_level: false,
            max: Some(100.0),
            rows: vec![
                m("1", "一支队", 90.0),
                Member {
                    absent: true,
                    ..m("2", "一支队", 0.0)
                },
                m("3", "二支队", 60.0),
            ],
        };
        let onsite = EventData {
            team_level: true,
            max: Some(100.0),
            rows: vec![m("一支队", "", 50.0), m("二支队", "", 40.0)],
        };
        let data = [exam, onsite];
        // zero: 一支队 (90 + 0) / 2 × 0.5 + 50 = 72.5, 李四 (absent) named.
        let s = compute_registered(&spec, &data, None, Some(&roster())).unwrap();
        let score =
            |s: &Standings, e: &str| s.standings.iter().find(|r| r.entrant == e).unwrap().score;
        assert_eq!(score(&s, "一支队"), 72.5);
        assert_eq!(s.missing.len(), 1, "{:?}", s.missing);
        assert_eq!(
            s.missing[0].outcome,
            "member(s) without a score: 李四 (2); each counted as 0 in the team's score"
        );
        // exclude: the members present: 90 × 0.5 + 50 = 95.
        let spec = StandingsSpec::parse(
            "s.toml",
            &SPEC
                .replace("best-2", "mean")
                .replace("\"zero\"", "\"exclude\""),
        )
        .unwrap();
        let s = compute_registered(&spec, &data, None, Some(&roster())).unwrap();
        assert_eq!(score(&s, "一支队"), 95.0);
        assert!(s.missing[0]
            .outcome
            .ends_with("left out of the team's score"));
    }

    #[test]
    fn maxima_are_normalised_to_the_scale_or_warned_about() {
        let spec = StandingsSpec::parse(
            "s.toml",
            &SPEC
                .replace("weight = 0.5", "weight = 0.2\nmax = 200")
                .replace(
                    "results = \"onsite/\"",
                    "results = \"onsite/\"\nweight = 0.6",
                ),
        )
        .unwrap();
        let quiz = EventData {
            team_level: true,
            max: None,
            rows: vec![m("一支队", "", 180.0)],
        };
        let contest = EventData {
            team_level: true,
            max: Some(100.0),
            rows: vec![m("一支队", "", 80.0)],
        };
        let data = [quiz, contest];
        let s = compute(&spec, &data, None).unwrap();
        // Raw: 0.2 × 180 + 0.6 × 80 = 84, with a warning naming the maxima.
        assert_eq!(s.standings[0].score, 84.0);
        assert_eq!(
            s.warnings,
            ["events of different maxima are weighted on their raw scores: `笔试` out of 200, `比武` out of 100; add `scale = 100` to [standings] to put each event on 100 points before weighting"]
        );
        let mut scaled = spec.clone();
        scaled.scale = Some(100.0);
        let s = compute(&scaled, &data, None).unwrap();
        // 0.2 × 90 + 0.6 × 80 = 66.
        assert!((s.standings[0].score - 66.0).abs() < 1e-9);
        assert!(s.warnings.is_empty());
        assert_eq!(s.standings[0].events, [Some(90.0), Some(80.0)]);
        scaled.events[0].max = None;
        let e = compute(&scaled, &data, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "event `笔试`: its maximum is not known, so it cannot be put on a scale of 100"
        );
        // Told in the standings file's language.
        let zh = e.clone().told_in(Lang::Zh);
        assert_eq!(
            zh.to_string(),
            "赛项 `笔试`：不知道它的满分，无法折算成 100 分制"
        );
        assert_eq!(
            zh.hint().as_deref(),
            Some("在该 [[event]] 下写上满分：`max = …`")
        );
        assert_eq!(
            e.told_in(Lang::En).to_string(),
            "event `笔试`: its maximum is not known, so it cannot be put on a scale of 100"
        );
    }

    #[test]
    fn without_a_roster_a_team_spelt_two_ways_is_caught() {
        let spec = StandingsSpec::parse("s.toml", SPEC).unwrap();
        let data = [
            EventData {
                team_level: false,
                max: None,
                rows: vec![m("a", "一支队", 1.0), m("b", "二支队", 1.0)],
            },
            EventData {
                team_level: true,
                max: None,
                rows: vec![at(m("第一支队", "", 1.0), 2), m("二支队", "", 1.0)],
            },
        ];
        let e = suspect_spellings(&spec, &data);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            e[0].message,
            "quiz.csv:2: event `比武`: team `第一支队` never appears in an event with `一支队`; did you mean 一支队?"
        );
        // Teams that meet in an event are two teams.
        let mut fine = data.clone();
        fine[1].rows[0].id = "一支队".into();
        fine[0].rows.push(m("c", "三支队", 1.0));
        assert!(suspect_spellings(&spec, &fine).is_empty());
    }
}

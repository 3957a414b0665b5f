//! The competition file (`competition.toml`) and the competition it describes: rounds, papers
//! derived from a seed per (competition, round, candidate), grading through the same grader as
//! `grade`, and rankings through the same standings as `standings`.

use crate::bank::{Bank, Kind, Language};
use crate::blueprint::Blueprint;
use crate::draw::manifest::{Candidate, LawRecord, Manifest, RulesSource};
use crate::draw::{draw_excluding, DrawError, DrawInput, Exclusions, Papers};
use crate::event::rubric::Entrant;
use crate::event::standings::{
    compute, EventData, EventSpec, Member, Missing, Standings, StandingsSpec, TeamRule,
};
use crate::input::diagnostic::{Diagnostic, Diagnostics};
use crate::input::toml::TomlDoc;
use crate::law::Date;
use crate::score::grade::{Grader, Manual, Outcome};
use crate::score::script::RuleScript;
use crate::sheet::Sheet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    competition: RawCompetition,
    #[serde(default)]
    round: Vec<RawRound>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetition {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    organiser: String,
    roster: String,
    #[serde(default)]
    language: Option<Language>,
    #[serde(default)]
    team_rule: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRound {
    #[serde(default)]
    id: Option<String>,
    name: String,
    opens: toml::value::Datetime,
    closes: toml::value::Datetime,
    blueprint: toml::Value,
    /// Minutes.
    time_limit: u32,
    #[serde(default = "one")]
    attempts: u32,
    #[serde(default)]
    rules: Option<String>,
    #[serde(default = "yes")]
    show_key: bool,
    #[serde(default)]
    view: View,
}

/// How a round's questions are shown when an attempt opens; the candidate may switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// The whole round on one page.
    #[default]
    All,
    /// One question at a time, with previous/next and a strip of numbers.
    One,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// Where a round's blueprint is.
#[derive(Debug, Clone)]
pub enum BlueprintRef {
    /// A blueprint file, relative to the competition file.
    File(String),
    /// Written in the competition file.
    Inline(Box<Blueprint>),
}

/// A parsed, checked `[[round]]`.
#[derive(Debug, Clone)]
pub struct RoundSpec {
    pub id: String,
    pub name: String,
    /// Unix milliseconds.
    pub opens: i64,
    pub closes: i64,
    /// The opening day in the round's own zone: the day the statute registry is read for.
    pub open_date: Date,
    /// The zone of `opens`, minutes east of UTC.
    pub offset_min: i64,
    pub blueprint: BlueprintRef,
    pub time_limit: u32,
    pub attempts: u32,
    pub rules: Option<String>,
    pub show_key: bool,
    /// The view an attempt opens in.
    pub view: View,
}

/// A parsed, checked competition file.
#[derive(Debug, Clone)]
pub struct CompetitionFile {
    pub id: String,
    pub title: String,
    pub organiser: String,
    pub roster: String,
    pub language: Option<Language>,
    pub team_rule: TeamRule,
    pub rounds: Vec<RoundSpec>,
}

impl CompetitionFile {
    /// Parses and checks a competition file; every problem at its `file:line:col` with a hint.
    pub fn parse(file: &str, text: &str) -> Result<CompetitionFile, Diagnostics> {
        let doc = TomlDoc::parse(file, text)?;
        let raw: RawFile = doc.deserialize()?;
        let mut errors: Vec<Diagnostic> = Vec::new();
        let c = raw.competition;
        let team_rule = match c.team_rule.as_deref() {
            None => TeamRule::Sum,
            Some(t) => match TeamRule::parse(t) {
                Some(TeamRule::Script) | None => {
                    errors.push(doc.error(
                        "competition.team_rule",
                        format!("unknown team rule `{t}`"),
                        "use \"sum\", \"mean\" or \"best-N\" (the sum of the best N members, e.g. \"best-5\"), as in `standings`",
                    ));
                    TeamRule::Sum
                }
                Some(r) => r,
            },
        };
        if raw.round.is_empty() {
            errors.push(doc.error(
                "round",
                "the competition has no `[[round]]`",
                "add a round with name, opens, closes, blueprint and time_limit",
            ));
        }
        let mut rounds = Vec::new();
        let mut ids = HashSet::new();
        for (i, r) in raw.round.into_iter().enumerate() {
            let at = |k: &str| format!("round[{i}].{k}");
            let id = r.id.clone().unwrap_or_else(|| (i + 1).to_string());
            if id.is_empty()
                || !id
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                errors.push(doc.error(
                    &at("id"),
                    format!("round id `{id}` is not a plain name"),
                    "use letters, digits, `-` and `_` (it appears in addresses), e.g. id = \"r1\"",
                ));
            }
            if !ids.insert(id.clone()) {
                errors.push(doc.error(
                    &at("id"),
                    format!("round id `{id}` appears twice"),
                    "give each round its own id",
                ));
            }
            let mut time = |key: &str, v: &toml::value::Datetime| match unix_ms(v) {
                Some(ms) => Some(ms),
                None => {
                    errors.push(doc.error(
                        &at(key),
                        format!("`{key} = {v}` needs a date, a time and a zone"),
                        "write e.g. 2026-12-01T08:00:00+08:00",
                    ));
                    None
                }
            };
            let opens = time("opens", &r.opens);
            let closes = time("closes", &r.closes);
            if let (Some(o), Some(c)) = (opens, closes) {
                if c <= o {
                    errors.push(doc.error(
                        &at("closes"),
                        format!("round `{}` closes before it opens", r.name),
                        "`closes` must be later than `opens`",
                    ));
                }
            }
            if r.time_limit == 0 {
                errors.push(doc.error(
                    &at("time_limit"),
                    "`time_limit = 0`",
                    "the time limit is in minutes, e.g. time_limit = 20",
                ));
            }
            if r.attempts == 0 {
                errors.push(doc.error(
                    &at("attempts"),
                    "`attempts = 0`",
                    "each candidate needs at least one attempt",
                ));
            }
            let blueprint = match &r.blueprint {
                toml::Value::String(s) => Some(BlueprintRef::File(s.clone())),
                toml::Value::Table(t) => {
                    let inline = toml::to_string(t).unwrap_or_default();
                    let name = format!("{file} [round {}] blueprint", i + 1);
                    match Blueprint::parse(&name, &inline) {
                        Ok(bp) => Some(BlueprintRef::Inline(Box::new(bp))),
                        Err(d) => {
                            errors.push(doc.error(
                                &at("blueprint"),
                                format!("the round's blueprint is not valid:\n{d}"),
                                "an inline blueprint is written as a blueprint file is ([round.blueprint.exam], [[round.blueprint.section]]); or name a file: blueprint = \"round1.toml\"",
                            ));
                            None
                        }
                    }
                }
                _ => {
                    errors.push(doc.error(
                        &at("blueprint"),
                        "`blueprint` is neither a file name nor a table",
                        "write blueprint = \"round1.toml\", or a [round.blueprint] table in the blueprint format",
                    ));
                    None
                }
            };
            if let (Some(opens), Some(closes), Some(blueprint)) = (opens, closes, blueprint) {
                rounds.push(RoundSpec {
                    id,
                    name: r.name,
                    opens,
                    closes,
                    open_date: local_date(&r.opens).expect("checked with the time"),
                    offset_min: match r.opens.offset {
                        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
                        _ => 0,
                    },
                    blueprint,
                    time_limit: r.time_limit,
                    attempts: r.attempts,
                    rules: r.rules,
                    show_key: r.show_key,
                    view: r.view,
                });
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics::new(file, errors));
        }
        Ok(CompetitionFile {
            id: c.id.unwrap_or_else(|| c.title.clone()),
            title: c.title,
            organiser: c.organiser,
            roster: c.roster,
            language: c.language,
            team_rule,
            rounds,
        })
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A TOML offset date-time as Unix milliseconds; `None` without a date, a time or a zone.
pub fn unix_ms(v: &toml::value::Datetime) -> Option<i64> {
    let (date, time, offset) = (v.date?, v.time?, v.offset?);
    let days = days_from_civil(
        i64::from(date.year),
        i64::from(date.month),
        i64::from(date.day),
    );
    let secs = days * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second);
    let offset_min = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    Some((secs - offset_min * 60) * 1000 + i64::from(time.nanosecond / 1_000_000))
}

fn local_date(v: &toml::value::Datetime) -> Option<Date> {
    let d = v.date?;
    Date::parse(&format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
}

/// What a round draws from, read once when the server starts.
pub struct DrawFrom {
    pub banks: Vec<Bank>,
    pub avoid: HashSet<String>,
    pub excluded: HashSet<String>,
    pub why: String,
    pub law: Option<LawRecord>,
}

/// A round ready to serve: its blueprint (dated on its opening day) and what it draws from.
pub struct Round {
    pub spec: RoundSpec,
    pub blueprint: Blueprint,
    pub from: DrawFrom,
    pub rules: Option<RulesSource>,
}

/// The competition as the server holds it: nothing here changes while it runs.
pub struct Competition {
    pub file: CompetitionFile,
    pub language: Language,
    pub roster: Vec<Candidate>,
    index: HashMap<String, usize>,
    pub rounds: Vec<Round>,
}

/// Why a candidate's paper cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error("no round `{0}`")]
    NoRound(String),
    #[error("no candidate `{0}` on the roster")]
    NoCandidate(String),
    #[error(transparent)]
    Draw(#[from] DrawError),
}

/// An item's outcome after grading, in printed order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mark {
    pub number: u32,
    pub question: String,
    pub response: String,
    pub points: f64,
    pub max: f64,
}

/// A graded attempt.
#[derive(Debug, Clone)]
pub struct GradedAttempt {
    pub score: f64,
    pub max: f64,
    pub marks: Vec<Mark>,
}

impl Competition {
    /// A competition over `roster` and `rounds`.
    pub fn new(file: CompetitionFile, roster: Vec<Candidate>, rounds: Vec<Round>) -> Self {
        let language = file.language.unwrap_or_else(|| {
            rounds
                .first()
                .and_then(|r| r.blueprint.exam.language)
                .or_else(|| {
                    rounds
                        .first()
                        .and_then(|r| r.from.banks.first().map(|b| b.language))
                })
                .unwrap_or(Language::Zh)
        });
        let index = roster
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Competition {
            file,
            language,
            roster,
            index,
            rounds,
        }
    }

    /// The zone times are shown in: the first round's opening offset, in minutes.
    pub fn display_offset_min(&self) -> i64 {
        self.file.rounds.first().map_or(0, |r| r.offset_min)
    }

    /// The candidate with `id`.
    pub fn candidate(&self, id: &str) -> Option<&Candidate> {
        self.index.get(id).map(|&i| &self.roster[i])
    }

    /// The round with `id`.
    pub fn round(&self, id: &str) -> Option<&Round> {
        self.rounds.iter().find(|r| r.spec.id == id)
    }

    /// The seed of a candidate's paper for a round: SHA-256 of (competition, round, candidate).
    pub fn seed(&self, round: &str, candidate: &str) -> u64 {
        let mut h = Sha256::new();
        for part in ["examforge serve", &self.file.id, round, candidate] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let d = h.finalize();
        u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
    }

    /// Draws a candidate's paper for a round: the same paper every time (see [`Competition::seed`]).
    pub fn paper(&self, round: &str, candidate: &str) -> Result<Manifest, PaperError> {
        let r = self
            .round(round)
            .ok_or_else(|| PaperError::NoRound(round.into()))?;
        let c = self
            .candidate(candidate)
            .ok_or_else(|| PaperError::NoCandidate(candidate.into()))?;
        let drawn = draw_excluding(
            &DrawInput {
                blueprint: &r.blueprint,
                banks: &r.from.banks,
                seed: self.seed(round, candidate),
                avoid: &r.from.avoid,
                papers: Papers::Candidates(vec![c.clone()]),
            },
            &Exclusions {
                ids: &r.from.excluded,
                why: &r.from.why,
            },
        )?;
        let mut m = drawn.manifest;
        m.law = r.from.law.clone();
        m.rules = r.rules.clone();
        Ok(m)
    }
}

/// Checks that every section of a round can be answered and graded online.
pub fn online_kinds(bp: &Blueprint) -> Result<(), String> {
    for (i, s) in bp.sections.iter().enumerate() {
        if matches!(s.kind, Kind::Short | Kind::Case) {
            return Err(format!(
                "section {} is `{}`: an online round holds single, multiple, judge and fill items, which are graded as they are submitted (short answers and cases need a human grader)",
                i + 1,
                s.kind
            ));
        }
    }
    Ok(())
}

/// The scanner-CSV text of one or more attempts, as `grade` reads it: `candidate,name,team,paper`
/// and one column per printed item number, each cell in the scanner's terms (`AC`, `T`, `a | b`).
pub fn answers_csv(numbers: &[u32], rows: &[(&Candidate, &str, &HashMap<u32, String>)]) -> String {
    let mut w = crate::input::table::Writer::new(Vec::new());
    let mut head: Vec<String> = ["candidate", "name", "team", "paper"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    head.extend(numbers.iter().map(u32::to_string));
    w.write_record(&head).expect("in memory");
    for (c, paper, cells) in rows {
        let mut rec = vec![
            c.id.clone(),
            c.name.clone(),
            c.team.clone(),
            (*paper).to_string(),
        ];
        rec.extend(
            numbers
                .iter()
                .map(|n| cells.get(n).cloned().unwrap_or_default()),
        );
        w.write_record(&rec).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8 in, utf-8 out")
}

/// The printed numbers of a paper's items.
pub fn numbers(m: &Manifest) -> Vec<u32> {
    m.papers
        .first()
        .map(|p| p.leaves().filter_map(|(_, it)| it.number).collect())
        .unwrap_or_default()
}

/// Grades one attempt (its paper and saved answers) with the grader `grade` uses.
pub fn grade(
    paper: &Manifest,
    candidate: &Candidate,
    answers: &HashMap<u32, String>,
) -> Result<GradedAttempt, String> {
    let numbers = numbers(paper);
    let code = paper
        .papers
        .first()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    let text = answers_csv(&numbers, &[(candidate, &code, answers)]);
    let script = match &paper.rules {
        Some(r) => Some(RuleScript::compile(&r.path, &r.source).map_err(|e| e.to_string())?),
        None => None,
    };
    let manual = Manual::new();
    let mut sheet = Sheet::open("answers", text.as_bytes(), None).map_err(|e| e.to_string())?;
    let mut grader = Grader::new(
        paper,
        script.as_ref(),
        &manual,
        sheet.layout().tokens.clone(),
    );
    let row = match sheet.rows().next() {
        Some(Ok(row)) => row,
        Some(Err(r)) => return Err(r.to_string()),
        None => return Err("no row".into()),
    };
    let graded = match grader.grade(&row).map_err(|e| e.to_string())? {
        Outcome::Graded(g) => g,
        Outcome::Rejected(why) => return Err(format!("{why:?}")),
    };
    let marks = grader
        .last_items(&row)
        .map(|l| Mark {
            number: l.number,
            question: l.question.to_string(),
            response: answers.get(&l.number).cloned().unwrap_or_default(),
            points: l.points,
            max: l.max,
        })
        .collect();
    Ok(GradedAttempt {
        score: graded.score,
        max: graded.max,
        marks,
    })
}

/// One candidate's counted result in a round (the best of their closed, not voided attempts).
#[derive(Debug, Clone)]
pub struct Counted {
    pub candidate: String,
    pub round: String,
    pub score: f64,
}

/// Rankings of people and teams over `rounds` (one round, or all for the cumulative board), by
/// the same standings computation as `standings` (its team rule and ranking).
pub fn standings(
    c: &Competition,
    rounds: &[&str],
    counted: &[Counted],
) -> Result<Standings, String> {
    let spec = StandingsSpec {
        title: c.file.title.clone(),
        entrant: Entrant::Candidate,
        team_rule: c.file.team_rule,
        missing: Missing::Zero,
        script: None,
        organiser: c.file.organiser.clone(),
        date: String::new(),
        events: rounds
            .iter()
            .map(|r| EventSpec {
                name: r.to_string(),
                results: String::new(),
                weight: 1.0,
                max: None,
                at: crate::input::diagnostic::Location {
                    file: String::new(),
                    line: 0,
                    col: 0,
                },
            })
            .collect(),
        team_rule_at: None,
        missing_at: None,
        // Told in the competition's language.
        lang: c.language.into(),
        ..StandingsSpec::default()
    };
    let data: Vec<EventData> = rounds
        .iter()
        .map(|r| {
            let rows = counted
                .iter()
                .filter(|x| x.round == *r)
                .filter_map(|x| {
                    c.candidate(&x.candidate).map(|cand| Member {
                        id: cand.id.clone(),
                        name: cand.name.clone(),
                        team: cand.team.clone(),
                        score: x.score,
                        ..Member::default()
                    })
                })
                .collect();
            EventData {
                team_level: false,
                max: None,
                rows,
            }
        })
        .collect();
    compute(&spec, &data, None).map_err(|e| e.told_in(spec.lang).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[competition]
title = "Quiz"
roster = "roster.csv"
team_rule = "best-2"

[[round]]
id = "r1"
name = "Round 1"
opens = 2026-12-01T08:00:00+08:00
closes = 2026-12-08T08:00:00+08:00
blueprint = "round1.toml"
time_limit = 20
"#;

    #[test]
    fn a_round_opens_at_its_zone_time() {
        let f = CompetitionFile::parse("c.toml", FILE).unwrap();
        assert_eq!(f.team_rule, TeamRule::Best(2));
        let r = &f.rounds[0];
        // 2026-12-01T00:00:00Z
        assert_eq!(r.opens, 1_796_083_200_000);
        assert_eq!(r.open_date.to_string(), "2026-12-01");
        assert_eq!(r.attempts, 1);
        assert!(r.show_key);
        assert_eq!(r.view, View::All);
        let one = FILE.replace("time_limit = 20", "time_limit = 20\nview = \"one\"");
        let f = CompetitionFile::parse("c.toml", &one).unwrap();
        assert_eq!(f.rounds[0].view, View::One);
    }

    #[test]
    fn a_misspelt_view_is_located_with_a_did_you_mean() {
        let bad = FILE.replace("time_limit = 20", "time_limit = 20\nview = \"onne\"");
        let d = CompetitionFile::parse("c.toml", &bad).unwrap_err();
        let (e, hint) = (d.to_string(), format!("{d}{d:?}"));
        assert!(e.contains("c.toml:14:8"), "{e}");
        assert!(hint.contains("did you mean `one`?"), "{hint}");
    }

    #[test]
    fn errors_are_located_with_a_hint() {
        let bad = FILE
            .replace("time_limit = 20", "time_limit = 20\nshow_keys = true")
            .replace("best-2", "best");
        let e = CompetitionFile::parse("c.toml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("c.toml:14:1"), "{e}");
        assert!(e.contains("show_key"), "{e}");
        let bad = FILE.replace("best-2", "best");
        let d = CompetitionFile::parse("c.toml", &bad).unwrap_err();
        let (e, hint) = (d.to_string(), format!("{d:?}"));
        assert!(
            e.contains("c.toml:5:13") && hint.contains("best-N"),
            "{e} {hint}"
        );
        let bad = FILE.replace("2026-12-08T08:00:00+08:00", "2026-12-08T08:00:00");
        let d = CompetitionFile::parse("c.toml", &bad).unwrap_err();
        let (e, hint) = (d.to_string(), format!("{d:?}"));
        assert!(
            e.contains("c.toml:11:10") && hint.contains("2026-12-01T08:00:00+08:00"),
            "{e} {hint}"
        );
    }
}

//! The event file (`event.toml`): the whole training as one project — the registered roster,
//! the written exam(s), judged contests, quiz rounds, the standings and the certificates — and
//! the plan of steps `examforge event run` brings up to date. Pure: the caller reads the files.
//!
//! ```toml
//! [event]
//! title = "2026年执法大练兵"
//! language = "zh"              # zh | en: the language of the published results
//! date = 2026-12-01
//! organiser = "示例市生态环境局"
//! roster = "roster.csv"        # the one registered list: 准考证号,姓名,单位
//!
//! [[exam]]
//! id = "exam"                  # its folder under the output folder; standings name it
//! name = "闭卷考试"
//! blueprint = "blueprint.toml" # drawn with `seed`; or exam = "exam/exam.json"
//! seed = 2026
//! answers = "answers.csv"
//! manual = "manual.csv"        # optional: marks given by hand (two rows for one item: 双评)
//! double_tolerance = 1         # two markers' marks within 1 point are averaged; or { "12" = 3 }
//! appeals = "appeals.toml"     # decided appeals (复核); [event] appeals = … serves every event
//!
//! [[contest]]
//! id = "onsite"
//! name = "现场执法比武"
//! rubric = "onsite.toml"
//! scores = "onsite-scores.csv"
//!
//! [[quiz]]
//! id = "quiz"
//! name = "知识竞赛"
//! scores = "quiz.csv"          # a score list, or a folder `serve export` wrote
//!
//! [standings]
//! entrant = "candidate"
//! team_rule = "mean"
//! missing = "zero"
//! scale = 100                  # each event normalised to 100 points before weighting
//! [standings.awards]           # the standings' [awards]: first/second/third, or .team/.individual
//! first = 1
//! second = 3
//! third = 6
//! [[standings.event]]
//! id = "exam"
//! weight = 0.4
//! # max = 200                  # the points available, for a score list
//!
//! [certificates]               # present: print them; number = "HB-2026-{:03}", seal = false
//! ```

use super::rubric::Entrant;
use super::standings::Missing;
use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Lang, Location};
use crate::input::toml::TomlDoc;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The language of the published results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Zh,
    En,
}

/// A path as written in the event file (relative to it), with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct PathAt {
    pub path: String,
    pub at: Location,
}

/// A checked event file.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub title: String,
    pub language: Language,
    /// `YYYY-MM-DD`, or empty.
    pub date: String,
    pub organiser: String,
    pub roster: Option<PathAt>,
    pub exams: Vec<Exam>,
    pub contests: Vec<Contest>,
    pub quizzes: Vec<Quiz>,
    pub standings: Option<StandingsPart>,
    pub certificates: Option<CertificatesPart>,
    /// Each part of the file as JSON, by step id: what a step's hash covers of the file.
    pub parts: Vec<(String, serde_json::Value)>,
    /// The language the file is written in: the words of the messages about it.
    pub input_language: Lang,
}

/// A written exam: a manifest (or a blueprint drawn with a seed) and the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Exam {
    pub id: String,
    pub name: String,
    pub paper: Paper,
    pub answers: PathAt,
    pub manual: Option<PathAt>,
    pub rules: Option<PathAt>,
    pub csv_layout: Option<PathAt>,
    /// Decided appeals (复核): this exam's own file, else the event's.
    pub appeals: Option<PathAt>,
    /// How far two markers' marks may differ and still be averaged: `N`, or `ITEM=N`.
    pub double_tolerance: Vec<String>,
}

/// Where an exam's questions come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Paper {
    /// An exam.json written by `draw` or `make`.
    Manifest(PathAt),
    /// A blueprint drawn with this seed on every run (the same seed and banks give the same paper).
    Blueprint { blueprint: PathAt, seed: u64 },
}

/// A judged contest.
#[derive(Debug, Clone, PartialEq)]
pub struct Contest {
    pub id: String,
    pub name: String,
    pub rubric: PathAt,
    pub scores: PathAt,
    /// Decided appeals (复核) of judges' marks: this contest's own file, else the event's.
    pub appeals: Option<PathAt>,
}

/// Quiz rounds: a score list (entrant,team,points[,round]) or a folder `serve export` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    pub id: String,
    pub name: String,
    pub scores: PathAt,
}

/// `[standings]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StandingsPart {
    pub title: String,
    pub entrant: Entrant,
    pub team_rule: Option<String>,
    pub missing: Option<Missing>,
    pub script: Option<PathAt>,
    /// The `[standings.awards]` table, handed to the standings as their `[awards]`.
    pub awards: Option<toml::Value>,
    /// Each event normalised to this many points before weighting.
    pub scale: Option<f64>,
    /// (event id, weight, points available when the results do not say), in the file's order.
    pub events: Vec<(String, f64, Option<f64>)>,
}

/// `[certificates]`: present, certificates are printed for the standings' awards.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificatesPart {
    /// The table as written (`number`, `seal`), handed to the standings as their `[certificates]`.
    pub style: toml::Table,
}

/// What an event is, as a step of the plan sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Exam,
    Contest,
    Quiz,
}

/// Folder names the run writes itself; an event may not take them.
pub const RESERVED: [&str; 3] = ["standings", "certificates", "publish"];

impl Project {
    /// Parses and checks an event file; every problem is reported at `file:line:col`, in Chinese
    /// when the file is written in Chinese.
    pub fn parse(file: &str, src: &str) -> Result<Project, Vec<Diagnostic>> {
        let lang = Lang::of_toml(src);
        Project::check(file, src, lang)
            .map_err(|errors| errors.into_iter().map(|d| d.in_language(lang)).collect())
    }

    fn check(file: &str, src: &str, lang: Lang) -> Result<Project, Vec<Diagnostic>> {
        let doc = TomlDoc::parse(file, src).map_err(Diagnostics::into_vec)?;
        let raw: Raw = doc.deserialize().map_err(Diagnostics::into_vec)?;
        let whole: toml::Value = toml::from_str(src).unwrap_or(toml::Value::Boolean(false));
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>| doc.location(span.start);
        let path = |p: &Spanned<String>, errors: &mut Vec<Diagnostic>| {
            let text = p.get_ref().trim().to_string();
            if text.is_empty() {
                errors.push(
                    Diagnostic::error(Some(at(p.span())), "the path is empty")
                        .with_hint("name a file, relative to the event file")
                        .zh("路径为空", "写上文件名，从赛事文件所在的文件夹算起"),
                );
            }
            PathAt {
                path: text,
                at: at(p.span()),
            }
        };
        let mut ids: Vec<(String, EventKind)> = Vec::new();
        let mut check_id = |id: &Spanned<String>, kind, errors: &mut Vec<Diagnostic>| {
            let v = id.get_ref().trim().to_string();
            let ok = !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                errors.push(
                    Diagnostic::error(Some(at(id.span())), format!("id `{v}` is not a folder name"))
                        .with_hint("use letters, digits, `-` and `_` (e.g. \"onsite\"): the id names the event's output folder")
                        .zh(format!("编号 `{v}` 不能用作文件夹名"), "只用英文字母、数字、`-` 和 `_`（如 \"onsite\"）：编号就是该赛项输出文件夹的名字"),
                );
            } else if RESERVED.contains(&v.as_str()) {
                errors.push(
                    Diagnostic::error(Some(at(id.span())), format!("id `{v}` is reserved"))
                        .with_hint(format!(
                            "the output folder holds {} of its own; choose another id",
                            RESERVED.join(", ")
                        ))
                        .zh(
                            format!("编号 `{v}` 是保留名"),
                            format!(
                                "输出文件夹里本身就有 {} 这几个文件夹；请换一个编号",
                                RESERVED.join("、")
                            ),
                        ),
                );
            } else if ids.iter().any(|(i, _)| *i == v) {
                errors.push(
                    Diagnostic::error(Some(at(id.span())), format!("id `{v}` is used twice"))
                        .with_hint("give each exam, contest and quiz its own id")
                        .zh(
                            format!("编号 `{v}` 用了两次"),
                            "每场考试、每个比武赛项和每场知识竞赛各用自己的编号",
                        ),
                );
            }
            ids.push((v.clone(), kind));
            v
        };
        let mut parts = Vec::new();
        let head = &raw.event;
        let mut exams = Vec::new();
        for (i, e) in raw.exams.iter().enumerate() {
            let id = check_id(&e.id, EventKind::Exam, &mut errors);
            let paper = match (&e.exam, &e.blueprint, e.seed) {
                (Some(m), None, None) => Paper::Manifest(path(m, &mut errors)),
                (None, Some(b), Some(seed)) => Paper::Blueprint {
                    blueprint: path(b, &mut errors),
                    seed,
                },
                (None, Some(b), None) => {
                    errors.push(
                        Diagnostic::error(Some(at(b.span())), "a blueprint without a seed")
                            .with_hint("add `seed = …`: the answers were written on the papers of one seed, and each run must draw those papers again")
                            .zh("组卷方案没有写种子（seed）", "加上 `seed = …`：考生是在这个种子抽出的试卷上作答的，每次运行都要重新抽出同一套试卷"),
                    );
                    Paper::Blueprint {
                        blueprint: path(b, &mut errors),
                        seed: 0,
                    }
                }
                (Some(_), Some(_), _) | (Some(_), None, Some(_)) => {
                    errors.push(
                        doc.error(
                            &format!("exam[{i}].exam"),
                            "`exam` and `blueprint`/`seed` both given",
                            "name the exam.json, or the blueprint with its seed, not both",
                        )
                        .zh(
                            "同时写了 `exam` 和 `blueprint`/`seed`",
                            "写 exam.json，或写组卷方案及其种子，二者选一",
                        ),
                    );
                    continue;
                }
                (None, None, _) => {
                    errors.push(doc.error(
                        &format!("exam[{i}]"),
                        format!("exam `{id}` names no paper"),
                        "add exam = \"exam/exam.json\" (from `examforge make`), or blueprint = \"…\" with seed = …",
                    ).zh(
                        format!("考试 `{id}` 没有指定试卷"),
                        "加上 exam = \"exam/exam.json\"（由 `examforge make` 生成），或 blueprint = \"…\" 并写 seed = …",
                    ));
                    continue;
                }
            };
            parts.push((id.clone(), part_json(&whole, "exam", Some(i))));
            exams.push(Exam {
                id,
                name: e.name.trim().to_string(),
                paper,
                answers: path(&e.answers, &mut errors),
                manual: e.manual.as_ref().map(|p| path(p, &mut errors)),
                rules: e.rules.as_ref().map(|p| path(p, &mut errors)),
                csv_layout: e.csv_layout.as_ref().map(|p| path(p, &mut errors)),
                appeals: e
                    .appeals
                    .as_ref()
                    .or(head.appeals.as_ref())
                    .map(|p| path(p, &mut errors)),
                double_tolerance: match &e.double_tolerance {
                    None => Vec::new(),
                    Some(Tolerance::Points(n)) => vec![n.to_string()],
                    Some(Tolerance::Items(t)) => t
                        .iter()
                        .map(|(item, v)| {
                            let v = match v {
                                toml::Value::Integer(n) => n.to_string(),
                                toml::Value::Float(n) => n.to_string(),
                                v => v.to_string(),
                            };
                            // `default` is every other item's tolerance.
                            if item == "default" {
                                v
                            } else {
                                format!("{item}={v}")
                            }
                        })
                        .collect(),
                },
            });
        }
        let mut contests = Vec::new();
        for (i, c) in raw.contests.iter().enumerate() {
            let id = check_id(&c.id, EventKind::Contest, &mut errors);
            parts.push((id.clone(), part_json(&whole, "contest", Some(i))));
            contests.push(Contest {
                id,
                name: c.name.trim().to_string(),
                rubric: path(&c.rubric, &mut errors),
                scores: path(&c.scores, &mut errors),
                appeals: c
                    .appeals
                    .as_ref()
                    .or(head.appeals.as_ref())
                    .map(|p| path(p, &mut errors)),
            });
        }
        let mut quizzes = Vec::new();
        for (i, q) in raw.quizzes.iter().enumerate() {
            let id = check_id(&q.id, EventKind::Quiz, &mut errors);
            parts.push((id.clone(), part_json(&whole, "quiz", Some(i))));
            quizzes.push(Quiz {
                id,
                name: q.name.trim().to_string(),
                scores: path(&q.scores, &mut errors),
            });
        }
        let standings = raw.standings.as_ref().map(|s| {
            let known: Vec<&str> = ids.iter().map(|(i, _)| i.as_str()).collect();
            if s.events.is_empty() {
                errors.push(
                    doc.error(
                        "standings",
                        "the standings name no event",
                        "add one `[[standings.event]]` per event: id = \"…\" weight = 1",
                    )
                    .zh(
                        "总成绩（[standings]）没有列出任何赛项",
                        "每个计入的赛项加一个 `[[standings.event]]`：id = \"…\" weight = 1",
                    ),
                );
            }
            let mut events: Vec<(String, f64, Option<f64>)> = Vec::new();
            for e in &s.events {
                let id = e.id.get_ref().trim().to_string();
                if !known.contains(&id.as_str()) {
                    let (hint, hint_zh) = match did_you_mean(&id, &known) {
                        Some(k) => (format!("did you mean `{k}`?"), format!("是不是 `{k}`？")),
                        None if known.is_empty() => (
                            "define the event first: [[exam]], [[contest]] or [[quiz]] with this id"
                                .into(),
                            "先用这个编号定义赛项：[[exam]]、[[contest]] 或 [[quiz]]".into(),
                        ),
                        None => (
                            format!("the events are: {}", known.join(", ")),
                            format!("已定义的赛项：{}", known.join("、")),
                        ),
                    };
                    errors.push(
                        Diagnostic::error(
                            Some(at(e.id.span())),
                            format!("no event has the id `{id}`"),
                        )
                        .with_hint(hint)
                        .zh(format!("没有编号为 `{id}` 的赛项"), hint_zh),
                    );
                } else if events.iter().any(|(i, _, _)| *i == id) {
                    errors.push(
                        Diagnostic::error(
                            Some(at(e.id.span())),
                            format!("event `{id}` is counted twice"),
                        )
                        .with_hint("list each event once; its weight says how much it counts")
                        .zh(
                            format!("赛项 `{id}` 计入了两次"),
                            "每个赛项只列一次；它占多少由权重（weight）决定",
                        ),
                    );
                }
                let w = e.weight.as_ref().map_or(1.0, |w| *w.get_ref());
                if !(w.is_finite() && w >= 0.0) {
                    errors.push(
                        Diagnostic::error(
                            e.weight.as_ref().map(|w| at(w.span())),
                            format!("`weight = {w}` is negative"),
                        )
                        .with_hint("weights are 0 or more")
                        .zh(format!("权重 `weight = {w}` 是负数"), "权重为 0 或正数"),
                    );
                }
                events.push((id, w, e.max));
            }
            StandingsPart {
                title: s.title.clone().unwrap_or_else(|| head.title.clone()),
                entrant: s.entrant,
                team_rule: s.team_rule.clone(),
                missing: s.missing,
                script: s.script.as_ref().map(|p| path(p, &mut errors)),
                awards: s.awards.clone(),
                scale: s.scale,
                events,
            }
        });
        if standings.is_some() {
            parts.push(("standings".into(), part_json(&whole, "standings", None)));
        }
        let certificates = raw
            .certificates
            .as_ref()
            .map(|c| CertificatesPart { style: c.clone() });
        if raw.certificates.is_some() {
            if standings.is_none() {
                errors.push(
                    doc.error(
                        "certificates",
                        "certificates without standings",
                        "add [standings]: the certificates go to its winners",
                    )
                    .zh(
                        "有证书（[certificates]）却没有总成绩（[standings]）",
                        "加上 [standings]：证书发给总成绩的获奖者",
                    ),
                );
            }
            parts.push((
                "certificates".into(),
                part_json(&whole, "certificates", None),
            ));
        }
        parts.push(("event".into(), part_json(&whole, "event", None)));
        if ids.is_empty() {
            errors.push(
                doc.error(
                    "event",
                    "the event file names no exam, contest or quiz",
                    "add [[exam]], [[contest]] or [[quiz]] tables",
                )
                .zh(
                    "赛事文件没有列出任何考试、比武赛项或知识竞赛",
                    "加上 [[exam]]、[[contest]] 或 [[quiz]] 表",
                ),
            );
        }
        let date = match &head.date {
            None => String::new(),
            Some(d) => match d.get_ref() {
                DateValue::Date(d) => d.to_string(),
                DateValue::Text(t) => match t.trim().parse::<crate::law::Date>() {
                    Ok(d) => d.to_string(),
                    Err(_) => {
                        errors.push(
                            Diagnostic::error(Some(at(d.span())), format!("`{t}` is not a date"))
                                .with_hint("write the date as 2026-12-01")
                                .zh(format!("`{t}` 不是日期"), "日期写成 2026-12-01 这样"),
                        );
                        String::new()
                    }
                },
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Project {
            title: head.title.trim().to_string(),
            language: head.language,
            date,
            organiser: head.organiser.trim().to_string(),
            roster: head.roster.as_ref().map(|p| PathAt {
                path: p.get_ref().trim().to_string(),
                at: at(p.span()),
            }),
            exams,
            contests,
            quizzes,
            standings,
            certificates,
            parts,
            input_language: lang,
        })
    }

    /// The events in the file's order of kinds (exams, contests, quizzes): (id, name, kind).
    pub fn events(&self) -> Vec<(&str, &str, EventKind)> {
        let mut v: Vec<(&str, &str, EventKind)> = Vec::new();
        v.extend(
            self.exams
                .iter()
                .map(|e| (e.id.as_str(), e.name.as_str(), EventKind::Exam)),
        );
        v.extend(
            self.contests
                .iter()
                .map(|e| (e.id.as_str(), e.name.as_str(), EventKind::Contest)),
        );
        v.extend(
            self.quizzes
                .iter()
                .map(|e| (e.id.as_str(), e.name.as_str(), EventKind::Quiz)),
        );
        v
    }

    /// The part of the file a step's hash covers.
    pub fn part(&self, id: &str) -> serde_json::Value {
        self.parts
            .iter()
            .find(|(i, _)| i == id)
            .map_or(serde_json::Value::Null, |(_, v)| v.clone())
    }
}

/// The value at `key` (element `index` of an array of tables) as JSON, to hash: comments and
/// spacing do not change a hash.
fn part_json(whole: &toml::Value, key: &str, index: Option<usize>) -> serde_json::Value {
    let v = whole.get(key);
    let v = match index {
        Some(i) => v.and_then(|a| a.get(i)),
        None => v,
    };
    v.and_then(|v| serde_json::to_value(v).ok())
        .unwrap_or(serde_json::Value::Null)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    event: RawHead,
    #[serde(rename = "exam", default)]
    exams: Vec<RawExam>,
    #[serde(rename = "contest", default)]
    contests: Vec<RawContest>,
    #[serde(rename = "quiz", default)]
    quizzes: Vec<RawQuiz>,
    standings: Option<RawStandings>,
    certificates: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateValue {
    Date(toml::value::Datetime),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    title: String,
    #[serde(default)]
    language: Language,
    date: Option<Spanned<DateValue>>,
    #[serde(default)]
    organiser: String,
    roster: Option<Spanned<String>>,
    appeals: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExam {
    id: Spanned<String>,
    name: String,
    exam: Option<Spanned<String>>,
    blueprint: Option<Spanned<String>>,
    seed: Option<u64>,
    answers: Spanned<String>,
    manual: Option<Spanned<String>>,
    rules: Option<Spanned<String>>,
    csv_layout: Option<Spanned<String>>,
    appeals: Option<Spanned<String>>,
    double_tolerance: Option<Tolerance>,
}

/// `double_tolerance = 1`, or per item `{ "12" = 3, default = 1 }` … written as a table.
#[derive(Deserialize)]
#[serde(untagged)]
enum Tolerance {
    Points(f64),
    Items(toml::Table),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContest {
    id: Spanned<String>,
    name: String,
    rubric: Spanned<String>,
    scores: Spanned<String>,
    appeals: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    id: Spanned<String>,
    name: String,
    scores: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandings {
    title: Option<String>,
    #[serde(default)]
    entrant: Entrant,
    team_rule: Option<String>,
    missing: Option<Missing>,
    script: Option<Spanned<String>>,
    scale: Option<f64>,
    awards: Option<toml::Value>,
    #[serde(rename = "event", default)]
    events: Vec<RawStandingsEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandingsEvent {
    id: Spanned<String>,
    weight: Option<Spanned<f64>>,
    max: Option<f64>,
}

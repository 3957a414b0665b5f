//! Rubrics of judged events: what is judged, out of how much, and how judges' marks combine.
//!
//! ```toml
//! [event]
//! title = "现场执法比武"
//! entrant = "team"            # or "candidate"
//! [[criterion]]
//! id = "violations"
//! title = "发现违法行为"
//! max = 40
//! weight = 1                  # default 1
//! description = "每发现一项得4分"
//! [[criterion]]
//! id = "vote"
//! title = "网络投票"
//! max = 10
//! once = true                 # one mark per entrant (on one of its rows), not trimmed
//! [judging]
//! drop_high = 1               # 去掉最高分
//! drop_low = 1                # 去掉最低分
//! trim = "total"              # or "criterion"
//! # script = "judge.rhai"     # a `judge(sheets)` hook instead of trimming
//! # judges = ["评委1", "评委2"] # when given, only these judges may appear
//! ```

use crate::input::diagnostic::{Diagnostic, Diagnostics, Lang};
use crate::input::toml::TomlDoc;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use toml::Spanned;

/// Who is scored in an event: a team (a unit) or a single candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Entrant {
    #[default]
    Team,
    Candidate,
}

impl Entrant {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Entrant::Team => "team",
            Entrant::Candidate => "candidate",
        }
    }
}

/// What the drop_high / drop_low trimming applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Trim {
    /// Each judge's weighted total for the entrant (the usual convention).
    #[default]
    Total,
    /// Each criterion separately.
    Criterion,
}

/// A parsed, checked rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rubric {
    pub title: String,
    pub entrant: Entrant,
    pub organiser: String,
    pub date: String,
    pub criteria: Vec<Criterion>,
    pub judging: Judging,
}

/// One judged criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub max: f64,
    pub weight: f64,
    /// 评分标准, printed on the judging form.
    pub description: String,
    /// Entered once per entrant (a network vote), not by each judge: never trimmed.
    pub once: bool,
}

/// How judges' marks become a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judging {
    pub drop_high: usize,
    pub drop_low: usize,
    pub trim: Trim,
    /// A rhai script (path relative to the rubric) whose `judge(sheets)` gives the score.
    pub script: Option<String>,
    /// The judges who may appear; empty: whoever the sheet names.
    pub judges: Vec<String>,
}

impl Rubric {
    /// Points available: Σ weight × max.
    pub fn max(&self) -> f64 {
        self.criteria.iter().map(|c| c.weight * c.max).sum()
    }

    /// Parses and checks a rubric; every problem is reported at `file:line:col`, in Chinese when
    /// the rubric is written in Chinese.
    pub fn parse(file: &str, src: &str) -> Result<Rubric, Vec<Diagnostic>> {
        let lang = Lang::of_toml(src);
        Rubric::check(file, src)
            .map_err(|errors| errors.into_iter().map(|d| d.in_language(lang)).collect())
    }

    fn check(file: &str, src: &str) -> Result<Rubric, Vec<Diagnostic>> {
        let doc = TomlDoc::parse(file, src).map_err(Diagnostics::into_vec)?;
        let raw: RawRubric = doc.deserialize().map_err(Diagnostics::into_vec)?;
        let mut errors = Vec::new();
        let err = |span: std::ops::Range<usize>, m: String, h: &str| {
            Diagnostic::error(Some(doc.location(span.start)), m).with_hint(h)
        };
        if raw.criteria.is_empty() {
            errors.push(
                err(
                    0..0,
                    "the rubric has no `[[criterion]]`".into(),
                    "add at least one: [[criterion]] id = \"quality\" title = \"…\" max = 10",
                )
                .zh(
                    "评分表没有任何评分项 `[[criterion]]`",
                    "至少加一项：[[criterion]] id = \"quality\" title = \"…\" max = 10",
                ),
            );
        }
        let mut seen = HashSet::new();
        let mut criteria = Vec::new();
        for c in raw.criteria {
            let id = c.id.get_ref().trim().to_string();
            if id.is_empty() {
                errors.push(
                    err(
                        c.id.span(),
                        "a criterion id is empty".into(),
                        "ids name the score sheet's columns, e.g. id = \"records\"",
                    )
                    .zh(
                        "评分项的编号为空",
                        "编号就是评分表（打分表）的列名，如 id = \"records\"",
                    ),
                );
            } else if super::header_is(&id, RESERVED)
                || super::header_is(&id, crate::input::table::columns::TEAM)
            {
                errors.push(err(
                    c.id.span(),
                    format!("`{id}` cannot be a criterion id: the score sheet uses it for another column"),
                    "choose another id",
                ).zh(format!("`{id}` 不能作评分项编号：打分表里这一列另有用途"), "请换一个编号"));
            } else if !seen.insert(id.clone()) {
                errors.push(
                    err(
                        c.id.span(),
                        format!("criterion `{id}` is defined twice"),
                        "give each criterion its own id",
                    )
                    .zh(
                        format!("评分项 `{id}` 定义了两次"),
                        "每个评分项用自己的编号",
                    ),
                );
            }
            let max = *c.max.get_ref();
            if !(max.is_finite() && max > 0.0) {
                errors.push(
                    err(
                        c.max.span(),
                        format!("`max = {max}` for criterion `{id}`: the maximum must be above 0"),
                        "give the points this criterion is out of, e.g. max = 40",
                    )
                    .zh(
                        format!("评分项 `{id}` 的 `max = {max}`：满分必须大于 0"),
                        "写出这一项的满分，如 max = 40",
                    ),
                );
            }
            let weight = c.weight.as_ref().map_or(1.0, |w| *w.get_ref());
            if let Some(w) = &c.weight {
                if !(weight.is_finite() && weight >= 0.0) {
                    errors.push(
                        err(
                            w.span(),
                            format!("`weight = {weight}` for criterion `{id}` is negative"),
                            "weights are 0 or more; 1 counts the points as they are",
                        )
                        .zh(
                            format!("评分项 `{id}` 的权重 `weight = {weight}` 是负数"),
                            "权重为 0 或正数；1 表示分数按原样计入",
                        ),
                    );
                }
            }
            criteria.push(Criterion {
                title: c.title.unwrap_or_else(|| id.clone()),
                id,
                max,
                weight,
                description: c.description,
                once: c.once,
            });
        }
        let j = raw.judging;
        let drop_high = j.drop_high.as_ref().map_or(0, |d| *d.get_ref());
        let drop_low = j.drop_low.as_ref().map_or(0, |d| *d.get_ref());
        if let Some(script) = &j.script {
            if let Some(d) = j.drop_high.as_ref().or(j.drop_low.as_ref()) {
                errors.push(err(
                    d.span(),
                    "`drop_high` / `drop_low` given together with `script`".into(),
                    "the script's `judge(sheets)` decides the score alone: remove the drop settings or the script",
                ).zh("`drop_high` / `drop_low` 与 `script` 同时给出", "得分完全由脚本的 `judge(sheets)` 决定：删去去分设置或脚本"));
            }
            if script.get_ref().trim().is_empty() {
                errors.push(err(
                    script.span(),
                    "`script` is empty".into(),
                    "give the path of a rhai file with `fn judge(sheets)`, relative to the rubric",
                ).zh("`script` 为空", "写出含 `fn judge(sheets)` 的 rhai 文件的路径，从评分表所在的文件夹算起"));
            }
        }
        let mut judges = Vec::new();
        for name in j.judges {
            let n = name.get_ref().trim().to_string();
            if judges.contains(&n) {
                errors.push(
                    err(
                        name.span(),
                        format!("judge `{n}` is listed twice"),
                        "list each judge once",
                    )
                    .zh(format!("评委 `{n}` 列了两次"), "每位评委只列一次"),
                );
            }
            judges.push(n);
        }
        if !judges.is_empty() && judges.len() <= drop_high + drop_low {
            errors.push(
                err(
                    0..0,
                    format!(
                        "{} judge(s) listed, but drop_high + drop_low = {}",
                        judges.len(),
                        drop_high + drop_low
                    ),
                    "trimming must leave at least one judge's marks",
                )
                .zh(
                    format!(
                        "只列了 {} 位评委，而去掉最高分和最低分共 {} 个（drop_high + drop_low）",
                        judges.len(),
                        drop_high + drop_low
                    ),
                    "去掉最高、最低分后至少要留下一位评委的分数",
                ),
            );
        }
        if !criteria.is_empty() && criteria.iter().all(|c| c.once) {
            errors.push(err(
                0..0,
                "every criterion is `once = true`: the judges mark nothing".into(),
                "`once` is for a mark entered once per entrant (a network vote) beside the judges' criteria",
            ).zh("所有评分项都是 `once = true`：评委没有可打分的项", "`once` 用于每个参赛者只录入一次的分数（如网络投票），与评委打分的评分项并列"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Rubric {
            title: raw.event.title,
            entrant: raw.event.entrant,
            organiser: raw.event.organiser,
            date: raw.event.date,
            criteria,
            judging: Judging {
                drop_high,
                drop_low,
                trim: j.trim,
                script: j.script.map(|s| s.into_inner()),
                judges,
            },
        })
    }
}

/// Columns of the score sheet that are not criteria.
const RESERVED: &[&str] = &["entrant", "judge", "参赛者", "评委"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    event: RawEvent,
    #[serde(rename = "criterion", default)]
    criteria: Vec<RawCriterion>,
    #[serde(default)]
    judging: RawJudging,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    title: String,
    #[serde(default)]
    entrant: Entrant,
    #[serde(default)]
    organiser: String,
    #[serde(default)]
    date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: Spanned<String>,
    title: Option<String>,
    max: Spanned<f64>,
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    once: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawJudging {
    drop_high: Option<Spanned<usize>>,
    drop_low: Option<Spanned<usize>>,
    #[serde(default)]
    trim: Trim,
    script: Option<Spanned<String>>,
    #[serde(default)]
    judges: Vec<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[event]
title = "现场执法比武"
entrant = "team"

[[criterion]]
id = "violations"
title = "发现违法行为"
max = 40

[[criterion]]
id = "records"
title = "笔录质量"
max = 30
weight = 2

[judging]
drop_high = 1
drop_low = 1
"#;

    #[test]
    fn a_rubric_reads_with_defaults() {
        let r = Rubric::parse("r.toml", GOOD).unwrap();
        assert_eq!(r.criteria.len(), 2);
        assert_eq!(r.criteria[0].weight, 1.0);
        assert_eq!(r.max(), 40.0 + 2.0 * 30.0);
        assert_eq!(r.judging.trim, Trim::Total);
        assert_eq!((r.judging.drop_high, r.judging.drop_low), (1, 1));
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let bad = GOOD.replace("max = 30", "max = -3");
        let e = Rubric::parse("r.toml", &bad).unwrap_err();
        assert_eq!(e.len(), 1);
        let loc = e[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.col), (14, 7), "{}", e[0]);
        assert!(e[0].message.contains("above 0"));

        let typo = GOOD.replace("drop_low = 1", "drop_lo = 1");
        let e = Rubric::parse("r.toml", &typo).unwrap_err();
        assert_eq!(
            e[0].message, "unknown key `drop_lo` in `[judging]`",
            "{}",
            e[0]
        );
        assert_eq!(e[0].location.as_ref().unwrap().line, 19);
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `drop_low`?"));

        // Every typo at once, keys and values, each with its suggestion.
        let typos = GOOD
            .replace("entrant = \"team\"", "entrant = \"taem\"")
            .replace("weight = 2", "wieght = 2")
            .replace("drop_high", "drop_hihg");
        let e = Rubric::parse("r.toml", &typos).unwrap_err();
        assert_eq!(e.len(), 3, "{e:#?}");
        let hints: Vec<&str> = e.iter().filter_map(|d| d.hint.as_deref()).collect();
        assert_eq!(
            hints,
            [
                "did you mean `team`?",
                "did you mean `weight`?",
                "did you mean `drop_high`?"
            ]
        );

        let twice = GOOD.replace("id = \"records\"", "id = \"violations\"");
        let e = Rubric::parse("r.toml", &twice).unwrap_err();
        assert!(e[0].message.contains("defined twice"));
        assert_eq!(e[0].location.as_ref().unwrap().line, 12);
    }

    #[test]
    fn a_script_and_drop_settings_conflict() {
        let both = GOOD.replace("drop_low = 1", "drop_low = 1\nscript = \"j.rhai\"");
        let e = Rubric::parse("r.toml", &both).unwrap_err();
        assert!(e[0].message.contains("together with `script`"), "{}", e[0]);
    }
}

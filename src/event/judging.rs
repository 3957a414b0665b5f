//! Judges' score sheets → one score per entrant: checks every row, then trims and averages.
//!
//! The sheet has one row per entrant × judge: `entrant,judge,` (参赛者,评委), an optional
//! `team` (单位) column, then one column per criterion (its id or title). Nothing is guessed:
//! an entrant with a bad row, a judge who scored it twice, or a missing judge is not scored,
//! and each of its rows is reported with the reason.
//!
//! - **回避** (recusal): a judge's criterion cells say `回避` (or `recused`): that judge's marks
//!   are left out for that entrant. The trim drops as many highest and lowest totals as the
//!   rubric says among the judges who did not recuse, and averages the rest; when that leaves
//!   no judge (fewer than drop_high + drop_low + 1 judges), the entrant is not scored and the
//!   error names it.
//! - **A criterion entered once** (`once = true`, e.g. a network vote): one mark per entrant,
//!   on any one of its rows (the others blank, or the same mark); it is added to the judges'
//!   trimmed mean and never trimmed.

use super::header_is;
use super::rubric::{Rubric, Trim};
use crate::input::diagnostic::{did_you_mean, guess_suffix, Lang};
use crate::rank::ranks;
use crate::score::script::{RuleScript, ScriptError};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

const ENTRANT: &[&str] = &["entrant", "参赛者", "参赛队", "参赛单位", "参赛队伍"];
const JUDGE: &[&str] = &["judge", "评委"];
use crate::input::table::columns::TEAM;

/// A header that does not fit the rubric.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaderError {
    #[error("the header has no `{column}` column")]
    Missing { column: &'static str },
    #[error("column {number} `{name}` is not a criterion of the rubric")]
    UnknownCriterion {
        number: usize,
        name: String,
        suggestion: Option<String>,
    },
    #[error("criterion `{id}` has no column")]
    NoColumn { id: String },
    #[error("column {number} `{name}` appears twice")]
    Twice { number: usize, name: String },
}

impl HeaderError {
    /// The message and its hint in Chinese.
    pub fn zh(&self, rubric: &Rubric) -> (String, String) {
        let ids: Vec<&str> = rubric.criteria.iter().map(|c| c.id.as_str()).collect();
        let message = match self {
            HeaderError::Missing { column } => format!("表头没有 `{column}` 列"),
            HeaderError::UnknownCriterion { number, name, .. } => {
                format!("第 {number} 列 `{name}` 不是评分表里的评分项")
            }
            HeaderError::NoColumn { id } => format!("评分项 `{id}` 没有对应的列"),
            HeaderError::Twice { number, name } => format!("第 {number} 列 `{name}` 重复出现"),
        };
        let hint = match self {
            HeaderError::UnknownCriterion {
                suggestion: Some(s),
                ..
            } => format!("是不是 `{s}`？"),
            _ => format!(
                "表头写成：参赛者,评委[,单位],{}（评分项也可写它的名称；英文表头 entrant,judge[,team] 同样可用）",
                ids.join(",")
            ),
        };
        (message, hint)
    }

    /// What to do about it.
    pub fn hint(&self, rubric: &Rubric) -> String {
        let ids: Vec<&str> = rubric.criteria.iter().map(|c| c.id.as_str()).collect();
        match self {
            HeaderError::UnknownCriterion {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{s}`?"),
            _ => format!(
                "the header is: entrant,judge[,team],{} (参赛者,评委[,单位] and criterion titles are accepted too)",
                ids.join(",")
            ),
        }
    }
}

/// Where each field is in a sheet's rows.
#[derive(Debug, Clone)]
pub struct Columns {
    entrant: usize,
    judge: usize,
    team: Option<usize>,
    /// Per rubric criterion, its column.
    criteria: Vec<usize>,
    width: usize,
}

impl Columns {
    /// Where a mark is: the entrant's, the judge's and each criterion's column (rubric order).
    pub fn marks(&self) -> (usize, usize, &[usize]) {
        (self.entrant, self.judge, &self.criteria)
    }
}

/// Matches a header against the rubric.
pub fn columns(rubric: &Rubric, header: &[String]) -> Result<Columns, HeaderError> {
    let (mut entrant, mut judge, mut team) = (None, None, None);
    let mut criteria: Vec<Option<usize>> = vec![None; rubric.criteria.len()];
    for (i, name) in header.iter().enumerate() {
        let number = i + 1;
        let twice = || HeaderError::Twice {
            number,
            name: name.trim().to_string(),
        };
        if header_is(name, ENTRANT) {
            if entrant.replace(i).is_some() {
                return Err(twice());
            }
        } else if header_is(name, JUDGE) {
            if judge.replace(i).is_some() {
                return Err(twice());
            }
        } else if header_is(name, TEAM) {
            if team.replace(i).is_some() {
                return Err(twice());
            }
        } else if let Some(c) = rubric
            .criteria
            .iter()
            .position(|c| header_is(name, &[c.id.as_str(), c.title.as_str()]))
        {
            if criteria[c].replace(i).is_some() {
                return Err(twice());
            }
        } else {
            let ids: Vec<&str> = rubric.criteria.iter().map(|c| c.id.as_str()).collect();
            return Err(HeaderError::UnknownCriterion {
                number,
                name: name.trim().to_string(),
                suggestion: did_you_mean(name.trim(), &ids).map(str::to_string),
            });
        }
    }
    let entrant = entrant.ok_or(HeaderError::Missing { column: "entrant" })?;
    let judge = judge.ok_or(HeaderError::Missing { column: "judge" })?;
    let criteria = criteria
        .into_iter()
        .zip(&rubric.criteria)
        .map(|(c, r)| c.ok_or_else(|| HeaderError::NoColumn { id: r.id.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Columns {
        entrant,
        judge,
        team,
        criteria,
        width: header.len(),
    })
}

/// Why a row of the sheet does not count.
#[derive(Debug, Clone, PartialEq)]
pub enum RowProblem {
    FieldCount {
        expected: usize,
        got: usize,
    },
    NoEntrant,
    NoJudge,
    UnknownJudge {
        judge: String,
        suggestion: Option<String>,
    },
    Blank {
        criterion: String,
    },
    NotANumber {
        criterion: String,
        text: String,
    },
    Negative {
        criterion: String,
        value: f64,
    },
    OverMax {
        criterion: String,
        value: f64,
        max: f64,
    },
    JudgedTwice {
        judge: String,
        other_line: usize,
    },
    TeamDiffers {
        team: String,
        other_line: usize,
    },
    /// The row is fine but its entrant is not scored (another problem is listed for it).
    EntrantNotScored {
        entrant: String,
    },
    /// Two different marks for a criterion entered once per entrant.
    OnceTwice {
        criterion: String,
        value: f64,
        other: f64,
        other_line: usize,
    },
    /// Some cells say 回避 and others hold marks.
    PartRecused {
        criterion: String,
    },
}

/// Whether a cell says that the judge recuses from the entrant.
pub fn is_recusal(cell: &str) -> bool {
    super::header_is(cell, &["回避", "recused", "recusal"])
}

impl RowProblem {
    /// The problem in Chinese, for a sheet written in Chinese.
    pub fn zh(&self) -> String {
        use crate::bank::fmt_points as p;
        match self {
            RowProblem::FieldCount { expected, got } => {
                format!("这一行有 {got} 个字段，表头有 {expected} 个")
            }
            RowProblem::NoEntrant => "没有参赛者".into(),
            RowProblem::NoJudge => "没有评委".into(),
            RowProblem::UnknownJudge { judge, suggestion } => {
                let guess = guess_suffix(suggestion.as_deref(), Lang::Zh);
                format!("评委 `{judge}` 不在评分细则的评委名单上{guess}")
            }
            RowProblem::Blank { criterion } => format!("`{criterion}` 没有分数"),
            RowProblem::NotANumber { criterion, text } => {
                format!("`{criterion}` 的 `{text}` 不是数字")
            }
            RowProblem::Negative { criterion, value } => {
                format!("`{criterion}` 的 {} 小于 0", p(*value))
            }
            RowProblem::OverMax {
                criterion,
                value,
                max,
            } => format!("`{criterion}` 的 {} 超过满分 {}", p(*value), p(*max)),
            RowProblem::JudgedTwice { judge, other_line } => {
                format!("评委 `{judge}` 给这位参赛者打了两次分（另见第 {other_line} 行）")
            }
            RowProblem::TeamDiffers { team, other_line } => {
                format!("队伍 `{team}` 与第 {other_line} 行的队伍不同")
            }
            RowProblem::EntrantNotScored { entrant } => {
                format!("不计入：`{entrant}` 因上面列出的问题未计分")
            }
            RowProblem::OnceTwice {
                criterion,
                value,
                other,
                other_line,
            } => format!(
                "`{criterion}` 每位参赛者只录一次，这一行是 {}，第 {other_line} 行是 {}",
                p(*value),
                p(*other)
            ),
            RowProblem::PartRecused { criterion } => {
                format!("`{criterion}` 有分数而另一格写着回避：评委回避须整位参赛者回避")
            }
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::bank::fmt_points as p;
        match self {
            RowProblem::FieldCount { expected, got } => {
                write!(f, "{got} fields where the header has {expected}")
            }
            RowProblem::NoEntrant => f.write_str("no entrant"),
            RowProblem::NoJudge => f.write_str("no judge"),
            RowProblem::UnknownJudge { judge, suggestion } => {
                let guess = guess_suffix(suggestion.as_deref(), Lang::En);
                write!(f, "judge `{judge}` is not listed in the rubric{guess}")
            }
            RowProblem::Blank { criterion } => write!(f, "no score for `{criterion}`"),
            RowProblem::NotANumber { criterion, text } => {
                write!(f, "`{text}` for `{criterion}` is not a number")
            }
            RowProblem::Negative { criterion, value } => {
                write!(f, "{} for `{criterion}` is below 0", p(*value))
            }
            RowProblem::OverMax {
                criterion,
                value,
                max,
            } => write!(
                f,
                "{} for `{criterion}` is above its max of {}",
                p(*value),
                p(*max)
            ),
            RowProblem::JudgedTwice { judge, other_line } => write!(
                f,
                "judge `{judge}` scored this entrant twice (also line {other_line})"
            ),
            RowProblem::TeamDiffers { team, other_line } => write!(
                f,
                "team `{team}` differs from the entrant's team on line {other_line}"
            ),
            RowProblem::EntrantNotScored { entrant } => write!(
                f,
                "not counted: `{entrant}` is not scored because of the problem(s) reported for it"
            ),
            RowProblem::OnceTwice {
                criterion,
                value,
                other,
                other_line,
            } => write!(
                f,
                "`{criterion}` is entered once per entrant, but this row says {} and line {other_line} says {}",
                p(*value),
                p(*other)
            ),
            RowProblem::PartRecused { criterion } => write!(
                f,
                "`{criterion}` holds a mark but another cell says 回避: a judge recuses from the whole entrant"
            ),
        }
    }
}

/// A row that does not count, or an entrant's missing judge (line 0: no row).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: usize,
    pub entrant: String,
    pub judge: String,
    pub reason: String,
    /// The reason in Chinese.
    pub reason_zh: String,
    pub raw: String,
}

/// Whether a judge's total counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kept {
    Kept,
    DroppedHigh,
    DroppedLow,
    /// Trimming was per criterion, or a script decided.
    Partly,
    /// The judge recused (回避): no marks for this entrant.
    Recused,
}

impl Kept {
    /// As judges.csv prints it.
    pub fn name(self) -> &'static str {
        match self {
            Kept::Kept => "kept",
            Kept::DroppedHigh => "dropped-high",
            Kept::DroppedLow => "dropped-low",
            Kept::Partly => "per-criterion",
            Kept::Recused => "recused",
        }
    }
}

/// One judge's row for an entrant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgeRow {
    pub judge: String,
    pub line: usize,
    pub scores: Vec<f64>,
    /// Σ weight × score.
    pub total: f64,
    pub kept: Kept,
}

/// One scored entrant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub entrant: String,
    pub team: String,
    pub line: usize,
    pub score: f64,
    /// Per criterion: its weighted share of the score.
    pub criteria: Vec<f64>,
    pub rank: usize,
    pub judges: Vec<JudgeRow>,
    /// The judges who recused (回避) from this entrant.
    pub recused: Vec<String>,
}

/// The outcome of judging a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub scored: Vec<Scored>,
    pub rejected: Vec<Rejected>,
    /// Every judge named on the sheet (or in the rubric), in order of appearance.
    pub judges: Vec<String>,
    /// Entrants not scored.
    pub unscored: Vec<String>,
    /// Rows read.
    pub rows: usize,
}

/// A row as read: its line in the file and its fields.
pub use crate::input::table::Row;

struct Good {
    line: usize,
    raw: String,
    judge: String,
    team: String,
    /// Per criterion; 0 for a `once` criterion and on a recusal row.
    scores: Vec<f64>,
    /// Per criterion: the mark of a `once` criterion, when this row holds it.
    once: Vec<Option<f64>>,
    recused: bool,
}

/// Checks every row, then scores each entrant whose rows are all sound and complete.
/// `script` must define `judge` when the rubric names one.
pub fn judge(
    rubric: &Rubric,
    cols: &Columns,
    rows: &[Row],
    script: Option<&RuleScript>,
) -> Result<Judged, ScriptError> {
    let mut rejected = Vec::new();
    let mut judges: Vec<String> = rubric.judging.judges.clone();
    let listed = !judges.is_empty();
    // Entrants in order of first appearance, with their good rows and whether any row failed.
    let mut order: Vec<String> = Vec::new();
    let mut by_entrant: HashMap<String, (Vec<Good>, bool)> = HashMap::new();
    let raw_of = |fields: &[String]| fields.join(",");
    for (line, fields) in rows {
        let get = |i: usize| fields.get(i).map_or("", |s| s.trim());
        let entrant = get(cols.entrant).to_string();
        let judge = get(cols.judge).to_string();
        let mut reject = |problem: RowProblem| {
            rejected.push(Rejected {
                line: *line,
                entrant: entrant.clone(),
                judge: judge.clone(),
                reason: problem.to_string(),
                reason_zh: problem.zh(),
                raw: raw_of(fields),
            })
        };
        if !entrant.is_empty() && !by_entrant.contains_key(&entrant) {
            order.push(entrant.clone());
            by_entrant.insert(entrant.clone(), (Vec::new(), false));
        }
        if !judge.is_empty() && !listed && !judges.contains(&judge) {
            judges.push(judge.clone());
        }
        let problem = if fields.len() != cols.width {
            Some(RowProblem::FieldCount {
                expected: cols.width,
                got: fields.len(),
            })
        } else if entrant.is_empty() {
            Some(RowProblem::NoEntrant)
        } else if judge.is_empty() {
            Some(RowProblem::NoJudge)
        } else if listed && !judges.contains(&judge) {
            let known: Vec<&str> = judges.iter().map(String::as_str).collect();
            Some(RowProblem::UnknownJudge {
                suggestion: did_you_mean(&judge, &known).map(str::to_string),
                judge: judge.clone(),
            })
        } else {
            None
        };
        if let Some(p) = problem {
            reject(p);
            if let Some(e) = by_entrant.get_mut(&entrant) {
                e.1 = true;
            }
            continue;
        }
        let mut scores = Vec::with_capacity(rubric.criteria.len());
        let mut once = vec![None; rubric.criteria.len()];
        let mut problem = None;
        // A recusal row: every judged cell says 回避 (a `once` mark may stand beside them).
        let recused = rubric
            .criteria
            .iter()
            .zip(&cols.criteria)
            .any(|(c, &col)| !c.once && is_recusal(get(col)));
        for (i, (c, &col)) in rubric.criteria.iter().zip(&cols.criteria).enumerate() {
            let text = get(col);
            if recused && !c.once {
                if !is_recusal(text) && !text.is_empty() {
                    problem = Some(RowProblem::PartRecused {
                        criterion: c.id.clone(),
                    });
                    break;
                }
                scores.push(0.0);
                continue;
            }
            if c.once && text.is_empty() {
                scores.push(0.0);
                continue;
            }
            let v = if text.is_empty() {
                Err(RowProblem::Blank {
                    criterion: c.id.clone(),
                })
            } else {
                match text.parse::<f64>() {
                    Ok(v) if !v.is_finite() => Err(RowProblem::NotANumber {
                        criterion: c.id.clone(),
                        text: text.to_string(),
                    }),
                    Ok(v) if v < 0.0 => Err(RowProblem::Negative {
                        criterion: c.id.clone(),
                        value: v,
                    }),
                    Ok(v) if v > c.max + super::TIE => Err(RowProblem::OverMax {
                        criterion: c.id.clone(),
                        value: v,
                        max: c.max,
                    }),
                    Ok(v) => Ok(v),
                    Err(_) => Err(RowProblem::NotANumber {
                        criterion: c.id.clone(),
                        text: text.to_string(),
                    }),
                }
            };
            match v {
                Ok(v) if c.once => {
                    once[i] = Some(v);
                    scores.push(0.0);
                }
                Ok(v) => scores.push(v),
                Err(p) => {
                    problem = Some(p);
                    break;
                }
            }
        }
        let entry = by_entrant.get_mut(&entrant).expect("inserted above");
        if let Some(p) = problem {
            reject(p);
            entry.1 = true;
            continue;
        }
        let team = cols.team.map_or("", |i| get(i)).to_string();
        entry.0.push(Good {
            line: *line,
            raw: raw_of(fields),
            judge,
            team,
            scores,
            once,
            recused,
        });
    }

    let (drop_high, drop_low) = (rubric.judging.drop_high, rubric.judging.drop_low);
    let mut scored = Vec::new();
    let mut unscored = Vec::new();
    for entrant in order {
        let (good, mut failed) = by_entrant.remove(&entrant).expect("listed");
        let mut own = Vec::new();
        let reject_row = |g: &Good, p: RowProblem| Rejected {
            line: g.line,
            entrant: entrant.clone(),
            judge: g.judge.clone(),
            reason: p.to_string(),
            reason_zh: p.zh(),
            raw: g.raw.clone(),
        };
        // A judge twice: both rows are reported, neither is chosen.
        let mut twice = vec![false; good.len()];
        for i in 0..good.len() {
            for k in 0..good.len() {
                if i != k && good[i].judge == good[k].judge {
                    twice[i] = true;
                    own.push(reject_row(
                        &good[i],
                        RowProblem::JudgedTwice {
                            judge: good[i].judge.clone(),
                            other_line: good[k].line,
                        },
                    ));
                    break;
                }
            }
        }
        if let Some(first) = good.first() {
            for g in good.iter().filter(|g| g.team != first.team) {
                own.push(reject_row(
                    g,
                    RowProblem::TeamDiffers {
                        team: g.team.clone(),
                        other_line: first.line,
                    },
                ));
            }
        }
        let missing: Vec<&String> = judges
            .iter()
            .filter(|j| !good.iter().any(|g| &g.judge == *j))
            .filter(|j| {
                !rejected
                    .iter()
                    .any(|r| r.entrant == entrant && &r.judge == *j)
            })
            .collect();
        for j in &missing {
            own.push(Rejected {
                line: 0,
                entrant: entrant.clone(),
                judge: (*j).clone(),
                reason: format!("judge `{j}` gave no score for `{entrant}`"),
                reason_zh: format!("评委 `{j}` 没有给 `{entrant}` 打分"),
                raw: String::new(),
            });
        }
        // A `once` criterion: one mark for the entrant, on any of its rows.
        let mut once_marks: Vec<Option<f64>> = vec![None; rubric.criteria.len()];
        for (c, k) in rubric.criteria.iter().enumerate().filter(|(_, k)| k.once) {
            let mut first: Option<(f64, usize)> = None;
            for g in &good {
                let Some(v) = g.once[c] else { continue };
                match first {
                    None => first = Some((v, g.line)),
                    Some((w, line)) if (w - v).abs() > super::TIE => own.push(reject_row(
                        g,
                        RowProblem::OnceTwice {
                            criterion: k.id.clone(),
                            value: v,
                            other: w,
                            other_line: line,
                        },
                    )),
                    Some(_) => {}
                }
            }
            match first {
                Some((v, _)) => once_marks[c] = Some(v),
                None if !good.is_empty() => own.push(Rejected {
                    line: good[0].line,
                    entrant: entrant.clone(),
                    judge: String::new(),
                    reason: format!(
                        "no mark for `{}` (entered once per entrant) on any row of `{entrant}`",
                        k.id
                    ),
                    reason_zh: format!(
                        "`{}` 每位参赛者录一次分，但 `{entrant}` 的各行都没有",
                        k.id
                    ),
                    raw: String::new(),
                }),
                None => {}
            }
        }
        let recused: Vec<String> = good
            .iter()
            .filter(|g| g.recused)
            .map(|g| g.judge.clone())
            .collect();
        let n = good.len() - recused.len();
        let too_few = if script.is_some() {
            n == 0
        } else {
            n <= drop_high + drop_low
        };
        if own.is_empty() && !failed && too_few {
            let (after, after_zh) = if recused.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!(" after 回避 of {}", recused.join(", ")),
                    format!("（{} 回避后）", recused.join("、")),
                )
            };
            own.push(Rejected {
                line: good.first().map_or(0, |g| g.line),
                entrant: entrant.clone(),
                judge: String::new(),
                reason: format!(
                    "{n} judge(s) for `{entrant}`{after}, but drop_high + drop_low = {}: nothing would be left",
                    drop_high + drop_low
                ),
                reason_zh: format!(
                    "`{entrant}` 有 {n} 位评委{after_zh}，而去掉的最高分和最低分共 {} 个：不剩分数",
                    drop_high + drop_low
                ),
                raw: String::new(),
            });
        }
        failed |= !own.is_empty();
        if failed {
            let listed_lines: Vec<usize> = own.iter().map(|r| r.line).collect();
            for (g, _) in good.iter().zip(&twice).filter(|(_, t)| !**t) {
                if !listed_lines.contains(&g.line) {
                    own.push(reject_row(
                        g,
                        RowProblem::EntrantNotScored {
                            entrant: entrant.clone(),
                        },
                    ));
                }
            }
            rejected.extend(own);
            unscored.push(entrant);
            continue;
        }
        let mut rows: Vec<JudgeRow> = good
            .iter()
            .filter(|g| !g.recused)
            .map(|g| JudgeRow {
                judge: g.judge.clone(),
                line: g.line,
                total: rubric
                    .criteria
                    .iter()
                    .zip(&g.scores)
                    .map(|(c, s)| c.weight * s)
                    .sum(),
                scores: g.scores.clone(),
                kept: Kept::Kept,
            })
            .collect();
        let (mut score, mut criteria) = match script {
            Some(s) => {
                for r in &mut rows {
                    r.kept = Kept::Partly;
                }
                let judged_max: f64 = rubric
                    .criteria
                    .iter()
                    .filter(|c| !c.once)
                    .map(|c| c.weight * c.max)
                    .sum();
                let score = s.judge(&sheets(rubric, &rows), &entrant, judged_max)?;
                let criteria = rubric
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(c, k)| k.weight * mean(rows.iter().map(|r| r.scores[c])))
                    .collect();
                (score, criteria)
            }
            None => trimmed(rubric, &mut rows, drop_high, drop_low),
        };
        for (c, k) in rubric.criteria.iter().enumerate() {
            if let Some(v) = once_marks[c] {
                criteria[c] = k.weight * v;
                score += k.weight * v;
            }
        }
        rows.extend(good.iter().filter(|g| g.recused).map(|g| JudgeRow {
            judge: g.judge.clone(),
            line: g.line,
            scores: Vec::new(),
            total: 0.0,
            kept: Kept::Recused,
        }));
        rows.sort_by_key(|r| r.line);
        scored.push(Scored {
            team: match (rubric.entrant, good[0].team.as_str()) {
                (super::Entrant::Team, "") => entrant.clone(),
                (_, t) => t.to_string(),
            },
            entrant,
            line: good[0].line,
            score,
            criteria,
            rank: 0,
            judges: rows,
            recused,
        });
    }
    let ranks = ranks(&scored.iter().map(|s| s.score).collect::<Vec<_>>());
    for (s, r) in scored.iter_mut().zip(ranks) {
        s.rank = r;
    }
    scored.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.line.cmp(&b.line)));
    rejected.sort_by_key(|r| (r.line == 0, r.line));
    Ok(Judged {
        scored,
        rejected,
        judges,
        unscored,
        rows: rows.len(),
    })
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Drops the highest and lowest judges' totals (or marks per criterion) and averages the rest.
fn trimmed(
    rubric: &Rubric,
    rows: &mut [JudgeRow],
    drop_high: usize,
    drop_low: usize,
) -> (f64, Vec<f64>) {
    let n = rows.len();
    match rubric.judging.trim {
        Trim::Total => {
            // Ties between totals: the judge who comes first on the sheet is dropped first, so
            // the same sheet always keeps the same judges.
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| rows[a].total.total_cmp(&rows[b].total).then(a.cmp(&b)));
            for &i in &order[..drop_low] {
                rows[i].kept = Kept::DroppedLow;
            }
            for &i in &order[n - drop_high..] {
                rows[i].kept = Kept::DroppedHigh;
            }
            let kept = || rows.iter().filter(|r| r.kept == Kept::Kept);
            let score = mean(kept().map(|r| r.total));
            let criteria = rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(c, k)| k.weight * mean(kept().map(|r| r.scores[c])))
                .collect();
            (score, criteria)
        }
        Trim::Criterion => {
            for r in rows.iter_mut() {
                r.kept = Kept::Partly;
            }
            let criteria: Vec<f64> = rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(c, k)| {
                    let mut marks: Vec<f64> = rows.iter().map(|r| r.scores[c]).collect();
                    marks.sort_by(f64::total_cmp);
                    k.weight * mean(marks[drop_low..n - drop_high].iter().copied())
                })
                .collect();
            (criteria.iter().sum(), criteria)
        }
    }
}

/// The `judge` hook's argument: one map per judge.
fn sheets(rubric: &Rubric, rows: &[JudgeRow]) -> Vec<(String, Vec<(String, f64)>)> {
    rows.iter()
        .map(|r| {
            (
                r.judge.clone(),
                rubric
                    .criteria
                    .iter()
                    .zip(r.scores.iter().copied())
                    .filter(|(c, _)| !c.once)
                    .map(|(c, v)| (c.id.clone(), v))
                    .collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(extra: &str) -> Rubric {
        Rubric::parse(
            "r.toml",
            &format!(
                "[event]\ntitle = \"t\"\n[[criterion]]\nid = \"a\"\nmax = 10\n[[criterion]]\nid = \"b\"\nmax = 20\n[judging]\n{extra}"
            ),
        )
        .unwrap()
    }

    fn sheet(text: &str) -> (Vec<String>, Vec<Row>) {
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .enumerate()
            .map(|(i, l)| (i + 2, l.split(',').map(str::to_string).collect()))
            .collect();
        (header, rows)
    }

    #[test]
    fn drop_high_and_low_of_the_totals() {
        let r = rubric("drop_high = 1\ndrop_low = 1");
        let (h, rows) = sheet("entrant,judge,a,b\nx,j1,10,20\nx,j2,5,10\nx,j3,8,16\nx,j4,6,12");
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        // Totals 30, 15, 24, 18: drop 30 and 15, mean of 24 and 18 = 21.
        assert_eq!(j.scored[0].score, 21.0);
        assert_eq!(j.scored[0].criteria, vec![7.0, 14.0]);
        let kept: Vec<Kept> = j.scored[0].judges.iter().map(|r| r.kept).collect();
        assert_eq!(
            kept,
            vec![Kept::DroppedHigh, Kept::DroppedLow, Kept::Kept, Kept::Kept]
        );
    }

    #[test]
    fn per_criterion_trimming_can_differ_from_trimming_totals() {
        let r = rubric("drop_high = 1\ndrop_low = 1\ntrim = \"criterion\"");
        let (h, rows) = sheet("entrant,judge,a,b\nx,j1,10,0\nx,j2,0,20\nx,j3,5,10");
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        // a: 0 5 10 → 5; b: 0 10 20 → 10. Per total (10, 20, 15) it would be 15 as well, from j3 alone.
        assert_eq!(j.scored[0].score, 15.0);
        assert_eq!(j.scored[0].criteria, vec![5.0, 10.0]);
    }

    #[test]
    fn bad_rows_are_reported_and_their_entrant_not_scored() {
        let r = rubric("");
        let (h, rows) = sheet(
            "entrant,judge,a,b\nx,j1,10,20\nx,j2,11,3\ny,j1,1,2\ny,j1,2,2\ny,j2,1,1\nz,j1,1,q\nz,j2,1,1\nw,j1,1,1",
        );
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        assert!(j.scored.is_empty());
        assert_eq!(j.unscored, vec!["x", "y", "z", "w"]);
        let reason = |line: usize| {
            j.rejected
                .iter()
                .find(|r| r.line == line)
                .map(|r| r.reason.clone())
                .unwrap()
        };
        assert_eq!(reason(3), "11 for `a` is above its max of 10");
        assert!(reason(2).starts_with("not counted"));
        assert_eq!(
            reason(4),
            "judge `j1` scored this entrant twice (also line 5)"
        );
        assert_eq!(
            reason(5),
            "judge `j1` scored this entrant twice (also line 4)"
        );
        assert_eq!(reason(7), "`q` for `b` is not a number");
        assert!(j
            .rejected
            .iter()
            .any(|r| r.line == 0 && r.reason == "judge `j2` gave no score for `w`"));
        // Every row is accounted for.
        for (line, _) in &rows {
            assert!(j.rejected.iter().any(|r| r.line == *line), "line {line}");
        }
    }

    #[test]
    fn a_judge_hook_outside_the_points_available_is_an_error() {
        let r = rubric("");
        let (h, rows) = sheet("entrant,judge,a,b\nx,j1,10,20");
        let script = RuleScript::compile("j.rhai", "fn judge(sheets) { 31 }").unwrap();
        let e = judge(&r, &columns(&r, &h).unwrap(), &rows, Some(&script)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "rule script `j.rhai`: `judge` returned 31 for entrant `x`; expected a number from 0 to 30"
        );
        let script = RuleScript::compile(
            "j.rhai",
            "fn judge(sheets) { sheets[0].scores.a + sheets[0].scores.b / 2.0 }",
        )
        .unwrap();
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, Some(&script)).unwrap();
        assert_eq!(j.scored[0].score, 20.0);
    }

    #[test]
    fn unknown_columns_are_named_with_a_suggestion() {
        let r = rubric("");
        let h: Vec<String> = ["entrant", "judge", "a", "bb"].map(String::from).to_vec();
        let e = columns(&r, &h).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 4 `bb` is not a criterion of the rubric"
        );
        assert_eq!(e.hint(&r), "did you mean `b`?");
    }

    #[test]
    fn a_recused_judge_is_left_out_and_the_trim_applies_to_the_others() {
        let r = rubric("drop_high = 1\ndrop_low = 1");
        let (h, rows) = sheet(
            "entrant,judge,a,b\nx,j1,10,20\nx,j2,回避,回避\nx,j3,8,16\nx,j4,6,12\nx,j5,5,10\ny,j1,1,1\ny,j2,1,回避\ny,j3,1,1\ny,j4,1,1\ny,j5,1,1",
        );
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        // x: j2 recused; totals 30 24 18 15 → drop 30 and 15 → (24 + 18) / 2 = 21.
        assert_eq!(j.scored[0].entrant, "x");
        assert_eq!(j.scored[0].score, 21.0);
        assert_eq!(j.scored[0].recused, ["j2"]);
        let kept: Vec<Kept> = j.scored[0].judges.iter().map(|r| r.kept).collect();
        assert_eq!(
            kept,
            [
                Kept::DroppedHigh,
                Kept::Recused,
                Kept::Kept,
                Kept::Kept,
                Kept::DroppedLow
            ]
        );
        // y: a mark beside 回避 is not guessed at.
        assert_eq!(j.unscored, ["y"]);
        assert!(j.rejected.iter().any(|r| r.line == 8
            && r.reason == "`a` holds a mark but another cell says 回避: a judge recuses from the whole entrant"));
        // Too few judges left after 回避: an error naming the entrant.
        let (h, rows) = sheet("entrant,judge,a,b\nz,j1,1,1\nz,j2,recused,recused\nz,j3,2,2");
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        assert_eq!(j.unscored, ["z"]);
        assert_eq!(
            j.rejected[0].reason,
            "2 judge(s) for `z` after 回避 of j2, but drop_high + drop_low = 2: nothing would be left"
        );
    }

    #[test]
    fn a_criterion_entered_once_is_added_untrimmed() {
        let r = Rubric::parse(
            "r.toml",
            "[event]\ntitle = \"t\"\n[[criterion]]\nid = \"a\"\nmax = 10\n[[criterion]]\nid = \"vote\"\nmax = 20\nonce = true\n[judging]\ndrop_high = 1\ndrop_low = 1",
        )
        .unwrap();
        let (h, rows) = sheet(
            "entrant,judge,a,vote\nx,j1,10,\nx,j2,6,17\nx,j3,8,\ny,j1,1,5\ny,j2,1,6\ny,j3,1,\nw,j1,1,\nw,j2,1,\nw,j3,1,",
        );
        let j = judge(&r, &columns(&r, &h).unwrap(), &rows, None).unwrap();
        // x: the judges' 10 6 8 → 8, plus the vote 17 = 25.
        assert_eq!(j.scored[0].score, 25.0);
        assert_eq!(j.scored[0].criteria, [8.0, 17.0]);
        assert_eq!(j.unscored, ["y", "w"]);
        let reason = |line| {
            j.rejected
                .iter()
                .find(|r| r.line == line)
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(
            reason(6),
            "`vote` is entered once per entrant, but this row says 6 and line 5 says 5"
        );
        assert_eq!(
            reason(8),
            "no mark for `vote` (entered once per entrant) on any row of `w`"
        );
    }
}

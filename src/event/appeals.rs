//! Appeals (复核): decided changes to one item's score or one judge's mark, each with its reason,
//! applied on every run and recorded in a change log. One file for the whole project:
//!
//! ```toml
//! [[appeal]]
//! candidate = "2026001"     # a written exam: the candidate …
//! item = 12                 # … the printed item number (or the question id) …
//! score = 2                 # … and the item's new points
//! reason = "复核：第2空“笔录”可接受"
//! date = 2026-12-01         # when it was decided
//! by = "张三"               # who decided (optional)
//!
//! [[appeal]]
//! entrant = "一支队"         # a judged event: the entrant …
//! judge = "J3"              # … the judge …
//! criterion = "c1"          # … the criterion (its id or title) …
//! mark = 8.5                # … and the judge's new mark
//! reason = "评分录入错误"
//! date = 2026-12-01
//! event = "现场执法比武"     # optional: only the event (rubric or exam title) of that name
//! ```
//!
//! `grade --appeals` applies the exam appeals, `judge --appeals` the judged ones; an appeal
//! with `event` applies only to the run of that title. Pure: the caller reads the file.

use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Lang, Location};
use crate::input::table::Row;
use crate::input::toml::TomlDoc;
use crate::law::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The decision recorded with every appeal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub reason: String,
    pub date: Date,
    pub by: String,
}

/// A written exam's appeal: one item of one candidate gets new points.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamAppeal {
    /// Where the appeal is written (its `[[appeal]]` header).
    pub at: Location,
    /// Where its candidate, item and score are written, for errors about each.
    pub candidate_at: Location,
    pub item_at: Location,
    pub score_at: Location,
    pub event: Option<String>,
    pub candidate: String,
    /// The printed item number or the question id, as written.
    pub item: String,
    pub score: f64,
    pub decision: Decision,
}

/// A judged event's appeal: one judge's mark on one criterion of one entrant is changed.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkAppeal {
    pub at: Location,
    pub event: Option<String>,
    pub entrant: String,
    pub judge: String,
    /// The criterion's id or title, as written.
    pub criterion: String,
    pub mark: f64,
    pub decision: Decision,
}

/// Every appeal of a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Appeals {
    pub exam: Vec<ExamAppeal>,
    pub marks: Vec<MarkAppeal>,
    /// The language the file is written in: the words of the messages about its appeals.
    pub lang: Lang,
}

impl Appeals {
    /// The exam appeals that apply to the exam titled `title`.
    pub fn for_exam<'a>(&'a self, title: &'a str) -> impl Iterator<Item = &'a ExamAppeal> + 'a {
        self.exam
            .iter()
            .filter(move |a| a.event.as_deref().is_none_or(|e| e == title))
    }

    /// The judged appeals that apply to the event titled `title`.
    pub fn for_event<'a>(&'a self, title: &'a str) -> impl Iterator<Item = &'a MarkAppeal> + 'a {
        self.marks
            .iter()
            .filter(move |a| a.event.as_deref().is_none_or(|e| e == title))
    }
}

/// An id written as text or as a bare number (`candidate = 2026001`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Name {
    Text(String),
    Number(i64),
}

impl Name {
    fn text(self) -> String {
        match self {
            Name::Text(s) => s.trim().to_string(),
            Name::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[serde(default)]
    appeal: Vec<AppealIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppealIn {
    candidate: Option<Name>,
    entrant: Option<Name>,
    item: Option<Name>,
    score: Option<f64>,
    judge: Option<Name>,
    criterion: Option<Name>,
    mark: Option<f64>,
    reason: Option<String>,
    date: Option<Date>,
    by: Option<String>,
    event: Option<String>,
}

/// A key of an appeal and whether it is written.
type Given = (&'static str, bool);

/// Reads an appeals file; every problem is reported at its `file:line:col` with a hint, in
/// Chinese when the file is written in Chinese.
pub fn parse(file: &str, text: &str) -> Result<Appeals, Diagnostics> {
    let lang = Lang::of_toml(text);
    check(file, text, lang).map_err(|d| d.in_language(lang))
}

fn check(file: &str, text: &str, lang: Lang) -> Result<Appeals, Diagnostics> {
    let doc = TomlDoc::parse(file, text)?;
    let raw: FileIn = doc.deserialize()?;
    let mut out = Appeals {
        lang,
        ..Appeals::default()
    };
    let mut errors = Vec::new();
    // (candidate, item) or (entrant, judge, criterion) → where first decided.
    let mut seen: HashMap<(Option<String>, String, String, String), usize> = HashMap::new();
    for (i, a) in raw.appeal.into_iter().enumerate() {
        let path = |key: &str| format!("appeal[{i}].{key}");
        let at = doc.location(doc.key_span(&format!("appeal[{i}]")).map_or(0, |s| s.start));
        let mut bad = |key: &str, message: String, hint: &str, zh: (String, String)| {
            errors.push(doc.error(&path(key), message, hint).zh(zh.0, zh.1));
        };
        let reason = a.reason.map(|r| r.trim().to_string()).unwrap_or_default();
        if reason.is_empty() {
            bad(
                "reason",
                "an appeal needs its reason".into(),
                "add `reason = \"复核：…\"`: the change log and the published results show it",
                (
                    "申诉缺少复核理由".into(),
                    "加上 `reason = \"复核：…\"`：变更记录和公布的成绩里都会写明".into(),
                ),
            );
        }
        let Some(date) = a.date else {
            bad(
                "date",
                "an appeal needs the date it was decided".into(),
                "add `date = 2026-12-01`",
                (
                    "申诉缺少复核决定的日期".into(),
                    "加上 `date = 2026-12-01`".into(),
                ),
            );
            continue;
        };
        let decision = Decision {
            reason,
            date,
            by: a.by.map(|b| b.trim().to_string()).unwrap_or_default(),
        };
        let exam_keys = [
            ("item", a.item.is_some()),
            ("score", a.score.is_some()),
            ("candidate", a.candidate.is_some()),
        ];
        let judged_keys = [
            ("judge", a.judge.is_some()),
            ("criterion", a.criterion.is_some()),
            ("mark", a.mark.is_some()),
            ("entrant", a.entrant.is_some()),
        ];
        let judged = a.entrant.is_some() || a.judge.is_some() || a.criterion.is_some();
        let (wrong, needed, form, form_zh): (&[Given], &[Given], &str, &str) = if judged {
            (
                &exam_keys,
                &judged_keys,
                "a judged event's appeal names entrant, judge, criterion and mark",
                "评审类赛项的申诉写明 entrant（参赛者）、judge（评委）、criterion（评分项）和 mark（复核后的分数）",
            )
        } else {
            (
                &judged_keys,
                &exam_keys,
                "an exam appeal names candidate, item and score",
                "考试的申诉写明 candidate（考生）、item（题号）和 score（复核后的得分）",
            )
        };
        let mut broken = false;
        for (key, _) in wrong.iter().filter(|(_, given)| *given) {
            broken = true;
            bad(
                key,
                format!("`{key}` does not belong in this appeal"),
                &format!("{form}; write two [[appeal]] tables for two changes"),
                (
                    format!("这条申诉里不该有 `{key}`"),
                    format!("{form_zh}；两处改动写两个 [[appeal]] 表"),
                ),
            );
        }
        for (key, _) in needed.iter().filter(|(_, given)| !*given) {
            broken = true;
            errors.push(
                doc.error(
                    &format!("appeal[{i}]"),
                    format!("the appeal has no `{key}`"),
                    form,
                )
                .zh(format!("这条申诉缺少 `{key}`"), form_zh),
            );
        }
        let points = if judged { a.mark } else { a.score };
        if let Some(p) = points.filter(|p| !p.is_finite() || *p < 0.0) {
            broken = true;
            let key = if judged { "mark" } else { "score" };
            errors.push(
                doc.error(
                    &path(key),
                    format!("`{key} = {p}` is below 0"),
                    "give the new points, 0 or more",
                )
                .zh(format!("`{key} = {p}` 小于 0"), "写复核后的分数，0 或以上"),
            );
        }
        if broken {
            continue;
        }
        let event = a.event.map(|e| e.trim().to_string());
        let text = |n: Option<Name>| n.map(Name::text).unwrap_or_default();
        let key = if judged {
            (
                event.clone(),
                text(a.entrant),
                text(a.judge),
                text(a.criterion),
            )
        } else {
            (
                event.clone(),
                text(a.candidate),
                text(a.item),
                String::new(),
            )
        };
        if let Some(first) = seen.get(&key) {
            errors.push(
                doc.error(
                    &format!("appeal[{i}]"),
                    format!(
                        "a second appeal for the same {} (the first is at line {first})",
                        if judged { "mark" } else { "item" }
                    ),
                    "keep one decision per item or mark: edit the first one",
                )
                .zh(
                    format!(
                        "同一{}的第二条申诉（第一条在第 {first} 行）",
                        if judged { "评分" } else { "题" }
                    ),
                    "每道题或每个评分只留一个复核决定：改第一条",
                ),
            );
            continue;
        }
        seen.insert(key.clone(), at.line);
        let (_, who, what, criterion) = key;
        if judged {
            out.marks.push(MarkAppeal {
                at,
                event,
                entrant: who,
                judge: what,
                criterion,
                mark: points.unwrap_or_default(),
                decision,
            });
        } else {
            out.exam.push(ExamAppeal {
                at,
                candidate_at: doc.locate(&path("candidate")),
                item_at: doc.locate(&path("item")),
                score_at: doc.locate(&path("score")),
                event,
                candidate: who,
                item: what,
                score: points.unwrap_or_default(),
                decision,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics::new(file, errors))
    }
}

/// Where a judges' sheet holds what a mark appeal names.
#[derive(Debug, Clone)]
pub struct MarkColumns {
    pub entrant: usize,
    pub judge: usize,
    /// Per criterion: its id, its title, its column and its maximum.
    pub criteria: Vec<(String, String, usize, f64)>,
}

/// A mark changed by an appeal, for the change log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkChange {
    pub entrant: String,
    pub judge: String,
    pub criterion: String,
    /// The sheet's line the mark is on.
    pub line: usize,
    /// The mark as the sheet had it.
    pub old: String,
    pub new: f64,
    #[serde(flatten)]
    pub decision: Decision,
}

/// Applies mark appeals to a judges' sheet (its data rows), before the marks are combined: each
/// appeal replaces one judge's mark on one criterion of one entrant. An appeal naming an entrant,
/// judge or criterion the sheet does not have, or a mark above the criterion's maximum, is an
/// error at the appeal.
pub fn apply_marks<'a>(
    appeals: impl IntoIterator<Item = &'a MarkAppeal>,
    cols: &MarkColumns,
    rows: &mut [Row],
) -> Result<Vec<MarkChange>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let field = |r: &Row, i: usize| r.1.get(i).map_or("", |s| s.trim()).to_string();
    for a in appeals {
        let fail = |message: String, hint: String, zh: (String, String)| {
            Diagnostic::error(Some(a.at.clone()), message)
                .with_hint(hint)
                .zh(zh.0, zh.1)
        };
        let Some(c) = cols
            .criteria
            .iter()
            .find(|c| c.0 == a.criterion || c.1 == a.criterion)
        else {
            let ids: Vec<&str> = cols.criteria.iter().map(|c| c.0.as_str()).collect();
            errors.push(fail(
                format!("criterion `{}` is not in the rubric", a.criterion),
                near(&a.criterion, &ids, "criteria"),
                (
                    format!("评分表里没有评分项 `{}`", a.criterion),
                    near_zh(&a.criterion, &ids, "评分项"),
                ),
            ));
            continue;
        };
        if a.mark > c.3 + 1e-9 {
            errors.push(fail(
                format!(
                    "mark {} is above `{}`'s max of {}",
                    crate::bank::fmt_points(a.mark),
                    c.0,
                    crate::bank::fmt_points(c.3)
                ),
                "give a mark between 0 and the criterion's max".into(),
                (
                    format!(
                        "分数 {} 超过了 `{}` 的满分 {}",
                        crate::bank::fmt_points(a.mark),
                        c.0,
                        crate::bank::fmt_points(c.3)
                    ),
                    "分数在 0 和该评分项的满分之间".into(),
                ),
            ));
            continue;
        }
        let found: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                field(&rows[i], cols.entrant) == a.entrant && field(&rows[i], cols.judge) == a.judge
            })
            .collect();
        let Some(&i) = found.first() else {
            let mut entrants: Vec<String> = rows.iter().map(|r| field(r, cols.entrant)).collect();
            entrants.dedup();
            if !entrants.contains(&a.entrant) {
                let names: Vec<&str> = entrants.iter().map(String::as_str).collect();
                errors.push(fail(
                    format!("entrant `{}` is not on the judges' sheet", a.entrant),
                    near(&a.entrant, &names, "entrants"),
                    (
                        format!("评委打分表上没有参赛者 `{}`", a.entrant),
                        near_zh(&a.entrant, &names, "参赛者"),
                    ),
                ));
            } else {
                let mut judges: Vec<String> = rows
                    .iter()
                    .filter(|r| field(r, cols.entrant) == a.entrant)
                    .map(|r| field(r, cols.judge))
                    .collect();
                judges.sort();
                judges.dedup();
                let names: Vec<&str> = judges.iter().map(String::as_str).collect();
                errors.push(fail(
                    format!("judge `{}` has no row for `{}`", a.judge, a.entrant),
                    near(&a.judge, &names, "judges of this entrant"),
                    (
                        format!("评委 `{}` 没有给 `{}` 打分的行", a.judge, a.entrant),
                        near_zh(&a.judge, &names, "给该参赛者打分的评委"),
                    ),
                ));
            }
            continue;
        };
        let row = &mut rows[i];
        if row.1.len() <= c.2 {
            row.1.resize(c.2 + 1, String::new());
        }
        let old = std::mem::replace(&mut row.1[c.2], crate::bank::fmt_points(a.mark));
        changes.push(MarkChange {
            entrant: a.entrant.clone(),
            judge: a.judge.clone(),
            criterion: c.0.clone(),
            line: row.0,
            old: old.trim().to_string(),
            new: a.mark,
            decision: a.decision.clone(),
        });
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// "did you mean …?", else the names there are.
pub fn near(name: &str, known: &[&str], what: &str) -> String {
    match did_you_mean(name, known) {
        Some(k) => format!("did you mean `{k}`?"),
        None if known.len() <= 12 => format!("the {what}: {}", known.join(", ")),
        None => format!("the {what} include {}, …", known[..12].join(", ")),
    }
}

/// [`near`] in Chinese.
pub fn near_zh(name: &str, known: &[&str], what: &str) -> String {
    match did_you_mean(name, known) {
        Some(k) => format!("是不是 `{k}`？"),
        None if known.len() <= 12 => format!("{what}有：{}", known.join("、")),
        None => format!("{what}有 {} 等", known[..12].join("、")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAM: &str = "[[appeal]]\ncandidate = \"2026001\"\nitem = 12\nscore = 2\n\
        reason = \"复核：第2空“笔录”可接受\"\ndate = 2026-12-01\nby = \"张三\"\n";

    #[test]
    fn mistakes_are_told_in_the_language_of_the_file() {
        let zh = EXAM.replace("date = 2026-12-01\n", "");
        let e = parse("a.toml", &zh).unwrap_err();
        assert_eq!(e.len(), 1);
        let d = e.iter().next().unwrap();
        assert_eq!(d.location.as_ref().unwrap().line, 1, "{d}");
        assert_eq!(d.shown_message(), "申诉缺少复核决定的日期");
        assert_eq!(d.shown_hint(), Some("加上 `date = 2026-12-01`"));
        let en = zh
            .replace("复核：第2空“笔录”可接受", "Review: blank 2 accepted")
            .replace("张三", "Zhang San");
        let e = parse("a.toml", &en).unwrap_err();
        let d = e.iter().next().unwrap();
        assert_eq!(d.shown_message(), "an appeal needs the date it was decided");
        assert_eq!(d.shown_hint(), Some("add `date = 2026-12-01`"));
    }

    #[test]
    fn an_exam_appeal_is_read_with_its_decision() {
        let a = parse("appeals.toml", EXAM).unwrap();
        assert_eq!(a.exam.len(), 1);
        let e = &a.exam[0];
        assert_eq!((e.candidate.as_str(), e.item.as_str()), ("2026001", "12"));
        assert_eq!(e.score, 2.0);
        assert_eq!(e.decision.date.to_string(), "2026-12-01");
        assert_eq!(e.decision.by, "张三");
        assert_eq!(e.at.line, 1);
        assert_eq!(
            (e.candidate_at.line, e.item_at.line, e.score_at.line),
            (2, 3, 4)
        );
    }

    #[test]
    fn every_mistake_is_located_with_a_hint() {
        let text = "[[appeal]]\ncandidate = 2026001\nitem = 3\nscroe = 2\nreason = \"x\"\ndate = 2026-12-01\n";
        let e = parse("a.toml", text).unwrap_err();
        assert_eq!(e.len(), 1);
        let d = e.iter().next().unwrap();
        assert_eq!(d.location.as_ref().unwrap().line, 4);
        assert_eq!(d.hint.as_deref(), Some("did you mean `score`?"));

        let text = "[[appeal]]\ncandidate = \"1\"\nitem = 3\nscore = 2\njudge = \"J1\"\nreason = \"\"\ndate = 2026-12-01\n";
        let e = parse("a.toml", text).unwrap_err();
        let lines: Vec<usize> = e
            .iter()
            .map(|d| d.location.as_ref().unwrap().line)
            .collect();
        // No reason (line 6); a judge in an exam appeal makes it a judged one missing its
        // criterion, mark and entrant, with item, score and candidate out of place.
        assert!(lines.contains(&6), "{e}");
        assert!(e.to_string().contains("an appeal needs its reason"), "{e}");

        let twice = format!("{EXAM}{EXAM}");
        let e = parse("a.toml", &twice).unwrap_err();
        // EXAM is written in Chinese: so is the message.
        assert_eq!(
            e.to_string(),
            "a.toml:8:1: 同一题的第二条申诉（第一条在第 1 行）"
        );
        assert_eq!(
            e.iter().next().unwrap().message,
            "a second appeal for the same item (the first is at line 1)"
        );
    }

    fn sheet() -> (MarkColumns, Vec<Row>) {
        let rows = vec![
            (
                2,
                vec!["一支队".into(), "J1".into(), "8".into(), "9".into()],
            ),
            (
                3,
                vec!["一支队".into(), "J3".into(), "6".into(), "9".into()],
            ),
            (
                4,
                vec!["二支队".into(), "J1".into(), "7".into(), "7".into()],
            ),
        ];
        let cols = MarkColumns {
            entrant: 0,
            judge: 1,
            criteria: vec![
                ("c1".into(), "程序".into(), 2, 10.0),
                ("c2".into(), "文书".into(), 3, 10.0),
            ],
        };
        (cols, rows)
    }

    #[test]
    fn a_mark_appeal_replaces_one_judges_mark() {
        let text = "[[appeal]]\nentrant = \"一支队\"\njudge = \"J3\"\ncriterion = \"程序\"\nmark = 8.5\nreason = \"录入错误\"\ndate = 2026-12-01\n";
        let a = parse("a.toml", text).unwrap();
        let (cols, mut rows) = sheet();
        let changes = apply_marks(a.for_event("x"), &cols, &mut rows).unwrap();
        assert_eq!(rows[1].1[2], "8.5");
        assert_eq!(rows[0].1[2], "8");
        assert_eq!(
            (changes[0].line, changes[0].old.as_str(), changes[0].new),
            (3, "6", 8.5)
        );
        assert_eq!(changes[0].criterion, "c1");
    }

    #[test]
    fn a_mark_appeal_naming_nothing_on_the_sheet_is_an_error() {
        let text = "[[appeal]]\nentrant = \"一支队\"\njudge = \"J2\"\ncriterion = \"c1\"\nmark = 8\nreason = \"r\"\ndate = 2026-12-01\n\n\
            [[appeal]]\nentrant = \"三支队\"\njudge = \"J1\"\ncriterion = \"c1\"\nmark = 8\nreason = \"r\"\ndate = 2026-12-01\n\n\
            [[appeal]]\nentrant = \"一支队\"\njudge = \"J1\"\ncriterion = \"c3\"\nmark = 8\nreason = \"r\"\ndate = 2026-12-01\n\n\
            [[appeal]]\nentrant = \"一支队\"\njudge = \"J1\"\ncriterion = \"c1\"\nmark = 11\nreason = \"r\"\ndate = 2026-12-01\n";
        let a = parse("a.toml", text).unwrap();
        let (cols, mut rows) = sheet();
        let e = apply_marks(&a.marks, &cols, &mut rows).unwrap_err();
        let got: Vec<String> = e
            .iter()
            .map(|d| format!("{}: {}", d.location.as_ref().unwrap().line, d.message))
            .collect();
        assert_eq!(
            got,
            [
                "1: judge `J2` has no row for `一支队`",
                "9: entrant `三支队` is not on the judges' sheet",
                "17: criterion `c3` is not in the rubric",
                "25: mark 11 is above `c1`'s max of 10",
            ]
        );
        assert_eq!(e[1].hint.as_deref(), Some("did you mean `一支队`?"));
    }

    #[test]
    fn an_appeal_with_an_event_applies_to_that_event_alone() {
        let text = format!("{EXAM}event = \"闭卷考试\"\n");
        let a = parse("a.toml", &text).unwrap();
        assert_eq!(a.for_exam("闭卷考试").count(), 1);
        assert_eq!(a.for_exam("另一场").count(), 0);
    }
}

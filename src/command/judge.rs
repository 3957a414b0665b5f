//! `examforge judge`: a judged event's score sheet → results in the shape `grade` writes;
//! `--forms` prints blank judging forms (评分表).

use super::print;
use super::say::Say;
use super::script::{load_script, reported};
use crate::bank::fmt_points;
use crate::cli::{FormsPer, JudgeArgs};
use crate::error::ExitCode;
use crate::event::appeals;
use crate::event::judging::{self, Judged};
use crate::event::{header_is, Entrant, Rubric};
use crate::input::diagnostic::Lang;
use crate::input::table;
use crate::io::output::OutputSet;
use crate::render::Source;
use crate::score::script::Hook;
use crate::Error;
use std::path::Path;

const OUTPUTS: [&str; 5] = [
    "results.csv",
    "results.json",
    "judges.csv",
    "rejected.csv",
    "changes.csv",
];

/// Runs `judge`.
pub fn run(a: &JudgeArgs) -> Result<ExitCode, Error> {
    let rubric = read_rubric(&a.rubric)?;
    if a.forms {
        return forms(a, &rubric);
    }
    let scores = a
        .scores
        .as_ref()
        .expect("clap requires scores without --forms");
    let out = OutputSet::new(&a.out.output, a.out.force, "judge");
    out.check_free(&OUTPUTS)?;
    let mut inputs: Vec<&Path> = vec![scores, &a.rubric];
    inputs.extend(a.appeals.as_deref());
    super::refuse_overwriting_inputs(&out, &OUTPUTS, &inputs)?;
    // A script's error is told in the rubric's language.
    let rubric_lang = Lang::of_text(&rubric.title);
    let script = match &rubric.judging.script {
        Some(rel) => Some(load_script(&a.rubric, rel, Hook::Judge, rubric_lang)?),
        None => None,
    };
    let shown = scores.display().to_string();
    let mut t = table::read(scores)?;
    let lang = t.lang();
    let cols = judging::columns(&rubric, &t.header).map_err(|e| {
        let (message, hint) = e.zh(&rubric);
        Error::row(&shown, t.header_line, e.to_string(), e.hint(&rubric))
            .zh(message, hint)
            .in_language(t.lang())
    })?;
    let changes = match &a.appeals {
        Some(p) => apply_appeals(p, &rubric, &cols, &mut t.rows)?,
        None => Vec::new(),
    };
    let judged = judging::judge(&rubric, &cols, &t.rows, script.as_ref());
    super::show_script_log(script.as_ref());
    let judged = judged.map_err(|e| Error::from(e).in_language(rubric_lang))?;

    out.write("results.csv", &results_csv(&rubric, &judged))?;
    let json = serde_json::json!({
        "event": rubric.title,
        "entrant": rubric.entrant.name(),
        "rubric": a.rubric.display().to_string(),
        "scores": shown,
        "encoding": t.encoding.to_string(),
        "rules": rubric.judging.script,
        "judging": rubric.judging,
        "criteria": rubric.criteria,
        "judges": judged.judges,
        "appeals": changes,
        "summary": {
            "rows": judged.rows,
            "scored": judged.scored.len(),
            "not_scored": judged.unscored,
            "rejected": judged.rejected.iter().filter(|r| r.line > 0).count(),
        },
        "sections": rubric.criteria.iter().map(|c| &c.title).collect::<Vec<_>>(),
        "candidates": judged.scored.iter().map(|s| serde_json::json!({
            "line": s.line,
            "id": s.entrant,
            "name": s.entrant,
            "team": s.team,
            "paper": "",
            "score": s.score,
            "max": rubric.max(),
            "sections": s.criteria,
            "pass": null,
            "grade": null,
            "rank": s.rank,
            "duplicate": false,
            "judges": s.judges,
            "recused": s.recused,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&json).expect("json");
    text.push('\n');
    out.write("results.json", text.as_bytes())?;
    out.write("judges.csv", &judges_csv(&rubric, &judged))?;
    out.write("rejected.csv", &rejected_csv(&judged, lang))?;
    out.write("changes.csv", &changes_csv(&changes))?;
    out.commit()?;
    summary(
        Say::new(lang),
        &shown,
        &t.encoding.to_string(),
        &rubric,
        &judged,
        changes.len(),
    );
    Say::new(lang).wrote(OUTPUTS.map(|n| out.shown(n).display().to_string()));
    Ok(if judged.rejected.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Rejected
    })
}

/// The closing lines: what was read and scored, each 回避, and why anything was not scored.
fn summary(s: Say, shown: &str, encoding: &str, rubric: &Rubric, judged: &Judged, appeals: usize) {
    let problems = judged.rejected.iter().filter(|r| r.line > 0).count();
    s.head(shown, encoding);
    s.count(s.pick("rows", "行数"), judged.rows, "");
    s.count(s.pick("judges", "评委"), judged.judges.len(), "");
    s.count(s.pick("scored", "已计分"), judged.scored.len(), "");
    if appeals > 0 {
        s.count(
            s.pick("appeals", "复核改分"),
            appeals,
            s.pick(
                "marks changed (复核): see changes.csv",
                "因复核而改的分：见 changes.csv",
            ),
        );
    }
    for e in judged.scored.iter().filter(|e| !e.recused.is_empty()) {
        let marked = e.judges.len() - e.recused.len();
        let (h, l) = (rubric.judging.drop_high, rubric.judging.drop_low);
        let how = match (rubric.judging.script.is_some(), s.zh()) {
            (true, false) => format!("the script judged the marks of {marked} judge(s)"),
            (true, true) => format!("由规则脚本根据 {marked} 位评委的分数评定"),
            (false, false) => format!(
                "{marked} judge(s) marked; the highest {h} and lowest {l} dropped among them, the mean of {} kept",
                marked - h - l
            ),
            (false, true) => format!(
                "{marked} 位评委打分，去掉其中最高 {h} 个、最低 {l} 个，取其余 {} 个的平均",
                marked - h - l
            ),
        };
        if s.zh() {
            s.item(
                "回避",
                format!("{} 回避 `{}`：{how}", e.recused.join("、"), e.entrant),
            );
        } else {
            s.item(
                "回避",
                format!("{} for `{}`: {how}", e.recused.join(", "), e.entrant),
            );
        }
    }
    if !judged.rejected.is_empty() {
        let names = judged.unscored.join(s.pick(", ", "、"));
        let why = if s.zh() {
            format!("{names}；rejected.csv 中有 {problems} 行")
        } else {
            format!("{names}; {problems} row(s) in rejected.csv")
        };
        s.count(s.pick("not scored", "未计分"), judged.unscored.len(), &why);
        for r in &judged.rejected {
            let at = if r.line > 0 {
                format!("{shown}:{}", r.line)
            } else {
                shown.to_string()
            };
            eprintln!("{at}: {}", if s.zh() { &r.reason_zh } else { &r.reason });
        }
    }
}

/// Applies the appeals of `path` that concern this event to the sheet's rows.
fn apply_appeals(
    path: &Path,
    rubric: &Rubric,
    cols: &judging::Columns,
    rows: &mut [table::Row],
) -> Result<Vec<appeals::MarkChange>, Error> {
    let shown = path.display().to_string();
    let found = appeals::parse(&shown, &crate::io::read::text(path)?)?;
    let (entrant, judge, criteria) = cols.marks();
    let mc = appeals::MarkColumns {
        entrant,
        judge,
        criteria: rubric
            .criteria
            .iter()
            .zip(criteria)
            .map(|(c, &col)| (c.id.clone(), c.title.clone(), col, c.max))
            .collect(),
    };
    appeals::apply_marks(found.for_event(&rubric.title), &mc, rows).map_err(|d| {
        crate::input::diagnostic::Diagnostics::new(&shown, d)
            .in_language(found.lang)
            .into()
    })
}

/// changes.csv: each mark an appeal changed, old → new, why, when, by whom.
fn changes_csv(changes: &[appeals::MarkChange]) -> Vec<u8> {
    let mut rows = vec![[
        "entrant",
        "judge",
        "criterion",
        "line",
        "old",
        "new",
        "reason",
        "date",
        "by",
    ]
    .map(String::from)
    .to_vec()];
    for c in changes {
        rows.push(vec![
            c.entrant.clone(),
            c.judge.clone(),
            c.criterion.clone(),
            c.line.to_string(),
            c.old.clone(),
            fmt_points(c.new),
            c.decision.reason.clone(),
            c.decision.date.to_string(),
            c.decision.by.clone(),
        ]);
    }
    crate::io::output::csv(&rows)
}

/// Reads and checks a rubric, printing its diagnostics.
fn read_rubric(path: &Path) -> Result<Rubric, Error> {
    let shown = path.display().to_string();
    let text = crate::io::read::text(path)?;
    Rubric::parse(&shown, &text).map_err(|d| reported(&d, &shown))
}

/// results.csv with grade's columns; the sections are the criteria.
fn results_csv(rubric: &Rubric, j: &Judged) -> Vec<u8> {
    let mut header: Vec<String> = ["candidate", "name", "team", "paper", "score", "max"]
        .map(String::from)
        .to_vec();
    header.extend(rubric.criteria.iter().map(|c| c.title.clone()));
    header.extend(["rank", "pass", "grade", "duplicate", "line"].map(String::from));
    let mut rows = vec![header];
    for s in &j.scored {
        let mut r = vec![
            s.entrant.clone(),
            s.entrant.clone(),
            s.team.clone(),
            String::new(),
            fmt_points(s.score),
            fmt_points(rubric.max()),
        ];
        r.extend(s.criteria.iter().map(|c| fmt_points(*c)));
        r.extend([
            s.rank.to_string(),
            String::new(),
            String::new(),
            "false".into(),
            s.line.to_string(),
        ]);
        rows.push(r);
    }
    crate::io::output::csv(&rows)
}

/// Every judge's marks for every scored entrant, and whether the total counted.
fn judges_csv(rubric: &Rubric, j: &Judged) -> Vec<u8> {
    let mut header: Vec<String> = ["entrant", "judge", "line"].map(String::from).to_vec();
    header.extend(rubric.criteria.iter().map(|c| c.id.clone()));
    header.extend(["total", "kept"].map(String::from));
    let mut rows = vec![header];
    for s in &j.scored {
        for r in &s.judges {
            let mut rec = vec![s.entrant.clone(), r.judge.clone(), r.line.to_string()];
            if r.kept == judging::Kept::Recused {
                rec.extend(rubric.criteria.iter().map(|_| "回避".to_string()));
                rec.extend([String::new(), r.kept.name().to_string()]);
            } else {
                // A criterion entered once is the entrant's, not the judge's.
                rec.extend(rubric.criteria.iter().zip(&r.scores).map(|(c, v)| {
                    if c.once {
                        String::new()
                    } else {
                        fmt_points(*v)
                    }
                }));
                rec.extend([fmt_points(r.total), r.kept.name().to_string()]);
            }
            rows.push(rec);
        }
    }
    crate::io::output::csv(&rows)
}

fn rejected_csv(j: &Judged, lang: Lang) -> Vec<u8> {
    let mut rows = vec![["line", "entrant", "judge", "reason", "raw"]
        .map(String::from)
        .to_vec()];
    for r in &j.rejected {
        rows.push(vec![
            if r.line > 0 {
                r.line.to_string()
            } else {
                String::new()
            },
            r.entrant.clone(),
            r.judge.clone(),
            if lang == Lang::Zh {
                r.reason_zh.clone()
            } else {
                r.reason.clone()
            },
            r.raw.clone(),
        ]);
    }
    crate::io::output::csv(&rows)
}

/// The judges named on the forms: `--judges 5` (评委1 … 评委5), or their names; one unnamed
/// judge without it.
fn judge_names(arg: Option<&str>) -> Result<Vec<String>, Error> {
    Ok(match arg.map(str::trim) {
        None | Some("") => vec![String::new()],
        Some(s) => match s.parse::<usize>() {
            Ok(0) => {
                return Err(Error::usage(
                    "`--judges 0`: no forms to print",
                    "give the number of judges or their names, e.g. --judges 5",
                ))
            }
            Ok(n) => (1..=n).map(|i| format!("评委{i}")).collect(),
            Err(_) => s.split([',', '，']).map(|j| j.trim().to_string()).collect(),
        },
    })
}

/// How the score is made from the judges' marks, as the form tells the judges (none for a
/// scripted `judge` hook).
fn trimming_rule(rubric: &Rubric) -> String {
    if rubric.judging.script.is_some() {
        return String::new();
    }
    let n = crate::render::chinese_number;
    let mut parts = Vec::new();
    if rubric.judging.drop_high > 0 {
        parts.push(format!("{}个最高分", n(rubric.judging.drop_high)));
    }
    if rubric.judging.drop_low > 0 {
        parts.push(format!("{}个最低分", n(rubric.judging.drop_low)));
    }
    let per = if rubric.judging.trim == crate::event::rubric::Trim::Criterion {
        "各项评分"
    } else {
        "各评委总分"
    };
    if parts.is_empty() {
        format!("取{per}的平均分")
    } else {
        format!("{per}去掉{}后取平均分", parts.join("、"))
    }
}

/// The running order, kept beside the forms (with the seed that drew it).
const ORDER: &str = "order.csv";

/// The random stream of the running order (a draw's papers use others).
const RUNNING_ORDER: u64 = 0x006f_7264_6572;

/// `--forms`: one 评分表 per judge (listing every entrant) or per entrant.
fn forms(a: &JudgeArgs, rubric: &Rubric) -> Result<ExitCode, Error> {
    let mut entrants = match &a.entrants {
        Some(p) => read_entrants(p)?,
        None => Vec::new(),
    };
    // The running order, drawn by the seed: the same seed and entrants give the same order.
    if let Some(seed) = a.seed {
        crate::draw::rng::Rng::new(seed, RUNNING_ORDER).shuffle(&mut entrants);
    }
    let judges = judge_names(a.judges.as_deref())?;
    if a.per == FormsPer::Entrant && entrants.is_empty() {
        return Err(Error::usage(
            "one form per entrant needs the entrants",
            "pass --entrants FILE.csv",
        ));
    }
    let entrant_label = if rubric.entrant == Entrant::Team {
        "参赛队"
    } else {
        "参赛者"
    };
    // Per judge: the rows are the entrants; per entrant: the rows are the judges, who sign.
    let forms: Vec<serde_json::Value> = match a.per {
        FormsPer::Judge => judges
            .iter()
            .map(|j| {
                serde_json::json!({
                    "label": "评委", "who": j, "row_label": entrant_label,
                    "rows": entrants, "sign": false,
                    "order": null,
                })
            })
            .collect(),
        FormsPer::Entrant => entrants
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let rows: Vec<&str> = judges
                    .iter()
                    .map(String::as_str)
                    .filter(|j| !j.is_empty())
                    .collect();
                serde_json::json!({
                    "label": entrant_label, "who": e, "row_label": "评委",
                    "rows": rows, "sign": true,
                    "order": a.seed.map(|_| i + 1),
                })
            })
            .collect(),
    };
    // A criterion entered once per entrant (a network vote) is not the judges' to mark.
    let criteria: Vec<serde_json::Value> = rubric
        .criteria
        .iter()
        .filter(|c| !c.once)
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "title": c.title,
                "max": fmt_points(c.max),
                "weight": fmt_points(c.weight),
                "weighted": c.weight != 1.0,
                "description": c.description,
            })
        })
        .collect();
    let trimming = trimming_rule(rubric);
    let templates = print::templates(&a.print)?;
    // The forms are Chinese (forms.typ.j2 sets `lang: "zh"`).
    let printer = print::Printer::of(&a.print, true);
    let ctx = minijinja::context! {
        event => serde_json::json!({
            "title": rubric.title,
            "organiser": rubric.organiser,
            "date": rubric.date,
            "max": fmt_points(rubric.max()),
            "trimming": trimming,
        }),
        criteria => criteria,
        forms => forms,
        per => if a.per == FormsPer::Judge { "judge" } else { "entrant" },
        seed => a.seed,
        fonts => printer.fonts(),
    };
    let text = templates.render("forms.typ.j2", minijinja::Value::from_serialize(&ctx))?;
    let sources = vec![Source {
        name: "forms.typ".into(),
        text,
    }];
    let out = OutputSet::new(&a.out.output, a.out.force, "judge --forms");
    let mut names = print::names(&sources, &a.print);
    if a.seed.is_some() {
        names.push(ORDER.into());
    }
    out.check_free(&names)?;
    if let Some(seed) = a.seed {
        let mut rows = vec![vec!["出场顺序".to_string(), "参赛者".into(), "seed".into()]];
        rows.extend(
            entrants
                .iter()
                .enumerate()
                .map(|(i, e)| vec![(i + 1).to_string(), e.clone(), seed.to_string()]),
        );
        out.write(ORDER, &crate::io::output::csv(&rows))?;
    }
    printer.write(&sources, &out)?;
    let file = out.shown(if a.print.sources_only() {
        "forms.typ"
    } else {
        "forms.pdf"
    });
    if Lang::of_text(&rubric.title) == Lang::Zh {
        eprintln!("已写出 {} 份评分表：{}", forms.len(), file.display());
    } else {
        eprintln!("wrote {} form(s) to {}", forms.len(), file.display());
    }
    Ok(ExitCode::Success)
}

/// The entrants of a CSV: its entrant/参赛者/team/单位/name/姓名 column, else its first column.
fn read_entrants(path: &Path) -> Result<Vec<String>, Error> {
    let t = table::read(path)?;
    let col = [
        "entrant",
        "参赛者",
        "参赛队",
        "team",
        "单位",
        "name",
        "姓名",
    ]
    .iter()
    .find_map(|a| t.header.iter().position(|h| header_is(h, &[a])))
    .unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    for (line, fields) in &t.rows {
        let e = fields.get(col).map_or("", |s| s.trim());
        if e.is_empty() {
            return Err(Error::row(
                path.display(),
                *line,
                "no entrant",
                "every row names one entrant",
            )
            .zh("没有参赛者", "每一行写一个参赛者")
            .in_language(t.lang()));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_string());
        }
    }
    Ok(out)
}

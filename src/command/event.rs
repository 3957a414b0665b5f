//! `examforge event run|status EVENT.toml`: the whole training as one project. Each step (an
//! exam graded, a contest judged, the standings, the certificates, the published results) is
//! run by the verb that does it, into the staging folder of one output set; a step whose inputs
//! (file contents, its part of the event file, the examforge version, the steps it reads) hash
//! as on the last run is carried over instead. The set is put in place at the end, so an error
//! leaves the previous outputs whole; outputs no longer produced go with the old set.

use super::say::Say;
use super::script::reported;
use crate::cli::{
    CertificatesArgs, EventArgs, FormsPer, GradeArgs, JudgeArgs, OutputDir, PrintFormat,
    PrintOptions, Printing, StandingsArgs,
};
use crate::digest::sha256_hex;
use crate::error::ExitCode;
use crate::event::certificates::{award, Certificate};
use crate::event::project::{Paper, PathAt, Project};
use crate::event::publish::{self, EventResults, JudgeMark, JudgedRow, Row};
use crate::event::standings::{EventSpec, Standings};
use crate::input::diagnostic::Diagnostic;
use crate::io::output::OutputSet;
use crate::render::Source;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Said of a step whose verb exited 3.
const INCOMPLETE: &str = "with rows rejected or items awaiting arbitration (仲裁): see its rejected.csv and arbitration.csv; what depends on it is provisional";
const INCOMPLETE_ZH: &str =
    "有拒收的行或待仲裁的题：见它的 rejected.csv 和 arbitration.csv；依赖它的结果是暂定的";

/// The state of the last run, in the output folder: per step, what its hash covered.
pub const STATE: &str = ".examforge-event.json";

/// The examforge version a step's hash covers; for a step that prints, with the embedded
/// templates (a new template prints differently under the same version number).
fn version(kind: Kind) -> String {
    let v = env!("CARGO_PKG_VERSION");
    if !matches!(kind, Kind::Certificates | Kind::Publish) {
        return v.to_string();
    }
    let mut all = String::new();
    for (name, text) in crate::render::DEFAULT_TEMPLATES {
        all.push_str(name);
        all.push_str(text);
    }
    format!("{v}+{}", &sha256_hex(all.as_bytes())[..12])
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exam,
    Contest,
    Standings,
    Certificates,
    Publish,
}

/// An input of a step: a file or folder.
enum Input {
    File(PathBuf),
}

/// One step of the plan; its output folder is its id.
struct Step {
    id: String,
    kind: Kind,
    /// (name shown, input), in a fixed order.
    inputs: Vec<(String, Input)>,
    /// The steps whose outputs it reads.
    deps: Vec<String>,
    part: serde_json::Value,
}

/// A step as the state file records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Record {
    hash: String,
    version: String,
    part: String,
    inputs: BTreeMap<String, String>,
    deps: BTreeMap<String, String>,
    /// Its outputs, relative to the output folder.
    files: Vec<String>,
    /// It ran with rejected rows or items awaiting arbitration (its verb's exit status 3).
    #[serde(default)]
    incomplete: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    steps: BTreeMap<String, Record>,
}

/// The run's setting: the event, its folder, the output folder and how to print.
struct Ctx {
    /// The event file as given.
    shown: String,
    project: Project,
    base: PathBuf,
    out: PathBuf,
    printing: Printing,
    templates: Option<PathBuf>,
}

fn load(a: &EventArgs) -> Result<Ctx, Error> {
    let shown = a.event.display().to_string();
    let text = crate::io::read::text(&a.event)?;
    let project = Project::parse(&shown, &text).map_err(|d| reported(&d, &shown))?;
    let base = a
        .event
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let out = a.output.clone().unwrap_or_else(|| base.join("out"));
    // The templates the printing steps use are an input of theirs: name them explicitly.
    let templates = a
        .print
        .templates
        .clone()
        .or_else(|| Some(base.join("templates")).filter(|d| d.is_dir()))
        .or_else(|| Some(PathBuf::from("templates")).filter(|d| d.is_dir()));
    let mut printing = a.print.clone();
    printing.templates = templates.clone();
    Ok(Ctx {
        shown,
        project,
        base,
        out,
        printing,
        templates,
    })
}

/// Checks that every file the event names exists, each error at its place in the event file.
fn check_files(ctx: &Ctx) -> Result<(), Error> {
    let p = &ctx.project;
    let mut paths: Vec<&PathAt> = Vec::new();
    paths.extend(p.roster.iter());
    for e in &p.exams {
        paths.push(match &e.paper {
            Paper::Manifest(m) => m,
            Paper::Blueprint { blueprint, .. } => blueprint,
        });
        paths.push(&e.answers);
        paths.extend(
            e.manual
                .iter()
                .chain(&e.rules)
                .chain(&e.csv_layout)
                .chain(&e.appeals),
        );
    }
    for c in &p.contests {
        paths.extend([&c.rubric, &c.scores]);
        paths.extend(c.appeals.iter());
    }
    paths.extend(p.quizzes.iter().map(|q| &q.scores));
    if let Some(s) = &p.standings {
        paths.extend(s.script.iter());
    }
    let missing: Vec<Diagnostic> = paths
        .into_iter()
        .filter(|pa| !ctx.base.join(&pa.path).exists())
        .map(|pa| {
            let shown = ctx.base.join(&pa.path).display().to_string();
            Diagnostic::error(Some(pa.at.clone()), format!("`{shown}` does not exist"))
                .with_hint("paths in the event file are relative to it")
                .zh(
                    format!("`{shown}` 不存在"),
                    "赛事文件里的路径从赛事文件所在的文件夹算起",
                )
                .in_language(p.input_language)
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(reported(&missing, &ctx.shown))
    }
}

/// The steps in the order they run (each after the steps it reads).
fn plan(ctx: &Ctx) -> Result<Vec<Step>, Error> {
    let p = &ctx.project;
    let file = |pa: &PathAt| Input::File(ctx.base.join(&pa.path));
    let mut steps = Vec::new();
    for e in &p.exams {
        let mut inputs = Vec::new();
        match &e.paper {
            Paper::Manifest(m) => inputs.push((m.path.clone(), file(m))),
            Paper::Blueprint { blueprint, .. } => {
                // What the draw reads (the seed is in the step's part of the event file): the
                // paper is drawn when the step runs, not to find out whether it must.
                for f in super::draw::draw_inputs(&ctx.base.join(&blueprint.path))? {
                    let name = f
                        .strip_prefix(&ctx.base)
                        .unwrap_or(&f)
                        .to_string_lossy()
                        .replace('\\', "/");
                    inputs.push((name, Input::File(f)));
                }
            }
        }
        inputs.push((e.answers.path.clone(), file(&e.answers)));
        for pa in e
            .manual
            .iter()
            .chain(&e.rules)
            .chain(&e.csv_layout)
            .chain(&e.appeals)
            .chain(&p.roster)
        {
            inputs.push((pa.path.clone(), file(pa)));
        }
        steps.push(Step {
            id: e.id.clone(),
            kind: Kind::Exam,
            inputs,
            deps: Vec::new(),
            part: p.part(&e.id),
        });
    }
    for c in &p.contests {
        steps.push(Step {
            id: c.id.clone(),
            kind: Kind::Contest,
            inputs: [&c.rubric, &c.scores]
                .into_iter()
                .chain(&c.appeals)
                .map(|pa| (pa.path.clone(), file(pa)))
                .collect(),
            deps: Vec::new(),
            part: p.part(&c.id),
        });
    }
    let quiz_inputs = |ids: &[&str]| -> Vec<(String, Input)> {
        p.quizzes
            .iter()
            .filter(|q| ids.contains(&q.id.as_str()))
            .map(|q| (q.scores.path.clone(), file(&q.scores)))
            .collect()
    };
    let graded: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
    let event_part = p.part("event");
    if let Some(s) = &p.standings {
        let ids: Vec<&str> = s.events.iter().map(|(i, _, _)| i.as_str()).collect();
        let mut inputs = quiz_inputs(&ids);
        inputs.extend(
            s.script
                .iter()
                .chain(&p.roster)
                .map(|pa| (pa.path.clone(), file(pa))),
        );
        steps.push(Step {
            id: "standings".into(),
            kind: Kind::Standings,
            inputs,
            deps: graded
                .iter()
                .filter(|g| ids.contains(&g.as_str()))
                .cloned()
                .collect(),
            part: serde_json::json!({"standings": p.part("standings"), "event": event_part}),
        });
    }
    let template_input = || -> Vec<(String, Input)> {
        ctx.templates
            .iter()
            .map(|t| (t.display().to_string(), Input::File(t.clone())))
            .collect()
    };
    if p.certificates.is_some() {
        steps.push(Step {
            id: "certificates".into(),
            kind: Kind::Certificates,
            inputs: template_input(),
            deps: vec!["standings".into()],
            part: p.part("certificates"),
        });
    }
    let all: Vec<&str> = p.quizzes.iter().map(|q| q.id.as_str()).collect();
    let mut inputs = quiz_inputs(&all);
    inputs.extend(template_input());
    let mut deps = graded;
    if p.standings.is_some() {
        deps.push("standings".into());
    }
    steps.push(Step {
        id: "publish".into(),
        kind: Kind::Publish,
        inputs,
        deps,
        part: serde_json::json!({"event": event_part, "certificates": p.part("certificates"), "quizzes": p.quizzes.iter().map(|q| p.part(&q.id)).collect::<Vec<_>>()}),
    });
    Ok(steps)
}

/// The digest of a file, or of a folder's files (names and contents, in order).
fn digest(input: &Input) -> Result<String, Error> {
    match input {
        Input::File(p) if p.is_dir() => {
            let mut files = Vec::new();
            walk(p, p, &mut files)?;
            files.sort();
            let mut all = String::new();
            for f in files {
                all.push_str(&format!(
                    "{f}\t{}\n",
                    sha256_hex(&crate::io::read::bytes(&p.join(&f))?)
                ));
            }
            Ok(sha256_hex(all.as_bytes()))
        }
        Input::File(p) => Ok(sha256_hex(&crate::io::read::bytes(p)?)),
    }
}

/// Files under `dir`, relative to `root`, `/`-separated; examforge's own records and staging
/// folders left out.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    let rd = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in rd.flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with(".examforge-") {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            let rel = p.strip_prefix(root).expect("under root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The record a step would have if it ran now (without its files).
fn record(step: &Step, done: &BTreeMap<String, Record>) -> Result<Record, Error> {
    let mut inputs = BTreeMap::new();
    for (name, i) in &step.inputs {
        inputs.insert(name.clone(), digest(i)?);
    }
    let deps: BTreeMap<String, String> = step
        .deps
        .iter()
        .map(|d| {
            (
                d.clone(),
                done.get(d).map_or(String::new(), |r| r.hash.clone()),
            )
        })
        .collect();
    let part = sha256_hex(step.part.to_string().as_bytes());
    let whole = serde_json::json!({
        "id": step.id, "version": version(step.kind), "part": part, "inputs": inputs, "deps": deps,
    });
    Ok(Record {
        hash: sha256_hex(whole.to_string().as_bytes()),
        version: version(step.kind),
        part,
        inputs,
        deps,
        files: Vec::new(),
        incomplete: false,
    })
}

/// Why a step must run, or `None` when its last outputs stand.
fn why(now: &Record, last: Option<&Record>, out: &Path, say: Say) -> Option<String> {
    let zh = say.zh();
    let Some(last) = last else {
        return Some(say.pick("never run", "从未运行").into());
    };
    if last.hash == now.hash {
        return last.files.iter().find(|f| !out.join(f).exists()).map(|f| {
            if zh {
                format!("输出 `{f}` 不见了")
            } else {
                format!("its output `{f}` is missing")
            }
        });
    }
    if last.version != now.version {
        let (a, b) = (&last.version, &now.version);
        return Some(if zh {
            format!("examforge 版本变了（{a} → {b}）")
        } else {
            format!("examforge changed ({a} → {b})")
        });
    }
    let said = |en: String, cn: String| if zh { cn } else { en };
    let mut reasons = Vec::new();
    for (name, d) in &now.inputs {
        match last.inputs.get(name) {
            None => reasons.push(said(format!("`{name}` is new"), format!("`{name}` 是新的"))),
            Some(old) if old != d => {
                reasons.push(said(format!("`{name}` changed"), format!("`{name}` 改了")))
            }
            _ => {}
        }
    }
    for name in last.inputs.keys() {
        if !now.inputs.contains_key(name) {
            reasons.push(said(
                format!("`{name}` is no longer read"),
                format!("不再读 `{name}`"),
            ));
        }
    }
    if last.part != now.part {
        reasons.push(
            say.pick(
                "its part of the event file changed",
                "赛事文件中它那一部分改了",
            )
            .into(),
        );
    }
    for (dep, h) in &now.deps {
        if last.deps.get(dep) != Some(h) {
            reasons.push(said(format!("`{dep}` changed"), format!("`{dep}` 改了")));
        }
    }
    if reasons.is_empty() {
        reasons.push(say.pick("its setting changed", "它的设置改了").into());
    }
    Some(reasons.join(say.pick(", ", "，")))
}

fn read_state(out: &Path) -> Option<State> {
    let bytes = std::fs::read(out.join(STATE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Runs `event status`: what is out of date and why; exit 0 when everything is up to date.
pub fn status(a: &EventArgs) -> Result<ExitCode, Error> {
    let ctx = load(a)?;
    check_files(&ctx)?;
    let steps = plan(&ctx)?;
    let state = read_state(&ctx.out).unwrap_or_default();
    let mut now: BTreeMap<String, Record> = BTreeMap::new();
    let mut stale = 0;
    let say = Say::new(ctx.project.input_language);
    let up_to_date = say.pick("up to date", "已是最新");
    let incomplete = say.pick(INCOMPLETE, INCOMPLETE_ZH);
    for s in &steps {
        let r = record(s, &now)?;
        let last = state.steps.get(&s.id);
        match why(&r, last, &ctx.out, say) {
            None if last.is_some_and(|l| l.incomplete) => {
                println!(
                    "{:<14} {up_to_date}{}{incomplete}",
                    s.id,
                    say.pick(", ", "，")
                )
            }
            None => println!("{:<14} {up_to_date}", s.id),
            Some(reason) => {
                stale += 1;
                println!(
                    "{:<14} {}{reason}",
                    s.id,
                    say.pick("out of date: ", "过期：")
                );
            }
        }
        now.insert(s.id.clone(), r);
    }
    for id in state.steps.keys() {
        if !steps.iter().any(|s| s.id == *id) {
            stale += 1;
            println!(
                "{id:<14} {}",
                say.pick(
                    "no longer in the event: its outputs go on the next run",
                    "已不在赛事中：下次运行时删去它的输出"
                )
            );
        }
    }
    Ok(if stale == 0 {
        ExitCode::Success
    } else {
        let event = a.event.display();
        if say.zh() {
            println!("{stale} 步过期：运行 `examforge event run {event}`");
        } else {
            println!("{stale} step(s) out of date: run `examforge event run {event}`");
        }
        ExitCode::OutOfDate
    })
}

/// Runs `event run`.
pub fn run(a: &EventArgs) -> Result<ExitCode, Error> {
    let ctx = load(a)?;
    check_files(&ctx)?;
    let state = read_state(&ctx.out);
    if state.is_none() && !a.force && folder_has_files(&ctx.out) {
        return Err(Error::input(
            format!(
                "`{}` holds files that no event run wrote",
                ctx.out.display()
            ),
            "choose another folder with -o, or pass --force to replace them",
        )
        .zh(
            format!("`{}` 里有不是 event run 写的文件", ctx.out.display()),
            "用 -o 换一个文件夹，或加 --force 替换它们",
        )
        .in_language(ctx.project.input_language));
    }
    let state = state.unwrap_or_default();
    let steps = plan(&ctx)?;
    let out = OutputSet::new(&ctx.out, true, "event");
    let stage = out.stage_dir()?;
    let mut done: BTreeMap<String, Record> = BTreeMap::new();
    let mut code = ExitCode::Success;
    let say = Say::new(ctx.project.input_language);
    for s in &steps {
        let mut r = record(s, &done)?;
        let last = state.steps.get(&s.id);
        match why(&r, last, &ctx.out, say) {
            None => {
                let last = last.expect("a step up to date was run before");
                for f in &last.files {
                    let to = out.claim(f)?;
                    let from = ctx.out.join(f);
                    if std::fs::hard_link(&from, &to).is_err() {
                        std::fs::copy(&from, &to).map_err(|source| Error::Write {
                            path: to.clone(),
                            source,
                        })?;
                    }
                }
                r.files = last.files.clone();
                r.incomplete = last.incomplete;
                eprintln!("{:<14} {}", s.id, say.pick("up to date", "已是最新"));
            }
            Some(reason) => {
                eprintln!("{:<14} {}{reason}", s.id, say.pick("running: ", "运行："));
                let c = run_step(&ctx, s, &stage).inspect_err(|_| {
                    let kept = ctx.out.display();
                    if say.zh() {
                        eprintln!(
                            "{:<14} 失败：这次运行的结果一概不留；{kept} 中的输出保持原样",
                            s.id
                        );
                    } else {
                        eprintln!(
                            "{:<14} failed: nothing of this run is kept; the outputs in {kept} stay as they were",
                            s.id
                        );
                    }
                })?;
                r.incomplete = c == ExitCode::Rejected;
                let dir = stage.join(&s.id);
                let mut files = Vec::new();
                if dir.is_dir() {
                    walk(&dir, &dir, &mut files)?;
                }
                files.sort();
                for f in &files {
                    out.claim(&format!("{}/{f}", s.id))?;
                }
                r.files = files.iter().map(|f| format!("{}/{f}", s.id)).collect();
                eprintln!("{:<14} {}", s.id, say.pick("ran", "已运行"));
            }
        }
        if r.incomplete {
            code = ExitCode::Rejected;
            eprintln!("{:<14} {}", s.id, say.pick(INCOMPLETE, INCOMPLETE_ZH));
        }
        done.insert(s.id.clone(), r);
    }
    let mut json = serde_json::to_string_pretty(&State { steps: done }).expect("json");
    json.push('\n');
    out.write(STATE, json.as_bytes())?;
    out.commit()?;
    if say.zh() {
        eprintln!("赛事的输出已是最新，在 {}", ctx.out.display());
    } else {
        eprintln!(
            "the event's outputs are up to date in {}",
            ctx.out.display()
        );
    }
    Ok(code)
}

fn folder_has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}

fn print_options(ctx: &Ctx) -> PrintOptions {
    PrintOptions {
        print: ctx.printing.clone(),
        format: PrintFormat::Pdf,
        typ_only: false,
    }
}

fn into(stage: &Path, id: &str) -> OutputDir {
    OutputDir {
        output: stage.join(id),
        force: true,
    }
}

/// Runs one step by the verb that does it, into `stage/<id>/`.
fn run_step(ctx: &Ctx, s: &Step, stage: &Path) -> Result<ExitCode, Error> {
    let p = &ctx.project;
    let at = |pa: &PathAt| ctx.base.join(&pa.path);
    match s.kind {
        Kind::Exam => {
            let e = p.exams.iter().find(|e| e.id == s.id).expect("planned");
            let exam = match &e.paper {
                Paper::Manifest(m) => at(m),
                Paper::Blueprint { blueprint, seed } => {
                    let manifest = super::draw::draw_manifest(
                        &at(blueprint),
                        &crate::cli::DrawOptions {
                            seed: Some(*seed),
                            variants: None,
                            roster: None,
                        },
                    )?;
                    let mut text = serde_json::to_string_pretty(&manifest).expect("json");
                    text.push('\n');
                    let path = stage.join(&s.id).join("exam.json");
                    crate::io::output::write_scratch_file(&path, text.as_bytes())?;
                    path
                }
            };
            super::grade::run(&GradeArgs {
                exam,
                answers: at(&e.answers),
                csv_layout: e.csv_layout.as_ref().map(at),
                rules: e.rules.as_ref().map(at),
                manual: e.manual.as_ref().map(at),
                double_tolerance: e.double_tolerance.clone(),
                appeals: e.appeals.as_ref().map(at),
                roster: p.roster.as_ref().map(at),
                out: into(stage, &s.id),
                report: false,
            })
        }
        Kind::Contest => {
            let c = p.contests.iter().find(|c| c.id == s.id).expect("planned");
            super::judge::run(&JudgeArgs {
                rubric: at(&c.rubric),
                scores: Some(at(&c.scores)),
                forms: false,
                entrants: None,
                judges: None,
                per: FormsPer::Judge,
                print: print_options(ctx),
                seed: None,
                appeals: c.appeals.as_ref().map(at),
                out: into(stage, &s.id),
            })
        }
        Kind::Standings => {
            let file = standings_file(ctx, stage)?;
            // The standings file is made from the event file's [standings]: named so.
            crate::io::output::show_as(&file, Path::new(&format!("{} [standings]", ctx.shown)));
            let done = super::standings::run(&StandingsArgs {
                file: file.clone(),
                out: into(stage, "standings"),
            });
            crate::io::output::forget_shown(&file);
            done
        }
        Kind::Certificates => super::certificates::run(&CertificatesArgs {
            standings: stage.join("standings"),
            top: None,
            awards: None,
            print: print_options(ctx),
            out: into(stage, "certificates"),
        }),
        Kind::Publish => publish(ctx, stage),
    }
}

/// The standings file `standings` reads, made from the event file: each event's results are
/// its step's folder in the staging area, or its score list.
fn standings_file(ctx: &Ctx, stage: &Path) -> Result<PathBuf, Error> {
    let p = &ctx.project;
    let s = p.standings.as_ref().expect("planned");
    let mut head = toml::Table::new();
    head.insert("title".into(), s.title.clone().into());
    head.insert("entrant".into(), s.entrant.name().to_string().into());
    if let Some(t) = &s.team_rule {
        head.insert("team_rule".into(), t.clone().into());
    }
    if let Some(m) = s.missing {
        head.insert(
            "missing".into(),
            toml::Value::try_from(m).expect("a missing policy"),
        );
    }
    if let Some(script) = &s.script {
        head.insert(
            "script".into(),
            abs(&ctx.base.join(&script.path))
                .display()
                .to_string()
                .into(),
        );
    }
    if let Some(r) = &p.roster {
        head.insert(
            "roster".into(),
            abs(&ctx.base.join(&r.path)).display().to_string().into(),
        );
    }
    if let Some(scale) = s.scale {
        head.insert("scale".into(), scale.into());
    }
    head.insert("organiser".into(), p.organiser.clone().into());
    head.insert("date".into(), p.date.clone().into());
    let mut doc = toml::Table::new();
    doc.insert("standings".into(), head.into());
    if let Some(a) = &s.awards {
        doc.insert("awards".into(), a.clone());
    }
    if let Some(c) = &p.certificates {
        doc.insert("certificates".into(), c.style.clone().into());
    }
    let events: Vec<toml::Value> = s
        .events
        .iter()
        .map(|(id, weight, max)| {
            let (name, results) = event_results(ctx, stage, id);
            let mut t = toml::Table::new();
            t.insert("name".into(), name.into());
            t.insert("results".into(), results.display().to_string().into());
            t.insert("weight".into(), (*weight).into());
            if let Some(m) = max {
                t.insert("max".into(), (*m).into());
            }
            t.into()
        })
        .collect();
    doc.insert("event".into(), events.into());
    let text = toml::to_string(&doc).map_err(|e| Error::input(e.to_string(), "report this"))?;
    let path = stage.join(".examforge-work").join("standings.toml");
    crate::io::output::write_scratch_file(&path, text.as_bytes())?;
    Ok(path)
}

/// An absolute path (the generated standings file lives elsewhere than the event file).
fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// An event's name and where its results are: its step folder, or its score list.
fn event_results(ctx: &Ctx, stage: &Path, id: &str) -> (String, PathBuf) {
    let p = &ctx.project;
    let (_, name, _) = p
        .events()
        .into_iter()
        .find(|(i, _, _)| *i == id)
        .expect("checked when parsed");
    let results = match p.quizzes.iter().find(|q| q.id == id) {
        Some(q) => abs(&ctx.base.join(&q.scores.path)),
        None => abs(&stage.join(id)),
    };
    (name.to_string(), results)
}

/// The published results: the tables as one workbook, CSV files and a PDF, into `stage/publish`.
fn publish(ctx: &Ctx, stage: &Path) -> Result<ExitCode, Error> {
    let p = &ctx.project;
    let mut events = Vec::new();
    for (id, name, _) in p.events() {
        let (_, results) = event_results(ctx, stage, id);
        let max = p
            .standings
            .as_ref()
            .and_then(|s| s.events.iter().find(|(i, _, _)| i == id))
            .and_then(|(_, _, m)| *m);
        let spec = EventSpec {
            name: name.to_string(),
            results: results.display().to_string(),
            weight: 1.0,
            max,
            at: crate::input::diagnostic::Location {
                file: ctx.shown.clone(),
                line: 1,
                col: 1,
            },
        };
        let kind = p
            .standings
            .as_ref()
            .map_or(crate::event::Entrant::Candidate, |s| s.entrant);
        let data = super::standings::read_event(Path::new(""), &spec, kind, p.input_language)
            .map_err(|d| reported(&d, &results.display().to_string()))?;
        let extra = read_extras(&results.join("results.json"));
        events.push(EventResults {
            id: id.to_string(),
            name: name.to_string(),
            team_level: data.team_level,
            max: data.max,
            rows: data
                .rows
                .into_iter()
                .filter(|m| !m.absent)
                .map(|m| Row {
                    pass: extra.pass.get(&m.id).copied().flatten(),
                    pending: extra.pending.contains(&m.id),
                    id: m.id,
                    name: m.name,
                    team: m.team,
                    score: m.score,
                })
                .collect(),
            judged: extra.judged,
            absent: extra.absent,
            changes: read_log(&results.join("changes.csv"))?,
            arbitration: read_log(&results.join("arbitration.csv"))?,
        });
    }
    let standings: Option<Standings> = if p.standings.is_some() {
        let path = stage.join("standings").join("standings.json");
        let bytes = crate::io::read::bytes(&path)?;
        Some(
            serde_json::from_slice(&bytes)
                .map_err(|e| Error::json(&path, "a standings.json", "run the event again", e))?,
        )
    } else {
        None
    };
    let awards: Vec<Certificate> = match &standings {
        Some(s) => award(s, &super::certificates::cuts(s, None)),
        None => Vec::new(),
    };
    let tables = publish::tables(p.language, &events, standings.as_ref(), &awards);
    let out = OutputSet::new(&stage.join("publish"), true, "publish");
    let stem = match p.language {
        crate::event::project::Language::Zh => "成绩公示",
        crate::event::project::Language::En => "results",
    };
    let xlsx = publish::to_xlsx(&tables)
        .map_err(|e| Error::input(format!("cannot make the workbook: {e}"), "report this"))?;
    out.write(&format!("{stem}.xlsx"), &xlsx)?;
    for t in &tables {
        out.write(&format!("{}.csv", t.file), &publish::to_csv(t))?;
    }
    let templates = super::print::templates(&print_options(ctx))?;
    let printer = super::print::Printer::of(
        &print_options(ctx),
        p.language == crate::event::project::Language::Zh,
    );
    let ctx_json = minijinja::context! {
        title => p.title,
        organiser => p.organiser,
        date => match p.language {
            crate::event::project::Language::Zh => crate::event::certificates::chinese_date(&p.date)
                .unwrap_or_else(|| p.date.clone()),
            crate::event::project::Language::En => p.date.clone(),
        },
        lang => match p.language {
            crate::event::project::Language::Zh => "zh",
            crate::event::project::Language::En => "en",
        },
        tables => tables.iter().map(|t| {
            let mut v = serde_json::to_value(t).expect("json");
            // A weighted event's header on two lines (name, weight): columns stay narrow
            // enough for the names to keep to one line.
            v["head"] = t
                .header
                .iter()
                .map(|h| match h.split_once(" ×") {
                    Some((name, w)) => vec![name.to_string(), format!("×{w}")],
                    None => vec![h.clone()],
                })
                .collect::<Vec<_>>()
                .into();
            v
        }).collect::<Vec<_>>(),
        fonts => printer.fonts(),
    };
    let text = templates.render(
        "publish.typ.j2",
        minijinja::Value::from_serialize(&ctx_json),
    )?;
    let sources = vec![Source {
        name: format!("{stem}.typ"),
        text,
    }];
    printer.write(&sources, &out)?;
    Ok(ExitCode::Success)
}

/// A log a verb wrote beside its results (changes.csv, arbitration.csv), when there is one.
fn read_log(path: &Path) -> Result<Option<publish::Log>, Error> {
    if !path.is_file() {
        return Ok(None);
    }
    let t = crate::input::table::read(path)?;
    Ok(Some(publish::Log {
        header: t
            .header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect(),
        rows: t.rows.into_iter().map(|(_, r)| r).collect(),
    }))
}

/// What results.json holds beyond the scores: each candidate's pass, the judges' marks, and
/// the registered candidates without a sheet.
#[derive(Default)]
struct Extras {
    pass: BTreeMap<String, Option<bool>>,
    judged: Option<Vec<JudgedRow>>,
    absent: Vec<Row>,
    /// Candidates with an item waiting for a third mark.
    pending: Vec<String>,
}

fn read_extras(path: &Path) -> Extras {
    let Ok(bytes) = std::fs::read(path) else {
        return Extras::default();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Extras::default();
    };
    let list = v["candidates"].as_array().cloned().unwrap_or_default();
    let mut x = Extras::default();
    let mut judged = Vec::new();
    for c in &list {
        let id = c["id"].as_str().unwrap_or("").to_string();
        if c["status"].as_str() == Some("absent") {
            x.absent.push(Row {
                id,
                name: c["name"].as_str().unwrap_or("").to_string(),
                team: c["team"].as_str().unwrap_or("").to_string(),
                score: 0.0,
                pass: None,
                pending: false,
            });
            continue;
        }
        if c["status"].as_str() == Some("pending") {
            x.pending.push(id.clone());
        }
        x.pass.insert(id.clone(), c["pass"].as_bool());
        if let Some(js) = c["judges"].as_array() {
            judged.push(JudgedRow {
                entrant: id,
                team: c["team"].as_str().unwrap_or("").to_string(),
                score: c["score"].as_f64().unwrap_or(0.0),
                marks: js
                    .iter()
                    .map(|j| JudgeMark {
                        judge: j["judge"].as_str().unwrap_or("").to_string(),
                        total: j["total"].as_f64().unwrap_or(0.0),
                        kept: j["kept"].as_str().unwrap_or("").to_string(),
                    })
                    .collect(),
            });
        }
    }
    if !judged.is_empty() {
        x.judged = Some(judged);
    }
    x
}

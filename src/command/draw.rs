//! `examforge draw`: blueprint + banks (+ roster) → exam.json and key.csv.

use super::banks::{is_blueprint, load_files};
use crate::bank::Language;
use crate::blueprint::Blueprint;
use crate::blueprint::Outdated;
use crate::cli::DrawOptions;
use crate::draw::manifest::LawRecord;
use crate::draw::manifest::{Candidate, Manifest};
use crate::draw::{draw_excluding, key_csv, matches, DrawError, DrawInput, Exclusions, Papers};
use crate::error::ExitCode;
use crate::input::diagnostic::{Diagnostics, Lang};
use crate::input::table;
use crate::input::toml::TomlDoc;
use crate::io::output::OutputSet;
use crate::law::Date;
use crate::Error;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Runs `draw`.
pub fn run(
    blueprint: &Path,
    opts: &DrawOptions,
    output: &Path,
    force: bool,
) -> Result<ExitCode, Error> {
    // Inputs first: a broken blueprint is reported as such, whatever the output folder holds.
    let manifest = draw_manifest(blueprint, opts)?;
    let out = OutputSet::new(output, force, VERB);
    out.check_free(&["exam.json", "key.csv"])?;
    write_manifest(&out, &manifest)?;
    out.commit()?;
    let (exam, key) = (out.path("exam.json"), out.path("key.csv"));
    match manifest.language {
        Language::Zh => eprintln!("已写出 {} 和 {}", exam.display(), key.display()),
        Language::En => eprintln!("wrote {} and {}", exam.display(), key.display()),
    }
    Ok(ExitCode::Success)
}

/// The verb whose set of outputs (exam.json, key.csv) `draw` and `make` write.
pub const VERB: &str = "draw";

/// Stages exam.json and key.csv, as `draw`'s outputs.
pub fn write_manifest(out: &OutputSet, manifest: &Manifest) -> Result<(), Error> {
    let mut json = serde_json::to_string_pretty(manifest).expect("manifest serialises");
    json.push('\n');
    out.write_as(VERB, "exam.json", json.as_bytes())?;
    out.write_as(VERB, "key.csv", key_csv(manifest).as_bytes())?;
    Ok(())
}

/// Reads the blueprint, its banks, avoid-list and roster, and draws.
pub fn draw_manifest(blueprint_path: &Path, opts: &DrawOptions) -> Result<Manifest, Error> {
    let shown = blueprint_path.display().to_string();
    let text = crate::io::read::text(blueprint_path)?;
    let blueprint = Blueprint::parse(&shown, &text)?;
    let base = blueprint_path
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let source = draw_source(blueprint_path, &text, &blueprint)?;
    let papers = match &opts.roster {
        Some(r) => Papers::Candidates(read_roster(r)?),
        None => Papers::Variants(opts.variants.unwrap_or(blueprint.draw.variants)),
    };
    if let Papers::Variants(k) = papers {
        if k == 0 || k > 702 {
            let hint = "use 1 to 702 paper codes";
            return Err(match opts.variants {
                Some(_) => Error::usage(format!("--variants {k} is out of range"), hint),
                None => Error::input(
                    format!("{shown}: `[draw] variants = {k}` is out of range"),
                    hint,
                ),
            });
        }
    }
    let seed = opts.seed.or(blueprint.draw.seed).unwrap_or_else(fresh_seed);
    let input = DrawInput {
        blueprint: &blueprint,
        banks: &source.banks,
        seed,
        avoid: &source.avoid,
        papers,
    };
    let drawn = draw_excluding(&input, &source.exclusions())
        .map_err(|e| located_shortfalls(&shown, &text, e))?;
    let mut drawn = drawn;
    if let Some(d) = &source.dated {
        report_dated(d, &mut drawn.manifest);
    }
    if let Some(rel) = &blueprint.scoring.script {
        let path = base.join(rel);
        let source = crate::io::read::text(&path)?;
        let script =
            crate::score::script::RuleScript::compile(&path.display().to_string(), &source)
                .map_err(|e| Error::from(e).in_language(drawn.manifest.language.into()))?;
        super::show_script_log(Some(&script));
        drawn.manifest.rules = Some(crate::draw::manifest::RulesSource {
            path: rel.clone(),
            source,
        });
    }
    for w in &drawn.warnings {
        eprintln!("warning: {w}");
    }
    if opts.seed.is_none() && blueprint.draw.seed.is_none() {
        match drawn.manifest.language {
            Language::Zh => {
                eprintln!("note: 随机种子 {seed}（要再次抽出相同的试卷，加 --seed {seed}）")
            }
            Language::En => {
                eprintln!("note: seed {seed} (pass --seed {seed} to draw the same papers again)")
            }
        }
    }
    Ok(drawn.manifest)
}

/// Each shortfall at the blueprint key that asks for it.
fn located_shortfalls(file: &str, text: &str, e: DrawError) -> Error {
    let hint = e.hint().unwrap_or_default();
    let DrawError::Shortfall { shortfalls } = e;
    at_keys(
        file,
        text,
        shortfalls
            .into_iter()
            .map(|s| (s.key, s.message, hint.clone()))
            .collect(),
    )
}

fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (t ^ (u64::from(std::process::id()) << 32)) % 1_000_000_000
}

/// Errors found after the blueprint was read, each at its key: (key path, message, hint).
fn at_keys(file: &str, text: &str, errors: Vec<(String, String, String)>) -> Error {
    match TomlDoc::parse(file, text) {
        Ok(doc) => Error::Diagnostics(Diagnostics::new(
            file,
            errors
                .into_iter()
                .map(|(key, message, hint)| doc.error(&key, message, hint))
                .collect(),
        )),
        // Not reached: the blueprint parsed a moment ago.
        Err(d) => Error::Diagnostics(d),
    }
}

/// What a blueprint draws from, read once: its banks (paths as the blueprint names them), the
/// questions of its `avoid` exams, and what its date leaves out.
pub struct DrawSource {
    pub banks: Vec<crate::bank::Bank>,
    pub avoid: HashSet<String>,
    dated: Option<Dated>,
    why: String,
}

impl DrawSource {
    /// The questions a draw must leave out (out of date on `[exam] date`, when the policy excludes them).
    pub fn exclusions(&self) -> Exclusions<'_> {
        static NONE: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
        match &self.dated {
            Some(d) if d.policy == Outdated::Exclude => Exclusions {
                ids: &d.outdated_ids,
                why: &self.why,
            },
            _ => Exclusions {
                ids: NONE.get_or_init(HashSet::new),
                why: "",
            },
        }
    }

    /// The date and registry the draw was checked against, as exam.json records them.
    pub fn law_record(&self) -> Option<LawRecord> {
        self.dated.as_ref().map(|d| LawRecord {
            date: d.date.to_string(),
            registry: d.registry.clone(),
            registry_sha256: d.registry_sha256.clone(),
            outdated: d.policy.name().to_string(),
            outdated_questions: d.reasons.len(),
        })
    }
}

/// Reads what `blueprint` (written in `text` at `blueprint_path`) draws from; bank errors are printed.
pub fn draw_source(
    blueprint_path: &Path,
    text: &str,
    blueprint: &Blueprint,
) -> Result<DrawSource, Error> {
    let shown = blueprint_path.display().to_string();
    let base = blueprint_path
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let files = resolve_banks(&base, blueprint_path, blueprint).map_err(|(i, message, hint)| {
        at_keys(
            &shown,
            text,
            vec![(format!("exam.banks[{i}]"), message, hint)],
        )
    })?;
    let mut loaded = load_files(&files.iter().map(|(abs, _)| abs.clone()).collect::<Vec<_>>())?;
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    for d in &loaded.diagnostics {
        if d.is_error() {
            eprintln!("{d}");
        }
    }
    if errors > 0 {
        let chinese = Lang::of_diagnostics(&loaded.diagnostics) == Lang::Zh;
        return Err(Error::Reported {
            count: errors,
            what: "the banks (run `examforge bank check` for the full report)".into(),
            zh: chinese.then(|| {
                format!("题库中有 {errors} 处错误（运行 `examforge bank check` 看完整的报告）")
            }),
        });
    }
    // Record bank paths as the blueprint names them, so manifests do not depend on where they were made.
    for b in &mut loaded.banks {
        if let Some((_, rel)) = files
            .iter()
            .find(|(abs, _)| abs.display().to_string() == b.path)
        {
            b.path = rel.clone();
        }
    }
    let mut avoid = HashSet::new();
    for a in &blueprint.draw.avoid {
        let p = base.join(a);
        let m = super::manifest::read(&p)?;
        for paper in &m.papers {
            for s in &paper.sections {
                avoid.extend(s.items.iter().map(|it| it.question.clone()));
            }
        }
    }
    let dated = dated_check(blueprint_path, blueprint, &files, &loaded.banks)?;
    let why = dated.as_ref().map_or(String::new(), |d| {
        format!(
            "cite an instrument not in force on the exam date {}",
            d.date
        )
    });
    Ok(DrawSource {
        banks: loaded.banks,
        avoid,
        dated,
        why,
    })
}

/// The files a draw from `blueprint_path` reads, in a fixed order: the blueprint, its banks, the
/// exams it avoids, its rule script and, for a dated exam, the statute registry. With the seed
/// and the examforge version they decide the draw, so a draw kept from an earlier run stands
/// while none of them changed (`event run`).
pub fn draw_inputs(blueprint_path: &Path) -> Result<Vec<PathBuf>, Error> {
    let shown = blueprint_path.display().to_string();
    let text = crate::io::read::text(blueprint_path)?;
    let blueprint = Blueprint::parse(&shown, &text)?;
    let base = blueprint_path.parent().unwrap_or(Path::new(""));
    let banks = resolve_banks(base, blueprint_path, &blueprint).map_err(|(i, message, hint)| {
        at_keys(
            &shown,
            &text,
            vec![(format!("exam.banks[{i}]"), message, hint)],
        )
    })?;
    let mut files = vec![blueprint_path.to_path_buf()];
    files.extend(banks.iter().map(|(abs, _)| abs.clone()));
    files.extend(blueprint.draw.avoid.iter().map(|a| base.join(a)));
    files.extend(blueprint.scoring.script.iter().map(|s| base.join(s)));
    if blueprint.exam.date.is_some() {
        let mut near = vec![blueprint_path.to_path_buf()];
        near.extend(banks.into_iter().map(|(abs, _)| abs));
        files.extend(super::laws::locate(&near));
    }
    Ok(files)
}

/// The bank files a blueprint names: (path to read, path relative to the blueprint); or the
/// index of the `banks` entry at fault, with a message and a hint.
fn resolve_banks(
    base: &Path,
    blueprint_path: &Path,
    bp: &Blueprint,
) -> Result<Vec<(PathBuf, String)>, (usize, String, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    let own = std::fs::canonicalize(blueprint_path).ok();
    for (i, pattern) in bp.exam.banks.iter().enumerate() {
        let full = base.join(pattern);
        let full_str = full.to_string_lossy().to_string();
        let paths = glob::glob(&full_str).map_err(|e| {
            (
                i,
                format!("bad bank pattern `{pattern}`: {e}"),
                "use a path or a glob such as \"banks/*.toml\"".to_string(),
            )
        })?;
        let mut found = 0;
        let mut list: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        list.sort();
        for p in list {
            if std::fs::canonicalize(&p).ok() == own || p.is_dir() {
                continue;
            }
            // Other blueprints may sit beside the banks they name.
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if is_blueprint(&text) || super::laws::is_registry(&text) {
                continue;
            }
            found += 1;
            let rel = p
                .strip_prefix(base)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, rel));
            }
        }
        if found == 0 {
            return Err((
                i,
                format!("no bank file matches `{pattern}`"),
                format!(
                    "bank paths are relative to the blueprint's folder `{}`",
                    if base.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        base
                    }
                    .display()
                ),
            ));
        }
    }
    Ok(out)
}

/// Reads a roster: 准考证号/candidate/id, 姓名/name, 单位/team columns; any encoding the CSV
/// reader takes (a roster saved by Chinese Excel is GB18030).
pub fn read_roster(path: &Path) -> Result<Vec<Candidate>, Error> {
    read_roster_in(path).map(|(list, _)| list)
}

/// [`read_roster`], with the roster's language (its mistakes are told in it).
pub fn read_roster_in(path: &Path) -> Result<(Vec<Candidate>, Lang), Error> {
    let t = table::read(path)?;
    let lang = t.lang();
    let shown = path.display();
    let find = |names: &[&str]| {
        t.header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let id_col = find(table::columns::CANDIDATE)
        .or_else(|| find(&["id"]))
        .ok_or_else(|| {
            Error::row(
                &shown,
                t.header_line,
                "no candidate-id column",
                "name it `准考证号` or `candidate`",
            )
            .zh("没有考号列", "把考号所在的列命名为 `准考证号`（或 `考号`）")
            .in_language(lang)
        })?;
    let name_col = find(table::columns::NAME);
    let team_col = find(table::columns::TEAM);
    let mut out: Vec<Candidate> = Vec::new();
    let mut seen = HashSet::new();
    for (line, rec) in &t.rows {
        let bad = |message: String, hint: &str, zh: (String, &str)| {
            Error::row(&shown, *line, message, hint)
                .zh(zh.0, zh.1)
                .in_language(lang)
        };
        if rec.len() != t.header.len() {
            return Err(bad(
                format!(
                    "the row has {} fields but the header has {}",
                    rec.len(),
                    t.header.len()
                ),
                "every row needs as many fields as the header; a name holding a comma goes in double quotes",
                (
                    format!("这一行有 {} 列，表头有 {} 列", rec.len(), t.header.len()),
                    "每行的列数要和表头一样；含逗号的姓名或单位要放在英文双引号里",
                ),
            ));
        }
        let id = rec[id_col].trim().to_string();
        if id.is_empty() {
            return Err(bad(
                "empty candidate id".into(),
                "every roster row needs an id",
                ("考号为空".into(), "名单的每一行都要写考号"),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(bad(
                format!("candidate id `{id}` appears twice"),
                "ids name papers, so each must be unique",
                (
                    format!("考号 `{id}` 出现了两次"),
                    "考号对应各自的试卷，每个考号只能出现一次",
                ),
            ));
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map_or("", |s| s.trim())
                .to_string()
        };
        out.push(Candidate {
            id,
            name: get(name_col),
            team: get(team_col),
        });
    }
    if out.is_empty() {
        return Err(Error::row(
            &shown,
            t.header_line,
            "the roster has no rows",
            "add one row per candidate",
        )
        .zh("名单里没有考生", "每位考生写一行")
        .in_language(lang));
    }
    Ok((out, lang))
}

/// What a dated blueprint's registry says about the banks.
struct Dated {
    date: Date,
    policy: Outdated,
    registry: String,
    registry_sha256: String,
    /// Question id → why it is out of date, in bank order.
    reasons: BTreeMap<String, String>,
    outdated_ids: HashSet<String>,
}

/// With `[exam] date`: reads the registry beside the blueprint or its banks and finds the
/// questions citing an instrument not in force that day; `outdated = "fail"` stops here.
fn dated_check(
    blueprint_path: &Path,
    bp: &Blueprint,
    files: &[(PathBuf, String)],
    banks: &[crate::bank::Bank],
) -> Result<Option<Dated>, Error> {
    let Some(date) = bp.exam.date else {
        return Ok(None);
    };
    let shown = blueprint_path.display();
    let mut near = vec![blueprint_path.to_path_buf()];
    near.extend(files.iter().map(|(abs, _)| abs.clone()));
    let found = super::laws::find(None, &near)?.ok_or_else(|| {
        Error::input(
            format!("{shown}: `[exam] date = {date}` is set but no laws.toml was found beside the blueprint or its banks"),
            "add the statute registry (laws.toml) beside the banks, or remove `date` from `[exam]`",
        )
    })?;
    let policy = bp.exam.outdated.unwrap_or_default();
    let mut reasons = BTreeMap::new();
    let mut order = Vec::new();
    for q in banks.iter().flat_map(|b| &b.questions) {
        let law = crate::law::check_question(&found.registry, q, date);
        if let Some(r) = law.reason() {
            reasons.insert(q.id.clone(), r.to_string());
            order.push(q);
        }
    }
    if policy == Outdated::Fail {
        let drawable: Vec<_> = order
            .iter()
            .filter(|q| bp.sections.iter().any(|s| matches(q, s)))
            .collect();
        if !drawable.is_empty() {
            let list: Vec<String> = drawable
                .iter()
                .take(10)
                .map(|q| format!("  - {} ({})", reasons[&q.id], q.location))
                .collect();
            let more = if drawable.len() > 10 {
                format!("\n  … and {} more", drawable.len() - 10)
            } else {
                String::new()
            };
            return Err(Error::input(
                format!(
                    "{shown}: `outdated = \"fail\"` and {} question(s) the sections could draw cite an instrument not in force on {date}:\n{}{more}",
                    drawable.len(),
                    list.join("\n")
                ),
                "re-cite or remove those questions, or set `outdated = \"exclude\"` to leave them out",
            ));
        }
    }
    // Recorded relative to the blueprint, so manifests do not depend on where they were made.
    let base = blueprint_path.parent().unwrap_or(Path::new(""));
    let registry = Path::new(&found.shown)
        .strip_prefix(base)
        .map_or(found.shown.clone(), |p| {
            p.to_string_lossy().replace('\\', "/")
        });
    Ok(Some(Dated {
        date,
        policy,
        registry,
        registry_sha256: found.sha256,
        outdated_ids: reasons.keys().cloned().collect(),
        reasons,
    }))
}

/// Records the date and registry in the manifest and tells the user what the date did.
fn report_dated(d: &Dated, manifest: &mut Manifest) {
    match d.policy {
        Outdated::Exclude if !d.reasons.is_empty() => match manifest.language {
            Language::Zh => eprintln!(
                "note: 按考试日期 {}，有 {} 道题引用的法规当日不在施行，未予抽取（法规登记表 {}）",
                d.date,
                d.reasons.len(),
                d.registry
            ),
            Language::En => eprintln!(
                "note: the exam date {} left out {} question(s) citing an instrument not in force that day (registry {})",
                d.date,
                d.reasons.len(),
                d.registry
            ),
        },
        Outdated::Warn => {
            let mut seen = HashSet::new();
            for paper in &manifest.papers {
                for s in &paper.sections {
                    for it in &s.items {
                        let id = if d.reasons.contains_key(&it.question) {
                            it.question.as_str()
                        } else {
                            it.question.rsplit_once('.').map_or("", |(head, _)| head)
                        };
                        if let Some(r) = d.reasons.get(id) {
                            if seen.insert(id.to_string()) {
                                eprintln!("warning: drawn although out of date: {r}");
                            }
                        }
                    }
                }
            }
        }
        _ => {}
    }
    manifest.law = Some(LawRecord {
        date: d.date.to_string(),
        registry: d.registry.clone(),
        registry_sha256: d.registry_sha256.clone(),
        outdated: d.policy.name().to_string(),
        outdated_questions: d.reasons.len(),
    });
}

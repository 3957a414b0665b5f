//! `examforge bank check`: validate banks, check their citations against the statute
//! registry, and print their summary.

use super::banks::load_banks;
use super::laws;
use crate::bank::Summary;
use crate::cli::SummaryFormat;
use crate::error::ExitCode;
use crate::input::diagnostic::Diagnostic;
use crate::law::{Date, Finding, Status};
use crate::Error;
use std::path::PathBuf;

/// The statute options of `bank check`.
pub struct LawOptions {
    /// The day to check against; default today.
    pub as_of: Option<Date>,
    /// Statute warnings become errors.
    pub strict: bool,
    /// One warning per question citing a replaced instrument, not one note per instrument.
    pub list_replaced: bool,
    /// The registry file; default laws.toml beside the banks.
    pub laws: Option<PathBuf>,
}

/// Runs `bank check`.
pub fn check(
    paths: &[PathBuf],
    format: SummaryFormat,
    opts: &LawOptions,
) -> Result<ExitCode, Error> {
    let mut loaded = load_banks(paths)?;
    let registry = laws::find(opts.laws.as_deref(), paths)?;
    let mut law_json = serde_json::Value::Null;
    let mut law_text = String::new();
    if let Some(found) = &registry {
        let date = opts.as_of.unwrap_or_else(laws::today);
        let (checked, summary) = crate::law::summarise(
            &found.registry,
            loaded.banks.iter().flat_map(|b| &b.questions),
            date,
        );
        // Questions on replaced instruments are kept for exams dated before the replacement:
        // counted per instrument unless listed (or refused with --strict).
        let mut replaced: std::collections::BTreeMap<&str, usize> = Default::default();
        for (q, law) in &checked {
            for f in &law.findings {
                if let Finding::Outdated {
                    instrument,
                    status: Status::Replaced,
                    ..
                } = f
                {
                    if !opts.strict && !opts.list_replaced {
                        *replaced.entry(instrument.as_str()).or_default() += 1;
                        continue;
                    }
                }
                let (message, hint) = match f {
                    Finding::Outdated { message, .. } => (
                        message.clone(),
                        "re-cite it to an instrument in force on that day after checking the text, or leave it out of dated exams (a blueprint's `[exam] date` excludes it)".to_string(),
                    ),
                    Finding::Unknown { title } => (
                        format!("`{}` cites 《{title}》, which is not in the statute registry `{}`", q.id, found.shown),
                        "add the instrument to the registry with its sourced dates, or correct the title".to_string(),
                    ),
                };
                let d = if opts.strict {
                    Diagnostic::error(Some(q.location.clone()), message)
                } else {
                    Diagnostic::warning(Some(q.location.clone()), message)
                };
                loaded.diagnostics.push(d.with_hint(hint));
            }
        }
        for (id, n) in replaced {
            let name = found
                .registry
                .get(id)
                .map_or(id.to_string(), |i| i.quoted());
            eprintln!(
                "note: {n} question(s) cite {name}, not in force on {date}: kept for exams dated earlier, left out of dated draws from then on (--list-replaced lists them, --strict refuses them)"
            );
        }
        law_text = law_summary_text(&found.shown, &summary);
        law_json = serde_json::json!({
            "registry": found.shown,
            "registry_sha256": found.sha256,
            "summary": summary,
        });
    } else if opts.as_of.is_some() || opts.strict {
        loaded.diagnostics.push(
            Diagnostic::warning(
                None,
                "no statute registry: citations were not checked against any date",
            )
            .with_hint("put a laws.toml beside the banks or pass --laws FILE"),
        );
    }
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let summary = Summary::of(&loaded.banks);
    match format {
        SummaryFormat::Json => {
            let doc = serde_json::json!({
                "ok": errors == 0,
                "errors": errors,
                "diagnostics": loaded.diagnostics,
                "skipped": loaded.skipped,
                "summary": summary,
                "law": law_json,
            });
            let mut json = serde_json::to_string_pretty(&doc).expect("json");
            json.push('\n');
            crate::io::output::to_stdout(json.as_bytes())?;
        }
        SummaryFormat::Text => {
            crate::input::diagnostic::eprint_all(&loaded.diagnostics);
            for s in &loaded.skipped {
                eprintln!("note: skipped `{s}` (a blueprint, not a bank)");
            }
            crate::io::output::to_stdout(format!("{}{law_text}", summary.to_text()).as_bytes())?;
        }
    }
    if errors > 0 {
        if format == SummaryFormat::Text {
            match crate::input::diagnostic::Lang::of_diagnostics(&loaded.diagnostics) {
                crate::input::diagnostic::Lang::Zh => {
                    eprintln!("error: 题库中有 {errors} 处错误")
                }
                crate::input::diagnostic::Lang::En => {
                    eprintln!("error: {errors} error(s) in the banks")
                }
            }
        }
        return Ok(ExitCode::Invalid);
    }
    Ok(ExitCode::Success)
}

fn law_summary_text(registry: &str, s: &crate::law::LawSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nlaw in force on {} (registry {registry}): {} question(s) cite an instrument not in force",
        s.as_of,
        s.outdated.len()
    );
    let statuses: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let _ = writeln!(out, "questions by status: {}", statuses.join(", "));
    let _ = writeln!(
        out,
        "\n{:<18}{:>9}  kind / instrument",
        "status", "questions"
    );
    let mut rows: Vec<_> = s.by_instrument.values().collect();
    rows.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.name.cmp(&b.name)));
    for r in rows {
        let kind = serde_json::to_value(r.kind).ok();
        let kind = kind.as_ref().and_then(|k| k.as_str()).unwrap_or("");
        let _ = writeln!(
            out,
            "{:<18}{:>9}  {kind} 《{}》",
            r.status.name(),
            r.questions,
            r.name
        );
    }
    if !s.undated_instruments.is_empty() {
        let _ = writeln!(
            out,
            "no sourced commencement date in the registry: {}",
            s.undated_instruments.join(", ")
        );
    }
    out
}

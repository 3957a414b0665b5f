//! `examforge bank check`: validate banks and print their summary.

use super::banks::load_banks;
use super::fsio;
use crate::bank::Summary;
use crate::cli::SummaryFormat;
use crate::Error;
use std::path::PathBuf;

/// Runs `bank check`.
pub fn check(paths: &[PathBuf], format: SummaryFormat) -> Result<u8, Error> {
    let loaded = load_banks(paths)?;
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
            });
            let mut json = serde_json::to_string_pretty(&doc).expect("json");
            json.push('\n');
            fsio::to_stdout(json.as_bytes())?;
        }
        SummaryFormat::Text => {
            for d in &loaded.diagnostics {
                eprintln!("{d}");
            }
            for s in &loaded.skipped {
                eprintln!("note: skipped `{s}` (a blueprint, not a bank)");
            }
            fsio::to_stdout(summary.to_text().as_bytes())?;
        }
    }
    if errors > 0 {
        if format == SummaryFormat::Text {
            eprintln!("error: {errors} error(s) in the banks");
        }
        return Ok(1);
    }
    Ok(0)
}

//! `examforge bank export`: banks → an Excel workbook, CSV, GIFT or Moodle XML.

use super::banks::load_banks;
use crate::bank::export::{export, Target};
use crate::cli::{BankExportArgs, ExportFormat};
use crate::error::ExitCode;
use crate::input::diagnostic::Lang;
use crate::Error;

/// Runs `bank export`.
pub fn run(a: &BankExportArgs) -> Result<ExitCode, Error> {
    let loaded = load_banks(&a.banks)?;
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        for d in &errors {
            eprintln!("{d}");
        }
        let chinese = Lang::of_diagnostics(errors.iter().copied()) == Lang::Zh;
        return Err(Error::Reported {
            count: errors.len(),
            what: "the banks".into(),
            zh: chinese.then(|| format!("题库中有 {} 处错误", errors.len())),
        });
    }
    let questions: Vec<_> = loaded
        .banks
        .iter()
        .flat_map(|b| b.questions.iter().cloned())
        .collect();
    let target = match a.to {
        ExportFormat::Xlsx => Target::Xlsx,
        ExportFormat::Csv => Target::Csv,
        ExportFormat::Gift => Target::Gift,
        ExportFormat::MoodleXml => Target::MoodleXml,
    };
    // Labels written into the target (a rubric's heading) follow the first bank's language.
    let language = loaded.banks.first().map(|b| b.language).unwrap_or_default();
    let done = export(target, &questions, language).map_err(|e| Error::Input {
        message: format!("cannot build the workbook: {e}"),
        hint: None,
        zh: None,
    })?;
    for d in &done.diagnostics {
        eprintln!("{d}");
    }
    crate::io::output::write_file(&a.output, &done.bytes, a.force)?;
    eprintln!(
        "wrote {} of {} question(s) to {}",
        done.written,
        questions.len(),
        a.output.display()
    );
    Ok(ExitCode::Success)
}

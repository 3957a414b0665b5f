//! `examforge bank import`: Excel, CSV, pasted text, GIFT or Moodle XML → one bank TOML that
//! passes `bank check`. Nothing is written while a question has errors, unless `--skip-bad`.

use crate::bank::export::to_toml;
use crate::bank::import::{import, slug, Format, Options};
use crate::bank::{load_bank, BankSource, Language};
use crate::cli::{BankImportArgs, ImportFormat};
use crate::error::ExitCode;
use crate::input::diagnostic::Diagnostic;
use crate::Error;
use std::collections::HashMap;
use std::path::Path;

fn stem_of(p: &Path) -> String {
    slug(
        &p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// Runs `bank import`.
pub fn run(a: &BankImportArgs) -> Result<ExitCode, Error> {
    if let Some(id) = &a.id {
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(Error::usage(
                format!("invalid --id `{id}`"),
                "an id prefix is one word without spaces, e.g. --id net",
            ));
        }
    }
    let mut questions = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut rejected = Vec::new();
    let mut first: HashMap<String, String> = HashMap::new();
    for file in &a.files {
        let bytes = crate::io::read::bytes(file)?;
        let shown = file.display().to_string();
        let ext = file.extension().and_then(|e| e.to_str());
        let format = match a.format {
            Some(ImportFormat::Xlsx) => Format::Xlsx,
            Some(ImportFormat::Csv) => Format::Csv,
            Some(ImportFormat::Text) => Format::Text,
            Some(ImportFormat::Gift) => Format::Gift,
            Some(ImportFormat::MoodleXml) => Format::MoodleXml,
            None => Format::detect(ext, &bytes),
        };
        let prefix = a.id.clone().unwrap_or_else(|| stem_of(file));
        let opts = Options {
            prefix,
            sheet: a.sheet.clone(),
        };
        let got = import(format, &shown, &bytes, &opts);
        diags.extend(got.diagnostics);
        rejected.extend(got.rejected);
        for q in got.questions {
            if let Some(at) = first.get(&q.id) {
                diags.push(
                    Diagnostic::error(
                        None,
                        format!(
                            "{}: duplicate question id `{}` (first at {at})",
                            q.location, q.id
                        ),
                    )
                    .with_hint(
                        "give each file its own --id prefix, or import the files one by one",
                    ),
                );
                continue;
            }
            first.insert(q.id.clone(), q.location.to_string());
            questions.push(q);
        }
    }
    for d in &diags {
        eprintln!("{d}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 && !a.skip_bad {
        eprintln!(
            "note: nothing written; fix the rows above, or pass --skip-bad to write the {} good question(s)",
            questions.len()
        );
        return Err(Error::Reported {
            count: errors,
            what: "the imported files".into(),
        });
    }
    if questions.is_empty() {
        return Err(Error::input(
            "no questions to write",
            "check the file's format (--format) and that its header names 题干/question",
        ));
    }
    let id = a.id.clone().unwrap_or_else(|| stem_of(&a.output));
    let title = a.title.clone().unwrap_or_else(|| {
        a.files
            .iter()
            .map(|f| {
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    let cjk = questions.iter().any(|q| {
        q.stem
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    });
    let language = if cjk { Language::Zh } else { Language::En };
    let text = to_toml(&id, &title, language, &questions);
    let shown = a.output.display().to_string();
    let (bank, check) = load_bank(&BankSource {
        path: &shown,
        text: &text,
        sha256: String::new(),
    });
    let bad: Vec<&Diagnostic> = check.iter().filter(|d| d.is_error()).collect();
    if !bad.is_empty() || bank.is_none_or(|b| b.questions.len() != questions.len()) {
        eprintln!("note: the places below are in the bank that {shown} would have held; it was not written");
        for d in &bad {
            eprintln!("{d}");
        }
        return Err(Error::input(
            "the bank to be written does not pass `bank check`; nothing written",
            "this is a fault in the importer: please report it with the input file",
        ));
    }
    crate::io::output::write_file(&a.output, text.as_bytes(), a.force)?;
    let unsourced = questions.iter().filter(|q| q.source.is_empty()).count();
    eprintln!("wrote {} question(s) to {shown}", questions.len());
    if unsourced > 0 {
        eprintln!(
            "note: {unsourced} question(s) have no 出处/source; `bank check` warns about them"
        );
    }
    if !rejected.is_empty() {
        let list: Vec<String> = rejected.iter().map(|l| l.to_string()).collect();
        eprintln!(
            "skipped {} question(s) with errors: {}",
            rejected.len(),
            list.join(", ")
        );
        return Ok(ExitCode::Rejected);
    }
    Ok(if errors > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Success
    })
}

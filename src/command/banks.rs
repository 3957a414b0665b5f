//! Finding, reading and validating bank files for every command that needs banks.

use crate::bank::{load_bank, near_duplicates, Bank, BankSource};
use crate::diagnostic::Diagnostic;
use crate::Error;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Banks read from disk, with every diagnostic about them.
pub struct Loaded {
    pub banks: Vec<Bank>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files skipped because they are blueprints.
    pub skipped: Vec<String>,
}

/// Reads banks from files and folders (recursively, `*.toml`), checking each and all together.
pub fn load_banks(paths: &[PathBuf]) -> Result<Loaded, Error> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files)?;
    }
    load_files(&files)
}

/// Reads and checks the given bank files (in order).
pub fn load_files(files: &[PathBuf]) -> Result<Loaded, Error> {
    let mut out = Loaded {
        banks: Vec::new(),
        diagnostics: Vec::new(),
        skipped: Vec::new(),
    };
    for file in files {
        let bytes = crate::io::read::bytes(file)?;
        let shown = file.display().to_string();
        let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        {
            Ok(t) => t,
            Err(e) => {
                out.diagnostics.push(
                    Diagnostic::error(
                        None,
                        format!(
                            "{shown}: not UTF-8 (invalid byte at offset {})",
                            e.valid_up_to()
                        ),
                    )
                    .with_hint("save the bank as UTF-8"),
                );
                continue;
            }
        };
        if is_blueprint(text) {
            out.skipped.push(shown);
            continue;
        }
        if super::laws::is_registry(text) {
            continue;
        }
        let src = BankSource {
            path: &shown,
            text,
            sha256: hex(&Sha256::digest(&bytes)),
        };
        let (bank, diags) = load_bank(&src);
        out.diagnostics.extend(diags);
        if let Some(b) = bank {
            out.banks.push(b);
        }
    }
    cross_check(&mut out);
    Ok(out)
}

fn cross_check(out: &mut Loaded) {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut dups = Vec::new();
    for b in &out.banks {
        for q in &b.questions {
            if let Some(prev) = first.insert(&q.id, &q.location) {
                if !prev.starts_with(&b.path) || !q.location.starts_with(&b.path) {
                    dups.push((q.id.clone(), q.location.clone(), prev.to_string()));
                }
            }
        }
    }
    for (id, at, prev) in dups {
        out.diagnostics.push(
            located(
                Diagnostic::error(
                    None,
                    format!("duplicate question id `{id}` (first at {prev})"),
                ),
                &at,
            )
            .with_hint("every question id must be unique across all banks; rename one"),
        );
        for b in &mut out.banks {
            if let Some(pos) = b
                .questions
                .iter()
                .position(|q| q.id == id && q.location == at)
            {
                b.questions.remove(pos);
            }
        }
    }
    let all: Vec<_> = out.banks.iter().flat_map(|b| &b.questions).collect();
    for (a, b, sim) in near_duplicates(&all, 0.9) {
        out.diagnostics.push(
            located(
                Diagnostic::warning(
                    None,
                    format!(
                        "`{}` looks like a near-duplicate of `{}` ({:.0}% alike, at {})",
                        b.id,
                        a.id,
                        sim * 100.0,
                        a.location
                    ),
                ),
                &b.location,
            )
            .with_hint("drop one, or reword it so a paper cannot hold both"),
        );
    }
}

fn located(mut d: Diagnostic, at: &str) -> Diagnostic {
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next().and_then(|s| s.parse().ok());
    let line = parts.next().and_then(|s| s.parse().ok());
    if let (Some(col), Some(line), Some(file)) = (col, line, parts.next()) {
        d.location = Some(crate::diagnostic::Location {
            file: file.to_string(),
            line,
            col,
        });
    }
    d
}

/// A blueprint has an `[exam]` table and no `[bank]`.
pub fn is_blueprint(text: &str) -> bool {
    let has = |h: &str| text.lines().any(|l| l.trim_start().starts_with(h));
    has("[exam]") && !has("[bank]")
}

fn collect(p: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let meta = std::fs::metadata(p).map_err(|source| Error::Read {
        path: p.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|source| Error::Read {
                path: p.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "toml") {
                collect(&e, files)?;
            }
        }
    } else {
        files.push(p.to_path_buf());
    }
    Ok(())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

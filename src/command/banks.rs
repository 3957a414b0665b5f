//! Finding, reading and validating bank files for every command that needs banks.

use crate::bank::{load_bank, near_duplicates, Bank, BankSource, Question};
use crate::draw::manifest::Manifest;
use crate::input::diagnostic::{Diagnostic, Lang, Location};
use crate::Error;
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
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = match std::str::from_utf8(body) {
            Ok(t) => t,
            Err(e) => {
                let valid = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
                out.diagnostics.push(
                    Diagnostic::error(
                        Some(Location::at(&shown, valid, valid.len())),
                        "not UTF-8 (the first invalid byte is here)",
                    )
                    .with_hint(
                        "save the bank as UTF-8 (a bank saved as GBK/ANSI: 另存为 → 编码 UTF-8)",
                    )
                    .zh(
                        "不是 UTF-8 编码（第一个无效字节在这里）",
                        "把题库另存为 UTF-8（存成了 GBK/ANSI 的：另存为 → 编码 UTF-8）",
                    )
                    .in_language(Lang::of_text(valid)),
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
            sha256: crate::digest::sha256_hex(&bytes),
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
    let count = out.banks.iter().map(|b| b.questions.len()).sum();
    let mut first: HashMap<&str, &Location, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(count, Default::default());
    let mut dups = Vec::new();
    for b in &out.banks {
        for q in &b.questions {
            if let Some(prev) = first.insert(&q.id, &q.location) {
                if !prev.file.starts_with(b.path.as_str())
                    || !q.location.file.starts_with(b.path.as_str())
                {
                    // Told in the language of the question's own stem.
                    let lang = Lang::of_text(&q.stem);
                    dups.push((q.id.clone(), q.location.clone(), prev.clone(), lang));
                }
            }
        }
    }
    for (id, at, prev, lang) in dups {
        out.diagnostics.push(
            located(
                Diagnostic::error(
                    None,
                    format!("duplicate question id `{id}` (first at {prev})"),
                ),
                &at,
            )
            .with_hint("every question id must be unique across all banks; rename one")
            .zh(
                format!("题目编号 `{id}` 重复（第一次在 {prev}）"),
                "所有题库里的题目编号都不能重复：改掉其中一个",
            )
            .in_language(lang),
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
            .with_hint("drop one, or reword it so a paper cannot hold both")
            .zh(
                format!(
                    "`{}` 与 `{}` 几乎相同（相似度 {:.0}%，在 {}）",
                    b.id,
                    a.id,
                    sim * 100.0,
                    a.location
                ),
                "删去其中一道，或改写它，免得同一张试卷里两道都出现",
            )
            .in_language(Lang::of_text(&b.stem)),
        );
    }
}

fn located(mut d: Diagnostic, at: &Location) -> Diagnostic {
    d.location = Some(at.clone());
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

/// Where each question is in its bank (`file:line`), and a note per bank that could not be read.
pub fn question_lines(
    m: &Manifest,
    exam: &Path,
    base: Option<&Path>,
) -> (HashMap<String, String>, Vec<String>) {
    let mut at = HashMap::new();
    let mut notes = Vec::new();
    let exam_dir = exam.parent().unwrap_or(Path::new(""));
    for b in &m.banks {
        let tries: Vec<PathBuf> = match base {
            Some(d) => vec![d.join(&b.path)],
            None => vec![PathBuf::from(&b.path), exam_dir.join(&b.path)],
        };
        let Some(path) = tries.into_iter().find(|p| p.is_file()) else {
            notes.push(format!(
                "{}: not found, lines unknown (pass --banks with the blueprint's folder)",
                b.path
            ));
            continue;
        };
        let shown = path.display().to_string();
        let bank = load_files(std::slice::from_ref(&path))
            .ok()
            .and_then(|l| l.banks.into_iter().next());
        let Some(bank) = bank else {
            notes.push(format!("{shown}: unreadable or has errors, lines unknown"));
            continue;
        };
        if bank.sha256 != b.sha256 {
            notes.push(format!(
                "{shown}: changed since the draw; lines are those of the file as it is now"
            ));
        }
        fn walk(q: &Question, at: &mut HashMap<String, String>) {
            let loc = &q.location;
            at.insert(q.id.clone(), format!("{}:{}", loc.file, loc.line));
            for p in &q.parts {
                walk(p, at);
            }
        }
        for q in &bank.questions {
            walk(q, &mut at);
        }
    }
    // A question whose bank is gone is named by the bank's path, when the exam had one bank.
    if let [only] = m.banks.as_slice() {
        if !notes.is_empty() {
            at.insert(String::new(), only.path.clone());
        }
    }
    (at, notes)
}

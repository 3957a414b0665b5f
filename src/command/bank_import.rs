//! `examforge bank import`: Excel, CSV, pasted text, GIFT or Moodle XML → one bank TOML that
//! passes `bank check`. Nothing is written while a question has errors, unless `--skip-bad`.
//! Questions stream from the reader through one check each into the staged output file.

use crate::bank::import::{import_each, slug, BankWriter, Format, Options, Places};
use crate::bank::Language;
use crate::cli::{BankImportArgs, ImportFormat};
use crate::error::ExitCode;
use crate::input::diagnostic::{Diagnostic, Lang};
use crate::io::output::StagedFile;
use crate::Error;
use std::collections::HashMap;
use std::io::Read;
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
    // The bank is written as it is read, into a file beside the output that becomes the output
    // only when everything is in; an existing output stops the run before any work.
    let staged = StagedFile::new(&a.output, a.force)?;
    let mut writer = BankWriter::new(staged, &id, &title).map_err(write_error(a))?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut rejected = Vec::new();
    // Where each id was first taken, across the files.
    let mut first: HashMap<String, _, foldhash::fast::RandomState> = HashMap::default();
    let mut places = Places::default();
    let mut failed: Option<std::io::Error> = None;
    // Whether any file read was told its mistakes in Chinese.
    let mut told_zh = false;
    for file in &a.files {
        // The format is told from the first bytes; the file is then read on from there, so
        // that a streamed format never holds the whole file.
        let read_error = |source| Error::Read {
            path: file.to_path_buf(),
            source,
        };
        let mut input = std::fs::File::open(file).map_err(read_error)?;
        let mut head = Vec::new();
        (&mut input)
            .take(4096)
            .read_to_end(&mut head)
            .map_err(read_error)?;
        let shown = file.display().to_string();
        let ext = file.extension().and_then(|e| e.to_str());
        let format = match a.format {
            Some(ImportFormat::Xlsx) => Format::Xlsx,
            Some(ImportFormat::Csv) => Format::Csv,
            Some(ImportFormat::Text) => Format::Text,
            Some(ImportFormat::Gift) => Format::Gift,
            Some(ImportFormat::MoodleXml) => Format::MoodleXml,
            None => Format::detect(ext, &head),
        };
        let prefix = a.id.clone().unwrap_or_else(|| stem_of(file));
        let opts = Options {
            prefix,
            sheet: a.sheet.clone(),
        };
        // Errors about this file's questions follow what its reader found; the writer tells
        // them in order with its own.
        let input = std::io::Cursor::new(head).chain(input);
        let got = import_each(format, &shown, input, &opts, |q| {
            if failed.is_some() {
                return;
            }
            if let Some(&at) = first.get(&q.id) {
                writer.note(
                    Diagnostic::error(
                        None,
                        format!(
                            "{}: duplicate question id `{}` (first at {})",
                            q.location,
                            q.id,
                            places.location(at)
                        ),
                    )
                    .with_hint("give each file its own --id prefix, or import the files one by one")
                    .zh(
                        format!(
                            "{}: 题目编号 `{}` 重复（第一次在 {}）",
                            q.location,
                            q.id,
                            places.location(at)
                        ),
                        "给每个文件各自的 --id 前缀，或逐个导入",
                    ),
                );
                return;
            }
            first.insert(q.id.clone(), places.pos(&q.location));
            if let Err(e) = writer.push(q) {
                failed = Some(e);
            }
        });
        let later = match writer.told() {
            Ok((later, bad)) => {
                rejected.extend(bad);
                later
            }
            Err(e) => {
                failed.get_or_insert(e);
                Vec::new()
            }
        };
        told_zh |= got.lang == Lang::Zh;
        diags.extend(got.diagnostics);
        // What was found about this file's questions after they were read is told in its language.
        diags.extend(later.into_iter().map(|d| d.in_language(got.lang)));
        rejected.extend(got.rejected);
    }
    if let Some(e) = failed {
        return Err(write_error(a)(e));
    }
    let (done, bad) = writer.finish().map_err(write_error(a))?;
    rejected.extend(bad.iter().filter_map(|d| d.location.clone()));
    diags.extend(bad);
    crate::input::diagnostic::eprint_all(&diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 && !a.skip_bad {
        let chinese = Lang::of_diagnostics(&diags) == Lang::Zh;
        if chinese {
            eprintln!(
                "note: 什么也没有写出；改正上面各处，或加 --skip-bad 写出其余 {} 道没有错误的题",
                done.written
            );
        } else {
            eprintln!(
                "note: nothing written; fix the rows above, or pass --skip-bad to write the {} good question(s)",
                done.written
            );
        }
        return Err(Error::Reported {
            count: errors,
            what: "the imported files".into(),
            zh: chinese.then(|| format!("导入的文件中有 {errors} 处错误")),
        });
    }
    if done.written == 0 {
        return Err(Error::input(
            "no questions to write",
            "check the file's format (--format) and that its header names 题干/question",
        ));
    }
    let mut staged = done.out;
    if done.language == Language::En {
        staged.patch(done.language_at, b"en")?;
    }
    staged.commit()?;
    let shown = a.output.display().to_string();
    // The summary is told in Chinese when a file's messages are or the bank written is Chinese.
    let chinese = told_zh || done.language != Language::En;
    if chinese {
        eprintln!("已写出 {} 道题到 {shown}", done.written);
    } else {
        eprintln!("wrote {} question(s) to {shown}", done.written);
    }
    if done.unsourced > 0 {
        if chinese {
            eprintln!(
                "note: 有 {} 道题没有写出处；`bank check` 会逐一提醒",
                done.unsourced
            );
        } else {
            eprintln!(
                "note: {} question(s) have no source; `bank check` warns about them",
                done.unsourced
            );
        }
    }
    if !rejected.is_empty() {
        let list: Vec<String> = rejected.iter().map(|l| l.to_string()).collect();
        if chinese {
            eprintln!(
                "跳过了 {} 道有错误的题：{}",
                rejected.len(),
                list.join(", ")
            );
        } else {
            eprintln!(
                "skipped {} question(s) with errors: {}",
                rejected.len(),
                list.join(", ")
            );
        }
        return Ok(ExitCode::Rejected);
    }
    Ok(if errors > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Success
    })
}

fn write_error(a: &BankImportArgs) -> impl Fn(std::io::Error) -> Error + '_ {
    |source| Error::Write {
        path: a.output.clone(),
        source,
    }
}

//! Printing through a template and typst: the template set with the user's overrides, the
//! errors of templates and typst, and the whole print of `judge --forms` and `certificates`.

use super::fsio::{self, Outputs};
use crate::cli::PrintOptions;
use crate::render::typst::{has_cjk, resolve_chain, Job, Typst, TypstError, CJK_FONTS};
use crate::render::{override_names, pdf_path, Source, Templates};
use crate::Error;
use std::path::{Path, PathBuf};

/// The template set, with the user's overrides.
pub fn templates(opts: &PrintOptions) -> Result<Templates, Error> {
    Templates::new(read_overrides(opts.print.templates.as_deref())?).map_err(Error::from)
}

/// A Typst array of font families: the CJK fallback chain, then a Latin face.
pub fn fonts() -> String {
    let mut fams: Vec<String> = CJK_FONTS.iter().map(|f| format!("\"{f}\"")).collect();
    fams.push("\"Libertinus Serif\"".into());
    format!("({})", fams.join(", "))
}

/// Every file `write` makes for `sources`.
pub fn names(sources: &[Source], opts: &PrintOptions) -> Vec<String> {
    let mut names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    if !opts.sources_only() {
        names.extend(sources.iter().map(|s| pdf_name(&s.name)));
    }
    names
}

fn pdf_name(typ: &str) -> String {
    format!("{}.pdf", typ.trim_end_matches(".typ"))
}

/// Writes the Typst sources and, unless `--format typ`, compiles each to PDF. The PDFs are
/// compiled into a staging folder and moved into place only when all succeeded.
pub fn write(sources: &[Source], opts: &PrintOptions, out: &Outputs) -> Result<(), Error> {
    for s in sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    if opts.sources_only() {
        return Ok(());
    }
    // The sources stay when typst is missing, so they can be compiled later.
    let typst = Typst::locate(opts.print.typst.as_deref(), &opts.print.font_path)?;
    if !has_cjk(&resolve_chain(true, &typst.families()?)) {
        return Err(Error::from(TypstError::NoCjkFont));
    }
    let dir = out.path("");
    let staging = tempfile::Builder::new()
        .prefix(".examforge-pdf-")
        .tempdir_in(&dir)
        .map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let files: Vec<Job> = sources
        .iter()
        .map(|s| Job::pdf(out.path(&s.name), pdf_path(staging.path(), &s.name)))
        .collect();
    typst.compile_all(&files, &dir, jobs)?;
    for s in sources {
        let bytes = fsio::read(&pdf_path(staging.path(), &s.name))?;
        out.write(&pdf_name(&s.name), &bytes)?;
    }
    Ok(())
}

/// The override templates: from `--templates DIR`, else `./templates` when it exists.
pub fn read_overrides(dir: Option<&Path>) -> Result<Vec<(String, String)>, Error> {
    let dir = match dir {
        Some(d) => {
            if !d.is_dir() {
                return Err(Error::usage(format!("`{}` is not a folder", d.display()), "--templates names a folder holding paper.typ.j2, key.typ.j2, sheet.typ.j2 or paper.html.j2"));
            }
            d.to_path_buf()
        }
        None => {
            let d = PathBuf::from("templates");
            if !d.is_dir() {
                return Ok(Vec::new());
            }
            d
        }
    };
    let mut out = Vec::new();
    for name in override_names() {
        let p = dir.join(name);
        if p.is_file() {
            out.push((name.to_string(), fsio::read_text(&p)?));
        }
    }
    Ok(out)
}

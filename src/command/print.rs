//! Printing through a template and typst for `judge --forms` and `certificates`.

use super::fsio::Outputs;
use super::render::read_overrides;
use crate::cli::PrintOptions;
use crate::render::typst::{has_cjk, resolve_chain, Job, Typst, TypstError, CJK_FONTS};
use crate::render::{pdf_path, Source, Templates};
use crate::Error;

/// The template set, with the user's overrides.
pub fn templates(opts: &PrintOptions) -> Result<Templates, Error> {
    Templates::new(read_overrides(opts.templates.as_deref())?).map_err(Error::from)
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
    if !opts.typ_only {
        names.extend(sources.iter().map(|s| pdf_name(&s.name)));
    }
    names
}

fn pdf_name(typ: &str) -> String {
    format!("{}.pdf", typ.trim_end_matches(".typ"))
}

/// Writes the Typst sources and, unless `--typ-only`, compiles each to PDF. The PDFs are
/// compiled into a staging folder and moved into place only when all succeeded.
pub fn write(sources: &[Source], opts: &PrintOptions, out: &Outputs) -> Result<(), Error> {
    for s in sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    if opts.typ_only {
        return Ok(());
    }
    // The sources stay when typst is missing, so they can be compiled later.
    let typst = Typst::locate(opts.typst.as_deref(), &opts.font_path)?;
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
        let bytes = super::fsio::read(&pdf_path(staging.path(), &s.name))?;
        out.write(&pdf_name(&s.name), &bytes)?;
    }
    Ok(())
}

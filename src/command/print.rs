//! Printing through a template and typst for `judge --forms` and `certificates`.

use super::render::{read_overrides, render_err};
use crate::cli::PrintOptions;
use crate::io::output::OutputSet;
use crate::io::typst::{show_warnings, Typst, TypstError};
use crate::render::fonts::{has_cjk, resolve_chain, CJK_FONTS, LATIN_FONT};
use crate::render::job::Run;
use crate::render::{Source, Templates};
use crate::Error;

/// The template set, with the user's overrides.
pub fn templates(opts: &PrintOptions) -> Result<Templates, Error> {
    Templates::new(read_overrides(opts.templates.as_deref())?).map_err(render_err)
}

/// A Typst array of font families: the CJK fallback chain, then a Latin face.
pub fn fonts() -> String {
    let mut fams: Vec<String> = CJK_FONTS.iter().map(|f| format!("\"{f}\"")).collect();
    fams.push(format!("\"{LATIN_FONT}\""));
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

/// Stages the Typst sources and, unless `--typ-only`, compiles each to PDF, then puts the set in
/// place. When typst cannot print them, the sources are put in place alone, to be compiled later.
pub fn write(sources: &[Source], opts: &PrintOptions, out: &OutputSet) -> Result<(), Error> {
    for s in sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    if !opts.typ_only {
        if let Err(e) = compile(sources, opts, out) {
            let _ = out.commit();
            return Err(e);
        }
    }
    out.commit()?;
    Ok(())
}

fn compile(sources: &[Source], opts: &PrintOptions, out: &OutputSet) -> Result<(), Error> {
    let typst = Typst::locate(opts.typst.as_deref(), &opts.font_path)?;
    if !has_cjk(&resolve_chain(true, &typst.families()?)) {
        return Err(TypstError::NoCjkFont.into());
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs: Vec<Run> = sources
        .iter()
        .map(|s| Run::pdf(&s.name, &pdf_name(&s.name)))
        .collect();
    let warnings = typst.run_all(&runs, &out.stage_dir()?, threads)?;
    for w in show_warnings(&runs, &warnings) {
        eprintln!("{w}");
    }
    for r in &runs {
        out.claim(&r.output)?;
    }
    Ok(())
}

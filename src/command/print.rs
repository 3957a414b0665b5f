//! Printing through a template and typst: the template set with the user's overrides, the
//! errors of templates and typst, and the whole print of `judge --forms` and `certificates`.

use crate::cli::PrintOptions;
use crate::io::output::OutputSet;
use crate::io::read;
use crate::io::typst::{show_warnings, Typst, TypstError};
use crate::render::fonts::{has_cjk, resolve_chain, CJK_FONTS, LATIN_FONT};
use crate::render::job::Run;
use crate::render::{override_names, Source, Templates};
use crate::Error;
use std::path::{Path, PathBuf};

/// The template set, with the user's overrides.
pub fn templates(opts: &PrintOptions) -> Result<Templates, Error> {
    Templates::new(read_overrides(opts.print.templates.as_deref())?).map_err(Error::from)
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
    if !opts.sources_only() {
        names.extend(sources.iter().map(|s| pdf_name(&s.name)));
    }
    names
}

fn pdf_name(typ: &str) -> String {
    format!("{}.pdf", typ.trim_end_matches(".typ"))
}

/// Stages the Typst sources and, unless `--format typ`, compiles each to PDF, then puts the set
/// in place. When typst cannot print them, the sources are put in place alone, to be compiled
/// later.
pub fn write(sources: &[Source], opts: &PrintOptions, out: &OutputSet) -> Result<(), Error> {
    for s in sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    if !opts.sources_only() {
        if let Err(e) = compile(sources, opts, out) {
            let _ = out.commit();
            return Err(e);
        }
    }
    out.commit()?;
    Ok(())
}

fn compile(sources: &[Source], opts: &PrintOptions, out: &OutputSet) -> Result<(), Error> {
    let typst = Typst::locate(opts.print.typst.as_deref(), &opts.print.font_path)?;
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
            out.push((name.to_string(), read::text(&p)?));
        }
    }
    Ok(out)
}

//! Printing through a template and typst: the template set with the user's overrides, the
//! errors of templates and typst, and the whole print of `judge --forms`, `certificates`, the
//! published results and the report, fonts included ([`Printer`]).

use crate::cli::{PrintOptions, Printing};
use crate::io::output::OutputSet;
use crate::io::read;
use crate::io::typst::{show_warnings, Typst, TypstError};
use crate::render::fonts::has_cjk;
use crate::render::job::Run;
use crate::render::{font_list, override_names, Source, Templates};
use crate::Error;
use std::path::{Path, PathBuf};

/// The template set, with the user's overrides.
pub fn templates(opts: &PrintOptions) -> Result<Templates, Error> {
    Templates::new(read_overrides(opts.print.templates.as_deref())?).map_err(Error::from)
}

/// typst, located before any template is rendered, with the font chain resolved against the
/// fonts it has: the one way a printed document (forms, certificates, the published results, the
/// report) gets its fonts, as the papers get theirs ([`super::render::plan`]).
pub struct Printer {
    chinese: bool,
    /// typst and the chain it has, or why it cannot print; `None` when only sources are written.
    found: Option<Result<(Typst, Vec<String>), TypstError>>,
}

impl Printer {
    /// Looks for typst and resolves the chain for a document in Chinese or not, when `pdf`.
    pub fn new(print: &Printing, pdf: bool, chinese: bool) -> Self {
        let found = pdf.then(|| {
            let mut typst = Typst::locate(print.typst.as_deref(), &print.font_path)?;
            let chain = typst.resolve_fonts(chinese)?;
            Ok((typst, chain))
        });
        Printer { chinese, found }
    }

    /// For `print`/`judge --forms`/`certificates`: PDF unless `--format typ`.
    pub fn of(opts: &PrintOptions, chinese: bool) -> Self {
        Printer::new(&opts.print, !opts.sources_only(), chinese)
    }

    /// The Typst array of font families the templates set (`{{ fonts|safe }}`): the chain typst
    /// has; the whole chain when the sources are to be compiled elsewhere.
    pub fn fonts(&self) -> String {
        let chain = match &self.found {
            Some(Ok((_, chain))) if !chain.is_empty() => Some(chain.as_slice()),
            _ => None,
        };
        font_list(self.chinese, chain)
    }

    /// Compiles the staged `sources` of `out` to PDF, beside them; `Ok(false)` when only
    /// sources are written.
    pub fn compile(self, sources: &[Source], out: &OutputSet) -> Result<bool, Error> {
        let Some(found) = self.found else {
            return Ok(false);
        };
        let (typst, chain) = found?;
        if self.chinese && !has_cjk(&chain) {
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
        Ok(true)
    }

    /// Stages the Typst sources and, unless only sources are asked for, compiles each to PDF,
    /// then puts the set in place. When typst cannot print them, the sources are put in place
    /// alone, to be compiled later.
    pub fn write(self, sources: &[Source], out: &OutputSet) -> Result<(), Error> {
        for s in sources {
            out.write(&s.name, s.text.as_bytes())?;
        }
        if let Err(e) = self.compile(sources, out) {
            let _ = out.commit();
            return Err(e);
        }
        out.commit()?;
        Ok(())
    }
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

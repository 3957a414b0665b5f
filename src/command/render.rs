//! `examforge render`: exam.json → papers, keys and answer sheets.

use super::draw::read_manifest;
use super::fsio::{self, Outputs};
use crate::cli::{OutputFormat, RenderOptions};
use crate::draw::manifest::Manifest;
use crate::render::layout::{
    exam_code, SheetLayout, BLANK_FILE, BLANK_PX_PER_MM, LAYOUT_FILE, QUERY,
};
use crate::render::typst::{Typst, TypstError};
use crate::render::{
    html_sources, needs_cjk, override_names, pdf_path, typst_sources, Look, RenderError, Source,
    Templates,
};
use crate::Error;
use std::path::{Path, PathBuf};

/// Runs `render`.
pub fn run(exam: &Path, opts: &RenderOptions, output: &Path, force: bool) -> Result<u8, Error> {
    let manifest = read_manifest(exam)?;
    let out = Outputs::new(output, force);
    let plan = plan(&manifest, opts)?;
    out.check_free(&plan.names())?;
    write(&plan, &manifest, opts, &out)
}

/// What a render will write, prepared before anything is written.
pub struct Plan {
    sources: Vec<Source>,
    format: OutputFormat,
}

impl Plan {
    /// Every file name the render writes.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.sources.iter().map(|s| s.name.clone()).collect();
        if self.format == OutputFormat::Pdf {
            names.extend(self.sources.iter().map(|s| pdf_name(&s.name)));
            if self.has_sheet() {
                names.push(LAYOUT_FILE.into());
                names.push(BLANK_FILE.into());
            }
        }
        names
    }

    fn has_sheet(&self) -> bool {
        self.sources.iter().any(|s| s.name == SHEET_SOURCE)
    }
}

const SHEET_SOURCE: &str = "sheet.typ";

fn pdf_name(typ: &str) -> String {
    format!("{}.pdf", typ.trim_end_matches(".typ"))
}

/// Renders the sources in memory.
pub fn plan(m: &Manifest, opts: &RenderOptions) -> Result<Plan, Error> {
    let templates =
        Templates::new(read_overrides(opts.templates.as_deref())?).map_err(render_err)?;
    let look = Look {
        confidential: opts.confidential,
    };
    let sources = match opts.format {
        OutputFormat::Html => html_sources(&templates, m, &look),
        _ => typst_sources(&templates, m, &look),
    }
    .map_err(render_err)?;
    Ok(Plan {
        sources,
        format: opts.format,
    })
}

pub(super) fn render_err(e: RenderError) -> Error {
    Error::Input {
        hint: e.hint(),
        message: e.to_string(),
    }
}

pub(super) fn typst_err(e: TypstError) -> Error {
    let hint = e.hint();
    match e {
        TypstError::Failed { .. } => Error::Input {
            message: e.to_string(),
            hint,
        },
        _ => Error::Environment {
            message: e.to_string(),
            hint,
        },
    }
}

/// Writes the sources and, for PDF, compiles them.
pub fn write(plan: &Plan, m: &Manifest, opts: &RenderOptions, out: &Outputs) -> Result<u8, Error> {
    for s in &plan.sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    if plan.format != OutputFormat::Pdf {
        eprintln!(
            "wrote {} file(s) to {}",
            plan.sources.len(),
            out.path("").display()
        );
        return Ok(0);
    }
    let typst = Typst::locate(opts.typst.as_deref(), &opts.font_path).map_err(typst_err)?;
    if needs_cjk(m) && typst.cjk_font().map_err(typst_err)?.is_none() {
        return Err(typst_err(TypstError::NoCjkFont));
    }
    let dir = out.path("");
    let staging = tempfile::Builder::new()
        .prefix(".examforge-pdf-")
        .tempdir_in(&dir)
        .map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
    let jobs = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let files: Vec<(PathBuf, PathBuf)> = plan
        .sources
        .iter()
        .map(|s| (out.path(&s.name), pdf_path(staging.path(), &s.name)))
        .collect();
    typst.compile_all(&files, &dir, jobs).map_err(typst_err)?;
    for s in &plan.sources {
        let from = pdf_path(staging.path(), &s.name);
        let to = out.path(&pdf_name(&s.name));
        std::fs::rename(&from, &to).map_err(|source| Error::Write {
            path: to.clone(),
            source,
        })?;
    }
    if plan.has_sheet() {
        sheet_layout(&typst, m, out, staging.path())?;
    }
    eprintln!(
        "wrote {} PDF(s) and their .typ sources to {}",
        plan.sources.len(),
        dir.display()
    );
    Ok(0)
}

/// Writes sheet.layout.json from typst's own placement of the sheet's boxes, and the blank sheet
/// as an image for the reader to compare scans with.
fn sheet_layout(typst: &Typst, m: &Manifest, out: &Outputs, staging: &Path) -> Result<(), Error> {
    let dir = out.path("");
    let source = out.path(SHEET_SOURCE);
    let json = typst.eval_in(&source, &dir, QUERY).map_err(typst_err)?;
    let layout = SheetLayout::from_tags(&json, exam_code(m)).map_err(|e| Error::Input {
        message: format!("{}: {e}", source.display()),
        hint: Some(e.hint()),
    })?;
    let text = serde_json::to_string_pretty(&layout).map_err(|e| Error::Input {
        message: e.to_string(),
        hint: None,
    })?;
    out.write(LAYOUT_FILE, format!("{text}\n").as_bytes())?;
    let png = staging.join(BLANK_FILE);
    typst
        .compile_png(&source, &png, &dir, BLANK_PX_PER_MM * 25.4)
        .map_err(typst_err)?;
    let to = out.path(BLANK_FILE);
    std::fs::rename(&png, &to).map_err(|source| Error::Write { path: to, source })?;
    Ok(())
}

/// The override templates: from `--templates DIR`, else `./templates` when it exists.
pub(super) fn read_overrides(dir: Option<&Path>) -> Result<Vec<(String, String)>, Error> {
    let dir = match dir {
        Some(d) => {
            if !d.is_dir() {
                return Err(Error::input(format!("`{}` is not a folder", d.display()), "--templates names a folder holding paper.typ.j2, key.typ.j2, sheet.typ.j2 or paper.html.j2"));
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

//! `examforge render`: exam.json → papers, keys and answer sheets.

use super::print::read_overrides;
use crate::bank::Language;
use crate::cli::{OutputFormat, RenderOptions};
use crate::draw::manifest::Manifest;
use crate::error::ExitCode;
use crate::io::output::OutputSet;
use crate::io::typst::{show_warnings, Typst, TypstError};
use crate::render::fonts::{has_cjk, resolve_chain};
use crate::render::job::BlankSheet;
use crate::render::job::{ExamJob, Run, Task, BATCH_DIR, SHEET_SOURCE};
use crate::render::layout::{blank_name, sheet_code, SheetLayout, SheetSet, LAYOUT_FILE, QUERY};
use crate::render::pdf;
use crate::render::{
    html_sources, needs_cjk, paper_source_name, sheet_variants, typst_sources, Look, Source,
    Templates, TypstSet,
};
use crate::Error;
use std::path::Path;

/// The verb whose set of outputs `render` (and the rendering half of `make`) writes.
pub const VERB: &str = "render";

/// Runs `render`.
pub fn run(
    exam: &Path,
    opts: &RenderOptions,
    output: &Path,
    force: bool,
) -> Result<ExitCode, Error> {
    let manifest = super::manifest::read(exam)?;
    let out = OutputSet::new(output, force, VERB);
    let plan = plan(&manifest, opts)?;
    out.check_free(&plan.names())?;
    let done = write(plan, &manifest, opts, &out)?;
    out.commit()?;
    eprintln!("{done}");
    Ok(ExitCode::Success)
}

/// What a render will write, prepared before anything is written.
pub struct Plan {
    sources: Vec<Source>,
    format: OutputFormat,
    templates: Templates,
    look: Look,
    /// Also one PDF per paper.
    split: bool,
    /// The PDF name of each paper, in manifest order.
    paper_pdfs: Vec<String>,
    /// The blank image of each answer sheet.
    blanks: Vec<String>,
    /// typst with the font chain it resolved, or why it cannot be run (PDF only).
    typst: Option<Result<(Typst, Vec<String>), TypstError>>,
}

impl Plan {
    /// Every file name the render writes.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.sources.iter().map(|s| s.name.clone()).collect();
        if self.format == OutputFormat::Pdf {
            names.extend(["papers.pdf", "key.pdf", "sheet.pdf"].map(String::from));
            if self.split {
                names.extend(self.paper_pdfs.iter().cloned());
            }
            if self.has_sheet() {
                names.push(LAYOUT_FILE.into());
                names.extend(self.blanks.iter().cloned());
            }
        }
        names
    }

    fn has_sheet(&self) -> bool {
        self.sources.iter().any(|s| s.name == SHEET_SOURCE)
    }
}

fn pdf_name(typ: &str) -> String {
    format!("{}.pdf", typ.trim_end_matches(".typ"))
}

/// Papers above this count are not split into PDFs of their own unless asked.
pub const SPLIT_AT_MOST: usize = 50;

/// Papers per typst process unless `--batch` says otherwise. typst lays out on every core by
/// itself, so two processes of 50 papers side by side take as long as one of 100, and hold about
/// 270 MiB each for four-page Chinese papers; an exam of any size runs in batches of this size, as
/// many at once as there are cores, so memory stays flat however many papers.
pub const DEFAULT_BATCH: usize = 50;

/// typst, found, with the font families it may use (see [`Typst::usable_families`]), when
/// `opts` asks for PDF; `make` looks for them while it draws.
pub type Found = Option<Result<(Typst, Vec<String>), TypstError>>;

/// Finds typst and the families it may use, when `opts` asks for PDF.
pub fn find_typst(opts: &RenderOptions) -> Found {
    (opts.format == OutputFormat::Pdf).then(|| {
        let mut typst = Typst::locate(opts.print.typst.as_deref(), &opts.print.font_path)?;
        let families = typst.usable_families()?;
        Ok((typst, families))
    })
}

/// Renders the sources in memory; for PDF also finds typst and resolves the font chain once.
pub fn plan(m: &Manifest, opts: &RenderOptions) -> Result<Plan, Error> {
    plan_with(m, opts, find_typst(opts))
}

/// [`plan`] with typst already looked for.
pub fn plan_with(m: &Manifest, opts: &RenderOptions, found: Found) -> Result<Plan, Error> {
    let templates = Templates::new(read_overrides(opts.print.templates.as_deref())?)?;
    let typst = found.map(|r| {
        r.map(|(typst, families)| {
            let chain = resolve_chain(m.language == Language::Zh, &families);
            (typst, chain)
        })
    });
    let fonts = match &typst {
        Some(Ok((_, chain))) if !chain.is_empty() => Some(chain.clone()),
        _ => None,
    };
    let look = Look {
        confidential: opts.confidential,
        duplex: if opts.duplex || opts.no_duplex {
            opts.duplex
        } else {
            m.language == Language::Zh
        },
        fonts,
    };
    let sources = match opts.format {
        OutputFormat::Html => html_sources(&templates, m, &look),
        _ => typst_sources(&templates, m, &look),
    }?;
    Ok(Plan {
        sources,
        format: opts.format,
        templates,
        look,
        split: if opts.split || opts.no_split {
            opts.split
        } else {
            m.papers.len() <= SPLIT_AT_MOST
        },
        paper_pdfs: m
            .papers
            .iter()
            .map(|p| pdf_name(&paper_source_name(p)))
            .collect(),
        blanks: {
            let n = sheet_variants(m).len();
            (0..n).map(|k| blank_name(k, n)).collect()
        },
        typst,
    })
}

/// Stages the sources and, for PDF, prints them (see [`print`]); returns what to tell the user
/// once the set is in place. When printing fails, the sources are put in place alone, to be
/// compiled later or read where typst's message points.
pub fn write(
    mut plan: Plan,
    m: &Manifest,
    opts: &RenderOptions,
    out: &OutputSet,
) -> Result<String, Error> {
    for s in &plan.sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    let Some(found) = plan.typst.take() else {
        return Ok(format!(
            "wrote {} file(s) to {}",
            plan.sources.len(),
            out.dir().display()
        ));
    };
    let printed = found
        .map_err(Error::from)
        .and_then(|typst| print(typst, &plan, m, opts, out));
    if printed.is_err() {
        // The error at hand is what the user needs to hear of.
        let _ = out.commit();
    }
    printed
}

/// Runs typst on every core at once over the print job of the exam: the paper batches, and
/// beside them the key batches and the answer sheet (its PDF, which carries its layout, and its
/// blank image). Then papers.pdf, the key, the sheet with its layout and, when splitting, one PDF
/// per paper.
fn print(
    (typst, chain): (Typst, Vec<String>),
    plan: &Plan,
    m: &Manifest,
    opts: &RenderOptions,
    out: &OutputSet,
) -> Result<String, Error> {
    if needs_cjk(m) && !has_cjk(&chain) {
        return Err(TypstError::NoCjkFont.into());
    }
    let root = out.stage_dir()?;
    let threads = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let size = opts.batch.map_or(DEFAULT_BATCH, |b| b as usize);
    let set = TypstSet::new(&plan.templates, m, &plan.look);
    let has_sheet = plan.has_sheet();
    let job = ExamJob::plan(&set, m, size, "sheet.pdf", has_sheet)?;
    for b in &job.batches {
        out.write_scratch(&b.name, b.text.as_bytes())?;
    }
    let warnings = typst.run_all(&job.runs, &root, threads)?;
    for w in show_warnings(&job.runs, &warnings) {
        eprintln!("{w}");
    }

    // papers.pdf: the batches joined, each paper numbered from 1 under its bookmark, and cut into
    // one PDF per paper if asked. Untagged batches read back in milliseconds.
    let read = |rel: &str| crate::io::read::bytes(&root.join(rel));
    let mut pages = 0;
    let mut all = pdf::Joiner::default();
    for (k, r) in job.paper_ranges.iter().enumerate() {
        let doc = pdf::load(&read(&ExamJob::paper_pdf(k))?)?;
        pages += pdf::page_count(&doc);
        let starts = pdf::paper_starts(&doc, r.len())?;
        if plan.split {
            for (i, (pr, (_, title))) in pdf::paper_ranges(&starts, pdf::page_count(&doc))
                .into_iter()
                .zip(&starts)
                .enumerate()
            {
                let bytes = pdf::extract(&doc, pr, title)?;
                out.write(&plan.paper_pdfs[r.start + i], &bytes)?;
            }
        }
        all.add_papers(doc, &starts);
    }
    out.write("papers.pdf", &all.finish()?)?;
    if job.key_ranges.len() == 1 {
        out.write("key.pdf", &read(&ExamJob::key_pdf(0))?)?;
    } else {
        let mut keys = pdf::Joiner::default();
        for k in 0..job.key_ranges.len() {
            keys.add(pdf::load(&read(&ExamJob::key_pdf(k))?)?);
        }
        out.write("key.pdf", &keys.finish()?)?;
    }
    out.claim("sheet.pdf")?;
    if has_sheet {
        sheet_layout(&typst, m, out, &root, &job.sheet_blanks)?;
        for b in &job.sheet_blanks {
            out.claim(&b.png)?;
        }
    }
    Ok(match m.language {
        Language::Zh => format!(
            "已写出 papers.pdf（{} 套试卷，共 {pages} 页{}）{}、key.pdf、sheet.pdf 和 .typ 源文件，在 {}",
            m.papers.len(),
            if plan.look.duplex { "，双面印刷" } else { "" },
            if plan.split { "、每套试卷各一个 PDF" } else { "" },
            out.dir().display()
        ),
        Language::En => format!(
            "wrote papers.pdf ({} paper(s), {pages} page(s){}){}, key.pdf, sheet.pdf and the .typ sources to {}",
            m.papers.len(),
            if plan.look.duplex { ", two-sided" } else { "" },
            if plan.split { ", one PDF per paper" } else { "" },
            out.dir().display()
        ),
    })
}

/// Writes sheet.layout.json from typst's own placement of the boxes of each blank sheet, which
/// the built-in sheet attaches to its PDF (a sheet template without the attachment costs one more
/// typst run per sheet, `eval` of the tags).
fn sheet_layout(
    typst: &Typst,
    m: &Manifest,
    out: &OutputSet,
    root: &Path,
    blanks: &[BlankSheet],
) -> Result<(), Error> {
    let variants = sheet_variants(m);
    let mut sheets = Vec::new();
    for (k, (b, v)) in blanks.iter().zip(&variants).enumerate() {
        let pdf_bytes = crate::io::read::bytes(&root.join(&b.pdf))?;
        let attached = pdf::load(&pdf_bytes)
            .ok()
            .and_then(|doc| pdf::attachment(&doc, LAYOUT_FILE));
        let json = match attached {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => {
                let run = Run {
                    output: format!("{BATCH_DIR}/{LAYOUT_FILE}"),
                    task: Task::Eval { expr: QUERY.into() },
                    light: true,
                    shown: SHEET_SOURCE.into(),
                    ..Run::pdf(&b.source, "")
                };
                typst.perform(&run, root)?;
                crate::io::read::text(&root.join(&run.output))?
            }
        };
        let source = out.path(SHEET_SOURCE);
        let mut layout =
            SheetLayout::from_tags(&json, sheet_code(m, k)).map_err(|e| Error::Input {
                message: format!("{}: {e}", source.display()),
                hint: Some(e.hint()),
                zh: None,
            })?;
        layout.blank = b.png.clone();
        layout.papers = v.papers.iter().map(|&i| m.papers[i].code.clone()).collect();
        sheets.push(layout);
    }
    let text = serde_json::to_string_pretty(&SheetSet { sheets })
        .expect("a sheet layout serialises to JSON");
    out.write(LAYOUT_FILE, format!("{text}\n").as_bytes())
}

//! `examforge render`: exam.json → papers, keys and answer sheets.

use super::fsio::{self, Outputs};
use super::print::read_overrides;
use crate::bank::Language;
use crate::cli::{OutputFormat, RenderOptions};
use crate::draw::manifest::Manifest;
use crate::error::ExitCode;
use crate::render::layout::{
    exam_code, SheetLayout, BLANK_FILE, BLANK_PX_PER_MM, LAYOUT_FILE, QUERY,
};
use crate::render::pdf;
use crate::render::typst::{has_cjk, resolve_chain, Job, Task, Typst, TypstError};
use crate::render::{
    html_sources, needs_cjk, paper_source_name, typst_sources, Look, Source, Templates, TypstSet,
};
use crate::Error;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Runs `render`.
pub fn run(
    exam: &Path,
    opts: &RenderOptions,
    output: &Path,
    force: bool,
) -> Result<ExitCode, Error> {
    let manifest = super::manifest::read(exam)?;
    let out = Outputs::new(output, force);
    let plan = plan(&manifest, opts)?;
    out.check_free(&plan.names())?;
    write(plan, &manifest, opts, &out)
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
        typst,
    })
}

/// Splits `n` papers into consecutive batches of at most `size`, as even as possible.
pub fn batches(n: usize, size: usize) -> Vec<Range<usize>> {
    if n == 0 {
        return Vec::new();
    }
    let count = n.div_ceil(size.max(1));
    (0..count)
        .map(|k| (k * n / count)..((k + 1) * n / count))
        .collect()
}

/// Writes the sources and, for PDF, runs typst on every core at once: the paper batches, and beside
/// them the key batches and the answer sheet (its PDF, which carries its layout, and its blank
/// image). Then papers.pdf, the key, the sheet with its layout and, when splitting, one PDF per
/// paper.
pub fn write(
    plan: Plan,
    m: &Manifest,
    opts: &RenderOptions,
    out: &Outputs,
) -> Result<ExitCode, Error> {
    for s in &plan.sources {
        out.write(&s.name, s.text.as_bytes())?;
    }
    let has_sheet = plan.has_sheet();
    let Some(typst) = plan.typst else {
        eprintln!(
            "wrote {} file(s) to {}",
            plan.sources.len(),
            out.path("").display()
        );
        return Ok(ExitCode::Success);
    };
    let (typst, chain) = typst?;
    if needs_cjk(m) && !has_cjk(&chain) {
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
    let stage = |name: &str| staging.path().join(name);
    let threads = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let size = opts.batch.map_or(DEFAULT_BATCH, |b| b as usize);
    let set = TypstSet::new(&plan.templates, m, &plan.look);
    let ranges = batches(m.papers.len(), size);
    // A key batch is a quarter of the work of the same papers and about half their memory: it
    // takes two batches' worth, so it holds no more than a paper batch.
    let key_ranges = batches(m.papers.len(), size.saturating_mul(2));
    let mut jobs = Vec::new();
    let mut names = Vec::new();
    let mut push = |what: &str, k: usize, r: &Range<usize>, text: String| -> Result<(), Error> {
        let input = stage(&format!("{what}-{k}.typ"));
        std::fs::write(&input, text).map_err(|source| Error::Write {
            path: input.clone(),
            source,
        })?;
        jobs.push(Job {
            output: input.with_extension("pdf"),
            input,
            weight: if what == "papers" { 4 } else { 1 } * r.len() as u64,
            // Print files: untagged, so one batch or many give the same kind of file.
            task: Task::Pdf { tagged: false },
            light: what == "key",
        });
        // Errors name the file the user has: a batch of one paper is that paper's source.
        names.push(match (what, r.len()) {
            ("papers", 1) => paper_source_name(&m.papers[r.start]),
            _ => format!("{what}.typ"),
        });
        Ok(())
    };
    for (k, r) in ranges.iter().enumerate() {
        push("papers", k, r, set.bundle(r.clone())?)?;
    }
    // Longest first on the light worker: the key batches, then the sheet's two short runs (its PDF,
    // which carries its layout, and its blank image), shared by the paper workers once they are done.
    let sheet = out.path(SHEET_SOURCE);
    let mut sheet_jobs = vec![Job {
        light: true,
        ..Job::pdf(sheet.clone(), stage("sheet.pdf"))
    }];
    if has_sheet {
        sheet_jobs.push(Job {
            input: sheet.clone(),
            output: stage(BLANK_FILE),
            weight: 1,
            task: Task::Png {
                ppi: BLANK_PX_PER_MM * 25.4,
            },
            light: true,
        });
    }
    for (k, r) in key_ranges.iter().enumerate() {
        push("key", k, r, set.key(r.clone())?)?;
    }
    names.extend(std::iter::repeat_n(
        SHEET_SOURCE.to_string(),
        sheet_jobs.len(),
    ));
    jobs.extend(sheet_jobs);
    let warnings = typst
        .compile_all(&jobs, &dir, threads)
        .map_err(|e| match e {
            TypstError::Failed { file, stderr } => {
                let at = jobs.iter().position(|j| j.input == file);
                TypstError::Failed {
                    file: at.map_or(file, |i| PathBuf::from(&names[i])),
                    stderr,
                }
            }
            e => e,
        })?;
    let mut shown: Vec<&str> = Vec::new();
    for (file, said) in &warnings {
        if shown.contains(&said.as_str()) {
            continue;
        }
        shown.push(said);
        let at = jobs.iter().position(|j| &j.input == file);
        let name = at.map_or_else(|| file.display().to_string(), |i| names[i].clone());
        eprintln!("typst said on `{name}`:\n{}", frame(said));
    }

    // papers.pdf: the batches joined, each paper numbered from 1 under its bookmark, and cut into
    // one PDF per paper if asked. Untagged batches read back in milliseconds.
    let read = |p: &Path| fsio::read(p);
    let mut pages = 0;
    let mut all = pdf::Joiner::default();
    for (k, r) in ranges.iter().enumerate() {
        let doc = pdf::load(&read(&stage(&format!("papers-{k}.pdf")))?)?;
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
    if key_ranges.len() == 1 {
        out.write("key.pdf", &read(&stage("key-0.pdf"))?)?;
    } else {
        let mut keys = pdf::Joiner::default();
        for k in 0..key_ranges.len() {
            keys.add(pdf::load(&read(&stage(&format!("key-{k}.pdf")))?)?);
        }
        out.write("key.pdf", &keys.finish()?)?;
    }
    let sheet_pdf = read(&stage("sheet.pdf"))?;
    out.write("sheet.pdf", &sheet_pdf)?;
    if has_sheet {
        sheet_layout(&typst, m, out, staging.path(), &sheet_pdf)?;
    }
    eprintln!(
        "wrote papers.pdf ({} paper(s), {pages} page(s){}){}, key.pdf, sheet.pdf and the .typ sources to {}",
        m.papers.len(),
        if plan.look.duplex { ", two-sided" } else { "" },
        if plan.split { ", one PDF per paper" } else { "" },
        dir.display()
    );
    Ok(ExitCode::Success)
}

fn frame(s: &str) -> String {
    s.lines()
        .map(|l| format!("  │ {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes sheet.layout.json from typst's own placement of the sheet's boxes, which the built-in
/// sheet attaches to its PDF (a sheet template without the attachment costs one more typst run,
/// `eval` of the tags), and moves the blank sheet's image beside it for the reader to compare
/// scans with.
fn sheet_layout(
    typst: &Typst,
    m: &Manifest,
    out: &Outputs,
    staging: &Path,
    sheet_pdf: &[u8],
) -> Result<(), Error> {
    let dir = out.path("");
    let source = out.path(SHEET_SOURCE);
    let attached = pdf::load(sheet_pdf)
        .ok()
        .and_then(|doc| pdf::attachment(&doc, LAYOUT_FILE));
    let json = match attached {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => {
            let job = Job {
                input: source.clone(),
                output: staging.join(LAYOUT_FILE),
                weight: 1,
                task: Task::Eval { expr: QUERY.into() },
                light: true,
            };
            typst.perform(&job, &dir)?;
            fsio::read_text(&job.output)?
        }
    };
    let layout = SheetLayout::from_tags(&json, exam_code(m)).map_err(|e| Error::Input {
        message: format!("{}: {e}", source.display()),
        hint: Some(e.hint()),
    })?;
    let text = serde_json::to_string_pretty(&layout).expect("a sheet layout serialises to JSON");
    out.write(LAYOUT_FILE, format!("{text}\n").as_bytes())?;
    let png = staging.join(BLANK_FILE);
    let to = out.path(BLANK_FILE);
    std::fs::rename(&png, &to).map_err(|source| Error::Write { path: to, source })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_cover_every_paper_once_evenly() {
        for (n, size) in [(100, 25), (1000, 100), (3, 25), (65, 20), (7, 1), (1, 25)] {
            let b = batches(n, size);
            assert_eq!(b.first().map(|r| r.start), Some(0));
            assert_eq!(b.last().map(|r| r.end), Some(n));
            assert!(b.windows(2).all(|w| w[0].end == w[1].start), "{b:?}");
            assert!(b.iter().all(|r| !r.is_empty() && r.len() <= size), "{b:?}");
            assert_eq!(b.len(), n.div_ceil(size), "{b:?}");
        }
        assert_eq!(batches(100, 25), vec![0..25, 25..50, 50..75, 75..100]);
        assert_eq!(batches(100, 100), vec![0..100]);
        assert_eq!(batches(101, 100), vec![0..50, 50..101]);
        assert!(batches(0, 25).is_empty());
    }
}

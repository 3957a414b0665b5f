//! A print job: the typst runs that turn an exam's sources into PDFs, planned without running
//! anything. The shell (`io::typst`) executes it in a folder holding the sources (the root).

use super::layout::{blank_name, BLANK_PX_PER_MM};
use super::{paper_source_name, sheet_print_is_blank, RenderError, SheetPages, Source, TypstSet};
use crate::draw::manifest::Manifest;
use std::ops::Range;

/// The fixed PDF creation time, so the same exam gives the same bytes.
pub const CREATION_TIMESTAMP: u64 = 0;

/// What a typst run makes of its source.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// A PDF; `tagged: false` leaves out the accessibility tags (structure tree) where the pages
    /// are joined or cut afterwards, which would drop them anyway: untagged, typst writes about a
    /// seventh of the bytes and the pages are read back a hundred times faster.
    Pdf { tagged: bool },
    /// The first page as a grey PNG at `ppi`.
    Png { ppi: f64 },
    /// The JSON value of `expr` evaluated in the document (`typst eval --in`), written to the output.
    Eval { expr: String },
}

/// One typst run: a source, what it makes and where (both relative to the root), how much of the
/// progress bar it fills, and the file its errors name.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub input: String,
    pub output: String,
    pub weight: u64,
    pub task: Task,
    /// A small run (a key batch, the sheet): besides the workers of the heavy runs, one more worker
    /// takes these from the start, so they fill the cores while the papers compile instead of
    /// trailing after them, without adding a heavy run's memory.
    pub light: bool,
    /// The file the user has, which errors and warnings name: a batch of one paper is that
    /// paper's source; a batch of several, `papers.typ`.
    pub shown: String,
}

impl Run {
    /// A tagged PDF of `input`, as typst writes it by default.
    pub fn pdf(input: &str, output: &str) -> Self {
        Run {
            input: input.into(),
            output: output.into(),
            weight: 1,
            task: Task::Pdf { tagged: true },
            light: false,
            shown: input.into(),
        }
    }
}

/// Folder (under the root) of the batch sources and PDFs, which are not outputs.
pub const BATCH_DIR: &str = ".batch";

/// The answer sheet's source.
pub const SHEET_SOURCE: &str = "sheet.typ";

/// The print job of an exam whose sources (papers, `sheet.typ`) are in the root: the batch
/// sources to write, and the runs: paper batches, and beside them the key batches and the answer
/// sheet (its PDF, which carries its layout, and its blank image).
pub struct ExamJob {
    /// Batch sources: path under the root, text.
    pub batches: Vec<Source>,
    pub runs: Vec<Run>,
    /// The papers of each paper batch, whose PDF is [`ExamJob::paper_pdf`].
    pub paper_ranges: Vec<Range<usize>>,
    /// The papers of each key batch, whose PDF is [`ExamJob::key_pdf`].
    pub key_ranges: Vec<Range<usize>>,
    /// The blank of each answer sheet (see [`super::sheet_variants`]): its source, its PDF (which
    /// carries its layout) and its image, under the root.
    pub sheet_blanks: Vec<BlankSheet>,
}

/// The blank of one answer sheet, as compiled by the job.
#[derive(Debug, Clone, PartialEq)]
pub struct BlankSheet {
    pub source: String,
    pub pdf: String,
    pub png: String,
}

impl ExamJob {
    /// Where paper batch `k` is compiled to, under the root.
    pub fn paper_pdf(k: usize) -> String {
        format!("{BATCH_DIR}/papers-{k}.pdf")
    }

    /// Where key batch `k` is compiled to, under the root.
    pub fn key_pdf(k: usize) -> String {
        format!("{BATCH_DIR}/key-{k}.pdf")
    }

    /// Plans the job: batches of at most `size` papers; `sheet_pdf` is where the sheets' print
    /// file goes; `blank` whether the blank of every sheet is made too (its PDF, whose tags are its
    /// layout, and its image): the print file itself when it is the one blank sheet, else a
    /// source of its own per sheet.
    pub fn plan(
        set: &TypstSet,
        m: &Manifest,
        size: usize,
        sheet_pdf: &str,
        blank: bool,
    ) -> Result<Self, RenderError> {
        let paper_ranges = batches(m.papers.len(), size);
        // A key batch is a quarter of the work of the same papers and about half their memory:
        // it takes two batches' worth, so it holds no more than a paper batch.
        let key_ranges = batches(m.papers.len(), size.saturating_mul(2));
        let mut job = ExamJob {
            batches: Vec::new(),
            runs: Vec::new(),
            paper_ranges: paper_ranges.clone(),
            key_ranges: key_ranges.clone(),
            sheet_blanks: Vec::new(),
        };
        for (k, r) in paper_ranges.iter().enumerate() {
            job.batch("papers", k, r, m, set.bundle(r.clone())?);
        }
        // Longest first on the light worker: the key batches, then the sheet's two short runs,
        // shared by the paper workers once they are done.
        for (k, r) in key_ranges.iter().enumerate() {
            job.batch("key", k, r, m, set.key(r.clone())?);
        }
        job.runs.push(Run {
            light: true,
            ..Run::pdf(SHEET_SOURCE, sheet_pdf)
        });
        if blank {
            let variants = set.sheet_variants();
            let n = variants.len();
            for k in 0..n {
                let b = if sheet_print_is_blank(m, variants) {
                    BlankSheet {
                        source: SHEET_SOURCE.into(),
                        pdf: sheet_pdf.into(),
                        png: blank_name(k, n),
                    }
                } else {
                    let b = BlankSheet {
                        source: format!("{BATCH_DIR}/sheet-{}.typ", k + 1),
                        pdf: format!("{BATCH_DIR}/sheet-{}.pdf", k + 1),
                        png: blank_name(k, n),
                    };
                    job.batches.push(Source {
                        name: b.source.clone(),
                        text: set.sheet(SheetPages::Blank(k))?,
                    });
                    job.runs.push(Run {
                        light: true,
                        shown: SHEET_SOURCE.into(),
                        ..Run::pdf(&b.source, &b.pdf)
                    });
                    b
                };
                job.runs.push(Run {
                    input: b.source.clone(),
                    output: b.png.clone(),
                    weight: 1,
                    task: Task::Png {
                        ppi: BLANK_PX_PER_MM * 25.4,
                    },
                    light: true,
                    shown: SHEET_SOURCE.into(),
                });
                job.sheet_blanks.push(b);
            }
        }
        Ok(job)
    }

    fn batch(&mut self, what: &str, k: usize, r: &Range<usize>, m: &Manifest, text: String) {
        let input = format!("{BATCH_DIR}/{what}-{k}.typ");
        self.runs.push(Run {
            output: format!("{BATCH_DIR}/{what}-{k}.pdf"),
            weight: if what == "papers" { 4 } else { 1 } * r.len() as u64,
            // Print files: untagged, so one batch or many give the same kind of file.
            task: Task::Pdf { tagged: false },
            light: what == "key",
            shown: match (what, r.len()) {
                ("papers", 1) => paper_source_name(&m.papers[r.start]),
                _ => format!("{what}.typ"),
            },
            input: input.clone(),
        });
        self.batches.push(Source { name: input, text });
    }
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

//! `examforge grade`: a scanner CSV against exam.json → results, items, rejected rows.

use crate::bank::fmt_points;
use crate::cli::GradeArgs;
use crate::error::ExitCode;
use crate::input::table;
use crate::io::output::OutputSet;
use crate::score::grade::{
    GradeError, Graded, Grader, ItemLine, ItemStats, Manual, Outcome, Ranking, Rejection, Tally,
    TeamStanding,
};
use crate::score::script::RuleScript;
use crate::sheet::{parse_layout_file, ReadAhead, Sheet, SheetRow};
use crate::Error;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

const OUTPUTS: [&str; 4] = ["results.json", "results.csv", "items.csv", "rejected.csv"];

/// A grading run, from `grade` or from `scan --grade`.
pub struct Job {
    pub exam: PathBuf,
    pub answers: PathBuf,
    /// A scanner layout (TOML) for a CSV whose header is not recognised.
    pub csv_layout: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub manual: Option<PathBuf>,
    pub output: PathBuf,
    pub force: bool,
    /// Also write the report into OUTPUT/report.
    pub report: bool,
}

/// Runs `grade`.
pub fn run(a: &GradeArgs) -> Result<ExitCode, Error> {
    grade(&Job {
        exam: a.exam.clone(),
        answers: a.answers.clone(),
        csv_layout: a.csv_layout.clone(),
        rules: a.rules.clone(),
        manual: a.manual.clone(),
        output: a.out.output.clone(),
        force: a.out.force,
        report: a.report,
    })
}

/// Grades `a.answers` against `a.exam` into `a.output`; the exit status says whether rows were
/// rejected.
pub fn grade(a: &Job) -> Result<ExitCode, Error> {
    let manifest = super::manifest::read(&a.exam)?;
    let manifest_sha256 = super::manifest::sha256(&a.exam)?;
    let layout = match &a.csv_layout {
        Some(p) => Some(parse_layout_file(
            &p.display().to_string(),
            &crate::io::read::text(p)?,
        )?),
        None => None,
    };
    let (rules, script) = rule_script(a, &manifest)?;
    let manual = match &a.manual {
        Some(p) => read_manual(p)?,
        None => Manual::new(),
    };
    let shown = a.answers.display().to_string();
    let file = File::open(&a.answers).map_err(|source| Error::Read {
        path: a.answers.clone(),
        source,
    })?;
    let sheet = Sheet::open(&shown, file, layout.as_ref())?;
    let source = Source {
        answers: shown.clone(),
        layout: sheet.layout().name.clone(),
        encoding: sheet.encoding().to_string(),
        rules,
    };
    let mut grader = Grader::new(
        &manifest,
        script.as_ref(),
        &manual,
        sheet.layout().tokens.clone(),
    );
    // Inputs are read and checked before outputs are looked at.
    let out = OutputSet::new(&a.output, a.force, "grade");
    out.check_free(&OUTPUTS)?;
    let inputs: Vec<&Path> = [
        Some(&a.exam),
        Some(&a.answers),
        a.csv_layout.as_ref(),
        a.rules.as_ref(),
        a.manual.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(PathBuf::as_path)
    .collect();
    super::refuse_overwriting_inputs(&out, &OUTPUTS, &inputs)?;
    if a.report {
        super::report::check_after_grade(&a.output, a.force)?;
    }
    let mut files = GradeFiles::create(&out)?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading: {pos} rows ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    // One thread reads the CSV while this one grades.
    let mut sheet = ReadAhead::start(sheet);
    while let Some(row) = sheet.next() {
        bar.inc(1);
        super::show_script_log(script.as_ref());
        match row {
            Err(r) => {
                let why = grader.unusable(&r);
                files.reject(r.line, "", &why, &r.raw)?;
            }
            Ok(row) => match grader.grade(row).map_err(|e| stop(&shown, &e))? {
                Outcome::Graded(g) => files.graded(&g, row, grader.last_items(row))?,
                Outcome::Rejected(why) => {
                    let raw: Vec<&str> = row.answers().map(|(_, t)| t).collect();
                    files.reject(row.line, &row.candidate, &why, &raw.join(","))?;
                }
            },
        }
    }
    bar.finish_and_clear();
    let (ranking, items) = grader.finish();
    let teams = grader.teams();
    super::show_script_log(script.as_ref());
    let teams = teams.map_err(|e| stop(&shown, &e))?;
    files.finish(
        &Head {
            exam: &manifest.blueprint.exam.title,
            seed: manifest.seed,
            manifest: &recorded_exam(&a.exam, &a.output),
            manifest_sha256: &manifest_sha256,
            source: &source,
            summary: &grader.tally,
            sections: grader.section_titles(),
            teams: &teams,
            items: &items,
        },
        &ranking,
        &out,
    )?;
    out.commit()?;
    summary(&source, &grader.tally, &out);
    if a.report {
        super::report::after_grade(&a.exam, &a.output, a.force)?;
    }
    Ok(if grader.tally.rejected > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Success
    })
}

/// The rule script and its name: `--rules` wins; else the script the blueprint named, carried
/// in exam.json.
fn rule_script(
    a: &Job,
    manifest: &crate::draw::manifest::Manifest,
) -> Result<(Option<String>, Option<RuleScript>), Error> {
    let (name, source) = match &a.rules {
        Some(p) => (p.display().to_string(), crate::io::read::text(p)?),
        None => match &manifest.rules {
            Some(r) => (r.path.clone(), r.source.clone()),
            None => return Ok((None, None)),
        },
    };
    let script = RuleScript::compile(&name, &source)?;
    super::show_script_log(Some(&script));
    Ok((Some(name), Some(script)))
}

/// exam.json as results.json records it: relative to the results folder, so that `report`
/// finds it from any folder and after both folders are moved together; as given when there is
/// no relative path (another drive).
fn recorded_exam(exam: &Path, results: &Path) -> String {
    let relative = match (exam.canonicalize(), results.canonicalize()) {
        (Ok(e), Ok(r)) => pathdiff::diff_paths(e, r),
        _ => None,
    };
    relative
        .unwrap_or_else(|| exam.to_path_buf())
        .display()
        .to_string()
}

/// Where the answers came from, as results.json records it.
struct Source {
    answers: String,
    layout: String,
    encoding: String,
    rules: Option<String>,
}

/// Everything results.json holds before the candidates.
struct Head<'a> {
    exam: &'a str,
    seed: u64,
    /// exam.json relative to the results folder, and its SHA-256: the report reads the same exam.
    manifest: &'a str,
    manifest_sha256: &'a str,
    source: &'a Source,
    summary: &'a Tally,
    sections: &'a [String],
    teams: &'a [TeamStanding],
    items: &'a [ItemStats],
}

/// results.json: the head, then every candidate with rank and duplicate flag, streamed from
/// the pending file.
#[derive(Serialize)]
struct ResultsJson<'a> {
    exam: &'a str,
    seed: u64,
    manifest: &'a str,
    manifest_sha256: &'a str,
    answers: &'a str,
    layout: &'a str,
    encoding: &'a str,
    rules: Option<&'a str>,
    summary: &'a Tally,
    sections: &'a [String],
    teams: &'a [TeamStanding],
    items: &'a [ItemStats],
    candidates: Candidates<'a>,
}

/// The graded candidates as a JSON array, read one at a time from the pending file.
struct Candidates<'a> {
    pending: RefCell<&'a mut Pending>,
    ranking: &'a Ranking,
}

impl Serialize for Candidates<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut pending = self.pending.borrow_mut();
        let mut seq = s.serialize_seq(None)?;
        for g in pending.read(self.ranking).map_err(S::Error::custom)? {
            seq.serialize_element(&g.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// Graded candidates waiting for their ranks, one JSON line each in a temporary file.
/// Floats are written in their shortest form and read back exactly (serde_json's
/// `float_roundtrip`), so a rank is found for the very score that is written.
struct Pending {
    file: NamedTempFile,
    out: Option<BufWriter<File>>,
}

impl Pending {
    fn new(file: NamedTempFile) -> Result<Self, Error> {
        let out = file.reopen().map_err(write_err(file.path()))?;
        Ok(Pending {
            file,
            out: Some(BufWriter::new(out)),
        })
    }

    fn push(&mut self, g: &Graded) -> Result<(), Error> {
        let path = self.file.path().to_path_buf();
        let out = self.out.as_mut().expect("pending is open for writing");
        serde_json::to_writer(&mut *out, g).map_err(|e| write_err(&path)(e.into()))?;
        out.write_all(b"\n").map_err(write_err(&path))
    }

    /// Every candidate, in the order graded, with rank and duplicate flag filled in.
    fn read<'r>(
        &'r mut self,
        ranking: &'r Ranking,
    ) -> Result<impl Iterator<Item = Result<Graded, Error>> + 'r, Error> {
        let path = self.file.path().to_path_buf();
        if let Some(mut out) = self.out.take() {
            out.flush().map_err(write_err(&path))?;
        }
        let mut file = self.file.reopen().map_err(write_err(&path))?;
        file.seek(SeekFrom::Start(0)).map_err(write_err(&path))?;
        Ok(BufReader::new(file).lines().map(move |line| {
            let line = line.map_err(write_err(&path))?;
            let mut g: Graded =
                serde_json::from_str(&line).map_err(|e| write_err(&path)(e.into()))?;
            ranking.complete(&mut g);
            Ok(g)
        }))
    }
}

/// The outputs of a run, staged and moved into place together once every one is complete.
struct GradeFiles {
    items: crate::input::table::Writer<BufWriter<File>>,
    rejected: crate::input::table::Writer<BufWriter<File>>,
    pending: Pending,
    /// Where items.csv and rejected.csv go, for errors.
    paths: [PathBuf; 2],
}

impl GradeFiles {
    fn create(out: &OutputSet) -> Result<Self, Error> {
        let writer = |name: &str, header: &[&str]| -> Result<_, Error> {
            let mut w = crate::input::table::Writer::new(BufWriter::new(out.create(name)?));
            w.write_record(header).map_err(csv_err(&out.path(name)))?;
            Ok(w)
        };
        let items = writer(
            "items.csv",
            &[
                "candidate",
                "paper",
                "number",
                "question",
                "marks",
                "status",
                "points",
                "max",
            ],
        )?;
        let rejected = writer("rejected.csv", &["line", "candidate", "reason", "raw"])?;
        let stage = out.stage_dir()?;
        let pending = NamedTempFile::new_in(&stage).map_err(write_err(&stage))?;
        Ok(GradeFiles {
            items,
            rejected,
            pending: Pending::new(pending)?,
            paths: [out.path("items.csv"), out.path("rejected.csv")],
        })
    }

    /// A graded row: its items into items.csv, the candidate into the pending file.
    fn graded<'r>(
        &mut self,
        g: &Graded,
        row: &SheetRow,
        items: impl Iterator<Item = ItemLine<'r>>,
    ) -> Result<(), Error> {
        for it in items {
            self.items
                .write_record([
                    row.candidate.as_str(),
                    &g.paper,
                    &it.number.to_string(),
                    it.question,
                    &it.marks,
                    it.status.name(),
                    &fmt_points(it.points),
                    &fmt_points(it.max),
                ])
                .map_err(csv_err(&self.paths[0]))?;
        }
        self.pending.push(g)
    }

    fn reject(
        &mut self,
        line: u64,
        candidate: &str,
        why: &Rejection,
        raw: &str,
    ) -> Result<(), Error> {
        self.rejected
            .write_record([&line.to_string(), candidate, &why.to_string(), raw])
            .map_err(csv_err(&self.paths[1]))
    }

    /// Writes results.csv and results.json with ranks, and completes every output.
    fn finish(mut self, head: &Head, ranking: &Ranking, out: &OutputSet) -> Result<(), Error> {
        let results_path = out.path("results.csv");
        let mut results =
            crate::input::table::Writer::new(BufWriter::new(out.create("results.csv")?));
        let mut header = vec!["candidate", "name", "team", "paper", "score", "max"];
        header.extend(head.sections.iter().map(String::as_str));
        header.extend(["rank", "pass", "grade", "duplicate", "line"]);
        results
            .write_record(&header)
            .map_err(csv_err(&results_path))?;
        for g in self.pending.read(ranking)? {
            let g = g?;
            let mut rec = vec![
                g.id,
                g.name,
                g.team,
                g.paper,
                fmt_points(g.score),
                fmt_points(g.max),
            ];
            rec.extend(g.sections.iter().map(|s| fmt_points(*s)));
            rec.extend([
                g.rank.to_string(),
                g.pass.map(|p| p.to_string()).unwrap_or_default(),
                g.grade.unwrap_or_default(),
                g.duplicate.to_string(),
                g.line.to_string(),
            ]);
            results.write_record(&rec).map_err(csv_err(&results_path))?;
        }
        results.flush().map_err(write_err(&results_path))?;
        let json_path = out.path("results.json");
        let mut json = BufWriter::new(out.create("results.json")?);
        let doc = ResultsJson {
            exam: head.exam,
            seed: head.seed,
            manifest: head.manifest,
            manifest_sha256: head.manifest_sha256,
            answers: &head.source.answers,
            layout: &head.source.layout,
            encoding: &head.source.encoding,
            rules: head.source.rules.as_deref(),
            summary: head.summary,
            sections: head.sections,
            teams: head.teams,
            items: head.items,
            candidates: Candidates {
                pending: RefCell::new(&mut self.pending),
                ranking,
            },
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut json, Outline::default());
        doc.serialize(&mut ser)
            .map_err(|e| write_err(&json_path)(e.into()))?;
        json.write_all(b"\n").map_err(write_err(&json_path))?;
        json.flush().map_err(write_err(&json_path))?;
        self.items.flush().map_err(write_err(&self.paths[0]))?;
        self.rejected.flush().map_err(write_err(&self.paths[1]))?;
        // Every output is complete and on disk before it is moved into place.
        let [items, rejected] = &self.paths;
        for (file, path) in [
            (self.items.get_ref().get_ref(), items),
            (self.rejected.get_ref().get_ref(), rejected),
            (results.get_ref().get_ref(), &results_path),
            (json.get_ref(), &json_path),
        ] {
            file.sync_all().map_err(write_err(path))?;
        }
        Ok(())
    }
}

/// results.json's layout: indented at the top two levels, then one line per element, so that
/// each candidate, item and team reads on a line of its own however many there are.
#[derive(Default)]
struct Outline {
    depth: usize,
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl Outline {
    const INDENTED: usize = 2;

    fn indented(&self) -> bool {
        self.depth <= Self::INDENTED
    }
}

/// Calls the pretty formatter at the indented levels and the compact one below.
macro_rules! outline {
    ($self:ident, $method:ident($($arg:expr),*)) => {
        if $self.indented() {
            $self.pretty.$method($($arg),*)
        } else {
            serde_json::ser::CompactFormatter.$method($($arg),*)
        }
    };
}

impl serde_json::ser::Formatter for Outline {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        outline!(self, begin_array(w))
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let r = outline!(self, end_array(w));
        self.depth -= 1;
        r
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        outline!(self, begin_array_value(w, first))
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        outline!(self, end_array_value(w))
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        outline!(self, begin_object(w))
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let r = outline!(self, end_object(w));
        self.depth -= 1;
        r
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        outline!(self, begin_object_key(w, first))
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        outline!(self, begin_object_value(w))
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        outline!(self, end_object_value(w))
    }
}

/// The closing summary on stderr.
fn summary(source: &Source, t: &Tally, out: &OutputSet) {
    eprintln!(
        "{}: {} layout, {}",
        source.answers, source.layout, source.encoding
    );
    eprintln!("  read        {:>8}", t.read);
    eprintln!("  graded      {:>8}", t.graded);
    let see = |n: u64, what: &'static str| if n > 0 { what } else { "" };
    eprintln!(
        "  rejected    {:>8}{}",
        t.rejected,
        see(t.rejected, "  (see rejected.csv)")
    );
    eprintln!("  blanks      {:>8}", t.blanks);
    eprintln!("  multi-marks {:>8}", t.multi_marks);
    eprintln!("  unreadable  {:>8}", t.unreadable);
    eprintln!(
        "  invalid     {:>8}{}",
        t.invalid,
        see(
            t.invalid,
            "  (marks an item cannot have, scored 0: review the rows with status `invalid` in items.csv)"
        )
    );
    if t.duplicates > 0 {
        eprintln!(
            "  duplicates  {:>8}  (candidate ids seen more than once; both rows kept and flagged)",
            t.duplicates
        );
    }
    if t.short_without_points > 0 {
        eprintln!(
            "  short answers without points {:>4}  (give them with --manual)",
            t.short_without_points
        );
    }
    eprintln!(
        "wrote {}",
        OUTPUTS
            .map(|n| out.path(n).display().to_string())
            .join(", ")
    );
}

/// A grading error stops the run, naming the answers file and line, with the script's hint.
fn stop(shown: &str, e: &GradeError) -> Error {
    match e {
        GradeError::Script { line, source } => {
            Error::row(shown, *line as usize, source.to_string(), e.hint())
        }
        GradeError::Team { source } => Error::input(source.to_string(), e.hint()),
    }
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Write {
        path: path.clone(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error {
    let path = path.to_path_buf();
    move |e| Error::Write {
        path: path.clone(),
        source: std::io::Error::other(e),
    }
}

/// `--manual`: candidate, item (number or question id), points; a header line first.
fn read_manual(path: &Path) -> Result<Manual, Error> {
    let t = table::read(path)?;
    let shown = path.display();
    let mut out = Manual::new();
    for (line, rec) in &t.rows {
        let (Some(c), Some(item), Some(p)) = (rec.first(), rec.get(1), rec.get(2)) else {
            return Err(Error::row(
                &shown,
                *line,
                "expected 3 fields",
                "rows are: candidate,item,points",
            ));
        };
        let p: f64 = p.trim().parse().map_err(|_| {
            Error::row(
                &shown,
                *line,
                format!("`{p}` is not a number"),
                "points are numbers such as 4 or 3.5",
            )
        })?;
        out.insert((c.trim().to_string(), item.trim().to_string()), p);
    }
    Ok(out)
}

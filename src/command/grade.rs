//! `examforge grade`: a scanner CSV against exam.json → results, items, rejected rows.

use super::say::Say;
use crate::bank::fmt_points;
use crate::cli::GradeArgs;
use crate::error::ExitCode;
use crate::event::appeals;
use crate::input::diagnostic::{guess_suffix, Lang};
use crate::input::table;
use crate::io::output::OutputSet;
use crate::score::grade::{
    Arbitration, Corrections, GradeError, Graded, Grader, ItemLine, ItemStats, Mark, Outcome,
    Ranking, Rejection, Roster, Tally, TeamStanding,
};
use crate::score::script::RuleScript;
use crate::sheet::{parse_layout_file, ReadAhead, Sheet, SheetRow};
use crate::Error;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

const OUTPUTS: [&str; 6] = [
    "results.json",
    "results.csv",
    "items.csv",
    "rejected.csv",
    "changes.csv",
    "arbitration.csv",
];

/// A grading run, from `grade` or from `scan --grade`.
pub struct Job {
    pub exam: PathBuf,
    pub answers: PathBuf,
    /// A scanner layout (TOML) for a CSV whose header is not recognised.
    pub csv_layout: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub manual: Option<PathBuf>,
    /// Decided appeals (复核), applied after `manual`.
    pub appeals: Option<PathBuf>,
    /// The registered candidates: names and teams, and who is absent (缺考).
    pub roster: Option<PathBuf>,
    /// `--double-tolerance`: `N` for every item, `ITEM=N` for one.
    pub tolerance: Vec<String>,
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
        appeals: a.appeals.clone(),
        roster: a.roster.clone(),
        tolerance: a.double_tolerance.clone(),
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
    let mut manual = match &a.manual {
        Some(p) => read_manual(p)?,
        None => Corrections::new(),
    };
    for t in &a.tolerance {
        let (item, value) = parse_tolerance(t)?;
        manual.set_tolerance(item, value);
    }
    if let Some(p) = &a.appeals {
        let shown = p.display().to_string();
        let found = appeals::parse(&shown, &crate::io::read::text(p)?)?;
        manual.set_appeals_language(found.lang);
        for appeal in found.for_exam(&manifest.blueprint.exam.title) {
            manual.add_appeal(appeal);
        }
    }
    let (roster, roster_lang) = match &a.roster {
        Some(p) => {
            let (list, lang) = super::draw::read_roster_in(p)?;
            (Some(Roster::new(list)), lang)
        }
        None => (None, Lang::En),
    };
    let shown = a.answers.display().to_string();
    let file = File::open(&a.answers).map_err(|source| Error::Read {
        path: a.answers.clone(),
        source,
    })?;
    let sheet = Sheet::open(&shown, file, layout.as_ref())?;
    // A sheet that belongs to no one, or has nothing marked, is told in Chinese when the roster
    // or the sheet's header is.
    let header_lang = Lang::of_text(&sheet.header().collect::<Vec<_>>().join(","));
    // What grade says when done (the summary, rejected.csv's reasons, a script's error): in
    // Chinese for a Chinese exam or a Chinese header; a scanner's own layout is in no language.
    let told = match header_lang {
        Lang::Zh => Lang::Zh,
        Lang::En => Lang::from(manifest.language),
    };
    let stranger_lang = if header_lang == Lang::Zh {
        header_lang
    } else {
        roster_lang
    };
    // Several papers and no column saying which: every row would be rejected, so it is said once,
    // at the header, before anything is written.
    let papers = &manifest.papers;
    if sheet.layout().paper.is_none()
        && papers.len() > 1
        && papers.iter().all(|p| p.candidate.is_none())
    {
        let codes: Vec<&str> = papers.iter().map(|p| p.code.as_str()).collect();
        let (n, codes) = (codes.len(), codes.join(", "));
        let columns = table::columns::PAPER.join(", ");
        return Err(Error::row(
            &shown,
            1,
            format!("no column says which paper each sheet was written on, and the exam has {n} papers ({codes})"),
            format!("add a column headed one of: {columns}; or name it in a --csv-layout file (paper = \"…\")"),
        )
        .zh(
            format!("没有哪一列写明每张答题卡用的是哪套试卷，而本次考试有 {n} 套试卷（{codes}）"),
            format!("加一列，列名用其中之一：{columns}；或在 --csv-layout 文件里指明（paper = \"…\"）"),
        )
        .in_language(header_lang));
    }
    // A column of our own sheet's layout that no name matched (`考生单位` for the team) would be
    // dropped in silence: it is named.
    let l = sheet.layout();
    if a.csv_layout.is_none() && l.name == "examforge" {
        let read: HashSet<usize> = [Some(l.candidate), l.team, l.paper]
            .into_iter()
            .flatten()
            .chain(l.name_cols.iter().copied())
            .chain(l.answers.iter().map(|(_, c)| *c))
            .collect();
        let unread: Vec<String> = sheet
            .header()
            .enumerate()
            .filter(|(i, h)| !read.contains(i) && !h.trim().is_empty())
            .map(|(_, h)| format!("`{h}`"))
            .collect();
        if !unread.is_empty() {
            let (names, teams) = (unread.join(", "), table::columns::TEAM.join(", "));
            let papers = table::columns::PAPER.join(", ");
            if header_lang == Lang::Zh {
                eprintln!("warning: {shown}:1: 没有读取这些列：{}", unread.join("、"));
                eprintln!("hint: 读取的是考号、姓名、单位、试卷和以题号为名的列；单位列名可用 {teams}，试卷列名可用 {papers}");
            } else {
                eprintln!("warning: {shown}:1: column(s) not read: {names}");
                eprintln!("hint: the columns read are the candidate id, name, team, paper and the numbered items; a team column is headed one of {teams}, a paper column one of {papers}");
            }
        }
    }
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
    if let Some(r) = roster {
        grader = grader.with_roster(r);
    }
    // Inputs are read and checked before outputs are looked at.
    let out = OutputSet::new(&a.output, a.force, "grade");
    out.check_free(&OUTPUTS)?;
    let inputs: Vec<&Path> = [
        Some(&a.exam),
        Some(&a.answers),
        a.csv_layout.as_ref(),
        a.rules.as_ref(),
        a.manual.as_ref(),
        a.appeals.as_ref(),
        a.roster.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(PathBuf::as_path)
    .collect();
    super::refuse_overwriting_inputs(&out, &OUTPUTS, &inputs)?;
    if a.report {
        super::report::check_after_grade(&a.output, a.force)?;
    }
    let mut files = GradeFiles::create(&out, told)?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading: {pos} rows ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    // One thread reads the CSV while this one grades.
    let mut sheet = ReadAhead::start(sheet);
    let mut strangers: Vec<(u64, Rejection)> = Vec::new();
    while let Some(row) = sheet.next() {
        bar.inc(1);
        super::show_script_log(script.as_ref());
        match row {
            Err(r) => {
                let why = grader.unusable(&r);
                files.reject(r.line, "", &why, &r.raw)?;
            }
            Ok(row) => match grader.grade(row).map_err(|e| stop(&shown, &e, told))? {
                Outcome::Graded(g) => {
                    files.graded(&g, row, grader.last_items(row))?;
                    files.corrections(&g, grader.last_arbitrations())?;
                }
                Outcome::Rejected(why @ Rejection::NotOnRoster { .. }) => {
                    strangers.push((row.line, why));
                }
                Outcome::Rejected(why) => {
                    let raw: Vec<&str> = row.answers().map(|(_, t)| t).collect();
                    files.reject(row.line, &row.candidate, &why, &raw.join(","))?;
                }
            },
        }
    }
    bar.finish_and_clear();
    if !strangers.is_empty() {
        return Err(
            not_on_roster(&shown, a.roster.as_deref(), &strangers).in_language(stranger_lang)
        );
    }
    if let Some((id, at, lang)) = grader.unused_corrections().into_iter().next() {
        return Err(Error::input(
            format!("{at}: candidate `{id}` has no sheet in {shown}"),
            "check the candidate id against the answers; a correction for someone not graded cannot be applied",
        )
        .zh(
            format!("{at}: 考生 `{id}` 在 {shown} 里没有答题卡"),
            "核对考号与答题卡：没有评分的考生，改分无从落实",
        )
        .in_language(lang));
    }
    let (ranking, items) = grader.finish();
    let teams = grader.teams();
    super::show_script_log(script.as_ref());
    let teams = teams.map_err(|e| stop(&shown, &e, told))?;
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
            absent: &absent_rows(&grader, &manifest),
        },
        &ranking,
        &out,
    )?;
    out.commit()?;
    summary(&source, &grader.tally, &out, told);
    for (line, id) in &grader.blank_sheets {
        match stranger_lang {
            Lang::Zh => eprintln!(
                "warning: {shown}:{line}: `{id}` 的答题卡上什么也没有填涂：记 0 分（没有参加考试的考生算缺考：删去这一行，并给出 --roster）"
            ),
            Lang::En => eprintln!(
                "warning: {shown}:{line}: nothing is marked on the sheet of `{id}`: graded 0 (a candidate who did not sit is absent (缺考): leave the row out and give --roster)"
            ),
        }
    }
    if a.report {
        super::report::after_grade(&a.exam, &a.output, a.force)?;
    }
    Ok(if grader.tally.rejected > 0 || grader.tally.pending > 0 {
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
    let script = RuleScript::compile(&name, &source)
        .map_err(|e| Error::from(e).in_language(manifest.language.into()))?;
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
    /// Registered candidates without a sheet (缺考), listed after the graded ones.
    absent: &'a [Absent],
}

/// A registered candidate without a sheet: no score, no rank, in no statistic.
#[derive(Serialize)]
struct Absent {
    id: String,
    name: String,
    team: String,
    paper: &'static str,
    score: Option<f64>,
    max: Option<f64>,
    sections: [f64; 0],
    pass: Option<bool>,
    grade: Option<String>,
    rank: Option<usize>,
    duplicate: bool,
    line: Option<u64>,
    status: &'static str,
}

/// The absent of the roster, with the maximum of their paper (when it is known: their own
/// paper, or the one maximum every paper shares).
fn absent_rows(grader: &Grader, manifest: &crate::draw::manifest::Manifest) -> Vec<Absent> {
    let max = |p: &crate::draw::manifest::Paper| -> f64 {
        p.sections
            .iter()
            .flat_map(|s| s.items.iter().flat_map(|t| t.leaves()))
            .filter(|i| i.number.is_some())
            .map(|i| i.points)
            .sum()
    };
    let maxima: Vec<f64> = manifest.papers.iter().map(max).collect();
    let shared = maxima
        .first()
        .filter(|m| maxima.iter().all(|x| (x - *m).abs() < 1e-9))
        .copied();
    grader
        .absent()
        .into_iter()
        .map(|c| Absent {
            id: c.id.clone(),
            name: c.name.clone(),
            team: c.team.clone(),
            paper: "",
            score: None,
            max: manifest
                .papers
                .iter()
                .position(|p| p.code == c.id)
                .map(|i| maxima[i])
                .or(shared),
            sections: [],
            pass: None,
            grade: None,
            rank: None,
            duplicate: false,
            line: None,
            status: "absent",
        })
        .collect()
}

/// Rows whose candidate is not on the roster: one error naming each row.
fn not_on_roster(shown: &str, roster: Option<&Path>, rows: &[(u64, Rejection)]) -> Error {
    let roster = roster.map(|p| p.display().to_string()).unwrap_or_default();
    let hint = format!(
        "correct the candidate id on the sheet (or in the scanner's CSV), or add the candidate to {roster}"
    );
    let hint_zh = format!("改正答题卡（或扫描仪 CSV）上的考号，或把这位考生加进 {roster}");
    if let [(line, why)] = rows {
        return Error::row(shown, *line as usize, why.to_string(), hint)
            .zh(rejection_zh(why), hint_zh);
    }
    let list = |zh: bool| -> String {
        rows.iter()
            .map(|(line, why)| {
                let why = if zh {
                    rejection_zh(why)
                } else {
                    why.to_string()
                };
                format!("  {shown}:{line}: {why}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Error::input(
        format!(
            "{} sheets belong to no one on the roster {roster}:\n{}",
            rows.len(),
            list(false)
        ),
        hint,
    )
    .zh(
        format!(
            "{} 张答题卡的考号不在考生名单 {roster} 上：\n{}",
            rows.len(),
            list(true)
        ),
        hint_zh,
    )
}

/// Why a sheet is not used, in Chinese.
fn rejection_zh(why: &Rejection) -> String {
    match why {
        Rejection::NotOnRoster { id, suggestion } => {
            let guess = guess_suffix(suggestion.as_deref(), Lang::Zh);
            format!("考号 `{id}` 不在考生名单上{guess}")
        }
        Rejection::NoPaperCode { papers } => {
            format!("没有写试卷代码，而本次考试有 {papers} 套试卷")
        }
        Rejection::UnknownPaper { code, known } => {
            format!("试卷代码 `{code}` 不是本次考试的（本次考试有 {known}）")
        }
        Rejection::Unreadable { reason_zh, .. } => reason_zh.clone(),
    }
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
    absent: &'a [Absent],
}

/// A graded candidate in results.json, with its status.
#[derive(Serialize)]
struct Listed<'g> {
    #[serde(flatten)]
    graded: &'g Graded,
    status: &'static str,
}

impl Serialize for Candidates<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut pending = self.pending.borrow_mut();
        let mut seq = s.serialize_seq(None)?;
        for g in pending.read(self.ranking).map_err(S::Error::custom)? {
            let g = g.map_err(S::Error::custom)?;
            seq.serialize_element(&Listed {
                graded: &g,
                status: status(&g),
            })?;
        }
        for a in self.absent {
            seq.serialize_element(a)?;
        }
        seq.end()
    }
}

/// A graded candidate's status in results.csv and results.json: `pending` while an item waits
/// for a third mark, else `graded` (the absent are `absent`).
fn status(g: &Graded) -> &'static str {
    if g.pending {
        "pending"
    } else {
        "graded"
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
    changes: crate::input::table::Writer<BufWriter<File>>,
    arbitration: crate::input::table::Writer<BufWriter<File>>,
    pending: Pending,
    /// Where items.csv, rejected.csv, changes.csv and arbitration.csv go, for errors.
    paths: [PathBuf; 4],
    /// The language rejected.csv gives its reasons in: the answers' header's.
    lang: Lang,
}

impl GradeFiles {
    fn create(out: &OutputSet, lang: Lang) -> Result<Self, Error> {
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
        let changes = writer(
            "changes.csv",
            &[
                "candidate",
                "name",
                "item",
                "question",
                "old",
                "new",
                "reason",
                "date",
                "by",
            ],
        )?;
        let arbitration = writer(
            "arbitration.csv",
            &[
                "candidate",
                "name",
                "item",
                "question",
                "max",
                "tolerance",
                "marks",
                "markers",
                "lines",
            ],
        )?;
        let stage = out.stage_dir()?;
        let pending = NamedTempFile::new_in(&stage).map_err(write_err(&stage))?;
        Ok(GradeFiles {
            items,
            rejected,
            changes,
            arbitration,
            pending: Pending::new(pending)?,
            paths: [
                out.path("items.csv"),
                out.path("rejected.csv"),
                out.path("changes.csv"),
                out.path("arbitration.csv"),
            ],
            lang,
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
                    it.status_name(),
                    &fmt_points(it.points),
                    &fmt_points(it.max),
                ])
                .map_err(csv_err(&self.paths[0]))?;
        }
        self.pending.push(g)
    }

    /// A graded row's appeals into changes.csv, its items waiting for a third mark into
    /// arbitration.csv.
    fn corrections(&mut self, g: &Graded, waiting: &[Arbitration]) -> Result<(), Error> {
        for c in &g.appeals {
            self.changes
                .write_record([
                    g.id.as_str(),
                    &g.name,
                    &c.item.to_string(),
                    &c.question,
                    &fmt_points(c.old),
                    &fmt_points(c.new),
                    &c.reason,
                    &c.date,
                    &c.by,
                ])
                .map_err(csv_err(&self.paths[2]))?;
        }
        for w in waiting {
            let join =
                |f: &dyn Fn(&Mark) -> String| w.marks.iter().map(f).collect::<Vec<_>>().join(" ");
            self.arbitration
                .write_record([
                    g.id.as_str(),
                    &g.name,
                    &w.item.to_string(),
                    &w.question,
                    &fmt_points(w.max),
                    &fmt_points(w.tolerance),
                    &join(&|m| fmt_points(m.points)),
                    &join(&|m| m.marker.clone()),
                    &join(&|m| m.line.to_string()),
                ])
                .map_err(csv_err(&self.paths[3]))?;
        }
        Ok(())
    }

    /// Why a row is rejected, in the answers' language.
    fn why(&self, why: &Rejection) -> String {
        match self.lang {
            Lang::Zh => rejection_zh(why),
            Lang::En => why.to_string(),
        }
    }

    fn reject(
        &mut self,
        line: u64,
        candidate: &str,
        why: &Rejection,
        raw: &str,
    ) -> Result<(), Error> {
        self.rejected
            .write_record([&line.to_string(), candidate, &self.why(why), raw])
            .map_err(csv_err(&self.paths[1]))
    }

    /// Writes results.csv and results.json with ranks, and completes every output.
    fn finish(mut self, head: &Head, ranking: &Ranking, out: &OutputSet) -> Result<(), Error> {
        let results_path = out.path("results.csv");
        let mut results =
            crate::input::table::Writer::new(BufWriter::new(out.create("results.csv")?));
        let mut header = vec!["candidate", "name", "team", "paper", "score", "max"];
        header.extend(head.sections.iter().map(String::as_str));
        header.extend(["rank", "pass", "grade", "duplicate", "line", "status"]);
        results
            .write_record(&header)
            .map_err(csv_err(&results_path))?;
        for g in self.pending.read(ranking)? {
            let g = g?;
            let state = status(&g);
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
                state.to_string(),
            ]);
            results.write_record(&rec).map_err(csv_err(&results_path))?;
        }
        for a in head.absent {
            let mut rec = vec![
                a.id.clone(),
                a.name.clone(),
                a.team.clone(),
                String::new(),
                String::new(),
                a.max.map(fmt_points).unwrap_or_default(),
            ];
            rec.extend(head.sections.iter().map(|_| String::new()));
            rec.extend(["", "", "", "false", "", a.status].map(String::from));
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
                absent: head.absent,
            },
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut json, Outline::default());
        doc.serialize(&mut ser)
            .map_err(|e| write_err(&json_path)(e.into()))?;
        json.write_all(b"\n").map_err(write_err(&json_path))?;
        json.flush().map_err(write_err(&json_path))?;
        self.items.flush().map_err(write_err(&self.paths[0]))?;
        self.rejected.flush().map_err(write_err(&self.paths[1]))?;
        self.changes.flush().map_err(write_err(&self.paths[2]))?;
        self.arbitration
            .flush()
            .map_err(write_err(&self.paths[3]))?;
        // Every output is complete and on disk before it is moved into place.
        let [items, rejected, changes, arbitration] = &self.paths;
        for (file, path) in [
            (self.items.get_ref().get_ref(), items),
            (self.rejected.get_ref().get_ref(), rejected),
            (self.changes.get_ref().get_ref(), changes),
            (self.arbitration.get_ref().get_ref(), arbitration),
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

/// The closing summary on stderr, in Chinese for a Chinese exam or answers' header.
fn summary(source: &Source, t: &Tally, out: &OutputSet, lang: Lang) {
    let s = Say::new(lang);
    let zh = s.zh();
    let say = |en: &'static str, cn: &'static str| s.pick(en, cn);
    let line = |label: &str, n: u64, why: &str| s.count(label, n, why);
    if zh {
        s.head(
            &source.answers,
            format!("{} 格式，{}", source.layout, source.encoding),
        );
    } else {
        s.head(
            &source.answers,
            format!("{} layout, {}", source.layout, source.encoding),
        );
    }
    let see = |n: u64, why: &'static str| if n > 0 { why } else { "" };
    line(say("read", "读入"), t.read, "");
    line(say("graded", "已评分"), t.graded, "");
    line(
        say("rejected", "拒收"),
        t.rejected,
        see(t.rejected, say("see rejected.csv", "见 rejected.csv")),
    );
    line(say("blanks", "空白"), t.blanks, "");
    line(say("multi-marks", "多涂"), t.multi_marks, "");
    line(say("unreadable", "无法识读"), t.unreadable, "");
    line(
        say("invalid", "无效"),
        t.invalid,
        see(
            t.invalid,
            say(
                "marks an item cannot have, scored 0: review the rows with status `invalid` in items.csv",
                "题目不可能有的填涂，记 0 分：请复核 items.csv 中状态为 `invalid` 的行",
            ),
        ),
    );
    let more = [
        (
            t.duplicates,
            say("duplicates", "重复考号"),
            say(
                "candidate ids seen more than once; both rows kept and flagged",
                "同一考号出现不止一次；各行都保留并已标出",
            ),
        ),
        (
            t.manual,
            say("manual", "手工给分"),
            say(
                "items scored by one --manual row",
                "由 --manual 中一行给分的题",
            ),
        ),
        (
            t.double_marked,
            say("double-marked", "双评"),
            say(
                "two markers within the tolerance: their mean (双评)",
                "两位评卷人的分差在允许范围内：取平均",
            ),
        ),
        (
            t.arbitrated,
            say("arbitrated", "已仲裁"),
            say(
                "three marks: the mean of the two closest",
                "三个分数：取最接近的两个的平均",
            ),
        ),
        (
            t.appeals,
            say("appeals", "复核改分"),
            say(
                "items changed by an appeal (复核): see changes.csv",
                "因复核而改分的题：见 changes.csv",
            ),
        ),
    ];
    for (n, what, why) in more {
        if n > 0 {
            line(what, n, why);
        }
    }
    if t.arbitration > 0 {
        let why = if zh {
            format!(
                "两位评卷人分差超出允许范围的题：{} 名考生待定，直到在 --manual 中加上第三个分数（仲裁）；见 arbitration.csv",
                t.pending
            )
        } else {
            format!(
                "items whose two marks differ beyond the tolerance: {} candidate(s) pending until a third mark (仲裁) is added to --manual; see arbitration.csv",
                t.pending
            )
        };
        line(say("arbitration", "待仲裁"), t.arbitration, &why);
    }
    if t.absent > 0 {
        line(
            say("absent", "缺考"),
            t.absent,
            say(
                "on the roster without a sheet (缺考): listed without a score, in no statistic",
                "名单上有而没有答题卡：列出、不计分，不进入任何统计",
            ),
        );
    }
    if t.short_without_points > 0 {
        line(
            say("short answers without points", "简答题未给分"),
            t.short_without_points,
            say("give them with --manual", "请用 --manual 给分"),
        );
    }
    s.wrote(OUTPUTS.map(|n| out.shown(n).display().to_string()));
}

/// A grading error stops the run, naming the answers file and line, with the script's hint.
fn stop(shown: &str, e: &GradeError, told: Lang) -> Error {
    match e {
        GradeError::Script { line, source } => {
            let (message, hint) = e.zh();
            Error::row(shown, *line as usize, source.to_string(), e.hint())
                .zh(message, hint)
                .in_language(told)
        }
        GradeError::Team { source } => {
            let (message, hint) = e.zh();
            Error::input(source.to_string(), e.hint())
                .zh(message, hint)
                .in_language(told)
        }
        GradeError::Correction { at, zh, lang, .. } => Error::input(e.to_string(), e.hint())
            .zh(format!("{at}: {}", zh.0), zh.1.clone())
            .in_language(*lang),
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

/// `--manual`: candidate, item (number or question id), points, and an optional marker
/// column (评卷人); a header line first. Two rows for one candidate's item are two markers'
/// marks (双评), a third is the arbitrator's (仲裁).
fn read_manual(path: &Path) -> Result<Corrections, Error> {
    let t = table::read(path)?;
    let lang = t.lang();
    let shown = path.display();
    let find = |names: &[&str]| {
        t.header
            .iter()
            .position(|h| crate::event::header_is(h, names))
    };
    let candidate = find(table::columns::CANDIDATE)
        .or_else(|| find(&["id"]))
        .unwrap_or(0);
    let item = find(&["item", "number", "题号"]).unwrap_or(1);
    let points = find(&["points", "score", "得分", "分数"]).unwrap_or(2);
    let marker = find(&["marker", "评卷人", "阅卷人", "评阅人"]);
    let mut out = Corrections::new();
    out.set_manual_file(&shown.to_string(), lang);
    for (line, rec) in &t.rows {
        let get = |i: usize| rec.get(i).map(|s| s.trim());
        let (Some(c), Some(it), Some(p)) = (get(candidate), get(item), get(points)) else {
            return Err(Error::row(
                &shown,
                *line,
                "expected 3 fields",
                "rows are: candidate,item,points[,marker]",
            )
            .zh("这一行不足 3 列", "每行依次写：考号,题号,得分[,评卷人]")
            .in_language(lang));
        };
        let p: f64 = p.parse().map_err(|_| {
            Error::row(
                &shown,
                *line,
                format!("`{p}` is not a number"),
                "points are numbers such as 4 or 3.5",
            )
            .zh(format!("得分 `{p}` 不是数字"), "得分写成数字，如 4 或 3.5")
            .in_language(lang)
        })?;
        let mark = Mark {
            line: *line,
            marker: marker.and_then(get).unwrap_or("").to_string(),
            points: p,
        };
        out.add_mark(c, it, mark).map_err(|e| {
            let crate::score::grade::MarkError::SameMarker {
                marker,
                item,
                candidate,
                other,
            } = &e;
            Error::row(
                &shown,
                *line,
                e.to_string(),
                "each marker gives one mark per item; remove or correct one of the two rows",
            )
            .zh(
                format!("评卷人 `{marker}` 给考生 `{candidate}` 的第 {item} 题评了两次（另一次在第 {other} 行）"),
                "每位评卷人每道题只给一个评分：删去或改正其中一行",
            )
            .in_language(lang)
        })?;
    }
    Ok(out)
}

/// `--double-tolerance N` (every item) or `ITEM=N` (one item: its number or question id).
fn parse_tolerance(arg: &str) -> Result<(Option<&str>, f64), Error> {
    let (item, value) = match arg.split_once('=') {
        Some((i, v)) => (Some(i.trim()), v),
        None => (None, arg),
    };
    match value.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 && item != Some("") => Ok((item, t)),
        _ => Err(Error::usage(
            format!("`--double-tolerance {arg}`: not a tolerance"),
            "give points, 0 or more: `--double-tolerance 2` for every item, `--double-tolerance 12=3` for item 12",
        )),
    }
}

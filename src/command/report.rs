//! `examforge report`: what `grade` wrote → summary, rankings, item analysis with flags,
//! as CSV, JSON, a self-contained HTML page and a PDF.

use super::draw::read_manifest;
use super::render::{read_overrides, render_err};
use crate::bank::{fmt_points, letter, Answer, Language, Question};
use crate::cli::{ReportArgs, ReportFormat};
use crate::draw::manifest::Manifest;
use crate::io::output::OutputSet;
use crate::io::typst::{show_warnings, Typst, TypstError};
use crate::render::job::Run;
use crate::render::{font_list, Templates};
use crate::report::chart::{self, HistogramLabels};
use crate::report::items::{Analysis, ItemRow, ItemSpec, Reliability, Response, Status};
use crate::report::summary::{rank_teams, Entry, Scores, Summary, Team};
use crate::report::Group;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The verb whose set of outputs a report is.
const VERB: &str = "report";

/// Options of a report run, from `report` or from `grade --report`.
pub struct Options {
    pub results: PathBuf,
    pub exam: Option<PathBuf>,
    pub banks: Option<PathBuf>,
    pub format: ReportFormat,
    pub top: usize,
    pub templates: Option<PathBuf>,
    pub typst: Option<PathBuf>,
    pub font_path: Vec<PathBuf>,
    pub output: PathBuf,
    pub force: bool,
}

/// Runs `report`.
pub fn run(a: &ReportArgs) -> Result<u8, Error> {
    report(&Options {
        results: a.results.clone(),
        exam: a.exam.clone(),
        banks: a.banks.clone(),
        format: a.format,
        top: a.top,
        templates: a.templates.clone(),
        typst: a.typst.clone(),
        font_path: a.font_path.clone(),
        output: a.output.clone(),
        force: a.force,
    })
}

/// SHA-256 of a file, lowercase hex: results.json records exam.json's, so that a report never
/// reads results against another exam.
pub fn digest(path: &Path) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    Ok(super::banks::hex(&Sha256::digest(crate::io::read::bytes(
        path,
    )?)))
}

/// `grade --report`: the report of what grade just wrote, into its `report` folder.
pub fn after_grade(exam: &Path, results: &Path, force: bool) -> Result<u8, Error> {
    report(&Options {
        results: results.to_path_buf(),
        exam: Some(exam.to_path_buf()),
        banks: None,
        format: ReportFormat::All,
        top: 50,
        templates: None,
        typst: None,
        font_path: Vec::new(),
        output: results.join("report"),
        force,
    })
}

/// The head of results.json; the candidates and items arrays are skipped without being kept.
#[derive(Deserialize)]
struct ResultsHead {
    #[serde(default)]
    manifest: Option<String>,
    #[serde(default)]
    manifest_sha256: Option<String>,
    #[serde(default)]
    summary: Option<Tally>,
    #[serde(default)]
    teams: Vec<TeamIn>,
}

#[derive(Deserialize, Default)]
struct Tally {
    #[serde(default)]
    read: u64,
    #[serde(default)]
    rejected: u64,
}

#[derive(Deserialize)]
struct TeamIn {
    team: String,
    score: f64,
    members: u64,
}

const CSV_OUTPUTS: [&str; 7] = [
    "summary.csv",
    "items.csv",
    "ranking.csv",
    "teams.csv",
    "summary.json",
    "report-scores.svg",
    "report-sections.svg",
];

/// Every file a report in `format` writes.
fn output_names(format: ReportFormat) -> Vec<&'static str> {
    let mut names: Vec<&str> = CSV_OUTPUTS.to_vec();
    if matches!(format, ReportFormat::All | ReportFormat::Html) {
        names.push("report.html");
    }
    if matches!(format, ReportFormat::All | ReportFormat::Pdf) {
        names.extend(["report.typ", "report.pdf"]);
    }
    names
}

/// `grade --report` checks, before grading, that the report's outputs are free.
pub fn check_after_grade(results: &Path, force: bool) -> Result<(), Error> {
    OutputSet::new(&results.join("report"), force, VERB)
        .check_free(&output_names(ReportFormat::All))
}

/// Writes the report of the results in `o.results` into `o.output`.
pub fn report(o: &Options) -> Result<u8, Error> {
    let (pdf, html) = match o.format {
        ReportFormat::All => (true, true),
        ReportFormat::Pdf => (true, false),
        ReportFormat::Html => (false, true),
        ReportFormat::Csv => (false, false),
    };
    let names = output_names(o.format);
    let out = OutputSet::new(&o.output, o.force, VERB);
    out.check_free(&names)?;

    let json_path = o.results.join("results.json");
    let head = read_head(&json_path)?;
    let exam_path = match (&o.exam, &head.manifest) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => PathBuf::from(p),
        (None, None) => {
            return Err(Error::input(
                format!("`{}` does not name its exam.json", json_path.display()),
                "pass the exam.json the answers were graded against: --exam exam/exam.json",
            ))
        }
    };
    if !exam_path.is_file() {
        return Err(Error::input(
            format!("`{}` not found", exam_path.display()),
            "pass the exam.json the answers were graded against: --exam exam/exam.json",
        ));
    }
    if let Some(want) = &head.manifest_sha256 {
        if digest(&exam_path)? != *want {
            return Err(Error::input(
                format!(
                    "`{}` is not the exam.json these results were graded against (its SHA-256 differs from the one in {})",
                    exam_path.display(),
                    json_path.display()
                ),
                "pass the exam.json the answers were graded against: --exam exam/exam.json",
            ));
        }
    }
    let manifest = read_manifest(&exam_path)?;
    let zh = manifest.language == Language::Zh;
    let (specs, index) = item_specs(&manifest);
    let (locations, bank_notes) = bank_locations(&manifest, &exam_path, o.banks.as_deref());

    // Items: a first pass for each candidate's total (the thirds), a second for the sums.
    let items_path = o.results.join("items.csv");
    let mut totals = Vec::new();
    let read = each_candidate(&items_path, &index, |resp| {
        totals.push(resp.iter().map(|r| r.points).sum());
    })?;
    let groups = Group::thirds(&mut totals);
    drop(totals);
    let mut analysis = Analysis::new(specs, &groups);
    each_candidate(&items_path, &index, |resp| analysis.add(resp))?;
    let (rows, reliability) = analysis.finish();

    let results_path = o.results.join("results.csv");
    let results = read_results(&results_path)?;
    let scores = &results.scores;
    if scores.len() as u64 != read.candidates {
        eprintln!(
            "warning: {} lists {} candidates, {} holds items of {}",
            results_path.display(),
            scores.len(),
            items_path.display(),
            read.candidates
        );
    }
    let section_max = section_max(&manifest);
    let sections: Vec<(String, f64)> = results
        .sections
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), section_max.get(i).copied().unwrap_or(0.0)))
        .collect();
    let summary = scores.summary(&sections);
    let order = scores.ranking();
    let team_rows: Vec<(String, f64, u64)> = if head.teams.is_empty() {
        scores.teams_by_mean()
    } else {
        head.teams
            .iter()
            .map(|t| (t.team.clone(), t.score, t.members))
            .collect()
    };
    let teams = rank_teams(&team_rows);
    let tally = head.summary.unwrap_or_default();
    let pass_line = manifest.blueprint.scoring.pass;

    let labels = if zh { &ZH } else { &EN };
    let scores_svg = chart::histogram(
        &summary.histogram,
        pass_line,
        &HistogramLabels {
            x_axis: labels.score_axis.into(),
            y_axis: labels.count.into(),
            pass: labels.pass_line.into(),
        },
    );
    let sections_svg = chart::sections(&summary.sections);

    let items_view: Vec<ItemView> = rows
        .iter()
        .map(|r| ItemView::of(r, &locations, zh))
        .collect();

    // CSV and JSON.
    out.write(
        "summary.csv",
        &summary_csv(&summary, &reliability, &tally, pass_line)?,
    )?;
    out.write("items.csv", &items_csv(&items_view)?)?;
    let labels_ref: &Labels = labels;
    let top_rows = write_ranking(o, &out, &results, &order, labels_ref)?;
    out.write("teams.csv", &teams_csv(&teams)?)?;
    let json = SummaryJson {
        exam: &manifest.blueprint.exam.title,
        candidates: summary.candidates,
        rejected: tally.rejected,
        read: tally.read,
        alpha: reliability.alpha,
        sem: reliability.sem,
        items_per_candidate: reliability.items,
        mean: summary.mean,
        median: summary.median,
        sd: summary.sd,
        min: summary.min,
        max: summary.max,
        full: summary.full,
        pass_line,
        passed: summary.passed,
        pass_rate: summary.pass_rate,
        grades: &summary.grades,
        sections: &summary.sections,
        histogram: &summary.histogram,
        items: &rows,
        teams: &teams,
        banks: &bank_notes,
    };
    let mut text = serde_json::to_string_pretty(&json).expect("json");
    text.push('\n');
    out.write("summary.json", text.as_bytes())?;
    out.write("report-scores.svg", scores_svg.as_bytes())?;
    out.write("report-sections.svg", sections_svg.as_bytes())?;

    if html || pdf {
        let templates =
            Templates::new(read_overrides(o.templates.as_deref())?).map_err(render_err)?;
        let view = View {
            title: &manifest.blueprint.exam.title,
            lang: if zh { "zh" } else { "en" },
            fonts: font_list(manifest.language),
            labels,
            facts: facts(&summary, &reliability, &tally, pass_line, labels),
            grades: summary
                .grades
                .iter()
                .map(|(g, c)| (g.clone(), c.to_string()))
                .collect(),
            sections: summary
                .sections
                .iter()
                .map(|s| SectionView {
                    title: s.title.clone(),
                    mean: fixed(s.mean, 2),
                    max: fmt_points(s.max),
                    facility: pct(s.facility),
                })
                .collect(),
            flagged: items_view
                .iter()
                .filter(|i| !i.reasons.is_empty())
                .cloned()
                .collect(),
            items: items_view.clone(),
            ranking: top_rows,
            ranked: scores.len(),
            teams: teams
                .iter()
                .map(|t| TeamView {
                    rank: t.rank,
                    team: t.team.clone(),
                    score: fixed(t.score, 2),
                    members: t.members,
                })
                .collect(),
            bank_notes: bank_notes.clone(),
            scores_svg: scores_svg.clone(),
            sections_svg: sections_svg.clone(),
        };
        if html {
            let text = templates
                .render("report.html.j2", minijinja::Value::from_serialize(&view))
                .map_err(render_err)?;
            out.write("report.html", text.as_bytes())?;
        }
        if pdf {
            let text = templates
                .render("report.typ.j2", minijinja::Value::from_serialize(&view))
                .map_err(render_err)?;
            out.write("report.typ", text.as_bytes())?;
            compile_pdf(o, &out, zh)?;
        }
    }
    out.commit()?;
    eprintln!(
        "report: {} candidates, {} questions ({} flagged), α {}",
        summary.candidates,
        rows.len(),
        rows.iter().filter(|r| !r.flags.is_empty()).count(),
        reliability
            .alpha
            .map(|a| format!("{a:.2}"))
            .unwrap_or_else(|| "—".into())
    );
    eprintln!("wrote {} to {}", names.join(", "), o.output.display());
    Ok(0)
}

/// Compiles the staged report.typ to report.pdf, beside the charts it shows.
fn compile_pdf(o: &Options, out: &OutputSet, zh: bool) -> Result<(), Error> {
    let typst = Typst::locate(o.typst.as_deref(), &o.font_path)?;
    if zh && typst.cjk_font()?.is_none() {
        return Err(TypstError::NoCjkFont.into());
    }
    let runs = [Run::pdf("report.typ", "report.pdf")];
    let warnings = typst.run_all(&runs, &out.stage_dir()?, 1)?;
    for w in show_warnings(&runs, &warnings) {
        eprintln!("{w}");
    }
    out.claim("report.pdf")?;
    Ok(())
}

fn read_head(path: &Path) -> Result<ResultsHead, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        Error::input(
            format!(
                "{}:{}:{}: not the results.json `grade` writes: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
            "give the folder `examforge grade` wrote",
        )
    })
}

/// One spec per canonical question (first met in paper order), and the index by question id.
fn item_specs(m: &Manifest) -> (Vec<ItemSpec>, HashMap<String, usize>) {
    let mut specs = Vec::new();
    let mut index = HashMap::new();
    for p in &m.papers {
        for (_, it) in p.leaves() {
            if index.contains_key(&it.question) {
                continue;
            }
            let (options, key) = match (&it.answer, it.kind) {
                (Answer::Choice(printed), _) => {
                    let options: Vec<char> = (0..it.options.len()).map(letter).collect();
                    let mut key: Vec<char> = printed
                        .iter()
                        .filter_map(|&i| it.canonical_letter(i).or(Some(letter(i))))
                        .collect();
                    key.sort_unstable();
                    (options, key)
                }
                (Answer::Judge(b), _) => (vec!['T', 'F'], vec![if *b { 'T' } else { 'F' }]),
                _ => (Vec::new(), Vec::new()),
            };
            index.insert(it.question.clone(), specs.len());
            specs.push(ItemSpec {
                question: it.question.clone(),
                kind: it.kind.name().to_string(),
                max: it.points,
                options,
                key,
            });
        }
    }
    (specs, index)
}

/// Full marks of each section, from the first paper (every paper has the same sections).
fn section_max(m: &Manifest) -> Vec<f64> {
    m.papers
        .first()
        .map(|p| {
            p.sections
                .iter()
                .map(|s| {
                    s.items
                        .iter()
                        .flat_map(|i| i.leaves())
                        .map(|l| l.points)
                        .sum()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where each question is in its bank (`file:line`), and a note per bank that could not be read.
fn bank_locations(
    m: &Manifest,
    exam: &Path,
    base: Option<&Path>,
) -> (HashMap<String, String>, Vec<String>) {
    let mut at = HashMap::new();
    let mut notes = Vec::new();
    let exam_dir = exam.parent().unwrap_or(Path::new(""));
    for b in &m.banks {
        let tries: Vec<PathBuf> = match base {
            Some(d) => vec![d.join(&b.path)],
            None => vec![PathBuf::from(&b.path), exam_dir.join(&b.path)],
        };
        let Some(path) = tries.into_iter().find(|p| p.is_file()) else {
            notes.push(format!(
                "{}: not found, lines unknown (pass --banks with the blueprint's folder)",
                b.path
            ));
            continue;
        };
        let shown = path.display().to_string();
        let bank = super::banks::load_files(std::slice::from_ref(&path))
            .ok()
            .and_then(|l| l.banks.into_iter().next());
        let Some(bank) = bank else {
            notes.push(format!("{shown}: unreadable or has errors, lines unknown"));
            continue;
        };
        if bank.sha256 != b.sha256 {
            notes.push(format!(
                "{shown}: changed since the draw; lines are those of the file as it is now"
            ));
        }
        fn walk(q: &Question, at: &mut HashMap<String, String>) {
            let loc = q
                .location
                .rsplit_once(':')
                .map_or(q.location.as_str(), |(l, _)| l);
            at.insert(q.id.clone(), loc.to_string());
            for p in &q.parts {
                walk(p, at);
            }
        }
        for q in &bank.questions {
            walk(q, &mut at);
        }
    }
    // A question whose bank is gone is named by the bank's path, when the exam had one bank.
    if let [only] = m.banks.as_slice() {
        if !notes.is_empty() {
            at.insert(String::new(), only.path.clone());
        }
    }
    (at, notes)
}

/// Counts read from items.csv.
struct ReadCount {
    candidates: u64,
}

/// Calls `f` with each candidate's responses, in file order. A candidate's rows are consecutive;
/// a new one starts when the candidate or paper changes or the printed number does not grow.
fn each_candidate(
    path: &Path,
    index: &HashMap<String, usize>,
    mut f: impl FnMut(&[Response]),
) -> Result<ReadCount, Error> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .from_reader(file);
    let bad = |line: u64, what: String| {
        Error::input(
            format!("{shown}:{line}: {what}"),
            "give the folder `examforge grade` wrote, with the exam.json it was graded against (--exam)",
        )
    };
    let header = rdr.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(1, format!("no `{name}` column")))
    };
    let (c_cand, c_paper, c_num, c_q, c_marks, c_status, c_points) = (
        col("candidate")?,
        col("paper")?,
        col("number")?,
        col("question")?,
        col("marks")?,
        col("status")?,
        col("points")?,
    );
    // The current candidate's rows: item, points, status, and marks packed in one string.
    let mut rows: Vec<(usize, f64, Status, std::ops::Range<usize>)> = Vec::new();
    let mut marks = String::new();
    let (mut who, mut paper, mut last_number) = (String::new(), String::new(), 0u32);
    let mut count = ReadCount { candidates: 0 };
    let mut rec = csv::StringRecord::new();
    let flush = |rows: &mut Vec<(usize, f64, Status, std::ops::Range<usize>)>,
                 marks: &mut String,
                 f: &mut dyn FnMut(&[Response]),
                 count: &mut ReadCount| {
        if rows.is_empty() {
            return;
        }
        let resp: Vec<Response> = rows
            .iter()
            .map(|(item, points, status, r)| Response {
                item: *item,
                points: *points,
                marks: &marks[r.clone()],
                status: *status,
            })
            .collect();
        f(&resp);
        count.candidates += 1;
        rows.clear();
        marks.clear();
    };
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(line, e.to_string())
        })?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("");
        let number: u32 = get(c_num)
            .parse()
            .map_err(|_| bad(line, format!("`{}` is not an item number", get(c_num))))?;
        let q = get(c_q);
        let &item = index
            .get(q)
            .ok_or_else(|| bad(line, format!("question `{q}` is not in exam.json")))?;
        let points: f64 = get(c_points).parse().map_err(|_| {
            bad(
                line,
                format!("`{}` is not a number of points", get(c_points)),
            )
        })?;
        let status = Status::parse(get(c_status))
            .ok_or_else(|| bad(line, format!("unknown status `{}`", get(c_status))))?;
        if get(c_cand) != who || get(c_paper) != paper || number <= last_number {
            flush(&mut rows, &mut marks, &mut f, &mut count);
            who.clear();
            who.push_str(get(c_cand));
            paper.clear();
            paper.push_str(get(c_paper));
        }
        last_number = number;
        let start = marks.len();
        marks.push_str(get(c_marks));
        rows.push((item, points, status, start..marks.len()));
    }
    flush(&mut rows, &mut marks, &mut f, &mut count);
    Ok(count)
}

/// What results.csv gave: the scores, the section titles (the columns between max and rank),
/// and where each candidate's row starts, to read it again in rank order.
struct Results {
    path: PathBuf,
    scores: Scores,
    sections: Vec<String>,
    rows: Vec<csv::Position>,
}

/// Column indices of results.csv.
struct Columns {
    id: usize,
    name: usize,
    team: usize,
    paper: usize,
    score: usize,
    max: usize,
    rank: usize,
    pass: usize,
    grade: usize,
}

fn results_err(shown: &str, line: u64, what: String) -> Error {
    Error::input(
        format!("{shown}:{line}: {what}"),
        "give the folder `examforge grade` wrote",
    )
}

fn columns(shown: &str, header: &csv::StringRecord) -> Result<Columns, Error> {
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| results_err(shown, 1, format!("no `{name}` column")))
    };
    Ok(Columns {
        id: col("candidate")?,
        name: col("name")?,
        team: col("team")?,
        paper: col("paper")?,
        score: col("score")?,
        max: col("max")?,
        rank: col("rank")?,
        pass: col("pass")?,
        grade: col("grade")?,
    })
}

fn open_results(path: &Path) -> Result<csv::Reader<std::fs::File>, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::Reader::from_reader(file))
}

/// Reads results.csv once, keeping one score and one file position per candidate.
fn read_results(path: &Path) -> Result<Results, Error> {
    let shown = path.display().to_string();
    let mut rdr = open_results(path)?;
    let header = rdr
        .headers()
        .map_err(|e| results_err(&shown, 1, e.to_string()))?
        .clone();
    let c = columns(&shown, &header)?;
    let section_cols = (c.max + 1)..c.rank;
    let sections: Vec<String> = section_cols
        .clone()
        .map(|i| header[i].to_string())
        .collect();
    let mut scores = Scores::new();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut section_points = Vec::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| {
            results_err(&shown, e.position().map_or(0, |p| p.line()), e.to_string())
        })?;
        if !more {
            break;
        }
        let pos = rec.position().cloned().unwrap_or_else(csv::Position::new);
        let line = pos.line();
        let num = |i: usize| -> Result<f64, Error> {
            let v = rec.get(i).unwrap_or("");
            v.parse().map_err(|_| {
                results_err(
                    &shown,
                    line,
                    format!("`{v}` in column `{}` is not a number", &header[i]),
                )
            })
        };
        section_points.clear();
        for i in section_cols.clone() {
            section_points.push(num(i)?);
        }
        scores.add(&Entry {
            candidate: rec.get(c.id).unwrap_or(""),
            team: rec.get(c.team).unwrap_or(""),
            score: num(c.score)?,
            max: num(c.max)?,
            sections: &section_points,
            pass: parse_pass(rec.get(c.pass).unwrap_or("")),
            grade: rec.get(c.grade).filter(|g| !g.is_empty()),
        });
        rows.push(pos);
    }
    Ok(Results {
        path: path.to_path_buf(),
        scores,
        sections,
        rows,
    })
}

fn parse_pass(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Writes ranking.csv in rank order, reading each candidate's row again by its position;
/// returns the first `--top` rows for the PDF and HTML.
fn write_ranking(
    o: &Options,
    out: &OutputSet,
    results: &Results,
    order: &[(usize, usize)],
    labels: &Labels,
) -> Result<Vec<RankView>, Error> {
    let shown = results.path.display().to_string();
    let mut rdr = open_results(&results.path)?;
    let header = rdr
        .headers()
        .map_err(|e| results_err(&shown, 1, e.to_string()))?
        .clone();
    let c = columns(&shown, &header)?;
    let path = out.path("ranking.csv");
    let wrap = |source| Error::Write {
        path: path.clone(),
        source,
    };
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(out.create("ranking.csv")?));
    let csv_err = |e: csv::Error| wrap(std::io::Error::other(e));
    w.write_record([
        "rank",
        "candidate",
        "name",
        "team",
        "paper",
        "score",
        "max",
        "pass",
        "grade",
    ])
    .map_err(csv_err)?;
    let mut top = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut rank_text = String::new();
    for &(i, rank) in order {
        let pos = &results.rows[i];
        rdr.seek(pos.clone())
            .map_err(|e| results_err(&shown, pos.line(), e.to_string()))?;
        if !rdr
            .read_record(&mut rec)
            .map_err(|e| results_err(&shown, pos.line(), e.to_string()))?
        {
            return Err(results_err(&shown, pos.line(), "changed while read".into()));
        }
        let get = |i: usize| rec.get(i).unwrap_or("");
        rank_text.clear();
        rank_text.push_str(&rank.to_string());
        w.write_record([
            rank_text.as_str(),
            get(c.id),
            get(c.name),
            get(c.team),
            get(c.paper),
            get(c.score),
            get(c.max),
            get(c.pass),
            get(c.grade),
        ])
        .map_err(csv_err)?;
        if top.len() < o.top {
            let pass = parse_pass(get(c.pass));
            top.push(RankView {
                rank,
                candidate: get(c.id).to_string(),
                name: get(c.name).to_string(),
                team: get(c.team).to_string(),
                score: get(c.score).to_string(),
                result: Some(get(c.grade))
                    .filter(|g| !g.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| match pass {
                        Some(true) => labels.passed.to_string(),
                        Some(false) => labels.failed.to_string(),
                        None => String::new(),
                    }),
            });
        }
    }
    w.flush().map_err(wrap)?;
    Ok(top)
}

fn fixed(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| fixed(v, digits)).unwrap_or_default()
}

fn pct(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 0))
}

/// One item row as CSV, HTML and the PDF show it.
#[derive(Debug, Clone, Serialize)]
struct ItemView {
    question: String,
    location: String,
    kind: String,
    /// The kind in the report's language.
    kind_label: &'static str,
    n: u64,
    facility: String,
    sd: String,
    discrimination: String,
    efficiency: String,
    blank: String,
    multi: String,
    key: String,
    /// `A 10% · B* 70% · …` (the key starred).
    options: String,
    codes: Vec<&'static str>,
    reasons: Vec<String>,
}

impl ItemView {
    fn of(r: &ItemRow, locations: &HashMap<String, String>, zh: bool) -> Self {
        let location = locations
            .get(&r.question)
            .or_else(|| {
                r.question
                    .rsplit_once('.')
                    .and_then(|(case, _)| locations.get(case))
            })
            .or_else(|| locations.get(""))
            .cloned()
            .unwrap_or_default();
        ItemView {
            question: r.question.clone(),
            location,
            kind: r.kind.clone(),
            kind_label: kind_label(&r.kind, zh),
            n: r.n,
            facility: fixed(r.facility, 3),
            sd: fixed(r.sd, 3),
            discrimination: opt(r.discrimination, 3),
            efficiency: opt(r.efficiency, 3),
            blank: fixed(r.blank, 3),
            multi: fixed(r.multi, 3),
            key: r.key.clone(),
            options: r
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{}{} {}",
                        o.option,
                        if o.key { "*" } else { "" },
                        pct(o.share)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
            codes: r.flags.iter().map(|f| f.kind.code()).collect(),
            reasons: r.flags.iter().map(|f| f.reason(zh)).collect(),
        }
    }
}

fn kind_label(kind: &str, zh: bool) -> &'static str {
    match (kind, zh) {
        ("single", true) => "单选",
        ("multiple", true) => "多选",
        ("judge", true) => "判断",
        ("fill", true) => "填空",
        ("short", true) => "简答",
        ("single", false) => "single",
        ("multiple", false) => "multiple",
        ("judge", false) => "true/false",
        ("fill", false) => "fill-in",
        ("short", false) => "short",
        _ => "",
    }
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).map_err(|e| Error::Write {
            path: "csv".into(),
            source: std::io::Error::other(e),
        })?;
    }
    w.into_inner().map_err(|e| Error::Write {
        path: "csv".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

fn strings<const N: usize>(a: [&str; N]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn items_csv(items: &[ItemView]) -> Result<Vec<u8>, Error> {
    let mut rows = vec![strings([
        "question",
        "kind",
        "n",
        "facility",
        "sd",
        "discrimination",
        "efficiency",
        "blank",
        "multi",
        "flags",
        "bank",
        "key",
        "options",
    ])];
    for i in items {
        rows.push(vec![
            i.question.clone(),
            i.kind.clone(),
            i.n.to_string(),
            i.facility.clone(),
            i.sd.clone(),
            i.discrimination.clone(),
            i.efficiency.clone(),
            i.blank.clone(),
            i.multi.clone(),
            i.codes
                .iter()
                .zip(&i.reasons)
                .map(|(c, r)| format!("{c}: {r}"))
                .collect::<Vec<_>>()
                .join("; "),
            i.location.clone(),
            i.key.clone(),
            i.options.clone(),
        ]);
    }
    csv_bytes(rows)
}

fn teams_csv(teams: &[Team]) -> Result<Vec<u8>, Error> {
    let mut rows = vec![strings(["rank", "team", "score", "members"])];
    for t in teams {
        rows.push(vec![
            t.rank.to_string(),
            t.team.clone(),
            fixed(t.score, 3),
            t.members.to_string(),
        ]);
    }
    csv_bytes(rows)
}

fn summary_csv(
    s: &Summary,
    r: &Reliability,
    t: &Tally,
    pass_line: Option<f64>,
) -> Result<Vec<u8>, Error> {
    let mut rows = vec![strings(["statistic", "value"])];
    let mut put = |k: String, v: String| rows.push(vec![k, v]);
    put("candidates".into(), s.candidates.to_string());
    put("rejected".into(), t.rejected.to_string());
    put("mean".into(), fixed(s.mean, 3));
    put("median".into(), fixed(s.median, 3));
    put("sd".into(), fixed(s.sd, 3));
    put("min".into(), fmt_points(s.min));
    put("max".into(), fmt_points(s.max));
    put("full".into(), fmt_points(s.full));
    put(
        "pass_line".into(),
        pass_line.map(fmt_points).unwrap_or_default(),
    );
    put(
        "passed".into(),
        s.passed.map(|p| p.to_string()).unwrap_or_default(),
    );
    put("pass_rate".into(), opt(s.pass_rate, 3));
    put("alpha".into(), opt(r.alpha, 3));
    put("sem".into(), opt(r.sem, 3));
    for (g, c) in &s.grades {
        put(format!("grade:{g}"), c.to_string());
    }
    for sec in &s.sections {
        put(format!("section:{}:mean", sec.title), fixed(sec.mean, 3));
        put(
            format!("section:{}:facility", sec.title),
            fixed(sec.facility, 3),
        );
    }
    csv_bytes(rows)
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    exam: &'a str,
    read: u64,
    candidates: u64,
    rejected: u64,
    alpha: Option<f64>,
    sem: Option<f64>,
    items_per_candidate: f64,
    mean: f64,
    median: f64,
    sd: f64,
    min: f64,
    max: f64,
    full: f64,
    pass_line: Option<f64>,
    passed: Option<u64>,
    pass_rate: Option<f64>,
    grades: &'a [(String, u64)],
    sections: &'a [crate::report::summary::SectionStat],
    histogram: &'a [crate::report::summary::Bin],
    items: &'a [ItemRow],
    teams: &'a [Team],
    banks: &'a [String],
}

/// What the report templates receive.
#[derive(Serialize)]
struct View<'a> {
    title: &'a str,
    lang: &'static str,
    fonts: String,
    labels: &'static Labels,
    /// (label, value) lines of the summary.
    facts: Vec<(String, String)>,
    grades: Vec<(String, String)>,
    sections: Vec<SectionView>,
    flagged: Vec<ItemView>,
    items: Vec<ItemView>,
    ranking: Vec<RankView>,
    ranked: usize,
    teams: Vec<TeamView>,
    bank_notes: Vec<String>,
    scores_svg: String,
    sections_svg: String,
}

#[derive(Serialize)]
struct SectionView {
    title: String,
    mean: String,
    max: String,
    facility: String,
}

#[derive(Serialize)]
struct RankView {
    rank: usize,
    candidate: String,
    name: String,
    team: String,
    score: String,
    result: String,
}

#[derive(Serialize)]
struct TeamView {
    rank: usize,
    team: String,
    score: String,
    members: u64,
}

fn facts(
    s: &Summary,
    r: &Reliability,
    t: &Tally,
    pass_line: Option<f64>,
    l: &Labels,
) -> Vec<(String, String)> {
    let mut v = vec![
        (l.candidates.into(), s.candidates.to_string()),
        (l.rejected.into(), t.rejected.to_string()),
        (l.mean.into(), fixed(s.mean, 2)),
        (l.median.into(), fmt_points(s.median)),
        (l.sd.into(), fixed(s.sd, 2)),
        (
            l.range.into(),
            format!("{} – {}", fmt_points(s.min), fmt_points(s.max)),
        ),
        (l.full.into(), fmt_points(s.full)),
    ];
    if let (Some(p), Some(rate)) = (pass_line, s.pass_rate) {
        v.push((
            l.pass_rate.into(),
            format!(
                "{} ({} ≥ {})",
                pct(rate),
                s.passed.unwrap_or(0),
                fmt_points(p)
            ),
        ));
    } else if let Some(rate) = s.pass_rate {
        v.push((l.pass_rate.into(), pct(rate)));
    }
    v.push((l.alpha.into(), opt(r.alpha, 3)));
    v.push((l.sem.into(), opt(r.sem, 2)));
    v
}

/// Words of the report, in the exam's language.
#[derive(Serialize)]
struct Labels {
    report: &'static str,
    summary: &'static str,
    candidates: &'static str,
    rejected: &'static str,
    mean: &'static str,
    median: &'static str,
    sd: &'static str,
    range: &'static str,
    full: &'static str,
    pass_rate: &'static str,
    alpha: &'static str,
    sem: &'static str,
    grades: &'static str,
    count: &'static str,
    sections: &'static str,
    section: &'static str,
    max: &'static str,
    facility: &'static str,
    distribution: &'static str,
    score_axis: &'static str,
    pass_line: &'static str,
    flagged: &'static str,
    none_flagged: &'static str,
    items: &'static str,
    question: &'static str,
    location: &'static str,
    kind: &'static str,
    discrimination: &'static str,
    efficiency: &'static str,
    blank: &'static str,
    multi: &'static str,
    options: &'static str,
    flags: &'static str,
    ranking: &'static str,
    rank: &'static str,
    candidate: &'static str,
    name: &'static str,
    team: &'static str,
    score: &'static str,
    result: &'static str,
    teams: &'static str,
    members: &'static str,
    passed: &'static str,
    failed: &'static str,
    shown_of: &'static str,
    notes: &'static str,
    definitions: &'static str,
}

const ZH: Labels = Labels {
    report: "考试分析报告",
    summary: "成绩概况",
    candidates: "参考人数",
    rejected: "无效答卷",
    mean: "平均分",
    median: "中位数",
    sd: "标准差",
    range: "最低分 – 最高分",
    full: "满分",
    pass_rate: "合格率",
    alpha: "信度（Cronbach α）",
    sem: "测量标准误",
    grades: "等级",
    count: "人数",
    sections: "各题型得分",
    section: "题型",
    max: "满分",
    facility: "难度系数",
    distribution: "成绩分布",
    score_axis: "总分",
    pass_line: "合格线",
    flagged: "需复核的试题",
    none_flagged: "没有试题被标记。",
    items: "试题分析",
    question: "题号",
    location: "题库位置",
    kind: "题型",
    discrimination: "区分度",
    efficiency: "区分效率",
    blank: "空答",
    multi: "多涂",
    options: "选项分布（*为答案）",
    flags: "问题",
    ranking: "个人排名",
    rank: "名次",
    candidate: "准考证号",
    name: "姓名",
    team: "单位",
    score: "成绩",
    result: "结果",
    teams: "单位排名",
    members: "人数",
    passed: "合格",
    failed: "不合格",
    shown_of: "共 {n} 人，列出前 {top} 名；全部名次见 ranking.csv。",
    notes: "说明",
    definitions: "难度系数＝平均得分÷满分；区分度＝该题得分与其余各题总分的相关系数；区分效率＝区分度相对其最大可能值的比例；高分组、低分组各为总分前、后三分之一。",
};

const EN: Labels = Labels {
    report: "Exam report",
    summary: "Summary",
    candidates: "Candidates graded",
    rejected: "Rows rejected",
    mean: "Mean",
    median: "Median",
    sd: "Standard deviation",
    range: "Lowest – highest",
    full: "Full marks",
    pass_rate: "Pass rate",
    alpha: "Reliability (Cronbach's α)",
    sem: "Standard error of measurement",
    grades: "Grade",
    count: "Candidates",
    sections: "Sections",
    section: "Section",
    max: "Max",
    facility: "Facility",
    distribution: "Score distribution",
    score_axis: "Total score",
    pass_line: "pass",
    flagged: "Questions to review",
    none_flagged: "No question is flagged.",
    items: "Item analysis",
    question: "Question",
    location: "Bank",
    kind: "Kind",
    discrimination: "Discrim.",
    efficiency: "Effic.",
    blank: "Blank",
    multi: "Multi",
    options: "Options (* = key)",
    flags: "Flags",
    ranking: "Ranking",
    rank: "Rank",
    candidate: "Candidate",
    name: "Name",
    team: "Team",
    score: "Score",
    result: "Result",
    teams: "Teams",
    members: "Members",
    passed: "pass",
    failed: "fail",
    shown_of: "{n} candidates; the first {top} are listed, ranking.csv lists everyone.",
    notes: "Notes",
    definitions: "Facility = mean points ÷ max; discrimination = correlation of the item with the rest of the test; efficiency = discrimination relative to the highest the two score distributions allow; top and bottom groups are the best and weakest thirds by total.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_negatives_print_without_a_sign() {
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-0.25, 2), "-0.25");
        assert_eq!(pct(0.125), "12%");
    }

    #[test]
    fn both_label_sets_fill_the_ranking_note() {
        for l in [&ZH, &EN] {
            assert!(l.shown_of.contains("{n}") && l.shown_of.contains("{top}"));
        }
    }
}

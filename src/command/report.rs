//! `examforge report`: what `grade` wrote → summary, rankings, item analysis with flags,
//! as CSV, JSON, a self-contained HTML page and a PDF. The figures and views are
//! [`crate::report`]'s; this verb reads the results folder and writes the report's files.

use super::print::read_overrides;
use super::print::Printer;
use super::results::{
    columns, each_candidate, open_results, parse_pass, read_head, read_results, results_err,
    Results, ResultsHead,
};
use crate::bank::Language;
use crate::cli::{OutputDir, Printing, ReportArgs, ReportFormat};
use crate::draw::manifest::Manifest;
use crate::error::ExitCode;
use crate::io::output::OutputSet;
use crate::render::{Source, Templates};
use crate::report::exam::{item_specs, printed, section_totals};
use crate::report::items::{Analysis, ItemRow, Reliability};
use crate::report::labels::Labels;
use crate::report::summary::rank_teams;
use crate::report::tables::{item_analysis_csv, summary_csv, teams_csv};
use crate::report::view::{Figures, ItemView, RankView};
use crate::report::Group;
use crate::Error;
use std::path::{Path, PathBuf};

/// The verb whose set of outputs a report is.
const VERB: &str = "report";

/// Options of a report run, from `report` or from `grade --report`.
pub struct Options {
    pub results: PathBuf,
    pub exam: Option<PathBuf>,
    pub banks: Option<PathBuf>,
    pub format: ReportFormat,
    /// How many candidates the PDF and HTML rankings list.
    pub list: usize,
    pub print: Printing,
    pub out: OutputDir,
}

/// Runs `report`.
pub fn run(a: &ReportArgs) -> Result<ExitCode, Error> {
    report(&Options {
        results: a.results.clone(),
        exam: a.exam.clone(),
        banks: a.banks.clone(),
        format: a.format,
        list: a.list,
        print: a.print.clone(),
        out: a.out.clone(),
    })
}

/// `grade --report`: the report of what grade just wrote, into its `report` folder.
pub fn after_grade(exam: &Path, results: &Path, force: bool) -> Result<ExitCode, Error> {
    report(&Options {
        results: results.to_path_buf(),
        exam: Some(exam.to_path_buf()),
        banks: None,
        format: ReportFormat::All,
        list: 50,
        print: Printing::default(),
        out: OutputDir {
            output: results.join("report"),
            force,
        },
    })
}

/// The report's item analysis: not `items.csv`, which is what `grade` writes (one row per
/// candidate and item) and what the report reads.
pub const ITEM_ANALYSIS: &str = "item-analysis.csv";

const CSV_OUTPUTS: [&str; 7] = [
    "summary.csv",
    ITEM_ANALYSIS,
    "ranking.csv",
    "teams.csv",
    "summary.json",
    "report-scores.svg",
    "report-sections.svg",
];

/// Whether a report in `format` writes the PDF and the HTML page.
fn pages(format: ReportFormat) -> (bool, bool) {
    match format {
        ReportFormat::All => (true, true),
        ReportFormat::Pdf => (true, false),
        ReportFormat::Html => (false, true),
        ReportFormat::Csv => (false, false),
    }
}

/// Every file a report in `format` writes.
fn output_names(format: ReportFormat) -> Vec<&'static str> {
    let (pdf, html) = pages(format);
    let mut names: Vec<&str> = CSV_OUTPUTS.to_vec();
    if html {
        names.push("report.html");
    }
    if pdf {
        names.extend(["report.typ", "report.pdf"]);
    }
    names
}

/// `grade --report` checks, before grading, that the report's outputs are free.
pub fn check_after_grade(results: &Path, force: bool) -> Result<(), Error> {
    OutputSet::new(&results.join("report"), force, VERB)
        .check_free(&output_names(ReportFormat::All))
}

/// The exam.json the results were graded against: `--exam`, else the one results.json names,
/// relative to the results folder (as `grade` records it). A path recorded by an older `grade`,
/// relative to the folder it ran in, is still tried as given.
fn exam_of(o: &Options, head: &ResultsHead, json_path: &Path) -> Result<PathBuf, Error> {
    const HINT: &str = "pass the exam.json the answers were graded against: --exam exam/exam.json";
    let path = match (&o.exam, head.manifest.as_deref()) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => {
            let beside = o.results.join(p);
            if beside.is_file() {
                beside
            } else {
                PathBuf::from(p)
            }
        }
        (None, None) => {
            return Err(Error::input(
                format!("`{}` does not name its exam.json", json_path.display()),
                HINT,
            ))
        }
    };
    if !path.is_file() {
        return Err(Error::input(
            format!("`{}` not found", path.display()),
            HINT,
        ));
    }
    if let Some(want) = &head.manifest_sha256 {
        if super::manifest::sha256(&path)? != *want {
            return Err(Error::input(
                format!(
                    "`{}` is not the exam.json these results were graded against (its SHA-256 differs from the one in {})",
                    path.display(),
                    json_path.display()
                ),
                HINT,
            ));
        }
    }
    Ok(path)
}

/// The item analysis of items.csv: a first pass for each candidate's total (the thirds), a
/// second for the sums. Returns the rows, the test's reliability and how many were read.
fn analyse_items(
    items_path: &Path,
    manifest: &Manifest,
) -> Result<(Vec<ItemRow>, Reliability, u64), Error> {
    let (specs, index) = item_specs(manifest);
    let mut totals = Vec::new();
    let read = each_candidate(items_path, &index, |resp| {
        totals.push(resp.iter().map(|r| r.points).sum());
    })?;
    let groups = Group::thirds(&mut totals);
    drop(totals);
    let mut analysis = Analysis::new(specs, &groups);
    each_candidate(items_path, &index, |resp| analysis.add(resp))?;
    let (rows, reliability) = analysis.finish();
    Ok((rows, reliability, read.candidates))
}

/// Writes the report of the results in `o.results` into `o.out`.
pub fn report(o: &Options) -> Result<ExitCode, Error> {
    let (pdf, html) = pages(o.format);
    let names = output_names(o.format);
    let out = OutputSet::new(&o.out.output, o.out.force, VERB);
    out.check_free(&names)?;

    let json_path = o.results.join("results.json");
    let head = read_head(&json_path)?;
    let exam_path = exam_of(o, &head, &json_path)?;
    let items_path = o.results.join("items.csv");
    let results_path = o.results.join("results.csv");
    super::refuse_overwriting_inputs(
        &out,
        &names,
        &[&json_path, &items_path, &results_path, &exam_path],
    )?;
    let manifest = super::manifest::read(&exam_path)?;
    let zh = manifest.language == Language::Zh;
    let (locations, bank_notes) =
        super::banks::question_lines(&manifest, &exam_path, o.banks.as_deref());

    let (rows, reliability, read) = analyse_items(&items_path, &manifest)?;

    let results = read_results(&results_path)?;
    let scores = &results.scores;
    if scores.len() as u64 != read {
        eprintln!(
            "warning: {} lists {} candidates, {} holds items of {read}",
            results_path.display(),
            scores.len(),
            items_path.display(),
        );
    }
    let summary = scores.summary(&section_totals(&manifest, &results.sections));
    // The team scores grade computed (by the blueprint's or the script's rule), else means.
    let teams = rank_teams(&if head.teams.is_empty() {
        scores.teams_by_mean()
    } else {
        head.teams
            .iter()
            .map(|t| (t.team.clone(), t.score, t.members))
            .collect()
    });
    let tally = head.summary.unwrap_or_default();
    let printed = printed(&manifest);
    let reference = manifest.papers.first().map_or("", |p| p.code.as_str());
    let items_view: Vec<ItemView> = rows
        .iter()
        .map(|r| {
            ItemView::of(
                r,
                &locations,
                printed.get(&r.question),
                manifest.papers.len(),
                reference,
                zh,
            )
        })
        .collect();
    let figures = Figures {
        title: &manifest.blueprint.exam.title,
        zh,
        summary: &summary,
        reliability: &reliability,
        tally: &tally,
        pass_line: manifest.blueprint.scoring.pass,
        rows: &rows,
        items: &items_view,
        teams: &teams,
        bank_notes: &bank_notes,
        letters_of: printed.values().any(|p| p.reordered).then_some(reference),
    };
    let [scores_svg, sections_svg] = figures.charts();

    write_tables(&out, &figures, [&scores_svg, &sections_svg])?;
    let (top_rows, failing) =
        write_ranking(o, &out, &results, &scores.ranking(), figures.labels())?;

    if html || pdf {
        let printer = Printer::new(&o.print, pdf, zh);
        let view = figures.view(
            printer.fonts(),
            top_rows,
            scores.len(),
            failing,
            [scores_svg, sections_svg],
        );
        write_pages(
            o,
            &out,
            &minijinja::Value::from_serialize(&view),
            html,
            pdf.then_some(printer),
        )?;
    }
    out.commit()?;
    let flagged = rows.iter().filter(|r| !r.flags.is_empty()).count();
    let alpha = reliability
        .alpha
        .map(|a| format!("{a:.2}"))
        .unwrap_or_else(|| "—".into());
    let dir = o.out.output.display();
    if zh {
        eprintln!(
            "报告：{} 名考生，{} 道题（{flagged} 道标出待查），α {alpha}",
            summary.candidates,
            rows.len()
        );
        eprintln!("已写出 {}，在 {dir}", names.join("、"));
    } else {
        eprintln!(
            "report: {} candidates, {} questions ({flagged} flagged), α {alpha}",
            summary.candidates,
            rows.len()
        );
        eprintln!("wrote {} to {dir}", names.join(", "));
    }
    Ok(ExitCode::Success)
}

/// The CSV and JSON files and the charts.
fn write_tables(out: &OutputSet, f: &Figures, svgs: [&str; 2]) -> Result<(), Error> {
    out.write(
        "summary.csv",
        &summary_csv(f.summary, f.reliability, f.tally, f.pass_line),
    )?;
    out.write(ITEM_ANALYSIS, &item_analysis_csv(f.items))?;
    out.write("teams.csv", &teams_csv(f.teams))?;
    let mut text = serde_json::to_string_pretty(&f.summary_json()).expect("json");
    text.push('\n');
    out.write("summary.json", text.as_bytes())?;
    out.write("report-scores.svg", svgs[0].as_bytes())?;
    out.write("report-sections.svg", svgs[1].as_bytes())?;
    Ok(())
}

/// report.html and report.typ from the templates, and report.pdf through typst.
fn write_pages(
    o: &Options,
    out: &OutputSet,
    view: &minijinja::Value,
    html: bool,
    pdf: Option<Printer>,
) -> Result<(), Error> {
    let templates = Templates::new(read_overrides(o.print.templates.as_deref())?)?;
    if html {
        let text = templates.render("report.html.j2", view.clone())?;
        out.write("report.html", text.as_bytes())?;
    }
    if let Some(printer) = pdf {
        let source = Source {
            name: "report.typ".into(),
            text: templates.render("report.typ.j2", view.clone())?,
        };
        out.write(&source.name, source.text.as_bytes())?;
        // report.pdf beside the charts it shows
        printer.compile(&[source], out)?;
    }
    Ok(())
}

/// Writes ranking.csv in rank order, reading each candidate's row again by its position;
/// returns the first `--list` rows for the PDF and HTML, and every candidate who did not pass.
fn write_ranking(
    o: &Options,
    out: &OutputSet,
    results: &Results,
    order: &[(usize, usize)],
    labels: &Labels,
) -> Result<(Vec<RankView>, Vec<RankView>), Error> {
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
    let mut w =
        crate::input::table::Writer::new(std::io::BufWriter::new(out.create("ranking.csv")?));
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
    let mut failing = Vec::new();
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
        // The cells as grade meant them (results.csv guards formula-like text).
        crate::input::table::unguard_record(&mut rec);
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
        let pass = parse_pass(get(c.pass));
        if top.len() < o.list || pass == Some(false) {
            let row = RankView {
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
            };
            if pass == Some(false) {
                failing.push(row.clone());
            }
            if top.len() < o.list {
                top.push(row);
            }
        }
    }
    w.flush().map_err(wrap)?;
    Ok((top, failing))
}

//! Command-line syntax (clap derive types only). `command/` turns these into validated options.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_STATUS: &str = "\
Exit status:
  0  success
  1  invalid input (a bank, blueprint, CSV or script with errors); nothing written
  2  usage or environment (bad flags, a missing external tool such as typst, a missing font)
  3  done, but some inputs were rejected (rows or sheets by grade, scan, judge; questions
     skipped by bank import --skip-bad): outputs written, the rejects listed
  4  event status: some outputs are out of date (`event run` brings them up to date)";

/// Draw randomized closed-book exams from tagged question banks, print them through Typst,
/// and grade the CSVs that answer-sheet scanners write.
#[derive(Debug, Parser)]
#[command(name = "examforge", version, about, propagate_version = true, after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check question banks and print counts by kind, difficulty and tag.
    #[command(
        after_help = "Examples:\n  examforge bank check question-banks/\n  examforge bank check my-bank.toml --format json"
    )]
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// Draw papers from a blueprint into exam.json (the manifest) and key.csv.
    #[command(
        after_help = "Examples:\n  examforge draw question-banks/closed-book.toml --seed 7 --variants 2 -o out/\n  examforge draw question-banks/closed-book.toml --roster question-banks/roster.csv -o out/"
    )]
    #[command(mut_arg("output", |a| a.default_value("exam").required(false)))]
    Draw(DrawArgs),
    /// Print exam.json as papers, answer keys and answer sheets (PDF through typst, or .typ / .html).
    #[command(
        after_help = "Examples:\n  examforge render out/exam.json -o out/\n  examforge render out/exam.json --format html -o out/html\n  examforge render out/exam.json --templates my-templates/ --typst ~/bin/typst"
    )]
    #[command(mut_arg("output", |a| a.default_value("exam").required(false)))]
    Render(RenderArgs),
    /// Draw and render in one go: the main job. Without a blueprint it makes the bundled closed-book exam.
    #[command(
        after_help = "Examples:\n  examforge make\n  examforge make question-banks/closed-book.toml --variants 2 --seed 2026 -o exam/\n  examforge make my-blueprint.toml --roster roster.csv --force"
    )]
    #[command(mut_arg("output", |a| a.default_value("exam").required(false)))]
    Make(MakeArgs),
    /// Grade a scanner CSV against exam.json: results, item statistics, rejected rows.
    #[command(
        after_help = "Examples:\n  examforge grade out/exam.json scans.csv -o results/\n  examforge grade out/exam.json zipgrade.csv --rules scripts/multi-half.rhai -o results/\n  examforge grade out/exam.json scans.csv --csv-layout my-scanner.toml --manual short-scores.csv -o results/\n  examforge grade out/exam.json scans.csv --roster roster.csv --manual marks.csv --appeals appeals.toml -o results/"
    )]
    #[command(mut_arg("output", |a| a.default_value("results").required(false)))]
    Grade(GradeArgs),
    /// Report on graded results: score distribution, rankings, item analysis with flags (PDF, HTML, CSV).
    #[command(
        after_help = "Examples:\n  examforge report results/ --exam exam/exam.json -o report/\n  examforge report results/ --banks question-banks/ --format html -o report/\n  examforge report results/ --templates my-templates/ --force -o report/"
    )]
    #[command(mut_arg("output", |a| a.default_value("report").required(false)))]
    Report(ReportArgs),
    /// Read scanned answer sheets (JPEG, PNG, TIFF, image-only PDF) into scans.csv, which `grade` reads.
    #[command(
        after_help = "Examples:\n  examforge scan exam/exam.json scans/ -o scanned/\n  examforge scan exam/exam.json batch1.pdf batch2/ -o scanned/ --grade\n\nOutputs: scans.csv (one row per sheet read; `?` = a cell to review), review.csv with\nreview/*.png (each doubtful cell, cropped), sheets.csv (every page: read or rejected, why,\nthe marks' residual in mm, the turn, the dpi)."
    )]
    #[command(mut_arg("output", |a| a.default_value("scanned").required(false)))]
    Scan(ScanArgs),
    /// Score a judged event (on-site contest, video contest) from the judges' sheet, or print 评分表 with --forms.
    #[command(
        after_help = "Examples:\n  examforge judge onsite.toml onsite-scores.csv -o onsite/\n  examforge judge onsite.toml --forms --entrants teams.csv --judges 5 -o forms/"
    )]
    #[command(mut_arg("output", |a| a.default_value("judged").required(false)))]
    Judge(JudgeArgs),
    /// Combine events (written exam, judged contests, quiz rounds) into individual and team standings.
    #[command(after_help = "Example:\n  examforge standings standings.toml -o standings/")]
    #[command(mut_arg("output", |a| a.default_value("standings").required(false)))]
    Standings(StandingsArgs),
    /// Print honour certificates (荣誉证书) for the best of a standings folder.
    #[command(
        after_help = "Examples:\n  examforge certificates standings/ --top 3 -o certificates/\n  examforge certificates standings/ --awards 1,3,6 -o certificates/"
    )]
    #[command(mut_arg("output", |a| a.default_value("certificates").required(false)))]
    Certificates(CertificatesArgs),
    /// Run the online knowledge competition: rounds answered on a phone, live rankings of people and teams.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  examforge serve codes competition.toml -o codes/\n  EXAMFORGE_ADMIN_TOKEN=… examforge serve competition.toml --listen 0.0.0.0:8080\n  examforge serve export competition.toml r1 -o results/r1\n  examforge serve competition.toml --show-paper r1 26010001"
    )]
    Serve(ServeArgs),
    /// Write a starter workspace (a small bank, a blueprint, scripts, templates) on which `make` works at once.
    #[command(
        after_help = "Example:\n  examforge init my-exam && cd my-exam && examforge make blueprint.toml"
    )]
    Init {
        /// The folder to create (it may exist if empty).
        #[arg(default_value = "examforge-workspace")]
        dir: PathBuf,
        /// Write into a non-empty folder, replacing files of the same names.
        #[arg(long)]
        force: bool,
        /// The workspace's language: `zh` writes the Chinese closed-book exam, roster and the
        /// training as one event (event/event.toml); `en` the small English sample.
        #[arg(long, value_enum, default_value_t = InitLanguage::En)]
        lang: InitLanguage,
        /// Short for `--lang zh`.
        #[arg(long, conflicts_with = "lang")]
        zh: bool,
    },
    /// The whole training as one project (event.toml): `run` brings every output up to date, `status` says what is out of date.
    #[command(
        after_help = "Examples:\n  examforge event run event.toml\n  examforge event status event.toml\n  examforge event run event.toml -o published/\n\nExit status of `event status`: 0 when every output is up to date, 4 when some are not."
    )]
    Event {
        #[command(subcommand)]
        command: EventCommand,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  examforge completions bash > ~/.local/share/bash-completion/completions/examforge"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(after_help = "Example:\n  examforge man > examforge.1 && man ./examforge.1")]
    Man,
}

/// The languages `init` writes a workspace in.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InitLanguage {
    En,
    Zh,
}

/// `event` subcommands.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Bring every output of the event up to date: each step runs when its inputs changed.
    Run(EventArgs),
    /// Say which steps are out of date and why (exit 4 when any is).
    Status(EventArgs),
}

/// Options of `event run` and `event status`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// The event file (TOML): [event], [[exam]], [[contest]], [[quiz]], [standings], [certificates].
    pub event: PathBuf,
    /// The output folder (default: `out` beside the event file).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write into a folder that holds files no event run wrote.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub print: Printing,
}

/// `bank` subcommands.
#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Validate bank files or folders of them; every error is reported with file:line:col.
    #[command(
        after_help = "Examples:\n  examforge bank check question-banks/\n  examforge bank check a.toml b.toml --format json\n  examforge bank check question-banks/ --as-of 2026-12-01 --strict"
    )]
    Check {
        /// Bank files (.toml) or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
        /// Warn for every question citing an instrument not in force on this day (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<crate::law::Date>,
        /// Turn the statute warnings (out-of-date or unknown citations) into errors.
        #[arg(long)]
        strict: bool,
        /// List every question that cites an instrument replaced by that day, one warning each
        /// (by default they are counted per instrument: a bank keeps them for exams dated earlier).
        #[arg(long)]
        list_replaced: bool,
        /// The statute registry; default: laws.toml beside the banks.
        #[arg(long, value_name = "FILE")]
        laws: Option<PathBuf>,
    },
    /// Import questions from Excel (.xlsx/.xls), CSV, pasted text, GIFT or Moodle XML into a bank.
    #[command(
        after_help = "Examples:\n  examforge bank import 题库.xlsx -o banks/net.toml --id net\n  examforge bank import export.csv paste.txt -o bank.toml --skip-bad\n  examforge bank import moodle.xml --format moodle-xml -o bank.toml"
    )]
    Import(BankImportArgs),
    /// Export banks as an Excel workbook, CSV, GIFT or Moodle XML.
    #[command(
        after_help = "Examples:\n  examforge bank export question-banks/xzcf.toml --to xlsx -o xzcf.xlsx\n  examforge bank export banks/ --to moodle-xml -o quiz.xml"
    )]
    Export(BankExportArgs),
}

/// Options of `bank import`.
#[derive(Debug, Args)]
pub struct BankImportArgs {
    /// The files to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The bank file to write (TOML); here `-o` names a file, not a folder.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The source format (default: from the extension, then the content).
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// The id prefix (default: the file name): ids are PREFIX-ROW or PREFIX-NAME; it is also the bank id.
    #[arg(long = "id", value_name = "PREFIX")]
    pub id: Option<String>,
    /// Only this sheet of a workbook (default: every sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The bank title (default: the imported files' names).
    #[arg(long)]
    pub title: Option<String>,
    /// Write the good questions even when some have errors (they are listed; the exit status is 3).
    #[arg(long)]
    pub skip_bad: bool,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

/// Formats `bank import` reads.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ImportFormat {
    Xlsx,
    Csv,
    Text,
    Gift,
    MoodleXml,
}

/// Options of `bank export`.
#[derive(Debug, Args)]
pub struct BankExportArgs {
    /// Bank files (.toml) or folders holding them.
    #[arg(required = true)]
    pub banks: Vec<PathBuf>,
    /// The target format.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// The file to write; here `-o` names a file, not a folder.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing output.
    #[arg(long)]
    pub force: bool,
}

/// Formats `bank export` writes.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Gift,
    MoodleXml,
}

/// How `bank check` prints.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SummaryFormat {
    Text,
    Json,
}

/// Options of `draw`.
#[derive(Debug, Args)]
pub struct DrawArgs {
    /// The blueprint (TOML).
    pub blueprint: PathBuf,
    #[command(flatten)]
    pub draw: DrawOptions,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options shared by `draw` and `make`.
#[derive(Debug, Args, Clone)]
pub struct DrawOptions {
    /// The seed; the same seed and banks give the same papers. Chosen and recorded when omitted.
    #[arg(long, env = "EXAMFORGE_SEED")]
    pub seed: Option<u64>,
    /// How many paper codes (A, B, …) to draw; overrides the blueprint.
    #[arg(long, conflicts_with = "roster")]
    pub variants: Option<usize>,
    /// One paper per roster row (CSV with 准考证号/candidate, 姓名/name, 单位/team).
    #[arg(long)]
    pub roster: Option<PathBuf>,
}

/// Options of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The manifest written by `draw`.
    pub exam: PathBuf,
    #[command(flatten)]
    pub render: RenderOptions,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options shared by `render` and `make`.
#[derive(Debug, Args, Clone)]
pub struct RenderOptions {
    /// What to write: PDF (through typst), the Typst sources, or one HTML page per paper.
    #[arg(long, value_enum, default_value_t = OutputFormat::Pdf)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub print: Printing,
    /// Print 绝密★启用前 / "CONFIDENTIAL" at the top of each paper.
    #[arg(long)]
    pub confidential: bool,
    /// How many paper batches typst compiles at once (default: the number of cores); the key and
    /// the answer sheet compile beside them in one more process.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// End every paper on an even page (a blank back) for printing on both sides [default: on for Chinese papers].
    #[arg(long, overrides_with = "no_duplex")]
    pub duplex: bool,
    /// Print papers back to back, without blank backs.
    #[arg(long, overrides_with = "duplex")]
    pub no_duplex: bool,
    /// Also write one PDF per paper, cut from papers.pdf [default: on for up to 50 papers].
    #[arg(long, overrides_with = "no_split")]
    pub split: bool,
    /// Write papers.pdf only.
    #[arg(long, overrides_with = "split")]
    pub no_split: bool,
    /// Papers per typst process, about 5 MiB of memory each for a four-page paper; batches run side by side on every core [default: 50].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: Option<u32>,
}

/// Output formats of `render`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Pdf,
    Typ,
    Html,
}

/// Options of `make`.
#[derive(Debug, Args)]
pub struct MakeArgs {
    /// The blueprint; default: the bundled closed-book exam (question-banks/closed-book.toml).
    pub blueprint: Option<PathBuf>,
    #[command(flatten)]
    pub draw: DrawOptions,
    #[command(flatten)]
    pub render: RenderOptions,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options of `grade`.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The manifest written by `draw`.
    pub exam: PathBuf,
    /// The scanner's CSV (UTF-8, UTF-8 BOM, UTF-16 or GB18030; `,` `;` or tab).
    pub answers: PathBuf,
    /// A scanner layout (TOML) for a CSV whose header is not recognised.
    #[arg(long, value_name = "FILE", alias = "layout")]
    pub csv_layout: Option<PathBuf>,
    /// A rhai script with `score`, `total` and/or `team` functions.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Points given by hand: CSV with candidate, item (number or question id), points, and an
    /// optional `marker` (评卷人) column. A row replaces the sheet's score for that item, of any
    /// kind. Two rows for one item are two markers' marks (双评): within the tolerance their
    /// mean; beyond it the item waits for a third mark (仲裁: status `arbitration`, listed in
    /// arbitration.csv, the candidate `pending`, exit status 3). With the third row, the score
    /// is the mean of the two closest marks (the middle mark when two pairs are equally close).
    #[arg(long, value_name = "FILE")]
    pub manual: Option<PathBuf>,
    /// How far two markers' marks may differ and still be averaged (default 1 point): `N` for
    /// every item, `ITEM=N` for one item (its number or question id); repeatable.
    #[arg(long, value_name = "N|ITEM=N")]
    pub double_tolerance: Vec<String>,
    /// Decided appeals (复核, appeals.toml): each replaces one item's points, applied after
    /// --manual on every run and logged with its reason in changes.csv and results.json.
    #[arg(long, value_name = "FILE")]
    pub appeals: Option<PathBuf>,
    /// The roster (id, name, team; as for `make --roster`): names and teams come from it, a sheet
    /// of someone not on it is an error, and whoever has no sheet is listed absent (缺考) with no
    /// score and left out of every statistic.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputDir,
    /// Also write the report (PDF, HTML and CSV) into OUTPUT/report.
    #[arg(long)]
    pub report: bool,
}

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The folder `grade` wrote (results.csv, items.csv, results.json); its exam.json is found from there.
    pub results: PathBuf,
    /// The exam.json the results were graded against (default: the one results.json names).
    #[arg(long)]
    pub exam: Option<PathBuf>,
    /// The folder the bank paths in exam.json are relative to (the blueprint's folder), to name each question's line.
    #[arg(long)]
    pub banks: Option<PathBuf>,
    /// What to write besides the CSV and JSON files: a PDF (through typst), an HTML page, both, or nothing more.
    #[arg(long, value_enum, default_value_t = ReportFormat::All)]
    pub format: ReportFormat,
    /// How many candidates the PDF and HTML rankings list (ranking.csv lists everyone).
    #[arg(long, value_name = "N", default_value_t = 50, alias = "top")]
    pub list: usize,
    #[command(flatten)]
    pub print: Printing,
    #[command(flatten)]
    pub out: OutputDir,
}

/// What `report` writes besides CSV and JSON.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    All,
    Pdf,
    Html,
    Csv,
}

/// Options of commands that print through a template and typst.
#[derive(Debug, Args, Clone)]
pub struct PrintOptions {
    #[command(flatten)]
    pub print: Printing,
    /// PDF (through typst), or the Typst sources only.
    #[arg(long, value_enum, default_value_t = PrintFormat::Pdf)]
    pub format: PrintFormat,
    /// The old spelling of `--format typ`.
    #[arg(long, hide = true)]
    pub typ_only: bool,
}

impl PrintOptions {
    /// Whether only the Typst sources are written.
    pub fn sources_only(&self) -> bool {
        self.typ_only || self.format == PrintFormat::Typ
    }
}

/// What `judge --forms` and `certificates` write.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PrintFormat {
    Pdf,
    Typ,
}

/// Who a judging form is for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormsPer {
    /// One form per judge, listing every entrant.
    Judge,
    /// One form per entrant, for any judge.
    Entrant,
}

/// Options of `judge`.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// The rubric (TOML): [event], [[criterion]], [judging].
    pub rubric: PathBuf,
    /// The judges' score sheet: entrant,judge[,team],criterion… (UTF-8, UTF-8 BOM, UTF-16 or GB18030).
    #[arg(required_unless_present = "forms")]
    pub scores: Option<PathBuf>,
    /// Print blank judging forms (评分表) instead of scoring.
    #[arg(long, conflicts_with = "scores")]
    pub forms: bool,
    /// With --forms: the entrants, a CSV whose entrant/参赛者/team/单位/name column (or first column) lists them.
    #[arg(long, requires = "forms")]
    pub entrants: Option<PathBuf>,
    /// With --forms: how many judges (numbered 评委1, 评委2, …) or their names, comma-separated.
    #[arg(long, requires = "forms")]
    pub judges: Option<String>,
    /// With --forms: one form per judge or per entrant.
    #[arg(long, value_enum, default_value_t = FormsPer::Judge, requires = "forms")]
    pub per: FormsPer,
    /// With --forms: draw the running order (出场顺序) of the entrants by this seed; it is printed on the forms and kept in order.csv.
    #[arg(long, requires = "entrants")]
    pub seed: Option<u64>,
    /// Decided appeals (复核, appeals.toml): each replaces one judge's mark on one criterion of
    /// one entrant before the marks are combined, logged with its reason in changes.csv.
    #[arg(long, value_name = "FILE", conflicts_with = "forms")]
    pub appeals: Option<PathBuf>,
    #[command(flatten)]
    pub print: PrintOptions,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options of `standings`.
#[derive(Debug, Args)]
pub struct StandingsArgs {
    /// The standings file (TOML): [standings] and one [[event]] per event.
    pub file: PathBuf,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options of `certificates`.
#[derive(Debug, Args)]
pub struct CertificatesArgs {
    /// A folder written by `standings` (its standings.json).
    pub standings: PathBuf,
    /// Certificates for ranks 1 to N of the standings' own entrant kind, named by place (第一名, 第二名, …). Default: the standings file's [awards], else 3.
    #[arg(long, value_name = "N", conflicts_with = "awards")]
    pub top: Option<usize>,
    /// Prize classes by rank cut-offs FIRST,SECOND,THIRD for the standings' own entrant kind: 一等奖 up to rank FIRST, 二等奖 up to SECOND, 三等奖 up to THIRD.
    #[arg(long, value_name = "FIRST,SECOND,THIRD", alias = "rule")]
    pub awards: Option<String>,
    #[command(flatten)]
    pub print: PrintOptions,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The manifest written by `draw`; sheet.layout.json and sheet.blank.png are taken from beside it.
    pub exam: PathBuf,
    /// Scans: image files, image-only PDFs, or folders holding them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The answer sheet's geometry (JSON) written by `render` (default: sheet.layout.json beside EXAM).
    #[arg(long, value_name = "FILE", alias = "layout")]
    pub sheet_layout: Option<PathBuf>,
    /// Also write each sheet upright to DIR/annotated/, boxes read as marked outlined green, doubtful red.
    #[arg(long)]
    pub annotate: bool,
    /// Grade the sheets read, into DIR/results/.
    #[arg(long)]
    pub grade: bool,
    /// With --grade: a rhai script with `score`, `total` and/or `team` functions.
    #[arg(long, requires = "grade")]
    pub rules: Option<PathBuf>,
    /// With --grade: points for short answers (CSV with candidate, number, points).
    #[arg(long, requires = "grade")]
    pub manual: Option<PathBuf>,
    /// The roster (id, name, team): scans.csv gets each candidate's name and team, and with
    /// --grade the absent are listed (缺考).
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// How many sheets are read at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub out: OutputDir,
}

/// Where a verb writes: the folder (`-o`) and whether to replace what is there (`--force`).
/// `bank import` and `bank export` write one file and name it with `-o` instead.
#[derive(Debug, Args, Clone)]
pub struct OutputDir {
    /// The output folder.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Overwrite existing outputs.
    #[arg(long)]
    pub force: bool,
}

/// Where the templates, typst and its fonts are found, for every verb that prints.
#[derive(Debug, Args, Clone, Default)]
pub struct Printing {
    /// A folder whose templates replace the built-in ones file by file (paper.typ.j2, key.typ.j2,
    /// sheet.typ.j2, paper.html.j2, report.typ.j2, report.html.j2, forms.typ.j2,
    /// certificate.typ.j2). Without it, a templates/ folder in the current folder is used.
    #[arg(long, value_name = "DIR", env = "EXAMFORGE_TEMPLATES")]
    pub templates: Option<PathBuf>,
    /// The typst executable (default: `typst` on PATH).
    #[arg(long, value_name = "FILE", env = "EXAMFORGE_TYPST")]
    pub typst: Option<PathBuf>,
    /// Extra folders to look for fonts in (passed to typst).
    #[arg(long, value_name = "DIR")]
    pub font_path: Vec<PathBuf>,
}

/// Parses `std::env::args`.
pub fn parse() -> Cli {
    Cli::parse()
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    /// The competition file (TOML): [competition] and one [[round]] per round.
    pub competition: Option<PathBuf>,
    #[command(flatten)]
    pub db: ServeDb,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// A file holding the admin token (else the environment's EXAMFORGE_ADMIN_TOKEN).
    #[arg(long)]
    pub admin_token_file: Option<PathBuf>,
    /// Print a candidate's paper for a round, with its key, as the server draws it, and exit.
    #[arg(long, num_args = 2, value_names = ["ROUND", "CANDIDATE"])]
    pub show_paper: Option<Vec<String>>,
}

/// The competition's database.
#[derive(Debug, Args)]
pub struct ServeDb {
    /// The database: `postgres://…`, or `sqlite://FILE` (default: `COMPETITION.db` beside the competition file).
    #[arg(long, env = "EXAMFORGE_DATABASE")]
    pub database: Option<String>,
}

/// What `serve` does besides serving.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Issue access codes: codes.csv and printable code slips (codes are stored only as hashes).
    Codes {
        competition: PathBuf,
        #[command(flatten)]
        db: ServeDb,
        /// The output folder.
        #[arg(short, long, default_value = "codes")]
        output: PathBuf,
        /// Replace the codes of these candidates only (a lost code); the others keep theirs.
        #[arg(long, value_name = "ID")]
        replace: Vec<String>,
        /// The sign-in address printed on the slips.
        #[arg(long, default_value = "http://127.0.0.1:8080/")]
        url: String,
        /// Overwrite existing outputs (and issue new codes to everyone).
        #[arg(long)]
        force: bool,
    },
    /// Write a round's results in the layout of `grade`, and a score list `standings` reads.
    Export {
        competition: PathBuf,
        round: String,
        #[command(flatten)]
        db: ServeDb,
        /// The output folder.
        #[arg(short, long, default_value = "results")]
        output: PathBuf,
        /// Overwrite existing outputs.
        #[arg(long)]
        force: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn old_spellings_still_parse_and_stay_out_of_the_help() {
        let cli = Cli::try_parse_from([
            "examforge",
            "grade",
            "e.json",
            "a.csv",
            "--layout",
            "l.toml",
        ])
        .unwrap();
        let Command::Grade(g) = cli.command else {
            panic!("grade")
        };
        assert_eq!(g.csv_layout, Some(PathBuf::from("l.toml")));
        assert_eq!(g.out.output, PathBuf::from("results"));
        let cli =
            Cli::try_parse_from(["examforge", "certificates", "s/", "--rule", "1,2,3"]).unwrap();
        let Command::Certificates(c) = cli.command else {
            panic!("certificates")
        };
        assert_eq!(c.awards.as_deref(), Some("1,2,3"));
        assert!(c.print.print.typst.is_none());
        let cli =
            Cli::try_parse_from(["examforge", "judge", "r.toml", "--forms", "--typ-only"]).unwrap();
        let Command::Judge(j) = cli.command else {
            panic!("judge")
        };
        assert!(j.print.sources_only());
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("grade")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            help.contains("--csv-layout") && !help.contains("--layout"),
            "{help}"
        );
    }

    #[test]
    fn each_verb_keeps_its_own_output_folder() {
        for (verb, args, dir) in [
            ("draw", vec!["b.toml"], "exam"),
            ("render", vec!["e.json"], "exam"),
            ("make", vec![], "exam"),
            ("report", vec!["r/"], "report"),
            ("scan", vec!["e.json", "s/"], "scanned"),
            ("standings", vec!["s.toml"], "standings"),
            ("certificates", vec!["s/"], "certificates"),
        ] {
            let mut argv = vec!["examforge", verb];
            argv.extend(args);
            let cli = Cli::try_parse_from(argv).unwrap();
            let out = match cli.command {
                Command::Draw(a) => a.out,
                Command::Render(a) => a.out,
                Command::Make(a) => a.out,
                Command::Report(a) => a.out,
                Command::Scan(a) => a.out,
                Command::Standings(a) => a.out,
                Command::Certificates(a) => a.out,
                _ => unreachable!(),
            };
            assert_eq!(out.output, PathBuf::from(dir), "{verb}");
        }
    }
}

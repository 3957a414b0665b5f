//! What many sessions start from: the commands with their usual inputs and output folder, the
//! grading fixture drawn and a sheet for it, files written as Excel or a Chinese Windows saves
//! them, and the outputs read back. Each test then states only what it varies.

use super::examforge;
use assert_cmd::Command;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The grading fixture: 1 single (2 points, B), 2 multiple (4, AC), 3 judge (1, false), 4 fill
/// (2: 二|CO2), 5 short (8, given by hand); 17 points.
pub const GRADE_BLUEPRINT: &str = "tests/fixtures/grade/blueprint.toml";

/// The header of a scanner CSV for the grading fixture, in Chinese as the scanner writes it.
pub const GRADE_SHEET_HEADER: &str = "考号,姓名,单位,卷别,1,2,3,4,5\n";

/// `examforge draw BLUEPRINT --seed SEED -o OUT`.
pub fn draw(blueprint: impl AsRef<OsStr>, seed: &str, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("draw")
        .arg(blueprint)
        .args(["--seed", seed, "-o"])
        .arg(out);
    c
}

/// `examforge draw BLUEPRINT -o OUT`: the seed left to examforge, or the draw refused.
pub fn draw_any_seed(blueprint: impl AsRef<OsStr>, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("draw").arg(blueprint).arg("-o").arg(out);
    c
}

/// A fresh folder with `blueprint` drawn into it with `seed`, and its exam.json.
pub fn drawn(blueprint: &str, seed: &str) -> (tempfile::TempDir, serde_json::Value) {
    let d = super::tmp();
    draw(blueprint, seed, d.path()).assert().success();
    let exam = read_json(&d.path().join("exam.json"));
    (d, exam)
}

/// The grading fixture drawn with seed 17 into `out` (exam.json, papers, keys).
pub fn draw_grade_fixture(out: &Path) {
    draw(GRADE_BLUEPRINT, "17", out).assert().success();
}

/// `scan.csv` in `dir`: the grading fixture's header, then `body` (one line per sheet).
pub fn grade_sheet(dir: &Path, body: &str) -> PathBuf {
    write(dir, "scan.csv", format!("{GRADE_SHEET_HEADER}{body}"))
}

/// `examforge make ARGS… -o OUT`: an exam drawn and printed (the working folder's blueprint
/// unless `args` names one).
pub fn make(args: &[&str], out: &Path) -> Command {
    let mut c = examforge();
    c.arg("make").args(args).arg("-o").arg(out);
    c
}

/// A fresh folder into which `make ARGS…` has printed an exam.
pub fn made(args: &[&str]) -> tempfile::TempDir {
    let d = super::tmp();
    make(args, d.path()).assert().success();
    d
}

/// `make question-banks/sample-en-exam.toml --seed 2 --format typ --roster ROSTER -o OUT`: the
/// English sample's Typst sources, a paper for each candidate of `roster`.
pub fn make_typ_per_candidate(roster: &Path, out: &Path) -> Command {
    let mut c = make(
        &[
            "question-banks/sample-en-exam.toml",
            "--seed",
            "2",
            "--format",
            "typ",
        ],
        out,
    );
    c.arg("--roster").arg(roster);
    c
}

/// `examforge grade EXAM SHEET -o OUT`.
pub fn grade(exam: &Path, sheet: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("grade").arg(exam).arg(sheet).arg("-o").arg(out);
    c
}

/// `examforge judge RUBRIC SHEET -o OUT`.
pub fn judge(rubric: &Path, sheet: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("judge").arg(rubric).arg(sheet).arg("-o").arg(out);
    c
}

/// `examforge judge RUBRIC --forms --judges N --entrants ENTRANTS -o OUT`: the judges' blank
/// forms.
pub fn judging_forms(rubric: &Path, judges: &str, entrants: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("judge")
        .arg(rubric)
        .args(["--forms", "--judges", judges, "--entrants"])
        .arg(entrants)
        .arg("-o")
        .arg(out);
    c
}

/// `examforge standings SPEC -o OUT`.
pub fn standings(spec: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("standings").arg(spec).arg("-o").arg(out);
    c
}

/// `examforge report RESULTS -o OUT`.
pub fn report(results: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("report").arg(results).arg("-o").arg(out);
    c
}

/// `examforge certificates STANDINGS -o OUT`.
pub fn certificates(standings: &Path, out: &Path) -> Command {
    let mut c = examforge();
    c.arg("certificates").arg(standings).arg("-o").arg(out);
    c
}

/// A run judged as a user reads it: by its exit status and the lines it writes to stderr.
pub trait ExitsSaying {
    /// Runs the command, which must exit with `code` and say each of `said` on stderr.
    fn exits_saying(&mut self, code: i32, said: &[&str]) -> assert_cmd::assert::Assert;
}

impl ExitsSaying for Command {
    #[track_caller]
    fn exits_saying(&mut self, code: i32, said: &[&str]) -> assert_cmd::assert::Assert {
        let mut a = self.assert().code(code);
        for s in said {
            a = a.stderr(predicates::str::contains(*s));
        }
        a
    }
}

/// A flag and the file it names, as arguments: `--manual PATH`.
pub fn flag(name: &str, path: impl AsRef<OsStr>) -> Vec<std::ffi::OsString> {
    vec![name.into(), path.as_ref().to_owned()]
}

/// Writes `contents` to `dir/name` and gives its path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// The templates folder `folder` (made if need be) holding `name` with `text`: what
/// `--templates` is given to override one built-in template.
pub fn template_override(folder: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(folder).unwrap();
    write(folder, name, text);
    folder.to_path_buf()
}

/// The text as Excel on Chinese Windows saves a CSV: GB18030.
pub fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, lossy) = encoding_rs::GB18030.encode(text);
    assert!(!lossy, "GB18030 holds every character of {text}");
    bytes.into_owned()
}

/// The CSV text as Excel's "Unicode text" saves it: UTF-16LE with a BOM, tabs between cells.
pub fn unicode_text(csv: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for u in csv.replace(',', "\t").encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    bytes
}

/// A CSV text as an Excel workbook of one sheet (numbers as numbers), through rust_xlsxwriter.
pub fn as_workbook(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).unwrap(),
                Err(_) if cell.is_empty() => ws,
                Err(_) => ws.write_string(r, c, cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

/// The rows of a CSV file, its header first, as text.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A header (or a row without spaces in its cells) written as its cells with a space between
/// them, so that a long header reads on one line.
pub fn cells(row: &str) -> Vec<&str> {
    row.split(' ').collect()
}

/// A JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The statistics of question `id` in a results.json (its `items`).
pub fn item_stats<'a>(results: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    results["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["question"] == id)
        .unwrap_or_else(|| panic!("no item statistics for `{id}`"))
}

/// The names of the files in `dir`, sorted, every one.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The names of the files a verb wrote into `dir`, sorted: all but the list of its outputs it
/// keeps there.
pub fn output_names(dir: &Path) -> Vec<String> {
    let mut v = file_names(dir);
    v.retain(|n| n != examforge::io::output::RECORD);
    v
}

//! Reading the folder `grade` wrote (results.json's head, items.csv one candidate at a time,
//! results.csv), for `report`.

use crate::input::table::unguard_record;
use crate::report::items::Response;
use crate::report::summary::{Entry, Scores};
use crate::report::view::Tally;
use crate::score::grade::ItemLine;
use crate::sheet::Status;
use crate::Error;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The head of results.json; the candidates and items arrays are skipped without being kept.
#[derive(Deserialize)]
pub struct ResultsHead {
    #[serde(default)]
    pub manifest: Option<String>,
    #[serde(default)]
    pub manifest_sha256: Option<String>,
    #[serde(default)]
    pub summary: Option<Tally>,
    #[serde(default)]
    pub teams: Vec<TeamIn>,
}

/// A team's standing as results.json records it.
#[derive(Deserialize)]
pub struct TeamIn {
    pub team: String,
    pub score: f64,
    pub members: u64,
}

/// Reads the head of results.json.
pub fn read_head(path: &Path) -> Result<ResultsHead, Error> {
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

/// Counts read from items.csv.
pub struct ReadCount {
    pub candidates: u64,
}

/// Calls `f` with each candidate's responses, in file order. A candidate's rows are consecutive;
/// a new one starts when the candidate or paper changes or the printed number does not grow.
pub fn each_candidate(
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
        unguard_record(&mut rec);
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
        let (status, _) = ItemLine::parse_status(get(c_status))
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
pub struct Results {
    pub path: PathBuf,
    pub scores: Scores,
    pub sections: Vec<String>,
    pub rows: Vec<csv::Position>,
}

/// Column indices of results.csv.
pub struct Columns {
    pub id: usize,
    pub name: usize,
    pub team: usize,
    pub paper: usize,
    pub score: usize,
    pub max: usize,
    pub rank: usize,
    pub pass: usize,
    pub grade: usize,
}

pub fn results_err(shown: &str, line: u64, what: String) -> Error {
    Error::input(
        format!("{shown}:{line}: {what}"),
        "give the folder `examforge grade` wrote",
    )
}

pub fn columns(shown: &str, header: &csv::StringRecord) -> Result<Columns, Error> {
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

pub fn open_results(path: &Path) -> Result<csv::Reader<ResultsFile>, Error> {
    use crate::input::encoding::{decode_reader, Encoding};
    use std::io::Read;
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let open = || std::fs::File::open(path).map_err(read_err);
    let (encoding, mut decoded) = decode_reader(open()?).map_err(read_err)?;
    let file = match encoding {
        // What `grade` writes: read in place, so the ranking can seek back to a row.
        Encoding::Utf8 | Encoding::Utf8Bom => ResultsFile::Plain(open()?),
        // Re-saved by Excel (GB18030, UTF-16): decoded once, one row per candidate.
        _ => {
            let mut text = Vec::new();
            decoded.read_to_end(&mut text).map_err(read_err)?;
            ResultsFile::Decoded(std::io::Cursor::new(text))
        }
    };
    Ok(csv::Reader::from_reader(file))
}

/// results.csv as read: the file itself, or its text decoded to UTF-8.
pub enum ResultsFile {
    Plain(std::fs::File),
    Decoded(std::io::Cursor<Vec<u8>>),
}

impl std::io::Read for ResultsFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ResultsFile::Plain(f) => f.read(buf),
            ResultsFile::Decoded(c) => c.read(buf),
        }
    }
}

impl std::io::Seek for ResultsFile {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            ResultsFile::Plain(f) => f.seek(pos),
            ResultsFile::Decoded(c) => c.seek(pos),
        }
    }
}

/// Reads results.csv once, keeping one score and one file position per candidate.
pub fn read_results(path: &Path) -> Result<Results, Error> {
    let shown = path.display().to_string();
    let mut rdr = open_results(path)?;
    let header = rdr
        .headers()
        .map_err(|e| results_err(&shown, 1, e.to_string()))?
        .clone();
    let c = columns(&shown, &header)?;
    // The absent (缺考) have no score and stay out of every statistic.
    let status = header.iter().position(|h| h == "status");
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
        unguard_record(&mut rec);
        if status.and_then(|i| rec.get(i)) == Some("absent") {
            continue;
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

pub fn parse_pass(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

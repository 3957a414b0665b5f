//! What the columns of a scanner CSV mean, and the built-in layouts recognised from a header row.

use super::error::SheetError;
use crate::input::diagnostic::{Lang, Zh};
use crate::input::table::columns;
use std::collections::HashSet;
use std::fmt;

/// Which item an answer column belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemRef {
    /// The printed item number.
    Number(u32),
    /// A question id (AMC names its questions in the LaTeX source).
    Id(String),
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemRef::Number(n) => write!(f, "{n}"),
            ItemRef::Id(id) => f.write_str(id),
        }
    }
}

impl ItemRef {
    /// `Number` when `s` is all digits, else `Id`.
    pub fn parse(s: &str) -> ItemRef {
        match digits(s) {
            Some(n) => ItemRef::Number(n),
            None => ItemRef::Id(s.to_string()),
        }
    }
}

/// The scanner's special cell spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// Cells meaning "nothing marked" besides the empty cell (OpenMCR's `G`).
    pub blank: Vec<String>,
    /// Cells meaning "could not be read" (`?`).
    pub unreadable: Vec<String>,
    /// Cells meaning "several marks" without saying which (`*`, `>`, OpenMCR's `F`).
    pub multi: Vec<String>,
    /// What may stand between letters of one cell (`,` `|` `;` `、` …); spaces always may.
    pub separators: Vec<String>,
    /// A `0` among letters is AMC's "none of the above" box, read as the item's last option.
    pub none_box: bool,
}

impl Default for Tokens {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Tokens {
            blank: Vec::new(),
            unreadable: list(&["?"]),
            multi: list(&["*", ">"]),
            separators: list(&[",", "|", ";", "/", "、", "，", "；"]),
            none_box: false,
        }
    }
}

/// What the columns of one scanner CSV mean; column indices are 0-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// `examforge`, `zipgrade`, `omrchecker`, `formscanner`, `openmcr`, `amc`, or a layout file's name.
    pub name: String,
    pub delimiter: u8,
    /// The candidate id; rows where it is empty are rejected.
    pub candidate: usize,
    /// Name parts, joined with a space (ZipGrade: first and last name).
    pub name_cols: Vec<usize>,
    pub team: Option<usize>,
    /// The paper version (A/B卷, ZipGrade key version, OpenMCR test form code).
    pub paper: Option<usize>,
    /// Each item with its column, in the file's order.
    pub answers: Vec<(ItemRef, usize)>,
    pub tokens: Tokens,
}

/// A header name lowercased with everything but letters and digits removed (`Key Version` →
/// `keyversion`, `准考证号` stays).
pub(crate) fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The number `s` spells with ASCII digits only.
pub(crate) fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The number after `prefix` in a normalized name (`stu12` with `stu` → 12).
fn numbered(norm: &str, prefix: &str) -> Option<u32> {
    norm.strip_prefix(prefix).and_then(digits)
}

/// A header, with each name normalized once.
struct Header<'a> {
    raw: &'a [&'a str],
    norm: Vec<String>,
}

impl<'a> Header<'a> {
    fn new(raw: &'a [&'a str]) -> Self {
        Header {
            raw,
            norm: raw.iter().map(|h| normalize(h)).collect(),
        }
    }

    /// The first column whose normalized name is one of `names`.
    fn find(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.norm.iter().position(|h| h == n))
    }

    /// Columns `prefix<number>`, with their numbers.
    fn numbered(&self, prefix: &str) -> Vec<(ItemRef, usize)> {
        self.norm
            .iter()
            .enumerate()
            .filter_map(|(i, h)| numbered(h, prefix).map(|n| (ItemRef::Number(n), i)))
            .collect()
    }
}

/// Recognises a built-in layout from the header row of `file_name`.
///
/// Names are compared lowercased without non-alphanumerics, so `Key Version` and `KeyVersion`
/// are one name. Known: examforge's own sheet (`candidate,name,team,paper,1..N` or 准考证号/考号,
/// 姓名, 单位/支队, 卷别/试卷: the names in [`columns`]), ZipGrade (2019 and 2018 headers), OMRChecker, FormScanner,
/// OpenMCR and AMC exports with `TICKED:` columns.
pub fn detect_layout(
    file_name: &str,
    header: &[&str],
    delimiter: u8,
) -> Result<Layout, SheetError> {
    let h = Header::new(header);
    let layout = amc(file_name, &h)?
        .or_else(|| zipgrade(&h))
        .or_else(|| omrchecker(&h))
        .or_else(|| formscanner(&h))
        .or_else(|| openmcr(&h))
        .or_else(|| examforge(&h));
    let Some(mut layout) = layout else {
        return Err(SheetError::UnknownLayout {
            file: file_name.to_string(),
            header: preview(header),
            lang: Lang::of_text(&header.join(",")),
        });
    };
    layout.delimiter = delimiter;
    check_unique_items(file_name, header, &layout)?;
    Ok(layout)
}

/// A layout with the usual tokens and no columns yet.
fn base(name: &str, candidate: usize) -> Layout {
    Layout {
        name: name.to_string(),
        delimiter: b',',
        candidate,
        name_cols: Vec::new(),
        team: None,
        paper: None,
        answers: Vec::new(),
        tokens: Tokens::default(),
    }
}

fn amc(file: &str, h: &Header) -> Result<Option<Layout>, SheetError> {
    // The `A:` and `TICKED:` prefixes are never translated; `Exam`, `Name`, `Mark` are.
    let answers: Vec<(ItemRef, usize)> = h
        .raw
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            name.trim()
                .strip_prefix("TICKED:")
                .map(|id| (ItemRef::parse(id.trim()), i))
        })
        .collect();
    let key = h.raw.iter().position(|name| name.trim().starts_with("A:"));
    let exam = h.find(&["exam", "copie", "prüfung", "試験"]);
    if answers.is_empty() {
        let mark = h.find(&["mark", "note", "得点"]);
        if exam == Some(0) && (key.is_some() || mark.is_some()) {
            return Err(SheetError::AmcWithoutTicked {
                file: file.to_string(),
            });
        }
        return Ok(None);
    }
    let mut layout = base("amc", key.or(exam).unwrap_or(0));
    layout.name_cols.extend(h.find(&["name", "nom", "氏名"]));
    layout.answers = answers;
    layout.tokens.none_box = true;
    Ok(Some(layout))
}

fn zipgrade(h: &Header) -> Option<Layout> {
    let answers = h.numbered("stu");
    let has_keys = h
        .norm
        .iter()
        .any(|n| numbered(n, "prikey").is_some() || numbered(n, "key").is_some());
    if answers.is_empty() || !has_keys {
        return None;
    }
    let id = h
        .find(&["studentid", "zipgradeid"])
        .or_else(|| h.find(&["customid", "externalid"]))?;
    let mut layout = base("zipgrade", id);
    layout.name_cols = [h.find(&["firstname"]), h.find(&["lastname"])]
        .into_iter()
        .flatten()
        .collect();
    layout.team = h.find(&["quizclass"]);
    layout.paper = h.find(&["keyversion", "answerkeyversion"]);
    layout.answers = answers;
    Some(layout)
}

fn omrchecker(h: &Header) -> Option<Layout> {
    if h.norm.len() < 4 || h.norm[..4] != ["fileid", "inputpath", "outputpath", "score"] {
        return None;
    }
    let answers = h.numbered("q");
    let is_answer = |i: usize| answers.iter().any(|&(_, c)| c == i);
    let other = |i: &usize| *i >= 4 && !is_answer(*i);
    let id = h
        .find(&[
            "roll",
            "rollno",
            "rollnumber",
            "candidate",
            "candidateid",
            "studentid",
            "id",
            "regno",
            "registration",
            "registrationno",
            "registrationnumber",
        ])
        .or_else(|| (4..h.norm.len()).find(|i| other(i) && h.norm[*i].starts_with("roll")))
        .unwrap_or(0);
    let mut layout = base("omrchecker", id);
    layout.paper = (4..h.norm.len()).find(|i| {
        other(i)
            && *i != id
            && ["paper", "version", "booklet", "set", "code"]
                .iter()
                .any(|w| h.norm[*i].contains(w))
    });
    layout.answers = answers;
    Some(layout)
}

fn formscanner(h: &Header) -> Option<Layout> {
    const FILE_NAME: &[&str] = &[
        "filename",
        "dateiname",
        "nombredearchivo",
        "nomdufichier",
        "nomedelfile",
    ];
    if !FILE_NAME.contains(&h.norm.first()?.as_str()) {
        return None;
    }
    // `Group001.Question001` or `Question001`: the field is after the last dot.
    let mut answers: Vec<(ItemRef, usize)> = h
        .raw
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let field = name.rsplit('.').next().unwrap_or(name);
            numbered(&normalize(field), "question").map(|n| (ItemRef::Number(n), i))
        })
        .collect();
    if answers.is_empty() {
        return None;
    }
    // Groups may each count from Question001; number the items in column order then.
    let mut seen = HashSet::new();
    if !answers.iter().all(|(item, _)| seen.insert(item.clone())) {
        for (n, (item, _)) in answers.iter_mut().enumerate() {
            *item = ItemRef::Number(n as u32 + 1);
        }
    }
    let is_answer = |i: usize| answers.iter().any(|&(_, c)| c == i);
    let looks_like = |words: &[&str]| {
        (1..h.norm.len()).find(|&i| !is_answer(i) && words.iter().any(|w| h.norm[i].contains(w)))
    };
    let id = looks_like(&["student", "candidate", "roll", "id"]).unwrap_or(0);
    let mut layout = base("formscanner", id);
    layout.paper = looks_like(&["paper", "version", "form", "booklet"]).filter(|&p| p != id);
    layout.answers = answers;
    Some(layout)
}

fn openmcr(h: &Header) -> Option<Layout> {
    let form = h.find(&["testformcode"])?;
    let id = h.find(&["studentid"])?;
    let answers = h.numbered("q");
    if answers.is_empty() {
        return None;
    }
    let mut layout = base("openmcr", id);
    layout.name_cols = [
        h.find(&["firstname"]),
        h.find(&["middlename"]),
        h.find(&["lastname"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    layout.paper = Some(form);
    layout.answers = answers;
    layout.tokens.multi.push("F".into());
    layout.tokens.blank.push("G".into());
    Some(layout)
}

fn examforge(h: &Header) -> Option<Layout> {
    let id = h.find(columns::CANDIDATE)?;
    let answers: Vec<(ItemRef, usize)> = h
        .norm
        .iter()
        .enumerate()
        .filter_map(|(i, n)| digits(n).map(|n| (ItemRef::Number(n), i)))
        .collect();
    if answers.is_empty() {
        return None;
    }
    let mut layout = base("examforge", id);
    layout.name_cols.extend(h.find(columns::NAME));
    layout.team = h.find(columns::TEAM);
    layout.paper = h.find(columns::PAPER);
    layout.answers = answers;
    Some(layout)
}

/// Two columns for one item would make one of them silently lost.
pub(crate) fn check_unique_items(
    file: &str,
    header: &[&str],
    layout: &Layout,
) -> Result<(), SheetError> {
    let mut seen = std::collections::HashMap::new();
    for (item, col) in &layout.answers {
        if let Some(first) = seen.insert(item, *col) {
            let (a, b) = (
                header.get(first).unwrap_or(&""),
                header.get(*col).unwrap_or(&""),
            );
            let mut zh = Zh::new(
                format!("第 {item} 题有两个答案列：`{a}` 和 `{b}`"),
                "把其中一列改名，或用 `--csv-layout 文件` 指明各列",
            );
            zh.shown = Lang::of_text(&header.join(",")) == Lang::Zh;
            return Err(SheetError::Column {
                file: file.to_string(),
                message: format!("item {item} has two answer columns: `{a}` and `{b}`"),
                hint: Some(
                    "rename one of the columns, or map the columns with `--layout FILE`".into(),
                ),
                zh: Some(Box::new(zh)),
            });
        }
    }
    Ok(())
}

/// The first few header names, for messages.
fn preview(header: &[&str]) -> String {
    let mut s: Vec<String> = header.iter().take(6).map(|h| format!("`{h}`")).collect();
    if header.len() > 6 {
        s.push(format!("… {} columns", header.len()));
    }
    s.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_compare_without_case_and_punctuation() {
        assert_eq!(normalize("Key Version"), "keyversion");
        assert_eq!(normalize("\u{feff}Student_ID"), "studentid");
        assert_eq!(normalize("准考证号"), "准考证号");
    }

    #[test]
    fn zipgrade_aliases_from_other_importers() {
        let header = [
            "ZipGrade ID",
            "External Id",
            "First Name",
            "Last Name",
            "Answer Key Version",
            "Stu1",
            "Key1",
            "Stu2",
            "Key2",
        ];
        let layout = detect_layout("z.csv", &header, b',').unwrap();
        assert_eq!(layout.name, "zipgrade");
        assert_eq!(layout.candidate, 0);
        assert_eq!(layout.name_cols, [2, 3]);
        assert_eq!(layout.paper, Some(4));
        assert_eq!(
            layout.answers,
            [(ItemRef::Number(1), 5), (ItemRef::Number(2), 7)]
        );
    }

    #[test]
    fn zipgrade_without_a_bubbled_id_uses_the_custom_id() {
        let header = ["QuizName", "CustomID", "Stu1", "PriKey1"];
        assert_eq!(detect_layout("z.csv", &header, b',').unwrap().candidate, 1);
    }

    #[test]
    fn formscanner_groups_counting_from_one_are_numbered_in_column_order() {
        let header = [
            "File name",
            "G1.Question001",
            "G1.Question002",
            "G2.Question001",
        ];
        let layout = detect_layout("f.csv", &header, b';').unwrap();
        assert_eq!(
            layout.answers,
            [
                (ItemRef::Number(1), 1),
                (ItemRef::Number(2), 2),
                (ItemRef::Number(3), 3)
            ]
        );
    }

    #[test]
    fn amc_numeric_question_ids_are_item_numbers() {
        let header = [
            "Exam",
            "A:id",
            "Name",
            "Mark",
            "1",
            "TICKED:1",
            "q2",
            "TICKED:q2",
        ];
        let layout = detect_layout("a.csv", &header, b';').unwrap();
        assert_eq!(layout.candidate, 1);
        assert_eq!(
            layout.answers,
            [(ItemRef::Number(1), 5), (ItemRef::Id("q2".into()), 7)]
        );
        assert!(layout.tokens.none_box);
    }

    #[test]
    fn two_columns_for_one_item_are_refused() {
        let err = detect_layout("d.csv", &["candidate", "1", "01"], b',').unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv:1: item 1 has two answer columns: `1` and `01`"
        );
    }
}

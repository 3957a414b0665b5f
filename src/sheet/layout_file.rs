//! Layout files (`--layout FILE.toml`): the columns of a scanner nobody built in.

use super::error::SheetError;
use super::layout::{
    check_unique_items, detect_layout, digits, normalize, ItemRef, Layout, Tokens,
};
use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Lang, Zh};
use crate::input::toml::TomlDoc;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A parsed layout file; it becomes a [`Layout`] once the CSV header is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutFile {
    /// Where it came from, for messages.
    pub file: String,
    spec: Spec,
    /// The file's language: with the CSV header's, the words of the messages about the two.
    lang: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    name: Option<String>,
    base: Option<String>,
    delimiter: Option<String>,
    #[serde(default)]
    columns: Columns,
    answers: Option<Answers>,
    tokens: Option<TokenSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Columns {
    candidate: Option<Column>,
    name: Option<Columns1>,
    team: Option<Column>,
    paper: Option<Column>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answers {
    pattern: Option<String>,
    columns: Option<String>,
    first: Option<Column>,
    count: Option<usize>,
    start: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenSpec {
    blank: Option<Vec<String>>,
    unreadable: Option<Vec<String>>,
    multi: Option<Vec<String>>,
    separators: Option<Vec<String>>,
    none_box: Option<bool>,
}

/// A column by header name or 1-based number.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Number(usize),
    Name(String),
}

/// One column or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns1(Vec<Column>);

struct ColumnVisitor;

impl<'de> Visitor<'de> for ColumnVisitor {
    type Value = Column;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a header name or a column number from 1")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Column, E> {
        usize::try_from(v)
            .ok()
            .filter(|&n| n >= 1)
            .map(Column::Number)
            .ok_or_else(|| E::custom(format!("column numbers start at 1, not {v}")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Column, E> {
        Ok(Column::Name(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ColumnVisitor)
    }
}

impl<'de> Deserialize<'de> for Columns1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Columns1;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a header name, a column number, or a list of them")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Columns1, E> {
                ColumnVisitor.visit_i64(v).map(|c| Columns1(vec![c]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Columns1, E> {
                Ok(Columns1(vec![Column::Name(v.to_string())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Columns1, A::Error> {
                let mut cols = Vec::new();
                while let Some(c) = seq.next_element::<Column>()? {
                    cols.push(c);
                }
                Ok(Columns1(cols))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses a layout file (TOML) named `name` for messages. The format:
///
/// ```toml
/// # Optional: a name for messages (default: the file's name).
/// name = "school-reader"
/// # Optional: start from a built-in layout (examforge, zipgrade, omrchecker, formscanner,
/// # openmcr, amc) and change only what this file says, e.g. the tokens.
/// base = "omrchecker"
/// # Optional: "," ";" "\t" (or "tab") …; sniffed from the header line when absent.
/// delimiter = ";"
///
/// [columns]                 # a header name (matched ignoring case, spaces and punctuation)
/// candidate = "准考证号"       # or a 1-based column number: candidate = 2
/// name = "姓名"               # or several parts joined with a space: ["First", "Last"]
/// team = "单位"
/// paper = "试卷类型"
///
/// [answers]                 # one of:
/// pattern = "第{n}题"         # header names holding the item number; `{id}` takes any text
/// # columns = "E:AX"        # a spreadsheet range, items numbered from `start`
/// # first = 5               # a first column (number or header name) …
/// # count = 100             # … and how many columns (default: to the last one)
/// # start = 1               # the number of the first item of a range (default 1)
///
/// [tokens]                  # each replaces the built-in list
/// blank = ["BLANK", "no"]
/// unreadable = ["?"]
/// multi = ["*", ">"]
/// separators = [",", "|", ";", "、"]
/// none_box = false          # `0` as AMC's none-of-the-above box
/// ```
///
/// Unknown keys are errors with their line and column.
pub fn parse_layout_file(name: &str, text: &str) -> Result<LayoutFile, SheetError> {
    // Told in Chinese when the file is written in Chinese (its column names).
    let lang = Lang::of_toml(text);
    check_layout_file(name, text, lang).map_err(|e| match e {
        SheetError::LayoutFile(d) => SheetError::LayoutFile(d.in_language(lang)),
        other => other,
    })
}

fn check_layout_file(name: &str, text: &str, lang: Lang) -> Result<LayoutFile, SheetError> {
    let doc = TomlDoc::parse(name, text).map_err(SheetError::LayoutFile)?;
    let spec: Spec = doc.deserialize().map_err(SheetError::LayoutFile)?;
    let mut errors: Vec<Diagnostic> = Vec::new();
    if let Some(d) = &spec.delimiter {
        if delimiter_byte(d).is_none() {
            errors.push(
                doc.error(
                    "delimiter",
                    format!("`delimiter = \"{d}\"` is not a single character"),
                    "use \",\", \";\", \"|\" or \"tab\"",
                )
                .zh(
                    format!("`delimiter = \"{d}\"` 不是单个字符"),
                    "写 \",\"、\";\"、\"|\" 或 \"tab\"",
                ),
            );
        }
    }
    if let Some(b) = &spec.base {
        if !BUILT_IN.contains(&b.as_str()) {
            let (hint, hint_zh) = match did_you_mean(b, BUILT_IN) {
                Some(k) => (
                    format!(
                        "did you mean `{k}`? built-in layouts: {}",
                        BUILT_IN.join(", ")
                    ),
                    format!("是不是 `{k}`？内置格式：{}", BUILT_IN.join("、")),
                ),
                None => (
                    format!("use one of: {}", BUILT_IN.join(", ")),
                    format!("用其中之一：{}", BUILT_IN.join("、")),
                ),
            };
            errors.push(
                doc.error(
                    "base",
                    format!("`base = \"{b}\"` is not a built-in layout"),
                    hint,
                )
                .zh(format!("`base = \"{b}\"` 不是内置的格式"), hint_zh),
            );
        }
    }
    if spec.base.is_none() && (spec.columns.candidate.is_none() || spec.answers.is_none()) {
        let at = if spec.answers.is_none() {
            ""
        } else {
            "columns"
        };
        errors.push(doc.error(
            at,
            "a layout file needs `[columns] candidate` and an `[answers]` table (or a `base` layout)",
            "e.g. `[columns]` `candidate = \"Student ID\"` and `[answers]` `pattern = \"Q{n}\"`",
        ).zh(
            "格式文件要写 `[columns]` 的 candidate（考号列）和 `[answers]` 表（或写 `base` 用内置格式）",
            "如 `[columns]` 下 `candidate = \"准考证号\"`，`[answers]` 下 `pattern = \"第{n}题\"`",
        ));
    }
    if let Some(a) = &spec.answers {
        let ways = [a.pattern.is_some(), a.columns.is_some(), a.first.is_some()];
        if ways.iter().filter(|&&w| w).count() != 1 {
            errors.push(doc.error(
                "answers",
                "`[answers]` needs exactly one of `pattern`, `columns`, `first`",
                "e.g. `pattern = \"Q{n}\"`, `columns = \"E:AX\"`, or `first = 5` with `count = 100`",
            ).zh(
                "`[answers]` 里 `pattern`、`columns`、`first` 要写且只写一个",
                "如 `pattern = \"第{n}题\"`、`columns = \"E:AX\"`，或 `first = 5` 加 `count = 100`",
            ));
        }
        if let Some(range) = &a.columns {
            if parse_range(range).is_none() {
                errors.push(
                    doc.error(
                        "answers.columns",
                        format!("`columns = \"{range}\"` is not a column range"),
                        "write spreadsheet letters like \"E:AX\" or numbers like \"5:50\"",
                    )
                    .zh(
                        format!("`columns = \"{range}\"` 不是列的范围"),
                        "写成表格的列字母如 \"E:AX\"，或列号如 \"5:50\"",
                    ),
                );
            }
        }
        if let Some(p) = &a.pattern {
            if !p.contains("{n}") && !p.contains("{id}") {
                errors.push(
                    doc.error(
                        "answers.pattern",
                        format!("`pattern = \"{p}\"` has no `{{n}}` or `{{id}}`"),
                        "mark where the item number is, e.g. \"Q{n}\" or \"第{n}题\"",
                    )
                    .zh(
                        format!("`pattern = \"{p}\"` 里没有 `{{n}}` 或 `{{id}}`"),
                        "用 {n} 标出题号的位置，如 \"第{n}题\" 或 \"Q{n}\"",
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(SheetError::LayoutFile(Diagnostics::new(name, errors)));
    }
    Ok(LayoutFile {
        file: name.to_string(),
        spec,
        lang,
    })
}

const BUILT_IN: &[&str] = &[
    "examforge",
    "zipgrade",
    "omrchecker",
    "formscanner",
    "openmcr",
    "amc",
];

impl LayoutFile {
    /// The delimiter the file sets, if any.
    pub fn delimiter(&self) -> Option<u8> {
        self.spec.delimiter.as_deref().and_then(delimiter_byte)
    }

    /// Applies the file to the header of `csv_file`.
    pub fn resolve(
        &self,
        csv_file: &str,
        header: &[&str],
        delimiter: u8,
    ) -> Result<Layout, SheetError> {
        let spec = &self.spec;
        let mut layout = match &spec.base {
            Some(base) => {
                let found = detect_layout(csv_file, header, delimiter)?;
                if &found.name != base {
                    return Err(self.column_error(
                        csv_file,
                        header,
                        format!(
                            "the header matches the `{}` layout, not `{base}`",
                            found.name
                        ),
                        None,
                        (
                            format!("表头符合 `{}` 格式，不是 `{base}`", found.name),
                            None,
                        ),
                    ));
                }
                found
            }
            None => Layout {
                name: String::new(),
                delimiter,
                candidate: 0,
                name_cols: Vec::new(),
                team: None,
                paper: None,
                answers: Vec::new(),
                tokens: Tokens::default(),
            },
        };
        layout.name = spec.name.clone().unwrap_or_else(|| self.file.clone());
        layout.delimiter = delimiter;
        let find = |c: &Column| self.find(csv_file, header, c);
        if let Some(c) = &spec.columns.candidate {
            layout.candidate = find(c)?;
        }
        if let Some(cs) = &spec.columns.name {
            layout.name_cols = cs.0.iter().map(find).collect::<Result<_, _>>()?;
        }
        if let Some(c) = &spec.columns.team {
            layout.team = Some(find(c)?);
        }
        if let Some(c) = &spec.columns.paper {
            layout.paper = Some(find(c)?);
        }
        if let Some(a) = &spec.answers {
            layout.answers = self.answers(csv_file, header, a)?;
        }
        if let Some(t) = &spec.tokens {
            let set = |field: &mut Vec<String>, value: &Option<Vec<String>>| {
                if let Some(v) = value {
                    field.clone_from(v);
                }
            };
            set(&mut layout.tokens.blank, &t.blank);
            set(&mut layout.tokens.unreadable, &t.unreadable);
            set(&mut layout.tokens.multi, &t.multi);
            set(&mut layout.tokens.separators, &t.separators);
            if let Some(b) = t.none_box {
                layout.tokens.none_box = b;
            }
        }
        check_unique_items(csv_file, header, &layout)?;
        Ok(layout)
    }

    fn answers(
        &self,
        csv_file: &str,
        header: &[&str],
        a: &Answers,
    ) -> Result<Vec<(ItemRef, usize)>, SheetError> {
        let start = a.start.unwrap_or(1);
        let numbered = |cols: std::ops::Range<usize>| -> Vec<(ItemRef, usize)> {
            cols.enumerate()
                .map(|(k, col)| (ItemRef::Number(start + k as u32), col))
                .collect()
        };
        let range = if let Some(p) = &a.pattern {
            let found: Vec<_> = header
                .iter()
                .enumerate()
                .filter_map(|(i, h)| match_pattern(p, h.trim()).map(|item| (item, i)))
                .collect();
            if found.is_empty() {
                return Err(self.column_error(
                    csv_file,
                    header,
                    format!("no header name matches the answer pattern `{p}`"),
                    Some(format!("the header has: {}", list(header))),
                    (
                        format!("没有哪个列名符合答案的模式 `{p}`"),
                        Some(format!("表头有：{}", list(header))),
                    ),
                ));
            }
            return Ok(found);
        } else if let Some(r) = &a.columns {
            let (from, to) = parse_range(r).unwrap_or((0, 0));
            from..to + 1
        } else {
            let from = a
                .first
                .as_ref()
                .map_or(Ok(0), |c| self.find(csv_file, header, c))?;
            from..a.count.map_or(header.len(), |n| from + n)
        };
        if range.end > header.len() || range.is_empty() {
            return Err(self.column_error(
                csv_file,
                header,
                format!(
                    "the answer columns {}–{} go beyond the {} columns of the header",
                    range.start + 1,
                    range.end,
                    header.len()
                ),
                Some("check `[answers]` against the CSV's header row".into()),
                (
                    format!(
                        "答案列 {}–{} 超出了表头的 {} 列",
                        range.start + 1,
                        range.end,
                        header.len()
                    ),
                    Some("对照 CSV 的表头行检查 `[answers]`".into()),
                ),
            ));
        }
        Ok(numbered(range))
    }

    /// The 0-based index of column `c` in `header`.
    fn find(&self, csv_file: &str, header: &[&str], c: &Column) -> Result<usize, SheetError> {
        match c {
            Column::Number(n) if *n <= header.len() => Ok(n - 1),
            Column::Number(n) => Err(self.column_error(
                csv_file,
                header,
                format!(
                    "column {n} is beyond the {} columns of the header",
                    header.len()
                ),
                None,
                (format!("第 {n} 列超出了表头的 {} 列", header.len()), None),
            )),
            Column::Name(name) => {
                let want = normalize(name);
                header
                    .iter()
                    .position(|h| h.trim() == name)
                    .or_else(|| header.iter().position(|h| normalize(h) == want))
                    .ok_or_else(|| {
                        let near = did_you_mean(name, header);
                        let (near_en, near_zh) = match near {
                            Some(n) => (format!("did you mean `{n}`? "), format!("是不是 `{n}`？")),
                            None => Default::default(),
                        };
                        self.column_error(
                            csv_file,
                            header,
                            format!("column `{name}` is not in the header"),
                            Some(format!("{near_en}the header has: {}", list(header))),
                            (
                                format!("表头里没有 `{name}` 列"),
                                Some(format!("{near_zh}表头有：{}", list(header))),
                            ),
                        )
                    })
            }
        }
    }

    /// The layout does not fit `header`: told in Chinese (`zh`) when the layout file or the
    /// header is Chinese.
    fn column_error(
        &self,
        csv_file: &str,
        header: &[&str],
        message: String,
        hint: Option<String>,
        zh: (String, Option<String>),
    ) -> SheetError {
        let chinese = self.lang == Lang::Zh || Lang::of_text(&header.join(",")) == Lang::Zh;
        SheetError::Column {
            file: csv_file.to_string(),
            message: format!("{message} (layout `{}`)", self.file),
            hint,
            zh: Some(Box::new(Zh {
                message: format!("{}（格式文件 `{}`）", zh.0, self.file),
                hint: zh.1,
                shown: chinese,
            })),
        }
    }
}

/// Matches `Q{n}` / `TICKED:{id}` against a header name, ignoring ASCII case.
fn match_pattern(pattern: &str, name: &str) -> Option<ItemRef> {
    let (hole, any) = if pattern.contains("{n}") {
        ("{n}", false)
    } else {
        ("{id}", true)
    };
    let (pre, post) = pattern.split_once(hole)?;
    let end = name.len().checked_sub(post.len())?;
    let head = name.get(..pre.len())?;
    let tail = name.get(end..)?;
    if !head.eq_ignore_ascii_case(pre) || !tail.eq_ignore_ascii_case(post) {
        return None;
    }
    let middle = name.get(pre.len()..end)?.trim();
    match digits(middle) {
        Some(n) => Some(ItemRef::Number(n)),
        None if any && !middle.is_empty() => Some(ItemRef::Id(middle.to_string())),
        None => None,
    }
}

/// `E:AX` or `5:50` → 0-based inclusive column indices.
fn parse_range(s: &str) -> Option<(usize, usize)> {
    let (a, b) = s.split_once(':')?;
    let (a, b) = (column_index(a.trim())?, column_index(b.trim())?);
    (a <= b).then_some((a, b))
}

/// `A` → 0, `AX` → 49, `5` → 4.
fn column_index(s: &str) -> Option<usize> {
    if let Some(n) = digits(s) {
        return (n as usize).checked_sub(1);
    }
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let n = s.bytes().fold(0usize, |n, b| {
        n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
    });
    Some(n - 1)
}

fn delimiter_byte(d: &str) -> Option<u8> {
    match d {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        _ if d.len() == 1 => Some(d.as_bytes()[0]),
        _ => None,
    }
}

fn list(header: &[&str]) -> String {
    let mut names: Vec<String> = header.iter().take(12).map(|h| format!("`{h}`")).collect();
    if header.len() > 12 {
        names.push("…".into());
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse_layout_file("l.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn spreadsheet_column_ranges() {
        assert_eq!(parse_range("E:AX"), Some((4, 49)));
        assert_eq!(parse_range("a:z"), Some((0, 25)));
        assert_eq!(parse_range("5:50"), Some((4, 49)));
        assert_eq!(parse_range("AX:E"), None);
        assert_eq!(parse_range("E"), None);
    }

    #[test]
    fn patterns_take_numbers_or_ids() {
        assert_eq!(match_pattern("Q{n}", "q12"), Some(ItemRef::Number(12)));
        assert_eq!(match_pattern("第{n}题", "第3题"), Some(ItemRef::Number(3)));
        assert_eq!(match_pattern("Q{n}", "Qx"), None);
        assert_eq!(match_pattern("Q{n}", "Quiz"), None);
        assert_eq!(
            match_pattern("TICKED:{id}", "TICKED:capitals"),
            Some(ItemRef::Id("capitals".into()))
        );
    }

    #[test]
    fn incomplete_or_contradictory_files_are_refused() {
        assert_eq!(
            error("[columns]\ncandidate = \"id\"\n"),
            "l.toml:1:1: a layout file needs `[columns] candidate` and an `[answers]` table (or a `base` layout)"
        );
        assert_eq!(
            error("[columns]\ncandidate = 1\n[answers]\npattern = \"Q{n}\"\ncolumns = \"E:F\"\n"),
            "l.toml:3:1: `[answers]` needs exactly one of `pattern`, `columns`, `first`"
        );
        assert_eq!(
            error("delimiter = \";;\"\n[columns]\ncandidate = 1\n[answers]\nfirst = 2\n"),
            "l.toml:1:13: `delimiter = \";;\"` is not a single character"
        );
        assert_eq!(
            error("base = \"scantron\"\n"),
            "l.toml:1:8: `base = \"scantron\"` is not a built-in layout"
        );
        assert!(error("[columns]\ncandidate = 0\n[answers]\nfirst = 2\n")
            .starts_with("l.toml:2:13: `candidate`: column numbers start at 1, not 0"));
        assert!(
            error("[answers]\npattern = \"Q\"\n[columns]\ncandidate = 1\n")
                .contains("has no `{n}` or `{id}`")
        );
    }

    #[test]
    fn every_error_is_reported_at_its_key() {
        let e = error(
            "delimiter = \"ab\"\n[columns]\ncandidat = \"id\"\ncandidate = 2\n[answers]\npattern = \"Q\"\n[tokens]\nblank = \"-\"\n",
        );
        assert_eq!(
            e,
            "2 errors in `l.toml`:\n  \
             l.toml:3:1: unknown key `candidat` in `[columns]`\n    hint: did you mean `candidate`?\n  \
             l.toml:8:9: `blank`: invalid type: string \"-\", expected a sequence\n    \
             hint: check the value's type: text in double quotes, numbers bare, lists in [ ]"
        );
        let e = error("delimiter = \"ab\"\n[columns]\ncandidate = 2\n[answers]\npattern = \"Q\"\n");
        assert!(
            e.starts_with("2 errors in `l.toml`:\n  l.toml:1:13: `delimiter = \"ab\"`"),
            "{e}"
        );
        assert!(
            e.contains("\n  l.toml:5:11: `pattern = \"Q\"` has no `{n}`"),
            "{e}"
        );
    }

    #[test]
    fn a_base_layout_must_match_the_header() {
        let file = parse_layout_file("l.toml", "base = \"zipgrade\"\n").unwrap();
        let err = file
            .resolve("s.csv", &["candidate", "1"], b',')
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.csv:1: the header matches the `examforge` layout, not `zipgrade` (layout `l.toml`)"
        );
    }

    #[test]
    fn the_documented_example_is_valid() {
        let text = r#"
# Optional: a name for messages (default: the file's name).
name = "school-reader"
# Optional: start from a built-in layout (examforge, zipgrade, omrchecker, formscanner,
# openmcr, amc) and change only what this file says, e.g. the tokens.
base = "omrchecker"
# Optional: "," ";" "\t" (or "tab") …; sniffed from the header line when absent.
delimiter = ";"

[columns]                 # a header name (matched ignoring case, spaces and punctuation)
candidate = "准考证号"       # or a 1-based column number: candidate = 2
name = "姓名"               # or several parts joined with a space: ["First", "Last"]
team = "单位"
paper = "试卷类型"

[answers]                 # one of:
pattern = "第{n}题"         # header names holding the item number; `{id}` takes any text
# columns = "E:AX"        # a spreadsheet range, items numbered from `start`
# first = 5               # a first column (number or header name) …
# count = 100             # … and how many columns (default: to the last one)
# start = 1               # the number of the first item of a range (default 1)

[tokens]                  # each replaces the built-in list
blank = ["BLANK", "no"]
unreadable = ["?"]
multi = ["*", ">"]
separators = [",", "|", ";", "、"]
none_box = false          # `0` as AMC's none-of-the-above box
"#;
        let file = parse_layout_file("school.toml", text).unwrap();
        assert_eq!(file.delimiter(), Some(b';'));
    }
}

//! Reading any TOML file the tool takes (bank, blueprint, layout, rubric, standings, laws) with
//! every problem reported at `file:line:col` with a `hint:`, through one [`Diagnostic`] type.
//!
//! The usual way in, for a file read into a serde type:
//!
//! ```
//! use examforge::input::toml::TomlDoc;
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Rubric { title: String, max: f64 }
//!
//! let text = "title = \"Fire drill\"\nmax = -5\n";
//! let doc = TomlDoc::parse("rubric.toml", text).unwrap();
//! let rubric: Rubric = doc.deserialize().unwrap();
//! // A semantic error found after parsing points at the key's value:
//! if rubric.max <= 0.0 {
//!     let d = doc.error("max", "`max` must be positive", "e.g. `max = 10`");
//!     assert_eq!(d.to_string(), "rubric.toml:2:7: error: `max` must be positive\n  hint: e.g. `max = 10`");
//! }
//! ```
//!
//! - [`TomlDoc::parse`] reports every syntax error, [`TomlDoc::deserialize`] every unknown key and
//!   every value of the wrong type or variant (with "did you mean …?"), not just the first.
//! - [`TomlDoc::error`] / [`TomlDoc::locate`] place an error found later at a key path such as
//!   `"section[2].points"` (indices from 0, as in `enumerate()`); a missing key falls back to the
//!   nearest table that exists.
//! - [`toml_error`] turns a lone `toml::de::Error` into a located [`Diagnostic`] when a caller
//!   parses by other means.
//! - Errors are returned as [`Diagnostics`], which an error enum can hold as a variant and which
//!   prints one error as `file:line:col: message` (with its hint) or several as a list.

use crate::input::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Location};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The most shape errors [`TomlDoc::deserialize`] collects before it stops.
const MAX_ERRORS: usize = 50;

/// A TOML file parsed with the spans of its keys and values, so that any error can be located.
pub struct TomlDoc<'a> {
    file: &'a str,
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

impl<'a> TomlDoc<'a> {
    /// Parses `text` (the file named `file` in messages); every syntax error is reported.
    pub fn parse(file: &'a str, text: &'a str) -> Result<Self, Diagnostics> {
        let (root, errors) = DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            let diags = errors.iter().map(|e| toml_error(file, text, e)).collect();
            return Err(Diagnostics::new(file, diags));
        }
        Ok(TomlDoc { file, text, root })
    }

    /// The file's name as given to [`TomlDoc::parse`].
    pub fn file(&self) -> &str {
        self.file
    }

    /// The parsed tree with spans, for readers that walk it by hand (as the bank loader does).
    pub fn root(&self) -> &Spanned<DeTable<'a>> {
        &self.root
    }

    /// Deserialises the whole file into `T`. Each unknown key and each value of the wrong type is
    /// reported (the entry is set aside and deserialisation tried again, up to 50 errors); an
    /// error that cannot be set aside (a missing key, a bad array element) ends the search, and is
    /// reported when it is the first one found (later ones may only follow from earlier ones).
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        let mut root = self.root.clone();
        let mut diags: Vec<Diagnostic> = Vec::new();
        loop {
            let err = match T::deserialize(toml::de::Deserializer::from(root.clone())) {
                Ok(value) if diags.is_empty() => return Ok(value),
                Ok(_) => break,
                Err(e) => e,
            };
            let Some(span) = err.span() else {
                if diags.is_empty() {
                    diags.push(self.shape_error(&err, None));
                }
                break;
            };
            match set_aside(root.get_mut(), &span, &mut Vec::new(), false) {
                Some(found) => diags.push(self.shape_error(&err, Some(found))),
                None => {
                    if diags.is_empty() {
                        diags.push(self.shape_error(&err, None));
                    }
                    break;
                }
            }
            if diags.len() >= MAX_ERRORS {
                break;
            }
        }
        Err(Diagnostics::new(self.file, diags))
    }

    /// The location of byte `offset`.
    pub fn location(&self, offset: usize) -> Location {
        Location::at(self.file, self.text, offset)
    }

    /// The span of the value at `path` (`"exam.total"`, `"section[1].quota[0].tag"`), if present.
    pub fn span(&self, path: &str) -> Option<Range<usize>> {
        self.find(path).ok().map(|(_, value)| value)
    }

    /// The span of the key at `path`, if present (for array elements: the element).
    pub fn key_span(&self, path: &str) -> Option<Range<usize>> {
        self.find(path).ok().map(|(key, _)| key)
    }

    /// Where the value at `path` is written; when it is absent, the nearest enclosing table
    /// that is (the file's start at worst).
    pub fn locate(&self, path: &str) -> Location {
        let offset = match self.find(path) {
            Ok((_, value)) => value.start,
            Err(parent) => parent.start,
        };
        self.location(offset)
    }

    /// An error at the value of `path` (see [`TomlDoc::locate`]).
    pub fn error(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(Some(self.locate(path)), message).with_hint(hint)
    }

    /// An error at the key of `path` (for "this key does not belong here").
    pub fn key_error(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        let at = match self.find(path) {
            Ok((key, _)) => key.start,
            Err(parent) => parent.start,
        };
        Diagnostic::error(Some(self.location(at)), message).with_hint(hint)
    }

    /// (key span, value span) at `path`, or the span of the deepest table on the way.
    fn find(&self, path: &str) -> Result<(Range<usize>, Range<usize>), Range<usize>> {
        let mut key = self.root.span();
        let mut here: &DeValue = &DeValue::Boolean(false);
        let mut value = self.root.span();
        let mut table = Some(self.root.get_ref());
        for step in parse_path(path) {
            let parent = value.clone();
            match step {
                Step::Key(name) => {
                    let t = table.ok_or(parent.clone())?;
                    let (k, v) = t
                        .iter()
                        .find(|(k, _)| k.get_ref() == name)
                        .ok_or(parent.clone())?;
                    key = k.span();
                    value = v.span();
                    here = v.get_ref();
                }
                Step::Index(i) => {
                    let DeValue::Array(items) = here else {
                        return Err(parent);
                    };
                    let v = items.get(i).ok_or(parent)?;
                    key = v.span();
                    value = v.span();
                    here = v.get_ref();
                }
            }
            table = match here {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        Ok((key, value))
    }

    /// A located diagnostic for an error from serde; `found` is the entry set aside for it.
    fn shape_error(&self, err: &toml::de::Error, found: Option<Found>) -> Diagnostic {
        let message = err.message().trim();
        let at = err.span().map_or(0, |s| s.start);
        let (hint, hint_zh) = shape_hint(message);
        let mut d = Diagnostic::error(Some(self.location(at)), message)
            .with_hint(hint)
            .zh(shape_message_zh(message), hint_zh);
        if let Some(Found { key, place, is_key }) = found {
            if is_key {
                let known = expected_names(message);
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                let (hint, hint_zh) = match did_you_mean(&key, &names) {
                    Some(k) => (format!("did you mean `{k}`?"), format!("是不是 `{k}`？")),
                    None if names.is_empty() => (
                        format!("remove `{key}`; {place} takes no keys"),
                        format!("删去 `{key}`；{place} 里不写键"),
                    ),
                    None => (
                        format!("known keys here: {}", names.join(", ")),
                        format!("这里可用的键：{}", names.join("、")),
                    ),
                };
                d = Diagnostic::error(d.location, format!("unknown key `{key}` in {place}"))
                    .with_hint(hint)
                    .zh(format!("{place} 里没有 `{key}` 这个键"), hint_zh);
            } else {
                let (hint, hint_zh) = shape_hint(message);
                d = Diagnostic::error(d.location, format!("`{key}`: {message}"))
                    .with_hint(hint)
                    .zh(format!("`{key}`：{}", shape_message_zh(message)), hint_zh);
            }
        }
        d
    }
}

/// A located diagnostic for a `toml::de::Error` from any TOML read of `src` (file `file`).
pub fn toml_error(file: &str, src: &str, e: &toml::de::Error) -> Diagnostic {
    let at = e.span().map_or(0, |s| s.start);
    let message = e.message().trim();
    let (hint, hint_zh) = shape_hint(message);
    Diagnostic::error(Some(Location::at(file, src, at)), message)
        .with_hint(hint)
        .zh(shape_message_zh(message), hint_zh)
}

/// A TOML or serde message in Chinese: what is wrong in Chinese words, serde's own words after.
fn shape_message_zh(message: &str) -> String {
    let first = message.split('`').nth(1).unwrap_or("");
    if message.starts_with("missing field") {
        format!("缺少 `{first}`")
    } else if message.starts_with("unknown variant") {
        format!("`{first}` 不是可用的写法")
    } else if message.starts_with("invalid type") {
        format!("值的类型不对（{message}）")
    } else {
        format!("TOML 写法有误（{message}）")
    }
}

/// What to do about a TOML or serde message: "did you mean" for a misspelt key or variant; in
/// English and in Chinese.
fn shape_hint(message: &str) -> (String, String) {
    // serde's messages name the offending word first and the expected ones after "expected".
    let known = expected_names(message);
    let names: Vec<&str> = known.iter().map(String::as_str).collect();
    let first = message.split('`').nth(1).unwrap_or("");
    if message.starts_with("unknown") && !names.is_empty() {
        return match did_you_mean(first, &names) {
            Some(k) => (format!("did you mean `{k}`?"), format!("是不是 `{k}`？")),
            None => (
                format!("use one of: {}", names.join(", ")),
                format!("可用的写法：{}", names.join("、")),
            ),
        };
    }
    if message.starts_with("missing field") {
        return (
            format!("add `{first} = …` here"),
            format!("在这里加上 `{first} = …`"),
        );
    }
    if message.starts_with("invalid type") {
        return (
            "check the value's type: text in double quotes, numbers bare, lists in [ ]".into(),
            "检查值的类型：文字加英文双引号，数字不加引号，列表写在 [ ] 里".into(),
        );
    }
    (
        "fix the TOML at this spot; strings need double quotes and a `key = value` per line".into(),
        "改正这里的 TOML 写法：文字要加英文双引号，每行写一个 `键 = 值`".into(),
    )
}

/// The backquoted names after "expected" in a serde message.
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, tail)) = message.split_once("expected") else {
        return Vec::new();
    };
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The entry set aside for an error: its key, its table as written (`[exam]`, `[[section]]`),
/// and whether the error was about the key itself (unknown) or its value.
struct Found {
    key: String,
    place: String,
    is_key: bool,
}

/// Removes the entry whose key or value has exactly `span` from `table`, searching nested
/// tables and arrays of tables; `path` is the way down so far.
fn set_aside(
    table: &mut DeTable,
    span: &Range<usize>,
    path: &mut Vec<String>,
    in_array: bool,
) -> Option<Found> {
    let mut hit: Option<(String, bool)> = None;
    let mut inner: Option<String> = None;
    for (k, v) in table.iter() {
        // A key (unknown) or a plain value (wrong type or variant) can be set aside; a table
        // or array whose span is the error's misses a key or element, which nothing can mend.
        let leaf = !matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_));
        if k.span() == *span || (leaf && v.span() == *span) {
            hit = Some((k.get_ref().to_string(), k.span() == *span));
            break;
        }
        if contains(v, span) {
            inner = Some(k.get_ref().to_string());
            break;
        }
    }
    if let Some((key, is_key)) = hit {
        table.remove(key.as_str());
        let path = path.join(".");
        let place = match (path.is_empty(), in_array) {
            (true, _) => "the top level".to_string(),
            (false, true) => format!("`[[{path}]]`"),
            (false, false) => format!("`[{path}]`"),
        };
        return Some(Found { key, place, is_key });
    }
    let name = inner?;
    let v = table.get_mut(name.as_str())?;
    path.push(name);
    let found = match v.get_mut() {
        DeValue::Table(t) => set_aside(t, span, path, false),
        DeValue::Array(items) => items.iter_mut().find_map(|item| match item.get_mut() {
            DeValue::Table(t) => set_aside(t, span, path, true),
            _ => None,
        }),
        _ => None,
    };
    path.pop();
    found
}

/// Whether an entry with `span` lies anywhere inside `v`.
fn contains(v: &Spanned<DeValue>, span: &Range<usize>) -> bool {
    match v.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .any(|(k, v)| k.span() == *span || v.span() == *span || contains(v, span)),
        DeValue::Array(items) => items.iter().any(|item| contains(item, span)),
        _ => false,
    }
}

enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `section[2].points` → Key(section), Index(2), Key(points).
fn parse_path(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                steps.push(Step::Key(&rest[..open]));
            }
            rest = &rest[open..];
            while let Some(tail) = rest.strip_prefix('[') {
                let Some((num, after)) = tail.split_once(']') else {
                    break;
                };
                if let Ok(i) = num.trim().parse() {
                    steps.push(Step::Index(i));
                }
                rest = after;
            }
        } else {
            steps.push(Step::Key(rest));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        exam: Exam,
        #[serde(rename = "section")]
        sections: Vec<Section>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Exam {
        title: String,
        #[serde(default)]
        total: Option<f64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "lowercase")]
    #[allow(dead_code)]
    enum Kind {
        Single,
        Judge,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Section {
        kind: Kind,
        count: usize,
    }

    fn errors(text: &str) -> Vec<String> {
        let doc = match TomlDoc::parse("f.toml", text) {
            Ok(doc) => doc,
            Err(e) => return e.iter().map(ToString::to_string).collect(),
        };
        match doc.deserialize::<Doc>() {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn every_unknown_key_and_bad_value_is_located_with_a_hint() {
        let text = "[exam]\ntitel = \"t\"\ntitle = \"t\"\n\n[[section]]\nkind = \"single\"\ncount = 2\n\n[[section]]\nkind = \"singel\"\ncuont = 5\ncount = \"many\"\n";
        let e = errors(text);
        assert_eq!(e.len(), 4, "{e:#?}");
        assert_eq!(
            e[0],
            "f.toml:2:1: error: unknown key `titel` in `[exam]`\n  hint: did you mean `title`?"
        );
        assert!(
            e[1].starts_with("f.toml:10:8: error: `kind`: unknown variant `singel`"),
            "{}",
            e[1]
        );
        assert!(e[1].ends_with("hint: did you mean `single`?"), "{}", e[1]);
        assert_eq!(
            e[2],
            "f.toml:11:1: error: unknown key `cuont` in `[[section]]`\n  hint: did you mean `count`?"
        );
        assert!(
            e[3].starts_with("f.toml:12:9: error: `count`: invalid type"),
            "{}",
            e[3]
        );
    }

    #[test]
    fn a_missing_key_is_reported_when_it_is_the_only_error() {
        let e = errors("[exam]\ntitle = \"t\"\n\n[[section]]\nkind = \"judge\"\n");
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(e[0].contains("missing field `count`"), "{}", e[0]);
        assert!(e[0].contains("hint: add `count = …` here"), "{}", e[0]);
    }

    #[test]
    fn syntax_errors_are_all_reported() {
        let e = errors("[exam]\ntitle = \"t\n\n[[section]]\nkind = single\n");
        assert!(e.len() >= 2, "{e:#?}");
        assert!(e[0].starts_with("f.toml:2:"), "{}", e[0]);
        assert!(e.iter().any(|l| l.starts_with("f.toml:5:")), "{e:#?}");
    }

    #[test]
    fn paths_locate_values_and_fall_back_to_their_table() {
        let text = "[exam]\ntitle = \"t\"\n\n[[section]]\nkind = \"judge\"\ncount = 1\n\n[[section]]\nkind = \"single\"\ncount = 3\n";
        let doc = TomlDoc::parse("f.toml", text).unwrap();
        assert_eq!(doc.locate("section[1].count").to_string(), "f.toml:10:9");
        assert_eq!(doc.locate("exam.title").to_string(), "f.toml:2:9");
        // Absent: the enclosing table.
        assert_eq!(doc.locate("exam.total").line, 1);
        assert_eq!(doc.locate("section[1].quota[0]").to_string(), "f.toml:8:1");
        let key = doc.key_span("section[0].kind").unwrap();
        assert_eq!(&text[key], "kind");
        let d = doc.error("section[1].count", "too many", "fewer");
        assert_eq!(d.to_string(), "f.toml:10:9: error: too many\n  hint: fewer");
    }
}

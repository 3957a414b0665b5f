//! Located messages about user input: `file:line:col: error: …` with a `hint:`.

use std::fmt;

/// A place in a user's file; `line` and `col` are 1-based, `col` counts characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl Location {
    /// The location of byte `offset` within `src`.
    pub fn at(file: &str, src: &str, offset: usize) -> Self {
        let (line, col) = line_col(src, offset);
        Location {
            file: file.to_string(),
            line,
            col,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// 1-based line and character column of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut start = offset;
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let before = &src[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Prints diagnostics on stderr, one per line (with its hint), through one buffer: a bank of
/// 10⁵ questions may have as many warnings, and unbuffered they cost a write per piece.
pub fn eprint_all<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) {
    use std::io::Write;
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diags {
        // A file staged by the run being made is named where the user will find it.
        let shown = match &d.location {
            Some(l) if l.file.contains(crate::io::output::STAGING) => {
                crate::io::output::shown_in(&d.to_string())
            }
            _ => d.to_string(),
        };
        // As eprintln!, a closed stderr is not an error of the run.
        if writeln!(err, "{shown}").is_err() {
            return;
        }
    }
    let _ = err.flush();
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in user input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{word}: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("severity", &self.severity)?;
        if let Some(loc) = &self.location {
            m.serialize_entry("file", &loc.file)?;
            m.serialize_entry("line", &loc.line)?;
            m.serialize_entry("col", &loc.col)?;
        }
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("hint", &self.hint)?;
        m.end()
    }
}

/// The errors found in one input file, as one value an error enum can carry
/// (`#[error("{0}")] Toml(Diagnostics)`).
///
/// Displayed as `file:line:col: message` when there is one (its hint from [`Diagnostics::hint`]),
/// or as `N errors in `file`:` followed by each located error and its hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The diagnostics found in `file`.
    pub fn new(file: impl Into<String>, list: Vec<Diagnostic>) -> Self {
        Diagnostics {
            file: file.into(),
            list,
        }
    }

    /// The file they were found in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Each diagnostic, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.list.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The diagnostics themselves.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }

    /// The hint of a lone diagnostic (several print their hints in the list).
    pub fn hint(&self) -> Option<String> {
        match self.list.as_slice() {
            [one] => one.hint.clone(),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [one] = self.list.as_slice() {
            if let Some(loc) = &one.location {
                write!(f, "{loc}: ")?;
            }
            return write!(f, "{}", one.message);
        }
        write!(f, "{} errors in `{}`:", self.list.len(), self.file)?;
        for d in &self.list {
            write!(f, "\n  ")?;
            if let Some(loc) = &d.location {
                write!(f, "{loc}: ")?;
            }
            write!(f, "{}", d.message)?;
            if let Some(h) = &d.hint {
                write!(f, "\n    hint: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// "did you mean …?" for a misspelt name among `known`.
pub fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "a = 1\n题 = \"x\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        let off = src.find('=').unwrap();
        assert_eq!(line_col(src, off), (1, 3));
        let off = src.rfind('=').unwrap();
        assert_eq!(line_col(src, off), (2, 3));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("stme", &["stem", "options"]), Some("stem"));
        assert_eq!(did_you_mean("zzzzzz", &["stem"]), None);
    }
}

//! TOML errors as located diagnostics (`file:line:col` with a hint).

use crate::diagnostic::{Diagnostic, Location};
use std::ops::Range;

/// A syntax or shape error from the toml crate, at its span.
pub(crate) fn syntax(file: &str, src: &str, e: &toml::de::Error, keys_hint: &str) -> Diagnostic {
    let at = e.span().map_or(0, |s| s.start);
    let message = e.message().trim().to_string();
    let hint = if message.starts_with("unknown field") || message.starts_with("missing field") {
        keys_hint.to_string()
    } else if message.starts_with("unknown variant") {
        "use one of the values the message lists".to_string()
    } else {
        "strings need double quotes; numbers are plain (8 or 7.5)".to_string()
    };
    Diagnostic::error(Some(Location::at(file, src, at)), message).with_hint(hint)
}

/// An error at a span of the file.
pub(crate) fn at(
    file: &str,
    src: &str,
    span: Range<usize>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(Some(Location::at(file, src, span.start)), message).with_hint(hint)
}

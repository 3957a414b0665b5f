//! Escaping for Typst: bank and roster text always prints literally.

/// `text` as a Typst string literal placed in markup (`#"…";`), which prints every character as
/// written. The `;` ends the expression, so text that follows (`[`, `(`, `.x`) stays text.
pub fn typst_literal(text: &str) -> String {
    format!("#{};", typst_string(text))
}

/// `text` as a Typst string expression (`"…"`), for code: file names, font families.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hostile_text_stays_a_string() {
        assert_eq!(
            typst_literal("#read(\"/etc/passwd\")"),
            "#\"#read(\\\"/etc/passwd\\\")\";"
        );
        assert_eq!(typst_literal("$x$ *y* [z] // c"), "#\"$x$ *y* [z] // c\";");
        assert_eq!(typst_literal("a\\\"b"), "#\"a\\\\\\\"b\";");
    }

    proptest! {
        /// Whatever the text, the literal has no unescaped quote inside, so it cannot end early.
        #[test]
        fn literal_never_ends_early(s in ".*") {
            let lit = typst_literal(&s);
            let inner = &lit[2..lit.len() - 2];
            let mut escaped = false;
            for c in inner.chars() {
                if escaped { escaped = false; continue; }
                if c == '\\' { escaped = true; continue; }
                prop_assert_ne!(c, '"');
                prop_assert_ne!(c, '\n');
            }
            prop_assert!(!escaped);
        }
    }
}

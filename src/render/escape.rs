//! Escaping for Typst and HTML: bank and roster text always prints literally, powers raised.

/// A piece of printed text: as written, or a power's exponent, raised.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Plain(String),
    Raised(&'a str),
}

/// `text` cut where it writes a power the plain-text way, `10^23`, `10^-6`, `m^{3}`: the
/// exponent after a `^` that follows what it raises; any other `^` stays in the text. The one
/// reading of powers for every format a paper prints in (Typst, HTML).
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('^') {
        let after = &rest[at + 1..];
        // a power follows what it raises: a caret at the start or after a space is text
        let before = rest[..at].chars().last().or_else(|| plain.chars().last());
        let power = superscript(after).filter(|_| before.is_some_and(|c| !c.is_whitespace()));
        match power {
            Some((sup, used)) => {
                plain.push_str(&rest[..at]);
                if !plain.is_empty() {
                    out.push(Piece::Plain(std::mem::take(&mut plain)));
                }
                out.push(Piece::Raised(sup));
                rest = &after[used..];
            }
            _ => {
                plain.push_str(&rest[..=at]);
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push(Piece::Plain(plain));
    }
    out
}

/// `text` as a Typst string literal placed in markup (`#"…";`), which prints every character as
/// written. The `;` ends the expression, so text that follows (`[`, `(`, `.x`) stays text.
/// A power written the plain-text way, `10^23`, `10^-6`, `m^{3}`, prints as a superscript
/// (its text still a string literal); any other `^` prints as written.
pub fn typst_literal(text: &str) -> String {
    let mut out = String::new();
    for p in pieces(text) {
        match p {
            Piece::Plain(t) => out.push_str(&format!("#{};", typst_string(&t))),
            Piece::Raised(t) => out.push_str(&format!("#super[#{};]", typst_string(t))),
        }
    }
    if out.is_empty() {
        out.push_str("#\"\";");
    }
    out
}

/// `text` as HTML text: every character escaped, and a power written the plain-text way
/// (`10^23`) in `<sup>`, as the PDF prints it.
pub fn html_text(text: &str) -> String {
    let mut out = String::new();
    for p in pieces(text) {
        match p {
            Piece::Plain(t) => out.push_str(&minijinja::HtmlEscape(&t).to_string()),
            Piece::Raised(t) => out.push_str(&format!("<sup>{}</sup>", minijinja::HtmlEscape(t))),
        }
    }
    out
}

/// The exponent at the start of `s` (after a `^`): `{…}` without braces inside, or an optional
/// sign and digits; with the bytes it takes.
fn superscript(s: &str) -> Option<(&str, usize)> {
    if let Some(inner) = s.strip_prefix('{') {
        let end = inner.find('}')?;
        let sup = &inner[..end];
        return (!sup.is_empty() && !sup.contains('{')).then_some((sup, end + 2));
    }
    let sign = s
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '+' | '−'))
        .map_or(0, char::len_utf8);
    let digits = s[sign..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(s.len() - sign);
    (digits > 0).then(|| (&s[..sign + digits], sign + digits))
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
    fn html_text_is_escaped_with_powers_raised() {
        assert_eq!(
            html_text("6.02×10^23 mol^-1 <b>&</b> m^{3}"),
            "6.02×10<sup>23</sup> mol<sup>-1</sup> &lt;b&gt;&amp;&lt;&#x2f;b&gt; m<sup>3</sup>"
        );
        assert_eq!(html_text("a^b ^2 x^{<i>}"), "a^b ^2 x<sup>&lt;i&gt;</sup>");
        assert_eq!(html_text(""), "");
    }

    #[test]
    fn hostile_text_stays_a_string() {
        assert_eq!(
            typst_literal("#read(\"/etc/passwd\")"),
            "#\"#read(\\\"/etc/passwd\\\")\";"
        );
        assert_eq!(typst_literal("$x$ *y* [z] // c"), "#\"$x$ *y* [z] // c\";");
        assert_eq!(typst_literal("a\\\"b"), "#\"a\\\\\\\"b\";");
    }

    #[test]
    fn powers_print_as_superscripts_and_other_carets_as_written() {
        assert_eq!(
            typst_literal("6.02×10^23 mol^-1"),
            "#\"6.02×10\";#super[#\"23\";]#\" mol\";#super[#\"-1\";]"
        );
        assert_eq!(typst_literal("m^{3}"), "#\"m\";#super[#\"3\";]");
        // nothing to raise, or nothing before the caret: printed as written
        assert_eq!(typst_literal("a^b ^2"), "#\"a^b ^2\";");
        assert_eq!(typst_literal("^2"), "#\"^2\";");
        assert_eq!(typst_literal(""), "#\"\";");
        // the exponent stays a string: markup in it prints literally
        assert_eq!(typst_literal("x^{#f}"), "#\"x\";#super[#\"#f\";]");
    }

    proptest! {
        /// Whatever the text, the literal has no unescaped quote inside, so it cannot end early.
        #[test]
        fn literal_never_ends_early(s in "[^^]*") {
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

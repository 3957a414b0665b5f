//! Moodle GIFT text: multiple choice, multiple response with weights, true/false, short answer →
//! fill, numerical → fill, essay → short; `$CATEGORY:` and `// [tag:…]` → tags, `// [id:…]` → id.
//! Type detection follows Moodle's `qformat_gift::readquestion`.

use super::normalise::{Draft, DraftAnswer, Field};
use super::{apply_meta_tags, markup_to_text, slug};
use crate::bank::Answer;
use crate::input::diagnostic::{Diagnostic, Location};

/// Placeholders for GIFT's escaped characters while the block is split.
const ESCAPES: [(char, char); 6] = [
    (':', '\u{E000}'),
    ('~', '\u{E001}'),
    ('=', '\u{E002}'),
    ('#', '\u{E003}'),
    ('{', '\u{E004}'),
    ('}', '\u{E005}'),
];

fn protect(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if let Some((_, p)) = ESCAPES.iter().find(|(e, _)| *e == n) {
                    out.push(*p);
                    chars.next();
                    continue;
                }
                if n == 'n' {
                    out.push('\n');
                    chars.next();
                    continue;
                }
                if n == '\\' {
                    out.push('\\');
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

fn restore(s: &str) -> String {
    s.chars()
        .map(|c| ESCAPES.iter().find(|(_, p)| *p == c).map_or(c, |(e, _)| *e))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Whether `text` holds an answer block that is closed.
fn closed(text: &str) -> bool {
    let p = protect(text);
    p.find('{').is_some_and(|o| p[o..].contains('}'))
}

struct Block {
    line: usize,
    text: String,
    comment: String,
}

/// Reads GIFT text into drafts.
pub fn drafts(file: &str, text: &str, id_base: &str, diags: &mut Vec<Diagnostic>) -> Vec<Draft> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut blocks: Vec<Block> = Vec::new();
    let mut cur: Option<Block> = None;
    let mut comment = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            blocks.extend(cur.take());
            continue;
        }
        if t.starts_with("//") {
            if cur.is_none() {
                comment.push_str(t);
                comment.push('\n');
            }
            continue;
        }
        // A `::name::` line after a finished answer block starts the next question even without
        // the blank line GIFT asks for.
        if t.starts_with("::") && cur.as_ref().is_some_and(|b| closed(&b.text)) {
            blocks.extend(cur.take());
        }
        match cur.as_mut() {
            Some(b) => {
                b.text.push('\n');
                b.text.push_str(line);
            }
            None => {
                cur = Some(Block {
                    line: i + 1,
                    text: line.to_string(),
                    comment: std::mem::take(&mut comment),
                })
            }
        }
    }
    blocks.extend(cur);

    let mut category: Option<String> = None;
    let mut out = Vec::new();
    for (n, b) in blocks.iter().enumerate() {
        let loc = Location {
            file: file.to_string(),
            line: b.line,
            col: 1,
        };
        if let Some(rest) = b.text.trim().strip_prefix("$CATEGORY:") {
            category = Some(category_tag(rest.trim()));
            continue;
        }
        if let Some(d) = question(b, &loc, n + 1, id_base, category.as_deref(), diags) {
            out.push(d);
        }
    }
    out
}

/// `$course$/top/计算机网络/传输层` → `计算机网络/传输层`.
pub fn category_tag(path: &str) -> String {
    let p = path.trim();
    let p = p
        .strip_prefix("$course$/")
        .or_else(|| p.strip_prefix("$system$/"))
        .or_else(|| p.strip_prefix("$module$/"))
        .unwrap_or(p);
    let p = p.strip_prefix("top/").unwrap_or(p);
    if p == "top" {
        String::new()
    } else {
        p.to_string()
    }
}

/// `[id:…]` and `[tag:…]` tokens of the comment lines above a question (`\]` escapes `]`).
fn comment_meta(comment: &str) -> (Option<String>, Vec<String>) {
    let mut id = None;
    let mut tags = Vec::new();
    let mut rest = comment;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let (key, body) = if let Some(b) = after.strip_prefix("id:") {
            ("id", b)
        } else if let Some(b) = after.strip_prefix("tag:") {
            ("tag", b)
        } else {
            rest = after;
            continue;
        };
        let mut value = String::new();
        let mut chars = body.char_indices();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if body[i + 1..].starts_with(']') => {
                    value.push(']');
                    chars.next();
                }
                ']' => {
                    end = i + 1;
                    break;
                }
                _ => value.push(c),
            }
        }
        if key == "id" {
            id.get_or_insert(value.trim().to_string());
        } else {
            tags.push(value.trim().to_string());
        }
        rest = &body[end.min(body.len())..];
    }
    (id, tags)
}

struct Choice {
    right: bool,
    weight: Option<f64>,
    text: String,
    feedback: String,
}

/// Splits an answer block at top-level `=` and `~`.
fn choices(block: &str) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut cur: Option<(bool, String)> = None;
    for c in block.chars() {
        if c == '=' || c == '~' {
            if let Some((right, text)) = cur.take() {
                out.push(choice(right, &text));
            }
            cur = Some((c == '=', String::new()));
        } else if let Some((_, text)) = cur.as_mut() {
            text.push(c);
        }
    }
    if let Some((right, text)) = cur {
        out.push(choice(right, &text));
    }
    out
}

fn choice(right: bool, raw: &str) -> Choice {
    let t = raw.trim();
    let (weight, t) = match t.strip_prefix('%').and_then(|r| r.split_once('%')) {
        Some((w, rest)) => (w.trim().parse::<f64>().ok(), rest),
        None => (None, t),
    };
    let (text, feedback) = t.split_once('#').unwrap_or((t, ""));
    Choice {
        right,
        weight,
        text: restore(text),
        feedback: restore(feedback),
    }
}

fn question(
    b: &Block,
    loc: &Location,
    ordinal: usize,
    id_base: &str,
    category: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Draft> {
    let text = protect(&b.text);
    let (name, rest) = match text.trim_start().strip_prefix("::") {
        Some(r) => match r.split_once("::") {
            Some((n, rest)) => (Some(restore(n)), rest.to_string()),
            None => (None, text.clone()),
        },
        None => (None, text.clone()),
    };
    let (meta_id, mut meta_tags) = comment_meta(&b.comment);
    if let Some(c) = category.filter(|c| !c.is_empty()) {
        meta_tags.insert(0, c.to_string());
    }
    let id = meta_id.unwrap_or_else(|| match &name {
        Some(n) => format!("{id_base}-{}", slug(n)),
        None => format!("{id_base}-{ordinal:03}"),
    });
    let mut d = Draft::new(id, loc.clone());
    apply_meta_tags(&mut d, &meta_tags);
    let rest = rest.trim_start();
    let (format, rest) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((f @ ("html" | "moodle" | "plain" | "markdown"), r)) => (f, r),
        _ => ("moodle", rest),
    };
    let Some(open) = rest.find('{') else {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                "a description (text without an answer block) is not a question; not imported",
            )
            .with_hint("add an answer block {…} if it is a question"),
        );
        return None;
    };
    let close = rest[open..].find('}').map(|i| open + i);
    let Some(close) = close else {
        diags.push(
            Diagnostic::error(Some(loc.clone()), "the answer block `{` is not closed")
                .with_hint("end the answers with `}`; write \\} for a literal brace"),
        );
        return None;
    };
    let brace_at = text.len() - rest.len() + open;
    let brace_line = b.line + text[..brace_at].matches('\n').count();
    let aloc = Location {
        file: loc.file.clone(),
        line: brace_line,
        col: 1,
    };
    let before = &rest[..open];
    let after = &rest[close + 1..];
    let mut answer = rest[open + 1..close].trim().to_string();
    let mut general = String::new();
    if let Some((a, g)) = answer.split_once("####") {
        general = restore(g);
        answer = a.trim().to_string();
    }
    let stem_plain = |with_blank: bool| {
        let s = if with_blank || !after.trim().is_empty() {
            format!("{}___{}", before.trim_end_matches(['\n', '\r']), after)
        } else {
            before.to_string()
        };
        restore(&s)
    };
    let mut stem_of = |s: String, d: &mut Draft| {
        let text = if matches!(format, "html" | "markdown") {
            let t = markup_to_text(&s);
            if t != s {
                diags.push(
                    Diagnostic::warning(
                        Some(loc.clone()),
                        format!("[{format}] markup is stripped to plain text"),
                    )
                    .with_hint("examforge prints question text literally; check the imported stem"),
                );
            }
            t
        } else {
            s
        };
        d.stem = Field::new(text, loc.clone());
    };
    d.explanation = general.clone();
    let head = answer.split('#').next().unwrap_or("").trim();
    if answer.is_empty() {
        stem_of(stem_plain(false), &mut d);
        d.kind = Some(crate::bank::Kind::Short);
        let (reference, rubric, explanation) = super::split_reference(&general);
        d.explanation = explanation;
        d.answer = DraftAnswer::Ready(Answer::Text { reference, rubric });
    } else if let Some(num) = answer.strip_prefix('#') {
        stem_of(stem_plain(true), &mut d);
        d.kind = Some(crate::bank::Kind::Fill);
        let values: Vec<String> = if num.contains('=') {
            choices(num)
                .into_iter()
                .filter(|c| c.right && c.weight.is_none_or(|w| w >= 100.0))
                .map(|c| c.text)
                .collect()
        } else {
            vec![restore(num.split('#').next().unwrap_or(""))]
        };
        let values: Vec<String> = values
            .into_iter()
            .map(|v| {
                let (value, tol) = v.split_once(':').unwrap_or((&v, "0"));
                if tol.trim().parse::<f64>() != Ok(0.0) || value.contains("..") {
                    diags.push(
                        Diagnostic::warning(
                            Some(aloc.clone()),
                            format!("numerical answer `{v}`: its tolerance or range is not kept; fill-in answers match as text"),
                        )
                        .with_hint("list the accepted spellings as alternatives in the bank"),
                    );
                }
                value.trim().to_string()
            })
            .collect();
        d.answer = DraftAnswer::Raw(Field::new(values.join(";"), aloc.clone()));
    } else if answer.contains('~') {
        stem_of(stem_plain(false), &mut d);
        let cs = choices(&answer);
        let single = answer.contains('=');
        d.kind = Some(if single {
            crate::bank::Kind::Single
        } else {
            crate::bank::Kind::Multiple
        });
        let right: Vec<bool> = cs
            .iter()
            .map(|c| {
                if single {
                    c.right && c.weight.is_none_or(|w| w >= 100.0)
                } else {
                    c.weight.is_some_and(|w| w > 0.0)
                }
            })
            .collect();
        let k = right.iter().filter(|r| **r).count();
        if single
            && cs
                .iter()
                .any(|c| c.weight.is_some_and(|w| w > 0.0 && w < 100.0))
        {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "partial-credit answers of a single-answer question are imported as wrong options")
                    .with_hint("examforge scores partial credit through the section's rule, not per option"),
            );
        }
        if !single
            && k > 0
            && cs
                .iter()
                .filter(|c| c.weight.is_some_and(|w| w > 0.0))
                .any(|c| (c.weight.unwrap_or(0.0) - 100.0 / k as f64).abs() > 0.01)
        {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "unequal answer weights are not kept; the options with a positive weight are the right ones")
                    .with_hint("choose the section's scoring rule (partial-half, per-option, fraction) in the blueprint"),
            );
        }
        if cs.iter().any(|c| !c.feedback.is_empty()) {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "per-answer feedback is not kept")
                    .with_hint("put what matters into the question's explanation"),
            );
        }
        d.options = cs
            .iter()
            .map(|c| Field::new(c.text.clone(), aloc.clone()))
            .collect();
        let letters: String = right
            .iter()
            .enumerate()
            .filter(|(_, r)| **r)
            .map(|(i, _)| crate::bank::letter(i))
            .collect();
        d.answer = DraftAnswer::Raw(Field::new(letters, aloc.clone()));
    } else if answer.contains('=') && answer.contains("->") {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                "a matching question has no examforge kind; not imported",
            )
            .with_hint("rewrite it as single or multiple choice questions"),
        );
        return None;
    } else if matches!(head.to_uppercase().as_str(), "T" | "TRUE" | "F" | "FALSE") {
        stem_of(stem_plain(false), &mut d);
        d.kind = Some(crate::bank::Kind::Judge);
        d.answer = DraftAnswer::Ready(Answer::Judge(head.to_uppercase().starts_with('T')));
        if answer.split('#').skip(1).any(|f| !restore(f).is_empty()) {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "true/false feedback is not kept")
                    .with_hint("put what matters into the question's explanation (####…)"),
            );
        }
    } else {
        stem_of(stem_plain(true), &mut d);
        d.kind = Some(crate::bank::Kind::Fill);
        let cs = choices(&answer);
        let (full, partial): (Vec<&Choice>, Vec<&Choice>) =
            cs.iter().partition(|c| c.weight.is_none_or(|w| w >= 100.0));
        if !partial.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Some(aloc.clone()),
                    format!(
                        "answers with partial credit are not kept: {}",
                        partial
                            .iter()
                            .map(|c| c.text.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with_hint("a fill-in blank accepts its alternatives for full points"),
            );
        }
        let alts: Vec<String> = full.iter().map(|c| c.text.clone()).collect();
        d.answer = DraftAnswer::Raw(Field::new(alts.join(";"), aloc.clone()));
    }
    Some(d)
}

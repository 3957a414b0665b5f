//! Pasted 题库 text (a Word document copied as text): numbered or 【单选题】-marked questions,
//! options on their own lines or inline, `答案：`/`解析：`/`难度：`/`出处：` labels (on their own
//! lines or inline), and section headings such as 一、单项选择题 that set the kind.

use super::normalise::{parse_kind, Draft, DraftAnswer, Field};
use crate::input::diagnostic::{Diagnostic, Location};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Stem,
    Option,
    Explanation,
    Other,
}

/// Labels that start a field, longest first so that 正确答案 wins over 答案.
const LABELS: &[&str] = &[
    "正确答案",
    "参考答案",
    "标准答案",
    "答案解析",
    "答案",
    "解析",
    "难度",
    "分值",
    "分数",
    "出处",
    "依据",
    "知识点",
    "标签",
];

/// Reads pasted text into drafts; ids are `{id_base}-001`, … in order.
pub fn drafts(file: &str, text: &str, id_base: &str, diags: &mut Vec<Diagnostic>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    let mut cur: Option<Draft> = None;
    let mut mode = Mode::Stem;
    let mut section: Option<Field> = None;
    let mut n = 0usize;
    let loc = |line: usize, col: usize| Location {
        file: file.to_string(),
        line,
        col,
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.is_empty() {
            if cur
                .as_ref()
                .is_some_and(|d| !matches!(d.answer, DraftAnswer::Missing))
            {
                out.extend(cur.take());
            }
            continue;
        }
        let lead = raw.chars().count() - raw.trim_start().chars().count();
        if let Some(name) = heading(trimmed) {
            out.extend(cur.take());
            section = Some(Field::new(name, loc(line, lead + 1)));
            continue;
        }
        for (col, seg) in segments(trimmed) {
            let col = lead + col;
            if let Some((label, value, vcol)) = labelled(seg) {
                let Some(d) = cur.as_mut() else {
                    diags.push(
                        Diagnostic::warning(
                            Some(loc(line, col)),
                            format!("`{label}` before any question is not read"),
                        )
                        .with_hint("start each question with its number (1.) or 【单选题】")
                        .zh(
                            format!("`{label}` 在第一道题之前，不读入"),
                            "每道题以题号（1.）或【单选题】开头",
                        ),
                    );
                    continue;
                };
                let f = Field::new(value, loc(line, col + vcol));
                mode = Mode::Other;
                match label {
                    "正确答案" | "参考答案" | "标准答案" | "答案" => {
                        d.answer = DraftAnswer::Raw(f)
                    }
                    "答案解析" | "解析" => {
                        d.explanation = f.text;
                        mode = Mode::Explanation;
                    }
                    "难度" => d.difficulty = Some(f),
                    "分值" | "分数" => d.points = Some(f),
                    "出处" | "依据" => d.source = f.text,
                    _ => d.tags.extend(
                        f.text
                            .split([';', '；', ',', '，'])
                            .map(|t| t.trim().to_string()),
                    ),
                }
                continue;
            }
            if let Some((kind, stem, scol)) = start(seg) {
                out.extend(cur.take());
                n += 1;
                let mut d = Draft::new(format!("{id_base}-{n:03}"), loc(line, col));
                d.kind_name = kind
                    .map(|k| Field::new(k, loc(line, col + 1)))
                    .or_else(|| section.clone());
                let (stem, opts) = split_options(&stem, b'A');
                d.stem = Field::new(stem, loc(line, col + scol));
                for (o, ocol) in opts {
                    d.options.push(Field::new(o, loc(line, col + scol + ocol)));
                }
                mode = if d.options.is_empty() {
                    Mode::Stem
                } else {
                    Mode::Option
                };
                cur = Some(d);
                continue;
            }
            let next = cur
                .as_ref()
                .map_or(b'A', |d| b'A' + d.options.len().min(25) as u8);
            let (before, opts) = split_options(seg, next);
            match cur.as_mut() {
                None => {
                    // An unnumbered first question: the line is its stem.
                    n += 1;
                    let mut d = Draft::new(format!("{id_base}-{n:03}"), loc(line, col));
                    d.kind_name = section.clone();
                    d.stem = Field::new(before, loc(line, col));
                    for (o, ocol) in opts {
                        d.options.push(Field::new(o, loc(line, col + ocol)));
                    }
                    cur = Some(d);
                    mode = Mode::Stem;
                }
                Some(d) if !opts.is_empty() && before.is_empty() => {
                    for (o, ocol) in opts {
                        d.options.push(Field::new(o, loc(line, col + ocol)));
                    }
                    mode = Mode::Option;
                }
                Some(d) => match mode {
                    Mode::Stem => {
                        d.stem.text.push('\n');
                        d.stem.text.push_str(seg);
                    }
                    Mode::Explanation => {
                        d.explanation.push('\n');
                        d.explanation.push_str(seg);
                    }
                    Mode::Option => {
                        if let Some(o) = d.options.last_mut() {
                            o.text.push(' ');
                            o.text.push_str(seg);
                        }
                    }
                    Mode::Other => diags.push(
                        Diagnostic::warning(
                            Some(loc(line, col)),
                            format!("line `{seg}` is not read"),
                        )
                        .with_hint("put it before the 答案 line, or after 解析：")
                        .zh(
                            format!("这一行 `{seg}` 不读入"),
                            "把它放在 答案 行之前，或 解析： 之后",
                        ),
                    ),
                },
            }
        }
    }
    out.extend(cur);
    out
}

/// A section heading (一、单项选择题（每题1分）, ===<<<单选题>>>===) → its kind name.
fn heading(t: &str) -> Option<String> {
    let inner = t
        .strip_prefix("===<<<")
        .and_then(|r| r.strip_suffix(">>>==="))
        .map(str::to_string)
        .or_else(|| {
            let rest = t.trim_start_matches(|c: char| "一二三四五六七八九十".contains(c));
            (rest.len() < t.len())
                .then(|| rest.strip_prefix(['、', '.', '．']))
                .flatten()
                .map(|r| r.split(['（', '(']).next().unwrap_or("").trim().to_string())
        })?;
    parse_kind(&inner).map(|_| inner)
}

/// A question's first line: `1.`/`1、`/`(1)`/`（1）` or `【单选题】` → (kind name, stem, stem col).
fn start(t: &str) -> Option<(Option<String>, String, usize)> {
    if let Some(rest) = t.strip_prefix('【') {
        let (name, stem) = rest.split_once('】')?;
        parse_kind(name)?;
        let col = t.chars().count() - stem.chars().count();
        return Some((Some(name.to_string()), stem.trim().to_string(), col + 1));
    }
    let (digits, rest) = if let Some(r) = t.strip_prefix(['(', '（']) {
        let end = r.find([')', '）'])?;
        let close = r[end..].chars().next()?.len_utf8();
        (&r[..end], &r[end + close..])
    } else {
        let end = t.find(|c: char| !c.is_ascii_digit())?;
        let rest = t[end..].strip_prefix(['.', '、', '．', ')', '）'])?;
        (&t[..end], rest)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // "1.5 元" is not a question number.
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let col = t.chars().count() - rest.trim_start().chars().count();
    Some((None, rest.trim().to_string(), col + 1))
}

/// `答案：B` → ("答案", "B", col of "B" from 0).
fn labelled(seg: &str) -> Option<(&'static str, String, usize)> {
    let s = seg.strip_prefix('【').unwrap_or(seg);
    for &l in LABELS {
        if let Some(rest) = s.strip_prefix(l) {
            let value = if seg.starts_with('【') {
                rest.strip_prefix('】')?
            } else {
                rest.strip_prefix(['：', ':'])?
            };
            let col = seg.chars().count() - value.trim_start().chars().count();
            return Some((l, value.trim().to_string(), col));
        }
    }
    None
}

/// Splits a line before each inline label (`… 答案：B 解析：…`); yields (1-based col, segment).
fn segments(t: &str) -> Vec<(usize, &str)> {
    let mut cuts = vec![0];
    let mut i = 0;
    while i < t.len() {
        let rest = &t[i..];
        let hit = LABELS.iter().find_map(|l| {
            if rest
                .strip_prefix(l)
                .is_some_and(|r| r.starts_with(['：', ':']))
            {
                Some(l.len())
            } else if rest
                .strip_prefix('【')
                .and_then(|r| r.strip_prefix(l))
                .is_some_and(|r| r.starts_with('】'))
            {
                Some(l.len() + '【'.len_utf8())
            } else {
                None
            }
        });
        match hit {
            Some(len) => {
                if i > 0 {
                    cuts.push(i);
                }
                i += len;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    cuts.push(t.len());
    cuts.windows(2)
        .map(|w| (t[..w[0]].chars().count() + 1, t[w[0]..w[1]].trim()))
        .filter(|(_, s)| !s.is_empty())
        .collect()
}

/// Splits `题干 A. x B. y` into the stem and its options (with their 0-based char columns).
/// `from` is the letter expected first: `B` when the line continues a question with option A.
fn split_options(s: &str, from: u8) -> (String, Vec<(String, usize)>) {
    let mut marks: Vec<(usize, usize)> = Vec::new(); // (byte start of letter, byte start of text)
    let mut want = from;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let prev_ok = i == 0 || {
            let p = s[..i].chars().next_back().unwrap_or(' ');
            !p.is_ascii_alphanumeric()
        };
        if c == want && prev_ok {
            let after = &s[i + 1..];
            if let Some(sep) = after
                .chars()
                .next()
                .filter(|c| ['.', '、', '．', ':', '：', ')', '）'].contains(c))
            {
                let text_at = i + 1 + sep.len_utf8();
                marks.push((i, text_at));
                want += 1;
                i = text_at;
                continue;
            }
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    if marks.len() < 2 && !(marks.len() == 1 && marks[0].0 == 0) {
        return (s.trim().to_string(), Vec::new());
    }
    let stem = s[..marks[0].0].trim().to_string();
    let mut opts = Vec::new();
    for (k, &(_, text_at)) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(s.len(), |m| m.0);
        let col = s[..text_at].chars().count()
            + (s[text_at..end].chars().count() - s[text_at..end].trim_start().chars().count());
        opts.push((s[text_at..end].trim().to_string(), col));
    }
    (stem, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_options_and_labels_split() {
        let (stem, opts) = split_options("下列属于应用层的是（ ）A. TCP B. HTTP C. IP", b'A');
        assert_eq!(stem, "下列属于应用层的是（ ）");
        let texts: Vec<&str> = opts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["TCP", "HTTP", "IP"]);
        let segs: Vec<&str> = segments("题干 A. x B. y 答案：B 解析：因为")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(segs, ["题干 A. x B. y", "答案：B", "解析：因为"]);
        let segs: Vec<&str> = segments("正确答案：AB")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(segs, ["正确答案：AB"]);
    }

    #[test]
    fn question_starts() {
        assert_eq!(start("1. 题干").map(|s| s.1), Some("题干".into()));
        assert_eq!(start("（12）题干").map(|s| s.1), Some("题干".into()));
        assert_eq!(start("3、题干").map(|s| s.1), Some("题干".into()));
        assert!(start("1.5 元是多少").is_none());
        assert_eq!(
            start("【多选题】题干").map(|s| s.0),
            Some(Some("多选题".into()))
        );
        assert_eq!(
            heading("二、多项选择题（每题2分，共20分）"),
            Some("多项选择题".into())
        );
    }
}

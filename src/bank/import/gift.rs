//! Moodle GIFT text, read as Moodle's `qformat_gift::readquestion` (question/format/gift/
//! format.php) reads it: escapes (`\\ \: \~ \= \# \{ \} \n`), `::name::`, the first `{…}` as the
//! answer section (a blank put in its place unless the text ends with `}`), `####` general
//! feedback, `[html]`/`[markdown]`/`[plain]`/`[moodle]` text formats, and the question type from
//! the answer section: empty → essay (short), `#…` → numerical, a `~` → multichoice, `=` with
//! `->` → matching, `T`/`TRUE`/`F`/`FALSE` → true/false, else short answer (fill). `$CATEGORY:`
//! and `// [tag:…]` become tags, `// [id:…]` the id; `// [difficulty:…] [points:…] [source:…]
//! [graderinfo:…]` are what `bank export` writes for fields GIFT lacks. What a bank cannot hold
//! (weights, per-answer feedback, tolerances, wildcards, media) is named in a warning.

use super::normalise::{html_to_text, literal_star, valid_id, Draft, DraftAnswer, Field};
use super::{apply_meta_tags, markup_to_text, slug};
use crate::bank::export::IDNUMBER_TAG;
use crate::bank::{count_blanks, Answer, Kind};
use crate::input::diagnostic::{Diagnostic, Location};

/// Placeholders for GIFT's escaped characters while the block is split (`escapedchar_pre`).
const ESCAPES: [(char, char); 6] = [
    (':', '\u{E000}'),
    ('~', '\u{E001}'),
    ('=', '\u{E002}'),
    ('#', '\u{E003}'),
    ('{', '\u{E004}'),
    ('}', '\u{E005}'),
];

/// `escapedchar_pre`: `\\` is a backslash, `\n` a line break, `\:` … `\}` placeholders.
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

/// `escapedchar_post` and `trim`.
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

/// Reads GIFT from `input` question by question, as Moodle's `readquestions` splits it (at
/// blank lines), handing each draft to `take` as soon as its block ends: memory holds one
/// question, not the file. A question with a byte that is not UTF-8 is refused at that byte
/// (`take` gets its place), and the questions after it are read.
pub fn read(
    file: &str,
    mut input: impl std::io::BufRead,
    id_base: &str,
    diags: &mut Vec<Diagnostic>,
    take: &mut impl FnMut(Result<Draft, Location>, &mut Vec<Diagnostic>),
) {
    let mut reader = Blocks {
        file,
        id_base,
        category: None,
        count: 0,
    };
    let mut cur: Option<Block> = None;
    let mut comment = String::new();
    let mut raw: Vec<u8> = Vec::new();
    let mut number = 0;
    // The first line of a question refused for a broken byte, until its block ends.
    let mut broken: Option<usize> = None;
    loop {
        raw.clear();
        match input.read_until(b'\n', &mut raw) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                diags.push(super::decode_failed(file, &e));
                break;
            }
        }
        number += 1;
        let line = match std::str::from_utf8(&raw) {
            Ok(l) => l,
            Err(e) => {
                let valid = std::str::from_utf8(&raw[..e.valid_up_to()]).unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        Some(Location {
                            file: file.to_string(),
                            line: number,
                            col: valid.chars().count() + 1,
                        }),
                        format!("byte 0x{:02X} is not valid UTF-8", raw[e.valid_up_to()]),
                    )
                    .with_hint("fix or retype that character, or save the file again as UTF-8")
                    .zh(
                        format!("字节 0x{:02X} 不是有效的 UTF-8", raw[e.valid_up_to()]),
                        "改正或重新输入这个字符，或把文件另存为 UTF-8",
                    ),
                );
                // Its question is refused whole; the reading goes on after it.
                if broken.is_none() {
                    broken = Some(cur.take().map_or(number, |b| b.line));
                    comment.clear();
                }
                continue;
            }
        };
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = if number == 1 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let t = line.trim();
        if t.is_empty() {
            if let Some(b) = cur.take() {
                reader.block(&b, diags, take);
            }
            if let Some(line) = broken.take() {
                take(Err(reader.refused(line)), diags);
            }
            continue;
        }
        if broken.is_some() {
            continue;
        }
        if t.starts_with("//") {
            match cur.as_mut() {
                Some(b) => {
                    b.comment.push_str(t);
                    b.comment.push('\n');
                }
                None => {
                    comment.push_str(t);
                    comment.push('\n');
                }
            }
            continue;
        }
        // A `::name::` line after a finished answer block starts the next question even without
        // the blank line GIFT asks for.
        if t.starts_with("::") && cur.as_ref().is_some_and(|b| closed(&b.text)) {
            if let Some(b) = cur.take() {
                reader.block(&b, diags, take);
            }
        }
        match cur.as_mut() {
            Some(b) => {
                b.text.push('\n');
                b.text.push_str(line);
            }
            None => {
                cur = Some(Block {
                    line: number,
                    text: line.to_string(),
                    comment: std::mem::take(&mut comment),
                })
            }
        }
    }
    if let Some(b) = cur.take() {
        reader.block(&b, diags, take);
    }
    if let Some(line) = broken {
        take(Err(reader.refused(line)), diags);
    }
}

/// What carries over from one block to the next.
struct Blocks<'a> {
    file: &'a str,
    id_base: &'a str,
    /// The tag of the last `$CATEGORY:`.
    category: Option<String>,
    /// Blocks read so far.
    count: usize,
}

impl Blocks<'_> {
    fn at(&self, line: usize) -> Location {
        Location {
            file: self.file.to_string(),
            line,
            col: 1,
        }
    }

    /// A block refused before it was read: it keeps its place in the count.
    fn refused(&mut self, line: usize) -> Location {
        self.count += 1;
        self.at(line)
    }

    fn block(
        &mut self,
        b: &Block,
        diags: &mut Vec<Diagnostic>,
        take: &mut impl FnMut(Result<Draft, Location>, &mut Vec<Diagnostic>),
    ) {
        self.count += 1;
        let loc = self.at(b.line);
        if let Some(rest) = b.text.trim().strip_prefix("$CATEGORY:") {
            self.category = Some(category_tag(rest.trim()));
            return;
        }
        let category = self.category.as_deref();
        if let Some(d) = question(b, &loc, self.count, self.id_base, category, diags) {
            take(Ok(d), diags);
        }
    }
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

/// The `[key:value]` tokens of the comment lines above a question. For `id` and `tag`, as
/// Moodle reads them, only `\]` is an escape; examforge's own keys also read `\\` and `\n`.
fn comment_meta(comment: &str) -> Vec<(String, String)> {
    const KEYS: [&str; 6] = ["id", "tag", "difficulty", "points", "source", "graderinfo"];
    let mut out = Vec::new();
    let mut rest = comment;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let Some(key) = KEYS
            .iter()
            .find(|k| after.strip_prefix(**k).is_some_and(|r| r.starts_with(':')))
        else {
            rest = after;
            continue;
        };
        let body = &after[key.len() + 1..];
        let own = !matches!(*key, "id" | "tag");
        let mut value = String::new();
        let mut chars = body.char_indices().peekable();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.peek().map(|(_, n)| *n) {
                    Some(']') => {
                        value.push(']');
                        chars.next();
                    }
                    Some('\\') if own => {
                        value.push('\\');
                        chars.next();
                    }
                    Some('n') if own => {
                        value.push('\n');
                        chars.next();
                    }
                    _ => value.push('\\'),
                },
                ']' => {
                    end = i + 1;
                    break;
                }
                _ => value.push(c),
            }
        }
        out.push((key.to_string(), value.trim().to_string()));
        rest = &body[end.min(body.len())..];
    }
    out
}

/// `parse_text_with_format`: a leading `[html]`, `[moodle]`, `[plain]` or `[markdown]` sets the
/// format of this text (others inherit the question's).
fn with_format<'a>(text: &'a str, default: &'a str) -> (&'a str, &'a str) {
    let t = text.trim_start();
    if let Some(r) = t.strip_prefix('[') {
        if let Some((f, rest)) = r.split_once(']') {
            if matches!(f, "html" | "moodle" | "plain" | "markdown") {
                return (f, rest);
            }
        }
    }
    (default, text)
}

/// The weight of `%50%`-style prefixes as Moodle's `$giftanswerweightregex`
/// (`/^%\-*([0-9]{1,2})\.?([0-9]*)%/`) accepts them, and the rest of the answer.
fn weight(answer: &str) -> Option<(f64, &str)> {
    let r = answer.strip_prefix('%')?;
    let end = r.find('%')?;
    let w = &r[..end];
    let digits = w.trim_start_matches('-');
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = (1..=2).contains(&int.len()) && int.chars().all(|c| c.is_ascii_digit())
        || int.len() > 2 && int.chars().all(|c| c.is_ascii_digit()) && frac.is_empty();
    if !ok || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let value: f64 = w.parse().ok()?;
    Some((value / 100.0, &r[end + 1..]))
}

/// One answer of a choice, short-answer or numerical section.
struct Choice {
    fraction: f64,
    text: String,
    feedback: String,
    /// The answer's text as written in GIFT, before its markup is read.
    format: String,
}

/// `commentparser`: the answer and its feedback, split at the first `#`, each with its format.
fn choice(fraction: f64, raw: &str, default: &str) -> Choice {
    let (text, feedback) = raw.split_once('#').unwrap_or((raw, ""));
    let (format, text) = with_format(text.trim(), default);
    let (_, feedback) = with_format(feedback.trim(), default);
    Choice {
        fraction,
        text: restore(text),
        feedback: restore(feedback),
        format: format.to_string(),
    }
}

/// Splits a section into answers the way Moodle's `readquestion` does for `kind`.
fn answers(section: &str, multichoice: bool, default: &str) -> Vec<Choice> {
    let mut out = Vec::new();
    if multichoice {
        let replaced = section.replace('=', "~=");
        for (i, a) in replaced.split('~').enumerate() {
            let a = a.trim();
            if i == 0 && a.is_empty() {
                continue;
            }
            if let Some(rest) = a.strip_prefix('=') {
                out.push(choice(1.0, rest, default));
            } else if let Some((w, rest)) = weight(a) {
                out.push(choice(w, rest, default));
            } else {
                out.push(choice(0.0, a, default));
            }
        }
    } else {
        for (i, a) in section.split('=').enumerate() {
            let a = a.trim();
            if i == 0 && a.is_empty() {
                continue;
            }
            match weight(a) {
                Some((w, rest)) => out.push(choice(w, rest, default)),
                None => out.push(choice(1.0, a, default)),
            }
        }
    }
    out
}

/// Text of an answer or stem in `format`: HTML and Markdown read as text, what is left out named.
fn read_text(
    text: &str,
    format: &str,
    what: &str,
    loc: &Location,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if matches!(format, "html" | "markdown") {
        html_to_text(text, what, loc, diags)
    } else {
        text.to_string()
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
    // Comment lines are dropped; the rest is joined and trimmed, then its escapes read.
    let text = protect(b.text.trim());
    let (name, rest) = match text.strip_prefix("::") {
        Some(r) => match r.split_once("::") {
            Some((n, rest)) => (Some(restore(n)), rest.trim().to_string()),
            None => (None, r.to_string()),
        },
        None => (None, text.clone()),
    };
    let meta = comment_meta(&b.comment);
    let mut tags: Vec<String> = Vec::new();
    if let Some(c) = category.filter(|c| !c.is_empty()) {
        tags.push(c.to_string());
    }
    let mut meta_id = None;
    let mut extra = Vec::new();
    for (k, v) in meta {
        match k.as_str() {
            "id" => {
                meta_id.get_or_insert(v);
            }
            "tag" => tags.push(v),
            _ => extra.push((k, v)),
        }
    }
    let id = match (&meta_id, &name) {
        (Some(raw), _) => {
            let id = valid_id(raw);
            if id != *raw {
                diags.push(
                    Diagnostic::warning(
                        Some(loc.clone()),
                        format!("the id `{raw}` has spaces; the question's id is `{id}`, and `{raw}` is kept in the tag `{IDNUMBER_TAG}{raw}`"),
                    )
                    .with_hint("`bank export` writes the kept idnumber back for Moodle")
.zh(format!("id `{raw}` 含有空格；这道题的 id 为 `{id}`，`{raw}` 保存在标签 `{IDNUMBER_TAG}{raw}` 中"), "`bank export` 导出给 Moodle 时会写回原来的 idnumber"),
                );
                tags.push(format!("{IDNUMBER_TAG}{raw}"));
            }
            id
        }
        (None, Some(n)) => format!("{id_base}-{}", slug(&markup_to_text(n))),
        (None, None) => format!("{id_base}-{ordinal:03}"),
    };
    let mut d = Draft::new(id, loc.clone());
    d.rename_on_clash = meta_id.is_some() || name.is_some();
    d.moodle = true;
    apply_meta_tags(&mut d, &tags);
    let mut grader = None;
    for (k, v) in extra {
        match k.as_str() {
            "difficulty" => d.difficulty = Some(Field::new(v, loc.clone())),
            "points" => d.points = Some(Field::new(v, loc.clone())),
            "source" => d.source = v,
            _ => grader = Some(v),
        }
    }

    // The answer section: the first `{` and the first `}`.
    let open = rest.find('{');
    let close = rest.find('}');
    let (open, close) =
        match (open, close) {
            (None, None) => {
                diags.push(
                Diagnostic::warning(
                    Some(loc.clone()),
                    "a description (text without an answer block) is not a question; not imported",
                )
                .with_hint("add an answer block {…} if it is a question")
.zh("没有答案块的说明文字不是题目；未导入", "如果它是一道题，请加上答案块 {…}"),
            );
                return None;
            }
            (Some(o), Some(c)) if o < c => (o, c),
            _ => {
                diags.push(
                    Diagnostic::error(Some(loc.clone()), "the answer block `{…}` is not closed")
                        .with_hint("end the answers with `}`; write \\{ and \\} for literal braces")
                        .zh(
                            "答案块 `{…}` 没有闭合",
                            "用 `}` 结束答案；要写花括号本身，请写 \\{ 和 \\}",
                        ),
                );
                return None;
            }
        };
    let brace_at = text.len() - rest.len() + open;
    let brace_line = b.line + text[..brace_at.min(text.len())].matches('\n').count();
    let aloc = Location {
        file: loc.file.clone(),
        line: brace_line,
        col: 1,
    };
    let mut section = rest[open + 1..close].trim().to_string();
    // The question text: the section removed, or a blank in its place (missing word; Moodle
    // writes `_____`, the bank's blank is `___`).
    let stem_raw = if rest.ends_with('}') {
        format!("{}{}", &rest[..open], &rest[close + 1..])
    } else {
        format!("{}___{}", &rest[..open], &rest[close + 1..])
    };
    let mut general = String::new();
    if let Some(at) = section.rfind("####") {
        general = section[at + 4..].to_string();
        section = section[..at].trim().to_string();
    }
    let (format, stem_text) = with_format(&stem_raw, "moodle");
    let (_, general) = with_format(&general, format);
    let stem = read_text(&restore(stem_text), format, "question text", loc, diags);
    let general = read_text(&restore(general), format, "general feedback", loc, diags);
    d.stem = Field::new(stem.clone(), loc.clone());
    d.explanation = general.clone();

    let set_aside = |diags: &mut Vec<Diagnostic>, why: String, hint: &str, zh: (String, &str)| {
        diags.push(
            Diagnostic::warning(Some(aloc.clone()), format!("{why}; not imported"))
                .with_hint(hint.to_string())
                .zh(format!("{}；未导入", zh.0), zh.1),
        );
    };
    let feedback_dropped = |cs: &[Choice], diags: &mut Vec<Diagnostic>| {
        if cs.iter().any(|c| !c.feedback.is_empty()) {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "per-answer feedback (after `#`) is not kept")
                    .with_hint("put what matters into the general feedback (after ####), which becomes the explanation")
.zh("每个答案后的反馈（`#` 之后）不保留", "把要紧的内容写进总体反馈（#### 之后），它会成为解析"),
            );
        }
    };
    let options_of = |cs: &[Choice], diags: &mut Vec<Diagnostic>| -> Vec<Field> {
        cs.iter()
            .map(|c| {
                let t = read_text(&c.text, &c.format, "answer", &aloc, diags);
                Field::new(t, aloc.clone())
            })
            .collect()
    };

    if section.is_empty() {
        // Essay. Its general feedback is what students read after the attempt: the
        // explanation. The grader's information comes from `[graderinfo:…]`; files of earlier
        // versions kept it in the general feedback after labels.
        d.kind = Some(Kind::Short);
        let from_feedback = crate::bank::export::RUBRIC_LABELS
            .iter()
            .any(|(_, l)| general.contains(&format!("\n{l}")))
            || general.contains("\n解析：");
        let (reference, rubric) = if let Some(info) = grader {
            let (r, rubric, _) = super::split_reference(&info);
            (r, rubric)
        } else if from_feedback {
            let (r, rubric, explanation) = super::split_reference(&general);
            d.explanation = explanation;
            (r, rubric)
        } else {
            (String::new(), Vec::new())
        };
        d.answer = DraftAnswer::Ready(Answer::Text { reference, rubric });
        return Some(d);
    }
    if let Some(num) = section.strip_prefix('#') {
        return numerical(d, num, format, &aloc, diags);
    }
    if section.contains('~') {
        let single = section.contains('=');
        let cs = answers(&section, true, format);
        feedback_dropped(&cs, diags);
        if cs.len() < 2 {
            diags.push(
                Diagnostic::error(
                    Some(aloc.clone()),
                    "a multiple-choice question needs at least two answers",
                )
                .with_hint("write each answer after `=` (right) or `~` (wrong)")
                .zh(
                    "选择题至少要有两个答案",
                    "每个答案写在 `=`（正确）或 `~`（错误）之后",
                ),
            );
            return None;
        }
        let full = cs.iter().filter(|c| c.fraction >= 1.0).count();
        let positive = cs.iter().filter(|c| c.fraction > 0.0).count();
        d.options = options_of(&cs, diags);
        let right: Vec<bool> = if single {
            if full > 1 {
                set_aside(
                    diags,
                    format!("{full} answers are fully right (`=`) in a single-answer question, and any of them scores"),
                    "examforge's single choice has one right option; keep one `=` and make the others `~`, or make it multiple response with ~%50% weights",
                    (
                        format!("单选题中有 {full} 个完全正确（`=`）的答案，选哪个都得分"),
                        "examforge 的单选题只有一个正确选项；只留一个 `=`，其余改成 `~`，或改成用 ~%50% 权重的多选题",
                    ),
                );
                return None;
            }
            if cs.iter().any(|c| c.fraction > 0.0 && c.fraction < 1.0) {
                diags.push(
                    Diagnostic::warning(Some(aloc.clone()), "partial-credit answers (~%…%) of a single-answer question are imported as wrong options")
                        .with_hint("examforge scores partial credit through the section's rule, not per option")
.zh("单选题中的部分得分答案（~%…%）按错误选项导入", "examforge 的部分得分由组卷蓝图中该部分的计分规则决定，不按选项给分"),
                );
            }
            cs.iter().map(|c| c.fraction >= 1.0).collect()
        } else {
            if positive == 0 {
                diags.push(
                    Diagnostic::error(Some(aloc.clone()), "no answer is right: none has `=` or a positive weight ~%…%")
                        .with_hint("mark the right answer with `=`, or the right answers of a multiple response with ~%50% and the like")
.zh("没有正确答案：没有一个答案带 `=` 或正的权重 ~%…%", "用 `=` 标出正确答案；多选题的正确答案用 ~%50% 这样的权重标出"),
                );
                return None;
            }
            if positive > 1
                && cs
                    .iter()
                    .filter(|c| c.fraction > 0.0)
                    .any(|c| (c.fraction - 1.0 / positive as f64).abs() > 0.01)
            {
                diags.push(
                    Diagnostic::warning(Some(aloc.clone()), "unequal answer weights are not kept; the answers with a positive weight are the right ones")
                        .with_hint("choose the section's scoring rule (partial-half, per-option, fraction) in the blueprint")
.zh("答案的权重不相等，不予保留；权重为正的答案算作正确答案", "在组卷蓝图中为该部分选择计分规则（partial-half、per-option、fraction）"),
                );
            }
            cs.iter().map(|c| c.fraction > 0.0).collect()
        };
        let kind = if single || positive == 1 {
            if !single {
                diags.push(
                    Diagnostic::warning(Some(aloc.clone()), "one answer has a positive weight: imported as a single choice (Moodle shows it with check boxes)")
                        .with_hint("give two or more answers a positive weight for a multiple response")
.zh("只有一个答案的权重为正：按单选题导入（Moodle 会把它显示成复选框）", "多选题要给两个或更多答案正的权重"),
                );
            }
            Kind::Single
        } else {
            Kind::Multiple
        };
        d.kind = Some(kind);
        let letters: String = right
            .iter()
            .enumerate()
            .filter(|(_, r)| **r)
            .map(|(i, _)| crate::bank::letter(i))
            .collect();
        d.answer = DraftAnswer::Raw(Field::new(letters, aloc.clone()));
        return Some(d);
    }
    if section.contains('=') && section.contains("->") {
        set_aside(
            diags,
            "a matching question has no examforge kind".into(),
            "rewrite it as single or multiple choice questions",
            (
                "匹配题在 examforge 中没有对应的题型".into(),
                "改写成单选题或多选题",
            ),
        );
        return None;
    }
    let head = section
        .split_once('#')
        .map_or(section.as_str(), |(h, _)| h)
        .trim();
    if matches!(head, "T" | "TRUE" | "F" | "FALSE") {
        d.kind = Some(Kind::Judge);
        d.answer = DraftAnswer::Ready(Answer::Judge(head.starts_with('T')));
        if section.split('#').skip(1).any(|f| !restore(f).is_empty()) {
            diags.push(
                Diagnostic::warning(Some(aloc.clone()), "true/false feedback (after `#`) is not kept")
                    .with_hint("put what matters into the general feedback (after ####), which becomes the explanation")
                    .zh("判断题的反馈（`#` 之后）不保留", "把要紧的内容写进总体反馈（#### 之后），它会成为解析"),
            );
        }
        return Some(d);
    }
    // Short answer → a fill-in blank.
    let cs = answers(&section, false, format);
    feedback_dropped(&cs, diags);
    let mut alts = Vec::new();
    let mut partial = Vec::new();
    let mut wild = Vec::new();
    for c in &cs {
        let text = read_text(&c.text, &c.format, "answer", &aloc, diags);
        let Some(text) = literal_star(&text) else {
            wild.push(text);
            continue;
        };
        if c.fraction >= 1.0 {
            if !text.is_empty() {
                alts.push(text);
            }
        } else if c.fraction > 0.0 {
            partial.push(format!("{text} ({}%)", c.fraction * 100.0));
        }
    }
    warn_partial(diags, &aloc, &partial);
    if !wild.is_empty() {
        diags.push(
            Diagnostic::warning(
                Some(aloc.clone()),
                format!("answers with the `*` wildcard are not kept: {}", wild.join(", ")),
            )
            .with_hint("examforge matches a blank's alternatives as written; list the accepted spellings, or write \\* for a literal star")
.zh(format!("带通配符 `*` 的答案不保留：{}", wild.join("、")), "examforge 按原样比对填空题的各个备选答案；请列出可接受的写法，或写 \\* 表示星号本身"),
        );
    }
    if alts.is_empty() {
        set_aside(
            diags,
            "the short answer has no full-credit answer examforge can hold".into(),
            "give the blank at least one answer after `=` without a wildcard",
            (
                "这道简答题没有 examforge 能保存的满分答案".into(),
                "在 `=` 之后至少给这个空一个不带通配符的答案",
            ),
        );
        return None;
    }
    fill(d, &stem, alts, diags)
}

/// A fill-in question with one blank holding `alts`: the stem's own blank, or one added at the
/// end of a question whose answer box Moodle shows below the text.
pub(super) fn fill(
    mut d: Draft,
    stem: &str,
    alts: Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Draft> {
    let stem = match count_blanks(stem) {
        0 => format!("{} ___", stem.trim_end()),
        1 => stem.to_string(),
        n => {
            diags.push(
                Diagnostic::error(
                    Some(d.loc.clone()),
                    format!("the question text has {n} blanks (runs of ___) but one answer block"),
                )
                .with_hint("a GIFT question has one answer block; write the other blanks as text, or split the question")
.zh(format!("题干有 {n} 处空（连续的 ___），但只有一个答案块"), "一道 GIFT 题只有一个答案块；把其余的空写成文字，或拆成几道题"),
            );
            return None;
        }
    };
    d.kind = Some(Kind::Fill);
    d.stem = Field::new(stem, d.loc.clone());
    d.answer = DraftAnswer::Ready(Answer::Fill(vec![alts]));
    Some(d)
}

/// A numerical section (after its `#`): exact values become a fill-in blank's alternatives; a
/// tolerance or a range, which a blank cannot check, sets the question aside.
/// Alternatives worth part of the marks: a blank holds full-credit alternatives only.
fn warn_partial(diags: &mut Vec<Diagnostic>, at: &Location, partial: &[String]) {
    if !partial.is_empty() {
        diags.push(
            Diagnostic::warning(
                Some(at.clone()),
                format!(
                    "answers with partial credit are not kept: {}",
                    partial.join(", ")
                ),
            )
            .with_hint("a fill-in blank accepts its alternatives for full points")
            .zh(
                format!("部分得分的答案不保留：{}", partial.join("、")),
                "填空题的备选答案都按满分计",
            ),
        );
    }
}

fn numerical(
    d: Draft,
    num: &str,
    format: &str,
    aloc: &Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<Draft> {
    // Feedback for wrong answers after `~`.
    let (num, wrong) = match num.find('~') {
        Some(i) => (&num[..i], &num[i..]),
        None => (num, ""),
    };
    let cs = answers(num, false, format);
    if cs.is_empty() {
        diags.push(
            Diagnostic::error(Some(aloc.clone()), "the numerical question has no answer")
                .with_hint("write the number after `#`, e.g. {#1822} or {#1822:5}")
                .zh(
                    "数值题没有答案",
                    "把数写在 `#` 之后，例如 {#1822} 或 {#1822:5}",
                ),
        );
        return None;
    }
    if !wrong.trim().is_empty() || cs.iter().any(|c| !c.feedback.is_empty()) {
        diags.push(
            Diagnostic::warning(Some(aloc.clone()), "per-answer feedback (after `#` or `~`) is not kept")
                .with_hint("put what matters into the general feedback (after ####), which becomes the explanation")
.zh("每个答案后的反馈（`#` 或 `~` 之后）不保留", "把要紧的内容写进总体反馈（#### 之后），它会成为解析"),
        );
    }
    let mut alts = Vec::new();
    let mut partial = Vec::new();
    for c in &cs {
        let a = c.text.trim();
        let (value, tolerance) =
            if let Some((lo, hi)) = a.split_once("..").filter(|_| !a.starts_with("..")) {
                let (lo_v, hi_v) = (lo.trim().parse::<f64>(), hi.trim().parse::<f64>());
                match (lo_v, hi_v) {
                    (Ok(l), Ok(h)) if l == h => (lo.trim().to_string(), 0.0),
                    (Ok(l), Ok(h)) => (((l + h) / 2.0).to_string(), (h - l).abs() / 2.0),
                    _ => (a.to_string(), f64::NAN),
                }
            } else if let Some((v, t)) = a.split_once(':').filter(|_| !a.starts_with(':')) {
                (
                    v.trim().to_string(),
                    t.trim().parse::<f64>().unwrap_or(f64::NAN),
                )
            } else {
                (a.to_string(), 0.0)
            };
        if value.parse::<f64>().is_err() || tolerance.is_nan() {
            diags.push(
                Diagnostic::error(
                    Some(aloc.clone()),
                    format!("`{a}` is not a number, a number:tolerance or a min..max range"),
                )
                .with_hint("write numerical answers as {#1822}, {#1822:5} or {#1817..1827}")
                .zh(
                    format!("`{a}` 不是数、数:误差 或 最小..最大 的范围"),
                    "数值答案写成 {#1822}、{#1822:5} 或 {#1817..1827}",
                ),
            );
            return None;
        }
        if c.fraction < 1.0 {
            if c.fraction > 0.0 {
                partial.push(format!("{a} ({}%)", c.fraction * 100.0));
            }
            continue;
        }
        if tolerance != 0.0 {
            diags.push(
                Diagnostic::warning(
                    Some(aloc.clone()),
                    format!("the numerical answer `{a}` accepts a range of values, which a fill-in blank cannot check; not imported"),
                )
                .with_hint("write the question with an exact answer ({#1822}), or list the accepted values as a short answer")
.zh(format!("数值答案 `{a}` 接受一个范围内的值，填空题无法判定；未导入"), "改成有确切答案的题（{#1822}），或把可接受的值列为简答题的答案"),
            );
            return None;
        }
        alts.push(value);
    }
    warn_partial(diags, aloc, &partial);
    if !alts.is_empty() {
        diags.push(
            Diagnostic::warning(
                Some(aloc.clone()),
                format!("the numerical answer becomes a fill-in blank matched as written: `{}`", alts.join("`, `")),
            )
            .with_hint("Moodle compared numbers (1822.0 = 1822); add the spellings students may write as alternatives")
.zh(format!("数值答案改为按原样比对的填空：`{}`", alts.join("`、`")), "Moodle 按数值比较（1822.0 = 1822）；请把考生可能的写法加为备选答案"),
        );
    }
    if alts.is_empty() {
        diags.push(
            Diagnostic::warning(
                Some(aloc.clone()),
                "the numerical question has no full-credit answer; not imported",
            )
            .with_hint("give one answer full credit: {#1822} or {#=1822 =%50%1820}")
            .zh(
                "数值题没有满分答案；未导入",
                "给一个答案满分：{#1822} 或 {#=1822 =%50%1820}",
            ),
        );
        return None;
    }
    let stem = d.stem.text.clone();
    fill(d, &stem, alts, diags)
}

//! The spellings every source format shares: 题型 names, answer cells, difficulty words, and the
//! checks that turn a draft into a [`Question`] the bank loader accepts.

use crate::bank::{count_blanks, letter, Answer, Kind, Question, TextFormat};
use crate::input::diagnostic::{Diagnostic, Location};

/// A piece of source text and where it was read.
#[derive(Debug, Clone)]
pub struct Field {
    pub text: String,
    pub loc: Location,
}

impl Field {
    pub fn new(text: impl Into<String>, loc: Location) -> Self {
        Field {
            text: text.into(),
            loc,
        }
    }
}

/// The answer as a source gave it.
#[derive(Debug, Clone)]
pub enum DraftAnswer {
    /// A cell or line still to be read (`ABD`, `正确`, `H2O;H₂O|液`, …).
    Raw(Field),
    /// Already structured by the format (GIFT, Moodle XML).
    Ready(Answer),
    Missing,
}

/// One question as read from a source, before it is checked.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Where the question starts (row or line).
    pub loc: Location,
    pub id: String,
    /// The 题型 as written, when the source names it.
    pub kind_name: Option<Field>,
    /// The kind, when the format itself says it.
    pub kind: Option<Kind>,
    pub stem: Field,
    pub options: Vec<Field>,
    pub answer: DraftAnswer,
    pub explanation: String,
    pub source: String,
    pub difficulty: Option<Field>,
    pub points: Option<Field>,
    pub tags: Vec<String>,
    pub shuffle: Option<Field>,
    pub rubric: Vec<String>,
    /// Whether the id comes from a name the format lets repeat (Moodle question names and
    /// idnumbers in different categories): a clash then gets a numbered id instead of an error.
    pub rename_on_clash: bool,
    /// Read from GIFT or Moodle XML: hints speak of their syntax, not of spreadsheet columns.
    pub moodle: bool,
}

impl Draft {
    /// An empty draft starting at `loc`.
    pub fn new(id: String, loc: Location) -> Self {
        Draft {
            stem: Field::new("", loc.clone()),
            loc,
            id,
            kind_name: None,
            kind: None,
            options: Vec::new(),
            answer: DraftAnswer::Missing,
            explanation: String::new(),
            source: String::new(),
            difficulty: None,
            points: None,
            tags: Vec::new(),
            shuffle: None,
            rubric: Vec::new(),
            rename_on_clash: false,
            moodle: false,
        }
    }
}

/// A name or Moodle idnumber made a valid question id: one word, runs of whitespace as `-`
/// (`T & F` → `T-&-F`). Empty when nothing is left.
pub fn valid_id(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join("-")
}

/// The pictures, sounds and films an HTML text shows, each named for a warning: `the image
/// `flag.png` ("California flag")`, `the audio `bonjour.mp3``. Text keeps none of them.
pub fn media(html: &str) -> Vec<String> {
    const AUDIO: [&str; 7] = ["mp3", "wav", "ogg", "oga", "m4a", "aac", "flac"];
    const VIDEO: [&str; 6] = ["mp4", "webm", "ogv", "mov", "avi", "m4v"];
    const IMAGE: [&str; 8] = ["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif"];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let lower = tag.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(name).map(|i| i + from) {
            from = i + name.len();
            let before = lower[..i].chars().next_back();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = tag[i + name.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            return Some(html_escape::decode_html_entities(value).into_owned());
        }
        None
    };
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let src = match name.as_str() {
            "img" | "audio" | "video" | "source" | "embed" | "iframe" | "track" => attr(tag, "src"),
            "object" => attr(tag, "data"),
            "a" => attr(tag, "href"),
            _ => continue,
        };
        let Some(src) = src.filter(|s| !s.is_empty()) else {
            continue;
        };
        let file = src.trim_start_matches("@@PLUGINFILE@@/").to_string();
        let ext = file
            .rsplit('.')
            .next()
            .unwrap_or("")
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let kind = if AUDIO.contains(&ext.as_str()) || name == "audio" {
            "audio"
        } else if VIDEO.contains(&ext.as_str()) || name == "video" {
            "video"
        } else if IMAGE.contains(&ext.as_str()) || name == "img" {
            "image"
        } else if name == "a" {
            continue;
        } else {
            "embedded content"
        };
        let alt = attr(tag, "alt").filter(|a| !a.trim().is_empty());
        out.push(match alt {
            Some(a) => format!("the {kind} `{file}` (\"{}\")", a.trim()),
            None => format!("the {kind} `{file}`"),
        });
    }
    out
}

/// A short answer's text without Moodle's wildcard: `\*` is a literal star; `None` when an
/// unescaped `*` makes it a pattern.
pub fn literal_star(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                out.push('*');
                chars.next();
            }
            '*' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// HTML (or Markdown) read as the text a reader sees, naming at `loc` what is left out: each
/// picture, sound or film, and the formatting (`<b>`, `<sub>`, links) whose marks are dropped.
/// Paragraphs and line breaks become line breaks and are not named.
pub fn html_to_text(html: &str, what: &str, loc: &Location, diags: &mut Vec<Diagnostic>) -> String {
    let what_zh = match what {
        "question text" => "题干",
        "general feedback" => "总体反馈",
        "answer" => "答案",
        other => other,
    };
    for m in media(html) {
        // `the image `flag.png` ("…")` → `图片 `flag.png`（"…"）`
        let mut m_zh = m.clone();
        for (en, zh) in [
            ("the audio ", "音频 "),
            ("the video ", "视频 "),
            ("the image ", "图片 "),
            ("the embedded content ", "嵌入内容 "),
        ] {
            if let Some(rest) = m.strip_prefix(en) {
                m_zh = format!("{zh}{rest}");
            }
        }
        let m_zh = m_zh.replace(" (\"", "（\"").replace("\")", "\"）");
        diags.push(
            Diagnostic::warning(Some(loc.clone()), format!("{m} in the {what} is left out"))
                .with_hint("examforge prints text only; describe the picture or sound in words if the question needs it")
                .zh(
                    format!("{what_zh}中的{m_zh}未导入"),
                    "examforge 只印文字；如果题目需要这张图或这段声音，请用文字描述",
                ),
        );
    }
    const SILENT: [&str; 16] = [
        "p", "br", "div", "span", "img", "audio", "video", "source", "embed", "object", "iframe",
        "track", "html", "body", "font", "nobr",
    ];
    let mut lost: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = rest[i + 1..i + j].trim_start_matches('/');
        rest = &rest[i + j + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty()
            || SILENT.contains(&name.as_str())
            || name == "a" && !media(&format!("<{tag}>")).is_empty()
        {
            continue;
        }
        let shown = format!("<{name}>");
        if !lost.contains(&shown) {
            lost.push(shown);
        }
    }
    if !lost.is_empty() {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                format!("the formatting {} in the {what} is dropped; its text is kept", lost.join(" ")),
            )
            .with_hint("examforge prints text as written; check that the text still reads right (H<sub>2</sub>O becomes H2O)")
            .zh(
                format!("{what_zh}中的格式 {} 去掉了，文字保留", lost.join(" ")),
                "examforge 按原样印文字；请检查文字是否仍然通顺（H<sub>2</sub>O 会变成 H2O）",
            ),
        );
    }
    super::markup_to_text(html)
}

/// Full-width ASCII (Ａ, １, ；) folded to half-width.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A 题型 name (Chinese or English) → kind. `案例分析` rows become `short`: one row holds one
/// question with a reference answer, while a bank `case` groups several parts.
pub fn parse_kind(name: &str) -> Option<Kind> {
    let n = half_width(name).trim().to_lowercase();
    let n = n.trim_end_matches('题');
    let n = n.replace(['-', '_', '/'], " ");
    let kind = match n.as_str() {
        "单选" | "单项选择" | "单选择" | "单项" | "single" | "single choice" | "multichoice"
        | "multiple choice" | "mc" | "radio" => Kind::Single,
        "多选" | "多项选择" | "多项" | "多选择" | "multiple" | "multi" | "multiple response"
        | "multiple select" | "multiple answer" | "checkbox" | "ma" => Kind::Multiple,
        "判断" | "是非" | "对错" | "judge" | "true false" | "truefalse" | "tf" | "boolean" => {
            Kind::Judge
        }
        "填空" | "fill" | "fill in" | "fill in the blank" | "fill in the blanks" | "blank"
        | "completion" | "cloze" => Kind::Fill,
        "简答" | "问答" | "论述" | "案例分析" | "案例" | "short" | "short answer" | "essay"
        | "case" | "case study" | "case analysis" => Kind::Short,
        _ => return None,
    };
    Some(kind)
}

/// The 题型 names accepted, for hints.
pub const KIND_NAMES: &str =
    "单选/多选/判断/填空/简答/案例分析, or single/multiple/judge/fill/short/essay";

/// A judge word → truth: 正确/错误, 对/错, √/×, 是/否, T/F, true/false, 1/0, A/B.
pub fn parse_judge(s: &str) -> Option<bool> {
    let n = half_width(s).trim().to_lowercase();
    match n.as_str() {
        "正确" | "对" | "√" | "✓" | "✔" | "是" | "t" | "true" | "yes" | "y" | "1" | "a"
        | "同意" | "正确的" | "对的" => Some(true),
        "错误" | "错" | "×" | "✗" | "✘" | "x" | "否" | "f" | "false" | "no" | "n" | "0" | "b"
        | "不同意" | "错误的" | "错的" => Some(false),
        _ => None,
    }
}

/// Why a choice answer cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceError {
    Empty,
    NotALetter(char),
    Beyond(char, usize),
}

/// Letters of a choice answer: `ABD`, `A,B,D`, `A、B、D`, `A;B;D`, `a b d`, full-width `ＡＢ`.
pub fn parse_choice(s: &str, n_options: usize) -> Result<Vec<usize>, ChoiceError> {
    let mut out = Vec::new();
    for c in half_width(s).chars() {
        if c.is_whitespace() || matches!(c, ',' | ';' | '、' | '|' | '/' | '，' | '；') {
            continue;
        }
        let up = c.to_ascii_uppercase();
        if !up.is_ascii_uppercase() {
            return Err(ChoiceError::NotALetter(c));
        }
        let i = (up as u8 - b'A') as usize;
        if i >= n_options {
            return Err(ChoiceError::Beyond(up, n_options));
        }
        if !out.contains(&i) {
            out.push(i);
        }
    }
    if out.is_empty() {
        return Err(ChoiceError::Empty);
    }
    out.sort_unstable();
    Ok(out)
}

/// Blanks of a fill-in answer: `|` between blanks, `;` or `；` between a blank's alternatives.
pub fn parse_fill(s: &str) -> Vec<Vec<String>> {
    s.split(['|', '｜'])
        .map(|blank| {
            blank
                .split([';', '；'])
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Writes blanks back as `a;b|c`.
pub fn format_fill(blanks: &[Vec<String>]) -> String {
    blanks
        .iter()
        .map(|alts| alts.join(";"))
        .collect::<Vec<_>>()
        .join("|")
}

/// Difficulty 1–5 from `1`…`5`, 易/较易/中/较难/难 and the like, or easy/medium/hard.
pub fn parse_difficulty(s: &str) -> Option<u8> {
    let n = half_width(s).trim().to_lowercase();
    if let Ok(d) = n.parse::<u8>() {
        return (1..=5).contains(&d).then_some(d);
    }
    let d = match n.as_str() {
        "易" | "容易" | "简单" | "低" | "easy" => 1,
        "较易" | "较简单" | "偏易" | "较低" => 2,
        "中" | "中等" | "一般" | "适中" | "普通" | "medium" | "moderate" | "normal" => 3,
        "较难" | "偏难" | "较高" => 4,
        "难" | "困难" | "高" | "hard" | "difficult" => 5,
        _ => return None,
    };
    Some(d)
}

/// `yes`/`no` words for the shuffle column (是/否, true/false, 1/0).
pub fn parse_bool(s: &str) -> Option<bool> {
    let n = half_width(s).trim().to_lowercase();
    match n.as_str() {
        "是" | "true" | "yes" | "y" | "1" | "乱序" => Some(true),
        "否" | "false" | "no" | "n" | "0" | "不乱序" | "固定" => Some(false),
        _ => None,
    }
}

/// Rewrites blank markers `（ ）`/`( )` as `____` when a fill-in stem has no underscores.
fn blank_markers(stem: &str) -> String {
    if count_blanks(stem) > 0 {
        return stem.to_string();
    }
    let mut out = stem.to_string();
    for marker in ["（　）", "（ ）", "（）", "( )", "()", "（  ）", "(  )"] {
        out = out.replace(marker, "____");
    }
    out
}

/// Checks a draft and turns it into a question; every problem is returned at its source place.
pub fn build(d: Draft) -> Result<Question, Vec<Diagnostic>> {
    let mut errs = Vec::new();
    if d.id.is_empty() || d.id.chars().any(char::is_whitespace) {
        errs.push(
            Diagnostic::error(
                Some(d.loc.clone()),
                format!("invalid question id `{}`", d.id),
            )
            .with_hint("an id is one word without spaces, e.g. net-001")
            .zh(
                format!("题目编号 `{}` 不能用", d.id),
                "编号是一个不含空格的词，如 net-001",
            ),
        );
    }
    let stem = d.stem.text.trim().to_string();
    if stem.is_empty() {
        errs.push(
            Diagnostic::error(Some(d.stem.loc.clone()), "the question has no stem (题干)")
                .with_hint(if d.moodle {
                    "write the question text before the answer block {…}"
                } else {
                    "write the question text in the 题干/question column or line"
                })
                .zh(
                    "这道题没有题干",
                    if d.moodle {
                        "在答案块 {…} 前写上题目文字"
                    } else {
                        "在 题干 列（或 题干 行）写上题目文字"
                    },
                ),
        );
    }
    let options: Vec<String> = d
        .options
        .iter()
        .map(|o| o.text.trim().to_string())
        .collect();
    let kind = match (&d.kind, &d.kind_name) {
        (Some(k), _) => Some(*k),
        (None, Some(name)) => match parse_kind(&name.text) {
            Some(k) => Some(k),
            None => {
                errs.push(
                    Diagnostic::error(
                        Some(name.loc.clone()),
                        format!("unknown 题型 `{}`", name.text.trim()),
                    )
                    .with_hint(format!("use {KIND_NAMES}"))
                    .zh(
                        format!("不认识的题型 `{}`", name.text.trim()),
                        "写 单选/多选/判断/填空/简答/案例分析（或 single/multiple/judge/fill/short/essay）",
                    ),
                );
                None
            }
        },
        (None, None) => Some(infer_kind(&d.answer, &options, &stem)),
    };
    let Some(kind) = kind else {
        return Err(errs);
    };
    if kind.is_choice() {
        check_options(&d, &options, &mut errs);
    } else if let Some(first) = d.options.iter().find(|o| !o.text.trim().is_empty()) {
        if kind != Kind::Judge {
            errs.push(
                Diagnostic::error(
                    Some(first.loc.clone()),
                    format!("a {kind} question has options"),
                )
                .with_hint(
                    "options belong to 单选/多选 questions; fix the 题型 or clear the options",
                )
                .zh(
                    format!("{}有选项", kind.name_zh()),
                    "只有单选题、多选题有选项：改正题型，或清空选项",
                ),
            );
        }
    }
    let stem = if kind == Kind::Fill {
        blank_markers(&stem)
    } else {
        stem
    };
    let answer = answer(&d, kind, &stem, options.len(), &mut errs);
    let difficulty = match &d.difficulty {
        Some(f) if !f.text.trim().is_empty() => match parse_difficulty(&f.text) {
            Some(v) => v,
            None => {
                errs.push(
                    Diagnostic::error(
                        Some(f.loc.clone()),
                        format!("difficulty `{}` is not 1–5 or 易/中/难", f.text.trim()),
                    )
                    .with_hint("write 1 (easiest) to 5 (hardest), or 易/较易/中/较难/难")
                    .zh(
                        format!("难度 `{}` 不是 1–5，也不是 易/中/难", f.text.trim()),
                        "写 1（最易）到 5（最难），或 易/较易/中/较难/难",
                    ),
                );
                3
            }
        },
        _ => 3,
    };
    let points = match &d.points {
        Some(f) if !f.text.trim().is_empty() => match half_width(&f.text).trim().parse::<f64>() {
            Ok(p) if p > 0.0 && p.is_finite() => p,
            _ => {
                errs.push(
                    Diagnostic::error(
                        Some(f.loc.clone()),
                        format!("points `{}` is not a positive number", f.text.trim()),
                    )
                    .with_hint("write the question's points, e.g. 2 or 0.5")
                    .zh(
                        format!("分值 `{}` 不是正数", f.text.trim()),
                        "写这道题的分值，如 2 或 0.5",
                    ),
                );
                1.0
            }
        },
        _ => 1.0,
    };
    let shuffle = match &d.shuffle {
        Some(f) if !f.text.trim().is_empty() => match parse_bool(&f.text) {
            Some(b) => b,
            None => {
                errs.push(
                    Diagnostic::error(
                        Some(f.loc.clone()),
                        format!("shuffle `{}` is not 是/否", f.text.trim()),
                    )
                    .with_hint(
                        "write 否 to keep the options in order, 是 or nothing to shuffle them",
                    )
                    .zh(
                        format!("乱序 `{}` 不是 是/否", f.text.trim()),
                        "写 否 则选项按原顺序，写 是 或不写则打乱",
                    ),
                );
                true
            }
        },
        _ => true,
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    let Some(answer) = answer else {
        return Err(errs);
    };
    let mut tags: Vec<String> = Vec::new();
    for t in d.tags {
        let t = t.trim().to_string();
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    Ok(Question {
        id: d.id,
        kind,
        stem,
        options: if kind.is_choice() {
            options
        } else {
            Vec::new()
        },
        answer,
        tags,
        difficulty,
        points,
        explanation: d.explanation.trim().to_string(),
        source: d.source.trim().to_string(),
        shuffle,
        format: TextFormat::Plain,
        scenario: None,
        parts: Vec::new(),
        location: d.loc.clone(),
    })
}

/// The kind of a question whose source does not name it: options make it a choice (by the
/// number of letters in the answer), a judge word a judge, blanks a fill-in, else a short answer.
fn infer_kind(answer: &DraftAnswer, options: &[String], stem: &str) -> Kind {
    let raw = match answer {
        DraftAnswer::Raw(f) => f.text.as_str(),
        DraftAnswer::Ready(Answer::Judge(_)) => return Kind::Judge,
        _ => "",
    };
    if !options.is_empty() {
        return match parse_choice(raw, options.len()) {
            Ok(l) if l.len() > 1 => Kind::Multiple,
            _ => Kind::Single,
        };
    }
    if parse_judge(raw).is_some()
        && !matches!(half_width(raw).trim(), "1" | "0" | "a" | "b" | "A" | "B")
    {
        return Kind::Judge;
    }
    if count_blanks(stem) > 0 {
        return Kind::Fill;
    }
    Kind::Short
}

fn check_options(d: &Draft, options: &[String], errs: &mut Vec<Diagnostic>) {
    if !(2..=8).contains(&options.len()) {
        errs.push(
            Diagnostic::error(
                Some(d.options.first().map_or(d.loc.clone(), |o| o.loc.clone())),
                format!(
                    "the question has {} options; 2 to 8 are allowed",
                    options.len()
                ),
            )
            .with_hint(if d.moodle {
                "give the question 2 to 8 answers (`=` right, `~` wrong)"
            } else {
                "fill the options A, B, … in order, without gaps"
            })
            .zh(
                format!("这道题有 {} 个选项，只能有 2 到 8 个", options.len()),
                if d.moodle {
                    "给这道题 2 到 8 个答案（`=` 为对，`~` 为错）"
                } else {
                    "从 A 起依次填写选项，中间不要空着"
                },
            ),
        );
    }
    for (i, o) in options.iter().enumerate() {
        if o.is_empty() {
            errs.push(
                Diagnostic::error(
                    Some(d.options[i].loc.clone()),
                    format!("option {} is empty", letter(i)),
                )
                .with_hint(if d.moodle {
                    "write text after each `=` or `~` (an empty answer is not an option)"
                } else {
                    "options run from A without gaps; move the later options up"
                })
                .zh(
                    format!("选项 {} 是空的", letter(i)),
                    if d.moodle {
                        "每个 `=` 或 `~` 后都要写文字（空的答案不是选项）"
                    } else {
                        "选项从 A 起连续填写：把后面的选项往前移"
                    },
                ),
            );
        } else if options[..i].contains(o) {
            errs.push(
                Diagnostic::error(
                    Some(d.options[i].loc.clone()),
                    format!("option {} repeats `{o}`", letter(i)),
                )
                .with_hint("every option must differ from the others")
                .zh(
                    format!("选项 {} 与前面的选项重复（`{o}`）", letter(i)),
                    "每个选项都要与其他选项不同",
                ),
            );
        }
    }
}

fn answer(
    d: &Draft,
    kind: Kind,
    stem: &str,
    n_options: usize,
    errs: &mut Vec<Diagnostic>,
) -> Option<Answer> {
    let field = match &d.answer {
        DraftAnswer::Ready(Answer::Fill(blanks)) => {
            // Blanks a format gave whole (GIFT, Moodle XML) are checked as the bank loader does.
            let want = count_blanks(stem);
            if blanks
                .iter()
                .any(|alts| alts.iter().all(|a| a.trim().is_empty()))
            {
                errs.push(
                    Diagnostic::error(Some(d.loc.clone()), "a blank has no answer")
                        .with_hint("give every blank at least one accepted answer")
                        .zh("有一个空没有答案", "每个空至少给一个可接受的答案"),
                );
                return None;
            }
            if want != blanks.len() {
                errs.push(
                    Diagnostic::error(
                        Some(d.stem.loc.clone()),
                        format!(
                            "the question text has {want} blank(s) (runs of ___) but {} answer(s)",
                            blanks.len()
                        ),
                    )
                    .with_hint("write underscores that are not a blank as text of another kind, or give each blank its answer")
                    .zh(
                        format!("题干有 {want} 个空（连续的 ___），答案却有 {} 个", blanks.len()),
                        "不是空的下划线请换一种写法，或给每个空写上答案",
                    ),
                );
                return None;
            }
            let blanks = blanks
                .iter()
                .map(|alts| {
                    alts.iter()
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty())
                        .collect()
                })
                .collect();
            return Some(Answer::Fill(blanks));
        }
        DraftAnswer::Ready(a) => return Some(a.clone()),
        DraftAnswer::Raw(f) if !f.text.trim().is_empty() => f,
        DraftAnswer::Raw(_) | DraftAnswer::Missing => {
            if kind == Kind::Short {
                return Some(Answer::Text {
                    reference: String::new(),
                    rubric: d.rubric.clone(),
                });
            }
            let loc = match &d.answer {
                DraftAnswer::Raw(f) => f.loc.clone(),
                _ => d.loc.clone(),
            };
            errs.push(
                Diagnostic::error(Some(loc), format!("the {kind} question has no answer"))
                    .with_hint("fill the 答案/answer column or write an `答案：` line")
                    .zh(
                        format!("这道{}没有答案", kind.name_zh()),
                        "填写 答案 列，或写一行 `答案：…`",
                    ),
            );
            return None;
        }
    };
    let text = field.text.trim();
    let err = |msg: String, hint: &str, zh: (String, &str)| {
        Diagnostic::error(Some(field.loc.clone()), msg)
            .with_hint(hint.to_string())
            .zh(zh.0, zh.1)
    };
    match kind {
        Kind::Single | Kind::Multiple => match parse_choice(text, n_options) {
            Ok(l) if kind == Kind::Single && l.len() > 1 => {
                errs.push(err(
                    format!("a 单选 question has {} answers (`{text}`)", l.len()),
                    "make the 题型 多选, or keep one letter",
                    (
                        format!("单选题有 {} 个答案（`{text}`）", l.len()),
                        "把题型改为 多选，或只留一个字母",
                    ),
                ));
                None
            }
            Ok(l) if kind == Kind::Multiple && l.len() < 2 => {
                errs.push(err(
                    format!("a 多选 question has one answer (`{text}`)"),
                    "a 多选 question needs two or more right options; make the 题型 单选",
                    (
                        format!("多选题只有一个答案（`{text}`）"),
                        "多选题要有两个以上的正确选项；只有一个就把题型改为 单选",
                    ),
                ));
                None
            }
            Ok(l) => Some(Answer::Choice(l)),
            Err(ChoiceError::Beyond(c, n)) => {
                errs.push(err(
                    format!(
                        "answer letter `{c}` is beyond the options (A–{})",
                        letter(n.saturating_sub(1))
                    ),
                    "add the option or fix the letter",
                    (
                        format!(
                            "答案写的是 `{c}`，但这道题只有 A–{} 共 {n} 个选项",
                            letter(n.saturating_sub(1))
                        ),
                        "补上这个选项，或改正答案字母",
                    ),
                ));
                None
            }
            Err(ChoiceError::NotALetter(c)) => {
                errs.push(err(
                    format!("`{c}` in the answer `{text}` is not an option letter"),
                    "write letters such as ABD, A,B,D, A、B、D or A;B;D",
                    (
                        format!("答案 `{text}` 里的 `{c}` 不是选项字母"),
                        "写成 ABD、A,B,D、A、B、D 或 A;B;D 这样的字母",
                    ),
                ));
                None
            }
            Err(ChoiceError::Empty) => {
                errs.push(err(
                    "the answer has no option letter".into(),
                    "write the right options' letters",
                    ("答案里没有选项字母".into(), "写出正确选项的字母"),
                ));
                None
            }
        },
        Kind::Judge => match parse_judge(text) {
            Some(b) => Some(Answer::Judge(b)),
            None => {
                errs.push(err(
                    format!("`{text}` is not a judge answer"),
                    "write 正确/错误, 对/错, √/×, 是/否, T/F or A/B",
                    (
                        format!("`{text}` 不是判断题的答案"),
                        "写 正确/错误、对/错、√/×、是/否、T/F 或 A/B",
                    ),
                ));
                None
            }
        },
        Kind::Fill => {
            let blanks = parse_fill(text);
            let want = count_blanks(stem);
            if blanks.iter().any(Vec::is_empty) {
                errs.push(err(
                    format!("a blank in `{text}` has no answer"),
                    "separate blanks with | and a blank's alternatives with ;",
                    (
                        format!("答案 `{text}` 里有一个空没有答案"),
                        "空与空之间用 | 隔开，同一个空的几种答案用 ; 隔开",
                    ),
                ));
                return None;
            }
            if want == 0 {
                errs.push(
                    Diagnostic::error(Some(d.stem.loc.clone()), "the 填空 stem has no blank")
                        .with_hint("mark each blank with ____ (three or more underscores) or （ ）")
                        .zh(
                            "这道填空题的题干里没有空",
                            "用 ____（三个以上下划线）或（ ）标出每个空",
                        ),
                );
                return None;
            }
            if blanks.len() != want {
                errs.push(err(
                    format!(
                        "the stem has {want} blank(s) but the answer `{text}` gives {}",
                        blanks.len()
                    ),
                    "separate blanks with | and a blank's alternatives with ;",
                    (
                        format!(
                            "题干有 {want} 个空，答案 `{text}` 却给了 {} 个",
                            blanks.len()
                        ),
                        "空与空之间用 | 隔开，同一个空的几种答案用 ; 隔开",
                    ),
                ));
                return None;
            }
            Some(Answer::Fill(blanks))
        }
        Kind::Short => Some(Answer::Text {
            reference: text.to_string(),
            rubric: d.rubric.clone(),
        }),
        Kind::Case => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_multi_select_spelling_reads_the_same() {
        for s in [
            "ABD",
            "A,B,D",
            "A、B、D",
            "A;B;D",
            "a b d",
            "ＡＢＤ",
            "D,B,A",
            "A，B；D",
        ] {
            assert_eq!(parse_choice(s, 4), Ok(vec![0, 1, 3]), "{s}");
        }
        assert_eq!(parse_choice("E", 4), Err(ChoiceError::Beyond('E', 4)));
        assert_eq!(parse_choice("A1", 4), Err(ChoiceError::NotALetter('1')));
    }

    #[test]
    fn every_judge_spelling_reads_the_same() {
        for s in ["正确", "对", "√", "是", "T", "true", "A"] {
            assert_eq!(parse_judge(s), Some(true), "{s}");
        }
        for s in ["错误", "错", "×", "否", "F", "FALSE", "B"] {
            assert_eq!(parse_judge(s), Some(false), "{s}");
        }
        assert_eq!(parse_judge("maybe"), None);
    }

    #[test]
    fn fill_blanks_and_alternatives() {
        assert_eq!(
            parse_fill("H2O;H₂O|液"),
            vec![vec!["H2O".to_string(), "H₂O".into()], vec!["液".into()]]
        );
        assert_eq!(parse_fill("二；2｜五").len(), 2);
        assert_eq!(format_fill(&parse_fill("H2O;H₂O|液")), "H2O;H₂O|液");
    }

    #[test]
    fn kinds_and_difficulties() {
        assert_eq!(parse_kind("单选题"), Some(Kind::Single));
        assert_eq!(parse_kind("多项选择题"), Some(Kind::Multiple));
        assert_eq!(parse_kind("True/False"), Some(Kind::Judge));
        assert_eq!(parse_kind("案例分析题"), Some(Kind::Short));
        assert_eq!(parse_kind("连线题"), None);
        assert_eq!(parse_difficulty("易"), Some(1));
        assert_eq!(parse_difficulty("中"), Some(3));
        assert_eq!(parse_difficulty("难"), Some(5));
        assert_eq!(parse_difficulty("４"), Some(4));
        assert_eq!(parse_difficulty("6"), None);
    }
}

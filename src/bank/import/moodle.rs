//! Moodle XML (`<quiz><question type="…">`): multichoice (single and multi), truefalse,
//! shortanswer and numerical → fill, essay → short, cloze with only short-answer blanks → fill,
//! categories and `<tags>` → tags. Read with quick-xml; CDATA and entities become text.

use super::normalise::{html_to_text, literal_star, valid_id, Draft, DraftAnswer, Field};
use super::{apply_meta_tags, category_tag, markup_to_text, slug};
use crate::bank::export::IDNUMBER_TAG;
use crate::bank::{letter, Answer, Kind};
use crate::input::diagnostic::{Diagnostic, Location};
use quick_xml::events::Event;
use quick_xml::Reader;

/// One element of the document.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `<x><text>…</text></x>` → the text, markup stripped when `format` is html or markdown.
    fn text_of(&self, name: &str) -> String {
        let Some(n) = self.child(name) else {
            return String::new();
        };
        let raw = n.child("text").map_or(n.text.as_str(), |t| t.text.as_str());
        match n.attr("format").unwrap_or("html") {
            "plain_text" => raw.trim().to_string(),
            _ => markup_to_text(raw),
        }
    }

    pub fn value(&self, name: &str) -> Option<String> {
        self.child(name).map(|n| n.text.trim().to_string())
    }
}

/// An element as it starts, with its attributes.
fn open(e: &quick_xml::events::BytesStart) -> Node {
    let mut n = Node {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        ..Node::default()
    };
    for a in e.attributes().flatten() {
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
        n.attrs.push((key, value));
    }
    n
}

/// Adds one reader event to the elements open in `stack` (the innermost last). Returns the
/// bottom element of the stack once it closes, whole; an error names the byte offset at fault
/// (`offset` is where the event starts).
fn feed(
    stack: &mut Vec<Node>,
    event: Event,
    offset: usize,
) -> Result<Option<Node>, (usize, String)> {
    let utf8 = |bytes: &[u8], at: usize| -> Result<String, (usize, String)> {
        std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            let bad = e.valid_up_to();
            (
                at + bad,
                format!("byte 0x{:02X} is not valid UTF-8", bytes[bad]),
            )
        })
    };
    let outside = || (offset, "text outside any element".to_string());
    match event {
        Event::Start(e) => stack.push(open(&e)),
        Event::Empty(e) => {
            let n = open(&e);
            match stack.last_mut() {
                Some(parent) => parent.children.push(n),
                None => return Ok(Some(n)),
            }
        }
        Event::End(_) => {
            let n = stack
                .pop()
                .ok_or((offset, "unbalanced end tag".to_string()))?;
            match stack.last_mut() {
                Some(parent) => parent.children.push(n),
                None => return Ok(Some(n)),
            }
        }
        Event::Text(t) => {
            let s = utf8(&t, offset)?;
            stack.last_mut().ok_or_else(outside)?.text.push_str(&s);
        }
        Event::CData(c) => {
            let s = utf8(&c, offset + "<![CDATA[".len())?;
            stack.last_mut().ok_or_else(outside)?.text.push_str(&s);
        }
        Event::GeneralRef(r) => {
            let s = match r.resolve_char_ref() {
                Ok(Some(c)) => c.to_string(),
                _ => {
                    let name = utf8(&r, offset + 1)?;
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or((offset, format!("unknown entity `&{name};`")))?
                        .to_string()
                }
            };
            stack.last_mut().ok_or_else(outside)?.text.push_str(&s);
        }
        _ => {}
    }
    Ok(None)
}

/// The element tree of a whole XML document, or the byte offset and reason it is not
/// well-formed.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Node, (usize, String)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let offset = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => {
                if feed(&mut stack, event, offset)?.is_some() {
                    return Err((offset, "unbalanced end tag".into()));
                }
            }
            Err(e) => return Err((reader.error_position() as usize, e.to_string())),
        }
    }
    if stack.len() != 1 {
        return Err((text.len(), "the document ends inside an element".into()));
    }
    Ok(stack.pop().expect("root"))
}

/// A reader that knows the line and column of what it has handed on: it keeps the bytes from
/// the start of the line of the last place asked for, so memory holds about one question.
struct Lines<R> {
    inner: R,
    /// Bytes handed on, from `kept_from` (a line start).
    kept: Vec<u8>,
    kept_from: usize,
    /// The line number of `kept_from`.
    line: usize,
}

impl<R: std::io::BufRead> Lines<R> {
    /// Line and column of byte `offset`; no place before the last one asked for may be asked.
    fn locate(&mut self, offset: usize) -> (usize, usize) {
        let rel = offset.saturating_sub(self.kept_from).min(self.kept.len());
        let before = &self.kept[..rel];
        let newlines = before.iter().filter(|&&b| b == b'\n').count();
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        self.line += newlines;
        self.kept.drain(..start);
        self.kept_from += start;
        (self.line, col)
    }
}

impl<R: std::io::BufRead> std::io::Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let n = {
            let have = self.fill_buf()?;
            let n = have.len().min(buf.len());
            buf[..n].copy_from_slice(&have[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(have) = self.inner.fill_buf() {
            self.kept.extend_from_slice(&have[..amt.min(have.len())]);
        }
        self.inner.consume(amt);
    }
}

/// Reads Moodle XML from `input` with a pull parser, one `<question>` at a time, handing each
/// draft to `take` as soon as its element closes: memory holds one question, not the file. A
/// question with a broken byte or an unknown entity is refused at that place (`take` gets its
/// place) and the questions after it are read; XML that is not well-formed stops the file there.
pub fn read(
    file: &str,
    input: impl std::io::BufRead,
    id_base: &str,
    diags: &mut Vec<Diagnostic>,
    take: &mut impl FnMut(Result<Draft, Location>, &mut Vec<Diagnostic>),
) {
    let mut reader = Reader::from_reader(Lines {
        inner: input,
        kept: Vec::new(),
        kept_from: 0,
        line: 1,
    });
    let at = |reader: &mut Reader<Lines<_>>, offset: usize| {
        let (line, col) = reader.get_mut().locate(offset);
        Location {
            file: file.to_string(),
            line,
            col,
        }
    };
    let invalid = |loc: Location, msg: &str| {
        Diagnostic::error(Some(loc), format!("invalid XML: {msg}"))
            .with_hint("Moodle XML is `<quiz>` holding `<question type=\"…\">` elements")
            .zh(
                format!("XML 格式错误：{msg}"),
                "Moodle XML 是 `<quiz>` 里装着若干 `<question type=\"…\">` 元素",
            )
    };
    let mut buf = Vec::new();
    // Elements open outside the question being read, and whether the first is `<quiz>`.
    let mut depth = 0usize;
    let mut in_quiz = false;
    let mut saw_quiz = false;
    // The question being read, and where it starts.
    let mut building: Vec<Node> = Vec::new();
    // Whether the question being read is refused (its error already said).
    let mut broken = false;
    let mut loc = at(&mut reader, 0);
    let mut category = String::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let offset = reader.buffer_position() as usize;
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let place = reader.error_position() as usize;
                let d = match &e {
                    quick_xml::Error::Io(io)
                        if super::decode_failed(file, io).location.is_some() =>
                    {
                        super::decode_failed(file, io)
                    }
                    _ => invalid(at(&mut reader, place), &e.to_string()),
                };
                diags.push(d);
                return;
            }
        };
        if let Event::Eof = event {
            if depth > 0 || !building.is_empty() {
                let end = reader.buffer_position() as usize;
                diags.push(invalid(
                    at(&mut reader, end),
                    "the document ends inside an element",
                ));
                return;
            }
            break;
        }
        let question = if building.is_empty() {
            let at_question = |name: &[u8]| depth == 1 && in_quiz && name == b"question";
            match &event {
                Event::Start(e) if at_question(e.name().as_ref()) => {
                    loc = at(&mut reader, offset);
                    building.push(open(e));
                    depth += 1;
                    continue;
                }
                Event::Empty(e) if at_question(e.name().as_ref()) => {
                    loc = at(&mut reader, offset);
                    open(e)
                }
                Event::Empty(e) => {
                    saw_quiz |= depth == 0 && e.name().as_ref() == b"quiz";
                    continue;
                }
                Event::Start(e) => {
                    if depth == 0 && !saw_quiz && e.name().as_ref() == b"quiz" {
                        saw_quiz = true;
                        in_quiz = true;
                    }
                    depth += 1;
                    continue;
                }
                Event::End(_) => {
                    if depth == 0 {
                        diags.push(invalid(at(&mut reader, offset), "unbalanced end tag"));
                        return;
                    }
                    depth -= 1;
                    if depth == 0 {
                        in_quiz = false;
                    }
                    continue;
                }
                _ => continue,
            }
        } else {
            match feed(&mut building, event, offset) {
                Ok(Some(q)) => {
                    depth -= 1;
                    q
                }
                Ok(None) => continue,
                Err((place, msg)) => {
                    if !broken {
                        diags.push(
                            Diagnostic::error(Some(at(&mut reader, place)), msg.clone())
                                .with_hint(
                                    "fix or retype that character (an entity other than &lt; &gt; &amp; &quot; &apos; is written as &#…;), or save the file again as UTF-8",
                                )
                                .zh(
                                    xml_problem_zh(&msg),
                                    "改正或重新输入这个字符（&lt; &gt; &amp; &quot; &apos; 以外的实体写成 &#…;），或把文件另存为 UTF-8",
                                ),
                        );
                    }
                    broken = true;
                    continue;
                }
            }
        };
        if std::mem::take(&mut broken) {
            take(Err(loc.clone()), diags);
            n += 1;
            continue;
        }
        let ty = question.attr("type").unwrap_or("");
        if ty == "category" {
            category = category_tag(&question.text_of("category"));
        } else if let Some(d) = self::question(&question, ty, &loc, n, id_base, &category, diags) {
            take(Ok(d), diags);
        }
        n += 1;
    }
    if !saw_quiz {
        diags.push(
            Diagnostic::error(
                Some(Location {
                    file: file.to_string(),
                    line: 1,
                    col: 1,
                }),
                "no `<quiz>` element",
            )
            .with_hint("export the questions from Moodle as \"Moodle XML format\"")
            .zh(
                "没有 `<quiz>` 元素",
                "从 Moodle 以“Moodle XML 格式”导出题目",
            ),
        );
    }
}

/// What the XML reader found wrong, in Chinese.
fn xml_problem_zh(msg: &str) -> String {
    if let Some(rest) = msg
        .strip_prefix("byte ")
        .and_then(|r| r.strip_suffix(" is not valid UTF-8"))
    {
        return format!("字节 {rest} 不是有效的 UTF-8");
    }
    match msg {
        "unbalanced end tag" => "结束标记与开始标记不配对".into(),
        "the document ends inside an element" => "文件在一个元素内部就结束了".into(),
        other => format!("XML 格式错误：{other}"),
    }
}

fn fraction(a: &Node) -> f64 {
    a.attr("fraction")
        .and_then(|f| f.trim().parse().ok())
        .unwrap_or(0.0)
}

fn question(
    q: &Node,
    ty: &str,
    loc: &Location,
    n: usize,
    id_base: &str,
    category: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Draft> {
    // Each message with its Chinese words, shown when the file is Chinese.
    let warn = |diags: &mut Vec<Diagnostic>, msg: String, hint: &str, zh: (String, &str)| {
        diags.push(
            Diagnostic::warning(Some(loc.clone()), msg)
                .with_hint(hint.to_string())
                .zh(zh.0, zh.1),
        );
    };
    let set_aside = |diags: &mut Vec<Diagnostic>, why: String, hint: &str, zh: (String, &str)| {
        diags.push(
            Diagnostic::warning(Some(loc.clone()), format!("{why}; not imported"))
                .with_hint(hint.to_string())
                .zh(format!("{}；未导入", zh.0), zh.1),
        );
    };
    let name = q.text_of("name");
    let mut tags: Vec<String> = Vec::new();
    if !category.is_empty() {
        tags.push(category.to_string());
    }
    let id = match q.value("idnumber").filter(|s| !s.is_empty()) {
        Some(raw) => {
            let id = valid_id(&raw);
            if id != raw {
                warn(
                    diags,
                    format!("the idnumber `{raw}` has spaces; the question's id is `{id}`, and `{raw}` is kept in the tag `{IDNUMBER_TAG}{raw}`"),
                    "`bank export` writes the kept idnumber back as the question's <idnumber>", (format!("idnumber `{raw}` 含有空格；这道题的 id 为 `{id}`，`{raw}` 保存在标签 `{IDNUMBER_TAG}{raw}` 中"), "`bank export` 会把原来的 idnumber 写回这道题的 <idnumber>"),
                );
                tags.push(format!("{IDNUMBER_TAG}{raw}"));
            }
            id
        }
        None if !slug(&name).is_empty() => format!("{id_base}-{}", slug(&name)),
        None => format!("{id_base}-{:03}", n + 1),
    };
    let mut d = Draft::new(id, loc.clone());
    d.rename_on_clash = true;
    d.moodle = true;
    if let Some(t) = q.child("tags") {
        tags.extend(t.all("tag").map(|t| t.text_of_self()));
    }
    apply_meta_tags(&mut d, &tags);
    if let Some(v) = q.value("examforge_difficulty") {
        d.difficulty = Some(Field::new(v, loc.clone()));
    }
    if let Some(v) = q.value("examforge_source") {
        d.source = v;
    }
    if q.value("hidden").is_some_and(|h| h == "1") {
        warn(
            diags,
            "the question is hidden in Moodle; it is imported as any other".into(),
            "leave it out of the blueprint's tags, or delete it from the bank, if it should not be drawn", ("这道题在 Moodle 中是隐藏的；照常导入".into(), "如果它不应被抽到，就别让组卷蓝图的标签选中它，或把它从题库删去"),
        );
    }
    let raw_stem = q
        .child("questiontext")
        .and_then(|n| n.child("text"))
        .map_or("", |t| t.text.as_str());
    let html = |n: Option<&Node>| n.and_then(|n| n.attr("format")) != Some("plain_text");
    let stem = if html(q.child("questiontext")) {
        if let Some(img) = q.value("image").filter(|s| !s.is_empty()) {
            warn(
                diags,
                format!("the image `{img}` of the question (Moodle 1.9's <image>) is left out"),
                "examforge prints text only; describe the picture in words if the question needs it", (format!("题目的图片 `{img}`（Moodle 1.9 的 <image>）未导入"), "examforge 只印文字；如果题目需要这张图，请用文字描述"),
            );
        }
        html_to_text(raw_stem, "question text", loc, diags)
    } else {
        raw_stem.trim().to_string()
    };
    if let Some(g) = q.child("generalfeedback").and_then(|n| n.child("text")) {
        if html(q.child("generalfeedback")) {
            html_to_text(&g.text, "general feedback", loc, diags);
        }
    }
    d.stem = Field::new(stem.clone(), loc.clone());
    d.explanation = q.text_of("generalfeedback");
    if let Some(g) = q.value("defaultgrade") {
        d.points = Some(Field::new(g, loc.clone()));
    }
    let answers: Vec<&Node> = q.all("answer").collect();
    for a in &answers {
        if a.attr("format").is_some_and(|f| f != "plain_text") {
            let raw = a.child("text").map_or(a.text.as_str(), |t| t.text.as_str());
            html_to_text(raw, "answer", loc, diags);
        }
    }
    match ty {
        "multichoice" => {
            let single = q
                .value("single")
                .is_none_or(|s| !matches!(s.as_str(), "false" | "0"));
            let shuffle = q.value("shuffleanswers").unwrap_or_else(|| "false".into());
            d.shuffle = Some(Field::new(
                if matches!(shuffle.as_str(), "true" | "1") {
                    "是"
                } else {
                    "否"
                },
                loc.clone(),
            ));
            let fr: Vec<f64> = answers.iter().map(|a| fraction(a)).collect();
            let odd: Vec<String> = fr
                .iter()
                .filter(|&&f| crate::bank::export::snap_fraction(f / 100.0).1)
                .map(|f| format!("{f}%"))
                .collect();
            if !odd.is_empty() {
                warn(
                    diags,
                    format!(
                        "the fraction {} is not one Moodle accepts (Moodle refuses the file)",
                        odd.join(", ")
                    ),
                    "use Moodle's grades: 100%, 50%, 33.33333%, 25%, 20% and the like",
                    (
                        format!(
                            "分值比例 {} 不是 Moodle 接受的值（Moodle 会拒收这个文件）",
                            odd.join("、")
                        ),
                        "用 Moodle 的比例：100%、50%、33.33333%、25%、20% 等",
                    ),
                );
            }
            let full = fr.iter().filter(|&&f| f >= 99.99).count();
            let positive = fr.iter().filter(|&&f| f > 0.0).count();
            if single && full > 1 {
                set_aside(
                    diags,
                    format!("{full} answers are fully right in a single-answer question, and any of them scores"),
                    "examforge's single choice has one right option; keep one at 100%, or make it a multiple response", (format!("单选题中有 {full} 个完全正确的答案，选哪个都得分"), "examforge 的单选题只有一个正确选项；只留一个 100%，或改成多选题"),
                );
                return None;
            }
            if !single && positive == 0 {
                diags.push(
                    Diagnostic::error(
                        Some(loc.clone()),
                        "no answer of the multiple response has a positive fraction",
                    )
                    .with_hint("give the right answers a positive fraction")
                    .zh("多选题没有一个答案的分值比例为正", "给正确答案正的分值比例"),
                );
                return None;
            }
            let right: Vec<bool> = fr
                .iter()
                .map(|&f| if single { f >= 99.99 } else { f > 0.0 })
                .collect();
            let k = right.iter().filter(|r| **r).count();
            if single && fr.iter().any(|&f| f > 0.0 && f < 99.99) {
                warn(
                    diags,
                    "partial-credit answers of a single-answer question are imported as wrong options".into(),
                    "examforge scores partial credit through the section's rule, not per option", ("单选题中的部分得分答案按错误选项导入".into(), "examforge 的部分得分由组卷蓝图中该部分的计分规则决定，不按选项给分"),
                );
            }
            if !single
                && k > 1
                && fr
                    .iter()
                    .filter(|&&f| f > 0.0)
                    .any(|&f| (f - 100.0 / k as f64).abs() > 0.01)
            {
                warn(
                    diags,
                    "unequal answer fractions are not kept; the options with a positive fraction are the right ones".into(),
                    "choose the section's scoring rule (partial-half, per-option, fraction) in the blueprint", ("答案的分值比例不相等，不予保留；比例为正的选项算作正确答案".into(), "在组卷蓝图中为该部分选择计分规则（partial-half、per-option、fraction）"),
                );
            }
            d.kind = Some(if single || k == 1 {
                if !single {
                    warn(
                        diags,
                        "one answer has a positive fraction: imported as a single choice (Moodle shows it with check boxes)".into(),
                        "give two or more answers a positive fraction for a multiple response", ("只有一个答案的分值比例为正：按单选题导入（Moodle 会把它显示成复选框）".into(), "多选题要给两个或更多答案正的分值比例"),
                    );
                }
                Kind::Single
            } else {
                Kind::Multiple
            });
            feedback_dropped(&answers, loc, diags);
            d.options = answers
                .iter()
                .map(|a| Field::new(a.text_of_answer(), loc.clone()))
                .collect();
            let letters: String = right
                .iter()
                .enumerate()
                .filter(|(_, r)| **r)
                .map(|(i, _)| letter(i))
                .collect();
            d.answer = DraftAnswer::Raw(Field::new(letters, loc.clone()));
        }
        "truefalse" => {
            d.kind = Some(Kind::Judge);
            let truth = answers
                .iter()
                .find(|a| fraction(a) >= 99.99)
                .map(|a| a.text_of_answer());
            match truth.as_deref() {
                Some("true") => d.answer = DraftAnswer::Ready(Answer::Judge(true)),
                Some("false") => d.answer = DraftAnswer::Ready(Answer::Judge(false)),
                other => d.answer = DraftAnswer::Raw(Field::new(other.unwrap_or(""), loc.clone())),
            }
            feedback_dropped(&answers, loc, diags);
        }
        "shortanswer" | "numerical" => {
            feedback_dropped(&answers, loc, diags);
            if ty == "shortanswer" && q.value("usecase").is_some_and(|u| u == "1") {
                warn(
                    diags,
                    "Moodle matched this short answer's case; examforge's fill-in blank keeps the answers as written".into(),
                    "list the accepted spellings as alternatives", ("Moodle 对这道简答题区分大小写；examforge 的填空题按原样保存答案".into(), "把可接受的写法列为备选答案"),
                );
            }
            if ty == "numerical" {
                let units: Vec<String> = q
                    .child("units")
                    .map(|u| {
                        u.all("unit")
                            .map(|u| u.value("unit_name").unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default();
                if !units.is_empty() {
                    warn(
                        diags,
                        format!(
                            "the units ({}) are not kept; the blank takes the number alone",
                            units.join(", ")
                        ),
                        "write the unit into the question text",
                        (
                            format!("单位（{}）不保留；这个空只填数", units.join("、")),
                            "把单位写进题干",
                        ),
                    );
                }
            }
            let mut alts = Vec::new();
            let mut partial = Vec::new();
            let mut wild = Vec::new();
            for a in &answers {
                let f = fraction(a);
                let text = a.text_of_answer();
                if ty == "numerical" {
                    if text == "*" {
                        continue;
                    }
                    let tol = a
                        .value("tolerance")
                        .map_or(Ok(0.0), |t| t.trim().parse::<f64>());
                    if f >= 99.99 && tol != Ok(0.0) {
                        set_aside(
                            diags,
                            format!("the numerical answer `{text}` accepts ±{} (a range of values), which a fill-in blank cannot check", a.value("tolerance").unwrap_or_default()),
                            "give the question an exact answer (tolerance 0), or list the accepted values as a short answer", (format!("数值答案 `{text}` 接受 ±{}（一个范围内的值），填空题无法判定", a.value("tolerance").unwrap_or_default()), "给这道题一个确切答案（误差 0），或把可接受的值列为简答题的答案"),
                        );
                        return None;
                    }
                }
                let text = if ty == "shortanswer" {
                    match literal_star(&text) {
                        Some(t) => t,
                        None => {
                            if f > 0.0 {
                                wild.push(text);
                            }
                            continue;
                        }
                    }
                } else {
                    text
                };
                if f >= 99.99 {
                    if !text.is_empty() {
                        alts.push(text);
                    }
                } else if f > 0.0 {
                    partial.push(format!("{text} ({f}%)"));
                }
            }
            if !partial.is_empty() {
                warn(
                    diags,
                    format!(
                        "answers with partial credit are not kept: {}",
                        partial.join(", ")
                    ),
                    "a fill-in blank accepts its alternatives for full points",
                    (
                        format!("部分得分的答案不保留：{}", partial.join("、")),
                        "填空题的备选答案都按满分计",
                    ),
                );
            }
            if !wild.is_empty() {
                warn(
                    diags,
                    format!("answers with the `*` wildcard are not kept: {}", wild.join(", ")),
                    "examforge matches a blank's alternatives as written; list the accepted spellings, or write \\* for a literal star", (format!("带通配符 `*` 的答案不保留：{}", wild.join("、")), "examforge 按原样比对填空题的各个备选答案；请列出可接受的写法，或写 \\* 表示星号本身"),
                );
            }
            if alts.is_empty() {
                set_aside(
                    diags,
                    format!("the {ty} question has no full-credit answer examforge can hold"),
                    "give it at least one answer at 100% without a wildcard",
                    (
                        format!("这道 {ty} 题没有 examforge 能保存的满分答案"),
                        "至少给它一个不带通配符的 100% 答案",
                    ),
                );
                return None;
            }
            if ty == "numerical" {
                warn(
                    diags,
                    format!("the numerical answer becomes a fill-in blank matched as written: `{}`", alts.join("`, `")),
                    "Moodle compared numbers (1822.0 = 1822); add the spellings students may write as alternatives", (format!("数值答案改为按原样比对的填空：`{}`", alts.join("`、`")), "Moodle 按数值比较（1822.0 = 1822）；请把考生可能的写法加为备选答案"),
                );
            }
            return super::gift::fill(d, &stem, alts, diags);
        }
        "essay" => {
            d.kind = Some(Kind::Short);
            let (reference, rubric, _) = super::split_reference(&q.text_of("graderinfo"));
            d.answer = DraftAnswer::Ready(Answer::Text { reference, rubric });
        }
        "cloze" | "multianswer" => match cloze(raw_stem) {
            Ok(c) => {
                if !c.partial.is_empty() {
                    warn(
                        diags,
                        format!(
                            "answers with partial credit are not kept: {}",
                            c.partial.join(", ")
                        ),
                        "a fill-in blank accepts its alternatives for full points",
                        (
                            format!("部分得分的答案不保留：{}", c.partial.join("、")),
                            "填空题的备选答案都按满分计",
                        ),
                    );
                }
                if !c.wild.is_empty() {
                    warn(
                        diags,
                        format!("answers with the `*` wildcard are not kept: {}", c.wild.join(", ")),
                        "examforge matches a blank's alternatives as written; write \\* for a literal star", (format!("带通配符 `*` 的答案不保留：{}", c.wild.join("、")), "examforge 按原样比对填空题的各个备选答案；写 \\* 表示星号本身"),
                    );
                }
                if c.feedback {
                    feedback_dropped_anyway(loc, diags);
                }
                d.kind = Some(Kind::Fill);
                if q.value("defaultgrade").is_none() {
                    d.points = Some(Field::new(c.weight.to_string(), loc.clone()));
                }
                d.stem = Field::new(markup_to_text(&c.stem), loc.clone());
                d.answer = DraftAnswer::Ready(Answer::Fill(c.blanks));
            }
            Err(why) => {
                set_aside(
                    diags,
                    format!("the cloze question: {why}"),
                    "only cloze questions whose blanks are all SHORTANSWER or exact NUMERICAL become fill-in questions", (format!("完形填空题：{why}"), "只有各空都是 SHORTANSWER 或确切 NUMERICAL 的完形填空题才能成为填空题"),
                );
                return None;
            }
        },
        other => {
            set_aside(
                diags,
                format!("a `{other}` question has no examforge kind"),
                "examforge holds multichoice, truefalse, shortanswer, numerical, essay and short-answer cloze questions", (format!("`{other}` 题在 examforge 中没有对应的题型"), "examforge 收 multichoice、truefalse、shortanswer、numerical、essay 和简答式完形填空题"),
            );
            return None;
        }
    }
    Some(d)
}

fn feedback_dropped(answers: &[&Node], loc: &Location, diags: &mut Vec<Diagnostic>) {
    if answers.iter().any(|a| !a.text_of("feedback").is_empty()) {
        feedback_dropped_anyway(loc, diags);
    }
}

fn feedback_dropped_anyway(loc: &Location, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::warning(Some(loc.clone()), "per-answer feedback is not kept")
            .with_hint("put what matters into the general feedback (the explanation)")
            .zh(
                "每个答案后的反馈不保留",
                "把要紧的内容写进总体反馈（即解析）",
            ),
    );
}

impl Node {
    pub fn text_of_self(&self) -> String {
        self.child("text")
            .map_or(self.text.trim(), |t| t.text.trim())
            .to_string()
    }

    fn text_of_answer(&self) -> String {
        let raw = self
            .child("text")
            .map_or(self.text.as_str(), |t| t.text.as_str());
        match self.attr("format").unwrap_or("plain_text") {
            "html" | "markdown" | "moodle_auto_format" => markup_to_text(raw),
            _ => raw.trim().to_string(),
        }
    }
}

/// A cloze question read into blanks.
struct Cloze {
    stem: String,
    blanks: Vec<Vec<String>>,
    weight: f64,
    partial: Vec<String>,
    wild: Vec<String>,
    feedback: bool,
}

/// The blank types of `ANSWER_TYPE_DEF_REGEX` that are short answers or numbers.
const FILL_TYPES: [&str; 8] = [
    "SHORTANSWER",
    "SA",
    "MW",
    "SHORTANSWER_C",
    "SAC",
    "MWC",
    "NUMERICAL",
    "NM",
];
const CHOICE_TYPES: [&str; 20] = [
    "MULTICHOICE",
    "MC",
    "MULTICHOICE_V",
    "MCV",
    "MULTICHOICE_H",
    "MCH",
    "MULTICHOICE_S",
    "MCS",
    "MULTICHOICE_VS",
    "MCVS",
    "MULTICHOICE_HS",
    "MCHS",
    "MULTIRESPONSE",
    "MR",
    "MULTIRESPONSE_H",
    "MRH",
    "MULTIRESPONSE_S",
    "MRS",
    "MULTIRESPONSE_HS",
    "MRHS",
];

/// One alternative of a blank: its fraction, answer and feedback, raw.
struct Alternative {
    fraction: f64,
    answer: String,
    feedback: Option<String>,
}

/// Reads the embedded answer starting at `text[0] == '{'` as Moodle's `ANSWER_REGEX` does:
/// `{weight:TYPE:` then alternatives `(=|%n%)?answer(#feedback)?` separated by `~`, up to `}`.
/// An answer ends before a `~`, `#` or `}` that does not follow `\`, `&` or `&amp;`; feedback
/// before a `~` or `}` that does not follow `\`. Returns the weight, type, alternatives and
/// the length matched.
fn embedded(text: &str) -> Option<(String, String, Vec<Alternative>, usize)> {
    let inner = &text[1..];
    let colon = inner.find(':')?;
    let weight = &inner[..colon];
    if !weight.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let after = &inner[colon + 1..];
    let colon2 = after.find(':')?;
    let ty = &after[..colon2];
    if !FILL_TYPES.contains(&ty) && !CHOICE_TYPES.contains(&ty) {
        return None;
    }
    let body_start = 1 + colon + 1 + colon2 + 1;
    let body = &text[body_start..];
    let mut alts = Vec::new();
    let mut i = 0;
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|c| c.1);
    let byte = |k: usize| chars.get(k).map_or(body.len(), |c| c.0);
    loop {
        let mut fraction = 0.0;
        if at(i) == Some('=') {
            fraction = 1.0;
            i += 1;
        } else if at(i) == Some('%') {
            let rest = &body[byte(i) + 1..];
            if let Some(end) = rest.find('%') {
                let w = &rest[..end];
                let ok = !w.is_empty()
                    && w.trim_start_matches('-')
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
                    && w.trim_start_matches('-')
                        .starts_with(|c: char| c.is_ascii_digit());
                if ok {
                    fraction = w.replace(',', ".").parse::<f64>().ok()? / 100.0;
                    i += w.chars().count() + 2;
                }
            }
        }
        // The answer: at least one character.
        let start = i;
        i += 1;
        loop {
            match at(i) {
                None => return None,
                Some('~' | '#' | '}') => {
                    let before = &body[byte(start)..byte(i)];
                    if before.ends_with('\\') || before.ends_with('&') || before.ends_with("&amp;")
                    {
                        i += 1;
                        continue;
                    }
                    break;
                }
                Some(_) => i += 1,
            }
        }
        let answer = body[byte(start)..byte(i)].to_string();
        let mut feedback = None;
        if at(i) == Some('#') {
            let fstart = i + 1;
            i += 1;
            loop {
                match at(i) {
                    None => return None,
                    Some('~' | '}') if !body[byte(fstart)..byte(i)].ends_with('\\') => break,
                    Some(_) => i += 1,
                }
            }
            feedback = Some(body[byte(fstart)..byte(i)].to_string());
        }
        alts.push(Alternative {
            fraction,
            answer,
            feedback,
        });
        match at(i) {
            Some('~') => i += 1,
            Some('}') => {
                return Some((
                    weight.to_string(),
                    ty.to_string(),
                    alts,
                    body_start + byte(i) + 1,
                ));
            }
            _ => return None,
        }
    }
}

/// An answer as Moodle keeps it: HTML entities decoded, then `\}` and `\#` unescaped.
pub fn unescape_cloze(s: &str) -> String {
    html_escape::decode_html_entities(s)
        .replace("\\}", "}")
        .replace("\\#", "#")
}

/// `水是 {1:SHORTANSWER:=H2O~=H₂O}` → stem `水是 ___`, blanks [[H2O, H₂O]].
fn cloze(text: &str) -> Result<Cloze, String> {
    let mut c = Cloze {
        stem: String::new(),
        blanks: Vec::new(),
        weight: 0.0,
        partial: Vec::new(),
        wild: Vec::new(),
        feedback: false,
    };
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some((weight, ty, alts, len)) = embedded(&rest[open..]) else {
            c.stem.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        if CHOICE_TYPES.contains(&ty.as_str()) {
            return Err(format!(
                "its `{ty}` blank is a choice, which a fill-in blank cannot hold"
            ));
        }
        let numerical = matches!(ty.as_str(), "NUMERICAL" | "NM");
        let mut full = Vec::new();
        for a in alts {
            c.feedback |= a.feedback.as_deref().is_some_and(|f| !f.trim().is_empty());
            let answer = unescape_cloze(&a.answer).trim().to_string();
            if a.fraction <= 0.0 {
                continue;
            }
            let answer = if numerical {
                let (value, tol) = answer.split_once(':').unwrap_or((&answer, "0"));
                if value.trim().parse::<f64>().is_err() {
                    return Err(format!("its NUMERICAL answer `{answer}` is not a number"));
                }
                if tol.trim().parse::<f64>() != Ok(0.0) {
                    return Err(format!(
                        "its NUMERICAL answer `{answer}` accepts a range of values, which a fill-in blank cannot check"
                    ));
                }
                value.trim().to_string()
            } else {
                match literal_star(&answer) {
                    Some(t) => t,
                    None => {
                        c.wild.push(answer);
                        continue;
                    }
                }
            };
            if a.fraction >= 1.0 {
                full.push(answer);
            } else {
                c.partial
                    .push(format!("{answer} ({}%)", a.fraction * 100.0));
            }
        }
        if full.is_empty() {
            return Err("a blank has no full-credit answer".into());
        }
        c.weight += weight.parse::<f64>().unwrap_or(1.0);
        c.stem.push_str(&rest[..open]);
        c.stem.push_str("___");
        c.blanks.push(full);
        rest = &rest[open + len..];
    }
    c.stem.push_str(rest);
    if c.blanks.is_empty() {
        return Err("it has no blank".into());
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_cdata_and_html_become_text() {
        let xml = "<?xml version=\"1.0\"?>\n<quiz>\n<question type=\"category\"><category><text>$course$/top/化学</text></category></question>\n<question type=\"shortanswer\"><name><text>Q &amp; A</text></name>\n<questiontext format=\"html\"><text><![CDATA[<p>&#x6C34; is H<sub>2</sub>O &lt;liquid&gt;</p>]]></text></questiontext>\n<answer fraction=\"100\"><text>a &lt; b</text></answer>\n<answer fraction=\"100\"><text>&#27700;</text></answer>\n</question>\n</quiz>\n";
        let mut diags = Vec::new();
        let mut drafts = Vec::new();
        read("q.xml", xml.as_bytes(), "p", &mut diags, &mut |d, _| {
            drafts.extend(d)
        });
        assert_eq!(drafts.len(), 1, "{diags:?}");
        let d = &drafts[0];
        assert_eq!(d.id, "p-Q-&-A");
        assert_eq!(d.loc.line, 4);
        assert_eq!(d.tags, ["化学"]);
        // CDATA keeps the entity text as written; it is then read as HTML.
        assert_eq!(d.stem.text, "水 is H2O <liquid> ___");
        match &d.answer {
            DraftAnswer::Ready(Answer::Fill(b)) => assert_eq!(b, &[vec!["a < b", "水"]]),
            other => panic!("{other:?}"),
        }
    }

    /// What Moodle XML holds and a bank cannot is named, and the question set aside or kept
    /// without it; a question whose blanks do not add up is rejected alone.
    #[test]
    fn what_a_bank_cannot_hold_is_named_at_its_question() {
        use crate::bank::import::{import, Format, Options};
        let xml = r#"<?xml version="1.0"?>
<quiz>
<question type="numerical"><name><text>tol</text></name>
<questiontext format="html"><text>1 + 1 = ?</text></questiontext>
<answer fraction="100"><text>2</text><tolerance>0.5</tolerance></answer>
</question>
<question type="numerical"><name><text>exact</text></name>
<questiontext format="html"><text>Speed of light in km/s?</text></questiontext>
<answer fraction="100"><text>300000</text><tolerance>0</tolerance></answer>
<units><unit><multiplier>1</multiplier><unit_name>km/s</unit_name></unit></units>
</question>
<question type="shortanswer"><name><text>wild</text></name>
<questiontext format="html"><text>Colour?</text></questiontext>
<usecase>1</usecase><hidden>1</hidden>
<answer fraction="100"><text>colo*r</text></answer>
<answer fraction="100"><text>5\*3</text></answer>
</question>
<question type="cloze"><name><text>stray</text></name>
<questiontext format="html"><text>a ___ b {1:SA:=x}</text></questiontext>
</question>
<question type="cloze"><name><text>ok</text></name>
<questiontext format="html"><text>{1:SA:=a\}b~=c&amp;#126;d} and {2:NM:=4:0}</text></questiontext>
</question>
</quiz>
"#;
        let opts = Options {
            prefix: "p".into(),
            sheet: None,
        };
        let got = import(Format::MoodleXml, "q.xml", xml.as_bytes(), &opts);
        let said: Vec<String> = got.diagnostics.iter().map(|d| d.to_string()).collect();
        let has = |s: &str| said.iter().any(|d| d.contains(s));
        assert!(
            has("q.xml:3:1: warning: the numerical answer `2` accepts ±0.5"),
            "{said:#?}"
        );
        assert!(has("the units (km/s) are not kept"), "{said:#?}");
        assert!(has("the question is hidden in Moodle"), "{said:#?}");
        assert!(has("Moodle matched this short answer's case"), "{said:#?}");
        assert!(
            has("answers with the `*` wildcard are not kept: colo*r"),
            "{said:#?}"
        );
        assert!(
            has("error: the question text has 2 blank(s) (runs of ___) but 1 answer(s)"),
            "{said:#?}"
        );
        let ids: Vec<&str> = got.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["p-exact", "p-wild", "p-ok"]);
        assert_eq!(
            got.questions[1].answer,
            Answer::Fill(vec![vec!["5*3".into()]])
        );
        assert_eq!(
            got.questions[2].answer,
            Answer::Fill(vec![vec!["a}b".into(), "c~d".into()], vec!["4".into()]])
        );
        assert_eq!(got.questions[2].points, 3.0, "the blanks' weights");
        assert_eq!(got.rejected.len(), 1);
    }
}

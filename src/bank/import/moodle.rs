//! Moodle XML (`<quiz><question type="…">`): multichoice (single and multi), truefalse,
//! shortanswer and numerical → fill, essay → short, cloze with only short-answer blanks → fill,
//! categories and `<tags>` → tags. Read with quick-xml; CDATA and entities become text.

use super::normalise::{Draft, DraftAnswer, Field};
use super::{apply_meta_tags, category_tag, markup_to_text, slug};
use crate::bank::{count_blanks, letter, Answer, Kind};
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
    offset: usize,
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

/// The element tree of an XML document, or the byte offset and reason it is not well-formed.
pub(crate) fn parse(text: &str) -> Result<Node, (usize, String)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let open = |e: &quick_xml::events::BytesStart, offset: usize| {
        let mut n = Node {
            name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
            offset,
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
    };
    loop {
        let offset = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(open(&e, offset)),
            Ok(Event::Empty(e)) => {
                let n = open(&e, offset);
                stack.last_mut().expect("root").children.push(n);
            }
            Ok(Event::End(_)) => {
                let n = stack.pop().expect("balanced");
                stack
                    .last_mut()
                    .ok_or((offset, "unbalanced end tag".to_string()))?
                    .children
                    .push(n);
            }
            Ok(Event::Text(t)) => {
                let s = t.decode().map_err(|e| (offset, e.to_string()))?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Ok(Event::CData(c)) => {
                let s = String::from_utf8_lossy(&c).into_owned();
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Ok(Event::GeneralRef(r)) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().map_err(|e| (offset, e.to_string()))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or((offset, format!("unknown entity `&{name};`")))?
                            .to_string()
                    }
                };
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err((reader.error_position() as usize, e.to_string())),
        }
    }
    if stack.len() != 1 {
        return Err((text.len(), "the document ends inside an element".into()));
    }
    Ok(stack.pop().expect("root"))
}

/// Reads Moodle XML into drafts.
pub fn drafts(file: &str, text: &str, id_base: &str, diags: &mut Vec<Diagnostic>) -> Vec<Draft> {
    let root = match parse(text) {
        Ok(r) => r,
        Err((at, msg)) => {
            diags.push(
                Diagnostic::error(
                    Some(Location::at(file, text, at)),
                    format!("invalid XML: {msg}"),
                )
                .with_hint("Moodle XML is `<quiz>` holding `<question type=\"…\">` elements"),
            );
            return Vec::new();
        }
    };
    let Some(quiz) = root.child("quiz") else {
        diags.push(
            Diagnostic::error(Some(Location::at(file, text, 0)), "no `<quiz>` element")
                .with_hint("export the questions from Moodle as \"Moodle XML format\""),
        );
        return Vec::new();
    };
    let mut category = String::new();
    let mut out = Vec::new();
    // Questions come in document order: count lines forward instead of from the top each time.
    let (mut line, mut line_start, mut seen) = (1, 0, 0);
    for (n, q) in quiz.all("question").enumerate() {
        let at = q.offset.min(text.len());
        for (i, _) in text[seen..at].match_indices('\n') {
            line += 1;
            line_start = seen + i + 1;
        }
        seen = at;
        let loc = Location {
            file: file.to_string(),
            line,
            col: text[line_start..at].chars().count() + 1,
        };
        let ty = q.attr("type").unwrap_or("");
        if ty == "category" {
            category = category_tag(&q.text_of("category"));
            continue;
        }
        if let Some(d) = question(q, ty, &loc, n, id_base, &category, diags) {
            out.push(d);
        }
    }
    out
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
    let name = q.text_of("name");
    let id = match q.value("idnumber").filter(|s| !s.is_empty()) {
        Some(id) => id,
        None if !name.is_empty() => format!("{id_base}-{}", slug(&name)),
        None => format!("{id_base}-{:03}", n + 1),
    };
    let mut d = Draft::new(id, loc.clone());
    let mut tags: Vec<String> = Vec::new();
    if !category.is_empty() {
        tags.push(category.to_string());
    }
    if let Some(t) = q.child("tags") {
        tags.extend(t.all("tag").map(|t| t.text_of_self()));
    }
    apply_meta_tags(&mut d, &tags);
    let raw_stem = q
        .child("questiontext")
        .and_then(|n| n.child("text"))
        .map_or("", |t| t.text.as_str());
    let stem = q.text_of("questiontext");
    if stem != raw_stem.trim()
        && q.child("questiontext").and_then(|n| n.attr("format")) != Some("plain_text")
        && raw_stem.contains('<')
    {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                "HTML in the question text is stripped to plain text",
            )
            .with_hint("examforge prints question text literally; check the imported stem"),
        );
    }
    d.stem = Field::new(stem.clone(), loc.clone());
    d.explanation = q.text_of("generalfeedback");
    if let Some(g) = q.value("defaultgrade") {
        d.points = Some(Field::new(g, loc.clone()));
    }
    let answers: Vec<&Node> = q.all("answer").collect();
    let with_blank = |s: &str| {
        if count_blanks(s) > 0 {
            s.to_string()
        } else {
            format!("{s} ___")
        }
    };
    match ty {
        "multichoice" => {
            let single = q
                .value("single")
                .is_none_or(|s| !matches!(s.as_str(), "false" | "0"));
            d.kind = Some(if single { Kind::Single } else { Kind::Multiple });
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
            let right: Vec<bool> = fr
                .iter()
                .map(|&f| if single { f >= 99.99 } else { f > 0.0 })
                .collect();
            let k = right.iter().filter(|r| **r).count();
            if single && fr.iter().any(|&f| f > 0.0 && f < 99.99) {
                diags.push(
                    Diagnostic::warning(Some(loc.clone()), "partial-credit answers of a single-answer question are imported as wrong options")
                        .with_hint("examforge scores partial credit through the section's rule, not per option"),
                );
            }
            if !single
                && k > 0
                && fr
                    .iter()
                    .filter(|&&f| f > 0.0)
                    .any(|&f| (f - 100.0 / k as f64).abs() > 0.01)
            {
                diags.push(
                    Diagnostic::warning(Some(loc.clone()), "unequal answer fractions are not kept; the options with a positive fraction are the right ones")
                        .with_hint("choose the section's scoring rule (partial-half, per-option, fraction) in the blueprint"),
                );
            }
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
            d.kind = Some(Kind::Fill);
            d.stem = Field::new(with_blank(&stem), loc.clone());
            let (full, partial): (Vec<&&Node>, Vec<&&Node>) =
                answers.iter().partition(|a| fraction(a) >= 99.99);
            let partial: Vec<String> = partial
                .iter()
                .filter(|a| fraction(a) > 0.0)
                .map(|a| a.text_of_answer())
                .collect();
            if !partial.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        Some(loc.clone()),
                        format!(
                            "answers with partial credit are not kept: {}",
                            partial.join(", ")
                        ),
                    )
                    .with_hint("a fill-in blank accepts its alternatives for full points"),
                );
            }
            if ty == "numerical"
                && full.iter().any(|a| {
                    a.value("tolerance")
                        .is_some_and(|t| t.parse::<f64>() != Ok(0.0))
                })
            {
                diags.push(
                    Diagnostic::warning(
                        Some(loc.clone()),
                        "a numerical tolerance is not kept; fill-in answers match as text",
                    )
                    .with_hint("list the accepted spellings as alternatives in the bank"),
                );
            }
            let alts: Vec<String> = full.iter().map(|a| a.text_of_answer()).collect();
            d.answer = DraftAnswer::Raw(Field::new(alts.join(";"), loc.clone()));
        }
        "essay" => {
            d.kind = Some(Kind::Short);
            let (reference, rubric, _) = super::split_reference(&q.text_of("graderinfo"));
            d.answer = DraftAnswer::Ready(Answer::Text { reference, rubric });
        }
        "cloze" | "multianswer" => match cloze(raw_stem) {
            Ok((stem, blanks, weight)) => {
                d.kind = Some(Kind::Fill);
                if q.value("defaultgrade").is_none() {
                    d.points = Some(Field::new(weight.to_string(), loc.clone()));
                }
                d.stem = Field::new(markup_to_text(&stem), loc.clone());
                d.answer = DraftAnswer::Ready(Answer::Fill(blanks));
            }
            Err(why) => {
                diags.push(
                    Diagnostic::warning(Some(loc.clone()), format!("cloze question not imported: {why}"))
                        .with_hint("only cloze questions whose blanks are all SHORTANSWER or NUMERICAL become fill-in questions"),
                );
                return None;
            }
        },
        other => {
            diags.push(
                Diagnostic::warning(Some(loc.clone()), format!("a `{other}` question has no examforge kind; not imported"))
                    .with_hint("examforge holds multichoice, truefalse, shortanswer, numerical, essay and short-answer cloze questions"),
            );
            return None;
        }
    }
    Some(d)
}

fn feedback_dropped(answers: &[&Node], loc: &Location, diags: &mut Vec<Diagnostic>) {
    if answers.iter().any(|a| !a.text_of("feedback").is_empty()) {
        diags.push(
            Diagnostic::warning(Some(loc.clone()), "per-answer feedback is not kept")
                .with_hint("put what matters into the general feedback (the explanation)"),
        );
    }
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

/// `水是 {1:SHORTANSWER:=H2O~=H₂O}` → (`水是 ____`, [[H2O, H₂O]]).
fn cloze(text: &str) -> Result<(String, Vec<Vec<String>>, f64), String> {
    let mut weight = 0.0;
    let mut stem = String::new();
    let mut blanks = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = find_unescaped(&rest[open..], '}').map(|i| open + i) else {
            return Err("a `{` is not closed".into());
        };
        let inner = &rest[open + 1..close];
        let mut parts = inner.splitn(3, ':');
        let (w, ty, body) = (parts.next(), parts.next(), parts.next());
        let (Some(ty), Some(body)) = (ty, body) else {
            stem.push_str(&rest[..=close]);
            rest = &rest[close + 1..];
            continue;
        };
        let ty = ty.trim().to_ascii_uppercase();
        if !matches!(
            ty.as_str(),
            "SHORTANSWER" | "SA" | "MW" | "SHORTANSWER_C" | "SAC" | "MWC" | "NUMERICAL" | "NM"
        ) {
            return Err(format!("its `{ty}` blank has no fill-in equivalent"));
        }
        let mut alts = Vec::new();
        for a in split_unescaped(body, '~') {
            let a = a.trim();
            let (full, a) = match a.strip_prefix('=') {
                Some(r) => (true, r),
                None => match a.strip_prefix('%').and_then(|r| r.split_once('%')) {
                    Some((w, r)) => (w.trim().parse::<f64>().is_ok_and(|w| w >= 100.0), r),
                    None => (false, a),
                },
            };
            let a = split_unescaped(a, '#')
                .into_iter()
                .next()
                .unwrap_or_default();
            if full {
                alts.push(unescape_cloze(&a));
            }
        }
        if alts.is_empty() {
            return Err("a blank has no full-credit answer".into());
        }
        weight += w.and_then(|w| w.trim().parse::<f64>().ok()).unwrap_or(1.0);
        stem.push_str(&rest[..open]);
        stem.push_str("___");
        blanks.push(alts);
        rest = &rest[close + 1..];
    }
    stem.push_str(rest);
    if blanks.is_empty() {
        return Err("it has no blank".into());
    }
    Ok((stem, blanks, weight))
}

fn find_unescaped(s: &str, ch: char) -> Option<usize> {
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        if c == ch && prev != '\\' {
            return Some(i);
        }
        prev = c;
    }
    None
}

fn split_unescaped(s: &str, ch: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut prev = ' ';
    for c in s.chars() {
        if c == ch && prev != '\\' {
            out.push(String::new());
        } else {
            out.last_mut().expect("one").push(c);
        }
        prev = c;
    }
    out
}

/// Cloze answers escape `} # ~ / " \` with a backslash.
pub fn unescape_cloze(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if "}#~/\"\\".contains(n) {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_cdata_and_html_become_text() {
        let xml = "<?xml version=\"1.0\"?>\n<quiz>\n<question type=\"category\"><category><text>$course$/top/化学</text></category></question>\n<question type=\"shortanswer\"><name><text>Q &amp; A</text></name>\n<questiontext format=\"html\"><text><![CDATA[<p>&#x6C34; is H<sub>2</sub>O &lt;liquid&gt;</p>]]></text></questiontext>\n<answer fraction=\"100\"><text>a &lt; b</text></answer>\n<answer fraction=\"100\"><text>&#27700;</text></answer>\n</question>\n</quiz>\n";
        let mut diags = Vec::new();
        let drafts = drafts("q.xml", xml, "p", &mut diags);
        assert_eq!(drafts.len(), 1, "{diags:?}");
        let d = &drafts[0];
        assert_eq!(d.id, "p-Q-&-A");
        assert_eq!(d.loc.line, 4);
        assert_eq!(d.tags, ["化学"]);
        // CDATA keeps the entity text as written; it is then read as HTML.
        assert_eq!(d.stem.text, "水 is H2O <liquid> ___");
        match &d.answer {
            DraftAnswer::Raw(f) => assert_eq!(f.text, "a < b;水"),
            other => panic!("{other:?}"),
        }
    }
}

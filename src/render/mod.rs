//! Rendering: exam.json → Typst or HTML sources through minijinja templates.
//! Defaults are embedded; a user folder overrides them file by file.

pub mod escape;
pub mod file_name;
pub mod fonts;
pub mod job;
pub mod layout;
pub mod pdf;

use crate::bank::{blank_runs, fmt_points, letter, Answer, Kind, Language, TextFormat};
use crate::draw::manifest::{Item, Manifest, Paper};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The built-in templates, by file name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("paper.typ.j2", include_str!("../../templates/paper.typ.j2")),
    (
        "papers.typ.j2",
        include_str!("../../templates/papers.typ.j2"),
    ),
    ("key.typ.j2", include_str!("../../templates/key.typ.j2")),
    ("sheet.typ.j2", include_str!("../../templates/sheet.typ.j2")),
    (
        "publish.typ.j2",
        include_str!("../../templates/publish.typ.j2"),
    ),
    (
        "paper.html.j2",
        include_str!("../../templates/paper.html.j2"),
    ),
    (
        "report.typ.j2",
        include_str!("../../templates/report.typ.j2"),
    ),
    (
        "report.html.j2",
        include_str!("../../templates/report.html.j2"),
    ),
    ("forms.typ.j2", include_str!("../../templates/forms.typ.j2")),
    (
        "certificate.typ.j2",
        include_str!("../../templates/certificate.typ.j2"),
    ),
];

/// A template that failed to load or render.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template `{name}`{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template {
        name: String,
        line: Option<usize>,
        message: String,
    },
    /// Two papers would be written to one file.
    #[error(transparent)]
    NameClash(#[from] file_name::NameClash),
}

impl RenderError {
    fn from_jinja(e: &minijinja::Error) -> Self {
        let mut message = e.kind().to_string();
        if let Some(d) = e.detail() {
            message = format!("{message}: {d}");
        }
        RenderError::Template {
            name: e.name().unwrap_or("?").to_string(),
            line: e.line(),
            message,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            RenderError::Template { .. } => "check the template at that line; `examforge init` writes copies of the defaults to start from".into(),
            RenderError::NameClash { .. } => "give every candidate an id that differs from the others in more than letter case".into(),
        })
    }
}

/// The template set: defaults, with files from `overrides` taking their place.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Builds the environment; `overrides` holds (name, source) pairs read by the caller.
    pub fn new(overrides: Vec<(String, String)>) -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".typ.j2") {
                AutoEscape::Custom("typst")
            } else if name.ends_with(".html.j2") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == AutoEscape::Custom("typst") {
                let written = if value.is_none() || value.is_undefined() {
                    Ok(())
                } else if value.is_safe()
                    || value.is_number()
                    || value.kind() == minijinja::value::ValueKind::Bool
                {
                    out.write_str(&value.to_string())
                } else {
                    let text = value
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| value.to_string());
                    out.write_str(&escape::typst_literal(&text))
                };
                written.map_err(|_| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
                })
            } else if state.auto_escape() == AutoEscape::Html
                && !value.is_safe()
                && value.kind() == minijinja::value::ValueKind::String
            {
                // Text in HTML: escaped, a power (`10^23`) raised as in the PDF.
                let text = value.as_str().unwrap_or_default();
                out.write_str(&escape::html_text(text)).map_err(|_| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
                })
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        env.add_filter("points", |v: f64| fmt_points(v));
        // A Typst string expression, for code: `#metadata({{ paper.code|string }})`.
        env.add_filter("string", |s: String| {
            Value::from_safe_string(escape::typst_string(&s))
        });
        for (name, src) in DEFAULT_TEMPLATES {
            if !overrides.iter().any(|(n, _)| n == name) {
                env.add_template(name, src)
                    .map_err(|e| RenderError::from_jinja(&e))?;
            }
        }
        for (name, src) in overrides {
            env.add_template_owned(name, src)
                .map_err(|e| RenderError::from_jinja(&e))?;
        }
        Ok(Templates { env })
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, RenderError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| RenderError::from_jinja(&e))?;
        t.render(ctx).map_err(|e| RenderError::from_jinja(&e))
    }
}

/// Reads the override templates that exist in `dir` (only the known names).
pub fn override_names() -> impl Iterator<Item = &'static str> {
    DEFAULT_TEMPLATES.iter().map(|(n, _)| *n)
}

/// One output file to write: its name and content.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Options that change what is printed.
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub confidential: bool,
    /// Every paper ends on an even page (a blank back), for printing on both sides.
    pub duplex: bool,
    /// The font families to ask typst for, in order; `None`: the whole built-in chain.
    pub fonts: Option<Vec<String>>,
}

/// The name of a paper's Typst source.
pub fn paper_source_name(p: &Paper) -> String {
    format!("paper-{}.typ", file_name::paper_stem(&p.code))
}

/// The Typst documents of one exam: each paper alone, bundles of papers, keys, the answer sheet.
pub struct TypstSet<'a> {
    templates: &'a Templates,
    manifest: &'a Manifest,
    exam: ExamView<'a>,
    papers: Vec<PaperView<'a>>,
    /// Each question once, for keys that print only tables per paper.
    explained: Option<Vec<ExplainedView<'a>>>,
    sheets: Vec<SheetVariant>,
}

/// Above this many paper codes (or with one paper per candidate) the key prints each paper's
/// answer table only, then every question's explanation once.
pub const COMPACT_KEY_ABOVE: usize = 2;

/// One question as the compact key explains it: the bank's id and letters.
#[derive(Serialize)]
struct ExplainedView<'a> {
    question: &'a str,
    item: ItemView<'a>,
}

/// Every question of the exam once, in order of first appearance, keyed in the bank's letters.
fn explained_of(m: &Manifest) -> Vec<ExplainedView<'_>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in &m.papers {
        for s in &p.sections {
            for it in s.items.iter().flat_map(Item::leaves) {
                if !seen.insert(it.question.as_str()) {
                    continue;
                }
                let mut item = ItemView::of(it, m.language);
                item.number = None;
                if let Answer::Choice(ix) = &it.answer {
                    let mut bank: Vec<usize> = ix
                        .iter()
                        .map(|&i| it.order.get(i).copied().unwrap_or(i))
                        .collect();
                    bank.sort_unstable();
                    item.key = Answer::letters(&bank);
                }
                out.push(ExplainedView {
                    question: &it.question,
                    item,
                });
            }
        }
    }
    out
}

impl<'a> TypstSet<'a> {
    /// Prepares the views of every paper.
    pub fn new(templates: &'a Templates, m: &'a Manifest, look: &Look) -> Self {
        TypstSet {
            templates,
            manifest: m,
            exam: ExamView::of(m, look),
            papers: m
                .papers
                .iter()
                .enumerate()
                .map(|(i, p)| PaperView::of(m, p, i))
                .collect(),
            explained: (m.papers.len() > COMPACT_KEY_ABOVE
                || m.papers.iter().any(|p| p.candidate.is_some()))
            .then(|| explained_of(m)),
            sheets: sheet_variants(m),
        }
    }

    /// Paper `i` as a document of its own.
    pub fn paper(&self, i: usize) -> Result<Source, RenderError> {
        Ok(Source {
            name: paper_source_name(&self.manifest.papers[i]),
            text: self.templates.render(
                "paper.typ.j2",
                minijinja::context! { exam => &self.exam, paper => &self.papers[i] },
            )?,
        })
    }

    /// A bundle of the papers in `range`, which includes their sources by name (from the root).
    pub fn bundle(&self, range: std::ops::Range<usize>) -> Result<String, RenderError> {
        let heads: Vec<PaperHead> = self.papers[range].iter().map(PaperHead::of).collect();
        self.templates.render(
            "papers.typ.j2",
            minijinja::context! { exam => &self.exam, papers => heads },
        )
    }

    /// The answer key of the papers in `range`. A compact key (see [`COMPACT_KEY_ABOVE`]) prints
    /// tables only; the range that ends with the last paper also carries the explained answers, so
    /// batches joined in order hold them once, at the end.
    pub fn key(&self, range: std::ops::Range<usize>) -> Result<String, RenderError> {
        let last = range.end == self.papers.len();
        let first = range.start == 0;
        let explained = self.explained.as_ref().filter(|_| last);
        // A compact key prints tables only: the papers without their questions.
        let papers = if self.explained.is_some() {
            Value::from_serialize(
                self.papers[range]
                    .iter()
                    .map(PaperHead::of)
                    .collect::<Vec<_>>(),
            )
        } else {
            Value::from_serialize(&self.papers[range])
        };
        self.templates.render(
            "key.typ.j2",
            minijinja::context! {
                exam => &self.exam,
                papers => papers,
                compact => self.explained.is_some(),
                first => first,
                explained => explained,
            },
        )
    }

    /// The answer sheets: the print file, or the blank of one sheet (see [`sheet_variants`]).
    pub fn sheet(&self, which: SheetPages) -> Result<String, RenderError> {
        self.templates.render(
            "sheet.typ.j2",
            minijinja::context! {
                exam => &self.exam,
                sheet => SheetView::of(self.manifest, &self.sheets, which),
            },
        )
    }

    /// The answer sheets of the exam.
    pub fn sheet_variants(&self) -> &[SheetVariant] {
        &self.sheets
    }
}

/// Typst sources: one paper per code, the bundle of all papers, one key, one answer sheet.
pub fn typst_sources(t: &Templates, m: &Manifest, look: &Look) -> Result<Vec<Source>, RenderError> {
    file_name::paper_stems(m.papers.iter().map(|p| p.code.as_str()))?;
    let set = TypstSet::new(t, m, look);
    // The papers are rendered on every core, in slices, then kept in order.
    let n = m.papers.len();
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let slice = n.div_ceil(threads).max(1);
    let slices: Vec<Result<Vec<Source>, RenderError>> = std::thread::scope(|s| {
        let set = &set;
        let handles: Vec<_> = (0..n)
            .step_by(slice)
            .map(|start| {
                s.spawn(move || {
                    (start..(start + slice).min(n))
                        .map(|i| set.paper(i))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = Vec::with_capacity(n + 3);
    for part in slices {
        out.extend(part?);
    }
    let all = 0..n;
    out.push(Source {
        name: "papers.typ".into(),
        text: set.bundle(all.clone())?,
    });
    out.push(Source {
        name: "key.typ".into(),
        text: set.key(all)?,
    });
    out.push(Source {
        name: "sheet.typ".into(),
        text: set.sheet(SheetPages::Print)?,
    });
    Ok(out)
}

/// One self-contained HTML page per paper.
pub fn html_sources(t: &Templates, m: &Manifest, look: &Look) -> Result<Vec<Source>, RenderError> {
    let exam = ExamView::of(m, look);
    let stems = file_name::paper_stems(m.papers.iter().map(|p| p.code.as_str()))?;
    m.papers
        .iter()
        .zip(stems)
        .map(|(p, stem)| {
            let paper = PaperView::of(m, p, 0);
            Ok(Source {
                name: format!("paper-{stem}.html"),
                text: t.render(
                    "paper.html.j2",
                    minijinja::context! { exam => &exam, paper => &paper },
                )?,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Labels {
    name: &'static str,
    team: &'static str,
    candidate: &'static str,
    seal: &'static str,
    confidential: &'static str,
    paper_mark: &'static str,
    duration: &'static str,
    total: &'static str,
    minutes: &'static str,
    points: &'static str,
    key_title: &'static str,
    sheet_title: &'static str,
    explanation: &'static str,
    source: &'static str,
    answer: &'static str,
    rubric: &'static str,
    page_before: &'static str,
    page_middle: &'static str,
    page_after: &'static str,
    paper_code: &'static str,
    paper_number: &'static str,
    colon: &'static str,
    lparen: &'static str,
    rparen: &'static str,
    semicolon: &'static str,
    true_mark: &'static str,
    false_mark: &'static str,
    instructions: &'static str,
    score: &'static str,
    grader: &'static str,
    on_paper: &'static str,
    sheet_note: &'static str,
    number: &'static str,
    see_below: &'static str,
    explained_title: &'static str,
    question_id: &'static str,
    exam_code: &'static str,
}

const ZH: Labels = Labels {
    name: "姓名",
    team: "单位",
    candidate: "准考证号",
    seal: "密　封　线　内　不　得　答　题",
    confidential: "绝密★启用前",
    paper_mark: "卷",
    duration: "考试时间",
    total: "满分",
    minutes: "分钟",
    points: "分",
    key_title: "参考答案及评分标准",
    sheet_title: "答题卡",
    explanation: "解析",
    source: "依据",
    answer: "答案",
    rubric: "评分要点",
    page_before: "第 ",
    page_middle: " 页 共 ",
    page_after: " 页",
    paper_code: "试卷类型",
    paper_number: "试卷编号",
    colon: "：",
    lparen: "（",
    rparen: "）",
    semicolon: "；",
    true_mark: "√",
    false_mark: "×",
    instructions: "注意事项",
    score: "得分",
    grader: "评卷人",
    on_paper: "在试卷上作答",
    sheet_note: "用2B铅笔将对应方框涂满涂黑；修改时用橡皮擦净。",
    number: "题号",
    see_below: "见下",
    explained_title: "试题解析（每题一次，按首次出现顺序；答案为题库选项字母）",
    question_id: "题目编号",
    exam_code: "考试识别码",
};

const EN: Labels = Labels {
    name: "Name",
    team: "Team",
    candidate: "Candidate No.",
    seal: "Do not write inside the seal line",
    confidential: "CONFIDENTIAL",
    paper_mark: "Paper",
    duration: "Time",
    total: "Total",
    minutes: "minutes",
    points: "points",
    key_title: "Answer key",
    sheet_title: "Answer sheet",
    explanation: "Explanation",
    source: "Source",
    answer: "Answer",
    rubric: "Rubric",
    page_before: "Page ",
    page_middle: " of ",
    page_after: "",
    paper_code: "Paper code",
    paper_number: "Paper no.",
    colon: ": ",
    lparen: "(",
    rparen: ")",
    semicolon: "; ",
    true_mark: "T",
    false_mark: "F",
    instructions: "Instructions",
    score: "Score",
    grader: "Marker",
    on_paper: "answer on the paper",
    sheet_note: "Fill the box completely with a soft pencil; erase cleanly to change.",
    number: "No.",
    see_below: "below",
    explained_title: "Explained answers (each question once, in order of first appearance; letters as in the bank)",
    question_id: "Question",
    exam_code: "Exam code",
};

#[derive(Serialize)]
struct ExamView<'a> {
    title: &'a str,
    subtitle: &'a str,
    duration: Option<u32>,
    total: String,
    instructions: &'a [String],
    confidential: bool,
    lang: &'static str,
    labels: &'static Labels,
    seed: u64,
    per_candidate: bool,
    duplex: bool,
    /// A Typst array of font families: the CJK fallback chain and a Latin face.
    fonts: String,
}

impl<'a> ExamView<'a> {
    fn of(m: &'a Manifest, look: &Look) -> Self {
        let e = &m.blueprint.exam;
        ExamView {
            title: &e.title,
            subtitle: &e.subtitle,
            duration: e.duration,
            total: fmt_points(e.total.unwrap_or_else(|| m.max_points())),
            instructions: &e.instructions,
            confidential: e.confidential || look.confidential,
            lang: if m.language == Language::Zh {
                "zh"
            } else {
                "en"
            },
            labels: if m.language == Language::Zh { &ZH } else { &EN },
            seed: m.seed,
            per_candidate: m.papers.iter().any(|p| p.candidate.is_some()),
            duplex: look.duplex,
            fonts: font_list(m.language == Language::Zh, look.fonts.as_deref()),
        }
    }
}

#[derive(Serialize)]
struct PaperView<'a> {
    code: &'a str,
    candidate_id: &'a str,
    candidate_name: &'a str,
    candidate_team: &'a str,
    /// The type size of the team in the seal line: smaller for a long name, so it fits its place.
    team_size: String,
    per_candidate: bool,
    sections: Vec<SectionView<'a>>,
    /// The paper's source from the root, as a Typst string.
    source: String,
    /// Labels that end the paper and its key, unique in any bundle: each counts its own pages.
    end: String,
    key_end: String,
    /// The answer table of the key: rows of ten.
    table: Vec<Vec<Cell>>,
}

/// A paper without its questions: what a bundle and a compact key print of it, so rendering them
/// for a thousand papers does not copy every question again.
#[derive(Serialize)]
struct PaperHead<'v> {
    code: &'v str,
    candidate_id: &'v str,
    candidate_name: &'v str,
    candidate_team: &'v str,
    per_candidate: bool,
    source: &'v str,
    end: &'v str,
    key_end: &'v str,
    table: &'v [Vec<Cell>],
}

impl<'v> PaperHead<'v> {
    fn of(p: &'v PaperView<'_>) -> Self {
        PaperHead {
            code: p.code,
            candidate_id: p.candidate_id,
            candidate_name: p.candidate_name,
            candidate_team: p.candidate_team,
            per_candidate: p.per_candidate,
            source: &p.source,
            end: &p.end,
            key_end: &p.key_end,
            table: &p.table,
        }
    }
}

#[derive(Serialize)]
struct Cell {
    number: u32,
    answer: String,
}

#[derive(Serialize)]
struct SectionView<'a> {
    heading: String,
    title: &'a str,
    items: Vec<ItemView<'a>>,
}

#[derive(Serialize)]
struct ItemView<'a> {
    number: Option<u32>,
    kind: &'static str,
    markup: bool,
    stem: &'a str,
    /// The stem split at its blanks (fill-in).
    segments: Vec<Segment<'a>>,
    options: Vec<OptionView<'a>>,
    /// Options per row: 4, 2 or 1.
    columns: usize,
    key: String,
    key_long: bool,
    points: String,
    /// "2 分", "1 point", "2 points".
    points_text: String,
    explanation: &'a str,
    source: &'a str,
    rubric: Vec<&'a str>,
    scenario: Option<&'a str>,
    parts: Vec<ItemView<'a>>,
    answer_lines: usize,
}

#[derive(Serialize)]
struct Segment<'a> {
    text: &'a str,
    blank: bool,
}

#[derive(Serialize)]
struct OptionView<'a> {
    letter: String,
    text: &'a str,
}

impl<'a> PaperView<'a> {
    /// Paper `p`, the `slot`-th of the manifest.
    fn of(m: &'a Manifest, p: &'a Paper, slot: usize) -> Self {
        let lang = m.language;
        let sections: Vec<SectionView> = p
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n = s.items.len();
                let heading = match lang {
                    Language::Zh => format!(
                        "{}、{}（每题{}分，共{}分）",
                        chinese_number(i + 1),
                        s.title,
                        fmt_points(s.points),
                        fmt_points(s.points * n as f64)
                    ),
                    Language::En => format!(
                        "{}. {} ({} × {} = {} points)",
                        roman(i + 1),
                        s.title,
                        n,
                        fmt_points(s.points),
                        fmt_points(s.points * n as f64)
                    ),
                };
                SectionView {
                    heading,
                    title: &s.title,
                    items: s.items.iter().map(|it| ItemView::of(it, lang)).collect(),
                }
            })
            .collect();
        let c = p.candidate.as_ref();
        PaperView {
            code: &p.code,
            candidate_id: c.map_or("", |c| c.id.as_str()),
            candidate_name: c.map_or("", |c| c.name.as_str()),
            candidate_team: c.map_or("", |c| c.team.as_str()),
            team_size: seal_size(c.map_or(0, |c| display_width(&c.team, lang))),
            per_candidate: c.is_some(),
            table: answer_table(&sections, lang),
            sections,
            source: escape::typst_string(&format!("/{}", paper_source_name(p))),
            end: format!("examforge-paper-end-{slot}"),
            key_end: format!("examforge-key-end-{slot}"),
        }
    }
}

impl<'a> ItemView<'a> {
    fn of(it: &'a Item, lang: Language) -> Self {
        let longest = it
            .options
            .iter()
            .map(|o| display_width(o, lang))
            .max()
            .unwrap_or(0);
        let columns = option_columns(longest);
        let segments = if it.kind == Kind::Fill {
            let mut segs = Vec::new();
            let mut at = 0;
            for r in blank_runs(&it.stem) {
                segs.push(Segment {
                    text: &it.stem[at..r.start],
                    blank: false,
                });
                segs.push(Segment {
                    text: "",
                    blank: true,
                });
                at = r.end;
            }
            segs.push(Segment {
                text: &it.stem[at..],
                blank: false,
            });
            segs
        } else {
            vec![Segment {
                text: &it.stem,
                blank: false,
            }]
        };
        let key = match (&it.answer, lang) {
            (Answer::Judge(b), Language::Zh) => if *b { "√" } else { "×" }.to_string(),
            (Answer::Judge(b), Language::En) => if *b { "True" } else { "False" }.to_string(),
            (Answer::Fill(blanks), _) => blanks
                .iter()
                .map(|alts| alts.join(" / "))
                .collect::<Vec<_>>()
                .join("；"),
            (a, _) => crate::draw::manifest::key_text(a),
        };
        let rubric = match &it.answer {
            Answer::Text { rubric, .. } => rubric.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        ItemView {
            number: it.number,
            kind: it.kind.name(),
            markup: it.format == TextFormat::Typst,
            stem: &it.stem,
            segments,
            options: it
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| OptionView {
                    letter: letter(i).to_string(),
                    text: o,
                })
                .collect(),
            columns,
            key_long: matches!(it.answer, Answer::Text { .. }),
            key,
            points: fmt_points(it.points),
            points_text: match lang {
                Language::Zh => format!("{}分", fmt_points(it.points)),
                Language::En if it.points == 1.0 => "1 point".to_string(),
                Language::En => format!("{} points", fmt_points(it.points)),
            },
            explanation: &it.explanation,
            source: &it.source,
            rubric,
            scenario: it.scenario.as_deref(),
            parts: it.parts.iter().map(|p| ItemView::of(p, lang)).collect(),
            answer_lines: match (&it.answer, it.kind) {
                (Answer::Text { reference, .. }, Kind::Short) => {
                    answer_lines(it.points, display_width(reference, lang))
                }
                (_, Kind::Short) => answer_lines(it.points, 0),
                _ => 0,
            },
        }
    }
}

/// What a number asks for on an answer sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Boxes {
    /// Letter boxes A… for a choice item with this many options.
    Letters(usize),
    /// √ and × boxes.
    Judge,
    /// Answered on the paper.
    OnPaper,
}

/// One answer-sheet layout and the papers (indices into the manifest) it serves: papers whose
/// items are of one kind at every number (choice, judge, answered on the paper) share a sheet.
#[derive(Debug, Clone)]
pub struct SheetVariant {
    pub papers: Vec<usize>,
    /// Per number: its boxes and its section on the first paper served.
    numbers: Vec<(u32, Boxes, usize)>,
}

impl SheetVariant {
    /// The numbers answered on the paper (fill, short answer, every part of a case so asked).
    pub fn on_paper(&self) -> Vec<u32> {
        self.numbers
            .iter()
            .filter(|(_, b, _)| *b == Boxes::OnPaper)
            .map(|(n, _, _)| *n)
            .collect()
    }

    /// The boxes of number `n` as (printed label, value): `None` when it is answered on the paper
    /// or not on the sheet.
    pub fn boxes(&self, n: u32, lang: Language) -> Option<Vec<(String, String)>> {
        let labels = if lang == Language::Zh { &ZH } else { &EN };
        let (_, b, _) = self.numbers.iter().find(|(m, _, _)| *m == n)?;
        match *b {
            Boxes::Letters(k) => Some(
                (0..k)
                    .map(|i| (letter(i).to_string(), letter(i).to_string()))
                    .collect(),
            ),
            Boxes::Judge => Some(vec![
                (labels.true_mark.to_string(), "T".to_string()),
                (labels.false_mark.to_string(), "F".to_string()),
            ]),
            Boxes::OnPaper => None,
        }
    }
}

/// The answer sheets of an exam: one when every paper asks for the same boxes at every number,
/// else one per group of papers that agree, in order of their first paper.
pub fn sheet_variants(m: &Manifest) -> Vec<SheetVariant> {
    let mut out: Vec<SheetVariant> = Vec::new();
    for (i, p) in m.papers.iter().enumerate() {
        let mut numbers: Vec<(u32, Boxes, usize)> = p
            .leaves()
            .filter_map(|(section, it)| {
                let b = match it.kind {
                    Kind::Single | Kind::Multiple => Boxes::Letters(it.options.len()),
                    Kind::Judge => Boxes::Judge,
                    _ => Boxes::OnPaper,
                };
                it.number.map(|n| (n, b, section))
            })
            .collect();
        numbers.sort_by_key(|x| x.0);
        // papers agree when each number is of the same class on both: letters (as many boxes as
        // the most options), √/×, or on the paper
        let class = |b: &Boxes| match b {
            Boxes::Letters(_) => 0,
            Boxes::Judge => 1,
            Boxes::OnPaper => 2,
        };
        let same = |v: &SheetVariant| {
            v.numbers.len() == numbers.len()
                && v.numbers
                    .iter()
                    .zip(&numbers)
                    .all(|(a, b)| a.0 == b.0 && class(&a.1) == class(&b.1))
        };
        match out.iter_mut().find(|v| same(v)) {
            Some(v) => {
                v.papers.push(i);
                for (a, b) in v.numbers.iter_mut().zip(&numbers) {
                    if let (Boxes::Letters(x), Boxes::Letters(y)) = (&mut a.1, &b.1) {
                        *x = (*x).max(*y);
                    }
                }
            }
            None => out.push(SheetVariant {
                papers: vec![i],
                numbers,
            }),
        }
    }
    out
}

#[derive(Serialize)]
struct SheetView {
    digits: usize,
    pages: Vec<SheetPage>,
    /// The document is one blank sheet whose tags are its layout: it attaches them.
    attach: bool,
}

/// One printed page of the answer sheets.
#[derive(Serialize)]
struct SheetPage {
    /// The paper-code boxes; with one sheet per paper code, the codes this sheet serves.
    codes: Vec<SheetMark>,
    /// The paper code printed filled in (pre-marked), or empty.
    code_filled: String,
    /// The candidate number printed in the write-in boxes and filled in below, digit by digit
    /// (empty: left to the candidate).
    candidate: Vec<String>,
    candidate_name: String,
    candidate_team: String,
    rows: usize,
    /// The rows split into the printed columns.
    columns: Vec<Vec<SheetRow>>,
    /// "第 51–57、63 题在试卷上作答" for the items answered on the paper, or empty.
    on_paper: String,
    /// The sheet's identifier cells (1 = filled), see [`layout::encode_bits`].
    code_bits: Vec<u8>,
    code_hex: String,
}

#[derive(Serialize, Clone)]
struct SheetRow {
    number: u32,
    marks: Vec<SheetMark>,
    /// The next row starts another section.
    gap_after: bool,
}

/// One box: its printed label and the value scanners write, plain and as Typst string literals.
#[derive(Serialize, Clone)]
struct SheetMark {
    label: String,
    lit: String,
    value: String,
    value_lit: String,
}

impl SheetMark {
    fn new(label: &str, value: &str) -> Self {
        SheetMark {
            label: label.to_string(),
            lit: code_literal(label),
            value: value.to_string(),
            value_lit: code_literal(value),
        }
    }
}

/// `s` as a Typst string literal in code.
fn code_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Which pages a sheet document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetPages {
    /// The blank of sheet `k`: nothing filled in, the boxes as scans are compared with.
    Blank(usize),
    /// The print file: with one sheet for all, that sheet; with a sheet per paper code, one page
    /// per code, its code filled in; with a paper per candidate, one page per candidate, the
    /// candidate number filled in.
    Print,
}

impl SheetView {
    fn of(m: &Manifest, variants: &[SheetVariant], which: SheetPages) -> Self {
        let per_candidate = m.papers.iter().any(|p| p.candidate.is_some());
        let digits = m
            .papers
            .iter()
            .filter_map(|p| p.candidate.as_ref())
            .map(|c| c.id.chars().count())
            .max()
            .unwrap_or(8)
            .clamp(4, 12);
        let several = variants.len() > 1;
        let page = |k: usize, paper: Option<usize>| {
            let v = &variants[k];
            let code = layout::sheet_code(m, k);
            let codes: Vec<SheetMark> = if per_candidate {
                Vec::new()
            } else {
                v.papers
                    .iter()
                    .map(|&i| SheetMark::new(&m.papers[i].code, &m.papers[i].code))
                    .collect()
            };
            let p = paper.map(|i| &m.papers[i]);
            let cand = p.and_then(|p| p.candidate.as_ref());
            let candidate = cand
                .filter(|c| {
                    c.id.chars().count() <= digits && c.id.chars().all(|d| d.is_ascii_digit())
                })
                .map(|c| c.id.chars().map(String::from).collect())
                .unwrap_or_default();
            let (columns, rows) = sheet_columns(v, m.language);
            SheetPage {
                code_filled: match p {
                    Some(p) if several && !per_candidate => p.code.clone(),
                    _ => String::new(),
                },
                codes,
                candidate,
                candidate_name: cand.map(|c| c.name.clone()).unwrap_or_default(),
                candidate_team: cand.map(|c| c.team.clone()).unwrap_or_default(),
                rows,
                columns,
                on_paper: on_paper_text(&v.on_paper(), m.language),
                code_bits: layout::encode_bits(code),
                code_hex: format!("{code:08x}"),
            }
        };
        let (pages, attach) = match which {
            SheetPages::Blank(k) => (vec![page(k, None)], true),
            SheetPages::Print if per_candidate || several => {
                let mut pages = Vec::new();
                for (k, v) in variants.iter().enumerate() {
                    for &i in &v.papers {
                        pages.push((i, page(k, Some(i))));
                    }
                }
                pages.sort_by_key(|x| x.0);
                (pages.into_iter().map(|x| x.1).collect(), false)
            }
            SheetPages::Print => (vec![page(0, None)], true),
        };
        SheetView {
            digits,
            pages,
            attach,
        }
    }
}

/// Whether the print file of the sheets is itself the one blank sheet (one sheet for every
/// paper, nothing filled in): then it carries the layout and is the blank scans are compared with.
pub fn sheet_print_is_blank(m: &Manifest, variants: &[SheetVariant]) -> bool {
    variants.len() <= 1 && m.papers.iter().all(|p| p.candidate.is_none())
}

/// The rows of a sheet split into printed columns, and how many rows.
fn sheet_columns(v: &SheetVariant, lang: Language) -> (Vec<Vec<SheetRow>>, usize) {
    let mut rows: Vec<SheetRow> = Vec::new();
    let mut last_section = None;
    for &(number, _, section) in &v.numbers {
        let Some(boxes) = v.boxes(number, lang) else {
            continue;
        };
        if let Some(last) = rows.last_mut() {
            last.gap_after = last_section != Some(section);
        }
        last_section = Some(section);
        rows.push(SheetRow {
            number,
            marks: boxes
                .iter()
                .map(|(l, val)| SheetMark::new(l, val))
                .collect(),
            gap_after: false,
        });
    }
    let widest = rows.iter().map(|r| r.marks.len()).max().unwrap_or(0);
    let ncols = if widest <= 6 {
        4
    } else if widest <= 8 {
        3
    } else {
        2
    };
    let per = rows.len().div_ceil(ncols).max(1);
    let n = rows.len();
    let columns = rows
        .chunks(per)
        .map(|c| {
            let mut c = c.to_vec();
            if let Some(last) = c.last_mut() {
                last.gap_after = false;
            }
            c
        })
        .collect();
    (columns, n)
}

/// "第 51–57、63 题在试卷上作答" / "Items 51–57, 63: answer on the paper".
fn on_paper_text(numbers: &[u32], lang: Language) -> String {
    let labels = if lang == Language::Zh { &ZH } else { &EN };
    if numbers.is_empty() {
        return String::new();
    }
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &n in numbers {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let text = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>();
    match lang {
        Language::Zh => format!("第 {} 题{}", text.join("、"), labels.on_paper),
        Language::En => format!("Items {}: {}", text.join(", "), labels.on_paper),
    }
}

/// The answer of every numbered item, ten to a row; long answers point to the explained key.
fn answer_table(sections: &[SectionView], lang: Language) -> Vec<Vec<Cell>> {
    let labels: &Labels = if lang == Language::Zh { &ZH } else { &EN };
    let cells: Vec<Cell> = sections
        .iter()
        .flat_map(|s| s.items.iter())
        .flat_map(|it| {
            if it.parts.is_empty() {
                std::slice::from_ref(it).iter()
            } else {
                it.parts.iter()
            }
        })
        .filter_map(|it| {
            let number = it.number?;
            let short = !it.key_long && display_width(&it.key, lang) <= 3;
            Some(Cell {
                number,
                answer: if short {
                    it.key.clone()
                } else {
                    labels.see_below.to_string()
                },
            })
        })
        .collect();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for c in cells {
        match rows.last_mut() {
            Some(r) if r.len() < 10 => r.push(c),
            _ => rows.push(vec![c]),
        }
    }
    rows
}

/// The Typst array of font families a template sets, for a document in Chinese or not: the
/// chain as resolved against the fonts typst has (`available`, see
/// [`crate::io::typst::Typst::resolve_fonts`]), else, for sources to be compiled elsewhere, the
/// whole built-in chain (CJK faces and a Latin one).
pub fn font_list(chinese: bool, available: Option<&[String]>) -> String {
    let fams: Vec<String> = match available {
        Some(f) => f.to_vec(),
        None => fonts::font_chain(chinese)
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    let mut out = String::from("(");
    for f in &fams {
        out.push_str(&escape::typst_string(f));
        out.push_str(", ");
    }
    if fams.len() == 1 {
        out.truncate(out.len() - 1);
    } else if !fams.is_empty() {
        out.truncate(out.len() - 2);
    }
    out.push(')');
    out
}

/// How wide `s` prints, in full-width (CJK) character cells rounded up. In a Chinese paper the
/// East Asian "ambiguous" characters (“ ” — …) come from the CJK font and are wide; elsewhere
/// they, and letters such as é, are narrow.
fn display_width(s: &str, lang: Language) -> usize {
    use unicode_width::UnicodeWidthStr;
    let half_cells = if lang == Language::Zh {
        s.width_cjk()
    } else {
        s.width()
    };
    half_cells.div_ceil(2)
}

/// The width of a line of paper text, in full-width cells: 10.5 pt type across the 158 mm text
/// block less the options' 1.6 em indent.
const LINE_CELLS: f64 = 41.0;

/// Options per row (4, 2 or 1) for options whose longest prints `longest` cells wide: each column
/// (less its gutter of 1.2 em and its "A. " of about 1.5 cells) must hold the longest option on one
/// line, so no option wraps to a lone character.
fn option_columns(longest: usize) -> usize {
    let fits = |c: f64| (LINE_CELLS - 1.2 * (c - 1.0)) / c - 1.5 >= longest as f64;
    if fits(4.0) {
        4
    } else if fits(2.0) {
        2
    } else {
        1
    }
}

/// Full-width cells of 9 pt type the team's place in the seal line holds.
const SEAL_TEAM_CELLS: usize = 26;

/// The type size of a seal-line entry `width` cells wide: 9 pt, smaller down to 6 pt so a long
/// name keeps to its place (longer still, it wraps).
fn seal_size(width: usize) -> String {
    let pt = if width <= SEAL_TEAM_CELLS {
        9.0
    } else {
        (9.0 * SEAL_TEAM_CELLS as f64 / width as f64).max(6.0)
    };
    format!("{pt:.1}pt")
}

/// Handwritten characters a ruled answer line holds (about 5 mm a character across 158 mm).
const HAND_CELLS_PER_LINE: usize = 30;

/// Ruled lines of a short answer: room for its reference answer (`reference` cells) written by
/// hand with a line to spare, and at least a line per point; from 3 to 30 lines.
fn answer_lines(points: f64, reference: usize) -> usize {
    let for_text = reference.div_ceil(HAND_CELLS_PER_LINE) + 1;
    for_text.max(points.ceil() as usize).clamp(3, 30)
}

/// 1 → 一, 12 → 十二.
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n].into(),
        10..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

fn roman(n: usize) -> String {
    const R: [&str; 13] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
    ];
    R.get(n - 1)
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// Where the compiled PDF of a source goes.
pub fn pdf_path(dir: &Path, source_name: &str) -> PathBuf {
    dir.join(source_name.trim_end_matches(".typ").to_string() + ".pdf")
}

/// Whether any text of the exam needs CJK glyphs.
pub fn needs_cjk(m: &Manifest) -> bool {
    let cjk = |s: &str| {
        s.chars().any(|c| {
            ('\u{2E80}'..='\u{9FFF}').contains(&c)
                || ('\u{F900}'..='\u{FAFF}').contains(&c)
                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
        })
    };
    m.language == Language::Zh
        || cjk(&m.blueprint.exam.title)
        || m.papers.iter().any(|p| {
            p.leaves()
                .any(|(_, it)| cjk(&it.stem) || it.options.iter().any(|o| cjk(o)))
                || p.candidate
                    .as_ref()
                    .is_some_and(|c| cjk(&c.name) || cjk(&c.team))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_lists_are_typst_arrays() {
        let one = vec!["Noto Serif CJK SC".to_string()];
        assert_eq!(font_list(true, Some(&one)), "(\"Noto Serif CJK SC\",)");
        let two = vec!["A".to_string(), "B".to_string()];
        assert_eq!(font_list(true, Some(&two)), "(\"A\", \"B\")");
        assert!(font_list(false, None).starts_with("(\"Libertinus Serif\", \"Noto Serif CJK SC\""));
    }

    #[test]
    fn options_take_the_columns_their_longest_fits_and_answer_space_follows_the_reference() {
        assert_eq!(option_columns(4), 4);
        assert_eq!(option_columns(7), 4);
        // "由其所在学校给予处分" is ten cells: four to a row would wrap it
        assert_eq!(option_columns(10), 2);
        assert_eq!(option_columns(18), 2);
        assert_eq!(option_columns(19), 1);
        // a 5-point answer whose reference is 330 characters: room for about 330 by hand
        let lines = answer_lines(5.0, 330);
        assert!(lines * HAND_CELLS_PER_LINE >= 330, "{lines}");
        assert_eq!(lines, 12);
        assert_eq!(answer_lines(5.0, 0), 5);
        assert_eq!(answer_lines(1.0, 10), 3);
    }

    #[test]
    fn display_width_counts_accented_letters_narrow_and_chinese_wide() {
        // é is one narrow cell, like e: eight letters are four full-width cells.
        assert_eq!(display_width("éééééééé", Language::En), 4);
        assert_eq!(display_width("eeeeeeee", Language::En), 4);
        assert_eq!(display_width("生态环境", Language::Zh), 4);
        assert_eq!(display_width("生态环境", Language::En), 4);
        // Quotation marks print wide from a CJK font, narrow from a Latin one.
        assert_eq!(display_width("“甲”", Language::Zh), 3);
        assert_eq!(display_width("“ab”", Language::En), 2);
    }
}

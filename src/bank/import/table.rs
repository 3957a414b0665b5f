//! Spreadsheet rows (from a workbook or a CSV) → drafts: the header picks each column's role,
//! either one row per question (wide) or one row per option grouped by 题目序号 (B2 multi-row).

use super::normalise::{half_width, parse_bool, parse_judge, Draft, DraftAnswer, Field};
use crate::bank::letter;
use crate::input::diagnostic::{Diagnostic, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Kind,
    Stem,
    Option(usize),
    Answer,
    Explanation,
    Difficulty,
    Points,
    Tag,
    Source,
    Shuffle,
    Rubric,
    /// 题目序号: rows with the same number form one question (multi-row layout).
    Group,
    /// 是否正确项 (multi-row layout).
    Correct,
    /// 选项内容 (multi-row layout).
    OptionText,
    /// Pictures, videos and per-option notes: examforge banks have no place for them.
    Media,
}

fn role(header: &str) -> Option<Role> {
    let h = half_width(header);
    let h = h.split('(').next().unwrap_or("");
    let h: String = h
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '-' | ':' | '：'))
        .collect::<String>()
        .to_lowercase();
    let h = h.trim_end_matches("必填");
    if let Some(rest) = h
        .strip_prefix("选项")
        .or_else(|| h.strip_prefix("option"))
        .or(Some(h))
    {
        let mut cs = rest.chars();
        if let (Some(c), None) = (cs.next(), cs.next()) {
            if ('a'..='h').contains(&c) {
                return Some(Role::Option((c as u8 - b'a') as usize));
            }
        }
    }
    let r = match h {
        "编号" | "试题编号" | "题目编号" | "id" | "questionid" => Role::Id,
        "题型" | "题目类型" | "试题类型" | "类型" | "type" | "kind" | "questiontype" => {
            Role::Kind
        }
        "题干" | "题目" | "题目内容" | "试题" | "试题内容" | "问题" | "question" | "stem"
        | "questiontext" | "text" => Role::Stem,
        "正确答案" | "答案" | "正确选项" | "参考答案" | "标准答案" | "answer" | "answers"
        | "correct" | "correctanswer" | "key" => Role::Answer,
        "解析" | "答案解析" | "整体解析" | "试题解析" | "题目解析" | "explanation" | "analysis"
        | "feedback" | "generalfeedback" => Role::Explanation,
        "难度" | "难易度" | "题目难度" | "难易程度" | "difficulty" | "level" => {
            Role::Difficulty
        }
        "分值" | "分数" | "points" | "point" | "score" | "marks" | "mark" | "grade" => {
            Role::Points
        }
        "知识点" | "知识点名称" | "标签" | "分类" | "题目分类" | "所属题库" | "章节" | "题库"
        | "tags" | "tag" | "category" | "chapter" | "topic" => Role::Tag,
        "出处" | "依据" | "法律依据" | "来源" | "source" | "reference" => Role::Source,
        "乱序" | "选项乱序" | "shuffle" => Role::Shuffle,
        "评分要点" | "评分标准" | "rubric" => Role::Rubric,
        "题目序号" | "试题序号" | "序号" | "no" | "number" => Role::Group,
        "是否正确项" | "是否正确" | "正确项" | "iscorrect" => Role::Correct,
        "选项内容" | "optiontext" => Role::OptionText,
        "题目图片" | "题目视频" | "选项解析" | "选项图片" | "图片" | "image" | "video" => {
            Role::Media
        }
        _ => return None,
    };
    Some(r)
}

/// A sheet (a workbook's or a CSV's) read row by row into drafts: the first non-empty row names
/// the columns, then each row (or, in the multi-row layout, each run of rows with one
/// 题目序号) is handed on as a draft as soon as it is complete, so that a sheet of any length
/// is read in the memory of one question.
///
/// The diagnostics come as they did when a sheet was read whole: the header's, then every
/// picture cell set aside, then every `?` a GBK file may have put for a character; the last
/// two are kept until [`Sheet::finish`].
pub struct Sheet {
    /// The name to report, e.g. `bank.csv` or `bank.xlsx[单选题]`.
    file: String,
    /// Row-numbered ids are `{id_base}-007`.
    id_base: String,
    /// Cells decoded from GBK may hold `?` for characters GBK lacks.
    lossy_question_marks: bool,
    /// The kind the sheet's name gives (a workbook with one sheet per 题型): rows without a
    /// 题型 column take it.
    kind: Option<String>,
    header: Header,
    media: Vec<Diagnostic>,
    lost: Vec<Diagnostic>,
    /// The multi-row question being read: its 题目序号, the draft and its 是否正确项 cells.
    group: Option<(String, Draft, Vec<Flag>)>,
    /// A row of the open multi-row question could not be read: the question is refused.
    group_broken: bool,
}

enum Header {
    /// No non-empty row yet.
    Awaited,
    /// The header has no 题干 column: the sheet is refused, its rows are not read.
    Refused,
    Read {
        cells: Vec<String>,
        roles: Vec<Option<Role>>,
        multirow: bool,
    },
}

impl Sheet {
    /// A sheet named `file`; see the fields for the rest.
    pub fn new(
        file: &str,
        id_base: &str,
        kind: Option<String>,
        lossy_question_marks: bool,
    ) -> Sheet {
        Sheet {
            file: file.to_string(),
            id_base: id_base.to_string(),
            lossy_question_marks,
            kind,
            header: Header::Awaited,
            media: Vec::new(),
            lost: Vec::new(),
            group: None,
            group_broken: false,
        }
    }

    fn loc(&self, line: usize, col: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
            col: col + 1,
        }
    }

    /// Reads the row on 1-based `line`; a draft it completes goes to `out`.
    pub fn row(
        &mut self,
        line: usize,
        cells: &[String],
        diags: &mut Vec<Diagnostic>,
        out: &mut dyn FnMut(Draft),
    ) {
        let blank = cells.iter().all(|c| c.trim().is_empty());
        let (header, roles, multirow) = match &self.header {
            Header::Refused => return,
            Header::Awaited if blank => return,
            Header::Awaited => {
                self.header = self.read_header(line, cells, diags);
                return;
            }
            Header::Read {
                cells,
                roles,
                multirow,
            } => (cells, roles, *multirow),
        };
        for (c, s) in cells.iter().enumerate() {
            if roles.get(c) == Some(&Some(Role::Media)) && !s.trim().is_empty() {
                self.media.push(
                    Diagnostic::warning(
                        Some(self.loc(line, c)),
                        format!(
                            "`{}` is not imported: banks hold text only",
                            header[c].trim()
                        ),
                    )
                    .with_hint("describe the picture in the stem, or add it to the paper by hand")
                    .zh(
                        format!("`{}` 列不导入：题库只存文字", header[c].trim()),
                        "在题干里用文字描述图片，或在试卷上手工加上",
                    ),
                );
            }
        }
        if self.lossy_question_marks {
            for (c, s) in cells.iter().enumerate() {
                if lost_character(s) {
                    self.lost.push(
                        Diagnostic::warning(
                            Some(self.loc(line, c)),
                            format!("`{}` holds `?`: the file is GBK, which has no place for some characters (₂, rare names)", s.trim()),
                        )
                        .with_hint("save the sheet as \"CSV UTF-8\" or import the .xlsx itself")
                        .zh(
                            format!("`{}` 里有 `?`：文件是 GBK 编码，放不下某些字符（₂、生僻字）", s.trim()),
                            "把表格另存为“CSV UTF-8”，或直接导入 .xlsx 文件",
                        ),
                    );
                }
            }
        }
        if blank {
            return;
        }
        let loc = |line: usize, col: usize| self.loc(line, col);
        if !multirow {
            let mut d = Draft::new(format!("{}-{line:03}", self.id_base), loc(line, 0));
            fill_fields(&mut d, roles, cells, line, &loc, false);
            if d.kind_name.is_none() {
                d.kind_name = self
                    .kind
                    .as_ref()
                    .map(|k| Field::new(k.clone(), loc(line, 1)));
            }
            out(d);
            return;
        }
        let group_col = roles.iter().position(|r| *r == Some(Role::Group));
        let key = group_col
            .map(|c| cell(cells, c).to_string())
            .unwrap_or_default();
        let starts = match &self.group {
            None => true,
            Some((k, _, _)) => key != *k || key.is_empty(),
        };
        if starts {
            let id = format!(
                "{}-{}",
                self.id_base,
                if key.is_empty() {
                    format!("{line:03}")
                } else {
                    format!("{key:0>3}")
                }
            );
            let mut d = Draft::new(id, loc(line, 0));
            fill_fields(&mut d, roles, cells, line, &loc, true);
            if let Some((_, d, flags)) = self.group.replace((key, d, Vec::new())) {
                if !std::mem::take(&mut self.group_broken) {
                    out(finish_group(d, &flags));
                }
            }
        }
        let (_, d, flags) = self.group.as_mut().expect("a group is open");
        for (c, r) in roles.iter().enumerate() {
            match r {
                Some(Role::OptionText) => {
                    d.options.push(Field::new(
                        cell(cells, c),
                        Location {
                            file: self.file.clone(),
                            line,
                            col: c + 1,
                        },
                    ));
                }
                Some(Role::Correct) => {
                    let v = cell(cells, c);
                    let yes = parse_bool(v).or_else(|| parse_judge(v)).unwrap_or(false);
                    flags.push((line, c, yes));
                }
                _ => {}
            }
        }
    }

    /// The first non-empty row: each column's role, a warning for each column not read.
    fn read_header(&self, line: usize, cells: &[String], diags: &mut Vec<Diagnostic>) -> Header {
        let mut roles: Vec<Option<Role>> = Vec::new();
        for (c, h) in cells.iter().enumerate() {
            if h.trim().is_empty() {
                roles.push(None);
                continue;
            }
            let r = role(h);
            if r.is_none() {
                diags.push(
                    Diagnostic::warning(
                        Some(self.loc(line, c)),
                        format!("column `{}` is not read", h.trim()),
                    )
                    .with_hint(
                        "known headers: 编号, 题型, 题干, 选项A…选项H, 正确答案, 解析, 难度, 分值, 知识点, 出处 (or type, question, A…H, answer, explanation, difficulty, points, tags, source)",
                    )
                    .zh(
                        format!("`{}` 列不读入", h.trim()),
                        "认得的列名：编号、题型、题干、选项A…选项H、正确答案、解析、难度、分值、知识点、出处",
                    ),
                );
            }
            roles.push(r);
        }
        if !roles.contains(&Some(Role::Stem)) {
            diags.push(
                Diagnostic::error(Some(self.loc(line, 0)), "the header has no 题干/question column")
                    .with_hint("the first non-empty row must name the columns, e.g. 题型,题干,选项A,选项B,正确答案")
                    .zh(
                        "表头里没有 题干 列",
                        "第一个非空行写各列的名称，如 题型,题干,选项A,选项B,正确答案",
                    ),
            );
            return Header::Refused;
        }
        let multirow =
            roles.contains(&Some(Role::Correct)) && roles.contains(&Some(Role::OptionText));
        Header::Read {
            cells: cells.to_vec(),
            roles,
            multirow,
        }
    }

    /// Ends the sheet: the last multi-row question goes to `out`, the rows' warnings to `diags`.
    pub fn finish(mut self, diags: &mut Vec<Diagnostic>, out: &mut dyn FnMut(Draft)) {
        diags.append(&mut self.media);
        diags.append(&mut self.lost);
        if let Some((_, d, flags)) = self.group.take() {
            if !self.group_broken {
                out(finish_group(d, &flags));
            }
        }
    }

    /// A row on `line` that could not be read as written (`cells` hold U+FFFD where its bytes
    /// were bad; the caller reports it): its question is refused — the row's own, or the whole
    /// multi-row question it belongs to — and the rows after it are read as usual.
    pub fn broken_row(
        &mut self,
        line: usize,
        cells: &[String],
        diags: &mut Vec<Diagnostic>,
        out: &mut dyn FnMut(Draft),
    ) {
        match &self.header {
            Header::Read { multirow: true, .. } => {
                // Read as any row, so that its 题目序号 says which question it belongs to.
                self.row(line, cells, diags, out);
                self.group_broken = true;
            }
            // A one-row question is not read; a header that cannot be read refuses the sheet.
            Header::Read { .. } | Header::Refused => {}
            Header::Awaited => self.header = Header::Refused,
        }
    }
}

/// A `?` inside a word (`H?O`), where GBK put it for a character it cannot hold; a `?` that ends
/// a sentence is punctuation.
fn lost_character(s: &str) -> bool {
    let chars: Vec<char> = s.trim().chars().collect();
    chars
        .windows(2)
        .any(|w| w[0] == '?' && !w[1].is_whitespace() && !matches!(w[1], '?' | '"' | ')' | '）'))
}

/// A 是否正确项 cell: its row, its column and whether it marks the option right.
type Flag = (usize, usize, bool);

fn cell(cells: &[String], c: usize) -> &str {
    cells.get(c).map(|s| s.trim()).unwrap_or("")
}

/// The question-level cells of one row.
fn fill_fields(
    d: &mut Draft,
    roles: &[Option<Role>],
    cells: &[String],
    line: usize,
    loc: &dyn Fn(usize, usize) -> Location,
    multirow: bool,
) {
    let mut options: Vec<(usize, Field)> = Vec::new();
    let mut stem_seen = false;
    for (c, r) in roles.iter().enumerate() {
        let Some(r) = r else { continue };
        let v = cells.get(c).map(|s| s.trim()).unwrap_or("").to_string();
        let f = Field::new(v.clone(), loc(line, c));
        match r {
            Role::Id if !v.is_empty() => d.id = v,
            Role::Kind if !v.is_empty() => {
                d.kind_name = Some(match (multirow, v.as_str()) {
                    (true, "1") => Field::new("单选", f.loc),
                    (true, "2") => Field::new("多选", f.loc),
                    _ => f,
                })
            }
            Role::Stem if !stem_seen => {
                d.stem = f;
                stem_seen = true;
            }
            Role::Option(i) => options.push((*i, f)),
            Role::Answer => d.answer = DraftAnswer::Raw(f),
            Role::Explanation => d.explanation = v,
            Role::Difficulty => d.difficulty = Some(f),
            Role::Points => d.points = Some(f),
            Role::Tag => d
                .tags
                .extend(v.split([';', '；']).map(|t| t.trim().to_string())),
            Role::Source => d.source = v,
            Role::Shuffle => d.shuffle = Some(f),
            Role::Rubric => {
                d.rubric = v
                    .split(['|', '｜'])
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            _ => {}
        }
    }
    options.sort_by_key(|(i, _)| *i);
    // Trailing empty option cells are the unused columns of a wide sheet; gaps before a filled
    // option stay, so that the checks name them.
    while options.last().is_some_and(|(_, f)| f.text.is_empty()) {
        options.pop();
    }
    d.options = options.into_iter().map(|(_, f)| f).collect();
}

/// A multi-row question: the flagged rows give the answer letters (or the judge word).
fn finish_group(mut d: Draft, flags: &[Flag]) -> Draft {
    let right: Vec<usize> = flags
        .iter()
        .enumerate()
        .filter(|(_, f)| f.2)
        .map(|(i, _)| i)
        .collect();
    let at = flags
        .iter()
        .find(|f| f.2)
        .or(flags.first())
        .map(|&(line, col, _)| Location {
            file: d.loc.file.clone(),
            line,
            col: col + 1,
        })
        .unwrap_or(d.loc.clone());
    let is_judge = d
        .kind_name
        .as_ref()
        .and_then(|k| super::normalise::parse_kind(&k.text))
        == Some(crate::bank::Kind::Judge);
    if is_judge {
        if let [i] = right.as_slice() {
            d.answer = DraftAnswer::Raw(Field::new(d.options[*i].text.clone(), at));
        }
        d.options.clear();
    } else {
        let letters: String = right.iter().map(|&i| letter(i)).collect();
        d.answer = DraftAnswer::Raw(Field::new(letters, at));
    }
    d
}

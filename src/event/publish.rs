//! The results to publish: 成绩公示表 per event and overall, 评分汇总表 per judged event, the
//! team standings and the award list, as tables in the event's language; written as one .xlsx
//! workbook (a sheet per table), as CSV files Excel opens (UTF-8 with a BOM), and as the context
//! of the `publish.typ.j2` template. Pure: the caller reads the results and writes the files.

use super::certificates::Certificate;
use super::project::Language;
use super::standings::Standings;
use super::Entrant;
use crate::bank::fmt_points;
use crate::rank::ranks;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde::Serialize;

/// One table to publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The file stem of its CSV (ASCII id plus the table's kind), unique in the set.
    pub file: String,
    /// The worksheet's name (at most 31 characters, unique in the workbook).
    pub sheet: String,
    pub title: String,
    pub header: Vec<String>,
    /// Which columns hold numbers (written as numbers in the workbook).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table (how the score was made, who is absent, …).
    pub notes: Vec<String>,
}

/// One entrant's result in one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub team: String,
    pub score: f64,
    pub pass: Option<bool>,
    /// An item waits for a third mark (仲裁): the score is provisional.
    pub pending: bool,
}

/// One judge's total for one entrant, and whether it counted.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeMark {
    pub judge: String,
    pub total: f64,
    /// `kept`, `dropped-high`, `dropped-low`, `per-criterion` (judges.csv's words).
    pub kept: String,
}

/// A judged entrant: the judges' totals and the final score.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedRow {
    pub entrant: String,
    pub team: String,
    pub marks: Vec<JudgeMark>,
    pub score: f64,
}

/// An event's results as the publisher needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct EventResults {
    pub id: String,
    pub name: String,
    /// The results score teams (a contest judged per team).
    pub team_level: bool,
    pub max: Option<f64>,
    pub rows: Vec<Row>,
    /// For a judged event: every judge's marks.
    pub judged: Option<Vec<JudgedRow>>,
    /// Registered candidates without a sheet (缺考): listed, unranked.
    pub absent: Vec<Row>,
    /// The change log of decided appeals (复核): its header and rows as the verb wrote them.
    pub changes: Option<Log>,
    /// Items waiting for a third mark (仲裁).
    pub arbitration: Option<Log>,
}

/// A log a verb wrote (changes.csv, arbitration.csv): header and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Log {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Words of the published tables, in the event's language.
struct Words {
    zh: bool,
    rank: &'static str,
    id: &'static str,
    name: &'static str,
    team: &'static str,
    entrant_team: &'static str,
    score: &'static str,
    pass: &'static str,
    yes: &'static str,
    no: &'static str,
    total: &'static str,
    results: &'static str,
    judges: &'static str,
    dropped_high: &'static str,
    dropped_low: &'static str,
    final_score: &'static str,
    members: &'static str,
    overall: &'static str,
    teams: &'static str,
    awards: &'static str,
    award: &'static str,
    number: &'static str,
    recused: &'static str,
    changes: &'static str,
    arbitration: &'static str,
    absent_exam: &'static str,
    pending: &'static str,
    kind: &'static str,
    individual: &'static str,
    team_kind: &'static str,
    none: &'static str,
    per_criterion: &'static str,
    max: &'static str,
    /// Between a label and its value.
    colon: &'static str,
    /// Between an event's name and its table's name.
    join: &'static str,
    absent: &'static str,
}

const ZH: Words = Words {
    zh: true,
    rank: "名次",
    id: "准考证号",
    name: "姓名",
    team: "单位",
    entrant_team: "参赛队",
    score: "成绩",
    pass: "是否合格",
    yes: "合格",
    no: "不合格",
    total: "总成绩",
    results: "成绩公示表",
    judges: "评分汇总表",
    dropped_high: "去掉的最高分",
    dropped_low: "去掉的最低分",
    final_score: "最后得分",
    members: "计分人数",
    overall: "总成绩公示表",
    teams: "团体成绩公示表",
    awards: "获奖名单",
    award: "奖项",
    number: "证书编号",
    recused: "回避",
    changes: "复核记录",
    arbitration: "待仲裁",
    absent_exam: "缺考",
    pending: "待仲裁",
    kind: "类别",
    individual: "个人",
    team_kind: "团体",
    none: "无",
    per_criterion: "按单项去掉最高分、最低分",
    max: "满分",
    colon: "：",
    join: "",
    absent: "缺赛",
};

const EN: Words = Words {
    zh: false,
    rank: "Rank",
    id: "ID",
    name: "Name",
    team: "Team",
    entrant_team: "Team",
    score: "Score",
    pass: "Pass",
    yes: "yes",
    no: "no",
    total: "Total",
    results: "results",
    judges: "judges' marks",
    dropped_high: "Dropped high",
    dropped_low: "Dropped low",
    final_score: "Final",
    members: "Members counted",
    overall: "Overall results",
    teams: "Team results",
    awards: "Awards",
    award: "Award",
    number: "Certificate no.",
    recused: "recused",
    changes: "appeals",
    arbitration: "awaiting arbitration",
    absent_exam: "absent",
    pending: "awaiting arbitration",
    kind: "Kind",
    individual: "individual",
    team_kind: "team",
    none: "none",
    per_criterion: "high and low dropped per criterion",
    max: "max",
    colon: ": ",
    join: " ",
    absent: "absent",
};

fn words(l: Language) -> &'static Words {
    match l {
        Language::Zh => &ZH,
        Language::En => &EN,
    }
}

/// The award words of a certificate, in the event's language.
fn award_name(l: Language, award: &str) -> String {
    if l == Language::Zh {
        return award.to_string();
    }
    match award {
        "一等奖" => "First prize".into(),
        "二等奖" => "Second prize".into(),
        "三等奖" => "Third prize".into(),
        a => match a
            .strip_prefix('第')
            .and_then(|r| r.strip_suffix('名'))
            .and_then(chinese_place)
        {
            Some(n) => format!("Place {n}"),
            None => a.to_string(),
        },
    }
}

/// 一 … 十九 → 1 … 19 (places named on certificates).
fn chinese_place(s: &str) -> Option<usize> {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let cs: Vec<char> = s.chars().collect();
    match cs[..] {
        ['十'] => Some(10),
        [d] => digit(d),
        ['十', d] => digit(d).map(|d| 10 + d),
        [t, '十'] => digit(t).map(|t| t * 10),
        [t, '十', d] => Some(digit(t)? * 10 + digit(d)?),
        _ => None,
    }
}

/// A worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// Every table of the event: per event its 成绩公示表 (and 评分汇总表 when judged), then the
/// overall standings, the team standings and the award list.
pub fn tables(
    lang: Language,
    events: &[EventResults],
    standings: Option<&Standings>,
    awards: &[Certificate],
) -> Vec<Table> {
    let w = words(lang);
    let mut out = Vec::new();
    for e in events {
        out.push(event_table(w, e));
        if let Some(j) = &e.judged {
            out.push(judges_table(w, e, j));
        }
        for (log, kind) in [(&e.changes, w.changes), (&e.arbitration, w.arbitration)] {
            if let Some(l) = log.as_ref().filter(|l| !l.rows.is_empty()) {
                out.push(log_table(w, e, l, kind));
            }
        }
    }
    if let Some(s) = standings {
        out.push(overall_table(w, s));
        if !s.teams.is_empty() {
            out.push(teams_table(w, s));
        }
        out.push(awards_table(lang, w, awards));
    }
    // Sheet names stay unique after cutting to 31 characters.
    let mut seen: Vec<String> = Vec::new();
    for t in &mut out {
        let mut name = sheet_name(&t.sheet);
        let mut n = 2;
        while seen.contains(&name) {
            let tail = format!("~{n}");
            name = sheet_name(&t.sheet)
                .chars()
                .take(31 - tail.chars().count())
                .collect::<String>()
                + tail.as_str();
            n += 1;
        }
        seen.push(name.clone());
        t.sheet = name;
    }
    out
}

fn event_table(w: &Words, e: &EventResults) -> Table {
    let scores: Vec<f64> = e.rows.iter().map(|r| r.score).collect();
    let rank = ranks(&scores);
    let mut order: Vec<usize> = (0..e.rows.len()).collect();
    order.sort_by_key(|&i| (rank[i], i));
    let has_pass = e.rows.iter().any(|r| r.pass.is_some());
    let mut header: Vec<String> = vec![w.rank.into()];
    let mut numeric = vec![true];
    if e.team_level {
        header.push(w.entrant_team.into());
        numeric.push(false);
    } else {
        header.extend([w.id.into(), w.name.into(), w.team.into()]);
        numeric.extend([false, false, false]);
    }
    header.push(w.score.into());
    numeric.push(true);
    if has_pass {
        header.push(w.pass.into());
        numeric.push(false);
    }
    let mut rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let r = &e.rows[i];
            let mut row = vec![rank[i].to_string()];
            if e.team_level {
                row.push(r.id.clone());
            } else {
                row.extend([r.id.clone(), r.name.clone(), r.team.clone()]);
            }
            row.push(fmt_points(r.score));
            if has_pass {
                row.push(match (r.pending, r.pass) {
                    (true, _) => w.pending.into(),
                    (_, Some(true)) => w.yes.into(),
                    (_, Some(false)) => w.no.into(),
                    (_, None) => String::new(),
                });
            }
            row
        })
        .collect();
    // The absent close the list, without a rank or a score.
    for a in &e.absent {
        let mut row = vec![String::new()];
        if e.team_level {
            row.push(a.id.clone());
        } else {
            row.extend([a.id.clone(), a.name.clone(), a.team.clone()]);
        }
        row.push(w.absent_exam.into());
        if has_pass {
            row.push(String::new());
        }
        rows.push(row);
    }
    let mut notes = Vec::new();
    if let Some(m) = e.max {
        notes.push(format!("{}{}{}", w.max, w.colon, fmt_points(m)));
    }
    Table {
        file: format!("{}-{}", e.id, w.results),
        sheet: format!("{}{}", e.name, w.results),
        title: format!("{}{}{}", e.name, w.join, w.results),
        header,
        numeric,
        rows,
        notes,
    }
}

/// A verb's log (changes.csv, arbitration.csv) as a table, its known headers in the event's
/// language.
fn log_table(w: &Words, e: &EventResults, log: &Log, kind: &str) -> Table {
    let header: Vec<String> = log
        .header
        .iter()
        .map(|h| if w.zh { zh_header(h) } else { h.clone() })
        .collect();
    Table {
        file: format!("{}-{}", e.id, kind.replace(' ', "-")),
        sheet: format!("{}{}", e.name, kind),
        title: format!("{}{}{}", e.name, w.join, kind),
        numeric: vec![false; header.len()],
        header,
        rows: log.rows.clone(),
        notes: Vec::new(),
    }
}

/// The Chinese of a log column.
fn zh_header(h: &str) -> String {
    match h.trim() {
        "candidate" => "准考证号",
        "name" => "姓名",
        "team" => "单位",
        "item" | "number" => "题号",
        "question" => "试题",
        "old" => "原分",
        "new" => "复核后",
        "reason" => "理由",
        "date" => "日期",
        "by" => "复核人",
        "entrant" => "参赛者",
        "judge" => "评委",
        "criterion" => "评分项",
        "marks" => "评分",
        "marker" => "评卷人",
        "points" => "分值",
        "max" => "满分",
        "paper" => "试卷",
        h => h,
    }
    .to_string()
}

fn judges_table(w: &Words, e: &EventResults, judged: &[JudgedRow]) -> Table {
    // Judges in order of first appearance.
    let mut judges: Vec<&str> = Vec::new();
    for r in judged {
        for m in &r.marks {
            if !judges.contains(&m.judge.as_str()) {
                judges.push(&m.judge);
            }
        }
    }
    let mut header: Vec<String> = vec![w.rank.into(), w.entrant_team.into()];
    if !e.team_level {
        header[1] = w.name.into();
    }
    let mut numeric = vec![true, false];
    header.extend(judges.iter().map(|j| j.to_string()));
    numeric.extend(judges.iter().map(|_| true));
    header.extend([
        w.dropped_high.into(),
        w.dropped_low.into(),
        w.final_score.into(),
    ]);
    numeric.extend([false, false, true]);
    let scores: Vec<f64> = judged.iter().map(|r| r.score).collect();
    let rank = ranks(&scores);
    let mut order: Vec<usize> = (0..judged.len()).collect();
    order.sort_by_key(|&i| (rank[i], i));
    let mut per_criterion = false;
    let rows = order
        .iter()
        .map(|&i| {
            let r = &judged[i];
            let mut row = vec![rank[i].to_string(), r.entrant.clone()];
            for j in &judges {
                row.push(
                    r.marks
                        .iter()
                        .find(|m| m.judge == *j)
                        .map(|m| {
                            if m.kept == "recused" {
                                w.recused.to_string()
                            } else {
                                fmt_points(m.total)
                            }
                        })
                        .unwrap_or_default(),
                );
            }
            let dropped = |kind: &str| {
                let v: Vec<String> = r
                    .marks
                    .iter()
                    .filter(|m| m.kept == kind)
                    .map(|m| format!("{} ({})", fmt_points(m.total), m.judge))
                    .collect();
                if v.is_empty() {
                    w.none.to_string()
                } else {
                    v.join("; ")
                }
            };
            if r.marks.iter().any(|m| m.kept == "per-criterion") {
                per_criterion = true;
                row.extend([w.per_criterion.to_string(), w.per_criterion.to_string()]);
            } else {
                row.push(dropped("dropped-high"));
                row.push(dropped("dropped-low"));
            }
            row.push(fmt_points(r.score));
            row
        })
        .collect();
    let mut notes = Vec::new();
    if let Some(m) = e.max {
        notes.push(format!("{}{}{}", w.max, w.colon, fmt_points(m)));
    }
    if per_criterion {
        notes.push(w.per_criterion.to_string());
    }
    Table {
        file: format!("{}-{}", e.id, w.judges.replace([' ', '\''], "-")),
        sheet: format!("{}{}", e.name, w.judges),
        title: format!("{}{}{}", e.name, w.join, w.judges),
        header,
        numeric,
        rows,
        notes,
    }
}

fn overall_table(w: &Words, s: &Standings) -> Table {
    let team_level = s.entrant == Entrant::Team;
    let mut header: Vec<String> = vec![w.rank.into()];
    let mut numeric = vec![true];
    if team_level {
        header.push(w.entrant_team.into());
        numeric.push(false);
    } else {
        header.extend([w.id.into(), w.name.into(), w.team.into()]);
        numeric.extend([false, false, false]);
    }
    for e in &s.events {
        header.push(if e.weight == 1.0 {
            e.name.clone()
        } else {
            format!("{} ×{}", e.name, fmt_points(e.weight))
        });
        numeric.push(true);
    }
    header.push(w.total.into());
    numeric.push(true);
    let rows = s
        .standings
        .iter()
        .map(|r| {
            let mut row = vec![r.rank.to_string()];
            if team_level {
                row.push(r.entrant.clone());
            } else {
                row.extend([r.entrant.clone(), r.name.clone(), r.team.clone()]);
            }
            row.extend(
                r.events
                    .iter()
                    .map(|e| e.map_or_else(|| w.absent.to_string(), fmt_points)),
            );
            row.push(fmt_points(r.score));
            row
        })
        .collect();
    // A standings.json written before the Chinese notes were kept reads them as empty.
    let warnings = if w.zh && s.warnings_zh.len() == s.warnings.len() {
        &s.warnings_zh
    } else {
        &s.warnings
    };
    let notes = warnings
        .iter()
        .cloned()
        .chain(s.missing.iter().map(|m| {
            let outcome = if w.zh && !m.zh.is_empty() {
                &m.zh
            } else {
                &m.outcome
            };
            format!("{}{}{}{}{outcome}", m.entrant, w.join, m.event, w.colon)
        }))
        .collect();
    Table {
        file: w.overall.replace(' ', "-").to_lowercase(),
        sheet: w.overall.into(),
        title: w.overall.into(),
        header,
        numeric,
        rows,
        notes,
    }
}

fn teams_table(w: &Words, s: &Standings) -> Table {
    Table {
        file: w.teams.replace(' ', "-").to_lowercase(),
        sheet: w.teams.into(),
        title: w.teams.into(),
        header: vec![
            w.rank.into(),
            w.team.into(),
            w.total.into(),
            w.members.into(),
        ],
        numeric: vec![true, false, true, true],
        rows: s
            .teams
            .iter()
            .map(|t| {
                vec![
                    t.rank.to_string(),
                    t.team.clone(),
                    fmt_points(t.score),
                    t.members.to_string(),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn awards_table(lang: Language, w: &Words, awards: &[Certificate]) -> Table {
    let numbered = awards.iter().any(|c| !c.number.is_empty());
    let mut header: Vec<String> = Vec::new();
    let mut numeric = Vec::new();
    if numbered {
        header.push(w.number.into());
        numeric.push(false);
    }
    header.extend([
        w.kind.into(),
        w.award.into(),
        w.rank.into(),
        w.name.into(),
        w.team.into(),
        w.total.into(),
    ]);
    numeric.extend([false, false, true, false, false, true]);
    Table {
        file: w.awards.replace(' ', "-").to_lowercase(),
        sheet: w.awards.into(),
        title: w.awards.into(),
        header,
        numeric,
        rows: awards
            .iter()
            .map(|c| {
                let mut row = Vec::new();
                if numbered {
                    row.push(c.number.clone());
                }
                row.extend([
                    if c.kind == "team" {
                        w.team_kind.into()
                    } else {
                        w.individual.into()
                    },
                    award_name(lang, &c.award),
                    c.rank.to_string(),
                    c.recipient.clone(),
                    c.team.clone(),
                    fmt_points(c.score),
                ]);
                row
            })
            .collect(),
        notes: Vec::new(),
    }
}

/// The tables as one workbook, a sheet per table (title row, header, rows, notes); its document
/// date is fixed so that the bytes depend on the results only.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, String> {
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(e)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.sheet).map_err(e)?;
        sheet
            .write_string_with_format(0, 0, &t.title, &title)
            .map_err(e)?;
        for (c, h) in t.header.iter().enumerate() {
            sheet
                .write_string_with_format(1, c as u16, h, &bold)
                .map_err(e)?;
            let width = t
                .rows
                .iter()
                .map(|r| {
                    r.get(c)
                        .map_or(0, |s| unicode_width::UnicodeWidthStr::width(s.as_str()))
                })
                .chain([unicode_width::UnicodeWidthStr::width(h.as_str())])
                .max()
                .unwrap_or(8);
            sheet
                .set_column_width(c as u16, (width as f64 + 2.0).clamp(6.0, 60.0))
                .map_err(e)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let number = t.numeric.get(c).copied().unwrap_or(false);
                match cell.parse::<f64>() {
                    Ok(v) if number && v.is_finite() => sheet.write_number(r, c as u16, v),
                    _ => sheet.write_string(r, c as u16, cell),
                }
                .map_err(e)?;
            }
        }
        let after = t.rows.len() as u32 + 3;
        for (i, n) in t.notes.iter().enumerate() {
            sheet.write_string(after + i as u32, 0, n).map_err(e)?;
        }
        sheet.set_freeze_panes(2, 0).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}

/// A table as CSV (header and rows) in UTF-8 with a BOM, so that Excel opens it right.
pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut rows = vec![t.header.clone()];
    rows.extend(t.rows.iter().cloned());
    crate::io::output::excel_csv(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contest() -> EventResults {
        let mark = |judge: &str, total: f64, kept: &str| JudgeMark {
            judge: judge.into(),
            total,
            kept: kept.into(),
        };
        EventResults {
            id: "onsite".into(),
            name: "现场执法比武".into(),
            team_level: true,
            max: Some(100.0),
            rows: vec![
                Row {
                    id: "甲队".into(),
                    name: "甲队".into(),
                    team: "甲队".into(),
                    score: 80.0,
                    pass: None,
                    pending: false,
                },
                Row {
                    id: "乙队".into(),
                    name: "乙队".into(),
                    team: "乙队".into(),
                    score: 90.0,
                    pass: None,
                    pending: false,
                },
            ],
            judged: Some(vec![JudgedRow {
                entrant: "乙队".into(),
                team: "乙队".into(),
                marks: vec![
                    mark("评委1", 95.0, "dropped-high"),
                    mark("评委2", 90.0, "kept"),
                    mark("评委3", 70.0, "dropped-low"),
                ],
                score: 90.0,
            }]),
            absent: Vec::new(),
            changes: None,
            arbitration: None,
        }
    }

    #[test]
    fn a_chinese_event_publishes_ranked_tables_with_chinese_headers() {
        let t = tables(Language::Zh, &[contest()], None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].header, ["名次", "参赛队", "成绩"]);
        assert_eq!(t[0].rows[0], ["1", "乙队", "90"]);
        assert_eq!(t[0].rows[1], ["2", "甲队", "80"]);
        assert_eq!(
            t[1].header,
            [
                "名次",
                "参赛队",
                "评委1",
                "评委2",
                "评委3",
                "去掉的最高分",
                "去掉的最低分",
                "最后得分"
            ]
        );
        assert_eq!(
            t[1].rows[0],
            [
                "1",
                "乙队",
                "95",
                "90",
                "70",
                "95 (评委1)",
                "70 (评委3)",
                "90"
            ]
        );
        let csv = to_csv(&t[0]);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        assert!(String::from_utf8(csv).unwrap().contains("名次,参赛队,成绩"));
    }

    #[test]
    fn sheet_names_stay_unique_and_short() {
        let mut a = contest();
        a.name = "很长很长很长很长很长很长很长很长很长很长很长很长很长很长".into();
        let mut b = a.clone();
        b.id = "video".into();
        let t = tables(Language::En, &[a, b], None, &[]);
        let names: Vec<&str> = t.iter().map(|t| t.sheet.as_str()).collect();
        assert!(names.iter().all(|n| n.chars().count() <= 31), "{names:?}");
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "{names:?}");
        assert!(to_xlsx(&t).is_ok());
    }

    #[test]
    fn places_read_back_in_english() {
        assert_eq!(award_name(Language::En, "第十二名"), "Place 12");
        assert_eq!(award_name(Language::En, "一等奖"), "First prize");
        assert_eq!(award_name(Language::Zh, "一等奖"), "一等奖");
    }
}

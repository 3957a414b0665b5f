//! The statute registry (`laws.toml`): which instrument a citation names, and whether it is in
//! force on a given day. Pure: the caller reads the file and picks the date.

pub mod citation;

use crate::bank::Question;
use crate::input::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::input::toml::TomlDoc;
use citation::Citation;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use toml::Spanned;

/// A calendar day, e.g. 2026-08-15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let dt: toml::value::Datetime = s.trim().parse().ok()?;
        Date::from_toml(&dt)
    }

    /// The calendar day `days` after 1970-01-01.
    pub fn from_unix_days(days: i64) -> Date {
        use chrono::Datelike;
        let d = chrono::DateTime::from_timestamp(days.saturating_mul(86_400), 0)
            .unwrap_or_default()
            .date_naive();
        Date {
            year: u16::try_from(d.year()).unwrap_or(0),
            month: d.month() as u8,
            day: d.day() as u8,
        }
    }

    fn from_toml(dt: &toml::value::Datetime) -> Option<Date> {
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Some(Date {
                year: d.year,
                month: d.month,
                day: d.day,
            }),
            _ => None,
        }
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        Date::parse(s).ok_or_else(|| format!("`{s}` is not a date written as YYYY-MM-DD"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    /// From a string (JSON, TOML) or a TOML date literal (`date = 2026-12-01`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2026-12-01")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Date, E> {
                Date::parse(s)
                    .ok_or_else(|| E::custom(format!("`{s}` is not a date written as YYYY-MM-DD")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Date, A::Error> {
                let dt: toml::value::Datetime = serde::Deserialize::deserialize(
                    serde::de::value::MapAccessDeserializer::new(&mut m),
                )?;
                Date::from_toml(&dt).ok_or_else(|| {
                    serde::de::Error::custom(format!("`{dt}` is not a date alone (no time)"))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// What kind of instrument it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum InstrumentKind {
    #[serde(rename = "法律")]
    Law,
    #[serde(rename = "行政法规")]
    Regulation,
    #[serde(rename = "部门规章")]
    MinistryRule,
    #[serde(rename = "司法解释")]
    JudicialInterpretation,
    #[serde(rename = "规范性文件")]
    NormativeDocument,
}

/// One instrument of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instrument {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: InstrumentKind,
    /// Adopted (passed, promulgated) on: facts about the instrument itself — its adoption, title,
    /// structure — hold from this day, though its articles bind only from `in_force`.
    pub adopted: Option<Date>,
    pub adopted_source: String,
    /// In force from (the version the banks cite); `None` when no source gives it.
    pub in_force: Option<Date>,
    pub in_force_source: String,
    /// Repealed or replaced on.
    pub replaced_on: Option<Date>,
    /// The registry id of the instrument that replaced it.
    pub replaced_by: Option<String>,
    pub replaced_source: String,
    pub note: String,
}

/// Where an instrument stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    InForce,
    /// In force unless repealed, but the registry has no sourced commencement date.
    Undated,
    /// Adopted but not yet in force: a citation of the instrument alone (no article) is in
    /// force, a citation of one of its articles is not.
    Adopted,
    NotYetInForce,
    Replaced,
}

impl Status {
    /// Whether a question citing the instrument is out of date.
    pub fn outdated(self) -> bool {
        matches!(
            self,
            Status::Adopted | Status::NotYetInForce | Status::Replaced
        )
    }

    /// The status's name in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Status::InForce => "in-force",
            Status::Undated => "undated",
            Status::Adopted => "adopted",
            Status::NotYetInForce => "not-yet-in-force",
            Status::Replaced => "replaced",
        }
    }
}

impl Instrument {
    /// Its standing on `date`.
    pub fn status_on(&self, date: Date) -> Status {
        if self.replaced_on.is_some_and(|r| r <= date) {
            Status::Replaced
        } else if let Some(from) = self.in_force {
            if from <= date {
                Status::InForce
            } else if self.adopted.is_some_and(|a| a <= date) {
                Status::Adopted
            } else {
                Status::NotYetInForce
            }
        } else {
            Status::Undated
        }
    }

    /// The standing on `date` of what a citation of it says. A citation naming the instrument
    /// without an article is about the instrument itself (its adoption, title, structure) and
    /// holds from its adoption; a citation of an article holds only once it is in force.
    pub fn cited_status(&self, c: &Citation, date: Date) -> Status {
        match self.status_on(date) {
            Status::Adopted if c.articles.is_empty() => Status::InForce,
            Status::Adopted => Status::NotYetInForce,
            other => other,
        }
    }

    /// 《name》 as printed in messages.
    pub fn quoted(&self) -> String {
        format!("《{}》", self.name)
    }
}

/// The registry.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub instruments: Vec<Instrument>,
    /// Titles that are not instruments (forms, documents) and are not checked.
    pub not_instruments: Vec<String>,
    by_title: HashMap<String, usize>,
}

/// What `lookup` found for a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Instrument(&'a Instrument),
    /// A document title the registry lists as not an instrument.
    NotInstrument,
    Unknown,
}

/// The title as matched: without 《》, spaces and the 中华人民共和国 prefix.
fn normalise(title: &str) -> String {
    let t: String = title
        .trim()
        .trim_start_matches('《')
        .trim_end_matches('》')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    t.strip_prefix("中华人民共和国").unwrap_or(&t).to_string()
}

impl Registry {
    /// Finds the instrument a title names (its name or any alias, with or without 中华人民共和国).
    pub fn lookup(&self, title: &str) -> Lookup<'_> {
        let key = normalise(title);
        if let Some(&i) = self.by_title.get(&key) {
            return Lookup::Instrument(&self.instruments[i]);
        }
        if self.not_instruments.iter().any(|t| normalise(t) == key) {
            return Lookup::NotInstrument;
        }
        Lookup::Unknown
    }

    /// The instrument with registry id `id`.
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// Parses `laws.toml`; every problem is reported with `file:line:col`.
    pub fn parse(file: &str, text: &str) -> Result<Registry, Vec<Diagnostic>> {
        let doc = TomlDoc::parse(file, text).map_err(Diagnostics::into_vec)?;
        let raw: RawRegistry = doc.deserialize().map_err(Diagnostics::into_vec)?;
        let mut diags = Vec::new();
        let mut reg = Registry {
            not_instruments: raw.not_instruments,
            ..Registry::default()
        };
        let err = |diags: &mut Vec<Diagnostic>, at: usize, msg: String, hint: &str| {
            diags.push(Diagnostic::error(Some(Location::at(file, text, at)), msg).with_hint(hint));
        };
        let ids: Vec<String> = raw
            .instrument
            .iter()
            .map(|r| r.id.get_ref().clone())
            .collect();
        for r in &raw.instrument {
            let id = r.id.get_ref().clone();
            let at = r.id.span().start;
            if reg.instruments.iter().any(|i| i.id == id) {
                err(
                    &mut diags,
                    at,
                    format!("instrument id `{id}` appears twice"),
                    "every instrument needs its own id",
                );
                continue;
            }
            let date = |diags: &mut Vec<Diagnostic>,
                        v: &Option<Spanned<toml::value::Datetime>>,
                        key: &str|
             -> Option<Date> {
                let v = v.as_ref()?;
                let d = Date::from_toml(v.get_ref());
                if d.is_none() {
                    err(
                        diags,
                        v.span().start,
                        format!("`{key}` of `{id}` must be a date alone"),
                        "write it as a TOML date, e.g. in_force = 2026-08-15",
                    );
                }
                d
            };
            let in_force = date(&mut diags, &r.in_force, "in_force");
            let adopted = date(&mut diags, &r.adopted, "adopted");
            if adopted.is_some() && r.adopted_source.trim().is_empty() {
                err(
                    &mut diags,
                    r.adopted.as_ref().map_or(at, |v| v.span().start),
                    format!("`{id}` has `adopted` but no `adopted_source`"),
                    "every date needs its source: a URL or a document and article",
                );
            }
            if let (Some(a), Some(from)) = (adopted, in_force) {
                if from < a {
                    err(
                        &mut diags,
                        r.adopted.as_ref().map_or(at, |v| v.span().start),
                        format!("`{id}` is adopted on {a}, after it came into force on {from}"),
                        "check both dates against their sources",
                    );
                }
            }
            let replaced_on = date(&mut diags, &r.replaced_on, "replaced_on");
            if in_force.is_some() && r.in_force_source.trim().is_empty() {
                err(
                    &mut diags,
                    r.in_force.as_ref().map_or(at, |v| v.span().start),
                    format!("`{id}` has `in_force` but no `in_force_source`"),
                    "every date needs its source: a URL or a document and article",
                );
            }
            if replaced_on.is_some() && r.replaced_source.trim().is_empty() {
                err(
                    &mut diags,
                    r.replaced_on.as_ref().map_or(at, |v| v.span().start),
                    format!("`{id}` has `replaced_on` but no `replaced_source`"),
                    "every date needs its source: a URL or a document and article",
                );
            }
            if in_force.is_none() && r.note.trim().is_empty() {
                err(
                    &mut diags,
                    at,
                    format!("`{id}` has no `in_force` date and no `note` saying why"),
                    "give the sourced date, or leave it out and say in `note` that it is unknown",
                );
            }
            if let (Some(from), Some(to)) = (in_force, replaced_on) {
                if to < from {
                    err(
                        &mut diags,
                        r.replaced_on.as_ref().map_or(at, |v| v.span().start),
                        format!("`{id}` is replaced on {to}, before it came into force on {from}"),
                        "check both dates against their sources",
                    );
                }
            }
            let replaced_by = r.replaced_by.as_ref().map(|v| v.get_ref().clone());
            if let Some(by) = &r.replaced_by {
                if !ids.contains(by.get_ref()) {
                    err(
                        &mut diags,
                        by.span().start,
                        format!(
                            "`replaced_by = \"{}\"` names no instrument of the registry",
                            by.get_ref()
                        ),
                        "use the `id` of another [[instrument]]",
                    );
                }
                if replaced_on.is_none() {
                    err(
                        &mut diags,
                        by.span().start,
                        format!("`{id}` has `replaced_by` but no `replaced_on`"),
                        "give the date the replacing instrument came into force, with its source",
                    );
                }
            }
            let idx = reg.instruments.len();
            for title in std::iter::once(r.name.get_ref()).chain(r.aliases.get_ref()) {
                let key = normalise(title);
                if let Some(&other) = reg.by_title.get(&key) {
                    if other != idx {
                        let span = if title == r.name.get_ref() {
                            r.name.span()
                        } else {
                            r.aliases.span()
                        };
                        err(
                            &mut diags,
                            span.start,
                            format!(
                                "title `{title}` of `{id}` already names `{}`",
                                reg.instruments[other].id
                            ),
                            "a title may name one instrument only",
                        );
                    }
                } else {
                    reg.by_title.insert(key, idx);
                }
            }
            reg.instruments.push(Instrument {
                id,
                name: r.name.get_ref().clone(),
                aliases: r.aliases.get_ref().clone(),
                kind: r.kind,
                adopted,
                adopted_source: r.adopted_source.clone(),
                in_force,
                in_force_source: r.in_force_source.clone(),
                replaced_on,
                replaced_by,
                replaced_source: r.replaced_source.clone(),
                note: r.note.clone(),
            });
        }
        if diags.is_empty() {
            Ok(reg)
        } else {
            Err(diags)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default)]
    not_instruments: Vec<String>,
    #[serde(default)]
    instrument: Vec<RawInstrument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default = "no_aliases")]
    aliases: Spanned<Vec<String>>,
    kind: InstrumentKind,
    adopted: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    adopted_source: String,
    in_force: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    in_force_source: String,
    replaced_on: Option<Spanned<toml::value::Datetime>>,
    replaced_by: Option<Spanned<String>>,
    #[serde(default)]
    replaced_source: String,
    #[serde(default)]
    note: String,
}

fn no_aliases() -> Spanned<Vec<String>> {
    Spanned::new(0..0, Vec::new())
}

/// A finding about one question's citations.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// It cites an instrument that is not in force on the day.
    Outdated {
        citation: Citation,
        instrument: String,
        status: Status,
        message: String,
    },
    /// It cites a title the registry does not know.
    Unknown { title: String },
}

/// What the registry says about a question on a day.
#[derive(Debug, Clone, Default)]
pub struct QuestionLaw {
    /// Registry ids of the instruments cited (by the question or its parts), first citation first.
    pub instruments: Vec<String>,
    /// The worst standing among its citations (`None` when it cites no registered instrument).
    pub worst: Option<Status>,
    pub findings: Vec<Finding>,
}

impl QuestionLaw {
    /// Whether the question cites something not in force on the day.
    pub fn outdated(&self) -> bool {
        self.findings
            .iter()
            .any(|f| matches!(f, Finding::Outdated { .. }))
    }

    /// The first reason it is out of date.
    pub fn reason(&self) -> Option<&str> {
        self.findings.iter().find_map(|f| match f {
            Finding::Outdated { message, .. } => Some(message.as_str()),
            _ => None,
        })
    }
}

/// Checks the citations in a question's `source` (and its parts') against the registry on `date`.
pub fn check_question(reg: &Registry, q: &Question, date: Date) -> QuestionLaw {
    let mut out = QuestionLaw::default();
    let sources = std::iter::once(&q.source).chain(q.parts.iter().map(|p| &p.source));
    for source in sources {
        for c in citation::parse(source) {
            match reg.lookup(&c.title) {
                Lookup::NotInstrument => {}
                Lookup::Unknown => {
                    if !out
                        .findings
                        .iter()
                        .any(|f| matches!(f, Finding::Unknown { title } if *title == c.title))
                    {
                        out.findings.push(Finding::Unknown {
                            title: c.title.clone(),
                        });
                    }
                }
                Lookup::Instrument(ins) => {
                    if !out.instruments.contains(&ins.id) {
                        out.instruments.push(ins.id.clone());
                    }
                    let status = ins.cited_status(&c, date);
                    out.worst = out.worst.max(Some(status));
                    if status.outdated() {
                        let message = outdated_message(reg, &q.id, &c, ins, status);
                        out.findings.push(Finding::Outdated {
                            citation: c,
                            instrument: ins.id.clone(),
                            status,
                            message,
                        });
                    }
                }
            }
        }
    }
    out
}

fn outdated_message(
    reg: &Registry,
    id: &str,
    c: &Citation,
    ins: &Instrument,
    status: Status,
) -> String {
    let cited = c.display();
    match status {
        Status::Replaced => {
            let on = ins.replaced_on.map(|d| d.to_string()).unwrap_or_default();
            match ins.replaced_by.as_deref().and_then(|b| reg.get(b)) {
                Some(by) => format!("`{id}` cites {cited}, replaced by {} on {on}", by.quoted()),
                None => format!("`{id}` cites {cited}, repealed on {on}"),
            }
        }
        _ => format!(
            "`{id}` cites {cited}, not in force until {}",
            ins.in_force.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests;

/// Counts of a set of questions against the registry on one day (`bank check`).
#[derive(Debug, Clone, Serialize)]
pub struct LawSummary {
    pub as_of: Date,
    /// Questions per cited instrument (a question citing two counts for both).
    pub by_instrument: std::collections::BTreeMap<String, InstrumentCount>,
    /// Questions per status: the worst status among the instruments each cites;
    /// `unregistered` when none of its titles is in the registry, `uncited` when it cites no title.
    pub by_status: std::collections::BTreeMap<&'static str, usize>,
    /// Ids of the questions citing an instrument not in force on the day.
    pub outdated: Vec<String>,
    /// Questions citing a title the registry does not know.
    pub unknown_titles: usize,
    /// Registry ids of instruments whose commencement date is unknown (no source found).
    pub undated_instruments: Vec<String>,
}

/// One instrument's line of the summary.
#[derive(Debug, Clone, Serialize)]
pub struct InstrumentCount {
    pub name: String,
    pub kind: InstrumentKind,
    pub status: Status,
    pub questions: usize,
}

/// Checks every question against the registry on `date`; returns each question's findings
/// (in order) and the summary.
pub fn summarise<'q>(
    reg: &Registry,
    questions: impl IntoIterator<Item = &'q Question>,
    date: Date,
) -> (Vec<(&'q Question, QuestionLaw)>, LawSummary) {
    let mut s = LawSummary {
        as_of: date,
        by_instrument: Default::default(),
        by_status: Default::default(),
        outdated: Vec::new(),
        unknown_titles: 0,
        undated_instruments: reg
            .instruments
            .iter()
            .filter(|i| i.in_force.is_none())
            .map(|i| i.id.clone())
            .collect(),
    };
    let mut all = Vec::new();
    for q in questions {
        let law = check_question(reg, q, date);
        for id in &law.instruments {
            let ins = reg.get(id).expect("looked up in this registry");
            let status = ins.status_on(date);
            s.by_instrument
                .entry(id.clone())
                .or_insert_with(|| InstrumentCount {
                    name: ins.name.clone(),
                    kind: ins.kind,
                    status,
                    questions: 0,
                })
                .questions += 1;
        }
        let has_unknown = law
            .findings
            .iter()
            .any(|f| matches!(f, Finding::Unknown { .. }));
        if has_unknown {
            s.unknown_titles += 1;
        }
        let key = match law.worst {
            Some(st) => st.name(),
            None if has_unknown => "unregistered",
            None => "uncited",
        };
        *s.by_status.entry(key).or_default() += 1;
        if law.outdated() {
            s.outdated.push(q.id.clone());
        }
        all.push((q, law));
    }
    (all, s)
}

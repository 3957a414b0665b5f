//! The report's CSV files.

use super::items::Reliability;
use super::summary::{Summary, Team};
use super::view::{fixed, opt, ItemView, Tally};
use crate::bank::fmt_points;

fn strings<const N: usize>(a: [&str; N]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// item-analysis.csv: one row per question, with its flags and where it is in its bank.
pub fn item_analysis_csv(items: &[ItemView]) -> Vec<u8> {
    let mut rows = vec![strings([
        "question",
        "kind",
        "n",
        "facility",
        "sd",
        "discrimination",
        "efficiency",
        "blank",
        "multi",
        "flags",
        "bank",
        "key",
        "options",
        "number",
        "stem",
    ])];
    for i in items {
        rows.push(vec![
            i.question.clone(),
            i.kind.clone(),
            i.n.to_string(),
            i.facility.clone(),
            i.sd.clone(),
            i.discrimination.clone(),
            i.efficiency.clone(),
            i.blank.clone(),
            i.multi.clone(),
            i.codes
                .iter()
                .zip(&i.reasons)
                .map(|(c, r)| format!("{c}: {r}"))
                .collect::<Vec<_>>()
                .join("; "),
            i.location.clone(),
            i.key.clone(),
            i.options.clone(),
            i.number.clone(),
            i.stem.clone(),
        ]);
    }
    crate::io::output::csv(&rows)
}

/// teams.csv.
pub fn teams_csv(teams: &[Team]) -> Vec<u8> {
    let mut rows = vec![strings(["rank", "team", "score", "members"])];
    for t in teams {
        rows.push(vec![
            t.rank.to_string(),
            t.team.clone(),
            fixed(t.score, 3),
            t.members.to_string(),
        ]);
    }
    crate::io::output::csv(&rows)
}

/// summary.csv: one statistic per row.
pub fn summary_csv(s: &Summary, r: &Reliability, t: &Tally, pass_line: Option<f64>) -> Vec<u8> {
    let mut rows = vec![strings(["statistic", "value"])];
    let mut put = |k: String, v: String| rows.push(vec![k, v]);
    put("candidates".into(), s.candidates.to_string());
    put("rejected".into(), t.rejected.to_string());
    put("mean".into(), fixed(s.mean, 3));
    put("median".into(), fixed(s.median, 3));
    put("sd".into(), fixed(s.sd, 3));
    put("min".into(), fmt_points(s.min));
    put("max".into(), fmt_points(s.max));
    put("full".into(), fmt_points(s.full));
    put(
        "pass_line".into(),
        pass_line.map(fmt_points).unwrap_or_default(),
    );
    put(
        "passed".into(),
        s.passed.map(|p| p.to_string()).unwrap_or_default(),
    );
    put("pass_rate".into(), opt(s.pass_rate, 3));
    put("alpha".into(), opt(r.alpha, 3));
    put("sem".into(), opt(r.sem, 3));
    for (g, c) in &s.grades {
        put(format!("grade:{g}"), c.to_string());
    }
    for sec in &s.sections {
        put(format!("section:{}:mean", sec.title), fixed(sec.mean, 3));
        put(
            format!("section:{}:facility", sec.title),
            fixed(sec.facility, 3),
        );
    }
    crate::io::output::csv(&rows)
}

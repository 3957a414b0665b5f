//! Bank statistics and near-duplicate detection.

use super::{Bank, Kind, Question};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Counts over a set of banks, as `bank check` prints them.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub banks: usize,
    pub questions: usize,
    /// kind → difficulty (1–5) → count
    pub by_kind: BTreeMap<Kind, [usize; 5]>,
    /// tag → count
    pub by_tag: BTreeMap<String, usize>,
    pub total_points: f64,
}

impl Summary {
    /// Summarises `banks`.
    pub fn of(banks: &[Bank]) -> Self {
        let mut s = Summary {
            banks: banks.len(),
            ..Summary::default()
        };
        for q in banks.iter().flat_map(|b| &b.questions) {
            s.questions += 1;
            s.by_kind.entry(q.kind).or_default()[usize::from(q.difficulty.clamp(1, 5)) - 1] += 1;
            for t in &q.tags {
                *s.by_tag.entry(t.clone()).or_default() += 1;
            }
            s.total_points += q.total_points();
        }
        s
    }

    /// The summary as a plain-text table.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} question(s) in {} bank(s), {} points in all",
            self.questions,
            self.banks,
            fmt_points(self.total_points)
        );
        let _ = writeln!(
            out,
            "\n{:<10}{:>6}{:>6}{:>6}{:>6}{:>6}{:>8}",
            "kind", "d1", "d2", "d3", "d4", "d5", "total"
        );
        for (kind, row) in &self.by_kind {
            let total: usize = row.iter().sum();
            let _ = writeln!(
                out,
                "{:<10}{:>6}{:>6}{:>6}{:>6}{:>6}{:>8}",
                kind.name(),
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                total
            );
        }
        let _ = writeln!(out, "\ntags:");
        let mut tags: Vec<_> = self.by_tag.iter().collect();
        tags.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (tag, n) in tags {
            let _ = writeln!(out, "  {tag}: {n}");
        }
        out
    }
}

/// Points without a trailing `.0`.
pub fn fmt_points(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{}", p as i64)
    } else {
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Pairs of questions whose stems are nearly the same (character-bigram Jaccard ≥ `threshold`).
pub fn near_duplicates<'a>(
    questions: &[&'a Question],
    threshold: f64,
) -> Vec<(&'a Question, &'a Question, f64)> {
    let grams: Vec<HashSet<(char, char)>> = questions.iter().map(|q| bigrams(&q.stem)).collect();
    let mut out = Vec::new();
    for i in 0..questions.len() {
        for j in i + 1..questions.len() {
            let (a, b) = (&grams[i], &grams[j]);
            let (small, large) = if a.len() < b.len() {
                (a.len(), b.len())
            } else {
                (b.len(), a.len())
            };
            if small == 0 || (small as f64) < threshold * large as f64 {
                continue;
            }
            let inter = a.intersection(b).count();
            let sim = inter as f64 / (a.len() + b.len() - inter) as f64;
            if sim >= threshold {
                out.push((questions[i], questions[j], sim));
            }
        }
    }
    out
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_print_without_trailing_zeros() {
        assert_eq!(fmt_points(10.0), "10");
        assert_eq!(fmt_points(2.5), "2.5");
        assert_eq!(fmt_points(1.0 / 3.0), "0.33");
    }
}

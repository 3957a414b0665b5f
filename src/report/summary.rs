//! The score summary and rankings, from one result row per candidate.

use serde::Serialize;
use std::collections::BTreeMap;

/// One candidate's result, as results.csv gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub candidate: String,
    pub name: String,
    pub team: String,
    pub paper: String,
    pub score: f64,
    pub max: f64,
    pub sections: Vec<f64>,
    pub pass: Option<bool>,
    pub grade: Option<String>,
}

/// A section's mean and facility.
#[derive(Debug, Clone, Serialize)]
pub struct SectionStat {
    pub title: String,
    pub max: f64,
    pub mean: f64,
    pub facility: f64,
}

/// One bar of the score histogram: scores in `[from, to)` (the last bar includes `to`).
#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub count: u64,
}

/// The distribution of total scores.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub candidates: u64,
    pub mean: f64,
    pub median: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// The paper's full marks.
    pub full: f64,
    pub passed: Option<u64>,
    pub pass_rate: Option<f64>,
    /// Grade names with counts, in the order first met.
    pub grades: Vec<(String, u64)>,
    pub sections: Vec<SectionStat>,
    pub histogram: Vec<Bin>,
}

/// Summarises `entries`; `sections` gives each section's title and full marks.
pub fn summarize(entries: &[Entry], sections: &[(String, f64)]) -> Summary {
    let n = entries.len();
    let mut scores: Vec<f64> = entries.iter().map(|e| e.score).collect();
    scores.sort_by(f64::total_cmp);
    let sum: f64 = scores.iter().sum();
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => scores[n / 2],
        _ => (scores[n / 2 - 1] + scores[n / 2]) / 2.0,
    };
    let sd = if n > 1 {
        (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let judged: Vec<bool> = entries.iter().filter_map(|e| e.pass).collect();
    let passed = (!judged.is_empty()).then(|| judged.iter().filter(|p| **p).count() as u64);
    let pass_rate = passed.map(|p| p as f64 / n as f64);
    let mut grades: Vec<(String, u64)> = Vec::new();
    for g in entries.iter().filter_map(|e| e.grade.as_deref()) {
        match grades.iter_mut().find(|(name, _)| name == g) {
            Some((_, c)) => *c += 1,
            None => grades.push((g.to_string(), 1)),
        }
    }
    let sections = sections
        .iter()
        .enumerate()
        .map(|(i, (title, max))| {
            let mean = if n > 0 {
                entries
                    .iter()
                    .map(|e| e.sections.get(i).copied().unwrap_or(0.0))
                    .sum::<f64>()
                    / n as f64
            } else {
                0.0
            };
            SectionStat {
                title: title.clone(),
                max: *max,
                mean,
                facility: if *max > 0.0 { mean / max } else { 0.0 },
            }
        })
        .collect();
    let full = entries.iter().map(|e| e.max).fold(0.0, f64::max);
    let (min, max) = (
        scores.first().copied().unwrap_or(0.0),
        scores.last().copied().unwrap_or(0.0),
    );
    Summary {
        candidates: n as u64,
        mean,
        median,
        sd,
        min,
        max,
        full,
        passed,
        pass_rate,
        grades,
        sections,
        histogram: histogram(&scores, full),
    }
}

/// A bar width of 1, 2, 5, 10, 20, … points giving at most 20 bars from 0 (or the lowest score) to full marks.
fn histogram(sorted: &[f64], full: f64) -> Vec<Bin> {
    let low = sorted.first().copied().unwrap_or(0.0).min(0.0).floor();
    let high = full
        .max(sorted.last().copied().unwrap_or(0.0))
        .max(low + 1.0);
    let span = high - low;
    let mut width = 1.0;
    'search: for scale in [1.0, 10.0, 100.0, 1000.0, 10000.0] {
        for step in [1.0, 2.0, 5.0] {
            width = step * scale;
            if span / width <= 20.0 {
                break 'search;
            }
        }
    }
    let bars = (span / width).ceil().max(1.0) as usize;
    let mut bins: Vec<Bin> = (0..bars)
        .map(|i| Bin {
            from: low + i as f64 * width,
            to: (low + (i + 1) as f64 * width).min(high),
            count: 0,
        })
        .collect();
    for &s in sorted {
        let i = (((s - low) / width).floor().max(0.0) as usize).min(bars - 1);
        bins[i].count += 1;
    }
    bins
}

/// Competition ranks (1, 2, 2, 4) of `entries` sorted by score, highest first (ties by id).
/// Returns the order (indices into `entries`) and each position's rank.
pub fn ranking(entries: &[Entry]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        entries[b]
            .score
            .total_cmp(&entries[a].score)
            .then_with(|| entries[a].candidate.cmp(&entries[b].candidate))
    });
    shared_ranks(order.iter().map(|&i| entries[i].score))
        .into_iter()
        .zip(order)
        .map(|(r, i)| (i, r))
        .collect()
}

/// Ranks of scores already sorted highest first: equal scores share the rank of the first.
pub fn shared_ranks(sorted: impl Iterator<Item = f64>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut last: Option<f64> = None;
    let mut rank = 0;
    for (i, s) in sorted.enumerate() {
        if last != Some(s) {
            rank = i + 1;
            last = Some(s);
        }
        out.push(rank);
    }
    out
}

/// A team's standing.
#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub rank: usize,
    pub team: String,
    pub score: f64,
    pub members: u64,
}

/// Ranks teams by score, highest first; ties share a rank.
pub fn rank_teams(teams: &[(String, f64, u64)]) -> Vec<Team> {
    let mut t: Vec<&(String, f64, u64)> = teams.iter().collect();
    t.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let ranks = shared_ranks(t.iter().map(|x| x.1));
    t.into_iter()
        .zip(ranks)
        .map(|((team, score, members), rank)| Team {
            rank,
            team: team.clone(),
            score: *score,
            members: *members,
        })
        .collect()
}

/// Members per team, from the entries (for a results.json without team rows).
pub fn teams_by_mean(entries: &[Entry]) -> Vec<(String, f64, u64)> {
    let mut m: BTreeMap<&str, (f64, u64)> = BTreeMap::new();
    for e in entries.iter().filter(|e| !e.team.is_empty()) {
        let t = m.entry(&e.team).or_insert((0.0, 0));
        t.0 += e.score;
        t.1 += 1;
    }
    m.into_iter()
        .map(|(t, (s, c))| (t.to_string(), s / c as f64, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, team: &str, score: f64, pass: bool) -> Entry {
        Entry {
            candidate: id.into(),
            name: String::new(),
            team: team.into(),
            paper: "A".into(),
            score,
            max: 10.0,
            sections: vec![score / 2.0, score / 2.0],
            pass: Some(pass),
            grade: Some(if score >= 8.0 { "优秀" } else { "合格" }.into()),
        }
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let e = vec![
            entry("d", "x", 6.0, true),
            entry("a", "x", 9.0, true),
            entry("c", "y", 7.0, true),
            entry("b", "y", 7.0, true),
        ];
        let r: Vec<(String, usize)> = ranking(&e)
            .into_iter()
            .map(|(i, rank)| (e[i].candidate.clone(), rank))
            .collect();
        assert_eq!(
            r,
            [
                ("a".into(), 1),
                ("b".into(), 2),
                ("c".into(), 2),
                ("d".into(), 4)
            ]
        );
        let t = rank_teams(&[
            ("x".into(), 5.0, 2),
            ("y".into(), 7.0, 3),
            ("z".into(), 5.0, 1),
        ]);
        let t: Vec<(&str, usize)> = t.iter().map(|t| (t.team.as_str(), t.rank)).collect();
        assert_eq!(t, [("y", 1), ("x", 2), ("z", 2)]);
    }

    #[test]
    fn summary_matches_the_hand_computed_values() {
        // Scores 3, 2, 2, 1, 0: mean 1.6, median 2, sample sd √(5.2/4) = √1.3, 2 of 5 pass (≥ 2.5 here
        // is only C1, but pass is whatever the grader said).
        let e = vec![
            entry("1", "x", 3.0, true),
            entry("2", "x", 2.0, true),
            entry("3", "y", 2.0, false),
            entry("4", "y", 1.0, false),
            entry("5", "y", 0.0, false),
        ];
        let s = summarize(&e, &[("一".into(), 5.0), ("二".into(), 5.0)]);
        assert_eq!(s.candidates, 5);
        assert!((s.mean - 1.6).abs() < 1e-12);
        assert_eq!(s.median, 2.0);
        assert!((s.sd - 1.3f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.full), (0.0, 3.0, 10.0));
        assert_eq!(s.passed, Some(2));
        assert!((s.pass_rate.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(s.grades, [("合格".to_string(), 5)]);
        // Section means 0.8 of 5: facility 0.16.
        assert!((s.sections[0].mean - 0.8).abs() < 1e-12);
        assert!((s.sections[0].facility - 0.16).abs() < 1e-12);
        // Full marks 10: bars of width 1 from 0; each score falls in its own bar.
        assert_eq!(s.histogram.len(), 10);
        let counts: Vec<u64> = s.histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 2, 1, 0, 0, 0, 0, 0, 0]);
        // Team means from the entries: x (3 + 2)/2, y (2 + 1 + 0)/3.
        assert_eq!(
            teams_by_mean(&e),
            [("x".to_string(), 2.5, 2), ("y".to_string(), 1.0, 3)]
        );
    }

    #[test]
    fn full_marks_land_in_the_last_bar() {
        let bins = histogram(&[0.0, 50.0, 100.0], 100.0);
        assert_eq!(bins.len(), 20);
        assert_eq!(bins[19].count, 1);
        assert_eq!(bins[19].to, 100.0);
    }
}

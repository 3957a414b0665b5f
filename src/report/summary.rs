//! The score summary and rankings, from one result row per candidate.

use serde::Serialize;
use std::collections::BTreeMap;

/// One candidate's result, as results.csv gives it (borrowed from the row being read).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub candidate: &'a str,
    pub team: &'a str,
    pub score: f64,
    pub max: f64,
    pub sections: &'a [f64],
    pub pass: Option<bool>,
    pub grade: Option<&'a str>,
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
    /// Candidates judged and not passed.
    pub failed: Option<u64>,
    pub pass_rate: Option<f64>,
    /// Grade names with counts, the grade of the highest scores first (优秀, 良好, 合格, 不合格).
    pub grades: Vec<(String, u64)>,
    pub sections: Vec<SectionStat>,
    pub histogram: Vec<Bin>,
}

/// Results gathered one candidate at a time: one score per candidate (for the median, the
/// histogram and the ranks) and sums per section, grade and team.
#[derive(Debug, Default)]
pub struct Scores {
    scores: Vec<f64>,
    sections: Vec<f64>,
    judged: u64,
    passed: u64,
    full: f64,
    /// Grade, count, best score in it.
    grades: Vec<(String, u64, f64)>,
    teams: BTreeMap<String, (f64, u64)>,
}

impl Scores {
    /// Nothing yet.
    pub fn new() -> Self {
        Scores::default()
    }

    /// Adds one candidate.
    pub fn add(&mut self, e: &Entry) {
        self.scores.push(e.score);
        if self.sections.len() < e.sections.len() {
            self.sections.resize(e.sections.len(), 0.0);
        }
        for (sum, s) in self.sections.iter_mut().zip(e.sections) {
            *sum += s;
        }
        if let Some(p) = e.pass {
            self.judged += 1;
            self.passed += u64::from(p);
        }
        self.full = self.full.max(e.max);
        if let Some(g) = e.grade {
            match self.grades.iter_mut().find(|(name, _, _)| name == g) {
                Some((_, c, best)) => {
                    *c += 1;
                    *best = best.max(e.score);
                }
                None => self.grades.push((g.to_string(), 1, e.score)),
            }
        }
        if !e.team.is_empty() {
            let t = match self.teams.get_mut(e.team) {
                Some(t) => t,
                None => self.teams.entry(e.team.to_string()).or_insert((0.0, 0)),
            };
            t.0 += e.score;
            t.1 += 1;
        }
    }

    /// How many candidates were added.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The summary; `sections` gives each section's title and full marks.
    pub fn summary(&self, sections: &[(String, f64)]) -> Summary {
        let n = self.scores.len();
        let mut scores = self.scores.clone();
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
        let passed = (self.judged > 0).then_some(self.passed);
        let failed = passed.map(|p| self.judged - p);
        let pass_rate = passed.map(|p| p as f64 / n as f64);
        let sections = sections
            .iter()
            .enumerate()
            .map(|(i, (title, max))| {
                let mean = if n > 0 {
                    self.sections.get(i).copied().unwrap_or(0.0) / n as f64
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
        Summary {
            candidates: n as u64,
            mean,
            median,
            sd,
            min: scores.first().copied().unwrap_or(0.0),
            max: scores.last().copied().unwrap_or(0.0),
            full: self.full,
            passed,
            failed,
            pass_rate,
            grades: {
                let mut g = self.grades.clone();
                g.sort_by(|a, b| b.2.total_cmp(&a.2));
                g.into_iter().map(|(name, c, _)| (name, c)).collect()
            },
            sections,
            histogram: histogram(&scores, self.full),
        }
    }

    /// Competition ranks (1, 2, 2, 4), highest score first, ties in the order added.
    /// Returns (index in the order added, rank).
    pub fn ranking(&self) -> Vec<(usize, usize)> {
        let mut order: Vec<usize> = (0..self.scores.len()).collect();
        order.sort_by(|&a, &b| self.scores[b].total_cmp(&self.scores[a]).then(a.cmp(&b)));
        crate::rank::ranks(&order.iter().map(|&i| self.scores[i]).collect::<Vec<_>>())
            .into_iter()
            .zip(order)
            .map(|(r, i)| (i, r))
            .collect()
    }

    /// Each team's mean score and member count (for results without team scores).
    pub fn teams_by_mean(&self) -> Vec<(String, f64, u64)> {
        self.teams
            .iter()
            .map(|(t, (s, c))| (t.clone(), s / *c as f64, *c))
            .collect()
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
    let ranks = crate::rank::ranks(&t.iter().map(|x| x.1).collect::<Vec<_>>());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates (id, team, score, pass) on a 10-point paper of two equal sections.
    fn scores(rows: &[(&str, &str, f64, bool)]) -> Scores {
        let mut s = Scores::new();
        for &(id, team, score, pass) in rows {
            let sections = [score / 2.0, score / 2.0];
            s.add(&Entry {
                candidate: id,
                team,
                score,
                max: 10.0,
                sections: &sections,
                pass: Some(pass),
                grade: Some(if score >= 8.0 { "优秀" } else { "合格" }),
            });
        }
        s
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let s = scores(&[
            ("d", "x", 6.0, true),
            ("a", "x", 9.0, true),
            ("c", "y", 7.0, true),
            ("b", "y", 7.0, true),
        ]);
        // 9 → 1; the two 7s share 2, in the order met (c before b); 6 → 4.
        assert_eq!(s.ranking(), [(1, 1), (2, 2), (3, 2), (0, 4)]);
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
        // Scores 3, 2, 2, 1, 0: mean 8/5 = 1.6, median 2, Σ(s − 1.6)² = 1.96 + .16 + .16 + .36 + 2.56
        // = 5.2, sample sd √(5.2/4) = √1.3; the grader passed 2 of 5.
        let s = scores(&[
            ("1", "x", 3.0, true),
            ("2", "x", 2.0, true),
            ("3", "y", 2.0, false),
            ("4", "y", 1.0, false),
            ("5", "y", 0.0, false),
        ]);
        let sum = s.summary(&[("一".into(), 5.0), ("二".into(), 5.0)]);
        assert_eq!(sum.candidates, 5);
        assert!((sum.mean - 1.6).abs() < 1e-12);
        assert_eq!(sum.median, 2.0);
        assert!((sum.sd - 1.3f64.sqrt()).abs() < 1e-12);
        assert_eq!((sum.min, sum.max, sum.full), (0.0, 3.0, 10.0));
        assert_eq!(sum.passed, Some(2));
        assert!((sum.pass_rate.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(sum.grades, [("合格".to_string(), 5)]);
        let mut s2 = scores(&[
            ("1", "x", 5.0, true),
            ("2", "x", 9.0, true),
            ("3", "x", 4.0, true),
        ]);
        s2.add(&Entry {
            candidate: "4",
            team: "",
            score: 1.0,
            max: 10.0,
            sections: &[0.5, 0.5],
            pass: Some(false),
            grade: Some("不合格"),
        });
        // Grades listed best first, whatever order they were met in.
        let g: Vec<(String, u64)> = s2.summary(&[]).grades;
        assert_eq!(
            g,
            [
                ("优秀".to_string(), 1),
                ("合格".to_string(), 2),
                ("不合格".to_string(), 1)
            ]
        );
        // Section means (1.5 + 1 + 1 + .5 + 0)/5 = 0.8 of 5: facility 0.16.
        assert!((sum.sections[0].mean - 0.8).abs() < 1e-12);
        assert!((sum.sections[0].facility - 0.16).abs() < 1e-12);
        // Full marks 10: bars of width 1 from 0; each score falls in its own bar.
        assert_eq!(sum.histogram.len(), 10);
        let counts: Vec<u64> = sum.histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 2, 1, 0, 0, 0, 0, 0, 0]);
        // Team means: x (3 + 2)/2, y (2 + 1 + 0)/3.
        assert_eq!(
            s.teams_by_mean(),
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

//! Bank statistics and near-duplicate detection.

use super::{Bank, Kind, Question};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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
                // A tag's name is copied once, not at every question that carries it.
                match s.by_tag.get_mut(t) {
                    Some(n) => *n += 1,
                    None => {
                        s.by_tag.insert(t.clone(), 1);
                    }
                }
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

/// Pairs of questions whose stems are nearly the same (character-bigram Jaccard ≥ `threshold`),
/// ordered by the position of the first question and then of the second.
///
/// Near-linear in practice, with exactly the pairs a comparison of every pair would give:
/// stems with the same bigram set are grouped by hashing, and between groups only those sharing
/// one of their rarest bigrams are compared (PPJoin's prefix filtering: two sets that are
/// `threshold` alike must share a bigram among the first `|x| − ⌈threshold·|x|⌉ + 1` of each, in
/// one global order from the rarest bigram; with its length and position filters). Each
/// candidate is then measured as [`similarity`] measures it.
pub fn near_duplicates<'a>(
    questions: &[&'a Question],
    threshold: f64,
) -> Vec<(&'a Question, &'a Question, f64)> {
    let sets = bigram_ids(questions);
    // Identical sets form one group: every pair inside it is alike (unless the set is empty).
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<&[u32], usize> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        let g = *group_of.entry(s.as_slice()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for members in &groups {
        let s = &sets[members[0]];
        if let Some(sim) = similarity(s, s, threshold) {
            for (k, &i) in members.iter().enumerate() {
                pairs.extend(members[k + 1..].iter().map(|&j| (i, j, sim)));
            }
        }
    }
    // Rank bigrams from the rarest (over groups), then index each group's prefix.
    // Bigram ids are dense (0, 1, 2… in order of first sight), so counts and ranks are plain
    // vectors indexed by id rather than hash maps.
    let ids = sets
        .iter()
        .flatten()
        .map(|&t| t as usize + 1)
        .max()
        .unwrap_or(0);
    let mut freq = vec![0u32; ids];
    for members in &groups {
        for &t in &sets[members[0]] {
            freq[t as usize] += 1;
        }
    }
    let mut order: Vec<(u32, u32)> = freq
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(t, &n)| (n, t as u32))
        .collect();
    order.sort_unstable();
    let mut rank = vec![0u32; ids];
    for (r, &(_, t)) in order.iter().enumerate() {
        rank[t as usize] = r as u32;
    }
    let ranked: Vec<Vec<u32>> = groups
        .iter()
        .map(|members| {
            let mut r: Vec<u32> = sets[members[0]].iter().map(|&t| rank[t as usize]).collect();
            r.sort_unstable();
            r
        })
        .collect();
    // Groups from the smallest set: a set indexed earlier is never larger, and once too small
    // for the current one it is too small for every later one.
    let mut by_size: Vec<usize> = (0..groups.len())
        .filter(|&g| !ranked[g].is_empty())
        .collect();
    by_size.sort_by_key(|&g| (ranked[g].len(), g));
    // bigram → (group, position of the bigram in the group's set), and where the live part of
    // each list starts.
    let mut index: Vec<(usize, Vec<(u32, u32)>)> = vec![(0, Vec::new()); order.len()];
    // Bigrams shared so far with each candidate (0: none, or pruned).
    let mut shared = vec![0u32; groups.len()];
    let mut candidates: Vec<usize> = Vec::new();
    let overlap_factor = threshold / (1.0 + threshold);
    for &g in &by_size {
        let r = &ranked[g];
        let prefix = prefix_len(r.len(), threshold);
        for (i, t) in r[..prefix].iter().enumerate() {
            let (start, list) = &mut index[*t as usize];
            while *start < list.len()
                && (ranked[list[*start].0 as usize].len() as f64) < threshold * r.len() as f64
            {
                *start += 1;
            }
            for &(h, j) in &list[*start..] {
                let h = h as usize;
                let other = ranked[h].len();
                // Positional filter: the bigrams still to come bound how many more can be shared;
                // one less than the bound is asked for, so rounding never loses a pair.
                let need = (overlap_factor * (r.len() + other) as f64).ceil() as usize;
                let still = 1 + (r.len() - i - 1).min(other - j as usize - 1);
                let so_far = shared[h] as usize;
                if so_far == 0 && still + 1 < need {
                    continue;
                }
                if so_far == 0 {
                    candidates.push(h);
                }
                shared[h] += 1;
            }
        }
        for &h in &candidates {
            shared[h] = 0;
            if let Some(sim) = similarity(&ranked[h], r, threshold) {
                for &i in &groups[h] {
                    pairs.extend(groups[g].iter().map(|&j| (i.min(j), i.max(j), sim)));
                }
            }
        }
        candidates.clear();
        // Only sets at least as large probe this one later: for them a shorter prefix is enough
        // (PPJoin's indexing prefix, from an overlap of 2·threshold/(1+threshold) of this set).
        let indexed = prefix_len(r.len(), 2.0 * overlap_factor).min(prefix);
        for (i, &t) in r[..indexed].iter().enumerate() {
            index[t as usize].1.push((g as u32, i as u32));
        }
    }
    pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
    pairs
        .into_iter()
        .map(|(i, j, sim)| (questions[i], questions[j], sim))
        .collect()
}

/// How many of a set's rarest bigrams must be indexed so that any set `threshold` alike shares
/// one of them; one more than the bound, so that rounding can only add candidates.
fn prefix_len(len: usize, threshold: f64) -> usize {
    let must_share = (threshold * len as f64).ceil() as usize;
    (len + 2).saturating_sub(must_share).clamp(1, len)
}

/// The Jaccard similarity of two sorted sets of bigrams, when it reaches `threshold`.
fn similarity(a: &[u32], b: &[u32], threshold: f64) -> Option<f64> {
    let (small, large) = if a.len() < b.len() {
        (a.len(), b.len())
    } else {
        (b.len(), a.len())
    };
    if small == 0 || (small as f64) < threshold * large as f64 {
        return None;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let sim = inter as f64 / (a.len() + b.len() - inter) as f64;
    (sim >= threshold).then_some(sim)
}

/// Each stem's set of character bigrams (letters and digits only, lower case), as sorted ids.
fn bigram_ids(questions: &[&Question]) -> Vec<Vec<u32>> {
    let mut ids: HashMap<(char, char), u32> = HashMap::new();
    let mut chars = Vec::new();
    questions
        .iter()
        .map(|q| {
            chars.clear();
            chars.extend(
                q.stem
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase),
            );
            let mut set: Vec<u32> = chars
                .windows(2)
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry((w[0], w[1])).or_insert(next)
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            set
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bank::{Answer, TextFormat};
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn question(n: usize, stem: &str) -> Question {
        Question {
            id: format!("q{n}"),
            kind: Kind::Judge,
            stem: stem.into(),
            options: vec![],
            answer: Answer::Judge(true),
            tags: vec![],
            difficulty: 3,
            points: 1.0,
            explanation: String::new(),
            source: String::new(),
            shuffle: true,
            format: TextFormat::Plain,
            scenario: None,
            parts: vec![],
            location: crate::input::diagnostic::Location {
                file: "b.toml".into(),
                line: n + 1,
                col: 1,
            },
        }
    }

    /// The comparison of every pair that [`near_duplicates`] replaces, kept as its oracle.
    fn every_pair(questions: &[&Question], threshold: f64) -> Vec<(String, String, f64)> {
        fn bigrams(s: &str) -> HashSet<(char, char)> {
            let chars: Vec<char> = s
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            chars.windows(2).map(|w| (w[0], w[1])).collect()
        }
        let grams: Vec<HashSet<(char, char)>> =
            questions.iter().map(|q| bigrams(&q.stem)).collect();
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
                    out.push((questions[i].id.clone(), questions[j].id.clone(), sim));
                }
            }
        }
        out
    }

    fn found(questions: &[&Question], threshold: f64) -> Vec<(String, String, f64)> {
        near_duplicates(questions, threshold)
            .into_iter()
            .map(|(a, b, sim)| (a.id.clone(), b.id.clone(), sim))
            .collect()
    }

    #[test]
    fn reworded_chinese_stems_are_found_and_others_not() {
        let stems = [
            "排污单位应当按照国家有关规定和监测规范安装使用监测设备，保证监测设备正常运行，保存原始监测记录。",
            "排污单位应当按照国家有关规定和监测规范安装使用监测设备，保证监测设备正常运行，保存原始监测纪录。",
            "重点排污单位应当如实向社会公开其主要污染物的名称、排放方式、排放浓度和总量。",
            "排污单位应当按照国家有关规定和监测规范安装使用监测设备，保证监测设备正常运行，保存原始监测记录。",
            "x",
            "x",
        ];
        let qs: Vec<Question> = stems
            .iter()
            .enumerate()
            .map(|(n, s)| question(n, s))
            .collect();
        let refs: Vec<&Question> = qs.iter().collect();
        let got = found(&refs, 0.9);
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|(a, b, _)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(pairs, [("q0", "q1"), ("q0", "q3"), ("q1", "q3")]);
        assert_eq!(got[1].2, 1.0);
        assert!(got[0].2 < 1.0 && got[0].2 >= 0.9);
        assert_eq!(got, every_pair(&refs, 0.9));
    }

    proptest! {
        /// Small random banks over a few characters, so that near-duplicates are common: the same
        /// pairs, in the same order, with the same similarity as comparing every pair.
        #[test]
        fn the_same_pairs_as_comparing_every_pair(
            stems in proptest::collection::vec("[甲乙丙丁ab1 ，]{0,14}", 0..40),
            threshold in prop_oneof![Just(0.9), Just(0.75), Just(0.5), Just(1.0), 0.3f64..1.0],
        ) {
            let qs: Vec<Question> = stems.iter().enumerate().map(|(n, s)| question(n, s)).collect();
            let refs: Vec<&Question> = qs.iter().collect();
            prop_assert_eq!(found(&refs, threshold), every_pair(&refs, threshold));
        }
    }

    #[test]
    fn points_print_without_trailing_zeros() {
        assert_eq!(fmt_points(10.0), "10");
        assert_eq!(fmt_points(2.5), "2.5");
        assert_eq!(fmt_points(1.0 / 3.0), "0.33");
    }
}

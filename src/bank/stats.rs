//! Bank statistics and near-duplicate detection.

use super::{Bank, Kind, Question};
use foldhash::fast::RandomState;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

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
///
/// Every set lives in one flat list (a question's bigrams are a slice of it), renumbered in
/// place from the rarest bigram, and the index of prefixes is one flat list too: a bank of
/// 3 × 10⁵ questions holds a few small vectors, not a million. The index is built whole and
/// each group probes only the entries of the groups before it, so the groups are probed on
/// every core, each finding what it would find in order.
pub fn near_duplicates<'a>(
    questions: &[&'a Question],
    threshold: f64,
) -> Vec<(&'a Question, &'a Question, f64)> {
    let Sets {
        mut grams,
        starts,
        ids,
    } = bigram_sets(questions);
    let span = |i: usize| starts[i] as usize..starts[i + 1] as usize;
    // Identical sets form one group: every pair inside it is alike (unless the set is empty).
    // `first[g]` is the group's first question, `members[member_starts[g]..]` all of them.
    let mut group: Vec<u32> = Vec::with_capacity(questions.len());
    let mut first: Vec<usize> = Vec::new();
    {
        let mut group_of: HashMap<&[u32], u32, RandomState> = HashMap::default();
        for i in 0..questions.len() {
            let g = *group_of.entry(&grams[span(i)]).or_insert_with(|| {
                first.push(i);
                first.len() as u32 - 1
            });
            group.push(g);
        }
    }
    let groups = first.len();
    let mut member_starts = vec![0u32; groups + 1];
    for &g in &group {
        member_starts[g as usize + 1] += 1;
    }
    for g in 0..groups {
        member_starts[g + 1] += member_starts[g];
    }
    let mut members = vec![0u32; questions.len()];
    let mut filled = member_starts.clone();
    for (i, &g) in group.iter().enumerate() {
        members[filled[g as usize] as usize] = i as u32;
        filled[g as usize] += 1;
    }
    drop(group);
    let members_of = |g: usize| &members[member_starts[g] as usize..member_starts[g + 1] as usize];
    let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
    for (g, &i) in first.iter().enumerate() {
        let s = &grams[span(i)];
        if let Some(sim) = similarity(s, s, threshold) {
            let m = members_of(g);
            for (k, &i) in m.iter().enumerate() {
                pairs.extend(m[k + 1..].iter().map(|&j| (i, j, sim)));
            }
        }
    }
    // Rank bigrams from the rarest (over groups), then index each group's prefix.
    // Bigram ids are dense (0, 1, 2… in order of first sight), so counts and ranks are plain
    // vectors indexed by id rather than hash maps.
    let mut freq = vec![0u32; ids];
    for &i in &first {
        for &t in &grams[span(i)] {
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
    // Ranks reuse the counts' room.
    let mut rank = freq;
    for (r, &(_, t)) in order.iter().enumerate() {
        rank[t as usize] = r as u32;
    }
    let ranks = order.len();
    drop(order);
    // Each group's set, renumbered by rank in place (in its first question's slice).
    for &i in &first {
        let set = &mut grams[span(i)];
        for t in set.iter_mut() {
            *t = rank[*t as usize];
        }
        set.sort_unstable();
    }
    drop(rank);
    let ranked = |g: usize| &grams[span(first[g])];
    // Each group's set size, side by side: the filters ask for it at every index entry.
    let size: Vec<u32> = first.iter().map(|&i| starts[i + 1] - starts[i]).collect();
    // Groups from the smallest set: a set indexed earlier is never larger, and once too small
    // for the current one it is too small for every later one.
    let mut by_size: Vec<u32> = (0..groups as u32)
        .filter(|&g| size[g as usize] > 0)
        .collect();
    by_size.sort_by_key(|&g| (size[g as usize], g));
    let overlap_factor = threshold / (1.0 + threshold);
    // Only sets at least as large probe a set later: for them a shorter prefix is enough
    // (PPJoin's indexing prefix, from an overlap of 2·threshold/(1+threshold) of this set).
    let indexed =
        |len: usize| prefix_len(len, 2.0 * overlap_factor).min(prefix_len(len, threshold));
    // bigram → (the group's place in `by_size`, position of the bigram in the group's set, the
    // set's size), in the order of `by_size`, each bigram's list at `index[list_starts[t]..]`.
    // A group probes only the entries of groups before it, as if the index were built as the
    // groups are probed; so the groups are probed on every core, each from the whole index.
    let mut list_starts = vec![0u32; ranks + 1];
    for &g in &by_size {
        let r = ranked(g as usize);
        for &t in &r[..indexed(r.len())] {
            list_starts[t as usize + 1] += 1;
        }
    }
    for t in 0..ranks {
        list_starts[t + 1] += list_starts[t];
    }
    let mut index = vec![(0u32, 0u32, 0u32); list_starts[ranks] as usize];
    {
        let mut len = vec![0u32; ranks];
        for (place, &g) in by_size.iter().enumerate() {
            let r = ranked(g as usize);
            for (i, &t) in r[..indexed(r.len())].iter().enumerate() {
                let t = t as usize;
                index[(list_starts[t] + len[t]) as usize] =
                    (place as u32, i as u32, size[g as usize]);
                len[t] += 1;
            }
        }
    }
    // The pairs found by the groups at `places` of `by_size`, with `shared` all zero.
    let probe =
        |places: std::ops::Range<usize>, shared: &mut [u32], pairs: &mut Vec<(u32, u32, f64)>| {
            let mut candidates: Vec<usize> = Vec::new();
            for place in places {
                let g = by_size[place] as usize;
                let r = ranked(g);
                let prefix = prefix_len(r.len(), threshold);
                for (i, &t) in r[..prefix].iter().enumerate() {
                    let t = t as usize;
                    let list = &index[list_starts[t] as usize..list_starts[t + 1] as usize];
                    // The groups before this one, less those too small to be alike.
                    let end = list.partition_point(|e| (e.0 as usize) < place);
                    let list = &list[..end];
                    let start = list.partition_point(|e| (e.2 as f64) < threshold * r.len() as f64);
                    for &(h, j, other) in &list[start..] {
                        let (h, other) = (by_size[h as usize] as usize, other as usize);
                        // Positional filter: the bigrams still to come bound how many more can be
                        // shared; one less than the bound is asked for, so rounding never loses a pair.
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
                    if let Some(sim) = similarity(ranked(h), r, threshold) {
                        for &i in members_of(h) {
                            pairs.extend(members_of(g).iter().map(|&j| (i.min(j), i.max(j), sim)));
                        }
                    }
                }
                candidates.clear();
            }
        };
    // Places are handed out a block at a time to whichever core is free.
    const BLOCK: usize = 512;
    let next = AtomicUsize::new(0);
    let work = || {
        // Bigrams shared so far with each candidate (0: none, or pruned).
        let mut shared = vec![0u32; groups];
        let mut found = Vec::new();
        loop {
            let at = next.fetch_add(BLOCK, Ordering::Relaxed);
            if at >= by_size.len() {
                return found;
            }
            probe(at..(at + BLOCK).min(by_size.len()), &mut shared, &mut found);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let helpers = cores.min(by_size.len() / BLOCK).saturating_sub(1);
    std::thread::scope(|s| {
        let others: Vec<_> = (0..helpers).map(|_| s.spawn(work)).collect();
        pairs.extend(work());
        for o in others {
            pairs.extend(o.join().expect("a near-duplicate prober panicked"));
        }
    });
    pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
    pairs
        .into_iter()
        .map(|(i, j, sim)| (questions[i as usize], questions[j as usize], sim))
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

/// Every stem's set of character bigrams, as sorted ids: question `i`'s set is
/// `grams[starts[i]..starts[i + 1]]`; ids are dense, `0..ids`.
struct Sets {
    grams: Vec<u32>,
    starts: Vec<u32>,
    ids: usize,
}

/// Each stem's set of character bigrams (letters and digits only, lower case).
///
/// The stems are read on every core, a run of questions each, every run numbering the bigrams
/// it sees in its own order of first sight; the runs' numberings are then joined in the runs'
/// order, which gives each bigram the id the order of first sight over all stems gives it, and
/// each set is renumbered and sorted again on its core.
fn bigram_sets(questions: &[&Question]) -> Sets {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A run is worth a thread from a few thousand stems on.
    bigram_sets_in(questions, cores.min(questions.len() / 4096).max(1))
}

/// [`bigram_sets`] read in `runs` runs.
fn bigram_sets_in(questions: &[&Question], runs: usize) -> Sets {
    let per_run = questions.len().div_ceil(runs).max(1);
    let mut read: Vec<RunSets> = std::thread::scope(|s| {
        let threads: Vec<_> = questions
            .chunks(per_run)
            .map(|run| s.spawn(move || run_sets(run)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a bigram reader panicked"))
            .collect()
    });
    // The runs' bigrams numbered over all stems, in the runs' order.
    let mut ids: HashMap<u64, u32, RandomState> = HashMap::with_capacity_and_hasher(
        read.iter().map(|r| r.keys.len()).max().unwrap_or(0),
        RandomState::default(),
    );
    let renumbered: Vec<Vec<u32>> = read
        .iter_mut()
        .map(|r| {
            std::mem::take(&mut r.keys)
                .into_iter()
                .map(|key| {
                    let next = ids.len() as u32;
                    *ids.entry(key).or_insert(next)
                })
                .collect()
        })
        .collect();
    let count = ids.len();
    drop(ids);
    let total: usize = read.iter().map(|r| r.grams.len()).sum();
    assert!(u32::try_from(total).is_ok(), "fewer than 2³² bigrams");
    let mut grams = vec![0u32; total];
    let mut starts: Vec<u32> = Vec::with_capacity(questions.len() + 1);
    starts.push(0);
    for r in &read {
        let base = *starts.last().expect("starts at 0");
        starts.extend(r.ends.iter().map(|&e| base + e));
    }
    std::thread::scope(|s| {
        let mut rest = grams.as_mut_slice();
        for (r, new_id) in read.iter().zip(&renumbered) {
            let (mine, after) = rest.split_at_mut(r.grams.len());
            rest = after;
            s.spawn(move || {
                for (to, &from) in mine.iter_mut().zip(&r.grams) {
                    *to = new_id[from as usize];
                }
                let mut begin = 0;
                for &end in &r.ends {
                    mine[begin..end as usize].sort_unstable();
                    begin = end as usize;
                }
            });
        }
    });
    Sets {
        grams,
        starts,
        ids: count,
    }
}

/// The bigram sets of a run of stems, numbered in the run's own order of first sight.
struct RunSets {
    /// Each id's bigram (its two characters in one number).
    keys: Vec<u64>,
    /// The sets, one after another, each without repeats (in no order).
    grams: Vec<u32>,
    /// Where each set ends in `grams`.
    ends: Vec<u32>,
}

fn run_sets(questions: &[&Question]) -> RunSets {
    let mut ids: HashMap<u64, u32, RandomState> = HashMap::default();
    let mut keys: Vec<u64> = Vec::new();
    // About a bigram per character, three bytes each in Chinese.
    let mut grams: Vec<u32> =
        Vec::with_capacity(questions.iter().map(|q| q.stem.len()).sum::<usize>() / 3);
    let mut ends: Vec<u32> = Vec::with_capacity(questions.len());
    for q in questions {
        let begin = grams.len();
        let mut prev: Option<char> = None;
        let mut push = |c: char| {
            if let Some(p) = prev {
                let key = u64::from(p) << 32 | u64::from(c);
                let next = keys.len() as u32;
                grams.push(*ids.entry(key).or_insert_with(|| {
                    keys.push(key);
                    next
                }));
            }
            prev = Some(c);
        };
        for c in q.stem.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    push(c.to_ascii_lowercase());
                }
            } else if is_caseless_ideograph(c) {
                push(c);
            } else if c.is_alphanumeric() {
                c.to_lowercase().for_each(&mut push);
            }
        }
        let set = &mut grams[begin..];
        set.sort_unstable();
        let mut kept = 0;
        for k in 0..set.len() {
            if k == 0 || set[k] != set[kept - 1] {
                set[kept] = set[k];
                kept += 1;
            }
        }
        grams.truncate(begin + kept);
        ends.push(u32::try_from(grams.len()).expect("fewer than 2³² bigrams"));
    }
    RunSets { keys, grams, ends }
}

/// A CJK unified ideograph of the basic block: a letter with no case, as
/// `char::is_alphanumeric` and `char::to_lowercase` say (checked over the block in the tests),
/// found without their table lookups for the characters most Chinese stems are made of.
fn is_caseless_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
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
            stems in proptest::collection::vec("[甲乙丙丁abA1 ，İ]{0,14}", 0..40),
            threshold in prop_oneof![Just(0.9), Just(0.75), Just(0.5), Just(1.0), 0.3f64..1.0],
        ) {
            let qs: Vec<Question> = stems.iter().enumerate().map(|(n, s)| question(n, s)).collect();
            let refs: Vec<&Question> = qs.iter().collect();
            prop_assert_eq!(found(&refs, threshold), every_pair(&refs, threshold));
        }
    }

    /// A bank large enough to be probed on several cores: the same pairs as comparing every pair.
    #[test]
    fn a_bank_probed_on_several_cores_gives_the_pairs_of_every_pair() {
        let words = [
            "排污", "单位", "应当", "如实", "申报", "监测", "设备", "记录", "许可", "建设",
        ];
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut stems: Vec<String> = Vec::new();
        for i in 0..2000 {
            let stem = if i > 0 && next() % 10 == 0 {
                // An earlier stem with one word changed.
                let earlier = stems[next() % i].clone();
                let from = words[next() % words.len()];
                let to = words[next() % words.len()];
                earlier.replacen(from, to, 1)
            } else {
                (0..8 + next() % 8)
                    .map(|_| words[next() % words.len()])
                    .collect()
            };
            stems.push(stem);
        }
        let qs: Vec<Question> = stems
            .iter()
            .enumerate()
            .map(|(n, s)| question(n, s))
            .collect();
        let refs: Vec<&Question> = qs.iter().collect();
        let got = found(&refs, 0.9);
        assert!(got.len() > 50, "{}", got.len());
        assert_eq!(got, every_pair(&refs, 0.9));
    }

    /// Stems read in several runs get the sets and the bigram ids one run over them all gives.
    #[test]
    fn bigram_sets_read_in_runs_are_those_read_in_one() {
        let stems = [
            "排污单位应当如实申报",
            "Which unit SHALL report 3 times?",
            "",
            "监测设备，监测记录。",
            "ÄÖ straße ÉCOLE école",
            "应当如实申报排污许可",
            "x",
            "建设单位应当 report",
        ];
        let qs: Vec<Question> = (0..500)
            .map(|n| question(n, &stems[..=n % stems.len()].concat()))
            .collect();
        let refs: Vec<&Question> = qs.iter().collect();
        let one = bigram_sets_in(&refs, 1);
        assert!(one.ids > 50, "{}", one.ids);
        for runs in [2, 3, 7] {
            let read = bigram_sets_in(&refs, runs);
            assert_eq!(read.grams, one.grams, "{runs} runs");
            assert_eq!(read.starts, one.starts, "{runs} runs");
            assert_eq!(read.ids, one.ids, "{runs} runs");
        }
    }

    /// The shortcut for ideographs gives what `is_alphanumeric` and `to_lowercase` give.
    #[test]
    fn ideographs_of_the_basic_block_are_caseless_letters() {
        for c in '\u{4E00}'..='\u{9FFF}' {
            assert!(is_caseless_ideograph(c));
            assert!(c.is_alphanumeric(), "{c}");
            assert!(c.to_lowercase().eq([c]), "{c}");
        }
        assert!(!is_caseless_ideograph('\u{3400}') && !is_caseless_ideograph('，'));
    }

    #[test]
    fn points_print_without_trailing_zeros() {
        assert_eq!(fmt_points(10.0), "10");
        assert_eq!(fmt_points(2.5), "2.5");
        assert_eq!(fmt_points(1.0 / 3.0), "0.33");
    }
}

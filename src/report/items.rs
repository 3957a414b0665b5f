//! Item analysis, streamed one candidate at a time: per-question sums, item-total cross products
//! and small histograms of the distinct scores, never the responses of all candidates.
//!
//! Definitions follow Moodle's quiz statistics: facility = mean points / max; SD = sample standard
//! deviation of the item score as a fraction of its max; discrimination index = correlation of the
//! item score with the rest of the test (total − item); discriminative efficiency = the covariance
//! with the rest of the test over the largest covariance the same two score distributions allow
//! (both sorted and paired in order).

use super::correlation::{sample_var, ItemRest, Moments};
use super::{rounded, Flag, FlagKind, Group};
use crate::sheet::Status;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the analysis knows of a canonical question before any response.
#[derive(Debug, Clone)]
pub struct ItemSpec {
    pub question: String,
    /// `single`, `multiple`, `judge`, `fill`, `short`.
    pub kind: String,
    pub max: f64,
    /// The options' letters in bank order (`A`…, or `T`/`F` for judge); empty for other kinds.
    pub options: Vec<char>,
    /// The keyed letters in bank order (`T` or `F` for judge).
    pub key: Vec<char>,
}

/// One candidate's response to one item.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// Index into the specs.
    pub item: usize,
    pub points: f64,
    /// Marks in bank letters (`T`/`F` for judge).
    pub marks: &'a str,
    pub status: Status,
}

/// Scores are grouped by value at this resolution (a millionth of a point) for the efficiency.
fn key(v: f64) -> i64 {
    (v * 1e6).round() as i64
}

#[derive(Debug, Default, Clone)]
struct Acc {
    m: Moments,
    blank: u64,
    multi: u64,
    unreadable: u64,
    /// Per option: chosen by anyone, by the top group, by the bottom group.
    chosen: Vec<[u64; 3]>,
    top: u64,
    bottom: u64,
    /// Distinct item scores and rest scores with their counts (bounded by the score grid).
    x_hist: BTreeMap<i64, u64>,
    rest_hist: BTreeMap<i64, u64>,
}

/// The item analysis in progress.
pub struct Analysis {
    specs: Vec<ItemSpec>,
    acc: Vec<Acc>,
    top_from: f64,
    bottom_to: f64,
    candidates: u64,
    /// Σ total and Σ total² over candidates (total = the sum of item points).
    sy: f64,
    syy: f64,
    items_seen: u64,
}

/// One row of the item analysis.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub question: String,
    pub kind: String,
    pub n: u64,
    pub max: f64,
    pub mean: f64,
    pub facility: f64,
    /// Sample SD of the item score as a fraction of max.
    pub sd: f64,
    /// Item-rest correlation; none when either score does not vary.
    pub discrimination: Option<f64>,
    pub efficiency: Option<f64>,
    pub blank: f64,
    pub multi: f64,
    pub unreadable: f64,
    pub key: String,
    pub options: Vec<OptionRow>,
    pub flags: Vec<Flag>,
}

/// Distractor analysis of one option.
#[derive(Debug, Clone, Serialize)]
pub struct OptionRow {
    pub option: char,
    pub key: bool,
    pub count: u64,
    /// Share of everyone who had the item.
    pub share: f64,
    /// Share of the top and bottom groups that chose it.
    pub top: f64,
    pub bottom: f64,
}

/// The whole test's reliability.
#[derive(Debug, Clone, Serialize)]
pub struct Reliability {
    /// Cronbach's α; none with fewer than two items or no variance.
    pub alpha: Option<f64>,
    /// Mean items per candidate (k in α's formula).
    pub items: f64,
    /// Sample SD of the item-sum totals.
    pub sd: f64,
    /// Standard error of measurement: sd·√(1 − α).
    pub sem: Option<f64>,
}

impl Analysis {
    /// A new analysis; `groups` splits candidates into top and bottom groups by item-sum total.
    pub fn new(specs: Vec<ItemSpec>, groups: &Group) -> Self {
        let acc = specs
            .iter()
            .map(|s| Acc {
                chosen: vec![[0; 3]; s.options.len()],
                ..Acc::default()
            })
            .collect();
        Analysis {
            specs,
            acc,
            top_from: groups.top_from,
            bottom_to: groups.bottom_to,
            candidates: 0,
            sy: 0.0,
            syy: 0.0,
            items_seen: 0,
        }
    }

    /// Adds one candidate's responses (each item at most once).
    pub fn add(&mut self, responses: &[Response]) {
        let y: f64 = responses.iter().map(|r| r.points).sum();
        self.candidates += 1;
        self.sy += y;
        self.syy += y * y;
        self.items_seen += responses.len() as u64;
        let top = y >= self.top_from;
        let bottom = y <= self.bottom_to;
        for r in responses {
            let (spec, a) = (&self.specs[r.item], &mut self.acc[r.item]);
            let x = r.points;
            a.m.add(x, y);
            *a.x_hist.entry(key(x)).or_insert(0) += 1;
            *a.rest_hist.entry(key(y - x)).or_insert(0) += 1;
            a.top += u64::from(top);
            a.bottom += u64::from(bottom);
            match r.status {
                Status::Blank => a.blank += 1,
                Status::Multi => a.multi += 1,
                Status::Unreadable | Status::Invalid => a.unreadable += 1,
                Status::Ok => {
                    for m in r.marks.chars() {
                        if let Some(i) = spec.options.iter().position(|&o| o == m) {
                            let c = &mut a.chosen[i];
                            c[0] += 1;
                            c[1] += u64::from(top);
                            c[2] += u64::from(bottom);
                        }
                    }
                }
            }
        }
    }

    /// The rows, in spec order (questions nobody had are left out), and the test's reliability.
    pub fn finish(self) -> (Vec<ItemRow>, Reliability) {
        let mut rows = Vec::new();
        // Σ over items of nᵢ·varᵢ: each candidate's expected sum of item variances, times N.
        let mut weighted_var = 0.0;
        for (spec, a) in self.specs.iter().zip(&self.acc) {
            let m = &a.m;
            if m.n == 0 {
                continue;
            }
            let n = m.n as f64;
            let mean = m.sx / n;
            let ItemRest {
                var_x,
                sr,
                cov,
                r: discrimination,
            } = m.item_rest();
            weighted_var += n * var_x;
            let cov_max = max_covariance(&a.x_hist, &a.rest_hist, m.sx, sr, m.n);
            let efficiency = (cov_max > 1e-12).then(|| cov / cov_max);
            let facility = if spec.max > 0.0 { mean / spec.max } else { 0.0 };
            let sd = if spec.max > 0.0 {
                var_x.sqrt() / spec.max
            } else {
                0.0
            };
            let share = |c: u64, of: u64| if of > 0 { c as f64 / of as f64 } else { 0.0 };
            let options: Vec<OptionRow> = spec
                .options
                .iter()
                .zip(&a.chosen)
                .map(|(&o, c)| OptionRow {
                    option: o,
                    key: spec.key.contains(&o),
                    count: c[0],
                    share: share(c[0], m.n),
                    top: share(c[1], a.top),
                    bottom: share(c[2], a.bottom),
                })
                .collect();
            let mut row = ItemRow {
                question: spec.question.clone(),
                kind: spec.kind.clone(),
                n: m.n,
                max: spec.max,
                mean,
                facility,
                sd,
                discrimination,
                efficiency,
                blank: share(a.blank, m.n),
                multi: share(a.multi, m.n),
                unreadable: share(a.unreadable, m.n),
                key: spec.key.iter().collect(),
                options,
                flags: Vec::new(),
            };
            row.flags = flags(&row);
            rows.push(row);
        }
        let big_n = self.candidates as f64;
        let k = if self.candidates > 0 {
            self.items_seen as f64 / big_n
        } else {
            0.0
        };
        let var_y = sample_var(self.candidates, self.sy, self.syy);
        let alpha = (k > 1.0 && var_y > 1e-12)
            .then(|| k / (k - 1.0) * (1.0 - (weighted_var / big_n) / var_y));
        let sd = var_y.sqrt();
        let sem = alpha.map(|a| sd * (1.0 - a).max(0.0).sqrt());
        (
            rows,
            Reliability {
                alpha,
                items: k,
                sd,
                sem,
            },
        )
    }
}

/// The covariance of the two distributions sorted and paired in order (Moodle's `covariancemax`),
/// from their histograms: the i-th smallest item score meets the i-th smallest rest score.
fn max_covariance(x: &BTreeMap<i64, u64>, r: &BTreeMap<i64, u64>, sx: f64, sr: f64, n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let mut xs = x.iter().map(|(&k, &c)| (k as f64 / 1e6, c));
    let mut rs = r.iter().map(|(&k, &c)| (k as f64 / 1e6, c));
    let (mut cx, mut cr) = (xs.next(), rs.next());
    let mut sum = 0.0;
    while let (Some((xv, xc)), Some((rv, rc))) = (cx, cr) {
        let take = xc.min(rc);
        sum += take as f64 * xv * rv;
        cx = if xc > take {
            Some((xv, xc - take))
        } else {
            xs.next()
        };
        cr = if rc > take {
            Some((rv, rc - take))
        } else {
            rs.next()
        };
    }
    let nf = n as f64;
    (sum - sx * sr / nf) / (nf - 1.0)
}

/// Low discrimination below this.
pub const LOW_DISCRIMINATION: f64 = 0.2;
/// Too easy above this facility.
pub const EASY: f64 = 0.95;
/// Too hard below this facility.
pub const HARD: f64 = 0.2;

fn flags(row: &ItemRow) -> Vec<Flag> {
    let mut out = Vec::new();
    // Compared as printed: discrimination to two decimals, facility to a whole percent.
    match row.discrimination.map(|d| rounded(d, 2)) {
        Some(d) if d < 0.0 => out.push(Flag::new(FlagKind::NegativeDiscrimination, d, None)),
        Some(d) if d < LOW_DISCRIMINATION => {
            out.push(Flag::new(FlagKind::LowDiscrimination, d, None))
        }
        _ => {}
    }
    let facility = rounded(row.facility, 2);
    if facility > EASY {
        out.push(Flag::new(FlagKind::TooEasy, facility, None));
    } else if facility < HARD {
        out.push(Flag::new(FlagKind::TooHard, facility, None));
    }
    if row.options.is_empty() {
        return out;
    }
    // The key's pull on the top group: its least chosen keyed option.
    let key_top = row
        .options
        .iter()
        .filter(|o| o.key)
        .map(|o| o.top)
        .fold(f64::INFINITY, f64::min);
    let key_bottom = row
        .options
        .iter()
        .filter(|o| o.key)
        .map(|o| o.bottom)
        .fold(f64::INFINITY, f64::min);
    let best_wrong = row
        .options
        .iter()
        .filter(|o| !o.key)
        .max_by(|a, b| a.top.total_cmp(&b.top).then(b.option.cmp(&a.option)));
    if let Some(w) = best_wrong {
        if key_top.is_finite() && w.top > key_top {
            // The top group prefers a wrong option, and the weakest prefer the key more than the
            // strongest do: the key itself is suspect.
            if key_bottom > key_top {
                out.push(Flag::new(FlagKind::KeySuspect, w.top, Some(w.option)));
            } else {
                out.push(Flag::new(FlagKind::StrongDistractor, w.top, Some(w.option)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-point question with `facility` and `discrimination`, no options.
    fn row(facility: f64, discrimination: f64) -> ItemRow {
        ItemRow {
            question: "q".into(),
            kind: "fill".into(),
            n: 65,
            max: 1.0,
            mean: facility,
            facility,
            sd: 0.4,
            discrimination: Some(discrimination),
            efficiency: None,
            blank: 0.0,
            multi: 0.0,
            unreadable: 0.0,
            key: String::new(),
            options: Vec::new(),
            flags: Vec::new(),
        }
    }

    fn said(facility: f64, discrimination: f64, zh: bool) -> Vec<String> {
        flags(&row(facility, discrimination))
            .iter()
            .map(|f| f.reason(zh, &|c| c.to_string()))
            .collect()
    }

    #[test]
    fn a_discrimination_that_prints_as_zero_is_low_not_negative() {
        assert_eq!(said(0.5, -0.004, true), ["区分度低：0.00，低于 0.20"]);
        assert_eq!(
            said(0.5, -0.004, false),
            ["low discrimination: 0.00, below 0.20"]
        );
        assert_eq!(
            said(0.5, -0.12, true),
            ["区分度 -0.12，为负：低分者反而得分更高"]
        );
    }

    #[test]
    fn a_discrimination_that_prints_as_the_bar_is_not_below_it() {
        // 0.196 prints as 0.20: not called low, for the reader would see 0.20 < 0.20.
        assert!(said(0.5, 0.196, true).is_empty());
        assert_eq!(said(0.5, 0.194, true), ["区分度低：0.19，低于 0.20"]);
    }

    #[test]
    fn facility_flags_speak_in_percentages() {
        assert_eq!(said(0.97, 0.3, true), ["过易：难度系数 97%，高于 95%"]);
        assert_eq!(
            said(0.12, 0.3, false),
            ["too hard: facility 12%, below 20%"]
        );
        // 95.4% prints as 95%: not above 95%.
        assert!(said(0.954, 0.3, true).is_empty());
    }

    fn spec(id: &str, kind: &str, options: &str, key: &str) -> ItemSpec {
        ItemSpec {
            question: id.into(),
            kind: kind.into(),
            max: 1.0,
            options: options.chars().collect(),
            key: key.chars().collect(),
        }
    }

    /// Feeds candidates whose rows are (points, marks) per item, in spec order.
    fn run(specs: Vec<ItemSpec>, candidates: &[&[(f64, &str)]]) -> (Vec<ItemRow>, Reliability) {
        let mut totals: Vec<f64> = candidates
            .iter()
            .map(|c| c.iter().map(|r| r.0).sum())
            .collect();
        let groups = Group::thirds(&mut totals);
        let mut a = Analysis::new(specs, &groups);
        for c in candidates {
            let resp: Vec<Response> = c
                .iter()
                .enumerate()
                .map(|(item, &(points, marks))| Response {
                    item,
                    points,
                    marks,
                    status: if marks.is_empty() {
                        Status::Blank
                    } else {
                        Status::Ok
                    },
                })
                .collect();
            a.add(&resp);
        }
        a.finish()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} ≠ {b}");
    }

    /// Five candidates, three one-point items:
    ///
    /// ```text
    ///        q1 q2 q3  total
    ///   C1    1  1  1    3
    ///   C2    1  1  0    2
    ///   C3    1  0  1    2
    ///   C4    1  0  0    1
    ///   C5    0  0  0    0
    /// ```
    #[test]
    fn statistics_match_the_hand_computed_values() {
        let (one, zero) = ((1.0, "x"), (0.0, "y"));
        let (rows, rel) = run(
            vec![
                spec("q1", "fill", "", ""),
                spec("q2", "fill", "", ""),
                spec("q3", "fill", "", ""),
            ],
            &[
                &[one, one, one],
                &[one, one, zero],
                &[one, zero, one],
                &[one, zero, zero],
                &[zero, zero, zero],
            ],
        );
        // Facility = mean / max: q1 4/5, q2 and q3 2/5.
        close(rows[0].facility, 0.8);
        close(rows[1].facility, 0.4);
        close(rows[2].facility, 0.4);
        // Sample variances (n − 1 = 4): q1 Σ(x − .8)² = 4·.04 + .64 = .8 → .2;
        // q2, q3 Σ(x − .4)² = 2·.36 + 3·.16 = 1.2 → .3. SD (max 1) = √.2, √.3.
        close(rows[0].sd, 0.2f64.sqrt());
        close(rows[1].sd, 0.3f64.sqrt());
        // Totals 3, 2, 2, 1, 0: mean 1.6, Σ(y − 1.6)² = 1.96 + .16 + .16 + .36 + 2.56 = 5.2 → var 1.3.
        close(rel.sd, 1.3f64.sqrt());
        // α = k/(k−1)·(1 − Σvarᵢ/var_y) = 3/2·(1 − .8/1.3) = .75/1.3 = 0.576923…
        close(rel.alpha.unwrap(), 0.75 / 1.3);
        // SEM = sd·√(1 − α) = √(1.3 − .75) = √.55.
        close(rel.sem.unwrap(), 0.55f64.sqrt());
        close(rel.items, 3.0);

        // q1 against the rest (y − x = 2, 1, 1, 0, 0; mean .8):
        // cov = Σ(x − .8)(r − .8)/4 = (.2·1.2 + .2·.2 + .2·.2 + .2·(−.8) + (−.8)(−.8))/4 = .8/4 = .2;
        // var_r = (1.44 + .04 + .04 + .64 + .64)/4 = .7; r = .2/√(.2·.7) = 0.534522…
        close(rows[0].discrimination.unwrap(), 0.2 / (0.2f64 * 0.7).sqrt());
        // Sorted x 0 1 1 1 1 against sorted rest 0 0 1 1 2: Σxr = 4, the same as the data's, so
        // the covariance is already the largest possible: efficiency 1.
        close(rows[0].efficiency.unwrap(), 1.0);
        // q3 against the rest (2, 2, 1, 1, 0; Σr = 6, Σr² = 10):
        // Σxr = 1·2 + 1·1 = 3, cov = (3 − 2·6/5)/4 = .15; var_r = (10 − 36/5)/4 = .7;
        // r = .15/√(.3·.7) = 0.327327…
        close(
            rows[2].discrimination.unwrap(),
            0.15 / (0.3f64 * 0.7).sqrt(),
        );
        // Sorted x 0 0 0 1 1 against sorted rest 0 1 1 2 2: Σxr = 4, cov_max = (4 − 2.4)/4 = .4;
        // efficiency = .15/.4 = .375.
        close(rows[2].efficiency.unwrap(), 0.375);
        // q2 and q3 are mirror images with the same figures.
        close(
            rows[1].discrimination.unwrap(),
            rows[2].discrimination.unwrap(),
        );
        close(rows[1].efficiency.unwrap(), 0.375);
        assert!(rows[0].flags.is_empty(), "{:?}", rows[0].flags);
    }

    /// A question whose key is what the weakest candidates pick: flagged, with its reasons.
    #[test]
    fn a_key_the_weakest_pick_is_flagged() {
        let (one, zero) = ((1.0, "x"), (0.0, "y"));
        let (rows, _) = run(
            vec![
                spec("g1", "fill", "", ""),
                spec("g2", "fill", "", ""),
                spec("g3", "fill", "", ""),
                spec("bad", "single", "ABCD", "A"),
            ],
            &[
                &[one, one, one, (0.0, "B")],
                &[one, one, one, (0.0, "B")],
                &[one, one, zero, (0.0, "B")],
                &[one, zero, zero, (1.0, "A")],
                &[zero, zero, zero, (1.0, "A")],
                &[zero, zero, zero, (1.0, "A")],
            ],
        );
        let bad = &rows[3];
        // Totals 3 3 2 2 1 1: the top third (≥ 3) all chose B, the bottom third (≤ 1) all chose A.
        let b = bad.options.iter().find(|o| o.option == 'B').unwrap();
        let a = bad.options.iter().find(|o| o.option == 'A').unwrap();
        assert_eq!((b.count, a.count), (3, 3));
        close(b.top, 1.0);
        close(a.top, 0.0);
        close(a.bottom, 1.0);
        let kinds: Vec<FlagKind> = bad.flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [FlagKind::NegativeDiscrimination, FlagKind::KeySuspect]
        );
        assert_eq!(bad.flags[1].option, Some('B'));
        // Options nobody chose show in the distractor analysis, not as flags.
        let c = bad.options.iter().find(|o| o.option == 'C').unwrap();
        assert_eq!((c.count, c.share), (0, 0.0));
        let bank = |c: char| c.to_string();
        assert!(bad.flags[1]
            .reason(false, &bank)
            .contains("prefers B (100%)"));
        assert!(bad.flags[1].reason(true, &bank).contains("答案可能有误"));
        assert!(bad.discrimination.unwrap() < 0.0);
        // The good questions are not flagged for their keys.
        assert!(rows[..3]
            .iter()
            .all(|r| !r.flags.iter().any(|f| f.kind == FlagKind::KeySuspect)));
    }

    #[test]
    fn a_distractor_the_top_prefers_while_the_bottom_avoids_the_key_too() {
        let (one, zero) = ((1.0, "x"), (0.0, "y"));
        // Totals 4 3 3 1 1 0 0: the top third (≥ 3) chose A, C, C, so C draws 2/3 against the key's
        // 1/3; the bottom third (≤ 1) chose B, B, B, C and never the key: a strong distractor, and
        // no sign that the key itself is wrong.
        let (rows, _) = run(
            vec![
                spec("g1", "fill", "", ""),
                spec("g2", "fill", "", ""),
                spec("g3", "fill", "", ""),
                spec("d", "single", "ABC", "A"),
            ],
            &[
                &[one, one, one, (1.0, "A")],
                &[one, one, one, (0.0, "C")],
                &[one, one, one, (0.0, "C")],
                &[one, zero, zero, (0.0, "B")],
                &[one, zero, zero, (0.0, "B")],
                &[zero, zero, zero, (0.0, "B")],
                &[zero, zero, zero, (0.0, "C")],
            ],
        );
        let kinds: Vec<FlagKind> = rows[3].flags.iter().map(|f| f.kind).collect();
        assert!(kinds.contains(&FlagKind::StrongDistractor), "{kinds:?}");
        assert!(!kinds.contains(&FlagKind::KeySuspect), "{kinds:?}");
    }

    #[test]
    fn blanks_and_multi_marks_are_rates_of_everyone_who_had_the_item() {
        let mut a = Analysis::new(
            vec![spec("s", "single", "AB", "A")],
            &Group::thirds(&mut [0.0, 1.0, 0.0, 0.0]),
        );
        for (points, marks, status) in [
            (1.0, "A", Status::Ok),
            (0.0, "", Status::Blank),
            (0.0, "AB", Status::Multi),
            (0.0, "", Status::Invalid),
        ] {
            a.add(&[Response {
                item: 0,
                points,
                marks,
                status,
            }]);
        }
        let (rows, rel) = a.finish();
        close(rows[0].blank, 0.25);
        close(rows[0].multi, 0.25);
        close(rows[0].unreadable, 0.25);
        // A multi-mark is no vote for either option.
        assert_eq!(rows[0].options[0].count, 1);
        assert_eq!(rows[0].options[1].count, 0);
        // One item: no α.
        assert!(rel.alpha.is_none());
    }
}

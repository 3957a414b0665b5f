//! Grading as a whole: caches never change a result; scripts re-implementing the built-in rules agree.

use super::*;
use crate::bank::Kind;
use crate::blueprint::Mode;
use crate::draw::{draw, synthetic, DrawInput, Papers};
use crate::sheet::Sheet;
use std::collections::HashSet;

fn grade_all(m: &Manifest, csv: &str, cached: bool) -> (Vec<Graded>, Vec<ItemStats>, Tally) {
    let manual = Manual::new();
    let mut sheet =
        Sheet::open("t.csv", std::io::Cursor::new(csv.as_bytes().to_vec()), None).unwrap();
    let mut g = Grader::new(m, None, &manual, sheet.layout().tokens.clone());
    if !cached {
        g.plans = Plans::new(m, false).uncached();
    }
    let mut out = Vec::new();
    while let Some(row) = sheet.next() {
        out.push(g.grade(row.unwrap()).unwrap().graded().unwrap());
    }
    let (_, stats) = g.finish();
    (out, stats, g.tally.clone())
}

/// Statistics gathered per paper and folded at the end equal those folded after every row.
#[test]
fn item_statistics_do_not_depend_on_plan_caching() {
    let banks = [synthetic::bank(400)];
    let bp = synthetic::blueprint(Mode::Shuffle);
    let m = draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed: 3,
        avoid: &HashSet::new(),
        papers: Papers::Variants(2),
    })
    .unwrap()
    .manifest;
    let mut csv = String::from("candidate,name,team,paper");
    for n in 1..=100 {
        csv.push_str(&format!(",{n}"));
    }
    csv.push('\n');
    let marks = ["A", "B", "AC", "", "D", "AB", "BD", "C"];
    for i in 0..300 {
        csv.push_str(&format!("{i},n,t,{}", if i % 2 == 0 { "A" } else { "B" }));
        for (j, (_, it)) in m.papers[i % 2].leaves().enumerate() {
            let cell = match it.kind {
                Kind::Judge => ["T", "F", ""][(i + j) % 3],
                _ => marks[(i * 7 + j) % 8],
            };
            csv.push(',');
            csv.push_str(cell);
        }
        csv.push('\n');
    }
    let (a, sa, ta) = grade_all(&m, &csv, true);
    let (b, sb, tb) = grade_all(&m, &csv, false);
    assert_eq!(
        a.iter().map(|g| g.score).collect::<Vec<_>>(),
        b.iter().map(|g| g.score).collect::<Vec<_>>()
    );
    assert_eq!(ta.blanks, tb.blanks);
    assert_eq!(sa.len(), sb.len());
    for (x, y) in sa.iter().zip(&sb) {
        assert_eq!(
            (x.question.as_str(), x.n, x.blank, x.multi, &x.responses),
            (y.question.as_str(), y.n, y.blank, y.multi, &y.responses)
        );
        assert!(
            (x.mean - y.mean).abs() < 1e-9
                && (x.discrimination.unwrap_or(0.0) - y.discrimination.unwrap_or(0.0)).abs() < 1e-9
        );
    }
    assert!(sa.iter().map(|s| s.n).sum::<u64>() == 300 * 100);
}

use crate::blueprint::Rule;
use crate::score::script::RuleScript;
use proptest::prelude::*;

/// Every built-in rule for choice and judge items, written as a rule script. The section title
/// carries the rule and its penalty (`s0 negative 0.5`), since scripts do not see the rule.
const BUILTIN_AS_SCRIPT: &str = r#"
fn score(item, response) {
    let parts = item.section.split(" ");
    let rule = parts[1];
    let penalty = parse_float(parts[2]);
    let full = item.points;
    let wrong_cost = -penalty * full;
    if item.kind == "judge" {
        if response.status == "multi" {
            return if rule == "negative" { wrong_cost } else { 0.0 };
        }
        if response.status != "ok" || response.marks.is_empty() {
            return 0.0;
        }
        if response.marks == item.key {
            return full;
        }
        return if rule == "negative" { wrong_cost } else { 0.0 };
    }
    if response.status == "blank" || response.status == "unreadable" || response.marks.is_empty() {
        return 0.0;
    }
    let right = 0;
    let wrong = 0;
    for m in response.marks {
        if item.key.contains(m) { right += 1; } else { wrong += 1; }
    }
    let k = item.key.len();
    let exact = wrong == 0 && right == k;
    if item.kind == "single" && (rule == "partial-half" || rule == "fraction" || rule == "per-option") {
        rule = "all-or-nothing";
    }
    switch rule {
        "all-or-nothing" => if exact { full } else { 0.0 },
        "negative" => if exact { full } else { wrong_cost },
        "partial-half" => if wrong > 0 { 0.0 } else if right == k { full } else { full / 2.0 },
        "per-option" => if wrong > 0 { 0.0 } else { full * right.to_float() / k.to_float() },
        "fraction" => {
            let n = item.options;
            let plus = right.to_float() / k.to_float();
            let minus = if n > k { wrong.to_float() / (n - k).to_float() } else { 0.0 };
            let v = plus - minus;
            if v < 0.0 { v = 0.0; }
            if v > 1.0 { v = 1.0; }
            full * v
        }
    }
}
"#;

const RULES: [Rule; 5] = [
    Rule::AllOrNothing,
    Rule::Negative,
    Rule::PartialHalf,
    Rule::PerOption,
    Rule::Fraction,
];
const KINDS: [Kind; 3] = [Kind::Single, Kind::Multiple, Kind::Judge];
/// Cells as scanners write them, valid and not (E and F are beyond four options).
const CELLS: [&str; 18] = [
    "A", "B", "C", "D", "E", "AB", "AC", "BD", "ABD", "", "?", "*", "T", "F", "√", "×", "A,C", "x",
];

/// One section of a random blueprint: kind, count, points, rule, penalty.
type SectionCase = (usize, usize, f64, usize, f64);

/// A drawn exam of `sections`: `variants` papers A, B, …, or with `per_candidate` one paper
/// per candidate (plans are then built for every row, never cached).
fn random_exam(
    sections: &[SectionCase],
    redraw: bool,
    variants: usize,
    per_candidate: bool,
    seed: u64,
) -> Option<Manifest> {
    let mut bp = synthetic::blueprint(if redraw { Mode::Redraw } else { Mode::Shuffle });
    bp.exam.total = None;
    bp.draw.variants = variants;
    bp.draw.shuffle_options = true;
    let template = bp.sections[0].clone();
    bp.sections = sections
        .iter()
        .enumerate()
        .map(
            |(i, &(kind, count, points, rule, penalty))| crate::blueprint::SectionSpec {
                title: Some(format!("s{i} {} {penalty}", RULES[rule].name())),
                kind: KINDS[kind],
                count,
                points,
                rule: Some(RULES[rule]),
                penalty: Some(penalty),
                quotas: Vec::new(),
                ..template.clone()
            },
        )
        .collect();
    let banks = [synthetic::bank(120)];
    draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed,
        avoid: &HashSet::new(),
        papers: if per_candidate {
            Papers::Candidates(
                (0..variants)
                    .map(|i| crate::draw::manifest::Candidate {
                        id: format!("k{i}"),
                        name: format!("name {i}"),
                        team: String::new(),
                    })
                    .collect(),
            )
        } else {
            Papers::Variants(variants)
        },
    })
    .ok()
    .map(|d| d.manifest)
}

fn scan(m: &Manifest, rows: &[(usize, Vec<usize>)]) -> String {
    let items = m.papers[0].leaves().count();
    let mut csv = String::from("candidate,name,team,paper");
    for n in 1..=items {
        csv.push_str(&format!(",{n}"));
    }
    csv.push('\n');
    for (i, (paper, cells)) in rows.iter().enumerate() {
        let paper = &m.papers[paper % m.papers.len()];
        csv.push_str(&format!("c{i},n,t{},{}", i % 3, paper.code));
        for j in 0..items {
            csv.push_str(&format!(
                ",\"{}\"",
                CELLS[cells[j % cells.len()] % CELLS.len()]
            ));
        }
        csv.push('\n');
    }
    csv
}

/// A row's score, section scores and items (status, points), floats as bits.
type RowBits = (u64, Vec<u64>, Vec<(String, u64)>);

/// Scores, sections and item points of every row, graded with `script` (and plans cached or not).
fn grade_rows(m: &Manifest, csv: &str, script: Option<&RuleScript>, cached: bool) -> Vec<RowBits> {
    let manual = Manual::new();
    let mut sheet =
        Sheet::open("t.csv", std::io::Cursor::new(csv.as_bytes().to_vec()), None).unwrap();
    let mut g = Grader::new(m, script, &manual, sheet.layout().tokens.clone());
    if !cached {
        g.plans = Plans::new(m, script.is_some()).uncached();
    }
    let mut out = Vec::new();
    while let Some(row) = sheet.next() {
        let row = row.unwrap();
        let graded = g.grade(row).unwrap().graded().expect("every row is usable");
        let items = g
            .last_items(row)
            .map(|it| (it.status.name().to_string(), it.points.to_bits()))
            .collect();
        out.push((
            graded.score.to_bits(),
            graded.sections.iter().map(|s| s.to_bits()).collect(),
            items,
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A script re-implementing each built-in rule gives exactly the built-in scores, on random
    /// blueprints (redraw among them, where one question sits in sections of different points
    /// on different papers), whatever was graded before and whether plans are cached.
    #[test]
    fn a_script_of_the_built_in_rules_scores_alike(
        sections in prop::collection::vec(
            (0..3usize, 1..5usize, prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]), 0..5usize,
             prop::sample::select(vec![0.25, 0.5, 1.0])),
            2..5,
        ),
        redraw in any::<bool>(),
        variants in 2..4usize,
        per_candidate in any::<bool>(),
        seed in any::<u64>(),
        rows in prop::collection::vec((0..4usize, prop::collection::vec(0..18usize, 1..40)), 1..30),
    ) {
        let m = random_exam(&sections, redraw, variants, per_candidate, seed);
        prop_assume!(m.is_some());
        let m = m.unwrap();
        let csv = scan(&m, &rows);
        let script = RuleScript::compile("builtin.rhai", BUILTIN_AS_SCRIPT).unwrap();
        let builtin = grade_rows(&m, &csv, None, true);
        prop_assert_eq!(&grade_rows(&m, &csv, Some(&script), true), &builtin);
        prop_assert_eq!(&grade_rows(&m, &csv, Some(&script), false), &builtin);
        prop_assert_eq!(&grade_rows(&m, &csv, None, false), &builtin);
    }

    /// Ranks are a pure function of the scores written: one more than the number of higher
    /// scores, equal scores sharing a rank, and a score written to JSON reads back bit for bit.
    #[test]
    fn ranks_are_a_function_of_the_scores_written(
        parts in prop::collection::vec(prop::collection::vec((0..7u32, 1..7u32), 0..8), 1..40),
    ) {
        // Sums of fractional credits, as graded: float noise and ties included.
        let scores: Vec<f64> = parts
            .iter()
            .map(|p| settle(p.iter().fold(0.0, |s, &(a, b)| s + f64::from(a) / f64::from(b))))
            .collect();
        // The same credits in another order are the same score.
        for (p, s) in parts.iter().zip(&scores) {
            let reversed = settle(p.iter().rev().fold(0.0, |s, &(a, b)| s + f64::from(a) / f64::from(b)));
            prop_assert_eq!(reversed.to_bits(), s.to_bits());
        }
        let written: Vec<f64> = scores
            .iter()
            .map(|s| serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap())
            .collect();
        for (s, w) in scores.iter().zip(&written) {
            prop_assert_eq!(s.to_bits(), w.to_bits());
        }
        let ranking = Ranking::new(scores.clone(), vec![0; scores.len()]);
        for w in &written {
            let higher = written.iter().filter(|o| *o > w).count();
            prop_assert_eq!(ranking.rank(*w), higher + 1);
        }
    }
}

/// Equal points are one score, whatever order the items were added in.
#[test]
fn the_same_credits_in_another_order_are_one_score() {
    let credits = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 1.0, 1.0, 2.0 / 3.0, 0.5];
    let forward: f64 = credits.iter().sum();
    let other: f64 = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 1.0, 1.0, 0.5, 2.0 / 3.0]
        .iter()
        .sum();
    assert_ne!(forward, other, "float sums depend on the order");
    assert_eq!(settle(forward), settle(other));
    let ranking = Ranking::new(vec![settle(forward), settle(other)], vec![1, 2]);
    assert_eq!(ranking.rank(settle(other)), 1);
    // Six ⅙-point credits reach a pass mark of 1.
    let six: f64 = (0..6).map(|_| 1.0 / 6.0).sum();
    assert!(six < 1.0 && settle(six) >= 1.0);
    assert_eq!(settle(-0.0).to_bits(), 0.0f64.to_bits());
}

#[test]
fn every_status_items_csv_writes_reads_back() {
    use crate::sheet::Status;
    for status in [
        Status::Ok,
        Status::Blank,
        Status::Multi,
        Status::Unreadable,
        Status::Invalid,
    ] {
        assert_eq!(
            ItemLine::parse_status(status.name()),
            Some((status, How::Sheet))
        );
    }
    for how in [
        How::Manual,
        How::Double,
        How::Arbitration,
        How::Arbitrated,
        How::Appeal,
    ] {
        let name = how.name().unwrap();
        assert_eq!(ItemLine::parse_status(name), Some((Status::Ok, how)));
    }
    assert_eq!(ItemLine::parse_status("OK"), None);
    assert_eq!(ItemLine::parse_status(""), None);
}

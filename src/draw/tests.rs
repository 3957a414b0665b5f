//! Properties every draw must have, for any seed.

use super::*;
use crate::blueprint::{DifficultyTarget, Mode};
use proptest::prelude::*;

fn run(seed: u64, mode: Mode, papers: usize) -> Manifest {
    let banks = [synthetic::bank(400)];
    let bp = synthetic::blueprint(mode);
    draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed,
        avoid: &HashSet::new(),
        papers: Papers::Variants(papers),
    })
    .expect("drawable")
    .manifest
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn sections_quotas_and_points_are_honoured(seed in any::<u64>(), redraw in any::<bool>()) {
        let mode = if redraw { Mode::Redraw } else { Mode::Shuffle };
        let m = run(seed, mode, 3);
        let banks = [synthetic::bank(400)];
        let by_id: std::collections::HashMap<&str, &Question> = banks[0].questions.iter().map(|q| (q.id.as_str(), q)).collect();
        for p in &m.papers {
            for (spec, s) in m.blueprint.sections.iter().zip(&p.sections) {
                prop_assert_eq!(s.items.len(), spec.count);
                for it in &s.items {
                    prop_assert_eq!(it.kind, spec.kind);
                    prop_assert_eq!(it.points, spec.points);
                }
                for q in &spec.quotas {
                    let n = s.items.iter().filter(|it| it.tags.contains(&q.tag)).count();
                    prop_assert!(n >= q.count, "quota {} wants {} got {}", q.tag, q.count, n);
                }
            }
            let ids: Vec<&str> = p.sections.iter().flat_map(|s| &s.items).map(|it| it.question.as_str()).collect();
            let unique: HashSet<&str> = ids.iter().copied().collect();
            prop_assert_eq!(unique.len(), ids.len(), "a question twice on paper {}", p.code);
            let numbers: Vec<u32> = p.leaves().filter_map(|(_, it)| it.number).collect();
            prop_assert_eq!(numbers, (1..=100).collect::<Vec<u32>>());
            for (_, it) in p.leaves() {
                let q = by_id[it.question.as_str()];
                let mut sorted = it.order.clone();
                sorted.sort_unstable();
                prop_assert_eq!(sorted, (0..q.options.len()).collect::<Vec<_>>(), "order is a bijection");
                for (i, text) in it.options.iter().enumerate() {
                    prop_assert_eq!(text, &q.options[it.order[i]]);
                }
                if let (Answer::Choice(printed), Answer::Choice(bank)) = (&it.answer, &q.answer) {
                    let mut back: Vec<usize> = printed.iter().map(|&i| it.order[i]).collect();
                    back.sort_unstable();
                    prop_assert_eq!(&back, bank, "the key follows the permutation");
                }
            }
        }
    }

    #[test]
    fn same_seed_same_bytes_and_other_seeds_differ(seed in any::<u64>()) {
        let a = serde_json::to_string(&run(seed, Mode::Redraw, 2)).unwrap();
        let b = serde_json::to_string(&run(seed, Mode::Redraw, 2)).unwrap();
        prop_assert_eq!(&a, &b);
        let c = serde_json::to_string(&run(seed.wrapping_add(1), Mode::Redraw, 2)).unwrap();
        prop_assert_ne!(a, c);
    }
}

#[test]
fn shuffle_mode_keeps_questions_and_changes_order() {
    let m = run(11, Mode::Shuffle, 2);
    let ids = |p: &Paper| {
        p.leaves()
            .map(|(_, it)| it.question.clone())
            .collect::<Vec<_>>()
    };
    let (a, b) = (ids(&m.papers[0]), ids(&m.papers[1]));
    assert_ne!(a, b);
    let (mut sa, mut sb) = (a.clone(), b.clone());
    sa.sort();
    sb.sort();
    assert_eq!(sa, sb);
}

#[test]
fn redraw_overlaps_as_little_as_the_bank_allows() {
    // 200 single questions, 50 per paper: four papers share nothing.
    let m = run(5, Mode::Redraw, 4);
    let singles = |p: &Paper| {
        p.sections[0]
            .items
            .iter()
            .map(|it| it.question.clone())
            .collect::<HashSet<_>>()
    };
    for i in 0..4 {
        for j in i + 1..4 {
            assert_eq!(
                singles(&m.papers[i])
                    .intersection(&singles(&m.papers[j]))
                    .count(),
                0,
                "papers {i} and {j}"
            );
        }
    }
}

#[test]
fn impossible_blueprint_names_each_shortfall() {
    let banks = [synthetic::bank(40)];
    let mut bp = synthetic::blueprint(Mode::Shuffle);
    bp.sections[0].quotas[0].count = 9;
    let err = draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed: 1,
        avoid: &HashSet::new(),
        papers: Papers::Variants(1),
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "section 1 「Single choice」: needs 50 single question(s), the banks hold 20"
        ),
        "{text}"
    );
    assert!(
        text.contains("quota `t1` needs 9, the banks hold 2"),
        "{text}"
    );
    assert!(
        text.contains(
            "section 2 「Multiple choice」: needs 25 multiple question(s), the banks hold 10"
        ),
        "{text}"
    );
}

#[test]
fn avoid_excludes_earlier_questions_or_fails() {
    let banks = [synthetic::bank(400)];
    let bp = synthetic::blueprint(Mode::Shuffle);
    let first = run(3, Mode::Shuffle, 1);
    let avoid: HashSet<String> = first.papers[0]
        .leaves()
        .map(|(_, it)| it.question.clone())
        .collect();
    let second = draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed: 4,
        avoid: &avoid,
        papers: Papers::Variants(1),
    })
    .unwrap()
    .manifest;
    assert!(second.papers[0]
        .leaves()
        .all(|(_, it)| !avoid.contains(&it.question)));
    // A small bank runs short once the earlier paper is avoided.
    let small = [synthetic::bank(160)];
    let avoid_small: HashSet<String> = run_on(&small, 3).papers[0]
        .leaves()
        .map(|(_, it)| it.question.clone())
        .collect();
    let err = draw(&DrawInput {
        blueprint: &bp,
        banks: &small,
        seed: 4,
        avoid: &avoid_small,
        papers: Papers::Variants(1),
    })
    .unwrap_err();
    assert!(err.to_string().contains("more are in `avoid`"), "{err}");
    let mut reuse = bp.clone();
    reuse.draw.on_short = crate::blueprint::OnShort::Reuse;
    let drawn = draw(&DrawInput {
        blueprint: &reuse,
        banks: &small,
        seed: 4,
        avoid: &avoid_small,
        papers: Papers::Variants(1),
    })
    .unwrap();
    assert!(
        drawn.warnings.iter().any(|w| w.contains("reusing")),
        "{:?}",
        drawn.warnings
    );
}

fn run_on(banks: &[Bank], seed: u64) -> Manifest {
    let bp = synthetic::blueprint(Mode::Shuffle);
    draw(&DrawInput {
        blueprint: &bp,
        banks,
        seed,
        avoid: &HashSet::new(),
        papers: Papers::Variants(1),
    })
    .unwrap()
    .manifest
}

#[test]
fn difficulty_mean_target_is_approached() {
    let banks = [synthetic::bank(400)];
    let mut bp = synthetic::blueprint(Mode::Shuffle);
    bp.sections[0].target = Some(DifficultyTarget::Mean(1.5));
    bp.sections[2].target = Some(DifficultyTarget::Mix([0.0, 0.0, 100.0]));
    let m = draw(&DrawInput {
        blueprint: &bp,
        banks: &banks,
        seed: 9,
        avoid: &HashSet::new(),
        papers: Papers::Variants(2),
    })
    .unwrap()
    .manifest;
    for p in &m.papers {
        let s = &p.sections[0];
        let mean = s
            .items
            .iter()
            .map(|it| f64::from(it.difficulty))
            .sum::<f64>()
            / s.items.len() as f64;
        assert!(
            (mean - 1.5).abs() < 0.3,
            "paper {} mean {mean} {:?}",
            p.code,
            s.items.iter().map(|it| it.difficulty).collect::<Vec<_>>()
        );
        assert!(
            p.sections[2].items.iter().all(|it| it.difficulty >= 4),
            "all hard judge items"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Excluded questions (e.g. citing a law not in force on the exam date) are never drawn,
    /// and excluding nothing draws exactly what `draw` draws.
    #[test]
    fn excluded_questions_are_never_drawn(seed in any::<u64>(), redraw in any::<bool>()) {
        let mode = if redraw { Mode::Redraw } else { Mode::Shuffle };
        let banks = [synthetic::bank(400)];
        let bp = synthetic::blueprint(mode);
        let ids: HashSet<String> = banks[0].questions.iter().step_by(7).map(|q| q.id.clone()).collect();
        let input = DrawInput {
            blueprint: &bp,
            banks: &banks,
            seed,
            avoid: &HashSet::new(),
            papers: Papers::Variants(3),
        };
        let m = draw_excluding(&input, &Exclusions { ids: &ids, why: "are excluded" }).expect("drawable").manifest;
        for p in &m.papers {
            for s in &p.sections {
                for it in &s.items {
                    let top = it.question.split('.').next().unwrap();
                    prop_assert!(!ids.contains(top), "drew excluded {}", it.question);
                }
            }
        }
        let none = draw_excluding(&input, &Exclusions { ids: &HashSet::new(), why: "" }).unwrap().manifest;
        prop_assert_eq!(none, draw(&input).unwrap().manifest);
    }
}

#[test]
fn a_shortfall_counts_what_the_exclusion_took_per_section_and_quota() {
    let banks = [synthetic::bank(40)];
    let bp = synthetic::blueprint(Mode::Shuffle);
    let excluded: HashSet<String> = banks[0]
        .questions
        .iter()
        .filter(|q| q.kind == Kind::Single && q.has_tag("t1"))
        .map(|q| q.id.clone())
        .collect();
    let err = draw_excluding(
        &DrawInput {
            blueprint: &bp,
            banks: &banks,
            seed: 1,
            avoid: &HashSet::new(),
            papers: Papers::Variants(1),
        },
        &Exclusions {
            ids: &excluded,
            why: "cite a law not in force",
        },
    )
    .unwrap_err()
    .to_string();
    let n = excluded.len();
    assert!(
        err.contains(&format!(
            "the banks hold {} ({n} more cite a law not in force)",
            20 - n
        )),
        "{err}"
    );
    assert!(
        err.contains("quota `t1` needs")
            && err.contains(&format!(
                "the banks hold 0 ({n} more cite a law not in force)"
            )),
        "{err}"
    );
}

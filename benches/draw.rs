//! Drawing 10,000 per-candidate papers × 100 items from a generated 5,000-question bank.
//! Run: `cargo bench --bench draw`. Target: ≥ 1,000,000 items/s on one core.

use examforge::blueprint::Mode;
use examforge::draw::manifest::Candidate;
use examforge::draw::{draw, synthetic, DrawInput, Papers};
use std::collections::HashSet;
use std::time::Instant;

fn main() {
    let banks = [synthetic::bank(5_000)];
    let candidates: Vec<Candidate> = (0..10_000)
        .map(|i| Candidate {
            id: format!("{:08}", 26_000_000 + i),
            name: format!("candidate {i}"),
            team: format!("team {}", i % 13),
        })
        .collect();
    for mode in [Mode::Redraw, Mode::Shuffle] {
        let bp = synthetic::blueprint(mode);
        let run = || {
            draw(&DrawInput {
                blueprint: &bp,
                banks: &banks,
                seed: 2026,
                avoid: &HashSet::new(),
                papers: Papers::Candidates(candidates.clone()),
            })
            .expect("drawable")
        };
        let mut best = f64::MAX;
        let mut drawn = None;
        for _ in 0..3 {
            let start = Instant::now();
            let d = run();
            best = best.min(start.elapsed().as_secs_f64());
            drawn = Some(d);
        }
        let drawn = drawn.expect("three runs");
        let items = drawn
            .manifest
            .papers
            .iter()
            .map(|p| p.leaves().count())
            .sum::<usize>();
        println!(
            "draw {mode:?}: {} papers, {items} items in {best:.3} s = {:.0} items/s",
            candidates.len(),
            items as f64 / best
        );
        let start = Instant::now();
        let json = serde_json::to_vec(&drawn.manifest).expect("json");
        println!(
            "  serialising exam.json ({} MB) took {:.3} s",
            json.len() / 1_000_000,
            start.elapsed().as_secs_f64()
        );
    }
}

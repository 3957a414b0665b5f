//! The one ranking function and tie policy of examforge: competition ranks (1, 2, 2, 4), highest
//! score first. Every ranking the tool prints — a written exam, a judged contest, standings of
//! people and teams, an online round — goes through here, so a tie is a tie everywhere.

/// Scores closer than this are equal: a trimmed mean of the same marks computed in another
/// order, or a score written to CSV and read back, must not split a tie.
pub const TIE: f64 = 1e-9;

/// Scores sorted highest first, to look ranks up in; built once, queried per candidate (a
/// streamed grading run keeps one number per candidate and nothing else).
#[derive(Debug, Clone, Default)]
pub struct Ranks {
    sorted: Vec<f64>,
}

impl Ranks {
    /// The ranking of `scores` (in any order).
    pub fn new(mut scores: Vec<f64>) -> Self {
        scores.sort_by(|a, b| b.total_cmp(a));
        Ranks { sorted: scores }
    }

    /// Competition rank of `score`: one more than the number of scores higher by more than
    /// [`TIE`] (so equal scores, `0` and `-0` among them, share a rank and the next rank skips).
    pub fn rank(&self, score: f64) -> usize {
        self.sorted.partition_point(|s| *s > score + TIE) + 1
    }
}

/// Competition ranks of `scores`, in their order: `[80, 90, 80, 70]` → `[2, 1, 2, 4]`.
pub fn ranks(scores: &[f64]) -> Vec<usize> {
    let r = Ranks::new(scores.to_vec());
    scores.iter().map(|&s| r.rank(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        assert_eq!(ranks(&[80.0, 90.0, 80.0, 70.0]), vec![2, 1, 2, 4]);
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn a_sum_reached_two_ways_is_one_tie() {
        let a: f64 = 0.1 + 0.2;
        let b: f64 = 0.3;
        assert_ne!(a.to_bits(), b.to_bits());
        assert_eq!(ranks(&[a, b]), vec![1, 1]);
    }

    #[test]
    fn zero_and_negative_zero_tie() {
        assert_eq!(ranks(&[0.0, -0.0, 1.0]), vec![2, 2, 1]);
    }

    #[test]
    fn lookup_matches_the_batch_ranks() {
        let scores = [3.5, 7.0, 7.0, 1.0, 9.25, 3.5];
        let r = Ranks::new(scores.to_vec());
        assert_eq!(
            scores.iter().map(|&s| r.rank(s)).collect::<Vec<_>>(),
            ranks(&scores)
        );
        assert_eq!(r.rank(100.0), 1);
        assert_eq!(r.rank(-1.0), 7);
    }
}

//! Ranks and duplicate flags, from one number per candidate.

use std::collections::HashSet;

/// Ranks and duplicate flags of a finished run.
///
/// Ranks are competition ranks (1, 2, 2, 4 …) over exactly the scores graded, with the one tie
/// policy of [`crate::rank`].
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// Scores, ranked by the one tie policy of [`crate::rank`].
    ranks: crate::rank::Ranks,
    /// Hashes of candidate ids found on more than one row.
    duplicated: HashSet<u64>,
    /// Rows beyond the first of each candidate id.
    repeats: u64,
}

impl Ranking {
    /// The ranking of `scores`, with candidates ids hashed by [`id_hash`] in `ids` (one per score).
    pub fn new(scores: Vec<f64>, mut ids: Vec<u64>) -> Self {
        ids.sort_unstable();
        let repeats: Vec<u64> = ids
            .windows(2)
            .filter(|p| p[0] == p[1])
            .map(|p| p[0])
            .collect();
        Ranking {
            ranks: crate::rank::Ranks::new(scores),
            repeats: repeats.len() as u64,
            duplicated: repeats.into_iter().collect(),
        }
    }

    /// Competition rank of `score` (see [`crate::rank::Ranks::rank`]).
    pub fn rank(&self, score: f64) -> usize {
        self.ranks.rank(score)
    }

    /// Whether candidate `id` appears on more than one row.
    pub fn duplicate(&self, id: &str) -> bool {
        self.duplicated.contains(&id_hash(id))
    }

    /// How many rows repeat a candidate id seen on an earlier row.
    pub fn duplicate_rows(&self) -> u64 {
        self.repeats
    }

    /// Fills in a candidate's rank and duplicate flag.
    pub fn complete(&self, g: &mut super::Graded) {
        g.rank = self.rank(g.score);
        g.duplicate = self.duplicate(&g.id);
    }
}

/// A candidate id as 64 bits: the duplicate check keeps this, not the id.
pub(super) fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

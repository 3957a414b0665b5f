//! The seeded generator: ChaCha20 keyed by the seed, with our own bounded draws and shuffle,
//! so that papers never depend on a library's choice of algorithm.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// A reproducible random stream.
pub struct Rng(ChaCha20Rng);

impl Rng {
    /// The stream for `seed`, sub-stream `stream` (one per paper or purpose).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(b"examfrg1");
        let mut rng = ChaCha20Rng::from_seed(key);
        rng.set_stream(stream);
        Rng(rng)
    }

    /// A uniform integer in `0..n` (`n > 0`), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        let n = n as u64;
        let mut m = u128::from(self.0.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.0.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as usize
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<usize> = (0..50)
            .map({
                let mut r = Rng::new(42, 0);
                move |_| r.below(1000)
            })
            .collect();
        let b: Vec<usize> = (0..50)
            .map({
                let mut r = Rng::new(42, 0);
                move |_| r.below(1000)
            })
            .collect();
        assert_eq!(a, b);
        let mut c = Rng::new(42, 1);
        assert_ne!(a, (0..50).map(|_| c.below(1000)).collect::<Vec<_>>());
    }

    #[test]
    fn below_covers_range_evenly() {
        let mut r = Rng::new(7, 0);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            counts[r.below(6)] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
    }

    /// Pins the stream: a change here changes every exam drawn, so it needs a format-version bump.
    #[test]
    fn stream_is_pinned() {
        let mut r = Rng::new(2026, 0);
        let v: Vec<usize> = (0..8).map(|_| r.below(100)).collect();
        assert_eq!(v, PINNED);
    }

    const PINNED: [usize; 8] = [9, 28, 50, 51, 12, 30, 97, 8];
}

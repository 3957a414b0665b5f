//! Plane geometry for registration: homographies from four point pairs, affine maps from three,
//! and the least-squares affine fit whose residual tells how well the marks agree.

/// A point (x, y).
pub type Pt = (f64, f64);

/// A projective map of the plane, row-major 3×3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// Maps a point.
    #[inline]
    pub fn apply(&self, (x, y): Pt) -> Pt {
        let m = &self.0;
        let w = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }

    /// The map taking `src[i]` to `dst[i]` for four pairs, `None` when three points are collinear.
    pub fn from_four(src: &[Pt; 4], dst: &[Pt; 4]) -> Option<Self> {
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let (x, y) = src[i];
            let (u, v) = dst[i];
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        let h = solve(a)?;
        Some(Homography([
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0,
        ]))
    }

    /// The affine map taking `src[i]` to `dst[i]` for three pairs.
    pub fn from_three(src: &[Pt; 3], dst: &[Pt; 3]) -> Option<Self> {
        let mut m = [0.0; 9];
        for (row, pick) in [(0usize, 0usize), (3, 1)] {
            let mut a = [[0.0f64; 4]; 3];
            for i in 0..3 {
                let t = if pick == 0 { dst[i].0 } else { dst[i].1 };
                a[i] = [src[i].0, src[i].1, 1.0, t];
            }
            let s = solve(a)?;
            m[row..row + 3].copy_from_slice(&s);
        }
        m[8] = 1.0;
        Some(Homography(m))
    }
}

/// Solves the N×N system given as rows `[a_0 … a_{N-1}, b]` by Gaussian elimination with partial
/// pivoting; `None` when it is singular.
pub fn solve<const M: usize, const N: usize>(mut a: [[f64; M]; N]) -> Option<[f64; N]> {
    debug_assert_eq!(M, N + 1);
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for r in col + 1..N {
            let f = a[r][col] / a[col][col];
            if f != 0.0 {
                let pivot_row = a[col];
                for (x, p) in a[r].iter_mut().zip(pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut x = [0.0; N];
    for r in (0..N).rev() {
        let mut s = a[r][N];
        for c in r + 1..N {
            s -= a[r][c] * x[c];
        }
        x[r] = s / a[r][r];
    }
    Some(x)
}

/// The root-mean-square distance left by the least-squares affine map from `src` to `dst`
/// (AMC reports the same figure for its marks); 0 for three points or fewer.
pub fn affine_residual(src: &[Pt], dst: &[Pt]) -> f64 {
    if src.len() <= 3 || src.len() != dst.len() {
        return 0.0;
    }
    // normal equations for [x y 1] · p = u (and v), shared matrix
    let mut ata = [[0.0f64; 3]; 3];
    let mut atu = [0.0f64; 3];
    let mut atv = [0.0f64; 3];
    for (&(x, y), &(u, v)) in src.iter().zip(dst) {
        let r = [x, y, 1.0];
        for i in 0..3 {
            for j in 0..3 {
                ata[i][j] += r[i] * r[j];
            }
            atu[i] += r[i] * u;
            atv[i] += r[i] * v;
        }
    }
    let sys = |b: [f64; 3]| {
        let mut a = [[0.0f64; 4]; 3];
        for i in 0..3 {
            a[i] = [ata[i][0], ata[i][1], ata[i][2], b[i]];
        }
        solve(a)
    };
    let (Some(p), Some(q)) = (sys(atu), sys(atv)) else {
        return f64::INFINITY;
    };
    let sum: f64 = src
        .iter()
        .zip(dst)
        .map(|(&(x, y), &(u, v))| {
            let du = p[0] * x + p[1] * y + p[2] - u;
            let dv = q[0] * x + q[1] * y + q[2] - v;
            du * du + dv * dv
        })
        .sum();
    (sum / src.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Pt, b: Pt) -> bool {
        (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6
    }

    #[test]
    fn four_points_give_the_projective_map_back() {
        let truth = Homography([1.9, 0.05, 30.0, -0.04, 2.1, 12.0, 1e-5, -2e-5, 1.0]);
        let src = [(15.0, 15.0), (195.0, 15.0), (15.0, 282.0), (195.0, 282.0)];
        let dst = src.map(|p| truth.apply(p));
        let h = Homography::from_four(&src, &dst).unwrap();
        for p in [(100.0, 100.0), (0.0, 0.0), (210.0, 297.0), (33.3, 250.1)] {
            assert!(close(h.apply(p), truth.apply(p)), "{p:?}");
        }
    }

    #[test]
    fn three_points_give_the_affine_map_and_collinear_ones_none() {
        let truth = Homography([0.0, -2.0, 600.0, 2.0, 0.0, 10.0, 0.0, 0.0, 1.0]);
        let src = [(15.0, 15.0), (195.0, 15.0), (15.0, 282.0)];
        let h = Homography::from_three(&src, &src.map(|p| truth.apply(p))).unwrap();
        assert!(close(h.apply((195.0, 282.0)), truth.apply((195.0, 282.0))));
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)];
        assert!(Homography::from_three(&line, &line).is_none());
    }

    #[test]
    fn residual_is_zero_for_an_affine_image_and_grows_with_a_moved_mark() {
        let src = [(15.0, 15.0), (195.0, 15.0), (15.0, 282.0), (195.0, 282.0)];
        let a = Homography([2.0, 0.1, 5.0, -0.1, 2.0, 7.0, 0.0, 0.0, 1.0]);
        let mut dst: Vec<Pt> = src.iter().map(|&p| a.apply(p)).collect();
        assert!(affine_residual(&src, &dst) < 1e-9);
        dst[3].0 += 4.0;
        // one corner off by 4: each of the four points keeps a quarter of it
        assert!((affine_residual(&src, &dst) - 1.0).abs() < 1e-9);
    }
}

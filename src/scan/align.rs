//! Local refinement of the grid from the printed boxes themselves: around where the corner marks
//! put each group of boxes (an item's row, a digit column), the borders are looked for within a
//! few millimetres, so a crumpled, rescaled or photographed sheet is read where its boxes really
//! are. How far they were tells whether the corner marks were trusted rightly.

use super::geometry::{Homography, Pt};
use super::Norm;
use crate::render::layout::Rect;
use image::GrayImage;

/// How far (mm) a group's boxes are looked for around where the marks put them.
pub const REACH_MM: f64 = 2.0;
const COARSE_MM: f64 = 0.2;
const FINE_MM: f64 = 0.05;
/// Distance (mm) of the paper sample outside each border from the border.
const OUT_MM: f64 = 0.5;
/// Spacing (mm) of the points along a border, and the part of each end left out (corners are
/// rounded and the option letter sits in the middle).
const ALONG_MM: f64 = 0.3;
const END_MM: f64 = 0.6;
/// Border darkness over the paper beside it for a group to count as found.
const CONTRAST: f32 = 0.06;

/// The borders of one group of boxes, ready to be searched for on one scan.
pub struct Anchor {
    /// Centre of the group on the page (mm).
    pub centre: Pt,
    /// Points on vertical borders and on the paper beside them (mm).
    vertical: Vec<[Pt; 2]>,
    /// Points on horizontal borders and on the paper above or below them (mm).
    horizontal: Vec<[Pt; 2]>,
}

impl Anchor {
    /// The borders of `rects`.
    pub fn new(rects: &[Rect]) -> Self {
        let mut vertical = Vec::new();
        let mut horizontal = Vec::new();
        let (mut cx, mut cy) = (0.0, 0.0);
        for r in rects {
            cx += r.x + r.w / 2.0;
            cy += r.y + r.h / 2.0;
            let mut y = r.y + END_MM;
            while y <= r.y + r.h - END_MM {
                vertical.push([(r.x, y), (r.x - OUT_MM, y)]);
                vertical.push([(r.x + r.w, y), (r.x + r.w + OUT_MM, y)]);
                y += ALONG_MM;
            }
            let mut x = r.x + END_MM;
            while x <= r.x + r.w - END_MM {
                horizontal.push([(x, r.y), (x, r.y - OUT_MM)]);
                horizontal.push([(x, r.y + r.h), (x, r.y + r.h + OUT_MM)]);
                x += ALONG_MM;
            }
        }
        let n = rects.len().max(1) as f64;
        Anchor {
            centre: (cx / n, cy / n),
            vertical,
            horizontal,
        }
    }

    /// Where the group's borders are, as a shift (mm, on the page) from where `map` puts them;
    /// `None` when the borders are not clear within [`REACH_MM`].
    pub fn locate(&self, img: &GrayImage, map: &Homography, norm: &Norm) -> Option<Pt> {
        let s = Search::new(self, img, map, norm);
        // where a flat scan has it: within a few tenths of a millimetre, searched finely
        let (dx, cx) = s.best(true, 0.0, 0.3, 0.1, 0.0);
        let (dy, cy) = s.best(false, 0.0, 0.3, 0.1, dx);
        if dx.abs() < 0.25 && dy.abs() < 0.25 && cx >= 2.0 * CONTRAST && cy >= 2.0 * CONTRAST {
            let (dx, _) = s.best(true, dx, 0.1, FINE_MM, dy);
            let (dy, _) = s.best(false, dy, 0.1, FINE_MM, dx);
            return Some((dx, dy));
        }
        let (dx, _) = s.best(true, 0.0, REACH_MM, COARSE_MM, 0.0);
        let (dy, _) = s.best(false, 0.0, REACH_MM, COARSE_MM, dx);
        let (dx, cx) = s.best(true, dx, COARSE_MM, FINE_MM, dy);
        let (dy, cy) = s.best(false, dy, COARSE_MM, FINE_MM, dx);
        let edge = REACH_MM + COARSE_MM - 1e-6;
        if cx < CONTRAST || cy < CONTRAST || dx.abs() >= edge || dy.abs() >= edge {
            return None;
        }
        Some((dx, dy))
    }

    /// Where the borders are within `reach` mm of `around` (a shift on the page, mm, from where
    /// `map` puts them), searched every 0.1 mm then finely: for one box, once its group has been
    /// found, on a sheet whose paper is displaced unevenly (crumpled, or a photo of a curved
    /// page). `None` when its borders are not clear there.
    pub fn locate_near(
        &self,
        img: &GrayImage,
        map: &Homography,
        norm: &Norm,
        around: Pt,
        reach: f64,
    ) -> Option<Pt> {
        let s = Search::new(self, img, map, norm);
        let (dx, _) = s.best(true, around.0, reach, 0.1, around.1);
        let (dy, _) = s.best(false, around.1, reach, 0.1, dx);
        let (dx, cx) = s.best(true, dx, 0.1, FINE_MM, dy);
        let (dy, cy) = s.best(false, dy, 0.1, FINE_MM, dx);
        let edge = reach + 0.1 - 1e-6;
        let clear = cx >= 2.0 * CONTRAST && cy >= 2.0 * CONTRAST;
        if !clear || (dx - around.0).abs() >= edge || (dy - around.1).abs() >= edge {
            return None;
        }
        Some((dx, dy))
    }
}

/// Largest change (mm) of the paper's displacement from one box of a column to the next (5–6 mm
/// on): a crumpled sheet's waves are centimetres long.
const STEP_MM: f64 = 0.4;
/// What a change of displacement from one box to the next costs (border contrast per mm):
/// between two equally clear positions the smoother one is taken.
const BEND_COST: f32 = 0.1;

/// Where each box of a column of boxes is (a shift on the page, mm, from where `map` puts it),
/// found together within [`REACH_MM`] of `around`: the path through the boxes' border contrasts
/// (each the lesser of a box's two sides) whose shift changes by at most [`STEP_MM`] from a box
/// to the next. A tall column on a crumpled sheet is bent (its top and its foot displaced a
/// millimetre apart), so no one shift fits it; and a box searched alone may lock onto its
/// neighbour's border across the gap between them, where one side of it finds nothing and its
/// path along the column cannot go. `None` when under half its boxes' borders are clear on the
/// path (a 1-bit scan whose threshold wiped the print).
pub fn column(
    boxes: &[Anchor],
    img: &GrayImage,
    map: &Homography,
    norm: &Norm,
    around: Pt,
) -> Option<Vec<Pt>> {
    let searches: Vec<Search> = boxes
        .iter()
        .map(|b| Search::new(b, img, map, norm))
        .collect();
    let mut xs = vec![around.0; boxes.len()];
    let mut ys = vec![around.1; boxes.len()];
    let mut clear = (0, 0);
    // across, then along (at each box's shift across), then across again
    for along_x in [true, false, true] {
        let (found, c) = path(&searches, along_x, around, &xs, &ys)?;
        if along_x {
            xs = found;
            clear.0 = c;
        } else {
            ys = found;
            clear.1 = c;
        }
    }
    // a column whose borders the scanner's threshold wiped is left to its boxes one by one
    if 2 * clear.0 < boxes.len() || 2 * clear.1 < boxes.len() {
        return None;
    }
    Some(xs.into_iter().zip(ys).collect())
}

/// The shifts along x (`along_x`) or y of a column's boxes within [`REACH_MM`] of `around`, every
/// [`FINE_MM`], the other coordinate of each box held at `xs` or `ys`: the path of most contrast
/// less [`BEND_COST`], changing by at most [`STEP_MM`] from a box to the next; with how many of
/// the boxes' borders are clear on it. `None` when the path reaches the edge of the search.
fn path(
    searches: &[Search],
    along_x: bool,
    around: Pt,
    xs: &[f64],
    ys: &[f64],
) -> Option<(Vec<f64>, usize)> {
    let n = (REACH_MM / FINE_MM).round() as i32;
    let jump = (STEP_MM / FINE_MM).round() as i32;
    let centre = if along_x { around.0 } else { around.1 };
    let at = |k: i32| centre + f64::from(k) * FINE_MM;
    let width = (2 * n + 1) as usize;
    // contrast of each box at each shift
    let gain: Vec<Vec<f32>> = searches
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (-n..=n)
                .map(|k| {
                    if along_x {
                        s.sides(&s.vertical, (at(k), ys[i]))
                    } else {
                        s.sides(&s.horizontal, (xs[i], at(k)))
                    }
                })
                .collect()
        })
        .collect();
    // best total up to each box at each shift, and where it came from
    let mut total = gain.first()?.clone();
    let mut from: Vec<Vec<usize>> = Vec::with_capacity(searches.len());
    for g in &gain[1..] {
        let mut next = vec![f32::NEG_INFINITY; width];
        let mut back = vec![0; width];
        for (j, cell) in next.iter_mut().enumerate() {
            let lo = j.saturating_sub(jump as usize);
            let hi = (j + jump as usize).min(width - 1);
            for (p, t) in total.iter().enumerate().take(hi + 1).skip(lo) {
                let v = t - BEND_COST * (j.abs_diff(p) as f64 * FINE_MM) as f32;
                if v > *cell {
                    *cell = v;
                    back[j] = p;
                }
            }
            *cell += g[j];
        }
        total = next;
        from.push(back);
    }
    let (mut j, _) = total.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    let mut picked = vec![j; searches.len()];
    for (i, back) in from.iter().enumerate().rev() {
        j = back[j];
        picked[i] = j;
    }
    if picked.iter().any(|&j| j == 0 || j == width - 1) {
        return None;
    }
    let clear = picked
        .iter()
        .zip(&gain)
        .filter(|(&j, g)| g[j] >= 2.0 * CONTRAST)
        .count();
    Some((
        picked.into_iter().map(|j| at(j as i32 - n)).collect(),
        clear,
    ))
}

/// An anchor's border samples projected into one scan once, and the map's local linear part
/// there (a shift on the page → a shift in the image), for the searches of [`Anchor::locate`]
/// and [`Anchor::locate_near`].
struct Search<'a> {
    img: &'a GrayImage,
    norm: &'a Norm,
    j: [f64; 4],
    vertical: Vec<[(f32, f32); 2]>,
    horizontal: Vec<[(f32, f32); 2]>,
}

impl<'a> Search<'a> {
    fn new(anchor: &Anchor, img: &'a GrayImage, map: &Homography, norm: &'a Norm) -> Self {
        let c = map.apply(anchor.centre);
        let ex = map.apply((anchor.centre.0 + 1.0, anchor.centre.1));
        let ey = map.apply((anchor.centre.0, anchor.centre.1 + 1.0));
        let project = |pts: &[[Pt; 2]]| -> Vec<[(f32, f32); 2]> {
            pts.iter()
                .map(|[a, b]| {
                    let (a, b) = (map.apply(*a), map.apply(*b));
                    [(a.0 as f32, a.1 as f32), (b.0 as f32, b.1 as f32)]
                })
                .collect()
        };
        Search {
            img,
            norm,
            j: [ex.0 - c.0, ey.0 - c.0, ex.1 - c.1, ey.1 - c.1],
            vertical: project(&anchor.vertical),
            horizontal: project(&anchor.horizontal),
        }
    }

    /// How much darker each border point of `pts` is than the paper point beside it, shifted by
    /// `d` (mm), handed to `add` pair by pair in order with the pair's index: eight pairs are
    /// sampled side by side, so sums made in `add` are those of pairs sampled one by one, to the
    /// last bit.
    fn differences(&self, pts: &[[(f32, f32); 2]], d: Pt, mut add: impl FnMut(usize, f32)) {
        let j = self.j;
        let (ox, oy) = (
            (j[0] * d.0 + j[1] * d.1) as f32,
            (j[2] * d.0 + j[3] * d.1) as f32,
        );
        let sampler = super::Sampler::new(self.img);
        let dark = |g: f32| self.norm.dark(g);
        let mut chunks = pts.chunks_exact(super::LANES);
        let mut k = 0;
        for c in &mut chunks {
            let mut p = [[0.0f32; super::LANES]; 4];
            for (l, [on, out]) in c.iter().enumerate() {
                p[0][l] = on.0 + ox;
                p[1][l] = on.1 + oy;
                p[2][l] = out.0 + ox;
                p[3][l] = out.1 + oy;
            }
            let on = sampler.at_lanes(&p[0], &p[1]);
            let out = sampler.at_lanes(&p[2], &p[3]);
            for (a, b) in on.into_iter().zip(out) {
                add(k, dark(a) - dark(b));
                k += 1;
            }
        }
        for [on, out] in chunks.remainder() {
            add(
                k,
                dark(sampler.at(on.0 + ox, on.1 + oy)) - dark(sampler.at(out.0 + ox, out.1 + oy)),
            );
            k += 1;
        }
    }

    /// How much darker the borders are than the paper beside them, shifted by `d` (mm).
    fn contrast(&self, pts: &[[(f32, f32); 2]], d: Pt) -> f32 {
        let mut s = 0.0;
        self.differences(pts, d, |_, v| s += v);
        s / pts.len().max(1) as f32
    }

    /// How much darker both borders of a box (left and right, or top and bottom) are than the
    /// paper beside them, shifted by `d` (mm): the lesser of the two. Half a box's borders on
    /// its neighbour's across the gap between them count for nothing.
    fn sides(&self, pts: &[[(f32, f32); 2]], d: Pt) -> f32 {
        // the points alternate between the two sides (see [`Anchor::new`])
        let mut s = [0.0f32; 2];
        self.differences(pts, d, |k, v| s[k % 2] += v);
        s[0].min(s[1]) / (pts.len() / 2).max(1) as f32
    }

    /// The shift along x (vertical borders) or y (horizontal borders) within `reach` of
    /// `around`, every `step` mm, the other coordinate held at `other`, with its contrast.
    fn best(&self, along_x: bool, around: f64, reach: f64, step: f64, other: f64) -> (f64, f32) {
        let pts = if along_x {
            &self.vertical
        } else {
            &self.horizontal
        };
        let n = (reach / step).round() as i32;
        (-n..=n)
            .map(|k| {
                let t = around + f64::from(k) * step;
                let d = if along_x { (t, other) } else { (other, t) };
                (t, self.contrast(pts, d))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((around, 0.0))
    }
}

/// Each group's shift, smoothed: a group whose own borders were not found, or that disagrees
/// with its neighbours by more than half a millimetre, takes the median of its six nearest
/// found neighbours. `None` when under half the groups were found.
pub fn smooth(centres: &[Pt], found: &[Option<Pt>]) -> Option<Vec<Pt>> {
    let known: Vec<(Pt, Pt)> = centres
        .iter()
        .zip(found)
        .filter_map(|(c, f)| f.map(|f| (*c, f)))
        .collect();
    if known.len() * 2 < centres.len() || known.is_empty() {
        return None;
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Some(
        centres
            .iter()
            .zip(found)
            .map(|(c, f)| {
                let mut near: Vec<(f64, Pt)> = known
                    .iter()
                    .filter(|(k, _)| k != c)
                    .map(|(k, s)| ((k.0 - c.0).powi(2) + (k.1 - c.1).powi(2), *s))
                    .collect();
                near.sort_by(|a, b| a.0.total_cmp(&b.0));
                near.truncate(6);
                if near.is_empty() {
                    return f.unwrap_or((0.0, 0.0));
                }
                let m = (
                    median(near.iter().map(|n| n.1 .0).collect()),
                    median(near.iter().map(|n| n.1 .1).collect()),
                );
                match f {
                    Some(s) if (s.0 - m.0).hypot(s.1 - m.1) <= 0.5 => *s,
                    _ => m,
                }
            })
            .collect(),
    )
}

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
        // the local linear part of the map: a shift on the page → a shift in the image
        let c = map.apply(self.centre);
        let ex = map.apply((self.centre.0 + 1.0, self.centre.1));
        let ey = map.apply((self.centre.0, self.centre.1 + 1.0));
        let j = [ex.0 - c.0, ey.0 - c.0, ex.1 - c.1, ey.1 - c.1];
        let project = |pts: &[[Pt; 2]]| -> Vec<[(f32, f32); 2]> {
            pts.iter()
                .map(|[a, b]| {
                    let (a, b) = (map.apply(*a), map.apply(*b));
                    [(a.0 as f32, a.1 as f32), (b.0 as f32, b.1 as f32)]
                })
                .collect()
        };
        let v = project(&self.vertical);
        let h = project(&self.horizontal);
        let contrast = |pts: &[[(f32, f32); 2]], d: Pt| -> f32 {
            let (ox, oy) = (
                (j[0] * d.0 + j[1] * d.1) as f32,
                (j[2] * d.0 + j[3] * d.1) as f32,
            );
            let mut s = 0.0;
            for [on, out] in pts {
                s += norm.dark(super::bilinear(img, on.0 + ox, on.1 + oy))
                    - norm.dark(super::bilinear(img, out.0 + ox, out.1 + oy));
            }
            s / pts.len().max(1) as f32
        };
        let best = |pts: &[[(f32, f32); 2]],
                    around: f64,
                    reach: f64,
                    step: f64,
                    along_x: bool,
                    other: f64| {
            let n = (reach / step).round() as i32;
            (-n..=n)
                .map(|k| {
                    let t = around + f64::from(k) * step;
                    let d = if along_x { (t, other) } else { (other, t) };
                    (t, contrast(pts, d))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((around, 0.0))
        };
        // where a flat scan has it: within a few tenths of a millimetre, searched finely
        let (dx, cx) = best(&v, 0.0, 0.3, 0.1, true, 0.0);
        let (dy, cy) = best(&h, 0.0, 0.3, 0.1, false, dx);
        if dx.abs() < 0.25 && dy.abs() < 0.25 && cx >= 2.0 * CONTRAST && cy >= 2.0 * CONTRAST {
            let (dx, _) = best(&v, dx, 0.1, FINE_MM, true, dy);
            let (dy, _) = best(&h, dy, 0.1, FINE_MM, false, dx);
            return Some((dx, dy));
        }
        let (dx, _) = best(&v, 0.0, REACH_MM, COARSE_MM, true, 0.0);
        let (dy, _) = best(&h, 0.0, REACH_MM, COARSE_MM, false, dx);
        let (dx, cx) = best(&v, dx, COARSE_MM, FINE_MM, true, dy);
        let (dy, cy) = best(&h, dy, COARSE_MM, FINE_MM, false, dx);
        let edge = REACH_MM + COARSE_MM - 1e-6;
        if cx < CONTRAST || cy < CONTRAST || dx.abs() >= edge || dy.abs() >= edge {
            return None;
        }
        Some((dx, dy))
    }
}

impl Anchor {
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
        let c = map.apply(self.centre);
        let ex = map.apply((self.centre.0 + 1.0, self.centre.1));
        let ey = map.apply((self.centre.0, self.centre.1 + 1.0));
        let j = [ex.0 - c.0, ey.0 - c.0, ex.1 - c.1, ey.1 - c.1];
        let contrast = |pts: &[[Pt; 2]], d: Pt| -> f32 {
            let (ox, oy) = (j[0] * d.0 + j[1] * d.1, j[2] * d.0 + j[3] * d.1);
            let mut s = 0.0;
            for [on, out] in pts {
                let (a, b) = (map.apply(*on), map.apply(*out));
                s += norm.dark(super::bilinear(img, (a.0 + ox) as f32, (a.1 + oy) as f32))
                    - norm.dark(super::bilinear(img, (b.0 + ox) as f32, (b.1 + oy) as f32));
            }
            s / pts.len().max(1) as f32
        };
        let best =
            |pts: &[[Pt; 2]], from: f64, reach: f64, step: f64, along_x: bool, other: f64| {
                let n = (reach / step).round() as i32;
                (-n..=n)
                    .map(|k| {
                        let t = from + f64::from(k) * step;
                        let d = if along_x { (t, other) } else { (other, t) };
                        (t, contrast(pts, d))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((from, 0.0))
            };
        let (dx, _) = best(&self.vertical, around.0, reach, 0.1, true, around.1);
        let (dy, _) = best(&self.horizontal, around.1, reach, 0.1, false, dx);
        let (dx, cx) = best(&self.vertical, dx, 0.1, FINE_MM, true, dy);
        let (dy, cy) = best(&self.horizontal, dy, 0.1, FINE_MM, false, dx);
        let edge = reach + 0.1 - 1e-6;
        let clear = cx >= 2.0 * CONTRAST && cy >= 2.0 * CONTRAST;
        if !clear || (dx - around.0).abs() >= edge || (dy - around.1).abs() >= edge {
            return None;
        }
        Some((dx, dy))
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

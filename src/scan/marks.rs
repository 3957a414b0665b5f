//! Finding the four corner marks of a scanned sheet: dark, solid, square blobs near the corners of
//! the image, the top-left one with a white hole.

use super::geometry::Pt;
use image::GrayImage;

/// A dark blob that may be a corner mark, in full-resolution pixels.
#[derive(Debug, Clone, Copy)]
pub struct Blob {
    pub center: Pt,
    /// Bounding box (x0, y0, x1, y1), exclusive ends.
    pub bbox: (u32, u32, u32, u32),
    /// Area over the expected area (1 for a whole mark).
    pub size: f64,
    /// Touches the image border: perhaps cut off.
    pub touches: bool,
}

impl Blob {
    /// How much to trust it: whole, square, not at the border.
    pub fn quality(&self) -> f64 {
        let (x0, y0, x1, y1) = self.bbox;
        let (w, h) = ((x1 - x0) as f64, (y1 - y0) as f64);
        let square = (w / h).min(h / w);
        let whole = self.size.min(1.0 / self.size.max(1e-9));
        if self.touches {
            0.0
        } else {
            square * whole
        }
    }
}

/// Dark-enough blobs of about `side_px` (the mark's side in full-resolution pixels) in `img`,
/// found on a block-averaged copy of the window `win` (x0, y0, x1, y1). `dark` is the grey level
/// under which a pixel is ink. A blob at the window's edge counts as touching the border.
pub fn find_blobs(img: &GrayImage, side_px: f64, dark: u8, win: (u32, u32, u32, u32)) -> Vec<Blob> {
    // about 10 small pixels across a mark
    let f = ((side_px / 10.0).floor() as u32).max(1);
    let (w, h) = img.dimensions();
    let (ox, oy) = (win.0.min(w), win.1.min(h));
    let (sw, sh) = ((win.2.min(w) - ox) / f, (win.3.min(h) - oy) / f);
    if sw < 4 || sh < 4 {
        return Vec::new();
    }
    let raw = img.as_raw();
    let mut small = vec![false; (sw * sh) as usize];
    let limit = u32::from(dark) * f * f;
    // each band of f rows summed down its columns (whole rows at a time), then f columns at a
    // time: the same sums as block by block
    let (f_, span) = (f as usize, (sw * f) as usize);
    let mut columns = vec![0u32; span];
    for sy in 0..sh {
        columns.fill(0);
        for y in oy + sy * f..oy + sy * f + f {
            let row = (y * w + ox) as usize;
            for (c, &p) in columns.iter_mut().zip(&raw[row..row + span]) {
                *c += u32::from(p);
            }
        }
        let cells = &mut small[(sy * sw) as usize..((sy + 1) * sw) as usize];
        for (cell, block) in cells.iter_mut().zip(columns.chunks_exact(f_)) {
            *cell = block.iter().sum::<u32>() < limit;
        }
    }
    let side = side_px / f as f64;
    let expected = side * side;
    let mut seen = vec![false; small.len()];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..small.len() {
        if !small[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start as u32);
        let (mut area, mut sx, mut sy) = (0u64, 0u64, 0u64);
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0u32, 0u32);
        let mut too_big = false;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % sw, i / sw);
            area += 1;
            sx += u64::from(x);
            sy += u64::from(y);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x + 1);
            y1 = y1.max(y + 1);
            if (x1 - x0) as f64 > 3.0 * side || (y1 - y0) as f64 > 3.0 * side {
                too_big = true;
            }
            let mut push = |j: u32| {
                let j = j as usize;
                if small[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j as u32);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < sw {
                push(i + 1);
            }
            if y > 0 {
                push(i - sw);
            }
            if y + 1 < sh {
                push(i + sw);
            }
        }
        if too_big {
            continue;
        }
        let a = area as f64;
        let (bw, bh) = ((x1 - x0) as f64, (y1 - y0) as f64);
        let fill = a / (bw * bh);
        // a square of about the mark's size, solid but for the top-left mark's hole; only a mark
        // cut by the edge may be smaller or oblong (a filled answer box is 5 × 3.6 mm)
        let touches = x0 == 0 || y0 == 0 || x1 >= sw || y1 >= sh;
        let whole = (0.6 * expected..=1.6 * expected).contains(&a)
            && (0.8..=1.25).contains(&(bw / bh))
            && bw.min(bh) >= 0.75 * side;
        let cut = touches && (0.3 * expected..=1.6 * expected).contains(&a);
        if !(whole || cut) || fill < 0.6 || bw > 1.4 * side || bh > 1.4 * side {
            continue;
        }
        out.push(Blob {
            center: (
                ox as f64 + (sx as f64 / a + 0.5) * f as f64,
                oy as f64 + (sy as f64 / a + 0.5) * f as f64,
            ),
            bbox: (ox + x0 * f, oy + y0 * f, ox + x1 * f, oy + y1 * f),
            size: a / expected,
            touches,
        });
    }
    out
}

/// The darkness-weighted centre of the blob at full resolution, within its box grown by `margin`
/// pixels; `paper` is the paper's grey level.
pub fn refine(img: &GrayImage, b: &Blob, margin: u32, paper: u8) -> Pt {
    let (w, h) = img.dimensions();
    let (x0, y0, x1, y1) = b.bbox;
    let (x0, y0) = (x0.saturating_sub(margin), y0.saturating_sub(margin));
    let (x1, y1) = ((x1 + margin).min(w), (y1 + margin).min(h));
    let raw = img.as_raw();
    let (mut s, mut sx, mut sy) = (0f64, 0f64, 0f64);
    for y in y0..y1 {
        let row = (y * w) as usize;
        for x in x0..x1 {
            let d = f64::from(
                paper
                    .saturating_sub(raw[row + x as usize])
                    .saturating_sub(24),
            );
            s += d;
            sx += d * (x as f64 + 0.5);
            sy += d * (y as f64 + 0.5);
        }
    }
    if s <= 0.0 {
        return b.center;
    }
    (sx / s, sy / s)
}

/// The four corner marks looked for anywhere in the image, for a photo where the sheet does not
/// fill the frame: at each of a few scales (the sheet filling from all of the image's long side
/// down to 40 % of it), the square blobs of the marks' size lying furthest towards the four
/// corners, kept when they form the sheet's rectangle at that scale (sides within 30 %, for a
/// photo taken at an angle). `side_mm` is the mark's side, `span_mm` the distances between mark
/// centres across and down the page, `px_mm` the scale were the sheet to fill the frame. Returns
/// the marks clockwise from the image's top left and the scale found.
pub fn find_anywhere(
    img: &GrayImage,
    side_mm: f64,
    span_mm: (f64, f64),
    px_mm: f64,
    dark: u8,
) -> Option<([Blob; 4], f64)> {
    let (w, h) = img.dimensions();
    for k in [1.0, 0.86, 0.74, 0.64, 0.55, 0.47, 0.4] {
        let s = px_mm * k;
        let blobs: Vec<Blob> = find_blobs(img, side_mm * s, dark, (0, 0, w, h))
            .into_iter()
            .filter(|b| !b.touches)
            .collect();
        if blobs.len() < 4 {
            continue;
        }
        let pick = |f: &dyn Fn(Pt) -> f64| {
            blobs
                .iter()
                .max_by(|a, b| f(a.center).total_cmp(&f(b.center)))
                .copied()
        };
        let quad = [
            pick(&|p| -(p.0 + p.1)),
            pick(&|p| p.0 - p.1),
            pick(&|p| p.0 + p.1),
            pick(&|p| p.1 - p.0),
        ];
        let [Some(a), Some(b), Some(c), Some(d)] = quad else {
            continue;
        };
        let q = [a, b, c, d];
        let dist = |i: usize, j: usize| {
            let (p, r) = (q[i].center, q[j].center);
            (p.0 - r.0).hypot(p.1 - r.1)
        };
        let (top, right, bottom, left) = (dist(0, 1), dist(1, 2), dist(2, 3), dist(3, 0));
        // upright or on its side
        let fits = |across: f64, down: f64| {
            let ok = |side: f64, mm: f64| ((side / (mm * s)) - 1.0).abs() <= 0.3;
            ok(top, across) && ok(bottom, across) && ok(left, down) && ok(right, down)
        };
        if fits(span_mm.0, span_mm.1) || fits(span_mm.1, span_mm.0) {
            return Some((q, s));
        }
    }
    None
}

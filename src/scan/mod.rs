//! Reading scanned answer sheets (pure: an image in, marks out). Registration from the corner
//! marks, the exam identifier checked, each box's interior compared with the blank rendering, a
//! threshold set from the candidate's own pencil, and a doubt band: a doubtful box is never guessed.

pub mod geometry;
pub mod marks;

use crate::render::layout::{decode_bits, Rect, SheetLayout, BLANK_PX_PER_MM};
use geometry::{affine_residual, Homography, Pt};
use image::GrayImage;

/// Margin removed from each side of a box before its interior is scored (mm): the border's ink
/// and the registration error stay out.
const SHRINK_MM: f64 = 0.45;
/// Sample spacing inside boxes (mm).
const STEP_MM: f64 = 0.125;
/// Scores (darkness of a box's darker half, 0 paper … 1 ink) of at least this are pencil, or
/// rubbed-out pencil; their median is the candidate's own pencil.
const STRONG: f32 = 0.3;
/// The pencil assumed when a sheet has fewer than three such boxes.
const DEFAULT_PENCIL: f32 = 0.6;
/// Below this a box is blank whatever the pencil.
const FLOOR: f32 = 0.2;
/// The threshold as a share of the candidate's pencil, and the half-width of the doubt band
/// around it (same unit). On 100 synthetic sheets marks scored ≥ 0.73 and erased residue ≤ 0.54.
const REL_THRESHOLD: f32 = 0.63;
const DOUBT: f32 = 0.07;
/// The least and most pixels per millimetre accepted (150–600 dpi, with slack).
const MIN_PX_MM: f64 = 5.0;
const MAX_PX_MM: f64 = 26.0;

/// Why a sheet could not be read at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    #[error("corner marks not found ({found} of 4; at least 3 are needed)")]
    Marks { found: usize },
    #[error("cannot tell which way up the sheet is (the top-left mark with a hole was not found)")]
    Orientation,
    #[error("the corner marks do not form this sheet's rectangle (sides off by {off:.0}%)")]
    Shape { off: f64 },
    #[error("resolution {px_mm:.1} px/mm is outside 150–600 dpi")]
    Resolution { px_mm: f64 },
    #[error("the exam identifier cannot be read")]
    CodeUnreadable,
    #[error("sheet of another exam (identifier {printed}, this exam's is {expected})")]
    OtherExam { printed: String, expected: String },
}

/// What a box looks like next to the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Marked,
    Blank,
    Doubtful,
}

/// One field of the sheet as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The marked values in printed order ("" = blank).
    Marks(String),
    /// At least one box was in the doubt band, or (for a digit or the paper code) several marks.
    Unreadable,
}

/// A field a person must look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Doubt {
    /// `1`…`N` for items, `candidate3` for a digit column, `paper`.
    pub field: String,
    /// The boxes in doubt (values) with their scores.
    pub boxes: Vec<(String, f32)>,
    /// Why: "doubtful mark", "several marks", "no mark".
    pub reason: &'static str,
    /// The area of the field on the page (mm).
    pub area: Rect,
}

/// A sheet read.
#[derive(Debug, Clone)]
pub struct SheetRead {
    /// Page (mm) → image (px).
    pub map: Homography,
    /// Corner marks used (3 or 4).
    pub marks: usize,
    /// RMS distance of the marks from the best affine fit (mm), as AMC reports it.
    pub residual_mm: f64,
    /// Clockwise quarter turns of the scan (0, 90, 180, 270).
    pub turned: u32,
    pub px_per_mm: f64,
    pub threshold: f32,
    /// Digits, `?` for a column that is not one clear mark.
    pub candidate: String,
    pub paper: Cell,
    /// Items in number order.
    pub items: Vec<(u32, Cell)>,
    pub doubts: Vec<Doubt>,
    /// Every box's verdict, in the order of [`Reader::boxes`].
    pub verdicts: Vec<Verdict>,
}

struct BoxSpec {
    rect: Rect,
    /// Sample points (mm) on white of the blank rendering.
    samples: Vec<(f32, f32)>,
}

enum Field {
    Digit(u32),
    Paper,
    Item(u32),
}

struct Group {
    field: Field,
    /// (value, box index)
    boxes: Vec<(String, usize)>,
    area: Rect,
}

/// A reader prepared for one sheet layout.
pub struct Reader {
    layout: SheetLayout,
    boxes: Vec<BoxSpec>,
    groups: Vec<Group>,
    code_id: u32,
}

impl Reader {
    /// Prepares the sample points of every box from the layout and the blank rendering (grey,
    /// [`BLANK_PX_PER_MM`] pixels per mm).
    pub fn new(layout: SheetLayout, blank: &GrayImage) -> Self {
        let mut boxes = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut add = |field: Field, rects: Vec<(String, Rect)>, boxes: &mut Vec<BoxSpec>| {
            let mut g = Group {
                field,
                boxes: Vec::new(),
                area: bounding(rects.iter().map(|r| &r.1)),
            };
            for (value, r) in rects {
                g.boxes.push((value, boxes.len()));
                boxes.push(BoxSpec {
                    samples: samples(&r, blank),
                    rect: r,
                });
            }
            groups.push(g);
        };
        for col in 0..layout.candidate_columns() {
            let rects = layout
                .candidate
                .iter()
                .filter(|b| b.col == col)
                .map(|b| (b.digit.to_string(), b.rect))
                .collect();
            add(Field::Digit(col), rects, &mut boxes);
        }
        if !layout.paper.is_empty() {
            let rects = layout
                .paper
                .iter()
                .map(|b| (b.option.clone(), b.rect))
                .collect();
            add(Field::Paper, rects, &mut boxes);
        }
        for (n, bs) in layout.item_groups() {
            let rects = bs.iter().map(|b| (b.value.clone(), b.rect)).collect();
            add(Field::Item(n), rects, &mut boxes);
        }
        let code_id = u32::from_str_radix(&layout.code.id, 16).unwrap_or(0);
        Reader {
            layout,
            boxes,
            groups,
            code_id,
        }
    }

    /// The layout read.
    pub fn layout(&self) -> &SheetLayout {
        &self.layout
    }

    /// Every box scored (candidate digits, paper codes, items), on the page in mm.
    pub fn boxes(&self) -> impl Iterator<Item = &Rect> {
        self.boxes.iter().map(|b| &b.rect)
    }

    /// The features of every box (see [`Reader::boxes`]) and its field and value, for study.
    pub fn box_features(
        &self,
        img: &GrayImage,
    ) -> Result<Vec<(String, String, Features)>, Rejection> {
        let (paper, ink) = levels(img);
        let reg = self.register(img, paper, ink)?;
        let norm = Norm::new(paper, ink);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for g in &self.groups {
            let field = match g.field {
                Field::Digit(c) => format!("cand{}", c + 1),
                Field::Paper => "paper".to_string(),
                Field::Item(n) => format!("q{n}"),
            };
            for (v, i) in &g.boxes {
                darkness(img, &reg.map, &self.boxes[*i].samples, &norm, &mut buf);
                out.push((field.clone(), v.clone(), features(&mut buf)));
            }
        }
        Ok(out)
    }

    /// Reads one scanned page.
    pub fn read(&self, img: &GrayImage) -> Result<SheetRead, Rejection> {
        let (paper, ink) = levels(img);
        let reg = self.register(img, paper, ink)?;
        let norm = Norm::new(paper, ink);
        self.check_code(img, &reg.map, &norm)?;
        // each box: the mean darkness of its darker half, so a part-filled box counts like a
        // full one while a faint rubbed-out smear stays faint
        let mut buf = Vec::new();
        let scores: Vec<f32> = self
            .boxes
            .iter()
            .map(|b| {
                darkness(img, &reg.map, &b.samples, &norm, &mut buf);
                darker_half(&mut buf)
            })
            .collect();
        // the candidate's own pencil: the median score of the boxes that are surely marked
        let mut strong: Vec<f32> = scores.iter().copied().filter(|&s| s >= STRONG).collect();
        strong.sort_by(f32::total_cmp);
        let pencil = if strong.len() < 3 {
            DEFAULT_PENCIL
        } else {
            strong[strong.len() / 2]
        };
        let threshold = REL_THRESHOLD * pencil;
        let verdict = |s: f32| {
            let r = s / pencil;
            if s < FLOOR || r < REL_THRESHOLD - DOUBT {
                Verdict::Blank
            } else if r > REL_THRESHOLD + DOUBT {
                Verdict::Marked
            } else {
                Verdict::Doubtful
            }
        };
        let mut candidate = String::new();
        let mut paper_cell = Cell::Marks(String::new());
        let mut items = Vec::new();
        let mut doubts = Vec::new();
        for g in &self.groups {
            let vs: Vec<(&str, f32, Verdict)> = g
                .boxes
                .iter()
                .map(|(v, i)| (v.as_str(), scores[*i], verdict(scores[*i])))
                .collect();
            let doubtful: Vec<(String, f32)> = vs
                .iter()
                .filter(|x| x.2 == Verdict::Doubtful)
                .map(|x| (x.0.to_string(), x.1))
                .collect();
            let marked: Vec<&str> = vs
                .iter()
                .filter(|x| x.2 == Verdict::Marked)
                .map(|x| x.0)
                .collect();
            let field_name = match g.field {
                Field::Digit(c) => format!("candidate{}", c + 1),
                Field::Paper => "paper".to_string(),
                Field::Item(n) => n.to_string(),
            };
            let mut doubt = |reason: &'static str, boxes: Vec<(String, f32)>| {
                doubts.push(Doubt {
                    field: field_name.clone(),
                    boxes,
                    reason,
                    area: g.area,
                });
            };
            let cell = if !doubtful.is_empty() {
                doubt("doubtful mark", doubtful);
                Cell::Unreadable
            } else {
                Cell::Marks(marked.concat())
            };
            match g.field {
                Field::Item(n) => items.push((n, cell)),
                Field::Digit(_) | Field::Paper => {
                    let one = match (&cell, marked.len()) {
                        (Cell::Marks(_), 1) => Some(marked[0].to_string()),
                        (Cell::Marks(_), 0) => {
                            doubt("no mark", Vec::new());
                            None
                        }
                        (Cell::Marks(_), _) => {
                            let boxes = vs
                                .iter()
                                .filter(|x| x.2 == Verdict::Marked)
                                .map(|x| (x.0.to_string(), x.1))
                                .collect();
                            doubt("several marks", boxes);
                            None
                        }
                        _ => None,
                    };
                    if let Field::Digit(_) = g.field {
                        candidate.push_str(one.as_deref().unwrap_or("?"));
                    } else {
                        paper_cell = one.map_or(Cell::Unreadable, Cell::Marks);
                    }
                }
            }
        }
        Ok(SheetRead {
            map: reg.map,
            marks: reg.marks,
            residual_mm: reg.residual_mm,
            turned: reg.turned,
            px_per_mm: reg.px_per_mm,
            threshold,
            candidate,
            paper: paper_cell,
            items,
            doubts,
            verdicts: scores.iter().map(|&s| verdict(s)).collect(),
        })
    }

    fn check_code(&self, img: &GrayImage, map: &Homography, norm: &Norm) -> Result<(), Rejection> {
        let bits: Vec<u8> = self
            .layout
            .code
            .bits
            .iter()
            .map(|b| {
                let r = &b.rect;
                let pts: Vec<(f32, f32)> = grid(r.x + 0.5, r.y + 0.7, r.w - 1.0, r.h - 1.4, 0.25)
                    .map(|(x, y)| (x as f32, y as f32))
                    .collect();
                u8::from(score(img, map, &pts, norm) > 0.5)
            })
            .collect();
        match decode_bits(&bits) {
            None => Err(Rejection::CodeUnreadable),
            Some(c) if c != self.code_id => Err(Rejection::OtherExam {
                printed: format!("{c:08x}"),
                expected: self.layout.code.id.clone(),
            }),
            Some(_) => Ok(()),
        }
    }

    fn register(&self, img: &GrayImage, paper: u8, ink: u8) -> Result<Registration, Rejection> {
        let l = &self.layout;
        let (w, h) = img.dimensions();
        // A4 across its long side, whichever way the scan lies
        let long = f64::from(w.max(h));
        let px_mm = long / l.page.w.max(l.page.h);
        if !(MIN_PX_MM..=MAX_PX_MM).contains(&px_mm) {
            return Err(Rejection::Resolution { px_mm });
        }
        let side_mm = l.corners[0].rect.w;
        let dark = ink / 2 + paper / 2;
        // image corners clockwise: top-left, top-right, bottom-right, bottom-left; each mark is
        // looked for within 40 mm of its corner
        let reach = 40.0 * px_mm;
        let r = (reach + side_mm * px_mm) as u32;
        let windows = [
            (0, 0, r, r),
            (w.saturating_sub(r), 0, w, r),
            (w.saturating_sub(r), h.saturating_sub(r), w, h),
            (0, h.saturating_sub(r), r, h),
        ];
        let img_corners = [
            (0.0, 0.0),
            (f64::from(w), 0.0),
            (f64::from(w), f64::from(h)),
            (0.0, f64::from(h)),
        ];
        let mut blobs: Vec<marks::Blob> = Vec::new();
        let mut picked: [Option<usize>; 4] = [None; 4];
        for (k, &(cx, cy)) in img_corners.iter().enumerate() {
            let found = marks::find_blobs(img, side_mm * px_mm, dark, windows[k]);
            let best = found
                .into_iter()
                .filter(|b| (b.center.0 - cx).abs() < reach && (b.center.1 - cy).abs() < reach)
                .min_by(|a, b| dist(a.center, (cx, cy)).total_cmp(&dist(b.center, (cx, cy))));
            if let Some(b) = best {
                picked[k] = Some(blobs.len());
                blobs.push(b);
            }
        }
        let found = picked.iter().filter(|p| p.is_some()).count();
        if found < 3 {
            return Err(Rejection::Marks { found });
        }
        let margin = (px_mm * 1.0) as u32;
        let mut pts: [Option<Pt>; 4] = [None; 4];
        for k in 0..4 {
            pts[k] = picked[k].map(|i| marks::refine(img, &blobs[i], margin, paper));
        }
        // which found mark has the hole
        let norm = Norm::new(paper, ink);
        let holes: Vec<usize> = (0..4)
            .filter(|&k| {
                pts[k].is_some_and(|p| {
                    let r = (0.5 * px_mm).max(1.0);
                    mean_dark(img, p, r, &norm) < 0.5
                })
            })
            .collect();
        let missing = (0..4).find(|&k| pts[k].is_none());
        let tl = match (holes.as_slice(), missing) {
            ([k], _) => *k,
            ([], Some(m)) => m,
            _ => return Err(Rejection::Orientation),
        };
        if let Some(m) = missing {
            let p = |k: usize| pts[k % 4].unwrap_or((0.0, 0.0));
            let (a, b, c) = (p(m + 3), p(m + 1), p(m + 2));
            pts[m] = Some((a.0 + b.0 - c.0, a.1 + b.1 - c.1));
        }
        let page_order = ["tl", "tr", "br", "bl"];
        let centre = |name: &str| {
            let c = l.corners.iter().find(|c| c.corner == name).map(|c| c.rect);
            c.map_or((0.0, 0.0), |r| (r.x + r.w / 2.0, r.y + r.h / 2.0))
        };
        let src: Vec<Pt> = page_order.iter().map(|n| centre(n)).collect();
        let dst: Vec<Pt> = (0..4)
            .map(|i| pts[(tl + i) % 4].unwrap_or((0.0, 0.0)))
            .collect();
        let real: Vec<bool> = (0..4).map(|i| picked[(tl + i) % 4].is_some()).collect();
        // the marks must form this sheet's rectangle
        let side = |a: usize, b: usize| dist(dst[a], dst[b]) / dist(src[a], src[b]);
        let (top, right, bottom, left) = (side(0, 1), side(1, 2), side(2, 3), side(3, 0));
        let sides = [top, right, bottom, left];
        let mean = sides.iter().sum::<f64>() / 4.0;
        let off = sides
            .iter()
            .map(|s| (s / mean - 1.0).abs())
            .fold(0.0, f64::max);
        if off > 0.05 {
            return Err(Rejection::Shape { off: off * 100.0 });
        }
        if !(MIN_PX_MM..=MAX_PX_MM).contains(&mean) {
            return Err(Rejection::Resolution { px_mm: mean });
        }
        let mut quality: Vec<f64> = (0..4)
            .map(|i| picked[(tl + i) % 4].map_or(-1.0, |b| blobs[b].quality()))
            .collect();
        let (rs, rd): (Vec<Pt>, Vec<Pt>) = (0..4)
            .filter(|&i| real[i])
            .map(|i| (src[i], dst[i]))
            .unzip();
        let residual_mm = affine_residual(&rs, &rd) / mean;
        let mut marks = rs.len();
        let map = if marks == 4 && residual_mm <= 0.3 {
            let s = [src[0], src[1], src[2], src[3]];
            let d = [dst[0], dst[1], dst[2], dst[3]];
            Homography::from_four(&s, &d)
        } else {
            // three marks, or four that disagree: leave out the least trustworthy one
            if marks == 4 {
                let worst = (0..4)
                    .min_by(|&a, &b| quality[a].total_cmp(&quality[b]))
                    .unwrap_or(0);
                quality[worst] = -1.0;
                marks = 3;
            }
            let keep: Vec<usize> = (0..4).filter(|&i| quality[i] >= 0.0).collect();
            let s = [src[keep[0]], src[keep[1]], src[keep[2]]];
            let d = [dst[keep[0]], dst[keep[1]], dst[keep[2]]];
            Homography::from_three(&s, &d)
        }
        .ok_or(Rejection::Marks { found })?;
        Ok(Registration {
            map,
            marks,
            residual_mm,
            turned: (tl as u32) * 90,
            px_per_mm: mean,
        })
    }

    /// The page area `r` (mm) of the scan, upright, at `px_mm` pixels per mm.
    pub fn crop(img: &GrayImage, map: &Homography, r: &Rect, px_mm: f64) -> GrayImage {
        let (w, h) = (
            (r.w * px_mm).round().max(1.0) as u32,
            (r.h * px_mm).round().max(1.0) as u32,
        );
        GrayImage::from_fn(w, h, |x, y| {
            let p = map.apply((
                r.x + (f64::from(x) + 0.5) / px_mm,
                r.y + (f64::from(y) + 0.5) / px_mm,
            ));
            image::Luma([bilinear(img, p.0 as f32, p.1 as f32).round() as u8])
        })
    }
}

struct Registration {
    map: Homography,
    marks: usize,
    residual_mm: f64,
    turned: u32,
    px_per_mm: f64,
}

/// Grey level → darkness 0 (paper) … 1 (ink).
struct Norm {
    paper: f32,
    scale: f32,
}

impl Norm {
    fn new(paper: u8, ink: u8) -> Self {
        Norm {
            paper: f32::from(paper),
            scale: 1.0 / f32::from(paper.saturating_sub(ink).max(1)),
        }
    }

    #[inline]
    fn dark(&self, v: f32) -> f32 {
        ((self.paper - v) * self.scale).clamp(0.0, 1.0)
    }
}

/// Paper and ink levels: the 90th and 0.5th percentiles of a sample of pixels.
fn levels(img: &GrayImage) -> (u8, u8) {
    let (w, h) = img.dimensions();
    let mut hist = [0u64; 256];
    let raw = img.as_raw();
    let mut n = 0u64;
    for y in (0..h).step_by(3) {
        let row = (y * w) as usize;
        for x in (0..w).step_by(3) {
            hist[raw[row + x as usize] as usize] += 1;
            n += 1;
        }
    }
    let pct = |p: f64| {
        let target = (p * n as f64) as u64;
        let mut acc = 0;
        for (v, c) in hist.iter().enumerate() {
            acc += c;
            if acc > target {
                return v as u8;
            }
        }
        255
    };
    (pct(0.90), pct(0.005))
}

fn dist(a: Pt, b: Pt) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn bounding<'a>(rects: impl Iterator<Item = &'a Rect>) -> Rect {
    let mut out: Option<Rect> = None;
    for r in rects {
        out = Some(match out {
            None => *r,
            Some(o) => {
                let (x0, y0) = (o.x.min(r.x), o.y.min(r.y));
                let (x1, y1) = ((o.x + o.w).max(r.x + r.w), (o.y + o.h).max(r.y + r.h));
                Rect {
                    page: o.page,
                    x: x0,
                    y: y0,
                    w: x1 - x0,
                    h: y1 - y0,
                }
            }
        });
    }
    out.unwrap_or(Rect {
        page: 1,
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
    })
}

/// Points on a grid of `step` mm covering the rectangle.
fn grid(x: f64, y: f64, w: f64, h: f64, step: f64) -> impl Iterator<Item = (f64, f64)> {
    let nx = (w / step).floor().max(1.0) as usize;
    let ny = (h / step).floor().max(1.0) as usize;
    (0..ny).flat_map(move |j| {
        (0..nx).map(move |i| (x + (i as f64 + 0.5) * step, y + (j as f64 + 0.5) * step))
    })
}

/// The interior sample points of a box that are paper on the blank rendering.
fn samples(r: &Rect, blank: &GrayImage) -> Vec<(f32, f32)> {
    let (bw, bh) = blank.dimensions();
    grid(
        r.x + SHRINK_MM,
        r.y + SHRINK_MM,
        r.w - 2.0 * SHRINK_MM,
        r.h - 2.0 * SHRINK_MM,
        STEP_MM,
    )
    .filter(|&(x, y)| {
        let (px, py) = ((x * BLANK_PX_PER_MM) as u32, (y * BLANK_PX_PER_MM) as u32);
        // white on the blank, and not next to ink
        let white = |px: u32, py: u32| px >= bw || py >= bh || blank.get_pixel(px, py).0[0] > 204;
        white(px, py)
            && white(px.saturating_sub(1), py)
            && white(px + 1, py)
            && white(px, py.saturating_sub(1))
            && white(px, py + 1)
    })
    .map(|(x, y)| (x as f32, y as f32))
    .collect()
}

/// Mean darkness of the scan at the sample points.
fn score(img: &GrayImage, map: &Homography, pts: &[(f32, f32)], norm: &Norm) -> f32 {
    if pts.is_empty() {
        return 0.0;
    }
    let m = map.0.map(|v| v as f32);
    let mut sum = 0.0f32;
    for &(x, y) in pts {
        let w = m[6] * x + m[7] * y + m[8];
        let u = (m[0] * x + m[1] * y + m[2]) / w;
        let v = (m[3] * x + m[4] * y + m[5]) / w;
        sum += norm.dark(bilinear(img, u, v));
    }
    sum / pts.len() as f32
}

/// Darkness at every sample point, into `out`.
fn darkness(
    img: &GrayImage,
    map: &Homography,
    pts: &[(f32, f32)],
    norm: &Norm,
    out: &mut Vec<f32>,
) {
    out.clear();
    let m = map.0.map(|v| v as f32);
    for &(x, y) in pts {
        let w = m[6] * x + m[7] * y + m[8];
        let u = (m[0] * x + m[1] * y + m[2]) / w;
        let v = (m[3] * x + m[4] * y + m[5]) / w;
        out.push(norm.dark(bilinear(img, u, v)));
    }
}

/// The mean of the darker half of `d` (reordered).
fn darker_half(d: &mut [f32]) -> f32 {
    if d.is_empty() {
        return 0.0;
    }
    let half = (d.len() / 2).max(1);
    if half < d.len() {
        d.select_nth_unstable_by(half, |a, b| b.total_cmp(a));
    }
    d[..half].iter().sum::<f32>() / half as f32
}

/// Per box: mean darkness, mean of the darker half, share of samples darker than 0.3, 75th percentile.
pub type Features = [f32; 4];

fn features(d: &mut [f32]) -> Features {
    if d.is_empty() {
        return [0.0; 4];
    }
    let n = d.len();
    let mean = d.iter().sum::<f32>() / n as f32;
    let share = d.iter().filter(|&&v| v > 0.3).count() as f32 / n as f32;
    let half = n / 2;
    d.select_nth_unstable_by(half, |a, b| b.total_cmp(a));
    let top = d[..half.max(1)].iter().sum::<f32>() / half.max(1) as f32;
    let q = n / 4;
    let (_, p75, _) = d.select_nth_unstable_by(q, |a, b| b.total_cmp(a));
    [mean, top, share, *p75]
}

/// Mean darkness in a square of half-side `r` px around `p`.
fn mean_dark(img: &GrayImage, p: Pt, r: f64, norm: &Norm) -> f32 {
    let (w, h) = img.dimensions();
    let (x0, x1) = ((p.0 - r).max(0.0) as u32, ((p.0 + r) as u32).min(w));
    let (y0, y1) = ((p.1 - r).max(0.0) as u32, ((p.1 + r) as u32).min(h));
    let (mut s, mut n) = (0.0f32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            s += norm.dark(f32::from(img.get_pixel(x, y).0[0]));
            n += 1;
        }
    }
    if n == 0 {
        1.0
    } else {
        s / n as f32
    }
}

/// The grey level at (x, y), bilinear; outside the image is paper white.
#[inline]
fn bilinear(img: &GrayImage, x: f32, y: f32) -> f32 {
    let (w, h) = img.dimensions();
    let (x, y) = (x - 0.5, y - 0.5);
    if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
        return 255.0;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let raw = img.as_raw();
    let i = (y0 * w + x0) as usize;
    let (a, b) = (f32::from(raw[i]), f32::from(raw[i + 1]));
    let (c, d) = (
        f32::from(raw[i + w as usize]),
        f32::from(raw[i + w as usize + 1]),
    );
    let top = a + (b - a) * fx;
    let bot = c + (d - c) * fx;
    top + (bot - top) * fy
}

//! Reading scanned answer sheets (pure: an image in, marks out). Registration from the corner
//! marks (a projective map, so a photo taken at an angle fits), checked and refined against the
//! printed boxes themselves, the exam identifier checked, each box's interior compared with the
//! blank rendering, and every box judged marked, blank or doubtful against the candidate's own
//! pencil: a doubtful box is never guessed.

pub mod align;
pub mod geometry;
pub mod judge;
pub mod marks;
#[cfg(test)]
mod tests;

use crate::render::layout::{decode_bits, Rect, SheetLayout, BLANK_PX_PER_MM};
use geometry::{Homography, Pt};
use image::GrayImage;
pub use judge::{Scores, Style, Verdict};

/// Margin removed from each side of a box before its interior is scored (mm): the border's ink
/// and the registration error stay out.
const SHRINK_MM: f64 = 0.45;
/// Sample spacing inside boxes (mm).
const STEP_MM: f64 = 0.125;
/// The ring outside a box where a circle drawn around it shows (mm from the border).
const RING_MM: (f64, f64) = (0.45, 0.85);
/// The pencil assumed when a sheet has fewer than three clear fills.
const DEFAULT_PENCIL: f32 = 0.6;
/// How far (mm) an identifier cell's neighbour is looked for to start the search for its own
/// borders from: the cell beside it or the next but one.
const NEIGHBOUR_CELL_MM: f64 = 6.0;
/// The most a shadow or crease is taken to darken the paper around a box (darkness): anything
/// darker around it is pencil, and the box is measured from the sheet's paper less this.
const MAX_SHADE: f32 = 0.35;
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
    #[error("the printed boxes are not where the corner marks put them (residual {mm:.1} mm, at most {limit:.1} mm is read)")]
    Residual { mm: f64, limit: f64 },
    #[error("the printed boxes were not found around where the corner marks put them")]
    Boxes,
    #[error("the exam identifier cannot be read")]
    CodeUnreadable,
    #[error("sheet of another exam (identifier {printed}, this exam's is {expected})")]
    OtherExam { printed: String, expected: String },
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
    /// The boxes in doubt (values) with their scores and the style they look like.
    pub boxes: Vec<(String, f32, Style)>,
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
    /// RMS distance (mm) of the printed boxes from where the corner marks put them, before the
    /// grid was refined from the boxes themselves.
    pub residual_mm: f64,
    /// Clockwise quarter turns of the scan (0, 90, 180, 270).
    pub turned: u32,
    pub px_per_mm: f64,
    /// The candidate's pencil (a fill's score); the threshold is [`judge::MARKED`] of it.
    pub threshold: f32,
    /// Digits, `?` for a column that is not one clear mark.
    pub candidate: String,
    pub paper: Cell,
    /// Items in number order.
    pub items: Vec<(u32, Cell)>,
    pub doubts: Vec<Doubt>,
    /// Every box's verdict, in the order of [`Reader::boxes`].
    pub verdicts: Vec<Verdict>,
    /// What makes the whole sheet suspicious though it was read.
    pub warnings: Vec<String>,
    /// The scan is 1-bit (every pixel black or white): the printed boxes' light grey is mostly
    /// thresholded away.
    pub bilevel: bool,
}

struct BoxSpec {
    rect: Rect,
    /// Sample points (mm) on white of the blank rendering, with the cell (0…8, 3 × 3) of the
    /// interior each lies in.
    samples: Vec<(f32, f32)>,
    cells: Vec<u8>,
    /// How many samples each cell holds.
    counts: [u32; 9],
    /// Points (mm) of a ring just outside the border, white on the blank rendering, by side
    /// (top, right, bottom, left).
    ring: [Vec<(f32, f32)>; 4],
    /// Points (mm) of the box's printed ink (its border and its letter) on the blank rendering.
    printed: Vec<(f32, f32)>,
    /// The group (and anchor) it belongs to.
    group: usize,
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
    /// One per group, in the same order, then one per ten identifier cells.
    anchors: Vec<align::Anchor>,
    code_id: u32,
}

/// Beyond this RMS distance (mm) of the printed boxes from where the marks put them the marks
/// are not trusted (a photo's keystone fitted with the wrong map, a mark that is not one).
const RESIDUAL_LIMIT_MM: f64 = 1.5;

impl Reader {
    /// Prepares the sample points of every box from the layout and the blank rendering (grey,
    /// [`BLANK_PX_PER_MM`] pixels per mm).
    pub fn new(layout: SheetLayout, blank: &GrayImage) -> Self {
        let mut boxes = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut anchors = Vec::new();
        let mut add = |field: Field, rects: Vec<(String, Rect)>, boxes: &mut Vec<BoxSpec>| {
            let mut g = Group {
                field,
                boxes: Vec::new(),
                area: bounding(rects.iter().map(|r| &r.1)),
            };
            let only: Vec<Rect> = rects.iter().map(|r| r.1).collect();
            anchors.push(align::Anchor::new(&only));
            for (value, r) in rects {
                g.boxes.push((value, boxes.len()));
                let (samples, cells) = samples(&r, blank);
                let mut counts = [0u32; 9];
                for &c in &cells {
                    counts[usize::from(c)] += 1;
                }
                boxes.push(BoxSpec {
                    samples,
                    cells,
                    counts,
                    ring: ring(&r, blank),
                    printed: printed(&r, blank),
                    rect: r,
                    group: groups.len(),
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
        let cells: Vec<Rect> = layout.code.bits.iter().map(|b| b.rect).collect();
        anchors.extend(cells.chunks(10).map(align::Anchor::new));
        Reader {
            layout,
            boxes,
            groups,
            anchors,
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

    /// Reads one scanned page.
    pub fn read(&self, img: &GrayImage) -> Result<SheetRead, Rejection> {
        let (paper, ink, bilevel) = levels(img);
        let norm = Norm {
            bilevel,
            ..Norm::new(paper, ink)
        };
        let reg = self.register(img, paper, ink)?;
        let (map, shifts) = (&reg.map, &reg.shifts);
        self.check_code(img, map, shifts, &norm)?;
        let mut buf = Scratch::default();
        let scores: Vec<Scores> = self
            .boxes
            .iter()
            .zip(&reg.box_shifts)
            .map(|(b, &shift)| box_scores(img, map, shift, b, &norm, &mut buf))
            .collect();
        let found = judge::pencil(&scores);
        let mut warnings = Vec::new();
        if found.is_none() {
            warnings.push(
                "no clear fill on the sheet: every mark lighter than a dark fill went to review"
                    .to_string(),
            );
        }
        let pencil = found.unwrap_or(DEFAULT_PENCIL);
        let mut judged: Vec<(Verdict, Style)> = scores
            .iter()
            .map(|s| judge::judge(s, pencil, bilevel))
            .collect();
        // per box: read as a mark from the faint speckle a threshold that wiped the print left
        // of it (1-bit scans)
        let mut faint = vec![false; scores.len()];
        if bilevel {
            // what the threshold left of the grey print of blank boxes: where it wiped the print,
            // what is lighter (an erased mark's residue) left nothing
            let print = judge::Print::of(scores.iter());
            let wiped = print.is_some_and(|p| p.wiped());
            // pencil at the threshold is left as speckle over the whole box: a fill
            let floor = judge::speckle_floor(scores.iter());
            for ((j, s), f) in judged.iter_mut().zip(&scores).zip(&mut faint) {
                if j.0 == Verdict::Doubtful && judge::speckled(s, floor) {
                    *j = (Verdict::Marked, Style::Fill);
                } else if j.0 == Verdict::Doubtful
                    && wiped
                    && (judge::faint(s, floor)
                        || print.is_some_and(|p| judge::over_print(s, floor, &p)))
                {
                    // pencil far under a threshold that wiped the print (or lighter than it,
                    // over the print)
                    *j = (Verdict::Marked, Style::Fill);
                    *f = true;
                }
            }
            // a digit column or the paper code holds one mark: beside a clear one, a box whose
            // only trace is darker print is a rubbed-out choice, not a second mark
            let mut single_marked = vec![false; self.groups.len()];
            for (k, g) in self.groups.iter().enumerate() {
                let marked = g
                    .boxes
                    .iter()
                    .filter(|(_, i)| judged[*i].0 == Verdict::Marked)
                    .count();
                single_marked[k] = !matches!(g.field, Field::Item(_)) && marked == 1;
            }
            // beside it, a box with a few specks is not a second mark either
            for (i, j) in judged.iter_mut().enumerate() {
                if single_marked[self.boxes[i].group]
                    && j.0 == Verdict::Doubtful
                    && judge::specks(&scores[i], j.1)
                {
                    *j = (Verdict::Blank, Style::Erased);
                }
            }
            // a light mark the threshold wiped off the paper still darkens the grey border and
            // letter under it: compared with the blank boxes of the same letter (or kind)
            let mut kinds: std::collections::BTreeMap<(u8, &str), Vec<usize>> = Default::default();
            for g in &self.groups {
                let kind = match g.field {
                    Field::Digit(_) => 0,
                    Field::Paper => 1,
                    Field::Item(_) => 2,
                };
                for (v, i) in &g.boxes {
                    kinds.entry((kind, v.as_str())).or_default().push(*i);
                }
            }
            if let Some(print) = print {
                let limit = print.limit();
                for idx in kinds.values() {
                    let base = judge::Print::of(idx.iter().map(|&i| &scores[i]))
                        .map_or(print.median, |p| p.median);
                    for &i in idx {
                        if judged[i].0 == Verdict::Blank
                            && !single_marked[self.boxes[i].group]
                            && judge::drawn_over(&scores[i], base, limit)
                        {
                            judged[i] = (Verdict::Doubtful, Style::Light);
                        }
                    }
                }
            }
        }
        if bilevel {
            warnings.push(
                "1-bit scan: a pencil mark lighter than the scanner's threshold is lost, so every unanswered item went to review (scan in grey to read them)"
                    .to_string(),
            );
        }
        let mut candidate = String::new();
        let mut paper_cell = Cell::Marks(String::new());
        let mut items = Vec::new();
        let mut doubts = Vec::new();
        for g in &self.groups {
            let vs: Vec<(&str, f32, Verdict, Style)> = g
                .boxes
                .iter()
                .map(|(v, i)| (v.as_str(), scores[*i].fill, judged[*i].0, judged[*i].1))
                .collect();
            let doubtful: Vec<(String, f32, Style)> = vs
                .iter()
                .filter(|x| x.2 == Verdict::Doubtful)
                .map(|x| (x.0.to_string(), x.1, x.3))
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
            let mut doubt = |reason: &'static str, boxes: Vec<(String, f32, Style)>| {
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
            } else if matches!(g.field, Field::Item(_)) && g.boxes.iter().any(|(_, i)| faint[*i]) {
                // a mark read from the specks the threshold left of it: a lighter one beside it
                // may have left none, so the item's other boxes are in doubt
                let rest = vs
                    .iter()
                    .filter(|x| x.2 == Verdict::Blank)
                    .map(|x| (x.0.to_string(), x.1, x.3))
                    .collect();
                doubt("faint marks: a lighter one may be lost", rest);
                Cell::Unreadable
            } else if bilevel && marked.is_empty() && matches!(g.field, Field::Item(_)) {
                // a 1-bit scan cannot tell a blank item from one marked lighter than its threshold
                doubt("no mark", Vec::new());
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
                                .map(|x| (x.0.to_string(), x.1, x.3))
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
        if !items.is_empty() && items.iter().all(|(_, c)| *c == Cell::Marks(String::new())) {
            warnings.push(
                "every item read blank: look at the scan (a threshold set too light on the scanner or fax loses pencil)"
                    .to_string(),
            );
        }
        Ok(SheetRead {
            map: reg.map,
            marks: reg.marks,
            residual_mm: reg.residual_mm,
            turned: reg.turned,
            px_per_mm: reg.px_per_mm,
            threshold: judge::MARKED * pencil,
            candidate,
            paper: paper_cell,
            items,
            doubts,
            verdicts: judged.iter().map(|j| j.0).collect(),
            warnings,
            bilevel,
        })
    }

    /// The exam identifier, each cell read where its own borders were found.
    fn check_code(
        &self,
        img: &GrayImage,
        map: &Homography,
        shifts: &[Pt],
        norm: &Norm,
    ) -> Result<(), Rejection> {
        // each cell's own borders (or its fill's edges) looked for around the nearest group's
        // shift, as the boxes are, smoothed over the neighbouring cells
        let bits = &self.layout.code.bits;
        let centres: Vec<Pt> = bits
            .iter()
            .map(|b| (b.rect.x + b.rect.w / 2.0, b.rect.y + b.rect.h / 2.0))
            .collect();
        let near: Vec<Pt> = centres
            .iter()
            .map(|&c| self.shift_near(shifts, c))
            .collect();
        let flat = shifts.iter().all(|s| *s == (0.0, 0.0));
        let cells: Vec<align::Anchor> = bits
            .iter()
            .map(|b| align::Anchor::new(std::slice::from_ref(&b.rect)))
            .collect();
        let mut own: Vec<Option<Pt>> = cells
            .iter()
            .zip(&near)
            .map(|(cell, &around)| {
                if flat {
                    // a flat scan: the cells are where the marks put them
                    return Some(around);
                }
                cell.locate_near(img, map, norm, around, 0.6)
            })
            .collect();
        // a crumpled sheet bends the row more than its groups' shifts say (over a millimetre
        // along 28 mm): a cell not found there is looked for where its found neighbour is,
        // cell by cell outwards from the cells found
        loop {
            let mut grew = false;
            for i in 0..cells.len() {
                if own[i].is_some() {
                    continue;
                }
                let next = (0..cells.len())
                    .filter_map(|j| own[j].map(|s| (dist(centres[i], centres[j]), s)))
                    .filter(|(d, _)| *d <= NEIGHBOUR_CELL_MM)
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, around)) = next {
                    own[i] = cells[i].locate_near(img, map, norm, around, 0.4);
                    grew |= own[i].is_some();
                }
            }
            if !grew {
                break;
            }
        }
        let cell_shifts = align::smooth(&centres, &own).unwrap_or(near);
        // the middle of each cell, and the threshold at the widest gap between the cells'
        // scores: filled cells and empty ones
        let scores: Vec<f32> = bits
            .iter()
            .zip(&cell_shifts)
            .map(|(b, &(dx, dy))| {
                let r = &b.rect;
                let pts: Vec<(f32, f32)> =
                    grid(r.x + 0.6 + dx, r.y + 1.0 + dy, r.w - 1.2, r.h - 2.0, 0.2)
                        .map(|(x, y)| (x as f32, y as f32))
                        .collect();
                score(img, map, &pts, norm)
            })
            .collect();
        let mut sorted = scores.clone();
        sorted.sort_by(f32::total_cmp);
        let cut = sorted
            .windows(2)
            .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
            .map_or(0.5, |w| (w[0] + w[1]) / 2.0);
        let bits: Vec<u8> = scores.iter().map(|&s| u8::from(s > cut)).collect();
        match decode_bits(&bits) {
            None => Err(Rejection::CodeUnreadable),
            Some(c) if c != self.code_id => Err(Rejection::OtherExam {
                printed: format!("{c:08x}"),
                expected: self.layout.code.id.clone(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// The shift of the group whose centre is nearest `p`.
    fn shift_near(&self, shifts: &[Pt], p: Pt) -> Pt {
        self.anchors
            .iter()
            .zip(shifts)
            .min_by(|a, b| dist(a.0.centre, p).total_cmp(&dist(b.0.centre, p)))
            .map_or((0.0, 0.0), |(_, s)| *s)
    }

    /// The map from the corner marks, checked and refined against the printed boxes: the marks
    /// near the image's corners first (a scan), then anywhere in it (a photo).
    fn register(&self, img: &GrayImage, paper: u8, ink: u8) -> Result<Registration, Rejection> {
        let norm = Norm::new(paper, ink);
        let first = self
            .marks_at_corners(img, paper, ink)
            .and_then(|m| self.accept(img, &m, &norm));
        match first {
            Ok(r) => Ok(r),
            Err(e) => match self.marks_anywhere(img, paper, ink) {
                Some(m) => self.accept(img, &m, &norm).map_err(|e2| match e {
                    // say what went wrong with the marks that were found
                    Rejection::Marks { .. } | Rejection::Resolution { .. } => e2,
                    _ => e,
                }),
                None => Err(e),
            },
        }
    }

    /// The best map the marks allow, if its printed boxes are near enough where it puts them.
    fn accept(
        &self,
        img: &GrayImage,
        marks: &FoundMarks,
        norm: &Norm,
    ) -> Result<Registration, Rejection> {
        let mut best: Option<Registration> = None;
        for candidate in self.fit(img, marks, norm)? {
            let Some(r) = self.refine(img, candidate, norm) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| r.residual_mm < b.residual_mm) {
                best = Some(r);
            }
            if best.as_ref().is_some_and(|b| b.residual_mm <= 0.5) {
                break;
            }
        }
        match best {
            Some(b) if b.residual_mm <= RESIDUAL_LIMIT_MM => Ok(b),
            Some(b) => Err(Rejection::Residual {
                mm: b.residual_mm,
                limit: RESIDUAL_LIMIT_MM,
            }),
            None => Err(Rejection::Boxes),
        }
    }

    /// Finds every group's printed boxes around where `reg` puts them: the shifts to read them
    /// at, and the residual.
    fn refine(&self, img: &GrayImage, mut reg: Registration, norm: &Norm) -> Option<Registration> {
        let centres: Vec<Pt> = self.anchors.iter().map(|a| a.centre).collect();
        // a flat, well-registered scan: a dozen groups spread over the sheet all sit within a
        // fifth of a millimetre of where the marks put them, and the rest are not searched
        let n = self.anchors.len();
        let probe: Vec<usize> = (0..12).map(|k| k * n / 12).collect();
        let near: Vec<Option<Pt>> = probe
            .iter()
            .map(|&i| self.anchors[i].locate(img, &reg.map, norm))
            .collect();
        if n > 24
            && near
                .iter()
                .all(|s| s.is_some_and(|s| s.0.hypot(s.1) <= 0.2))
        {
            let k = near.len() as f64;
            reg.residual_mm = (near
                .iter()
                .flatten()
                .map(|s| s.0 * s.0 + s.1 * s.1)
                .sum::<f64>()
                / k)
                .sqrt();
            reg.shifts = vec![(0.0, 0.0); n];
            reg.box_shifts = vec![(0.0, 0.0); self.boxes.len()];
            return Some(reg);
        }
        let found: Vec<Option<Pt>> = self
            .anchors
            .iter()
            .map(|a| a.locate(img, &reg.map, norm))
            .collect();
        let shifts = align::smooth(&centres, &found)?;
        let n = shifts.len().max(1) as f64;
        reg.residual_mm = (shifts.iter().map(|s| s.0 * s.0 + s.1 * s.1).sum::<f64>() / n).sqrt();
        // the paper may be displaced unevenly along a group (a digit column is 60 mm tall):
        // each box's own borders within 0.6 mm of its group's shift, smoothed over its
        // neighbouring boxes (a mark over a border may hide it)
        let box_centres: Vec<Pt> = self
            .boxes
            .iter()
            .map(|b| (b.rect.x + b.rect.w / 2.0, b.rect.y + b.rect.h / 2.0))
            .collect();
        // a digit column (60 mm tall) is bent as a whole on a crumpled sheet: its boxes are
        // found together, along the column
        let mut columns: Vec<Option<Pt>> = vec![None; self.boxes.len()];
        for (g, group) in self.groups.iter().enumerate() {
            if let Field::Digit(_) = group.field {
                let anchors: Vec<align::Anchor> = group
                    .boxes
                    .iter()
                    .map(|(_, i)| align::Anchor::new(std::slice::from_ref(&self.boxes[*i].rect)))
                    .collect();
                if let Some(found) = align::column(&anchors, img, &reg.map, norm, shifts[g]) {
                    for ((_, i), s) in group.boxes.iter().zip(found) {
                        columns[*i] = Some(s);
                    }
                }
            }
        }
        let own: Vec<Option<Pt>> = self
            .boxes
            .iter()
            .zip(&columns)
            .map(|(b, column)| {
                column.or_else(|| {
                    align::Anchor::new(std::slice::from_ref(&b.rect)).locate_near(
                        img,
                        &reg.map,
                        norm,
                        shifts[b.group],
                        0.6,
                    )
                })
            })
            .collect();
        reg.box_shifts = align::smooth(&box_centres, &own)
            .unwrap_or_else(|| self.boxes.iter().map(|b| shifts[b.group]).collect());
        for (s, column) in reg.box_shifts.iter_mut().zip(columns) {
            *s = column.unwrap_or(*s);
        }
        reg.shifts = shifts;
        Some(reg)
    }

    /// The corner marks looked for near the image's corners (a scan), clockwise from the
    /// image's top left, with the scale from the image's long side.
    fn marks_at_corners(
        &self,
        img: &GrayImage,
        paper: u8,
        ink: u8,
    ) -> Result<FoundMarks, Rejection> {
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
        // each mark is looked for within 40 mm of its corner
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
        let mut blobs: [Option<marks::Blob>; 4] = [None; 4];
        for (k, &(cx, cy)) in img_corners.iter().enumerate() {
            let found = marks::find_blobs(img, side_mm * px_mm, dark, windows[k]);
            blobs[k] = found
                .into_iter()
                .filter(|b| (b.center.0 - cx).abs() < reach && (b.center.1 - cy).abs() < reach)
                .min_by(|a, b| dist(a.center, (cx, cy)).total_cmp(&dist(b.center, (cx, cy))));
        }
        let found = blobs.iter().filter(|p| p.is_some()).count();
        if found < 3 {
            return Err(Rejection::Marks { found });
        }
        Ok(FoundMarks { blobs, px_mm })
    }

    /// The corner marks looked for anywhere (a photo where the sheet does not fill the frame).
    fn marks_anywhere(&self, img: &GrayImage, paper: u8, ink: u8) -> Option<FoundMarks> {
        let l = &self.layout;
        let (w, h) = img.dimensions();
        let px_mm = f64::from(w.max(h)) / l.page.w.max(l.page.h);
        let c = |name: &str| {
            l.corners
                .iter()
                .find(|c| c.corner == name)
                .map_or((0.0, 0.0), |c| (c.rect.x, c.rect.y))
        };
        let span = ((c("tr").0 - c("tl").0).abs(), (c("bl").1 - c("tl").1).abs());
        let side_mm = l.corners[0].rect.w;
        let (q, s) = marks::find_anywhere(img, side_mm, span, px_mm, ink / 2 + paper / 2)?;
        Some(FoundMarks {
            blobs: q.map(Some),
            px_mm: s,
        })
    }

    /// The maps the found marks allow, best first: the projective map of four marks, then the
    /// affine maps of each three (a mark may be a stray blot), or the one affine map of three.
    fn fit(
        &self,
        img: &GrayImage,
        found: &FoundMarks,
        norm: &Norm,
    ) -> Result<Vec<Registration>, Rejection> {
        let l = &self.layout;
        let (paper, px_mm) = (norm.paper as u8, found.px_mm);
        let margin = (px_mm * 1.0) as u32;
        let blobs = &found.blobs;
        let mut pts: [Option<Pt>; 4] = [None; 4];
        for k in 0..4 {
            pts[k] = blobs[k].map(|b| marks::refine(img, &b, margin, paper));
        }
        // which found mark has the hole
        let holes: Vec<usize> = (0..4)
            .filter(|&k| {
                pts[k].is_some_and(|p| {
                    let r = (0.5 * px_mm).max(1.0);
                    mean_dark(img, p, r, norm) < 0.5
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
        let real: Vec<bool> = (0..4).map(|i| blobs[(tl + i) % 4].is_some()).collect();
        let n_real = real.iter().filter(|r| **r).count();
        // the marks must form this sheet's rectangle: opposite sides alike (a photo's keystone
        // makes them differ by up to a quarter; three marks are a scan's, within 5 %)
        let side = |a: usize, b: usize| dist(dst[a], dst[b]) / dist(src[a], src[b]);
        let sides = [side(0, 1), side(1, 2), side(2, 3), side(3, 0)];
        let mean = sides.iter().sum::<f64>() / 4.0;
        let off = if n_real == 4 {
            (sides[0] / sides[2] - 1.0)
                .abs()
                .max((sides[1] / sides[3] - 1.0).abs())
                .max(((sides[0] + sides[2]) / (sides[1] + sides[3]) - 1.0).abs())
        } else {
            sides
                .iter()
                .map(|s| (s / mean - 1.0).abs())
                .fold(0.0, f64::max)
        };
        let limit = if n_real == 4 { 0.25 } else { 0.05 };
        if off > limit {
            return Err(Rejection::Shape { off: off * 100.0 });
        }
        if !(MIN_PX_MM..=MAX_PX_MM).contains(&mean) {
            return Err(Rejection::Resolution { px_mm: mean });
        }
        let reg = |map: Homography, marks: usize| Registration {
            map,
            marks,
            residual_mm: 0.0,
            turned: (tl as u32) * 90,
            px_per_mm: mean,
            shifts: Vec::new(),
            box_shifts: Vec::new(),
        };
        let three = |keep: [usize; 3]| {
            let s = keep.map(|i| src[i]);
            let d = keep.map(|i| dst[i]);
            Homography::from_three(&s, &d)
        };
        let mut out = Vec::new();
        if n_real == 4 {
            let s = [src[0], src[1], src[2], src[3]];
            let d = [dst[0], dst[1], dst[2], dst[3]];
            out.extend(Homography::from_four(&s, &d).map(|m| reg(m, 4)));
            for drop in 0..4 {
                let keep: Vec<usize> = (0..4).filter(|&i| i != drop).collect();
                out.extend(three([keep[0], keep[1], keep[2]]).map(|m| reg(m, 3)));
            }
        } else {
            let keep: Vec<usize> = (0..4).filter(|&i| real[i]).collect();
            out.extend(three([keep[0], keep[1], keep[2]]).map(|m| reg(m, 3)));
        }
        if out.is_empty() {
            return Err(Rejection::Marks { found: n_real });
        }
        Ok(out)
    }

    /// A picture of the page area `r` (mm) for a reviewer: when the scan holds it upright or
    /// upside down, leaning at most 2° ([`PICTURE_LEAN`]), its own pixels as they are (each
    /// `n` × `n` averaged into one when the scan has about `n` times `px_mm`, `n` from 2; a half
    /// turn made by reversing them): nothing resampled, so nothing blurred, and a tenth of the
    /// work. Otherwise — a photo at an angle, a sheet scanned a quarter turned — the area
    /// resampled upright at `px_mm` ([`Reader::crop`]).
    pub fn picture(img: &GrayImage, map: &Homography, r: &Rect, px_mm: f64) -> Picture {
        let corners = corners(r, |p| map.apply(p));
        let [tl, tr, br, bl] = corners;
        // the area's top and bottom run along the scan's rows, its sides down its columns,
        // all the same way
        let along = |a: Pt, b: Pt| {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            (dx, dy.abs() <= PICTURE_LEAN * dx.abs())
        };
        let down = |a: Pt, b: Pt| {
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            (dy, dx.abs() <= PICTURE_LEAN * dy.abs())
        };
        let (top, bottom) = (along(tl, tr), along(bl, br));
        let (left, right) = (down(tl, bl), down(tr, br));
        let finite = corners.iter().all(|p| p.0.is_finite() && p.1.is_finite());
        let upright = top.0 > 0.0 && bottom.0 > 0.0 && left.0 > 0.0 && right.0 > 0.0;
        let upside_down = top.0 < 0.0 && bottom.0 < 0.0 && left.0 < 0.0 && right.0 < 0.0;
        let scale = top.0.abs() / r.w.max(1e-9);
        let straight = top.1 && bottom.1 && left.1 && right.1;
        if !(finite && straight && (upright || upside_down) && scale >= px_mm * 0.5) {
            return Picture::upright(Self::crop(img, map, r, px_mm), (r.x, r.y), px_mm);
        }
        // the whole number of pixels nearest to one of `px_mm`: 1 at 150 and 200 dpi for
        // 6 px/mm, 2 at 300, 3 at 400, 4 at 600
        let step = ((scale / px_mm).round() as usize).max(1);
        // the rectangle of scan pixels round the four corners
        let [x0, y0, x1, y1] = bounds(&corners);
        let (x0, y0, x1, y1) = (x0.floor(), y0.floor(), x1.ceil(), y1.ceil());
        let (w, h) = (
            (((x1 - x0) as usize) / step).max(1),
            (((y1 - y0) as usize) / step).max(1),
        );
        let (iw, ih) = (i64::from(img.width()), i64::from(img.height()));
        let raw = img.as_raw();
        // outside the image is paper white
        let px = |x: i64, y: i64| -> u32 {
            if (0..iw).contains(&x) && (0..ih).contains(&y) {
                u32::from(raw[(y * iw + x) as usize])
            } else {
                255
            }
        };
        let (sx, sy) = (x0 as i64, y0 as i64);
        let n = (step * step) as u32;
        let mut out = Vec::with_capacity(w * h);
        let inside =
            sx >= 0 && sy >= 0 && sx + (w * step) as i64 <= iw && sy + (h * step) as i64 <= ih;
        for j in 0..h {
            let y = sy + (j * step) as i64;
            if step == 1 && inside {
                let at = (y * iw + sx) as usize;
                out.extend_from_slice(&raw[at..at + w]);
                continue;
            }
            for i in 0..w {
                let x = sx + (i * step) as i64;
                let sum: u32 = (0..step as i64)
                    .flat_map(|b| (0..step as i64).map(move |a| (a, b)))
                    .map(|(a, b)| px(x + a, y + b))
                    .sum();
                out.push(((sum + n / 2) / n) as u8);
            }
        }
        if upside_down {
            out.reverse();
        }
        let img = GrayImage::from_raw(w as u32, h as u32, out)
            .unwrap_or_else(|| GrayImage::new(w as u32, h as u32));
        Picture {
            img,
            place: Place::Scanned {
                map: *map,
                x0,
                y0,
                step: step as f64,
                half_turn: upside_down,
                w: w as f64,
                h: h as f64,
            },
        }
    }

    /// The page area `r` (mm) of the scan, upright, at `px_mm` pixels per mm.
    pub fn crop(img: &GrayImage, map: &Homography, r: &Rect, px_mm: f64) -> GrayImage {
        let (w, h) = (
            (r.w * px_mm).round().max(1.0) as u32,
            (r.h * px_mm).round().max(1.0) as u32,
        );
        // `map.apply` term by term in f32 (a crop is a picture for a reviewer, not a reading:
        // a hundredth of a pixel off changes no grey by more than a level): the products of a
        // column's x and of a row's y are the same numbers in every pixel of it, so they are
        // made once; a row's points are mapped eight at a time (one reciprocal each), then
        // sampled
        let m = map.0.map(|v| v as f32);
        let (w_, h_) = (w as usize, h as usize);
        let cols = w_.div_ceil(LANES) * LANES;
        // a column's three products, eight columns a group
        let mut cols_at = vec![[[0.0f32; LANES]; 3]; cols / LANES];
        for i in 0..w_ {
            let x = (r.x + (i as f64 + 0.5) / px_mm) as f32;
            let c = &mut cols_at[i / LANES];
            (c[0][i % LANES], c[1][i % LANES], c[2][i % LANES]) = (m[0] * x, m[3] * x, m[6] * x);
        }
        let s = Sampler::new(img);
        // the rows padded to whole groups of eight columns, cut to the crop's width at the end
        let mut out = vec![0u8; cols * h_];
        for (y, row) in out.chunks_exact_mut(cols).enumerate() {
            let y = (r.y + (y as f64 + 0.5) / px_mm) as f32;
            let (ry0, ry1, ry2) = (m[1] * y + m[2], m[4] * y + m[5], m[7] * y + m[8]);
            for (p, [a, b, c]) in row.chunks_exact_mut(LANES).zip(&cols_at) {
                let (mut u, mut v) = ([0.0f32; LANES], [0.0f32; LANES]);
                for l in 0..LANES {
                    let q = 1.0 / (c[l] + ry2);
                    u[l] = (a[l] + ry0) * q;
                    v[l] = (b[l] + ry1) * q;
                }
                p.copy_from_slice(&round_greys(&s.at_lanes(&u, &v)));
            }
        }
        if cols != w_ {
            let mut k = 0;
            for y in 0..h_ {
                out.copy_within(y * cols..y * cols + w_, k);
                k += w_;
            }
            out.truncate(w_ * h_);
        }
        GrayImage::from_raw(w, h, out).unwrap_or_else(|| GrayImage::new(w, h))
    }
}

/// A picture of a page area for a reviewer ([`Reader::picture`]), and where each point of the
/// page is in it.
pub struct Picture {
    pub img: GrayImage,
    place: Place,
}

enum Place {
    /// Resampled upright: the area's corner `origin` (mm) at the picture's (0, 0).
    Upright { origin: Pt, px_mm: f64 },
    /// The scan's own pixels from (`x0`, `y0`), every `step` averaged `step` × `step`, turned
    /// a half turn when the sheet was scanned upside down (the picture `w` × `h`).
    Scanned {
        map: Homography,
        x0: f64,
        y0: f64,
        step: f64,
        half_turn: bool,
        w: f64,
        h: f64,
    },
}

impl Picture {
    /// A picture of the page area from `origin` (mm), upright at `px_mm`.
    pub fn upright(img: GrayImage, origin: Pt, px_mm: f64) -> Picture {
        Picture {
            img,
            place: Place::Upright { origin, px_mm },
        }
    }

    /// Where the page point `p` (mm) is in the picture, in pixels.
    pub fn at(&self, p: Pt) -> Pt {
        match &self.place {
            Place::Upright { origin, px_mm } => {
                ((p.0 - origin.0) * px_mm, (p.1 - origin.1) * px_mm)
            }
            Place::Scanned {
                map,
                x0,
                y0,
                step,
                half_turn,
                w,
                h,
            } => {
                let (u, v) = map.apply(p);
                let (x, y) = ((u - x0) / step, (v - y0) / step);
                if *half_turn {
                    (w - x, h - y)
                } else {
                    (x, y)
                }
            }
        }
    }
}

/// The corners of `r` (top left, top right, bottom right, bottom left), each taken through `f`.
pub fn corners(r: &Rect, f: impl Fn(Pt) -> Pt) -> [Pt; 4] {
    [
        f((r.x, r.y)),
        f((r.x + r.w, r.y)),
        f((r.x + r.w, r.y + r.h)),
        f((r.x, r.y + r.h)),
    ]
}

/// The least and greatest x and y of `pts`: `[x0, y0, x1, y1]`.
pub fn bounds(pts: &[Pt]) -> [f64; 4] {
    pts.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |[x0, y0, x1, y1], &(x, y)| [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
    )
}

/// How far from the scan's own axes a picture may lean and still be cut from its pixels as
/// they are: the tangent of 2°.
const PICTURE_LEAN: f64 = 0.035;

/// The corner marks found, clockwise from the image's top left (one may be missing), and the
/// scale they were looked for at.
struct FoundMarks {
    blobs: [Option<marks::Blob>; 4],
    px_mm: f64,
}

struct Registration {
    map: Homography,
    marks: usize,
    residual_mm: f64,
    turned: u32,
    px_per_mm: f64,
    /// Per group: where its boxes were found, from where `map` puts them (mm on the page).
    shifts: Vec<Pt>,
    /// Per box: the same, each box's own borders looked for around its group's shift.
    box_shifts: Vec<Pt>,
}

/// Grey level → darkness 0 (paper) … 1 (ink).
pub struct Norm {
    paper: f32,
    scale: f32,
    /// The scan is 1-bit.
    bilevel: bool,
}

impl Norm {
    fn new(paper: u8, ink: u8) -> Self {
        Norm {
            paper: f32::from(paper),
            scale: 1.0 / f32::from(paper.saturating_sub(ink).max(1)),
            bilevel: false,
        }
    }

    #[inline]
    pub fn dark(&self, v: f32) -> f32 {
        ((self.paper - v) * self.scale).clamp(0.0, 1.0)
    }
}

/// Paper and ink levels: the 90th and 0.5th percentiles of a sample of pixels; and whether the
/// image is 1-bit (no sampled pixel between pure black and pure white).
fn levels(img: &GrayImage) -> (u8, u8, bool) {
    let w = img.width();
    let mut hist = [0u64; 256];
    let raw = img.as_raw();
    // every third pixel of every third row
    let mut n = 0u64;
    if w > 0 {
        for row in raw.chunks_exact(w as usize).step_by(3) {
            for p in row.chunks(3) {
                hist[usize::from(p[0])] += 1;
            }
            n += u64::from(w.div_ceil(3));
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
    let bilevel = hist[1..255].iter().all(|&c| c == 0);
    (pct(0.90), pct(0.005), bilevel)
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
        // a row's y once
        let y = y + (j as f64 + 0.5) * step;
        (0..nx).map(move |i| (x + (i as f64 + 0.5) * step, y))
    })
}

/// Whether the blank rendering is paper at `(x, y)` mm and next to it (not the border, not the
/// option letter).
fn white_on(blank: &GrayImage, x: f64, y: f64) -> bool {
    let (bw, bh) = blank.dimensions();
    if x < 0.0 || y < 0.0 {
        return false;
    }
    let (px, py) = ((x * BLANK_PX_PER_MM) as u32, (y * BLANK_PX_PER_MM) as u32);
    let raw = blank.as_raw();
    if px >= 1 && py >= 1 && px + 1 < bw && py + 1 < bh {
        // the pixel and its four neighbours all in the image: one bounds check
        let (i, w) = (py as usize * bw as usize + px as usize, bw as usize);
        let Some(cross) = raw.get(i - w..=i + w) else {
            return false;
        };
        return [cross[0], cross[w - 1], cross[w], cross[w + 1], cross[2 * w]]
            .iter()
            .all(|&v| v > 204);
    }
    let white = |px: u32, py: u32| {
        px >= bw || py >= bh || raw[py as usize * bw as usize + px as usize] > 204
    };
    white(px, py)
        && white(px.saturating_sub(1), py)
        && white(px + 1, py)
        && white(px, py.saturating_sub(1))
        && white(px, py + 1)
}

/// The interior sample points of a box that are paper on the blank rendering, and the cell of a
/// 3 × 3 division of the interior each lies in.
fn samples(r: &Rect, blank: &GrayImage) -> (Vec<(f32, f32)>, Vec<u8>) {
    let (x0, y0) = (r.x + SHRINK_MM, r.y + SHRINK_MM);
    let (w, h) = (r.w - 2.0 * SHRINK_MM, r.h - 2.0 * SHRINK_MM);
    grid(x0, y0, w, h, STEP_MM)
        .filter(|&(x, y)| white_on(blank, x, y))
        .map(|(x, y)| {
            let cx = (((x - x0) / w * 3.0) as u8).min(2);
            let cy = (((y - y0) / h * 3.0) as u8).min(2);
            ((x as f32, y as f32), cy * 3 + cx)
        })
        .unzip()
}

/// Points of the ring [`RING_MM`] outside a box's border that are paper on the blank rendering,
/// by side (top, right, bottom, left).
fn ring(r: &Rect, blank: &GrayImage) -> [Vec<(f32, f32)>; 4] {
    let (a, b) = RING_MM;
    let mut out: [Vec<(f32, f32)>; 4] = Default::default();
    let inside = |x: f64, y: f64, m: f64| {
        x > r.x - m && x < r.x + r.w + m && y > r.y - m && y < r.y + r.h + m
    };
    for (x, y) in grid(r.x - b, r.y - b, r.w + 2.0 * b, r.h + 2.0 * b, 0.2) {
        if inside(x, y, a) || !white_on(blank, x, y) {
            continue;
        }
        let side = if y < r.y {
            0
        } else if y > r.y + r.h {
            2
        } else if x > r.x + r.w {
            1
        } else {
            3
        };
        out[side].push((x as f32, y as f32));
    }
    out
}

/// The points of a box's printed ink (border and letter) on the blank rendering, 0.1 mm apart.
fn printed(r: &Rect, blank: &GrayImage) -> Vec<(f32, f32)> {
    let (bw, bh) = blank.dimensions();
    let raw = blank.as_raw();
    let m = 0.2;
    grid(r.x - m, r.y - m, r.w + 2.0 * m, r.h + 2.0 * m, 0.1)
        .filter(|&(x, y)| {
            let (px, py) = ((x * BLANK_PX_PER_MM) as u32, (y * BLANK_PX_PER_MM) as u32);
            px < bw && py < bh && raw[py as usize * bw as usize + px as usize] < 160
        })
        .map(|(x, y)| (x as f32, y as f32))
        .collect()
}

/// Mean darkness of the scan at the sample points.
fn score(img: &GrayImage, map: &Homography, pts: &[(f32, f32)], norm: &Norm) -> f32 {
    if pts.is_empty() {
        return 0.0;
    }
    let mut buf = Vec::with_capacity(pts.len());
    darkness(img, map, (0.0, 0.0), pts, norm, &mut buf);
    buf.iter().sum::<f32>() / pts.len() as f32
}

/// Darkness at every sample point moved by `shift` (mm), into `out`.
fn darkness(
    img: &GrayImage,
    map: &Homography,
    shift: Pt,
    pts: &[(f32, f32)],
    norm: &Norm,
    out: &mut Vec<f32>,
) {
    out.clear();
    let m = map.0.map(|v| v as f32);
    let (sx, sy) = (shift.0 as f32, shift.1 as f32);
    let s = Sampler::new(img);
    // each point as below, eight side by side (the same operations in the same order: the
    // same darkness to the last bit)
    let mut chunks = pts.chunks_exact(LANES);
    for c in &mut chunks {
        let (mut u, mut v) = ([0.0f32; LANES], [0.0f32; LANES]);
        for l in 0..LANES {
            let (x, y) = (c[l].0 + sx, c[l].1 + sy);
            let w = m[6] * x + m[7] * y + m[8];
            u[l] = (m[0] * x + m[1] * y + m[2]) / w;
            v[l] = (m[3] * x + m[4] * y + m[5]) / w;
        }
        let grey = s.at_lanes(&u, &v);
        out.extend(grey.map(|g| norm.dark(g)));
    }
    for &(x, y) in chunks.remainder() {
        let (x, y) = (x + sx, y + sy);
        let w = m[6] * x + m[7] * y + m[8];
        let u = (m[0] * x + m[1] * y + m[2]) / w;
        let v = (m[3] * x + m[4] * y + m[5]) / w;
        out.push(norm.dark(s.at(u, v)));
    }
}

/// Buffers [`box_scores`] uses box after box.
#[derive(Default)]
struct Scratch {
    dark: Vec<f32>,
    keys: Vec<u32>,
    around: Vec<u32>,
}

/// Everything [`judge`] needs of one box, its samples moved by `shift`.
fn box_scores(
    img: &GrayImage,
    map: &Homography,
    shift: Pt,
    b: &BoxSpec,
    norm: &Norm,
    scratch: &mut Scratch,
) -> Scores {
    let Scratch { dark, keys, around } = scratch;
    // the paper around the box: on a grey scan, creases, shadows and uneven light darken it
    // unevenly, so the interior and the ring are measured from the lighter quarter of the
    // ring (a circle drawn around the box darkens the rest), not from the sheet's paper
    let mut ring = [0.0f32; 4];
    around.clear();
    for (r, pts) in ring.iter_mut().zip(&b.ring) {
        darkness(img, map, shift, pts, norm, dark);
        to_keys(dark, keys);
        *r = top_mean(keys, 8);
        if !norm.bilevel {
            around.extend_from_slice(keys);
        }
    }
    let bg = if around.is_empty() {
        0.0
    } else {
        // the quarter-th lightest is the (n - 1 - quarter)-th darkest
        let quarter = around.len() / 4;
        let nth = around.len() - 1 - quarter;
        from_key(*around.select_nth_unstable(nth).1).min(MAX_SHADE)
    };
    let local = |d: f32| ((d - bg) / (1.0 - bg).max(0.1)).max(0.0);
    if bg > 0.0 {
        ring = ring.map(local);
    }
    darkness(img, map, shift, &b.samples, norm, dark);
    let n = dark.len();
    if n == 0 {
        return Scores::default();
    }
    if bg > 0.0 {
        for d in dark.iter_mut() {
            *d = local(*d);
        }
    }
    // each cell's darkness added up in the samples' order (its count known beforehand), and
    // the dark samples counted apart (side by side)
    let mut cells = [0.0f32; 9];
    for (d, &c) in dark.iter().zip(&b.cells) {
        cells[usize::from(c)] += d;
    }
    let cover = dark.iter().filter(|&&d| d > 0.3).count();
    for (c, k) in cells.iter_mut().zip(b.counts) {
        *c /= k.max(1) as f32;
    }
    to_keys(dark, keys);
    // the darkest half selected, then the darkest eighth among it
    let half = (n / 2).max(1);
    if half < n {
        keys.select_nth_unstable(half);
    }
    let fill = (key_sum(&keys[..half]) / half as f64) as f32;
    let eighth = (n / 8).max(1);
    let peak = (darkest_sum(&mut keys[..half], eighth) / eighth as f64) as f32;
    // only a 1-bit scan (every pixel black or white) needs it
    let printed = if norm.bilevel {
        darkness(img, map, shift, &b.printed, norm, dark);
        dark.iter().sum::<f32>() / dark.len().max(1) as f32
    } else {
        0.0
    };
    Scores {
        fill,
        peak,
        cover: cover as f32 / n as f32,
        cells,
        ring,
        printed,
    }
}

/// A darkness as an integer that orders as [`f32::total_cmp`] does, darkest first: selecting
/// among integers moves them exactly as selecting among the floats by `b.total_cmp(a)` would
/// (the same comparisons, the same answers), each comparison a single instruction.
#[inline]
fn key(v: f32) -> u32 {
    // total_cmp's own key (a signed integer), made unsigned, then reversed
    let b = v.to_bits() as i32;
    let t = b ^ ((((b >> 31) as u32) >> 1) as i32);
    !((t as u32) ^ 0x8000_0000)
}

/// The darkness a [`key`] was made from.
#[inline]
fn from_key(k: u32) -> f32 {
    let t = ((!k) ^ 0x8000_0000) as i32;
    f32::from_bits((t ^ ((((t >> 31) as u32) >> 1) as i32)) as u32)
}

fn to_keys(d: &[f32], keys: &mut Vec<u32>) {
    keys.clear();
    keys.extend(d.iter().map(|&v| key(v)));
}

/// The mean of the darkest `1/part` of the darknesses `keys` ([`key`], reordered).
fn top_mean(keys: &mut [u32], part: usize) -> f32 {
    if keys.is_empty() {
        return 0.0;
    }
    let k = (keys.len() / part).max(1);
    (darkest_sum(keys, k) / k as f64) as f32
}

/// The darknesses `keys` ([`key`]) added up in f64: an f32's 24 bits times a few thousand
/// terms fit, so the order a selection leaves them in does not show in the f32 mean made of it.
fn key_sum(keys: &[u32]) -> f64 {
    keys.iter().map(|&x| f64::from(from_key(x))).sum()
}

/// The sum ([`key_sum`]) of the `k` darkest of `keys` ([`key`], reordered; `k` at least 1, at
/// most their number). A few of many (a side of a box's ring) are kept in a short sorted list
/// as the keys go by; more are selected in place.
fn darkest_sum(keys: &mut [u32], k: usize) -> f64 {
    const FEW: usize = 8;
    if k <= FEW && keys.len() > 2 * k {
        let mut best = [u32::MAX; FEW];
        for &x in keys.iter() {
            if x < best[k - 1] {
                let mut j = k - 1;
                while j > 0 && best[j - 1] > x {
                    best[j] = best[j - 1];
                    j -= 1;
                }
                best[j] = x;
            }
        }
        return key_sum(&best[..k]);
    }
    if k < keys.len() {
        keys.select_nth_unstable(k);
    }
    key_sum(&keys[..k])
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

/// `v.round() as u8` for a grey level `v` (at most 255), without the call to the C library's
/// `roundf` that is not inlined: `v` less its whole part is exact, so the halves go up as
/// `round` takes them.
#[inline]
fn round_grey(v: f32) -> u8 {
    let whole = v as u32;
    let up = u32::from(v - whole as f32 >= 0.5);
    (whole + up).min(255) as u8
}

/// [`round_grey`] of [`LANES`] greys side by side, without a conversion or a branch: a grey's
/// whole part found as [`Sampler::at_lanes`] finds a coordinate's (`v + 2²³` is `v` rounded to
/// a whole number, exactly; one less when that is above `v`), and the rounded grey, a whole
/// number, read from the bits of itself plus 2²³. Greys that are not between 0 and 256 (none
/// are: outside the image is 255) are rounded one by one.
#[inline]
fn round_greys(g: &[f32; LANES]) -> [u8; LANES] {
    const TWO_23: f32 = 8_388_608.0;
    let ok = g.iter().fold(true, |ok, v| ok & (0.0..256.0).contains(v));
    if !ok {
        return g.map(round_grey);
    }
    let mut whole = [0u32; LANES];
    for (o, &v) in whole.iter_mut().zip(g) {
        let r = v + TWO_23 - TWO_23;
        let down = r - f32::from(u8::from(r > v));
        let up = f32::from(u8::from(v - down >= 0.5));
        // at most 256, a whole number: exact
        *o = (down + up + TWO_23)
            .to_bits()
            .wrapping_sub(TWO_23.to_bits());
    }
    whole.map(|w| w.min(255) as u8)
}

/// Columns of a crop mapped side by side in [`Reader::crop`].
const LANES: usize = 8;

/// The grey level at (x, y), bilinear; outside the image is paper white: the plain statement
/// of what [`Sampler`], through which every sample is taken, gives to the last bit (tested).
#[cfg(test)]
pub(crate) fn bilinear(img: &GrayImage, x: f32, y: f32) -> f32 {
    let (w, h) = img.dimensions();
    let (x, y) = (x - 0.5, y - 0.5);
    if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
        return 255.0;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let raw = img.as_raw();
    let i = (y0 * w + x0) as usize;
    // one bounds check a row: both pixels of each row at once
    let (top, bot) = (&raw[i..i + 2], &raw[i + w as usize..i + w as usize + 2]);
    let (a, b) = (f32::from(top[0]), f32::from(top[1]));
    let (c, d) = (f32::from(bot[0]), f32::from(bot[1]));
    let top = a + (b - a) * fx;
    let bot = c + (d - c) * fx;
    top + (bot - top) * fy
}

/// [`bilinear`] on one image, its bounds worked out once.
struct Sampler<'a> {
    raw: &'a [u8],
    w: usize,
    w_f: f32,
    /// The last column and row a pixel pair starts at, as floats.
    x_end: f32,
    y_end: f32,
    /// Whether [`Sampler::at_lanes`] may take its shortcuts on this image.
    lanes: bool,
    /// At most 2²³ pixels: [`Sampler::at_lanes`] finds the pixels' indices in f32.
    small: bool,
}

impl<'a> Sampler<'a> {
    #[inline]
    fn new(img: &'a GrayImage) -> Self {
        let (w, h) = img.dimensions();
        Sampler {
            raw: img.as_raw(),
            w: w as usize,
            w_f: w as f32,
            x_end: w.wrapping_sub(1) as f32,
            y_end: h.wrapping_sub(1) as f32,
            // a pixel pair to read at (0, 0), under 2²³ a side
            lanes: (2..1 << 23).contains(&w) && (2..1 << 23).contains(&h),
            small: u64::from(w) * u64::from(h) <= 1 << 23,
        }
    }

    #[inline]
    fn at(&self, x: f32, y: f32) -> f32 {
        let (x, y) = (x - 0.5, y - 0.5);
        if x < 0.0 || y < 0.0 || x >= self.x_end || y >= self.y_end {
            return 255.0;
        }
        let (x0, y0) = (x as u32, y as u32);
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let i = y0 as usize * self.w + x0 as usize;
        // one bounds check for the four pixels
        let block = &self.raw[i..i + self.w + 2];
        let (a, b) = (f32::from(block[0]), f32::from(block[1]));
        let (c, d) = (f32::from(block[self.w]), f32::from(block[self.w + 1]));
        let top = a + (b - a) * fx;
        let bot = c + (d - c) * fx;
        top + (bot - top) * fy
    }

    /// [`Sampler::at`] of [`LANES`] points, the same grey to the last bit: the bounds, the
    /// whole and fractional parts, the pixels' indices and the interpolation side by side,
    /// without a branch, only the four pixels of each point looked up one by one. A point that
    /// is not a number is sampled alone.
    #[inline]
    fn at_lanes(&self, u: &[f32; LANES], v: &[f32; LANES]) -> [f32; LANES] {
        if !self.lanes {
            return std::array::from_fn(|l| self.at(u[l], v[l]));
        }
        let (mut x, mut y) = ([0.0f32; LANES], [0.0f32; LANES]);
        let mut inside = [false; LANES];
        let mut nan = false;
        for l in 0..LANES {
            let (px, py) = (u[l] - 0.5, v[l] - 0.5);
            let out = (px < 0.0) | (py < 0.0) | (px >= self.x_end) | (py >= self.y_end);
            nan |= px.is_nan() | py.is_nan();
            inside[l] = !out;
            // a point outside reads pixel (0, 0): its grey is paper white below
            x[l] = if out { 0.0 } else { px };
            y[l] = if out { 0.0 } else { py };
        }
        if nan {
            return std::array::from_fn(|l| self.at(u[l], v[l]));
        }
        // the whole part of a coordinate `x` under 2²³ without a conversion: `x + 2²³` is `x`
        // rounded to a whole number (exactly), one less when that is above `x`
        const TWO_23: f32 = 8_388_608.0;
        let whole = |x: f32| {
            let r = x + TWO_23 - TWO_23;
            r - f32::from(u8::from(r > x))
        };
        let (mut fx, mut fy) = ([0.0f32; LANES], [0.0f32; LANES]);
        let mut at_f = [0.0f32; LANES];
        for l in 0..LANES {
            let (x0, y0) = (whole(x[l]), whole(y[l]));
            // x less its whole part, as `x - (x as u32) as f32`
            fx[l] = x[l] - x0;
            fy[l] = y[l] - y0;
            // the index of the pixel pair: a whole number under the image's pixels, exact in
            // an f32 on an image of at most 2²³ pixels
            at_f[l] = y0 * self.w_f + x0;
        }
        let mut at = [0usize; LANES];
        if self.small {
            // a whole number under 2²³ plus 2²³: its bits less those of 2²³ are that number
            for l in 0..LANES {
                at[l] = (at_f[l] + TWO_23).to_bits().wrapping_sub(TWO_23.to_bits()) as usize;
            }
        } else {
            for l in 0..LANES {
                let (x0, y0) = (whole(x[l]) as usize, whole(y[l]) as usize);
                at[l] = y0 * self.w + x0;
            }
        }
        // each row's pixel pair read as one 16-bit word, split side by side
        let (mut top, mut bot) = ([0i32; LANES], [0i32; LANES]);
        for l in 0..LANES {
            let i = at[l];
            // one bounds check for the four pixels
            let block = &self.raw[i..i + self.w + 2];
            top[l] = i32::from(u16::from_le_bytes([block[0], block[1]]));
            bot[l] = i32::from(u16::from_le_bytes([block[self.w], block[self.w + 1]]));
        }
        let mut out = [0.0f32; LANES];
        for l in 0..LANES {
            let (a, b) = ((top[l] & 0xff) as f32, (top[l] >> 8) as f32);
            let (c, d) = ((bot[l] & 0xff) as f32, (bot[l] >> 8) as f32);
            let top = a + (b - a) * fx[l];
            let bot = c + (d - c) * fx[l];
            let g = top + (bot - top) * fy[l];
            out[l] = if inside[l] { g } else { 255.0 };
        }
        out
    }
}

#[cfg(test)]
mod fast_path {
    use super::*;

    /// `top_mean` on the floats: sorted by `total_cmp`, darkest first, the darkest summed.
    fn top_mean_floats(d: &mut [f32], part: usize) -> f32 {
        if d.is_empty() {
            return 0.0;
        }
        let k = (d.len() / part).max(1);
        d.sort_by(|a, b| b.total_cmp(a));
        (d[..k].iter().map(|&v| f64::from(v)).sum::<f64>() / k as f64) as f32
    }

    #[test]
    fn darkness_keys_select_and_sum_as_the_sorted_floats_do_to_the_last_bit() {
        let mut seed = 3u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed
        };
        // every sign, zero, infinity and NaN orders and comes back as it went in
        for v in [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1e-40,
        ] {
            assert_eq!(from_key(key(v)).to_bits(), v.to_bits());
        }
        for len in (0..40).chain([100, 257, 690, 1000, 2047]) {
            for round in 0..20 {
                // darkness as boxes have it: many ties at 0 and 1, a few levels, noise
                let mut d: Vec<f32> = (0..len)
                    .map(|_| match (next() >> 8) % 5 {
                        0 => 0.0,
                        1 => 1.0,
                        2 => ((next() >> 8) % 8) as f32 / 8.0,
                        _ => (next() >> 8) as f32 / 16_777_216.0,
                    })
                    .collect();
                if round == 0 {
                    d.iter_mut().for_each(|v| *v = -*v);
                }
                // the few kept in a list (a ring's side) and the many selected in place
                for part in [2, 8, 16] {
                    let mut keys: Vec<u32> = d.iter().map(|&v| key(v)).collect();
                    let want = top_mean_floats(&mut d.clone(), part);
                    let got = top_mean(&mut keys, part);
                    assert_eq!(got.to_bits(), want.to_bits(), "len {len} part {part}");
                }
            }
        }
    }

    #[test]
    fn grey_levels_round_as_f32_round_does() {
        // every 1/4096 of a level over the range, and the values next to each half
        let mut vs: Vec<f32> = (-4096..=257 * 4096).map(|k| k as f32 / 4096.0).collect();
        for k in 0..=256 {
            let half = k as f32 + 0.5;
            vs.extend([half.next_down(), half, half.next_up()]);
        }
        for v in &vs {
            assert_eq!(round_grey(*v), v.round() as u8, "{v}");
        }
        // eight at a time, with values beyond the greys among them
        vs.extend([f32::NAN, -0.0, 255.49, 255.5, 256.0, 300.0, 1e9, -3.0]);
        for c in vs.chunks_exact(LANES).chain([&vs[vs.len() - LANES..]]) {
            let c: [f32; LANES] = c.try_into().unwrap();
            assert_eq!(round_greys(&c), c.map(round_grey), "{c:?}");
        }
    }

    #[test]
    fn points_sampled_eight_at_a_time_have_the_grey_of_each_sampled_alone() {
        let mut seed = 11u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed
        };
        let img = GrayImage::from_fn(37, 23, |_, _| image::Luma([(next() >> 24) as u8]));
        let s = Sampler::new(&img);
        assert!(s.lanes && s.small);
        // inside, on and beyond every edge, between pixels and on them, and not a number
        let mut pts: Vec<(f32, f32)> = (0..4000)
            .map(|_| {
                let f = |n: u32, span: f32| (n >> 8) as f32 / 16_777_216.0 * span - 2.0;
                (f(next(), 41.0), f(next(), 27.0))
            })
            .collect();
        for (x, y) in [
            (0.5, 0.5),
            (36.5, 22.5),
            (36.0, 1.0),
            (1.0, 22.0),
            (0.49, 3.0),
        ] {
            pts.push((x, y));
        }
        pts.extend([
            (f32::NAN, 3.0),
            (3.0, f32::NAN),
            (f32::INFINITY, 1.0),
            (1.0, -0.0),
        ]);
        while pts.len() % LANES != 0 {
            pts.push((5.25, 7.75));
        }
        for c in pts.chunks_exact(LANES) {
            let u: [f32; LANES] = std::array::from_fn(|l| c[l].0);
            let v: [f32; LANES] = std::array::from_fn(|l| c[l].1);
            let got = s.at_lanes(&u, &v);
            let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            for l in 0..LANES {
                let want = s.at(u[l], v[l]);
                assert!(same(got[l], want), "{:?}: {} {want}", c[l], got[l]);
                let alone = bilinear(&img, u[l], v[l]);
                assert!(same(want, alone), "{:?}: {want} {alone}", c[l]);
            }
        }
        // an image of more than 2²³ pixels (300 dpi A3): the pixels' indices found in integers
        let big = GrayImage::from_fn(4097, 2049, |x, y| image::Luma([(x * 7 + y * 13) as u8]));
        let b = Sampler::new(&big);
        assert!(b.lanes && !b.small);
        for c in pts.chunks_exact(LANES) {
            let u: [f32; LANES] = std::array::from_fn(|l| c[l].0 * 97.0);
            let v: [f32; LANES] = std::array::from_fn(|l| c[l].1 * 71.0);
            let got = b.at_lanes(&u, &v);
            for l in 0..LANES {
                let want = b.at(u[l], v[l]);
                assert!(got[l].to_bits() == want.to_bits() || (got[l].is_nan() && want.is_nan()));
            }
        }
        // an image too narrow for a pixel pair: every point outside, one by one
        let thin = GrayImage::from_pixel(1, 5, image::Luma([9]));
        let t = Sampler::new(&thin);
        let (u, v) = ([0.5f32; LANES], [2.5f32; LANES]);
        assert_eq!(t.at_lanes(&u, &v), u.map(|x| t.at(x, 2.5)));
        // a box's darkness, eight points at a time and the rest one by one, as each point alone
        let map = Homography([0.9, 0.05, 1.5, -0.04, 1.1, -0.5, 0.001, -0.002, 1.0]);
        let norm = Norm::new(230, 20);
        for n in [0, 1, 7, 8, 9, 100, 1003] {
            let mut out = Vec::new();
            darkness(&img, &map, (0.3, -0.2), &pts[..n], &norm, &mut out);
            assert_eq!(out.len(), n);
            let m = map.0.map(|v| v as f32);
            for (&(x, y), d) in pts[..n].iter().zip(&out) {
                let (x, y) = (x + 0.3f64 as f32, y + -0.2f64 as f32);
                let w = m[6] * x + m[7] * y + m[8];
                let u = (m[0] * x + m[1] * y + m[2]) / w;
                let v = (m[3] * x + m[4] * y + m[5]) / w;
                let want = norm.dark(bilinear(&img, u, v));
                assert!(d.to_bits() == want.to_bits() || (d.is_nan() && want.is_nan()));
            }
        }
    }

    #[test]
    fn a_review_crop_has_the_pixels_of_the_resampling_in_double_precision() {
        // a scan of noise turned by a projective map: every pixel of the crop within one grey
        // level of `round()` of the bilinear grey at the point mapped in f64, and almost all
        // the same
        let mut seed = 7u32;
        let img = GrayImage::from_fn(400, 300, |_, _| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            image::Luma([(seed >> 24) as u8])
        });
        let map = Homography([7.9, 0.31, 12.5, -0.27, 8.1, 20.25, 0.0002, -0.0001, 1.0]);
        // a crop of whole groups of eight columns and one with a group cut short
        for (r, size) in [
            (
                Rect {
                    page: 1,
                    x: 3.3,
                    y: 2.7,
                    w: 41.0,
                    h: 27.6,
                },
                (328, 221),
            ),
            (
                Rect {
                    page: 1,
                    x: 1.1,
                    y: 0.4,
                    w: 20.3,
                    h: 9.9,
                },
                (162, 79),
            ),
        ] {
            let crop = Reader::crop(&img, &map, &r, 8.0);
            assert_eq!(crop.dimensions(), size);
            let mut off = 0;
            for (x, y, p) in crop.enumerate_pixels() {
                let q = map.apply((
                    r.x + (f64::from(x) + 0.5) / 8.0,
                    r.y + (f64::from(y) + 0.5) / 8.0,
                ));
                let want = bilinear(&img, q.0 as f32, q.1 as f32).round() as u8;
                assert!(
                    p.0[0].abs_diff(want) <= 1,
                    "({x}, {y}): {} vs {want}",
                    p.0[0]
                );
                off += usize::from(p.0[0] != want);
            }
            // noise is the worst case: a grey next to a rounding edge
            assert!(off * 50 < (size.0 * size.1) as usize, "{off} pixels off");
        }
    }

    #[test]
    fn a_review_picture_is_the_scans_own_pixels_where_the_scan_holds_the_area_square() {
        let img = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([((x * 7 + y * 13) % 256) as u8])
        });
        let area = Rect {
            page: 1,
            x: 5.0,
            y: 4.0,
            w: 10.0,
            h: 5.0,
        };
        let region = |x0: u32, y0: u32, w: u32, h: u32| -> Vec<u8> {
            (y0..y0 + h)
                .flat_map(|y| (x0..x0 + w).map(move |x| (x, y)))
                .map(|(x, y)| img.get_pixel(x, y).0[0])
                .collect()
        };
        // 8 px/mm, upright: the area is pixels (50, 52) to (130, 92), as they are
        let upright = Homography([8.0, 0.0, 10.0, 0.0, 8.0, 20.0, 0.0, 0.0, 1.0]);
        let p = Reader::picture(&img, &upright, &area, 6.0);
        assert_eq!(p.img.dimensions(), (80, 40));
        assert_eq!(p.img.as_raw(), &region(50, 52, 80, 40));
        assert_eq!(p.at((5.0, 4.0)), (0.0, 0.0));
        assert_eq!(p.at((7.5, 6.0)), (20.0, 16.0));
        // upside down: the same pixels reversed, a point where the half turn puts it
        let turned = Homography([-8.0, 0.0, 180.0, 0.0, -8.0, 144.0, 0.0, 0.0, 1.0]);
        let p = Reader::picture(&img, &turned, &area, 6.0);
        let mut back = region(60, 72, 80, 40);
        back.reverse();
        assert_eq!(p.img.as_raw(), &back);
        assert_eq!(p.at((7.5, 6.0)), (20.0, 16.0));
        // 12 px/mm (300 dpi) for 6: each 2 × 2 averaged, rounded
        let fine = Homography([12.0, 0.0, 0.0, 0.0, 12.0, 0.0, 0.0, 0.0, 1.0]);
        let p = Reader::picture(&img, &fine, &area, 6.0);
        assert_eq!(p.img.dimensions(), (60, 30));
        let (x, y) = (60 + 2 * 7, 48 + 2 * 3);
        let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
            .iter()
            .map(|&(a, b)| u32::from(img.get_pixel(x + a, y + b).0[0]))
            .sum();
        assert_eq!(u32::from(p.img.get_pixel(7, 3).0[0]), (sum + 2) / 4);
        assert_eq!(p.at((7.5, 6.0)), (15.0, 12.0));
        // near the image's edge: what lies beyond it is paper white
        let edge = Homography([8.0, 0.0, -60.0, 0.0, 8.0, -40.0, 0.0, 0.0, 1.0]);
        let p = Reader::picture(&img, &edge, &area, 6.0);
        assert_eq!(p.img.dimensions(), (80, 40));
        assert_eq!(p.img.get_pixel(5, 5).0[0], 255);
        assert_eq!(p.img.get_pixel(79, 39).0[0], img.get_pixel(59, 31).0[0]);
        // leaning 5°, or a quarter turned: resampled upright at 6 px/mm, as a crop is
        let (c, s) = (5f64.to_radians().cos() * 8.0, 5f64.to_radians().sin() * 8.0);
        for map in [
            Homography([c, -s, 60.0, s, c, 20.0, 0.0, 0.0, 1.0]),
            Homography([0.0, -8.0, 200.0, 8.0, 0.0, 20.0, 0.0, 0.0, 1.0]),
        ] {
            let p = Reader::picture(&img, &map, &area, 6.0);
            assert_eq!(p.img, Reader::crop(&img, &map, &area, 6.0));
            assert_eq!(p.at((7.5, 6.0)), (15.0, 12.0));
        }
    }
}

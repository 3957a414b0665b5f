//! Telling a mark from a blank box, and saying so only when sure. Every box gets a few numbers
//! from its interior (and a ring just outside it); the sheet's own distribution of them gives the
//! candidate's pencil, and each box is then marked, blank, or doubtful, with the style it looks
//! like (a fill, a light fill, a tick, a cross, a circle, an erased residue).

/// What the samples of one box say (darkness 0 paper … 1 ink).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Mean of the darker half of the interior: a fill of most of the box scores like a full one.
    pub fill: f32,
    /// Mean of the darkest eighth of the interior: how dark the strokes are, however thin.
    pub peak: f32,
    /// Share of the interior darker than 0.3.
    pub cover: f32,
    /// Mean darkness of the interior's nine cells (3 × 3, row by row).
    pub cells: [f32; 9],
    /// Per side of a ring 0.45–0.85 mm outside the border (top, right, bottom, left), the mean of
    /// its darkest eighth: a circle drawn around the box crosses two to four sides.
    pub ring: [f32; 4],
    /// Mean darkness on the box's printed ink (its border and letter): on a 1-bit scan, how
    /// much of it the threshold kept, which pencil over it raises.
    pub printed: f32,
}

/// What a box looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Blank,
    /// A fill like the candidate's other fills.
    Fill,
    /// An even mark well lighter than the candidate's fills.
    Light,
    Tick,
    Cross,
    Circle,
    /// A faint even smear: a mark rubbed out.
    Erased,
    /// Something that is neither.
    Unclear,
}

impl Style {
    /// The word review.csv uses.
    pub fn name(self) -> &'static str {
        match self {
            Style::Blank => "blank",
            Style::Fill => "fill",
            Style::Light => "light fill",
            Style::Tick => "tick",
            Style::Cross => "cross",
            Style::Circle => "circle",
            Style::Erased => "erased",
            Style::Unclear => "unclear",
        }
    }
}

/// What a box looks like next to the candidate's pencil.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Marked,
    Blank,
    Doubtful,
}

/// A fill scores at least this share of the candidate's pencil.
pub const MARKED: f32 = 0.70;
/// A box whose darkest strokes stay under this share of the pencil, and whose fill under
/// [`BLANK_FILL`], holds nothing a candidate drew.
const BLANK_PEAK: f32 = 0.30;
const BLANK_FILL: f32 = 0.22;
/// An even smear under these shares of the pencil is a rubbed-out mark. Synthetic residues
/// (graphite 0.10–0.24 left on the paper) scored at most 0.34 of the pencil (fill) measured
/// from the sheet's paper, about 0.02 less from the paper around the box; light fills as low
/// as 0.34: from 0.32 up the box goes to review.
const ERASED_FILL: f32 = 0.32;
const ERASED_PEAK: f32 = 0.50;
/// A stroke is at least this share of the pencil at its darkest.
const STROKE: f32 = 0.55;
/// Pencil darkness (absolute) under which nothing is a mark at all: paper grain, noise, toner.
const NOISE: f32 = 0.12;
/// The same on a 1-bit scan, where paper has no grain and a light mark survives only as a few
/// specks of the strokes the scanner's threshold kept: at least 0.4 % of the interior black
/// (the darkest eighth's mean 0.03) is something drawn, never blank.
const NOISE_BILEVEL: f32 = 0.03;

/// On a 1-bit scan, how much more of a box's printed ink (border and letter) may be black than
/// on the sheet's blank boxes with the same letter before the box counts as drawn over: a
/// light pencil mark that the threshold wiped from the paper still darkens the grey print under
/// it past the threshold. The limit is the sheet's own: [`PRINT_STRAY`] times how far its blank
/// boxes stray above their median (the 95th percentile less the median), within
/// [`PRINT_EXCESS_MIN`]–[`PRINT_EXCESS_MAX`]. Where the threshold kept much of the grey print,
/// blank boxes of 20 synthetic 1-bit sheets stayed within 0.18 of their letter's median in 99 %
/// of cases (at most 0.29), and light marks that lost every speck of their own rose by 0.34
/// (median); where it wiped the print (40 sheets: blank boxes' 95th percentile 0–0.01 above
/// the median), light marks that left no speck rose by 0.02–0.11 and blank boxes at most 0.03.
pub const PRINT_EXCESS_MIN: f32 = 0.015;
pub const PRINT_EXCESS_MAX: f32 = 0.12;
const PRINT_STRAY: f32 = 2.0;

/// A 1-bit sheet whose blank boxes kept less than this share of their grey print (the median)
/// was thresholded darker than the print: what is lighter than the print — an erased mark's
/// residue — left nothing, so speckle spread over a box is pencil at least as dark as the
/// print. On 40 synthetic 1-bit sheets and 40 faxes, with the print wiped (median under 0.04)
/// erased residue left at most 0.9 % of the interior black over at most two cells; with the
/// print kept (0.05 and more), up to 7 % over seven cells.
pub const PRINT_WIPED: f32 = 0.045;

/// On a 1-bit scan a fill of pencil near the scanner's threshold survives as speckle: a few per
/// cent of the interior black, scattered over the whole box. Such a box is a fill when at least
/// [`SPECKLE_COVER`] of its interior is black and [`SPECKLE_CELLS`] of its nine cells hold some
/// black ([`SPECKLE_CELL`]). On 20 synthetic 1-bit sheets and 20 faxes, fills of pencil at the
/// threshold left 3–46 % of the interior black over 8–9 cells; erased residue at most 4 % over
/// at most 4 cells, a neighbour's fill over the border one row or column of cells, the letter
/// under a misplaced grid the middle column.
const SPECKLE_COVER: f32 = 0.04;
const SPECKLE_CELL: f32 = 0.01;
const SPECKLE_CELLS: usize = 8;
/// On a sheet whose print the threshold wiped ([`PRINT_WIPED`]), where no residue survives, a
/// box is pencil when at least [`FAINT_COVER`] of its interior is black over [`FAINT_CELLS`]
/// cells in two rows and two columns or more (not one row or column: a neighbour's fill over
/// the border). Fills far under the threshold left 1.2–40 % over 3–7 cells.
const FAINT_COVER: f32 = 0.01;
const FAINT_CELLS: usize = 3;
/// On a sheet whose print the threshold wiped, a box whose printed ink (border and letter) is
/// kept at least this much above the blank boxes' median was drawn over ([`over_print`]). On
/// 40 synthetic 1-bit sheets and 40 faxes with the print wiped, blank boxes rose at most 0.27;
/// erased residue up to 0.68 but left at most 0.9 % of the interior black; fills of pencil
/// lighter than the threshold 0.29–0.66, leaving 0.2–3.6 % black round the letter.
const KEPT_PRINT: f32 = 0.3;

/// The share of the interior black in the sheet's typical box (the median over all its boxes):
/// on a clean 1-bit scan 0, on paper that the threshold turned to specks everywhere more.
pub fn speckle_floor<'a>(scores: impl Iterator<Item = &'a Scores>) -> f32 {
    let mut v: Vec<f32> = scores.map(|s| s.cover).collect();
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// A box of a 1-bit scan whose black is speckle spread over the whole interior, well above the
/// sheet's `floor` ([`speckle_floor`]): a fill the threshold thinned, read as a mark.
pub fn speckled(s: &Scores, floor: f32) -> bool {
    Spread::of(s, floor, SPECKLE_COVER).is_some_and(|g| g.cells >= SPECKLE_CELLS)
}

/// A box of a 1-bit scan whose print the threshold wiped ([`Print::wiped`]) with fainter
/// speckle than [`speckled`] asks, over fewer cells but more than one row or column: pencil
/// far under the threshold, read as a mark (a lighter one beside it may have left nothing).
pub fn faint(s: &Scores, floor: f32) -> bool {
    Spread::of(s, floor, FAINT_COVER)
        .is_some_and(|g| g.cells >= FAINT_CELLS && g.rows >= 2 && g.cols >= 2)
}

/// A box of a 1-bit scan whose `print` the threshold wiped ([`Print::wiped`]), its own border
/// and letter kept black ([`KEPT_PRINT`] above the median) with [`FAINT_COVER`] of its
/// interior black, however few its cells (pencil lighter than the threshold leaves black only
/// where it lies over the print, round the letter in the middle column): a mark read from the
/// print under it, as [`faint`] marks are.
pub fn over_print(s: &Scores, floor: f32, print: &Print) -> bool {
    print.wiped()
        && s.printed - print.median >= KEPT_PRINT
        && Spread::of(s, floor, FAINT_COVER).is_some_and(|g| g.cells >= 1)
}

/// A box of a 1-bit scan with less black than any of the rules reads as pencil
/// ([`FAINT_COVER`] of its interior) and no ring crossed: beside a clear mark in a field that
/// holds one (a digit column, the paper code), what is left of a rubbed-out choice or of the
/// printed digit under a grid a little off, not a second mark. (On 40 synthetic faxes, the
/// printed digit half kept, one such box held 0.9 % black in its middle cell.)
pub fn specks(s: &Scores, style: Style) -> bool {
    s.cover < FAINT_COVER && style != Style::Circle
}

/// Where black lies in a box of a 1-bit scan: how many of its nine cells hold some
/// ([`SPECKLE_CELL`]), over how many rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub cells: usize,
    pub rows: usize,
    pub cols: usize,
}

impl Spread {
    /// The spread of a box's black when at least `cover` of its interior is black, and four
    /// times the sheet's `floor` ([`speckle_floor`]); `None` when less is.
    pub fn of(s: &Scores, floor: f32, cover: f32) -> Option<Spread> {
        if s.cover < cover.max(4.0 * floor) {
            return None;
        }
        let black = |i: usize| s.cells[i] >= SPECKLE_CELL;
        let (mut rows, mut cols) = ([false; 3], [false; 3]);
        let mut cells = 0;
        for i in (0..9).filter(|&i| black(i)) {
            cells += 1;
            rows[i / 3] = true;
            cols[i % 3] = true;
        }
        let count = |v: [bool; 3]| v.iter().filter(|&&b| b).count();
        Some(Spread {
            cells,
            rows: count(rows),
            cols: count(cols),
        })
    }
}

/// What the threshold of a 1-bit scan left of the grey print of the boxes with a blank
/// interior: the median share of it black, and how far the boxes stray above the median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Print {
    pub median: f32,
    /// The 95th percentile less the median.
    pub stray: f32,
}

impl Print {
    /// The print of the boxes among `scores` with a blank interior; `None` with fewer than four.
    pub fn of<'a>(scores: impl Iterator<Item = &'a Scores>) -> Option<Print> {
        let mut v: Vec<f32> = scores
            .filter(|s| s.peak < NOISE_BILEVEL)
            .map(|s| s.printed)
            .collect();
        if v.len() < 4 {
            return None;
        }
        v.sort_by(f32::total_cmp);
        let median = v[v.len() / 2];
        let p95 = v[(v.len() * 95 / 100).min(v.len() - 1)];
        Some(Print {
            median,
            stray: p95 - median,
        })
    }

    /// The threshold was darker than the print: what is lighter than it left nothing.
    pub fn wiped(&self) -> bool {
        self.median < PRINT_WIPED
    }

    /// How much darker than its baseline a box's print may be before it counts as drawn over.
    pub fn limit(&self) -> f32 {
        (PRINT_STRAY * self.stray).clamp(PRINT_EXCESS_MIN, PRINT_EXCESS_MAX)
    }
}

/// A box judged blank on a 1-bit scan whose printed ink is darker than the `baseline` of its
/// kind by more than `limit` ([`Print::limit`]): pencil lighter than the threshold lies over it.
pub fn drawn_over(s: &Scores, baseline: f32, limit: f32) -> bool {
    s.printed - baseline > limit
}

/// The candidate's pencil: the median fill of the boxes that are surely filled (dark and even);
/// `None` when the sheet has fewer than three of them.
pub fn pencil(scores: &[Scores]) -> Option<f32> {
    let mut fills: Vec<f32> = scores
        .iter()
        .filter(|s| s.fill >= 0.3 && s.cover >= 0.6)
        .map(|s| s.fill)
        .collect();
    if fills.len() < 3 {
        return None;
    }
    fills.sort_by(f32::total_cmp);
    Some(fills[fills.len() / 2])
}

/// The verdict on a box and the style it looks like, against the candidate's `pencil`; `bilevel`
/// when the scan is 1-bit (every pixel paper or ink).
pub fn judge(s: &Scores, pencil: f32, bilevel: bool) -> (Verdict, Style) {
    let p = pencil.max(0.2);
    let (fill, peak) = (s.fill / p, s.peak / p);
    if fill >= MARKED && s.fill >= 0.2 && s.cover >= 0.4 {
        return (Verdict::Marked, Style::Fill);
    }
    // on a 1-bit scan what is left of a light mark is a few specks, far under the pencil's share:
    // only a box with (almost) no black at all is blank
    let faint = if bilevel {
        s.peak < NOISE_BILEVEL
    } else {
        s.peak < NOISE || (peak < BLANK_PEAK && fill < BLANK_FILL)
    };
    let sides = s
        .ring
        .iter()
        .filter(|&&r| r / p >= STROKE && r >= 2.0 * NOISE)
        .count();
    // a circle crosses three or four sides of the ring; a stroke through two of them (a circle
    // drawn off centre, crumpled paper) is not blank either
    let circled = sides >= 2;
    if faint && !circled {
        return (Verdict::Blank, Style::Blank);
    }
    // an even smear: its darkest part not much darker than its darker half
    let even = s.peak <= 1.5 * s.fill.max(0.01);
    if even && fill < ERASED_FILL && peak < ERASED_PEAK && !circled {
        return (Verdict::Blank, Style::Erased);
    }
    (Verdict::Doubtful, style(s, p, circled, even))
}

/// The style of a box in doubt.
fn style(s: &Scores, p: f32, circled: bool, even: bool) -> Style {
    let c = s.cells.map(|v| v / p);
    let centre = c[4];
    let corners = [c[0], c[2], c[6], c[8]];
    let edges = [c[1], c[3], c[5], c[7]];
    let dark = |v: f32| v >= 0.25;
    if circled && centre < 0.25 {
        return Style::Circle;
    }
    if s.peak / p < STROKE {
        return if even { Style::Light } else { Style::Unclear };
    }
    if even && s.cover >= 0.5 {
        return Style::Light;
    }
    let dark_corners = corners.iter().filter(|&&v| dark(v)).count();
    let dark_edges = edges.iter().filter(|&&v| dark(v)).count();
    if dark(centre) && dark_corners >= 3 {
        return Style::Cross;
    }
    if !dark(centre) && dark_edges == 4 {
        return Style::Circle;
    }
    Style::Tick
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(fill: f32, peak: f32, cover: f32, cells: [f32; 9], ring: f32) -> Scores {
        Scores {
            fill,
            peak,
            cover,
            cells,
            ring: [ring; 4],
            ..Default::default()
        }
    }

    #[test]
    fn the_pencil_is_the_median_of_even_dark_fills_and_unknown_below_three() {
        let fill = |f| s(f, f, 0.95, [f; 9], 0.0);
        let tick = s(0.35, 0.8, 0.25, [0.0; 9], 0.0);
        assert_eq!(pencil(&[fill(0.7), fill(0.8), tick, tick]), None);
        assert_eq!(
            pencil(&[fill(0.7), fill(0.8), fill(0.9), tick, tick, tick]),
            Some(0.8)
        );
    }

    #[test]
    fn fills_are_marked_residue_blank_and_strokes_and_light_fills_in_doubt() {
        let p = 0.8;
        let full = s(0.8, 0.85, 0.97, [0.8; 9], 0.1);
        assert_eq!(judge(&full, p, false), (Verdict::Marked, Style::Fill));
        let blank = s(0.02, 0.06, 0.0, [0.02; 9], 0.03);
        assert_eq!(judge(&blank, p, false), (Verdict::Blank, Style::Blank));
        let residue = s(0.2, 0.26, 0.1, [0.18; 9], 0.1);
        assert_eq!(judge(&residue, p, false), (Verdict::Blank, Style::Erased));
        let light = s(0.4, 0.45, 0.9, [0.38; 9], 0.1);
        assert_eq!(judge(&light, p, false), (Verdict::Doubtful, Style::Light));
        let tick = s(
            0.3,
            0.75,
            0.2,
            [0.0, 0.0, 0.4, 0.0, 0.3, 0.3, 0.3, 0.2, 0.0],
            0.1,
        );
        assert_eq!(judge(&tick, p, false), (Verdict::Doubtful, Style::Tick));
        let cross = s(
            0.35,
            0.75,
            0.3,
            [0.4, 0.1, 0.4, 0.1, 0.6, 0.1, 0.4, 0.1, 0.4],
            0.1,
        );
        assert_eq!(judge(&cross, p, false), (Verdict::Doubtful, Style::Cross));
        // a circle drawn around the box: little inside, a stroke through the ring
        let around = s(
            0.12,
            0.4,
            0.05,
            [0.3, 0.2, 0.3, 0.1, 0.0, 0.1, 0.3, 0.2, 0.3],
            0.7,
        );
        assert_eq!(judge(&around, p, false), (Verdict::Doubtful, Style::Circle));
    }

    #[test]
    fn on_a_one_bit_scan_the_specks_left_of_a_light_mark_are_in_doubt_not_blank() {
        // 1 % of the interior black, in a few specks: on grey, noise; on 1-bit, what the
        // scanner's threshold kept of a mark
        let specks = s(
            0.02,
            0.08,
            0.01,
            [0.0, 0.0, 0.0, 0.0, 0.05, 0.02, 0.0, 0.0, 0.0],
            0.0,
        );
        assert_eq!(judge(&specks, 1.0, false).0, Verdict::Blank);
        assert_eq!(judge(&specks, 1.0, true).0, Verdict::Doubtful);
        let white = s(0.0, 0.0, 0.0, [0.0; 9], 0.0);
        assert_eq!(judge(&white, 1.0, true), (Verdict::Blank, Style::Blank));
        let full = s(1.0, 1.0, 1.0, [1.0; 9], 0.0);
        assert_eq!(judge(&full, 1.0, true), (Verdict::Marked, Style::Fill));
    }

    #[test]
    fn a_stroke_through_two_sides_of_the_ring_is_not_blank() {
        // a circle drawn off the box's centre: two sides of the ring crossed, the interior
        // touched only at a corner
        let mut off = s(
            0.04,
            0.15,
            0.0,
            [0.12, 0.0, 0.02, 0.0, 0.02, 0.0, 0.02, 0.02, 0.0],
            0.0,
        );
        off.ring = [0.17, 0.75, 0.75, 0.17];
        assert_eq!(judge(&off, 0.7, false), (Verdict::Doubtful, Style::Circle));
        // one side: a neighbour's stroke ending beside the box
        off.ring = [0.0, 0.75, 0.0, 0.0];
        assert_eq!(judge(&off, 0.7, false), (Verdict::Blank, Style::Blank));
    }

    #[test]
    fn on_a_one_bit_scan_speckle_over_the_whole_box_is_a_fill_and_residue_is_not() {
        // pencil at the threshold: 6 % of the interior black, in every cell
        let thinned = s(
            0.12,
            0.48,
            0.06,
            [0.04, 0.05, 0.03, 0.06, 0.08, 0.02, 0.05, 0.07, 0.03],
            0.0,
        );
        // residue that left 4 % black in one blot, over four cells
        let residue = s(
            0.08,
            0.3,
            0.04,
            [0.0, 0.0, 0.0, 0.02, 0.12, 0.09, 0.0, 0.03, 0.0],
            0.0,
        );
        // a neighbour's fill over the border: one row of cells
        let spill = s(
            0.1,
            0.4,
            0.05,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.16, 0.14],
            0.0,
        );
        let blank = s(0.0, 0.0, 0.0, [0.0; 9], 0.0);
        let sheet = [thinned, residue, spill, blank, blank, blank, blank];
        let floor = speckle_floor(sheet.iter());
        assert_eq!(floor, 0.0);
        assert!(speckled(&thinned, floor));
        assert!(!speckled(&residue, floor));
        assert!(!speckled(&spill, floor));
        assert!(!speckled(&blank, floor));
        // a sheet the threshold left specks all over: its typical box is no blank one
        assert!(!speckled(&thinned, speckle_floor([thinned; 5].iter())));
    }

    #[test]
    fn on_a_one_bit_scan_print_darkened_past_its_letters_baseline_is_pencil_over_it() {
        let with = |peak: f32, printed: f32| Scores {
            peak,
            printed,
            ..Default::default()
        };
        // the baseline is the blank interiors' median: the filled box does not count
        let sheet = [
            with(0.0, 0.05),
            with(0.0, 0.1),
            with(0.0, 0.0),
            with(1.0, 0.9),
        ];
        assert_eq!(Print::of(sheet.iter()), None);
        // the grey print half kept, its blank boxes straying widely: the limit stays 0.12
        let mut sheet: Vec<Scores> = (0..20).map(|k| with(0.0, k as f32 / 50.0)).collect();
        sheet.push(with(1.0, 0.9));
        let print = Print::of(sheet.iter()).unwrap();
        assert_eq!(print.median, 0.2);
        assert!(!print.wiped());
        assert_eq!(print.limit(), PRINT_EXCESS_MAX);
        assert!(!drawn_over(&with(0.0, 0.3), print.median, print.limit()));
        assert!(drawn_over(&with(0.0, 0.4), print.median, print.limit()));
    }

    #[test]
    fn where_the_threshold_wiped_the_print_a_slight_darkening_of_it_is_pencil_over_it() {
        let with = |printed: f32| Scores {
            printed,
            ..Default::default()
        };
        // the print of 39 blank boxes of 40 wiped, one kept a speck of it: a light mark that
        // left nothing on the paper darkened the print under it by 0.06
        let mut sheet: Vec<Scores> = (0..39).map(|_| with(0.0)).collect();
        sheet.push(with(0.01));
        let print = Print::of(sheet.iter()).unwrap();
        assert!(print.wiped());
        assert_eq!(print.limit(), PRINT_EXCESS_MIN);
        assert!(drawn_over(&with(0.06), print.median, print.limit()));
        assert!(!drawn_over(&with(0.01), print.median, print.limit()));
    }

    #[test]
    fn where_the_threshold_wiped_the_print_faint_speckle_over_rows_and_columns_is_pencil() {
        // pencil far under the threshold: 2 % of the interior black, in four cells of two rows
        // and two columns
        let far = s(
            0.05,
            0.2,
            0.02,
            [0.0, 0.06, 0.0, 0.03, 0.1, 0.0, 0.0, 0.05, 0.0],
            0.0,
        );
        // too faint for a fill the threshold thinned, which covers the whole box
        assert!(!speckled(&far, 0.0));
        assert!(faint(&far, 0.0));
        // a neighbour's fill over the border: one row of cells
        let spill = s(
            0.05,
            0.2,
            0.03,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.1, 0.08],
            0.0,
        );
        assert!(!faint(&spill, 0.0));
        // residue: a few specks in one or two cells
        let residue = s(
            0.01,
            0.03,
            0.005,
            [0.0, 0.0, 0.0, 0.0, 0.02, 0.012, 0.0, 0.0, 0.0],
            0.0,
        );
        assert!(!faint(&residue, 0.0));
        // on paper the threshold left specked everywhere, the same box is nothing special
        assert!(!faint(&far, 0.01));
    }
    #[test]
    fn where_the_threshold_wiped_the_print_black_round_a_kept_letter_is_pencil_over_it() {
        let with = |printed: f32, cover: f32, cells: [f32; 9]| Scores {
            printed,
            cover,
            cells,
            ..Default::default()
        };
        let wiped = Print {
            median: 0.0,
            stray: 0.01,
        };
        // pencil lighter than the threshold: the letter and border kept, black round the
        // letter only (the middle column), 3.6 % of the interior
        let column = [0.006, 0.082, 0.0, 0.009, 0.155, 0.0, 0.0, 0.017, 0.005];
        let over = with(0.66, 0.036, column);
        assert!(!faint(&over, 0.0));
        assert!(over_print(&over, 0.0, &wiped));
        // erased residue: the print kept as much, no black inside
        let residue = with(0.68, 0.003, [0.0, 0.0, 0.0, 0.0, 0.02, 0.0, 0.0, 0.0, 0.0]);
        assert!(!over_print(&residue, 0.0, &wiped));
        // the same black with the print no darker than a blank box's
        assert!(!over_print(&with(0.25, 0.036, column), 0.0, &wiped));
        // where the threshold kept the print, a kept letter says nothing
        let kept = Print {
            median: 0.3,
            stray: 0.1,
        };
        assert!(!over_print(&with(0.96, 0.036, column), 0.0, &kept));
    }

    #[test]
    fn a_few_specks_are_too_little_for_a_mark_and_a_circle_is_not_specks() {
        let with = |cover: f32| Scores {
            cover,
            ..Default::default()
        };
        assert!(specks(&with(0.0088), Style::Unclear));
        assert!(!specks(&with(0.0088), Style::Circle));
        assert!(!specks(&with(0.03), Style::Unclear));
    }
}

//! The reader on sheets drawn here: a small layout, its blank rendering, pencil marks in every
//! style candidates use, and the page seen by a scanner or, at an angle, by a phone.

use super::*;
use crate::render::layout::{
    encode_bits, CodeBit, CornerBox, DigitBox, ExamCode, ItemBox, PageSize, PaperBox,
};
use image::Luma;

const CODE: u32 = 0x5eed_c0de;

fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
    Rect {
        page: 1,
        x,
        y,
        w,
        h,
    }
}

/// 4 candidate digits, papers A and B, 30 items of four options (A–D).
fn layout() -> SheetLayout {
    let corners = [
        ("tl", 12.0, 12.0),
        ("tr", 192.0, 12.0),
        ("bl", 12.0, 279.0),
        ("br", 192.0, 279.0),
    ]
    .map(|(c, x, y)| CornerBox {
        corner: c.into(),
        rect: rect(x, y, 6.0, 6.0),
    })
    .to_vec();
    let bits = encode_bits(CODE)
        .into_iter()
        .enumerate()
        .map(|(i, value)| CodeBit {
            bit: i as u32,
            value,
            rect: rect(40.0 + i as f64 * 2.2, 22.0, 2.0, 4.0),
        })
        .collect();
    let mut candidate = Vec::new();
    for col in 0..4 {
        for digit in 0..10 {
            candidate.push(DigitBox {
                col,
                digit,
                rect: rect(
                    30.0 + f64::from(col) * 7.0,
                    35.0 + f64::from(digit) * 6.0,
                    5.0,
                    3.6,
                ),
            });
        }
    }
    let paper = ["A", "B"]
        .iter()
        .enumerate()
        .map(|(i, o)| PaperBox {
            option: o.to_string(),
            rect: rect(100.0 + i as f64 * 6.6, 35.0, 5.0, 3.6),
        })
        .collect();
    let mut items = Vec::new();
    for n in 1..=30u32 {
        let (col, row) = ((n - 1) / 15, (n - 1) % 15);
        for (k, o) in ["A", "B", "C", "D"].iter().enumerate() {
            items.push(ItemBox {
                item: n,
                option: o.to_string(),
                value: o.to_string(),
                rect: rect(
                    37.0 + f64::from(col) * 70.0 + k as f64 * 6.6,
                    110.0 + f64::from(row) * 6.0,
                    5.0,
                    3.6,
                ),
            });
        }
    }
    SheetLayout {
        papers: vec!["A".into()],
        blank: "sheet.blank.png".into(),
        page: PageSize { w: 210.0, h: 297.0 },
        corners,
        candidate,
        paper,
        items,
        code: ExamCode {
            id: format!("{CODE:08x}"),
            bits,
        },
    }
}

/// A page raster at [`BLANK_PX_PER_MM`], drawn in mm.
struct Page(GrayImage);

impl Page {
    fn blank(l: &SheetLayout) -> Self {
        let s = BLANK_PX_PER_MM;
        let mut p = Page(GrayImage::from_pixel(
            (l.page.w * s) as u32,
            (l.page.h * s) as u32,
            Luma([255]),
        ));
        for c in &l.corners {
            let r = c.rect;
            p.fill(&r, 1.0);
            if c.corner == "tl" {
                let hole = rect(r.x + 1.8, r.y + 1.8, 2.4, 2.4);
                p.paint(&hole, |_| 255);
            }
        }
        for b in &l.code.bits {
            p.border(&b.rect);
            if b.value == 1 {
                p.fill(&b.rect, 1.0);
            }
        }
        let boxes = l
            .candidate
            .iter()
            .map(|b| b.rect)
            .chain(l.paper.iter().map(|b| b.rect))
            .chain(l.items.iter().map(|b| b.rect));
        for r in boxes {
            p.border(&r);
        }
        p
    }

    fn paint(&mut self, r: &Rect, f: impl Fn(u8) -> u8) {
        let s = BLANK_PX_PER_MM;
        for y in (r.y * s) as u32..((r.y + r.h) * s) as u32 {
            for x in (r.x * s) as u32..((r.x + r.w) * s) as u32 {
                let px = self.0.get_pixel_mut(x, y);
                px.0[0] = f(px.0[0]);
            }
        }
    }

    /// Pencil of darkness `d` over the rectangle.
    fn fill(&mut self, r: &Rect, d: f64) {
        self.paint(r, |v| (f64::from(v) * (1.0 - d)) as u8);
    }

    /// Pencil of darkness up to `d` with the grain of graphite on paper: blocks of 0.25 mm
    /// from 55 to 100 % of it, as a threshold near the pencil's darkness leaves it in specks.
    fn grain(&mut self, r: &Rect, d: f64) {
        let s = BLANK_PX_PER_MM;
        for y in (r.y * s) as u32..((r.y + r.h) * s) as u32 {
            for x in (r.x * s) as u32..((r.x + r.w) * s) as u32 {
                let (bx, by) = (x / 2, y / 2);
                let h = (bx.wrapping_mul(2_654_435_761) ^ by.wrapping_mul(40_503))
                    .wrapping_mul(2_246_822_519);
                let t = f64::from(h >> 22) / 1024.0;
                let px = self.0.get_pixel_mut(x, y);
                px.0[0] = (f64::from(px.0[0]) * (1.0 - d * (0.55 + 0.45 * t))) as u8;
            }
        }
    }

    /// The printed border of a box: grey, 0.25 mm.
    fn border(&mut self, r: &Rect) {
        let t = 0.25;
        for e in [
            rect(r.x - t / 2.0, r.y - t / 2.0, r.w + t, t),
            rect(r.x - t / 2.0, r.y + r.h - t / 2.0, r.w + t, t),
            rect(r.x - t / 2.0, r.y - t / 2.0, t, r.h + t),
            rect(r.x + r.w - t / 2.0, r.y - t / 2.0, t, r.h + t),
        ] {
            self.paint(&e, |v| v.min(130));
        }
    }

    /// A pencil line 0.4 mm wide through the points (mm), darkness `d`.
    fn stroke(&mut self, pts: &[(f64, f64)], d: f64) {
        let s = BLANK_PX_PER_MM;
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            let n = (len * s * 2.0) as usize + 1;
            for i in 0..=n {
                let t = i as f64 / n as f64;
                let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                for dy in -1i32..=1 {
                    for dx in -1i32..=1 {
                        let (px, py) = ((x * s) as i32 + dx, (y * s) as i32 + dy);
                        let p = self.0.get_pixel_mut(px as u32, py as u32);
                        p.0[0] = p.0[0].min((255.0 * (1.0 - d)) as u8);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Mark {
    Fill,
    Tick,
    Circle,
    Cross,
    Faint,
    Erased,
}

fn draw(p: &mut Page, r: &Rect, m: Mark) {
    let pencil = 0.8;
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    match m {
        Mark::Fill => p.fill(&rect(x - 0.2, y - 0.2, w + 0.4, h + 0.4), pencil),
        Mark::Faint => p.fill(&rect(x, y, w, h), 0.35),
        Mark::Erased => p.fill(&rect(x - 0.3, y - 0.3, w + 0.6, h + 0.6), 0.14),
        Mark::Tick => p.stroke(
            &[
                (x + 0.8, y + 1.8),
                (x + 2.0, y + h - 0.6),
                (x + w + 0.4, y - 0.6),
            ],
            pencil,
        ),
        Mark::Cross => {
            p.stroke(&[(x + 0.3, y + 0.3), (x + w - 0.3, y + h - 0.3)], pencil);
            p.stroke(&[(x + w - 0.3, y + 0.3), (x + 0.3, y + h - 0.3)], pencil);
        }
        Mark::Circle => {
            let (cx, cy) = (x + w / 2.0, y + h / 2.0);
            let (a, b) = (w / 2.0 + 0.7, h / 2.0 + 0.7);
            let pts: Vec<(f64, f64)> = (0..=48)
                .map(|i| {
                    let t = f64::from(i) / 48.0 * std::f64::consts::TAU;
                    (cx + a * t.cos(), cy + b * t.sin())
                })
                .collect();
            p.stroke(&pts, pencil);
        }
    }
}

/// What each item holds: (item, marks on options), and what the reader must say.
/// A blank sheet with the candidate number 2718 and paper B filled.
fn identified(l: &SheetLayout) -> Page {
    let mut p = Page::blank(l);
    for (col, digit) in [(0, 2), (1, 7), (2, 1), (3, 8)] {
        let r = l
            .candidate
            .iter()
            .find(|b| b.col == col && b.digit == digit)
            .unwrap()
            .rect;
        draw(&mut p, &r, Mark::Fill);
    }
    draw(&mut p, &l.paper[1].rect, Mark::Fill);
    p
}

/// `page` scanned at `dpi` onto a `size` image and thresholded as an office scanner does:
/// darker than `cut` black, the rest white.
fn one_bit(page: &Page, dpi: f64, size: (u32, u32), cut: u8) -> GrayImage {
    let s = dpi / 25.4;
    let map = Homography([s, 0.0, 30.0, 0.0, s, 25.0, 0.0, 0.0, 1.0]);
    let mut img = shoot(page, &map, size.0, size.1, 235);
    for p in img.pixels_mut() {
        p.0[0] = if p.0[0] < cut { 0 } else { 255 };
    }
    img
}

fn marked_sheet(l: &SheetLayout) -> (Page, Vec<(u32, &'static str)>) {
    let mut p = identified(l);
    let find = |n: u32, v: &str| {
        l.items
            .iter()
            .find(|b| b.item == n && b.value == v)
            .unwrap()
            .rect
    };
    type Plan = (u32, Vec<(&'static str, Mark)>, &'static str);
    let plan: Vec<Plan> = vec![
        (13, vec![("B", Mark::Tick)], "?"),
        (14, vec![("C", Mark::Circle)], "?"),
        // a cross over most of the box darkens it like a fill: read as the mark
        (15, vec![("A", Mark::Cross)], "A"),
        (16, vec![("D", Mark::Faint)], "?"),
        (17, vec![("B", Mark::Erased)], ""),
        (18, vec![], ""),
        (19, vec![("A", Mark::Fill), ("C", Mark::Erased)], "A"),
        (20, vec![("B", Mark::Fill), ("D", Mark::Fill)], "BD"),
    ];
    let mut expect = Vec::new();
    for n in 1..=30u32 {
        let (marks, want): (Vec<(&str, Mark)>, &str) = match plan.iter().find(|p| p.0 == n) {
            Some((_, m, w)) => (m.clone(), w),
            None => {
                let v = ["A", "B", "C", "D"][(n % 4) as usize];
                (vec![(v, Mark::Fill)], v)
            }
        };
        for (v, m) in marks {
            draw(&mut p, &find(n, v), m);
        }
        expect.push((n, want));
    }
    (p, expect)
}

/// The page as seen through `map` (page mm → image px) in a `w` × `h` frame of grey `bg`, with a
/// little noise.
fn shoot(p: &Page, map: &Homography, w: u32, h: u32, bg: u8) -> GrayImage {
    shoot_bent(p, map, w, h, bg, |_| (0.0, 0.0))
}

/// [`shoot`] of a page whose paper is displaced by `bend` (mm, at each point of the page): what
/// is printed at `q` is seen at `q + bend(q)`, as on a sheet crumpled and flattened again.
fn shoot_bent(
    p: &Page,
    map: &Homography,
    w: u32,
    h: u32,
    bg: u8,
    bend: impl Fn(Pt) -> Pt,
) -> GrayImage {
    let s = BLANK_PX_PER_MM as f32;
    let c = [(0.0, 0.0), (210.0, 0.0), (210.0, 297.0), (0.0, 297.0)];
    let inv = Homography::from_four(&c.map(|q| map.apply(q)), &c).unwrap();
    let (pw, ph) = p.0.dimensions();
    let mut seed = 7u32;
    GrayImage::from_fn(w, h, |x, y| {
        let (mx, my) = inv.apply((f64::from(x) + 0.5, f64::from(y) + 0.5));
        let (bx, by) = bend((mx, my));
        let (mx, my) = (mx - bx, my - by);
        let (u, v) = (mx as f32 * s, my as f32 * s);
        let g = if u < 1.0 || v < 1.0 || u >= (pw - 2) as f32 || v >= (ph - 2) as f32 {
            f32::from(bg)
        } else {
            16.0 + bilinear(&p.0, u, v) * 0.9
        };
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let noise = ((seed >> 16) % 9) as f32 - 4.0;
        Luma([(g + noise).clamp(0.0, 255.0) as u8])
    })
}

fn check(read: &SheetRead, expect: &[(u32, &str)]) {
    assert_eq!(read.candidate, "2718");
    assert_eq!(read.paper, Cell::Marks("B".into()));
    for (n, want) in expect {
        let got = &read.items.iter().find(|i| i.0 == *n).unwrap().1;
        let got = match got {
            Cell::Marks(m) => m.as_str(),
            Cell::Unreadable => "?",
        };
        assert_eq!(got, *want, "item {n}");
    }
    let seen = |n: u32| {
        let d = read
            .doubts
            .iter()
            .find(|d| d.field == n.to_string())
            .unwrap();
        d.boxes.iter().map(|b| b.2).collect::<Vec<_>>()
    };
    assert_eq!(seen(13), [Style::Tick]);
    assert_eq!(seen(14), [Style::Circle]);
    assert_eq!(seen(16), [Style::Light]);
    assert_eq!(read.doubts.len(), 3, "{:?}", read.doubts);
}

#[test]
fn fills_and_crosses_are_read_ticks_circles_and_faint_marks_flagged_residue_blank() {
    let l = layout();
    let (page, expect) = marked_sheet(&l);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // a flatbed scan at 150 dpi, turned 0.7°
    let s = 150.0 / 25.4;
    let (sn, cs) = 0.7f64.to_radians().sin_cos();
    let map = Homography([s * cs, -s * sn, 40.0, s * sn, s * cs, 20.0, 0.0, 0.0, 1.0]);
    let img = shoot(&page, &map, 1240, 1754, 235);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.marks, 4);
    assert!(read.residual_mm < 0.3, "{}", read.residual_mm);
    check(&read, &expect);
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

#[test]
fn a_photo_at_an_angle_with_the_sheet_not_filling_the_frame_is_read_with_a_projective_fit() {
    let l = layout();
    let (page, expect) = marked_sheet(&l);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // the sheet's top edge 8 % narrower than its bottom edge, on a dark desk, in a larger frame
    let c = [(0.0, 0.0), (210.0, 0.0), (210.0, 297.0), (0.0, 297.0)];
    let frame = [
        (330.0, 260.0),
        (1450.0, 250.0),
        (1500.0, 1930.0),
        (280.0, 1940.0),
    ];
    let map = Homography::from_four(&c, &frame).unwrap();
    let img = shoot(&page, &map, 1800, 2300, 90);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.marks, 4);
    check(&read, &expect);
}

#[test]
fn a_sheet_with_no_clear_fill_and_one_read_all_blank_carry_warnings() {
    let l = layout();
    let mut page = Page::blank(&l);
    for b in l.items.iter().filter(|b| b.value == "A") {
        draw(&mut page, &b.rect, Mark::Tick);
    }
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let s = 150.0 / 25.4;
    let map = Homography([s, 0.0, 30.0, 0.0, s, 25.0, 0.0, 0.0, 1.0]);
    let read = reader.read(&shoot(&page, &map, 1240, 1754, 235)).unwrap();
    assert!(
        read.warnings.iter().any(|w| w.contains("no clear fill")),
        "{:?}",
        read.warnings
    );
    assert!(read.items.iter().all(|i| i.1 == Cell::Unreadable));
    let blank = Page::blank(&layout());
    let read = reader.read(&shoot(&blank, &map, 1240, 1754, 235)).unwrap();
    assert!(
        read.warnings
            .iter()
            .any(|w| w.contains("every item read blank")),
        "{:?}",
        read.warnings
    );
}

#[test]
fn on_a_one_bit_scan_an_unanswered_item_goes_to_review_for_a_light_mark_may_be_lost() {
    let l = layout();
    let (page, expect) = marked_sheet(&l);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // an office scanner's default: 200 dpi, thresholded at 140 (the faint mark of item 16 and
    // the residue of item 17 do not survive it on the paper, only on the grey print under them)
    let img = one_bit(&page, 200.0, (1654, 2339), 140);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "2718");
    assert_eq!(read.paper, Cell::Marks("B".into()));
    let got = |n: u32| match &read.items.iter().find(|i| i.0 == n).unwrap().1 {
        Cell::Marks(m) => m.clone(),
        Cell::Unreadable => "?".into(),
    };
    for (n, want) in &expect {
        // what was read as blank on grey is in doubt here, and so is the residue beside item
        // 19's fill: it darkens the grey print under it as a light mark would; everything else
        // reads the same
        let want = if want.is_empty() || *n == 19 {
            "?"
        } else {
            want
        };
        assert_eq!(got(*n), want, "item {n}");
    }
    let doubt = |n: u32| {
        let d = read
            .doubts
            .iter()
            .find(|d| d.field == n.to_string())
            .unwrap();
        let boxes: Vec<(&str, Style)> = d.boxes.iter().map(|b| (b.0.as_str(), b.2)).collect();
        (d.reason, boxes)
    };
    // the faint fill inside the box leaves the print as it was; the residue rubbed over the
    // border darkens it
    assert_eq!(doubt(16), ("no mark", vec![]));
    assert_eq!(doubt(17), ("doubtful mark", vec![("B", Style::Light)]));
    assert_eq!(doubt(18), ("no mark", vec![]));
    assert_eq!(doubt(19), ("doubtful mark", vec![("C", Style::Light)]));
    assert!(
        read.warnings.iter().any(|w| w.contains("1-bit scan")),
        "{:?}",
        read.warnings
    );
    // the same sheet in grey is read as before, with no such warning
    let s = 200.0 / 25.4;
    let map = Homography([s, 0.0, 30.0, 0.0, s, 25.0, 0.0, 0.0, 1.0]);
    let grey = shoot(&page, &map, 1654, 2339, 235);
    let read = reader.read(&grey).unwrap();
    check(&read, &expect);
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

#[test]
fn on_a_one_bit_scan_a_light_option_lost_to_the_threshold_is_seen_on_the_print_under_it() {
    let l = layout();
    let (mut page, _) = marked_sheet(&l);
    // item 16: A filled and D marked lightly, which a threshold set dark wipes off the paper
    let a16 = l
        .items
        .iter()
        .find(|b| b.item == 16 && b.value == "A")
        .unwrap()
        .rect;
    draw(&mut page, &a16, Mark::Fill);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // the grey print (133 ± 4 seen) half kept by the threshold, the light mark (165) lost
    let img = one_bit(&page, 300.0, (2480, 3508), 133);
    let read = reader.read(&img).unwrap();
    let item = |n: u32| read.items.iter().find(|i| i.0 == n).unwrap().1.clone();
    // not "A" in silence: D goes to review as a light mark
    assert_eq!(item(16), Cell::Unreadable);
    let d = read.doubts.iter().find(|d| d.field == "16").unwrap();
    assert_eq!(d.reason, "doubtful mark");
    assert_eq!(
        d.boxes
            .iter()
            .map(|b| (b.0.as_str(), b.2))
            .collect::<Vec<_>>(),
        [("D", Style::Light)]
    );
    // the fills elsewhere are read, the blank boxes beside them are not in doubt
    assert_eq!(item(20), Cell::Marks("BD".into()));
    assert_eq!(item(1), Cell::Marks("B".into()));
    assert_eq!(read.candidate, "2718");
}

#[test]
fn where_a_threshold_wiped_the_print_a_light_stroke_that_touched_the_border_is_seen() {
    let l = layout();
    let (mut page, _) = marked_sheet(&l);
    // item 18 (left blank): A filled, and a light stroke at C's left edge, over 2.4 mm of its
    // border
    let box18 = |v: &str| {
        l.items
            .iter()
            .find(|b| b.item == 18 && b.value == v)
            .unwrap()
            .rect
    };
    draw(&mut page, &box18("A"), Mark::Fill);
    let c = box18("C");
    page.fill(&rect(c.x, c.y + 0.6, 1.5, 2.4), 0.35);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // a threshold darker than the grey print (133 ± 4 seen): the print of every blank box is
    // lost, and so is the stroke (165) on the paper; only the border under it (92) is kept
    let img = one_bit(&page, 300.0, (2480, 3508), 110);
    let read = reader.read(&img).unwrap();
    let item = |n: u32| read.items.iter().find(|i| i.0 == n).unwrap().1.clone();
    // not "A" in silence: the few black dots of border under the stroke stand out where the
    // print of every blank box is white
    assert_eq!(item(18), Cell::Unreadable);
    let d = read.doubts.iter().find(|d| d.field == "18").unwrap();
    assert_eq!(
        d.boxes
            .iter()
            .map(|b| (b.0.as_str(), b.2))
            .collect::<Vec<_>>(),
        [("C", Style::Light)]
    );
    // the fills elsewhere are read, the blank boxes beside them are not in doubt
    assert_eq!(item(20), Cell::Marks("BD".into()));
    assert_eq!(item(1), Cell::Marks("B".into()));
    assert_eq!(read.candidate, "2718");
}

#[test]
fn on_a_one_bit_scan_fills_the_threshold_left_in_specks_are_read_as_marks() {
    let l = layout();
    let mut page = identified(&l);
    // items 1–10 filled with a pencil as dark as the scanner's threshold, the rest darker
    let want = |n: u32| ["A", "B", "C", "D"][(n % 4) as usize];
    for b in l.items.iter().filter(|b| b.value == want(b.item)) {
        let r = rect(
            b.rect.x - 0.2,
            b.rect.y - 0.2,
            b.rect.w + 0.4,
            b.rect.h + 0.4,
        );
        if b.item <= 10 {
            page.grain(&r, 0.56);
        } else {
            draw(&mut page, &b.rect, Mark::Fill);
        }
    }
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let img = one_bit(&page, 200.0, (1654, 2339), 140);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "2718");
    for (n, cell) in &read.items {
        assert_eq!(
            *cell,
            Cell::Marks(want(*n).into()),
            "item {n}: {:?}",
            read.doubts
        );
    }
    assert!(read.doubts.is_empty(), "{:?}", read.doubts);
}

#[test]
fn where_a_threshold_wiped_the_print_fills_far_under_it_are_read_and_their_items_reviewed() {
    let l = layout();
    let mut page = identified(&l);
    // items 1–10 filled with a pencil so far under the scanner's threshold that a few specks
    // are left of it, the rest darker
    let want = |n: u32| ["A", "B", "C", "D"][(n % 4) as usize];
    for b in l.items.iter().filter(|b| b.value == want(b.item)) {
        let r = rect(
            b.rect.x - 0.2,
            b.rect.y - 0.2,
            b.rect.w + 0.4,
            b.rect.h + 0.4,
        );
        if b.item <= 10 {
            page.grain(&r, 0.61);
        } else {
            draw(&mut page, &b.rect, Mark::Fill);
        }
    }
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // a threshold darker than the grey print (133 ± 4 seen): the print is lost
    let img = one_bit(&page, 300.0, (2480, 3508), 110);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "2718");
    let mut faint = 0;
    for (n, cell) in &read.items {
        if *n > 10 {
            assert_eq!(*cell, Cell::Marks(want(*n).into()), "item {n}");
            continue;
        }
        // the specks are read as the mark: the item as well, where they cover the box; where
        // they are fewer it goes to review, for a lighter mark beside them would have left
        // none, with the other boxes in doubt
        if *cell == Cell::Marks(want(*n).into()) {
            continue;
        }
        assert_eq!(*cell, Cell::Unreadable, "item {n}");
        let d = read
            .doubts
            .iter()
            .find(|d| d.field == n.to_string())
            .unwrap();
        assert_eq!(
            d.reason, "faint marks: a lighter one may be lost",
            "item {n}"
        );
        let boxes: Vec<&str> = d.boxes.iter().map(|b| b.0.as_str()).collect();
        let others: Vec<&str> = ["A", "B", "C", "D"]
            .into_iter()
            .filter(|v| *v != want(*n))
            .collect();
        assert_eq!(boxes, others, "item {n}");
        faint += 1;
    }
    assert!(faint >= 5, "{faint} items read from faint specks");
}

#[test]
fn on_a_one_bit_scan_a_digit_rubbed_out_beside_a_clear_fill_does_not_hide_the_digit() {
    let l = layout();
    let (mut page, _) = marked_sheet(&l);
    // the candidate first marked 3 in the second column, rubbed it out and filled 7: the
    // residue is lost on the paper but darkens the grey border under it
    let three = l.candidate.iter().find(|b| b.col == 1 && b.digit == 3);
    draw(&mut page, &three.unwrap().rect, Mark::Erased);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let img = one_bit(&page, 300.0, (2480, 3508), 133);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "2718");
    assert!(
        read.doubts
            .iter()
            .all(|d| !d.field.starts_with("candidate")),
        "{:?}",
        read.doubts
    );
    // an item may hold two answers: residue beside its fill still goes to review
    assert_eq!(
        read.items.iter().find(|i| i.0 == 19).unwrap().1,
        Cell::Unreadable
    );
}

#[test]
fn where_a_threshold_wiped_the_print_a_fill_lighter_than_it_is_read_from_the_border_it_kept() {
    let l = layout();
    let mut page = identified(&l);
    let want = |n: u32| ["A", "B", "C", "D"][(n % 4) as usize];
    for b in l.items.iter().filter(|b| b.value == want(b.item)) {
        let r = b.rect;
        // a heavier stroke down the middle of the box, inside its border
        let stroke = rect(r.x + r.w / 2.0 - 0.25, r.y + 0.6, 0.5, r.h - 1.2);
        match b.item {
            // a fill lighter than the threshold (154 seen: lost) over the grey border (86:
            // kept), the stroke black
            5 => {
                page.fill(&rect(r.x - 0.2, r.y - 0.2, r.w + 0.4, r.h + 0.4), 0.4);
                page.fill(&stroke, 0.6);
            }
            // the stroke alone: its border as white as every blank box's
            6 => page.fill(&stroke, 0.8),
            _ => draw(&mut page, &r, Mark::Fill),
        }
    }
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    // a threshold darker than the grey print (133 ± 4 seen): the print is lost
    let img = one_bit(&page, 300.0, (2480, 3508), 110);
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "2718");
    let item = |n: u32| read.items.iter().find(|i| i.0 == n).unwrap().1.clone();
    let doubt = |n: u32| {
        read.doubts
            .iter()
            .find(|d| d.field == n.to_string())
            .unwrap()
    };
    let boxes = |n: u32| -> Vec<String> { doubt(n).boxes.iter().map(|b| b.0.clone()).collect() };
    // item 5's box is read as the mark; the item goes to review for its other boxes, as
    // faint marks do
    assert_eq!(item(5), Cell::Unreadable);
    assert_eq!(doubt(5).reason, "faint marks: a lighter one may be lost");
    assert_eq!(boxes(5), ["A", "C", "D"]);
    // the stroke alone kept no border: it stays in doubt itself
    assert_eq!(item(6), Cell::Unreadable);
    assert_eq!(doubt(6).reason, "doubtful mark");
    assert_eq!(boxes(6), ["C"]);
    assert_eq!(item(7), Cell::Marks("D".into()));
}

#[test]
fn on_a_one_bit_scan_a_speck_beside_a_clear_digit_does_not_hide_it_a_smudge_does() {
    let l = layout();
    let (mut page, _) = marked_sheet(&l);
    let digit = |col: u32, d: u32| {
        l.candidate
            .iter()
            .find(|b| b.col == col && b.digit == d)
            .unwrap()
            .rect
    };
    // the fourth column (8 filled): a smudge of 1 mm in the middle of 0, a tenth of the box
    let z = digit(3, 0);
    page.fill(&rect(z.x + 2.0, z.y + 1.3, 1.0, 1.0), 0.8);
    // the second column (7 filled): a speck of 0.25 mm in the middle of 0, under 1 % of the
    // box, black on the scan (as the printed digit's remains or noise are)
    let z = digit(1, 0);
    let speck = rect(z.x + 2.325, z.y + 1.575, 0.25, 0.25);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let mut img = one_bit(&page, 300.0, (2480, 3508), 133);
    let s = 300.0 / 25.4;
    let px = |mm: f64, o: f64| (mm * s + o - 0.5).ceil() as u32;
    for y in px(speck.y, 25.0)..px(speck.y + speck.h, 25.0) {
        for x in px(speck.x, 30.0)..px(speck.x + speck.w, 30.0) {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    let read = reader.read(&img).unwrap();
    assert_eq!(read.candidate, "271?", "{:?}", read.doubts);
    let fields: Vec<&str> = read
        .doubts
        .iter()
        .filter(|d| d.field.starts_with("candidate"))
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(fields, ["candidate4"]);
}

#[test]
fn a_shadow_over_part_of_the_sheet_leaves_its_blank_boxes_blank() {
    let l = layout();
    let (page, expect) = marked_sheet(&l);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let s = 150.0 / 25.4;
    let map = Homography([s, 0.0, 30.0, 0.0, s, 25.0, 0.0, 0.0, 1.0]);
    let mut img = shoot(&page, &map, 1240, 1754, 235);
    // a phone's shadow over items 22–28 (their boxes 107–137 mm across, 146–186 mm down): the
    // paper there a quarter darker
    let px = |mm: f64, o: f64| (o + mm * s) as u32;
    for y in px(144.8, 25.0)..px(187.2, 25.0) {
        for x in px(100.0, 30.0)..px(150.0, 30.0) {
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (f32::from(p.0[0]) * 0.75) as u8;
        }
    }
    let read = reader.read(&img).unwrap();
    check(&read, &expect);
}

#[test]
fn a_crumpled_sheet_bent_along_its_digit_columns_is_read_where_each_box_is() {
    let l = layout();
    let (page, expect) = marked_sheet(&l);
    let reader = Reader::new(l, &Page::blank(&layout()).0);
    let s = 150.0 / 25.4;
    let map = Homography([s, 0.0, 30.0, 0.0, s, 25.0, 0.0, 0.0, 1.0]);
    // a long wave of the paper under 1 mm across the digit columns (35–93 mm down): their tops
    // moved 0.9 mm down, their feet as far up, a little more in the left columns than in the
    // right, so no one shift fits a whole column; the items below moved evenly
    let bend = |(x, y): Pt| {
        let t = std::f64::consts::TAU;
        let y = y.min(93.0);
        (
            0.3 * (t * (x + y) / 150.0).sin(),
            -0.9 * (t * (y - 64.0) / 110.0).sin(),
        )
    };
    let img = shoot_bent(&page, &map, 1240, 1754, 235, bend);
    let read = reader.read(&img).unwrap();
    check(&read, &expect);
}

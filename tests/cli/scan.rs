//! `scan`: synthetic scans made from the tool's own sheet.pdf (pdftoppm, pencil marks drawn,
//! rotation, noise, JPEG), with known truth.

use super::{examforge, tmp};
use image::{GrayImage, Luma};
use predicates::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `examforge scan <exam>/exam.json <inputs…> -o <out>`, for more arguments and the assertions.
fn scan_cmd(
    exam: &Path,
    inputs: &[&dyn AsRef<std::ffi::OsStr>],
    out: &Path,
) -> assert_cmd::Command {
    let mut c = examforge();
    c.arg("scan").arg(exam.join("exam.json"));
    for i in inputs {
        c.arg(i);
    }
    c.arg("-o").arg(out);
    c
}

/// The bundled exam, made once for all tests of this file.
fn exam() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tmp().keep();
        examforge()
            .args(["make", "--seed", "7", "-o"])
            .arg(&d)
            .assert()
            .success();
        d
    })
}

/// The first page of the sheets of `exam` as a grey image at `dpi`.
fn raster(exam: &Path, dpi: u32) -> GrayImage {
    raster_page(exam, dpi, 1)
}

/// Page `page` of sheet.pdf as a grey image at `dpi`.
fn raster_page(exam: &Path, dpi: u32, page: u32) -> GrayImage {
    let d = tmp();
    let out = d.path().join("p");
    let page = page.to_string();
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-singlefile", "-png"])
        .args(["-f", &page, "-l", &page])
        .arg(exam.join("sheet.pdf"))
        .arg(&out)
        .status()
        .expect("pdftoppm is installed (poppler-utils)");
    assert!(st.success());
    image::open(d.path().join("p.png")).unwrap().into_luma8()
}

/// The layout of the first sheet of `exam`.
fn layout(exam: &Path) -> Value {
    sheets(exam)[0].clone()
}

/// Every sheet's layout.
fn sheets(exam: &Path) -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(exam.join("sheet.layout.json")).unwrap())
            .unwrap();
    v["sheets"].as_array().unwrap().clone()
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64) as usize % n
    }
}

#[derive(Clone, Copy)]
enum Ink {
    /// A pencil fill of this darkness over this share of the box width.
    Pencil(f64, f64),
    /// A mark rubbed out: faint grey over the box.
    Erased,
}

/// Draws `ink` over box `b` (layout JSON, mm) on a sheet rastered at `dpi`.
fn draw(img: &mut GrayImage, b: &Value, dpi: u32, ink: Ink, rng: &mut Rng) {
    let s = f64::from(dpi) / 25.4;
    let (x, y, w, h) = (
        b["x"].as_f64().unwrap(),
        b["y"].as_f64().unwrap(),
        b["w"].as_f64().unwrap(),
        b["h"].as_f64().unwrap(),
    );
    let (dark, share, over) = match ink {
        Ink::Pencil(d, f) => (d, f, 0.3),
        Ink::Erased => (0.17, 1.0, 0.6),
    };
    let x0 = ((x - over) * s) as u32;
    let x1 = ((x + w * share + over) * s) as u32;
    let y0 = ((y - over) * s) as u32;
    let y1 = ((y + h + over) * s) as u32;
    for py in y0..y1 {
        for px in x0..x1 {
            let grain = 0.8 + 0.4 * rng.next();
            let a = (dark * grain).min(1.0);
            let p = img.get_pixel_mut(px, py);
            p.0[0] = (f64::from(p.0[0]) * (1.0 - a)) as u8;
        }
    }
}

/// What a sheet holds: item → marked values, the candidate number, the paper code; whether its
/// pencil is light (its erased residue is then as dark as a light mark, and may go to review).
struct Truth {
    candidate: String,
    paper: String,
    items: BTreeMap<u32, String>,
    light: bool,
}

/// Marks a sheet: clear marks on some options of every item (some blank, some multiple), erased
/// residue on a free box of every fifth item; with `light`, a light pencil that part-fills every
/// third box.
fn fill(img: &mut GrayImage, l: &Value, dpi: u32, seed: u64, light: bool) -> Truth {
    let mut rng = Rng(seed);
    let mut t = Truth {
        candidate: String::new(),
        paper: String::new(),
        items: BTreeMap::new(),
        light,
    };
    // a light pencil is light on the whole sheet; every third mark then fills 70 % of its box
    let pencil = |rng: &mut Rng, i: usize| {
        if light {
            Ink::Pencil(0.45 + 0.05 * rng.next(), if i % 3 == 0 { 0.7 } else { 1.0 })
        } else {
            Ink::Pencil(0.75 + 0.15 * rng.next(), 1.0)
        }
    };
    let cand = l["candidate"].as_array().unwrap();
    let cols = cand
        .iter()
        .map(|b| b["col"].as_u64().unwrap())
        .max()
        .unwrap()
        + 1;
    for c in 0..cols {
        let d = rng.below(10) as u64;
        let b = cand
            .iter()
            .find(|b| b["col"] == c && b["digit"] == d)
            .unwrap();
        let ink = pencil(&mut rng, 1);
        draw(img, b, dpi, ink, &mut rng);
        t.candidate.push_str(&d.to_string());
    }
    let papers = l["paper"].as_array().unwrap();
    let p = &papers[rng.below(papers.len())];
    let ink = pencil(&mut rng, 1);
    draw(img, p, dpi, ink, &mut rng);
    t.paper = p["option"].as_str().unwrap().to_string();
    let mut groups: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for b in l["items"].as_array().unwrap() {
        groups
            .entry(b["item"].as_u64().unwrap())
            .or_default()
            .push(b);
    }
    let mut marks = 0;
    for (n, boxes) in groups {
        let k = boxes.len();
        let mut chosen = vec![false; k];
        match n % 7 {
            0 => {}
            3 => {
                chosen[rng.below(k)] = true;
                chosen[rng.below(k)] = true;
            }
            _ => chosen[rng.below(k)] = true,
        }
        let mut value = String::new();
        for (i, b) in boxes.iter().enumerate() {
            if chosen[i] {
                marks += 1;
                let ink = pencil(&mut rng, marks);
                draw(img, b, dpi, ink, &mut rng);
                value.push_str(b["value"].as_str().unwrap());
            }
        }
        if n % 5 == 0 {
            if let Some(i) = (0..k).find(|&i| !chosen[i]) {
                draw(img, boxes[i], dpi, Ink::Erased, &mut rng);
            }
        }
        t.items.insert(n as u32, value);
    }
    t
}

/// Rotates by `deg` about the centre, scales by `scale`, shifts by (dx, dy) px, adds noise.
fn degrade(img: &GrayImage, deg: f64, scale: f64, dx: f64, dy: f64, seed: u64) -> GrayImage {
    let (w, h) = img.dimensions();
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let (sn, cs) = deg.to_radians().sin_cos();
    let mut rng = Rng(seed);
    GrayImage::from_fn(w, h, |x, y| {
        // inverse map: output pixel → source pixel
        let (u, v) = (f64::from(x) - cx - dx, f64::from(y) - cy - dy);
        let sx = (cs * u + sn * v) / scale + cx;
        let sy = (-sn * u + cs * v) / scale + cy;
        let g = if sx < 0.0 || sy < 0.0 || sx >= f64::from(w - 1) || sy >= f64::from(h - 1) {
            236.0
        } else {
            let (x0, y0) = (sx as u32, sy as u32);
            let (fx, fy) = (sx - f64::from(x0), sy - f64::from(y0));
            let p = |a: u32, b: u32| f64::from(img.get_pixel(a, b).0[0]);
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bot = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            top * (1.0 - fy) + bot * fy
        };
        // paper a little grey, ink not quite black, noise
        let g = 20.0 + g * (235.0 / 255.0) + (rng.next() - 0.5) * 16.0;
        Luma([g.clamp(0.0, 255.0) as u8])
    })
}

fn save_jpeg(img: &GrayImage, path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(f, 70);
    enc.encode_image(img).unwrap();
}

/// scans.csv as rows of (column → value), keyed by file name.
fn scans(out: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(out.join("scans.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: BTreeMap<String, String> = head
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            let file = Path::new(&row["file"])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (file, row)
        })
        .collect()
}

fn assert_read(row: &BTreeMap<String, String>, t: &Truth, what: &str) {
    assert_eq!(row["candidate"], t.candidate, "{what}: candidate number");
    assert_eq!(row["paper"], t.paper, "{what}: paper code");
    for (n, v) in &t.items {
        let got = &row[&n.to_string()];
        // every fifth item has an erased box; on a light-pencil sheet it may be sent to review,
        // never read as a mark
        if t.light && n % 5 == 0 && got == "?" {
            continue;
        }
        assert_eq!(got, v, "{what}: item {n}");
    }
}

/// The numbered items of a paper, the parts of a case in its place.
fn leaves(paper: &Value) -> impl Iterator<Item = &Value> {
    paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .flat_map(|it| match it["parts"].as_array() {
            Some(parts) if !parts.is_empty() => parts.iter().collect::<Vec<_>>(),
            _ => vec![it],
        })
}

#[test]
fn clear_marks_blanks_and_erased_residue_are_read_right_on_degraded_jpegs() {
    let ex = exam();
    let all = sheets(ex);
    // papers A and B print the cases in another order: a sheet each, pages 1 and 2
    assert_eq!(all.len(), 2);
    let d = tmp();
    let scans_dir = d.path().join("in");
    std::fs::create_dir_all(&scans_dir).unwrap();
    let mut truth = Vec::new();
    let turns = [
        (0.0, 1.0, 0.0, 0.0),
        (1.8, 1.02, 25.0, -20.0),
        (-2.0, 0.97, -30.0, 28.0),
        (0.7, 1.0, 10.0, 10.0),
    ];
    for (i, &(deg, sc, dx, dy)) in turns.iter().enumerate() {
        let k = i / 2;
        let l = &all[k];
        let mut img = raster_page(ex, 200, k as u32 + 1);
        let t = fill(&mut img, l, 200, 100 + i as u64, i % 2 == 1);
        assert_eq!(
            t.paper,
            ["A", "B"][k],
            "each sheet prints its own code only"
        );
        let img = degrade(&img, deg, sc, dx, dy, i as u64);
        let name = format!("s{i}.jpg");
        save_jpeg(&img, &scans_dir.join(&name));
        truth.push((name, t));
    }
    let out = d.path().join("out");
    scan_cmd(ex, &[&scans_dir], &out)
        .assert()
        .success()
        .stderr(predicate::str::contains("读入 4 张答题卡，拒收 0 张"));
    let rows = scans(&out);
    assert_eq!(rows.len(), 4);
    for (name, t) in &truth {
        assert_read(&rows[name], t, name);
    }
    // to review: at most the erased boxes of the light-pencil sheets
    let review = std::fs::read_to_string(out.join("review.csv")).unwrap();
    for line in review.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(
            (f[0].ends_with("s1.jpg") || f[0].ends_with("s3.jpg"))
                && f[2].parse::<u32>().is_ok_and(|n| n % 5 == 0),
            "only erasures on light sheets to review:\n{review}"
        );
    }
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    for line in sheets.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[1], "read");
        assert_eq!(f[3], "4", "four marks used: {line}");
        let resid: f64 = f[4].parse().unwrap();
        assert!(resid < 0.15, "residual {resid} mm: {line}");
    }
}

#[test]
fn upside_down_turned_and_300_dpi_sheets_are_registered() {
    let ex = exam();
    let l = layout(ex);
    let d = tmp();
    let dir = d.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let mut truth = Vec::new();
    let p200 = raster(ex, 200);
    let mut img = p200.clone();
    let t = fill(&mut img, &l, 200, 7, false);
    let img = image::imageops::rotate180(&degrade(&img, 1.0, 1.0, 5.0, 5.0, 1));
    img.save(dir.join("upside-down.png")).unwrap();
    truth.push(("upside-down.png", t, "180"));
    let mut img = p200;
    let t = fill(&mut img, &l, 200, 8, false);
    let img = image::imageops::rotate90(&degrade(&img, -1.0, 1.0, 0.0, 0.0, 2));
    save_jpeg(&img, &dir.join("sideways.jpg"));
    truth.push(("sideways.jpg", t, "90"));
    let mut img = raster(ex, 300);
    let t = fill(&mut img, &l, 300, 9, true);
    let img = degrade(&img, 1.5, 1.0, 12.0, -9.0, 3);
    img.save(dir.join("fine.tif")).unwrap();
    truth.push(("fine.tif", t, "0"));
    let out = d.path().join("out");
    scan_cmd(
        ex,
        &[
            &dir.join("upside-down.png"),
            &dir.join("sideways.jpg"),
            &dir.join("fine.tif"),
        ],
        &out,
    )
    .assert()
    .success();
    let rows = scans(&out);
    for (name, t, _) in &truth {
        assert_read(&rows[*name], t, name);
    }
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    let lines: Vec<Vec<&str>> = sheets
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    for ((_, _, turn), f) in truth.iter().zip(&lines) {
        assert_eq!(f[5], *turn, "turn: {f:?}");
    }
    assert_eq!(lines[2][6], "300", "dpi of the 300-dpi scan");
}

#[test]
fn a_sheet_of_another_exam_and_a_blank_page_are_rejected_with_the_reason() {
    let ex = exam();
    let other = tmp();
    examforge()
        .args(["make", "--seed", "8", "-o"])
        .arg(other.path())
        .assert()
        .success();
    let d = tmp();
    let mut img = raster(other.path(), 200);
    fill(&mut img, &layout(other.path()), 200, 1, false);
    save_jpeg(&img, &d.path().join("other.jpg"));
    GrayImage::from_pixel(1654, 2339, Luma([245]))
        .save(d.path().join("blank.png"))
        .unwrap();
    let out = d.path().join("out");
    scan_cmd(
        ex,
        &[&d.path().join("other.jpg"), &d.path().join("blank.png")],
        &out,
    )
    .assert()
    .code(3)
    .stderr(predicate::str::contains("拒收 2 张"));
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    assert!(sheets.contains("sheet of another exam"), "{sheets}");
    assert!(
        sheets.contains("corner marks not found (0 of 4"),
        "{sheets}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("scans.csv"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn a_doubtful_box_is_not_guessed_but_sent_to_review_with_a_crop() {
    let ex = exam();
    let l = layout(ex);
    let mut img = raster(ex, 200);
    let t = fill(&mut img, &l, 200, 11, false);
    // item 2: a grey smudge over a whole box, neither blank nor like the candidate's pencil
    let item2: Vec<&Value> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["item"] == 2)
        .collect();
    let free = item2
        .iter()
        .find(|b| !t.items[&2].contains(b["value"].as_str().unwrap()))
        .unwrap();
    let clean = img.clone();
    draw(&mut img, free, 200, Ink::Pencil(0.5, 1.0), &mut Rng(5));
    let d = tmp();
    img.save(d.path().join("doubt.png")).unwrap();
    let out = d.path().join("out");
    scan_cmd(ex, &[&d.path().join("doubt.png")], &out)
        .assert()
        .success();
    let rows = scans(&out);
    assert_eq!(rows["doubt.png"]["2"], "?");
    assert_eq!(rows["doubt.png"]["1"], t.items[&1]);
    let mut r = csv::Reader::from_path(out.join("review.csv")).unwrap();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(&recs[0][2], "2");
    assert_eq!(&recs[0][3], "doubtful mark");
    // what the reviewer is told the box looks like
    assert!(recs[0][7].ends_with(": light fill"), "{:?}", &recs[0]);
    let crop = image::open(out.join(&recs[0][6])).unwrap();
    assert!(crop.width() > 100 && crop.height() > 40);
    // named for the file, without the folder it was given in
    assert_eq!(&recs[0][6], "review/doubt_2e_png-2.png");

    // The sheet fed upside down: its crop shows the row upright, as the upright sheet's does
    // (the scan's own pixels turned back), not upside down.
    let turned_in = d.path().join("turned");
    std::fs::create_dir_all(&turned_in).unwrap();
    image::imageops::rotate180(&img)
        .save(turned_in.join("doubt.png"))
        .unwrap();
    let out3 = d.path().join("out3");
    scan_cmd(ex, &[&turned_in.join("doubt.png")], &out3)
        .assert()
        .success();
    let upright = crop.to_luma8();
    let turned = image::open(out3.join("review/doubt_2e_png-2.png"))
        .unwrap()
        .to_luma8();
    let (w, h) = (
        upright.width().min(turned.width()),
        upright.height().min(turned.height()),
    );
    assert!(w + 2 >= upright.width() && h + 2 >= upright.height());
    // mean grey difference, the best of the turned crop shifted a pixel either way
    let diff = |a: &image::GrayImage, b: &image::GrayImage| {
        let mut best = f64::MAX;
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let mut sum = 0u64;
            for y in 0..h - 1 {
                for x in 0..w - 1 {
                    sum += u64::from(
                        a.get_pixel(x, y).0[0].abs_diff(b.get_pixel(x + dx, y + dy).0[0]),
                    );
                }
            }
            best = best.min(sum as f64 / f64::from((w - 1) * (h - 1)));
        }
        best
    };
    let same_way = diff(&upright, &turned).min(diff(&turned, &upright));
    let flipped = image::imageops::rotate180(&turned);
    let other_way = diff(&upright, &flipped).min(diff(&flipped, &upright));
    assert!(
        same_way * 3.0 < other_way,
        "upright crop {same_way:.1} grey levels off, turned {other_way:.1}"
    );

    // Two scans of the sheet (a pixel apart: not one file twice) under one name in two folders
    // of one: each crop named for its own folder and file.
    for (sub, grey) in [("x", 255), ("y", 254)] {
        std::fs::create_dir_all(d.path().join("in").join(sub)).unwrap();
        let mut copy = img.clone();
        copy.put_pixel(0, 0, image::Luma([grey]));
        copy.save(d.path().join("in").join(sub).join("doubt.png"))
            .unwrap();
    }
    let out2 = d.path().join("out2");
    scan_cmd(ex, &[&d.path().join("in")], &out2)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(out2.join("review.csv")).unwrap();
    let mut crops: Vec<String> = r.records().map(|c| c.unwrap()[6].to_string()).collect();
    crops.sort();
    assert_eq!(
        crops,
        [
            "review/x_2f_doubt_2e_png-2.png",
            "review/y_2f_doubt_2e_png-2.png"
        ]
    );
    assert!(crops.iter().all(|c| out2.join(c).is_file()));

    // The sheet cleaned and scanned again with --force: the old crop does not stay behind.
    clean.save(d.path().join("doubt.png")).unwrap();
    scan_cmd(ex, &[&d.path().join("doubt.png")], &out)
        .arg("--force")
        .assert()
        .success();
    assert_eq!(scans(&out)["doubt.png"]["2"], t.items[&2]);
    let mut r = csv::Reader::from_path(out.join("review.csv")).unwrap();
    assert_eq!(r.records().count(), 0);
    assert!(!out.join(&recs[0][6]).exists(), "{} stayed", &recs[0][6]);
    assert!(!out.join("review").exists());
}

#[test]
fn scan_grade_scores_a_sheet_filled_with_the_key() {
    let ex = exam();
    let l = layout(ex);
    let mut img = raster(ex, 200);
    // candidate 12345678, paper A, every item answered as the key says
    let key = std::fs::read_to_string(ex.join("key.csv")).unwrap();
    let mut r = csv::Reader::from_reader(key.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (cp, cn, ca) = (col("paper"), col("number"), col("answer"));
    let mut rng = Rng(3);
    let mut choice_points = 0usize;
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[cp] != "A" {
            continue;
        }
        let n: u64 = rec[cn].parse().unwrap();
        for b in l["items"].as_array().unwrap() {
            if b["item"] == n && rec[ca].contains(b["value"].as_str().unwrap()) {
                draw(&mut img, b, 200, Ink::Pencil(0.8, 1.0), &mut rng);
                choice_points += 1;
            }
        }
    }
    assert!(choice_points > 40);
    for (c, digit) in "12345678".chars().enumerate() {
        let b = l["candidate"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["col"] == c as u64 && b["digit"] == u64::from(digit.to_digit(10).unwrap()))
            .unwrap();
        draw(&mut img, b, 200, Ink::Pencil(0.8, 1.0), &mut rng);
    }
    let a = l["paper"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["option"] == "A")
        .unwrap();
    draw(&mut img, a, 200, Ink::Pencil(0.8, 1.0), &mut rng);
    let d = tmp();
    save_jpeg(
        &degrade(&img, 0.5, 1.0, 3.0, 3.0, 9),
        &d.path().join("key.jpg"),
    );
    let out = d.path().join("out");
    scan_cmd(ex, &[&d.path().join("key.jpg")], &out)
        .arg("--grade")
        .assert()
        .success();
    let mut r = csv::Reader::from_path(out.join("results/results.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let get = |name: &str| rows[0][head.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(get("candidate"), "12345678");
    assert_eq!(get("paper"), "A");
    // every point of the items on the sheet
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(ex.join("exam.json")).unwrap()).unwrap();
    let a = m["papers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "A")
        .unwrap();
    let on_sheet: f64 = leaves(a)
        .filter(|it| ["single", "multiple", "judge"].contains(&it["kind"].as_str().unwrap()))
        .map(|it| it["points"].as_f64().unwrap())
        .sum();
    assert!(on_sheet >= 60.0);
    assert_eq!(get("score").parse::<f64>().unwrap(), on_sheet);

    // With the roster, scans.csv carries names and teams (team standings work after scanning)
    // and whoever has no sheet is absent (缺考).
    let roster = d.path().join("roster.csv");
    std::fs::write(
        &roster,
        "准考证号,姓名,单位\n12345678,张三,一队\n87654321,李四,二队\n",
    )
    .unwrap();
    let out = d.path().join("with-roster");
    scan_cmd(ex, &[&d.path().join("key.jpg")], &out)
        .arg("--grade")
        .arg("--roster")
        .arg(&roster)
        .assert()
        .success();
    let scans = std::fs::read_to_string(out.join("scans.csv")).unwrap();
    assert!(
        scans.starts_with("file,candidate,name,team,paper,1,")
            && scans.contains(",12345678,张三,一队,A,"),
        "{scans}"
    );
    let mut r = csv::Reader::from_path(out.join("results/results.csv")).unwrap();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(&rows[0][..3], ["12345678", "张三", "一队"]);
    assert_eq!(
        (&*rows[1][0], &*rows[1][4], rows[1].last().unwrap().as_str()),
        ("87654321", "", "absent")
    );
}

#[test]
fn layout_boxes_have_ink_borders_and_paper_interiors_on_the_rendered_page() {
    let ex = exam();
    let l = layout(ex);
    let dpi = 300;
    let page = raster(ex, dpi);
    let s = f64::from(dpi) / 25.4;
    let px = |mm: f64| (mm * s).round() as u32;
    let mut checked = 0;
    // the sheet of paper A prints its one code box filled in
    let code = &l["paper"].as_array().unwrap()[..];
    assert_eq!(code.len(), 1);
    let c = &code[0];
    let centre = page
        .get_pixel(
            px(c["x"].as_f64().unwrap() + 1.0),
            px(c["y"].as_f64().unwrap() + 1.0),
        )
        .0[0];
    assert!(centre < 60, "the paper code is pre-marked: {centre}");
    for kind in ["candidate", "items"] {
        for b in l[kind].as_array().unwrap() {
            let (x, y, w, h) = (
                b["x"].as_f64().unwrap(),
                b["y"].as_f64().unwrap(),
                b["w"].as_f64().unwrap(),
                b["h"].as_f64().unwrap(),
            );
            // the darkest pixel across each border line (left edge, at mid-height) is ink
            let edge = (px(x) - 2..=px(x) + 2)
                .map(|xx| page.get_pixel(xx, px(y + h / 2.0)).0[0])
                .min()
                .unwrap();
            assert!(edge < 200, "{kind} {b}: left border {edge}");
            let top = (px(y) - 2..=px(y) + 2)
                .map(|yy| page.get_pixel(px(x + w / 4.0), yy).0[0])
                .min()
                .unwrap();
            assert!(top < 200, "{kind} {b}: top border {top}");
            // just inside the corners the box is paper
            for (cx, cy) in [(x + 0.5, y + 0.5), (x + w - 0.5, y + h - 0.5)] {
                let v = page.get_pixel(px(cx), px(cy)).0[0];
                assert!(v > 240, "{kind} {b}: interior {v}");
            }
            checked += 1;
        }
    }
    assert!(checked > 200);
    // corner marks: solid black, the top-left one with a white hole, all ≥ 12 mm from the edges
    for c in l["corners"].as_array().unwrap() {
        let (x, y, w) = (
            c["x"].as_f64().unwrap(),
            c["y"].as_f64().unwrap(),
            c["w"].as_f64().unwrap(),
        );
        assert!(x >= 12.0 - 1e-6 && y >= 12.0 - 1e-6);
        assert!(x + w <= 198.0 + 1e-6 && y + w <= 285.0 + 1e-6);
        let centre = page.get_pixel(px(x + w / 2.0), px(y + w / 2.0)).0[0];
        let ring = page.get_pixel(px(x + 0.8), px(y + w / 2.0)).0[0];
        assert!(ring < 60, "{c}: ring");
        if c["corner"] == "tl" {
            assert!(centre > 200, "the top-left mark has a hole");
        } else {
            assert!(centre < 60, "{c}: solid");
        }
    }
    // boxes at least 1.5 mm apart
    let items = l["items"].as_array().unwrap();
    for (a, b) in items.iter().zip(items.iter().skip(1)) {
        if a["item"] == b["item"] {
            let gap =
                b["x"].as_f64().unwrap() - a["x"].as_f64().unwrap() - a["w"].as_f64().unwrap();
            assert!(gap >= 1.5 - 1e-6, "gap {gap} between {a} and {b}");
        }
    }
}

/// The printed note of items answered on the paper, from the text of sheet.pdf's page `page`.
fn sheet_text(exam: &Path, page: u32) -> String {
    let page = page.to_string();
    let out = std::process::Command::new("pdftotext")
        .args(["-f", &page, "-l", &page, "-layout"])
        .arg(exam.join("sheet.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext is installed (poppler-utils)");
    String::from_utf8(out.stdout).unwrap()
}

/// "51–57、62" of the numbers.
fn runs(numbers: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &n in numbers {
        match runs.last_mut() {
            Some((_, e)) if *e + 1 == n => *e = n,
            _ => runs.push((n, n)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[test]
fn every_sheet_agrees_with_its_papers_item_by_item() {
    let ex = exam();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(ex.join("exam.json")).unwrap()).unwrap();
    let papers = m["papers"].as_array().unwrap();
    let all = sheets(ex);
    let mut served = Vec::new();
    for (k, l) in all.iter().enumerate() {
        let codes: Vec<&str> = l["papers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        // the paper-code boxes are the codes the sheet serves
        let printed: Vec<&str> = l["paper"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["option"].as_str().unwrap())
            .collect();
        assert_eq!(printed, codes);
        let mut boxes: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for b in l["items"].as_array().unwrap() {
            boxes
                .entry(b["item"].as_u64().unwrap())
                .or_default()
                .push(b["option"].as_str().unwrap().to_string());
        }
        for code in &codes {
            served.push(code.to_string());
            let p = papers.iter().find(|p| p["code"] == *code).unwrap();
            let mut on_paper = Vec::new();
            for it in leaves(p) {
                let n = it["number"].as_u64().unwrap();
                let got = boxes.get(&n).cloned().unwrap_or_default();
                match it["kind"].as_str().unwrap() {
                    "judge" => assert_eq!(got, ["√", "×"], "paper {code} item {n}"),
                    "single" | "multiple" => {
                        let k = it["options"].as_array().unwrap().len();
                        assert!(got.len() >= k, "paper {code} item {n}: {got:?}");
                        assert!(
                            got.iter()
                                .enumerate()
                                .all(|(i, o)| *o == ((b'A' + i as u8) as char).to_string()),
                            "paper {code} item {n}: letters only, {got:?}"
                        );
                    }
                    _ => {
                        assert!(got.is_empty(), "paper {code} item {n} has boxes {got:?}");
                        on_paper.push(n);
                    }
                }
            }
            // the sheet's note lists every item answered on the paper, case parts too
            let note = format!("第 {} 题在试卷上作答", runs(&on_paper));
            let text = sheet_text(ex, k as u32 + 1);
            assert!(text.contains(&note), "sheet {k} lacks `{note}`:\n{text}");
        }
    }
    assert_eq!(served, ["A", "B"], "every paper has its sheet, once");
    // the two sheets differ where the cases are swapped, so they carry different identifiers
    assert_ne!(all[0]["code"]["id"], all[1]["code"]["id"]);
    assert_ne!(all[0]["items"], all[1]["items"]);
}

#[test]
fn per_candidate_sheets_read_their_pre_marked_candidate_numbers() {
    let d = tmp();
    let roster = std::fs::read_to_string(super::root().join("question-banks/roster.csv")).unwrap();
    let few: Vec<&str> = roster.lines().take(4).collect();
    let path = d.path().join("roster.csv");
    std::fs::write(&path, few.join("\n") + "\n").unwrap();
    let ex = d.path().join("ex");
    examforge()
        .args(["make", "--seed", "8", "--no-split", "--roster"])
        .arg(&path)
        .arg("-o")
        .arg(&ex)
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(ex.join("exam.json")).unwrap()).unwrap();
    let all = sheets(&ex);
    let scans_dir = d.path().join("in");
    std::fs::create_dir_all(&scans_dir).unwrap();
    let mut truth = BTreeMap::new();
    let mut rng = Rng(5);
    // one page per candidate, in roster order, each on the sheet of the candidate's paper
    for (i, p) in m["papers"].as_array().unwrap().iter().enumerate() {
        let id = p["code"].as_str().unwrap();
        assert_eq!(p["candidate"]["id"], id);
        let l = all
            .iter()
            .find(|s| s["papers"].as_array().unwrap().iter().any(|c| c == id))
            .unwrap();
        assert!(l["paper"].as_array().unwrap().is_empty());
        for it in leaves(p) {
            let n = it["number"].as_u64().unwrap();
            let boxes: Vec<&str> = l["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["item"] == n)
                .map(|b| b["option"].as_str().unwrap())
                .collect();
            match it["kind"].as_str().unwrap() {
                "judge" => assert_eq!(boxes, ["√", "×"], "{id} item {n}"),
                "single" | "multiple" => assert!(
                    boxes.len() >= it["options"].as_array().unwrap().len()
                        && boxes
                            .iter()
                            .all(|b| b.len() == 1 && b.as_bytes()[0].is_ascii_uppercase()),
                    "{id} item {n}: {boxes:?}"
                ),
                _ => assert!(boxes.is_empty(), "{id} item {n}: {boxes:?}"),
            }
        }
        // the candidate writes nothing of the number: only answers, the first box of each item
        let mut img = raster_page(&ex, 200, i as u32 + 1);
        let mut items = BTreeMap::new();
        for b in l["items"].as_array().unwrap() {
            let n = b["item"].as_u64().unwrap();
            if let std::collections::btree_map::Entry::Vacant(e) = items.entry(n) {
                draw(&mut img, b, 200, Ink::Pencil(0.8, 1.0), &mut rng);
                e.insert(b["value"].as_str().unwrap().to_string());
            }
        }
        let name = format!("c{i}.jpg");
        save_jpeg(
            &degrade(&img, 0.6, 1.0, 4.0, -3.0, i as u64),
            &scans_dir.join(&name),
        );
        truth.insert(name, (id.to_string(), items));
    }
    let out = d.path().join("out");
    scan_cmd(&ex, &[&scans_dir], &out)
        .assert()
        .success()
        .stderr(predicate::str::contains("读入 3 张答题卡，拒收 0 张"));
    let rows = scans(&out);
    for (name, (id, items)) in &truth {
        let row = &rows[name];
        assert_eq!(&row["candidate"], id, "{name}: the pre-marked number");
        for (n, v) in items {
            assert_eq!(&row[&n.to_string()], v, "{name}: item {n}");
        }
    }
}

#[test]
fn a_hundred_items_fit_one_page_and_are_read_from_an_image_only_pdf() {
    let d = tmp();
    let banks = super::root().join("question-banks");
    let bp = d.path().join("hundred.toml");
    let list = ["xzcf.toml", "hjbh-dq.toml", "gf-jsxm.toml"]
        .map(|b| format!("{:?}", banks.join(b).display().to_string()))
        .join(", ");
    std::fs::write(
        &bp,
        format!(
            "[exam]\ntitle = \"一百题\"\nbanks = [{list}]\n\n[draw]\nvariants = 2\n\n\
             [[section]]\nkind = \"single\"\ncount = 60\npoints = 1\n\n\
             [[section]]\nkind = \"multiple\"\ncount = 20\npoints = 1\n\n\
             [[section]]\nkind = \"judge\"\ncount = 20\npoints = 1\n"
        ),
    )
    .unwrap();
    let ex = d.path().join("exam");
    examforge()
        .arg("make")
        .arg(&bp)
        .args(["--seed", "3", "-o"])
        .arg(&ex)
        .assert()
        .success();
    let info = std::process::Command::new("pdfinfo")
        .arg(ex.join("sheet.pdf"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&info.stdout).contains("Pages:           1"),
        "one page"
    );
    let l = layout(&ex);
    let rows: std::collections::BTreeSet<u64> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["item"].as_u64().unwrap())
        .collect();
    assert_eq!(rows.len(), 100);
    let mut img = raster(&ex, 200);
    let t = fill(&mut img, &l, 200, 21, false);
    let img = degrade(&img, -1.2, 1.01, 8.0, 4.0, 5);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70)
        .encode_image(&img)
        .unwrap();
    let pdf = d.path().join("batch.pdf");
    image_pdf(&[jpeg.clone(), jpeg], img.width(), img.height(), &pdf);
    let out = d.path().join("out");
    scan_cmd(&ex, &[&pdf], &out)
        .assert()
        .success()
        .stderr(predicate::str::contains("读入 2 张答题卡，拒收 0 张"));
    let mut r = csv::Reader::from_path(out.join("scans.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 2);
    assert!(recs[1][0].ends_with("batch.pdf#2"), "{:?}", &recs[1][0]);
    for rec in &recs {
        let row: BTreeMap<String, String> = head
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        assert_read(&row, &t, "pdf page");
    }
}

/// A PDF of one JPEG per page, as scanners write them.
fn image_pdf(pages: &[Vec<u8>], w: u32, h: u32, path: &Path) {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for jpeg in pages {
        let img = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => i64::from(w), "Height" => i64::from(h),
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg.clone(),
        ));
        let (pw, ph) = (595.0f32, 842.0f32);
        let content = doc.add_object(Stream::new(
            dictionary! {},
            format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q").into_bytes(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(pw), Object::Real(ph)],
            "Contents" => content,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
        });
        kids.push(Object::Reference(page));
    }
    let n = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save(path).unwrap();
}

#[test]
fn a_sheet_with_a_corner_mark_cut_off_is_read_from_the_other_three() {
    let ex = exam();
    let l = layout(ex);
    let d = tmp();
    let mut truth = Vec::new();
    for (i, (gone, turned)) in [("br", false), ("tl", true)].into_iter().enumerate() {
        let mut img = raster(ex, 200);
        let t = fill(&mut img, &l, 200, 40 + i as u64, false);
        let c = l["corners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["corner"] == gone)
            .unwrap();
        let s = 200.0 / 25.4;
        let (x, y, w) = (
            c["x"].as_f64().unwrap(),
            c["y"].as_f64().unwrap(),
            c["w"].as_f64().unwrap(),
        );
        for py in ((y - 1.0) * s) as u32..((y + w + 1.0) * s) as u32 {
            for px in ((x - 1.0) * s) as u32..((x + w + 1.0) * s) as u32 {
                img.put_pixel(px, py, Luma([255]));
            }
        }
        let mut img = degrade(&img, 0.8, 1.0, 4.0, -6.0, i as u64);
        if turned {
            img = image::imageops::rotate180(&img);
        }
        let name = format!("cut-{gone}.png");
        img.save(d.path().join(&name)).unwrap();
        truth.push((name, t));
    }
    let out = d.path().join("out");
    scan_cmd(ex, &[&d.path()], &out).assert().success();
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    assert!(!sheets.contains("rejected"), "{sheets}");
    let rows = scans(&out);
    for (name, t) in &truth {
        assert_read(&rows[name], t, name);
    }
    let lines: Vec<Vec<&str>> = sheets
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(lines.len(), 2);
    for f in &lines {
        assert_eq!(f[3], "3", "three marks used: {f:?}");
    }
    assert_eq!(lines[0][5], "0", "cut-br upright");
    assert_eq!(lines[1][5], "180", "cut-tl upside down");
}

/// The sheet thresholded to black and white and encoded CCITT G4 (rows of `w` pixels).
fn g4(img: &GrayImage) -> Vec<u8> {
    use fax::{encoder::Encoder, Color, VecWriter};
    let (w, h) = img.dimensions();
    let mut enc = Encoder::new(VecWriter::new());
    for y in 0..h {
        let row = (0..w).map(|x| {
            if img.get_pixel(x, y).0[0] < 140 {
                Color::Black
            } else {
                Color::White
            }
        });
        enc.encode_line(row, w as u16).unwrap();
    }
    enc.finish().unwrap().finish()
}

#[test]
fn a_multi_page_tiff_is_read_page_by_page_and_1_bit_ccitt_tiffs_and_pdfs_are_read() {
    let ex = exam();
    let l = layout(ex);
    let d = tmp();
    let mut truths = Vec::new();
    let mut pages = Vec::new();
    for seed in 0..3 {
        let mut img = raster(ex, 200);
        truths.push(fill(&mut img, &l, 200, 60 + seed, false));
        pages.push(degrade(&img, 0.6, 1.0, 5.0, 3.0, seed));
    }
    // three grey pages in one TIFF
    let f = std::fs::File::create(d.path().join("batch.tif")).unwrap();
    let mut tif = tiff::encoder::TiffEncoder::new(f).unwrap();
    for p in &pages {
        tif.write_image::<tiff::encoder::colortype::Gray8>(p.width(), p.height(), p.as_raw())
            .unwrap();
    }
    drop(tif);
    // the first page as a fax machine or an office scanner's default sends it: 1-bit, G4
    let (w, h) = pages[0].dimensions();
    let data = g4(&pages[0]);
    std::fs::write(d.path().join("g4.tif"), fax::tiff::wrap(&data, w, h)).unwrap();
    {
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let img = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => i64::from(w), "Height" => i64::from(h),
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1,
                "Filter" => "CCITTFaxDecode",
                "DecodeParms" => dictionary! { "K" => -1, "Columns" => i64::from(w), "Rows" => i64::from(h) },
            },
            data,
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc.save(d.path().join("fax.pdf")).unwrap();
    }
    let out = d.path().join("out");
    scan_cmd(ex, &[&d.path()], &out)
        .assert()
        .success()
        .stderr(predicate::str::contains("读入 5 张答题卡，拒收 0 张"));
    let rows = scans(&out);
    for (i, t) in truths.iter().enumerate() {
        assert_read(&rows[&format!("batch.tif#{}", i + 1)], t, "TIFF page");
    }
    // on a 1-bit scan a pencil mark lighter than the threshold is lost: an unanswered item is
    // sent to review, never read blank, and the sheet says why
    let one_bit = Truth {
        candidate: truths[0].candidate.clone(),
        paper: truths[0].paper.clone(),
        items: truths[0]
            .items
            .iter()
            .map(|(n, v)| (*n, if v.is_empty() { "?".into() } else { v.clone() }))
            .collect(),
        light: truths[0].light,
    };
    assert!(truths[0].items.values().any(String::is_empty));
    let review = std::fs::read_to_string(out.join("review.csv")).unwrap();
    for (file, what) in [("g4.tif", "G4 TIFF"), ("fax.pdf", "CCITT PDF")] {
        let row = &rows[file];
        assert_eq!(
            row["candidate"], one_bit.candidate,
            "{what}: candidate number"
        );
        assert_eq!(row["paper"], one_bit.paper, "{what}: paper code");
        // a 1-bit page keeps no grey: a box whose print came out darker than its letter's blank
        // boxes may carry a light mark the threshold wiped, so its item goes to review (with the
        // reason in review.csv); an item is never read as something it is not
        let mut read = 0;
        for (n, v) in &one_bit.items {
            let got = &row[&n.to_string()];
            if got == "?" {
                assert!(
                    review
                        .lines()
                        .any(|l| l.contains(&format!("{file},")) && l.contains(&format!(",{n},"))),
                    "{what}: item {n} flagged without a review row\n{review}"
                );
            } else {
                assert_eq!(got, v, "{what}: item {n}");
                read += 1;
            }
        }
        let marked = one_bit.items.values().filter(|v| *v != "?").count();
        assert!(
            2 * read >= marked,
            "{what}: only {read} of {marked} answered items read"
        );
    }
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    for line in sheets.lines().skip(1) {
        let one_bit = line.contains("g4.tif,") || line.contains("fax.pdf,");
        assert_eq!(line.contains("1-bit scan"), one_bit, "{line}");
    }
    assert!(
        review
            .lines()
            .any(|l| l.contains("g4.tif,") && l.contains(",no mark,")),
        "{review}"
    );
}

#[test]
fn a_cut_jpeg_is_refused_by_name_a_repeated_file_reported_and_other_files_warned() {
    let ex = exam();
    let l = layout(ex);
    let d = tmp();
    let jpeg = |seed: u64| {
        let mut img = raster(ex, 200);
        let t = fill(&mut img, &l, 200, seed, false);
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
            .encode_image(&img)
            .unwrap();
        (t, bytes, img)
    };
    let (t1, b1, _) = jpeg(70);
    let (t2, b2, _) = jpeg(71);
    let (t3, _, img3) = jpeg(72);
    std::fs::write(d.path().join("a.jpg"), &b1).unwrap();
    std::fs::write(d.path().join("b-copy.jpg"), &b1).unwrap();
    std::fs::write(d.path().join("c.jfif"), &b2).unwrap();
    std::fs::write(d.path().join("d-cut.jpg"), &b2[..b2.len() * 98 / 100]).unwrap();
    // a PNG without an extension, as some scanners name their files
    img3.save_with_format(d.path().join("e"), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.path().join("notes.txt"), "scanned on Monday").unwrap();
    let out = d.path().join("out");
    scan_cmd(ex, &[&d.path()], &out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("读入 3 张答题卡，拒收 1 张"))
        .stderr(predicate::str::contains(
            "notes.txt`：既不是本程序能解码的图片（JPEG、PNG、TIFF、BMP、WebP），也不是 PDF",
        ))
        .stderr(
            predicate::str::contains("b-copy.jpg` 与 `")
                .and(predicate::str::contains("a.jpg` 是同一个文件：只读一次")),
        );
    let rows = scans(&out);
    assert_read(&rows["a.jpg"], &t1, "a.jpg");
    assert_read(&rows["c.jfif"], &t2, ".jfif");
    assert_read(&rows["e"], &t3, "no extension");
    assert!(!rows.contains_key("b-copy.jpg"));
    let sheets = std::fs::read_to_string(out.join("sheets.csv")).unwrap();
    let line = |name: &str| {
        sheets
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} in {sheets}"))
            .to_string()
    };
    assert!(line("d-cut.jpg").contains("rejected"), "{sheets}");
    assert!(line("d-cut.jpg").contains("cut short"), "{sheets}");
    assert!(line("b-copy.jpg").contains("repeated"), "{sheets}");
}

//! `examforge scan`: scanned answer sheets (images, image-only PDFs) → scans.csv that `grade` reads,
//! review.csv with a crop of every doubtful cell, sheets.csv with every page's outcome.

use crate::cli::ScanArgs;
use crate::error::ExitCode;
use crate::input::diagnostic::{guess_suffix, Lang};
use crate::io::output::OutputSet;
use crate::io::pages::{self, Page};
use crate::render::layout::{sheet_code, Rect, SheetLayout, SheetSet, LAYOUT_FILE};
use crate::scan::{self, Cell, Picture, Reader, Rejection, SheetRead, Verdict};
use crate::score::grade::Roster;
use crate::Error;
use image::{DynamicImage, GrayImage, ImageFormat, Rgb, RgbImage};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

const SCANS: &str = "scans.csv";
const REVIEW: &str = "review.csv";
const SHEETS: &str = "sheets.csv";
/// Pixels per mm of annotated pages and review crops (150 dpi: a tick, a faint fill or an
/// erasure is plain to see): a crop cut from the scan's own pixels has about as many
/// ([`Reader::picture`]), one resampled upright exactly as many.
const PICTURE_PX_MM: f64 = 6.0;

/// Runs `scan`.
pub fn run(a: &ScanArgs) -> Result<ExitCode, Error> {
    let out = OutputSet::new(&a.out.output, a.out.force, "scan");
    let mut names = vec![SCANS, REVIEW, SHEETS, "review"];
    if a.grade {
        names.push("results");
    }
    if a.annotate {
        names.push("annotated");
    }
    out.check_free(&names)?;
    let manifest = super::manifest::read(&a.exam)?;
    let layout_path = a
        .sheet_layout
        .clone()
        .unwrap_or_else(|| a.exam.parent().unwrap_or(Path::new(".")).join(LAYOUT_FILE));
    let set = read_layout(&layout_path)?;
    let dir = layout_path.parent().unwrap_or(Path::new("."));
    let mut sheets = Vec::new();
    for (k, layout) in set.sheets.into_iter().enumerate() {
        let expected = format!("{:08x}", sheet_code(&manifest, k));
        if layout.code.id != expected {
            return Err(Error::input(
                format!(
                    "{}: this layout belongs to another exam (identifier {}, {} has {expected})",
                    layout_path.display(),
                    layout.code.id,
                    a.exam.display()
                ),
                "render the exam again (`examforge render EXAM.json`) and give the sheet.layout.json written beside its sheet.pdf",
            ));
        }
        sheets.push(layout);
    }
    let readers = readers(sheets, dir)?;
    if readers.is_empty() {
        return Err(Error::input(
            format!("{}: the layout lists no sheet", layout_path.display()),
            "render the exam again (`examforge render EXAM.json`) and give the sheet.layout.json written beside its sheet.pdf",
        ));
    }
    let listing = pages::list(&a.paths)?;
    let lang = Lang::from(manifest.language);
    let zh = lang == Lang::Zh;
    for p in &listing.skipped {
        if zh {
            eprintln!(
                "warning: 跳过 `{}`：既不是本程序能解码的图片（JPEG、PNG、TIFF、BMP、WebP），也不是 PDF",
                p.display()
            );
        } else {
            eprintln!(
                "warning: skipped `{}`: neither an image this program decodes (JPEG, PNG, TIFF, BMP, WebP) nor a PDF",
                p.display()
            );
        }
    }
    for (p, first) in &listing.repeated {
        if zh {
            eprintln!(
                "warning: `{}` 与 `{}` 是同一个文件：只读一次",
                p.display(),
                first.display()
            );
        } else {
            eprintln!(
                "warning: `{}` is the same file as `{}`: read once",
                p.display(),
                first.display()
            );
        }
    }
    let inputs = &listing.files;
    if inputs.is_empty() {
        return Err(Error::input(
            "no scans found",
            "give image files (JPEG, PNG, TIFF, BMP, WebP), image-only PDFs, or folders holding them",
        ));
    }
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let roster = match &a.roster {
        Some(p) => Some(Roster::new(super::draw::read_roster(p)?)),
        None => None,
    };
    let summary = scan_all(&readers, &listing, jobs, &out, a.annotate, roster.as_ref())?;
    for (file, id) in &summary.strangers {
        let near = guess_suffix(
            roster.as_ref().and_then(|r| r.suggestion(id)).as_deref(),
            lang,
        );
        if zh {
            eprintln!("warning: {file}：考号 `{id}` 不在考生名单上{near}：姓名和单位留空");
        } else {
            eprintln!(
                "warning: {file}: candidate `{id}` is not on the roster{near}: its name and team are left blank"
            );
        }
    }
    out.commit()?;
    let (read, rejected, warned, doubts) = (
        summary.read,
        summary.rejected,
        summary.warned,
        summary.doubts,
    );
    let (review, scans) = (out.path(REVIEW), out.path(SCANS));
    let (review, scans) = (review.display(), scans.display());
    if zh {
        eprintln!("读入 {read} 张答题卡，拒收 {rejected} 张，{warned} 张有警告；{doubts} 处待复核（{review}）；已写出 {scans}");
    } else {
        eprintln!("read {read} sheet(s), rejected {rejected}, {warned} with a warning; {doubts} cell(s) to review ({review}); wrote {scans}");
    }
    let mut status = if summary.rejected > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Success
    };
    if a.grade {
        let job = super::grade::Job {
            exam: a.exam.clone(),
            answers: out.path(SCANS),
            csv_layout: None,
            rules: a.rules.clone(),
            manual: a.manual.clone(),
            appeals: None,
            roster: a.roster.clone(),
            tolerance: Vec::new(),
            output: out.path("results"),
            force: a.out.force,
            report: false,
        };
        status = status.max(super::grade::grade(&job)?);
    }
    Ok(status)
}

const BLANK_HINT: &str = "`render` writes the blank of every sheet (sheet.blank.png, or sheet-1.blank.png, …) beside sheet.layout.json; render the exam again";

/// A sheet's reader, made from its blank (a page-sized PNG) the first time a page needs it: a
/// run whose scans are all of one sheet decodes one blank.
struct SheetReader {
    layout: SheetLayout,
    blank: PathBuf,
    reader: OnceLock<Result<Reader, String>>,
}

impl SheetReader {
    fn get(&self) -> Result<&Reader, Error> {
        self.reader
            .get_or_init(|| {
                let blank = pages::open_grey(&self.blank).map_err(|e| e.to_string())?;
                Ok(Reader::new(self.layout.clone(), &blank))
            })
            .as_ref()
            .map_err(|e| {
                Error::input(
                    format!("cannot read `{}`: {e}", self.blank.display()),
                    BLANK_HINT,
                )
            })
    }
}

/// A reader for each sheet, from its blank beside the layout: the first sheet's made now, the
/// others' when a page of theirs comes; every blank's header is read now, so a missing or
/// foreign file is told before any page is read.
fn readers(sheets: Vec<SheetLayout>, dir: &Path) -> Result<Vec<SheetReader>, Error> {
    let readers: Vec<SheetReader> = sheets
        .into_iter()
        .map(|layout| SheetReader {
            blank: dir.join(&layout.blank),
            layout,
            reader: OnceLock::new(),
        })
        .collect();
    for (k, r) in readers.iter().enumerate() {
        if k == 0 {
            r.get()?;
            continue;
        }
        image::ImageReader::open(&r.blank)
            .and_then(|i| i.with_guessed_format())
            .map_err(image::ImageError::IoError)
            .and_then(|i| i.into_dimensions())
            .map_err(|e| {
                Error::input(
                    format!("cannot read `{}`: {e}", r.blank.display()),
                    BLANK_HINT,
                )
            })?;
    }
    Ok(readers)
}

fn read_layout(path: &Path) -> Result<SheetSet, Error> {
    let text = crate::io::read::text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::json(
            path,
            "a sheet layout (`{\"sheets\": [...]}`)",
            "give the sheet.layout.json that `examforge render` wrote beside sheet.pdf",
            e,
        )
    })
}

struct Outcome {
    name: String,
    result: Result<SheetRead, String>,
    crops: Vec<String>,
    /// A sheet's blank that could not be read when this page needed it: the run fails.
    fatal: Option<Error>,
}

#[derive(Default)]
struct Summary {
    read: usize,
    rejected: usize,
    warned: usize,
    doubts: usize,
    /// Sheets (file, candidate id) whose candidate is not on the roster.
    strangers: Vec<(String, String)>,
}

fn scan_all(
    readers: &[SheetReader],
    listing: &pages::Listing,
    jobs: usize,
    out: &OutputSet,
    annotate: bool,
    roster: Option<&Roster>,
) -> Result<Summary, Error> {
    let inputs = &listing.files;
    let folder = common_folder(inputs);
    let folder = folder.as_str();
    let bar = ProgressBar::new(inputs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading {pos}/{len} {wide_bar} {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Page)>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Outcome)>();
    // every number on any sheet, in order
    let items: Vec<u32> = readers
        .iter()
        .flat_map(|r| r.layout.item_groups().into_iter().map(|(n, _)| n))
        .collect::<std::collections::BTreeSet<u32>>()
        .into_iter()
        .collect();
    let mut scans = crate::input::table::Writer::new(Vec::new());
    let mut review = crate::input::table::Writer::new(Vec::new());
    let mut sheets = crate::input::table::Writer::new(Vec::new());
    let mut head = vec!["file".to_string(), "candidate".into()];
    if roster.is_some() {
        head.extend(["name".into(), "team".into()]);
    }
    head.push("paper".into());
    head.extend(items.iter().map(|n| n.to_string()));
    let csv_err = |e: csv::Error| Error::Write {
        path: out.path(SCANS),
        source: std::io::Error::other(e),
    };
    scans.write_record(&head).map_err(csv_err)?;
    review
        .write_record([
            "file",
            "candidate",
            "field",
            "reason",
            "boxes",
            "threshold",
            "crop",
            "seen",
        ])
        .map_err(csv_err)?;
    sheets
        .write_record([
            "file",
            "status",
            "reason",
            "marks",
            "residual_mm",
            "turned",
            "dpi",
            "threshold",
            "to_review",
            "warnings",
        ])
        .map_err(csv_err)?;
    let mut summary = Summary::default();
    for (p, first) in &listing.repeated {
        let why = format!("the same file as {} (read once)", first.display());
        let name = p.display().to_string();
        sheets
            .write_record([name.as_str(), "repeated", &why, "", "", "", "", "", "", ""])
            .map_err(csv_err)?;
    }
    let mut write_err: Option<Error> = None;
    let mut fatal: Option<Error> = None;
    std::thread::scope(|s| {
        let bar = &bar;
        s.spawn(move || {
            let pages = inputs.iter().flat_map(|p| pages::pages(p));
            for (i, w) in pages.enumerate() {
                if i >= inputs.len() {
                    bar.inc_length(1);
                }
                if work_tx.send((i, w)).is_err() {
                    return;
                }
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || loop {
                let next = work_rx.lock().ok().and_then(|rx| rx.recv().ok());
                let Some((i, w)) = next else {
                    return;
                };
                let o = process(readers, w, out, annotate, folder);
                if done_tx.send((i, o)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // write in input order; only the few sheets finished out of order wait here
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut next = 0usize;
        for (i, mut o) in done_rx {
            if let Some(e) = o.fatal.take() {
                fatal.get_or_insert(e);
                continue;
            }
            pending.insert(i, o);
            while let Some(o) = pending.remove(&next) {
                next += 1;
                bar.inc(1);
                if let Err(e) = record(
                    &o,
                    &items,
                    roster,
                    &mut scans,
                    &mut review,
                    &mut sheets,
                    &mut summary,
                ) {
                    write_err.get_or_insert(csv_err(e));
                }
            }
        }
    });
    bar.finish_and_clear();
    if let Some(e) = fatal.or(write_err) {
        return Err(e);
    }
    let bytes = |w: crate::input::table::Writer<Vec<u8>>| w.into_inner().unwrap_or_default();
    out.write(SCANS, &bytes(scans))?;
    out.write(REVIEW, &bytes(review))?;
    out.write(SHEETS, &bytes(sheets))?;
    Ok(summary)
}

fn record(
    o: &Outcome,
    items: &[u32],
    roster: Option<&Roster>,
    scans: &mut crate::input::table::Writer<Vec<u8>>,
    review: &mut crate::input::table::Writer<Vec<u8>>,
    sheets: &mut crate::input::table::Writer<Vec<u8>>,
    summary: &mut Summary,
) -> Result<(), csv::Error> {
    match &o.result {
        Err(reason) => {
            summary.rejected += 1;
            sheets.write_record([
                o.name.as_str(),
                "rejected",
                reason,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ])?;
        }
        Ok(r) => {
            summary.read += 1;
            summary.doubts += r.doubts.len();
            summary.warned += usize::from(!r.warnings.is_empty());
            let mut row = vec![o.name.clone(), r.candidate.clone()];
            if let Some(roster) = roster {
                match roster.get(r.candidate.trim()) {
                    Some(c) => row.extend([c.name.clone(), c.team.clone()]),
                    None => {
                        summary
                            .strangers
                            .push((o.name.clone(), r.candidate.trim().to_string()));
                        row.extend([String::new(), String::new()]);
                    }
                }
            }
            row.push(cell_text(&r.paper));
            let by_item: BTreeMap<u32, &Cell> = r.items.iter().map(|(n, c)| (*n, c)).collect();
            row.extend(
                items
                    .iter()
                    .map(|n| by_item.get(n).map_or(String::new(), |c| cell_text(c))),
            );
            scans.write_record(&row)?;
            for (d, crop) in r.doubts.iter().zip(&o.crops) {
                let boxes = d
                    .boxes
                    .iter()
                    .map(|(v, s, _)| format!("{v}:{s:.2}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let seen = d
                    .boxes
                    .iter()
                    .map(|(v, _, style)| format!("{v}: {}", style.name()))
                    .collect::<Vec<_>>()
                    .join("; ");
                review.write_record([
                    o.name.as_str(),
                    &r.candidate,
                    &d.field,
                    d.reason,
                    &boxes,
                    &format!("{:.2}", r.threshold),
                    crop,
                    &seen,
                ])?;
            }
            sheets.write_record([
                o.name.as_str(),
                "read",
                "",
                &r.marks.to_string(),
                &format!("{:.3}", r.residual_mm),
                &r.turned.to_string(),
                &format!("{:.0}", r.px_per_mm * 25.4),
                &format!("{:.3}", r.threshold),
                &r.doubts.len().to_string(),
                &r.warnings.join("; "),
            ])?;
        }
    }
    Ok(())
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Marks(m) => m.clone(),
        Cell::Unreadable => "?".into(),
    }
}

/// Reads `img` with the reader of the sheet it was printed from: the first whose identifier it
/// carries. A sheet read with another sheet's layout is told by its identifier (or its boxes not
/// being where that layout has them), never read with the wrong boxes.
fn read_any<'r>(
    readers: &'r [SheetReader],
    img: &GrayImage,
) -> Result<(&'r Reader, Result<SheetRead, Rejection>), Error> {
    let mut first: Option<Result<SheetRead, Rejection>> = None;
    let mut tried = vec![false; readers.len()];
    let mut k = 0;
    loop {
        tried[k] = true;
        let reader = readers[k].get()?;
        let r = reader.read(img);
        let next = match &r {
            Ok(_) => return Ok((reader, r)),
            // the identifier names another sheet of this exam: read it with that one
            Err(Rejection::OtherExam { printed, .. }) => readers
                .iter()
                .position(|x| &x.layout.code.id == printed)
                .filter(|&j| !tried[j]),
            Err(_) => None,
        };
        first.get_or_insert(r);
        match next.or_else(|| tried.iter().position(|t| !t)) {
            Some(j) => k = j,
            None => break,
        }
    }
    Ok((
        readers[0].get()?,
        first.unwrap_or(Err(Rejection::CodeUnreadable)),
    ))
}

fn process(
    readers: &[SheetReader],
    page: Page,
    out: &OutputSet,
    annotate: bool,
    folder: &str,
) -> Outcome {
    let (name, img) = page.decode();
    let img = match img {
        Ok(i) => i,
        Err(e) => {
            return Outcome {
                name,
                result: Err(e),
                crops: Vec::new(),
                fatal: None,
            }
        }
    };
    let (reader, result) = match read_any(readers, &img) {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                name,
                result: Err(String::new()),
                crops: Vec::new(),
                fatal: Some(e),
            }
        }
    };
    let result = result.map_err(|e| e.to_string());
    let mut crops = Vec::new();
    if let Ok(r) = &result {
        let stem = file_stem(&name, folder);
        for d in &r.doubts {
            let area = Rect {
                x: d.area.x - 8.0,
                y: d.area.y - 2.0,
                w: d.area.w + 11.0,
                h: d.area.h + 4.0,
                ..d.area
            };
            let mut crop = Reader::picture(&img, &r.map, &area, PICTURE_PX_MM);
            if r.bilevel {
                outline_boxes(&mut crop, reader.boxes());
            }
            let rel = format!("review/{stem}-{}.png", d.field);
            crops.push(match write_png(out, &rel, &crop.img) {
                Ok(()) => rel,
                Err(e) => format!("(not written: {e})"),
            });
        }
        if annotate {
            let page = reader.layout().page;
            let full = Rect {
                page: 1,
                x: 0.0,
                y: 0.0,
                w: page.w,
                h: page.h,
            };
            let upright = Reader::crop(&img, &r.map, &full, PICTURE_PX_MM);
            let marked = annotated(&upright, reader, r);
            let mut buf = Cursor::new(Vec::new());
            if marked.write_to(&mut buf, ImageFormat::Png).is_ok() {
                let _ = out.write(&format!("annotated/{stem}.png"), buf.get_ref());
            }
        }
    }
    pages::recycle(img);
    Outcome {
        name,
        result,
        crops,
        fatal: None,
    }
}

/// The upright page with each box outlined: green read as marked, red in doubt.
fn annotated(page: &GrayImage, reader: &Reader, r: &SheetRead) -> RgbImage {
    let mut img = DynamicImage::ImageLuma8(page.clone()).into_rgb8();
    let (w, h) = img.dimensions();
    for (rect, v) in reader.boxes().zip(&r.verdicts) {
        let colour = match v {
            Verdict::Marked => Rgb([0, 170, 0]),
            Verdict::Doubtful => Rgb([230, 0, 0]),
            Verdict::Blank => continue,
        };
        let [x0, y0, x1, y1] = box_pixels(rect, 0.6, PICTURE_PX_MM);
        let (x0, y0) = (x0.max(0) as u32, y0.max(0) as u32);
        let (x1, y1) = ((x1.max(0) as u32).min(w - 1), (y1.max(0) as u32).min(h - 1));
        for t in 0..2 {
            for x in x0..=x1 {
                img.put_pixel(x, (y0 + t).min(h - 1), colour);
                img.put_pixel(x, y1.saturating_sub(t), colour);
            }
            for y in y0..=y1 {
                img.put_pixel((x0 + t).min(w - 1), y, colour);
                img.put_pixel(x1.saturating_sub(t), y, colour);
            }
        }
    }
    img
}

/// A layout box's corners (left, top, right, bottom) in the pixels of the upright page at
/// `px_mm`, the box grown by `grow` mm a side: where the annotated page frames a box.
fn box_pixels(b: &Rect, grow: f64, px_mm: f64) -> [i64; 4] {
    let px = |mm: f64| (mm * px_mm).round() as i64;
    [
        px(b.x - grow),
        px(b.y - grow),
        px(b.x + b.w + grow),
        px(b.y + b.h + grow),
    ]
}

/// The grey of the boxes' outlines drawn on a 1-bit scan's crops: light beside a pencil mark.
const OUTLINE_GREY: u8 = 160;

/// The outlines of the boxes in a review picture, darkening what is lighter than
/// [`OUTLINE_GREY`] and leaving any darker ink as it is: on a 1-bit scan the printed boxes are
/// mostly gone, and a mark with no box round it does not say which option it is.
fn outline_boxes<'a>(crop: &mut Picture, boxes: impl Iterator<Item = &'a Rect>) {
    let (w, h) = (i64::from(crop.img.width()), i64::from(crop.img.height()));
    for b in boxes {
        // the box's corners in the picture's pixels, as a rectangle round them
        let [x0, y0, x1, y1] =
            scan::bounds(&scan::corners(b, |p| crop.at(p))).map(|v| v.round() as i64);
        if x1 < 0 || y1 < 0 || x0 >= w || y0 >= h {
            continue;
        }
        let mut darken = |x: i64, y: i64| {
            if (0..w).contains(&x) && (0..h).contains(&y) {
                let p = crop.img.get_pixel_mut(x as u32, y as u32);
                p.0[0] = p.0[0].min(OUTLINE_GREY);
            }
        };
        for x in x0..=x1 {
            darken(x, y0);
            darken(x, y1);
        }
        for y in y0 + 1..y1 {
            darken(x0, y);
            darken(x1, y);
        }
    }
}

/// The name of a sheet's crops and annotated image: the input's path and page as given, less the
/// folder every input is in ([`common_folder`]), through the same injective mapping as paper
/// files, so two inputs (`a.jpg` and `a.png`, `x/a.jpg` and `y/a.jpg`, pages of one PDF) never
/// share a crop.
fn file_stem(name: &str, folder: &str) -> String {
    crate::render::file_name::paper_stem(name.strip_prefix(folder).unwrap_or(name))
}

/// The deepest folder all the inputs are in, spelt as their names spell it, with the separator
/// after it (`scans/` for `scans/a.jpg` and `scans/b.jpg`; `/home/x/scans/` for absolute
/// paths); empty when they share none or when a name does not begin with it. Every name less
/// the same beginning: two inputs still never share a crop.
fn common_folder(inputs: &[PathBuf]) -> String {
    let mut common: Option<PathBuf> = None;
    for p in inputs {
        let dir = p.parent().unwrap_or(Path::new(""));
        common = Some(match common {
            None => dir.to_path_buf(),
            Some(c) => c
                .components()
                .zip(dir.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    let Some(c) = common.filter(|c| !c.as_os_str().is_empty()) else {
        return String::new();
    };
    let mut folder = c.display().to_string();
    if !folder.ends_with(std::path::MAIN_SEPARATOR) {
        folder.push(std::path::MAIN_SEPARATOR);
    }
    let all = inputs
        .iter()
        .all(|p| p.display().to_string().starts_with(&folder));
    if all {
        folder
    } else {
        String::new()
    }
}

/// A review crop as PNG, compressed fast with one filter (Sub) for every row: the adaptive
/// choice tries all five on each row, a third of the encoding's time for files a sixth smaller.
fn write_png(out: &OutputSet, rel: &str, img: &GrayImage) -> Result<(), String> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let mut buf = Vec::new();
    PngEncoder::new_with_quality(&mut buf, CompressionType::Fast, FilterType::Sub)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| e.to_string())?;
    out.write(rel, &buf).map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boxes_outline_is_drawn_under_ink_and_only_where_the_crop_shows_it() {
        // a crop of the page area (10, 20) mm, 20 × 10 mm at 2 px/mm: a box inside it, one
        // half out of it, one far from it
        let area = Rect {
            page: 1,
            x: 10.0,
            y: 20.0,
            w: 20.0,
            h: 10.0,
        };
        let mut crop = Picture::upright(
            GrayImage::from_pixel(40, 20, image::Luma([255])),
            (area.x, area.y),
            2.0,
        );
        // ink on the first box's top side and a mid grey on its bottom side
        crop.img.put_pixel(6, 4, image::Luma([0]));
        crop.img.put_pixel(7, 10, image::Luma([100]));
        let rect = |x: f64, y: f64| Rect {
            page: 1,
            x,
            y,
            w: 4.0,
            h: 3.0,
        };
        let boxes = [rect(12.0, 22.0), rect(28.0, 28.0), rect(100.0, 100.0)];
        outline_boxes(&mut crop, boxes.iter());
        let at = |x: u32, y: u32| crop.img.get_pixel(x, y).0[0];
        // the first box: (4, 4) to (12, 10) in the crop's pixels
        for x in 4..=12 {
            assert!(
                at(x, 4) <= OUTLINE_GREY && at(x, 10) <= OUTLINE_GREY,
                "x {x}"
            );
        }
        for y in 4..=10 {
            assert_eq!(at(4, y), OUTLINE_GREY, "y {y}");
            assert_eq!(at(12, y), OUTLINE_GREY, "y {y}");
        }
        assert_eq!(at(6, 4), 0, "ink stays ink");
        assert_eq!(at(7, 10), 100, "darker than the outline stays");
        assert_eq!(at(8, 7), 255, "inside the box is untouched");
        // the second box's left and top sides, cut at the crop's edge
        assert_eq!(at(36, 16), OUTLINE_GREY);
        assert_eq!(at(39, 16), OUTLINE_GREY);
        assert_eq!(at(36, 19), OUTLINE_GREY);
        // nothing else drawn: the first box's 9 + 9 pixels across (two of them ink) and 5 + 5
        // down between its corners, the second's 4 across and 3 down
        let drawn = crop.img.pixels().filter(|p| p.0[0] == OUTLINE_GREY).count();
        assert_eq!(drawn, (9 + 9 - 2) + (5 + 5) + 4 + 3);
    }
}

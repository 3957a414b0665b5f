//! Scanned pages out of the files offices produce: every image the decoders know (told by its
//! content, not its name), each page of a multi-page TIFF (CCITT G3/G4 included), each page of an
//! image-only PDF (JPEG, Flate, CCITT and JBIG2 images, 1-bit or grey). Files are listed first;
//! pages are then handed out one at a time and decoded by whoever reads them, under a pixel
//! limit, so memory does not grow with the number of pages or with a forged image size.

use crate::Error;
use image::{DynamicImage, GrayImage, ImageFormat};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The most pixels a page may have (A3 at 600 dpi is 70 million).
pub const MAX_PIXELS: u64 = 100_000_000;
/// The longest side a page may have, in pixels.
pub const MAX_SIDE: u32 = 20_000;
/// The most memory one page's decoder may take.
const MAX_ALLOC: u64 = 512 << 20;

/// The files to read, in the order given (folders sorted, recursively), and what was left out.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<PathBuf>,
    /// Files in the folders given that are neither an image this build decodes nor a PDF.
    pub skipped: Vec<PathBuf>,
    /// Files given twice (by the same path or the same content): the later one and the first.
    pub repeated: Vec<(PathBuf, PathBuf)>,
}

/// Lists the scans among `paths`: files as given, folders walked. A folder's file is taken when
/// its extension is one the decoders know or, whatever its name, its first bytes are an image's
/// or a PDF's; every other file is listed in `skipped`.
pub fn list(paths: &[PathBuf]) -> Result<Listing, Error> {
    let mut out = Listing::default();
    let mut all = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut all, &mut out.skipped)?;
        } else if p.exists() {
            all.push(p.clone());
        } else {
            return Err(Error::input(
                format!("`{}` does not exist", p.display()),
                "give scan files or folders holding them",
            ));
        }
    }
    // only files of the same length can hold the same content: the others are not read twice
    let lengths: Vec<Option<u64>> = all
        .iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .collect();
    let mut per_length: HashMap<u64, usize> = HashMap::new();
    for n in lengths.iter().flatten() {
        *per_length.entry(*n).or_default() += 1;
    }
    let mut seen: HashMap<[u8; 32], PathBuf> = HashMap::new();
    for (p, n) in all.into_iter().zip(lengths) {
        if n.is_some_and(|n| per_length[&n] == 1) {
            out.files.push(p);
            continue;
        }
        // an unreadable file is kept: its page says why
        if let Ok(d) = digest(&p) {
            if let Some(first) = seen.get(&d) {
                out.repeated.push((p, first.clone()));
                continue;
            }
            seen.insert(d, p.clone());
        }
        out.files.push(p);
    }
    Ok(out)
}

/// An image file in grey, pixel for pixel as `image::open(path)?.into_luma8()` makes it. A
/// sheet's blank (RGBA, millions of pixels, every one an opaque grey) has each of the 256 greys
/// converted once by that same conversion rather than every pixel.
pub fn open_grey(path: &Path) -> image::ImageResult<GrayImage> {
    match image::open(path)? {
        DynamicImage::ImageRgba8(img) => Ok(grey_of_rgba(img)),
        other => Ok(other.into_luma8()),
    }
}

/// `DynamicImage::ImageRgba8(img).into_luma8()`, through a table of the image's colours.
fn grey_of_rgba(img: image::RgbaImage) -> GrayImage {
    // opaque grey, as every pixel of a rendered blank is: the second and third bytes equal to
    // the first, the fourth 255 (or-ed over the image as words: no branch, whole words at once)
    let raw = img.as_raw();
    let word = |p: &[u8]| u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
    let off = raw.chunks_exact(4).fold(0u32, |acc, p| {
        let w = word(p);
        acc | ((w ^ (w << 8)) & 0x00ff_ff00) | (!w & 0xff00_0000)
    });
    if off != 0 {
        // a blank with colour in it (none is rendered so): the library's conversion throughout
        return DynamicImage::ImageRgba8(img).into_luma8();
    }
    // every grey level, in the image's colour space, converted as the whole image would be
    let levels: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v, 255]).collect();
    let Some(mut row) = image::RgbaImage::from_raw(256, 1, levels) else {
        return DynamicImage::ImageRgba8(img).into_luma8();
    };
    if row.set_color_space(img.color_space()).is_err() {
        return DynamicImage::ImageRgba8(img).into_luma8();
    }
    let mut table = [0u8; 256];
    table.copy_from_slice(DynamicImage::ImageRgba8(row).into_luma8().as_raw());
    let (w, h) = img.dimensions();
    // where every grey converts to itself (an sRGB blank), its first byte, with no look-up
    let same = table.iter().enumerate().all(|(i, &t)| usize::from(t) == i);
    let grey: Vec<u8> = if same {
        raw.chunks_exact(4).map(|p| p[0]).collect()
    } else {
        raw.chunks_exact(4)
            .map(|p| table[usize::from(p[0])])
            .collect()
    };
    GrayImage::from_raw(w, h, grey).unwrap_or_else(|| DynamicImage::ImageRgba8(img).into_luma8())
}

fn digest(p: &Path) -> std::io::Result<[u8; 32]> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().into())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<PathBuf>) -> Result<(), Error> {
    let rd = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, out, skipped)?;
            continue;
        }
        let known = e.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            x.eq_ignore_ascii_case("pdf") || decodable(ImageFormat::from_extension(x))
        });
        if known || kind(&e).is_some() {
            out.push(e);
        } else {
            skipped.push(e);
        }
    }
    Ok(())
}

/// Whether `f` is a format this build decodes.
fn decodable(f: Option<ImageFormat>) -> bool {
    f.is_some_and(|f| f.reading_enabled())
}

/// What a file holds, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pdf,
    Tiff,
    Image(ImageFormat),
}

fn kind(p: &Path) -> Option<Kind> {
    let mut head = [0u8; 32];
    let mut f = std::fs::File::open(p).ok()?;
    let n = f.read(&mut head).ok()?;
    let head = &head[..n];
    if head.starts_with(b"%PDF") {
        return Some(Kind::Pdf);
    }
    match image::guess_format(head) {
        Ok(ImageFormat::Tiff) => Some(Kind::Tiff),
        Ok(f) if decodable(Some(f)) => Some(Kind::Image(f)),
        _ => None,
    }
}

/// One page to read: where it comes from, still encoded. [`Page::decode`] does the work, so
/// pages can be decoded side by side.
pub struct Page {
    /// The file, with `#N` for the N-th page of a file of several pages.
    pub name: String,
    source: Source,
}

enum Source {
    Image(PathBuf, ImageFormat),
    Tiff(PathBuf, usize),
    Pdf(PdfImage),
    Failed(String),
}

/// The encoded image of one PDF page and what its dictionary says about it.
struct PdfImage {
    data: Vec<u8>,
    filters: Vec<String>,
    width: u32,
    height: u32,
    bits: u32,
    channels: u32,
    /// `/Decode [1 0]` or an image mask: 1 is black.
    inverted: bool,
    /// `/DecodeParms` of the last filter.
    parms: Option<lopdf::Dictionary>,
    /// JBIG2 globals.
    globals: Option<Vec<u8>>,
}

impl Page {
    fn failed(name: String, why: String) -> Self {
        Page {
            name,
            source: Source::Failed(why),
        }
    }

    /// The page as a grey image, or why it cannot be read.
    pub fn decode(self) -> (String, Result<GrayImage, String>) {
        let img = match self.source {
            Source::Image(p, f) => decode_file(&p, f),
            Source::Tiff(p, i) => decode_tiff(&p, i),
            Source::Pdf(img) => decode_pdf(img),
            Source::Failed(why) => Err(why),
        };
        (self.name, img)
    }
}

/// The pages of one file, handed out one at a time (a PDF's images are taken out as they are
/// asked for).
pub fn pages(path: &Path) -> Box<dyn Iterator<Item = Page> + Send> {
    let name = path.display().to_string();
    match kind(path) {
        Some(Kind::Pdf) => match PdfPages::open(path) {
            Ok(p) => Box::new(p),
            Err(why) => Box::new(std::iter::once(Page::failed(name, why))),
        },
        Some(Kind::Tiff) => match tiff_pages(path) {
            Ok(1) => Box::new(std::iter::once(Page {
                name,
                source: Source::Tiff(path.to_path_buf(), 0),
            })),
            Ok(n) => {
                let path = path.to_path_buf();
                Box::new((0..n).map(move |i| Page {
                    name: format!("{name}#{}", i + 1),
                    source: Source::Tiff(path.clone(), i),
                }))
            }
            Err(why) => Box::new(std::iter::once(Page::failed(name, why))),
        },
        Some(Kind::Image(f)) => Box::new(std::iter::once(Page {
            name,
            source: Source::Image(path.to_path_buf(), f),
        })),
        None => Box::new(std::iter::once(Page::failed(
            name,
            "not an image this program decodes (JPEG, PNG, TIFF, BMP, WebP) nor a PDF".into(),
        ))),
    }
}

fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

fn check_size(w: u32, h: u32) -> Result<(), String> {
    if w == 0 || h == 0 {
        return Err("the image is empty".into());
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "the image is {w} × {h} pixels, more than this program reads ({MAX_SIDE} a side, {} million in all): scan at 150–600 dpi",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

/// A JPEG ends with its end-of-image marker; one cut short is refused rather than read with its
/// last rows grey.
fn jpeg_whole(bytes: &[u8]) -> Result<(), String> {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && b != 0x0a && b != 0x0d && b != 0x20)
        .map_or(0, |i| i + 1);
    if end >= 2 && bytes[end - 2..end] == [0xff, 0xd9] {
        Ok(())
    } else {
        Err("the JPEG is cut short (it has no end marker): copy or scan it again".into())
    }
}

thread_local! {
    /// The pixels of a page this thread decoded and its reader is done with ([`recycle`]): the
    /// next grey JPEG is decoded into them, cleared first, rather than into fresh memory that
    /// the system must hand over and zero page by page.
    static SPARE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Gives a page's pixels back once it has been read: the next grey JPEG this thread decodes
/// goes into them.
pub fn recycle(img: GrayImage) {
    let v = img.into_raw();
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        if v.capacity() > s.capacity() {
            *s = v;
        }
    });
}

/// A JPEG of one grey channel (what office scanners write), decoded by the decoder the image
/// library uses, with its options, into this thread's spare pixels ([`recycle`]): the same
/// pixels, without the library's copy of the file, its second reading of the headers and a
/// freshly zeroed buffer a page. `None` for any other JPEG, or one the decoder finds fault with
/// (the library then decodes it and says why).
fn grey_jpeg(bytes: &[u8]) -> Option<Result<GrayImage, String>> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    d.decode_headers().ok()?;
    if d.input_colorspace()? != ColorSpace::Luma {
        return None;
    }
    let (w, h) = d.dimensions()?;
    let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
    if let Err(e) = check_size(w, h) {
        return Some(Err(e));
    }
    d.set_options(d.options().jpeg_set_out_colorspace(ColorSpace::Luma));
    let n = d.output_buffer_size()?;
    if n != w as usize * h as usize {
        return None;
    }
    let mut buf = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
    // cleared: whatever the decoder leaves unwritten is 0, as in a fresh buffer, never the
    // last page's pixels
    buf.clear();
    buf.resize(n, 0);
    if d.decode_into(&mut buf).is_err() {
        SPARE.with(|s| *s.borrow_mut() = buf);
        return None;
    }
    GrayImage::from_raw(w, h, buf).map(Ok)
}

fn decode_bytes(bytes: &[u8], f: ImageFormat) -> Result<GrayImage, String> {
    if f == ImageFormat::Jpeg {
        jpeg_whole(bytes)?;
        if let Some(img) = grey_jpeg(bytes) {
            return img;
        }
    }
    use image::ImageDecoder;
    let bad = |e: image::ImageError| format!("not a readable image: {e}");
    // one decoder: its headers give the size, checked before any pixel is decoded
    let mut r = image::ImageReader::with_format(std::io::Cursor::new(bytes), f);
    r.limits(limits());
    let mut d = r.into_decoder().map_err(bad)?;
    let (w, h) = d.dimensions();
    check_size(w, h)?;
    // as `ImageReader::decode` does: the pixels count against the decoder's allowance
    let mut l = limits();
    l.reserve(d.total_bytes()).map_err(bad)?;
    d.set_limits(l).map_err(bad)?;
    DynamicImage::from_decoder(d)
        .map(DynamicImage::into_luma8)
        .map_err(bad)
}

fn decode_file(p: &Path, f: ImageFormat) -> Result<GrayImage, String> {
    let bytes = std::fs::read(p).map_err(|e| format!("cannot read: {e}"))?;
    decode_bytes(&bytes, f)
}

fn tiff_limits() -> tiff::decoder::Limits {
    let mut l = tiff::decoder::Limits::default();
    l.decoding_buffer_size = MAX_ALLOC as usize;
    l
}

/// The number of pages of a TIFF, without decoding them.
fn tiff_pages(p: &Path) -> Result<usize, String> {
    let f = std::fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?;
    let mut d = tiff::decoder::Decoder::new(BufReader::new(f))
        .map_err(|e| format!("not a readable TIFF: {e}"))?
        .with_limits(tiff_limits());
    let mut n = 1;
    while d.more_images() {
        d.next_image()
            .map_err(|e| format!("page {} of the TIFF is not readable: {e}", n + 1))?;
        n += 1;
    }
    Ok(n)
}

fn decode_tiff(p: &Path, index: usize) -> Result<GrayImage, String> {
    use tiff::decoder::DecodingResult;
    use tiff::ColorType;
    let f = std::fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?;
    let mut d = tiff::decoder::Decoder::new(BufReader::new(f))
        .map_err(|e| format!("not a readable TIFF: {e}"))?
        .with_limits(tiff_limits());
    d.seek_to_image(index)
        .map_err(|e| format!("not a readable TIFF page: {e}"))?;
    let (w, h) = d
        .dimensions()
        .map_err(|e| format!("not a readable TIFF: {e}"))?;
    check_size(w, h)?;
    let compression = d
        .find_tag_unsigned::<u16>(tiff::tags::Tag::Compression)
        .ok()
        .flatten();
    if compression == Some(3) {
        return tiff_g3(&mut d, w, h);
    }
    let ct = d
        .colortype()
        .map_err(|e| format!("not a readable TIFF: {e}"))?;
    let data = match d.read_image() {
        Ok(DecodingResult::U8(v)) => v,
        Ok(DecodingResult::U16(v)) if ct == ColorType::Gray(16) => {
            v.iter().map(|x| (x >> 8) as u8).collect()
        }
        Ok(_) => return Err(format!("the TIFF's pixels ({ct:?}) are not supported: save it as 1-bit, grey or colour with 8 bits")),
        Err(e) => return Err(format!("the TIFF cannot be decoded (cut short?): {e}")),
    };
    let (w_, h_) = (w as usize, h as usize);
    let grey: Vec<u8> = match ct {
        ColorType::Gray(1) => {
            // packed rows, 0 black after the decoder's own WhiteIsZero handling
            let stride = w_.div_ceil(8);
            let mut g = Vec::with_capacity(w_ * h_);
            for y in 0..h_ {
                let row = data.get(y * stride..(y + 1) * stride).ok_or("the TIFF page is cut short")?;
                g.extend((0..w_).map(|x| if row[x / 8] & (0x80 >> (x % 8)) != 0 { 255 } else { 0 }));
            }
            g
        }
        ColorType::Gray(8) | ColorType::Gray(16) => data,
        ColorType::RGB(8) => luma(&data, 3),
        ColorType::RGBA(8) => luma(&data, 4),
        other => return Err(format!("the TIFF's pixels ({other:?}) are not supported: save it as 1-bit, grey or colour with 8 bits")),
    };
    GrayImage::from_raw(w, h, grey).ok_or_else(|| "the TIFF page is cut short".to_string())
}

/// A CCITT Group 3 TIFF (what fax software writes; the tiff crate reads only Group 4): each
/// strip decoded as T.4 with the page's T4Options.
fn tiff_g3<R: std::io::Read + std::io::Seek>(
    d: &mut tiff::decoder::Decoder<R>,
    w: u32,
    h: u32,
) -> Result<GrayImage, String> {
    use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
    use tiff::tags::Tag;
    let bad = |e: tiff::TiffError| format!("not a readable TIFF: {e}");
    let offsets = d.get_tag_u64_vec(Tag::StripOffsets).map_err(bad)?;
    let counts = d.get_tag_u64_vec(Tag::StripByteCounts).map_err(bad)?;
    let per_strip = d
        .find_tag_unsigned::<u32>(Tag::RowsPerStrip)
        .ok()
        .flatten()
        .unwrap_or(h)
        .min(h);
    let options = d
        .find_tag_unsigned::<u32>(Tag::Unknown(292))
        .ok()
        .flatten()
        .unwrap_or(0);
    let reversed = d.find_tag_unsigned::<u16>(Tag::FillOrder).ok().flatten() == Some(2);
    // CCITT's white runs are 0 bits; BlackIsZero (1) makes those black
    let black_is_zero = d
        .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .ok()
        .flatten()
        == Some(1);
    let mut out = Bilevel {
        out: Vec::with_capacity((w * h) as usize),
        white: if black_is_zero { 0 } else { 255 },
    };
    let file = d.inner();
    for (k, (&off, &len)) in offsets.iter().zip(&counts).enumerate() {
        if len > MAX_ALLOC {
            return Err("a TIFF strip is larger than this program reads".into());
        }
        let mut data = vec![0u8; len as usize];
        file.seek(std::io::SeekFrom::Start(off))
            .and_then(|_| file.read_exact(&mut data))
            .map_err(|_| "the TIFF is cut short".to_string())?;
        if reversed {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let rows = per_strip.min(h.saturating_sub(k as u32 * per_strip));
        let settings = DecodeSettings {
            columns: w,
            rows,
            end_of_block: false,
            end_of_line: true,
            rows_are_byte_aligned: options & 4 != 0,
            encoding: if options & 1 != 0 {
                EncodingMode::Group3_2D { k: 0 }
            } else {
                EncodingMode::Group3_1D
            },
            invert_black: false,
        };
        let before = out.out.len();
        let mut ctx = DecoderContext::new(settings);
        let done = hayro_ccitt::decode(&data, &mut out, &mut ctx);
        // a strip short of its rows is refused; one that ends in garbage after them is kept
        if out.out.len() < before + (rows * w) as usize {
            return Err(match done {
                Err(e) => format!("the fax TIFF cannot be decoded (cut short?): {e}"),
                Ok(_) => "the fax TIFF is cut short".into(),
            });
        }
        out.out.truncate(before + (rows * w) as usize);
    }
    fit(out.out, w, h).and_then(|v| {
        GrayImage::from_raw(w, h, v).ok_or_else(|| "the TIFF page is cut short".to_string())
    })
}

/// Grey from interleaved RGB(A) (or CMYK with 4 channels when `cmyk`).
fn luma(data: &[u8], channels: usize) -> Vec<u8> {
    data.chunks_exact(channels)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect()
}

/// The pages of a PDF, each page's largest image taken out when asked for.
struct PdfPages {
    doc: lopdf::Document,
    name: String,
    pages: Vec<lopdf::ObjectId>,
    next: usize,
}

impl PdfPages {
    fn open(path: &Path) -> Result<Self, String> {
        let doc = lopdf::Document::load(path).map_err(|e| format!("not a readable PDF: {e}"))?;
        let pages: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
        if pages.is_empty() {
            return Err("the PDF has no pages".into());
        }
        Ok(PdfPages {
            doc,
            name: path.display().to_string(),
            pages,
            next: 0,
        })
    }

    fn image_of(&self, page: lopdf::ObjectId) -> Result<PdfImage, String> {
        let doc = &self.doc;
        let images = doc.get_page_images(page).unwrap_or_default();
        let Some(img) = images.iter().max_by_key(|i| i.width * i.height) else {
            return Err(
                "the page holds no image (only scanned, image-only PDFs can be read)".into(),
            );
        };
        let (w, h) = (
            u32::try_from(img.width).unwrap_or(u32::MAX),
            u32::try_from(img.height).unwrap_or(u32::MAX),
        );
        check_size(w, h)?;
        let dict = img.origin_dict;
        let mask = dict
            .get(b"ImageMask")
            .and_then(lopdf::Object::as_bool)
            .unwrap_or(false);
        let decode_inverted = dict
            .get(b"Decode")
            .and_then(lopdf::Object::as_array)
            .ok()
            .and_then(|a| a.first().and_then(|v| v.as_float().ok()))
            .is_some_and(|first| first >= 0.5);
        let channels = match img.color_space.as_deref() {
            Some("DeviceGray") | Some("CalGray") | None => 1,
            Some("DeviceRGB") | Some("CalRGB") => 3,
            Some("DeviceCMYK") => 4,
            Some(other) => {
                return Err(format!(
                    "the page image's colour space {other} is not supported (grey, RGB, CMYK)"
                ))
            }
        };
        let parms = dict.get(b"DecodeParms").ok().and_then(|p| match p {
            lopdf::Object::Dictionary(d) => Some(d.clone()),
            lopdf::Object::Array(a) => a.last().and_then(|o| o.as_dict().ok()).cloned(),
            lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
            _ => None,
        });
        let globals = parms
            .as_ref()
            .and_then(|p| p.get(b"JBIG2Globals").ok())
            .and_then(|o| o.as_reference().ok())
            .and_then(|id| doc.get_object(id).ok())
            .and_then(|o| o.as_stream().ok())
            .map(|s| {
                s.decompressed_content()
                    .unwrap_or_else(|_| s.content.clone())
            });
        Ok(PdfImage {
            data: img.content.to_vec(),
            filters: img.filters.clone().unwrap_or_default(),
            width: w,
            height: h,
            bits: if mask {
                1
            } else {
                img.bits_per_component.unwrap_or(8) as u32
            },
            channels: if mask { 1 } else { channels },
            // an image mask paints its 0 samples (black ink over white paper)
            inverted: decode_inverted,
            parms,
            globals,
        })
    }
}

impl Iterator for PdfPages {
    type Item = Page;

    fn next(&mut self) -> Option<Page> {
        let page = *self.pages.get(self.next)?;
        self.next += 1;
        let name = if self.pages.len() == 1 {
            self.name.clone()
        } else {
            format!("{}#{}", self.name, self.next)
        };
        Some(match self.image_of(page) {
            Ok(img) => Page {
                name,
                source: Source::Pdf(img),
            },
            Err(why) => Page::failed(name, why),
        })
    }
}

fn parm_i64(p: &Option<lopdf::Dictionary>, key: &[u8]) -> Option<i64> {
    p.as_ref()?.get(key).ok()?.as_i64().ok()
}

fn parm_bool(p: &Option<lopdf::Dictionary>, key: &[u8]) -> Option<bool> {
    p.as_ref()?.get(key).ok()?.as_bool().ok()
}

fn decode_pdf(img: PdfImage) -> Result<GrayImage, String> {
    let (w, h) = (img.width, img.height);
    let last = img.filters.last().map(String::as_str);
    // the filters before the last one are general compression (Flate); undo them first
    let mut data = img.data;
    for f in img.filters.iter().take(img.filters.len().saturating_sub(1)) {
        data = match f.as_str() {
            "FlateDecode" => inflate(&data, w, h)?,
            other => return Err(format!("the page image is compressed with {other} and more, which this program does not decode")),
        };
    }
    let px = |v: Vec<u8>| {
        GrayImage::from_raw(w, h, v).ok_or_else(|| "the page image is cut short".to_string())
    };
    match last {
        Some("DCTDecode") => decode_bytes(&data, ImageFormat::Jpeg),
        Some("CCITTFaxDecode") => ccitt(&data, w, h, &img.parms, img.inverted).and_then(px),
        Some("JBIG2Decode") => jbig2(&data, img.globals.as_deref(), w, h, img.inverted).and_then(px),
        Some("FlateDecode") | None => {
            let raw = if last.is_some() { inflate(&data, w, h)? } else { data };
            unpack(&raw, w, h, img.bits, img.channels, img.inverted).and_then(px)
        }
        Some(other) => Err(format!(
            "the page image is compressed with {other}, which this program does not decode (it reads JPEG, Flate, CCITT G3/G4 and JBIG2): save the scans as JPEG, PNG or TIFF"
        )),
    }
}

/// Flate-decompresses at most what a `w` × `h` page of 4 bytes a pixel can need.
fn inflate(data: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let cap = u64::from(w) * u64::from(h) * 4 + u64::from(h) + 1024;
    let mut out = Vec::new();
    flate2_read(data, cap, &mut out)?;
    Ok(out)
}

fn flate2_read(data: &[u8], cap: u64, out: &mut Vec<u8>) -> Result<(), String> {
    let mut d = flate2::read::ZlibDecoder::new(data).take(cap);
    d.read_to_end(out)
        .map(|_| ())
        .map_err(|e| format!("the page image cannot be decompressed: {e}"))
}

/// Raw samples (1 or 8 bits, 1, 3 or 4 channels) → grey.
fn unpack(
    raw: &[u8],
    w: u32,
    h: u32,
    bits: u32,
    channels: u32,
    inverted: bool,
) -> Result<Vec<u8>, String> {
    let (w, h, c) = (w as usize, h as usize, channels as usize);
    let stride = match bits {
        1 => (w * c).div_ceil(8),
        8 => w * c,
        other => {
            return Err(format!(
                "the page image has {other} bits a sample (1 or 8 are read)"
            ))
        }
    };
    if raw.len() < stride * h {
        return Err("the page image is cut short".into());
    }
    let mut g = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = &raw[y * stride..(y + 1) * stride];
        if bits == 1 {
            g.extend((0..w).map(|x| {
                let on = row[x / 8] & (0x80 >> (x % 8)) != 0;
                if on != inverted {
                    255
                } else {
                    0
                }
            }));
        } else {
            let px = match c {
                1 => row.to_vec(),
                3 => luma(row, 3),
                _ => row
                    .chunks_exact(4)
                    .map(|p| {
                        let k = u32::from(p[3]);
                        let avg = (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3;
                        255u32.saturating_sub((avg + k).min(255)) as u8
                    })
                    .collect(),
            };
            g.extend(px.into_iter().map(|v| if inverted { 255 - v } else { v }));
        }
    }
    Ok(g)
}

/// Collects decoded bilevel rows.
struct Bilevel {
    out: Vec<u8>,
    white: u8,
}

impl hayro_ccitt::Decoder for Bilevel {
    fn push_pixel(&mut self, white: bool) {
        self.out
            .push(if white { self.white } else { 255 - self.white });
    }
    fn push_pixel_chunk(&mut self, white: bool, chunk_count: u32) {
        let v = if white { self.white } else { 255 - self.white };
        self.out
            .extend(std::iter::repeat_n(v, chunk_count as usize * 8));
    }
    fn next_line(&mut self) {}
}

impl hayro_jbig2::Decoder for Bilevel {
    fn push_pixel(&mut self, black: bool) {
        self.out
            .push(if black { 255 - self.white } else { self.white });
    }
    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        let v = if black { 255 - self.white } else { self.white };
        self.out
            .extend(std::iter::repeat_n(v, chunk_count as usize * 8));
    }
    fn next_line(&mut self) {}
}

fn ccitt(
    data: &[u8],
    w: u32,
    h: u32,
    parms: &Option<lopdf::Dictionary>,
    inverted: bool,
) -> Result<Vec<u8>, String> {
    use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
    let k = parm_i64(parms, b"K").unwrap_or(0);
    let settings = DecodeSettings {
        columns: parm_i64(parms, b"Columns").map_or(w, |c| c as u32),
        rows: parm_i64(parms, b"Rows").map_or(h, |r| r as u32),
        end_of_block: parm_bool(parms, b"EndOfBlock").unwrap_or(true),
        end_of_line: parm_bool(parms, b"EndOfLine").unwrap_or(false),
        rows_are_byte_aligned: parm_bool(parms, b"EncodedByteAlign").unwrap_or(false),
        encoding: match k {
            k if k < 0 => EncodingMode::Group4,
            0 => EncodingMode::Group3_1D,
            k => EncodingMode::Group3_2D { k: k as u32 },
        },
        invert_black: parm_bool(parms, b"BlackIs1").unwrap_or(false),
    };
    let mut out = Bilevel {
        out: Vec::with_capacity((w * h) as usize),
        white: if inverted { 0 } else { 255 },
    };
    let mut ctx = DecoderContext::new(settings);
    hayro_ccitt::decode(data, &mut out, &mut ctx)
        .map_err(|e| format!("the CCITT page image cannot be decoded: {e}"))?;
    fit(out.out, w, h)
}

fn jbig2(
    data: &[u8],
    globals: Option<&[u8]>,
    w: u32,
    h: u32,
    inverted: bool,
) -> Result<Vec<u8>, String> {
    let img = hayro_jbig2::Image::new_embedded(data, globals)
        .map_err(|e| format!("the JBIG2 page image cannot be decoded: {e}"))?;
    let mut out = Bilevel {
        out: Vec::with_capacity((w * h) as usize),
        white: if inverted { 0 } else { 255 },
    };
    img.decode(&mut out)
        .map_err(|e| format!("the JBIG2 page image cannot be decoded: {e}"))?;
    fit(out.out, img.width(), img.height()).and_then(|v| {
        if img.width() == w && img.height() == h {
            Ok(v)
        } else {
            Err("the JBIG2 page image's size differs from its dictionary's".into())
        }
    })
}

/// Exactly `w` × `h` pixels: a short image is refused, chunk padding cut.
fn fit(mut v: Vec<u8>, w: u32, h: u32) -> Result<Vec<u8>, String> {
    let n = (w as usize) * (h as usize);
    if v.len() < n {
        return Err("the page image is cut short".into());
    }
    v.truncate(n);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(img: &DynamicImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_grey_jpeg_decodes_to_the_librarys_pixels_even_into_a_larger_pages_memory() {
        let mut seed = 5u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        };
        let big = DynamicImage::ImageLuma8(GrayImage::from_fn(640, 480, |x, y| {
            image::Luma([((x * 7 + y * 3) % 256) as u8 ^ (next() & 15)])
        }));
        let small =
            DynamicImage::ImageLuma8(GrayImage::from_fn(200, 150, |x, _| image::Luma([x as u8])));
        let colour = DynamicImage::ImageRgb8(image::RgbImage::from_fn(120, 90, |x, y| {
            image::Rgb([x as u8, y as u8, 200])
        }));
        for (name, img) in [("big", &big), ("small", &small), ("colour", &colour)] {
            let bytes = jpeg(img);
            let want = image::load_from_memory(&bytes).unwrap().into_luma8();
            let got = decode_bytes(&bytes, ImageFormat::Jpeg).unwrap();
            assert_eq!(got.dimensions(), want.dimensions(), "{name}");
            assert!(got.as_raw() == want.as_raw(), "{name}: the pixels differ");
            // the next page goes into this one's memory
            recycle(got);
        }
        assert!(
            grey_jpeg(&jpeg(&colour)).is_none(),
            "a colour JPEG takes the library's way"
        );
        // a grey JPEG whose data is damaged after its headers: the library's reading of it
        let mut bytes = jpeg(&small);
        let n = bytes.len();
        bytes[n / 2..n - 2].iter_mut().for_each(|b| *b = 0xff);
        let want = image::load_from_memory(&bytes).map(|i| i.into_luma8().into_raw());
        let got = decode_bytes(&bytes, ImageFormat::Jpeg).map(|i| i.into_raw());
        assert_eq!(got.is_ok(), want.is_ok());
        if let (Ok(got), Ok(want)) = (got, want) {
            assert!(got == want, "a damaged JPEG's pixels differ");
        }
    }

    #[test]
    fn a_blank_in_grey_has_the_pixels_of_the_conversion_it_replaces() {
        // a rendered blank's greys, and colours, translucent pixels and noise as a sheet
        // drawn in colour would hold
        let mut seed = 11u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        };
        let img = image::RgbaImage::from_fn(300, 200, |x, y| {
            let v = next();
            image::Rgba(match (x / 100, y / 100) {
                (0, _) => [v, v, v, 255],
                (1, 0) => [v, next(), next(), 255],
                (1, 1) => [v, v, v, next()],
                _ => [(x % 7) as u8 * 30, 200, (y % 5) as u8 * 50, 255],
            })
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheet.blank.png");
        img.save(&path).unwrap();
        let want = image::open(&path).unwrap().into_luma8();
        let got = open_grey(&path).unwrap();
        assert_eq!(got.dimensions(), want.dimensions());
        assert!(got.as_raw() == want.as_raw(), "the grey pixels differ");
        // only greys, as render writes them
        let grey =
            image::RgbaImage::from_fn(256, 3, |x, _| image::Rgba([x as u8, x as u8, x as u8, 255]));
        grey.save(&path).unwrap();
        assert_eq!(
            open_grey(&path).unwrap().as_raw(),
            image::open(&path).unwrap().into_luma8().as_raw()
        );
    }

    #[test]
    fn only_files_of_one_length_are_compared_and_a_copy_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
        put("a.png", b"one");
        put("b.png", b"two"); // the same length, other content
        put("c.png", b"one"); // a copy of a.png
        put("d.png", b"longer");
        let l = list(&[dir.path().to_path_buf()]).unwrap();
        let names = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(&l.files), ["a.png", "b.png", "d.png"]);
        assert_eq!(l.repeated.len(), 1);
        assert_eq!(
            names(&[l.repeated[0].0.clone(), l.repeated[0].1.clone()]),
            ["c.png", "a.png"]
        );
    }
}

//! Joining and cutting the PDFs typst writes: batches into one print file, a bundle into one PDF
//! per paper. Works on bytes; the caller reads and writes the files.
//!
//! Papers are found by their bookmarks: the paper template puts an invisible bookmarked heading
//! on each paper's first page. A template without them falls back on the page labels (a page
//! labelled 1 starts a paper), which typst writes right only where a paper follows a page without
//! numbering: it labels a page with its number before the paper's restart of the count. Joined and
//! cut files are labelled anew, each paper from 1, and carry one bookmark per paper.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::BTreeSet;
use std::ops::Range;

/// What went wrong with a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("cannot read the PDF that typst wrote")]
    Read(#[source] lopdf::Error),
    #[error("cannot assemble the PDF")]
    Write(#[source] lopdf::Error),
    #[error("a bundle of {expected} paper(s) shows {found} paper start(s) (bookmarks, or pages numbered 1)")]
    Papers { expected: usize, found: usize },
}

impl PdfError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            PdfError::Papers { .. } => Some("a paper template must mark its first page with a bookmark (`heading(bookmarked: true)`, hidden) or number its pages and restart the count, as the built-in paper.typ.j2 does; or print one batch without --split".into()),
            _ => None,
        }
    }
}

/// Parses a PDF.
pub fn load(bytes: &[u8]) -> Result<Document, PdfError> {
    Document::load_mem(bytes).map_err(PdfError::Read)
}

/// Page count of a PDF.
pub fn page_count(doc: &Document) -> usize {
    doc.get_pages().len()
}

/// The first page (from 0) of each of `expected` papers in a bundle, with each paper's title
/// (its bookmark, when it has one).
pub fn paper_starts(doc: &Document, expected: usize) -> Result<Vec<(usize, String)>, PdfError> {
    let marks = bookmarks(doc);
    let ok = |starts: &[(usize, String)]| {
        starts.len() == expected
            && starts.first().is_none_or(|s| s.0 == 0)
            && starts.windows(2).all(|w| w[0].0 < w[1].0)
    };
    if ok(&marks) {
        return Ok(marks);
    }
    let starts: Vec<(usize, String)> = page_numbers(doc)
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Some(1))
        .map(|(i, _)| (i, String::new()))
        .collect();
    if !ok(&starts) {
        return Err(PdfError::Papers {
            expected,
            found: marks.len().max(starts.len()),
        });
    }
    Ok(starts)
}

/// The top-level bookmarks of a document: the page (from 0) each opens, and its title.
pub fn bookmarks(doc: &Document) -> Vec<(usize, String)> {
    let pages: std::collections::HashMap<ObjectId, usize> = doc
        .get_pages()
        .into_values()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let mut out = Vec::new();
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Outlines").ok())
        .and_then(|o| deref_dict(doc, o))
    else {
        return out;
    };
    let mut next = root.get(b"First").ok().cloned();
    let mut seen = BTreeSet::new();
    while let Some(Object::Reference(id)) = next {
        if !seen.insert(id) {
            break;
        }
        let Ok(item) = doc.get_dictionary(id) else {
            break;
        };
        let page = item
            .get(b"Dest")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|d| d.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|p| p.as_reference().ok())
            .and_then(|p| pages.get(&p).copied());
        if let Some(page) = page {
            let title = match item.get(b"Title").map(|o| deref(doc, o)) {
                Ok(Object::String(bytes, _)) => pdf_text(bytes),
                _ => String::new(),
            };
            out.push((page, title));
        }
        next = item.get(b"Next").ok().cloned();
    }
    out
}

/// The bytes of the file attached to `doc` under `name` (`pdf.attach` in typst), if any.
pub fn attachment(doc: &Document, name: &str) -> Option<Vec<u8>> {
    let names = doc
        .catalog()
        .ok()?
        .get(b"Names")
        .ok()
        .and_then(|o| deref_dict(doc, o))?;
    let tree = names
        .get(b"EmbeddedFiles")
        .ok()
        .and_then(|o| deref_dict(doc, o))?;
    let spec = find_name(doc, tree, name, 0)?;
    let ef = spec.get(b"EF").ok().and_then(|o| deref_dict(doc, o))?;
    let stream = [&b"F"[..], b"UF"]
        .iter()
        .find_map(|k| ef.get(k).ok())
        .map(|o| deref(doc, o))?
        .as_stream()
        .ok()?;
    stream.get_plain_content().ok()
}

/// The value under `name` in a PDF name tree.
fn find_name<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    name: &str,
    depth: usize,
) -> Option<&'a Dictionary> {
    if depth > 32 {
        return None;
    }
    if let Ok(Object::Array(pairs)) = node.get(b"Names").map(|o| deref(doc, o)) {
        for pair in pairs.chunks(2) {
            if let [Object::String(key, _), value] = pair {
                if pdf_text(key) == name {
                    return deref_dict(doc, value);
                }
            }
        }
    }
    if let Ok(Object::Array(kids)) = node.get(b"Kids").map(|o| deref(doc, o)) {
        for kid in kids {
            if let Some(found) =
                deref_dict(doc, kid).and_then(|k| find_name(doc, k, name, depth + 1))
            {
                return Some(found);
            }
        }
    }
    None
}

/// A PDF text string: UTF-16BE with its byte order mark, else taken as Latin-1.
fn pdf_text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `s` as a PDF text string (UTF-16BE with a byte order mark).
fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend(u.to_be_bytes());
    }
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// The page ranges of the papers in a bundle, from their starts and the page count.
pub fn paper_ranges(starts: &[(usize, String)], pages: usize) -> Vec<Range<usize>> {
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| s.0..starts.get(i + 1).map_or(pages, |n| n.0))
        .collect()
}

/// Every page's number from the document's page labels (decimal style only), in page order.
pub fn page_numbers(doc: &Document) -> Vec<Option<i64>> {
    let pages = page_count(doc);
    let mut entries: Vec<(usize, Option<i64>)> = Vec::new();
    if let Some(tree) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"PageLabels").ok())
        .and_then(|o| deref_dict(doc, o))
    {
        collect_labels(doc, tree, &mut entries, 0);
    }
    entries.sort_by_key(|e| e.0);
    let mut out = vec![None; pages];
    for (k, &(start, first)) in entries.iter().enumerate() {
        let end = entries.get(k + 1).map_or(pages, |e| e.0).min(pages);
        for (i, slot) in out.iter_mut().enumerate().take(end).skip(start) {
            *slot = first.map(|f| f + (i - start) as i64);
        }
    }
    out
}

fn collect_labels(
    doc: &Document,
    node: &Dictionary,
    out: &mut Vec<(usize, Option<i64>)>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    if let Ok(Object::Array(nums)) = node.get(b"Nums").map(|o| deref(doc, o)) {
        for pair in nums.chunks(2) {
            let [at, label] = pair else { continue };
            let Ok(at) = deref(doc, at).as_i64() else {
                continue;
            };
            let number = deref_dict(doc, label).and_then(|d| {
                let decimal =
                    matches!(d.get(b"S").map(|o| deref(doc, o)), Ok(Object::Name(n)) if n == b"D");
                decimal.then(|| d.get(b"St").ok().and_then(|o| o.as_i64().ok()).unwrap_or(1))
            });
            out.push((usize::try_from(at).unwrap_or(0), number));
        }
    }
    if let Ok(Object::Array(kids)) = node.get(b"Kids").map(|o| deref(doc, o)) {
        for kid in kids {
            if let Some(kid) = deref_dict(doc, kid) {
                collect_labels(doc, kid, out, depth + 1);
            }
        }
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

fn deref_dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, o).as_dict().ok()
}

/// Keys of a page that it may inherit from the page tree.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Builds a PDF from pages of other PDFs.
struct Assembly {
    out: Document,
    pages: Vec<ObjectId>,
    numbers: Vec<Option<i64>>,
    first: bool,
    catalog_extras: Option<Dictionary>,
    /// Bookmarks: a title and the index (in `pages`) of the page it opens.
    marks: Vec<(String, usize)>,
}

impl Assembly {
    fn new() -> Self {
        Assembly {
            out: Document::with_version("1.7"),
            pages: Vec::new(),
            numbers: Vec::new(),
            first: true,
            catalog_extras: None,
            marks: Vec::new(),
        }
    }

    /// Adds the pages `range` of `src` as one paper: numbered from 1 (pages typst left without a
    /// number, such as a blank back, stay so), under a bookmark `title` when it has one.
    fn add_paper(&mut self, src: &Document, range: Range<usize>, title: &str) {
        let at = self.pages.len();
        self.add(src, range);
        if !title.is_empty() {
            self.marks.push((title.to_string(), at));
        }
        for (k, n) in self.numbers[at..].iter_mut().enumerate() {
            if n.is_some() {
                *n = Some(k as i64 + 1);
            }
        }
    }

    /// Adds pages `range` of `src`, whose object numbers must not collide with those added before.
    fn add(&mut self, src: &Document, range: Range<usize>) {
        let ids: Vec<ObjectId> = src.get_pages().into_values().collect();
        let numbers = page_numbers(src);
        if self.first {
            self.first = false;
            self.out.version = src.version.clone();
            for key in [&b"Info"[..], b"ID"] {
                if let Ok(o) = src.trailer.get(key) {
                    self.out.trailer.set(key, o.clone());
                    self.copy_reachable(src, o);
                }
            }
            if let Ok(cat) = src.catalog() {
                let mut keep = Dictionary::new();
                for key in [&b"Lang"[..], b"Metadata", b"ViewerPreferences"] {
                    if let Ok(o) = cat.get(key) {
                        keep.set(key, o.clone());
                        self.copy_reachable(src, o);
                    }
                }
                self.catalog_extras = Some(keep);
            }
        }
        for i in range {
            let Some(&id) = ids.get(i) else { continue };
            let Ok(page) = src.get_dictionary(id) else {
                continue;
            };
            let mut page = page.clone();
            for key in INHERITED {
                if page.get(key).is_err() {
                    if let Some(o) = inherited(src, id, key) {
                        page.set(key, o.clone());
                    }
                }
            }
            page.remove(b"Parent");
            page.remove(b"StructParents");
            let page = Object::Dictionary(page);
            self.copy_reachable(src, &page);
            self.out.objects.insert(id, page);
            self.out.max_id = self.out.max_id.max(id.0);
            self.pages.push(id);
            self.numbers.push(numbers.get(i).copied().flatten());
        }
    }

    /// Copies every object `o` refers to, directly or not (never through a page's `Parent`).
    fn copy_reachable(&mut self, src: &Document, o: &Object) {
        let mut todo: Vec<ObjectId> = Vec::new();
        refs(o, &mut todo);
        let mut seen: BTreeSet<ObjectId> = BTreeSet::new();
        while let Some(id) = todo.pop() {
            if !seen.insert(id) || self.out.objects.contains_key(&id) {
                continue;
            }
            let Ok(obj) = src.get_object(id) else {
                continue;
            };
            refs(obj, &mut todo);
            self.out.objects.insert(id, obj.clone());
            self.out.max_id = self.out.max_id.max(id.0);
        }
    }

    fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        let pages_id = (self.out.max_id + 1, 0);
        let catalog_id = (self.out.max_id + 2, 0);
        self.out.max_id += 2;
        for id in &self.pages {
            if let Ok(Object::Dictionary(d)) = self.out.get_object_mut(*id) {
                d.set("Parent", Object::Reference(pages_id));
            }
        }
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set(
            "Kids",
            Object::Array(self.pages.iter().map(|&id| Object::Reference(id)).collect()),
        );
        pages.set("Count", Object::Integer(self.pages.len() as i64));
        self.out.objects.insert(pages_id, Object::Dictionary(pages));
        let mut catalog = self.catalog_extras.take().unwrap_or_default();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(pages_id));
        if self.numbers.iter().any(Option::is_some) {
            let mut nums = Vec::new();
            let mut prev: Option<Option<i64>> = None;
            for (i, &n) in self.numbers.iter().enumerate() {
                let continues = match (prev, n) {
                    (Some(Some(p)), Some(n)) => n == p + 1,
                    (Some(None), None) => true,
                    _ => false,
                };
                if !continues {
                    let mut label = Dictionary::new();
                    if let Some(n) = n {
                        label.set("S", Object::Name(b"D".to_vec()));
                        label.set("St", Object::Integer(n));
                    }
                    nums.push(Object::Integer(i as i64));
                    nums.push(Object::Dictionary(label));
                }
                prev = Some(n);
            }
            let mut tree = Dictionary::new();
            tree.set("Nums", Object::Array(nums));
            catalog.set("PageLabels", Object::Dictionary(tree));
        }
        if !self.marks.is_empty() {
            catalog.set("Outlines", Object::Reference(self.outline()));
        }
        self.out
            .objects
            .insert(catalog_id, Object::Dictionary(catalog));
        self.out.trailer.set("Root", Object::Reference(catalog_id));
        self.out.renumber_objects();
        let mut bytes = Vec::new();
        self.out
            .save_to(&mut bytes)
            .map_err(|e| PdfError::Write(lopdf::Error::IO(e)))?;
        Ok(bytes)
    }
}

impl Assembly {
    /// Writes the bookmarks as a flat outline; returns its root.
    fn outline(&mut self) -> ObjectId {
        let root = (self.out.max_id + 1, 0);
        let first = self.out.max_id + 2;
        let n = self.marks.len() as u32;
        self.out.max_id += 1 + n;
        for (k, (title, page)) in self.marks.iter().enumerate() {
            let k = k as u32;
            let mut item = Dictionary::new();
            item.set("Title", text_string(title));
            item.set("Parent", Object::Reference(root));
            if k > 0 {
                item.set("Prev", Object::Reference((first + k - 1, 0)));
            }
            if k + 1 < n {
                item.set("Next", Object::Reference((first + k + 1, 0)));
            }
            item.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(self.pages[*page]),
                    Object::Name(b"Fit".to_vec()),
                ]),
            );
            self.out
                .objects
                .insert((first + k, 0), Object::Dictionary(item));
        }
        let mut outlines = Dictionary::new();
        outlines.set("Type", Object::Name(b"Outlines".to_vec()));
        outlines.set("First", Object::Reference((first, 0)));
        outlines.set("Last", Object::Reference((first + n - 1, 0)));
        outlines.set("Count", Object::Integer(i64::from(n)));
        self.out.objects.insert(root, Object::Dictionary(outlines));
        root
    }
}

/// A key a page inherits from its ancestors in the page tree.
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..64 {
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
        if let Ok(o) = node.get(key) {
            return Some(o);
        }
    }
    None
}

/// The objects `o` refers to, not following a page's link to its parent.
fn refs(o: &Object, out: &mut Vec<ObjectId>) {
    match o {
        Object::Reference(id) => out.push(*id),
        Object::Array(a) => a.iter().for_each(|x| refs(x, out)),
        Object::Dictionary(d) => dict_refs(d, out),
        Object::Stream(s) => dict_refs(&s.dict, out),
        _ => {}
    }
}

fn dict_refs(d: &Dictionary, out: &mut Vec<ObjectId>) {
    let is_page = matches!(d.get(b"Type"), Ok(Object::Name(n)) if n == b"Page" || n == b"Pages");
    for (k, v) in d.iter() {
        if is_page && k == b"Parent" {
            continue;
        }
        refs(v, out);
    }
}

/// Joins whole documents, pages in order; the first gives the metadata.
pub struct Joiner(Assembly);

impl Default for Joiner {
    fn default() -> Self {
        Joiner(Assembly::new())
    }
}

impl Joiner {
    /// Appends every page of `doc`.
    pub fn add(&mut self, mut doc: Document) {
        doc.renumber_objects_with(self.0.out.max_id + 1);
        let n = page_count(&doc);
        self.0.add(&doc, 0..n);
    }

    /// Appends the papers of a bundle, found by [`paper_starts`]: each numbered from 1 and
    /// bookmarked by its title.
    pub fn add_papers(&mut self, mut doc: Document, starts: &[(usize, String)]) {
        doc.renumber_objects_with(self.0.out.max_id + 1);
        for (r, (_, title)) in paper_ranges(starts, page_count(&doc))
            .into_iter()
            .zip(starts)
        {
            self.0.add_paper(&doc, r, title);
        }
    }

    /// The joined PDF.
    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        self.0.finish()
    }
}

/// Pages `range` of `doc` as a paper of its own, numbered from 1 and bookmarked by `title`.
pub fn extract(doc: &Document, range: Range<usize>, title: &str) -> Result<Vec<u8>, PdfError> {
    let mut a = Assembly::new();
    a.add_paper(doc, range, title);
    a.finish()
}

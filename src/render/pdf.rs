//! Joining and cutting the PDFs typst writes: batches into one print file, a bundle into one PDF
//! per paper. Works on bytes; the caller reads and writes the files.
//!
//! Papers are found by their page labels: every paper restarts its page counter, so its first
//! page is labelled 1 (typst writes the labels because the paper template numbers its pages).

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
    #[error("a bundle of {expected} paper(s) shows {found} paper start(s) (pages numbered 1)")]
    Papers { expected: usize, found: usize },
}

impl PdfError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            PdfError::Papers { .. } => Some("a paper template must number its pages (`numbering` in `set page`) and restart the count with `counter(page).update(1)`, as the built-in paper.typ.j2 does; or print without --split".into()),
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

/// The first page (from 0) of each of `expected` papers in a bundle.
pub fn paper_starts(doc: &Document, expected: usize) -> Result<Vec<usize>, PdfError> {
    let starts: Vec<usize> = page_numbers(doc)
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Some(1))
        .map(|(i, _)| i)
        .collect();
    if starts.len() != expected || starts.first().is_some_and(|&s| s != 0) {
        return Err(PdfError::Papers {
            expected,
            found: starts.len(),
        });
    }
    Ok(starts)
}

/// The page ranges of the papers in a bundle, from their starts and the page count.
pub fn paper_ranges(starts: &[usize], pages: usize) -> Vec<Range<usize>> {
    starts
        .iter()
        .enumerate()
        .map(|(i, &s)| s..starts.get(i + 1).copied().unwrap_or(pages))
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
}

impl Assembly {
    fn new() -> Self {
        Assembly {
            out: Document::with_version("1.7"),
            pages: Vec::new(),
            numbers: Vec::new(),
            first: true,
            catalog_extras: None,
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

    /// The joined PDF.
    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        self.0.finish()
    }
}

/// Pages `range` of `doc` as a document of their own.
pub fn extract(doc: &Document, range: Range<usize>) -> Result<Vec<u8>, PdfError> {
    let mut a = Assembly::new();
    a.add(doc, range);
    a.finish()
}

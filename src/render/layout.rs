//! `sheet.layout.json`: where typst placed every box of the answer sheet, and the exam identifier
//! printed on it. Built from the `<omr>` metadata tags that the sheet template places at each box
//! (read back with `typst eval`), never recomputed by hand.

use crate::draw::manifest::Manifest;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The layout file written beside sheet.pdf.
pub const LAYOUT_FILE: &str = "sheet.layout.json";
/// The blank sheet rendered at [`BLANK_PX_PER_MM`], written beside sheet.pdf: the reader compares
/// each box of a scan with it, so printed letters and borders never count as pencil.
pub const BLANK_FILE: &str = "sheet.blank.png";
/// Pixels per millimetre of [`BLANK_FILE`].
pub const BLANK_PX_PER_MM: f64 = 8.0;
/// The typst expression that lists the tags.
pub const QUERY: &str = "query(<omr>).map(it => it.value)";
/// Bits of the identifier: 32 of the digest, then 8 check bits.
pub const CODE_BITS: usize = 40;

const PT_MM: f64 = 25.4 / 72.0;

/// A box on the page, in mm from the page's top-left corner, y down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub page: u32,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The page size in mm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageSize {
    pub w: f64,
    pub h: f64,
}

/// One of the four corner marks; `tl` is the one with a hole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CornerBox {
    pub corner: String,
    #[serde(flatten)]
    pub rect: Rect,
}

/// A box of the candidate-number grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigitBox {
    pub col: u32,
    pub digit: u32,
    #[serde(flatten)]
    pub rect: Rect,
}

/// A paper-code box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperBox {
    pub option: String,
    #[serde(flatten)]
    pub rect: Rect,
}

/// An answer box: `option` as printed (A, √), `value` as written in the CSV (A, T).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemBox {
    pub item: u32,
    pub option: String,
    pub value: String,
    #[serde(flatten)]
    pub rect: Rect,
}

/// A cell of the exam identifier; `value` 1 is printed filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeBit {
    pub bit: u32,
    pub value: u8,
    #[serde(flatten)]
    pub rect: Rect,
}

/// The exam identifier printed on the sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamCode {
    /// The 32 digest bits as 8 hex digits.
    pub id: String,
    pub bits: Vec<CodeBit>,
}

/// Everything a reader needs to find the boxes of a scanned sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetLayout {
    /// The paper codes this sheet serves: with a paper per candidate, the candidates' (whose
    /// sheets have their numbers pre-marked and no paper-code boxes); else the codes printed in
    /// its paper-code boxes (pre-marked when each code has a sheet of its own).
    #[serde(default)]
    pub papers: Vec<String>,
    /// The blank rendering of this sheet, beside the layout file (see [`BLANK_FILE`]).
    #[serde(default = "blank_default")]
    pub blank: String,
    pub page: PageSize,
    pub corners: Vec<CornerBox>,
    pub candidate: Vec<DigitBox>,
    pub paper: Vec<PaperBox>,
    pub items: Vec<ItemBox>,
    pub code: ExamCode,
}

fn blank_default() -> String {
    BLANK_FILE.to_string()
}

/// `sheet.layout.json`: every sheet of the exam. Papers whose items agree in kind at every
/// number share one sheet; papers that differ get a sheet each, told apart by the identifier
/// printed on them ([`sheet_code`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetSet {
    pub sheets: Vec<SheetLayout>,
}

/// The blank image of sheet `k` of `n`.
pub fn blank_name(k: usize, n: usize) -> String {
    if n <= 1 {
        BLANK_FILE.to_string()
    } else {
        format!("sheet-{}.blank.png", k + 1)
    }
}

/// The identifier printed on sheet `k` of the exam: the exam's own ([`exam_code`]) on the first
/// sheet, and for each further sheet the first 32 bits of the SHA-256 of the manifest and `k`, so a
/// scan names the sheet (and so the layout) it was printed from.
pub fn sheet_code(m: &Manifest, k: usize) -> u32 {
    if k == 0 {
        return exam_code(m);
    }
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(m).unwrap_or_default());
    h.update(b"\0sheet\0");
    h.update((k as u64).to_be_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// What is wrong with the tags typst reported.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LayoutError {
    #[error("the sheet's layout tags are not readable: {0}")]
    Json(String),
    #[error("the sheet has {found} tag(s) of kind `{kind}`, expected {expected}")]
    Count {
        kind: &'static str,
        found: usize,
        expected: String,
    },
    #[error("the sheet has a tag of unknown kind `{0}`")]
    Kind(String),
    #[error("the sheet spans {0} pages; a sheet must be a single page")]
    Pages(u32),
    #[error("the identifier printed on the sheet is {printed}, but the exam's is {expected}")]
    Code { printed: String, expected: String },
}

impl LayoutError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            LayoutError::Pages(_) => "an answer sheet holds at most about 150 choice items on one A4 page; move items to the paper or use a shorter blueprint".into(),
            _ => "the sheet template must keep its `omr_tag` calls (one per box, one per corner mark, one per identifier cell); compare it with `examforge init`'s copy".into(),
        }
    }
}

#[derive(Deserialize)]
struct Tag {
    id: TagId,
    page: u32,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

#[derive(Deserialize)]
struct TagId {
    kind: String,
    corner: Option<String>,
    col: Option<u32>,
    digit: Option<u32>,
    option: Option<String>,
    item: Option<u32>,
    value: Option<serde_json::Value>,
    bit: Option<u32>,
}

fn mm(pt: f64) -> f64 {
    (pt * PT_MM * 1000.0).round() / 1000.0
}

impl SheetLayout {
    /// Builds the layout from `typst eval`'s JSON output of [`QUERY`] (points), checking that the
    /// printed identifier is `expected` (see [`exam_code`]).
    pub fn from_tags(json: &str, expected: u32) -> Result<Self, LayoutError> {
        let tags: Vec<Tag> =
            serde_json::from_str(json).map_err(|e| LayoutError::Json(e.to_string()))?;
        let mut page = None;
        let mut l = SheetLayout {
            papers: Vec::new(),
            blank: BLANK_FILE.to_string(),
            page: PageSize { w: 0.0, h: 0.0 },
            corners: Vec::new(),
            candidate: Vec::new(),
            paper: Vec::new(),
            items: Vec::new(),
            code: ExamCode {
                id: format!("{expected:08x}"),
                bits: Vec::new(),
            },
        };
        let mut pages = 1;
        for t in tags {
            let rect = Rect {
                page: t.page,
                x: mm(t.x),
                y: mm(t.y),
                w: mm(t.w),
                h: mm(t.h),
            };
            pages = pages.max(t.page);
            let id = t.id;
            match id.kind.as_str() {
                "page" => {
                    page = Some(PageSize {
                        w: rect.w,
                        h: rect.h,
                    });
                }
                "corner" => l.corners.push(CornerBox {
                    corner: id.corner.unwrap_or_default(),
                    rect,
                }),
                "candidate" => l.candidate.push(DigitBox {
                    col: id.col.unwrap_or(0),
                    digit: id.digit.unwrap_or(0),
                    rect,
                }),
                "paper" => l.paper.push(PaperBox {
                    option: id.option.unwrap_or_default(),
                    rect,
                }),
                "item" => l.items.push(ItemBox {
                    item: id.item.unwrap_or(0),
                    option: id.option.unwrap_or_default(),
                    value: match id.value {
                        Some(serde_json::Value::String(s)) => s,
                        Some(v) => v.to_string(),
                        None => String::new(),
                    },
                    rect,
                }),
                "code" => l.code.bits.push(CodeBit {
                    bit: id.bit.unwrap_or(0),
                    value: id.value.and_then(|v| v.as_u64()).unwrap_or(0) as u8,
                    rect,
                }),
                other => return Err(LayoutError::Kind(other.to_string())),
            }
        }
        if pages > 1 {
            return Err(LayoutError::Pages(pages));
        }
        l.page = page.ok_or(LayoutError::Count {
            kind: "page",
            found: 0,
            expected: "1".into(),
        })?;
        let order = ["tl", "tr", "bl", "br"];
        l.corners
            .sort_by_key(|c| order.iter().position(|o| *o == c.corner));
        let names: Vec<&str> = l.corners.iter().map(|c| c.corner.as_str()).collect();
        if names != order {
            return Err(LayoutError::Count {
                kind: "corner",
                found: l.corners.len(),
                expected: "4 (tl, tr, bl, br)".into(),
            });
        }
        l.candidate.sort_by_key(|b| (b.col, b.digit));
        l.items.sort_by(|a, b| {
            (a.item, a.rect.x)
                .partial_cmp(&(b.item, b.rect.x))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        l.code.bits.sort_by_key(|b| b.bit);
        if l.code.bits.len() != CODE_BITS {
            return Err(LayoutError::Count {
                kind: "code",
                found: l.code.bits.len(),
                expected: CODE_BITS.to_string(),
            });
        }
        let bits: Vec<u8> = l.code.bits.iter().map(|b| b.value).collect();
        let printed = decode_bits(&bits);
        if printed != Some(expected) {
            return Err(LayoutError::Code {
                printed: printed.map_or_else(|| "unreadable".into(), |p| format!("{p:08x}")),
                expected: format!("{expected:08x}"),
            });
        }
        Ok(l)
    }

    /// The items in number order, each with its boxes left to right.
    pub fn item_groups(&self) -> Vec<(u32, Vec<&ItemBox>)> {
        let mut out: Vec<(u32, Vec<&ItemBox>)> = Vec::new();
        for b in &self.items {
            match out.last_mut() {
                Some((n, v)) if *n == b.item => v.push(b),
                _ => out.push((b.item, vec![b])),
            }
        }
        out
    }

    /// The columns of the candidate-number grid.
    pub fn candidate_columns(&self) -> u32 {
        self.candidate.iter().map(|b| b.col + 1).max().unwrap_or(0)
    }
}

/// The exam's identifier: the first 32 bits of the SHA-256 of its manifest.
pub fn exam_code(m: &Manifest) -> u32 {
    let bytes = serde_json::to_vec(m).unwrap_or_default();
    let d = Sha256::digest(&bytes);
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// CRC-8 (polynomial 0x07) of the identifier's four bytes: a misread cell changes it.
pub fn crc8(code: u32) -> u8 {
    crc8_bytes(&code.to_be_bytes())
}

fn crc8_bytes(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &byte in bytes {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The cells printed for `code`, most significant bit first: 32 code bits then 8 check bits.
pub fn encode_bits(code: u32) -> Vec<u8> {
    let check = crc8(code);
    (0..32)
        .map(|i| ((code >> (31 - i)) & 1) as u8)
        .chain((0..8).map(|i| (check >> (7 - i)) & 1))
        .collect()
}

/// The identifier read back from its cells, `None` when the check bits disagree.
pub fn decode_bits(bits: &[u8]) -> Option<u32> {
    if bits.len() != CODE_BITS {
        return None;
    }
    let code = bits[..32]
        .iter()
        .fold(0u32, |acc, &b| (acc << 1) | u32::from(b & 1));
    let check = bits[32..].iter().fold(0u8, |acc, &b| (acc << 1) | (b & 1));
    (crc8(code) == check).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips_and_a_flipped_cell_is_caught() {
        for code in [0u32, 1, 0xdead_beef, u32::MAX, 0x1234_5678] {
            let bits = encode_bits(code);
            assert_eq!(bits.len(), CODE_BITS);
            assert_eq!(decode_bits(&bits), Some(code));
            for i in 0..CODE_BITS {
                let mut b = bits.clone();
                b[i] ^= 1;
                assert_eq!(decode_bits(&b), None, "flip of bit {i} of {code:08x}");
            }
        }
    }

    #[test]
    fn crc8_matches_the_standard_check_value() {
        // the catalogued check value of CRC-8/SMBUS
        assert_eq!(crc8_bytes(b"123456789"), 0xF4);
    }

    fn tag(kind: &str, extra: &str, x: f64) -> String {
        format!(
            r#"{{"id": {{"kind": "{kind}"{extra}}}, "page": 1, "x": {x}, "y": 72.0, "w": 14.17, "h": 10.2}}"#
        )
    }

    fn tags(code: u32) -> Vec<String> {
        let mut t = vec![
            r#"{"id": {"kind": "page"}, "page": 1, "x": 0, "y": 0, "w": 595.2756, "h": 841.8898}"#
                .to_string(),
        ];
        for c in ["br", "tl", "tr", "bl"] {
            t.push(tag("corner", &format!(r#", "corner": "{c}""#), 34.0));
        }
        for (i, b) in encode_bits(code).iter().enumerate() {
            t.push(tag(
                "code",
                &format!(r#", "bit": {i}, "value": {b}"#),
                100.0,
            ));
        }
        t.push(tag(
            "item",
            r#", "item": 2, "option": "×", "value": "F""#,
            90.0,
        ));
        t.push(tag(
            "item",
            r#", "item": 2, "option": "√", "value": "T""#,
            80.0,
        ));
        t.push(tag(
            "item",
            r#", "item": 1, "option": "A", "value": "A""#,
            80.0,
        ));
        t
    }

    #[test]
    fn tags_become_millimetres_in_order() {
        let json = format!("[{}]", tags(0xabcd_0123).join(","));
        let l = SheetLayout::from_tags(&json, 0xabcd_0123).unwrap();
        assert_eq!(l.page, PageSize { w: 210.0, h: 297.0 });
        assert_eq!(
            l.corners
                .iter()
                .map(|c| c.corner.as_str())
                .collect::<Vec<_>>(),
            ["tl", "tr", "bl", "br"]
        );
        assert_eq!(l.corners[0].rect.x, 11.994);
        assert_eq!(l.corners[0].rect.y, 25.4);
        let g = l.item_groups();
        assert_eq!(g.len(), 2);
        assert_eq!(g[1].1[0].value, "T");
        assert_eq!(g[1].1[1].option, "×");
        assert_eq!(l.code.id, "abcd0123");
    }

    #[test]
    fn a_sheet_of_another_exam_or_missing_marks_is_refused() {
        let json = format!("[{}]", tags(7).join(","));
        assert!(matches!(
            SheetLayout::from_tags(&json, 8),
            Err(LayoutError::Code { .. })
        ));
        let mut t = tags(7);
        t.remove(1);
        let json = format!("[{}]", t.join(","));
        assert!(matches!(
            SheetLayout::from_tags(&json, 7),
            Err(LayoutError::Count { kind: "corner", .. })
        ));
    }
}

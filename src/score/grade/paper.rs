//! Which paper a row was written on: its code, a scanner's key version number, or (for
//! per-candidate papers) the candidate id.

use super::Rejection;
use crate::draw::manifest::Manifest;
use crate::sheet::SheetRow;
use std::collections::HashMap;

/// Paper codes of a manifest, for looking rows up.
pub(super) struct Papers<'a> {
    manifest: &'a Manifest,
    by_code: HashMap<&'a str, usize>,
}

impl<'a> Papers<'a> {
    pub(super) fn new(manifest: &'a Manifest) -> Self {
        let by_code = manifest
            .papers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.as_str(), i))
            .collect();
        Papers { manifest, by_code }
    }

    /// The index of the paper `row` was written on.
    pub(super) fn find(&self, row: &SheetRow) -> Result<usize, Rejection> {
        let papers = &self.manifest.papers;
        let code = row.paper.trim();
        if code.is_empty() {
            if papers.len() == 1 {
                return Ok(0);
            }
            if let Some(&i) = self.by_code.get(row.candidate.trim()) {
                return Ok(i);
            }
            return Err(Rejection::NoPaperCode {
                papers: papers.len(),
            });
        }
        if let Some(&i) = self.by_code.get(code) {
            return Ok(i);
        }
        // Scanners number their key versions: 1 is paper A, 2 is paper B …
        if let Ok(k) = code.parse::<usize>() {
            if (1..=papers.len()).contains(&k) && papers[k - 1].candidate.is_none() {
                return Ok(k - 1);
            }
        }
        papers
            .iter()
            .position(|p| p.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                let known: Vec<&str> = papers.iter().take(8).map(|p| p.code.as_str()).collect();
                Rejection::UnknownPaper {
                    code: code.to_string(),
                    known: format!(
                        "{}{}",
                        known.join(", "),
                        if papers.len() > 8 { ", …" } else { "" }
                    ),
                }
            })
    }
}

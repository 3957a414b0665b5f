//! Reading exam.json, for every verb that prints, grades, scans or reports from it.

use crate::draw::manifest::Manifest;
use crate::draw::manifest_check::{check, check_format, ManifestError};
use crate::io::read;
use crate::Error;
use std::path::Path;

/// Reads an exam.json and checks it before anything is printed or graded from it: its format
/// version first (a newer one may not even parse), then every invariant a draw guarantees.
pub fn read(path: &Path) -> Result<Manifest, Error> {
    #[derive(serde::Deserialize)]
    struct Head {
        format: u32,
        #[serde(default)]
        tool: String,
    }
    let text = read::text(path)?;
    let not_ours = |e: serde_json::Error| {
        Error::json(
            path,
            "an examforge exam.json",
            "give the exam.json that `examforge draw` wrote",
            e,
        )
    };
    let head: Head = serde_json::from_str(&text).map_err(not_ours)?;
    let unusable = |problems: Vec<ManifestError>| Error::Manifest {
        path: path.to_path_buf(),
        problems,
    };
    check_format(head.format, &head.tool).map_err(|e| unusable(vec![e]))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(not_ours)?;
    check(&manifest).map_err(unusable)?;
    Ok(manifest)
}

/// SHA-256 of exam.json's bytes: results.json records it, so that a report never reads results
/// against another exam.
pub fn sha256(path: &Path) -> Result<String, Error> {
    Ok(crate::digest::sha256_hex(&read::bytes(path)?))
}

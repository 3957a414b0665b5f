//! Finding and reading the statute registry (`laws.toml`) and today's date for the commands
//! that check citations (`bank check`, dated `draw`).

use super::banks::hex;
use crate::law::{Date, Registry};
use crate::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The file name looked for beside the banks.
pub const REGISTRY_FILE: &str = "laws.toml";

/// A registry read from disk.
pub struct Found {
    pub registry: Registry,
    /// The path as shown to the user.
    pub shown: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// Reads the registry: `explicit` if given, else the first `laws.toml` found in the given
/// folders or beside the given files. `None` when there is none.
pub fn find(explicit: Option<&Path>, near: &[PathBuf]) -> Result<Option<Found>, Error> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => near
            .iter()
            .map(|p| {
                if p.is_dir() {
                    p.join(REGISTRY_FILE)
                } else {
                    p.parent().unwrap_or(Path::new("")).join(REGISTRY_FILE)
                }
            })
            .find(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(None);
    };
    read(&path).map(Some)
}

/// Reads and checks one registry file; its errors are printed with file:line:col.
pub fn read(path: &Path) -> Result<Found, Error> {
    let bytes = crate::io::read::bytes(path)?;
    let shown = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::input(
            format!(
                "{shown}: not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            "save the registry as UTF-8",
        )
    })?;
    let registry = Registry::parse(&shown, text).map_err(|diags| {
        for d in &diags {
            eprintln!("{d}");
        }
        Error::Reported {
            count: diags.len(),
            what: format!("the statute registry `{shown}`"),
        }
    })?;
    Ok(Found {
        registry,
        shown,
        sha256: hex(&Sha256::digest(&bytes)),
    })
}

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days((secs / 86_400) as i64)
}

/// Whether a TOML file is a statute registry rather than a bank.
pub fn is_registry(text: &str) -> bool {
    let has = |h: &str| text.lines().any(|l| l.trim_start().starts_with(h));
    has("[[instrument]]") && !has("[bank]")
}

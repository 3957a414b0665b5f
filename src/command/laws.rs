//! Finding and reading the statute registry (`laws.toml`) and today's date for the commands
//! that check citations (`bank check`, dated `draw`).

use crate::input::diagnostic::Lang;
use crate::law::{Date, Registry};
use crate::Error;
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
        None => locate(near),
    };
    let Some(path) = path else {
        return Ok(None);
    };
    read(&path).map(Some)
}

/// The first `laws.toml` in the given folders or beside the given files.
pub fn locate(near: &[PathBuf]) -> Option<PathBuf> {
    near.iter()
        .map(|p| {
            if p.is_dir() {
                p.join(REGISTRY_FILE)
            } else {
                p.parent().unwrap_or(Path::new("")).join(REGISTRY_FILE)
            }
        })
        .find(|p| p.is_file())
}

/// Reads and checks one registry file; its errors are printed with file:line:col.
pub fn read(path: &Path) -> Result<Found, Error> {
    let bytes = crate::io::read::bytes(path)?;
    let shown = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::not_utf8(path, &bytes, &e))?;
    let registry = Registry::parse(&shown, text).map_err(|diags| {
        for d in &diags {
            eprintln!("{d}");
        }
        Error::Reported {
            count: diags.len(),
            what: format!("the statute registry `{shown}`"),
            zh: (Lang::of_diagnostics(&diags) == Lang::Zh)
                .then(|| format!("法规登记表 `{shown}` 中有 {} 处错误", diags.len())),
        }
    })?;
    Ok(Found {
        registry,
        shown,
        sha256: crate::digest::sha256_hex(&bytes),
    })
}

/// Today's date where the user is (the system's time zone): a trainer in Beijing at 07:00 sits
/// the exam of that day, not of the day before in UTC.
pub fn today() -> Date {
    day_of(&chrono::Local::now())
}

/// The calendar day of an instant in its own time zone.
fn day_of<Tz: chrono::TimeZone>(at: &chrono::DateTime<Tz>) -> Date {
    use chrono::Datelike;
    let d = at.date_naive();
    Date {
        year: u16::try_from(d.year()).unwrap_or(0),
        month: d.month() as u8,
        day: d.day() as u8,
    }
}

/// Whether a TOML file is a statute registry rather than a bank.
pub fn is_registry(text: &str) -> bool {
    let has = |h: &str| text.lines().any(|l| l.trim_start().starts_with(h));
    has("[[instrument]]") && !has("[bank]")
}

#[cfg(test)]
mod tests {
    use super::day_of;
    use chrono::{FixedOffset, TimeZone, Utc};

    #[test]
    fn today_is_the_users_day_not_utcs() {
        // 07:30 on 15 August in Beijing is still 14 August in UTC.
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let morning = beijing.with_ymd_and_hms(2026, 8, 15, 7, 30, 0).unwrap();
        assert_eq!(day_of(&morning).to_string(), "2026-08-15");
        assert_eq!(
            day_of(&morning.with_timezone(&Utc)).to_string(),
            "2026-08-14"
        );
    }
}

//! End-to-end tests: each reads as a user's session with the `examforge` binary.

mod bank;
mod bank_import;
mod draw;
mod event;
mod grade;
mod inputs;
mod law;
mod render;
mod report;
mod scan;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The binary, run from the repository root, which it only reads (banks, fixtures): every test
/// writes into a temporary folder (`-o`, or a temporary working folder), so outputs left in the
/// repository by `make` or by hand change nothing.
pub fn examforge() -> Command {
    let mut c = Command::cargo_bin("examforge").expect("binary built");
    c.current_dir(root());
    c.env_remove("EXAMFORGE_SEED");
    c
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Text of a PDF, through pdftotext.
pub fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed (poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

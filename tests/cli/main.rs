//! End-to-end tests: each reads as a user's session with the `examforge` binary.

mod appeals;
mod bank;
mod bank_import;
mod bank_scale;
mod draw;
mod event;
mod event_project;
mod grade;
mod inputs;
mod law;
mod render;
mod report;
mod scan;
mod setup;

use assert_cmd::Command;
pub use setup::*;
use std::path::{Path, PathBuf};

/// The binary as a user runs it: in a working folder outside the repository (so the
/// repository's templates/ is not picked up, and the embedded templates are what is printed),
/// with an environment holding none of examforge's variables. The folder holds links to the
/// repository's inputs (question-banks/, tests/, scripts/, examples/), which the tests name by
/// relative path and only read; every test writes into a temporary folder of its own (`-o`, or a
/// temporary working folder).
pub fn examforge() -> Command {
    let mut c = Command::cargo_bin("examforge").expect("binary built");
    user_env(&mut c).current_dir(workdir());
    c
}

/// A clean environment: PATH (for typst), HOME and TMPDIR, nothing else (no EXAMFORGE_SEED,
/// EXAMFORGE_TEMPLATES, EXAMFORGE_TYPST…).
pub fn user_env(c: &mut Command) -> &mut Command {
    c.env_clear();
    for key in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            c.env(key, v);
        }
    }
    c
}

/// The working folder of [`examforge`]: made once per build, under the target folder.
pub fn workdir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-workdir");
        std::fs::create_dir_all(&dir).expect("working folder");
        for name in ["question-banks", "tests", "scripts", "examples"] {
            let link = dir.join(name);
            if std::fs::symlink_metadata(&link).is_err() {
                // Another test binary may have made it in the meantime.
                let _ = std::os::unix::fs::symlink(root().join(name), &link);
            }
            assert!(
                link.join(".").exists(),
                "{} links to the repository",
                link.display()
            );
        }
        assert!(
            !dir.join("templates").exists(),
            "no templates/ in the working folder"
        );
        dir
    })
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

//! The error every command can return, and how it is printed.

use std::path::PathBuf;

/// A failure that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An output exists and `--force` was not given.
    #[error("`{}` already exists", path.display())]
    Exists { path: PathBuf },
    /// Input files hold errors that were already printed as diagnostics.
    #[error("{count} error(s) in {what}")]
    Reported { count: usize, what: String },
    /// Bad input, with what to do about it.
    #[error("{message}")]
    Input {
        message: String,
        hint: Option<String>,
    },
    /// An input file with errors, each at its `file:line:col` with a hint.
    #[error(transparent)]
    Diagnostics(#[from] crate::diagnostic::Diagnostics),
    /// An exam.json that breaks what a draw guarantees, or was made by a newer examforge.
    #[error("{}: cannot be used{}", path.display(), list_problems(problems))]
    Manifest {
        path: PathBuf,
        problems: Vec<crate::draw::manifest_check::ManifestError>,
    },
    /// typst could not be found, started or used, or failed on a source.
    #[error(transparent)]
    Typst(#[from] crate::io::typst::TypstError),
    /// The machine lacks something (an external tool, a font).
    #[error("{message}")]
    Environment {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    /// Bad input with a hint.
    pub fn input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// The exit status: 1 for invalid input, 2 for the environment.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Environment { .. } => 2,
            Error::Typst(e) if e.is_environment() => 2,
            _ => 1,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Exists { .. } => {
                Some("pass --force to overwrite, or choose another folder with -o".into())
            }
            Error::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path; relative paths start from the current folder".into())
            }
            Error::Input { hint, .. } | Error::Environment { hint, .. } => hint.clone(),
            Error::Diagnostics(d) => d.hint(),
            Error::Typst(e) => e.hint(),
            Error::Manifest { problems, .. } => problems.first().map(|p| p.hint()),
            _ => None,
        }
    }
}

/// `: problem` for one, or a count and one problem a line.
fn list_problems(problems: &[crate::draw::manifest_check::ManifestError]) -> String {
    match problems {
        [one] => format!(": {one}"),
        many => {
            let mut s = format!(" ({} problems):", many.len());
            for p in many {
                s.push_str(&format!("\n  - {p}"));
            }
            s
        }
    }
}

/// Prints `error: …`, its `caused by:` chain and a `hint:` to stderr.
pub fn print(e: &Error) {
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        eprintln!("caused by: {s}");
        source = s.source();
    }
    if let Some(h) = e.hint() {
        eprintln!("hint: {h}");
    }
}

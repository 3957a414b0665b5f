//! File helpers for commands: reading with the path in the error, atomic writes, `--force`.

use crate::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a file's bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a UTF-8 text file (a BOM is dropped).
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = read(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| Error::not_utf8(path, bytes, &e.utf8_error()))
}

/// The outputs of one command: checked for existence before anything is written, then
/// each written atomically (a temporary file in the same folder, renamed into place).
pub struct Outputs {
    dir: PathBuf,
    force: bool,
}

impl Outputs {
    /// Outputs under `dir`; `force` allows replacing existing files.
    pub fn new(dir: &Path, force: bool) -> Self {
        Outputs {
            dir: dir.to_path_buf(),
            force,
        }
    }

    /// The path of output `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Fails when any of `names` exists and `--force` was not given.
    pub fn check_free<S: AsRef<str>>(&self, names: &[S]) -> Result<(), Error> {
        if self.force {
            return Ok(());
        }
        for n in names {
            let p = self.path(n.as_ref());
            if p.exists() {
                return Err(Error::Exists { path: p });
            }
        }
        Ok(())
    }

    /// Writes `name` atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let path = self.path(name);
        write_atomic(&path, bytes, self.force)?;
        Ok(path)
    }
}

/// Writes `path` through a temporary file and a rename, so that no reader sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let wrap = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(wrap)?;
    let mut tmp = output_tempfile(dir, ".examforge-").map_err(wrap)?;
    tmp.write_all(bytes).map_err(wrap)?;
    tmp.as_file().sync_all().map_err(wrap)?;
    if force {
        tmp.persist(path).map_err(|e| wrap(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                wrap(e.error)
            }
        })?;
    }
    Ok(())
}

/// A temporary file in `dir` that becomes an output by a rename: created with mode 0666 less
/// the umask (typically 0644), like any file the user writes, not tempfile's private 0600.
pub fn output_tempfile(dir: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Writes `bytes` to standard output. A reader that went away (`examforge man | head`) is not
/// an error: the rest is not wanted.
pub fn to_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

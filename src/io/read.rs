//! Reading input files with the path in the error.

use crate::Error;
use std::path::Path;

/// A file's bytes.
pub fn bytes(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A UTF-8 text file (a BOM is dropped).
pub fn text(path: &Path) -> Result<String, Error> {
    let bytes = bytes(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| Error::not_utf8(path, bytes, &e.utf8_error()))
}

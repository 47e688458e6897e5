//! File helpers shared by every command: reading inputs with a useful error,
//! and writing outputs whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};

/// An error reading or writing a file, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("failed to write `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads a whole UTF-8 file.
pub fn read_to_string(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Writes `bytes` to `path` atomically: into a temporary file in the same
/// folder, then renamed over the target. A reader sees the old file or the
/// new one, never a partial one, and a failure leaves no file behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".wcompose-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // The rename is what makes the write whole-or-nothing for readers and
    // for a killed process; no fsync, as with other build tools, since it
    // costs more than the rest of a compose on a busy disk.
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

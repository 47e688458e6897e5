//! The user's cache folder, which holds what wcompose worked out once and
//! need not work out again: compiled code for `run` and `serve`
//! ([`run::Cache`](crate::run::Cache)), and the core modules whose function
//! bodies passed validation ([`KnownValid`](crate::known_valid::KnownValid)).
//! Each entry is named by a hash of everything it depends on, so an entry
//! is found again only for the same input under the same rules.

use std::path::{Path, PathBuf};

/// The variable that overrides where the cache lives.
pub const CACHE_DIR_ENV: &str = "WCOMPOSE_CACHE_DIR";

/// The cache folder: `$WCOMPOSE_CACHE_DIR`, else the platform's cache
/// folder (`$XDG_CACHE_HOME/wcompose` or `~/.cache/wcompose` on Linux,
/// `~/Library/Caches/wcompose` on macOS, `%LOCALAPPDATA%\wcompose` on
/// Windows). `None` when none of these can be found.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var(CACHE_DIR_ENV) {
        return Some(dir);
    }
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| d.join("wcompose"));
    }
    if cfg!(target_os = "macos") {
        return var("HOME").map(|d| d.join("Library").join("Caches").join("wcompose"));
    }
    var("XDG_CACHE_HOME")
        .filter(|d| d.is_absolute())
        .or_else(|| var("HOME").map(|d| d.join(".cache")))
        .map(|d| d.join("wcompose"))
}

/// Creates `dir` and its parents, readable and writable by the user
/// alone (on Unix), as a cache that holds code to run must be.
#[cfg(unix)]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// A key as a file name: lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

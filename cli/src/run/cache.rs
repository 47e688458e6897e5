//! The precompiled-code cache: compiled components on disk, so that a warm
//! run deserializes machine code instead of compiling it.
//!
//! A cache file is named by a key, the SHA-256 of the input bytes (before
//! any componentizing), this crate's version and the engine's
//! [`precompile_compatibility_hash`](wasmtime::Engine::precompile_compatibility_hash),
//! which covers the wasmtime version, the target and every engine setting
//! that shapes compiled code (fuel, epochs, stack limit...). Its content is
//! a header followed by the bytes of [`Component::serialize`]:
//!
//! | bytes | what |
//! |---|---|
//! | 16 | magic, `wcompose-cwasm` NUL, format version |
//! | 32 | the key |
//! | 32 | SHA-256 of the serialized component that follows |
//! | 1 | flags: bit 0 set when the input was a core module |
//! | rest | the serialized component |
//!
//! A file is trusted only when the magic, the key and the content hash all
//! match; anything else (a truncated, corrupted or foreign file) is
//! reported, recompiled and replaced. Files are written atomically.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::fsutil;

/// The variable that overrides where the cache lives.
pub const CACHE_DIR_ENV: &str = "WCOMPOSE_CACHE_DIR";

const MAGIC: &[u8; 16] = b"wcompose-cwasm\0\x01";
const HEADER_LEN: usize = 16 + 32 + 32 + 1;
const FLAG_FROM_CORE: u8 = 1;

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

/// What the cache did for one load.
#[derive(Debug, Clone)]
pub enum CacheStatus {
    /// No cache was used: the component was compiled.
    Off {
        /// How long compiling (and componentizing) took.
        compile_time: Duration,
    },
    /// The compiled component was read from the cache.
    Hit {
        /// The cache file.
        path: PathBuf,
    },
    /// The component was compiled and, if possible, stored.
    Miss {
        /// The cache file.
        path: PathBuf,
        /// Why an existing file there was not used, if there was one.
        rejected: Option<String>,
        /// How long compiling (and componentizing) took.
        compile_time: Duration,
        /// Why the compiled code could not be stored, if it could not.
        store_error: Option<String>,
    },
}

impl CacheStatus {
    /// One line per event, for `--verbose`: `cache: hit <path>`,
    /// `cache: miss, compiled in 12 ms`...
    pub fn describe(&self) -> Vec<String> {
        let millis = |d: &Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        match self {
            CacheStatus::Off { compile_time } => {
                vec![format!("cache: off, compiled in {}", millis(compile_time))]
            }
            CacheStatus::Hit { path } => vec![format!("cache: hit {}", path.display())],
            CacheStatus::Miss {
                path,
                rejected,
                compile_time,
                store_error,
            } => {
                let mut lines = Vec::new();
                if let Some(reason) = rejected {
                    lines.push(format!("cache: rejected {}: {reason}", path.display()));
                }
                lines.push(format!("cache: miss, compiled in {}", millis(compile_time)));
                match store_error {
                    Some(error) => lines.push(format!("cache: not stored: {error}")),
                    None => lines.push(format!("cache: stored {}", path.display())),
                }
                lines
            }
        }
    }
}

/// A cache entry that was found and verified.
pub(crate) struct Hit {
    pub(crate) component: Component,
    pub(crate) from_core: bool,
}

/// What looking up a key found.
pub(crate) enum Lookup {
    Hit(Hit),
    Absent,
    Rejected(String),
}

impl Cache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache in [`default_dir`], if there is one.
    pub fn default_location() -> Option<Self> {
        default_dir().map(Self::new)
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key for `input` compiled by `engine`.
    pub(crate) fn key(&self, engine: &Engine, input: &[u8]) -> [u8; 32] {
        let mut hasher = ShaHasher(Sha256::new());
        hasher.0.update(MAGIC);
        hasher.0.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.0.update([0]);
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.0.update(Sha256::digest(input));
        hasher.0.finalize().into()
    }

    /// The file for a key.
    pub(crate) fn path(&self, key: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.cwasm", hex(key)))
    }

    /// Reads and verifies the entry for `key`.
    pub(crate) fn lookup(&self, engine: &Engine, key: &[u8; 32]) -> Lookup {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Absent,
            Err(e) => return Lookup::Rejected(format!("failed to read it: {e}")),
        };
        let payload = match verify(&bytes, key) {
            Ok(payload) => payload,
            Err(reason) => return Lookup::Rejected(reason.to_string()),
        };
        // SAFETY: `Component::deserialize` trusts its input to be machine
        // code that wasmtime produced for this engine. These bytes are:
        // this program wrote them with `Component::serialize` under a key
        // that includes the engine's compatibility hash, and their SHA-256
        // was just checked against the one recorded when they were written,
        // so a truncated, corrupted or foreign file never gets here. The
        // bytes are verified in memory and deserialized from that same
        // buffer (not re-read with `deserialize_file`), so the file cannot
        // change between the check and the use. wasmtime also checks its
        // own version and engine settings in the header. What remains is
        // trusting whoever can write the cache folder, which is created
        // private to the user.
        match unsafe { Component::deserialize(engine, payload) } {
            Ok(component) => Lookup::Hit(Hit {
                component,
                from_core: bytes[HEADER_LEN - 1] & FLAG_FROM_CORE != 0,
            }),
            Err(e) => Lookup::Rejected(format!("wasmtime refused it: {e}")),
        }
    }

    /// Stores the serialized component under `key`, atomically, and
    /// returns the file's path.
    pub(crate) fn store(
        &self,
        key: &[u8; 32],
        serialized: &[u8],
        from_core: bool,
    ) -> Result<PathBuf, String> {
        create_private_dir(&self.dir)
            .map_err(|e| format!("failed to create `{}`: {e}", self.dir.display()))?;
        let mut bytes = Vec::with_capacity(HEADER_LEN + serialized.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(&Sha256::digest(serialized));
        bytes.push(if from_core { FLAG_FROM_CORE } else { 0 });
        bytes.extend_from_slice(serialized);
        let path = self.path(key);
        fsutil::write_atomic(&path, &bytes).map_err(|e| crate::error_chain(&e))?;
        Ok(path)
    }
}

/// Checks a cache file's header and content hash, and returns the
/// serialized component it holds.
fn verify<'a>(bytes: &'a [u8], key: &[u8; 32]) -> Result<&'a [u8], &'static str> {
    if bytes.len() < HEADER_LEN {
        return Err("it is truncated");
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    if &header[..16] != MAGIC {
        return Err("it is not a wcompose cache file of this format");
    }
    if &header[16..48] != key {
        return Err("it was written for another input or engine");
    }
    if header[48..80] != Sha256::digest(payload)[..] {
        return Err("its content does not match its hash (the file is corrupt)");
    }
    Ok(payload)
}

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

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` input into SHA-256, so that the engine's compatibility
/// hash is digested with the same (stable) function as everything else.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        // Never used: the digest is taken from the inner SHA-256.
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_accepts_only_an_intact_file_for_its_key() {
        let key = [7u8; 32];
        let payload = b"compiled code";
        let mut file = Vec::new();
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&key);
        file.extend_from_slice(&Sha256::digest(payload));
        file.push(0);
        file.extend_from_slice(payload);
        assert_eq!(verify(&file, &key), Ok(&payload[..]));

        assert!(verify(&file, &[8u8; 32]).is_err());
        assert!(verify(&file[..40], &key).is_err());
        let mut corrupt = file.clone();
        *corrupt.last_mut().unwrap() ^= 1;
        assert!(verify(&corrupt, &key).unwrap_err().contains("corrupt"));
        let mut foreign = file;
        foreign[0] = b'x';
        assert!(verify(&foreign, &key).is_err());
    }

    #[test]
    fn keys_differ_by_input_and_engine_settings() {
        let cache = Cache::new("unused");
        let plain = Engine::default();
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        let fuel = Engine::new(&config).unwrap();
        assert_eq!(cache.key(&plain, b"a"), cache.key(&plain, b"a"));
        assert_ne!(cache.key(&plain, b"a"), cache.key(&plain, b"b"));
        assert_ne!(cache.key(&plain, b"a"), cache.key(&fuel, b"a"));
        // Code compiled for an engine without concurrency support (the
        // runner's engine for components without async features) is not
        // loaded into one with it, nor the other way round.
        let mut config = wasmtime::Config::new();
        config.concurrency_support(false);
        let sync = Engine::new(&config).unwrap();
        assert_ne!(cache.key(&plain, b"a"), cache.key(&sync, b"a"));
    }
}

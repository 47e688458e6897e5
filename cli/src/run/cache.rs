//! The precompiled-code cache: compiled components on disk, so that a warm
//! run deserializes machine code instead of compiling it.
//!
//! A cache file is named by a key, the BLAKE3 hash of the input bytes
//! (before any componentizing), this crate's version and the engine's
//! [`precompile_compatibility_hash`](wasmtime::Engine::precompile_compatibility_hash),
//! which covers the wasmtime version, the target and every engine setting
//! that shapes compiled code (fuel, epochs, stack limit...). Its content is
//! the bytes of [`Component::serialize`] followed by a trailer:
//!
//! | bytes | what |
//! |---|---|
//! | rest | the serialized component |
//! | 1 | flags: bit 0 set when the input was a core module, bit 1 when it needs the concurrent host ([`Mode`](super::concurrent::Mode)) |
//! | 4 | CRC-32 of the serialized component, little-endian |
//! | 32 | the key |
//! | 16 | magic, `wcompose-cwasm` NUL, format version |
//!
//! The serialized component comes first so that wasmtime maps the file
//! itself ([`Component::deserialize_file`]) and runs the code in place: a
//! warm run neither copies the file into memory nor copies it again into
//! executable memory. wasmtime reads only what its ELF headers point at, so
//! the trailer is never mapped as code.
//!
//! A file is trusted only when the magic, the key and the checksum all
//! match; anything else (a truncated, corrupted or foreign file) is
//! reported, recompiled and replaced. The checksum guards against accidents
//! (a torn write, a flipped bit on disk), not against someone who can write
//! the cache folder: whoever can could write a matching cryptographic hash
//! just as well, which is why the folder is created private to the user.
//! Files are written atomically, so an entry being replaced by another run
//! is never seen half-written.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::Component;

use super::concurrent::Mode;
use crate::cache_dir::{self, create_private_dir, hex};
use crate::fsutil;

const MAGIC: &[u8; 16] = b"wcompose-cwasm\0\x03";
const TRAILER_LEN: usize = 1 + 4 + 32 + 16;
/// Where each field of the trailer lies in it.
const FLAGS_AT: usize = 0;
const CRC_AT: std::ops::Range<usize> = 1..5;
const KEY_AT: std::ops::Range<usize> = 5..37;
const MAGIC_AT: std::ops::RangeFrom<usize> = 37..;
const FLAG_FROM_CORE: u8 = 1;
const FLAG_CONCURRENT: u8 = 2;

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
    pub(crate) entry: Entry,
}

/// What a cache file records about its input besides the compiled code, so
/// that a warm run need not work it out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The input was a core module, componentized before compiling.
    pub(crate) from_core: bool,
    /// The host the input needs ([`Mode::of`] the input).
    pub(crate) mode: Mode,
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

    /// The cache in [`cache_dir::default_dir`], if there is one.
    pub fn default_location() -> Option<Self> {
        cache_dir::default_dir().map(Self::new)
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key for `input` compiled by `engine`.
    ///
    /// BLAKE3 rather than SHA-256, as a warm run hashes its whole input
    /// before anything else: the seed composition's 185 KB take 27 µs
    /// instead of 106 µs here (2 cores, AVX-512 and SHA extensions).
    pub(crate) fn key(&self, engine: &Engine, input: &[u8]) -> [u8; 32] {
        let mut hasher = KeyHasher(blake3::Hasher::new());
        hasher.0.update(MAGIC);
        hasher.0.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.0.update(&[0]);
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.0.update(blake3::hash(input).as_bytes());
        hasher.0.finalize().into()
    }

    /// The file for a key.
    pub(crate) fn path(&self, key: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.cwasm", hex(key)))
    }

    /// Reads and verifies the entry for `key`.
    pub(crate) fn lookup(&self, engine: &Engine, key: &[u8; 32]) -> Lookup {
        let path = self.path(key);
        let entry = match verify_file(&path, key) {
            Ok(entry) => entry,
            Err(Rejection::Absent) => return Lookup::Absent,
            Err(Rejection::Unreadable(e)) => {
                return Lookup::Rejected(format!("failed to read it: {e}"));
            }
            Err(Rejection::Invalid(reason)) => return Lookup::Rejected(reason.to_string()),
        };
        // SAFETY: `Component::deserialize_file` trusts the file to hold
        // machine code that wasmtime produced for this engine. This one does:
        // this program wrote it with `Component::serialize` under a key that
        // includes the engine's compatibility hash, atomically, in a folder
        // private to the user, and its checksum was just checked against the
        // one recorded when it was written, so a truncated, corrupted or
        // foreign file never gets here. wasmtime also checks its own version
        // and engine settings in the file. What remains is trusting whoever
        // can write the cache folder (who could equally replace the file
        // between the check and the mapping), as for any cache.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => Lookup::Hit(Hit { component, entry }),
            Err(e) => Lookup::Rejected(format!("wasmtime refused it: {e}")),
        }
    }

    /// Stores the serialized component under `key`, atomically, and
    /// returns the file's path.
    pub(crate) fn store(
        &self,
        key: &[u8; 32],
        serialized: &[u8],
        entry: Entry,
    ) -> Result<PathBuf, String> {
        create_private_dir(&self.dir)
            .map_err(|e| format!("failed to create `{}`: {e}", self.dir.display()))?;
        let mut bytes = Vec::with_capacity(serialized.len() + TRAILER_LEN);
        bytes.extend_from_slice(serialized);
        bytes.extend_from_slice(&trailer(serialized, key, entry));
        let path = self.path(key);
        fsutil::write_atomic(&path, &bytes).map_err(|e| crate::error_chain(&e))?;
        Ok(path)
    }
}

/// The trailer that follows `payload` in its cache file.
fn trailer(payload: &[u8], key: &[u8; 32], entry: Entry) -> [u8; TRAILER_LEN] {
    let mut trailer = [0; TRAILER_LEN];
    if entry.from_core {
        trailer[FLAGS_AT] |= FLAG_FROM_CORE;
    }
    if entry.mode == Mode::Concurrent {
        trailer[FLAGS_AT] |= FLAG_CONCURRENT;
    }
    trailer[CRC_AT].copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    trailer[KEY_AT].copy_from_slice(key);
    trailer[MAGIC_AT].copy_from_slice(MAGIC);
    trailer
}

/// Why a cache file was not used.
#[derive(Debug)]
enum Rejection {
    Absent,
    Unreadable(std::io::Error),
    Invalid(&'static str),
}

impl From<std::io::Error> for Rejection {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            Rejection::Absent
        } else {
            Rejection::Unreadable(e)
        }
    }
}

/// Checks the cache file at `path` for `key`: its trailer, then its
/// checksum, read through a small buffer so that checking costs no more
/// memory than the buffer (the code itself is mapped by wasmtime
/// afterwards). What the file records of its input, if it is intact.
fn verify_file(path: &Path, key: &[u8; 32]) -> Result<Entry, Rejection> {
    use std::io::{Read, Seek, SeekFrom};

    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let Some(payload_len) = len.checked_sub(TRAILER_LEN as u64) else {
        return Err(Rejection::Invalid("it is truncated"));
    };
    let mut trailer = [0; TRAILER_LEN];
    file.seek(SeekFrom::Start(payload_len))?;
    file.read_exact(&mut trailer)?;
    check_trailer(&trailer, key)?;
    file.seek(SeekFrom::Start(0))?;
    let mut crc = crc32fast::Hasher::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut left = payload_len;
    while left > 0 {
        let want = usize::try_from(left).map_or(buffer.len(), |l| l.min(buffer.len()));
        file.read_exact(&mut buffer[..want])?;
        crc.update(&buffer[..want]);
        left -= want as u64;
    }
    if crc.finalize().to_le_bytes() != trailer[CRC_AT] {
        return Err(Rejection::Invalid(
            "its content does not match its checksum (the file is corrupt)",
        ));
    }
    let flags = trailer[FLAGS_AT];
    Ok(Entry {
        from_core: flags & FLAG_FROM_CORE != 0,
        mode: if flags & FLAG_CONCURRENT != 0 {
            Mode::Concurrent
        } else {
            Mode::Sync
        },
    })
}

/// Checks a trailer's magic and key.
fn check_trailer(trailer: &[u8; TRAILER_LEN], key: &[u8; 32]) -> Result<(), Rejection> {
    if &trailer[MAGIC_AT] != MAGIC {
        return Err(Rejection::Invalid(
            "it is not a wcompose cache file of this format",
        ));
    }
    if &trailer[KEY_AT] != key {
        return Err(Rejection::Invalid(
            "it was written for another input or engine",
        ));
    }
    Ok(())
}

/// Feeds `Hash` input into BLAKE3, so that the engine's compatibility
/// hash is digested with the same (stable) function as everything else.
struct KeyHasher(blake3::Hasher);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // Never used: the digest is taken from the inner BLAKE3 hasher.
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.cwasm");
        let key = [7u8; 32];
        // Longer than the read buffer, so that the checksum spans reads.
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let file = |entry: Entry| {
            let mut bytes = payload.clone();
            bytes.extend_from_slice(&trailer(&payload, &key, entry));
            bytes
        };
        let verdict = |bytes: &[u8], key: &[u8; 32]| {
            std::fs::write(&path, bytes).unwrap();
            verify_file(&path, key).map_err(|e| format!("{e:?}"))
        };

        // What the file records comes back as it was written.
        for from_core in [false, true] {
            for mode in [Mode::Sync, Mode::Concurrent] {
                let entry = Entry { from_core, mode };
                assert_eq!(verdict(&file(entry), &key), Ok(entry));
            }
        }
        let intact = file(Entry {
            from_core: true,
            mode: Mode::Sync,
        });

        let other = verdict(&intact, &[8u8; 32]).unwrap_err();
        assert!(other.contains("another input"), "{other}");
        let truncated = verdict(&intact[..40], &key).unwrap_err();
        assert!(truncated.contains("truncated"), "{truncated}");
        let cut = verdict(&intact[1000..], &key).unwrap_err();
        assert!(cut.contains("corrupt"), "{cut}");
        let mut corrupt = intact.clone();
        corrupt[150_000] ^= 1;
        let corrupt = verdict(&corrupt, &key).unwrap_err();
        assert!(corrupt.contains("corrupt"), "{corrupt}");
        let mut foreign = intact.clone();
        *foreign.last_mut().unwrap() = b'x';
        let foreign = verdict(&foreign, &key).unwrap_err();
        assert!(foreign.contains("not a wcompose cache file"), "{foreign}");

        std::fs::remove_file(&path).unwrap();
        assert!(matches!(verify_file(&path, &key), Err(Rejection::Absent)));
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

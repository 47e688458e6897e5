//! Packages of compositions that come from OCI registries.
//!
//! `wcompose.toml`'s `[registries]` maps a WIT namespace to a repository
//! prefix (`toolsku = "127.0.0.1:5000/toolsku"`); a package `ns:name` that
//! neither the deps folder nor a `--dep` provides is then the Wasm OCI
//! artifact `<prefix>/<name>:<version>` (`latest` when the `.wac` names no
//! version). A fetched package is pinned by its manifest digest
//! (`wcompose.lock` keeps the pins) and kept in a content-addressed cache
//! laid out as an OCI image layout's blobs (`blobs/sha256/<hex>`: the
//! manifest and the component), so that a pinned package is read from the
//! cache with no network at all, and pulled by digest when it is not
//! there. Every cached blob is hashed again when it is read: one that no
//! longer matches its digest is refused, and fetched again unless offline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Credentials, CredentialsError, Options, Reference, ReferenceError, RegistryError};
use crate::fsutil::{self, FileError};

/// A package pinned in `wcompose.lock`: where it came from and the digest
/// of its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The reference the package resolved to, with its tag
    /// (`127.0.0.1:5000/toolsku/adder:1.0.0`).
    pub reference: String,
    /// The digest of the artifact's manifest (`sha256:...`).
    pub digest: String,
}

/// Where a package that a composition used came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The cache, with no network request.
    Cache,
    /// The registry: the package was not cached.
    Registry,
    /// The registry, because the cached copy no longer matched its digest
    /// (and was replaced).
    RegistryOverCorruptCache,
}

/// A package that a composition took from a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its pin.
    pub pin: Pin,
    /// Where its bytes came from in this run.
    pub origin: Origin,
}

/// Why a registry package could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The registry could not give the package: it could not be reached,
    /// has no such artifact, or sent something that does not match its
    /// digests (the pinned digest among them).
    #[error("failed to fetch package `{package}` from registry `{registry}`")]
    Fetch {
        /// The package (`ns:name`, with `@version` if the `.wac` has one).
        package: String,
        /// The registry.
        registry: String,
        /// Why, naming the reference.
        #[source]
        source: Box<RegistryError>,
    },
    /// The registry has no artifact with the digest that `wcompose.lock`
    /// pins (changed by hand, or deleted from the registry).
    #[error(
        "failed to fetch package `{package}` from registry `{registry}`: it has no artifact \
         with the digest pinned in `wcompose.lock`, {pinned} ({now})\n  \
         help: take the pin of `{package}` out of `wcompose.lock` to use what the tag names now"
    )]
    PinNotServed {
        /// The package.
        package: String,
        /// The registry.
        registry: String,
        /// The pinned manifest digest.
        pinned: String,
        /// What the tag names now, in words: `` `REF` names sha256:... ``,
        /// or why that is not known.
        now: String,
    },
    /// The package would have to come from the registry, which offline
    /// builds never contact.
    #[error(
        "package `{package}` is {reason}, and `--offline` forbids fetching `{reference}`\n  \
         help: run once without `--offline` to fetch it and pin it in `wcompose.lock`"
    )]
    Offline {
        /// The package.
        package: String,
        /// The reference it would be fetched from.
        reference: String,
        /// Why it is not at hand: not pinned, or not cached.
        reason: &'static str,
    },
    /// A cached blob no longer hashes to its digest; offline, it cannot be
    /// fetched again.
    #[error(
        "the cached copy of package `{package}` at `{}` does not match its digest \
         (expected {expected}, found {actual}): it was altered after it was fetched",
        path.display()
    )]
    CorruptCache {
        /// The package.
        package: String,
        /// The cached file.
        path: PathBuf,
        /// The digest it is stored under.
        expected: String,
        /// The digest of its bytes.
        actual: String,
    },
    /// A cached manifest (whose digest matches) is not the manifest of a
    /// Wasm artifact.
    #[error("the cached manifest of package `{package}` at `{}` is not a Wasm artifact's", path.display())]
    BadCachedManifest {
        /// The package.
        package: String,
        /// The cached manifest.
        path: PathBuf,
    },
    /// The namespace's prefix and the package's name and version do not
    /// make a reference (a version with build metadata, which tags cannot
    /// hold, for one).
    #[error("package `{package}` has no reference under the registry prefix `{prefix}`")]
    Reference {
        /// The package.
        package: String,
        /// The namespace's prefix in `wcompose.toml`.
        prefix: String,
        /// Why.
        #[source]
        source: ReferenceError,
    },
    /// The Docker config file's credentials for the registry could not be
    /// read.
    #[error("failed to read the credentials for registry `{registry}`")]
    Credentials {
        /// The registry.
        registry: String,
        /// Why.
        #[source]
        source: CredentialsError,
    },
    /// The cache could not be read or written.
    #[error(transparent)]
    Cache(#[from] FileError),
}

/// Checks a `[registries]` entry: `prefix` must be `HOST[:PORT]/PATH`, so
/// that `<prefix>/<name>:<tag>` is a reference.
pub fn check_prefix(prefix: &str) -> Result<(), ReferenceError> {
    format!("{prefix}/package:latest")
        .parse::<Reference>()
        .map(drop)
}

/// Fetches, caches and pins the registry packages of compositions. One
/// [`Fetcher`] serves a whole build; [`Fetcher::resolved`] tells which
/// packages it gave, with their pins, for the lockfile.
#[derive(Debug)]
pub struct Fetcher {
    registries: BTreeMap<String, String>,
    cache: Cache,
    pins: BTreeMap<String, Pin>,
    offline: bool,
    resolved: Mutex<BTreeMap<String, Resolved>>,
}

impl Fetcher {
    /// A fetcher for the namespaces of `registries` (namespace to
    /// repository prefix), caching under `cache_dir`.
    pub fn new(registries: BTreeMap<String, String>, cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            registries,
            cache: Cache {
                dir: cache_dir.into(),
            },
            pins: BTreeMap::new(),
            offline: false,
            resolved: Mutex::new(BTreeMap::new()),
        }
    }

    /// Uses exactly these pins (from `wcompose.lock`) for the packages they
    /// name, as long as the reference is still the one the registries map
    /// gives.
    pub fn with_pins(mut self, pins: BTreeMap<String, Pin>) -> Self {
        self.pins = pins;
        self
    }

    /// Never touches the network: a package that is not pinned and cached
    /// is an error.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Whether a registry is named for the namespace of `package`
    /// (`ns:name`).
    pub fn provides(&self, package: &str) -> bool {
        package
            .split_once(':')
            .is_some_and(|(namespace, _)| self.registries.contains_key(namespace))
    }

    /// The packages given so far, by name (`ns:name`, `@version` if the
    /// `.wac` has one), with their pins and origins.
    pub fn resolved(&self) -> BTreeMap<String, Resolved> {
        self.resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The reference of `package` (`ns:name`) at `version` (as written in
    /// the `.wac`), if its namespace has a registry.
    pub fn reference(
        &self,
        package: &str,
        version: Option<&semver::Version>,
    ) -> Option<Result<Reference, PackageError>> {
        let (namespace, name) = package.split_once(':')?;
        let prefix = self.registries.get(namespace)?;
        let tag = version.map_or_else(|| "latest".to_string(), |v| v.to_string());
        Some(
            format!("{}/{name}:{tag}", prefix.trim_end_matches('/'))
                .parse::<Reference>()
                .map_err(|source| PackageError::Reference {
                    package: key(package, version),
                    prefix: prefix.clone(),
                    source,
                }),
        )
    }

    /// The component (or encoded WIT package) of `package` at `version`:
    /// from the cache when the lock pins it and the cache holds it,
    /// otherwise from the registry (by the pinned digest, or by tag when
    /// nothing is pinned), then cached and pinned.
    ///
    /// # Panics
    ///
    /// When [`Fetcher::provides`] is false for `package`.
    pub fn fetch(
        &self,
        package: &str,
        version: Option<&semver::Version>,
    ) -> Result<Vec<u8>, PackageError> {
        let name = key(package, version);
        let reference = self
            .reference(package, version)
            .expect("a package of a namespace with a registry")?;
        let tagged = reference.to_string();
        let pin = self.pins.get(&name).filter(|pin| pin.reference == tagged);
        let mut origin = Origin::Registry;
        if let Some(pin) = pin {
            match self.cache.read(&name, &pin.digest) {
                Ok(Some(bytes)) => {
                    self.record(name, pin.clone(), Origin::Cache);
                    return Ok(bytes);
                }
                Ok(None) => {}
                Err(e @ PackageError::CorruptCache { .. }) if self.offline => return Err(e),
                Err(PackageError::CorruptCache { .. }) => origin = Origin::RegistryOverCorruptCache,
                Err(e) => return Err(e),
            }
        }
        if self.offline {
            return Err(PackageError::Offline {
                package: name,
                reference: tagged,
                reason: if pin.is_some() {
                    "not in the cache"
                } else {
                    "not pinned in `wcompose.lock`"
                },
            });
        }
        let mut wanted = reference.clone();
        wanted.digest = pin.map(|pin| pin.digest.clone());
        let credentials =
            Credentials::from_docker_config(&reference.registry).map_err(|source| {
                PackageError::Credentials {
                    registry: reference.registry.clone(),
                    source,
                }
            })?;
        let options = Options {
            credentials,
            ..Options::default()
        };
        let pulled = match super::pull(&wanted, &options) {
            Ok(pulled) => pulled,
            Err(RegistryError::NotFound { .. }) if let Some(pin) = pin => {
                // Say what the tag names instead, so that the two digests
                // can be compared.
                let now = match super::manifest_digest(&reference, &options) {
                    Ok(digest) => format!("`{tagged}` names {digest}"),
                    Err(RegistryError::NotFound { .. }) => format!("nor has it `{tagged}`"),
                    Err(e) => format!(
                        "what `{tagged}` names is not known: {}",
                        crate::error_chain(&e)
                    ),
                };
                return Err(PackageError::PinNotServed {
                    package: name,
                    registry: reference.registry.clone(),
                    pinned: pin.digest.clone(),
                    now,
                });
            }
            Err(source) => {
                return Err(PackageError::Fetch {
                    package: name,
                    registry: reference.registry.clone(),
                    source: Box::new(source),
                });
            }
        };
        // The component first, so that a cached manifest always has its
        // layer beside it.
        self.cache.write(&pulled.layer_digest, &pulled.bytes)?;
        self.cache
            .write(&pulled.manifest_digest, &pulled.manifest)?;
        let pin = Pin {
            reference: tagged,
            digest: pulled.manifest_digest,
        };
        self.record(name, pin, origin);
        Ok(pulled.bytes)
    }

    fn record(&self, name: String, pin: Pin, origin: Origin) {
        self.resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, Resolved { pin, origin });
    }
}

/// `ns:name` or `ns:name@version`, the name of a pin.
fn key(package: &str, version: Option<&semver::Version>) -> String {
    match version {
        Some(version) => format!("{package}@{version}"),
        None => package.to_string(),
    }
}

/// Blobs by digest: `DIR/blobs/sha256/<hex>`.
#[derive(Debug)]
struct Cache {
    dir: PathBuf,
}

impl Cache {
    fn path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.dir.join("blobs").join("sha256").join(hex)
    }

    /// The blob `digest`, if cached; an error if its bytes do not hash to
    /// it.
    fn blob(&self, package: &str, digest: &str) -> Result<Option<Vec<u8>>, PackageError> {
        let path = self.path(digest);
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = fsutil::read(&path)?;
        let actual = super::sha256_digest(&bytes);
        if actual != digest {
            return Err(PackageError::CorruptCache {
                package: package.to_string(),
                path,
                expected: digest.to_string(),
                actual,
            });
        }
        Ok(Some(bytes))
    }

    /// The component of the artifact whose manifest is `digest`, if both
    /// are cached.
    fn read(&self, package: &str, digest: &str) -> Result<Option<Vec<u8>>, PackageError> {
        if !super::reference::is_digest(digest) {
            return Ok(None);
        }
        let Some(manifest) = self.blob(package, digest)? else {
            return Ok(None);
        };
        let layer = serde_json::from_slice::<oci_client::manifest::OciImageManifest>(&manifest)
            .ok()
            .and_then(|m| match m.layers.as_slice() {
                [layer] if super::reference::is_digest(&layer.digest) => Some(layer.digest.clone()),
                _ => None,
            })
            .ok_or_else(|| PackageError::BadCachedManifest {
                package: package.to_string(),
                path: self.path(digest),
            })?;
        self.blob(package, &layer)
    }

    fn write(&self, digest: &str, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.path(digest);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| FileError::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        fsutil::write_atomic(&path, bytes)
    }
}

/// The cache folder of a workspace whose output folder is `out_dir`.
pub fn cache_dir(out_dir: &Path) -> PathBuf {
    out_dir.join("registry")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetcher(dir: &Path) -> Fetcher {
        Fetcher::new(
            [("toolsku".to_string(), "127.0.0.1:5000/toolsku".to_string())].into(),
            dir,
        )
    }

    #[test]
    fn a_package_maps_to_its_namespace_prefix_with_its_version_as_tag() {
        let dir = tempfile::tempdir().unwrap();
        let fetcher = fetcher(dir.path());
        let reference = |version: Option<&str>| {
            let version = version.map(|v| v.parse().unwrap());
            fetcher
                .reference("toolsku:adder", version.as_ref())
                .unwrap()
                .unwrap()
                .to_string()
        };
        assert_eq!(reference(None), "127.0.0.1:5000/toolsku/adder:latest");
        assert_eq!(
            reference(Some("1.2.0")),
            "127.0.0.1:5000/toolsku/adder:1.2.0"
        );
        assert!(fetcher.reference("other:adder", None).is_none());
        assert!(!fetcher.provides("other:adder"));
    }

    #[test]
    fn offline_a_package_that_is_not_pinned_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let error = fetcher(dir.path())
            .offline(true)
            .fetch("toolsku:adder", None)
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("`toolsku:adder`") && text.contains("not pinned"),
            "{text}"
        );
    }

    #[test]
    fn prefixes_must_name_a_registry_and_a_path() {
        assert!(check_prefix("127.0.0.1:5000/toolsku").is_ok());
        assert!(check_prefix("ghcr.io/acme/wasm").is_ok());
        assert!(check_prefix("toolsku").is_err());
        assert!(check_prefix("127.0.0.1:5000/Tools").is_err());
    }
}

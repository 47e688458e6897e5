//! Building a workspace's compositions reproducibly and incrementally.
//!
//! `wcompose.toml` declares the compositions: for each, its `.wac` file, the
//! guests it instantiates and the host profile that runs it. A build
//! componentizes the guests, checks each composition against its host
//! profile, composes it, and records in `wcompose.lock` the SHA-256 of every
//! input (guest cores, WIT files, `.wac` files), every output, and the
//! versions of the tools that made them. When the inputs and tools match the
//! lockfile and every output is still there unchanged, the build does
//! nothing. The lockfile is rewritten only when its content changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::compose::{self, ComposeError};
use crate::fsutil::{self, FileError};
use crate::host::HostProfile;
use crate::workspace::{Workspace, WorkspaceError};

/// The manifest's file name, at the workspace root.
pub const MANIFEST: &str = "wcompose.toml";

/// The lockfile's file name, at the workspace root.
pub const LOCKFILE: &str = "wcompose.lock";

/// `wcompose.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Compositions by name; the output is `<name>.wasm`.
    #[serde(default)]
    pub compositions: BTreeMap<String, Declared>,
}

/// One composition of the manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// The `.wac` file, relative to the workspace root.
    pub file: PathBuf,
    /// The guests it instantiates, by WIT package (`toolsku:calculator`).
    #[serde(default)]
    pub guests: Vec<String>,
    /// The host profile that runs it.
    #[serde(default = "default_host")]
    pub host: String,
}

fn default_host() -> String {
    "wasmtime".to_string()
}

/// `wcompose.lock`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The lockfile format.
    pub version: u32,
    /// Tool name to version.
    pub tools: BTreeMap<String, String>,
    /// WIT file (relative path) to SHA-256.
    pub wit: BTreeMap<String, String>,
    /// Guest components by core module file name.
    pub components: BTreeMap<String, LockedComponent>,
    /// Compositions by name.
    pub compositions: BTreeMap<String, LockedComposition>,
}

/// A guest in the lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedComponent {
    /// The WIT package that names it in compositions.
    pub package: String,
    /// SHA-256 of the core module.
    pub core_sha256: String,
    /// SHA-256 of the component made from it.
    pub sha256: String,
}

/// A composition in the lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedComposition {
    /// The `.wac` file.
    pub file: String,
    /// SHA-256 of the `.wac` file.
    pub file_sha256: String,
    /// The host profile it was checked against.
    pub host: String,
    /// The guests it instantiates.
    pub guests: Vec<String>,
    /// SHA-256 of the composed component.
    pub sha256: String,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BuildError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// `wcompose.toml` is not valid.
    #[error("invalid `{}`: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A composition names a host profile that does not exist.
    #[error("composition `{composition}` names unknown host profile `{host}` (known: {})", HostProfile::names().collect::<Vec<_>>().join(", "))]
    UnknownHost {
        /// The composition.
        composition: String,
        /// The profile.
        host: String,
    },
    /// A composition lists a guest that no core module provides.
    #[error(
        "composition `{composition}` lists guest `{guest}`, but no guest crate builds a component of that package"
    )]
    UnknownGuest {
        /// The composition.
        composition: String,
        /// The guest.
        guest: String,
    },
    /// A workspace step failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] WorkspaceError),
    /// A composition failed its check or could not be composed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compose(#[from] ComposeError),
}

/// What a build did.
#[derive(Debug)]
pub enum Outcome {
    /// Inputs, tools and outputs matched the lockfile: nothing was done.
    UpToDate(Lock),
    /// Everything was rebuilt; `lock_changed` tells whether the lockfile
    /// was rewritten.
    Built {
        /// The new lock.
        lock: Lock,
        /// The lockfile's content changed.
        lock_changed: bool,
    },
}

/// The tools whose versions decide the bytes of a build.
fn tools() -> BTreeMap<String, String> {
    [
        ("wcompose", env!("CARGO_PKG_VERSION")),
        (
            "wasmtime-adapter",
            crate::componentize::ADAPTER_WASMTIME_VERSION,
        ),
        ("wac-graph", "0.12"),
        ("wit-component", "0.263"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads `wcompose.toml`; without one, every `compositions/*.wac` is a
/// composition with the default host and the guests it names.
pub fn manifest(workspace: &Workspace) -> Result<Manifest, BuildError> {
    let path = workspace.root.join(MANIFEST);
    if !path.exists() {
        let mut manifest = Manifest::default();
        for file in workspace.compositions()? {
            let name = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = file
                .strip_prefix(&workspace.root)
                .map(Path::to_path_buf)
                .unwrap_or(file);
            manifest.compositions.insert(
                name,
                Declared {
                    file,
                    guests: Vec::new(),
                    host: default_host(),
                },
            );
        }
        return Ok(manifest);
    }
    let text = fsutil::read_to_string(&path)?;
    toml::from_str(&text).map_err(|e| BuildError::Manifest {
        path,
        message: e.to_string(),
    })
}

fn wit_digests(workspace: &Workspace) -> Result<BTreeMap<String, String>, BuildError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![workspace.wit_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "wit") {
                let relative = path.strip_prefix(&workspace.root).unwrap_or(&path);
                out.insert(
                    relative.display().to_string(),
                    sha256(&fsutil::read(&path)?),
                );
            }
        }
    }
    Ok(out)
}

/// The lock as far as inputs go (outputs left empty), to compare with the
/// lockfile before doing any work.
fn inputs(
    workspace: &Workspace,
    manifest: &Manifest,
    cores: &[PathBuf],
) -> Result<Lock, BuildError> {
    let mut lock = Lock {
        version: 1,
        tools: tools(),
        wit: wit_digests(workspace)?,
        ..Default::default()
    };
    for core in cores {
        lock.components.insert(
            file_name(core),
            LockedComponent {
                package: String::new(),
                core_sha256: sha256(&fsutil::read(core)?),
                sha256: String::new(),
            },
        );
    }
    for (name, declared) in &manifest.compositions {
        let file = workspace.root.join(&declared.file);
        lock.compositions.insert(
            name.clone(),
            LockedComposition {
                file: declared.file.display().to_string(),
                file_sha256: sha256(&fsutil::read(&file)?),
                host: declared.host.clone(),
                guests: declared.guests.clone(),
                sha256: String::new(),
            },
        );
    }
    Ok(lock)
}

/// Whether `lock` records the same inputs as `inputs` and every recorded
/// output is on disk unchanged.
fn fresh(workspace: &Workspace, lock: &Lock, inputs: &Lock) -> bool {
    let same_inputs = lock.version == inputs.version
        && lock.tools == inputs.tools
        && lock.wit == inputs.wit
        && lock.components.len() == inputs.components.len()
        && lock.components.iter().all(|(k, c)| {
            inputs
                .components
                .get(k)
                .is_some_and(|i| i.core_sha256 == c.core_sha256)
        })
        && lock.compositions.len() == inputs.compositions.len()
        && lock.compositions.iter().all(|(k, c)| {
            inputs.compositions.get(k).is_some_and(|i| {
                i.file == c.file
                    && i.file_sha256 == c.file_sha256
                    && i.host == c.host
                    && i.guests == c.guests
            })
        });
    let unchanged = |path: PathBuf, digest: &str| {
        std::fs::read(path).is_ok_and(|bytes| sha256(&bytes) == digest)
    };
    same_inputs
        && lock.components.values().all(|c| {
            unchanged(
                crate::workspace::package_path(&workspace.deps_dir(), &c.package),
                &c.sha256,
            )
        })
        && lock
            .compositions
            .iter()
            .all(|(name, c)| unchanged(workspace.out_dir.join(format!("{name}.wasm")), &c.sha256))
}

/// Builds the workspace's compositions from the given guest cores, unless
/// the lockfile (`wcompose.lock` at the root) shows nothing changed.
pub fn build(workspace: &Workspace, cores: &[PathBuf]) -> Result<Outcome, BuildError> {
    build_with_lock(workspace, cores, &workspace.root.join(LOCKFILE))
}

/// [`build`], with the lockfile at `lock_path`.
pub fn build_with_lock(
    workspace: &Workspace,
    cores: &[PathBuf],
    lock_path: &Path,
) -> Result<Outcome, BuildError> {
    let manifest = manifest(workspace)?;
    let mut lock = inputs(workspace, &manifest, cores)?;
    let previous = std::fs::read_to_string(lock_path)
        .ok()
        .and_then(|text| toml::from_str::<Lock>(&text).ok());
    if let Some(previous) = &previous
        && fresh(workspace, previous, &lock)
    {
        return Ok(Outcome::UpToDate(previous.clone()));
    }

    for guest in workspace.componentize_guests(cores)? {
        if let Some(locked) = lock.components.get_mut(&file_name(&guest.core)) {
            locked.sha256 = sha256(&fsutil::read(&guest.path)?);
            locked.package = guest.package;
        }
    }
    for (name, declared) in &manifest.compositions {
        for guest in &declared.guests {
            if !lock.components.values().any(|c| c.package == *guest) {
                return Err(BuildError::UnknownGuest {
                    composition: name.clone(),
                    guest: guest.clone(),
                });
            }
        }
        let host = HostProfile::named(&declared.host).ok_or_else(|| BuildError::UnknownHost {
            composition: name.clone(),
            host: declared.host.clone(),
        })?;
        let options = compose::Options {
            deps_dir: workspace.deps_dir(),
            check: crate::check::CheckOptions {
                wit: None,
                host: Some(host),
            },
            ..Default::default()
        };
        let composed = compose::compose_file(&workspace.root.join(&declared.file), &options)?;
        let output = workspace.out_dir.join(format!("{name}.wasm"));
        fsutil::write_atomic(&output, &composed.bytes)?;
        if let Some(locked) = lock.compositions.get_mut(name) {
            locked.sha256 = sha256(&composed.bytes);
        }
    }

    let lock_changed = previous.as_ref() != Some(&lock);
    if lock_changed {
        let text = format!(
            "# Written by `wcompose compose`: the inputs and outputs of the last build.\n{}",
            toml::to_string(&lock).unwrap_or_default()
        );
        fsutil::write_atomic(lock_path, text.as_bytes())?;
    }
    Ok(Outcome::Built { lock, lock_changed })
}

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
//! Packages that come from the registries of `wcompose.toml`'s
//! `[registries]` are pinned there by manifest digest
//! ([`Lock::packages`]), and builds use exactly those pins
//! ([`crate::registry::packages`]).
//!
//! Guests come first: [`build_guests`] builds the Rust crates of
//! `components/` with cargo and every other guest (a folder with a
//! `wcompose.toml`, see [`guest`]) with its language's builder, one module
//! per language behind one interface ([`guest::Job`] in, [`guest::Built`]
//! out), installing the toolchains they need ([`toolchain`]). Progress goes
//! to one callback of [`guest::Event`]s, which the caller renders.

mod c;
pub mod guest;
mod javascript;
pub mod producers;
mod python;
pub mod toolchain;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::time::Instant;

use crate::compose::{self, ComposeError};
use crate::fsutil::{self, FileError};
use crate::host::HostProfile;
use crate::known_valid::KnownValid;
use crate::registry::packages::{self, Fetcher, Pin};
use crate::workspace::{Workspace, WorkspaceError};
use guest::{Event, Guest, GuestError, Job, Language};
use toolchain::{Toolchain, ToolchainError, ToolchainOptions, Tools};

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
    /// Registries of packages, by WIT namespace: the repository prefix
    /// (`HOST[:PORT]/PATH`) under which package `ns:name` is the artifact
    /// `<prefix>/<name>:<version or latest>`. See
    /// [`crate::registry::packages`].
    #[serde(default)]
    pub registries: BTreeMap<String, String>,
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
    /// The guests' toolchains (clang, componentize-py, ...): name to
    /// version.
    #[serde(default)]
    pub toolchains: BTreeMap<String, String>,
    /// WIT file (relative path) to SHA-256.
    pub wit: BTreeMap<String, String>,
    /// Guest components by core module file name.
    pub components: BTreeMap<String, LockedComponent>,
    /// Compositions by name.
    pub compositions: BTreeMap<String, LockedComposition>,
    /// The manifest's `[registries]` when the lock was written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub registries: BTreeMap<String, String>,
    /// Packages from registries, by name (`ns:name`, `@version` if the
    /// `.wac` has one): the reference and the manifest digest that builds
    /// use, exactly, while the pin is here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub packages: BTreeMap<String, Pin>,
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
    /// The packages it takes from registries, each pinned in
    /// [`Lock::packages`]; a build is not up to date while one is not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
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
        /// The compositions, in the manifest's order (by name).
        composed: Vec<ComposedOutput>,
        /// The packages taken from registries, by name, with their pins
        /// and where their bytes came from (the cache or the registry).
        fetched: BTreeMap<String, packages::Resolved>,
    },
}

/// A composition that was checked and composed.
#[derive(Debug, Clone)]
pub struct ComposedOutput {
    /// The `.wac` file.
    pub source: PathBuf,
    /// The composed component.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: usize,
    /// Number of import/export edges that were type-checked.
    pub edges_checked: usize,
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
    let manifest: Manifest = toml::from_str(&text).map_err(|e| BuildError::Manifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    for (namespace, prefix) in &manifest.registries {
        let valid_namespace = !namespace.is_empty()
            && namespace.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
            && namespace.as_bytes()[0].is_ascii_lowercase();
        if !valid_namespace {
            return Err(BuildError::Manifest {
                path,
                message: format!(
                    "`{namespace}` in `[registries]` is not a WIT namespace (lowercase kebab-case, e.g. `toolsku`)"
                ),
            });
        }
        if let Err(e) = packages::check_prefix(prefix) {
            return Err(BuildError::Manifest {
                path,
                message: format!(
                    "the registry of namespace `{namespace}`, `{prefix}`, is not a repository prefix \
                     (`HOST[:PORT]/PATH`, e.g. `127.0.0.1:5000/{namespace}`): {e}"
                ),
            });
        }
    }
    Ok(manifest)
}

/// The fetcher of the registry packages of `workspace`: the registries of
/// its `wcompose.toml`, the pins of its `wcompose.lock`, and its cache
/// (`target/wcompose/registry/`). `None` when the manifest names no
/// registry.
pub fn fetcher(workspace: &Workspace, offline: bool) -> Result<Option<Fetcher>, BuildError> {
    let manifest = manifest(workspace)?;
    Ok(fetcher_for(
        workspace,
        &manifest,
        &workspace.root.join(LOCKFILE),
        offline,
    ))
}

fn fetcher_for(
    workspace: &Workspace,
    manifest: &Manifest,
    lock_path: &Path,
    offline: bool,
) -> Option<Fetcher> {
    if manifest.registries.is_empty() {
        return None;
    }
    let pins = read_lock(lock_path).map(|l| l.packages).unwrap_or_default();
    Some(
        Fetcher::new(
            manifest.registries.clone(),
            packages::cache_dir(&workspace.out_dir),
        )
        .with_pins(pins)
        .offline(offline),
    )
}

fn read_lock(path: &Path) -> Option<Lock> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str::<Lock>(&text).ok())
}

/// Adds the pins of the packages `fetcher` gave to the lockfile at
/// `lock_path` (keeping its other pins), for a single composition built or
/// checked outside a workspace build. Returns whether the lockfile
/// changed.
pub fn record_pins(fetcher: &Fetcher, lock_path: &Path) -> Result<bool, BuildError> {
    let resolved = fetcher.resolved();
    let mut lock = read_lock(lock_path).unwrap_or_else(|| Lock {
        version: 1,
        ..Lock::default()
    });
    let before = lock.packages.clone();
    for (name, resolved) in resolved {
        lock.packages.insert(name, resolved.pin);
    }
    if lock.packages == before {
        return Ok(false);
    }
    write_lock(&lock, lock_path)?;
    Ok(true)
}

fn write_lock(lock: &Lock, lock_path: &Path) -> Result<(), BuildError> {
    let text = format!(
        "# Written by `wcompose compose`: the inputs and outputs of the last build.\n{}",
        toml::to_string(lock).unwrap_or_default()
    );
    fsutil::write_atomic(lock_path, text.as_bytes())?;
    Ok(())
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
    guests: &GuestBuilds,
) -> Result<Lock, BuildError> {
    let cores = &guests.outputs;
    let mut lock = Lock {
        version: 1,
        tools: tools(),
        toolchains: guests.toolchains.clone(),
        wit: wit_digests(workspace)?,
        registries: manifest.registries.clone(),
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
                packages: Vec::new(),
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
        && lock.toolchains == inputs.toolchains
        && lock.wit == inputs.wit
        && lock.registries == inputs.registries
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
    let pinned = lock.compositions.values().all(|c| {
        c.packages
            .iter()
            .all(|package| lock.packages.contains_key(package))
    });
    same_inputs
        && pinned
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
    let guests = GuestBuilds {
        outputs: cores.to_vec(),
        ..Default::default()
    };
    build_compositions(workspace, &guests, lock_path)
}

/// Builds the workspace's compositions from the guests [`build_guests`]
/// built, recording their toolchains too, unless the lockfile at
/// `lock_path` shows nothing changed.
pub fn build_compositions(
    workspace: &Workspace,
    guests: &GuestBuilds,
    lock_path: &Path,
) -> Result<Outcome, BuildError> {
    build_compositions_with(workspace, guests, lock_path, false)
}

/// [`build_compositions`]; `offline`, registry packages come only from
/// the cache, by the lockfile's pins, and the network is never touched.
/// A build whose inputs match the lockfile touches it in no case.
pub fn build_compositions_with(
    workspace: &Workspace,
    guests: &GuestBuilds,
    lock_path: &Path,
    offline: bool,
) -> Result<Outcome, BuildError> {
    let cores = &guests.outputs;
    let manifest = manifest(workspace)?;
    let mut lock = inputs(workspace, &manifest, guests)?;
    let previous = read_lock(lock_path);
    if let Some(previous) = &previous
        && fresh(workspace, previous, &lock)
    {
        return Ok(Outcome::UpToDate(previous.clone()));
    }
    let fetcher = fetcher_for(workspace, &manifest, lock_path, offline).map(std::sync::Arc::new);

    for guest in workspace.componentize_guests(cores)? {
        if let Some(locked) = lock.components.get_mut(&file_name(&guest.core)) {
            locked.sha256 = sha256(&fsutil::read(&guest.path)?);
            locked.package = guest.package;
        }
    }
    // Compositions share guests: the bodies of a guest's core modules are
    // checked once, then known to the workspace's cache folder.
    let known_valid = KnownValid::new(workspace.cache_dir());
    let mut jobs = Vec::new();
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
            registry: fetcher.clone(),
            known_valid: Some(known_valid.clone()),
            ..Default::default()
        };
        let source = workspace.root.join(&declared.file);
        jobs.push((name, source, options));
    }
    // Compositions read only the guests and registry packages, never each
    // other's outputs: they are composed side by side, and the first error
    // in manifest order is the one reported.
    let composed = crate::parallel::map(&jobs, |(_, source, options)| {
        compose::compose_file(source, options)
    });
    let mut outputs = Vec::new();
    for ((name, source, _), composition) in jobs.into_iter().zip(composed) {
        outputs.push((name, source, composition?));
    }
    // Every composition is checked and composed before any is written:
    // a registry package that fails leaves the outputs and the lockfile as
    // they were.
    let mut composed = Vec::new();
    for (name, source, composition) in outputs {
        let output = workspace.out_dir.join(format!("{name}.wasm"));
        fsutil::write_atomic(&output, &composition.bytes)?;
        if let Some(locked) = lock.compositions.get_mut(name) {
            locked.sha256 = sha256(&composition.bytes);
            locked.packages = composition.registry_packages.clone();
        }
        composed.push(ComposedOutput {
            source,
            path: output,
            size: composition.bytes.len(),
            edges_checked: composition.report.edges_checked,
        });
    }
    let fetched = fetcher.map(|f| f.resolved()).unwrap_or_default();
    lock.packages = fetched
        .iter()
        .map(|(name, resolved)| (name.clone(), resolved.pin.clone()))
        .collect();

    let lock_changed = previous.as_ref() != Some(&lock);
    if lock_changed {
        write_lock(&lock, lock_path)?;
    }
    Ok(Outcome::Built {
        lock,
        lock_changed,
        composed,
        fetched,
    })
}

/// The guests of a workspace, built.
#[derive(Debug, Default)]
pub struct GuestBuilds {
    /// Every guest's output, sorted: core modules (Rust for wasm32-wasip1,
    /// C, C++) and components (Rust for wasm32-wasip2, Python, JavaScript).
    pub outputs: Vec<PathBuf>,
    /// The guests that failed, by name, with why; the others were built.
    pub failed: Vec<(String, GuestError)>,
    /// The versions of the toolchains that built them.
    pub toolchains: BTreeMap<String, String>,
}

/// Builds every guest of the workspace: the Rust crates of `components/`
/// with cargo, then each folder with a `wcompose.toml` with its language's
/// builder, after finding or installing its toolchain. A guest whose inputs
/// (sources, WIT, toolchain) are those of its last build is not rebuilt. A
/// failing guest, or one whose toolchain is missing, is reported in
/// [`GuestBuilds::failed`] and leaves no output; the others still build.
/// Only a failure of the Rust build, which builds all crates at once, is an
/// error.
pub fn build_guests(
    workspace: &Workspace,
    options: &ToolchainOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<GuestBuilds, WorkspaceError> {
    let _lock = crate::workspace::lock_guest_builds(&workspace.root.join("target"))?;
    let mut builds = GuestBuilds::default();
    if workspace.components_dir().join("Cargo.toml").is_file() {
        on_event(Event::Building {
            guest: "crates of components/Cargo.toml",
            language: Language::Rust,
        });
    }
    builds.outputs = workspace.build_rust_guests(on_event)?;

    let guests = guest::discover(&workspace.components_dir()).map_err(|e| match e {
        GuestError::Dir { path, source } => WorkspaceError::Dir { path, source },
        other => WorkspaceError::Guest {
            guest: "components".to_string(),
            source: Box::new(other),
        },
    })?;
    let mut toolchains: BTreeMap<Toolchain, Result<Tools, ToolchainError>> = BTreeMap::new();
    for (name, guest) in guests {
        let result = guest.and_then(|guest| {
            let toolchain = guest.language.toolchain().expect("a non-Rust guest");
            let tools = toolchains
                .entry(toolchain)
                .or_insert_with(|| toolchain::find_or_install(toolchain, options, on_event))
                .clone()?;
            for (k, v) in &tools.versions {
                builds.toolchains.insert(k.clone(), v.clone());
            }
            build_guest(workspace, &guest, &tools, on_event)
        });
        match result {
            Ok(wasm) => builds.outputs.push(wasm),
            Err(error) => {
                on_event(Event::Failed {
                    guest: &name,
                    error: &error,
                });
                builds.failed.push((name, error));
            }
        }
    }
    builds.outputs.sort();
    Ok(builds)
}

/// Builds one non-Rust guest into `target/guests/<language>/<name>/`,
/// unless its inputs digest is that of the output already there.
fn build_guest(
    workspace: &Workspace,
    guest: &Guest,
    tools: &Tools,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf, GuestError> {
    let out_dir = workspace
        .guest_target_dir()
        .join(guest.language.name())
        .join(&guest.name);
    let wit = out_dir.join("wit");
    let wasm = out_dir.join(guest.file_name());
    let stamp = out_dir.join("inputs.sha256");
    guest::assemble_wit(&workspace.wit_dir(), &guest.world, &wit)?;
    let digest = guest::inputs_digest(guest, &wit, tools)?;
    let start = Instant::now();
    if wasm.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == digest) {
        on_event(Event::Built {
            guest: &guest.name,
            language: guest.language,
            wasm: &wasm,
            elapsed: start.elapsed(),
            up_to_date: true,
        });
        return Ok(wasm);
    }
    on_event(Event::Building {
        guest: &guest.name,
        language: guest.language,
    });
    // Whatever a failed build leaves is no output.
    let _ = std::fs::remove_file(&stamp);
    let _ = std::fs::remove_file(&wasm);
    let result = build_one(&Job {
        guest,
        wit: &wit,
        out_dir: &out_dir,
        tools,
    });
    let built = match result {
        Ok(built) => built,
        Err(error) => {
            let _ = std::fs::remove_file(&wasm);
            return Err(error);
        }
    };
    fsutil::write_atomic(&out_dir.join("build.log"), built.log.as_bytes())?;
    fsutil::write_atomic(&stamp, digest.as_bytes())?;
    on_event(Event::Built {
        guest: &guest.name,
        language: guest.language,
        wasm: &built.wasm,
        elapsed: start.elapsed(),
        up_to_date: false,
    });
    Ok(built.wasm)
}

/// Builds one guest with its language's builder, after the WIT folder it
/// is given has been written, and records its language and toolchain in
/// the output's producers section ([`producers`]).
pub fn build_one(job: &Job<'_>) -> Result<guest::Built, GuestError> {
    guest::create_dir(job.out_dir)?;
    let built = match job.guest.language {
        Language::C | Language::Cpp => c::build(job),
        Language::Python => python::build(job),
        Language::JavaScript => javascript::build(job),
        Language::Rust => Err(GuestError::Manifest {
            path: job.guest.dir.join(guest::GUEST_MANIFEST),
            message: "a Rust guest is a crate of `components/Cargo.toml`, which cargo builds"
                .to_string(),
        }),
    }?;
    producers::record(job, &built.wasm)?;
    Ok(built)
}

//! A workspace of guests: shared WIT in `wit/`, guest crates in
//! `components/`, compositions in `compositions/`. This module turns built
//! guest cores into components named after their WIT package, and composes
//! every composition against them.
//!
//! A guest crate may say how it is built in `[package.metadata.wcompose]`:
//! `target = "wasm32-wasip2"` builds it for that target instead of
//! wasm32-wasip1 (rustc then links a component directly), and
//! `package = "ns:name"` names the package that compositions know it by,
//! instead of the package of the world it embeds.
//!
//! Guests in other languages are folders of `components/` with a
//! `wcompose.toml` (see [`crate::build::guest`]), named in compositions by
//! the `package` it gives.
//!
//! Outputs go under `target/wcompose/`:
//! `deps/<namespace>/<name>.wasm` holds one component per guest, the folder
//! layout `wac compose --deps-dir` expects, and `<composition>.wasm` holds
//! each composed result.

use std::path::{Path, PathBuf};

use crate::componentize::{self, Adapter, ComponentizeError};
use crate::compose::ComposeError;
use crate::fsutil::{self, FileError};

/// The folders of a workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace root (the folder with `wit/` and `compositions/`).
    pub root: PathBuf,
    /// Where components and compositions are written.
    pub out_dir: PathBuf,
}

/// A guest core module turned into a component.
#[derive(Debug, Clone)]
pub struct GuestComponent {
    /// The core module it came from.
    pub core: PathBuf,
    /// The WIT package of its world, which names it in compositions.
    pub package: String,
    /// Where the component was written.
    pub path: PathBuf,
    /// The adapter that was applied, if any.
    pub adapter: Option<Adapter>,
    /// Size of the component in bytes.
    pub size: usize,
}

/// A guest crate of `components/`, as `cargo metadata` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCrate {
    /// The crate's name.
    pub name: String,
    /// The target it is built for: `[package.metadata.wcompose] target`,
    /// else [`GUEST_TARGET`].
    pub target: String,
    /// The package name from `[package.metadata.wcompose] package`, if any.
    pub package: Option<String>,
    /// The file stems of the `.wasm` files its targets produce (`foo_bar`
    /// for a `cdylib` named `foo-bar`, `foo-bar` for a binary).
    pub artifact_stems: Vec<String>,
}

/// Why a workspace step failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkspaceError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// A guest core could not be componentized.
    #[error("failed to componentize `{}`", path.display())]
    Componentize {
        /// The core module.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ComponentizeError,
    },
    /// A guest core's producers section could not be written.
    #[error("failed to record the language of `{}` in its producers section", path.display())]
    Producers {
        /// The core module.
        path: PathBuf,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// A component's world could not be read.
    #[error("failed to read the WIT world embedded in `{}`", path.display())]
    World {
        /// The component.
        path: PathBuf,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// A component's world belongs to no WIT package.
    #[error(
        "`{}` embeds no WIT world of a named package (no `component-type` section from wit-bindgen), so no composition can name it\n  \
         help: name it in the crate's Cargo.toml: `[package.metadata.wcompose] package = \"ns:name\"`",
        path.display()
    )]
    NoPackage {
        /// The component.
        path: PathBuf,
    },
    /// A composition failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compose(#[from] ComposeError),
    /// A build tool could not be started or failed.
    #[error("`{command}` failed{}\n{output}", status.map(|s| format!(" with {s}")).unwrap_or_default())]
    Tool {
        /// The command line.
        command: String,
        /// Its exit status, if it ran.
        status: Option<std::process::ExitStatus>,
        /// What it printed on stderr (or why it could not start).
        output: String,
    },
    /// `cargo metadata` printed something that is not its JSON.
    #[error("failed to read the output of `cargo metadata` for `{}`", manifest.display())]
    Metadata {
        /// The guests' manifest.
        manifest: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A crate's `[package.metadata.wcompose]` table is not as documented.
    #[error(
        "invalid `[package.metadata.wcompose]` in crate `{krate}`: {reason}\n  \
         help: `target` is a Rust target (`\"wasm32-wasip2\"`), `package` a package name (`\"ns:name\"`)"
    )]
    CrateMetadata {
        /// The crate.
        krate: String,
        /// What is wrong.
        reason: String,
    },
    /// A guest in a language other than Rust failed to build.
    #[error("failed to build guest `{guest}`")]
    Guest {
        /// The guest's name.
        guest: String,
        /// The cause.
        #[source]
        source: Box<crate::build::guest::GuestError>,
    },
    /// Two guests claim the same package name.
    #[error(
        "`{}` and `{}` are both named package `{package}`, so compositions cannot tell them apart\n  \
         help: give one of them another `package` (in `[package.metadata.wcompose]` or its `wcompose.toml`)",
        first.display(), second.display()
    )]
    DuplicatePackage {
        /// The package.
        package: String,
        /// One guest's output.
        first: PathBuf,
        /// The other's.
        second: PathBuf,
    },
    /// A folder could not be listed or created.
    #[error("failed to access `{}`", path.display())]
    Dir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl Workspace {
    /// A workspace rooted at `root`.
    /// Outputs go to `target/wcompose/` under the root.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let out_dir = root.join("target").join("wcompose");
        Self { root, out_dir }
    }

    /// The same workspace with outputs written to `out_dir` instead.
    pub fn with_out_dir(mut self, out_dir: impl Into<PathBuf>) -> Self {
        self.out_dir = out_dir.into();
        self
    }

    /// The shared WIT folder.
    pub fn wit_dir(&self) -> PathBuf {
        self.root.join("wit")
    }

    /// The guest crates' workspace.
    pub fn components_dir(&self) -> PathBuf {
        self.root.join("components")
    }

    /// The `.wac` files.
    pub fn compositions_dir(&self) -> PathBuf {
        self.root.join("compositions")
    }

    /// Where guests are compiled (kept apart from the host's `target/`
    /// profiles so host and guest builds never wait on each other's lock).
    pub fn guest_target_dir(&self) -> PathBuf {
        self.root.join("target").join("guests")
    }

    /// Where toolchains that the project installs itself live (a Python
    /// virtual environment, an npm prefix).
    pub fn toolchains_dir(&self) -> PathBuf {
        self.root.join("target").join("toolchains")
    }

    /// The deps folder the compositions resolve packages from.
    pub fn deps_dir(&self) -> PathBuf {
        self.out_dir.join("deps")
    }

    /// The workspace's own cache folder (see [`crate::cache_dir`]): the
    /// compiled code of its runs, the core modules known valid.
    pub fn cache_dir(&self) -> PathBuf {
        self.out_dir.join("cache")
    }

    /// The guest crates of `components/`, from `cargo metadata`.
    pub fn guest_crates(&self) -> Result<Vec<GuestCrate>, WorkspaceError> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let manifest = self.components_dir().join("Cargo.toml");
        let stdout = run_tool(
            std::process::Command::new(&cargo)
                .args(["metadata", "--no-deps", "--format-version", "1"])
                .arg("--manifest-path")
                .arg(&manifest),
        )?;
        let metadata: cargo_metadata::Metadata =
            serde_json::from_str(&stdout).map_err(|source| WorkspaceError::Metadata {
                manifest: manifest.clone(),
                source,
            })?;
        metadata.packages.iter().map(guest_crate).collect()
    }

    /// Builds every guest of `components/`, in every language, installing
    /// toolchains as needed into [`Workspace::toolchains_dir`], and returns
    /// the `.wasm` files; the first guest that fails is the error. See
    /// [`crate::build::build_guests`] for progress and partial results.
    pub fn build_guests(&self) -> Result<Vec<PathBuf>, WorkspaceError> {
        let options = crate::build::toolchain::ToolchainOptions::new(self.toolchains_dir());
        let mut builds = crate::build::build_guests(self, &options, &mut |_| {})?;
        if !builds.failed.is_empty() {
            let (guest, source) = builds.failed.swap_remove(0);
            return Err(WorkspaceError::Guest {
                guest,
                source: Box::new(source),
            });
        }
        Ok(builds.outputs)
    }

    /// Builds every guest crate of `components/` (release profile) and
    /// returns the paths of the `.wasm` files: core modules for
    /// wasm32-wasip1 crates, components for wasm32-wasip2 ones. Crates are
    /// built with one cargo invocation per target. Installs the wasm
    /// targets first when they are missing. The caller holds
    /// [`lock_guest_builds`]; an installation is reported to `on_event`.
    pub fn build_rust_guests(
        &self,
        on_event: &mut dyn FnMut(crate::build::guest::Event<'_>),
    ) -> Result<Vec<PathBuf>, WorkspaceError> {
        // A workspace may have no Rust guests (its packages from other
        // languages, deps and registries).
        if !self.components_dir().join("Cargo.toml").is_file() {
            return Ok(Vec::new());
        }
        let crates = self.guest_crates()?;
        let mut targets: Vec<&str> = GUEST_TARGETS.to_vec();
        for krate in &crates {
            if !targets.contains(&krate.target.as_str()) {
                targets.push(&krate.target);
            }
        }
        ensure_targets(&targets, on_event)?;
        let mut cores = Vec::new();
        for target in targets {
            let members: Vec<&GuestCrate> = crates.iter().filter(|c| c.target == target).collect();
            if !members.is_empty() {
                cores.extend(self.build_for(target, &members)?);
            }
        }
        cores.sort();
        cores.dedup();
        Ok(cores)
    }

    /// Builds `crates` for `target` in one cargo invocation and returns the
    /// `.wasm` files it reports.
    fn build_for(
        &self,
        target: &str,
        crates: &[&GuestCrate],
    ) -> Result<Vec<PathBuf>, WorkspaceError> {
        GuestBuild {
            manifest: self.components_dir().join("Cargo.toml"),
            target: target.to_string(),
            target_dir: self.guest_target_dir(),
            packages: crates.iter().map(|krate| krate.name.clone()).collect(),
        }
        .run()
    }

    /// Every `compositions/*.wac`, sorted by name.
    pub fn compositions(&self) -> Result<Vec<PathBuf>, WorkspaceError> {
        let dir = self.compositions_dir();
        let entries = std::fs::read_dir(&dir).map_err(|source| WorkspaceError::Dir {
            path: dir.clone(),
            source,
        })?;
        let mut out = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| WorkspaceError::Dir {
                    path: dir.clone(),
                    source,
                })?
                .path();
            if path.extension().is_some_and(|e| e == "wac") {
                out.push(path);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Componentizes each guest core and writes it to
    /// `deps/<namespace>/<name>.wasm`, named by its crate's
    /// `[package.metadata.wcompose] package`, else by the WIT package of the
    /// world it embeds; a guest in another language by the `package` of its
    /// `wcompose.toml`. Components (from wasm32-wasip2, Python, JavaScript)
    /// pass through.
    pub fn componentize_guests(
        &self,
        cores: &[PathBuf],
    ) -> Result<Vec<GuestComponent>, WorkspaceError> {
        // A workspace whose compositions use only packages from deps and
        // registries has no guests, and may have no `components/` at all.
        if cores.is_empty() {
            return Ok(Vec::new());
        }
        let crates = self.guest_crates()?;
        let others: Vec<crate::build::guest::Guest> =
            crate::build::guest::discover(&self.components_dir())
                .map(|guests| guests.into_iter().filter_map(|(_, g)| g.ok()).collect())
                .unwrap_or_default();
        let stem_of = |core: &PathBuf| {
            core.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let rustc = cores
            .iter()
            .any(|core| crate_of_artifact(&crates, &stem_of(core)).is_some())
            .then(rustc_version)
            .flatten();
        // Componentizing is the work; each guest's is independent of the
        // others', so they run side by side. Naming and writing follow in
        // order, so that errors and duplicates are reported as before.
        let componentized = crate::parallel::map(cores, |core| {
            let mut bytes = fsutil::read(core)?;
            let stem = stem_of(core);
            let krate = crate_of_artifact(&crates, &stem);
            if krate.is_some() {
                bytes = crate::build::producers::recorded(
                    &bytes,
                    &crate::build::producers::rust(rustc.as_deref()),
                    false,
                )
                .map_err(|source| WorkspaceError::Producers {
                    path: core.clone(),
                    source,
                })?;
            }
            let componentized =
                componentize::componentize(&bytes, componentize::Options::default()).map_err(
                    |source| WorkspaceError::Componentize {
                        path: core.clone(),
                        source,
                    },
                )?;
            Ok::<_, WorkspaceError>((stem, krate, bytes, componentized))
        });
        let mut out: Vec<GuestComponent> = Vec::new();
        for (core, done) in cores.iter().zip(componentized) {
            let (stem, krate, bytes, componentized) = done?;
            let named = krate.and_then(|krate| krate.package.clone()).or_else(|| {
                others
                    .iter()
                    .find(|g| g.name == stem)
                    .map(|g| g.package.clone())
            });
            let package = match named {
                Some(package) => package,
                None => world_package(core, &bytes)?,
            };
            if let Some(other) = out.iter().find(|c| c.package == package) {
                return Err(WorkspaceError::DuplicatePackage {
                    package,
                    first: other.core.clone(),
                    second: core.clone(),
                });
            }
            let path = package_path(&self.deps_dir(), &package);
            create_parent(&path)?;
            fsutil::write_atomic(&path, &componentized.bytes)?;
            out.push(GuestComponent {
                core: core.clone(),
                package,
                path,
                adapter: componentized.adapter,
                size: componentized.bytes.len(),
            });
        }
        Ok(out)
    }
}

/// The target that guests are built for.
pub const GUEST_TARGET: &str = "wasm32-wasip1";

/// The wasm targets the workspace's guests need.
pub const GUEST_TARGETS: &[&str] = &["wasm32-wasip1", "wasm32-wasip2"];

/// One `cargo build` of wasm guests: the crates of a cargo workspace built
/// for one target (release profile) into a target folder of their own. The
/// workspace's `components/` and the tests' own guests both build this way.
#[derive(Debug, Clone)]
pub struct GuestBuild {
    /// The cargo workspace's `Cargo.toml`.
    pub manifest: PathBuf,
    /// The Rust target, e.g. [`GUEST_TARGET`].
    pub target: String,
    /// The `CARGO_TARGET_DIR` for the build.
    pub target_dir: PathBuf,
    /// The crates to build; every member when empty.
    pub packages: Vec<String>,
}

impl GuestBuild {
    /// Runs the build and returns the `.wasm` files cargo reports (core
    /// modules, or components for wasm32-wasip2), sorted. Does not install
    /// the target; see [`ensure_targets`] and [`lock_guest_builds`].
    pub fn run(&self) -> Result<Vec<PathBuf>, WorkspaceError> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = std::process::Command::new(&cargo);
        command
            .arg("build")
            .arg("--manifest-path")
            .arg(&self.manifest)
            .args([
                "--release",
                "--target",
                &self.target,
                "--message-format=json-render-diagnostics",
            ])
            .env("CARGO_TARGET_DIR", &self.target_dir);
        for package in &self.packages {
            command.args(["--package", package]);
        }
        let stdout = run_tool(&mut command)?;
        let mut out = Vec::new();
        for message in cargo_metadata::Message::parse_stream(stdout.as_bytes()).flatten() {
            if let cargo_metadata::Message::CompilerArtifact(artifact) = message {
                let files = artifact.filenames.into_iter();
                out.extend(
                    files
                        .filter(|file| file.extension() == Some("wasm"))
                        .map(PathBuf::from),
                );
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// Takes the lock that lets one process at a time build guests and install
/// Rust targets (test processes build concurrently; cargo serialises the
/// builds themselves, but not rustup). The lock file lives in
/// `target_root`; the lock is held until the returned file is dropped.
pub fn lock_guest_builds(target_root: &Path) -> Result<std::fs::File, WorkspaceError> {
    let lock_path = target_root.join(".wcompose-guests.lock");
    create_parent(&lock_path)?;
    let dir_error = |source| WorkspaceError::Dir {
        path: lock_path.clone(),
        source,
    };
    let lock = std::fs::File::create(&lock_path).map_err(dir_error)?;
    lock.lock().map_err(dir_error)?;
    Ok(lock)
}

/// Installs the given Rust targets with rustup when they are missing, and
/// reports the installation to `on_event` first.
pub fn ensure_targets(
    targets: &[&str],
    on_event: &mut dyn FnMut(crate::build::guest::Event<'_>),
) -> Result<(), WorkspaceError> {
    let installed =
        run_tool(std::process::Command::new("rustup").args(["target", "list", "--installed"]))?;
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        on_event(crate::build::guest::Event::InstallingRustTargets { targets: &missing });
        run_tool(
            std::process::Command::new("rustup")
                .args(["target", "add"])
                .args(&missing),
        )?;
    }
    Ok(())
}

/// The version of the rustc that cargo runs (`rustc 1.95.0 (...)` without
/// its first word), or `None` when it cannot be asked.
fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let line = run_tool(std::process::Command::new(rustc).arg("--version")).ok()?;
    let version = line.trim().strip_prefix("rustc ")?;
    Some(version.to_string())
}

/// Runs a tool to completion and returns its stdout; a failure reports the
/// command line, the exit status and what the tool printed on stderr.
fn run_tool(command: &mut std::process::Command) -> Result<String, WorkspaceError> {
    let line = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| WorkspaceError::Tool {
            command: line.clone(),
            status: None,
            output: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(WorkspaceError::Tool {
            command: line,
            status: Some(output.status),
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Reads one package of `cargo metadata` output as a guest crate.
fn guest_crate(package: &cargo_metadata::Package) -> Result<GuestCrate, WorkspaceError> {
    let name = package.name.to_string();
    let invalid = |reason: String| WorkspaceError::CrateMetadata {
        krate: name.clone(),
        reason,
    };
    let table = &package.metadata["wcompose"];
    let string = |key: &str| match &table[key] {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(value) => Ok(Some(value.clone())),
        other => Err(invalid(format!(
            "`{key}` must be a string, found `{other}`"
        ))),
    };
    let target = string("target")?.unwrap_or_else(|| GUEST_TARGET.to_string());
    if !target.starts_with("wasm32-") {
        return Err(invalid(format!("`{target}` is not a wasm32 target")));
    }
    let package_name = string("package")?;
    if let Some(package) = &package_name {
        let valid = package.split_once(':').is_some_and(|(ns, name)| {
            !ns.is_empty() && !name.is_empty() && !name.contains(['/', '@', ':'])
        });
        if !valid {
            return Err(invalid(format!(
                "`{package}` is not a package name (`ns:name`)"
            )));
        }
    }
    let mut artifact_stems = Vec::new();
    for target in &package.targets {
        for kind in &target.kind {
            let stem = match kind {
                cargo_metadata::TargetKind::Bin => target.name.clone(),
                cargo_metadata::TargetKind::CDyLib => target.name.replace('-', "_"),
                _ => continue,
            };
            if !artifact_stems.contains(&stem) {
                artifact_stems.push(stem);
            }
        }
    }
    Ok(GuestCrate {
        name,
        target,
        package: package_name,
        artifact_stems,
    })
}

/// The crate that builds `<stem>.wasm`.
fn crate_of_artifact<'a>(crates: &'a [GuestCrate], stem: &str) -> Option<&'a GuestCrate> {
    crates
        .iter()
        .find(|krate| krate.artifact_stems.iter().any(|s| s == stem))
}

/// `deps/ns/name.wasm` for package `ns:name`.
pub fn package_path(deps_dir: &Path, package: &str) -> PathBuf {
    let mut path = deps_dir.to_path_buf();
    let mut segments = package.split(':').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_some() {
            path.push(segment);
        } else {
            path.push(format!("{segment}.wasm"));
        }
    }
    path
}

/// The `ns:name` of the WIT package whose world a guest core module
/// embeds in its `component-type` custom section (written by wit-bindgen).
pub fn world_package(path: &Path, core: &[u8]) -> Result<String, WorkspaceError> {
    let world_error = |source| WorkspaceError::World {
        path: path.to_owned(),
        source,
    };
    if let Some(decoded) = crate::artifact::world::embedded(core) {
        let (resolve, world) = decoded.map_err(world_error)?;
        let package = resolve.worlds[world]
            .package
            .ok_or_else(|| WorkspaceError::NoPackage {
                path: path.to_owned(),
            })?;
        let name = &resolve.packages[package].name;
        return Ok(format!("{}:{}", name.namespace, name.name));
    }
    Err(WorkspaceError::NoPackage {
        path: path.to_owned(),
    })
}

fn create_parent(path: &Path) -> Result<(), WorkspaceError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Dir {
            path: parent.to_owned(),
            source,
        })?;
    }
    Ok(())
}

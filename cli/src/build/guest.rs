//! Guests in languages other than Rust: how a guest folder declares itself,
//! the WIT folder its toolchain is given, and the one interface every
//! language's builder fits.
//!
//! A folder `components/<name>/` with a `wcompose.toml` is such a guest:
//!
//! ```toml
//! language = "c"                          # c, cpp, python, javascript
//! world = "toolsku:calculator/calculator" # a world of `wit/`
//! package = "toolsku:calculator-c"        # the name compositions use
//! sources = ["calculator.c"]              # relative to the folder
//! ```
//!
//! Bindings are never committed: each build writes the WIT of the guest's
//! world (its package, and the packages it uses in `deps/`, the layout every
//! language tool accepts) under the guest's output folder in `target/`, and
//! the builder generates bindings from that, so a guest cannot drift from
//! `wit/` unnoticed.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use wit_parser::UnresolvedPackageGroup;

use super::toolchain::{Toolchain, ToolchainError, Tools};
use crate::fsutil::{self, FileError};

/// The file that makes a folder of `components/` a non-Rust guest.
pub const GUEST_MANIFEST: &str = "wcompose.toml";

/// The language a guest is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    /// Rust, built by cargo (crates of the `components/` cargo workspace).
    Rust,
    /// C, built by clang against wit-bindgen's C bindings.
    C,
    /// C++, built by clang++ against wit-bindgen's C++ bindings.
    Cpp,
    /// Python, made a component by componentize-py.
    Python,
    /// JavaScript, made a component by componentize-js.
    JavaScript,
}

impl Language {
    /// Every language, in the order the manifest documents them.
    pub const ALL: [Language; 5] = [
        Language::Rust,
        Language::C,
        Language::Cpp,
        Language::Python,
        Language::JavaScript,
    ];

    /// The name a guest manifest uses for it.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Python => "python",
            Language::JavaScript => "javascript",
        }
    }

    /// The language a manifest names, if it is known.
    pub fn named(name: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The toolchain that builds it; Rust's is cargo's own.
    pub fn toolchain(self) -> Option<Toolchain> {
        match self {
            Language::Rust => None,
            Language::C | Language::Cpp => Some(Toolchain::Clang),
            Language::Python => Some(Toolchain::ComponentizePy),
            Language::JavaScript => Some(Toolchain::ComponentizeJs),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A guest folder with a [`GUEST_MANIFEST`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    /// The folder's name, which also names its output (`<name>.wasm`).
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// Its language (never [`Language::Rust`]: Rust guests are crates).
    pub language: Language,
    /// The world it targets, `ns:package/world`.
    pub world: String,
    /// The package compositions know it by; the world's package by default.
    pub package: String,
    /// Its source files, relative to `dir`; the first is the entry point
    /// (the Python module, the JavaScript module).
    pub sources: Vec<PathBuf>,
}

/// `components/<name>/wcompose.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuestManifest {
    language: String,
    world: String,
    package: Option<String>,
    sources: Vec<PathBuf>,
}

/// Why a guest could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The guest's manifest is not as documented.
    #[error("invalid `{}`: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The manifest names a language no builder knows.
    #[error(
        "`{}` names language `{language}`\n  help: the known languages are {}",
        path.display(),
        Language::ALL.iter().filter(|l| **l != Language::Rust).map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
    )]
    UnknownLanguage {
        /// The manifest.
        path: PathBuf,
        /// The name it gave.
        language: String,
    },
    /// The manifest names a world that `wit/` does not define.
    #[error("world `{world}` is not in `{}`\n  help: the worlds there are {}", wit.display(), known.join(", "))]
    UnknownWorld {
        /// The world named.
        world: String,
        /// The WIT folder.
        wit: PathBuf,
        /// The worlds it has.
        known: Vec<String>,
    },
    /// The WIT folder could not be parsed.
    #[error("failed to load the WIT of `{}`", path.display())]
    Wit {
        /// The WIT file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// The guest's toolchain is missing and was not installed.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// Bindings could not be generated.
    #[error("failed to generate {language} bindings for world `{world}`")]
    Bindings {
        /// The language.
        language: Language,
        /// The world.
        world: String,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// A compiler or packaging tool failed on the guest.
    #[error("{}", super::toolchain::describe_failure(command, *status, output))]
    Tool {
        /// The command line.
        command: String,
        /// Its exit status, if it ran.
        status: Option<std::process::ExitStatus>,
        /// What it printed.
        output: String,
    },
    /// The output's producers section could not be rewritten.
    #[error("failed to record the producers of `{}`", path.display())]
    Producers {
        /// The output.
        path: PathBuf,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// A folder could not be created or listed.
    #[error("failed to access `{}`", path.display())]
    Dir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What a builder is given: one guest, the WIT folder made for it, the
/// folder to write into, and the guest's toolchain.
pub struct Job<'a> {
    /// The guest.
    pub guest: &'a Guest,
    /// The guest's WIT folder (its world's package, `deps/` for the rest).
    pub wit: &'a Path,
    /// Its private output folder.
    pub out_dir: &'a Path,
    /// Where the toolchain's programs are.
    pub tools: &'a Tools,
}

/// What a builder returns.
#[derive(Debug, Clone)]
pub struct Built {
    /// The core module (C, C++) or component (Python, JavaScript).
    pub wasm: PathBuf,
    /// The commands it ran and what they printed.
    pub log: String,
}

impl Built {
    /// Runs a builder's last command, the one that writes `wasm`: its
    /// command line and what it printed become the log, and a failure a
    /// [`GuestError::Tool`].
    pub(crate) fn by_running(
        command: &mut std::process::Command,
        wasm: PathBuf,
    ) -> Result<Self, GuestError> {
        let log = super::toolchain::run(command).map_err(|failure| GuestError::Tool {
            command: failure.command,
            status: failure.status,
            output: failure.output,
        })?;
        Ok(Built {
            wasm,
            log: format!("{}\n{log}", super::toolchain::command_line(command)),
        })
    }
}

/// A step of a workspace's guest build, for the caller to render.
#[derive(Debug)]
pub enum Event<'a> {
    /// A toolchain is being installed with `command`.
    Installing {
        /// The toolchain.
        toolchain: Toolchain,
        /// The command line.
        command: &'a str,
    },
    /// A toolchain was installed.
    Installed {
        /// The toolchain.
        toolchain: Toolchain,
        /// How long it took.
        elapsed: Duration,
    },
    /// Rust targets that guest crates need are being installed with
    /// `rustup target add`.
    InstallingRustTargets {
        /// The targets.
        targets: &'a [&'a str],
    },
    /// A guest (or, for Rust, every crate of one target) is being built.
    Building {
        /// The guest's name, or the Rust target.
        guest: &'a str,
        /// Its language.
        language: Language,
    },
    /// A guest was built, or found up to date.
    Built {
        /// The guest's name.
        guest: &'a str,
        /// Its language.
        language: Language,
        /// The core module or component.
        wasm: &'a Path,
        /// How long it took.
        elapsed: Duration,
        /// Whether its inputs were unchanged, so nothing ran.
        up_to_date: bool,
    },
    /// A guest failed; the others still build.
    Failed {
        /// The guest's name.
        guest: &'a str,
        /// Why.
        error: &'a GuestError,
    },
}

/// A guest folder's name, and its guest or why its manifest is refused.
pub type Discovered = (String, Result<Guest, GuestError>);

/// The non-Rust guests of `components/`: every folder with a
/// [`GUEST_MANIFEST`], sorted by name.
pub fn discover(components: &Path) -> Result<Vec<Discovered>, GuestError> {
    let entries = match std::fs::read_dir(components) {
        Ok(entries) => entries,
        // No `components/`: a workspace without guests.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(GuestError::Dir {
                path: components.to_owned(),
                source,
            });
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(GUEST_MANIFEST).is_file())
        .collect();
    dirs.sort();
    Ok(dirs
        .iter()
        .map(|dir| (folder_name(dir), Guest::load(dir)))
        .collect())
}

impl Guest {
    /// Reads the guest of folder `dir`.
    pub fn load(dir: &Path) -> Result<Guest, GuestError> {
        let path = dir.join(GUEST_MANIFEST);
        let text = fsutil::read_to_string(&path)?;
        let manifest: GuestManifest = toml::from_str(&text).map_err(|e| GuestError::Manifest {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
        let language = Language::named(&manifest.language)
            .filter(|l| *l != Language::Rust)
            .ok_or_else(|| GuestError::UnknownLanguage {
                path: path.clone(),
                language: manifest.language.clone(),
            })?;
        let Some((package, _)) = manifest.world.split_once('/') else {
            return Err(GuestError::Manifest {
                path,
                message: format!(
                    "`world = \"{}\"` is not of the form `ns:package/world`",
                    manifest.world
                ),
            });
        };
        if manifest.sources.is_empty() {
            return Err(GuestError::Manifest {
                path,
                message: "`sources` lists no file".to_string(),
            });
        }
        let package = manifest.package.unwrap_or_else(|| {
            // `ns:name@1.0.0` is known as `ns:name` in a deps folder.
            package.split('@').next().unwrap_or(package).to_string()
        });
        Ok(Guest {
            name: folder_name(dir),
            dir: dir.to_owned(),
            language,
            world: manifest.world,
            package,
            sources: manifest.sources,
        })
    }

    /// The output's file name, `<name>.wasm`.
    pub fn file_name(&self) -> String {
        format!("{}.wasm", self.name)
    }
}

/// Writes into `dest` the WIT folder for `world` out of the workspace's
/// `wit/`: the file of the world's package at the top, and the files of the
/// packages it uses, transitively, in `dest/deps/`. Packages that no
/// top-level file of `wit/` defines come from `wit/deps/`, which is copied
/// whole. Fails, naming the worlds there are, when `world` is not in `wit/`.
pub fn assemble_wit(wit: &Path, world: &str, dest: &Path) -> Result<(), GuestError> {
    let (package, world_name) = world.split_once('/').unwrap_or((world, ""));
    let mut files = Vec::new();
    let entries = std::fs::read_dir(wit).map_err(|source| GuestError::Dir {
        path: wit.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .collect();
    paths.sort();
    for path in paths {
        let text = fsutil::read_to_string(&path)?;
        let group = UnresolvedPackageGroup::parse(&path, &text).map_err(|(map, error)| {
            GuestError::Wit {
                path: path.clone(),
                source: anyhow::anyhow!("{}", error.render(&map)),
            }
        })?;
        let deps: Vec<String> = group
            .main
            .foreign_deps
            .keys()
            .map(|n| n.to_string())
            .collect();
        let worlds: Vec<String> = group
            .main
            .worlds
            .iter()
            .map(|(_, w)| format!("{}/{}", group.main.name, w.name))
            .collect();
        files.push((path, group.main.name.to_string(), deps, worlds));
    }
    let main = files
        .iter()
        .find(|(_, name, _, worlds)| {
            name == package
                && worlds
                    .iter()
                    .any(|w| w.ends_with(&format!("/{world_name}")))
        })
        .ok_or_else(|| GuestError::UnknownWorld {
            world: world.to_string(),
            wit: wit.to_owned(),
            known: files
                .iter()
                .flat_map(|(_, _, _, worlds)| worlds.iter().map(|w| format!("`{w}`")))
                .collect(),
        })?;

    let _ = std::fs::remove_dir_all(dest);
    let deps_dir = dest.join("deps");
    create_dir(&deps_dir)?;
    copy(&main.0, dest)?;
    let mut wanted: Vec<String> = main.2.clone();
    let mut seen = BTreeSet::new();
    let mut external = false;
    while let Some(name) = wanted.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match files.iter().find(|(_, n, _, _)| *n == name) {
            Some((path, _, deps, _)) => {
                copy(path, &deps_dir)?;
                wanted.extend(deps.iter().cloned());
            }
            None => external = true,
        }
    }
    if external {
        copy_tree(&wit.join("deps"), &deps_dir)?;
    }
    Ok(())
}

/// A digest of everything a guest's output depends on: its manifest and
/// sources, the WIT folder made for it, its toolchain's versions and the
/// producers entries recorded in it.
pub fn inputs_digest(guest: &Guest, wit: &Path, tools: &Tools) -> Result<String, GuestError> {
    let mut hasher = Sha256::new();
    let mut feed = |label: &str, bytes: &[u8]| {
        hasher.update((label.len() as u64).to_le_bytes());
        hasher.update(label.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    feed("wcompose", env!("CARGO_PKG_VERSION").as_bytes());
    feed("toolchain", tools.versions_line().as_bytes());
    feed(
        "producers",
        &super::producers::of(guest.language, tools).raw_custom_section(),
    );
    feed(
        GUEST_MANIFEST,
        &fsutil::read(&guest.dir.join(GUEST_MANIFEST))?,
    );
    for source in &guest.sources {
        feed(
            &source.display().to_string(),
            &fsutil::read(&guest.dir.join(source))?,
        );
    }
    let mut stack = vec![wit.to_owned()];
    let mut wit_files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                wit_files.push(path);
            }
        }
    }
    wit_files.sort();
    for path in wit_files {
        let relative = path.strip_prefix(wit).unwrap_or(&path);
        feed(&relative.display().to_string(), &fsutil::read(&path)?);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn create_dir(path: &Path) -> Result<(), GuestError> {
    std::fs::create_dir_all(path).map_err(|source| GuestError::Dir {
        path: path.to_owned(),
        source,
    })
}

fn copy(file: &Path, dir: &Path) -> Result<(), GuestError> {
    let bytes = fsutil::read(file)?;
    let name = file.file_name().unwrap_or_default();
    fsutil::write_atomic(&dir.join(name), &bytes)?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), GuestError> {
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let sub = to.join(entry.file_name());
            create_dir(&sub)?;
            copy_tree(&path, &sub)?;
        } else {
            copy(&path, to)?;
        }
    }
    Ok(())
}

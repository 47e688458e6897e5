//! Loading WIT from files and folders.
//!
//! A folder may hold one package split over several files (the usual
//! layout), or several packages side by side, one per file, as the
//! workspace's `wit/` does (`calculator.wit`, `formatter.wit`, ...), with
//! further packages in `deps/`. Files are grouped by the package they
//! declare and pushed in dependency order, so a package may use another
//! from the same folder.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wit_parser::{PackageId, PackageName, Resolve, SourceMap, UnresolvedPackageGroup};

use crate::check::SourceFile;
use crate::fsutil::{self, FileError};

/// Resolved WIT packages and the text of every file they came from.
pub struct Wit {
    /// The packages and everything they use.
    pub resolve: Resolve,
    /// The packages found at the top of the loaded path (not in `deps/`),
    /// in dependency order.
    pub packages: Vec<PackageId>,
    /// The files, by path as registered in `resolve.source_map`.
    pub sources: BTreeMap<String, Arc<SourceFile>>,
}

/// Why WIT could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WitError {
    /// A file or folder could not be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// A folder could not be listed.
    #[error("failed to list `{}`", path.display())]
    Dir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No `.wit` file was found.
    #[error("no `.wit` files in `{}`", path.display())]
    Empty {
        /// The path.
        path: PathBuf,
    },
    /// A file is not valid WIT, or a package does not resolve.
    #[error("invalid WIT: {message}")]
    Invalid {
        /// wit-parser's message with file, line and snippet.
        message: String,
    },
    /// A world was asked for that the packages do not define.
    #[error("failed to select world{}", world.as_ref().map(|w| format!(" `{w}`")).unwrap_or_default())]
    World {
        /// The world asked for.
        world: Option<String>,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// A component could not be encoded from the world.
    #[error("failed to encode a component for world `{world}`")]
    Encode {
        /// The world.
        world: String,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
}

/// Loads the WIT at `path`: one `.wit` file, or a folder of them with an
/// optional `deps/` folder.
pub fn load(path: &Path) -> Result<Wit, WitError> {
    let mut top = Vec::new();
    let mut deps = Vec::new();
    if path.is_dir() {
        collect(path, &mut top, false)?;
        let deps_dir = path.join("deps");
        if deps_dir.is_dir() {
            collect(&deps_dir, &mut deps, true)?;
        }
    } else {
        top.push(path.to_path_buf());
    }
    if top.is_empty() {
        return Err(WitError::Empty {
            path: path.to_owned(),
        });
    }

    let mut sources = BTreeMap::new();
    let mut groups: Vec<(Vec<PathBuf>, bool)> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for (file, is_top) in top
        .iter()
        .map(|f| (f, true))
        .chain(deps.iter().map(|f| (f, false)))
    {
        let text = fsutil::read_to_string(file)?;
        let name = declared_package(file, &text)?;
        let key = file.display().to_string();
        sources.insert(key.clone(), Arc::new(SourceFile::new(key, text)));
        match by_name.get(&name) {
            Some(&i) => groups[i].0.push(file.clone()),
            None => {
                by_name.insert(name, groups.len());
                groups.push((vec![file.clone()], is_top));
            }
        }
    }

    let mut parsed = Vec::new();
    for (files, is_top) in groups {
        let mut map = SourceMap::default();
        for file in &files {
            map.push(file, &sources[&file.display().to_string()].text);
        }
        let group = crate::guard::contain("wit-parser", || map.parse())
            .map_err(|message| WitError::Invalid { message })?
            .map_err(|(map, e)| WitError::Invalid {
                message: e.render(&map),
            })?;
        parsed.push((group, is_top));
    }

    let mut resolve = Resolve::default();
    let mut packages = Vec::new();
    for (group, is_top) in dependency_order(parsed) {
        let id = crate::guard::contain("wit-parser", || resolve.push_group(group))
            .map_err(|message| WitError::Invalid { message })?
            .map_err(|e| WitError::Invalid {
                message: format!("{e:#}"),
            })?;
        if is_top {
            packages.push(id);
        }
    }
    Ok(Wit {
        resolve,
        packages,
        sources,
    })
}

impl Wit {
    /// Finds a world by name (`formatter`, or `toolsku:formatter/formatter`).
    pub fn world(&self, world: Option<&str>) -> Result<wit_parser::WorldId, WitError> {
        self.resolve
            .select_world(&self.packages, world)
            .map_err(|source| WitError::World {
                world: world.map(str::to_string),
                source,
            })
    }

    /// Builds a component that has exactly the imports and exports of
    /// `world`, with stub bodies: enough to check and compose against, not
    /// to run.
    pub fn stub_component(&self, world: Option<&str>) -> Result<Vec<u8>, WitError> {
        let id = self.world(world)?;
        let encode = || -> anyhow::Result<Vec<u8>> {
            let mut module = wit_component::dummy_module(
                &self.resolve,
                id,
                wit_parser::ManglingAndAbi::Standard32,
            );
            wit_component::embed_component_metadata(
                &mut module,
                &self.resolve,
                id,
                wit_component::StringEncoding::UTF8,
                false,
            )?;
            let mut encoder = wit_component::ComponentEncoder::default();
            encoder.validate(true).module(&module)?;
            encoder.encode()
        };
        crate::guard::contain("wit-component", encode)
            .map_err(anyhow::Error::msg)
            .and_then(|r| r)
            .map_err(|source| WitError::Encode {
                world: self.resolve.worlds[id].name.clone(),
                source,
            })
    }
}

/// Builds a stub component (see [`Wit::stub_component`]) for every `.wit`
/// file under `components`, one world per file, and writes it under `deps`
/// at the same relative path with a `.wasm` extension: `t/calc.wit`
/// becomes `t/calc.wasm`, where `new t:calc` finds it. Returns the paths
/// written.
pub fn stub_components(components: &Path, deps: &Path) -> Result<Vec<PathBuf>, WitError> {
    let mut files = Vec::new();
    collect(components, &mut files, true)?;
    let mut written = Vec::new();
    for file in files {
        let component = load(&file)?.stub_component(None)?;
        let relative = file.strip_prefix(components).unwrap_or(&file);
        let target = deps.join(relative).with_extension("wasm");
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WitError::Dir {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&target, component).map_err(|source| FileError::Write {
            path: target.clone(),
            source,
        })?;
        written.push(target);
    }
    Ok(written)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, recursive: bool) -> Result<(), WitError> {
    let entries = std::fs::read_dir(dir).map_err(|source| WitError::Dir {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if recursive {
                collect(&path, out, true)?;
            }
        } else if path.extension().is_some_and(|e| e == "wit") {
            out.push(path);
        }
    }
    Ok(())
}

/// The package a file declares, read by parsing the file on its own.
fn declared_package(file: &Path, text: &str) -> Result<String, WitError> {
    let group = crate::guard::contain("wit-parser", || UnresolvedPackageGroup::parse(file, text))
        .map_err(|message| WitError::Invalid { message })?
        .map_err(|(map, e)| WitError::Invalid {
            message: e.render(&map),
        })?;
    Ok(package_key(&group.main.name))
}

fn package_key(name: &PackageName) -> String {
    name.to_string()
}

/// Orders package groups so that each comes after the packages it uses.
/// Groups whose dependencies never appear keep their place; wit-parser then
/// reports the missing package with its location.
fn dependency_order(
    groups: Vec<(UnresolvedPackageGroup, bool)>,
) -> Vec<(UnresolvedPackageGroup, bool)> {
    let provides = |g: &UnresolvedPackageGroup| -> Vec<String> {
        std::iter::once(&g.main)
            .chain(&g.nested)
            .map(|p| package_key(&p.name))
            .collect()
    };
    let all: HashSet<String> = groups.iter().flat_map(|(g, _)| provides(g)).collect();
    let mut pending = groups;
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|(g, _)| {
            let own = provides(g);
            std::iter::once(&g.main)
                .chain(&g.nested)
                .flat_map(|p| p.foreign_deps.keys())
                .map(package_key)
                .all(|dep| own.contains(&dep) || done.contains(&dep) || !all.contains(&dep))
        });
        // A cycle: push the rest as they are and let wit-parser explain.
        let index = ready.unwrap_or(0);
        let (group, is_top) = pending.remove(index);
        done.extend(provides(&group));
        out.push((group, is_top));
    }
    out
}

//! Loading WIT from files and folders.
//!
//! A folder follows wit-parser's own rules ([`Resolve::push_dir`]): its
//! `.wit` files form one package (files without a `package` header join
//! the one that has it), and `deps/` holds the packages it uses, each a
//! folder of `.wit` files, one `.wit` file, or a WIT package encoded as
//! `.wasm` or `.wat`. Beyond wit-parser, a folder may also hold several
//! packages side by side, one per file, as the workspace's `wit/` does
//! (`calculator.wit`, `formatter.wit`, ...); they may use each other and
//! `deps/`. A file is one package: WIT text, or a package encoded as wasm.
//!
//! Every error wit-parser reports with a place becomes a diagnostic with
//! that place in the file's text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use wit_parser::{PackageId, Resolve, SourceMap, Span, UnresolvedPackageGroup};

use crate::fsutil::{self, FileError};
use crate::source::{self, Label, LimitError, SourceFile};

/// WIT loaded the first time something asks for it: the check points
/// findings into the workspace's files only when it has a mismatch to
/// explain, so a clean check never parses them.
pub struct LazyWit {
    path: PathBuf,
    wit: OnceLock<Option<Arc<Wit>>>,
}

impl LazyWit {
    /// WIT at `path`, not loaded yet.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            wit: OnceLock::new(),
        }
    }

    /// WIT that is loaded already.
    pub fn loaded(wit: Arc<Wit>) -> Self {
        Self {
            path: PathBuf::new(),
            wit: OnceLock::from(Some(wit)),
        }
    }

    /// The WIT, loading it on first use; `None` when it does not load
    /// (findings then point at WIT printed from the binaries).
    pub fn get(&self) -> Option<&Wit> {
        self.wit
            .get_or_init(|| load(&self.path).ok().map(Arc::new))
            .as_deref()
    }
}

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
    /// A file is not text that wcompose hands to wit-parser.
    #[error("failed to read `{}` as WIT", path.display())]
    Text {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: LimitError,
    },
    /// A file is not valid WIT, or a package does not resolve.
    #[error("invalid WIT: {}{}", source::clean(message), Places(labels))]
    Invalid {
        /// wit-parser's message.
        message: String,
        /// The places wit-parser names, the first the primary one.
        labels: Vec<Label>,
    },
    /// A hand-written component (`.wat`) does not assemble.
    #[error("failed to assemble `{}`: {message}", path.display())]
    Wat {
        /// The file.
        path: PathBuf,
        /// The assembler's message.
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

/// `file:line:col` of the primary label, for readers of the plain message.
struct Places<'a>(&'a [Label]);

impl fmt::Display for Places<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.first() {
            Some(label) => write!(f, "\n  --> {label}"),
            None => Ok(()),
        }
    }
}

impl miette::Diagnostic for WitError {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match self {
            WitError::Invalid { labels, .. } => labels
                .first()
                .map(|l| &*l.source as &dyn miette::SourceCode),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let WitError::Invalid { labels, .. } = self else {
            return None;
        };
        let primary = labels.first()?;
        Some(Box::new(
            labels
                .iter()
                .filter(|l| Arc::ptr_eq(&l.source, &primary.source))
                .map(|l| miette::LabeledSpan::new_with_span(Some(l.text.clone()), l.span.clone())),
        ))
    }
}

/// Loads the WIT at `path`: one `.wit` file (or a WIT package encoded as
/// `.wasm`/`.wat`), or a folder of them with an optional `deps/` folder.
pub fn load(path: &Path) -> Result<Wit, WitError> {
    let mut loader = Loader::default();
    let packages = if path.is_dir() {
        loader.dir(path)?
    } else {
        vec![loader.file(path)?]
    };
    Ok(Wit {
        resolve: loader.resolve,
        packages,
        sources: loader.sources,
    })
}

#[derive(Default)]
struct Loader {
    resolve: Resolve,
    sources: BTreeMap<String, Arc<SourceFile>>,
}

/// What a folder entry is, by wit-parser's rules.
enum Entry {
    Wit(PathBuf),
    Encoded(PathBuf),
    Folder(PathBuf),
}

impl Loader {
    /// Reads a file; `None` for a WIT package encoded as wasm, which has
    /// no text to keep.
    fn read(&mut self, path: &Path) -> Result<Option<Arc<SourceFile>>, WitError> {
        let bytes = fsutil::read(path)?;
        if wat::Detect::from_bytes(&bytes).is_wasm() {
            return Ok(None);
        }
        self.keep(path, &bytes).map(Some)
    }

    /// Keeps a file's text, if it is text wcompose hands to wit-parser.
    fn keep(&mut self, path: &Path, bytes: &[u8]) -> Result<Arc<SourceFile>, WitError> {
        let text_error = |source| WitError::Text {
            path: path.to_owned(),
            source,
        };
        let text = source::utf8(bytes).map_err(text_error)?;
        source::check_limits(text).map_err(text_error)?;
        let key = path.display().to_string();
        let file = Arc::new(SourceFile::new(key.clone(), text));
        self.sources.insert(key, file.clone());
        Ok(file)
    }

    fn file(&mut self, path: &Path) -> Result<PackageId, WitError> {
        let file = self.read(path)?;
        let resolve = &mut self.resolve;
        let pushed = match file {
            None => contain(|| resolve.push_file(path))?,
            Some(file) => contain(|| resolve.push_str(path, &file.text))?,
        };
        pushed.map_err(|e| self.invalid(&e))
    }

    fn dir(&mut self, path: &Path) -> Result<Vec<PackageId>, WitError> {
        let mut top = Vec::new();
        for entry in entries(path)? {
            if let Entry::Wit(file) = entry {
                top.push(file);
            }
        }
        if top.is_empty() {
            return Err(WitError::Empty {
                path: path.to_owned(),
            });
        }
        let mut declared = BTreeMap::new();
        for file in &top {
            // wit-parser reads a folder's `.wit` files as text, whatever
            // they hold.
            let text = self.keep(file, &fsutil::read(file)?)?;
            declared.insert(file.clone(), declared_package(file, &text.text));
        }
        let deps_dir = path.join("deps");
        let deps = if deps_dir.is_dir() {
            entries(&deps_dir)?
        } else {
            Vec::new()
        };
        for dep in &deps {
            match dep {
                Entry::Wit(file) => {
                    self.read(file)?;
                }
                Entry::Folder(folder) => {
                    for inner in entries(folder)? {
                        if let Entry::Wit(file) = inner {
                            self.read(&file)?;
                        }
                    }
                }
                Entry::Encoded(_) => {}
            }
        }
        let names: BTreeSet<&String> = declared.values().flatten().collect();
        if names.len() <= 1 {
            // One package: wit-parser's own rules decide.
            let resolve = &mut self.resolve;
            let pushed = contain(|| resolve.push_dir(path))?;
            return pushed.map(|(id, _)| vec![id]).map_err(|e| self.invalid(&e));
        }
        self.side_by_side(&declared, &deps)
    }

    /// Several packages, one per file, beside each other and `deps/`.
    fn side_by_side(
        &mut self,
        declared: &BTreeMap<PathBuf, Option<String>>,
        deps: &[Entry],
    ) -> Result<Vec<PackageId>, WitError> {
        let names: BTreeSet<&String> = declared.values().flatten().collect();
        let mut groups: BTreeMap<&String, Vec<&PathBuf>> = BTreeMap::new();
        for (file, name) in declared {
            match name {
                Some(name) => groups.entry(name).or_default().push(file),
                None => return Err(self.undeclared(file, &names)),
            }
        }
        let mut parsed = Vec::new();
        for files in groups.values() {
            let mut map = SourceMap::default();
            for file in files {
                map.push(file, self.text(file));
            }
            parsed.push(self.parse(map)?);
        }
        for dep in deps {
            match dep {
                // A `.wit` file in `deps/` may be an encoded package too.
                Entry::Wit(file) if self.sources.contains_key(&file.display().to_string()) => {
                    let mut map = SourceMap::default();
                    map.push(file, self.text(file));
                    parsed.push(self.parse(map)?);
                }
                Entry::Folder(folder) => {
                    let mut map = SourceMap::default();
                    for inner in entries(folder)? {
                        if let Entry::Wit(file) = inner {
                            map.push(&file, self.text(&file));
                        }
                    }
                    parsed.push(self.parse(map)?);
                }
                Entry::Wit(file) | Entry::Encoded(file) => {
                    let resolve = &mut self.resolve;
                    contain(|| resolve.push_file(file))?.map_err(|e| self.invalid(&e))?;
                }
            }
        }
        let main = parsed.remove(0);
        let resolve = &mut self.resolve;
        contain(|| resolve.push_groups(main, parsed))?.map_err(|e| self.resolve_error(&e))?;
        let mut ids: Vec<PackageId> = names
            .iter()
            .filter_map(|name| {
                self.resolve
                    .package_names
                    .iter()
                    .find(|(n, _)| n.to_string() == **name)
                    .map(|(_, id)| *id)
            })
            .collect();
        ids.sort_by_key(|id| id.index());
        Ok(ids)
    }

    fn text(&self, file: &Path) -> String {
        self.sources
            .get(&file.display().to_string())
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    fn parse(&self, map: SourceMap) -> Result<UnresolvedPackageGroup, WitError> {
        contain(|| map.parse())?.map_err(|(map, e)| {
            let labels = self.labels(&map, &[(e.kind().span(), "here")]);
            WitError::Invalid {
                message: e.to_string(),
                labels,
            }
        })
    }

    /// A file without a `package` header among several packages.
    fn undeclared(&self, file: &Path, names: &BTreeSet<&String>) -> WitError {
        let mut alone = Resolve::default();
        let text = self.text(file);
        match contain(|| alone.push_str(file, &text)) {
            Err(e) => e,
            Ok(Err(e)) if !e.to_string().contains("no `package` header") => Loader {
                resolve: alone,
                sources: self.sources.clone(),
            }
            .invalid(&e),
            Ok(_) => WitError::Invalid {
                message: format!(
                    "`{}` has no `package` header, and its folder holds several packages side by side ({}): \
                     each file needs its own `package` header",
                    file.display(),
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                labels: Vec::new(),
            },
        }
    }

    /// Turns an error of `self.resolve`'s `push_*` methods into a
    /// diagnostic at the place wit-parser names.
    fn invalid(&self, error: &anyhow::Error) -> WitError {
        for layer in error.chain() {
            if let Some(e) = layer.downcast_ref::<wit_parser::ResolveError>() {
                return self.resolve_error(e);
            }
            if let Some(e) = layer.downcast_ref::<wit_parser::ParseError>() {
                return WitError::Invalid {
                    message: e.to_string(),
                    labels: self.labels(&self.resolve.source_map, &[(e.kind().span(), "here")]),
                };
            }
        }
        WitError::Invalid {
            message: error
                .chain()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(": "),
            labels: Vec::new(),
        }
    }

    fn resolve_error(&self, error: &wit_parser::ResolveError) -> WitError {
        let spans: Vec<(Span, &str)> = match error.kind() {
            wit_parser::ResolveErrorKind::DuplicatePackage { span1, span2, .. } => {
                vec![(*span1, "defined here"), (*span2, "and here")]
            }
            kind => vec![(kind.span(), "here")],
        };
        WitError::Invalid {
            message: error.to_string(),
            labels: self.labels(&self.resolve.source_map, &spans),
        }
    }

    /// Labels for the spans of `map` that fall in a file whose text is
    /// known.
    fn labels(&self, map: &SourceMap, spans: &[(Span, &str)]) -> Vec<Label> {
        spans
            .iter()
            .filter_map(|(span, text)| {
                let at = map.resolve_span(*span)?;
                let source = match self.sources.get(at.path) {
                    Some(source) => source.clone(),
                    None => {
                        let text = std::fs::read_to_string(at.path).ok()?;
                        Arc::new(SourceFile::new(at.path, text))
                    }
                };
                let end = at.range.end.min(source.text.len());
                let start = at.range.start.min(end);
                Some(Label {
                    source,
                    span: start..end,
                    text: text.to_string(),
                })
            })
            .collect()
    }
}

/// Runs a wit-parser call, turning a panic in it into an error.
fn contain<T>(f: impl FnOnce() -> T) -> Result<T, WitError> {
    crate::guard::contain("wit-parser", f).map_err(|message| WitError::Invalid {
        message,
        labels: Vec::new(),
    })
}

/// The entries of a folder that wit-parser reads, sorted by name.
fn entries(dir: &Path) -> Result<Vec<Entry>, WitError> {
    let list = std::fs::read_dir(dir).map_err(|source| WitError::Dir {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = list.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter_map(|path| {
            if path.is_dir() {
                return Some(Entry::Folder(path));
            }
            match path.extension().and_then(|e| e.to_str()) {
                Some("wit") => Some(Entry::Wit(path)),
                Some("wasm" | "wat") => Some(Entry::Encoded(path)),
                _ => None,
            }
        })
        .collect())
}

/// The package a file declares, read by parsing the file on its own;
/// `None` when it declares none or does not parse.
fn declared_package(file: &Path, text: &str) -> Option<String> {
    let group =
        crate::guard::contain("wit-parser", || UnresolvedPackageGroup::parse(file, text)).ok()?;
    group.ok().map(|g| g.main.name.to_string())
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
/// becomes `t/calc.wasm`, where `new t:calc` finds it. A `.wat` file there
/// is a component written by hand (one WIT cannot describe, say) and is
/// assembled as it is. Returns the paths written.
pub fn stub_components(components: &Path, deps: &Path) -> Result<Vec<PathBuf>, WitError> {
    let mut files = Vec::new();
    collect(components, &mut files, true, &["wit", "wat"])?;
    let mut written = Vec::new();
    for file in files {
        let component = if file.extension().is_some_and(|e| e == "wat") {
            wat::parse_file(&file).map_err(|e| WitError::Wat {
                path: file.clone(),
                message: e.to_string(),
            })?
        } else {
            load(&file)?.stub_component(None)?
        };
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

/// Every file under `dir` with one of `extensions`, recursively when asked.
fn collect(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    recursive: bool,
    extensions: &[&str],
) -> Result<(), WitError> {
    let entries = std::fs::read_dir(dir).map_err(|source| WitError::Dir {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if recursive {
                collect(&path, out, true, extensions)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            out.push(path);
        }
    }
    Ok(())
}

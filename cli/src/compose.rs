//! Composing components from a `.wac` file.
//!
//! The wac language is parsed and resolved by wac-parser, and packages are
//! found the way `wac compose` finds them (`DEPS/ns/name.wasm`, `.wat`, `.wit`
//! and package folders, plus `ns:name=path` overrides), so `.wac` files
//! written for wac work unchanged. A package that neither provides comes
//! from a registry when its namespace has one ([`Options::registry`],
//! see [`crate::registry::packages`]). Before wac builds the graph, the
//! check walks it and reports every mismatched edge at once.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use wac_graph::{EncodeOptions, Processor};
use wac_parser::Document;
use wac_parser::resolution::Resolution;
use wac_types::BorrowedPackageKey;

use crate::check::{self, Report, SourceFile};
use crate::fsutil::{self, FileError};
use crate::known_valid::{self, KnownValid};
use crate::registry::packages::{Fetcher, PackageError};

/// Where a composition's packages come from.
#[derive(Clone, Default)]
pub struct Options {
    /// The folder holding `ns/name.wasm` (or `.wat`, `.wit`, folders).
    pub deps_dir: PathBuf,
    /// Paths for individual packages, by package name (`ns:name`).
    pub overrides: HashMap<String, PathBuf>,
    /// What the check knows besides the composition.
    pub check: check::CheckOptions,
    /// Where packages that neither the deps folder nor an override
    /// provides come from, by namespace; it records what it gave.
    pub registry: Option<Arc<Fetcher>>,
    /// The record of core modules whose function bodies passed validation
    /// before, which the output's validation need not check again; `None`
    /// checks them all.
    pub known_valid: Option<KnownValid>,
}

/// A composed component and the check that cleared it.
#[derive(Debug)]
pub struct Composed {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// The check of the composition's edges (no errors, maybe warnings).
    pub report: Report,
    /// The packages that came from registries (`ns:name`, `@version` if
    /// the `.wac` has one), in the order the `.wac` names them.
    pub registry_packages: Vec<String>,
}

/// Why a composition failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ComposeError {
    /// The `.wac` file could not be read.
    #[error(transparent)]
    Read(#[from] FileError),
    /// The `.wac` file is beyond what the parser can take (a huge word,
    /// deep nesting).
    #[error("failed to read `{}`", path.display())]
    Limit {
        /// The file.
        path: PathBuf,
        /// Which limit, and where.
        #[source]
        source: crate::source::LimitError,
    },
    /// wac rejected the document (syntax, package resolution, or a rule of
    /// the language), with spans into the `.wac` source.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Wac(#[from] WacError),
    /// A core module in the deps folder could not be componentized.
    #[error("failed to componentize the core module of package `{package}`")]
    Package {
        /// The package.
        package: String,
        /// The cause.
        #[source]
        source: crate::componentize::ComponentizeError,
    },
    /// A package could not be had from its registry.
    #[error(transparent)]
    Registry(Box<PackageError>),
    /// The check found problems; nothing was composed.
    #[error("{} problem{} in `{}`", report.errors(), if report.errors() == 1 { "" } else { "s" }, path.display())]
    Check {
        /// The composition.
        path: PathBuf,
        /// Every finding.
        report: Box<Report>,
    },
}

impl From<PackageError> for ComposeError {
    fn from(error: PackageError) -> Self {
        ComposeError::Registry(Box::new(error))
    }
}

/// A diagnostic from wac (parser, resolver, graph) with the `.wac` source
/// attached so that its labels render.
pub struct WacError {
    source: Arc<SourceFile>,
    inner: Box<dyn miette::Diagnostic + Send + Sync + 'static>,
}

impl WacError {
    fn new(
        source: &Arc<SourceFile>,
        inner: impl miette::Diagnostic + Send + Sync + 'static,
    ) -> Self {
        Self {
            source: source.clone(),
            inner: Box::new(inner),
        }
    }
}

impl fmt::Debug for WacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for WacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // wac keeps the detail in the cause chain, which is only shown by an
        // alternate format; the user should see it without asking.
        write!(f, "{}", crate::error_chain(&*self.inner))?;
        if let Some(label) = self.inner.labels().and_then(|mut l| l.next()) {
            let (line, col) = self.source.line_col(label.offset());
            write!(f, "\n  --> {}:{line}:{col}", self.source.name)?;
        }
        Ok(())
    }
}

impl std::error::Error for WacError {}

impl WacError {
    /// The error as a check finding: wac's message, at wac's labels.
    fn finding(&self) -> check::Finding {
        let labels = self
            .inner
            .labels()
            .into_iter()
            .flatten()
            .map(|label| check::Label {
                source: self.source.clone(),
                span: label.offset()..label.offset() + label.len(),
                text: label.label().unwrap_or_default().to_string(),
            })
            .collect();
        check::Finding {
            kind: check::FindingKind::Rejected,
            severity: check::Severity::Error,
            path: String::new(),
            message: crate::source::without_resource_ids(&crate::error_chain(&*self.inner)),
            expected: None,
            found: None,
            labels,
        }
    }
}

// wac's diagnostic codes are sentences ("failed to resolve document") that
// would print above the message, which says more; they are left out.
impl miette::Diagnostic for WacError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&*self.source)
    }
}

/// Reads a `.wac` file, refusing text beyond what the parser can take.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, ComposeError> {
    let text = fsutil::read_to_string(path)?;
    crate::source::check_limits(&text).map_err(|source| ComposeError::Limit {
        path: path.to_owned(),
        source,
    })?;
    Ok(Arc::new(SourceFile::new(path.display().to_string(), text)))
}

/// Parses a `.wac` source, resolves its packages from the deps folder and
/// hands both to `f`.
fn with_packages<R>(
    source: &Arc<SourceFile>,
    options: &Options,
    f: impl FnOnce(
        &Document<'_>,
        IndexMap<BorrowedPackageKey<'_>, Vec<u8>>,
        Vec<String>,
    ) -> Result<R, ComposeError>,
) -> Result<R, ComposeError> {
    let document = Document::parse(&source.text).map_err(|e| WacError::new(source, e))?;
    let keys = wac_resolver::packages(&document).map_err(|e| WacError::new(source, e))?;
    // Beyond wac: a package may also be a single `.wit` file in the deps
    // folder (`DIR/ns/name.wit`), when no `.wasm` or `.wat` is there.
    let mut overrides = options.overrides.clone();
    for key in keys.keys() {
        if key.version.is_some() || overrides.contains_key(key.name) {
            continue;
        }
        let mut base = options.deps_dir.clone();
        base.extend(key.name.split(':'));
        let wit = base.with_extension("wit");
        if wit.is_file()
            && !base.with_extension("wasm").exists()
            && !base.with_extension("wat").exists()
        {
            overrides.insert(key.name.to_string(), wit);
        }
    }
    // Packages that neither the deps folder nor an override provides come
    // from their namespace's registry, if it has one; wac resolves the
    // rest (and reports the packages that nothing provides).
    let mut fetched = IndexMap::new();
    if let Some(fetcher) = &options.registry {
        for key in keys.keys() {
            if fetcher.provides(key.name) && !provided_locally(&options.deps_dir, &overrides, key) {
                fetched.insert(*key, fetcher.fetch(key.name, key.version)?);
            }
        }
    }
    let local: IndexMap<_, _> = keys
        .iter()
        .filter(|(key, _)| !fetched.contains_key(*key))
        .map(|(key, span)| (*key, *span))
        .collect();
    let resolver = wac_resolver::FileSystemPackageResolver::new(&options.deps_dir, overrides, true);
    let mut resolved = resolver
        .resolve(&local)
        .map_err(|e| WacError::new(source, e))?;
    let registry_packages = fetched
        .keys()
        .map(|key| match key.version {
            Some(version) => format!("{}@{version}", key.name),
            None => key.name.to_string(),
        })
        .collect();
    let mut packages = IndexMap::with_capacity(keys.len());
    for key in keys.keys() {
        if let Some(bytes) = fetched
            .shift_remove(key)
            .or_else(|| resolved.shift_remove(key))
        {
            packages.insert(*key, bytes);
        }
    }
    // A core module in the deps folder is used as it would be after
    // `wcompose componentize`: wrapped with the matching WASI adapter.
    for (key, bytes) in packages.iter_mut() {
        if let Ok(crate::artifact::ArtifactKind::Core(_)) = crate::artifact::classify(bytes) {
            let component =
                crate::componentize::componentize(bytes, Default::default()).map_err(|source| {
                    ComposeError::Package {
                        package: key.name.to_string(),
                        source,
                    }
                })?;
            *bytes = component.bytes;
        }
    }
    f(&document, packages, registry_packages)
}

/// Whether the deps folder or an override provides `key`, as wac's
/// file-system resolver looks for it: an override (for a package named
/// without a version), or `DEPS/ns/name[/version]` as a folder, `.wasm`,
/// `.wat` or `.wit`.
fn provided_locally(
    deps_dir: &Path,
    overrides: &HashMap<String, PathBuf>,
    key: &BorrowedPackageKey<'_>,
) -> bool {
    if key.version.is_none() && overrides.contains_key(key.name) {
        return true;
    }
    let mut path = deps_dir.to_path_buf();
    path.extend(key.name.split(':'));
    if let Some(version) = key.version {
        path.push(version.to_string());
    }
    let with = |extension: &str| {
        let mut name = path.clone().into_os_string();
        name.push(".");
        name.push(extension);
        PathBuf::from(name)
    };
    path.is_dir() || with("wasm").is_file() || with("wat").is_file() || with("wit").is_file()
}

/// Checks every edge of the composition in `source` and returns what it
/// found. When the walk itself finds no error, wac resolves and encodes the
/// document and wasmparser validates the result, as `compose` would: what
/// they reject is a finding too, so a clean report composes.
pub fn check_source(source: &Arc<SourceFile>, options: &Options) -> Result<Report, ComposeError> {
    with_packages(source, options, |document, packages, _| {
        Ok(check_and_encode(source, document, packages, options).0)
    })
}

/// Checks and composes the `.wac` file at `path`. Nothing is composed when
/// the check finds an error.
pub fn compose_file(path: &Path, options: &Options) -> Result<Composed, ComposeError> {
    let source = read_source(path)?;
    with_packages(
        &source,
        options,
        |document, packages, registry_packages| match check_and_encode(
            &source, document, packages, options,
        ) {
            (report, Some(bytes)) => Ok(Composed {
                bytes,
                report,
                registry_packages,
            }),
            (report, None) => Err(ComposeError::Check {
                path: path.to_owned(),
                report: Box::new(report),
            }),
        },
    )
}

/// The check's walk, then, when it is clean, wac's resolution, encoding and
/// validation: the composed bytes, or the findings that explain why not.
///
/// wac resolves the document first, so that the walk can take the packages'
/// types from wac's graph instead of decoding every package again; what wac
/// rejects is still reported only when the walk finds nothing, as the walk
/// explains problems better.
fn check_and_encode(
    source: &Arc<SourceFile>,
    document: &Document<'_>,
    packages: IndexMap<BorrowedPackageKey<'_>, Vec<u8>>,
    options: &Options,
) -> (Report, Option<Vec<u8>>) {
    // A panic in wac is held back: the walk, which contains the panics of
    // its own decoding, may have findings to report instead. When it has
    // none, wac resolves again, uncontained, as it would without the walk.
    let resolved = crate::guard::contain("wac-parser", || {
        document
            .resolve(packages.clone())
            .map_err(|e| WacError::new(source, e))
    });
    let graph = match &resolved {
        Ok(Ok(resolution)) => Some(resolution.graph()),
        _ => None,
    };
    let known = options.known_valid.as_ref();
    let compose = || match &resolved {
        Ok(Ok(resolution)) => encode(source, resolution, known),
        Ok(Err(rejected)) => Err(Box::new(rejected.finding())),
        Err(_) => document
            .resolve(packages.clone())
            .map_err(|e| Box::new(WacError::new(source, e).finding()))
            .and_then(|resolution| encode(source, &resolution, known)),
    };
    check::graph::check_document(
        source.clone(),
        document,
        &packages,
        graph,
        &options.check,
        compose,
    )
}

/// How `compose` and `plug` have wac-graph encode a composition: every
/// component defined in the output, wcompose named as its processor, and the
/// validation left to [`known_valid::validate`], which checks function
/// bodies on several threads, and only those not known to pass.
pub(crate) const ENCODE_OPTIONS: EncodeOptions = EncodeOptions {
    define_components: true,
    validate: false,
    processor: Some(Processor {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    }),
};

/// Encodes a resolved document and validates the result (see
/// [`known_valid::validate`]); what wac or the validator rejects, as a
/// finding.
fn encode(
    source: &Arc<SourceFile>,
    resolution: &Resolution<'_>,
    known: Option<&KnownValid>,
) -> Result<Vec<u8>, Box<check::Finding>> {
    let bytes = resolution
        .encode(ENCODE_OPTIONS)
        .map_err(|e| Box::new(WacError::new(source, e).finding()))?;
    known_valid::validate(&bytes, known).map_err(|error| {
        let error = wac_parser::resolution::Error::ValidationFailure { source: error };
        Box::new(WacError::new(source, error).finding())
    })?;
    Ok(bytes)
}

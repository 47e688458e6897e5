//! What `wcompose check` is given, told apart by content, and the check of
//! one component or core module against a host profile.
//!
//! An input is a `.wac` composition, a component (`.wasm` binary or `.wat`
//! text), a WASI preview-1 core module (checked as it will be after
//! `wcompose componentize`), a WIT file or a WIT folder. The extension
//! decides nothing but which error to show when the content parses as
//! nothing: a folder is WIT; bytes with the wasm header are a component or
//! a core module by their layer byte; text that parses as WebAssembly text
//! is classified the same way after assembling; other text is WIT or a
//! composition, whichever parses.
//!
//! A component is checked against the host the way a composition's open
//! imports are ([`HostProfile::answer`]): every import the host does not
//! provide at a compatible version is a finding.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmparser::{Parser, Payload};
use wit_parser::WorldItem;

use super::left_to_host::LeftToHost;
use super::types::TypeSpace;
use super::world::ComponentWorld;
use super::{Finding, Label, Report, SourceFile};
use crate::fsutil::{self, FileError};
use crate::host::HostProfile;
use crate::source::{self, LimitError};

/// The kinds of input, in the words messages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.wac` composition.
    Composition,
    /// A component, binary or text.
    Component,
    /// A core module.
    CoreModule,
    /// A WIT file.
    WitFile,
    /// A folder of WIT files.
    WitFolder,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Composition => "composition",
            Kind::Component => "component",
            Kind::CoreModule => "core module",
            Kind::WitFile => "WIT file",
            Kind::WitFolder => "WIT folder",
        })
    }
}

/// One input, read and told apart.
#[derive(Debug)]
pub enum Input {
    /// A composition; it may still fail to parse, as the content looked
    /// most like one.
    Composition(Arc<SourceFile>),
    /// A component's binary (assembled, if it was text).
    Component(Vec<u8>),
    /// A core module's binary (assembled, if it was text).
    CoreModule(Vec<u8>),
    /// A WIT file or folder, loaded with [`crate::wit::load`]; a file may
    /// still fail to parse, as its content looked most like WIT.
    Wit {
        /// The path.
        path: PathBuf,
        /// Whether it is a folder.
        folder: bool,
    },
}

impl Input {
    /// What kind of input this is.
    pub fn kind(&self) -> Kind {
        match self {
            Input::Composition(_) => Kind::Composition,
            Input::Component(_) => Kind::Component,
            Input::CoreModule(_) => Kind::CoreModule,
            Input::Wit { folder: true, .. } => Kind::WitFolder,
            Input::Wit { folder: false, .. } => Kind::WitFile,
        }
    }
}

/// The kinds `wcompose check` takes, for messages.
pub const EXPECTED: &str = "a `.wac` composition, a component or WASI preview-1 core module \
     (`.wasm` binary or `.wat` text), a WIT file, or a folder of WIT files";

/// Why an input could not be told apart or checked.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The content is none of the kinds `check` takes.
    #[error("failed to recognise `{}`: {reason}\n  help: expected {EXPECTED}", path.display())]
    Unrecognised {
        /// The input.
        path: PathBuf,
        /// What the content is instead.
        reason: String,
    },
    /// The text is beyond what wcompose hands to a parser.
    #[error("failed to read `{}`", path.display())]
    Text {
        /// The input.
        path: PathBuf,
        /// Why.
        #[source]
        source: LimitError,
    },
    /// The text looks like WebAssembly text but does not assemble.
    #[error("failed to assemble `{}` as WebAssembly text", path.display())]
    Wat {
        /// The input.
        path: PathBuf,
        /// wat's error, with the place.
        #[source]
        source: wat::Error,
    },
    /// A core module could not be made into a component, so there is
    /// nothing a host could run.
    #[error("failed to check the core module `{}` as a component", path.display())]
    Componentize {
        /// The input.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::componentize::ComponentizeError,
    },
}

/// Reads `path` and tells what kind of input it is, by content.
pub fn detect(path: &Path) -> Result<Input, InputError> {
    if path.is_dir() {
        return Ok(Input::Wit {
            path: path.to_owned(),
            folder: true,
        });
    }
    let bytes = fsutil::read(path)?;
    let unrecognised = |reason: String| InputError::Unrecognised {
        path: path.to_owned(),
        reason,
    };
    if bytes.is_empty() {
        return Err(unrecognised("the file is empty".to_string()));
    }
    if bytes.starts_with(b"\0asm") {
        return binary(bytes).map_err(unrecognised);
    }
    if let Some(precompiled) = crate::artifact::precompiled::detect(&bytes) {
        return Err(unrecognised(format!(
            "this is {precompiled}: machine code, not WebAssembly"
        )));
    }
    let text_error = |source| InputError::Text {
        path: path.to_owned(),
        source,
    };
    let text = match source::utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(unrecognised(format!(
                "neither WebAssembly (no `\\0asm` header) nor text: {e}"
            )));
        }
    };
    if text.trim().is_empty() {
        return Err(unrecognised("the file holds only white space".to_string()));
    }
    source::check_limits(text).map_err(text_error)?;
    let extension = path.extension().and_then(|e| e.to_str());
    if wat::Detect::from_bytes(&bytes).is_wasm() {
        match wat::parse_str(text) {
            Ok(binary_of_text) => return binary(binary_of_text).map_err(unrecognised),
            // Text named `.wit` or `.wac` that does not assemble either gets
            // the error of the language it is named for.
            Err(_) if matches!(extension, Some("wit" | "wac")) => {}
            Err(mut source) => {
                source.set_path(path);
                return Err(InputError::Wat {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    let wit = crate::guard::contain("wit-parser", || {
        wit_parser::UnresolvedPackageGroup::parse(path, text)
    });
    // How far each parser read: `None` when the text parses.
    let wit_reach = match &wit {
        Ok(Ok(_)) => None,
        // A name that does not resolve is past the syntax: the text parses.
        Ok(Err((_, e)))
            if matches!(
                e.kind(),
                wit_parser::ParseErrorKind::ItemNotFound { .. }
                    | wit_parser::ParseErrorKind::TypeCycle { .. }
            ) =>
        {
            None
        }
        // wit-parser reports a missing `package` header without a place,
        // after reading the whole text.
        Ok(Err((map, e))) => Some(
            map.resolve_span(e.kind().span())
                .map_or(text.len(), |at| at.range.start),
        ),
        Err(_) => Some(0),
    };
    let wac = crate::guard::contain("wac-parser", || {
        wac_parser::Document::parse(text).map_err(|e| {
            use miette::Diagnostic;
            e.labels()
                .and_then(|mut l| l.next())
                .map_or(0, |l| l.offset())
        })
    });
    let wac_reach = match wac {
        Ok(Ok(_)) => None,
        Ok(Err(offset)) => Some(offset),
        Err(_) => Some(0),
    };
    let is_wit = match (wit_reach, wac_reach) {
        (None, Some(_)) => true,
        (Some(_), None) => false,
        // Text that parses as both (a lone `package` line, or interface
        // declarations, which wac has too) or as neither: the extension
        // names the intent, and without one the parse that got further
        // does, WIT on a tie.
        (wit, wac) => match extension {
            Some("wit") => true,
            Some("wac") => false,
            _ => wit.unwrap_or(text.len()) >= wac.unwrap_or(text.len()),
        },
    };
    if is_wit {
        return Ok(Input::Wit {
            path: path.to_owned(),
            folder: false,
        });
    }
    Ok(Input::Composition(Arc::new(SourceFile::new(
        path.display().to_string(),
        text,
    ))))
}

/// A component or a core module, by the header's layer byte, and valid.
fn binary(bytes: Vec<u8>) -> Result<Input, String> {
    let kind = if Parser::is_component(&bytes) {
        Kind::Component
    } else if Parser::is_core_wasm(&bytes) {
        Kind::CoreModule
    } else {
        return Err(header(&bytes));
    };
    let validated = crate::guard::contain("wasmparser", || {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&bytes)
            .map(|_| ())
    });
    match validated {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("an invalid {kind}: {e}")),
        Err(message) => return Err(message),
    }
    Ok(match kind {
        Kind::Component => Input::Component(bytes),
        _ => Input::CoreModule(bytes),
    })
}

/// What a wasm header that is neither kind says.
fn header(bytes: &[u8]) -> String {
    if bytes.len() < 8 {
        "the file is cut short inside the WebAssembly header".to_string()
    } else {
        format!(
            "a WebAssembly header with version {} and layer {}, which is neither a core module (1, 0) nor a component (13, 1)",
            u16::from_le_bytes([bytes[4], bytes[5]]),
            u16::from_le_bytes([bytes[6], bytes[7]])
        )
    }
}

/// Checks a core module as it will be after componentizing: the component
/// wcompose would make of it, against `host`.
pub fn check_core(
    path: &Path,
    bytes: &[u8],
    host: Option<&HostProfile>,
) -> Result<Report, InputError> {
    let component =
        crate::componentize::componentize(bytes, Default::default()).map_err(|source| {
            InputError::Componentize {
                path: path.to_owned(),
                source,
            }
        })?;
    Ok(check_component(
        &path.display().to_string(),
        &component.bytes,
        host,
    ))
}

/// Checks a component's imports against `host`: each import the host does
/// not provide, or provides only at another version, is a finding, pointed
/// at the component's world printed as WIT. `name` names the component in
/// messages.
pub fn check_component(name: &str, bytes: &[u8], host: Option<&HostProfile>) -> Report {
    let mut types = TypeSpace::new();
    let imports: Vec<String> = match types.load(name, bytes) {
        // An interface of types alone needs nothing from the host.
        Ok(ty) => ty
            .imports
            .iter()
            .filter(|(_, kind)| !types.types_only(**kind))
            .map(|(import, _)| import.clone())
            .collect(),
        Err(_) => top_level_imports(bytes),
    };
    // The printed world is only for pointing at imports: decoded when a
    // finding needs it.
    let world = std::cell::OnceCell::new();
    let world = || {
        world
            .get_or_init(|| ComponentWorld::from_component(name, bytes).ok())
            .as_ref()
    };
    let mut report = Report::default();
    report
        .graph
        .instances
        .push((name.to_string(), name.to_string()));
    report.graph.host_imports = imports
        .iter()
        .map(|import| (name.to_string(), import.clone()))
        .collect();
    let Some(host) = host else {
        return report;
    };
    let importers = format!("`{name}`");
    for import in &imports {
        let left = LeftToHost {
            import,
            importers: &importers,
            unsatisfied_by: None,
        };
        let Some((kind, severity, message)) = left.explain(host) else {
            continue;
        };
        let labels = world()
            .and_then(|w| import_label(w, import))
            .into_iter()
            .collect();
        report.findings.push(Finding {
            kind,
            severity,
            path: import.clone(),
            message,
            expected: Some(import.clone()),
            found: None,
            labels,
        });
    }
    report
}

/// The `import` line of the component's world printed as WIT.
fn import_label(world: &ComponentWorld, import: &str) -> Option<Label> {
    let printed = world.printed()?;
    let map = &printed.resolve.source_map;
    let at = match printed.imports.get(import)? {
        // The `import` line, or else the interface's definition.
        WorldItem::Interface { span, id, .. } => map
            .resolve_span(*span)
            .or_else(|| map.resolve_span(printed.resolve.interfaces[*id].span))?,
        WorldItem::Function(function) => map.resolve_span(function.span)?,
        WorldItem::Type { span, .. } => map.resolve_span(*span)?,
    };
    Some(Label {
        source: printed.source.clone(),
        span: at.range,
        text: "imported here".to_string(),
    })
}

/// The names a component imports at its top level, read from the binary.
fn top_level_imports(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::Version { .. }) => depth += 1,
            Ok(Payload::End(_)) => depth = depth.saturating_sub(1),
            Ok(Payload::ComponentImportSection(reader)) if depth == 1 => {
                for import in reader.into_iter().flatten() {
                    names.push(import.name.full_name().into_owned());
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    names
}

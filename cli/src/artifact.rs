//! What a WebAssembly file is: a component, or a core module and which WASI
//! it was built for. Every command starts here so that it can say what it was
//! given before it says what went wrong.

pub mod precompiled;
pub mod world;

use std::fmt;

use wasmparser::{Encoding, Parser, Payload};

pub use precompiled::Precompiled;

/// The Component Model features beyond the synchronous core that a
/// component needs, by the names wasmtime's `-W` flags use, and the
/// validator's flag for each.
const COMPONENT_MODEL_FEATURES: &[(&str, wasmparser::WasmFeatures)] = &[
    ("component-model-async", wasmparser::WasmFeatures::CM_ASYNC),
    (
        "component-model-more-async-builtins",
        wasmparser::WasmFeatures::CM_MORE_ASYNC_BUILTINS,
    ),
    (
        "component-model-async-stackful",
        wasmparser::WasmFeatures::CM_ASYNC_STACKFUL,
    ),
    (
        "component-model-threading",
        wasmparser::WasmFeatures::CM_THREADING,
    ),
    (
        "component-model-error-context",
        wasmparser::WasmFeatures::CM_ERROR_CONTEXT,
    ),
];

/// Whether the component `bytes` needs any of the Component Model's async,
/// threading or error-context features: an async function type, a
/// `stream`, `future` or `error-context` type, an async lift or lower, or
/// a builtin beyond lifting, lowering and resources. Reads the sections
/// without validating them (a warm `wcompose run` pays for this on every
/// start); a core module, which becomes a synchronous component, needs
/// none.
pub fn needs_component_model_concurrency(bytes: &[u8]) -> bool {
    any_component_payload(bytes, |_, payload| payload_needs_concurrency(payload))
}

/// Whether `payload`, a section of a component, needs the Component
/// Model's async, threading or error-context features.
pub(crate) fn payload_needs_concurrency(payload: &Payload<'_>) -> bool {
    use wasmparser::{CanonicalFunction, CanonicalOption};
    match payload {
        Payload::ComponentCanonicalSection(section) => {
            section
                .clone()
                .into_iter()
                .flatten()
                .any(|function| match function {
                    CanonicalFunction::Lift { options, .. }
                    | CanonicalFunction::Lower { options, .. } => options.iter().any(|o| {
                        matches!(o, CanonicalOption::Async | CanonicalOption::Callback(_))
                    }),
                    CanonicalFunction::ResourceNew { .. }
                    | CanonicalFunction::ResourceDrop { .. }
                    | CanonicalFunction::ResourceRep { .. } => false,
                    _ => true,
                })
        }
        Payload::ComponentTypeSection(section) => section
            .clone()
            .into_iter()
            .flatten()
            .any(|ty| type_needs_concurrency(&ty)),
        _ => false,
    }
}

/// Whether `found` holds for a payload of the component `bytes` or of a
/// component nested in it, given with its nesting depth (0 for `bytes`
/// itself). Core modules are skipped whole, without reading their code;
/// input that is not a component, or that does not parse, finds nothing.
pub(crate) fn any_component_payload(
    bytes: &[u8],
    mut found: impl FnMut(usize, &Payload<'_>) -> bool,
) -> bool {
    if !Parser::is_component(bytes) {
        return false;
    }
    let mut outer: Vec<Parser> = Vec::new();
    let mut parser = Parser::new(0);
    let mut data = bytes;
    loop {
        let payload = match parser.parse(data, true) {
            Ok(wasmparser::Chunk::Parsed { consumed, payload }) => {
                data = &data[consumed..];
                payload
            }
            Ok(wasmparser::Chunk::NeedMoreData(_)) | Err(_) => return false,
        };
        if found(outer.len(), &payload) {
            return true;
        }
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                // The outer parser has moved past the module already; the
                // bytes must follow.
                let Some(rest) = usize::try_from(unchecked_range.end - unchecked_range.start)
                    .ok()
                    .and_then(|len| data.get(len..))
                else {
                    return false;
                };
                data = rest;
            }
            Payload::ComponentSection { parser: nested, .. } => {
                outer.push(std::mem::replace(&mut parser, nested));
            }
            Payload::End(_) => match outer.pop() {
                Some(p) => parser = p,
                None => return false,
            },
            _ => {}
        }
    }
}

fn type_needs_concurrency(ty: &wasmparser::ComponentType<'_>) -> bool {
    use wasmparser::{ComponentType, ComponentTypeDeclaration, InstanceTypeDeclaration};
    match ty {
        ComponentType::Defined(defined) => defined_needs_concurrency(defined),
        ComponentType::Func(func) => {
            func.async_
                || func.params.iter().any(|(_, ty)| is_error_context(ty))
                || func.result.as_ref().is_some_and(is_error_context)
        }
        ComponentType::Component(declarations) => declarations
            .iter()
            .any(|d| matches!(d, ComponentTypeDeclaration::Type(ty) if type_needs_concurrency(ty))),
        ComponentType::Instance(declarations) => declarations
            .iter()
            .any(|d| matches!(d, InstanceTypeDeclaration::Type(ty) if type_needs_concurrency(ty))),
        ComponentType::Resource { .. } => false,
    }
}

fn defined_needs_concurrency(defined: &wasmparser::ComponentDefinedType<'_>) -> bool {
    use wasmparser::{ComponentDefinedType as D, PrimitiveValType};
    match defined {
        D::Future(_) | D::Stream(_) => true,
        D::Primitive(p) => *p == PrimitiveValType::ErrorContext,
        D::Record(fields) => fields.iter().any(|(_, ty)| is_error_context(ty)),
        D::Variant(cases) => cases
            .iter()
            .any(|c| c.ty.as_ref().is_some_and(is_error_context)),
        D::List(ty) | D::Option(ty) | D::FixedLengthList(ty, _) => is_error_context(ty),
        D::Map(key, value) => is_error_context(key) || is_error_context(value),
        D::Tuple(types) => types.iter().any(is_error_context),
        D::Result { ok, err } => {
            ok.as_ref().is_some_and(is_error_context) || err.as_ref().is_some_and(is_error_context)
        }
        D::Flags(_) | D::Enum(_) | D::Own(_) | D::Borrow(_) => false,
    }
}

/// An `error-context` used directly (other types are checked where they
/// are defined).
fn is_error_context(ty: &wasmparser::ComponentValType) -> bool {
    matches!(
        ty,
        wasmparser::ComponentValType::Primitive(wasmparser::PrimitiveValType::ErrorContext)
    )
}

/// Which of those features the component `bytes` needs: each one without
/// which it does not validate.
pub fn component_model_features(bytes: &[u8]) -> Vec<&'static str> {
    use wasmparser::{Validator, WasmFeatures};
    if !needs_component_model_concurrency(bytes) {
        return Vec::new();
    }
    COMPONENT_MODEL_FEATURES
        .iter()
        .filter(|(_, feature)| {
            Validator::new_with_features(WasmFeatures::all().difference(*feature))
                .validate_all(bytes)
                .is_err()
        })
        .map(|(name, _)| *name)
        .collect()
}

/// The module name under which WASI preview 1 imports live.
pub const WASI_P1_MODULE: &str = "wasi_snapshot_preview1";

/// What a WebAssembly binary is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactKind {
    /// A component (Component Model binary).
    Component,
    /// A core module.
    Core(CoreModule),
}

/// Facts about a core module that decide how it becomes a component.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreModule {
    /// Which WASI the module imports.
    pub wasi: CoreWasi,
    /// The module exports `_start`: it is a preview-1 command.
    pub has_start: bool,
    /// The module exports `_initialize`: it is a preview-1 reactor.
    pub has_initialize: bool,
    /// The module carries a `component-type` custom section (a WIT world
    /// embedded by wit-bindgen), so it can be turned into a component.
    pub has_component_type: bool,
    /// Names of the module's exports.
    pub exports: Vec<String>,
    /// Import modules that are neither WASI nor described by a WIT world,
    /// such as `env` (typical of a wasm32-unknown-unknown build).
    pub other_import_modules: Vec<String>,
}

/// Which WASI a core module imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoreWasi {
    /// No WASI imports at all (for example wasm32-unknown-unknown).
    #[default]
    None,
    /// WASI preview 1 (`wasi_snapshot_preview1`, from wasm32-wasip1).
    Preview1,
    /// WASI preview 2 interfaces imported directly (`wasi:cli/...@0.2.x`),
    /// as a wasm32-wasip2 core module before it is linked into a component.
    Preview2,
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactKind::Component => f.write_str("component"),
            ArtifactKind::Core(core) => match core.wasi {
                CoreWasi::None => f.write_str("core module without WASI imports"),
                CoreWasi::Preview1 if core.has_start => {
                    f.write_str("WASI preview-1 core module (command)")
                }
                CoreWasi::Preview1 => f.write_str("WASI preview-1 core module (library)"),
                CoreWasi::Preview2 => f.write_str("WASI preview-2 core module"),
            },
        }
    }
}

/// Why a file is not WebAssembly that wcompose can read.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The file is empty.
    #[error("the file is empty, not a WebAssembly binary")]
    Empty,
    /// The file does not start with the WebAssembly magic number.
    #[error("not a WebAssembly binary (it does not start with `\\0asm`)")]
    NotWasm,
    /// The file is machine code compiled ahead of time from WebAssembly.
    #[error("this is {0}: machine code for one engine version and CPU, not WebAssembly\n  help: {help}", help = .0.help())]
    Precompiled(Precompiled),
    /// The file is WebAssembly but could not be parsed.
    #[error("invalid WebAssembly binary")]
    Invalid(#[source] wasmparser::BinaryReaderError),
    /// The `.wat` text could not be parsed.
    #[error("invalid WebAssembly text")]
    Wat(#[source] wat::Error),
}

/// Turns `.wat` text into a binary; binaries pass through unchanged.
pub fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, ArtifactError> {
    if bytes.is_empty() {
        return Err(ArtifactError::Empty);
    }
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    if let Some(precompiled) = precompiled::detect(bytes) {
        return Err(ArtifactError::Precompiled(precompiled));
    }
    // Text is parsed only when it looks like text, so that random bytes get
    // "not a WebAssembly binary" rather than a WAT syntax error.
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim_start().starts_with('(') || text.trim_start().starts_with(";;") => {
            wat::parse_str(text)
                .map(std::borrow::Cow::Owned)
                .map_err(ArtifactError::Wat)
        }
        _ => Err(ArtifactError::NotWasm),
    }
}

/// Validates a component or core module with every feature wasmparser
/// knows on: the check that nothing reaches wasmtime or wac unchecked.
pub fn validate(bytes: &[u8]) -> Result<(), ArtifactError> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(drop)
        .map_err(ArtifactError::Invalid)
}

/// Classifies a WebAssembly binary.
pub fn classify(bytes: &[u8]) -> Result<ArtifactKind, ArtifactError> {
    if bytes.is_empty() {
        return Err(ArtifactError::Empty);
    }
    if !bytes.starts_with(b"\0asm") {
        return Err(match precompiled::detect(bytes) {
            Some(precompiled) => ArtifactError::Precompiled(precompiled),
            None => ArtifactError::NotWasm,
        });
    }
    let mut core = CoreModule::default();
    let mut world_imports = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(ArtifactError::Invalid)? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Ok(ArtifactKind::Component),
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(ArtifactError::Invalid)?;
                    note_import_module(&mut core, import.module);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(ArtifactError::Invalid)?;
                    match export.name {
                        "_start" => core.has_start = true,
                        "_initialize" => core.has_initialize = true,
                        _ => {}
                    }
                    core.exports.push(export.name.to_string());
                }
            }
            Payload::CustomSection(section) if section.name().starts_with("component-type") => {
                core.has_component_type = true;
                world_imports.extend(world_import_names(section.data()));
            }
            _ => {}
        }
    }
    // A world may import a named instance (`import geo: interface { ... }`),
    // which a core module imports under the plain name `geo`.
    core.other_import_modules
        .retain(|module| !world_imports.iter().any(|name| name == module));
    Ok(ArtifactKind::Core(core))
}

/// The import names of the world embedded in a `component-type` section;
/// none when it does not decode (the encoder reports that later).
fn world_import_names(section: &[u8]) -> Vec<String> {
    let Ok((resolve, world)) = world::decode_section(section) else {
        return Vec::new();
    };
    resolve.worlds[world]
        .imports
        .keys()
        .map(|key| resolve.name_world_key(key))
        .collect()
}

fn note_import_module(core: &mut CoreModule, module: &str) {
    if module == WASI_P1_MODULE {
        core.wasi = CoreWasi::Preview1;
    } else if module.starts_with("wasi:") {
        if core.wasi == CoreWasi::None {
            core.wasi = CoreWasi::Preview2;
        }
    } else if !(module.contains(':') || module.starts_with('$') || module.starts_with('[')) {
        // Imports generated from WIT name an interface (`ns:pkg/iface`) or
        // the world itself (`$root`, `[export]...`); anything else, like
        // `env`, has no WIT description.
        if !core.other_import_modules.iter().any(|m| m == module) {
            core.other_import_modules.push(module.to_string());
        }
    }
}

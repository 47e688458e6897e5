//! What a file is and where it can run: the library side of
//! `wcompose inspect`.
//!
//! [`inspect`] reads a WebAssembly file (or `.wat` text, or a precompiled
//! file) and returns an [`Inspection`]: the kind of file (component, WASI
//! preview-1 core, WASI 0.2 core, core without WASI, precompiled), its world
//! as WIT, its imports and exports with versions, the WASI preview-1 adapter
//! it carries, its producers, its size by section and by nested module or
//! component, its linear memories, a verdict for each runtime of
//! [`runtimes::RUNTIMES`], and notes for the seed's pitfalls that apply.
//!
//! An `Inspection` serializes to the JSON that `wcompose inspect --json`
//! prints; the shape is versioned by [`FORMAT_VERSION`]:
//!
//! ```json
//! {
//!   "version": 1,
//!   "kind": "component" | "p1-core" | "p2-core" | "core" | "wit-package" | "precompiled",
//!   "description": "component",
//!   "size": 183123,
//!   "world": "package root:component;\n\nworld root { ... }" | null,
//!   "imports": [{"name": "wasi:cli/stdout", "kind": "interface", "version": "0.2.12",
//!                "members": ["get-stdout"]}],
//!   "exports": [...],
//!   "adapters": [{"kind": "reactor" | "command", "part": "1", "wasmtime": "48.0.8" | null,
//!                 "wasi": "0.2.12" | null}],
//!   "producers": [{"field": "processed-by", "name": "wit-component", "version": "0.263.0"}],
//!   "languages": ["C17"],
//!   "toolchain": ["clang 19.1.7", "wit-bindgen-c 0.63.0", "wasi-libc 0.0~git20230113.4362b18-2"],
//!   "sections": [{"name": "core module", "count": 3, "size": 150000}],
//!   "parts": [{"path": "0", "depth": 0, "kind": "component" | "module", "name": "calculator",
//!              "size": 48000, "role": "main" | "adapter" | "shim" | "fixups" | null,
//!              "producers": [...], "languages": [...], "toolchain": [...]}],
//!   "memories": [{"part": "0/0", "initial_pages": 17, "maximum_pages": null,
//!                 "memory64": false, "shared": false}],
//!   "precompiled": {"kind": "wasmtime-component", "engine_version": "48.0.8",
//!                   "target": "x86_64-unknown-linux-gnu", "arch": "x86_64"} | null,
//!   "runtimes": [{"runtime": "wasmtime-cli", "name": "wasmtime CLI 48", "runs": true,
//!                 "how": "wasmtime run file.wasm", "reasons": [], "notes": []}],
//!   "notes": [{"code": "p1-core", "message": "..."}]
//! }
//! ```
//!
//! Item kinds are `interface`, `instance` (a named import or export of an
//! interface's shape), `function`, `type`, and for core modules
//! `core-module` (imports grouped by module, with the fields as members),
//! `core-function`, `core-memory`, `core-table`, `core-global` and
//! `core-tag`. Part paths are indices of nested modules and components,
//! `/`-separated from the outside in, counted per parent in file order.

pub mod runtimes;

use serde::Serialize;
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentInstance, ComponentName,
    ComponentOuterAliasKind, ComponentTypeRef, Encoding, ExternalKind, KnownCustom, Name, Parser,
    Payload,
};
use wit_parser::{Resolve, WorldItem, WorldKey};

use crate::artifact::{self, ArtifactError, ArtifactKind, CoreWasi, Precompiled};
use crate::componentize::{ADAPTER_WASMTIME_VERSION, Adapter};
use runtimes::{Facts, RUNTIMES, Verdict};

/// The version of the JSON shape of [`Inspection`].
pub const FORMAT_VERSION: u32 = 1;

/// Everything `wcompose inspect` reports about a file.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// What the file is.
    pub kind: Kind,
    /// The same in words (`WASI preview-1 core module (command)`).
    pub description: String,
    /// The file's size in bytes (of the binary, for `.wat` input).
    pub size: usize,
    /// The world the file implements, printed as WIT.
    pub world: Option<String>,
    /// What it imports.
    pub imports: Vec<Item>,
    /// What it exports.
    pub exports: Vec<Item>,
    /// The WASI preview-1 adapters inside a component: one per
    /// componentized preview-1 core module it holds.
    pub adapters: Vec<AdapterInfo>,
    /// The `producers` section of the file itself.
    pub producers: Vec<Producer>,
    /// The language and toolchain that section names.
    #[serde(flatten)]
    pub origin: Origin,
    /// The file's own sections, grouped by kind.
    pub sections: Vec<Section>,
    /// Every nested core module and component, outside in.
    pub parts: Vec<Part>,
    /// The linear memories that the file's core modules define.
    pub memories: Vec<Memory>,
    /// What a precompiled file is.
    pub precompiled: Option<Precompiled>,
    /// The WASI versions it imports: `preview 1`, `0.2`, `0.3`.
    pub wasi: Vec<String>,
    /// The Component Model features beyond the synchronous core it needs
    /// (`component-model-async`, ...), by wasmtime's names for them.
    pub component_model_features: Vec<String>,
    /// A verdict for each known runtime.
    pub runtimes: Vec<Verdict>,
    /// Pitfalls that apply, with what to do.
    pub notes: Vec<Note>,
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A component.
    Component,
    /// A core module importing WASI preview 1 (wasm32-wasip1).
    P1Core,
    /// A core module importing WASI 0.2 interfaces directly (wasm32-wasip2
    /// before it is linked into a component).
    P2Core,
    /// A core module without WASI imports.
    Core,
    /// A WIT package encoded as a component (types only).
    WitPackage,
    /// Machine code compiled ahead of time, not WebAssembly.
    Precompiled,
}

/// One import or export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The name, without version (`wasi:cli/stdout`, `geo`, `_start`).
    pub name: String,
    /// What it is (see the module documentation).
    pub kind: &'static str,
    /// The version, for versioned interfaces (`0.2.12`).
    pub version: Option<String>,
    /// The functions of an interface, or the fields a core module imports
    /// from one module.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

impl Item {
    /// `name@version`, or the name.
    pub fn full_name(&self) -> String {
        match &self.version {
            Some(version) => format!("{}@{version}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Which WASI preview-1 adapter a component carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdapterInfo {
    /// `command` (exports `wasi:cli/run` and calls `_start`) or `reactor`.
    pub kind: &'static str,
    /// The part that is the adapter.
    pub part: String,
    /// The wasmtime release the adapter came from, when its producers match
    /// those of an adapter that wcompose carries.
    pub wasmtime: Option<String>,
    /// The WASI 0.2 version whose interfaces the adapter imports.
    pub wasi: Option<String>,
}

/// One entry of a `producers` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Producer {
    /// `language`, `processed-by` or `sdk`.
    pub field: String,
    /// The tool or language.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The language a binary's code is in and the toolchain that made it, as
/// its `producers` section names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The `language` entries (`Rust`, `C17`, `C++23`, `Python`,
    /// `JavaScript`), with their versions when they have one.
    pub languages: Vec<String>,
    /// The `processed-by` and `sdk` entries as `name version`
    /// (`clang 19.1.7`, `componentize-py 0.25.1`, `wasi-libc 0.0~git...`).
    pub toolchain: Vec<String>,
}

impl Origin {
    /// What `producers` names.
    pub fn of(producers: &[Producer]) -> Origin {
        let entry = |p: &Producer| {
            if p.version.is_empty() {
                p.name.clone()
            } else {
                format!("{} {}", p.name, p.version)
            }
        };
        let named = |field: &str| {
            producers
                .iter()
                .filter(|p| p.field == field)
                .map(entry)
                .collect::<Vec<_>>()
        };
        Origin {
            languages: named("language"),
            toolchain: [named("processed-by"), named("sdk")].concat(),
        }
    }

    /// Whether nothing is named.
    pub fn is_empty(&self) -> bool {
        self.languages.is_empty() && self.toolchain.is_empty()
    }
}

/// The sections of one kind and their total size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `code`, `data`, `core module`, `component`, `custom \`name\``, ...
    pub name: String,
    /// How many sections of this kind.
    pub count: usize,
    /// Their total size in bytes, without section headers.
    pub size: u64,
}

/// A nested core module or component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Indices from the outside in, `/`-separated.
    pub path: String,
    /// Nesting depth, 0 for parts of the file itself.
    pub depth: usize,
    /// `module` or `component`.
    pub kind: &'static str,
    /// Its name from the name sections, if any.
    pub name: Option<String>,
    /// Its size in bytes.
    pub size: u64,
    /// What it does in a component made by wit-component: `main`,
    /// `adapter`, `shim` or `fixups`.
    pub role: Option<&'static str>,
    /// Its `producers` section.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<Producer>,
    /// The language and toolchain that section names.
    #[serde(flatten)]
    pub origin: Origin,
}

/// A linear memory that a core module defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// The part that defines it; `null` for the file itself.
    pub part: Option<String>,
    /// Initial size in 64 KiB pages.
    pub initial_pages: u64,
    /// Maximum size in pages, if the module declares one.
    pub maximum_pages: Option<u64>,
    /// A 64-bit memory.
    pub memory64: bool,
    /// A shared memory.
    pub shared: bool,
}

/// A pitfall that applies to the file, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// A stable identifier: `precompiled`, `p1-core`, `p2-core`, `no-wasi`,
    /// `foreign-imports`, `embedded-world`, `unbounded-memory`,
    /// `open-imports`, `wasmedge-aot`.
    pub code: &'static str,
    /// The note itself.
    pub message: String,
}

/// Why a file could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file is not WebAssembly (nor a precompiled file).
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The file is WebAssembly but could not be parsed.
    #[error("invalid WebAssembly binary")]
    Parse(#[from] wasmparser::BinaryReaderError),
}

/// Inspects a file's bytes. `file` is how commands in the runtime verdicts
/// name it.
pub fn inspect(bytes: &[u8], file: &str) -> Result<Inspection, InspectError> {
    let bytes = match artifact::to_binary(bytes) {
        Ok(bytes) => bytes,
        Err(ArtifactError::Precompiled(precompiled)) => {
            return Ok(inspect_precompiled(bytes.len(), precompiled, file));
        }
        Err(e) => return Err(e.into()),
    };
    let kind = artifact::classify(&bytes)?;
    let walk = walk(&bytes)?;
    let mut inspection = Inspection {
        version: FORMAT_VERSION,
        kind: Kind::Core,
        description: kind.to_string(),
        size: bytes.len(),
        world: None,
        imports: Vec::new(),
        exports: Vec::new(),
        adapters: adapters(&walk.parts),
        origin: Origin::of(&walk.producers),
        producers: walk.producers,
        sections: walk.sections,
        parts: walk.parts.iter().map(|p| p.part.clone()).collect(),
        memories: walk.memories,
        precompiled: None,
        wasi: Vec::new(),
        component_model_features: artifact::component_model_features(&bytes)
            .into_iter()
            .map(str::to_string)
            .collect(),
        runtimes: Vec::new(),
        notes: Vec::new(),
    };
    let facts = match &kind {
        ArtifactKind::Component => component(&bytes, &mut inspection),
        ArtifactKind::Core(core) => {
            inspection.kind = match core.wasi {
                CoreWasi::Preview1 => Kind::P1Core,
                CoreWasi::Preview2 => Kind::P2Core,
                CoreWasi::None => Kind::Core,
            };
            if core.wasi == CoreWasi::Preview1 {
                inspection.wasi.push("preview 1".to_string());
            }
            if core.has_component_type {
                inspection.world = embedded_world(&bytes);
                inspection.notes.push(Note {
                    code: "embedded-world",
                    message: "it embeds a WIT world (a `component-type` section from \
                              wit-bindgen): its exports use the canonical ABI, where strings \
                              and lists are pointers into its memory, so a core runtime can \
                              call only functions of numbers; componentize it for typed calls \
                              and composition"
                        .to_string(),
                });
            }
            inspection.imports = walk.core_imports;
            inspection.exports = walk.core_exports;
            core_notes(core, &bytes, &mut inspection);
            let export_functions = inspection
                .exports
                .iter()
                .filter(|e| e.kind == "core-function" && is_entry_function(&e.name))
                .map(|e| e.name.clone())
                .collect();
            Facts::Core {
                import_modules: inspection.imports.iter().map(|i| i.name.clone()).collect(),
                has_start: core.has_start,
                export_functions,
            }
        }
    };
    if walk.wasmedge_aot {
        inspection.notes.push(Note {
            code: "wasmedge-aot",
            message: "it carries WasmEdge AOT machine code (custom section `wasmedge`): WasmEdge \
                      uses it only with the same WasmEdge version on the same kind of CPU, and \
                      other runtimes ignore it; compile it again with `wasmedgec` on the \
                      machine that runs it"
                .to_string(),
        });
    }
    let unbounded = inspection
        .memories
        .iter()
        .any(|m| m.maximum_pages.is_none());
    if unbounded {
        inspection.notes.push(Note {
            code: "unbounded-memory",
            message: "its linear memory declares no maximum, so it may grow to 4 GiB: cap it \
                      when it runs, e.g. `wcompose run --max-memory 32MiB`, and where a host \
                      profile needs a cap (see each runtime's note)"
                .to_string(),
        });
    }
    inspection.runtimes = RUNTIMES
        .iter()
        .map(|profile| runtimes::verdict(profile, &facts, file, unbounded))
        .collect();
    Ok(inspection)
}

fn inspect_precompiled(size: usize, precompiled: Precompiled, file: &str) -> Inspection {
    let facts = Facts::Precompiled(precompiled.clone());
    Inspection {
        version: FORMAT_VERSION,
        kind: Kind::Precompiled,
        description: precompiled.to_string(),
        size,
        world: None,
        imports: Vec::new(),
        exports: Vec::new(),
        adapters: Vec::new(),
        producers: Vec::new(),
        origin: Origin::default(),
        sections: Vec::new(),
        parts: Vec::new(),
        memories: Vec::new(),
        wasi: Vec::new(),
        component_model_features: Vec::new(),
        notes: vec![Note {
            code: "precompiled",
            message: format!(
                "this is {precompiled}: machine code for one engine version and CPU, not \
                 WebAssembly; {}",
                precompiled.help()
            ),
        }],
        runtimes: RUNTIMES
            .iter()
            .map(|profile| runtimes::verdict(profile, &facts, file, false))
            .collect(),
        precompiled: Some(precompiled),
    }
}

/// Decodes a component's world and fills in its imports, exports and
/// notes.
fn component(bytes: &[u8], inspection: &mut Inspection) -> Facts {
    inspection.kind = Kind::Component;
    let (resolve, world) = match crate::artifact::world::decode_component(bytes) {
        Ok(crate::artifact::world::Decoded::Component(resolve, world)) => (resolve, world),
        Ok(crate::artifact::world::Decoded::WitPackage(resolve, package)) => {
            inspection.kind = Kind::WitPackage;
            inspection.description = "WIT package encoded as a component".to_string();
            inspection.world = print_package(&resolve, package);
            return Facts::WitPackage;
        }
        Err(_) => {
            return Facts::Component {
                imports: Vec::new(),
                export_interfaces: Vec::new(),
                export_functions: Vec::new(),
            };
        }
    };
    inspection.world = print_world(&resolve, world);
    let mut wasi = std::collections::BTreeSet::new();
    for key in resolve.worlds[world].imports.keys() {
        if let Some((_, Some(version))) = resolve
            .name_world_key(key)
            .strip_prefix("wasi:")
            .map(crate::host::split_version)
        {
            wasi.insert(format!("{}.{}", version.major, version.minor));
        }
    }
    inspection.wasi = wasi.into_iter().collect();
    let world = &resolve.worlds[world];
    inspection.imports = world
        .imports
        .iter()
        .map(|(key, item)| world_item(&resolve, key, item))
        .collect();
    inspection.exports = world
        .exports
        .iter()
        .map(|(key, item)| world_item(&resolve, key, item))
        .collect();

    let mut imports = Vec::new();
    for (key, item) in &world.imports {
        let needs_host = match item {
            WorldItem::Interface { id, .. } => {
                let interface = &resolve.interfaces[*id];
                !interface.functions.is_empty()
                    || interface.types.values().any(|t| {
                        matches!(resolve.types[*t].kind, wit_parser::TypeDefKind::Resource)
                    })
            }
            WorldItem::Function(_) => true,
            WorldItem::Type { .. } => false,
        };
        if needs_host {
            let item = world_item(&resolve, key, item);
            imports.push((item.name, item.version));
        }
    }
    let open: Vec<String> = inspection
        .imports
        .iter()
        .filter(|i| !i.name.starts_with("wasi:"))
        .filter(|i| imports.iter().any(|(name, _)| *name == i.name))
        .map(|i| format!("`{}`", i.full_name()))
        .collect();
    if !open.is_empty() {
        inspection.notes.push(Note {
            code: "open-imports",
            message: format!(
                "it imports {}, which no runtime provides: compose it with components that \
                 export them (`wcompose compose`); `wcompose check` first verifies that both \
                 sides of every edge have the same WIT types (an f64 import against an s32 \
                 export is the seed's pitfall 5)",
                open.join(", ")
            ),
        });
    }
    let mut export_interfaces = Vec::new();
    let mut export_functions = Vec::new();
    for (key, item) in &world.exports {
        let named = world_item(&resolve, key, item);
        match item {
            WorldItem::Interface { id, .. } => {
                for function in resolve.interfaces[*id].functions.keys() {
                    export_functions.push(format!("{}#{function}", named.full_name()));
                }
                export_interfaces.push((named.name, named.version));
            }
            WorldItem::Function(f) => export_functions.push(f.name.clone()),
            WorldItem::Type { .. } => {}
        }
    }
    Facts::Component {
        imports,
        export_interfaces,
        export_functions,
    }
}

/// A world import or export as an [`Item`].
fn world_item(resolve: &Resolve, key: &WorldKey, item: &WorldItem) -> Item {
    let (kind, members) = match item {
        WorldItem::Interface { id, .. } => (
            if matches!(key, WorldKey::Name(_)) {
                "instance"
            } else {
                "interface"
            },
            resolve.interfaces[*id].functions.keys().cloned().collect(),
        ),
        WorldItem::Function(_) => ("function", Vec::new()),
        WorldItem::Type { .. } => ("type", Vec::new()),
    };
    let (name, version) = match key {
        WorldKey::Name(name) => (name.clone(), None),
        WorldKey::Interface(id) => {
            let interface = &resolve.interfaces[*id];
            let package = interface.package.map(|p| &resolve.packages[p].name);
            match (package, &interface.name) {
                (Some(package), Some(name)) => (
                    format!("{}:{}/{name}", package.namespace, package.name),
                    package.version.as_ref().map(|v| v.to_string()),
                ),
                _ => (resolve.name_world_key(key), None),
            }
        }
    };
    Item {
        name,
        kind,
        version,
        members,
    }
}

/// The world that wit-bindgen embedded in a core module, printed with the
/// rest of its package.
fn embedded_world(bytes: &[u8]) -> Option<String> {
    let (resolve, world) = crate::artifact::world::embedded(bytes)?.ok()?;
    print_world(&resolve, world)
}

fn print_world(resolve: &Resolve, world: wit_parser::WorldId) -> Option<String> {
    print_package(resolve, resolve.worlds[world].package?)
}

fn print_package(resolve: &Resolve, package: wit_parser::PackageId) -> Option<String> {
    let mut printer = wit_component::WitPrinter::default();
    printer.emit_docs(false);
    printer.print(resolve, package, &[]).ok()?;
    Some(printer.output.to_string())
}

/// Whether a core export is something a user would call, rather than
/// plumbing (`cabi_realloc`, `_initialize`, `__data_end`).
fn is_entry_function(name: &str) -> bool {
    !(name.starts_with('_') || name.starts_with("cabi_") || name.starts_with("cabi-"))
}

/// Notes for core modules: the seed's pitfalls 1 and 3. Imports from a
/// module such as `env` are a pitfall only when wit-component refuses them:
/// an imported memory or wasm-ld's stack-pointer and TLS symbols are not.
fn core_notes(core: &artifact::CoreModule, bytes: &[u8], inspection: &mut Inspection) {
    if !core.other_import_modules.is_empty()
        && crate::componentize::componentize(bytes, Default::default()).is_err()
    {
        inspection.notes.push(Note {
            code: "foreign-imports",
            message: format!(
                "it imports from `{}`, which neither WASI nor a WIT world describes: WASI is \
                 missing, as in a wasm32-unknown-unknown build; build for wasm32-wasip1 \
                 (`cargo build --target wasm32-wasip1`) or wasm32-wasip2 instead",
                core.other_import_modules.join("`, `")
            ),
        });
    }
    match core.wasi {
        CoreWasi::Preview1 => inspection.notes.push(Note {
            code: "p1-core",
            message: "p1 core: run with `wcompose run` (componentized on the fly) or \
                      componentize it (`wcompose componentize`); `wasmtime run` runs it as it is \
                      (`--wasi preview1` behaviour), while component hosts such as jco and \
                      Spin need the component"
                .to_string(),
        }),
        CoreWasi::Preview2 => inspection.notes.push(Note {
            code: "p2-core",
            message: "p2 core: it imports WASI 0.2 interfaces directly but is not a component, \
                      so no runtime runs it as it is; link it into one with `wcompose \
                      componentize` (or let rustc's wasm32-wasip2 target do it through \
                      wasm-component-ld)"
                .to_string(),
        }),
        CoreWasi::None if core.other_import_modules.is_empty() => inspection.notes.push(Note {
            code: "no-wasi",
            message: "it imports no WASI: a wasm32-unknown-unknown build, or a pure library; \
                      if it reads files, stdin, clocks or randomness, those calls fail, so \
                      build for wasm32-wasip1 or wasm32-wasip2 instead"
                .to_string(),
        }),
        CoreWasi::None => {}
    }
}

/// Finds the WASI preview-1 adapters among a component's parts.
fn adapters(parts: &[WalkedPart]) -> Vec<AdapterInfo> {
    parts
        .iter()
        .filter(|p| p.part.role == Some("adapter"))
        .map(adapter)
        .collect()
}

fn adapter(part: &WalkedPart) -> AdapterInfo {
    let command = part.exports.iter().any(|e| e.starts_with("wasi:cli/run@"));
    // The adapters carry no wasmtime version of their own, but each release
    // is built by one rustc: matching producers identify ours.
    let carried = [Adapter::Reactor, Adapter::Command]
        .iter()
        .any(|a| !part.part.producers.is_empty() && producers_of(a.bytes()) == part.part.producers);
    let wasi = part
        .imports
        .iter()
        .filter(|m| m.starts_with("wasi:"))
        .find_map(|m| m.split_once('@').map(|(_, version)| version.to_string()));
    AdapterInfo {
        kind: if command { "command" } else { "reactor" },
        part: part.part.path.clone(),
        wasmtime: carried.then(|| ADAPTER_WASMTIME_VERSION.to_string()),
        wasi,
    }
}

/// The top-level `producers` section of a binary.
fn producers_of(bytes: &[u8]) -> Vec<Producer> {
    for payload in Parser::new(0).parse_all(bytes) {
        if let Ok(Payload::CustomSection(section)) = payload
            && let KnownCustom::Producers(reader) = section.as_known()
        {
            return read_producers(reader).unwrap_or_default();
        }
    }
    Vec::new()
}

/// What one pass over the binary collects.
struct Walk {
    producers: Vec<Producer>,
    sections: Vec<Section>,
    parts: Vec<WalkedPart>,
    memories: Vec<Memory>,
    core_imports: Vec<Item>,
    core_exports: Vec<Item>,
    wasmedge_aot: bool,
}

struct WalkedPart {
    part: Part,
    exports: Vec<String>,
    imports: Vec<String>,
}

/// One module or component being read: the file itself or a nested part.
struct Unit {
    /// Index into `Walk::parts`; `None` for the file itself.
    part: Option<usize>,
    component: bool,
    /// The core module and component index spaces: parts defined inside,
    /// `None` for imported or aliased ones.
    modules: Vec<Option<usize>>,
    components: Vec<Option<usize>>,
    /// The component instance index space: the component each instance
    /// instantiates, when it instantiates one.
    instances: Vec<Option<u32>>,
    children: usize,
    exports: Vec<String>,
    imports: Vec<String>,
    pending: Option<(bool, u64)>,
}

fn walk(bytes: &[u8]) -> Result<Walk, InspectError> {
    let mut out = Walk {
        producers: Vec::new(),
        sections: Vec::new(),
        parts: Vec::new(),
        memories: Vec::new(),
        core_imports: Vec::new(),
        core_exports: Vec::new(),
        wasmedge_aot: false,
    };
    let mut stack: Vec<Unit> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match &payload {
            Payload::Version { encoding, .. } => {
                let part = match stack.last_mut() {
                    None => None,
                    Some(parent) => {
                        let (component, size) = parent.pending.take().unwrap_or_default();
                        let index = parent.children;
                        parent.children += 1;
                        let path = match parent.part {
                            Some(p) => format!("{}/{index}", out.parts[p].part.path),
                            None => index.to_string(),
                        };
                        let id = out.parts.len();
                        if component {
                            parent.components.push(Some(id));
                        } else {
                            parent.modules.push(Some(id));
                        }
                        out.parts.push(WalkedPart {
                            part: Part {
                                path,
                                depth: stack.len() - 1,
                                kind: if component { "component" } else { "module" },
                                name: None,
                                size,
                                role: None,
                                producers: Vec::new(),
                                origin: Origin::default(),
                            },
                            exports: Vec::new(),
                            imports: Vec::new(),
                        });
                        Some(id)
                    }
                };
                stack.push(Unit {
                    part,
                    component: *encoding == Encoding::Component,
                    modules: Vec::new(),
                    components: Vec::new(),
                    instances: Vec::new(),
                    children: 0,
                    exports: Vec::new(),
                    imports: Vec::new(),
                    pending: None,
                });
                continue;
            }
            Payload::End(_) => {
                if let Some(unit) = stack.pop()
                    && let Some(id) = unit.part
                {
                    if !unit.component {
                        out.parts[id].part.role = Some(core_role(&unit));
                    }
                    out.parts[id].exports = unit.exports;
                    out.parts[id].imports = unit.imports;
                }
                continue;
            }
            _ => {}
        }
        let top = stack.len() == 1;
        let Some(unit) = stack.last_mut() else {
            continue;
        };
        let unit_part = unit.part;
        if let Some((id, range)) = payload.as_section()
            && top
        {
            let name = section_name(&payload, id, unit.component);
            add_section(&mut out.sections, name, range.end - range.start);
        }
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => unit.pending = Some((false, unchecked_range.end - unchecked_range.start)),
            Payload::ComponentSection {
                unchecked_range, ..
            } => unit.pending = Some((true, unchecked_range.end - unchecked_range.start)),
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    match import?.ty {
                        ComponentTypeRef::Module(_) => unit.modules.push(None),
                        ComponentTypeRef::Component(_) => unit.components.push(None),
                        ComponentTypeRef::Instance(_) => unit.instances.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    let kind = match alias? {
                        ComponentAlias::InstanceExport { kind, .. } => kind,
                        ComponentAlias::Outer { kind, .. } => match kind {
                            ComponentOuterAliasKind::CoreModule => ComponentExternalKind::Module,
                            ComponentOuterAliasKind::Component => ComponentExternalKind::Component,
                            _ => continue,
                        },
                        ComponentAlias::CoreInstanceExport { .. } => continue,
                    };
                    match kind {
                        ComponentExternalKind::Module => unit.modules.push(None),
                        ComponentExternalKind::Component => unit.components.push(None),
                        ComponentExternalKind::Instance => unit.instances.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for instance in reader {
                    unit.instances.push(match instance? {
                        ComponentInstance::Instantiate {
                            component_index, ..
                        } => Some(component_index),
                        ComponentInstance::FromExports(_) => None,
                    });
                }
            }
            Payload::ComponentExportSection(reader) => {
                // Exports add to their kind's index space.
                for export in reader {
                    match export?.kind {
                        ComponentExternalKind::Module => unit.modules.push(None),
                        ComponentExternalKind::Component => unit.components.push(None),
                        ComponentExternalKind::Instance => unit.instances.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    unit.imports.push(import.module.to_string());
                    if top {
                        add_core_import(&mut out.core_imports, import.module, import.name);
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    unit.exports.push(export.name.to_string());
                    if top {
                        out.core_exports.push(Item {
                            name: export.name.to_string(),
                            kind: core_kind(export.kind),
                            version: None,
                            members: Vec::new(),
                        });
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory?;
                    out.memories.push(Memory {
                        part: unit_part.map(|p| out.parts[p].part.path.clone()),
                        initial_pages: memory.initial,
                        maximum_pages: memory.maximum,
                        memory64: memory.memory64,
                        shared: memory.shared,
                    });
                }
            }
            Payload::CustomSection(section) => match section.as_known() {
                KnownCustom::Producers(reader) => {
                    let producers = read_producers(reader)?;
                    match unit_part {
                        Some(p) => {
                            let part = &mut out.parts[p].part;
                            part.origin = Origin::of(&producers);
                            part.producers = producers;
                        }
                        None => out.producers = producers,
                    }
                }
                KnownCustom::Name(reader) => {
                    for name in reader {
                        if let Ok(Name::Module { name, .. }) = name
                            && let Some(p) = unit_part
                        {
                            out.parts[p].part.name.get_or_insert(name.to_string());
                        }
                    }
                }
                KnownCustom::ComponentName(reader) => {
                    for name in reader.into_iter().flatten() {
                        let (space, map, by_instance) = match name {
                            ComponentName::CoreModules(map) => (&unit.modules, map, false),
                            ComponentName::Components(map) => (&unit.components, map, false),
                            ComponentName::Instances(map) => (&unit.components, map, true),
                            _ => continue,
                        };
                        for naming in map.into_iter().flatten() {
                            let mut index = Some(naming.index as usize);
                            if by_instance {
                                // An instance names the component it instantiates,
                                // unless that component has a name of its own.
                                index = unit
                                    .instances
                                    .get(naming.index as usize)
                                    .and_then(|component| component.map(|c| c as usize));
                            }
                            let Some(id) = index.and_then(|i| space.get(i).copied().flatten())
                            else {
                                continue;
                            };
                            let name = &mut out.parts[id].part.name;
                            if !by_instance || name.is_none() {
                                *name = Some(naming.name.to_string());
                            }
                        }
                    }
                }
                _ if section.name() == "wasmedge" => out.wasmedge_aot = true,
                _ => {}
            },
            _ => {}
        }
    }
    // The names wit-component gives its modules win over the guesses made
    // from imports and exports.
    for part in &mut out.parts {
        let Some(name) = &part.part.name else {
            continue;
        };
        if part.part.kind != "module" {
            continue;
        }
        if name.contains("wasi_snapshot_preview1") || name.contains(":adapter:") {
            part.part.role = Some("adapter");
        } else if name == "wit-component-shim-module" {
            part.part.role = Some("shim");
        } else if name == "wit-component-fixup" {
            part.part.role = Some("fixups");
        } else if name == "main" {
            part.part.role = Some("main");
        }
    }
    Ok(out)
}

/// What a core module inside a wit-component component does, judged from
/// its imports and exports.
fn core_role(unit: &Unit) -> &'static str {
    if unit.imports.iter().all(|m| m.is_empty() || m == "$imports")
        && unit
            .exports
            .iter()
            .all(|e| e.parse::<u32>().is_ok() || e == "$imports")
        && !unit.exports.is_empty()
    {
        // The shim exports its table slots by number.
        "shim"
    } else if unit.exports.is_empty() && unit.imports.iter().any(|m| m.is_empty()) {
        "fixups"
    } else if unit
        .exports
        .iter()
        .any(|e| e == "fd_write" || e == "environ_get")
        || unit.imports.iter().any(|m| m == "__main_module__")
    {
        "adapter"
    } else {
        "main"
    }
}

fn section_name(payload: &Payload<'_>, id: u8, component: bool) -> String {
    if let Payload::CustomSection(section) = payload {
        return format!("custom `{}`", section.name());
    }
    let name = if component {
        match id {
            1 => "core module",
            2 => "core instance",
            3 => "core type",
            4 => "component",
            5 => "instance",
            6 => "alias",
            7 => "type",
            8 => "canonical function",
            9 => "start",
            10 => "import",
            11 => "export",
            12 => "value",
            _ => "unknown",
        }
    } else {
        match id {
            1 => "type",
            2 => "import",
            3 => "function",
            4 => "table",
            5 => "memory",
            6 => "global",
            7 => "export",
            8 => "start",
            9 => "element",
            10 => "code",
            11 => "data",
            12 => "data count",
            13 => "tag",
            _ => "unknown",
        }
    };
    name.to_string()
}

fn add_section(sections: &mut Vec<Section>, name: String, size: u64) {
    match sections.iter_mut().find(|s| s.name == name) {
        Some(section) => {
            section.count += 1;
            section.size += size;
        }
        None => sections.push(Section {
            name,
            count: 1,
            size,
        }),
    }
}

fn add_core_import(imports: &mut Vec<Item>, module: &str, field: &str) {
    match imports.iter_mut().find(|i| i.name == module) {
        Some(item) => item.members.push(field.to_string()),
        None => imports.push(Item {
            name: module.to_string(),
            kind: "core-module",
            version: None,
            members: vec![field.to_string()],
        }),
    }
}

fn core_kind(kind: ExternalKind) -> &'static str {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => "core-function",
        ExternalKind::Table => "core-table",
        ExternalKind::Memory => "core-memory",
        ExternalKind::Global => "core-global",
        ExternalKind::Tag => "core-tag",
    }
}

fn read_producers(
    reader: wasmparser::ProducersSectionReader<'_>,
) -> Result<Vec<Producer>, InspectError> {
    let mut out = Vec::new();
    for field in reader {
        let field = field?;
        for value in field.values {
            let value = value?;
            out.push(Producer {
                field: field.name.to_string(),
                name: value.name.to_string(),
                version: value.version.to_string(),
            });
        }
    }
    Ok(out)
}

//! Turning core modules into components.
//!
//! wit-component's `ComponentEncoder` decides whether a core module can
//! become a component, configured as `wasm-tools component new` 1.263
//! configures it (the output validated, debug names on unless turned off,
//! adapters given before the module), so that both write the same bytes
//! for the same inputs. wcompose adds three things around it, none of
//! which refuses a module the encoder accepts:
//!
//! - **the WASI adapter**: a wasm32-wasip1 core module imports WASI
//!   preview 1, and to run on a preview-2 host it is wrapped with the
//!   WASI preview-1 adapter that matches the wasmtime version this crate
//!   links (`wasi-preview1-component-adapter-provider` is pinned to it).
//!   The **command** adapter exports `wasi:cli/run` itself and calls the
//!   module's `_start`: it is for binaries (`fn main`); the **reactor**
//!   adapter exports nothing of its own: it is for libraries (`cdylib`),
//!   including libraries that export `wasi:cli/run` through wit-bindgen.
//!   Adapters given by the caller ([`CustomAdapter`]) come first, and one
//!   for `wasi_snapshot_preview1` replaces the automatic choice;
//! - **a world to embed** ([`World`]) into a bare core module first, as
//!   `wasm-tools component embed` does;
//! - **words**: a refusal is explained where a common mistake accounts for
//!   it, and a component that may not be what was meant
//!   comes with [`Advice`].
//!
//! Components pass through unchanged (validated); cores without WASI
//! preview-1 imports (wasm32-unknown-unknown, or wasm32-wasip2 cores that
//! import preview 2 directly) are encoded without the WASI adapter.

mod adapter;
mod embed;
mod explain;

use std::borrow::Cow;
use std::path::PathBuf;

pub use adapter::{ADAPTER_WASMTIME_VERSION, Adapter, CustomAdapter, choose_adapter};
pub use embed::World;
pub use explain::Advice;

use crate::artifact::{self, ArtifactError, ArtifactKind, CoreWasi};

/// Options for [`componentize`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Force a WASI preview-1 adapter instead of choosing one from the
    /// module (used only when the module imports preview 1).
    pub adapter: Option<Adapter>,
    /// Adapters given by the caller, in order (`--adapt NAME=FILE`).
    pub adapters: Vec<CustomAdapter>,
    /// A world to embed into the core module before it is encoded.
    pub world: Option<World>,
    /// Whether the component gets a `name` section naming its core
    /// instances, functions and types (on by default, as in
    /// `wasm-tools component new`).
    pub debug_names: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            adapter: None,
            adapters: Vec::new(),
            world: None,
            debug_names: true,
        }
    }
}

/// The result of [`componentize`].
#[derive(Debug, Clone)]
pub struct Componentized {
    /// The component.
    pub bytes: Vec<u8>,
    /// What the input was.
    pub input: ArtifactKind,
    /// The WASI preview-1 adapter that wcompose chose, if any.
    pub adapter: Option<Adapter>,
    /// The names of the caller's adapters that were given to the encoder.
    pub custom_adapters: Vec<String>,
    /// What may not be as meant about the component.
    pub advice: Vec<Advice>,
}

/// Why a module could not become a component.
#[derive(Debug, thiserror::Error)]
pub enum ComponentizeError {
    /// The input is not readable WebAssembly.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// An adapter given by the caller is not readable WebAssembly.
    #[error("failed to read the adapter for `{name}`")]
    Adapter {
        /// The import module it was given for.
        name: String,
        /// The cause.
        #[source]
        source: Box<ArtifactError>,
    },
    /// A WASI preview-1 adapter was both forced and given.
    #[error(
        "both the {forced} and a custom adapter for `wasi_snapshot_preview1` were asked for\n  \
         help: give one of them"
    )]
    TwoPreview1Adapters {
        /// The adapter forced by name.
        forced: Adapter,
    },
    /// A world was to be embedded into a component.
    #[error(
        "the input is a component already, and a WIT world is embedded only into a core module\n  \
         help: leave out `--wit`, or give the core module the component was made from"
    )]
    WorldForComponent,
    /// The world to embed could not be loaded or selected.
    #[error("failed to load the world to embed from `{}`", path.display())]
    World {
        /// The WIT file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: Box<crate::wit::WitError>,
    },
    /// wit-component could not embed the world.
    #[error("failed to embed world `{world}` into the core module")]
    Embed {
        /// The world.
        world: String,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
    /// The encoder refused an import from a module that neither WASI nor a
    /// WIT world describes, such as `env` (a wasm32-unknown-unknown build).
    #[error("{}", foreign_import(import, *world))]
    ForeignImport {
        /// The import.
        import: Box<Unresolved>,
        /// Whether the module embeds a WIT world.
        world: bool,
    },
    /// The encoder refused an import of a WIT interface from a module that
    /// embeds no world.
    #[error(
        "the core module imports `{}::{}`, but it has no `component-type` custom section, so there is \
         no WIT world to describe it (wit-component: {})\n  \
         help: build it with `wit_bindgen::generate!` against the WIT it implements, or embed that world \
         (`--wit DIR --world WORLD`)",
        import.module, import.name, import.reason
    )]
    NoWorld {
        /// The import.
        import: Box<Unresolved>,
    },
    /// The command adapter was used on a module without `_start`, which
    /// the adapter calls.
    #[error(
        "the command adapter calls the module's `_start`, but this core module has none: it is a library (cdylib) \
         (wit-component: {reason})\n  \
         help: use the reactor adapter (the default for modules without `_start`); a library that exports \
         `wasi:cli/run` itself is a command already"
    )]
    CommandWithoutStart {
        /// The encoder's own reason.
        reason: String,
    },
    /// wit-component refused the module for a reason of its own.
    #[error("failed to encode the component{}", adapter.map(|a| format!(" with the {a}")).unwrap_or_default())]
    Encode {
        /// The WASI adapter in use.
        adapter: Option<Adapter>,
        /// The encoder's error.
        #[source]
        source: anyhow::Error,
    },
}

/// An import that the encoder could not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The import module.
    pub module: String,
    /// The imported item.
    pub name: String,
    /// The encoder's own reason.
    pub reason: String,
}

fn foreign_import(import: &Unresolved, world: bool) -> String {
    let Unresolved {
        module,
        name,
        reason,
    } = import;
    let described = if world {
        "its WIT world"
    } else {
        "a WIT world (it embeds none)"
    };
    let (missing, help) = if module == "env" {
        (
            ": the WASI API is missing, as in a build for wasm32-unknown-unknown",
            "build for wasm32-wasip1 (`cargo build --target wasm32-wasip1`) or wasm32-wasip2 instead of \
             wasm32-unknown-unknown"
                .to_string(),
        )
    } else {
        (
            "",
            format!(
                "embed the WIT world that imports `{module}` (`--wit DIR --world WORLD`), or give an \
                 adapter for it (`--adapt {module}=FILE`)"
            ),
        )
    };
    format!(
        "the core module imports from `{module}` (`{module}::{name}`), which neither WASI nor {described} \
         describes{missing} \
         (wit-component: {reason})\n  help: {help}"
    )
}

/// Turns a core module (binary or `.wat` text) into a component, choosing
/// the WASI adapter from the module. A component is returned unchanged.
pub fn componentize(bytes: &[u8], options: Options) -> Result<Componentized, ComponentizeError> {
    let bytes = artifact::to_binary(bytes)?;
    let kind = artifact::classify(&bytes)?;
    let mut core = match &kind {
        ArtifactKind::Component => {
            if options.world.is_some() {
                return Err(ComponentizeError::WorldForComponent);
            }
            // Passed through, but never unchecked: a truncated or corrupt
            // component is an error here, not later.
            artifact::validate(&bytes)?;
            return Ok(Componentized {
                bytes: bytes.into_owned(),
                input: kind,
                adapter: None,
                custom_adapters: Vec::new(),
                advice: Vec::new(),
            });
        }
        ArtifactKind::Core(core) => core.clone(),
    };
    let module = match &options.world {
        Some(world) => {
            core.has_component_type = true;
            Cow::Owned(embed::embed(&bytes, world)?)
        }
        None => bytes,
    };
    let custom = options
        .adapters
        .iter()
        .map(|a| {
            artifact::to_binary(&a.bytes)
                .map(|bytes| (a.name.clone(), bytes))
                .map_err(|source| ComponentizeError::Adapter {
                    name: a.name.clone(),
                    source: Box::new(source),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let custom_names: Vec<String> = custom.iter().map(|(name, _)| name.clone()).collect();
    let custom_preview1 = custom_names.iter().any(|n| n == artifact::WASI_P1_MODULE);
    let adapter = match (core.wasi, custom_preview1, options.adapter) {
        (CoreWasi::Preview1, true, Some(forced)) => {
            return Err(ComponentizeError::TwoPreview1Adapters { forced });
        }
        (CoreWasi::Preview1, false, forced) => Some(choose_adapter(&core, forced)),
        _ => None,
    };
    let encode = || -> anyhow::Result<Vec<u8>> {
        let mut encoder = wit_component::ComponentEncoder::default();
        encoder.validate(true).debug_names(options.debug_names);
        for (name, bytes) in &custom {
            encoder.adapter(name, bytes)?;
        }
        if let Some(adapter) = adapter {
            encoder.adapter(artifact::WASI_P1_MODULE, adapter.bytes())?;
        }
        encoder.module(&module)?;
        encoder.encode()
    };
    let component = crate::guard::contain("wit-component", encode)
        .map_err(anyhow::Error::msg)
        .and_then(|r| r)
        .map_err(|error| explain::explain(&core, adapter, &custom_names, error))?;
    Ok(Componentized {
        bytes: component,
        advice: explain::advise(&core, adapter),
        input: kind,
        adapter,
        custom_adapters: custom_names,
    })
}

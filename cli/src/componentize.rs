//! Turning core modules into components.
//!
//! A wasm32-wasip1 core module imports WASI preview 1; to run on a preview-2
//! host it is wrapped with the WASI preview-1 adapter that matches the
//! wasmtime version this crate links (`wasi-preview1-component-adapter-provider`
//! is pinned to it). The adapter comes in two flavours and the module decides
//! which one fits:
//!
//! - the **command** adapter exports `wasi:cli/run` itself and calls the
//!   module's `_start`: it is for binaries (`fn main`);
//! - the **reactor** adapter exports nothing of its own: it is for libraries
//!   (`cdylib`), including libraries that export `wasi:cli/run` through
//!   wit-bindgen.
//!
//! Components pass through unchanged; cores without WASI preview-1 imports
//! (wasm32-unknown-unknown, or wasm32-wasip2 cores that import preview 2
//! directly) are encoded without an adapter.

use std::fmt;

use wasi_preview1_component_adapter_provider as adapters;

use crate::artifact::{self, ArtifactError, ArtifactKind, CoreModule, CoreWasi};

/// Which WASI preview-1 adapter to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// For libraries: provides preview 1 on top of preview 2, exports nothing.
    Reactor,
    /// For commands: exports `wasi:cli/run`, which calls the module's `_start`.
    Command,
}

impl Adapter {
    /// The adapter's bytes, from the release of wasmtime this crate links.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Adapter::Reactor => adapters::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            Adapter::Command => adapters::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        }
    }

    /// The adapter's name as users know it.
    pub fn name(self) -> &'static str {
        match self {
            Adapter::Reactor => "reactor",
            Adapter::Command => "command",
        }
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} adapter (wasi_snapshot_preview1, wasmtime {})",
            self.name(),
            ADAPTER_WASMTIME_VERSION
        )
    }
}

/// The wasmtime release whose adapters this crate carries.
pub const ADAPTER_WASMTIME_VERSION: &str = "48.0.8";

/// The `wasi:cli/run` export name prefix that marks a command world.
const CLI_RUN_EXPORT: &str = "wasi:cli/run@";

/// Options for [`componentize`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Force an adapter instead of choosing one from the module.
    pub adapter: Option<Adapter>,
}

/// The result of [`componentize`].
#[derive(Debug, Clone)]
pub struct Componentized {
    /// The component.
    pub bytes: Vec<u8>,
    /// What the input was.
    pub input: ArtifactKind,
    /// The adapter that was applied, if any.
    pub adapter: Option<Adapter>,
}

/// Why a module could not become a component.
#[derive(Debug, thiserror::Error)]
pub enum ComponentizeError {
    /// The input is not readable WebAssembly.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The core module has no embedded WIT world.
    #[error(
        "the core module has no `component-type` custom section, so there is no WIT world to give it\n  \
         help: build it with `wit_bindgen::generate!` (or `wasm-tools component embed`) against the WIT it implements"
    )]
    NoWorld,
    /// The core module imports from modules that no WIT world or WASI describes.
    #[error(
        "the core module imports from `{}`, which neither WASI nor its WIT world describes: the WASI API is missing, \
         as in a build for wasm32-unknown-unknown\n  \
         help: build for wasm32-wasip1 (`cargo build --target wasm32-wasip1`) or wasm32-wasip2 instead of \
         wasm32-unknown-unknown",
        modules.join("`, `")
    )]
    ForeignImports {
        /// The unknown import modules.
        modules: Vec<String>,
    },
    /// The command adapter was asked for, but the module has no `_start`.
    #[error(
        "the command adapter calls the module's `_start`, but this core module has none: it is a library (cdylib)\n  \
         help: use the reactor adapter (the default for modules without `_start`); a library that exports \
         `wasi:cli/run` itself is a command already"
    )]
    CommandWithoutStart,
    /// The module exports `wasi:cli/run` and also has `_start`.
    #[error(
        "the core module exports both `_start` and `{export}`: the command adapter's own `wasi:cli/run` \
         would clash with the module's\n  \
         help: build it either as a binary (`fn main`, no `wasi:cli/run` in its world) or as a library that exports `wasi:cli/run`"
    )]
    CommandTwice {
        /// The module's `wasi:cli/run` export.
        export: String,
    },
    /// The reactor adapter was forced on a preview-1 command.
    #[error(
        "the core module is a preview-1 command (it exports `_start`), but the reactor adapter never calls `_start`: \
         the component would not run\n  \
         help: use the command adapter (the default for modules with `_start`)"
    )]
    ReactorForCommand,
    /// wit-component failed to encode the component.
    #[error("failed to encode the component{}", adapter.map(|a| format!(" with the {a}")).unwrap_or_default())]
    Encode {
        /// The adapter in use.
        adapter: Option<Adapter>,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
}

/// Chooses the adapter for a preview-1 core module.
pub fn choose_adapter(
    core: &CoreModule,
    forced: Option<Adapter>,
) -> Result<Adapter, ComponentizeError> {
    let run_export = core.exports.iter().find(|e| e.starts_with(CLI_RUN_EXPORT));
    match (forced, core.has_start, run_export) {
        (_, true, Some(export)) => Err(ComponentizeError::CommandTwice {
            export: export.clone(),
        }),
        (Some(Adapter::Command), false, _) => Err(ComponentizeError::CommandWithoutStart),
        (Some(Adapter::Reactor), true, _) => Err(ComponentizeError::ReactorForCommand),
        (Some(adapter), _, _) => Ok(adapter),
        (None, true, None) => Ok(Adapter::Command),
        (None, false, _) => Ok(Adapter::Reactor),
    }
}

/// Turns a core module (binary or `.wat` text) into a component, choosing the
/// adapter from the module. A component is returned unchanged.
pub fn componentize(bytes: &[u8], options: Options) -> Result<Componentized, ComponentizeError> {
    let bytes = artifact::to_binary(bytes)?;
    let kind = artifact::classify(&bytes)?;
    let core = match &kind {
        ArtifactKind::Component => {
            // Passed through, but never unchecked: a truncated or corrupt
            // component is an error here, not later.
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                .validate_all(&bytes)
                .map_err(ArtifactError::Invalid)?;
            return Ok(Componentized {
                bytes: bytes.into_owned(),
                input: kind,
                adapter: None,
            });
        }
        ArtifactKind::Core(core) => core,
    };
    if !core.other_import_modules.is_empty() {
        return Err(ComponentizeError::ForeignImports {
            modules: core.other_import_modules.clone(),
        });
    }
    // A plain preview-1 command (`fn main`, no wit-bindgen) needs no world of
    // its own: the command adapter exports `wasi:cli/run` for it.
    let plain_command = core.wasi == CoreWasi::Preview1 && core.has_start;
    if !core.has_component_type && !plain_command {
        return Err(ComponentizeError::NoWorld);
    }
    let adapter = match core.wasi {
        CoreWasi::Preview1 => Some(choose_adapter(core, options.adapter)?),
        CoreWasi::None | CoreWasi::Preview2 => None,
    };
    let encode = || -> anyhow::Result<Vec<u8>> {
        let mut encoder = wit_component::ComponentEncoder::default();
        encoder.validate(true).module(&bytes)?;
        if let Some(adapter) = adapter {
            encoder.adapter(artifact::WASI_P1_MODULE, adapter.bytes())?;
        }
        encoder.encode()
    };
    let component = crate::guard::contain("wit-component", encode)
        .map_err(anyhow::Error::msg)
        .and_then(|r| r)
        .map_err(|source| ComponentizeError::Encode { adapter, source })?;
    Ok(Componentized {
        bytes: component,
        input: kind,
        adapter,
    })
}

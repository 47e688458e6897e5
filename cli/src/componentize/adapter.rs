//! The adapters a core module is encoded with: the WASI preview-1 adapter
//! that wcompose chooses itself (command or reactor, from the wasmtime
//! release it links), and adapters that the caller names, as
//! `wasm-tools component new --adapt NAME=FILE` takes them.

use std::fmt;

use wasi_preview1_component_adapter_provider as adapters;

use crate::artifact::CoreModule;

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
pub(super) const CLI_RUN_EXPORT: &str = "wasi:cli/run@";

/// An adapter given by the caller: a core module (binary or `.wat` text)
/// that implements the imports of the core module's import module `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomAdapter {
    /// The import module it implements, e.g. `wasi_snapshot_preview1`.
    pub name: String,
    /// The adapter module.
    pub bytes: Vec<u8>,
}

/// Chooses the WASI preview-1 adapter for a preview-1 core module: the one
/// asked for, else the command adapter for a module with `_start` (a
/// binary) and the reactor adapter for one without (a library).
pub fn choose_adapter(core: &CoreModule, forced: Option<Adapter>) -> Adapter {
    match forced {
        Some(adapter) => adapter,
        None if core.has_start => Adapter::Command,
        None => Adapter::Reactor,
    }
}

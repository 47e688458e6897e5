//! wcompose: build, check, compose and run WebAssembly components from one
//! shared set of WIT files.
//!
//! The library holds every operation; the `wcompose` binary and `cargo xtask`
//! are thin layers over it.
//!
//! - [`artifact`] tells what a `.wasm` file is (core module or component, and
//!   which WASI it speaks).
//! - [`componentize`] wraps core modules into components with the matching
//!   WASI preview-1 adapter.
//! - [`check`] type-checks every import/export edge of a composition and
//!   explains each mismatch in WIT terms.
//! - [`compose`] composes components from a `.wac` file.
//! - [`host`] says what a host provides to a component's imports: one
//!   model for check, plug, compose and inspect, proven against the linker
//!   that [`run`] builds.
//! - [`inspect`] tells what a file is, what it imports and exports, where
//!   its bytes go, and which runtimes can run it.
//! - [`plug`] connects a socket's imports to plugs' exports, transitively.
//! - [`view`] draws a composition (DOT, Mermaid) and explains its edges.
//! - [`registry`] pushes components to OCI registries as Wasm OCI
//!   artifacts and pulls them back, every digest checked.
//! - [`run`] runs components under wasmtime with WASI preview 2.
//! - [`serve`] serves HTTP with a component exporting a WASI HTTP handler,
//!   on the runner, sandbox, limits and cache of [`run`].
//! - [`wit`] loads WIT packages from files and folders.
//! - [`workspace`] drives all of the above for a workspace of guests, and
//!   [`build`] does so incrementally, recording a lockfile.

#![deny(missing_docs)]

pub mod artifact;
pub mod build;
pub mod cache_dir;
pub mod check;
pub mod componentize;
pub mod compose;
pub mod fsutil;
pub mod guard;
pub mod host;
pub mod inspect;
pub mod known_valid;
pub mod parallel;
pub mod plug;
pub mod registry;
pub mod run;
pub mod serve;
pub mod source;
pub mod view;
pub mod wit;
pub mod workspace;

/// Formats an error and its causes on one line, outermost first:
/// `failed to read `x`: No such file or directory (os error 2)`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // `#[error(transparent)]` layers repeat their cause's text.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

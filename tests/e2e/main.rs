//! End-to-end tests: they build the real guests in `components/`, compose
//! them with the library and the `wcompose` binary, and run the results
//! under wasmtime.
//!
//! Where new tests go:
//! - `seed`: the seed composition and the app command, through the library.
//! - `mismatch`: compositions that the check must refuse.
//! - `cli`: the `wcompose` binary's behaviour at the process edge.
//!
//! `support` builds the guests once per test process and gives each test
//! its own output folder.

mod cli;
mod mismatch;
mod seed;
mod support;

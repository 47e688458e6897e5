//! End-to-end tests: they build the real guests in `components/`, compose
//! them with the library and the `wcompose` binary, and run the results
//! under wasmtime.
//!
//! Where new tests go:
//! - `seed`: the seed composition and the app command, through the library.
//! - `mismatch`: compositions that the check must refuse.
//! - `cli`: the `wcompose` binary's behaviour at the process edge.
//! - `check_inputs`: `wcompose check` given each kind of input by content,
//!   and diagnostics that survive any source text.
//! - `patterns`: the seed's other patterns (edge handler, serverless
//!   command, container service, edge router), every operation through its
//!   composition.
//! - `inspect`: `wcompose inspect` verdicts for every kind of artifact, and
//!   the seed's pitfalls as diagnostics.
//! - `plug`: transitive plugging, rejected candidates, cycles.
//! - `build`: `wcompose.toml` builds, reproducibility, `wcompose.lock`.
//! - `run`: `wcompose run`: invoke, commands, sandbox, limits and traps,
//!   the precompiled cache, and the embedding runner.
//! - `serve`: `wcompose serve` and the library's `Server` under a real HTTP
//!   client: routes, traps, limits, concurrency, 503, 413, graceful stop,
//!   outgoing grants, refused components.
//! - `registry`: `wcompose push` and `pull` against a real registry
//!   (Debian's `docker-registry`) with skopeo on the other side: round
//!   trips, the artifact's manifest and config, and every refusal.
//! - `registry_packages`: compositions whose packages come from a registry
//!   named in `wcompose.toml`: fetch, pin, cache, offline, refusals.
//! - `served_patterns`: the seed's HTTP patterns (edge, serverless, router)
//!   composed behind `wasi:http/incoming-handler` and served, every route.
//! - `faults`: many failing guests in one process leak nothing.
//! - `polyglot`: guests in C, C++, Python and JavaScript beside Rust: the
//!   calculators agree, mixed compositions, a stale guest caught by check,
//!   missing toolchains and broken guests reported by name.
//! - `wasi3`: WASI 0.3 and Component Model async: the report composition
//!   (async across a component boundary), a WASI 0.3 command, its sandbox
//!   and time limit, `--invoke` of async exports, the embedding runner.
//!
//! `support` builds the guests once per test process and gives each test
//! its own output folder, and starts registries for the `registry` tests
//! (installing Debian's `docker-registry` and `skopeo` when running as root),
//! with a proxy that can break a registry's answer off in its middle.

mod build;
mod check_inputs;
mod cli;
mod faults;
mod inspect;
mod mismatch;
mod patterns;
mod plug;
mod polyglot;
mod registry;
mod registry_packages;
mod run;
mod seed;
mod serve;
mod served_patterns;
mod support;
mod wasi3;

//! `cargo xtask`: the project's automation, one module per task.
//!
//! - `cargo xtask compose`: build every guest, componentize, check, compose
//!   and run the workspace's compositions.
//! - `cargo xtask tools`: install the reference CLIs (wasm-tools, wac,
//!   wasmtime) into a cache folder outside the clone.
//! - `cargo xtask interop`: check the composed files with those CLIs.
//! - `cargo xtask fuzz TARGET --time SECONDS`: fuzz one target.
//! - `cargo xtask wac-agreement`: compare wcompose with `wac compose` on the
//!   conformance suite.
//! - `cargo xtask bench`: measure wcompose against those CLIs, in time and
//!   size, and write `target/bench/report.{md,json}`; `cargo xtask
//!   bench-serve` measures only `wcompose serve` against `wasmtime serve`,
//!   and `cargo xtask bench-registry` only `push` and `pull` against
//!   `skopeo copy`.

mod bench;
mod compose;
mod fuzz;
mod interop;
mod serve;
mod tools;
mod wac_agreement;

use std::path::PathBuf;

const HELP: &str = "\
cargo xtask TASK

Tasks:
  compose [--offline]
            build the guests in components/ against wit/, componentize them,
            check and compose compositions/*.wac, and run the results
            under wasmtime (WASI 0.2 and 0.3); `--offline` takes registry
            packages only from the cache, by the pins of wcompose.lock
  tools     install the reference CLIs (wasm-tools 1.263.0, wac-cli 0.12.0,
            wasmtime-cli 48.0.8) into $WCOMPOSE_TOOLS_DIR or
            ~/.cache/wcompose/tools
  interop [componentize]
            compare `wcompose componentize` with `wasm-tools component new`
            byte for byte (only that, with `componentize`), then compose,
            validate with wasm-tools and run with the wasmtime CLI; serve the
            HTTP test guests with `wcompose serve` and `wasmtime serve` and
            compare the answers
  fuzz TARGET [--time SECONDS]
            run a cargo-fuzz target (componentize, check, check_differential,
            compose, wit) on nightly; installs cargo-fuzz when missing
  wac-agreement
            run the .wac conformance suite (tests/compose) through both
            `wac compose` and wcompose and compare the outputs
  bench     measure wcompose against wasm-tools, wac and the wasmtime CLI
            (whole processes, in process, synthetic graphs of 25 to 400
            components, sizes per stage) and write target/bench/report.md
            and report.json; `--quick` for fewer repetitions and graphs
            up to 100 components; with `wcompose serve` against `wasmtime
            serve` under wrk (installed with apt-get when missing), and
            `wcompose push`/`pull` against `skopeo copy`
  bench-serve
            only the serving rows: `wcompose serve` and `wasmtime serve` on
            the HTTP test guest under the same wrk load
  bench-registry
            only the push and pull rows: `wcompose push` and `pull` of the
            composed router beside `skopeo copy`, against Debian's
            `docker-registry` on 127.0.0.1 (both installed with apt-get
            when missing)
  graph SHAPE SIZE DIR
            write one synthetic graph of the bench's scaling rows (SHAPE is
            `chain` or `fan-out`) into DIR: its WIT, stub components and
            .wac file, to profile `wcompose check` or `compose` on it, e.g.
            `valgrind --tool=callgrind wcompose compose DIR/chain.wac
            --deps-dir DIR/deps -o out.wasm`
";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sh = match xshell::Shell::new() {
        Ok(sh) => sh,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let root = project_root();
    sh.change_dir(&root);
    let result = match args.first().map(String::as_str) {
        Some("compose") => match &args[1..] {
            [] => compose::run(&root, false),
            [flag] if flag == "--offline" => compose::run(&root, true),
            _ => Err(anyhow::anyhow!("usage: cargo xtask compose [--offline]")),
        },
        Some("tools") => tools::run(&sh),
        Some("interop") => interop::run(&sh, &root, &args[1..]),
        Some("wac-agreement") => wac_agreement::run(&sh, &root),
        Some("fuzz") => fuzz::run(&sh, &root, &args[1..]),
        Some("bench") => bench::run(&sh, &root, &args[1..]),
        Some("bench-serve") => serve::bench(&sh, &root),
        Some("bench-registry") => bench::run_registry(&sh, &root),
        Some("graph") => bench::write_graph(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The workspace root, one level above this crate.
fn project_root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

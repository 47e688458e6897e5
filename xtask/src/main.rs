//! `cargo xtask`: the project's automation, one module per task.
//!
//! - `cargo xtask compose`: build every guest, componentize, check, compose
//!   and run the workspace's compositions.

mod compose;

use std::path::PathBuf;

const HELP: &str = "\
cargo xtask TASK

Tasks:
  compose   build the guests in components/ against wit/, componentize them,
            check and compose compositions/*.wac, and run the results
            under wasmtime (WASI preview 2)
";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("compose") => compose::run(&project_root()),
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

//! `wcompose compose`: check and compose components from a `.wac` file.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::compose;

use super::{DepsOptions, OutputOptions};

use super::output::compose_error;

/// Compose components as a `.wac` file describes, after checking every edge.
///
/// The `.wac` language and package lookup are those of `wac compose`:
/// `new ns:name { ... }` finds `DEPS/ns/name.wasm` (or `.wat`, `.wit`, a
/// folder). Every instantiation argument is type-checked first, and every
/// mismatch is reported; nothing is written unless all edges fit. A package
/// that neither the deps folder nor a `--dep` provides comes from the
/// registry that `wcompose.toml`'s `[registries]` names for its namespace,
/// pinned by digest in `wcompose.lock` and cached. With no
/// file, every composition that `wcompose.toml` declares is built (guests
/// included) into `target/wcompose/`, and `wcompose.lock` records the
/// inputs; nothing is redone when they have not changed.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose compose compositions/seed.wac --deps-dir target/wcompose/deps -o seed.wasm\n  \
    wcompose compose app.wac --dep toolsku:calculator=calc.wasm -o app.wasm\n  \
    wcompose compose            # every composition of the workspace\n  \
    wcompose compose --offline  # registry packages only from the cache, by wcompose.lock\n\n\
    Exit status:\n  0  composed\n  1  a check or the composition failed\n  2  usage error")]
pub struct Compose {
    /// The `.wac` file; none composes the whole workspace.
    file: Option<PathBuf>,

    #[command(flatten)]
    deps: DepsOptions,

    #[command(flatten)]
    output: OutputOptions,
}

impl Compose {
    pub fn exec(self) -> Result<ExitCode> {
        let Some(file) = &self.file else {
            return compose_workspace(self.deps.offline);
        };
        let options = self.deps.compose_options()?;
        match compose::compose_file(file, &options) {
            Ok(composed) => {
                self.output.write(&composed.bytes, &[file])?;
                self.deps.record_pins(&options)?;
                eprintln!(
                    "composed `{}`: {} edges checked, {} bytes",
                    file.display(),
                    composed.report.edges_checked,
                    composed.bytes.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(compose_error(e)),
        }
    }
}

fn compose_workspace(offline: bool) -> Result<ExitCode> {
    let Some(workspace) = super::find_workspace() else {
        miette::bail!(
            "no `.wac` file given and no workspace here (a folder with `wit/` and `compositions/`)\n  \
             help: wcompose compose FILE.wac --deps-dir DIR -o OUT.wasm"
        );
    };
    let options = wcompose::build::toolchain::ToolchainOptions::new(workspace.toolchains_dir());
    let guests = wcompose::build::build_guests(&workspace, &options, &mut |event| {
        use wcompose::build::guest::Event;
        match event {
            Event::Installing { toolchain, command } => {
                eprintln!("installing {toolchain}: {command}")
            }
            Event::InstallingRustTargets { targets } => {
                eprintln!(
                    "installing Rust targets: rustup target add {}",
                    targets.join(" ")
                )
            }
            Event::Failed { guest, error } => eprintln!(
                "failed to build guest `{guest}`: {}",
                wcompose::error_chain(error)
            ),
            _ => {}
        }
    })
    .map_err(super::report)?;
    if !guests.failed.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    let lock_path = workspace.root.join(wcompose::build::LOCKFILE);
    let outcome =
        wcompose::build::build_compositions_with(&workspace, &guests, &lock_path, offline)
            .map_err(|e| match e {
                wcompose::build::BuildError::Compose(e) => compose_error(e),
                e => super::report(e),
            })?;
    match outcome {
        wcompose::build::Outcome::UpToDate(lock) => eprintln!(
            "up to date: {} compositions match `{}`",
            lock.compositions.len(),
            wcompose::build::LOCKFILE
        ),
        wcompose::build::Outcome::Built { lock, fetched, .. } => {
            super::print_fetched(&fetched);
            for (name, composition) in &lock.compositions {
                eprintln!(
                    "composed `{}` -> `{}` (checked against host `{}`)",
                    composition.file,
                    workspace.out_dir.join(format!("{name}.wasm")).display(),
                    composition.host
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `wcompose plug`: connect a socket's imports to plugs' exports.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::plug;

use super::output::print_plan;

use super::OutputOptions;

/// Plug components into a socket by interface name, transitively, and say
/// what was connected and why each other candidate was not.
///
/// Each import of the socket is satisfied by the first plug that exports the
/// same interface (or a semver-compatible version of it) with a type that
/// fits; the plugs' own imports are satisfied by the other plugs the same
/// way. Imports nothing satisfies become imports of the result.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose plug formatter.wasm --plug calculator.wasm -o seed.wasm\n  \
    wcompose plug app.wasm --plug formatter.wasm --plug calculator.wasm --strict -o app.wasm\n\n\
    Exit status:\n  0  composed\n  1  nothing could be plugged, or --strict and an import stayed open\n  2  usage error")]
pub struct Plug {
    /// The socket component (or core module).
    socket: PathBuf,

    /// A plug component; repeat for several. Earlier plugs win.
    #[arg(long = "plug", value_name = "FILE", required = true)]
    plugs: Vec<PathBuf>,

    /// Fail when a non-WASI import stays unsatisfied.
    #[arg(long)]
    strict: bool,

    #[command(flatten)]
    validation: super::ValidationOptions,

    #[command(flatten)]
    output: OutputOptions,
}

impl Plug {
    pub fn exec(self) -> Result<ExitCode> {
        let socket = plug::read_input(&self.socket).map_err(super::report)?;
        let plugs = self
            .plugs
            .iter()
            .map(|p| plug::read_input(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::report)?;
        match plug::plug(
            socket,
            plugs,
            plug::Options {
                strict: self.strict,
                known_valid: self.validation.known_valid(),
            },
        ) {
            Ok(plugged) => {
                let mut inputs = vec![self.socket.as_path()];
                inputs.extend(self.plugs.iter().map(PathBuf::as_path));
                self.output.write(&plugged.bytes, &inputs)?;
                print_plan(&plugged.plan);
                eprintln!("composed {} bytes", plugged.bytes.len());
                Ok(ExitCode::SUCCESS)
            }
            Err(failure) => {
                if let Some(plan) = &failure.plan {
                    print_plan(plan);
                }
                Err(super::report(failure.error))
            }
        }
    }
}

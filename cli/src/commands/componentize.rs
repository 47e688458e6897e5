//! `wcompose componentize`: turn a core module into a component.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::componentize::{self, Adapter};

use super::OutputOptions;

/// Turn a core module into a component, with the right WASI adapter.
///
/// A wasm32-wasip1 module gets the WASI preview-1 adapter of wasmtime 48:
/// the command adapter when it exports `_start` (a binary), the reactor
/// adapter otherwise (a library, including one that exports `wasi:cli/run`
/// itself). Modules without preview-1 imports need no adapter; components
/// pass through unchanged.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose componentize target/guests/wasm32-wasip1/release/calculator.wasm -o calculator.wasm\n  \
    wcompose componentize tool.wasm --adapter command -o tool.component.wasm\n\n\
    Exit status:\n  0  written\n  1  the input cannot become a component\n  2  usage error")]
pub struct Componentize {
    /// The core module (`.wasm` or `.wat`).
    input: PathBuf,

    #[command(flatten)]
    output: OutputOptions,

    /// Use this adapter instead of choosing one from the module.
    #[arg(long, value_enum)]
    adapter: Option<AdapterArg>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AdapterArg {
    Reactor,
    Command,
}

impl Componentize {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.input)?;
        let adapter = self.adapter.map(|a| match a {
            AdapterArg::Reactor => Adapter::Reactor,
            AdapterArg::Command => Adapter::Command,
        });
        let done =
            componentize::componentize(&bytes, componentize::Options { adapter }).map_err(|e| {
                super::report(e)
                    .wrap_err(format!("failed to componentize `{}`", self.input.display()))
            })?;
        self.output.write(&done.bytes, &[&self.input])?;
        let how = match done.adapter {
            Some(adapter) => format!("with the {adapter}"),
            None if done.input == wcompose::artifact::ArtifactKind::Component => {
                "unchanged: it is a component already".to_string()
            }
            None => "without an adapter".to_string(),
        };
        eprintln!(
            "componentized `{}` ({}) {how}: {} bytes",
            self.input.display(),
            done.input,
            done.bytes.len()
        );
        Ok(ExitCode::SUCCESS)
    }
}

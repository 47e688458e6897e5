//! `wcompose componentize`: turn a core module into a component.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{Result, WrapErr};
use wcompose::componentize::{self, Adapter, CustomAdapter, World};

use super::OutputOptions;

/// Turn a core module into a component, with the right WASI adapter.
///
/// wit-component decides, configured as `wasm-tools component new` 1.263
/// is, so the two write the same bytes from the same inputs. A
/// wasm32-wasip1 module gets the WASI preview-1 adapter of wasmtime 48: the
/// command adapter when it exports `_start` (a binary), the reactor adapter
/// otherwise (a library, including one that exports `wasi:cli/run` itself).
/// Modules without preview-1 imports need no adapter; components pass
/// through unchanged.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose componentize target/guests/wasm32-wasip1/release/calculator.wasm -o calculator.wasm\n  \
    wcompose componentize tool.wasm --adapter command -o tool.component.wasm\n  \
    wcompose componentize core.wasm --wit wit/ --world calculator -o calculator.wasm\n  \
    wcompose componentize core.wasm --adapt wasi_snapshot_preview1=my-adapter.wasm -o out.wasm\n\n\
    Exit status:\n  0  written\n  1  the input cannot become a component (nothing is written)\n  2  usage error")]
pub struct Componentize {
    /// The core module (`.wasm` or `.wat`).
    input: PathBuf,

    #[command(flatten)]
    output: OutputOptions,

    /// Use this WASI preview-1 adapter instead of choosing one from the
    /// module.
    #[arg(long, value_enum)]
    adapter: Option<AdapterArg>,

    /// An adapter for the import module NAME (`.wasm` or `.wat`), as
    /// `wasm-tools component new --adapt` takes it; NAME defaults to the
    /// file name up to its first `.`. One for `wasi_snapshot_preview1`
    /// replaces the automatic choice.
    #[arg(long = "adapt", value_name = "[NAME=]FILE")]
    adapt: Vec<String>,

    /// Embed a WIT world from this file or folder into the core module
    /// first, as `wasm-tools component embed` does.
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,

    /// The world to embed (a name in the package, or `ns:pkg/world`);
    /// needed when the package has several.
    #[arg(long, requires = "wit")]
    world: Option<String>,

    /// Whether the component names its core instances, functions and types
    /// in a `name` section, as `wasm-tools component new` does by default.
    #[arg(
        long,
        value_name = "true|false",
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    debug_names: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AdapterArg {
    Reactor,
    Command,
}

/// `[NAME=]FILE`, as `wasm-tools component new --adapt` splits it.
fn name_and_file(arg: &str) -> (String, PathBuf) {
    if let Some((name, file)) = arg.split_once('=') {
        return (name.to_string(), PathBuf::from(file));
    }
    let file = PathBuf::from(arg);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let name = name.split('.').next().unwrap_or_default().to_string();
    (name, file)
}

impl Componentize {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.input)?;
        let mut adapters = Vec::new();
        let mut inputs: Vec<&Path> = vec![&self.input];
        let files: Vec<(String, PathBuf)> = self.adapt.iter().map(|a| name_and_file(a)).collect();
        for (name, file) in &files {
            let bytes = super::read_input(file)
                .wrap_err_with(|| format!("failed to read the adapter for `{name}`"))?;
            adapters.push(CustomAdapter {
                name: name.clone(),
                bytes,
            });
            inputs.push(file);
        }
        let options = componentize::Options {
            adapter: self.adapter.map(|a| match a {
                AdapterArg::Reactor => Adapter::Reactor,
                AdapterArg::Command => Adapter::Command,
            }),
            adapters,
            world: self.wit.clone().map(|wit| World {
                wit,
                name: self.world.clone(),
            }),
            debug_names: self.debug_names,
        };
        let done = componentize::componentize(&bytes, options).map_err(|e| {
            super::report(e).wrap_err(format!("failed to componentize `{}`", self.input.display()))
        })?;
        self.output.write(&done.bytes, &inputs)?;
        let mut how = Vec::new();
        if let Some(adapter) = done.adapter {
            how.push(format!("the {adapter}"));
        }
        for name in &done.custom_adapters {
            how.push(format!("the adapter for `{name}`"));
        }
        let how = if !how.is_empty() {
            format!("with {}", how.join(" and "))
        } else if done.input == wcompose::artifact::ArtifactKind::Component {
            "unchanged: it is a component already".to_string()
        } else {
            "without an adapter".to_string()
        };
        let world = match &self.wit {
            Some(wit) => format!(", the world embedded from `{}`", wit.display()),
            None => String::new(),
        };
        eprintln!(
            "componentized `{}` ({}{world}) {how}: {} bytes",
            self.input.display(),
            done.input,
            done.bytes.len()
        );
        for advice in &done.advice {
            eprintln!("note: {advice}");
        }
        Ok(ExitCode::SUCCESS)
    }
}

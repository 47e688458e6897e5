//! `wcompose why`: what satisfies an import.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::compose;
use wcompose::host::HostProfile;

use super::DepsOptions;

/// Say which instance satisfies an import, through which edge, or why
/// nothing does (not exported by any instance, not provided by the host).
///
/// NAME may be a full import name (`wasi:cli/stdout@0.2.12`), a name without
/// version (`toolsku:calculator/ops`) or an interface's short name (`ops`).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose why ops compositions/app.wac\n  \
    wcompose why wasi:cli/stdout compositions/seed.wac --host none\n\n\
    Exit status:\n  0  explained\n  1  no instance imports NAME, or the composition could not be read\n  2  usage error")]
pub struct Why {
    /// The import to explain.
    name: String,

    /// The `.wac` file.
    file: PathBuf,

    #[command(flatten)]
    deps: DepsOptions,

    /// The host that runs the composition.
    #[arg(long, default_value = "wasmtime", value_parser = super::output::host_profile)]
    host: HostProfile,
}

impl Why {
    pub fn exec(self) -> Result<ExitCode> {
        let source = compose::read_source(&self.file).map_err(super::report)?;
        let options = self.deps.compose_options()?;
        let report =
            compose::check_source(&source, &options).map_err(super::output::compose_error)?;
        self.deps.record_pins(&options)?;
        let answers = wcompose::view::why(&report.graph, &self.name, Some(&self.host));
        if answers.is_empty() {
            let mut imports: Vec<&str> = report
                .graph
                .edges
                .iter()
                .map(|e| e.import.as_str())
                .chain(report.graph.host_imports.iter().map(|(_, i)| i.as_str()))
                .collect();
            imports.sort();
            imports.dedup();
            miette::bail!(
                "no instance of `{}` imports `{}`; its imports are: {}",
                self.file.display(),
                self.name,
                imports.join(", ")
            );
        }
        for answer in answers {
            println!("{answer}");
        }
        Ok(ExitCode::SUCCESS)
    }
}

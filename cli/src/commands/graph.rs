//! `wcompose graph`: draw a composition.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::compose;

use super::DepsOptions;

/// Draw a composition as a graph: instances as nodes, edges from the
/// exporting instance to the importing one labelled with the interface and
/// its version, and imports left to the host as edges from a host node.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose graph compositions/app.wac | dot -Tsvg > app.svg\n  \
    wcompose graph compositions/app.wac --format mermaid >> docs/architecture.md\n\n\
    Exit status:\n  0  drawn\n  1  the composition could not be read\n  2  usage error")]
pub struct GraphCommand {
    /// The `.wac` file.
    file: PathBuf,

    #[command(flatten)]
    deps: DepsOptions,

    /// The drawing language.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

impl GraphCommand {
    pub fn exec(self) -> Result<ExitCode> {
        let source = compose::read_source(&self.file).map_err(super::report)?;
        let options = self.deps.compose_options()?;
        let report =
            compose::check_source(&source, &options).map_err(super::output::compose_error)?;
        self.deps.record_pins(&options)?;
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self.format {
            Format::Dot => print!("{}", wcompose::view::dot(&name, &report.graph)),
            Format::Mermaid => print!("{}", wcompose::view::mermaid(&report.graph)),
        }
        Ok(ExitCode::SUCCESS)
    }
}

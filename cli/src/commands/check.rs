//! `wcompose check`: the WIT compatibility gate.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::check::{Report, Severity};
use wcompose::compose;

use super::DepsOptions;

/// Type-check every import/export edge of compositions and report every
/// problem, each explained in WIT terms with the place on both sides.
///
/// With no file, every composition of the workspace is checked against the
/// workspace's deps folder.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose check compositions/app.wac --deps-dir target/wcompose/deps\n  \
    wcompose check --format json > findings.json\n  \
    wcompose check            # every composition of the workspace\n\n\
    Exit status:\n  0  no errors (warnings allowed unless --deny-warnings)\n  1  findings\n  2  usage error")]
pub struct Check {
    /// The `.wac` files; none checks every composition of the workspace.
    files: Vec<PathBuf>,

    #[command(flatten)]
    deps: DepsOptions,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Diagnostics with source snippets, on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
}

impl Check {
    pub fn exec(self) -> Result<ExitCode> {
        let files = if self.files.is_empty() {
            let Some(workspace) = super::find_workspace() else {
                miette::bail!(
                    "no `.wac` file given and no workspace here (a folder with `wit/` and `compositions/`)\n  \
                     help: wcompose check FILE.wac --deps-dir DIR"
                );
            };
            workspace.compositions().map_err(super::report)?
        } else {
            self.files.clone()
        };
        let options = self.deps.compose_options();
        let mut failed = false;
        let mut json = Vec::new();
        for file in &files {
            let source = compose::read_source(file).map_err(super::report)?;
            let report =
                compose::check_source(&source, &options).map_err(super::compose::compose_error)?;
            let errors = report.errors();
            let warnings = report.warnings();
            failed |= errors > 0 || (self.deny_warnings && warnings > 0);
            match self.format {
                Format::Human => {
                    print_human(&report);
                    eprintln!(
                        "checked `{}`: {} edges, {errors} error{}, {warnings} warning{}",
                        file.display(),
                        report.edges_checked,
                        if errors == 1 { "" } else { "s" },
                        if warnings == 1 { "" } else { "s" }
                    );
                }
                Format::Json => json.extend(report.findings.iter().map(|f| finding_json(f, file))),
            }
        }
        if let Format::Json = self.format {
            let doc = serde_json::json!({ "version": 1, "findings": json });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// Prints each finding as a diagnostic on stderr.
pub fn print_human(report: &Report) {
    for finding in &report.findings {
        eprintln!("{:?}", miette::Report::new(finding.clone()));
    }
}

fn finding_json(
    finding: &wcompose::check::Finding,
    composition: &std::path::Path,
) -> serde_json::Value {
    let (file, line, column) = match finding.location() {
        Some((file, line, column)) => (Some(file.to_string()), Some(line), Some(column)),
        None => (None, None, None),
    };
    serde_json::json!({
        "kind": finding.kind,
        "severity": match finding.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "composition": composition.display().to_string(),
        "path": finding.path,
        "message": finding.message,
        "expected": finding.expected,
        "found": finding.found,
        "file": file,
        "line": line,
        "column": column,
    })
}

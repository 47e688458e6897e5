//! `wcompose check`: the WIT compatibility gate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use miette::Result;
use wcompose::check::{Report, format};
use wcompose::compose;
use wcompose::host::HostProfile;

use super::DepsOptions;

/// Type-check every import/export edge of compositions and report every
/// problem, each explained in WIT terms with the place on both sides.
///
/// Besides mismatched types it reports imports that neither the composition
/// nor the host provides (`--host`), one WASI package imported at several
/// versions, and `import`s or instances that nothing uses (warnings). With no
/// file, every composition of the workspace is checked against the
/// workspace's deps folder, and findings point into the workspace's `wit/`.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose check compositions/app.wac --deps-dir target/wcompose/deps\n  \
    wcompose check --host none --deny-warnings\n  \
    wcompose check --socket app.wasm --plug formatter.wasm --plug calculator.wasm\n  \
    wcompose check --format github        # annotations on a pull request\n  \
    wcompose check --format sarif > wcompose.sarif\n  \
    wcompose check            # every composition of the workspace\n\n\
    Exit status:\n  0  no errors (warnings allowed unless --deny-warnings)\n  1  findings\n  2  usage error or unreadable input")]
pub struct Check {
    /// The `.wac` files; none checks every composition of the workspace.
    files: Vec<PathBuf>,

    #[command(flatten)]
    deps: DepsOptions,

    /// The host that will run the composition: what it provides decides
    /// which imports may stay open (`wasmtime`, `wasi-http`, `none`).
    #[arg(long, default_value = "wasmtime", value_parser = host_profile)]
    host: HostProfile,

    /// WIT to point findings at (defaults to the workspace's `wit/`).
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,

    /// Also compare the WIT packages with this baseline (a git revision of
    /// the workspace, or a folder): removed or changed items are breaking,
    /// additions minor, and each package's version must carry the bump.
    #[arg(long, value_name = "REV|DIR")]
    baseline: Option<String>,

    /// Check what plugging these plugs into this socket would connect,
    /// instead of a composition.
    #[arg(
        long,
        value_name = "FILE",
        requires = "plugs",
        conflicts_with = "files"
    )]
    socket: Option<PathBuf>,

    /// A plug for `--socket`; repeat for several.
    #[arg(long = "plug", value_name = "FILE", requires = "socket")]
    plugs: Vec<PathBuf>,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn host_profile(name: &str) -> std::result::Result<HostProfile, String> {
    HostProfile::named(name).ok_or_else(|| {
        let known: Vec<_> = HostProfile::names().collect();
        format!(
            "unknown host profile `{name}` (known: {})",
            known.join(", ")
        )
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Diagnostics with source snippets, on stderr.
    Human,
    /// One JSON document on stdout (schema version 1, see the docs).
    Json,
    /// GitHub Actions annotations (`::error file=...`) on stdout.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code scanning.
    Sarif,
}

impl Check {
    pub fn exec(self) -> Result<ExitCode> {
        let workspace = super::find_workspace();
        let wit_dir = self
            .wit
            .clone()
            .or_else(|| workspace.as_ref().map(|w| w.wit_dir()));
        let wit = match &wit_dir {
            Some(dir) => match wcompose::wit::load(dir) {
                Ok(wit) => Some(Arc::new(wit)),
                Err(e) => {
                    return usage(
                        super::report(e)
                            .wrap_err(format!("failed to load WIT from `{}`", dir.display())),
                    );
                }
            },
            None => None,
        };
        let mut reports: Vec<(String, Report)> = Vec::new();
        if let Some(spec) = &self.baseline {
            let (Some(current), Some(dir)) = (&wit, &wit_dir) else {
                return usage(miette::miette!(
                    "`--baseline` needs the current WIT: run inside a workspace or pass `--wit DIR`"
                ));
            };
            let baseline = match wcompose::check::baseline::load(spec, dir) {
                Ok(baseline) => baseline,
                Err(e) => return usage(super::report(e)),
            };
            let report = wcompose::check::baseline::compare(current, &baseline);
            if let Format::Human = self.format {
                print_human(&report);
                eprintln!(
                    "compared `{}` with `{spec}`: {} error{}",
                    dir.display(),
                    report.errors(),
                    plural(report.errors())
                );
            }
            reports.push((format!("{} vs {spec}", dir.display()), report));
            // `--baseline` alone compares WIT only.
            if self.files.is_empty() {
                return self.finish(reports);
            }
        }

        if let Some(socket) = &self.socket {
            let inputs = std::iter::once(socket)
                .chain(&self.plugs)
                .map(|p| wcompose::plug::read_input(p))
                .collect::<Result<Vec<_>, _>>();
            let mut inputs = match inputs {
                Ok(inputs) => inputs,
                Err(e) => return usage(super::report(e)),
            };
            let socket_input = inputs.remove(0);
            let plan = match wcompose::plug::plan(socket_input, inputs) {
                Ok(plan) => plan,
                Err(e) => return usage(super::report(e)),
            };
            let report = wcompose::plug::findings(&plan, Some(&self.host));
            if let Format::Human = self.format {
                super::plug::print_plan(&plan);
                print_human(&report);
            }
            reports.push((socket.display().to_string(), report));
            return self.finish(reports);
        }

        let files = if self.files.is_empty() {
            let Some(workspace) = &workspace else {
                return usage(miette::miette!(
                    "no `.wac` file given and no workspace here (a folder with `wit/` and `compositions/`)\n  \
                     help: wcompose check FILE.wac --deps-dir DIR"
                ));
            };
            workspace.compositions().map_err(super::report)?
        } else {
            self.files.clone()
        };
        let mut options = self.deps.compose_options();
        options.check.wit = wit;
        options.check.host = Some(self.host.clone());
        for file in &files {
            // Input that cannot be read or resolved is not a finding: exit 2.
            let checked = compose::read_source(file)
                .and_then(|source| compose::check_source(&source, &options));
            let report = match checked {
                Ok(report) => report,
                Err(e) => return usage(super::compose::compose_error(e)),
            };
            if let Format::Human = self.format {
                print_human(&report);
                let (errors, warnings) = (report.errors(), report.warnings());
                eprintln!(
                    "checked `{}`: {} edges, {errors} error{}, {warnings} warning{}",
                    file.display(),
                    report.edges_checked,
                    plural(errors),
                    plural(warnings)
                );
            }
            reports.push((file.display().to_string(), report));
        }
        self.finish(reports)
    }

    fn finish(&self, reports: Vec<(String, Report)>) -> Result<ExitCode> {
        let borrowed: Vec<(String, &Report)> =
            reports.iter().map(|(f, r)| (f.clone(), r)).collect();
        match self.format {
            Format::Human => {}
            Format::Json => println!("{:#}", format::json(&borrowed)),
            Format::Github => print!("{}", format::github(&borrowed)),
            Format::Sarif => println!("{:#}", format::sarif(&borrowed)),
        }
        let failed = reports
            .iter()
            .any(|(_, r)| r.errors() > 0 || (self.deny_warnings && r.warnings() > 0));
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// Unreadable input and misuse are not findings: print and exit 2.
fn usage(report: miette::Report) -> Result<ExitCode> {
    eprintln!("{report:?}");
    Ok(ExitCode::from(2))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints each finding as a diagnostic on stderr.
pub fn print_human(report: &Report) {
    for finding in &report.findings {
        eprintln!("{:?}", miette::Report::new(finding.clone()));
    }
}

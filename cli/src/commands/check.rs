//! `wcompose check`: the WIT compatibility gate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use miette::Result;
use wcompose::check::input::{self, Input, Kind};
use wcompose::check::{Report, format};
use wcompose::compose;
use wcompose::host::HostProfile;

use super::DepsOptions;

use super::output::{host_profile, print_human};

/// Check compositions, components, core modules and WIT, and report every
/// problem, each explained in WIT terms with the place on both sides.
///
/// Each input's kind is told by its content, not its name: a `.wac`
/// composition has every import/export edge type-checked, and its imports
/// that neither the composition nor the host provides (`--host`) reported,
/// with one WASI package imported at several versions, and `import`s or
/// instances that nothing uses (warnings). A component (`.wasm` or `.wat`),
/// or a WASI preview-1 core module as it will be after `wcompose
/// componentize`, has every import the host does not provide named, with
/// what the host has instead. A WIT file or folder (with `deps/`) is
/// loaded, and with `--baseline` compared. With no input, every composition
/// of the workspace is checked against the workspace's deps folder, and
/// findings point into the workspace's `wit/`.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose check compositions/app.wac --deps-dir target/wcompose/deps\n  \
    wcompose check calculator.wasm --host none   # a component's imports against a host\n  \
    wcompose check guest.wasm                    # a preview-1 core module, as componentized\n  \
    wcompose check wit/                          # a WIT folder (or file) loads\n  \
    wcompose check wit/ --baseline origin/main   # breaking changes in that folder\n  \
    wcompose check --host none --deny-warnings\n  \
    wcompose check --socket app.wasm --plug formatter.wasm --plug calculator.wasm\n  \
    wcompose check --format github        # annotations on a pull request\n  \
    wcompose check --format sarif > wcompose.sarif\n  \
    wcompose check            # every composition of the workspace, each against its declared host\n  \
    wcompose check --offline  # registry packages only from the cache, by wcompose.lock\n\n\
    Exit status:\n  0  no errors (warnings allowed unless --deny-warnings)\n  1  findings, invalid WIT, a core module that cannot become a component, or a registry package that cannot be had\n  2  usage error, or an unreadable or unrecognised input")]
pub struct Check {
    /// What to check: `.wac` compositions, components and core modules
    /// (`.wasm`, `.wat`), WIT files and WIT folders, told apart by content;
    /// none checks every composition of the workspace.
    files: Vec<PathBuf>,

    #[command(flatten)]
    deps: DepsOptions,

    /// The host that will run the composition: what it provides decides
    /// which imports may stay open (`wasmtime`, `wasi-http`, `jco`,
    /// `spin`, `none`). Default: for a composition that the workspace's
    /// `wcompose.toml` declares, the host it declares; else `wasmtime`.
    #[arg(long, value_parser = host_profile)]
    host: Option<HostProfile>,

    /// WIT to point findings at (defaults to the workspace's `wit/`).
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,

    /// Also compare WIT with this baseline (a git revision of the
    /// repository, or a folder): the WIT inputs, or else the `--wit` folder
    /// or the workspace's `wit/`. Removed or changed items are breaking,
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
        // `--wit` and `--baseline` need the WIT now; otherwise the
        // workspace's WIT loads only when a finding points into it.
        let eager = self.wit.is_some() || self.baseline.is_some();
        let wit = match &wit_dir {
            Some(_) if !eager => None,
            Some(dir) => match wcompose::wit::load(dir) {
                Ok(wit) => Some(Arc::new(wit)),
                Err(e) => {
                    return usage(
                        wit_report(e)
                            .wrap_err(format!("failed to load WIT from `{}`", dir.display())),
                    );
                }
            },
            None => None,
        };

        // Tell every input apart first: an unrecognised one stops the check
        // before anything is printed for the others.
        let mut inputs = Vec::new();
        for file in &self.files {
            match input::detect(file) {
                Ok(input) => inputs.push((file.clone(), input)),
                Err(e) => return usage(input_report(e)),
            }
        }

        let mut reports: Vec<(String, Report)> = Vec::new();
        let mut failed = false;
        if let Some(spec) = &self.baseline {
            let wit_inputs: Vec<&PathBuf> = inputs
                .iter()
                .filter(|(_, i)| matches!(i, Input::Wit { .. }))
                .map(|(path, _)| path)
                .collect();
            let targets: Vec<(PathBuf, Option<Arc<wcompose::wit::Wit>>)> = if wit_inputs.is_empty()
            {
                let (Some(current), Some(dir)) = (&wit, &wit_dir) else {
                    return usage(miette::miette!(
                        "`--baseline` needs WIT to compare: give a WIT file or folder, run inside a workspace, or pass `--wit DIR`"
                    ));
                };
                vec![(dir.clone(), Some(current.clone()))]
            } else {
                wit_inputs.into_iter().map(|p| (p.clone(), None)).collect()
            };
            for (dir, current) in targets {
                let current = match current {
                    Some(current) => current,
                    None => match wcompose::wit::load(&dir) {
                        Ok(wit) => Arc::new(wit),
                        Err(e) => {
                            eprintln!("{:?}", wit_report(e));
                            failed = true;
                            continue;
                        }
                    },
                };
                let baseline = match wcompose::check::baseline::load(spec, &dir) {
                    Ok(baseline) => baseline,
                    Err(e) => return usage(super::report(e)),
                };
                let report = wcompose::check::baseline::compare(&current, &baseline);
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
            }
            // `--baseline` alone compares WIT only.
            if self.files.is_empty() {
                return self.finish(reports, failed);
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
            let known = self.deps.validation.known_valid();
            let plan = match wcompose::plug::plan(socket_input, inputs, known.as_ref()) {
                Ok(plan) => plan,
                Err(e) => return usage(super::report(e)),
            };
            let host = self.host.clone().unwrap_or_else(default_host);
            let report = wcompose::plug::findings(&plan, Some(&host));
            if let Format::Human = self.format {
                super::output::print_plan(&plan);
                print_human(&report);
            }
            reports.push((socket.display().to_string(), report));
            return self.finish(reports, failed);
        }

        if inputs.is_empty() {
            let Some(workspace) = &workspace else {
                return usage(miette::miette!(
                    "nothing to check and no workspace here (a folder with `wit/` and `compositions/`)\n  \
                     help: wcompose check FILE (expected {})",
                    input::EXPECTED
                ));
            };
            for file in workspace.compositions().map_err(super::report)? {
                match input::detect(&file) {
                    Ok(input) => inputs.push((file, input)),
                    Err(e) => return usage(input_report(e)),
                }
            }
        }
        let mut options = match self.deps.compose_options() {
            Ok(options) => options,
            Err(e) => return usage(e),
        };
        options.check.wit = match (wit, &wit_dir) {
            (Some(wit), _) => Some(Arc::new(wcompose::wit::LazyWit::loaded(wit))),
            (None, Some(dir)) => Some(Arc::new(wcompose::wit::LazyWit::new(dir))),
            (None, None) => None,
        };
        let declared = match (&self.host, &workspace) {
            (None, Some(workspace)) => match declared_hosts(workspace) {
                Ok(declared) => declared,
                Err(e) => return usage(e),
            },
            _ => BTreeMap::new(),
        };
        for (file, input) in inputs {
            let kind = input.kind();
            let host = match &self.host {
                Some(host) => host.clone(),
                None => std::fs::canonicalize(&file)
                    .ok()
                    .and_then(|file| declared.get(&file).cloned())
                    .unwrap_or_else(default_host),
            };
            options.check.host = Some(host.clone());
            let report = match input {
                Input::Composition(source) => {
                    // Input that cannot be resolved is not a finding: exit 2.
                    match compose::check_source(&source, &options) {
                        Ok(report) => report,
                        // A registry that fails is no usage error: exit 1.
                        Err(e @ compose::ComposeError::Registry(_)) => {
                            return Err(super::report(e));
                        }
                        Err(e) => return usage(super::output::compose_error(e)),
                    }
                }
                Input::Component(bytes) => {
                    input::check_component(&file.display().to_string(), &bytes, Some(&host))
                }
                Input::CoreModule(bytes) => match input::check_core(&file, &bytes, Some(&host)) {
                    Ok(report) => report,
                    Err(e) => {
                        eprintln!("{:?}", input_report(e));
                        failed = true;
                        continue;
                    }
                },
                Input::Wit { path, .. } => {
                    if self.baseline.is_some() {
                        // Compared above.
                        continue;
                    }
                    match wcompose::wit::load(&path) {
                        Ok(wit) => {
                            if let Format::Human = self.format {
                                eprintln!(
                                    "checked `{}` ({kind}): {} package{} valid",
                                    path.display(),
                                    wit.packages.len(),
                                    plural(wit.packages.len())
                                );
                            }
                            reports.push((path.display().to_string(), Report::default()));
                        }
                        Err(e) => {
                            eprintln!("{:?}", wit_report(e));
                            failed = true;
                        }
                    }
                    continue;
                }
            };
            if let Format::Human = self.format {
                print_human(&report);
                let (errors, warnings) = (report.errors(), report.warnings());
                let what = match kind {
                    Kind::Composition => format!("{} edges", report.edges_checked),
                    _ => format!(
                        "{kind}, {} import{} left to the host `{}`",
                        report.graph.host_imports.len(),
                        plural(report.graph.host_imports.len()),
                        host.name
                    ),
                };
                eprintln!(
                    "checked `{}`: {what}, {errors} error{}, {warnings} warning{}",
                    file.display(),
                    plural(errors),
                    plural(warnings)
                );
            }
            reports.push((file.display().to_string(), report));
        }
        self.deps.record_pins(&options)?;
        self.finish(reports, failed)
    }

    /// Prints the reports in the chosen format; `failed` says an input
    /// failed before it could be reported on (invalid WIT).
    fn finish(&self, reports: Vec<(String, Report)>, failed: bool) -> Result<ExitCode> {
        let borrowed: Vec<(String, &Report)> =
            reports.iter().map(|(f, r)| (f.clone(), r)).collect();
        match self.format {
            Format::Human => {}
            Format::Json => println!("{:#}", format::json(&borrowed)),
            Format::Github => print!("{}", format::github(&borrowed)),
            Format::Sarif => println!("{:#}", format::sarif(&borrowed)),
        }
        let failed = failed
            || reports
                .iter()
                .any(|(_, r)| r.errors() > 0 || (self.deny_warnings && r.warnings() > 0));
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// The host profile of a composition that no `--host` and no manifest
/// names.
fn default_host() -> HostProfile {
    HostProfile::named("wasmtime").expect("the wasmtime profile is built in")
}

/// The host each composition of the workspace's `wcompose.toml` declares,
/// by the `.wac` file's canonical path.
fn declared_hosts(
    workspace: &wcompose::workspace::Workspace,
) -> std::result::Result<BTreeMap<PathBuf, HostProfile>, miette::Report> {
    let manifest = wcompose::build::manifest(workspace).map_err(super::report)?;
    let mut hosts = BTreeMap::new();
    for (name, declared) in manifest.compositions {
        let host = host_profile(&declared.host).map_err(|e| {
            miette::miette!(
                "composition `{name}` of `{}`: {e}",
                workspace.root.join(wcompose::build::MANIFEST).display()
            )
        })?;
        if let Ok(file) = std::fs::canonicalize(workspace.root.join(&declared.file)) {
            hosts.insert(file, host);
        }
    }
    Ok(hosts)
}

/// A WIT error as a diagnostic, with the place wit-parser names.
fn wit_report(error: wcompose::wit::WitError) -> miette::Report {
    match error {
        e @ wcompose::wit::WitError::Invalid { .. } => miette::Report::new(e),
        e => super::report(e),
    }
}

/// An input error as a message naming the input and what was expected.
fn input_report(error: input::InputError) -> miette::Report {
    super::report(error)
}

/// Unreadable input and misuse are not findings: print and exit 2.
fn usage(report: miette::Report) -> Result<ExitCode> {
    eprintln!("{report:?}");
    Ok(ExitCode::from(2))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

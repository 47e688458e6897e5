//! One module per subcommand, each an `Args` struct with an `exec`, plus the
//! options and output handling they share.

pub mod check;
mod componentize;
pub mod compose;
mod graph;
mod inspect;
mod output;
pub mod plug;
mod pull;
mod push;
mod run;
mod serve;
mod why;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result, WrapErr};

/// The subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    Componentize(componentize::Componentize),
    Compose(compose::Compose),
    Plug(plug::Plug),
    Graph(graph::GraphCommand),
    Why(why::Why),
    Check(check::Check),
    Run(run::Run),
    Serve(serve::Serve),
    Inspect(inspect::Inspect),
    Push(push::Push),
    Pull(pull::Pull),
}

impl Command {
    pub fn exec(self) -> Result<ExitCode> {
        match self {
            Command::Componentize(c) => c.exec(),
            Command::Compose(c) => c.exec(),
            Command::Plug(c) => c.exec(),
            Command::Graph(c) => c.exec(),
            Command::Why(c) => c.exec(),
            Command::Check(c) => c.exec(),
            Command::Run(c) => c.exec(),
            Command::Serve(c) => c.exec(),
            Command::Inspect(c) => c.exec(),
            Command::Push(c) => c.exec(),
            Command::Pull(c) => c.exec(),
        }
    }
}

/// Renders diagnostics with colour and Unicode only on a terminal, and
/// plainly under `NO_COLOR` or when stderr is piped.
pub fn set_up_diagnostics() {
    let fancy = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(SafeHandler(
            miette::MietteHandlerOpts::new()
                .color(fancy)
                .unicode(fancy)
                .terminal_links(false)
                .wrap_lines(fancy)
                .context_lines(1)
                .build(),
        ))
    }));
}

/// miette's handler, given every diagnostic through
/// [`wcompose::source::Safe`], so that no source text can crash it.
struct SafeHandler(miette::MietteHandler);

impl miette::ReportHandler for SafeHandler {
    fn debug(
        &self,
        diagnostic: &dyn miette::Diagnostic,
        f: &mut std::fmt::Formatter<'_>,
    ) -> std::fmt::Result {
        self.0.debug(&wcompose::source::Safe::new(diagnostic), f)
    }
}

/// A panic is a bug in wcompose: say so briefly, with what to report,
/// instead of a raw backtrace (which `RUST_BACKTRACE` still shows).
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic in a parsing library that wcompose contains becomes an
        // ordinary error; say nothing here.
        if wcompose::guard::containing() {
            return;
        }
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default(info);
        }
        let args: Vec<String> = std::env::args().collect();
        eprintln!(
            "error: this is a bug in wcompose {}: {info}\n  command: {}\n  please report it with the command and its inputs",
            env!("CARGO_PKG_VERSION"),
            args.join(" ")
        );
    }));
}

/// Where the packages of a composition come from.
#[derive(clap::Args, Clone, Default)]
pub struct DepsOptions {
    /// Folder of packages: `DIR/ns/name.wasm` (or `.wat`, `.wit`, a folder).
    /// Defaults to the workspace's `target/wcompose/deps`, or `deps`.
    #[arg(long, value_name = "DIR")]
    pub deps_dir: Option<PathBuf>,

    /// A path for one package, overriding the deps folder.
    #[arg(long = "dep", value_name = "NS:NAME=PATH", value_parser = parse_dep)]
    pub deps: Vec<(String, PathBuf)>,

    /// Never touch the network: packages from the registries of
    /// `wcompose.toml` come only from the cache, by the pins of
    /// `wcompose.lock`.
    #[arg(long)]
    pub offline: bool,

    #[command(flatten)]
    pub validation: ValidationOptions,
}

/// Whether the output's validation uses the record of core modules known
/// valid: for every command that composes (`compose`, `check`, `plug`...).
#[derive(clap::Args, Clone, Default)]
pub struct ValidationOptions {
    /// Check every function body of the output again, ignoring the record
    /// of core modules whose bodies passed before (kept in the cache
    /// folder: `$WCOMPOSE_CACHE_DIR`, else `~/.cache/wcompose`).
    #[arg(long)]
    pub no_cache: bool,
}

impl ValidationOptions {
    /// The record of core modules whose function bodies passed validation,
    /// in the user's cache folder, unless `--no-cache` turned it off.
    pub fn known_valid(&self) -> Option<wcompose::known_valid::KnownValid> {
        if self.no_cache {
            None
        } else {
            wcompose::known_valid::KnownValid::default_location()
        }
    }
}

fn parse_dep(s: &str) -> std::result::Result<(String, PathBuf), String> {
    let (name, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected `ns:name=path`, found `{s}`"))?;
    if !name.contains(':') {
        return Err(format!("`{name}` is not a package name (`ns:name`)"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

impl DepsOptions {
    /// The options of a composition: the deps folder, the overrides, and,
    /// inside a workspace whose `wcompose.toml` names registries, the
    /// fetcher of registry packages.
    pub fn compose_options(&self) -> Result<wcompose::compose::Options> {
        let workspace = find_workspace();
        let deps_dir = self.deps_dir.clone().unwrap_or_else(|| match &workspace {
            Some(ws) => ws.deps_dir(),
            None => PathBuf::from("deps"),
        });
        let registry = match &workspace {
            Some(workspace) => wcompose::build::fetcher(workspace, self.offline)
                .map_err(report)?
                .map(std::sync::Arc::new),
            None => None,
        };
        Ok(wcompose::compose::Options {
            deps_dir,
            overrides: self.deps.iter().cloned().collect(),
            check: Default::default(),
            registry,
            known_valid: self.validation.known_valid(),
        })
    }

    /// Prints the registry packages that `options` fetched and pins them
    /// in the workspace's `wcompose.lock`.
    pub fn record_pins(&self, options: &wcompose::compose::Options) -> Result<()> {
        let (Some(fetcher), Some(workspace)) = (&options.registry, find_workspace()) else {
            return Ok(());
        };
        print_fetched(&fetcher.resolved());
        let lock_path = workspace.root.join(wcompose::build::LOCKFILE);
        if wcompose::build::record_pins(fetcher, &lock_path).map_err(report)? {
            eprintln!("pinned in `{}`", lock_path.display());
        }
        Ok(())
    }
}

/// Prints the registry packages that were fetched from a registry (those
/// from the cache are not news).
pub fn print_fetched(
    resolved: &std::collections::BTreeMap<String, wcompose::registry::packages::Resolved>,
) {
    use wcompose::registry::packages::Origin;
    for (name, resolved) in resolved {
        let pin = &resolved.pin;
        match resolved.origin {
            Origin::Cache => {}
            Origin::Registry => {
                eprintln!("fetched `{name}` from `{}` ({})", pin.reference, pin.digest)
            }
            Origin::RegistryOverCorruptCache => eprintln!(
                "fetched `{name}` from `{}` ({}) again: its cached copy did not match its digest",
                pin.reference, pin.digest
            ),
        }
    }
}

/// The workspace around the current folder: the nearest ancestor with both
/// `wit/` and `compositions/`.
pub fn find_workspace() -> Option<wcompose::workspace::Workspace> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|dir| dir.join("wit").is_dir() && dir.join("compositions").is_dir())
        .map(wcompose::workspace::Workspace::new)
}

/// Where a binary result goes.
#[derive(clap::Args, Clone)]
pub struct OutputOptions {
    /// Write the component here (`-` for stdout, never a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputOptions {
    /// Writes `bytes` whole or not at all; refuses to write binary to a
    /// terminal.
    pub fn write(&self, bytes: &[u8], inputs: &[&Path]) -> Result<()> {
        match self.output.as_deref() {
            Some(path) if path != Path::new("-") => {
                if let Some(input) = inputs.iter().find(|i| same_file(i, path)) {
                    miette::bail!(
                        "the output `{}` is also an input (`{}`); write to another file",
                        path.display(),
                        input.display()
                    );
                }
                wcompose::fsutil::write_atomic(path, bytes).into_diagnostic()?;
                Ok(())
            }
            _ => {
                let mut stdout = std::io::stdout().lock();
                if stdout.is_terminal() {
                    miette::bail!(
                        "refusing to write a binary component to a terminal; use `-o FILE` or redirect stdout"
                    );
                }
                match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                    other => other
                        .into_diagnostic()
                        .wrap_err("failed to write to stdout"),
                }
            }
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Reads an input file, naming it in the error.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        miette::bail!("`{}` is a directory, expected a file", path.display());
    }
    wcompose::fsutil::read(path).map_err(|e| miette::miette!("{}", wcompose::error_chain(&e)))
}

/// Turns a library error into a report whose message carries the whole
/// cause chain on one line.
pub fn report(error: impl std::error::Error) -> miette::Report {
    miette::miette!(
        "{}",
        wcompose::source::clean(&wcompose::error_chain(&error))
    )
}

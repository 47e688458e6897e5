//! `wcompose run`: run a component under wasmtime with WASI preview 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wasmtime::component::Val;
use wcompose::run::wave;
use wcompose::run::{Io, RunError, Runtime};

/// Run a component (or a WASI preview-1 core module, componentized on the
/// fly) under wasmtime with WASI preview 2.
///
/// Without `--invoke` the component runs as a command (`wasi:cli/run`):
/// stdin, stdout and stderr pass through, arguments after `--` reach the
/// guest, and the guest's exit status becomes wcompose's. With `--invoke`
/// one exported function is called with WAVE arguments and its results are
/// printed in WAVE; an `err(...)` result exits with status 1.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose run target/wcompose/seed.wasm --invoke 'csv-to-json(\"a,b\\n1,2\")'\n  \
    wcompose run target/wcompose/seed.wasm --invoke 'format.json-pretty(\"[1,2]\")'\n  \
    wcompose run target/wcompose/app.wasm < compositions/requests.jsonl\n  \
    wcompose run tool.wasm -- --verbose input.txt\n\n\
    Exit status:\n  0  success\n  1  the guest failed, trapped, or returned `err`\n  \
    2  usage error, or a call that does not fit the component\n  \
    N  a command's own exit status")]
pub struct Run {
    /// The component or core module.
    file: PathBuf,

    /// Call this exported function instead of running a command:
    /// `name(args)` with WAVE values; the name may be short
    /// (`csv-to-json`), interface-qualified (`format.csv-to-json`) or full
    /// (`toolsku:formatter/format#csv-to-json`).
    #[arg(long, value_name = "CALL")]
    invoke: Option<String>,

    /// Arguments for the guest command.
    #[arg(last = true)]
    args: Vec<String>,
}

impl Run {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.file)?;
        let runtime = Runtime::new().map_err(super::report)?;
        let loaded = runtime.load(&bytes).map_err(|e| {
            super::report(e).wrap_err(format!("failed to load `{}`", self.file.display()))
        })?;
        if loaded.was_componentized() {
            eprintln!(
                "note: `{}` is a core module; it was componentized with the matching WASI adapter for this run",
                self.file.display()
            );
        }
        let mut args = vec![self.file.display().to_string()];
        args.extend(self.args.iter().cloned());
        let io = Io {
            stdin: None,
            capture: false,
            args,
        };
        match &self.invoke {
            Some(call) => match loaded.invoke(call, &io) {
                Ok((results, _)) => print_results(&results),
                Err(e) => usage_or_failure(e),
            },
            None => match loaded.run_command(&io) {
                Ok(outcome) => Ok(ExitCode::from(u8::try_from(outcome.exit_code).unwrap_or(1))),
                Err(e) => usage_or_failure(e),
            },
        }
    }
}

fn print_results(results: &[Val]) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    let mut code = ExitCode::SUCCESS;
    for value in results {
        if let Val::Result(Err(err)) = value {
            let text = match err {
                Some(payload) => match payload.as_ref() {
                    Val::String(s) => s.clone(),
                    other => wave(other),
                },
                None => "err".to_string(),
            };
            eprintln!("error: the function returned an error: {text}");
            code = ExitCode::from(1);
        }
        let _ = writeln!(stdout, "{}", wave(value));
    }
    let _ = stdout.flush();
    Ok(code)
}

/// Calls that do not fit the component are usage errors (exit 2); anything
/// that happened inside the guest is a failure (exit 1).
fn usage_or_failure(error: RunError) -> Result<ExitCode> {
    let usage = matches!(
        error,
        RunError::BadCall { .. }
            | RunError::BadArguments { .. }
            | RunError::NoSuchFunction { .. }
            | RunError::Ambiguous { .. }
            | RunError::NotACommand { .. }
    );
    let report = super::report(error);
    if usage {
        eprintln!("{report:?}");
        return Ok(ExitCode::from(2));
    }
    Err(report)
}

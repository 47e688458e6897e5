//! `wcompose run`: run a component under wasmtime with WASI 0.2 and 0.3,
//! sandboxed and limited, through the precompiled cache.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use miette::Result;
use wasmtime::component::Val;
use wcompose::run::{
    Cache, EnvGrant, Limits, Preopen, RunError, Runtime, RuntimeOptions, Sandbox, to_json, wave,
};

/// Run a component (or a WASI preview-1 core module, componentized on the
/// fly) under wasmtime with WASI 0.2 and 0.3.
///
/// Without `--invoke` the component runs as a command (`wasi:cli/run`,
/// `@0.3.0` or `@0.2`): stdin, stdout and stderr pass through, arguments
/// after `--` reach the guest, and the guest's exit status becomes
/// wcompose's. With `--invoke` one exported function (`async` ones too) is
/// called with WAVE arguments and its results are printed in WAVE (or
/// JSON); an `err(...)` result exits with status 1. A function that takes
/// or returns a `stream` or `future` cannot be invoked (status 2).
///
/// The guest runs in a sandbox: no files, environment variables or network
/// unless granted with `--dir`, `--env` and `--inherit-network`. Compiled
/// code is cached in `$WCOMPOSE_CACHE_DIR`, else the platform's cache
/// folder (`~/.cache/wcompose`), so later runs skip compiling.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose run target/wcompose/seed.wasm --invoke 'csv-to-json(\"a,b\\n1,2\")'\n  \
    wcompose run target/wcompose/seed.wasm --invoke 'format.json-pretty(\"[1,2]\")' --json\n  \
    wcompose run target/wcompose/app.wasm < compositions/requests.jsonl\n  \
    wcompose run tool.wasm --dir ./data::/data --env HOME -- /data/input.txt\n  \
    wcompose run untrusted.wasm --max-memory 64MiB --timeout 5s --fuel 1000000000\n\n\
    Exit status:\n  0  success\n  1  the guest failed, trapped, hit a limit, or returned `err`\n  \
    2  usage error, or a call that does not fit the component\n  \
    N  a command's own exit status (1 when it does not fit in 0..=255)")]
pub struct Run {
    /// The component or core module.
    file: PathBuf,

    /// Arguments for the guest command.
    #[arg(last = true)]
    args: Vec<String>,

    /// Call this exported function instead of running a command:
    /// `name(args)` with WAVE values; the name may be short
    /// (`csv-to-json`), interface-qualified (`format.csv-to-json`) or full
    /// (`toolsku:formatter/format#csv-to-json`).
    #[arg(long, value_name = "CALL")]
    invoke: Option<String>,

    /// Print the results of `--invoke` as JSON instead of WAVE: records as
    /// objects, `ok`/`err` as `{"ok": ...}`/`{"err": ...}`, options as the
    /// value or `null`.
    #[arg(long, requires = "invoke")]
    json: bool,

    /// Compile without the precompiled cache: neither read nor write it.
    #[arg(long)]
    no_cache: bool,

    /// Say on stderr what the cache did (`cache: hit PATH`, `cache: miss,
    /// compiled in N ms`).
    #[arg(short, long)]
    verbose: bool,

    #[command(flatten)]
    sandbox: SandboxArgs,

    #[command(flatten)]
    limits: LimitArgs,
}

/// What the guest may reach; nothing unless granted.
#[derive(clap::Args)]
#[command(next_help_heading = "Sandbox")]
pub(super) struct SandboxArgs {
    /// Grant a host folder, read-write, seen by the guest at GUEST (default:
    /// the host path as written). Repeatable. E.g. `--dir .`,
    /// `--dir ./data::/data`.
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = parse_dir)]
    dirs: Vec<Preopen>,

    /// Grant an environment variable: `NAME=VALUE`, or `NAME` alone to copy
    /// the host's value (none if the host has none). Repeatable. E.g.
    /// `--env LANG --env MODE=fast`.
    #[arg(long = "env", value_name = "NAME[=VALUE]", value_parser = parse_env)]
    env: Vec<EnvGrant>,

    /// Let the guest open sockets to any address and look up host names.
    #[arg(long)]
    inherit_network: bool,
}

/// What the guest may consume.
#[derive(clap::Args)]
#[command(next_help_heading = "Limits")]
pub(super) struct LimitArgs {
    /// The most linear memory all of the guest's memories may hold
    /// together, e.g. `64MiB`, `512KiB`, `1G` (powers of 1024; `MB`, `GB`
    /// are powers of 1000).
    #[arg(long, value_name = "SIZE", value_parser = wcompose::run::parse_size)]
    max_memory: Option<u64>,

    /// Stop the guest after this long, e.g. `5s`, `500ms`, `2m`.
    #[arg(long, value_name = "DURATION", value_parser = wcompose::run::parse_duration)]
    timeout: Option<Duration>,

    /// Stop the guest after it burns this much fuel (about one unit per
    /// WebAssembly instruction), e.g. `1000000000`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    fuel: Option<u64>,

    /// The most native stack WebAssembly frames may use, e.g. `1MiB`
    /// [default: 512KiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_stack)]
    max_stack: Option<usize>,
}

impl SandboxArgs {
    /// The grants, environment variables resolved against the host's.
    pub(super) fn sandbox(&self) -> Sandbox {
        let mut sandbox = Sandbox {
            dirs: self.dirs.clone(),
            env: Vec::new(),
            inherit_network: self.inherit_network,
        };
        for grant in &self.env {
            sandbox.grant_env(grant.clone());
        }
        sandbox
    }
}

impl LimitArgs {
    /// The limits.
    pub(super) fn limits(&self) -> Limits {
        Limits {
            max_memory: self.max_memory,
            timeout: self.timeout,
            fuel: self.fuel,
            max_wasm_stack: self
                .max_stack
                .unwrap_or(wcompose::run::DEFAULT_MAX_WASM_STACK),
        }
    }
}

fn parse_dir(spec: &str) -> std::result::Result<Preopen, wcompose::run::SandboxError> {
    spec.parse()
}

fn parse_env(spec: &str) -> std::result::Result<EnvGrant, wcompose::run::SandboxError> {
    spec.parse()
}

fn parse_stack(text: &str) -> std::result::Result<usize, String> {
    let bytes = wcompose::run::parse_size(text).map_err(|e| e.to_string())?;
    usize::try_from(bytes)
        .ok()
        .filter(|b| *b <= wcompose::run::MAX_WASM_STACK_LIMIT)
        .ok_or_else(|| {
            format!(
                "`{text}` is more than the {} wcompose allows",
                wcompose::run::format_size(wcompose::run::MAX_WASM_STACK_LIMIT as u64)
            )
        })
}

/// What the thread that runs the guest tells the one that watches it.
enum Event {
    /// The component is loaded; the guest starts now.
    Started,
    /// The guest finished.
    Done(Result<ExitCode>),
}

/// Native stack for the host's own frames, on top of the guest's.
const HOST_STACK: usize = 8 * 1024 * 1024;

/// How long past `--timeout` to wait for a guest that is blocked in the host
/// (reading stdin, say), where epoch interruption cannot reach it.
const TIMEOUT_GRACE: Duration = Duration::from_secs(1);

impl Run {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.file)?;
        let sandbox = self.sandbox.sandbox();
        let limits = self.limits.limits();
        let options = RuntimeOptions {
            cache: if self.no_cache {
                None
            } else {
                Cache::default_location()
            },
            limits: limits.clone(),
            sandbox,
        };

        // Without a time limit there is nothing to watch: the guest runs on
        // this thread when its stack limit and the host's frames fit in this
        // thread's stack, which saves starting a thread (and, in a process
        // with fewer threads, every unmapping signals fewer CPUs).
        let stack = limits.max_wasm_stack.saturating_add(HOST_STACK);
        if limits.timeout.is_none() && stack <= crate::STACK {
            return self.run(&bytes, options, None);
        }

        // The guest runs on a thread with room for its stack limit on top of
        // the host's frames; this thread keeps watch over the time limit
        // once the guest has started.
        let (events, watch) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("wcompose-guest".to_string())
            .stack_size(stack)
            .spawn(move || {
                let result = self.run(&bytes, options, Some(&events));
                let _ = events.send(Event::Done(result));
            });
        if let Err(e) = spawned {
            miette::bail!("failed to start the thread that runs the guest: {e}");
        }
        let mut deadline = None;
        let outcome = loop {
            let event = match deadline {
                Some(deadline) => watch.recv_timeout(deadline),
                None => watch
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            };
            match event {
                Ok(Event::Started) => {
                    deadline = limits.timeout.map(|t| t.saturating_add(TIMEOUT_GRACE));
                }
                Ok(Event::Done(result)) => break Ok(result),
                Err(e) => break Err(e),
            }
        };
        match outcome {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                eprintln!(
                    "error: the guest is still running {TIMEOUT_GRACE:?} past its time limit of {:?}, blocked in a host call (such as reading stdin) where it cannot be interrupted; stopping",
                    limits.timeout.unwrap_or_default()
                );
                Ok(ExitCode::from(1))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                miette::bail!("the thread that runs the guest stopped without a result")
            }
        }
    }

    /// Loads and runs the guest; `events`, when a thread watches the time
    /// limit, hears when the guest starts and the clock runs.
    fn run(
        &self,
        bytes: &[u8],
        options: RuntimeOptions,
        events: Option<&mpsc::Sender<Event>>,
    ) -> Result<ExitCode> {
        let runtime = match Runtime::with_options(options) {
            Ok(runtime) => runtime,
            Err(e) => return usage_or_failure(e),
        };
        let loaded = runtime.load(bytes).map_err(|e| {
            super::report(e).wrap_err(format!("failed to load `{}`", self.file.display()))
        })?;
        if self.verbose {
            for line in loaded.cache_status().describe() {
                eprintln!("{line}");
            }
        }
        if loaded.was_componentized() {
            eprintln!(
                "note: `{}` is a core module; it was componentized with the matching WASI adapter for this run",
                self.file.display()
            );
        }
        let mut args = vec![self.file.display().to_string()];
        args.extend(self.args.iter().cloned());
        let io = wcompose::run::Io {
            stdin: None,
            capture: false,
            args,
        };
        if let Some(events) = events {
            let _ = events.send(Event::Started);
        }
        let result = match &self.invoke {
            Some(call) => match loaded.invoke(call, &io) {
                Ok((results, _)) => print_results(&results, self.json),
                Err(e) => usage_or_failure(e),
            },
            None => match loaded.run_command(&io) {
                Ok(outcome) => Ok(ExitCode::from(wcompose::run::exit_status(
                    outcome.exit_code,
                ))),
                Err(e) => usage_or_failure(e),
            },
        };
        // The process exits next: the compiled code and the engine are left
        // to the operating system, which takes the whole address space at
        // once, instead of being unmapped piece by piece.
        std::mem::forget(loaded);
        std::mem::forget(runtime);
        result
    }
}

fn print_results(results: &[Val], json: bool) -> Result<ExitCode> {
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
        let line = if json {
            to_json(value).to_string()
        } else {
            wave(value)
        };
        // A closed stdout (`| head`) is not an error worth reporting.
        let _ = writeln!(stdout, "{line}");
    }
    let _ = stdout.flush();
    Ok(code)
}

/// Calls that do not fit the component are usage errors (exit 2); anything
/// that happened inside the guest is a failure (exit 1).
fn usage_or_failure(error: RunError) -> Result<ExitCode> {
    let usage = error.is_usage();
    let report = super::report(error);
    if usage {
        eprintln!("{report:?}");
        return Ok(ExitCode::from(2));
    }
    Err(report)
}

//! Running components under wasmtime with WASI 0.2 and 0.3, sandboxed and
//! limited.
//!
//! [`Runtime`] owns one engine and the WASI host (wasmtime-wasi).
//! [`Runtime::load`] compiles a component once (or deserializes it from
//! the precompiled [`Cache`]) and prepares an `InstancePre`; each
//! [`Loaded::invoke`] or [`Loaded::run_command`] then instantiates it in a
//! fresh store. A preview-1 core module is componentized on the way in.
//!
//! A component that uses the Component Model's async features or imports
//! WASI 0.3 is linked against WASI 0.2 and 0.3 together and driven on
//! wasmtime's event loop, as the wasmtime CLI 48 runs it: a command
//! exporting `wasi:cli/run@0.3.0` runs like one exporting `@0.2`, and
//! `async` functions can be invoked. Others keep the synchronous WASI 0.2
//! host, which is cheaper (see `concurrent`).
//!
//! Every store is sandboxed: the guest sees no files, environment or
//! network unless the [`Sandbox`] grants them, and runs within the
//! [`Limits`] on memory, time, fuel and stack. A guest that traps or hits a
//! limit comes back as [`RunError::Guest`], whose [`GuestFailure`] names
//! the trap and carries the guest backtrace.
//!
//! [`Runner`] is the embedding API for calling one component many times:
//! the pooling allocator, one `InstancePre`, a fresh store per call or one
//! [`WarmInstance`] for many calls.
//!
//! Submodules: `call` reads `--invoke` calls, `types` renders types and
//! lists exports, `json` converts values for `--json`, `limits`, `sandbox`,
//! `cache` and `trap` hold what their names say, `concurrent` the WASI 0.3
//! and async parts, and `runner` the embedding API.

mod cache;
mod call;
mod concurrent;
mod json;
mod limits;
mod runner;
mod sandbox;
mod trap;
mod types;

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use wasmtime::component::{Component, InstancePre, Linker, ResourceTable, Type, Val};
use wasmtime::{Config, Engine, Store, WasmBacktraceDetails};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::artifact::ArtifactKind;
use crate::componentize::{self, ComponentizeError};
pub(crate) use concurrent::Mode;

pub use crate::cache_dir::{CACHE_DIR_ENV, default_dir as default_cache_dir};
pub use cache::{Cache, CacheStatus};
pub use json::to_json;
pub use limits::{
    DEFAULT_MAX_WASM_STACK, LimitParseError, Limits, MAX_WASM_STACK_LIMIT, MemoryDenied,
    format_size, parse_duration, parse_size,
};
pub use runner::{Function, Runner, RunnerOptions, WarmInstance};
pub use sandbox::{EnvGrant, Preopen, Sandbox, SandboxError};
pub use trap::{Frame, GuestFailure};
pub use types::{type_to_wit, wave};

/// The state of one guest instance: its WASI context and its limits.
pub struct Host {
    pub(crate) ctx: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: limits::Limiter,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// Why running a component failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The input could not be made into a component.
    #[error(transparent)]
    Componentize(#[from] ComponentizeError),
    /// wasmtime could not compile or link the component.
    #[error("failed to prepare the component for wasmtime")]
    Prepare(#[source] anyhow::Error),
    /// A grant of the sandbox could not be applied.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The `--invoke` text is not a function call.
    #[error(
        "invalid function call `{call}`: {reason}\n  help: write a call as `name(arg, ...)` with WAVE values, e.g. `csv-to-json(\"a,b\\n1,2\")`"
    )]
    BadCall {
        /// The call as given.
        call: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No exported function has that name.
    #[error("the component exports no function `{name}`; it exports:\n{available}")]
    NoSuchFunction {
        /// The name asked for.
        name: String,
        /// The exported functions with their signatures, one per line.
        available: String,
    },
    /// More than one exported function has that name.
    #[error("`{name}` is ambiguous; qualify it as one of:\n{candidates}")]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The matching functions, one per line.
        candidates: String,
    },
    /// The call has too many or too few arguments.
    #[error(
        "wrong number of arguments for `{function}`: it takes {expected}, but {found} {} given\n  expected: {signature}",
        if *found == 1 { "was" } else { "were" }
    )]
    WrongArity {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// How many arguments it takes, in words.
        expected: String,
        /// How many were given.
        found: usize,
    },
    /// The arguments do not fit the function's parameters.
    #[error("invalid arguments for `{function}`: {reason}\n  expected: {signature}")]
    BadArguments {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// What is wrong, with the offending text marked.
        reason: String,
    },
    /// The component is not a command: it does not export `wasi:cli/run`.
    #[error(
        "the component does not export `wasi:cli/run`, so it cannot run as a command; it exports:\n{available}\n  help: call one of its functions with `--invoke 'name(args)'`"
    )]
    NotACommand {
        /// The exported functions, one per line.
        available: String,
    },
    /// The function takes or returns a stream, a future or an error
    /// context, which no command-line value can stand for.
    #[error(
        "`{function}` cannot be called from the command line: its {what} is a `{ty}`, and a stream or future cannot be passed from the command line\n  expected: {signature}\n  help: call it from a component (compose one in front of it) or through the embedding API"
    )]
    NotPassable {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// `parameter `rows`` or `result`.
        what: String,
        /// The stream, future or error-context type, in WIT.
        ty: String,
    },
    /// The component needs Component Model features that wasmtime 48 knows
    /// but leaves off, and so does wcompose.
    #[error(
        "the component needs the Component Model {}, which wasmtime 48 leaves off by default and `wcompose run` does not enable\n  help: the wasmtime CLI enables {} with {}",
        plural_features(features),
        if features.len() == 1 { "it" } else { "them" },
        flags(features)
    )]
    FeatureDisabled {
        /// Each feature's name and the wasmtime CLI's `-W` option for it.
        features: Vec<(&'static str, &'static str)>,
    },
    /// The guest trapped, hit a limit, or a host call failed while it ran.
    #[error(
        "the guest {} while {what}",
        if failure.trap().is_some() { "trapped" } else { "failed" }
    )]
    Guest {
        /// What was running: `running `wasi:cli/run``,
        /// `calling `toolsku:formatter/format#csv-to-json``...
        what: String,
        /// What happened, with the guest backtrace.
        #[source]
        failure: Box<GuestFailure>,
    },
}

impl RunError {
    /// The error is the caller's: a call or a run that does not fit the
    /// component (exit status 2 on the command line), rather than a failure
    /// of the component or the guest.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            RunError::BadCall { .. }
                | RunError::NoSuchFunction { .. }
                | RunError::Ambiguous { .. }
                | RunError::WrongArity { .. }
                | RunError::BadArguments { .. }
                | RunError::NotACommand { .. }
                | RunError::NotPassable { .. }
        )
    }
}

fn plural_features(features: &[(&str, &str)]) -> String {
    let names: Vec<_> = features
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    match names.as_slice() {
        [one] => format!("feature {one}"),
        _ => format!("features {}", names.join(", ")),
    }
}

fn flags(features: &[(&str, &str)]) -> String {
    let flags: Vec<_> = features
        .iter()
        .map(|(_, flag)| format!("`-W {flag}`"))
        .collect();
    flags.join(" ")
}

pub(crate) fn prepare(error: impl Into<anyhow::Error>) -> RunError {
    RunError::Prepare(error.into())
}

/// What the guest may see and where its output goes.
#[derive(Debug, Default, Clone)]
pub struct Io {
    /// Standard input for the guest; `None` inherits the host's.
    pub stdin: Option<Vec<u8>>,
    /// Capture stdout and stderr instead of inheriting them.
    pub capture: bool,
    /// Arguments (`argv`, including the program name).
    pub args: Vec<String>,
}

/// What a finished guest left behind.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// The exit status (0 for success).
    pub exit_code: i32,
    /// Captured stdout (empty unless [`Io::capture`]).
    pub stdout: Vec<u8>,
    /// Captured stderr (empty unless [`Io::capture`]).
    pub stderr: Vec<u8>,
}

/// The process exit status for a guest's exit code: the code itself when it
/// fits in 0..=255, else 1. A code that does not fit still means failure,
/// which truncation could turn into success (256 into 0).
pub fn exit_status(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(1)
}

/// A function that a component exports.
#[derive(Debug, Clone)]
pub struct ExportedFunc {
    /// The exporting interface (`toolsku:formatter/format`), if any.
    pub interface: Option<String>,
    /// The function's name (`csv-to-json`).
    pub name: String,
    /// Its signature in WIT syntax.
    pub signature: String,
    params: Vec<(String, Type)>,
    results: usize,
    /// The first parameter or result holding a stream, future or error
    /// context, and its type: such a function cannot be called with WAVE.
    handle: Option<(String, String)>,
}

impl ExportedFunc {
    /// The fully qualified name: `toolsku:formatter/format#csv-to-json`.
    pub fn qualified(&self) -> String {
        match &self.interface {
            Some(i) => format!("{i}#{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The number of parameters.
    pub fn arity(&self) -> usize {
        self.params.len()
    }

    /// Refuses the call when a parameter or result is a stream, a future
    /// or an error context.
    pub(crate) fn check_passable(&self) -> Result<(), RunError> {
        match &self.handle {
            None => Ok(()),
            Some((what, ty)) => Err(RunError::NotPassable {
                function: self.qualified(),
                signature: self.signature.clone(),
                what: what.clone(),
                ty: ty.clone(),
            }),
        }
    }

    fn matches(&self, name: &str) -> bool {
        if name == self.name || name == self.qualified() {
            return true;
        }
        // `format.csv-to-json`: the interface's short name, then the function.
        let Some(interface) = &self.interface else {
            return false;
        };
        let short = interface.rsplit('/').next().unwrap_or(interface);
        let short = short.split('@').next().unwrap_or(short);
        name.strip_prefix(short)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|f| f == self.name)
    }
}

/// Finds an exported function by short name (`csv-to-json`), interface
/// and name (`format.csv-to-json`), or fully qualified name.
fn find<'a>(functions: &'a [ExportedFunc], name: &str) -> Result<&'a ExportedFunc, RunError> {
    let found: Vec<_> = functions.iter().filter(|f| f.matches(name)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(RunError::NoSuchFunction {
            name: name.to_string(),
            available: listing(functions.iter()),
        }),
        many => Err(RunError::Ambiguous {
            name: name.to_string(),
            candidates: listing(many.iter().copied()),
        }),
    }
}

/// The functions with their signatures, one per line.
fn listing<'a>(functions: impl Iterator<Item = &'a ExportedFunc>) -> String {
    let mut out = String::new();
    for f in functions {
        let _ = writeln!(out, "  {}: {}", f.qualified(), f.signature);
    }
    if out.is_empty() {
        out.push_str("  (no functions)\n");
    }
    out.trim_end().to_string()
}

/// How a [`Runtime`] runs what it loads.
#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    /// Limits for every run.
    pub limits: Limits,
    /// Grants for every run.
    pub sandbox: Sandbox,
    /// Where compiled code is cached; `None` compiles every time.
    pub cache: Option<Cache>,
}

/// The engine configuration for `limits`. The cache writer and reader use
/// this same function, and the cache keys on the result's compatibility
/// hash, so compiled code is only ever loaded into an engine like the one
/// that compiled it.
pub(crate) fn engine_config(limits: &Limits) -> Config {
    let mut config = Config::new();
    // Backtraces name functions from the `name` section; line numbers from
    // DWARF would make compiled code depend on `WASMTIME_BACKTRACE_DETAILS`.
    config.wasm_backtrace_details(WasmBacktraceDetails::Disable);
    limits.configure(&mut config);
    config
}

pub(crate) use concurrent::wasi_linker;
pub(crate) use runner::pool;

/// Limits, grants and the epoch ticker, shared by every store of a
/// runtime or runner.
pub(crate) struct Shared {
    limits: Limits,
    sandbox: Sandbox,
    ticker: Option<limits::Ticker>,
}

impl Shared {
    pub(crate) fn new(engine: &Engine, limits: Limits, sandbox: Sandbox) -> Result<Self, RunError> {
        sandbox.validate()?;
        let ticker = match limits.timeout {
            Some(timeout) => Some(limits::Ticker::start(engine, timeout).map_err(prepare)?),
            None => None,
        };
        Ok(Self {
            limits,
            sandbox,
            ticker,
        })
    }

    /// A store for one run: the WASI context from `builder` plus the
    /// sandbox's grants, the memory limiter, fuel and deadline.
    pub(crate) fn store(
        &self,
        engine: &Engine,
        builder: WasiCtxBuilder,
    ) -> Result<Store<Host>, RunError> {
        let mut store = Store::new(engine, self.host(builder)?);
        store.limiter(|host| &mut host.limiter);
        self.arm(&mut store)?;
        Ok(store)
    }

    /// The state of one guest instance: the WASI context from `builder`
    /// plus the sandbox's grants, and the memory limiter, for a store that
    /// the caller makes (and points at the limiter).
    pub(crate) fn host(&self, mut builder: WasiCtxBuilder) -> Result<Host, RunError> {
        self.sandbox.apply(&mut builder)?;
        Ok(Host {
            ctx: builder.build(),
            table: ResourceTable::new(),
            limiter: self.limits.limiter(),
        })
    }

    /// The limits every store gets.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Refills the fuel and restarts the clock, before a run or call.
    pub(crate) fn arm(&self, mut store: impl wasmtime::AsContextMut) -> Result<(), RunError> {
        let mut store = store.as_context_mut();
        if let Some(fuel) = self.limits.fuel {
            store.set_fuel(fuel).map_err(prepare)?;
        }
        if let (Some(timeout), Some(ticker)) = (self.limits.timeout, &self.ticker) {
            store.set_epoch_deadline(ticker.ticks(timeout));
        }
        Ok(())
    }

    /// Explains an error that `what` returned.
    pub(crate) fn failure(
        &self,
        store: &Store<Host>,
        what: impl Into<String>,
        error: wasmtime::Error,
    ) -> RunError {
        RunError::Guest {
            what: what.into(),
            failure: Box::new(GuestFailure::new(
                error,
                &self.limits,
                store.data().limiter.denied,
            )),
        }
    }
}

/// A compiled component and how it was obtained.
pub(crate) struct Compiled {
    pub(crate) component: Component,
    pub(crate) from_core: bool,
    /// The host the input needs: recorded in the cache file, so that a
    /// warm run does not scan the input for async features again.
    pub(crate) mode: Mode,
    pub(crate) cache: CacheStatus,
}

/// Compiles `bytes` (a component, or a core module to componentize), or
/// deserializes it from `cache` when a verified entry is there. `mode`
/// tells the host `bytes` needs ([`Mode::of`], or what the caller already
/// worked out); it is asked only when the cache has no entry.
pub(crate) fn compile(
    engine: &Engine,
    bytes: &[u8],
    cache: Option<&Cache>,
    mode: impl FnOnce() -> Mode,
) -> Result<Compiled, RunError> {
    let keyed = cache.map(|cache| (cache, cache.key(engine, bytes)));
    let mut rejected = None;
    if let Some((cache, key)) = &keyed {
        match cache.lookup(engine, key) {
            cache::Lookup::Hit(hit) => {
                return Ok(Compiled {
                    component: hit.component,
                    from_core: hit.entry.from_core,
                    mode: hit.entry.mode,
                    cache: CacheStatus::Hit {
                        path: cache.path(key),
                    },
                });
            }
            cache::Lookup::Absent => {}
            cache::Lookup::Rejected(reason) => rejected = Some(reason),
        }
    }
    let start = Instant::now();
    let componentized = componentize::componentize(bytes, componentize::Options::default())?;
    let component = Component::new(engine, &componentized.bytes).map_err(|e| {
        let features = concurrent::disabled_features(&componentized.bytes);
        if features.is_empty() {
            prepare(e)
        } else {
            // wasmtime's own error is the validator's, about the first
            // instruction that needs the feature; the feature says it all.
            RunError::FeatureDisabled { features }
        }
    })?;
    let compile_time = start.elapsed();
    let from_core = matches!(componentized.input, ArtifactKind::Core(_));
    let mode = mode();
    let cache = match keyed {
        None => CacheStatus::Off { compile_time },
        Some((cache, key)) => {
            let stored = component
                .serialize()
                .map_err(|e| format!("failed to serialize the compiled code: {e}"))
                .and_then(|serialized| {
                    cache.store(&key, &serialized, cache::Entry { from_core, mode })
                });
            CacheStatus::Miss {
                path: cache.path(&key),
                rejected,
                compile_time,
                store_error: stored.err(),
            }
        }
    };
    Ok(Compiled {
        component,
        from_core,
        mode,
        cache,
    })
}

/// An engine and the WASI linkers, shared by every component it loads.
pub struct Runtime {
    engine: Engine,
    /// The synchronous WASI 0.2 linker, then WASI 0.2 and 0.3 for
    /// concurrent components; each made when first needed.
    linkers: [OnceLock<Linker<Host>>; 2],
    shared: Arc<Shared>,
    cache: Option<Cache>,
}

impl Runtime {
    /// Creates a runtime with default limits, an empty sandbox and no cache.
    pub fn new() -> Result<Self, RunError> {
        Self::with_options(RuntimeOptions::default())
    }

    /// Creates a runtime whose runs have these limits and grants, and
    /// whose compiled code goes to this cache.
    pub fn with_options(options: RuntimeOptions) -> Result<Self, RunError> {
        let engine = Engine::new(&engine_config(&options.limits)).map_err(prepare)?;
        let shared = Shared::new(&engine, options.limits, options.sandbox)?;
        Ok(Self {
            engine,
            linkers: [OnceLock::new(), OnceLock::new()],
            shared: Arc::new(shared),
            cache: options.cache,
        })
    }

    fn linker(&self, mode: Mode) -> Result<&Linker<Host>, RunError> {
        let slot = &self.linkers[usize::from(mode == Mode::Concurrent)];
        if let Some(linker) = slot.get() {
            return Ok(linker);
        }
        let linker = wasi_linker(&self.engine, mode)?;
        Ok(slot.get_or_init(|| linker))
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles a component (a preview-1 core module is componentized
    /// first), or loads it from the cache, and links it against the WASI
    /// host: WASI 0.2, and 0.3 beside it for a component that uses the
    /// Component Model's async features or imports WASI 0.3.
    pub fn load(&self, bytes: &[u8]) -> Result<Loaded, RunError> {
        let compiled = compile(&self.engine, bytes, self.cache.as_ref(), || Mode::of(bytes))?;
        let mode = compiled.mode;
        let pre = self
            .linker(mode)?
            .instantiate_pre(&compiled.component)
            .map_err(prepare)?;
        let functions = types::exported_functions(&self.engine, &compiled.component);
        Ok(Loaded {
            component: compiled.component,
            pre,
            mode,
            functions,
            was_core: compiled.from_core,
            cache: compiled.cache,
            shared: Arc::clone(&self.shared),
        })
    }
}

/// A compiled component, ready to instantiate.
pub struct Loaded {
    component: Component,
    pre: InstancePre<Host>,
    mode: Mode,
    functions: Vec<ExportedFunc>,
    was_core: bool,
    cache: CacheStatus,
    shared: Arc<Shared>,
}

impl Loaded {
    /// The functions the component exports.
    pub fn functions(&self) -> &[ExportedFunc] {
        &self.functions
    }

    /// The input was a core module that was componentized on the way in.
    pub fn was_componentized(&self) -> bool {
        self.was_core
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_status(&self) -> &CacheStatus {
        &self.cache
    }

    /// Finds an exported function by short name (`csv-to-json`), interface
    /// and name (`format.csv-to-json`), or fully qualified name.
    pub fn find(&self, name: &str) -> Result<&ExportedFunc, RunError> {
        find(&self.functions, name)
    }

    /// Calls an exported function, given as a WAVE call such as
    /// `csv-to-json("a,b\n1,2")`, and returns its results. The call is
    /// checked against the function's parameters before the component is
    /// instantiated. An `async` function is called on the event loop and
    /// its results are those of its task; a function that takes or returns
    /// a stream or a future cannot be called this way.
    pub fn invoke(&self, call: &str, io: &Io) -> Result<(Vec<Val>, Outcome), RunError> {
        let call = call::split(call)?;
        let function = self.find(call.name)?.clone();
        function.check_passable()?;
        let params = call.arguments(&function)?;
        let index = export_index(&self.component, &function).ok_or_else(|| {
            prepare(anyhow::anyhow!(
                "export `{}` has no index in the component",
                function.qualified()
            ))
        })?;
        let vanished = || {
            wasmtime::format_err!(
                "export `{}` vanished after instantiation",
                function.qualified()
            )
        };
        let (mut store, pipes) = self.store(io)?;
        let mut results = vec![Val::Bool(false); function.results];
        let mut instantiated = false;
        let called = match self.mode {
            Mode::Sync => self.pre.instantiate(&mut store).and_then(|instance| {
                instantiated = true;
                let func = instance.get_func(&mut store, index).ok_or_else(vanished)?;
                func.call(&mut store, &params, &mut results)
            }),
            Mode::Concurrent => concurrent::block_on(self.shared.limits.timeout, async {
                let instance = self.pre.instantiate_async(&mut store).await?;
                instantiated = true;
                let func = instance.get_func(&mut store, index).ok_or_else(vanished)?;
                func.call_async(&mut store, &params, &mut results).await
            }),
        };
        if let Err(e) = called {
            let what = if instantiated {
                format!("calling `{}`", function.qualified())
            } else {
                "instantiating the component".to_string()
            };
            return Err(self.shared.failure(&store, what, e));
        }
        drop(store);
        Ok((results, pipes.finish(0)))
    }

    /// Runs the component as a command (`wasi:cli/run@0.3.0`, else
    /// `wasi:cli/run@0.2`) and returns its exit status and, when captured,
    /// its output.
    pub fn run_command(&self, io: &Io) -> Result<Outcome, RunError> {
        let not_a_command = || RunError::NotACommand {
            available: listing(self.functions.iter()),
        };
        let (run, store, pipes) = match self.mode {
            Mode::Sync => {
                let pre = wasmtime_wasi::p2::bindings::sync::CommandPre::new(self.pre.clone())
                    .map_err(|_| not_a_command())?;
                let (mut store, pipes) = self.store(io)?;
                let run = pre
                    .instantiate(&mut store)
                    .and_then(|command| command.wasi_cli_run().call_run(&mut store));
                (run, store, pipes)
            }
            Mode::Concurrent => {
                let command = concurrent::CommandPre::new(&self.pre).ok_or_else(not_a_command)?;
                let (mut store, pipes) = self.store(io)?;
                let run = concurrent::block_on(self.shared.limits.timeout, command.run(&mut store));
                (run, store, pipes)
            }
        };
        let exit_code = match run {
            Ok(Ok(())) => 0,
            Ok(Err(())) => 1,
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => exit.0,
                None => return Err(self.shared.failure(&store, "running `wasi:cli/run`", e)),
            },
        };
        drop(store);
        Ok(pipes.finish(exit_code))
    }

    fn store(&self, io: &Io) -> Result<(Store<Host>, Pipes), RunError> {
        let mut builder = WasiCtx::builder();
        builder.args(&io.args);
        match &io.stdin {
            Some(bytes) => {
                builder.stdin(MemoryInputPipe::new(bytes.clone()));
            }
            None => {
                builder.inherit_stdin();
            }
        }
        let pipes = if io.capture {
            let stdout = MemoryOutputPipe::new(usize::MAX);
            let stderr = MemoryOutputPipe::new(usize::MAX);
            builder.stdout(stdout.clone()).stderr(stderr.clone());
            Pipes::Captured { stdout, stderr }
        } else {
            builder.inherit_stdout().inherit_stderr();
            Pipes::Inherited
        };
        let store = self.shared.store(self.pre.component().engine(), builder)?;
        Ok((store, pipes))
    }
}

enum Pipes {
    Inherited,
    Captured {
        stdout: MemoryOutputPipe,
        stderr: MemoryOutputPipe,
    },
}

impl Pipes {
    fn finish(self, exit_code: i32) -> Outcome {
        match self {
            Pipes::Inherited => Outcome {
                exit_code,
                ..Outcome::default()
            },
            Pipes::Captured { stdout, stderr } => Outcome {
                exit_code,
                stdout: stdout.contents().to_vec(),
                stderr: stderr.contents().to_vec(),
            },
        }
    }
}

/// Where a function sits among a component's exports.
pub(crate) fn export_index(
    component: &Component,
    function: &ExportedFunc,
) -> Option<wasmtime::component::ComponentExportIndex> {
    let parent = match &function.interface {
        Some(interface) => Some(component.get_export_index(None, interface)?),
        None => None,
    };
    component.get_export_index(parent.as_ref(), &function.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_that_do_not_fit_a_byte_still_mean_failure() {
        assert_eq!(exit_status(0), 0);
        assert_eq!(exit_status(3), 3);
        assert_eq!(exit_status(255), 255);
        assert_eq!(exit_status(256), 1);
        assert_eq!(exit_status(-1), 1);
        assert_eq!(exit_status(i32::MAX), 1);
    }
}

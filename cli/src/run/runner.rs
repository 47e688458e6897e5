//! The embedding API: one component, called many times from a program or a
//! benchmark.
//!
//! [`Runner::new`] compiles the component once (through the precompiled
//! cache when one is given), links it and keeps the `InstancePre`, on an
//! engine with the pooling allocator, so that each instantiation reuses
//! pre-reserved memory instead of mapping it anew. [`Runner::call`] runs
//! every call in a fresh store and instance: nothing leaks from one call to
//! the next. [`Runner::instantiate`] gives a [`WarmInstance`] for callers
//! that want many calls on one instance, keeping its state between calls.
//!
//! A component that uses the Component Model's async features or imports
//! WASI 0.3 is linked against WASI 0.2 and 0.3 and called on wasmtime's
//! event loop (`async` exports included), each call bounded by the time
//! limit even while the guest waits on the host. Calls block the calling
//! thread, which must not be running a Tokio runtime. Any other component
//! runs on an engine without concurrency support, which is cheaper.

use std::sync::Arc;

use wasmtime::component::{Component, ComponentExportIndex, Instance, InstancePre, Val};
use wasmtime::{Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap};
use wasmtime_wasi::WasiCtx;

use super::concurrent::{self, Mode};
use super::{
    Cache, CacheStatus, ExportedFunc, Host, Limits, RunError, Sandbox, Shared, compile,
    engine_config, export_index, find, prepare, types, wasi_linker,
};

/// How a [`Runner`] runs its component.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Limits for every call (fuel and time are per call).
    pub limits: Limits,
    /// Grants for every call.
    pub sandbox: Sandbox,
    /// Where compiled code is cached; `None` compiles in [`Runner::new`].
    pub cache: Option<Cache>,
    /// How many instances may be alive at once: the pooling allocator
    /// reserves this many slots up front. Defaults to 16.
    pub max_instances: u32,
    /// Let the guest write to the host's stdout and stderr. By default its
    /// output is discarded and its stdin is empty.
    pub inherit_stdio: bool,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            sandbox: Sandbox::default(),
            cache: None,
            max_instances: 16,
            inherit_stdio: false,
        }
    }
}

/// Core instances, memories and tables one instance of a composition may
/// use, for sizing the pool: a composition of a few components, each with
/// its adapter and shims.
const CORE_INSTANCES_PER_INSTANCE: u32 = 32;
const MEMORIES_PER_INSTANCE: u32 = 8;
const TABLES_PER_INSTANCE: u32 = 32;

/// The most bytes of each pooled memory and table reset in place and kept
/// resident between instances (see [`pool`]).
const KEEP_RESIDENT: usize = 4 << 20;

/// A component compiled and linked once, to be called many times.
///
/// ```no_run
/// use wasmtime::component::Val;
/// use wcompose::run::{Runner, RunnerOptions};
///
/// let bytes = std::fs::read("target/wcompose/seed.wasm")?;
/// let runner = Runner::new(&bytes, RunnerOptions::default())?;
///
/// // A fresh instance for every call.
/// let results = runner.call("csv-to-json", &[Val::String("a,b\n1,2".into())])?;
/// println!("{}", wcompose::run::wave(&results[0]));
///
/// // Resolve the name once, then call in a loop on one warm instance.
/// let pretty = runner.function("json-pretty")?;
/// let mut instance = runner.instantiate()?;
/// for input in ["[1,2]", "{\"a\":1}"] {
///     let results = instance.call_function(&pretty, &[Val::String(input.into())])?;
///     println!("{}", wcompose::run::wave(&results[0]));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Runner {
    engine: Engine,
    component: Component,
    pre: InstancePre<Host>,
    mode: Mode,
    functions: Arc<[ExportedFunc]>,
    shared: Arc<Shared>,
    cache: CacheStatus,
    from_core: bool,
    inherit_stdio: bool,
}

/// An exported function, resolved once for many calls.
#[derive(Debug, Clone)]
pub struct Function {
    index: ComponentExportIndex,
    info: ExportedFunc,
}

impl Function {
    /// The function's name and signature.
    pub fn info(&self) -> &ExportedFunc {
        &self.info
    }
}

impl Runner {
    /// Compiles (or loads from the cache) `bytes`, a component or a
    /// preview-1 core module, and prepares it for instantiation.
    pub fn new(bytes: &[u8], options: RunnerOptions) -> Result<Self, RunError> {
        let mut config = engine_config(&options.limits);
        // A component that uses none of the Component Model's async
        // features and no WASI 0.3 runs on an engine without its
        // concurrency bookkeeping, which makes every call and
        // instantiation cheaper.
        let mode = Mode::of(bytes);
        config.concurrency_support(mode == Mode::Concurrent);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(
            options.max_instances,
            &options.limits,
        )));
        let engine = Engine::new(&config).map_err(prepare)?;
        let compiled = compile(&engine, bytes, options.cache.as_ref(), || mode)?;
        let pre = wasi_linker(&engine, mode)?
            .instantiate_pre(&compiled.component)
            .map_err(prepare)?;
        let functions = types::exported_functions(&engine, &compiled.component);
        let shared = Shared::new(&engine, options.limits, options.sandbox)?;
        Ok(Self {
            engine,
            component: compiled.component,
            pre,
            mode,
            functions: functions.into(),
            shared: Arc::new(shared),
            cache: compiled.cache,
            from_core: compiled.from_core,
            inherit_stdio: options.inherit_stdio,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The functions the component exports.
    pub fn functions(&self) -> &[ExportedFunc] {
        &self.functions
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_status(&self) -> &CacheStatus {
        &self.cache
    }

    /// The input was a core module that was componentized on the way in.
    pub fn was_componentized(&self) -> bool {
        self.from_core
    }

    /// Resolves an exported function by short name (`csv-to-json`),
    /// interface and name (`format.csv-to-json`), or fully qualified name.
    pub fn function(&self, name: &str) -> Result<Function, RunError> {
        resolve(&self.component, &self.functions, name)
    }

    /// Calls the function named `name` in a fresh instance.
    pub fn call(&self, name: &str, args: &[Val]) -> Result<Vec<Val>, RunError> {
        let function = self.function(name)?;
        self.call_function(&function, args)
    }

    /// Calls `function` in a fresh instance, which is dropped afterwards.
    pub fn call_function(&self, function: &Function, args: &[Val]) -> Result<Vec<Val>, RunError> {
        function.info.check_passable()?;
        check_arity(function, args)?;
        self.instantiate()?.call_function(function, args)
    }

    /// Instantiates the component in a new store, for many calls. Each
    /// call gets the full fuel and time limits; memory adds up over the
    /// instance's life.
    pub fn instantiate(&self) -> Result<WarmInstance, RunError> {
        let mut builder = WasiCtx::builder();
        if self.inherit_stdio {
            builder.inherit_stdout().inherit_stderr();
        }
        let mut store = self.shared.store(&self.engine, builder)?;
        let instance = match self.mode {
            Mode::Sync => self.pre.instantiate(&mut store),
            Mode::Concurrent => concurrent::block_on(
                self.shared.limits.timeout,
                self.pre.instantiate_async(&mut store),
            ),
        }
        .map_err(|e| {
            self.shared
                .failure(&store, "instantiating the component", e)
        })?;
        Ok(WarmInstance {
            store,
            instance,
            mode: self.mode,
            component: self.component.clone(),
            functions: Arc::clone(&self.functions),
            shared: Arc::clone(&self.shared),
        })
    }
}

/// Finds the exported function `name` and its index in `component`.
fn resolve(
    component: &Component,
    functions: &[ExportedFunc],
    name: &str,
) -> Result<Function, RunError> {
    let info = find(functions, name)?.clone();
    let index = export_index(component, &info).ok_or_else(|| {
        prepare(anyhow::anyhow!(
            "export `{}` has no index in the component",
            info.qualified()
        ))
    })?;
    Ok(Function { index, info })
}

/// One instance of a [`Runner`]'s component in its own store, kept warm
/// across calls. After a call fails with a trap, the instance cannot be
/// entered again; make a new one.
pub struct WarmInstance {
    store: Store<Host>,
    instance: Instance,
    mode: Mode,
    component: Component,
    functions: Arc<[ExportedFunc]>,
    shared: Arc<Shared>,
}

impl WarmInstance {
    /// Calls the function named `name`.
    pub fn call(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>, RunError> {
        let function = resolve(&self.component, &self.functions, name)?;
        self.call_function(&function, args)
    }

    /// Calls a resolved function.
    pub fn call_function(
        &mut self,
        function: &Function,
        args: &[Val],
    ) -> Result<Vec<Val>, RunError> {
        function.info.check_passable()?;
        check_arity(function, args)?;
        self.shared.arm(&mut self.store)?;
        let func = self
            .instance
            .get_func(&mut self.store, function.index)
            .ok_or_else(|| {
                prepare(anyhow::anyhow!(
                    "export `{}` is not a function of this instance",
                    function.info.qualified()
                ))
            })?;
        let mut results = vec![Val::Bool(false); function.info.results];
        let called = match self.mode {
            Mode::Sync => func.call(&mut self.store, args, &mut results),
            Mode::Concurrent => concurrent::block_on(
                self.shared.limits.timeout,
                func.call_async(&mut self.store, args, &mut results),
            ),
        };
        match called {
            Ok(()) => Ok(results),
            // Arguments of the wrong type fail before any guest code runs:
            // no trap and no guest backtrace.
            Err(e)
                if e.downcast_ref::<Trap>().is_none()
                    && e.downcast_ref::<wasmtime::WasmBacktrace>().is_none()
                    && self.store.data().limiter.denied.is_none() =>
            {
                Err(RunError::BadArguments {
                    function: function.info.qualified(),
                    signature: function.info.signature.clone(),
                    reason: super::trap::chain(&e),
                })
            }
            Err(e) => {
                let what = format!("calling `{}`", function.info.qualified());
                Err(self.shared.failure(&self.store, what, e))
            }
        }
    }
}

fn check_arity(function: &Function, args: &[Val]) -> Result<(), RunError> {
    let expected = function.info.arity();
    if args.len() == expected {
        return Ok(());
    }
    Err(RunError::WrongArity {
        function: function.info.qualified(),
        signature: function.info.signature.clone(),
        expected: if expected == 1 {
            "1 argument".to_string()
        } else {
            format!("{expected} arguments")
        },
        found: args.len(),
    })
}

/// The pooling allocator's slots for `max_instances` instances of a
/// component (a composition of a few), within `limits`.
pub(crate) fn pool(max_instances: u32, limits: &Limits) -> PoolingAllocationConfig {
    let instances = max_instances.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(instances)
        .total_core_instances(instances.saturating_mul(CORE_INSTANCES_PER_INSTANCE))
        .total_memories(instances.saturating_mul(MEMORIES_PER_INSTANCE))
        .total_tables(instances.saturating_mul(TABLES_PER_INSTANCE));
    // Guests dirty a few pages (stack, data, heap) per call. Where Linux
    // can say which (`PAGEMAP_SCAN`), reset just those with `memset` and
    // keep them resident, instead of `madvise`-ing the memory away and
    // faulting it back in on the next instantiation. Without it, keeping
    // memory resident means `memset`-ing all of it: slower than `madvise`.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT);
    }
    if let Some(max) = limits.max_memory {
        pool.max_memory_size(usize::try_from(max).unwrap_or(usize::MAX));
    }
    pool
}

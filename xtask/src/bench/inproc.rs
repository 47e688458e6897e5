//! In-process timing of the library calls the CLI is made of: componentize,
//! check, compose, validate, the whole library pipeline, and the embedding
//! runner (load, instantiate from its `InstancePre` with the pooling
//! allocator, call), on the seed and on the WASI 0.3 report composition.
//!
//! Calls are timed with `std::time::Instant` in batches (see
//! [`Plan::per_iteration`]) and reported per call.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use wasmtime::component::Val;
use wcompose::compose;
use wcompose::run::{Cache, Runner, RunnerOptions};

use super::report::Measurement;
use super::stats::{Plan, Stats};

/// The seed function calls timed on a warm instance: (function, argument).
pub const SEED_CALLS: [(&str, &str); 2] = [("json-pretty", "[1,2]"), ("csv-to-json", "a,b\n1,2")];

/// What the in-process measurements work on.
pub struct Inputs<'a> {
    /// The project root.
    pub root: &'a Path,
    /// The workspace's deps folder (`target/wcompose/deps`).
    pub deps_dir: PathBuf,
    /// The wasm32-wasip1 release cores of the guests, by crate name.
    pub cores_dir: PathBuf,
    /// A scratch folder for the pipeline and the cache.
    pub scratch: PathBuf,
    /// The report composition (`target/wcompose/report.wasm`): async
    /// exports and WASI 0.3; its rows are left out when it is missing.
    pub report: PathBuf,
}

/// Everything measured in process, plus the in-process cold start.
pub struct InProcess {
    /// The rows.
    pub rows: Vec<Measurement>,
    /// Compiling the seed into a runner, no cache.
    pub load_compiled: Stats,
    /// Loading the seed into a runner from a warm cache.
    pub load_cached: Stats,
    /// Instantiating and calling `csv-to-json` once on a loaded runner.
    pub first_call: Stats,
    /// The size of the seed precompiled by the runner's engine.
    pub precompiled_size: u64,
}

/// Runs every in-process measurement.
pub fn measure(inputs: &Inputs<'_>, plan: &Plan, slow_plan: &Plan) -> Result<InProcess> {
    let mut rows = Vec::new();
    let batch_time = Duration::from_millis(if plan.budget < Duration::from_secs(1) {
        2
    } else {
        5
    });
    let mut timed = |key: &'static str, what: &str, stats: Stats| {
        eprintln!("  {what}: {}", super::stats::format_duration(stats.median));
        rows.push(Measurement {
            key,
            what: what.to_string(),
            stats,
        });
    };

    let calculator = read(&inputs.cores_dir.join("calculator.wasm"))?;
    let stats = plan.per_iteration(batch_time, || {
        wcompose::componentize::componentize(&calculator, Default::default())
            .map(drop)
            .map_err(lib_error("componentize the calculator core"))
    })?;
    timed(
        "componentize",
        "componentize the calculator core (reactor adapter)",
        stats,
    );

    let seed_wac = inputs.root.join("compositions").join("seed.wac");
    let options = compose::Options {
        deps_dir: inputs.deps_dir.clone(),
        ..Default::default()
    };
    let source = compose::read_source(&seed_wac).map_err(lib_error("read the seed"))?;
    let stats = plan.per_iteration(batch_time, || {
        let report =
            compose::check_source(&source, &options).map_err(lib_error("check the seed"))?;
        if report.errors() > 0 {
            bail!("the seed composition does not check");
        }
        Ok(())
    })?;
    timed("check", "check the seed composition", stats);

    let stats = plan.per_iteration(batch_time, || {
        compose::compose_file(&seed_wac, &options)
            .map(drop)
            .map_err(lib_error("compose the seed"))
    })?;
    timed("compose", "compose the seed composition", stats);

    let seed = compose::compose_file(&seed_wac, &options)
        .map_err(lib_error("compose the seed"))?
        .bytes;
    let stats = plan.per_iteration(batch_time, || {
        wasmparser::Validator::new()
            .validate_all(&seed)
            .map(drop)
            .context("the composed seed does not validate")
    })?;
    timed("validate", "validate the composed seed (wasmparser)", stats);

    let pipeline = Pipeline::new(inputs)?;
    let stats = plan.per_iteration(batch_time, || pipeline.run())?;
    timed(
        "pipeline",
        "library pipeline: componentize 3 guests, compose seed + app (on every core, core modules known valid after the first)",
        stats,
    );

    // The runner: compiled from scratch, then loaded from a warm cache.
    let cache_dir = inputs.scratch.join("runner-cache");
    let _ = std::fs::remove_dir_all(&cache_dir);
    let load = |cache: Option<&Path>| {
        Runner::new(
            &seed,
            RunnerOptions {
                cache: cache.map(Cache::new),
                ..Default::default()
            },
        )
        .map_err(lib_error("load the seed into a runner"))
    };
    let load_compiled = slow_plan.sample(|| {
        let start = std::time::Instant::now();
        load(None)?;
        Ok::<_, anyhow::Error>(start.elapsed())
    })?;
    timed(
        "load-compile",
        "load the seed into a runner: compile (no cache)",
        load_compiled,
    );
    load(Some(&cache_dir))?;
    let load_cached = plan.per_iteration(batch_time, || load(Some(&cache_dir)).map(drop))?;
    timed(
        "load-cached",
        "load the seed into a runner: from a warm cache",
        load_cached,
    );

    let runner = load(Some(&cache_dir))?;
    let precompiled_size = runner
        .engine()
        .precompile_component(&seed)
        .map_err(|e| anyhow::anyhow!("failed to precompile the seed: {e:#}"))?
        .len() as u64;
    let stats = plan.per_iteration(batch_time, || {
        runner
            .instantiate()
            .map(drop)
            .map_err(lib_error("instantiate the seed"))
    })?;
    timed(
        "instantiate",
        "instantiate from InstancePre (pooling allocator)",
        stats,
    );

    let csv = runner
        .function("csv-to-json")
        .map_err(lib_error("find csv-to-json"))?;
    let args = [Val::String(SEED_CALLS[1].1.to_string())];
    let first_call = plan.per_iteration(batch_time, || {
        expect_ok(
            "csv-to-json",
            runner
                .call_function(&csv, &args)
                .map_err(lib_error("call csv-to-json"))?,
        )
    })?;
    timed(
        "call-fresh",
        "instantiate + call csv-to-json in a fresh instance",
        first_call,
    );

    let mut instance = runner
        .instantiate()
        .map_err(lib_error("instantiate the seed"))?;
    for (name, input) in SEED_CALLS {
        let function = runner
            .function(name)
            .map_err(lib_error("find a seed function"))?;
        let args = [Val::String(input.to_string())];
        let stats = plan.per_iteration(batch_time, || {
            let results = instance
                .call_function(&function, &args)
                .map_err(lib_error("call a seed function"))?;
            expect_ok(name, results)
        })?;
        let key = match name {
            "json-pretty" => "call-json-pretty",
            _ => "call-csv-to-json",
        };
        timed(
            key,
            &format!("warm call {name}({input:?}) on one instance"),
            stats,
        );
    }

    if inputs.report.exists() {
        let report = read(&inputs.report)?;
        let runner = Runner::new(
            &report,
            RunnerOptions {
                cache: Some(Cache::new(&cache_dir)),
                ..Default::default()
            },
        )
        .map_err(lib_error("load the report into a runner"))?;
        let stats = plan.per_iteration(batch_time, || {
            runner
                .instantiate()
                .map(drop)
                .map_err(lib_error("instantiate the report"))
        })?;
        timed(
            "instantiate-async",
            "instantiate the report composition (WASI 0.3, async) from InstancePre",
            stats,
        );
        let function = runner
            .function("csv-to-json")
            .map_err(lib_error("find the report's csv-to-json"))?;
        let mut instance = runner
            .instantiate()
            .map_err(lib_error("instantiate the report"))?;
        let (name, input) = SEED_CALLS[1];
        let args = [Val::String(input.to_string())];
        let stats = plan.per_iteration(batch_time, || {
            let results = instance
                .call_function(&function, &args)
                .map_err(lib_error("call the report's csv-to-json"))?;
            expect_ok(name, results)
        })?;
        timed(
            "call-async-csv-to-json",
            &format!(
                "warm async call {name}({input:?}) on one report instance (awaits the async formatter)"
            ),
            stats,
        );
    }

    Ok(InProcess {
        rows,
        load_compiled,
        load_cached,
        first_call,
        precompiled_size,
    })
}

/// The whole library pipeline: three guest cores componentized and written
/// to a deps folder, then the seed and app compositions composed from it
/// and written out.
struct Pipeline {
    /// (core bytes, where its component goes).
    guests: Vec<(Vec<u8>, PathBuf)>,
    /// (`.wac` file, where its result goes).
    compositions: Vec<(PathBuf, PathBuf)>,
    options: compose::Options,
}

impl Pipeline {
    fn new(inputs: &Inputs<'_>) -> Result<Self> {
        let dir = inputs.scratch.join("pipeline");
        let deps_dir = dir.join("deps");
        let mut guests = Vec::new();
        for name in ["calculator", "formatter", "app"] {
            let core_path = inputs.cores_dir.join(format!("{name}.wasm"));
            let core = read(&core_path)?;
            let package = wcompose::workspace::world_package(&core_path, &core)
                .map_err(lib_error("name the guest's package"))?;
            let path = wcompose::workspace::package_path(&deps_dir, &package);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("failed to create `{}`", parent.display()))?;
            }
            guests.push((core, path));
        }
        let compositions = ["seed", "app"]
            .into_iter()
            .map(|name| {
                (
                    inputs.root.join("compositions").join(format!("{name}.wac")),
                    dir.join(format!("{name}.wasm")),
                )
            })
            .collect();
        Ok(Self {
            guests,
            compositions,
            // As the workspace composes: with a record of the core modules
            // known valid, here the pipeline's own.
            options: compose::Options {
                deps_dir,
                known_valid: Some(wcompose::known_valid::KnownValid::new(dir.join("cache"))),
                ..Default::default()
            },
        })
    }

    /// Side by side, as the workspace builds its guests and compositions
    /// ([`wcompose::parallel::map`]).
    fn run(&self) -> Result<()> {
        for done in wcompose::parallel::map(&self.guests, |(core, path)| {
            let component = wcompose::componentize::componentize(core, Default::default())
                .map_err(lib_error("componentize a guest"))?;
            wcompose::fsutil::write_atomic(path, &component.bytes)
                .map_err(lib_error("write a component"))
        }) {
            done?;
        }
        for done in wcompose::parallel::map(&self.compositions, |(wac, out)| {
            let composed = compose::compose_file(wac, &self.options)
                .map_err(lib_error("compose a composition"))?;
            wcompose::fsutil::write_atomic(out, &composed.bytes)
                .map_err(lib_error("write a composition"))
        }) {
            done?;
        }
        Ok(())
    }
}

/// Fails unless a seed function returned `ok(...)`.
fn expect_ok(name: &str, results: Vec<Val>) -> Result<()> {
    match results.as_slice() {
        [Val::Result(Ok(_))] => Ok(()),
        other => bail!(
            "{name} returned {}, expected ok(...)",
            other
                .iter()
                .map(wcompose::run::wave)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

/// Turns a library error into one line with its whole cause chain.
fn lib_error<E: std::error::Error>(what: &'static str) -> impl Fn(E) -> anyhow::Error {
    move |e| anyhow::anyhow!("failed to {what}: {}", wcompose::error_chain(&e))
}

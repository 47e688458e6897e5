//! `cargo xtask bench`: wcompose's speed and sizes, measured against the
//! tools users would pick instead (`wasm-tools`, `wac`, the `wasmtime` CLI)
//! in the same run, on the same files.
//!
//! The run installs the reference CLIs when they are missing (see
//! [`crate::tools`]), builds wcompose in release, runs `cargo xtask compose`
//! for the seed artifacts, and then measures:
//!
//! - whole processes, wcompose beside the reference tool for each job
//!   ([`process`]), push and pull against a local registry beside skopeo
//!   ([`registry`]), and a no-op second `cargo xtask compose`;
//! - library calls in process, down to one instantiation and one warm call
//!   ([`inproc`]);
//! - check and compose of synthetic graphs of growing size ([`scaling`]);
//! - the bytes of every stage, from guest core to machine code ([`sizes`]).
//!
//! It prints the report and writes `target/bench/report.md` and
//! `target/bench/report.json` ([`report`]), with each target of issues 4–7
//! marked met or missed ([`targets`]). Timings are never asserted: only
//! the harness has tests.

mod cpu;
mod inproc;
mod languages;
mod process;
mod registry;
mod report;
mod scaling;
mod sizes;
mod stats;
mod targets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::tools::{self, Tool};
use process::Proc;
use report::{ColdStart, Comparison, Machine, Report, Timing};
pub(crate) use report::{Resident, Serving, Startup};
use stats::{Plan, format_duration};

/// The call on the seed composition that the run rows time.
const SEED_CALL: &str = r#"csv-to-json("a,b\n1,2")"#;

/// Set for the release build of the bench when the debug build starts it.
const HANDED_OVER: &str = "WCOMPOSE_BENCH_RELEASE";

/// How long to wait for another `cargo install` of a reference tool.
const INSTALL_WAIT: Duration = Duration::from_secs(60 * 60);

/// The task's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Fewer repetitions and graphs up to 100 components: a smoke run.
    pub quick: bool,
}

impl Options {
    /// Reads `--quick`; anything else is a usage error.
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options::default();
        for arg in args {
            match arg.as_str() {
                "--quick" => options.quick = true,
                other => bail!("unknown option `{other}` for `cargo xtask bench` (known: --quick)"),
            }
        }
        Ok(options)
    }

    fn process_plan(self) -> Plan {
        if self.quick {
            Plan::PROCESS_QUICK
        } else {
            Plan::PROCESS
        }
    }

    fn in_process_plan(self) -> Plan {
        if self.quick {
            Plan::IN_PROCESS_QUICK
        } else {
            Plan::IN_PROCESS
        }
    }

    /// For builds that take seconds to a minute each: one sample in a quick
    /// run, three in a full one, none untimed.
    fn build_plan(self) -> Plan {
        let runs = if self.quick { 1 } else { 3 };
        Plan {
            warmups: 0,
            min_runs: runs,
            max_runs: runs,
            budget: Duration::ZERO,
        }
    }

    /// For work that takes a large part of a second each time: compiling,
    /// big graphs, `cargo xtask compose`.
    fn slow_plan(self) -> Plan {
        Plan {
            warmups: 1,
            min_runs: if self.quick { 2 } else { 3 },
            max_runs: if self.quick { 3 } else { 10 },
            budget: if self.quick {
                Duration::ZERO
            } else {
                Duration::from_secs(2)
            },
        }
    }

    fn scaling_sizes(self) -> &'static [usize] {
        if self.quick {
            &[25, 50, 100]
        } else {
            &[25, 50, 100, 200, 400]
        }
    }
}

/// The binaries the process rows run.
struct Bins {
    wcompose: PathBuf,
    wasm_tools: PathBuf,
    wac: PathBuf,
    wasmtime: PathBuf,
}

/// Files the process rows read and write.
struct Files {
    root: PathBuf,
    bench_dir: PathBuf,
    out_dir: PathBuf,
    deps_dir: PathBuf,
    seed_wac: PathBuf,
    seed: PathBuf,
    seed_cwasm: PathBuf,
    /// The WASI 0.3 report composition (async across components).
    report: PathBuf,
    /// The edge router composition, pushed and pulled.
    router: PathBuf,
    calculator_core: PathBuf,
}

impl Files {
    /// The files of the workspace at `root`, with scratch files under
    /// `bench_dir/scratch`.
    fn new(root: &Path, bench_dir: PathBuf) -> Files {
        let workspace = wcompose::workspace::Workspace::new(root);
        let scratch = bench_dir.join("scratch");
        Files {
            root: root.to_path_buf(),
            out_dir: scratch.join("out"),
            deps_dir: workspace.deps_dir(),
            seed_wac: workspace.compositions_dir().join("seed.wac"),
            seed: workspace.out_dir.join("seed.wasm"),
            seed_cwasm: scratch.join("seed.cwasm"),
            report: workspace.out_dir.join("report.wasm"),
            router: workspace.out_dir.join("router.wasm"),
            calculator_core: cores_dir(root).join("calculator.wasm"),
            bench_dir,
        }
    }
}

/// `cargo xtask graph SHAPE SIZE DIR`: one synthetic graph of the scaling
/// rows, written for profiling.
pub fn write_graph(args: &[String]) -> Result<()> {
    let [shape, size, dir] = args else {
        bail!("usage: cargo xtask graph chain|fan-out SIZE DIR");
    };
    let Some(shape) = scaling::Shape::named(shape) else {
        let known: Vec<_> = scaling::Shape::ALL.iter().map(|s| s.name()).collect();
        bail!(
            "unknown shape `{shape}`: expected one of {}",
            known.join(", ")
        );
    };
    let size: usize = size
        .parse()
        .with_context(|| format!("`{size}` is not a number of components"))?;
    let graph = scaling::generate(shape, size, Path::new(dir))?;
    eprintln!(
        "wrote {} components; compose with: wcompose compose {} --deps-dir {}",
        shape.components(size),
        graph.wac.display(),
        graph.deps_dir.display()
    );
    Ok(())
}

/// `cargo xtask bench [--quick]`.
///
/// `cargo xtask` builds this task unoptimised, which would time the
/// library's debug build; so the task builds wcompose in release, as it
/// ships, and itself optimised ([`XTASK_PROFILE`]), and hands over to that
/// build, which does the measuring.
pub fn run(sh: &Shell, root: &Path, args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    // The debug build hands over to the release build, which then need not
    // build again.
    if std::env::var_os(HANDED_OVER).is_none() {
        build_release(sh)?;
    }
    if cfg!(debug_assertions) {
        let exe = profile_bin(root, XTASK_PROFILE, "xtask");
        let status = std::process::Command::new(&exe)
            .arg("bench")
            .args(args)
            .env(HANDED_OVER, "1")
            .current_dir(root)
            .status()
            .with_context(|| format!("failed to start `{}`", exe.display()))?;
        if !status.success() {
            bail!("the release build of the bench failed ({status})");
        }
        return Ok(());
    }
    let started = Instant::now();
    let workspace = wcompose::workspace::Workspace::new(root);
    let bench_dir = root.join("target").join("bench");
    let scratch = bench_dir.join("scratch");
    for dir in [&scratch, &bench_dir.join("cache")] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("failed to empty `{}`", dir.display()))?;
        }
    }
    std::fs::create_dir_all(scratch.join("out"))
        .with_context(|| format!("failed to create `{}`", scratch.display()))?;

    let bins = Bins {
        wasm_tools: ensure_tool(sh, &tools::WASM_TOOLS)?,
        wac: ensure_tool(sh, &tools::WAC)?,
        wasmtime: ensure_tool(sh, &tools::WASMTIME)?,
        wcompose: release_bin(root, "wcompose"),
    };
    crate::compose::run(root, false)?;
    sizes::build_variants(sh, root)?;

    let files = Files::new(root, bench_dir);
    let mut report = Report {
        machine: machine(sh),
        quick: options.quick,
        processes: Vec::new(),
        in_process: Vec::new(),
        scaling: Vec::new(),
        sizes: Vec::new(),
        composed: None,
        cold_start: Vec::new(),
        serving: Vec::new(),
        serving_load: String::new(),
        startup: Vec::new(),
        resident: Vec::new(),
        targets: Vec::new(),
        notes: Vec::new(),
    };

    eprintln!("\nwhole processes");
    report.processes = processes(&bins, &files, options, &mut report.notes)?;

    // Before the in-process rows: the heap and threads they leave behind
    // slowed one size of the graphs in earlier runs.
    eprintln!("\nscaling");
    let scaling_plan = if options.quick {
        options.slow_plan()
    } else {
        Plan {
            warmups: 2,
            min_runs: 7,
            max_runs: 20,
            budget: Duration::from_secs(2),
        }
    };
    report.scaling = scaling::measure(
        &scratch.join("graphs"),
        options.scaling_sizes(),
        &scaling_plan,
    )?;

    eprintln!("\nin process");
    let in_process = inproc::measure(
        &inproc::Inputs {
            root,
            deps_dir: files.deps_dir.clone(),
            cores_dir: cores_dir(root),
            scratch: scratch.clone(),
            report: files.report.clone(),
        },
        &options.in_process_plan(),
        &options.slow_plan(),
    )?;
    report.in_process = in_process.rows.clone();

    eprintln!("\nguest languages");
    report.in_process.extend(languages::warm_calls(
        &files.deps_dir,
        &scratch.join("cache"),
        &options.in_process_plan(),
        Duration::from_millis(5),
    )?);
    report.in_process.extend(languages::builds(
        root,
        &scratch.join("languages"),
        &options.build_plan(),
    )?);

    eprintln!("\nserving HTTP");
    let serving = crate::serve::measure(sh, root, &bins.wcompose, &bins.wasmtime, options.quick)?;
    report.serving = serving.rows;
    report.serving_load = serving.load;
    report.startup = serving.startup;
    report.resident = serving.resident;

    let (sizes, composed) = sizes::measure(&sizes::Paths {
        root,
        out_dir: workspace.out_dir.clone(),
        seed_cwasm: files.seed_cwasm.clone(),
        runner_precompiled: Some(in_process.precompiled_size),
    })?;
    report.sizes = sizes;
    report.composed = Some(composed);
    report.cold_start = cold_start(&report, &in_process);
    report.targets = targets::evaluate(&report);
    report.notes.push(format!(
        "The scaling rows are library calls (`compose::check_source`, `compose::compose_file`) on stub \
         components generated from WIT, with no host profile; a fan-out of N has N leaves and a hub. \
         This run took {} in all.",
        format_duration(started.elapsed())
    ));

    let markdown = report.to_markdown();
    let json =
        serde_json::to_string_pretty(&report.to_json()).context("failed to encode the report")?;
    let md_path = files.bench_dir.join("report.md");
    let json_path = files.bench_dir.join("report.json");
    std::fs::write(&md_path, &markdown)
        .with_context(|| format!("failed to write `{}`", md_path.display()))?;
    std::fs::write(&json_path, json + "\n")
        .with_context(|| format!("failed to write `{}`", json_path.display()))?;
    println!("\n{markdown}");
    eprintln!(
        "wrote {} and {}",
        sizes::relative(root, &md_path),
        sizes::relative(root, &json_path)
    );
    // Only a full run speaks for the project: a `--quick` run's figures
    // stay in `target/bench`.
    if !options.quick {
        let readme_path = root.join("README.md");
        let readme = std::fs::read_to_string(&readme_path)
            .with_context(|| format!("failed to read `{}`", readme_path.display()))?;
        let updated = report::replace_readme_section(&readme, &report.readme_section())
            .map_err(|e| anyhow::anyhow!("cannot update `{}`: {e}", readme_path.display()))?;
        std::fs::write(&readme_path, updated)
            .with_context(|| format!("failed to write `{}`", readme_path.display()))?;
        eprintln!("updated the performance figures in README.md");
    }
    Ok(())
}

/// `cargo xtask bench-registry`: only the push and pull rows, with the
/// composed router against a local registry, beside skopeo.
pub fn run_registry(sh: &Shell, root: &Path) -> Result<()> {
    build_release(sh)?;
    crate::compose::run(root, false)?;
    let bench_dir = root.join("target").join("bench");
    let scratch = bench_dir.join("scratch");
    std::fs::create_dir_all(scratch.join("out"))
        .with_context(|| format!("failed to create `{}`", scratch.display()))?;
    let files = Files::new(root, bench_dir);
    let mut notes = Vec::new();
    eprintln!("\npush and pull");
    let rows = registry::rows(
        &release_bin(root, "wcompose"),
        &files,
        &Plan::PROCESS,
        &files.router,
        &mut notes,
    )?;
    println!("| row | wcompose | skopeo | ratio |\n|---|---|---|---|");
    for row in &rows {
        let reference = row
            .reference
            .as_ref()
            .map(|(_, timing)| format_duration(timing.stats.median))
            .unwrap_or_default();
        println!(
            "| {} | {} | {reference} | {} |",
            row.what,
            format_duration(row.ours.stats.median),
            row.ratio().map(|r| format!("{r:.2}")).unwrap_or_default()
        );
    }
    for note in notes {
        println!("\n{note}");
    }
    Ok(())
}

/// The wasm32-wasip1 release cores of the guests.
fn cores_dir(root: &Path) -> PathBuf {
    root.join("target")
        .join("guests")
        .join(wcompose::workspace::GUEST_TARGET)
        .join("release")
}

/// The profile this task's own optimised build uses (see the workspace's
/// `Cargo.toml`): release without the whole-program link.
const XTASK_PROFILE: &str = "xtask-release";

/// Builds wcompose in release, as it ships, and this task in
/// [`XTASK_PROFILE`] (nothing to do when they are up to date).
fn build_release(sh: &Shell) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    eprintln!("building wcompose in release (whole-program LTO: minutes when it changed)");
    cmd!(sh, "{cargo} build --quiet --release --package wcompose")
        .run()
        .context("failed to build wcompose in release")?;
    eprintln!("building the bench");
    cmd!(
        sh,
        "{cargo} build --quiet --profile {XTASK_PROFILE} --package xtask"
    )
    .run()
    .context("failed to build xtask")
}

/// A binary of the workspace's release build, in `CARGO_TARGET_DIR` when
/// it is set, as cargo puts it.
pub fn release_bin(root: &Path, name: &str) -> PathBuf {
    profile_bin(root, "release", name)
}

/// A binary of the build with `profile`'s folder.
fn profile_bin(root: &Path, profile: &str, name: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join(profile)
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Installs `tool` unless it is there, first waiting for an install of it
/// that is already running (two `cargo install`s of one crate into one
/// folder would only race).
fn ensure_tool(sh: &Shell, tool: &Tool) -> Result<PathBuf> {
    let path = tool.path();
    let spec = format!("{}@{}", tool.krate, tool.version);
    let start = Instant::now();
    let mut announced = false;
    while !path.exists() && install_running(&spec) {
        if !announced {
            eprintln!("waiting for the `cargo install {spec}` that is already running");
            announced = true;
        }
        if start.elapsed() > INSTALL_WAIT {
            bail!(
                "`cargo install {spec}` has been running for over {}; stop it or let it finish, then run again",
                format_duration(INSTALL_WAIT)
            );
        }
        std::thread::sleep(Duration::from_secs(10));
    }
    tool.ensure(sh)
}

/// Whether another process is running `cargo install` for `spec`
/// (`crate@version`), read from `/proc`; `false` where there is no `/proc`.
fn install_running(spec: &str) -> bool {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let pid = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok());
        pid.is_some_and(|pid| pid != me)
            && std::fs::read(entry.path().join("cmdline")).is_ok_and(|raw| {
                let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
                cmdline.contains("cargo install") && cmdline.contains(spec)
            })
    })
}

/// The machine, for the report's header.
fn machine(sh: &Shell) -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| std::env::consts::OS.to_string());
    let rustc = cmd!(sh, "rustc --version")
        .read()
        .unwrap_or_else(|_| "rustc (unknown version)".to_string());
    let date = cmd!(sh, "date -u +%Y-%m-%d")
        .read()
        .unwrap_or_else(|_| "(unknown date)".to_string());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "(unknown)".to_string());
    Machine {
        cpu,
        cores,
        kernel,
        rustc,
        date,
        load,
    }
}

/// Times wcompose and the reference tool on the same job, alternating.
fn compare(
    files: &Files,
    plan: &Plan,
    key: &'static str,
    what: &str,
    ours: Proc,
    reference_name: &str,
    reference: Proc,
) -> Result<Comparison> {
    let ours = ours.current_dir(&files.root);
    let reference = reference.current_dir(&files.root);
    let (mut ours_cpu, mut reference_cpu) = (Vec::new(), Vec::new());
    let (ours_stats, reference_stats) = plan.sample_pair(
        || {
            let run = ours.run_once()?;
            ours_cpu.push(run.cpu);
            Ok::<_, anyhow::Error>(run.wall)
        },
        || {
            let run = reference.run_once()?;
            reference_cpu.push(run.cpu);
            Ok(run.wall)
        },
    )?;
    eprintln!(
        "  {what}: wcompose {}, {reference_name} {}",
        format_duration(ours_stats.median),
        format_duration(reference_stats.median)
    );
    Ok(Comparison {
        key,
        what: what.to_string(),
        ours: Timing {
            command: ours.display(&files.root),
            stats: ours_stats,
            cpu: cpu::cpu_stats(&ours_cpu, plan.warmups),
        },
        reference: Some((
            reference_name.to_string(),
            Timing {
                command: reference.display(&files.root),
                stats: reference_stats,
                cpu: cpu::cpu_stats(&reference_cpu, plan.warmups),
            },
        )),
    })
}

/// Every whole-process row.
fn processes(
    bins: &Bins,
    files: &Files,
    options: Options,
    notes: &mut Vec<String>,
) -> Result<Vec<Comparison>> {
    let plan = options.process_plan();
    let out = &files.out_dir;
    // The bench's own cache folder (emptied at the start of a run), where
    // the warm-up runs leave the record of core modules known valid.
    let wcompose_cache = files.bench_dir.join("cache").join("wcompose");
    let wcompose = || Proc::new(&bins.wcompose).env(wcompose::run::CACHE_DIR_ENV, &wcompose_cache);
    let mut rows = Vec::new();

    let adapter = files.bench_dir.join("wasi_snapshot_preview1.reactor.wasm");
    std::fs::write(&adapter, wcompose::componentize::Adapter::Reactor.bytes())
        .with_context(|| format!("failed to write `{}`", adapter.display()))?;
    let mut adapt = std::ffi::OsString::from("wasi_snapshot_preview1=");
    adapt.push(&adapter);
    rows.push(compare(
        files,
        &plan,
        "componentize",
        "componentize the calculator core",
        wcompose()
            .arg("componentize")
            .arg(&files.calculator_core)
            .arg("-o")
            .arg(out.join("calculator.wcompose.wasm")),
        "wasm-tools component new",
        Proc::new(&bins.wasm_tools)
            .args(["component", "new"])
            .arg(&files.calculator_core)
            .arg("--adapt")
            .arg(adapt)
            .arg("-o")
            .arg(out.join("calculator.wasm-tools.wasm")),
    )?);

    // compose, plug and check run twice: as a user's second command does,
    // with the record of core modules known valid that the warm-up runs
    // left, and with every function body checked (`--no-cache`).
    let (cached, no_cache): (&[&str], &[&str]) = (&[], &["--no-cache"]);
    let every_body = ", every function body checked (`--no-cache`)";
    let socket = wcompose::workspace::package_path(&files.deps_dir, "toolsku:formatter");
    let plug = wcompose::workspace::package_path(&files.deps_dir, "toolsku:calculator");
    for (key, how, extra) in [
        ("compose", "", cached),
        ("compose-no-cache", every_body, no_cache),
    ] {
        rows.push(compare(
            files,
            &plan,
            key,
            &format!("compose the seed{how}"),
            wcompose()
                .arg("compose")
                .arg(&files.seed_wac)
                .arg("--deps-dir")
                .arg(&files.deps_dir)
                .args(extra.iter().copied())
                .arg("-o")
                .arg(out.join("seed.wcompose.wasm")),
            "wac compose",
            Proc::new(&bins.wac)
                .arg("compose")
                .arg(&files.seed_wac)
                .arg("--deps-dir")
                .arg(&files.deps_dir)
                .arg("-o")
                .arg(out.join("seed.wac.wasm")),
        )?);
    }
    for (key, how, extra) in [
        ("plug", "", cached),
        ("plug-no-cache", every_body, no_cache),
    ] {
        rows.push(compare(
            files,
            &plan,
            key,
            &format!("plug the calculator into the formatter{how}"),
            wcompose()
                .arg("plug")
                .arg(&socket)
                .arg("--plug")
                .arg(&plug)
                .args(extra.iter().copied())
                .arg("-o")
                .arg(out.join("plugged.wcompose.wasm")),
            "wac plug",
            Proc::new(&bins.wac)
                .arg("plug")
                .arg(&socket)
                .arg("--plug")
                .arg(&plug)
                .arg("-o")
                .arg(out.join("plugged.wac.wasm")),
        )?);
    }
    for (key, how, extra) in [
        ("check", "", cached),
        ("check-no-cache", every_body, no_cache),
    ] {
        rows.push(compare(
            files,
            &plan,
            key,
            &format!("check the seed{how}"),
            wcompose()
                .arg("check")
                .arg(&files.seed_wac)
                .arg("--deps-dir")
                .arg(&files.deps_dir)
                .args(extra.iter().copied()),
            "wasm-tools validate",
            Proc::new(&bins.wasm_tools).arg("validate").arg(&files.seed),
        )?);
    }

    rows.extend(run_rows(bins, files, &plan, notes)?);

    rows.extend(registry::rows(
        &bins.wcompose,
        files,
        &plan,
        &files.router,
        notes,
    )?);

    rows.push(compare(
        files,
        &plan,
        "floor",
        "a process that does nothing: `wcompose --version`",
        wcompose().arg("--version"),
        "true",
        Proc::new("true"),
    )?);

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let noop = Proc::new(cargo)
        .args(["xtask", "compose"])
        .current_dir(&files.root);
    eprintln!("  a no-op second `cargo xtask compose` ...");
    let (stats, cpu) = noop.time(&options.slow_plan())?;
    eprintln!(
        "  a no-op second `cargo xtask compose`: {}",
        format_duration(stats.median)
    );
    rows.push(Comparison {
        key: "noop-compose",
        what: "a no-op second `cargo xtask compose`".to_string(),
        ours: Timing {
            command: "cargo xtask compose".to_string(),
            stats,
            cpu,
        },
        reference: None,
    });
    Ok(rows)
}

/// The `run --invoke` rows: warm against wasmtime's warm cache and
/// against a `.cwasm`, cold against wasmtime with its cache off.
fn run_rows(
    bins: &Bins,
    files: &Files,
    plan: &Plan,
    notes: &mut Vec<String>,
) -> Result<Vec<Comparison>> {
    let cache_dir = files.bench_dir.join("cache");
    let wcompose_cache = cache_dir.join("wcompose");
    let wasmtime_cache = cache_dir.join("wasmtime");
    std::fs::create_dir_all(&wasmtime_cache)
        .with_context(|| format!("failed to create `{}`", wasmtime_cache.display()))?;
    let cache_config = cache_dir.join("wasmtime-cache.toml");
    let directory = serde_json::to_string(&wasmtime_cache.display().to_string())
        .context("failed to quote the cache folder")?;
    std::fs::write(&cache_config, format!("[cache]\ndirectory = {directory}\n"))
        .with_context(|| format!("failed to write `{}`", cache_config.display()))?;

    let wcompose_run = |extra: &[&str]| {
        Proc::new(&bins.wcompose)
            .env(wcompose::run::CACHE_DIR_ENV, &wcompose_cache)
            .arg("run")
            .args(extra.iter().copied())
            .arg(&files.seed)
            .args(["--invoke", SEED_CALL])
            .current_dir(&files.root)
    };
    let wasmtime_run = |extra: &[&str], file: &Path| {
        let mut proc = Proc::new(&bins.wasmtime).arg("run");
        for arg in extra {
            proc = proc.arg(arg);
        }
        proc.args(["--invoke", SEED_CALL])
            .arg(file)
            .current_dir(&files.root)
    };
    let mut config_arg = std::ffi::OsString::from("cache-config=");
    config_arg.push(&cache_config);
    let wasmtime_warm_on = |file: &Path| {
        Proc::new(&bins.wasmtime)
            .args(["run", "-C", "cache=y", "-C"])
            .arg(&config_arg)
            .args(["--invoke", SEED_CALL])
            .arg(file)
            .current_dir(&files.root)
    };
    let wasmtime_warm = wasmtime_warm_on(&files.seed);
    let wasmtime_cold = wasmtime_run(&["-C", "cache=n"], &files.seed);

    let cwasm = &files.seed_cwasm;
    Proc::new(&bins.wasmtime)
        .arg("compile")
        .arg(&files.seed)
        .arg("-o")
        .arg(cwasm)
        .run_once()
        .context("failed to precompile the seed with `wasmtime compile`")?;
    let wasmtime_cwasm = wasmtime_run(&["--allow-precompiled"], cwasm);

    // Both tools must give the same answer before their times mean anything.
    let ours = wcompose_run(&[]).stdout()?;
    let theirs = wasmtime_cold.stdout()?;
    if !ours.trim_start().starts_with("ok(") {
        bail!("`wcompose run --invoke {SEED_CALL}` printed {ours:?}, expected ok(...)");
    }
    if ours.trim() != theirs.trim() {
        notes.push(format!(
            "`run --invoke {SEED_CALL}` prints `{}` with wcompose and `{}` with wasmtime.",
            ours.trim(),
            theirs.trim()
        ));
    }

    let help = Proc::new(&bins.wcompose).args(["run", "--help"]).stdout()?;
    let has_no_cache = help.contains("--no-cache");

    let warm = compare(
        files,
        plan,
        "run-warm",
        "`run --invoke`, warm cache",
        wcompose_run(&[]),
        "wasmtime run (warm cache)",
        wasmtime_warm,
    )?;
    let cached = std::fs::read_dir(&wcompose_cache)
        .map(|entries| entries.flatten().count())
        .unwrap_or(0);
    if cached == 0 {
        notes.push(format!(
            "`wcompose run` wrote nothing to `{}`: in this build it compiles on every run, so its \
             \"warm\" rows are cold runs.",
            wcompose::run::CACHE_DIR_ENV
        ));
    }
    let precompiled = compare(
        files,
        plan,
        "run-precompiled",
        "`run --invoke`, warm cache, vs a `.cwasm`",
        wcompose_run(&[]),
        "wasmtime run --allow-precompiled",
        wasmtime_cwasm,
    )?;

    let cold_ours = if has_no_cache {
        wcompose_run(&["--no-cache"])
    } else {
        notes.push(
            "`wcompose run` has no `--no-cache` in this build; the cold row runs it as it is."
                .to_string(),
        );
        wcompose_run(&[])
    };
    let cold = compare(
        files,
        &Plan {
            warmups: 1,
            ..*plan
        },
        "run-cold",
        "`run --invoke`, no cache",
        cold_ours,
        "wasmtime run -C cache=n",
        wasmtime_cold,
    )?;
    let mut rows = vec![warm, precompiled, cold];

    // The same call on the WASI 0.3 report composition, where it is an
    // async export awaiting an async import across a component boundary.
    if files.report.exists() {
        let wcompose_async = Proc::new(&bins.wcompose)
            .env(wcompose::run::CACHE_DIR_ENV, &wcompose_cache)
            .arg("run")
            .arg(&files.report)
            .args(["--invoke", SEED_CALL])
            .current_dir(&files.root);
        let ours = wcompose_async.stdout()?;
        let theirs = wasmtime_warm_on(&files.report).stdout()?;
        if !ours.trim_start().starts_with("ok(") {
            bail!(
                "`wcompose run report.wasm --invoke {SEED_CALL}` printed {ours:?}, expected ok(...)"
            );
        }
        if ours.trim() != theirs.trim() {
            notes.push(format!(
                "`run --invoke {SEED_CALL}` on report.wasm prints `{}` with wcompose and `{}` with wasmtime.",
                ours.trim(),
                theirs.trim()
            ));
        }
        rows.push(compare(
            files,
            plan,
            "run-async-warm",
            "`run --invoke` of an async export (report.wasm, WASI 0.3), warm cache",
            wcompose_async,
            "wasmtime run (warm cache)",
            wasmtime_warm_on(&files.report),
        )?);
    } else {
        notes.push(format!(
            "`{}` was not built, so the async `run --invoke` row is missing.",
            files.report.display()
        ));
    }
    Ok(rows)
}

/// The cold-start rows of the seed composition.
fn cold_start(report: &Report, in_process: &inproc::InProcess) -> Vec<ColdStart> {
    let mut rows = Vec::new();
    let mut push = |what: &str, median: Duration| {
        rows.push(ColdStart {
            what: what.to_string(),
            median,
        })
    };
    if let Some(cold) = report.process("run-cold") {
        push(
            "`wcompose run --invoke`, no cache (whole process)",
            cold.ours.stats.median,
        );
        if let Some((_, r)) = &cold.reference {
            push(
                "`wasmtime run --invoke`, cache off (whole process)",
                r.stats.median,
            );
        }
    }
    if let Some(warm) = report.process("run-warm") {
        push(
            "`wcompose run --invoke`, warm cache (whole process)",
            warm.ours.stats.median,
        );
        if let Some((_, r)) = &warm.reference {
            push(
                "`wasmtime run --invoke`, warm cache (whole process)",
                r.stats.median,
            );
        }
    }
    push(
        "in process: compile, instantiate, call",
        in_process.load_compiled.median + in_process.first_call.median,
    );
    push(
        "in process: load from the cache, instantiate, call",
        in_process.load_cached.median + in_process.first_call.median,
    );
    push(
        "in process: instantiate and call (runner loaded)",
        in_process.first_call.median,
    );
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_is_the_only_option() {
        assert_eq!(Options::parse(&[]).unwrap(), Options { quick: false });
        assert_eq!(
            Options::parse(&["--quick".to_string()]).unwrap(),
            Options { quick: true }
        );
        let error = Options::parse(&["--fast".to_string()]).unwrap_err();
        assert!(error.to_string().contains("`--fast`"), "{error}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_running_install_of_the_same_tool_is_seen() {
        let spec = "wcompose-bench-test-tool@0.0.1";
        assert!(!install_running(spec));
        let mut child = std::process::Command::new("sh")
            .args(["-c", &format!("sleep 30; : cargo install {spec}")])
            .spawn()
            .unwrap();
        // Until the child has exec'd, its command line is still the test's;
        // poll for a while rather than race it.
        let seen = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            install_running(spec)
        });
        let _ = child.kill();
        let _ = child.wait();
        assert!(seen);
    }

    #[test]
    fn a_quick_run_stops_at_100_components() {
        assert_eq!(Options { quick: true }.scaling_sizes().last(), Some(&100));
        assert_eq!(Options { quick: false }.scaling_sizes().last(), Some(&400));
    }
}

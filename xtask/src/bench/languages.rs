//! What each guest language costs at build time and at call time: a clean
//! build of the calculator of every language with its own toolchain
//! (cargo for Rust, with its crate dependencies; clang for C and C++;
//! componentize-py and componentize-js), and a warm call of its `add` on
//! one instance, in process. The toolchains are those `cargo xtask
//! compose` installed; the components are those it built.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use wasmtime::component::Val;
use wcompose::build::guest::{self, Guest, Job, Language};
use wcompose::build::toolchain::{self, ToolchainOptions};
use wcompose::run::{Cache, Runner, RunnerOptions};
use wcompose::workspace::{GuestBuild, Workspace};

use super::report::Measurement;
use super::stats::{Plan, Stats, format_duration};

/// The calculator of each language: its guest (a crate of `components/`
/// for Rust, a folder with a `wcompose.toml` for the others), its
/// package, and the keys of its two rows.
struct Calculator {
    language: Language,
    /// The language as the report names it.
    label: &'static str,
    guest: &'static str,
    package: &'static str,
    call_key: &'static str,
    build_key: &'static str,
}

const CALCULATORS: [Calculator; 5] = [
    Calculator {
        language: Language::Rust,
        label: "Rust",
        guest: "calculator",
        package: "toolsku:calculator",
        call_key: "call-add-rust",
        build_key: "build-rust",
    },
    Calculator {
        language: Language::C,
        label: "C",
        guest: "calculator-c",
        package: "toolsku:calculator-c",
        call_key: "call-add-c",
        build_key: "build-c",
    },
    Calculator {
        language: Language::Cpp,
        label: "C++",
        guest: "calculator-cpp",
        package: "toolsku:calculator-cpp",
        call_key: "call-add-cpp",
        build_key: "build-cpp",
    },
    Calculator {
        language: Language::Python,
        label: "Python",
        guest: "calculator-py",
        package: "toolsku:calculator-py",
        call_key: "call-add-python",
        build_key: "build-python",
    },
    Calculator {
        language: Language::JavaScript,
        label: "JavaScript",
        guest: "calculator-js",
        package: "toolsku:calculator-js",
        call_key: "call-add-javascript",
        build_key: "build-javascript",
    },
];

/// The warm-call rows, one per language, on the components in `deps_dir`.
pub fn warm_calls(
    deps_dir: &Path,
    cache_dir: &Path,
    plan: &Plan,
    batch_time: Duration,
) -> Result<Vec<Measurement>> {
    let mut rows = Vec::new();
    let args = [Val::Float64(1.5), Val::Float64(2.25)];
    for calculator in &CALCULATORS {
        let path = wcompose::workspace::package_path(deps_dir, calculator.package);
        let bytes =
            std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        let runner = Runner::new(
            &bytes,
            RunnerOptions {
                cache: Some(Cache::new(cache_dir)),
                ..Default::default()
            },
        )
        .map_err(|e| anyhow!("{}: {}", calculator.package, wcompose::error_chain(&e)))?;
        let function = runner
            .function("add")
            .map_err(|e| anyhow!("{}: {}", calculator.package, wcompose::error_chain(&e)))?;
        let mut instance = runner
            .instantiate()
            .map_err(|e| anyhow!("{}: {}", calculator.package, wcompose::error_chain(&e)))?;
        let stats = plan.per_iteration(batch_time, || {
            let results = instance
                .call_function(&function, &args)
                .map_err(|e| anyhow!("{}: {}", calculator.package, wcompose::error_chain(&e)))?;
            match results.as_slice() {
                [Val::Float64(sum)] if *sum == 3.75 => Ok(()),
                other => Err(anyhow!(
                    "{}: add(1.5, 2.25) gave {other:?}",
                    calculator.package
                )),
            }
        })?;
        eprintln!(
            "  warm call add on the {} calculator: {}",
            calculator.label,
            format_duration(stats.median)
        );
        rows.push(row(
            calculator.call_key,
            format!(
                "warm call add(1.5, 2.25) on one instance: {} calculator",
                calculator.label
            ),
            stats,
        ));
    }
    Ok(rows)
}

/// The build rows, one per language: a clean build of its calculator into
/// `scratch`, each sample from nothing but the installed toolchain.
pub fn builds(root: &Path, scratch: &Path, plan: &Plan) -> Result<Vec<Measurement>> {
    let workspace = Workspace::new(root);
    let options = ToolchainOptions::new(workspace.toolchains_dir());
    let guests = guest::discover(&workspace.components_dir())
        .map_err(|e| anyhow!("{}", wcompose::error_chain(&e)))?;
    let mut rows = Vec::new();
    for calculator in &CALCULATORS {
        let out_dir = scratch.join(calculator.guest);
        let stats = if calculator.language == Language::Rust {
            plan.sample(|| {
                clean(&out_dir)?;
                rust_build(&workspace, calculator.guest, &out_dir)
            })?
        } else {
            let guest = guests
                .iter()
                .find(|(name, _)| name == calculator.guest)
                .with_context(|| format!("no guest `{}` in components/", calculator.guest))?
                .1
                .as_ref()
                .map_err(|e| anyhow!("{}: {}", calculator.guest, wcompose::error_chain(e)))?;
            let toolchain = guest.language.toolchain().expect("a non-Rust guest");
            let tools = toolchain::find_or_install(toolchain, &options, &mut |_| {})
                .map_err(|e| anyhow!("{}: {}", calculator.guest, wcompose::error_chain(&e)))?;
            plan.sample(|| {
                clean(&out_dir)?;
                build_one(&workspace, guest, &tools, &out_dir)
            })?
        };
        eprintln!(
            "  clean build of the {} calculator: {}",
            calculator.label,
            format_duration(stats.median)
        );
        rows.push(row(
            calculator.build_key,
            format!(
                "clean build of the {} calculator ({})",
                calculator.label,
                how(calculator.language)
            ),
            stats,
        ));
    }
    Ok(rows)
}

/// What a clean build of a language runs.
fn how(language: Language) -> &'static str {
    match language {
        Language::Rust => "cargo, release, with its crate dependencies",
        Language::C => "bindings, clang, wasm-ld",
        Language::Cpp => "bindings, clang++, wasm-ld",
        Language::Python => "componentize-py",
        Language::JavaScript => "componentize-js",
    }
}

fn rust_build(workspace: &Workspace, krate: &str, target_dir: &Path) -> Result<Duration> {
    let start = Instant::now();
    GuestBuild {
        manifest: workspace.components_dir().join("Cargo.toml"),
        target: wcompose::workspace::GUEST_TARGET.to_string(),
        target_dir: target_dir.to_owned(),
        packages: vec![krate.to_string()],
    }
    .run()
    .map_err(|e| anyhow!("{krate}: {}", wcompose::error_chain(&e)))?;
    Ok(start.elapsed())
}

fn build_one(
    workspace: &Workspace,
    guest: &Guest,
    tools: &toolchain::Tools,
    out_dir: &Path,
) -> Result<Duration> {
    let start = Instant::now();
    let wit: PathBuf = out_dir.join("wit");
    let error = |e: guest::GuestError| anyhow!("{}: {}", guest.name, wcompose::error_chain(&e));
    guest::assemble_wit(&workspace.wit_dir(), &guest.world, &wit).map_err(error)?;
    wcompose::build::build_one(&Job {
        guest,
        wit: &wit,
        out_dir,
        tools,
    })
    .map_err(error)?;
    Ok(start.elapsed())
}

fn clean(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("failed to remove `{}`", dir.display())),
    }
}

fn row(key: &'static str, what: String, stats: Stats) -> Measurement {
    Measurement { key, what, stats }
}

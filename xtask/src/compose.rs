//! `cargo xtask compose`: the whole pipeline, from shared WIT to composed
//! components running under wasmtime (WASI 0.2, and 0.3 for the report
//! composition).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use wcompose::build::Outcome;
use wcompose::build::guest::Event;
use wcompose::build::toolchain::ToolchainOptions;
use wcompose::run::{Cache, Io, Runtime, RuntimeOptions};
use wcompose::workspace::Workspace;

/// Prints one line of the build's progress to stderr. On a terminal
/// (outside CI) a line that is not `done` stays open, and the next line
/// replaces it: one progress line per guest while it builds. Elsewhere
/// every line is a plain line. An empty line that is not `done` only
/// clears what is open.
fn progress(text: &str, done: bool) {
    use std::io::IsTerminal;
    use std::io::Write;
    static LIVE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let live =
        *LIVE.get_or_init(|| std::io::stderr().is_terminal() && std::env::var_os("CI").is_none());
    let mut stderr = std::io::stderr().lock();
    let _ = match (live, done) {
        (false, _) if text.is_empty() => Ok(()),
        (false, _) => writeln!(stderr, "{text}"),
        (true, true) => writeln!(stderr, "\r\x1b[2K{text}"),
        (true, false) => write!(stderr, "\r\x1b[2K{text}").and_then(|()| stderr.flush()),
    };
}

/// The call made on the seed composition at the end of the pipeline.
const SEED_CALL: &str = r#"csv-to-json("item,price,qty\napple,1.25,4\npear,0.75,10")"#;

pub fn run(root: &Path, offline: bool) -> Result<()> {
    let workspace = Workspace::new(root);
    let start = Instant::now();

    eprintln!(
        "building guests in {}",
        workspace.components_dir().display()
    );
    let options = ToolchainOptions::new(workspace.toolchains_dir());
    let guests =
        wcompose::build::build_guests(&workspace, &options, &mut |event| print_event(root, &event))
            .map_err(|e| {
                // The open progress line is not the start of the error.
                progress("", false);
                render(e)
            })?;
    if !guests.failed.is_empty() {
        let names: Vec<&str> = guests.failed.iter().map(|(n, _)| n.as_str()).collect();
        anyhow::bail!(
            "guests failed to build: {}; the others are in {}",
            names.join(", "),
            relative(root, &workspace.guest_target_dir())
        );
    }
    progress(
        &format!(
            "  {} guests ({:.1?})",
            guests.outputs.len(),
            start.elapsed()
        ),
        true,
    );

    let step = Instant::now();
    let lock_path = root.join(wcompose::build::LOCKFILE);
    match wcompose::build::build_compositions_with(&workspace, &guests, &lock_path, offline)
        .map_err(render)?
    {
        Outcome::UpToDate(lock) => eprintln!(
            "  up to date: {} components and {} compositions match {} ({:.1?})",
            lock.components.len(),
            lock.compositions.len(),
            wcompose::build::LOCKFILE,
            step.elapsed()
        ),
        Outcome::Built {
            lock,
            lock_changed,
            fetched,
            ..
        } => {
            for (name, resolved) in &fetched {
                if resolved.origin != wcompose::registry::packages::Origin::Cache {
                    eprintln!(
                        "  fetched {name} from {} ({})",
                        resolved.pin.reference, resolved.pin.digest
                    );
                }
            }
            for (core, component) in &lock.components {
                let path =
                    wcompose::workspace::package_path(&workspace.deps_dir(), &component.package);
                eprintln!("  componentized {core:<20} -> {}", relative(root, &path));
            }
            for (name, composition) in &lock.compositions {
                eprintln!(
                    "  composed {} -> {} (checked against host `{}`)",
                    composition.file,
                    relative(root, &workspace.out_dir.join(format!("{name}.wasm"))),
                    composition.host
                );
            }
            let note = if lock_changed { "updated" } else { "unchanged" };
            eprintln!(
                "  built in {:.1?}; {} {note}",
                step.elapsed(),
                wcompose::build::LOCKFILE
            );
        }
    }

    // Compiled code is cached next to the outputs, so that a run with
    // nothing changed loads it instead of compiling again.
    let runtime = Runtime::with_options(RuntimeOptions {
        cache: Some(Cache::new(workspace.cache_dir())),
        ..Default::default()
    })
    .map_err(render)?;
    for name in ["seed", "polyglot-seed"] {
        let seed = workspace.out_dir.join(format!("{name}.wasm"));
        if seed.exists() {
            let loaded = runtime.load(&std::fs::read(&seed)?).map_err(render)?;
            let (results, _) = loaded.invoke(SEED_CALL, &Io::default()).map_err(render)?;
            println!("{name}.wasm {SEED_CALL}");
            for value in results {
                println!("{}", wcompose::run::wave(&value));
            }
        }
    }
    let requests = workspace.compositions_dir().join("requests.jsonl");
    for name in ["app", "polyglot-app"] {
        let app = workspace.out_dir.join(format!("{name}.wasm"));
        if !app.exists() || !requests.exists() {
            continue;
        }
        let loaded = runtime.load(&std::fs::read(&app)?).map_err(render)?;
        let stdin = std::fs::read(&requests)
            .with_context(|| format!("failed to read `{}`", requests.display()))?;
        let io = Io {
            stdin: Some(stdin),
            capture: true,
            args: vec!["app".to_string()],
        };
        let outcome = loaded.run_command(&io).map_err(render)?;
        println!("{name}.wasm < {}", relative(root, &requests));
        print!("{}", String::from_utf8_lossy(&outcome.stdout));
        eprint!("{}", String::from_utf8_lossy(&outcome.stderr));
        println!("(exit status {})", outcome.exit_code);
    }
    // The WASI 0.3 composition: the async report command streams the same
    // table through the async formatter, and its async export is invoked.
    let report = workspace.out_dir.join("report.wasm");
    let table = workspace.compositions_dir().join("table.csv");
    if report.exists() && table.exists() {
        let loaded = runtime.load(&std::fs::read(&report)?).map_err(render)?;
        let stdin = std::fs::read(&table)
            .with_context(|| format!("failed to read `{}`", table.display()))?;
        let io = Io {
            stdin: Some(stdin),
            capture: true,
            args: vec!["report".to_string()],
        };
        let outcome = loaded.run_command(&io).map_err(render)?;
        println!("report.wasm < {}", relative(root, &table));
        print!("{}", String::from_utf8_lossy(&outcome.stdout));
        eprint!("{}", String::from_utf8_lossy(&outcome.stderr));
        println!("(exit status {})", outcome.exit_code);
        let (results, _) = loaded.invoke(SEED_CALL, &Io::default()).map_err(render)?;
        println!("report.wasm {SEED_CALL}");
        for value in results {
            println!("{}", wcompose::run::wave(&value));
        }
    }
    eprintln!("done in {:.1?}", start.elapsed());
    Ok(())
}

/// One plain line per step of the guest build (the pipeline runs in CI
/// more than on a terminal).
pub fn print_event(root: &Path, event: &Event<'_>) {
    let line = |text: String| progress(&text, true);
    match event {
        Event::Installing { toolchain, command } => {
            line(format!("  installing {toolchain}: {command}"))
        }
        Event::Installed { toolchain, elapsed } => {
            line(format!("  installed {toolchain} ({elapsed:.1?})"))
        }
        Event::InstallingRustTargets { targets } => line(format!(
            "  installing Rust targets: rustup target add {}",
            targets.join(" ")
        )),
        Event::Building { guest, language } => {
            progress(&format!("  building {guest} ({language}) ..."), false)
        }
        Event::Built {
            guest,
            language,
            wasm,
            elapsed,
            up_to_date,
        } => {
            let size = std::fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
            let how = if *up_to_date {
                "up to date".to_string()
            } else {
                format!("{elapsed:.1?}")
            };
            line(format!(
                "  built {guest} ({language}) -> {} ({size} bytes, {how})",
                relative(root, wasm)
            ));
        }
        Event::Failed { guest, error } => line(format!(
            "  failed {guest}: {}",
            wcompose::error_chain(*error)
        )),
    }
}

/// Library errors carry their detail in the cause chain; show all of it.
fn render(error: impl std::error::Error + Send + Sync + 'static) -> anyhow::Error {
    anyhow::anyhow!("{}", wcompose::error_chain(&error))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

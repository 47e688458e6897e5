//! Fixture tests for `wcompose componentize`, one trial per case folder
//! (run one with `cargo nextest run -p wcompose --test componentize -- NAME`).
//!
//! Protocol: every folder under `tests/componentize/cases/` (trial
//! `cases/<folder>`) holds a core module `input.wat` that becomes a
//! component, and every folder under `tests/componentize/fail/` (trial
//! `fail/<folder>`) one that cannot. An optional `args` file holds the
//! further arguments of the command line, `{case}` standing for the case
//! folder; the trial runs the binary as
//! `wcompose componentize {case}/input.wat -o {out}/component.wasm ARGS`.
//!
//! - `stderr`: the exit status and the whole stderr (paths as `{case}` and
//!   `{out}`); a case under `cases/` exits 0, one under `fail/` exits 1
//!   and writes nothing;
//! - `component.wit` (`cases/` only): the component's world, printed by
//!   wit-component's `WitPrinter`.
//!
//! Each trial also asks the oracle, wit-component's `ComponentEncoder`
//! configured as `wasm-tools component new` 1.263 configures it (the
//! world embedded first as `wasm-tools component embed` does, output
//! validated, debug names on unless `--debug-names=false`, the `--adapt`
//! adapters and then the WASI preview-1 adapter given before the module):
//! the component must be byte for byte the oracle's, and a case under
//! `fail/` must be refused by the oracle too. `cargo xtask interop
//! componentize` compares the same outputs with the `wasm-tools` CLI.
//!
//! `differential/...` trials compare wcompose with the same oracle on
//! generated core modules (see `differential.rs`).
//!
//! A missing expected file fails the trial; `BLESS=1` writes every expected
//! file from the current output. Review the diff before committing it.

#[path = "../common/mod.rs"]
mod common;
mod differential;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Failed, Problems};

fn main() {
    let mut trials = common::trials_for("componentize", "cases", |case| run_case(case, true));
    trials.extend(common::trials_for("componentize", "fail", |case| {
        run_case(case, false)
    }));
    trials.extend(differential::trials());
    common::run(trials)
}

/// What a case's command line asks for, as the oracle needs it.
#[derive(Default)]
struct Args {
    all: Vec<String>,
    wit: Option<PathBuf>,
    world: Option<String>,
    adapt: Vec<(String, PathBuf)>,
    adapter: Option<String>,
    debug_names: bool,
}

fn args_of(case: &Path) -> Args {
    let text = std::fs::read_to_string(case.join("args")).unwrap_or_default();
    let all: Vec<String> = text
        .split_whitespace()
        .map(|a| a.replace("{case}", &case.display().to_string()))
        .collect();
    let mut args = Args {
        debug_names: true,
        ..Default::default()
    };
    let mut iter = all.iter();
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().cloned().expect("a value after the flag");
        match arg.as_str() {
            "--wit" => args.wit = Some(PathBuf::from(value())),
            "--world" => args.world = Some(value()),
            "--adapter" => args.adapter = Some(value()),
            "--adapt" => {
                let v = value();
                let (name, file) = v.split_once('=').expect("`--adapt NAME=FILE` in a case");
                args.adapt.push((name.to_string(), PathBuf::from(file)));
            }
            "--debug-names=false" => args.debug_names = false,
            other => panic!("{}: the harness does not know `{other}`", case.display()),
        }
    }
    args.all = all;
    args
}

/// Replaces the case and output folders in `text` by `{case}` and `{out}`.
fn redact(text: &str, case: &Path, out: &Path) -> String {
    text.replace(&case.display().to_string(), "{case}")
        .replace(&out.display().to_string(), "{out}")
}

fn run_case(case: &Path, succeeds: bool) -> Result<(), Failed> {
    let mut problems = Problems::default();
    let args = args_of(case);
    let out = tempfile::tempdir().unwrap();
    let output_file = out.path().join("component.wasm");
    let input = case.join("input.wat");
    let run = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .arg("componentize")
        .arg(&input)
        .arg("-o")
        .arg(&output_file)
        .args(&args.all)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let code = run.status.code();
    let stderr = String::from_utf8_lossy(&run.stderr);
    problems.snapshot(
        &case.join("stderr"),
        &format!(
            "exit {}\n{}",
            code.map_or("none".to_string(), |c| c.to_string()),
            redact(&stderr, case, out.path())
        ),
    );
    let oracle = oracle(&input, &args);
    if succeeds {
        if code != Some(0) {
            problems.push(format!("exit {code:?}, expected 0"));
            return problems.finish();
        }
        let bytes = std::fs::read(&output_file).unwrap();
        problems.snapshot(&case.join("component.wit"), &world_of(&bytes));
        match oracle {
            Ok(expected) if expected == bytes => {}
            Ok(expected) => problems.push(format!(
                "the component ({} bytes) differs from ComponentEncoder's ({} bytes)",
                bytes.len(),
                expected.len()
            )),
            Err(e) => problems.push(format!("ComponentEncoder refuses the case: {e}")),
        }
    } else {
        if code != Some(1) {
            problems.push(format!("exit {code:?}, expected 1"));
        }
        let written: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
        if !written.is_empty() {
            problems.push(format!("a failed run wrote {} file(s)", written.len()));
        }
        if let Ok(bytes) = oracle {
            problems.push(format!(
                "ComponentEncoder accepts the case ({} bytes), wcompose refuses it",
                bytes.len()
            ));
        }
    }
    problems.finish()
}

/// The component's world as WIT.
fn world_of(component: &[u8]) -> String {
    let decoded = wit_component::decode(component).unwrap();
    let mut printer = wit_component::WitPrinter::default();
    printer
        .print(decoded.resolve(), decoded.package(), &[])
        .unwrap();
    printer.output.to_string()
}

/// What `wasm-tools component embed` and `component new` make of the case,
/// by their own steps.
fn oracle(input: &Path, args: &Args) -> Result<Vec<u8>, String> {
    let text = |e: anyhow::Error| format!("{e:#}");
    let mut module = wat::parse_file(input).map_err(|e| e.to_string())?;
    if let Some(wit) = &args.wit {
        let mut resolve = wit_parser::Resolve::default();
        let (pkg, _) = resolve.push_path(wit).map_err(text)?;
        let world = resolve
            .select_world(&[pkg], args.world.as_deref())
            .map_err(text)?;
        wit_component::embed_component_metadata(
            &mut module,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
            false,
        )
        .map_err(text)?;
    }
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.validate(true).debug_names(args.debug_names);
    for (name, file) in &args.adapt {
        let adapter = wat::parse_file(file).map_err(|e| e.to_string())?;
        encoder.adapter(name, &adapter).map_err(text)?;
    }
    if let Some(adapter) = preview1_adapter(&module, args) {
        encoder
            .adapter("wasi_snapshot_preview1", adapter.bytes())
            .map_err(text)?;
    }
    encoder.module(&module).map_err(text)?;
    encoder.encode().map_err(text)
}

/// The WASI preview-1 adapter of the documented rule: none when the module
/// does not import preview 1 or an adapter is given for it; else the one
/// asked for, the command adapter for a module with `_start`, the reactor
/// adapter for one without.
fn preview1_adapter(module: &[u8], args: &Args) -> Option<wcompose::componentize::Adapter> {
    use wcompose::componentize::Adapter;
    if args
        .adapt
        .iter()
        .any(|(name, _)| name == "wasi_snapshot_preview1")
    {
        return None;
    }
    let mut preview1 = false;
    let mut start = false;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.ok()? {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    preview1 |= import.ok()?.module == "wasi_snapshot_preview1";
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    start |= export.ok()?.name == "_start";
                }
            }
            _ => {}
        }
    }
    if !preview1 {
        return None;
    }
    Some(match args.adapter.as_deref() {
        Some("command") => Adapter::Command,
        Some(_) => Adapter::Reactor,
        None if start => Adapter::Command,
        None => Adapter::Reactor,
    })
}

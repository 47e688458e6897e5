//! The `wcompose` binary at the process edge: exit statuses, messages,
//! files written whole or not at all.

use std::process::{Command, Output};

use crate::support::{self, Built};

/// A `wcompose` command whose compile cache lives in the test's temporary
/// folder, never in the user's cache.
fn command() -> Command {
    command_in(&std::env::temp_dir().join(format!("wcompose-test-cache-{}", std::process::id())))
}

/// A `wcompose` command whose cache folder is `cache`.
fn command_in(cache: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wcompose"));
    command
        .env("WCOMPOSE_CACHE_DIR", cache)
        .env("NO_COLOR", "1");
    command
}

fn wcompose(args: &[&str]) -> Output {
    command().args(args).env("NO_COLOR", "1").output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn compose_refuses_a_mismatch_and_writes_nothing() {
    let built = Built::new();
    let wit = wcompose::wit::load(&support::root().join("tests/fixtures/calculator-s32")).unwrap();
    std::fs::write(
        built.dep("toolsku:calculator"),
        wit.stub_component(None).unwrap(),
    )
    .unwrap();
    let out = built.workspace.out_dir.join("seed.wasm");
    let output = wcompose(&[
        "compose",
        built.composition("seed.wac").to_str().unwrap(),
        "--deps-dir",
        built.deps_dir().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("toolsku:calculator/ops.add, parameter a: the import expects f64, the export provides s32"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!out.exists(), "an output file was written");
}

#[test]
fn compose_remembers_the_core_modules_it_validated_for_the_next_command() {
    let built = Built::new();
    let cache = tempfile::tempdir().unwrap();
    let valid = cache.path().join("valid");
    let entries = || std::fs::read_dir(&valid).map_or(0, |d| d.count());
    let out = built.workspace.out_dir.join("seed.wasm");
    let seed = built.composition("seed.wac");
    let deps = built.deps_dir();
    let run = |command: &str, extra: &[&str]| {
        let mut args = vec![
            command,
            seed.to_str().unwrap(),
            "--deps-dir",
            deps.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let output = command_in(cache.path()).args(&args).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };

    // `--no-cache` checks every body and remembers nothing.
    run("compose", &["-o", out.to_str().unwrap(), "--no-cache"]);
    assert_eq!(entries(), 0);
    let first = std::fs::read(&out).unwrap();

    // Otherwise each core module whose bodies were checked is remembered.
    run("compose", &["-o", out.to_str().unwrap()]);
    let modules = wasmparser::Parser::new(0)
        .parse_all(&first)
        .filter(|p| matches!(p, Ok(wasmparser::Payload::ModuleSection { .. })))
        .count();
    assert!(modules >= 2, "{modules} core modules");
    assert_eq!(entries(), modules);
    assert_eq!(std::fs::read(&out).unwrap(), first);

    // The next commands find them all: nothing new is written, and the
    // output is the same.
    run("compose", &["-o", out.to_str().unwrap()]);
    run("check", &[]);
    assert_eq!(entries(), modules);
    assert_eq!(std::fs::read(&out).unwrap(), first);
}

#[test]
fn compose_then_run_invoke_through_the_binary() {
    let built = Built::new();
    let out = built.workspace.out_dir.join("seed.wasm");
    let output = wcompose(&[
        "compose",
        built.composition("seed.wac").to_str().unwrap(),
        "--deps-dir",
        built.deps_dir().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let output = wcompose(&[
        "run",
        out.to_str().unwrap(),
        "--invoke",
        r#"format.csv-to-json("a\n1")"#,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("ok(\"{"), "{stdout}");

    // An `err` result exits 1, unlike `wasmtime run --invoke`.
    let output = wcompose(&[
        "run",
        out.to_str().unwrap(),
        "--invoke",
        r#"json-pretty("{")"#,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    // A name the component does not export lists what it does export.
    let output = wcompose(&["run", out.to_str().unwrap(), "--invoke", "nope()"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("toolsku:formatter/format#csv-to-json: func(csv: string)"));
}

#[test]
fn run_passes_stdin_to_a_command_and_returns_its_exit_status() {
    let built = Built::new();
    let app = built.workspace.out_dir.join("app.wasm");
    std::fs::write(&app, built.compose("app.wac")).unwrap();
    let mut child = command()
        .args(["run", app.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"op\":\"subtract\",\"a\":5,\"b\":8}\n{\"op\":\"pow\",\"a\":1,\"b\":1}\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "-3\n");
    assert!(stderr(&output).contains("line 2"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(1));
}

/// Runs `wcompose componentize` on the calculator's core module.
fn componentize_calculator(extra: &[&str], out: &std::path::Path) -> Output {
    let core = support::guest_cores()
        .iter()
        .find(|p| p.ends_with("calculator.wasm"))
        .unwrap();
    let mut args = vec!["componentize", core.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    wcompose(&args)
}

#[test]
fn componentize_picks_the_reactor_adapter_for_a_library() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("calculator.component.wasm");
    let output = componentize_calculator(&[], &out);
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("with the reactor adapter"), "{stderr}");
    support::validate(&std::fs::read(&out).unwrap());
}

#[test]
fn the_command_adapter_is_refused_for_a_library_with_an_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    let output = componentize_calculator(&["--adapter", "command"], &out);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("has none: it is a library"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn check_reports_json_for_the_workspace_compositions() {
    let built = Built::new();
    let output = wcompose(&[
        "check",
        built.composition("seed.wac").to_str().unwrap(),
        built.composition("app.wac").to_str().unwrap(),
        "--deps-dir",
        built.deps_dir().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]));
}

/// Killing wcompose while it writes leaves the old file or the new one,
/// never a partial one, and no temporary file behind.
#[test]
fn a_killed_write_leaves_the_old_file_or_the_new_one() {
    let built = Built::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.wasm");
    let expected = built.compose("app.wac");
    for attempt in 0..12u64 {
        std::fs::write(&out, b"old contents").unwrap();
        let mut child = command()
            .args([
                "compose",
                built.composition("app.wac").to_str().unwrap(),
                "--deps-dir",
                built.deps_dir().to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a different moment each time, from immediately to after
        // the write has surely finished.
        std::thread::sleep(std::time::Duration::from_millis(attempt * attempt * 4));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(&out).unwrap();
        assert!(
            now == b"old contents" || now == expected,
            "attempt {attempt}: a partial file of {} bytes",
            now.len()
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "app.wasm")
            .collect();
        // A kill between creating the temporary file and renaming it may
        // leave the temporary file; it is never the output itself.
        assert!(
            leftovers
                .iter()
                .all(|n| n.to_string_lossy().starts_with(".wcompose-")),
            "{leftovers:?}"
        );
    }
}

#[test]
fn a_failed_write_keeps_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a non-empty folder, so the final rename fails.
    let target = dir.path().join("out.wasm");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"kept").unwrap();
    assert!(wcompose::fsutil::write_atomic(&target, b"new").is_err());
    assert_eq!(std::fs::read(target.join("keep")).unwrap(), b"kept");
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["out.wasm"], "a temporary file was left behind");
}

#[test]
fn graph_draws_the_app_composition_as_dot_and_mermaid() {
    let built = Built::new();
    let app = built.composition("app.wac");
    let deps = built.deps_dir();
    let dot = wcompose(&[
        "graph",
        app.to_str().unwrap(),
        "--deps-dir",
        deps.to_str().unwrap(),
    ]);
    assert!(dot.status.success(), "{}", stderr(&dot));
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(dot.starts_with("digraph \"app.wac\" {"), "{dot}");
    for edge in [
        "\"calculator\" -> \"formatter\" [label=\"toolsku:calculator/ops\"];",
        "\"calculator\" -> \"app\" [label=\"toolsku:calculator/ops\"];",
        "\"formatter\" -> \"app\" [label=\"toolsku:formatter/format\"];",
    ] {
        assert!(dot.contains(edge), "missing {edge} in\n{dot}");
    }
    assert!(dot.contains("\"(host)\" -> \"app\""), "{dot}");

    let mermaid = wcompose(&[
        "graph",
        app.to_str().unwrap(),
        "--deps-dir",
        deps.to_str().unwrap(),
        "--format",
        "mermaid",
    ]);
    let mermaid = String::from_utf8(mermaid.stdout).unwrap();
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(
        mermaid.contains("n0 -->|\"toolsku:calculator/ops\"| n1"),
        "{mermaid}"
    );
}

#[test]
fn why_names_the_edge_or_the_host_behind_an_import() {
    let built = Built::new();
    let seed = built.composition("seed.wac");
    let deps = built.deps_dir();
    let why = |name: &str, host: &str| {
        wcompose(&[
            "why",
            name,
            seed.to_str().unwrap(),
            "--deps-dir",
            deps.to_str().unwrap(),
            "--host",
            host,
        ])
    };
    let output = why("ops", "wasmtime");
    assert!(output.status.success(), "{}", stderr(&output));
    let answer = String::from_utf8(output.stdout).unwrap();
    assert!(
        answer.starts_with(
            "`formatter` imports `toolsku:calculator/ops` from `calculator`, passed at "
        ),
        "{answer}"
    );

    let output = why("wasi:cli/stdout", "none");
    let answer = String::from_utf8(output.stdout).unwrap();
    assert!(
        answer
            .contains("leaves `wasi:cli/stdout@0.2.12` to the host (`...`): nothing satisfies it"),
        "{answer}"
    );

    let output = why("nothing-like-this", "wasmtime");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("imports `nothing-like-this`"),
        "{}",
        stderr(&output)
    );
}

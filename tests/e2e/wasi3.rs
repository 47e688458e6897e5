//! WASI 0.3 and Component Model async under `wcompose run` and the
//! embedding [`Runner`]: the report composition (an async command calling
//! an async formatter across a component boundary), and
//! `tests/guests/wasi3`, a WASI 0.3 command with async exports whose first
//! argument picks what it does, built once per test process for
//! wasm32-wasip2 into `target/test-guests`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wasmtime::component::Val;
use wcompose::run::{Limits, RunError, Runner, RunnerOptions};

use crate::support::{self, Built, Ran};

/// The target the WASI 0.3 guests are built for.
const TARGET: &str = "wasm32-wasip2";

/// The wasi3 test guest, built once per test process.
fn probe() -> &'static Path {
    static GUEST: OnceLock<PathBuf> = OnceLock::new();
    GUEST.get_or_init(|| support::build_test_guest("wasi3", TARGET))
}

/// The guests componentized and the report composition composed, once per
/// test process.
fn built() -> &'static (PathBuf, Built) {
    static REPORT: OnceLock<(PathBuf, Built)> = OnceLock::new();
    REPORT.get_or_init(|| {
        let built = Built::new();
        let path = built.workspace.out_dir.join("report.wasm");
        std::fs::write(&path, built.compose("report.wac")).unwrap();
        (path, built)
    })
}

/// The report composition.
fn report() -> &'static Path {
    &built().0
}

/// Runs `wcompose` with `args` and `stdin`, compiled code cached in the
/// test guests' folder.
fn wcompose(args: &[&str], stdin: &str) -> Ran {
    support::wcompose_in(&support::shared_run_cache(), args, stdin, &[])
}

/// Runs the wasi3 guest as a command with `options` for `wcompose run` and
/// `guest` arguments for the guest.
fn run_probe(options: &[&str], guest: &[&str], stdin: &str) -> Ran {
    let mut args = vec!["run", probe().to_str().unwrap()];
    args.extend_from_slice(options);
    args.push("--");
    args.extend_from_slice(guest);
    wcompose(&args, stdin)
}

#[test]
fn the_async_report_streams_rows_through_the_async_formatter_and_reports_refused_ones() {
    let path = report().to_str().unwrap();
    let csv = "item,price,qty\napple,1.25,4\n\npear,0.75\nplum,0.5,2\n";
    let ran = wcompose(&["run", path], csv);
    assert_eq!(ran.code, Some(1), "{ran}");
    let records: Vec<serde_json::Value> = ran
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    assert_eq!(
        records,
        [
            serde_json::json!({"item": "apple", "price": 1.25, "qty": 4}),
            serde_json::json!({"item": "plum", "price": 0.5, "qty": 2}),
        ],
        "{ran}"
    );
    assert_eq!(
        ran.stderr.trim(),
        "error: line 4: row has 2 fields, header has 3",
        "{ran}"
    );

    let ran = wcompose(&["run", path], "a,b\n1,x\n");
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "{\"a\":1,\"b\":\"x\"}\n", "{ran}");
    assert_eq!(ran.stderr, "", "{ran}");
}

#[test]
fn the_report_fails_without_a_header_row() {
    let ran = wcompose(&["run", report().to_str().unwrap()], "\n\n");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.stdout, "", "{ran}");
    assert_eq!(ran.stderr.trim(), "error: no header row on stdin", "{ran}");
}

#[test]
fn invoke_awaits_an_async_export_that_awaits_another_component() {
    let ran = wcompose(
        &[
            "run",
            report().to_str().unwrap(),
            "--invoke",
            r#"csv-to-json("n,m\n1,2\n3,4")"#,
            "--json",
        ],
        "",
    );
    assert_eq!(ran.code, Some(0), "{ran}");
    let result: serde_json::Value = serde_json::from_str(ran.stdout.trim()).unwrap();
    let table: serde_json::Value =
        serde_json::from_str(result["ok"].as_str().unwrap_or_else(|| panic!("{ran}"))).unwrap();
    assert_eq!(
        table["totals"],
        serde_json::json!({"n": 4, "m": 6}),
        "{ran}"
    );
}

#[test]
fn a_wasi_0_3_command_reads_stdin_and_exits_with_its_own_status() {
    let ran = run_probe(&[], &["echo"], "one\ntwo\nthree\n");
    assert_eq!(ran.code, Some(3), "{ran}");
    assert_eq!(ran.stdout, "one\ntwo\nthree\n", "{ran}");
    assert_eq!(ran.stderr, "", "{ran}");

    let ran = run_probe(&[], &["no-such-mode"], "");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("unknown mode"), "{ran}");
}

#[test]
fn a_warm_run_takes_the_host_a_wasi_0_3_command_needs_from_the_cache() {
    // A fresh cache: the first run compiles and stores, the second loads.
    // The second does not scan the input again: the cache file records
    // that the command needs the WASI 0.3 host, which it must get to link.
    let cache = tempfile::tempdir().unwrap();
    let probe = probe().to_str().unwrap();
    let args = ["run", "--verbose", probe, "--", "echo"];
    let first = support::wcompose_in(cache.path(), &args, "one\n", &[]);
    assert_eq!(
        (first.code, first.stdout.as_str()),
        (Some(1), "one\n"),
        "{first}"
    );
    assert!(first.stderr.contains("cache: stored"), "{first}");
    let second = support::wcompose_in(cache.path(), &args, "one\n", &[]);
    assert!(second.stderr.contains("cache: hit"), "{second}");
    assert_eq!(
        (second.code, second.stdout.as_str()),
        (Some(1), "one\n"),
        "{second}"
    );
}

#[test]
fn a_wasi_0_3_guest_is_denied_a_file_until_its_folder_is_granted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("note.txt"), "granted\n").unwrap();
    let host = dir.path().to_str().unwrap();
    let file = format!("{host}/note.txt");

    let ran = run_probe(&[], &["read", &file], "");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.stderr.trim(), format!("denied: {file}"), "{ran}");
    assert_eq!(ran.stdout, "", "{ran}");

    let ran = run_probe(&["--dir", host], &["read", &file], "");
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "granted\n", "{ran}");

    let mapped = format!("{host}::/data");
    let ran = run_probe(&["--dir", &mapped], &["read", "/data/note.txt"], "");
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "granted\n", "{ran}");
}

#[test]
fn a_guest_waiting_forever_on_the_host_or_on_itself_is_stopped_by_the_timeout() {
    for mode in ["sleep", "hang"] {
        let ran = run_probe(&["--timeout", "200ms"], &[mode], "");
        assert_eq!(ran.code, Some(1), "{mode}: {ran}");
        assert!(ran.stderr.contains("time limit of 200ms"), "{mode}: {ran}");
        assert_eq!(ran.stdout, "", "{mode}: {ran}");
    }
}

#[test]
fn invoke_calls_an_async_export_and_prints_its_result() {
    let path = probe().to_str().unwrap();
    for name in ["shout", "calls.shout", "test:wasi3/calls#shout"] {
        let ran = wcompose(
            &["run", path, "--invoke", &format!(r#"{name}("quiet")"#)],
            "",
        );
        assert_eq!(ran.code, Some(0), "{name}: {ran}");
        assert_eq!(ran.stdout, "\"QUIET\"\n", "{name}: {ran}");
    }
}

#[test]
fn a_stream_or_future_in_an_invoked_signature_is_a_usage_error() {
    let path = probe().to_str().unwrap();
    let ran = wcompose(&["run", path, "--invoke", "total([1, 2])"], "");
    assert_eq!(ran.code, Some(2), "{ran}");
    assert!(
        ran.stderr
            .contains("its parameter `items` is a `stream<u32>`, and a stream or future cannot be passed from the command line"),
        "{ran}"
    );
    assert!(!ran.stderr.contains("panicked"), "{ran}");

    let ran = wcompose(&["run", path, "--invoke", "later()"], "");
    assert_eq!(ran.code, Some(2), "{ran}");
    assert!(
        ran.stderr.contains("its result is a `future<string>`"),
        "{ran}"
    );
}

#[test]
fn the_runner_calls_async_exports_in_fresh_and_warm_instances() {
    let bytes = std::fs::read(probe()).unwrap();
    let runner = Runner::new(&bytes, RunnerOptions::default()).unwrap();
    let results = runner
        .call("shout", &[Val::String("fresh".into())])
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
    assert_eq!(results, [Val::String("FRESH".into())]);

    let shout = runner.function("calls.shout").unwrap();
    let mut instance = runner.instantiate().unwrap();
    for word in ["one", "two", "three"] {
        let results = instance
            .call_function(&shout, &[Val::String(word.into())])
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
        assert_eq!(results, [Val::String(word.to_uppercase())]);
    }

    let err = runner.call("total", &[]).unwrap_err();
    assert!(matches!(err, RunError::NotPassable { .. }), "{err:?}");
    assert!(err.is_usage());
}

#[test]
fn the_runner_calls_the_report_composition_across_its_async_edge() {
    let bytes = std::fs::read(report()).unwrap();
    let options = RunnerOptions {
        limits: Limits {
            timeout: Some(std::time::Duration::from_secs(60)),
            ..Limits::default()
        },
        ..RunnerOptions::default()
    };
    let runner = Runner::new(&bytes, options).unwrap();
    let mut instance = runner.instantiate().unwrap();
    for (csv, total) in [("x\n1\n2", 3.0), ("x\n5", 5.0)] {
        let results = instance
            .call("csv-to-json", &[Val::String(csv.into())])
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
        let [Val::Result(Ok(Some(json)))] = results.as_slice() else {
            panic!("{results:?}");
        };
        let Val::String(json) = json.as_ref() else {
            panic!("{json:?}");
        };
        let table: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(table["totals"]["x"].as_f64(), Some(total), "{json}");
    }
}

#[test]
fn a_component_needing_a_feature_wasmtime_leaves_off_is_told_which() {
    let wat = r#"(component
        (core module $mem (memory (export "m") 1))
        (core instance $mi (instantiate $mem))
        (alias core export $mi "m" (core memory $m))
        (core func $new (canon error-context.new (memory $m)))
        (core module $use (import "" "new" (func (param i32 i32) (result i32))))
        (core instance (instantiate $use (with "" (instance (export "new" (func $new)))))))"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error-context.wasm");
    std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
    let ran = wcompose(&["run", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr
            .contains("needs the Component Model feature `error-context`, which wasmtime 48 leaves off by default"),
        "{ran}"
    );
    assert!(
        ran.stderr.contains("`-W component-model-error-context`"),
        "{ran}"
    );
    assert!(!ran.stderr.contains("panicked"), "{ran}");
}

#[test]
fn plugging_the_async_guests_into_the_report_gives_the_same_command_as_composing_them() {
    let built = &built().1;
    let out = tempfile::tempdir().unwrap();
    let plugged = out.path().join("report.wasm");
    let dep = |package: &str| built.dep(package).to_str().unwrap().to_string();
    let (socket, formatter_async, formatter, calculator) = (
        dep("toolsku:report"),
        dep("toolsku:formatter-async"),
        dep("toolsku:formatter"),
        dep("toolsku:calculator"),
    );
    let ran = wcompose(
        &[
            "plug",
            &socket,
            "--plug",
            &formatter_async,
            "--plug",
            &formatter,
            "--plug",
            &calculator,
            "--strict",
            "-o",
            plugged.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(
        ran.stderr.contains(
            "plugged `toolsku:formatter-async/format` of `report` with `formatter-async`"
        ),
        "{ran}"
    );
    assert!(
        ran.stderr
            .contains("left open: `wasi:cli/stdin@0.3.0` of `report`"),
        "{ran}"
    );
    let csv = "k,v\na,1\nb,2,3\n";
    let from_plug = wcompose(&["run", plugged.to_str().unwrap()], csv);
    let from_wac = wcompose(&["run", report().to_str().unwrap()], csv);
    assert_eq!(from_plug.code, Some(1), "{from_plug}");
    assert_eq!(from_plug.stdout, "{\"k\":\"a\",\"v\":1}\n", "{from_plug}");
    assert_eq!(
        (from_plug.code, &from_plug.stdout, &from_plug.stderr),
        (from_wac.code, &from_wac.stdout, &from_wac.stderr)
    );
}

#[test]
fn a_wasi_0_3_guest_sees_only_the_environment_granted_and_stays_within_its_limits() {
    let ran = run_probe(&[], &["env"], "");
    assert_eq!((ran.code, ran.stdout.as_str()), (Some(0), ""), "{ran}");
    let ran = run_probe(&["--env", "MODE=fast"], &["env"], "");
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "MODE=fast\n", "{ran}");

    let path = probe().to_str().unwrap();
    let ran = wcompose(
        &["run", path, "--invoke", r#"shout("x")"#, "--fuel", "100"],
        "",
    );
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("ran out of fuel after 100 units"),
        "{ran}"
    );

    let ran = run_probe(&["--max-memory", "64KiB"], &["echo"], "");
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("memory limit of 64 KiB"), "{ran}");
}

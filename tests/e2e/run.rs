//! `wcompose run` end to end: invoking the seed composition's functions
//! through the binary, commands (stdin, arguments, exit codes), the sandbox,
//! the limits and how traps are reported, the precompiled cache, and the
//! embedding [`Runner`].
//!
//! The sandbox and limit tests run `tests/guests/sandbox`, a wasm32-wasip1
//! binary (so `run` componentizes it with the command adapter) whose first
//! argument picks what it does. It is built once per test process into
//! `target/test-guests`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use wasmtime::component::Val;
use wcompose::run::{RunError, Runner, RunnerOptions};
use wcompose::workspace::GUEST_TARGET;

use crate::support::{self, Built};

/// The sandbox guest, built once per test process.
fn sandbox_guest() -> &'static Path {
    static GUEST: OnceLock<PathBuf> = OnceLock::new();
    GUEST.get_or_init(|| support::build_test_guest("sandbox", GUEST_TARGET))
}

/// Runs `wcompose` with the shared cache and no stdin.
fn wcompose(args: &[&str]) -> support::Ran {
    support::wcompose_in(&support::shared_run_cache(), args, "", &[])
}

/// Runs the sandbox guest with `options` for `wcompose run` and `guest`
/// arguments for the guest.
fn sandbox(options: &[&str], guest: &[&str]) -> support::Ran {
    let path = sandbox_guest().to_str().unwrap();
    let mut args = vec!["run", path];
    args.extend_from_slice(options);
    args.push("--");
    args.extend_from_slice(guest);
    wcompose(&args)
}

/// The seed composition, composed into a temporary folder.
struct Seed {
    path: PathBuf,
    _built: Built,
}

impl Seed {
    fn new() -> Self {
        let built = Built::new();
        let path = built.workspace.out_dir.join("seed.wasm");
        std::fs::write(&path, built.compose("seed.wac")).unwrap();
        Self {
            path,
            _built: built,
        }
    }

    fn invoke(&self, call: &str, options: &[&str]) -> support::Ran {
        let mut args = vec!["run", self.path.to_str().unwrap(), "--invoke", call];
        args.extend_from_slice(options);
        wcompose(&args)
    }
}

#[test]
fn invoke_calls_every_function_of_the_seed_by_any_of_its_names() {
    let seed = Seed::new();
    for name in [
        "json-pretty",
        "format.json-pretty",
        "toolsku:formatter/format#json-pretty",
    ] {
        let ran = seed.invoke(&format!(r#"{name}("[1,{{\"a\":2}}]")"#), &[]);
        assert_eq!(ran.code, Some(0), "{ran}");
        assert_eq!(
            ran.stdout, "ok(\"[\\n  1,\\n  {\\n    \\\"a\\\": 2\\n  }\\n]\")\n",
            "{ran}"
        );
    }

    let ran = seed.invoke(r#"csv-to-json("item,price\napple,1.5\npear,2")"#, &[]);
    assert_eq!(ran.code, Some(0), "{ran}");
    let json = support::ok_string(ran.stdout.trim());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["totals"]["price"], serde_json::json!(3.5));

    // `err(...)` prints the error and exits 1.
    let ran = seed.invoke(r#"json-pretty("{")"#, &[]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stdout.starts_with("err(\"invalid JSON"), "{ran}");
    assert!(
        ran.stderr
            .contains("error: the function returned an error: invalid JSON"),
        "{ran}"
    );
    let ran = seed.invoke(r#"csv-to-json("")"#, &[]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("empty CSV"), "{ran}");
}

#[test]
fn invoke_prints_results_as_json_on_request() {
    let seed = Seed::new();
    let ran = seed.invoke(r#"csv-to-json("a\n1")"#, &["--json"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    let value: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let inner: serde_json::Value = serde_json::from_str(value["ok"].as_str().unwrap()).unwrap();
    assert_eq!(inner["records"], serde_json::json!([{"a": 1}]));

    let ran = seed.invoke(r#"json-pretty("nope")"#, &["--json"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    let value: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert!(
        value["err"].as_str().unwrap().starts_with("invalid JSON"),
        "{ran}"
    );
}

#[test]
fn invoke_refuses_bad_wave_wrong_types_and_wrong_arity_with_exit_2() {
    let seed = Seed::new();
    for function in ["json-pretty", "csv-to-json"] {
        let parameter = if function == "json-pretty" {
            "input"
        } else {
            "csv"
        };
        let signature = format!("expected: func({parameter}: string) -> result<string, string>");

        // Bad WAVE syntax: an unterminated string, a bare word.
        for call in [format!(r#"{function}("a)"#), format!("{function}(a b)")] {
            let ran = seed.invoke(&call, &[]);
            assert_eq!(ran.code, Some(2), "{call}: {ran}");
            assert!(
                ran.stderr.contains("invalid function call"),
                "{call}: {ran}"
            );
            assert!(ran.stderr.contains("invalid WAVE"), "{call}: {ran}");
            assert!(ran.stderr.contains('^'), "{call}: {ran}");
        }

        // A number where a string is expected, with the argument named.
        let ran = seed.invoke(&format!("{function}(42)"), &[]);
        assert_eq!(ran.code, Some(2), "{ran}");
        assert!(
            ran.stderr.contains(&format!(
                "invalid arguments for `toolsku:formatter/format#{function}`: argument 1 (`{parameter}: string`): invalid value type"
            )),
            "{ran}"
        );
        assert!(ran.stderr.contains(&signature), "{ran}");

        // Too many and too few arguments.
        let ran = seed.invoke(&format!(r#"{function}("a", "b")"#), &[]);
        assert_eq!(ran.code, Some(2), "{ran}");
        assert!(
            ran.stderr.contains("it takes 1 argument, but 2 were given"),
            "{ran}"
        );
        assert!(ran.stderr.contains(&signature), "{ran}");
        let ran = seed.invoke(&format!("{function}()"), &[]);
        assert_eq!(ran.code, Some(2), "{ran}");
        assert!(
            ran.stderr.contains("it takes 1 argument, but 0 were given"),
            "{ran}"
        );

        // Not a call at all.
        let ran = seed.invoke(function, &[]);
        assert_eq!(ran.code, Some(2), "{ran}");
        assert!(ran.stderr.contains("missing `(`"), "{ran}");
    }
}

#[test]
fn an_ambiguous_name_lists_the_candidates() {
    let wit = r#"
        package test:twins;
        interface left { f: func() -> u32; }
        interface right { f: func() -> u32; }
        world twins { export left; export right; }
    "#;
    let wat = r#"
        (module
          (func (export "test:twins/left#f") (result i32) i32.const 1)
          (func (export "test:twins/right#f") (result i32) i32.const 2))
    "#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twins.wasm");
    std::fs::write(&path, support::component_from_wat(wit, "twins", wat)).unwrap();
    let path = path.to_str().unwrap();

    let ran = wcompose(&["run", path, "--invoke", "f()"]);
    assert_eq!(ran.code, Some(2), "{ran}");
    assert!(ran.stderr.contains("`f` is ambiguous"), "{ran}");
    assert!(
        ran.stderr.contains("test:twins/left#f: func() -> u32"),
        "{ran}"
    );
    assert!(
        ran.stderr.contains("test:twins/right#f: func() -> u32"),
        "{ran}"
    );

    let ran = wcompose(&["run", path, "--invoke", "right.f()"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "2\n");
}

#[test]
fn a_command_gets_stdin_and_arguments_and_its_output_passes_through() {
    let path = sandbox_guest().to_str().unwrap();
    let ran = support::wcompose_in(
        &support::shared_run_cache(),
        &["run", path, "--", "echo", "one", "--two"],
        "hello\nworld\n",
        &[],
    );
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "args: one --two\nHELLO\nWORLD\n");
    // The core module is componentized on the fly, and the user told once.
    assert_eq!(
        ran.stderr
            .matches("is a core module; it was componentized")
            .count(),
        1,
        "{ran}"
    );
}

#[test]
fn the_guest_exit_status_becomes_the_process_exit_status() {
    assert_eq!(sandbox(&[], &["exit", "0"]).code, Some(0));
    // The preview-1 adapter turns any non-zero `proc_exit` into a failure,
    // which is status 1.
    let ran = sandbox(&[], &["exit", "3"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    // An exit is not a trap.
    assert!(!ran.stderr.contains("trapped"), "{ran}");

    // A component that calls `wasi:cli/exit.exit-with-code` keeps its code.
    let wit = r#"
        package wasi:cli@0.2.12;
        interface exit { exit-with-code: func(status-code: u8); }
        interface run { run: func() -> result; }
        world exits { import exit; export run; }
    "#;
    let wat = r#"
        (module
          (import "wasi:cli/exit@0.2.12" "exit-with-code" (func $exit (param i32)))
          (func (export "wasi:cli/run@0.2.12#run") (result i32)
            i32.const 42
            call $exit
            i32.const 0))
    "#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exits.wasm");
    std::fs::write(&path, support::component_from_wat(wit, "exits", wat)).unwrap();
    let ran = wcompose(&["run", path.to_str().unwrap()]);
    assert_eq!(ran.code, Some(42), "{ran}");
}

#[test]
fn a_file_is_denied_until_its_folder_is_granted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "the secret\n").unwrap();

    let ran = sandbox(&[], &["read", "/data/secret.txt"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("error: cannot read /data/secret.txt"),
        "{ran}"
    );
    assert!(ran.stdout.is_empty(), "{ran}");

    let grant = format!("{}::/data", dir.path().display());
    let ran = sandbox(&["--dir", &grant], &["read", "/data/secret.txt"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "the secret\n");

    // A grant of a folder that does not exist is refused before running.
    let missing = format!("{}::/data", dir.path().join("missing").display());
    let ran = sandbox(&["--dir", &missing], &["read", "/data/secret.txt"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("is not a folder on the host"), "{ran}");
}

#[test]
fn an_environment_variable_is_absent_until_granted() {
    let path = sandbox_guest().to_str().unwrap();
    let host_env = [("WCOMPOSE_TEST_GREETING", "from the host")];
    let run = |options: &[&str]| {
        let mut args = vec!["run", path];
        args.extend_from_slice(options);
        args.extend(["--", "env", "WCOMPOSE_TEST_GREETING"]);
        support::wcompose_in(&support::shared_run_cache(), &args, "", &host_env)
    };

    let ran = run(&[]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("WCOMPOSE_TEST_GREETING is not set"),
        "{ran}"
    );

    let ran = run(&["--env", "WCOMPOSE_TEST_GREETING"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "WCOMPOSE_TEST_GREETING=from the host\n");

    let ran = run(&["--env", "WCOMPOSE_TEST_GREETING=hello"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "WCOMPOSE_TEST_GREETING=hello\n");
}

#[test]
fn an_infinite_loop_is_stopped_by_the_timeout() {
    let ran = sandbox(&["--timeout", "200ms"], &["loop"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains(
            "the guest trapped while running `wasi:cli/run`: it ran past its time limit of 200ms"
        ),
        "{ran}"
    );
    assert!(ran.stderr.contains("wasm trap: interrupt"), "{ran}");
    assert!(ran.stderr.contains("sandbox::main"), "{ran}");
}

#[test]
fn a_guest_blocked_reading_stdin_is_stopped_after_the_timeout() {
    // Epoch interruption cannot reach a guest blocked in the host, so the
    // binary stops it a grace period after the limit.
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .env(wcompose::run::CACHE_DIR_ENV, cache.path())
        .args([
            "run",
            "--timeout",
            "100ms",
            sandbox_guest().to_str().unwrap(),
        ])
        .args(["--", "echo"])
        .env("NO_COLOR", "1")
        .env(wcompose::run::CACHE_DIR_ENV, support::shared_run_cache())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep stdin open, and empty, until wcompose has given up.
    let stdin = child.stdin.take();
    let output = child.wait_with_output().unwrap();
    drop(stdin);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("past its time limit of 100ms, blocked in a host call"),
        "{stderr}"
    );
}

#[test]
fn fuel_exhaustion_stops_the_guest() {
    let ran = sandbox(&["--fuel", "100000"], &["loop"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("it ran out of fuel after 100000 units"),
        "{ran}"
    );
    // The same guest with enough fuel finishes.
    let ran = sandbox(&["--fuel", "100000000"], &["exit", "0"]);
    assert_eq!(ran.code, Some(0), "{ran}");
}

#[test]
fn a_memory_bomb_is_stopped_by_the_memory_limit() {
    let ran = sandbox(&["--max-memory", "32MiB"], &["alloc"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    // The guest's allocator reports the refusal, then aborts.
    assert!(
        ran.stderr
            .contains("memory allocation of 1048576 bytes failed"),
        "{ran}"
    );
    assert!(
        ran.stderr
            .contains("after the memory limit of 32 MiB refused to let its memories grow"),
        "{ran}"
    );
    assert!(ran.stderr.contains("sandbox::alloc"), "{ran}");

    let ran = sandbox(&["--max-memory", "lots"], &["alloc"]);
    assert_eq!(ran.code, Some(2), "{ran}");
    assert!(ran.stderr.contains("does not start with a number"), "{ran}");
}

#[test]
fn deep_recursion_traps_with_a_backtrace_that_names_the_function() {
    let ran = sandbox(&[], &["recurse"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr
            .contains("it exhausted its call stack of 512 KiB (wasm trap: call stack exhausted)"),
        "{ran}"
    );
    assert!(ran.stderr.contains("guest backtrace:"), "{ran}");
    assert!(ran.stderr.contains("sandbox::recurse"), "{ran}");
    assert!(ran.stderr.contains("repeated"), "{ran}");
    assert!(!ran.stderr.contains("panicked"), "{ran}");
}

#[test]
fn a_rust_panic_is_reported_with_its_message() {
    let ran = sandbox(&[], &["panic", "the", "sky", "is", "falling"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("the sky is falling"), "{ran}");
    assert!(
        ran.stderr
            .contains("the guest trapped while running `wasi:cli/run`: wasm trap: wasm `unreachable` instruction executed"),
        "{ran}"
    );
    assert!(ran.stderr.contains("sandbox::main"), "{ran}");
    // The host reports the trap; it does not panic itself.
    assert!(!ran.stderr.contains("this is a bug in wcompose"), "{ran}");
}

/// The `.cwasm` files in a cache folder.
fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
    files
}

#[test]
fn the_second_run_is_a_cache_hit() {
    let cache = tempfile::tempdir().unwrap();
    let path = sandbox_guest().to_str().unwrap();
    let args = ["run", "--verbose", path, "--", "exit", "0"];

    let first = support::wcompose_in(cache.path(), &args, "", &[]);
    assert_eq!(first.code, Some(0), "{first}");
    assert!(first.stderr.contains("cache: miss, compiled in"), "{first}");
    let files = cache_files(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");

    let second = support::wcompose_in(cache.path(), &args, "", &[]);
    assert_eq!(second.code, Some(0), "{second}");
    assert!(
        second
            .stderr
            .contains(&format!("cache: hit {}", files[0].display())),
        "{second}"
    );
    assert!(!second.stderr.contains("compiled in"), "{second}");

    // Different limits compile different code: another entry, not a hit.
    let fuel = ["run", "-v", "--fuel", "1000000000", path, "--", "exit", "0"];
    let third = support::wcompose_in(cache.path(), &fuel, "", &[]);
    assert!(third.stderr.contains("cache: miss"), "{third}");
    assert_eq!(cache_files(cache.path()).len(), 2);

    // `--no-cache` neither reads nor writes.
    let off = ["run", "-v", "--no-cache", path, "--", "exit", "0"];
    let fourth = support::wcompose_in(cache.path(), &off, "", &[]);
    assert!(
        fourth.stderr.contains("cache: off, compiled in"),
        "{fourth}"
    );
    assert_eq!(cache_files(cache.path()).len(), 2);
}

#[test]
fn a_corrupted_cache_file_is_rejected_and_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let path = sandbox_guest().to_str().unwrap();
    let args = ["run", "-v", path, "--", "echo", "still", "works"];
    let first = support::wcompose_in(cache.path(), &args, "", &[]);
    assert_eq!(first.code, Some(0), "{first}");
    let file = cache_files(cache.path())
        .pop()
        .expect("no cache file written");
    let intact = std::fs::read(&file).unwrap();

    // One flipped bit in the compiled code.
    let mut corrupt = intact.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x10;
    std::fs::write(&file, &corrupt).unwrap();
    let ran = support::wcompose_in(cache.path(), &args, "", &[]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.stdout, "args: still works\n");
    assert!(
        ran.stderr.contains(&format!(
            "cache: rejected {}: its content does not match its checksum (the file is corrupt)",
            file.display()
        )),
        "{ran}"
    );
    assert!(ran.stderr.contains("cache: miss, compiled in"), "{ran}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        intact,
        "the entry was not rebuilt"
    );

    // A truncated file and a foreign file are rejected too.
    for (what, bytes) in [
        ("truncated", intact[..intact.len() / 3].to_vec()),
        ("foreign", b"\x7fELF not ours at all".to_vec()),
    ] {
        std::fs::write(&file, &bytes).unwrap();
        let ran = support::wcompose_in(cache.path(), &args, "", &[]);
        assert_eq!(ran.code, Some(0), "{what}: {ran}");
        assert!(ran.stderr.contains("cache: rejected"), "{what}: {ran}");
        assert_eq!(std::fs::read(&file).unwrap(), intact, "{what}");
    }

    let ran = support::wcompose_in(cache.path(), &args, "", &[]);
    assert!(ran.stderr.contains("cache: hit"), "{ran}");
}

#[test]
fn the_runner_calls_the_seed_many_times_in_fresh_and_warm_instances() {
    let seed = Seed::new();
    let bytes = std::fs::read(&seed.path).unwrap();
    let runner = Runner::new(&bytes, RunnerOptions::default()).unwrap();

    let csv = runner.function("csv-to-json").unwrap();
    for n in 0..20 {
        let args = [Val::String(format!("n\n{n}"))];
        let results = runner.call_function(&csv, &args).unwrap();
        let json = support::ok_string(&wcompose::run::wave(&results[0]));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["totals"]["n"], serde_json::json!(n));
    }

    let mut instance = runner.instantiate().unwrap();
    for _ in 0..200 {
        let results = instance
            .call("format.json-pretty", &[Val::String("[1]".to_string())])
            .unwrap();
        assert_eq!(wcompose::run::wave(&results[0]), r#"ok("[\n  1\n]")"#);
    }

    assert!(matches!(
        runner.call("json-pretty", &[]),
        Err(RunError::WrongArity { found: 0, .. })
    ));
    assert!(matches!(
        instance.call("json-pretty", &[Val::U32(1)]),
        Err(RunError::BadArguments { .. })
    ));
    assert!(matches!(
        runner.call("nope", &[]),
        Err(RunError::NoSuchFunction { .. })
    ));
}

#[test]
fn the_runner_caches_compiled_code_and_keeps_limits_per_call() {
    let seed = Seed::new();
    let bytes = std::fs::read(&seed.path).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let options = RunnerOptions {
        cache: Some(wcompose::run::Cache::new(cache.path())),
        limits: wcompose::run::Limits {
            fuel: Some(50_000_000),
            ..Default::default()
        },
        ..Default::default()
    };
    let first = Runner::new(&bytes, options.clone()).unwrap();
    assert!(matches!(
        first.cache_status(),
        wcompose::run::CacheStatus::Miss { .. }
    ));
    let second = Runner::new(&bytes, options).unwrap();
    assert!(matches!(
        second.cache_status(),
        wcompose::run::CacheStatus::Hit { .. }
    ));

    // Fuel is refilled for every call on a warm instance.
    let mut instance = second.instantiate().unwrap();
    for _ in 0..50 {
        instance
            .call("csv-to-json", &[Val::String("a\n1".to_string())])
            .unwrap();
    }
}

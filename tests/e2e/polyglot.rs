//! Guests in C, C++, Python and JavaScript beside Rust, built from the same
//! `wit/` with their real toolchains (installed on first use: Debian clang
//! as root, componentize-py and componentize-js under `target/toolchains`),
//! run under wasmtime: the calculators agree in every language, the mixed
//! compositions give what the Rust ones give, a guest built against an old
//! copy of the WIT is caught by `wcompose check`, and a missing toolchain
//! or a broken guest is reported by name.

use std::path::{Path, PathBuf};

use wasmtime::component::Val;
use wcompose::build::guest::{self, Guest, GuestError, Job};
use wcompose::build::toolchain::{self, Toolchain, ToolchainError, ToolchainOptions};
use wcompose::run::{Cache, Loaded, Runner, RunnerOptions, Runtime, RuntimeOptions};

use crate::support::{self, Built};

/// The calculator of every language, by package.
const CALCULATORS: &[&str] = &[
    "toolsku:calculator",
    "toolsku:calculator-c",
    "toolsku:calculator-cpp",
    "toolsku:calculator-py",
    "toolsku:calculator-js",
];

/// Operands that exercise signs, fractions, rounding and zero.
const OPERANDS: &[(f64, f64)] = &[
    (1.0, 2.0),
    (-7.5, 2.25),
    (0.1, 0.2),
    (1e300, 1e10),
    (5.0, 0.0),
    (0.0, -3.0),
];

/// The runner of the component at `path`. Compiled code is cached: the
/// Python and JavaScript runtimes take seconds to compile.
fn runner(path: &Path) -> Runner {
    let bytes = std::fs::read(path).unwrap();
    let options = RunnerOptions {
        cache: Some(Cache::new(support::shared_run_cache())),
        ..Default::default()
    };
    Runner::new(&bytes, options)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), wcompose::error_chain(&e)))
}

/// Loads a composition, with compiled code cached as [`runner`] does.
fn load(bytes: &[u8]) -> Loaded {
    let runtime = Runtime::with_options(RuntimeOptions {
        cache: Some(Cache::new(support::shared_run_cache())),
        ..Default::default()
    })
    .unwrap();
    runtime
        .load(bytes)
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

fn call(runner: &Runner, function: &str, a: f64, b: f64) -> Val {
    let mut results = runner
        .call(function, &[Val::Float64(a), Val::Float64(b)])
        .unwrap_or_else(|e| panic!("{function}({a}, {b}): {}", wcompose::error_chain(&e)));
    assert_eq!(results.len(), 1);
    results.remove(0)
}

/// What `divide` should return, computed here in Rust.
fn quotient(a: f64, b: f64) -> Val {
    if b == 0.0 {
        Val::Result(Err(Some(Box::new(Val::String(
            "division by zero".to_string(),
        )))))
    } else {
        Val::Result(Ok(Some(Box::new(Val::Float64(a / b)))))
    }
}

#[test]
fn every_calculator_gives_the_same_results_in_every_language() {
    let built = Built::new();
    for package in CALCULATORS {
        let runner = runner(&built.dep(package));
        for &(a, b) in OPERANDS {
            let expected = [
                ("add", Val::Float64(a + b)),
                ("subtract", Val::Float64(a - b)),
                ("multiply", Val::Float64(a * b)),
                ("divide", quotient(a, b)),
            ];
            for (function, want) in expected {
                assert_eq!(
                    call(&runner, function, a, b),
                    want,
                    "{package}: {function}({a}, {b})"
                );
            }
        }
    }
}

#[test]
fn the_formatter_in_python_with_the_calculator_in_c_gives_what_the_rust_seed_gives() {
    let built = Built::new();
    let call = r#"csv-to-json("item,price,qty\napple,1.25,4\npear,0.75,10\nplum,,2")"#;
    let rust = support::invoke(&load(&built.compose("seed.wac")), call);
    let mixed = support::invoke(&load(&built.compose("polyglot-seed.wac")), call);
    assert!(rust.starts_with("ok("), "{rust}");
    assert_eq!(mixed, rust);
    let pretty = r#"json-pretty("{\"b\":[1,2.5,\"x\"],\"a\":null}")"#;
    let rust = support::invoke(&load(&built.compose("seed.wac")), pretty);
    let mixed = support::invoke(&load(&built.compose("polyglot-seed.wac")), pretty);
    assert_eq!(mixed, rust);
}

#[test]
fn the_app_with_four_languages_in_one_graph_prints_what_the_rust_app_prints() {
    let built = Built::new();
    let requests = std::fs::read_to_string(built.composition("requests.jsonl")).unwrap();
    let rust = support::run_command(&load(&built.compose("app.wac")), &requests);
    let mixed = support::run_command(&load(&built.compose("polyglot-app.wac")), &requests);
    assert!(!rust.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&mixed.stdout),
        String::from_utf8_lossy(&rust.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&mixed.stderr),
        String::from_utf8_lossy(&rust.stderr)
    );
    assert_eq!(mixed.exit_code, rust.exit_code);
}

#[test]
fn swapping_the_calculators_language_leaves_the_composed_output_unchanged() {
    let built = Built::new();
    let dir = tempfile::tempdir().unwrap();
    let call = r#"csv-to-json("a,b\n0.1,3\n0.2,-4.5\n1e3,x")"#;
    // The Rust seed is the reference: Rust formatter, Rust calculator.
    let reference = support::invoke(&load(&built.compose("seed.wac")), call);
    assert!(
        reference.contains(r#"\"totals\": {\n    \"a\": "#),
        "{reference}"
    );
    for package in &CALCULATORS[1..] {
        let wac = dir.path().join("swap.wac");
        std::fs::write(
            &wac,
            format!(
                "package test:swap;\n\
                 let calculator = new {package} {{ ... }};\n\
                 let formatter = new toolsku:formatter {{ ops: calculator.ops, ... }};\n\
                 export formatter.format;\n"
            ),
        )
        .unwrap();
        let options = wcompose::compose::Options {
            deps_dir: built.deps_dir(),
            ..Default::default()
        };
        let composed = wcompose::compose::compose_file(&wac, &options)
            .unwrap_or_else(|e| panic!("{package}: {}", wcompose::error_chain(&e)));
        let output = support::invoke(&load(&composed.bytes), call);
        assert_eq!(output, reference, "with {package}");
    }
}

/// A C guest in a temporary folder, built against the WIT in `wit`.
fn build_c_guest(
    dir: &Path,
    wit: &Path,
    world: &str,
    source: &str,
) -> Result<guest::Built, GuestError> {
    let guest_dir = dir.join("guest");
    std::fs::create_dir_all(&guest_dir).unwrap();
    std::fs::write(
        guest_dir.join("wcompose.toml"),
        format!(
            "language = \"c\"\nworld = \"{world}\"\npackage = \"toolsku:calculator-c\"\nsources = [\"guest.c\"]\n"
        ),
    )
    .unwrap();
    std::fs::write(guest_dir.join("guest.c"), source).unwrap();
    let guest = Guest::load(&guest_dir).unwrap();
    let assembled = dir.join("wit");
    guest::assemble_wit(wit, &guest.world, &assembled).unwrap();
    let options = ToolchainOptions::new(support::root().join("target/toolchains"));
    let tools = toolchain::find_or_install(Toolchain::Clang, &options, &mut |_| {})
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
    let out = dir.join("out");
    wcompose::build::build_one(&Job {
        guest: &guest,
        wit: &assembled,
        out_dir: &out,
        tools: &tools,
    })
}

#[test]
fn a_guest_built_against_an_old_copy_of_the_wit_is_caught_by_check_in_the_current_wit() {
    let built = Built::new();
    let dir = tempfile::tempdir().unwrap();
    // The interface as it was before `add` took `f64`s.
    let old = dir.path().join("old-wit");
    std::fs::create_dir_all(&old).unwrap();
    let current = std::fs::read_to_string(support::root().join("wit/calculator.wit")).unwrap();
    let stale = current.replace(
        "add: func(a: f64, b: f64) -> f64;",
        "add: func(a: s32, b: s32) -> s32;",
    );
    assert_ne!(stale, current);
    std::fs::write(old.join("calculator.wit"), stale).unwrap();
    let source = r#"
#include "calculator.h"
int32_t exports_toolsku_calculator_ops_add(int32_t a, int32_t b) { return a + b; }
double exports_toolsku_calculator_ops_subtract(double a, double b) { return a - b; }
double exports_toolsku_calculator_ops_multiply(double a, double b) { return a * b; }
bool exports_toolsku_calculator_ops_divide(double a, double b, double *ret, calculator_string_t *err) {
    if (b == 0.0) { calculator_string_dup(err, "division by zero"); return false; }
    *ret = a / b;
    return true;
}
"#;
    let stale_guest = build_c_guest(
        &dir.path().join("build"),
        &old,
        "toolsku:calculator/calculator",
        source,
    )
    .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));

    // The stale calculator takes the C calculator's place in the deps.
    let core = std::fs::read(&stale_guest.wasm).unwrap();
    let component = wcompose::componentize::componentize(&core, Default::default()).unwrap();
    std::fs::write(built.dep("toolsku:calculator-c"), component.bytes).unwrap();
    let deps = built.deps_dir();
    let ran = support::wcompose_in(
        &support::shared_run_cache(),
        &[
            "check",
            built.composition("polyglot-seed.wac").to_str().unwrap(),
            "--deps-dir",
            deps.to_str().unwrap(),
        ],
        "",
        &[("COLUMNS", "200")],
    );
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("toolsku:calculator/ops.add"), "{ran}");
    assert!(
        ran.stderr.contains("s32") && ran.stderr.contains("f64"),
        "{ran}"
    );
    // The formatter's side points into the current WIT, at `add`.
    assert!(ran.stderr.contains("wit/calculator.wit:4:"), "{ran}");
}

/// Toolchain options under `dir` that find nothing: an empty `PATH` and
/// no installing.
fn no_toolchains(dir: &std::path::Path) -> ToolchainOptions {
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    ToolchainOptions {
        dir: dir.join("toolchains"),
        path: Some(empty.into_os_string()),
        install: false,
    }
}

#[test]
fn a_missing_toolchain_is_reported_by_name_with_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let options = no_toolchains(dir.path());
    let expected = [
        (Toolchain::Clang, "no `clang-19` on PATH", "apt-get install"),
        (
            Toolchain::ComponentizePy,
            "componentize-py",
            "pip install componentize-py==0.25.1",
        ),
        (
            Toolchain::ComponentizeJs,
            "no `node` on PATH",
            "@bytecodealliance/componentize-js@0.23.0",
        ),
    ];
    for (toolchain, missing, install) in expected {
        let error = toolchain::find_or_install(toolchain, &options, &mut |_| {}).unwrap_err();
        let ToolchainError::Missing {
            toolchain: named, ..
        } = &error
        else {
            panic!("{toolchain}: {error}");
        };
        assert_eq!(*named, toolchain);
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("toolchain `{toolchain}` is missing")),
            "{text}"
        );
        assert!(text.contains(missing), "{text}");
        assert!(text.contains(install), "{text}");
    }
}

#[test]
fn with_no_toolchains_every_other_guest_fails_by_name_and_the_rust_guests_still_build() {
    let dir = tempfile::tempdir().unwrap();
    let options = no_toolchains(dir.path());
    let workspace =
        wcompose::workspace::Workspace::new(support::root()).with_out_dir(dir.path().join("out"));
    let mut events = Vec::new();
    let builds = wcompose::build::build_guests(&workspace, &options, &mut |event| {
        if let guest::Event::Failed { guest, .. } = event {
            events.push(guest.to_string());
        }
    })
    .unwrap();
    let failed: Vec<&str> = builds.failed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        failed,
        [
            "calculator-c",
            "calculator-cpp",
            "calculator-js",
            "calculator-py",
            "formatter-py"
        ]
    );
    assert_eq!(events, failed);
    for (name, error) in &builds.failed {
        let text = wcompose::error_chain(error);
        assert!(
            text.contains("is missing") && text.contains("help: install it with"),
            "{name}: {text}"
        );
    }
    let stems: Vec<String> = builds
        .outputs
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    assert!(stems.iter().any(|s| s == "calculator"), "{stems:?}");
    assert!(stems.iter().any(|s| s == "formatter"), "{stems:?}");
}

#[test]
fn a_syntax_error_gives_the_compilers_message_and_the_command_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let error = build_c_guest(
        dir.path(),
        &support::root().join("wit"),
        "toolsku:calculator/calculator",
        "#include \"calculator.h\"\ndouble exports_toolsku_calculator_ops_add(double a, double b) { return a + ; }\n",
    )
    .unwrap_err();
    let GuestError::Tool {
        command,
        status,
        output,
    } = &error
    else {
        panic!("{error}");
    };
    assert!(
        command.contains("--target=wasm32-wasi") && command.contains("guest.c"),
        "{command}"
    );
    assert!(status.is_some_and(|s| !s.success()));
    assert!(
        output.contains("guest.c:2:") && output.contains("error: expected expression"),
        "{output}"
    );
    assert!(!dir.path().join("out/guest.wasm").exists());
}

#[test]
fn a_world_that_wit_does_not_define_is_named_with_the_worlds_there() {
    let dir = tempfile::tempdir().unwrap();
    let error = guest::assemble_wit(
        &support::root().join("wit"),
        "toolsku:calculator/abacus",
        dir.path(),
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("world `toolsku:calculator/abacus` is not in"),
        "{text}"
    );
    assert!(text.contains("`toolsku:calculator/calculator`"), "{text}");
    assert!(text.contains("`toolsku:formatter/formatter`"), "{text}");
}

#[test]
fn an_unknown_language_is_refused_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wcompose.toml"),
        "language = \"cobol\"\nworld = \"toolsku:calculator/calculator\"\nsources = [\"calc.cob\"]\n",
    )
    .unwrap();
    let error = Guest::load(dir.path()).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("names language `cobol`"), "{text}");
    assert!(
        text.contains("the known languages are `c`, `cpp`, `python`, `javascript`"),
        "{text}"
    );
}

/// The guests' own WIT folders hold their world's package and, in `deps/`,
/// the packages it uses: the layout every language tool accepts.
#[test]
fn a_guest_gets_its_worlds_package_with_what_it_uses_in_deps() {
    let dir = tempfile::tempdir().unwrap();
    guest::assemble_wit(
        &support::root().join("wit"),
        "toolsku:formatter/formatter",
        dir.path(),
    )
    .unwrap();
    let mut files: Vec<PathBuf> = walk(dir.path())
        .into_iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            PathBuf::from("deps/calculator.wit"),
            PathBuf::from("formatter.wit")
        ]
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn inspect_names_the_language_and_toolchain_of_every_calculator() {
    let built = Built::new();
    let mut report = String::new();
    for package in CALCULATORS {
        let bytes = std::fs::read(built.dep(package)).unwrap();
        let inspection = wcompose::inspect::inspect(&bytes, package).unwrap();
        // A core module's code is the component's `main` module; a
        // component made by componentize-py or componentize-js says it
        // on the outside.
        let origin = match inspection
            .parts
            .iter()
            .find(|p| p.name.as_deref() == Some("main"))
        {
            Some(main) if inspection.origin.languages.is_empty() => &main.origin,
            _ => &inspection.origin,
        };
        // The names, without versions, which follow the machine's packages.
        let names: Vec<&str> = origin
            .toolchain
            .iter()
            .map(|entry| entry.split(' ').next().unwrap())
            .collect();
        report += &format!(
            "{package}: {} | {}\n",
            origin.languages.join(", "),
            names.join(", ")
        );
    }
    assert_eq!(
        report,
        "\
toolsku:calculator: Rust | rustc, wit-component, wit-bindgen-rust
toolsku:calculator-c: C17 | clang, wit-bindgen-c, wcompose, wit-component, wasi-libc
toolsku:calculator-cpp: C++23 | clang, wit-bindgen-cpp, wcompose, wit-component, wit-bindgen-c, wasi-libc
toolsku:calculator-py: Python | wit-component, component-init-transform, componentize-py, wcompose
toolsku:calculator-js: JavaScript | wit-component, ComponentizeJS, componentize-js, wcompose
"
    );
}

//! `wcompose check` given each kind of input positionally, told apart by
//! content; WIT errors shown at their place; diagnostics that survive any
//! source text; and bad input answered with a message, never a panic.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{self, Built};

fn check(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wcompose"));
    command
        .arg("check")
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE");
    for arg in args {
        command.arg(arg);
    }
    // Outside the project, so that no workspace WIT is loaded.
    command.current_dir(std::env::temp_dir());
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// No panic, no abort: an exit status of 0, 1 or 2 and no panic message.
fn assert_no_crash(output: &Output) {
    let stderr = stderr(output);
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "exit {:?}\n{stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("this is a bug"), "{stderr}");
}

fn core(name: &str) -> std::path::PathBuf {
    support::guest_cores()
        .iter()
        .find(|p| p.ends_with(format!("{name}.wasm")))
        .unwrap()
        .clone()
}

#[test]
fn a_component_is_checked_against_the_host_profile() {
    let built = Built::new();
    // The name says `.wac`; the content says component.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.wac");
    std::fs::copy(built.dep("toolsku:app"), &file).unwrap();
    let output = check(&[&file]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("UTF-8"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "`toolsku:calculator/ops` (imported by `{}`) is left to the host, and the host profile \
             `wasmtime` does not provide it",
            file.display()
        )),
        "{stderr}"
    );
    // WASI imports are the host's: not findings.
    assert!(!stderr.contains("wasi:cli/stdout"), "{stderr}");
    assert!(
        stderr.contains("component, 12 imports left to the host"),
        "{stderr}"
    );
}

#[test]
fn a_core_module_is_checked_as_it_will_be_componentized() {
    let calculator = core("calculator");
    let output = check(&[&calculator, &"--host", &"none"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // The preview-1 imports became preview-2 ones through the adapter.
    assert!(stderr.contains("`wasi:cli/stdout@0.2."), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "(imported by `{}`) is left to the host, and the host profile `none` does not provide it",
            calculator.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("core module,"), "{stderr}");
    let output = check(&[&calculator]);
    assert_eq!(output.status.code(), Some(0), "{}", self::stderr(&output));
}

#[test]
fn a_wat_component_is_assembled_and_its_imports_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("newer");
    std::fs::write(
        &file,
        r#"(component
             (import "wasi:cli/stdout@0.2.999" (instance (export "get-stdout" (func))))
             (import "acme:kv/store@1.0.0" (instance (export "get" (func)))))"#,
    )
    .unwrap();
    let output = check(&[&file]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "`wasi:cli/stdout@0.2.999` (imported by `{}`) asks for 0.2.999, but the host profile \
             `wasmtime` has",
            file.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "`acme:kv/store@1.0.0` (imported by `{}`) is left to the host, and the host profile \
             `wasmtime` does not provide it (nor anything of `acme:kv`)",
            file.display()
        )),
        "{stderr}"
    );
    // The finding points into the component's world printed as WIT.
    assert!(stderr.contains("(as WIT)"), "{stderr}");
}

#[test]
fn a_wit_file_given_positionally_is_loaded_as_wit() {
    let file = support::root().join("tests/fixtures/calculator-s32/calculator.wit");
    let output = check(&[&file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("(WIT file): 1 package valid"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wit");
    std::fs::write(
        &bad,
        "package a:b;\ninterface i {\n  f: func(x: nope);\n}\n",
    )
    .unwrap();
    let output = check(&[&bad]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("invalid WIT: name `nope` does not exist"),
        "{stderr}"
    );
    // The snippet, at the place wit-parser names.
    assert!(stderr.contains("bad.wit:3:14]"), "{stderr}");
    assert!(stderr.contains(" 3 |   f: func(x: nope);"), "{stderr}");
}

/// Writes `files` (path, text) under a fresh folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// What wit-parser itself says of the folder.
fn wit_parser_accepts(dir: &Path) -> bool {
    wit_parser::Resolve::default().push_dir(dir).is_ok()
}

#[test]
fn a_wit_folder_with_a_file_without_a_package_header_loads() {
    let dir = folder(&[
        ("main.wit", "package t:a;\nworld w { import i; }\n"),
        (
            "i.wit",
            "interface i { use t:dep/types.{x}; f: func() -> x; }\n",
        ),
        (
            "deps/dep.wit",
            "package t:dep;\ninterface types { type x = u32; }\n",
        ),
    ]);
    assert!(wit_parser_accepts(dir.path()));
    let output = check(&[&dir.path()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("(WIT folder): 1 package valid"));
}

#[test]
fn a_wit_folder_with_a_wat_package_in_deps_loads() {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve
        .push_str(
            "dep.wit",
            "package t:wdep;\ninterface types { type y = string; }\n",
        )
        .unwrap();
    let encoded = wit_component::encode(&resolve, package, false).unwrap();
    let wat = wasmprinter::print_bytes(&encoded).unwrap();
    let dir = folder(&[
        (
            "main.wit",
            "package t:b;\ninterface i { use t:wdep/types.{y}; f: func() -> y; }\n",
        ),
        ("deps/wdep.wat", &wat),
    ]);
    assert!(wit_parser_accepts(dir.path()));
    let output = check(&[&dir.path()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn the_workspace_wit_folder_of_several_packages_loads() {
    let output = check(&[&support::root().join("wit")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_composition_is_told_apart_from_wit_by_content() {
    let built = Built::new();
    let dir = tempfile::tempdir().unwrap();
    // No extension to go by.
    let file = dir.path().join("seed");
    std::fs::copy(built.composition("seed.wac"), &file).unwrap();
    let output = check(&[&file, &"--deps-dir", &built.deps_dir()]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(" edges, 0 errors"), "{stderr}");
}

#[test]
fn baseline_compares_the_folder_given_positionally() {
    let root = support::root();
    let fixture = root.join("tests/fixtures/calculator-s32");
    let wit = root.join("wit");
    let output = check(&[&fixture, &"--baseline", &wit]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("compared `{}` with", fixture.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("toolsku:calculator/ops.add, parameter a: changed from f64 to s32"),
        "{stderr}"
    );
    let output = check(&[&wit, &"--baseline", &wit]);
    assert_eq!(output.status.code(), Some(0), "{}", self::stderr(&output));
}

#[test]
fn baseline_at_a_git_revision_compares_the_folder_given_positionally() {
    let repo = folder(&[
        (
            "changed/calc.wit",
            "package t:calc;\ninterface ops { add: func(a: f64) -> f64; }\n",
        ),
        (
            "same/fmt.wit",
            "package t:fmt;\ninterface format { pretty: func(s: string) -> string; }\n",
        ),
        // A workspace whose own `wit/` must not be what is compared.
        ("wit/ws.wit", "package t:ws;\ninterface i { f: func(); }\n"),
        ("compositions/.keep", ""),
    ]);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=wcompose",
                "-c",
                "user.email=wcompose@example.invalid",
            ])
            .args(args)
            .current_dir(repo.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "baseline"]);
    std::fs::write(
        repo.path().join("changed/calc.wit"),
        "package t:calc;\ninterface ops { add: func(a: s32) -> f64; }\n",
    )
    .unwrap();
    let run = |path: &str| {
        Command::new(env!("CARGO_BIN_EXE_wcompose"))
            .args(["check", path, "--baseline", "HEAD"])
            .env("NO_COLOR", "1")
            .current_dir(repo.path())
            .output()
            .unwrap()
    };
    let output = run("changed");
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("t:calc/ops.add, parameter a: changed from f64 to s32"),
        "{stderr}"
    );
    assert!(
        stderr.contains("compared `changed` with `HEAD`: 1 error"),
        "{stderr}"
    );
    assert!(!stderr.contains("t:ws"), "{stderr}");
    let output = run("same");
    assert_eq!(output.status.code(), Some(0), "{}", self::stderr(&output));
    assert!(self::stderr(&output).contains("compared `same` with `HEAD`: 0 errors"));
    // A file, too.
    let output = run("changed/calc.wit");
    assert_eq!(output.status.code(), Some(1), "{}", self::stderr(&output));
}

#[test]
fn a_65000_column_line_renders_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    // Tabs render four columns wide: the error sits past column 65,535,
    // where miette's padding overflowed Rust's formatter.
    let wit = dir.path().join("long.wit");
    let line = "\t".repeat(65_000);
    std::fs::write(&wit, format!("package a:b;\ninterface i {{\n{line}~\n}}\n")).unwrap();
    let output = check(&[&wit]);
    assert_no_crash(&output);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("long.wit:3:65001"), "{stderr}");
    // A long word is no crash either (wac's lexer recursed once per byte).
    let wac = dir.path().join("long.wac");
    let word = "u".repeat(65_000);
    std::fs::write(
        &wac,
        format!("package a:b;\nlet x = new {word} {{ ... }};\n"),
    )
    .unwrap();
    let output = check(&[&wac]);
    assert_no_crash(&output);
    assert_eq!(output.status.code(), Some(2), "{}", self::stderr(&output));
}

#[test]
fn control_bytes_are_shown_as_question_marks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ctrl.wit");
    std::fs::write(
        &file,
        b"package a:b;\ninterface i {\x1b[31m\x07\r f: func(\x00);\n}\n",
    )
    .unwrap();
    let output = check(&[&file]);
    assert_no_crash(&output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let shown = &output.stderr;
    for byte in [0x1b, 0x07, 0x00] {
        assert!(!shown.contains(&byte), "{}", stderr(&output));
    }
    assert!(stderr(&output).contains("interface i {?[31m?? f: func(?);"));
}

#[test]
fn the_renderer_survives_long_lines_and_control_bytes_in_the_library() {
    for text in [
        format!("package a:b;\n{}@\n", "\t".repeat(70_000)),
        format!(
            "package a:b;\ninterface i {{ f: func(x: {}); }}\n",
            "u".repeat(70_000)
        ),
        "package a:b;\n\x1b]0;title\x07\u{202e}interface\r i { @ }\n".to_string(),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.wit");
        std::fs::write(&file, &text).unwrap();
        let error = wcompose::wit::load(&file).err().unwrap();
        let rendered = wcompose::source::render(&error);
        assert!(rendered.contains("x.wit:"), "{rendered}");
        assert!(!rendered.contains('\x1b'), "{rendered}");
        assert!(!rendered.contains('\u{202e}'), "{rendered}");
    }
}

#[test]
fn bad_inputs_get_a_message_naming_the_file_and_no_panic() {
    let built = Built::new();
    let dir = tempfile::tempdir().unwrap();
    let component = std::fs::read(built.dep("toolsku:app")).unwrap();
    let deep = format!(
        "package a:b;\nlet x = {}y{};\n",
        "(".repeat(5_000),
        ")".repeat(5_000)
    );
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        (
            "truncated.wasm",
            component[..40].to_vec(),
            2,
            "an invalid component",
        ),
        (
            "header.wasm",
            component[..6].to_vec(),
            2,
            "cut short inside the WebAssembly header",
        ),
        (
            "random.bin",
            (0..4096u32)
                .map(|i| (i * 7919 % 251) as u8 | 0x80)
                .collect(),
            2,
            "not UTF-8 text (invalid byte at offset 0)",
        ),
        ("empty.wac", Vec::new(), 2, "the file is empty"),
        (
            "deep.wac",
            deep.into_bytes(),
            2,
            "brackets nested more than 1000 levels deep at line 2",
        ),
        (
            "missing.wac",
            b"package a:b;\nlet x = new t:missing { ... };\nexport x;\n".to_vec(),
            2,
            "unknown package `t:missing`",
        ),
        (
            "bad.wat",
            b"(component (import oops))".to_vec(),
            2,
            "failed to assemble",
        ),
    ];
    let deps = tempfile::tempdir().unwrap();
    for (name, bytes, code, message) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let output = check(&[&file, &"--deps-dir", &deps.path()]);
        assert_no_crash(&output);
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        if code == 2 && !name.ends_with(".wac") && !name.ends_with(".wat") {
            assert!(
                stderr.contains("expected a `.wac` composition"),
                "{name}: {stderr}"
            );
        }
    }
    // A folder with no WIT in it is a WIT folder that is empty.
    let empty = tempfile::tempdir().unwrap();
    let output = check(&[&empty.path()]);
    assert_no_crash(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no `.wit` files in"));
    // The check writes nothing, next to its inputs or anywhere it was given.
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left.len(), 7, "{left:?}");
    assert_eq!(std::fs::read_dir(deps.path()).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

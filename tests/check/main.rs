//! Fixture tests for `wcompose check`.
//!
//! Protocol: every folder under `tests/check/cases/` is one case:
//!
//! - `composition.wac`: the composition to check;
//! - `components/<ns>/<name>.wit`: one WIT package per component, with one
//!   world; the harness builds a stub component with exactly that world's
//!   imports and exports and puts it in the deps folder as
//!   `<ns>/<name>.wasm`, where `new ns:name` finds it;
//! - `wit/` (optional): the workspace WIT that findings should point into;
//! - `options` (optional): `host = NAME` (default `wasmtime`);
//! - `expected.txt`: the report, one block per finding (see
//!   `wcompose::check::format::plain`), paths relative to the case folder.
//!
//! Folders under `tests/check/fail/` hold inputs that cannot be checked at
//! all (a `.wac` syntax error, an unknown package, ...); `expected.txt` holds
//! the error's first line.
//!
//! Folders under `tests/check/baseline/` hold an `old/` and a `new/` WIT
//! folder; `expected.txt` holds the report of `new` against the baseline
//! `old` (`wcompose check --baseline`).
//!
//! Run with `BLESS=1` to rewrite every `expected.txt` from the current
//! output; review the diff before committing it.

#[path = "../common/mod.rs"]
mod common;
mod formats;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wcompose::check::{CheckOptions, SourceFile, format};
use wcompose::compose::{self, Options};
use wcompose::host::HostProfile;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    common::case_dirs("check", kind)
}

/// Builds the stub components of a case into a fresh deps folder.
pub fn deps_for(case: &Path) -> tempfile::TempDir {
    let deps = tempfile::tempdir().unwrap();
    wcompose::wit::stub_components(&case.join("components"), deps.path())
        .unwrap_or_else(|e| panic!("{}: {}", case.display(), wcompose::error_chain(&e)));
    deps
}

fn options_for(case: &Path, deps: &Path) -> Options {
    let mut host = "wasmtime".to_string();
    if let Ok(text) = std::fs::read_to_string(case.join("options")) {
        for line in text.lines() {
            if let Some((key, value)) = line.split_once('=') {
                match key.trim() {
                    "host" => host = value.trim().to_string(),
                    other => panic!("{}: unknown option `{other}`", case.display()),
                }
            }
        }
    }
    let wit_dir = case.join("wit");
    let wit = wit_dir
        .is_dir()
        .then(|| Arc::new(wcompose::wit::load(&wit_dir).unwrap()));
    Options {
        deps_dir: deps.to_path_buf(),
        check: CheckOptions {
            wit,
            host: Some(HostProfile::named(&host).unwrap()),
        },
        ..Default::default()
    }
}

/// Checks one case and renders the outcome with paths relative to it.
pub fn run_case(case: &Path) -> Result<String, String> {
    let deps = deps_for(case);
    let options = options_for(case, deps.path());
    let text = std::fs::read_to_string(case.join("composition.wac")).unwrap();
    let source = Arc::new(SourceFile::new("composition.wac", text));
    let relative = |s: String| s.replace(&format!("{}/", case.display()), "");
    match compose::check_source(&source, &options) {
        Ok(report) => Ok(relative(format::plain(&report))),
        Err(e) => Err(relative(wcompose::error_chain(&e))),
    }
}

fn compare(case: &Path, actual: &str, failures: &mut Vec<String>) {
    common::bless_or_compare(&case.join("expected.txt"), actual, failures);
}

#[test]
fn every_check_case_reports_what_its_expected_file_says() {
    let mut failures = Vec::new();
    let cases = fixtures("cases");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    for case in &cases {
        match run_case(case) {
            Ok(actual) => compare(case, &actual, &mut failures),
            Err(e) => failures.push(format!("{}: the check itself failed: {e}", case.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_unreadable_input_fails_with_the_expected_error() {
    let mut failures = Vec::new();
    for case in &fixtures("fail") {
        match run_case(case) {
            Ok(report) => failures.push(format!(
                "{}: expected an error, got a report:\n{report}",
                case.display()
            )),
            Err(error) => {
                let first = error.lines().next().unwrap_or_default().to_string() + "\n";
                compare(case, &first, &mut failures);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_baseline_case_reports_the_bump_it_needs() {
    let mut failures = Vec::new();
    for case in &fixtures("baseline") {
        let current = wcompose::wit::load(&case.join("new")).unwrap();
        let old = case.join("old");
        let baseline =
            wcompose::check::baseline::load(old.to_str().unwrap(), &case.join("new")).unwrap();
        let report = wcompose::check::baseline::compare(&current, &baseline);
        let actual = format::plain(&report).replace(&format!("{}/", case.display()), "");
        compare(case, &actual, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! Conformance tests for `wcompose compose`: the wac language, case by case.
//!
//! Protocol: every folder under `tests/compose/cases/` is one composition
//! that must compose:
//!
//! - `composition.wac`: the composition;
//! - `components/<ns>/<name>.wit` (or `components/<ns>/<name>/<version>.wit`
//!   for a versioned package): one WIT package per component with one world;
//!   the harness builds a stub component with exactly that world and puts it
//!   in the deps folder where wac's resolver looks (`<ns>/<name>.wasm`,
//!   `<ns>/<name>/<version>.wasm`);
//! - `packages/<ns>/<name>.wit` (optional): WIT packages that `import`
//!   statements refer to, copied into the deps folder as they are;
//! - `composed.wit`: the world of the composed component, as WIT.
//!
//! Every folder under `tests/compose/fail/` must fail; its `error.txt` holds
//! the first line of the error.
//!
//! `BLESS=1` rewrites the expected files. `cargo xtask wac-agreement` runs
//! the same cases through `wac compose` and compares the two tools' output.

use std::path::{Path, PathBuf};

#[path = "../common/mod.rs"]
mod common;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    common::case_dirs("compose", kind)
}

/// Builds each case's stub components into a fresh deps folder.
fn deps_for(case: &Path) -> tempfile::TempDir {
    let deps = tempfile::tempdir().unwrap();
    let components = case.join("components");
    if components.is_dir() {
        wcompose::wit::stub_components(&components, deps.path())
            .unwrap_or_else(|e| panic!("{}: {}", case.display(), wcompose::error_chain(&e)));
    }
    let packages = case.join("packages");
    for namespace in std::fs::read_dir(&packages).into_iter().flatten() {
        let namespace = namespace.unwrap().path();
        for file in std::fs::read_dir(&namespace).unwrap() {
            let file = file.unwrap().path();
            let target = deps.path().join(file.strip_prefix(&packages).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&file, target).unwrap();
        }
    }
    deps
}

fn compose(case: &Path) -> Result<Vec<u8>, String> {
    let deps = deps_for(case);
    let options = wcompose::compose::Options {
        deps_dir: deps.path().to_path_buf(),
        ..Default::default()
    };
    wcompose::compose::compose_file(&case.join("composition.wac"), &options)
        .map(|c| c.bytes)
        .map_err(|e| match e {
            wcompose::compose::ComposeError::Check { report, .. } => report
                .findings
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default(),
            e => wcompose::error_chain(&e),
        })
}

/// The composed component's world, printed as WIT.
fn world_of(component: &[u8]) -> String {
    let wit_parser::decoding::DecodedWasm::Component(resolve, world) =
        wit_parser::decoding::decode(component).unwrap()
    else {
        panic!("not a component");
    };
    wcompose::check::world::world_as_wit(&resolve, world).unwrap()
}

#[test]
fn every_conformance_case_composes_to_the_expected_world() {
    let mut failures = Vec::new();
    for case in fixtures("cases") {
        match compose(&case) {
            Ok(bytes) => {
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&bytes)
                    .unwrap_or_else(|e| panic!("{}: invalid output: {e}", case.display()));
                assert_eq!(
                    Ok(bytes.clone()),
                    compose(&case),
                    "{}: not reproducible",
                    case.display()
                );
                common::bless_or_compare(
                    &case.join("composed.wit"),
                    &world_of(&bytes),
                    &mut failures,
                );
            }
            Err(e) => failures.push(format!("{}: failed to compose: {e}", case.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_failing_case_fails_with_the_expected_error() {
    let mut failures = Vec::new();
    for case in fixtures("fail") {
        match compose(&case) {
            Ok(_) => failures.push(format!(
                "{}: composed, but should have failed",
                case.display()
            )),
            Err(e) => {
                let first = format!("{}\n", e.lines().next().unwrap_or_default());
                common::bless_or_compare(&case.join("error.txt"), &first, &mut failures);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! Conformance tests for `wcompose compose`: the wac language, case by case,
//! one trial per case folder (`cargo nextest run -p wcompose --test compose
//! -- NAME` runs one).
//!
//! Protocol: every folder under `tests/compose/cases/` is one composition
//! that must compose (trial `cases/<folder>`), to a component that validates
//! with every wasm feature, byte for byte the same on a second run:
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
//! Every folder under `tests/compose/fail/` must fail (trial
//! `fail/<folder>`); its `error.txt` holds the whole error: the
//! check's report (`wcompose::check::format::plain`) when the check stops
//! the composition, else the error chain.
//!
//! A missing expected file fails the trial; `BLESS=1` writes the expected
//! files from the current output. `cargo xtask wac-agreement` runs
//! the same cases through `wac compose` and compares the two tools' output.

use std::path::Path;

#[path = "../common/mod.rs"]
mod common;

use common::Failed;

fn main() {
    let mut trials = common::trials_for("compose", "cases", conformance_case);
    trials.extend(common::trials_for("compose", "fail", failing_case));
    common::run(trials)
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
        .map_err(|e| {
            let text = match e {
                wcompose::compose::ComposeError::Check { report, .. } => {
                    wcompose::check::format::plain(&report)
                }
                e => format!("{}\n", wcompose::error_chain(&e)),
            };
            text.replace(&format!("{}/", case.display()), "")
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

fn conformance_case(case: &Path) -> Result<(), Failed> {
    let bytes = compose(case).map_err(|e| format!("failed to compose: {e}"))?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| format!("invalid output: {e}"))?;
    if compose(case).as_ref() != Ok(&bytes) {
        return Err("not reproducible: a second run composed other bytes".into());
    }
    Ok(common::snapshot(
        &case.join("composed.wit"),
        &world_of(&bytes),
    )?)
}

fn failing_case(case: &Path) -> Result<(), Failed> {
    match compose(case) {
        Ok(_) => Err("composed, but should have failed".into()),
        Err(e) => Ok(common::snapshot(&case.join("error.txt"), &e)?),
    }
}

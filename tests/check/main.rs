//! Fixture tests for `wcompose check`, one trial per case folder (run one
//! with `cargo nextest run -p wcompose --test check -- NAME`).
//!
//! Protocol: every folder under `tests/check/cases/` is one case, the trial
//! `cases/<folder>`:
//!
//! - `composition.wac`: the composition to check;
//! - `components/<ns>/<name>.wit`: one WIT package per component, with one
//!   world; the harness builds a stub component with exactly that world's
//!   imports and exports and puts it in the deps folder as
//!   `<ns>/<name>.wasm`, where `new ns:name` finds it;
//! - `wit/` (optional): the workspace WIT that findings should point into;
//! - `options` (optional): `host = NAME` (default `wasmtime`);
//! - `expected.txt`: the whole report, one block per finding (see
//!   `wcompose::check::format::plain`), paths relative to the case folder;
//! - `expected.human.txt`: the same findings as `wcompose check` renders
//!   them for people (miette, no colour, 100 columns), then the summary
//!   line the binary prints.
//!
//! Each case trial also asserts, independently of the expected files:
//!
//! - a case whose name starts with `clean-` has no findings at all;
//! - wac agrees with the check: wac alone (resolve, encode, validate the
//!   result with every wasm feature) composes the case exactly when the
//!   check, without a host profile, has no errors. A case where the two
//!   disagree fails, whatever its expected files say.
//!
//! Folders under `tests/check/fail/` (trials `fail/<folder>`) hold inputs
//! that cannot be checked at all (a `.wac` syntax error, an unknown
//! package, ...); `expected.txt` holds the whole error chain.
//!
//! Folders under `tests/check/baseline/` (trials `baseline/<folder>`) hold
//! an `old/` and a `new/` WIT folder; `expected.txt` holds the report of
//! `new` against the baseline `old` (`wcompose check --baseline`).
//!
//! `differential/...` trials compare the check with wac on generated
//! socket/plug pairs (see `differential.rs`); `formats/...` trials run the
//! binary's machine-readable formats (see `formats.rs`).
//!
//! A missing expected file fails the trial; `BLESS=1` writes every expected
//! file from the current output. Review the diff before committing it.

#[path = "../common/mod.rs"]
mod common;
mod differential;
mod formats;

use std::path::Path;
use std::sync::Arc;

use common::{Failed, Problems, Trial};
use wcompose::check::{CheckOptions, Report, SourceFile, format, hosts::HostProfile};
use wcompose::compose::{self, Options};

fn main() {
    let mut trials = Vec::new();
    let cases = common::case_dirs("check", "cases");
    trials.push(Trial::test("the suite has at least 30 cases", move || {
        if cases.len() >= 30 {
            Ok(())
        } else {
            Err(format!("only {} cases", cases.len()).into())
        }
    }));
    trials.extend(common::trials_for("check", "cases", check_case));
    trials.extend(common::trials_for("check", "fail", fail_case));
    trials.extend(common::trials_for("check", "baseline", baseline_case));
    trials.extend(formats::trials());
    trials.extend(differential::trials());
    common::run(trials)
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

fn source_of(case: &Path) -> Arc<SourceFile> {
    let text = std::fs::read_to_string(case.join("composition.wac")).unwrap();
    Arc::new(SourceFile::new("composition.wac", text))
}

/// Replaces the case folder's path in `text` by nothing, so that output
/// names files relative to the case.
fn relative(case: &Path, text: String) -> String {
    text.replace(&format!("{}/", case.display()), "")
}

/// Checks one case: the report, or the error that stopped the check.
pub fn run_case(case: &Path) -> Result<Report, String> {
    let deps = deps_for(case);
    let options = options_for(case, deps.path());
    compose::check_source(&source_of(case), &options)
        .map_err(|e| relative(case, wcompose::error_chain(&e)))
}

/// The findings as `wcompose check` shows them to people, and its summary.
fn human(report: &Report) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut out = String::new();
    for finding in &report.findings {
        handler.render_report(&mut out, finding).unwrap();
        out.push('\n');
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (errors, warnings) = (report.errors(), report.warnings());
    out.push_str(&format!(
        "checked `composition.wac`: {} edges, {errors} error{}, {warnings} warning{}\n",
        report.edges_checked,
        plural(errors),
        plural(warnings)
    ));
    out
}

/// What wac alone makes of a case: `Ok` when it resolves, encodes and the
/// result validates, else wac's error.
pub fn wac_verdict(case: &Path) -> Result<(), String> {
    let deps = deps_for(case);
    let text = std::fs::read_to_string(case.join("composition.wac")).unwrap();
    let document = wac_parser::Document::parse(&text).map_err(|e| format!("parse: {e}"))?;
    let keys = wac_resolver::packages(&document).map_err(|e| format!("packages: {e}"))?;
    let resolver = wac_resolver::FileSystemPackageResolver::new(deps.path(), [].into(), true);
    let packages = resolver
        .resolve(&keys)
        .map_err(|e| format!("resolve packages: {e}"))?;
    let resolution = document
        .resolve(packages)
        .map_err(|e| format!("resolve: {}", wcompose::error_chain(&e)))?;
    let bytes = resolution
        .encode(wac_graph::EncodeOptions {
            define_components: true,
            validate: true,
            processor: None,
        })
        .map_err(|e| format!("encode: {}", wcompose::error_chain(&e)))?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map(drop)
        .map_err(|e| format!("validate: {e}"))
}

/// Whether the check, without a host profile (wac knows none), lets the
/// case compose: no error finding, and no error from wac's own resolution
/// that the check runs when it finds none.
fn check_verdict(case: &Path) -> Result<(), String> {
    let deps = deps_for(case);
    let mut options = options_for(case, deps.path());
    options.check.host = None;
    match compose::check_source(&source_of(case), &options) {
        Ok(report) if report.errors() == 0 => Ok(()),
        Ok(report) => Err(relative(case, format::plain(&report))),
        Err(e) => Err(relative(case, wcompose::error_chain(&e))),
    }
}

fn check_case(case: &Path) -> Result<(), Failed> {
    let mut problems = Problems::default();
    match run_case(case) {
        Ok(report) => {
            let plain = relative(case, format::plain(&report));
            problems.snapshot(&case.join("expected.txt"), &plain);
            problems.snapshot(
                &case.join("expected.human.txt"),
                &relative(case, human(&report)),
            );
            if common::name_of(case).starts_with("clean-") && !report.findings.is_empty() {
                problems.push(format!(
                    "a `clean-` case must have no findings, the check reports:\n{plain}"
                ));
            }
        }
        Err(e) => problems.push(format!("the check itself failed: {e}")),
    }
    match (wac_verdict(case), check_verdict(case)) {
        (Ok(()), Ok(())) | (Err(_), Err(_)) => {}
        (Ok(()), Err(check)) => problems.push(format!(
            "wac composes and validates this case, but the check rejects it:\n{check}"
        )),
        (Err(wac), Ok(())) => problems.push(format!(
            "the check passes this case, but wac does not compose it: {wac}"
        )),
    }
    problems.finish()
}

fn fail_case(case: &Path) -> Result<(), Failed> {
    match run_case(case) {
        Ok(report) => Err(format!(
            "expected an error, got a report:\n{}",
            format::plain(&report)
        )
        .into()),
        Err(error) => Ok(common::snapshot(
            &case.join("expected.txt"),
            &format!("{error}\n"),
        )?),
    }
}

fn baseline_case(case: &Path) -> Result<(), Failed> {
    let current = wcompose::wit::load(&case.join("new")).map_err(|e| wcompose::error_chain(&e))?;
    let old = case.join("old");
    let baseline = wcompose::check::baseline::load(old.to_str().unwrap(), &case.join("new"))
        .map_err(|e| wcompose::error_chain(&e))?;
    let report = wcompose::check::baseline::compare(&current, &baseline);
    let actual = relative(case, format::plain(&report));
    Ok(common::snapshot(&case.join("expected.txt"), &actual)?)
}

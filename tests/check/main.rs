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
//! - `options` (optional): `host = NAME` (default `wasmtime`), and
//!   `socket = <ns>/<name>` for socket mode: instead of `composition.wac`,
//!   the case is `wcompose check --socket` that component `--plug` every
//!   other one (`wcompose::plug::plan` + `wcompose::plug::findings`), and
//!   wac's verdict is `wac_graph::plug` with the composition encoded,
//!   validated, and every import of the socket consumed;
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
//!   check, without a host profile, has no errors; and when both compose
//!   it, wac's graph passes another instance's export for the same imports
//!   as the check's edges connect. A case where the two disagree fails,
//!   whatever its expected files say.
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
//! A case that the check cannot check at all (an error instead of a
//! report) fails, with that error blessed into `expected.txt`.
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
use wcompose::check::{CheckOptions, Report, SourceFile, format};
use wcompose::compose::{self, Options};
use wcompose::host::HostProfile;
use wcompose::plug::Input;

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

/// What a case's `options` file says.
struct CaseOptions {
    host: String,
    socket: Option<String>,
}

fn case_options(case: &Path) -> CaseOptions {
    let mut options = CaseOptions {
        host: "wasmtime".to_string(),
        socket: None,
    };
    if let Ok(text) = std::fs::read_to_string(case.join("options")) {
        for line in text.lines() {
            if let Some((key, value)) = line.split_once('=') {
                let value = value.trim().to_string();
                match key.trim() {
                    "host" => options.host = value,
                    "socket" => options.socket = Some(value),
                    other => panic!("{}: unknown option `{other}`", case.display()),
                }
            }
        }
    }
    options
}

fn options_for(case: &Path, deps: &Path) -> Options {
    let host = case_options(case).host;
    let wit_dir = case.join("wit");
    let wit = wit_dir.is_dir().then(|| {
        Arc::new(wcompose::wit::LazyWit::loaded(Arc::new(
            wcompose::wit::load(&wit_dir).unwrap(),
        )))
    });
    Options {
        deps_dir: deps.to_path_buf(),
        check: CheckOptions {
            wit,
            host: Some(HostProfile::named(&host).unwrap()),
        },
        ..Default::default()
    }
}

/// In socket mode: the socket's stub and the plugs' stubs (every other
/// component), each named by its file stem.
fn socket_and_plugs(case: &Path, socket: &str) -> (Input, Vec<Input>) {
    let deps = deps_for(case);
    let socket = deps.path().join(Path::new(socket).with_extension("wasm"));
    let mut plugs = Vec::new();
    let mut stack = vec![deps.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path != socket {
                plugs.push(path);
            }
        }
    }
    plugs.sort();
    let input = |path: &Path| wcompose::plug::read_input(path).unwrap();
    (input(&socket), plugs.iter().map(|p| input(p)).collect())
}

/// In socket mode, `wcompose check --socket S --plug P...`: the plan's
/// findings, with the case's host.
fn check_socket(case: &Path, socket: &str, host: Option<&HostProfile>) -> Result<Report, String> {
    let (socket, plugs) = socket_and_plugs(case, socket);
    let plan = wcompose::plug::plan(socket, plugs, None).map_err(|e| wcompose::error_chain(&e))?;
    Ok(wcompose::plug::findings(&plan, host))
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
    let options = case_options(case);
    if let Some(socket) = &options.socket {
        let host = HostProfile::named(&options.host).unwrap();
        return check_socket(case, socket, Some(&host));
    }
    let deps = deps_for(case);
    let options = options_for(case, deps.path());
    compose::check_source(&source_of(case), &options)
        .map_err(|e| relative(case, wcompose::error_chain(&e)))
}

/// The findings as `wcompose check` shows them to people, and its summary.
fn human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&wcompose::source::render(finding));
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

/// What wac alone makes of a case: when it resolves, encodes and the
/// result validates, the imports it connected to another instance's export
/// (sorted); else wac's error.
pub fn wac_verdict(case: &Path) -> Result<Vec<String>, String> {
    if let Some(socket) = case_options(case).socket {
        let (socket, plugs) = socket_and_plugs(case, &socket);
        let [plug] = &plugs[..] else {
            panic!("socket mode takes one plug")
        };
        return match differential::generate::oracle_verdict(&socket.bytes, &plug.bytes) {
            differential::generate::Verdict::Compatible => Ok(Vec::new()),
            differential::generate::Verdict::Incompatible(why) => Err(why),
        };
    }
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
    let graph = resolution.graph();
    let mut connected = Vec::new();
    for node in graph.node_ids() {
        if let wac_graph::NodeKind::Instantiation(_) = graph[node].kind() {
            for (name, from) in graph.get_instantiation_arguments(node) {
                if !matches!(graph[from].kind(), wac_graph::NodeKind::Import(_)) {
                    connected.push(name.to_string());
                }
            }
        }
    }
    connected.sort();
    let bytes = resolution
        .encode(wac_graph::EncodeOptions {
            define_components: true,
            validate: true,
            processor: None,
        })
        .map_err(|e| format!("encode: {}", wcompose::error_chain(&e)))?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| format!("validate: {e}"))?;
    Ok(connected)
}

/// Whether the check, without a host profile (wac knows none), lets the
/// case compose: no error finding, and no error from wac's own resolution
/// that the check runs when it finds none; if so, the imports its edges
/// connect (sorted).
fn check_verdict(case: &Path) -> Result<Vec<String>, String> {
    let options = case_options(case);
    if let Some(socket) = &options.socket {
        // wac plugs what it can and leaves the rest open: the oracle counts
        // an import left open as a failure, as the host profile does.
        let host = HostProfile::named(&options.host).unwrap();
        return match check_socket(case, socket, Some(&host)) {
            Ok(report) if report.errors() == 0 => Ok(Vec::new()),
            Ok(report) => Err(format::plain(&report)),
            Err(e) => Err(e),
        };
    }
    let deps = deps_for(case);
    let mut options = options_for(case, deps.path());
    options.check.host = None;
    match compose::check_source(&source_of(case), &options) {
        Ok(report) if report.errors() == 0 => {
            let mut connected: Vec<String> = report
                .graph
                .edges
                .iter()
                .map(|e| e.import.clone())
                .collect();
            connected.sort();
            Ok(connected)
        }
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
        Err(e) => {
            // Blessed too, so that the case records what the check does
            // today; the trial fails all the same.
            problems.snapshot(
                &case.join("expected.txt"),
                &format!("the check stopped: {e}\n"),
            );
            problems.push(format!("the check itself failed: {e}"));
        }
    }
    match (wac_verdict(case), check_verdict(case)) {
        (Ok(wac), Ok(check)) if wac != check => problems.push(format!(
            "wac and the check both compose this case, but connect different imports:\n  \
             wac:   {wac:?}\n  check: {check:?}"
        )),
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Ok(_), Err(check)) => problems.push(format!(
            "wac composes and validates this case, but the check rejects it:\n{check}"
        )),
        (Err(wac), Ok(_)) => problems.push(format!(
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

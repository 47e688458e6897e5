//! The machine-readable report formats, produced by the `wcompose` binary
//! on a case with several findings and parsed back.

use std::path::Path;
use std::process::Command;

/// One trial per test below, named `formats/<test>`.
pub fn trials() -> Vec<super::Trial> {
    let tests: [(&str, fn()); 7] = [
        (
            "json_output_lists_every_finding_with_its_place",
            json_output_lists_every_finding_with_its_place,
        ),
        (
            "sarif_output_is_a_sarif_2_1_0_log",
            sarif_output_is_a_sarif_2_1_0_log,
        ),
        (
            "github_output_is_one_annotation_per_finding",
            github_output_is_one_annotation_per_finding,
        ),
        (
            "warnings_fail_the_check_only_when_denied",
            warnings_fail_the_check_only_when_denied,
        ),
        (
            "an_unreadable_composition_exits_with_status_2",
            an_unreadable_composition_exits_with_status_2,
        ),
        (
            "a_git_revision_serves_as_the_baseline",
            a_git_revision_serves_as_the_baseline,
        ),
        (
            "socket_and_plugs_may_be_given_as_wit",
            socket_and_plugs_may_be_given_as_wit,
        ),
    ];
    tests
        .into_iter()
        .map(|(name, test)| {
            super::Trial::test(format!("formats/{name}"), move || {
                test();
                Ok(())
            })
        })
        .collect()
}

fn check(case: &str, format: &str) -> (Option<i32>, String) {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/check/cases")
        .join(case);
    let deps = super::deps_for(&case);
    let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .arg("check")
        .arg(case.join("composition.wac"))
        .arg("--deps-dir")
        .arg(deps.path())
        .args(["--format", format])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn json_output_lists_every_finding_with_its_place() {
    let (status, stdout) = check("pitfall-5-f64-export-s32-import", "json");
    assert_eq!(status, Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["version"], 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{stdout}");
    let first = &findings[0];
    assert_eq!(first["kind"], "type-mismatch");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "toolsku:calculator/ops.add, parameter a");
    assert_eq!(first["expected"], "s32");
    assert_eq!(first["found"], "f64");
    assert!(first["file"].as_str().unwrap().ends_with("composition.wac"));
    assert!(first["line"].as_u64().unwrap() > 0);
    assert_eq!(first["related"].as_array().unwrap().len(), 2);
}

fn sarif_output_is_a_sarif_2_1_0_log() {
    let (status, stdout) = check("pitfall-5-f64-export-s32-import", "sarif");
    assert_eq!(status, Some(1));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "wcompose");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "type-mismatch");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["level"], "error");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() > 0);
    assert_eq!(results[0]["relatedLocations"].as_array().unwrap().len(), 2);
}

fn github_output_is_one_annotation_per_finding() {
    let (status, stdout) = check("pitfall-5-f64-export-s32-import", "github");
    assert_eq!(status, Some(1));
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in lines {
        assert!(line.starts_with("::error file="), "{line}");
        assert!(line.contains(",line="), "{line}");
        assert!(line.contains("::toolsku:calculator/ops.add"), "{line}");
    }
}

fn warnings_fail_the_check_only_when_denied() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/check/cases/unused-instance");
    let deps = super::deps_for(&case);
    let run = |deny: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wcompose"));
        command
            .arg("check")
            .arg(case.join("composition.wac"))
            .arg("--deps-dir")
            .arg(deps.path());
        if deny {
            command.arg("--deny-warnings");
        }
        command.env("NO_COLOR", "1").output().unwrap().status.code()
    };
    assert_eq!(run(false), Some(0));
    assert_eq!(run(true), Some(1));
}

fn an_unreadable_composition_exits_with_status_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .args(["check", "does-not-exist.wac", "--deps-dir", "."])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("failed to read `does-not-exist.wac`")
    );
}

fn a_git_revision_serves_as_the_baseline() {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args([
                "-c",
                "user.name=wcompose",
                "-c",
                "user.email=wcompose@localhost",
            ])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    let wit = repo.path().join("wit");
    std::fs::create_dir(&wit).unwrap();
    let calculator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit/calculator.wit");
    let text = std::fs::read_to_string(calculator).unwrap();
    std::fs::write(wit.join("calculator.wit"), &text).unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "baseline"]);
    std::fs::write(
        wit.join("calculator.wit"),
        text.replace(
            "add: func(a: f64, b: f64) -> f64;",
            "add: func(a: f64, b: f64, c: f64) -> f64;",
        ),
    )
    .unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .current_dir(repo.path())
        .args([
            "check",
            "--baseline",
            "HEAD",
            "--wit",
            "wit",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["kind"], "breaking-change");
    assert_eq!(finding["path"], "toolsku:calculator/ops.add");
    assert_eq!(finding["related"][0]["file"], "HEAD:wit/calculator.wit");

    // Unchanged WIT passes.
    git(&["checkout", "-q", "--", "wit"]);
    let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .current_dir(repo.path())
        .args(["check", "--baseline", "HEAD", "--wit", "wit"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn socket_and_plugs_may_be_given_as_wit() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/check/cases/pitfall-5-f64-export-s32-import/components/toolsku");
    let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .arg("check")
        .arg("--socket")
        .arg(case.join("formatter.wit"))
        .arg("--plug")
        .arg(case.join("calculator.wit"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`calculator` does not satisfy `toolsku:calculator/ops` of `formatter`")
            && message
                .contains("add, parameter a: the import expects s32, the export provides f64"),
        "{message}"
    );
}

//! Compositions that the check must refuse, with every problem named.

use wcompose::check::FindingKind;
use wcompose::compose::{self, ComposeError};

use crate::support::Built;

/// Puts a calculator built from `tests/fixtures/calculator-s32` (whose `add`
/// takes `s32`) in the deps folder.
fn with_s32_calculator() -> Built {
    let built = Built::new();
    let wit =
        wcompose::wit::load(&crate::support::root().join("tests/fixtures/calculator-s32")).unwrap();
    let component = wit.stub_component(Some("calculator")).unwrap();
    std::fs::write(built.dep("toolsku:calculator"), component).unwrap();
    built
}

#[test]
fn rejects_an_f64_import_satisfied_by_an_s32_export() {
    let built = with_s32_calculator();
    let options = compose::Options {
        deps_dir: built.deps_dir(),
        ..Default::default()
    };
    let Err(ComposeError::Check { report, .. }) =
        compose::compose_file(&built.composition("seed.wac"), &options)
    else {
        panic!("the composition should fail its check");
    };
    let messages: Vec<_> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "toolsku:calculator/ops.add, parameter a: the import expects f64, the export provides s32",
            "toolsku:calculator/ops.add, parameter b: the import expects f64, the export provides s32",
            "toolsku:calculator/ops.add, result: the import expects f64, the export provides s32",
        ]
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.kind == FindingKind::TypeMismatch)
    );
    // Each finding points at the `.wac` argument and at both WIT sides.
    let first = &report.findings[0];
    assert_eq!(first.labels.len(), 3, "{:#?}", first.labels);
    assert!(first.labels[0].source.name.ends_with("seed.wac"));
    // The labels sit on the parameter, in the WIT printed from each binary.
    for (label, declaration) in [
        (&first.labels[1], "add: func(a: f64, b: f64) -> f64;"),
        (&first.labels[2], "add: func(a: s32, b: s32) -> s32;"),
    ] {
        let line_start = label.source.text[..label.span.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = label.source.text[line_start..].lines().next().unwrap();
        assert_eq!(line.trim(), declaration);
        assert_eq!(&label.source.text[label.span.clone()], "a");
    }
}

#[test]
fn every_mismatched_edge_is_reported_not_just_the_first() {
    let built = with_s32_calculator();
    let options = compose::Options {
        deps_dir: built.deps_dir(),
        ..Default::default()
    };
    let source = compose::read_source(&built.composition("app.wac")).unwrap();
    let report = compose::check_source(&source, &options).unwrap();
    // The formatter and the app both import `add` from the calculator.
    let add_findings = report
        .findings
        .iter()
        .filter(|f| f.path.starts_with("toolsku:calculator/ops.add"))
        .count();
    assert_eq!(add_findings, 6, "{:#?}", report.findings);
}

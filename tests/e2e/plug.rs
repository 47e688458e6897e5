//! `wcompose plug`: transitive plugging, rejected candidates explained,
//! cycles named.

use wcompose::plug::{self, Input, Reason};

use crate::support::{self, Built};

fn input(name: &str, bytes: Vec<u8>) -> Input {
    Input {
        name: name.to_string(),
        path: format!("{name}.wasm").into(),
        bytes,
    }
}

fn stub(wit: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("component.wit");
    std::fs::write(&path, wit).unwrap();
    wcompose::wit::load(&path)
        .unwrap()
        .stub_component(None)
        .unwrap()
}

#[test]
fn plugs_across_three_levels_and_runs_the_result() {
    let built = Built::new();
    let read = |package: &str| std::fs::read(built.dep(package)).unwrap();
    let plugged = plug::plug(
        input("app", read("toolsku:app")),
        vec![
            input("formatter", read("toolsku:formatter")),
            input("calculator", read("toolsku:calculator")),
        ],
        plug::Options {
            strict: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|f| panic!("{}", wcompose::error_chain(&f.error)));
    let connections: Vec<_> = plugged
        .plan
        .connections
        .iter()
        .map(|c| format!("{} <- {} ({})", c.consumer, c.provider, c.import))
        .collect();
    assert_eq!(
        connections,
        [
            "app <- calculator (toolsku:calculator/ops)",
            "app <- formatter (toolsku:formatter/format)",
            "formatter <- calculator (toolsku:calculator/ops)",
        ]
    );
    support::validate(&plugged.bytes);
    let app = support::load(&plugged.bytes);
    let outcome = support::run_command(
        &app,
        "{\"format_type\":\"csv-to-json\",\"input\":\"n\\n2\\n3\"}\n",
    );
    let table: serde_json::Value = serde_json::from_slice(&outcome.stdout).unwrap();
    assert_eq!(table["totals"]["n"], serde_json::json!(5));
}

#[test]
fn a_mismatched_candidate_is_explained_and_the_next_one_used() {
    let built = Built::new();
    let s32 = wcompose::wit::load(&support::root().join("tests/fixtures/calculator-s32"))
        .unwrap()
        .stub_component(None)
        .unwrap();
    let plugged = plug::plug(
        input(
            "formatter",
            std::fs::read(built.dep("toolsku:formatter")).unwrap(),
        ),
        vec![
            input("calculator-s32", s32),
            input(
                "calculator",
                std::fs::read(built.dep("toolsku:calculator")).unwrap(),
            ),
        ],
        plug::Options::default(),
    )
    .unwrap_or_else(|f| panic!("{}", wcompose::error_chain(&f.error)));
    assert_eq!(plugged.plan.connections[0].provider, "calculator");
    let skipped = &plugged.plan.skipped[0];
    assert_eq!(skipped.candidate, "calculator-s32");
    assert!(matches!(skipped.reason, Reason::TypeMismatch(_)));
    assert!(
        skipped
            .reason
            .explain()
            .contains("add, parameter a: the import expects f64, the export provides s32"),
        "{}",
        skipped.reason.explain()
    );
}

#[test]
fn a_cycle_is_reported_with_the_components_names() {
    let socket = stub(
        "package t:socket;\npackage t:a { interface x { f: func(); } }\nworld socket { import t:a/x; export run: func(); }",
    );
    let first = stub(
        "package t:first;\npackage t:a { interface x { f: func(); } interface y { g: func(); } }\n\
         world first { import t:a/y; export t:a/x; }",
    );
    let second = stub(
        "package t:second;\npackage t:a { interface x { f: func(); } interface y { g: func(); } }\n\
         world second { import t:a/x; export t:a/y; }",
    );
    let plan = plug::plan(
        input("socket", socket),
        vec![input("first", first), input("second", second)],
        None,
    )
    .unwrap();
    let cycle = plan
        .skipped
        .iter()
        .find_map(|s| match &s.reason {
            Reason::Cycle { path } => Some(path.join(" -> ")),
            _ => None,
        })
        .expect("a cycle should be reported");
    assert_eq!(cycle, "second -> first -> second");
    assert!(
        plan.open
            .contains(&("second".to_string(), "t:a/x".to_string()))
    );
}

#[test]
fn nothing_to_plug_is_an_error_that_names_the_socket() {
    let built = Built::new();
    let error = plug::plug(
        input(
            "calculator",
            std::fs::read(built.dep("toolsku:calculator")).unwrap(),
        ),
        vec![input(
            "formatter",
            std::fs::read(built.dep("toolsku:formatter")).unwrap(),
        )],
        plug::Options::default(),
    )
    .err()
    .unwrap()
    .error;
    assert_eq!(
        error.to_string(),
        "no plug satisfies any import of `calculator`"
    );
}

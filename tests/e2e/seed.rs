//! The seed composition (formatter + calculator) and the app command, built
//! from the real guests and run under wasmtime.

use crate::support::{self, Built};

#[test]
fn the_calculator_computes_the_four_operations() {
    let built = Built::new();
    let calculator = support::load(&std::fs::read(built.dep("toolsku:calculator")).unwrap());
    assert_eq!(support::invoke(&calculator, "add(1.5, 2)"), "3.5");
    assert_eq!(support::invoke(&calculator, "subtract(1, 2.5)"), "-1.5");
    assert_eq!(support::invoke(&calculator, "multiply(3, -4)"), "-12");
    assert_eq!(support::invoke(&calculator, "divide(1, 4)"), "ok(0.25)");
}

#[test]
fn dividing_by_zero_is_an_err_not_a_trap() {
    let built = Built::new();
    let calculator = support::load(&std::fs::read(built.dep("toolsku:calculator")).unwrap());
    assert_eq!(
        support::invoke(&calculator, "divide(1, 0)"),
        r#"err("division by zero")"#
    );
}

#[test]
fn json_pretty_formats_valid_json_and_rejects_invalid_json() {
    let seed = support::load(&Built::new().compose("seed.wac"));
    let pretty = support::ok_string(&support::invoke(
        &seed,
        r#"json-pretty("{\"a\":[1,2],\"b\":null}")"#,
    ));
    assert_eq!(
        pretty,
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": null\n}"
    );

    let invalid = support::invoke(&seed, r#"json-pretty("{\"a\":")"#);
    assert!(invalid.starts_with("err(\"invalid JSON"), "{invalid}");
}

#[test]
fn csv_to_json_turns_numbers_into_numbers_and_keeps_text() {
    let seed = support::load(&Built::new().compose("seed.wac"));
    let json = support::ok_string(&support::invoke(
        &seed,
        r#"csv-to-json("name,price,note\nwidget,2.5,\"small, blue\"\ngadget,4,big")"#,
    ));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "records": [
                {"name": "widget", "price": 2.5, "note": "small, blue"},
                {"name": "gadget", "price": 4, "note": "big"},
            ],
            "totals": {"price": 6.5},
        })
    );
}

#[test]
fn csv_to_json_rejects_malformed_input_with_an_err() {
    let seed = support::load(&Built::new().compose("seed.wac"));
    for (csv, expected) in [
        ("", "empty CSV"),
        (r#"a,b\n1,2,3"#, "line 2: row has 3 fields, header has 2"),
        (r#"a,a\n1,2"#, "duplicate header name"),
        (r#"a,b\n\"1,2"#, "unterminated quoted field"),
    ] {
        let result = support::invoke(&seed, &format!("csv-to-json(\"{csv}\")"));
        assert!(
            result.starts_with("err(") && result.contains(expected),
            "{csv}: {result}"
        );
    }
}

/// The formatter's totals go through its `toolsku:calculator/ops` import.
/// Plugging in a calculator whose `add` is off by 1000 changes them, which
/// proves that the composed edge is used at run time.
#[test]
fn the_formatter_calls_the_plugged_in_calculator_at_run_time() {
    let built = Built::new();
    let odd_calculator = support::component_from_wat(
        "package toolsku:calculator;
         interface ops { add: func(a: f64, b: f64) -> f64; }
         world calculator { export ops; }",
        "calculator",
        r#"(module
             (func (export "toolsku:calculator/ops#add") (param f64 f64) (result f64)
               (f64.add (f64.add (local.get 0) (local.get 1)) (f64.const 1000))))"#,
    );
    std::fs::write(built.dep("toolsku:calculator"), odd_calculator).unwrap();
    let seed = support::load(&built.compose("seed.wac"));
    let json = support::ok_string(&support::invoke(&seed, r#"csv-to-json("n\n1\n2")"#));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    // 0 + 1 + 1000, then + 2 + 1000.
    assert_eq!(value["totals"]["n"], serde_json::json!(2003));
}

#[test]
fn the_app_answers_each_request_and_reports_the_bad_line() {
    let app = support::load(&Built::new().compose("app.wac"));
    let outcome = support::run_command(
        &app,
        concat!(
            r#"{"op":"add","a":1,"b":2}"#,
            "\n",
            "not json\n",
            r#"{"op":"divide","a":1,"b":0}"#,
            "\n",
            r#"{"format_type":"csv-to-json","input":"x\n3\n4"}"#,
            "\n",
        ),
    );
    let stdout = String::from_utf8(outcome.stdout).unwrap();
    let stderr = String::from_utf8(outcome.stderr).unwrap();
    assert_eq!(outcome.exit_code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.starts_with("3\n"), "{stdout}");
    let table: serde_json::Value = serde_json::from_str(stdout.trim_start_matches("3\n")).unwrap();
    assert_eq!(table["totals"]["x"], serde_json::json!(7));
    assert!(stderr.contains("error: line 2: invalid JSON"), "{stderr}");
    assert!(
        stderr.contains("error: line 3: division by zero"),
        "{stderr}"
    );
}

#[test]
fn the_app_exits_zero_when_every_request_succeeds() {
    let app = support::load(&Built::new().compose("app.wac"));
    let outcome = support::run_command(&app, "{\"op\":\"multiply\",\"a\":6,\"b\":7}\n");
    assert_eq!(String::from_utf8(outcome.stdout).unwrap(), "42\n");
    assert_eq!(outcome.exit_code, 0);
}

#[test]
fn composed_files_validate_and_are_identical_when_built_twice() {
    let built = Built::new();
    for name in ["seed.wac", "app.wac"] {
        let first = built.compose(name);
        support::validate(&first);
        assert_eq!(
            first,
            built.compose(name),
            "{name} differs between two builds"
        );
    }
    // A second, separate componentize + compose gives the same bytes too.
    assert_eq!(built.compose("app.wac"), Built::new().compose("app.wac"));
}

#[test]
fn the_workspace_composes_every_composition() {
    let built = Built::new();
    let outputs = built.compose_all();
    let names: Vec<_> = outputs
        .iter()
        .map(|o| o.path.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "app.wasm",
            "container.wasm",
            "edge.wasm",
            "edge-http.wasm",
            "polyglot-app.wasm",
            "polyglot-seed.wasm",
            "report.wasm",
            "router.wasm",
            "router-http.wasm",
            "seed.wasm",
            "serverless.wasm",
            "serverless-http.wasm",
        ]
    );
    let edges: Vec<_> = outputs.iter().map(|o| o.edges_checked).collect();
    assert_eq!(edges, [3, 2, 2, 3, 3, 1, 3, 5, 6, 1, 1, 2]);
}

#[test]
fn a_core_module_in_the_deps_folder_is_componentized_on_the_way_in() {
    let built = Built::new();
    let core = support::guest_cores()
        .iter()
        .find(|p| p.ends_with("calculator.wasm"))
        .unwrap();
    std::fs::copy(core, built.dep("toolsku:calculator")).unwrap();
    let seed = support::load(&built.compose("seed.wac"));
    let json = support::ok_string(&support::invoke(&seed, r#"csv-to-json("n\n1\n2")"#));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["totals"]["n"], serde_json::json!(3));
}

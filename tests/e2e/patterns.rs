//! The seed's patterns 1, 2, 3 and 5 as composed guests: every operation of
//! every new guest, called through the composition that wires it up.

use serde_json::{Value, json};

use crate::support::{self, Built};

/// Decodes a WAVE string literal (`"..."`) into its text.
fn string(wave: &str) -> String {
    serde_json::from_str::<String>(wave).unwrap_or_else(|e| panic!("{wave}: {e}"))
}

/// Calls a function that returns `result<string, string>` holding JSON and
/// parses the `ok` text.
fn ok_json(loaded: &wcompose::run::Loaded, call: &str) -> Value {
    let text = support::ok_string(&support::invoke(loaded, call));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{call}: {e}: {text}"))
}

/// A WAVE string literal holding `value` as JSON.
fn wave_json(value: &Value) -> String {
    serde_json::to_string(&value.to_string()).unwrap()
}

// Pattern 1: the edge request handler, with the validator and calculator.

#[test]
fn the_edge_handler_transforms_a_payload_the_validator_accepts() {
    let edge = support::load(&Built::new().compose("edge.wac"));
    let request = json!({"action": "transform", "payload": {"name": "edge", "version": 2}});
    let response = ok_json(&edge, &format!("handle({})", wave_json(&request)));
    assert_eq!(
        response,
        json!({"status": "ok", "action": "transform", "data": {"NAME": "edge", "VERSION": 2}})
    );

    // The validator's problems come back through the handler.
    let request = json!({"action": "transform", "payload": {}});
    let result = support::invoke(&edge, &format!("handle({})", wave_json(&request)));
    assert!(
        result.starts_with("err(") && result.contains("the object is empty"),
        "{result}"
    );
}

#[test]
fn the_edge_handler_returns_the_validators_verdicts() {
    let edge = support::load(&Built::new().compose("edge.wac"));
    let validate = |request: Value| {
        ok_json(&edge, &format!("handle({})", wave_json(&request)))["data"].clone()
    };
    assert_eq!(
        validate(json!({"action": "validate", "payload": {"a": 1}})),
        json!({"valid": true, "type": "object", "problems": []})
    );
    assert_eq!(
        validate(json!({"action": "validate", "payload": [1, 2]})),
        json!({"valid": false, "type": "array", "problems": ["expected an object, found array"]})
    );
    assert_eq!(
        validate(json!({"action": "validate", "payload": {"": 1}})),
        json!({"valid": false, "type": "object", "problems": ["the object has an empty key"]})
    );
    // `required` switches to the validator's `require-fields`.
    assert_eq!(
        validate(json!({
            "action": "validate",
            "payload": {"id": 7, "name": null},
            "required": ["id", "name", "email"],
        })),
        json!({
            "valid": false,
            "type": "object",
            "problems": ["field `name` is null", "missing field `email`"],
        })
    );
}

#[test]
fn the_edge_handler_aggregates_numbers_with_the_calculator() {
    let edge = support::load(&Built::new().compose("edge.wac"));
    let aggregate = |payload: Value| {
        let request = json!({"action": "aggregate", "payload": payload});
        ok_json(&edge, &format!("handle({})", wave_json(&request)))["data"].clone()
    };
    assert_eq!(
        aggregate(json!([1, 2, 3, 4, "skipped"])),
        json!({"count": 4, "sum": 10, "avg": 2.5, "min": 1, "max": 4})
    );
    assert_eq!(aggregate(json!([])), json!({"count": 0}));

    for (request, expected) in [
        (
            json!({"action": "aggregate", "payload": {"a": 1}}),
            "expected an array",
        ),
        (json!({"action": "resize"}), "unknown action \\\"resize\\\""),
        (json!({"payload": 1}), "missing field `action`"),
    ] {
        let result = support::invoke(&edge, &format!("handle({})", wave_json(&request)));
        assert!(
            result.starts_with("err(") && result.contains(expected),
            "{request}: {result}"
        );
    }
}

// Pattern 2: the serverless event handler, a wasm32-wasip2 command.

#[test]
fn the_serverless_handler_is_built_as_a_component_by_rustc() {
    let core = support::guest_cores()
        .iter()
        .find(|p| p.ends_with("serverless.wasm"))
        .expect("the serverless guest was built");
    assert!(
        core.components().any(|c| c.as_os_str() == "wasm32-wasip2"),
        "{}",
        core.display()
    );
    let bytes = std::fs::read(core).unwrap();
    assert_eq!(
        wcompose::artifact::classify(&bytes).unwrap(),
        wcompose::artifact::ArtifactKind::Component
    );
    // It is named by `[package.metadata.wcompose] package`.
    assert!(Built::new().dep("toolsku:serverless").exists());
}

#[test]
fn the_serverless_handler_answers_each_kind_of_event() {
    let command = support::load(&Built::new().compose("serverless.wac"));
    let events =
        std::fs::read_to_string(support::root().join("compositions/events.jsonl")).unwrap();
    let outcome = support::run_command(&command, &events);
    let stdout = String::from_utf8(outcome.stdout).unwrap();
    let stderr = String::from_utf8(outcome.stderr).unwrap();
    assert_eq!(outcome.exit_code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        results,
        [
            json!({
                "event_type": "http-request",
                "result": "HTTP GET /api/v1/status -> 200 OK",
                "processed_at": 1718438400,
            }),
            json!({
                "event_type": "cron-trigger",
                "result": "Cron task 'cleanup' executed successfully",
                "processed_at": 1718438400,
                // Computed by the calculator: 1718438400 + 3600.
                "next_run": 1718442000,
            }),
            json!({
                "event_type": "event-bridge",
                "result": "Event from 'orders': evt-42",
                "processed_at": 1718438401,
            }),
        ]
    );
}

#[test]
fn the_serverless_handler_reports_bad_events_and_exits_one() {
    let command = support::load(&Built::new().compose("serverless.wac"));
    let outcome = support::run_command(
        &command,
        concat!(
            "{\"event_type\":\"queue-message\",\"data\":{}}\n",
            "\n",
            "not json\n",
            "{\"event_type\":\"cron-trigger\",\"data\":{\"task\":\"backup\"},\"timestamp\":5}\n",
        ),
    );
    let stdout = String::from_utf8(outcome.stdout).unwrap();
    let stderr = String::from_utf8(outcome.stderr).unwrap();
    assert_eq!(outcome.exit_code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stderr.contains("error: line 1: unsupported event \"queue-message\""),
        "{stderr}"
    );
    assert!(stderr.contains("error: line 3: invalid JSON"), "{stderr}");
    let last: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(last["result"], "Cron task 'backup' executed successfully");
    assert_eq!(last.get("next_run"), None);
}

// Pattern 3: the container service, with the formatter and calculator.

#[test]
fn the_container_flattens_json_and_pretty_prints_through_the_formatter() {
    let container = support::load(&Built::new().compose("container.wac"));
    let input = json!({"a": {"b": 1, "c": {"d": [1, 2]}, "e": {}}, "f": null});
    let flat = ok_json(
        &container,
        &format!("flatten({}, false)", wave_json(&input)),
    );
    assert_eq!(
        flat,
        json!({"a.b": 1, "a.c.d": [1, 2], "a.e": {}, "f": null})
    );

    let pretty = support::ok_string(&support::invoke(
        &container,
        &format!("flatten({}, true)", wave_json(&json!({"x": {"y": true}}))),
    ));
    assert_eq!(pretty, "{\n  \"x.y\": true\n}");

    let invalid = support::invoke(&container, r#"flatten("{", false)"#);
    assert!(invalid.starts_with("err(\"invalid JSON"), "{invalid}");
}

#[test]
fn the_container_lists_keys_in_document_order() {
    let container = support::load(&Built::new().compose("container.wac"));
    assert_eq!(
        support::invoke(&container, r#"keys("{\"z\": 1, \"a\": {\"b\": 2}}")"#),
        r#"ok(["z", "a"])"#
    );
    assert_eq!(
        support::invoke(&container, r#"keys("[1]")"#),
        r#"err("expected a JSON object")"#
    );
}

#[test]
fn the_container_counts_words_characters_and_lines() {
    let container = support::load(&Built::new().compose("container.wac"));
    assert_eq!(
        support::invoke(&container, r#"analyze("héllo edge\nworld")"#),
        r#"{word-count: 3, char-count: 16, line-count: 2, reversed: "dlrow\negde olléh"}"#
    );
    assert_eq!(
        support::invoke(&container, r#"analyze("")"#),
        r#"{word-count: 0, char-count: 0, line-count: 0, reversed: ""}"#
    );
}

#[test]
fn the_container_service_dispatches_json_requests() {
    let container = support::load(&Built::new().compose("container.wac"));
    let process =
        |request: Value| ok_json(&container, &format!("process({})", wave_json(&request)));
    assert_eq!(
        process(json!({
            "service": "json-transform",
            "params": {"op": "flatten", "input": {"a": {"b": 1}}},
        })),
        json!({"success": true, "service": "json-transform", "result": {"a.b": 1}})
    );
    // Written out, since `json!` on the host sorts keys.
    let keys = support::invoke(
        &container,
        r#"process("{\"service\": \"json-transform\", \"params\": {\"op\": \"keys\", \"input\": {\"k\": 1, \"j\": 2}}}")"#,
    );
    let keys: Value = serde_json::from_str(&support::ok_string(&keys)).unwrap();
    assert_eq!(keys["result"], json!(["k", "j"]));
    assert_eq!(
        process(json!({"service": "text-process", "params": {"text": "ab cd"}}))["result"],
        json!({"word_count": 2, "char_count": 5, "line_count": 1, "reversed": "dc ba"})
    );
    let unknown = support::invoke(
        &container,
        &format!(
            "process({})",
            wave_json(&json!({"service": "image-resize"}))
        ),
    );
    assert!(
        unknown.starts_with("err(") && unknown.contains("unknown service"),
        "{unknown}"
    );
}

// Pattern 5: the edge function router and its four handler instances.

fn request(path: &str, headers: &[(&str, &str)], query: &[(&str, &str)]) -> String {
    let pairs = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("({k:?}, {v:?})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "route({{path: {path:?}, method: \"GET\", headers: [{}], query: [{}], body: none}})",
        pairs(headers),
        pairs(query)
    )
}

#[test]
fn the_router_lists_its_four_routes() {
    let router = support::load(&Built::new().compose("router.wac"));
    assert_eq!(
        support::invoke(&router, "paths()"),
        r#"["/api/geo", "/api/cache", "/api/auth", "/api/compress"]"#
    );
}

#[test]
fn the_router_sends_geo_requests_to_the_geo_instance() {
    let router = support::load(&Built::new().compose("router.wac"));
    assert_eq!(
        support::invoke(
            &router,
            &request("/api/geo", &[("X-Edge-Region", "cn-north")], &[])
        ),
        r#"{status: 302, headers: [("location", "https://cn-north.example.com")], body: "{\"redirect\":\"https://cn-north.example.com\",\"region\":\"cn-north\"}", cache-control: "no-cache", edge-cache-ttl: 0}"#
    );
    let fallback = support::invoke(&router, &request("/api/geo", &[], &[]));
    assert!(
        fallback.contains("https://global.example.com"),
        "{fallback}"
    );
}

#[test]
fn the_router_sends_cache_requests_to_the_cache_instance() {
    let router = support::load(&Built::new().compose("router.wac"));
    let response = support::invoke(
        &router,
        &request("/api/cache", &[], &[("max_age", "60"), ("v", "2")]),
    );
    assert_eq!(
        response,
        r#"{status: 200, headers: [("x-edge-cache", "HIT")], body: "{\"cached\":true,\"ttl\":60,\"variant\":\"2\"}", cache-control: "public, max-age=60", edge-cache-ttl: 60}"#
    );
    let default = support::invoke(&router, &request("/api/cache", &[], &[]));
    assert!(default.contains("edge-cache-ttl: 3600"), "{default}");
}

#[test]
fn the_router_sends_auth_requests_to_the_auth_instance() {
    let router = support::load(&Built::new().compose("router.wac"));
    let ok = support::invoke(
        &router,
        &request(
            "/api/auth",
            &[("Authorization", "Bearer abcdefghijklmnop")],
            &[],
        ),
    );
    assert!(ok.starts_with("{status: 200,"), "{ok}");
    assert!(
        ok.contains(r#"\"token_prefix\":\"Bearer abcdefgh\""#),
        "{ok}"
    );
    let denied = support::invoke(
        &router,
        &request("/api/auth", &[("authorization", "Bearer short")], &[]),
    );
    assert!(denied.starts_with("{status: 401,"), "{denied}");
}

#[test]
fn the_router_sends_compress_requests_to_the_compress_instance() {
    let router = support::load(&Built::new().compose("router.wac"));
    for (accept, encoding, size, ratio) in [
        ("gzip, br", "br", 2048, "80%"),
        ("gzip", "gzip", 3072, "70%"),
        ("", "identity", 10240, "0%"),
    ] {
        let event = json!({"path": "/api/compress", "headers": {"accept-encoding": accept}});
        let response: Value = serde_json::from_str(&string(&support::invoke(
            &router,
            &format!("route-json({})", wave_json(&event)),
        )))
        .unwrap();
        assert_eq!(response["status_code"], 200);
        assert_eq!(response["headers"]["content-encoding"], encoding);
        assert_eq!(
            response["body"],
            json!({"original_size": 10240, "compressed_size": size, "encoding": encoding, "ratio": ratio}),
            "{accept}"
        );
    }
    // With a body, sizes come from it.
    let event = json!({"path": "/api/compress", "headers": {"accept-encoding": "br"}, "body": "x".repeat(1000)});
    let response: Value = serde_json::from_str(&string(&support::invoke(
        &router,
        &format!("route-json({})", wave_json(&event)),
    )))
    .unwrap();
    assert_eq!(response["body"]["original_size"], 1000);
    assert_eq!(response["body"]["compressed_size"], 200);
}

#[test]
fn the_router_answers_unknown_paths_and_bad_events_itself() {
    let router = support::load(&Built::new().compose("router.wac"));
    let missing = support::invoke(&router, &request("/api/nope", &[], &[]));
    assert!(missing.starts_with("{status: 404,"), "{missing}");

    let response: Value =
        serde_json::from_str(&string(&support::invoke(&router, r#"route-json("{")"#))).unwrap();
    assert_eq!(response["status_code"], 400);
    let error = response["body"]["error"].as_str().unwrap();
    assert!(error.starts_with("invalid event: "), "{error}");

    // The seed's edge event, as its pattern 5 sends it.
    let event = json!({
        "request_id": "req-001",
        "source_ip": "10.0.0.1",
        "path": "/api/geo",
        "method": "GET",
        "headers": {"x-edge-region": "eu-central"},
        "body": null,
        "query_params": {},
    });
    let response: Value = serde_json::from_str(&string(&support::invoke(
        &router,
        &format!("route-json({})", wave_json(&event)),
    )))
    .unwrap();
    assert_eq!(
        response,
        json!({
            "status_code": 302,
            "headers": {"location": "https://eu-central.example.com"},
            "body": {"redirect": "https://eu-central.example.com", "region": "eu-central"},
            "cache_control": "no-cache",
            "edge_cache_ttl": 0,
        })
    );
}

#[test]
fn every_new_composition_validates_and_builds_the_same_bytes_twice() {
    let built = Built::new();
    for name in ["edge.wac", "serverless.wac", "container.wac", "router.wac"] {
        let first = built.compose(name);
        support::validate(&first);
        assert_eq!(first, built.compose(name), "{name} differs between builds");
    }
}

#[test]
fn every_new_composition_passes_the_check_against_the_wasmtime_host() {
    // The router's handlers share `toolsku:router/types`, an interface of
    // types alone, which stays an import of the composition: it needs
    // nothing from the host.
    let built = Built::new();
    for name in ["edge.wac", "serverless.wac", "container.wac", "router.wac"] {
        let options = wcompose::compose::Options {
            deps_dir: built.deps_dir(),
            check: wcompose::check::CheckOptions {
                wit: None,
                host: wcompose::host::HostProfile::named("wasmtime"),
            },
            ..Default::default()
        };
        let source = wcompose::compose::read_source(&built.composition(name)).unwrap();
        let report = wcompose::compose::check_source(&source, &options)
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
        let findings: Vec<_> = report.findings.iter().map(|f| &f.message).collect();
        assert_eq!(report.errors(), 0, "{name}: {findings:#?}");
    }
}

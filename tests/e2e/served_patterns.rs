//! The seed's HTTP edge patterns served: `edge-http.wac` (pattern 1),
//! `serverless-http.wac` (pattern 2) and `router-http.wac` (pattern 5),
//! each the pattern's composition behind a `wasi:http/incoming-handler`
//! front, composed from the workspace's guests and served by the library's
//! `Server` on loopback, asked every route over real HTTP.

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

use crate::serve::{Log, Response, client, get, options, request, send, wait_in_flight};
use crate::support::Built;

/// Serves `compositions/<name>` as composed from the workspace's guests.
fn serve(name: &str) -> (Log, wcompose::serve::Server) {
    let bytes = Built::new().compose(name);
    let log = Log::default();
    let server = log.start_bytes(&bytes, options());
    assert_eq!(server.handler(), "wasi:http/incoming-handler@0.2.12");
    (log, server)
}

/// Sends `method path` with `headers` and `body`.
fn ask(
    server: &wcompose::serve::Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut builder = request(method, path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    client()
        .block_on(send(server.addr(), request))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// The body as JSON, after checking that it says so.
fn json_body(response: &Response) -> Value {
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{response:?}"
    );
    serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {}", response.text()))
}

/// Stops `server` once every request has been answered by the guest.
fn finish(log: &Log, server: wcompose::serve::Server) {
    assert!(log.failures().is_empty(), "{:?}", log.failures());
    wait_in_flight(&server, 0);
    assert_eq!(server.stop().cut, 0);
}

#[test]
fn the_edge_service_transforms_validates_and_aggregates_over_http() {
    let (log, server) = serve("edge-http.wac");

    let transformed = ask(
        &server,
        "POST",
        "/api/transform",
        &[],
        r#"{"name":"edge","version":2}"#,
    );
    assert_eq!(transformed.status, 200);
    assert_eq!(
        json_body(&transformed),
        json!({"status": "ok", "action": "transform", "data": {"NAME": "edge", "VERSION": 2}})
    );

    let validated = ask(
        &server,
        "POST",
        "/api/validate?required=id,name",
        &[],
        r#"{"id":7}"#,
    );
    assert_eq!(validated.status, 200);
    let verdict = &json_body(&validated)["data"];
    assert_eq!(verdict["valid"], false, "{verdict}");
    assert_eq!(verdict["type"], "object");

    let aggregated = ask(&server, "POST", "/api/aggregate", &[], "[1, 2, 3, 4]");
    assert_eq!(aggregated.status, 200);
    assert_eq!(
        json_body(&aggregated)["data"],
        json!({"count": 4, "sum": 10, "avg": 2.5, "min": 1, "max": 4})
    );

    // The validator's refusal comes back as a 400 with the handler's words.
    let refused = ask(&server, "POST", "/api/transform", &[], "{}");
    assert_eq!(refused.status, 400);
    let error = json_body(&refused)["error"].as_str().unwrap().to_string();
    assert!(error.contains("the object is empty"), "{error}");

    let not_json = ask(&server, "POST", "/api/aggregate", &[], "[1, 2");
    assert_eq!(not_json.status, 400);
    let error = json_body(&not_json)["error"].as_str().unwrap().to_string();
    assert!(error.starts_with("the body is not JSON: "), "{error}");

    let wrong_method = get(server.addr(), "/api/aggregate");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));

    let missing = ask(&server, "POST", "/api/nope", &[], "{}");
    assert_eq!(missing.status, 404);
    assert_eq!(json_body(&missing), json!({"error": "not found"}));

    assert_eq!(log.statuses(), [200, 200, 200, 400, 400, 405, 404]);
    finish(&log, server);
}

#[test]
fn the_serverless_service_handles_posted_events_and_turns_requests_into_events() {
    let (log, server) = serve("serverless-http.wac");

    // A cron trigger computes its next run with the calculator.
    let cron = ask(
        &server,
        "POST",
        "/events",
        &[("content-type", "application/json")],
        r#"{"event_type":"cron-trigger","data":{"task":"cleanup","interval_s":3600},"timestamp":1718438400}"#,
    );
    assert_eq!(cron.status, 200);
    assert_eq!(
        json_body(&cron),
        json!({
            "event_type": "cron-trigger",
            "result": "Cron task 'cleanup' executed successfully",
            "processed_at": 1718438400,
            "next_run": 1718442000,
        })
    );

    let bridge = ask(
        &server,
        "POST",
        "/events",
        &[],
        r#"{"event_type":"event-bridge","data":{"source":"orders","id":"evt-42"},"timestamp":1718438401}"#,
    );
    assert_eq!(bridge.status, 200);
    assert_eq!(json_body(&bridge)["result"], "Event from 'orders': evt-42");

    // Any other request is an `http-request` event, stamped with the
    // wall-clock second the guest sees.
    let before = now();
    let request = ask(&server, "DELETE", "/api/v1/status?x=1", &[], "");
    let after = now();
    assert_eq!(request.status, 200);
    let event = json_body(&request);
    assert_eq!(event["event_type"], "http-request");
    assert_eq!(event["result"], "HTTP DELETE /api/v1/status -> 200 OK");
    let stamped = event["processed_at"].as_u64().unwrap();
    assert!(
        (before..=after).contains(&stamped),
        "{before} <= {stamped} <= {after}"
    );

    let unsupported = ask(&server, "POST", "/events", &[], r#"{"event_type":"sms"}"#);
    assert_eq!(unsupported.status, 400);
    let error = json_body(&unsupported)["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.starts_with("unsupported event \"sms\""), "{error}");

    let not_json = ask(&server, "POST", "/events", &[], "{");
    assert_eq!(not_json.status, 400);

    let wrong_method = get(server.addr(), "/events");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("POST"));

    assert_eq!(log.statuses(), [200, 200, 200, 400, 400, 405]);
    finish(&log, server);
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn the_router_service_answers_each_route_with_the_seeds_statuses_and_headers() {
    let (log, server) = serve("router-http.wac");

    let geo = ask(
        &server,
        "GET",
        "/api/geo",
        &[("X-Edge-Region", "cn-north")],
        "",
    );
    assert_eq!(geo.status, 302);
    assert_eq!(geo.header("location"), Some("https://cn-north.example.com"));
    assert_eq!(geo.header("cache-control"), Some("no-cache"));
    assert_eq!(geo.header("x-edge-cache-ttl"), None);
    assert_eq!(
        json_body(&geo),
        json!({"redirect": "https://cn-north.example.com", "region": "cn-north"})
    );
    let fallback = get(server.addr(), "/api/geo");
    assert_eq!(
        fallback.header("location"),
        Some("https://global.example.com")
    );

    // The query string reaches the handler as decoded pairs.
    let cache = get(server.addr(), "/api/cache?max_age=60&v=a%20b");
    assert_eq!(cache.status, 200);
    assert_eq!(cache.header("x-edge-cache"), Some("HIT"));
    assert_eq!(cache.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(cache.header("x-edge-cache-ttl"), Some("60"));
    assert_eq!(
        json_body(&cache),
        json!({"cached": true, "ttl": 60, "variant": "a b"})
    );

    let token = [("Authorization", "Bearer abcdefghijklmnop")];
    let auth = ask(&server, "GET", "/api/auth", &token, "");
    assert_eq!(auth.status, 200);
    assert_eq!(auth.header("cache-control"), Some("private, no-cache"));
    assert_eq!(json_body(&auth)["token_prefix"], "Bearer abcdefgh");
    let denied = get(server.addr(), "/api/auth");
    assert_eq!(denied.status, 401);
    assert_eq!(denied.header("www-authenticate"), Some("Bearer"));

    // With a body, the calculator sizes it.
    let compress = ask(
        &server,
        "POST",
        "/api/compress",
        &[("Accept-Encoding", "gzip, br")],
        &"x".repeat(1000),
    );
    assert_eq!(compress.status, 200);
    assert_eq!(compress.header("content-encoding"), Some("br"));
    assert_eq!(
        compress.header("cache-control"),
        Some("public, max-age=86400")
    );
    assert_eq!(compress.header("x-edge-cache-ttl"), Some("86400"));
    assert_eq!(
        json_body(&compress),
        json!({"original_size": 1000, "compressed_size": 200, "encoding": "br", "ratio": "80%"})
    );

    let missing = get(server.addr(), "/api/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(json_body(&missing), json!({"error": "not found"}));

    assert_eq!(log.statuses(), [302, 302, 200, 200, 401, 200, 404]);
    finish(&log, server);
}

#[test]
fn the_router_service_answers_64_concurrent_requests_across_its_routes() {
    let (log, server) = serve("router-http.wac");
    let paths = ["/api/geo", "/api/cache", "/api/auth", "/api/compress"];
    let answers = client().block_on(async {
        let requests = (0..64).map(|i| {
            let request = request("GET", paths[i % 4])
                .body(Full::new(Bytes::new()))
                .unwrap();
            send(server.addr(), request)
        });
        futures::future::join_all(requests).await
    });
    let statuses: Vec<u16> = answers
        .into_iter()
        .map(|answer| answer.unwrap().status)
        .collect();
    let expected: Vec<u16> = (0..64).map(|i| [302, 200, 401, 200][i % 4]).collect();
    assert_eq!(statuses, expected);
    assert_eq!(log.statuses().len(), 64);
    finish(&log, server);
}

#[test]
fn check_holds_each_http_composition_to_the_host_its_manifest_declares() {
    let built = Built::new();
    let deps = built.deps_dir();
    let check = |file: &str, host: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_wcompose"))
            .arg("check")
            .arg(file)
            .arg("--deps-dir")
            .arg(&deps)
            .args(host)
            .current_dir(crate::support::root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    for name in ["edge-http", "serverless-http", "router-http"] {
        let file = format!("compositions/{name}.wac");
        // `wcompose.toml` says `host = "wasi-http"`.
        let (code, stderr) = check(&file, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains(", 0 errors,"), "{stderr}");
        // A host without WASI HTTP leaves the front's imports open.
        let (code, stderr) = check(&file, &["--host", "wasmtime"]);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains(
                "`wasi:http/types@0.2.12` (imported by `front`) is satisfied by nothing in the composition, \
                 and the host profile `wasmtime` does not provide it (nor anything of `wasi:http`)"
            ),
            "{stderr}"
        );
    }
}

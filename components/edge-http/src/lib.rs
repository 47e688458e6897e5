//! The edge handler (the seed's pattern 1) behind HTTP: exports
//! `wasi:http/incoming-handler@0.2.12` and calls the imported
//! `toolsku:edge/handler`.
//!
//! * `POST /api/transform`, `/api/validate`, `/api/aggregate`: the body is
//!   the JSON payload of that action (for `validate`, `?required=a,b` names
//!   the fields the payload must hold); the handler's answer is a 200
//!   `application/json` response, its error a 400 `{"error": ...}`;
//! * another method on those paths: 405 with `Allow: POST`;
//! * a body that is not JSON: 400;
//! * any other path: 404.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/deps/wasi-io.wit",
            "../../wit/deps/wasi-clocks.wit",
            "../../wit/deps/wasi-random.wit",
            "../../wit/deps/wasi-filesystem.wit",
            "../../wit/deps/wasi-sockets.wit",
            "../../wit/deps/wasi-cli.wit",
            "../../wit/deps/wasi-http.wit",
            "../../wit/calculator.wit",
            "../../wit/validator.wit",
            "../../wit/edge.wit",
            "../../wit/edge-http.wit",
        ],
        world: "toolsku:edge-http/http",
        generate_all,
    });
}

#[path = "../../shared/http_front.rs"]
mod http;

use bindings::exports::wasi::http::incoming_handler::Guest;
use bindings::toolsku::edge::handler;
use bindings::wasi::http::types::{IncomingRequest, ResponseOutparam};
use serde_json::{Value, json};

const ACTIONS: [&str; 3] = ["transform", "validate", "aggregate"];

struct EdgeHttp;

impl Guest for EdgeHttp {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let request = http::Request::read(request);
        let Some(action) = request
            .path
            .strip_prefix("/api/")
            .filter(|action| ACTIONS.contains(action))
        else {
            return http::error(out, 404, Vec::new(), "not found");
        };
        if request.method != "POST" {
            let allow = vec![("allow".to_string(), "POST".to_string())];
            return http::error(out, 405, allow, "method not allowed");
        }
        let payload: Value = match serde_json::from_slice(&request.body) {
            Ok(payload) => payload,
            Err(e) => {
                return http::error(out, 400, Vec::new(), &format!("the body is not JSON: {e}"));
            }
        };
        let mut event = json!({ "action": action, "payload": payload });
        if let Some((_, fields)) = request
            .query_pairs()
            .into_iter()
            .find(|(n, _)| n == "required")
        {
            let fields: Vec<&str> = fields.split(',').filter(|f| !f.is_empty()).collect();
            event["required"] = json!(fields);
        }
        match handler::handle(&event.to_string()) {
            Ok(answer) => http::json(out, 200, Vec::new(), &answer),
            Err(message) => http::error(out, 400, Vec::new(), &message),
        }
    }
}

bindings::export!(EdgeHttp with_types_in bindings);

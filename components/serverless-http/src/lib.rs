//! The serverless event handler (the seed's pattern 2) behind HTTP: exports
//! `wasi:http/incoming-handler@0.2.12` and calls the imported
//! `toolsku:serverless/events`.
//!
//! * `POST /events`: the body is one event (`http-request`, `cron-trigger`
//!   or `event-bridge`), handled as it is;
//! * `/events` with another method: 405 with `Allow: POST`;
//! * any other request is an `http-request` event of its method and path,
//!   stamped with the wall-clock second.
//!
//! The handler's result is a 200 `application/json` response, its error a
//! 400 `{"error": ...}`.

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
            "../../wit/serverless.wit",
            "../../wit/serverless-http.wit",
        ],
        world: "toolsku:serverless-http/http",
        generate_all,
    });
}

#[path = "../../shared/http_front.rs"]
mod http;

use bindings::exports::wasi::http::incoming_handler::Guest;
use bindings::toolsku::serverless::events;
use bindings::wasi::http::types::{IncomingRequest, ResponseOutparam};
use serde_json::json;

struct ServerlessHttp;

impl Guest for ServerlessHttp {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let request = http::Request::read(request);
        let event = if request.path == "/events" {
            if request.method != "POST" {
                let allow = vec![("allow".to_string(), "POST".to_string())];
                return http::error(out, 405, allow, "method not allowed");
            }
            String::from_utf8_lossy(&request.body).into_owned()
        } else {
            json!({
                "event_type": "http-request",
                "data": { "method": request.method, "path": request.path },
                "timestamp": std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_secs()),
            })
            .to_string()
        };
        match events::handle(&event) {
            Ok(result) => http::json(out, 200, Vec::new(), &result),
            Err(message) => http::error(out, 400, Vec::new(), &message),
        }
    }
}

bindings::export!(ServerlessHttp with_types_in bindings);

//! The edge function router (the seed's pattern 5) behind HTTP: exports
//! `wasi:http/incoming-handler@0.2.12` and calls the imported
//! `toolsku:router/routes`.
//!
//! Each request becomes a `request` record: its path, method, headers
//! (names lowercase), query string (decoded pairs) and body (as text, none
//! when empty). The `response` record becomes the HTTP response: its status
//! and headers (`Location`, `X-Edge-Cache`, `Content-Encoding`, ...),
//! `cache-control` as `Cache-Control`, a non-zero `edge-cache-ttl` as
//! `X-Edge-Cache-TTL`, and the body as `application/json`.

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
            "../../wit/router.wit",
            "../../wit/router-http.wit",
        ],
        world: "toolsku:router-http/http",
        generate_all,
    });
}

#[path = "../../shared/http_front.rs"]
mod http;

use bindings::exports::wasi::http::incoming_handler::Guest;
use bindings::toolsku::router::routes;
use bindings::toolsku::router::types::Request;
use bindings::wasi::http::types::{IncomingRequest, ResponseOutparam};

struct RouterHttp;

impl Guest for RouterHttp {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let request = http::Request::read(request);
        let body =
            (!request.body.is_empty()).then(|| String::from_utf8_lossy(&request.body).into_owned());
        let query = request.query_pairs();
        let response = routes::route(&Request {
            path: request.path,
            method: request.method,
            headers: request.headers,
            query,
            body,
        });
        let mut headers = response.headers;
        if !response.cache_control.is_empty() {
            headers.push(("cache-control".to_string(), response.cache_control));
        }
        if response.edge_cache_ttl != 0 {
            headers.push((
                "x-edge-cache-ttl".to_string(),
                response.edge_cache_ttl.to_string(),
            ));
        }
        http::json(out, response.status, headers, &response.body);
    }
}

bindings::export!(RouterHttp with_types_in bindings);

//! A test guest for `wcompose serve`: a `wasi:http/handler@0.3.0` handler
//! (the WASI 0.3 service world), whose path picks what it does.
//!
//! * `/ok`: 200 `ok`, with an `x-handler` header, the body written by a
//!   task that runs after the handler has returned.
//! * `/trap`: panics (a trap, as the guest aborts on panic).
//! * `/sleep`: waits 300 ms on the WASI 0.3 monotonic clock, then 200
//!   `slept`.
//! * anything else: 404.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "test:http3/handler",
        generate_all,
    });
}

use bindings::exports::wasi::http::handler::Guest;
use bindings::wasi::clocks::monotonic_clock;
use bindings::wasi::http::types::{ErrorCode, Fields, Request, Response};

struct Handler;

impl Guest for Handler {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_default();
        match path.split('?').next().unwrap_or_default() {
            "/ok" => Ok(respond(200, &[("x-handler", "wcompose-test-0.3")], b"ok\n")),
            "/trap" => panic!("guest secret: the trap route was asked for"),
            "/sleep" => {
                monotonic_clock::wait_for(300_000_000).await;
                Ok(respond(200, &[], b"slept\n"))
            }
            _ => Ok(respond(404, &[], b"not found\n")),
        }
    }
}

/// A response with `status`, `headers` and `body`, the body streamed by a
/// task of its own.
fn respond(status: u16, headers: &[(&str, &str)], body: &'static [u8]) -> Response {
    let fields = Fields::new();
    for (name, value) in headers {
        let _ = fields.append(name, value.as_bytes());
    }
    let _ = fields.append("content-length", body.len().to_string().as_bytes());
    let (mut contents, reader) = bindings::wit_stream::new::<u8>();
    // No trailers: the writer is dropped and the reader gets the default.
    let (_, trailers) = bindings::wit_future::new(|| Ok(None));
    let (response, _sent) = Response::new(fields, Some(reader), trailers);
    let _ = response.set_status_code(status);
    wit_bindgen::spawn_local(async move {
        contents.write_all(body.to_vec()).await;
    });
    response
}

bindings::export!(Handler with_types_in bindings);

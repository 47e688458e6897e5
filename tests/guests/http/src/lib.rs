//! A test guest for `wcompose serve`: a `wasi:http/incoming-handler@0.2`
//! handler built for wasm32-wasip2 (so its std imports `wasi:cli`, as every
//! Rust handler's does), whose path picks what it does.
//!
//! * `/ok`: 200 `ok`, with an `x-handler` header.
//! * `/echo`: 200 with the request body and its `content-type`.
//! * `/trap`: panics (a trap, as the guest aborts on panic), with a
//!   message that must never reach the client.
//! * `/loop`: loops forever, for the time and fuel limits.
//! * `/memory`: fills 64 MiB, for the memory limit.
//! * `/big`: 200 with a 1 MiB body, written in chunks.
//! * `/sleep`: waits 300 ms on the monotonic clock, then 200 `slept`: a
//!   request that stays in flight.
//! * `/outgoing`: sends `GET http://{x-upstream}/ok` and answers 200 with
//!   the upstream's status and body, or 502 with the error code the host
//!   gave (`HttpRequestDenied` when the sandbox refuses it).
//! * anything else: 404.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "test:http/handler",
        generate_all,
    });
}

use bindings::exports::wasi::http::incoming_handler::Guest;
use bindings::wasi::clocks::monotonic_clock;
use bindings::wasi::http::outgoing_handler;
use bindings::wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingRequest, OutgoingResponse,
    ResponseOutparam, Scheme,
};
use bindings::wasi::io::streams::{InputStream, StreamError};

struct Handler;

impl Guest for Handler {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default().to_string();
        match path.as_str() {
            "/ok" => respond(out, 200, &[("x-handler", "wcompose-test")], b"ok\n"),
            "/echo" => {
                let content_type = header(&request, "content-type")
                    .unwrap_or_else(|| "application/octet-stream".to_string());
                let body = read_body(request);
                respond(out, 200, &[("content-type", &content_type)], &body);
            }
            "/trap" => panic!("guest secret: the trap route was asked for"),
            "/loop" => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "/memory" => {
                let filled = std::hint::black_box(vec![1u8; 64 << 20]);
                let sum: u64 = filled.iter().step_by(4096).map(|b| u64::from(*b)).sum();
                respond(out, 200, &[], format!("{sum}\n").as_bytes());
            }
            "/big" => respond(out, 200, &[], &vec![b'x'; 1 << 20]),
            "/sleep" => {
                monotonic_clock::subscribe_duration(300_000_000).block();
                respond(out, 200, &[], b"slept\n");
            }
            "/outgoing" => {
                let upstream = header(&request, "x-upstream").unwrap_or_default();
                match fetch(&upstream) {
                    Ok((status, body)) => respond(
                        out,
                        200,
                        &[],
                        format!("upstream: {status} {}", String::from_utf8_lossy(&body)).as_bytes(),
                    ),
                    Err(code) => respond(out, 502, &[], format!("error: {code}\n").as_bytes()),
                }
            }
            _ => respond(out, 404, &[], b"not found\n"),
        }
    }
}

/// The first value of header `name`, as text.
fn header(request: &IncomingRequest, name: &str) -> Option<String> {
    let values = request.headers().get(name);
    values
        .first()
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// Reads the whole request body.
fn read_body(request: IncomingRequest) -> Vec<u8> {
    let Ok(body) = request.consume() else {
        return Vec::new();
    };
    let bytes = match body.stream() {
        Ok(stream) => read_all(&stream),
        Err(()) => Vec::new(),
    };
    IncomingBody::finish(body);
    bytes
}

fn read_all(stream: &InputStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return bytes,
            Err(StreamError::LastOperationFailed(_)) => return bytes,
        }
    }
}

/// Sends `GET http://{authority}/ok` and returns the status and body, or
/// the error code in words.
fn fetch(authority: &str) -> Result<(u16, Vec<u8>), String> {
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_method(&Method::Get);
    let _ = request.set_scheme(Some(&Scheme::Http));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some("/ok"));
    let pending = outgoing_handler::handle(request, None).map_err(|code| format!("{code:?}"))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(format!("{code:?}")),
        Some(Err(())) | None => return Err("no response".to_string()),
    };
    let status = response.status();
    let body = match response.consume() {
        Ok(body) => {
            let bytes = match body.stream() {
                Ok(stream) => read_all(&stream),
                Err(()) => Vec::new(),
            };
            drop(body);
            bytes
        }
        Err(()) => Vec::new(),
    };
    Ok((status, body))
}

/// Answers with `status`, `headers` and `body` (in chunks the host takes).
fn respond(out: ResponseOutparam, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let fields = Fields::new();
    for (name, value) in headers {
        let _ = fields.append(name, value.as_bytes());
    }
    let _ = fields.append("content-length", body.len().to_string().as_bytes());
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(status);
    let outgoing = response.body().expect("the body is taken once");
    ResponseOutparam::set(out, Ok(response));
    let stream = outgoing.write().expect("the stream is taken once");
    for chunk in body.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(outgoing, None);
}

bindings::export!(Handler with_types_in bindings);

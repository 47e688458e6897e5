//! The HTTP side of the guests that put a pattern behind
//! `wasi:http/incoming-handler@0.2.12` (`edge-http`, `router-http`,
//! `serverless-http`): reading a request whole and writing a response.
//! Each of those crates includes this file as its `http` module; it uses
//! the WASI HTTP bindings that the crate's own `bindings` module
//! generates from the workspace's `wit/deps/wasi-http.wit`. Not every crate
//! uses every function.

#![allow(dead_code)]

use crate::bindings::wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use crate::bindings::wasi::io::streams::StreamError;

/// A request as the patterns see it: read whole, header names lowercase.
pub struct Request {
    /// `GET`, `POST`, ... as sent.
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The query string without its `?`, possibly empty.
    pub query: String,
    /// Every header, names lowercase, values as text, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// Reads `request`, its body included.
    pub fn read(request: IncomingRequest) -> Request {
        let method = match request.method() {
            Method::Get => "GET".to_string(),
            Method::Head => "HEAD".to_string(),
            Method::Post => "POST".to_string(),
            Method::Put => "PUT".to_string(),
            Method::Delete => "DELETE".to_string(),
            Method::Connect => "CONNECT".to_string(),
            Method::Options => "OPTIONS".to_string(),
            Method::Trace => "TRACE".to_string(),
            Method::Patch => "PATCH".to_string(),
            Method::Other(other) => other,
        };
        let target = request.path_with_query().unwrap_or_else(|| "/".to_string());
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (target, String::new()),
        };
        let headers = request
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(&value).into_owned(),
                )
            })
            .collect();
        let body = read_body(request);
        Request {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query string as decoded name/value pairs, in order
    /// (`application/x-www-form-urlencoded`: `+` is a space, `%XX` a byte).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect()
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_body(request: IncomingRequest) -> Vec<u8> {
    let Ok(body) = request.consume() else {
        return Vec::new();
    };
    let mut bytes = Vec::new();
    if let Ok(stream) = body.stream() {
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) | Err(StreamError::LastOperationFailed(_)) => break,
            }
        }
    }
    IncomingBody::finish(body);
    bytes
}

/// Answers `out` with `status`, `headers` and `body`, adding
/// `content-length`.
pub fn respond(out: ResponseOutparam, status: u16, headers: &[(String, String)], body: &[u8]) {
    let fields = Fields::new();
    for (name, value) in headers {
        // A name or value that HTTP forbids is left out, not a trap.
        let _ = fields.append(name, value.as_bytes());
    }
    let _ = fields.append("content-length", body.len().to_string().as_bytes());
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(status);
    let Ok(outgoing) = response.body() else {
        return;
    };
    ResponseOutparam::set(out, Ok(response));
    let Ok(stream) = outgoing.write() else {
        return;
    };
    for chunk in body.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(outgoing, None);
}

/// Answers with a JSON body.
pub fn json(out: ResponseOutparam, status: u16, mut headers: Vec<(String, String)>, body: &str) {
    headers.push(("content-type".to_string(), "application/json".to_string()));
    respond(out, status, &headers, body.as_bytes());
}

/// Answers with `{"error": message}`.
pub fn error(out: ResponseOutparam, status: u16, extra: Vec<(String, String)>, message: &str) {
    let body = serde_json::json!({ "error": message }).to_string();
    json(out, status, extra, &body);
}

//! `wcompose serve` and the library's [`Server`], driven by a real HTTP
//! client (hyper's) over loopback: `tests/guests/http`, a
//! `wasi:http/incoming-handler@0.2` handler built once per test process
//! for wasm32-wasip2, answers on routes that succeed, trap, loop, fill
//! memory, stream a large body, sleep, and send requests out;
//! `tests/guests/http3`, a `wasi:http/handler@0.3.0` handler, answers on
//! some of the same routes from a reused instance. Every server
//! listens on 127.0.0.1 port 0; every load is bounded in count.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wcompose::run::{Cache, Limits};
use wcompose::serve::{Event, ServeError, ServeOptions, Server};

use crate::support;

/// The HTTP test guest, built once per test process.
fn guest() -> &'static Path {
    static GUEST: OnceLock<PathBuf> = OnceLock::new();
    GUEST.get_or_init(|| support::build_test_guest("http", "wasm32-wasip2"))
}

/// The WASI 0.3 HTTP test guest, built once per test process.
fn guest3() -> &'static Path {
    static GUEST: OnceLock<PathBuf> = OnceLock::new();
    GUEST.get_or_init(|| support::build_test_guest("http3", "wasm32-wasip2"))
}

fn guest_bytes() -> Vec<u8> {
    std::fs::read(guest()).unwrap()
}

/// Options for a server on a free loopback port, compiled code shared
/// through the tests' run cache.
pub(crate) fn options() -> ServeOptions {
    ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        cache: Some(Cache::new(support::shared_run_cache())),
        ..ServeOptions::default()
    }
}

/// What a server reported, kept for the test to look at.
#[derive(Default, Clone)]
pub(crate) struct Log(Arc<Mutex<Vec<Event>>>);

impl Log {
    fn start(&self, options: ServeOptions) -> Server {
        self.start_bytes(&guest_bytes(), options)
    }

    pub(crate) fn start_bytes(&self, bytes: &[u8], options: ServeOptions) -> Server {
        let log = self.clone();
        Server::start(bytes, options, move |event| {
            log.0.lock().unwrap().push(event)
        })
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
    }

    /// The guest failures: status, and the failure in words.
    pub(crate) fn failures(&self) -> Vec<(u16, String)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| match event {
                Event::GuestFailed { served, failure } => {
                    Some((served.status, failure.to_string()))
                }
                _ => None,
            })
            .collect()
    }

    /// The statuses of the requests answered, in order.
    pub(crate) fn statuses(&self) -> Vec<u16> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| match event {
                Event::Served(served) | Event::GuestFailed { served, .. } => Some(served.status),
                _ => None,
            })
            .collect()
    }
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The client's event loop.
pub(crate) fn client() -> &'static tokio::runtime::Runtime {
    static CLIENT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    CLIENT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Sends one request on a connection of its own.
pub(crate) async fn send(
    addr: SocketAddr,
    request: http::Request<Full<Bytes>>,
) -> Result<Response, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(wasmtime_wasi_http::io::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Response {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.to_vec(),
    })
}

pub(crate) fn request(method: &str, path: &str) -> http::request::Builder {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
}

fn get_async(addr: SocketAddr, path: &str) -> impl Future<Output = Result<Response, String>> {
    let request = request("GET", path).body(Full::new(Bytes::new())).unwrap();
    send(addr, request)
}

/// `GET path`, waiting for the whole response.
pub(crate) fn get(addr: SocketAddr, path: &str) -> Response {
    client()
        .block_on(get_async(addr, path))
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// Waits until `server` has `n` requests in flight (for at most 10 s).
pub(crate) fn wait_in_flight(server: &Server, n: usize) {
    let start = Instant::now();
    while server.in_flight() != n {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} requests in flight, expected {n}",
            server.in_flight()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn each_route_answers_with_its_status_headers_and_body() {
    let log = Log::default();
    let server = log.start(options());
    assert_eq!(server.handler(), "wasi:http/incoming-handler@0.2.12");

    let ok = get(server.addr(), "/ok");
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-handler"), Some("wcompose-test"));
    assert_eq!(ok.text(), "ok\n");

    let missing = get(server.addr(), "/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.text(), "not found\n");

    let big = get(server.addr(), "/big");
    assert_eq!(big.status, 200);
    assert_eq!(big.header("content-length"), Some("1048576"));
    assert_eq!(big.body.len(), 1 << 20);
    assert!(big.body.iter().all(|b| *b == b'x'));

    let echo = client()
        .block_on(send(
            server.addr(),
            request("POST", "/echo?x=1")
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(b"{\"a\":[1,2]}")))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(echo.status, 200);
    assert_eq!(echo.header("content-type"), Some("application/json"));
    assert_eq!(echo.text(), "{\"a\":[1,2]}");

    assert_eq!(log.statuses(), [200, 404, 200, 200]);
    assert!(log.failures().is_empty());
    wait_in_flight(&server, 0);
    assert_eq!(server.stop().cut, 0);
}

#[test]
fn a_trapping_request_gets_500_without_guest_internals_and_the_next_is_served() {
    let log = Log::default();
    let server = log.start(options());
    let trapped = get(server.addr(), "/trap");
    assert_eq!(trapped.status, 500);
    assert_eq!(trapped.text(), "500 Internal Server Error\n");
    assert_eq!(get(server.addr(), "/ok").status, 200);

    let failures = log.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let (status, failure) = &failures[0];
    assert_eq!(*status, 500);
    assert!(
        failure.contains("wasm `unreachable` instruction executed"),
        "{failure}"
    );
    assert!(failure.contains("guest backtrace:"), "{failure}");
    assert!(
        failure.contains("incoming_handler::Guest>::handle"),
        "{failure}"
    );
    wait_in_flight(&server, 0);
}

#[test]
fn a_looping_request_gets_504_at_the_time_limit_and_the_next_is_served() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        limits: Limits {
            timeout: Some(Duration::from_millis(300)),
            ..Limits::default()
        },
        ..options()
    });
    let looped = get(server.addr(), "/loop");
    assert_eq!(looped.status, 504);
    assert_eq!(looped.text(), "504 Gateway Timeout\n");
    assert_eq!(get(server.addr(), "/ok").status, 200);
    let failures = log.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0]
            .1
            .starts_with("it ran past its time limit of 300ms and was interrupted"),
        "{failures:?}"
    );
}

#[test]
fn fuel_and_memory_limits_fail_the_request_with_500_and_say_which_limit() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        limits: Limits {
            max_memory: Some(16 << 20),
            fuel: Some(50_000_000),
            ..Limits::default()
        },
        ..options()
    });
    assert_eq!(get(server.addr(), "/loop").status, 500);
    assert_eq!(get(server.addr(), "/memory").status, 500);
    assert_eq!(get(server.addr(), "/ok").status, 200);
    let failures = log.failures();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures[0]
            .1
            .starts_with("it ran out of fuel after 50000000 units"),
        "{failures:?}"
    );
    assert!(
        failures[1]
            .1
            .contains("after the memory limit of 16 MiB refused to let its memories grow"),
        "{failures:?}"
    );
}

#[test]
fn sixty_four_concurrent_requests_are_all_answered() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        max_concurrent: 64,
        ..options()
    });
    let addr = server.addr();
    let responses = client().block_on(async move {
        let tasks: Vec<_> = (0..64)
            .map(|_| tokio::spawn(get_async(addr, "/ok")))
            .collect();
        let mut responses = Vec::new();
        for task in tasks {
            responses.push(task.await.unwrap());
        }
        responses
    });
    let ok = responses
        .iter()
        .filter(|r| matches!(r, Ok(r) if r.status == 200 && r.text() == "ok\n"))
        .count();
    assert_eq!(ok, 64, "{responses:?}");
    assert_eq!(log.statuses().len(), 64);
    wait_in_flight(&server, 0);
}

#[test]
fn requests_beyond_max_concurrent_get_503_at_once() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        max_concurrent: 2,
        ..options()
    });
    let addr = server.addr();
    let sleeping: Vec<_> = (0..2)
        .map(|_| client().spawn(get_async(addr, "/sleep")))
        .collect();
    wait_in_flight(&server, 2);
    let refused = get(addr, "/ok");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.text(), "503 Service Unavailable\n");
    for task in sleeping {
        let response = client().block_on(task).unwrap().unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.text(), "slept\n");
    }
    wait_in_flight(&server, 0);
    assert_eq!(get(addr, "/ok").status, 200);
}

#[test]
fn a_body_over_max_body_gets_413_declared_or_streamed() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        max_body: Some(1024),
        ..options()
    });
    let addr = server.addr();
    let big = Bytes::from(vec![b'a'; 4096]);
    let declared = client()
        .block_on(send(
            addr,
            request("POST", "/echo")
                .body(Full::new(big.clone()))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(declared.status, 413);
    // A body of unknown length: hyper sends it chunked.
    let streamed = client()
        .block_on(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(wasmtime_wasi_http::io::TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(connection);
            let body = http_body_util::StreamBody::new(futures::stream::iter((0..4).map(|_| {
                Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from(vec![
                    b'b';
                    1024
                ])))
            })));
            let request = http::Request::post("/echo")
                .header("host", "localhost")
                .body(body)
                .unwrap();
            sender.send_request(request).await
        })
        .unwrap();
    assert_eq!(streamed.status(), 413);
    let small = client()
        .block_on(send(
            addr,
            request("POST", "/echo")
                .body(Full::new(Bytes::from_static(b"small")))
                .unwrap(),
        ))
        .unwrap();
    assert_eq!(small.status, 200);
    assert_eq!(small.text(), "small");
    wait_in_flight(&server, 0);
}

#[test]
fn stop_lets_the_request_in_flight_finish_and_then_refuses_connections() {
    let log = Log::default();
    let server = log.start(options());
    let addr = server.addr();
    let sleeping = client().spawn(get_async(addr, "/sleep"));
    wait_in_flight(&server, 1);
    let stopped = server.stop();
    assert_eq!(stopped.cut, 0);
    let response = client().block_on(sleeping).unwrap().unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "slept\n");
    assert!(client().block_on(get_async(addr, "/ok")).is_err());
}

#[test]
fn outgoing_http_is_denied_unless_granted() {
    let upstream = Log::default().start(options());
    let target = upstream.addr().to_string();
    let outgoing = |server: &Server| {
        client()
            .block_on(send(
                server.addr(),
                request("GET", "/outgoing")
                    .header("x-upstream", &target)
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            ))
            .unwrap()
    };

    let denied = Log::default().start(options());
    let response = outgoing(&denied);
    assert_eq!(response.status, 502);
    assert_eq!(response.text(), "error: ErrorCode::HttpRequestDenied\n");

    let other_port = Log::default().start(ServeOptions {
        allow_outgoing: vec!["127.0.0.1:1".parse().unwrap()],
        ..options()
    });
    assert_eq!(
        outgoing(&other_port).text(),
        "error: ErrorCode::HttpRequestDenied\n"
    );

    let granted = Log::default().start(ServeOptions {
        allow_outgoing: vec![target.parse().unwrap()],
        ..options()
    });
    let response = outgoing(&granted);
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "upstream: 200 ok\n");
}

#[test]
fn a_component_without_a_handler_is_refused_naming_what_it_exports() {
    let bytes = support::component_from_wat(
        "package test:plain; world plain { export answer: func() -> u32; }",
        "plain",
        r#"(module
            (func (export "answer") (result i32) i32.const 42)
            (memory (export "memory") 1))"#,
    );
    let error = match Server::start(&bytes, options(), |_| {}) {
        Ok(_) => panic!("a component without a handler was served"),
        Err(error) => error,
    };
    assert!(matches!(error, ServeError::NoHandler { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the component exports no HTTP handler (`wasi:http/incoming-handler@0.2.x` or `wasi:http/handler@0.3.x`), so it cannot be served; it exports:\n  answer\n  help: a component that exports `wasi:cli/run` or functions runs with `wcompose run`"
    );
}

#[test]
fn an_address_in_use_is_refused_and_the_first_server_goes_on() {
    let first = Log::default().start(options());
    let error = match Server::start(
        &guest_bytes(),
        ServeOptions {
            addr: first.addr(),
            ..options()
        },
        |_| {},
    ) {
        Ok(_) => panic!("two servers listen on {}", first.addr()),
        Err(error) => error,
    };
    assert_eq!(
        wcompose::error_chain(&error),
        format!(
            "failed to listen on `{}`: Address already in use (os error 98)",
            first.addr()
        )
    );
    assert_eq!(get(first.addr(), "/ok").status, 200);
}

/// A `wcompose serve` process, killed and reaped when dropped (a test
/// that ends early leaves no server behind).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `wcompose serve` on a free port: the child, its address, and its
/// stderr up to the line that names the address.
fn spawn_cli(
    extra: &[&str],
) -> (
    Child,
    SocketAddr,
    Vec<String>,
    std::thread::JoinHandle<String>,
) {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_wcompose"))
            .arg("serve")
            .arg(guest())
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .env(wcompose::run::CACHE_DIR_ENV, support::shared_run_cache())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let status = child.0.wait();
            panic!(
                "wcompose serve ended ({status:?}) before listening:\n{}",
                lines.join("")
            );
        }
        lines.push(line.clone());
        if let Some(rest) = line.strip_prefix("serving HTTP on http://") {
            let addr = rest.split('/').next().unwrap().parse().unwrap();
            // The rest of stderr is read as the child writes it.
            let rest = std::thread::spawn(move || {
                let mut rest = String::new();
                let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
                rest
            });
            return (child, addr, lines, rest);
        }
    }
}

#[test]
fn the_cli_logs_each_request_and_exits_0_on_sigterm_after_the_request_in_flight() {
    let (mut child, addr, lines, rest) = spawn_cli(&["-v"]);
    assert!(
        lines.last().unwrap().ends_with(&format!(
            "with `wasi:http/incoming-handler@0.2.12` of `{}`\n",
            guest().display()
        )),
        "{lines:?}"
    );
    assert_eq!(get(addr, "/ok").status, 200);
    let sleeping = client().spawn(get_async(addr, "/sleep"));
    // The access log line of /ok is out; give /sleep time to arrive.
    std::thread::sleep(Duration::from_millis(100));
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let response = client().block_on(sleeping).unwrap().unwrap();
    assert_eq!(response.status, 200);
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let log: Vec<String> = rest
        .join()
        .unwrap()
        .lines()
        .map(|line| {
            // The time at the end of an access log line varies.
            match line.rsplit_once(' ') {
                Some((head, _)) if line.starts_with("GET ") => format!("{head} TIME"),
                _ => line.to_string(),
            }
        })
        .collect();
    assert_eq!(
        log,
        [
            "GET /ok 200 TIME",
            "stopping: waiting up to 10s for 1 request in flight",
            "GET /sleep 200 TIME",
        ]
    );
}

#[test]
fn the_cli_refuses_a_component_without_a_handler_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.wasm");
    std::fs::write(
        &path,
        support::component_from_wat(
            "package test:plain; world plain { export answer: func() -> u32; }",
            "plain",
            r#"(module (func (export "answer") (result i32) i32.const 42) (memory (export "memory") 1))"#,
        ),
    )
    .unwrap();
    let ran = support::wcompose_in(
        &support::shared_run_cache(),
        &["serve", path.to_str().unwrap(), "--addr", "127.0.0.1:0"],
        "",
        &[],
    );
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(
        ran.stderr,
        format!(
            "  x failed to serve `{}`\n  `-> the component exports no HTTP handler (`wasi:http/incoming-handler@0.2.x` or `wasi:http/handler@0.3.x`), so it cannot be served; it exports:\n        answer\n        help: a component that exports `wasi:cli/run` or functions runs with `wcompose run`\n\n",
            path.display()
        ),
        "{ran}"
    );
}

#[test]
fn malformed_http_and_a_client_gone_mid_body_leave_the_server_serving_with_nothing_in_flight() {
    use std::io::{Read, Write};
    let log = Log::default();
    let server = log.start(options());
    let addr = server.addr();

    let mut malformed = std::net::TcpStream::connect(addr).unwrap();
    malformed.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = malformed.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer:?}"
    );

    let mut flood = std::net::TcpStream::connect(addr).unwrap();
    let mut head = String::from("GET /ok HTTP/1.1\r\nhost: localhost\r\n");
    for i in 0..200 {
        head.push_str(&format!("x-flood-{i}: {i}\r\n"));
    }
    head.push_str("\r\n");
    flood.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = flood.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer:?}"
    );

    // A body announced at 1 MiB, of which 5 bytes come before the client
    // goes away; the guest reads until the stream fails.
    let mut gone = std::net::TcpStream::connect(addr).unwrap();
    gone.write_all(
        b"POST /echo HTTP/1.1\r\nhost: localhost\r\ncontent-length: 1048576\r\n\r\nhello",
    )
    .unwrap();
    wait_in_flight(&server, 1);
    drop(gone);
    wait_in_flight(&server, 0);

    assert_eq!(get(addr, "/ok").status, 200);
}

#[test]
fn a_wasi_0_3_handler_is_served_from_reused_instances_and_survives_a_trap() {
    let log = Log::default();
    let server = log.start_bytes(&std::fs::read(guest3()).unwrap(), options());
    assert_eq!(server.handler(), "wasi:http/handler@0.3.0");
    let addr = server.addr();

    let ok = get(addr, "/ok");
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-handler"), Some("wcompose-test-0.3"));
    assert_eq!(ok.text(), "ok\n");
    assert_eq!(get(addr, "/nope").status, 404);

    let trapped = get(addr, "/trap");
    assert_eq!(trapped.status, 500);
    assert_eq!(trapped.text(), "500 Internal Server Error\n");
    assert_eq!(get(addr, "/ok").status, 200);

    // More than one instance takes at once, all in flight together.
    let responses = client().block_on(async move {
        let tasks: Vec<_> = (0..24)
            .map(|_| tokio::spawn(get_async(addr, "/sleep")))
            .collect();
        let mut responses = Vec::new();
        for task in tasks {
            responses.push(task.await.unwrap());
        }
        responses
    });
    let slept = responses
        .iter()
        .filter(|r| matches!(r, Ok(r) if r.status == 200 && r.text() == "slept\n"))
        .count();
    assert_eq!(slept, 24, "{responses:?}");
    wait_in_flight(&server, 0);
    assert_eq!(server.stop().cut, 0);
}

#[test]
fn a_request_waiting_in_the_host_past_the_time_limit_gets_504() {
    let log = Log::default();
    let server = log.start(ServeOptions {
        limits: Limits {
            timeout: Some(Duration::from_millis(100)),
            ..Limits::default()
        },
        ..options()
    });
    // `/sleep` waits 300 ms on the clock, where no epoch deadline reaches.
    let waited = get(server.addr(), "/sleep");
    assert_eq!(waited.status, 504);
    assert_eq!(get(server.addr(), "/ok").status, 200);
    let failures = log.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0]
            .1
            .starts_with("it ran past its time limit of 100ms and was interrupted"),
        "{failures:?}"
    );
    wait_in_flight(&server, 0);
}

//! `wcompose serve` beside `wasmtime serve` 48: the HTTP test guest
//! (`tests/guests/http`) served by both, on loopback ports, for
//! `cargo xtask interop` (the same requests get the same answers),
//! `cargo xtask bench` (requests per second and latency under one wrk
//! load) and `cargo xtask bench-serve` (those rows alone).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use xshell::Shell;

/// Builds the HTTP test guest `package` (`http` for WASI 0.2, `http3` for
/// 0.3) for wasm32-wasip2 and returns its `.wasm`.
pub fn guest(root: &Path, package: &str) -> Result<PathBuf> {
    use wcompose::workspace::{GuestBuild, ensure_targets, lock_guest_builds};
    let target_root = root.join("target");
    let _lock = lock_guest_builds(&target_root)?;
    ensure_targets(&["wasm32-wasip2"], &mut |event| {
        crate::compose::print_event(root, &event)
    })?;
    let built = GuestBuild {
        manifest: root.join("tests/guests/Cargo.toml"),
        target: "wasm32-wasip2".to_string(),
        target_dir: target_root.join("test-guests"),
        packages: vec![package.to_string()],
    }
    .run()?;
    built
        .into_iter()
        .find(|p| p.file_stem().is_some_and(|s| s == package))
        .with_context(|| format!("the {package} guest build produced no {package}.wasm"))
}

/// `wasmtime serve -S cli` on a free loopback port, stopped when dropped.
pub struct WasmtimeServe {
    child: Child,
    pub addr: SocketAddr,
}

impl WasmtimeServe {
    /// Starts it with its cache off and waits for `Serving HTTP on`.
    pub fn start(wasmtime: &Path, wasm: &Path) -> Result<Self> {
        Self::start_with(wasmtime, wasm, &["-C".into(), "cache=n".into()])
    }

    /// Starts it with its compiled-code cache in `dir`.
    fn start_cached(wasmtime: &Path, wasm: &Path, dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let config = dir.with_extension("toml");
        let directory = serde_json::to_string(&dir.display().to_string())?;
        std::fs::write(&config, format!("[cache]\ndirectory = {directory}\n"))
            .with_context(|| format!("failed to write `{}`", config.display()))?;
        let mut config_arg = std::ffi::OsString::from("cache-config=");
        config_arg.push(&config);
        Self::start_with(
            wasmtime,
            wasm,
            &["-C".into(), "cache=y".into(), "-C".into(), config_arg],
        )
    }

    fn start_with(wasmtime: &Path, wasm: &Path, cache: &[std::ffi::OsString]) -> Result<Self> {
        // A port the kernel says is free; wasmtime binds it right after.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut child = Command::new(wasmtime)
            .args(["serve", "-S", "cli"])
            .args(cache)
            .arg("--addr")
            .arg(addr.to_string())
            .arg(wasm)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("failed to start `{}`", wasmtime.display()))?;
        let mut stderr = BufReader::new(child.stderr.take().context("no stderr")?);
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            if stderr.read_line(&mut line)? == 0 {
                let _ = child.kill();
                bail!("wasmtime serve ended before serving:\n{seen}");
            }
            seen.push_str(&line);
            if line.starts_with("Serving HTTP on") {
                break;
            }
        }
        // Keep draining stderr (the guest's panics land there).
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        Ok(Self { child, addr })
    }
}

impl Drop for WasmtimeServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response as read off the wire.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lowercase, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request, with `headers` besides the usual ones, on a
/// connection of its own
/// (`Connection: close`) and reads the response to the end.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\ncontent-type: text/plain\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the response has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .context("the response has no status line")?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    })
}

/// What the two servers must agree on for one request: the status, and
/// for the guest's own answers the headers it sets and the body.
fn agree(what: &str, ours: &Response, theirs: &Response, whole: bool) -> Result<()> {
    if ours.status != theirs.status {
        bail!(
            "{what}: wcompose serve answered {}, wasmtime serve {}",
            ours.status,
            theirs.status
        );
    }
    if !whole {
        return Ok(());
    }
    for name in [
        "content-type",
        "content-length",
        "x-handler",
        // The seed's HTTP patterns.
        "allow",
        "location",
        "cache-control",
        "content-encoding",
        "www-authenticate",
        "x-edge-cache",
        "x-edge-cache-ttl",
    ] {
        if ours.header(name) != theirs.header(name) {
            bail!(
                "{what}: `{name}` is {:?} from wcompose serve, {:?} from wasmtime serve",
                ours.header(name),
                theirs.header(name)
            );
        }
    }
    if ours.body != theirs.body {
        bail!(
            "{what}: the bodies differ ({} bytes from wcompose serve, {} from wasmtime serve)",
            ours.body.len(),
            theirs.body.len()
        );
    }
    Ok(())
}

/// A request of the comparison: method, path, headers, body, and whether
/// the whole answer must be equal (else the status only: the servers' own
/// 500 pages differ, wasmtime's is HTML, and an answer stamped with the
/// clock may fall in another second).
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [u8],
    bool,
);

/// `cargo xtask interop`'s serve part: the HTTP test guests (WASI 0.2 and
/// 0.3) and the seed's HTTP patterns as `cargo xtask compose` built them
/// (`edge-http`, `serverless-http`, `router-http`), on `wcompose serve`
/// (the library's server) and on `wasmtime serve -S cli`, asked the same
/// requests; the guest's answers must be equal, the answers to a trapping
/// guest must share the status, and both servers go on serving after it.
pub fn interop(_sh: &Shell, root: &Path, wasmtime: &Path) -> Result<()> {
    let p2: &[Case] = &[
        ("GET", "/ok", &[], b"", true),
        ("GET", "/nope", &[], b"", true),
        ("GET", "/big", &[], b"", true),
        ("POST", "/echo", &[], b"{\"a\":[1,2]}", true),
        ("GET", "/sleep", &[], b"", true),
        ("GET", "/trap", &[], b"", false),
        ("GET", "/ok", &[], b"", true),
    ];
    let p3: &[Case] = &[
        ("GET", "/ok", &[], b"", true),
        ("GET", "/nope", &[], b"", true),
        ("GET", "/sleep", &[], b"", true),
        ("GET", "/trap", &[], b"", false),
        ("GET", "/ok", &[], b"", true),
    ];
    for (package, cases) in [("http", p2), ("http3", p3)] {
        compare(wasmtime, package, &guest(root, package)?, cases)?;
    }
    let edge: &[Case] = &[
        ("POST", "/api/transform", &[], b"{\"name\":\"edge\"}", true),
        (
            "POST",
            "/api/validate?required=id,name",
            &[],
            b"{\"id\":7}",
            true,
        ),
        ("POST", "/api/aggregate", &[], b"[1,2,3,4]", true),
        ("POST", "/api/transform", &[], b"{}", true),
        ("POST", "/api/aggregate", &[], b"[1,", true),
        ("GET", "/api/aggregate", &[], b"", true),
        ("GET", "/nope", &[], b"", true),
    ];
    let serverless: &[Case] = &[
        (
            "POST",
            "/events",
            &[],
            b"{\"event_type\":\"cron-trigger\",\"data\":{\"interval_s\":3600},\"timestamp\":1718438400}",
            true,
        ),
        ("POST", "/events", &[], b"{\"event_type\":\"sms\"}", true),
        ("GET", "/events", &[], b"", true),
        ("GET", "/api/v1/status", &[], b"", false),
    ];
    let router: &[Case] = &[
        (
            "GET",
            "/api/geo",
            &[("x-edge-region", "eu-central")],
            b"",
            true,
        ),
        ("GET", "/api/cache?max_age=60&v=2", &[], b"", true),
        (
            "GET",
            "/api/auth",
            &[("authorization", "Bearer abcdefghijklmnop")],
            b"",
            true,
        ),
        ("GET", "/api/auth", &[], b"", true),
        (
            "POST",
            "/api/compress",
            &[("accept-encoding", "gzip")],
            b"xxxxxxxxxx",
            true,
        ),
        ("GET", "/api/nope", &[], b"", true),
    ];
    let out = wcompose::workspace::Workspace::new(root).out_dir;
    for (name, cases) in [
        ("edge-http", edge),
        ("serverless-http", serverless),
        ("router-http", router),
    ] {
        compare(wasmtime, name, &out.join(format!("{name}.wasm")), cases)?;
    }
    println!(
        "serve: wcompose serve and wasmtime serve answer the HTTP test guests and the HTTP patterns alike"
    );
    Ok(())
}

fn compare(wasmtime: &Path, name: &str, wasm: &Path, cases: &[Case]) -> Result<()> {
    let bytes =
        std::fs::read(wasm).with_context(|| format!("failed to read `{}`", wasm.display()))?;
    let ours = wcompose::serve::Server::start(
        &bytes,
        wcompose::serve::ServeOptions {
            addr: "127.0.0.1:0".parse()?,
            ..Default::default()
        },
        |_| {},
    )?;
    let theirs = WasmtimeServe::start(wasmtime, wasm)?;
    for (method, path, headers, body, whole) in cases {
        let what = format!("{name}: {method} {path}");
        let a = send(ours.addr(), method, path, headers, body)?;
        let b = send(theirs.addr, method, path, headers, body)?;
        agree(&what, &a, &b, *whole)?;
        println!(
            "serve: {what}: both answered {} ({} bytes{})",
            a.status,
            a.body.len(),
            if *whole { ", equal" } else { "" }
        );
    }
    ours.stop();
    Ok(())
}

/// The load each server gets, in each round: wrk's threads, connections
/// and duration (loopback only, so it stops by itself).
const WRK_ARGS: [&str; 4] = ["-t2", "-c32", "-d5s", "--latency"];

/// Rounds per server, alternating, so that a burst of other work on the
/// machine falls on both.
const ROUNDS: usize = 3;

/// The serving rows of `cargo xtask bench`, the load that made them, the
/// start-up rows and the memory rows.
pub struct Measured {
    pub rows: Vec<crate::bench::Serving>,
    pub load: String,
    pub startup: Vec<crate::bench::Startup>,
    pub resident: Vec<crate::bench::Resident>,
}

/// wrk, installed with apt-get when missing (as root, as CI runs).
fn wrk(sh: &Shell) -> Result<PathBuf> {
    let find = || {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("wrk"))
                .find(|p| p.is_file())
        })
    };
    if let Some(path) = find() {
        return Ok(path);
    }
    eprintln!("installing wrk (apt-get install wrk)");
    xshell::cmd!(sh, "apt-get install -y -qq wrk")
        .quiet()
        .run()
        .context("failed to install wrk; install it (`apt-get install wrk`) and run again")?;
    find().context("apt-get installed wrk, but it is not on PATH")
}

/// One round of wrk against `addr`: requests per second, p50, p99, and
/// failed responses.
fn round(
    sh: &Shell,
    wrk: &Path,
    addr: SocketAddr,
    path: &str,
) -> Result<(f64, Duration, Duration, u64)> {
    let url = format!("http://{addr}{path}");
    let output = xshell::cmd!(sh, "{wrk} {WRK_ARGS...} {url}")
        .quiet()
        .read()?;
    let field = |label: &str| {
        output
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(label))
            .map(str::trim)
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse::<f64>().ok())
        .with_context(|| format!("wrk printed no requests/s:\n{output}"))?;
    let latency = |label| {
        field(label)
            .and_then(parse_wrk_duration)
            .with_context(|| format!("wrk printed no {label} latency:\n{output}"))
    };
    let errors = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + field("Socket errors:")
            .map(|v| {
                v.split(',')
                    .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0);
    Ok((rps, latency("50%")?, latency("99%")?, errors))
}

/// `1.23ms`, `456.00us`, `2.01s` as wrk prints them.
fn parse_wrk_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

/// A handler the servers are measured on: what to call it, its file, and
/// the route the load asks for.
struct Handler {
    name: String,
    wasm: PathBuf,
    path: &'static str,
}

/// The handlers of the serving rows: the HTTP test guest (one small
/// component) and the router of pattern 5 behind HTTP (seven components,
/// as `cargo xtask compose` builds it).
fn handlers(root: &Path) -> Result<Vec<Handler>> {
    let router = wcompose::workspace::Workspace::new(root)
        .out_dir
        .join("router-http.wasm");
    if !router.is_file() {
        crate::compose::run(root, false)?;
    }
    Ok(vec![
        Handler {
            name: "the HTTP test guest, `GET /ok`".to_string(),
            wasm: guest(root, "http")?,
            path: "/ok",
        },
        Handler {
            name: "`router-http.wasm` (7 components), `GET /api/cache`".to_string(),
            wasm: router,
            path: "/api/cache",
        },
    ])
}

/// `wcompose serve` (the release binary) and `wasmtime serve -S cli` on
/// each handler, under the same wrk load, alternating, medians; then their
/// time to the first answer, and their resident memory over a long run.
pub fn measure(
    sh: &Shell,
    root: &Path,
    wcompose: &Path,
    wasmtime: &Path,
    quick: bool,
) -> Result<Measured> {
    let wrk = wrk(sh)?;
    let handlers = handlers(root)?;
    let cache = root.join("target/bench/cache");
    let mut rows = Vec::new();
    for handler in &handlers {
        eprintln!("  {}", handler.name);
        let ours = WcomposeServe::start(wcompose, &handler.wasm, &cache.join("wcompose"))?;
        let theirs = WasmtimeServe::start(wasmtime, &handler.wasm)?;
        let servers = [
            ("wcompose serve", ours.addr),
            ("wasmtime serve -S cli", theirs.addr),
        ];
        let mut samples: Vec<Vec<(f64, Duration, Duration, u64)>> = vec![Vec::new(); servers.len()];
        for _ in 0..ROUNDS {
            for (i, (name, addr)) in servers.iter().enumerate() {
                let sample = round(sh, &wrk, *addr, handler.path)?;
                eprintln!(
                    "    {name}: {:.0} requests/s, p50 {:?}, p99 {:?}",
                    sample.0, sample.1, sample.2
                );
                samples[i].push(sample);
            }
        }
        for ((name, _), samples) in servers.iter().zip(samples) {
            let median = |pick: fn(&(f64, Duration, Duration, u64)) -> Duration| {
                let mut values: Vec<Duration> = samples.iter().map(pick).collect();
                values.sort();
                values[values.len() / 2]
            };
            let mut rps: Vec<f64> = samples.iter().map(|s| s.0).collect();
            rps.sort_by(f64::total_cmp);
            rows.push(crate::bench::Serving {
                handler: handler.name.clone(),
                server: name.to_string(),
                requests_per_s: rps[rps.len() / 2],
                p50: median(|s| s.1),
                p99: median(|s| s.2),
                failed: samples.iter().map(|s| s.3).sum(),
            });
        }
    }
    let startup = startup(
        wcompose,
        wasmtime,
        &handlers,
        &cache,
        if quick { 1 } else { 3 },
    )?;
    let requests = if quick { 20_000 } else { 100_000 };
    let resident = [Server::Wcompose, Server::Wasmtime]
        .into_iter()
        .map(|server| {
            resident(
                server,
                wcompose,
                wasmtime,
                &handlers[0].wasm,
                &cache,
                requests,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Measured {
        rows,
        load: format!(
            "`wrk {}`, {ROUNDS} rounds each, alternating, medians",
            WRK_ARGS.join(" ")
        ),
        startup,
        resident,
    })
}

/// The two servers, started as the bench starts them.
#[derive(Clone, Copy)]
enum Server {
    Wcompose,
    Wasmtime,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Wcompose => "wcompose serve",
            Server::Wasmtime => "wasmtime serve -S cli",
        }
    }

    /// Its compiled-code cache under the bench's cache folder `cache`.
    fn cache_dir(self, cache: &Path) -> PathBuf {
        cache.join("startup").join(match self {
            Server::Wcompose => "wcompose",
            Server::Wasmtime => "wasmtime",
        })
    }

    /// Starts it on `wasm`; with `cache`, compiled code is kept there (and
    /// taken from there), otherwise nothing is cached.
    fn start(
        self,
        wcompose: &Path,
        wasmtime: &Path,
        wasm: &Path,
        cache: Option<&Path>,
    ) -> Result<Running> {
        Ok(match self {
            Server::Wcompose => match cache {
                Some(dir) => Running::Wcompose {
                    server: WcomposeServe::start(wcompose, wasm, dir)?,
                    _cache: None,
                },
                None => {
                    let scratch = tempfile::tempdir()?;
                    let server = WcomposeServe::start(wcompose, wasm, scratch.path())?;
                    Running::Wcompose {
                        server,
                        _cache: Some(scratch),
                    }
                }
            },
            Server::Wasmtime => Running::Wasmtime(match cache {
                Some(dir) => WasmtimeServe::start_cached(wasmtime, wasm, dir)?,
                None => WasmtimeServe::start(wasmtime, wasm)?,
            }),
        })
    }
}

/// A server process, stopped when dropped.
enum Running {
    Wcompose {
        server: WcomposeServe,
        /// The empty cache folder it was given, kept while it runs.
        _cache: Option<tempfile::TempDir>,
    },
    Wasmtime(WasmtimeServe),
}

impl Running {
    fn addr(&self) -> SocketAddr {
        match self {
            Running::Wcompose { server, .. } => server.addr,
            Running::Wasmtime(s) => s.addr,
        }
    }

    fn pid(&self) -> u32 {
        match self {
            Running::Wcompose { server, .. } => server.child.id(),
            Running::Wasmtime(s) => s.child.id(),
        }
    }
}

/// Each server's time from its start to its first answer on each handler,
/// cold (nothing compiled: wcompose with an empty cache folder, wasmtime
/// with `-C cache=n`) and warm (each with its cache filled by the run
/// before), `samples` times each, medians.
fn startup(
    wcompose: &Path,
    wasmtime: &Path,
    handlers: &[Handler],
    cache: &Path,
    samples: usize,
) -> Result<Vec<crate::bench::Startup>> {
    let mut rows = Vec::new();
    for handler in handlers {
        for server in [Server::Wcompose, Server::Wasmtime] {
            let warm_dir = server.cache_dir(cache);
            // Fill the warm cache once.
            first_answer(server, wcompose, wasmtime, handler, Some(&warm_dir))?;
            for (label, dir) in [("cold", None), ("warm", Some(warm_dir.as_path()))] {
                let mut times: Vec<Duration> = (0..samples)
                    .map(|_| first_answer(server, wcompose, wasmtime, handler, dir))
                    .collect::<Result<_>>()?;
                times.sort();
                let median = times[times.len() / 2];
                eprintln!(
                    "    {}: first answer from {} in {median:?} ({label})",
                    handler.name,
                    server.name()
                );
                rows.push(crate::bench::Startup {
                    handler: handler.name.clone(),
                    server: server.name().to_string(),
                    cache: label,
                    median,
                });
            }
        }
    }
    Ok(rows)
}

/// Starts `server` on `handler` and times it to its first 200 answer.
fn first_answer(
    server: Server,
    wcompose: &Path,
    wasmtime: &Path,
    handler: &Handler,
    cache: Option<&Path>,
) -> Result<Duration> {
    let start = std::time::Instant::now();
    let running = server.start(wcompose, wasmtime, &handler.wasm, cache)?;
    let answer = send(running.addr(), "GET", handler.path, &[], b"")?;
    let elapsed = start.elapsed();
    if answer.status != 200 {
        bail!(
            "{} answered {} to the first `GET {}` on {}",
            server.name(),
            answer.status,
            handler.path,
            handler.name
        );
    }
    Ok(elapsed)
}

/// Requests between two samples of resident memory, and in the warm-up.
const RESIDENT_WARM_UP: u64 = 2_000;

/// `server` on the HTTP test guest, asked `requests` requests on two
/// keep-alive connections after a warm-up, one in a hundred to `/trap`;
/// its resident memory after the warm-up, at the end and at its most.
fn resident(
    server: Server,
    wcompose: &Path,
    wasmtime: &Path,
    wasm: &Path,
    cache: &Path,
    requests: u64,
) -> Result<crate::bench::Resident> {
    let warm_dir = server.cache_dir(cache);
    let running = server.start(wcompose, wasmtime, wasm, Some(&warm_dir))?;
    let addr = running.addr();
    let pid = running.pid();
    let (unexpected, _) = load(addr, RESIDENT_WARM_UP)?;
    let start_kib = rss_kib(pid)?;
    let done = std::sync::atomic::AtomicBool::new(false);
    let (result, max_kib) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut most = start_kib;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(kib) = rss_kib(pid) {
                    most = most.max(kib);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            most
        });
        let result = load(addr, requests);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (result, sampler.join().unwrap_or(start_kib))
    });
    let (more_unexpected, trapping) = result?;
    let end_kib = rss_kib(pid)?;
    let row = crate::bench::Resident {
        server: server.name().to_string(),
        requests,
        trapping,
        start_kib,
        end_kib,
        max_kib: max_kib.max(end_kib),
        unexpected: unexpected + more_unexpected,
    };
    eprintln!(
        "    {}: {} KiB after the warm-up, {} KiB after {requests} requests ({trapping} trapping), {} unexpected answers",
        row.server, row.start_kib, row.end_kib, row.unexpected
    );
    Ok(row)
}

/// A process's resident memory, KiB, from `/proc`.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("failed to read the status of process {pid}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("process {pid} has no VmRSS"))
}

/// Sends `requests` requests to `addr` on two keep-alive connections, one
/// in a hundred to `/trap`, the others to `/ok`; returns the answers the
/// guest did not cause (a failed connection, a status other than 200 for
/// `/ok`, other than 500 for `/trap`) and the number of `/trap` requests.
fn load(addr: SocketAddr, requests: u64) -> Result<(u64, u64)> {
    const CONNECTIONS: u64 = 2;
    let results: Vec<Result<(u64, u64)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                scope.spawn(move || {
                    let mut connection = None;
                    let (mut unexpected, mut trapping) = (0, 0);
                    for i in (c..requests).step_by(CONNECTIONS as usize) {
                        let trap = i % 100 == 99;
                        trapping += u64::from(trap);
                        let (path, expected) = if trap { ("/trap", 500) } else { ("/ok", 200) };
                        match keep_alive_get(&mut connection, addr, path) {
                            Ok(status) if status == expected => {}
                            Ok(_) | Err(_) => unexpected += 1,
                        }
                    }
                    Ok::<_, anyhow::Error>((unexpected, trapping))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a load thread panicked")))
            })
            .collect()
    });
    results.into_iter().try_fold((0, 0), |(u, t), r| {
        let (du, dt) = r?;
        Ok((u + du, t + dt))
    })
}

/// `GET path` on `connection` (opened when there is none, dropped when the
/// server closes it); the status.
fn keep_alive_get(
    connection: &mut Option<BufReader<TcpStream>>,
    addr: SocketAddr,
    path: &str,
) -> Result<u16> {
    if connection.is_none() {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        *connection = Some(BufReader::new(stream));
    }
    let reader = connection.as_mut().context("no connection")?;
    let result = (|| -> Result<(u16, bool)> {
        write!(
            reader.get_mut(),
            "GET {path} HTTP/1.1\r\nhost: {addr}\r\n\r\n"
        )?;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .with_context(|| format!("no status line: {line:?}"))?;
        let (mut length, mut chunked, mut close) = (0usize, false, false);
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse()?,
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)?;
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
            }
        } else {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
        }
        Ok((status, close))
    })();
    match result {
        Ok((status, close)) => {
            if close {
                *connection = None;
            }
            Ok(status)
        }
        Err(e) => {
            *connection = None;
            Err(e)
        }
    }
}

/// `cargo xtask bench-serve`: the serving rows of the bench alone, from
/// the release builds.
pub fn bench(sh: &Shell, root: &Path) -> Result<()> {
    xshell::cmd!(sh, "cargo build --release --locked -p wcompose").run()?;
    let wcompose = crate::bench::release_bin(root, "wcompose");
    let wasmtime = crate::tools::WASMTIME.ensure(sh)?;
    let measured = measure(sh, root, &wcompose, &wasmtime, false)?;
    println!("{}\n", measured.load);
    println!("| handler | server | requests/s | p50 | p99 | failed |\n|---|---|---|---|---|---|");
    for row in measured.rows {
        println!(
            "| {} | {} | {:.0} | {:?} | {:?} | {} |",
            row.handler, row.server, row.requests_per_s, row.p50, row.p99, row.failed
        );
    }
    println!("\n| handler | server | cache | first answer |\n|---|---|---|---|");
    for row in measured.startup {
        println!(
            "| {} | {} | {} | {:?} |",
            row.handler, row.server, row.cache, row.median
        );
    }
    println!(
        "\n| server | requests | trapping | after warm-up | at the end | most | unexpected |\n|---|---|---|---|---|---|---|"
    );
    for row in measured.resident {
        println!(
            "| {} | {} | {} | {} KiB | {} KiB | {} KiB | {} |",
            row.server,
            row.requests,
            row.trapping,
            row.start_kib,
            row.end_kib,
            row.max_kib,
            row.unexpected
        );
    }
    Ok(())
}

/// `wcompose serve` on a free loopback port, stopped when dropped.
struct WcomposeServe {
    child: Child,
    addr: SocketAddr,
}

impl WcomposeServe {
    fn start(wcompose: &Path, wasm: &Path, cache: &Path) -> Result<Self> {
        let mut child = Command::new(wcompose)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .arg(wasm)
            .env(wcompose::run::CACHE_DIR_ENV, cache)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("failed to start `{}`", wcompose.display()))?;
        let mut stderr = BufReader::new(child.stderr.take().context("no stderr")?);
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line)? == 0 {
                let _ = child.kill();
                let _ = child.wait();
                bail!("wcompose serve ended before serving:\n{seen}");
            }
            seen.push_str(&line);
            if let Some(rest) = line.strip_prefix("serving HTTP on http://") {
                break rest.split('/').next().unwrap_or_default().parse()?;
            }
        };
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        Ok(Self { child, addr })
    }
}

impl Drop for WcomposeServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_durations_read_in_their_units() {
        assert_eq!(
            parse_wrk_duration("1.50ms"),
            Some(Duration::from_micros(1500))
        );
        assert_eq!(
            parse_wrk_duration("250.00us"),
            Some(Duration::from_micros(250))
        );
        assert_eq!(parse_wrk_duration("2.00s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_wrk_duration("fast"), None);
    }
}

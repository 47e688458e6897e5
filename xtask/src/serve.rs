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
    /// Starts it and waits for `Serving HTTP on`.
    pub fn start(wasmtime: &Path, wasm: &Path) -> Result<Self> {
        // A port the kernel says is free; wasmtime binds it right after.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut child = Command::new(wasmtime)
            .args(["serve", "-S", "cli", "-C", "cache=n", "--addr"])
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

/// Sends one HTTP/1.1 request on a connection of its own
/// (`Connection: close`) and reads the response to the end.
pub fn send(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\ncontent-type: text/plain\r\n\r\n",
        body.len()
    );
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
    for name in ["content-type", "content-length", "x-handler"] {
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

/// A request of the comparison: method, path, body, and whether the
/// whole answer must be equal (else the status only: the servers' own
/// 500 pages differ, wasmtime's is HTML).
type Case = (&'static str, &'static str, &'static [u8], bool);

/// `cargo xtask interop`'s serve part: the HTTP test guests (WASI 0.2 and
/// 0.3) on `wcompose serve` (the library's server) and on `wasmtime serve
/// -S cli`, asked the same requests; the guest's answers must be equal, the
/// answers to a trapping guest must share the status, and both servers go
/// on serving after it.
pub fn interop(_sh: &Shell, root: &Path, wasmtime: &Path) -> Result<()> {
    let p2: &[Case] = &[
        ("GET", "/ok", b"", true),
        ("GET", "/nope", b"", true),
        ("GET", "/big", b"", true),
        ("POST", "/echo", b"{\"a\":[1,2]}", true),
        ("GET", "/sleep", b"", true),
        ("GET", "/trap", b"", false),
        ("GET", "/ok", b"", true),
    ];
    let p3: &[Case] = &[
        ("GET", "/ok", b"", true),
        ("GET", "/nope", b"", true),
        ("GET", "/sleep", b"", true),
        ("GET", "/trap", b"", false),
        ("GET", "/ok", b"", true),
    ];
    for (package, cases) in [("http", p2), ("http3", p3)] {
        compare(root, wasmtime, package, cases)?;
    }
    println!("serve: wcompose serve and wasmtime serve answer the HTTP test guests alike");
    Ok(())
}

fn compare(root: &Path, wasmtime: &Path, package: &str, cases: &[Case]) -> Result<()> {
    let wasm = guest(root, package)?;
    let bytes = std::fs::read(&wasm)?;
    let ours = wcompose::serve::Server::start(
        &bytes,
        wcompose::serve::ServeOptions {
            addr: "127.0.0.1:0".parse()?,
            ..Default::default()
        },
        |_| {},
    )?;
    let theirs = WasmtimeServe::start(wasmtime, &wasm)?;
    for (method, path, body, whole) in cases {
        let what = format!("{package}: {method} {path}");
        let a = send(ours.addr(), method, path, body)?;
        let b = send(theirs.addr, method, path, body)?;
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

/// The serving rows of `cargo xtask bench`, and the load that made them.
pub struct Measured {
    pub rows: Vec<crate::bench::Serving>,
    pub load: String,
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
fn round(sh: &Shell, wrk: &Path, addr: SocketAddr) -> Result<(f64, Duration, Duration, u64)> {
    let url = format!("http://{addr}/ok");
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

/// `wcompose serve` (the release binary) and `wasmtime serve -S cli` on the
/// HTTP test guest, each under the same wrk load, alternating, medians.
pub fn measure(sh: &Shell, root: &Path, wcompose: &Path, wasmtime: &Path) -> Result<Measured> {
    let wrk = wrk(sh)?;
    let wasm = guest(root, "http")?;
    let ours = WcomposeServe::start(wcompose, &wasm, &root.join("target/bench/cache"))?;
    let theirs = WasmtimeServe::start(wasmtime, &wasm)?;
    let servers = [
        ("wcompose serve", ours.addr),
        ("wasmtime serve -S cli", theirs.addr),
    ];
    let mut samples: Vec<Vec<(f64, Duration, Duration, u64)>> = vec![Vec::new(); servers.len()];
    for _ in 0..ROUNDS {
        for (i, (name, addr)) in servers.iter().enumerate() {
            let sample = round(sh, &wrk, *addr)?;
            eprintln!(
                "  {name}: {:.0} requests/s, p50 {:?}, p99 {:?}",
                sample.0, sample.1, sample.2
            );
            samples[i].push(sample);
        }
    }
    let rows = servers
        .iter()
        .zip(samples)
        .map(|((name, _), samples)| {
            let mut rps: Vec<f64> = samples.iter().map(|s| s.0).collect();
            rps.sort_by(f64::total_cmp);
            let mut p50: Vec<Duration> = samples.iter().map(|s| s.1).collect();
            p50.sort();
            let mut p99: Vec<Duration> = samples.iter().map(|s| s.2).collect();
            p99.sort();
            crate::bench::Serving {
                server: name.to_string(),
                requests_per_s: rps[rps.len() / 2],
                p50: p50[p50.len() / 2],
                p99: p99[p99.len() / 2],
                failed: samples.iter().map(|s| s.3).sum(),
            }
        })
        .collect();
    Ok(Measured {
        rows,
        load: format!(
            "`wrk {}`, {ROUNDS} rounds each, alternating, medians",
            WRK_ARGS.join(" ")
        ),
    })
}

/// `cargo xtask bench-serve`: the serving rows of the bench alone, from
/// the release builds.
pub fn bench(sh: &Shell, root: &Path) -> Result<()> {
    xshell::cmd!(sh, "cargo build --release --locked -p wcompose").run()?;
    let wcompose = crate::bench::release_bin(root, "wcompose");
    let wasmtime = crate::tools::WASMTIME.ensure(sh)?;
    let measured = measure(sh, root, &wcompose, &wasmtime)?;
    println!("{}\n", measured.load);
    println!("| server | requests/s | p50 | p99 | failed |\n|---|---|---|---|---|");
    for row in measured.rows {
        println!(
            "| {} | {:.0} | {:?} | {:?} | {} |",
            row.server, row.requests_per_s, row.p50, row.p99, row.failed
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

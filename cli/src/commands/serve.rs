//! `wcompose serve`: serve HTTP with a component exporting a WASI HTTP
//! handler, sandboxed and limited as `run` is, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use miette::Result;
use wcompose::run::Cache;
use wcompose::serve::{Event, OutgoingGrant, ServeOptions, Served, Server};

use super::run::{LimitArgs, SandboxArgs};

/// Serve HTTP with a component that exports `wasi:http/incoming-handler`
/// (WASI 0.2, the proxy world) or `wasi:http/handler@0.3` (the service
/// world), as `wasmtime serve` does.
///
/// The component is compiled once (through the precompiled cache of
/// `wcompose run`) and linked against WASI HTTP and the WASI CLI
/// interfaces (which Rust guests import), like `wasmtime serve -S cli`. A
/// WASI 0.2 handler gets a fresh instance per request; a 0.3 handler's
/// instance serves up to 128 requests, 16 at once. The address it listens
/// on is printed on stderr (port 0 picks a free one); `-v` adds one line
/// per request: method, path, status and time to the response head.
///
/// The guest runs in `run`'s sandbox (no files, environment or network
/// unless granted), and sends HTTP requests only to hosts granted with
/// `--allow-outgoing`; a request to any other gets the error code
/// `HTTP-request-denied`. The server answers by itself with 503 beyond
/// `--max-concurrent` requests in flight, 413 for a body over
/// `--max-body`, 504 for a guest past `--timeout`, and 500 for a guest
/// that traps (printed on stderr with its backtrace; the body says only
/// the status), and goes on serving. SIGINT or SIGTERM stop it: no new
/// connections, requests in flight get `--shutdown-grace` to finish.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose serve handler.wasm\n  \
    wcompose serve handler.wasm --addr 127.0.0.1:0 -v\n  \
    wcompose serve target/wcompose/router.wasm --timeout 2s --max-memory 64MiB --max-concurrent 64\n  \
    wcompose serve proxy.wasm --allow-outgoing api.example.com --allow-outgoing 127.0.0.1:8081\n\n\
    Exit status:\n  0  stopped by SIGINT or SIGTERM\n  \
    1  the component could not be loaded or served, or the address could not be bound\n  \
    2  usage error")]
pub struct Serve {
    /// The component (or a composition of components) to serve.
    file: PathBuf,

    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value_t = wcompose::serve::DEFAULT_ADDR)]
    addr: SocketAddr,

    /// Print one line per request on stderr (method, path, status, time),
    /// and what the cache did.
    #[arg(short, long)]
    verbose: bool,

    /// Compile without the precompiled cache: neither read nor write it.
    #[arg(long)]
    no_cache: bool,

    /// Requests in flight at once; more get 503 at once instead of
    /// waiting.
    #[arg(long, value_name = "N", default_value_t = wcompose::serve::DEFAULT_MAX_CONCURRENT,
        value_parser = parse_max_concurrent)]
    max_concurrent: usize,

    /// The largest request body, e.g. `1MiB`; a larger one gets 413.
    #[arg(long, value_name = "SIZE", value_parser = wcompose::run::parse_size)]
    max_body: Option<u64>,

    /// How long requests in flight may take to finish after SIGINT or
    /// SIGTERM, e.g. `5s`.
    #[arg(long, value_name = "DURATION", default_value = "10s",
        value_parser = wcompose::run::parse_duration)]
    shutdown_grace: Duration,

    /// Let the guest send HTTP requests to this host (any port) or
    /// host and port. Repeatable.
    #[arg(long = "allow-outgoing", value_name = "HOST[:PORT]", value_parser = parse_grant)]
    allow_outgoing: Vec<OutgoingGrant>,

    #[command(flatten)]
    sandbox: SandboxArgs,

    #[command(flatten)]
    limits: LimitArgs,
}

fn parse_max_concurrent(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<u32>() {
        Ok(0) => Err("the server must take at least one request at a time".to_string()),
        Ok(n) => Ok(n as usize),
        Err(e) => Err(format!("`{text}` is not a count: {e}")),
    }
}

fn parse_grant(
    spec: &str,
) -> std::result::Result<OutgoingGrant, wcompose::serve::OutgoingGrantError> {
    spec.parse()
}

impl Serve {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.file)?;
        let options = ServeOptions {
            addr: self.addr,
            limits: self.limits.limits(),
            sandbox: self.sandbox.sandbox(),
            allow_outgoing: self.allow_outgoing.clone(),
            cache: if self.no_cache {
                None
            } else {
                Cache::default_location()
            },
            max_concurrent: self.max_concurrent,
            max_body: self.max_body,
            shutdown_grace: self.shutdown_grace,
            inherit_stdio: true,
        };
        let verbose = self.verbose;
        let server =
            Server::start(&bytes, options, move |event| print(&event, verbose)).map_err(|e| {
                super::report(e).wrap_err(format!("failed to serve `{}`", self.file.display()))
            })?;
        if verbose {
            for line in server.cache_status().describe() {
                eprintln!("{line}");
            }
        }
        eprintln!(
            "serving HTTP on http://{}/ with `{}` of `{}`",
            server.addr(),
            server.handler(),
            self.file.display()
        );
        server.wait_for_signal().map_err(super::report)?;
        let in_flight = server.in_flight();
        if in_flight > 0 {
            eprintln!(
                "stopping: waiting up to {:?} for {in_flight} request{} in flight",
                self.shutdown_grace,
                if in_flight == 1 { "" } else { "s" }
            );
        }
        let stopped = server.stop();
        if stopped.cut > 0 {
            eprintln!(
                "note: {} connection{} still busy after {:?}, and closed",
                stopped.cut,
                if stopped.cut == 1 { " was" } else { "s were" },
                self.shutdown_grace,
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// One line for a request: `GET /ok 200 1.2ms`.
fn line(served: &Served) -> String {
    format!(
        "{} {} {} {:.1?}",
        served.method, served.path, served.status, served.elapsed
    )
}

fn print(event: &Event, verbose: bool) {
    match event {
        Event::Served(served) => {
            if verbose {
                eprintln!("{}", line(served));
            }
        }
        Event::GuestFailed { served, failure } => {
            let what = if failure.trap().is_some() {
                "trapped"
            } else {
                "failed"
            };
            eprintln!("error: {}: the guest {what}: {failure}", line(served));
        }
        Event::InstanceFailed { failure } => {
            eprintln!("error: a reused instance trapped: {failure}");
        }
        Event::ConnectionFailed { peer, error } => {
            if verbose {
                eprintln!("note: connection from {peer}: {error}");
            }
        }
    }
}

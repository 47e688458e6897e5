//! Serving HTTP with a component: the library side of `wcompose serve`.
//!
//! [`Server::start`] compiles a component once (through the precompiled
//! [`Cache`] of `run`), links it against WASI 0.2 and 0.3 (the CLI
//! interfaces too, as `wasmtime serve -S cli` does, since a Rust
//! `wasm32-wasip2` guest's std imports them) and WASI HTTP 0.2 and 0.3
//! (wasmtime-wasi-http), prepares one `InstancePre` on an engine with the
//! pooling allocator, and listens on a loopback or any other address
//! (port 0 picks a free one). A component exporting
//! `wasi:http/handler@0.3.x` (the service world) is preferred to one
//! exporting `wasi:http/incoming-handler@0.2.x` (the proxy world), as
//! `wasmtime serve` 48 prefers it.
//!
//! Requests are dispatched by wasmtime-wasi-http's own `ProxyHandler`,
//! with `wasmtime serve`'s reuse policy: a fresh instance per request for
//! WASI 0.2, and for 0.3 an instance reused for up to 128 requests, 16 at
//! once. Each store is sandboxed and limited as `run`'s are ([`Sandbox`],
//! [`Limits`]: memory, fuel and time per request); outgoing HTTP goes only
//! to the hosts that [`ServeOptions::allow_outgoing`] grants.
//!
//! What the server answers by itself: 503 beyond
//! [`ServeOptions::max_concurrent`] requests in flight (or when the pool
//! has no free instance slot), 413 for a body over
//! [`ServeOptions::max_body`], 504 when the guest runs past its time limit,
//! and 500 when it traps or fails otherwise; these bodies say only the
//! status, never anything about the guest. What happened is reported
//! through the one [`Event`] callback, with the guest's trap and backtrace.
//! [`Server::stop`] stops accepting connections and lets requests in
//! flight finish within [`ServeOptions::shutdown_grace`].

mod outgoing;

pub use outgoing::{OutgoingGrant, OutgoingGrantError};

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, SizeHint};
use hyper::server::conn::http1;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use wasmtime::component::{Component, GuestTaskId, Linker};
use wasmtime::{Engine, InstanceAllocationStrategy, Store, StoreContextMut, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::handler::{
    ExpirationError, HandlerState, Instance, InstantiationError, ProxyHandler, ProxyPre,
    ShouldAccept, WorkerExpiration, WorkerState, WorkerStatus,
};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::run::{self, Cache, CacheStatus, GuestFailure, Limits, Mode, RunError, Sandbox};
use outgoing::Outgoing;

/// The address `wcompose serve` listens on unless told otherwise: loopback
/// only, so that nothing is exposed by accident.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// Requests in flight at once, unless told otherwise.
pub const DEFAULT_MAX_CONCURRENT: usize = 100;

/// How long requests in flight may take to finish after a stop, unless told
/// otherwise.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `wasmtime serve` 48's reuse of one WASI 0.3 instance: requests in all,
/// and at once. A WASI 0.2 instance serves one request.
const P3_REUSE: usize = 128;
const P3_CONCURRENT_REUSE: usize = 16;

/// How long an idle WASI 0.3 instance is kept for reuse (`wasmtime serve`'s
/// `--idle-instance-timeout` default).
const IDLE_INSTANCE_TIMEOUT: Duration = Duration::from_secs(1);

/// Instance slots the pool holds beyond one per request in flight, for
/// instances that are still being torn down.
const SPARE_INSTANCES: usize = 16;

/// How long a failed request waits for its instance's worker to say why.
const WORKER_REPORT: Duration = Duration::from_secs(1);

/// Native stack for the host's own frames, on top of the guest's.
const HOST_STACK: usize = 8 * 1024 * 1024;

/// How a [`Server`] serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free port ([`Server::addr`] says
    /// which).
    pub addr: SocketAddr,
    /// Limits for every request: memory per instance, fuel and time per
    /// request.
    pub limits: Limits,
    /// What the guest may reach besides HTTP.
    pub sandbox: Sandbox,
    /// Hosts the guest may send HTTP requests to; none by default.
    pub allow_outgoing: Vec<OutgoingGrant>,
    /// Where compiled code is cached; `None` compiles every time.
    pub cache: Option<Cache>,
    /// Requests in flight at once; more get 503 at once.
    pub max_concurrent: usize,
    /// The largest request body, in bytes; a larger one gets 413.
    pub max_body: Option<u64>,
    /// How long requests in flight may take to finish after
    /// [`Server::stop`], before their connections are cut.
    pub shutdown_grace: Duration,
    /// Let the guest write to the host's stdout and stderr; otherwise its
    /// output is discarded.
    pub inherit_stdio: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR,
            limits: Limits::default(),
            sandbox: Sandbox::default(),
            allow_outgoing: Vec::new(),
            cache: None,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            max_body: None,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            inherit_stdio: false,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The component could not be compiled or linked, or a sandbox grant
    /// could not be applied.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The component exports neither HTTP handler.
    #[error(
        "the component exports no HTTP handler (`wasi:http/incoming-handler@0.2.x` or `wasi:http/handler@0.3.x`), so it cannot be served; it exports:\n{exports}\n  help: a component that exports `wasi:cli/run` or functions runs with `wcompose run`"
    )]
    NoHandler {
        /// The component's exports, one per line.
        exports: String,
    },
    /// `max_concurrent` is zero.
    #[error("the server must take at least one request at a time")]
    NoConcurrency,
    /// The address could not be bound.
    #[error("failed to listen on `{addr}`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The event loop could not be started, or a signal handler installed.
    #[error("failed to start the server's event loop")]
    Runtime(#[source] std::io::Error),
}

/// One request the server answered.
#[derive(Debug, Clone)]
pub struct Served {
    /// The request's method.
    pub method: String,
    /// The request's path (and query).
    pub path: String,
    /// The status of the answer.
    pub status: u16,
    /// From the request's arrival to its answer's head.
    pub elapsed: Duration,
}

/// What a running server reports.
#[derive(Debug)]
pub enum Event {
    /// A request was answered (by the guest or by the server).
    Served(Served),
    /// A request's guest trapped, hit a limit or failed; the server
    /// answered with `served.status`.
    GuestFailed {
        /// The request and its answer.
        served: Served,
        /// What happened in the guest, with its backtrace.
        failure: Arc<GuestFailure>,
    },
    /// A reused (WASI 0.3) instance trapped while it served requests
    /// that were answered with 500.
    InstanceFailed {
        /// What happened in the guest, with its backtrace.
        failure: Arc<GuestFailure>,
    },
    /// A connection ended with an error: malformed HTTP, a client gone
    /// mid-request.
    ConnectionFailed {
        /// The client's address.
        peer: SocketAddr,
        /// What went wrong.
        error: String,
    },
}

/// The callback a server reports through.
type Events = Arc<dyn Fn(Event) + Send + Sync>;

/// How a stop went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Connections still busy when the grace period ended, and cut.
    pub cut: usize,
}

/// A component served over HTTP on its own event loop.
///
/// ```no_run
/// use wcompose::serve::{ServeOptions, Server};
///
/// let bytes = std::fs::read("handler.wasm")?;
/// let options = ServeOptions {
///     addr: "127.0.0.1:0".parse()?,
///     ..ServeOptions::default()
/// };
/// let server = Server::start(&bytes, options, |event| eprintln!("{event:?}"))?;
/// println!("serving on http://{}/", server.addr());
/// server.wait_for_signal()?;
/// server.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Server {
    addr: SocketAddr,
    handler: String,
    cache: CacheStatus,
    from_core: bool,
    in_flight: Arc<AtomicUsize>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<Stopped>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Compiles (or loads from the cache) `bytes`, a component or a
    /// preview-1 core module, links it, binds `options.addr` and starts
    /// serving. Errors come before the first connection is accepted.
    pub fn start(
        bytes: &[u8],
        options: ServeOptions,
        events: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Self, ServeError> {
        if options.max_concurrent == 0 {
            return Err(ServeError::NoConcurrency);
        }
        let limits = options.limits.clone();
        let instances = u32::try_from(options.max_concurrent.saturating_add(SPARE_INSTANCES))
            .unwrap_or(u32::MAX);
        let mut config = run::engine_config(&limits);
        // wasmtime-wasi-http dispatches every request, 0.2 ones too, as a
        // concurrent call on the store's event loop.
        config.concurrency_support(true);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(run::pool(
            instances, &limits,
        )));
        let engine = Engine::new(&config).map_err(run::prepare)?;
        let compiled = run::compile(&engine, bytes, options.cache.as_ref(), || {
            run::Mode::of(bytes)
        })?;
        let pre = http_linker(&engine)?
            .instantiate_pre(&compiled.component)
            .map_err(run::prepare)?;
        let (proxy, handler) = proxy_pre(&engine, &compiled.component, pre)?;
        let reuse = match proxy {
            ProxyPre::P2(_) => Reuse {
                total: 1,
                concurrent: 1,
            },
            ProxyPre::P3(_) => Reuse {
                total: P3_REUSE,
                concurrent: P3_CONCURRENT_REUSE,
            },
        };

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("wcompose-serve")
            .thread_stack_size(limits.max_wasm_stack.saturating_add(HOST_STACK))
            .build()
            .map_err(ServeError::Runtime)?;
        let listener = {
            let _entered = runtime.enter();
            bind(options.addr).map_err(|source| ServeError::Bind {
                addr: options.addr,
                source,
            })?
        };
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: options.addr,
            source,
        })?;

        let events: Events = Arc::new(events);
        let shared = Arc::new(run::Shared::new(&engine, limits, options.sandbox)?);
        let state = State {
            engine,
            pre: proxy,
            shared: Arc::clone(&shared),
            grants: options.allow_outgoing.into(),
            reuse,
            timeout: shared.limits().timeout,
            inherit_stdio: options.inherit_stdio,
            events: Arc::clone(&events),
        };
        let in_flight = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Requests {
            handler: ProxyHandler::new(state),
            permits: Arc::new(Semaphore::new(options.max_concurrent)),
            in_flight: Arc::clone(&in_flight),
            max_body: options.max_body,
            shared,
            events,
        });
        let (stop, stopped) = watch::channel(false);
        let task = runtime.spawn(accept(listener, requests, stopped, options.shutdown_grace));
        Ok(Self {
            addr,
            handler,
            cache: compiled.cache,
            from_core: compiled.from_core,
            in_flight,
            stop,
            task: Some(task),
            runtime: Some(runtime),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The handler export the server calls:
    /// `wasi:http/incoming-handler@0.2.12`, `wasi:http/handler@0.3.0`.
    pub fn handler(&self) -> &str {
        &self.handler
    }

    /// Whether the compiled code came from the cache.
    pub fn cache_status(&self) -> &CacheStatus {
        &self.cache
    }

    /// The input was a core module that was componentized on the way in.
    pub fn was_componentized(&self) -> bool {
        self.from_core
    }

    /// Requests in flight now: admitted and not yet answered to the end
    /// of their body.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Blocks until the process gets SIGINT or SIGTERM (on Unix; Ctrl-C
    /// elsewhere).
    pub fn wait_for_signal(&self) -> Result<(), ServeError> {
        let Some(runtime) = &self.runtime else {
            return Ok(());
        };
        runtime.block_on(signal()).map_err(ServeError::Runtime)
    }

    /// Stops accepting connections, lets requests in flight finish within
    /// the grace period, then cuts the connections still open.
    pub fn stop(mut self) -> Stopped {
        let _ = self.stop.send(true);
        let (Some(runtime), Some(task)) = (self.runtime.take(), self.task.take()) else {
            return Stopped { cut: 0 };
        };
        let stopped = runtime.block_on(task).unwrap_or(Stopped { cut: 0 });
        // A guest stuck in a loop without a time limit holds its thread;
        // do not wait for it.
        runtime.shutdown_background();
        stopped
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Waits for SIGINT or SIGTERM.
async fn signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// Binds `addr` with `SO_REUSEADDR` (on Unix), as `wasmtime serve` does, so
/// that a restarted server can take an address whose old connections are
/// in `TIME_WAIT`; a listening socket still refuses a second server.
fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(!cfg!(windows))?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// The linker of `serve`, and so what the `wasi-http` host profile
/// describes: WASI 0.2 and 0.3 with the CLI interfaces (`run`'s linker),
/// and WASI HTTP 0.2 and 0.3 beside them, as `wasmtime serve -S cli`
/// links them.
pub(crate) fn http_linker(engine: &Engine) -> Result<Linker<ServeHost>, RunError> {
    let mut linker = run::wasi_linker::<ServeHost>(engine, Mode::Concurrent)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(run::prepare)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker).map_err(run::prepare)?;
    Ok(linker)
}

/// The handler `pre` exports, WASI 0.3 first, and the export's name.
fn proxy_pre(
    engine: &Engine,
    component: &Component,
    pre: wasmtime::component::InstancePre<ServeHost>,
) -> Result<(ProxyPre<ServeHost>, String), ServeError> {
    let exports: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let named = |prefix: &str| {
        exports
            .iter()
            .find(|name| name.starts_with(prefix))
            .cloned()
            .unwrap_or_else(|| prefix.trim_end_matches('@').to_string())
    };
    if let Ok(p3) = wasmtime_wasi_http::p3::bindings::ServicePre::new(pre.clone()) {
        return Ok((ProxyPre::P3(p3), named("wasi:http/handler@")));
    }
    if let Ok(p2) = wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre) {
        return Ok((ProxyPre::P2(p2), named("wasi:http/incoming-handler@")));
    }
    let mut listing: Vec<String> = exports.iter().map(|name| format!("  {name}")).collect();
    if listing.is_empty() {
        listing.push("  (nothing)".to_string());
    }
    Err(ServeError::NoHandler {
        exports: listing.join("\n"),
    })
}

/// The state of one served instance: `run`'s WASI host and limiter, plus
/// WASI HTTP and its outgoing policy.
pub(crate) struct ServeHost {
    wasi: run::Host,
    http: WasiHttpCtx,
    outgoing: Outgoing,
}

impl WasiView for ServeHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi.ctx,
            table: &mut self.wasi.table,
        }
    }
}

impl WasiHttpView for ServeHost {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.wasi.table,
            hooks: &mut self.outgoing,
        }
    }
}

/// How many requests one instance takes, in all and at once.
#[derive(Debug, Clone, Copy)]
struct Reuse {
    total: usize,
    concurrent: usize,
}

/// What the handler needs to make an instance.
struct State {
    engine: Engine,
    pre: ProxyPre<ServeHost>,
    shared: Arc<run::Shared>,
    grants: Arc<[OutgoingGrant]>,
    reuse: Reuse,
    timeout: Option<Duration>,
    inherit_stdio: bool,
    events: Events,
}

impl HandlerState for State {
    type StoreData = ServeHost;
    type WorkerExpiration = Expiration;
    type WorkerState = Worker;

    async fn instantiate(&self) -> wasmtime::Result<Instance<ServeHost, Expiration, Worker>> {
        let mut builder = WasiCtx::builder();
        if self.inherit_stdio {
            builder.inherit_stdout().inherit_stderr();
        }
        let host = ServeHost {
            wasi: self.shared.host(builder).map_err(wasmtime::Error::new)?,
            http: WasiHttpCtx::new(),
            outgoing: Outgoing {
                grants: Arc::clone(&self.grants),
            },
        };
        let mut store = Store::new(&self.engine, host);
        store.limiter(|host| &mut host.wasi.limiter);
        self.shared.arm(&mut store).map_err(wasmtime::Error::new)?;
        let proxy = self.pre.instantiate_async(&mut store).await?;
        let request_timeout = self.timeout.unwrap_or(Duration::MAX);
        let expired = Arc::new(AtomicBool::new(false));
        Ok(Instance {
            store,
            proxy,
            view: <ServeHost as WasiHttpView>::http,
            expiration: Expiration {
                request_timeout,
                sleep: Box::pin(tokio::time::sleep(Duration::MAX)),
                expired: Arc::clone(&expired),
            },
            state: Worker {
                reuse: self.reuse,
                request_timeout,
                shared: Arc::clone(&self.shared),
                events: Arc::clone(&self.events),
                waiting: std::sync::Mutex::new(Vec::new()),
                expired,
            },
        })
    }
}

/// When an instance is dropped: idle past [`IDLE_INSTANCE_TIMEOUT`], or
/// busy past the time limit (a second line of defence behind the epoch
/// deadline, for a guest blocked where the deadline cannot reach it).
struct Expiration {
    request_timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// Set when a busy instance is dropped for running past the limit.
    expired: Arc<AtomicBool>,
}

impl WorkerExpiration for Expiration {
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let this = self.get_mut();
        let timeout = match status {
            WorkerStatus::Idle => IDLE_INSTANCE_TIMEOUT,
            WorkerStatus::Requests | WorkerStatus::PostReturn => this.request_timeout,
        };
        let Some(deadline) = start.checked_add(timeout) else {
            return Poll::Pending;
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        if deadline != this.sleep.deadline() {
            this.sleep.as_mut().reset(deadline);
        }
        let polled = this.sleep.as_mut().poll(cx);
        if polled.is_ready() && status != WorkerStatus::Idle {
            this.expired.store(true, Ordering::SeqCst);
        }
        polled
    }
}

/// Where a request learns why its instance failed: a trap ends the
/// instance's event loop, so the trap reaches [`Worker::drop`], not the
/// request, which only hears that no response came.
type Why = futures::channel::oneshot::Sender<Arc<GuestFailure>>;

/// One instance's share of the requests.
struct Worker {
    reuse: Reuse,
    request_timeout: Duration,
    shared: Arc<run::Shared>,
    events: Events,
    /// The requests this instance took that may still wait for it.
    waiting: std::sync::Mutex<Vec<Why>>,
    /// Whether the instance was dropped for running past the time limit.
    expired: Arc<AtomicBool>,
}

impl WorkerState for Worker {
    type StoreData = ServeHost;
    type RequestData = Why;

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= self.reuse.total {
            ShouldAccept::Never
        } else if concurrent >= self.reuse.concurrent {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        store: StoreContextMut<'_, ServeHost>,
        why: Why,
        _task: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + 'static + Send + Sync>> {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.retain(|why| !why.is_canceled());
            waiting.push(why);
        }
        // Every request gets the whole fuel and time, also on a reused
        // instance. Arming cannot fail for a store the handler made.
        let _ = self.shared.arm(store);
        Box::pin(tokio::time::sleep(self.request_timeout))
    }

    fn drop(&self, store: Store<ServeHost>, result: wasmtime::Result<()>) {
        // An instance dropped past the time limit while blocked in the
        // host, where no epoch deadline reaches, failed as an interrupted
        // one would have.
        let expired = self.expired.load(Ordering::SeqCst);
        let error = match result {
            Err(error) if !expired || error.downcast_ref::<Trap>().is_some() => error,
            Err(_) | Ok(()) if expired => Trap::Interrupt.into(),
            Err(error) => error,
            Ok(()) => return,
        };
        let denied = store.data().wasi.limiter.denied;
        let failure = Arc::new(GuestFailure::new(error, self.shared.limits(), denied));
        let waiting = match self.waiting.lock() {
            Ok(mut waiting) => std::mem::take(&mut *waiting),
            Err(_) => Vec::new(),
        };
        let mut told = false;
        for why in waiting {
            told |= why.send(Arc::clone(&failure)).is_ok();
        }
        if !told {
            (self.events)(Event::InstanceFailed { failure });
        }
    }
}

/// What every connection shares.
struct Requests {
    handler: ProxyHandler<State>,
    permits: Arc<Semaphore>,
    in_flight: Arc<AtomicUsize>,
    max_body: Option<u64>,
    shared: Arc<run::Shared>,
    events: Events,
}

/// A response body that holds its request's place among those in flight
/// until it has been sent (or dropped).
struct Guarded {
    body: WasiBody,
    _place: Option<Place>,
}

/// A request's place among those in flight.
struct Place {
    _permit: OwnedSemaphorePermit,
    in_flight: Arc<AtomicUsize>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Body for Guarded {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response of the server's own: the status and its reason, as text.
fn plain(status: http::StatusCode) -> hyper::Response<Guarded> {
    let text = format!(
        "{} {}\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let body = Full::new(Bytes::from(text))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(Guarded { body, _place: None });
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

impl Requests {
    async fn serve(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<Guarded>, Infallible> {
        let start = Instant::now();
        let method = request.method().to_string();
        let path = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().to_string(), |p| p.to_string());
        let served = |status: http::StatusCode| Served {
            method: method.clone(),
            path: path.clone(),
            status: status.as_u16(),
            elapsed: start.elapsed(),
        };
        let answer = |status: http::StatusCode| {
            (self.events)(Event::Served(served(status)));
            Ok(plain(status))
        };

        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            return answer(http::StatusCode::SERVICE_UNAVAILABLE);
        };
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let place = Place {
            _permit: permit,
            in_flight: Arc::clone(&self.in_flight),
        };

        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let (Some(max), Some(length)) = (self.max_body, declared)
            && length > max
        {
            return answer(http::StatusCode::PAYLOAD_TOO_LARGE);
        }
        let too_large = Arc::new(AtomicBool::new(false));
        let request = request.map(|body| match self.max_body {
            None => body.map_err(wasmtime_wasi_http::Error::from).boxed_unsync(),
            // A body without a declared length is cut at the limit: the
            // guest sees its stream fail, the client gets 413.
            Some(max) => {
                let too_large = Arc::clone(&too_large);
                Limited::new(body, usize::try_from(max).unwrap_or(usize::MAX))
                    .map_err(move |error| match error.downcast::<hyper::Error>() {
                        Ok(error) => wasmtime_wasi_http::Error::Hyper(*error),
                        Err(_) => {
                            too_large.store(true, Ordering::SeqCst);
                            wasmtime_wasi_http::Error::HttpRequestBodySize(Some(max))
                        }
                    })
                    .boxed_unsync()
            }
        });

        let (why, failed) = futures::channel::oneshot::channel();
        match self.handler.handle(why, request).await {
            Ok(_) if too_large.load(Ordering::SeqCst) => {
                answer(http::StatusCode::PAYLOAD_TOO_LARGE)
            }
            Ok(response) => {
                (self.events)(Event::Served(served(response.status())));
                Ok(response.map(|body| Guarded {
                    body,
                    _place: Some(place),
                }))
            }
            Err(_) if too_large.load(Ordering::SeqCst) => {
                answer(http::StatusCode::PAYLOAD_TOO_LARGE)
            }
            Err(error) => {
                let Some(failure) = self.explain(error, failed).await else {
                    return answer(http::StatusCode::SERVICE_UNAVAILABLE);
                };
                // A guest past its time limit: interrupted by the epoch
                // deadline or, blocked in the host, expired by the handler.
                let status = if failure.trap() == Some(Trap::Interrupt) {
                    http::StatusCode::GATEWAY_TIMEOUT
                } else {
                    http::StatusCode::INTERNAL_SERVER_ERROR
                };
                (self.events)(Event::GuestFailed {
                    served: served(status),
                    failure,
                });
                Ok(plain(status))
            }
        }
    }

    /// Why the handler failed a request: the instance's trap when it
    /// trapped, else the handler's own error; `None` when no instance could
    /// be had (the pool is full: 503, nothing to explain).
    async fn explain(
        &self,
        error: wasmtime::Error,
        failed: futures::channel::oneshot::Receiver<Arc<GuestFailure>>,
    ) -> Option<Arc<GuestFailure>> {
        let limits = self.shared.limits();
        if let Some(failed) = error.downcast_ref::<InstantiationError<Why>>() {
            if failed
                .error
                .downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
                .is_some()
            {
                return None;
            }
            let error = wasmtime::format_err!("{:?}", failed.error);
            return Some(Arc::new(GuestFailure::new(error, limits, None)));
        }
        if error.downcast_ref::<ExpirationError>().is_some() {
            let error = Trap::Interrupt.into();
            return Some(Arc::new(GuestFailure::new(error, limits, None)));
        }
        if error.downcast_ref::<Trap>().is_some() {
            return Some(Arc::new(GuestFailure::new(error, limits, None)));
        }
        // The instance's worker reports its trap as it ends, which may be
        // just after the request heard of it; a worker that ends without
        // a trap drops the sender.
        match tokio::time::timeout(WORKER_REPORT, failed).await {
            Ok(Ok(failure)) => Some(failure),
            _ => Some(Arc::new(GuestFailure::new(error, limits, None))),
        }
    }
}

/// Accepts connections until told to stop, then lets them finish within
/// `grace`.
async fn accept(
    listener: tokio::net::TcpListener,
    requests: Arc<Requests>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) -> Stopped {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    // Small writes of a streamed body go out at once.
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, peer, Arc::clone(&requests), stop.clone()));
                }
                // Out of file descriptors, say: wait for connections to close.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    let cut = if drained.is_ok() {
        0
    } else {
        let cut = connections.len();
        connections.abort_all();
        cut
    };
    Stopped { cut }
}

/// Waits until `stop` says to stop (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Serves one connection's requests until it closes, or until a stop, when
/// the request in flight finishes and the connection closes.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    requests: Arc<Requests>,
    mut stop: watch::Receiver<bool>,
) {
    let events = Arc::clone(&requests.events);
    let service = hyper::service::service_fn(move |request| {
        let requests = Arc::clone(&requests);
        async move { requests.serve(request).await }
    });
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        events(Event::ConnectionFailed {
            peer,
            error: crate::error_chain(&error),
        });
    }
}

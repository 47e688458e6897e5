//! Shared set-up: the guests built once per process, each test's own output
//! folder, and small components made from WIT and WAT for edge cases.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use wcompose::run::{Io, Loaded, Outcome, Runtime};
use wcompose::workspace::Workspace;

/// The project root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Builds the test guest `package` of `tests/guests/` for `target` and
/// returns its `.wasm` (the callers keep it in a `OnceLock`, so each is
/// built once per process).
pub fn build_test_guest(package: &str, target: &str) -> PathBuf {
    use wcompose::workspace::{GuestBuild, ensure_targets, lock_guest_builds};
    let root = root();
    let target_root = root.join("target");
    let build = || {
        let _lock = lock_guest_builds(&target_root)?;
        ensure_targets(&[target], &mut |_| {})?;
        GuestBuild {
            manifest: root.join("tests/guests/Cargo.toml"),
            target: target.to_string(),
            target_dir: target_root.join("test-guests"),
            packages: vec![package.to_string()],
        }
        .run()
    };
    let wasm = build().unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
    wasm.into_iter()
        .find(|p| p.file_stem().is_some_and(|s| s == package))
        .unwrap_or_else(|| panic!("the {package} guest build produced no {package}.wasm"))
}

/// The guest core modules, built once per test process.
pub fn guest_cores() -> &'static [PathBuf] {
    static CORES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    CORES.get_or_init(|| {
        Workspace::new(root())
            .build_guests()
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
    })
}

/// A workspace whose outputs go to a fresh temporary folder, with every
/// guest componentized into its deps folder.
pub struct Built {
    pub workspace: Workspace,
    _dir: tempfile::TempDir,
}

impl Built {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::new(root()).with_out_dir(dir.path());
        workspace
            .componentize_guests(guest_cores())
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
        Self {
            workspace,
            _dir: dir,
        }
    }

    pub fn deps_dir(&self) -> PathBuf {
        self.workspace.deps_dir()
    }

    /// Builds every composition of the manifest into the output folder,
    /// as `cargo xtask compose` does, with a lockfile of its own there.
    pub fn compose_all(&self) -> Vec<wcompose::build::ComposedOutput> {
        let lock = self.workspace.out_dir.join(wcompose::build::LOCKFILE);
        match wcompose::build::build_with_lock(&self.workspace, guest_cores(), &lock) {
            Ok(wcompose::build::Outcome::Built { composed, .. }) => composed,
            Ok(wcompose::build::Outcome::UpToDate(_)) => {
                panic!("a build into a fresh folder found its outputs up to date")
            }
            Err(e) => panic!("{}", wcompose::error_chain(&e)),
        }
    }

    pub fn dep(&self, package: &str) -> PathBuf {
        wcompose::workspace::package_path(&self.deps_dir(), package)
    }

    pub fn composition(&self, name: &str) -> PathBuf {
        self.workspace.compositions_dir().join(name)
    }

    /// Composes `compositions/<name>` against the deps folder.
    pub fn compose(&self, name: &str) -> Vec<u8> {
        let options = wcompose::compose::Options {
            deps_dir: self.deps_dir(),
            ..Default::default()
        };
        match wcompose::compose::compose_file(&self.composition(name), &options) {
            Ok(composed) => composed.bytes,
            Err(e) => panic!("{}", wcompose::error_chain(&e)),
        }
    }
}

/// Compiles a component for wasmtime.
pub fn load(bytes: &[u8]) -> Loaded {
    let runtime = Runtime::new().unwrap();
    runtime
        .load(bytes)
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

/// Calls `call` and returns the single result in WAVE.
pub fn invoke(loaded: &Loaded, call: &str) -> String {
    let (results, _) = loaded
        .invoke(call, &Io::default())
        .unwrap_or_else(|e| panic!("{call}: {}", wcompose::error_chain(&e)));
    assert_eq!(results.len(), 1, "{call} returned {results:?}");
    wcompose::run::wave(&results[0])
}

/// Runs a command component with `stdin`, capturing its output.
pub fn run_command(loaded: &Loaded, stdin: &str) -> Outcome {
    let io = Io {
        stdin: Some(stdin.as_bytes().to_vec()),
        capture: true,
        args: vec!["app".to_string()],
    };
    loaded
        .run_command(&io)
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

/// Decodes a WAVE string literal result such as `ok("...")` into its text.
pub fn ok_string(wave: &str) -> String {
    let inner = wave
        .strip_prefix("ok(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("expected ok(\"...\"), got {wave}"));
    serde_json::from_str::<String>(inner).unwrap_or_else(|e| panic!("{inner}: {e}"))
}

/// A component made from WIT text and a hand-written core module: the core
/// exports the world's functions under their canonical ABI names.
pub fn component_from_wat(wit: &str, world: &str, wat: &str) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_source("test.wit", wit).unwrap();
    let world = resolve.select_world(&[package], Some(world)).unwrap();
    let mut module = wat::parse_str(wat).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .unwrap();
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.validate(true).module(&module).unwrap();
    encoder.encode().unwrap()
}

/// Validates a component with every feature wasmtime 48 enables.
pub fn validate(bytes: &[u8]) {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .unwrap_or_else(|e| panic!("invalid component: {e}"));
}

/// A cache folder shared by the tests that do not look at the cache, so
/// that each guest is compiled once, not once per test.
pub fn shared_run_cache() -> PathBuf {
    root().join("target/test-guests/run-cache")
}

/// What a `wcompose` process did.
pub struct Ran {
    /// The exit status, if it exited.
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit status {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `wcompose` with `args`, the cache in `cache`, and `stdin`.
pub fn wcompose_in(cache: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .args(args)
        .env("NO_COLOR", "1")
        .env(wcompose::run::CACHE_DIR_ENV, cache)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A guest that never reads stdin may close it first.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let output = child.wait_with_output().unwrap();
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The Debian packages the registry tests run: the CNCF distribution
/// registry and an independent OCI client.
pub const REGISTRY_PACKAGES: [&str; 2] = ["docker-registry", "skopeo"];

/// Makes sure `docker-registry` and `skopeo` are on PATH: installs them
/// with apt-get when running as root (one install at a time across the
/// test processes, under a file lock), and otherwise fails naming the
/// packages and the command.
pub fn ensure_registry_tools() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let missing = || {
            ["docker-registry", "skopeo"]
                .into_iter()
                .any(|tool| which(tool).is_none())
        };
        if !missing() {
            return;
        }
        let command = format!(
            "apt-get install -y --no-install-recommends {}",
            REGISTRY_PACKAGES.join(" ")
        );
        let root_user = {
            use std::os::unix::fs::MetadataExt as _;
            std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
        };
        if !root_user || which("apt-get").is_none() {
            panic!(
                "the registry tests need Debian's {} packages, which are not installed; \
                 install them as root with `{command}`",
                REGISTRY_PACKAGES.join(" and ")
            );
        }
        // nextest runs each test in a process of its own: the lock makes
        // the others wait for the first install instead of racing it. It is
        // the guest builds' lock, under which the build installs the C and
        // C++ toolchain with apt-get too: apt-get takes its own locks
        // without waiting, so two at once would fail one of them.
        let _lock = wcompose::workspace::lock_guest_builds(&root().join("target"))
            .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
        if !missing() {
            return;
        }
        for args in [
            &["update", "-q"][..],
            &[
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                // Waits for another apt-get (a toolchain install) to finish.
                "-o",
                "DPkg::Lock::Timeout=600",
                REGISTRY_PACKAGES[0],
                REGISTRY_PACKAGES[1],
            ][..],
        ] {
            let output = Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output()
                .unwrap_or_else(|e| panic!("failed to run `apt-get {}`: {e}", args.join(" ")));
            assert!(
                output.status.success(),
                "failed to install the registry tests' packages: `apt-get {}` exited with {}\n\
                 --- stdout\n{}\n--- stderr\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert!(
            !missing(),
            "`{command}` left `docker-registry` or `skopeo` missing"
        );
    });
}

/// The path of `tool` on PATH.
pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file())
}

/// A CNCF distribution registry (Debian's `docker-registry`) on a free port
/// of 127.0.0.1, storing blobs in a temporary folder; stopped on drop.
pub struct Registry {
    child: Option<std::process::Child>,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The storage folder (`rootdirectory`).
    pub storage: PathBuf,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry that anyone may push to.
    pub fn start() -> Registry {
        Registry::start_with(None)
    }

    /// Starts a registry that requires `user` and `password` (htpasswd,
    /// bcrypt) for everything.
    pub fn with_login(user: &str, password: &str) -> Registry {
        Registry::start_with(Some((user, password)))
    }

    fn start_with(login: Option<(&str, &str)>) -> Registry {
        ensure_registry_tools();
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        std::fs::create_dir(&storage).unwrap();
        let auth = match login {
            Some((user, password)) => {
                let hash = bcrypt::hash(password, 4).unwrap();
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{user}:{hash}\n")).unwrap();
                format!(
                    "auth:\n  htpasswd:\n    realm: wcompose-tests\n    path: {}\n",
                    htpasswd.display()
                )
            }
            None => String::new(),
        };
        // A free port can be taken between the probe and the registry's
        // bind: try a few.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let addr = format!("127.0.0.1:{port}");
            let config = dir.path().join("config.yml");
            std::fs::write(
                &config,
                format!(
                    "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                     http:\n  addr: {addr}\n{auth}",
                    storage.display()
                ),
            )
            .unwrap();
            let log_path = dir.path().join("registry.log");
            let log = std::fs::File::create(&log_path).unwrap();
            let mut child = Command::new("docker-registry")
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap();
            if wait_ready(&mut child, &addr, login.is_some(), &log_path) {
                return Registry {
                    child: Some(child),
                    addr,
                    storage,
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("the registry did not start on any of five ports");
    }

    /// The registry's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// `127.0.0.1:PORT/NAME`.
    pub fn reference(&self, name: &str) -> String {
        format!("{}/{name}", self.addr)
    }

    /// The file in which the registry keeps the blob `digest`.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Stops the registry.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until the registry at `addr` answers `GET /v2/` with `{}` (or 401,
/// with a login); false if it exits first.
fn wait_ready(child: &mut std::process::Child, addr: &str, login: bool, log: &Path) -> bool {
    use std::io::Read as _;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            eprintln!(
                "docker-registry exited with {status}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            return false;
        }
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            let _ = write!(stream, "GET /v2/ HTTP/1.0\r\nHost: {addr}\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            let status = answer.split_whitespace().nth(1).unwrap_or_default();
            let ready = if login {
                status == "401"
            } else {
                status == "200" && answer.trim_end().ends_with("{}")
            };
            if ready {
                return true;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "the registry at {addr} did not answer `{{}}` on /v2/ within 30 s:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A TCP proxy on a free port of 127.0.0.1 in front of a server, that
/// breaks one answer off in its middle: it forwards both ways until the
/// answer to a marked request has sent its head and the first bytes of its
/// body, then runs the cut (stopping the server, say) and closes the
/// client's connection. Dropping it ends its threads.
pub struct CuttingProxy {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

/// What a [`CuttingProxy`] runs once, when it breaks the answer off.
type Cut = std::sync::Arc<std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>>;

/// How long a proxied connection may stay silent: a bound on every thread
/// of a [`CuttingProxy`], far above what a registry on loopback needs.
const PROXY_IO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl CuttingProxy {
    /// Starts a proxy to `upstream` (`HOST:PORT`) that cuts the answer to
    /// the request whose bytes contain `request` (e.g. `GET /v2/a/blobs/sha256:... `)
    /// after `body_bytes` bytes of its body, running `cut` first.
    pub fn start(
        upstream: &str,
        request: &str,
        body_bytes: usize,
        cut: impl FnOnce() + Send + 'static,
    ) -> CuttingProxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let cut: Cut = Arc::new(Mutex::new(Some(Box::new(cut))));
        let request = request.as_bytes().to_vec();
        let upstream = upstream.to_string();
        let accept = std::thread::spawn({
            let stop = Arc::clone(&stop);
            move || {
                let mut connections = Vec::new();
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (upstream, request, cut) =
                        (upstream.clone(), request.clone(), Arc::clone(&cut));
                    connections.push(std::thread::spawn(move || {
                        proxy_connection(client, &upstream, &request, body_bytes, &cut)
                    }));
                }
                for connection in connections {
                    let _ = connection.join();
                }
            }
        });
        CuttingProxy {
            addr,
            stop,
            accept: Some(accept),
        }
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // A connection of our own wakes the accept loop to see the flag.
        let _ = std::net::TcpStream::connect(&self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Forwards one client connection of a [`CuttingProxy`] to `upstream`.
fn proxy_connection(
    client: std::net::TcpStream,
    upstream: &str,
    request: &[u8],
    body_bytes: usize,
    cut: &Cut,
) {
    use std::io::Read as _;
    use std::net::Shutdown;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    // A stopped server refuses the connection; closing the client's is
    // what the client would see without the proxy.
    let Ok(server) = std::net::TcpStream::connect(upstream) else {
        return;
    };
    for stream in [&client, &server] {
        stream.set_read_timeout(Some(PROXY_IO_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(PROXY_IO_TIMEOUT)).unwrap();
    }
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    let asked = Arc::new(AtomicBool::new(false));
    let requests = std::thread::spawn({
        let (mut client, mut server) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        let (asked, request) = (Arc::clone(&asked), request.to_vec());
        move || {
            // The tail of what came before, so that a request split
            // between two reads is still recognised.
            let mut window = Vec::new();
            let mut buf = [0; 16 * 1024];
            while let Ok(n @ 1..) = client.read(&mut buf) {
                window.extend_from_slice(&buf[..n]);
                // Marked before it is forwarded: whatever the server sends
                // from now on answers it, since HTTP/1.1 clients wait for
                // one answer before sending the next request.
                if contains(&window, &request) {
                    asked.store(true, Ordering::SeqCst);
                }
                window.drain(..window.len().saturating_sub(request.len()));
                if server.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = server.shutdown(Shutdown::Write);
        }
    });
    let (mut client, mut server) = (client, server);
    // The marked answer, held back until its head and `body_bytes` of its
    // body have arrived, so that exactly those reach the client.
    let mut answer = Vec::new();
    let mut buf = [0; 16 * 1024];
    while let Ok(n @ 1..) = server.read(&mut buf) {
        if !asked.load(Ordering::SeqCst) {
            if client.write_all(&buf[..n]).is_err() {
                break;
            }
            continue;
        }
        answer.extend_from_slice(&buf[..n]);
        let Some(head) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let end = head + 4 + body_bytes;
        if answer.len() >= end {
            let _ = client.write_all(&answer[..end]);
            if let Some(cut) = cut.lock().unwrap().take() {
                cut();
            }
            break;
        }
    }
    // A FIN after the bytes forwarded, not a reset that could drop them.
    let _ = client.shutdown(Shutdown::Write);
    let _ = requests.join();
}

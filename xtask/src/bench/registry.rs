//! The push and pull rows: the composed router moved between the disk and
//! a CNCF distribution registry (Debian's `docker-registry`, started on a
//! free port of 127.0.0.1 for the run, storing blobs under the bench's
//! scratch folder), by `wcompose push`/`pull` beside `skopeo copy`.
//!
//! Each run pushes to a repository of its own and skopeo pulls into a
//! fresh OCI layout, so that neither tool finds the blobs already there
//! and skips them: every row uploads or downloads the whole component.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::process::Proc;
use super::report::Comparison;
use super::stats::Plan;
use super::{Files, compare};

/// The Debian packages: the registry, and skopeo as the reference client.
const PACKAGES: [&str; 2] = ["docker-registry", "skopeo"];

/// A registry on 127.0.0.1, stopped when dropped.
struct LocalRegistry {
    child: Child,
    addr: String,
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `docker-registry` and `skopeo`, installed with apt-get when missing and
/// running as root; otherwise an error naming the command.
fn ensure_packages() -> Result<()> {
    let on_path = |tool: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
    };
    if PACKAGES.iter().all(|tool| on_path(tool)) {
        return Ok(());
    }
    let command = format!(
        "apt-get install -y --no-install-recommends {}",
        PACKAGES.join(" ")
    );
    let root_user = {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    };
    if !root_user || !on_path("apt-get") {
        bail!(
            "the push and pull rows need Debian's {} packages; install them as root with `{command}`",
            PACKAGES.join(" and ")
        );
    }
    eprintln!("  installing {} with apt-get", PACKAGES.join(" and "));
    for args in [
        vec!["update", "-q"],
        vec!["install", "-y", "-q", "--no-install-recommends"]
            .into_iter()
            .chain(PACKAGES)
            .collect(),
    ] {
        let output = Command::new("apt-get")
            .args(&args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .with_context(|| format!("failed to run `apt-get {}`", args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "`apt-get {}` exited with {}\n--- stderr\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    Ok(())
}

/// Starts a registry storing its blobs in `dir` and waits until `GET /v2/`
/// answers `{}`.
fn start(dir: &Path) -> Result<LocalRegistry> {
    use std::io::{Read as _, Write as _};
    let storage = dir.join("storage");
    std::fs::create_dir_all(&storage)
        .with_context(|| format!("failed to create `{}`", storage.display()))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let config = dir.join("registry.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            storage.display()
        ),
    )
    .with_context(|| format!("failed to write `{}`", config.display()))?;
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("failed to start `docker-registry serve`")?;
    let mut registry = LocalRegistry { child, addr };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = registry.child.try_wait()? {
            bail!(
                "`docker-registry serve {}` exited with {status}",
                config.display()
            );
        }
        if let Ok(mut stream) = std::net::TcpStream::connect(&registry.addr) {
            let _ = write!(
                stream,
                "GET /v2/ HTTP/1.0\r\nHost: {}\r\n\r\n",
                registry.addr
            );
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.split_whitespace().nth(1) == Some("200") && answer.trim_end().ends_with("{}")
            {
                return Ok(registry);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!(
        "the registry at {} did not answer on /v2/ within 30 s",
        registry.addr
    )
}

/// The push and pull rows for `component`, and a note with its size.
pub fn rows(
    wcompose: &Path,
    files: &Files,
    plan: &Plan,
    component: &Path,
    notes: &mut Vec<String>,
) -> Result<Vec<Comparison>> {
    ensure_packages()?;
    let dir = files.bench_dir.join("scratch").join("registry");
    let registry = start(&dir)?;
    let addr = &registry.addr;
    let size = std::fs::metadata(component)
        .with_context(|| format!("failed to read `{}`", component.display()))?
        .len();

    // One push to pull from, and its OCI layout for skopeo's pushes.
    let pulled_ref = format!("{addr}/bench/router:1.0.0");
    Proc::new(wcompose)
        .arg("push")
        .arg(component)
        .arg(&pulled_ref)
        .run_once()
        .context("failed to push the router for the pull rows")?;
    let layout = dir.join("layout");
    Proc::new("skopeo")
        .args(["copy", "--quiet", "--src-tls-verify=false"])
        .arg(format!("docker://{pulled_ref}"))
        .arg(format!("oci:{}:1.0.0", layout.display()))
        .run_once()
        .context("failed to copy the pushed router into an OCI layout with skopeo")?;

    // A fresh repository per run, named by the shell: `$$` differs for each
    // process the bench starts.
    let sh = |script: String| Proc::new("sh").arg("-c").arg(script);
    let quote = |path: &Path| format!("'{}'", path.display());
    let mut rows = Vec::new();
    rows.push(compare(
        files,
        plan,
        "push",
        &format!("push the composed router ({size} bytes) to a local registry"),
        sh(format!(
            "exec {} push {} {addr}/bench/wcompose-$$:1.0.0 >/dev/null 2>&1",
            quote(wcompose),
            quote(component)
        )),
        "skopeo copy",
        sh(format!(
            "exec skopeo copy --quiet --dest-tls-verify=false oci:{}:1.0.0 docker://{addr}/bench/skopeo-$$:1.0.0",
            quote(&layout)
        )),
    )?);
    let out = files.out_dir.join("router.pulled.wasm");
    let layouts = dir.join("pulled");
    std::fs::create_dir_all(&layouts)
        .with_context(|| format!("failed to create `{}`", layouts.display()))?;
    rows.push(compare(
        files,
        plan,
        "pull",
        &format!("pull the composed router ({size} bytes) from a local registry"),
        Proc::new(wcompose)
            .arg("pull")
            .arg(&pulled_ref)
            .arg("-o")
            .arg(&out),
        "skopeo copy",
        sh(format!(
            "exec skopeo copy --quiet --src-tls-verify=false docker://{pulled_ref} oci:{}/$$:1.0.0",
            quote(&layouts)
        )),
    )?);
    let pulled =
        std::fs::read(&out).with_context(|| format!("failed to read `{}`", out.display()))?;
    let pushed = std::fs::read(component)
        .with_context(|| format!("failed to read `{}`", component.display()))?;
    if pulled != pushed {
        bail!("`wcompose pull` gave other bytes than `wcompose push` sent");
    }
    notes.push(format!(
        "The push and pull rows move the composed router ({size} bytes) to and from Debian's \
         `docker-registry` on 127.0.0.1 over plain HTTP; skopeo pushes from and pulls into an \
         OCI layout. Each push goes to a new repository, each skopeo pull into a new layout, so \
         no blob is skipped as already there."
    ));
    drop(registry);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(rows)
}

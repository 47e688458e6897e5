//! Compositions whose packages come from a registry named in
//! `wcompose.toml`, against a real CNCF distribution registry (Debian's
//! `docker-registry` on 127.0.0.1): the fetch, the pin in `wcompose.lock`,
//! rebuilds from the cache (offline, with the registry stopped, with no
//! request at all), and every refusal (a changed pin, a tampered cache, a
//! tampered registry, a registry that is down, offline without a cache),
//! each with exit status 1 and nothing written.
//!
//! The packages are tiny components made from WIT and WAT, pushed with the
//! library; the requests a build makes are counted in the registry's
//! access log.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::support::{self, Ran, Registry};

/// A component that exports `add`, plus `bias` to the sum, so that two
/// versions differ.
fn adder(bias: u32) -> Vec<u8> {
    support::component_from_wat(
        "package toolsku:adder;
        world adder { export add: func(a: u32, b: u32) -> u32; }",
        "adder",
        &format!(
            "(module
              (func (export \"add\") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add i32.const {bias} i32.add))"
        ),
    )
}

/// Pushes `component` to `name` (`toolsku/adder:1.0.0`) with the library;
/// returns the manifest digest.
fn push(registry: &Registry, name: &str, component: &[u8]) -> String {
    let reference = registry.reference(name).parse().unwrap();
    wcompose::registry::push(component, &reference, &Default::default())
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
        .manifest_digest
}

/// The requests the registry has answered, from its access log.
fn requests(registry: &Registry) -> usize {
    registry
        .log()
        .lines()
        .filter(|line| line.contains("response completed") && line.contains("/v2/"))
        .count()
}

/// A workspace (`wit/`, `compositions/sum.wac`, `wcompose.toml`) whose
/// `toolsku` namespace comes from a registry.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// `package` is the package as the `.wac` names it
    /// (`toolsku:adder@1.0.0`).
    fn new(registry_addr: &str, package: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("wit")).unwrap();
        std::fs::create_dir(root.join("compositions")).unwrap();
        std::fs::create_dir(root.join("docker")).unwrap();
        std::fs::write(
            root.join("compositions/sum.wac"),
            format!("package test:sum;\nlet adder = new {package} {{}};\nexport adder.add;\n"),
        )
        .unwrap();
        std::fs::write(
            root.join("wcompose.toml"),
            format!(
                "[compositions.sum]\nfile = \"compositions/sum.wac\"\nhost = \"none\"\n\n\
                 [registries]\ntoolsku = \"{registry_addr}/toolsku\"\n"
            ),
        )
        .unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("sum.wasm")
    }

    fn lock(&self) -> PathBuf {
        self.root().join(wcompose::build::LOCKFILE)
    }

    fn lock_text(&self) -> Option<String> {
        std::fs::read_to_string(self.lock()).ok()
    }

    /// The cache's copy of the blob `digest`.
    fn cached(&self, digest: &str) -> PathBuf {
        self.root()
            .join("target/wcompose/registry/blobs/sha256")
            .join(digest.strip_prefix("sha256:").unwrap())
    }

    /// Runs `wcompose` in the workspace, with an empty Docker config.
    fn wcompose(&self, args: &[&str]) -> Ran {
        let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .env(wcompose::run::CACHE_DIR_ENV, self.root().join("run-cache"))
            .env("DOCKER_CONFIG", self.root().join("docker"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `wcompose compose compositions/sum.wac -o sum.wasm`, plus `extra`,
    /// which must succeed; returns the composed bytes.
    fn compose(&self, extra: &[&str]) -> (Vec<u8>, Ran) {
        let ran = self.compose_ran(extra);
        assert_eq!(ran.code, Some(0), "{ran}");
        (std::fs::read(self.out()).unwrap(), ran)
    }

    fn compose_ran(&self, extra: &[&str]) -> Ran {
        let mut args = vec!["compose", "compositions/sum.wac", "-o", "sum.wasm"];
        args.extend_from_slice(extra);
        self.wcompose(&args)
    }

    /// The composition fails: exit status 1, every `expected` in the
    /// message, no output, and the lockfile as it was.
    fn compose_fails(&self, extra: &[&str], expected: &[&str]) -> Ran {
        let _ = std::fs::remove_file(self.out());
        let lock = self.lock_text();
        let ran = self.compose_ran(extra);
        assert_eq!(ran.code, Some(1), "{ran}");
        for expected in expected {
            assert!(
                ran.stderr.contains(expected),
                "expected `{expected}` in:\n{ran}"
            );
        }
        assert!(
            !self.out().exists(),
            "a failed composition wrote its output"
        );
        assert_eq!(
            self.lock_text(),
            lock,
            "a failed composition changed the lock"
        );
        ran
    }
}

/// Calls the composition's `add(2, 3)`.
fn add(bytes: &[u8]) -> String {
    support::validate(bytes);
    support::invoke(&support::load(bytes), "add(2, 3)")
}

#[test]
fn a_registry_package_composes_is_pinned_and_rebuilds_from_the_cache() {
    let mut registry = Registry::start();
    let digest = push(&registry, "toolsku/adder:1.0.0", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");

    let (composed, ran) = project.compose(&[]);
    assert_eq!(add(&composed), "5");
    assert!(
        ran.stderr.contains(&format!(
            "fetched `toolsku:adder@1.0.0` from `{}/toolsku/adder:1.0.0` ({digest})",
            registry.addr
        )),
        "{ran}"
    );
    let lock: wcompose::build::Lock = toml::from_str(&project.lock_text().unwrap()).unwrap();
    let pin = &lock.packages["toolsku:adder@1.0.0"];
    assert_eq!(pin.digest, digest);
    assert_eq!(
        pin.reference,
        format!("{}/toolsku/adder:1.0.0", registry.addr)
    );
    let fetched = requests(&registry);
    assert!(fetched > 0, "no request in the log:\n{}", registry.log());

    // Pinned and cached: no request, online or offline, composing or
    // checking.
    let (again, ran) = project.compose(&[]);
    assert_eq!(again, composed);
    assert!(!ran.stderr.contains("fetched"), "{ran}");
    let (offline, _) = project.compose(&["--offline"]);
    assert_eq!(offline, composed);
    let ran = project.wcompose(&["check", "compositions/sum.wac", "--offline"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(requests(&registry), fetched, "{}", registry.log());

    // With the registry gone.
    registry.stop();
    let (stopped, _) = project.compose(&[]);
    assert_eq!(stopped, composed);
    let ran = project.wcompose(&["check", "compositions/sum.wac"]);
    assert_eq!(ran.code, Some(0), "{ran}");
}

#[test]
fn a_no_op_workspace_build_makes_no_request_to_the_registry() {
    let registry = Registry::start();
    push(&registry, "toolsku/adder:latest", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder");
    let workspace = wcompose::workspace::Workspace::new(project.root());
    let build = |offline| {
        wcompose::build::build_compositions_with(
            &workspace,
            &Default::default(),
            &project.lock(),
            offline,
        )
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
    };

    let first = build(false);
    assert!(matches!(first, wcompose::build::Outcome::Built { .. }));
    let output = workspace.out_dir.join("sum.wasm");
    assert_eq!(add(&std::fs::read(&output).unwrap()), "5");
    let lock = project.lock_text().unwrap();
    assert!(lock.contains("[packages.\"toolsku:adder\"]"), "{lock}");
    let fetched = requests(&registry);
    assert!(fetched > 0, "no request in the log:\n{}", registry.log());

    let start = Instant::now();
    let second = build(false);
    let elapsed = start.elapsed();
    assert!(matches!(second, wcompose::build::Outcome::UpToDate(_)));
    assert_eq!(requests(&registry), fetched, "{}", registry.log());
    eprintln!("no-op build with a pinned, cached registry package: {elapsed:.1?}");

    // An output gone: rebuilt from the cache, still no request, offline
    // or not; the lockfile is unchanged.
    std::fs::remove_file(&output).unwrap();
    assert!(matches!(
        build(true),
        wcompose::build::Outcome::Built { .. }
    ));
    assert_eq!(add(&std::fs::read(&output).unwrap()), "5");
    std::fs::remove_file(&output).unwrap();
    assert!(matches!(
        build(false),
        wcompose::build::Outcome::Built { .. }
    ));
    assert_eq!(requests(&registry), fetched, "{}", registry.log());
    assert_eq!(project.lock_text().unwrap(), lock);

    // A pin taken out of the lockfile makes the build stale: the tag is
    // asked for again, and the pin comes back.
    let mut unpinned: wcompose::build::Lock = toml::from_str(&lock).unwrap();
    assert_eq!(unpinned.compositions["sum"].packages, ["toolsku:adder"]);
    unpinned.packages.clear();
    std::fs::write(project.lock(), toml::to_string(&unpinned).unwrap()).unwrap();
    match build(false) {
        wcompose::build::Outcome::Built { fetched: got, .. } => assert_eq!(
            got["toolsku:adder"].origin,
            wcompose::registry::packages::Origin::Registry
        ),
        other => panic!("{other:?}"),
    }
    assert!(requests(&registry) > fetched, "{}", registry.log());
    assert_eq!(project.lock_text().unwrap(), lock);
}

#[test]
fn builds_use_the_pinned_digest_when_the_tag_moves() {
    let registry = Registry::start();
    push(&registry, "toolsku/adder:latest", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder");
    let (first, _) = project.compose(&[]);
    assert_eq!(add(&first), "5");

    // The tag now names another component; with the cache gone, the pin
    // still fetches the first one, by digest.
    let moved = push(&registry, "toolsku/adder:latest", &adder(100));
    std::fs::remove_dir_all(project.root().join("target/wcompose/registry")).unwrap();
    let (pinned, ran) = project.compose(&[]);
    assert_eq!(pinned, first, "{ran}");

    // Without the pin, the tag decides again, and the new pin is written.
    std::fs::remove_file(project.lock()).unwrap();
    let (updated, _) = project.compose(&[]);
    assert_eq!(add(&updated), "105");
    assert!(project.lock_text().unwrap().contains(&moved));
}

#[test]
fn a_changed_digest_in_the_lock_is_refused_and_nothing_is_written() {
    let registry = Registry::start();
    let digest = push(&registry, "toolsku/adder:1.0.0", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    project.compose(&[]);

    let other = wcompose::registry::sha256_digest(b"another manifest");
    let lock = project.lock_text().unwrap().replace(&digest, &other);
    std::fs::write(project.lock(), lock).unwrap();
    project.compose_fails(
        &[],
        &[
            "failed to fetch package `toolsku:adder@1.0.0`",
            &format!("from registry `{}`", registry.addr),
            &format!("it has no artifact with the digest pinned in `wcompose.lock`, {other}"),
            &format!("(`{}/toolsku/adder:1.0.0` names {digest})", registry.addr),
        ],
    );
    // Offline, the changed pin is simply not cached.
    project.compose_fails(
        &["--offline"],
        &["`toolsku:adder@1.0.0`", "not in the cache"],
    );
}

#[test]
fn a_tampered_cache_entry_is_refused_and_fetched_again_online() {
    let registry = Registry::start();
    let component = adder(0);
    push(&registry, "toolsku/adder:1.0.0", &component);
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    let (composed, _) = project.compose(&[]);

    let layer = wcompose::registry::sha256_digest(&component);
    let cached = project.cached(&layer);
    assert_eq!(std::fs::read(&cached).unwrap(), component);
    std::fs::write(&cached, adder(100)).unwrap();
    project.compose_fails(
        &["--offline"],
        &[
            "the cached copy of package `toolsku:adder@1.0.0`",
            "does not match its digest",
            &layer,
        ],
    );
    let ran = project.wcompose(&["check", "compositions/sum.wac", "--offline"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("does not match its digest"), "{ran}");

    let (again, ran) = project.compose(&[]);
    assert_eq!(again, composed);
    assert!(
        ran.stderr
            .contains("again: its cached copy did not match its digest"),
        "{ran}"
    );
    assert_eq!(std::fs::read(&cached).unwrap(), component);
}

#[test]
fn a_blob_tampered_on_the_registry_is_refused() {
    let registry = Registry::start();
    let component = adder(0);
    push(&registry, "toolsku/adder:1.0.0", &component);
    let layer = wcompose::registry::sha256_digest(&component);
    let stored = registry.blob_file(&layer);
    let mut altered = std::fs::read(&stored).unwrap();
    let last = altered.len() - 1;
    altered[last] ^= 0xff;
    std::fs::write(&stored, altered).unwrap();

    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    project.compose_fails(
        &[],
        &[
            "failed to fetch package `toolsku:adder@1.0.0`",
            "the layer does not match its digest",
            &layer,
        ],
    );
    assert!(!project.cached(&layer).exists());
}

#[test]
fn a_registry_that_is_down_fails_naming_the_package_and_the_registry() {
    let mut registry = Registry::start();
    let addr = registry.addr.clone();
    registry.stop();
    let project = Project::new(&addr, "toolsku:adder@1.0.0");
    project.compose_fails(
        &[],
        &[
            "failed to fetch package `toolsku:adder@1.0.0`",
            &format!("from registry `{addr}`"),
            &format!("no registry answers at http://{addr}/"),
            "Connection refused",
        ],
    );
    let ran = project.wcompose(&["check", "compositions/sum.wac"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("Connection refused"), "{ran}");
    assert!(!project.lock().exists());
}

#[test]
fn offline_without_a_cache_fails_naming_the_package() {
    let registry = Registry::start();
    push(&registry, "toolsku/adder:1.0.0", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    project.compose_fails(
        &["--offline"],
        &[
            "package `toolsku:adder@1.0.0` is not pinned in `wcompose.lock`",
            "run once without `--offline`",
        ],
    );
    // Pinned, but the cache is gone.
    project.compose(&[]);
    std::fs::remove_dir_all(project.root().join("target/wcompose/registry")).unwrap();
    let before = requests(&registry);
    project.compose_fails(
        &["--offline"],
        &["`toolsku:adder@1.0.0` is not in the cache"],
    );
    assert_eq!(requests(&registry), before);
}

#[test]
fn a_package_in_the_deps_folder_is_not_fetched() {
    let mut registry = Registry::start();
    let addr = registry.addr.clone();
    registry.stop();
    let project = Project::new(&addr, "toolsku:adder");
    let deps = project.root().join("target/wcompose/deps/toolsku");
    std::fs::create_dir_all(&deps).unwrap();
    std::fs::write(deps.join("adder.wasm"), adder(0)).unwrap();
    let (composed, ran) = project.compose(&[]);
    assert_eq!(add(&composed), "5");
    assert!(!ran.stderr.contains("fetched"), "{ran}");
    assert!(!project.lock().exists());
}

#[test]
fn a_registry_that_is_not_a_repository_prefix_is_refused() {
    let project = Project::new("127.0.0.1:5000", "toolsku:adder");
    std::fs::write(
        project.root().join("wcompose.toml"),
        "[registries]\ntoolsku = \"toolsku\"\n",
    )
    .unwrap();
    project.compose_fails(
        &[],
        &["the registry of namespace `toolsku`, `toolsku`, is not a repository prefix"],
    );
}

#[test]
fn check_fetches_and_pins_a_package_that_compose_then_uses_offline() {
    let mut registry = Registry::start();
    let digest = push(&registry, "toolsku/adder:1.0.0", &adder(0));
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    let ran = project.wcompose(&["check", "compositions/sum.wac"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(
        ran.stderr.contains("fetched `toolsku:adder@1.0.0`"),
        "{ran}"
    );
    assert!(project.lock_text().unwrap().contains(&digest));
    registry.stop();
    let (composed, _) = project.compose(&["--offline"]);
    assert_eq!(add(&composed), "5");
}

#[test]
fn a_no_op_wcompose_compose_of_the_workspace_asks_the_registry_nothing() {
    let mut registry = Registry::start();
    push(&registry, "toolsku/adder:1.0.0", &adder(0));
    // A workspace without guests: its one composition's package comes
    // from the registry.
    let project = Project::new(&registry.addr, "toolsku:adder@1.0.0");
    let output = project.root().join("target/wcompose/sum.wasm");

    let ran = project.wcompose(&["compose"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(
        ran.stderr.contains("fetched `toolsku:adder@1.0.0`"),
        "{ran}"
    );
    assert_eq!(add(&std::fs::read(&output).unwrap()), "5");
    let fetched = requests(&registry);
    assert!(fetched > 0, "no request in the log:\n{}", registry.log());

    let start = Instant::now();
    let ran = project.wcompose(&["compose"]);
    let elapsed = start.elapsed();
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(ran.stderr.contains("up to date"), "{ran}");
    assert_eq!(requests(&registry), fetched, "{}", registry.log());
    eprintln!("no-op `wcompose compose` of the workspace: {elapsed:.1?}");

    // Offline, with the registry gone and the output deleted: from the
    // cache.
    registry.stop();
    std::fs::remove_file(&output).unwrap();
    let ran = project.wcompose(&["compose", "--offline"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(!ran.stderr.contains("fetched"), "{ran}");
    assert_eq!(add(&std::fs::read(&output).unwrap()), "5");
}

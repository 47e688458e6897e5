//! `wcompose push` and `wcompose pull` against a real CNCF distribution
//! registry (Debian's `docker-registry`, started per test on 127.0.0.1),
//! with skopeo as the independent client on the other side: round trips,
//! what skopeo reads of wcompose's artifacts and what wcompose reads of
//! skopeo's, and every refusal (tampered and truncated blobs, missing
//! tags, logins, registries stopped before or in the middle of a pull,
//! size caps, artifacts that are not Wasm) with exit status 1 and nothing
//! written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::support::{self, CuttingProxy, Ran, Registry};

/// A WASI preview-1 command as WAT: componentized on push, it imports
/// WASI 0.2 interfaces through the adapter and exports `wasi:cli/run`.
const WASI_COMMAND: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

/// A component with one import and one export of its own WIT.
fn adder_component() -> Vec<u8> {
    support::component_from_wat(
        r#"package toolsku:adder;
        interface log { write: func(x: u32); }
        interface math { add: func(a: u32, b: u32) -> u32; }
        world adder { import log; export math; }"#,
        "adder",
        r#"(module
          (import "toolsku:adder/log" "write" (func (param i32)))
          (func (export "toolsku:adder/math#add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))"#,
    )
}

/// A component of a few hundred KiB, most of it one data segment: large
/// enough that a download cut after its first KiB is cut inside the body.
fn large_component() -> Vec<u8> {
    let data: String = (0..256 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    support::component_from_wat(
        r#"package toolsku:large;
        interface math { add: func(a: u32, b: u32) -> u32; }
        world large { export math; }"#,
        "large",
        &format!(
            r#"(module
              (memory 4)
              (data (i32.const 0) "{data}")
              (func (export "toolsku:large/math#add") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add))"#
        ),
    )
}

/// What [`Scratch::push_adder`] pushed.
struct Pushed {
    /// The component's bytes.
    component: Vec<u8>,
    /// The file it was pushed from.
    input: PathBuf,
    /// Where it was pushed.
    reference: String,
    /// The manifest digest push printed.
    digest: String,
}

/// A test's folder, with an empty Docker config so that the user's
/// credentials are never read.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docker")).unwrap();
        Scratch { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs `wcompose` with `stdin`.
    fn wcompose_with_stdin(&self, args: &[&str], stdin: &str) -> Ran {
        let docker = self.path("docker");
        support::wcompose_in(
            &self.path("cache"),
            args,
            stdin,
            &[("DOCKER_CONFIG", docker.to_str().unwrap())],
        )
    }

    fn wcompose(&self, args: &[&str]) -> Ran {
        self.wcompose_with_stdin(args, "")
    }

    /// Pushes the adder component to `toolsku/adder:1.0.0` on `registry`,
    /// which must succeed.
    fn push_adder(&self, registry: &Registry) -> Pushed {
        let component = adder_component();
        let input = self.write("adder.wasm", &component);
        let reference = registry.reference("toolsku/adder:1.0.0");
        let digest = self.push(&input, &reference);
        Pushed {
            component,
            input,
            reference,
            digest,
        }
    }

    /// Pushes `file` to `reference`, which must succeed; returns the
    /// manifest digest.
    fn push(&self, file: &Path, reference: &str) -> String {
        let ran = self.wcompose(&["push", file.to_str().unwrap(), reference]);
        assert_eq!(ran.code, Some(0), "{ran}");
        ran.stdout.trim().to_string()
    }

    /// Pulls `reference` into `name`, expecting a refusal: exit status 1, a
    /// message containing `expected`, and no file.
    fn pull_fails(&self, reference: &str, extra: &[&str], expected: &str) -> Ran {
        let out = self.path("pulled.wasm");
        let mut args = vec!["pull", reference, "-o", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let ran = self.wcompose(&args);
        assert_eq!(ran.code, Some(1), "{ran}");
        assert!(
            ran.stderr.contains(expected),
            "expected `{expected}` in:\n{ran}"
        );
        assert!(!out.exists(), "a failed pull wrote {}", out.display());
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        ran
    }
}

/// Runs skopeo, which must succeed; returns its stdout.
fn skopeo(args: &[&str]) -> String {
    let output = Command::new("skopeo").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "skopeo {} exited with {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Writes an OCI image layout in `dir` holding one manifest, tagged `tag`,
/// with the given config and layers; returns the manifest's digest.
fn oci_layout(dir: &Path, tag: &str, config: (&str, &[u8]), layers: &[(&str, &[u8])]) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let blob = |bytes: &[u8]| {
        let digest = wcompose::registry::sha256_digest(bytes);
        std::fs::write(blobs.join(digest.strip_prefix("sha256:").unwrap()), bytes).unwrap();
        digest
    };
    let descriptor = |media_type: &str, bytes: &[u8]| {
        serde_json::json!({
            "mediaType": media_type,
            "digest": blob(bytes),
            "size": bytes.len(),
        })
    };
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor(config.0, config.1),
        "layers": layers.iter().map(|(m, b)| descriptor(m, b)).collect::<Vec<_>>(),
    }))
    .unwrap();
    let digest = blob(&manifest);
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest,
                "size": manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }],
        }))
        .unwrap(),
    )
    .unwrap();
    digest
}

/// Copies the layout in `dir` (tag `tag`) to `reference` with skopeo.
fn skopeo_copy_to(dir: &Path, tag: &str, reference: &str) {
    skopeo(&[
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        &format!("oci:{}:{tag}", dir.display()),
        &format!("docker://{reference}"),
    ]);
}

#[test]
fn a_pushed_component_pulls_back_byte_identical() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let Pushed {
        component,
        reference,
        digest,
        ..
    } = scratch.push_adder(&registry);
    assert!(
        wcompose::registry::sha256_digest(b"") != digest && digest.starts_with("sha256:"),
        "push printed `{digest}`"
    );

    let out = scratch.path("pulled.wasm");
    let ran = scratch.wcompose(&["pull", &reference, "-o", out.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out).unwrap(), component);

    // By digest too, and the digest is the manifest's.
    let by_digest = format!("{}/toolsku/adder@{digest}", registry.addr);
    let out2 = scratch.path("by-digest.wasm");
    let ran = scratch.wcompose(&["pull", &by_digest, "-o", out2.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out2).unwrap(), component);
}

#[test]
fn skopeo_reads_the_wasm_artifact_that_push_wrote() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let input = scratch.write("hello.wat", WASI_COMMAND.as_bytes());
    let reference = registry.reference("toolsku/hello:0.1.0");
    let ran = scratch.wcompose(&["push", input.to_str().unwrap(), &reference]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(ran.stderr.contains("is a core module"), "{ran}");
    let digest = ran.stdout.trim();

    let raw = skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{reference}"),
    ]);
    assert_eq!(wcompose::registry::sha256_digest(raw.as_bytes()), digest);
    let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], "application/wasm");

    let config = skopeo(&[
        "inspect",
        "--config",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{reference}"),
    ]);
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert!(config["created"].is_string(), "{config}");
    assert_eq!(
        config["layerDigests"],
        serde_json::json!([layers[0]["digest"]])
    );
    let names = |key: &str| -> Vec<String> {
        config["component"][key]
            .as_array()
            .unwrap_or_else(|| panic!("no component.{key} in {config}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let exports = names("exports");
    let run = exports
        .iter()
        .find(|e| e.starts_with("wasi:cli/run@0.2."))
        .unwrap_or_else(|| panic!("no wasi:cli/run export in {exports:?}"));
    assert!(
        names("imports")
            .iter()
            .any(|i| i.starts_with("wasi:cli/stdout@0.2.")),
        "{config}"
    );
    let version = run.split_once('@').unwrap().1;
    assert_eq!(
        config["component"]["target"],
        format!("wasi:cli/command@{version}")
    );

    // And the pulled component is what `componentize` makes of the WAT.
    let out = scratch.path("hello.wasm");
    let ran = scratch.wcompose(&["pull", &reference, "-o", out.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    let expected = wcompose::componentize::componentize(
        WASI_COMMAND.as_bytes(),
        wcompose::componentize::Options::default(),
    )
    .unwrap()
    .bytes;
    assert_eq!(std::fs::read(&out).unwrap(), expected);
}

#[test]
fn pull_reads_what_skopeo_pushed() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let component = adder_component();
    let layer_digest = wcompose::registry::sha256_digest(&component);
    let config = serde_json::to_vec(&serde_json::json!({
        "created": "2026-01-01T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": {"exports": ["toolsku:adder/math"], "imports": ["toolsku:adder/log"]},
    }))
    .unwrap();
    let layout = scratch.path("layout");
    let digest = oci_layout(
        &layout,
        "v1",
        ("application/vnd.wasm.config.v0+json", &config),
        &[("application/wasm", &component)],
    );
    let reference = registry.reference("skopeo/adder:v1");
    skopeo_copy_to(&layout, "v1", &reference);

    let out = scratch.path("adder.wasm");
    let ran = scratch.wcompose(&["pull", &reference, "-o", out.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out).unwrap(), component);
    assert!(ran.stderr.contains(&digest), "{ran}");

    // A copy between repositories by skopeo pulls the same.
    let copy = registry.reference("copies/adder:v1");
    skopeo(&[
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        &format!("docker://{reference}"),
        &format!("docker://{copy}"),
    ]);
    let out2 = scratch.path("copy.wasm");
    let ran = scratch.wcompose(&["pull", &copy, "-o", out2.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out2).unwrap(), component);
}

#[test]
fn pull_refuses_a_tampered_layer_and_writes_nothing() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let Pushed {
        component,
        reference,
        ..
    } = scratch.push_adder(&registry);

    // Same length, one byte changed: the registry still serves it with the
    // original digest and length.
    let blob = registry.blob_file(&wcompose::registry::sha256_digest(&component));
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();

    let ran = scratch.pull_fails(&reference, &[], "the layer does not match its digest");
    assert!(ran.stderr.contains(&registry.addr), "{ran}");
}

#[test]
fn pull_refuses_a_truncated_layer_and_writes_nothing() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let Pushed {
        component,
        reference,
        ..
    } = scratch.push_adder(&registry);

    // A blob cut short on the registry's disk, as a full disk or an
    // interrupted copy leaves it.
    let blob = registry.blob_file(&wcompose::registry::sha256_digest(&component));
    let bytes = std::fs::read(&blob).unwrap();
    std::fs::write(&blob, &bytes[..bytes.len() / 2]).unwrap();

    scratch.pull_fails(
        &reference,
        &[],
        &format!(
            "the registry sent {} bytes for a layer of {}",
            bytes.len() / 2,
            bytes.len()
        ),
    );
}

#[test]
fn pull_refuses_a_tag_the_registry_does_not_have() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    scratch.push_adder(&registry);
    let ran = scratch.pull_fails(
        &registry.reference("toolsku/adder:9.9.9"),
        &[],
        "has no such artifact",
    );
    assert!(ran.stderr.contains("toolsku/adder:9.9.9"), "{ran}");
    scratch.pull_fails(
        &registry.reference("nobody/nothing:1"),
        &[],
        "has no such artifact",
    );
}

#[test]
fn push_needs_the_login_of_a_registry_that_requires_one() {
    let registry = Registry::with_login("ci", "s3cret");
    let scratch = Scratch::new();
    let component = adder_component();
    let input = scratch.write("adder.wasm", &component);
    let reference = registry.reference("toolsku/adder:1.0.0");

    let ran = scratch.wcompose(&["push", input.to_str().unwrap(), &reference]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("requires credentials"), "{ran}");
    assert!(ran.stderr.contains(&reference), "{ran}");
    assert!(ran.stdout.is_empty(), "{ran}");

    let ran = scratch.wcompose_with_stdin(
        &[
            "push",
            input.to_str().unwrap(),
            &reference,
            "--username",
            "ci",
            "--password-stdin",
        ],
        "wrong\n",
    );
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("refused the credentials of `ci`"),
        "{ran}"
    );

    let ran = scratch.wcompose_with_stdin(
        &[
            "push",
            input.to_str().unwrap(),
            &reference,
            "--username",
            "ci",
            "--password-stdin",
        ],
        "s3cret\n",
    );
    assert_eq!(ran.code, Some(0), "{ran}");

    // Pulls need the login too; the Docker config file gives it.
    scratch.pull_fails(&reference, &[], "requires credentials");
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("ci:s3cret");
    std::fs::write(
        scratch.path("docker/config.json"),
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
            registry.addr
        ),
    )
    .unwrap();
    let out = scratch.path("pulled.wasm");
    let ran = scratch.wcompose(&["pull", &reference, "-o", out.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out).unwrap(), component);
}

#[test]
fn pull_from_a_stopped_registry_fails_naming_it() {
    let mut registry = Registry::start();
    let scratch = Scratch::new();
    let Pushed {
        input, reference, ..
    } = scratch.push_adder(&registry);
    registry.stop();
    let ran = scratch.pull_fails(
        &reference,
        &[],
        &format!("no registry answers at http://{}/", registry.addr),
    );
    assert!(ran.stderr.contains(&reference), "{ran}");
    let ran = scratch.wcompose(&["push", input.to_str().unwrap(), &reference]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("no registry answers"), "{ran}");
}

#[test]
fn a_pull_broken_off_in_the_middle_of_the_layer_fails_and_writes_nothing() {
    // Shared with the proxy, which stops it from its own thread.
    let registry = Arc::new(Mutex::new(Registry::start()));
    let scratch = Scratch::new();
    let component = large_component();
    let input = scratch.write("large.wasm", &component);
    let upstream = registry.lock().unwrap().addr.clone();
    scratch.push(&input, &format!("{upstream}/toolsku/large:1.0.0"));

    // The registry dies once the layer's head and first KiB are through:
    // the manifest and the config arrive whole, the layer does not.
    let layer = wcompose::registry::sha256_digest(&component);
    let stopping = Arc::clone(&registry);
    let proxy = CuttingProxy::start(
        &upstream,
        &format!("GET /v2/toolsku/large/blobs/{layer} "),
        1024,
        move || stopping.lock().unwrap().stop(),
    );
    let reference = format!("{}/toolsku/large:1.0.0", proxy.addr);
    let ran = scratch.pull_fails(
        &reference,
        &[],
        &format!(
            "the download of the layer broke off after 1024 of {} bytes",
            component.len()
        ),
    );
    assert!(
        ran.stderr.contains(&format!(
            "failed to pull `{reference}` from `{}`",
            proxy.addr
        )),
        "{ran}"
    );
    // The cut stopped the registry itself, not only the connection.
    assert!(
        std::net::TcpStream::connect(&upstream).is_err(),
        "the registry at {upstream} still answers"
    );
}

#[test]
fn a_reference_without_a_tag_is_refused() {
    let scratch = Scratch::new();
    let input = scratch.write("adder.wasm", &adder_component());
    // No registry is needed to refuse it: nothing is sent.
    let reference = "127.0.0.1:9/toolsku/adder";
    scratch.pull_fails(reference, &[], "names neither a tag nor a digest");
    let ran = scratch.wcompose(&["push", input.to_str().unwrap(), reference]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(
        ran.stderr.contains("names neither a tag nor a digest"),
        "{ran}"
    );
}

#[test]
fn a_password_on_stdin_without_a_user_name_is_a_usage_error() {
    let scratch = Scratch::new();
    let ran = scratch.wcompose_with_stdin(
        &["pull", "127.0.0.1:9/toolsku/adder:1", "--password-stdin"],
        "s3cret\n",
    );
    assert_eq!(ran.code, Some(2), "{ran}");
    assert!(ran.stderr.contains("--username"), "{ran}");
}

#[test]
fn localhost_is_reached_over_plain_http_without_insecure() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let component = adder_component();
    let input = scratch.write("adder.wasm", &component);
    let port = registry.addr.rsplit_once(':').unwrap().1;
    let reference = format!("localhost:{port}/toolsku/adder:1.0.0");
    scratch.push(&input, &reference);
    let out = scratch.path("pulled.wasm");
    let ran = scratch.wcompose(&["pull", &reference, "-o", out.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(std::fs::read(&out).unwrap(), component);
}

#[test]
fn push_refuses_a_file_that_is_not_webassembly() {
    let scratch = Scratch::new();
    let input = scratch.write("notes.txt", b"just some text\n");
    let ran = scratch.wcompose(&["push", input.to_str().unwrap(), "127.0.0.1:9/notes:1"]);
    assert_eq!(ran.code, Some(1), "{ran}");
    assert!(ran.stderr.contains("not a WebAssembly binary"), "{ran}");
    assert!(ran.stderr.contains("notes.txt"), "{ran}");
}

#[test]
fn pull_refuses_a_layer_over_the_size_limit_before_downloading_it() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let Pushed {
        component,
        reference,
        ..
    } = scratch.push_adder(&registry);
    let ran = scratch.pull_fails(
        &reference,
        &["--max-size", "100"],
        &format!(
            "the layer is {} bytes, over the limit of 100 bytes",
            component.len()
        ),
    );
    assert!(ran.stderr.contains("--max-size"), "{ran}");
    // The registry was never asked for the layer.
    let digest = wcompose::registry::sha256_digest(&component);
    let asked = registry
        .log()
        .lines()
        .any(|line| line.contains("GET") && line.contains(&digest));
    assert!(!asked, "the layer was requested:\n{}", registry.log());
}

#[test]
fn pull_refuses_artifacts_that_are_not_wasm() {
    let registry = Registry::start();
    let scratch = Scratch::new();
    let component = adder_component();

    // A container image: an OCI image config and a tar layer.
    let layout = scratch.path("image");
    oci_layout(
        &layout,
        "v1",
        (
            "application/vnd.oci.image.config.v1+json",
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        ),
        &[(
            "application/vnd.oci.image.layer.v1.tar",
            b"not really a tar",
        )],
    );
    let image = registry.reference("images/app:v1");
    skopeo_copy_to(&layout, "v1", &image);
    scratch.pull_fails(
        &image,
        &[],
        "not a Wasm OCI artifact: its config is a `application/vnd.oci.image.config.v1+json`",
    );

    // The Wasm config type with a layer of another type.
    let layout = scratch.path("other-layer");
    oci_layout(
        &layout,
        "v1",
        (
            "application/vnd.wasm.config.v0+json",
            br#"{"architecture":"wasm","os":"wasip2"}"#,
        ),
        &[("application/octet-stream", &component)],
    );
    let other = registry.reference("other/layer:v1");
    skopeo_copy_to(&layout, "v1", &other);
    scratch.pull_fails(&other, &[], "its layer is a `application/octet-stream`");

    // The Wasm config type whose content is not JSON.
    let layout = scratch.path("bad-config");
    oci_layout(
        &layout,
        "v1",
        (
            "application/vnd.wasm.config.v0+json",
            b"<html>not json</html>",
        ),
        &[("application/wasm", &component)],
    );
    let bad = registry.reference("bad/config:v1");
    skopeo_copy_to(&layout, "v1", &bad);
    scratch.pull_fails(&bad, &[], "its config is not a Wasm config");
}

//! `wcompose inspect`: the kind, adapter, sizes and runtime verdicts for
//! each kind of artifact the build makes (p1 cores, the wasm32-wasip2
//! component, componentized guests, compositions), for precompiled files and
//! for cores made from WAT, plus the seed's pitfalls as diagnostics.

use std::process::{Command, Output};

use wcompose::inspect::{self, Inspection, Kind, runtimes::Verdict};

use crate::support::{self, Built};

fn inspect_bytes(bytes: &[u8]) -> Inspection {
    inspect::inspect(bytes, "file.wasm").unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

fn inspect_file(path: &std::path::Path) -> Inspection {
    inspect_bytes(&std::fs::read(path).unwrap())
}

fn verdict<'a>(inspection: &'a Inspection, runtime: &str) -> &'a Verdict {
    inspection
        .runtimes
        .iter()
        .find(|v| v.runtime == runtime)
        .unwrap_or_else(|| panic!("no verdict for {runtime}"))
}

/// The runtimes that can run the file, by id.
fn runs(inspection: &Inspection) -> Vec<&'static str> {
    inspection
        .runtimes
        .iter()
        .filter(|v| v.runs)
        .map(|v| v.runtime)
        .collect()
}

fn note<'a>(inspection: &'a Inspection, code: &str) -> &'a str {
    inspection
        .notes
        .iter()
        .find(|n| n.code == code)
        .map(|n| n.message.as_str())
        .unwrap_or_else(|| panic!("no `{code}` note in {:#?}", inspection.notes))
}

fn guest_core(name: &str) -> std::path::PathBuf {
    support::guest_cores()
        .iter()
        .find(|p| p.file_name().is_some_and(|f| f == name))
        .unwrap_or_else(|| panic!("no guest core {name}"))
        .clone()
}

fn wcompose(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wcompose"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_p1_core_runs_on_core_runtimes_and_is_told_how_to_become_a_component() {
    let inspection = inspect_file(&guest_core("calculator.wasm"));
    assert_eq!(inspection.kind, Kind::P1Core);
    assert_eq!(
        runs(&inspection),
        ["wasmtime-cli", "wasmtime-embedding", "wasmedge", "wasmer"]
    );
    assert!(
        verdict(&inspection, "jco").reasons[0].contains("jco transpiles components only"),
        "{:?}",
        verdict(&inspection, "jco")
    );
    assert!(verdict(&inspection, "spin").reasons[0].starts_with("it is a core module"));
    // The seed's pitfall 3: a p1 module where p2 is expected.
    assert!(
        note(&inspection, "p1-core").starts_with(
            "p1 core: run with `wcompose run` (componentized on the fly) or componentize it"
        ),
        "{}",
        note(&inspection, "p1-core")
    );
    // It embeds its world, printed as WIT.
    let world = inspection.world.as_deref().unwrap();
    assert!(world.contains("world calculator"), "{world}");
    assert!(note(&inspection, "embedded-world").contains("componentize it"));
    let p1 = inspection
        .imports
        .iter()
        .find(|i| i.name == "wasi_snapshot_preview1")
        .unwrap();
    assert_eq!(p1.kind, "core-module");
    assert!(p1.members.iter().any(|m| m == "fd_write"), "{p1:?}");
}

#[test]
fn the_wasip2_guest_is_a_component_without_an_adapter() {
    let inspection = inspect_file(&guest_core("serverless.wasm"));
    assert_eq!(inspection.kind, Kind::Component);
    assert_eq!(inspection.adapters, []);
    let run = inspection
        .exports
        .iter()
        .find(|e| e.name == "wasi:cli/run")
        .unwrap();
    assert_eq!(run.kind, "interface");
    assert!(
        run.version.as_deref().unwrap().starts_with("0.2."),
        "{run:?}"
    );
    // Until it is composed with a calculator, no runtime can satisfy it.
    assert_eq!(runs(&inspection), Vec::<&str>::new());
    let reason = &verdict(&inspection, "wasmtime-cli").reasons[0];
    assert!(
        reason.contains("imports `toolsku:calculator/ops`") && reason.contains("wcompose compose"),
        "{reason}"
    );
    // The seed's pitfall 5 is one `wcompose check` away.
    assert!(note(&inspection, "open-imports").contains("wcompose check"));
}

#[test]
fn a_componentized_guest_carries_the_reactor_adapter_of_wasmtime_48() {
    let built = Built::new();
    let inspection = inspect_file(&built.dep("toolsku:calculator"));
    assert_eq!(inspection.kind, Kind::Component);
    assert_eq!(inspection.adapters.len(), 1);
    let adapter = &inspection.adapters[0];
    assert_eq!(adapter.kind, "reactor");
    assert_eq!(adapter.wasmtime.as_deref(), Some("48.0.8"));
    assert_eq!(adapter.wasi.as_deref(), Some("0.2.12"));
    let ops = inspection
        .exports
        .iter()
        .find(|e| e.name == "toolsku:calculator/ops")
        .unwrap();
    assert_eq!(ops.members, ["add", "subtract", "multiply", "divide"]);
    assert_eq!(
        runs(&inspection),
        ["wasmtime-cli", "wasmtime-embedding", "jco"]
    );
    assert_eq!(
        verdict(&inspection, "wasmtime-cli").how.as_deref(),
        Some("wasmtime run --invoke 'add(...)' file.wasm")
    );
    assert!(
        verdict(&inspection, "wasmedge").reasons[0]
            .starts_with("a component needs the Component Model"),
    );
    assert!(
        verdict(&inspection, "spin").reasons[0].contains("wasi:http/incoming-handler"),
        "{:?}",
        verdict(&inspection, "spin")
    );
}

#[test]
fn a_command_component_carries_the_command_adapter_when_made_from_fn_main() {
    // A preview-1 command (`_start`) gets the command adapter, which
    // exports `wasi:cli/run` itself.
    let core = wat::parse_str(
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
             (memory (export "memory") 1)
             (func (export "_start")))"#,
    )
    .unwrap();
    let component = wcompose::componentize::componentize(&core, Default::default())
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)));
    let inspection = inspect_bytes(&component.bytes);
    assert_eq!(inspection.adapters.len(), 1);
    assert_eq!(inspection.adapters[0].kind, "command");
    assert_eq!(
        verdict(&inspection, "wasmtime-cli").how.as_deref(),
        Some("wasmtime run file.wasm")
    );
    assert_eq!(
        verdict(&inspection, "jco").how.as_deref(),
        Some("jco run file.wasm")
    );
}

#[test]
fn a_composition_shows_where_its_bytes_go() {
    let inspection = inspect_bytes(&Built::new().compose("router.wac"));
    assert_eq!(inspection.kind, Kind::Component);
    let components: Vec<_> = inspection
        .parts
        .iter()
        .filter(|p| p.depth == 0)
        .map(|p| (p.kind, p.name.as_deref().unwrap_or("?")))
        .collect();
    assert_eq!(
        components,
        [
            ("component", "calculator"),
            ("component", "geo"),
            ("component", "cache"),
            ("component", "auth"),
            ("component", "compress"),
            ("component", "router"),
        ]
    );
    // Nested parts add up to less than the whole, and each guest has its
    // main module and an adapter.
    let nested: u64 = inspection
        .parts
        .iter()
        .filter(|p| p.depth == 0)
        .map(|p| p.size)
        .sum();
    assert!(nested < inspection.size as u64);
    let roles = |role| {
        inspection
            .parts
            .iter()
            .filter(|p| p.role == Some(role))
            .count()
    };
    assert_eq!(roles("main"), 6);
    assert_eq!(roles("adapter"), 6);
    assert_eq!(inspection.adapters.len(), 6);
    let component_section = inspection
        .sections
        .iter()
        .find(|s| s.name == "component")
        .unwrap();
    assert_eq!(component_section.count, 6);
    assert_eq!(component_section.size, nested);
    assert!(
        inspection
            .producers
            .iter()
            .any(|p| p.field == "processed-by" && p.name == "wcompose")
    );

    assert_eq!(
        runs(&inspection),
        ["wasmtime-cli", "wasmtime-embedding", "jco"]
    );
    assert_eq!(
        inspection
            .exports
            .iter()
            .map(|e| e.full_name())
            .collect::<Vec<_>>(),
        ["toolsku:router/routes"]
    );
    let world = inspection.world.as_deref().unwrap();
    assert!(world.contains("export toolsku:router/routes;"), "{world}");
}

#[test]
fn every_composition_of_the_workspace_runs_on_wasmtime_and_jco_the_http_ones_on_http_servers_and_the_wasi_0_3_one_on_wasmtime_alone()
 {
    let built = Built::new();
    for composed in built.compose_all() {
        let inspection = inspect_file(&composed.path);
        let name = composed.path.file_stem().unwrap().to_string_lossy();
        if name.ends_with("-http") {
            // A `wasi:http/incoming-handler` service: `wasmtime serve`,
            // `wcompose serve`, `jco serve` and Spin's HTTP trigger.
            assert_eq!(
                runs(&inspection),
                ["wasmtime-cli", "wcompose-serve", "jco", "spin"],
                "{name}: {:#?}",
                inspection.runtimes
            );
            let serve = verdict(&inspection, "wcompose-serve");
            assert_eq!(serve.how.as_deref(), Some("wcompose serve file.wasm"));
            let run = verdict(&inspection, "wasmtime-embedding");
            assert!(
                run.reasons
                    .iter()
                    .any(|r| r.contains("`wasi:http/types@0.2.12`")),
                "{run:?}"
            );
            continue;
        }
        let expected: &[&str] = if name == "report" {
            &["wasmtime-cli", "wasmtime-embedding"]
        } else {
            &["wasmtime-cli", "wasmtime-embedding", "jco"]
        };
        assert_eq!(
            runs(&inspection),
            expected,
            "{}: {:#?}",
            composed.path.display(),
            inspection.runtimes
        );
        let spin = verdict(&inspection, "spin");
        assert!(
            spin.reasons
                .iter()
                .any(|r| r.contains("wasi:http/incoming-handler")),
            "{spin:?}"
        );
    }
}

#[test]
fn an_unbounded_memory_gets_a_cap_on_each_runtime_that_has_one() {
    // The composition: wasmtime can cap it, and the general note says how.
    let inspection = inspect_bytes(&Built::new().compose("seed.wac"));
    assert!(
        inspection
            .memories
            .iter()
            .all(|m| m.maximum_pages.is_none())
    );
    assert!(note(&inspection, "unbounded-memory").contains("--max-memory"));
    assert!(
        verdict(&inspection, "wasmtime-cli").notes[0].contains("-W max-memory-size="),
        "{:?}",
        verdict(&inspection, "wasmtime-cli")
    );
    // The seed's pitfall 4: WasmEdge's edge profile requires a cap.
    let inspection = inspect_file(&guest_core("calculator.wasm"));
    let wasmedge = verdict(&inspection, "wasmedge");
    assert!(
        wasmedge.notes[0].contains("needs a cap")
            && wasmedge.notes[0].contains("wasmedge --memory-page-limit 512 file.wasm"),
        "{wasmedge:?}"
    );
    // A module that declares a maximum gets no such note.
    let capped = wat::parse_str(r#"(module (memory 1 16) (func (export "f")))"#).unwrap();
    let inspection = inspect_bytes(&capped);
    assert_eq!(inspection.memories[0].maximum_pages, Some(16));
    assert!(inspection.runtimes.iter().all(|v| v.notes.is_empty()));
}

#[test]
fn a_core_importing_env_is_diagnosed_as_a_wasm32_unknown_unknown_build() {
    let core = wat::parse_str(
        r#"(module
             (import "env" "read_file" (func (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "main")))"#,
    )
    .unwrap();
    let inspection = inspect_bytes(&core);
    assert_eq!(inspection.kind, Kind::Core);
    assert_eq!(runs(&inspection), Vec::<&str>::new());
    let reason = &verdict(&inspection, "wasmedge").reasons[0];
    assert!(
        reason.contains("imports from `env`") && reason.contains("wasm32-unknown-unknown"),
        "{reason}"
    );
    assert!(note(&inspection, "foreign-imports").contains("build for wasm32-wasip1"));

    // componentize (and so `wcompose run`) says the same, like the seed's
    // troubleshooting table: what is missing, why, and what to do.
    let error = wcompose::componentize::componentize(&core, Default::default()).unwrap_err();
    let message = wcompose::error_chain(&error);
    assert!(
        message.contains("imports from `env`")
            && message.contains("the WASI API is missing")
            && message.contains("wasm32-unknown-unknown")
            && message.contains("help: build for wasm32-wasip1"),
        "{message}"
    );
}

#[test]
fn a_core_importing_its_memory_from_env_is_not_called_a_wasm32_unknown_unknown_build() {
    // `wasm-ld --import-memory` names the memory `env.memory`, and a
    // threaded build imports its stack pointer; wit-component makes a
    // component of both, so inspect has no pitfall to report.
    let core = wat::parse_str(
        r#"(module
             (import "env" "memory" (memory 1))
             (import "env" "__wasm_get_stack_pointer" (func (result i32)))
             (import "env" "__wasm_set_tls_base" (func (param i32)))
             (func (export "main")))"#,
    )
    .unwrap();
    let inspection = inspect_bytes(&core);
    assert_eq!(inspection.kind, Kind::Core);
    assert!(
        !inspection.notes.iter().any(|n| n.code == "foreign-imports"),
        "{:?}",
        inspection.notes
    );
    assert!(wcompose::componentize::componentize(&core, Default::default()).is_ok());
}

#[test]
fn a_core_without_any_imports_may_lack_wasi() {
    let core = wat::parse_str(
        r#"(module (func (export "add") (param i32 i32) (result i32)
             (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let inspection = inspect_bytes(&core);
    assert_eq!(inspection.kind, Kind::Core);
    assert!(note(&inspection, "no-wasi").contains("wasm32-unknown-unknown"));
    assert_eq!(
        runs(&inspection),
        ["wasmtime-cli", "wasmtime-embedding", "wasmedge", "wasmer"]
    );
    assert_eq!(
        verdict(&inspection, "wasmtime-cli").how.as_deref(),
        Some("wasmtime run --invoke add file.wasm")
    );
}

#[test]
fn a_p2_core_must_be_linked_into_a_component_first() {
    let core = wat::parse_str(
        r#"(module
             (import "wasi:cli/environment@0.2.6" "get-arguments" (func (param i32)))
             (memory (export "memory") 1)
             (func (export "run")))"#,
    )
    .unwrap();
    let inspection = inspect_bytes(&core);
    assert_eq!(inspection.kind, Kind::P2Core);
    assert_eq!(runs(&inspection), Vec::<&str>::new());
    assert!(note(&inspection, "p2-core").contains("link it into one"));
    assert!(
        verdict(&inspection, "wasmer").reasons[0].contains("a WASI 0.2 interface"),
        "{:?}",
        verdict(&inspection, "wasmer")
    );
}

/// A calculator component precompiled by this wasmtime for this CPU.
fn cwasm() -> Vec<u8> {
    let component = std::fs::read(Built::new().dep("toolsku:calculator")).unwrap();
    wasmtime::Engine::default()
        .precompile_component(&component)
        .unwrap()
}

#[test]
fn a_precompiled_component_runs_only_on_the_wasmtime_that_made_it() {
    let bytes = cwasm();
    assert!(bytes.starts_with(b"\x7fELF"));
    let inspection = inspect_bytes(&bytes);
    assert_eq!(inspection.kind, Kind::Precompiled);
    let precompiled = inspection.precompiled.as_ref().unwrap();
    assert_eq!(precompiled.engine_version.as_deref(), Some("48"));
    assert_eq!(precompiled.arch.as_deref(), Some(std::env::consts::ARCH));
    assert!(
        inspection
            .description
            .starts_with("a component precompiled by wasmtime 48 for "),
        "{}",
        inspection.description
    );
    assert_eq!(runs(&inspection), ["wasmtime-cli", "wasmtime-embedding"]);
    assert_eq!(
        verdict(&inspection, "wasmtime-cli").how.as_deref(),
        Some("wasmtime run --allow-precompiled file.wasm")
    );
    assert!(
        verdict(&inspection, "wasmedge").reasons[0].contains("the `.wasm` it was compiled from"),
        "{:?}",
        verdict(&inspection, "wasmedge")
    );
}

#[test]
fn a_precompiled_file_from_another_wasmtime_is_refused_with_the_reason() {
    let mut bytes = cwasm();
    // Pretend another release wrote it: the version sits in the
    // `.wasmtime.engine` section, right after its two header bytes.
    let at = bytes
        .windows(4)
        .position(|w| w == b"\x00\x0248")
        .expect("the engine section names the version");
    bytes[at + 2..at + 4].copy_from_slice(b"47");
    let inspection = inspect_bytes(&bytes);
    assert_eq!(runs(&inspection), Vec::<&str>::new());
    let reason = &verdict(&inspection, "wasmtime-cli").reasons[0];
    assert!(
        reason.starts_with("it was precompiled by wasmtime 47, and wasmtime 48 loads only"),
        "{reason}"
    );
}

#[test]
fn run_and_inspect_say_what_a_cwasm_is_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calculator.cwasm");
    std::fs::write(&path, cwasm()).unwrap();
    let path = path.to_str().unwrap();

    let output = wcompose(&["run", path, "--invoke", "add(1, 2)"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("this is a component precompiled by wasmtime 48")
            && stderr.contains("not WebAssembly")
            && stderr.contains("give wcompose the `.wasm` it was compiled from"),
        "{stderr}"
    );

    let output = wcompose(&["inspect", path]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("precompiled by wasmtime 48 for"),
        "{stdout}"
    );
    assert!(
        stdout.contains("wasmtime run --allow-precompiled"),
        "{stdout}"
    );
}

#[test]
fn inspect_prints_a_report_and_a_versioned_json_document() {
    let built = Built::new();
    let seed = built.workspace.out_dir.join("seed.wasm");
    std::fs::write(&seed, built.compose("seed.wac")).unwrap();
    let seed = seed.to_str().unwrap();

    let output = wcompose(&["inspect", seed]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for heading in [
        ": component (",
        "\nworld:\n",
        "\nimports:\n",
        "\nexports:\n  toolsku:formatter/format (interface): json-pretty, csv-to-json\n",
        "\nadapters (WASI preview 1 on top of WASI 0.2):\n  part 0/1: reactor adapter, WASI 0.2.12, from wasmtime 48.0.8\n",
        "\nsize by section:\n",
        "\nwhere the bytes go:\n",
        "\nruntimes:\n  yes  wasmtime CLI 48\n",
        "\n  no   WasmEdge 0.14\n",
    ] {
        assert!(stdout.contains(heading), "missing {heading:?} in\n{stdout}");
    }

    let output = wcompose(&["inspect", "--json", seed]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["kind"], "component");
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = [
        "version",
        "kind",
        "description",
        "size",
        "world",
        "imports",
        "exports",
        "adapters",
        "producers",
        "languages",
        "toolchain",
        "sections",
        "parts",
        "memories",
        "precompiled",
        "wasi",
        "component_model_features",
        "runtimes",
        "notes",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let wasmtime = &json["runtimes"][0];
    assert_eq!(wasmtime["runtime"], "wasmtime-cli");
    assert_eq!(wasmtime["runs"], true);

    // Not WebAssembly at all: exit 1, and the reason.
    let text = built.workspace.out_dir.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let output = wcompose(&["inspect", text.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a WebAssembly binary"));
}

/// A component with exactly this world, importing WASI 0.3 from the
/// workspace's `wit/deps` and `wasi:cli/environment@0.2.6` as declared here.
fn stub_with_imports(imports: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let deps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit/deps");
    std::fs::create_dir(dir.path().join("deps")).unwrap();
    for entry in std::fs::read_dir(&deps).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path().join("deps").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("world.wit"),
        format!(
            "package t:probe;\n\n\
             package wasi:cli@0.2.6 {{\n    interface environment {{\n        \
             get-environment: func() -> list<tuple<string, string>>;\n    }}\n}}\n\n\
             world probe {{\n{imports}\n    export run: func();\n}}\n"
        ),
    )
    .unwrap();
    wcompose::wit::load(dir.path())
        .and_then(|wit| wit.stub_component(None))
        .unwrap_or_else(|e| panic!("{}", wcompose::error_chain(&e)))
}

#[test]
fn inspect_tells_a_wasi_0_2_component_from_a_0_3_and_a_mixed_one_and_where_each_runs() {
    let p2 = inspect_bytes(&stub_with_imports("    import wasi:cli/environment@0.2.6;"));
    assert_eq!(p2.wasi, ["0.2"]);
    assert!(p2.component_model_features.is_empty());
    assert_eq!(runs(&p2), ["wasmtime-cli", "wasmtime-embedding", "jco"]);

    let p3 = inspect_bytes(&stub_with_imports("    import wasi:cli/stdout@0.3.0;"));
    assert_eq!(p3.wasi, ["0.3"]);
    assert_eq!(runs(&p3), ["wasmtime-cli", "wasmtime-embedding"]);
    let jco = verdict(&p3, "jco");
    assert!(
        jco.reasons
            .iter()
            .any(|r| r.contains("`wasi:cli/stdout@0.3.0`")),
        "{jco:#?}"
    );

    let mixed = inspect_bytes(&stub_with_imports(
        "    import wasi:cli/environment@0.2.6;\n    import wasi:cli/stdout@0.3.0;",
    ));
    assert_eq!(mixed.wasi, ["0.2", "0.3"]);
    assert_eq!(runs(&mixed), ["wasmtime-cli", "wasmtime-embedding"]);
}

#[test]
fn inspect_names_the_component_model_features_the_async_composition_needs() {
    let built = Built::new();
    let composed = built.compose_all();
    let report = composed
        .iter()
        .find(|c| c.path.ends_with("report.wasm"))
        .expect("the report composition");
    let inspection = inspect_file(&report.path);
    assert_eq!(inspection.wasi, ["0.2", "0.3"]);
    assert_eq!(
        inspection.component_model_features,
        ["component-model-async"]
    );
    let seed = composed
        .iter()
        .find(|c| c.path.ends_with("seed.wasm"))
        .unwrap();
    assert!(inspect_file(&seed.path).component_model_features.is_empty());
}

//! `cargo xtask interop`: the workspace's composed components, checked by
//! the reference tools: `wasm-tools validate` accepts them, and the
//! `wasmtime` CLI runs them unchanged (the app command with the sample
//! requests, `--invoke` on the seed composition, and the seed's other
//! patterns: the serverless command with the sample events, `--invoke` on
//! the edge handler, the container service and the router). `serve`
//! compares `wcompose serve` with `wasmtime serve -S cli` on the HTTP test
//! guests: the same requests get the same answers.
//!
//! `cargo xtask interop componentize` (also the first part of the whole
//! task) compares `wcompose componentize` with `wasm-tools component new`
//! byte for byte: on every case of `tests/componentize/cases/` (the
//! world embedded by `wasm-tools component embed` on the reference side,
//! wcompose's WASI adapter given to it with `--adapt`), and on
//! wit-component 0.263's own test cases without adapters, when its source
//! is in the cargo registry, where it prints the agreement rate.

mod componentize;

use std::path::Path;

use anyhow::{Result, bail};
use xshell::{Shell, cmd};

use crate::tools;

pub fn run(sh: &Shell, root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None => {}
        Some("componentize") => return componentize::run(sh, root),
        Some(other) => bail!("unknown interop part `{other}` (known: componentize)"),
    }
    componentize::run(sh, root)?;
    crate::compose::run(root, false)?;
    let wasm_tools = tools::WASM_TOOLS.ensure(sh)?;
    let wasmtime = tools::WASMTIME.ensure(sh)?;
    let out = wcompose::workspace::Workspace::new(root).out_dir;
    let seed = out.join("seed.wasm");
    let app = out.join("app.wasm");

    // `wasm-tools validate` takes one file at a time.
    for file in [&seed, &app] {
        cmd!(sh, "{wasm_tools} validate {file}").run()?;
    }
    println!("wasm-tools validate: seed.wasm and app.wasm are valid");

    let call = r#"csv-to-json("a,b\n1,2")"#;
    let output = cmd!(sh, "{wasmtime} run -C cache=n --invoke {call} {seed}").read()?;
    println!("wasmtime run --invoke '{call}' seed.wasm\n{output}");
    if !output.starts_with("ok(") {
        bail!("wasmtime gave an unexpected result for {call}: {output}");
    }

    let requests = sh.read_file(root.join("compositions").join("requests.jsonl"))?;
    let output = cmd!(sh, "{wasmtime} run -C cache=n {app}")
        .stdin(&requests)
        .ignore_status()
        .output()?;
    println!(
        "wasmtime run app.wasm < compositions/requests.jsonl (exit {:?})\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The sample requests include a failing line on purpose, so the app
    // exits 1; anything else (a link error, a trap) is a failure.
    if output.status.code() != Some(1)
        || !String::from_utf8_lossy(&output.stdout).starts_with("3\n")
    {
        bail!("the wasmtime CLI did not run app.wasm as wcompose does");
    }
    patterns(sh, root, &wasm_tools, &wasmtime)
}

/// The seed's other patterns: each composition validates, and the wasmtime
/// CLI runs it (the serverless command with the sample events, `--invoke`
/// on the others) with the result wcompose gets.
fn patterns(sh: &Shell, root: &Path, wasm_tools: &Path, wasmtime: &Path) -> Result<()> {
    let out = wcompose::workspace::Workspace::new(root).out_dir;
    let [edge, serverless, container, router] =
        ["edge", "serverless", "container", "router"].map(|name| out.join(format!("{name}.wasm")));
    for file in [&edge, &serverless, &container, &router] {
        cmd!(sh, "{wasm_tools} validate {file}").run()?;
    }
    println!("wasm-tools validate: edge, serverless, container and router are valid");

    let events = sh.read_file(root.join("compositions").join("events.jsonl"))?;
    let output = cmd!(sh, "{wasmtime} run -C cache=n {serverless}")
        .stdin(&events)
        .read()?;
    println!("wasmtime run serverless.wasm < compositions/events.jsonl\n{output}");
    if output.lines().count() != 3 || !output.contains("\"next_run\":1718442000") {
        bail!("the wasmtime CLI did not run serverless.wasm as wcompose does");
    }

    for (file, call, expected) in [
        (
            &edge,
            r#"handle("{\"action\":\"aggregate\",\"payload\":[1,2,3]}")"#,
            r#"\"sum\":6"#,
        ),
        (&container, r#"analyze("two words")"#, "word-count: 2"),
        (
            &router,
            "paths()",
            r#"["/api/geo", "/api/cache", "/api/auth", "/api/compress"]"#,
        ),
        (
            &router,
            r#"route-json("{\"path\":\"/api/geo\",\"headers\":{\"x-edge-region\":\"us-west\"}}")"#,
            "https://us-west.example.com",
        ),
    ] {
        let output = cmd!(sh, "{wasmtime} run -C cache=n --invoke {call} {file}").read()?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("wasmtime run --invoke '{call}' {name}\n{output}");
        if !output.contains(expected) {
            bail!("the wasmtime CLI gave an unexpected result for {call} on {name}: {output}");
        }
    }
    report(sh, root, wasm_tools, wasmtime)
}

/// The WASI 0.3 report composition: its async command and its async
/// export run on the wasmtime CLI as they do on `wcompose run`.
fn report(sh: &Shell, root: &Path, wasm_tools: &Path, wasmtime: &Path) -> Result<()> {
    let report = wcompose::workspace::Workspace::new(root)
        .out_dir
        .join("report.wasm");
    cmd!(sh, "{wasm_tools} validate {report}").run()?;
    let table = sh.read_file(root.join("compositions").join("table.csv"))?;
    let output = cmd!(sh, "{wasmtime} run -C cache=n {report}")
        .stdin(&table)
        .read()?;
    println!("wasmtime run report.wasm < compositions/table.csv\n{output}");
    if output.lines().count() != 3
        || !output.starts_with(r#"{"item":"apple","price":1.25,"qty":4}"#)
    {
        bail!("the wasmtime CLI did not run report.wasm as wcompose does");
    }
    let call = r#"csv-to-json("a,b\n1,2")"#;
    let output = cmd!(sh, "{wasmtime} run -C cache=n --invoke {call} {report}").read()?;
    println!("wasmtime run --invoke '{call}' report.wasm\n{output}");
    if !output.starts_with("ok(") {
        bail!("the wasmtime CLI gave an unexpected result for {call} on report.wasm: {output}");
    }
    crate::serve::interop(sh, root, wasmtime)
}

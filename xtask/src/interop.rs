//! `cargo xtask interop`: the workspace's composed components, checked by
//! the reference tools: `wasm-tools validate` accepts them, and the
//! `wasmtime` CLI runs them unchanged (the app command with the sample
//! requests, `--invoke` on the seed composition).

use std::path::Path;

use anyhow::{Result, bail};
use xshell::{Shell, cmd};

use crate::tools;

pub fn run(sh: &Shell, root: &Path) -> Result<()> {
    crate::compose::run(root)?;
    let wasm_tools = tools::WASM_TOOLS.ensure(sh)?;
    let wasmtime = tools::WASMTIME.ensure(sh)?;
    let out = wcompose::workspace::Workspace::new(root).out_dir;
    let seed = out.join("seed.wasm");
    let app = out.join("app.wasm");

    cmd!(sh, "{wasm_tools} validate {seed} {app}").run()?;
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
    Ok(())
}

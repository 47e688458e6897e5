//! `cargo xtask wac-agreement`: runs the `.wac` conformance suite
//! (`tests/compose/`) through both `wac compose` (wac-cli 0.12, installed on
//! demand) and wcompose, and compares the results: composed bytes (ignoring
//! the `producers` section, which names the tool), or failing on both sides.

use std::path::Path;

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::tools;

/// Drops `producers` custom sections, which say which tool composed the
/// file, so that otherwise identical outputs compare equal.
fn without_producers(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..8.min(bytes.len())]);
    let mut at = 8;
    // Only top-level sections are walked: a composed component's own
    // producers section is top-level; nested components keep theirs, and
    // both tools copy nested components unchanged.
    while at < bytes.len() {
        let id = bytes[at];
        let Some((size, len)) = leb128(&bytes[at + 1..]) else {
            return bytes.to_vec();
        };
        let end = at + 1 + len + size;
        if end > bytes.len() {
            return bytes.to_vec();
        }
        let body = &bytes[at + 1 + len..end];
        let is_producers =
            id == 0 && leb128(body).is_some_and(|(n, l)| body.get(l..l + n) == Some(b"producers"));
        if !is_producers {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    out
}

fn leb128(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().enumerate().take(5) {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

pub fn run(sh: &Shell, root: &Path) -> Result<()> {
    let wac = tools::WAC.ensure(sh)?;
    let suite = root.join("tests").join("compose");
    let mut identical = 0;
    let mut differing = Vec::new();
    let mut both_failed = 0;
    for kind in ["cases", "fail"] {
        let mut cases: Vec<_> = std::fs::read_dir(suite.join(kind))?
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        for case in cases {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temp = tempfile::tempdir()?;
            let deps = temp.path().join("deps");
            std::fs::create_dir_all(&deps)?;
            if case.join("components").is_dir() {
                wcompose::wit::stub_components(&case.join("components"), &deps)
                    .map_err(|e| anyhow::anyhow!("{name}: {}", wcompose::error_chain(&e)))?;
            }
            let packages = case.join("packages");
            if packages.is_dir() {
                for ns in std::fs::read_dir(&packages)?.flatten() {
                    for file in std::fs::read_dir(ns.path())?.flatten() {
                        let target = deps.join(ns.file_name()).join(file.file_name());
                        std::fs::create_dir_all(target.parent().context("no parent")?)?;
                        std::fs::copy(file.path(), target)?;
                    }
                }
            }
            let wac_file = case.join("composition.wac");
            let wac_out = temp.path().join("wac.wasm");
            // wac takes `.wit` packages only as `--dep` overrides.
            let mut dep_args = Vec::new();
            for ns in std::fs::read_dir(&deps)?.flatten() {
                for file in std::fs::read_dir(ns.path())?.flatten() {
                    let path = file.path();
                    if path.extension().is_some_and(|e| e == "wit") {
                        let stem = path
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        dep_args.push("--dep".to_string());
                        dep_args.push(format!(
                            "{}:{stem}={}",
                            ns.file_name().to_string_lossy(),
                            path.display()
                        ));
                    }
                }
            }
            let wac_ok = cmd!(
                sh,
                "{wac} compose {wac_file} --deps-dir {deps} {dep_args...} -o {wac_out}"
            )
            .quiet()
            .ignore_stderr()
            .run()
            .is_ok();
            let ours = wcompose::compose::compose_file(
                &wac_file,
                &wcompose::compose::Options {
                    deps_dir: deps.clone(),
                    ..Default::default()
                },
            );
            match (kind, wac_ok, ours) {
                ("cases", true, Ok(composed)) => {
                    let theirs = std::fs::read(&wac_out)?;
                    if without_producers(&theirs) == without_producers(&composed.bytes) {
                        identical += 1;
                        println!("identical  {name}");
                    } else {
                        println!("DIFFERENT  {name}");
                        differing.push(name);
                    }
                }
                ("fail", false, Err(_)) => {
                    both_failed += 1;
                    println!("both fail  {name}");
                }
                (_, wac_ok, ours) => {
                    println!(
                        "DISAGREE   {name}: wac {}, wcompose {}",
                        if wac_ok { "composed" } else { "failed" },
                        if ours.is_ok() { "composed" } else { "failed" }
                    );
                    differing.push(name);
                }
            }
        }
    }
    println!(
        "\n{identical} cases byte-identical (producers section aside), {both_failed} failing cases rejected by both, {} disagreements",
        differing.len()
    );
    if !differing.is_empty() {
        bail!("wac and wcompose disagree on: {}", differing.join(", "));
    }
    Ok(())
}

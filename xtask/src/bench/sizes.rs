//! The size table: what each stage of the pipeline weighs for the seed's
//! guests (calculator and formatter), from guest core to precompiled
//! machine code.
//!
//! The guests' release profile already has LTO and strip on; for the table
//! they are also built in debug (into `target/guests`, beside the release
//! build) and in release without LTO and strip (into
//! `target/bench/guests-no-lto`, so the workspace's release cores are not
//! replaced).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use super::report::{ComposedSize, Size};

/// The seed's guest crates.
pub const SEED_GUESTS: [&str; 2] = ["calculator", "formatter"];

/// Where the inputs and outputs of each stage are.
pub struct Paths<'a> {
    /// The project root.
    pub root: &'a Path,
    /// `target/wcompose`.
    pub out_dir: PathBuf,
    /// The `.cwasm` that `wasmtime compile` made of the seed.
    pub seed_cwasm: PathBuf,
    /// The seed as precompiled by wcompose's runner engine, if measured.
    pub runner_precompiled: Option<u64>,
}

/// Builds the debug and no-LTO variants of the seed's guests.
pub fn build_variants(sh: &Shell, root: &Path) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = root.join("components").join("Cargo.toml");
    let guests_dir = root.join("target").join("guests");
    let no_lto_dir = no_lto_dir(root);
    let packages: Vec<String> = SEED_GUESTS
        .iter()
        .flat_map(|g| ["--package".to_string(), g.to_string()])
        .collect();
    eprintln!("building the seed's guests in debug and in release without LTO");
    let debug_packages = packages.clone();
    cmd!(
        sh,
        "{cargo} build --quiet --manifest-path {manifest} --target wasm32-wasip1 --target-dir {guests_dir} {debug_packages...}"
    )
    .run()
    .context("failed to build the seed's guests in debug")?;
    cmd!(
        sh,
        "{cargo} build --quiet --manifest-path {manifest} --target wasm32-wasip1 --release --config profile.release.lto=false --config profile.release.strip=false --target-dir {no_lto_dir} {packages...}"
    )
    .run()
    .context("failed to build the seed's guests in release without LTO")?;
    Ok(())
}

fn no_lto_dir(root: &Path) -> PathBuf {
    root.join("target").join("bench").join("guests-no-lto")
}

/// The size table and the composed-versus-parts figure.
pub fn measure(paths: &Paths<'_>) -> Result<(Vec<Size>, ComposedSize)> {
    let root = paths.root;
    let guests = root.join("target").join("guests").join("wasm32-wasip1");
    let no_lto = no_lto_dir(root).join("wasm32-wasip1").join("release");
    let deps = paths.out_dir.join("deps").join("toolsku");
    let mut sizes = Vec::new();
    let mut add = |stage: &str, path: &Path| -> Result<u64> {
        let bytes = std::fs::metadata(path)
            .with_context(|| format!("failed to read the size of `{}`", path.display()))?
            .len();
        sizes.push(Size {
            stage: stage.to_string(),
            file: relative(root, path),
            bytes,
        });
        Ok(bytes)
    };
    let mut parts = Vec::new();
    for guest in SEED_GUESTS {
        let file = format!("{guest}.wasm");
        add(
            &format!("{guest}: core, debug"),
            &guests.join("debug").join(&file),
        )?;
        add(
            &format!("{guest}: core, release (no LTO, not stripped)"),
            &no_lto.join(&file),
        )?;
        add(
            &format!("{guest}: core, release + LTO + strip"),
            &guests.join("release").join(&file),
        )?;
        let component = add(&format!("{guest}: component"), &deps.join(&file))?;
        parts.push((format!("{guest}.wasm"), component));
    }
    let composed = add("seed: composed", &paths.out_dir.join("seed.wasm"))?;
    add("seed: precompiled (wasmtime compile)", &paths.seed_cwasm)?;
    let adapter = wcompose::componentize::Adapter::Reactor.bytes().len() as u64;
    // Not files of their own: the adapter is embedded in wcompose, and the
    // runner's machine code is measured in memory.
    let mut extra = vec![Size {
        stage: format!(
            "reactor adapter (wasmtime {})",
            wcompose::componentize::ADAPTER_WASMTIME_VERSION
        ),
        file: "wasi-preview1-component-adapter-provider".to_string(),
        bytes: adapter,
    }];
    if let Some(bytes) = paths.runner_precompiled {
        extra.push(Size {
            stage: "seed: precompiled (wcompose's runner engine)".to_string(),
            file: "Engine::precompile_component".to_string(),
            bytes,
        });
    }
    // The adapter goes after the components' cores, before the composed seed.
    let at = sizes.len() - 2;
    sizes.splice(at..at, extra.drain(..1));
    sizes.extend(extra);
    sizes.extend(polyglot(root, &paths.out_dir)?);
    Ok((sizes, ComposedSize { composed, parts }))
}

/// A path relative to the project root, for the report.
/// A row per guest in another language (its core module, for C and C++,
/// and its component), then the compositions that mix languages.
fn polyglot(root: &Path, out_dir: &Path) -> Result<Vec<Size>> {
    let workspace = wcompose::workspace::Workspace::new(root);
    let guests = wcompose::build::guest::discover(&workspace.components_dir())
        .map_err(|e| anyhow::anyhow!("{}", wcompose::error_chain(&e)))?;
    let mut sizes = Vec::new();
    let mut add = |stage: String, path: &Path| -> Result<()> {
        let bytes = std::fs::metadata(path)
            .with_context(|| format!("failed to read the size of `{}`", path.display()))?
            .len();
        sizes.push(Size {
            stage,
            file: relative(root, path),
            bytes,
        });
        Ok(())
    };
    for (name, guest) in guests {
        let guest = guest.map_err(|e| anyhow::anyhow!("{name}: {}", wcompose::error_chain(&e)))?;
        let language = guest.language;
        if matches!(
            language,
            wcompose::build::guest::Language::C | wcompose::build::guest::Language::Cpp
        ) {
            let core = workspace
                .guest_target_dir()
                .join(language.name())
                .join(&name)
                .join(guest.file_name());
            add(format!("{name} ({language}): core"), &core)?;
        }
        let component = wcompose::workspace::package_path(&out_dir.join("deps"), &guest.package);
        add(format!("{name} ({language}): component"), &component)?;
    }
    for composition in ["polyglot-seed", "polyglot-app"] {
        add(
            format!("{composition}: composed"),
            &out_dir.join(format!("{composition}.wasm")),
        )?;
    }
    Ok(sizes)
}

pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

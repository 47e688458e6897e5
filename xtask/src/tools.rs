//! The reference CLIs that comparisons and benchmarks measure against:
//! `wasm-tools`, `wac` and `wasmtime`, at the versions whose libraries
//! wcompose links. They are installed on demand with `cargo install --locked`
//! into a cache folder outside the clone (reused across runs and clones),
//! never as a build dependency of the project.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

/// A reference CLI: crate, version, and the binary it installs.
pub struct Tool {
    pub krate: &'static str,
    pub version: &'static str,
    pub bin: &'static str,
}

pub const WASM_TOOLS: Tool = Tool {
    krate: "wasm-tools",
    version: "1.263.0",
    bin: "wasm-tools",
};
pub const WAC: Tool = Tool {
    krate: "wac-cli",
    version: "0.12.0",
    bin: "wac",
};
pub const WASMTIME: Tool = Tool {
    krate: "wasmtime-cli",
    version: "48.0.8",
    bin: "wasmtime",
};

pub const ALL: [&Tool; 3] = [&WASM_TOOLS, &WAC, &WASMTIME];

/// The cache folder: `$WCOMPOSE_TOOLS_DIR`, else
/// `$XDG_CACHE_HOME/wcompose/tools`, else `~/.cache/wcompose/tools`.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WCOMPOSE_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("wcompose").join("tools")
}

impl Tool {
    /// The tool's own folder, so that versions never mix.
    fn root(&self) -> PathBuf {
        tools_dir().join(format!("{}-{}", self.krate, self.version))
    }

    /// The installed binary.
    pub fn path(&self) -> PathBuf {
        self.root().join("bin").join(self.bin)
    }

    /// Installs the tool unless it is there already; returns its path.
    pub fn ensure(&self, sh: &Shell) -> Result<PathBuf> {
        let path = self.path();
        if path.exists() {
            return Ok(path);
        }
        let root = self.root();
        let spec = format!("{}@{}", self.krate, self.version);
        eprintln!(
            "installing {spec} into {} (takes minutes, once)",
            root.display()
        );
        cmd!(sh, "cargo install --locked --quiet --root {root} {spec}")
            .run()
            .with_context(|| format!("failed to install {spec}"))?;
        Ok(path)
    }
}

/// `cargo xtask tools`: install every reference CLI and print where.
pub fn run(sh: &Shell) -> Result<()> {
    for tool in ALL {
        let path = tool.ensure(sh)?;
        println!("{} {}: {}", tool.bin, tool.version, path.display());
    }
    Ok(())
}

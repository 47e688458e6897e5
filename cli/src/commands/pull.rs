//! `wcompose pull`: pull a Wasm OCI artifact's component from a registry.

use std::process::ExitCode;

use miette::Result;
use wcompose::registry;

use super::OutputOptions;
use super::push::{RegistryArgs, parse_reference};

/// Pull a component from an OCI registry, pushed as a Wasm OCI artifact
/// (by `wcompose push`, wkg, wash or any other client).
///
/// Nothing the registry sends is trusted: the manifest, the config and the
/// layer are each checked against their digests (and the manifest against
/// the reference's digest, if it has one), the media types must be a Wasm
/// artifact's (config `application/vnd.wasm.config.v0+json`, one
/// `application/wasm` layer), and a layer larger than `--max-size` is
/// refused before it is downloaded, or as soon as more bytes arrive. The
/// output is written whole or not at all.
///
/// Credentials and the choice of HTTPS or plain HTTP are as for `push`.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose pull 127.0.0.1:5000/toolsku/router:1.2.0 -o router.wasm\n  \
    wcompose pull 127.0.0.1:5000/toolsku/router@sha256:4f1c...e9 -o router.wasm\n  \
    wcompose pull ghcr.io/toolsku/app:1.0.0 -o app.wasm --max-size 64MiB\n\n\
    Exit status:\n  0  written\n  \
    1  not found, refused, not a Wasm artifact, too large, or a digest did not match (nothing is written)\n  \
    2  usage error")]
pub struct Pull {
    /// What to pull: `HOST[:PORT]/REPOSITORY:TAG` or
    /// `HOST[:PORT]/REPOSITORY@sha256:DIGEST`.
    #[arg(value_name = "REF")]
    reference: String,

    #[command(flatten)]
    output: OutputOptions,

    /// The largest component to accept, e.g. `64MiB`, `1G` (powers of
    /// 1024; `MB`, `GB` are powers of 1000).
    #[arg(long, value_name = "SIZE", default_value = "512MiB",
        value_parser = wcompose::run::parse_size)]
    max_size: u64,

    #[command(flatten)]
    registry: RegistryArgs,
}

impl Pull {
    pub fn exec(self) -> Result<ExitCode> {
        let reference = parse_reference(&self.reference)?;
        let options = registry::Options {
            max_size: self.max_size,
            ..self.registry.options(&reference)?
        };
        let pulled = registry::pull(&reference, &options).map_err(|e| {
            let help = match e {
                registry::RegistryError::TooLarge { .. } => {
                    "\n  help: raise the limit with `--max-size`"
                }
                _ => "",
            };
            miette::miette!("{}{help}", wcompose::error_chain(&e))
        })?;
        self.output.write(&pulled.bytes, &[])?;
        eprintln!(
            "pulled {reference} ({} bytes, manifest {})",
            pulled.bytes.len(),
            pulled.manifest_digest
        );
        Ok(ExitCode::SUCCESS)
    }
}

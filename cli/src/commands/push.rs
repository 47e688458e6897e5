//! `wcompose push`: push a component to an OCI registry as a Wasm OCI
//! artifact.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::Result;
use wcompose::registry::{self, Credentials, Options, Reference};

use super::report;

/// Push a component to an OCI registry as a Wasm OCI artifact, the format
/// wasmCloud, SpinKube and runwasi pull.
///
/// The artifact is an OCI image manifest with one `application/wasm`
/// layer, the component, and a config of media type
/// `application/vnd.wasm.config.v0+json` that records the component's
/// imports and exports and the WASI world it targets. A WASI preview-1
/// core module or a `.wat` file is componentized first, as `run` does. The
/// manifest's digest is printed on stdout: pull by it to get exactly these
/// bytes whatever happens to the tag.
///
/// Credentials come from `--username` and `--password-stdin`, else from
/// the Docker config file (`$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`, its `auths`). Registries are reached over
/// HTTPS, except on the loopback interface (`localhost`, `127.0.0.1`,
/// `[::1]`) and with `--insecure`, which use plain HTTP.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose push target/wcompose/router.wasm 127.0.0.1:5000/toolsku/router:1.2.0\n  \
    wcompose push app.wasm ghcr.io/toolsku/app:1.0.0\n  \
    echo \"$TOKEN\" | wcompose push app.wasm registry.example.com/app:1.0.0 --username ci --password-stdin\n\n\
    Exit status:\n  0  pushed; the manifest digest is on stdout\n  \
    1  the input is not WebAssembly, or the registry refused the push or could not be reached\n  \
    2  usage error")]
pub struct Push {
    /// The component, WASI preview-1 core module or `.wat` file to push.
    file: PathBuf,

    /// Where to push: `HOST[:PORT]/REPOSITORY:TAG`.
    #[arg(value_name = "REF")]
    reference: String,

    #[command(flatten)]
    registry: RegistryArgs,
}

/// How to reach the registry.
#[derive(clap::Args)]
#[command(next_help_heading = "Registry")]
pub(super) struct RegistryArgs {
    /// The user name to log in with; the password is read from stdin
    /// (`--password-stdin`).
    #[arg(long, value_name = "NAME", requires = "password_stdin")]
    username: Option<String>,

    /// Read the password (or access token) from stdin, up to the end of
    /// the first line.
    #[arg(long, requires = "username")]
    password_stdin: bool,

    /// Reach the registry over plain HTTP even when it is not on the
    /// loopback interface.
    #[arg(long)]
    insecure: bool,
}

impl RegistryArgs {
    /// The options for `reference`: credentials from the flags, else from
    /// the Docker config file.
    pub(super) fn options(&self, reference: &Reference) -> Result<Options> {
        let credentials = match &self.username {
            Some(username) => {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .map_err(|e| miette::miette!("failed to read the password from stdin: {e}"))?;
                let password = password.lines().next().unwrap_or_default().to_string();
                if password.is_empty() {
                    miette::bail!("failed to read the password from stdin: it is empty");
                }
                Credentials::Basic {
                    username: username.clone(),
                    password,
                }
            }
            None => Credentials::from_docker_config(&reference.registry).map_err(report)?,
        };
        Ok(Options {
            credentials,
            insecure: self.insecure,
            ..Options::default()
        })
    }
}

/// Parses a reference, naming what is wrong with it.
pub(super) fn parse_reference(reference: &str) -> Result<Reference> {
    reference.parse::<Reference>().map_err(report)
}

impl Push {
    pub fn exec(self) -> Result<ExitCode> {
        let reference = parse_reference(&self.reference)?;
        let bytes = super::read_input(&self.file)?;
        let options = self.registry.options(&reference)?;
        let pushed = registry::push(&bytes, &reference, &options).map_err(|e| {
            miette::miette!(
                "failed to push `{}`: {}",
                self.file.display(),
                wcompose::error_chain(&e)
            )
        })?;
        if pushed.componentized {
            eprintln!(
                "note: `{}` is a core module; the component pushed was made from it as `wcompose componentize` would",
                self.file.display()
            );
        }
        eprintln!(
            "pushed {reference} ({} bytes, layer {})",
            pushed.layer_size, pushed.layer_digest
        );
        println!("{}", pushed.manifest_digest);
        Ok(ExitCode::SUCCESS)
    }
}

//! Pushing components to OCI registries and pulling them back, as the CNCF
//! TAG-Runtime *Wasm OCI artifact* that wasmCloud, SpinKube, runwasi and
//! wkg read: an OCI image manifest whose config has the media type
//! `application/vnd.wasm.config.v0+json` (`created`, `architecture:
//! "wasm"`, `os: "wasip2"`, `layerDigests`, and the component's imports,
//! exports and target world) and one `application/wasm` layer holding the
//! component.
//!
//! The HTTP side is oci-client's (over rustls); the config is oci-wasm's
//! type, filled from wcompose's own decoding of the component. A pull
//! trusts nothing the registry says: the manifest, the config and the layer
//! are each hashed and compared with their digests (a registry serves a
//! blob altered on its disk with the original digest in its headers), the
//! media types must be a Wasm artifact's, and the layer's size is checked
//! against a cap both as declared and as received.
//!
//! Registries are reached over HTTPS, except with `insecure` and except
//! registries on the loopback interface (`localhost`, `127.0.0.0/8`,
//! `[::1]`), which are reached over plain HTTP: a local registry for
//! development and tests almost never has a certificate, and its traffic
//! does not leave the machine.

mod config;
mod credentials;
pub mod packages;
mod reference;

use std::future::Future;
use std::time::Duration;

use futures::StreamExt as _;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest,
};
use sha2::Digest as _;

pub use config::{component_info, target_world};
pub use credentials::{Credentials, CredentialsError, docker_config_path};
pub use oci_wasm::{
    COMPONENT_OS, Component as ComponentInfo, WASM_ARCHITECTURE, WASM_LAYER_MEDIA_TYPE,
    WASM_MANIFEST_CONFIG_MEDIA_TYPE, WasmConfig,
};
pub use reference::{Reference, ReferenceError};

use crate::componentize::{self, ComponentizeError};

/// The largest layer a pull accepts unless told otherwise: 512 MiB, well
/// above a composition that carries CPython or StarlingMonkey (tens of MB).
pub const DEFAULT_MAX_SIZE: u64 = 512 << 20;

/// The largest config a pull accepts: a Wasm config lists names, not data.
pub const MAX_CONFIG_SIZE: u64 = 4 << 20;

/// The most memory reserved for a blob before its bytes arrive.
const PREALLOCATE: u64 = 64 << 20;

/// How long to wait for a registry to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for the next bytes of an answer.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How to reach a registry, and what a pull accepts.
#[derive(Debug, Clone)]
pub struct Options {
    /// The credentials to present.
    pub credentials: Credentials,
    /// Reach the registry over plain HTTP even when it is not on the
    /// loopback interface.
    pub insecure: bool,
    /// The largest layer a pull accepts, in bytes.
    pub max_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            credentials: Credentials::Anonymous,
            insecure: false,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// What [`push`] wrote.
#[derive(Debug)]
pub struct Pushed {
    /// The digest of the manifest (`sha256:...`), by which the artifact
    /// can be pulled whatever happens to the tag.
    pub manifest_digest: String,
    /// The digest of the layer, the component.
    pub layer_digest: String,
    /// The size of the component in bytes.
    pub layer_size: u64,
    /// The artifact's config.
    pub config: WasmConfig,
    /// The input was a core module (or `.wat`) that was componentized
    /// first.
    pub componentized: bool,
}

/// What [`pull`] fetched, every digest checked.
#[derive(Debug)]
pub struct Pulled {
    /// The component.
    pub bytes: Vec<u8>,
    /// The manifest, as the registry sent it.
    pub manifest: Vec<u8>,
    /// The digest of the manifest.
    pub manifest_digest: String,
    /// The digest of the layer.
    pub layer_digest: String,
    /// The artifact's config.
    pub config: WasmConfig,
}

/// Why a push or a pull failed. Every message names the reference and the
/// registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The input to push is not WebAssembly that becomes a component.
    #[error("failed to make a component to push")]
    Componentize(#[source] ComponentizeError),
    /// The component's world could not be decoded for the config.
    #[error("failed to decode the world of the component to push")]
    Decode(#[source] anyhow::Error),
    /// The runtime that drives the HTTP client could not start.
    #[error("failed to start the HTTP client's runtime")]
    Runtime(#[source] std::io::Error),
    /// The HTTP client could not be set up.
    #[error("failed to set up an HTTP client for `{registry}`: {reason}")]
    Client {
        /// The registry.
        registry: String,
        /// Why.
        reason: String,
    },
    /// The registry refused the push or could not be reached.
    #[error("failed to push `{reference}` to `{registry}`: {reason}")]
    Push {
        /// The reference pushed to.
        reference: String,
        /// The registry.
        registry: String,
        /// Why, in the registry's words where it gave any.
        reason: String,
    },
    /// The registry refused the pull, has no such artifact, or could not be
    /// reached.
    #[error("failed to pull `{reference}` from `{registry}`: {reason}")]
    Pull {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// Why, in the registry's words where it gave any.
        reason: String,
    },
    /// The registry has no artifact at the reference: no such repository,
    /// tag or digest.
    #[error("failed to pull `{reference}` from `{registry}`: {reason}")]
    NotFound {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// The registry's words.
        reason: String,
    },
    /// The artifact is not a Wasm OCI artifact: another manifest type,
    /// config type, layer type or number of layers.
    #[error("failed to pull `{reference}` from `{registry}`: not a Wasm OCI artifact: {reason}")]
    NotWasmArtifact {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// What differs from a Wasm artifact.
        reason: String,
    },
    /// A blob is larger than the caller's limit, as declared by the
    /// manifest or as sent.
    #[error(
        "failed to pull `{reference}` from `{registry}`: the {what} is {size} bytes, over the limit of {max} bytes"
    )]
    TooLarge {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// `layer` or `config`.
        what: &'static str,
        /// Its size, declared or received so far.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The registry sent a blob of another size than the manifest
    /// declares.
    #[error(
        "failed to pull `{reference}` from `{registry}`: the registry sent {received} bytes for a {what} of {declared}"
    )]
    SizeMismatch {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// `layer` or `config`.
        what: &'static str,
        /// The size the manifest declares.
        declared: u64,
        /// The bytes received.
        received: u64,
    },
    /// What the registry sent does not hash to its digest.
    #[error(
        "failed to pull `{reference}` from `{registry}`: the {what} does not match its digest \
         (expected {expected}, received {actual}); the registry's copy is corrupt or was tampered with"
    )]
    DigestMismatch {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// `manifest`, `config` or `layer`.
        what: &'static str,
        /// The digest it should have.
        expected: String,
        /// The digest of what was received.
        actual: String,
    },
    /// The config is not the JSON of a Wasm config.
    #[error(
        "failed to pull `{reference}` from `{registry}`: its config is not a Wasm config (`{WASM_MANIFEST_CONFIG_MEDIA_TYPE}`)"
    )]
    BadConfig {
        /// The reference pulled.
        reference: String,
        /// The registry.
        registry: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// Pushes `bytes` (a component, a WASI preview-1 core module or `.wat`
/// text, componentized first as `run` does) to `reference` as a Wasm OCI
/// artifact: the layer, then the config, then the manifest, so that the
/// tag never names a manifest whose blobs are missing.
pub fn push(
    bytes: &[u8],
    reference: &Reference,
    options: &Options,
) -> Result<Pushed, RegistryError> {
    let componentized = componentize::componentize(bytes, componentize::Options::default())
        .map_err(RegistryError::Componentize)?;
    let was_core = matches!(componentized.input, crate::artifact::ArtifactKind::Core(_));
    let component = componentized.bytes;
    let info = component_info(&component).map_err(RegistryError::Decode)?;
    let layer_digest = sha256_digest(&component);
    let wasm_config = WasmConfig {
        created: chrono::Utc::now(),
        author: None,
        architecture: WASM_ARCHITECTURE.to_string(),
        os: COMPONENT_OS.to_string(),
        layer_digests: vec![layer_digest.clone()],
        component: Some(info),
    };
    let push_error = |reason: String| RegistryError::Push {
        reference: reference.to_string(),
        registry: reference.registry.clone(),
        reason,
    };
    let config = Config {
        data: serde_json::to_vec(&wasm_config)
            .map_err(|e| push_error(format!("failed to write the config: {e}")))?
            .into(),
        media_type: WASM_MANIFEST_CONFIG_MEDIA_TYPE.to_string(),
        annotations: None,
    };
    let layer_size = component.len() as u64;
    let layer = ImageLayer {
        data: component.into(),
        media_type: WASM_LAYER_MEDIA_TYPE.to_string(),
        annotations: None,
    };
    let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
    manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.to_string());
    let manifest_bytes = serde_json::to_vec(&manifest)
        .map_err(|e| push_error(format!("failed to write the manifest: {e}")))?;
    let manifest_digest = sha256_digest(&manifest_bytes);

    let client = client(reference, options)?;
    let oci_ref = reference.to_oci();
    let auth = options.credentials.to_oci();
    block_on(async {
        client
            .store_auth_if_needed(oci_ref.resolve_registry(), &auth)
            .await;
        // The two blobs go up at once; the manifest only after both.
        futures::try_join!(
            client.push_blob(&oci_ref, layer.data.clone(), &layer_digest),
            client.push_blob(&oci_ref, config.data.clone(), &manifest.config.digest),
        )?;
        client
            .push_manifest_raw(
                &oci_ref,
                manifest_bytes,
                http::HeaderValue::from_static(OCI_IMAGE_MEDIA_TYPE),
            )
            .await?;
        Ok::<_, OciDistributionError>(())
    })?
    .map_err(|e| push_error(describe(&e, reference, options)))?;
    Ok(Pushed {
        manifest_digest,
        layer_digest,
        layer_size,
        config: wasm_config,
        componentized: was_core,
    })
}

/// Pulls the Wasm OCI artifact at `reference` and returns its component,
/// after checking the media types, the sizes and every digest.
pub fn pull(reference: &Reference, options: &Options) -> Result<Pulled, RegistryError> {
    let client = client(reference, options)?;
    let oci_ref = reference.to_oci();
    let auth = options.credentials.to_oci();
    let pull = Pull { reference, options };
    block_on(async {
        // Index and Docker media types are accepted too, so that such an
        // artifact is refused by name rather than as missing.
        let (body, header_digest) = client
            .pull_manifest_raw(
                &oci_ref,
                &auth,
                &[
                    OCI_IMAGE_MEDIA_TYPE,
                    IMAGE_MANIFEST_MEDIA_TYPE,
                    OCI_IMAGE_INDEX_MEDIA_TYPE,
                    IMAGE_MANIFEST_LIST_MEDIA_TYPE,
                ],
            )
            .await
            .map_err(|e| pull.oci_error(e, "manifest"))?;
        let manifest_digest = sha256_digest(&body);
        for expected in [Some(&header_digest), reference.digest.as_ref()]
            .into_iter()
            .flatten()
        {
            if *expected != manifest_digest {
                return Err(pull.digest_mismatch("manifest", expected, &manifest_digest));
            }
        }
        let manifest = pull.wasm_manifest(&body)?;
        let config_descriptor = &manifest.config;
        let layer_descriptor = &manifest.layers[0];
        let config_bytes = pull
            .blob(
                &client,
                &oci_ref,
                config_descriptor,
                MAX_CONFIG_SIZE,
                "config",
            )
            .await?;
        let config: WasmConfig =
            serde_json::from_slice(&config_bytes).map_err(|source| RegistryError::BadConfig {
                reference: reference.to_string(),
                registry: reference.registry.clone(),
                source,
            })?;
        if config.architecture != WASM_ARCHITECTURE {
            return Err(pull.not_wasm(format!(
                "its config says architecture `{}`, not `{WASM_ARCHITECTURE}`",
                config.architecture
            )));
        }
        // The size is checked before a byte of the layer is asked for.
        let bytes = pull
            .blob(
                &client,
                &oci_ref,
                layer_descriptor,
                options.max_size,
                "layer",
            )
            .await?;
        if !bytes.starts_with(b"\0asm") {
            return Err(pull.not_wasm("its layer is not WebAssembly".to_string()));
        }
        Ok(Pulled {
            bytes,
            manifest: body.to_vec(),
            manifest_digest,
            layer_digest: layer_descriptor.digest.clone(),
            config,
        })
    })?
}

/// One pull's context, for its checks and its errors.
struct Pull<'a> {
    reference: &'a Reference,
    options: &'a Options,
}

impl Pull<'_> {
    fn error(&self, reason: String) -> RegistryError {
        RegistryError::Pull {
            reference: self.reference.to_string(),
            registry: self.reference.registry.clone(),
            reason,
        }
    }

    fn not_wasm(&self, reason: String) -> RegistryError {
        RegistryError::NotWasmArtifact {
            reference: self.reference.to_string(),
            registry: self.reference.registry.clone(),
            reason,
        }
    }

    fn digest_mismatch(&self, what: &'static str, expected: &str, actual: &str) -> RegistryError {
        RegistryError::DigestMismatch {
            reference: self.reference.to_string(),
            registry: self.reference.registry.clone(),
            what,
            expected: expected.to_string(),
            actual: actual.to_string(),
        }
    }

    fn too_large(&self, what: &'static str, size: u64, max: u64) -> RegistryError {
        RegistryError::TooLarge {
            reference: self.reference.to_string(),
            registry: self.reference.registry.clone(),
            what,
            size,
            max,
        }
    }

    /// An error of oci-client's, a digest mismatch among them.
    fn oci_error(&self, error: OciDistributionError, what: &'static str) -> RegistryError {
        match error {
            OciDistributionError::DigestError(
                oci_client::errors::DigestError::VerificationError { expected, actual },
            ) => self.digest_mismatch(what, &expected, &actual),
            error if is_not_found(&error) => RegistryError::NotFound {
                reference: self.reference.to_string(),
                registry: self.reference.registry.clone(),
                reason: describe(&error, self.reference, self.options),
            },
            error => self.error(describe(&error, self.reference, self.options)),
        }
    }

    /// Checks that `body` is the manifest of a Wasm OCI artifact.
    fn wasm_manifest(&self, body: &[u8]) -> Result<OciImageManifest, RegistryError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| self.not_wasm(format!("its manifest is not JSON ({e})")))?;
        if let Some(media_type) = value.get("mediaType").and_then(|m| m.as_str())
            && media_type != OCI_IMAGE_MEDIA_TYPE
        {
            return Err(self.not_wasm(format!(
                "its manifest is a `{media_type}`, not an OCI image manifest (`{OCI_IMAGE_MEDIA_TYPE}`)"
            )));
        }
        let manifest: OciImageManifest = serde_json::from_value(value).map_err(|e| {
            self.not_wasm(format!("its manifest is not an OCI image manifest ({e})"))
        })?;
        if manifest.config.media_type != WASM_MANIFEST_CONFIG_MEDIA_TYPE {
            return Err(self.not_wasm(format!(
                "its config is a `{}`, not a `{WASM_MANIFEST_CONFIG_MEDIA_TYPE}`",
                manifest.config.media_type
            )));
        }
        match manifest.layers.as_slice() {
            [layer] if layer.media_type == WASM_LAYER_MEDIA_TYPE => Ok(manifest),
            [layer] => Err(self.not_wasm(format!(
                "its layer is a `{}`, not `{WASM_LAYER_MEDIA_TYPE}`",
                layer.media_type
            ))),
            layers => Err(self.not_wasm(format!(
                "it has {} layers, where a Wasm artifact has one",
                layers.len()
            ))),
        }
    }

    /// Downloads one blob, refusing it when its declared size is over
    /// `max` before asking for it, and stopping as soon as more bytes
    /// arrive than declared; then checks its size and digest.
    async fn blob(
        &self,
        client: &oci_client::Client,
        oci_ref: &oci_client::Reference,
        descriptor: &OciDescriptor,
        max: u64,
        what: &'static str,
    ) -> Result<Vec<u8>, RegistryError> {
        let declared = u64::try_from(descriptor.size)
            .map_err(|_| self.not_wasm(format!("its {what} has the size {}", descriptor.size)))?;
        if declared > max {
            return Err(self.too_large(what, declared, max));
        }
        if !reference::is_digest(&descriptor.digest) {
            return Err(self.not_wasm(format!(
                "its {what}'s digest `{}` is not a sha256 digest",
                descriptor.digest
            )));
        }
        let mut stream = client
            .pull_blob_stream(oci_ref, descriptor)
            .await
            .map_err(|e| self.oci_error(e, what))?;
        // What a manifest declares is not reserved up front beyond a
        // modest size: the bytes have to arrive first.
        let mut bytes = Vec::with_capacity(declared.min(PREALLOCATE) as usize);
        let mut hasher = sha2::Sha256::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => {
                    let received = (bytes.len() + chunk.len()) as u64;
                    if received > max {
                        return Err(self.too_large(what, received, max));
                    }
                    if received > declared {
                        return Err(RegistryError::SizeMismatch {
                            reference: self.reference.to_string(),
                            registry: self.reference.registry.clone(),
                            what,
                            declared,
                            received,
                        });
                    }
                    hasher.update(&chunk);
                    bytes.extend_from_slice(&chunk);
                }
                // oci-client's own check at the end of the stream; ours
                // below names the digest of all that was received.
                Err(e)
                    if e.get_ref()
                        .is_some_and(|inner| inner.is::<oci_client::errors::DigestError>()) =>
                {
                    break;
                }
                Err(e) => {
                    return Err(self.error(format!(
                        "the download of the {what} broke off after {} of {declared} bytes: {}",
                        bytes.len(),
                        crate::error_chain(&e)
                    )));
                }
            }
        }
        let received = bytes.len() as u64;
        if received != declared {
            return Err(RegistryError::SizeMismatch {
                reference: self.reference.to_string(),
                registry: self.reference.registry.clone(),
                what,
                declared,
                received,
            });
        }
        let actual = hex_digest(hasher.finalize().as_slice());
        if actual != descriptor.digest {
            return Err(self.digest_mismatch(what, &descriptor.digest, &actual));
        }
        Ok(bytes)
    }
}

/// Whether the registry said it has no such repository, tag or digest.
fn is_not_found(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown | OciErrorCode::NotFound
            )
        }),
        OciDistributionError::ServerError { code, .. } => *code == 404,
        _ => false,
    }
}

/// The digest of the manifest that `reference` names now, hashed from
/// the manifest the registry sends (its headers are not trusted).
pub fn manifest_digest(reference: &Reference, options: &Options) -> Result<String, RegistryError> {
    let client = client(reference, options)?;
    let oci_ref = reference.to_oci();
    let auth = options.credentials.to_oci();
    let pull = Pull { reference, options };
    block_on(async {
        let (body, _) = client
            .pull_manifest_raw(
                &oci_ref,
                &auth,
                &[OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE],
            )
            .await
            .map_err(|e| pull.oci_error(e, "manifest"))?;
        Ok(sha256_digest(&body))
    })?
}

/// The HTTP client for `reference`'s registry: HTTPS, or plain HTTP for
/// loopback registries and with `insecure`.
fn client(reference: &Reference, options: &Options) -> Result<oci_client::Client, RegistryError> {
    // reqwest is built without a default TLS provider; ring is the one
    // wcompose brings. A provider installed earlier is kept.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let protocol = if options.insecure || reference.is_loopback() {
        ClientProtocol::Http
    } else {
        ClientProtocol::Https
    };
    let config = ClientConfig {
        protocol,
        // An image index is a multi-platform container image, never a
        // Wasm artifact: refuse it rather than pick a platform.
        platform_resolver: None,
        connect_timeout: Some(CONNECT_TIMEOUT),
        read_timeout: Some(READ_TIMEOUT),
        user_agent: concat!("wcompose/", env!("CARGO_PKG_VERSION")),
        ..ClientConfig::default()
    };
    oci_client::Client::try_from(config).map_err(|e| RegistryError::Client {
        registry: reference.registry.clone(),
        reason: describe(&e, reference, options),
    })
}

/// Runs one push or pull on a runtime of its own: the library's callers
/// are synchronous.
fn block_on<T>(future: impl Future<Output = T>) -> Result<T, RegistryError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RegistryError::Runtime)?;
    Ok(runtime.block_on(future))
}

/// An oci-client error in a few words: the registry's error codes, the
/// HTTP status, or why the connection failed.
fn describe(error: &OciDistributionError, reference: &Reference, options: &Options) -> String {
    match error {
        OciDistributionError::RegistryError { envelope, .. } => {
            let codes: Vec<String> = envelope
                .errors
                .iter()
                .map(|e| {
                    let code = serde_json::to_value(&e.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("{:?}", e.code));
                    if e.message.is_empty() {
                        code
                    } else {
                        format!("{code}: {}", e.message)
                    }
                })
                .collect();
            let not_found = envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::NotFound
                )
            });
            if not_found {
                format!("the registry has no such artifact ({})", codes.join("; "))
            } else {
                format!("the registry refused it ({})", codes.join("; "))
            }
        }
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => match &options.credentials {
            Credentials::Anonymous => {
                "the registry requires credentials (HTTP 401 Unauthorized)".to_string()
            }
            Credentials::Basic { username, .. } => format!(
                "the registry refused the credentials of `{username}` (HTTP 401 Unauthorized)"
            ),
        },
        OciDistributionError::ServerError { code, message, .. } => {
            let message: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = message.chars().take(200).collect();
            let more = if short.len() < message.len() {
                "..."
            } else {
                ""
            };
            match *code {
                401 => describe(
                    &OciDistributionError::UnauthorizedError { url: String::new() },
                    reference,
                    options,
                ),
                _ if short.is_empty() => format!("the registry answered HTTP {code}"),
                _ => format!("the registry answered HTTP {code}: {short}{more}"),
            }
        }
        OciDistributionError::RequestError(e) if e.is_connect() || e.is_timeout() => {
            let scheme = if options.insecure || reference.is_loopback() {
                "http"
            } else {
                "https"
            };
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            format!(
                "no registry answers at {scheme}://{}/ ({cause})",
                reference.registry
            )
        }
        error => {
            let text = crate::error_chain(error);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

/// `sha256:` and the hex SHA-256 of `bytes`, as OCI writes digests.
pub fn sha256_digest(bytes: &[u8]) -> String {
    hex_digest(sha2::Sha256::digest(bytes).as_slice())
}

fn hex_digest(hash: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(7 + hash.len() * 2);
    out.push_str("sha256:");
    for byte in hash {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference {
        "registry.example:5000/toolsku/router:1.2.0"
            .parse()
            .unwrap()
    }

    #[test]
    fn an_html_answer_is_described_by_its_status_and_a_short_excerpt() {
        let page = format!("<html>\n<body>{}</body></html>", "nginx ".repeat(100));
        let reason = describe(
            &OciDistributionError::ServerError {
                code: 502,
                url: String::new(),
                message: page,
            },
            &reference(),
            &Options::default(),
        );
        assert!(
            reason.starts_with("the registry answered HTTP 502: <html> <body>nginx"),
            "{reason}"
        );
        assert!(reason.ends_with("..."), "{reason}");
        assert!(reason.len() < 260, "{reason}");
    }

    #[test]
    fn a_refused_login_names_the_user_and_never_the_password() {
        let options = Options {
            credentials: Credentials::Basic {
                username: "ci".into(),
                password: "hunter2".into(),
            },
            ..Options::default()
        };
        let reason = describe(
            &OciDistributionError::UnauthorizedError { url: String::new() },
            &reference(),
            &options,
        );
        assert_eq!(
            reason,
            "the registry refused the credentials of `ci` (HTTP 401 Unauthorized)"
        );
    }

    #[test]
    fn digests_are_written_as_oci_writes_them() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

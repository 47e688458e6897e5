//! Credentials for a registry: given explicitly, or read from the Docker
//! config file (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`) that `docker login`, `podman login
//! --authfile` and `skopeo login` write.
//!
//! Only the `auths` map is read (`auth`, the base64 of `USER:PASSWORD`, or
//! `username` and `password`); credential helpers (`credsStore`,
//! `credHelpers`) are not run.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;

/// How to authenticate to a registry.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials.
    #[default]
    Anonymous,
    /// HTTP Basic authentication, also used to obtain a bearer token from
    /// registries that ask for one.
    Basic {
        /// The user name.
        username: String,
        /// The password or access token.
        password: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            // The password never reaches a log or an error message.
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
        }
    }
}

/// Why the Docker config file could not give credentials.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The file exists but could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not the JSON of a Docker config.
    #[error("failed to parse `{}` as a Docker config file", path.display())]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The entry for the registry has an `auth` that is not the base64 of
    /// `USER:PASSWORD`.
    #[error("failed to read the `auth` of `{registry}` in `{}`: not the base64 of `USER:PASSWORD`", path.display())]
    BadAuth {
        /// The config file.
        path: PathBuf,
        /// The registry's key in `auths`.
        registry: String,
    },
}

/// The Docker config file that would be read: `$DOCKER_CONFIG/config.json`,
/// else `$HOME/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

impl Credentials {
    /// The credentials for `registry` in the Docker config file, or
    /// [`Credentials::Anonymous`] when there is no file or no entry.
    pub fn from_docker_config(registry: &str) -> Result<Credentials, CredentialsError> {
        match docker_config_path() {
            Some(path) => Self::from_docker_config_file(&path, registry),
            None => Ok(Credentials::Anonymous),
        }
    }

    /// The credentials for `registry` in the Docker config file `path`.
    pub fn from_docker_config_file(
        path: &Path,
        registry: &str,
    ) -> Result<Credentials, CredentialsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Credentials::Anonymous);
            }
            Err(source) => {
                return Err(CredentialsError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let config: DockerConfig =
            serde_json::from_str(&text).map_err(|source| CredentialsError::Parse {
                path: path.to_owned(),
                source,
            })?;
        // Keys may be written as URLs (`https://ghcr.io`, or Docker Hub's
        // `https://index.docker.io/v1/`); they match by host and port.
        let Some((key, entry)) = config
            .auths
            .iter()
            .find(|(key, _)| registry_of_key(key) == registry)
        else {
            return Ok(Credentials::Anonymous);
        };
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let bad = || CredentialsError::BadAuth {
                path: path.to_owned(),
                registry: key.clone(),
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| bad())?;
            let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
            let (username, password) = decoded.split_once(':').ok_or_else(bad)?;
            return Ok(Credentials::Basic {
                username: username.to_string(),
                password: password.to_string(),
            });
        }
        match (&entry.username, &entry.password) {
            (Some(username), Some(password)) => Ok(Credentials::Basic {
                username: username.clone(),
                password: password.clone(),
            }),
            _ => Ok(Credentials::Anonymous),
        }
    }

    pub(crate) fn to_oci(&self) -> oci_client::secrets::RegistryAuth {
        match self {
            Credentials::Anonymous => oci_client::secrets::RegistryAuth::Anonymous,
            Credentials::Basic { username, password } => {
                oci_client::secrets::RegistryAuth::Basic(username.clone(), password.clone())
            }
        }
    }
}

/// The part of a Docker config file that holds credentials.
#[derive(serde::Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// `https://host:port/v1/` → `host:port`.
fn registry_of_key(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, json).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_the_auth_of_a_registry_from_the_docker_config() {
        // base64("ci:s3cret:with-colon")
        let auth = base64::engine::general_purpose::STANDARD.encode("ci:s3cret:with-colon");
        let (_dir, path) = config(&format!(
            r#"{{"auths": {{"https://127.0.0.1:5000": {{"auth": "{auth}"}},
                "ghcr.io": {{"username": "u", "password": "p"}}}}, "credsStore": "desktop"}}"#
        ));
        assert_eq!(
            Credentials::from_docker_config_file(&path, "127.0.0.1:5000").unwrap(),
            Credentials::Basic {
                username: "ci".into(),
                password: "s3cret:with-colon".into()
            }
        );
        assert_eq!(
            Credentials::from_docker_config_file(&path, "ghcr.io").unwrap(),
            Credentials::Basic {
                username: "u".into(),
                password: "p".into()
            }
        );
        assert_eq!(
            Credentials::from_docker_config_file(&path, "quay.io").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn a_missing_config_is_anonymous_and_a_broken_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Credentials::from_docker_config_file(&dir.path().join("none.json"), "x.io").unwrap(),
            Credentials::Anonymous
        );
        let (_dir, path) = config("{not json");
        let e = Credentials::from_docker_config_file(&path, "x.io").unwrap_err();
        assert!(e.to_string().starts_with("failed to parse"), "{e}");
        let (_dir, path) = config(r#"{"auths": {"x.io": {"auth": "!!!"}}}"#);
        let e = Credentials::from_docker_config_file(&path, "x.io").unwrap_err();
        assert!(matches!(e, CredentialsError::BadAuth { .. }), "{e}");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let c = Credentials::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}

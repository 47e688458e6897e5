//! What a guest may reach outside itself. By default nothing: no files, no
//! environment variables, no network. A [`Sandbox`] grants folders
//! (`--dir HOST[::GUEST]`), variables (`--env NAME[=VALUE]`) and the host's
//! network (`--inherit-network`); everything else the guest tries fails
//! with the WASI error it would get from a real system that forbids it.

use std::path::PathBuf;
use std::str::FromStr;

use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// The grants a guest runs with. The default grants nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    /// Host folders the guest may read and write, and where it sees them.
    pub dirs: Vec<Preopen>,
    /// Environment variables the guest sees, in order.
    pub env: Vec<(String, String)>,
    /// Let the guest open sockets to any address and look up host names.
    pub inherit_network: bool,
}

/// A host folder made visible to the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The folder on the host.
    pub host: PathBuf,
    /// The path the guest opens it by.
    pub guest: String,
}

/// An `--env` grant: a name, and a value unless the host's is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvGrant {
    /// The variable's name.
    pub name: String,
    /// Its value; `None` copies the host's value, if it has one.
    pub value: Option<String>,
}

/// Why a grant could not be read or applied.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// `--dir` was given an empty host path.
    #[error(
        "`{spec}` names no host folder; expected `HOST` or `HOST::GUEST`, e.g. `./data::/data`"
    )]
    EmptyDir {
        /// The text given.
        spec: String,
    },
    /// `--env` was given an empty or invalid name.
    #[error(
        "`{spec}` is not a variable grant; expected `NAME` or `NAME=VALUE` with a name free of `=` and NUL"
    )]
    BadEnv {
        /// The text given.
        spec: String,
    },
    /// The host folder does not exist or is not a folder.
    #[error("`{}` is not a folder on the host, so it cannot be granted to the guest", host.display())]
    NotADir {
        /// The host path.
        host: PathBuf,
    },
    /// The host folder could not be opened.
    #[error("failed to open `{}` for the guest as `{guest}`", host.display())]
    Open {
        /// The host path.
        host: PathBuf,
        /// The guest path.
        guest: String,
        /// The cause.
        #[source]
        source: anyhow::Error,
    },
}

impl FromStr for Preopen {
    type Err = SandboxError;

    /// Reads `HOST[::GUEST]`; the guest path defaults to the host path as
    /// written.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (host, guest) = match spec.split_once("::") {
            Some((host, guest)) => (host, guest),
            None => (spec, spec),
        };
        if host.is_empty() || guest.is_empty() {
            return Err(SandboxError::EmptyDir {
                spec: spec.to_string(),
            });
        }
        Ok(Preopen {
            host: PathBuf::from(host),
            guest: guest.to_string(),
        })
    }
}

impl FromStr for EnvGrant {
    type Err = SandboxError;

    /// Reads `NAME` or `NAME=VALUE`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (name, value) = match spec.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (spec, None),
        };
        if name.is_empty()
            || name.contains('\0')
            || value.as_deref().is_some_and(|v| v.contains('\0'))
        {
            return Err(SandboxError::BadEnv {
                spec: spec.to_string(),
            });
        }
        Ok(EnvGrant {
            name: name.to_string(),
            value,
        })
    }
}

impl Sandbox {
    /// Grants a variable. A grant without a value copies the host's value;
    /// if the host has none (or it is not UTF-8), the guest sees none
    /// either. A later grant of the same name replaces an earlier one.
    pub fn grant_env(&mut self, grant: EnvGrant) {
        let value = match grant.value {
            Some(value) => value,
            None => match std::env::var(&grant.name) {
                Ok(value) => value,
                Err(_) => return,
            },
        };
        self.env.retain(|(name, _)| *name != grant.name);
        self.env.push((grant.name, value));
    }

    /// Checks that every granted folder exists, so that a typo is reported
    /// once, before anything runs.
    pub fn validate(&self) -> Result<(), SandboxError> {
        for dir in &self.dirs {
            if !dir.host.is_dir() {
                return Err(SandboxError::NotADir {
                    host: dir.host.clone(),
                });
            }
        }
        Ok(())
    }

    /// Adds the grants to a WASI context under construction.
    pub(crate) fn apply(&self, builder: &mut WasiCtxBuilder) -> Result<(), SandboxError> {
        for dir in &self.dirs {
            builder
                .preopened_dir(&dir.host, &dir.guest, FsPerms::ReadWrite)
                .map_err(|source| SandboxError::Open {
                    host: dir.host.clone(),
                    guest: dir.guest.clone(),
                    source: source.into(),
                })?;
        }
        builder.envs(&self.env);
        if self.inherit_network {
            builder.inherit_network().allow_ip_name_lookup(true);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dir_grant_maps_host_to_guest() {
        let dir: Preopen = "./data::/data".parse().unwrap();
        assert_eq!(dir.host, PathBuf::from("./data"));
        assert_eq!(dir.guest, "/data");
        let same: Preopen = "/tmp".parse().unwrap();
        assert_eq!(same.guest, "/tmp");
        assert!("::/data".parse::<Preopen>().is_err());
        assert!("".parse::<Preopen>().is_err());
    }

    #[test]
    fn an_env_grant_copies_or_sets_a_value() {
        let mut sandbox = Sandbox::default();
        sandbox.grant_env("A=1".parse().unwrap());
        sandbox.grant_env("A=2".parse().unwrap());
        sandbox.grant_env("EMPTY=".parse().unwrap());
        sandbox.grant_env("WCOMPOSE_SURELY_UNSET_VARIABLE".parse().unwrap());
        assert_eq!(
            sandbox.env,
            vec![
                ("A".to_string(), "2".to_string()),
                ("EMPTY".to_string(), String::new())
            ]
        );
        assert!("=x".parse::<EnvGrant>().is_err());
    }
}

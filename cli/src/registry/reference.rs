//! References to artifacts in a registry: `HOST[:PORT]/REPO:TAG` or
//! `HOST[:PORT]/REPO@sha256:HEX` (or both, the digest deciding), parsed
//! strictly: no default registry, no default tag.

use std::fmt;
use std::str::FromStr;

/// An artifact in a registry, named by tag or by digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The registry: a host name or address, with the port if any
    /// (`127.0.0.1:5000`, `ghcr.io`, `[::1]:5000`).
    pub registry: String,
    /// The repository in the registry (`toolsku/router`).
    pub repository: String,
    /// The tag, if the reference has one.
    pub tag: Option<String>,
    /// The manifest's digest (`sha256:...`), if the reference has one.
    pub digest: Option<String>,
}

/// Why a reference could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The reference names neither a tag nor a digest.
    #[error(
        "`{0}` names neither a tag nor a digest\n  help: add one, e.g. `{0}:1.0.0` or `{0}@sha256:...`"
    )]
    NoTagOrDigest(String),
    /// The reference does not start with a registry host.
    #[error(
        "`{0}` does not start with a registry (`HOST[:PORT]/`)\n  help: name the registry, e.g. `127.0.0.1:5000/{0}`"
    )]
    NoRegistry(String),
    /// The registry part is not a host name or address with an optional
    /// port.
    #[error("`{registry}` in `{reference}` is not a registry host (`HOST[:PORT]`)")]
    BadRegistry {
        /// The whole reference.
        reference: String,
        /// The registry part.
        registry: String,
    },
    /// The repository is empty or not made of lowercase path components.
    #[error(
        "`{repository}` in `{reference}` is not a repository name (lowercase letters, digits and `.`, `_`, `-`, `/`)"
    )]
    BadRepository {
        /// The whole reference.
        reference: String,
        /// The repository part.
        repository: String,
    },
    /// The tag has characters or a length that tags may not have.
    #[error(
        "`{tag}` in `{reference}` is not a tag (letters, digits, `_`, `.`, `-`, at most 128, not starting with `.` or `-`)"
    )]
    BadTag {
        /// The whole reference.
        reference: String,
        /// The tag part.
        tag: String,
    },
    /// The digest is not `sha256:` and 64 lowercase hex digits.
    #[error("`{digest}` in `{reference}` is not a digest (`sha256:` and 64 lowercase hex digits)")]
    BadDigest {
        /// The whole reference.
        reference: String,
        /// The digest part.
        digest: String,
    },
}

impl Reference {
    /// Whether the registry is this machine's loopback interface
    /// (`localhost`, `127.0.0.0/8`, `[::1]`), which wcompose reaches over
    /// plain HTTP without `--insecure`.
    pub fn is_loopback(&self) -> bool {
        let host = host_of(&self.registry);
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The reference as oci-client takes it.
    pub(crate) fn to_oci(&self) -> oci_client::Reference {
        match (&self.tag, &self.digest) {
            (Some(tag), Some(digest)) => oci_client::Reference::with_tag_and_digest(
                self.registry.clone(),
                self.repository.clone(),
                tag.clone(),
                digest.clone(),
            ),
            (None, Some(digest)) => oci_client::Reference::with_digest(
                self.registry.clone(),
                self.repository.clone(),
                digest.clone(),
            ),
            (Some(tag), None) => oci_client::Reference::with_tag(
                self.registry.clone(),
                self.repository.clone(),
                tag.clone(),
            ),
            (None, None) => unreachable!("a parsed reference has a tag or a digest"),
        }
    }
}

/// The host of `HOST[:PORT]`, without the brackets of an IPv6 address.
fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    registry.split(':').next().unwrap_or(registry)
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let whole = s.to_string();
        let (rest, digest) = match s.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (s, None),
        };
        let Some((registry, path)) = rest.split_once('/') else {
            return Err(if digest.is_none() && !rest.contains(':') {
                ReferenceError::NoTagOrDigest(whole)
            } else {
                ReferenceError::NoRegistry(whole)
            });
        };
        // As in Docker's grammar, the first component names a registry only
        // when it looks like a host: a dot, a port, or `localhost`.
        if !(registry.contains('.') || registry.contains(':') || registry == "localhost") {
            return Err(ReferenceError::NoRegistry(whole));
        }
        if !is_registry(registry) {
            return Err(ReferenceError::BadRegistry {
                reference: whole,
                registry: registry.to_string(),
            });
        }
        // The tag is after the last `:` of the path (ports are in the
        // registry part, already split off).
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) => (repository, Some(tag)),
            None => (path, None),
        };
        if !is_repository(repository) {
            return Err(ReferenceError::BadRepository {
                reference: whole,
                repository: repository.to_string(),
            });
        }
        if let Some(tag) = tag
            && !is_tag(tag)
        {
            return Err(ReferenceError::BadTag {
                reference: whole,
                tag: tag.to_string(),
            });
        }
        if let Some(digest) = digest
            && !is_digest(digest)
        {
            return Err(ReferenceError::BadDigest {
                reference: whole,
                digest: digest.to_string(),
            });
        }
        if tag.is_none() && digest.is_none() {
            return Err(ReferenceError::NoTagOrDigest(whole));
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }
}

fn is_registry(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, after)) => {
                if host.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                match after {
                    "" => return true,
                    _ => match after.strip_prefix(':') {
                        Some(port) => ("ipv6", Some(port)),
                        None => return false,
                    },
                }
            }
            None => return false,
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        }
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    host_ok && port_ok
}

/// Path components of lowercase letters and digits, joined by `.`, `_`,
/// `__` or runs of `-` (the distribution spec's grammar, slightly looser).
fn is_repository(repository: &str) -> bool {
    !repository.is_empty()
        && repository.len() <= 255
        && repository.split('/').all(|component| {
            !component.is_empty()
                && component
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && component
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && component
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
        })
}

fn is_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// Whether `digest` is `sha256:` and 64 lowercase hex digits.
pub(crate) fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Reference, ReferenceError> {
        s.parse()
    }

    #[test]
    fn parses_a_tagged_reference_with_a_port() {
        let r = parse("127.0.0.1:5000/toolsku/router:1.2.0").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "toolsku/router");
        assert_eq!(r.tag.as_deref(), Some("1.2.0"));
        assert_eq!(r.digest, None);
        assert!(r.is_loopback());
        assert_eq!(r.to_string(), "127.0.0.1:5000/toolsku/router:1.2.0");
    }

    #[test]
    fn parses_a_digest_reference() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = parse(&format!("ghcr.io/toolsku/router@{digest}")).unwrap();
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(digest.as_str()));
        assert!(!r.is_loopback());
        let both = parse(&format!("localhost:5000/router:v1@{digest}")).unwrap();
        assert_eq!(both.tag.as_deref(), Some("v1"));
        assert!(both.is_loopback());
        assert!(parse("[::1]:5000/router:v1").unwrap().is_loopback());
    }

    #[test]
    fn refuses_a_reference_without_tag_or_digest() {
        for s in ["127.0.0.1:5000/toolsku/router", "localhost/router"] {
            let e = parse(s).unwrap_err();
            assert!(matches!(e, ReferenceError::NoTagOrDigest(_)), "{s}: {e}");
            assert!(e.to_string().contains("names neither a tag nor a digest"));
        }
    }

    #[test]
    fn refuses_a_reference_without_a_registry() {
        for s in ["toolsku/router:1.0", "router:1.0"] {
            let e = parse(s).unwrap_err();
            assert!(matches!(e, ReferenceError::NoRegistry(_)), "{s}: {e}");
        }
    }

    #[test]
    fn refuses_malformed_parts() {
        assert!(matches!(
            parse("127.0.0.1:99999/r:1"),
            Err(ReferenceError::BadRegistry { .. })
        ));
        assert!(matches!(
            parse("127.0.0.1:5000/Router:1"),
            Err(ReferenceError::BadRepository { .. })
        ));
        assert!(matches!(
            parse("127.0.0.1:5000/router:-x"),
            Err(ReferenceError::BadTag { .. })
        ));
        assert!(matches!(
            parse("127.0.0.1:5000/router@sha256:abc"),
            Err(ReferenceError::BadDigest { .. })
        ));
    }
}

//! Host profiles: what a host provides to a composition's imports.
//!
//! Profiles are data (`hosts/*.txt`, one interface per line at the version
//! the host implements, `include NAME` to extend another profile), so that
//! adding a host is adding a file, not a condition in the code.

use semver::Version;

/// The profiles shipped with wcompose, by name.
const PROFILES: &[(&str, &str)] = &[
    ("wasmtime", include_str!("hosts/wasmtime.txt")),
    ("wasi-http", include_str!("hosts/wasi-http.txt")),
    ("none", include_str!("hosts/none.txt")),
];

/// An interface a host provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provided {
    /// `wasi:cli/stdout`.
    pub name: String,
    /// The version the host implements, if the interface is versioned.
    pub version: Option<Version>,
}

/// What a host provides.
#[derive(Debug, Clone)]
pub struct HostProfile {
    /// The profile's name (`wasmtime`).
    pub name: String,
    /// The interfaces.
    pub provides: Vec<Provided>,
}

/// How a host answers one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The host provides the interface at a compatible version.
    Provided {
        /// The version the host has.
        host: Option<Version>,
    },
    /// The host provides the interface, at an older version of the same
    /// semver track than the import asks for: it links, but functions added
    /// in between would be missing.
    Older {
        /// The version the host has.
        host: Version,
    },
    /// The host provides the interface only at incompatible versions.
    Incompatible {
        /// The versions the host has.
        host: Vec<Version>,
    },
    /// The host does not provide the interface.
    Missing,
}

impl HostProfile {
    /// The names of the shipped profiles.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PROFILES.iter().map(|(name, _)| *name)
    }

    /// Loads a shipped profile by name.
    pub fn named(name: &str) -> Option<Self> {
        let mut provides = Vec::new();
        load(name, &mut provides, 0)?;
        Some(Self {
            name: name.to_string(),
            provides,
        })
    }

    /// Whether, and at which version, the host provides import `name`
    /// (`wasi:cli/stdout@0.2.6`).
    pub fn answer(&self, name: &str) -> Answer {
        let (base, version) = split_version(name);
        let candidates: Vec<&Provided> = self.provides.iter().filter(|p| p.name == base).collect();
        if candidates.is_empty() {
            return Answer::Missing;
        }
        let Some(wanted) = version else {
            return Answer::Provided {
                host: candidates[0].version.clone(),
            };
        };
        let mut versions = Vec::new();
        for provided in &candidates {
            match &provided.version {
                Some(host) if same_track(host, &wanted) => {
                    if *host >= wanted {
                        return Answer::Provided {
                            host: Some(host.clone()),
                        };
                    }
                    return Answer::Older { host: host.clone() };
                }
                Some(host) => versions.push(host.clone()),
                None => {}
            }
        }
        Answer::Incompatible { host: versions }
    }
}

fn load(name: &str, out: &mut Vec<Provided>, depth: usize) -> Option<()> {
    let (_, text) = PROFILES.iter().find(|(n, _)| *n == name)?;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(other) = line.strip_prefix("include ") {
            if depth < 8 {
                load(other.trim(), out, depth + 1)?;
            }
            continue;
        }
        let (base, version) = split_version(line);
        out.push(Provided {
            name: base.to_string(),
            version,
        });
    }
    Some(())
}

/// Splits `wasi:cli/stdout@0.2.6` into the name and its version.
pub fn split_version(name: &str) -> (&str, Option<Version>) {
    match name.rsplit_once('@') {
        Some((base, version)) => match Version::parse(version) {
            Ok(v) => (base, Some(v)),
            Err(_) => (name, None),
        },
        None => (name, None),
    }
}

/// Whether two versions are on the same semver track (the Component Model's
/// rule: same major, and for 0.x the same minor, and for 0.0.x the same
/// patch).
pub fn same_track(a: &Version, b: &Version) -> bool {
    if a.major != b.major {
        return false;
    }
    if a.major > 0 {
        return true;
    }
    if a.minor != b.minor {
        return false;
    }
    a.minor > 0 || a.patch == b.patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasmtime_profile_provides_any_older_0_2_version() {
        let host = HostProfile::named("wasmtime").unwrap();
        assert_eq!(
            host.answer("wasi:cli/stdout@0.2.6"),
            Answer::Provided {
                host: Some(Version::new(0, 2, 12))
            }
        );
        assert_eq!(
            host.answer("wasi:cli/stdout@0.2.20"),
            Answer::Older {
                host: Version::new(0, 2, 12)
            }
        );
        assert!(matches!(
            host.answer("wasi:cli/stdout@0.3.0"),
            Answer::Incompatible { .. }
        ));
        assert_eq!(host.answer("wasi:http/types@0.2.0"), Answer::Missing);
    }

    #[test]
    fn wasi_http_includes_the_wasmtime_profile() {
        let host = HostProfile::named("wasi-http").unwrap();
        assert!(matches!(
            host.answer("wasi:http/types@0.2.3"),
            Answer::Provided { .. }
        ));
        assert!(matches!(
            host.answer("wasi:io/streams@0.2.3"),
            Answer::Provided { .. }
        ));
        assert_eq!(
            HostProfile::named("none")
                .unwrap()
                .answer("wasi:io/streams@0.2.3"),
            Answer::Missing
        );
    }
}

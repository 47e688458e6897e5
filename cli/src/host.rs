//! Host profiles: what a host provides to a component's imports, and the one
//! semver rule by which an import finds what a host provides.
//!
//! Profiles are data (`host/*.txt`, one interface per line at the version
//! the host implements, optionally followed by one item the host defines
//! in it; `ns:pkg/*@x.y.z` for every interface of a package; `include NAME`
//! to extend another profile), so that adding a host is
//! adding a file, not a condition in the code. `check`, `plug`, `compose`
//! and `inspect` all ask [`HostProfile::answer`]; tests prove the profiles
//! that describe wasmtime against the linker that `wcompose run` builds.
//!
//! Versions match as wac and wasmtime's linker match them
//! ([`compatible`]): the same semver track (same major, for 0.x the same
//! minor), and a prerelease matches only itself.

use semver::Version;

/// The profiles shipped with wcompose, by name.
const PROFILES: &[(&str, &str)] = &[
    ("wasmtime", include_str!("host/wasmtime.txt")),
    ("wasi-http", include_str!("host/wasi-http.txt")),
    ("jco", include_str!("host/jco.txt")),
    ("spin", include_str!("host/spin.txt")),
    ("none", include_str!("host/none.txt")),
];

/// An interface a host provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provided {
    /// `wasi:cli/stdout`, or `wasi:cli/*` for every interface of a package.
    pub name: String,
    /// The version the host implements, if the interface is versioned.
    pub version: Option<Version>,
    /// One function or resource the host defines in the interface, by
    /// which a test finds the interface in a real linker.
    pub item: Option<String>,
}

impl Provided {
    fn covers(&self, base: &str) -> bool {
        match self.name.strip_suffix("/*") {
            Some(package) => base
                .split_once('/')
                .is_some_and(|(import_package, _)| import_package == package),
            None => self.name == base,
        }
    }
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

impl Answer {
    /// Whether an import with this answer links.
    pub fn links(&self) -> bool {
        matches!(self, Answer::Provided { .. } | Answer::Older { .. })
    }
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
        let candidates: Vec<&Provided> = self.provides.iter().filter(|p| p.covers(base)).collect();
        if candidates.is_empty() {
            return Answer::Missing;
        }
        let Some(wanted) = version else {
            return match candidates.iter().find(|p| p.version.is_none()) {
                Some(_) => Answer::Provided { host: None },
                None => Answer::Incompatible {
                    host: candidates
                        .iter()
                        .filter_map(|p| p.version.clone())
                        .collect(),
                },
            };
        };
        let mut versions = Vec::new();
        for provided in &candidates {
            match &provided.version {
                Some(host) if compatible(host, &wanted) => {
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
        let mut words = line.split_whitespace();
        let (base, version) = split_version(words.next()?);
        out.push(Provided {
            name: base.to_string(),
            version,
            item: words.next().map(str::to_string),
        });
    }
    Some(())
}

/// `version 0.2.12` or `versions 0.2.12, 0.3.0`, for messages about what a
/// host has.
pub fn versions_phrase(versions: &[Version]) -> String {
    let list: Vec<String> = versions.iter().map(Version::to_string).collect();
    format!(
        "version{} {}",
        if versions.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
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

/// Whether an import at version `a` and an export (or host) at version `b`
/// find each other: wac's rule ([`wac_types::are_semver_compatible`]),
/// which wasmtime's linker shares. Same major (for 0.x the same minor, for
/// 0.0.x the same patch); a prerelease matches only itself.
pub fn compatible(a: &Version, b: &Version) -> bool {
    wac_types::are_semver_compatible(&format!("x@{a}"), &format!("x@{b}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Mode;

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
        assert_eq!(
            host.answer("wasi:cli/stdout@0.3.0"),
            Answer::Provided {
                host: Some(Version::new(0, 3, 0))
            }
        );
        assert!(matches!(
            host.answer("wasi:cli/stdout@0.4.0"),
            Answer::Incompatible { .. }
        ));
        assert_eq!(host.answer("wasi:http/types@0.2.0"), Answer::Missing);
    }

    #[test]
    fn a_prerelease_matches_only_itself() {
        let host = HostProfile::named("wasmtime").unwrap();
        assert!(matches!(
            host.answer("wasi:cli/stdout@0.3.0-rc-2025-09-16"),
            Answer::Incompatible { .. }
        ));
        let v = |s| Version::parse(s).unwrap();
        assert!(compatible(&v("1.0.0"), &v("1.2.0")));
        assert!(!compatible(&v("1.0.0-rc1"), &v("1.0.0")));
        assert!(compatible(&v("1.0.0-rc1"), &v("1.0.0-rc1")));
        assert!(!compatible(&v("0.2.0"), &v("0.3.0")));
        assert!(!compatible(&v("0.0.1"), &v("0.0.2")));
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

    #[test]
    fn a_package_wildcard_covers_every_interface_of_the_package() {
        let spin = HostProfile::named("spin").unwrap();
        assert!(spin.answer("fermyon:spin/key-value@2.1.0").links());
        assert!(!spin.answer("fermyon:spin/key-value@3.0.0").links());
        assert!(!spin.answer("fermyon:other/key-value@2.0.0").links());
    }

    /// Whether the linker `wcompose run` builds defines `item` in instance
    /// `name`. The probe imports the item with a type no host gives it (a
    /// function or resource of that name can be told from a missing one by
    /// the linker's error: a wrong type, not a missing implementation).
    fn linker_has(name: &str, item: &str) -> bool {
        // A component importing WASI 0.3 gets the concurrent linker, which
        // links 0.2 too; the synchronous one links 0.2 alone.
        let mode = if name.contains("@0.3") {
            Mode::Concurrent
        } else {
            Mode::Sync
        };
        let config = crate::run::engine_config(&Default::default());
        let engine = wasmtime::Engine::new(&config).unwrap();
        let linker = crate::run::wasi_linker::<crate::run::Host>(&engine, mode).unwrap();
        defines(&engine, &linker, name, item)
    }

    /// Whether the linker `wcompose serve` builds defines `item` in
    /// instance `name`, probed as [`linker_has`] probes.
    fn serve_linker_has(name: &str, item: &str) -> bool {
        let config = crate::run::engine_config(&Default::default());
        let engine = wasmtime::Engine::new(&config).unwrap();
        let linker = crate::serve::http_linker(&engine).unwrap();
        defines(&engine, &linker, name, item)
    }

    fn defines<T>(
        engine: &wasmtime::Engine,
        linker: &wasmtime::component::Linker<T>,
        name: &str,
        item: &str,
    ) -> bool {
        let probe = |ty: &str| {
            let wat =
                format!("(component (import \"{name}\" (instance (export \"{item}\" {ty}))))");
            let component =
                wasmtime::component::Component::new(engine, wat::parse_str(wat).unwrap()).unwrap();
            match linker.instantiate_pre(&component) {
                Ok(_) => true,
                Err(e) => !format!("{e:#}").contains("implementation is missing"),
            }
        };
        probe("(func (param \"wcompose-probe\" u8) (result u8))") || probe("(type (sub resource))")
    }

    fn listed(profile: &str) -> Vec<(String, Version, String)> {
        HostProfile::named(profile)
            .unwrap()
            .provides
            .into_iter()
            .map(|p| {
                assert!(!p.name.ends_with("/*"), "{}: list each interface", p.name);
                let item = p.item.unwrap_or_else(|| panic!("{}: name an item", p.name));
                (p.name, p.version.expect("versioned"), item)
            })
            .collect()
    }

    #[test]
    fn every_interface_of_the_wasmtime_profile_links_against_the_runner() {
        for (name, version, item) in listed("wasmtime") {
            assert!(
                linker_has(&format!("{name}@{version}"), &item),
                "{name}@{version}: the linker has no `{item}` in it"
            );
        }
    }

    #[test]
    fn interfaces_and_versions_outside_the_wasmtime_profile_fail_to_link() {
        let profile = HostProfile::named("wasmtime").unwrap();
        let mut outside = vec![
            (
                "wasi:cli/not-an-interface@0.2.0".to_string(),
                "exit".to_string(),
            ),
            ("wasi:http/types@0.2.0".to_string(), "fields".to_string()),
            (
                "wasi:cli/stdout@0.3.0-rc-2025-09-16".to_string(),
                "write-via-stream".to_string(),
            ),
        ];
        for (name, version, item) in listed("wasmtime") {
            // The next track (0.2.x -> 0.3.0 unless the profile has it, and
            // so on), and the next major.
            let mut next = Version::new(version.major, version.minor + 1, 0);
            while profile.answer(&format!("{name}@{next}")).links() {
                next = Version::new(next.major, next.minor + 1, 0);
            }
            outside.push((format!("{name}@{next}"), item.clone()));
            outside.push((format!("{name}@{}.0.0", version.major + 1), item));
        }
        for (name, item) in &outside {
            assert!(
                !profile.answer(name).links(),
                "{name}: the profile links it"
            );
            assert!(
                !linker_has(name, item),
                "{name}: the linker has `{item}` in it"
            );
        }
    }

    #[test]
    fn a_newer_patch_of_a_provided_track_links_as_the_profile_says() {
        let profile = HostProfile::named("wasmtime").unwrap();
        for (name, version, item) in listed("wasmtime") {
            let newer = format!(
                "{name}@{}.{}.{}",
                version.major,
                version.minor,
                version.patch + 7
            );
            assert!(
                matches!(profile.answer(&newer), Answer::Older { .. }),
                "{newer}"
            );
            assert!(linker_has(&newer, &item), "{newer}");
        }
    }

    #[test]
    fn every_interface_of_the_wasi_http_profile_links_against_the_server() {
        for (name, version, item) in listed("wasi-http") {
            assert!(
                serve_linker_has(&format!("{name}@{version}"), &item),
                "{name}@{version}: the serve linker has no `{item}` in it"
            );
        }
    }

    #[test]
    fn http_interfaces_outside_the_wasi_http_profile_fail_to_link_against_the_server() {
        let profile = HostProfile::named("wasi-http").unwrap();
        for (name, item) in [
            ("wasi:http/types@0.4.0", "fields"),
            ("wasi:http/outgoing-handler@0.3.0", "handle"),
            ("wasi:http/client@0.2.0", "send"),
            ("wasi:http/types@0.3.0-rc-2025-09-16", "fields"),
        ] {
            assert!(
                !profile.answer(name).links(),
                "{name}: the profile links it"
            );
            assert!(
                !serve_linker_has(name, item),
                "{name}: the serve linker has `{item}` in it"
            );
        }
    }
}

//! The words of a finding about an import left to the host: one wording for
//! the composition's, the single component's and `plug`'s host checks, from
//! the one [`HostProfile::answer`].

use std::collections::BTreeSet;

use super::{FindingKind, Severity};
use crate::host::{self, Answer, HostProfile};

/// An import that nothing in the input satisfies, so the host must.
pub struct LeftToHost<'a> {
    /// The import's name, with its version (`wasi:cli/stdout@0.2.3`).
    pub import: &'a str,
    /// Who imports it, already quoted (`` `calc`, `fmt` ``).
    pub importers: &'a str,
    /// What was searched before the host, when there was anything
    /// (`nothing in the composition`, `no plug`).
    pub unsatisfied_by: Option<&'a str>,
}

impl LeftToHost<'_> {
    /// What the host profile's answer means for this import: `None` when the
    /// host provides it, otherwise the finding's kind, severity and message.
    pub fn explain(&self, host: &HostProfile) -> Option<(FindingKind, Severity, String)> {
        let Self {
            import,
            importers,
            unsatisfied_by,
        } = self;
        let profile = &host.name;
        let subject = format!("`{import}` (imported by {importers})");
        let left = match unsatisfied_by {
            Some(by) => format!("{subject} is satisfied by {by}, and the host profile `{profile}`"),
            None => format!("{subject} is left to the host, and the host profile `{profile}`"),
        };
        match host.answer(import) {
            Answer::Provided { .. } => None,
            Answer::Older { host: version } => {
                let asked = host::split_version(import)
                    .1
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                Some((
                    FindingKind::HostVersion,
                    Severity::Warning,
                    format!(
                        "{subject} asks for {asked}, but the host profile `{profile}` has {version}: \
                         it links, but anything added after {version} is missing"
                    ),
                ))
            }
            Answer::Incompatible { host: versions } => Some((
                FindingKind::UnsatisfiedImport,
                Severity::Error,
                format!(
                    "{left} has it only at incompatible {}",
                    host::versions_phrase(&versions)
                ),
            )),
            Answer::Missing => Some((
                FindingKind::UnsatisfiedImport,
                Severity::Error,
                format!("{left} does not provide it{}", instead(host, import)),
            )),
        }
    }
}

/// What the host has of the import's package instead, for a missing import.
fn instead(host: &HostProfile, import: &str) -> String {
    let (base, _) = host::split_version(import);
    let Some((package, _)) = base.split_once('/') else {
        return String::new();
    };
    let same: BTreeSet<String> = host
        .provides
        .iter()
        .filter(|p| {
            p.name
                .split_once('/')
                .is_some_and(|(pkg, _)| pkg == package)
        })
        .map(|p| match &p.version {
            Some(v) => format!("`{}@{v}`", p.name),
            None => format!("`{}`", p.name),
        })
        .collect();
    if same.is_empty() {
        return format!(" (nor anything of `{package}`)");
    }
    let list: Vec<String> = same.into_iter().collect();
    format!(" (of `{package}` it has {})", list.join(", "))
}

//! Breaking WIT changes against a baseline.
//!
//! Compares the WIT packages of the working tree with the same packages in
//! a baseline (a folder, or a git revision of the workspace). Removed or
//! changed items are breaking: a component built against the baseline no
//! longer fits. Added items are minor. Each package's declared version must
//! carry the bump its changes need: a major bump for breaking changes (a
//! minor bump while the version is 0.x), a minor bump for additions (a patch
//! bump while 0.x). When it does not, every change is an error; when it
//! does, the changes are reported as notes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use semver::Version;
use wit_parser::{PackageId, Span};

use super::compat::{self, Side};
use super::{Finding, FindingKind, Label, Report, Severity, SourceFile};
use crate::wit::{self, Wit, WitError};

/// Why the baseline could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// `git` failed to read the baseline revision.
    #[error("failed to read `{path}` at git revision `{revision}`: {message}")]
    Git {
        /// The revision.
        revision: String,
        /// The path inside the repository.
        path: String,
        /// What git said.
        message: String,
    },
    /// The WIT of either side could not be loaded.
    #[error(transparent)]
    Wit(#[from] WitError),
    /// A temporary folder could not be written.
    #[error("failed to stage the baseline WIT")]
    Stage(#[source] std::io::Error),
}

/// A loaded baseline, with a name for messages (`main`, `old/wit`).
pub struct Baseline {
    /// How the user named it.
    pub name: String,
    /// Its WIT.
    pub wit: Wit,
}

/// Loads the baseline `spec`: an existing folder, or else a git revision of
/// the repository that holds `wit_path`, whose copy of `wit_path` is read.
pub fn load(spec: &str, wit_path: &Path) -> Result<Baseline, BaselineError> {
    let as_dir = PathBuf::from(spec);
    if as_dir.is_dir() {
        return Ok(Baseline {
            name: spec.to_string(),
            wit: wit::load(&as_dir)?,
        });
    }
    let stage = tempfile::tempdir().map_err(BaselineError::Stage)?;
    let git_error = |message: String| BaselineError::Git {
        revision: spec.to_string(),
        path: wit_path.display().to_string(),
        message,
    };
    // A WIT file is read at the revision as a file; git runs in its folder.
    let single = wit_path
        .is_file()
        .then(|| wit_path.file_name().map(PathBuf::from))
        .flatten();
    let git_dir = match (&single, wit_path.parent()) {
        (Some(_), Some(parent)) if !parent.as_os_str().is_empty() => parent,
        (Some(_), _) => Path::new("."),
        (None, _) => wit_path,
    };
    let toplevel = git(git_dir, &["rev-parse", "--show-toplevel"]).map_err(git_error)?;
    let repo = Path::new(toplevel.trim());
    let absolute = wit_path
        .canonicalize()
        .map_err(|e| git_error(e.to_string()))?;
    let relative = absolute
        .strip_prefix(repo)
        .unwrap_or(&absolute)
        .display()
        .to_string();
    let list = git(
        repo,
        &["ls-tree", "-r", "--name-only", spec, "--", &relative],
    )
    .map_err(git_error)?;
    // Packages encoded as `.wat` in `deps/` are text too; `.wasm` ones are
    // not staged.
    for file in list
        .lines()
        .filter(|f| f.ends_with(".wit") || f.ends_with(".wat"))
    {
        let text = git(repo, &["show", &format!("{spec}:{file}")]).map_err(git_error)?;
        let target = match &single {
            Some(name) => stage.path().join(name),
            None => stage.path().join(
                Path::new(file)
                    .strip_prefix(&relative)
                    .unwrap_or(Path::new(file)),
            ),
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(BaselineError::Stage)?;
        }
        std::fs::write(&target, text).map_err(BaselineError::Stage)?;
    }
    let mut wit = match &single {
        Some(name) => wit::load(&stage.path().join(name))?,
        None => wit::load(stage.path())?,
    };
    // Name the staged files after the revision, not the temporary folder.
    let prefix = format!("{}/", stage.path().display());
    wit.sources = wit
        .sources
        .into_iter()
        .map(|(path, source)| {
            let name = match &single {
                Some(_) => format!("{spec}:{relative}"),
                None => format!("{spec}:{relative}/{}", path.trim_start_matches(&prefix)),
            };
            (path, Arc::new(SourceFile::new(name, source.text.clone())))
        })
        .collect();
    Ok(Baseline {
        name: spec.to_string(),
        wit,
    })
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("failed to run git: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// How big a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Addition,
    Breaking,
}

struct Item {
    change: Change,
    path: String,
    message: String,
    labels: Vec<Label>,
}

/// Compares the current WIT with the baseline, package by package.
pub fn compare(current: &Wit, baseline: &Baseline) -> Report {
    let mut report = Report::default();
    let by_name = |wit: &Wit| -> BTreeMap<String, PackageId> {
        wit.packages
            .iter()
            .map(|id| {
                let name = &wit.resolve.packages[*id].name;
                (format!("{}:{}", name.namespace, name.name), *id)
            })
            .collect()
    };
    let old_packages = by_name(&baseline.wit);
    let new_packages = by_name(current);
    for (name, old_id) in &old_packages {
        let Some(new_id) = new_packages.get(name) else {
            report.findings.push(Finding {
                kind: FindingKind::BreakingChange,
                severity: Severity::Error,
                path: name.clone(),
                message: format!("package `{name}` was removed since `{}`", baseline.name),
                expected: None,
                found: None,
                labels: label(
                    &baseline.wit,
                    baseline.wit.resolve.packages[*old_id]
                        .interfaces
                        .values()
                        .next()
                        .map(|i| baseline.wit.resolve.interfaces[*i].span),
                    "it was defined here".into(),
                )
                .into_iter()
                .collect(),
            });
            continue;
        };
        let items = diff_package(name, current, *new_id, &baseline.wit, *old_id);
        judge(
            &mut report,
            name,
            current,
            *new_id,
            &baseline.wit,
            *old_id,
            &baseline.name,
            items,
        );
    }
    report
}

fn label(wit: &Wit, span: Option<Span>, text: String) -> Option<Label> {
    let span = span.filter(|s| s.is_known())?;
    let location = wit.resolve.source_map.resolve_span(span)?;
    Some(Label {
        source: wit.sources.get(location.path)?.clone(),
        span: location.range,
        text,
    })
}

fn diff_package(
    package: &str,
    new: &Wit,
    new_id: PackageId,
    old: &Wit,
    old_id: PackageId,
) -> Vec<Item> {
    let mut items = Vec::new();
    let new_pkg = &new.resolve.packages[new_id];
    let old_pkg = &old.resolve.packages[old_id];
    for (short_name, old_iface) in &old_pkg.interfaces {
        let iface_name = &format!("{package}/{short_name}");
        let Some(new_iface) = new_pkg.interfaces.get(short_name) else {
            items.push(Item {
                change: Change::Breaking,
                path: iface_name.clone(),
                message: format!("interface `{iface_name}` was removed"),
                labels: label(
                    old,
                    Some(old.resolve.interfaces[*old_iface].span),
                    "it was defined here".into(),
                )
                .into_iter()
                .collect(),
            });
            continue;
        };
        // A component that imports the old interface must still be
        // satisfied by an export of the new one.
        for m in compat::compare_interfaces(
            Side {
                resolve: &old.resolve,
                interface: *old_iface,
            },
            Side {
                resolve: &new.resolve,
                interface: *new_iface,
            },
        ) {
            let mut labels = Vec::new();
            labels.extend(label(
                new,
                m.export_span,
                match &m.found {
                    Some(t) => format!("now `{t}`"),
                    None => "no longer here".to_string(),
                },
            ));
            labels.extend(label(
                old,
                m.import_span,
                match &m.expected {
                    Some(t) => format!("was `{t}`"),
                    None => "was not here".to_string(),
                },
            ));
            let message = match (&m.expected, &m.found) {
                (Some(was), Some(now)) => format!("changed from {was} to {now}"),
                (Some(was), None) => format!("was removed (it was `{was}`)"),
                (None, Some(now)) => {
                    format!("gained `{now}`, which components built against the baseline lack")
                }
                (None, None) => m.message.clone(),
            };
            items.push(Item {
                change: Change::Breaking,
                path: format!("{iface_name}.{}", m.path),
                message,
                labels,
            });
        }
        // Anything the new interface has that the old one lacks is an addition.
        let (old_i, new_i) = (
            &old.resolve.interfaces[*old_iface],
            &new.resolve.interfaces[*new_iface],
        );
        for (func, f) in &new_i.functions {
            if !old_i.functions.contains_key(func) {
                items.push(Item {
                    change: Change::Addition,
                    path: format!("{iface_name}.{func}"),
                    message: format!("function `{func}` was added"),
                    labels: label(new, Some(f.span), "added here".into())
                        .into_iter()
                        .collect(),
                });
            }
        }
        for (ty, id) in &new_i.types {
            if !old_i.types.contains_key(ty) {
                items.push(Item {
                    change: Change::Addition,
                    path: format!("{iface_name}.{ty}"),
                    message: format!("type `{ty}` was added"),
                    labels: label(new, Some(new.resolve.types[*id].span), "added here".into())
                        .into_iter()
                        .collect(),
                });
            }
        }
    }
    for (short_name, id) in &new_pkg.interfaces {
        let iface_name = &format!("{package}/{short_name}");
        if !old_pkg.interfaces.contains_key(short_name) {
            items.push(Item {
                change: Change::Addition,
                path: iface_name.clone(),
                message: format!("interface `{iface_name}` was added"),
                labels: label(
                    new,
                    Some(new.resolve.interfaces[*id].span),
                    "added here".into(),
                )
                .into_iter()
                .collect(),
            });
        }
    }
    for (world_name, old_world) in &old_pkg.worlds {
        let Some(new_world) = new_pkg.worlds.get(world_name) else {
            items.push(Item {
                change: Change::Breaking,
                path: world_name.clone(),
                message: format!("world `{world_name}` was removed"),
                labels: label(
                    old,
                    Some(old.resolve.worlds[*old_world].span),
                    "it was defined here".into(),
                )
                .into_iter()
                .collect(),
            });
            continue;
        };
        let names =
            |wit: &Wit, items: &indexmap::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>| {
                items
                    .keys()
                    .map(|k| {
                        // Interfaces of the package itself change version
                        // with it: compare world items without versions.
                        let name = wit.resolve.name_world_key(k);
                        match name.split_once('@') {
                            Some((base, _)) => base.to_string(),
                            None => name,
                        }
                    })
                    .collect::<Vec<_>>()
            };
        let (ow, nw) = (
            &old.resolve.worlds[*old_world],
            &new.resolve.worlds[*new_world],
        );
        let span = Some(nw.span);
        for (what, old_names, new_names) in [
            ("export", names(old, &ow.exports), names(new, &nw.exports)),
            ("import", names(old, &ow.imports), names(new, &nw.imports)),
        ] {
            for name in old_names.iter().filter(|n| !new_names.contains(n)) {
                items.push(Item {
                    change: Change::Breaking,
                    path: format!("{world_name}.{name}"),
                    message: format!("world `{world_name}` no longer {what}s `{name}`"),
                    labels: label(new, span, "this world".into()).into_iter().collect(),
                });
            }
            for name in new_names.iter().filter(|n| !old_names.contains(n)) {
                // A new import asks more of every host: breaking. A new
                // export only offers more: an addition.
                let change = if what == "import" {
                    Change::Breaking
                } else {
                    Change::Addition
                };
                items.push(Item {
                    change,
                    path: format!("{world_name}.{name}"),
                    message: format!("world `{world_name}` now {what}s `{name}`"),
                    labels: label(new, span, "this world".into()).into_iter().collect(),
                });
            }
        }
    }
    items
}

/// The smallest version after `old` that carries a change of size `change`.
fn required(old: &Version, change: Change) -> Version {
    match (change, old.major, old.minor) {
        (Change::Breaking, 0, 0) | (Change::Addition, 0, 0) => Version::new(0, 0, old.patch + 1),
        (Change::Breaking, 0, minor) => Version::new(0, minor + 1, 0),
        (Change::Addition, 0, minor) => Version::new(0, minor, old.patch + 1),
        (Change::Breaking, major, _) => Version::new(major + 1, 0, 0),
        (Change::Addition, major, minor) => Version::new(major, minor + 1, 0),
    }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    report: &mut Report,
    package: &str,
    new: &Wit,
    new_id: PackageId,
    old: &Wit,
    old_id: PackageId,
    baseline: &str,
    items: Vec<Item>,
) {
    let Some(biggest) = items.iter().map(|i| i.change).max() else {
        return;
    };
    let old_version = old.resolve.packages[old_id].name.version.clone();
    let new_version = new.resolve.packages[new_id].name.version.clone();
    let verdict: Result<String, String> = match (&old_version, &new_version) {
        (Some(old_v), Some(new_v)) => {
            let need = required(old_v, biggest);
            if *new_v >= need {
                Ok(format!(
                    "{package} {new_v} carries it (needs at least {need} after {old_v})"
                ))
            } else {
                Err(format!(
                    "{package} is declared {new_v}, but these changes since {old_v} need at least {need}"
                ))
            }
        }
        (None, Some(new_v)) => Ok(format!("{package} is now versioned {new_v}")),
        (Some(old_v), None) => Err(format!("{package} was {old_v} and is now unversioned")),
        (None, None) if biggest == Change::Breaking => Err(format!(
            "{package} has no version to signal breaking changes with; add one (`package {package}@1.0.0;`)"
        )),
        (None, None) => Ok(format!(
            "{package} has no version; additions are compatible"
        )),
    };
    let (failing, summary) = match verdict {
        Ok(s) => (false, s),
        Err(s) => (true, s),
    };
    for item in items {
        let severity = match (item.change, failing) {
            (Change::Breaking, true) => Severity::Error,
            (Change::Addition, true) if biggest == Change::Addition => Severity::Error,
            _ => Severity::Note,
        };
        let kind = match item.change {
            Change::Breaking => FindingKind::BreakingChange,
            Change::Addition => FindingKind::Addition,
        };
        report.findings.push(Finding {
            kind,
            severity,
            path: item.path.clone(),
            message: format!(
                "{}: {} since `{baseline}`; {summary}",
                item.path, item.message
            ),
            expected: None,
            found: None,
            labels: item.labels,
        });
    }
}

//! Which runtimes can run a file: what each runtime supports is data, the
//! [`RUNTIMES`] table, and one function, [`verdict`], reads a file's facts
//! against a row. Adding a runtime, or a capability a runtime gained, is
//! editing the table, not the code.
//!
//! The rows describe the releases the seed compares (wasmtime 48, WasmEdge
//! 0.14, Wasmer 4-6, jco 1, Spin 3): Component Model support where it is
//! usable for WASI 0.2 components, the WASI each offers to components and
//! to core modules, the exports it can drive, whether it loads precompiled
//! files, and how to cap linear memory.

use serde::Serialize;

use crate::artifact::Precompiled;
use crate::artifact::precompiled::PrecompiledKind;
use crate::host::{Answer, HostProfile};

/// Whether a runtime supports something, and why not when it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Supported.
    Yes,
    /// Not supported, for this reason.
    No(&'static str),
}

/// Something a runtime can start a file by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPoint {
    /// An exported interface (`wasi:cli/run@0.2.0`), matched by the host
    /// model's semver rule ([`crate::host::compatible`]).
    Interface(&'static str),
    /// Any exported function, called by name (`--invoke`, an embedder's
    /// call, a JavaScript import).
    AnyFunction,
    /// A core module's `_start` (a WASI preview-1 command).
    Start,
}

/// How one runtime starts a file by an entry point: `{file}` stands for
/// the file, `{function}` for an exported function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The entry point.
    pub point: EntryPoint,
    /// The command line or API call that uses it.
    pub how: &'static str,
}

/// Which precompiled files a runtime loads, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrecompiledSupport {
    /// The wasmtime release whose `.cwasm` files it loads, as wasmtime
    /// records it in them: the major version (`48`), since every patch
    /// release of one major version loads the others' files.
    pub wasmtime: &'static str,
    /// How to run one (`{file}` stands for the file).
    pub how: &'static str,
}

/// What one runtime (or host profile) can run.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeProfile {
    /// A short identifier for JSON and tests: `wasmtime-cli`.
    pub id: &'static str,
    /// The name users know it by, with the version described.
    pub name: &'static str,
    /// Whether it runs components.
    pub components: Support,
    /// Whether it runs core modules.
    pub core_modules: Support,
    /// The host profile ([`crate::host`]) that says what it provides to a
    /// component's imports; `None` where it runs no components.
    pub host: Option<&'static str>,
    /// The modules it provides to a core module's imports.
    pub core_import_modules: &'static [&'static str],
    /// The component exports it can start, in order of preference.
    pub component_entries: &'static [Entry],
    /// The core exports it can start, in order of preference.
    pub core_entries: &'static [Entry],
    /// The precompiled files it loads (wasmtime only: `.cwasm` files of its
    /// own version, for this CPU).
    pub precompiled: Option<PrecompiledSupport>,
    /// How to cap a guest's linear memory, when the runtime can.
    pub memory_limit: Option<&'static str>,
    /// Deployments on this profile need an explicit memory cap: edge
    /// devices that run out of memory otherwise (the seed's pitfall 4).
    pub memory_limit_required: bool,
}

/// The runtimes `wcompose inspect` gives a verdict for.
pub const RUNTIMES: &[RuntimeProfile] = &[
    RuntimeProfile {
        id: "wasmtime-cli",
        name: "wasmtime CLI 48",
        components: Support::Yes,
        core_modules: Support::Yes,
        host: Some("wasi-http"),
        core_import_modules: &["wasi_snapshot_preview1", "wasi_unstable"],
        component_entries: &[
            Entry {
                point: EntryPoint::Interface("wasi:cli/run@0.2.0"),
                how: "wasmtime run {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:cli/run@0.3.0"),
                how: "wasmtime run {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:http/incoming-handler@0.2.0"),
                how: "wasmtime serve {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:http/handler@0.3.0"),
                how: "wasmtime serve {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wasmtime run --invoke '{function}(...)' {file}",
            },
        ],
        core_entries: &[
            Entry {
                point: EntryPoint::Start,
                how: "wasmtime run {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wasmtime run --invoke {function} {file}",
            },
        ],
        precompiled: Some(PrecompiledSupport {
            wasmtime: "48",
            how: "wasmtime run --allow-precompiled {file}",
        }),
        memory_limit: Some("wasmtime run -W max-memory-size=33554432 {file}"),
        memory_limit_required: false,
    },
    RuntimeProfile {
        id: "wasmtime-embedding",
        name: "wasmtime 48 embedded (wasmtime-wasi, as `wcompose run` does)",
        components: Support::Yes,
        core_modules: Support::Yes,
        host: Some("wasmtime"),
        core_import_modules: &["wasi_snapshot_preview1"],
        component_entries: &[
            Entry {
                point: EntryPoint::Interface("wasi:cli/run@0.2.0"),
                how: "wcompose run {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:cli/run@0.3.0"),
                how: "wcompose run {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wcompose run --invoke '{function}(...)' {file}",
            },
        ],
        core_entries: &[
            Entry {
                point: EntryPoint::Start,
                how: "wcompose run {file} (componentized with the command adapter on the fly)",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wasmtime::Linker with wasmtime_wasi::preview1, then call `{function}`",
            },
        ],
        precompiled: Some(PrecompiledSupport {
            wasmtime: "48",
            how: "unsafe { Component::deserialize_file(&engine, \"{file}\") } (trusted files only)",
        }),
        memory_limit: Some("wcompose run --max-memory 32MiB {file}"),
        memory_limit_required: false,
    },
    RuntimeProfile {
        id: "wcompose-serve",
        name: "wasmtime 48 embedded as an HTTP server (wasmtime-wasi-http, as `wcompose serve` does)",
        components: Support::Yes,
        core_modules: Support::No(
            "an HTTP server runs components that export a handler; a core module exports none",
        ),
        host: Some("wasi-http"),
        core_import_modules: &[],
        component_entries: &[
            Entry {
                point: EntryPoint::Interface("wasi:http/handler@0.3.0"),
                how: "wcompose serve {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:http/incoming-handler@0.2.0"),
                how: "wcompose serve {file}",
            },
        ],
        core_entries: &[],
        precompiled: None,
        memory_limit: Some("wcompose serve --max-memory 32MiB {file}"),
        memory_limit_required: false,
    },
    RuntimeProfile {
        id: "wasmedge",
        name: "WasmEdge 0.14",
        components: Support::No(
            "WasmEdge's Component Model support is experimental and does not run WASI 0.2 \
             components; run the wasm32-wasip1 core module the component was made from",
        ),
        core_modules: Support::Yes,
        host: None,
        core_import_modules: &[
            "wasi_snapshot_preview1",
            "wasi_ephemeral_nn",
            "wasi_ephemeral_crypto_common",
            "wasi_ephemeral_crypto_asymmetric_common",
            "wasi_ephemeral_crypto_kx",
            "wasi_ephemeral_crypto_signatures",
            "wasi_ephemeral_crypto_symmetric",
        ],
        component_entries: &[],
        core_entries: &[
            Entry {
                point: EntryPoint::Start,
                how: "wasmedge --dir .:. {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wasmedge --reactor {file} {function}",
            },
        ],
        precompiled: None,
        memory_limit: Some("wasmedge --memory-page-limit 512 {file}"),
        memory_limit_required: true,
    },
    RuntimeProfile {
        id: "wasmer",
        name: "Wasmer 4-6",
        components: Support::No(
            "Wasmer does not run components; run the wasm32-wasip1 core module the component \
             was made from",
        ),
        core_modules: Support::Yes,
        host: None,
        core_import_modules: &[
            "wasi_snapshot_preview1",
            "wasi_unstable",
            "wasix_32v1",
            "wasix_64v1",
        ],
        component_entries: &[],
        core_entries: &[
            Entry {
                point: EntryPoint::Start,
                how: "wasmer run {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "wasmer run {file} --invoke {function}",
            },
        ],
        precompiled: None,
        memory_limit: None,
        memory_limit_required: false,
    },
    RuntimeProfile {
        id: "jco",
        name: "jco 1 (components transpiled to JavaScript, WASI 0.2 by preview2-shim)",
        components: Support::Yes,
        core_modules: Support::No(
            "jco transpiles components only; componentize the core module first \
             (`wcompose componentize`)",
        ),
        host: Some("jco"),
        core_import_modules: &[],
        component_entries: &[
            Entry {
                point: EntryPoint::Interface("wasi:cli/run@0.2.0"),
                how: "jco run {file}",
            },
            Entry {
                point: EntryPoint::Interface("wasi:http/incoming-handler@0.2.0"),
                how: "jco serve {file}",
            },
            Entry {
                point: EntryPoint::AnyFunction,
                how: "jco transpile {file} -o out/, then import `{function}` from JavaScript",
            },
        ],
        core_entries: &[],
        precompiled: None,
        memory_limit: None,
        memory_limit_required: false,
    },
    RuntimeProfile {
        id: "spin",
        name: "Spin 3",
        components: Support::Yes,
        core_modules: Support::No(
            "Spin runs components with a trigger export; componentize the core module first, \
             against a world that exports `wasi:http/incoming-handler`",
        ),
        host: Some("spin"),
        core_import_modules: &[],
        component_entries: &[Entry {
            point: EntryPoint::Interface("wasi:http/incoming-handler@0.2.0"),
            how: "spin up (spin.toml: an HTTP trigger with `source = \"{file}\"`)",
        }],
        core_entries: &[],
        precompiled: None,
        memory_limit: None,
        memory_limit_required: false,
    },
];

/// What [`verdict`] needs to know about a file.
#[derive(Debug, Clone)]
pub enum Facts {
    /// A component.
    Component {
        /// Its imports that a host must provide (interfaces with functions
        /// or resources, functions): name and version.
        imports: Vec<(String, Option<String>)>,
        /// Its exported interfaces (name and version).
        export_interfaces: Vec<(String, Option<String>)>,
        /// Its exported functions, qualified (`toolsku:formatter/format#csv-to-json`).
        export_functions: Vec<String>,
    },
    /// A core module.
    Core {
        /// The modules it imports from.
        import_modules: Vec<String>,
        /// It exports `_start`.
        has_start: bool,
        /// Its exported functions other than `_start` and `_initialize`.
        export_functions: Vec<String>,
    },
    /// A WIT package encoded as a component: types, no code.
    WitPackage,
    /// A precompiled file.
    Precompiled(Precompiled),
}

/// One runtime's answer for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The runtime's [`RuntimeProfile::id`].
    pub runtime: &'static str,
    /// The runtime's [`RuntimeProfile::name`].
    pub name: &'static str,
    /// Whether the runtime can run the file.
    pub runs: bool,
    /// How to run it there, when it can.
    pub how: Option<String>,
    /// Why it cannot, one reason per problem.
    pub reasons: Vec<String>,
    /// What to mind when it can.
    pub notes: Vec<String>,
}

/// Reads a file's facts against one runtime's row.
pub fn verdict(
    profile: &RuntimeProfile,
    facts: &Facts,
    file: &str,
    unbounded_memory: bool,
) -> Verdict {
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut how = None;
    match facts {
        Facts::Precompiled(precompiled) => {
            precompiled_verdict(profile, precompiled, &mut reasons);
            how = profile
                .precompiled
                .map(|support| fill(support.how, file, ""));
        }
        Facts::WitPackage => reasons.push(
            "a WIT package holds types and interfaces, no code: build a component that \
             implements one of its worlds"
                .to_string(),
        ),
        Facts::Component {
            imports,
            export_interfaces,
            export_functions,
        } => {
            if let Support::No(why) = profile.components {
                reasons.push(format!("a component needs the Component Model: {why}"));
            } else {
                let host = profile.host.and_then(HostProfile::named);
                for (name, version) in imports {
                    let full = match version {
                        Some(version) => format!("{name}@{version}"),
                        None => name.clone(),
                    };
                    match host.as_ref().map(|host| host.answer(&full)) {
                        Some(Answer::Provided { .. }) => {}
                        Some(Answer::Older { host }) => notes.push(format!(
                            "it imports `{full}` and {} has {host}: it links if it uses nothing \
                             added after {host}",
                            profile.name
                        )),
                        _ => reasons.push(missing_import(profile, host.as_ref(), &full, name)),
                    }
                }
                how = profile
                    .component_entries
                    .iter()
                    .find_map(|entry| entry_how(entry, file, export_interfaces, export_functions));
                if how.is_none() {
                    reasons.push(no_component_entry(profile, export_interfaces));
                }
            }
        }
        Facts::Core {
            import_modules,
            has_start,
            export_functions,
        } => {
            if let Support::No(why) = profile.core_modules {
                reasons.push(format!("it is a core module: {why}"));
            } else {
                for module in import_modules {
                    if !profile.core_import_modules.contains(&module.as_str()) {
                        reasons.push(missing_core_import(profile, module));
                    }
                }
                how = profile
                    .core_entries
                    .iter()
                    .find_map(|entry| match entry.point {
                        EntryPoint::Start if *has_start => Some(fill(entry.how, file, "")),
                        EntryPoint::AnyFunction => export_functions
                            .first()
                            .map(|function| fill(entry.how, file, function)),
                        _ => None,
                    });
                if how.is_none() {
                    reasons.push(format!(
                        "it exports neither `_start` nor a function that {} can call",
                        profile.name
                    ));
                }
            }
        }
    }
    let runs = reasons.is_empty();
    if runs && unbounded_memory {
        match (profile.memory_limit, profile.memory_limit_required) {
            (Some(limit), true) => notes.push(format!(
                "its memory has no maximum and this profile needs a cap (edge devices run out \
                 of memory otherwise): `{}`",
                fill(limit, file, "")
            )),
            (Some(limit), false) => notes.push(format!(
                "its memory has no maximum; to cap it: `{}`",
                fill(limit, file, "")
            )),
            (None, _) => {}
        }
    }
    Verdict {
        runtime: profile.id,
        name: profile.name,
        runs,
        how: if runs { how } else { None },
        reasons,
        notes,
    }
}

fn precompiled_verdict(
    profile: &RuntimeProfile,
    precompiled: &Precompiled,
    reasons: &mut Vec<String>,
) {
    let wasmtime = matches!(
        precompiled.kind,
        PrecompiledKind::WasmtimeModule | PrecompiledKind::WasmtimeComponent
    );
    let Some(version) = profile
        .precompiled
        .map(|support| support.wasmtime)
        .filter(|_| wasmtime)
    else {
        reasons.push(format!(
            "it is machine code precompiled for another engine, which {} cannot load: give it \
             the `.wasm` it was compiled from",
            profile.name
        ));
        return;
    };
    let same_release = precompiled.engine_version.as_deref().is_some_and(|v| {
        v == version
            || v.strip_prefix(version)
                .is_some_and(|rest| rest.starts_with('.'))
    });
    if !same_release {
        reasons.push(format!(
            "it was precompiled by wasmtime {}, and wasmtime {version} loads only its own \
             precompiled files; {}",
            precompiled
                .engine_version
                .as_deref()
                .unwrap_or("(unknown version)"),
            precompiled.help()
        ));
    }
    if !precompiled.runs_on_this_cpu() {
        reasons.push(format!(
            "its machine code is for {}, not this {} CPU (the seed's SIGILL pitfall); {}",
            precompiled.arch.as_deref().unwrap_or("another CPU"),
            std::env::consts::ARCH,
            precompiled.help()
        ));
    }
}

fn missing_import(
    profile: &RuntimeProfile,
    host: Option<&HostProfile>,
    full: &str,
    name: &str,
) -> String {
    let package = name.split('/').next().unwrap_or(name);
    let host_has_package = host.is_some_and(|host| {
        host.provides
            .iter()
            .any(|p| p.name.split('/').next() == Some(package))
    });
    if !name.contains(':') {
        format!(
            "it imports `{full}`, which no host provides: plug a component into it \
             (compose it) first"
        )
    } else if host_has_package {
        format!(
            "it imports `{full}`, which {} does not provide at that version or under that name",
            profile.name
        )
    } else if name.starts_with("wasi:") {
        format!(
            "it imports `{full}`, which {} does not provide",
            profile.name
        )
    } else {
        format!(
            "it imports `{full}`, which {} does not provide: compose it with a component \
             that exports it first (`wcompose compose`)",
            profile.name
        )
    }
}

fn missing_core_import(profile: &RuntimeProfile, module: &str) -> String {
    if module.starts_with("wasi:") {
        format!(
            "it imports `{module}`, a WASI 0.2 interface, which {} does not provide to core \
             modules: link it into a component (`wcompose componentize`)",
            profile.name
        )
    } else if module.contains(':') {
        format!(
            "it imports `{module}`, a WIT interface, which {} does not provide to core \
             modules: componentize it and compose it with a component that exports it",
            profile.name
        )
    } else {
        format!(
            "it imports from `{module}`, which {} does not provide (WASI is missing: was it \
             built for wasm32-unknown-unknown instead of wasm32-wasip1?)",
            profile.name
        )
    }
}

fn no_component_entry(profile: &RuntimeProfile, exports: &[(String, Option<String>)]) -> String {
    let wanted: Vec<String> = profile
        .component_entries
        .iter()
        .map(|entry| match entry.point {
            EntryPoint::Interface(name) => {
                let (base, version) = crate::host::split_version(name);
                match version {
                    Some(v) if v.major == 0 => format!("`{base}@0.{}.x`", v.minor),
                    Some(v) => format!("`{base}@{}.x`", v.major),
                    None => format!("`{base}`"),
                }
            }
            EntryPoint::AnyFunction => "an exported function".to_string(),
            EntryPoint::Start => "`_start`".to_string(),
        })
        .collect();
    let exported: Vec<String> = exports
        .iter()
        .map(|(name, version)| match version {
            Some(version) => format!("`{name}@{version}`"),
            None => format!("`{name}`"),
        })
        .collect();
    format!(
        "{} starts only components that export {}; this one exports {}",
        profile.name,
        or_list(&wanted),
        if exported.is_empty() {
            "no interface".to_string()
        } else {
            exported.join(", ")
        }
    )
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn entry_how(
    entry: &Entry,
    file: &str,
    export_interfaces: &[(String, Option<String>)],
    export_functions: &[String],
) -> Option<String> {
    match entry.point {
        EntryPoint::Interface(pattern) => {
            let (wanted, wanted_version) = crate::host::split_version(pattern);
            export_interfaces
                .iter()
                .any(|(name, version)| {
                    let version = version
                        .as_deref()
                        .and_then(|v| semver::Version::parse(v).ok());
                    name == wanted
                        && match (&version, &wanted_version) {
                            (Some(a), Some(b)) => crate::host::compatible(a, b),
                            (None, None) => true,
                            _ => false,
                        }
                })
                .then(|| fill(entry.how, file, ""))
        }
        EntryPoint::AnyFunction => export_functions.first().map(|function| {
            // `--invoke` takes the short name; the qualified one is for JSON.
            let short = function.rsplit('#').next().unwrap_or(function);
            fill(entry.how, file, short)
        }),
        EntryPoint::Start => None,
    }
}

fn fill(template: &str, file: &str, function: &str) -> String {
    template
        .replace("{file}", file)
        .replace("{function}", function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_has_a_way_in_for_what_it_supports() {
        for profile in RUNTIMES {
            assert_eq!(
                profile.components == Support::Yes,
                !profile.component_entries.is_empty(),
                "{}",
                profile.id
            );
            assert_eq!(
                profile.components == Support::Yes,
                profile
                    .host
                    .is_some_and(|h| HostProfile::named(h).is_some()),
                "{}: a runtime of components names a shipped host profile",
                profile.id
            );
            assert_eq!(
                profile.core_modules == Support::Yes,
                !profile.core_entries.is_empty(),
                "{}",
                profile.id
            );
        }
    }
}

//! What wcompose says about wit-component's verdict: when the encoder
//! refuses a core module, the refusal in the words of the mistake that
//! usually causes it (a wasm32-unknown-unknown build, a core without a
//! world, the command adapter on a library); when it accepts one that will
//! not do what its author likely meant, advice. Nothing here refuses a
//! module: these only run on the encoder's answer.

use std::fmt;

use super::adapter::{Adapter, CLI_RUN_EXPORT};
use super::{ComponentizeError, Unresolved};
use crate::artifact::{CoreModule, WASI_P1_MODULE};

/// Advice on a component that the encoder made, but that may not be what
/// the core module's author meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advice {
    /// The core module embeds no WIT world, so none of its functions became
    /// exports of the component.
    NoWorld,
    /// The reactor adapter was asked for, but the module is a preview-1
    /// command: nothing calls its `_start`.
    ReactorForCommand,
    /// The command adapter adds `wasi:cli/run` to a module that exports a
    /// `wasi:cli/run` of its own: the component exports both.
    CommandTwice {
        /// The module's own `wasi:cli/run` export.
        export: String,
    },
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::NoWorld => f.write_str(
                "the core module has no `component-type` custom section, so no WIT world names its functions: \
                 the component exports none of them\n  \
                 help: build it with `wit_bindgen::generate!` against the WIT it implements, or embed that \
                 world (`--wit DIR --world WORLD`)",
            ),
            Advice::ReactorForCommand => f.write_str(
                "the core module is a preview-1 command (it exports `_start`), but the reactor adapter never \
                 calls `_start`\n  \
                 help: use the command adapter (the default for modules with `_start`)",
            ),
            Advice::CommandTwice { export } => write!(
                f,
                "the core module exports `{export}` and `_start`: the component exports the module's \
                 `wasi:cli/run` and the command adapter's, which calls `_start`\n  \
                 help: to keep only the module's, use the reactor adapter (`--adapter reactor`)"
            ),
        }
    }
}

/// The advice on a component that the encoder made from `core`.
pub(super) fn advise(core: &CoreModule, adapter: Option<Adapter>) -> Vec<Advice> {
    let mut advice = Vec::new();
    let named = |name: &str| {
        !(name == "memory"
            || name == "_initialize"
            || name == "_start"
            || name.starts_with("cabi_")
            || name.starts_with("__"))
    };
    if !core.has_component_type
        && adapter != Some(Adapter::Command)
        && core.exports.iter().any(|e| named(e))
    {
        advice.push(Advice::NoWorld);
    }
    if adapter == Some(Adapter::Reactor) && core.has_start {
        advice.push(Advice::ReactorForCommand);
    }
    if adapter == Some(Adapter::Command)
        && let Some(export) = core.exports.iter().find(|e| e.starts_with(CLI_RUN_EXPORT))
    {
        advice.push(Advice::CommandTwice {
            export: export.clone(),
        });
    }
    advice
}

/// The encoder's refusal of `core`, explained where a common mistake
/// accounts for it, else as it is.
pub(super) fn explain(
    core: &CoreModule,
    adapter: Option<Adapter>,
    custom: &[String],
    error: anyhow::Error,
) -> ComponentizeError {
    let reason = error.root_cause().to_string();
    if adapter == Some(Adapter::Command) && !core.has_start {
        return ComponentizeError::CommandWithoutStart { reason };
    }
    let failed = error
        .chain()
        .find_map(|cause| failed_import(&cause.to_string()));
    if let Some((module, name)) = failed
        && module != WASI_P1_MODULE
        && !custom.contains(&module)
    {
        if !names_an_interface(&module) {
            return ComponentizeError::ForeignImport {
                import: Box::new(Unresolved {
                    module,
                    name,
                    reason,
                }),
                world: core.has_component_type,
            };
        }
        if !core.has_component_type {
            return ComponentizeError::NoWorld {
                import: Box::new(Unresolved {
                    module,
                    name,
                    reason,
                }),
            };
        }
    }
    ComponentizeError::Encode {
        adapter,
        source: error,
    }
}

/// The import in wit-component's "failed to resolve import `MODULE::NAME`".
fn failed_import(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("failed to resolve import `")?;
    let import = rest.strip_suffix('`')?;
    let (module, name) = import.split_once("::")?;
    Some((module.to_string(), name.to_string()))
}

/// Whether an import module names something of a WIT world: an interface
/// (`ns:pkg/iface@1.0.0`), the world itself (`$root`), a world's export
/// (`[export]...`) or a name of the `cm32p2` scheme. A plain name such as
/// `env` may still be a world's named import, but when the encoder cannot
/// resolve it, it is not one.
fn names_an_interface(module: &str) -> bool {
    module.contains(':')
        || module.starts_with('$')
        || module.starts_with('[')
        || module.starts_with("cm32p2")
}

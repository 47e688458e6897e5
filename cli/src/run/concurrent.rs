//! WASI 0.3 and the Component Model's async features: telling which
//! components need them, linking WASI 0.3 beside WASI 0.2, and driving
//! instantiation and calls on wasmtime's event loop with the time limit.
//!
//! A component that uses no async feature and imports no WASI 0.3
//! interface runs in [`Mode::Sync`]: the synchronous WASI 0.2 host and
//! plain calls, on an engine that may leave out the concurrency
//! bookkeeping. Any other runs in [`Mode::Concurrent`], as the wasmtime
//! CLI 48 runs every component: WASI 0.2 (async host) and WASI 0.3 in one
//! linker, `wasi:cli/run@0.3.0` preferred over `@0.2` for commands, calls
//! through `call_async` on wasmtime-wasi's Tokio runtime.
//!
//! In concurrent mode a guest may wait on the host (a clock, stdin, a
//! future nothing will ever write) with no guest code running, where epoch
//! interruption cannot reach it; the whole run is therefore also bounded by
//! a timer for [`Limits::timeout`](super::Limits::timeout).

use std::future::Future;
use std::time::Duration;

use wasmparser::WasmFeatures;
use wasmtime::component::Type;
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{InstancePre, Linker};
use wasmtime::{Store, Trap};

use super::{Host, RunError, prepare, types};

/// How a component is linked and called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// WASI 0.2 only, synchronous host and calls.
    Sync,
    /// WASI 0.2 and 0.3, Component Model async, calls on the event loop.
    Concurrent,
}

impl Mode {
    /// The mode `bytes` (a component or a core module) needs: one pass over
    /// the component's own sections, its core modules skipped.
    pub(crate) fn of(bytes: &[u8]) -> Self {
        let concurrent = crate::artifact::any_component_payload(bytes, |depth, payload| {
            imports_wasi_p3(depth, payload) || crate::artifact::payload_needs_concurrency(payload)
        });
        if concurrent {
            Mode::Concurrent
        } else {
            Mode::Sync
        }
    }
}

/// Whether `payload`, at `depth` in a component, is its own import section
/// and imports a WASI 0.3 interface (`wasi:cli/stdout@0.3.0`, ...).
fn imports_wasi_p3(depth: usize, payload: &wasmparser::Payload<'_>) -> bool {
    match payload {
        wasmparser::Payload::ComponentImportSection(imports) if depth == 0 => imports
            .clone()
            .into_iter()
            .flatten()
            .any(|import| is_wasi_p3(import.name.name)),
        _ => false,
    }
}

/// `wasi:<package>/<interface>@0.3.*`.
fn is_wasi_p3(name: &str) -> bool {
    name.strip_prefix("wasi:")
        .and_then(|rest| rest.split_once('@'))
        .is_some_and(|(_, version)| version == "0.3" || version.starts_with("0.3."))
}

/// A linker with the WASI host for `mode`, for stores whose data is `T`
/// (`run`'s [`Host`], or `serve`'s, which adds WASI HTTP to it).
pub(crate) fn wasi_linker<T: wasmtime_wasi::WasiView + 'static>(
    engine: &wasmtime::Engine,
    mode: Mode,
) -> Result<Linker<T>, RunError> {
    let mut linker = Linker::new(engine);
    match mode {
        Mode::Sync => wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(prepare)?,
        Mode::Concurrent => {
            wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(prepare)?;
            wasmtime_wasi::p3::add_to_linker(&mut linker).map_err(prepare)?;
        }
    }
    Ok(linker)
}

/// A command, WASI 0.3 or 0.2, ready to instantiate.
pub(crate) enum CommandPre {
    /// Exports `wasi:cli/run@0.3.0`.
    P3(wasmtime_wasi::p3::bindings::CommandPre<Host>),
    /// Exports `wasi:cli/run@0.2.*` only.
    P2(wasmtime_wasi::p2::bindings::CommandPre<Host>),
}

impl CommandPre {
    /// The command `pre` exports, WASI 0.3 first as in the wasmtime CLI;
    /// `None` if it exports neither.
    pub(crate) fn new(pre: &InstancePre<Host>) -> Option<Self> {
        if let Ok(p3) = wasmtime_wasi::p3::bindings::CommandPre::new(pre.clone()) {
            return Some(Self::P3(p3));
        }
        wasmtime_wasi::p2::bindings::CommandPre::new(pre.clone())
            .ok()
            .map(Self::P2)
    }

    /// Instantiates the command in `store` and runs it to the end.
    pub(crate) async fn run(&self, store: &mut Store<Host>) -> wasmtime::Result<Result<(), ()>> {
        match self {
            Self::P3(pre) => {
                let command = pre.instantiate_async(&mut *store).await?;
                store
                    .run_concurrent(async |store| command.wasi_cli_run().call_run(store).await)
                    .await?
            }
            Self::P2(pre) => {
                let command = pre.instantiate_async(&mut *store).await?;
                command.wasi_cli_run().call_run(&mut *store).await
            }
        }
    }
}

/// Runs `future` to completion on wasmtime-wasi's Tokio runtime, failing
/// with an interrupt trap (as epoch interruption does) when it is not done
/// within `timeout`. Must not be called from inside a Tokio runtime.
pub(crate) fn block_on<T>(
    timeout: Option<Duration>,
    future: impl Future<Output = wasmtime::Result<T>>,
) -> wasmtime::Result<T> {
    wasmtime_wasi::runtime::in_tokio(async move {
        match timeout {
            None => future.await,
            Some(timeout) => match tokio::time::timeout(timeout, future).await {
                Ok(result) => result,
                Err(_) => Err(Trap::Interrupt.into()),
            },
        }
    })
}

/// The first parameter or result of `func` that holds a stream, a future
/// or an error context: `("parameter `rows`", "stream<string>")`. Those
/// are handles to something a caller provides or consumes over time, and
/// have no WAVE spelling.
pub(crate) fn first_handle(func: &ComponentFunc) -> Option<(String, String)> {
    for (name, ty) in func.params() {
        if let Some(inner) = handle_in(&ty) {
            return Some((format!("parameter `{name}`"), types::type_to_wit(&inner)));
        }
    }
    func.results().find_map(|ty| {
        handle_in(&ty).map(|inner| ("result".to_string(), types::type_to_wit(&inner)))
    })
}

/// The first stream, future or error-context type in `ty`, if any.
pub(crate) fn handle_in(ty: &Type) -> Option<Type> {
    match ty {
        Type::Stream(_) | Type::Future(_) | Type::ErrorContext => Some(ty.clone()),
        Type::List(l) => handle_in(&l.ty()),
        Type::FixedLengthList(l) => handle_in(&l.ty()),
        Type::Map(m) => handle_in(&m.key()).or_else(|| handle_in(&m.value())),
        Type::Record(r) => r.fields().find_map(|f| handle_in(&f.ty)),
        Type::Tuple(t) => t.types().find_map(|t| handle_in(&t)),
        Type::Variant(v) => v.cases().find_map(|c| c.ty.as_ref().and_then(handle_in)),
        Type::Option(o) => handle_in(&o.ty()),
        Type::Result(r) => r
            .ok()
            .as_ref()
            .and_then(handle_in)
            .or_else(|| r.err().as_ref().and_then(handle_in)),
        _ => None,
    }
}

/// Component Model features that wasmtime 48 knows but leaves off unless
/// asked, with the spelling of the wasmtime CLI 48's `-W` option for each
/// (its `wasmtime-cli-flags` field names, in kebab case).
const OFF_BY_DEFAULT: &[(WasmFeatures, &str, &str)] = &[
    (
        WasmFeatures::CM_ERROR_CONTEXT,
        "error-context",
        "component-model-error-context",
    ),
    (
        WasmFeatures::CM_ASYNC_STACKFUL,
        "stackful async",
        "component-model-async-stackful",
    ),
    (
        WasmFeatures::CM_MORE_ASYNC_BUILTINS,
        "more async builtins",
        "component-model-more-async-builtins",
    ),
    (
        WasmFeatures::CM_THREADING,
        "threading",
        "component-model-threading",
    ),
    (WasmFeatures::CM_GC, "GC", "component-model-gc"),
    (WasmFeatures::CM_MAP, "map types", "component-model-map"),
];

/// After wasmtime refused to compile `bytes`: the Component Model
/// features it is off by default that the component needs, if that is
/// why (the component is valid with every feature on, and invalid with
/// any of these off).
pub(crate) fn disabled_features(bytes: &[u8]) -> Vec<(&'static str, &'static str)> {
    if !wasmparser::Parser::is_component(bytes)
        || wasmparser::Validator::new_with_features(WasmFeatures::all())
            .validate_all(bytes)
            .is_err()
    {
        return Vec::new();
    }
    let defaults = WasmFeatures::default();
    OFF_BY_DEFAULT
        .iter()
        .filter(|(feature, _, _)| !defaults.contains(*feature))
        .filter(|(feature, _, _)| {
            wasmparser::Validator::new_with_features(WasmFeatures::all().difference(*feature))
                .validate_all(bytes)
                .is_err()
        })
        .map(|(_, name, flag)| (*name, *flag))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::component::Component;

    #[test]
    fn wasi_names_are_0_3_only_with_that_version() {
        assert!(is_wasi_p3("wasi:cli/stdout@0.3.0"));
        assert!(is_wasi_p3(
            "wasi:clocks/monotonic-clock@0.3.0-rc-2025-09-16"
        ));
        assert!(!is_wasi_p3("wasi:cli/stdout@0.2.6"));
        assert!(!is_wasi_p3("wasi:cli/stdout@0.30.0"));
        assert!(!is_wasi_p3("toolsku:calculator/ops@0.3.0"));
        assert!(!is_wasi_p3("wasi:cli/stdout"));
    }

    #[test]
    fn an_async_export_makes_a_component_concurrent_and_a_sync_one_does_not() {
        let async_wat = r#"(component
            (core module $m
                (func (export "f") (result i32) i32.const 0)
                (func (export "cb") (param i32 i32 i32) (result i32) i32.const 0))
            (core instance $i (instantiate $m))
            (func (export "f") async
                (canon lift (core func $i "f") async (callback (core func $i "cb")))))"#;
        let sync_wat = r#"(component
            (core module $m (func (export "f")))
            (core instance $i (instantiate $m))
            (func (export "f") (canon lift (core func $i "f"))))"#;
        let async_bytes = wat::parse_str(async_wat).unwrap();
        let sync_bytes = wat::parse_str(sync_wat).unwrap();
        assert_eq!(Mode::of(&async_bytes), Mode::Concurrent);
        assert_eq!(Mode::of(&sync_bytes), Mode::Sync);
    }

    #[test]
    fn the_mode_reads_nested_components_and_the_top_level_imports_only() {
        // WASI 0.3 imported by the component itself.
        let p3 = r#"(component (import "wasi:cli/stdout@0.3.0" (instance)))"#;
        assert_eq!(Mode::of(&wat::parse_str(p3).unwrap()), Mode::Concurrent);
        // An async lift in a nested component counts; its imports do not.
        let nested_async = r#"(component
            (component
                (core module $m
                    (func (export "f") (result i32) i32.const 0)
                    (func (export "cb") (param i32 i32 i32) (result i32) i32.const 0))
                (core instance $i (instantiate $m))
                (func (export "f") async
                    (canon lift (core func $i "f") async (callback (core func $i "cb"))))))"#;
        assert_eq!(
            Mode::of(&wat::parse_str(nested_async).unwrap()),
            Mode::Concurrent
        );
        let nested_import = r#"(component
            (component (import "wasi:cli/stdout@0.3.0" (instance))))"#;
        assert_eq!(
            Mode::of(&wat::parse_str(nested_import).unwrap()),
            Mode::Sync
        );
        // Core modules are skipped whole: a sync component with a core
        // module before and after a nested component stays sync, and one
        // whose module section is cut short finds nothing.
        let sync = r#"(component
            (core module (func (export "a")))
            (component (core module (func (export "b"))))
            (core module (func (export "c"))))"#;
        let bytes = wat::parse_str(sync).unwrap();
        assert_eq!(Mode::of(&bytes), Mode::Sync);
        assert_eq!(Mode::of(&bytes[..bytes.len() - 5]), Mode::Sync);
        assert_eq!(Mode::of(&wat::parse_str(p3).unwrap()[..12]), Mode::Sync);
    }

    #[test]
    fn a_component_needing_error_context_is_told_so() {
        let wat = r#"(component
            (core module $mem (memory (export "m") 1))
            (core instance $mi (instantiate $mem))
            (alias core export $mi "m" (core memory $m))
            (core func $new (canon error-context.new (memory $m)))
            (core module $use (import "" "new" (func (param i32 i32) (result i32))))
            (core instance (instantiate $use (with "" (instance (export "new" (func $new)))))))"#;
        let bytes = wat::parse_str(wat).unwrap();
        let engine = wasmtime::Engine::default();
        assert!(Component::new(&engine, &bytes).is_err());
        let found = disabled_features(&bytes);
        assert_eq!(
            found,
            vec![("error-context", "component-model-error-context")]
        );
        // A component that is simply invalid names no feature.
        assert!(disabled_features(b"\0asm\x0d\0\x01\0garbage").is_empty());
    }
}

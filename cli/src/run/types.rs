//! Component types in WIT syntax, the functions a component exports, and
//! values in WAVE.

use std::fmt::Write as _;

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, Type, Val, wasm_wave};

use super::ExportedFunc;

/// The functions a component exports: at the top level, and in the
/// interfaces (instances) it exports.
pub(crate) fn exported_functions(engine: &Engine, component: &Component) -> Vec<ExportedFunc> {
    let mut out = Vec::new();
    for (name, item) in component.component_type().exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(f) => out.push(exported(None, name, &f)),
            ComponentItem::ComponentInstance(instance) => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(f) = item.ty {
                        out.push(exported(Some(name), fname, &f));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn exported(interface: Option<&str>, name: &str, f: &ComponentFunc) -> ExportedFunc {
    ExportedFunc {
        interface: interface.map(str::to_string),
        name: name.to_string(),
        signature: signature(f),
        params: f.params().map(|(n, t)| (n.to_string(), t)).collect(),
        results: f.results().len(),
        handle: super::concurrent::first_handle(f),
    }
}

fn signature(f: &ComponentFunc) -> String {
    let params: Vec<_> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", type_to_wit(&t)))
        .collect();
    let keyword = if f.async_() { "async func" } else { "func" };
    let mut out = format!("{keyword}({})", params.join(", "));
    let results: Vec<_> = f.results().map(|t| type_to_wit(&t)).collect();
    if !results.is_empty() {
        let _ = write!(out, " -> {}", results.join(", "));
    }
    out
}

/// Renders a wasmtime component type in WIT syntax. Named types have no
/// names at this level, so records, variants and the like are spelled out.
pub fn type_to_wit(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(l) => format!("list<{}>", type_to_wit(&l.ty())),
        Type::Record(r) => {
            let fields: Vec<_> = r
                .fields()
                .map(|f| format!("{}: {}", f.name, type_to_wit(&f.ty)))
                .collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        Type::Tuple(t) => {
            let types: Vec<_> = t.types().map(|t| type_to_wit(&t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        Type::Variant(v) => {
            let cases: Vec<_> = v
                .cases()
                .map(|c| match c.ty {
                    Some(t) => format!("{}({})", c.name, type_to_wit(&t)),
                    None => c.name.to_string(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        Type::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        Type::Option(o) => format!("option<{}>", type_to_wit(&o.ty())),
        Type::Result(r) => {
            let side = |t: Option<Type>| t.map_or("_".to_string(), |t| type_to_wit(&t));
            match (r.ok(), r.err()) {
                (None, None) => "result".into(),
                (ok, err) => format!("result<{}, {}>", side(ok), side(err)),
            }
        }
        Type::Flags(f) => format!("flags {{ {} }}", f.names().collect::<Vec<_>>().join(", ")),
        Type::Own(_) => "own<resource>".into(),
        Type::Borrow(_) => "borrow<resource>".into(),
        Type::Stream(s) => match s.ty() {
            Some(t) => format!("stream<{}>", type_to_wit(&t)),
            None => "stream".into(),
        },
        Type::Future(f) => match f.ty() {
            Some(t) => format!("future<{}>", type_to_wit(&t)),
            None => "future".into(),
        },
        Type::ErrorContext => "error-context".into(),
        other => format!("{other:?}"),
    }
}

/// Renders a value in WAVE, the WebAssembly Value Encoding.
pub fn wave(value: &Val) -> String {
    wasm_wave::to_string(value).unwrap_or_else(|e| format!("<unprintable value: {e}>"))
}

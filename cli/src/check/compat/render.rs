//! WIT text for types, definitions and functions, as findings show them.

use wit_parser::{Function, FunctionKind, Resolve, Type, TypeDefKind, TypeId};

use super::*;

/// Renders a type as WIT text: primitives by keyword, named types by name,
/// `own` handles by resource name, `borrow<r>`, `list<u8>`, `list<u8, 4>`,
/// `option<string>`, `result`, `result<u32>`, `result<_, string>`,
/// `tuple<u32, f64>`, `map<string, u32>`, `future<u32>`, `stream`, and
/// anonymous records/variants/enums/flags structurally.
pub fn type_to_wit(resolve: &Resolve, ty: &Type) -> String {
    render_type(resolve, ty, 0)
}

/// Renders the definition of a type (the right-hand side of its WIT
/// declaration), e.g. `record { x: f64, y: f64 }`,
/// `variant { circle(f64), none }`, `enum { red, green }`,
/// `flags { read, write }`, `resource`, or the aliased type for `type a = b`.
/// Anonymous types render as in [`type_to_wit`].
pub fn definition_to_wit(resolve: &Resolve, id: TypeId) -> String {
    match resolve.types.get(id) {
        Some(def) => render_kind(resolve, &def.kind, 0),
        None => UNKNOWN.to_string(),
    }
}

/// Renders a function's signature as WIT text, e.g.
/// `func(a: f64, b: f64) -> f64`, `async func()`, `static func() -> r` or
/// `constructor(x: u32)`. The implicit `self` parameter of methods is
/// omitted, as in WIT source.
pub fn function_to_wit(resolve: &Resolve, func: &Function) -> String {
    let params = render_params(resolve, func);
    let implicit_result = |ty: &Type| match (&func.kind, dealias(resolve, *ty)) {
        // A constructor implicitly returns an owned handle to its resource.
        (FunctionKind::Constructor(rid), Type::Id(id)) => resolve
            .types
            .get(id)
            .and_then(|def| handle_view(resolve, def))
            .is_some_and(|(own, name)| own && name == resource_name(resolve, *rid)),
        _ => false,
    };
    let result = func
        .result
        .as_ref()
        .filter(|ty| !implicit_result(ty))
        .map(|ty| format!(" -> {}", type_to_wit(resolve, ty)))
        .unwrap_or_default();
    let prefix = match &func.kind {
        FunctionKind::Constructor(_) => "constructor",
        FunctionKind::Getter | FunctionKind::MethodGetter(_) => "get",
        FunctionKind::Setter | FunctionKind::MethodSetter(_) => "set",
        FunctionKind::StaticGetter(_) => "static get",
        FunctionKind::StaticSetter(_) => "static set",
        FunctionKind::Static(_) => "static func",
        FunctionKind::AsyncStatic(_) => "static async func",
        FunctionKind::AsyncFreestanding | FunctionKind::AsyncMethod(_) => "async func",
        FunctionKind::Freestanding | FunctionKind::Method(_) => "func",
    };
    format!("{prefix}{params}{result}")
}

pub(super) const UNKNOWN: &str = "<unknown type>";

pub(super) fn render_type(resolve: &Resolve, ty: &Type, depth: usize) -> String {
    let keyword = match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(id) => {
            return match resolve.types.get(*id) {
                Some(def) => match &def.name {
                    Some(name) => name.clone(),
                    None => render_kind(resolve, &def.kind, depth + 1),
                },
                None => UNKNOWN.to_string(),
            };
        }
    };
    keyword.to_string()
}

pub(super) fn render_optional(resolve: &Resolve, ty: &Option<Type>, depth: usize) -> String {
    match ty {
        Some(t) => render_type(resolve, t, depth),
        None => "_".to_string(),
    }
}

pub(super) fn render_kind(resolve: &Resolve, kind: &TypeDefKind, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "...".to_string();
    }
    let ty = |t: &Type| render_type(resolve, t, depth);
    match kind {
        TypeDefKind::Record(r) => {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, ty(&f.ty)))
                .collect();
            braced("record", &fields)
        }
        TypeDefKind::Variant(v) => {
            let cases: Vec<String> = v
                .cases
                .iter()
                .map(|c| match &c.ty {
                    Some(t) => format!("{}({})", c.name, ty(t)),
                    None => c.name.clone(),
                })
                .collect();
            braced("variant", &cases)
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<String> = e.cases.iter().map(|c| c.name.clone()).collect();
            braced("enum", &cases)
        }
        TypeDefKind::Flags(f) => {
            let flags: Vec<String> = f.flags.iter().map(|f| f.name.clone()).collect();
            braced("flags", &flags)
        }
        TypeDefKind::Resource => "resource".to_string(),
        TypeDefKind::Handle(Handle::Own(id)) => resource_name(resolve, *id),
        TypeDefKind::Handle(Handle::Borrow(id)) => {
            format!("borrow<{}>", resource_name(resolve, *id))
        }
        TypeDefKind::Tuple(t) => {
            let types: Vec<String> = t.types.iter().map(ty).collect();
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Option(t) => format!("option<{}>", ty(t)),
        TypeDefKind::Result(r) => match (&r.ok, &r.err) {
            (None, None) => "result".to_string(),
            (Some(ok), None) => format!("result<{}>", ty(ok)),
            (ok, Some(err)) => format!(
                "result<{}, {}>",
                render_optional(resolve, ok, depth),
                ty(err)
            ),
        },
        TypeDefKind::List(t) => format!("list<{}>", ty(t)),
        TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", ty(t)),
        TypeDefKind::Map(k, v) => format!("map<{}, {}>", ty(k), ty(v)),
        TypeDefKind::Future(p) => match p {
            Some(t) => format!("future<{}>", ty(t)),
            None => "future".to_string(),
        },
        TypeDefKind::Stream(p) => match p {
            Some(t) => format!("stream<{}>", ty(t)),
            None => "stream".to_string(),
        },
        TypeDefKind::Type(t) => ty(t),
        TypeDefKind::Unknown => UNKNOWN.to_string(),
    }
}

pub(super) fn braced(keyword: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("{keyword} {{}}")
    } else {
        format!("{keyword} {{ {} }}", items.join(", "))
    }
}

/// `(a: f64, b: f64)`, without the implicit `self` of methods.
pub(super) fn render_params(resolve: &Resolve, func: &Function) -> String {
    let skip_self = matches!(
        func.kind,
        FunctionKind::Method(_)
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::MethodGetter(_)
            | FunctionKind::MethodSetter(_)
    );
    let params: Vec<String> = func
        .params
        .iter()
        .skip(usize::from(skip_self))
        .map(|p| format!("{}: {}", p.name, type_to_wit(resolve, &p.ty)))
        .collect();
    format!("({})", params.join(", "))
}

/// A member as WIT text: `y: f64`, `circle(f64)`, `circle`, `red`, `read`.
pub(super) fn render_member(resolve: &Resolve, list: MemberList, m: &Member<'_>) -> String {
    match (list, &m.ty) {
        (MemberList::Fields, Some(t)) => format!("{}: {}", m.name, type_to_wit(resolve, t)),
        (MemberList::Cases, Some(t)) => format!("{}({})", m.name, type_to_wit(resolve, t)),
        _ => m.name.to_string(),
    }
}

/// The WIT declaration of a named type: `record point { x: f64 }`,
/// `resource r`, `type id = u32`.
pub(super) fn declaration(resolve: &Resolve, id: TypeId, name: &str) -> String {
    let rendered = definition_to_wit(resolve, id);
    let keyword = match resolve.types.get(id).map(|d| &d.kind) {
        Some(TypeDefKind::Resource) => return format!("resource {name}"),
        Some(TypeDefKind::Record(_)) => "record",
        Some(TypeDefKind::Variant(_)) => "variant",
        Some(TypeDefKind::Enum(_)) => "enum",
        Some(TypeDefKind::Flags(_)) => "flags",
        _ => return format!("type {name} = {rendered}"),
    };
    match rendered.strip_prefix(keyword) {
        Some(body) => format!("{keyword} {name}{body}"),
        None => format!("type {name} = {rendered}"),
    }
}

//! Structural compatibility of two WIT interfaces: does what an export provides
//! satisfy what an import expects?
//!
//! The check follows the rules that `wasmparser` (and therefore wasmtime and
//! wac) enforce when an instance is supplied for an instance import:
//!
//! * **Width subtyping on the interface only.** The export may provide more
//!   functions and more named types than the import lists; everything the
//!   import lists must be present in the export, by name.
//! * **Exact equality for everything else.** Function types must have the same
//!   sync/async flavour, the same number of parameters with the same names in
//!   the same order, the same parameter types and the same result. Records,
//!   variants, enums and flags must have exactly the same members, in the same
//!   order (the component model does *not* allow an export to add record fields
//!   or variant cases). Handles must agree on `own` vs `borrow` and on the
//!   resource.
//!
//! Types are compared structurally and transparently through type aliases
//! (`type a = b`, `use` imports), never by [`TypeId`] equality: each side
//! normally comes from its own [`Resolve`]. Resources are compared by name,
//! which is the only identity a resource has at the WIT level.
//!
//! Unlike the validator, which stops at the first error, [`compare_interfaces`]
//! reports every difference it finds. Named types are compared once, under
//! their own name (`point, field y`); functions that merely use a named type
//! that was already compared do not repeat its findings. Anonymous types
//! (`list<..>`, `option<..>`, `result<..>`, `tuple<..>`, handles, ...) are
//! compared where they appear, e.g. `get-point, result, option value`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Span, Type, TypeDef, TypeDefKind, TypeId,
};

/// How deep the comparison and the rendering may nest before giving up.
/// WIT type definitions are acyclic, so this is only a guard against
/// malformed input.
const MAX_DEPTH: usize = 64;

/// One side of the comparison: an interface inside a [`Resolve`].
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The resolve that owns `interface` and every type it refers to.
    pub resolve: &'a Resolve,
    /// The interface to compare.
    pub interface: InterfaceId,
}

/// The category of a [`Mismatch`].
///
/// Member-level categories ([`RecordField`](Self::RecordField),
/// [`VariantCase`](Self::VariantCase), [`EnumCase`](Self::EnumCase),
/// [`Flags`](Self::Flags), [`Resource`](Self::Resource)) take precedence;
/// otherwise the category is that of the enclosing slot, so a difference inside
/// an `option<..>` parameter is a [`ParamType`](Self::ParamType) and a
/// difference inside a record field's `list<..>` is a
/// [`RecordField`](Self::RecordField).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MismatchKind {
    /// The import lists a function (or resource method, static function or
    /// constructor) that the export does not provide.
    MissingFunction,
    /// The function exists on both sides but with a different flavour:
    /// sync vs `async`, or e.g. method vs static function.
    FunctionKind,
    /// The function has a different number of parameters.
    ParamCount,
    /// A parameter has a different name (names are part of a component
    /// function type).
    ParamName,
    /// A parameter has a different type.
    ParamType,
    /// The result differs: present on one side only, or a different type.
    ResultType,
    /// The import declares a named type that the export's interface lacks.
    MissingType,
    /// A named type of the interface is defined differently (e.g. a record on
    /// one side and a variant on the other, or `type id = u32` vs `u64`).
    TypeKind,
    /// A record field is missing, extra, renamed, reordered or retyped.
    RecordField,
    /// A variant case is missing, extra, renamed, reordered or has a different
    /// payload.
    VariantCase,
    /// An enum case is missing, extra, renamed or reordered.
    EnumCase,
    /// A flag is missing, extra, renamed or reordered.
    Flags,
    /// Two handles or resources differ: a different resource, or `own` vs
    /// `borrow`.
    Resource,
}

impl MismatchKind {
    /// A stable, kebab-case identifier for this kind (for machine-readable
    /// output).
    pub fn as_str(&self) -> &'static str {
        match self {
            MismatchKind::MissingFunction => "missing-function",
            MismatchKind::FunctionKind => "function-kind",
            MismatchKind::ParamCount => "param-count",
            MismatchKind::ParamName => "param-name",
            MismatchKind::ParamType => "param-type",
            MismatchKind::ResultType => "result-type",
            MismatchKind::MissingType => "missing-type",
            MismatchKind::TypeKind => "type-kind",
            MismatchKind::RecordField => "record-field",
            MismatchKind::VariantCase => "variant-case",
            MismatchKind::EnumCase => "enum-case",
            MismatchKind::Flags => "flags",
            MismatchKind::Resource => "resource",
        }
    }
}

impl fmt::Display for MismatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One incompatibility between what an import expects and what an export
/// provides.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The category of the incompatibility.
    pub kind: MismatchKind,
    /// Path inside the interface, in WIT words, segments separated by `, `:
    /// e.g. `add, parameter a`, `divide, result`, `point, field y`,
    /// `shape, case circle`, `add` (missing function), `r.m` (method),
    /// `constructor of r`, `f, parameter x, option value`.
    pub path: String,
    /// What the import expects, in WIT syntax (e.g. `f64`,
    /// `result<f64, string>`, `record { x: f64, y: f64 }`, a type name, a
    /// member such as `y: f64` or `circle(f64)`, or a function signature).
    /// `None` when the item does not exist on the import side.
    pub expected: Option<String>,
    /// What the export provides, in WIT syntax. `None` when the item does not
    /// exist on the export side.
    pub found: Option<String>,
    /// Span of the item on the import side (function, parameter, type, field,
    /// case or flag name). When the item does not exist on the import side,
    /// the span of the closest enclosing item that does (e.g. the record that
    /// lacks an extra field). `None` when no span is known (e.g. decoded from
    /// a binary).
    pub import_span: Option<Span>,
    /// Span of the item on the export side, with the same conventions as
    /// `import_span` (for a function missing from the export this is the
    /// export interface's span).
    pub export_span: Option<Span>,
    /// One sentence explaining the mismatch, e.g.
    /// "parameter `a` of `add`: the import expects s32, the export provides f64".
    pub message: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Compares the interface an import expects with the interface an export
/// provides and returns every incompatibility, in a deterministic order:
/// first the named types in the import's declaration order, then the
/// functions in the import's declaration order.
///
/// An empty vector means the export satisfies the import. If either
/// [`InterfaceId`] does not belong to its [`Resolve`], nothing can be
/// compared and the result is empty.
pub fn compare_interfaces(import: Side<'_>, export: Side<'_>) -> Vec<Mismatch> {
    let (Some(imp_iface), Some(exp_iface)) = (
        import.resolve.interfaces.get(import.interface),
        export.resolve.interfaces.get(export.interface),
    ) else {
        return Vec::new();
    };
    let mut cx = Cx {
        imp: import.resolve,
        exp: export.resolve,
        compared: HashSet::new(),
        canonical: HashSet::new(),
        out: Vec::new(),
    };
    let exp_iface_span = known(exp_iface.span);

    // Named types present on both sides are compared under their own name,
    // wherever else they are used.
    for (name, &imp_ty) in &imp_iface.types {
        if let Some(&exp_ty) = exp_iface.types.get(name)
            && let (Type::Id(a), Type::Id(b)) = (
                dealias(cx.imp, Type::Id(imp_ty)),
                dealias(cx.exp, Type::Id(exp_ty)),
            )
        {
            cx.canonical.insert((a, b));
        }
    }

    for (name, &imp_ty) in &imp_iface.types {
        let imp_span = cx.imp.types.get(imp_ty).and_then(|d| known(d.span));
        let path = vec![Seg::Type(name.clone())];
        match exp_iface.types.get(name) {
            None => {
                let expected = definition_to_wit(cx.imp, imp_ty);
                let message = format!(
                    "type `{name}` is missing from the export (the import declares `{}`)",
                    declaration(cx.imp, imp_ty, name)
                );
                cx.push(Mismatch {
                    kind: MismatchKind::MissingType,
                    path: render_path(&path),
                    expected: Some(expected),
                    found: None,
                    import_span: imp_span,
                    export_span: exp_iface_span,
                    message,
                });
            }
            Some(&exp_ty) => {
                let exp_span = cx.exp.types.get(exp_ty).and_then(|d| known(d.span));
                let loc = Loc {
                    path,
                    slot: MismatchKind::TypeKind,
                    imp_span,
                    exp_span,
                    depth: 0,
                };
                cx.compare_type(Type::Id(imp_ty), Type::Id(exp_ty), &loc);
            }
        }
    }

    for (name, imp_func) in &imp_iface.functions {
        if let Some(exp_func) = exp_iface.functions.get(name) {
            cx.compare_functions(name, imp_func, exp_func);
        } else if let Some(exp_func) = same_item_other_kind(name, exp_iface.functions.values()) {
            // E.g. `[method]r.m` imported, `[static]r.m` exported: the names
            // differ only by the kind prefix.
            let message = format!(
                "{}: the import expects {}, the export provides {}",
                function_phrase(name),
                flavour(&imp_func.kind),
                flavour(&exp_func.kind)
            );
            cx.push(Mismatch {
                kind: MismatchKind::FunctionKind,
                path: function_display_name(name),
                expected: Some(function_to_wit(cx.imp, imp_func)),
                found: Some(function_to_wit(cx.exp, exp_func)),
                import_span: known(imp_func.span),
                export_span: known(exp_func.span).or(exp_iface_span),
                message,
            });
        } else {
            let expected = function_to_wit(cx.imp, imp_func);
            let message = format!(
                "{} is missing from the export (the import expects `{expected}`)",
                function_phrase(name)
            );
            cx.push(Mismatch {
                kind: MismatchKind::MissingFunction,
                path: function_display_name(name),
                expected: Some(expected),
                found: None,
                import_span: known(imp_func.span),
                export_span: exp_iface_span,
                message,
            });
        }
    }

    cx.out
}

/// Compares a function an import expects (at world level) with the function
/// an export provides (at world level, or in an exported interface) and
/// returns every incompatibility, paths starting at the import's name.
pub fn compare_functions(
    import: (&Resolve, &Function),
    export: (&Resolve, &Function),
) -> Vec<Mismatch> {
    let mut cx = Cx {
        imp: import.0,
        exp: export.0,
        compared: HashSet::new(),
        canonical: HashSet::new(),
        out: Vec::new(),
    };
    cx.compare_functions(&import.1.name, import.1, export.1);
    cx.out
}

/// Resolves a [`Span`] of `resolve` to `(file, line, column, byte range)`.
///
/// The file is the path the source was registered under (for
/// [`Resolve::push_str`] the path given there, for `push_path`/`push_file`
/// the file on disk). Line and column are 1-based; the column counts bytes,
/// like wit-parser's own diagnostics. The byte range is relative to the
/// file's contents. Returns `None` for unknown spans (e.g. types decoded from
/// a binary component) and for spans past the end of `resolve`'s sources.
/// The span must come from `resolve` (each [`Mismatch`] span belongs to the
/// [`Side`] it labels); a span of another `Resolve` may point anywhere.
///
/// wit-parser 0.263 exposes the pieces separately:
/// [`SourceMap::resolve_span`](wit_parser::SourceMap::resolve_span) (on
/// `resolve.source_map`) yields the file path and the file-relative byte
/// range, and [`Resolve::render_location`] yields `"file:line:col"`; the line
/// and column are taken from the latter after stripping the known file prefix.
pub fn location(resolve: &Resolve, span: Span) -> Option<(PathBuf, usize, usize, Range<usize>)> {
    let loc = resolve.source_map.resolve_span(span)?;
    let rendered = resolve.render_location(span);
    let line_col = rendered.strip_prefix(loc.path)?.strip_prefix(':')?;
    let (line, col) = line_col.split_once(':')?;
    Some((
        PathBuf::from(loc.path),
        line.parse().ok()?,
        col.parse().ok()?,
        loc.range,
    ))
}

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

// ---------------------------------------------------------------------------
// Paths

/// One step of a path inside an interface.
#[derive(Debug, Clone)]
enum Seg {
    /// A function, by its raw (mangled) name, e.g. `[method]r.m`.
    Func(String),
    /// A named type of the interface.
    Type(String),
    Param(String),
    Result,
    Field(String),
    Case(String),
    EnumCase(String),
    Flag(String),
    OptionValue,
    ListElement,
    ListLength,
    ResultOk,
    ResultErr,
    TupleElement(usize),
    MapKey,
    MapValue,
    FuturePayload,
    StreamPayload,
}

impl Seg {
    /// The segment as it appears in [`Mismatch::path`].
    fn short(&self) -> String {
        match self {
            Seg::Func(name) => function_display_name(name),
            Seg::Type(name) => name.clone(),
            Seg::Param(name) => format!("parameter {name}"),
            Seg::Result => "result".to_string(),
            Seg::Field(name) => format!("field {name}"),
            Seg::Case(name) | Seg::EnumCase(name) => format!("case {name}"),
            Seg::Flag(name) => format!("flag {name}"),
            Seg::OptionValue => "option value".to_string(),
            Seg::ListElement => "list element".to_string(),
            Seg::ListLength => "list length".to_string(),
            Seg::ResultOk => "ok type".to_string(),
            Seg::ResultErr => "error type".to_string(),
            Seg::TupleElement(i) => format!("tuple element {i}"),
            Seg::MapKey => "map key".to_string(),
            Seg::MapValue => "map value".to_string(),
            Seg::FuturePayload => "future payload".to_string(),
            Seg::StreamPayload => "stream payload".to_string(),
        }
    }

    /// The segment as a noun phrase for [`Mismatch::message`].
    fn phrase(&self) -> String {
        match self {
            Seg::Func(name) => function_phrase(name),
            Seg::Type(name) => format!("type `{name}`"),
            Seg::Param(name) => format!("parameter `{name}`"),
            Seg::Result => "the result".to_string(),
            Seg::Field(name) => format!("field `{name}`"),
            Seg::Case(name) | Seg::EnumCase(name) => format!("case `{name}`"),
            Seg::Flag(name) => format!("flag `{name}`"),
            Seg::OptionValue => "the option value".to_string(),
            Seg::ListElement => "the list element".to_string(),
            Seg::ListLength => "the list length".to_string(),
            Seg::ResultOk => "the ok type".to_string(),
            Seg::ResultErr => "the error type".to_string(),
            Seg::TupleElement(i) => format!("tuple element {i}"),
            Seg::MapKey => "the map key".to_string(),
            Seg::MapValue => "the map value".to_string(),
            Seg::FuturePayload => "the future payload".to_string(),
            Seg::StreamPayload => "the stream payload".to_string(),
        }
    }
}

fn render_path(path: &[Seg]) -> String {
    path.iter().map(Seg::short).collect::<Vec<_>>().join(", ")
}

/// "field `y` of the result of `get-point`".
fn describe_path(path: &[Seg]) -> String {
    path.iter()
        .rev()
        .map(Seg::phrase)
        .collect::<Vec<_>>()
        .join(" of ")
}

/// Splits the mangled prefixes (`[method]`, `[static]`, `[constructor]`,
/// `[get]`, `[set]`, `[async]`) off a function name.
fn split_function_name(name: &str) -> (Vec<&str>, &str) {
    let mut prefixes = Vec::new();
    let mut rest = name;
    while let Some(after) = rest.strip_prefix('[') {
        match after.split_once(']') {
            Some((prefix, tail)) => {
                prefixes.push(prefix);
                rest = tail;
            }
            None => break,
        }
    }
    (prefixes, rest)
}

/// A function name in WIT words: `add`, `r.m`, `constructor of r`,
/// `r.p (getter)`.
fn function_display_name(name: &str) -> String {
    let (prefixes, rest) = split_function_name(name);
    if prefixes.contains(&"constructor") {
        return format!("constructor of {rest}");
    }
    if prefixes.contains(&"get") {
        format!("{rest} (getter)")
    } else if prefixes.contains(&"set") {
        format!("{rest} (setter)")
    } else {
        rest.to_string()
    }
}

/// A function name as a noun phrase: "`add`", "method `r.m`",
/// "static function `r.s`", "the constructor of `r`".
fn function_phrase(name: &str) -> String {
    let (prefixes, rest) = split_function_name(name);
    let accessor = if prefixes.contains(&"get") {
        "getter "
    } else if prefixes.contains(&"set") {
        "setter "
    } else {
        ""
    };
    if prefixes.contains(&"constructor") {
        format!("the constructor of `{rest}`")
    } else if prefixes.contains(&"method") {
        format!("method {accessor}`{rest}`")
    } else if prefixes.contains(&"static") {
        format!("static {accessor}function `{rest}`")
    } else if accessor.is_empty() {
        format!("function `{rest}`")
    } else {
        format!("{accessor}`{rest}`")
    }
}

// ---------------------------------------------------------------------------
// Comparison

/// Where the comparison currently is.
#[derive(Debug, Clone)]
struct Loc {
    path: Vec<Seg>,
    /// The kind reported for a plain "types differ" at this location.
    slot: MismatchKind,
    imp_span: Option<Span>,
    exp_span: Option<Span>,
    depth: usize,
}

impl Loc {
    /// A nested location; spans are replaced only when the new ones are known.
    fn child(
        &self,
        seg: Seg,
        slot: Option<MismatchKind>,
        imp_span: Option<Span>,
        exp_span: Option<Span>,
    ) -> Loc {
        let mut path = self.path.clone();
        path.push(seg);
        Loc {
            path,
            slot: slot.unwrap_or(self.slot),
            imp_span: imp_span.or(self.imp_span),
            exp_span: exp_span.or(self.exp_span),
            depth: self.depth + 1,
        }
    }
}

struct Cx<'a> {
    imp: &'a Resolve,
    exp: &'a Resolve,
    /// Pairs of named type definitions already compared, so each named type
    /// is reported once and recursion stays finite.
    compared: HashSet<(TypeId, TypeId)>,
    /// Pairs of (dealiased) definitions behind the same-named types of the
    /// two interfaces; they are only compared at the interface level, under
    /// their own name.
    canonical: HashSet<(TypeId, TypeId)>,
    out: Vec<Mismatch>,
}

/// A record field, variant case, enum case or flag, abstracted for diffing.
struct Member<'t> {
    name: &'t str,
    ty: Option<Type>,
    span: Option<Span>,
}

/// Which kind of member list is being compared.
#[derive(Clone, Copy)]
enum MemberList {
    Fields,
    Cases,
    EnumCases,
    Flags,
}

impl MemberList {
    fn kind(self) -> MismatchKind {
        match self {
            MemberList::Fields => MismatchKind::RecordField,
            MemberList::Cases => MismatchKind::VariantCase,
            MemberList::EnumCases => MismatchKind::EnumCase,
            MemberList::Flags => MismatchKind::Flags,
        }
    }

    fn seg(self, name: &str) -> Seg {
        match self {
            MemberList::Fields => Seg::Field(name.to_string()),
            MemberList::Cases => Seg::Case(name.to_string()),
            MemberList::EnumCases => Seg::EnumCase(name.to_string()),
            MemberList::Flags => Seg::Flag(name.to_string()),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            MemberList::Fields => "field",
            MemberList::Cases | MemberList::EnumCases => "case",
            MemberList::Flags => "flag",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            MemberList::Fields => "fields",
            MemberList::Cases | MemberList::EnumCases => "cases",
            MemberList::Flags => "flags",
        }
    }
}

impl Cx<'_> {
    fn push(&mut self, mismatch: Mismatch) {
        self.out.push(mismatch);
    }

    /// Reports a "different things at the same place" mismatch.
    fn report(
        &mut self,
        loc: &Loc,
        kind: MismatchKind,
        expected: Option<String>,
        found: Option<String>,
    ) {
        let detail = match (&expected, &found) {
            (Some(e), Some(f)) => format!("the import expects {e}, the export provides {f}"),
            (Some(e), None) => format!("the import expects {e}, the export provides nothing"),
            (None, Some(f)) => format!("the import expects nothing, the export provides {f}"),
            (None, None) => "the two sides differ".to_string(),
        };
        let message = format!("{}: {detail}", describe_path(&loc.path));
        self.push(Mismatch {
            kind,
            path: render_path(&loc.path),
            expected,
            found,
            import_span: loc.imp_span,
            export_span: loc.exp_span,
            message,
        });
    }

    /// Reports that the types at `loc` differ as a whole.
    fn type_differs(&mut self, loc: &Loc, kind: MismatchKind, a: Type, b: Type) {
        let mut expected = type_to_wit(self.imp, &a);
        let mut found = type_to_wit(self.exp, &b);
        if expected == found {
            // Same name, different structure: show the definitions.
            if let Type::Id(id) = a {
                expected = definition_to_wit(self.imp, id);
            }
            if let Type::Id(id) = b {
                found = definition_to_wit(self.exp, id);
            }
        }
        // A WASI 0.2 stream or pollable resource against a WASI 0.3
        // `stream<T>` or `future<T>`: say which WASI each side speaks.
        if let (Some(a_wasi), Some(b_wasi)) =
            (wasi_generation(self.imp, a), wasi_generation(self.exp, b))
            && a_wasi != b_wasi
        {
            expected = format!("{expected} ({a_wasi})");
            found = format!("{found} ({b_wasi})");
        }
        self.report(loc, kind, Some(expected), Some(found));
    }

    fn compare_functions(&mut self, name: &str, a: &Function, b: &Function) {
        let root = Loc {
            path: vec![Seg::Func(name.to_string())],
            slot: MismatchKind::ParamType,
            imp_span: known(a.span),
            exp_span: known(b.span),
            depth: 0,
        };

        let (a_flavour, b_flavour) = (flavour(&a.kind), flavour(&b.kind));
        if a_flavour != b_flavour {
            let message = format!(
                "{}: the import expects {a_flavour}, the export provides {b_flavour}",
                describe_path(&root.path)
            );
            self.push(Mismatch {
                kind: MismatchKind::FunctionKind,
                path: render_path(&root.path),
                expected: Some(function_to_wit(self.imp, a)),
                found: Some(function_to_wit(self.exp, b)),
                import_span: root.imp_span,
                export_span: root.exp_span,
                message,
            });
        }

        if a.params.len() == b.params.len() {
            for (pa, pb) in a.params.iter().zip(&b.params) {
                let loc = root.child(
                    Seg::Param(pa.name.clone()),
                    Some(MismatchKind::ParamType),
                    known(pa.span),
                    known(pb.span),
                );
                if pa.name != pb.name {
                    let message = format!(
                        "{}: the export names this parameter `{}` instead of `{}`",
                        describe_path(&loc.path),
                        pb.name,
                        pa.name
                    );
                    self.push(Mismatch {
                        kind: MismatchKind::ParamName,
                        path: render_path(&loc.path),
                        expected: Some(pa.name.clone()),
                        found: Some(pb.name.clone()),
                        import_span: loc.imp_span,
                        export_span: loc.exp_span,
                        message,
                    });
                }
                self.compare_type(pa.ty, pb.ty, &loc);
            }
        } else {
            let expected = render_params(self.imp, a);
            let found = render_params(self.exp, b);
            let message = format!(
                "{}: the import expects {} {} `{expected}`, the export provides {} `{found}`",
                describe_path(&root.path),
                a.params.len(),
                if a.params.len() == 1 {
                    "parameter"
                } else {
                    "parameters"
                },
                b.params.len(),
            );
            self.push(Mismatch {
                kind: MismatchKind::ParamCount,
                path: render_path(&root.path),
                expected: Some(expected),
                found: Some(found),
                import_span: root.imp_span,
                export_span: root.exp_span,
                message,
            });
            // Still compare the parameters both sides have, by name.
            for pa in &a.params {
                if let Some(pb) = b.params.iter().find(|pb| pb.name == pa.name) {
                    let loc = root.child(
                        Seg::Param(pa.name.clone()),
                        Some(MismatchKind::ParamType),
                        known(pa.span),
                        known(pb.span),
                    );
                    self.compare_type(pa.ty, pb.ty, &loc);
                }
            }
        }

        let loc = root.child(Seg::Result, Some(MismatchKind::ResultType), None, None);
        match (a.result, b.result) {
            (None, None) => {}
            (Some(ra), Some(rb)) => self.compare_type(ra, rb, &loc),
            (ra, rb) => {
                let expected = ra.map(|t| type_to_wit(self.imp, &t));
                let found = rb.map(|t| type_to_wit(self.exp, &t));
                self.report(&loc, MismatchKind::ResultType, expected, found);
            }
        }
    }

    /// Compares two value types (import side `a`, export side `b`).
    fn compare_type(&mut self, a: Type, b: Type, loc: &Loc) {
        if loc.depth > MAX_DEPTH {
            return;
        }
        let a = dealias(self.imp, a);
        let b = dealias(self.exp, b);
        match (a, b) {
            (Type::Id(ia), Type::Id(ib)) => self.compare_defs(ia, ib, loc),
            (Type::Id(_), _) | (_, Type::Id(_)) => self.type_differs(loc, loc.slot, a, b),
            (pa, pb) => {
                if pa != pb {
                    self.type_differs(loc, loc.slot, a, b);
                }
            }
        }
    }

    /// Compares two (dealiased) type definitions.
    fn compare_defs(&mut self, ia: TypeId, ib: TypeId, loc: &Loc) {
        let (imp, exp) = (self.imp, self.exp);
        let (Some(da), Some(db)) = (imp.types.get(ia), exp.types.get(ib)) else {
            // An id that does not belong to its resolve: nothing to compare.
            return;
        };
        let is_interface_level = matches!(loc.path.as_slice(), [Seg::Type(_)]);
        if self.canonical.contains(&(ia, ib)) && !is_interface_level {
            // Compared (or to be compared) under the type's own name.
            return;
        }
        if (da.name.is_some() || db.name.is_some()) && !self.compared.insert((ia, ib)) {
            return;
        }
        // Inside a named type, prefer its span unless something more
        // specific (a parameter, a field) is already known.
        let loc = &Loc {
            imp_span: loc.imp_span.or(known(da.span)),
            exp_span: loc.exp_span.or(known(db.span)),
            ..loc.clone()
        };
        let (a, b) = (Type::Id(ia), Type::Id(ib));

        if let (Some(ha), Some(hb)) = (handle_view(imp, da), handle_view(exp, db)) {
            let resource_vs_handle = is_interface_level
                && matches!(da.kind, TypeDefKind::Resource)
                    != matches!(db.kind, TypeDefKind::Resource);
            if resource_vs_handle {
                // `type h = r` names the resource itself, `type h = own<r>`
                // a handle to it: different kinds of type.
                let describe = |resolve: &Resolve, def: &TypeDef, id: TypeId| match def.kind {
                    TypeDefKind::Resource => {
                        format!("the resource {} itself", resource_name(resolve, id))
                    }
                    TypeDefKind::Handle(Handle::Borrow(r)) => {
                        format!("the handle borrow<{}>", resource_name(resolve, r))
                    }
                    TypeDefKind::Handle(Handle::Own(r)) => {
                        format!("the handle own<{}>", resource_name(resolve, r))
                    }
                    _ => definition_to_wit(resolve, id),
                };
                self.report(
                    loc,
                    MismatchKind::TypeKind,
                    Some(describe(imp, da, ia)),
                    Some(describe(exp, db, ib)),
                );
            } else if ha != hb {
                self.type_differs(loc, MismatchKind::Resource, a, b);
            } else if let (Some((ra, oa)), Some((rb, ob))) =
                (resource_owner(imp, ia), resource_owner(exp, ib))
                && oa != ob
                && (is_interface_level || !self.canonical.contains(&(ra, rb)))
            {
                // Resources are nominal: a resource is the one defined in
                // one place, whatever its name. A resource both interfaces
                // name is reported once, under its name.
                let name = &ha.1;
                let message = format!(
                    "{}: the import's `{name}` is the resource defined in `{oa}`, the export's is the one defined in `{ob}`; \
                     resources are nominal, so these are different types",
                    describe_path(&loc.path)
                );
                self.push(Mismatch {
                    kind: MismatchKind::Resource,
                    path: render_path(&loc.path),
                    expected: Some(format!("{name} (defined in {oa})")),
                    found: Some(format!("{name} (defined in {ob})")),
                    import_span: loc.imp_span,
                    export_span: loc.exp_span,
                    message,
                });
            }
            return;
        }

        match (&da.kind, &db.kind) {
            (TypeDefKind::Record(ra), TypeDefKind::Record(rb)) => {
                let ma = ra.fields.iter().map(|f| Member {
                    name: &f.name,
                    ty: Some(f.ty),
                    span: known(f.span),
                });
                let mb = rb.fields.iter().map(|f| Member {
                    name: &f.name,
                    ty: Some(f.ty),
                    span: known(f.span),
                });
                self.compare_members(MemberList::Fields, ma.collect(), mb.collect(), loc);
            }
            (TypeDefKind::Variant(va), TypeDefKind::Variant(vb)) => {
                let ma = va.cases.iter().map(|c| Member {
                    name: &c.name,
                    ty: c.ty,
                    span: known(c.span),
                });
                let mb = vb.cases.iter().map(|c| Member {
                    name: &c.name,
                    ty: c.ty,
                    span: known(c.span),
                });
                self.compare_members(MemberList::Cases, ma.collect(), mb.collect(), loc);
            }
            (TypeDefKind::Enum(ea), TypeDefKind::Enum(eb)) => {
                let ma = ea.cases.iter().map(|c| Member {
                    name: &c.name,
                    ty: None,
                    span: known(c.span),
                });
                let mb = eb.cases.iter().map(|c| Member {
                    name: &c.name,
                    ty: None,
                    span: known(c.span),
                });
                self.compare_members(MemberList::EnumCases, ma.collect(), mb.collect(), loc);
            }
            (TypeDefKind::Flags(fa), TypeDefKind::Flags(fb)) => {
                let ma = fa.flags.iter().map(|f| Member {
                    name: &f.name,
                    ty: None,
                    span: known(f.span),
                });
                let mb = fb.flags.iter().map(|f| Member {
                    name: &f.name,
                    ty: None,
                    span: known(f.span),
                });
                self.compare_members(MemberList::Flags, ma.collect(), mb.collect(), loc);
            }
            (TypeDefKind::Tuple(ta), TypeDefKind::Tuple(tb)) => {
                if ta.types.len() != tb.types.len() {
                    self.type_differs(loc, loc.slot, a, b);
                } else {
                    for (i, (ea, eb)) in ta.types.iter().zip(&tb.types).enumerate() {
                        let child = loc.child(Seg::TupleElement(i), None, None, None);
                        self.compare_type(*ea, *eb, &child);
                    }
                }
            }
            (TypeDefKind::Option(ta), TypeDefKind::Option(tb)) => {
                let child = loc.child(Seg::OptionValue, None, None, None);
                self.compare_type(*ta, *tb, &child);
            }
            (TypeDefKind::Result(ra), TypeDefKind::Result(rb)) => {
                self.compare_optional(ra.ok, rb.ok, loc.child(Seg::ResultOk, None, None, None));
                self.compare_optional(ra.err, rb.err, loc.child(Seg::ResultErr, None, None, None));
            }
            (TypeDefKind::List(ta), TypeDefKind::List(tb)) => {
                let child = loc.child(Seg::ListElement, None, None, None);
                self.compare_type(*ta, *tb, &child);
            }
            (TypeDefKind::FixedLengthList(ta, na), TypeDefKind::FixedLengthList(tb, nb)) => {
                if na != nb {
                    let child = loc.child(Seg::ListLength, None, None, None);
                    self.report(&child, loc.slot, Some(na.to_string()), Some(nb.to_string()));
                }
                let child = loc.child(Seg::ListElement, None, None, None);
                self.compare_type(*ta, *tb, &child);
            }
            (TypeDefKind::Map(ka, va), TypeDefKind::Map(kb, vb)) => {
                let child = loc.child(Seg::MapKey, None, None, None);
                self.compare_type(*ka, *kb, &child);
                let child = loc.child(Seg::MapValue, None, None, None);
                self.compare_type(*va, *vb, &child);
            }
            (TypeDefKind::Future(pa), TypeDefKind::Future(pb)) => {
                self.compare_optional(*pa, *pb, loc.child(Seg::FuturePayload, None, None, None));
            }
            (TypeDefKind::Stream(pa), TypeDefKind::Stream(pb)) => {
                self.compare_optional(*pa, *pb, loc.child(Seg::StreamPayload, None, None, None));
            }
            // Not reachable after `dealias`, kept for robustness.
            (TypeDefKind::Type(ta), _) => {
                let child = Loc {
                    depth: loc.depth + 1,
                    ..loc.clone()
                };
                self.compare_type(*ta, b, &child);
            }
            (_, TypeDefKind::Type(tb)) => {
                let child = Loc {
                    depth: loc.depth + 1,
                    ..loc.clone()
                };
                self.compare_type(a, *tb, &child);
            }
            (TypeDefKind::Unknown, TypeDefKind::Unknown) => {}
            _ => {
                // Different kinds of type. A handle on one side only is still
                // reported under the enclosing slot: it is not a resource
                // mismatch but a completely different type.
                self.type_differs(loc, loc.slot, a, b);
            }
        }
    }

    /// Compares optional types: a result's `ok`/`err`, a future's or stream's
    /// payload.
    fn compare_optional(&mut self, a: Option<Type>, b: Option<Type>, loc: Loc) {
        match (a, b) {
            (None, None) => {}
            (Some(ta), Some(tb)) => self.compare_type(ta, tb, &loc),
            (ta, tb) => {
                let expected =
                    Some(ta.map_or_else(|| "_".to_string(), |t| type_to_wit(self.imp, &t)));
                let found = Some(tb.map_or_else(|| "_".to_string(), |t| type_to_wit(self.exp, &t)));
                self.report(&loc, loc.slot, expected, found);
            }
        }
    }

    /// Compares the fields of two records, the cases of two variants or
    /// enums, or the flags of two flags types. Members must match exactly,
    /// by name and in order.
    fn compare_members(
        &mut self,
        list: MemberList,
        a: Vec<Member<'_>>,
        b: Vec<Member<'_>>,
        loc: &Loc,
    ) {
        let kind = list.kind();
        let a_index: HashMap<&str, usize> =
            a.iter().enumerate().map(|(i, m)| (m.name, i)).collect();
        let b_index: HashMap<&str, usize> =
            b.iter().enumerate().map(|(i, m)| (m.name, i)).collect();

        // Order of the members both sides have.
        let common_a: Vec<&str> = a
            .iter()
            .filter(|m| b_index.contains_key(m.name))
            .map(|m| m.name)
            .collect();
        let common_b: Vec<&str> = b
            .iter()
            .filter(|m| a_index.contains_key(m.name))
            .map(|m| m.name)
            .collect();
        if common_a != common_b {
            let expected = common_a.join(", ");
            let found = common_b.join(", ");
            let message = format!(
                "{}: the {} are in a different order: the import expects {expected}, the export provides {found}",
                describe_path(&loc.path),
                list.plural(),
            );
            self.push(Mismatch {
                kind,
                path: render_path(&loc.path),
                expected: Some(expected),
                found: Some(found),
                import_span: loc.imp_span,
                export_span: loc.exp_span,
                message,
            });
        }

        // A member missing from the export whose position holds a member
        // missing from the import is reported once, as a rename.
        let mut paired_b: HashSet<usize> = HashSet::new();
        for (i, ma) in a.iter().enumerate() {
            let child = loc.child(list.seg(ma.name), Some(kind), ma.span, None);
            match b_index.get(ma.name).and_then(|&j| b.get(j)) {
                Some(mb) => {
                    let child = Loc {
                        exp_span: mb.span.or(loc.exp_span),
                        ..child
                    };
                    self.compare_member_types(list, ma, mb, &child);
                }
                None => {
                    let renamed = b
                        .get(i)
                        .filter(|mb| !a_index.contains_key(mb.name))
                        .filter(|_| !paired_b.contains(&i));
                    let expected = render_member(self.imp, list, ma);
                    match renamed {
                        Some(mb) => {
                            paired_b.insert(i);
                            let found = render_member(self.exp, list, mb);
                            let message = format!(
                                "{}: the import expects `{expected}`, the export has `{found}` in its place",
                                describe_path(&child.path)
                            );
                            self.push(Mismatch {
                                kind,
                                path: render_path(&child.path),
                                expected: Some(expected),
                                found: Some(found),
                                import_span: child.imp_span,
                                export_span: mb.span.or(loc.exp_span),
                                message,
                            });
                        }
                        None => {
                            let message = format!(
                                "{}: the import expects `{expected}`, the export does not have this {}",
                                describe_path(&child.path),
                                list.noun()
                            );
                            self.push(Mismatch {
                                kind,
                                path: render_path(&child.path),
                                expected: Some(expected),
                                found: None,
                                import_span: child.imp_span,
                                export_span: loc.exp_span,
                                message,
                            });
                        }
                    }
                }
            }
        }
        for (j, mb) in b.iter().enumerate() {
            if a_index.contains_key(mb.name) || paired_b.contains(&j) {
                continue;
            }
            let child = loc.child(list.seg(mb.name), Some(kind), None, mb.span);
            let found = render_member(self.exp, list, mb);
            let message = format!(
                "{}: the export has an extra {} `{found}` that the import does not expect",
                describe_path(&loc.path),
                list.noun()
            );
            self.push(Mismatch {
                kind,
                path: render_path(&child.path),
                expected: None,
                found: Some(found),
                import_span: loc.imp_span,
                export_span: child.exp_span,
                message,
            });
        }
    }

    /// Compares the types of two members that have the same name.
    fn compare_member_types(
        &mut self,
        list: MemberList,
        a: &Member<'_>,
        b: &Member<'_>,
        loc: &Loc,
    ) {
        match (a.ty, b.ty) {
            (Some(ta), Some(tb)) => self.compare_type(ta, tb, loc),
            (None, None) => {}
            _ => {
                let expected = render_member(self.imp, list, a);
                let found = render_member(self.exp, list, b);
                self.report(loc, loc.slot, Some(expected), Some(found));
            }
        }
    }
}

/// A function of the export whose name equals `name` once the kind prefixes
/// (`[method]`, `[static]`, `[get]`, ...) are removed.
fn same_item_other_kind<'f>(
    name: &str,
    mut candidates: impl Iterator<Item = &'f Function>,
) -> Option<&'f Function> {
    let (_, item) = split_function_name(name);
    candidates.find(|f| split_function_name(&f.name).1 == item)
}

/// The flavour of a function, as compared between the two sides.
fn flavour(kind: &FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Freestanding => "a function",
        FunctionKind::AsyncFreestanding => "an async function",
        FunctionKind::Getter => "a getter",
        FunctionKind::Setter => "a setter",
        FunctionKind::Method(_) => "a method",
        FunctionKind::AsyncMethod(_) => "an async method",
        FunctionKind::MethodGetter(_) => "a method getter",
        FunctionKind::MethodSetter(_) => "a method setter",
        FunctionKind::Static(_) => "a static function",
        FunctionKind::AsyncStatic(_) => "an async static function",
        FunctionKind::StaticGetter(_) => "a static getter",
        FunctionKind::StaticSetter(_) => "a static setter",
        FunctionKind::Constructor(_) => "a constructor",
    }
}

/// A resource or handle seen as `(is_own, resource name)`. A bare resource
/// used as a value type (as wit-parser does for constructor results) means
/// `own<r>`.
fn handle_view(resolve: &Resolve, def: &TypeDef) -> Option<(bool, String)> {
    match &def.kind {
        TypeDefKind::Resource => Some((true, def.name.clone().unwrap_or_default())),
        TypeDefKind::Handle(Handle::Own(id)) => Some((true, resource_name(resolve, *id))),
        TypeDefKind::Handle(Handle::Borrow(id)) => Some((false, resource_name(resolve, *id))),
        _ => None,
    }
}

/// The resource behind a resource or handle definition `id`, looking
/// through aliases, and where it is defined: `ns:pkg/name@1.0.0` or
/// `world w`; `None` when unknown.
fn resource_owner(resolve: &Resolve, id: TypeId) -> Option<(TypeId, String)> {
    let mut id = match resolve.types.get(id)?.kind {
        TypeDefKind::Handle(Handle::Own(id) | Handle::Borrow(id)) => id,
        _ => id,
    };
    for _ in 0..MAX_DEPTH {
        let def = resolve.types.get(id)?;
        match def.kind {
            TypeDefKind::Type(Type::Id(next)) => id = next,
            TypeDefKind::Resource => {
                let owner = match def.owner {
                    wit_parser::TypeOwner::Interface(owner) => resolve.id_of(owner)?,
                    wit_parser::TypeOwner::World(owner) => {
                        format!("world {}", resolve.worlds.get(owner)?.name)
                    }
                    wit_parser::TypeOwner::None => return None,
                };
                return Some((id, owner));
            }
            _ => return None,
        }
    }
    None
}

/// Which WASI generation a type belongs to, where that explains a
/// mismatch: a resource of `wasi:io` (WASI 0.2's streams and pollables) or
/// a `stream<T>`/`future<T>` (WASI 0.3's).
fn wasi_generation(resolve: &Resolve, ty: Type) -> Option<String> {
    let Type::Id(id) = dealias(resolve, ty) else {
        return None;
    };
    match resolve.types.get(id)?.kind {
        TypeDefKind::Stream(_) => Some("WASI 0.3 passes streams as `stream<T>`".to_string()),
        TypeDefKind::Future(_) => Some("WASI 0.3 passes futures as `future<T>`".to_string()),
        _ => {
            let (_, owner) = resource_owner(resolve, id)?;
            let version =
                semver::Version::parse(owner.strip_prefix("wasi:io/")?.split_once('@')?.1).ok()?;
            Some(format!(
                "a WASI {}.{} resource from {owner}",
                version.major, version.minor
            ))
        }
    }
}

/// The name of the resource a handle points to, looking through aliases.
fn resource_name(resolve: &Resolve, id: TypeId) -> String {
    let mut id = id;
    for _ in 0..MAX_DEPTH {
        match resolve.types.get(id) {
            Some(TypeDef {
                kind: TypeDefKind::Type(Type::Id(next)),
                ..
            }) => id = *next,
            Some(def) => return def.name.clone().unwrap_or_else(|| UNKNOWN.to_string()),
            None => break,
        }
    }
    UNKNOWN.to_string()
}

/// Follows `type a = b` aliases (including `use`d types).
fn dealias(resolve: &Resolve, ty: Type) -> Type {
    let mut ty = ty;
    for _ in 0..MAX_DEPTH {
        match ty {
            Type::Id(id) => match resolve.types.get(id) {
                Some(TypeDef {
                    kind: TypeDefKind::Type(next),
                    ..
                }) => ty = *next,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

fn known(span: Span) -> Option<Span> {
    span.is_known().then_some(span)
}

// ---------------------------------------------------------------------------
// Rendering

const UNKNOWN: &str = "<unknown type>";

fn render_type(resolve: &Resolve, ty: &Type, depth: usize) -> String {
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

fn render_optional(resolve: &Resolve, ty: &Option<Type>, depth: usize) -> String {
    match ty {
        Some(t) => render_type(resolve, t, depth),
        None => "_".to_string(),
    }
}

fn render_kind(resolve: &Resolve, kind: &TypeDefKind, depth: usize) -> String {
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

fn braced(keyword: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("{keyword} {{}}")
    } else {
        format!("{keyword} {{ {} }}", items.join(", "))
    }
}

/// `(a: f64, b: f64)`, without the implicit `self` of methods.
fn render_params(resolve: &Resolve, func: &Function) -> String {
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
fn render_member(resolve: &Resolve, list: MemberList, m: &Member<'_>) -> String {
    match (list, &m.ty) {
        (MemberList::Fields, Some(t)) => format!("{}: {}", m.name, type_to_wit(resolve, t)),
        (MemberList::Cases, Some(t)) => format!("{}({})", m.name, type_to_wit(resolve, t)),
        _ => m.name.to_string(),
    }
}

/// The WIT declaration of a named type: `record point { x: f64 }`,
/// `resource r`, `type id = u32`.
fn declaration(resolve: &Resolve, id: TypeId, name: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `body` as the interface `api` of a package in its own resolve.
    fn parse(file: &str, body: &str) -> (Resolve, InterfaceId, String) {
        let text = format!("package test:pkg;\n\ninterface api {{\n{body}\n}}\n");
        parse_text(file, &text, "api")
    }

    fn parse_text(file: &str, text: &str, iface: &str) -> (Resolve, InterfaceId, String) {
        let mut resolve = Resolve::new();
        let pkg = resolve.push_str(file, text).expect("valid WIT");
        let id = resolve.packages[pkg].interfaces[iface];
        (resolve, id, text.to_string())
    }

    fn compare(import: &str, export: &str) -> Vec<Mismatch> {
        let (ri, ii, _) = parse("import.wit", import);
        let (re, ie, _) = parse("export.wit", export);
        compare_interfaces(
            Side {
                resolve: &ri,
                interface: ii,
            },
            Side {
                resolve: &re,
                interface: ie,
            },
        )
    }

    /// `(kind, path, expected, found)` of each mismatch.
    fn summary(ms: &[Mismatch]) -> Vec<(MismatchKind, &str, Option<&str>, Option<&str>)> {
        ms.iter()
            .map(|m| {
                (
                    m.kind,
                    m.path.as_str(),
                    m.expected.as_deref(),
                    m.found.as_deref(),
                )
            })
            .collect()
    }

    const RICH: &str = "
        record point { x: f64, y: f64 }
        variant shape { circle(f64), square(point), nothing }
        enum color { red, green, blue }
        flags perms { read, write }
        type meters = f64;
        resource counter {
            constructor(start: u32);
            increment: func(by: u32) -> u32;
            merge: static func(a: borrow<counter>, b: counter) -> counter;
        }
        add: func(a: f64, b: f64) -> f64;
        area: func(s: shape) -> result<meters, string>;
        paint: func(c: color, p: perms) -> option<list<tuple<u8, u8, u8>>>;
        noop: func();
        try-it: func() -> result<_, string>;
    ";

    #[test]
    fn classic_param_types() {
        let ms = compare(
            "add: func(a: s32, b: s32) -> f64;",
            "add: func(a: f64, b: f64) -> f64;",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::ParamType,
                    "add, parameter a",
                    Some("s32"),
                    Some("f64")
                ),
                (
                    MismatchKind::ParamType,
                    "add, parameter b",
                    Some("s32"),
                    Some("f64")
                ),
            ]
        );
        assert_eq!(
            ms[0].message,
            "parameter `a` of function `add`: the import expects s32, the export provides f64"
        );
        assert!(
            ms.iter()
                .all(|m| m.import_span.is_some() && m.export_span.is_some())
        );
    }

    #[test]
    fn identical_interfaces_are_compatible() {
        assert!(compare(RICH, RICH).is_empty());
    }

    #[test]
    fn extra_exported_items_are_fine() {
        let import = "add: func(a: f64, b: f64) -> f64;";
        let export = "
            record extra { z: u8 }
            resource other { m: func(); }
            add: func(a: f64, b: f64) -> f64;
            sub: func(a: f64, b: f64) -> f64;
        ";
        assert!(compare(import, export).is_empty());
    }

    #[test]
    fn missing_function() {
        let ms = compare(
            "add: func(a: f64, b: f64) -> f64;\nsub: func(a: f64, b: f64) -> f64;",
            "add: func(a: f64, b: f64) -> f64;",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::MissingFunction,
                "sub",
                Some("func(a: f64, b: f64) -> f64"),
                None
            )]
        );
        assert!(ms[0].import_span.is_some());
        // Points at the export interface, which lacks the function.
        assert!(ms[0].export_span.is_some());
        assert!(
            ms[0]
                .message
                .contains("function `sub` is missing from the export")
        );
    }

    #[test]
    fn param_renamed() {
        let ms = compare(
            "add: func(a: f64, b: f64) -> f64;",
            "add: func(x: f64, b: f64) -> f64;",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ParamName,
                "add, parameter a",
                Some("a"),
                Some("x")
            )]
        );
    }

    #[test]
    fn param_renamed_and_retyped_gives_two_findings() {
        let ms = compare("f: func(a: f64);", "f: func(x: u8);");
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::ParamName,
                    "f, parameter a",
                    Some("a"),
                    Some("x")
                ),
                (
                    MismatchKind::ParamType,
                    "f, parameter a",
                    Some("f64"),
                    Some("u8")
                ),
            ]
        );
    }

    #[test]
    fn param_count() {
        let ms = compare(
            "add: func(a: f64, b: f64) -> f64;",
            "add: func(a: f64) -> f64;",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ParamCount,
                "add",
                Some("(a: f64, b: f64)"),
                Some("(a: f64)")
            )]
        );
        // Parameters present on both sides are still compared, by name.
        let ms = compare("add: func(a: f64, b: f64);", "add: func(b: s8);");
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::ParamCount,
                    "add",
                    Some("(a: f64, b: f64)"),
                    Some("(b: s8)")
                ),
                (
                    MismatchKind::ParamType,
                    "add, parameter b",
                    Some("f64"),
                    Some("s8")
                ),
            ]
        );
    }

    #[test]
    fn result_changed() {
        let ms = compare(
            "divide: func(a: f64, b: f64) -> f64;",
            "divide: func(a: f64, b: f64) -> result<f64, string>;",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ResultType,
                "divide, result",
                Some("f64"),
                Some("result<f64, string>")
            )]
        );
        assert_eq!(
            ms[0].message,
            "the result of function `divide`: the import expects f64, the export provides result<f64, string>"
        );
    }

    #[test]
    fn result_present_on_one_side_only() {
        let ms = compare("f: func();", "f: func() -> u32;");
        assert_eq!(
            summary(&ms),
            vec![(MismatchKind::ResultType, "f, result", None, Some("u32"))]
        );
        let ms = compare("f: func() -> u32;", "f: func();");
        assert_eq!(
            summary(&ms),
            vec![(MismatchKind::ResultType, "f, result", Some("u32"), None)]
        );
    }

    #[test]
    fn result_ok_and_err_are_compared_separately() {
        let ms = compare(
            "f: func() -> result<_, string>;",
            "f: func() -> result<u32, u8>;",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::ResultType,
                    "f, result, ok type",
                    Some("_"),
                    Some("u32")
                ),
                (
                    MismatchKind::ResultType,
                    "f, result, error type",
                    Some("string"),
                    Some("u8")
                ),
            ]
        );
    }

    #[test]
    fn record_field_retyped_and_missing() {
        let ms = compare(
            "record point { x: f64, y: f64, z: f64 }\nget-point: func() -> point;\nset-point: func(p: point);",
            "record point { x: f64, y: f32 }\nget-point: func() -> point;\nset-point: func(p: point);",
        );
        // Reported once, under the type, not again for each function using it.
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::RecordField,
                    "point, field y",
                    Some("f64"),
                    Some("f32")
                ),
                (
                    MismatchKind::RecordField,
                    "point, field z",
                    Some("z: f64"),
                    None
                ),
            ]
        );
        assert_eq!(
            ms[0].message,
            "field `y` of type `point`: the import expects f64, the export provides f32"
        );
    }

    #[test]
    fn named_types_are_reported_under_their_own_name() {
        // `outer` is declared first and uses `inner`; the difference in
        // `inner` is still reported as `inner, field x`, once.
        let ms = compare(
            "record outer { i: inner }\nrecord inner { x: u8 }\nf: func(i: inner) -> outer;",
            "record outer { i: inner }\nrecord inner { x: u16 }\nf: func(i: inner) -> outer;",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::RecordField,
                "inner, field x",
                Some("u8"),
                Some("u16")
            )]
        );
    }

    #[test]
    fn extra_record_field_in_export_is_a_mismatch() {
        let ms = compare("record point { x: f64 }", "record point { x: f64, y: f64 }");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::RecordField,
                "point, field y",
                None,
                Some("y: f64")
            )]
        );
    }

    #[test]
    fn reordered_record_fields() {
        let ms = compare(
            "record point { x: f64, y: f64 }",
            "record point { y: f64, x: f64 }",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::RecordField,
                "point",
                Some("x, y"),
                Some("y, x")
            )]
        );
    }

    #[test]
    fn variant_case_missing_and_payload_changed() {
        let ms = compare(
            "variant shape { circle(f64), square(f64), nothing }",
            "variant shape { circle(f32), nothing }",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::VariantCase,
                    "shape, case circle",
                    Some("f64"),
                    Some("f32")
                ),
                (
                    MismatchKind::VariantCase,
                    "shape, case square",
                    Some("square(f64)"),
                    None
                ),
            ]
        );
        let ms = compare(
            "variant shape { circle(f64), nothing }",
            "variant shape { circle, nothing(u8) }",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::VariantCase,
                    "shape, case circle",
                    Some("circle(f64)"),
                    Some("circle")
                ),
                (
                    MismatchKind::VariantCase,
                    "shape, case nothing",
                    Some("nothing"),
                    Some("nothing(u8)")
                ),
            ]
        );
    }

    #[test]
    fn enum_case_renamed() {
        let ms = compare("enum color { red, green }", "enum color { crimson, green }");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::EnumCase,
                "color, case red",
                Some("red"),
                Some("crimson")
            )]
        );
        assert!(ms[0].message.contains("in its place"));
    }

    #[test]
    fn flags_differ() {
        let ms = compare(
            "flags perms { read, write, exec }",
            "flags perms { read, write, admin, other }",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::Flags,
                    "perms, flag exec",
                    Some("exec"),
                    Some("admin")
                ),
                (
                    MismatchKind::Flags,
                    "perms, flag other",
                    None,
                    Some("other")
                ),
            ]
        );
    }

    #[test]
    fn nested_option_path() {
        let ms = compare("f: func(x: option<u32>);", "f: func(x: option<u64>);");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ParamType,
                "f, parameter x, option value",
                Some("u32"),
                Some("u64")
            )]
        );
        assert_eq!(
            ms[0].message,
            "the option value of parameter `x` of function `f`: the import expects u32, the export provides u64"
        );
    }

    #[test]
    fn nested_path_inside_named_record() {
        let ms = compare(
            "record wrapper { inner: option<list<u32>> }",
            "record wrapper { inner: option<list<s32>> }",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::RecordField,
                "wrapper, field inner, option value, list element",
                Some("u32"),
                Some("s32")
            )]
        );
    }

    #[test]
    fn list_element() {
        let ms = compare("f: func() -> list<string>;", "f: func() -> list<u8>;");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ResultType,
                "f, result, list element",
                Some("string"),
                Some("u8")
            )]
        );
    }

    #[test]
    fn own_vs_borrow() {
        let ms = compare(
            "resource r;\nf: func(h: r);",
            "resource r;\nf: func(h: borrow<r>);",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::Resource,
                "f, parameter h",
                Some("r"),
                Some("borrow<r>")
            )]
        );
    }

    #[test]
    fn different_resources() {
        let ms = compare(
            "resource r;\nresource s;\nf: func(h: borrow<r>);",
            "resource r;\nresource s;\nf: func(h: borrow<s>);",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::Resource,
                "f, parameter h",
                Some("borrow<r>"),
                Some("borrow<s>")
            )]
        );
    }

    #[test]
    fn tuple_arity() {
        let ms = compare(
            "f: func(t: tuple<u32, u32>);",
            "f: func(t: tuple<u32, u32, u32>);",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ParamType,
                "f, parameter t",
                Some("tuple<u32, u32>"),
                Some("tuple<u32, u32, u32>")
            )]
        );
        let ms = compare("f: func(t: tuple<u32, u8>);", "f: func(t: tuple<u32, s8>);");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::ParamType,
                "f, parameter t, tuple element 1",
                Some("u8"),
                Some("s8")
            )]
        );
    }

    #[test]
    fn type_alias_on_one_side_only_is_compatible() {
        // The export names the type through an extra alias.
        let ms = compare(
            "record point { x: f64 }\nf: func(p: point) -> f64;",
            "record point { x: f64 }\ntype pt = point;\ntype num = f64;\nf: func(p: pt) -> num;",
        );
        assert!(ms.is_empty(), "{ms:#?}");

        // The import `use`s the type from another interface, the export
        // defines it in place.
        let import = "package test:pkg;
            interface types { record point { x: f64 } }
            interface api { use types.{point}; f: func(p: point); }";
        let (ri, ii, _) = parse_text("import.wit", import, "api");
        let (re, ie, _) = parse("export.wit", "record point { x: f64 }\nf: func(p: point);");
        let ms = compare_interfaces(
            Side {
                resolve: &ri,
                interface: ii,
            },
            Side {
                resolve: &re,
                interface: ie,
            },
        );
        assert!(ms.is_empty(), "{ms:#?}");
    }

    #[test]
    fn used_type_differences_are_reported_under_the_local_name() {
        let import = "package test:pkg;
            interface types { record point { x: f64 } }
            interface api { use types.{point}; f: func(p: point); }";
        let (ri, ii, _) = parse_text("import.wit", import, "api");
        let (re, ie, _) = parse("export.wit", "record point { x: f32 }\nf: func(p: point);");
        let ms = compare_interfaces(
            Side {
                resolve: &ri,
                interface: ii,
            },
            Side {
                resolve: &re,
                interface: ie,
            },
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::RecordField,
                "point, field x",
                Some("f64"),
                Some("f32")
            )]
        );
    }

    #[test]
    fn missing_type_and_type_kind() {
        let ms = compare(
            "record point { x: f64 }\nenum color { red }\ntype id = u32;",
            "variant point { x(f64) }\ntype id = u64;",
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::TypeKind,
                    "point",
                    Some("record { x: f64 }"),
                    Some("variant { x(f64) }")
                ),
                (
                    MismatchKind::MissingType,
                    "color",
                    Some("enum { red }"),
                    None
                ),
                (MismatchKind::TypeKind, "id", Some("u32"), Some("u64")),
            ]
        );
        assert!(ms[1].message.contains("`enum color { red }`"));
    }

    #[test]
    fn resource_functions() {
        let import = "resource r {
                constructor(x: u32);
                m: func(a: u8) -> u8;
                s: static func() -> r;
                gone: func();
            }";
        let export = "resource r {
                constructor(x: u64);
                m: func(a: u8) -> u16;
                s: static func() -> r;
            }";
        let ms = compare(import, export);
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::ParamType,
                    "constructor of r, parameter x",
                    Some("u32"),
                    Some("u64")
                ),
                (
                    MismatchKind::ResultType,
                    "r.m, result",
                    Some("u8"),
                    Some("u16")
                ),
                (
                    MismatchKind::MissingFunction,
                    "r.gone",
                    Some("func()"),
                    None
                ),
            ]
        );
        assert!(ms[2].message.starts_with("method `r.gone` is missing"));

        let ms = compare(
            "resource r { m: func(a: u8); }",
            "resource r { m: static func(a: u8); }",
        );
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::FunctionKind,
                "r.m",
                Some("func(a: u8)"),
                Some("static func(a: u8)")
            )]
        );
        assert_eq!(
            ms[0].message,
            "method `r.m`: the import expects a method, the export provides a static function"
        );
    }

    #[test]
    fn method_vs_static_and_sync_vs_async() {
        let ms = compare("f: func();", "f: async func();");
        assert_eq!(
            summary(&ms),
            vec![(
                MismatchKind::FunctionKind,
                "f",
                Some("func()"),
                Some("async func()")
            )]
        );
    }

    #[test]
    fn every_mismatch_is_reported() {
        let import = "
            record point { x: f64, y: f64 }
            enum color { red, green }
            add: func(a: s32, b: s32) -> s32;
            gone: func();
            f: func(x: option<u32>) -> list<string>;
        ";
        let export = "
            record point { x: f32 }
            enum color { red, green, blue }
            add: func(a: f64, b: f64) -> f64;
            f: func(x: option<u64>) -> list<u8>;
        ";
        let ms = compare(import, export);
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::RecordField,
                    "point, field x",
                    Some("f64"),
                    Some("f32")
                ),
                (
                    MismatchKind::RecordField,
                    "point, field y",
                    Some("y: f64"),
                    None
                ),
                (
                    MismatchKind::EnumCase,
                    "color, case blue",
                    None,
                    Some("blue")
                ),
                (
                    MismatchKind::ParamType,
                    "add, parameter a",
                    Some("s32"),
                    Some("f64")
                ),
                (
                    MismatchKind::ParamType,
                    "add, parameter b",
                    Some("s32"),
                    Some("f64")
                ),
                (
                    MismatchKind::ResultType,
                    "add, result",
                    Some("s32"),
                    Some("f64")
                ),
                (MismatchKind::MissingFunction, "gone", Some("func()"), None),
                (
                    MismatchKind::ParamType,
                    "f, parameter x, option value",
                    Some("u32"),
                    Some("u64")
                ),
                (
                    MismatchKind::ResultType,
                    "f, result, list element",
                    Some("string"),
                    Some("u8")
                ),
            ]
        );
    }

    #[test]
    fn type_to_wit_renders_wit_syntax() {
        let (r, id, _) = parse("x.wit", RICH);
        let iface = &r.interfaces[id];
        let sig = |name: &str| function_to_wit(&r, &iface.functions[name]);
        assert_eq!(sig("add"), "func(a: f64, b: f64) -> f64");
        assert_eq!(sig("area"), "func(s: shape) -> result<meters, string>");
        assert_eq!(
            sig("paint"),
            "func(c: color, p: perms) -> option<list<tuple<u8, u8, u8>>>"
        );
        assert_eq!(sig("noop"), "func()");
        assert_eq!(sig("try-it"), "func() -> result<_, string>");
        assert_eq!(sig("[constructor]counter"), "constructor(start: u32)");
        let (r2, id2, _) = parse(
            "y.wit",
            "resource r { constructor(x: u8) -> result<r, string>; }",
        );
        assert_eq!(
            function_to_wit(&r2, &r2.interfaces[id2].functions["[constructor]r"]),
            "constructor(x: u8) -> result<r, string>"
        );
        assert_eq!(sig("[method]counter.increment"), "func(by: u32) -> u32");
        assert_eq!(
            sig("[static]counter.merge"),
            "static func(a: borrow<counter>, b: counter) -> counter"
        );
        let def = |name: &str| definition_to_wit(&r, iface.types[name]);
        assert_eq!(def("point"), "record { x: f64, y: f64 }");
        assert_eq!(
            def("shape"),
            "variant { circle(f64), square(point), nothing }"
        );
        assert_eq!(def("color"), "enum { red, green, blue }");
        assert_eq!(def("perms"), "flags { read, write }");
        assert_eq!(def("meters"), "f64");
        assert_eq!(def("counter"), "resource");
        assert_eq!(type_to_wit(&r, &Type::Id(iface.types["point"])), "point");
        assert_eq!(type_to_wit(&r, &Type::ErrorContext), "error-context");
    }

    #[test]
    fn spans_map_to_file_and_line() {
        let import_body = "record point { x: f64, y: f64 }\nadd: func(a: s32, b: f64) -> f64;";
        let export_body =
            "\n\nrecord point { x: f64, y: f32 }\n\nadd: func(a: f64, b: f64) -> f64;";
        let (ri, ii, it) = parse("dir/import.wit", import_body);
        let (re, ie, et) = parse("export.wit", export_body);
        let ms = compare_interfaces(
            Side {
                resolve: &ri,
                interface: ii,
            },
            Side {
                resolve: &re,
                interface: ie,
            },
        );
        assert_eq!(ms.len(), 2, "{ms:#?}");

        // `point, field y`: line 4 of the import (after the package line, a
        // blank line and `interface api {`), line 6 of the export.
        let field = &ms[0];
        assert_eq!(field.path, "point, field y");
        let (file, line, col, range) =
            location(&ri, field.import_span.expect("import span")).expect("location");
        assert_eq!(file, PathBuf::from("dir/import.wit"));
        assert_eq!((line, col), (4, 24));
        assert_eq!(&it[range], "y");
        let (file, line, _, range) =
            location(&re, field.export_span.expect("export span")).expect("location");
        assert_eq!(file, PathBuf::from("export.wit"));
        assert_eq!(line, 6);
        assert_eq!(&et[range], "y");

        // `add, parameter a`: the parameter names.
        let param = &ms[1];
        assert_eq!(param.path, "add, parameter a");
        let (_, line, col, range) = location(&ri, param.import_span.expect("span")).expect("loc");
        assert_eq!((line, col), (5, 11));
        assert_eq!(&it[range], "a");
        let (_, line, _, range) = location(&re, param.export_span.expect("span")).expect("loc");
        assert_eq!(line, 8);
        assert_eq!(&et[range], "a");

        // An unknown span has no location.
        assert_eq!(location(&ri, Span::default()), None);
    }

    #[test]
    fn span_of_another_resolve_has_no_location() {
        let ms = compare("f: func(a: u8);", "f: func(a: u16);");
        assert!(ms[0].import_span.is_some());
        assert_eq!(
            location(&Resolve::new(), ms[0].import_span.expect("span")),
            None
        );
    }

    /// Builds a real component exporting `api` from `body` and decodes it,
    /// the way the CLI sees components: one `Resolve` per component, no
    /// source spans.
    fn decoded_component(body: &str) -> (Resolve, InterfaceId) {
        use wit_component::{
            ComponentEncoder, StringEncoding, dummy_module, embed_component_metadata,
        };
        use wit_parser::decoding::{DecodedWasm, decode};
        use wit_parser::{ManglingAndAbi, WorldItem};

        let text = format!(
            "package test:pkg;\ninterface api {{\n{body}\n}}\nworld provider {{ export api; }}\n"
        );
        let mut resolve = Resolve::new();
        let pkg = resolve.push_str("provider.wit", &text).expect("valid WIT");
        let world = resolve
            .select_world(&[pkg], Some("provider"))
            .expect("world");
        let mut module = dummy_module(&resolve, world, ManglingAndAbi::Standard32);
        embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false)
            .expect("embed");
        let bytes = ComponentEncoder::default()
            .module(&module)
            .expect("module")
            .validate(true)
            .encode()
            .expect("encode");
        let DecodedWasm::Component(resolve, world) = decode(&bytes).expect("decode") else {
            panic!("expected a component");
        };
        let id = resolve.worlds[world]
            .exports
            .values()
            .find_map(|item| match item {
                WorldItem::Interface { id, .. } => Some(*id),
                _ => None,
            })
            .expect("exported interface");
        (resolve, id)
    }

    #[test]
    fn text_import_against_decoded_component_export() {
        let (re, ie) = decoded_component(RICH);
        let (ri, ii, _) = parse("import.wit", RICH);
        let import = Side {
            resolve: &ri,
            interface: ii,
        };
        let export = Side {
            resolve: &re,
            interface: ie,
        };
        assert!(compare_interfaces(import, export).is_empty());

        let (ri, ii, _) = parse(
            "import.wit",
            "record point { x: f64, y: f32 }\nadd: func(a: s32, b: f64) -> f64;\nmissing: func();",
        );
        let ms = compare_interfaces(
            Side {
                resolve: &ri,
                interface: ii,
            },
            export,
        );
        assert_eq!(
            summary(&ms),
            vec![
                (
                    MismatchKind::RecordField,
                    "point, field y",
                    Some("f32"),
                    Some("f64")
                ),
                (
                    MismatchKind::ParamType,
                    "add, parameter a",
                    Some("s32"),
                    Some("f64")
                ),
                (
                    MismatchKind::MissingFunction,
                    "missing",
                    Some("func()"),
                    None
                ),
            ]
        );
        // Decoded components carry no source spans.
        assert!(
            ms.iter()
                .all(|m| m.import_span.is_some() && m.export_span.is_none())
        );
    }
}

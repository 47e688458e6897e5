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
//! (`type a = b`, `use` imports), never by `TypeId` equality: each side
//! normally comes from its own [`Resolve`]. Resources are nominal: the same
//! name and the same place of definition (the interface or world that
//! defines them); `type h = r` names the resource, not a handle to it.
//!
//! The comparison explains; it does not decide. Whether an export satisfies
//! an import is the type checker's verdict ([`super::types`]).
//!
//! The module's parts: [`compare`] walks the two sides, [`path`] names the
//! places it reports, [`render`] prints types as WIT.
//!
//! Unlike the validator, which stops at the first error, [`compare_interfaces`]
//! reports every difference it finds. Named types are compared once, under
//! their own name (`point, field y`); functions that merely use a named type
//! that was already compared do not repeat its findings. Anonymous types
//! (`list<..>`, `option<..>`, `result<..>`, `tuple<..>`, handles, ...) are
//! compared where they appear, e.g. `get-point, result, option value`.

mod compare;
mod path;
mod render;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use compare::*;
use path::*;
use render::*;
pub use render::{definition_to_wit, function_to_wit, type_to_wit};

use wit_parser::{Function, Handle, InterfaceId, Resolve, Span, Type};

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

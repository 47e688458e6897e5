//! The comparison itself: two interfaces or functions, walked side by side,
//! every difference recorded with the spans of both sides.

use std::collections::{HashMap, HashSet};

use wit_parser::{
    Function, FunctionKind, Handle, Resolve, Span, Type, TypeDef, TypeDefKind, TypeId,
};

use super::*;

/// Where the comparison currently is.
#[derive(Debug, Clone)]
pub(super) struct Loc {
    pub(super) path: Vec<Seg>,
    /// The kind reported for a plain "types differ" at this location.
    pub(super) slot: MismatchKind,
    pub(super) imp_span: Option<Span>,
    pub(super) exp_span: Option<Span>,
    pub(super) depth: usize,
}

impl Loc {
    /// A nested location; spans are replaced only when the new ones are known.
    pub(super) fn child(
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

pub(super) struct Cx<'a> {
    pub(super) imp: &'a Resolve,
    pub(super) exp: &'a Resolve,
    /// Pairs of named type definitions already compared, so each named type
    /// is reported once and recursion stays finite.
    pub(super) compared: HashSet<(TypeId, TypeId)>,
    /// Pairs of (dealiased) definitions behind the same-named types of the
    /// two interfaces; they are only compared at the interface level, under
    /// their own name.
    pub(super) canonical: HashSet<(TypeId, TypeId)>,
    pub(super) out: Vec<Mismatch>,
}

/// A record field, variant case, enum case or flag, abstracted for diffing.
pub(super) struct Member<'t> {
    pub(super) name: &'t str,
    pub(super) ty: Option<Type>,
    pub(super) span: Option<Span>,
}

/// Which kind of member list is being compared.
#[derive(Clone, Copy)]
pub(super) enum MemberList {
    Fields,
    Cases,
    EnumCases,
    Flags,
}

impl MemberList {
    pub(super) fn kind(self) -> MismatchKind {
        match self {
            MemberList::Fields => MismatchKind::RecordField,
            MemberList::Cases => MismatchKind::VariantCase,
            MemberList::EnumCases => MismatchKind::EnumCase,
            MemberList::Flags => MismatchKind::Flags,
        }
    }

    pub(super) fn seg(self, name: &str) -> Seg {
        match self {
            MemberList::Fields => Seg::Field(name.to_string()),
            MemberList::Cases => Seg::Case(name.to_string()),
            MemberList::EnumCases => Seg::EnumCase(name.to_string()),
            MemberList::Flags => Seg::Flag(name.to_string()),
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            MemberList::Fields => "field",
            MemberList::Cases | MemberList::EnumCases => "case",
            MemberList::Flags => "flag",
        }
    }

    pub(super) fn plural(self) -> &'static str {
        match self {
            MemberList::Fields => "fields",
            MemberList::Cases | MemberList::EnumCases => "cases",
            MemberList::Flags => "flags",
        }
    }
}

impl Cx<'_> {
    pub(super) fn push(&mut self, mismatch: Mismatch) {
        self.out.push(mismatch);
    }

    /// Reports a "different things at the same place" mismatch.
    pub(super) fn report(
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
    pub(super) fn type_differs(&mut self, loc: &Loc, kind: MismatchKind, a: Type, b: Type) {
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

    pub(super) fn compare_functions(&mut self, name: &str, a: &Function, b: &Function) {
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
    pub(super) fn compare_type(&mut self, a: Type, b: Type, loc: &Loc) {
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
    pub(super) fn compare_defs(&mut self, ia: TypeId, ib: TypeId, loc: &Loc) {
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
    pub(super) fn compare_optional(&mut self, a: Option<Type>, b: Option<Type>, loc: Loc) {
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
    pub(super) fn compare_members(
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
    pub(super) fn compare_member_types(
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
pub(super) fn same_item_other_kind<'f>(
    name: &str,
    mut candidates: impl Iterator<Item = &'f Function>,
) -> Option<&'f Function> {
    let (_, item) = split_function_name(name);
    candidates.find(|f| split_function_name(&f.name).1 == item)
}

/// The flavour of a function, as compared between the two sides.
pub(super) fn flavour(kind: &FunctionKind) -> &'static str {
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
pub(super) fn handle_view(resolve: &Resolve, def: &TypeDef) -> Option<(bool, String)> {
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
pub(super) fn resource_owner(resolve: &Resolve, id: TypeId) -> Option<(TypeId, String)> {
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
pub(super) fn wasi_generation(resolve: &Resolve, ty: Type) -> Option<String> {
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
pub(super) fn resource_name(resolve: &Resolve, id: TypeId) -> String {
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
pub(super) fn dealias(resolve: &Resolve, ty: Type) -> Type {
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

pub(super) fn known(span: Span) -> Option<Span> {
    span.is_known().then_some(span)
}

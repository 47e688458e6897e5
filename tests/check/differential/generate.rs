//! Random socket/plug pairs for differential testing of the check, shared
//! by `tests/check/differential.rs` and the `check_differential` fuzz
//! target.
//!
//! A [`Spec`] is one package `t:p@VERSION` with an interface `types`, an
//! interface `api` (which may `use` types from `types`) and world-level
//! functions. The plug exports all of it; the socket imports all of it.
//! One side is then mutated once ([`Mutation`]): a type changed in place,
//! a field, case or flag added, removed or renamed, a function or method
//! changed, a resource moved from `api` to `types` (taken with `use`), an
//! alias `type h = r` put in for `r`, or the package version changed.
//!
//! [`Pair::verdicts`] asks both the check (`wcompose::plug::plan` and
//! `wcompose::plug::findings` with the wasmtime host: no error) and the
//! oracle (wac-graph's `plug`, `encode`, and wasmparser's validator with
//! every feature, with every import of the socket consumed) whether the
//! plug fits the socket.

#![allow(dead_code)]

use std::fmt::Write as _;

use arbitrary::{Result, Unstructured};

const PRIMS: &[&str] = &[
    "bool", "u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "f32", "f64", "char", "string",
];

/// A type as written in a function or type definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// A primitive, by its WIT name.
    Prim(&'static str),
    /// A type defined in `types` or `api`, by name.
    Named(String),
    /// `list<T>`.
    List(Box<Ty>),
    /// `option<T>`.
    Option(Box<Ty>),
    /// `result<T, E>` with either part optional.
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    /// `tuple<...>`.
    Tuple(Vec<Ty>),
    /// `own<r>`, written `r`.
    Own(String),
    /// `borrow<r>` (parameters only).
    Borrow(String),
}

/// The body of a type definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Def {
    /// `record`.
    Record(Vec<(String, Ty)>),
    /// `variant`.
    Variant(Vec<(String, Option<Ty>)>),
    /// `enum`.
    Enum(Vec<String>),
    /// `flags`.
    Flags(Vec<String>),
    /// `resource` with its methods.
    Resource(Vec<Func>),
    /// `type name = T`.
    Alias(Ty),
}

/// A function or method.
#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    /// Its name.
    pub name: String,
    /// Parameters.
    pub params: Vec<(String, Ty)>,
    /// Result, if any.
    pub result: Option<Ty>,
}

/// One interface: `use`d names, type definitions and functions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    /// Names taken from `types` with `use`.
    pub uses: Vec<String>,
    /// Type definitions, in order.
    pub defs: Vec<(String, Def)>,
    /// Functions.
    pub funcs: Vec<Func>,
}

/// The WIT of one side.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The package version, if any.
    pub version: Option<String>,
    /// Interface `types`.
    pub types: Interface,
    /// Interface `api`.
    pub api: Interface,
    /// World-level functions.
    pub world_funcs: Vec<Func>,
}

/// Which side a mutation changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The importing component.
    Socket,
    /// The exporting component.
    Plug,
}

/// A pair to compare: the plug's WIT, the socket's WIT, and what was done.
#[derive(Clone, Debug)]
pub struct Pair {
    /// The exporting side.
    pub plug: Spec,
    /// The importing side.
    pub socket: Spec,
    /// The mutation, e.g. `record.remove-field@socket`.
    pub mutation: String,
}

struct Names {
    next: usize,
}

impl Names {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }
}

/// What names a type may refer to while generating.
#[derive(Default, Clone)]
struct Scope {
    /// Non-resource named types.
    named: Vec<String>,
    /// Resources.
    resources: Vec<String>,
}

fn gen_ty(u: &mut Unstructured<'_>, scope: &Scope, depth: u32, param: bool) -> Result<Ty> {
    let leaf = depth == 0;
    let choice = if leaf {
        u.int_in_range(0..=2)?
    } else {
        u.int_in_range(0..=8)?
    };
    Ok(match choice {
        1 if !scope.named.is_empty() => Ty::Named(u.choose(&scope.named)?.clone()),
        2 if !scope.resources.is_empty() => {
            let r = u.choose(&scope.resources)?.clone();
            if param && u.ratio(1, 3)? {
                Ty::Borrow(r)
            } else {
                Ty::Own(r)
            }
        }
        3 => Ty::List(Box::new(gen_ty(u, scope, depth - 1, false)?)),
        4 => Ty::Option(Box::new(gen_ty(u, scope, depth - 1, false)?)),
        5 => {
            let ok = if u.ratio(2, 3)? {
                Some(Box::new(gen_ty(u, scope, depth - 1, false)?))
            } else {
                None
            };
            let err = if u.ratio(1, 2)? {
                Some(Box::new(gen_ty(u, scope, depth - 1, false)?))
            } else {
                None
            };
            Ty::Result(ok, err)
        }
        6 => {
            let n = u.int_in_range(1..=3)?;
            Ty::Tuple(
                (0..n)
                    .map(|_| gen_ty(u, scope, depth - 1, false))
                    .collect::<Result<_>>()?,
            )
        }
        _ => Ty::Prim(u.choose(PRIMS)?),
    })
}

fn gen_func(u: &mut Unstructured<'_>, names: &mut Names, scope: &Scope) -> Result<Func> {
    let n = u.int_in_range(0..=3)?;
    let params = (0..n)
        .map(|_| Ok((names.fresh("a"), gen_ty(u, scope, 2, true)?)))
        .collect::<Result<_>>()?;
    let result = if u.ratio(2, 3)? {
        Some(gen_ty(u, scope, 2, false)?)
    } else {
        None
    };
    Ok(Func {
        name: names.fresh("f"),
        params,
        result,
    })
}

fn gen_def(u: &mut Unstructured<'_>, names: &mut Names, scope: &Scope) -> Result<(String, Def)> {
    let kind = u.int_in_range(0..=5)?;
    let def = match kind {
        0 => Def::Record(
            (0..u.int_in_range(1..=3)?)
                .map(|_| Ok((names.fresh("x"), gen_ty(u, scope, 1, false)?)))
                .collect::<Result<_>>()?,
        ),
        1 => Def::Variant(
            (0..u.int_in_range(1..=3)?)
                .map(|_| {
                    let payload = if u.ratio(1, 2)? {
                        Some(gen_ty(u, scope, 1, false)?)
                    } else {
                        None
                    };
                    Ok((names.fresh("c"), payload))
                })
                .collect::<Result<_>>()?,
        ),
        2 => Def::Enum(
            (0..u.int_in_range(1..=3)?)
                .map(|_| names.fresh("e"))
                .collect(),
        ),
        3 => Def::Flags(
            (0..u.int_in_range(1..=3)?)
                .map(|_| names.fresh("g"))
                .collect(),
        ),
        4 => {
            // Methods may refer to the resource itself.
            let name = names.fresh("r");
            let mut inner = scope.clone();
            inner.resources.push(name.clone());
            let methods = (0..u.int_in_range(0..=2)?)
                .map(|_| gen_func(u, names, &inner))
                .collect::<Result<_>>()?;
            return Ok((name, Def::Resource(methods)));
        }
        _ => Def::Alias(gen_ty(u, scope, 1, false)?),
    };
    Ok((names.fresh("t"), def))
}

fn add_to_scope(scope: &mut Scope, name: &str, def: &Def) {
    match def {
        Def::Resource(_) => scope.resources.push(name.to_string()),
        Def::Alias(Ty::Own(r)) => scope.resources.push(r.clone()),
        _ => scope.named.push(name.to_string()),
    }
}

fn gen_interface(
    u: &mut Unstructured<'_>,
    names: &mut Names,
    scope: &mut Scope,
    funcs: bool,
) -> Result<Interface> {
    let mut iface = Interface::default();
    for _ in 0..u.int_in_range(0..=4)? {
        let (name, def) = gen_def(u, names, scope)?;
        add_to_scope(scope, &name, &def);
        iface.defs.push((name, def));
    }
    if funcs {
        for _ in 0..u.int_in_range(1..=3)? {
            iface.funcs.push(gen_func(u, names, scope)?);
        }
    }
    Ok(iface)
}

const VERSIONS: &[Option<&str>] = &[
    None,
    Some("1.0.0"),
    Some("1.2.0"),
    Some("0.2.0"),
    Some("1.0.0-rc1"),
];

/// Generates a spec: `types`, `api` using some of it, world functions.
pub fn gen_spec(u: &mut Unstructured<'_>) -> Result<Spec> {
    let mut names = Names { next: 0 };
    let mut scope = Scope::default();
    let types = gen_interface(u, &mut names, &mut scope, false)?;
    let mut api_scope = Scope::default();
    let mut uses = Vec::new();
    for (name, def) in &types.defs {
        if u.ratio(2, 3)? {
            uses.push(name.clone());
            add_to_scope(&mut api_scope, name, def);
        }
    }
    let mut api = gen_interface(u, &mut names, &mut api_scope, true)?;
    api.uses = uses;
    let world_funcs = (0..u.int_in_range(0..=2)?)
        .map(|_| gen_func(u, &mut names, &Scope::default()))
        .collect::<Result<_>>()?;
    Ok(Spec {
        version: u.choose(VERSIONS)?.map(str::to_string),
        types,
        api,
        world_funcs,
    })
}

// ---- mutation ----

fn mutate_ty(u: &mut Unstructured<'_>, ty: &mut Ty, scope: &Scope, param: bool) -> Result<String> {
    let what = match ty {
        Ty::Prim(p) => {
            let p: &'static str = p;
            let other: &'static str = u.choose(PRIMS)?;
            let other = if other == p { "u64" } else { other };
            let other = if other == p { "s32" } else { other };
            *ty = Ty::Prim(other);
            "primitive"
        }
        Ty::List(inner) if u.ratio(1, 2)? => return mutate_ty(u, inner, scope, false),
        Ty::Option(inner) if u.ratio(1, 2)? => return mutate_ty(u, inner, scope, false),
        Ty::Option(inner) => {
            *ty = (**inner).clone();
            "option.unwrap"
        }
        Ty::Result(ok, err) => match u.int_in_range(0..=2)? {
            0 if ok.is_some() => return mutate_ty(u, ok.as_mut().unwrap(), scope, false),
            1 if err.is_some() => return mutate_ty(u, err.as_mut().unwrap(), scope, false),
            0 | 1 => {
                *ok = Some(Box::new(Ty::Prim("u32")));
                "result.add-ok"
            }
            _ => {
                if err.is_some() {
                    *err = None;
                    "result.remove-err"
                } else {
                    *err = Some(Box::new(Ty::Prim("string")));
                    "result.add-err"
                }
            }
        },
        Ty::Tuple(items) => match u.int_in_range(0..=2)? {
            0 => {
                items.push(Ty::Prim("u8"));
                "tuple.add"
            }
            1 if items.len() > 1 => {
                items.pop();
                "tuple.remove"
            }
            _ => {
                let i = u.choose_index(items.len())?;
                return mutate_ty(u, &mut items[i], scope, false);
            }
        },
        Ty::Own(r) if param && u.ratio(1, 2)? => {
            *ty = Ty::Borrow(r.clone());
            "handle.own-to-borrow"
        }
        Ty::Borrow(r) => {
            *ty = Ty::Own(r.clone());
            "handle.borrow-to-own"
        }
        Ty::Named(n) => {
            let others: Vec<_> = scope.named.iter().filter(|o| *o != n).cloned().collect();
            if others.is_empty() {
                *ty = Ty::Prim("u32");
                "named.to-primitive"
            } else {
                *ty = Ty::Named(u.choose(&others)?.clone());
                "named.other"
            }
        }
        _ => {
            *ty = Ty::List(Box::new(ty.clone()));
            "wrap.list"
        }
    };
    Ok(what.to_string())
}

fn mutate_func(u: &mut Unstructured<'_>, f: &mut Func, scope: &Scope) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 if !f.params.is_empty() => {
            let i = u.choose_index(f.params.len())?;
            format!("param.{}", mutate_ty(u, &mut f.params[i].1, scope, true)?)
        }
        1 if !f.params.is_empty() => {
            let i = u.choose_index(f.params.len())?;
            f.params[i].0.push_str("-renamed");
            "param.rename".into()
        }
        2 if !f.params.is_empty() => {
            f.params.pop();
            "param.remove".into()
        }
        3 => {
            f.params.push(("extra".into(), Ty::Prim("u32")));
            "param.add".into()
        }
        4 if f.result.is_some() && u.ratio(1, 2)? => {
            f.result = None;
            "result-type.remove".into()
        }
        _ => match &mut f.result {
            Some(r) => format!("result-type.{}", mutate_ty(u, r, scope, false)?),
            None => {
                f.result = Some(Ty::Prim("u32"));
                "result-type.add".into()
            }
        },
    })
}

fn mutate_def(u: &mut Unstructured<'_>, def: &mut Def, scope: &Scope) -> Result<String> {
    let kind = if matches!(def, Def::Enum(_)) {
        "enum"
    } else {
        "flags"
    };
    Ok(match def {
        Def::Record(fields) => match u.int_in_range(0..=4)? {
            0 => {
                fields.push(("extra".into(), Ty::Prim("u32")));
                "record.add-field".into()
            }
            1 if fields.len() > 1 => {
                fields.remove(0);
                "record.remove-field".into()
            }
            2 => {
                fields[0].0.push_str("-renamed");
                "record.rename-field".into()
            }
            3 if fields.len() > 1 => {
                fields.swap(0, 1);
                "record.reorder-fields".into()
            }
            _ => {
                let i = u.choose_index(fields.len())?;
                format!(
                    "record.field.{}",
                    mutate_ty(u, &mut fields[i].1, scope, false)?
                )
            }
        },
        Def::Variant(cases) => match u.int_in_range(0..=3)? {
            0 => {
                cases.push(("extra".into(), None));
                "variant.add-case".into()
            }
            1 if cases.len() > 1 => {
                cases.pop();
                "variant.remove-case".into()
            }
            2 => {
                cases[0].0.push_str("-renamed");
                "variant.rename-case".into()
            }
            _ => {
                let i = u.choose_index(cases.len())?;
                match &mut cases[i].1 {
                    Some(t) if u.ratio(1, 2)? => {
                        format!("variant.payload.{}", mutate_ty(u, t, scope, false)?)
                    }
                    Some(_) => {
                        cases[i].1 = None;
                        "variant.payload-removed".into()
                    }
                    None => {
                        cases[i].1 = Some(Ty::Prim("u32"));
                        "variant.payload-added".into()
                    }
                }
            }
        },
        Def::Enum(cases) | Def::Flags(cases) => match u.int_in_range(0..=3)? {
            0 => {
                cases.push("extra".into());
                format!("{kind}.add")
            }
            1 if cases.len() > 1 => {
                cases.pop();
                format!("{kind}.remove")
            }
            2 if cases.len() > 1 => {
                cases.swap(0, 1);
                format!("{kind}.reorder")
            }
            _ => {
                cases[0].push_str("-renamed");
                format!("{kind}.rename")
            }
        },
        Def::Resource(methods) => match u.int_in_range(0..=2)? {
            0 if !methods.is_empty() => {
                methods.pop();
                "resource.remove-method".into()
            }
            1 if !methods.is_empty() => {
                let i = u.choose_index(methods.len())?;
                format!(
                    "resource.method.{}",
                    mutate_func(u, &mut methods[i], scope)?
                )
            }
            _ => {
                methods.push(Func {
                    name: "extra".into(),
                    params: Vec::new(),
                    result: None,
                });
                "resource.add-method".into()
            }
        },
        Def::Alias(t) => format!("alias.{}", mutate_ty(u, t, scope, false)?),
    })
}

fn scope_of(spec: &Spec, api: bool) -> Scope {
    let mut scope = Scope::default();
    let iface = if api { &spec.api } else { &spec.types };
    for name in &iface.uses {
        if let Some((_, def)) = spec.types.defs.iter().find(|(n, _)| n == name) {
            add_to_scope(&mut scope, name, def);
        }
    }
    for (name, def) in &iface.defs {
        add_to_scope(&mut scope, name, def);
    }
    scope
}

/// Renames every reference to `from` in `ty` as `to` (own handles only).
fn rename_own(ty: &mut Ty, from: &str, to: &str) -> bool {
    match ty {
        Ty::Own(r) if r == from => {
            *ty = Ty::Named(to.to_string());
            true
        }
        Ty::List(t) | Ty::Option(t) => rename_own(t, from, to),
        Ty::Result(a, b) => {
            let x = a.as_mut().is_some_and(|t| rename_own(t, from, to));
            let y = b.as_mut().is_some_and(|t| rename_own(t, from, to));
            x || y
        }
        Ty::Tuple(items) => {
            let mut any = false;
            for t in items {
                any |= rename_own(t, from, to);
            }
            any
        }
        _ => false,
    }
}

/// Changes `spec` once; returns what was done.
fn mutate(u: &mut Unstructured<'_>, spec: &mut Spec) -> Result<String> {
    let api_scope = scope_of(spec, true);
    let choice = u.int_in_range(0..=11)?;
    Ok(match choice {
        0 => "none".into(),
        1 => {
            // Another package version.
            let versions: Vec<_> = VERSIONS
                .iter()
                .filter(|v| v.map(str::to_string) != spec.version)
                .collect();
            let v = u.choose(&versions)?;
            let label = format!(
                "version.{}-to-{}",
                spec.version.as_deref().unwrap_or("none"),
                v.unwrap_or("none")
            );
            spec.version = v.map(str::to_string);
            label
        }
        2 if !spec.world_funcs.is_empty() => {
            let i = u.choose_index(spec.world_funcs.len())?;
            format!(
                "world-func.{}",
                mutate_func(u, &mut spec.world_funcs[i], &Scope::default())?
            )
        }
        3 => {
            // A resource of `api` moved to `types` and taken with `use`,
            // or the other way round.
            let local = spec
                .api
                .defs
                .iter()
                .position(|(_, d)| matches!(d, Def::Resource(_)));
            match local {
                Some(i) => {
                    let (name, def) = spec.api.defs.remove(i);
                    spec.types.defs.push((name.clone(), def));
                    spec.api.uses.push(name);
                    "resource.local-to-use".into()
                }
                None => {
                    let used = spec.api.uses.iter().position(|n| {
                        spec.types
                            .defs
                            .iter()
                            .any(|(m, d)| m == n && matches!(d, Def::Resource(_)))
                    });
                    let Some(i) = used else {
                        return mutate_any_def(u, spec);
                    };
                    let name = spec.api.uses.remove(i);
                    let def = spec
                        .types
                        .defs
                        .iter()
                        .find(|(m, _)| *m == name)
                        .unwrap()
                        .1
                        .clone();
                    if let Def::Resource(methods) = &def
                        && methods.iter().any(|m| mentions_other(m, &name, &spec.api))
                    {
                        spec.api.uses.insert(i, name);
                        return mutate_any_def(u, spec);
                    }
                    spec.api.defs.insert(0, (name, def));
                    "resource.use-to-local".into()
                }
            }
        }
        4 => {
            // `type h = r` for a resource of `api`, used instead of `r`.
            let Some(r) = api_scope.resources.first().cloned() else {
                return mutate_any_def(u, spec);
            };
            let alias = format!("{r}-alias");
            let mut used = false;
            for f in &mut spec.api.funcs {
                for (_, t) in &mut f.params {
                    used |= rename_own(t, &r, &alias);
                }
                if let Some(t) = &mut f.result {
                    used |= rename_own(t, &r, &alias);
                }
            }
            spec.api.defs.push((alias, Def::Alias(Ty::Own(r))));
            if used {
                "alias.own-resource-used".into()
            } else {
                "alias.own-resource-unused".into()
            }
        }
        5 => {
            // A function removed from, or added to, `api`.
            if spec.api.funcs.len() > 1 && u.ratio(1, 2)? {
                spec.api.funcs.pop();
                "function.remove".into()
            } else {
                spec.api.funcs.push(Func {
                    name: "extra".into(),
                    params: vec![("x".into(), Ty::Prim("u32"))],
                    result: None,
                });
                "function.add".into()
            }
        }
        6..=9 => mutate_any_def(u, spec)?,
        _ => {
            let i = u.choose_index(spec.api.funcs.len())?;
            format!(
                "function.{}",
                mutate_func(u, &mut spec.api.funcs[i], &api_scope)?
            )
        }
    })
}

/// Whether a method of a resource mentions a type of `types` that `api`
/// does not see (so the resource cannot move into `api`).
fn mentions_other(f: &Func, own: &str, api: &Interface) -> bool {
    fn walk(t: &Ty, own: &str, api: &Interface) -> bool {
        match t {
            Ty::Named(n) | Ty::Own(n) | Ty::Borrow(n) => {
                n != own && !api.uses.contains(n) && !api.defs.iter().any(|(m, _)| m == n)
            }
            Ty::List(t) | Ty::Option(t) => walk(t, own, api),
            Ty::Result(a, b) => {
                a.as_ref().is_some_and(|t| walk(t, own, api))
                    || b.as_ref().is_some_and(|t| walk(t, own, api))
            }
            Ty::Tuple(items) => items.iter().any(|t| walk(t, own, api)),
            Ty::Prim(_) => false,
        }
    }
    f.params.iter().any(|(_, t)| walk(t, own, api))
        || f.result.as_ref().is_some_and(|t| walk(t, own, api))
}

fn mutate_any_def(u: &mut Unstructured<'_>, spec: &mut Spec) -> Result<String> {
    let in_api = spec.api.defs.len();
    let total = in_api + spec.types.defs.len();
    if total == 0 {
        let i = u.choose_index(spec.api.funcs.len())?;
        let scope = scope_of(spec, true);
        return Ok(format!(
            "function.{}",
            mutate_func(u, &mut spec.api.funcs[i], &scope)?
        ));
    }
    let i = u.choose_index(total)?;
    if i < in_api {
        let scope = scope_of(spec, true);
        mutate_def(u, &mut spec.api.defs[i].1, &scope)
    } else {
        let scope = scope_of(spec, false);
        mutate_def(u, &mut spec.types.defs[i - in_api].1, &scope)
    }
}

/// Generates a spec and a mutated copy, one of them the socket.
pub fn gen_pair(u: &mut Unstructured<'_>) -> Result<Pair> {
    let spec = gen_spec(u)?;
    let mut other = spec.clone();
    let mutation = mutate(u, &mut other)?;
    let side = if u.ratio(1, 2)? {
        Side::Socket
    } else {
        Side::Plug
    };
    let (plug, socket) = match side {
        Side::Socket => (spec, other),
        Side::Plug => (other, spec),
    };
    let side = match side {
        Side::Socket => "socket",
        Side::Plug => "plug",
    };
    Ok(Pair {
        plug,
        socket,
        mutation: format!("{mutation}@{side}"),
    })
}

// ---- WIT ----

fn ty_wit(t: &Ty) -> String {
    match t {
        Ty::Prim(p) => p.to_string(),
        Ty::Named(n) | Ty::Own(n) => format!("%{n}"),
        Ty::Borrow(n) => format!("borrow<%{n}>"),
        Ty::List(t) => format!("list<{}>", ty_wit(t)),
        Ty::Option(t) => format!("option<{}>", ty_wit(t)),
        Ty::Result(None, None) => "result".into(),
        Ty::Result(Some(ok), None) => format!("result<{}>", ty_wit(ok)),
        Ty::Result(None, Some(err)) => format!("result<_, {}>", ty_wit(err)),
        Ty::Result(Some(ok), Some(err)) => format!("result<{}, {}>", ty_wit(ok), ty_wit(err)),
        Ty::Tuple(items) => format!(
            "tuple<{}>",
            items.iter().map(ty_wit).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn func_sig(f: &Func) -> String {
    let params: Vec<_> = f
        .params
        .iter()
        .map(|(n, t)| format!("%{n}: {}", ty_wit(t)))
        .collect();
    let result = f
        .result
        .as_ref()
        .map(|t| format!(" -> {}", ty_wit(t)))
        .unwrap_or_default();
    format!("func({}){result}", params.join(", "))
}

fn interface_wit(out: &mut String, name: &str, iface: &Interface) {
    writeln!(out, "interface {name} {{").unwrap();
    if !iface.uses.is_empty() {
        let uses: Vec<_> = iface.uses.iter().map(|n| format!("%{n}")).collect();
        writeln!(out, "    use types.{{{}}};", uses.join(", ")).unwrap();
    }
    for (n, def) in &iface.defs {
        match def {
            Def::Record(fields) => {
                writeln!(out, "    record %{n} {{").unwrap();
                for (f, t) in fields {
                    writeln!(out, "        %{f}: {},", ty_wit(t)).unwrap();
                }
                writeln!(out, "    }}").unwrap();
            }
            Def::Variant(cases) => {
                writeln!(out, "    variant %{n} {{").unwrap();
                for (c, t) in cases {
                    match t {
                        Some(t) => writeln!(out, "        %{c}({}),", ty_wit(t)).unwrap(),
                        None => writeln!(out, "        %{c},").unwrap(),
                    }
                }
                writeln!(out, "    }}").unwrap();
            }
            Def::Enum(cases) | Def::Flags(cases) => {
                let kw = if matches!(def, Def::Enum(_)) {
                    "enum"
                } else {
                    "flags"
                };
                writeln!(out, "    {kw} %{n} {{").unwrap();
                for c in cases {
                    writeln!(out, "        %{c},").unwrap();
                }
                writeln!(out, "    }}").unwrap();
            }
            Def::Resource(methods) if methods.is_empty() => {
                writeln!(out, "    resource %{n};").unwrap();
            }
            Def::Resource(methods) => {
                writeln!(out, "    resource %{n} {{").unwrap();
                for m in methods {
                    writeln!(out, "        %{}: {};", m.name, func_sig(m)).unwrap();
                }
                writeln!(out, "    }}").unwrap();
            }
            Def::Alias(t) => writeln!(out, "    type %{n} = {};", ty_wit(t)).unwrap(),
        }
    }
    for f in &iface.funcs {
        writeln!(out, "    %{}: {};", f.name, func_sig(f)).unwrap();
    }
    writeln!(out, "}}").unwrap();
}

/// The WIT of one side: the package, both interfaces, and a world `name`
/// that exports (the plug) or imports (the socket) all of it.
pub fn wit(spec: &Spec, side: Side) -> String {
    let mut out = String::new();
    let version = spec
        .version
        .as_ref()
        .map(|v| format!("@{v}"))
        .unwrap_or_default();
    writeln!(out, "package t:p{version};\n").unwrap();
    interface_wit(&mut out, "types", &spec.types);
    out.push('\n');
    interface_wit(&mut out, "api", &spec.api);
    let (world, dir) = match side {
        Side::Socket => ("socket", "import"),
        Side::Plug => ("plug", "export"),
    };
    writeln!(out, "\nworld {world} {{").unwrap();
    writeln!(out, "    {dir} types;").unwrap();
    writeln!(out, "    {dir} api;").unwrap();
    for f in &spec.world_funcs {
        writeln!(out, "    {dir} %{}: {};", f.name, func_sig(f)).unwrap();
    }
    if side == Side::Socket {
        // Something to export, so that the socket is a component with a
        // purpose; the oracle exports it from the composition.
        writeln!(out, "    export run: func();").unwrap();
    }
    writeln!(out, "}}").unwrap();
    out
}

// ---- components and verdicts ----

/// Builds a stub component with exactly the world of `wit`.
pub fn component(wit: &str) -> std::result::Result<Vec<u8>, String> {
    // wit-parser and wit-component may panic on odd input; that makes no
    // pair, like an error.
    wcompose::guard::contain("wit-component", || stub(wit)).and_then(|r| r)
}

fn stub(wit: &str) -> std::result::Result<Vec<u8>, String> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve
        .push_str("generated.wit", wit)
        .map_err(|e| format!("{e:#}"))?;
    let world = resolve
        .select_world(&[package], None)
        .map_err(|e| format!("{e:#}"))?;
    let mut module =
        wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .map_err(|e| format!("{e:#}"))?;
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder
        .validate(true)
        .module(&module)
        .map_err(|e| format!("{e:#}"))?;
    encoder.encode().map_err(|e| format!("{e:#}"))
}

/// What one side of the comparison said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The plug fits the socket.
    Compatible,
    /// It does not, and why.
    Incompatible(String),
}

impl Verdict {
    /// Whether it fits.
    pub fn compatible(&self) -> bool {
        matches!(self, Verdict::Compatible)
    }
}

/// The check's verdict: `wcompose check --socket S --plug P` with the
/// wasmtime host finds no error.
pub fn check_verdict(socket: &[u8], plug: &[u8]) -> Verdict {
    let input = |name: &str, bytes: &[u8]| wcompose::plug::Input {
        name: name.to_string(),
        path: format!("{name}.wasm").into(),
        bytes: bytes.to_vec(),
    };
    let plan = match wcompose::plug::plan(input("socket", socket), vec![input("plug", plug)], None)
    {
        Ok(plan) => plan,
        Err(e) => return Verdict::Incompatible(format!("plan: {}", wcompose::error_chain(&e))),
    };
    let host = wcompose::host::HostProfile::named("wasmtime").unwrap();
    let report = wcompose::plug::findings(&plan, Some(&host));
    if report.errors() == 0 {
        Verdict::Compatible
    } else {
        Verdict::Incompatible(
            report
                .findings
                .iter()
                .filter(|f| f.severity == wcompose::check::Severity::Error)
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

/// The names a component imports.
fn imports_of(component: &[u8]) -> std::result::Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload.map_err(|e| e.to_string())? {
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    names.push(import.map_err(|e| e.to_string())?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

/// The oracle's verdict: wac-graph plugs the plug into the socket, the
/// composition encodes and validates with every feature, and none of the
/// socket's imports is left among the composition's imports.
pub fn oracle_verdict(socket: &[u8], plug: &[u8]) -> Verdict {
    let run = || -> std::result::Result<(), String> {
        let mut graph = wac_graph::CompositionGraph::new();
        let package = |graph: &mut wac_graph::CompositionGraph, name: &str, bytes: &[u8]| {
            let package =
                wac_types::Package::from_bytes(name, None, bytes.to_vec(), graph.types_mut())
                    .map_err(|e| format!("{e:#}"))?;
            graph
                .register_package(package)
                .map_err(|e| format!("{e:#}"))
        };
        let socket_id = package(&mut graph, "t:socket", socket)?;
        let plug_id = package(&mut graph, "t:plug", plug)?;
        wac_graph::plug(&mut graph, vec![plug_id], socket_id)
            .map_err(|e| format!("plug: {}", wcompose::error_chain(&e)))?;
        let bytes = graph
            .encode(wac_graph::EncodeOptions {
                define_components: true,
                validate: true,
                processor: None,
            })
            .map_err(|e| format!("encode: {}", wcompose::error_chain(&e)))?;
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&bytes)
            .map_err(|e| format!("validate: {e}"))?;
        let left = imports_of(&bytes)?;
        let wanted = imports_of(socket)?;
        let open: Vec<_> = wanted.iter().filter(|w| left.contains(w)).collect();
        if open.is_empty() {
            Ok(())
        } else {
            Err(format!("left open: {open:?}"))
        }
    };
    match run() {
        Ok(()) => Verdict::Compatible,
        Err(e) => Verdict::Incompatible(e),
    }
}

/// One compared pair: the WIT of both sides and both verdicts.
#[derive(Debug)]
pub struct Outcome {
    /// The mutation.
    pub mutation: String,
    /// The plug's WIT.
    pub plug_wit: String,
    /// The socket's WIT.
    pub socket_wit: String,
    /// The check's verdict.
    pub check: Verdict,
    /// The oracle's verdict.
    pub oracle: Verdict,
}

impl Outcome {
    /// Whether the two verdicts differ.
    pub fn disagrees(&self) -> bool {
        self.check.compatible() != self.oracle.compatible()
    }
}

/// Generates a pair from `u` and asks both sides; `None` when the pair is
/// not valid WIT (wit-parser or wit-component refuse one side), which
/// tests neither.
pub fn compare(u: &mut Unstructured<'_>) -> Option<Outcome> {
    let pair = gen_pair(u).ok()?;
    let plug_wit = wit(&pair.plug, Side::Plug);
    let socket_wit = wit(&pair.socket, Side::Socket);
    let plug = component(&plug_wit).ok()?;
    let socket = component(&socket_wit).ok()?;
    Some(Outcome {
        mutation: pair.mutation,
        check: check_verdict(&socket, &plug),
        oracle: oracle_verdict(&socket, &plug),
        plug_wit,
        socket_wit,
    })
}

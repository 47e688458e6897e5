//! Walks a `.wac` document and checks every instantiation argument.
//!
//! The walk follows the wac language's rules for which import an argument
//! fills (named, inferred, spread and `...` arguments, `.name` and
//! `["name"]` access, also into an exported interface: `calc.ops.add`) but,
//! unlike wac-graph, it records a problem and moves on, so one run reports
//! every problem in the graph. Each edge is decided by the toolchain's type
//! checker ([`types`](super::types)) and explained by the comparison of the
//! two sides' WIT ([`compat`]). Expressions it does not follow (imports, type
//! statements) are left to wac's own resolution, whose verdict counts after a
//! clean walk (see [`crate::compose::check_source`]); when wac resolved the
//! document, the walk reads the packages' types from wac's graph.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use miette::SourceSpan;
use wac_graph::CompositionGraph;
use wac_parser::{
    Document, Expr, InstantiationArgument, InstantiationArgumentName, NewExpr, PostfixExpr,
    PrimaryExpr, Statement,
};
use wac_types::{BorrowedPackageKey, ItemKind};
use wit_parser::{Function, InterfaceId, Resolve, Span, TypeDefKind, WorldItem};

use super::compat::{self, Mismatch, Side};
use super::left_to_host::LeftToHost;
use super::types::{ComponentType, TypeSpace};
use super::world::{ComponentWorld, Printed};
use super::{CheckOptions, Finding, FindingKind, Label, Report, Severity, SourceFile};
use crate::host;

/// Checks every instantiation of `doc` against the components in `packages`
/// (as resolved from the deps folder). When the walk finds no error,
/// `compose` composes and validates the document as the toolchain does;
/// if the toolchain rejects it, the edges the type checker accepted are
/// explained after all. Returns the findings and the composed bytes.
///
/// `resolved` is wac's graph of `doc` when wac could resolve it: the walk
/// then takes each package's types from there rather than decoding the
/// package a second time. Without it, the walk decodes them itself, and
/// says which cannot be.
pub fn check_document<'a>(
    wac: Arc<SourceFile>,
    doc: &'a Document<'a>,
    packages: &IndexMap<BorrowedPackageKey<'a>, Vec<u8>>,
    resolved: Option<&CompositionGraph>,
    options: &CheckOptions,
    compose: impl FnOnce() -> Result<Vec<u8>, Box<Finding>>,
) -> (Report, Option<Vec<u8>>) {
    let mut walker = Walker {
        wac,
        packages,
        options,
        resolved,
        types: resolved.map_or_else(TypeSpace::default, |graph| TypeSpace::shared(graph.types())),
        components: HashMap::new(),
        scope: HashMap::new(),
        report: Report::default(),
        referenced: HashSet::new(),
        declared: Vec::new(),
        instances: Vec::new(),
        open_imports: Vec::new(),
        accepted: Vec::new(),
    };
    for statement in &doc.statements {
        match statement {
            Statement::Let(stmt) => {
                let value = walker.expr(&stmt.expr, Some(stmt.id.string));
                let kind = match value {
                    Value::Instance(_) => Declared::Instance,
                    _ => Declared::Other,
                };
                walker.declared.push((stmt.id.string, stmt.id.span, kind));
                walker.scope.insert(stmt.id.string, value);
            }
            Statement::Import(stmt) => {
                walker
                    .declared
                    .push((stmt.id.string, stmt.id.span, Declared::Import));
                walker.scope.insert(stmt.id.string, Value::Opaque);
            }
            Statement::Export(stmt) => {
                walker.expr(&stmt.expr, None);
            }
            Statement::Type(_) => {}
        }
    }
    walker.report.graph.instances = walker
        .instances
        .iter()
        .map(|i| (i.label.clone(), i.package.clone()))
        .collect();
    walker.report.graph.host_imports = walker
        .open_imports
        .iter()
        .map(|(i, name)| (i.label.clone(), name.clone()))
        .collect();
    walker.dead_edges();
    walker.host_imports();
    walker.wasi_skew();
    if walker.report.errors() > 0 {
        return (walker.report, None);
    }
    match compose() {
        Ok(bytes) => (walker.report, Some(bytes)),
        Err(toolchain) => {
            let doubts = std::mem::take(&mut walker.accepted)
                .into_iter()
                .flat_map(|(consumer, name, item, span)| {
                    let edge = edge_text(&consumer, &name, &item);
                    walker.explain(&consumer, &name, &item, span, &edge)
                })
                .collect();
            walker.report.rejected(*toolchain, doubts);
            (walker.report, None)
        }
    }
}

/// What a `let` or `import` statement declared, for dead-edge warnings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Declared {
    Instance,
    Import,
    Other,
}

/// A package of the composition: its type as the toolchain sees it, and its
/// world as WIT when WIT can represent it, decoded the first time a
/// difference needs explaining.
struct Component {
    ty: ComponentType,
    package: String,
    bytes: Vec<u8>,
    world: OnceLock<Option<ComponentWorld>>,
}

impl Component {
    /// WIT may be unable to represent a valid component (a type exported
    /// twice): it is still checked, only explained in the toolchain's
    /// words.
    fn world(&self) -> Option<&ComponentWorld> {
        self.world
            .get_or_init(|| ComponentWorld::from_component(&self.package, &self.bytes).ok())
            .as_ref()
    }
}

/// An instance created by a `new` expression.
struct Instance {
    /// The `let` name, or the package name for an unnamed instance.
    label: String,
    /// The instantiated package, and where the `.wac` names it.
    package: String,
    span: SourceSpan,
    component: Arc<Component>,
}

impl Instance {
    fn imports(&self) -> &IndexMap<String, ItemKind> {
        &self.component.ty.imports
    }

    fn exports(&self) -> &IndexMap<String, ItemKind> {
        &self.component.ty.exports
    }

    fn world(&self) -> Option<&ComponentWorld> {
        self.component.world()
    }
}

/// An export of an instance, or an item of an exported interface.
#[derive(Clone)]
struct Item {
    instance: Arc<Instance>,
    /// The instance's export.
    export: String,
    /// The item of the exported interface (`add` of `calc.ops.add`).
    member: Option<String>,
    /// Its type.
    kind: ItemKind,
}

impl Item {
    /// The item's name as the `.wac` reaches it: `ops` or `ops.add`.
    fn name(&self) -> String {
        match &self.member {
            Some(member) => format!("{}.{member}", self.export),
            None => self.export.clone(),
        }
    }
}

/// What an expression evaluates to, as far as the check follows it.
#[derive(Clone)]
enum Value {
    Instance(Arc<Instance>),
    Item(Item),
    Opaque,
}

struct Walker<'a, 'p> {
    wac: Arc<SourceFile>,
    packages: &'p IndexMap<BorrowedPackageKey<'a>, Vec<u8>>,
    options: &'p CheckOptions,
    /// wac's graph of the document, whose packages are decoded already.
    resolved: Option<&'p CompositionGraph>,
    types: TypeSpace<'p>,
    components: HashMap<String, Option<Arc<Component>>>,
    scope: HashMap<&'a str, Value>,
    report: Report,
    /// Names used anywhere after their declaration.
    referenced: HashSet<&'a str>,
    /// `let` and `import` names in order, with what they declared.
    declared: Vec<(&'a str, SourceSpan, Declared)>,
    /// Every instance created, in source order.
    instances: Vec<Arc<Instance>>,
    /// Imports left open by `...`: they become imports of the composition.
    open_imports: Vec<(Arc<Instance>, String)>,
    /// Edges the type checker accepted, explained only if the composition
    /// is then rejected.
    accepted: Vec<(Arc<Instance>, String, Item, SourceSpan)>,
}

impl<'a> Walker<'a, '_> {
    fn expr(&mut self, expr: &'a Expr<'a>, label: Option<&str>) -> Value {
        let mut value = match &expr.primary {
            PrimaryExpr::New(new) => self.new_expr(new, label),
            PrimaryExpr::Nested(nested) => self.expr(&nested.inner, label),
            PrimaryExpr::Ident(id) => self.lookup(id.string),
        };
        for postfix in &expr.postfix {
            value = self.access(value, postfix);
        }
        value
    }

    /// `value.name` or `value["name"]`.
    fn access(&mut self, value: Value, postfix: &'a PostfixExpr<'a>) -> Value {
        let (short, quoted, span) = match postfix {
            PostfixExpr::Access(access) => (access.id.string, false, access.span),
            PostfixExpr::NamedAccess(access) => (access.string.value, true, access.span),
        };
        match value {
            Value::Instance(instance) => {
                let name = if quoted {
                    short
                } else {
                    matching_interface_name(short, instance.exports()).unwrap_or(short)
                };
                match instance.exports().get(name) {
                    Some(kind) => Value::Item(Item {
                        kind: *kind,
                        export: name.to_string(),
                        member: None,
                        instance,
                    }),
                    None => {
                        let exports = list(instance.exports().keys());
                        self.wac_finding(
                            FindingKind::MissingExport,
                            name,
                            format!(
                                "`{}` has no export named `{name}` (it exports {exports})",
                                instance.label
                            ),
                            span,
                            "no such export".to_string(),
                        );
                        Value::Opaque
                    }
                }
            }
            Value::Item(item) if item.member.is_none() => match self.types.member(item.kind, short)
            {
                Some(kind) => Value::Item(Item {
                    kind,
                    member: Some(short.to_string()),
                    ..item
                }),
                None => {
                    let members = self.types.members(item.kind);
                    let message = if members.is_empty() {
                        format!(
                            "`{}` of `{}` is {}, which has no exports to access",
                            item.export,
                            item.instance.label,
                            self.types.describe(item.kind)
                        )
                    } else {
                        format!(
                            "`{}` of `{}` has no export named `{short}` (it exports {})",
                            item.export,
                            item.instance.label,
                            list(members.iter())
                        )
                    };
                    self.wac_finding(
                        FindingKind::MissingExport,
                        &format!("{}.{short}", item.export),
                        message,
                        span,
                        "no such export".to_string(),
                    );
                    Value::Opaque
                }
            },
            // Deeper accesses (into a type) are left to wac's resolution.
            Value::Item(_) | Value::Opaque => Value::Opaque,
        }
    }

    fn lookup(&mut self, name: &'a str) -> Value {
        self.referenced.insert(name);
        self.scope.get(name).cloned().unwrap_or(Value::Opaque)
    }

    fn component(
        &mut self,
        package: &str,
        key: &BorrowedPackageKey<'a>,
        span: SourceSpan,
    ) -> Option<Arc<Component>> {
        if let Some(component) = self.components.get(package) {
            return component.clone();
        }
        let component = match self.packages.get(key) {
            Some(bytes) => match self.component_type(package, key, bytes) {
                Ok(ty) => Some(Arc::new(Component {
                    ty,
                    package: package.to_string(),
                    bytes: bytes.clone(),
                    world: OnceLock::new(),
                })),
                Err(e) => {
                    self.wac_finding(
                        FindingKind::UnreadablePackage,
                        package,
                        format!("package `{package}` cannot be checked: {e}"),
                        span,
                        "this package".to_string(),
                    );
                    None
                }
            },
            None => None,
        };
        self.components
            .insert(package.to_string(), component.clone());
        component
    }

    /// The types of `package`: as wac decoded them when it resolved the
    /// document, or decoded from `bytes` now.
    fn component_type(
        &mut self,
        package: &str,
        key: &BorrowedPackageKey<'a>,
        bytes: &[u8],
    ) -> Result<ComponentType, String> {
        let decoded = self
            .resolved
            .and_then(|graph| graph.get_package_by_name(key.name, key.version));
        match decoded {
            Some((_, decoded)) => Ok(self.types.package(decoded)),
            None => self.types.load(package, bytes),
        }
    }

    fn new_expr(&mut self, new: &'a NewExpr<'a>, label: Option<&str>) -> Value {
        let key = BorrowedPackageKey::from_name_and_version(
            new.package.name,
            new.package.version.as_ref(),
        );
        let component = self.component(new.package.string, &key, new.package.span);
        let Some(component) = component else {
            // Still walk the arguments so that problems inside them surface
            // and the names they use count as used.
            for arg in &new.arguments {
                match arg {
                    InstantiationArgument::Named(arg) => {
                        self.expr(&arg.expr, None);
                    }
                    InstantiationArgument::Inferred(id) | InstantiationArgument::Spread(id) => {
                        self.lookup(id.string);
                    }
                    InstantiationArgument::Fill(_) => {}
                }
            }
            return Value::Opaque;
        };
        let instance = Arc::new(Instance {
            label: label.unwrap_or(new.package.string).to_string(),
            package: new.package.string.to_string(),
            span: new.package.span,
            component,
        });
        self.instances.push(instance.clone());
        let imports = instance.imports();

        let mut provided: IndexMap<String, (Value, SourceSpan)> = IndexMap::new();
        let mut fill = false;
        for arg in &new.arguments {
            let (name, value, span) = match arg {
                InstantiationArgument::Inferred(id) => {
                    let value = self.lookup(id.string);
                    let name = match &value {
                        Value::Item(Item {
                            export,
                            member: None,
                            ..
                        }) if imports.contains_key(export) => export.clone(),
                        _ => matching_interface_name(id.string, imports)
                            .unwrap_or(id.string)
                            .to_string(),
                    };
                    (name, value, id.span)
                }
                InstantiationArgument::Named(arg) => {
                    let value = self.expr(&arg.expr, None);
                    let name = match &arg.name {
                        InstantiationArgumentName::Ident(id) => {
                            matching_interface_name(id.string, imports).unwrap_or(id.string)
                        }
                        InstantiationArgumentName::String(s) => s.value,
                    };
                    (name.to_string(), value, arg.name.span())
                }
                InstantiationArgument::Spread(_) => continue,
                InstantiationArgument::Fill(_) => {
                    fill = true;
                    continue;
                }
            };
            if imports.contains_key(&name) {
                provided.insert(name, (value, span));
            } else {
                let known = list(imports.keys());
                self.wac_finding(
                    FindingKind::UnknownImport,
                    &name,
                    format!(
                        "`{}` ({}) has no import named `{name}` (it imports {known})",
                        instance.label, new.package.string
                    ),
                    span,
                    "no such import".to_string(),
                );
            }
        }
        for arg in &new.arguments {
            let InstantiationArgument::Spread(id) = arg else {
                continue;
            };
            let Value::Instance(source) = self.lookup(id.string) else {
                continue;
            };
            for name in imports.keys() {
                if provided.contains_key(name) {
                    continue;
                }
                let export = if source.exports().contains_key(name) {
                    Some(name.clone())
                } else {
                    source
                        .exports()
                        .keys()
                        .find(|export| wac_types::are_semver_compatible(export, name))
                        .cloned()
                };
                if let Some(export) = export {
                    let value = Value::Item(Item {
                        kind: source.exports()[&export],
                        instance: source.clone(),
                        export,
                        member: None,
                    });
                    provided.insert(name.clone(), (value, id.span));
                }
            }
        }

        for (name, (value, span)) in &provided {
            self.edge(&instance, name, value, *span);
        }
        let missing: Vec<String> = imports
            .keys()
            .filter(|name| !provided.contains_key(*name))
            .cloned()
            .collect();
        if fill {
            self.open_imports
                .extend(missing.into_iter().map(|name| (instance.clone(), name)));
        } else {
            for name in &missing {
                self.wac_finding(
                    FindingKind::MissingArgument,
                    name,
                    format!(
                        "import `{name}` of `{}` ({}) is given no argument, and the instantiation has no `...` to import it",
                        instance.label, new.package.string
                    ),
                    new.package.span,
                    format!("`{name}` is not satisfied"),
                );
            }
        }
        Value::Instance(instance)
    }

    /// Checks that `value` satisfies import `name` of `consumer`: the
    /// toolchain's type checker decides, the comparison of the two sides'
    /// WIT explains. An argument the walk does not follow (an `import`
    /// statement, a type) is not an edge it checked: wac's resolution
    /// decides it after the walk.
    fn edge(&mut self, consumer: &Arc<Instance>, name: &str, value: &Value, span: SourceSpan) {
        let Value::Item(item) = value else {
            return;
        };
        let verdict = self.types.fits(item.kind, consumer.imports()[name]);
        self.report.edges_checked += 1;
        self.report.graph.edges.push(super::Edge {
            consumer: consumer.label.clone(),
            import: name.to_string(),
            provider: item.instance.label.clone(),
            export: item.name(),
            at: Some(Label {
                source: self.wac.clone(),
                span: range(span),
                text: String::new(),
            }),
        });
        let Err(reason) = verdict else {
            self.accepted
                .push((consumer.clone(), name.to_string(), item.clone(), span));
            return;
        };
        let edge = edge_text(consumer, name, item);
        let explained = self.explain(consumer, name, item, span, &edge);
        if explained.is_empty() {
            // WIT cannot say why: the checker's own words.
            self.wac_finding(
                FindingKind::TypeMismatch,
                name,
                format!(
                    "{name}: `{}` of `{}` does not satisfy the import: {reason}",
                    item.name(),
                    item.instance.label
                ),
                span,
                edge,
            );
        } else {
            self.report.findings.extend(explained);
        }
    }

    /// Explains, in WIT terms, why `item` might not satisfy import `name` of
    /// `consumer`; empty when the comparison finds no difference or WIT
    /// cannot represent one of the two sides.
    fn explain(
        &self,
        consumer: &Instance,
        name: &str,
        item: &Item,
        span: SourceSpan,
        edge: &str,
    ) -> Vec<Finding> {
        let import = consumer.imports()[name];
        if std::mem::discriminant(&import) != std::mem::discriminant(&item.kind) {
            return vec![self.finding(
                FindingKind::KindMismatch,
                Severity::Error,
                name,
                format!(
                    "{name}: the import expects {}, the export of `{}` provides {}",
                    self.types.describe(import),
                    item.instance.label,
                    self.types.describe(item.kind),
                ),
                span,
                edge.to_string(),
            )];
        }
        let (Some(consumer_world), Some(producer_world)) =
            (consumer.world(), item.instance.world())
        else {
            return Vec::new();
        };
        let (Some(import), Some(export)) = (
            consumer_world.imports.get(name),
            producer_world.exports.get(&item.export),
        ) else {
            return Vec::new();
        };
        match (import, export, &item.member) {
            (
                WorldItem::Interface { id: import, .. },
                WorldItem::Interface { id: export, .. },
                None,
            ) => self.explain_interfaces(consumer, name, item, *import, *export, span, edge),
            (WorldItem::Function(_), WorldItem::Function(_), None)
            | (WorldItem::Function(_), WorldItem::Interface { .. }, Some(_)) => {
                self.explain_functions(consumer, name, item, span, edge)
            }
            _ => Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn explain_interfaces(
        &self,
        consumer: &Instance,
        name: &str,
        item: &Item,
        import: InterfaceId,
        export: InterfaceId,
        span: SourceSpan,
        edge: &str,
    ) -> Vec<Finding> {
        let (consumer_world, producer_world) = (
            consumer.world().expect("explained"),
            item.instance.world().expect("explained"),
        );
        if compat::compare_interfaces(side(consumer_world, import), side(producer_world, export))
            .is_empty()
        {
            return Vec::new();
        }
        // Compare again on the printed WIT, whose items have spans.
        let printed = consumer_world
            .printed()
            .zip(producer_world.printed())
            .and_then(|(c, p)| {
                match (c.imports.get(name)?, p.exports.get(item.export.as_str())?) {
                    (WorldItem::Interface { id: i, .. }, WorldItem::Interface { id: e, .. }) => {
                        Some((c, *i, p, *e))
                    }
                    _ => None,
                }
            });
        let mismatches = match printed {
            Some((c, i, p, e)) => compat::compare_interfaces(
                Side {
                    resolve: &c.resolve,
                    interface: i,
                },
                Side {
                    resolve: &p.resolve,
                    interface: e,
                },
            ),
            None => compat::compare_interfaces(
                side(consumer_world, import),
                side(producer_world, export),
            ),
        };
        let wit = self.options.wit.as_ref().and_then(|wit| wit.get());
        let import_spans = Self::span_source(wit, consumer_world, import);
        let export_spans = Self::span_source(wit, producer_world, export);
        mismatches
            .into_iter()
            .map(|m| {
                let path = format!("{name}.{}", m.path);
                let labels = [
                    import_spans.label(
                        m.import_span,
                        &m.path,
                        side_text(consumer, "imports", &m.expected),
                    ),
                    export_spans.label(
                        m.export_span,
                        &m.path,
                        side_text(&item.instance, "exports", &m.found),
                    ),
                ];
                self.mismatch_finding(path, m, span, edge, labels)
            })
            .collect()
    }

    /// Explains a function passed for a function import: a world-level
    /// function export, or a function of an exported interface.
    fn explain_functions(
        &self,
        consumer: &Instance,
        name: &str,
        item: &Item,
        span: SourceSpan,
        edge: &str,
    ) -> Vec<Finding> {
        let (consumer_world, producer_world) = (
            consumer.world().expect("explained"),
            item.instance.world().expect("explained"),
        );
        // Compared on the printed worlds where WIT can print both, so that
        // the items have spans; otherwise on the decoded ones.
        let compare = |imports: &IndexMap<String, WorldItem>,
                       exports: &IndexMap<String, WorldItem>,
                       import_resolve: &Resolve,
                       export_resolve: &Resolve|
         -> Option<Vec<Mismatch>> {
            let WorldItem::Function(import) = imports.get(name)? else {
                return None;
            };
            let export = function_of(export_resolve, exports.get(&item.export)?, &item.member)?;
            Some(compat::compare_functions(
                (import_resolve, import),
                (export_resolve, export),
            ))
        };
        let on_printed = consumer_world
            .printed()
            .zip(producer_world.printed())
            .and_then(|(c, p)| {
                Some((
                    compare(&c.imports, &p.exports, &c.resolve, &p.resolve)?,
                    c,
                    p,
                ))
            });
        let (mismatches, printed) = match on_printed {
            Some((mismatches, c, p)) => (mismatches, Some((c, p))),
            None => (
                compare(
                    &consumer_world.imports,
                    &producer_world.exports,
                    &consumer_world.resolve,
                    &producer_world.resolve,
                )
                .unwrap_or_default(),
                None,
            ),
        };
        mismatches
            .into_iter()
            .map(|m| {
                let labels = printed.map_or([None, None], |(c, p)| {
                    [
                        printed_label(
                            c,
                            m.import_span,
                            side_text(consumer, "imports", &m.expected),
                        ),
                        printed_label(
                            p,
                            m.export_span,
                            side_text(&item.instance, "exports", &m.found),
                        ),
                    ]
                });
                self.mismatch_finding(m.path.clone(), m, span, edge, labels)
            })
            .collect()
    }

    /// A type mismatch on an edge, pointing at the `.wac` and at both sides.
    fn mismatch_finding(
        &self,
        path: String,
        m: Mismatch,
        span: SourceSpan,
        edge: &str,
        sides: [Option<Label>; 2],
    ) -> Finding {
        let message = match (&m.expected, &m.found) {
            (Some(expected), Some(found)) => {
                format!("{path}: the import expects {expected}, the export provides {found}")
            }
            _ => format!("{path}: {}", m.message),
        };
        let mut labels = vec![Label {
            source: self.wac.clone(),
            span: range(span),
            text: edge.to_string(),
        }];
        labels.extend(sides.into_iter().flatten());
        Finding {
            kind: FindingKind::TypeMismatch,
            severity: Severity::Error,
            path,
            message,
            expected: m.expected,
            found: m.found,
            labels,
        }
    }

    /// Chooses where the spans of `interface` (of `world`) point.
    fn span_source<'w>(
        wit: Option<&'w crate::wit::Wit>,
        world: &'w ComponentWorld,
        interface: InterfaceId,
    ) -> SpanSource<'w> {
        let from_workspace = wit.and_then(|wit| {
            let name = world.resolve.id_of(interface)?;
            let (id, _) = wit
                .resolve
                .interfaces
                .iter()
                .find(|(id, _)| wit.resolve.id_of(*id).as_deref() == Some(name.as_str()))?;
            // Every item of the component's interface must be in the
            // workspace's, with the same type.
            let same = compat::compare_interfaces(
                Side {
                    resolve: &world.resolve,
                    interface,
                },
                Side {
                    resolve: &wit.resolve,
                    interface: id,
                },
            )
            .is_empty();
            same.then_some(SpanSource::Workspace(wit, id))
        });
        from_workspace.unwrap_or_else(|| SpanSource::Printed(world.printed()))
    }

    /// Warns about `import` statements that nothing uses and instances that
    /// satisfy nothing (none of their exports is used or exported).
    fn dead_edges(&mut self) {
        let declared = std::mem::take(&mut self.declared);
        for (name, span, kind) in declared {
            if self.referenced.contains(name) {
                continue;
            }
            let (kind, message, label) = match kind {
                Declared::Import => (
                    FindingKind::UnusedImport,
                    format!("import `{name}` is never used"),
                    "imported here, used nowhere".to_string(),
                ),
                Declared::Instance => (
                    FindingKind::UnusedInstance,
                    format!("instance `{name}` satisfies nothing: no argument or export uses it"),
                    "instantiated here, used nowhere".to_string(),
                ),
                Declared::Other => continue,
            };
            self.push_wac(kind, Severity::Warning, name, message, span, label);
        }
    }

    /// Checks the imports that `...` leaves to the composition against the
    /// host profile.
    fn host_imports(&mut self) {
        let Some(host) = &self.options.host else {
            return;
        };
        // wac merges semver-compatible implicit imports into the highest
        // version; check each merged import once, naming every importer.
        // (highest name, importers), in the order first seen.
        let mut merged: Vec<(String, Vec<Arc<Instance>>)> = Vec::new();
        for (instance, name) in &self.open_imports {
            // An interface of types alone needs nothing from the host:
            // wasmtime links it without a definition.
            if self.types.types_only(instance.imports()[name.as_str()]) {
                continue;
            }
            let index = match merged
                .iter()
                .position(|(n, _)| wac_types::are_semver_compatible(n, name))
            {
                Some(index) => index,
                None => {
                    merged.push((name.clone(), Vec::new()));
                    merged.len() - 1
                }
            };
            let entry = &mut merged[index];
            if host::split_version(&entry.0).1 < host::split_version(name).1 {
                entry.0 = name.clone();
            }
            if !entry.1.iter().any(|i| Arc::ptr_eq(i, instance)) {
                entry.1.push(instance.clone());
            }
        }
        merged.sort_by(|a, b| a.0.cmp(&b.0));
        let mut findings = Vec::new();
        for (name, importers) in merged {
            let by = importers
                .iter()
                .map(|i| format!("`{}`", i.label))
                .collect::<Vec<_>>()
                .join(", ");
            let left = LeftToHost {
                import: &name,
                importers: &by,
                unsatisfied_by: Some("nothing in the composition"),
            };
            let Some((kind, severity, message)) = left.explain(host) else {
                continue;
            };
            let first = &importers[0];
            let label = format!("`{}` leaves `{name}` to the host here", first.label);
            findings.push((kind, severity, name, message, first.span, label));
        }
        for (kind, severity, name, message, span, label) in findings {
            self.push_wac(kind, severity, &name, message, span, label);
        }
    }

    /// Warns when the instances of one graph import one WASI package at
    /// different versions.
    fn wasi_skew(&mut self) {
        // package -> version -> importing instances
        let mut versions: BTreeMap<String, BTreeMap<semver::Version, Vec<Arc<Instance>>>> =
            BTreeMap::new();
        for instance in &self.instances {
            let mut seen = HashSet::new();
            for name in instance.imports().keys() {
                let (base, Some(version)) = host::split_version(name) else {
                    continue;
                };
                let Some(package) = base
                    .strip_prefix("wasi:")
                    .and_then(|rest| rest.split('/').next())
                else {
                    continue;
                };
                let package = format!("wasi:{package}");
                if seen.insert((package.clone(), version.clone())) {
                    versions
                        .entry(package)
                        .or_default()
                        .entry(version)
                        .or_default()
                        .push(instance.clone());
                }
            }
        }
        for (package, by_version) in versions {
            let (Some((_, oldest)), Some((highest, _))) =
                (by_version.first_key_value(), by_version.last_key_value())
            else {
                continue;
            };
            if by_version.len() < 2 {
                continue;
            }
            let listing = by_version
                .iter()
                .map(|(v, who)| {
                    let who: Vec<_> = who.iter().map(|i| format!("`{}`", i.label)).collect();
                    format!("{v} (by {})", who.join(", "))
                })
                .collect::<Vec<_>>()
                .join(" and ");
            let one_track = by_version.keys().all(|v| host::compatible(v, highest));
            let verdict = if one_track {
                format!(
                    "the composition will import {package} at {highest}, which serves every importer \
                     (one semver track); safe on a host that has {highest} or later"
                )
            } else {
                format!(
                    "the versions are on different semver tracks, so the composition imports {package} \
                     once per track and the host must provide each"
                )
            };
            let first = oldest[0].clone();
            self.push_wac(
                FindingKind::VersionSkew,
                Severity::Warning,
                &package,
                format!("{package} is imported at {listing}: {verdict}"),
                first.span,
                format!("`{}` imports {package} at an older version", first.label),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_wac(
        &mut self,
        kind: FindingKind,
        severity: Severity,
        path: &str,
        message: String,
        span: SourceSpan,
        label: String,
    ) {
        let finding = self.finding(kind, severity, path, message, span, label);
        self.report.findings.push(finding);
    }

    /// A finding pointing at the `.wac` source.
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        kind: FindingKind,
        severity: Severity,
        path: &str,
        message: String,
        span: SourceSpan,
        label: String,
    ) -> Finding {
        Finding {
            kind,
            severity,
            path: path.to_string(),
            message,
            expected: None,
            found: None,
            labels: vec![Label {
                source: self.wac.clone(),
                span: range(span),
                text: label,
            }],
        }
    }

    fn wac_finding(
        &mut self,
        kind: FindingKind,
        path: &str,
        message: String,
        span: SourceSpan,
        label: String,
    ) {
        self.push_wac(kind, Severity::Error, path, message, span, label);
    }
}

/// Where the spans of one side of an edge point: into the workspace's WIT
/// files when the component's interface is the workspace's (or a subset of
/// it), otherwise into the WIT printed from the component.
enum SpanSource<'w> {
    /// The component's own printed WIT.
    Printed(Option<&'w Printed>),
    /// The workspace's WIT, interface `InterfaceId` there.
    Workspace(&'w crate::wit::Wit, InterfaceId),
}

impl SpanSource<'_> {
    /// A label for the item at `span` (in the printed WIT) or at `path` (in
    /// the workspace WIT, found by name).
    fn label(&self, span: Option<Span>, path: &str, text: String) -> Option<Label> {
        match self {
            SpanSource::Printed(printed) => {
                let printed = printed.as_ref()?;
                let location = printed.resolve.source_map.resolve_span(span?)?;
                Some(Label {
                    source: printed.source.clone(),
                    span: location.range,
                    text,
                })
            }
            SpanSource::Workspace(wit, interface) => {
                let span = span_of_path(&wit.resolve, *interface, path)?;
                let location = wit.resolve.source_map.resolve_span(span)?;
                let source = wit.sources.get(location.path)?.clone();
                Some(Label {
                    source,
                    span: location.range,
                    text,
                })
            }
        }
    }
}

/// One side of an edge, on the decoded types.
fn side(world: &ComponentWorld, interface: InterfaceId) -> Side<'_> {
    Side {
        resolve: &world.resolve,
        interface,
    }
}

/// The span of the item a mismatch path names (`add, parameter a`,
/// `point, field y`), as far as names lead; deeper anonymous segments
/// point at the nearest named item.
fn span_of_path(resolve: &Resolve, interface: InterfaceId, path: &str) -> Option<Span> {
    let iface = &resolve.interfaces[interface];
    let mut segments = path.split(", ");
    let first = segments.next()?;
    let second = segments.next();
    if let Some(func) = iface.functions.get(first) {
        let inner = second
            .and_then(|s| s.strip_prefix("parameter "))
            .and_then(|p| func.params.iter().find(|param| param.name == p))
            .map(|param| param.span);
        return Some(inner.unwrap_or(func.span)).filter(|s| s.is_known());
    }
    let ty = &resolve.types[*iface.types.get(first)?];
    let inner = second.and_then(|s| {
        let (what, name) = s.split_once(' ')?;
        match (&ty.kind, what) {
            (TypeDefKind::Record(r), "field") => {
                r.fields.iter().find(|f| f.name == name).map(|f| f.span)
            }
            (TypeDefKind::Variant(v), "case") => {
                v.cases.iter().find(|c| c.name == name).map(|c| c.span)
            }
            (TypeDefKind::Enum(e), "case") => {
                e.cases.iter().find(|c| c.name == name).map(|c| c.span)
            }
            (TypeDefKind::Flags(f), "flag") => {
                f.flags.iter().find(|c| c.name == name).map(|c| c.span)
            }
            _ => None,
        }
    });
    Some(inner.unwrap_or(ty.span)).filter(|s| s.is_known())
}

fn range(span: SourceSpan) -> Range<usize> {
    span.offset()..span.offset() + span.len()
}

fn list<'s>(names: impl Iterator<Item = &'s String>) -> String {
    let names: Vec<_> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "nothing".to_string()
    } else {
        names.join(", ")
    }
}

/// The wac language's fallback from a short name to an interface name: `ops`
/// matches `toolsku:calculator/ops@1.0.0` when it is the only such name and
/// no item is literally called `ops`.
fn matching_interface_name<'n, T>(name: &str, items: &'n IndexMap<String, T>) -> Option<&'n str> {
    if items.contains_key(name) {
        return None;
    }
    let mut matches = items.keys().filter(|n| {
        n.rfind('/').is_some_and(|slash| {
            let short = &n[slash + 1..];
            short.split('@').next() == Some(name)
        })
    });
    let found = matches.next()?;
    matches.next().is_none().then_some(found.as_str())
}

/// The function an export names: a world-level function, or function
/// `member` of an exported interface.
fn function_of<'r>(
    resolve: &'r Resolve,
    export: &'r WorldItem,
    member: &Option<String>,
) -> Option<&'r Function> {
    match (export, member) {
        (WorldItem::Function(f), None) => Some(f),
        (WorldItem::Interface { id, .. }, Some(member)) => {
            resolve.interfaces.get(*id)?.functions.get(member)
        }
        _ => None,
    }
}

/// What the `.wac` label of an edge says.
fn edge_text(consumer: &Instance, name: &str, item: &Item) -> String {
    format!(
        "`{}` imports `{name}` from `{}` here",
        consumer.label, item.instance.label
    )
}

/// A label at `span` of the printed WIT of a world.
fn printed_label(printed: &Printed, span: Option<Span>, text: String) -> Option<Label> {
    SpanSource::Printed(Some(printed)).label(span, "", text)
}

/// What one side of an edge says about an item: "`calc` exports it as
/// `f64`", or "`calc` does not export it".
fn side_text(instance: &Instance, verb: &str, ty: &Option<String>) -> String {
    match ty {
        Some(t) => format!("`{}` {verb} it as `{t}`", instance.label),
        None => format!(
            "`{}` does not {} it",
            instance.label,
            verb.trim_end_matches('s')
        ),
    }
}

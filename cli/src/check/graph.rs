//! Walks a `.wac` document and checks every instantiation argument.
//!
//! The walk follows the wac language's rules for which import an argument
//! fills (named, inferred, spread and `...` arguments, `.name` and
//! `["name"]` access) but, unlike wac-graph, it records a problem and moves
//! on, so one run reports every problem in the graph. Expressions it does not
//! follow (imports, type statements) are left to wac's own resolution, which
//! runs after a clean check.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use indexmap::IndexMap;
use miette::SourceSpan;
use wac_parser::{
    Document, Expr, InstantiationArgument, InstantiationArgumentName, NewExpr, PostfixExpr,
    PrimaryExpr, Statement,
};
use wac_types::BorrowedPackageKey;
use wit_parser::{Span, WorldItem};

use super::compat::{self, Side};
use super::world::ComponentWorld;
use super::{Finding, FindingKind, Label, Report, Severity, SourceFile};

/// Checks every instantiation of `doc` against the components in `packages`
/// (as resolved from the deps folder) and returns all findings.
pub fn check_document<'a>(
    wac: Arc<SourceFile>,
    doc: &'a Document<'a>,
    packages: &IndexMap<BorrowedPackageKey<'a>, Vec<u8>>,
) -> Report {
    let mut walker = Walker {
        wac,
        packages,
        worlds: HashMap::new(),
        scope: HashMap::new(),
        report: Report::default(),
    };
    for statement in &doc.statements {
        match statement {
            Statement::Let(stmt) => {
                let value = walker.expr(&stmt.expr, Some(stmt.id.string));
                walker.scope.insert(stmt.id.string, value);
            }
            Statement::Import(stmt) => {
                walker.scope.insert(stmt.id.string, Value::Opaque);
            }
            Statement::Export(stmt) => {
                walker.expr(&stmt.expr, None);
            }
            Statement::Type(_) => {}
        }
    }
    walker.report
}

/// An instance created by a `new` expression.
struct Instance {
    /// The `let` name, or the package name for an unnamed instance.
    label: String,
    world: Arc<ComponentWorld>,
}

/// What an expression evaluates to, as far as the check follows it.
#[derive(Clone)]
enum Value {
    Instance(Arc<Instance>),
    Export {
        instance: Arc<Instance>,
        name: String,
    },
    Opaque,
}

struct Walker<'a, 'p> {
    wac: Arc<SourceFile>,
    packages: &'p IndexMap<BorrowedPackageKey<'a>, Vec<u8>>,
    worlds: HashMap<String, Option<Arc<ComponentWorld>>>,
    scope: HashMap<&'a str, Value>,
    report: Report,
}

impl<'a> Walker<'a, '_> {
    fn expr(&mut self, expr: &'a Expr<'a>, label: Option<&str>) -> Value {
        let mut value = match &expr.primary {
            PrimaryExpr::New(new) => self.new_expr(new, label),
            PrimaryExpr::Nested(nested) => self.expr(&nested.inner, label),
            PrimaryExpr::Ident(id) => self.scope.get(id.string).cloned().unwrap_or(Value::Opaque),
        };
        for postfix in &expr.postfix {
            value = match value {
                Value::Instance(instance) => {
                    let (name, span) = match postfix {
                        PostfixExpr::Access(access) => (
                            matching_interface_name(access.id.string, &instance.world.exports)
                                .unwrap_or(access.id.string),
                            access.span,
                        ),
                        PostfixExpr::NamedAccess(access) => (access.string.value, access.span),
                    };
                    if instance.world.exports.contains_key(name) {
                        Value::Export {
                            name: name.to_string(),
                            instance,
                        }
                    } else {
                        let exports = list(instance.world.exports.keys());
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
                // Access into an exported interface yields a function or a
                // type; wac's resolution checks those.
                Value::Export { .. } | Value::Opaque => Value::Opaque,
            };
        }
        value
    }

    fn world(
        &mut self,
        package: &str,
        key: &BorrowedPackageKey<'a>,
        span: SourceSpan,
    ) -> Option<Arc<ComponentWorld>> {
        if let Some(world) = self.worlds.get(package) {
            return world.clone();
        }
        let world = self.packages.get(key).and_then(|bytes| {
            match ComponentWorld::from_component(package, bytes) {
                Ok(world) => Some(Arc::new(world)),
                Err(e) => {
                    self.wac_finding(
                        FindingKind::UnreadablePackage,
                        package,
                        format!(
                            "package `{package}` cannot be checked: {}",
                            crate::error_chain(&e)
                        ),
                        span,
                        "this package".to_string(),
                    );
                    None
                }
            }
        });
        self.worlds.insert(package.to_string(), world.clone());
        world
    }

    fn new_expr(&mut self, new: &'a NewExpr<'a>, label: Option<&str>) -> Value {
        let key = BorrowedPackageKey::from_name_and_version(
            new.package.name,
            new.package.version.as_ref(),
        );
        let world = self.world(new.package.string, &key, new.package.span);
        let Some(world) = world else {
            // Still walk the arguments so that problems inside them surface.
            for arg in &new.arguments {
                if let InstantiationArgument::Named(arg) = arg {
                    self.expr(&arg.expr, None);
                }
            }
            return Value::Opaque;
        };
        let instance = Arc::new(Instance {
            label: label.unwrap_or(new.package.string).to_string(),
            world,
        });
        let imports = &instance.world.imports;

        let mut provided: IndexMap<String, (Value, SourceSpan)> = IndexMap::new();
        let mut fill = false;
        for arg in &new.arguments {
            let (name, value, span) = match arg {
                InstantiationArgument::Inferred(id) => {
                    let value = self.scope.get(id.string).cloned().unwrap_or(Value::Opaque);
                    let name = match &value {
                        Value::Export { name, .. } if imports.contains_key(name) => name.clone(),
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
            let Some(Value::Instance(source)) = self.scope.get(id.string).cloned() else {
                continue;
            };
            for name in imports.keys() {
                if provided.contains_key(name) {
                    continue;
                }
                let export = if source.world.exports.contains_key(name) {
                    Some(name.clone())
                } else {
                    source
                        .world
                        .exports
                        .keys()
                        .find(|export| wac_types::are_semver_compatible(export, name))
                        .cloned()
                };
                if let Some(export) = export {
                    let value = Value::Export {
                        instance: source.clone(),
                        name: export,
                    };
                    provided.insert(name.clone(), (value, id.span));
                }
            }
        }

        for (name, (value, span)) in &provided {
            self.edge(&instance, name, value, *span);
        }
        if !fill {
            for name in imports.keys().filter(|name| !provided.contains_key(*name)) {
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

    /// Checks that `value` satisfies import `name` of `consumer`.
    fn edge(&mut self, consumer: &Arc<Instance>, name: &str, value: &Value, span: SourceSpan) {
        let Value::Export {
            instance: producer,
            name: export_name,
        } = value
        else {
            return;
        };
        self.report.edges_checked += 1;
        let import = &consumer.world.imports[name];
        let export = &producer.world.exports[export_name.as_str()];
        let edge = format!(
            "`{}` imports `{name}` from `{}` here",
            consumer.label, producer.label
        );
        match (import, export) {
            (WorldItem::Interface { id: import, .. }, WorldItem::Interface { id: export, .. }) => {
                let mismatches = compat::compare_interfaces(
                    Side {
                        resolve: &consumer.world.resolve,
                        interface: *import,
                    },
                    Side {
                        resolve: &producer.world.resolve,
                        interface: *export,
                    },
                );
                for m in mismatches {
                    let path = format!("{name}.{}", m.path);
                    let message = match (&m.expected, &m.found) {
                        (Some(expected), Some(found)) => {
                            format!(
                                "{path}: the import expects {expected}, the export provides {found}"
                            )
                        }
                        _ => format!("{path}: {}", m.message),
                    };
                    let mut labels = vec![Label {
                        source: self.wac.clone(),
                        span: range(span),
                        text: edge.clone(),
                    }];
                    labels.extend(wit_label(
                        &consumer.world,
                        m.import_span,
                        match &m.expected {
                            Some(t) => format!("`{}` imports it as `{t}`", consumer.label),
                            None => format!("`{}` does not import it", consumer.label),
                        },
                    ));
                    labels.extend(wit_label(
                        &producer.world,
                        m.export_span,
                        match &m.found {
                            Some(t) => format!("`{}` exports it as `{t}`", producer.label),
                            None => format!("`{}` does not export it", producer.label),
                        },
                    ));
                    self.report.findings.push(Finding {
                        kind: FindingKind::TypeMismatch,
                        severity: Severity::Error,
                        path,
                        message,
                        expected: m.expected,
                        found: m.found,
                        labels,
                    });
                }
            }
            (WorldItem::Function(_), WorldItem::Function(_)) => {}
            (import, export) => {
                self.wac_finding(
                    FindingKind::KindMismatch,
                    name,
                    format!(
                        "{name}: the import expects {}, the export of `{}` provides {}",
                        item_kind(import),
                        producer.label,
                        item_kind(export)
                    ),
                    span,
                    edge,
                );
            }
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
        self.report.findings.push(Finding {
            kind,
            severity: Severity::Error,
            path: path.to_string(),
            message,
            expected: None,
            found: None,
            labels: vec![Label {
                source: self.wac.clone(),
                span: range(span),
                text: label,
            }],
        });
    }
}

fn wit_label(world: &ComponentWorld, span: Option<Span>, text: String) -> Option<Label> {
    let location = world.resolve.source_map.resolve_span(span?)?;
    if world.source.text.is_empty() {
        return None;
    }
    Some(Label {
        source: world.source.clone(),
        span: location.range,
        text,
    })
}

fn item_kind(item: &WorldItem) -> &'static str {
    match item {
        WorldItem::Interface { .. } => "an interface",
        WorldItem::Function(_) => "a function",
        WorldItem::Type { .. } => "a type",
    }
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

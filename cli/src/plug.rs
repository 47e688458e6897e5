//! Plugging: connect a socket component's imports to the exports of plug
//! components by interface name, transitively, and explain every candidate
//! that was not used.
//!
//! Unlike `wac plug`, which looks only at the socket's own imports and
//! silently skips an export whose type does not fit, a plug's own imports
//! are satisfied by the other plugs too (a chain of any depth), every
//! rejected candidate is reported with the check's explanation, and a cycle
//! is reported with the components' names.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use wac_graph::{CompositionGraph, NodeId};
use wac_types::Package;
use wit_parser::WorldItem;

use crate::check::compat::{self, Mismatch, Side};
use crate::check::left_to_host::LeftToHost;
use crate::check::types::{ComponentType, TypeSpace};
use crate::check::world::ComponentWorld;
use crate::check::{Finding, FindingKind, Report, Severity};
use crate::componentize::{self, ComponentizeError};
use crate::host::HostProfile;

/// A component taking part in plugging.
pub struct Input {
    /// Its name in messages (the file stem, e.g. `calculator`).
    pub name: String,
    /// Where it came from, for messages.
    pub path: PathBuf,
    /// The component (core modules are componentized on the way in).
    pub bytes: Vec<u8>,
}

/// One import connected to one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The importing component.
    pub consumer: String,
    /// The import's name.
    pub import: String,
    /// The exporting component.
    pub provider: String,
    /// The export's name (may differ by a compatible version).
    pub export: String,
}

/// Why a candidate export was not used for an import.
#[derive(Debug, Clone)]
pub enum Reason {
    /// Its type does not satisfy the import, explained in WIT terms.
    TypeMismatch(Vec<Mismatch>),
    /// Its type does not satisfy the import, in the type checker's words
    /// (where WIT cannot represent one of the two sides).
    Incompatible(String),
    /// Same interface, incompatible version.
    VersionIncompatible {
        /// The export's name.
        export: String,
    },
    /// Another plug satisfied the import first.
    AlreadySatisfied {
        /// The plug that did.
        by: String,
    },
    /// A plug cannot satisfy its own import.
    SelfImport,
    /// Using it would make an instance depend on itself.
    Cycle {
        /// The components on the cycle, in order.
        path: Vec<String>,
    },
}

/// A candidate that was not used, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The importing component.
    pub consumer: String,
    /// The import.
    pub import: String,
    /// The plug that was not used.
    pub candidate: String,
    /// Why.
    pub reason: Reason,
}

/// What plugging connected, skipped and left open.
#[derive(Debug, Default)]
pub struct Plan {
    /// Connections, in the order they were made.
    pub connections: Vec<Connection>,
    /// Candidates not used.
    pub skipped: Vec<Skipped>,
    /// Imports no plug satisfies, by component: they become imports of the
    /// composed component.
    pub open: Vec<(String, String)>,
    /// Components instantiated, socket first.
    pub instances: Vec<String>,
    /// Connections the type checker accepts but the WIT comparison doubts;
    /// they explain [`Plan::rejection`] when there is one.
    pub unconfirmed: Vec<Skipped>,
    /// The composition the plan makes, encoded and validated (when it
    /// connects anything to the socket).
    pub bytes: Option<Vec<u8>>,
    /// Why wac's encoder or the validator rejected the composition the plan
    /// makes.
    pub rejection: Option<String>,
}

/// Why plugging failed.
#[derive(Debug, thiserror::Error)]
pub enum PlugError {
    /// An input could not be made into a component.
    #[error("failed to read `{}` as a component", path.display())]
    Input {
        /// The input.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ComponentizeError,
    },
    /// An input's type could not be read.
    #[error("failed to read the type of `{}`: {message}", path.display())]
    Type {
        /// The input.
        path: PathBuf,
        /// The type checker's message.
        message: String,
    },
    /// No plug satisfies any import of the socket.
    #[error("no plug satisfies any import of `{socket}`{}", if skipped == &0 { String::new() } else { format!(" ({skipped} candidate{} rejected, see above)", if *skipped == 1 { "" } else { "s" }) })]
    NothingPlugged {
        /// The socket.
        socket: String,
        /// How many candidates were rejected.
        skipped: usize,
    },
    /// `--strict` and some non-WASI import stayed open.
    #[error("{} import{} left unsatisfied (--strict): {}", open.len(), if open.len() == 1 { " is" } else { "s are" }, open.iter().map(|(c, i)| format!("`{i}` of `{c}`")).collect::<Vec<_>>().join(", "))]
    Unsatisfied {
        /// (component, import) pairs.
        open: Vec<(String, String)>,
    },
    /// wac-graph rejected the graph.
    #[error("failed to build the composition graph")]
    Graph(#[source] anyhow::Error),
}

struct Node {
    input: Input,
    /// The component as a wac package, named as [`encode`] registers it when
    /// the node is the socket (the first node) or a plug.
    package: Package,
    ty: ComponentType,
    /// The world as WIT, when WIT can represent the component, decoded the
    /// first time a difference needs explaining.
    world: std::sync::OnceLock<Option<ComponentWorld>>,
}

impl Node {
    fn world(&self) -> Option<&ComponentWorld> {
        self.world
            .get_or_init(|| {
                ComponentWorld::from_component(&self.input.name, &self.input.bytes).ok()
            })
            .as_ref()
    }
}

/// Decodes every input once.
fn nodes(socket: Input, plugs: Vec<Input>) -> Result<(TypeSpace<'static>, Vec<Node>), PlugError> {
    let mut types = TypeSpace::new();
    let nodes = std::iter::once(socket)
        .chain(plugs)
        .enumerate()
        .map(|(index, mut input)| {
            // A component goes in as it is: its types are read (and their
            // sections validated) below, and its code is validated as part
            // of the composed output, whose failure names the input (see
            // `invalid_input`). Anything else is componentized first.
            if !wasmparser::Parser::is_component(&input.bytes) {
                let componentized = componentize::componentize(&input.bytes, Default::default())
                    .map_err(|source| PlugError::Input {
                        path: input.path.clone(),
                        source,
                    })?;
                input.bytes = componentized.bytes;
            }
            // Decoded under the name `encode` gives it, so that `encode`
            // need not decode it again; wac's messages name the input.
            let role = if index == 0 { "socket" } else { "plug" };
            let package_name = format!("{role}:{}", package_name(&input.name));
            let package = types.decode(&package_name, &input.bytes).map_err(|first| {
                let message = TypeSpace::new()
                    .load(&input.name, &input.bytes)
                    .err()
                    .unwrap_or(first);
                // An input that does not validate says so, as
                // componentize does for a core module.
                match crate::artifact::validate(&input.bytes) {
                    Err(e) => PlugError::Input {
                        path: input.path.clone(),
                        source: e.into(),
                    },
                    Ok(()) => PlugError::Type {
                        path: input.path.clone(),
                        message,
                    },
                }
            })?;
            Ok(Node {
                ty: types.package(&package),
                input,
                package,
                world: Default::default(),
            })
        })
        .collect::<Result<_, PlugError>>()?;
    Ok((types, nodes))
}

/// Works out what plugging `plugs` into `socket` connects, and composes and
/// validates the result as `plug` would, without writing anything; `known`
/// holds the core modules whose function bodies need no checking again
/// (see [`Options::known_valid`]).
pub fn plan(
    socket: Input,
    plugs: Vec<Input>,
    known: Option<&crate::known_valid::KnownValid>,
) -> Result<Plan, PlugError> {
    let (mut types, nodes) = nodes(socket, plugs)?;
    Ok(plan_nodes(&mut types, &nodes, known))
}

fn plan_nodes(
    types: &mut TypeSpace<'_>,
    nodes: &[Node],
    known: Option<&crate::known_valid::KnownValid>,
) -> Plan {
    let mut plan = Plan::default();
    // instance index -> providers it depends on
    let mut depends: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut instantiated = vec![false; nodes.len()];
    let mut queue = vec![0usize];
    instantiated[0] = true;
    plan.instances.push(nodes[0].input.name.clone());
    while let Some(consumer) = queue.pop() {
        let consumer_node = &nodes[consumer];
        for (import, import_kind) in &consumer_node.ty.imports {
            let mut satisfied_by: Option<usize> = None;
            for (candidate, candidate_node) in nodes.iter().enumerate().skip(1) {
                let export = match find_export(&candidate_node.ty, import) {
                    Found::Exact(e) | Found::Compatible(e) => e,
                    Found::Incompatible(export) => {
                        plan.skipped.push(skip(
                            consumer_node,
                            import,
                            candidate_node,
                            Reason::VersionIncompatible { export },
                        ));
                        continue;
                    }
                    Found::None => continue,
                };
                if candidate == consumer {
                    plan.skipped.push(skip(
                        consumer_node,
                        import,
                        candidate_node,
                        Reason::SelfImport,
                    ));
                    continue;
                }
                if let Some(by) = satisfied_by {
                    let by = nodes[by].input.name.clone();
                    plan.skipped.push(skip(
                        consumer_node,
                        import,
                        candidate_node,
                        Reason::AlreadySatisfied { by },
                    ));
                    continue;
                }
                let export_kind = candidate_node.ty.exports[export.as_str()];
                if let Err(reason) = types.fits(export_kind, *import_kind) {
                    let mismatches = explain(consumer_node, import, candidate_node, &export);
                    let reason = if mismatches.is_empty() {
                        Reason::Incompatible(reason)
                    } else {
                        Reason::TypeMismatch(mismatches)
                    };
                    plan.skipped
                        .push(skip(consumer_node, import, candidate_node, reason));
                    continue;
                }
                if let Some(path) = cycle(&depends, candidate, consumer, nodes) {
                    plan.skipped.push(skip(
                        consumer_node,
                        import,
                        candidate_node,
                        Reason::Cycle { path },
                    ));
                    continue;
                }
                satisfied_by = Some(candidate);
                depends.entry(consumer).or_default().push(candidate);
                plan.connections.push(Connection {
                    consumer: consumer_node.input.name.clone(),
                    import: import.clone(),
                    provider: candidate_node.input.name.clone(),
                    export,
                });
                if !instantiated[candidate] {
                    instantiated[candidate] = true;
                    plan.instances.push(candidate_node.input.name.clone());
                    queue.push(candidate);
                }
            }
            if satisfied_by.is_none() {
                plan.open
                    .push((consumer_node.input.name.clone(), import.clone()));
            }
        }
    }
    if plan
        .connections
        .iter()
        .any(|c| c.consumer == nodes[0].input.name)
    {
        match encode(types, nodes, &plan, known) {
            Ok(bytes) => plan.bytes = Some(bytes),
            Err(e) if let Some(invalid) = invalid_input(nodes, &plan) => {
                plan.rejection = Some(crate::source::without_resource_ids(&format!(
                    "{invalid} (the composition: {e:#})"
                )));
            }
            Err(e) => {
                plan.rejection = Some(crate::source::without_resource_ids(&format!("{e:#}")));
                // The type checker accepted every connection: the WIT
                // comparison says which it doubts.
                let index = |name: &str| nodes.iter().position(|n| n.input.name == name);
                for c in &plan.connections {
                    let (Some(consumer), Some(provider)) = (index(&c.consumer), index(&c.provider))
                    else {
                        continue;
                    };
                    let (consumer, provider) = (&nodes[consumer], &nodes[provider]);
                    let mismatches = explain(consumer, &c.import, provider, &c.export);
                    if !mismatches.is_empty() {
                        plan.unconfirmed.push(skip(
                            consumer,
                            &c.import,
                            provider,
                            Reason::TypeMismatch(mismatches),
                        ));
                    }
                }
            }
        }
    }
    plan
}

/// The WIT comparison of import `import` of `consumer` with export `export`
/// of `provider`: empty when it finds no difference or WIT cannot
/// represent one of the two.
fn explain(consumer: &Node, import: &str, provider: &Node, export: &str) -> Vec<Mismatch> {
    let (Some(consumer_world), Some(provider_world)) = (consumer.world(), provider.world()) else {
        return Vec::new();
    };
    match (
        consumer_world.imports.get(import),
        provider_world.exports.get(export),
    ) {
        (Some(WorldItem::Interface { id: i, .. }), Some(WorldItem::Interface { id: e, .. })) => {
            compat::compare_interfaces(
                Side {
                    resolve: &consumer_world.resolve,
                    interface: *i,
                },
                Side {
                    resolve: &provider_world.resolve,
                    interface: *e,
                },
            )
        }
        (Some(WorldItem::Function(i)), Some(WorldItem::Function(e))) => {
            compat::compare_functions((&consumer_world.resolve, i), (&provider_world.resolve, e))
        }
        _ => Vec::new(),
    }
}

/// If `provider` already depends (transitively) on `consumer`, the path
/// from consumer back to itself through provider.
fn cycle(
    depends: &HashMap<usize, Vec<usize>>,
    provider: usize,
    consumer: usize,
    nodes: &[Node],
) -> Option<Vec<String>> {
    fn walk(
        depends: &HashMap<usize, Vec<usize>>,
        at: usize,
        target: usize,
        path: &mut Vec<usize>,
    ) -> bool {
        if at == target {
            return true;
        }
        for next in depends.get(&at).into_iter().flatten() {
            if !path.contains(next) {
                path.push(*next);
                if walk(depends, *next, target, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![provider];
    if walk(depends, provider, consumer, &mut path) {
        let mut names: Vec<String> = std::iter::once(consumer)
            .chain(path)
            .map(|i| nodes[i].input.name.clone())
            .collect();
        names.dedup();
        if names.first() != names.last() {
            names.push(nodes[consumer].input.name.clone());
        }
        return Some(names);
    }
    None
}

enum Found {
    Exact(String),
    Compatible(String),
    Incompatible(String),
    None,
}

/// The export of `ty` that import `import` may take by name: the same
/// name, or a semver-compatible version of it (wac's rule, under which a
/// prerelease matches nothing else).
fn find_export(ty: &ComponentType, import: &str) -> Found {
    if ty.exports.contains_key(import) {
        return Found::Exact(import.to_string());
    }
    let base = unversioned(import);
    let mut incompatible = None;
    for export in ty.exports.keys() {
        if unversioned(export) != base {
            continue;
        }
        if wac_types::are_semver_compatible(export, import) {
            return Found::Compatible(export.clone());
        }
        incompatible = Some(export.clone());
    }
    incompatible.map_or(Found::None, Found::Incompatible)
}

/// `ns:pkg/name` of `ns:pkg/name@1.2.3`.
fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(base, _)| base)
}

fn skip(consumer: &Node, import: &str, candidate: &Node, reason: Reason) -> Skipped {
    Skipped {
        consumer: consumer.input.name.clone(),
        import: import.to_string(),
        candidate: candidate.input.name.clone(),
        reason,
    }
}

/// Options for [`plug`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Fail when any non-WASI import stays unsatisfied.
    pub strict: bool,
    /// The record of core modules whose function bodies passed validation
    /// before (see [`compose::Options::known_valid`](crate::compose::Options::known_valid)).
    pub known_valid: Option<crate::known_valid::KnownValid>,
}

/// The composed component and the plan that built it.
pub struct Plugged {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// What was connected, skipped and left open.
    pub plan: Plan,
}

/// A failed [`plug`]: the error, and the plan as far as it got, so that its
/// explanations can be shown.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub error: PlugError,
    /// What plugging had worked out, when it got that far.
    pub plan: Option<Plan>,
}

/// Plugs `plugs` into `socket` transitively and composes the result. The
/// plan is returned with the error too, so that its explanations can be
/// shown when plugging fails.
pub fn plug(socket: Input, plugs: Vec<Input>, options: Options) -> Result<Plugged, Box<Failure>> {
    let (mut types, nodes) =
        nodes(socket, plugs).map_err(|error| Box::new(Failure { error, plan: None }))?;
    let mut plan = plan_nodes(&mut types, &nodes, options.known_valid.as_ref());
    if !plan
        .connections
        .iter()
        .any(|c| c.consumer == nodes[0].input.name)
    {
        let error = PlugError::NothingPlugged {
            socket: nodes[0].input.name.clone(),
            skipped: plan.skipped.len(),
        };
        return Err(Box::new(Failure {
            error,
            plan: Some(plan),
        }));
    }
    if options.strict {
        let open: Vec<_> = plan
            .open
            .iter()
            .filter(|(_, i)| !i.starts_with("wasi:"))
            .cloned()
            .collect();
        if !open.is_empty() {
            return Err(Box::new(Failure {
                error: PlugError::Unsatisfied { open },
                plan: Some(plan),
            }));
        }
    }
    match plan.bytes.take() {
        Some(bytes) => Ok(Plugged { bytes, plan }),
        None => Err(Box::new(Failure {
            error: PlugError::Graph(anyhow::anyhow!(
                "{}",
                plan.rejection.clone().unwrap_or_default()
            )),
            plan: Some(plan),
        })),
    }
}

/// When the composed output does not validate, the first input it
/// instantiates that does not validate on its own, and why.
fn invalid_input(nodes: &[Node], plan: &Plan) -> Option<String> {
    nodes
        .iter()
        .filter(|node| plan.instances.contains(&node.input.name))
        .find_map(|node| {
            let error = crate::artifact::validate(&node.input.bytes).err()?;
            Some(format!(
                "`{}` is not a valid component: {}",
                node.input.path.display(),
                crate::error_chain(&error)
            ))
        })
}

/// Composes the plan. The graph starts from a copy of the arena the inputs
/// were decoded into (`types`), so that their packages are registered as
/// they are, not decoded again.
fn encode(
    types: &TypeSpace<'_>,
    nodes: &[Node],
    plan: &Plan,
    known: Option<&crate::known_valid::KnownValid>,
) -> anyhow::Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    *graph.types_mut() = types.arena().clone();
    let mut instances: BTreeMap<&str, NodeId> = BTreeMap::new();
    for (index, name) in plan.instances.iter().enumerate() {
        let node = nodes
            .iter()
            .find(|n| &n.input.name == name)
            .ok_or_else(|| anyhow::anyhow!("unknown `{name}`"))?;
        let role = if index == 0 { "socket" } else { "plug" };
        let package_name = format!("{role}:{}", package_name(name));
        // A node decoded under another name (two inputs of one name) is
        // decoded again under this one.
        let package = if node.package.name() == package_name {
            node.package.clone()
        } else {
            Package::from_bytes(
                &package_name,
                None,
                node.input.bytes.clone(),
                graph.types_mut(),
            )?
        };
        let package = graph.register_package(package)?;
        instances.insert(name.as_str(), graph.instantiate(package));
    }
    // Wire providers before consumers is not required: wac-graph orders
    // the instantiations by their dependencies.
    for c in &plan.connections {
        let export = graph.alias_instance_export(instances[c.provider.as_str()], &c.export)?;
        graph.set_instantiation_argument(instances[c.consumer.as_str()], &c.import, export)?;
    }
    let socket = &nodes[0];
    for name in socket.ty.exports.keys() {
        let export = graph.alias_instance_export(instances[socket.input.name.as_str()], name)?;
        graph.export(export, name)?;
    }
    let bytes = graph.encode(crate::compose::ENCODE_OPTIONS)?;
    crate::known_valid::validate(&bytes, known)
        .map_err(|source| wac_graph::EncodeError::ValidationFailure { source })?;
    Ok(bytes)
}

/// A package-name-safe form of a file stem: lowercase kebab-case.
fn package_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c-{out}")
    } else {
        out
    }
}

impl Reason {
    /// One sentence for users.
    pub fn explain(&self) -> String {
        match self {
            Reason::TypeMismatch(mismatches) => {
                let first: Vec<_> = mismatches
                    .iter()
                    .map(|m| match (&m.expected, &m.found) {
                        (Some(e), Some(f)) => format!(
                            "{}: the import expects {e}, the export provides {f}",
                            m.path
                        ),
                        _ => format!("{}: {}", m.path, m.message),
                    })
                    .collect();
                format!("its type does not fit ({})", first.join("; "))
            }
            Reason::Incompatible(reason) => format!("its type does not fit ({reason})"),
            Reason::VersionIncompatible { export } => {
                format!("it exports `{export}`, an incompatible version")
            }
            Reason::AlreadySatisfied { by } => format!("`{by}` satisfies it already"),
            Reason::SelfImport => "a component cannot satisfy its own import".to_string(),
            Reason::Cycle { path } => format!("it would close a cycle: {}", path.join(" -> ")),
        }
    }
}

/// Turns a plan into check findings: rejected candidates are warnings (an
/// error when no candidate fits an import that had some), and imports left
/// open are checked against the host profile.
pub fn findings(plan: &Plan, host: Option<&HostProfile>) -> Report {
    let mut report = Report {
        edges_checked: plan.connections.len(),
        ..Default::default()
    };
    let finding = |kind, severity, path: String, message: String| Finding {
        kind,
        severity,
        path,
        message,
        expected: None,
        found: None,
        labels: Vec::new(),
    };
    for skipped in &plan.skipped {
        let open = plan
            .open
            .iter()
            .any(|(c, i)| *c == skipped.consumer && *i == skipped.import);
        let severity = match (&skipped.reason, open) {
            (Reason::AlreadySatisfied { .. }, _) => Severity::Note,
            (_, true) => Severity::Error,
            (_, false) => Severity::Warning,
        };
        let kind = match skipped.reason {
            Reason::TypeMismatch(_) | Reason::Incompatible(_) => FindingKind::TypeMismatch,
            Reason::VersionIncompatible { .. } => FindingKind::HostVersion,
            Reason::Cycle { .. } => FindingKind::Cycle,
            _ => FindingKind::UnusedInstance,
        };
        report.findings.push(finding(
            kind,
            severity,
            format!("{}.{}", skipped.consumer, skipped.import),
            format!(
                "`{}` does not satisfy `{}` of `{}`: {}",
                skipped.candidate,
                skipped.import,
                skipped.consumer,
                skipped.reason.explain()
            ),
        ));
    }
    if let Some(rejection) = &plan.rejection {
        // The type checker accepted every connection, the validator did
        // not: the comparison's doubts explain why.
        for doubted in &plan.unconfirmed {
            report.findings.push(finding(
                FindingKind::TypeMismatch,
                Severity::Error,
                format!("{}.{}", doubted.consumer, doubted.import),
                format!(
                    "`{}` does not satisfy `{}` of `{}`: {}",
                    doubted.candidate,
                    doubted.import,
                    doubted.consumer,
                    doubted.reason.explain()
                ),
            ));
        }
        let severity = if plan.unconfirmed.is_empty() {
            Severity::Error
        } else {
            Severity::Note
        };
        report.findings.push(finding(
            FindingKind::Rejected,
            severity,
            plan.instances[0].clone(),
            format!("the composition is rejected: {rejection}"),
        ));
    }
    if let Some(host) = host {
        for (consumer, import) in &plan.open {
            let importers = format!("`{consumer}`");
            let left = LeftToHost {
                import,
                importers: &importers,
                unsatisfied_by: Some("no plug"),
            };
            let Some((kind, severity, message)) = left.explain(host) else {
                continue;
            };
            report.findings.push(finding(
                kind,
                severity,
                format!("{consumer}.{import}"),
                message,
            ));
        }
    }
    report
}

/// Reads a plug input, naming it by its file stem: a component or core
/// module (`.wasm`, `.wat`), or WIT (a `.wit` file or a folder of them, with
/// one world), which stands for a component with exactly that world.
pub fn read_input(path: &std::path::Path) -> Result<Input, InputError> {
    let is_wit = path.is_dir() || path.extension().is_some_and(|e| e == "wit");
    let bytes = if is_wit {
        crate::wit::load(path)
            .and_then(|wit| wit.stub_component(None))
            .map_err(|source| InputError::Wit {
                path: path.to_owned(),
                source,
            })?
    } else {
        crate::fsutil::read(path)?
    };
    Ok(Input {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "component".into()),
        path: path.to_owned(),
        bytes,
    })
}

/// Why a plug input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error(transparent)]
    File(#[from] crate::fsutil::FileError),
    /// The WIT could not be loaded or has no single world.
    #[error("failed to make a component from the WIT in `{}`", path.display())]
    Wit {
        /// The WIT file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::wit::WitError,
    },
}

//! `wcompose check`: type-check every import/export edge of a composition
//! and report every problem, each explained in WIT terms.
//!
//! The check walks the `.wac` document itself, following the wac language's
//! rules for instantiation arguments (named, inferred, spread and `...`), so
//! that one mismatch does not hide the next: wac-graph stops at the first.
//! Each edge compares what the consumer's world imports with what the
//! producer's world exports, structurally (see [`compat`]).

pub mod baseline;
pub mod compat;
pub mod format;
pub mod graph;
pub mod input;
pub mod left_to_host;
pub mod types;
pub mod world;

use std::fmt;
use std::sync::Arc;

pub use crate::source::{Label, SourceFile};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information; never fails the check.
    Note,
    /// Worth knowing; fails the check only with `--deny-warnings`.
    Warning,
    /// The composition is wrong.
    Error,
}

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// An argument's type does not satisfy the import it is passed to.
    TypeMismatch,
    /// The instantiated component has no import of that name.
    UnknownImport,
    /// An instance has no export of the accessed name.
    MissingExport,
    /// An import is given no argument and the instantiation has no `...`.
    MissingArgument,
    /// An argument is an item of a different kind (function vs interface).
    KindMismatch,
    /// A package of the composition could not be read as a component.
    UnreadablePackage,
    /// An import left to the host is one the host profile does not provide.
    UnsatisfiedImport,
    /// The host provides an import at an older version than asked for.
    HostVersion,
    /// One WASI package is imported at several versions in one graph.
    VersionSkew,
    /// An `import` statement that nothing uses.
    UnusedImport,
    /// An instance that no argument or export uses.
    UnusedInstance,
    /// A WIT item was removed or changed since the baseline.
    BreakingChange,
    /// A WIT item was added since the baseline.
    Addition,
    /// Connecting a candidate would make a component depend on itself.
    Cycle,
    /// wac's resolver or encoder, or the validator, rejected the
    /// composition.
    Rejected,
}

/// One problem found by the check.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// How bad.
    pub severity: Severity,
    /// The item, in WIT words: `toolsku:calculator/ops.add, parameter a`.
    pub path: String,
    /// The whole explanation, one sentence.
    pub message: String,
    /// What the import expects, in WIT syntax.
    pub expected: Option<String>,
    /// What the export provides, in WIT syntax.
    pub found: Option<String>,
    /// Places to point at; the first is the primary one.
    pub labels: Vec<Label>,
}

impl Finding {
    /// The file, line and column of the primary label.
    pub fn location(&self) -> Option<(&str, usize, usize)> {
        let label = self.labels.first()?;
        let (line, col) = label.source.line_col(label.span.start);
        Some((&label.source.name, line, col))
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.labels
            .first()
            .map(|l| &*l.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary = self.labels.first()?;
        Some(Box::new(
            self.labels
                .iter()
                .filter(|l| Arc::ptr_eq(&l.source, &primary.source))
                .map(|l| miette::LabeledSpan::new_with_span(Some(l.text.clone()), l.span.clone())),
        ))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        let primary = self.labels.first()?;
        let others: Vec<_> = self
            .labels
            .iter()
            .filter(|l| !Arc::ptr_eq(&l.source, &primary.source))
            .collect();
        if others.is_empty() {
            return None;
        }
        Some(Box::new(
            others.into_iter().map(|l| l as &dyn miette::Diagnostic),
        ))
    }
}

/// What a check knows besides the composition itself.
#[derive(Default, Clone)]
pub struct CheckOptions {
    /// The workspace's WIT, to point findings at its files instead of at WIT
    /// printed from binaries.
    pub wit: Option<Arc<crate::wit::LazyWit>>,
    /// The host that runs the composition; `None` skips the host check.
    pub host: Option<crate::host::HostProfile>,
}

/// Everything a check found.
#[derive(Debug, Default)]
pub struct Report {
    /// The findings, in the order of the composition's source.
    pub findings: Vec<Finding>,
    /// How many import/export edges were checked.
    pub edges_checked: usize,
    /// The graph the check walked: instances and edges.
    pub graph: Graph,
}

/// The instances of a composition and what connects them, as the check saw
/// them.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    /// Instances in source order: (label, package).
    pub instances: Vec<(String, String)>,
    /// Import/export edges between instances.
    pub edges: Vec<Edge>,
    /// Imports left to the host by `...`: (instance label, import name).
    pub host_imports: Vec<(String, String)>,
}

/// One import satisfied by one export.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The importing instance.
    pub consumer: String,
    /// The import's name.
    pub import: String,
    /// The exporting instance.
    pub provider: String,
    /// The export's name.
    pub export: String,
    /// Where the `.wac` passes the argument.
    pub at: Option<Label>,
}

impl Report {
    /// Number of findings with error severity.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// Records that the toolchain rejected the composition this report's
    /// walk cleared: `doubts`, the differences the WIT comparison finds on
    /// edges the type checker accepted, become errors, and the toolchain's
    /// own message follows them (as a note when they explain it, as the
    /// error otherwise).
    pub fn rejected(&mut self, mut toolchain: Finding, doubts: Vec<Finding>) {
        if !doubts.is_empty() {
            toolchain.severity = Severity::Note;
        }
        self.findings.extend(doubts);
        self.findings.push(toolchain);
    }

    /// Number of findings with warning severity.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }
}

//! Pictures and explanations of a composition's graph: DOT and Mermaid
//! renderings (`wcompose graph`) and the answer to "what satisfies this
//! import?" (`wcompose why`).

use std::fmt::Write as _;

use crate::check::Graph;
use crate::host::{Answer, HostProfile};

/// Renders the graph as Graphviz DOT: instances are boxes, edges go from
/// the exporting instance to the importing one and are labelled with the
/// interface (and version); imports left to the host come from a `host`
/// node, one dashed edge per instance.
pub fn dot(name: &str, graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(name));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  node [shape=box, fontname=\"monospace\"];");
    for (label, package) in &graph.instances {
        let _ = writeln!(
            out,
            "  {} [label={}];",
            quote(label),
            quote(&format!("{label}\n{package}"))
        );
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&edge.provider),
            quote(&edge.consumer),
            quote(&edge.import)
        );
    }
    let host = host_edges(graph);
    if !host.is_empty() {
        let _ = writeln!(out, "  \"(host)\" [shape=ellipse, style=dashed];");
        for (instance, imports) in host {
            let _ = writeln!(
                out,
                "  \"(host)\" -> {} [style=dashed, label={}];",
                quote(&instance),
                quote(&imports.join("\n"))
            );
        }
    }
    out.push_str("}\n");
    out
}

/// Renders the graph as a Mermaid flowchart, with the same conventions as
/// [`dot`].
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let id = |label: &str| {
        graph
            .instances
            .iter()
            .position(|(l, _)| l == label)
            .map_or_else(|| "unknown".to_string(), |i| format!("n{i}"))
    };
    for (i, (label, package)) in graph.instances.iter().enumerate() {
        let _ = writeln!(
            out,
            "  n{i}[\"{}<br/>{}\"]",
            escape_mermaid(label),
            escape_mermaid(package)
        );
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            id(&edge.provider),
            escape_mermaid(&edge.import),
            id(&edge.consumer)
        );
    }
    let host = host_edges(graph);
    if !host.is_empty() {
        out.push_str("  host((\"host\"))\n");
        for (instance, imports) in host {
            let _ = writeln!(
                out,
                "  host -.->|\"{}\"| {}",
                imports
                    .iter()
                    .map(|i| escape_mermaid(i))
                    .collect::<Vec<_>>()
                    .join("<br/>"),
                id(&instance)
            );
        }
    }
    out
}

/// Host imports grouped by instance, in instance order.
fn host_edges(graph: &Graph) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (instance, import) in &graph.host_imports {
        match out.iter_mut().find(|(i, _)| i == instance) {
            Some((_, imports)) => imports.push(import.clone()),
            None => out.push((instance.clone(), vec![import.clone()])),
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

fn escape_mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// Whether an import name matches what the user asked about: the full
/// name, the name without its version, or the interface's short name.
fn matches(import: &str, asked: &str) -> bool {
    let base = import.split('@').next().unwrap_or(import);
    let short = base.rsplit('/').next().unwrap_or(base);
    import == asked || base == asked || short == asked
}

/// Explains which instance satisfies import `name`, through which edge, or
/// why nothing does. Returns one sentence per matching import; an empty
/// result means no instance imports anything by that name.
pub fn why(graph: &Graph, name: &str, host: Option<&HostProfile>) -> Vec<String> {
    let mut out = Vec::new();
    for edge in graph.edges.iter().filter(|e| matches(&e.import, name)) {
        let export = if edge.export == edge.import {
            String::new()
        } else {
            format!(" (its export `{}`)", edge.export)
        };
        let at = edge
            .at
            .as_ref()
            .map(|l| format!(", passed at {l}"))
            .unwrap_or_default();
        out.push(format!(
            "`{}` imports `{}` from `{}`{export}{at}",
            edge.consumer, edge.import, edge.provider
        ));
    }
    for (instance, import) in graph.host_imports.iter().filter(|(_, i)| matches(i, name)) {
        let verdict = match host.map(|h| (h, h.answer(import))) {
            None => "no host profile was given to say whether the host provides it".to_string(),
            Some((h, Answer::Provided { host: Some(v) })) => {
                format!("the host profile `{}` provides it at {v}", h.name)
            }
            Some((h, Answer::Provided { host: None })) => {
                format!("the host profile `{}` provides it", h.name)
            }
            Some((h, Answer::Older { host: v })) => {
                format!(
                    "the host profile `{}` has only {v}, older than asked; it links, but newer additions are missing",
                    h.name
                )
            }
            Some((h, Answer::Incompatible { host: versions })) => format!(
                "nothing satisfies it: no instance exports it and the host profile `{}` has only incompatible versions ({})",
                h.name,
                versions
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some((h, Answer::Missing)) => format!(
                "nothing satisfies it: no instance exports it and the host profile `{}` does not provide it",
                h.name
            ),
        };
        out.push(format!(
            "`{instance}` leaves `{import}` to the host (`...`): {verdict}"
        ));
    }
    out
}

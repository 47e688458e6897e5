//! Synthetic component graphs, and how check and compose times grow with
//! them.
//!
//! Every component is a stub built from generated WIT
//! ([`wcompose::wit::Wit::stub_component`]): real imports and exports, no
//! code worth running. Two shapes:
//!
//! - a **chain** of N: `c0` imports nothing; `c{i}` imports
//!   `t:c{i-1}/api` and exports `t:c{i}/api`; the composition exports the
//!   last `api`;
//! - a **fan-out** of N: N leaves `l{i}`, each exporting `t:l{i}/api`, and
//!   one hub that imports all N interfaces and exports `t:hub/api`.
//!
//! Each interface carries a record, a variant and a few functions, so that
//! checking an edge compares real types.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use wcompose::compose;

use super::cpu::{cpu_stats, thread_cpu};
use super::report::Scaling;
use super::stats::{Plan, Stats};

/// The shape of a synthetic graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Each component feeds the next.
    Chain,
    /// N leaves feed one hub.
    FanOut,
}

impl Shape {
    /// Every shape, in the order the report lists them.
    pub const ALL: [Shape; 2] = [Shape::Chain, Shape::FanOut];

    /// The shape called `name` in the report.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|shape| shape.name() == name)
    }

    /// The shape's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Chain => "chain",
            Shape::FanOut => "fan-out",
        }
    }

    /// How many components a graph of `size` has.
    pub fn components(self, size: usize) -> usize {
        match self {
            Shape::Chain => size,
            Shape::FanOut => size + 1,
        }
    }
}

/// A generated graph on disk.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Its shape.
    pub shape: Shape,
    /// The size it was generated for.
    pub size: usize,
    /// The `.wac` file.
    pub wac: PathBuf,
    /// The deps folder with every component at `t/<name>.wasm`.
    pub deps_dir: PathBuf,
}

impl Graph {
    /// The options that resolve the graph's packages.
    pub fn options(&self) -> compose::Options {
        compose::Options {
            deps_dir: self.deps_dir.clone(),
            ..Default::default()
        }
    }
}

/// The body every generated interface shares.
const INTERFACE_BODY: &str = "\
    record item { name: string, value: f64, tags: list<string> }
    variant outcome { done(u64), skipped, failed(string) }
    process: func(items: list<item>) -> result<outcome, string>;
    count: func() -> u32;
";

/// The WIT files of a graph: (file name, text), one package per file.
pub fn wit_files(shape: Shape, size: usize) -> Vec<(String, String)> {
    let interface = format!("interface api {{\n{INTERFACE_BODY}}}\n");
    let mut files = Vec::new();
    match shape {
        Shape::Chain => {
            for i in 0..size {
                let import = match i {
                    0 => String::new(),
                    _ => format!("    import t:c{}/api;\n", i - 1),
                };
                files.push((
                    format!("c{i}.wit"),
                    format!(
                        "package t:c{i};\n\n{interface}\nworld c{i} {{\n{import}    export api;\n}}\n"
                    ),
                ));
            }
        }
        Shape::FanOut => {
            for i in 0..size {
                files.push((
                    format!("l{i}.wit"),
                    format!("package t:l{i};\n\n{interface}\nworld l{i} {{\n    export api;\n}}\n"),
                ));
            }
            let mut world = String::from("world hub {\n");
            for i in 0..size {
                let _ = writeln!(world, "    import t:l{i}/api;");
            }
            world.push_str("    export api;\n}\n");
            files.push((
                "hub.wit".to_string(),
                format!("package t:hub;\n\n{interface}\n{world}"),
            ));
        }
    }
    files
}

/// The components of a graph: (package, world), in instantiation order.
fn components(shape: Shape, size: usize) -> Vec<(String, String)> {
    match shape {
        Shape::Chain => (0..size)
            .map(|i| (format!("t:c{i}"), format!("t:c{i}/c{i}")))
            .collect(),
        Shape::FanOut => (0..size)
            .map(|i| (format!("t:l{i}"), format!("t:l{i}/l{i}")))
            .chain(std::iter::once((
                "t:hub".to_string(),
                "t:hub/hub".to_string(),
            )))
            .collect(),
    }
}

/// The `.wac` composition of a graph.
pub fn wac_source(shape: Shape, size: usize) -> String {
    let mut out = String::new();
    match shape {
        Shape::Chain => {
            out.push_str("package t:chain;\n\nlet c0 = new t:c0 {};\n");
            for i in 1..size {
                let _ = writeln!(out, "let c{i} = new t:c{i} {{ api: c{}.api }};", i - 1);
            }
            let _ = writeln!(out, "\nexport c{}.api;", size.saturating_sub(1));
        }
        Shape::FanOut => {
            out.push_str("package t:fan-out;\n\n");
            for i in 0..size {
                let _ = writeln!(out, "let l{i} = new t:l{i} {{}};");
            }
            out.push_str("let hub = new t:hub {\n");
            // The hub imports N interfaces all called `api`, so each
            // argument is named by its full interface name.
            for i in 0..size {
                let _ = writeln!(out, "    \"t:l{i}/api\": l{i}.api,");
            }
            out.push_str("};\n\nexport hub.api;\n");
        }
    }
    out
}

/// Writes the graph's WIT, stub components and composition under `dir`
/// (emptied first).
pub fn generate(shape: Shape, size: usize, dir: &Path) -> Result<Graph> {
    if size == 0 {
        bail!("a synthetic graph needs at least one component");
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("failed to empty `{}`", dir.display()))?;
    }
    let wit_dir = dir.join("wit");
    std::fs::create_dir_all(&wit_dir)
        .with_context(|| format!("failed to create `{}`", wit_dir.display()))?;
    for (name, text) in wit_files(shape, size) {
        let path = wit_dir.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    let wit = wcompose::wit::load(&wit_dir).map_err(|e| {
        anyhow::anyhow!(
            "failed to load the generated WIT in `{}`: {}",
            wit_dir.display(),
            wcompose::error_chain(&e)
        )
    })?;
    let deps_dir = dir.join("deps");
    for (package, world) in components(shape, size) {
        let bytes = wit.stub_component(Some(&world)).map_err(|e| {
            anyhow::anyhow!(
                "failed to build a stub for `{world}`: {}",
                wcompose::error_chain(&e)
            )
        })?;
        let path = wcompose::workspace::package_path(&deps_dir, &package);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    let wac = dir.join(format!("{}.wac", shape.name()));
    std::fs::write(&wac, wac_source(shape, size))
        .with_context(|| format!("failed to write `{}`", wac.display()))?;
    Ok(Graph {
        shape,
        size,
        wac,
        deps_dir,
    })
}

/// Checks the graph once; fails when the check finds an error, which
/// would mean the generator is wrong.
pub fn check(graph: &Graph) -> Result<usize> {
    let source = compose::read_source(&graph.wac).map_err(|e| render("read", graph, &e))?;
    let report =
        compose::check_source(&source, &graph.options()).map_err(|e| render("check", graph, &e))?;
    if report.errors() > 0 {
        let findings: Vec<String> = report.findings.iter().map(|f| f.to_string()).collect();
        bail!(
            "the generated {} of {} does not check:\n  {}",
            graph.shape.name(),
            graph.size,
            findings.join("\n  ")
        );
    }
    Ok(report.edges_checked)
}

/// Composes the graph once and returns the component.
pub fn compose(graph: &Graph) -> Result<Vec<u8>> {
    compose::compose_file(&graph.wac, &graph.options())
        .map(|c| c.bytes)
        .map_err(|e| render("compose", graph, &e))
}

fn render(verb: &str, graph: &Graph, error: &compose::ComposeError) -> anyhow::Error {
    anyhow::anyhow!(
        "failed to {verb} `{}`: {}",
        graph.wac.display(),
        wcompose::error_chain(error)
    )
}

/// Generates each shape at each size under `dir` and times check and
/// compose on it.
pub fn measure(dir: &Path, sizes: &[usize], plan: &Plan) -> Result<Vec<Scaling>> {
    let mut rows = Vec::new();
    for shape in Shape::ALL {
        for &size in sizes {
            let graph = generate(shape, size, &dir.join(format!("{}-{size}", shape.name())))?;
            let (check_stats, check_cpu) = sample(plan, || check(&graph).map(drop))?;
            let (compose_stats, compose_cpu) = sample(plan, || compose(&graph).map(drop))?;
            eprintln!(
                "  {} {size}: check {}, compose {}",
                shape.name(),
                super::stats::format_duration(check_stats.median),
                super::stats::format_duration(compose_stats.median)
            );
            rows.push(Scaling {
                shape: shape.name(),
                size,
                components: shape.components(size),
                check: check_stats,
                compose: compose_stats,
                check_cpu,
                compose_cpu,
            });
        }
    }
    Ok(rows)
}

/// Samples `work` under `plan`: wall-clock time, and the CPU time of
/// this thread (check and compose run on it alone).
fn sample(plan: &Plan, mut work: impl FnMut() -> Result<()>) -> Result<(Stats, Option<Stats>)> {
    let mut cpu = Vec::new();
    let wall = plan.sample(|| {
        let (start, cpu_start) = (Instant::now(), thread_cpu());
        work()?;
        let elapsed = start.elapsed();
        cpu.push(
            thread_cpu()
                .zip(cpu_start)
                .map(|(end, start)| end.saturating_sub(start)),
        );
        Ok::<_, anyhow::Error>(elapsed)
    })?;
    Ok((wall, cpu_stats(&cpu, plan.warmups)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_links_each_component_to_the_one_before() {
        let files = wit_files(Shape::Chain, 3);
        assert_eq!(files.len(), 3);
        assert!(!files[0].1.contains("import"));
        assert!(files[2].1.contains("import t:c1/api;"));
        let wac = wac_source(Shape::Chain, 3);
        assert!(wac.contains("let c2 = new t:c2 { api: c1.api };"));
        assert!(wac.contains("export c2.api;"));
    }

    #[test]
    fn a_fan_out_has_a_hub_importing_every_leaf() {
        let files = wit_files(Shape::FanOut, 4);
        assert_eq!(files.len(), 5);
        let hub = &files[4].1;
        assert_eq!(hub.matches("import t:l").count(), 4);
        assert_eq!(Shape::FanOut.components(4), 5);
        assert!(wac_source(Shape::FanOut, 4).contains("\"t:l3/api\": l3.api,"));
    }

    #[test]
    fn generated_graphs_check_and_compose() {
        let dir = tempfile::tempdir().unwrap();
        for shape in Shape::ALL {
            let graph = generate(shape, 4, &dir.path().join(shape.name())).unwrap();
            let edges = check(&graph).unwrap();
            assert!(edges >= 3, "{} checked {edges} edges", shape.name());
            let bytes = compose(&graph).unwrap();
            wasmparser::Validator::new().validate_all(&bytes).unwrap();
        }
    }
}

//! The bench report: what was measured, on which machine, and how it
//! compares with the targets; rendered as Markdown (printed and written to
//! `target/bench/report.md`) and as JSON (`target/bench/report.json`).

use std::fmt::Write;
use std::time::Duration;

use serde_json::{Value, json};

use super::stats::{Stats, format_duration};

/// The machine the figures were taken on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The CPU model, from `/proc/cpuinfo`.
    pub cpu: String,
    /// Cores available to the process (what `nproc` says).
    pub cores: usize,
    /// The kernel release.
    pub kernel: String,
    /// `rustc --version`.
    pub rustc: String,
    /// When the run started (UTC).
    pub date: String,
    /// The load averages when the run started (1, 5, 15 minutes), from
    /// `/proc/loadavg`: other work on the machine widens the spreads.
    pub load: String,
}

/// One timed command line.
#[derive(Debug, Clone)]
pub struct Timing {
    /// The command line, as a user would type it.
    pub command: String,
    /// Its wall-clock times.
    pub stats: Stats,
    /// Its CPU times (user + system), where the platform reports them.
    pub cpu: Option<Stats>,
}

/// A whole-process row: wcompose's command and, when there is one, the
/// reference tool's command for the same job.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// A stable name, for targets and the JSON.
    pub key: &'static str,
    /// What the row measures.
    pub what: String,
    /// wcompose (or the project's own task).
    pub ours: Timing,
    /// The reference tool and its command.
    pub reference: Option<(String, Timing)>,
}

impl Comparison {
    /// Our median over the reference's median.
    pub fn ratio(&self) -> Option<f64> {
        self.reference
            .as_ref()
            .map(|(_, r)| ratio(self.ours.stats.median, r.stats.median))
    }

    /// Our median CPU time over the reference's.
    pub fn cpu_ratio(&self) -> Option<f64> {
        let (_, r) = self.reference.as_ref()?;
        Some(ratio(self.ours.cpu?.median, r.cpu?.median))
    }
}

/// An in-process measurement of a library call, per call.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// A stable name, for targets and the JSON.
    pub key: &'static str,
    /// What the row measures.
    pub what: String,
    /// Per-call times.
    pub stats: Stats,
}

/// Check and compose times of one synthetic graph.
#[derive(Debug, Clone)]
pub struct Scaling {
    /// `chain` or `fan-out`.
    pub shape: &'static str,
    /// The size the graph was generated for.
    pub size: usize,
    /// How many components it has.
    pub components: usize,
    /// `check_source` per call.
    pub check: Stats,
    /// `compose_file` per call.
    pub compose: Stats,
    /// CPU time of `check_source`, where the platform reports it.
    pub check_cpu: Option<Stats>,
    /// CPU time of `compose_file`, where the platform reports it.
    pub compose_cpu: Option<Stats>,
}

impl Scaling {
    /// Check plus compose, the figure the targets speak of.
    pub fn total(&self) -> Duration {
        self.check.median + self.compose.median
    }

    /// Check plus compose in CPU time.
    pub fn total_cpu(&self) -> Option<Duration> {
        Some(self.check_cpu?.median + self.compose_cpu?.median)
    }

    /// How much more this row takes than `smaller`: in CPU time where
    /// known (other work on the machine hardly changes it), else in
    /// wall-clock time.
    pub fn growth(&self, smaller: &Scaling) -> f64 {
        match (self.total_cpu(), smaller.total_cpu()) {
            (Some(big), Some(small)) => ratio(big, small),
            _ => ratio(self.total(), smaller.total()),
        }
    }
}

/// The size of one stage's output.
#[derive(Debug, Clone)]
pub struct Size {
    /// The stage: `core (debug)`, `component`, ...
    pub stage: String,
    /// The file, relative to the project root.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The composed seed against the components it is made of.
#[derive(Debug, Clone)]
pub struct ComposedSize {
    /// The composed file's size.
    pub composed: u64,
    /// Each part's name and size.
    pub parts: Vec<(String, u64)>,
}

impl ComposedSize {
    /// The sum of the parts.
    pub fn sum(&self) -> u64 {
        self.parts.iter().map(|(_, b)| b).sum()
    }

    /// Composed over the sum of the parts.
    pub fn ratio(&self) -> f64 {
        self.composed as f64 / self.sum().max(1) as f64
    }
}

/// One way of starting the seed composition, and how long it takes.
#[derive(Debug, Clone)]
pub struct ColdStart {
    /// How it was started.
    pub what: String,
    /// Median time until the result was printed (or returned).
    pub median: Duration,
}

/// One HTTP server under the load generator (`wcompose serve` or
/// `wasmtime serve`, the same component), medians over rounds.
#[derive(Debug, Clone)]
pub struct Serving {
    /// The handler and the route asked.
    pub handler: String,
    /// The server.
    pub server: String,
    /// Requests answered per second.
    pub requests_per_s: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Responses that were errors or not 2xx, over all rounds.
    pub failed: u64,
}

/// The time from starting a server to its first answer.
#[derive(Debug, Clone)]
pub struct Startup {
    /// The handler.
    pub handler: String,
    /// The server.
    pub server: String,
    /// `cold` (nothing compiled yet) or `warm` (its cache filled).
    pub cache: &'static str,
    /// Median over the samples.
    pub median: Duration,
}

/// A server's resident memory over a long run with some requests trapping.
#[derive(Debug, Clone)]
pub struct Resident {
    /// The server.
    pub server: String,
    /// Requests sent after the warm-up.
    pub requests: u64,
    /// Of them, the requests whose guest traps.
    pub trapping: u64,
    /// Resident memory after the warm-up, KiB.
    pub start_kib: u64,
    /// Resident memory at the end, KiB.
    pub end_kib: u64,
    /// The most seen while the requests ran, KiB.
    pub max_kib: u64,
    /// Answers the guest did not cause: a failed connection, a status
    /// other than 200 for the route that answers, or 500 for the one that
    /// traps.
    pub unexpected: u64,
}

impl Resident {
    /// Resident memory at the end over after the warm-up.
    pub fn growth(&self) -> f64 {
        self.end_kib as f64 / self.start_kib.max(1) as f64
    }
}

/// A performance target from the issues, and whether this run meets it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The issue that sets it.
    pub issue: u32,
    /// The target, in words.
    pub what: String,
    /// The figure this run measured, in words.
    pub measured: String,
    /// `None` when this run did not measure it.
    pub met: Option<bool>,
}

/// Everything one `cargo xtask bench` found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where the figures come from.
    pub machine: Machine,
    /// A `--quick` run (fewer repetitions, smaller graphs).
    pub quick: bool,
    /// Whole processes.
    pub processes: Vec<Comparison>,
    /// Library calls.
    pub in_process: Vec<Measurement>,
    /// Synthetic graphs.
    pub scaling: Vec<Scaling>,
    /// Sizes per stage.
    pub sizes: Vec<Size>,
    /// The composed seed against its parts.
    pub composed: Option<ComposedSize>,
    /// Cold start of the seed composition.
    pub cold_start: Vec<ColdStart>,
    /// HTTP servers on the same handler, and how the load was made.
    pub serving: Vec<Serving>,
    /// The load generator's command line, for the serving rows.
    pub serving_load: String,
    /// Servers' time to the first answer.
    pub startup: Vec<Startup>,
    /// Servers' resident memory over a long run.
    pub resident: Vec<Resident>,
    /// Targets from the issues.
    pub targets: Vec<Target>,
    /// Things a reader should know about this run.
    pub notes: Vec<String>,
}

/// The seed's figures for starting a service, beside which the cold start
/// is shown.
/// The line before the README's performance figures.
pub const README_BEGIN: &str =
    "<!-- Written by `cargo xtask bench` (a full run); edits here are overwritten. -->";
/// The line after them.
pub const README_END: &str = "<!-- End of the figures written by `cargo xtask bench`. -->";

/// `readme` with the text between [`README_BEGIN`] and [`README_END`]
/// (both included) replaced by `section`.
pub fn replace_readme_section(readme: &str, section: &str) -> Result<String, String> {
    let begin = readme
        .find(README_BEGIN)
        .ok_or_else(|| format!("the README has no line `{README_BEGIN}`"))?;
    let end = readme[begin..]
        .find(README_END)
        .map(|i| begin + i + README_END.len())
        .ok_or_else(|| format!("the README has no line `{README_END}` after `{README_BEGIN}`"))?;
    Ok(format!("{}{section}{}", &readme[..begin], &readme[end..]))
}

pub const COLD_START_REFERENCES: [(&str, &str); 2] = [
    ("a container (the seed's figure)", "300–800 ms"),
    ("a Wasm instance (the seed's figure)", "0.1–5 ms"),
];

impl Report {
    /// A process row by key.
    pub fn process(&self, key: &str) -> Option<&Comparison> {
        self.processes.iter().find(|c| c.key == key)
    }

    /// An in-process row by key.
    pub fn measurement(&self, key: &str) -> Option<&Measurement> {
        self.in_process.iter().find(|m| m.key == key)
    }

    /// The scaling row for `shape` at `size`.
    pub fn scaling_at(&self, shape: &str, size: usize) -> Option<&Scaling> {
        self.scaling
            .iter()
            .find(|s| s.shape == shape && s.size == size)
    }

    /// The previous (smaller) row of the same shape, for growth ratios.
    pub fn previous(&self, row: &Scaling) -> Option<&Scaling> {
        self.scaling
            .iter()
            .filter(|s| s.shape == row.shape && s.size < row.size)
            .max_by_key(|s| s.size)
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# wcompose bench\n");
        let _ = writeln!(out, "{}.\n", self.when_and_where());
        let _ = writeln!(
            out,
            "Times are medians, with min–max in brackets; ratios are wcompose's median \
             over the reference's, measured in the same run.\n"
        );

        out.push_str("## Targets\n\n");
        self.write_targets(&mut out);
        out.push_str("\n## Whole processes\n\n");
        self.write_processes(&mut out);
        out.push_str("\nCommand lines (run from the project root):\n\n");
        for c in &self.processes {
            let _ = writeln!(out, "- {}: `{}`", c.what, c.ours.command);
            if let Some((_, r)) = &c.reference {
                let _ = writeln!(out, "  vs `{}`", r.command);
            }
        }

        out.push_str("\n## In process (per call)\n\n");
        self.write_in_process(&mut out);

        if !self.scaling.is_empty() {
            out.push_str(
                "\n## Scaling (synthetic graphs, in process)\n\n\
                 Growth is the ratio to the next smaller graph of the same shape, in CPU time \
                 (which other work on the machine hardly changes).\n\n\
                 | graph | components | check | compose | check + compose | CPU time | growth |\n\
                 |---|---|---|---|---|---|---|\n",
            );
            for s in &self.scaling {
                let growth = self
                    .previous(s)
                    .map(|p| {
                        format!(
                            "×{:.2} for ×{:.1} components",
                            s.growth(p),
                            s.components as f64 / p.components as f64
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} | {} | {} | {} | {growth} |",
                    s.shape,
                    s.size,
                    s.components,
                    format_duration(s.check.median),
                    format_duration(s.compose.median),
                    format_duration(s.total()),
                    s.total_cpu().map(format_duration).unwrap_or_default(),
                );
            }
        }

        out.push_str("\n## Sizes\n\n| stage | file | bytes |\n|---|---|---|\n");
        for s in &self.sizes {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                s.stage,
                s.file,
                thousands(s.bytes)
            );
        }
        if let Some(c) = &self.composed {
            let parts: Vec<String> = c
                .parts
                .iter()
                .map(|(name, bytes)| format!("{name} {}", thousands(*bytes)))
                .collect();
            let _ = writeln!(
                out,
                "\nThe composed seed is {} bytes, {:.3}× the sum of its parts ({} = {}).",
                thousands(c.composed),
                c.ratio(),
                parts.join(" + "),
                thousands(c.sum())
            );
        }

        out.push_str("\n## Cold start of the seed composition\n\n| start | time |\n|---|---|\n");
        for c in &self.cold_start {
            let _ = writeln!(out, "| {} | {} |", c.what, format_duration(c.median));
        }
        for (what, figure) in COLD_START_REFERENCES {
            let _ = writeln!(out, "| {what} | {figure} |");
        }

        self.write_serving(&mut out, "##");

        if !self.notes.is_empty() {
            out.push_str("\n## Notes\n\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// When, on what and under which load the figures were taken.
    fn when_and_where(&self) -> String {
        let m = &self.machine;
        format!(
            "{} on {} ({} cores), Linux {}, {}, load average {} at the start{}",
            m.date,
            m.cpu,
            m.cores,
            m.kernel,
            m.rustc,
            m.load,
            if self.quick {
                ", `--quick` (fewer repetitions, graphs up to 100)"
            } else {
                ""
            }
        )
    }

    /// The targets, met or not.
    fn write_targets(&self, out: &mut String) {
        out.push_str("| | issue | target | measured |\n|---|---|---|---|\n");
        for t in &self.targets {
            let mark = match t.met {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "–",
            };
            let _ = writeln!(
                out,
                "| {mark} | #{} | {} | {} |",
                t.issue, t.what, t.measured
            );
        }
    }

    /// The whole-process rows beside their references.
    fn write_processes(&self, out: &mut String) {
        out.push_str(
            "| what | wcompose | reference | reference time | ratio | CPU time, wcompose / reference |\n\
             |---|---|---|---|---|---|\n",
        );
        for c in &self.processes {
            let (name, time, ratio) = match (&c.reference, c.ratio()) {
                (Some((name, r)), Some(ratio)) => {
                    (name.as_str(), span(&r.stats), format!("{ratio:.2}×"))
                }
                _ => ("", String::new(), String::new()),
            };
            let ours_cpu = c.ours.cpu.map(|s| format_duration(s.median));
            let cpu = match (ours_cpu, c.reference.as_ref().and_then(|(_, r)| r.cpu)) {
                (Some(ours), Some(theirs)) => format!(
                    "{ours} / {} ({:.2}×)",
                    format_duration(theirs.median),
                    c.cpu_ratio().unwrap_or_default()
                ),
                (Some(ours), None) => ours,
                (None, _) => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {name} | {time} | {ratio} | {cpu} |",
                c.what,
                span(&c.ours.stats)
            );
        }
    }

    /// The library calls, per call.
    fn write_in_process(&self, out: &mut String) {
        out.push_str("| in process, per call | time | calls per sample |\n|---|---|---|\n");
        for m in &self.in_process {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                m.what,
                span(&m.stats),
                m.stats.batch
            );
        }
    }

    /// The serving rows, time to the first answer and resident memory,
    /// each under a heading of `level` (`##`, `###`).
    fn write_serving(&self, out: &mut String, level: &str) {
        if !self.serving.is_empty() {
            let _ = writeln!(
                out,
                "\n{level} Serving HTTP ({})\n\n\
                 | handler | server | requests/s | p50 | p99 | failed |\n|---|---|---|---|---|---|",
                self.serving_load
            );
            for s in &self.serving {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    s.handler,
                    s.server,
                    thousands(s.requests_per_s.round() as u64),
                    format_duration(s.p50),
                    format_duration(s.p99),
                    s.failed
                );
            }
        }
        if !self.startup.is_empty() {
            let _ = writeln!(
                out,
                "\n{level} Time to the first answer (from starting the server process; medians)\n\n\
                 | handler | server | cache | time |\n|---|---|---|---|"
            );
            for s in &self.startup {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    s.handler,
                    s.server,
                    s.cache,
                    format_duration(s.median)
                );
            }
        }
        if !self.resident.is_empty() {
            let _ = writeln!(
                out,
                "\n{level} Resident memory of a server over a long run (the HTTP test guest)\n\n\
                 | server | requests | trapping | after warm-up | at the end | most | growth | unexpected answers |\n\
                 |---|---|---|---|---|---|---|---|"
            );
            for r in &self.resident {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} KiB | {} KiB | {} KiB | {:.3}× | {} |",
                    r.server,
                    thousands(r.requests),
                    thousands(r.trapping),
                    thousands(r.start_kib),
                    thousands(r.end_kib),
                    thousands(r.max_kib),
                    r.growth(),
                    r.unexpected
                );
            }
        }
    }

    /// The README's performance figures: the section between
    /// [`README_BEGIN`] and [`README_END`], rewritten by every full run.
    pub fn readme_section(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{README_BEGIN}");
        let _ = writeln!(
            out,
            "Latest full run of `cargo xtask bench`: {}. Times are medians, with \
             min–max in brackets; ratios are wcompose's median over the reference's, \
             measured in the same run.\n",
            self.when_and_where()
        );
        self.write_targets(&mut out);
        out.push('\n');
        self.write_processes(&mut out);
        out.push('\n');
        self.write_in_process(&mut out);
        self.write_serving(&mut out, "###");
        let _ = write!(out, "{README_END}");
        out
    }

    /// The report as JSON: durations in nanoseconds, sizes in bytes.
    pub fn to_json(&self) -> Value {
        let m = &self.machine;
        json!({
            "machine": {
                "cpu": m.cpu,
                "cores": m.cores,
                "kernel": m.kernel,
                "rustc": m.rustc,
                "date": m.date,
                "load": m.load,
            },
            "quick": self.quick,
            "targets": self.targets.iter().map(|t| json!({
                "issue": t.issue,
                "target": t.what,
                "measured": t.measured,
                "met": t.met,
            })).collect::<Vec<_>>(),
            "processes": self.processes.iter().map(|c| json!({
                "key": c.key,
                "what": c.what,
                "wcompose": timing_json(&c.ours),
                "reference": c.reference.as_ref().map(|(name, r)| {
                    let mut value = timing_json(r);
                    value["tool"] = json!(name);
                    value
                }),
                "ratio": c.ratio(),
                "cpu_ratio": c.cpu_ratio(),
            })).collect::<Vec<_>>(),
            "in_process": self.in_process.iter().map(|m| json!({
                "key": m.key,
                "what": m.what,
                "per_call": stats_json(&m.stats),
            })).collect::<Vec<_>>(),
            "scaling": self.scaling.iter().map(|s| json!({
                "shape": s.shape,
                "size": s.size,
                "components": s.components,
                "check": stats_json(&s.check),
                "compose": stats_json(&s.compose),
                "check_cpu": s.check_cpu.as_ref().map(stats_json),
                "compose_cpu": s.compose_cpu.as_ref().map(stats_json),
                "total_ns": s.total().as_nanos() as u64,
                "total_cpu_ns": s.total_cpu().map(|d| d.as_nanos() as u64),
                "growth": self.previous(s).map(|p| s.growth(p)),
            })).collect::<Vec<_>>(),
            "sizes": self.sizes.iter().map(|s| json!({
                "stage": s.stage,
                "file": s.file,
                "bytes": s.bytes,
            })).collect::<Vec<_>>(),
            "composed": self.composed.as_ref().map(|c| json!({
                "bytes": c.composed,
                "parts": c.parts.iter().map(|(n, b)| json!({"name": n, "bytes": b})).collect::<Vec<_>>(),
                "sum_of_parts": c.sum(),
                "ratio": c.ratio(),
            })),
            "cold_start": self.cold_start.iter().map(|c| json!({
                "what": c.what,
                "median_ns": c.median.as_nanos() as u64,
            })).collect::<Vec<_>>(),
            "serving": self.serving.iter().map(|s| json!({
                "handler": s.handler,
                "server": s.server,
                "requests_per_s": s.requests_per_s,
                "p50_ns": s.p50.as_nanos() as u64,
                "p99_ns": s.p99.as_nanos() as u64,
                "failed": s.failed,
            })).collect::<Vec<_>>(),
            "serving_load": self.serving_load,
            "startup": self.startup.iter().map(|s| json!({
                "handler": s.handler,
                "server": s.server,
                "cache": s.cache,
                "median_ns": s.median.as_nanos() as u64,
            })).collect::<Vec<_>>(),
            "resident": self.resident.iter().map(|r| json!({
                "server": r.server,
                "requests": r.requests,
                "trapping": r.trapping,
                "start_kib": r.start_kib,
                "end_kib": r.end_kib,
                "max_kib": r.max_kib,
                "unexpected": r.unexpected,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

/// `a / b` for durations.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// `12.3 ms (11.9–13.0 ms)`.
fn span(stats: &Stats) -> String {
    format!(
        "{} ({}–{})",
        format_duration(stats.median),
        format_duration(stats.min),
        format_duration(stats.max)
    )
}

/// `183,123`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn stats_json(s: &Stats) -> Value {
    json!({
        "min_ns": s.min.as_nanos() as u64,
        "median_ns": s.median.as_nanos() as u64,
        "max_ns": s.max.as_nanos() as u64,
        "samples": s.runs,
        "calls_per_sample": s.batch,
    })
}

fn timing_json(t: &Timing) -> Value {
    let mut value = stats_json(&t.stats);
    value["command"] = json!(t.command);
    value["cpu"] = json!(t.cpu.as_ref().map(stats_json));
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(ms: u64) -> Stats {
        let d = Duration::from_millis(ms);
        Stats {
            min: d,
            median: d,
            max: d,
            runs: 1,
            batch: 1,
        }
    }

    fn sample() -> Report {
        Report {
            machine: Machine {
                cpu: "Test CPU".into(),
                cores: 2,
                kernel: "6.1".into(),
                rustc: "rustc 1.95.0".into(),
                date: "2025-01-01".into(),
                load: "0.10 0.20 0.30".into(),
            },
            quick: false,
            processes: vec![Comparison {
                key: "compose",
                what: "compose the seed".into(),
                ours: Timing {
                    command: "wcompose compose compositions/seed.wac".into(),
                    stats: stats(6),
                    cpu: Some(stats(4)),
                },
                reference: Some((
                    "wac compose".into(),
                    Timing {
                        command: "wac compose compositions/seed.wac".into(),
                        stats: stats(12),
                        cpu: Some(stats(5)),
                    },
                )),
            }],
            in_process: vec![],
            scaling: vec![
                Scaling {
                    shape: "chain",
                    size: 100,
                    components: 100,
                    check: stats(10),
                    compose: stats(10),
                    check_cpu: Some(stats(10)),
                    compose_cpu: Some(stats(10)),
                },
                Scaling {
                    shape: "chain",
                    size: 200,
                    components: 200,
                    check: stats(20),
                    compose: stats(22),
                    check_cpu: Some(stats(20)),
                    compose_cpu: Some(stats(20)),
                },
            ],
            sizes: vec![Size {
                stage: "composed".into(),
                file: "target/wcompose/seed.wasm".into(),
                bytes: 183_123,
            }],
            composed: Some(ComposedSize {
                composed: 102,
                parts: vec![("a".into(), 50), ("b".into(), 50)],
            }),
            cold_start: vec![],
            serving: vec![],
            serving_load: String::new(),
            startup: vec![],
            resident: vec![],
            targets: vec![Target {
                issue: 6,
                what: "compose ≤ 0.75× wac".into(),
                measured: "0.50×".into(),
                met: Some(true),
            }],
            notes: vec![],
        }
    }

    #[test]
    fn the_markdown_has_a_row_per_measurement_with_ratios() {
        let text = sample().to_markdown();
        assert!(
            text.contains("| compose the seed | 6.00 ms (6.00 ms–6.00 ms) | wac compose | 12.0 ms (12.0 ms–12.0 ms) | 0.50× | 4.00 ms / 5.00 ms (0.80×) |"),
            "{text}"
        );
        assert!(
            text.contains("| ✓ | #6 | compose ≤ 0.75× wac | 0.50× |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| chain 200 | 200 | 20.0 ms | 22.0 ms | 42.0 ms | 40.0 ms | ×2.00 for ×2.0 components |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| composed | `target/wcompose/seed.wasm` | 183,123 |"),
            "{text}"
        );
        assert!(
            text.contains("1.020× the sum of its parts (a 50 + b 50 = 100)"),
            "{text}"
        );
        assert!(text.contains("300–800 ms"), "{text}");
    }

    #[test]
    fn serving_rows_and_memory_rows_are_written_and_judged_against_issue_16() {
        let ms = Duration::from_millis;
        let mut report = sample();
        let row = |server: &str, requests_per_s, p99| Serving {
            handler: "h".into(),
            server: server.into(),
            requests_per_s,
            p50: ms(1),
            p99,
            failed: 0,
        };
        report.serving = vec![
            row("wcompose serve", 2000.0, ms(4)),
            row("wasmtime serve -S cli", 1000.0, ms(5)),
        ];
        report.resident = vec![Resident {
            server: "wcompose serve".into(),
            requests: 100_000,
            trapping: 1_000,
            start_kib: 20_000,
            end_kib: 20_100,
            max_kib: 20_200,
            unexpected: 0,
        }];
        let text = report.to_markdown();
        assert!(
            text.contains("| h | wcompose serve | 2,000 | 1.00 ms | 4.00 ms | 0 |"),
            "{text}"
        );
        assert!(
            text.contains("| wcompose serve | 100,000 | 1,000 | 20,000 KiB | 20,100 KiB | 20,200 KiB | 1.005× | 0 |"),
            "{text}"
        );
        let judged = |report: &Report| -> Vec<Option<bool>> {
            super::super::targets::evaluate(report)
                .into_iter()
                .filter(|t| t.issue == 16)
                .map(|t| t.met)
                .collect()
        };
        assert_eq!(judged(&report), [Some(true), Some(true)]);
        // A worse p99, or memory that grows, misses.
        report.serving[0].p99 = ms(6);
        report.resident[0].end_kib = 30_000;
        assert_eq!(judged(&report), [Some(false), Some(false)]);
        // Without the rows, nothing is judged met.
        report.serving.clear();
        report.resident.clear();
        assert_eq!(judged(&report), [None]);
    }

    #[test]
    fn the_readme_section_carries_the_run_the_targets_and_the_rows_between_its_markers() {
        let section = sample().readme_section();
        assert!(section.starts_with(README_BEGIN), "{section}");
        assert!(section.ends_with(README_END), "{section}");
        for expected in [
            "Latest full run of `cargo xtask bench`: 2025-01-01 on ",
            "| ✓ | #6 | compose ≤ 0.75× wac | 0.50× |",
            "| compose the seed | 6.00 ms (6.00 ms–6.00 ms) | wac compose |",
            "| in process, per call | time | calls per sample |",
        ] {
            assert!(section.contains(expected), "{expected} not in {section}");
        }
        // Its headings sit under the README's own `## Performance`.
        assert!(!section.contains("\n## "), "{section}");
    }

    #[test]
    fn the_readme_section_is_replaced_in_place_and_nothing_else_moves() {
        let readme = format!(
            "# Title\n\n## Performance\n\nBefore.\n\n{README_BEGIN}\nold figures\n{README_END}\n\nAfter.\n"
        );
        let section = format!("{README_BEGIN}\nnew figures\n{README_END}");
        let updated = replace_readme_section(&readme, &section).unwrap();
        assert_eq!(
            updated,
            format!("# Title\n\n## Performance\n\nBefore.\n\n{section}\n\nAfter.\n")
        );
        // A second run gives the same file.
        assert_eq!(replace_readme_section(&updated, &section).unwrap(), updated);

        let missing = replace_readme_section("# Title\n", &section).unwrap_err();
        assert!(missing.contains("has no line"), "{missing}");
        let unclosed =
            replace_readme_section(&format!("{README_BEGIN}\nold\n"), &section).unwrap_err();
        assert!(unclosed.contains(README_END), "{unclosed}");
    }

    #[test]
    fn the_json_parses_back_with_nanoseconds_and_ratios() {
        let text = serde_json::to_string(&sample().to_json()).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["processes"][0]["ratio"], json!(0.5));
        assert_eq!(
            value["processes"][0]["reference"]["median_ns"],
            json!(12_000_000u64)
        );
        assert_eq!(
            value["processes"][0]["reference"]["tool"],
            json!("wac compose")
        );
        assert_eq!(value["scaling"][1]["growth"], json!(2.0));
        assert_eq!(value["scaling"][1]["total_ns"], json!(42_000_000u64));
        assert_eq!(value["composed"]["sum_of_parts"], json!(100));
        assert_eq!(value["targets"][0]["met"], json!(true));
    }

    #[test]
    fn large_numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

//! The performance targets of issues 4–7, 16 and 18, judged against one
//! report. Where issue 18 tightened an earlier issue's target, its own
//! figure is the one judged.
//!
//! Every target is a ratio or a limit on figures from the same run; a
//! target whose figures this run did not take (a `--quick` run stops at
//! 100 components) is shown as not measured, never as met.

use std::time::Duration;

use super::report::{Report, Target, ratio};
use super::stats::format_duration;

/// The graph size the scaling targets speak of, and the one before it.
const SCALING_SIZE: usize = 200;
const SCALING_BEFORE: usize = 100;

/// Judges every target.
pub fn evaluate(report: &Report) -> Vec<Target> {
    let mut targets = vec![
        ratio_target(
            report,
            18,
            "compose",
            "compose the seed ≤ 0.75× `wac compose`",
            0.75,
        ),
        ratio_target(
            report,
            18,
            "plug",
            "plug the calculator into the formatter ≤ 0.75× `wac plug`",
            0.75,
        ),
        ratio_target(
            report,
            18,
            "componentize",
            "componentize ≤ 0.75× `wasm-tools component new`",
            0.75,
        ),
        ratio_target(
            report,
            18,
            "check",
            "check the seed ≤ 1.0× `wasm-tools validate` on the composed file",
            1.0,
        ),
        ratio_target(
            report,
            18,
            "run-warm",
            "warm `run --invoke` ≤ 0.5× `wasmtime run` with a warm cache",
            0.5,
        ),
        floor_target(report),
        ratio_target(
            report,
            18,
            "run-cold",
            "cold `run --invoke` (no cache) ≤ 0.9× `wasmtime run -C cache=n`",
            0.9,
        ),
        limit_target(
            report,
            18,
            "instantiate",
            "in process: instantiate from `InstancePre` with pooling ≤ 10 µs",
            Duration::from_micros(10),
        ),
        limit_target(
            report,
            18,
            "call-json-pretty",
            "in process: warm call to `json-pretty` ≤ 1 µs",
            Duration::from_micros(1),
        ),
        limit_target(
            report,
            18,
            "pipeline",
            "in process: whole library pipeline ≤ 5 ms",
            Duration::from_millis(5),
        ),
    ];

    let what = "no-op second `cargo xtask compose` ≤ 2 s";
    targets.push(match report.process("noop-compose") {
        Some(c) => Target {
            issue: 6,
            what: what.to_string(),
            measured: format_duration(c.ours.stats.median),
            met: Some(c.ours.stats.median <= Duration::from_secs(2)),
        },
        None => not_measured(6, what),
    });

    for shape in ["chain", "fan-out"] {
        let what = format!("{shape} of {SCALING_SIZE}: check + compose ≤ 1 s");
        targets.push(match report.scaling_at(shape, SCALING_SIZE) {
            Some(s) => Target {
                issue: 4,
                what,
                measured: format_duration(s.total()),
                met: Some(s.total() <= Duration::from_secs(1)),
            },
            None => not_measured(4, &what),
        });
        let what = format!("{shape}: time({SCALING_SIZE}) / time({SCALING_BEFORE}) ≤ 2.2");
        targets.push(
            match (
                report.scaling_at(shape, SCALING_SIZE),
                report.scaling_at(shape, SCALING_BEFORE),
            ) {
                (Some(big), Some(small)) => {
                    let growth = big.growth(small);
                    let wall = ratio(big.total(), small.total());
                    let measured = match big.total_cpu() {
                        Some(_) => format!("{growth:.2} in CPU time ({wall:.2} wall-clock)"),
                        None => format!("{growth:.2}"),
                    };
                    Target {
                        issue: 18,
                        what,
                        measured,
                        met: Some(growth <= 2.2),
                    }
                }
                _ => not_measured(18, &what),
            },
        );
    }

    targets.extend(serving_targets(report));

    let what = "composed seed ≤ 1.02× the sum of its parts";
    targets.push(match &report.composed {
        Some(c) => Target {
            issue: 7,
            what: what.to_string(),
            measured: format!("{:.3}×", c.ratio()),
            met: Some(c.ratio() <= 1.02),
        },
        None => not_measured(7, what),
    });
    targets
}

/// The server that the serving targets compare `wcompose serve` with.
const SERVE_REFERENCE: &str = "wasmtime serve -S cli";

/// Issue 16: on each handler, `wcompose serve`'s requests per second at
/// least `wasmtime serve`'s with a p99 no worse; its resident memory flat
/// (≤ 1.05× after the warm-up) over the long run; no answer the guest did
/// not cause.
fn serving_targets(report: &Report) -> Vec<Target> {
    let mut targets = Vec::new();
    let mut handlers: Vec<&str> = report.serving.iter().map(|s| s.handler.as_str()).collect();
    handlers.dedup();
    for handler in handlers {
        let what =
            format!("serve {handler}: ≥ 1.0× the requests/s of `{SERVE_REFERENCE}`, p99 no worse");
        let row = |server: &str| {
            report
                .serving
                .iter()
                .find(|s| s.handler == handler && s.server == server)
        };
        targets.push(match (row("wcompose serve"), row(SERVE_REFERENCE)) {
            (Some(ours), Some(theirs)) => {
                let r = ours.requests_per_s / theirs.requests_per_s.max(f64::MIN_POSITIVE);
                Target {
                    issue: 16,
                    what,
                    measured: format!(
                        "{r:.2}×, p99 {} against {}",
                        format_duration(ours.p99),
                        format_duration(theirs.p99)
                    ),
                    met: Some(r >= 1.0 && ours.p99 <= theirs.p99 && ours.failed == 0),
                }
            }
            _ => not_measured(16, &what),
        });
    }
    let what = "`wcompose serve`'s resident memory ≤ 1.05× after the long run, no answer the guest did not cause";
    targets.push(
        match report
            .resident
            .iter()
            .find(|r| r.server == "wcompose serve")
        {
            Some(r) => Target {
                issue: 16,
                what: what.to_string(),
                measured: format!(
                    "{:.3}× over {} requests ({} trapping), {} unexpected",
                    r.growth(),
                    r.requests,
                    r.trapping,
                    r.unexpected
                ),
                met: Some(r.growth() <= 1.05 && r.unexpected == 0),
            },
            None => not_measured(16, what),
        },
    );
    targets
}

/// wcompose's median over the reference's, for the process row `key`.
fn ratio_target(report: &Report, issue: u32, key: &str, what: &str, limit: f64) -> Target {
    let measured = report
        .process(key)
        .and_then(|c| Some((c.ratio()?, c.reference.as_ref()?.0.clone())));
    match measured {
        Some((r, tool)) => Target {
            issue,
            what: what.to_string(),
            measured: format!("{r:.2}× {tool}"),
            met: Some(r <= limit),
        },
        None => not_measured(issue, what),
    }
}

/// A warm run against the floor: a wcompose process that does nothing.
fn floor_target(report: &Report) -> Target {
    let what = "warm `run --invoke` ≤ 1.5× a process that does nothing (`wcompose --version`)";
    let (Some(run), Some(floor)) = (report.process("run-warm"), report.process("floor")) else {
        return not_measured(18, what);
    };
    let r = ratio(run.ours.stats.median, floor.ours.stats.median);
    let vs_true = floor
        .reference
        .as_ref()
        .map(|(_, t)| {
            format!(
                " ({:.1}× `true`)",
                ratio(run.ours.stats.median, t.stats.median)
            )
        })
        .unwrap_or_default();
    Target {
        issue: 18,
        what: what.to_string(),
        measured: format!("{r:.2}×{vs_true}"),
        met: Some(r <= 1.5),
    }
}

/// The in-process row `key` against an absolute limit.
fn limit_target(report: &Report, issue: u32, key: &str, what: &str, limit: Duration) -> Target {
    match report.measurement(key) {
        Some(m) => Target {
            issue,
            what: what.to_string(),
            measured: format_duration(m.stats.median),
            met: Some(m.stats.median <= limit),
        },
        None => not_measured(issue, what),
    }
}

fn not_measured(issue: u32, what: &str) -> Target {
    Target {
        issue,
        what: what.to_string(),
        measured: "not measured in this run".to_string(),
        met: None,
    }
}

//! What several subcommands print the same way: findings, a plugging plan,
//! a failed composition, and the host profile option.

use wcompose::check::Report;
use wcompose::compose::ComposeError;
use wcompose::host::HostProfile;
use wcompose::plug::Plan;

/// The `--host` option's parser: a shipped host profile by name.
pub fn host_profile(name: &str) -> std::result::Result<HostProfile, String> {
    HostProfile::named(name).ok_or_else(|| {
        let known: Vec<_> = HostProfile::names().collect();
        format!(
            "unknown host profile `{name}` (known: {})",
            known.join(", ")
        )
    })
}

/// Prints each finding as a diagnostic on stderr.
pub fn print_human(report: &Report) {
    for finding in &report.findings {
        eprintln!("{:?}", miette::Report::new(finding.clone()));
    }
}

/// Prints what a plan connected, skipped and left open, on stderr.
pub fn print_plan(plan: &Plan) {
    for c in &plan.connections {
        let via = if c.export == c.import {
            String::new()
        } else {
            format!(" (as `{}`)", c.export)
        };
        eprintln!(
            "plugged `{}` of `{}` with `{}`{via}",
            c.import, c.consumer, c.provider
        );
    }
    for s in &plan.skipped {
        eprintln!(
            "skipped `{}` for `{}` of `{}`: {}",
            s.candidate,
            s.import,
            s.consumer,
            s.reason.explain()
        );
    }
    for (consumer, import) in &plan.open {
        eprintln!("left open: `{import}` of `{consumer}` (an import of the result)");
    }
}

/// Prints every finding of a failed check, then returns the summary.
pub fn compose_error(error: ComposeError) -> miette::Report {
    match error {
        ComposeError::Check { path, report } => {
            print_human(&report);
            miette::miette!(
                "failed to compose `{}`: {} problem{} found, nothing was written",
                path.display(),
                report.errors(),
                if report.errors() == 1 { "" } else { "s" }
            )
        }
        ComposeError::Wac(e) => miette::Report::new(e),
        e => super::report(e),
    }
}

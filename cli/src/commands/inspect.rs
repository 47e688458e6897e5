//! `wcompose inspect`: what a file is and which runtimes can run it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::{IntoDiagnostic, Result, WrapErr};
use wcompose::inspect::{self, Inspection};

/// Tell what a WebAssembly file is and which runtimes can run it.
///
/// Prints the kind of file (component, WASI preview-1 core module, WASI 0.2
/// core module, core module without WASI, precompiled file), its world as
/// WIT, its imports and exports with versions, the WASI preview-1 adapter a
/// component carries (command or reactor), its producers and the language
/// and toolchain they name for the file and each part, its size by
/// section and by nested core module and component (where the bytes of a
/// composition go), its linear memories, and a verdict for wasmtime (the
/// CLI, and embedded as `wcompose run` and `wcompose serve` embed it),
/// WasmEdge, Wasmer, jco and Spin, with the reason for each "no". Notes name the pitfalls that apply, with what to do.
///
/// With `--json`, one JSON document goes to stdout instead; its shape is
/// versioned by its `version` field and documented in the `wcompose::inspect`
/// library module.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    wcompose inspect target/wcompose/router.wasm\n  \
    wcompose inspect target/guests/wasm32-wasip1/release/calculator.wasm\n  \
    wcompose inspect --json target/wcompose/seed.wasm | jq '.runtimes[] | select(.runs)'\n  \
    wcompose inspect module.cwasm\n\n\
    Exit status:\n  0  inspected (whatever the verdicts)\n  \
    1  the file cannot be read or is not WebAssembly\n  2  usage error")]
pub struct Inspect {
    /// The file: a component, a core module, `.wat` text, or a precompiled
    /// file.
    file: PathBuf,

    /// Print one JSON document on stdout instead of the report.
    #[arg(long)]
    json: bool,
}

impl Inspect {
    pub fn exec(self) -> Result<ExitCode> {
        let bytes = super::read_input(&self.file)?;
        let name = self.file.display().to_string();
        let inspection = inspect::inspect(&bytes, &name)
            .map_err(|e| super::report(e).wrap_err(format!("failed to inspect `{name}`")))?;
        let text = if self.json {
            let mut text = serde_json::to_string_pretty(&inspection).into_diagnostic()?;
            text.push('\n');
            text
        } else {
            render(&name, &inspection)
        };
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other
                .into_diagnostic()
                .wrap_err("failed to write to stdout")?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The human-readable report.
fn render(file: &str, inspection: &Inspection) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{file}: {} ({})",
        inspection.description,
        bytes(inspection.size as u64)
    );

    if let Some(world) = &inspection.world {
        let _ = writeln!(out, "\nworld:");
        for line in world.trim_end().lines() {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "  {line}");
            }
        }
    }

    for (title, items) in [
        ("imports", &inspection.imports),
        ("exports", &inspection.exports),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:");
        for item in items {
            let members = if item.members.is_empty() {
                String::new()
            } else {
                format!(": {}", item.members.join(", "))
            };
            let _ = writeln!(out, "  {} ({}){members}", item.full_name(), item.kind);
        }
    }

    if !inspection.adapters.is_empty() {
        let _ = writeln!(out, "\nadapters (WASI preview 1 on top of WASI 0.2):");
        for adapter in &inspection.adapters {
            let _ = writeln!(
                out,
                "  part {}: {} adapter{}{}",
                adapter.part,
                adapter.kind,
                adapter
                    .wasi
                    .as_ref()
                    .map(|v| format!(", WASI {v}"))
                    .unwrap_or_default(),
                adapter
                    .wasmtime
                    .as_ref()
                    .map(|v| format!(", from wasmtime {v}"))
                    .unwrap_or_default()
            );
        }
    }

    if !inspection.producers.is_empty() {
        let _ = writeln!(out, "\nproducers:");
        for producer in &inspection.producers {
            let _ = writeln!(
                out,
                "  {}: {} {}",
                producer.field, producer.name, producer.version
            );
        }
    }

    let origins: Vec<(String, &wcompose::inspect::Origin)> =
        std::iter::once(("the file".to_string(), &inspection.origin))
            .chain(inspection.parts.iter().map(|part| {
                let name = part
                    .name
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                (format!("{} {}{name}", part.path, part.kind), &part.origin)
            }))
            .filter(|(_, origin)| !origin.is_empty())
            .collect();
    if !origins.is_empty() {
        let _ = writeln!(
            out,
            "\nlanguage and toolchain (from the producers sections):"
        );
        for (label, origin) in origins {
            let languages = if origin.languages.is_empty() {
                "no language named".to_string()
            } else {
                origin.languages.join(", ")
            };
            let toolchain = if origin.toolchain.is_empty() {
                String::new()
            } else {
                format!("; {}", origin.toolchain.join(", "))
            };
            let _ = writeln!(out, "  {label}: {languages}{toolchain}");
        }
    }

    if !inspection.sections.is_empty() {
        let _ = writeln!(out, "\nsize by section:");
        let total = inspection.size as u64;
        for section in &inspection.sections {
            let _ = writeln!(
                out,
                "  {:<28} {:>3} × {:>10} {:>6}",
                section.name,
                section.count,
                bytes(section.size),
                percent(section.size, total)
            );
        }
    }

    if !inspection.parts.is_empty() {
        let _ = writeln!(out, "\nwhere the bytes go:");
        let total = inspection.size as u64;
        for part in &inspection.parts {
            let label = format!(
                "{}{} {}{}",
                "  ".repeat(part.depth),
                part.path,
                part.kind,
                part.name
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default()
            );
            let role = part.role.map(|r| format!("  {r}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {label:<52} {:>10} {:>6}{role}",
                bytes(part.size),
                percent(part.size, total)
            );
        }
    }

    if !inspection.memories.is_empty() {
        let _ = writeln!(out, "\nmemories:");
        for memory in &inspection.memories {
            let _ = writeln!(
                out,
                "  {}: {} pages initially, {}{}",
                memory
                    .part
                    .as_ref()
                    .map_or("the module".to_string(), |p| format!("part {p}")),
                memory.initial_pages,
                memory
                    .maximum_pages
                    .map_or("no maximum".to_string(), |m| format!("at most {m} pages")),
                if memory.shared { ", shared" } else { "" }
            );
        }
    }

    if let Some(precompiled) = &inspection.precompiled {
        let _ = writeln!(
            out,
            "\nprecompiled:\n  engine version: {}\n  target: {}\n  CPU: {} (this machine: {})",
            precompiled.engine_version.as_deref().unwrap_or("unknown"),
            precompiled.target.as_deref().unwrap_or("unknown"),
            precompiled.arch.as_deref().unwrap_or("unknown"),
            std::env::consts::ARCH,
        );
    }

    if !inspection.wasi.is_empty() {
        let _ = writeln!(out, "\nwasi: {}", inspection.wasi.join(", "));
    }
    if !inspection.component_model_features.is_empty() {
        let _ = writeln!(
            out,
            "component model features beyond the synchronous core: {}",
            inspection.component_model_features.join(", ")
        );
    }
    let _ = writeln!(out, "\nruntimes:");
    for verdict in &inspection.runtimes {
        let answer = if verdict.runs { "yes" } else { "no " };
        let _ = writeln!(out, "  {answer}  {}", verdict.name);
        if let Some(how) = &verdict.how {
            let _ = writeln!(out, "         {how}");
        }
        for reason in &verdict.reasons {
            let _ = writeln!(out, "         - {reason}");
        }
        for note in &verdict.notes {
            let _ = writeln!(out, "         note: {note}");
        }
    }

    if !inspection.notes.is_empty() {
        let _ = writeln!(out, "\nnotes:");
        for note in &inspection.notes {
            let _ = writeln!(out, "  - {}", note.message);
        }
    }
    out
}

fn bytes(size: u64) -> String {
    if size >= 10 * 1024 {
        format!("{:.1} KiB", size as f64 / 1024.0)
    } else {
        format!("{size} B")
    }
}

fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return String::new();
    }
    format!("{:.1}%", part as f64 * 100.0 / total as f64)
}

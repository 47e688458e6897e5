//! Arbitrary bytes as WIT and `.wac` source, and arbitrary labels into
//! them, rendered to text the way the binary renders diagnostics: nothing
//! may panic, and no control character may reach the output.
#![no_main]

mod guard;

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use wcompose::check::{Finding, FindingKind, Label, Severity, SourceFile};

fn render(diagnostic: &dyn miette::Diagnostic) {
    let plain = wcompose::source::render(diagnostic);
    // With wrapping and colour, as on a terminal.
    let handler = miette::GraphicalReportHandler::new().with_context_lines(1);
    let mut fancy = String::new();
    let _ = handler.render_report(&mut fancy, &wcompose::source::Safe::new(diagnostic));
    for out in [&plain, &fancy] {
        assert!(
            !out.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\x1b')),
            "a control character reached the output: {out:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    guard::install();
    let text = String::from_utf8_lossy(data).into_owned();
    let dir = std::env::temp_dir().join(format!("wcompose-fuzz-{}-render", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);

    // As WIT: wit-parser's error at its place.
    let file = dir.join("fuzz.wit");
    if std::fs::write(&file, data).is_ok() {
        if let Err(error) = wcompose::wit::load(&file) {
            render(&error);
        }
    }

    // As a composition: wac's error at its place.
    if wcompose::source::check_limits(&text).is_ok() {
        let source = Arc::new(SourceFile::new("fuzz.wac", text.clone()));
        let options = wcompose::compose::Options {
            deps_dir: dir.join("deps"),
            ..Default::default()
        };
        if let Err(wcompose::compose::ComposeError::Wac(error)) =
            wcompose::compose::check_source(&source, &options)
        {
            render(&error);
        }
    }

    // Labels anywhere, even past the end or inside a character.
    let source = Arc::new(SourceFile::new("fuzz.txt", text));
    let spans = data.chunks(4).take(4).map(|chunk| {
        let start = usize::from(chunk[0]) * 257 + usize::from(*chunk.get(1).unwrap_or(&0));
        let len = usize::from(*chunk.get(2).unwrap_or(&0)) * usize::from(*chunk.get(3).unwrap_or(&1));
        start..start + len
    });
    let finding = Finding {
        kind: FindingKind::TypeMismatch,
        severity: Severity::Error,
        path: "fuzz".to_string(),
        message: "fuzz".to_string(),
        expected: None,
        found: None,
        labels: spans
            .map(|span| Label {
                source: source.clone(),
                span,
                text: "here".to_string(),
            })
            .collect(),
    };
    render(&finding);
});

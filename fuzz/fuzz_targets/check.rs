//! Arbitrary `.wac` text checked against a few stub components.
#![no_main]

mod deps;

use std::sync::Arc;

mod guard;

use libfuzzer_sys::fuzz_target;
use wcompose::check::SourceFile;

fuzz_target!(|text: &str| {
    guard::install();
    let options = wcompose::compose::Options {
        deps_dir: deps::deps().clone(),
        check: wcompose::check::CheckOptions {
            wit: None,
            host: wcompose::host::HostProfile::named("wasmtime"),
        },
        ..Default::default()
    };
    let source = Arc::new(SourceFile::new("fuzz.wac", text));
    if let Ok(report) = wcompose::compose::check_source(&source, &options) {
        // Rendering must not panic either, whatever the spans are.
        let _ = wcompose::check::format::plain(&report);
        let _ = wcompose::check::format::sarif(&[("fuzz.wac".to_string(), &report)]);
        for finding in &report.findings {
            let _ = format!("{:?}", miette::Report::new(finding.clone()));
        }
    }
});

//! Arbitrary `.wac` text composed against a few stub components: check,
//! wac resolution and encoding.
#![no_main]

mod deps;

mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    guard::install();
    let dir = std::env::temp_dir().join(format!("wcompose-fuzz-{}-wac", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("fuzz.wac");
    if std::fs::write(&file, text).is_err() {
        return;
    }
    let options = wcompose::compose::Options {
        deps_dir: deps::deps().clone(),
        ..Default::default()
    };
    if let Ok(composed) = wcompose::compose::compose_file(&file, &options) {
        let _ = wcompose::view::dot("fuzz", &composed.report.graph);
        let _ = wcompose::view::mermaid(&composed.report.graph);
    }
});

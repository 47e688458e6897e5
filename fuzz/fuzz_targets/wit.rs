//! Arbitrary WIT text loaded, printed into stub components, and compared
//! with itself as a baseline.
#![no_main]

mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    guard::install();
    let dir = std::env::temp_dir().join(format!("wcompose-fuzz-{}-wit", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("fuzz.wit");
    if std::fs::write(&file, text).is_err() {
        return;
    }
    let Ok(wit) = wcompose::wit::load(&file) else {
        return;
    };
    let _ = wit.stub_component(None);
    let baseline = wcompose::check::baseline::Baseline {
        name: "self".to_string(),
        wit: match wcompose::wit::load(&file) {
            Ok(wit) => wit,
            Err(_) => return,
        },
    };
    let report = wcompose::check::baseline::compare(&wit, &baseline);
    assert_eq!(
        report.errors(),
        0,
        "a package compared with itself has no breaking changes"
    );
});

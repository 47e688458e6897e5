//! What the fixture suites (`check/`, `compose/`, `bad-input/`) share:
//! listing case folders and comparing output with an expected file, or
//! rewriting it under `BLESS=1`.

use std::path::{Path, PathBuf};

/// The case folders of `tests/<suite>/<kind>/`, sorted by name.
pub fn case_dirs(suite: &str, kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests")
        .join(suite)
        .join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Compares `actual` with the file at `expected`, recording a failure that
/// shows both; with `BLESS=1` set, writes `actual` there instead.
pub fn bless_or_compare(expected: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(expected, actual).unwrap();
        return;
    }
    let wanted = std::fs::read_to_string(expected).unwrap_or_default();
    if wanted != actual {
        failures.push(format!(
            "{}:\n--- expected\n{wanted}\n--- actual\n{actual}",
            expected.display()
        ));
    }
}

//! What the fixture suites (`check/`, `compose/`, `componentize/`,
//! `bad-input/`) share:
//! listing case folders, turning each into its own libtest-mimic trial, and
//! comparing output with an expected file (a whole-text snapshot), or
//! writing it under `BLESS=1`.
//!
//! A missing expected file is a failure, not an empty expectation: run the
//! suite with `BLESS=1` to create it, then review it before committing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub use libtest_mimic::{Failed, Trial};

/// The case folders of `tests/<suite>/<kind>/`, sorted by name.
pub fn case_dirs(suite: &str, kind: &str) -> Vec<PathBuf> {
    let dir = suite_dir(suite).join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `tests/<suite>/`.
pub fn suite_dir(suite: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests")
        .join(suite)
}

/// A case folder's name.
pub fn name_of(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

/// One trial per case folder of `tests/<suite>/<kind>/`, named
/// `<kind>/<folder>`, each running `run` on its folder.
pub fn trials_for(suite: &str, kind: &str, run: fn(&Path) -> Result<(), Failed>) -> Vec<Trial> {
    case_dirs(suite, kind)
        .into_iter()
        .map(|case| Trial::test(format!("{kind}/{}", name_of(&case)), move || run(&case)))
        .collect()
}

/// Whether `BLESS` is set: expected files are written, not compared.
pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// Compares `actual` with the whole file at `expected`, returning a
/// line diff when they differ or a note when the file is missing; with
/// `BLESS=1` set, writes `actual` there instead.
pub fn snapshot(expected: &Path, actual: &str) -> Result<(), String> {
    if blessing() {
        return std::fs::write(expected, actual)
            .map_err(|e| format!("failed to write `{}`: {e}", expected.display()));
    }
    let wanted = match std::fs::read_to_string(expected) {
        Ok(text) => text,
        Err(e) => {
            return Err(format!(
                "{}: {e}; run with BLESS=1 to create it from this output:\n{actual}",
                expected.display()
            ));
        }
    };
    if wanted == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&wanted, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Err(format!(
        "{} differs from the output (BLESS=1 rewrites it):\n{diff}",
        expected.display()
    ))
}

/// Collects the problems of one trial, so that one case reports all of them
/// at once.
#[derive(Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, problem: impl Into<String>) {
        self.0.push(problem.into());
    }

    /// Records the error of a snapshot comparison.
    pub fn snapshot(&mut self, expected: &Path, actual: &str) {
        if let Err(e) = snapshot(expected, actual) {
            self.0.push(e);
        }
    }

    /// Passes when nothing was recorded.
    pub fn finish(self) -> Result<(), Failed> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0.join("\n\n").into())
        }
    }
}

/// Runs the trials with the command line's arguments (filters, `--list`,
/// `--exact`, `--format terse`, ... as cargo test and nextest pass them).
pub fn run(trials: Vec<Trial>) -> ! {
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit()
}

/// The input of a generator (`arbitrary::Unstructured`) for one seed of a
/// differential trial: 4 KiB of splitmix64, so a failing seed is replayed
/// exactly.
pub fn bytes_for(seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(4096);
    while out.len() < 4096 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

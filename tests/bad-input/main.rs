//! The bad-input corpus: hostile and broken input for every subcommand that
//! reads it, one trial per case folder (`cargo nextest run -p wcompose
//! --test bad-input -- NAME` runs one).
//!
//! Protocol: every folder under `tests/bad-input/cases/` (trial
//! `cases/<folder>`) holds one input
//! (`input.wasm`, `input.wac`, `input.wit`, ... or a folder named `input`)
//! and a `commands` file: one `wcompose` command line per line, where
//! `{input}` is the input's path, `{case}` the case folder and `{out}` a
//! fresh empty folder for outputs. `expected.txt` records, for each command,
//! its exit status and its whole stderr (the random part of a temporary
//! file's name shown as `{tmp}`).
//!
//! Every run must also: exit with 0, 1 or 2 (never 101, a panic), print no
//! backtrace or panic message, and leave `{out}` empty unless it exits 0.
//! Inputs are never modified.
//!
//! A missing `expected.txt` fails the trial; `BLESS=1` writes it from the
//! current output.

use std::path::{Path, PathBuf};

#[path = "../common/mod.rs"]
mod common;
use std::process::Command;

fn input_of(case: &Path) -> PathBuf {
    std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_stem().is_some_and(|s| s == "input"))
        .unwrap_or_else(|| case.join("input"))
}

/// Splits a command line on spaces, keeping `'quoted parts'` together.
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Replaces the random part of temporary file names (`.wcompose-XXXXXX.tmp`)
/// by `{tmp}`, so that an error naming one compares equal across runs.
fn redact_temp_names(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(".wcompose-") {
        let (before, after) = rest.split_at(at + ".wcompose-".len());
        out.push_str(before);
        match after.find(".tmp") {
            Some(end) if end <= 16 && after[..end].chars().all(|c| c.is_ascii_alphanumeric()) => {
                out.push_str("{tmp}");
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

fn digest_tree(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out.sort();
    out
}

fn main() {
    let cases = common::case_dirs("bad-input", "cases");
    let mut trials = vec![common::Trial::test(
        "the corpus has at least 15 cases",
        move || {
            if cases.len() >= 15 {
                Ok(())
            } else {
                Err(format!("only {} cases", cases.len()).into())
            }
        },
    )];
    trials.extend(common::trials_for("bad-input", "cases", bad_input_case));
    common::run(trials)
}

fn bad_input_case(case: &Path) -> Result<(), common::Failed> {
    let mut problems = common::Problems::default();
    let input = input_of(case);
    let before = digest_tree(case);
    let commands = std::fs::read_to_string(case.join("commands")).unwrap();
    let mut actual = String::new();
    for line in commands
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let out = tempfile::tempdir().unwrap();
        let expanded = line
            .replace("{input}", &input.display().to_string())
            .replace("{case}", &case.display().to_string())
            .replace("{out}", &out.path().display().to_string());
        let output = Command::new(env!("CARGO_BIN_EXE_wcompose"))
            .args(split(&expanded))
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE")
            .env("WCOMPOSE_CACHE_DIR", out.path().join("cache"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let status = output.status.code();
        let shown: String = redact_temp_names(&stderr)
            .replace(&case.display().to_string(), "{case}")
            .replace(&out.path().display().to_string(), "{out}")
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        actual.push_str(&format!(
            "$ {line}\nexit {}\n{}\n\n",
            status.map_or("signal".into(), |s| s.to_string()),
            shown.trim_end_matches('\n')
        ));
        if !matches!(status, Some(0..=2)) {
            problems.push(format!("`{line}` exited with {status:?}:\n{stderr}"));
        }
        if stderr.contains("panicked")
            || stderr.contains("stack backtrace")
            || stderr.contains("this is a bug")
        {
            problems.push(format!("`{line}` panicked:\n{stderr}"));
        }
        let leftovers: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "cache")
            .collect();
        if status != Some(0) && !leftovers.is_empty() {
            problems.push(format!("`{line}` failed but left {leftovers:?} behind"));
        }
    }
    if digest_tree(case) != before {
        problems.push("an input was modified");
    }
    problems.snapshot(&case.join("expected.txt"), &actual);
    problems.finish()
}

//! The bad-input corpus: hostile and broken input for every subcommand that
//! reads it.
//!
//! Protocol: every folder under `tests/bad-input/cases/` holds one input
//! (`input.wasm`, `input.wac`, `input.wit`, ... or a folder named `input`)
//! and a `commands` file: one `wcompose` command line per line, where
//! `{input}` is the input's path, `{case}` the case folder and `{out}` a
//! fresh empty folder for outputs. `expected.txt` records, for each command,
//! its exit status and the first line of its stderr.
//!
//! Every run must also: exit with 0, 1 or 2 (never 101, a panic), print no
//! backtrace or panic message, and leave `{out}` empty unless it exits 0.
//! Inputs are never modified.
//!
//! `BLESS=1` rewrites `expected.txt`.

use std::path::{Path, PathBuf};

#[path = "../common/mod.rs"]
mod common;
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    common::case_dirs("bad-input", "cases")
}

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

#[test]
fn every_bad_input_gets_one_clear_error_and_a_deliberate_exit_status() {
    let mut failures = Vec::new();
    let mut commands_run = 0;
    let cases = cases();
    for case in &cases {
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
            commands_run += 1;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let status = output.status.code();
            let first = stderr
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
                .replace(&case.display().to_string(), "{case}")
                .replace(&out.path().display().to_string(), "{out}");
            actual.push_str(&format!(
                "$ {line}\nexit {}\n{first}\n\n",
                status.map_or("signal".into(), |s| s.to_string())
            ));
            let name = case.file_name().unwrap().to_string_lossy();
            if !matches!(status, Some(0..=2)) {
                failures.push(format!(
                    "{name}: `{line}` exited with {status:?}:\n{stderr}"
                ));
            }
            if stderr.contains("panicked")
                || stderr.contains("stack backtrace")
                || stderr.contains("this is a bug")
            {
                failures.push(format!("{name}: `{line}` panicked:\n{stderr}"));
            }
            let leftovers: Vec<_> = std::fs::read_dir(out.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .filter(|n| n != "cache")
                .collect();
            if status != Some(0) && !leftovers.is_empty() {
                failures.push(format!(
                    "{name}: `{line}` failed but left {leftovers:?} behind"
                ));
            }
        }
        if digest_tree(case) != before {
            failures.push(format!("{}: an input was modified", case.display()));
        }
        common::bless_or_compare(&case.join("expected.txt"), &actual, &mut failures);
    }
    assert!(cases.len() >= 15, "only {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} problems in {commands_run} commands:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

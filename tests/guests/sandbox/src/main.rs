//! Test guest: a wasm32-wasip1 command whose first argument says what it
//! does, so that one binary probes every edge of `wcompose run`'s sandbox
//! and limits.
//!
//! - `echo ARGS...`: prints `args: ARGS...`, then stdin upper-cased.
//! - `read PATH`: prints the file, or `error: ...` and exits 1.
//! - `env NAME`: prints `NAME=VALUE`, or `NAME is not set` and exits 1.
//! - `exit CODE`: exits with `CODE`.
//! - `loop`: never ends.
//! - `alloc`: allocates 1 MiB blocks until allocation fails.
//! - `recurse`: recurses until the stack is exhausted.
//! - `panic MESSAGE`: panics with `MESSAGE`.

use std::hint::black_box;
use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("echo") => echo(rest),
        Some("read") => read(rest.first().map_or("", String::as_str)),
        Some("env") => env(rest.first().map_or("", String::as_str)),
        Some("exit") => std::process::exit(rest.first().and_then(|c| c.parse().ok()).unwrap_or(0)),
        Some("loop") => spin(),
        Some("alloc") => alloc(),
        Some("recurse") => {
            println!("depth reached: {}", recurse(0));
            ExitCode::SUCCESS
        }
        Some("panic") => panic!("{}", rest.join(" ")),
        other => {
            eprintln!(
                "error: unknown mode {other:?}; expected echo, read, env, exit, loop, alloc, recurse or panic"
            );
            ExitCode::from(2)
        }
    }
}

fn echo(args: &[String]) -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("error: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "args: {}", args.join(" "));
    let _ = write!(stdout, "{}", input.to_uppercase());
    ExitCode::SUCCESS
}

fn read(path: &str) -> ExitCode {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> ExitCode {
    match std::env::var(name) {
        Ok(value) => {
            println!("{name}={value}");
            ExitCode::SUCCESS
        }
        Err(_) => {
            eprintln!("{name} is not set");
            ExitCode::FAILURE
        }
    }
}

fn spin() -> ExitCode {
    let mut counter = 0u64;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}

fn alloc() -> ExitCode {
    let mut blocks = Vec::new();
    loop {
        let mut block = vec![0u8; 1 << 20];
        block[0] = 1;
        blocks.push(black_box(block));
    }
}

/// Recurses until the stack runs out; the work after the call keeps the
/// compiler from turning the recursion into a loop.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return depth;
    }
    black_box(recurse(black_box(depth + 1))) + 1
}

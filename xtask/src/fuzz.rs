//! `cargo xtask fuzz TARGET --time SECONDS`: runs one cargo-fuzz target
//! (see `fuzz/`) on the nightly toolchain for a fixed time, installing
//! cargo-fuzz first when it is missing. Crashes are written to
//! `fuzz/artifacts/TARGET/`; each becomes a case in `tests/bad-input/`,
//! except those of `check_differential` (a disagreement between the check
//! and wac), which become cases in `tests/check/cases/`.

use std::path::Path;

use anyhow::{Result, bail};
use xshell::{Shell, cmd};

/// The targets in `fuzz/fuzz_targets/`.
pub const TARGETS: &[&str] = &[
    "componentize",
    "check",
    "check_differential",
    "compose",
    "wit",
    "render",
];

pub fn run(sh: &Shell, root: &Path, args: &[String]) -> Result<()> {
    let mut target = None;
    let mut seconds = 60u64;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--time" => {
                let Some(value) = iter.next() else {
                    bail!("`--time` needs a number of seconds")
                };
                seconds = value
                    .parse()
                    .map_err(|_| anyhow::anyhow!("`--time {value}`: not a number of seconds"))?;
            }
            name if target.is_none() && !name.starts_with('-') => target = Some(name.to_string()),
            other => bail!(
                "unexpected argument `{other}`\nusage: cargo xtask fuzz TARGET [--time SECONDS]"
            ),
        }
    }
    let Some(target) = target else {
        bail!(
            "usage: cargo xtask fuzz TARGET [--time SECONDS]\ntargets: {}",
            TARGETS.join(", ")
        );
    };
    if !TARGETS.contains(&target.as_str()) {
        bail!(
            "unknown fuzz target `{target}` (targets: {})",
            TARGETS.join(", ")
        );
    }
    if cmd!(sh, "cargo +nightly fuzz --version")
        .quiet()
        .ignore_stderr()
        .read()
        .is_err()
    {
        eprintln!("installing cargo-fuzz");
        cmd!(sh, "cargo install --locked cargo-fuzz").run()?;
    }
    let _dir = sh.push_dir(root);
    let max_time = format!("-max_total_time={seconds}");
    cmd!(
        sh,
        "cargo +nightly fuzz run --fuzz-dir fuzz {target} -- {max_time}"
    )
    .run()?;
    Ok(())
}

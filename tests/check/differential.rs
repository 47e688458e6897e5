//! Differential testing of the check against the toolchain: generated
//! socket/plug pairs (see `differential/generate.rs`), each judged by the
//! check (`wcompose::plug::plan` + `wcompose::plug::findings`) and by wac
//! (`wac_graph::plug`, `encode`, wasmparser validation, every socket import
//! consumed). The two must agree.
//!
//! Protocol: the trials `differential/seeds-A-B` each run the seeds `A..B`;
//! seed `n` feeds the generator 4 KiB from a splitmix64 stream started at
//! `n`, so a seed names one pair for good. A trial fails listing every
//! disagreement (seed, mutation, both WITs, both verdicts), and fails too
//! when fewer than half of its seeds make a valid pair, since then it would
//! test little. `DIFFERENTIAL_SEED=n` runs the one seed `n` and prints its
//! pair, agreeing or not. `DIFFERENTIAL_SECONDS=s` runs one long trial
//! instead: consecutive seeds from 300 on, in chunks of 100, until `s`
//! seconds have passed (a budget, not an assertion), printing how many
//! pairs it compared. The `check_differential` fuzz target runs the
//! same comparison on fuzzer input (`cargo xtask fuzz check_differential`).
//!
//! Each distinct disagreement found here is kept as a case under
//! `tests/check/cases/` (`differential-*`).

#[path = "differential/generate.rs"]
pub mod generate;

use std::collections::BTreeMap;

use super::Trial;

/// Seeds per trial, and trials.
const CHUNK: u64 = 100;
const CHUNKS: u64 = 3;

/// Compares the pair of one seed.
pub fn outcome(seed: u64) -> Option<generate::Outcome> {
    let bytes = super::common::bytes_for(seed);
    generate::compare(&mut arbitrary::Unstructured::new(&bytes))
}

fn describe(seed: u64, o: &generate::Outcome) -> String {
    format!(
        "seed {seed}: {}\n  check:  {:?}\n  oracle: {:?}\n--- plug\n{}--- socket\n{}",
        o.mutation, o.check, o.oracle, o.plug_wit, o.socket_wit
    )
}

/// Runs chunks of seeds from the first after the fixed trials until the
/// budget is spent.
fn run_for(seconds: u64) -> Result<(), super::common::Failed> {
    let start = std::time::Instant::now();
    let mut next = CHUNKS * CHUNK;
    while start.elapsed().as_secs() < seconds {
        run_seeds(next..next + CHUNK)?;
        next += CHUNK;
    }
    println!(
        "seeds {}..{next} agree ({} s)",
        CHUNKS * CHUNK,
        start.elapsed().as_secs()
    );
    Ok(())
}

fn run_seeds(seeds: std::ops::Range<u64>) -> Result<(), super::common::Failed> {
    let total = seeds.end - seeds.start;
    let mut valid = 0;
    let mut disagreements = Vec::new();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut families: BTreeMap<String, usize> = BTreeMap::new();
    for seed in seeds {
        let Some(o) = outcome(seed) else { continue };
        valid += 1;
        let family = o.mutation.split(['.', '@']).next().unwrap_or_default();
        *families.entry(family.to_string()).or_default() += 1;
        if o.disagrees() {
            let direction = if o.check.compatible() {
                "check says compatible, wac does not"
            } else {
                "check says incompatible, wac composes"
            };
            let kind = o.mutation.split('@').next().unwrap_or_default();
            *by_kind.entry(format!("{kind} ({direction})")).or_default() += 1;
            disagreements.push(describe(seed, &o));
        }
    }
    let families: Vec<_> = families.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("{valid} pairs by mutation: {}", families.join(", "));
    let mut problems = Vec::new();
    if valid * 2 < total {
        problems.push(format!("only {valid} of {total} seeds made a valid pair"));
    }
    if !disagreements.is_empty() {
        let kinds: Vec<_> = by_kind.iter().map(|(k, n)| format!("  {n} {k}")).collect();
        problems.push(format!(
            "{} of {valid} pairs disagree:\n{}\n\n{}",
            disagreements.len(),
            kinds.join("\n"),
            disagreements.join("\n")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n").into())
    }
}

/// The seeded trials, or one trial for `DIFFERENTIAL_SEED`.
pub fn trials() -> Vec<Trial> {
    if let Some(seed) = std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        return vec![Trial::test(
            format!("differential/seed-{seed}"),
            move || match outcome(seed) {
                None => Err(format!("seed {seed} makes no valid pair").into()),
                Some(o) if o.disagrees() => Err(describe(seed, &o).into()),
                Some(o) => {
                    println!("{}", describe(seed, &o));
                    Ok(())
                }
            },
        )];
    }
    if let Some(seconds) = std::env::var("DIFFERENTIAL_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        return vec![Trial::test(
            format!("differential/for-{seconds}-seconds"),
            move || run_for(seconds),
        )];
    }
    (0..CHUNKS)
        .map(|i| {
            let seeds = i * CHUNK..(i + 1) * CHUNK;
            Trial::test(
                format!("differential/seeds-{}-{}", seeds.start, seeds.end),
                move || run_seeds(seeds),
            )
        })
        .collect()
}

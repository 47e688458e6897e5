//! Differential fuzzing of the check against wac: the fuzzer's bytes drive
//! the generator of `tests/check/differential/generate.rs` (a socket/plug
//! pair from one WIT, one side mutated), and the check's verdict
//! (`wcompose::plug::plan` + `findings`) must equal wac's (`wac_graph::plug`,
//! `encode`, wasmparser validation, every socket import consumed). A
//! disagreement aborts with both WITs and both verdicts; make it a case
//! under `tests/check/cases/` (see `tests/check/differential.rs`).
#![no_main]

mod guard;

#[path = "../../tests/check/differential/generate.rs"]
mod generate;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    guard::install();
    let mut u = arbitrary::Unstructured::new(data);
    if let Some(outcome) = generate::compare(&mut u) {
        assert!(
            !outcome.disagrees(),
            "{}\n  check:  {:?}\n  oracle: {:?}\n--- plug\n{}--- socket\n{}",
            outcome.mutation,
            outcome.check,
            outcome.oracle,
            outcome.plug_wit,
            outcome.socket_wit
        );
    }
});

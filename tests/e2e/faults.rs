//! Many failing guests in a row in one process: nothing leaks.

use wasmtime::component::Val;
use wcompose::run::{Runner, RunnerOptions};

use crate::support;

/// Resident memory of this process, in bytes (Linux).
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn ten_thousand_trapping_calls_leave_memory_flat() {
    let component = support::component_from_wat(
        "package t:faults;
         interface api { boom: func(n: u32) -> u32; }
         world faults { export api; }",
        "faults",
        r#"(module
             (memory (export "memory") 1)
             (func (export "t:faults/api#boom") (param i32) (result i32)
               ;; Touch some memory first, so each instance dirties pages.
               (i32.store (i32.const 1024) (local.get 0))
               unreachable))"#,
    );
    let runner = Runner::new(&component, RunnerOptions::default()).unwrap();
    let function = runner.function("boom").unwrap();
    let fail = |i: u32| {
        let result = runner.call_function(&function, &[Val::U32(i)]);
        assert!(result.is_err(), "call {i} should trap");
    };
    // Warm up: the pooling allocator and caches reach their steady size.
    for i in 0..1_000 {
        fail(i);
    }
    let before = resident();
    for i in 0..10_000 {
        fail(i);
    }
    let after = resident();
    let growth = after.saturating_sub(before);
    assert!(
        growth < 16 << 20,
        "resident memory grew by {} KiB over 10,000 failing calls ({} -> {} KiB)",
        growth >> 10,
        before >> 10,
        after >> 10
    );
}

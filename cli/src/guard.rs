//! Containing panics in the libraries wcompose builds on.
//!
//! wit-parser, wasmparser and friends occasionally panic on hostile input
//! (fuzzing found `/**/` in a WIT file). wcompose must answer such input with
//! an error, not a crash: calls into them that parse user input run inside
//! [`contain`], which turns a panic into an error message. While one runs,
//! [`containing`] is true, so a panic hook (the binary's, a fuzzer's) can
//! stay quiet about a panic that is about to be caught.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static CONTAINING: Cell<u32> = const { Cell::new(0) };
}

/// Whether the current thread is inside [`contain`].
pub fn containing() -> bool {
    CONTAINING.with(|c| c.get() > 0)
}

/// Runs `f`; a panic inside it becomes `Err` with the panic's message:
/// `wit-parser cannot handle this input (internal error: ...)`.
pub fn contain<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    CONTAINING.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(c.get() - 1));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        format!("{what} cannot handle this input (internal error: {message})")
    })
}

//! Explaining a guest that failed: the trap kind in words (naming the limit
//! it hit, if one did) and the guest backtrace with demangled function
//! names, repeated frames folded.

use std::fmt;

use wasmtime::{Trap, WasmBacktrace};

use super::limits::{Limits, MemoryDenied, format_size};

/// Frames shown from the top of a long backtrace, and from its bottom.
const HEAD_FRAMES: usize = 20;
const TAIL_FRAMES: usize = 8;

/// Why a guest stopped, ready to print.
#[derive(Debug)]
pub struct GuestFailure {
    trap: Option<Trap>,
    summary: String,
    frames: Vec<Frame>,
    error: wasmtime::Error,
}

/// One frame of a guest backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The core module's name, if it has one.
    pub module: Option<String>,
    /// The function, demangled, or `<func N>` without a name.
    pub function: String,
    /// The offset of the instruction in the module, if known.
    pub offset: Option<usize>,
}

impl GuestFailure {
    /// Explains `error`, returned by wasmtime for a run under `limits`;
    /// `denied` is the memory request the limit refused, if any.
    pub(crate) fn new(
        error: wasmtime::Error,
        limits: &Limits,
        denied: Option<MemoryDenied>,
    ) -> Self {
        let trap = error.downcast_ref::<Trap>().copied();
        let frames: Vec<Frame> = error
            .downcast_ref::<WasmBacktrace>()
            .map(|bt| bt.frames().iter().map(frame).collect())
            .unwrap_or_default();
        let summary = match trap {
            Some(Trap::Interrupt) => match limits.timeout {
                Some(timeout) => format!(
                    "it ran past its time limit of {timeout:?} and was interrupted (wasm trap: interrupt)"
                ),
                None => "it was interrupted (wasm trap: interrupt)".to_string(),
            },
            Some(Trap::OutOfFuel) => match limits.fuel {
                Some(fuel) => format!(
                    "it ran out of fuel after {fuel} units (wasm trap: all fuel consumed by WebAssembly)"
                ),
                None => {
                    "it ran out of fuel (wasm trap: all fuel consumed by WebAssembly)".to_string()
                }
            },
            Some(Trap::StackOverflow) => format!(
                "it exhausted its call stack of {} (wasm trap: call stack exhausted)",
                format_size(limits.max_wasm_stack as u64)
            ),
            Some(trap) => trap.to_string(),
            // A backtrace is attached as the outermost context and would
            // print as text; the cause underneath says what failed.
            None if !frames.is_empty() => crate::error_chain(error.root_cause()),
            None => chain(&error),
        };
        let summary = match denied {
            Some(denied) => format!(
                "{summary}, after the memory limit of {} refused to let its memories grow to {}",
                format_size(denied.limit as u64),
                format_size(denied.requested as u64)
            ),
            None => summary,
        };
        Self {
            trap,
            summary,
            frames,
            error,
        }
    }

    /// The trap, if the guest trapped (rather than a host call failing).
    pub fn trap(&self) -> Option<Trap> {
        self.trap
    }

    /// What happened, in one line.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The guest backtrace, innermost frame first.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// The error wasmtime returned.
    pub fn error(&self) -> &wasmtime::Error {
        &self.error
    }

    /// The backtrace as indented lines, runs of the same frame folded and
    /// the middle of a very long one left out. Empty without frames.
    pub fn backtrace(&self) -> String {
        let mut folded: Vec<(&Frame, usize)> = Vec::new();
        for frame in &self.frames {
            // Frames of the same function fold together: in a recursion
            // they differ only in the offset, entry against call site.
            match folded.last_mut() {
                Some((last, count))
                    if last.function == frame.function && last.module == frame.module =>
                {
                    *count += 1
                }
                _ => folded.push((frame, 1)),
            }
        }
        let long = folded.len() > HEAD_FRAMES + TAIL_FRAMES + 1;
        let mut lines = Vec::new();
        let mut index = 0;
        for (position, (frame, count)) in folded.iter().enumerate() {
            if long && position == HEAD_FRAMES {
                let skipped = &folded[HEAD_FRAMES..folded.len() - TAIL_FRAMES];
                let frames: usize = skipped.iter().map(|(_, n)| n).sum();
                lines.push(format!("      ... {frames} frames left out ..."));
            }
            let shown = position < HEAD_FRAMES || position >= folded.len() - TAIL_FRAMES;
            if !long || shown {
                let mut line = format!("  {index:>5}: {frame}");
                if *count > 1 {
                    line.push_str(&format!(" (repeated {count} times)"));
                }
                lines.push(line);
            }
            index += count;
        }
        lines.join("\n")
    }
}

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)?;
        let backtrace = self.backtrace();
        if !backtrace.is_empty() {
            write!(f, "\nguest backtrace:\n{backtrace}")?;
        }
        Ok(())
    }
}

impl std::error::Error for GuestFailure {}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.function)?;
        match (&self.module, self.offset) {
            (Some(module), Some(offset)) => write!(f, " ({module} @ {offset:#x})"),
            (Some(module), None) => write!(f, " ({module})"),
            (None, Some(offset)) => write!(f, " (@ {offset:#x})"),
            (None, None) => Ok(()),
        }
    }
}

fn frame(info: &wasmtime::FrameInfo) -> Frame {
    let function = match info.func_name() {
        // `{:#}` leaves out the hash suffixes of Rust symbols.
        Some(name) => format!("{:#}", rustc_demangle::demangle(name)),
        None => format!("<func {}>", info.func_index()),
    };
    Frame {
        module: info.module().name().map(str::to_string),
        function,
        offset: info.module_offset(),
    }
}

/// An error and its causes on one line, like [`crate::error_chain`].
pub(crate) fn chain(error: &wasmtime::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

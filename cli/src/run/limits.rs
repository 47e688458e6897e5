//! Resource limits for guests (memory, time, fuel and stack), the parts of
//! the engine configuration they need, and the parsers for their
//! command-line spellings (`64MiB`, `500ms`).
//!
//! Memory is limited per store: all the linear memories of one instance of
//! a composition together may hold at most [`Limits::max_memory`] bytes.
//! Time is limited with epoch interruption: a [`Ticker`] thread advances the
//! engine's epoch at a fixed interval, and each store gets a deadline a
//! number of ticks away.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine, ResourceLimiter, StoreLimits, StoreLimitsBuilder};

/// The default limit on the WebAssembly call stack: wasmtime's own default.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;

/// The largest WebAssembly stack wcompose accepts: the guest runs on a host
/// thread whose stack must hold this much plus the host's own frames.
pub const MAX_WASM_STACK_LIMIT: usize = 256 * 1024 * 1024;

/// What a guest may consume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most linear memory, in bytes, that all memories of one instance
    /// may hold together; `None` leaves each memory its 4 GiB.
    pub max_memory: Option<u64>,
    /// How long one run or call may take, instantiation included; `None`
    /// for no limit. For a component run synchronously (WASI 0.2 only, no
    /// Component Model async), time spent blocked in the host (reading
    /// stdin, say) is not interrupted, only guest code is; a component run
    /// on the event loop (WASI 0.3 or async) is stopped also while it
    /// waits.
    pub timeout: Option<Duration>,
    /// How much fuel (roughly, WebAssembly instructions) one run or call
    /// may burn; `None` for no limit.
    pub fuel: Option<u64>,
    /// The most native stack, in bytes, that WebAssembly frames may use.
    /// The thread that runs the guest needs this much stack and more.
    pub max_wasm_stack: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory: None,
            timeout: None,
            fuel: None,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
        }
    }
}

impl Limits {
    /// Sets the engine options these limits need. Fuel and epoch checks are
    /// compiled into the code only when a limit asks for them, so that
    /// unlimited runs pay nothing; the precompiled cache keys on the result.
    pub(crate) fn configure(&self, config: &mut Config) {
        config
            .epoch_interruption(self.timeout.is_some())
            .consume_fuel(self.fuel.is_some())
            .max_wasm_stack(self.max_wasm_stack);
    }

    /// A fresh limiter for one store.
    pub(crate) fn limiter(&self) -> Limiter {
        let mut builder = StoreLimitsBuilder::new().trap_on_grow_failure(false);
        let max_total = self
            .max_memory
            .map(|bytes| usize::try_from(bytes).unwrap_or(usize::MAX));
        if let Some(max) = max_total {
            builder = builder.memory_size(max);
        }
        Limiter {
            limits: builder.build(),
            max_total,
            total: 0,
            denied: None,
        }
    }
}

/// A request for memory that the limit refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryDenied {
    /// The bytes all memories would have held together.
    pub requested: usize,
    /// The limit.
    pub limit: usize,
}

/// Enforces [`Limits::max_memory`] over all memories of a store, and
/// remembers a refusal so that a trap that follows can be explained.
pub(crate) struct Limiter {
    limits: StoreLimits,
    max_total: Option<usize>,
    total: usize,
    pub(crate) denied: Option<MemoryDenied>,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Called with `current == 0` when a memory is created, so the total
        // covers every memory of the store; memories never shrink.
        let total = self.total.saturating_add(desired.saturating_sub(current));
        if let Some(limit) = self.max_total
            && total > limit
        {
            self.denied = Some(MemoryDenied {
                requested: total,
                limit,
            });
            return Ok(false);
        }
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.total = total;
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// A thread that advances an engine's epoch at a fixed interval, for as
/// long as it lives.
pub(crate) struct Ticker {
    interval: Duration,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts ticking finely enough for `timeout`: a tenth of it, between
    /// 1 ms and 10 ms.
    pub(crate) fn start(engine: &Engine, timeout: Duration) -> std::io::Result<Self> {
        let interval = (timeout / 10).clamp(Duration::from_millis(1), Duration::from_millis(10));
        let (stop, stopped) = mpsc::channel::<()>();
        let engine = engine.clone();
        let thread = std::thread::Builder::new()
            .name("wcompose-epoch".to_string())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Self {
            interval,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The number of ticks that covers `timeout`.
    pub(crate) fn ticks(&self, timeout: Duration) -> u64 {
        let ticks = timeout.as_nanos().div_ceil(self.interval.as_nanos().max(1));
        u64::try_from(ticks).unwrap_or(u64::MAX / 2).max(1)
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread, which then ends.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Why a size or a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitParseError {
    /// Nothing was given.
    #[error("empty value; expected {expected}")]
    Empty {
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// The number part is not a number.
    #[error("`{text}` does not start with a number; expected {expected}")]
    NotANumber {
        /// The text given.
        text: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// The unit is not one of the known ones.
    #[error("unknown unit `{unit}` in `{text}`; expected {expected}")]
    UnknownUnit {
        /// The unit given.
        unit: String,
        /// The text given.
        text: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// A duration without a unit.
    #[error("`{text}` has no unit; write e.g. `{text}s` or `{text}ms`")]
    MissingUnit {
        /// The text given.
        text: String,
    },
    /// Zero, where only a positive value makes sense.
    #[error("`{text}` is zero; the limit must be greater than zero")]
    Zero {
        /// The text given.
        text: String,
    },
    /// The value does not fit.
    #[error("`{text}` is too large")]
    TooLarge {
        /// The text given.
        text: String,
    },
}

const SIZE_UNITS: &str = "a size such as `64MiB`, `512KiB`, `1G` or `1048576` (bytes)";
const DURATION_UNITS: &str = "a duration such as `5s`, `500ms`, `2m` or `1.5s`";

/// Reads a size in bytes: a whole or decimal number and an optional unit.
/// `K`, `KiB`, `M`, `MiB`, `G`, `GiB`, `T`, `TiB` are powers of 1024;
/// `KB`, `MB`, `GB`, `TB` powers of 1000; `B` or no unit means bytes. Units
/// are case-insensitive. Zero is refused.
///
/// ```
/// use wcompose::run::parse_size;
/// assert_eq!(parse_size("64MiB"), Ok(64 << 20));
/// assert_eq!(parse_size("1.5k"), Ok(1536));
/// assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
/// ```
pub fn parse_size(text: &str) -> Result<u64, LimitParseError> {
    let (number, unit) = split_number(text, SIZE_UNITS)?;
    let scale: u128 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(LimitParseError::UnknownUnit {
                unit: unit.to_string(),
                text: text.to_string(),
                expected: SIZE_UNITS,
            });
        }
    };
    let bytes = scaled(number, scale, text)?;
    u64::try_from(bytes).map_err(|_| LimitParseError::TooLarge {
        text: text.to_string(),
    })
}

/// Reads a duration: a whole or decimal number and a unit, one of `ns`,
/// `us`, `ms`, `s`, `m` (minutes) or `h`. Zero is refused.
///
/// ```
/// use std::time::Duration;
/// use wcompose::run::parse_duration;
/// assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, LimitParseError> {
    let (number, unit) = split_number(text, DURATION_UNITS)?;
    let nanos_per_unit: u128 = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "" => {
            return Err(LimitParseError::MissingUnit {
                text: text.trim().to_string(),
            });
        }
        _ => {
            return Err(LimitParseError::UnknownUnit {
                unit: unit.to_string(),
                text: text.to_string(),
                expected: DURATION_UNITS,
            });
        }
    };
    let nanos = scaled(number, nanos_per_unit, text)?;
    let too_large = || LimitParseError::TooLarge {
        text: text.to_string(),
    };
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| too_large())?;
    // The remainder is below 10^9, so it fits.
    let subsec = u32::try_from(nanos % 1_000_000_000).map_err(|_| too_large())?;
    Ok(Duration::new(secs, subsec))
}

/// Splits `12.5MiB` into `("12.5", "MiB")`.
fn split_number<'a>(
    text: &'a str,
    expected: &'static str,
) -> Result<(&'a str, &'a str), LimitParseError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(LimitParseError::Empty { expected });
    }
    let end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(end);
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(LimitParseError::NotANumber {
            text: text.to_string(),
            expected,
        });
    }
    Ok((number, unit.trim()))
}

/// `number * scale`, exactly, for a decimal `number`; rounds down below one
/// unit of `scale`'s base and refuses zero.
fn scaled(number: &str, scale: u128, text: &str) -> Result<u128, LimitParseError> {
    let not_a_number = || LimitParseError::NotANumber {
        text: text.to_string(),
        expected: "a number",
    };
    let too_large = || LimitParseError::TooLarge {
        text: text.to_string(),
    };
    let digits = |s: &str| s.chars().filter(|c| *c != '_').collect::<String>();
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (digits(whole), digits(fraction)),
        None => (digits(number), String::new()),
    };
    if fraction.contains('.') || fraction.len() > 18 {
        return Err(not_a_number());
    }
    let parse = |s: &str| -> Result<u128, LimitParseError> {
        if s.is_empty() {
            Ok(0)
        } else {
            s.parse::<u128>().map_err(|_| too_large())
        }
    };
    let whole_part = parse(&whole)?.checked_mul(scale).ok_or_else(too_large)?;
    let fraction_part = parse(&fraction)?.checked_mul(scale).ok_or_else(too_large)?
        / 10u128.pow(u32::try_from(fraction.len()).map_err(|_| not_a_number())?);
    let value = whole_part
        .checked_add(fraction_part)
        .ok_or_else(too_large)?;
    if value == 0 {
        return Err(LimitParseError::Zero {
            text: text.to_string(),
        });
    }
    Ok(value)
}

/// Renders a byte count for people: `64 MiB`, `1.5 GiB`, `100 bytes`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, scale) in UNITS {
        if bytes >= scale {
            let whole = bytes / scale;
            let tenths = (bytes % scale) * 10 / scale;
            return if tenths == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenths} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64mib"), Ok(64 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("1.5MiB"), Ok(3 << 19));
        assert_eq!(parse_size("1_000"), Ok(1000));
    }

    #[test]
    fn bad_sizes_are_refused_with_a_reason() {
        assert!(matches!(parse_size(""), Err(LimitParseError::Empty { .. })));
        assert!(matches!(
            parse_size("MiB"),
            Err(LimitParseError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_size("12 parsecs"),
            Err(LimitParseError::UnknownUnit { .. })
        ));
        assert!(matches!(parse_size("0"), Err(LimitParseError::Zero { .. })));
        assert!(matches!(
            parse_size("1.2.3"),
            Err(LimitParseError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_size("99999999999999999999TiB"),
            Err(LimitParseError::TooLarge { .. })
        ));
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0.25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10us"), Ok(Duration::from_micros(10)));
        assert!(matches!(
            parse_duration("5"),
            Err(LimitParseError::MissingUnit { .. })
        ));
        assert!(matches!(
            parse_duration("5 fortnights"),
            Err(LimitParseError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_duration("0ms"),
            Err(LimitParseError::Zero { .. })
        ));
    }

    #[test]
    fn sizes_format_for_people() {
        assert_eq!(format_size(100), "100 bytes");
        assert_eq!(format_size(64 << 20), "64 MiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
    }

    #[test]
    fn the_memory_limit_covers_all_memories_of_a_store() {
        let limits = Limits {
            max_memory: Some(100),
            ..Limits::default()
        };
        let mut limiter = limits.limiter();
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        assert!(!limiter.memory_growing(0, 60, None).unwrap());
        assert_eq!(
            limiter.denied,
            Some(MemoryDenied {
                requested: 120,
                limit: 100
            })
        );
        assert!(limiter.memory_growing(0, 40, None).unwrap());
    }
}

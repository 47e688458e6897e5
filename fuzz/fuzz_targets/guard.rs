//! libfuzzer-sys aborts on every panic, even one that wcompose contains and
//! turns into an error (see `wcompose::guard`). This hook aborts only on the
//! others, which are the bugs the fuzzers look for.

use std::sync::Once;

/// Installs the hook once per process.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if wcompose::guard::containing() {
                return;
            }
            default(info);
            std::process::abort();
        }));
    });
}

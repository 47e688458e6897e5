//! Arbitrary bytes given to `componentize`: an error is fine, a panic is not.
#![no_main]

mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    guard::install();
    let _ = wcompose::componentize::componentize(data, Default::default());
    let _ = wcompose::artifact::classify(data);
});

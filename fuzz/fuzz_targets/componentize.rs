//! Arbitrary bytes given to `componentize`: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wcompose::componentize::componentize(data, Default::default());
    let _ = wcompose::artifact::classify(data);
});

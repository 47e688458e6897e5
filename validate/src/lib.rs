//! Validating a composed component, with its core function bodies checked
//! on several threads.
//!
//! wac-graph can validate what it encodes (`EncodeOptions::validate`), but
//! it does so with `Validator::validate_all`, which checks every function
//! body of every nested core module one after the other: most of the cost of
//! composing. `compose` and `plug` encode without it and call [`component`]
//! instead, which gives the same verdict and, when the output is invalid,
//! the same error.
//!
//! The validator is the wasmparser release wac-graph is built on (not the
//! one the rest of wcompose uses), so that its rules, its messages and its
//! error type are wac's: the error goes into wac's own
//! `ValidationFailure` variants unchanged.
//!
//! It is a crate of its own because function-body validation is generic,
//! compiled into the crate that calls it: here it is optimised in debug
//! builds too, as wasmparser is (see the workspace's `profile.dev`).

#![deny(missing_docs)]

use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmparser::{
    BinaryReaderError, FuncToValidate, FuncValidatorAllocations, FunctionBody, Parser, Payload,
    ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// The error of an invalid component, as wac reports it.
pub use wasmparser::BinaryReaderError as Error;

/// A core function body to check, with what the validator knew of its module.
type Job<'a> = (FuncToValidate<ValidatorResources>, FunctionBody<'a>);

/// Below this many bytes of function bodies, starting a thread costs more
/// than it saves, and the bodies are checked on the calling thread.
///
/// In a process that validates once, as the CLI does, a new thread is slow
/// to get going (2 cores, release build, bodies alone): the seed
/// composition's 111 KiB take 0.8 ms on one thread or two, the router's
/// 349 KiB 2.4 ms on one and 2.2 ms on two, the polyglot seed's 6.3 MiB
/// 34 ms and 21 ms. (Within a warm process, threads pay from about 32 KiB.)
const PARALLEL_THRESHOLD: u64 = 256 * 1024;

/// Validates `bytes` as wac-graph's `encode` does (`validate_all` with every
/// feature): the first error a sequential validation would report, or none.
///
/// The sections are validated in order, as they must be; the function bodies
/// they yield are independent of one another and are checked afterwards on
/// up to [`std::thread::available_parallelism`] threads. When several bodies
/// are invalid, the error of the first one in the file is returned, as
/// `validate_all` would.
pub fn component(bytes: &[u8]) -> Result<(), BinaryReaderError> {
    component_with(bytes, |_| false).map(drop)
}

/// The rules [`component_with`] checks bodies by: the validator's release
/// and its features. Whoever remembers modules whose bodies passed keys
/// them by these too, so that a newer validator checks them again.
pub const RULES: &str = "wasmparser 0.258.3, WasmFeatures::all()";

/// [`component`], except for the function bodies of the nested core modules
/// that `known_valid` recognises: given a module's bytes, whole, it answers
/// whether its bodies are known to pass these [`RULES`] (because they passed
/// before). Everything else, the sections of those modules included, is
/// validated as in [`component`].
///
/// Skipping is sound because whether a function body is valid depends only
/// on the module that holds it, byte for byte, and on the rules: a core
/// module sees nothing of the component around it.
///
/// On success, returns where in `bytes` the core modules whose bodies were
/// checked here lie (those `known_valid` did not recognise), so that the
/// caller can remember them.
pub fn component_with(
    bytes: &[u8],
    known_valid: impl Fn(&[u8]) -> bool,
) -> Result<Vec<Range<usize>>, BinaryReaderError> {
    let sections = sections(bytes, &known_valid)?;
    let threads = if sections.body_bytes < PARALLEL_THRESHOLD {
        1
    } else {
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    };
    bodies(sections.jobs, threads)?;
    Ok(sections.checked)
}

/// What validating the sections leaves to do.
struct Sections<'a> {
    /// The function bodies still to check.
    jobs: Vec<Job<'a>>,
    /// Their size in bytes.
    body_bytes: u64,
    /// The nested core modules whose bodies are among `jobs`.
    checked: Vec<Range<usize>>,
}

/// Validates everything in `bytes` but the function bodies, in order, and
/// returns the bodies still to check: those of the nested core modules
/// `known_valid` does not recognise (and of `bytes` itself, if it is a
/// core module).
fn sections<'a>(
    bytes: &'a [u8],
    known_valid: &dyn Fn(&[u8]) -> bool,
) -> Result<Sections<'a>, BinaryReaderError> {
    let features = WasmFeatures::all();
    let mut validator = Validator::new_with_features(features);
    let mut parser = Parser::new(0);
    parser.set_features(features);
    let mut sections = Sections {
        jobs: Vec::new(),
        body_bytes: 0,
        checked: Vec::new(),
    };
    // Core modules nest nothing, and a component's own sections have no
    // function bodies: every body belongs to the module section met last.
    let mut skip_bodies = false;
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        if let Payload::ModuleSection {
            unchecked_range, ..
        } = &payload
        {
            let range = usize::try_from(unchecked_range.start).unwrap_or(usize::MAX)
                ..usize::try_from(unchecked_range.end).unwrap_or(usize::MAX);
            skip_bodies = bytes.get(range.clone()).is_some_and(known_valid);
            if !skip_bodies {
                sections.checked.push(range);
            }
        }
        if let ValidPayload::Func(func, body) = validator.payload(&payload)?
            && !skip_bodies
        {
            let range = body.range();
            sections.body_bytes += range.end - range.start;
            sections.jobs.push((func, body));
        }
    }
    Ok(sections)
}

/// Checks the function bodies on `threads` threads (the caller's among them)
/// and returns the error of the first invalid body in `jobs`' order.
///
/// The threads take the bodies in order from a shared queue, so that one
/// long body does not leave the others idle; once a body is found invalid,
/// later ones are not checked, since an earlier error would win anyway.
fn bodies(jobs: Vec<Job<'_>>, threads: usize) -> Result<(), BinaryReaderError> {
    let threads = threads.clamp(1, jobs.len().max(1));
    let queue = Mutex::new(jobs.into_iter().enumerate());
    // The index of the first invalid body found so far (`usize::MAX`: none).
    let first_invalid = AtomicUsize::new(usize::MAX);
    let work = || -> Option<(usize, BinaryReaderError)> {
        let mut allocations = FuncValidatorAllocations::default();
        loop {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            // The queue hands out indices in increasing order: once one is
            // past a known error, so are all the rest.
            let (index, (func, body)) = next?;
            if index > first_invalid.load(Ordering::Relaxed) {
                return None;
            }
            let mut validator = func.into_validator(allocations);
            if let Err(error) = validator.validate(&body) {
                first_invalid.fetch_min(index, Ordering::Relaxed);
                return Some((index, error));
            }
            allocations = validator.into_allocations();
        }
    };
    let errors: Vec<_> = if threads == 1 {
        work().into_iter().collect()
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut errors: Vec<_> = work().into_iter().collect();
            for helper in helpers {
                match helper.join() {
                    Ok(error) => errors.extend(error),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            errors
        })
    };
    match errors.into_iter().min_by_key(|(index, _)| *index) {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A core module of `count` functions, each with enough instructions
    /// that two modules of 200 pass [`PARALLEL_THRESHOLD`]; the functions
    /// at `invalid` return an `i64` where they promise an `i32`.
    fn module(count: usize, invalid: &[usize]) -> String {
        let body = "i32.const 1 drop ".repeat(240);
        let mut wat = String::from("(core module");
        for index in 0..count {
            let result = if invalid.contains(&index) {
                "i64.const 0"
            } else {
                "i32.const 0"
            };
            wat.push_str(&format!(" (func (result i32) {body} {result})"));
        }
        wat.push(')');
        wat
    }

    /// A component holding `modules`, the second one nested in an inner
    /// component, so that bodies come from different levels of nesting.
    fn component(modules: [String; 2]) -> Vec<u8> {
        let [outer, inner] = modules;
        wat::parse_str(format!("(component {outer} (component {inner}))")).unwrap()
    }

    /// The error `validate_all` gives, as message and offset.
    fn sequential(bytes: &[u8]) -> Option<(String, u64)> {
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(bytes)
            .err()
            .map(|e| (e.message().to_string(), e.offset()))
    }

    /// The error [`bodies`] gives with `threads` threads.
    fn parallel(bytes: &[u8], threads: usize) -> Option<(String, u64)> {
        let sections = sections(bytes, &|_| false).unwrap();
        bodies(sections.jobs, threads)
            .err()
            .map(|e| (e.message().to_string(), e.offset()))
    }

    #[test]
    fn valid_bodies_pass() {
        let bytes = component([module(200, &[]), module(200, &[])]);
        assert_eq!(sequential(&bytes), None);
        assert_eq!(super::component(&bytes).err().map(|e| e.to_string()), None);
    }

    #[test]
    fn the_first_invalid_body_wins_whatever_the_threads() {
        // Invalid bodies in both modules, the earliest late in the first
        // one, so that another thread meets a later one first.
        let bytes = component([module(200, &[150, 199]), module(200, &[0, 3, 100])]);
        // Large enough for `component` to use several threads.
        assert!(sections(&bytes, &|_| false).unwrap().body_bytes > PARALLEL_THRESHOLD);
        let expected = sequential(&bytes).expect("the component is invalid");
        for threads in [1, 2, 3, 8] {
            assert_eq!(parallel(&bytes, threads), Some(expected.clone()));
        }
        let error = super::component(&bytes).unwrap_err();
        assert_eq!((error.message().to_string(), error.offset()), expected);
    }

    #[test]
    fn an_earlier_error_found_later_still_wins() {
        // The first invalid body is long: while one thread checks it, the
        // other meets the short invalid body after it, and reports first.
        let long = "i32.const 1 drop ".repeat(100_000);
        let short = "i32.const 1 drop ".repeat(64);
        let mut wat = String::from("(component (core module");
        for index in 0..200 {
            let (body, result) = match index {
                100 => (&long, "i64.const 0"),
                120 => (&short, "i64.const 0"),
                _ => (&short, "i32.const 0"),
            };
            wat.push_str(&format!(" (func (result i32) {body} {result})"));
        }
        wat.push_str("))");
        let bytes = wat::parse_str(wat).unwrap();
        let expected = sequential(&bytes).expect("the component is invalid");
        for threads in [1, 2] {
            assert_eq!(parallel(&bytes, threads), Some(expected.clone()));
        }
    }

    #[test]
    fn an_invalid_body_in_the_nested_component_is_found() {
        let bytes = component([module(200, &[]), module(200, &[199])]);
        let expected = sequential(&bytes).expect("the component is invalid");
        for threads in [1, 2] {
            assert_eq!(parallel(&bytes, threads), Some(expected.clone()));
        }
    }

    #[test]
    fn a_section_error_wins_over_body_errors() {
        // The export names a function that does not exist: an error of the
        // export section, which `validate_all` reports before any body.
        let mut outer = module(200, &[0]);
        outer.pop();
        outer.push_str(" (export \"f\" (func 1000)))");
        let bytes = component([outer, module(200, &[1])]);
        let expected = sequential(&bytes).expect("the component is invalid");
        assert!(expected.0.contains("func"), "{expected:?}");
        let error = super::component(&bytes).unwrap_err();
        assert_eq!((error.message().to_string(), error.offset()), expected);
    }

    /// The nested core modules of `bytes`, whole, in the order they come.
    fn modules(bytes: &[u8]) -> Vec<&[u8]> {
        Parser::new(0)
            .parse_all(bytes)
            .filter_map(|payload| match payload.unwrap() {
                Payload::ModuleSection {
                    unchecked_range, ..
                } => Some(&bytes[unchecked_range.start as usize..unchecked_range.end as usize]),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bodies_known_valid_are_not_checked_again() {
        // The first module's bodies are invalid; telling the validator they
        // are known valid shows that they were skipped.
        let bytes = component([module(3, &[1]), module(3, &[])]);
        let [first, second] = modules(&bytes)[..] else {
            panic!("two modules expected");
        };
        assert!(super::component(&bytes).is_err());
        let checked = component_with(&bytes, |m| m == first).unwrap();
        assert_eq!(checked.len(), 1);
        assert_eq!(&bytes[checked[0].clone()], second);

        // Nothing known: every module is checked, and on success each is
        // named, in order, by where it lies.
        let bytes = component([module(3, &[]), module(4, &[])]);
        let checked = component_with(&bytes, |_| false).unwrap();
        let checked: Vec<&[u8]> = checked.into_iter().map(|r| &bytes[r]).collect();
        assert_eq!(checked, modules(&bytes));
        // Everything known: nothing is left to check or to remember.
        assert_eq!(component_with(&bytes, |_| true).unwrap(), Vec::new());
    }

    #[test]
    fn a_module_known_valid_still_has_its_sections_checked() {
        // Known-valid bodies do not excuse an export of a function that
        // does not exist.
        let mut outer = module(3, &[]);
        outer.pop();
        outer.push_str(" (export \"f\" (func 1000)))");
        let bytes = component([outer, module(3, &[])]);
        let expected = sequential(&bytes).expect("the component is invalid");
        let error = component_with(&bytes, |_| true).unwrap_err();
        assert_eq!((error.message().to_string(), error.offset()), expected);
    }

    #[test]
    fn a_body_outside_the_known_modules_is_still_found() {
        let bytes = component([module(3, &[]), module(3, &[2])]);
        let first = modules(&bytes)[0];
        let expected = sequential(&bytes).expect("the component is invalid");
        let error = component_with(&bytes, |m| m == first).unwrap_err();
        assert_eq!((error.message().to_string(), error.offset()), expected);
    }
}

//! C and C++ guests: bindings from wit-bindgen's C and C++ generators, run
//! in process, then one clang invocation that compiles the guest's sources
//! with the bindings and links a wasm32-wasi core module (a reactor: a
//! library has no `_start`). The bindings' `*_component_type.o` carries the
//! world into the core's `component-type` section, from which
//! `componentize` makes the component with the right adapter.
//!
//! wit-bindgen 0.63 is built on wit-parser 0.262, one release behind the
//! one wcompose uses, so the guest's WIT is loaded here with that copy
//! (`wit_bindgen_core::wit_parser`); both read the same files.

use std::path::{Path, PathBuf};

use wit_bindgen_core::wit_parser::Resolve;
use wit_bindgen_core::{Files, WorldGenerator};

use super::guest::{Built, GuestError, Job, Language, create_dir};

/// The wit-bindgen release whose C and C++ generators are linked in.
pub const WIT_BINDGEN_VERSION: &str = "0.63.0";

/// The name `wcompose.lock` records that release under.
pub const WIT_BINDGEN: &str = "wit-bindgen";

/// The C standard guests are compiled as: clang's flag, and the name of
/// the language in the producers section.
pub const C_STANDARD: (&str, &str) = ("-std=c17", "C17");

/// The same for C++ (the generated bindings use `<expected>`).
pub const CPP_STANDARD: (&str, &str) = ("-std=c++23", "C++23");

/// The name of the generator that writes a language's bindings.
pub fn generator(language: Language) -> &'static str {
    match language {
        Language::Cpp => "wit-bindgen-cpp",
        _ => "wit-bindgen-c",
    }
}

/// Builds a C or C++ guest into a core module.
pub fn build(job: &Job<'_>) -> Result<Built, GuestError> {
    let guest = job.guest;
    let bindings = job.out_dir.join("bindings");
    let _ = std::fs::remove_dir_all(&bindings);
    create_dir(&bindings)?;
    let generated = generate(guest.language, job.wit, &guest.world, &bindings)?;

    let wasm = job.out_dir.join(guest.file_name());
    let (program, flags): (&str, &[&str]) = match guest.language {
        Language::Cpp => ("clang++", &[CPP_STANDARD.0, "-fno-exceptions", "-fno-rtti"]),
        _ => ("clang", &[C_STANDARD.0]),
    };
    let mut command = job.tools.command(program);
    command
        .args([
            "--target=wasm32-wasi",
            "-mexec-model=reactor",
            "-O2",
            "-Wall",
            "-Werror",
            // The generated bindings define helpers a guest may not use.
            "-Wno-unused-function",
        ])
        .args(flags)
        .arg("-I")
        .arg(&bindings)
        .args(guest.sources.iter().map(|s| guest.dir.join(s)))
        .args(&generated)
        .args(["-Wl,--strip-debug", "-o"])
        .arg(&wasm);
    Built::by_running(&mut command, wasm)
}

/// Writes the bindings of `world` for `language` into `dir` and returns the
/// files to compile and link with the guest's sources.
fn generate(
    language: Language,
    wit: &Path,
    world: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, GuestError> {
    let bindings_error = |source: anyhow::Error| GuestError::Bindings {
        language,
        world: world.to_string(),
        source,
    };
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(wit).map_err(bindings_error)?;
    let world_id = resolve
        .select_world(&[package], Some(world))
        .map_err(bindings_error)?;
    let mut generator: Box<dyn WorldGenerator> = match language {
        Language::Cpp => wit_bindgen_cpp::Opts::default().build(None),
        _ => wit_bindgen_c::Opts::default().build(),
    };
    let mut files = Files::default();
    generator
        .generate(&mut resolve, world_id, &mut files)
        .map_err(bindings_error)?;
    let mut compiled = Vec::new();
    for (name, bytes) in files.iter() {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, bytes)?;
        if [".c", ".cpp", ".o"].iter().any(|e| name.ends_with(e)) {
            compiled.push(path);
        }
    }
    Ok(compiled)
}

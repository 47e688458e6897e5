//! The `producers` section of a guest built in another language: the
//! language its sources are in and the toolchain that built it, as
//! `wcompose inspect` reports them.
//!
//! What the tools write there on their own is not that: wasm-ld merges the
//! sections of every object it links, so a C or C++ core names the
//! language and the clang of Debian's prebuilt wasi-libc (`C99`, clang 14)
//! rather than the guest's; componentize-py names only its init step. So
//! after each build the guest's own entries are recorded with
//! wasm-metadata: for a core module linked by clang they replace the
//! section (wasi-libc is named as its `sdk`), for a component (Python,
//! JavaScript) they are merged into its outer section.

use std::path::Path;

use wasm_metadata::Producers;
use wasmparser::{Parser, Payload};

use super::c;
use super::guest::{GuestError, Job, Language};
use super::toolchain::{self, Tools};
use crate::fsutil;

/// The `language` entry of a guest's producers section.
pub fn language_entry(language: Language) -> &'static str {
    match language {
        Language::Rust => "Rust",
        Language::C => c::C_STANDARD.1,
        Language::Cpp => c::CPP_STANDARD.1,
        Language::Python => "Python",
        Language::JavaScript => "JavaScript",
    }
}

/// The producers entries of a guest in `language` built by `tools`: its
/// language, the toolchain's programs and wcompose as `processed-by`, and
/// for C and C++ the wasi-libc it links as `sdk`.
pub fn of(language: Language, tools: &Tools) -> Producers {
    let mut producers = Producers::empty();
    producers.add("language", language_entry(language), "");
    for (name, version) in &tools.versions {
        match name.as_str() {
            // The release of both generators: name the one that ran.
            c::WIT_BINDGEN => producers.add("processed-by", c::generator(language), version),
            toolchain::WASI_LIBC_PACKAGE => producers.add("sdk", name, version),
            _ => producers.add("processed-by", name, version),
        }
    }
    producers.add("processed-by", "wcompose", env!("CARGO_PKG_VERSION"));
    producers
}

/// Records the producers of the guest `job` built into its output `wasm`.
pub fn record(job: &Job<'_>, wasm: &Path) -> Result<(), GuestError> {
    let bytes = fsutil::read(wasm)?;
    let linked_by_clang = matches!(job.guest.language, Language::C | Language::Cpp);
    let producers = of(job.guest.language, job.tools);
    let output =
        recorded(&bytes, &producers, linked_by_clang).map_err(|source| GuestError::Producers {
            path: wasm.to_owned(),
            source,
        })?;
    fsutil::write_atomic(wasm, &output)?;
    Ok(())
}

/// The producers of a Rust guest built by `rustc` (its `rustc --version`
/// line, when known). Cargo's release profile strips the section rustc
/// writes, so the language is recorded again before componentizing.
pub fn rust(rustc: Option<&str>) -> Producers {
    let mut producers = Producers::empty();
    producers.add("language", language_entry(Language::Rust), "");
    if let Some(version) = rustc {
        producers.add("processed-by", "rustc", version);
    }
    producers
}

/// `bytes` with `producers` recorded: merged into the outer section of a
/// component, and of a core module too unless `replace`, which first drops
/// what the module's section had (what a C or C++ link merged there from
/// prebuilt objects).
pub fn recorded(bytes: &[u8], producers: &Producers, replace: bool) -> anyhow::Result<Vec<u8>> {
    let input = if replace && !Parser::is_component(bytes) {
        without_producers(bytes)?
    } else {
        bytes.to_vec()
    };
    producers.add_to_wasm(&input)
}

/// A core module's bytes without its `producers` section.
fn without_producers(core: &[u8]) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(core) {
        let payload = payload?;
        if let Payload::CustomSection(section) = &payload
            && section.name() == "producers"
        {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            let range = range.start as usize..range.end as usize;
            module.section(&wasm_encoder::RawSection {
                id,
                data: &core[range],
            });
        }
    }
    Ok(module.finish())
}

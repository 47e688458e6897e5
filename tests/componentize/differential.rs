//! Differential testing of `wcompose::componentize` against wit-component's
//! `ComponentEncoder`, configured as `wasm-tools component new` configures
//! it, on generated core modules.
//!
//! A seed's bytes drive wit-smith (its default configuration) to a WIT
//! package; one of its worlds gets a core module from
//! `wit_component::dummy_module`, with the standard (`cm32p2`) or the
//! legacy names, and then one [`Mutation`]: none, the world embedded
//! through `--wit` instead (the package written as a `.wasm` file, as
//! `wasm-tools component embed` reads it), no world at all, the memory
//! imported from `env` (`wasm-ld --import-memory`), wasm-ld's stack-pointer
//! import, an unknown `env` function, or a WASI preview-1 import (which
//! brings in the reactor adapter). wcompose's verdict must equal the
//! encoder's, and an accepted component must be the encoder's byte for
//! byte.
//!
//! Protocol: the trials `differential/seeds-A-B` each run the seeds `A..B`;
//! seed `n` feeds the generator 4 KiB from a splitmix64 stream started at
//! `n`, so a seed names one module for good. A trial fails listing every
//! disagreement (seed, world, mutation, both verdicts), and fails too when
//! fewer than half of its seeds generate a module or no seed of it is
//! accepted or refused, since then it would test little.
//! `DIFFERENTIAL_SEED=n` runs the one seed `n` and prints what it made.
//! Every disagreement found here is kept as a case under
//! `tests/componentize/cases/` or `fail/`.

use std::path::Path;

use arbitrary::Unstructured;
use wasm_encoder::reencode::{Error, Reencode, utils};
use wit_component::{ComponentEncoder, DecodedWasm, StringEncoding};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

use super::common::{Failed, Trial};

/// Seeds per trial, and trials.
const CHUNK: u64 = 100;
const CHUNKS: u64 = 3;

/// What is done to the generated core module.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mutation {
    /// Nothing: the world is embedded as wit-bindgen embeds it.
    None,
    /// The world comes from `--wit FILE --world NAME`.
    EmbedFromWit,
    /// No world is embedded.
    NoWorld,
    /// The memory is imported as `env.memory` instead of defined.
    ImportedMemory,
    /// wasm-ld's `env.__wasm_get_stack_pointer` is imported.
    StackPointerImport,
    /// An `env` function that nothing provides is imported.
    UnknownEnvImport,
    /// `wasi_snapshot_preview1.fd_write` is imported.
    Preview1Import,
}

const MUTATIONS: [Mutation; 7] = [
    Mutation::None,
    Mutation::EmbedFromWit,
    Mutation::NoWorld,
    Mutation::ImportedMemory,
    Mutation::StackPointerImport,
    Mutation::UnknownEnvImport,
    Mutation::Preview1Import,
];

/// One seed's module and both verdicts.
pub struct Outcome {
    pub world: String,
    pub mutation: Mutation,
    pub wcompose: Result<Vec<u8>, String>,
    pub oracle: Result<Vec<u8>, String>,
}

impl Outcome {
    fn agrees(&self) -> bool {
        match (&self.wcompose, &self.oracle) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        }
    }
}

fn verdict(v: &Result<Vec<u8>, String>) -> String {
    match v {
        Ok(bytes) => format!("a component of {} bytes", bytes.len()),
        Err(e) => format!("refused: {e}"),
    }
}

/// Generates the module of `seed` and asks both; `None` when the bytes
/// make no package with a world.
pub fn outcome(seed: u64, dir: &Path) -> Option<Outcome> {
    let bytes = super::common::bytes_for(seed);
    let mut u = Unstructured::new(&bytes);
    // wit-smith asserts on the rare package that wit-parser rejects; such
    // bytes generate nothing.
    let package = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wit_smith::smith(&wit_smith::Config::default(), &mut u)
    }))
    .ok()?
    .ok()?;
    let DecodedWasm::WitPackage(resolve, pkg) = wit_component::decode(&package).ok()? else {
        return None;
    };
    let worlds: Vec<_> = resolve.packages[pkg].worlds.values().copied().collect();
    let world = *u.choose(&worlds).ok()?;
    let mangling = if u.arbitrary().ok()? {
        ManglingAndAbi::Standard32
    } else {
        ManglingAndAbi::Legacy(LiftLowerAbi::Sync)
    };
    let mutation = *u.choose(&MUTATIONS).ok()?;
    let name = resolve.worlds[world].name.clone();
    let mut module = wit_component::dummy_module(&resolve, world, mangling);
    match mutation {
        Mutation::None | Mutation::EmbedFromWit | Mutation::NoWorld => {}
        Mutation::ImportedMemory => module = add_import(&module, "env", "memory", Import::Memory),
        Mutation::StackPointerImport => {
            module = add_import(&module, "env", "__wasm_get_stack_pointer", Import::GetI32)
        }
        Mutation::UnknownEnvImport => module = add_import(&module, "env", "f", Import::Nullary),
        Mutation::Preview1Import => {
            module = add_import(
                &module,
                "wasi_snapshot_preview1",
                "fd_write",
                Import::FdWrite,
            )
        }
    }
    let mut options = wcompose::componentize::Options::default();
    let oracle_module = match mutation {
        Mutation::NoWorld => Ok(module.clone()),
        Mutation::EmbedFromWit => {
            let file = dir.join(format!("{seed}.wasm"));
            std::fs::write(&file, &package).unwrap();
            options.world = Some(wcompose::componentize::World {
                wit: file.clone(),
                name: Some(name.clone()),
            });
            embedded_as_wasm_tools_does(&module, &file, &name)
        }
        _ => {
            wit_component::embed_component_metadata(
                &mut module,
                &resolve,
                world,
                StringEncoding::UTF8,
                false,
            )
            .unwrap();
            Ok(module.clone())
        }
    };
    let wcompose = wcompose::componentize::componentize(&module, options)
        .map(|c| c.bytes)
        .map_err(|e| wcompose::error_chain(&e));
    let oracle = oracle_module.and_then(|m| encode(&m, mutation == Mutation::Preview1Import));
    Some(Outcome {
        world: name,
        mutation,
        wcompose,
        oracle,
    })
}

/// `wasm-tools component embed FILE --world NAME`, by its own steps.
fn embedded_as_wasm_tools_does(module: &[u8], file: &Path, world: &str) -> Result<Vec<u8>, String> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_path(file).map_err(|e| format!("{e:#}"))?;
    let world = resolve
        .select_world(&[pkg], Some(world))
        .map_err(|e| format!("{e:#}"))?;
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        StringEncoding::UTF8,
        false,
    )
    .map_err(|e| format!("{e:#}"))?;
    Ok(module)
}

/// `wasm-tools component new`, by its own steps, with wasmtime's reactor
/// adapter (the one a core without `_start` gets) when asked.
fn encode(module: &[u8], preview1: bool) -> Result<Vec<u8>, String> {
    let mut encoder = ComponentEncoder::default();
    encoder.validate(true).debug_names(true);
    let mut run = || -> anyhow::Result<Vec<u8>> {
        if preview1 {
            encoder.adapter(
                "wasi_snapshot_preview1",
                wcompose::componentize::Adapter::Reactor.bytes(),
            )?;
        }
        encoder.module(module)?;
        encoder.encode()
    };
    run().map_err(|e| format!("{e:#}"))
}

/// The kind of an added import.
#[derive(Clone, Copy)]
enum Import {
    /// A memory, replacing the module's own.
    Memory,
    /// `func () -> i32`.
    GetI32,
    /// `func ()`.
    Nullary,
    /// `func (i32 i32 i32 i32) -> i32`.
    FdWrite,
}

/// Rewrites a core module with one more import, at the end of its import
/// section; a function import moves every defined function up by one, and
/// a memory import takes the place of the module's only memory.
fn add_import(module: &[u8], from: &str, name: &str, import: Import) -> Vec<u8> {
    let mut types = 0;
    let mut imported_funcs = 0;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            wasmparser::Payload::TypeSection(reader) => types = reader.count(),
            wasmparser::Payload::ImportSection(reader) => {
                for i in reader.into_imports() {
                    if matches!(i.unwrap().ty, wasmparser::TypeRef::Func(_)) {
                        imported_funcs += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut adder = AddImport {
        from,
        name,
        import,
        new_type: types,
        imported_funcs,
        types_done: false,
        imports_done: false,
    };
    let mut out = wasm_encoder::Module::new();
    adder
        .parse_core_module(&mut out, wasmparser::Parser::new(0), module)
        .unwrap();
    out.finish()
}

struct AddImport<'a> {
    from: &'a str,
    name: &'a str,
    import: Import,
    new_type: u32,
    imported_funcs: u32,
    types_done: bool,
    imports_done: bool,
}

impl AddImport<'_> {
    fn push_type(&mut self, types: &mut wasm_encoder::TypeSection) {
        use wasm_encoder::ValType::I32;
        match self.import {
            Import::Memory => {}
            Import::GetI32 => {
                types.ty().function([], [I32]);
            }
            Import::Nullary => {
                types.ty().function([], []);
            }
            Import::FdWrite => {
                types.ty().function([I32, I32, I32, I32], [I32]);
            }
        }
        self.types_done = true;
    }

    fn push_import(&mut self, imports: &mut wasm_encoder::ImportSection) {
        let ty = match self.import {
            Import::Memory => wasm_encoder::EntityType::Memory(wasm_encoder::MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
            _ => wasm_encoder::EntityType::Function(self.new_type),
        };
        imports.import(self.from, self.name, ty);
        self.imports_done = true;
    }
}

impl Reencode for AddImport<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<Self::Error>> {
        let moved = !matches!(self.import, Import::Memory) && func >= self.imported_funcs;
        Ok(if moved { func + 1 } else { func })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_type_section(self, types, section)?;
        self.push_type(types);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_import_section(self, imports, section)?;
        self.push_import(imports);
        Ok(())
    }

    fn parse_memory_section(
        &mut self,
        memories: &mut wasm_encoder::MemorySection,
        section: wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        match self.import {
            // The imported memory is the module's memory now.
            Import::Memory => Ok(()),
            _ => utils::parse_memory_section(self, memories, section),
        }
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), Error<Self::Error>> {
        use wasm_encoder::SectionId;
        if !self.types_done && before != Some(SectionId::Type) {
            let mut types = wasm_encoder::TypeSection::new();
            self.push_type(&mut types);
            module.section(&types);
        }
        if !self.imports_done && !matches!(before, Some(SectionId::Type | SectionId::Import)) {
            let mut imports = wasm_encoder::ImportSection::new();
            self.push_import(&mut imports);
            module.section(&imports);
        }
        Ok(())
    }
}

fn describe(seed: u64, o: &Outcome) -> String {
    format!(
        "seed {seed}: world `{}`, mutation {:?}\n  wcompose: {}\n  oracle:   {}",
        o.world,
        o.mutation,
        verdict(&o.wcompose),
        verdict(&o.oracle)
    )
}

fn run_seeds(seeds: std::ops::Range<u64>) -> Result<(), Failed> {
    let dir = tempfile::tempdir().unwrap();
    let total = seeds.end - seeds.start;
    let (mut generated, mut accepted, mut refused) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for seed in seeds {
        let Some(o) = outcome(seed, dir.path()) else {
            continue;
        };
        generated += 1;
        match o.oracle {
            Ok(_) => accepted += 1,
            Err(_) => refused += 1,
        }
        if !o.agrees() {
            disagreements.push(describe(seed, &o));
        }
    }
    if !disagreements.is_empty() {
        return Err(format!(
            "{} of {generated} generated modules disagree:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        )
        .into());
    }
    if generated * 2 < total || accepted == 0 || refused == 0 {
        return Err(format!(
            "only {generated} of {total} seeds generated a module ({accepted} accepted, {refused} refused)"
        )
        .into());
    }
    Ok(())
}

/// The differential trials, or the one seed of `DIFFERENTIAL_SEED`.
pub fn trials() -> Vec<Trial> {
    if let Some(seed) = std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        return vec![Trial::test(
            format!("differential/seed-{seed}"),
            move || {
                let dir = tempfile::tempdir().unwrap();
                match outcome(seed, dir.path()) {
                    None => println!("seed {seed} generates no module"),
                    Some(o) => {
                        println!("{}", describe(seed, &o));
                        if !o.agrees() {
                            return Err("the verdicts disagree".into());
                        }
                    }
                }
                Ok(())
            },
        )];
    }
    (0..CHUNKS)
        .map(|chunk| {
            let seeds = chunk * CHUNK..(chunk + 1) * CHUNK;
            Trial::test(
                format!("differential/seeds-{}-{}", seeds.start, seeds.end),
                move || run_seeds(seeds.clone()),
            )
        })
        .collect()
}

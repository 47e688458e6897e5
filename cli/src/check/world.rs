//! A component's world as WIT, with source text to point into.
//!
//! A binary component carries its types but no WIT source. To explain a
//! mismatch in WIT terms with a line to point at, the component's world is
//! printed as WIT (with wit-component's printer) and parsed back, so every
//! function, parameter and type has a span into that text.

use std::sync::Arc;

use indexmap::IndexMap;
use wit_parser::{Resolve, WorldId, WorldItem};

use super::SourceFile;

/// The WIT world of one component, parsed from text so that items have spans.
pub struct ComponentWorld {
    /// Resolved WIT: the world and every package it uses.
    pub resolve: Resolve,
    /// The component's world.
    pub world: WorldId,
    /// The WIT text that `resolve`'s spans point into.
    pub source: Arc<SourceFile>,
    /// Imports by their component-level name (`toolsku:calculator/ops`).
    pub imports: IndexMap<String, WorldItem>,
    /// Exports by their component-level name.
    pub exports: IndexMap<String, WorldItem>,
}

/// Why a component's world could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// The bytes are not a component that wit-parser can decode.
    #[error("failed to decode the component's WIT world")]
    Decode(#[source] anyhow::Error),
    /// The bytes decoded to a WIT package, not a component.
    #[error("expected a component, found a WIT package encoded as wasm")]
    NotComponent,
}

impl ComponentWorld {
    /// Decodes the world of a component. `name` labels the printed WIT (for
    /// example `deps/toolsku/calculator.wasm`).
    pub fn from_component(name: &str, bytes: &[u8]) -> Result<Self, WorldError> {
        let (resolve, world) =
            match wit_parser::decoding::decode(bytes).map_err(WorldError::Decode)? {
                wit_parser::decoding::DecodedWasm::Component(resolve, world) => (resolve, world),
                wit_parser::decoding::DecodedWasm::WitPackage(..) => {
                    return Err(WorldError::NotComponent);
                }
            };
        // Print the world and re-parse it so that every item has a span. If
        // the round trip fails the decoded types are still right, only
        // without places to point at.
        let path = format!("{name} (as WIT)");
        match print_and_reparse(&resolve, world, &path) {
            Some((reparsed, world, text)) => {
                Ok(Self::new(reparsed, world, SourceFile::new(path, text)))
            }
            None => Ok(Self::new(
                resolve,
                world,
                SourceFile::new(path, String::new()),
            )),
        }
    }

    /// Wraps an already resolved world whose spans point into `source`.
    pub fn new(resolve: Resolve, world: WorldId, source: SourceFile) -> Self {
        let names = |items: &IndexMap<wit_parser::WorldKey, WorldItem>| {
            items
                .iter()
                .map(|(key, item)| (resolve.name_world_key(key), item.clone()))
                .collect::<IndexMap<_, _>>()
        };
        let imports = names(&resolve.worlds[world].imports);
        let exports = names(&resolve.worlds[world].exports);
        Self {
            resolve,
            world,
            source: Arc::new(source),
            imports,
            exports,
        }
    }
}

/// Prints a world and every package it uses as one WIT text, the world's
/// own package first and the others nested in it.
pub fn world_as_wit(resolve: &Resolve, world: WorldId) -> Option<String> {
    let main = resolve.worlds[world].package?;
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    let mut printer = wit_component::WitPrinter::default();
    printer.emit_docs(false);
    printer.print(resolve, main, &nested).ok()?;
    Some(printer.output.to_string())
}

fn print_and_reparse(
    resolve: &Resolve,
    world: WorldId,
    path: &str,
) -> Option<(Resolve, WorldId, String)> {
    let text = world_as_wit(resolve, world)?;
    let mut reparsed = Resolve::default();
    let pkg = reparsed.push_source(path, &text).ok()?;
    let name = &resolve.worlds[world].name;
    let world = reparsed.select_world(&[pkg], Some(name)).ok()?;
    Some((reparsed, world, text))
}

//! A component's world as WIT, with source text to point into.
//!
//! A binary component carries its types but no WIT source. The check
//! compares the decoded types; only when it finds a mismatch is the world
//! printed as WIT (with wit-component's printer) and parsed back, so that
//! every function, parameter and type of the explanation has a span into
//! that text.

use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use wit_parser::{Resolve, WorldId, WorldItem};

use super::SourceFile;

/// The WIT world of one component.
pub struct ComponentWorld {
    /// Resolved WIT: the world and every package it uses, as decoded.
    pub resolve: Resolve,
    /// The component's world.
    pub world: WorldId,
    /// Imports by their component-level name (`toolsku:calculator/ops`).
    pub imports: IndexMap<String, WorldItem>,
    /// Exports by their component-level name.
    pub exports: IndexMap<String, WorldItem>,
    /// The name that labels the printed WIT.
    name: String,
    /// The printed and re-parsed world, made on first use.
    printed: OnceLock<Option<Printed>>,
}

/// A world printed as WIT and parsed back: the same items, with spans.
pub struct Printed {
    /// The re-parsed WIT.
    pub resolve: Resolve,
    /// The world in it.
    pub world: WorldId,
    /// The WIT text that `resolve`'s spans point into.
    pub source: Arc<SourceFile>,
    /// Imports by name, as in [`ComponentWorld::imports`].
    pub imports: IndexMap<String, WorldItem>,
    /// Exports by name, as in [`ComponentWorld::exports`].
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

fn names(
    resolve: &Resolve,
    items: &IndexMap<wit_parser::WorldKey, WorldItem>,
) -> IndexMap<String, WorldItem> {
    items
        .iter()
        .map(|(key, item)| (resolve.name_world_key(key), item.clone()))
        .collect()
}

impl ComponentWorld {
    /// Decodes the world of a component. `name` labels the printed WIT (for
    /// example `toolsku:calculator`).
    pub fn from_component(name: &str, bytes: &[u8]) -> Result<Self, WorldError> {
        match crate::artifact::world::decode_component(bytes).map_err(WorldError::Decode)? {
            crate::artifact::world::Decoded::Component(resolve, world) => {
                Ok(Self::new(name, resolve, world))
            }
            crate::artifact::world::Decoded::WitPackage(..) => Err(WorldError::NotComponent),
        }
    }

    /// Wraps a resolved world.
    pub fn new(name: &str, resolve: Resolve, world: WorldId) -> Self {
        let imports = names(&resolve, &resolve.worlds[world].imports);
        let exports = names(&resolve, &resolve.worlds[world].exports);
        Self {
            resolve,
            world,
            imports,
            exports,
            name: name.to_string(),
            printed: OnceLock::new(),
        }
    }

    /// The world printed as WIT and parsed back, so that its items have
    /// spans; `None` if the round trip fails (the decoded types are still
    /// right, only without places to point at).
    pub fn printed(&self) -> Option<&Printed> {
        self.printed
            .get_or_init(|| {
                let path = format!("{} (as WIT)", self.name);
                let text = world_as_wit(&self.resolve, self.world)?;
                let mut resolve = Resolve::default();
                let package = resolve.push_source(&path, &text).ok()?;
                let world = resolve
                    .select_world(&[package], Some(&self.resolve.worlds[self.world].name))
                    .ok()?;
                Some(Printed {
                    imports: names(&resolve, &resolve.worlds[world].imports),
                    exports: names(&resolve, &resolve.worlds[world].exports),
                    source: Arc::new(SourceFile::new(path, text)),
                    resolve,
                    world,
                })
            })
            .as_ref()
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

//! The toolchain's verdict on an edge: components as wac-types sees them.
//!
//! Whether an export may be passed for an import is decided here by
//! `wac_types::SubtypeChecker`, the checker that wac-graph runs when it
//! plugs and composes, on the components' own types (so a component that
//! WIT cannot represent is still checked). [`compat`](super::compat) then
//! explains a "no" in WIT terms; it never decides one.

use std::borrow::Cow;
use std::collections::HashSet;

use indexmap::IndexMap;
use wac_types::{ItemKind, Package, SubtypeChecker, Types, WorldId};

/// Every component of one check, loaded into one type arena so that items of
/// different components can be compared.
///
/// The arena is the check's own, or one that wac filled already (a resolved
/// composition's): decoding a component is most of what loading costs, and
/// what wac decoded need not be decoded again (see [`TypeSpace::shared`]).
#[derive(Default)]
pub struct TypeSpace<'t> {
    types: Cow<'t, Types>,
    cache: HashSet<(ItemKind, ItemKind)>,
}

/// A component's imports and exports, as wac-types decoded them.
#[derive(Debug, Clone)]
pub struct ComponentType {
    /// The component's type in the arena.
    pub world: WorldId,
    /// Imports by their component-level name.
    pub imports: IndexMap<String, ItemKind>,
    /// Exports by their component-level name.
    pub exports: IndexMap<String, ItemKind>,
}

impl TypeSpace<'static> {
    /// An empty arena.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<'t> TypeSpace<'t> {
    /// The arena `types`, which holds packages wac decoded already: their
    /// types are taken with [`TypeSpace::package`]. Loading another
    /// component copies the arena first.
    pub fn shared(types: &'t Types) -> Self {
        Self {
            types: Cow::Borrowed(types),
            cache: HashSet::new(),
        }
    }

    /// Loads a component (validating it as wac does). `name` labels wac's
    /// messages.
    pub fn load(&mut self, name: &str, bytes: &[u8]) -> Result<ComponentType, String> {
        let package = self.decode(name, bytes)?;
        Ok(self.package(&package))
    }

    /// Decodes a component into the arena as a wac package named `name`
    /// (validating it as wac does), for a caller that registers the package
    /// with a composition graph built on a copy of the arena
    /// ([`TypeSpace::arena`]).
    pub fn decode(&mut self, name: &str, bytes: &[u8]) -> Result<Package, String> {
        let types = self.types.to_mut();
        crate::guard::contain("wac-types", || {
            Package::from_bytes(name, None, bytes.to_vec(), types)
        })?
        .map_err(|e| format!("{e:#}"))
    }

    /// The arena, holding every package decoded into it.
    pub fn arena(&self) -> &Types {
        &self.types
    }

    /// The imports and exports of `package`, a package decoded into this
    /// arena.
    pub fn package(&self, package: &Package) -> ComponentType {
        let world = &self.types[package.ty()];
        ComponentType {
            world: package.ty(),
            imports: world.imports.clone(),
            exports: world.exports.clone(),
        }
    }

    /// Whether `export` may be passed for `import`; the checker's reason if
    /// not.
    pub fn fits(&mut self, export: ItemKind, import: ItemKind) -> Result<(), String> {
        let types = &*self.types;
        let cache = &mut self.cache;
        crate::guard::contain("wac-types", || {
            SubtypeChecker::new(cache).is_subtype(export, types, import, types)
        })?
        .map_err(|e| format!("{e:#}"))
    }

    /// The item `name` of an exported instance, if `kind` is an instance
    /// with such an export.
    pub fn member(&self, kind: ItemKind, name: &str) -> Option<ItemKind> {
        match kind {
            ItemKind::Instance(id) => self.types[id].exports.get(name).copied(),
            _ => None,
        }
    }

    /// The names an instance exports, or nothing for another kind of item.
    pub fn members(&self, kind: ItemKind) -> Vec<String> {
        match kind {
            ItemKind::Instance(id) => self.types[id].exports.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// What kind of item this is, in WIT words with an article: `an
    /// interface`, `a function`.
    pub fn describe(&self, kind: ItemKind) -> &'static str {
        match kind {
            ItemKind::Instance(_) => "an interface",
            ItemKind::Func(_) => "a function",
            ItemKind::Type(wac_types::Type::Resource(_)) => "a resource",
            ItemKind::Type(_) => "a type",
            ItemKind::Component(_) => "a component",
            ItemKind::Module(_) => "a core module",
            ItemKind::Value(_) => "a value",
        }
    }

    /// Whether `kind` is an instance of types alone (no functions, no
    /// resources): a host links it without providing anything.
    pub fn types_only(&self, kind: ItemKind) -> bool {
        match kind {
            ItemKind::Instance(id) => self.types[id]
                .exports
                .values()
                .all(|item| matches!(item, ItemKind::Type(wac_types::Type::Value(_)))),
            _ => false,
        }
    }
}

//! Giving a bare core module a WIT world before it is encoded, as
//! `wasm-tools component embed WIT --world W` does: the world's
//! `component-type` custom section (UTF-8 strings, the names as WIT writes
//! them) is appended to the module.

use std::path::PathBuf;

use super::ComponentizeError;

/// Where the world to embed comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// A WIT file or folder (with `deps/`), loaded as [`crate::wit::load`]
    /// loads it.
    pub wit: PathBuf,
    /// The world: a name in the loaded package (`calculator`) or a full
    /// name (`toolsku:calculator/calculator`); `None` when the package has
    /// exactly one world.
    pub name: Option<String>,
}

/// `module` with the world's `component-type` section appended.
pub(super) fn embed(module: &[u8], world: &World) -> Result<Vec<u8>, ComponentizeError> {
    let failed = |source| ComponentizeError::World {
        path: world.wit.clone(),
        source: Box::new(source),
    };
    let wit = crate::wit::load(&world.wit).map_err(failed)?;
    let id = wit.world(world.name.as_deref()).map_err(failed)?;
    let mut module = module.to_vec();
    let embed = || {
        wit_component::embed_component_metadata(
            &mut module,
            &wit.resolve,
            id,
            wit_component::StringEncoding::UTF8,
            false,
        )
    };
    crate::guard::contain("wit-component", embed)
        .map_err(anyhow::Error::msg)
        .and_then(|r| r)
        .map_err(|source| ComponentizeError::Embed {
            world: wit.resolve.worlds[id].name.clone(),
            source,
        })?;
    Ok(module)
}

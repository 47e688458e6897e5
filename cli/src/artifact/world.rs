//! The one decoder of the WIT a binary carries: a component's own world,
//! or the world that wit-bindgen embeds in a core module's `component-type`
//! custom section. Check, plug, inspect and the workspace all read worlds
//! through here.

use wasmparser::{Parser, Payload};
use wit_parser::{PackageId, Resolve, WorldId};

/// What a component's bytes decode to.
pub enum Decoded {
    /// A component, and its world.
    Component(Resolve, WorldId),
    /// A WIT package encoded as a component (`wasm-tools component wit
    /// --wasm`), not a runnable component.
    WitPackage(Resolve, PackageId),
}

/// Decodes the WIT of a component; a panic in the decoder is an error.
pub fn decode_component(bytes: &[u8]) -> Result<Decoded, anyhow::Error> {
    let decoded = crate::guard::contain("wit-parser", || wit_parser::decoding::decode(bytes))
        .map_err(|message| anyhow::anyhow!(message))??;
    Ok(match decoded {
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => {
            Decoded::Component(resolve, world)
        }
        wit_parser::decoding::DecodedWasm::WitPackage(resolve, package) => {
            Decoded::WitPackage(resolve, package)
        }
    })
}

/// The world embedded in the first `component-type` custom section of a
/// core module: `None` when there is none, an error when it does not
/// decode.
pub fn embedded(core: &[u8]) -> Option<Result<(Resolve, WorldId), anyhow::Error>> {
    Parser::new(0)
        .parse_all(core)
        .find_map(|payload| match payload {
            Ok(Payload::CustomSection(section)) if section.name().starts_with("component-type") => {
                Some(decode_section(section.data()))
            }
            Err(e) => Some(Err(e.into())),
            _ => None,
        })
}

/// Decodes the world of one `component-type` section.
pub fn decode_section(data: &[u8]) -> Result<(Resolve, WorldId), anyhow::Error> {
    crate::guard::contain("wit-parser", || wit_parser::decoding::decode_world(data))
        .map_err(|message| anyhow::anyhow!(message))?
}

//! What a Wasm OCI artifact's config says about the component in its layer:
//! the names of its imports and exports as the CNCF TAG-Runtime spec
//! writes them (`wasi:cli/environment@0.2.6`, or a plain name for a
//! function or an unnamed instance), and the world it targets when it is
//! one of WASI's.

use crate::artifact::world::{Decoded, decode_component};

/// The `component` section of the config for `component`: its imports and
/// exports, and its `target` world.
pub fn component_info(component: &[u8]) -> Result<oci_wasm::Component, anyhow::Error> {
    Ok(match decode_component(component)? {
        Decoded::Component(resolve, world) => {
            let world = &resolve.worlds[world];
            let imports: Vec<String> = world
                .imports
                .keys()
                .map(|key| resolve.name_world_key(key))
                .collect();
            let exports: Vec<String> = world
                .exports
                .keys()
                .map(|key| resolve.name_world_key(key))
                .collect();
            let target = target_world(&exports);
            oci_wasm::Component {
                exports,
                imports,
                target,
            }
        }
        // A WIT package encoded as a component exports its worlds and
        // interfaces and imports nothing, as oci-wasm and wkg write it.
        Decoded::WitPackage(resolve, package) => {
            let package = &resolve.packages[package];
            let version = package
                .name
                .version
                .as_ref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default();
            let mut exports: Vec<String> = package
                .worlds
                .keys()
                .map(|world| {
                    format!(
                        "{}:{}/{world}{version}",
                        package.name.namespace, package.name.name
                    )
                })
                .collect();
            exports.extend(
                package
                    .interfaces
                    .values()
                    .filter_map(|id| resolve.id_of(*id)),
            );
            oci_wasm::Component {
                exports,
                imports: Vec::new(),
                target: None,
            }
        }
    })
}

/// The WASI world that a component with these exports targets: an HTTP
/// handler targets `wasi:http/proxy` (0.2) or `wasi:http/service` (0.3),
/// a command `wasi:cli/command`, at the version of the exported
/// interface. Other components name no target: the spec leaves it
/// optional, and a world of one's own has no registry name to point at.
pub fn target_world(exports: &[String]) -> Option<String> {
    exports.iter().find_map(|export| {
        let (interface, version) = export.split_once('@')?;
        let world = match interface {
            "wasi:http/incoming-handler" => "wasi:http/proxy",
            "wasi:http/handler" => "wasi:http/service",
            "wasi:cli/run" => "wasi:cli/command",
            _ => return None,
        };
        Some(format!("{world}@{version}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_wasi_world_a_handler_or_command_targets() {
        let exports = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            target_world(&exports(&["wasi:http/incoming-handler@0.2.6"])).as_deref(),
            Some("wasi:http/proxy@0.2.6")
        );
        assert_eq!(
            target_world(&exports(&["wasi:cli/run@0.2.0"])).as_deref(),
            Some("wasi:cli/command@0.2.0")
        );
        assert_eq!(target_world(&exports(&["toolsku:formatter/format"])), None);
    }
}

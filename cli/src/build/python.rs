//! Python guests: componentize-py generates the bindings of the guest's
//! world (the `wit_world` package its module imports) from the guest's WIT
//! folder and packs the module with a CPython runtime into a component. The
//! component imports WASI 0.2 (the runtime's files, clocks, random).

use super::guest::{Built, GuestError, Job};
use super::toolchain;

/// Builds a Python guest into a component.
pub fn build(job: &Job<'_>) -> Result<Built, GuestError> {
    let guest = job.guest;
    // The first source is the module that defines the world's exports.
    let module = guest.sources[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wasm = job.out_dir.join(guest.file_name());
    let mut command = job.tools.command("componentize-py");
    command
        .arg("-d")
        .arg(job.wit)
        .args(["-w", &guest.world, "componentize", &module, "-p"])
        .arg(&guest.dir)
        .arg("-o")
        .arg(&wasm);
    let log = toolchain::run(&mut command).map_err(|failure| GuestError::Tool {
        command: failure.command,
        status: failure.status,
        output: failure.output,
    })?;
    Ok(Built {
        wasm,
        log: format!("{}\n{log}", toolchain::command_line(&command)),
    })
}

//! Python guests: componentize-py generates the bindings of the guest's
//! world (the `wit_world` package its module imports) from the guest's WIT
//! folder and packs the module with a CPython runtime into a component. The
//! component imports WASI 0.2 (the runtime's files, clocks, random).
//!
//! The sources are copied under the output folder first: componentize-py
//! runs the module at build time, and Python writes `__pycache__` next to
//! what it imports, which must not land in `components/`.

use super::guest::{Built, GuestError, Job, create_dir};
use crate::fsutil;

/// Builds a Python guest into a component.
pub fn build(job: &Job<'_>) -> Result<Built, GuestError> {
    let guest = job.guest;
    // The first source is the module that defines the world's exports.
    let module = guest.sources[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sources = job.out_dir.join("src");
    let _ = std::fs::remove_dir_all(&sources);
    for source in &guest.sources {
        let to = sources.join(source);
        if let Some(parent) = to.parent() {
            create_dir(parent)?;
        }
        fsutil::write_atomic(&to, &fsutil::read(&guest.dir.join(source))?)?;
    }
    let wasm = job.out_dir.join(guest.file_name());
    let mut command = job.tools.command("componentize-py");
    command
        .arg("-d")
        .arg(job.wit)
        .args(["-w", &guest.world, "componentize", &module, "-p"])
        .arg(&sources)
        .arg("-o")
        .arg(&wasm);
    Built::by_running(&mut command, wasm)
}

//! JavaScript guests: componentize-js generates the bindings of the
//! guest's world from its WIT folder and packs the module with the
//! StarlingMonkey engine into a component. The WASI features the engine
//! would otherwise import (stdio, random, clocks, HTTP and its fetch event)
//! are turned off: a guest of the workspace's worlds uses none of them, and
//! a host without `wasi:http` could not run it.

use super::guest::{Built, GuestError, Job};

/// Builds a JavaScript guest into a component.
pub fn build(job: &Job<'_>) -> Result<Built, GuestError> {
    let guest = job.guest;
    let wasm = job.out_dir.join(guest.file_name());
    let mut command = job.tools.command("componentize-js");
    command
        .arg(guest.dir.join(&guest.sources[0]))
        .arg("-w")
        .arg(job.wit)
        .args(["-n", &guest.world, "-o"])
        .arg(&wasm)
        .args(["-d", "stdio", "random", "clocks", "http", "fetch-event"]);
    Built::by_running(&mut command, wasm)
}

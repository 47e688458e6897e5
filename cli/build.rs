//! Link options that make each `wcompose` process start cheaper.
//!
//! A position-independent executable of this size carries about 60,000
//! relative relocations (1.5 MB of `.rela.dyn`) that the dynamic loader reads
//! at every start. Packed relative relocations (`DT_RELR`, glibc 2.36 and
//! later, binutils 2.38 and later) encode them in a few kilobytes while
//! keeping the binary position-independent: measured with callgrind, the
//! instructions of `wcompose --version` go from 1.41 M to 1.25 M.
//!
//! Linking without `-pie` would go further (0.58 M instructions, a third of
//! the page faults), because nothing is left to relocate; it is not done,
//! since it gives up address-space randomisation of the image for a binary
//! that runs untrusted components and serves HTTP.
//!
//! The unwinder (`_Unwind_*`, and `__register_frame`, through which
//! wasmtime registers the unwind tables of compiled code) is linked in from
//! GCC's static `libgcc_eh.a` instead of the shared `libgcc_s.so.1`, which
//! then is not loaded at all (`--as-needed`). Loading it runs its
//! constructor, `__cpu_indicator_init`, whose dozen `cpuid` instructions
//! trap to the hypervisor on a virtual machine: about 7.6 µs each on the
//! 2-core machines the benchmarks run on, 0.16 ms of `wcompose --version`
//! (2.21 ms to 2.05 ms, alternating runs). It applies to every binary
//! linking the library (tests and xtask too), so that each has one
//! unwinder, the same one.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        println!("cargo:rustc-link-lib=static:+whole-archive,-bundle=gcc_eh");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

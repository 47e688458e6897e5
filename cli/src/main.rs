//! The `wcompose` command line: argument parsing and output only; the work
//! happens in the `wcompose` library.

mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Build, check, compose and run WebAssembly components from shared WIT.
#[derive(Parser)]
#[command(
    name = "wcompose",
    version,
    after_help = "Examples:\n  \
        wcompose componentize target/guests/wasm32-wasip1/release/calculator.wasm -o calculator.wasm\n  \
        wcompose check compositions/seed.wac --deps-dir target/wcompose/deps\n  \
        wcompose compose compositions/seed.wac --deps-dir target/wcompose/deps -o seed.wasm\n  \
        wcompose run seed.wasm --invoke 'csv-to-json(\"a,b\\n1,2\")'\n  \
        wcompose run app.wasm < requests.jsonl\n  \
        wcompose push seed.wasm 127.0.0.1:5000/toolsku/seed:1.0.0\n\n\
        Exit status:\n  0  success\n  1  a check failed, the input was bad, or the guest failed\n  2  usage error"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

/// Commands run on a large stack: the parsers they call (wac's,
/// wit-parser's) recurse once per nesting level or per character of a word,
/// and [`wcompose::source::check_limits`] keeps the input of every reading
/// command within what this stack holds. Only what is touched is committed.
pub(crate) const STACK: usize = wcompose::source::PARSER_STACK;

fn main() -> ExitCode {
    commands::install_panic_hook();
    let cli = Cli::parse();
    commands::set_up_diagnostics();
    on_large_stack(STACK, move || match cli.command.exec() {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    })
}

/// Runs `f` on a stack of `size` bytes mapped for it, with a guard page
/// below, on the main thread itself rather than on a thread started for
/// it: no second thread to start, schedule and join, and the command
/// allocates from the main thread's heap.
///
/// `stacker::grow` does the same, but first asks glibc where the current
/// stack ends (`pthread_getattr_np`, which on the main thread reads and
/// parses `/proc/self/maps`), for its `maybe_grow`, which nothing here
/// uses: 0.1 M instructions and a file read for every command.
///
/// The stack is not unmapped afterwards: the process exits next.
#[cfg(target_os = "linux")]
fn on_large_stack<R>(size: usize, f: impl FnOnce() -> R) -> R {
    // SAFETY: `sysconf` only reads a system setting.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let len = size + page;
    // SAFETY: a fresh private anonymous mapping that nothing else uses;
    // `MAP_NORESERVE`: only the pages the command touches are committed.
    let map = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
            -1,
            0,
        )
    };
    // The lowest page is the guard, which the stack grows down into.
    // SAFETY: it is the first page of the mapping just made.
    if map == libc::MAP_FAILED || unsafe { libc::mprotect(map, page, libc::PROT_NONE) } != 0 {
        // Most inputs need no more than the main thread's own stack.
        return f();
    }
    // SAFETY: `base..base + size` is mapped read-write for this call
    // alone, page-aligned (more than any target's stack alignment), and a
    // multiple of the page size; the callback does not unwind out of
    // `on_stack`: a panic is caught on the new stack and resumed here.
    let result = unsafe {
        let base = map.cast::<u8>().add(page);
        psm::on_stack(base, size, move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        })
    };
    match result {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

#[cfg(not(target_os = "linux"))]
fn on_large_stack<R>(size: usize, f: impl FnOnce() -> R) -> R {
    stacker::grow(size, f)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

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
    // The stack is mapped and switched to on the main thread itself rather
    // than on a thread started for it: no second thread to start, schedule
    // and join, and the command allocates from the main thread's heap.
    stacker::grow(STACK, move || match cli.command.exec() {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

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
        wcompose run app.wasm < requests.jsonl\n\n\
        Exit status:\n  0  success\n  1  a check failed, the input was bad, or the guest failed\n  2  usage error"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    commands::install_panic_hook();
    let cli = Cli::parse();
    commands::set_up_diagnostics();
    match cli.command.exec() {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

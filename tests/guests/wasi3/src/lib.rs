//! A test guest for WASI 0.3 under `wcompose run`: a command exporting
//! `wasi:cli/run@0.3.0` whose first argument says what it does, and async
//! exports for `--invoke`.
//!
//! * `echo`: copies stdin to stdout through WASI 0.3 streams, then exits
//!   with the number of lines as its status (`wasi:cli/exit.exit-with-code`).
//! * `read PATH`: prints the file at `PATH`, opened through the preopened
//!   folder that `PATH` starts with; without one it prints
//!   `denied: PATH` on stderr and fails.
//! * `env`: prints the environment it sees, one `NAME=VALUE` per line.
//! * `sleep`: waits on the monotonic clock for the longest duration there
//!   is, a wait on the host that never ends.
//! * `hang`: awaits a future whose writer it keeps and never writes: a
//!   wait that nothing outside the guest can end.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../../wit/deps/wasi-clocks-0.3.0.wit",
            "../../../wit/deps/wasi-filesystem-0.3.0.wit",
            "../../../wit/deps/wasi-cli-0.3.0.wit",
            "wit/probe.wit",
        ],
        world: "test:wasi3/probe",
        generate_all,
    });
}

use bindings::wasi::cli::{environment, exit, stderr, stdin, stdout};
use bindings::wasi::clocks::monotonic_clock;
use bindings::wasi::filesystem::{preopens, types as fs};
use wit_bindgen::{FutureReader, StreamReader};

struct Probe;

impl bindings::exports::test::wasi3::calls::Guest for Probe {
    async fn shout(text: String) -> String {
        monotonic_clock::wait_for(1_000_000).await;
        text.to_uppercase()
    }

    async fn total(items: StreamReader<u32>) -> u32 {
        items.collect().await.into_iter().sum()
    }

    fn later() -> FutureReader<String> {
        // A writer dropped unwritten writes its default.
        let (writer, reader) = bindings::wit_future::new(String::new);
        drop(writer);
        reader
    }
}

impl bindings::exports::wasi::cli::run::Guest for Probe {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("echo") => echo().await,
            Some("read") => read(args.get(2).map_or("", String::as_str)).await,
            Some("env") => {
                let mut text = String::new();
                for (name, value) in environment::get_environment() {
                    text.push_str(&format!("{name}={value}\n"));
                }
                print(stdout::write_via_stream, text).await
            }
            Some("sleep") => {
                monotonic_clock::wait_for(u64::MAX).await;
                Ok(())
            }
            Some("hang") => {
                let (writer, reader) = bindings::wit_future::new(String::new);
                let value = reader.await;
                drop(writer);
                print(stdout::write_via_stream, value).await
            }
            other => {
                let message = format!("unknown mode {other:?}\n");
                let _ = print(stderr::write_via_stream, message).await;
                Err(())
            }
        }
    }
}

bindings::export!(Probe with_types_in bindings);

type Done = FutureReader<Result<(), bindings::wasi::cli::types::ErrorCode>>;

/// Writes `text` to stdout or stderr and waits until it is written.
async fn print(write_via_stream: fn(StreamReader<u8>) -> Done, text: String) -> Result<(), ()> {
    let (mut writer, reader) = bindings::wit_stream::new::<u8>();
    let done = write_via_stream(reader);
    let rest = writer.write_all(text.into_bytes()).await;
    drop(writer);
    if !rest.is_empty() {
        return Err(());
    }
    done.await.map_err(|_| ())
}

async fn echo() -> Result<(), ()> {
    let (input, input_done) = stdin::read_via_stream();
    let bytes = input.collect().await;
    input_done.await.map_err(|_| ())?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let lines = text.lines().count();
    print(stdout::write_via_stream, text).await?;
    exit::exit_with_code(u8::try_from(lines).unwrap_or(u8::MAX));
    Ok(())
}

async fn read(path: &str) -> Result<(), ()> {
    let found = preopens::get_directories()
        .into_iter()
        .find_map(|(dir, name)| {
            let rest = path.strip_prefix(name.trim_end_matches('/'))?;
            let rest = rest.strip_prefix('/')?;
            Some((dir, rest.to_string()))
        });
    let Some((dir, relative)) = found else {
        let _ = print(stderr::write_via_stream, format!("denied: {path}\n")).await;
        return Err(());
    };
    let file = match dir
        .open_at(
            fs::PathFlags::empty(),
            relative,
            fs::OpenFlags::empty(),
            fs::DescriptorFlags::READ,
        )
        .await
    {
        Ok(file) => file,
        Err(e) => {
            let _ = print(
                stderr::write_via_stream,
                format!("cannot open {path}: {e:?}\n"),
            )
            .await;
            return Err(());
        }
    };
    let (contents, contents_done) = file.read_via_stream(0);
    let bytes = contents.collect().await;
    contents_done.await.map_err(|_| ())?;
    print(
        stdout::write_via_stream,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
    .await
}

//! Report guest: a WASI 0.3 command (`wasi:cli/run@0.3.0`) that turns CSV
//! on stdin into JSON lines on stdout through the imported async formatter
//! (`toolsku:formatter-async/format`), across a component boundary.
//!
//! The first non-blank line of stdin is the header; every later non-blank
//! line is a row. The rows go to `rows-to-json` through a `stream<string>`
//! written by a background task while this task reads the converted
//! records back from the returned stream, so rows and records are in
//! flight at the same time. Each record is one line on stdout; a refused
//! row prints `error: line N: <message>` on stderr and the others go on.
//! The exit status is 1 if any row was refused or stdin has no header,
//! 0 otherwise.
//!
//! It also exports `toolsku:report/convert.csv-to-json`, which awaits the
//! async formatter on the whole table, for `--invoke`.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/deps/wasi-cli-0.3.0.wit",
            "../../wit/calculator.wit",
            "../../wit/formatter.wit",
            "../../wit/formatter-async.wit",
            "../../wit/report.wit",
        ],
        world: "toolsku:report/report",
        generate_all,
    });
}

use bindings::toolsku::formatter_async::format;
use bindings::wasi::cli::{stderr, stdin, stdout};
use wit_bindgen::StreamWriter;

struct Report;

impl bindings::exports::toolsku::report::convert::Guest for Report {
    async fn csv_to_json(csv: String) -> Result<String, String> {
        format::csv_to_json(csv).await
    }
}

impl bindings::exports::wasi::cli::run::Guest for Report {
    async fn run() -> Result<(), ()> {
        let (input, input_done) = stdin::read_via_stream();
        let bytes = input.collect().await;
        let read = input_done.await;
        let (mut out, out_done) = output(stdout::write_via_stream);
        let (mut err, err_done) = output(stderr::write_via_stream);
        let ok = match read {
            Ok(()) => convert(&String::from_utf8_lossy(&bytes), &mut out, &mut err).await,
            Err(e) => {
                write_line(&mut err, format!("error: cannot read stdin: {e:?}")).await;
                false
            }
        };
        drop(out);
        drop(err);
        let written = out_done.await.is_ok() & err_done.await.is_ok();
        if ok && written { Ok(()) } else { Err(()) }
    }
}

bindings::export!(Report with_types_in bindings);

type Done = wit_bindgen::FutureReader<Result<(), bindings::wasi::cli::types::ErrorCode>>;

/// A byte stream to stdout or stderr, and the future that says how writing
/// it ended.
fn output(write_via_stream: fn(wit_bindgen::StreamReader<u8>) -> Done) -> (StreamWriter<u8>, Done) {
    let (writer, reader) = bindings::wit_stream::new::<u8>();
    (writer, write_via_stream(reader))
}

async fn write_line(stream: &mut StreamWriter<u8>, mut line: String) {
    line.push('\n');
    // A closed stdout or stderr shows in its `Done` future.
    let _ = stream.write_all(line.into_bytes()).await;
}

/// Streams the rows of `csv` through `rows-to-json` and prints what comes
/// back. Returns whether every row was converted.
async fn convert(csv: &str, out: &mut StreamWriter<u8>, err: &mut StreamWriter<u8>) -> bool {
    let mut lines = csv
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        write_line(err, "error: no header row on stdin".to_string()).await;
        return false;
    };
    let (numbers, rows): (Vec<usize>, Vec<String>) = lines
        .map(|(number, line)| (number, line.to_string()))
        .unzip();

    let (mut rows_in, rows_out) = bindings::wit_stream::new::<String>();
    let mut records = format::rows_to_json(header.to_string(), rows_out).await;
    let _writer = wit_bindgen::spawn_local(async move {
        for row in rows {
            if rows_in.write_one(row).await.is_some() {
                break;
            }
        }
        // Dropping `rows_in` ends the stream, and so the records.
    });

    let mut all_ok = true;
    let mut numbers = numbers.into_iter();
    while let Some(record) = records.next().await {
        let number = numbers.next().unwrap_or_default();
        match record {
            Ok(json) => write_line(out, json).await,
            Err(message) => {
                all_ok = false;
                write_line(err, format!("error: line {number}: {message}")).await;
            }
        }
    }
    all_ok
}

//! Async formatter guest: exports `toolsku:formatter-async/format`, the
//! seed formatter's `csv-to-json` as Component Model async functions.
//!
//! * `csv-to-json` hands the whole table to the imported (synchronous)
//!   `toolsku:formatter/format.csv-to-json`.
//! * `rows-to-json` reads CSV rows from a `stream<string>` and, for each
//!   one as it arrives, writes its record as one line of JSON, or why the
//!   row was refused, to the returned stream. A background task (spawned
//!   after the function has returned the stream) does the work, so the
//!   caller can write rows and read results at the same time.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/calculator.wit",
            "../../wit/formatter.wit",
            "../../wit/formatter-async.wit",
        ],
        world: "toolsku:formatter-async/formatter-async",
        generate_all,
    });
}

use bindings::exports::toolsku::formatter_async::format::Guest;
use bindings::toolsku::formatter::format;
use wit_bindgen::{StreamReader, StreamWriter};

struct FormatterAsync;

impl Guest for FormatterAsync {
    async fn csv_to_json(csv: String) -> Result<String, String> {
        format::csv_to_json(&csv)
    }

    async fn rows_to_json(
        header: String,
        rows: StreamReader<String>,
    ) -> StreamReader<Result<String, String>> {
        let (writer, reader) = bindings::wit_stream::new::<Result<String, String>>();
        wit_bindgen::spawn_local(convert_rows(header, rows, writer));
        reader
    }
}

bindings::export!(FormatterAsync with_types_in bindings);

/// Converts each row of `rows` until it ends or the reader of `out` goes
/// away.
async fn convert_rows(
    header: String,
    mut rows: StreamReader<String>,
    mut out: StreamWriter<Result<String, String>>,
) {
    while let Some(row) = rows.next().await {
        let converted = row_to_json(&header, &row);
        if out.write_one(converted).await.is_some() {
            // The reader dropped its end: nobody wants the rest.
            return;
        }
    }
}

/// One row's record as compact JSON, through the formatter's `csv-to-json`
/// on the header and that row alone.
fn row_to_json(header: &str, row: &str) -> Result<String, String> {
    let table = format::csv_to_json(&format!("{header}\n{row}"))
        .map_err(|e| e.strip_prefix("line 2: ").map(str::to_string).unwrap_or(e))?;
    let value: serde_json::Value =
        serde_json::from_str(&table).map_err(|e| format!("formatter printed invalid JSON: {e}"))?;
    match value["records"].as_array().map(Vec::as_slice) {
        Some([record]) => Ok(record.to_string()),
        Some([]) => Err("blank row".to_string()),
        _ => Err("formatter returned no single record".to_string()),
    }
}

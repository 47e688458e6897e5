//! App guest: a command component (exports `wasi:cli/run`) that reads one
//! JSON request per line from stdin and sends each to the imported formatter
//! or calculator.
//!
//! * `{"format_type": "json-pretty" | "csv-to-json", "input": "..."}` calls
//!   `toolsku:formatter/format` and prints the returned string.
//! * `{"op": "add" | "subtract" | "multiply" | "divide", "a": 1, "b": 2}`
//!   calls `toolsku:calculator/ops` and prints the number as JSON.
//!
//! Blank lines are skipped. A request that fails prints
//! `error: line N: <message>` on stderr and the app goes on with the next
//! line; `run` returns `err` (exit status 1) if any request failed.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/calculator.wit",
            "../../wit/formatter.wit",
            "../../wit/deps/wasi-io.wit",
            "../../wit/deps/wasi-clocks.wit",
            "../../wit/deps/wasi-random.wit",
            "../../wit/deps/wasi-filesystem.wit",
            "../../wit/deps/wasi-sockets.wit",
            "../../wit/deps/wasi-cli.wit",
            "../../wit/app.wit",
        ],
        world: "toolsku:app/app",
        generate_all,
    });
}

use std::io::{ErrorKind, Write};

use bindings::exports::wasi::cli::run::Guest;
use bindings::toolsku::{calculator::ops, formatter::format};
use serde_json::{Map, Number, Value};

struct App;

impl Guest for App {
    fn run() -> Result<(), ()> {
        let mut stdout = std::io::stdout().lock();
        let mut failed = false;
        for (index, line) in std::io::stdin().lines().enumerate() {
            let number = index + 1;
            let line = match line {
                Ok(line) => line,
                Err(e) => {
                    eprintln!("error: line {number}: cannot read stdin: {e}");
                    failed = true;
                    // Invalid UTF-8 spoils one line only; other errors end
                    // the input.
                    if e.kind() == ErrorKind::InvalidData {
                        continue;
                    }
                    break;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match handle(&line) {
                Ok(output) => {
                    if let Err(e) = writeln!(stdout, "{output}") {
                        eprintln!("error: line {number}: cannot write stdout: {e}");
                        failed = true;
                    }
                }
                Err(message) => {
                    eprintln!("error: line {number}: {message}");
                    failed = true;
                }
            }
        }
        if let Err(e) = stdout.flush() {
            eprintln!("error: cannot write stdout: {e}");
            failed = true;
        }
        if failed { Err(()) } else { Ok(()) }
    }
}

bindings::export!(App with_types_in bindings);

/// Runs one request line and returns what to print.
fn handle(line: &str) -> Result<String, String> {
    let request: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(request) = request else {
        return Err("a request must be a JSON object".to_string());
    };
    if request.contains_key("format_type") {
        let format_type = string_field(&request, "format_type")?;
        let input = string_field(&request, "input")?;
        match format_type {
            "json-pretty" => format::json_pretty(input),
            "csv-to-json" => format::csv_to_json(input),
            other => Err(format!(
                "unknown format_type {other:?} (expected \"json-pretty\" or \"csv-to-json\")"
            )),
        }
    } else if request.contains_key("op") {
        let op = string_field(&request, "op")?;
        let a = number_field(&request, "a")?;
        let b = number_field(&request, "b")?;
        let result = match op {
            "add" => ops::add(a, b),
            "subtract" => ops::subtract(a, b),
            "multiply" => ops::multiply(a, b),
            "divide" => ops::divide(a, b)?,
            other => {
                return Err(format!(
                    "unknown op {other:?} (expected \"add\", \"subtract\", \"multiply\" or \"divide\")"
                ));
            }
        };
        number_json(result)
    } else {
        Err("a request needs a `format_type` or an `op` field".to_string())
    }
}

fn string_field<'a>(request: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    match request.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(_) => Err(format!("field `{name}` must be a string")),
        None => Err(format!("missing field `{name}`")),
    }
}

fn number_field(request: &Map<String, Value>, name: &str) -> Result<f64, String> {
    match request.get(name) {
        Some(Value::Number(value)) => value
            .as_f64()
            .ok_or_else(|| format!("field `{name}` is not a valid number")),
        Some(_) => Err(format!("field `{name}` must be a number")),
        None => Err(format!("missing field `{name}`")),
    }
}

/// Prints a calculator result as JSON: `3`, not `3.0`, for whole numbers an
/// `f64` holds exactly. JSON has no infinity or NaN, so those are errors.
fn number_json(value: f64) -> Result<String, String> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let number = if value.fract() == 0.0 && value.abs() <= EXACT {
        Number::from(value as i64)
    } else {
        Number::from_f64(value).ok_or_else(|| format!("result {value} is not a finite number"))?
    };
    Ok(number.to_string())
}

#[cfg(test)]
mod tests {
    use super::number_json;

    #[test]
    fn numbers_print_as_json() {
        assert_eq!(number_json(3.0).unwrap(), "3");
        assert_eq!(number_json(-0.0).unwrap(), "0");
        assert_eq!(number_json(0.5).unwrap(), "0.5");
        assert_eq!(number_json(1e300).unwrap(), "1e+300");
        assert!(number_json(f64::INFINITY).is_err());
        assert!(number_json(f64::NAN).is_err());
    }
}

//! Serverless event handler guest (the seed's pattern 2), built for
//! wasm32-wasip2: rustc and wasm-component-ld make a component directly,
//! whose `wasi:cli/run` export is this `main`. No adapter is involved.
//!
//! It reads one JSON event per line from stdin,
//! `{"event_type": ..., "data": {...}, "timestamp": N}`, and prints one JSON
//! result per event, `{"event_type": ..., "result": "...", "processed_at": N}`:
//!
//! * `http-request` answers `HTTP <method> <path> -> 200 OK`;
//! * `cron-trigger` runs `data.task` and, given `data.interval_s`, adds
//!   `next_run` (the timestamp plus the interval, computed by the imported
//!   `toolsku:calculator/ops.add`);
//! * `event-bridge` acknowledges `data.id` from `data.source`.
//!
//! Blank lines are skipped. A bad event prints `error: line N: <message>`
//! on stderr and the handler goes on; the exit status is 1 if any failed.
//!
//! The same handling of one event is exported as `toolsku:serverless/events`,
//! which the HTTP trigger (`serverless-http`) calls.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/serverless.wit"],
        world: "toolsku:serverless/serverless",
        generate_all,
    });
}

use std::io::Write;

use bindings::exports::toolsku::serverless::events;
use bindings::toolsku::calculator::ops;
use serde_json::{Map, Value, json};

fn main() {
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for (index, line) in std::io::stdin().lines().enumerate() {
        let number = index + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("error: line {number}: cannot read stdin: {e}");
                failed = true;
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
    if stdout.flush().is_err() || failed {
        std::process::exit(1);
    }
}

struct Events;

impl events::Guest for Events {
    fn handle(event: String) -> Result<String, String> {
        handle(&event)
    }
}

bindings::export!(Events with_types_in bindings);

/// Handles one event line and returns the JSON result to print.
fn handle(line: &str) -> Result<String, String> {
    let event: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(event) = event else {
        return Err("an event must be a JSON object".to_string());
    };
    let event_type = match event.get("event_type") {
        Some(Value::String(t)) => t.as_str(),
        Some(_) => return Err("field `event_type` must be a string".to_string()),
        None => return Err("missing field `event_type`".to_string()),
    };
    let empty = Map::new();
    let data = match event.get("data") {
        Some(Value::Object(data)) => data,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err("field `data` must be an object".to_string()),
    };
    let timestamp = match event.get("timestamp") {
        Some(value) => value
            .as_u64()
            .ok_or_else(|| "field `timestamp` must be a whole number of seconds".to_string())?,
        None => 0,
    };
    let mut next_run = None;
    let result = match event_type {
        "http-request" => {
            let path = text(data, "path", "/");
            let method = text(data, "method", "GET");
            format!("HTTP {method} {path} -> 200 OK")
        }
        "cron-trigger" => {
            let task = text(data, "task", "cleanup");
            if let Some(interval) = data.get("interval_s") {
                let interval = interval
                    .as_u64()
                    .ok_or_else(|| "field `data.interval_s` must be a whole number".to_string())?;
                // Both are whole seconds below 2^53 in practice, so the sum
                // is exact and prints without a fraction.
                next_run = Some(ops::add(timestamp as f64, interval as f64) as u64);
            }
            format!("Cron task '{task}' executed successfully")
        }
        "event-bridge" => {
            let source = text(data, "source", "unknown");
            let id = text(data, "id", "n/a");
            format!("Event from '{source}': {id}")
        }
        other => {
            return Err(format!(
                "unsupported event {other:?} (expected \"http-request\", \"cron-trigger\" or \"event-bridge\")"
            ));
        }
    };
    let mut output = json!({
        "event_type": event_type,
        "result": result,
        "processed_at": timestamp,
    });
    if let Some(next_run) = next_run {
        output["next_run"] = json!(next_run);
    }
    Ok(output.to_string())
}

/// A string field of `data`, or `default` when it is absent or not a string.
fn text<'a>(data: &'a Map<String, Value>, name: &str, default: &'a str) -> &'a str {
    data.get(name).and_then(Value::as_str).unwrap_or(default)
}

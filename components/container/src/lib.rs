//! Container service guest (the seed's pattern 3): the seed's
//! `json-transform` and `text-process` services as typed interfaces, plus
//! the seed's JSON request entry point.
//!
//! * `json-transform.flatten` turns nested objects into dotted keys; with
//!   `pretty` it indents the result through the imported
//!   `toolsku:formatter/format.json-pretty`;
//! * `json-transform.keys` lists an object's keys in document order;
//! * `text-process.analyze` counts words, characters and lines and reverses
//!   the text;
//! * `service.process` takes `{"service": ..., "params": {...}}` and calls
//!   one of the above.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/calculator.wit",
            "../../wit/formatter.wit",
            "../../wit/container.wit",
        ],
        world: "toolsku:container/container",
        generate_all,
    });
}

use bindings::exports::toolsku::container::{json_transform, service, text_process};
use bindings::toolsku::formatter::format;
use serde_json::{Map, Value, json};

use text_process::TextStats;

struct Container;

impl json_transform::Guest for Container {
    fn flatten(input: String, pretty: bool) -> Result<String, String> {
        let value = parse(&input)?;
        let flat = flatten(&value).to_string();
        if pretty {
            format::json_pretty(&flat)
        } else {
            Ok(flat)
        }
    }

    fn keys(input: String) -> Result<Vec<String>, String> {
        keys(&parse(&input)?)
    }
}

impl text_process::Guest for Container {
    fn analyze(text: String) -> TextStats {
        analyze(&text)
    }
}

impl service::Guest for Container {
    fn process(request: String) -> Result<String, String> {
        let request = parse(&request)?;
        let service = request
            .get("service")
            .and_then(Value::as_str)
            .ok_or_else(|| "missing string field `service`".to_string())?;
        let empty = Value::Object(Map::new());
        let params = request.get("params").unwrap_or(&empty);
        let result = match service {
            "json-transform" => {
                let input = params.get("input").unwrap_or(&Value::Null);
                match params
                    .get("op")
                    .and_then(Value::as_str)
                    .unwrap_or("identity")
                {
                    "flatten" => flatten(input),
                    "keys" => json!(keys(input)?),
                    "identity" => input.clone(),
                    other => {
                        return Err(format!(
                            "unknown json-transform op {other:?} (expected \"flatten\", \"keys\" or \"identity\")"
                        ));
                    }
                }
            }
            "text-process" => {
                let text = params.get("text").and_then(Value::as_str).unwrap_or("");
                let stats = analyze(text);
                json!({
                    "word_count": stats.word_count,
                    "char_count": stats.char_count,
                    "line_count": stats.line_count,
                    "reversed": stats.reversed,
                })
            }
            other => {
                return Err(format!(
                    "unknown service {other:?} (expected \"json-transform\" or \"text-process\")"
                ));
            }
        };
        Ok(json!({"success": true, "service": service, "result": result}).to_string())
    }
}

bindings::export!(Container with_types_in bindings);

fn parse(input: &str) -> Result<Value, String> {
    serde_json::from_str(input).map_err(|e| format!("invalid JSON: {e}"))
}

/// Nested objects become dotted keys; everything else is a leaf. A value
/// that is not an object is returned as it is.
fn flatten(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut flat = Map::new();
            flatten_into("", object, &mut flat);
            Value::Object(flat)
        }
        other => other.clone(),
    }
}

fn flatten_into(prefix: &str, object: &Map<String, Value>, flat: &mut Map<String, Value>) {
    for (key, value) in object {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            // An empty object is a leaf, so that it is not lost.
            Value::Object(nested) if !nested.is_empty() => flatten_into(&key, nested, flat),
            other => {
                flat.insert(key, other.clone());
            }
        }
    }
}

fn keys(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Object(object) => Ok(object.keys().cloned().collect()),
        _ => Err("expected a JSON object".to_string()),
    }
}

fn analyze(text: &str) -> TextStats {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    TextStats {
        word_count: count(text.split_whitespace().count()),
        char_count: count(text.chars().count()),
        line_count: count(text.lines().count()),
        reversed: text.chars().rev().collect(),
    }
}

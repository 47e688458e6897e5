//! Validator guest: exports `toolsku:validator/check`, which the edge
//! handler imports to validate request payloads.
//!
//! * `validate` accepts a non-empty JSON object whose keys are non-empty;
//! * `require-fields` accepts a JSON object holding every named field with a
//!   non-null value.
//!
//! Both report every problem they find rather than stopping at the first,
//! and a payload that is not JSON is a verdict (`kind: "invalid"`), not an
//! error.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/validator.wit",
        world: "toolsku:validator/validator",
    });
}

use bindings::exports::toolsku::validator::check::{Guest, Verdict};
use serde_json::Value;

struct Validator;

impl Guest for Validator {
    fn validate(payload: String) -> Verdict {
        let value = match parse(&payload) {
            Ok(value) => value,
            Err(verdict) => return verdict,
        };
        let mut problems = Vec::new();
        match &value {
            Value::Object(object) if object.is_empty() => {
                problems.push("the object is empty".to_string());
            }
            Value::Object(object) => {
                if object.keys().any(String::is_empty) {
                    problems.push("the object has an empty key".to_string());
                }
            }
            other => problems.push(format!("expected an object, found {}", kind(other))),
        }
        verdict(&value, problems)
    }

    fn require_fields(payload: String, fields: Vec<String>) -> Verdict {
        let value = match parse(&payload) {
            Ok(value) => value,
            Err(verdict) => return verdict,
        };
        let problems = match &value {
            Value::Object(object) => fields
                .iter()
                .filter_map(|field| match object.get(field) {
                    None => Some(format!("missing field `{field}`")),
                    Some(Value::Null) => Some(format!("field `{field}` is null")),
                    Some(_) => None,
                })
                .collect(),
            other => vec![format!("expected an object, found {}", kind(other))],
        };
        verdict(&value, problems)
    }
}

bindings::export!(Validator with_types_in bindings);

fn parse(payload: &str) -> Result<Value, Verdict> {
    serde_json::from_str(payload).map_err(|e| Verdict {
        valid: false,
        kind: "invalid".to_string(),
        problems: vec![format!("invalid JSON: {e}")],
    })
}

fn verdict(value: &Value, problems: Vec<String>) -> Verdict {
    Verdict {
        valid: problems.is_empty(),
        kind: kind(value).to_string(),
        problems,
    }
}

/// The JSON kind of a value, as the seed's validator names it.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

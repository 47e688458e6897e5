//! Edge request handler guest (the seed's pattern 1): exports
//! `toolsku:edge/handler`, which takes one JSON request
//! `{"action": ..., "payload": ...}` and answers
//! `{"status": "ok", "action": ..., "data": ...}`.
//!
//! * `transform` upper-cases the keys of an object payload, after the
//!   imported `toolsku:validator/check.validate` accepts it;
//! * `validate` returns the validator's verdict on the payload, or, when
//!   the request names `"required": [...]` fields, its
//!   `require-fields` verdict;
//! * `aggregate` reports count, sum, avg, min and max of the numbers in an
//!   array payload, summing and dividing with the imported
//!   `toolsku:calculator/ops`.
//!
//! A request that cannot be handled is an `err` with the reason.

mod bindings {
    wit_bindgen::generate!({
        path: [
            "../../wit/calculator.wit",
            "../../wit/validator.wit",
            "../../wit/edge.wit",
        ],
        world: "toolsku:edge/edge",
        generate_all,
    });
}

use bindings::exports::toolsku::edge::handler::Guest;
use bindings::toolsku::calculator::ops;
use bindings::toolsku::validator::check::{self, Verdict};
use serde_json::{Map, Number, Value, json};

struct Edge;

impl Guest for Edge {
    fn handle(request: String) -> Result<String, String> {
        let request: Value =
            serde_json::from_str(&request).map_err(|e| format!("invalid JSON request: {e}"))?;
        let Value::Object(request) = request else {
            return Err("a request must be a JSON object".to_string());
        };
        let action = match request.get("action") {
            Some(Value::String(action)) => action.as_str(),
            Some(_) => return Err("field `action` must be a string".to_string()),
            None => return Err("missing field `action`".to_string()),
        };
        let payload = request.get("payload").unwrap_or(&Value::Null);
        let data = match action {
            "transform" => transform(payload)?,
            "validate" => validate(payload, request.get("required"))?,
            "aggregate" => aggregate(payload)?,
            other => {
                return Err(format!(
                    "unknown action {other:?} (expected \"transform\", \"validate\" or \"aggregate\")"
                ));
            }
        };
        let response = json!({"status": "ok", "action": action, "data": data});
        Ok(response.to_string())
    }
}

bindings::export!(Edge with_types_in bindings);

/// Upper-cases the keys of an object the validator accepts.
fn transform(payload: &Value) -> Result<Value, String> {
    let verdict = check::validate(&payload.to_string());
    if !verdict.valid {
        return Err(format!(
            "cannot transform the payload: {}",
            verdict.problems.join("; ")
        ));
    }
    let Value::Object(object) = payload else {
        return Err("cannot transform the payload: expected an object".to_string());
    };
    let upper: Map<String, Value> = object
        .iter()
        .map(|(key, value)| (key.to_uppercase(), value.clone()))
        .collect();
    Ok(Value::Object(upper))
}

/// The validator's verdict as JSON.
fn validate(payload: &Value, required: Option<&Value>) -> Result<Value, String> {
    let text = payload.to_string();
    let verdict: Verdict = match required {
        None => check::validate(&text),
        Some(Value::Array(fields)) => {
            let fields = fields
                .iter()
                .map(|f| f.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| "field `required` must be an array of strings".to_string())?;
            check::require_fields(&text, &fields)
        }
        Some(_) => return Err("field `required` must be an array of strings".to_string()),
    };
    Ok(json!({
        "valid": verdict.valid,
        "type": verdict.kind,
        "problems": verdict.problems,
    }))
}

/// Count, sum, average, minimum and maximum of the numbers in an array;
/// other elements are skipped.
fn aggregate(payload: &Value) -> Result<Value, String> {
    let Value::Array(items) = payload else {
        return Err("cannot aggregate the payload: expected an array of numbers".to_string());
    };
    let numbers: Vec<f64> = items.iter().filter_map(Value::as_f64).collect();
    if numbers.is_empty() {
        return Ok(json!({"count": 0}));
    }
    let sum = numbers.iter().fold(0.0, |total, n| ops::add(total, *n));
    let avg = ops::divide(sum, numbers.len() as f64)?;
    let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
    let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(json!({
        "count": numbers.len(),
        "sum": number(sum),
        "avg": number(avg),
        "min": number(min),
        "max": number(max),
    }))
}

/// A finite `f64` as a JSON number, without a fraction when it is a whole
/// number an `f64` holds exactly (`3`, not `3.0`); JSON has no infinities.
fn number(value: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() <= EXACT {
        Value::Number(Number::from(value as i64))
    } else {
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

//! Component values as JSON, for `--json`.
//!
//! The mapping, chosen so that the common cases read naturally:
//!
//! | value | JSON |
//! |---|---|
//! | `bool`, integers, `string`, `char` | themselves |
//! | `f32`, `f64` | numbers; `"NaN"`, `"inf"`, `"-inf"` as strings |
//! | `list`, `tuple` | arrays |
//! | `record` | an object of its fields |
//! | `option` | `null` or the value |
//! | `result` | `{"ok": value}` or `{"err": value}` (`null` without a payload) |
//! | `variant` | `{"case": payload}` (`null` without a payload) |
//! | `enum` | the case name |
//! | `flags` | an array of the flags that are set |
//! | `map` | an array of `[key, value]` pairs |
//! | resources, futures, streams | a string naming what they are |

use serde_json::{Map, Number, Value};
use wasmtime::component::Val;

/// Converts a component value to JSON.
pub fn to_json(value: &Val) -> Value {
    match value {
        Val::Bool(b) => Value::Bool(*b),
        Val::S8(n) => Value::from(*n),
        Val::U8(n) => Value::from(*n),
        Val::S16(n) => Value::from(*n),
        Val::U16(n) => Value::from(*n),
        Val::S32(n) => Value::from(*n),
        Val::U32(n) => Value::from(*n),
        Val::S64(n) => Value::from(*n),
        Val::U64(n) => Value::from(*n),
        Val::Float32(n) => float(f64::from(*n)),
        Val::Float64(n) => float(*n),
        Val::Char(c) => Value::String(c.to_string()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(to_json).collect())
        }
        Val::Map(entries) => Value::Array(
            entries
                .iter()
                .map(|(k, v)| Value::Array(vec![to_json(k), to_json(v)]))
                .collect(),
        ),
        Val::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), to_json(v)))
                .collect(),
        ),
        Val::Variant(case, payload) => tagged(case, payload.as_deref()),
        Val::Enum(case) => Value::String(case.clone()),
        Val::Option(inner) => inner.as_deref().map_or(Value::Null, to_json),
        Val::Result(Ok(payload)) => tagged("ok", payload.as_deref()),
        Val::Result(Err(payload)) => tagged("err", payload.as_deref()),
        Val::Flags(flags) => Value::Array(flags.iter().cloned().map(Value::String).collect()),
        Val::Resource(_) => Value::String("<resource>".to_string()),
        Val::Future(_) => Value::String("<future>".to_string()),
        Val::Stream(_) => Value::String("<stream>".to_string()),
        Val::ErrorContext(_) => Value::String("<error-context>".to_string()),
    }
}

fn float(n: f64) -> Value {
    match Number::from_f64(n) {
        Some(n) => Value::Number(n),
        None if n.is_nan() => Value::String("NaN".to_string()),
        None if n > 0.0 => Value::String("inf".to_string()),
        None => Value::String("-inf".to_string()),
    }
}

fn tagged(case: &str, payload: Option<&Val>) -> Value {
    let mut object = Map::new();
    object.insert(case.to_string(), payload.map_or(Value::Null, to_json));
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_map_to_natural_json() {
        let value = Val::Record(vec![
            ("name".to_string(), Val::String("a".to_string())),
            ("n".to_string(), Val::U64(u64::MAX)),
            ("x".to_string(), Val::Float64(f64::NAN)),
            ("maybe".to_string(), Val::Option(None)),
            (
                "list".to_string(),
                Val::List(vec![Val::S8(-1), Val::Char('é')]),
            ),
            ("color".to_string(), Val::Enum("red".to_string())),
            (
                "flags".to_string(),
                Val::Flags(vec!["a".to_string(), "c".to_string()]),
            ),
            (
                "shape".to_string(),
                Val::Variant("circle".to_string(), Some(Box::new(Val::Float32(1.5)))),
            ),
        ]);
        assert_eq!(
            to_json(&value),
            json!({
                "name": "a",
                "n": u64::MAX,
                "x": "NaN",
                "maybe": null,
                "list": [-1, "é"],
                "color": "red",
                "flags": ["a", "c"],
                "shape": {"circle": 1.5},
            })
        );
        assert_eq!(
            to_json(&Val::Result(Err(Some(Box::new(Val::String("no".into())))))),
            json!({"err": "no"})
        );
        assert_eq!(to_json(&Val::Result(Ok(None))), json!({"ok": null}));
    }
}

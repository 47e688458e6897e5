//! Formatter guest: exports `toolsku:formatter/format`.
//!
//! * `json-pretty` re-indents a JSON document.
//! * `csv-to-json` turns a CSV table (header row first) into
//!   `{"records": [...], "totals": {...}}`, where `totals` sums every numeric
//!   column by calling the imported `toolsku:calculator/ops.add`. The sums go
//!   through the import on purpose: they are how a composed
//!   formatter -> calculator edge shows that it is wired up.
//!
//! Malformed input is reported as an `err` string; the guest never traps on
//! bad input.

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit/calculator.wit", "../../wit/formatter.wit"],
        world: "toolsku:formatter/formatter",
        generate_all,
    });
}

mod csv;

use bindings::exports::toolsku::formatter::format::Guest;
use bindings::toolsku::calculator::ops;

struct Formatter;

impl Guest for Formatter {
    fn json_pretty(input: String) -> Result<String, String> {
        json_pretty(&input)
    }

    fn csv_to_json(csv: String) -> Result<String, String> {
        csv::csv_to_json(&csv, ops::add)
    }
}

bindings::export!(Formatter with_types_in bindings);

/// Parses `input` as JSON and prints it back indented, keeping object key
/// order.
fn json_pretty(input: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(input).map_err(|e| format!("invalid JSON: {e}"))?;
    serde_json::to_string_pretty(&value).map_err(|e| format!("cannot print JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::json_pretty;

    #[test]
    fn pretty_prints_and_keeps_key_order() {
        assert_eq!(
            json_pretty(r#"{"b":1,"a":[true,null]}"#).unwrap(),
            "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null\n  ]\n}"
        );
    }

    #[test]
    fn invalid_json_is_an_error() {
        let err = json_pretty("{\"a\":").unwrap_err();
        assert!(err.starts_with("invalid JSON: "), "{err}");
        assert!(json_pretty("").unwrap_err().starts_with("invalid JSON: "));
    }
}

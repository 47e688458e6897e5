//! CSV to JSON conversion, kept free of the generated bindings so that it can
//! be unit-tested on the host: the adder is passed in as a closure.
//!
//! The format is line based: the first non-blank line is the header row, and
//! every later non-blank line is one record. Cells may be double-quoted, in
//! which case they can hold commas and `""` stands for one `"`; a quoted cell
//! cannot span lines. Spaces around a cell are dropped. A cell whose text
//! parses as a finite `f64` becomes a JSON number, any other cell a string.

use serde_json::{Map, Number, Value};

/// Converts `csv` to `{"records": [...], "totals": {...}}`, pretty-printed.
///
/// `totals` holds, in header order, one entry for each column whose
/// non-empty cells are all numeric (and which has at least one); each sum is
/// folded with `add`, starting from `0.0`.
pub(crate) fn csv_to_json(
    csv: &str,
    mut add: impl FnMut(f64, f64) -> f64,
) -> Result<String, String> {
    let mut lines = csv
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty());

    let (header_line, header) = lines.next().ok_or_else(|| "empty CSV".to_string())?;
    let header = parse_header(header_line, header)?;

    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (number, line) in lines {
        let cells = split_line(number, line)?;
        if cells.len() != header.len() {
            return Err(format!(
                "line {number}: row has {} fields, header has {}",
                cells.len(),
                header.len()
            ));
        }
        rows.push(cells.into_iter().map(Cell::new).collect());
    }

    let mut totals = Map::new();
    for (column, name) in header.iter().enumerate() {
        let mut values = Vec::new();
        let mut numeric = true;
        for row in &rows {
            match &row[column] {
                Cell::Number(value) => values.push(*value),
                Cell::Text(text) if text.is_empty() => {}
                Cell::Text(_) => {
                    numeric = false;
                    break;
                }
            }
        }
        if numeric && !values.is_empty() {
            let sum = values.into_iter().fold(0.0, &mut add);
            totals.insert(name.clone(), number(sum));
        }
    }

    let records: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            let record: Map<String, Value> = header
                .iter()
                .cloned()
                .zip(row.into_iter().map(Cell::into_value))
                .collect();
            Value::Object(record)
        })
        .collect();

    let mut output = Map::new();
    output.insert("records".to_string(), Value::Array(records));
    output.insert("totals".to_string(), Value::Object(totals));
    serde_json::to_string_pretty(&Value::Object(output))
        .map_err(|e| format!("cannot print JSON: {e}"))
}

/// One parsed cell.
enum Cell {
    Number(f64),
    Text(String),
}

impl Cell {
    fn new(text: String) -> Cell {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Cell::Number(value),
            _ => Cell::Text(text),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Cell::Number(value) => number(value),
            Cell::Text(text) => Value::String(text),
        }
    }
}

/// A finite `f64` as a JSON number, written without a fraction when it is a
/// whole number that an `f64` holds exactly (`3`, not `3.0`).
fn number(value: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() <= EXACT {
        Value::Number(Number::from(value as i64))
    } else {
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

fn parse_header(line_number: usize, line: &str) -> Result<Vec<String>, String> {
    let names = split_line(line_number, line)?;
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(format!(
                "line {line_number}: header column {} has an empty name",
                i + 1
            ));
        }
        if names[..i].contains(name) {
            return Err(format!(
                "line {line_number}: duplicate header name {name:?}"
            ));
        }
    }
    Ok(names)
}

/// Splits one line into its cells, unquoting quoted ones.
fn split_line(line_number: usize, line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        // Start of a cell: skip leading spaces.
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut cell = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(format!("line {line_number}: unterminated quoted field"));
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    Some('"') => break,
                    Some(c) => cell.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    cells.push(cell);
                    return Ok(cells);
                }
                Some(',') => cells.push(cell),
                Some(c) => {
                    return Err(format!(
                        "line {line_number}: unexpected {c:?} after a closing quote"
                    ));
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        cells.push(cell.trim_end().to_string());
                        return Ok(cells);
                    }
                    Some(',') => break,
                    Some(c) => cell.push(c),
                }
            }
            cells.push(cell.trim_end().to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: f64, b: f64) -> f64 {
        a + b
    }

    fn convert(csv: &str) -> Result<Value, String> {
        csv_to_json(csv, add).map(|s| serde_json::from_str(&s).unwrap())
    }

    #[test]
    fn records_and_totals() {
        let out = convert("name,qty,price\nwidget,2,1.5\ngadget,3,2.25\n").unwrap();
        assert_eq!(
            out,
            serde_json::json!({
                "records": [
                    {"name": "widget", "qty": 2, "price": 1.5},
                    {"name": "gadget", "qty": 3, "price": 2.25},
                ],
                "totals": {"qty": 5, "price": 3.75},
            })
        );
    }

    #[test]
    fn keeps_header_order_and_prints_pretty() {
        let out = csv_to_json("z,a\n1,x\n", add).unwrap();
        assert_eq!(
            out,
            "{\n  \"records\": [\n    {\n      \"z\": 1,\n      \"a\": \"x\"\n    }\n  ],\n  \"totals\": {\n    \"z\": 1\n  }\n}"
        );
    }

    #[test]
    fn sums_go_through_the_adder() {
        let mut calls = Vec::new();
        csv_to_json("a,b\n1,x\n2,y\n", |x, y| {
            calls.push((x, y));
            x + y
        })
        .unwrap();
        assert_eq!(calls, [(0.0, 1.0), (1.0, 2.0)]);

        // Whatever the adder returns is the total.
        let out = csv_to_json("a\n1\n2\n", |_, _| 42.0).unwrap();
        let out: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["totals"]["a"], 42);
    }

    #[test]
    fn quoted_cells() {
        let out = convert("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"7\", \"\"\n").unwrap();
        assert_eq!(out["records"][0]["name"], "Smith, J");
        assert_eq!(out["records"][0]["note"], "said \"hi\"");
        assert_eq!(out["records"][1]["name"], 7);
        assert_eq!(out["records"][1]["note"], "");
    }

    #[test]
    fn blank_lines_crlf_and_spaces() {
        let out = convert("\r\na , b\r\n\r\n 1 , x y \r\n\n").unwrap();
        assert_eq!(out["records"], serde_json::json!([{"a": 1, "b": "x y"}]));
    }

    #[test]
    fn totals_skip_mixed_and_empty_columns() {
        let out = convert("a,b,c,d\n1,2,,x\n,y,,3\n4,5,,6\n").unwrap();
        assert_eq!(out["totals"], serde_json::json!({"a": 5}));
        assert_eq!(out["records"][1]["a"], "");
    }

    #[test]
    fn non_finite_and_odd_numbers() {
        let out = convert("a,b,c\ninf,NaN,1e3\n").unwrap();
        assert_eq!(out["records"][0]["a"], "inf");
        assert_eq!(out["records"][0]["b"], "NaN");
        assert_eq!(out["records"][0]["c"], 1000);
        assert_eq!(number(0.5), serde_json::json!(0.5));
        assert_eq!(number(-3.0), serde_json::json!(-3));
        assert_eq!(number(1e300), serde_json::json!(1e300));
    }

    #[test]
    fn header_only() {
        let out = convert("a,b\n").unwrap();
        assert_eq!(out, serde_json::json!({"records": [], "totals": {}}));
    }

    #[test]
    fn errors() {
        assert_eq!(convert("").unwrap_err(), "empty CSV");
        assert_eq!(convert(" \n\r\n").unwrap_err(), "empty CSV");
        assert_eq!(
            convert("a,,b\n").unwrap_err(),
            "line 1: header column 2 has an empty name"
        );
        assert_eq!(
            convert("a,b,a\n").unwrap_err(),
            "line 1: duplicate header name \"a\""
        );
        assert_eq!(
            convert("a,b\n1,2\n\n1,2,3\n").unwrap_err(),
            "line 4: row has 3 fields, header has 2"
        );
        assert_eq!(
            convert("a,b\n1\n").unwrap_err(),
            "line 2: row has 1 fields, header has 2"
        );
        assert_eq!(
            convert("a,b\n\"1,2\n").unwrap_err(),
            "line 2: unterminated quoted field"
        );
        assert_eq!(
            convert("a,b\n\"1\"x,2\n").unwrap_err(),
            "line 2: unexpected 'x' after a closing quote"
        );
    }
}

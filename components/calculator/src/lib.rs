//! Calculator guest: exports `toolsku:calculator/ops`, four arithmetic
//! functions on `f64`. `divide` reports division by zero as an error instead
//! of returning an infinity or NaN.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/calculator.wit",
        world: "toolsku:calculator/calculator",
    });
}

use bindings::exports::toolsku::calculator::ops::Guest;

struct Calculator;

impl Guest for Calculator {
    fn add(a: f64, b: f64) -> f64 {
        a + b
    }

    fn subtract(a: f64, b: f64) -> f64 {
        a - b
    }

    fn multiply(a: f64, b: f64) -> f64 {
        a * b
    }

    fn divide(a: f64, b: f64) -> Result<f64, String> {
        if b == 0.0 {
            Err("division by zero".to_string())
        } else {
            Ok(a / b)
        }
    }
}

bindings::export!(Calculator with_types_in bindings);

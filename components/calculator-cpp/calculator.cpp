// Calculator guest in C++: exports `toolsku:calculator/ops`.
// `calculator_cpp.h` is generated from `wit/calculator.wit` when the guest
// is built.
#include "calculator_cpp.h"

namespace ops = exports::toolsku::calculator::ops;

double ops::Add(double a, double b) { return a + b; }

double ops::Subtract(double a, double b) { return a - b; }

double ops::Multiply(double a, double b) { return a * b; }

std::expected<double, wit::string> ops::Divide(double a, double b) {
    if (b == 0.0) {
        // `from_view` copies into memory that the generated post-return frees.
        return std::unexpected(wit::string::from_view("division by zero"));
    }
    return a / b;
}

// Calculator guest in C: exports `toolsku:calculator/ops`. `calculator.h`
// is generated from `wit/calculator.wit` when the guest is built.
#include "calculator.h"

double exports_toolsku_calculator_ops_add(double a, double b) { return a + b; }

double exports_toolsku_calculator_ops_subtract(double a, double b) { return a - b; }

double exports_toolsku_calculator_ops_multiply(double a, double b) { return a * b; }

bool exports_toolsku_calculator_ops_divide(double a, double b, double *ret, calculator_string_t *err) {
    if (b == 0.0) {
        // The generated post-return frees the error string: it must be
        // allocated (`_dup`), never a literal (`_set`).
        calculator_string_dup(err, "division by zero");
        return false;
    }
    *ret = a / b;
    return true;
}

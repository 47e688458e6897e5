// Calculator guest in JavaScript: exports `toolsku:calculator/ops`. A
// function of a `result` type returns its `ok` value and throws its `err`.
export const ops = {
  add(a, b) {
    return a + b;
  },
  subtract(a, b) {
    return a - b;
  },
  multiply(a, b) {
    return a * b;
  },
  divide(a, b) {
    if (b === 0) {
      throw "division by zero";
    }
    return a / b;
  },
};

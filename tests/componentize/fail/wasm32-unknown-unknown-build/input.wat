;; What `cargo build --target wasm32-unknown-unknown` makes of a crate that
;; calls an `extern "C"` function: an import from `env` that nothing
;; provides.
(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1)
  (func (export "f")
    i32.const 1
    call $log)
)

;; The imported-memory module without the `name` section that debug names
;; add.
(module
  (import "env" "memory" (memory 1))
  (import "$root" "log" (func $log (param i32 i32)))
  (import "$root" "greeting" (func $greeting (param i32)))
  (func (export "run")
    i32.const 0
    call $greeting
    i32.const 0
    i32.load
    i32.const 4
    i32.load
    call $log)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    i32.const 1024)
)

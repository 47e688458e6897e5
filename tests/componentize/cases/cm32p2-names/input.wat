;; A core module that names its imports and exports by the `cm32p2`
;; scheme (WebAssembly/component-model#378) instead of wit-component's
;; legacy names. Interfaces are named by their canonical version (`@1` for
;; 1.0.0).
(module
  (import "cm32p2" "now" (func $now (result i64)))
  (import "cm32p2|test:clock/format@1" "iso" (func $iso (param i64 i32)))
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2||stamp") (result i32)
    call $now
    i32.const 64
    call $iso
    i32.const 64)
  (func (export "cm32p2||stamp_post") (param i32))
  (func (export "cm32p2|test:clock/format@1|iso") (param i64) (result i32)
    i32.const 64)
  (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
    i32.const 128)
  (func (export "cm32p2_initialize"))
)

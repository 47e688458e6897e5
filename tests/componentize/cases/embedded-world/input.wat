;; A bare core module, as a hand-written or non-wit-bindgen toolchain
;; produces it: the world comes from `--wit` and `--world`, out of a
;; folder with two worlds and a package in `deps/`.
(module
  (import "toolsku:types/units@0.1.0" "scale" (func $scale (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "toolsku:calc/ops@0.1.0#add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    call $scale)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    i32.const 1024)
)

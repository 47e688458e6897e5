;; A wasm32-wasip1 binary (`fn main`, no wit-bindgen): it exports `_start`,
;; so wcompose gives it wasmtime's command adapter, which exports
;; `wasi:cli/run` for it.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (data (i32.const 0) "\10\00\00\00\06\00\00\00")
  (func (export "_start")
    i32.const 1
    i32.const 0
    i32.const 1
    i32.const 8
    call $fd_write
    drop)
)

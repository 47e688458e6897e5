;; A wasm32-wasip1 library whose WASI preview-1 imports are implemented by
;; an adapter of the caller's instead of wasmtime's reactor adapter.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "write-line") (result i32)
    i32.const 1
    i32.const 0
    i32.const 1
    i32.const 8
    call $fd_write)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    i32.const 1024)
)

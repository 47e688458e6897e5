;; An adapter that implements `wasi_snapshot_preview1.fd_write` by
;; refusing every write (errno 52, `nosys`): it imports nothing.
(module
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    i32.const 52)
)

;; A core module as wasm-ld links it for a threaded target: the stack
;; pointer and the thread-local storage base are reached through imported
;; functions of `env` instead of mutable globals, and the memory is
;; imported. wit-component provides all of them.
(module
  (import "env" "memory" (memory 2))
  (import "env" "__wasm_get_stack_pointer" (func $get_sp (result i32)))
  (import "env" "__wasm_set_stack_pointer" (func $set_sp (param i32)))
  (import "env" "__wasm_get_tls_base" (func $get_tls (result i32)))
  (import "env" "__wasm_set_tls_base" (func $set_tls (param i32)))
  (func $__wasm_init_tls (param $base i32)
    local.get $base
    call $set_tls)
  (func (export "_initialize")
    call $get_sp
    i32.const 16
    i32.sub
    call $set_sp
    call $get_sp
    call $__wasm_init_tls)
  (func (export "tls-base") (result i32)
    call $get_tls)
)

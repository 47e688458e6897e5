;; A core module without a WIT world (no `component-type` section): the
;; encoder accepts it, and the component exports none of its functions,
;; which wcompose notes.
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
)

;; A core module that imports a WIT interface but embeds no world that
;; says what the interface is.
(module
  (import "toolsku:calculator/ops@0.1.0" "add" (func (param i32 i32) (result i32)))
)

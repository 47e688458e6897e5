;; A component that passes its imported instance straight through as an
;; export: valid, composable, and not something WIT can print (the export
;; is the import itself, its types exported twice).
(component
  (type $api (instance
    (export "r" (type (sub resource)))
    (export "alias" (type (eq 0)))
    (type $own (own 0))
    (export "make" (func (result $own)))
  ))
  (import "t:relay/api" (instance $api (type $api)))
  (export "t:relay/api" (instance $api))
)

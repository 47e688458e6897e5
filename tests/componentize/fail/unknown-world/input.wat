;; A bare core module, with a world asked for that the WIT does not have.
(module)

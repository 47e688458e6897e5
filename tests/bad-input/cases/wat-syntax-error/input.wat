(module (func $f (export "f")

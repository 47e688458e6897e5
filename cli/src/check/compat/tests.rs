//! Unit tests of the comparison and its wording.

use super::*;

/// Parses `body` as the interface `api` of a package in its own resolve.
fn parse(file: &str, body: &str) -> (Resolve, InterfaceId, String) {
    let text = format!("package test:pkg;\n\ninterface api {{\n{body}\n}}\n");
    parse_text(file, &text, "api")
}

fn parse_text(file: &str, text: &str, iface: &str) -> (Resolve, InterfaceId, String) {
    let mut resolve = Resolve::new();
    let pkg = resolve.push_str(file, text).expect("valid WIT");
    let id = resolve.packages[pkg].interfaces[iface];
    (resolve, id, text.to_string())
}

fn compare(import: &str, export: &str) -> Vec<Mismatch> {
    let (ri, ii, _) = parse("import.wit", import);
    let (re, ie, _) = parse("export.wit", export);
    compare_interfaces(
        Side {
            resolve: &ri,
            interface: ii,
        },
        Side {
            resolve: &re,
            interface: ie,
        },
    )
}

/// `(kind, path, expected, found)` of each mismatch.
fn summary(ms: &[Mismatch]) -> Vec<(MismatchKind, &str, Option<&str>, Option<&str>)> {
    ms.iter()
        .map(|m| {
            (
                m.kind,
                m.path.as_str(),
                m.expected.as_deref(),
                m.found.as_deref(),
            )
        })
        .collect()
}

const RICH: &str = "
    record point { x: f64, y: f64 }
    variant shape { circle(f64), square(point), nothing }
    enum color { red, green, blue }
    flags perms { read, write }
    type meters = f64;
    resource counter {
        constructor(start: u32);
        increment: func(by: u32) -> u32;
        merge: static func(a: borrow<counter>, b: counter) -> counter;
    }
    add: func(a: f64, b: f64) -> f64;
    area: func(s: shape) -> result<meters, string>;
    paint: func(c: color, p: perms) -> option<list<tuple<u8, u8, u8>>>;
    noop: func();
    try-it: func() -> result<_, string>;
";

#[test]
fn classic_param_types() {
    let ms = compare(
        "add: func(a: s32, b: s32) -> f64;",
        "add: func(a: f64, b: f64) -> f64;",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::ParamType,
                "add, parameter a",
                Some("s32"),
                Some("f64")
            ),
            (
                MismatchKind::ParamType,
                "add, parameter b",
                Some("s32"),
                Some("f64")
            ),
        ]
    );
    assert_eq!(
        ms[0].message,
        "parameter `a` of function `add`: the import expects s32, the export provides f64"
    );
    assert!(
        ms.iter()
            .all(|m| m.import_span.is_some() && m.export_span.is_some())
    );
}

#[test]
fn identical_interfaces_are_compatible() {
    assert!(compare(RICH, RICH).is_empty());
}

#[test]
fn extra_exported_items_are_fine() {
    let import = "add: func(a: f64, b: f64) -> f64;";
    let export = "
        record extra { z: u8 }
        resource other { m: func(); }
        add: func(a: f64, b: f64) -> f64;
        sub: func(a: f64, b: f64) -> f64;
    ";
    assert!(compare(import, export).is_empty());
}

#[test]
fn missing_function() {
    let ms = compare(
        "add: func(a: f64, b: f64) -> f64;\nsub: func(a: f64, b: f64) -> f64;",
        "add: func(a: f64, b: f64) -> f64;",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::MissingFunction,
            "sub",
            Some("func(a: f64, b: f64) -> f64"),
            None
        )]
    );
    assert!(ms[0].import_span.is_some());
    // Points at the export interface, which lacks the function.
    assert!(ms[0].export_span.is_some());
    assert!(
        ms[0]
            .message
            .contains("function `sub` is missing from the export")
    );
}

#[test]
fn param_renamed() {
    let ms = compare(
        "add: func(a: f64, b: f64) -> f64;",
        "add: func(x: f64, b: f64) -> f64;",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ParamName,
            "add, parameter a",
            Some("a"),
            Some("x")
        )]
    );
}

#[test]
fn param_renamed_and_retyped_gives_two_findings() {
    let ms = compare("f: func(a: f64);", "f: func(x: u8);");
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::ParamName,
                "f, parameter a",
                Some("a"),
                Some("x")
            ),
            (
                MismatchKind::ParamType,
                "f, parameter a",
                Some("f64"),
                Some("u8")
            ),
        ]
    );
}

#[test]
fn param_count() {
    let ms = compare(
        "add: func(a: f64, b: f64) -> f64;",
        "add: func(a: f64) -> f64;",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ParamCount,
            "add",
            Some("(a: f64, b: f64)"),
            Some("(a: f64)")
        )]
    );
    // Parameters present on both sides are still compared, by name.
    let ms = compare("add: func(a: f64, b: f64);", "add: func(b: s8);");
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::ParamCount,
                "add",
                Some("(a: f64, b: f64)"),
                Some("(b: s8)")
            ),
            (
                MismatchKind::ParamType,
                "add, parameter b",
                Some("f64"),
                Some("s8")
            ),
        ]
    );
}

#[test]
fn result_changed() {
    let ms = compare(
        "divide: func(a: f64, b: f64) -> f64;",
        "divide: func(a: f64, b: f64) -> result<f64, string>;",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ResultType,
            "divide, result",
            Some("f64"),
            Some("result<f64, string>")
        )]
    );
    assert_eq!(
        ms[0].message,
        "the result of function `divide`: the import expects f64, the export provides result<f64, string>"
    );
}

#[test]
fn result_present_on_one_side_only() {
    let ms = compare("f: func();", "f: func() -> u32;");
    assert_eq!(
        summary(&ms),
        vec![(MismatchKind::ResultType, "f, result", None, Some("u32"))]
    );
    let ms = compare("f: func() -> u32;", "f: func();");
    assert_eq!(
        summary(&ms),
        vec![(MismatchKind::ResultType, "f, result", Some("u32"), None)]
    );
}

#[test]
fn result_ok_and_err_are_compared_separately() {
    let ms = compare(
        "f: func() -> result<_, string>;",
        "f: func() -> result<u32, u8>;",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::ResultType,
                "f, result, ok type",
                Some("_"),
                Some("u32")
            ),
            (
                MismatchKind::ResultType,
                "f, result, error type",
                Some("string"),
                Some("u8")
            ),
        ]
    );
}

#[test]
fn record_field_retyped_and_missing() {
    let ms = compare(
        "record point { x: f64, y: f64, z: f64 }\nget-point: func() -> point;\nset-point: func(p: point);",
        "record point { x: f64, y: f32 }\nget-point: func() -> point;\nset-point: func(p: point);",
    );
    // Reported once, under the type, not again for each function using it.
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::RecordField,
                "point, field y",
                Some("f64"),
                Some("f32")
            ),
            (
                MismatchKind::RecordField,
                "point, field z",
                Some("z: f64"),
                None
            ),
        ]
    );
    assert_eq!(
        ms[0].message,
        "field `y` of type `point`: the import expects f64, the export provides f32"
    );
}

#[test]
fn named_types_are_reported_under_their_own_name() {
    // `outer` is declared first and uses `inner`; the difference in
    // `inner` is still reported as `inner, field x`, once.
    let ms = compare(
        "record outer { i: inner }\nrecord inner { x: u8 }\nf: func(i: inner) -> outer;",
        "record outer { i: inner }\nrecord inner { x: u16 }\nf: func(i: inner) -> outer;",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::RecordField,
            "inner, field x",
            Some("u8"),
            Some("u16")
        )]
    );
}

#[test]
fn extra_record_field_in_export_is_a_mismatch() {
    let ms = compare("record point { x: f64 }", "record point { x: f64, y: f64 }");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::RecordField,
            "point, field y",
            None,
            Some("y: f64")
        )]
    );
}

#[test]
fn reordered_record_fields() {
    let ms = compare(
        "record point { x: f64, y: f64 }",
        "record point { y: f64, x: f64 }",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::RecordField,
            "point",
            Some("x, y"),
            Some("y, x")
        )]
    );
}

#[test]
fn variant_case_missing_and_payload_changed() {
    let ms = compare(
        "variant shape { circle(f64), square(f64), nothing }",
        "variant shape { circle(f32), nothing }",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::VariantCase,
                "shape, case circle",
                Some("f64"),
                Some("f32")
            ),
            (
                MismatchKind::VariantCase,
                "shape, case square",
                Some("square(f64)"),
                None
            ),
        ]
    );
    let ms = compare(
        "variant shape { circle(f64), nothing }",
        "variant shape { circle, nothing(u8) }",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::VariantCase,
                "shape, case circle",
                Some("circle(f64)"),
                Some("circle")
            ),
            (
                MismatchKind::VariantCase,
                "shape, case nothing",
                Some("nothing"),
                Some("nothing(u8)")
            ),
        ]
    );
}

#[test]
fn enum_case_renamed() {
    let ms = compare("enum color { red, green }", "enum color { crimson, green }");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::EnumCase,
            "color, case red",
            Some("red"),
            Some("crimson")
        )]
    );
    assert!(ms[0].message.contains("in its place"));
}

#[test]
fn flags_differ() {
    let ms = compare(
        "flags perms { read, write, exec }",
        "flags perms { read, write, admin, other }",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::Flags,
                "perms, flag exec",
                Some("exec"),
                Some("admin")
            ),
            (
                MismatchKind::Flags,
                "perms, flag other",
                None,
                Some("other")
            ),
        ]
    );
}

#[test]
fn nested_option_path() {
    let ms = compare("f: func(x: option<u32>);", "f: func(x: option<u64>);");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ParamType,
            "f, parameter x, option value",
            Some("u32"),
            Some("u64")
        )]
    );
    assert_eq!(
        ms[0].message,
        "the option value of parameter `x` of function `f`: the import expects u32, the export provides u64"
    );
}

#[test]
fn nested_path_inside_named_record() {
    let ms = compare(
        "record wrapper { inner: option<list<u32>> }",
        "record wrapper { inner: option<list<s32>> }",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::RecordField,
            "wrapper, field inner, option value, list element",
            Some("u32"),
            Some("s32")
        )]
    );
}

#[test]
fn list_element() {
    let ms = compare("f: func() -> list<string>;", "f: func() -> list<u8>;");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ResultType,
            "f, result, list element",
            Some("string"),
            Some("u8")
        )]
    );
}

#[test]
fn own_vs_borrow() {
    let ms = compare(
        "resource r;\nf: func(h: r);",
        "resource r;\nf: func(h: borrow<r>);",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::Resource,
            "f, parameter h",
            Some("r"),
            Some("borrow<r>")
        )]
    );
}

#[test]
fn different_resources() {
    let ms = compare(
        "resource r;\nresource s;\nf: func(h: borrow<r>);",
        "resource r;\nresource s;\nf: func(h: borrow<s>);",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::Resource,
            "f, parameter h",
            Some("borrow<r>"),
            Some("borrow<s>")
        )]
    );
}

#[test]
fn tuple_arity() {
    let ms = compare(
        "f: func(t: tuple<u32, u32>);",
        "f: func(t: tuple<u32, u32, u32>);",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ParamType,
            "f, parameter t",
            Some("tuple<u32, u32>"),
            Some("tuple<u32, u32, u32>")
        )]
    );
    let ms = compare("f: func(t: tuple<u32, u8>);", "f: func(t: tuple<u32, s8>);");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::ParamType,
            "f, parameter t, tuple element 1",
            Some("u8"),
            Some("s8")
        )]
    );
}

#[test]
fn type_alias_on_one_side_only_is_compatible() {
    // The export names the type through an extra alias.
    let ms = compare(
        "record point { x: f64 }\nf: func(p: point) -> f64;",
        "record point { x: f64 }\ntype pt = point;\ntype num = f64;\nf: func(p: pt) -> num;",
    );
    assert!(ms.is_empty(), "{ms:#?}");

    // The import `use`s the type from another interface, the export
    // defines it in place.
    let import = "package test:pkg;
        interface types { record point { x: f64 } }
        interface api { use types.{point}; f: func(p: point); }";
    let (ri, ii, _) = parse_text("import.wit", import, "api");
    let (re, ie, _) = parse("export.wit", "record point { x: f64 }\nf: func(p: point);");
    let ms = compare_interfaces(
        Side {
            resolve: &ri,
            interface: ii,
        },
        Side {
            resolve: &re,
            interface: ie,
        },
    );
    assert!(ms.is_empty(), "{ms:#?}");
}

#[test]
fn used_type_differences_are_reported_under_the_local_name() {
    let import = "package test:pkg;
        interface types { record point { x: f64 } }
        interface api { use types.{point}; f: func(p: point); }";
    let (ri, ii, _) = parse_text("import.wit", import, "api");
    let (re, ie, _) = parse("export.wit", "record point { x: f32 }\nf: func(p: point);");
    let ms = compare_interfaces(
        Side {
            resolve: &ri,
            interface: ii,
        },
        Side {
            resolve: &re,
            interface: ie,
        },
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::RecordField,
            "point, field x",
            Some("f64"),
            Some("f32")
        )]
    );
}

#[test]
fn missing_type_and_type_kind() {
    let ms = compare(
        "record point { x: f64 }\nenum color { red }\ntype id = u32;",
        "variant point { x(f64) }\ntype id = u64;",
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::TypeKind,
                "point",
                Some("record { x: f64 }"),
                Some("variant { x(f64) }")
            ),
            (
                MismatchKind::MissingType,
                "color",
                Some("enum { red }"),
                None
            ),
            (MismatchKind::TypeKind, "id", Some("u32"), Some("u64")),
        ]
    );
    assert!(ms[1].message.contains("`enum color { red }`"));
}

#[test]
fn resource_functions() {
    let import = "resource r {
            constructor(x: u32);
            m: func(a: u8) -> u8;
            s: static func() -> r;
            gone: func();
        }";
    let export = "resource r {
            constructor(x: u64);
            m: func(a: u8) -> u16;
            s: static func() -> r;
        }";
    let ms = compare(import, export);
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::ParamType,
                "constructor of r, parameter x",
                Some("u32"),
                Some("u64")
            ),
            (
                MismatchKind::ResultType,
                "r.m, result",
                Some("u8"),
                Some("u16")
            ),
            (
                MismatchKind::MissingFunction,
                "r.gone",
                Some("func()"),
                None
            ),
        ]
    );
    assert!(ms[2].message.starts_with("method `r.gone` is missing"));

    let ms = compare(
        "resource r { m: func(a: u8); }",
        "resource r { m: static func(a: u8); }",
    );
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::FunctionKind,
            "r.m",
            Some("func(a: u8)"),
            Some("static func(a: u8)")
        )]
    );
    assert_eq!(
        ms[0].message,
        "method `r.m`: the import expects a method, the export provides a static function"
    );
}

#[test]
fn method_vs_static_and_sync_vs_async() {
    let ms = compare("f: func();", "f: async func();");
    assert_eq!(
        summary(&ms),
        vec![(
            MismatchKind::FunctionKind,
            "f",
            Some("func()"),
            Some("async func()")
        )]
    );
}

#[test]
fn every_mismatch_is_reported() {
    let import = "
        record point { x: f64, y: f64 }
        enum color { red, green }
        add: func(a: s32, b: s32) -> s32;
        gone: func();
        f: func(x: option<u32>) -> list<string>;
    ";
    let export = "
        record point { x: f32 }
        enum color { red, green, blue }
        add: func(a: f64, b: f64) -> f64;
        f: func(x: option<u64>) -> list<u8>;
    ";
    let ms = compare(import, export);
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::RecordField,
                "point, field x",
                Some("f64"),
                Some("f32")
            ),
            (
                MismatchKind::RecordField,
                "point, field y",
                Some("y: f64"),
                None
            ),
            (
                MismatchKind::EnumCase,
                "color, case blue",
                None,
                Some("blue")
            ),
            (
                MismatchKind::ParamType,
                "add, parameter a",
                Some("s32"),
                Some("f64")
            ),
            (
                MismatchKind::ParamType,
                "add, parameter b",
                Some("s32"),
                Some("f64")
            ),
            (
                MismatchKind::ResultType,
                "add, result",
                Some("s32"),
                Some("f64")
            ),
            (MismatchKind::MissingFunction, "gone", Some("func()"), None),
            (
                MismatchKind::ParamType,
                "f, parameter x, option value",
                Some("u32"),
                Some("u64")
            ),
            (
                MismatchKind::ResultType,
                "f, result, list element",
                Some("string"),
                Some("u8")
            ),
        ]
    );
}

#[test]
fn type_to_wit_renders_wit_syntax() {
    let (r, id, _) = parse("x.wit", RICH);
    let iface = &r.interfaces[id];
    let sig = |name: &str| function_to_wit(&r, &iface.functions[name]);
    assert_eq!(sig("add"), "func(a: f64, b: f64) -> f64");
    assert_eq!(sig("area"), "func(s: shape) -> result<meters, string>");
    assert_eq!(
        sig("paint"),
        "func(c: color, p: perms) -> option<list<tuple<u8, u8, u8>>>"
    );
    assert_eq!(sig("noop"), "func()");
    assert_eq!(sig("try-it"), "func() -> result<_, string>");
    assert_eq!(sig("[constructor]counter"), "constructor(start: u32)");
    let (r2, id2, _) = parse(
        "y.wit",
        "resource r { constructor(x: u8) -> result<r, string>; }",
    );
    assert_eq!(
        function_to_wit(&r2, &r2.interfaces[id2].functions["[constructor]r"]),
        "constructor(x: u8) -> result<r, string>"
    );
    assert_eq!(sig("[method]counter.increment"), "func(by: u32) -> u32");
    assert_eq!(
        sig("[static]counter.merge"),
        "static func(a: borrow<counter>, b: counter) -> counter"
    );
    let def = |name: &str| definition_to_wit(&r, iface.types[name]);
    assert_eq!(def("point"), "record { x: f64, y: f64 }");
    assert_eq!(
        def("shape"),
        "variant { circle(f64), square(point), nothing }"
    );
    assert_eq!(def("color"), "enum { red, green, blue }");
    assert_eq!(def("perms"), "flags { read, write }");
    assert_eq!(def("meters"), "f64");
    assert_eq!(def("counter"), "resource");
    assert_eq!(type_to_wit(&r, &Type::Id(iface.types["point"])), "point");
    assert_eq!(type_to_wit(&r, &Type::ErrorContext), "error-context");
}

#[test]
fn spans_map_to_file_and_line() {
    let import_body = "record point { x: f64, y: f64 }\nadd: func(a: s32, b: f64) -> f64;";
    let export_body = "\n\nrecord point { x: f64, y: f32 }\n\nadd: func(a: f64, b: f64) -> f64;";
    let (ri, ii, it) = parse("dir/import.wit", import_body);
    let (re, ie, et) = parse("export.wit", export_body);
    let ms = compare_interfaces(
        Side {
            resolve: &ri,
            interface: ii,
        },
        Side {
            resolve: &re,
            interface: ie,
        },
    );
    assert_eq!(ms.len(), 2, "{ms:#?}");

    // `point, field y`: line 4 of the import (after the package line, a
    // blank line and `interface api {`), line 6 of the export.
    let field = &ms[0];
    assert_eq!(field.path, "point, field y");
    let (file, line, col, range) =
        location(&ri, field.import_span.expect("import span")).expect("location");
    assert_eq!(file, PathBuf::from("dir/import.wit"));
    assert_eq!((line, col), (4, 24));
    assert_eq!(&it[range], "y");
    let (file, line, _, range) =
        location(&re, field.export_span.expect("export span")).expect("location");
    assert_eq!(file, PathBuf::from("export.wit"));
    assert_eq!(line, 6);
    assert_eq!(&et[range], "y");

    // `add, parameter a`: the parameter names.
    let param = &ms[1];
    assert_eq!(param.path, "add, parameter a");
    let (_, line, col, range) = location(&ri, param.import_span.expect("span")).expect("loc");
    assert_eq!((line, col), (5, 11));
    assert_eq!(&it[range], "a");
    let (_, line, _, range) = location(&re, param.export_span.expect("span")).expect("loc");
    assert_eq!(line, 8);
    assert_eq!(&et[range], "a");

    // An unknown span has no location.
    assert_eq!(location(&ri, Span::default()), None);
}

#[test]
fn span_of_another_resolve_has_no_location() {
    let ms = compare("f: func(a: u8);", "f: func(a: u16);");
    assert!(ms[0].import_span.is_some());
    assert_eq!(
        location(&Resolve::new(), ms[0].import_span.expect("span")),
        None
    );
}

/// Builds a real component exporting `api` from `body` and decodes it,
/// the way the CLI sees components: one `Resolve` per component, no
/// source spans.
fn decoded_component(body: &str) -> (Resolve, InterfaceId) {
    use wit_component::{ComponentEncoder, StringEncoding, dummy_module, embed_component_metadata};
    use wit_parser::decoding::{DecodedWasm, decode};
    use wit_parser::{ManglingAndAbi, WorldItem};

    let text = format!(
        "package test:pkg;\ninterface api {{\n{body}\n}}\nworld provider {{ export api; }}\n"
    );
    let mut resolve = Resolve::new();
    let pkg = resolve.push_str("provider.wit", &text).expect("valid WIT");
    let world = resolve
        .select_world(&[pkg], Some("provider"))
        .expect("world");
    let mut module = dummy_module(&resolve, world, ManglingAndAbi::Standard32);
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false)
        .expect("embed");
    let bytes = ComponentEncoder::default()
        .module(&module)
        .expect("module")
        .validate(true)
        .encode()
        .expect("encode");
    let DecodedWasm::Component(resolve, world) = decode(&bytes).expect("decode") else {
        panic!("expected a component");
    };
    let id = resolve.worlds[world]
        .exports
        .values()
        .find_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .expect("exported interface");
    (resolve, id)
}

#[test]
fn text_import_against_decoded_component_export() {
    let (re, ie) = decoded_component(RICH);
    let (ri, ii, _) = parse("import.wit", RICH);
    let import = Side {
        resolve: &ri,
        interface: ii,
    };
    let export = Side {
        resolve: &re,
        interface: ie,
    };
    assert!(compare_interfaces(import, export).is_empty());

    let (ri, ii, _) = parse(
        "import.wit",
        "record point { x: f64, y: f32 }\nadd: func(a: s32, b: f64) -> f64;\nmissing: func();",
    );
    let ms = compare_interfaces(
        Side {
            resolve: &ri,
            interface: ii,
        },
        export,
    );
    assert_eq!(
        summary(&ms),
        vec![
            (
                MismatchKind::RecordField,
                "point, field y",
                Some("f32"),
                Some("f64")
            ),
            (
                MismatchKind::ParamType,
                "add, parameter a",
                Some("s32"),
                Some("f64")
            ),
            (
                MismatchKind::MissingFunction,
                "missing",
                Some("func()"),
                None
            ),
        ]
    );
    // Decoded components carry no source spans.
    assert!(
        ms.iter()
            .all(|m| m.import_span.is_some() && m.export_span.is_none())
    );
}

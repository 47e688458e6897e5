//! Paths inside an interface (`add, parameter a`, `point, field y`) and
//! how findings word them.

/// One step of a path inside an interface.
#[derive(Debug, Clone)]
pub(super) enum Seg {
    /// A function, by its raw (mangled) name, e.g. `[method]r.m`.
    Func(String),
    /// A named type of the interface.
    Type(String),
    Param(String),
    Result,
    Field(String),
    Case(String),
    EnumCase(String),
    Flag(String),
    OptionValue,
    ListElement,
    ListLength,
    ResultOk,
    ResultErr,
    TupleElement(usize),
    MapKey,
    MapValue,
    FuturePayload,
    StreamPayload,
}

impl Seg {
    /// The segment as it appears in [`Mismatch::path`].
    pub(super) fn short(&self) -> String {
        match self {
            Seg::Func(name) => function_display_name(name),
            Seg::Type(name) => name.clone(),
            Seg::Param(name) => format!("parameter {name}"),
            Seg::Result => "result".to_string(),
            Seg::Field(name) => format!("field {name}"),
            Seg::Case(name) | Seg::EnumCase(name) => format!("case {name}"),
            Seg::Flag(name) => format!("flag {name}"),
            Seg::OptionValue => "option value".to_string(),
            Seg::ListElement => "list element".to_string(),
            Seg::ListLength => "list length".to_string(),
            Seg::ResultOk => "ok type".to_string(),
            Seg::ResultErr => "error type".to_string(),
            Seg::TupleElement(i) => format!("tuple element {i}"),
            Seg::MapKey => "map key".to_string(),
            Seg::MapValue => "map value".to_string(),
            Seg::FuturePayload => "future payload".to_string(),
            Seg::StreamPayload => "stream payload".to_string(),
        }
    }

    /// The segment as a noun phrase for [`Mismatch::message`].
    pub(super) fn phrase(&self) -> String {
        match self {
            Seg::Func(name) => function_phrase(name),
            Seg::Type(name) => format!("type `{name}`"),
            Seg::Param(name) => format!("parameter `{name}`"),
            Seg::Result => "the result".to_string(),
            Seg::Field(name) => format!("field `{name}`"),
            Seg::Case(name) | Seg::EnumCase(name) => format!("case `{name}`"),
            Seg::Flag(name) => format!("flag `{name}`"),
            Seg::OptionValue => "the option value".to_string(),
            Seg::ListElement => "the list element".to_string(),
            Seg::ListLength => "the list length".to_string(),
            Seg::ResultOk => "the ok type".to_string(),
            Seg::ResultErr => "the error type".to_string(),
            Seg::TupleElement(i) => format!("tuple element {i}"),
            Seg::MapKey => "the map key".to_string(),
            Seg::MapValue => "the map value".to_string(),
            Seg::FuturePayload => "the future payload".to_string(),
            Seg::StreamPayload => "the stream payload".to_string(),
        }
    }
}

pub(super) fn render_path(path: &[Seg]) -> String {
    path.iter().map(Seg::short).collect::<Vec<_>>().join(", ")
}

/// "field `y` of the result of `get-point`".
pub(super) fn describe_path(path: &[Seg]) -> String {
    path.iter()
        .rev()
        .map(Seg::phrase)
        .collect::<Vec<_>>()
        .join(" of ")
}

/// Splits the mangled prefixes (`[method]`, `[static]`, `[constructor]`,
/// `[get]`, `[set]`, `[async]`) off a function name.
pub(super) fn split_function_name(name: &str) -> (Vec<&str>, &str) {
    let mut prefixes = Vec::new();
    let mut rest = name;
    while let Some(after) = rest.strip_prefix('[') {
        match after.split_once(']') {
            Some((prefix, tail)) => {
                prefixes.push(prefix);
                rest = tail;
            }
            None => break,
        }
    }
    (prefixes, rest)
}

/// A function name in WIT words: `add`, `r.m`, `constructor of r`,
/// `r.p (getter)`.
pub(super) fn function_display_name(name: &str) -> String {
    let (prefixes, rest) = split_function_name(name);
    if prefixes.contains(&"constructor") {
        return format!("constructor of {rest}");
    }
    if prefixes.contains(&"get") {
        format!("{rest} (getter)")
    } else if prefixes.contains(&"set") {
        format!("{rest} (setter)")
    } else {
        rest.to_string()
    }
}

/// A function name as a noun phrase: "`add`", "method `r.m`",
/// "static function `r.s`", "the constructor of `r`".
pub(super) fn function_phrase(name: &str) -> String {
    let (prefixes, rest) = split_function_name(name);
    let accessor = if prefixes.contains(&"get") {
        "getter "
    } else if prefixes.contains(&"set") {
        "setter "
    } else {
        ""
    };
    if prefixes.contains(&"constructor") {
        format!("the constructor of `{rest}`")
    } else if prefixes.contains(&"method") {
        format!("method {accessor}`{rest}`")
    } else if prefixes.contains(&"static") {
        format!("static {accessor}function `{rest}`")
    } else if accessor.is_empty() {
        format!("function `{rest}`")
    } else {
        format!("{accessor}`{rest}`")
    }
}

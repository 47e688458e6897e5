//! Reading `--invoke` calls: `name(arg, ...)` with WAVE arguments, checked
//! against the function's parameters before anything is instantiated, with
//! errors that point at the offending text.

use wasmtime::component::wasm_wave::parser::ParserError;
use wasmtime::component::wasm_wave::untyped::UntypedFuncCall;
use wasmtime::component::{Type, Val};

use super::{ExportedFunc, RunError};

/// A call split into the function's name and its parenthesised arguments.
pub(crate) struct Call<'a> {
    /// The whole call, trimmed.
    pub(crate) text: &'a str,
    /// The function's name as written.
    pub(crate) name: &'a str,
    /// Where the `(` is in `text`.
    open: usize,
}

/// Splits `name(args)` into the name and the arguments.
pub(crate) fn split(call: &str) -> Result<Call<'_>, RunError> {
    let text = call.trim();
    let bad = |reason: &str| RunError::BadCall {
        call: text.to_string(),
        reason: reason.to_string(),
    };
    let open = text.find('(').ok_or_else(|| bad("missing `(`"))?;
    if !text.ends_with(')') {
        return Err(bad("missing closing `)` at the end"));
    }
    let name = text[..open].trim();
    if name.is_empty() {
        return Err(bad("missing function name before `(`"));
    }
    Ok(Call { text, name, open })
}

impl Call<'_> {
    /// Parses the arguments as WAVE values of the function's parameter
    /// types.
    pub(crate) fn arguments(&self, function: &ExportedFunc) -> Result<Vec<Val>, RunError> {
        // WAVE parses calls of plain names only; the name may be qualified
        // here, so parse `f(...)` and map positions back.
        let source = format!("f{}", &self.text[self.open..]);
        let position = |offset: usize| self.open + offset.saturating_sub(1);
        let parsed = UntypedFuncCall::parse(&source).map_err(|e| RunError::BadCall {
            call: self.text.to_string(),
            reason: format!(
                "invalid WAVE: {}\n{}",
                describe(&e),
                excerpt(self.text, position(e.span().start), position(e.span().end))
            ),
        })?;

        let nodes: Vec<_> = match parsed.params_node() {
            Some(node) => node
                .as_tuple()
                .map(|nodes| nodes.collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let types: Vec<Type> = function.params.iter().map(|(_, t)| t.clone()).collect();
        // Trailing `option` parameters may be left out.
        let required = types.len()
            - types
                .iter()
                .rev()
                .take_while(|t| matches!(t, Type::Option(_)))
                .count();
        if nodes.len() > types.len() || nodes.len() < required {
            return Err(RunError::WrongArity {
                function: function.qualified(),
                signature: function.signature.clone(),
                expected: if required == types.len() {
                    plural(types.len(), "argument")
                } else {
                    format!("{required} to {} arguments", types.len())
                },
                found: nodes.len(),
            });
        }

        parsed.to_wasm_params::<Val>(types.iter()).map_err(|e| {
            let span = e.span();
            let argument = nodes
                .iter()
                .position(|node| node.span().start <= span.start && span.end <= node.span().end);
            let which = match argument.and_then(|i| function.params.get(i).map(|p| (i, p))) {
                Some((i, (name, ty))) => format!(
                    "argument {} (`{name}: {}`): ",
                    i + 1,
                    super::types::type_to_wit(ty)
                ),
                None => String::new(),
            };
            RunError::BadArguments {
                function: function.qualified(),
                signature: function.signature.clone(),
                reason: format!(
                    "{which}{}\n{}",
                    describe(&e),
                    excerpt(self.text, position(span.start), position(span.end))
                ),
            }
        })
    }
}

/// The error without its raw span, which [`excerpt`] shows instead.
fn describe(error: &ParserError) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// The call with a caret line under `start..end`.
fn excerpt(text: &str, start: usize, end: usize) -> String {
    // Positions are byte offsets; carets count characters.
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let column = text.get(..start).map_or(0, |s| s.chars().count());
    let width = text.get(start..end).map_or(1, |s| s.chars().count()).max(1);
    format!(
        "    {text}\n    {}{}",
        " ".repeat(column),
        "^".repeat(width)
    )
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

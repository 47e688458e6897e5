//! Source text that diagnostics point into, and rendering it safely.
//!
//! A [`SourceFile`] is a `.wac` file, a `.wit` file, or the WIT printed from
//! a binary component; a [`Label`] is a place in one. Whatever the text
//! holds, showing it must not crash or garble the terminal:
//!
//! - control characters (escape sequences, NUL, a lone carriage return,
//!   bidirectional overrides) are shown as `?`, one per byte, so that every
//!   byte offset still points where it did;
//! - a snippet is shown only when the lines around every label are short
//!   ([`MAX_SNIPPET_LINE`] bytes). miette pads the underline of a label with
//!   a formatting width equal to the label's column, and Rust's formatter
//!   panics ("Formatting argument out of range") on a width beyond
//!   `u16::MAX`: a label past column 65,535, which a long line of tabs
//!   reaches at 16,384 bytes, crashed the whole process. Such a diagnostic is
//!   shown with `file:line:col` for each label instead, as wit-parser does
//!   for its own long lines ([`Safe`]).
//!
//! [`check_limits`] refuses text beyond what the parsers wcompose uses can
//! take without overflowing the stack (wac's lexer recurses once per
//! character of a word, its parser once per nesting level).

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use miette::{Diagnostic, LabeledSpan, SourceCode};

/// Lines longer than this (in bytes) are not shown in snippets.
pub const MAX_SNIPPET_LINE: usize = 500;

/// The longest word (a run of letters, digits, `-`, `_`, `%`, `.`, `:`,
/// `@`, `/`) that wcompose hands to a parser.
pub const MAX_WORD: usize = 100_000;

/// The deepest nesting of brackets (`(`, `[`, `{`, `<`) that wcompose hands
/// to a parser.
pub const MAX_NESTING: usize = 1_000;

/// The stack that parsing input within these limits needs: the `wcompose`
/// binary runs its commands on a thread this large, and so does every
/// thread the library starts for work that parses ([`crate::parallel`]).
/// Only what is touched is committed.
pub const PARSER_STACK: usize = 256 << 20;

/// A text file that findings point into: a `.wac` file, a `.wit` file, or the
/// WIT printed from a binary component.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown to the user (a path, or `x.wasm (as WIT)`).
    pub name: String,
    /// The text.
    pub text: String,
    /// The text as snippets show it, when it holds control characters.
    shown: OnceLock<Option<String>>,
}

impl SourceFile {
    /// A named text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            shown: OnceLock::new(),
        }
    }

    /// The 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let before = &bytes[..offset.min(bytes.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let col = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(before.len(), |nl| before.len() - nl - 1)
            + 1;
        (line, col)
    }

    /// The text with control characters replaced, byte for byte.
    fn shown(&self) -> &str {
        self.shown
            .get_or_init(|| sanitize(&self.text))
            .as_deref()
            .unwrap_or(&self.text)
    }
}

/// Replaces every control character but tab and newline (and a carriage
/// return before a newline) with `?`, one per byte; `None` when there is
/// none.
fn sanitize(text: &str) -> Option<String> {
    let unsafe_char = |(i, c): (usize, char)| match c {
        '\n' | '\t' => false,
        '\r' => text.as_bytes().get(i + 1) != Some(&b'\n'),
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            true
        }
        c => c.is_control(),
    };
    if !text.char_indices().any(unsafe_char) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if unsafe_char((i, c)) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette's reader slices from a span's start unchecked, and panics
        // on one past the end of the text.
        if span.offset() > self.text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let inner = self
            .shown()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A place in a source file, with what it shows.
#[derive(Debug, Clone)]
pub struct Label {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// What this place is, e.g. "the import expects f64 here".
    pub text: String,
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.source.line_col(self.span.start);
        write!(f, "{}:{line}:{col}", self.source.name)
    }
}

impl std::error::Error for Label {}

impl Diagnostic for Label {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.text.clone()),
            self.span.clone(),
        ))))
    }
}

/// Why a text is not handed to a parser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The bytes are not UTF-8.
    #[error("not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// A word is longer than [`MAX_WORD`].
    #[error("a word of more than {MAX_WORD} characters at line {line}, column {column}")]
    LongWord {
        /// 1-based line.
        line: usize,
        /// 1-based column, in bytes.
        column: usize,
    },
    /// Brackets nest deeper than [`MAX_NESTING`].
    #[error("brackets nested more than {MAX_NESTING} levels deep at line {line}, column {column}")]
    DeepNesting {
        /// 1-based line.
        line: usize,
        /// 1-based column, in bytes.
        column: usize,
    },
}

/// Reads bytes as UTF-8 text, naming the first invalid byte.
pub fn utf8(bytes: &[u8]) -> Result<&str, LimitError> {
    std::str::from_utf8(bytes).map_err(|e| LimitError::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

/// Checks that `text` is within [`MAX_WORD`] and [`MAX_NESTING`].
pub fn check_limits(text: &str) -> Result<(), LimitError> {
    let mut word = 0usize;
    let mut depth = 0usize;
    let mut previous = 0u8;
    let at = |offset: usize| {
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = offset
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        (line, column)
    };
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b.is_ascii_alphanumeric() || b >= 0x80 || b"-_%.:@/".contains(&b) {
            word += 1;
            if word > MAX_WORD {
                let (line, column) = at(i + 1 - word);
                return Err(LimitError::LongWord { line, column });
            }
        } else {
            word = 0;
        }
        match b {
            b'(' | b'[' | b'{' | b'<' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let (line, column) = at(i);
                    return Err(LimitError::DeepNesting { line, column });
                }
            }
            b'>' if previous == b'-' => {}
            b')' | b']' | b'}' | b'>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = b;
    }
    Ok(())
}

/// A diagnostic as it can be shown whatever its source text holds: labels
/// on lines too long to show become `file:line:col` lines under the
/// message; the rest passes through unchanged. Wrap a diagnostic in it
/// before handing it to a miette handler.
pub struct Safe<'a> {
    inner: &'a dyn Diagnostic,
    /// The labels' places, when the snippet is left out.
    places: Option<Vec<String>>,
    related: Vec<Safe<'a>>,
    cause: Option<Box<Safe<'a>>>,
}

impl<'a> Safe<'a> {
    /// Wraps `inner` and, recursively, its related diagnostics and cause.
    pub fn new(inner: &'a dyn Diagnostic) -> Self {
        Self::wrap(inner, 0)
    }

    fn wrap(inner: &'a dyn Diagnostic, depth: usize) -> Self {
        let places = inner.source_code().and_then(|source| {
            let labels: Vec<LabeledSpan> = inner.labels()?.collect();
            if labels.iter().all(|l| fits(source, l)) {
                return None;
            }
            Some(labels.iter().map(|l| clean(&place(source, l))).collect())
        });
        // Related diagnostics nest rarely; a bound keeps a hostile chain
        // from exhausting the stack.
        let (related, cause) = if depth < 16 {
            (
                inner
                    .related()
                    .map(|r| r.map(|d| Self::wrap(d, depth + 1)).collect())
                    .unwrap_or_default(),
                inner
                    .diagnostic_source()
                    .map(|d| Box::new(Self::wrap(d, depth + 1))),
            )
        } else {
            (Vec::new(), None)
        };
        Self {
            inner,
            places,
            related,
            cause,
        }
    }
}

/// Whether a label's snippet can be shown: its source is a [`SourceFile`]
/// whose lines there are short, or another source whose lines there are.
fn fits(source: &dyn SourceCode, label: &LabeledSpan) -> bool {
    match source.read_span(label.inner(), 1, 1) {
        Ok(contents) => contents
            .data()
            .split(|b| *b == b'\n')
            .all(|line| line.len() <= MAX_SNIPPET_LINE),
        // A span that cannot be read is given as a place too.
        Err(_) => false,
    }
}

fn place(source: &dyn SourceCode, label: &LabeledSpan) -> String {
    let at = match source.read_span(label.inner(), 0, 0) {
        Ok(contents) => format!(
            "{}{}:{}",
            contents.name().map(|n| format!("{n}:")).unwrap_or_default(),
            contents.line() + 1,
            contents.column() + 1
        ),
        Err(_) => format!("byte {}", label.offset()),
    };
    match label.label() {
        Some(text) => format!("{at}: {text}"),
        None => at,
    }
}

/// Replaces control characters in a message (which may quote source text,
/// as wat's errors do) with `?`, and tabs with a space.
pub fn clean(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            '\n' => '\n',
            '\t' => ' ',
            '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => '?',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// The validator's message without its `(ResourceId { .. } vs. ResourceId
/// { .. })` detail: internal numbers that say nothing to a user and change
/// from run to run.
pub fn without_resource_ids(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(" (ResourceId {") {
        let Some(end) = rest[start..].find("})") else {
            break;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Words longer than this in a message are shortened.
const MAX_MESSAGE_WORD: usize = 200;

/// Shortens every word of `message` longer than [`MAX_MESSAGE_WORD`] bytes
/// (a 65,000-character name that a parser quotes back) to its start and a
/// count.
fn elide(message: &str) -> String {
    if !message
        .split_whitespace()
        .any(|w| w.len() > MAX_MESSAGE_WORD)
    {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(4096));
    let mut rest = message;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.len() > MAX_MESSAGE_WORD {
            let mut cut = MAX_MESSAGE_WORD / 2;
            while !word.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&word[..cut]);
            out.push_str(&format!("... ({} bytes)", word.len()));
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl fmt::Debug for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = clean(&elide(&self.inner.to_string()));
        f.write_str(&message)?;
        for place in self.places.iter().flatten() {
            // A message that names the place already (wac's do) keeps only
            // the label's text.
            match place.split_once(": ") {
                Some((at, text)) if message.contains(at) => write!(f, "\n  {text}")?,
                _ => write!(f, "\n  --> {place}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Safe<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The cause is shown through `diagnostic_source` when there is one.
        if self.cause.is_some() {
            None
        } else {
            self.inner.source()
        }
    }
}

impl Diagnostic for Safe<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(clean(&help)))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.places {
            Some(_) => None,
            None => self.inner.source_code(),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.places.is_some() {
            return None;
        }
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(|l| {
            let text = l.label().map(clean);
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, *l.inner())
            } else {
                LabeledSpan::new_with_span(text, *l.inner())
            }
        })))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn Diagnostic)
    }
}

/// Renders a diagnostic as text with miette's graphical handler, through
/// [`Safe`], without colour or wrapping: what the binary prints when stderr
/// is not a terminal, whatever the length of the paths it names.
pub fn render(diagnostic: &dyn Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_context_lines(1)
            .with_wrap_lines(false);
    let mut out = String::new();
    let _ = handler.render_report(&mut out, &Safe::new(diagnostic));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two labels in one source, as findings have.
    #[derive(Debug)]
    struct Two(Label, Label);

    impl fmt::Display for Two {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("two places")
        }
    }

    impl std::error::Error for Two {}

    impl Diagnostic for Two {
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&*self.0.source)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new([&self.0, &self.1].into_iter().map(|l| {
                LabeledSpan::new_with_span(Some(l.text.clone()), l.span.clone())
            })))
        }
    }

    #[test]
    fn every_span_of_awkward_text_renders_without_a_panic() {
        let texts = [
            String::new(),
            "a\r\nb\rc\n".to_string(),
            "é漢字\u{202e}x\n\u{0}\u{1b}[2J".to_string(),
            format!("x\n{}y\nz", "\t".repeat(20_000)),
            format!("{}\n{}", "é".repeat(40_000), "w".repeat(600)),
        ];
        for text in texts {
            let source = Arc::new(SourceFile::new("t", text.clone()));
            let len = text.len();
            let step = (len / 23).max(1);
            let label = |start: usize, end: usize| Label {
                source: source.clone(),
                span: start..end.max(start),
                text: "here".to_string(),
            };
            for start in (0..len + 3).step_by(step) {
                for width in [0, 1, 2, 7, len / 2, len] {
                    let one = label(start, start + width);
                    let out = render(&one);
                    assert!(
                        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
                        "{out}"
                    );
                    let other = label(len.saturating_sub(start), len.saturating_sub(start) + width);
                    let two = Two(one, other);
                    render(&two);
                    // Wrapped and coloured, as on a terminal.
                    let mut fancy = String::new();
                    miette::GraphicalReportHandler::new()
                        .with_context_lines(1)
                        .render_report(&mut fancy, &Safe::new(&two))
                        .unwrap();
                }
            }
        }
    }

    #[test]
    fn control_characters_quoted_in_a_message_are_replaced() {
        // wat quotes the offending line in its message.
        let text = "(\0\0\u{1b}[2J\u{202e}x";
        let wat = wat::parse_str(text).unwrap_err();
        let error = crate::check::input::InputError::Wat {
            path: "x.wat".into(),
            source: wat,
        };
        #[derive(Debug, thiserror::Error, miette::Diagnostic)]
        #[error("{0}")]
        struct Message(String);
        let out = render(&Message(crate::error_chain(&error)));
        assert!(out.contains("x.wat"), "{out}");
        assert!(
            !out.chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{out:?}"
        );
    }

    #[test]
    fn a_long_word_in_a_message_is_shortened() {
        let name = "é".repeat(300);
        let message = elide(&format!("name `{name}` does not exist\n  here"));
        assert!(message.starts_with("name `é"), "{message}");
        assert!(
            message.ends_with("... (602 bytes) does not exist\n  here"),
            "{message}"
        );
        assert_eq!(elide("short words stay"), "short words stay");
    }

    #[test]
    fn a_label_past_column_65535_is_given_as_a_place() {
        let text = format!("a\n{}~\n", "\t".repeat(70_000));
        let source = Arc::new(SourceFile::new("t.wit", text));
        let out = render(&Label {
            source,
            span: 70_002..70_003,
            text: "here".to_string(),
        });
        assert!(out.contains("t.wit:2:70001"), "{out}");
        assert!(out.contains("here"), "{out}");
        assert!(!out.contains("\t\t"), "{out}");
    }

    #[test]
    fn limits_name_the_place_of_a_long_word_and_of_deep_nesting() {
        let word = format!("ok\n  {}", "w".repeat(MAX_WORD + 1));
        assert_eq!(
            check_limits(&word),
            Err(LimitError::LongWord { line: 2, column: 3 })
        );
        let deep = format!("{}x -> y", "<".repeat(MAX_NESTING + 1));
        assert_eq!(
            check_limits(&deep),
            Err(LimitError::DeepNesting {
                line: 1,
                column: MAX_NESTING + 1
            })
        );
        let arrows = format!(
            "{}{}",
            "(a -> b ".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert_eq!(check_limits(&arrows), Ok(()));
    }
}

//! Rendering diagnostics: one place decides how a `miette::Diagnostic` looks.
//!
//! Every stage defines its own error enums (thiserror + miette); this module
//! only turns them into text, deterministically when colour is off (the theme
//! the snapshot tests use: unicode without colour, width 80, no hyperlinks).

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// The width diagnostics are wrapped to.
pub const WIDTH: usize = 80;

/// The longest source line a snippet shows. Past about 65,000 columns the
/// renderer cannot lay out the underline (a formatting width overflows), and
/// a snippet of such a line would be unreadable anyway.
const MAX_SNIPPET_LINE: usize = 4096;

/// Renders one diagnostic as text, with or without ANSI colour. A
/// diagnostic whose labels fall on a line longer than 4096 bytes
/// (`MAX_SNIPPET_LINE`) is shown without its snippet, its place given as `file:line:column`.
///
/// Text from the input (a member name, a step name, a source line) can hold
/// control or invisible characters; rendered as they are they could rewrite
/// the terminal. The diagnostic is rendered without colour first: if that
/// text holds any (other than newlines and tabs), it is shown escaped,
/// without colour (colour escapes could not be told from the input's), and,
/// when the source lines of its snippet hold them, without that snippet (an
/// escaped line would no longer line up with its underline), its place
/// given as `file:line:column`.
pub fn render(diagnostic: &dyn Diagnostic, color: bool) -> String {
    let long = |lines: &[u8]| {
        lines
            .split(|&b| b == b'\n')
            .any(|l| l.len() > MAX_SNIPPET_LINE)
    };
    let too_long = place(diagnostic, long);
    let shown = |color: bool| match &too_long {
        Some(place) => render_plain(&without_snippet(diagnostic, place, TOO_LONG), color),
        None => render_plain(diagnostic, color),
    };
    let plain = shown(false);
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || crate::escape::is_invisible_format(c)
    };
    if !plain.chars().any(unsafe_char) {
        return if color { shown(true) } else { plain };
    }
    // Only a snippet whose source lines hold such characters is left out;
    // the rest of the text (a message quoting a name) is escaped in place.
    // (A CR before a newline is a line ending, which the renderer drops.)
    let hidden = |lines: &[u8]| {
        let text = String::from_utf8_lossy(lines).replace("\r\n", "\n");
        text.chars().any(unsafe_char)
    };
    let plain = match too_long.or_else(|| place(diagnostic, hidden)) {
        Some(place) => render_plain(&without_snippet(diagnostic, &place, ESCAPED), false),
        None => plain,
    };
    plain
        .split('\n')
        .map(crate::escape::escape_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a snippet is left out (the end of the help).
const TOO_LONG: &str = "the line is too long to show";
const ESCAPED: &str = "the source is not shown: it holds control or invisible characters";

fn without_snippet<'a>(
    inner: &'a dyn Diagnostic,
    place: &str,
    why: &'static str,
) -> WithoutSnippet<'a> {
    WithoutSnippet {
        inner,
        place: place.to_string(),
        why,
    }
}

fn render_plain(diagnostic: &dyn Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        // Rendering into a String only fails if a Display impl fails; fall
        // back to the plain message so nothing is lost.
        out = format!("error: {diagnostic}\n");
    }
    out
}

/// Where the first label whose snippet lines (the label's, and one on
/// either side) `pick` chooses points (`file:line:column`), if any does.
fn place(diagnostic: &dyn Diagnostic, pick: impl Fn(&[u8]) -> bool) -> Option<String> {
    let source = diagnostic.source_code()?;
    diagnostic.labels()?.find_map(|label| {
        let shown = source.read_span(label.inner(), 1, 1).ok()?;
        if !pick(shown.data()) {
            return None;
        }
        let at = source.read_span(label.inner(), 0, 0).ok()?;
        Some(format!(
            "{}:{}:{}",
            at.name().unwrap_or("input"),
            at.line() + 1,
            at.column() + 1
        ))
    })
}

/// A diagnostic shown without its source snippet (see [`render`]).
struct WithoutSnippet<'a> {
    inner: &'a dyn Diagnostic,
    place: String,
    /// Why, for the help.
    why: &'static str,
}

impl std::fmt::Debug for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at {})", self.inner, self.place)
    }
}

impl std::error::Error for WithoutSnippet<'_> {}

impl Diagnostic for WithoutSnippet<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.inner.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        let why = self.why;
        Some(match self.inner.help() {
            Some(help) => Box::new(format!("{help}\n({why})")),
            None => Box::new(why),
        })
    }
}

/// A JSON value's kind with its article (`a string`, `an array`), for messages.
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

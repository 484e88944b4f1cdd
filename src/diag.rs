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
/// diagnostic whose labels fall on a line longer than [`MAX_SNIPPET_LINE`]
/// is shown without its snippet, its place given as `file:line:column`.
///
/// Text from the input (a member name, a step name, a source line) can hold
/// control or invisible characters; rendered as they are they could rewrite
/// the terminal. The diagnostic is rendered without colour first: if that
/// text holds any (other than newlines and tabs), it is shown escaped and
/// without colour, since colour escapes could not be told from the input's.
pub fn render(diagnostic: &dyn Diagnostic, color: bool) -> String {
    let place = too_long_line(diagnostic);
    let shown = |color: bool| match &place {
        Some(place) => render_plain(
            &WithoutSnippet {
                inner: diagnostic,
                place: place.clone(),
            },
            color,
        ),
        None => render_plain(diagnostic, color),
    };
    let plain = shown(false);
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || crate::report::is_invisible_format(c)
    };
    if plain.chars().any(unsafe_char) {
        return plain
            .split('\n')
            .map(crate::report::escape_controls)
            .collect::<Vec<_>>()
            .join("\n");
    }
    if color {
        shown(true)
    } else {
        plain
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

/// Where the first label on a line too long to show points
/// (`file:line:column`), when there is one.
fn too_long_line(diagnostic: &dyn Diagnostic) -> Option<String> {
    let source = diagnostic.source_code()?;
    diagnostic.labels()?.find_map(|label| {
        // The lines a snippet shows: the label's, and one on either side.
        let shown = source.read_span(label.inner(), 1, 1).ok()?;
        let too_long = shown
            .data()
            .split(|&b| b == b'\n')
            .any(|line| line.len() > MAX_SNIPPET_LINE);
        if !too_long {
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
        let line = "the line is too long to show";
        Some(match self.inner.help() {
            Some(help) => Box::new(format!("{help}\n({line})")),
            None => Box::new(line),
        })
    }
}

/// Renders several diagnostics, separated by blank lines.
pub fn render_all<'a>(
    diagnostics: impl IntoIterator<Item = &'a dyn Diagnostic>,
    color: bool,
) -> String {
    diagnostics
        .into_iter()
        .map(|d| render(d, color))
        .collect::<Vec<_>>()
        .join("\n")
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

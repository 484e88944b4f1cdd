//! Rendering diagnostics: one place decides how a `miette::Diagnostic` looks.
//!
//! Every stage defines its own error enums (thiserror + miette); this module
//! only turns them into text, deterministically when colour is off (the theme
//! the snapshot tests use: unicode without colour, width 80, no hyperlinks).

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// The width diagnostics are wrapped to.
pub const WIDTH: usize = 80;

/// Renders one diagnostic as text, with or without ANSI colour.
pub fn render(diagnostic: &dyn Diagnostic, color: bool) -> String {
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

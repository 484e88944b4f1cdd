//! Syntax: policy text to a spanned AST, and back (the formatter).
//!
//! The only module that knows pest. [`parse`] checks the limits (size,
//! nesting) first, then parses with `grammar/cairn.pest`, then walks the
//! pairs into [`ast::Parsed`]. It knows nothing of names or values: a key
//! kind, a rule verb or a check level is whatever identifier was written,
//! and `lower` judges it.

pub mod ast;
pub mod error;
mod expected;
pub mod fmt;
mod parser;

pub use error::SyntaxError;

/// Parses a policy text into its AST and comments.
pub fn parse(text: &str) -> Result<ast::Parsed, SyntaxError> {
    error::check_limits(text)?;
    parser::parse(text)
}

/// The canonical text of a policy (see [`fmt`]).
pub fn format_source(text: &str) -> Result<String, SyntaxError> {
    let parsed = parse(text)?;
    Ok(fmt::format(&parsed, text))
}

/// A stable, indented text view of the AST (`cairn dump ast`): one node per
/// line, spans as byte ranges.
pub fn dump(parsed: &ast::Parsed) -> String {
    format!("{:#?}\n", parsed.layout)
}

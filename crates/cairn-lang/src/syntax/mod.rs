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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_do_not_affect_equality() {
        let a = parse("layout \"x\" { step s { by a } }").unwrap();
        let b = parse("# c\nlayout   \"x\"   {\n  step s {\n    by a\n  }\n}\n").unwrap();
        assert_eq!(a.layout, b.layout);
        assert_ne!(a.layout.loc.span(), b.layout.loc.span());
        assert_eq!(b.comments.len(), 1);
    }

    #[test]
    fn strings_decode_escapes() {
        let p = parse("layout \"a\\\"b\\\\c\\nd\\te\" { }").unwrap();
        assert_eq!(p.layout.name.value, "a\"b\\c\nd\te");
        assert_eq!(fmt::quote(&p.layout.name.value), "\"a\\\"b\\\\c\nd\\te\"");
    }

    #[test]
    fn format_is_canonical() {
        let text = "layout \"x\" { key k = ed25519 \"00\" step s { by 2 of a, b products { } } }";
        let out = format_source(text).unwrap();
        assert_eq!(
            out,
            "layout \"x\" {\n  key k = ed25519 \"00\"\n  step s {\n    by 2 of a, b\n    products {}\n  }\n}\n"
        );
        assert_eq!(format_source(&out).unwrap(), out);
    }

    #[test]
    fn a_spans_end_excludes_skipped_trivia() {
        let p = parse("layout \"x\" {\n  param p # note\n}\n").unwrap();
        let Some(ast::Item::Param(param)) = p.layout.items.first() else {
            panic!("expected a param");
        };
        assert_eq!(param.loc.span(), cairn_base::source::Span::new(15, 22));
    }
}

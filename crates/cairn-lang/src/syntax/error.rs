//! Syntax errors (`E1xx`): what the parser could not read, and the limits.

use miette::Diagnostic;
use thiserror::Error;

use cairn_base::source::Span;

/// The largest policy accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// The deepest nesting of `{`, `[` and `(` accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a policy could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum SyntaxError {
    /// The text does not follow the grammar.
    #[error("{message}")]
    #[diagnostic(code(E100), help("{help}"))]
    Unexpected {
        /// `expected X or Y, found Z`.
        message: String,
        /// Where the parser stopped.
        #[label("{label}")]
        span: Span,
        /// The label under the span.
        label: String,
        /// A hint about the construct being written.
        help: String,
    },

    /// The policy is larger than [`MAX_SOURCE_BYTES`].
    #[error("policy is too large: {size} bytes, the limit is {limit}")]
    #[diagnostic(
        code(E101),
        help("a policy is a few hundred lines; check that this is the right file")
    )]
    TooLarge {
        /// The size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
        /// The start of the file.
        #[label("this file")]
        span: Span,
    },

    /// Brackets nest deeper than [`MAX_DEPTH`].
    #[error("brackets are nested more than {limit} levels deep")]
    #[diagnostic(
        code(E102),
        help(
            "a policy nests a few levels at most; look for an unclosed bracket before this point"
        )
    )]
    TooDeep {
        /// The limit.
        limit: usize,
        /// The bracket that went one level too deep.
        #[label("this bracket opens level {}", limit + 1)]
        span: Span,
    },

    /// A control character or an invisible/bidirectional format character
    /// anywhere in the text (Trojan Source, CVE-2021-42574).
    #[error(
        "the policy contains the invisible character {codepoint} at line {line}, column {column}"
    )]
    #[diagnostic(
        code(E103),
        help("control characters (other than newline, tab and carriage return), bidirectional controls, zero-width characters and byte-order marks can make a policy read differently from what it does; remove it, or write `\\n`, `\\t` or `\\r` in a string")
    )]
    HiddenCharacter {
        /// `U+202E`.
        codepoint: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// Where. Not a label: a source snippet would print the character
        /// itself to the terminal.
        span: Span,
    },

    /// The parser built a tree it does not know; a bug in cairn.
    #[error("internal error: the parser produced an unexpected `{rule}` node")]
    #[diagnostic(
        code(E199),
        help("this is a bug in cairn; please report it with the policy that triggers it")
    )]
    Internal {
        /// The rule name.
        rule: String,
        /// Where.
        #[label("here")]
        span: Span,
    },
}

impl SyntaxError {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::TooLarge { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::HiddenCharacter { span, .. }
            | SyntaxError::Internal { span, .. } => *span,
        }
    }
}

/// The end (one past the closing quote) of a quoted JSONPath name whose
/// `quote` is at `at`, when it closes before the line ends (`\\` escapes
/// the next character); otherwise the quote is an ordinary character.
fn quoted_name_end(text: &str, at: usize, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.get(at + 1..)?.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\n' | '\r' => return None,
            '\\' => escaped = true,
            _ if c == quote => return Some(at + 1 + i + 1),
            _ => {}
        }
    }
    None
}

/// Checks the size and nesting limits before pest sees the text, so that
/// no input can make the recursive-descent parser overflow its stack.
pub fn check_limits(text: &str) -> Result<(), SyntaxError> {
    if text.len() > MAX_SOURCE_BYTES {
        return Err(SyntaxError::TooLarge {
            size: text.len(),
            limit: MAX_SOURCE_BYTES,
            span: Span::new(0, 0),
        });
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    // Inside a JSONPath (from `$` to the whitespace after it): the depth of
    // its brackets, in which `#` is text and a quote opens a quoted name
    // only when it closes on the same line, as the grammar reads them.
    let mut path: Option<usize> = None;
    // The end of a quoted JSONPath name being skipped.
    let mut skip_to = 0usize;
    for (i, c) in text.char_indices() {
        if (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || cairn_base::escape::is_invisible_format(c)
        {
            let before = text.get(..i).unwrap_or_default();
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            return Err(SyntaxError::HiddenCharacter {
                codepoint: format!("U+{:04X}", u32::from(c)),
                line: before.matches('\n').count() + 1,
                column: before.get(line_start..).unwrap_or_default().chars().count() + 1,
                span: Span::new(i, i + c.len_utf8()),
            });
        }
        if i < skip_to {
            continue;
        }
        if in_comment {
            in_comment = !matches!(c, '\n' | '\r');
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if let Some(inner) = path {
            if inner > 0 && matches!(c, '\'' | '"') {
                if let Some(end) = quoted_name_end(text, i, c) {
                    skip_to = end;
                }
                continue;
            }
            if (inner == 0 && c.is_whitespace()) || matches!(c, '\n' | '\r') {
                path = None;
            } else if inner > 0 && c == '#' {
                continue;
            }
        }
        match c {
            '$' if path.is_none() => path = Some(0),
            '"' => in_string = true,
            '#' => in_comment = true,
            '{' | '[' | '(' => {
                depth += 1;
                if let (Some(inner), '[') = (path.as_mut(), c) {
                    *inner += 1;
                }
                if depth > MAX_DEPTH {
                    return Err(SyntaxError::TooDeep {
                        limit: MAX_DEPTH,
                        span: Span::new(i, i + 1),
                    });
                }
            }
            '}' | ']' | ')' => {
                depth = depth.saturating_sub(1);
                if let (Some(inner), ']') = (path.as_mut(), c) {
                    *inner = inner.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(check_limits("layout \"x\" { }").is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            check_limits(&deep),
            Err(SyntaxError::TooDeep { .. })
        ));
        // Brackets in strings and comments do not count.
        let quoted = format!("\"{deep}\" # {deep}\n");
        assert!(check_limits(&quoted).is_ok());
        assert!(check_limits(&format!("$['{deep}']")).is_ok());
        // A comment ends at a lone CR, as in the grammar; a quoted
        // JSONPath name at its quote.
        // Inside a JSONPath's brackets `#` is text, and a quote that does not
        // close on its line is text too.
        for text in [
            format!("# c\r{deep}"),
            format!("$['\"#'][0]{deep}"),
            format!("$[a'b{deep}"),
            format!("$[a\"b{deep}"),
            format!("$[a#b{deep}"),
            format!("$['a\\\n'{deep}'x']"),
        ] {
            assert!(
                matches!(check_limits(&text), Err(SyntaxError::TooDeep { .. })),
                "{text:?}"
            );
        }
        for hidden in [
            "\u{202e}", "\u{200b}", "\u{feff}", "\u{1b}", "\u{0}", "\u{7f}",
        ] {
            for text in [
                format!("{hidden}layout \"x\" {{ }}"),
                format!("layout \"x{hidden}\" {{ }}"),
                format!("layout \"x\" {{ }} # {hidden}\n"),
            ] {
                assert!(
                    matches!(
                        check_limits(&text),
                        Err(SyntaxError::HiddenCharacter { .. })
                    ),
                    "{text:?}"
                );
            }
        }
        assert!(check_limits("layout \"x\" {\r\n\t}\n").is_ok());
        let big = " ".repeat(MAX_SOURCE_BYTES + 1);
        assert!(matches!(
            check_limits(&big),
            Err(SyntaxError::TooLarge { .. })
        ));
    }
}

//! A forgiving tokenizer of policy text, for what must work while the text
//! does not parse: semantic tokens and the context of a completion.
//!
//! It follows the token rules of `grammar/cairn.pest` (comments, strings,
//! words, JSONPaths, numbers, punctuation) but never fails: an unclosed
//! string runs to the end of the text, an unknown character is a token of
//! its own.

use cairn_base::source::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `# ...` to the end of the line.
    Comment,
    /// A double-quoted string (quotes included; maybe unclosed).
    Str,
    /// A name, keyword or predicate alias (`step`, `alice`, `slsa-provenance/v1`).
    Word,
    /// A JSONPath (`$.a.b[*]`).
    Path,
    /// A number or timestamp.
    Number,
    /// `{`
    Open,
    /// `}`
    Close,
    /// Any other punctuation (`,`, `=`, `[`, `]`, `==`, ...).
    Punct,
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Where it stands.
    pub span: Span,
}

/// Every keyword of the language.
pub const KEYWORDS: &[&str] = &[
    "layout",
    "expires",
    "readme",
    "key",
    "trust-root",
    "identity",
    "scheme",
    "param",
    "step",
    "by",
    "of",
    "command",
    "materials",
    "products",
    "in",
    "with",
    "from",
    "attestation",
    "matches",
    "exists",
    "is",
    "not",
    "empty",
    "inspection",
    "run",
    "artifact",
    "summary",
    "verifier",
    "levels",
    "import",
    "as",
    "library",
    "checks",
    "for",
    "cel",
    "statement",
    "if",
    "present",
];

/// The tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = text
                    .get(i..)
                    .and_then(|t| t.find('\n'))
                    .map_or(text.len(), |n| i + n);
                Kind::Comment
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
                Kind::Str
            }
            b'$' => {
                i = path_end(bytes, i + 1);
                Kind::Path
            }
            b'{' => {
                i += 1;
                Kind::Open
            }
            b'}' => {
                i += 1;
                Kind::Close
            }
            b'-' | b'0'..=b'9' if b != b'-' || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b":.+-".contains(c))
                {
                    i += 1;
                }
                Kind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b"_-./".contains(c))
                {
                    i += 1;
                }
                Kind::Word
            }
            b'=' | b'!' | b'<' | b'>' => {
                i += 1;
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                }
                Kind::Punct
            }
            _ => {
                i += text
                    .get(i..)
                    .and_then(|t| t.chars().next())
                    .map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        let end = i.min(text.len());
        out.push(Token {
            kind,
            span: Span::new(start, end),
        });
        i = end;
    }
    out
}

/// The end of a JSONPath that starts before `i` (the `$` already taken).
fn path_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    while let Some(&c) = bytes.get(i) {
        if let Some(q) = quote {
            match c {
                b'\\' => i += 1,
                b'\n' => return i,
                _ if c == q => quote = None,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'[' => depth += 1,
            b']' if depth > 0 => depth -= 1,
            b'\'' | b'"' if depth > 0 => quote = Some(c),
            b'\n' => return i,
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() || b"_.*-".contains(&c) || c >= 0x80 => {}
            _ => return i,
        }
        i += 1;
    }
    i.min(bytes.len())
}

/// The text of a token.
pub fn text(source: &str, token: Token) -> &str {
    source.get(token.span.start..token.span.end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, self::text(text, t)))
            .collect()
    }

    #[test]
    fn tokens_of_a_check() {
        assert_eq!(
            kinds(
                "attestation slsa-provenance/v1 {\n require $.a['b c'][*].d == \"x\\\"y\" # c\n}"
            ),
            vec![
                (Kind::Word, "attestation"),
                (Kind::Word, "slsa-provenance/v1"),
                (Kind::Open, "{"),
                (Kind::Word, "require"),
                (Kind::Path, "$.a['b c'][*].d"),
                (Kind::Punct, "=="),
                (Kind::Str, "\"x\\\"y\""),
                (Kind::Comment, "# c"),
                (Kind::Close, "}"),
            ]
        );
    }

    #[test]
    fn never_fails() {
        assert_eq!(kinds("\"open"), vec![(Kind::Str, "\"open")]);
        assert_eq!(
            kinds("é -1 2027-01-01T00:00:00Z"),
            vec![
                (Kind::Punct, "é"),
                (Kind::Number, "-1"),
                (Kind::Number, "2027-01-01T00:00:00Z")
            ]
        );
        assert_eq!(kinds("$.a[\"x"), vec![(Kind::Path, "$.a[\"x")]);
        assert_eq!(kinds("\"a\\"), vec![(Kind::Str, "\"a\\")]);
    }
}

//! Semantic tokens: each token of the text classified, names by what they
//! declare or refer to (from the index when the text parses).

use cairn_base::source::Span;

use crate::index::{DefKind, Index, Namespace};
use crate::lex::{self, Kind, KEYWORDS};

/// The token types, in the order of the legend sent to the client.
pub const TYPES: &[&str] = &[
    "keyword",    // 0
    "comment",    // 1
    "string",     // 2
    "number",     // 3
    "operator",   // 4
    "function",   // 5: steps and inspections
    "variable",   // 6: keys and identities
    "parameter",  // 7
    "type",       // 8: predicate types
    "property",   // 9: JSONPaths
    "enumMember", // 10: fixed words of a slot (verbs, kinds, quantifiers)
];

/// The modifiers, in the order of the legend: `declaration` only.
pub const MODIFIERS: &[&str] = &["declaration"];

/// Fixed words of value slots (not keywords of the grammar).
const SLOT_WORDS: &[&str] = &[
    "create", "delete", "modify", "allow", "disallow", "require", "match", "warn", "all", "any",
    "count", "ed25519", "pem", "file", "sigstore", "true", "false", "null",
];

/// One classified token: where, its type (index into [`TYPES`]) and
/// modifier bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classified {
    /// Where.
    pub span: Span,
    /// Index into [`TYPES`].
    pub ty: u32,
    /// Bit 0: a declaration.
    pub modifiers: u32,
}

/// Every token of `text` classified, in order; a token spanning lines is
/// cut at each line end (clients draw one line at a time).
pub fn classify(text: &str, index: &Index) -> Vec<Classified> {
    let mut out = Vec::new();
    let mut after_attestation = false;
    for token in lex::tokens(text) {
        let word = lex::text(text, token);
        let (ty, modifiers) = match token.kind {
            Kind::Comment => (1, 0),
            Kind::Str if after_attestation => (8, 0),
            Kind::Str => {
                // `{name}` placeholders stand out from the string around them.
                let mut at = token.span.start;
                for (offset, name) in crate::index::placeholders(word) {
                    let start = token.span.start + offset;
                    push_lines(text, Span::new(at, start), 2, 0, &mut out);
                    push_lines(text, Span::new(start, start + name.len()), 7, 0, &mut out);
                    at = start + name.len();
                }
                push_lines(text, Span::new(at, token.span.end), 2, 0, &mut out);
                after_attestation = false;
                continue;
            }
            Kind::Number => (3, 0),
            Kind::Path => (9, 0),
            Kind::Open | Kind::Close => {
                after_attestation = false;
                continue;
            }
            Kind::Punct => match word {
                "," | "[" | "]" => {
                    after_attestation = false;
                    continue;
                }
                _ => (4, 0),
            },
            Kind::Word => match name(index, token.span) {
                Some(found) => found,
                None if after_attestation => (8, 0),
                None if KEYWORDS.contains(&word) => (0, 0),
                None if SLOT_WORDS.contains(&word) => (10, 0),
                None => (6, 0),
            },
        };
        after_attestation = token.kind == Kind::Word && word == "attestation";
        push_lines(text, token.span, ty, modifiers, &mut out);
    }
    out
}

/// A declared or used name at exactly this span.
fn name(index: &Index, span: Span) -> Option<(u32, u32)> {
    let ty = |kind: DefKind| match kind {
        DefKind::Step | DefKind::Inspection => 5,
        DefKind::Key | DefKind::Identity => 6,
        DefKind::Param => 7,
    };
    if let Some(d) = index.defs.iter().find(|d| d.span == span) {
        return Some((ty(d.kind), 1));
    }
    index.refs.iter().find(|r| r.span == span).map(|r| {
        let t = match r.symbol.namespace {
            Namespace::Target => 5,
            Namespace::Signer => 6,
            Namespace::Param => 7,
        };
        (t, 0)
    })
}

fn push_lines(text: &str, span: Span, ty: u32, modifiers: u32, out: &mut Vec<Classified>) {
    let mut start = span.start;
    let body = text.get(span.start..span.end).unwrap_or("");
    for (i, _) in body.match_indices('\n') {
        let end = span.start + i;
        if end > start {
            out.push(Classified {
                span: Span::new(start, end),
                ty,
                modifiers,
            });
        }
        start = end + 1;
    }
    if span.end > start {
        out.push(Classified {
            span: Span::new(start, span.end),
            ty,
            modifiers,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        let text = "layout \"x\" {\n key k = ed25519 \"a\nb\"\n param p\n step s { by k command \"-{p}\" attestation vsa/v1 { } }\n}";
        let parsed = cairn_lang::syntax::parse(text).unwrap();
        let index = Index::new(text, &parsed);
        let got: Vec<(&str, &str)> = classify(text, &index)
            .iter()
            .map(|c| (&text[c.span.start..c.span.end], TYPES[c.ty as usize]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("layout", "keyword"),
                ("\"x\"", "string"),
                ("key", "keyword"),
                ("k", "variable"),
                ("=", "operator"),
                ("ed25519", "enumMember"),
                ("\"a", "string"),
                ("b\"", "string"),
                ("param", "keyword"),
                ("p", "parameter"),
                ("step", "keyword"),
                ("s", "function"),
                ("by", "keyword"),
                ("k", "variable"),
                ("command", "keyword"),
                ("\"-{", "string"),
                ("p", "parameter"),
                ("}\"", "string"),
                ("attestation", "keyword"),
                ("vsa/v1", "type"),
            ]
        );
    }
}

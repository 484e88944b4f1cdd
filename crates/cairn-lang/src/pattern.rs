//! Artifact patterns with Python `fnmatch` semantics, exactly (DESIGN decision 1).
//!
//! `*` matches any run of characters including `/` and a leading `.`; `?` one
//! character including `/`; `[...]` a set with ranges, negated by a leading
//! `!` (not `^`); there is no escape character; matching is case-sensitive and
//! anchored at both ends. Unlike Python, an unterminated `[` is an error
//! rather than a literal, so a typo cannot silently change what a rule means.
//! This module does no I/O and knows nothing of rules or steps.

use std::fmt;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    literal: bool,
    shape: Shape,
}

/// The common shapes of a pattern, matched without walking tokens: rules
/// test every queued name (100,000 per link) against each pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*`: every name.
    Everything,
    /// No metacharacter: one name.
    Literal(String),
    /// `PREFIX*SUFFIX` with literal parts (either may be empty).
    Affixes(String, String),
    /// Anything else.
    General,
}

fn shape(tokens: &[Token]) -> Shape {
    let text = |part: &[Token]| -> Option<String> {
        part.iter()
            .map(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    let stars: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == Token::Star)
        .map(|(i, _)| i)
        .collect();
    match stars.as_slice() {
        [] => text(tokens).map_or(Shape::General, Shape::Literal),
        [star] => {
            let (before, after) = tokens.split_at(*star);
            let after = after.get(1..).unwrap_or_default();
            match (text(before), text(after)) {
                (Some(p), Some(s)) if p.is_empty() && s.is_empty() => Shape::Everything,
                (Some(p), Some(s)) => Shape::Affixes(p, s),
                _ => Shape::General,
            }
        }
        _ => Shape::General,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    Star,
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Why a pattern is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Byte offset of the offending `[` in the pattern.
    pub offset: usize,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unterminated `[` at byte {} of the pattern", self.offset)
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Compiles a pattern, refusing an unterminated `[`.
    pub fn new(pattern: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<(usize, char)> = pattern.char_indices().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&(offset, c)) = chars.get(i) {
            i += 1;
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => tokens.push(Token::Any),
                '[' => {
                    let (token, next) = parse_set(&chars, i).ok_or(PatternError { offset })?;
                    tokens.push(token);
                    i = next;
                }
                c => tokens.push(Token::Char(c)),
            }
        }
        let literal = tokens.iter().all(|t| matches!(t, Token::Char(_)));
        let shape = shape(&tokens);
        Ok(Pattern {
            tokens,
            literal,
            shape,
        })
    }

    /// True when the pattern has no metacharacter (it matches one name only).
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        match &self.shape {
            Shape::Everything => return true,
            Shape::Literal(text) => return name == text,
            Shape::Affixes(prefix, suffix) => {
                // Byte comparison is exact: both parts are whole UTF-8 text.
                // Compared in line: the parts are a few bytes, checked
                // against every queued name.
                let bytes = name.as_bytes();
                let same = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(x, y)| x == y);
                return bytes.len() >= prefix.len() + suffix.len()
                    && same(bytes, prefix.as_bytes())
                    && same(
                        bytes.get(bytes.len() - suffix.len()..).unwrap_or_default(),
                        suffix.as_bytes(),
                    );
            }
            Shape::General => {}
        }
        let name: Vec<char> = name.chars().collect();
        // Iterative wildcard matching with backtracking to the last star: every
        // token but `*` consumes exactly one character, so this is exact.
        let (mut t, mut n) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        loop {
            match self.tokens.get(t) {
                Some(Token::Star) => {
                    star = Some((t, n));
                    t += 1;
                    continue;
                }
                Some(token) => {
                    if let Some(&c) = name.get(n) {
                        if token_matches(token, c) {
                            t += 1;
                            n += 1;
                            continue;
                        }
                    }
                }
                None if n == name.len() => return true,
                None => {}
            }
            match star {
                Some((st, sn)) if sn < name.len() => {
                    star = Some((st, sn + 1));
                    t = st + 1;
                    n = sn + 1;
                }
                _ => return false,
            }
        }
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(x) => *x == c,
        Token::Any | Token::Star => true,
        Token::Set { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
    }
}

/// Parses a set whose `[` was just consumed; `i` indexes the first character
/// after it. Returns the token and the index after the closing `]`, or `None`
/// when the set is unterminated. Mirrors CPython's `fnmatch.translate`: a `]`
/// right after `[` or `[!` is a member, `-` first or last is literal, and a
/// reversed range matches nothing.
fn parse_set(chars: &[(usize, char)], i: usize) -> Option<(Token, usize)> {
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let mut j = i;
    let negated = at(j) == Some('!');
    if negated {
        j += 1;
    }
    let body_start = j;
    if at(j) == Some(']') {
        j += 1;
    }
    while at(j)? != ']' {
        j += 1;
    }
    let body: Vec<char> = chars.get(body_start..j)?.iter().map(|&(_, c)| c).collect();
    let mut ranges = Vec::new();
    let mut k = 0;
    while let Some(&lo) = body.get(k) {
        match (body.get(k + 1), body.get(k + 2)) {
            (Some('-'), Some(&hi)) => {
                if lo <= hi {
                    ranges.push((lo, hi));
                }
                k += 3;
            }
            _ => {
                ranges.push((lo, lo));
                k += 1;
            }
        }
    }
    Some((Token::Set { negated, ranges }, j + 1))
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for token in &self.tokens {
            match token {
                Token::Char(c) => write!(f, "{c}")?,
                Token::Any => write!(f, "?")?,
                Token::Star => write!(f, "*")?,
                Token::Set { negated, ranges } => {
                    write!(f, "[{}", if *negated { "!" } else { "" })?;
                    for (lo, hi) in ranges {
                        if lo == hi {
                            write!(f, "{lo}")?;
                        } else {
                            write!(f, "{lo}-{hi}")?;
                        }
                    }
                    write!(f, "]")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        Pattern::new(p).unwrap().matches(n)
    }

    proptest::proptest! {
        /// The shortcut shapes (`*`, literal, `PREFIX*SUFFIX`) match exactly
        /// what walking the tokens matches.
        #[test]
        fn shapes_agree_with_token_walking(
            pattern in "[ab/.é*]{0,6}",
            name in "[ab/.é]{0,8}",
        ) {
            let shaped = Pattern::new(&pattern).unwrap();
            let general = Pattern { shape: Shape::General, ..shaped.clone() };
            proptest::prop_assert_eq!(shaped.matches(&name), general.matches(&name));
        }
    }

    #[test]
    fn common_shapes_are_recognised() {
        let shape = |p: &str| Pattern::new(p).unwrap().shape;
        assert_eq!(shape("*"), Shape::Everything);
        assert_eq!(shape("a/b.c"), Shape::Literal("a/b.c".into()));
        assert_eq!(shape("*.o"), Shape::Affixes(String::new(), ".o".into()));
        assert_eq!(shape("src/*"), Shape::Affixes("src/".into(), String::new()));
        assert_eq!(shape("s*[ab]"), Shape::General);
    }

    #[test]
    fn star_and_question_cross_slashes() {
        assert!(m("src/*.c", "src/foo/bar.c"));
        assert!(m("*", ".hidden"));
        assert!(m("*", "a/b.py"));
        assert!(m("a?b", "a/b"));
        assert!(m("*", ""));
        assert!(!m("?", ""));
        assert!(m("*", "line\nbreak"));
    }

    #[test]
    fn sets_follow_cpython() {
        assert!(m("[abc]", "b"));
        assert!(m("[a-z]x", "qx"));
        assert!(!m("[!a]", "a"));
        assert!(m("[!a]", "b"));
        assert!(m("[^a]", "^"), "caret is not negation");
        assert!(m("[^a]", "a"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "x"));
        assert!(!m("[!]]", "]"));
        assert!(m("[a-]", "-"));
        assert!(m("[-a]", "-"));
        assert!(!m("[z-a]", "m"), "reversed range matches nothing");
        assert!(m("[z-ab]", "b"));
        assert!(m("[*]", "*"));
        assert!(m("[\\]", "\\"), "no escape character");
    }

    #[test]
    fn backslash_is_literal_and_case_matters() {
        assert!(m("a\\*", "a\\bc"));
        assert!(!m("A", "a"));
    }

    #[test]
    fn anchored_both_ends() {
        assert!(!m("foo", "foobar"));
        assert!(!m("*.c", "a.cc"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b", "xxaxxbxx"));
    }

    #[test]
    fn unterminated_set_is_an_error() {
        assert_eq!(Pattern::new("src/[abc"), Err(PatternError { offset: 4 }));
        assert_eq!(Pattern::new("[!]"), Err(PatternError { offset: 0 }));
        assert!(Pattern::new("[]").is_err());
    }

    #[test]
    fn literal_patterns_are_recognised() {
        assert!(Pattern::new("src/a.c").unwrap().is_literal());
        assert!(!Pattern::new("src/*.c").unwrap().is_literal());
    }

    #[test]
    fn display_round_trips() {
        for p in ["src/*.c", "[!a-c]x?", "[]]", "a\\b"] {
            let compiled = Pattern::new(p).unwrap();
            let again = Pattern::new(&compiled.to_string()).unwrap();
            assert_eq!(compiled, again);
        }
    }
}

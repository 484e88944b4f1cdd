//! A strict JSON reader for untrusted bytes, producing `serde_json::Value`.
//!
//! Stricter than `serde_json`: a duplicate object key (compared after
//! unescaping) is an error instead of "last one wins", nesting is bounded
//! before it can exhaust the stack, and a byte-order mark, trailing data or a
//! lone surrogate are refused. Numbers that are not plain integers (fractions,
//! exponents, `-0`, integers beyond 64 bits) become `f64` values, which the
//! canonical JSON writer refuses; payloads that are never canonicalised may
//! hold them. Strings without escapes are sliced from the input without
//! per-byte work; the input is checked to be UTF-8 once, up front.
//!
//! In the crate graph it sits just above `cairn-base`: `cairn-evidence` reads
//! every untrusted JSON document through [`parse`] (or [`Scanner`]), and
//! `cairn-eval` through it too. [`serde_road`] is a second reader built on
//! `serde_json`, held against this one by tests.

pub mod serde_road;
pub mod words;

use std::borrow::Cow;
use std::ops::Range;

use serde_json::{Map, Number, Value};

/// A parse failure: what went wrong, at which byte offset, in which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What kind of failure.
    pub kind: JsonErrorKind,
    /// Byte offset into the input.
    pub offset: usize,
    /// The field path (`$.a[0].b`), innermost last.
    pub path: String,
}

/// The kinds of [`JsonError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// A syntax error.
    Syntax(String),
    /// Data after the value.
    Trailing,
    /// A repeated key.
    Duplicate(String),
    /// Nesting beyond the limit.
    TooDeep(usize),
}

impl std::fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonErrorKind::Syntax(reason) => f.write_str(reason),
            JsonErrorKind::Trailing => f.write_str("data after the JSON value"),
            JsonErrorKind::Duplicate(key) => {
                write!(f, "duplicate key `{}`", cairn_base::escape::escape(key))
            }
            JsonErrorKind::TooDeep(limit) => write!(f, "nested deeper than {limit} levels"),
        }
    }
}

/// Parses exactly one JSON value from `input`, nested at most `max_depth` deep.
pub fn parse(input: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let mut parser = Parser::start(input, max_depth)?;
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < input.len() {
        return Err(error(JsonErrorKind::Trailing, parser.pos));
    }
    Ok(value)
}

/// A JSON value that borrows its strings from the input where it can: what
/// [`parse_borrowed`] returns for large documents (links of 100,000
/// artifacts), where building a `serde_json::Value` costs an allocation per
/// string and a tree node per object.
#[derive(Debug, Clone, PartialEq)]
pub enum Borrowed<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written, and whether it is a plain 64-bit integer (the
    /// only numbers canonical JSON writes).
    Number(&'a str, bool),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Borrowed<'a>>),
    /// An object whose members are in input order; keys are distinct.
    Object(Vec<(Cow<'a, str>, Borrowed<'a>)>),
}

impl Borrowed<'_> {
    /// The owned `serde_json::Value`, as [`parse`] would have returned it.
    pub fn to_value(&self) -> Value {
        match self {
            Borrowed::Null => Value::Null,
            Borrowed::Bool(b) => Value::Bool(*b),
            Borrowed::Number(text, _) => number_value(text).unwrap_or(Value::Null),
            Borrowed::String(s) => Value::String(s.as_ref().to_owned()),
            Borrowed::Array(items) => Value::Array(items.iter().map(Borrowed::to_value).collect()),
            Borrowed::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.as_ref().to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Borrowed::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Like [`parse`] (the same strictness: duplicate keys, depth, UTF-8,
/// surrogates, trailing data), but borrowing strings from `input`.
pub fn parse_borrowed(input: &[u8], max_depth: usize) -> Result<Borrowed<'_>, JsonError> {
    let mut parser = Parser::start(input, max_depth)?;
    let value = parser.borrowed(0)?;
    parser.skip_ws();
    if parser.pos < input.len() {
        return Err(error(JsonErrorKind::Trailing, parser.pos));
    }
    Ok(value)
}

/// A step-by-step reader over one JSON document, for callers that walk a
/// known shape (a link's members, its artifact maps) without building a tree
/// of it: the same lexical strictness as [`parse_borrowed`], each value read
/// by the same code. Repeated keys are the caller's to check.
pub struct Scanner<'a> {
    parser: Parser<'a>,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `input` (UTF-8 and byte-order mark checked).
    pub fn new(input: &'a [u8], max_depth: usize) -> Result<Scanner<'a>, JsonError> {
        let parser = Parser::start(input, max_depth)?;
        Ok(Scanner { parser })
    }

    /// Enters an object: `true` when it has members (the first key is next),
    /// `false` when it was `{}` (already left).
    pub fn enter_object(&mut self) -> Result<bool, JsonError> {
        let p = &mut self.parser;
        if p.peek() != Some(b'{') {
            return Err(error(syntax("expected an object"), p.pos));
        }
        p.pos += 1;
        p.skip_ws();
        if p.peek() == Some(b'}') {
            p.pos += 1;
            p.skip_ws();
            return Ok(false);
        }
        Ok(true)
    }

    /// The next member's key, up to and past its `:`.
    pub fn key(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.parser.member_key()
    }

    /// After a member's value: `true` when another member follows, `false`
    /// when the object ended (and was left).
    pub fn next_member(&mut self) -> Result<bool, JsonError> {
        let p = &mut self.parser;
        p.skip_ws();
        match p.peek() {
            Some(b',') => {
                p.pos += 1;
                p.skip_ws();
                Ok(true)
            }
            Some(b'}') => {
                p.pos += 1;
                p.skip_ws();
                Ok(false)
            }
            _ => Err(error(syntax("expected `,` or `}`"), p.pos)),
        }
    }

    /// The input's text at `range`.
    pub fn text(&self, range: Range<usize>) -> Option<&'a str> {
        self.parser.text.get(range)
    }

    /// How many bytes of the input are left.
    pub fn remaining(&self) -> usize {
        self.parser.bytes.len().saturating_sub(self.parser.pos)
    }

    /// Whether the next value is an object.
    pub fn at_object(&self) -> bool {
        self.parser.peek() == Some(b'{')
    }

    /// Reads an object of exactly one member whose key and value are plain
    /// strings (ASCII letters, digits and `_` for the key, lowercase hex
    /// digits for the value: nothing to unescape), such as
    /// `{"sha256": "ab12..."}`, returning (key, value). Anything else leaves
    /// the scanner where it was and gives `None`: read it with
    /// [`Scanner::value`], which would read this one the same way.
    pub fn plain_pair(&mut self) -> Option<(&'a str, &'a str)> {
        let p = &mut self.parser;
        let start = p.pos;
        let out = Self::pair_at(p);
        if out.is_none() {
            p.pos = start;
        }
        out
    }

    fn pair_at(p: &mut Parser<'a>) -> Option<(&'a str, &'a str)> {
        /// A string of bytes that `ok` accepts, up to the next `"`.
        fn token<'a>(p: &mut Parser<'a>, ok: impl Fn(u8) -> bool) -> Option<&'a str> {
            if p.peek() != Some(b'"') {
                return None;
            }
            let from = p.pos + 1;
            let end = from + memchr::memchr(b'"', p.bytes.get(from..)?)?;
            // Every byte is tested (no early exit), which vectorises.
            let span = p.bytes.get(from..end)?;
            if !span.iter().fold(true, |all, &b| all & ok(b)) {
                return None;
            }
            p.pos = end + 1;
            p.text.get(from..end)
        }
        (p.peek() == Some(b'{')).then(|| p.pos += 1)?;
        p.skip_ws();
        let key = token(p, |b| b.is_ascii_alphanumeric() || b == b'_')?;
        p.skip_ws();
        (p.peek() == Some(b':')).then(|| p.pos += 1)?;
        p.skip_ws();
        let value = token(p, |b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))?;
        p.skip_ws();
        (p.peek() == Some(b'}')).then(|| p.pos += 1)?;
        Some((key, value))
    }

    /// Reads a whole member `"<key>": {"sha256": "<64 bytes>"}`, whitespace
    /// allowed wherever JSON allows it. `key` is handed the input after the
    /// key's opening quote and gives the key's length (and what it found
    /// out about it); `digest` is handed the 64 bytes between the digest's
    /// quotes. When anything differs, or either gives `None`, the scanner is
    /// left where it was and this gives `None`: read the member with
    /// [`Scanner::key`] and [`Scanner::value`], which would read this one
    /// the same way.
    ///
    /// Neither span is checked here, so that its bytes are looked at once:
    /// `key` must count no `"`, `\\` or control byte (a key with nothing to
    /// unescape ends at the first `"`), and `digest` must refuse them
    /// (lowercase hex digits, what it is for, hold none).
    pub fn sha256_member<K, T>(
        &mut self,
        key: impl FnOnce(&'a [u8]) -> Option<(usize, K)>,
        digest: impl FnOnce(&'a [u8]) -> Option<T>,
    ) -> Option<(&'a str, K, T)> {
        let p = &mut self.parser;
        let start = p.pos;
        let out = Self::sha256_member_at(p, key, digest);
        if out.is_none() {
            p.pos = start;
        }
        out
    }

    fn sha256_member_at<K, T>(
        p: &mut Parser<'a>,
        key: impl FnOnce(&'a [u8]) -> Option<(usize, K)>,
        digest: impl FnOnce(&'a [u8]) -> Option<T>,
    ) -> Option<(&'a str, K, T)> {
        /// Moves past `byte`, or gives `None` when it is not next.
        fn expect(p: &mut Parser<'_>, byte: u8) -> Option<()> {
            (p.peek() == Some(byte)).then(|| p.pos += 1)
        }
        expect(p, b'"')?;
        let from = p.pos;
        let (len, found) = key(p.bytes.get(from..)?)?;
        p.pos = from.checked_add(len)?;
        let name = p.text.get(from..p.pos)?;
        expect(p, b'"')?;
        p.skip_ws();
        expect(p, b':')?;
        p.skip_ws();
        expect(p, b'{')?;
        p.skip_ws();
        const ALG: &[u8] = b"\"sha256\"";
        (p.bytes.get(p.pos..p.pos + ALG.len()) == Some(ALG)).then(|| p.pos += ALG.len())?;
        p.skip_ws();
        expect(p, b':')?;
        p.skip_ws();
        expect(p, b'"')?;
        let span = p.bytes.get(p.pos..p.pos + 64)?;
        p.pos += 64;
        expect(p, b'"')?;
        p.skip_ws();
        expect(p, b'}')?;
        Some((name, found, digest(span)?))
    }

    /// Reads one whole value, as [`parse_borrowed`] would, `depth` levels in.
    pub fn value(&mut self, depth: usize) -> Result<Borrowed<'a>, JsonError> {
        self.parser.borrowed(depth)
    }

    /// Reads one whole value as [`Scanner::value`] would (the same
    /// strictness: duplicate keys, depth, numbers, strings), `depth` levels
    /// in, without building it: gives where it starts and ends in the
    /// input. A large predicate is checked so, and kept as its text.
    pub fn skip_value(&mut self, depth: usize) -> Result<Range<usize>, JsonError> {
        let start = self.parser.pos;
        let mut keys = Vec::new();
        self.parser.skip(depth, &mut keys)?;
        Ok(start..self.parser.pos)
    }

    /// Checks that nothing but whitespace is left.
    pub fn finish(mut self) -> Result<(), JsonError> {
        self.parser.skip_ws();
        if self.parser.pos < self.parser.bytes.len() {
            return Err(error(JsonErrorKind::Trailing, self.parser.pos));
        }
        Ok(())
    }
}

/// How many bytes of a string [`Parser::skip_plain`] reads eight at a time
/// before it looks for the string's end with [`plain_run`]: more than the
/// hex digests (64 or 128 digits) that most strings of a link are, for
/// which the search would cost more than it saves.
const LONG: usize = 256;

/// The length of `bytes` up to the first `"` or `\\`, when no control
/// character comes before it: one search for the two bytes (vectorised by
/// `memchr`), then one pass without a branch per byte over what it skipped.
/// `None` (no end in sight, or a control character on the way) leaves the
/// string to the eight-at-a-time loop, which stops where it must.
#[inline(never)] // kept out of the loop of every short string
fn plain_run(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', bytes)?;
    let control = bytes
        .get(..end)?
        .iter()
        .fold(false, |control, &b| control | (b < 0x20));
    (!control).then_some(end)
}

/// The value of a number's text, as [`parse`] reads it.
fn number_value(text: &str) -> Option<Value> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth: 0,
    };
    parser.number().ok()
}

/// Converts a byte offset into 1-based line and column (in characters).
pub fn line_col(input: &[u8], offset: usize) -> (usize, usize) {
    let before = input.get(..offset).unwrap_or(input);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column_bytes = before.get(line_start..).unwrap_or_default();
    let column = String::from_utf8_lossy(column_bytes).chars().count() + 1;
    (line, column)
}

fn syntax(msg: &str) -> JsonErrorKind {
    JsonErrorKind::Syntax(msg.to_owned())
}

fn error(kind: JsonErrorKind, offset: usize) -> JsonError {
    JsonError {
        kind,
        offset,
        path: String::from("$"),
    }
}

/// Prefixes a child's error path with the member or index it occurred in.
/// Paths of errors nested deeper than this many bytes keep only their innermost part.
const MAX_PATH: usize = 120;

pub(crate) fn within(mut e: JsonError, segment: &str) -> JsonError {
    let rest = e.path.strip_prefix('$').unwrap_or(&e.path).to_owned();
    if rest.starts_with('…') {
        return e;
    }
    e.path = if rest.len() + segment.len() > MAX_PATH {
        format!("$…{rest}")
    } else {
        format!("${segment}{rest}")
    };
    e
}

pub(crate) fn member_segment(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!(".{key}")
    } else {
        format!("[{}]", serde_json::Value::String(key.to_owned()))
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    /// A parser at the first value of `input`: UTF-8 checked once, a
    /// byte-order mark refused, leading whitespace skipped.
    fn start(input: &'a [u8], max_depth: usize) -> Result<Parser<'a>, JsonError> {
        let text = match std::str::from_utf8(input) {
            Ok(text) => text,
            Err(e) => return Err(error(syntax("invalid UTF-8"), e.valid_up_to())),
        };
        if text.starts_with('\u{feff}') {
            return Err(error(syntax("byte-order mark before the JSON value"), 0));
        }
        let mut parser = Parser {
            text,
            bytes: input,
            pos: 0,
            max_depth,
        };
        parser.skip_ws();
        Ok(parser)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(value)
        } else {
            Err(error(syntax("expected a JSON value"), self.pos))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(error(syntax("expected a JSON value"), self.pos)),
            None => Err(error(syntax("unexpected end of input"), self.pos)),
        }
    }

    fn borrowed(&mut self, depth: usize) -> Result<Borrowed<'a>, JsonError> {
        match self.peek() {
            Some(b'{') => self.borrowed_object(depth + 1),
            Some(b'[') => self.borrowed_array(depth + 1),
            Some(b'"') => self.borrowed_string().map(Borrowed::String),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                let value = self.number()?;
                let text = self.text.get(start..self.pos).unwrap_or_default();
                Ok(Borrowed::Number(text, value.is_i64() || value.is_u64()))
            }
            _ => self.value(depth).map(|v| match v {
                Value::Bool(b) => Borrowed::Bool(b),
                _ => Borrowed::Null,
            }),
        }
    }

    /// [`Parser::borrowed`] without the value: `keys` holds, per level,
    /// the keys of the object being read there (reused, so that reading
    /// 100,000 objects allocates for the deepest few only).
    fn skip(&mut self, depth: usize, keys: &mut Vec<Vec<Cow<'a, str>>>) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.skip_object(depth + 1, keys),
            Some(b'[') => {
                let depth = depth + 1;
                if depth > self.max_depth {
                    return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
                }
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    self.skip(depth, keys)?;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(error(syntax("expected `,` or `]`"), self.pos)),
                    }
                }
            }
            Some(b'"') => self.borrowed_string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            _ => self.value(depth).map(drop),
        }
    }

    /// [`Parser::borrowed_object`] without the value (see [`Parser::skip`]).
    fn skip_object(
        &mut self,
        depth: usize,
        keys: &mut Vec<Vec<Cow<'a, str>>>,
    ) -> Result<(), JsonError> {
        if depth > self.max_depth {
            return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
        }
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut mine = keys.pop().unwrap_or_default();
        mine.clear();
        let result = self.skip_members(depth, keys, &mut mine);
        let result = result.and_then(|()| {
            let ascending = mine
                .iter()
                .zip(mine.iter().skip(1))
                .all(|(a, b)| a.as_bytes() < b.as_bytes());
            if ascending {
                return Ok(());
            }
            let mut sorted: Vec<&[u8]> = mine.iter().map(|k| k.as_bytes()).collect();
            sorted.sort_unstable();
            match sorted.windows(2).find(|w| w.first() == w.get(1)) {
                Some(pair) => {
                    let key = String::from_utf8_lossy(pair.first().copied().unwrap_or_default());
                    Err(error(JsonErrorKind::Duplicate(key.into_owned()), open))
                }
                None => Ok(()),
            }
        });
        mine.clear();
        keys.push(mine);
        result
    }

    fn skip_members(
        &mut self,
        depth: usize,
        keys: &mut Vec<Vec<Cow<'a, str>>>,
        mine: &mut Vec<Cow<'a, str>>,
    ) -> Result<(), JsonError> {
        loop {
            self.skip_ws();
            mine.push(self.member_key()?);
            self.skip(depth, keys)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(error(syntax("expected `,` or `}`"), self.pos)),
            }
        }
    }

    fn borrowed_object(&mut self, depth: usize) -> Result<Borrowed<'a>, JsonError> {
        if depth > self.max_depth {
            return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
        }
        let open = self.pos;
        self.pos += 1;
        // Most objects of a link are one-member digest sets.
        let mut members = Vec::with_capacity(1);
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Borrowed::Object(members));
        }
        loop {
            self.skip_ws();
            let key = self.member_key()?;
            let value = self.borrowed(depth)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(error(syntax("expected `,` or `}`"), self.pos)),
            }
        }
        // Members written in sorted order (as in-toto writes them) are
        // distinct when each is greater than the one before; otherwise sort
        // a copy of the keys to find a repeated one.
        let ascending = members
            .iter()
            .zip(members.iter().skip(1))
            .all(|(a, b)| a.0.as_bytes() < b.0.as_bytes());
        if !ascending {
            let mut keys: Vec<&[u8]> = members.iter().map(|(k, _)| k.as_bytes()).collect();
            keys.sort_unstable();
            if let Some(pair) = keys.windows(2).find(|w| w.first() == w.get(1)) {
                let key = String::from_utf8_lossy(pair.first().copied().unwrap_or_default());
                return Err(error(JsonErrorKind::Duplicate(key.into_owned()), open));
            }
        }
        Ok(Borrowed::Object(members))
    }

    fn borrowed_array(&mut self, depth: usize) -> Result<Borrowed<'a>, JsonError> {
        if depth > self.max_depth {
            return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Borrowed::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.borrowed(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Borrowed::Array(items));
                }
                _ => return Err(error(syntax("expected `,` or `]`"), self.pos)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > self.max_depth {
            return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
        }
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            let key = self.member_key()?.into_owned();
            let value = self
                .value(depth)
                .map_err(|e| within(e, &member_segment(&key)))?;
            match map.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    let key = slot.key().clone();
                    let e = error(JsonErrorKind::Duplicate(key.clone()), key_start);
                    return Err(within(e, &member_segment(&key)));
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(error(syntax("expected `,` or `}`"), self.pos)),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > self.max_depth {
            return Err(error(JsonErrorKind::TooDeep(self.max_depth), self.pos));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            let index = items.len();
            let value = self
                .value(depth)
                .map_err(|e| within(e, &format!("[{index}]")))?;
            items.push(value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(error(syntax("expected `,` or `]`"), self.pos)),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(error(syntax("invalid number"), self.pos)),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(error(syntax("invalid number"), self.pos));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(error(syntax("invalid number"), self.pos));
            }
            self.digits();
        }
        let text = self.text.get(start..self.pos).unwrap_or_default();
        if integer && text != "-0" {
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Value::Number(n.into()));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Value::Number(n.into()));
            }
        }
        // Not a plain 64-bit integer: kept as a float, which canonical JSON refuses.
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| error(syntax("number out of range"), start))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// An object member's key (a string, where one must be), up to and
    /// past its `:` and the whitespace after it.
    fn member_key(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(error(syntax("expected a string key"), self.pos));
        }
        let key = self.borrowed_string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(error(syntax("expected `:` after an object key"), self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(key)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.borrowed_string().map(Cow::into_owned)
    }

    /// Moves past the bytes that need no attention in a string (not `"`,
    /// `\\` or a control character) eight at a time, stopping at the first
    /// group of eight that holds one: the byte-wise loops after it find it.
    /// A string still going after [`LONG`] bytes (a DSSE payload, megabytes
    /// of base64) is finished in two quicker passes, when they find it plain.
    fn skip_plain(&mut self) {
        use crate::words::{below, first_equal, word};
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let mut plain = 0;
        for chunk in rest.chunks_exact(8) {
            let Some(v) = word(chunk) else {
                break;
            };
            if below(v, 0x20) | first_equal(v, b'"') | first_equal(v, b'\\') != 0 {
                break;
            }
            plain += 8;
            if plain == LONG {
                if let Some(run) = plain_run(rest.get(plain..).unwrap_or_default()) {
                    plain += run;
                    break;
                }
            }
        }
        self.pos += plain;
    }

    /// A string, borrowed from the input when it has no escapes.
    fn borrowed_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            self.skip_plain();
            match self.peek() {
                Some(b'"') => {
                    let s = self.text.get(start..self.pos).unwrap_or_default();
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => {
                    return Err(error(syntax("control character in a string"), self.pos))
                }
                Some(_) => self.pos += 1,
                None => return Err(error(syntax("unterminated string"), open)),
            }
        }
        let mut out = String::from(self.text.get(start..self.pos).unwrap_or_default());
        loop {
            let run_start = self.pos;
            self.skip_plain();
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(error(syntax("control character in a string"), self.pos)),
                None => return Err(error(syntax("unterminated string"), open)),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let at = self.pos;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(error(syntax("lone surrogate in a string"), at));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(error(syntax("lone surrogate in a string"), at));
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                } else {
                    char::from_u32(first)
                };
                let Some(c) = c else {
                    return Err(error(syntax("lone surrogate in a string"), at));
                };
                out.push(c);
                return Ok(());
            }
            _ => return Err(error(syntax("invalid escape in a string"), at)),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| error(syntax("invalid `\\u` escape"), self.pos))?;
        let n = u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| error(syntax("invalid `\\u` escape"), self.pos))?;
        self.pos += 4;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    /// Strings with a quote, backslash or control character at every place
    /// around the eight-byte groups, and in long strings around where the
    /// search for their end starts, are read as `serde_json` reads them,
    /// and refused at the same offset as a byte-wise reader.
    #[test]
    fn strings_at_every_offset() {
        for len in (0..40).chain([255, 256, 257, 263, 264, 265, 300]) {
            for at in 0..=len {
                for special in ["\\\"", "\\\\", "\\n", "\\u00e9", "é", "\u{7f}", "\u{1}"] {
                    let body = format!("{}{special}{}", "a".repeat(at), "b".repeat(len - at));
                    for pad in ["", " ", "       "] {
                        let text = format!("{pad}[\"{body}\",\"x\"]");
                        let ours = super::parse_borrowed(text.as_bytes(), 8);
                        let owned = super::parse(text.as_bytes(), 8);
                        match serde_json::from_str::<serde_json::Value>(&text) {
                            Ok(value) => {
                                assert_eq!(ours.unwrap().to_value(), value, "{text:?}");
                                assert_eq!(owned.unwrap(), value, "{text:?}");
                            }
                            Err(_) => {
                                let offset = pad.len() + 2 + at;
                                assert_eq!(ours.unwrap_err().offset, offset, "{text:?}");
                                assert_eq!(owned.unwrap_err().offset, offset, "{text:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    use super::*;

    fn kind(input: &str) -> JsonErrorKind {
        parse(input.as_bytes(), 128).unwrap_err().kind
    }

    #[test]
    fn parses_what_serde_json_parses() {
        let input = r#" {"a": [1, -2, 3.5, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#;
        let ours = parse(input.as_bytes(), 128).unwrap();
        let theirs: Value = serde_json::from_str(input).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn duplicate_keys_are_refused_after_unescaping() {
        let e = parse(br#"{"payload":"a","p\u0061yload":"b"}"#, 128).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::Duplicate("payload".into()));
        assert_eq!(e.path, "$.payload");
        let e = parse(br#"{"x":{"run":1,"run":2}}"#, 128).unwrap_err();
        assert_eq!(e.path, "$.x.run");
    }

    #[test]
    fn trailing_data_bom_and_surrogates_are_refused() {
        assert_eq!(kind("{} {}"), JsonErrorKind::Trailing);
        assert_eq!(kind("{}x"), JsonErrorKind::Trailing);
        assert!(matches!(kind("\u{feff}{}"), JsonErrorKind::Syntax(_)));
        assert!(matches!(kind(r#""\ud800""#), JsonErrorKind::Syntax(_)));
        assert!(matches!(kind(r#""\udc00x""#), JsonErrorKind::Syntax(_)));
        assert!(matches!(kind("01"), JsonErrorKind::Trailing));
        assert!(matches!(kind("[1,]"), JsonErrorKind::Syntax(_)));
        assert!(matches!(kind("\"a\tb\""), JsonErrorKind::Syntax(_)));
    }

    #[test]
    fn depth_is_bounded_without_recursion_blowup() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse(deep.as_bytes(), 128).unwrap_err().kind,
            JsonErrorKind::TooDeep(128)
        );
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(ok.as_bytes(), 128).is_ok());
    }

    #[test]
    fn non_integers_become_floats() {
        for n in ["1.0", "1e2", "-0", "18446744073709551616"] {
            assert!(parse(n.as_bytes(), 8).unwrap().is_f64(), "{n}");
        }
        assert!(parse(b"-9223372036854775808", 8).unwrap().is_i64());
        assert!(parse(b"18446744073709551615", 8).unwrap().is_u64());
    }

    #[test]
    fn borrowed_reader_agrees_and_refuses_duplicates() {
        let input =
            r#" {"b": [1, -2, 3.5, true, false, null, "x\u00e9\n"], "a": {"z": 1, "y": "q"}} "#;
        let borrowed = parse_borrowed(input.as_bytes(), 128).unwrap();
        assert_eq!(borrowed.to_value(), parse(input.as_bytes(), 128).unwrap());
        assert!(matches!(borrowed.get("b"), Some(Borrowed::Array(_))));
        for bad in [
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"p":"a","\u0070":"b"}"#,
            r#"{"x":{"run":1,"run":2}}"#,
        ] {
            let e = parse_borrowed(bad.as_bytes(), 128).unwrap_err();
            assert!(matches!(e.kind, JsonErrorKind::Duplicate(_)), "{bad}");
        }
        let deep = "[".repeat(200);
        assert!(matches!(
            parse_borrowed(deep.as_bytes(), 128).unwrap_err().kind,
            JsonErrorKind::TooDeep(128)
        ));
        assert!(parse_borrowed(b"\xef\xbb\xbf{}", 8).is_err());
        assert!(parse_borrowed(b"{} x", 8).is_err());
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col(b"{\n  \"\xc3\xa9x", 7), (2, 5));
    }

    proptest::proptest! {
        /// Arbitrary bytes never panic the reader.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = parse(&bytes, 16);
        }

        /// The borrowed reader accepts exactly what the owned reader accepts, with the same value.
        #[test]
        fn borrowed_agrees_with_owned(text in r#"[\[\]{}",:0-9a-c\\ -]{0,40}"#) {
            let owned = parse(text.as_bytes(), 16);
            let borrowed = parse_borrowed(text.as_bytes(), 16);
            proptest::prop_assert_eq!(owned.is_ok(), borrowed.is_ok(), "{}", text);
            if let (Ok(o), Ok(b)) = (owned, borrowed) {
                proptest::prop_assert_eq!(o, b.to_value());
            }
        }

        /// A member read whole by [`Scanner::sha256_member`] is the one
        /// [`Scanner::key`] and [`Scanner::value`] read, up to the same
        /// byte; anything else is left where it was. The members are built
        /// from pieces that are nearly right: escapes, non-ASCII and control
        /// bytes in the key, odd whitespace, another algorithm or its name
        /// escaped, digests of the wrong length or with a quote in them.
        #[test]
        fn sha256_members_read_whole_agree(
            key in "[a/.\\\\\"\u{e9}\u{1}\u{7f} ]{0,12}",
            ws in proptest::collection::vec(proptest::sample::select(vec!["", " ", "\n  ", "\t", "\r"]), 6),
            alg in proptest::sample::select(vec!["\"sha256\"", "\"sha256\"", "\"sha\\u0032256\"", "\"sha512\"", "\"sha256 \""]),
            hex in "[0-9a-fA]{63,65}",
            special in proptest::sample::select(vec!["", "", "\"", "\\\\", "\\u0061"]),
            tail in proptest::sample::select(vec!["}", "}", "}}", ",\"md5\":\"a\"}", "]"]),
        ) {
            let [w0, w1, w2, w3, w4, w5] = [0, 1, 2, 3, 4, 5].map(|i| ws[i]);
            let digest = format!("{hex}{special}");
            let member = format!(
                "\"{key}\"{w0}:{w1}{{{w2}{alg}{w3}:{w4}\"{digest}\"{w5}{tail}"
            );
            let text = format!("{{{member},\"z\":1}}");
            let mut whole = Scanner::new(text.as_bytes(), 8).unwrap();
            proptest::prop_assert!(whole.enter_object().unwrap());
            let before = whole.remaining();
            // The length of the key up to its first special byte.
            let key_len = |text: &[u8]| {
                let len = text.iter().position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f))?;
                Some((len, ()))
            };
            let read = whole.sha256_member(key_len, |span| Some(span.to_vec()));
            let mut parts = Scanner::new(text.as_bytes(), 8).unwrap();
            parts.enter_object().unwrap();
            let ordinary = parts.key().and_then(|k| Ok((k, parts.value(1)?)));
            match read {
                Some((name, (), span)) => {
                    let span = String::from_utf8(span).unwrap();
                    // The span handed over is the digest's text when it
                    // holds no `"` or `\\` (the caller refuses any other).
                    if !span.contains(['"', '\\']) {
                        let (k, v) = ordinary.unwrap();
                        proptest::prop_assert_eq!(name, k.as_ref(), "{}", text);
                        let want = Borrowed::Object(vec![(
                            Cow::Borrowed("sha256"),
                            Borrowed::String(Cow::Owned(span)),
                        )]);
                        proptest::prop_assert_eq!(v, want, "{}", text);
                        proptest::prop_assert_eq!(whole.remaining(), parts.remaining(), "{}", text);
                    }
                }
                None => proptest::prop_assert_eq!(whole.remaining(), before, "{}", text),
            }
        }

        /// On JSON-like text without duplicate keys the reader agrees with serde_json.
        #[test]
        fn agrees_with_serde_json(text in r#"[\[\]{}",:0-9a-c\\ -]{0,40}"#) {
            if let Ok(theirs) = serde_json::from_str::<Value>(&text) {
                match parse(text.as_bytes(), 128) {
                    Ok(ours) => proptest::prop_assert_eq!(ours, theirs),
                    Err(e) => proptest::prop_assert!(
                        matches!(e.kind, JsonErrorKind::Duplicate(_)),
                        "{text}: {e:?}"
                    ),
                }
            }
        }
    }
}

//! The ordinary JSON road through `serde_json`: its `Deserializer` drives a
//! `DeserializeSeed` that builds a `serde_json::Value`, refuses a repeated
//! key (compared after unescaping) and bounds nesting, and keeps the field
//! path of the value being read, so that a failure is reported as
//! [`crate::parse`] reports it: a [`JsonError`] with a byte offset, a
//! kind and a path.
//!
//! It is not the reader cairn uses: it is the second road the hand-written
//! reader is checked against (the differential tests beside this file and
//! the fuzz target `json_roads`), and the measure docs/ARCHITECTURE.md
//! gives for keeping the hand-written one. Both roads accept the same
//! inputs with the same values; they differ only in the reason and offset
//! given for some syntax errors, which [`syntax_agrees`] names.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::{member_segment, within, JsonError, JsonErrorKind};

/// Parses exactly one JSON value from `input`, nested at most `max_depth`
/// deep, with the strictness of [`crate::parse`]: UTF-8 and the
/// byte-order mark are checked up front (as the hand-written reader does),
/// everything else by `serde_json` and the seed.
pub fn parse(input: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let text = std::str::from_utf8(input).map_err(|e| JsonError {
        kind: JsonErrorKind::Syntax("invalid UTF-8".to_owned()),
        offset: e.valid_up_to(),
        path: "$".to_owned(),
    })?;
    if text.starts_with('\u{feff}') {
        return Err(JsonError {
            kind: JsonErrorKind::Syntax("byte-order mark before the JSON value".to_owned()),
            offset: 0,
            path: "$".to_owned(),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    // The seed bounds nesting itself (at `max_depth`, which may be more than
    // serde_json's fixed 128), before the stack can run out.
    de.disable_recursion_limit();
    let mut state = State {
        max_depth,
        depth: 0,
        path: Vec::new(),
        refused: None,
    };
    let value = ValueSeed {
        state: &mut state,
        segment: None,
    }
    .deserialize(&mut de);
    let value = match value {
        Ok(value) => value,
        Err(e) => return Err(state.error(input, &e)),
    };
    if let Err(e) = de.end() {
        return Err(JsonError {
            kind: JsonErrorKind::Trailing,
            offset: offset_of(input, &e),
            path: "$".to_owned(),
        });
    }
    Ok(value)
}

/// Whether two syntax errors for the same input are "the same" for the
/// differential tests: both roads refuse, and the kinds they give agree
/// except in the ways documented in docs/ARCHITECTURE.md (serde_json words
/// its syntax errors its own way, places some of them elsewhere, calls a
/// number with a leading zero invalid where the hand-written reader reads
/// `0` and finds data after it, and finds a repeated key before whatever is
/// wrong in its value).
pub fn syntax_agrees(hand: &JsonError, serde: &JsonError) -> bool {
    use JsonErrorKind::{Duplicate, Syntax, TooDeep, Trailing};
    match (&hand.kind, &serde.kind) {
        (Duplicate(a), Duplicate(b)) if a == b && hand.offset == serde.offset => {
            hand.path == serde.path
        }
        (TooDeep(a), TooDeep(b)) => {
            a == b && hand.offset == serde.offset && hand.path == serde.path
        }
        (Trailing, Trailing) => hand.offset == serde.offset,
        // `01`, `-01`, `1.`: the same refusal, found at another point.
        (Trailing, Syntax(_)) | (Syntax(_), Trailing) | (Syntax(_), Syntax(_)) => true,
        // The hand-written reader reads a member's value before it looks
        // at the member's key, the seed looks at the key first: a value too
        // deep under a repeated key is found by one, the repeat by the other.
        (TooDeep(_) | Duplicate(_), Duplicate(_)) => {
            hand.offset > serde.offset && under(&hand.path, &serde.path)
        }
        // A syntax error earlier in the text than the repeat or the depth.
        (Syntax(_), Duplicate(_) | TooDeep(_)) | (Duplicate(_) | TooDeep(_), Syntax(_)) => true,
        _ => false,
    }
}

/// The differential check of the JSON roads on one input, for the tests
/// beside this file and the fuzz target `json_roads`:
///
/// - the hand-written reader ([`crate::parse`]) and this road accept
///   the same inputs with the same values, and refuse the rest alike
///   ([`syntax_agrees`]);
/// - the hand-written fast road ([`crate::parse_borrowed`], and
///   [`crate::Scanner::skip_value`]) accepts the same inputs with
///   the same values;
/// - plain `serde_json::from_slice` (last repeated key wins, at most 127
///   levels) accepts everything the strict roads accept, with the same
///   value, except beyond its own depth limit, and the strict roads refuse
///   what it accepts only for a repeated key or for `max_depth`.
pub fn compare(input: &[u8], max_depth: usize) -> Result<(), String> {
    let shown = || String::from_utf8_lossy(input).into_owned();
    let hand = crate::parse(input, max_depth);
    match (&hand, parse(input, max_depth)) {
        (Ok(a), Ok(b)) if *a == b => {}
        (Err(a), Err(b)) if syntax_agrees(a, &b) => {}
        (a, b) => return Err(format!("roads: {:?}: {a:?} / {b:?}", shown())),
    }
    let borrowed = crate::parse_borrowed(input, max_depth).map(|b| b.to_value());
    match (&hand, &borrowed) {
        (Ok(a), Ok(b)) if a == b => {}
        (Err(_), Err(_)) => {}
        (a, b) => return Err(format!("fast road: {:?}: {a:?} / {b:?}", shown())),
    }
    let skipped = crate::Scanner::new(input, max_depth)
        .and_then(|mut s| s.skip_value(0).and_then(|_| s.finish()));
    if skipped.is_ok() != hand.is_ok() {
        return Err(format!("skip: {:?}: {skipped:?} / {hand:?}", shown()));
    }
    match (&hand, serde_json::from_slice::<Value>(input)) {
        (Ok(a), Ok(b)) if *a == b => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        (Ok(_), Err(e)) if e.to_string().starts_with("recursion limit exceeded") => Ok(()),
        (Err(e), Ok(_))
            if matches!(
                e.kind,
                JsonErrorKind::Duplicate(_) | JsonErrorKind::TooDeep(_)
            ) =>
        {
            Ok(())
        }
        (a, b) => Err(format!("plain serde_json: {:?}: {a:?} / {b:?}", shown())),
    }
}

/// Whether the field path `inner` is `outer` or within it.
fn under(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// What the seed refused itself, and where in the value it was.
struct State {
    max_depth: usize,
    depth: usize,
    /// The member or index of each value being read, outermost first.
    path: Vec<String>,
    refused: Option<JsonErrorKind>,
}

impl State {
    /// The [`JsonError`] for `e`, as the hand-written reader would give it.
    fn error(&self, input: &[u8], e: &serde_json::Error) -> JsonError {
        let at = offset_of(input, e);
        let (kind, offset) = match &self.refused {
            // Refused at the `[` or `{` just read.
            Some(kind @ JsonErrorKind::TooDeep(_)) => (kind.clone(), settled(input, at)),
            // Refused just past the repeated key's closing quote.
            Some(kind @ JsonErrorKind::Duplicate(_)) => {
                (kind.clone(), key_start(input, settled(input, at)))
            }
            Some(kind) => (kind.clone(), at),
            None => (JsonErrorKind::Syntax(reason(e)), at),
        };
        let mut out = JsonError {
            kind,
            offset,
            path: "$".to_owned(),
        };
        for segment in self.path.iter().rev() {
            out = within(out, segment);
        }
        out
    }
}

/// serde_json's reason without its " at line L column C".
fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_owned(),
        None => text,
    }
}

/// The byte offset serde_json's line and column (in bytes, 1-based) name.
fn offset_of(input: &[u8], e: &serde_json::Error) -> usize {
    let mut line_start = 0;
    for _ in 1..e.line() {
        match input
            .get(line_start..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            Some(at) => line_start += at + 1,
            None => break,
        }
    }
    (line_start + e.column()).saturating_sub(1).min(input.len())
}

/// Where the seed refused, given where serde_json says it did: after a
/// visitor fails, serde_json still looks for the end of the array or object
/// (skipping whitespace, and eating a `]`, `}` or `,` it finds) before it
/// sets the error's position, so the seed's position is found by going
/// back over what that look ate.
fn settled(input: &[u8], at: usize) -> usize {
    let is_ws = |i: usize| matches!(input.get(i), Some(b' ' | b'\t' | b'\n' | b'\r'));
    let mut at = at;
    while at > 0 && is_ws(at) {
        at -= 1;
    }
    if at > 0 && matches!(input.get(at), Some(b']' | b'}' | b',')) {
        at -= 1;
        while at > 0 && is_ws(at) {
            at -= 1;
        }
    }
    at
}

/// The offset of the opening quote of the key whose closing quote is at
/// `close`: the last `"` before it that no backslash escapes.
fn key_start(input: &[u8], close: usize) -> usize {
    let mut at = close;
    while at > 0 {
        at -= 1;
        if input.get(at) == Some(&b'"') {
            let backslashes = input
                .get(..at)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if backslashes % 2 == 0 {
                return at;
            }
        }
    }
    at
}

/// Reads one value, `segment` (a member or an index) deeper in the path.
struct ValueSeed<'s> {
    state: &'s mut State,
    segment: Option<String>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let pushed = self.segment.is_some();
        if let Some(segment) = self.segment {
            self.state.path.push(segment);
        }
        let value = deserializer.deserialize_any(ValueVisitor {
            state: &mut *self.state,
        })?;
        // On failure the path is left as it is: it names where.
        if pushed {
            self.state.path.pop();
        }
        Ok(value)
    }
}

struct ValueVisitor<'s> {
    state: &'s mut State,
}

impl ValueVisitor<'_> {
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        self.state.depth += 1;
        if self.state.depth > self.state.max_depth {
            self.state.refused = Some(JsonErrorKind::TooDeep(self.state.max_depth));
            return Err(E::custom("nested too deep"));
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            let seed = ValueSeed {
                state: &mut *self.state,
                segment: Some(format!("[{}]", items.len())),
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        self.state.depth -= 1;
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let segment = member_segment(&key);
            if map.contains_key(&key) {
                self.state.path.push(segment);
                self.state.refused = Some(JsonErrorKind::Duplicate(key));
                return Err(de::Error::custom("duplicate key"));
            }
            let value = access.next_value_seed(ValueSeed {
                state: &mut *self.state,
                segment: Some(segment),
            })?;
            map.insert(key, value);
        }
        self.state.depth -= 1;
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate as json;

    /// The roads agree on `text` (see [`compare`]).
    fn agree(text: &[u8], max_depth: usize) {
        if let Err(e) = compare(text, max_depth) {
            panic!("{e}");
        }
    }

    #[test]
    fn refusals_match_the_hand_written_reader() {
        for (text, kind, offset, path) in [
            (
                r#"{"payload":"a","p\u0061yload":"b"}"#,
                JsonErrorKind::Duplicate("payload".into()),
                15,
                "$.payload",
            ),
            (
                r#"{"x":{"run":1,"r\"un":2,"run":2}}"#,
                JsonErrorKind::Duplicate("run".into()),
                24,
                "$.x.run",
            ),
            (
                "[[1],{\"a b\":[[[]]]}]",
                JsonErrorKind::TooDeep(4),
                14,
                "$[1][\"a b\"][0][0]",
            ),
            (
                "[ [ [ [ [\n ] ]",
                JsonErrorKind::TooDeep(4),
                8,
                "$[0][0][0][0]",
            ),
            (
                "{\"a\":1 , \"a\"\n :2}",
                JsonErrorKind::Duplicate("a".into()),
                9,
                "$.a",
            ),
            ("{} {}", JsonErrorKind::Trailing, 3, "$"),
        ] {
            let want = json::parse(text.as_bytes(), 4).unwrap_err();
            assert_eq!(
                (&want.kind, want.offset, want.path.as_str()),
                (&kind, offset, path)
            );
            assert_eq!(parse(text.as_bytes(), 4).unwrap_err(), want, "{text}");
        }
    }

    #[test]
    fn both_roads_refuse_what_the_strict_reader_refuses() {
        for text in [
            "\u{feff}{}",
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\ud800\u0041""#,
            "01",
            "-01",
            "1.",
            "1e",
            "-",
            "+1",
            ".5",
            "1e400",
            "[1,]",
            "{\"a\":1,}",
            "\"a\tb\"",
            "\"\\x\"",
            "NaN",
            "tru",
            "nul",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "",
            " ",
            "\"abc",
        ] {
            assert!(json::parse(text.as_bytes(), 8).is_err(), "{text}");
            agree(text.as_bytes(), 8);
        }
        assert!(parse(b"\"\xff\"", 8).is_err());
        agree(b"{\"a\":\"\xc3\"}", 8);
    }

    #[test]
    fn values_match() {
        for text in [
            r#" {"a": [1, -2, 3.5, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#,
            "-0",
            "1.0",
            "1e2",
            "1E-2",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "0.1000000000000000055511151231257827",
            "2.2250738585072011e-308",
            "1e-400",
            "123456789012345678901234567890",
            r#""\/\b\f\n\r\t\"\\""#,
        ] {
            agree(text.as_bytes(), 8);
        }
    }

    #[test]
    fn depth_beyond_serde_jsons_own_limit() {
        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        agree(ok.as_bytes(), 200);
        assert!(parse(ok.as_bytes(), 200).is_ok());
        let deep = "[".repeat(100_000);
        let e = parse(deep.as_bytes(), 128).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooDeep(128));
        assert_eq!(e, json::parse(deep.as_bytes(), 128).unwrap_err());
    }

    /// Generated JSON: members drawn from a few keys written several ways
    /// (so that repeats, some escaped, are common), odd numbers, escapes,
    /// odd whitespace, nesting up to 12 levels.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let ws = prop::sample::select(vec!["", "", " ", "\n", "\t", "\r\n  "]);
        let number = prop::sample::select(vec![
            "0",
            "-0",
            "1",
            "-1",
            "01",
            "1.",
            "1.5",
            "-0.0",
            "1e5",
            "1E+2",
            "2e-3",
            "1e400",
            "1e-400",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "0.30000000000000004",
            "123456789012345678901234567890",
            "-",
            "+1",
            ".5",
            "0x1",
        ]);
        let string = prop::sample::select(vec![
            "\"\"",
            "\"a\"",
            "\"\\u0061\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\n\\t\\/\\\\\\\"\"",
            "\"\\x\"",
            "\"\u{e9}\"",
            "\"\t\"",
            "\"\\u00\"",
            "\"abc",
        ]);
        let key = prop::sample::select(vec![
            "\"a\"",
            "\"a\"",
            "\"\\u0061\"",
            "\"b\"",
            "\"A\"",
            "\"a b\"",
            "\"\\\"\"",
            "\"\"",
        ]);
        let leaf = prop_oneof![
            number.prop_map(str::to_owned),
            string.prop_map(str::to_owned),
            prop::sample::select(vec!["true", "false", "null", "nul", "NaN"])
                .prop_map(str::to_owned),
        ];
        let around = ws.clone();
        let tree = leaf.prop_recursive(12, 64, 4, move |inner| {
            let member = (key.clone(), ws.clone(), ws.clone(), inner.clone())
                .prop_map(|(k, w1, w2, v)| format!("{k}{w1}:{w2}{v}"));
            prop_oneof![
                prop::collection::vec(inner, 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec(member, 0..4)
                    .prop_map(|members| format!("{{{}}}", members.join(" , "))),
            ]
        });
        (
            tree,
            around,
            prop::sample::select(vec!["", "", "", " x", ",", "}", " {}"]),
        )
            .prop_map(|(t, w, tail)| format!("{w}{t}{w}{tail}"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Generated JSON, and the same with one byte cut out: both roads
        /// accept the same texts with the same values, refuse the rest
        /// alike (see [`syntax_agrees`]), and are stricter than plain
        /// serde_json only for repeats and depth.
        #[test]
        fn roads_agree_on_generated_json(text in json_text(), cut in proptest::num::usize::ANY, depth in 1usize..14) {
            let r = compare(text.as_bytes(), depth);
            proptest::prop_assert!(r.is_ok(), "{}", r.unwrap_err());
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() {
                bytes.remove(cut % bytes.len());
            }
            let r = compare(&bytes, depth);
            proptest::prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        }

        /// JSON-ish characters in any order.
        #[test]
        fn roads_agree_on_json_ish_text(text in "[\\[\\]{}\",:0-9a-fEeu.+\\\\ \n\t/-]{0,48}") {
            let r = compare(text.as_bytes(), 6);
            proptest::prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        }

        /// Any bytes.
        #[test]
        fn roads_agree_on_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let r = compare(&bytes, 6);
            proptest::prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        }
    }

    /// The facts docs/ARCHITECTURE.md gives about error positions: every
    /// evidence file of tests/cases, whole and with each one byte cut out
    /// or doubled, through both roads. Run with `cargo test --lib
    /// json_serde::tests::survey -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints a survey"]
    fn survey() {
        use std::collections::BTreeMap;
        let mut inputs = Vec::new();
        for dir in ["tests/cases/evidence/ok", "tests/cases/evidence/err"] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "jsonl") {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                if let (Err(a), Err(b)) = (json::parse(&bytes, 128), parse(&bytes, 128)) {
                    if a != b {
                        println!("{}: {a:?} / {b:?}", path.display());
                    }
                }
                inputs.push(bytes);
            }
        }
        let mut variants = Vec::new();
        for bytes in &inputs {
            variants.push(bytes.clone());
            for at in 0..bytes.len().min(4000) {
                let mut cut = bytes.clone();
                cut.remove(at);
                variants.push(cut);
                let mut doubled = bytes.clone();
                doubled.insert(at, bytes[at]);
                variants.push(doubled);
            }
        }
        let (mut both_ok, mut refused, mut same_kind, mut same_offset, mut same_path) =
            (0, 0, 0, 0, 0);
        let mut same_line_col = 0;
        let mut same_message = 0;
        let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for text in &variants {
            match (json::parse(text, 128), parse(text, 128)) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b);
                    both_ok += 1;
                }
                (Err(a), Err(b)) => {
                    assert!(syntax_agrees(&a, &b), "{a:?} / {b:?}");
                    refused += 1;
                    same_kind += usize::from(
                        std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind),
                    );
                    same_offset += usize::from(a.offset == b.offset);
                    same_line_col += usize::from(
                        json::line_col(text, a.offset) == json::line_col(text, b.offset),
                    );
                    same_path += usize::from(a.path == b.path);
                    same_message += usize::from(a.kind == b.kind);
                    if a.offset != b.offset {
                        let key = (format!("@ {}", a.kind), b.kind.to_string());
                        *pairs.entry(key).or_default() += 1;
                    }
                    if a.kind != b.kind {
                        *pairs
                            .entry((a.kind.to_string(), b.kind.to_string()))
                            .or_default() += 1;
                    }
                }
                (a, b) => panic!("{a:?} / {b:?}"),
            }
        }
        println!(
            "inputs {} accepted by both {both_ok} refused by both {refused}: same kind {same_kind}, \
             same message {same_message}, same offset {same_offset}, same line:column {same_line_col}, \
             same path {same_path}",
            variants.len()
        );
        for ((a, b), n) in pairs.iter().filter(|(_, &n)| n > 5) {
            println!("{n:6}  {a}  /  {b}");
        }
    }
}

//! Canonical JSON exactly as securesystemslib's `encode_canonical` writes it.
//!
//! This is the OLPC dialect, not RFC 8785: no whitespace, object members
//! sorted by key code point (UTF-8 byte order gives the same order), strings
//! with only `\` and `"` escaped and every other character written raw,
//! integers only. It is always computed over the raw parsed value of a classic
//! `signed` object, never over re-serialised structs, so fields cairn ignores
//! are still covered by the signature.

use std::fmt::Write as _;

use serde_json::Value;

/// A value that has no canonical form: a non-integer number, at a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalError {
    /// The number as read.
    pub number: String,
    /// The field path (`$.environment.x`).
    pub path: String,
}

/// The canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out, &mut String::from("$"))?;
    Ok(out)
}

/// Appends the canonical bytes of `value` to `out`.
pub fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    write(value, out, &mut String::from("$"))
}

fn write(value: &Value, out: &mut Vec<u8>, path: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                // serde_json prints integers exactly as decimal without `+` or leading zeros.
                out.extend_from_slice(n.to_string().as_bytes());
            } else {
                return Err(CanonicalError {
                    number: n.to_string(),
                    path: path.clone(),
                });
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let len = path.len();
                // Writing into a String cannot fail.
                let _ = write!(path, "[{i}]");
                write(item, out, path)?;
                path.truncate(len);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // serde_json's Map is a BTreeMap (no `preserve_order`), so the
            // members are usually sorted already; sort only when they are
            // not, so the order never depends on a feature flag.
            let sorted = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| a.as_bytes() < b.as_bytes());
            out.push(b'{');
            if sorted {
                for (i, (key, item)) in map.iter().enumerate() {
                    member(i, key, item, out, path)?;
                }
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                for (i, (key, item)) in members.into_iter().enumerate() {
                    member(i, key, item, out, path)?;
                }
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn member(
    i: usize,
    key: &str,
    item: &Value,
    out: &mut Vec<u8>,
    path: &mut String,
) -> Result<(), CanonicalError> {
    if i > 0 {
        out.push(b',');
    }
    write_string(key, out);
    out.push(b':');
    let len = path.len();
    path.push('.');
    path.push_str(key);
    let result = write(item, out, path);
    path.truncate(len);
    result
}

/// Writes `s` quoted, escaping only `\` and `"`; runs of other bytes are
/// copied at once.
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut rest = s.as_bytes();
    while let Some(at) = first_special(rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        out.push(b'\\');
        let Some((&special, tail)) = tail.split_first() else {
            break;
        };
        out.push(special);
        rest = tail;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The offset of the first `\\` or `"` in `bytes`; groups of eight bytes
/// without one are passed over at once.
fn first_special(bytes: &[u8]) -> Option<usize> {
    use cairn_json::words::{first_equal, word};
    let mut plain = 0;
    for chunk in bytes.chunks_exact(8) {
        let Some(v) = word(chunk) else {
            break;
        };
        if first_equal(v, b'"') | first_equal(v, b'\\') != 0 {
            break;
        }
        plain += 8;
    }
    let rest = bytes.get(plain..).unwrap_or_default();
    rest.iter()
        .position(|&b| b == b'\\' || b == b'"')
        .map(|at| at + plain)
}

#[cfg(test)]
mod tests {
    /// A quote or backslash at every offset around the groups of eight is
    /// found and escaped, next to multi-byte characters.
    #[test]
    fn special_bytes_found_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for special in ['"', '\\'] {
                    let mut text: Vec<char> = "aé".chars().cycle().take(len).collect();
                    text[at] = special;
                    let text: String = text.into_iter().collect();
                    let offset = text.char_indices().nth(at).map(|(i, _)| i);
                    assert_eq!(super::first_special(text.as_bytes()), offset, "{text}");
                    let mut out = Vec::new();
                    super::write_string(&text, &mut out);
                    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
                    assert_eq!(out, format!("\"{escaped}\"").into_bytes());
                }
            }
            let plain = "é".repeat(len);
            assert_eq!(super::first_special(plain.as_bytes()), None);
        }
    }

    use super::*;

    /// in-toto.md 4.1 (in-toto-golang `canonical-test.link`).
    #[test]
    fn reference_vector_byte_for_byte() {
        let input = br#"{"_type":"link","name":"test","command":[],"byproducts":{},"products":{},"materials":{},
 "environment":{"a":"WTF","b":true,"c":false,"d":null,"e":1,"f":"\u001b\uFFFFF\\n\""}}"#;
        let value = cairn_json::parse(input, 128).unwrap();
        let expected = hex::decode(concat!(
            "7b225f74797065223a226c696e6b222c22627970726f6475637473223a7b7d2c22636f6d6d616e64223a5b5d",
            "2c22656e7669726f6e6d656e74223a7b2261223a22575446222c2262223a747275652c2263223a66616c7365",
            "2c2264223a6e756c6c2c2265223a312c2266223a221befbfbf465c5c6e5c22227d2c226d6174657269616c73",
            "223a7b7d2c226e616d65223a2274657374222c2270726f6475637473223a7b7d7d"
        ))
        .unwrap();
        assert_eq!(to_canonical(&value).unwrap(), expected);
    }

    #[test]
    fn floats_are_refused_with_their_path() {
        for n in ["1.0", "1e2", "-0", "18446744073709551616"] {
            let text = format!(r#"{{"a":{{"b":[{n}]}}}}"#);
            let value = cairn_json::parse(text.as_bytes(), 128).unwrap();
            let e = to_canonical(&value).unwrap_err();
            assert_eq!(e.path, "$.a.b[0]", "{n}");
        }
    }

    #[test]
    fn raw_newlines_and_non_ascii() {
        let value = serde_json::json!({"k": "a\nb\u{2028}é😀", "a": -5});
        assert_eq!(
            to_canonical(&value).unwrap(),
            "{\"a\":-5,\"k\":\"a\nb\u{2028}é😀\"}".as_bytes()
        );
    }
}

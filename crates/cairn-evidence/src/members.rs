//! Reading the members of signed JSON content: the helpers the readers of
//! Statements, classic links and classic layouts share (the error of a
//! malformed member, lists of strings, digest sets) and the Statement types.

use serde_json::Value;

use super::error::{EvidenceError, Location};
use super::model::DigestSet;

/// The Statement v1 `_type`.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// The Statement v0.1 `_type`.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

pub(super) fn bad(
    at: &Location,
    field: &str,
    what: &'static str,
    reason: impl Into<String>,
) -> EvidenceError {
    EvidenceError::Malformed {
        at: at.clone().with_field(field),
        what,
        reason: reason.into(),
    }
}

/// Reads a list of strings (`command`, `run`, `pubkeys`).
pub(super) fn strings(
    value: Option<&Value>,
    at: &Location,
    path: &str,
    what: &'static str,
) -> Result<Vec<String>, EvidenceError> {
    let Some(Value::Array(items)) = value else {
        return Err(bad(at, path, what, "must be an array of strings"));
    };
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(at, path, what, "must be an array of strings"))
        })
        .collect()
}

/// Expected hex lengths of the digest algorithms cairn knows.
pub(super) fn hex_len(alg: &str) -> Option<&'static [usize]> {
    Some(match alg {
        "sha256" | "sha512_256" | "sha3_256" | "dirHash" => &[64],
        "sha224" | "sha512_224" | "sha3_224" => &[56],
        "sha384" | "sha3_384" => &[96],
        "sha512" | "sha3_512" => &[128],
        "sha1" | "ripemd160" => &[40],
        "md5" => &[32],
        "gitCommit" | "gitTree" | "gitBlob" | "gitTag" => &[40, 64],
        _ => return None,
    })
}

/// Reads a DigestSet: every value a string; known algorithms lowercase hex of the right length.
pub fn digest_set(value: &Value, at: &Location, path: &str) -> Result<DigestSet, EvidenceError> {
    let Value::Object(obj) = value else {
        return Err(EvidenceError::BadSubject {
            at: at.clone().with_field(path),
            reason: "a digest set must be an object".into(),
        });
    };
    let mut out = DigestSet::new();
    for (alg, v) in obj {
        let field = format!("{path}.{alg}");
        let Value::String(v) = v else {
            return Err(EvidenceError::BadSubject {
                at: at.clone().with_field(field),
                reason: "a digest must be a string".into(),
            });
        };
        if let Some(lens) = hex_len(alg) {
            let ok = lens.contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                return Err(EvidenceError::BadSubject {
                    at: at.clone().with_field(field),
                    reason: format!(
                        "`{alg}` must be lowercase hex of {} digits",
                        lens.first().copied().unwrap_or(0)
                    ),
                });
            }
        }
        out.insert(alg.clone(), v.clone());
    }
    Ok(out)
}

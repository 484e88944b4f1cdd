//! One signed document from untrusted bytes: a DSSE envelope or a classic metablock.
//!
//! This layer only knows signatures and the bytes they cover (the PAE of a
//! DSSE payload, the canonical JSON of a metablock's raw `signed` value); what
//! the payload says is read in [`super::parse`]. A signature that cannot be
//! decoded is dropped with a warning while the others are kept.

use serde_json::{Map, Value};

use super::canonical::to_canonical;
use super::dsse::{b64_decode, Envelope, Signature};
use super::error::{small, EvidenceError, Location};
use super::limits::Limits;
use cairn_json::JsonErrorKind;

/// A signed document, before any signature is checked.
#[derive(Debug, Clone)]
pub enum Document {
    /// A DSSE envelope.
    Dsse(Envelope),
    /// A classic `{signed, signatures}` metablock.
    Metablock {
        /// The raw `signed` value.
        signed: Value,
        /// Its canonical JSON bytes: what the signatures are over.
        canonical: Vec<u8>,
        /// The decoded signatures.
        signatures: Vec<Signature>,
    },
}

/// The bytes a document's signatures are over, as a header and a body that
/// follow each other: a DSSE envelope's PAE header and its payload (never
/// copied behind the header), or nothing and a metablock's canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The bytes before `body`.
    pub header: Vec<u8>,
    /// The rest.
    pub body: &'a [u8],
}

impl Message<'_> {
    /// The two parts, in order.
    pub fn parts(&self) -> [&[u8]; 2] {
        [&self.header, self.body]
    }

    /// The whole message in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        [self.header.as_slice(), self.body].concat()
    }
}

impl Document {
    /// The bytes the signatures are over, in one buffer.
    pub fn message(&self) -> Vec<u8> {
        self.message_parts().to_vec()
    }

    /// The bytes the signatures are over, without copying them.
    pub fn message_parts(&self) -> Message<'_> {
        match self {
            Document::Dsse(env) => Message {
                header: super::dsse::pae_header(env.payload_type.as_bytes(), env.payload.len(), 0),
                body: &env.payload,
            },
            Document::Metablock { canonical, .. } => Message {
                header: Vec::new(),
                body: canonical,
            },
        }
    }

    /// The signatures.
    pub fn signatures(&self) -> &[Signature] {
        match self {
            Document::Dsse(env) => &env.signatures,
            Document::Metablock { signatures, .. } => signatures,
        }
    }
}

/// Parses strict JSON, mapping failures to located errors. `at` names the
/// file and, in a bundle, the line (then only the column is filled in).
pub fn parse_json(bytes: &[u8], at: &Location, max_depth: usize) -> Result<Value, EvidenceError> {
    cairn_json::parse(bytes, max_depth).map_err(|e| {
        let (line, column) = cairn_json::line_col(bytes, e.offset);
        let mut loc = at.clone();
        if at.line.is_some() {
            loc.column = Some(small(column));
        } else {
            loc.line = Some(small(line));
            loc.column = Some(small(column));
        }
        loc.field = (e.path != "$").then_some(e.path);
        match e.kind {
            JsonErrorKind::Syntax(reason) => EvidenceError::Json { at: loc, reason },
            JsonErrorKind::Trailing => EvidenceError::TrailingData { at: loc },
            JsonErrorKind::Duplicate(key) => EvidenceError::DuplicateKey { at: loc, key },
            JsonErrorKind::TooDeep(limit) => EvidenceError::TooDeep { at: loc, limit },
        }
    })
}

/// Refuses keys of `obj` that differ from one of `known` only in case.
pub fn check_case(
    obj: &Map<String, Value>,
    known: &[&str],
    at: &Location,
    path: &str,
) -> Result<(), EvidenceError> {
    for key in obj.keys() {
        for k in known {
            if key != k && key.eq_ignore_ascii_case(k) {
                return Err(EvidenceError::CaseVariantKey {
                    at: at.clone().with_field(format!("{path}.{key}")),
                    key: key.clone(),
                    known: (*k).to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Reads one document from `bytes`. Returns it and any per-signature warnings.
pub fn read_document(
    bytes: &[u8],
    at: &Location,
    limits: &Limits,
) -> Result<(Document, Vec<EvidenceError>), EvidenceError> {
    let value = parse_json(bytes, at, limits.max_depth)?;
    document_from_value(value, at)
}

/// Reads one document from its parsed JSON value (see [`read_document`]).
pub fn document_from_value(
    value: Value,
    at: &Location,
) -> Result<(Document, Vec<EvidenceError>), EvidenceError> {
    let Value::Object(obj) = value else {
        return Err(EvidenceError::Unrecognised {
            at: at.clone(),
            reason: "the JSON value is not an object".into(),
        });
    };
    let lower: Vec<String> = obj.keys().map(|k| k.to_ascii_lowercase()).collect();
    let has = |name: &str| lower.iter().any(|k| k == name);
    if has("payload") || has("payloadtype") {
        check_case(&obj, &["payload", "payloadType", "signatures"], at, "$")?;
        read_envelope(obj, at)
    } else if has("signed") {
        check_case(&obj, &["signed", "signatures"], at, "$")?;
        read_metablock(obj, at)
    } else {
        Err(EvidenceError::Unrecognised {
            at: at.clone(),
            reason: "neither `payload` nor `signed` is present".into(),
        })
    }
}

fn malformed(at: &Location, field: &str, what: &'static str, reason: &str) -> EvidenceError {
    EvidenceError::Malformed {
        at: at.clone().with_field(field),
        what,
        reason: reason.to_owned(),
    }
}

fn read_envelope(
    mut obj: Map<String, Value>,
    at: &Location,
) -> Result<(Document, Vec<EvidenceError>), EvidenceError> {
    let what = "envelope";
    let Some(Value::String(payload_text)) = obj.remove("payload") else {
        return Err(malformed(
            at,
            "$.payload",
            what,
            "`payload` must be a string",
        ));
    };
    let Some(Value::String(payload_type)) = obj.remove("payloadType") else {
        return Err(malformed(
            at,
            "$.payloadType",
            what,
            "`payloadType` must be a string",
        ));
    };
    let payload = b64_decode(&payload_text).ok_or_else(|| EvidenceError::Encoding {
        at: at.clone().with_field("$.payload"),
        encoding: "base64",
    })?;
    let (signatures, notes) = read_signatures(obj.remove("signatures"), at, true)?;
    Ok((
        Document::Dsse(Envelope {
            payload_type,
            payload,
            signatures,
        }),
        notes,
    ))
}

fn read_metablock(
    mut obj: Map<String, Value>,
    at: &Location,
) -> Result<(Document, Vec<EvidenceError>), EvidenceError> {
    let Some(signed) = obj.remove("signed") else {
        return Err(malformed(
            at,
            "$.signed",
            "metablock",
            "`signed` is missing",
        ));
    };
    if !signed.is_object() {
        return Err(malformed(
            at,
            "$.signed",
            "metablock",
            "`signed` must be an object",
        ));
    }
    let canonical = to_canonical(&signed).map_err(|e| EvidenceError::NonCanonicalNumber {
        at: at.clone().with_field(format!(
            "$.signed{}",
            e.path.strip_prefix('$').unwrap_or("")
        )),
        number: e.number,
    })?;
    let (signatures, notes) = read_signatures(obj.remove("signatures"), at, false)?;
    Ok((
        Document::Metablock {
            signed,
            canonical,
            signatures,
        },
        notes,
    ))
}

/// Reads `signatures`: base64 (`dsse`) or hex (classic) `sig` values.
pub(super) fn read_signatures(
    value: Option<Value>,
    at: &Location,
    dsse: bool,
) -> Result<(Vec<Signature>, Vec<EvidenceError>), EvidenceError> {
    let what = if dsse { "envelope" } else { "metablock" };
    let list = match value {
        Some(Value::Array(list)) => list,
        None => return Err(EvidenceError::NoSignatures { at: at.clone() }),
        Some(_) => {
            return Err(malformed(
                at,
                "$.signatures",
                what,
                "`signatures` must be an array",
            ))
        }
    };
    if list.is_empty() {
        return Err(EvidenceError::NoSignatures { at: at.clone() });
    }
    if list.len() > super::limits::MAX_SIGNATURES {
        return Err(EvidenceError::TooMany {
            at: at.clone().with_field("$.signatures"),
            what: "signatures",
            count: list.len(),
            max: super::limits::MAX_SIGNATURES,
        });
    }
    let mut out = Vec::with_capacity(list.len());
    let mut notes = Vec::new();
    for (i, entry) in list.into_iter().enumerate() {
        let path = format!("$.signatures[{i}]");
        let Value::Object(entry) = entry else {
            return Err(malformed(at, &path, what, "a signature must be an object"));
        };
        check_case(&entry, &["keyid", "sig", "cert"], at, &path)?;
        let keyid = match entry.get("keyid") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(malformed(
                    at,
                    &format!("{path}.keyid"),
                    what,
                    "`keyid` must be a string",
                ))
            }
        };
        // slsa-github-generator v1 puts the Fulcio certificate beside the
        // signature; it is accepted and never used (docs/evidence.md).
        if entry
            .get("cert")
            .is_some_and(|c| !c.is_string() && !c.is_null())
        {
            return Err(malformed(
                at,
                &format!("{path}.cert"),
                what,
                "`cert` must be a string (a PEM certificate)",
            ));
        }
        let Some(Value::String(text)) = entry.get("sig") else {
            return Err(malformed(
                at,
                &format!("{path}.sig"),
                what,
                "`sig` must be a string",
            ));
        };
        let decoded = if dsse {
            b64_decode(text)
        } else {
            hex::decode(text).ok()
        };
        match decoded {
            Some(sig) => out.push(Signature { keyid, sig }),
            None => notes.push(EvidenceError::IgnoredSignature {
                at: at.clone().with_field(format!("{path}.sig")),
                reason: format!("not valid {}", if dsse { "base64" } else { "hex" }),
            }),
        }
    }
    Ok((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_parts_are_the_pae_and_the_canonical_bytes() {
        let key = super::super::keyfile::SigningKey::generate_ed25519();
        for (t, body) in [("x", &b""[..]), ("é", b"{}"), ("", b"\n\0payload")] {
            let env = super::super::dsse::sign_dsse(t, body, &key);
            let doc = Document::Dsse(env.clone());
            let parts = doc.message_parts();
            assert_eq!(parts.body, body);
            assert_eq!(parts.parts().concat(), env.pae());
            assert_eq!(doc.message(), env.pae());
        }
        let doc = Document::Metablock {
            signed: Value::Null,
            canonical: b"{}".to_vec(),
            signatures: Vec::new(),
        };
        assert_eq!(doc.message_parts().parts(), [&b""[..], &b"{}"[..]]);
        assert_eq!(doc.message(), b"{}");
    }
}

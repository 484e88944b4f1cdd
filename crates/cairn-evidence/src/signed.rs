//! What `cairn verify-envelope` reads from one file: the signed documents
//! in it, whatever wraps them, for a signature check against given keys.
//!
//! - a DSSE envelope or a classic metablock (the file itself);
//! - a Sigstore bundle (`*.sigstore.json`, or a `.intoto.jsonl` line as gh
//!   and slsa-github-generator write it): its DSSE envelope, or its message
//!   signature over the artifact digest it states;
//! - a `.jsonl` file: each non-blank line, as one of the above;
//! - a document holding several attestations ([`super::holder`]): each entry.
//!
//! Only signatures are read here: a bundle's certificate chain, log entries
//! and timestamps are shape-checked (by [`super::sigstore::read`]) but not
//! verified; `cairn verify-bundle` verifies them.

use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use super::document::{document_from_value, parse_json, read_document, Document};
use super::error::{small, EvidenceError, Location};
use super::limits::Limits;

/// One signed document of a file.
#[derive(Debug, Clone)]
pub struct SignedEntry {
    /// The bundle line it is on (a `.jsonl` file).
    pub line: Option<usize>,
    /// Its JSON path in a document holding several.
    pub entry: Option<String>,
    /// What is signed.
    pub signed: Signed,
    /// Warnings (signatures that could not be decoded).
    pub notes: Vec<EvidenceError>,
}

/// Where an entry stands in its file: `line 3`, `$.attestations[1].bundle`,
/// both, or nothing.
pub fn entry_label(line: Option<usize>, entry: Option<&str>) -> Option<String> {
    match (line, entry) {
        (None, None) => None,
        (Some(line), None) => Some(format!("line {line}")),
        (None, Some(entry)) => Some(entry.to_string()),
        (Some(line), Some(entry)) => Some(format!("line {line} {entry}")),
    }
}

impl SignedEntry {
    /// `line 3`, `$.attestations[1].bundle`, both, or nothing.
    pub fn label(&self) -> Option<String> {
        entry_label(self.line, self.entry.as_deref())
    }
}

/// What one entry signs.
#[derive(Debug, Clone)]
pub enum Signed {
    /// A DSSE envelope or classic metablock of its own.
    Document(Document),
    /// The DSSE envelope of a Sigstore bundle.
    BundleEnvelope(Document),
    /// The message signature of a Sigstore bundle.
    BundleMessage {
        /// `SHA2_256`, `SHA2_384` or `SHA2_512`.
        algorithm: String,
        /// The artifact digest the bundle states.
        digest: Vec<u8>,
        /// The signature.
        sig: Vec<u8>,
    },
}

impl Signed {
    /// Whether it came from a Sigstore bundle.
    pub fn in_bundle(&self) -> bool {
        !matches!(self, Signed::Document(_))
    }
}

/// The start of every Sigstore bundle media type.
const SIGSTORE_MEDIA_TYPE: &[u8] = b"application/vnd.dev.sigstore.bundle";

/// Reads every signed document of the file at `path`.
pub fn read_signed_entries(
    path: &Path,
    limits: &Limits,
) -> Result<Vec<SignedEntry>, EvidenceError> {
    let name = cairn_base::files::display_name(path);
    let stdin = cairn_base::files::is_stdin(path);
    let bytes = if stdin {
        super::read::read_bounded_stream(path, limits.max_file_bytes)?
    } else {
        super::read::read_bounded(path, limits.max_file_bytes)?
    };
    let lines = name.ends_with(".jsonl") || (stdin && json_lines(&bytes));
    if !lines {
        return read_entries(&bytes, &Location::file(name), None, limits);
    }
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = Location {
            file: name.clone(),
            line: Some(small(i + 1)),
            ..Location::default()
        };
        out.extend(read_entries(line, &at, Some(i + 1), limits)?);
    }
    match out.as_mut_slice() {
        [] => Err(EvidenceError::Unrecognised {
            at: Location::file(name),
            reason: "the bundle has no lines".into(),
        }),
        // A bundle of one line is reported as that document alone.
        [one] => {
            one.line = None;
            Ok(out)
        }
        _ => Ok(out),
    }
}

/// Whether standard input holds JSON lines (a bundle) rather than one JSON
/// text: more than one line, the first of which is a whole JSON value.
fn json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    match (lines.next(), lines.next()) {
        (Some(first), Some(_)) => serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok(),
        _ => false,
    }
}

/// The signed documents of one JSON text (a file, or a bundle line).
fn read_entries(
    bytes: &[u8],
    at: &Location,
    line: Option<usize>,
    limits: &Limits,
) -> Result<Vec<SignedEntry>, EvidenceError> {
    let wrapped = super::holder::may_hold(bytes)
        || memchr::memmem::find(bytes, SIGSTORE_MEDIA_TYPE).is_some();
    if !wrapped {
        // The ordinary reader: its errors point into the file exactly.
        let (document, notes) = read_document(bytes, at, limits)?;
        return Ok(vec![SignedEntry {
            line,
            entry: None,
            signed: Signed::Document(document),
            notes,
        }]);
    }
    let value = parse_json(bytes, at, limits.max_depth)?;
    let Some((_, entries)) = super::holder::entries(&value, at)? else {
        let (signed, notes) = one(&value, bytes, at)?;
        return Ok(vec![SignedEntry {
            line,
            entry: None,
            signed,
            notes,
        }]);
    };
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let text = entry.value.to_string();
        let (signed, notes) = one(entry.value, text.as_bytes(), at).map_err(|e| {
            let mut e = e.within_entry(&entry.path);
            e.location_mut().line = at.line;
            e
        })?;
        let notes = notes
            .into_iter()
            .map(|n| n.within_entry(&entry.path))
            .collect();
        out.push(SignedEntry {
            line,
            entry: Some(entry.path),
            signed,
            notes,
        });
    }
    Ok(out)
}

/// One signed document from its parsed value; `bytes` are its text.
fn one(
    value: &Value,
    bytes: &[u8],
    at: &Location,
) -> Result<(Signed, Vec<EvidenceError>), EvidenceError> {
    if !super::sigstore::looks_like_bundle(value) {
        let (document, notes) = document_from_value(value.clone(), at)?;
        return Ok((Signed::Document(document), notes));
    }
    // The bundle's shape is checked as `cairn verify-bundle` checks it.
    super::sigstore::read::bundle_from_value(value, bytes, at)?;
    if let Some(envelope) = value.get("dsseEnvelope") {
        let (document, notes) = document_from_value(envelope.clone(), at)
            .map_err(|e| e.within_entry("$.dsseEnvelope"))?;
        let notes = notes
            .into_iter()
            .map(|n| n.within_entry("$.dsseEnvelope"))
            .collect();
        return Ok((Signed::BundleEnvelope(document), notes));
    }
    let refuse = |field: &str, reason: &str| EvidenceError::SigstoreBundle {
        at: at.clone().with_field(field),
        reason: reason.to_owned(),
    };
    let message = value
        .get("messageSignature")
        .ok_or_else(|| refuse("$", "neither `messageSignature` nor `dsseEnvelope`"))?;
    fn text<'v>(
        v: Option<&'v Value>,
        field: &str,
        refuse: impl Fn(&str, &str) -> EvidenceError,
    ) -> Result<&'v str, EvidenceError> {
        v.and_then(Value::as_str)
            .ok_or_else(|| refuse(field, "missing or not a string"))
    }
    let b64 = |s: &str, field: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|_| refuse(field, "not valid base64"))
    };
    let digest = message.get("messageDigest");
    let algorithm = text(
        digest.and_then(|d| d.get("algorithm")),
        "$.messageSignature.messageDigest.algorithm",
        refuse,
    )?;
    let digest = b64(
        text(
            digest.and_then(|d| d.get("digest")),
            "$.messageSignature.messageDigest.digest",
            refuse,
        )?,
        "$.messageSignature.messageDigest.digest",
    )?;
    let sig = b64(
        text(
            message.get("signature"),
            "$.messageSignature.signature",
            refuse,
        )?,
        "$.messageSignature.signature",
    )?;
    Ok((
        Signed::BundleMessage {
            algorithm: algorithm.to_owned(),
            digest,
            sig,
        },
        Vec::new(),
    ))
}

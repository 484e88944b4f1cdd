//! Which of the given keys signed a DSSE envelope or classic metablock, as
//! `cairn verify-envelope` says. The payload is not interpreted.
//!
//! A file may hold several signed documents (a `.jsonl` bundle's lines,
//! npm's attestations document, gcloud's provenance output): each is
//! checked. A Sigstore bundle's DSSE envelope (or message signature) is
//! checked against the given keys only; its certificate chain, log entries,
//! timestamps and identity are not ([`NOT_CHECKED`] says so;
//! [`crate::bundle`] checks them).
//!
//! ```
//! use std::path::Path;
//!
//! let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/release");
//! let key = cairn::envelope::read_public_key(&root.join("keys/ci.pub")).unwrap();
//! let report = cairn::envelope::verify_envelope(
//!     &root.join("bundles/pass.intoto.jsonl"),
//!     &[key],
//!     &cairn::Limits::default(),
//! )
//! .unwrap();
//! assert!(report.verified());
//! assert!(report.documents.len() > 1);
//! ```

use std::path::Path;

pub use cairn_evidence::keyread::read_public_key;
use cairn_evidence::scheme::{verify_prehash, PrehashError};
use cairn_evidence::signed::{read_signed_entries, Signed, SignedEntry};
use cairn_evidence::{EvidenceError, Limits, Location, TrustedKey};

/// What is said once when any signed document came from a Sigstore bundle.
pub const NOT_CHECKED: &str = "only the signature was checked against the given keys: the Sigstore bundle's certificate chain, transparency log entries, timestamps and signer identity were not (`cairn verify-bundle` checks them)";

/// What kind of signed document was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A DSSE envelope or classic metablock of its own.
    Envelope,
    /// The DSSE envelope of a Sigstore bundle.
    SigstoreDsse,
    /// The message signature of a Sigstore bundle (over the artifact digest
    /// the bundle states, which is not checked against any artifact).
    SigstoreMessage,
}

impl DocumentKind {
    /// `envelope`, `sigstore-dsse` or `sigstore-message`, as the JSON output
    /// names it.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Envelope => "envelope",
            DocumentKind::SigstoreDsse => "sigstore-dsse",
            DocumentKind::SigstoreMessage => "sigstore-message",
        }
    }
}

/// What the signature check of one signed document found.
#[derive(Debug)]
pub struct DocumentCheck {
    /// The bundle line it is on (a `.jsonl` file).
    pub line: Option<usize>,
    /// Its JSON path in a document holding several.
    pub entry: Option<String>,
    /// What it is.
    pub kind: DocumentKind,
    /// The given keys that signed it, in the order given.
    pub signers: Vec<TrustedKey>,
    /// Why each other signature did not verify.
    pub failures: Vec<String>,
    /// Warnings (signatures that could not be decoded).
    pub notes: Vec<EvidenceError>,
}

impl DocumentCheck {
    /// `line 3`, `$.attestations[1].bundle`, both, or nothing.
    pub fn label(&self) -> Option<String> {
        cairn_evidence::signed::entry_label(self.line, self.entry.as_deref())
    }

    /// Whether a given key signed it.
    pub fn verified(&self) -> bool {
        !self.signers.is_empty()
    }
}

/// Every signed document of a file, checked.
#[derive(Debug)]
pub struct EnvelopeReport {
    /// In file order.
    pub documents: Vec<DocumentCheck>,
}

impl EnvelopeReport {
    /// Whether a given key signed at least one document (which must, is
    /// for a policy to say).
    pub fn verified(&self) -> bool {
        self.documents.iter().any(DocumentCheck::verified)
    }

    /// Whether any document came from a Sigstore bundle ([`NOT_CHECKED`]
    /// applies).
    pub fn from_bundle(&self) -> bool {
        self.documents
            .iter()
            .any(|d| d.kind != DocumentKind::Envelope)
    }

    /// The one document, when the file is a plain envelope or metablock
    /// (no lines, no entries, no bundle).
    pub fn single(&self) -> Option<&DocumentCheck> {
        match self.documents.as_slice() {
            [one] if one.label().is_none() && one.kind == DocumentKind::Envelope => Some(one),
            _ => None,
        }
    }
}

/// What stops [`verify_envelope`]: a file that cannot be read, or a
/// signature that cannot be checked at all; with the warnings of the
/// documents read until then.
#[derive(Debug)]
pub struct EnvelopeError {
    /// Warnings noticed before the error, in order.
    pub notes: Vec<EvidenceError>,
    /// The error.
    pub error: Box<EvidenceError>,
}

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for EnvelopeError {}

/// Checks every signed document of `file` against `keys`.
pub fn verify_envelope(
    file: &Path,
    keys: &[TrustedKey],
    limits: &Limits,
) -> Result<EnvelopeReport, EnvelopeError> {
    let entries = read_signed_entries(file, limits).map_err(|error| EnvelopeError {
        notes: Vec::new(),
        error: Box::new(error),
    })?;
    let at = Location::file(file.display().to_string());
    let mut documents = Vec::with_capacity(entries.len());
    let mut notes = Vec::new();
    for entry in entries {
        notes.extend(entry.notes.iter().cloned());
        let mut here = at.clone();
        here.line = entry.line.map(cairn_evidence::error::small);
        let (signers, failures) = match check_entry(&entry, keys, &here) {
            Ok(checked) => checked,
            Err(error) => {
                return Err(EnvelopeError {
                    notes,
                    error: Box::new(error),
                })
            }
        };
        let kind = match entry.signed {
            Signed::Document(_) => DocumentKind::Envelope,
            Signed::BundleEnvelope(_) => DocumentKind::SigstoreDsse,
            Signed::BundleMessage { .. } => DocumentKind::SigstoreMessage,
        };
        documents.push(DocumentCheck {
            line: entry.line,
            entry: entry.entry,
            kind,
            signers: signers
                .iter()
                .filter_map(|&i| keys.get(i).cloned())
                .collect(),
            failures,
            notes: entry.notes,
        });
    }
    Ok(EnvelopeReport { documents })
}

/// Checks one signed document against `keys`: the indexes of the keys that
/// signed it and why the other signatures did not verify.
fn check_entry(
    entry: &SignedEntry,
    keys: &[TrustedKey],
    at: &Location,
) -> Result<(Vec<usize>, Vec<String>), EvidenceError> {
    match &entry.signed {
        Signed::Document(doc) | Signed::BundleEnvelope(doc) => {
            let outcome = cairn_evidence::verify::check(doc, keys);
            Ok((outcome.signers, outcome.failures))
        }
        Signed::BundleMessage {
            algorithm,
            digest,
            sig,
        } => {
            let mut signers = Vec::new();
            let mut failures = Vec::new();
            let mut cannot = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                match verify_prehash(&key.key, algorithm, digest, sig) {
                    Ok(()) => signers.push(i),
                    Err(PrehashError::NotVerified(reason)) => failures.push(format!(
                        "message signature: {reason} with `{}`",
                        cairn_base::escape::escape(&key.label)
                    )),
                    Err(PrehashError::Cannot(reason)) => cannot.push((key, reason)),
                }
            }
            if signers.is_empty() && failures.is_empty() {
                if let Some((key, reason)) = cannot.first() {
                    let mut at = at.clone().with_field("$.messageSignature");
                    if let Some(entry) = &entry.entry {
                        at = at.with_field(format!("{entry}.messageSignature"));
                    }
                    return Err(EvidenceError::MessageSignature {
                        at,
                        key: key.label.clone(),
                        reason: reason.clone(),
                    });
                }
            }
            for (key, reason) in cannot {
                failures.push(format!(
                    "message signature: cannot be checked with `{}`: {reason}",
                    cairn_base::escape::escape(&key.label)
                ));
            }
            Ok((signers, failures))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use std::path::PathBuf;

    fn release() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/release")
    }

    #[test]
    fn each_line_of_a_bundle_is_checked() {
        let root = release();
        let key = read_public_key(&root.join("keys/ci.pub")).unwrap();
        let report = verify_envelope(
            &root.join("bundles/pass.intoto.jsonl"),
            &[key],
            &Limits::default(),
        )
        .unwrap();
        assert!(report.verified());
        assert!(report.single().is_none());
        assert!(!report.from_bundle());
        assert_eq!(report.documents[0].label().as_deref(), Some("line 1"));
        assert_eq!(report.documents[0].kind.as_str(), "envelope");
    }

    #[test]
    fn a_key_that_did_not_sign_says_why() {
        let root = release();
        let keys: Vec<TrustedKey> = std::fs::read_dir(root.join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pub"))
            .map(|p| read_public_key(&p).unwrap())
            .collect();
        assert!(keys.len() > 1);
        let report = verify_envelope(
            &root.join("bundles/pass.intoto.jsonl"),
            &keys,
            &Limits::default(),
        )
        .unwrap();
        // Each line is signed by one of the keys, not by all of them.
        for document in &report.documents {
            assert!(document.verified());
            assert!(document.signers.len() < keys.len());
        }
    }

    #[test]
    fn an_unreadable_file_is_an_error() {
        let e = verify_envelope(
            &release().join("no-such-file.json"),
            &[],
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.notes.is_empty());
        assert!(!e.to_string().is_empty());
    }
}

//! The parsed, verified shape of an attestation: what `eval` consumes.
//!
//! These types are plain data except [`Verified`], whose constructor is private
//! to `evidence`: holding a `Verified<Attestation>` means its signature was
//! checked against the listed keys.

use serde::Serialize;

/// Algorithm name to lowercase hex digest (`{"sha256": "..."}`): a compact
/// sorted set with the methods of a map (see [`super::digest_set`]).
pub use super::digest_set::DigestSet;

/// Artifact name to digests, as in a link's `materials`/`products`: a
/// compact sorted list with the methods of a map (see [`super::artifacts`]).
pub use super::artifacts::{Artifacts, Cursor};

/// Where an attestation came from, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    /// The file as the user named it (or as found in a directory).
    pub file: String,
    /// 1-based line in a JSON-lines bundle; `None` for a single-document file.
    pub line: Option<usize>,
    /// The entry of a document that holds several attestations (npm's
    /// attestations document, gcloud's provenance output), as a JSON path
    /// such as `$.attestations[1].bundle`; `None` for a document of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file)?,
            None => write!(f, "{}", self.file)?,
        }
        match &self.entry {
            Some(entry) => write!(f, " {entry}"),
            None => Ok(()),
        }
    }
}

/// A classic in-toto link (`_type: link`) or the body of a link/v0.3 predicate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The step name the link claims.
    pub name: String,
    /// The command that ran.
    pub command: Vec<String>,
    /// Inputs.
    pub materials: Artifacts,
    /// Outputs.
    pub products: Artifacts,
    /// `byproducts` as given (stdout, stderr, return-value, ...).
    pub byproducts: serde_json::Value,
    /// `environment` as given.
    pub environment: serde_json::Value,
}

/// An in-toto Statement (v1, or v0.1 normalised to the v1 shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// `_type` as given (`https://in-toto.io/Statement/v1` or `/v0.1`).
    pub statement_type: String,
    /// The subjects; each has at least one digest.
    pub subjects: Vec<Subject>,
    /// The predicate type URI, compared as an exact string.
    pub predicate_type: String,
    /// The predicate (`{}` when absent).
    pub predicate: Predicate,
}

/// A Statement's predicate: a JSON value, or, as read from a signed
/// payload, the text of one (checked by the strict reader, not built), read
/// into a value the first time it is looked at as one. Checks read the text
/// itself where they can ([`Predicate::text`]): an SBOM of 200,000
/// components is 30 MB of text but ten times that as a value.
#[derive(Clone)]
pub struct Predicate {
    /// The text, when the predicate was read as one.
    text: Option<std::sync::Arc<str>>,
    /// The nesting depth the text was checked with.
    depth: usize,
    /// The value, once read.
    value: std::sync::OnceLock<serde_json::Value>,
}

impl Predicate {
    /// The predicate whose text is `text`, which the strict reader
    /// ([`cairn_json::parse`]) accepts at nesting depth `depth` (the
    /// caller has checked it).
    pub fn checked_text(text: std::sync::Arc<str>, depth: usize) -> Predicate {
        Predicate {
            text: Some(text),
            depth,
            value: std::sync::OnceLock::new(),
        }
    }

    /// The predicate's text, when it was read as text.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The predicate as a value (read from its text the first time).
    pub fn value(&self) -> &serde_json::Value {
        self.value.get_or_init(|| {
            // The text was checked by this reader at this depth, so this
            // cannot fail; were it to, the predicate would be an object
            // without members, whose checks fail (absent fields).
            self.text
                .as_deref()
                .and_then(|t| cairn_json::parse(t.as_bytes(), self.depth).ok())
                .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()))
        })
    }
}

impl From<serde_json::Value> for Predicate {
    fn from(value: serde_json::Value) -> Predicate {
        Predicate {
            text: None,
            depth: 0,
            value: std::sync::OnceLock::from(value),
        }
    }
}

impl std::ops::Deref for Predicate {
    type Target = serde_json::Value;

    fn deref(&self) -> &serde_json::Value {
        self.value()
    }
}

impl PartialEq for Predicate {
    fn eq(&self, other: &Predicate) -> bool {
        match (self.text(), other.text()) {
            (Some(a), Some(b)) if a == b => true,
            _ => self.value() == other.value(),
        }
    }
}

impl std::fmt::Debug for Predicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.value.get(), &self.text) {
            (Some(value), _) => value.fmt(f),
            (None, Some(text)) => write!(f, "Predicate({} bytes of text)", text.len()),
            (None, None) => f.write_str("Predicate(?)"),
        }
    }
}

impl Serialize for Predicate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

/// A subject (ResourceDescriptor) of a Statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// The subject's name (`_` or empty when meaningless).
    pub name: String,
    /// Its digests.
    pub digest: DigestSet,
}

/// What an attestation says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Body {
    /// A classic link (metablock or DSSE-wrapped).
    Link(Link),
    /// A Statement (its predicate may itself be a link/v0.3).
    Statement(Statement),
}

/// One attestation, parsed from untrusted bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attestation {
    /// Where it came from.
    pub origin: Origin,
    /// sha256 of the exact bytes of the envelope or metablock (for a VSA's
    /// `inputAttestations`).
    pub sha256: String,
    /// The verified content.
    pub body: Body,
    /// For a Sigstore bundle: what verified it (bundle version, certificate
    /// identity, verified times), for `cairn explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigstore: Option<String>,
}

/// A value whose signature was checked: only `evidence` can construct one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verified<T> {
    value: T,
    signers: Vec<usize>,
}

impl<T> Verified<T> {
    /// Wraps a value whose signatures verified with the trusted keys at
    /// `signers` (indexes into the key list given to verification, distinct,
    /// ascending).
    pub(crate) fn new(value: T, mut signers: Vec<usize>) -> Self {
        signers.sort_unstable();
        signers.dedup();
        Verified { value, signers }
    }

    /// The verified value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Indexes of the trusted keys whose signatures verified.
    pub fn signers(&self) -> &[usize] {
        &self.signers
    }
}

#[cfg(feature = "testing")]
impl<T> Verified<T> {
    /// For the evaluator's tests only (the `testing` feature, which only
    /// dev-dependencies turn on): wraps a value as if its signatures had
    /// verified with `signers`.
    #[doc(hidden)]
    pub fn assume_verified(value: T, signers: Vec<usize>) -> Self {
        Verified::new(value, signers)
    }
}

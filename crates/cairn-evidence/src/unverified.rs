//! What loading gives before signatures are checked: attestations and
//! classic layouts whose content only [`super::verify`](mod@super::verify)
//! releases, what each claims to be, and the outcome of a check made while
//! it was read.

use super::document::Document;
use super::layout::ClassicLayout;
use super::model::{Body, Origin};

/// What a signed document claims, before verification; for diagnostics only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A classic link or link predicate naming this step.
    Link(String),
    /// A Statement of this predicate type.
    Predicate(String),
    /// A classic layout.
    Layout,
}

impl std::fmt::Display for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::Link(name) => write!(f, "link for step `{name}`"),
            Claim::Predicate(t) => write!(f, "statement of type `{t}`"),
            Claim::Layout => write!(f, "layout"),
        }
    }
}

/// A parsed attestation whose signatures have not been checked yet. Its
/// content is private: only [`super::verify::verify`] releases it.
#[derive(Debug, Clone)]
pub struct Unverified {
    /// Where it came from.
    pub origin: Origin,
    /// sha256 of its exact bytes.
    pub sha256: String,
    /// What it claims to be (unauthenticated).
    pub claim: Claim,
    pub(super) document: Document,
    pub(super) body: Body,
    /// Its signatures checked while it was read, by [`super::load_verified`]
    /// with the keys it verifies with; `document` is then left empty.
    pub(super) outcome: Option<Outcome>,
}

/// A parsed classic layout whose signatures have not been checked yet.
#[derive(Debug, Clone)]
pub struct UnverifiedLayout {
    /// Where it came from.
    pub origin: Origin,
    /// sha256 of its exact bytes.
    pub sha256: String,
    pub(super) document: Document,
    pub(super) layout: ClassicLayout,
    pub(super) source: LayoutSource,
}

/// The signed content of a classic layout, for importers that read it
/// themselves: the raw `signed` value and the text it was read from (the
/// metablock file, or a DSSE envelope's decoded payload), so that their
/// diagnostics can point into it.
#[derive(Debug, Clone)]
pub struct LayoutSource {
    /// The layout object (`_type: layout`).
    pub signed: serde_json::Value,
    /// The text the object was read from.
    pub text: String,
}

impl UnverifiedLayout {
    /// The layout's content without any signature check, for importers that
    /// only translate a layout (`cairn import` without `--layout-key`, which
    /// says so). Verification must use [`super::verify_layout_source`].
    pub fn unchecked_source(&self) -> &LayoutSource {
        &self.source
    }
}

/// The outcome of checking one document's signatures.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Indexes of the trusted keys that verified a signature (distinct, ascending).
    pub signers: Vec<usize>,
    /// The keyid hints given.
    pub hints: Vec<String>,
    /// Why each signature that verified with no key failed.
    pub failures: Vec<String>,
    /// For a Sigstore bundle whose certificate verified: who it names.
    pub signer: Option<String>,
    /// For a Sigstore bundle that verified: how (for `cairn explain`).
    pub summary: Option<String>,
}

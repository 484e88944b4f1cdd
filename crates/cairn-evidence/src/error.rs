//! Every way untrusted evidence can be refused, with stable `E3xx` codes.
//!
//! Each error names where it happened ([`Location`]: file, line and column,
//! and the JSON field when there is one). Loading collects these and goes on
//! with the next file or line; nothing here is fatal to a run by itself.

use std::fmt;

/// Where in the input a problem is: file, line:column, and the JSON field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line (in a bundle: the bundle line).
    pub line: Option<u32>,
    /// 1-based column (in characters) within that line.
    pub column: Option<u32>,
    /// The JSON field, as a path (`$.signatures[0].sig`), when known.
    pub field: Option<String>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    /// The same location with a JSON field path.
    pub fn with_field(mut self, field: impl Into<String>) -> Location {
        self.field = Some(field.into());
        self
    }
}

/// A count as `u32` for a [`Location`] (saturating; input limits keep real values far below).
pub fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file name is the user's, but may hold anything: escaped, so
        // that it cannot write to the terminal.
        write!(f, "`{}", cairn_base::escape::escape(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, "`")?;
        if let Some(field) = &self.field {
            // A field path quotes JSON keys already; what could still write
            // to the terminal is escaped.
            write!(f, " at `{}`", cairn_base::escape::escape_controls(field))?;
        }
        Ok(())
    }
}

impl EvidenceError {
    /// The help of an [`EvidenceError::Io`] the operating system caused.
    pub const ACCESS_HELP: &'static str = "check that the path exists and is readable";
    /// The help of an [`EvidenceError::Io`] for a file refused for what it
    /// is (a directory, a device, a FIFO where a file is needed).
    pub const KIND_HELP: &'static str =
        "name a regular file (or, on the command line, a pipe such as `<(cmd)`)";
}

/// Why a piece of evidence (a file, a bundle line, a key) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum EvidenceError {
    /// The file or directory could not be read.
    #[error("cannot read {at}: {reason}")]
    #[diagnostic(code(E300))]
    Io {
        /// Where.
        at: Location,
        /// The operating system's reason.
        reason: String,
        /// What to do about it ([`EvidenceError::ACCESS_HELP`] when the
        /// operating system refused).
        #[help]
        help: &'static str,
    },

    /// Not JSON: a syntax error, invalid UTF-8, a byte-order mark, a lone surrogate.
    #[error("invalid JSON in {at}: {reason}")]
    #[diagnostic(
        code(E301),
        help("evidence must be strict JSON (RFC 8259) in UTF-8 without a byte-order mark")
    )]
    Json {
        /// Where.
        at: Location,
        /// What the parser expected.
        reason: String,
    },

    /// Something follows the JSON value.
    #[error("trailing data after the JSON value in {at}")]
    #[diagnostic(
        code(E302),
        help("a document holds exactly one JSON value; a bundle holds one envelope per line")
    )]
    TrailingData {
        /// Where the extra data starts.
        at: Location,
    },

    /// An object names the same key twice (compared after unescaping).
    #[error("duplicate key `{}` in {at}", cairn_base::escape::escape(.key))]
    #[diagnostic(
        code(E303),
        help("parsers disagree on which duplicate wins, so cairn refuses any duplicate key")
    )]
    DuplicateKey {
        /// Where the second occurrence is.
        at: Location,
        /// The key, unescaped.
        key: String,
    },

    /// A key differs from a known field only in letter case.
    #[error("key `{}` differs from the field `{known}` only in case in {at}", cairn_base::escape::escape(.key))]
    #[diagnostic(
        code(E304),
        help("other parsers fold case and would read this key as `{known}`; write it exactly")
    )]
    CaseVariantKey {
        /// Where.
        at: Location,
        /// The key as written.
        key: String,
        /// The field it imitates.
        known: String,
    },

    /// JSON nested deeper than the limit.
    #[error("JSON nested deeper than {limit} levels in {at}")]
    #[diagnostic(
        code(E305),
        help(
            "nesting is bounded at 128 levels, far deeper than any real evidence; flatten the data"
        )
    )]
    TooDeep {
        /// Where the limit was crossed.
        at: Location,
        /// The limit.
        limit: usize,
    },

    /// A file larger than the limit.
    #[error("{what} in {at} is {}larger than the limit of {limit} bytes", .size.map(|s| format!("{s} bytes, ")).unwrap_or_default())]
    #[diagnostic(
        code(E306),
        help("cairn refuses oversized input before reading it whole; raise the limit with CAIRN_MAX_FILE_BYTES (one file) or CAIRN_MAX_TOTAL_BYTES (all files of one run), e.g. `CAIRN_MAX_FILE_BYTES=4GiB`")
    )]
    TooLarge {
        /// Where.
        at: Location,
        /// What was too large (`file`, or `file (all files together)` when
        /// the total limit was what it crossed).
        what: &'static str,
        /// The limit in bytes.
        limit: u64,
        /// The file's size, when known before reading it.
        size: Option<u64>,
    },

    /// A float, exponent, `-0` or out-of-range integer in data that is signed as canonical JSON.
    #[error("number `{number}` cannot be canonicalised in {at}")]
    #[diagnostic(
        code(E308),
        help(
            "securesystemslib canonical JSON allows integers only: no fractions, exponents or `-0`"
        )
    )]
    NonCanonicalNumber {
        /// Where.
        at: Location,
        /// The number as cairn read it.
        number: String,
    },

    /// Neither a DSSE envelope nor a classic metablock.
    #[error("unrecognised document in {at}: {reason}")]
    #[diagnostic(
        code(E309),
        help("expected a DSSE envelope (`payload`, `payloadType`, `signatures`) or a classic metablock (`signed`, `signatures`)")
    )]
    Unrecognised {
        /// Where.
        at: Location,
        /// What was found instead.
        reason: String,
    },

    /// More entries of one kind in one document than cairn reads: the
    /// signatures of an envelope or metablock, the certificates, log
    /// entries or timestamps of a Sigstore bundle (limits in
    /// `cairn_evidence::limits`, documented in docs/security.md).
    #[error("too many {what} in {at}: {count}, cairn reads at most {max}")]
    #[diagnostic(
        code(E475),
        help("the document is refused whole, as if unsigned; the limits bound the work one document can cost (docs/security.md, Bounded work)")
    )]
    TooMany {
        /// Where (the field is the list's).
        at: Location,
        /// What is counted (`signatures`, `certificates`, `log entries`, `timestamps`).
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The most cairn reads.
        max: usize,
    },

    /// A Sigstore bundle whose shape cairn refuses.
    #[error("refused Sigstore bundle in {at}: {reason}")]
    #[diagnostic(
        code(E330),
        help("see docs/sigstore.md for the bundle versions and shapes cairn reads")
    )]
    SigstoreBundle {
        /// Where.
        at: Location,
        /// What is wrong.
        reason: String,
    },

    /// A document holding attestations (npm's attestations document,
    /// gcloud's provenance output) whose shape cairn refuses.
    #[error("refused attestation document in {at}: {reason}")]
    #[diagnostic(
        code(E340),
        help("cairn reads npm's attestations document (`attestations[].bundle`, each a Sigstore bundle) and gcloud's provenance output (`provenance_summary.provenance[].envelope`, each a DSSE envelope); see docs/evidence.md")
    )]
    Holder {
        /// Where.
        at: Location,
        /// What is wrong.
        reason: String,
    },

    /// A Sigstore message signature that the given key cannot check
    /// without the artifact (`cairn verify-envelope` on a bundle).
    #[error("cannot check the message signature in {at} with `{key}`: {reason}")]
    #[diagnostic(
        code(E341),
        help("`cairn verify-bundle --bundle FILE --key KEY ARTIFACT` checks a message signature over the artifact itself")
    )]
    MessageSignature {
        /// Where.
        at: Location,
        /// The key's label.
        key: String,
        /// Why not.
        reason: String,
    },

    /// A Sigstore trusted root cairn cannot use.
    #[error("unusable trusted root {at}: {reason}")]
    #[diagnostic(
        code(E331),
        help("give a `trusted_root.json` (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`), e.g. from `gh attestation trusted-root` or the Sigstore TUF repository")
    )]
    TrustedRoot {
        /// Where.
        at: Location,
        /// What is wrong.
        reason: String,
    },

    /// A required field is missing or has the wrong JSON type.
    #[error("malformed {what} in {at}: {reason}")]
    #[diagnostic(code(E310), help("see docs/evidence.md for the accepted shape"))]
    Malformed {
        /// Where.
        at: Location,
        /// What was being read (`envelope`, `statement`, `link`, `layout`, `key`).
        what: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// A payload or signature that is not valid base64 or hex.
    #[error("invalid {encoding} in {at}")]
    #[diagnostic(
        code(E311),
        help("DSSE uses standard or URL-safe base64 with padding; classic signatures use hex")
    )]
    Encoding {
        /// Where.
        at: Location,
        /// `base64` or `hex`.
        encoding: &'static str,
    },

    /// No signatures at all.
    #[error("no signatures in {at}")]
    #[diagnostic(
        code(E312),
        help("an unsigned attestation is never evidence; sign it with `cairn sign` or `cairn attest`")
    )]
    NoSignatures {
        /// Where.
        at: Location,
    },

    /// A DSSE payload type that cairn does not read as an attestation.
    #[error("unsupported payload type `{}` in {at}", cairn_base::escape::escape(.payload_type))]
    #[diagnostic(
        code(E313),
        help("attestations use `application/vnd.in-toto+json` (compared exactly, case-sensitive)")
    )]
    PayloadType {
        /// Where.
        at: Location,
        /// The type as given.
        payload_type: String,
    },

    /// A `_type` that cairn does not accept in this place.
    #[error("unsupported type `{}` in {at}", cairn_base::escape::escape(.type_name))]
    #[diagnostic(
        code(E314),
        help("accepted: Statement v1 and v0.1 in DSSE; classic `link` and `layout` in a metablock or in DSSE")
    )]
    UnsupportedType {
        /// Where.
        at: Location,
        /// The `_type` as given.
        type_name: String,
    },

    /// A Statement subject without a usable digest.
    #[error("bad subject in {at}: {reason}")]
    #[diagnostic(
        code(E315),
        help("every subject needs a non-empty `digest` of lowercase hex values")
    )]
    BadSubject {
        /// Where.
        at: Location,
        /// What is wrong.
        reason: String,
    },

    /// Key material cairn refuses.
    #[error("bad key in {at}: {reason}")]
    #[diagnostic(
        code(E316),
        help("accepted: Ed25519 (hex, PEM, raw 32 bytes, DER, securesystemslib JSON), ECDSA on P-256, P-384 or P-521 and RSA >= 2048 bits (PEM, DER, securesystemslib JSON); no GPG keys")
    )]
    BadKey {
        /// Where.
        at: Location,
        /// Why.
        reason: String,
    },

    /// A private key that cannot be used for signing.
    #[error("bad private key in {at}: {reason}")]
    #[diagnostic(
        code(E317),
        help("signing needs an unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), Ed25519 or ECDSA on P-256, P-384 or P-521")
    )]
    BadPrivateKey {
        /// Where.
        at: Location,
        /// Why (never the key material).
        reason: String,
    },

    /// A line of a bundle that is not an attestation; ignored, as the bundle spec requires.
    #[error("ignored unrecognised line in {at}: {reason}")]
    #[diagnostic(
        code(E318),
        severity(Warning),
        help(
            "bundle consumers must ignore lines they do not recognise; this line adds no evidence"
        )
    )]
    IgnoredLine {
        /// Where.
        at: Location,
        /// Why it was not recognised.
        reason: String,
    },

    /// One signature of an attestation that was dropped while the others are still checked.
    #[error("ignored signature in {at}: {reason}")]
    #[diagnostic(
        code(E319),
        severity(Warning),
        help("a malformed signature counts for nothing; the other signatures are still checked")
    )]
    IgnoredSignature {
        /// Where.
        at: Location,
        /// Why.
        reason: String,
    },

    /// An artifact name that is not a normalised relative path.
    #[error("bad artifact name `{name}` in {at}: {reason}")]
    #[diagnostic(
        code(E320),
        help("artifact names must be relative paths without `.`, `..` or empty components, `\\`, a leading `/`, or control and invisible characters; record the file under its normalised name")
    )]
    BadArtifactName {
        /// Where.
        at: Location,
        /// The name, escaped for display.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// The location of any [`EvidenceError`] (every variant has one), by
/// reference or by mutable reference.
macro_rules! location_of {
    ($e:expr) => {
        match $e {
            EvidenceError::Io { at, .. }
            | EvidenceError::Json { at, .. }
            | EvidenceError::TrailingData { at, .. }
            | EvidenceError::DuplicateKey { at, .. }
            | EvidenceError::CaseVariantKey { at, .. }
            | EvidenceError::TooDeep { at, .. }
            | EvidenceError::TooLarge { at, .. }
            | EvidenceError::TooMany { at, .. }
            | EvidenceError::NonCanonicalNumber { at, .. }
            | EvidenceError::Unrecognised { at, .. }
            | EvidenceError::SigstoreBundle { at, .. }
            | EvidenceError::Holder { at, .. }
            | EvidenceError::MessageSignature { at, .. }
            | EvidenceError::TrustedRoot { at, .. }
            | EvidenceError::Malformed { at, .. }
            | EvidenceError::Encoding { at, .. }
            | EvidenceError::NoSignatures { at, .. }
            | EvidenceError::PayloadType { at, .. }
            | EvidenceError::UnsupportedType { at, .. }
            | EvidenceError::BadSubject { at, .. }
            | EvidenceError::BadKey { at, .. }
            | EvidenceError::BadPrivateKey { at, .. }
            | EvidenceError::IgnoredLine { at, .. }
            | EvidenceError::IgnoredSignature { at, .. }
            | EvidenceError::BadArtifactName { at, .. } => at,
        }
    };
}

impl EvidenceError {
    /// Where the problem is.
    pub fn location(&self) -> &Location {
        location_of!(self)
    }

    /// Where it happened, to be changed.
    pub fn location_mut(&mut self) -> &mut Location {
        location_of!(self)
    }

    /// The same error for a document read as the entry `entry` (a JSON
    /// path) of a file that holds several: its field is put under the
    /// entry's path, and the column, which counted in the entry read
    /// alone, is dropped.
    pub fn within_entry(mut self, entry: &str) -> EvidenceError {
        let at = self.location_mut();
        at.column = None;
        at.field = Some(match at.field.take() {
            None => entry.to_owned(),
            Some(field) => match field.strip_prefix('$') {
                Some(rest) => format!("{entry}{rest}"),
                None => format!("{entry}.{field}"),
            },
        });
        self
    }
}

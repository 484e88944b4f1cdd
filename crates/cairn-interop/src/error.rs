//! The interop stage's diagnostics (`E5xx`), documented in `docs/diagnostics.md`.
//!
//! Every variant names the offending JSON field (`steps[1].threshold`) and,
//! when the layout text was available, points at it with a label.

use miette::SourceSpan;

/// Why a classic in-toto layout could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum InteropError {
    /// A member has the wrong JSON type.
    #[error("`{field}` must be {expected}, found {found}")]
    #[diagnostic(
        code(E501),
        help("classic layouts follow the in-toto v1.0 field table")
    )]
    WrongType {
        field: String,
        expected: &'static str,
        found: &'static str,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// A required member is absent.
    #[error("`{field}` is missing")]
    #[diagnostic(
        code(E502),
        help("a classic layout needs `_type`, `expires`, `keys`, `steps` and `inspect`; steps need `name`, `pubkeys` and `threshold`; inspections need `name` and `run`")
    )]
    Missing {
        field: String,
        #[label("in this object")]
        at: Option<SourceSpan>,
    },

    /// A member cairn does not know; in-toto would drop it silently.
    #[error("unknown member `{member}` in `{field}`")]
    #[diagnostic(
        code(E503),
        help("remove it: cairn refuses unknown members so that nothing in a signed layout is silently ignored")
    )]
    UnknownMember {
        field: String,
        member: String,
        #[label("unknown member")]
        at: Option<SourceSpan>,
    },

    /// `_type` is not the expected one.
    #[error("`{field}` is `{found}`, expected `{expected}`")]
    #[diagnostic(
        code(E504),
        help("only classic layouts (`_type: layout`) can be imported")
    )]
    WrongKind {
        field: String,
        found: String,
        expected: &'static str,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// `expires` is not `YYYY-MM-DDTHH:MM:SSZ` or not a real instant.
    #[error("`expires` is `{found}`, not a UTC time of the form `YYYY-MM-DDTHH:MM:SSZ`")]
    #[diagnostic(
        code(E505),
        help("write e.g. `2030-01-31T00:00:00Z`: no fractions, no offsets, a real date")
    )]
    BadExpiry {
        found: String,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// Key material that does not parse.
    #[error("key `{keyid}` is malformed: {reason}")]
    #[diagnostic(
        code(E506),
        help(
            "ed25519 keys are 64 lowercase hex digits; ecdsa and rsa keys a PEM `PUBLIC KEY` block"
        )
    )]
    BadKey {
        keyid: String,
        reason: String,
        #[label("this key")]
        at: Option<SourceSpan>,
    },

    /// The `keys` map key differs from the key's own `keyid`.
    #[error("key listed as `{keyid}` says its keyid is `{inner}`")]
    #[diagnostic(
        code(E507),
        help("the map key and the inner `keyid` must be equal; in-toto would authorise one and verify with the other")
    )]
    KeyidMismatch {
        keyid: String,
        inner: String,
        #[label("this key")]
        at: Option<SourceSpan>,
    },

    /// The keyid is not the securesystemslib hash of the key.
    #[error("keyid `{keyid}` is not the hash of its key")]
    #[diagnostic(
        code(E508),
        help("expected `{modern}` (securesystemslib) or `{legacy}` (legacy, with `keyid_hash_algorithms`)")
    )]
    KeyidNotHash {
        keyid: String,
        modern: String,
        legacy: String,
        #[label("this key")]
        at: Option<SourceSpan>,
    },

    /// A key type or scheme cairn does not verify (GPG, unknown).
    #[error("key `{keyid}` has unsupported type `{keytype}` with scheme `{scheme}`")]
    #[diagnostic(
        code(E509),
        help("cairn accepts ed25519/ed25519, ecdsa with ecdsa-sha2-nistp256, -nistp384 or -nistp521 (the key's curve) and rsa with rsassa-pss-* or rsa-pkcs1v15-*; GPG keys are not supported")
    )]
    UnsupportedKey {
        keyid: String,
        keytype: String,
        scheme: String,
        #[label("this key")]
        at: Option<SourceSpan>,
    },

    /// A GPG key (securesystemslib's gpg format), which cairn cannot verify.
    #[error("key `{keyid}` is a GPG key (method `{method}`), which cairn does not support")]
    #[diagnostic(
        code(E509),
        help("cairn verifies no OpenPGP signatures; have the functionary sign with an ed25519, ecdsa or rsa key in securesystemslib format and list that key instead")
    )]
    GpgKey {
        keyid: String,
        method: String,
        #[label("this key")]
        at: Option<SourceSpan>,
    },

    /// An extension of another in-toto implementation.
    #[error("`{field}` uses the unsupported extension `{member}`")]
    #[diagnostic(
        code(E510),
        help("the cairn language cannot express X.509 functionaries (`rootcas`, `intermediatecas`, `cert_constraints`) or GPG keys, and ignoring them would change who is authorised; `cairn verify --layout` checks a layout with X.509 functionaries as it is")
    )]
    UnsupportedExtension {
        field: String,
        member: String,
        #[label("extension")]
        at: Option<SourceSpan>,
    },

    /// Two steps or inspections share a name.
    #[error("the name `{name}` is used twice")]
    #[diagnostic(
        code(E511),
        help("step and inspection names must be unique across both lists")
    )]
    DuplicateName {
        name: String,
        #[label("second use")]
        at: Option<SourceSpan>,
    },

    /// A step authorises a keyid absent from `keys`.
    #[error("`{field}` names the unknown keyid `{keyid}`")]
    #[diagnostic(
        code(E512),
        help("every keyid in `pubkeys` must be a key of the layout's `keys`")
    )]
    UnknownKeyid {
        field: String,
        keyid: String,
        #[label("not in `keys`")]
        at: Option<SourceSpan>,
    },

    /// A step lists a key twice.
    #[error("step `{step}` lists keyid `{keyid}` twice")]
    #[diagnostic(code(E513), help("list each functionary once in `pubkeys`"))]
    DuplicateKeyid {
        step: String,
        keyid: String,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// `threshold` outside `1..=len(pubkeys)`.
    #[error("threshold of step `{step}` is `{threshold}`, outside 1..={max}")]
    #[diagnostic(
        code(E514),
        help("a threshold counts distinct functionaries: at least 1, at most the number of `pubkeys`")
    )]
    BadThreshold {
        step: String,
        threshold: String,
        max: usize,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// A rule array that `rulelib.unpack_rule` would refuse.
    #[error("`{field}` is not a valid rule: {reason}")]
    #[diagnostic(
        code(E515),
        help("rules are arrays: `[\"CREATE|DELETE|MODIFY|ALLOW|DISALLOW|REQUIRE\", PATTERN]` or `[\"MATCH\", PATTERN, [\"IN\", PREFIX,] \"WITH\", \"MATERIALS|PRODUCTS\", [\"IN\", PREFIX,] \"FROM\", STEP]`")
    )]
    BadRule {
        field: String,
        reason: String,
        #[label("this rule")]
        at: Option<SourceSpan>,
    },

    /// A pattern with an unterminated `[`.
    #[error("pattern `{pattern}` in `{field}` has an unterminated `[`")]
    #[diagnostic(
        code(E516),
        help("write `[[]` for a literal `[`; in-toto would read the `[` literally, cairn refuses the ambiguity")
    )]
    BadPattern {
        field: String,
        pattern: String,
        #[label("this rule")]
        at: Option<SourceSpan>,
    },

    /// A MATCH rule whose `FROM` names no step or inspection.
    #[error("`{field}` matches against `{target}`, which is no step or inspection")]
    #[diagnostic(code(E517), help("{help}"))]
    UnknownTarget {
        field: String,
        target: String,
        help: String,
        #[label("this rule")]
        at: Option<SourceSpan>,
    },

    /// A step or inspection name that is empty.
    #[error("`{field}` is empty")]
    #[diagnostic(code(E518), help("give every step and inspection a non-empty name"))]
    EmptyName {
        field: String,
        #[label("here")]
        at: Option<SourceSpan>,
    },

    /// A `{name}` placeholder in a layout string that `--param` gives no value.
    #[error("`{field}` uses parameter `{name}`, which has no value")]
    #[diagnostic(
        code(E519),
        help("pass `--param {name}=VALUE`; write `{{{{` and `}}}}` for literal braces")
    )]
    MissingParameter { field: String, name: String },
}

/// A construct of the IR that a classic in-toto layout cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{what} cannot be expressed in a classic in-toto layout")]
#[diagnostic(
    code(E530),
    help("compile to the IR instead (`--target ir`), or remove it from the policy")
)]
pub struct Unsupported {
    /// What it is, e.g. ``expected attestation `slsa-provenance/v1` of step `build` ``.
    pub what: String,
    /// Where it stands in the policy source.
    #[label("here")]
    pub at: SourceSpan,
}

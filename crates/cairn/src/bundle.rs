//! Verifying one Sigstore bundle on its own, as `cairn verify-bundle` does:
//! against a signer (a certificate identity, with cosign's regex variants
//! and gh's shorthands, or a managed key), a trusted root (a file, or the
//! public-good or staging root shipped with cairn), and the artifact or its
//! digest. Nothing is fetched.
//!
//! Errors name the command-line flags each value comes from
//! (`--certificate-identity`, `--key-valid-from`, ...), as the command
//! prints them.
//!
//! ```
//! use std::path::Path;
//! use cairn::bundle::{verify_bundle, BundleOptions, BundleOutcome, BundleSigner, IdentityFlags, TrustedRoot};
//!
//! # fn main() -> Result<(), cairn::bundle::BundleError> {
//! let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/sigstore/cases/msg_v03_email");
//! let signer = BundleSigner::Identity(IdentityFlags {
//!     certificate_identity: Some("alice@cairn.test".into()),
//!     certificate_oidc_issuer: Some("https://accounts.cairn.test".into()),
//!     ..IdentityFlags::default()
//! });
//! let mut options = BundleOptions::new(
//!     case.join("bundle.sigstore.json"),
//!     case.join("artifact").display().to_string(),
//!     signer,
//! );
//! options.trusted_root = TrustedRoot::File(case.join("trusted_root.json"));
//! let outcome = verify_bundle(&options)?;
//! assert!(matches!(outcome, BundleOutcome::Verified { root: None, .. }));
//!
//! // Another signer: an answer, and it is no.
//! if let BundleSigner::Identity(flags) = &mut options.signer {
//!     flags.certificate_identity = Some("mallory@cairn.test".into());
//! }
//! let BundleOutcome::Refused(refused) = verify_bundle(&options)? else { unreachable!() };
//! assert_eq!(refused.failure.check, cairn::bundle::Check::Identity);
//! # Ok(())
//! # }
//! ```

use std::path::{Path, PathBuf};

use cairn_evidence::sigstore::{
    self, read_bundle, read_trust_root, read_trust_roots, Artifact, Identity, Matcher, Signer,
    TrustRoot, Version,
};
pub use cairn_evidence::sigstore::{Check, Failure, GhFlags, Verified};
use cairn_evidence::{EvidenceError, Limits, Location};

/// What [`verify_bundle`] checks a bundle against.
#[derive(Debug, Clone)]
pub struct BundleOptions {
    /// The Sigstore bundle (`*.sigstore.json`); `-` is standard input, and a
    /// pipe is read too.
    pub bundle: PathBuf,
    /// The artifact file, or its digest as `sha256:` and 64 hex digits
    /// (`sha384:`, `sha512:` likewise). For a DSSE bundle it must be a
    /// subject of the Statement.
    pub artifact: String,
    /// The trusted root(s) the bundle must verify with (one is enough).
    pub trusted_root: TrustedRoot,
    /// Who must have signed.
    pub signer: BundleSigner,
    /// Refuse bundles older than this version (`0.1`, `0.2` or `0.3`).
    pub min_bundle_version: Option<String>,
    /// The limits of reading (file sizes, JSON depth).
    pub limits: Limits,
}

impl BundleOptions {
    /// Options for `bundle` and `artifact` signed by `signer`, with the
    /// shipped public-good root, any bundle version and default limits.
    pub fn new(
        bundle: impl Into<PathBuf>,
        artifact: impl Into<String>,
        signer: BundleSigner,
    ) -> Self {
        BundleOptions {
            bundle: bundle.into(),
            artifact: artifact.into(),
            trusted_root: TrustedRoot::PublicGood,
            signer,
            min_bundle_version: None,
            limits: Limits::default(),
        }
    }
}

/// Where the trusted root comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustedRoot {
    /// A `trusted_root.json`: one root, or several as JSON lines (as `gh
    /// attestation trusted-root` writes them).
    File(PathBuf),
    /// The Sigstore public-good root shipped with cairn.
    PublicGood,
    /// The Sigstore public-good staging root shipped with cairn.
    Staging,
}

/// Who must have signed the bundle.
#[derive(Debug, Clone)]
pub enum BundleSigner {
    /// A Fulcio certificate whose identity matches these constraints.
    Identity(IdentityFlags),
    /// A managed key (the bundle's own key hint is never trusted).
    Key {
        /// The PEM file holding exactly one `PUBLIC KEY`.
        path: PathBuf,
        /// Trusted from this time on (RFC 3339; a fraction of a second
        /// rounds up).
        valid_from: Option<String>,
        /// Trusted until this time, inclusive (RFC 3339; a fraction of a
        /// second is cut off).
        valid_until: Option<String>,
    },
}

/// The identity constraints, as cosign's and gh's flags give them. Regexes
/// are anchored at both ends. An issuer and a SAN (or a gh shorthand that
/// implies one) are both required; an empty value is refused.
#[derive(Debug, Clone, Default)]
pub struct IdentityFlags {
    /// The certificate's SAN, exactly (`--certificate-identity`).
    pub certificate_identity: Option<String>,
    /// The SAN by a regex (`--certificate-identity-regexp`).
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer, exactly (`--certificate-oidc-issuer`).
    pub certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer by a regex (`--certificate-oidc-issuer-regexp`).
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// gh's shorthands (`--owner`, `--repo`, `--signer-repo`,
    /// `--signer-workflow`, `--source-ref`, `--source-digest`,
    /// `--deny-self-hosted-runners`).
    pub gh: GhFlags,
}

/// The answer of [`verify_bundle`].
#[derive(Debug)]
pub enum BundleOutcome {
    /// The bundle verified.
    Verified {
        /// What was verified: claims, times, log entries.
        verified: Verified,
        /// The label of the root it verified with, when several were given.
        root: Option<String>,
    },
    /// The bundle did not verify.
    Refused(Refused),
}

/// A bundle that did not verify, with the file it is in. As a diagnostic,
/// its code names the check that decided.
#[derive(Debug, thiserror::Error)]
#[error("`{file}` did not verify: {failure}")]
pub struct Refused {
    /// The bundle file, as shown.
    pub file: String,
    /// Why.
    pub failure: Failure,
}

impl miette::Diagnostic for Refused {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.failure.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.failure.help()
    }
}

/// What stops [`verify_bundle`] before an answer: options that cannot be
/// used, or a bundle, key or trusted root that cannot be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BundleError {
    /// The options do not say who must have signed, or say it badly.
    #[error("{0}")]
    #[diagnostic(
        code(E435),
        help("name the signer: `--certificate-identity` and `--certificate-oidc-issuer` (or their `-regexp` forms, or gh's `--owner`/`--repo`), or `--key` for a key-signed bundle")
    )]
    Signer(String),
    /// Another option's value that cannot be used.
    #[error("{0}")]
    #[diagnostic(
        code(E437),
        help("see `cairn verify-bundle --help` for each flag's values")
    )]
    Flag(String),
    /// An artifact that cannot be read.
    #[error("cannot read the artifact `{path}`: {reason}")]
    #[diagnostic(
        code(E436),
        help("give the artifact file, or its digest as `sha256:` and 64 lowercase hex digits")
    )]
    Artifact {
        /// As given, escaped.
        path: String,
        /// Why.
        reason: String,
    },
    /// A bundle, key or trusted root that cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Evidence(#[from] EvidenceError),
}

/// A stop: refused, or no answer.
enum Stop {
    Refused(Refused),
    Error(BundleError),
}

impl From<BundleError> for Stop {
    fn from(e: BundleError) -> Self {
        Stop::Error(e)
    }
}

fn signer_error(message: impl Into<String>) -> BundleError {
    BundleError::Signer(message.into())
}

fn flag_error(message: impl Into<String>) -> BundleError {
    BundleError::Flag(message.into())
}

/// Verifies the bundle of `options`: `Ok` with the answer (verified or
/// refused, and why), `Err` when no answer can be given.
pub fn verify_bundle(options: &BundleOptions) -> Result<BundleOutcome, BundleError> {
    match verify(options) {
        Ok((verified, root)) => Ok(BundleOutcome::Verified { verified, root }),
        Err(Stop::Refused(refused)) => Ok(BundleOutcome::Refused(refused)),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// The trusted roots `which` names.
pub fn trust_roots(which: &TrustedRoot, limits: &Limits) -> Result<Vec<TrustRoot>, BundleError> {
    use sigstore_verify::trust_root::{
        SIGSTORE_PRODUCTION_TRUSTED_ROOT, SIGSTORE_STAGING_TRUSTED_ROOT,
    };
    let (text, label) = match which {
        TrustedRoot::File(path) => return Ok(read_trust_roots(path, limits)?),
        TrustedRoot::Staging => (SIGSTORE_STAGING_TRUSTED_ROOT, "(shipped staging root)"),
        TrustedRoot::PublicGood => (
            SIGSTORE_PRODUCTION_TRUSTED_ROOT,
            "(shipped public-good root)",
        ),
    };
    Ok(read_trust_root(text.as_bytes(), label, limits.max_depth).map(|r| vec![r])?)
}

/// The identity `flags` describe, labelled "the command line".
pub fn identity(flags: &IdentityFlags) -> Result<Identity, BundleError> {
    let mut id = Identity {
        label: "the command line".into(),
        constraints: Vec::new(),
    };
    let regex = |flag: &str, pattern: &str| {
        Matcher::regex(pattern)
            .map_err(|e| signer_error(format!("{flag} `{pattern}` is not a valid regex: {e}")))
    };
    let mut has_san = false;
    for (flag, value) in [
        ("--certificate-identity", &flags.certificate_identity),
        ("--certificate-oidc-issuer", &flags.certificate_oidc_issuer),
        ("--owner", &flags.gh.owner),
        ("--repo", &flags.gh.repo),
        ("--signer-repo", &flags.gh.signer_repo),
    ] {
        if value.as_deref().is_some_and(str::is_empty) {
            return Err(signer_error(format!(
                "{flag} is empty: an empty value would stand for no constraint at all"
            )));
        }
    }
    if let Some(s) = &flags.certificate_identity {
        id.require("san", Matcher::Exact(s.clone()), "--certificate-identity");
        has_san = true;
    }
    if let Some(s) = &flags.certificate_identity_regexp {
        id.require(
            "san",
            regex("--certificate-identity-regexp", s)?,
            "--certificate-identity-regexp",
        );
        has_san = true;
    }
    if let Some(s) = &flags.certificate_oidc_issuer {
        id.require(
            "issuer",
            Matcher::Exact(s.clone()),
            "--certificate-oidc-issuer",
        );
    }
    if let Some(s) = &flags.certificate_oidc_issuer_regexp {
        id.require(
            "issuer",
            regex("--certificate-oidc-issuer-regexp", s)?,
            "--certificate-oidc-issuer-regexp",
        );
    }
    flags.gh.apply(&mut id, has_san).map_err(signer_error)?;
    if !id.has_issuer() {
        return Err(signer_error(
            "no OIDC issuer given: a SAN means nothing without the issuer that vouched for it; give `--certificate-oidc-issuer` (or `--certificate-oidc-issuer-regexp '.*'` to accept any, on purpose)",
        ));
    }
    if !id.constraints.iter().any(|c| c.claim == "san") {
        return Err(signer_error(
            "no certificate identity given: give `--certificate-identity`, `--certificate-identity-regexp`, or gh's `--owner`/`--repo`/`--signer-repo`/`--signer-workflow`",
        ));
    }
    Ok(id)
}

/// A window bound in whole seconds: a start rounds up, an end down, so the
/// window never grows by the fraction cut off.
fn time_flag(flag: &str, text: &Option<String>, start: bool) -> Result<Option<i64>, BundleError> {
    let Some(text) = text else { return Ok(None) };
    let t = text
        .parse::<jiff::Timestamp>()
        .map_err(|e| flag_error(format!("{flag} `{text}` is not an RFC 3339 time: {e}")))?;
    let whole = t.as_second();
    Ok(Some(if start && t.subsec_nanosecond() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    }))
}

/// The DER (SPKI) of the one PEM public key in `path`, refused unless
/// Sigstore signs with its kind of key.
pub fn read_key(path: &Path) -> Result<Vec<u8>, BundleError> {
    let label = path.display().to_string();
    let text = cairn_evidence::keyread::read_text(path)?;
    let bad = |reason: String| EvidenceError::BadKey {
        at: Location::file(label.clone()),
        reason,
    };
    if text.matches("-----BEGIN ").count() != 1 {
        return Err(bad(
            "give exactly one PEM `PUBLIC KEY` block (the file holds none or several)".into(),
        )
        .into());
    }
    let der = sigstore_verify::types::DerPublicKey::from_pem(text.trim())
        .map_err(|e| bad(format!("not a PEM public key: {e}")))?;
    sigstore_verify::crypto::VerificationKey::from_spki(&der)
        .map_err(|e| bad(format!("not a key Sigstore signs with: {e}")))?;
    Ok(der.as_bytes().to_vec())
}

/// The artifact argument: a digest, or an open regular file.
enum ArtifactArg {
    Digest(sigstore::Digest),
    File(std::fs::File),
    /// Read whole, into the `bytes` of [`verify`].
    Bytes,
}

fn artifact_error(text: &str, reason: String) -> BundleError {
    BundleError::Artifact {
        path: cairn_base::escape::escape(text),
        reason,
    }
}

fn artifact(text: &str) -> Result<ArtifactArg, BundleError> {
    if let Some(d) = sigstore::Digest::parse(text) {
        return Ok(ArtifactArg::Digest(d));
    }
    let digest_like = ["sha256:", "sha384:", "sha512:"]
        .iter()
        .any(|p| text.starts_with(p))
        && !Path::new(text).exists();
    if digest_like {
        return Err(artifact_error(text, "not a digest: the algorithm's size in lowercase hex digits (64 for sha256, 96 for sha384, 128 for sha512)".into()));
    }
    cairn_base::files::open_regular(Path::new(text))
        .map(ArtifactArg::File)
        .map_err(|e| artifact_error(text, e.to_string()))
}

fn verify(options: &BundleOptions) -> Result<(Verified, Option<String>), Stop> {
    let limits = &options.limits;
    let min_version = match &options.min_bundle_version {
        Some(v) => Some(Version::parse(v).ok_or_else(|| {
            flag_error(format!("--min-bundle-version `{v}` is not 0.1, 0.2 or 0.3"))
        })?),
        None => None,
    };
    let (spki, window, identity) = match &options.signer {
        BundleSigner::Key {
            path,
            valid_from,
            valid_until,
        } => {
            let from = time_flag("--key-valid-from", valid_from, true)?;
            let until = time_flag("--key-valid-until", valid_until, false)?;
            let window = (from.is_some() || until.is_some()).then_some((from, until));
            (Some(read_key(path)?), window, None)
        }
        BundleSigner::Identity(flags) => (None, None, Some(self::identity(flags)?)),
    };
    let roots = trust_roots(&options.trusted_root, limits)?;
    let label = cairn_base::files::display_name(&options.bundle);
    let bytes = cairn_evidence::load::read_bounded_stream(&options.bundle, limits.max_file_bytes)
        .map_err(BundleError::from)?;
    let bundle = read_bundle(&bytes, &Location::file(label.clone()), limits.max_depth)
        .map_err(BundleError::from)?;
    let refused = |failure: Failure| {
        Stop::Refused(Refused {
            file: label.clone(),
            failure,
        })
    };
    if let Some(min) = min_version {
        if bundle.version < min {
            return Err(refused(Failure::new(
                Check::Version,
                format!(
                    "the bundle is version {}, older than the required {}",
                    bundle.version.as_str(),
                    min.as_str()
                ),
            )));
        }
    }
    let signer = match &spki {
        Some(spki) => Signer::Key { spki, window },
        None => Signer::Certificate,
    };
    let mut artifact_arg = artifact(&options.artifact)?;
    // An Ed25519 message signature is over the artifact's bytes: read them.
    let mut bytes = Vec::new();
    if sigstore::check::needs_bytes(&bundle, &signer) {
        if let ArtifactArg::File(f) = &mut artifact_arg {
            use std::io::Read as _;
            f.take(limits.max_file_bytes)
                .read_to_end(&mut bytes)
                .map_err(|e| artifact_error(&options.artifact, e.to_string()))?;
            artifact_arg = ArtifactArg::Bytes;
        }
    }
    let mut first: Option<Failure> = None;
    for (i, root) in roots.iter().enumerate() {
        if i > 0 {
            // The file was read to its end by the previous root's attempt.
            if let ArtifactArg::File(f) = &mut artifact_arg {
                use std::io::Seek as _;
                f.rewind()
                    .map_err(|e| artifact_error(&options.artifact, e.to_string()))?;
            }
        }
        let input = match &mut artifact_arg {
            ArtifactArg::Digest(d) => Artifact::Digest(d.clone()),
            ArtifactArg::File(f) => Artifact::Reader(f),
            ArtifactArg::Bytes => Artifact::Bytes(&bytes),
        };
        match sigstore::verify(&bundle, root, &signer, input) {
            Ok(verified) => {
                if let (Some(id), Some(claims)) = (&identity, &verified.claims) {
                    let mismatches = id.mismatches(claims);
                    if !mismatches.is_empty() {
                        let text = mismatches
                            .iter()
                            .map(|m| {
                                format!(
                                    "{} {} expected {}, the certificate says {}",
                                    m.origin,
                                    m.claim,
                                    m.expected,
                                    m.actual.as_deref().map_or("nothing".into(), |a| format!(
                                        "{:?}",
                                        cairn_base::escape::escape(a)
                                    ))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Err(refused(Failure::new(Check::Identity, text)));
                    }
                }
                let root_label = (roots.len() > 1).then(|| root.label.clone());
                return Ok((verified, root_label));
            }
            Err(f) => {
                // A failure that does not depend on the root (the signature,
                // the artifact, the binding) says more than one that only
                // shows this root is not the bundle's.
                let telling = |c: Check| {
                    !matches!(
                        c,
                        Check::LogEntry
                            | Check::InclusionProof
                            | Check::Timestamp
                            | Check::VerifiedTime
                            | Check::Certificate
                            | Check::Sct
                    )
                };
                match &first {
                    Some(prev) if telling(prev.check) || !telling(f.check) => {}
                    _ => first = Some(f),
                }
            }
        }
    }
    Err(refused(first.unwrap_or_else(|| {
        Failure::new(Check::Structure, "no trusted root to verify with")
    })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn case(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/sigstore/cases")
            .join(name)
    }

    fn email() -> IdentityFlags {
        IdentityFlags {
            certificate_identity: Some("alice@cairn.test".into()),
            certificate_oidc_issuer: Some("https://accounts.cairn.test".into()),
            ..IdentityFlags::default()
        }
    }

    fn options(name: &str, artifact: String, signer: BundleSigner) -> BundleOptions {
        let dir = case(name);
        let mut options = BundleOptions::new(dir.join("bundle.sigstore.json"), artifact, signer);
        options.trusted_root = TrustedRoot::File(dir.join("trusted_root.json"));
        options
    }

    #[test]
    fn a_bundle_verifies_by_file_and_by_digest() {
        let file = case("msg_v03_email").join("artifact").display().to_string();
        let digest =
            "sha256:43ab98e98778de709eb991f47c8397ca2eff7a5b332d4303efc2d42a4f377eaa".to_string();
        for artifact in [file, digest] {
            let outcome = verify_bundle(&options(
                "msg_v03_email",
                artifact,
                BundleSigner::Identity(email()),
            ))
            .unwrap();
            let BundleOutcome::Verified { verified, root } = outcome else {
                panic!("{outcome:?}")
            };
            assert_eq!(root, None);
            assert!(verified.claims.is_some());
        }
    }

    #[test]
    fn another_artifact_or_identity_is_refused() {
        let digest = format!("sha256:{}", "0".repeat(64));
        let outcome = verify_bundle(&options(
            "msg_v03_email",
            digest,
            BundleSigner::Identity(email()),
        ))
        .unwrap();
        assert!(matches!(outcome, BundleOutcome::Refused(_)), "{outcome:?}");

        let mut flags = email();
        flags.certificate_oidc_issuer = Some("https://other.test".into());
        let file = case("msg_v03_email").join("artifact").display().to_string();
        let outcome = verify_bundle(&options(
            "msg_v03_email",
            file,
            BundleSigner::Identity(flags),
        ))
        .unwrap();
        let BundleOutcome::Refused(refused) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(refused.failure.check, Check::Identity);
        assert!(refused.to_string().contains("did not verify"), "{refused}");
    }

    #[test]
    fn an_older_bundle_than_required_is_refused() {
        let file = case("msg_v03_email").join("artifact").display().to_string();
        let mut options = options("msg_v03_email", file, BundleSigner::Identity(email()));
        options.min_bundle_version = Some("0.4".into());
        assert!(matches!(verify_bundle(&options), Err(BundleError::Flag(_))));
    }

    #[test]
    fn an_identity_needs_a_san_and_an_issuer() {
        let only_san = IdentityFlags {
            certificate_identity: Some("a@b".into()),
            ..IdentityFlags::default()
        };
        let e = identity(&only_san).unwrap_err();
        assert!(e.to_string().starts_with("no OIDC issuer given"), "{e}");
        let only_issuer = IdentityFlags {
            certificate_oidc_issuer: Some("https://x".into()),
            ..IdentityFlags::default()
        };
        let e = identity(&only_issuer).unwrap_err();
        assert!(e.to_string().starts_with("no certificate identity"), "{e}");
        let mut empty = email();
        empty.gh.owner = Some(String::new());
        assert!(matches!(identity(&empty), Err(BundleError::Signer(_))));
        let bad_regex = IdentityFlags {
            certificate_identity: None,
            certificate_identity_regexp: Some("(".into()),
            ..email()
        };
        assert!(matches!(identity(&bad_regex), Err(BundleError::Signer(_))));
        assert!(identity(&email()).is_ok());
    }

    #[test]
    fn window_bounds_never_grow() {
        let t = |s: &str| Some(s.to_string());
        assert_eq!(
            time_flag("f", &t("2026-01-01T00:00:00.5Z"), true).unwrap(),
            Some(1_767_225_601)
        );
        assert_eq!(
            time_flag("f", &t("2026-01-01T00:00:00.5Z"), false).unwrap(),
            Some(1_767_225_600)
        );
        assert_eq!(time_flag("f", &None, true).unwrap(), None);
        assert!(matches!(
            time_flag("f", &t("yesterday"), true),
            Err(BundleError::Flag(_))
        ));
    }

    #[test]
    fn the_shipped_roots_read_and_a_bad_digest_is_refused() {
        let limits = Limits::default();
        assert_eq!(
            trust_roots(&TrustedRoot::PublicGood, &limits)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            trust_roots(&TrustedRoot::Staging, &limits).unwrap().len(),
            1
        );
        assert!(matches!(
            artifact("sha256:abc"),
            Err(BundleError::Artifact { .. })
        ));
    }

    #[test]
    fn a_managed_key_file_must_hold_one_public_key() {
        let key = case("managed_key").join("key.pub");
        assert!(read_key(&key).is_ok());
        let artifact = case("managed_key").join("artifact");
        assert!(matches!(read_key(&artifact), Err(BundleError::Evidence(_))));
    }
}

//! Verifying one bundle against a trusted root: the cryptography by
//! `sigstore-verify`, then what it leaves to cairn (the certificate's claims,
//! OtherName SANs, a managed key's validity window, the bundle version a
//! policy asks for), each failure under the code of the check that decided.

use serde::Serialize;
use sigstore_verify::types::{ArtifactDigest, HashAlgorithm, SignatureContent};
use sigstore_verify::{
    CertificateError, Error, PublicKeyVerificationPolicy, TimestampError, TransparencyLogError,
    VerificationPolicy,
};

use super::claims::{self, Claims};
use super::read::{Bundle, TrustRoot};

/// The checks of a bundle, each with its diagnostic code (`docs/diagnostics.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The bundle's structure as the verifier reads it (V140).
    Structure,
    /// A transparency log entry: its log, signed entry timestamp, integrated time (V141).
    LogEntry,
    /// The RFC 6962 inclusion proof and the signed checkpoint (V142).
    InclusionProof,
    /// An RFC 3161 timestamp (V143).
    Timestamp,
    /// At least one verified time (V144).
    VerifiedTime,
    /// The leaf certificate's chain to a Fulcio CA, its validity and EKU (V145).
    Certificate,
    /// The certificate's signed certificate timestamp (V146).
    Sct,
    /// The signature over the DSSE PAE or the message (V147).
    Signature,
    /// The log entry describes this bundle (V148).
    EntryBinding,
    /// The signed content names the artifact (V149).
    Artifact,
    /// The certificate's identity (V150).
    Identity,
    /// The managed key and its validity window (V151).
    Key,
    /// The bundle version a policy asks for (V152).
    Version,
}

impl Check {
    /// The diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            Check::Structure => "V140",
            Check::LogEntry => "V141",
            Check::InclusionProof => "V142",
            Check::Timestamp => "V143",
            Check::VerifiedTime => "V144",
            Check::Certificate => "V145",
            Check::Sct => "V146",
            Check::Signature => "V147",
            Check::EntryBinding => "V148",
            Check::Artifact => "V149",
            Check::Identity => "V150",
            Check::Key => "V151",
            Check::Version => "V152",
        }
    }

    /// What the check is, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Check::Structure => "bundle structure",
            Check::LogEntry => "transparency log entry",
            Check::InclusionProof => "inclusion proof",
            Check::Timestamp => "RFC 3161 timestamp",
            Check::VerifiedTime => "verified time",
            Check::Certificate => "certificate chain",
            Check::Sct => "certificate transparency",
            Check::Signature => "signature",
            Check::EntryBinding => "log entry binding",
            Check::Artifact => "artifact",
            Check::Identity => "signer identity",
            Check::Key => "signing key",
            Check::Version => "bundle version",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Check::Structure => "the bundle does not have the shape its version requires; produce it again with a current Sigstore client",
            Check::LogEntry => "the log entry is not from a transparency log of the trusted root, or its signed entry timestamp does not verify: check `--trusted-root` is the root of the instance that logged it",
            Check::InclusionProof => "the inclusion proof does not lead to the checkpoint, or the checkpoint is not signed by the log: the entry was altered or belongs to another log",
            Check::Timestamp => "the timestamp must be signed by a timestamp authority of the trusted root, within that authority's validity window, over this bundle's signature",
            Check::VerifiedTime => "a bundle needs a signed time: a verified log entry or a timestamp from a trusted authority",
            Check::Certificate => "the signing certificate must chain to a Fulcio CA of the trusted root and be valid at every verified signing time",
            Check::Sct => "the certificate must carry a valid SCT from a CT log of the trusted root",
            Check::Signature => "the signature does not verify with the certificate's (or the given) key: the content was altered after signing",
            Check::EntryBinding => "the transparency log entry must describe this very bundle (same signature, same certificate or key, same digest)",
            Check::Artifact => "the bundle signs another artifact: check the file or digest you gave (a message signature by an Ed25519 key is over the bytes themselves: give the file, not a digest)",
            Check::Identity => "the certificate was issued to another identity than the one required",
            Check::Key => "the bundle was not signed by the given key, or not while that key was trusted",
            Check::Version => "the bundle is older than the version required; produce it again with a current Sigstore client",
        }
    }
}

/// Why a bundle did not verify: the deciding check and what it found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}: {message}", check.title())]
pub struct Failure {
    /// The check that decided.
    pub check: Check,
    /// What it found.
    pub message: String,
}

impl miette::Diagnostic for Failure {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.check.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.check.help()))
    }
}

impl Failure {
    /// A failure of `check`.
    pub fn new(check: Check, message: impl Into<String>) -> Failure {
        Failure {
            check,
            message: message.into(),
        }
    }
}

/// Maps the verifier crate's error to the check that decided.
fn failure(e: Error) -> Failure {
    let check = match &e {
        Error::IdentityMismatch { .. } | Error::IssuerMismatch { .. } => Check::Identity,
        Error::SignatureInvalid(_) => Check::Signature,
        Error::ArtifactMismatch(_) | Error::UnsupportedArtifact(_) | Error::ArtifactRead(_) => {
            Check::Artifact
        }
        Error::Certificate(CertificateError::Sct(_)) => Check::Sct,
        Error::Certificate(_) | Error::TrustedCertificate(_) => Check::Certificate,
        Error::TransparencyLog(t) => match t {
            TransparencyLogError::InclusionProof(_) | TransparencyLogError::Checkpoint(_) => {
                Check::InclusionProof
            }
            TransparencyLogError::EntryMismatch(_) => Check::EntryBinding,
            _ => Check::LogEntry,
        },
        Error::Timestamp(TimestampError::NoVerifiedTimestamp(_)) => Check::VerifiedTime,
        Error::Timestamp(_) => Check::Timestamp,
        // The crate's structural checks include the proof's agreement with
        // its checkpoint.
        Error::Bundle(b)
            if {
                let text = b.to_string();
                text.contains("inclusion proof") || text.contains("checkpoint")
            } =>
        {
            Check::InclusionProof
        }
        _ => Check::Structure,
    };
    Failure::new(check, cairn_base::escape::escape(&e.to_string()))
}

/// What the bundle signs for: the artifact's bytes, or its digest.
pub enum Artifact<'a> {
    /// The artifact file, read to its end.
    Reader(&'a mut dyn std::io::Read),
    /// The artifact's bytes (an Ed25519 message signature is over the bytes
    /// themselves, so it cannot be checked from a stream or a digest).
    Bytes(&'a [u8]),
    /// The artifact's digest.
    Digest(Digest),
}

/// An artifact digest: `sha256`, `sha384` or `sha512` with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// The digest's bytes (of the algorithm's size).
    pub bytes: Vec<u8>,
}

impl Digest {
    /// Parses `ALG:HEX` (`sha256`, `sha384`, `sha512`; lowercase hex of the
    /// algorithm's size); `None` for anything else.
    pub fn parse(text: &str) -> Option<Digest> {
        let (alg, hex_digits) = text.split_once(':')?;
        let algorithm = match alg {
            "sha256" => HashAlgorithm::Sha2256,
            "sha384" => HashAlgorithm::Sha2384,
            "sha512" => HashAlgorithm::Sha2512,
            _ => return None,
        };
        let lower = hex_digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let bytes = hex::decode(hex_digits).ok().filter(|_| lower)?;
        (bytes.len() == algorithm.digest_size()).then_some(Digest { algorithm, bytes })
    }
}

/// Who must have signed.
pub enum Signer<'a> {
    /// A certificate from a Fulcio CA of the trusted root (whoever it names:
    /// identities are matched on the returned claims).
    Certificate,
    /// This key (SPKI DER), trusted within `window` (Unix seconds, closed) if given.
    Key {
        /// SubjectPublicKeyInfo DER.
        spki: &'a [u8],
        /// `[start, end]`, either end open.
        window: Option<(Option<i64>, Option<i64>)>,
    },
}

/// Whether checking `bundle` signed by `signer` needs the artifact's bytes:
/// a message signature by an Ed25519 key is over the message itself.
pub fn needs_bytes(bundle: &Bundle, signer: &Signer<'_>) -> bool {
    const ED25519_SPKI_PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let message = matches!(bundle.inner.content, SignatureContent::MessageSignature(_));
    let ed25519 = match signer {
        Signer::Key { spki, .. } => spki.starts_with(&ED25519_SPKI_PREFIX),
        // The certificate's key; Fulcio issues ECDSA, but a private CA may not.
        Signer::Certificate => bundle.inner.signing_certificate().is_some_and(|c| {
            use der::Decode as _;
            x509_cert::Certificate::from_der(c.as_bytes()).is_ok_and(|cert| {
                cert.tbs_certificate
                    .subject_public_key_info
                    .algorithm
                    .oid
                    .to_string()
                    == "1.3.101.112"
            })
        }),
    };
    message && ed25519
}

/// A verified time and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedTime {
    /// `transparency-log` (an integrated time whose entry verified) or `timestamp-authority`.
    pub source: &'static str,
    /// RFC 3339.
    pub time: String,
    /// Unix seconds.
    pub unix: i64,
}

/// One transparency log entry of a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// The log's id (hex sha256 of its key).
    pub log_id: String,
    /// The entry's index in the log.
    pub log_index: u64,
    /// `hashedrekord 0.0.1`, `dsse 0.0.1`, ...
    pub kind: String,
    /// The integrated time, when the entry carries one (RFC 3339).
    pub integrated_time: Option<String>,
}

/// A bundle that verified.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// `0.1`, `0.2` or `0.3`.
    pub bundle_version: &'static str,
    /// The certificate's claims (keyless bundles).
    pub claims: Option<Claims>,
    /// Every verified time.
    pub times: Vec<VerifiedTime>,
    /// Every transparency log entry.
    pub log_entries: Vec<LogEntry>,
    /// Whether inclusion in a transparency log was verified.
    pub tlog_verified: bool,
    /// Whether the certificate's SCT was verified.
    pub sct_verified: bool,
}

fn rfc3339(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Verifies `bundle` against `trust` for `artifact`, signed by `signer`.
/// Transparency log inclusion is required whenever the trusted root lists a
/// log, and an SCT whenever it lists a CT log.
pub fn verify(
    bundle: &Bundle,
    trust: &TrustRoot,
    signer: &Signer<'_>,
    artifact: Artifact<'_>,
) -> Result<Verified, Failure> {
    super::crypto::install();
    let inner = &bundle.inner;
    // A root certificate in the bundle's chain is refused unless it is one
    // the trusted root lists (a chain may repeat the anchors, never add one).
    let roots =
        super::read::self_signed(bundle).map_err(|m| Failure::new(Check::Certificate, m))?;
    if let Some((subject, _)) = roots.iter().find(|(_, der)| !trust.ca_certs.contains(der)) {
        return Err(Failure::new(
            Check::Certificate,
            format!("the chain holds a root certificate ({subject}) that the trusted root does not list; roots come from the trusted root, never from a bundle"),
        ));
    }
    if trust.has_tlogs && inner.verification_material.tlog_entries.is_empty() {
        return Err(Failure::new(
            Check::LogEntry,
            "the trusted root lists a transparency log, and the bundle has no entry in it",
        ));
    }
    let result = match signer {
        Signer::Certificate => {
            if !bundle.has_certificate() {
                return Err(Failure::new(
                    Check::Key,
                    "the bundle is signed with a key, not a certificate, and no key was given",
                ));
            }
            let mut policy = VerificationPolicy::any_identity();
            if !trust.has_tlogs {
                policy = policy.skip_tlog_unsafe();
            }
            if !trust.has_ctlogs {
                policy = policy.skip_sct();
            }
            run(trust, inner, &policy, artifact)
        }
        Signer::Key { spki, .. } => {
            if bundle.has_certificate() {
                return Err(Failure::new(
                    Check::Key,
                    "the bundle carries a certificate; a key was given instead of an identity",
                ));
            }
            let key = sigstore_verify::types::DerPublicKey::from_bytes(spki);
            let mut policy = PublicKeyVerificationPolicy::new(key);
            if !trust.has_tlogs {
                policy = policy.skip_tlog_unsafe();
            }
            run(trust, inner, &policy, artifact)
        }
    }
    .map_err(|e| match (signer, e) {
        // A managed-key signature that fails is the wrong key, most likely.
        (Signer::Key { .. }, Error::SignatureInvalid(m)) => Failure::new(
            Check::Key,
            format!(
                "the given key did not make this signature ({})",
                cairn_base::escape::escape(&m)
            ),
        ),
        (_, e) => failure(e),
    })?;

    let integrated = result.integrated_time();
    let times: Vec<VerifiedTime> = result
        .verified_timestamps()
        .iter()
        .map(|t| VerifiedTime {
            source: if Some(*t) == integrated {
                "transparency-log"
            } else {
                "timestamp-authority"
            },
            time: rfc3339(*t),
            unix: t.as_second(),
        })
        .collect();
    if times.is_empty() && matches!(signer, Signer::Certificate) {
        return Err(Failure::new(Check::VerifiedTime, "no verified time"));
    }
    if let Signer::Key {
        window: Some((start, end)),
        ..
    } = signer
    {
        if times.is_empty() {
            return Err(Failure::new(
                Check::Key,
                "the key is trusted only within a window, and the bundle has no verified time to place its signature in it",
            ));
        }
        for t in &times {
            let before = start.is_some_and(|s| t.unix < s);
            let after = end.is_some_and(|e| t.unix > e);
            if before || after {
                return Err(Failure::new(
                    Check::Key,
                    format!(
                        "signed at {} ({}), outside the key's validity window {} .. {}",
                        t.time,
                        t.source,
                        start.map_or("(open)".into(), unix_text),
                        end.map_or("(open)".into(), unix_text)
                    ),
                ));
            }
        }
    }
    if trust.has_tlogs {
        entries_in_listed_logs(trust, inner, &times)?;
    }
    let claims = match inner.signing_certificate() {
        Some(cert) => {
            Some(claims::read(cert.as_bytes()).map_err(|m| Failure::new(Check::Certificate, m))?)
        }
        None => None,
    };
    let log_entries = inner
        .verification_material
        .tlog_entries
        .iter()
        .map(|e| LogEntry {
            log_id: hex::encode(e.log_id.key_id.as_bytes()),
            log_index: u64::try_from(e.log_index.as_i64()).unwrap_or(0),
            kind: format!("{} {}", e.kind_version.kind(), e.kind_version.version()),
            integrated_time: e.integrated_time.map(rfc3339),
        })
        .collect();
    Ok(Verified {
        bundle_version: bundle.version.as_str(),
        claims,
        times,
        log_entries,
        tlog_verified: result.tlog_verified(),
        sct_verified: result.sct_verified(),
    })
}

/// Every log entry must be in a log the trusted root lists (by its log id),
/// whose key was valid at every verified time of the signature (at the
/// signing time for an entry that has only an inclusion proof, whose
/// checkpoint carries no time of its own); with no verified time, only a
/// log key without an end counts. The checks the verifier library makes do
/// not bind a proof-only entry to a listed log or its window.
fn entries_in_listed_logs(
    trust: &TrustRoot,
    bundle: &sigstore_verify::types::Bundle,
    times: &[VerifiedTime],
) -> Result<(), Failure> {
    for (i, entry) in bundle.verification_material.tlog_entries.iter().enumerate() {
        let id = entry.log_id.key_id.as_bytes();
        let logs: Vec<&(Vec<u8>, i64, Option<i64>)> =
            trust.tlogs.iter().filter(|(log, _, _)| log == id).collect();
        if logs.is_empty() {
            return Err(Failure::new(
                Check::LogEntry,
                format!(
                    "log entry {i} names log id {}, which no transparency log of the trusted root has",
                    hex::encode(id)
                ),
            ));
        }
        let valid_at = |t: i64| {
            logs.iter()
                .any(|(_, start, end)| *start <= t && end.is_none_or(|e| t <= e))
        };
        let fits = if times.is_empty() {
            logs.iter().any(|(_, _, end)| end.is_none())
        } else {
            times.iter().all(|t| valid_at(t.unix))
        };
        if !fits {
            let when: Vec<String> = times.iter().map(|t| t.time.clone()).collect();
            return Err(Failure::new(
                Check::LogEntry,
                format!(
                    "log entry {i} is in log {}, whose key was not valid when the signature was made ({}): a retired log key vouches for nothing",
                    hex::encode(id),
                    if when.is_empty() {
                        "no verified time, and the key has an end".to_string()
                    } else {
                        when.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(())
}

fn run(
    trust: &TrustRoot,
    bundle: &sigstore_verify::types::Bundle,
    policy: &(impl sigstore_verify::Policy + ?Sized),
    artifact: Artifact<'_>,
) -> Result<sigstore_verify::VerificationResult, Error> {
    match artifact {
        Artifact::Digest(d) => {
            let digest = ArtifactDigest::new(d.algorithm, d.bytes)?;
            trust.verifier.verify(
                sigstore_verify::types::Artifact::from_digest(digest),
                bundle,
                policy,
            )
        }
        Artifact::Reader(reader) => trust.verifier.verify_reader(reader, bundle, policy),
        Artifact::Bytes(bytes) => trust.verifier.verify(bytes, bundle, policy),
    }
}

fn unix_text(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map_or_else(|_| unix.to_string(), rfc3339)
}

/// The digest of a DSSE bundle's first subject (sha256, else sha512), for
/// verifying a bundle whose artifact is not given: `cairn verify` reads the
/// Statement's subjects against the policy itself.
pub fn first_subject_digest(bundle: &Bundle) -> Option<Digest> {
    let SignatureContent::DsseEnvelope(env) = &bundle.inner.content else {
        return None;
    };
    let statement: serde_json::Value = serde_json::from_slice(env.payload.as_bytes()).ok()?;
    let subjects = statement.get("subject")?.as_array()?;
    ["sha256", "sha512"].iter().find_map(|alg| {
        subjects.iter().find_map(|s| {
            let hex_digits = s.get("digest")?.get(*alg)?.as_str()?;
            Digest::parse(&format!("{alg}:{hex_digits}"))
        })
    })
}

//! Reading Sigstore bundles and trusted roots strictly, before the verifier
//! crate sees them.
//!
//! Every bundle passes cairn's strict JSON reader first (duplicate keys,
//! nesting, trailing data; `serde_json`, which the verifier uses, takes the
//! last of two duplicate keys), then the shape checks the Sigstore
//! specification asks for. Counts (certificates, log entries, timestamps,
//! subjects) are bounded by the bundle's bytes (the file limit, E306) alone.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::super::document::parse_json;
use super::super::error::{EvidenceError, Location};

/// Hashes of one inclusion proof: a tree of at most 2^64 leaves needs 64
/// (a bound of the format, not a limit on the input).
const MAX_PROOF_HASHES: usize = 64;

/// The bundle format version, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// `...bundle+json;version=0.1`: an inclusion promise is required.
    V01,
    /// `...bundle+json;version=0.2`: an inclusion proof with checkpoint is required.
    V02,
    /// `...bundle+json;version=0.3` or `...bundle.v0.3+json`: also a single leaf certificate.
    V03,
}

impl Version {
    /// `0.1`, `0.2` or `0.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V01 => "0.1",
            Version::V02 => "0.2",
            Version::V03 => "0.3",
        }
    }

    /// Parses `0.1`, `0.2` or `0.3` (a `--min-bundle-version` value).
    pub fn parse(text: &str) -> Option<Version> {
        match text.trim_start_matches('v') {
            "0.1" => Some(Version::V01),
            "0.2" => Some(Version::V02),
            "0.3" => Some(Version::V03),
            _ => None,
        }
    }
}

/// The media types cairn reads, and their versions.
pub const MEDIA_TYPES: &[(&str, Version)] = &[
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        Version::V01,
    ),
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        Version::V02,
    ),
    (
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        Version::V03,
    ),
    (
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        Version::V03,
    ),
];

/// Whether a parsed JSON document presents itself as a Sigstore bundle (its
/// `mediaType` names one, known version or not).
pub fn looks_like_bundle(value: &Value) -> bool {
    value
        .get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
}

/// A Sigstore bundle that passed the strict reader and the shape checks.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Where it came from.
    pub at: Location,
    /// sha256 (hex) of its exact bytes.
    pub sha256: String,
    /// Its format version.
    pub version: Version,
    /// The bundle as the verifier crate reads it.
    pub inner: sigstore_verify::types::Bundle,
}

impl Bundle {
    /// The DSSE payload type and decoded payload, for a DSSE bundle.
    pub fn dsse_payload(&self) -> Option<(&str, &[u8])> {
        match &self.inner.content {
            sigstore_verify::types::SignatureContent::DsseEnvelope(env) => {
                Some((env.payload_type.as_str(), env.payload.as_bytes()))
            }
            _ => None,
        }
    }

    /// Whether the bundle carries a certificate (keyless) rather than a key hint.
    pub fn has_certificate(&self) -> bool {
        self.inner.signing_certificate().is_some()
    }
}

fn refuse(at: &Location, field: &str, reason: impl Into<String>) -> EvidenceError {
    EvidenceError::SigstoreBundle {
        at: at.clone().with_field(field),
        reason: reason.into(),
    }
}

/// Reads a bundle from its bytes.
pub fn read_bundle(bytes: &[u8], at: &Location, max_depth: usize) -> Result<Bundle, EvidenceError> {
    let value = parse_json(bytes, at, max_depth)?;
    bundle_from_value(&value, bytes, at)
}

/// Checks the shape of an already strictly parsed bundle and hands it to the
/// verifier crate's reader. `bytes` are the exact bytes `value` was read from.
pub fn bundle_from_value(
    value: &Value,
    bytes: &[u8],
    at: &Location,
) -> Result<Bundle, EvidenceError> {
    let obj = value
        .as_object()
        .ok_or_else(|| refuse(at, "$", "a bundle is a JSON object"))?;
    let media = obj
        .get("mediaType")
        .and_then(Value::as_str)
        .ok_or_else(|| refuse(at, "$.mediaType", "missing or not a string"))?;
    let version = MEDIA_TYPES
        .iter()
        .find(|(m, _)| *m == media)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            refuse(
                at,
                "$.mediaType",
                format!(
                    "unknown bundle media type `{}`; cairn reads versions 0.1, 0.2 and 0.3",
                    cairn_base::escape::escape(media)
                ),
            )
        })?;
    let material = object(obj, "verificationMaterial", at, "$")?;
    check_material(material, version, at)?;
    let signed: Vec<&str> = ["messageSignature", "dsseEnvelope"]
        .into_iter()
        .filter(|k| obj.contains_key(*k))
        .collect();
    match signed.as_slice() {
        ["dsseEnvelope"] => {
            let env = object(obj, "dsseEnvelope", at, "$")?;
            let count = env
                .get("signatures")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if count != 1 {
                return Err(refuse(
                    at,
                    "$.dsseEnvelope.signatures",
                    format!("a DSSE envelope in a bundle carries exactly one signature, this one {count}"),
                ));
            }
            check_payload(env, at)?;
        }
        ["messageSignature"] => {}
        [] => {
            return Err(refuse(
                at,
                "$",
                "neither `messageSignature` nor `dsseEnvelope`: the bundle signs nothing",
            ))
        }
        _ => {
            return Err(refuse(
                at,
                "$",
                "both `messageSignature` and `dsseEnvelope`: a bundle carries exactly one",
            ))
        }
    }
    let text = std::str::from_utf8(bytes).map_err(|_| refuse(at, "$", "not UTF-8"))?;
    let inner = sigstore_verify::types::Bundle::from_json(text).map_err(|e| {
        refuse(
            at,
            "$",
            format!(
                "not a well-formed bundle: {}",
                cairn_base::escape::escape(&e.to_string())
            ),
        )
    })?;
    Ok(Bundle {
        at: at.clone(),
        sha256: hex::encode(Sha256::digest(bytes)),
        version,
        inner,
    })
}

/// A DSSE payload is read by cairn's strict reader too, before the
/// verifier reads it with serde_json (which would take the last of two
/// `subject` members): duplicate keys and nesting.
fn check_payload(env: &Map<String, Value>, at: &Location) -> Result<(), EvidenceError> {
    use base64::Engine as _;
    let Some(text) = env.get("payload").and_then(Value::as_str) else {
        return Err(refuse(
            at,
            "$.dsseEnvelope.payload",
            "missing or not a string",
        ));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| refuse(at, "$.dsseEnvelope.payload", "not valid base64"))?;
    let is_intoto = env.get("payloadType").and_then(Value::as_str)
        == Some(super::super::dsse::INTOTO_PAYLOAD_TYPE);
    if !is_intoto {
        // Another payload type is refused by the verifier (V140).
        return Ok(());
    }
    let payload = cairn_json::parse(&bytes, super::super::limits::MAX_DEPTH).map_err(|e| {
        refuse(
            at,
            &format!("$.dsseEnvelope.payload {}", e.path),
            format!("the Statement is not strict JSON: {}", e.kind),
        )
    })?;
    // `type` is the Statement's protobuf name for `_type` (docs/evidence.md):
    // one of the two, never both.
    if payload.get("_type").is_some() && payload.get("type").is_some() {
        return Err(refuse(
            at,
            "$.dsseEnvelope.payload $.type",
            "the Statement has both `_type` and its protobuf name `type`: one of them, as with a duplicate member",
        ));
    }
    Ok(())
}

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &Location,
    path: &str,
) -> Result<&'a Map<String, Value>, EvidenceError> {
    obj.get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| refuse(at, &format!("{path}.{key}"), "missing or not an object"))
}

fn check_material(
    material: &Map<String, Value>,
    version: Version,
    at: &Location,
) -> Result<(), EvidenceError> {
    let kinds: Vec<&str> = ["x509CertificateChain", "certificate", "publicKey"]
        .into_iter()
        .filter(|k| material.contains_key(*k))
        .collect();
    let path = "$.verificationMaterial";
    // Each entry of these lists may cost a signature check or a chain
    // build: their counts are bounded before anything else is read.
    use super::super::limits::{MAX_BUNDLE_CERTIFICATES, MAX_TIMESTAMPS, MAX_TLOG_ENTRIES};
    let lists = [
        (
            material
                .get("x509CertificateChain")
                .and_then(|c| c.get("certificates")),
            "x509CertificateChain.certificates",
            "certificates",
            MAX_BUNDLE_CERTIFICATES,
        ),
        (
            material.get("tlogEntries"),
            "tlogEntries",
            "log entries",
            MAX_TLOG_ENTRIES,
        ),
        (
            material
                .get("timestampVerificationData")
                .and_then(|t| t.get("rfc3161Timestamps")),
            "timestampVerificationData.rfc3161Timestamps",
            "timestamps",
            MAX_TIMESTAMPS,
        ),
    ];
    for (list, field, what, max) in lists {
        let count = list.and_then(Value::as_array).map_or(0, Vec::len);
        if count > max {
            return Err(EvidenceError::TooMany {
                at: at.clone().with_field(format!("{path}.{field}")),
                what,
                count,
                max,
            });
        }
    }
    match kinds.as_slice() {
        [one] => {
            if *one == "x509CertificateChain" {
                if version == Version::V03 {
                    return Err(refuse(
                        at,
                        &format!("{path}.x509CertificateChain"),
                        "a v0.3 bundle carries a single leaf `certificate`, not a chain",
                    ));
                }
                let certs = material
                    .get("x509CertificateChain")
                    .and_then(|c| c.get("certificates"))
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if certs == 0 {
                    return Err(refuse(
                        at,
                        &format!("{path}.x509CertificateChain.certificates"),
                        "the certificate chain is empty",
                    ));
                }
            }
        }
        [] => {
            return Err(refuse(
                at,
                path,
                "no `certificate`, `x509CertificateChain` or `publicKey`: nothing says who signed",
            ))
        }
        _ => {
            return Err(refuse(
                at,
                path,
                format!(
                    "both {}: a bundle names its signer once",
                    kinds.join(" and ")
                ),
            ))
        }
    }
    let entries = match material.get("tlogEntries") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(_) => return Err(refuse(at, &format!("{path}.tlogEntries"), "not an array")),
    };
    for (i, entry) in entries.iter().enumerate() {
        let here = format!("{path}.tlogEntries[{i}]");
        let has = |k: &str| entry.get(k).is_some_and(|v| !v.is_null());
        if version == Version::V01 && !has("inclusionPromise") {
            return Err(refuse(
                at,
                &here,
                "a v0.1 bundle's log entry needs an inclusion promise (`inclusionPromise`)",
            ));
        }
        if version >= Version::V02 {
            let proof = entry.get("inclusionProof");
            let checkpoint = proof
                .and_then(|p| p.get("checkpoint"))
                .and_then(|c| c.get("envelope"))
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if !checkpoint {
                return Err(refuse(
                    at,
                    &here,
                    format!(
                        "a v{} bundle's log entry needs an inclusion proof with a checkpoint",
                        version.as_str()
                    ),
                ));
            }
            let hashes = proof
                .and_then(|p| p.get("hashes"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if hashes > MAX_PROOF_HASHES {
                return Err(refuse(
                    at,
                    &format!("{here}.inclusionProof.hashes"),
                    format!(
                        "{hashes} hashes, more than a tree of 2^64 leaves needs ({MAX_PROOF_HASHES})"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The self-signed certificates (subject equal to issuer) of a bundle's
/// chain, as (subject, DER). A chain entry that does not decode is refused.
pub fn self_signed(bundle: &Bundle) -> Result<Vec<(String, Vec<u8>)>, String> {
    use der::Decode as _;
    use sigstore_verify::types::bundle::VerificationMaterialContent;
    let VerificationMaterialContent::X509CertificateChain { certificates } =
        &bundle.inner.verification_material.content
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, c) in certificates.iter().enumerate() {
        let der = c.raw_bytes.as_bytes();
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| format!("certificate {i} of the chain does not decode: {e}"))?;
        let tbs = &cert.tbs_certificate;
        if tbs.subject == tbs.issuer {
            out.push((
                cairn_base::escape::escape(&tbs.subject.to_string()),
                der.to_vec(),
            ));
        }
    }
    Ok(out)
}

/// A trusted root read strictly and prepared for verification.
pub struct TrustRoot {
    /// The file, for messages.
    pub label: String,
    /// sha256 (hex) of its bytes.
    pub sha256: String,
    /// Whether it lists transparency logs (then every bundle needs a verified entry).
    pub has_tlogs: bool,
    /// Whether it lists CT logs (then every certificate needs a valid SCT).
    pub has_ctlogs: bool,
    /// The DER of every CA certificate the root lists (a bundle's chain may
    /// repeat them, never add a root of its own).
    pub(super) ca_certs: Vec<Vec<u8>>,
    /// Every transparency log the root lists: its log id (the key id
    /// bytes) and its key's validity window in Unix seconds (start, end).
    pub(super) tlogs: Vec<(Vec<u8>, i64, Option<i64>)>,
    pub(super) verifier: sigstore_verify::Verifier,
}

impl std::fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustRoot")
            .field("label", &self.label)
            .field("has_tlogs", &self.has_tlogs)
            .field("has_ctlogs", &self.has_ctlogs)
            .finish_non_exhaustive()
    }
}

/// The trusted root media type cairn reads.
pub const TRUSTED_ROOT_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

/// Reads a `trusted_root.json`: strict JSON, the media type, every
/// `validFor` window with a start, then the verifier's own checks of the
/// keys and certificates.
pub fn read_trust_root(
    bytes: &[u8],
    label: &str,
    max_depth: usize,
) -> Result<TrustRoot, EvidenceError> {
    super::crypto::install();
    let at = Location::file(label);
    let bad = |field: &str, reason: String| EvidenceError::TrustedRoot {
        at: at.clone().with_field(field),
        reason,
    };
    let value = parse_json(bytes, &at, max_depth)?;
    let media = value.get("mediaType").and_then(Value::as_str);
    if media != Some(TRUSTED_ROOT_MEDIA_TYPE) {
        return Err(bad(
            "$.mediaType",
            format!(
                "expected `{TRUSTED_ROOT_MEDIA_TYPE}`, found {}",
                media.map_or("none".into(), |m| format!(
                    "`{}`",
                    cairn_base::escape::escape(m)
                ))
            ),
        ));
    }
    for list in [
        "tlogs",
        "ctlogs",
        "certificateAuthorities",
        "timestampAuthorities",
    ] {
        let Some(items) = value.get(list) else {
            continue;
        };
        let items = items
            .as_array()
            .ok_or_else(|| bad(&format!("$.{list}"), "not an array".into()))?;
        for (i, item) in items.iter().enumerate() {
            let window = match list {
                "tlogs" | "ctlogs" => item.get("publicKey").and_then(|k| k.get("validFor")),
                _ => item.get("validFor"),
            };
            let path = match list {
                "tlogs" | "ctlogs" => format!("$.{list}[{i}].publicKey.validFor"),
                _ => format!("$.{list}[{i}].validFor"),
            };
            let start = window.and_then(|w| w.get("start")).and_then(Value::as_str);
            if start.is_none() {
                return Err(bad(
                    &path,
                    "no `start`: every key and authority is trusted only within a window that starts".into(),
                ));
            }
        }
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("$", "not UTF-8".into()))?;
    let root = sigstore_verify::trust_root::TrustedRoot::from_json(text)
        .map_err(|e| bad("$", cairn_base::escape::escape(&e.to_string())))?;
    let verifier = sigstore_verify::Verifier::new(&root)
        .map_err(|e| bad("$", cairn_base::escape::escape(&e.to_string())))?;
    Ok(TrustRoot {
        label: label.to_owned(),
        sha256: hex::encode(Sha256::digest(bytes)),
        has_tlogs: !root.tlogs.is_empty(),
        has_ctlogs: !root.ctlogs.is_empty(),
        ca_certs: root
            .certificate_authorities
            .iter()
            .flat_map(|ca| ca.cert_chain.certificates.iter())
            .map(|c| c.raw_bytes.as_bytes().to_vec())
            .collect(),
        // A log without a window is never matched (the reading above
        // refuses one without a start anyway).
        tlogs: root
            .tlogs
            .iter()
            .filter_map(|t| {
                let window = t.public_key.valid_for.as_ref()?;
                Some((
                    t.log_id.key_id.as_bytes().to_vec(),
                    window.start.as_second(),
                    window.end.map(|e| e.as_second()),
                ))
            })
            .collect(),
        verifier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Bundle, EvidenceError> {
        read_bundle(text.as_bytes(), &Location::file("b.json"), 64)
    }

    fn code(e: &EvidenceError) -> String {
        use miette::Diagnostic as _;
        e.code().map(|c| c.to_string()).unwrap_or_default()
    }

    #[test]
    fn unknown_media_types_and_shapes_are_refused_with_e330() {
        let e = read(r#"{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.9"}"#)
            .unwrap_err();
        assert_eq!(code(&e), "E330");
        assert!(e.to_string().contains("unknown bundle media type"), "{e}");
        let e = read(r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"publicKey": {"hint": "x"}}}"#).unwrap_err();
        assert!(e.to_string().contains("signs nothing"), "{e}");
        let e = read(r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"x509CertificateChain": {"certificates": [{"rawBytes": "AA=="}]}}, "messageSignature": {}}"#).unwrap_err();
        assert!(e.to_string().contains("single leaf"), "{e}");
        let e = read(r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"publicKey": {"hint": "x"}}, "dsseEnvelope": {"signatures": [{}, {}]}}"#).unwrap_err();
        assert!(e.to_string().contains("exactly one signature"), "{e}");
    }

    #[test]
    fn duplicate_keys_are_refused_before_the_crate_sees_them() {
        let e = read(r#"{"mediaType": "a", "mediaType": "b"}"#).unwrap_err();
        assert_eq!(code(&e), "E303");
    }

    #[test]
    fn versions_need_their_proofs() {
        let v01 = r#"{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1", "verificationMaterial": {"publicKey": {"hint": "x"}, "tlogEntries": [{"logIndex": "1"}]}, "messageSignature": {}}"#;
        assert!(read(v01)
            .unwrap_err()
            .to_string()
            .contains("inclusion promise"));
        let v02 = v01.replace("version=0.1", "version=0.2");
        assert!(read(&v02)
            .unwrap_err()
            .to_string()
            .contains("inclusion proof with a checkpoint"));
    }

    #[test]
    fn a_statement_with_a_duplicate_key_is_refused_before_the_crate_sees_it() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD.encode(
            r#"{"_type": "https://in-toto.io/Statement/v1", "subject": [], "subject": [{"name": "x", "digest": {"sha256": "00"}}]}"#,
        );
        let text = format!(
            r#"{{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {{"publicKey": {{"hint": "x"}}}}, "dsseEnvelope": {{"payload": "{payload}", "payloadType": "application/vnd.in-toto+json", "signatures": [{{"sig": "AA=="}}]}}}}"#
        );
        let e = read(&text).unwrap_err();
        assert!(e.to_string().contains("duplicate key"), "{e}");
    }

    #[test]
    fn a_statement_with_type_and_its_alias_is_refused() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD.encode(
            r#"{"_type": "https://in-toto.io/Statement/v1", "type": "https://in-toto.io/Statement/v1", "subject": [{"name": "x", "digest": {"sha256": "00"}}]}"#,
        );
        let text = format!(
            r#"{{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {{"publicKey": {{"hint": "x"}}}}, "dsseEnvelope": {{"payload": "{payload}", "payloadType": "application/vnd.in-toto+json", "signatures": [{{"sig": "AA=="}}]}}}}"#
        );
        let e = read(&text).unwrap_err();
        assert_eq!(code(&e), "E330");
        assert!(e.to_string().contains("protobuf name `type`"), "{e}");
    }

    #[test]
    fn counts_are_bounded() {
        // 8 log entries are read, 9 are refused before anything else;
        // an inclusion proof longer than any tree needs is refused too.
        let bundle = |n: usize| {
            let entries = vec![r#"{"inclusionPromise": {}}"#; n].join(",");
            format!(
                r#"{{"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1", "verificationMaterial": {{"publicKey": {{"hint": "x"}}, "tlogEntries": [{entries}]}}, "messageSignature": {{}}}}"#
            )
        };
        if let Err(e) = read(&bundle(8)) {
            assert_ne!(code(&e), "E475", "{e}");
        }
        let e = read(&bundle(9)).unwrap_err();
        assert_eq!(code(&e), "E475");
        assert!(
            e.to_string()
                .contains("at `$.verificationMaterial.tlogEntries`: 9, cairn reads at most 8"),
            "{e}"
        );
        let hashes = vec![r#""00""#; 65].join(",");
        let text = format!(
            r#"{{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {{"publicKey": {{"hint": "x"}}, "tlogEntries": [{{"inclusionProof": {{"checkpoint": {{"envelope": "x"}}, "hashes": [{hashes}]}}}}]}}, "messageSignature": {{}}}}"#
        );
        assert!(read(&text)
            .unwrap_err()
            .to_string()
            .contains("65 hashes, more than a tree of 2^64 leaves needs (64)"));
    }
}

//! Public keys: parsing key material and computing securesystemslib keyids.
//!
//! Accepted: Ed25519 (64 hex digits, 32 raw bytes, PEM or DER
//! SubjectPublicKeyInfo), ECDSA on P-256, P-384 and P-521 (PEM or DER SPKI)
//! and RSA of at least 2048 bits (PEM or DER SPKI). ECDSA on weaker or other
//! curves (P-224, P-192, secp256k1) is refused with the curve's name. A key's
//! identity for thresholds is its algorithm plus its normalised public bytes
//! ([`PublicKey::identity`]), never its keyid text.

use ed25519_dalek::pkcs8::DecodePublicKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// A parsed public key.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA over NIST P-256.
    EcdsaP256(p256::ecdsa::VerifyingKey),
    /// ECDSA over NIST P-384.
    EcdsaP384(p384::ecdsa::VerifyingKey),
    /// ECDSA over NIST P-521.
    EcdsaP521(p521::PublicKey),
    /// RSA.
    Rsa(rsa::RsaPublicKey),
}

/// Why key material was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Hex that is not 64 hex digits, or not a valid Ed25519 point.
    #[error("malformed ed25519 public key: {0}")]
    Ed25519(String),
    /// A PEM block that could not be read (as a SubjectPublicKeyInfo, or a
    /// PKCS#8 private key).
    #[error("malformed PEM key: {0}")]
    Pem(String),
    /// An RSA modulus below [`MIN_RSA_BITS`].
    #[error("RSA key of {0} bits is too small (at least {MIN_RSA_BITS} required)")]
    RsaTooSmall(usize),
    /// A PEM block whose algorithm cairn does not accept.
    #[error(
        "unsupported key algorithm (expected Ed25519, ECDSA on P-256, P-384 or P-521, or RSA)"
    )]
    Unsupported,
    /// An ECDSA key on a curve too small to be accepted.
    #[error(
        "ECDSA on curve {0} is too weak and not accepted (cairn accepts P-256, P-384 and P-521)"
    )]
    WeakCurve(&'static str),
    /// An ECDSA key on a curve cairn does not verify.
    #[error("ECDSA on curve {0} is not accepted (cairn accepts P-256, P-384 and P-521)")]
    OtherCurve(String),
    /// A GPG key as in-toto python layouts carry it.
    #[error(
        "a GPG key (method `{method}`) is not supported: cairn verifies no OpenPGP signatures"
    )]
    Gpg {
        /// Its `method` (`pgp+rsa-pkcsv1.5`, `pgp+dsa-fips-180-2`, `pgp+eddsa-ed25519`).
        method: String,
    },
    /// A binary key file that is neither a raw Ed25519 key nor DER.
    #[error("{0}")]
    Binary(String),
    /// A signature scheme that is unknown or does not fit the key.
    #[error("{0}")]
    Scheme(String),
    /// A securesystemslib JSON key object that is malformed.
    #[error("malformed key object: {0}")]
    KeyObject(String),
    /// Key text that starts with a byte-order mark.
    #[error("the key starts with a byte-order mark (U+FEFF)")]
    ByteOrderMark,
    /// Key text that is empty or only whitespace.
    #[error("the key is empty")]
    Empty,
}

/// `text` when it can hold a key: not empty, and not starting with a
/// byte-order mark (which key readers would otherwise report as a bad
/// character somewhere inside the key).
pub fn key_text(text: &str) -> Result<&str, KeyError> {
    if text.starts_with('\u{feff}') {
        return Err(KeyError::ByteOrderMark);
    }
    if text.trim().is_empty() {
        return Err(KeyError::Empty);
    }
    Ok(text)
}

impl PublicKey {
    /// Parses 64 hex digits of a raw Ed25519 public key. Small-order points are refused.
    pub fn from_ed25519_hex(hex_text: &str) -> Result<PublicKey, KeyError> {
        let hex_text = key_text(hex_text)?;
        let bytes = hex::decode(hex_text.trim()).map_err(|e| KeyError::Ed25519(e.to_string()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::Ed25519("expected 32 bytes (64 hex digits)".into()))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|e| KeyError::Ed25519(e.to_string()))?;
        if key.is_weak() {
            return Err(KeyError::Ed25519("small-order point".into()));
        }
        Ok(PublicKey::Ed25519(key))
    }

    /// Parses a PEM SubjectPublicKeyInfo of any accepted algorithm.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let pem = key_text(pem)?;
        if !pem.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(KeyError::Pem(
                "expected a `-----BEGIN PUBLIC KEY-----` block".into(),
            ));
        }
        if pem.matches("-----BEGIN ").count() > 1 {
            return Err(KeyError::Pem(
                "the file holds more than one PEM block; give one key per file".into(),
            ));
        }
        if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            if key.is_weak() {
                return Err(KeyError::Ed25519("small-order point".into()));
            }
            return Ok(PublicKey::Ed25519(key));
        }
        if let Some(der) = ec_spki_der(pem) {
            return from_ec_spki_der(&der);
        }
        match rsa::RsaPublicKey::from_public_key_pem(pem) {
            Ok(key) => {
                let bits = key.size() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(KeyError::RsaTooSmall(bits));
                }
                Ok(PublicKey::Rsa(key))
            }
            Err(rsa::pkcs8::spki::Error::OidUnknown { .. }) => Err(KeyError::Unsupported),
            Err(e) => Err(KeyError::Pem(e.to_string())),
        }
    }

    /// Reads a key file's bytes: a raw 32-byte Ed25519 key, a DER
    /// SubjectPublicKeyInfo, or text ([`PublicKey::from_pem`] when it holds a
    /// PEM block, [`PublicKey::from_ed25519_hex`] otherwise).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        match std::str::from_utf8(bytes) {
            Ok(text) if looks_like_text_key(text) => {
                let parsed = if text.contains("-----BEGIN") {
                    PublicKey::from_pem(text)
                } else {
                    PublicKey::from_ed25519_hex(text)
                };
                match parsed {
                    // 32 bytes that happen to be text: a raw key after all.
                    Err(_) if bytes.len() == 32 => PublicKey::from_binary(bytes),
                    other => other,
                }
            }
            _ => PublicKey::from_binary(bytes),
        }
    }

    /// Reads binary key material: exactly 32 bytes are a raw Ed25519 key,
    /// anything starting with a DER SEQUENCE a SubjectPublicKeyInfo.
    pub fn from_binary(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        if bytes.len() == 32 {
            let raw: [u8; 32] = bytes
                .try_into()
                .map_err(|_| KeyError::Ed25519("expected 32 bytes".into()))?;
            return ed25519_from_bytes(&raw);
        }
        if bytes.first() == Some(&0x30) {
            return PublicKey::from_spki_der(bytes);
        }
        Err(KeyError::Binary(format!(
            "a binary key file must be a raw 32-byte Ed25519 key or a DER SubjectPublicKeyInfo; this one has {} bytes and is neither",
            bytes.len()
        )))
    }

    /// Parses a DER SubjectPublicKeyInfo of any accepted algorithm. An
    /// Ed25519 key may carry NULL algorithm parameters (as in-toto-rs writes
    /// it) or none (RFC 8410).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        use der::Decode as _;
        let spki = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Binary(format!("not a DER SubjectPublicKeyInfo: {e}")))?;
        if spki.algorithm.oid == ED25519_OID {
            let params_ok = match &spki.algorithm.parameters {
                None => true,
                Some(p) => p.is_null(),
            };
            if !params_ok {
                return Err(KeyError::Ed25519(
                    "unexpected algorithm parameters in the SubjectPublicKeyInfo".into(),
                ));
            }
            let raw: [u8; 32] = spki
                .subject_public_key
                .as_bytes()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| KeyError::Ed25519("expected a 32-byte public key".into()))?;
            return ed25519_from_bytes(&raw);
        }
        // Everything else takes the PEM path, with all its checks.
        PublicKey::from_pem(&spki_pem(Ok(der.to_vec())))
    }

    /// securesystemslib key type: `ed25519`, `ecdsa` or `rsa`.
    pub fn keytype(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::EcdsaP256(_) | PublicKey::EcdsaP384(_) | PublicKey::EcdsaP521(_) => "ecdsa",
            PublicKey::Rsa(_) => "rsa",
        }
    }

    /// The default securesystemslib scheme for this key type (for ECDSA the
    /// one of its curve, as in-toto-golang and securesystemslib pair them).
    pub fn default_scheme(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::EcdsaP256(_) => "ecdsa-sha2-nistp256",
            PublicKey::EcdsaP384(_) => "ecdsa-sha2-nistp384",
            PublicKey::EcdsaP521(_) => "ecdsa-sha2-nistp521",
            PublicKey::Rsa(_) => "rsassa-pss-sha256",
        }
    }

    /// `keyval.public` as securesystemslib writes it: lowercase hex for
    /// Ed25519, PEM SPKI with a trailing newline otherwise.
    pub fn public_text(&self) -> String {
        match self {
            PublicKey::Ed25519(k) => hex::encode(k.as_bytes()),
            PublicKey::EcdsaP256(k) => spki_pem(k.to_public_key_der().map(|d| d.into_vec())),
            PublicKey::EcdsaP384(k) => spki_pem(k.to_public_key_der().map(|d| d.into_vec())),
            PublicKey::EcdsaP521(k) => spki_pem(k.to_public_key_der().map(|d| d.into_vec())),
            PublicKey::Rsa(k) => spki_pem(k.to_public_key_der().map(|d| d.into_vec())),
        }
    }

    /// Algorithm tag plus normalised public bytes: equal exactly when the key
    /// material is the same, whatever its encoding or keyid.
    pub fn identity(&self) -> Vec<u8> {
        let (tag, bytes): (u8, Vec<u8>) = match self {
            PublicKey::Ed25519(k) => (1, k.as_bytes().to_vec()),
            PublicKey::EcdsaP256(k) => (2, k.to_encoded_point(false).as_bytes().to_vec()),
            PublicKey::Rsa(k) => (3, [k.n().to_bytes_be(), k.e().to_bytes_be()].concat()),
            PublicKey::EcdsaP384(k) => (4, k.to_encoded_point(false).as_bytes().to_vec()),
            PublicKey::EcdsaP521(k) => {
                use p521::elliptic_curve::sec1::ToEncodedPoint as _;
                (5, k.to_encoded_point(false).as_bytes().to_vec())
            }
        };
        let mut out = vec![tag];
        out.extend(bytes);
        out
    }
}

impl PublicKey {
    /// The key as SubjectPublicKeyInfo DER (what a Sigstore bundle's key is
    /// compared with); `None` only if the encoder fails.
    pub fn spki_der(&self) -> Option<Vec<u8>> {
        use p256::pkcs8::EncodePublicKey as _;
        let doc = match self {
            PublicKey::Ed25519(k) => k.to_public_key_der().ok()?,
            PublicKey::EcdsaP256(k) => k.to_public_key_der().ok()?,
            PublicKey::EcdsaP384(k) => k.to_public_key_der().ok()?,
            PublicKey::EcdsaP521(k) => k.to_public_key_der().ok()?,
            PublicKey::Rsa(k) => k.to_public_key_der().ok()?,
        };
        Some(doc.as_bytes().to_vec())
    }
}

/// `id-Ed25519` (RFC 8410).
const ED25519_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-ecPublicKey` (RFC 5480).
const EC_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Named curves cairn recognises: (OID, name).
const CURVES: &[(&str, &str)] = &[
    ("1.2.840.10045.3.1.7", "P-256"),
    ("1.3.132.0.34", "P-384"),
    ("1.3.132.0.35", "P-521"),
    ("1.3.132.0.33", "P-224 (secp224r1)"),
    ("1.2.840.10045.3.1.1", "P-192 (secp192r1)"),
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1"),
];

fn ed25519_from_bytes(raw: &[u8; 32]) -> Result<PublicKey, KeyError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(raw)
        .map_err(|e| KeyError::Ed25519(e.to_string()))?;
    if key.is_weak() {
        return Err(KeyError::Ed25519("small-order point".into()));
    }
    Ok(PublicKey::Ed25519(key))
}

/// Whether text could be a key written as text (PEM, hex, JSON), not raw
/// bytes that happen to be valid UTF-8.
fn looks_like_text_key(text: &str) -> bool {
    text.chars()
        .all(|c| !c.is_control() || c.is_ascii_whitespace() || c == '\u{feff}')
}

/// The DER of a PEM SubjectPublicKeyInfo that names `id-ecPublicKey`.
fn ec_spki_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    const EC_OID_DER: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()?;
    der.windows(EC_OID_DER.len())
        .take(8)
        .any(|w| w == EC_OID_DER)
        .then_some(der)
}

/// An ECDSA key from its SubjectPublicKeyInfo: the curve decides the type;
/// a curve cairn does not accept is named in the error.
fn from_ec_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
    use der::Decode as _;
    let spki = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| KeyError::Pem(format!("malformed EC SubjectPublicKeyInfo: {e}")))?;
    if spki.algorithm.oid != EC_OID {
        return Err(KeyError::Unsupported);
    }
    let curve = spki
        .algorithm
        .parameters_oid()
        .map_err(|_| KeyError::Pem("an EC key without a named curve".into()))?;
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| KeyError::Pem("an EC key whose point is not whole bytes".into()))?;
    let name = CURVES
        .iter()
        .find(|(oid, _)| curve.to_string() == *oid)
        .map(|(_, name)| *name);
    let bad_point = |curve: &str| {
        KeyError::Pem(format!(
            "an EC key on {curve} that is not a valid point (malformed or off the curve)"
        ))
    };
    match name {
        Some("P-256") => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map(PublicKey::EcdsaP256)
            .map_err(|_| bad_point("P-256")),
        Some("P-384") => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map(PublicKey::EcdsaP384)
            .map_err(|_| bad_point("P-384")),
        Some("P-521") => p521::PublicKey::from_sec1_bytes(point)
            .map(PublicKey::EcdsaP521)
            .map_err(|_| bad_point("P-521")),
        Some("P-224 (secp224r1)") => Err(KeyError::WeakCurve("P-224 (secp224r1)")),
        Some("P-192 (secp192r1)") => Err(KeyError::WeakCurve("P-192 (secp192r1)")),
        Some(other) => Err(KeyError::OtherCurve(other.to_owned())),
        None => Err(KeyError::OtherCurve(format!("with OID {curve}"))),
    }
}

fn spki_pem(der: Result<Vec<u8>, rsa::pkcs8::spki::Error>) -> String {
    use base64::Engine as _;
    // Encoding a key that was decoded from SPKI cannot fail; an empty body
    // would only make keyids disagree, never verify a signature.
    let der = der.unwrap_or_default();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// Escapes a string as securesystemslib canonical JSON does: only `\` and `"`.
fn canonical_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The keyid of `(keytype, scheme, public)` by the modern securesystemslib
/// formula (`legacy == false`) or the legacy one, which adds
/// `"keyid_hash_algorithms": ["sha256", "sha512"]`.
pub fn keyid(keytype: &str, scheme: &str, public: &str, legacy: bool) -> String {
    let algorithms = if legacy {
        r#""keyid_hash_algorithms":["sha256","sha512"],"#
    } else {
        ""
    };
    let canonical = format!(
        r#"{{{algorithms}"keytype":{},"keyval":{{"public":{}}},"scheme":{}}}"#,
        canonical_string(keytype),
        canonical_string(public),
        canonical_string(scheme)
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AV_KEY: &str = "7345b83c121ea0d9ffc3b38d69958718b8435e8cb0552f889d695586693e1b89";

    #[test]
    fn keyid_vectors_of_reference_4_3() {
        assert_eq!(
            keyid("ed25519", "ed25519", AV_KEY, true),
            "fe1c6281c5ff13e35286cc67e5a1fb3e6575b840a6c39ca4267d3805eb17288a"
        );
        assert_eq!(
            keyid("ed25519", "ed25519", AV_KEY, false),
            "956a5cbc364625b71fb4fcc861044ab3e75ba3017af739c5774baf9391ff4090"
        );
        assert_eq!(
            keyid(
                "ed25519",
                "ed25519",
                "4f66dabebcf30628963786001984c0b75c175cdcf3bc4855933a2628f0cd0a0f",
                false
            ),
            "c6d8bf2e4f48b41ac2ce8eca21415ca8ef68c133b47fc33df03d4070a7e1e9cc"
        );
    }

    #[test]
    fn ed25519_hex_round_trips_and_rejects_garbage() {
        let key = PublicKey::from_ed25519_hex(AV_KEY).unwrap();
        assert_eq!(key.public_text(), AV_KEY);
        assert!(PublicKey::from_ed25519_hex("abcd").is_err());
        assert!(PublicKey::from_ed25519_hex("zz").is_err());
        // The identity point has small order.
        let identity = format!("01{}", "00".repeat(31));
        assert!(PublicKey::from_ed25519_hex(&identity).is_err());
    }

    #[test]
    fn fixture_owner_pem_parses_as_ed25519() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAc0W4PBIeoNn/w7ONaZWHGLhDXoywVS+InWlVhmk+G4k=\n-----END PUBLIC KEY-----\n";
        let key = PublicKey::from_pem(pem).unwrap();
        assert_eq!(key.keytype(), "ed25519");
        assert_eq!(key.public_text(), AV_KEY);
        assert!(PublicKey::from_pem("not a key").is_err());
    }

    /// A SubjectPublicKeyInfo for `id-ecPublicKey` on the curve `oid`
    /// (DER content bytes of the OID) with `point` as its key.
    fn ec_spki(oid: &[u8], point: &[u8]) -> Vec<u8> {
        let mut alg = vec![0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06];
        alg.push(oid.len() as u8);
        alg.extend_from_slice(oid);
        let mut bits = vec![0x03, point.len() as u8 + 1, 0x00];
        bits.extend_from_slice(point);
        let mut body = vec![0x30, alg.len() as u8];
        body.extend(alg);
        body.extend(bits);
        let mut out = vec![0x30, body.len() as u8];
        out.extend(body);
        out
    }

    #[test]
    fn ecdsa_p384_and_p521_keys_by_curve() {
        use p384::pkcs8::EncodePublicKey as _;
        let k384 = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let pem = k384
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap();
        let key = PublicKey::from_pem(&pem).unwrap();
        assert!(matches!(key, PublicKey::EcdsaP384(_)));
        assert_eq!(key.keytype(), "ecdsa");
        assert_eq!(key.default_scheme(), "ecdsa-sha2-nistp384");
        assert_eq!(key.public_text(), pem);
        let k521 = p521::SecretKey::random(&mut rand_core::OsRng).public_key();
        let pem = k521.to_public_key_pem(Default::default()).unwrap();
        let key = PublicKey::from_pem(&pem).unwrap();
        assert!(matches!(key, PublicKey::EcdsaP521(_)));
        assert_eq!(key.default_scheme(), "ecdsa-sha2-nistp521");
        assert_eq!(key.public_text(), pem);
        // The same key as binary DER.
        let der = key.spki_der().unwrap();
        assert_eq!(
            PublicKey::from_file_bytes(&der).unwrap().identity(),
            key.identity()
        );
        assert_ne!(
            PublicKey::from_pem(&pem).unwrap().identity(),
            PublicKey::from_pem(
                &k384
                    .verifying_key()
                    .to_public_key_pem(Default::default())
                    .unwrap()
            )
            .unwrap()
            .identity()
        );
    }

    #[test]
    fn weak_and_other_curves_are_named() {
        // secp224r1 (1.3.132.0.33), secp256k1 (1.3.132.0.10), P-192 and an
        // unknown OID, each with a point of the right length for P-224.
        let point = [4u8; 57];
        let cases: [(&[u8], &str); 4] = [
            (&[0x2b, 0x81, 0x04, 0x00, 0x21], "P-224"),
            (&[0x2b, 0x81, 0x04, 0x00, 0x0a], "secp256k1"),
            (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01], "P-192"),
            (&[0x2b, 0x81, 0x04, 0x00, 0x7f], "OID 1.3.132.0.127"),
        ];
        for (oid, name) in cases {
            let der = ec_spki(oid, &point);
            let err = PublicKey::from_spki_der(&der).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
            let pem = spki_pem(Ok(der));
            assert_eq!(PublicKey::from_pem(&pem).unwrap_err().to_string(), err);
        }
        let weak = PublicKey::from_spki_der(&ec_spki(&[0x2b, 0x81, 0x04, 0x00, 0x21], &point));
        assert!(matches!(weak, Err(KeyError::WeakCurve(_))));
        // A P-384 curve OID with a point off the curve.
        let mut bad = vec![4u8];
        bad.extend([1u8; 96]);
        let err = PublicKey::from_spki_der(&ec_spki(&[0x2b, 0x81, 0x04, 0x00, 0x22], &bad))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("P-384") && err.contains("not a valid point"),
            "{err}"
        );
    }

    #[test]
    fn ed25519_raw_and_der() {
        let raw = hex::decode(AV_KEY).unwrap();
        let key = PublicKey::from_file_bytes(&raw).unwrap();
        assert_eq!(key.public_text(), AV_KEY);
        let mut der = hex::decode("302a300506032b6570032100").unwrap();
        der.extend(&raw);
        assert_eq!(
            PublicKey::from_file_bytes(&der).unwrap().public_text(),
            AV_KEY
        );
        // NULL parameters, as in-toto-rs writes them.
        let mut null = hex::decode("302c300706032b65700500032100").unwrap();
        null.extend(&raw);
        assert_eq!(
            PublicKey::from_file_bytes(&null).unwrap().public_text(),
            AV_KEY
        );
        // Other parameters are refused.
        let mut int = hex::decode("302d300806032b6570020100032100").unwrap();
        int.extend(&raw);
        assert!(PublicKey::from_file_bytes(&int).is_err());
        // Text keys still read as text; the small-order raw key is refused.
        assert_eq!(
            PublicKey::from_file_bytes(AV_KEY.as_bytes())
                .unwrap()
                .public_text(),
            AV_KEY
        );
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(PublicKey::from_file_bytes(&identity).is_err());
        assert!(matches!(
            PublicKey::from_file_bytes(&[0xff, 0xfe, 0x00]),
            Err(KeyError::Binary(_))
        ));
        assert!(matches!(
            PublicKey::from_file_bytes(b""),
            Err(KeyError::Empty)
        ));
        assert!(matches!(
            PublicKey::from_file_bytes("\u{feff}00".as_bytes()),
            Err(KeyError::ByteOrderMark)
        ));
    }
}

//! Public keys: parsing key material and computing securesystemslib keyids.
//!
//! Accepted: Ed25519 (raw 32-byte hex, PEM SubjectPublicKeyInfo), ECDSA P-256
//! (PEM SPKI) and RSA of at least 2048 bits (PEM SPKI). A key's identity for
//! thresholds is its algorithm plus its normalised public bytes
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
    #[error("unsupported key algorithm (expected Ed25519, ECDSA P-256 or RSA)")]
    Unsupported,
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
        match p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            Ok(key) => return Ok(PublicKey::EcdsaP256(key)),
            // An EC key that P-256 refuses: another curve, or a bad point.
            Err(_) if is_ec_spki(pem) => {
                return Err(KeyError::Pem(
                    "an EC key that is not a valid ECDSA P-256 point (other curve, malformed or off the curve)".into(),
                ))
            }
            Err(_) => {}
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

    /// securesystemslib key type: `ed25519`, `ecdsa` or `rsa`.
    pub fn keytype(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::EcdsaP256(_) => "ecdsa",
            PublicKey::Rsa(_) => "rsa",
        }
    }

    /// The default securesystemslib scheme for this key type.
    pub fn default_scheme(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::EcdsaP256(_) => "ecdsa-sha2-nistp256",
            PublicKey::Rsa(_) => "rsassa-pss-sha256",
        }
    }

    /// `keyval.public` as securesystemslib writes it: lowercase hex for
    /// Ed25519, PEM SPKI with a trailing newline otherwise.
    pub fn public_text(&self) -> String {
        match self {
            PublicKey::Ed25519(k) => hex::encode(k.as_bytes()),
            PublicKey::EcdsaP256(k) => spki_pem(k.to_public_key_der().map(|d| d.into_vec())),
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
            PublicKey::Rsa(k) => k.to_public_key_der().ok()?,
        };
        Some(doc.as_bytes().to_vec())
    }
}

/// Whether a PEM SubjectPublicKeyInfo names the `id-ecPublicKey` algorithm.
fn is_ec_spki(pem: &str) -> bool {
    use base64::Engine as _;
    const EC_OID: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .is_ok_and(|der| der.windows(EC_OID.len()).take(8).any(|w| w == EC_OID))
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
}

//! Key files: trusted public keys (with their scheme and keyids) and private
//! keys for signing.
//!
//! A public key file holds a PEM SubjectPublicKeyInfo, 64 hex digits of a raw
//! Ed25519 key, a securesystemslib JSON key object
//! (`{"keytype", "scheme", "keyval": {"public"}}`), 32 raw bytes of an Ed25519
//! key or a binary DER SubjectPublicKeyInfo. A private key file holds an
//! unencrypted PKCS#8 PEM (Ed25519, or ECDSA on P-256, P-384 or P-521).
//! Private key material is never echoed in an error.

use serde_json::Value;

use super::keys::{keyid, KeyError, PublicKey};
use super::scheme::Scheme;

/// A public key the caller trusts, with the scheme its signatures use.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The key.
    pub key: PublicKey,
    /// The scheme signatures by this key use.
    pub scheme: Scheme,
    /// Keyids this key is known by (both securesystemslib formulas, PEM with
    /// and without the final newline, and any keyid stated in a key object).
    /// Hints only: matching one orders the keys to try, nothing more.
    pub keyids: Vec<String>,
    /// A name for messages (usually the key file).
    pub label: String,
    /// The securesystemslib key type the keyids are computed with: the
    /// `keytype` a key object states (`ecdsa-sha2-nistp384`, ...), else
    /// [`PublicKey::keytype`].
    pub keytype: String,
}

impl TrustedKey {
    /// Wraps `key` with `scheme`, computing its keyids.
    pub fn new(key: PublicKey, scheme: Scheme, label: impl Into<String>) -> TrustedKey {
        let keyids = keyids(&key, scheme.name());
        TrustedKey {
            keytype: key.keytype().to_owned(),
            key,
            scheme,
            keyids,
            label: label.into(),
        }
    }

    /// Parses a public key file's bytes: text as [`TrustedKey::parse`]
    /// reads it, or binary key material (32 raw Ed25519 bytes, DER SPKI).
    pub fn parse_bytes(bytes: &[u8], label: impl Into<String>) -> Result<TrustedKey, KeyError> {
        if let Ok(text) = std::str::from_utf8(bytes) {
            if text.trim_start().starts_with('{') {
                return TrustedKey::parse(text, label);
            }
            if text.contains("PRIVATE KEY-----") {
                return Err(KeyError::Pem(
                    "this is a private key; give the public key".into(),
                ));
            }
        }
        let key = PublicKey::from_file_bytes(bytes)?;
        let scheme = Scheme::default_for(&key);
        Ok(TrustedKey::new(key, scheme, label))
    }

    /// Parses a public key file's text (PEM, hex or securesystemslib JSON).
    pub fn parse(text: &str, label: impl Into<String>) -> Result<TrustedKey, KeyError> {
        let label = label.into();
        let trimmed = super::keys::key_text(text)?.trim();
        if trimmed.starts_with('{') {
            return parse_key_object(trimmed, label);
        }
        if trimmed.contains("PRIVATE KEY-----") {
            return Err(KeyError::Pem(
                "this is a private key; give the public key".into(),
            ));
        }
        let key = if trimmed.starts_with("-----BEGIN") {
            PublicKey::from_pem(trimmed)?
        } else {
            PublicKey::from_ed25519_hex(trimmed)?
        };
        let scheme = Scheme::default_for(&key);
        Ok(TrustedKey::new(key, scheme, label))
    }

    /// The first (modern-formula) keyid.
    pub fn keyid(&self) -> &str {
        self.keyids.first().map_or("", String::as_str)
    }
}

/// Every keyid `key` may be known by under `scheme`: modern and legacy
/// formulas, and for PEM keys also without the final newline.
pub fn keyids(key: &PublicKey, scheme: &str) -> Vec<String> {
    let public = key.public_text();
    let mut texts = vec![public.clone()];
    if let Some(stripped) = public.strip_suffix('\n') {
        texts.push(stripped.to_owned());
    }
    let mut out = Vec::new();
    for legacy in [false, true] {
        for text in &texts {
            out.push(keyid(key.keytype(), scheme, text, legacy));
        }
    }
    out
}

fn parse_key_object(text: &str, label: String) -> Result<TrustedKey, KeyError> {
    let value = cairn_json::parse(text.as_bytes(), 16).map_err(|e| {
        let path = cairn_base::escape::escape_controls(&e.path);
        KeyError::KeyObject(format!("invalid JSON at `{path}`: {}", e.kind))
    })?;
    let (key, scheme, stated) = key_from_object(&value)?;
    let mut trusted = TrustedKey::new(key, scheme, label);
    // The keyids of the key exactly as the object writes it (its keytype,
    // its PEM text), first: what the object's producer computed.
    let written_type = value.get("keytype").and_then(Value::as_str).unwrap_or("");
    let written_public = value
        .pointer("/keyval/public")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !written_type.is_empty() && written_type != trusted.keytype {
        trusted.keytype = written_type.to_owned();
        let written: Vec<String> = [false, true]
            .into_iter()
            .map(|legacy| keyid(written_type, scheme.name(), written_public, legacy))
            .collect();
        for id in written.into_iter().rev() {
            if !trusted.keyids.contains(&id) {
                trusted.keyids.insert(0, id);
            }
        }
    }
    if let Some(stated) = stated {
        if !trusted.keyids.contains(&stated) {
            trusted.keyids.push(stated);
        }
    }
    Ok(trusted)
}

/// Reads a securesystemslib key object: the key, its scheme, and the
/// `keyid` member if present.
pub fn key_from_object(value: &Value) -> Result<(PublicKey, Scheme, Option<String>), KeyError> {
    let obj = value
        .as_object()
        .ok_or_else(|| KeyError::KeyObject("expected a JSON object".into()))?;
    // securesystemslib's GPG key format: `method`, `type`, `hashes` and
    // `keyval.public` with the key's numbers, but no `keytype`.
    if !obj.contains_key("keytype") {
        if let Some(method) = obj.get("method").and_then(Value::as_str) {
            if method.starts_with("pgp+") {
                return Err(KeyError::Gpg {
                    method: method.to_owned(),
                });
            }
        }
    }
    let text = |name: &str| -> Result<&str, KeyError> {
        obj.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::KeyObject(format!("`{name}` must be a string")))
    };
    let keytype = text("keytype")?;
    let scheme_name = text("scheme")?;
    let keyval = obj
        .get("keyval")
        .and_then(Value::as_object)
        .ok_or_else(|| KeyError::KeyObject("`keyval` must be an object".into()))?;
    match keyval.get("private") {
        None => {}
        Some(Value::String(s)) if s.is_empty() => {}
        Some(_) => {
            return Err(KeyError::KeyObject(
                "`keyval.private` holds private key material; give the public key only".into(),
            ))
        }
    }
    let public = keyval
        .get("public")
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::KeyObject("`keyval.public` must be a string".into()))?;
    let key = match keytype {
        "ed25519" => PublicKey::from_ed25519_hex(public)?,
        "ecdsa" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" | "rsa" => {
            let key = PublicKey::from_pem(public)?;
            let fits = matches!(
                (keytype, &key),
                ("rsa", PublicKey::Rsa(_))
                    | (
                        "ecdsa",
                        PublicKey::EcdsaP256(_) | PublicKey::EcdsaP384(_) | PublicKey::EcdsaP521(_)
                    )
                    | ("ecdsa-sha2-nistp256", PublicKey::EcdsaP256(_))
                    | ("ecdsa-sha2-nistp384", PublicKey::EcdsaP384(_))
                    | ("ecdsa-sha2-nistp521", PublicKey::EcdsaP521(_))
            );
            if !fits {
                return Err(KeyError::KeyObject(format!(
                    "`keytype` is `{keytype}` but the key is {}",
                    describe(&key)
                )));
            }
            key
        }
        other => return Err(KeyError::KeyObject(format!("unknown `keytype` `{other}`"))),
    };
    let scheme = Scheme::parse(scheme_name, &key)?;
    let stated = obj.get("keyid").and_then(Value::as_str).map(str::to_owned);
    Ok((key, scheme, stated))
}

/// A key's type for messages: `` `ed25519` ``, `` `ecdsa` on P-384 ``.
fn describe(key: &PublicKey) -> String {
    match key {
        PublicKey::EcdsaP256(_) => "`ecdsa` on P-256".to_owned(),
        PublicKey::EcdsaP384(_) => "`ecdsa` on P-384".to_owned(),
        PublicKey::EcdsaP521(_) => "`ecdsa` on P-521".to_owned(),
        other => format!("`{}`", other.keytype()),
    }
}

/// A private key for signing. ECDSA signatures are DER, as securesystemslib
/// and in-toto-golang write them, over the hash of the key's curve.
pub enum SigningKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
    /// ECDSA P-256 (SHA-256).
    EcdsaP256(p256::ecdsa::SigningKey),
    /// ECDSA P-384 (SHA-384).
    EcdsaP384(p384::ecdsa::SigningKey),
    /// ECDSA P-521 (SHA-512).
    EcdsaP521(p521::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public().keytype())
    }
}

impl SigningKey {
    /// Generates a fresh Ed25519 key from the operating system's randomness.
    pub fn generate_ed25519() -> SigningKey {
        SigningKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng))
    }

    /// Reads an unencrypted PKCS#8 PEM private key (Ed25519, or ECDSA on
    /// P-256, P-384 or P-521).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey, KeyError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        if !pem.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(KeyError::Pem(
                "expected an unencrypted PKCS#8 `-----BEGIN PRIVATE KEY-----` block".into(),
            ));
        }
        if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::Ed25519(key));
        }
        if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::EcdsaP256(key));
        }
        if let Ok(key) = p384::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::EcdsaP384(key));
        }
        if let Ok(secret) = p521::SecretKey::from_pkcs8_pem(pem) {
            let key = p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes())
                .map_err(|_| KeyError::Pem("an invalid P-521 private key".into()))?;
            return Ok(SigningKey::EcdsaP521(key));
        }
        Err(KeyError::Unsupported)
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let pem = match self {
            // PKCS#8 v1 (no embedded public key): what OpenSSL and Python's
            // `cryptography` read; the public key is derived from the seed.
            SigningKey::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_pem(Default::default()),
            SigningKey::EcdsaP256(k) => k.to_pkcs8_pem(Default::default()),
            SigningKey::EcdsaP384(k) => k.to_pkcs8_pem(Default::default()),
            SigningKey::EcdsaP521(k) => {
                p521::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_pem(Default::default())
            }
        };
        pem.map(|p| p.to_string())
            .map_err(|e| KeyError::Pem(e.to_string()))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        match self {
            SigningKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            SigningKey::EcdsaP256(k) => PublicKey::EcdsaP256(*k.verifying_key()),
            SigningKey::EcdsaP384(k) => PublicKey::EcdsaP384(*k.verifying_key()),
            SigningKey::EcdsaP521(k) => {
                PublicKey::EcdsaP521(p521::PublicKey::from_secret_scalar(k.as_nonzero_scalar()))
            }
        }
    }

    /// The public key as PEM SubjectPublicKeyInfo.
    pub fn public_pem(&self) -> Result<String, KeyError> {
        use ed25519_dalek::pkcs8::EncodePublicKey as _;
        let pem = match self {
            SigningKey::Ed25519(k) => k.verifying_key().to_public_key_pem(Default::default()),
            SigningKey::EcdsaP256(k) => k.verifying_key().to_public_key_pem(Default::default()),
            SigningKey::EcdsaP384(k) => k.verifying_key().to_public_key_pem(Default::default()),
            SigningKey::EcdsaP521(_) => return Ok(self.public().public_text()),
        };
        pem.map_err(|e| KeyError::Pem(e.to_string()))
    }

    /// The keyid by the modern securesystemslib formula and the default scheme.
    pub fn keyid(&self) -> String {
        let public = self.public();
        keyid(
            public.keytype(),
            public.default_scheme(),
            &public.public_text(),
            false,
        )
    }

    /// Signs `msg`.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use ed25519_dalek::Signer as _;
        match self {
            SigningKey::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            SigningKey::EcdsaP256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            SigningKey::EcdsaP384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            SigningKey::EcdsaP521(k) => {
                let sig: p521::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::verify;

    #[test]
    fn key_object_and_keyids() {
        let obj = r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"7345b83c121ea0d9ffc3b38d69958718b8435e8cb0552f889d695586693e1b89"}}"#;
        let key = TrustedKey::parse(obj, "k").unwrap();
        assert!(key
            .keyids
            .contains(&"fe1c6281c5ff13e35286cc67e5a1fb3e6575b840a6c39ca4267d3805eb17288a".into()));
        assert_eq!(
            key.keyid(),
            "956a5cbc364625b71fb4fcc861044ab3e75ba3017af739c5774baf9391ff4090"
        );
        let bad = obj.replace(r#""scheme":"ed25519""#, r#""scheme":"ecdsa-sha2-nistp256""#);
        assert!(TrustedKey::parse(&bad, "k").is_err());
        let private = obj.replace(r#"{"public""#, r#"{"private":"00","public""#);
        assert!(TrustedKey::parse(&private, "k").is_err());
    }

    #[test]
    fn signing_round_trip() {
        for key in [
            SigningKey::generate_ed25519(),
            SigningKey::EcdsaP256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng)),
            SigningKey::EcdsaP384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng)),
            SigningKey::EcdsaP521(p521::ecdsa::SigningKey::random(&mut rand_core::OsRng)),
        ] {
            let pem = key.to_pkcs8_pem().unwrap();
            let again = SigningKey::from_pkcs8_pem(&pem).unwrap();
            let sig = again.sign(b"m");
            let public = TrustedKey::parse(&key.public_pem().unwrap(), "p").unwrap();
            verify(&public.key, public.scheme, b"m", &sig).unwrap();
            assert_eq!(public.keyid(), key.keyid());
        }
    }

    #[test]
    fn ecdsa_key_objects_by_keytype() {
        let signing = SigningKey::EcdsaP384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng));
        let pem = signing.public_pem().unwrap();
        let object = |keytype: &str, scheme: &str| {
            serde_json::json!({"keytype": keytype, "scheme": scheme, "keyval": {"public": pem}})
                .to_string()
        };
        for keytype in ["ecdsa", "ecdsa-sha2-nistp384"] {
            let key = TrustedKey::parse(&object(keytype, "ecdsa-sha2-nistp384"), "k").unwrap();
            assert_eq!(key.keytype, keytype);
            assert_eq!(
                key.keyid(),
                keyid(keytype, "ecdsa-sha2-nistp384", &pem, false)
            );
        }
        for (keytype, scheme) in [
            ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384"),
            ("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp384"),
            ("ecdsa", "ecdsa-sha2-nistp256"),
            ("rsa", "ecdsa-sha2-nistp384"),
        ] {
            assert!(
                TrustedKey::parse(&object(keytype, scheme), "k").is_err(),
                "{keytype} {scheme}"
            );
        }
    }

    #[test]
    fn gpg_key_objects_are_named() {
        for method in [
            "pgp+rsa-pkcsv1.5",
            "pgp+dsa-fips-180-2",
            "pgp+eddsa-ed25519",
        ] {
            let obj = serde_json::json!({"keyid": "ab", "type": "rsa", "method": method,
                "hashes": ["pgp+SHA2"], "keyval": {"private": "", "public": {"e": "01", "n": "02"}}});
            let err = TrustedKey::parse(&obj.to_string(), "k").unwrap_err();
            assert_eq!(
                err,
                KeyError::Gpg {
                    method: method.to_owned()
                }
            );
            assert!(err.to_string().contains("GPG"));
        }
    }

    #[test]
    fn binary_key_files() {
        let signing = SigningKey::generate_ed25519();
        let public = signing.public();
        let raw = hex::decode(public.public_text()).unwrap();
        let key = TrustedKey::parse_bytes(&raw, "raw").unwrap();
        assert_eq!(key.keyid(), signing.keyid());
        let der = public.spki_der().unwrap();
        assert_eq!(
            TrustedKey::parse_bytes(&der, "der").unwrap().keyid(),
            signing.keyid()
        );
        let pem = signing.to_pkcs8_pem().unwrap();
        assert!(TrustedKey::parse_bytes(pem.as_bytes(), "private").is_err());
    }
}

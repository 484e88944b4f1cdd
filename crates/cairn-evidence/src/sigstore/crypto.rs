//! The cryptographic backend of Sigstore verification, on the RustCrypto
//! crates cairn already uses for its own signatures (sha2, p256, p384, rsa,
//! ed25519-dalek).
//!
//! `sigstore-verify` does its hashing and signature checks through a
//! process-wide provider that must be installed before its first use;
//! [`install`] does that once, and every entry point of
//! [`super`] calls it. Verification only: no key generation, no signing.

use std::sync::Once;

use sha2::Digest as _;
use sigstore_verify::crypto::{
    install_default_provider, CryptoProvider, Error, HashContext, Result, SigningScheme,
};
use sigstore_verify::types::HashAlgorithm;

/// The provider: RustCrypto, verification only.
#[derive(Debug)]
struct RustCrypto;

static PROVIDER: RustCrypto = RustCrypto;
static INSTALLED: Once = Once::new();

/// Installs the provider for this process (idempotent; cheap after the first call).
pub fn install() {
    INSTALLED.call_once(|| {
        // Err means a provider is already installed (a test harness that set
        // its own); either way one is in place.
        let _ = install_default_provider(&PROVIDER);
    });
}

/// A running hash of one of the three SHA-2 sizes.
enum Running {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl HashContext for Running {
    fn update(&mut self, data: &[u8]) {
        match self {
            Running::Sha256(h) => h.update(data),
            Running::Sha384(h) => h.update(data),
            Running::Sha512(h) => h.update(data),
        }
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        match *self {
            Running::Sha256(h) => h.finalize().to_vec(),
            Running::Sha384(h) => h.finalize().to_vec(),
            Running::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

fn invalid(scheme: SigningScheme) -> Error {
    Error::Verification(format!("{} signature invalid", scheme.name()))
}

impl CryptoProvider for RustCrypto {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        Ok(Box::new(match algorithm {
            HashAlgorithm::Sha2256 => Running::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha2384 => Running::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sha2512 => Running::Sha512(sha2::Sha512::new()),
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "cannot compute {other} digests"
                )))
            }
        }))
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        sha2::Sha384::digest(data).into()
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        sha2::Sha512::digest(data).into()
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        key: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        use SigningScheme as S;
        match scheme {
            S::EcdsaP256Sha256 | S::EcdsaP384Sha256 => {
                self.verify_prehashed(scheme, key, &self.sha256(data), signature)
            }
            S::EcdsaP256Sha384 | S::EcdsaP384Sha384 => {
                self.verify_prehashed(scheme, key, &self.sha384(data), signature)
            }
            S::RsaPssSha256 | S::RsaPkcs1Sha256 => {
                self.verify_prehashed(scheme, key, &self.sha256(data), signature)
            }
            S::RsaPssSha384 | S::RsaPkcs1Sha384 => {
                self.verify_prehashed(scheme, key, &self.sha384(data), signature)
            }
            S::RsaPssSha512 | S::RsaPkcs1Sha512 => {
                self.verify_prehashed(scheme, key, &self.sha512(data), signature)
            }
            S::Ed25519 => {
                let key: [u8; 32] = key.try_into().map_err(|_| invalid(scheme))?;
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| invalid(scheme))?;
                let sig =
                    ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid(scheme))?;
                key.verify_strict(data, &sig).map_err(|_| invalid(scheme))
            }
            _ => Err(Error::UnsupportedAlgorithm(format!(
                "{} signatures are not supported",
                scheme.name()
            ))),
        }
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        key: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        use SigningScheme as S;
        let ok = match scheme {
            S::EcdsaP256Sha256 | S::EcdsaP256Sha384 => {
                let key =
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(|_| invalid(scheme))?;
                let sig =
                    p256::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
                key.verify_prehash(digest, &sig).is_ok()
            }
            S::EcdsaP384Sha256 | S::EcdsaP384Sha384 => {
                let key =
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(key).map_err(|_| invalid(scheme))?;
                let sig =
                    p384::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
                key.verify_prehash(digest, &sig).is_ok()
            }
            S::RsaPkcs1Sha256 | S::RsaPkcs1Sha384 | S::RsaPkcs1Sha512 => {
                let key = rsa_key(key).ok_or_else(|| invalid(scheme))?;
                let padding = match scheme {
                    S::RsaPkcs1Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    S::RsaPkcs1Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    _ => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, digest, signature).is_ok()
            }
            S::RsaPssSha256 | S::RsaPssSha384 | S::RsaPssSha512 => {
                let key = rsa_key(key).ok_or_else(|| invalid(scheme))?;
                let padding = match scheme {
                    S::RsaPssSha256 => rsa::Pss::new::<sha2::Sha256>(),
                    S::RsaPssSha384 => rsa::Pss::new::<sha2::Sha384>(),
                    _ => rsa::Pss::new::<sha2::Sha512>(),
                };
                key.verify(padding, digest, signature).is_ok()
            }
            _ => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{} signatures cannot be checked over a digest",
                    scheme.name()
                )))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(invalid(scheme))
        }
    }
}

/// Whether `signature` over `data` verifies under `key` (an SPKI's
/// subject key bytes) with `scheme`: the certificate chains of classic
/// layouts' X.509 functionaries ([`crate::x509`]).
pub fn verify(scheme: SigningScheme, key: &[u8], data: &[u8], signature: &[u8]) -> bool {
    PROVIDER.verify_raw(scheme, key, data, signature).is_ok()
}

/// A PKCS#1 `RSAPublicKey` of 2048 to 8192 bits (the rsa crate's own
/// reader stops at 4096).
fn rsa_key(der: &[u8]) -> Option<rsa::RsaPublicKey> {
    use rsa::pkcs1::der::Decode as _;
    use rsa::traits::PublicKeyParts as _;
    let parsed = rsa::pkcs1::RsaPublicKey::from_der(der).ok()?;
    let n = rsa::BigUint::from_bytes_be(parsed.modulus.as_bytes());
    let e = rsa::BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
    let key = rsa::RsaPublicKey::new_with_max_size(n, e, 8192).ok()?;
    (2048..=8192).contains(&(key.size() * 8)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;

    #[test]
    fn p256_signatures_verify_raw_and_prehashed_and_fail_when_tampered() {
        let secret = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let public = secret.verifying_key().to_encoded_point(false);
        let sig: p256::ecdsa::Signature = secret.sign(b"hello");
        let der = sig.to_der();
        let scheme = SigningScheme::EcdsaP256Sha256;
        PROVIDER
            .verify_raw(scheme, public.as_bytes(), b"hello", der.as_bytes())
            .unwrap();
        PROVIDER
            .verify_prehashed(
                scheme,
                public.as_bytes(),
                &PROVIDER.sha256(b"hello"),
                der.as_bytes(),
            )
            .unwrap();
        assert!(PROVIDER
            .verify_raw(scheme, public.as_bytes(), b"hellO", der.as_bytes())
            .is_err());
        // The right signature under the wrong curve's scheme fails, never panics.
        assert!(PROVIDER
            .verify_raw(
                SigningScheme::EcdsaP384Sha384,
                public.as_bytes(),
                b"hello",
                der.as_bytes()
            )
            .is_err());
    }

    #[test]
    fn ed25519_is_strict_and_never_prehashed() {
        let secret = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let sig = secret.sign(b"msg");
        let key = secret.verifying_key().to_bytes();
        PROVIDER
            .verify_raw(SigningScheme::Ed25519, &key, b"msg", &sig.to_bytes())
            .unwrap();
        assert!(PROVIDER
            .verify_raw(SigningScheme::Ed25519, &key, b"msG", &sig.to_bytes())
            .is_err());
        assert!(PROVIDER
            .verify_prehashed(SigningScheme::Ed25519, &key, &[0; 64], &sig.to_bytes())
            .is_err());
    }

    #[test]
    fn hashes_match_one_shot_digests() {
        let mut running = PROVIDER.hash(HashAlgorithm::Sha2384).unwrap();
        running.update(b"ab");
        running.update(b"c");
        assert_eq!(running.finalize(), PROVIDER.sha384(b"abc").to_vec());
    }
}

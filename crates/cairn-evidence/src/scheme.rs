//! Signature schemes: checking one signature over one message with one key.
//!
//! Ed25519 is checked as `verify_strict` does (no small-order keys, no
//! non-canonical signatures), over a message given in parts. ECDSA hashes
//! with the hash its curve pairs with (P-256 SHA-256, P-384 SHA-384, P-521
//! SHA-512, as securesystemslib and in-toto-golang do) and accepts DER (what
//! both write) and raw `r || s` (the DSSE test vector). RSASSA-PSS accepts any salt
//! length, as securesystemslib does: the salt length is read from the encoded
//! message and the check itself is done by the `rsa` crate. PKCS#1 v1.5 is
//! supported for `rsa-pkcs1v15-*` schemes.

use rsa::traits::PublicKeyParts as _;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::keys::{KeyError, PublicKey};

/// A hash for the RSA schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A securesystemslib signature scheme cairn can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `ed25519`.
    Ed25519,
    /// `ecdsa-sha2-nistp256`.
    EcdsaP256,
    /// `ecdsa-sha2-nistp384`.
    EcdsaP384,
    /// `ecdsa-sha2-nistp521`.
    EcdsaP521,
    /// `rsassa-pss-sha256|384|512`.
    RsaPss(Hash),
    /// `rsa-pkcs1v15-sha256|384|512`.
    RsaPkcs1v15(Hash),
}

impl Scheme {
    /// Parses a scheme name and checks it fits `key` (no algorithm confusion).
    pub fn parse(name: &str, key: &PublicKey) -> Result<Scheme, KeyError> {
        let scheme = match name {
            "ed25519" => Scheme::Ed25519,
            "ecdsa-sha2-nistp256" => Scheme::EcdsaP256,
            "ecdsa-sha2-nistp384" => Scheme::EcdsaP384,
            "ecdsa-sha2-nistp521" => Scheme::EcdsaP521,
            "rsassa-pss-sha256" => Scheme::RsaPss(Hash::Sha256),
            "rsassa-pss-sha384" => Scheme::RsaPss(Hash::Sha384),
            "rsassa-pss-sha512" => Scheme::RsaPss(Hash::Sha512),
            "rsa-pkcs1v15-sha256" => Scheme::RsaPkcs1v15(Hash::Sha256),
            "rsa-pkcs1v15-sha384" => Scheme::RsaPkcs1v15(Hash::Sha384),
            "rsa-pkcs1v15-sha512" => Scheme::RsaPkcs1v15(Hash::Sha512),
            other => return Err(KeyError::Scheme(format!("unknown scheme `{other}`"))),
        };
        let fits = matches!(
            (scheme, key),
            (Scheme::Ed25519, PublicKey::Ed25519(_))
                | (Scheme::EcdsaP256, PublicKey::EcdsaP256(_))
                | (Scheme::EcdsaP384, PublicKey::EcdsaP384(_))
                | (Scheme::EcdsaP521, PublicKey::EcdsaP521(_))
                | (
                    Scheme::RsaPss(_) | Scheme::RsaPkcs1v15(_),
                    PublicKey::Rsa(_)
                )
        );
        if fits {
            Ok(scheme)
        } else {
            Err(KeyError::Scheme(format!(
                "scheme `{name}` does not fit {}",
                key_description(key)
            )))
        }
    }

    /// The default scheme of a key (securesystemslib's).
    pub fn default_for(key: &PublicKey) -> Scheme {
        match key {
            PublicKey::Ed25519(_) => Scheme::Ed25519,
            PublicKey::EcdsaP256(_) => Scheme::EcdsaP256,
            PublicKey::EcdsaP384(_) => Scheme::EcdsaP384,
            PublicKey::EcdsaP521(_) => Scheme::EcdsaP521,
            PublicKey::Rsa(_) => Scheme::RsaPss(Hash::Sha256),
        }
    }

    /// The securesystemslib name.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::EcdsaP256 => "ecdsa-sha2-nistp256",
            Scheme::EcdsaP384 => "ecdsa-sha2-nistp384",
            Scheme::EcdsaP521 => "ecdsa-sha2-nistp521",
            Scheme::RsaPss(Hash::Sha256) => "rsassa-pss-sha256",
            Scheme::RsaPss(Hash::Sha384) => "rsassa-pss-sha384",
            Scheme::RsaPss(Hash::Sha512) => "rsassa-pss-sha512",
            Scheme::RsaPkcs1v15(Hash::Sha256) => "rsa-pkcs1v15-sha256",
            Scheme::RsaPkcs1v15(Hash::Sha384) => "rsa-pkcs1v15-sha384",
            Scheme::RsaPkcs1v15(Hash::Sha512) => "rsa-pkcs1v15-sha512",
        }
    }
}

/// Checks `sig` over `msg` with `key` under `scheme`; the error says why not.
pub fn verify(key: &PublicKey, scheme: Scheme, msg: &[u8], sig: &[u8]) -> Result<(), String> {
    verify_parts(key, scheme, &[msg], sig)
}

/// [`verify`] of the message that is `parts` one after the other, without
/// putting them together first where the scheme hashes its input (Ed25519,
/// ECDSA): a DSSE payload of 20 MB is not copied behind its PAE header.
pub fn verify_parts(
    key: &PublicKey,
    scheme: Scheme,
    parts: &[&[u8]],
    sig: &[u8],
) -> Result<(), String> {
    match (key, scheme) {
        // RSA takes the message whole: one part is not copied.
        (PublicKey::Rsa(k), Scheme::RsaPss(hash)) => rsa_pss(k, hash, &joined(parts), sig),
        (PublicKey::Rsa(k), Scheme::RsaPkcs1v15(hash)) => {
            rsa_pkcs1v15(k, hash, &joined(parts), sig)
        }
        _ => verify_written(
            key,
            scheme,
            &|sink: &mut dyn FnMut(&[u8])| parts.iter().for_each(|part| sink(part)),
            sig,
        ),
    }
}

/// A message handed over in pieces: called with a sink, it gives the sink
/// the message's bytes in order. It is called once for every key tried
/// and must give the same bytes every time.
pub type Written<'a> = dyn Fn(&mut dyn FnMut(&[u8])) + Sync + 'a;

/// [`verify`] of the message `message` writes, which is never held whole
/// where the scheme hashes its input (Ed25519, ECDSA).
pub fn verify_written(
    key: &PublicKey,
    scheme: Scheme,
    message: &Written<'_>,
    sig: &[u8],
) -> Result<(), String> {
    verify_message(key, scheme, &Message::new(message), sig)
}

/// A message whose signatures are checked against several keys, hashed at
/// most once per hash algorithm whatever the number of signatures and keys:
/// ECDSA and RSA are checked from its SHA-256, SHA-384 or SHA-512 digest,
/// worked out at the first key that needs it. Ed25519 hashes the signature's
/// `R` and the key before the message, so every Ed25519 try hashes the
/// message again: those tries are bounded by [`ED25519_BUDGET_BYTES`] (at
/// least [`ED25519_MIN_TRIES`] of them), after which a try is refused
/// unchecked. See docs/security.md, "Bounded work".
pub struct Message<'a> {
    written: &'a Written<'a>,
    /// The message's length, known once it was written out.
    len: std::sync::OnceLock<u64>,
    sha256: std::sync::OnceLock<Vec<u8>>,
    sha384: std::sync::OnceLock<Vec<u8>>,
    sha512: std::sync::OnceLock<Vec<u8>>,
    /// Ed25519 tries made so far.
    ed25519_tries: std::sync::atomic::AtomicU64,
    /// Bytes the Ed25519 tries may hash ([`ED25519_BUDGET_BYTES`]).
    budget: u64,
}

/// Bytes of message the Ed25519 tries of one message may hash together,
/// unless that is fewer than [`ED25519_MIN_TRIES`] tries.
pub const ED25519_BUDGET_BYTES: u64 = 256 << 20;
/// Ed25519 tries always allowed per message, however long it is.
pub const ED25519_MIN_TRIES: u64 = 4;

/// Why an Ed25519 try was not made (the start of its failure text).
pub const NOT_CHECKED: &str = "not checked";

impl<'a> Message<'a> {
    /// The message `written` writes.
    pub fn new(written: &'a Written<'a>) -> Message<'a> {
        Message::with_budget(written, ED25519_BUDGET_BYTES)
    }

    /// [`Message::new`] with another budget of bytes for Ed25519 tries.
    pub fn with_budget(written: &'a Written<'a>, budget: u64) -> Message<'a> {
        Message {
            budget,
            written,
            len: std::sync::OnceLock::new(),
            sha256: std::sync::OnceLock::new(),
            sha384: std::sync::OnceLock::new(),
            sha512: std::sync::OnceLock::new(),
            ed25519_tries: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Writes the message into `sink`, noting its length.
    fn write(&self, sink: &mut dyn FnMut(&[u8])) {
        let mut len = 0u64;
        (self.written)(&mut |piece| {
            len = len.saturating_add(piece.len() as u64);
            sink(piece);
        });
        let _ = self.len.set(len);
    }

    fn digest<D: Digest>(&self, cell: &std::sync::OnceLock<Vec<u8>>) -> Vec<u8> {
        cell.get_or_init(|| {
            let mut digest = D::new();
            self.write(&mut |piece| digest.update(piece));
            digest.finalize().to_vec()
        })
        .clone()
    }

    /// How many Ed25519 tries a message of `len` bytes allows.
    pub fn ed25519_tries_allowed(&self, len: u64) -> u64 {
        (self.budget / len.max(1)).max(ED25519_MIN_TRIES)
    }

    /// Takes one Ed25519 try from the budget, or says why there is none left.
    fn take_ed25519_try(&self) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        let made = self.ed25519_tries.fetch_add(1, Ordering::Relaxed);
        match self.len.get() {
            Some(&len) if made >= self.ed25519_tries_allowed(len) => Err(format!(
                "{NOT_CHECKED}: {made} Ed25519 tries over this {len}-byte message were made already, the most cairn makes for a message this long; give each signature the `keyid` of its key"
            )),
            _ => Ok(()),
        }
    }
}

/// [`verify`] over a [`Message`], which is hashed once per hash algorithm
/// for all the keys and signatures checked over it.
pub fn verify_message(
    key: &PublicKey,
    scheme: Scheme,
    message: &Message<'_>,
    sig: &[u8],
) -> Result<(), String> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
    match (key, scheme) {
        (PublicKey::Ed25519(k), Scheme::Ed25519) => {
            let sig = ed25519_dalek::Signature::from_slice(sig)
                .map_err(|_| format!("an ed25519 signature has 64 bytes, not {}", sig.len()))?;
            let no = || NOT_VERIFIED.to_owned();
            // `VerifyingKey::verify_strict` over a message in parts: the
            // streaming verifier checks what `verify` checks (`s` canonical,
            // `R` compared byte for byte); a small-order key and an `R` that
            // is no point or of small order are refused here first, as
            // `verify_strict` does, before the message is hashed.
            let r = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes())
                .decompress()
                .ok_or_else(no)?;
            if r.is_small_order() || k.is_weak() {
                return Err(no());
            }
            let mut stream = k.verify_stream(&sig).map_err(|_| no())?;
            message.take_ed25519_try()?;
            message.write(&mut |piece| stream.update(piece));
            stream.finalize_and_verify().map_err(|_| no())
        }
        (PublicKey::EcdsaP256(k), Scheme::EcdsaP256) => {
            let prehash = message.digest::<Sha256>(&message.sha256);
            ecdsa_any_encoding(
                sig,
                64,
                p256::ecdsa::Signature::from_der,
                p256::ecdsa::Signature::from_slice,
                |sig| k.verify_prehash(&prehash, sig).is_ok(),
            )
        }
        (PublicKey::EcdsaP384(k), Scheme::EcdsaP384) => {
            let prehash = message.digest::<Sha384>(&message.sha384);
            ecdsa_any_encoding(
                sig,
                96,
                p384::ecdsa::Signature::from_der,
                p384::ecdsa::Signature::from_slice,
                |sig| k.verify_prehash(&prehash, sig).is_ok(),
            )
        }
        (PublicKey::EcdsaP521(k), Scheme::EcdsaP521) => {
            let key = p521::ecdsa::VerifyingKey::from_affine(*k.as_affine())
                .map_err(|_| "malformed P-521 key".to_owned())?;
            let prehash = message.digest::<Sha512>(&message.sha512);
            ecdsa_any_encoding(
                sig,
                132,
                p521::ecdsa::Signature::from_der,
                p521::ecdsa::Signature::from_slice,
                |sig| key.verify_prehash(&prehash, sig).is_ok(),
            )
        }
        (PublicKey::Rsa(k), Scheme::RsaPss(hash)) => {
            let prehash = match hash {
                Hash::Sha256 => message.digest::<Sha256>(&message.sha256),
                Hash::Sha384 => message.digest::<Sha384>(&message.sha384),
                Hash::Sha512 => message.digest::<Sha512>(&message.sha512),
            };
            rsa_pss_prehash(k, hash, &prehash, sig)
        }
        (PublicKey::Rsa(k), Scheme::RsaPkcs1v15(hash)) => {
            let prehash = match hash {
                Hash::Sha256 => message.digest::<Sha256>(&message.sha256),
                Hash::Sha384 => message.digest::<Sha384>(&message.sha384),
                Hash::Sha512 => message.digest::<Sha512>(&message.sha512),
            };
            rsa_pkcs1v15_prehash(k, hash, &prehash, sig)
        }
        _ => Err(format!(
            "scheme `{}` does not fit {}",
            scheme.name(),
            key_description(key)
        )),
    }
}

/// [`rsa_pss`] from the message's digest.
fn rsa_pss_prehash(
    key: &rsa::RsaPublicKey,
    hash: Hash,
    prehash: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    use rsa::signature::hazmat::PrehashVerifier as _;
    if sig.len() != key.size() {
        return Err(format!(
            "an RSA signature for this key has {} bytes, not {}",
            key.size(),
            sig.len()
        ));
    }
    let salt_len = match hash {
        Hash::Sha256 => pss_salt_len::<Sha256>(key, sig),
        Hash::Sha384 => pss_salt_len::<Sha384>(key, sig),
        Hash::Sha512 => pss_salt_len::<Sha512>(key, sig),
    }
    .ok_or_else(|| NOT_VERIFIED.to_owned())?;
    let rsa_sig = rsa::pss::Signature::try_from(sig).map_err(|e| e.to_string())?;
    let key = key.clone();
    let result = match hash {
        Hash::Sha256 => rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key, salt_len)
            .verify_prehash(prehash, &rsa_sig),
        Hash::Sha384 => rsa::pss::VerifyingKey::<Sha384>::new_with_salt_len(key, salt_len)
            .verify_prehash(prehash, &rsa_sig),
        Hash::Sha512 => rsa::pss::VerifyingKey::<Sha512>::new_with_salt_len(key, salt_len)
            .verify_prehash(prehash, &rsa_sig),
    };
    result.map_err(|_| NOT_VERIFIED.to_owned())
}

/// A key's type for messages: `a `rsa` key`, `an ECDSA P-384 key`.
fn key_description(key: &PublicKey) -> String {
    match key {
        PublicKey::EcdsaP256(_) => "an ECDSA P-256 key".to_owned(),
        PublicKey::EcdsaP384(_) => "an ECDSA P-384 key".to_owned(),
        PublicKey::EcdsaP521(_) => "an ECDSA P-521 key".to_owned(),
        other => format!("a `{}` key", other.keytype()),
    }
}

/// Checks an ECDSA signature given as DER (what securesystemslib and
/// in-toto-golang write) or as raw `r || s` of `raw_len` bytes (the DSSE
/// test vector). Both encodings name the same `(r, s)`, so accepting either
/// accepts no signature the other would refuse.
fn ecdsa_any_encoding<S>(
    sig: &[u8],
    raw_len: usize,
    from_der: impl Fn(&[u8]) -> Result<S, p256::ecdsa::Error>,
    from_raw: impl Fn(&[u8]) -> Result<S, p256::ecdsa::Error>,
    check: impl Fn(&S) -> bool,
) -> Result<(), String> {
    let der = from_der(sig).ok();
    let raw = if sig.len() == raw_len {
        from_raw(sig).ok()
    } else {
        None
    };
    if der.is_none() && raw.is_none() {
        return Err("malformed ECDSA signature".to_owned());
    }
    if der.iter().chain(raw.iter()).any(check) {
        Ok(())
    } else {
        Err(NOT_VERIFIED.to_owned())
    }
}

/// Why [`verify_prehash`] did not verify a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrehashError {
    /// The key can check a signature over this digest, and it does not verify.
    NotVerified(String),
    /// The key cannot check a signature from the digest alone.
    Cannot(String),
}

/// Checks a Sigstore message signature over an artifact whose digest is
/// `digest` (`algorithm` as Sigstore names it: `SHA2_256`, `SHA2_384`,
/// `SHA2_512`) with `key`, without the artifact: ECDSA P-256 over a SHA-256
/// digest, RSA PKCS#1 v1.5 (what Sigstore clients sign with RSA keys) over
/// the digest's hash. Ed25519 signs the artifact's bytes themselves, so no
/// digest can stand for them.
pub fn verify_prehash(
    key: &PublicKey,
    algorithm: &str,
    digest: &[u8],
    sig: &[u8],
) -> Result<(), PrehashError> {
    use rsa::signature::hazmat::PrehashVerifier as _;
    let hash = match algorithm {
        "SHA2_256" => Hash::Sha256,
        "SHA2_384" => Hash::Sha384,
        "SHA2_512" => Hash::Sha512,
        other => {
            return Err(PrehashError::Cannot(format!(
                "unknown digest algorithm `{}`",
                cairn_base::escape::escape(other)
            )))
        }
    };
    let size = match hash {
        Hash::Sha256 => 32,
        Hash::Sha384 => 48,
        Hash::Sha512 => 64,
    };
    if digest.len() != size {
        return Err(PrehashError::Cannot(format!(
            "a {algorithm} digest has {size} bytes, this one {}",
            digest.len()
        )));
    }
    let no = || PrehashError::NotVerified(NOT_VERIFIED.to_owned());
    match key {
        PublicKey::EcdsaP256(k) => {
            if hash != Hash::Sha256 {
                return Err(PrehashError::Cannot(format!(
                    "an ECDSA P-256 key signs SHA-256 digests, not {algorithm}"
                )));
            }
            let parsed = if sig.len() == 64 {
                p256::ecdsa::Signature::from_slice(sig)
            } else {
                p256::ecdsa::Signature::from_der(sig)
            };
            let sig = parsed
                .map_err(|_| PrehashError::NotVerified("malformed ECDSA signature".to_owned()))?;
            k.verify_prehash(digest, &sig).map_err(|_| no())
        }
        PublicKey::Rsa(k) => {
            rsa_pkcs1v15_prehash(k, hash, digest, sig).map_err(PrehashError::NotVerified)
        }
        PublicKey::EcdsaP384(_) | PublicKey::EcdsaP521(_) => Err(PrehashError::Cannot(format!(
            "{} message signature is not checked from a digest by cairn",
            key_description(key)
        ))),
        PublicKey::Ed25519(_) => Err(PrehashError::Cannot(
            "an Ed25519 message signature is over the artifact's bytes, which a digest cannot stand for".to_owned(),
        )),
    }
}

/// The parts of a message as one slice (borrowed when there is one part).
fn joined<'a>(parts: &[&'a [u8]]) -> std::borrow::Cow<'a, [u8]> {
    match parts {
        [one] => std::borrow::Cow::Borrowed(one),
        _ => std::borrow::Cow::Owned(parts.concat()),
    }
}

/// The digest of `msg` under `hash`.
fn digest_of(hash: Hash, msg: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => Sha256::digest(msg).to_vec(),
        Hash::Sha384 => Sha384::digest(msg).to_vec(),
        Hash::Sha512 => Sha512::digest(msg).to_vec(),
    }
}

/// What a signature that does not verify is told.
const NOT_VERIFIED: &str = "signature does not verify";

/// An RSA PKCS#1 v1.5 signature over the message whose digest is `prehash`.
fn rsa_pkcs1v15_prehash(
    key: &rsa::RsaPublicKey,
    hash: Hash,
    prehash: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    use rsa::signature::hazmat::PrehashVerifier as _;
    let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(|e| e.to_string())?;
    let key = key.clone();
    match hash {
        Hash::Sha256 => {
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key).verify_prehash(prehash, &sig)
        }
        Hash::Sha384 => {
            rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key).verify_prehash(prehash, &sig)
        }
        Hash::Sha512 => {
            rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key).verify_prehash(prehash, &sig)
        }
    }
    .map_err(|_| NOT_VERIFIED.to_owned())
}

fn rsa_pkcs1v15(key: &rsa::RsaPublicKey, hash: Hash, msg: &[u8], sig: &[u8]) -> Result<(), String> {
    rsa_pkcs1v15_prehash(key, hash, &digest_of(hash, msg), sig)
}

fn rsa_pss(key: &rsa::RsaPublicKey, hash: Hash, msg: &[u8], sig: &[u8]) -> Result<(), String> {
    rsa_pss_prehash(key, hash, &digest_of(hash, msg), sig)
}

/// Reads the salt length out of a PSS-encoded message (RFC 8017 9.1.2 steps
/// 7-10). Only a hint for the real check, which the `rsa` crate performs.
fn pss_salt_len<D: Digest>(key: &rsa::RsaPublicKey, sig: &[u8]) -> Option<usize> {
    let h_len = <D as Digest>::output_size();
    let em_bits = key.n().bits().checked_sub(1)?;
    let em_len = em_bits.div_ceil(8);
    let s = rsa::BigUint::from_bytes_be(sig);
    if &s >= key.n() {
        return None;
    }
    let m = s.modpow(key.e(), key.n()).to_bytes_be();
    if m.len() > em_len {
        return None;
    }
    let mut em = vec![0u8; em_len - m.len()];
    em.extend_from_slice(&m);
    if em.last() != Some(&0xbc) {
        return None;
    }
    let db_len = em_len.checked_sub(h_len + 1)?;
    let masked_db = em.get(..db_len)?;
    let h = em.get(db_len..db_len + h_len)?;
    let mut db = mgf1::<D>(h, db_len);
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    let unused_bits = 8 * em_len - em_bits;
    if let Some(first) = db.first_mut() {
        *first &= 0xffu8.checked_shr(unused_bits as u32).unwrap_or(0);
    }
    let one = db.iter().position(|&b| b != 0)?;
    if db.get(one) != Some(&1) {
        return None;
    }
    Some(db_len - one - 1)
}

fn mgf1<D: Digest>(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut d = D::new();
        d.update(seed);
        d.update(counter.to_be_bytes());
        out.extend_from_slice(&d.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// in-toto.md 5.5 vector 1: the DSSE spec's HelloWorld envelope (ECDSA, raw r||s).
    #[test]
    fn dsse_hello_world_vector() {
        let point = hex::decode("0467cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d2380c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74").unwrap();
        let key = PublicKey::EcdsaP256(p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap());
        let pae = crate::dsse::pae(b"http://example.com/HelloWorld", b"hello world");
        assert_eq!(
            pae,
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        use base64::Engine as _;
        let sig = base64::engine::general_purpose::STANDARD
            .decode("A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==")
            .unwrap();
        verify(&key, Scheme::EcdsaP256, &pae, &sig).unwrap();
        assert!(verify(&key, Scheme::EcdsaP256, b"hello world", &sig).is_err());
    }

    /// `verify_strict` on the whole message, the reference for [`ed25519_strict`].
    fn strict(key: &ed25519_dalek::VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(sig)
            .is_ok_and(|sig| key.verify_strict(msg, &sig).is_ok())
    }

    fn parts_agree(key: &ed25519_dalek::VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        let public = PublicKey::Ed25519(*key);
        let whole = verify(&public, Scheme::Ed25519, msg, sig).is_ok();
        for cut in [0, 1, msg.len() / 2, msg.len()] {
            let (a, b) = msg.split_at(cut.min(msg.len()));
            let split = verify_parts(&public, Scheme::Ed25519, &[a, b], sig).is_ok();
            assert_eq!(split, whole, "cut at {cut}");
        }
        assert_eq!(whole, strict(key, msg, sig));
        whole
    }

    #[test]
    fn ed25519_in_parts_is_verify_strict() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let key = signing.verifying_key();
        let msg = b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec();
        let sig = signing.sign(&msg).to_bytes().to_vec();
        assert!(parts_agree(&key, &msg, &sig));
        assert!(parts_agree(&key, b"", &signing.sign(b"").to_bytes()));
        // Every single-bit change of the message or the signature.
        for i in 0..msg.len() * 8 {
            let mut m = msg.clone();
            if let Some(b) = m.get_mut(i / 8) {
                *b ^= 1 << (i % 8);
            }
            assert!(!parts_agree(&key, &m, &sig));
        }
        for i in 0..sig.len() * 8 {
            let mut s = sig.clone();
            if let Some(b) = s.get_mut(i / 8) {
                *b ^= 1 << (i % 8);
            }
            assert!(!parts_agree(&key, &msg, &s));
        }
        // `s` not reduced: `s + l` verifies in the group but is refused.
        let l = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
            .unwrap();
        let mut high = sig.clone();
        let mut carry = 0u16;
        for (b, l) in high.iter_mut().skip(32).zip(l) {
            let sum = u16::from(*b) + u16::from(l) + carry;
            *b = (sum & 0xff) as u8;
            carry = sum >> 8;
        }
        assert!(!parts_agree(&key, &msg, &high));
        assert!(!parts_agree(&key, &msg, &sig[..63]));
    }

    /// The checks the streaming verifier leaves out: a small-order key and
    /// a small-order `R` pass `verify` but not `verify_strict`.
    #[test]
    fn ed25519_in_parts_refuses_small_order_points() {
        use curve25519_dalek::scalar::Scalar;
        use ed25519_dalek::Verifier as _;
        let msg = b"any message";
        // The identity as the key: `R` = identity, `s` = 0 verifies any message.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
        assert!(weak.is_weak());
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&identity);
        let forged = ed25519_dalek::Signature::from_bytes(&sig);
        assert!(
            weak.verify(msg, &forged).is_ok(),
            "the loose check accepts it"
        );
        assert!(!parts_agree(&weak, msg, &sig));
        // A real key with `R` = identity and `s` = H(R || A || M) * a.
        let signing = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let key = signing.verifying_key();
        let a = ed25519_dalek::hazmat::ExpandedSecretKey::from(&signing.to_bytes()).scalar;
        let mut h = Sha512::new();
        h.update(identity);
        h.update(key.as_bytes());
        h.update(msg);
        let k = Scalar::from_hash(h);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&identity);
        sig[32..].copy_from_slice((k * a).as_bytes());
        let forged = ed25519_dalek::Signature::from_bytes(&sig);
        assert!(
            key.verify(msg, &forged).is_ok(),
            "the loose check accepts it"
        );
        assert!(!key.is_weak());
        assert!(!parts_agree(&key, msg, &sig));
        // An `R` that is not a point at all.
        let mut not_point = [0u8; 64];
        not_point[0] = 2;
        let r: [u8; 32] = not_point[..32].try_into().unwrap();
        let r = curve25519_dalek::edwards::CompressedEdwardsY(r);
        assert!(r.decompress().is_none());
        assert!(!parts_agree(&key, msg, &not_point));
    }

    #[test]
    fn ecdsa_and_rsa_in_parts() {
        use p256::ecdsa::signature::Signer as _;
        let signing = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let key = PublicKey::EcdsaP256(*signing.verifying_key());
        let sig: p256::ecdsa::Signature = signing.sign(b"hello world");
        let sig = sig.to_der().as_bytes().to_vec();
        verify_parts(&key, Scheme::EcdsaP256, &[b"hello", b" world"], &sig).unwrap();
        verify_parts(&key, Scheme::EcdsaP256, &[b"hello world", b""], &sig).unwrap();
        assert!(verify_parts(&key, Scheme::EcdsaP256, &[b"hello", b"world"], &sig).is_err());
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
        let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
        let key = PublicKey::Rsa(private.to_public_key());
        let signer = rsa::pss::SigningKey::<Sha256>::new(private);
        let sig = signer.sign_with_rng(&mut rand_core::OsRng, b"msg").to_vec();
        let scheme = Scheme::RsaPss(Hash::Sha256);
        verify_parts(&key, scheme, &[b"m", b"sg"], &sig).unwrap();
        assert!(verify_parts(&key, scheme, &[b"m", b"s"], &sig).is_err());
    }

    #[test]
    fn scheme_must_fit_key() {
        let key = PublicKey::from_ed25519_hex(
            "7345b83c121ea0d9ffc3b38d69958718b8435e8cb0552f889d695586693e1b89",
        )
        .unwrap();
        assert!(Scheme::parse("ecdsa-sha2-nistp256", &key).is_err());
        assert!(Scheme::parse("ed25519x", &key).is_err());
        assert_eq!(Scheme::parse("ed25519", &key).unwrap(), Scheme::Ed25519);
    }

    #[test]
    fn rsa_pss_any_salt_length_and_pkcs1() {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _};
        let mut rng = rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let key = PublicKey::Rsa(private.to_public_key());
        for salt in [0usize, 20, 32, 64, 94] {
            let signer = rsa::pss::SigningKey::<Sha256>::new_with_salt_len(private.clone(), salt);
            let sig = signer.sign_with_rng(&mut rng, b"msg").to_vec();
            verify(&key, Scheme::RsaPss(Hash::Sha256), b"msg", &sig).unwrap();
            assert!(verify(&key, Scheme::RsaPss(Hash::Sha256), b"msh", &sig).is_err());
            assert!(verify(&key, Scheme::RsaPss(Hash::Sha512), b"msg", &sig).is_err());
        }
        let signer = rsa::pkcs1v15::SigningKey::<Sha384>::new(private);
        let sig = signer.sign(b"msg").to_vec();
        verify(&key, Scheme::RsaPkcs1v15(Hash::Sha384), b"msg", &sig).unwrap();
        assert!(verify(&key, Scheme::RsaPkcs1v15(Hash::Sha256), b"msg", &sig).is_err());
        assert!(verify(&key, Scheme::RsaPss(Hash::Sha384), b"msg", &sig).is_err());
    }

    #[test]
    fn ecdsa_p384_and_p521_der_and_raw() {
        use p384::ecdsa::signature::Signer as _;
        let msg = b"DSSEv1 28 application/vnd.in-toto+json 2 {}";
        let s384 = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let k384 = PublicKey::EcdsaP384(*s384.verifying_key());
        let sig: p384::ecdsa::Signature = s384.sign(msg);
        let s521 = p521::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let k521 = PublicKey::EcdsaP521(p521::PublicKey::from_secret_scalar(
            s521.as_nonzero_scalar(),
        ));
        let sig521: p521::ecdsa::Signature = s521.sign(msg);
        for (key, scheme, der, raw) in [
            (
                &k384,
                Scheme::EcdsaP384,
                sig.to_der().as_bytes().to_vec(),
                sig.to_bytes().to_vec(),
            ),
            (
                &k521,
                Scheme::EcdsaP521,
                sig521.to_der().as_bytes().to_vec(),
                sig521.to_bytes().to_vec(),
            ),
        ] {
            for sig in [&der, &raw] {
                verify(key, scheme, msg, sig).unwrap();
                verify_parts(key, scheme, &[&msg[..5], &msg[5..]], sig).unwrap();
                assert!(verify(key, scheme, b"other", sig).is_err());
            }
            assert!(verify(key, scheme, msg, &der[..der.len() - 1]).is_err());
            assert!(verify(key, scheme, msg, &raw[..raw.len() - 1]).is_err());
            assert!(verify(key, Scheme::EcdsaP256, msg, &der).is_err());
        }
        assert_eq!(raw_len(&k384), 96);
        assert_eq!(raw_len(&k521), 132);
        // The curve's hash: a P-384 signature over SHA-256 of the message
        // (what a scheme mix-up would make) does not verify.
        use p384::ecdsa::signature::hazmat::PrehashSigner as _;
        let wrong: p384::ecdsa::Signature = s384.sign_prehash(&Sha256::digest(msg)).unwrap();
        assert!(verify(&k384, Scheme::EcdsaP384, msg, wrong.to_der().as_bytes()).is_err());
        // Schemes fit their curve only.
        assert!(Scheme::parse("ecdsa-sha2-nistp384", &k384).is_ok());
        assert!(Scheme::parse("ecdsa-sha2-nistp521", &k384).is_err());
        assert!(Scheme::parse("ecdsa-sha2-nistp256", &k521).is_err());
        assert_eq!(Scheme::default_for(&k521).name(), "ecdsa-sha2-nistp521");
    }

    fn raw_len(key: &PublicKey) -> usize {
        match key {
            PublicKey::EcdsaP384(_) => 96,
            PublicKey::EcdsaP521(_) => 132,
            _ => 64,
        }
    }
}

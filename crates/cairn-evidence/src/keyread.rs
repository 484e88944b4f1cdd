//! Reading key files: public keys a verifier trusts and private keys a
//! signer uses, each bounded in size.

use std::path::{Path, PathBuf};

use crate::read::read_bounded;
use crate::{EvidenceError, Location, SigningKey, TrustedKey};

/// Key files are small; anything larger is not a key.
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// Reads a small text file (a key); `-` reads it from standard input
/// (once per run), as a CI job passes a secret.
pub fn read_text(path: &Path) -> Result<String, EvidenceError> {
    let bytes = if cairn_base::files::is_stdin(path) {
        crate::read::read_bounded_stream(path, MAX_KEY_BYTES)?
    } else {
        read_bounded(path, MAX_KEY_BYTES)?
    };
    String::from_utf8(bytes).map_err(|_| EvidenceError::BadKey {
        at: Location::file(cairn_base::files::display_name(path)),
        reason: "the file is not UTF-8 text".into(),
    })
}

/// Reads a trusted public key file (PEM, hex, securesystemslib JSON, 32 raw
/// Ed25519 bytes or binary DER SubjectPublicKeyInfo).
pub fn read_public_key(path: &Path) -> Result<TrustedKey, EvidenceError> {
    let label = cairn_base::files::display_name(path);
    // `-`: the key on standard input (once per run).
    let bytes = if cairn_base::files::is_stdin(path) {
        crate::read::read_bounded_stream(path, MAX_KEY_BYTES)?
    } else {
        read_bounded(path, MAX_KEY_BYTES)?
    };
    TrustedKey::parse_bytes(&bytes, label.clone()).map_err(|e| EvidenceError::BadKey {
        at: Location::file(label),
        reason: e.to_string(),
    })
}

/// Reads the public key files a layout's owners are given by, each key once:
/// a key given twice (the same file, or two files holding the same key) is
/// one owner, as `in-toto-verify` keeps its keys by keyid.
pub fn read_owner_keys(paths: &[PathBuf]) -> Result<Vec<TrustedKey>, EvidenceError> {
    let mut keys: Vec<TrustedKey> = Vec::new();
    for path in paths {
        let key = read_public_key(path)?;
        if !keys.iter().any(|k| k.keyids.first() == key.keyids.first()) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Reads a private key file (PKCS#8 PEM). The error never quotes the file.
pub fn read_private_key(path: &Path) -> Result<SigningKey, EvidenceError> {
    let label = cairn_base::files::display_name(path);
    let text = read_text(path)?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| EvidenceError::BadPrivateKey {
        at: Location::file(label),
        reason: e.to_string(),
    })
}

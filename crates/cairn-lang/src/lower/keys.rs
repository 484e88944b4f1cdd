//! Lowering `key` declarations: reading key files (the only I/O of
//! lowering), parsing key material, schemes and keyids.

use std::path::Path;

use super::error::LowerError;
use crate::ir;
use crate::syntax::ast;
use cairn_base::suggest;
use cairn_evidence::keys::{keyid, PublicKey};

/// The largest key file read, in bytes.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// The key kinds a policy may write.
const KINDS: &[&str] = &["ed25519", "pem", "file"];

/// A lowered key with its identity (for duplicate detection).
pub struct Lowered {
    /// The key as the IR carries it.
    pub key: ir::Key,
    /// Algorithm and public bytes ([`PublicKey::identity`]): equal for the
    /// same key material in any encoding.
    pub identity: Vec<u8>,
}

/// Lowers one key declaration, or returns its errors.
pub fn lower_key(k: &ast::KeyDecl, base_dir: &Path) -> Result<Lowered, LowerError> {
    let value_span = k.value.loc.span();
    let public = match k.kind.name.as_str() {
        "ed25519" => PublicKey::from_ed25519_hex(&k.value.value),
        "pem" => PublicKey::from_pem(&k.value.value),
        "file" => {
            let path = base_dir.join(&k.value.value);
            let text = read_key_file(&path).map_err(|reason| LowerError::KeyFileUnreadable {
                path: path.display().to_string(),
                reason,
                span: value_span,
            })?;
            PublicKey::from_file_bytes(&text)
        }
        other => {
            return Err(LowerError::UnknownKeyKind {
                kind: other.to_string(),
                span: k.kind.loc.span(),
                help: suggest::help(other, "key kind", KINDS),
            })
        }
    }
    .map_err(|e| LowerError::BadKey {
        name: k.name.name.clone(),
        reason: e.to_string(),
        span: value_span,
    })?;
    let keytype = public.keytype();
    let scheme = match &k.scheme {
        None => public.default_scheme().to_string(),
        Some(s) => {
            let valid = schemes_of(&public);
            if !valid.contains(&s.value.as_str()) {
                let list: Vec<String> = valid.iter().map(|v| format!("`{v}`")).collect();
                return Err(LowerError::BadScheme {
                    scheme: s.value.clone(),
                    keytype,
                    span: s.loc.span(),
                    help: format!("key type `{keytype}` takes {}", list.join(" or ")),
                });
            }
            s.value.clone()
        }
    };
    let public_text = public.public_text();
    Ok(Lowered {
        key: ir::Key {
            name: k.name.name.clone(),
            keytype: keytype.to_string(),
            keyid: keyid(keytype, &scheme, &public_text, false),
            legacy_keyid: keyid(keytype, &scheme, &public_text, true),
            scheme,
            public: public_text,
            span: k.loc.span(),
        },
        identity: public.identity(),
    })
}

/// The signature schemes each key type accepts (for ECDSA `ecdsa`, those
/// of every accepted curve).
pub fn schemes(keytype: &str) -> &'static [&'static str] {
    match keytype {
        "ed25519" => &["ed25519"],
        "ecdsa" => &[
            "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521",
        ],
        _ => &["rsassa-pss-sha256", "rsa-pkcs1v15-sha256"],
    }
}

/// The signature schemes a key accepts: an ECDSA key only its curve's.
fn schemes_of(key: &PublicKey) -> &'static [&'static str] {
    match key {
        PublicKey::EcdsaP256(_) => &["ecdsa-sha2-nistp256"],
        PublicKey::EcdsaP384(_) => &["ecdsa-sha2-nistp384"],
        PublicKey::EcdsaP521(_) => &["ecdsa-sha2-nistp521"],
        other => schemes(other.keytype()),
    }
}

/// A key file a policy names: a regular file only (a policy is not the
/// user's command line, so it cannot make cairn wait on a pipe).
fn read_key_file(path: &Path) -> Result<Vec<u8>, String> {
    cairn_base::files::read(path, cairn_base::files::ReadOptions::file(MAX_KEY_FILE))
        .map_err(|e| e.to_string())
}

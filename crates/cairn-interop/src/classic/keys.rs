//! Import of a classic layout's `keys` map: parses the key material, checks
//! that each keyid is the securesystemslib hash of its key (modern or legacy
//! formula) and names each key for the policy text.

use serde_json::{Map, Value};

use super::locate::Path;
use super::reader::Reader;
use crate::InteropError;
use cairn_evidence::keys::{keyid, PublicKey};
use cairn_lang::ir;

/// Members a classic key object may carry.
const KEY_MEMBERS: &[&str] = &[
    "keyid",
    "keytype",
    "scheme",
    "keyval",
    "keyid_hash_algorithms",
];
/// Members of GPG keys (python in-toto only).
const GPG_MEMBERS: &[&str] = &[
    "subkeys",
    "hashes",
    "creation_time",
    "validity_period",
    "method",
    "type",
];

/// The policy name of a key: `key-` and the shortest keyid prefix of at
/// least 8 hex digits that no other keyid shares.
pub(crate) fn key_name(keyid: &str, all: &[&str]) -> String {
    let mut len = 8.min(keyid.len());
    while len < keyid.len()
        && all
            .iter()
            .any(|other| *other != keyid && other.get(..len) == keyid.get(..len))
    {
        len += 1;
    }
    format!("key-{}", keyid.get(..len).unwrap_or(keyid))
}

/// Whether `(keytype, scheme)` is a pair cairn verifies for this key.
fn scheme_fits(key: &PublicKey, keytype: &str, scheme: &str) -> bool {
    match key {
        PublicKey::Ed25519(_) => keytype == "ed25519" && scheme == "ed25519",
        PublicKey::EcdsaP256(_) => keytype == "ecdsa" && scheme == "ecdsa-sha2-nistp256",
        PublicKey::EcdsaP384(_) => keytype == "ecdsa" && scheme == "ecdsa-sha2-nistp384",
        PublicKey::EcdsaP521(_) => keytype == "ecdsa" && scheme == "ecdsa-sha2-nistp521",
        PublicKey::Rsa(_) => {
            keytype == "rsa"
                && matches!(
                    scheme,
                    "rsassa-pss-sha224"
                        | "rsassa-pss-sha256"
                        | "rsassa-pss-sha384"
                        | "rsassa-pss-sha512"
                        | "rsa-pkcs1v15-sha224"
                        | "rsa-pkcs1v15-sha256"
                        | "rsa-pkcs1v15-sha384"
                        | "rsa-pkcs1v15-sha512"
                )
        }
    }
}

/// Imports `keys`; returns the IR keys (sorted by keyid, as the map is) and
/// the classic keyid of each, in the same order.
pub(crate) fn import(
    r: &mut Reader<'_>,
    keys: &Map<String, Value>,
    path: &Path,
) -> (Vec<ir::Key>, Vec<String>) {
    let ids: Vec<&str> = keys.keys().map(String::as_str).collect();
    let mut out = Vec::new();
    let mut out_ids = Vec::new();
    for (id, value) in keys {
        let kpath = path.key(id);
        if let Some(key) = import_one(r, id, value, &kpath, &ids) {
            out.push(key);
            out_ids.push(id.clone());
        }
    }
    (out, out_ids)
}

fn import_one(
    r: &mut Reader<'_>,
    id: &str,
    value: &Value,
    path: &Path,
    ids: &[&str],
) -> Option<ir::Key> {
    let m = r.object(value, path)?;
    let at = r.at(path);
    // A GPG key has no `keytype` or `scheme` to report missing: it is
    // refused as what it is, naming its method.
    let gpg_method = m.get("method").and_then(Value::as_str);
    if !m.contains_key("keytype") && gpg_method.is_some_and(|s| s.starts_with("pgp+")) {
        r.push(InteropError::GpgKey {
            keyid: id.to_string(),
            method: gpg_method.unwrap_or_default().to_string(),
            at,
        });
        return None;
    }
    let keytype = r.str_member(m, path, "keytype");
    let scheme = r.str_member(m, path, "scheme");
    let is_gpg = GPG_MEMBERS.iter().any(|g| m.contains_key(*g))
        || scheme.is_some_and(|s| s.starts_with("pgp+"));
    if is_gpg {
        r.push(InteropError::UnsupportedKey {
            keyid: id.to_string(),
            keytype: keytype.unwrap_or("?").to_string(),
            scheme: scheme.unwrap_or("?").to_string(),
            at,
        });
        return None;
    }
    r.only(m, path, KEY_MEMBERS, &[]);
    if let Some(inner) = m.get("keyid") {
        let inner = r.string(inner, &path.key("keyid"))?;
        if inner != id {
            r.push(InteropError::KeyidMismatch {
                keyid: id.to_string(),
                inner: inner.to_string(),
                at,
            });
        }
    }
    let keyval_path = path.key("keyval");
    let keyval = r.member(m, path, "keyval")?;
    let keyval = r.object(keyval, &keyval_path)?;
    r.only(keyval, &keyval_path, &["public", "private"], &[]);
    if let Some(private) = keyval.get("private") {
        // Legacy layouts carry `"private": ""`; anything else is a secret
        // that has no place in a layout.
        if private.as_str() != Some("") {
            r.push(InteropError::BadKey {
                keyid: id.to_string(),
                reason: "`keyval.private` must be empty in a layout".into(),
                at,
            });
        }
    }
    let public = r.str_member(keyval, &keyval_path, "public")?;
    let (keytype, scheme) = (keytype?, scheme?);
    let parsed = match keytype {
        "ed25519" => PublicKey::from_ed25519_hex(public),
        "ecdsa" | "rsa" => PublicKey::from_pem(public),
        _ => {
            r.push(InteropError::UnsupportedKey {
                keyid: id.to_string(),
                keytype: keytype.to_string(),
                scheme: scheme.to_string(),
                at,
            });
            return None;
        }
    };
    let key = match parsed {
        Ok(key) => key,
        Err(e) => {
            r.push(InteropError::BadKey {
                keyid: id.to_string(),
                reason: e.to_string(),
                at,
            });
            return None;
        }
    };
    if matches!(key, PublicKey::Ed25519(_)) && key.public_text() != public {
        r.push(InteropError::BadKey {
            keyid: id.to_string(),
            reason: "ed25519 keys must be written as 64 lowercase hex digits".into(),
            at,
        });
        return None;
    }
    if !scheme_fits(&key, keytype, scheme) {
        r.push(InteropError::UnsupportedKey {
            keyid: id.to_string(),
            keytype: keytype.to_string(),
            scheme: scheme.to_string(),
            at,
        });
        return None;
    }
    // The keyids are computed over the key exactly as written: the PEM text
    // with or without its final newline gives different keyids.
    let modern = keyid(keytype, scheme, public, false);
    let legacy = keyid(keytype, scheme, public, true);
    if id != modern && id != legacy {
        r.push(InteropError::KeyidNotHash {
            keyid: id.to_string(),
            modern,
            legacy,
            at,
        });
        return None;
    }
    Some(ir::Key {
        name: key_name(id, ids),
        keytype: key.keytype().to_string(),
        scheme: scheme.to_string(),
        public: public.to_string(),
        keyid: modern,
        legacy_keyid: legacy,
        span: r.span(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_prefixes() {
        let all = ["abcdef0123", "abcdef0199", "12345678ff"];
        assert_eq!(key_name("abcdef0123", &all), "key-abcdef012");
        assert_eq!(key_name("abcdef0199", &all), "key-abcdef019");
        assert_eq!(key_name("12345678ff", &all), "key-12345678");
        assert_eq!(key_name("abc", &["abc"]), "key-abc");
    }
}

//! How findings name a signer: the policy's name for a key or identity,
//! with a keyid prefix where it must say which key exactly.

use cairn_lang::ir::Layout;

/// The policy's name for the key at `index`.
pub fn key_name(layout: &Layout, index: usize) -> String {
    layout
        .signer_name(index)
        .map_or_else(|| format!("key #{index}"), str::to_owned)
}

/// The key's name with a keyid prefix, for expected/actual values that
/// must say which key exactly (`bob (keyid d748ec570eb2…)`).
pub fn key_label(layout: &Layout, index: usize) -> String {
    match layout.keys.get(index) {
        Some(k) => match k.keyid.get(..12).filter(|p| p.len() < k.keyid.len()) {
            Some(prefix) => format!("{} (keyid {prefix}…)", k.name),
            None => format!("{} (keyid {})", k.name, k.keyid),
        },
        None => match layout.identity(index) {
            Some(id) => format!("{} (identity)", id.name),
            None => format!("key #{index}"),
        },
    }
}

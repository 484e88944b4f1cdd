//! Any bytes as a public key file (PEM, DER, raw Ed25519, securesystemslib
//! JSON): a key or an error, never a panic; a key read has keyids.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cairn_evidence::keys::PublicKey::from_file_bytes(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cairn_evidence::TrustedKey::parse(text, "fuzz");
    }
});

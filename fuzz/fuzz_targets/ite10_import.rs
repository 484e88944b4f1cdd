//! Any text as an attestation-verifier YAML layout, imported with
//! parameters: `.cairn` source or errors, never a panic.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let params = BTreeMap::from([
        ("a".to_string(), "x{b}".to_string()),
        ("b".to_string(), "{c}y".to_string()),
        ("c".to_string(), "z".to_string()),
    ]);
    let _ = cairn_interop::ite10::to_cairn_with(text, "fuzz", &params);
});

//! Any bytes as an evidence file (a DSSE envelope, a metablock, a Sigstore
//! bundle, npm's attestations document, gcloud's provenance output, or a
//! `.jsonl` of them): loading and checking never panics, and everything read
//! is either an item or a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = if kind % 2 == 0 {
        "input.json"
    } else {
        "input.jsonl"
    };
    let dir = std::env::temp_dir().join(format!("cairn-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let limits = cairn_evidence::Limits::default();
    let checked = cairn_evidence::load_verified(&[path], &limits, &[]);
    // Nothing is trusted without keys: every readable attestation is rejected.
    assert!(checked.verified.is_empty());
});

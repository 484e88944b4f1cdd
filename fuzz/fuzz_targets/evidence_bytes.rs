//! Any bytes as evidence given as bytes (`cairn_evidence::load_verified_bytes`,
//! the library's `Options::documents`), under a name that says one document,
//! a bundle of lines, or nothing: loading and checking never panics, and
//! nothing counts as verified without keys.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = match kind % 3 {
        0 => "input.json",
        1 => "input.jsonl",
        _ => "upload",
    };
    let documents = vec![(name.to_string(), bytes.to_vec())];
    let limits = cairn_evidence::Limits::default();
    let checked = cairn_evidence::load_verified_bytes(&documents, &limits, &[], None);
    assert!(checked.verified.is_empty());
});

//! Any bytes as a DSSE envelope or metablock, its signatures checked with
//! Ed25519, P-256 and P-384 keys: nothing verifies, nothing panics.
//! The body is `cairn_fuzz::targets::dsse_envelope` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::dsse_envelope(data));

//! Any bytes as evidence given as bytes: never a panic, nothing verified
//! without keys.
//! The body is `cairn_fuzz::targets::evidence_bytes` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::evidence_bytes(data));

//! Any bytes as an evidence file: never a panic, nothing verified without
//! keys.
//! The body is `cairn_fuzz::targets::evidence_file` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::evidence_file(data));

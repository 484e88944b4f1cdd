//! Any bytes as a classic layout: read as the verifier reads it and
//! imported into a policy, never a panic.
//! The body is `cairn_fuzz::targets::classic_layout` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::classic_layout(data));

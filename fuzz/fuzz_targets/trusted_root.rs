//! Any bytes as a Sigstore trusted root: a root or an error, never a panic.
//! The body is `cairn_fuzz::targets::trusted_root` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::trusted_root(data));

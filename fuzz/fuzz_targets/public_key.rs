//! Any bytes as a public key file: a key or an error, never a panic.
//! The body is `cairn_fuzz::targets::public_key` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::public_key(data));

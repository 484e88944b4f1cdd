//! Any bytes as a Sigstore bundle, read strictly and checked against a
//! trusted root for an identity: never a panic.
//! The body is `cairn_fuzz::targets::sigstore_bundle` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::sigstore_bundle(data));

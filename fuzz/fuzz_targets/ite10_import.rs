//! Any text as an attestation-verifier YAML layout, imported with
//! parameters: `.cairn` source or errors, never a panic.
//! The body is `cairn_fuzz::targets::ite10_import` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::ite10_import(data));

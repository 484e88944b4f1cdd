//! A classic layout's X.509 members and a link's certificate, read and
//! checked without panicking.
//! The body is `cairn_fuzz::targets::x509_functionaries` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::x509_functionaries(data));

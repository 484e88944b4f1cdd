//! Any bytes as a classic link, by both roads cairn reads one.
//! The body is `cairn_fuzz::targets::classic_link` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::classic_link(data));

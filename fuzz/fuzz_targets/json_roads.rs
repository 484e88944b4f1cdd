//! Any bytes through cairn's JSON roads, which must agree on every input.
//! The body is `cairn_fuzz::targets::json_roads` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::json_roads(data));

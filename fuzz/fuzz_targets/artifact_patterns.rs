//! An artifact pattern and a name: cairn's matcher agrees with a reference
//! fnmatch matcher.
//! The body is `cairn_fuzz::targets::artifact_patterns` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::artifact_patterns(data));

//! Any text as a predicate kept as text: the paths answered over it agree
//! whether selected together or alone.
//! The body is `cairn_fuzz::targets::predicate_paths` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::predicate_paths(data));

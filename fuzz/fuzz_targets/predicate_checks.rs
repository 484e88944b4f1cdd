//! A predicate check (JSONPath, quantifier, test with a `matches` regex or
//! a value) over a predicate: the same outcome over its value and its text.
//! The body is `cairn_fuzz::targets::predicate_checks` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::predicate_checks(data));

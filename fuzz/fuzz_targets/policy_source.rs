//! Any text as a policy: parsed, formatted (a round trip to itself),
//! lowered and linted, never a panic.
//! The body is `cairn_fuzz::targets::policy_source` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::policy_source(data));

//! Any text as a document open in an editor: every request `cairn lsp`
//! answers, at places spread over it, never a panic.
//! The body is `cairn_fuzz::targets::lsp_document` (fuzz/src/targets.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cairn_fuzz::targets::lsp_document(data));

//! The one integration-test binary: every suite is a module here, and every
//! case is a file under `tests/cases/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bundle_props;
mod cel;
mod classic;
mod cli_evidence;
mod eval;
mod everyday;
mod evidence;
mod examples;
mod explain;
mod fuzz_corpora;
#[path = "../../fuzz/src/targets.rs"]
mod fuzz_targets;
mod holders;
mod imports;
mod interop;
mod ite10;
mod keys;
mod lang;
mod lang_cli;
mod lang_props;
mod lint;
mod lsp;
mod messages;
mod record;
mod review;
mod schemas;
mod sigstore;
#[path = "../common/sigstore_cases.rs"]
mod sigstore_cases;
mod stdin;
mod test_cmd;
mod vectors;
mod vsa;

/// `cairn ARGS` run in `dir`, without colour: its exit status and output.
pub fn cairn_in<S: AsRef<std::ffi::OsStr>>(
    dir: &std::path::Path,
    args: &[S],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

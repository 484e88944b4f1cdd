//! The real-world corpora of `../shared` (other projects' data, read where it
//! lies and never copied here). Needs the `corpus` feature; `.ci/run` runs it
//! and fails when `../shared` is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../common/sigstore_cases.rs"]
mod sigstore_cases;

use std::path::PathBuf;

/// `../shared` beside the repository, or `$CAIRN_SHARED`.
fn shared() -> PathBuf {
    let dir = std::env::var_os("CAIRN_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    assert!(
        dir.join("sigstore").is_dir(),
        "{} holds no sigstore/ corpus: put the shared folder beside the repository or set CAIRN_SHARED",
        dir.display()
    );
    dir
}

/// Every one of the 94 upstream Sigstore cases, with the artifact file and
/// with its digest, gives the upstream verdict.
#[test]
fn sigstore_corpus_agrees_with_upstream() {
    let root = shared().join("sigstore");
    let cases = sigstore_cases::case_dirs(&root);
    assert_eq!(cases.len(), 94, "the corpus has 94 cases");
    let (table, bad) =
        sigstore_cases::run_all(std::path::Path::new(env!("CARGO_BIN_EXE_cairn")), &root);
    println!("{table}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

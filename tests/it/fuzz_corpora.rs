//! The fuzz targets' seed corpora, replayed: every file of
//! `fuzz/corpus/<target>/` goes to the function its target calls
//! (`fuzz/src/targets.rs`, compiled into this binary), so a plain
//! `cargo test` runs every target's code over every seed without the
//! nightly toolchain or a fuzzing build. Crashes found by fuzzing are kept
//! in the corpora as `crash-*` files and so stay fixed.

use std::path::Path;

use crate::fuzz_targets::TARGETS;

#[test]
fn every_target_has_a_corpus_and_a_target_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<String> = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let names: Vec<String> = TARGETS.iter().map(|(n, _)| format!("{n}.rs")).collect();
    assert_eq!(files, names, "fuzz/fuzz_targets and TARGETS differ");
    for (name, _) in TARGETS {
        let seeds = std::fs::read_dir(root.join("corpus").join(name))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "fuzz/corpus/{name} has no seeds");
    }
}

#[test]
fn seed_corpora_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut total = 0;
    for (name, target) in TARGETS {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let replay = std::panic::catch_unwind(|| target(&data));
            assert!(replay.is_ok(), "{name}: {} panics", path.display());
            total += 1;
        }
    }
    assert!(total > 0);
}

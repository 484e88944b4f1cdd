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
mod vectors;

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

/// The conformance cases through `scripts/sigstore-conformance/cairn-client`
/// with exactly the arguments the suite's protocol gives: identity and
/// issuer (or a key), `--trusted-root` only where the case has a root of its
/// own (otherwise the public-good root shipped with cairn), then the
/// artifact file and, in a second run, its digest.
#[test]
fn conformance_cases_through_the_suite_protocol() {
    use serde_json::Value;
    let root = shared().join("sigstore/conformance");
    let client =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/sigstore-conformance/cairn-client");
    let mut bad = Vec::new();
    let mut runs = 0;
    for dir in sigstore_cases::case_dirs(&root) {
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let inputs = &expected["inputs"];
        let policy = &expected["policy"];
        let mut args: Vec<String> = vec![
            "verify".into(),
            "--bundle".into(),
            dir.join("bundle.sigstore.json").display().to_string(),
        ];
        if let Some(key) = policy["key"].as_str() {
            args.extend(["--key".into(), dir.join(key).display().to_string()]);
        } else {
            args.extend([
                "--certificate-identity".into(),
                policy["identity"].as_str().unwrap().to_owned(),
            ]);
            args.extend([
                "--certificate-oidc-issuer".into(),
                policy["issuer"].as_str().unwrap().to_owned(),
            ]);
        }
        let own_root = !inputs["trusted_root_origin"]
            .as_str()
            .unwrap_or_default()
            .starts_with("none in the case");
        if own_root {
            args.extend([
                "--trusted-root".into(),
                dir.join("trusted_root.json").display().to_string(),
            ]);
        }
        let artifacts = [
            dir.join(inputs["artifact"].as_str().unwrap())
                .display()
                .to_string(),
            inputs["artifact_digest"].as_str().unwrap().to_owned(),
        ];
        for artifact in artifacts {
            let mut all = args.clone();
            all.push(artifact.clone());
            let out = std::process::Command::new(&client)
                .args(&all)
                .env("CAIRN", env!("CARGO_BIN_EXE_cairn"))
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            runs += 1;
            let passed = out.status.success();
            if passed != (expected["verdict"] == "PASS") {
                bad.push(format!(
                    "{} ({artifact}): expected {}, exit {:?}\n{}",
                    dir.display(),
                    expected["verdict"],
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert_eq!(runs, 140, "70 cases, file and digest");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The keyids in-toto-golang's `TestLoadKey` and in-toto-rs expect for their
/// test keys are among those `cairn key id` prints; the P-224 key is refused
/// as too weak.
#[test]
fn real_world_key_ids() {
    let root = shared().join("real-world");
    let go = root.join("in-toto-in-toto-golang/test/data");
    let rs = root.join("in-toto-in-toto-rs/tests");
    for (file, keyid) in [
        (
            go.join("frank.pub"),
            "434cf7c5b168f6ea4c7e6e67afa74a02625310530f1664f761637bdc7ad8f8df",
        ),
        (
            go.join("grace.pub"),
            "a5522ebccd492f64e6ec0bbcb5eb782708f6e26709a3712e64fff108b98e5142",
        ),
        (
            rs.join("ed25519/ed25519-1.pub"),
            "e0294a3f17cc8563c3ed5fceb3bd8d3f6bfeeaca499b5c9572729ae015566554",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["key", "id"])
            .arg(&file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(keyid), "{}: {stdout}", file.display());
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["key", "id"])
        .arg(go.join("heidi.pub"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E316") && stderr.contains("P-224"),
        "{stderr}"
    );
}

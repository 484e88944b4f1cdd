//! Interoperability with the in-toto reference implementation: envelopes
//! made by `cairn` verify with securesystemslib's own DSSE code, and links
//! signed by in-toto verify with cairn. Needs `.venv/` from
//! `scripts/setup-intoto.sh`; fails loudly without it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod sslib_statements;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup-intoto.sh first",
        python.display()
    );
    python
}

fn cairn(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cairn {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Verifies every line of `bundle` with securesystemslib's `Envelope.verify`
/// and the public key `public_pem`; prints the payload type of each.
const SSLIB_VERIFY: &str = r#"
import json, sys
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
bundle, pem = sys.argv[1], sys.argv[2]
key = SSlibKey.from_crypto(load_pem_public_key(open(pem, "rb").read()))
for line in open(bundle):
    if not line.strip():
        continue
    env = Envelope.from_dict(json.loads(line))
    accepted = env.verify([key], 1)
    assert key.keyid in accepted, accepted
    statement = json.loads(env.payload)
    print(statement["predicateType"], statement["subject"][0]["digest"]["sha256"])
"#;

fn sslib_verify(bundle: &Path, public: &Path) -> std::process::Output {
    Command::new(python())
        .arg("-c")
        .arg(SSLIB_VERIFY)
        .arg(bundle)
        .arg(public)
        .output()
        .unwrap()
}

#[test]
fn cairn_attest_verifies_with_securesystemslib() {
    let dir = temp_dir("attest");
    let prefix = dir.join("alice");
    cairn(&["key", "gen", "-o", prefix.to_str().unwrap()]);
    let artifact = dir.join("app.tar.gz");
    std::fs::write(&artifact, b"the artifact").unwrap();
    let predicate = dir.join("predicate.json");
    std::fs::write(
        &predicate,
        br#"{"result": "PASSED", "passedTests": ["t1"]}"#,
    )
    .unwrap();
    let bundle = dir.join("app.intoto.jsonl");
    for _ in 0..2 {
        cairn(&[
            "attest",
            "--predicate-type",
            "https://in-toto.io/attestation/test-result/v0.1",
            "--predicate",
            predicate.to_str().unwrap(),
            "--subject",
            artifact.to_str().unwrap(),
            "--key",
            prefix.to_str().unwrap(),
            "-o",
            bundle.to_str().unwrap(),
        ]);
    }
    let public = dir.join("alice.pub");
    let out = sslib_verify(&bundle, &public);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "securesystemslib refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    // sha256 of "the artifact".
    let expected = "https://in-toto.io/attestation/test-result/v0.1 \
                    03473f89a784c14707308b73a324b887c10627dc400d8f62fd37a74d66b12438";
    assert!(stdout.lines().all(|l| l == expected), "{stdout}");

    // The same check fails for another key: the test can fail.
    let other = dir.join("bob");
    cairn(&["key", "gen", "-o", other.to_str().unwrap()]);
    let out = sslib_verify(&bundle, &dir.join("bob.pub"));
    assert!(
        !out.status.success(),
        "securesystemslib accepted the wrong key"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn sign` of a Statement makes an envelope securesystemslib verifies.
#[test]
fn cairn_sign_makes_envelopes_securesystemslib_reads() {
    let dir = temp_dir("sign");
    let prefix = dir.join("carol");
    cairn(&["key", "gen", "-o", prefix.to_str().unwrap()]);
    let payload = dir.join("statement.json");
    std::fs::write(
        &payload,
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],"predicateType":"https://example.com/p","predicate":{}}"#,
    )
    .unwrap();
    let out_file = dir.join("statement.intoto.jsonl");
    cairn(&[
        "sign",
        "--key",
        prefix.to_str().unwrap(),
        payload.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    let out = sslib_verify(&out_file, &dir.join("carol.pub"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

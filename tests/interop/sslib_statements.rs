//! Statements made by securesystemslib itself (its `CryptoSigner` keys and
//! `dsse.Envelope`, no cairn code) verify with `cairn verify` against a
//! policy written from `docs/language.md`: an Ed25519 builder key given as
//! hex and an ECDSA P-256 tester key given as a PEM file.

use std::process::{Command, Output};

use super::{python, temp_dir};

/// Writes, into the directory given as its argument: `app.tar.gz`,
/// `builder.hex` (the builder's Ed25519 public key), `tester.pub` (the
/// tester's ECDSA P-256 public key, PEM), and three bundles:
/// `pass.intoto.jsonl` (provenance + a passing test result),
/// `failed-test.intoto.jsonl` (the test result says FAILED) and
/// `swapped-keys.intoto.jsonl` (the provenance signed by the tester).
const SSLIB_MAKE: &str = r#"
import hashlib, json, os, sys
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner

out = sys.argv[1]
artifact = b"app release 1.0\n"
with open(os.path.join(out, "app.tar.gz"), "wb") as f:
    f.write(artifact)
subject = [{"name": "app.tar.gz", "digest": {"sha256": hashlib.sha256(artifact).hexdigest()}}]

builder = CryptoSigner.generate_ed25519()
tester = CryptoSigner.generate_ecdsa()
with open(os.path.join(out, "builder.hex"), "w") as f:
    f.write(builder.public_key.keyval["public"])
with open(os.path.join(out, "tester.pub"), "w") as f:
    f.write(tester.public_key.keyval["public"])

def envelope(predicate_type, predicate, signer):
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": predicate_type,
        "predicate": predicate,
    }
    env = Envelope(json.dumps(statement).encode(), "application/vnd.in-toto+json", {})
    env.sign(signer)
    return json.dumps(env.to_dict())

provenance = {
    "buildDefinition": {
        "buildType": "https://builder.example.org/make/v1",
        "externalParameters": {},
        "resolvedDependencies": [],
    },
    "runDetails": {"builder": {"id": "https://builder.example.org/"}},
}
def test_result(result):
    return {"result": result, "configuration": [], "passedTests": [], "failedTests": []}

slsa = "https://slsa.dev/provenance/v1"
tests = "https://in-toto.io/attestation/test-result/v0.1"
bundles = {
    "pass": [envelope(slsa, provenance, builder), envelope(tests, test_result("PASSED"), tester)],
    "failed-test": [envelope(slsa, provenance, builder), envelope(tests, test_result("FAILED"), tester)],
    "swapped-keys": [envelope(slsa, provenance, tester), envelope(tests, test_result("PASSED"), tester)],
}
for name, lines in bundles.items():
    with open(os.path.join(out, name + ".intoto.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
"#;

/// The policy, written from `docs/language.md`; `BUILDER_HEX` is replaced
/// by the builder's key.
const POLICY: &str = r#"# Statements signed by securesystemslib.
layout "sslib-interop" {
  expires 2100-01-01T00:00:00Z

  key builder = ed25519 "BUILDER_HEX"
  key tester = file "tester.pub"

  step build {
    by builder
    attestation slsa-provenance/v1 {
      products {
        create "app.tar.gz"
      }
      require $.runDetails.builder.id == "https://builder.example.org/"
      require $.buildDefinition.buildType matches "^https://builder\\.example\\.org/"
    }
  }

  step test {
    by tester
    attestation test-result/v0.1 {
      materials {
        match "app.tar.gz" with products from build
      }
      require $.result == "PASSED"
      require $.failedTests is empty
    }
  }

  artifact from build
}
"#;

fn verify(dir: &std::path::Path, bundle: &str) -> (Output, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "verify",
            "policy.cairn",
            "--bundle",
            bundle,
            "--artifact",
            "app.tar.gz",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, report)
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn statements_signed_by_securesystemslib_verify_with_cairn() {
    let dir = temp_dir("sslib-statements");
    let made = Command::new(python())
        .arg("-c")
        .arg(SSLIB_MAKE)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let hex = std::fs::read_to_string(dir.join("builder.hex")).unwrap();
    std::fs::write(
        dir.join("policy.cairn"),
        POLICY.replace("BUILDER_HEX", hex.trim()),
    )
    .unwrap();

    let (out, report) = verify(&dir, "pass.intoto.jsonl");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["verdict"], "PASS");
    assert_eq!(report["inputAttestations"].as_array().unwrap().len(), 2);

    let (out, report) = verify(&dir, "failed-test.intoto.jsonl");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["verdict"], "FAIL");
    assert_eq!(codes(&report), ["V106"]);

    // The provenance signed by the tester's key is no evidence for `build`.
    let (out, report) = verify(&dir, "swapped-keys.intoto.jsonl");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["verdict"], "FAIL");
    assert!(codes(&report).contains(&"V101".to_owned()), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

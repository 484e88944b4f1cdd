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

mod excludes;
mod record;
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
    // Subjects are artifact names (relative paths): attest from `dir`.
    assert!(artifact.is_file());
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args([
                "attest",
                "--predicate-type",
                "https://in-toto.io/attestation/test-result/v0.1",
                "--predicate",
                predicate.to_str().unwrap(),
                "--subject",
                "app.tar.gz",
                "--key",
                prefix.to_str().unwrap(),
                "-o",
                bundle.to_str().unwrap(),
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cairn attest failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
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

/// Signs links with in-toto's own API: argv = dir, then `step key materials
/// products` quadruples (key: a PKCS#8 PEM file; artifacts: `name=text,...`).
const INTOTO_LINKS: &str = r#"
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from in_toto.models.link import Link
from in_toto.models.metadata import Metablock
from securesystemslib.signer import CryptoSigner
out, rest = sys.argv[1], sys.argv[2:]
def arts(spec):
    pairs = [p.split("=", 1) for p in spec.split(",") if p]
    return {n: {"sha256": hashlib.sha256(t.encode()).hexdigest()} for n, t in pairs}
for i in range(0, len(rest), 4):
    step, key, mats, prods = rest[i:i + 4]
    # The Ed25519 seed is the OCTET STRING at 16..48 of the PKCS#8 DER, in
    # v1 and v2 keys alike (some committed test keys are v2, which this
    # version of `cryptography` refuses).
    der = base64.b64decode("".join(open(key).read().split("-----")[2].split()))
    signer = CryptoSigner(Ed25519PrivateKey.from_private_bytes(der[16:48]))
    link = Link(name=step, materials=arts(mats), products=arts(prods), command=[],
                byproducts={}, environment={})
    block = Metablock(signed=link)
    block.create_signature(signer)
    with open(os.path.join(out, f"{step}.{signer.public_key.keyid[:8]}.link"), "w") as f:
        json.dump(block.to_dict(), f)
"#;

/// `cairn key gen` writes a private key (PKCS#8 v1) that Python's
/// `cryptography` loads, and whose public half is the `.pub` cairn wrote.
#[test]
fn generated_private_keys_load_in_python() {
    let dir = temp_dir("keygen");
    let prefix = dir.join("owner");
    let out = cairn(&["key", "gen", "-o", prefix.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = r#"
import sys
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
public = serialization.load_pem_public_key(open(sys.argv[1] + ".pub", "rb").read())
raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
assert key.public_key().public_bytes(*raw) == public.public_bytes(*raw)
print("ok")
"#;
    let out = Command::new(python())
        .args(["-c", script, prefix.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

fn in_toto_verify(dir: &Path) -> std::process::Output {
    Command::new(root().join(".venv/bin/in-toto-verify"))
        .args([
            "--layout",
            "root.layout",
            "--verification-keys",
            "owner.pub",
            "--link-dir",
            "links",
        ])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// `cairn compile --target in-toto` then `cairn sign --layout` makes a layout
/// that in-toto-verify 3.1.0 accepts with matching links, and refuses when a
/// link breaks a rule.
#[test]
fn compiled_and_signed_layouts_verify_with_in_toto() {
    let dir = temp_dir("compile");
    for who in ["owner", "alice", "bob"] {
        cairn(&["key", "gen", "-o", dir.join(who).to_str().unwrap()]);
    }
    let policy = dir.join("policy.cairn");
    std::fs::write(
        &policy,
        r#"layout "demo" {
  expires 2099-01-01T00:00:00Z
  key alice = file "alice.pub"
  key bob = file "bob.pub"

  step checkout {
    by alice
    materials {}
    products { create "src/*" }
  }

  step build {
    by bob
    materials { match "src/*" with products from checkout }
    products { create "bin/app" }
  }
}
"#,
    )
    .unwrap();
    let layout = cairn(&["compile", "--target", "in-toto", policy.to_str().unwrap()]);
    std::fs::write(dir.join("root.json"), &layout.stdout).unwrap();
    cairn(&[
        "sign",
        "--layout",
        "--key",
        dir.join("owner").to_str().unwrap(),
        dir.join("root.json").to_str().unwrap(),
        "-o",
        dir.join("root.layout").to_str().unwrap(),
    ]);
    let links = |build_products: &str| {
        let links = dir.join("links");
        let _ = std::fs::remove_dir_all(&links);
        std::fs::create_dir_all(&links).unwrap();
        let out = Command::new(python())
            .arg("-c")
            .arg(INTOTO_LINKS)
            .arg(&links)
            .args(["checkout", dir.join("alice").to_str().unwrap(), ""])
            .arg("src/a.c=a,src/b.c=b")
            .args([
                "build",
                dir.join("bob").to_str().unwrap(),
                "src/a.c=a,src/b.c=b",
            ])
            .arg(build_products)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };

    links("bin/app=binary");
    let out = in_toto_verify(&dir);
    assert!(
        out.status.success(),
        "in-toto-verify refused cairn's layout: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // cairn agrees on the same files.
    cairn(&[
        "verify",
        "--layout",
        dir.join("root.layout").to_str().unwrap(),
        "--layout-key",
        dir.join("owner.pub").to_str().unwrap(),
        "--links",
        dir.join("links").to_str().unwrap(),
    ]);

    // A product the policy does not allow: in-toto refuses (cairn's
    // implicit `disallow "*"` is explicit in the exported layout).
    links("bin/app=binary,bin/backdoor=x");
    let out = in_toto_verify(&dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISALLOW"));
    std::fs::remove_dir_all(&dir).unwrap();
}

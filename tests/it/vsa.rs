//! The VSA `cairn verify --vsa` writes, checked against its inputs: the
//! policy's bytes, the artifact, the attestations used, the verdict, the
//! signer's key; and its determinism for a fixed `--time`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const TIME: &str = "2026-06-01T00:00:00Z";
const POLICY: &str = "policies/release/policy.cairn";
const ARTIFACT: &str = "policies/release/artifacts/bin/foo-1.0";
const PASS: &str = "policies/release/bundles/pass.intoto.jsonl";
const FAILED_TEST: &str = "policies/release/bundles/failed-test.intoto.jsonl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-vsa-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The digest of the release policy, which imports two baselines: the
/// sha256 of the manifest `HEX  PATH` lines of its files, sorted by PATH
/// (docs/report.md, "The policy digest").
fn release_policy_digest() -> String {
    let dir = root().join("policies/release");
    let mut files = [
        "policy.cairn",
        "../baselines/slsa-l3.cairn",
        "../baselines/source-review.cairn",
    ];
    files.sort_unstable();
    let manifest: String = files
        .iter()
        .map(|f| {
            format!(
                "{}  {f}\n",
                sha256_hex(&std::fs::read(dir.join(f)).unwrap())
            )
        })
        .collect();
    let digest = sha256_hex(manifest.as_bytes());
    // The command docs/report.md gives a VSA consumer says the same.
    let shell = Command::new("bash")
        .arg("-c")
        .arg("sha256sum policy.cairn ../baselines/slsa-l3.cairn ../baselines/source-review.cairn | LC_ALL=C sort -k 2 | sha256sum")
        .current_dir(&dir)
        .output();
    if let Ok(o) = shell {
        if o.status.success() {
            let text = String::from_utf8_lossy(&o.stdout);
            assert_eq!(text.split_whitespace().next(), Some(digest.as_str()));
        }
    }
    digest
}

#[test]
fn a_policy_without_imports_is_digested_as_its_bytes() {
    let dir = scratch("no-imports");
    let text = std::fs::read_to_string(root().join(POLICY)).unwrap();
    let text = text.replace("checks review.approved", "require $.result == \"approved\"");
    let policy = dir.join("policy.cairn");
    let alone: String = text
        .lines()
        .filter(|l| !l.starts_with("import "))
        .map(|l| format!("{l}\n"))
        .collect();
    let alone = alone
        .replace("      checks review.passed\n", "")
        .replace("      checks slsa.provenance\n", "")
        .replace("      checks slsa.isolated\n", "")
        .replace("      checks slsa.hermetic\n", "");
    std::fs::write(&policy, &alone).unwrap();
    for key in ["reviewer", "tester", "ci", "ci-backup"] {
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        std::fs::copy(
            root().join(format!("policies/release/keys/{key}.pub")),
            dir.join(format!("keys/{key}.pub")),
        )
        .unwrap();
    }
    let p = cairn::Policy::from_file(&policy).unwrap();
    assert_eq!(p.sha256(), sha256_hex(alone.as_bytes()));
    let with = cairn::Policy::from_file(&root().join(POLICY)).unwrap();
    assert_eq!(with.sha256(), release_policy_digest());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cairn verify` of the release example with a VSA; returns the exit code.
fn verify_with_vsa(bundle: &str, vsa: &Path, extra: &[&str]) -> Output {
    let vsa = vsa.to_str().unwrap();
    let mut args = vec![
        "verify",
        POLICY,
        "--bundle",
        bundle,
        "--artifact",
        ARTIFACT,
        "--time",
        TIME,
        "--vsa",
        vsa,
    ];
    args.extend_from_slice(extra);
    cairn(&args)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_passing_vsa_names_the_policy_bytes_the_artifact_and_the_level() {
    let dir = scratch("pass");
    let vsa_path = dir.join("vsa.json");
    let o = verify_with_vsa(PASS, &vsa_path, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let vsa = read_json(&vsa_path);
    assert_eq!(vsa["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        vsa["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let p = &vsa["predicate"];
    assert_eq!(p["policy"]["digest"]["sha256"], release_policy_digest());
    assert_eq!(p["policy"]["uri"], POLICY);
    let artifact_bytes = std::fs::read(root().join(ARTIFACT)).unwrap();
    let subjects = vsa["subject"].as_array().unwrap();
    assert_eq!(subjects.len(), 1);
    assert_eq!(subjects[0]["digest"]["sha256"], sha256_hex(&artifact_bytes));
    assert_eq!(subjects[0]["name"], ARTIFACT);
    assert_eq!(p["resourceUri"], ARTIFACT);
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(
        p["verifiedLevels"],
        serde_json::json!(["SLSA_BUILD_LEVEL_3"])
    );
    assert_eq!(p["verifier"]["id"], "https://example.com/verifier");
    assert_eq!(p["timeVerified"], TIME);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every line of the passing bundle is used; an attestation nobody trusted
/// is not.
#[test]
fn input_attestations_list_every_attestation_used_with_its_digest() {
    let dir = scratch("inputs");
    let pass = std::fs::read_to_string(root().join(PASS)).unwrap();
    let stranger = std::fs::read_to_string(
        root().join("policies/release/bundles/unknown-reviewer.intoto.jsonl"),
    )
    .unwrap();
    let untrusted: Vec<&str> = stranger.lines().filter(|l| !pass.contains(l)).collect();
    assert_eq!(untrusted.len(), 1);
    let bundle = dir.join("mixed.intoto.jsonl");
    std::fs::write(&bundle, format!("{pass}{}\n", untrusted[0])).unwrap();
    let vsa_path = dir.join("vsa.json");
    let o = verify_with_vsa(bundle.to_str().unwrap(), &vsa_path, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let listed: BTreeSet<(String, String)> = read_json(&vsa_path)["predicate"]["inputAttestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["uri"].as_str().unwrap().to_owned(),
                a["digest"]["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = pass
        .lines()
        .enumerate()
        .map(|(i, line)| {
            (
                format!("{}:{}", bundle.display(), i + 1),
                sha256_hex(line.as_bytes()),
            )
        })
        .collect();
    assert_eq!(listed, expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_signed_vsa_verifies_with_the_signers_public_key_only() {
    let dir = scratch("signed");
    let prefix = dir.join("verifier");
    let o = cairn(&["key", "gen", "-o", prefix.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let public = format!("{}.pub", prefix.display());
    let signed = dir.join("vsa.intoto.jsonl");
    let o = verify_with_vsa(PASS, &signed, &["--vsa-key", prefix.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = cairn(&[
        "verify-envelope",
        signed.to_str().unwrap(),
        "--key",
        &public,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let other = "policies/release/keys/ci.pub";
    let o = cairn(&["verify-envelope", signed.to_str().unwrap(), "--key", other]);
    assert_eq!(o.status.code(), Some(1));

    // The payload is exactly the unsigned VSA of the same run.
    let unsigned = dir.join("vsa.json");
    verify_with_vsa(PASS, &unsigned, &[]);
    let envelope = read_json(&signed);
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let unsigned_bytes = std::fs::read(&unsigned).unwrap();
    assert_eq!(payload.as_slice(), unsigned_bytes.trim_ascii_end());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_runs_at_the_same_time_write_identical_vsas() {
    let dir = scratch("determinism");
    let key = "policies/release/keys/ci.key";
    for (name, extra) in [("plain", vec![]), ("signed", vec!["--vsa-key", key])] {
        let a = dir.join(format!("{name}-a"));
        let b = dir.join(format!("{name}-b"));
        assert_eq!(verify_with_vsa(PASS, &a, &extra).status.code(), Some(0));
        assert_eq!(verify_with_vsa(PASS, &b, &extra).status.code(), Some(0));
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_verification_writes_a_failed_vsa_and_exits_1() {
    let dir = scratch("failed");
    let vsa_path = dir.join("vsa.json");
    let o = verify_with_vsa(FAILED_TEST, &vsa_path, &[]);
    assert_eq!(o.status.code(), Some(1));
    let vsa = read_json(&vsa_path);
    let p = &vsa["predicate"];
    assert_eq!(p["verificationResult"], "FAILED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["FAILED"]));
    assert!(!std::fs::read_to_string(&vsa_path)
        .unwrap()
        .contains("PASSED"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A VSA says which artifact it is about: without one, cairn refuses
/// (exit 2) and writes nothing.
#[test]
fn a_vsa_without_an_artifact_is_refused() {
    let dir = scratch("no-artifact");
    let vsa_path = dir.join("vsa.json");
    let o = cairn(&[
        "verify",
        POLICY,
        "--bundle",
        PASS,
        "--time",
        TIME,
        "--vsa",
        vsa_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E458"));
    assert!(o.stdout.is_empty(), "refused before any verdict");
    assert!(!vsa_path.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run that stops before a verdict leaves no VSA behind, not even the
/// PASSED one an earlier run wrote at the same path.
#[test]
fn a_run_that_cannot_evaluate_removes_an_old_vsa() {
    let dir = scratch("stale");
    let vsa_path = dir.join("vsa.json");
    assert_eq!(verify_with_vsa(PASS, &vsa_path, &[]).status.code(), Some(0));
    assert!(vsa_path.exists());
    let broken = dir.join("broken.intoto.jsonl");
    std::fs::write(&broken, "{not json\n").unwrap();
    let o = verify_with_vsa(broken.to_str().unwrap(), &vsa_path, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!vsa_path.exists(), "an old VSA survived a failed run");
    let _ = std::fs::remove_dir_all(&dir);
}

const FIXTURES: &str = "tests/fixtures/in-toto-python";
const NO_ARTIFACT: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// A classic layout its owner did not sign fails before any verdict; the
/// VSA asked for says FAILED and names the layout's exact bytes, and the
/// JSON report keeps the documented schema.
#[test]
fn a_layout_nobody_trusted_signed_writes_a_failed_vsa() {
    let dir = scratch("unsigned-layout");
    let vsa_path = dir.join("vsa.json");
    let layout = format!("{FIXTURES}/pass/root.layout");
    let o = cairn(&[
        "verify",
        "--layout",
        &layout,
        "--layout-key",
        "policies/release/keys/ci.pub",
        "--links",
        &format!("{FIXTURES}/pass"),
        "--subject",
        NO_ARTIFACT,
        "--time",
        TIME,
        "--format",
        "json",
        "--vsa",
        vsa_path.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["schemaVersion"], 1);
    assert_eq!(report["verdict"], "FAIL");
    assert_eq!(report["counts"]["deny"], 1);
    assert_eq!(report["findings"][0]["code"], "V190");
    assert!(report.get("schema").is_none());

    let vsa = read_json(&vsa_path);
    let p = &vsa["predicate"];
    assert_eq!(p["verificationResult"], "FAILED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["FAILED"]));
    assert_eq!(p["inputAttestations"], serde_json::json!([]));
    assert_eq!(p["policy"]["uri"], layout.as_str());
    let bytes = std::fs::read(root().join(&layout)).unwrap();
    assert_eq!(p["policy"]["digest"]["sha256"], sha256_hex(&bytes));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `policy.uri` is the file as named, also for a layout inside a DSSE
/// envelope (whose diagnostics name the payload).
#[test]
fn the_policy_uri_of_a_dsse_layout_is_its_path() {
    let dir = scratch("dsse-layout");
    let vsa_path = dir.join("vsa.json");
    let case = format!("{FIXTURES}/pass-dsse");
    let layout = format!("{case}/root.layout");
    let o = cairn(&[
        "verify",
        "--layout",
        &layout,
        "--layout-key",
        &format!("{case}/owner.pub"),
        "--links",
        &case,
        "--subject",
        NO_ARTIFACT,
        "--time",
        TIME,
        "--vsa",
        vsa_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let p = &read_json(&vsa_path)["predicate"];
    assert_eq!(p["policy"]["uri"], layout.as_str());
    let bytes = std::fs::read(root().join(&layout)).unwrap();
    assert_eq!(p["policy"]["digest"]["sha256"], sha256_hex(&bytes));
    let _ = std::fs::remove_dir_all(&dir);
}

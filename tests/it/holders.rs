//! Documents that hold attestations (npm's attestations document, gcloud's
//! provenance output), Sigstore bundles given to `verify-envelope`, Cloud
//! Build's legacy signing, a signature's `cert` member and a Statement's
//! `type` alias. All data is made here: keys fixed in the test or from
//! tests/keys, bundles from the private instance (tests/sigstore/cases).

use std::path::{Path, PathBuf};

use cairn_evidence::dsse::{b64_encode, INTOTO_PAYLOAD_TYPE};
use cairn_evidence::{sign_dsse, SigningKey};
use serde_json::{json, Value};

const V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

fn p256(seed: u8) -> SigningKey {
    SigningKey::EcdsaP256(p256::ecdsa::SigningKey::from_bytes(&[seed; 32].into()).unwrap())
}

fn tests_key(name: &str) -> SigningKey {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-holders-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn statement(type_member: &str) -> Value {
    json!({
        type_member: "https://in-toto.io/Statement/v1",
        "subject": [{"name": "bin/app", "digest": {"sha256": "ab".repeat(32)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://example.com/make"}},
    })
}

fn envelope(key: &SigningKey, payload: &Value) -> Value {
    sign_dsse(INTOTO_PAYLOAD_TYPE, payload.to_string().as_bytes(), key).to_json()
}

/// A bundle of a managed key (npm's publish attestations have this shape):
/// a DSSE envelope and a public key hint; no log entry, which
/// `verify-envelope` does not check.
fn managed_bundle(key: &SigningKey) -> Value {
    json!({
        "mediaType": V03,
        "verificationMaterial": {"publicKey": {"hint": "npm-like"}, "tlogEntries": []},
        "dsseEnvelope": envelope(key, &statement("_type")),
    })
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = crate::cairn_in(dir, args);
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn case_bundle(case: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sigstore/cases")
        .join(case)
        .join("bundle.sigstore.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `verify-envelope` on npm's attestations document: each bundle's envelope
/// is checked against the key; the publish one verifies, the keyless
/// provenance one does not (its key is in its certificate); the output says
/// what a bundle's signature check leaves out.
#[test]
fn verify_envelope_reads_an_npm_attestations_document() {
    let dir = scratch("npm-envelope");
    let registry = p256(7);
    write(&dir, "registry.pub", &registry.public_pem().unwrap());
    let holder = json!({"attestations": [
        {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", "bundle": managed_bundle(&registry)},
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": case_bundle("dsse_provenance_v03")},
    ]});
    write(&dir, "app-1.0.0.tgz.json", &holder.to_string());
    let mut all = run(
        &dir,
        &[
            "verify-envelope",
            "app-1.0.0.tgz.json",
            "--key",
            "registry.pub",
        ],
    );
    all += &run(
        &dir,
        &[
            "verify-envelope",
            "app-1.0.0.tgz.json",
            "--key",
            "registry.pub",
            "--format",
            "json",
        ],
    );
    // The publish bundle signed by another key: nothing verifies.
    let holder = json!({"attestations": [
        {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", "bundle": managed_bundle(&p256(8))},
    ]});
    write(&dir, "other.tgz.json", &holder.to_string());
    all += &run(
        &dir,
        &["verify-envelope", "other.tgz.json", "--key", "registry.pub"],
    );
    // A refused entry names its path (E340), and a bundle's own shape (E330).
    write(&dir, "empty.json", r#"{"attestations": []}"#);
    all += &run(
        &dir,
        &["verify-envelope", "empty.json", "--key", "registry.pub"],
    );
    let mut two = managed_bundle(&registry);
    two["dsseEnvelope"]["signatures"] = json!([{"sig": "AA=="}, {"sig": "AA=="}]);
    write(
        &dir,
        "two.json",
        &json!({"attestations": [{"bundle": two}]}).to_string(),
    );
    all += &run(
        &dir,
        &["verify-envelope", "two.json", "--key", "registry.pub"],
    );
    insta::assert_snapshot!("holders-npm-verify-envelope", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `verify-envelope` on a Sigstore bundle alone and on its `.intoto.jsonl`
/// line form: the envelope's signature against the key only. A managed
/// key's message signature is checked over the digest the bundle states
/// (P-256); an Ed25519 one cannot be, without the artifact (E341).
#[test]
fn verify_envelope_checks_a_bundles_signature_only() {
    let dir = scratch("bundle-envelope");
    let key = p256(7);
    write(&dir, "key.pub", &key.public_pem().unwrap());
    let bundle = managed_bundle(&key);
    write(&dir, "app.sigstore.json", &bundle.to_string());
    write(&dir, "app.intoto.jsonl", &format!("{bundle}\n"));
    let mut all = run(
        &dir,
        &["verify-envelope", "app.sigstore.json", "--key", "key.pub"],
    );
    all += &run(
        &dir,
        &["verify-envelope", "app.intoto.jsonl", "--key", "key.pub"],
    );
    // Two lines, one by another key: each is reported.
    write(
        &dir,
        "two.intoto.jsonl",
        &format!("{bundle}\n\n{}\n", managed_bundle(&p256(8))),
    );
    all += &run(
        &dir,
        &["verify-envelope", "two.intoto.jsonl", "--key", "key.pub"],
    );
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigstore/cases");
    all += &run(
        &cases,
        &[
            "verify-envelope",
            "managed_key/bundle.sigstore.json",
            "--key",
            "managed_key/key.pub",
        ],
    );
    all += &run(
        &cases,
        &[
            "verify-envelope",
            "managed_key/bundle.sigstore.json",
            "--key",
            "managed_key_ed25519_message/key.pub",
            "--key",
            "managed_key/key.pub",
        ],
    );
    all += &run(
        &cases,
        &[
            "verify-envelope",
            "managed_key_ed25519_message/bundle.sigstore.json",
            "--key",
            "managed_key_ed25519_message/key.pub",
        ],
    );
    insta::assert_snapshot!("holders-bundle-verify-envelope", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// gcloud's provenance output: each `provenance_summary.provenance[].envelope`
/// is read; a signature over sha256(payload) instead of the DSSE PAE (Cloud
/// Build's legacy regional signing) is refused and named as such.
#[test]
fn cloud_build_output_and_its_legacy_signing() {
    let dir = scratch("gcb");
    let key = p256(7);
    write(&dir, "provenance.pub", &key.public_pem().unwrap());
    let payload = statement("_type");
    let pae = envelope(&key, &payload);
    let legacy_sig = key.sign(payload.to_string().as_bytes());
    let mut legacy = pae.clone();
    legacy["signatures"] = json!([{
        "keyid": "projects/p/locations/us-central1/keyRings/k/cryptoKeys/provenanceSigner/cryptoKeyVersions/1",
        "sig": b64_encode(&legacy_sig),
    }]);
    let output = |envelopes: Vec<Value>| {
        json!({
            "image_summary": {"digest": format!("sha256:{}", "ab".repeat(32))},
            "provenance_summary": {"provenance": envelopes.into_iter().map(|e| json!({
                "build": {"intotoStatement": payload},
                "envelope": e,
                "kind": "BUILD",
            })).collect::<Vec<_>>()},
        })
        .to_string()
    };
    write(&dir, "gcloud.json", &output(vec![pae.clone()]));
    write(&dir, "legacy.json", &output(vec![legacy]));
    let mut all = run(
        &dir,
        &["verify-envelope", "gcloud.json", "--key", "provenance.pub"],
    );
    all += &run(
        &dir,
        &["verify-envelope", "legacy.json", "--key", "provenance.pub"],
    );
    insta::assert_snapshot!("holders-gcb-verify-envelope", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn verify --bundle` reads each entry of a holder as the document it
/// holds: gcloud's envelopes against the policy's keys, npm's bundles
/// against the trusted root and identities.
#[test]
fn verify_reads_holders_entry_by_entry() {
    let dir = scratch("verify");
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    let bob = tests_key("bob");
    write(&dir, "keys/bob.pub", &bob.public_pem().unwrap());
    write(
        &dir,
        "policy.cairn",
        "layout \"gcb\" {\n  expires 2030-01-01T00:00:00Z\n  key bob = file \"keys/bob.pub\"\n  step build {\n    by bob\n    attestation slsa-provenance/v1 {\n      require $.buildDefinition.buildType == \"https://example.com/make\"\n    }\n  }\n}\n",
    );
    let output = json!({"provenance_summary": {"provenance": [
        {"envelope": envelope(&bob, &statement("_type"))},
    ]}});
    write(&dir, "gcloud.json", &output.to_string());
    let mut all = run(
        &dir,
        &[
            "verify",
            "policy.cairn",
            "--bundle",
            "gcloud.json",
            "--time",
            "2026-06-01T00:00:00Z",
        ],
    );
    // The same Statement with `type` for `_type` (its protobuf name).
    let output = json!({"provenance_summary": {"provenance": [
        {"envelope": envelope(&bob, &statement("type"))},
    ]}});
    write(&dir, "alias.json", &output.to_string());
    all += &run(
        &dir,
        &[
            "verify",
            "policy.cairn",
            "--bundle",
            "alias.json",
            "--time",
            "2026-06-01T00:00:00Z",
        ],
    );
    // Both spellings at once: refused like a duplicate member.
    let mut both = statement("_type");
    both["type"] = json!("https://in-toto.io/Statement/v1");
    write(&dir, "both.json", &envelope(&bob, &both).to_string());
    all += &run(
        &dir,
        &[
            "verify",
            "policy.cairn",
            "--bundle",
            "both.json",
            "--time",
            "2026-06-01T00:00:00Z",
        ],
    );
    // npm's document: the keyless provenance bundle counts for the identity.
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigstore/cases");
    std::fs::copy(
        cases.join("dsse_provenance_v03/trusted_root.json"),
        dir.join("trusted_root.json"),
    )
    .unwrap();
    write(
        &dir,
        "npm.cairn",
        "layout \"npm\" {\n  trust-root \"trusted_root.json\"\n  identity app = sigstore {\n    issuer \"https://token.actions.githubusercontent.com\"\n    repo \"acme/app\"\n  }\n  step build {\n    by app\n    attestation slsa-provenance/v1 { products { create \"app-*.tar.gz\" } }\n  }\n}\n",
    );
    let holder = json!({"attestations": [
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": case_bundle("dsse_provenance_v03")},
    ]});
    write(&dir, "app.tgz.json", &holder.to_string());
    all += &run(
        &dir,
        &[
            "verify",
            "npm.cairn",
            "--bundle",
            "app.tgz.json",
            "--time",
            "2026-06-01T00:00:00Z",
        ],
    );
    insta::assert_snapshot!("holders-verify", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// slsa-github-generator v1 signatures carry their Fulcio certificate as
/// `cert`: the member is accepted and not used; the key decides.
#[test]
fn a_signatures_cert_member_is_accepted_and_not_used() {
    let dir = scratch("cert");
    let key = p256(7);
    write(&dir, "key.pub", &key.public_pem().unwrap());
    write(&dir, "other.pub", &p256(8).public_pem().unwrap());
    let mut env = envelope(&key, &statement("_type"));
    env["signatures"][0]["cert"] =
        json!("-----BEGIN CERTIFICATE-----\nnot checked\n-----END CERTIFICATE-----\n");
    write(&dir, "gen.intoto.jsonl", &format!("{env}\n"));
    let mut all = run(
        &dir,
        &["verify-envelope", "gen.intoto.jsonl", "--key", "key.pub"],
    );
    all += &run(
        &dir,
        &["verify-envelope", "gen.intoto.jsonl", "--key", "other.pub"],
    );
    env["signatures"][0]["cert"] = json!(1);
    write(&dir, "bad.json", &env.to_string());
    all += &run(&dir, &["verify-envelope", "bad.json", "--key", "key.pub"]);
    insta::assert_snapshot!("holders-cert-member", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Properties of verification at the bundle level, through the library
//! (`cairn_evidence::load` + `cairn_evidence::verify` + `cairn_eval::evaluate`, as `cairn
//! verify` runs them): the order of a bundle's lines never changes the
//! verdict, and no single mutation of a passing example bundle passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use base64::Engine as _;
use cairn_eval::{Input, Inspections};
use cairn_evidence::{DigestSet, Limits, SigningKey};
use cairn_lang::ir::Layout;
use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// 2026-06-01T00:00:00Z, the time the example cases are verified at.
const NOW: i64 = 1_780_272_000;

/// A passing example: its policy (instantiated), its bundle's lines, its artifact.
struct Example {
    layout: Layout,
    lines: Vec<String>,
    artifact: DigestSet,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str, params: &[(&str, &str)], artifact: &str) -> Example {
    let dir = root().join("policies").join(name);
    let (_, layout) = cairn_lang::lower::compile_file(&dir.join("policy.cairn")).unwrap();
    let values: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let layout = cairn_eval::instantiate(&layout, &values).unwrap();
    let text = std::fs::read_to_string(dir.join("bundles/pass.intoto.jsonl")).unwrap();
    let bytes = std::fs::read(dir.join(artifact)).unwrap();
    Example {
        layout,
        lines: text.lines().map(str::to_owned).collect(),
        artifact: DigestSet::from([("sha256".to_owned(), hex::encode(Sha256::digest(bytes)))]),
    }
}

/// The passing examples, compiled once for all cases.
fn examples() -> &'static [Example] {
    static EXAMPLES: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        vec![
            example("release", &[], "artifacts/bin/foo-1.0"),
            example("threshold", &[], "artifacts/out/app"),
            example(
                "params",
                &[("component", "widget")],
                "artifacts/dist/widget-1.0.0.tar.gz",
            ),
        ]
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Pass,
    /// The finding codes, in order.
    Fail(Vec<String>),
    /// The bundle could not be read (an `E3xx` error).
    InputError,
}

fn scratch_file() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "cairn-bundle-props-{}-{n}.intoto.jsonl",
        std::process::id()
    ))
}

/// Verifies `lines` as one bundle against the example's policy.
fn outcome(ex: &Example, lines: &[String]) -> Outcome {
    let path = scratch_file();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let loaded = cairn_evidence::load(std::slice::from_ref(&path), &Limits::default());
    let _ = std::fs::remove_file(&path);
    let errors = loaded
        .problems
        .iter()
        .any(|p| miette::Diagnostic::severity(p) != Some(miette::Severity::Warning));
    if errors {
        return Outcome::InputError;
    }
    let keys: Vec<cairn_evidence::TrustedKey> = ex
        .layout
        .keys
        .iter()
        .map(|key| {
            let public = if key.keytype == "ed25519" {
                cairn_evidence::keys::PublicKey::from_ed25519_hex(&key.public)
            } else {
                cairn_evidence::keys::PublicKey::from_pem(&key.public)
            }
            .unwrap();
            let scheme = cairn_evidence::Scheme::parse(&key.scheme, &public).unwrap();
            cairn_evidence::TrustedKey::new(public, scheme, key.name.clone())
        })
        .collect();
    let (verified, _rejected) = cairn_evidence::verify(loaded.items, &keys);
    let verdict = cairn_eval::evaluate(&Input {
        layout: &ex.layout,
        attestations: &verified,
        now: NOW,
        artifact: Some(&ex.artifact),
        inspections: Inspections::NotRun,
    });
    if verdict.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail(
            verdict
                .findings
                .iter()
                .map(|f| f.code.to_string())
                .collect(),
        )
    }
}

fn envelope(line: &str) -> Value {
    serde_json::from_str(line).unwrap()
}

fn payload(env: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap()
}

fn with_payload(env: &Value, payload: &[u8]) -> String {
    let mut env = env.clone();
    env["payload"] = Value::String(base64::engine::general_purpose::STANDARD.encode(payload));
    env.to_string()
}

fn signing_key(path: &Path) -> SigningKey {
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The positions of every sha256 digest (64 lowercase hex digits in a
/// `"sha256"` member) inside a payload.
fn digest_positions(payload: &[u8]) -> Vec<usize> {
    let needle = b"\"sha256\":\"";
    payload
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i + needle.len())
        .collect()
}

#[test]
fn every_example_passes_unmutated() {
    for ex in examples() {
        assert_eq!(outcome(ex, &ex.lines), Outcome::Pass);
    }
}

/// Dropping any one line, or removing any one line's signatures, fails.
#[test]
fn dropping_a_line_or_its_signatures_never_passes() {
    for ex in examples() {
        for i in 0..ex.lines.len() {
            let mut dropped = ex.lines.clone();
            dropped.remove(i);
            assert_ne!(
                outcome(ex, &dropped),
                Outcome::Pass,
                "line {} dropped",
                i + 1
            );

            let mut unsigned = ex.lines.clone();
            let mut env = envelope(&unsigned[i]);
            env["signatures"] = serde_json::json!([]);
            unsigned[i] = env.to_string();
            assert_ne!(
                outcome(ex, &unsigned),
                Outcome::Pass,
                "line {} unsigned",
                i + 1
            );
        }
    }
}

fn shuffled_example() -> impl Strategy<Value = (usize, Vec<usize>)> {
    (0usize..3).prop_flat_map(|e| {
        let n = examples()[e].lines.len();
        (Just(e), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The order of the lines never changes the verdict, nor the findings of
    /// a failing bundle.
    #[test]
    fn shuffling_lines_never_changes_the_outcome((e, order) in shuffled_example()) {
        let ex = &examples()[e];
        let shuffled: Vec<String> = order.iter().map(|&i| ex.lines[i].clone()).collect();
        prop_assert_eq!(outcome(ex, &shuffled), Outcome::Pass);

        // A failing variant: the first line in original order dropped.
        let failing: Vec<String> = ex.lines[1..].to_vec();
        let shuffled_failing: Vec<String> = order
            .iter()
            .filter(|&&i| i != 0)
            .map(|&i| ex.lines[i].clone())
            .collect();
        prop_assert_eq!(outcome(ex, &shuffled_failing), outcome(ex, &failing));
    }

    /// Flipping any bits of any one byte of one payload fails.
    #[test]
    fn flipping_a_payload_byte_never_passes(
        e in 0usize..3,
        line in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let ex = &examples()[e];
        let i = line.index(ex.lines.len());
        let env = envelope(&ex.lines[i]);
        let mut bytes = payload(&env);
        let j = at.index(bytes.len());
        bytes[j] ^= mask;
        let mut lines = ex.lines.clone();
        lines[i] = with_payload(&env, &bytes);
        prop_assert_ne!(outcome(ex, &lines), Outcome::Pass);
    }

    /// Changing one digest inside a payload and re-signing it with a key the
    /// step does not authorise fails: a key the policy does not know, or a
    /// policy key of another step.
    #[test]
    fn a_changed_digest_re_signed_by_an_unauthorised_key_never_passes(
        e in 0usize..3,
        line in any::<prop::sample::Index>(),
        which in any::<prop::sample::Index>(),
        digit in 0usize..64,
        stranger in any::<bool>(),
    ) {
        let ex = &examples()[e];
        let i = line.index(ex.lines.len());
        let env = envelope(&ex.lines[i]);
        let mut bytes = payload(&env);
        let positions = digest_positions(&bytes);
        prop_assume!(!positions.is_empty());
        let j = positions[which.index(positions.len())] + digit;
        bytes[j] = if bytes[j] == b'0' { b'1' } else { b'0' };
        let key = unauthorised_key(e, &bytes, stranger);
        let signed = cairn_evidence::sign_dsse(env["payloadType"].as_str().unwrap(), &bytes, &key);
        let mut lines = ex.lines.clone();
        lines[i] = signed.to_line();
        prop_assert_ne!(outcome(ex, &lines), Outcome::Pass);
    }
}

/// A key not authorised for the step whose attestation `payload` is: one
/// from another example (unknown to the policy), or a policy key of another
/// step.
fn unauthorised_key(example: usize, payload: &[u8], stranger: bool) -> SigningKey {
    let policies = root().join("policies");
    if stranger {
        return signing_key(&policies.join("classic/keys/carl.key"));
    }
    let text = String::from_utf8_lossy(payload);
    let is_link = text.contains("attestation/link/v0.3");
    let names_build = text.contains("\"name\":\"build\"");
    let key = match (example, is_link, names_build) {
        // release: alice signs the checkout link, other keys the rest.
        (0, true, _) => "release/keys/tester.key",
        (0, false, _) => "release/keys/alice.key",
        // threshold: the owner signs the checkout, the CI keys the builds.
        (1, _, true) => "threshold/keys/owner.key",
        (1, _, false) => "threshold/keys/ci-1.key",
        // params: dev signs the source link, ci the provenance.
        (_, true, _) => "params/keys/ci.key",
        (_, false, _) => "params/keys/dev.key",
    };
    signing_key(&policies.join(key))
}

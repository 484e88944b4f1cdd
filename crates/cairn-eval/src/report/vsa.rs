//! The SLSA Verification Summary Attestation (VSA v1) that `cairn verify --vsa`
//! writes: an in-toto Statement v1, deterministic for a fixed clock.
//!
//! This module only builds the Statement; signing it into a DSSE envelope is
//! `evidence`'s job. A FAILED verdict always yields `verificationResult:
//! FAILED` and no verified levels but `FAILED` (DESIGN "Outcomes").

use serde_json::{json, Value};

use cairn_evidence::predicates::VSA_V1;
use cairn_evidence::DigestSet;

/// Everything a VSA says; the caller gathers it from the policy, the verdict
/// and the command line.
#[derive(Debug, Clone)]
pub struct VsaInput {
    /// The verified artifact's name (the subject's `name`).
    pub artifact_name: String,
    /// The verified artifact's digests (the subject's `digest`).
    pub artifact_digest: DigestSet,
    /// `resourceUri`: the artifact as it was requested.
    pub resource_uri: String,
    /// `policy.uri`: where the policy lives.
    pub policy_uri: String,
    /// sha256 (hex) of the exact policy bytes.
    pub policy_sha256: String,
    /// Every attestation used: its location and the sha256 of its exact bytes.
    pub inputs: Vec<(String, String)>,
    /// True only when every check passed.
    pub passed: bool,
    /// `verifiedLevels` from the policy's summary (used only when `passed`).
    pub levels: Vec<String>,
    /// `verifier.id` from the policy's summary.
    pub verifier_id: String,
    /// `timeVerified`: the evaluation clock, RFC 3339 UTC.
    pub time_verified: String,
}

/// Builds the VSA Statement. Keys are emitted in sorted order and inputs in
/// sorted order, so equal inputs give byte-identical JSON.
pub fn statement(input: &VsaInput) -> Value {
    let mut inputs = input.inputs.clone();
    inputs.sort();
    inputs.dedup();
    let input_attestations: Vec<Value> = inputs
        .iter()
        .map(|(uri, sha256)| json!({ "uri": uri, "digest": { "sha256": sha256 } }))
        .collect();
    let (result, levels) = if input.passed {
        ("PASSED", input.levels.clone())
    } else {
        ("FAILED", vec!["FAILED".to_string()])
    };
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": input.artifact_name, "digest": input.artifact_digest }],
        "predicateType": VSA_V1,
        "predicate": {
            "verifier": {
                "id": input.verifier_id,
                "version": { "cairn": env!("CARGO_PKG_VERSION") },
            },
            "timeVerified": input.time_verified,
            "resourceUri": input.resource_uri,
            "policy": { "uri": input.policy_uri, "digest": { "sha256": input.policy_sha256 } },
            "inputAttestations": input_attestations,
            "verificationResult": result,
            "verifiedLevels": levels,
            "slsaVersion": "1.0",
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(passed: bool) -> VsaInput {
        VsaInput {
            artifact_name: "foo".into(),
            artifact_digest: DigestSet::from([("sha256".into(), "ab".repeat(32))]),
            resource_uri: "foo".into(),
            policy_uri: "policy.cairn".into(),
            policy_sha256: "cd".repeat(32),
            inputs: vec![
                ("b.jsonl:2".into(), "02".into()),
                ("a.jsonl:1".into(), "01".into()),
            ],
            passed,
            levels: vec!["SLSA_BUILD_LEVEL_3".into()],
            verifier_id: "https://example.com/verifier".into(),
            time_verified: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn passed_vsa_carries_levels_and_sorted_inputs() {
        let v = statement(&input(true));
        assert_eq!(v["predicate"]["verificationResult"], "PASSED");
        assert_eq!(v["predicate"]["verifiedLevels"][0], "SLSA_BUILD_LEVEL_3");
        assert_eq!(v["predicate"]["inputAttestations"][0]["uri"], "a.jsonl:1");
        assert_eq!(v["subject"][0]["digest"]["sha256"], "ab".repeat(32));
    }

    #[test]
    fn failed_vsa_never_claims_levels() {
        let v = statement(&input(false));
        assert_eq!(v["predicate"]["verificationResult"], "FAILED");
        assert_eq!(v["predicate"]["verifiedLevels"], json!(["FAILED"]));
    }
}

//! Data-driven evaluation cases: every `tests/cases/eval/{ok,err}/*.json`
//! holds a policy text, its IR (spans written as text anchors into the
//! policy), the verified evidence and the clock; the rendered human and JSON
//! reports are snapshotted. `ok/` cases must pass, `err/` cases must fail.
//!
//! These run as unit tests because a `Verified` attestation can only be built
//! inside the crate (outside `evidence`, only under `cfg(test)`).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{evaluate, Input, Inspections};
use cairn_base::source::SourceFile;
use cairn_evidence::model::Subject;
use cairn_evidence::{Attestation, Body, DigestSet, Link, Origin, Statement, Verified};
use cairn_lang::ir::{InspectionId, Layout};

/// Replaces every `"span": "anchor"` by the byte range of the anchor's first
/// occurrence in `text` (`"anchor@@N"`: the N-th occurrence).
fn resolve_spans(value: &mut Value, text: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "span" {
                    if let Value::String(anchor) = v {
                        let (needle, nth) = match anchor.rsplit_once("@@") {
                            Some((n, k)) => (n.to_string(), k.parse::<usize>().unwrap()),
                            None => (anchor.clone(), 1),
                        };
                        let start = text
                            .match_indices(&needle)
                            .nth(nth - 1)
                            .unwrap_or_else(|| panic!("anchor `{needle}` not in the policy"))
                            .0;
                        *v = json!({"start": start, "end": start + needle.len()});
                        continue;
                    }
                }
                resolve_spans(v, text);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_spans(v, text)),
        _ => {}
    }
}

fn digests(v: &Value) -> DigestSet {
    serde_json::from_value(v.clone()).unwrap()
}

fn artifacts(v: Option<&Value>) -> cairn_evidence::Artifacts {
    v.map(|v| serde_json::from_value(v.clone()).unwrap())
        .unwrap_or_default()
}

fn link(v: &Value) -> Link {
    Link {
        name: v["name"].as_str().unwrap().to_string(),
        command: serde_json::from_value(v.get("command").cloned().unwrap_or(json!([]))).unwrap(),
        materials: artifacts(v.get("materials")),
        products: artifacts(v.get("products")),
        byproducts: v.get("byproducts").cloned().unwrap_or(json!({})),
        environment: json!({}),
    }
}

fn attestation(v: &Value) -> Verified<Attestation> {
    let body = if let Some(l) = v.get("link") {
        Body::Link(link(l))
    } else {
        let s = &v["statement"];
        Body::Statement(Statement {
            statement_type: "https://in-toto.io/Statement/v1".into(),
            subjects: s["subject"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| Subject {
                    name: d["name"].as_str().unwrap().to_string(),
                    digest: digests(&d["digest"]),
                })
                .collect(),
            predicate_type: s["predicateType"].as_str().unwrap().to_string(),
            predicate: s.get("predicate").cloned().unwrap_or(json!({})).into(),
        })
    };
    let sha = hex::encode(Sha256::digest(v.to_string().as_bytes()));
    let origin = Origin {
        file: v["file"].as_str().unwrap().to_string(),
        line: v.get("line").and_then(Value::as_u64).map(|l| l as usize),
        entry: None,
    };
    let signers = serde_json::from_value(v["signers"].clone()).unwrap();
    Verified::assume_verified(
        Attestation {
            origin,
            sha256: sha,
            body,
            sigstore: None,
        },
        signers,
    )
}

#[test]
fn eval_cases() {
    insta::glob!("../../../../tests/cases/eval", "*/*.json", |path| {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text = case["policy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{}\n", l.as_str().unwrap()))
            .collect::<String>();
        let mut ir = case["layout"].clone();
        resolve_spans(&mut ir, &text);
        let layout: Layout = serde_json::from_value(ir).unwrap();
        let layout = crate::instantiate(&layout, &BTreeMap::new()).unwrap();
        let atts: Vec<_> = case["attestations"]
            .as_array()
            .unwrap()
            .iter()
            .map(attestation)
            .collect();
        let artifact = case.get("artifact").filter(|a| !a.is_null()).map(digests);
        let ran: Option<BTreeMap<InspectionId, Link>> =
            case.get("inspections").and_then(Value::as_object).map(|m| {
                m.iter()
                    .map(|(k, v)| (InspectionId(k.parse().unwrap()), link(v)))
                    .collect()
            });
        let verdict = evaluate(&Input {
            layout: &layout,
            attestations: &atts,
            now: case["now"].as_i64().unwrap(),
            artifact: artifact.as_ref(),
            inspections: ran.as_ref().map_or(Inspections::NotRun, Inspections::Ran),
        });
        let expect_pass = path.parent().unwrap().ends_with("ok");
        assert_eq!(verdict.passed(), expect_pass, "{}", path.display());
        let source = SourceFile::new("policy.cairn", text);
        let human = super::human(&verdict, &source, false);
        let forging =
            |c: char| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c);
        assert!(
            !human.chars().any(forging),
            "unescaped evidence in {}",
            path.display()
        );
        let out = format!(
            "{human}\n---- json ----\n{}",
            super::json(&verdict, Some(&source))
        );
        insta::assert_snapshot!(out);
    });
}

//! Parameter instantiation and evidence-free evaluation through the public
//! API, as data: each `tests/cases/instantiate/{ok,err}/*.json` holds a policy
//! text, its IR (spans written as text anchors into the policy) and parameter
//! values. `ok` cases snapshot the instantiated templates and the report of an
//! evaluation without evidence (which must fail closed); `err` cases snapshot
//! the rendered missing-parameter findings.
//!
//! Cases with verified evidence live in `tests/cases/eval/` and run as unit
//! tests of `report`, since only the crate can build verified attestations.

use std::collections::BTreeMap;

use cairn_base::source::SourceFile;
use cairn_eval::{evaluate, instantiate, Finding, Input, Inspections};
use cairn_lang::ir::Layout;
use serde_json::{json, Value};

/// Replaces every `"span": "anchor"` with the byte range of its first
/// occurrence in `text` (`"anchor@@N"`: the N-th).
fn resolve_spans(value: &mut Value, text: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if let (true, Value::String(anchor)) = (key == "span", &*v) {
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
                } else {
                    resolve_spans(v, text);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_spans(v, text)),
        _ => {}
    }
}

/// The template-bearing parts of an instantiated layout.
fn templates(layout: &Layout) -> Value {
    let steps: Vec<Value> = layout
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "command": s.command.as_ref().map(|c| &c.argv),
                "materials": s.materials.as_ref().map(|l| l.rules.iter().map(|r| &r.kind).collect::<Vec<_>>()),
                "products": s.products.as_ref().map(|l| l.rules.iter().map(|r| &r.kind).collect::<Vec<_>>()),
                "attestations": s.attestations.iter().map(|a| json!({
                    "materials": a.materials.as_ref().map(|l| l.rules.iter().map(|r| &r.kind).collect::<Vec<_>>()),
                    "products": a.products.as_ref().map(|l| l.rules.iter().map(|r| &r.kind).collect::<Vec<_>>()),
                    "checks": a.checks.iter().map(|c| &c.test).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let inspections: Vec<Value> = layout
        .inspections
        .iter()
        .map(|i| json!({"name": i.name, "run": i.run.argv}))
        .collect();
    json!({"steps": steps, "inspections": inspections})
}

#[test]
fn instantiate_cases() {
    insta::glob!("../cases/instantiate", "*/*.json", |path| {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text: String = case["policy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{}\n", l.as_str().unwrap()))
            .collect();
        let mut ir = case["layout"].clone();
        resolve_spans(&mut ir, &text);
        let layout: Layout = serde_json::from_value(ir).unwrap();
        let params: BTreeMap<String, String> =
            serde_json::from_value(case["params"].clone()).unwrap();
        let source = SourceFile::new("policy.cairn", text);
        let expect_ok = path.parent().unwrap().ends_with("ok");
        let out = match instantiate(&layout, &params) {
            Ok(done) => {
                assert!(expect_ok, "{} should fail", path.display());
                let verdict = evaluate(&Input {
                    layout: &done,
                    attestations: &[],
                    now: 1_800_000_000,
                    artifact: None,
                    inspections: Inspections::NotRun,
                });
                assert!(!verdict.passed(), "no evidence must never pass");
                format!(
                    "{}\n---- report without evidence ----\n{}",
                    serde_json::to_string_pretty(&templates(&done)).unwrap(),
                    cairn_eval::report::human(&verdict, &source, false)
                )
            }
            Err(missing) => {
                assert!(!expect_ok, "{} should succeed", path.display());
                let named = source.named_source();
                missing
                    .iter()
                    .map(|m| {
                        let finding = Finding::missing_param(m);
                        let d = cairn_eval::report::finding_diagnostic(
                            &finding,
                            &named,
                            source.text.len(),
                        );
                        cairn_base::diag::render(&d, false)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        insta::assert_snapshot!(out);
    });
}

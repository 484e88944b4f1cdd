//! The JSON report: a stable, documented shape (`docs/report.md`), built
//! field by field so that refactoring the evaluator's types cannot silently
//! change it. Strings are JSON-escaped by serde_json; nothing else is altered.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::{Finding, Status, Verdict};
use cairn_base::source::SourceFile;
use cairn_evidence::Origin;

/// Version of the report schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The report as pretty-printed JSON with a final newline. `source` (the
/// policy) adds line and column to each finding's location.
pub fn json(verdict: &Verdict, source: Option<&SourceFile>) -> String {
    let mut text = serde_json::to_string_pretty(&json_value(verdict, source))
        .unwrap_or_else(|_| "{\"verdict\":\"FAIL\"}".to_string());
    text.push('\n');
    text
}

/// [`json()`] with the evaluator's trace as a `trace` member (`cairn explain`).
pub fn json_with_trace(
    verdict: &Verdict,
    source: Option<&SourceFile>,
    trace: &crate::Trace,
) -> String {
    let mut value = json_value(verdict, source);
    if let Value::Object(map) = &mut value {
        map.insert(
            "trace".to_string(),
            serde_json::to_value(trace).unwrap_or(Value::Null),
        );
    }
    let mut text = serde_json::to_string_pretty(&value)
        .unwrap_or_else(|_| "{\"verdict\":\"FAIL\"}".to_string());
    text.push('\n');
    text
}

/// The report as a JSON value.
pub fn json_value(verdict: &Verdict, source: Option<&SourceFile>) -> Value {
    let mut digests: BTreeMap<usize, (&str, &Origin)> = BTreeMap::new();
    for step in &verdict.steps {
        for c in &step.considered {
            digests.insert(c.index, (&c.sha256, &c.origin));
        }
    }
    let inputs: Vec<Value> = verdict
        .used
        .iter()
        .filter_map(|i| {
            let (sha, origin) = digests.get(i)?;
            Some(json!({"index": i, "sha256": sha, "origin": origin_json(origin)}))
        })
        .collect();
    json!({
        "schemaVersion": SCHEMA_VERSION,
        "layout": verdict.layout,
        "verdict": if verdict.passed() { "PASS" } else { "FAIL" },
        "time": verdict.now,
        "counts": {
            "deny": verdict.denials().count(),
            "warn": verdict.warnings().count(),
        },
        "steps": verdict.steps.iter().map(|s| json!({
            "name": s.name,
            "status": status(s.status),
            "counted": s.counted(),
            "unauthorised": s.unauthorised(),
            "untrusted": s.untrusted,
            "attestations": s.considered.iter().map(|c| json!({
                "index": c.index,
                "origin": origin_json(&c.origin),
                "sha256": c.sha256,
                "role": c.role,
                "signers": c.signers,
                "counted": c.counted,
                "note": c.note,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "inspections": verdict.inspections.iter().map(|i| json!({
            "name": i.name,
            "status": match i.status {
                Status::NoEvidence => "not_run",
                other => status(other),
            },
        })).collect::<Vec<_>>(),
        "findings": verdict.findings.iter().enumerate().map(|(i, f)| finding(i, f, source)).collect::<Vec<_>>(),
        "inputAttestations": inputs,
        "ignoredAttestations": verdict.ignored,
    })
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Satisfied => "satisfied",
        Status::Failed => "failed",
        Status::NoEvidence => "no_evidence",
        Status::Refused => "refused",
    }
}

fn origin_json(o: &Origin) -> Value {
    let mut value = json!({"file": o.file, "line": o.line});
    if let (Some(entry), Value::Object(map)) = (&o.entry, &mut value) {
        map.insert("entry".into(), Value::String(entry.clone()));
    }
    value
}

fn finding(index: usize, f: &Finding, source: Option<&SourceFile>) -> Value {
    let location = f.span.map(|span| match source {
        Some(src) => {
            let (line, column) = src.line_col(span.start);
            json!({
                "file": src.name,
                "start": span.start,
                "end": span.end,
                "line": line,
                "column": column,
            })
        }
        None => json!({"start": span.start, "end": span.end}),
    });
    json!({
        "index": index,
        "code": f.code.as_str(),
        "severity": f.severity,
        "step": f.step,
        "message": f.message,
        "location": location,
        "label": f.label,
        "attestation": f.origin.as_ref().map(origin_json),
        "artifact": f.artifact,
        "expected": f.expected,
        "actual": f.actual,
        "help": f.help,
        "cause": f.cause,
    })
}

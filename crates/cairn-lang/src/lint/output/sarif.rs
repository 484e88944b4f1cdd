//! SARIF 2.1.0: one `reportingDescriptor` per lint code, results with
//! physical locations; compile and read errors as results of their `E` codes.

use serde_json::{json, Value};

use super::results::{error_facts, region, ErrorFacts, FileResult, Outcome, Region};
use crate::lint::registry::{Severity, RULES};
use cairn_base::source::SourceFile;

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Deny => "error",
        Severity::Warn => "warning",
        Severity::Advice | Severity::Allow => "note",
    }
}

/// A file path as a SARIF URI reference (forward slashes, spaces escaped).
fn uri(path: &str) -> String {
    path.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}

fn sarif_location(file: &SourceFile, r: Option<Region>, message: Option<&str>) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": uri(&file.name) } });
    if let (Some(r), Some(obj)) = (r, physical.as_object_mut()) {
        obj.insert(
            "region".into(),
            json!({
                "startLine": r.line,
                "startColumn": r.column,
                "endLine": r.end_line,
                "endColumn": r.end_column,
            }),
        );
    }
    let mut loc = json!({ "physicalLocation": physical });
    if let (Some(m), Some(obj)) = (message.filter(|m| !m.is_empty()), loc.as_object_mut()) {
        obj.insert("message".into(), json!({ "text": m }));
    }
    loc
}

/// The SARIF 2.1.0 log: one `reportingDescriptor` per lint code, with
/// `helpUri` into `docs_url`; compile and read errors as results of their
/// `E` codes, so a CI upload shows them too.
pub fn sarif(results: &[FileResult], docs_url: &str) -> Value {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "helpUri": format!("{docs_url}#{}", r.anchor()),
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        match &r.outcome {
            Outcome::Linted(findings) => {
                for f in findings {
                    let index = RULES.iter().position(|x| x.code == f.code);
                    let mut result = json!({
                        "ruleId": f.code,
                        "level": sarif_level(f.severity),
                        "message": { "text": if f.help.is_empty() { f.message.clone() } else { format!("{}: {}", f.message, f.help) } },
                        "locations": [sarif_location(&r.file, Some(region(&r.file, f.span)), Some(&f.label))],
                    });
                    if let Some(obj) = result.as_object_mut() {
                        if let Some(i) = index {
                            obj.insert("ruleIndex".into(), json!(i));
                        }
                        if !f.related.is_empty() {
                            let related: Vec<Value> = f
                                .related
                                .iter()
                                .enumerate()
                                .map(|(i, (s, label))| {
                                    let mut l = sarif_location(
                                        &r.file,
                                        Some(region(&r.file, *s)),
                                        Some(label),
                                    );
                                    if let Some(o) = l.as_object_mut() {
                                        o.insert("id".into(), json!(i));
                                    }
                                    l
                                })
                                .collect();
                            obj.insert("relatedLocations".into(), Value::Array(related));
                        }
                    }
                    out.push(result);
                }
            }
            Outcome::Errors(errors) => {
                for e in &errors.reports {
                    let e = error_facts(&r.file, e);
                    let file = match &e.file {
                        Some(name) => SourceFile::new(name.clone(), ""),
                        None => r.file.clone(),
                    };
                    out.push(error_result(&mut rules, &file, &e));
                }
            }
            Outcome::Unreadable(e) => {
                let facts = ErrorFacts {
                    code: miette::Diagnostic::code(e)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                    message: e.to_string(),
                    help: None,
                    region: None,
                    file: None,
                };
                out.push(error_result(&mut rules, &r.file, &facts));
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cairn",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": docs_url,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    })
}

/// A SARIF result for an error, adding a descriptor for its code if new.
fn error_result(rules: &mut Vec<Value>, file: &SourceFile, e: &ErrorFacts) -> Value {
    let code = if e.code.is_empty() {
        "E000".to_string()
    } else {
        e.code.clone()
    };
    let index = match rules
        .iter()
        .position(|r| r.get("id").and_then(Value::as_str) == Some(&code))
    {
        Some(i) => i,
        None => {
            rules.push(json!({
                "id": code,
                "shortDescription": { "text": "the policy could not be linted" },
                "defaultConfiguration": { "level": "error" },
            }));
            rules.len() - 1
        }
    };
    let text = match &e.help {
        Some(h) => format!("{}: {h}", e.message),
        None => e.message.clone(),
    };
    json!({
        "ruleId": code,
        "ruleIndex": index,
        "level": "error",
        "message": { "text": text },
        "locations": [sarif_location(file, e.region, None)],
    })
}

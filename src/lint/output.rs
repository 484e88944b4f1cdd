//! Lint results as text for people (miette), JSON, SARIF 2.1.0 and GitHub
//! workflow commands. Every format carries the same facts: per file, its
//! findings or the errors that kept it from being linted.
//!
//! The JSON and SARIF shapes are documented in `docs/lints.md`; lines and
//! columns are 1-based, columns count Unicode scalar values.

use serde_json::{json, Value};

use super::finding::{Finding, Rendered};
use super::registry::{self, Severity, RULES};
use crate::diag;
use crate::lower::{CompileErrors, ReadError};
use crate::source::{SourceFile, Span};

/// Version of the JSON output schema.
pub const JSON_VERSION: u32 = 1;

/// Where the SARIF rules point: `docs/lints.md` of the project, overridable
/// with `--docs-url`.
pub const DEFAULT_DOCS_URL: &str = registry::DOCS_URL;

/// What happened to one policy file.
#[derive(Debug)]
pub enum Outcome {
    /// It compiled and was linted.
    Linted(Vec<Finding>),
    /// It does not compile.
    Errors(CompileErrors),
    /// It could not be read.
    Unreadable(ReadError),
}

/// One policy file and its outcome.
#[derive(Debug)]
pub struct FileResult {
    /// The file (its text is empty when it could not be read).
    pub file: SourceFile,
    /// The outcome.
    pub outcome: Outcome,
}

/// A location in a file: 1-based lines and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn region(file: &SourceFile, span: Span) -> Region {
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end.max(span.start));
    Region {
        line,
        column,
        end_line,
        end_column,
    }
}

/// A compile error reduced to what machine formats carry.
struct ErrorFacts {
    code: String,
    message: String,
    help: Option<String>,
    region: Option<Region>,
}

fn error_facts(file: &SourceFile, report: &miette::Report) -> ErrorFacts {
    let span = report
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| Span::new(l.offset(), l.offset() + l.len()));
    ErrorFacts {
        code: report.code().map(|c| c.to_string()).unwrap_or_default(),
        message: report.to_string(),
        help: report.help().map(|h| h.to_string()),
        region: span.map(|s| region(file, s)),
    }
}

/// Counts by severity: (deny, warn, advice).
fn counts(results: &[FileResult]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in results {
        if let Outcome::Linted(findings) = &r.outcome {
            for f in findings {
                match f.severity {
                    Severity::Deny => c.0 += 1,
                    Severity::Warn => c.1 += 1,
                    Severity::Advice => c.2 += 1,
                    Severity::Allow => {}
                }
            }
        }
    }
    c
}

/// The human output: every finding rendered with its policy span, then one
/// summary line per file. Compile and read errors are rendered as `cairn
/// check` renders them.
pub fn human(results: &[FileResult], color: bool) -> String {
    let mut out = String::new();
    for r in results {
        match &r.outcome {
            Outcome::Linted(findings) => {
                let source = r.file.named_source();
                for f in findings {
                    out.push_str(&diag::render(
                        &Rendered {
                            finding: f,
                            source: &source,
                        },
                        color,
                    ));
                    out.push('\n');
                }
                let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
                out.push_str(&format!(
                    "{}: {} deny, {} warn, {} advice\n",
                    r.file.name,
                    n(Severity::Deny),
                    n(Severity::Warn),
                    n(Severity::Advice)
                ));
            }
            Outcome::Errors(errors) => {
                for report in &errors.reports {
                    out.push_str(&diag::render(report.as_ref(), color));
                }
                let n = errors.reports.len();
                out.push_str(&format!(
                    "{}: not linted, {n} error{}\n",
                    r.file.name,
                    if n == 1 { "" } else { "s" }
                ));
            }
            Outcome::Unreadable(e) => out.push_str(&diag::render(e, color)),
        }
    }
    out
}

fn region_json(r: Option<Region>) -> Value {
    match r {
        Some(r) => json!({
            "line": r.line,
            "column": r.column,
            "end_line": r.end_line,
            "end_column": r.end_column,
        }),
        None => Value::Null,
    }
}

/// The JSON output (schema in `docs/lints.md`, versioned by [`JSON_VERSION`]).
pub fn json(results: &[FileResult]) -> Value {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let (status, findings, errors) = match &r.outcome {
                Outcome::Linted(findings) => (
                    "linted",
                    findings
                        .iter()
                        .map(|f| {
                            json!({
                                "code": f.code,
                                "name": f.rule().map_or("", |r| r.name),
                                "severity": f.severity.as_str(),
                                "message": f.message,
                                "label": f.label,
                                "help": f.help,
                                "location": region_json(Some(region(&r.file, f.span))),
                                "related": f.related.iter().map(|(s, label)| json!({
                                    "label": label,
                                    "location": region_json(Some(region(&r.file, *s))),
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect::<Vec<_>>(),
                    Vec::new(),
                ),
                Outcome::Errors(errors) => (
                    "errors",
                    Vec::new(),
                    errors
                        .reports
                        .iter()
                        .map(|e| {
                            let e = error_facts(&r.file, e);
                            json!({
                                "code": e.code,
                                "message": e.message,
                                "help": e.help,
                                "location": region_json(e.region),
                            })
                        })
                        .collect(),
                ),
                Outcome::Unreadable(e) => (
                    "unreadable",
                    Vec::new(),
                    vec![json!({
                        "code": miette::Diagnostic::code(e).map(|c| c.to_string()),
                        "message": e.to_string(),
                        "help": miette::Diagnostic::help(e).map(|h| h.to_string()),
                        "location": Value::Null,
                    })],
                ),
            };
            json!({
                "path": r.file.name,
                "status": status,
                "findings": findings,
                "errors": errors,
            })
        })
        .collect();
    let (deny, warn, advice) = counts(results);
    json!({
        "version": JSON_VERSION,
        "files": files,
        "summary": {
            "deny": deny,
            "warn": warn,
            "advice": advice,
            "not_linted": results.iter().filter(|r| !matches!(r.outcome, Outcome::Linted(_))).count(),
        },
    })
}

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
                    out.push(error_result(&mut rules, &r.file, &e));
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

/// Escapes the message of a workflow command.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn gh_line(kind: &str, file: &str, r: Option<Region>, title: &str, message: &str) -> String {
    let mut props = format!("file={}", gh_property(file));
    if let Some(r) = r {
        props.push_str(&format!(
            ",line={},col={},endLine={},endColumn={}",
            r.line, r.column, r.end_line, r.end_column
        ));
    }
    props.push_str(&format!(",title={}", gh_property(title)));
    format!("::{kind} {props}::{}\n", gh_data(message))
}

/// GitHub Actions workflow commands: `::error` for deny, `::warning` for
/// warn, `::notice` for advice, one line per finding or error.
pub fn github(results: &[FileResult]) -> String {
    let mut out = String::new();
    for r in results {
        match &r.outcome {
            Outcome::Linted(findings) => {
                for f in findings {
                    let kind = match f.severity {
                        Severity::Deny => "error",
                        Severity::Warn => "warning",
                        Severity::Advice | Severity::Allow => "notice",
                    };
                    let title = format!("{} {}", f.code, f.rule().map_or("", |r| r.name));
                    let message = if f.help.is_empty() {
                        f.message.clone()
                    } else {
                        format!("{}\nhelp: {}", f.message, f.help)
                    };
                    out.push_str(&gh_line(
                        kind,
                        &r.file.name,
                        Some(region(&r.file, f.span)),
                        &title,
                        &message,
                    ));
                }
            }
            Outcome::Errors(errors) => {
                for e in &errors.reports {
                    let e = error_facts(&r.file, e);
                    out.push_str(&gh_line(
                        "error",
                        &r.file.name,
                        e.region,
                        &e.code,
                        &e.message,
                    ));
                }
            }
            Outcome::Unreadable(e) => {
                let code = miette::Diagnostic::code(e)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                out.push_str(&gh_line("error", &r.file.name, None, &code, &e.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape() {
        let line = gh_line("warning", "a,b:c.cairn", None, "L001", "x\ny%");
        assert_eq!(
            line,
            "::warning file=a%2Cb%3Ac.cairn,title=L001::x%0Ay%25\n"
        );
    }
}

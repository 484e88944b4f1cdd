//! Lint results as text for people (miette), JSON, SARIF 2.1.0 and GitHub
//! workflow commands. Every format carries the same facts: per file, its
//! findings or the errors that kept it from being linted.
//!
//! The JSON and SARIF shapes are documented in `docs/lints.md`; lines and
//! columns are 1-based, columns count Unicode scalar values.

mod github;
mod results;
mod sarif;

pub use github::github;
use results::{error_facts, region, Region};
pub use results::{FileResult, Outcome};
pub use sarif::sarif;

use std::path::Path;

use serde_json::{json, Value};

use super::finding::Rendered;
use super::registry::{self, Severity};
use super::{Levels, Options};
use cairn_base::diag;
use cairn_base::source::SourceFile;

/// Version of the JSON output schema: 2 since it took the style of every
/// JSON output of cairn (`schemaVersion`, camelCase names, `file` and
/// `severity` in every finding and error).
pub const JSON_VERSION: u32 = 2;

/// Where the SARIF rules point: `docs/lints.md` of the project, overridable
/// with `--docs-url`.
pub const DEFAULT_DOCS_URL: &str = registry::DOCS_URL;

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

fn region_json(file: &str, r: Option<Region>) -> Value {
    match r {
        Some(r) => json!({
            "file": file,
            "line": r.line,
            "column": r.column,
            "endLine": r.end_line,
            "endColumn": r.end_column,
        }),
        None => Value::Null,
    }
}

/// The errors that kept a policy file from compiling, as findings of
/// severity `error` in the shape every JSON output of cairn shares
/// (`docs/schemas/`): `cairn lint` and `cairn check` report them alike.
pub fn errors_json(file: &SourceFile, errors: &crate::lower::CompileErrors) -> Vec<Value> {
    errors
        .reports
        .iter()
        .map(|e| {
            let e = error_facts(file, e);
            // An error in an imported library names that file.
            let name = e.file.as_deref().unwrap_or(&file.name);
            let mut v = json!({
                "code": e.code,
                "severity": "error",
                "message": e.message,
                "label": Value::Null,
                "help": e.help,
                "location": region_json(name, e.region),
            });
            if let (Some(imported), Some(o)) = (&e.file, v.as_object_mut()) {
                o.insert("file".into(), json!(imported));
            }
            v
        })
        .collect()
}

/// A file that could not be read, as the one error of its entry.
pub fn unreadable_json(e: &crate::lower::IoError) -> Value {
    json!({
        "code": miette::Diagnostic::code(e).map(|c| c.to_string()),
        "severity": "error",
        "message": e.to_string(),
        "label": Value::Null,
        "help": miette::Diagnostic::help(e).map(|h| h.to_string()),
        "location": Value::Null,
    })
}

/// The JSON output (schema in `docs/lints.md` and
/// `docs/schemas/lint.schema.json`, versioned by [`JSON_VERSION`]).
pub fn json(results: &[FileResult]) -> Value {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let name = r.file.name.as_str();
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
                                "location": region_json(name, Some(region(&r.file, f.span))),
                                "related": f.related.iter().map(|(s, label)| json!({
                                    "label": label,
                                    "location": region_json(name, Some(region(&r.file, *s))),
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect::<Vec<_>>(),
                    Vec::new(),
                ),
                Outcome::Errors(errors) => ("errors", Vec::new(), errors_json(&r.file, errors)),
                Outcome::Unreadable(e) => ("unreadable", Vec::new(), vec![unreadable_json(e)]),
            };
            json!({
                "file": name,
                "status": status,
                "findings": findings,
                "errors": errors,
            })
        })
        .collect();
    let (deny, warn, advice) = counts(results);
    json!({
        "schemaVersion": JSON_VERSION,
        "files": files,
        "counts": {
            "deny": deny,
            "warn": warn,
            "advice": advice,
            "notLinted": results.iter().filter(|r| !matches!(r.outcome, Outcome::Linted(_))).count(),
        },
    })
}

/// Lints one file.
pub fn lint_file(path: &Path, options: &Options, levels: &Levels) -> FileResult {
    let (file, base) = match crate::lower::read_policy_and_base(path) {
        Ok(read) => read,
        Err(e) => {
            return FileResult {
                file: SourceFile::new(cairn_base::files::display_name(path), ""),
                outcome: Outcome::Unreadable(e),
            }
        }
    };
    let outcome = match crate::lint::lint_source(&file.name, &file.text, &base, options, levels) {
        Ok(findings) => Outcome::Linted(findings),
        Err(e) => Outcome::Errors(e),
    };
    FileResult { file, outcome }
}

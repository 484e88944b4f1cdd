//! GitHub Actions workflow commands (`::error file=F,line=L,col=C,title=T::message`).

use super::results::{error_facts, region, FileResult, Outcome, Region};
use crate::lint::registry::Severity;

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
                        e.file.as_deref().unwrap_or(&r.file.name),
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

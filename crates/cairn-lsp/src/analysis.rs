//! What the server knows of one document: its syntax tree, its names, and
//! every problem `cairn check` and `cairn lint` report for it.
//!
//! Analysis is what `check` and `lint` do, on the text in the editor instead
//! of the file on disk: parse, lower (key files read relative to
//! `base_dir`), and when the policy compiles, lint at the rules' default
//! severities with the file's `# cairn: allow(...)` comments applied.

use std::path::{Path, PathBuf};

use cairn_base::source::Span;
use cairn_lang::lint::{self, Severity};
use cairn_lang::syntax::{self, ast};

use crate::index::Index;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A compile error or a deny-level finding.
    Error,
    /// A warn-level finding.
    Warning,
    /// An advice-level finding.
    Hint,
}

/// One problem, from the compiler or lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `E200`, `L008`.
    pub code: String,
    /// How serious.
    pub level: Level,
    /// The one-line message.
    pub message: String,
    /// The primary place.
    pub span: Span,
    /// The label under the primary place.
    pub label: String,
    /// Other places that explain it.
    pub related: Vec<(Span, String)>,
    /// How to fix it.
    pub help: String,
}

/// One analysed document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The text analysed.
    pub text: String,
    /// The folder key files are relative to.
    pub base_dir: PathBuf,
    /// The syntax tree, when the text parses.
    pub parsed: Option<ast::Parsed>,
    /// Declarations and uses (empty when the text does not parse).
    pub index: Index,
    /// Compile errors, or lint findings when it compiles.
    pub problems: Vec<Problem>,
}

impl Analysis {
    /// Analyses `text`; `now` (seconds since the Unix epoch) is the time
    /// the expiry rules compare with.
    pub fn new(text: String, base_dir: &Path, now: i64) -> Analysis {
        let mut problems = Vec::new();
        let parsed = match syntax::parse(&text) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                let mut problem = from_diagnostic(&e);
                // Its place is not a label (a terminal would print the
                // character); an editor underlines it.
                if let syntax::SyntaxError::HiddenCharacter { span, .. } = &e {
                    problem.span = *span;
                }
                problems.push(problem);
                None
            }
        };
        let mut index = Index::default();
        if let Some(parsed) = &parsed {
            index = Index::new(&text, parsed);
            // Compiled with the files it imports, read from disk beside it.
            let checked = cairn_lang::lower::imports::check_source(
                OPEN_DOCUMENT,
                &text,
                base_dir,
                &cairn_lang::lower::imports::FileLoader,
            );
            match checked {
                Err(errors) => problems.extend(errors.reports.iter().map(|e| {
                    let problem = from_diagnostic(e.as_ref());
                    in_this_file(e, problem)
                })),
                // A library has no layout to lint.
                Ok(cairn_lang::lower::imports::Checked { layout: None, .. }) => {}
                Ok(cairn_lang::lower::imports::Checked {
                    layout: Some(layout),
                    ..
                }) => {
                    let options = lint::Options {
                        now,
                        expiry_warn_days: lint::Options::DEFAULT_EXPIRY_WARN_DAYS,
                    };
                    let findings = lint::apply_levels(
                        lint::lint(&text, parsed, &layout, &options),
                        &lint::Levels::default(),
                    );
                    problems.extend(findings.iter().map(from_finding));
                }
            }
        }
        Analysis {
            text,
            base_dir: base_dir.to_path_buf(),
            parsed,
            index,
            problems,
        }
    }
}

/// The name the open document's own diagnostics carry while it is compiled
/// with its imports.
const OPEN_DOCUMENT: &str = "\u{0}open document";

/// A problem of an imported file is shown at the start of the open
/// document, its message naming that file (its places are in the other file).
fn in_this_file(report: &miette::Report, mut problem: Problem) -> Problem {
    let file = report.source_code().and_then(|source| {
        let contents = source.read_span(&(0, 0).into(), 0, 0).ok()?;
        contents.name().map(str::to_string)
    });
    match file {
        Some(name) if name != OPEN_DOCUMENT => {
            problem.message = format!("in `{name}`: {}", problem.message);
            problem.span = Span::new(0, 0);
            problem.related.clear();
            problem
        }
        _ => problem,
    }
}

/// A compile error as a problem: its code, its primary label's span and
/// text, its other labels as related places.
fn from_diagnostic(d: &dyn miette::Diagnostic) -> Problem {
    let mut span = None;
    let mut label = String::new();
    let mut related = Vec::new();
    for l in d.labels().into_iter().flatten() {
        let s = Span::new(l.offset(), l.offset() + l.len());
        let text = l.label().unwrap_or("").to_string();
        if span.is_none() && (l.primary() || related.is_empty()) {
            span = Some(s);
            label = text;
        } else {
            related.push((s, text));
        }
    }
    Problem {
        code: d.code().map(|c| c.to_string()).unwrap_or_default(),
        level: Level::Error,
        message: d.to_string(),
        span: span.unwrap_or_default(),
        label,
        related,
        help: d.help().map(|h| h.to_string()).unwrap_or_default(),
    }
}

/// A lint finding as a problem.
fn from_finding(f: &lint::Finding) -> Problem {
    Problem {
        code: f.code.to_string(),
        level: match f.severity {
            Severity::Deny => Level::Error,
            Severity::Warn => Level::Warning,
            Severity::Advice | Severity::Allow => Level::Hint,
        },
        message: f.message.clone(),
        span: f.span,
        label: f.label.clone(),
        related: f.related.clone(),
        help: f.help.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_errors_carry_codes_and_related_places() {
        let text =
            "layout \"x\" {\n key k = ed25519 \"00\"\n step a { by k }\n step a { by kk }\n}\n";
        let a = Analysis::new(text.into(), Path::new("."), 0);
        let codes: Vec<&str> = a.problems.iter().map(|p| p.code.as_str()).collect();
        assert!(codes.contains(&"E203"), "{codes:?}");
        assert!(codes.contains(&"E201"), "{codes:?}");
        let dup = a.problems.iter().find(|p| p.code == "E203").unwrap();
        assert_eq!(dup.related.len(), 1);
        assert!(a.parsed.is_some());
    }

    #[test]
    fn a_hidden_character_is_underlined_where_it_stands() {
        let a = Analysis::new("layout \"x\u{202e}\" { }".into(), Path::new("."), 0);
        assert_eq!(a.problems[0].code, "E103");
        assert_eq!(a.problems[0].span, Span::new(9, 12));
    }

    #[test]
    fn a_syntax_error_is_one_problem() {
        let a = Analysis::new("layout \"x\" { step }".into(), Path::new("."), 0);
        assert_eq!(a.problems.len(), 1);
        assert_eq!(a.problems[0].code, "E100");
        assert!(a.parsed.is_none());
    }
}

//! The human report: a verdict line, a line per step and inspection, then
//! every finding as a miette diagnostic pointing into the policy source.

use std::fmt;
use std::fmt::Write as _;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::{Finding, Severity, Status, Verdict};
use cairn_base::diag;
use cairn_base::source::SourceFile;

use super::snippet::{EvidenceFiles, Snippet, Window};
use cairn_base::escape::escape;

/// Renders `verdict` for a terminal; `source` is the policy the layout was
/// compiled from (its spans point into it).
pub fn human(verdict: &Verdict, source: &SourceFile, color: bool) -> String {
    let mut out = summary(verdict);
    out.push_str(&findings(verdict, source, color));
    out
}

/// The verdict line and a line per step and inspection (what `verify`
/// prints on stdout).
pub fn summary(verdict: &Verdict) -> String {
    let mut out = String::new();
    let denials = verdict.denials().count();
    let warnings = verdict.warnings().count();
    let head = if verdict.passed() { "PASS" } else { "FAIL" };
    let _ = writeln!(
        out,
        "{head}: layout `{}`: {} failure{}, {} warning{}",
        escape(&verdict.layout),
        denials,
        plural(denials),
        warnings,
        plural(warnings)
    );
    if denials == 0 && !verdict.passed() {
        let _ = writeln!(out, "  no step was satisfied, so nothing was verified");
    }
    for step in &verdict.steps {
        let counted = step.considered.iter().filter(|c| c.counted).count();
        let _ = writeln!(
            out,
            "  {:<11} step {} ({counted} of {} attestation{} counted)",
            status_word(step.status, false),
            escape(&step.name),
            step.considered.len(),
            plural(step.considered.len()),
        );
    }
    for inspection in &verdict.inspections {
        let _ = writeln!(
            out,
            "  {:<11} inspection {}",
            status_word(inspection.status, true),
            escape(&inspection.name),
        );
    }
    out
}

/// Every finding as a rendered diagnostic, each preceded by a blank line
/// (what `verify` prints on stderr).
pub fn findings(verdict: &Verdict, source: &SourceFile, color: bool) -> String {
    findings_with_evidence(verdict, source, &EvidenceFiles::new(), color)
}

/// [`findings`], each with a second snippet: the line of the evidence file
/// its attestation came from, when `evidence` holds that file's text.
pub fn findings_with_evidence(
    verdict: &Verdict,
    source: &SourceFile,
    evidence: &EvidenceFiles,
    color: bool,
) -> String {
    let mut out = String::new();
    let named = source.named_source();
    for finding in &verdict.findings {
        out.push('\n');
        let mut d = finding_diagnostic(finding, &named, source.text.len());
        d.related = finding
            .origin
            .as_ref()
            .and_then(|o| Snippet::new(o, finding.artifact.as_deref(), finding.list, evidence))
            .into_iter()
            .collect();
        out.push_str(&diag::render(&d, color));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn status_word(status: Status, inspection: bool) -> &'static str {
    match (status, inspection) {
        (Status::Satisfied, _) => "ok",
        (Status::Failed, _) => "FAILED",
        (Status::NoEvidence, false) => "NO EVIDENCE",
        (Status::NoEvidence, true) => "NOT RUN",
    }
}

/// A finding as a miette diagnostic, every untrusted string escaped.
#[derive(Debug)]
pub struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: &'a NamedSource<String>,
    message: String,
    help: String,
    label: Option<LabeledSpan>,
    related: Vec<Snippet>,
    /// The marked part of a long policy line, shown instead of the line.
    window: Option<Window>,
}

/// Wraps `finding` for rendering against `source` (whose text is
/// `source_len` bytes: a span outside it is left out rather than misdrawn).
pub fn finding_diagnostic<'a>(
    finding: &'a Finding,
    source: &'a NamedSource<String>,
    source_len: usize,
) -> FindingDiagnostic<'a> {
    // The help line first, then the facts, one per line.
    let mut help = finding
        .help
        .as_deref()
        .map(|h| format!("{}\n", escape(h)))
        .unwrap_or_default();
    let mut line = |key: &str, value: &Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(help, "{key}: {}", escape(v));
        }
    };
    line("step", &finding.step);
    line("artifact", &finding.artifact);
    line("expected", &finding.expected);
    line("actual", &finding.actual);
    line(
        "attestation",
        &finding.origin.as_ref().map(ToString::to_string),
    );
    let span = finding
        .span
        .filter(|s| s.end <= source_len && s.start <= s.end);
    let window = span.and_then(|s| Window::new(source.name(), source.inner(), s));
    let label = span.map(|s| {
        let at = window.as_ref().map_or_else(|| s.into(), |(_, at)| *at);
        LabeledSpan::new_with_span(finding.label.as_deref().map(escape), at)
    });
    let window = window.map(|(w, _)| w);
    // An unreadable attestation's message is the evidence layer's, which
    // escaped what it quotes already: escaping its `\` again would double it.
    let message = if finding.code == crate::Code::Unreadable {
        cairn_base::escape::escape_controls(&finding.message)
    } else {
        escape(&finding.message)
    };
    FindingDiagnostic {
        finding,
        source,
        message,
        help: help.trim_end().to_string(),
        label,
        related: Vec::new(),
        window,
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Deny => miette::Severity::Error,
            Severity::Warn => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.label.as_ref().map(|_| match &self.window {
            Some(window) => window as &dyn SourceCode,
            None => self.source as &dyn SourceCode,
        })
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|s| s as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &'b dyn Diagnostic>>
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

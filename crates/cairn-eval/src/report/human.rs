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
        let _ = writeln!(
            out,
            "  {:<11} step {} ({})",
            status_word(step.status, false),
            escape(&step.name),
            counts(step),
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
    for (index, finding) in verdict.findings.iter().enumerate() {
        if finding.cause.is_some() {
            continue;
        }
        out.push('\n');
        let mut d = finding_diagnostic(finding, &named, source.text.len());
        d.related = finding
            .origin
            .as_ref()
            .and_then(|o| {
                Snippet::new(
                    o,
                    finding.artifact.as_deref(),
                    finding.list,
                    finding.member.as_deref(),
                    evidence,
                )
            })
            .into_iter()
            .collect();
        out.push_str(&diag::render(&d, color));
        out.push_str(&folded(verdict, index, source));
    }
    out
}

/// The findings that only follow from finding `root`, one line each under
/// it (the JSON report links each to its root by `cause`).
fn folded(verdict: &Verdict, root: usize, source: &SourceFile) -> String {
    let follow: Vec<&Finding> = verdict
        .findings
        .iter()
        .filter(|f| f.cause == Some(root))
        .collect();
    if follow.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "  {} further finding{} follow{} from this:\n",
        follow.len(),
        plural(follow.len()),
        if follow.len() == 1 { "s" } else { "" }
    );
    for f in follow {
        let at = f.span.filter(|s| s.end <= source.text.len()).map(|s| {
            let (line, column) = source.line_col(s.start);
            format!("at {}:{line}:{column}", escape(&source.name))
        });
        let mut lines = wrap(&escape(&f.message), 76);
        lines.extend(at);
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "    {} {line}", f.code);
            } else {
                let _ = writeln!(out, "         {line}");
            }
        }
    }
    out
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than that gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// What a step's status line says of its attestations: how many counted of
/// how many found, and why the others did not count.
pub(crate) fn counts(step: &crate::StepReport) -> String {
    let total = step.considered.len() + step.untrusted;
    if total == 0 {
        return "no attestation found".to_string();
    }
    let mut out = format!(
        "{} of {total} attestation{} counted",
        step.counted(),
        plural(total)
    );
    let mut why = Vec::new();
    if step.unauthorised() > 0 {
        why.push(format!(
            "{} signed by a key the step does not authorise",
            step.unauthorised()
        ));
    }
    if step.untrusted > 0 {
        why.push(format!(
            "{} signed by no trusted key or identity",
            step.untrusted
        ));
    }
    if !why.is_empty() {
        out.push_str(": ");
        out.push_str(&why.join(", "));
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
        (Status::Refused, _) => "REFUSED",
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

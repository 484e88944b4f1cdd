//! A lint finding, and its rendering as a miette diagnostic.
//!
//! A finding is plain data (code, severity, message, spans, help) so that
//! every output format reads the same thing; [`Rendered`] adapts one to
//! [`miette::Diagnostic`] for the human output.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

use super::registry::{self, Severity};
use cairn_base::source::Span;

/// One thing lint found in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's code (`L004`).
    pub code: &'static str,
    /// The effective severity (after configuration).
    pub severity: Severity,
    /// One line, lowercase, user input in backticks.
    pub message: String,
    /// The policy text the finding is about.
    pub span: Span,
    /// The label under [`Finding::span`].
    pub label: String,
    /// Other places that explain the finding (the earlier rule, the first check).
    pub related: Vec<(Span, String)>,
    /// How to fix it.
    pub help: String,
}

impl Finding {
    /// A finding at the rule's default severity.
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: registry::by_code(code).map_or(Severity::Warn, |r| r.severity),
            message: message.into(),
            span,
            label: String::new(),
            related: Vec::new(),
            help: String::new(),
        }
    }

    /// Sets the primary label.
    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = label.into();
        self
    }

    /// Adds a secondary label.
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.related.push((span, label.into()));
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = help.into();
        self
    }

    /// The rule this finding comes from.
    pub fn rule(&self) -> Option<&'static registry::Rule> {
        registry::by_code(self.code)
    }
}

/// A finding with its source text, ready for [`cairn_base::diag::render`].
pub struct Rendered<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The policy text.
    pub source: &'a NamedSource<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.finding, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let name = self.finding.rule().map_or("", |r| r.name);
        Some(Box::new(format!("{}({name})", self.finding.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Deny => miette::Severity::Error,
            Severity::Warn => miette::Severity::Warning,
            Severity::Advice | Severity::Allow => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.finding.help.is_empty())
            .then(|| Box::new(&self.finding.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(
            (!f.label.is_empty()).then(|| f.label.clone()),
            f.span,
        );
        let others = f
            .related
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

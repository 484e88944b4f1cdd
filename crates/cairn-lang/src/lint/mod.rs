//! Lint: policies that compile but are wrong or weak.
//!
//! Runs after `lower` on a policy that compiled: the rules read the resolved
//! [`ir::Layout`] (and the syntax tree for comments and precise spans) and
//! produce [`Finding`]s, each with a stable code from [`registry::RULES`].
//! One file per rule family: `artifacts` (rule blocks), `queue` (rule
//! lists), `flow` (matches
//! between steps), `names` (keys, parameters, duties), `checks` (predicate
//! checks against the built-in [`schema`]s, expiry), `identities` (Sigstore
//! identities). Severities are set per
//! run with [`Levels`] and per item with `# cairn: allow(CODE)` comments
//! (`directive`). Lint performs no I/O and reads no clock: the caller passes
//! the time in [`Options`]. `output` renders findings as text, JSON, SARIF
//! and GitHub workflow commands.

mod artifacts;
mod checks;
mod directive;
pub mod finding;
mod flow;
mod identities;
mod names;
pub mod output;
mod queue;
pub mod registry;
pub mod schema;

use std::collections::BTreeMap;
use std::path::Path;

pub use finding::Finding;
pub use registry::{Rule, Severity, RULES};

use crate::ir;
use crate::lower::{self, CompileErrors};
use crate::syntax::ast;
use cairn_base::source::Span;

/// What the rules need besides the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The current time, in seconds since the Unix epoch.
    pub now: i64,
    /// L014 fires when the layout expires within this many days.
    pub expiry_warn_days: u32,
}

impl Options {
    /// The default of `--expiry-warn-days`.
    pub const DEFAULT_EXPIRY_WARN_DAYS: u32 = 30;
}

/// Severity overrides for one run (`--deny`, `--warn`, `--allow`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    per_code: BTreeMap<&'static str, Severity>,
    deny_warnings: bool,
}

impl Levels {
    /// Sets the severity of the rule named by `code` (`L004`) or name
    /// (`shadowed-rule`); `warnings` with [`Severity::Deny`] turns every
    /// warning not configured by code into an error. Errs with the
    /// unknown code.
    pub fn set(&mut self, code: &str, severity: Severity) -> Result<(), String> {
        if code == "warnings" && severity == Severity::Deny {
            self.deny_warnings = true;
            return Ok(());
        }
        let rule = RULES
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
            .ok_or_else(|| code.to_string())?;
        self.per_code.insert(rule.code, severity);
        Ok(())
    }

    /// The severity a finding of rule `code` gets in this run.
    pub fn severity(&self, code: &str, default: Severity) -> Severity {
        match self.per_code.get(code) {
            Some(s) => *s,
            None if self.deny_warnings && default == Severity::Warn => Severity::Deny,
            None => default,
        }
    }
}

/// The state of one lint pass.
pub(crate) struct Lint<'a> {
    layout: &'a ir::Layout,
    parsed: &'a ast::Parsed,
    options: &'a Options,
    /// Check span start -> the span of its path, from the syntax tree.
    check_paths: BTreeMap<usize, Span>,
    findings: Vec<Finding>,
}

impl Lint<'_> {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// Every finding of a compiled policy at its rule's default severity, with
/// `# cairn: allow(...)` comments applied, in source order. `text` is the
/// source `parsed` and `layout` come from.
pub fn lint(
    text: &str,
    parsed: &ast::Parsed,
    layout: &ir::Layout,
    options: &Options,
) -> Vec<Finding> {
    let mut check_paths = BTreeMap::new();
    for item in &parsed.layout.items {
        let ast::Item::Step(step) = item else {
            continue;
        };
        for si in &step.items {
            let ast::StepItem::Attestation(att) = si else {
                continue;
            };
            for ai in &att.items {
                if let ast::AttestationItem::Check(c) = ai {
                    check_paths.insert(c.loc.span().start, c.path.loc.span());
                }
            }
        }
    }
    let mut l = Lint {
        layout,
        parsed,
        options,
        check_paths,
        findings: Vec::new(),
    };
    l.artifacts();
    l.flow();
    l.names();
    l.checks();
    l.expiry();
    l.identities();
    let mut findings = directive::apply(text, parsed, l.findings);
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
    findings.dedup();
    findings
}

/// Applies a run's severity overrides, dropping what they allow.
pub fn apply_levels(findings: Vec<Finding>, levels: &Levels) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut f| {
            f.severity = levels.severity(f.code, f.severity);
            (f.severity != Severity::Allow).then_some(f)
        })
        .collect()
}

/// Compiles and lints a policy text with the files it imports. `name` is
/// the file name shown in diagnostics; `base_dir` is the folder `file "..."`
/// keys and imports are relative to. A policy that does not compile yields
/// its compile errors instead (those of an imported file each in that
/// file). A library that compiles has no findings: the rules judge what a
/// layout makes of it.
pub fn lint_source(
    name: &str,
    text: &str,
    base_dir: &Path,
    options: &Options,
    levels: &Levels,
) -> Result<Vec<Finding>, CompileErrors> {
    let checked = lower::imports::check_source(name, text, base_dir, &lower::imports::FileLoader)?;
    let Some(layout) = checked.layout else {
        return Ok(Vec::new());
    };
    Ok(apply_levels(
        lint(text, &checked.parsed, &layout, options),
        levels,
    ))
}

/// True when any finding fails the run.
pub fn any_denied(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Deny)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let mut l = Levels::default();
        assert_eq!(l.severity("L008", Severity::Warn), Severity::Warn);
        l.set("warnings", Severity::Deny).unwrap();
        assert_eq!(l.severity("L008", Severity::Warn), Severity::Deny);
        assert_eq!(l.severity("L012", Severity::Advice), Severity::Advice);
        l.set("unused-key", Severity::Warn).unwrap();
        assert_eq!(l.severity("L008", Severity::Warn), Severity::Warn);
        l.set("l012", Severity::Allow).unwrap();
        assert_eq!(l.severity("L012", Severity::Advice), Severity::Allow);
        assert_eq!(l.set("L999", Severity::Deny), Err("L999".to_string()));
        assert_eq!(
            l.set("warnings", Severity::Allow),
            Err("warnings".to_string())
        );
    }
}

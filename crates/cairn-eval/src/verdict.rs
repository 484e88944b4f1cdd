//! The evaluator's input and output types.

use std::collections::BTreeMap;

use serde::Serialize;

use cairn_evidence::{Attestation, Claim, DigestSet, Link, Origin, Rejected, Verified};
use cairn_lang::ir::{InspectionId, Layout, StepId};

use super::finding::{Code, Finding, Severity};

/// Everything one evaluation looks at. Building it is the caller's job; the
/// evaluator does no I/O and reads no clock.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The instantiated layout (see [`crate::instantiate()`]).
    pub layout: &'a Layout,
    /// The verified attestations; signer indexes refer to `layout.keys`.
    pub attestations: &'a [Verified<Attestation>],
    /// The one clock reading of this verification, in Unix seconds.
    pub now: i64,
    /// The digest set of the artifact given to `verify`, if one was.
    pub artifact: Option<&'a DigestSet>,
    /// What is known about the layout's inspections.
    pub inspections: Inspections<'a>,
}

/// What is known about the inspections of a layout.
#[derive(Debug, Clone, Copy)]
pub enum Inspections<'a> {
    /// They were not run (the default: cairn runs nothing unless asked).
    NotRun,
    /// They were run; the link recorded for each (missing ones count as not run).
    Ran(&'a BTreeMap<InspectionId, Link>),
}

/// The outcome of a step or an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Evidence counted and nothing failed.
    Satisfied,
    /// Evidence counted but something failed.
    Failed,
    /// Nothing counted (for an inspection: not run).
    NoEvidence,
}

/// One attestation a step looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Considered {
    /// Index into [`Input::attestations`].
    pub index: usize,
    /// Where it came from.
    pub origin: Origin,
    /// sha256 of its bytes.
    pub sha256: String,
    /// `link` or the predicate type it was taken for.
    pub role: String,
    /// Names of the policy keys whose signatures verified on it.
    pub signers: Vec<String>,
    /// Whether it counted as evidence (signed by a key the step authorises).
    pub counted: bool,
    /// Why it did not count, when it did not.
    pub note: Option<String>,
    /// How a Sigstore bundle verified (version, identity, verified times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigstore: Option<String>,
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// The step.
    pub id: StepId,
    /// Its name.
    pub name: String,
    /// Its outcome.
    pub status: Status,
    /// Every attestation taken for this step, counted or not, in a canonical
    /// order (by digest, then origin) that does not depend on input order.
    pub considered: Vec<Considered>,
}

/// What happened to one inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionReport {
    /// The inspection.
    pub id: InspectionId,
    /// Its name.
    pub name: String,
    /// [`Status::NoEvidence`] when it was not run.
    pub status: Status,
}

/// The result of an evaluation: every finding, and the trail behind them.
///
/// Only [`super::evaluate`] builds one (`non_exhaustive`: no struct literal
/// outside this crate), so a passing verdict cannot be made up by a caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Verdict {
    /// The layout's name.
    pub layout: String,
    /// The clock reading used.
    pub now: i64,
    /// One report per step, in layout order.
    pub steps: Vec<StepReport>,
    /// One report per inspection, in layout order.
    pub inspections: Vec<InspectionReport>,
    /// Every finding, deny and warn, in evaluation order (layout first, then
    /// steps in order, then inspections, then the final artifact).
    pub findings: Vec<Finding>,
    /// Indexes (ascending) of the attestations that counted for some step:
    /// a VSA's `inputAttestations`.
    pub used: Vec<usize>,
    /// Indexes (ascending) of the attestations no step or expected
    /// attestation looked at (wrong name, unexpected predicate type).
    pub ignored: Vec<usize>,
}

impl Verdict {
    /// True only when no finding is deny-level and at least one step was
    /// satisfied (DESIGN decision 9: nothing vacuous passes).
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Deny)
            && self.steps.iter().any(|s| s.status == Status::Satisfied)
    }

    /// The deny-level findings.
    pub fn denials(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Deny)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warn)
    }
}

impl Verdict {
    /// Adds findings made outside evaluation (a classic link folder's
    /// ignored files, refused certificates): each after the last finding of
    /// its step, or at the end.
    pub fn add_findings(&mut self, findings: Vec<Finding>) {
        for f in findings {
            let at = f.step.as_deref().and_then(|s| {
                self.findings
                    .iter()
                    .rposition(|g| g.step.as_deref() == Some(s))
            });
            match at {
                Some(i) => self.findings.insert(i + 1, f),
                None => self.findings.push(f),
            }
        }
    }

    /// Adds a warning for each attestation no trusted key verified, naming
    /// the step it claimed (when the layout has one by that name or
    /// expecting that predicate type) and the keyid hints. Each warning goes
    /// right after the findings of its step, so a step's missing evidence and
    /// the reason its candidate was refused read together. Warnings never
    /// change the verdict.
    pub fn add_rejections(&mut self, layout: &Layout, rejected: &[Rejected]) {
        for r in rejected {
            let step = match &r.claim {
                Claim::Link(name) => layout.steps.iter().find(|s| &s.name == name),
                Claim::Predicate(t) => layout
                    .steps
                    .iter()
                    .find(|s| s.attestations.iter().any(|a| &a.predicate_type == t)),
                Claim::Layout => None,
            };
            let hints = if r.hints.is_empty() {
                "no keyid".to_string()
            } else {
                let short: Vec<String> = r
                    .hints
                    .iter()
                    .map(|h| match h.get(..12).filter(|p| p.len() < h.len()) {
                        Some(prefix) => format!("{prefix}…"),
                        None => h.clone(),
                    })
                    .collect();
                format!("keyid {}", short.join(", "))
            };
            let sigstore = r.signer.is_some()
                || r.failures
                    .iter()
                    .any(|f| f.contains("Sigstore") || f.starts_with('V'));
            let hints = match &r.signer {
                Some(who) => who.clone(),
                None if sigstore => "no verified certificate or key".to_string(),
                None => hints,
            };
            let what = if sigstore {
                "any identity or key of the policy"
            } else {
                "any trusted key"
            };
            let mut f = Finding::warn(
                Code::NotTrusted,
                format!("{} in `{}` is not signed by {what}", r.claim, r.origin),
            )
            .origin(&r.origin)
            .help(miette::Diagnostic::help(r).map_or_else(String::new, |h| h.to_string()));
            if let Some(step) = step {
                let keys: Vec<String> = step
                    .by
                    .keys
                    .iter()
                    .map(|k| {
                        super::signers::key_label(
                            layout,
                            usize::try_from(k.0).unwrap_or(usize::MAX),
                        )
                    })
                    .collect();
                f = f
                    .step(&step.name)
                    .at(step.by.span, "its signers are named here")
                    .values(
                        format!("signed by {}", keys.join(", ")),
                        format!("signed by {hints}"),
                    );
            } else {
                f = f.values(
                    "signed by a key of the policy",
                    format!("signed by {hints}"),
                );
            }
            let at = step.and_then(|s| {
                self.findings
                    .iter()
                    .rposition(|g| g.step.as_deref() == Some(s.name.as_str()))
            });
            match at {
                Some(i) => self.findings.insert(i + 1, f),
                None => self.findings.push(f),
            }
        }
    }

    /// Adds a `V121` warning for each attestation that could not be read
    /// (where, why, and the evidence code): it counts for nothing, and the
    /// rest of the evidence decides the verdict.
    pub fn add_unreadable(&mut self, problems: &[cairn_evidence::EvidenceError]) {
        for problem in problems {
            let at = problem.location();
            let origin = Origin {
                file: at.file.clone(),
                line: at.line.and_then(|l| usize::try_from(l).ok()),
                entry: None,
            };
            let code =
                miette::Diagnostic::code(problem).map_or_else(String::new, |c| c.to_string());
            let help =
                miette::Diagnostic::help(problem).map_or_else(String::new, |h| h.to_string());
            let f = Finding::warn(
                Code::Unreadable,
                format!("unreadable attestation: {problem}"),
            )
            .origin(&origin)
            .values("an attestation cairn can read", code)
            .help(format!(
                "{help}; it counts for nothing, the rest of the evidence decides"
            ));
            self.findings.push(f);
        }
    }
}

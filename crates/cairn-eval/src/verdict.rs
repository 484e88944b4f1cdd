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
    /// No attestation of the expected kind exists (for an inspection: not run).
    NoEvidence,
    /// Attestations of the expected kind exist, but none counted: each was
    /// signed by a key or identity the step does not authorise, by no
    /// trusted key, or failed its signature.
    Refused,
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
    /// Attestations that claimed this step but that no trusted key or
    /// identity verified (each has a `V119` finding); they are not in
    /// `considered`.
    pub untrusted: usize,
}

impl StepReport {
    /// How many attestations counted.
    pub fn counted(&self) -> usize {
        self.considered.iter().filter(|c| c.counted).count()
    }

    /// How many verified attestations did not count (signed by a key or
    /// identity the step does not authorise).
    pub fn unauthorised(&self) -> usize {
        self.considered.len() - self.counted()
    }
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
        self.settle();
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
            .member("$")
            .about(match &r.claim {
                Claim::Predicate(t) if t != cairn_evidence::predicates::LINK_V03 => t.as_str(),
                _ => "link",
            });
            let why = miette::Diagnostic::help(r).map_or_else(String::new, |h| h.to_string());
            if let Some(report) =
                step.and_then(|s| self.steps.iter_mut().find(|r| r.name == s.name))
            {
                report.untrusted += 1;
            }
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
                let sign = if keys.is_empty() {
                    "one of its functionaries".to_string()
                } else {
                    keys.join(" or ")
                };
                f = f
                    .help(format!(
                        "have {sign} sign this evidence; trusting its signer instead would accept whatever that key or identity signs: {why}"
                    ))
                    .step(&step.name)
                    .at(step.by.span, "its signers are named here")
                    .values(
                        format!("signed by {}", keys.join(", ")),
                        format!("signed by {hints}"),
                    );
            } else {
                f = f.help(why).values(
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
        self.settle();
    }

    /// Puts the verdict in its final form after findings were added: each
    /// step's status agrees with its findings and evidence (a step with a
    /// failing finding is never satisfied; a step whose attestations all
    /// were refused is [`Status::Refused`], not [`Status::NoEvidence`]); an
    /// untrusted attestation that leaves its step without evidence is an
    /// error and that step's root finding; each step's root finding comes
    /// first among its findings, directly followed by the findings that only
    /// follow from it, each linked to it by [`Finding::cause`]. Running it
    /// again changes nothing.
    pub fn settle(&mut self) {
        for step in &mut self.steps {
            let failing = self
                .findings
                .iter()
                .any(|f| f.severity == Severity::Deny && f.step.as_deref() == Some(&step.name));
            step.status = if step.counted() == 0 {
                if step.considered.is_empty() && step.untrusted == 0 {
                    Status::NoEvidence
                } else {
                    Status::Refused
                }
            } else if failing {
                Status::Failed
            } else {
                Status::Satisfied
            };
        }
        // The root findings: each missing attestation (`V101`), or the
        // untrusted attestation that would have been it (`V119`, then an
        // error), which the `V101` follows from. The first root of a step
        // heads what follows from that step's missing evidence.
        let mut roots: BTreeMap<String, usize> = BTreeMap::new();
        let mut is_root = vec![false; self.findings.len()];
        for i in 0..self.findings.len() {
            let Some(f) = self.findings.get(i) else { break };
            if f.code != Code::NoEvidence || f.severity != Severity::Deny {
                continue;
            }
            let (step, about) = (f.step.clone(), f.about.clone());
            let plain = f.actual.as_deref() == Some("none");
            let untrusted = self
                .findings
                .iter()
                .position(|g| g.code == Code::NotTrusted && g.step == step && g.about == about);
            let root = match untrusted.filter(|_| plain && step.is_some()) {
                Some(j) => {
                    if let Some(g) = self.findings.get_mut(j) {
                        g.severity = Severity::Deny;
                    }
                    if let Some(f) = self.findings.get_mut(i) {
                        f.follows = step.clone();
                    }
                    j
                }
                None => i,
            };
            if let Some(r) = is_root.get_mut(root) {
                *r = true;
            }
            if let Some(step) = step {
                let first = roots.entry(step).or_insert(root);
                *first = (*first).min(root);
            }
        }
        let root_of = |i: usize, f: &Finding| -> Option<usize> {
            if is_root.get(i) == Some(&true) {
                return None;
            }
            let r = *roots.get(f.follows.as_deref()?)?;
            (r != i).then_some(r)
        };
        let n = self.findings.len();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        for i in 0..n {
            let Some(f) = self.findings.get(i) else { break };
            if placed.get(i) == Some(&true) || root_of(i, f).is_some() {
                continue;
            }
            let own_root = f.step.as_deref().and_then(|s| roots.get(s)).copied();
            for r in own_root.into_iter().chain(std::iter::once(i)) {
                if placed.get(r) == Some(&true) {
                    continue;
                }
                order.push(r);
                if let Some(p) = placed.get_mut(r) {
                    *p = true;
                }
                for (j, g) in self.findings.iter().enumerate() {
                    if root_of(j, g) == Some(r) && placed.get(j) == Some(&false) {
                        order.push(j);
                        if let Some(p) = placed.get_mut(j) {
                            *p = true;
                        }
                    }
                }
            }
        }
        let mut old: Vec<Option<Finding>> = std::mem::take(&mut self.findings)
            .into_iter()
            .map(Some)
            .collect();
        let mut position = vec![0usize; n];
        for (new, &i) in order.iter().enumerate() {
            if let Some(p) = position.get_mut(i) {
                *p = new;
            }
        }
        let causes: Vec<Option<usize>> = (0..n)
            .map(|i| {
                old.get(i)
                    .and_then(Option::as_ref)
                    .and_then(|f| root_of(i, f))
                    .and_then(|r| position.get(r).copied())
            })
            .collect();
        for &i in &order {
            if let Some(mut f) = old.get_mut(i).and_then(Option::take) {
                f.cause = causes.get(i).copied().flatten();
                self.findings.push(f);
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
        self.settle();
    }
}

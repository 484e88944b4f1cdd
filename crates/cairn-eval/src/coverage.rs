//! What decided something in one verification: for each decision point of
//! a policy (step, expected attestation, artifact rule, check, key,
//! identity), whether it decided anything and whether it refused anything.
//! `cairn test --coverage` adds these up over the cases of a suite.
//!
//! Read from a verdict and its trace ([`crate::evaluate_traced`]); without a
//! trace, rules are known to have decided something only when they refused.
//! The rules of inspections are not decision points here: inspections run
//! only on request, and their rule lists are not traced.

use std::collections::BTreeSet;

use cairn_base::source::Span;
use cairn_evidence::predicates::LINK_V03;
use cairn_lang::ir::{ExpectedAttestation, Layout, RuleKind, RuleList, Step};

use super::finding::Severity;
use super::run::Trace;
use super::verdict::{Status, Verdict};

/// What kind of part of the policy a decision point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// A step: it decided something when evidence counted for it.
    Step,
    /// An expected attestation of a step: when one counted.
    Attestation,
    /// An artifact rule: when it consumed a name, found its `require`d
    /// name, or refused something.
    Rule,
    /// A predicate check: when it was run on a counted attestation.
    Check,
    /// A key: when its signature made an attestation count for a step that
    /// authorises it.
    Key,
    /// A Sigstore identity: as a key.
    Identity,
}

impl PointKind {
    /// The kind's name as reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Step => "step",
            PointKind::Attestation => "attestation",
            PointKind::Rule => "rule",
            PointKind::Check => "check",
            PointKind::Key => "key",
            PointKind::Identity => "identity",
        }
    }
}

/// One decision point and what it did in one verification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// What it is.
    pub kind: PointKind,
    /// Its name: the step's, key's or identity's name; for a rule or a
    /// check, the step it belongs to.
    pub name: String,
    /// The step it belongs to (`None` for keys and identities).
    pub step: Option<String>,
    /// Where it is in the policy.
    pub span: Span,
    /// Whether it can refuse anything by itself: steps, expected
    /// attestations, checks, and the rules `disallow`, `require` and `match`
    /// (a `match` whose digests differ is what refuses the artifact).
    pub can_refuse: bool,
    /// It decided something in this verification.
    pub decided: bool,
    /// A finding points at it (for a step: a deny finding of the step).
    pub refused: bool,
}

/// Every decision point of `layout`, in policy order, with what it did in
/// the verification that gave `verdict` and `trace`.
pub fn decisions(layout: &Layout, verdict: &Verdict, trace: &Trace) -> Vec<Decision> {
    let refused_at: BTreeSet<(usize, usize)> = verdict
        .findings
        .iter()
        .filter_map(|f| f.span)
        .map(key)
        .collect();
    // Rules that consumed something or found their name, by span.
    let mut rules_decided: BTreeSet<(usize, usize)> = BTreeSet::new();
    for list in &trace.lists {
        for rule in &list.rules {
            if rule.consumed > 0 || rule.present == Some(true) {
                rules_decided.insert(key(rule.span));
            }
        }
    }
    let mut out = Vec::new();
    for (index, declared) in layout.keys.iter().enumerate() {
        out.push(Decision {
            kind: PointKind::Key,
            name: declared.name.clone(),
            step: None,
            span: declared.span,
            can_refuse: false,
            decided: signer_counted(layout, verdict, index),
            refused: false,
        });
    }
    for (offset, identity) in layout.identities.iter().enumerate() {
        out.push(Decision {
            kind: PointKind::Identity,
            name: identity.name.clone(),
            step: None,
            span: identity.span,
            can_refuse: false,
            decided: signer_counted(layout, verdict, layout.keys.len() + offset),
            refused: false,
        });
    }
    for step in &layout.steps {
        let report = verdict.steps.iter().find(|s| s.name == step.name);
        let step_name = Some(step.name.clone());
        out.push(Decision {
            kind: PointKind::Step,
            name: step.name.clone(),
            step: step_name.clone(),
            span: step.span,
            can_refuse: true,
            decided: report.is_some_and(|r| r.status != Status::NoEvidence),
            refused: verdict.findings.iter().any(|f| {
                f.severity == Severity::Deny && f.step.as_deref() == Some(step.name.as_str())
            }),
        });
        let rules = |list: &Option<RuleList>, out: &mut Vec<Decision>| {
            for rule in list.iter().flat_map(|l| &l.rules) {
                let refused = refused_at.contains(&key(rule.span));
                out.push(Decision {
                    kind: PointKind::Rule,
                    name: step.name.clone(),
                    step: step_name.clone(),
                    span: rule.span,
                    can_refuse: matches!(
                        rule.kind,
                        RuleKind::Disallow { .. }
                            | RuleKind::Require { .. }
                            | RuleKind::Match { .. }
                    ),
                    decided: refused || rules_decided.contains(&key(rule.span)),
                    refused,
                });
            }
        };
        rules(&step.materials, &mut out);
        rules(&step.products, &mut out);
        for expected in &step.attestations {
            let counted = attestation_counted(verdict, step, expected);
            out.push(Decision {
                kind: PointKind::Attestation,
                name: step.name.clone(),
                step: step_name.clone(),
                span: expected.span,
                can_refuse: true,
                decided: counted,
                refused: refused_at.contains(&key(expected.span)),
            });
            rules(&expected.materials, &mut out);
            rules(&expected.products, &mut out);
            for check in &expected.checks {
                let refused = refused_at.contains(&key(check.span));
                out.push(Decision {
                    kind: PointKind::Check,
                    name: step.name.clone(),
                    step: step_name.clone(),
                    span: check.span,
                    can_refuse: true,
                    decided: counted || refused,
                    refused,
                });
            }
        }
    }
    out
}

/// A span as an ordered key.
fn key(span: Span) -> (usize, usize) {
    (span.start, span.end)
}

/// Whether an attestation of the `expected` kind counted for `step`.
fn attestation_counted(verdict: &Verdict, step: &Step, expected: &ExpectedAttestation) -> bool {
    let role = if expected.predicate_type == LINK_V03 {
        "link"
    } else {
        expected.predicate_type.as_str()
    };
    verdict
        .steps
        .iter()
        .filter(|s| s.name == step.name)
        .flat_map(|s| &s.considered)
        .any(|c| c.counted && c.role == role)
}

/// Whether the signer at `index` (a key, or an identity after the keys)
/// signed an attestation that counted for a step authorising it.
fn signer_counted(layout: &Layout, verdict: &Verdict, index: usize) -> bool {
    let Some(name) = layout.signer_name(index) else {
        return false;
    };
    let authorises = |step: &Step| {
        std::iter::once(&step.by)
            .chain(step.attestations.iter().filter_map(|a| a.by.as_ref()))
            .flat_map(|by| &by.keys)
            .any(|k| usize::try_from(k.0).is_ok_and(|k| k == index))
    };
    verdict.steps.iter().any(|report| {
        let Some(step) = layout.steps.iter().find(|s| s.name == report.name) else {
            return false;
        };
        authorises(step)
            && report
                .considered
                .iter()
                .any(|c| c.counted && c.signers.iter().any(|s| s == name))
    })
}

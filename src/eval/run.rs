//! The evaluation proper: attestations to steps, thresholds, agreement,
//! checks, rules, expiry, inspections and the final artifact.
//!
//! Two passes over the steps: the first decides what counts for each step and
//! fixes each step's artifacts (so MATCH can look at any step, earlier or
//! later), the second applies the rules. Attestations are visited in a
//! canonical order (digest, then origin), never in input order.

use std::collections::BTreeSet;

use crate::evidence::Artifacts;
use crate::ir::{RuleList, Side, Step, StepId, Target};

use super::finding::{Code, Finding, Severity};
use super::rules::{self, Subject};
use super::verdict::{Input, Inspections, Status, StepReport, Verdict};
use super::view::View;
use super::{checks, extra, select};

/// Evaluates the layout against the evidence; pure and deterministic.
pub fn evaluate(input: &Input<'_>) -> Verdict {
    let layout = input.layout;
    let mut views: Vec<View<'_>> = input
        .attestations
        .iter()
        .enumerate()
        .map(|(i, a)| View::new(i, a))
        .collect();
    views.sort_by(|a, b| (a.sha256, a.origin).cmp(&(b.sha256, b.origin)));

    let mut findings = extra::layout_findings(input);
    let states: Vec<select::StepState<'_>> = layout
        .steps
        .iter()
        .map(|step| select::first_pass(layout, step, &views))
        .collect();

    let ran = match input.inspections {
        Inspections::Ran(map) => Some(map),
        Inspections::NotRun => None,
    };
    let lookup = |target: Target, side: Side| -> Option<&Artifacts> {
        let (materials, products) = match target {
            Target::Step(StepId(id)) => {
                let state = states.get(usize::try_from(id).ok()?)?;
                let (m, p) = state.artifacts.as_ref()?;
                (&**m, &**p)
            }
            Target::Inspection(id) => {
                let link = ran?.get(&id)?;
                (&link.materials, &link.products)
            }
        };
        Some(match side {
            Side::Materials => materials,
            Side::Products => products,
        })
    };

    let mut steps = Vec::new();
    let mut used = BTreeSet::new();
    for (index, (step, state)) in layout.steps.iter().zip(&states).enumerate() {
        let mut step_findings = state.findings.clone();
        if let Some((materials, products)) = &state.artifacts {
            let subject = Subject {
                materials,
                products,
            };
            rule_findings(
                step,
                &step.materials,
                Side::Materials,
                &subject,
                &lookup,
                state.artifacts_from,
                &mut step_findings,
            );
            rule_findings(
                step,
                &step.products,
                Side::Products,
                &subject,
                &lookup,
                state.artifacts_from,
                &mut step_findings,
            );
        }
        for group in &state.groups {
            for view in &group.counted {
                used.insert(view.index);
                let Some(expected) = group.expected else {
                    continue;
                };
                let subject = Subject {
                    materials: &view.materials,
                    products: &view.products,
                };
                let origin = Some(*view);
                rule_findings(
                    step,
                    &expected.materials,
                    Side::Materials,
                    &subject,
                    &lookup,
                    origin,
                    &mut step_findings,
                );
                rule_findings(
                    step,
                    &expected.products,
                    Side::Products,
                    &subject,
                    &lookup,
                    origin,
                    &mut step_findings,
                );
                let predicate = view.predicate();
                for check in &expected.checks {
                    if let Err(failure) = checks::run(check, &predicate) {
                        step_findings.push(check_finding(step, check, view, failure));
                    }
                }
            }
        }
        let counted_any = state.groups.iter().any(|g| !g.counted.is_empty());
        let status = if !counted_any {
            Status::NoEvidence
        } else if step_findings.iter().any(|f| f.severity == Severity::Deny) {
            Status::Failed
        } else {
            Status::Satisfied
        };
        steps.push(StepReport {
            id: StepId(u32::try_from(index).unwrap_or(u32::MAX)),
            name: step.name.clone(),
            status,
            considered: state.considered.clone(),
        });
        findings.extend(step_findings);
    }

    let (inspections, inspection_findings) = extra::inspections(input, &lookup);
    findings.extend(inspection_findings);
    findings.extend(extra::final_artifact(input, &lookup));

    let looked_at: BTreeSet<usize> = steps
        .iter()
        .flat_map(|s| s.considered.iter().map(|c| c.index))
        .collect();
    let ignored = (0..input.attestations.len())
        .filter(|i| !looked_at.contains(i))
        .collect();
    Verdict {
        layout: layout.name.clone(),
        now: input.now,
        steps,
        inspections,
        findings,
        used: used.into_iter().collect(),
        ignored,
    }
}

/// A failed or broken check as a finding: a broken check (path or regex
/// that does not compile) denies even at `warn` level.
fn check_finding(
    step: &Step,
    check: &crate::ir::Check,
    view: &View<'_>,
    failure: checks::CheckFailure,
) -> Finding {
    if failure.invalid {
        return Finding::deny(Code::BadPattern, failure.message)
            .step(&step.name)
            .at(check.span, "this check cannot be evaluated")
            .origin(view.origin)
            .help("check the parameter values substituted into this check");
    }
    let f = Finding::deny(Code::CheckFailed, failure.message)
        .step(&step.name)
        .at(check.span, "this check failed")
        .origin(view.origin)
        .values(failure.expected, failure.actual)
        .help("the attestation's predicate does not satisfy this check");
    match check.level {
        crate::ir::Level::Deny => f,
        crate::ir::Level::Warn => Finding {
            severity: Severity::Warn,
            ..f
        },
    }
}

/// Turns rule failures of one list into findings.
fn rule_findings<'a>(
    step: &Step,
    list: &Option<RuleList>,
    side: Side,
    subject: &Subject<'a>,
    lookup: &rules::Lookup<'a>,
    origin: Option<&View<'_>>,
    out: &mut Vec<Finding>,
) {
    let Some(list) = list else { return };
    for failure in rules::apply(&list.rules, side, subject, lookup, true) {
        let mut f = extra::rule_failure(&step.name, list, side, failure, subject);
        if let Some(view) = origin {
            f = f.origin(view.origin);
        }
        out.push(f);
    }
}

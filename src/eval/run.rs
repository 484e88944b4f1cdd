//! The evaluation proper: attestations to steps, thresholds, agreement,
//! checks, rules, expiry, inspections and the final artifact.
//!
//! Two passes over the steps: the first decides what counts for each step and
//! fixes each step's artifacts (so MATCH can look at any step, earlier or
//! later), the second applies the rules. Attestations are visited in a
//! canonical order (digest, then origin), never in input order.

use std::collections::BTreeSet;

use crate::evidence::Artifacts;
use crate::ir::{ExpectedAttestation, Functionaries, Layout, RuleList, Side, Step, StepId, Target};
use crate::predicates::LINK_V03;
use crate::source::Span;

use super::finding::{Code, Finding, Severity};
use super::rules::{self, Subject};
use super::verdict::{Considered, Input, Inspections, Status, StepReport, Verdict};
use super::view::View;
use super::{checks, digest, extra};

/// What a step produced in the first pass.
struct StepState<'v> {
    considered: Vec<Considered>,
    /// Counted views per group, in canonical order.
    groups: Vec<Group<'v>>,
    /// The step's artifacts: its first counted link, else the merge of its
    /// counted attestations; `None` when nothing counted.
    artifacts: Option<(Artifacts, Artifacts)>,
    /// The link the artifacts come from, when they come from one.
    artifacts_from: Option<&'v View<'v>>,
    findings: Vec<Finding>,
}

/// One kind of evidence a step wants: its link, or one expected attestation.
struct Group<'v> {
    expected: Option<&'v ExpectedAttestation>,
    counted: Vec<&'v View<'v>>,
    is_link: bool,
}

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
    let states: Vec<StepState<'_>> = layout
        .steps
        .iter()
        .map(|step| first_pass(layout, step, &views))
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
                (m, p)
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
                for check in &expected.checks {
                    if let Err(failure) = checks::run(check, &view.predicate) {
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

/// Decides which views count for `step`, checks thresholds, agreement and
/// commands, and fixes the step's artifacts.
fn first_pass<'v>(layout: &Layout, step: &'v Step, views: &'v [View<'v>]) -> StepState<'v> {
    let mut state = StepState {
        considered: Vec::new(),
        groups: Vec::new(),
        artifacts: None,
        artifacts_from: None,
        findings: Vec::new(),
    };
    if !step.expects_link && step.attestations.is_empty() {
        state.findings.push(
            Finding::deny(
                Code::StepExpectsNothing,
                format!("step `{}` expects no evidence", step.name),
            )
            .step(&step.name)
            .at(step.span, "this step checks nothing")
            .help("add an `attestation` block or rules, or remove the step"),
        );
    }
    let has_link_block = step
        .attestations
        .iter()
        .any(|a| a.predicate_type == LINK_V03);
    if step.expects_link && !has_link_block {
        state.groups.push(group(
            layout,
            step,
            None,
            &step.by,
            views,
            &mut state.considered,
            &mut state.findings,
        ));
    }
    for expected in &step.attestations {
        let by = expected.by.as_ref().unwrap_or(&step.by);
        state.groups.push(group(
            layout,
            step,
            Some(expected),
            by,
            views,
            &mut state.considered,
            &mut state.findings,
        ));
    }
    state
        .considered
        .sort_by(|a, b| (&a.sha256, &a.origin, &a.role).cmp(&(&b.sha256, &b.origin, &b.role)));
    state.considered.dedup();

    let links: Vec<&View<'_>> = state
        .groups
        .iter()
        .filter(|g| g.is_link)
        .flat_map(|g| g.counted.iter().copied())
        .collect();
    if let Some(first) = links.first() {
        for other in links.iter().skip(1) {
            if let Some(f) = extra::disagreement(step, first, other) {
                state.findings.push(f);
            }
        }
        if let Some(command) = &step.command {
            for link in &links {
                let actual = link
                    .link
                    .as_ref()
                    .map(|l| l.command.clone())
                    .unwrap_or_default();
                if actual != command.argv {
                    state.findings.push(
                        Finding::warn(
                            Code::CommandDiffers,
                            format!("the link for step `{}` ran a different command", step.name),
                        )
                        .step(&step.name)
                        .at(command.span, "expected command")
                        .origin(link.origin)
                        .values(format!("{:?}", command.argv), format!("{actual:?}"))
                        .help("commands are compared as a warning only; update the policy if the new command is intended"),
                    );
                }
            }
        }
        state.artifacts = Some((first.materials.clone(), first.products.clone()));
        state.artifacts_from = Some(first);
    } else {
        let counted: Vec<&View<'_>> = state
            .groups
            .iter()
            .flat_map(|g| g.counted.iter().copied())
            .collect();
        if !counted.is_empty() {
            state.artifacts = Some((
                merge(counted.iter().map(|v| &v.materials)),
                merge(counted.iter().map(|v| &v.products)),
            ));
        }
    }
    state
}

/// The views of one group, its threshold finding, and its `considered` rows.
fn group<'v>(
    layout: &Layout,
    step: &'v Step,
    expected: Option<&'v ExpectedAttestation>,
    by: &Functionaries,
    views: &'v [View<'v>],
    considered: &mut Vec<Considered>,
    findings: &mut Vec<Finding>,
) -> Group<'v> {
    let is_link = expected.is_none_or(|e| e.predicate_type == LINK_V03);
    let role = match expected {
        Some(e) if !is_link => e.predicate_type.clone(),
        _ => "link".to_string(),
    };
    let authorised: BTreeSet<usize> = by
        .keys
        .iter()
        .filter_map(|k| usize::try_from(k.0).ok())
        .collect();
    let mut counted = Vec::new();
    let mut keys = BTreeSet::new();
    let mut rejected = 0usize;
    for view in views {
        let candidate = if is_link {
            view.link_name() == Some(step.name.as_str())
        } else {
            view.predicate_type == expected.map(|e| e.predicate_type.as_str())
        };
        if !candidate {
            continue;
        }
        let signed_by: Vec<usize> = view
            .signers
            .iter()
            .copied()
            .filter(|s| authorised.contains(s))
            .collect();
        let ok = !signed_by.is_empty();
        considered.push(Considered {
            index: view.index,
            origin: view.origin.clone(),
            sha256: view.sha256.to_string(),
            role: role.clone(),
            signers: view.signers.iter().map(|&s| key_name(layout, s)).collect(),
            counted: ok,
            note: (!ok).then(|| {
                format!(
                    "not signed by a key that {} authorises",
                    subject_of(step, expected)
                )
            }),
        });
        if ok {
            keys.extend(signed_by);
            counted.push(view);
        } else {
            rejected += 1;
        }
    }
    let span = expected.map_or(step.span, |e| e.span);
    let needed = format!(
        "{} of {}",
        by.threshold,
        by.keys
            .iter()
            .map(|k| key_name(layout, usize::try_from(k.0).unwrap_or(usize::MAX)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if counted.is_empty() {
        let mut f = Finding::deny(
            Code::NoEvidence,
            format!("no evidence for {}", subject_of(step, expected)),
        )
        .step(&step.name)
        .at(span, "nothing satisfies this")
        .values(needed, "none");
        f = if rejected > 0 {
            f.help(format!(
                "{rejected} attestation(s) were found but none is signed by an authorised key"
            ))
        } else if is_link {
            f.help(format!(
                "give a link named `{}` signed by an authorised key",
                step.name
            ))
        } else {
            f.help("give an attestation of this predicate type signed by an authorised key")
        };
        findings.push(f);
    } else if keys.len() < usize::try_from(by.threshold).unwrap_or(usize::MAX) {
        let signed: Vec<String> = keys.iter().map(|&k| key_name(layout, k)).collect();
        findings.push(
            Finding::deny(
                Code::ThresholdUnmet,
                format!(
                    "{} is signed by {} distinct key(s), {} needed",
                    subject_of(step, expected),
                    keys.len(),
                    by.threshold
                ),
            )
            .step(&step.name)
            .at(by.span, "threshold set here")
            .values(needed, format!("signed by {}", signed.join(", ")))
            .help("each authorised functionary must give its own signed evidence"),
        );
    }
    Group {
        expected,
        counted,
        is_link,
    }
}

fn subject_of(step: &Step, expected: Option<&ExpectedAttestation>) -> String {
    match expected {
        Some(e) if e.predicate_type != LINK_V03 => format!(
            "attestation `{}` of step `{}`",
            e.alias.as_deref().unwrap_or(&e.predicate_type),
            step.name
        ),
        _ => format!("step `{}`", step.name),
    }
}

/// The policy's name for the key at `index`.
pub(super) fn key_name(layout: &Layout, index: usize) -> String {
    layout
        .keys
        .get(index)
        .map_or_else(|| format!("key #{index}"), |k| k.name.clone())
}

/// The union of several artifact lists; a name given different digests is
/// left out (and stays out), so an ambiguous artifact never matches.
fn merge<'a>(lists: impl Iterator<Item = &'a Artifacts>) -> Artifacts {
    let mut out = Artifacts::new();
    let mut ambiguous = BTreeSet::new();
    for list in lists {
        for (name, set) in list {
            if ambiguous.contains(name) {
                continue;
            }
            match out.get(name) {
                Some(existing) if existing != set => {
                    out.remove(name);
                    ambiguous.insert(name.clone());
                }
                _ => {
                    out.insert(name.clone(), set.clone());
                }
            }
        }
    }
    out
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

/// The span of a rule, or of its list for the implicit final rule.
pub(super) fn rule_span(list: &RuleList, rule: Option<usize>) -> Span {
    rule.and_then(|r| list.rules.get(r))
        .map_or(list.span, |r| r.span)
}

/// Digest sets of `name` in both lists, described, for a disagreement.
pub(super) fn describe_pair(
    a: Option<&crate::evidence::DigestSet>,
    b: Option<&crate::evidence::DigestSet>,
) -> (String, String) {
    let show = |s: Option<&crate::evidence::DigestSet>| {
        s.map_or_else(|| "absent".to_string(), digest::describe)
    };
    (show(a), show(b))
}

/// Sorted keys helper for deterministic iteration.
pub(super) fn names<'a>(a: &'a Artifacts, b: &'a Artifacts) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

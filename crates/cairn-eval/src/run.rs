//! The evaluation proper: attestations to steps, thresholds, agreement,
//! checks, rules, expiry, inspections and the final artifact.
//!
//! Two passes over the steps: the first decides what counts for each step and
//! fixes each step's artifacts (so MATCH can look at any step, earlier or
//! later), the second applies the rules. Attestations are visited in a
//! canonical order (digest, then origin), never in input order.

use std::collections::BTreeSet;

use cairn_evidence::Artifacts;
use cairn_lang::ir::{RuleList, Side, Step, StepId, Target};

use super::finding::{Code, Finding, Severity};
use super::rules::{self, Subject};
use super::verdict::{Input, Inspections, Status, StepReport, Verdict};
use super::view::View;
use super::{checks, extra, select, why};

/// Evaluates the layout against the evidence; pure and deterministic.
pub fn evaluate(input: &Input<'_>) -> Verdict {
    evaluate_with(input, None)
}

/// [`evaluate`], also recording what every rule list did to its queue
/// (for `cairn explain`).
pub fn evaluate_traced(input: &Input<'_>) -> (Verdict, Trace) {
    let mut trace = Trace::default();
    let verdict = evaluate_with(input, Some(&mut trace));
    (verdict, trace)
}

fn evaluate_with(input: &Input<'_>, trace: Option<&mut Trace>) -> Verdict {
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

    // Steps are independent once the first pass has fixed every step's
    // artifacts: without a trace they are evaluated on every core, and the
    // results are put together in step order, as one thread would.
    let steps_and_states: Vec<(usize, &Step, &select::StepState<'_>)> = layout
        .steps
        .iter()
        .zip(&states)
        .enumerate()
        .map(|(index, (step, state))| (index, step, state))
        .collect();
    // Every check's path and regex is compiled once here, for all the
    // attestations it is run on.
    let prepared: Vec<Vec<Vec<checks::Prepared<'_>>>> = layout
        .steps
        .iter()
        .map(|step| {
            step.attestations
                .iter()
                .map(|expected| expected.checks.iter().map(checks::Prepared::new).collect())
                .collect()
        })
        .collect();
    let ctx = StepContext {
        layout,
        lookup: &lookup,
        prepared: &prepared,
    };
    let outcomes: Vec<StepOutcome> = match trace {
        Some(trace) => steps_and_states
            .iter()
            .map(|&(index, step, state)| ctx.evaluate_step(index, step, state, Some(&mut *trace)))
            .collect(),
        None => cairn_base::parallel::map(&steps_and_states, |&(index, step, state)| {
            ctx.evaluate_step(index, step, state, None)
        }),
    };
    let mut steps = Vec::with_capacity(outcomes.len());
    let mut used = BTreeSet::new();
    for outcome in outcomes {
        steps.push(outcome.report);
        used.extend(outcome.used);
        findings.extend(outcome.findings);
    }

    let looked: BTreeSet<usize> = steps
        .iter()
        .flat_map(|s| s.considered.iter().map(|c| c.index))
        .collect();
    findings.extend(why::misnamed_links(layout, &views, &looked));
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
    let mut verdict = Verdict {
        layout: layout.name.clone(),
        now: input.now,
        steps,
        inspections,
        findings,
        used: used.into_iter().collect(),
        ignored,
    };
    verdict.settle();
    verdict
}

/// What evaluating one step's rules and checks gave.
struct StepOutcome {
    report: StepReport,
    findings: Vec<Finding>,
    /// Indexes of the attestations that counted for the step.
    used: Vec<usize>,
}

/// What every step's evaluation reads: the layout and the artifacts of
/// every step (for MATCH).
struct StepContext<'a> {
    layout: &'a cairn_lang::ir::Layout,
    lookup: &'a (dyn Fn(Target, Side) -> Option<&'a Artifacts> + Sync + 'a),
    /// The checks of every expected attestation of every step, compiled.
    prepared: &'a [Vec<Vec<checks::Prepared<'a>>>],
}

impl<'a> StepContext<'a> {
    /// Applies the rules and checks of step `index` to what counted for it.
    fn evaluate_step(
        &self,
        index: usize,
        step: &'a Step,
        state: &'a select::StepState<'_>,
        mut trace: Option<&mut Trace>,
    ) -> StepOutcome {
        let layout = self.layout;
        let lookup: &rules::Lookup<'a> = self.lookup;
        let prepared = self.prepared.get(index);
        let mut used = Vec::new();
        let mut step_findings = state.findings.clone();
        if let Some((materials, products)) = &state.artifacts {
            let subject = Subject {
                materials,
                products,
            };
            for (list, side) in [
                (&step.materials, Side::Materials),
                (&step.products, Side::Products),
            ] {
                let ctx = ListContext {
                    layout,
                    step,
                    side,
                    origin: state.artifacts_from,
                };
                rule_findings(
                    &ctx,
                    list,
                    &subject,
                    lookup,
                    trace.as_deref_mut(),
                    &mut step_findings,
                );
            }
        }
        for group in &state.groups {
            for view in &group.counted {
                used.push(view.index);
                let Some(expected) = group.expected else {
                    continue;
                };
                let fresh: Vec<checks::Prepared<'_>>;
                let compiled = match step
                    .attestations
                    .iter()
                    .position(|e| std::ptr::eq(e, expected))
                    .and_then(|k| prepared?.get(k))
                {
                    Some(checks) => checks.as_slice(),
                    // Not expected: every group's attestation is one of its step's.
                    None => {
                        fresh = expected.checks.iter().map(checks::Prepared::new).collect();
                        &fresh
                    }
                };
                let subject = Subject {
                    materials: &view.materials,
                    products: &view.products,
                };
                for (list, side) in [
                    (&expected.materials, Side::Materials),
                    (&expected.products, Side::Products),
                ] {
                    let ctx = ListContext {
                        layout,
                        step,
                        side,
                        origin: Some(*view),
                    };
                    rule_findings(
                        &ctx,
                        list,
                        &subject,
                        lookup,
                        trace.as_deref_mut(),
                        &mut step_findings,
                    );
                }
                // Checks on the whole Statement (`statement.…`, CEL) see it
                // as a value, built once for all of them.
                let statement = compiled
                    .iter()
                    .any(checks::Prepared::needs_statement)
                    .then(|| view.statement_value());
                // A Statement's predicate is looked at as it is (its text,
                // where a check's path allows); a classic link is made a value.
                let link_value;
                let target = match view.statement_predicate() {
                    Some(p) => checks::Target::Predicate(p),
                    None => {
                        link_value = view.predicate();
                        checks::Target::Value(&link_value)
                    }
                };
                // The checks of a predicate kept as text (a large one) each
                // read all of it: they are shared among the cores.
                let large = view
                    .statement_predicate()
                    .is_some_and(|p| p.text().is_some());
                let outcomes = if large {
                    checks::run_all(compiled, target, statement.as_ref())
                } else {
                    compiled
                        .iter()
                        .map(|check| checks::run_on(check, target, statement.as_ref()))
                        .collect()
                };
                for (check, outcome) in expected.checks.iter().zip(outcomes) {
                    if let Err(failure) = outcome {
                        step_findings.push(check_finding(
                            step,
                            check,
                            view,
                            failure,
                            !layout.params.is_empty(),
                        ));
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
        StepOutcome {
            report: StepReport {
                id: StepId(u32::try_from(index).unwrap_or(u32::MAX)),
                name: step.name.clone(),
                status,
                considered: state.considered.clone(),
                untrusted: 0,
            },
            findings: step_findings,
            used,
        }
    }
}

/// A failed or broken check as a finding: a broken check (path or regex
/// that does not compile) denies even at `warn` level. Its help blames
/// parameter values only when the policy has `parameters`.
fn check_finding(
    step: &Step,
    check: &cairn_lang::ir::Check,
    view: &View<'_>,
    failure: checks::CheckFailure,
    parameters: bool,
) -> Finding {
    if failure.cel_error {
        return Finding::deny(Code::CelError, failure.message)
            .step(&step.name)
            .at(check.span, "this CEL check gave no boolean")
            .origin(view.origin)
            .help("a CEL check fails closed when it cannot be evaluated, whatever its level: make the expression total over what the attestation holds (`has(predicate.x) && ...`)");
    }
    if failure.invalid {
        let help = if parameters {
            "check the parameter values substituted into this check"
        } else {
            "correct the check's path or regex in the policy: cairn cannot evaluate it as written"
        };
        return Finding::deny(Code::BadPattern, failure.message)
            .step(&step.name)
            .at(check.span, "this check cannot be evaluated")
            .origin(view.origin)
            .help(help);
    }
    // The checked member, as a path into the Statement (a classic link is
    // its own predicate; a CEL check reads the whole Statement).
    let member = if matches!(check.test, cairn_lang::ir::Test::Cel { .. }) {
        "$".to_string()
    } else if check.root == cairn_lang::ir::Root::Statement {
        check.path.clone()
    } else {
        match (view.statement_predicate(), check.path.strip_prefix('$')) {
            (Some(_), Some(rest)) => format!("$.predicate{rest}"),
            _ => check.path.clone(),
        }
    };
    let what = if checks::needs_statement(check) {
        "Statement"
    } else {
        "predicate"
    };
    let f = Finding::deny(Code::CheckFailed, failure.message)
        .step(&step.name)
        .at(check.span, "this check failed")
        .origin(view.origin)
        .member(member)
        .values(failure.expected, failure.actual)
        .help(format!("the attestation's {what} does not say what this check requires: produce evidence that does (rerun the step that made it); changing the check would accept such evidence from now on"));
    match check.level {
        cairn_lang::ir::Level::Deny => f,
        cairn_lang::ir::Level::Warn => Finding {
            severity: Severity::Warn,
            ..f
        },
    }
}

/// Where a rule list is evaluated.
struct ListContext<'a, 'v> {
    layout: &'a cairn_lang::ir::Layout,
    step: &'a Step,
    side: Side,
    origin: Option<&'v View<'v>>,
}

/// What every rule list did to its queue, recorded by [`evaluate_traced`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Trace {
    /// One entry per evaluated rule list, in evaluation order.
    pub lists: Vec<ListTrace>,
}

/// The queue of one rule list, rule by rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListTrace {
    /// The step.
    pub step: String,
    /// Materials or products.
    pub side: Side,
    /// The attestation whose artifacts were checked, if one.
    pub origin: Option<cairn_evidence::Origin>,
    /// The rule list in the policy.
    pub span: cairn_base::source::Span,
    /// What each rule did.
    pub rules: Vec<rules::RuleStep>,
    /// How many failures the list produced.
    pub failures: usize,
}

/// Turns rule failures of one list into findings: an unconsumed artifact
/// that an earlier MATCH could have taken is explained by that MATCH, and
/// those a MATCH from a step without evidence could not take are summed up
/// in one finding (the root cause is reported for that step).
fn rule_findings<'a>(
    ctx: &ListContext<'_, '_>,
    list: &Option<RuleList>,
    subject: &Subject<'a>,
    lookup: &rules::Lookup<'a>,
    trace: Option<&mut Trace>,
    out: &mut Vec<Finding>,
) {
    let Some(list) = list else { return };
    let side = ctx.side;
    let mut steps = Vec::new();
    let failures = rules::apply_traced(
        &list.rules,
        side,
        subject,
        lookup,
        true,
        trace.is_some().then_some(&mut steps),
    );
    if let Some(trace) = trace {
        trace.lists.push(ListTrace {
            step: ctx.step.name.clone(),
            side,
            origin: ctx.origin.map(|v| v.origin.clone()),
            span: list.span,
            rules: steps,
            failures: failures.len(),
        });
    }
    let source = match side {
        Side::Materials => subject.materials,
        Side::Products => subject.products,
    };
    // Unmatched because of an upstream step without evidence: (rule, target) -> names.
    let mut upstream: std::collections::BTreeMap<(usize, String), Vec<String>> =
        std::collections::BTreeMap::new();
    for failure in failures {
        let miss = match &failure {
            rules::Failure::Disallowed { rule, name } => {
                why::missed_match(ctx.layout, &list.rules, *rule, name, source, lookup)
                    .map(|m| (m, name.clone()))
            }
            _ => None,
        };
        let mut f = match miss {
            Some((why::Miss::NoEvidence { rule, target }, name)) => {
                upstream.entry((rule, target)).or_default().push(name);
                continue;
            }
            Some((miss, name)) => {
                why::miss_finding(&ctx.step.name, side, &name, &list.rules, &miss)
            }
            None => extra::rule_failure(&ctx.step.name, list, side, failure, subject),
        };
        if let Some(view) = ctx.origin {
            f = f.origin(view.origin);
        }
        out.push(f);
    }
    for ((rule, target), names) in upstream {
        let first = names.first().map_or("", String::as_str);
        let mut f = why::cascade(
            &ctx.step.name,
            side,
            &target,
            first,
            names.len(),
            list.rules.get(rule),
        );
        if let Some(view) = ctx.origin {
            f = f.origin(view.origin);
        }
        out.push(f);
    }
}

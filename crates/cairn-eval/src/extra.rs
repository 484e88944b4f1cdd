//! Findings that are not about one attestation's rules or checks: the
//! layout's own conditions (steps, expiry), link agreement, rule failures
//! turned into findings, inspections and the final artifact.

use std::collections::BTreeSet;

use cairn_base::source::Span;
use cairn_evidence::Artifacts;
use cairn_lang::ir::{Functionaries, RuleList, Side, Step, StepId, Target};

use super::digest;
use super::finding::{Code, Finding};
use super::rules::{self, Failure, Subject};
use super::verdict::{Input, InspectionReport, Inspections, Status};
use super::view::View;

/// Findings about the layout as a whole: no steps, expiry, an unbound artifact.
pub fn layout_findings(input: &Input<'_>) -> Vec<Finding> {
    let layout = input.layout;
    let mut out = Vec::new();
    if layout.steps.is_empty() {
        out.push(
            Finding::deny(
                Code::NothingToVerify,
                format!("layout `{}` has no steps", layout.name),
            )
            .at(layout.span, "nothing to verify")
            .help("a policy without steps cannot pass; add the steps of the supply chain"),
        );
    }
    if let Some(expiry) = &layout.expires {
        if input.now >= expiry.unix {
            let now = time::OffsetDateTime::from_unix_timestamp(input.now)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| format!("{} (unix seconds)", input.now));
            out.push(
                Finding::deny(
                    Code::PolicyExpired,
                    format!("layout `{}` expired at {}", layout.name, expiry.text),
                )
                .at(expiry.span, "expired")
                .values(format!("before {}", expiry.text), now)
                .help("renew the policy with a later `expires`, or pass `--time` to verify as of an earlier instant"),
            );
        }
    }
    if layout.artifact.is_none() && input.artifact.is_some() {
        out.push(
            Finding::deny(
                Code::ArtifactNotBound,
                "an artifact was given but the policy does not say which step produces it",
            )
            .at(layout.span, "no `artifact from` clause in this layout")
            .help("add `artifact from STEP` to the layout, or verify without an artifact"),
        );
    }
    out
}

/// The first artifact on which `other` disagrees with `first`, two counted
/// attestations of `step` (its links, or those of one expected type,
/// described by `what`), as a finding at `by`, the functionaries that must
/// agree.
pub fn disagreement(
    step: &Step,
    what: &str,
    by: &Functionaries,
    first: &View<'_>,
    other: &View<'_>,
) -> Option<Finding> {
    for (list, a, b) in [
        (Side::Materials, &first.materials, &other.materials),
        (Side::Products, &first.products, &other.products),
    ] {
        let side = list.name();
        if a == b {
            continue;
        }
        let name = names(a, b).into_iter().find(|n| a.get(n) != b.get(n))?;
        let (expected, actual) = describe_pair(a.get(name), b.get(name));
        return Some(
            Finding::deny(
                Code::LinksDisagree,
                format!(
                    "the {what} for step `{}` disagree on {side} `{name}`",
                    step.name
                ),
            )
            .step(&step.name)
            .at(by.span, "these functionaries must agree")
            .origin(other.origin)
            .artifact(list, name)
            .values(format!("{expected} (as in {})", first.origin), actual)
            .help(if what == "links" {
                "every counted link of a step must record the same materials and products"
            } else {
                "with a threshold above one key, every counted attestation of one type must record the same materials and products"
            }),
        );
    }
    None
}

/// A rule failure as a finding.
pub fn rule_failure(
    step: &str,
    list: &RuleList,
    side: Side,
    failure: Failure,
    subject: &Subject<'_>,
) -> Finding {
    let side_name = match side {
        Side::Materials => "material",
        Side::Products => "product",
    };
    match failure {
        Failure::Disallowed { rule, name } => {
            let artifacts = match side {
                Side::Materials => subject.materials,
                Side::Products => subject.products,
            };
            let actual = match artifacts.get(&name) {
                None => "absent".to_string(),
                // See `view::unambiguous` and `view::descriptors`.
                Some(_) if name == super::view::NOT_A_LIST => {
                    "the predicate's material list is not a JSON array".to_string()
                }
                Some(set) if set.is_empty() => {
                    "no usable digest (none given, or listed with conflicting digests)".to_string()
                }
                Some(set) => super::why::short_pair(set, &cairn_evidence::DigestSet::new()).0,
            };
            let (label, help) = match rule {
                Some(_) => (
                    "disallowed by this rule",
                    "remove the artifact, or consume it with an earlier rule".to_string(),
                ),
                None if name == super::view::NOT_A_LIST => (
                    "no rule in this block consumes it",
                    "the attestation's materials are malformed: a list of {name, digest} entries is expected".to_string(),
                ),
                None => (
                    "no rule in this block consumes it",
                    format!(
                        "the evidence lists `{name}`, which no rule of this block takes: if it should not be there, produce the evidence again without it; adding a rule for it (`allow`, `match`, `create`) would accept it from now on"
                    ),
                ),
            };
            Finding::deny(
                Code::ArtifactDisallowed,
                format!("{side_name} `{name}` of step `{step}` is not allowed"),
            )
            .step(step)
            .at(rule_span(list, rule), label)
            .artifact(side, &name)
            .values("no such artifact", actual)
            .help(help)
        }
        Failure::Missing { rule, name } => Finding::deny(
            Code::RequiredArtifactMissing,
            format!("required {side_name} `{name}` of step `{step}` is missing"),
        )
        .step(step)
        .at(rule_span(list, Some(rule)), "required here")
        .artifact(side, &name)
        .values(format!("`{name}` still unconsumed"), "absent")
        .help("`require` looks at what earlier rules left; place it before rules that consume the artifact"),
        Failure::BadPattern {
            rule,
            pattern,
            error,
        } => Finding::deny(
            Code::BadPattern,
            format!("pattern `{pattern}` does not compile: {error}"),
        )
        .step(step)
        .at(rule_span(list, Some(rule)), "this rule")
        .help("check the parameter values substituted into this pattern; close every `[`"),
    }
}

/// Inspection reports and findings: not run, failed, or their rules.
pub fn inspections<'a>(
    input: &Input<'a>,
    lookup: &rules::Lookup<'a>,
) -> (Vec<InspectionReport>, Vec<Finding>) {
    let mut reports = Vec::new();
    let mut out = Vec::new();
    for (index, inspection) in input.layout.inspections.iter().enumerate() {
        let id = cairn_lang::ir::InspectionId(u32::try_from(index).unwrap_or(u32::MAX));
        let link = match input.inspections {
            Inspections::NotRun => None,
            Inspections::Ran(map) => map.get(&id),
        };
        let Some(link) = link else {
            let why = match input.inspections {
                Inspections::NotRun => "inspections run only with `--run-inspections`; a policy with inspections cannot pass without their results",
                Inspections::Ran(_) => "no result was recorded for this inspection",
            };
            out.push(
                Finding::deny(
                    Code::InspectionNotRun,
                    format!("inspection `{}` was not run", inspection.name),
                )
                .step(&inspection.name)
                .at(inspection.span, "not run")
                .help(why),
            );
            reports.push(InspectionReport {
                id,
                name: inspection.name.clone(),
                status: Status::NoEvidence,
            });
            continue;
        };
        let before = out.len();
        let code = link.byproducts.get("return-value");
        if code.and_then(serde_json::Value::as_i64) != Some(0) {
            let actual = code.map_or_else(|| "absent".to_string(), ToString::to_string);
            out.push(
                Finding::deny(
                    Code::InspectionFailed,
                    format!("inspection `{}` failed", inspection.name),
                )
                .step(&inspection.name)
                .at(inspection.run.span, "this command")
                .values("return value 0", actual)
                .help("the inspection's command must exit with status 0"),
            );
        }
        let subject = Subject {
            materials: &link.materials,
            products: &link.products,
        };
        for (list, side) in [
            (&inspection.materials, Side::Materials),
            (&inspection.products, Side::Products),
        ] {
            if let Some(list) = list {
                let source = match side {
                    Side::Materials => subject.materials,
                    Side::Products => subject.products,
                };
                for failure in rules::apply(&list.rules, side, &subject, lookup, true) {
                    let miss = match &failure {
                        Failure::Disallowed { rule, name } => super::why::missed_match(
                            input.layout,
                            &list.rules,
                            *rule,
                            name,
                            source,
                            lookup,
                        )
                        .map(|m| (m, name.clone())),
                        _ => None,
                    };
                    out.push(match miss {
                        Some((miss, name)) => super::why::miss_finding(
                            &inspection.name,
                            side,
                            &name,
                            &list.rules,
                            &miss,
                        ),
                        None => rule_failure(&inspection.name, list, side, failure, &subject),
                    });
                }
            }
        }
        reports.push(InspectionReport {
            id,
            name: inspection.name.clone(),
            status: if out.len() > before {
                Status::Failed
            } else {
                Status::Satisfied
            },
        });
    }
    (reports, out)
}

/// The `artifact from STEP` clause against the given artifact.
pub fn final_artifact<'a>(input: &Input<'_>, lookup: &rules::Lookup<'a>) -> Vec<Finding> {
    let Some(clause) = &input.layout.artifact else {
        return Vec::new();
    };
    let step_name = input
        .layout
        .steps
        .get(usize::try_from(clause.step.0).unwrap_or(usize::MAX))
        .map_or("?", |s| s.name.as_str());
    let Some(given) = input.artifact else {
        return vec![Finding::deny(
            Code::NoArtifactGiven,
            format!("the policy verifies an artifact from step `{step_name}` but none was given"),
        )
        .step(step_name)
        .at(clause.span, "an artifact is expected")
        .help("pass the artifact (or its digest) to `verify`")];
    };
    let products: Option<&Artifacts> = lookup(Target::Step(StepId(clause.step.0)), Side::Products);
    let found = products
        .into_iter()
        .flatten()
        .any(|(_, set)| digest::matches(given, set));
    if found {
        return Vec::new();
    }
    let Some(products) = products else {
        return vec![Finding::deny(
            Code::ArtifactNotProduced,
            format!("the given artifact is not a product of step `{step_name}`"),
        )
        .step(step_name)
        .at(clause.span, "the artifact must be a product of this step")
        .values(
            format!("a product of `{step_name}`"),
            digest::describe(given),
        )
        .help(format!(
            "step `{step_name}` has no counted evidence, so it has no products to compare with; fix its evidence first"
        ))
        .follows(step_name)];
    };
    let (expected, actual) = products_compared(products, given);
    vec![Finding::deny(
        Code::ArtifactNotProduced,
        format!("the given artifact is not a product of step `{step_name}`"),
    )
    .step(step_name)
    .at(clause.span, "the artifact must be a product of this step")
    .member("$.subject")
    .follows(step_name)
    .values(expected, actual)
    .help(format!(
        "check that the artifact is the one `{step_name}` built (verify the file it produced, or rebuild and attest the build again); the step's counted evidence names other products"
    ))]
}

/// Products shown in a V107: how many products there were, and the digests
/// of the first few (shortened just enough to tell each from the given
/// artifact), with the given artifact's digest shortened the same way.
fn products_compared(products: &Artifacts, given: &cairn_evidence::DigestSet) -> (String, String) {
    const SHOWN: usize = 3;
    let mut names = Vec::new();
    let mut actual = None;
    for (name, set) in products.iter().take(SHOWN) {
        let (theirs, ours) = super::why::short_pair(set, given);
        names.push(format!("`{name}` {theirs}"));
        actual.get_or_insert(ours);
    }
    let more = products.len().saturating_sub(SHOWN);
    let mut expected = match products.len() {
        0 => "a product, but the step's counted evidence lists none".to_string(),
        1 => format!("the product {}", names.join("")),
        n => format!("one of {n} products: {}", names.join(", ")),
    };
    if more > 0 {
        expected.push_str(&format!(", and {more} more"));
    }
    let actual = actual
        .unwrap_or_else(|| super::why::short_pair(given, &cairn_evidence::DigestSet::new()).0);
    (expected, actual)
}

/// The span of a rule, or of its list for the implicit final rule.
fn rule_span(list: &RuleList, rule: Option<usize>) -> Span {
    rule.and_then(|r| list.rules.get(r))
        .map_or(list.span, |r| r.span)
}

/// Digest sets of `name` in both lists, described, for a disagreement.
fn describe_pair(
    a: Option<&cairn_evidence::DigestSet>,
    b: Option<&cairn_evidence::DigestSet>,
) -> (String, String) {
    let empty = cairn_evidence::DigestSet::new();
    super::why::short_pair(a.unwrap_or(&empty), b.unwrap_or(&empty))
}

/// Every name of either list, sorted, for deterministic iteration.
fn names<'a>(a: &'a Artifacts, b: &'a Artifacts) -> BTreeSet<&'a str> {
    a.keys().chain(b.keys()).collect()
}

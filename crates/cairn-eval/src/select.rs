//! Which attestations count for which step (the first pass of evaluation):
//! step binding, signer authorisation, thresholds over distinct keys, link
//! agreement, command comparison, and each step's artifacts for MATCH.

use std::borrow::Cow;
use std::collections::BTreeSet;

use cairn_evidence::predicates::LINK_V03;
use cairn_evidence::{Artifacts, Origin};
use cairn_lang::ir::{ExpectedAttestation, Functionaries, Layout, Step};

use super::extra;
use super::finding::{Code, Finding};
use super::signers::{key_label, key_name};
use super::verdict::Considered;
use super::view::View;

/// What a step produced in the first pass.
pub struct StepState<'v> {
    /// Every attestation taken for the step, counted or not.
    pub considered: Vec<Considered>,
    /// Counted views per group, in canonical order.
    pub groups: Vec<Group<'v>>,
    /// The step's artifacts: its first counted link, else the merge of its
    /// counted attestations; `None` when nothing counted.
    pub artifacts: Option<(Cow<'v, Artifacts>, Cow<'v, Artifacts>)>,
    /// The link the artifacts come from, when they come from one.
    pub artifacts_from: Option<&'v View<'v>>,
    /// Findings of the first pass (no evidence, threshold, agreement, command).
    pub findings: Vec<Finding>,
}

/// One kind of evidence a step wants: its link, or one expected attestation.
pub struct Group<'v> {
    /// The expected attestation; `None` for the step's own link.
    pub expected: Option<&'v ExpectedAttestation>,
    /// The views that counted, in canonical order.
    pub counted: Vec<&'v View<'v>>,
    /// Whether this group is made of links (bound to the step by name).
    pub is_link: bool,
    /// The `by` the group's attestations answer to.
    pub by: &'v Functionaries,
}

/// Decides which views count for `step`, checks thresholds, agreement and
/// commands, and fixes the step's artifacts.
pub fn first_pass<'v>(layout: &Layout, step: &'v Step, views: &'v [View<'v>]) -> StepState<'v> {
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
    // Under a threshold of more than one key, the attestations of one type
    // must say the same, as links always must: otherwise one key could add
    // to the step's artifacts what the other keys never attested.
    for g in state
        .groups
        .iter()
        .filter(|g| !g.is_link && g.by.threshold > 1)
    {
        let what = format!("`{}` attestations", g.role());
        agree(step, &what, g.by, &g.counted, &mut state.findings);
    }
    // The links answer to their block's own `by` when it has one.
    let links_by = state
        .groups
        .iter()
        .find(|g| g.is_link)
        .map_or(&step.by, |g| g.by);
    agree(step, "links", links_by, &links, &mut state.findings);
    if let Some(first) = links.first() {
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
        state.artifacts = Some((
            Cow::Borrowed(&*first.materials),
            Cow::Borrowed(&*first.products),
        ));
        state.artifacts_from = Some(first);
    } else {
        let counted: Vec<&View<'_>> = state
            .groups
            .iter()
            .flat_map(|g| g.counted.iter().copied())
            .collect();
        if !counted.is_empty() {
            state.artifacts = Some((
                Cow::Owned(merge(counted.iter().map(|v| &*v.materials))),
                Cow::Owned(merge(counted.iter().map(|v| &*v.products))),
            ));
        }
    }
    state
}

/// A V103 finding for each of `views` whose artifacts differ from the
/// first's (`what` they are, and the `by` that must agree, for the message).
fn agree(
    step: &Step,
    what: &str,
    by: &Functionaries,
    views: &[&View<'_>],
    findings: &mut Vec<Finding>,
) {
    if let Some((first, others)) = views.split_first() {
        findings.extend(
            others
                .iter()
                .filter_map(|other| extra::disagreement(step, what, by, first, other)),
        );
    }
}

impl Group<'_> {
    /// The group's predicate type as the policy names it (its alias when
    /// it has one).
    fn role(&self) -> &str {
        self.expected.map_or("link", type_name)
    }
}

/// An expected attestation's type as the policy names it: its alias, or its URI.
fn type_name(e: &ExpectedAttestation) -> &str {
    e.alias.as_deref().unwrap_or(&e.predicate_type)
}

/// The views of one group, its threshold finding, and its `considered` rows.
fn group<'v>(
    layout: &Layout,
    step: &'v Step,
    expected: Option<&'v ExpectedAttestation>,
    by: &'v Functionaries,
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
    let mut refused_signers: BTreeSet<String> = BTreeSet::new();
    let mut first_refused: Option<&Origin> = None;
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
            sigstore: view.sigstore.map(str::to_owned),
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
            first_refused.get_or_insert(view.origin);
            refused_signers.extend(view.signers.iter().map(|&s| key_name(layout, s)));
        }
    }
    let span = expected.map_or(step.span, |e| e.span);
    let about = match expected {
        Some(e) if !is_link => e.predicate_type.as_str(),
        _ => "link",
    };
    // No key at all: a classic step whose functionaries are certificates
    // (in-toto-golang's `cert_constraints`), none of them admitted.
    let needed = if by.keys.is_empty() {
        format!("{} of its certificate functionaries", by.threshold)
    } else {
        format!(
            "{} of {}",
            by.threshold,
            by.keys
                .iter()
                .map(|k| key_label(layout, usize::try_from(k.0).unwrap_or(usize::MAX)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if counted.is_empty() && rejected > 0 {
        let who = if refused_signers.is_empty() {
            "no key of the policy".to_string()
        } else {
            refused_signers
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let allowed: Vec<String> = by
            .keys
            .iter()
            .map(|k| {
                format!(
                    "`{}`",
                    key_name(layout, usize::try_from(k.0).unwrap_or(usize::MAX))
                )
            })
            .collect();
        let sign_with = if allowed.is_empty() {
            "one of its certificate functionaries".to_string()
        } else {
            allowed.join(" or ")
        };
        let mut f = Finding::deny(
                Code::NoEvidence,
                format!(
                    "the evidence for {}, {rejected} attestation{}, is signed by {who}, whom the step does not authorise",
                    subject_of(step, expected),
                    if rejected == 1 { "" } else { "s" }
                ),
            )
            .step(&step.name)
            .about(about)
            .at(by.span, "the signers this step authorises")
            .member("$")
            .values(needed, format!("signed by {}", who.replace('`', "")))
            .help(format!(
                "have {sign_with} sign this evidence; adding {who} to `by` would instead make {who}'s signature count for this step"
            ));
        if let Some(origin) = first_refused {
            f = f.origin(origin);
        }
        findings.push(f);
    } else if counted.is_empty() {
        let mut f = Finding::deny(
            Code::NoEvidence,
            format!("no evidence for {}", subject_of(step, expected)),
        )
        .step(&step.name)
        .about(about)
        .at(span, "nothing satisfies this")
        .values(needed, "none");
        f = if is_link {
            let near =
                cairn_base::suggest::closest(&step.name, views.iter().filter_map(View::link_name));
            f.help(match near {
                Some(n) => format!(
                    "give a link named `{}` signed by an authorised key; the evidence has a link named `{n}`, which is no step: was it meant for `{}`?",
                    step.name, step.name
                ),
                None => format!(
                    "give a link named `{}` signed by an authorised key",
                    step.name
                ),
            })
        } else {
            let wanted = expected.map_or("", |e| e.predicate_type.as_str());
            f.help(match super::why::nearest_type(wanted, views, &BTreeSet::new()) {
                Some(t) => format!("give an attestation of this predicate type signed by an authorised key; the evidence has one of type `{t}`: did you mean that type?"),
                None => "give an attestation of this predicate type signed by an authorised key".to_string(),
            })
        };
        findings.push(f);
    } else if keys.len() < usize::try_from(by.threshold).unwrap_or(usize::MAX) {
        let signed: Vec<String> = keys.iter().map(|&k| key_label(layout, k)).collect();
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
            .help(format!(
                "each authorised functionary must give its own signed evidence; none came from {}",
                authorised
                    .iter()
                    .filter(|k| !keys.contains(k))
                    .map(|&k| format!("`{}`", key_name(layout, k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    Group {
        expected,
        counted,
        is_link,
        by,
    }
}

fn subject_of(step: &Step, expected: Option<&ExpectedAttestation>) -> String {
    match expected {
        Some(e) if e.predicate_type != LINK_V03 => {
            format!("attestation `{}` of step `{}`", type_name(e), step.name)
        }
        _ => format!("step `{}`", step.name),
    }
}

/// The union of several artifact lists (see [`super::view::unambiguous`]).
fn merge<'a>(lists: impl Iterator<Item = &'a Artifacts>) -> Artifacts {
    super::view::unambiguous(lists.flat_map(|list| list.iter().map(|(n, d)| (n, d.clone()))))
}

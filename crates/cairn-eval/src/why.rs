//! Explanations: why an artifact was left in a rule list's queue (which
//! earlier MATCH could have taken it and why it did not), the summary of a
//! cascade of such failures caused by a step without evidence, and hints for
//! evidence whose names match nothing in the policy ("did you mean").
//!
//! Only adds facts to findings; never decides whether something passes.

use std::collections::BTreeSet;

use cairn_base::suggest;
use cairn_evidence::{Artifacts, DigestSet};
use cairn_lang::ir::{Layout, Rule, RuleKind, Side, Target};
use cairn_lang::pattern::Pattern;

use super::finding::{Code, Finding};
use super::rules::Lookup;
use super::view::View;

/// Why an earlier MATCH did not consume a name.
pub enum Miss {
    /// The MATCH's source step or inspection has no evidence.
    NoEvidence {
        /// The rule's index.
        rule: usize,
        /// The target's name.
        target: String,
    },
    /// The destination does not list the name.
    Absent {
        /// The rule's index.
        rule: usize,
        /// The target's name.
        target: String,
        /// The name looked for in the destination.
        wanted: String,
        /// The closest name the destination has.
        nearest: Option<String>,
    },
    /// The destination lists it with other digests.
    Differs {
        /// The rule's index.
        rule: usize,
        /// The target's name.
        target: String,
        /// The destination's digests.
        expected: String,
        /// The source's digests.
        actual: String,
    },
}

impl Miss {
    /// The index of the MATCH rule.
    pub fn rule(&self) -> usize {
        match self {
            Miss::NoEvidence { rule, .. }
            | Miss::Absent { rule, .. }
            | Miss::Differs { rule, .. } => *rule,
        }
    }
}

/// The name of a MATCH target.
pub fn target_name(layout: &Layout, target: Target) -> String {
    let name = layout.target_name(target);
    name.unwrap_or("?").to_string()
}

/// The first MATCH rule before `before` whose pattern selects `name`, and why
/// it did not consume it.
pub fn missed_match<'a>(
    layout: &Layout,
    rules: &[Rule],
    before: Option<usize>,
    name: &str,
    source: &Artifacts,
    lookup: &Lookup<'a>,
) -> Option<Miss> {
    let limit = before.unwrap_or(rules.len());
    for (index, rule) in rules.iter().enumerate().take(limit) {
        let RuleKind::Match {
            pattern,
            src_prefix,
            side,
            dst_prefix,
            from,
        } = &rule.kind
        else {
            continue;
        };
        let Ok(pattern) = Pattern::new(pattern) else {
            continue;
        };
        let stripped = match src_prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(prefix) => {
                let prefix = join(prefix, "");
                match name.strip_prefix(prefix.as_str()) {
                    Some(rest) => rest.to_string(),
                    None => continue,
                }
            }
            None => name.to_string(),
        };
        if !pattern.matches(&stripped) {
            continue;
        }
        let target = target_name(layout, *from);
        let wanted = match dst_prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(prefix) => join(prefix, &stripped),
            None => stripped,
        };
        let Some(dest) = lookup(*from, *side) else {
            return Some(Miss::NoEvidence {
                rule: index,
                target,
            });
        };
        let Some(dst_digest) = dest.get(&wanted) else {
            let nearest = suggest::closest(&wanted, dest.keys()).map(str::to_string);
            return Some(Miss::Absent {
                rule: index,
                target,
                wanted,
                nearest,
            });
        };
        let src_digest = source.get(name).cloned().unwrap_or_default();
        let (expected, actual) = short_pair(dst_digest, &src_digest);
        return Some(Miss::Differs {
            rule: index,
            target,
            expected,
            actual,
        });
    }
    None
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

/// Two digest sets, each value shortened to the shortest prefix (at least
/// 12 hex digits) that still tells the two apart.
pub fn short_pair(a: &DigestSet, b: &DigestSet) -> (String, String) {
    let mut keep = 12usize;
    for (alg, va) in a {
        if let Some(vb) = b.get(alg) {
            let common = va
                .chars()
                .zip(vb.chars())
                .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
                .count();
            keep = keep.max(common + 4);
        }
    }
    let show = |set: &DigestSet| {
        if set.is_empty() {
            return "absent".to_string();
        }
        set.iter()
            .map(|(alg, v)| {
                let cut: String = v.chars().take(keep).collect();
                if cut.len() < v.len() {
                    format!("{alg}:{cut}…")
                } else {
                    format!("{alg}:{v}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    (show(a), show(b))
}

/// A finding for `miss` (the artifact `name` of `step`, left unconsumed).
pub fn miss_finding(step: &str, side: Side, name: &str, rules: &[Rule], miss: &Miss) -> Finding {
    let side_name = match side {
        Side::Materials => "material",
        Side::Products => "product",
    };
    let span = rules.get(miss.rule()).map(|r| r.span);
    let f = Finding::deny(
        Code::ArtifactDisallowed,
        format!("{side_name} `{name}` of step `{step}` is not allowed"),
    )
    .step(step)
    .artifact(side, name);
    let f = match miss {
        Miss::NoEvidence { target, .. } => f
            .values(format!("a match in `{target}`"), format!("step `{target}` has no evidence"))
            .help(format!("this MATCH consumes nothing while `{target}` has no counted evidence; fix `{target}` first"))
            .follows(target),
        Miss::Absent {
            target,
            wanted,
            nearest,
            ..
        } => {
            let hint = nearest
                .as_ref()
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            // Absent from a step that misses an attestation: that is why
            // (the verdict folds it under that step's root finding).
            f.values(format!("`{wanted}` in `{target}`"), "absent")
                .help(format!(
                    "`{target}` does not list `{wanted}`, so this MATCH could not take `{name}`{hint}"
                ))
                .follows(target)
        }
        Miss::Differs {
            target,
            expected,
            actual,
            ..
        } => f
            .values(format!("{expected} (in `{target}`)"), actual.clone())
            .help(format!(
                "`{name}` changed between `{target}` and this step: rebuild from the same inputs, or consume it with a rule that allows the change"
            )),
    };
    match span {
        Some(span) => {
            let label = match miss {
                Miss::NoEvidence { .. } => "this MATCH had nothing to match against",
                Miss::Absent { .. } => "this MATCH could have taken it: absent in the destination",
                Miss::Differs { .. } => "this MATCH could have taken it: the digest differs",
            };
            f.at(span, label)
        }
        None => f,
    }
}

/// One finding standing for `count` artifacts that a MATCH from `target`
/// (a step without evidence) could not consume.
pub fn cascade(
    step: &str,
    side: Side,
    target: &str,
    first: &str,
    count: usize,
    rule: Option<&Rule>,
) -> Finding {
    let side_name = match side {
        Side::Materials => "materials",
        Side::Products => "products",
    };
    let f = Finding::deny(
        Code::UpstreamNoEvidence,
        format!("{count} {side_name} of step `{step}` cannot be matched: step `{target}` has no evidence"),
    )
    .step(step)
    .artifact(side, first)
    .values(format!("artifacts matched in `{target}`"), format!("{count} unmatched, first `{first}`"))
    .help(format!("this follows from the missing evidence of `{target}`; fix that first"))
    .follows(target);
    match rule {
        Some(r) => f.at(r.span, "matches from a step without evidence"),
        None => f,
    }
}

/// Hints for counted-nowhere links: a link signed by a functionary of some
/// step whose name is no step of the layout (warnings, "did you mean").
pub fn misnamed_links(
    layout: &Layout,
    views: &[View<'_>],
    looked_at: &BTreeSet<usize>,
) -> Vec<Finding> {
    let names: Vec<&str> = layout.steps.iter().map(|s| s.name.as_str()).collect();
    let mut out = Vec::new();
    for view in views {
        if looked_at.contains(&view.index) {
            continue;
        }
        let Some(claimed) = view.link_name() else {
            continue;
        };
        if names.contains(&claimed) {
            continue;
        }
        let owner = layout.steps.iter().find(|s| {
            s.by.keys
                .iter()
                .any(|k| usize::try_from(k.0).is_ok_and(|k| view.signers.contains(&k)))
        });
        let signer = view
            .signers
            .first()
            .map(|&s| super::signers::key_name(layout, s))
            .unwrap_or_default();
        let guess =
            suggest::closest(claimed, names.iter().copied()).or(owner.map(|s| s.name.as_str()));
        let mut f = Finding::warn(
            Code::LinkNameDiffers,
            format!("the link `{claimed}` signed by `{signer}` names no step of the layout"),
        )
        .origin(view.origin)
        .values(
            guess.map_or_else(|| "a step name".to_string(), |g| format!("`{g}`")),
            format!("`{claimed}`"),
        );
        if let Some(step) = owner {
            f = f
                .step(&step.name)
                .at(step.by.span, "a functionary of this step signed it");
        }
        out.push(match guess {
            Some(g) => f.help(format!(
                "did you mean `{g}`? a link counts only for the step it names"
            )),
            None => f.help(
                "a link counts only for the step it names; rename the step or re-record the link",
            ),
        });
    }
    out
}

/// The closest predicate type among attestations no step looked at. The
/// typo threshold is taken from the type's last two path segments (its
/// name and version): long URIs sharing a prefix are not near each other.
pub fn nearest_type<'v>(
    wanted: &str,
    views: &'v [View<'v>],
    looked_at: &BTreeSet<usize>,
) -> Option<&'v str> {
    let tail: usize = wanted
        .rsplit('/')
        .take(2)
        .map(|p| p.chars().count() + 1)
        .sum();
    let limit = (tail / 3).max(1);
    views
        .iter()
        .filter(|v| !looked_at.contains(&v.index))
        .filter_map(|v| v.predicate_type)
        .filter(|t| *t != wanted)
        .map(|t| (suggest::distance(wanted, t), t))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_pairs_stay_unambiguous() {
        let a: DigestSet = [("sha256".to_string(), "ab".repeat(32))].into();
        let mut other = "ab".repeat(15);
        other.push_str(&"cd".repeat(17));
        let b: DigestSet = [("sha256".to_string(), other)].into();
        let (x, y) = short_pair(&a, &b);
        assert_ne!(x, y);
        assert!(x.len() < 64, "{x}");
        let (x, y) = short_pair(&a, &DigestSet::new());
        assert!(x.starts_with("sha256:abababababab"));
        assert_eq!(y, "absent");
    }
}

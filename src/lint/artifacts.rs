//! Artifact rule lists: missing blocks (L001), open lists (L002), `require`
//! that can never hold (L003, L021), shadowed rules (L004), rules without
//! effect (L005) and steps that check nothing (L019).
//!
//! The analysis is conservative: a rule is reported only when the queue
//! semantics (`reference/in-toto.md` 2.3) make the outcome certain for every
//! possible set of artifacts. Patterns holding `{param}` placeholders are
//! compared only for equality, since their value is unknown until `verify`.

use super::finding::Finding;
use super::Lint;
use crate::ir::{self, RuleKind, RuleList, Side};
use crate::pattern::Pattern;
use crate::predicates::{self, ArtifactModel};
use crate::source::Span;

impl Lint<'_> {
    pub(super) fn artifacts(&mut self) {
        let layout = self.layout;
        for step in &layout.steps {
            let nothing = step_checks_nothing(step);
            if nothing {
                self.push(
                    Finding::new(
                        "L019",
                        step.span,
                        format!("step `{}` checks nothing", step.name),
                    )
                    .label("no rules, no predicate checks")
                    .related(step.by.span, "any evidence signed by these keys satisfies it")
                    .help("add `materials { ... }` and `products { ... }` rules or predicate checks that say what this step must do"),
                );
            }
            if step.expects_link && !nothing {
                let what = format!("step `{}`", step.name);
                self.missing_blocks(&what, step.span, &step.materials, &step.products);
            }
            for list in [&step.materials, &step.products].into_iter().flatten() {
                self.rule_list(list, side_of(step.materials.as_ref(), list));
            }
            for att in &step.attestations {
                let model = predicates::artifact_model(&att.predicate_type);
                if !nothing
                    && matches!(
                        model,
                        ArtifactModel::ProvenanceV1 | ArtifactModel::ProvenanceV02
                    )
                {
                    let what = format!("`{}` attestation of step `{}`", type_name(att), step.name);
                    self.missing_blocks(&what, att.span, &att.materials, &att.products);
                }
                for list in [&att.materials, &att.products].into_iter().flatten() {
                    self.rule_list(list, side_of(att.materials.as_ref(), list));
                }
            }
        }
        for insp in &layout.inspections {
            for list in [&insp.materials, &insp.products].into_iter().flatten() {
                self.rule_list(list, side_of(insp.materials.as_ref(), list));
            }
        }
    }

    fn missing_blocks(
        &mut self,
        what: &str,
        span: Span,
        materials: &Option<RuleList>,
        products: &Option<RuleList>,
    ) {
        for (name, list) in [("materials", materials), ("products", products)] {
            if list.is_none() {
                self.push(
                    Finding::new("L001", span, format!("{what} has no `{name}` block"))
                        .label(format!("any {name} are accepted here"))
                        .help(format!(
                            "write the rules the {name} must follow; an empty block (`{name} {{}}`) accepts none, and `allow \"*\"` says explicitly that anything goes"
                        )),
                );
            }
        }
    }

    fn rule_list(&mut self, list: &RuleList, side: Side) {
        let rules = &list.rules;
        for (i, rule) in rules.iter().enumerate() {
            let earlier = rules.get(..i).unwrap_or(&[]);
            let later = rules.get(i + 1..).unwrap_or(&[]);
            match (&rule.kind, side) {
                (RuleKind::Create { pattern }, Side::Materials) => self.push(
                    Finding::new("L005", rule.span, format!("`create \"{pattern}\"` among materials has no effect"))
                        .label("never consumes anything")
                        .help("a material is never created by its own step: use `allow` or `match`, or move the rule to `products`"),
                ),
                (RuleKind::Delete { pattern }, Side::Products) => self.push(
                    Finding::new("L005", rule.span, format!("`delete \"{pattern}\"` among products has no effect"))
                        .label("never consumes anything")
                        .help("a product is never deleted by its own step: use `allow` or `match`, or move the rule to `materials`"),
                ),
                _ => {}
            }
            if let RuleKind::Require { name } = &rule.kind {
                self.require(name, rule.span, earlier, later, list.span);
                continue;
            }
            if let Some(first) = earlier.iter().find(|e| shadows(&e.kind, &rule.kind)) {
                let why = match &first.kind {
                    RuleKind::Allow { .. } => "this earlier rule accepts every name it could match",
                    RuleKind::Disallow { .. } => {
                        "this earlier rule refuses every name it could match"
                    }
                    _ => "the same rule is written here first",
                };
                self.push(
                    Finding::new("L004", rule.span, "this rule can never match anything")
                        .label("unreachable")
                        .related(first.span, why)
                        .help("rules are applied in order and each artifact is consumed once: remove this rule or move it before the one that shadows it"),
                );
            }
        }
        if let Some(last) = rules.last() {
            if matches!(&last.kind, RuleKind::Allow { pattern } if pattern == "*") {
                self.push(
                    Finding::new("L002", last.span, "the rule list ends with `allow \"*\"`")
                        .label("accepts anything the rules above did not consume")
                        .help("remove it, so that anything not consumed is refused (the implicit `disallow \"*\"`), or list what may appear; classic in-toto layouts end this way when imported"),
                );
            }
        }
    }

    fn require(
        &mut self,
        name: &str,
        span: Span,
        earlier: &[ir::Rule],
        later: &[ir::Rule],
        block: Span,
    ) {
        if let Some(first) = earlier.iter().find(|e| match &e.kind {
            RuleKind::Allow { pattern } | RuleKind::Disallow { pattern } => covers(pattern, name),
            _ => false,
        }) {
            let what = if matches!(first.kind, RuleKind::Allow { .. }) {
                "already consumed here"
            } else {
                "already refused here"
            };
            self.push(
                Finding::new("L003", span, format!("`require \"{name}\"` can never hold"))
                    .label("never still queued at this point")
                    .related(first.span, what)
                    .help("a `require` checks that the name is still queued: move it before the rule that consumes or refuses it"),
            );
            return;
        }
        // The first later rule that could consume or refuse the name.
        for rule in later {
            match &rule.kind {
                RuleKind::Disallow { pattern } if covers(pattern, name) => {
                    self.push(
                        Finding::new("L021", span, format!("`require \"{name}\"` can never hold with the `disallow` below"))
                            .label("requires the artifact")
                            .related(rule.span, "refuses it, and nothing in between consumes it")
                            .help(format!("add a rule between them that consumes `{name}` (`create`, `modify`, `match`, `allow`), or narrow the `disallow`")),
                    );
                    return;
                }
                RuleKind::Require { .. } | RuleKind::Disallow { .. } => {}
                RuleKind::Create { pattern }
                | RuleKind::Delete { pattern }
                | RuleKind::Modify { pattern }
                | RuleKind::Allow { pattern }
                | RuleKind::Match { pattern, .. } => {
                    if could_match(rule_pattern(&rule.kind).as_deref().unwrap_or(pattern), name) {
                        return;
                    }
                }
            }
        }
        self.push(
            Finding::new(
                "L021",
                span,
                format!("`require \"{name}\"` can never hold: no later rule consumes it"),
            )
            .label("requires the artifact")
            .related(
                block,
                "the block ends with an implicit `disallow \"*\"`, which refuses it",
            )
            .help(format!(
                "add a rule after it that consumes `{name}` (`create`, `modify`, `match`, `allow`)"
            )),
        );
    }
}

/// Which side `list` is, given the materials list of the same owner.
fn side_of(materials: Option<&RuleList>, list: &RuleList) -> Side {
    if materials.is_some_and(|m| std::ptr::eq(m, list)) {
        Side::Materials
    } else {
        Side::Products
    }
}

/// The alias or URI of an expected attestation, for messages.
pub(super) fn type_name(att: &ir::ExpectedAttestation) -> String {
    att.alias
        .clone()
        .unwrap_or_else(|| att.predicate_type.clone())
}

/// True when a step constrains nothing: no rules anywhere and no checks (an
/// expected `command` is compared as a warning only, so it does not count).
fn step_checks_nothing(step: &ir::Step) -> bool {
    step.materials.is_none()
        && step.products.is_none()
        && step
            .attestations
            .iter()
            .all(|a| a.materials.is_none() && a.products.is_none() && a.checks.is_empty())
}

/// The pattern a rule matches queued names against (a MATCH's source prefix
/// joined in front, as in-toto filters by it).
fn rule_pattern(kind: &RuleKind) -> Option<String> {
    match kind {
        RuleKind::Create { pattern }
        | RuleKind::Delete { pattern }
        | RuleKind::Modify { pattern }
        | RuleKind::Allow { pattern }
        | RuleKind::Disallow { pattern } => Some(pattern.clone()),
        RuleKind::Match {
            pattern,
            src_prefix,
            ..
        } => Some(match src_prefix {
            Some(p) if !p.is_empty() => format!("{}/{pattern}", p.trim_end_matches('/')),
            _ => pattern.clone(),
        }),
        RuleKind::Require { .. } => None,
    }
}

/// True when `earlier` leaves nothing for `later` to match.
fn shadows(earlier: &RuleKind, later: &RuleKind) -> bool {
    let Some(p) = rule_pattern(later) else {
        return false;
    };
    match earlier {
        RuleKind::Allow { pattern } | RuleKind::Disallow { pattern } if covers(pattern, &p) => true,
        _ => earlier == later,
    }
}

/// True when every name `inner` can match, `outer` matches too (conservative).
fn covers(outer: &str, inner: &str) -> bool {
    if outer == inner || outer == "*" {
        return true;
    }
    if outer.contains(['{', '}']) || inner.contains(['{', '}']) {
        return false;
    }
    match (Pattern::new(outer), Pattern::new(inner)) {
        (Ok(o), Ok(i)) if i.is_literal() => o.matches(inner),
        _ => false,
    }
}

/// True when `pattern` might match the literal `name` (unknown when templated).
fn could_match(pattern: &str, name: &str) -> bool {
    if pattern.contains(['{', '}']) || name.contains(['{', '}']) {
        return true;
    }
    Pattern::new(pattern).map_or(true, |p| p.matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage() {
        assert!(covers("*", "anything/at/all"));
        assert!(covers("foo/*", "foo/bar"));
        assert!(covers("foo/*", "foo/*"));
        assert!(!covers("foo/*", "foo*"));
        assert!(!covers("foo/*", "bar"));
        assert!(!covers("{dir}/*", "x/y"));
        assert!(could_match("{dir}/*", "x"));
        assert!(!could_match("bin/*", "lib/x"));
    }
}

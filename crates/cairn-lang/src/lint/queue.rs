//! Artifact rule lists under in-toto's queue semantics: open lists (L002),
//! `require` that can never hold (L003, L021), shadowed rules (L004) and
//! rules without effect (L005).
//!
//! The analysis is conservative: a rule is reported only when the queue
//! semantics (`reference/in-toto.md` 2.3) make the outcome certain for every
//! possible set of artifacts. Patterns holding `{param}` placeholders are
//! compared only for equality, since their value is unknown until `verify`.

use std::collections::BTreeMap;

use super::finding::Finding;
use super::Lint;
use crate::ir::{self, RuleKind, RuleList, Side};
use crate::pattern::Pattern;
use cairn_base::source::Span;

impl Lint<'_> {
    pub(super) fn rule_list(&mut self, list: &RuleList, side: Side) {
        let rules: Vec<Prepared<'_>> = list.rules.iter().map(Prepared::new).collect();
        // Pairwise comparisons are bounded: past the budget a long list is
        // only checked for exact duplicates (fewer findings, never wrong ones).
        let mut budget = PAIR_BUDGET;
        // Earlier `allow`/`disallow` rules, which consume or refuse unconditionally.
        let mut walls: Vec<&Prepared<'_>> = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (i, p) in rules.iter().enumerate() {
            let rule = p.rule;
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
                let later = rules.get(i + 1..).unwrap_or(&[]);
                self.require(name, rule.span, &walls, later, list.span, &mut budget);
                continue;
            }
            let key = format!("{:?}", rule.kind);
            let shadow = match seen.get(&key) {
                Some(first) => Some((*first, "the same rule is written here first")),
                None => walls
                    .iter()
                    .find(|w| {
                        budget = budget.saturating_sub(1);
                        budget > 0 && w.covers(p)
                    })
                    .map(|w| {
                        let why = if matches!(w.rule.kind, RuleKind::Allow { .. }) {
                            "this earlier rule accepts every name it could match"
                        } else {
                            "this earlier rule refuses every name it could match"
                        };
                        (w.rule.span, why)
                    }),
            };
            if let Some((first, why)) = shadow {
                self.push(
                    Finding::new("L004", rule.span, "this rule can never match anything")
                        .label("unreachable")
                        .related(first, why)
                        .help("rules are applied in order and each artifact is consumed once: remove this rule or move it before the one that shadows it"),
                );
            } else {
                seen.insert(key, rule.span);
            }
            if matches!(
                rule.kind,
                RuleKind::Allow { .. } | RuleKind::Disallow { .. }
            ) {
                walls.push(p);
            }
        }
        if let Some(last) = list.rules.last() {
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
        walls: &[&Prepared<'_>],
        later: &[Prepared<'_>],
        block: Span,
        budget: &mut usize,
    ) {
        let target = Prepared::literal(name);
        if let Some(first) = walls.iter().find(|w| {
            *budget = budget.saturating_sub(1);
            *budget > 0 && w.covers(&target)
        }) {
            let what = if matches!(first.rule.kind, RuleKind::Allow { .. }) {
                "already consumed here"
            } else {
                "already refused here"
            };
            self.push(
                Finding::new("L003", span, format!("`require \"{name}\"` can never hold"))
                    .label("never still queued at this point")
                    .related(first.rule.span, what)
                    .help("a `require` checks that the name is still queued: move it before the rule that consumes or refuses it"),
            );
            return;
        }
        // The first later rule that could consume or refuse the name.
        for p in later {
            *budget = budget.saturating_sub(1);
            if *budget == 0 {
                return;
            }
            match &p.rule.kind {
                RuleKind::Disallow { .. } if p.covers(&target) => {
                    self.push(
                        Finding::new("L021", span, format!("`require \"{name}\"` can never hold with the `disallow` below"))
                            .label("requires the artifact")
                            .related(p.rule.span, "refuses it, and nothing in between consumes it")
                            .help(format!("add a rule between them that consumes `{name}` (`create`, `modify`, `match`, `allow`), or narrow the `disallow`")),
                    );
                    return;
                }
                RuleKind::Require { .. } | RuleKind::Disallow { .. } => {}
                _ => {
                    if p.could_match(name) {
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

/// Comparisons between rules allowed per rule list.
const PAIR_BUDGET: usize = 1_000_000;

/// A rule with its pattern compiled once.
struct Prepared<'a> {
    rule: &'a ir::Rule,
    /// The names it matches against; `None` for `require`.
    pattern: Option<String>,
    /// True when the pattern holds a `{param}` placeholder (value unknown).
    templated: bool,
    /// The compiled pattern (`None` when templated or malformed).
    glob: Option<Pattern>,
    /// True for a literal name (what `require` names), not a pattern.
    is_name: bool,
}

/// A stand-in rule for a literal name (what `require` names).
static NO_RULE: ir::Rule = ir::Rule {
    kind: RuleKind::Require {
        name: String::new(),
    },
    span: Span { start: 0, end: 0 },
};

impl<'a> Prepared<'a> {
    fn new(rule: &'a ir::Rule) -> Prepared<'a> {
        let pattern = rule_pattern(&rule.kind);
        let templated = pattern.as_deref().is_some_and(|p| p.contains(['{', '}']));
        let glob = pattern
            .as_deref()
            .filter(|_| !templated)
            .and_then(|p| Pattern::new(p).ok());
        Prepared {
            rule,
            pattern,
            templated,
            glob,
            is_name: false,
        }
    }

    fn literal(name: &str) -> Prepared<'static> {
        Prepared {
            rule: &NO_RULE,
            pattern: Some(name.to_string()),
            templated: name.contains(['{', '}']),
            glob: None,
            is_name: true,
        }
    }

    /// True when every name `inner` can match, this rule's pattern matches too (conservative).
    fn covers(&self, inner: &Prepared<'_>) -> bool {
        let (Some(outer), Some(pattern)) = (&self.pattern, &inner.pattern) else {
            return false;
        };
        if outer == "*" {
            return true;
        }
        if inner.is_name {
            // A name is covered when the pattern matches it: the pattern
            // `[a]` matches `a`, not the name `[a]`.
            return !self.templated
                && !inner.templated
                && self.glob.as_ref().is_some_and(|g| g.matches(pattern));
        }
        if outer == pattern {
            return true;
        }
        if self.templated || inner.templated {
            return false;
        }
        match (&self.glob, &inner.glob) {
            (Some(o), Some(i)) if i.is_literal() => o.matches(pattern),
            _ => false,
        }
    }

    /// True when this rule might match the literal `name` (unknown when templated).
    fn could_match(&self, name: &str) -> bool {
        if self.templated || name.contains(['{', '}']) {
            return true;
        }
        self.glob.as_ref().is_none_or(|g| g.matches(name))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(pattern: &str) -> ir::Rule {
        ir::Rule {
            kind: RuleKind::Allow {
                pattern: pattern.into(),
            },
            span: Span::default(),
        }
    }

    #[test]
    fn coverage() {
        let covers = |o: &str, i: &str| Prepared::new(&allow(o)).covers(&Prepared::literal(i));
        assert!(covers("*", "anything/at/all"));
        assert!(covers("foo/*", "foo/bar"));
        assert!(covers("foo/*", "foo/*"));
        assert!(!covers("foo/*", "foo*"));
        assert!(!covers("foo/*", "bar"));
        assert!(!covers("{dir}/*", "x/y"));
        // A pattern covers the names it matches, not its own text.
        assert!(!covers("[a]", "[a]"));
        assert!(covers("[a]", "a"));
        assert!(covers("[[]a]", "[a]"));
        assert!(Prepared::new(&allow("{dir}/*")).could_match("x"));
        assert!(!Prepared::new(&allow("bin/*")).could_match("lib/x"));
    }
}

//! The table of lint rules: stable code, name, default severity, summary.
//!
//! Codes never change meaning and are never reused; `docs/lints.md` has one
//! section per code whose anchor is [`Rule::anchor`].

use serde::Serialize;

/// How serious a finding is. `Deny` findings make `cairn lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not reported.
    Allow,
    /// A suggestion; never fails a run.
    Advice,
    /// Probably wrong or weak; fails only with `--deny warnings` or `--deny CODE`.
    Warn,
    /// Certainly wrong; fails the run.
    Deny,
}

impl Severity {
    /// The lowercase name (`deny`, `warn`, `advice`, `allow`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Allow => "allow",
            Severity::Advice => "advice",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }
}

/// One lint rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, `L001`...
    pub code: &'static str,
    /// Short kebab-case name, also the anchor in `docs/lints.md`.
    pub name: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
}

impl Rule {
    /// The anchor of the rule's section in `docs/lints.md` (`l001-no-rule-block`).
    pub fn anchor(&self) -> String {
        format!("{}-{}", self.code.to_ascii_lowercase(), self.name)
    }
}

/// Where the rules are documented; SARIF `helpUri` is this plus `#` and the anchor.
pub const DOCS_URL: &str = "https://github.com/cairn-policy/cairn/blob/main/docs/lints.md";

const fn rule(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
) -> Rule {
    Rule {
        code,
        name,
        severity,
        summary,
    }
}

/// Every rule, in code order.
pub const RULES: &[Rule] = &[
    rule(
        "L001",
        "no-rule-block",
        Severity::Warn,
        "a step has no materials or products block, so it accepts anything there",
    ),
    rule(
        "L002",
        "open-rule-list",
        Severity::Warn,
        "a rule list ends with `allow \"*\"`: anything the earlier rules did not consume is accepted",
    ),
    rule(
        "L003",
        "require-after-consumed",
        Severity::Deny,
        "a `require` follows a rule that already consumes or refuses its artifact, so it can never hold",
    ),
    rule(
        "L004",
        "shadowed-rule",
        Severity::Warn,
        "a rule can never match anything because an earlier rule handles every name it could",
    ),
    rule(
        "L005",
        "rule-without-effect",
        Severity::Warn,
        "`create` among materials or `delete` among products can never consume anything",
    ),
    rule(
        "L006",
        "match-from-later-step",
        Severity::Warn,
        "a `match` refers to a step declared later (or to an inspection from a step)",
    ),
    rule(
        "L007",
        "match-cycle",
        Severity::Deny,
        "steps match each other's artifacts in a cycle, so none of them is anchored",
    ),
    rule(
        "L008",
        "unused-key",
        Severity::Warn,
        "a key is declared but no `by` names it",
    ),
    rule(
        "L009",
        "unused-param",
        Severity::Warn,
        "a parameter is declared but no template uses it",
    ),
    rule(
        "L010",
        "placeholder-not-substituted",
        Severity::Warn,
        "a `{NAME}` placeholder sits where parameters are never substituted (readme, summary, key path, type URI)",
    ),
    rule(
        "L011",
        "separation-of-duties",
        Severity::Warn,
        "one key may perform a building step and a step that reviews or tests",
    ),
    rule(
        "L012",
        "single-signer-threshold",
        Severity::Advice,
        "a step lists several functionaries but one signature suffices",
    ),
    rule(
        "L013",
        "expired",
        Severity::Deny,
        "the layout has expired",
    ),
    rule(
        "L014",
        "expires-soon",
        Severity::Warn,
        "the layout expires within the warning window (`--expiry-warn-days`)",
    ),
    rule(
        "L015",
        "expires-far-ahead",
        Severity::Advice,
        "the layout expires more than a year ahead",
    ),
    rule(
        "L016",
        "unknown-predicate-field",
        Severity::Warn,
        "a check's path names a field the predicate type does not define",
    ),
    rule(
        "L017",
        "impossible-comparison",
        Severity::Deny,
        "a check compares a field with a value it can never have",
    ),
    rule(
        "L018",
        "duplicate-check",
        Severity::Warn,
        "the same check is written twice",
    ),
    rule(
        "L019",
        "step-checks-nothing",
        Severity::Warn,
        "a step has no rules and no predicate checks: any signed evidence satisfies it",
    ),
    rule(
        "L020",
        "weak-digest",
        Severity::Warn,
        "a check relies on an md5 or sha1 digest",
    ),
    rule(
        "L021",
        "require-then-disallow",
        Severity::Deny,
        "a `require` is followed by a `disallow` that refuses the same artifact with nothing in between to consume it",
    ),
    rule(
        "L022",
        "bad-allow-comment",
        Severity::Warn,
        "a `# cairn: allow(...)` comment is malformed or names no lint code",
    ),
    rule(
        "L023",
        "products-of-informational",
        Severity::Warn,
        "a `products` block on an attestation whose predicate type has no products",
    ),
    rule(
        "L024",
        "identity-without-issuer",
        Severity::Warn,
        "a Sigstore identity that does not constrain the OIDC issuer",
    ),
    rule(
        "L025",
        "san-any-repository",
        Severity::Warn,
        "a Sigstore identity's SAN regex accepts workflows of any repository",
    ),
    rule(
        "L026",
        "release-identity-on-branch",
        Severity::Warn,
        "an identity that signs for the released artifact is pinned to a branch rather than a tag",
    ),
    rule(
        "L027",
        "count-of-one-value",
        Severity::Warn,
        "a `count` whose path selects one value at most (names and indexes only), never a list",
    ),
];

/// The rule with this code.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sequential_and_names_unique() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.code, format!("L{:03}", i + 1));
            assert!(RULES.iter().filter(|o| o.name == r.name).count() == 1);
            assert!(r.severity != Severity::Allow);
        }
        assert!(RULES.len() >= 15);
    }
}

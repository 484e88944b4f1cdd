//! Artifact rules with in-toto's queue semantics (`reference/in-toto.md`
//! 2.3-2.5), except that hashes are compared as digest sets (DESIGN decision 7)
//! and that every failure is collected instead of stopping at the first.
//!
//! The queue starts as every name of the list's side; consuming rules remove
//! names, `disallow` and `require` inspect what is left. cairn ends each list
//! with an implicit `disallow "*"` (DESIGN decision 2); `apply` takes a flag so
//! the raw in-toto outcome (implicit `allow "*"`) can be checked as well.

use std::collections::BTreeSet;

use cairn_evidence::Artifacts;
use cairn_lang::ir::{Rule, RuleKind, Side, Target};
use cairn_lang::pattern::{Pattern, PatternError};

use super::digest;

/// Finds the artifacts of a MATCH rule's destination: `None` when the target
/// has no evidence (a MATCH then consumes nothing).
pub type Lookup<'a> = dyn Fn(Target, Side) -> Option<&'a Artifacts> + 'a;

/// Why a rule list failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `name` was still queued when a `disallow` matched it; `rule` is the
    /// index of that rule, `None` for the implicit final `disallow "*"`.
    Disallowed { rule: Option<usize>, name: String },
    /// The rule at `rule` requires `name`, which is not queued.
    Missing { rule: usize, name: String },
    /// The rule at `rule` has a pattern that does not compile.
    BadPattern {
        rule: usize,
        pattern: String,
        error: PatternError,
    },
}

/// The artifacts a rule list is evaluated against.
pub struct Subject<'a> {
    /// The attestation's materials.
    pub materials: &'a Artifacts,
    /// The attestation's products.
    pub products: &'a Artifacts,
}

/// What one rule did to the queue (recorded only when a trace is asked for).
/// Serialized with camelCase names, as every JSON output of cairn.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleStep {
    /// The rule's index in its list.
    pub rule: usize,
    /// The rule in the policy.
    pub span: cairn_base::source::Span,
    /// How many names were queued before the rule.
    pub before: usize,
    /// How many names the rule consumed.
    pub consumed: usize,
    /// The first consumed names (at most [`SAMPLE`]).
    pub consumed_sample: Vec<String>,
    /// How many names were queued after the rule.
    pub after: usize,
    /// The first names left after the rule (at most [`SAMPLE`]).
    pub after_sample: Vec<String>,
    /// For a `require` rule (which consumes nothing): whether the name was
    /// in the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
}

/// How many names a trace keeps per rule: traces stay small on huge lists.
pub const SAMPLE: usize = 5;

/// Applies `rules` to the `side` list of `subject`, returning every failure.
pub fn apply<'a>(
    rules: &[Rule],
    side: Side,
    subject: &Subject<'a>,
    lookup: &Lookup<'a>,
    implicit_disallow: bool,
) -> Vec<Failure> {
    apply_traced(rules, side, subject, lookup, implicit_disallow, None)
}

/// [`apply`], recording what each rule did to the queue into `trace` when
/// one is given (no cost when it is `None`).
pub fn apply_traced<'a>(
    rules: &[Rule],
    side: Side,
    subject: &Subject<'a>,
    lookup: &Lookup<'a>,
    implicit_disallow: bool,
    mut trace: Option<&mut Vec<RuleStep>>,
) -> Vec<Failure> {
    let source = match side {
        Side::Materials => subject.materials,
        Side::Products => subject.products,
    };
    // The queue holds indexes into `source`, whose names are sorted and
    // distinct: it is built and filtered in linear time, every consuming
    // rule walks it in name order, and lookups in the other lists use
    // cursors that move forward with it.
    let mut queue: Vec<usize> = (0..source.len()).collect();
    let name = |i: usize| source.name_at(i);
    let sample = |names: &mut dyn Iterator<Item = usize>| -> Vec<String> {
        names.take(SAMPLE).map(|i| name(i).to_string()).collect()
    };
    let mut failures = Vec::new();
    let mut refused: BTreeSet<usize> = BTreeSet::new();
    for (index, rule) in rules.iter().enumerate() {
        // What the rule did, for the trace: the queue's size before it, the
        // names it took and (for a `require`) whether its name was queued.
        let step = |before, consumed: &[usize], queue: &[usize], present| RuleStep {
            rule: index,
            span: rule.span,
            before,
            consumed: consumed.len(),
            consumed_sample: sample(&mut consumed.iter().copied()),
            after: queue.len(),
            after_sample: sample(&mut queue.iter().copied()),
            present,
        };
        let pattern_text = match &rule.kind {
            RuleKind::Require { name: required } => {
                let queued = source
                    .search(required)
                    .is_ok_and(|i| queue.binary_search(&i).is_ok());
                if !queued {
                    failures.push(Failure::Missing {
                        rule: index,
                        name: required.clone(),
                    });
                }
                if let Some(trace) = trace.as_deref_mut() {
                    trace.push(step(queue.len(), &[], &queue, Some(queued)));
                }
                continue;
            }
            RuleKind::Create { pattern }
            | RuleKind::Delete { pattern }
            | RuleKind::Modify { pattern }
            | RuleKind::Allow { pattern }
            | RuleKind::Disallow { pattern }
            | RuleKind::Match { pattern, .. } => pattern,
        };
        let pattern = match Pattern::new(pattern_text) {
            Ok(p) => p,
            Err(error) => {
                failures.push(Failure::BadPattern {
                    rule: index,
                    pattern: pattern_text.clone(),
                    error,
                });
                continue;
            }
        };
        let glob = || queue.iter().copied().filter(|&i| pattern.matches(name(i)));
        let consumed: Vec<usize> = match &rule.kind {
            RuleKind::Match {
                src_prefix,
                side: dst_side,
                dst_prefix,
                from,
                ..
            } => match lookup(*from, *dst_side) {
                Some(dest) => match_rule(
                    &queue,
                    source,
                    dest,
                    &pattern,
                    src_prefix.as_deref(),
                    dst_prefix.as_deref(),
                ),
                None => Vec::new(),
            },
            // Listed on one side and not the other.
            RuleKind::Create { .. } | RuleKind::Delete { .. } => {
                let (with, without) = match rule.kind {
                    RuleKind::Create { .. } => (subject.products, subject.materials),
                    _ => (subject.materials, subject.products),
                };
                let (mut with, mut without) = (with.cursor(), without.cursor());
                glob()
                    .filter(|&i| with.find(name(i)).is_some() && without.find(name(i)).is_none())
                    .collect()
            }
            RuleKind::Modify { .. } => {
                let (mut products, mut materials) =
                    (subject.products.cursor(), subject.materials.cursor());
                glob()
                    .filter(|&i| match (materials.get(name(i)), products.get(name(i))) {
                        (Some(m), Some(p)) => !digest::matches(m, p),
                        _ => false,
                    })
                    .collect()
            }
            RuleKind::Allow { .. } => glob().collect(),
            RuleKind::Disallow { .. } => {
                for i in glob() {
                    refused.insert(i);
                    failures.push(Failure::Disallowed {
                        rule: Some(index),
                        name: name(i).to_string(),
                    });
                }
                Vec::new()
            }
            RuleKind::Require { .. } => Vec::new(),
        };
        let before = queue.len();
        // `consumed` is in queue order: one merged pass instead of a search
        // per name (a rule may consume 100,000 names).
        let mut taken = consumed.iter().peekable();
        queue.retain(|i| {
            if taken.peek() == Some(&i) {
                taken.next();
                false
            } else {
                true
            }
        });
        if let Some(trace) = trace.as_deref_mut() {
            trace.push(step(before, &consumed, &queue, None));
        }
    }
    if implicit_disallow {
        for i in queue {
            if !refused.contains(&i) {
                failures.push(Failure::Disallowed {
                    rule: None,
                    name: name(i).to_string(),
                });
            }
        }
    }
    failures
}

/// `prefix` joined with `name` by one `/` (a trailing `/` on the prefix is harmless).
fn join(prefix: &str, name: &str) -> String {
    if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

/// in-toto's `verify_match_rule`: queued names (indexes into `source`)
/// under `src_prefix` (stripped) that match `pattern` and whose digests
/// match the same name under `dst_prefix` in `dest`.
fn match_rule(
    queue: &[usize],
    source: &Artifacts,
    dest: &Artifacts,
    pattern: &Pattern,
    src_prefix: Option<&str>,
    dst_prefix: Option<&str>,
) -> Vec<usize> {
    let src_prefix = src_prefix.filter(|p| !p.is_empty());
    let dst_prefix = dst_prefix.filter(|p| !p.is_empty());
    let strip = src_prefix.map(|p| join(p, ""));
    let add = dst_prefix.map(|p| join(p, ""));
    // Stripping one prefix and adding another keeps the names in order, so
    // the destination is walked forward once.
    let mut dest = dest.cursor();
    let mut full_dest = String::new();
    let mut consumed = Vec::new();
    for &i in queue {
        let full_src = source.name_at(i);
        let stripped = match &strip {
            Some(prefix) => match full_src.strip_prefix(prefix.as_str()) {
                Some(rest) => rest,
                None => continue,
            },
            None => full_src,
        };
        if !pattern.matches(stripped) {
            continue;
        }
        let wanted = match &add {
            Some(prefix) => {
                full_dest.clear();
                full_dest.push_str(prefix);
                full_dest.push_str(stripped);
                full_dest.as_str()
            }
            None => stripped,
        };
        let (Some(src_digest), Some(dst_digest)) = (source.digest_at(i), dest.get(wanted)) else {
            continue;
        };
        if digest::matches(src_digest, dst_digest) {
            consumed.push(i);
        }
    }
    consumed
}

#[cfg(test)]
mod tests {
    //! The worked examples of `reference/in-toto.md` 2.7, checked twice: the
    //! raw in-toto outcome (implicit `allow "*"`) and cairn's (implicit
    //! `disallow "*"`).
    use super::*;
    use cairn_base::source::Span;
    use cairn_lang::ir::StepId;

    const CHECKOUT: StepId = StepId(0);
    const BUILD: StepId = StepId(1);
    const PACKAGE: StepId = StepId(2);
    const NONEXISTENT: StepId = StepId(3);

    fn arts(pairs: &[(&str, &str)]) -> Artifacts {
        pairs
            .iter()
            .map(|(n, d)| {
                let set = [("sha256".to_string(), d.to_string())].into();
                (n.to_string(), set)
            })
            .collect()
    }

    /// Parses the in-toto array form, written as one space-separated
    /// string, with the importer's own parser.
    fn rule(text: &str) -> Rule {
        let tokens: Vec<&str> = text.split(' ').collect();
        let kind = cairn_interop::classic::rules::unpack(&serde_json::json!(tokens))
            .unwrap()
            .into_kind(|name| {
                Target::Step(match name {
                    "checkout" => CHECKOUT,
                    "build" => BUILD,
                    "package" => PACKAGE,
                    _ => NONEXISTENT,
                })
            });
        Rule {
            kind,
            span: Span::default(),
        }
    }

    struct World {
        checkout: (Artifacts, Artifacts),
        build: (Artifacts, Artifacts),
        package: (Artifacts, Artifacts),
    }

    fn world() -> World {
        World {
            checkout: (
                arts(&[]),
                arts(&[
                    ("src/foo.c", "a"),
                    ("src/util/bar.c", "b"),
                    ("README.md", "c"),
                ]),
            ),
            build: (
                arts(&[
                    ("src/foo.c", "a"),
                    ("src/util/bar.c", "b"),
                    ("README.md", "c"),
                    ("Makefile", "d"),
                ]),
                arts(&[
                    ("src/foo.c", "a"),
                    ("src/util/bar.c", "b"),
                    ("README.md", "e"),
                    ("foo", "f"),
                    ("Makefile", "d"),
                ]),
            ),
            package: (
                arts(&[("build/bin/foo", "f")]),
                arts(&[("dist/foo", "f"), ("dist/other", "9")]),
            ),
        }
    }

    /// Runs `rules` over `step`'s `side`; returns (in-toto, cairn) failures.
    fn run(step: StepId, side: Side, rules: &[&str]) -> (Vec<Failure>, Vec<Failure>) {
        let (raw, cairn, _) = run_traced(step, side, rules);
        (raw, cairn)
    }

    /// [`run`], with the trace of cairn's run.
    fn run_traced(
        step: StepId,
        side: Side,
        rules: &[&str],
    ) -> (Vec<Failure>, Vec<Failure>, Vec<RuleStep>) {
        let w = world();
        let lookup = |target: Target, side: Side| -> Option<&Artifacts> {
            let pair = match target {
                Target::Step(s) if s == CHECKOUT => &w.checkout,
                Target::Step(s) if s == BUILD => &w.build,
                Target::Step(s) if s == PACKAGE => &w.package,
                _ => return None,
            };
            Some(match side {
                Side::Materials => &pair.0,
                Side::Products => &pair.1,
            })
        };
        let own = match step {
            s if s == BUILD => &w.build,
            _ => &w.package,
        };
        let subject = Subject {
            materials: &own.0,
            products: &own.1,
        };
        let rules: Vec<Rule> = rules.iter().map(|r| rule(r)).collect();
        let mut trace = Vec::new();
        let cairn = apply_traced(&rules, side, &subject, &lookup, true, Some(&mut trace));
        (apply(&rules, side, &subject, &lookup, false), cairn, trace)
    }

    fn disallowed(rule: Option<usize>, name: &str) -> Failure {
        Failure::Disallowed {
            rule,
            name: name.into(),
        }
    }

    #[test]
    fn example_a() {
        let rules = [
            "MATCH src/* WITH PRODUCTS FROM checkout",
            "ALLOW Makefile",
            "DISALLOW *",
        ];
        let (raw, cairn) = run(BUILD, Side::Materials, &rules);
        assert_eq!(raw, vec![disallowed(Some(2), "README.md")]);
        assert_eq!(cairn, raw, "the implicit disallow repeats nothing");
    }

    #[test]
    fn example_b() {
        let rules = ["MATCH * WITH PRODUCTS FROM checkout", "DISALLOW *"];
        let (raw, cairn) = run(BUILD, Side::Materials, &rules);
        assert_eq!(raw, vec![disallowed(Some(1), "Makefile")]);
        assert_eq!(cairn, raw);
    }

    #[test]
    fn example_c() {
        let rules = [
            "MATCH src/* WITH PRODUCTS FROM checkout",
            "CREATE foo",
            "MODIFY README.md",
            "ALLOW Makefile",
            "DISALLOW *",
        ];
        let (raw, cairn) = run(BUILD, Side::Products, &rules);
        assert_eq!(raw, vec![]);
        assert_eq!(cairn, vec![]);
    }

    #[test]
    fn example_d() {
        let (raw, cairn) = run(BUILD, Side::Products, &["CREATE *", "DISALLOW *"]);
        let left = ["Makefile", "README.md", "src/foo.c", "src/util/bar.c"];
        let expected: Vec<Failure> = left.iter().map(|n| disallowed(Some(1), n)).collect();
        assert_eq!(raw, expected);
        assert_eq!(cairn, expected);
    }

    #[test]
    fn example_e() {
        let (raw, cairn) = run(BUILD, Side::Products, &["ALLOW *", "REQUIRE foo"]);
        let missing = Failure::Missing {
            rule: 1,
            name: "foo".into(),
        };
        assert_eq!(raw, vec![missing.clone()]);
        assert_eq!(cairn, vec![missing]);
    }

    #[test]
    fn a_require_is_traced_with_whether_its_name_was_queued() {
        let rules = ["REQUIRE foo", "ALLOW *", "REQUIRE foo"];
        let (_, cairn, trace) = run_traced(BUILD, Side::Products, &rules);
        assert_eq!(
            cairn,
            vec![Failure::Missing {
                rule: 2,
                name: "foo".into()
            }]
        );
        let shape: Vec<_> = trace
            .iter()
            .map(|t| (t.rule, t.before, t.consumed, t.after, t.present))
            .collect();
        assert_eq!(
            shape,
            [
                (0, 5, 0, 5, Some(true)),
                (1, 5, 5, 0, None),
                (2, 0, 0, 0, Some(false))
            ]
        );
        assert_eq!(trace[0].after_sample.len(), SAMPLE);
        assert!(trace[0].consumed_sample.is_empty());
        // In the JSON trace only a `require` has `present`.
        let json = serde_json::to_value(&trace).unwrap();
        assert_eq!(json[0]["present"], true);
        assert_eq!(json[2]["present"], false);
        assert!(json[1].get("present").is_none());
    }

    #[test]
    fn example_f() {
        let rules = ["REQUIRE foo", "ALLOW *", "DISALLOW *"];
        let (raw, cairn) = run(BUILD, Side::Products, &rules);
        assert_eq!(raw, vec![]);
        assert_eq!(cairn, vec![]);
    }

    #[test]
    fn example_g() {
        let (raw, cairn) = run(BUILD, Side::Products, &["DISALLOW *.c"]);
        let c = vec![
            disallowed(Some(0), "src/foo.c"),
            disallowed(Some(0), "src/util/bar.c"),
        ];
        assert_eq!(raw, c);
        // cairn also refuses what no rule consumed.
        let mut all = c;
        all.extend(
            ["Makefile", "README.md", "foo"]
                .iter()
                .map(|n| disallowed(None, n)),
        );
        assert_eq!(cairn, all);
    }

    #[test]
    fn example_h() {
        let rules = ["match src/* with products from checkout", "allow *"];
        let (raw, cairn) = run(BUILD, Side::Products, &rules);
        assert_eq!(raw, vec![]);
        assert_eq!(cairn, vec![]);
    }

    #[test]
    fn example_i() {
        let rules = ["MATCH * WITH PRODUCTS FROM nonexistent", "DISALLOW *"];
        let (raw, cairn) = run(BUILD, Side::Materials, &rules);
        let all: Vec<Failure> = ["Makefile", "README.md", "src/foo.c", "src/util/bar.c"]
            .iter()
            .map(|n| disallowed(Some(1), n))
            .collect();
        assert_eq!(raw, all);
        assert_eq!(cairn, all);
    }

    #[test]
    fn example_j() {
        let (raw, cairn) = run(BUILD, Side::Products, &[]);
        assert_eq!(raw, vec![]);
        let all: Vec<Failure> = [
            "Makefile",
            "README.md",
            "foo",
            "src/foo.c",
            "src/util/bar.c",
        ]
        .iter()
        .map(|n| disallowed(None, n))
        .collect();
        assert_eq!(cairn, all, "an empty block refuses everything in cairn");
    }

    #[test]
    fn prefix_examples() {
        for rules in [
            ["MATCH * IN dist WITH MATERIALS IN build/bin FROM package"],
            ["MATCH foo IN dist/ WITH MATERIALS IN build/bin/ FROM package"],
        ] {
            let (raw, cairn) = run(PACKAGE, Side::Products, &rules);
            assert_eq!(raw, vec![]);
            assert_eq!(cairn, vec![disallowed(None, "dist/other")], "{rules:?}");
        }
    }

    #[test]
    fn match_ignores_names_outside_the_source_prefix() {
        let (_, cairn) = run(
            BUILD,
            Side::Products,
            &["MATCH *.c IN src WITH PRODUCTS IN src FROM checkout"],
        );
        // `foo` has no prefix `src/`; python ignores it (Go would not).
        assert!(cairn.contains(&disallowed(None, "foo")));
        assert!(!cairn.contains(&disallowed(None, "src/foo.c")));
    }

    #[test]
    fn match_compares_digest_sets() {
        // README.md differs between checkout (c) and build products (e).
        let (_, cairn) = run(
            BUILD,
            Side::Products,
            &[
                "MATCH * WITH PRODUCTS FROM checkout",
                "ALLOW foo",
                "ALLOW Makefile",
            ],
        );
        assert_eq!(cairn, vec![disallowed(None, "README.md")]);
    }

    #[test]
    fn create_in_materials_and_delete_in_products_consume_nothing() {
        let (raw, _) = run(BUILD, Side::Materials, &["CREATE *", "DISALLOW Makefile"]);
        assert_eq!(raw, vec![disallowed(Some(1), "Makefile")]);
        let (raw, _) = run(BUILD, Side::Products, &["DELETE *", "DISALLOW foo"]);
        assert_eq!(raw, vec![disallowed(Some(1), "foo")]);
    }

    #[test]
    fn bad_pattern_is_a_failure_not_a_panic() {
        let (raw, _) = run(BUILD, Side::Products, &["ALLOW [abc", "ALLOW *"]);
        assert!(matches!(
            raw.as_slice(),
            [Failure::BadPattern { rule: 0, .. }]
        ));
    }
}

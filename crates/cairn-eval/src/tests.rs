//! Evaluator tests over realistic evidence: the DESIGN example chain
//! (checkout link, test-result, two-signature SLSA provenance), one test per
//! finding class, and the property that attestation order never matters.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use cairn_base::source::Span;
use cairn_evidence::model::Subject;
use cairn_evidence::{Artifacts, Attestation, Body, DigestSet, Link, Origin, Statement, Verified};
use cairn_lang::ir::*;

const TEST_RESULT: &str = "https://in-toto.io/attestation/test-result/v0.1";
const PROVENANCE: &str = "https://slsa.dev/provenance/v1";
const NOW: i64 = 1_800_000_000;

fn sp(n: usize) -> Span {
    Span::new(n, n + 1)
}

fn digest(v: &str) -> DigestSet {
    [("sha256".to_string(), v.to_string())].into()
}

fn arts(pairs: &[(&str, &str)]) -> Artifacts {
    pairs
        .iter()
        .map(|(n, d)| (n.to_string(), digest(d)))
        .collect()
}

fn key(name: &str) -> Key {
    Key {
        name: name.into(),
        keytype: "ed25519".into(),
        scheme: "ed25519".into(),
        public: "00".repeat(32),
        keyid: format!("id-{name}"),
        legacy_keyid: format!("legacy-{name}"),
        span: sp(1),
    }
}

fn by(keys: &[u32], threshold: u32) -> Functionaries {
    Functionaries {
        keys: keys.iter().map(|&k| KeyId(k)).collect(),
        threshold,
        span: sp(20),
    }
}

fn rules(list: Vec<RuleKind>) -> Option<RuleList> {
    Some(RuleList {
        rules: list
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Rule {
                kind,
                span: sp(100 + i),
            })
            .collect(),
        span: sp(99),
    })
}

fn match_from(pattern: &str, side: Side, step: u32) -> RuleKind {
    RuleKind::Match {
        pattern: pattern.into(),
        src_prefix: None,
        side,
        dst_prefix: None,
        from: Target::Step(StepId(step)),
    }
}

fn check(path: &str, test: Test) -> Check {
    Check {
        level: Level::Deny,
        path: path.into(),
        root: cairn_lang::ir::Root::Predicate,
        quantifier: Quantifier::One,
        test,
        span: sp(200),
    }
}

fn eq(value: Value) -> Test {
    Test::Compare {
        op: CompareOp::Eq,
        value,
    }
}

/// Keys: 0 alice, 1 ci, 2 ci-backup, 3 mallory (declared but authorised nowhere).
fn layout() -> Layout {
    let checkout = Step {
        name: "checkout".into(),
        span: sp(10),
        by: by(&[0], 1),
        command: Some(Command {
            argv: vec!["git".into(), "clone".into(), "{repo}".into()],
            span: sp(11),
        }),
        materials: None,
        products: rules(vec![RuleKind::Create {
            pattern: "foo".into(),
        }]),
        attestations: vec![],
        expects_link: true,
    };
    let test = Step {
        name: "test".into(),
        span: sp(30),
        by: by(&[1], 1),
        command: None,
        materials: None,
        products: None,
        attestations: vec![ExpectedAttestation {
            predicate_type: TEST_RESULT.into(),
            alias: Some("test-result/v0.1".into()),
            span: sp(31),
            by: None,
            materials: rules(vec![match_from("foo", Side::Products, 0)]),
            products: None,
            checks: vec![
                check("$.result", eq(json!("PASSED"))),
                check("$.failedTests", Test::IsEmpty),
            ],
        }],
        expects_link: false,
    };
    let build = Step {
        name: "build".into(),
        span: sp(40),
        by: by(&[1, 2], 2),
        command: None,
        materials: None,
        products: None,
        attestations: vec![ExpectedAttestation {
            predicate_type: PROVENANCE.into(),
            alias: Some("slsa-provenance/v1".into()),
            span: sp(41),
            by: None,
            materials: rules(vec![match_from("foo", Side::Products, 0)]),
            products: rules(vec![RuleKind::Create {
                pattern: "bin/foo-*".into(),
            }]),
            checks: vec![check(
                "$.runDetails.builder.id",
                eq(json!("https://ci.example.com/")),
            )],
        }],
        expects_link: false,
    };
    Layout {
        ir_version: IR_VERSION,
        name: "foo-release".into(),
        span: sp(0),
        expires: Some(Expiry {
            text: "2027-12-31T00:00:00Z".into(),
            unix: 1_830_211_200,
            span: sp(2),
        }),
        readme: None,
        keys: vec![key("alice"), key("ci"), key("ci-backup"), key("mallory")],
        identities: Vec::new(),
        trust_root: None,
        params: vec![Param {
            name: "repo".into(),
            default: Some("https://git.example.com/foo.git".into()),
            span: sp(3),
        }],
        steps: vec![checkout, test, build],
        inspections: vec![],
        artifact: Some(FinalArtifact {
            step: StepId(2),
            span: sp(50),
        }),
        summary: None,
    }
}

fn instantiated() -> Layout {
    instantiate(&layout(), &BTreeMap::new()).unwrap()
}

fn verified(file: &str, body: Body, signers: Vec<usize>) -> Verified<Attestation> {
    let sha = format!(
        "{:0>64}",
        file.len() * 7919 + file.bytes().map(usize::from).sum::<usize>()
    );
    Verified::assume_verified(
        Attestation {
            origin: Origin {
                file: file.into(),
                line: None,
                entry: None,
            },
            sha256: format!("{file}-{sha}"),
            body,
            sigstore: None,
        },
        signers,
    )
}

fn link(name: &str, command: &[&str], materials: Artifacts, products: Artifacts) -> Body {
    Body::Link(Link {
        name: name.into(),
        command: command.iter().map(|s| s.to_string()).collect(),
        materials,
        products,
        byproducts: json!({}),
        environment: json!({}),
    })
}

fn statement(ptype: &str, subjects: &[(&str, &str)], predicate: Value) -> Body {
    Body::Statement(Statement {
        statement_type: "https://in-toto.io/Statement/v1".into(),
        subjects: subjects
            .iter()
            .map(|(n, d)| Subject {
                name: n.to_string(),
                digest: digest(d),
            })
            .collect(),
        predicate_type: ptype.into(),
        predicate: predicate.into(),
    })
}

fn provenance(builder: &str) -> Value {
    json!({
        "buildDefinition": {
            "buildType": "https://example.com/build/v1",
            "externalParameters": {},
            "resolvedDependencies": [{"name": "foo", "digest": {"sha256": "f00"}}]
        },
        "runDetails": {"builder": {"id": builder}}
    })
}

fn test_result(result: &str, failed: &[&str]) -> Value {
    json!({"result": result, "configuration": [], "passedTests": ["t1", "t2"], "failedTests": failed})
}

/// A bundle that satisfies `layout()`.
fn evidence() -> Vec<Verified<Attestation>> {
    let clone = ["git", "clone", "https://git.example.com/foo.git"];
    vec![
        verified(
            "checkout.link",
            link("checkout", &clone, arts(&[]), arts(&[("foo", "f00")])),
            vec![0],
        ),
        verified(
            "test.json",
            statement(TEST_RESULT, &[("foo", "f00")], test_result("PASSED", &[])),
            vec![1],
        ),
        verified(
            "build-ci.json",
            statement(
                PROVENANCE,
                &[("bin/foo-1.0", "b1")],
                provenance("https://ci.example.com/"),
            ),
            vec![1],
        ),
        verified(
            "build-backup.json",
            statement(
                PROVENANCE,
                &[("bin/foo-1.0", "b1")],
                provenance("https://ci.example.com/"),
            ),
            vec![2],
        ),
    ]
}

fn eval_with(
    layout: &Layout,
    atts: &[Verified<Attestation>],
    artifact: Option<&DigestSet>,
) -> Verdict {
    evaluate(&Input {
        layout,
        attestations: atts,
        now: NOW,
        artifact,
        inspections: Inspections::NotRun,
    })
}

fn codes(v: &Verdict) -> Vec<&'static str> {
    v.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn the_example_chain_passes() {
    let l = instantiated();
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), Vec::<&str>::new(), "{:#?}", v.findings);
    assert!(v.passed());
    assert_eq!(v.used, vec![0, 1, 2, 3]);
    assert!(v.steps.iter().all(|s| s.status == Status::Satisfied));
}

#[test]
fn no_evidence_for_a_step() {
    let l = instantiated();
    let mut e = evidence();
    e.remove(1);
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V101"]);
    assert_eq!(v.steps[1].status, Status::NoEvidence);
    assert!(!v.passed());
}

#[test]
fn unauthorised_signer_does_not_count() {
    let l = instantiated();
    let mut e = evidence();
    e[1] = verified(
        "test.json",
        statement(TEST_RESULT, &[("foo", "f00")], test_result("PASSED", &[])),
        vec![3],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V101"]);
    let considered = &v.steps[1].considered;
    assert_eq!(considered.len(), 1);
    assert!(!considered[0].counted);
    assert_eq!(considered[0].signers, vec!["mallory".to_string()]);
}

#[test]
fn threshold_counts_distinct_keys() {
    let l = instantiated();
    let mut e = evidence();
    // Both provenance attestations signed by ci alone: one key, two needed.
    e[3] = verified(
        "build-backup.json",
        statement(
            PROVENANCE,
            &[("bin/foo-1.0", "b1")],
            provenance("https://ci.example.com/"),
        ),
        vec![1],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V102"]);
    let f = &v.findings[0];
    assert_eq!(
        f.expected.as_deref(),
        Some("2 of ci (keyid id-ci), ci-backup (keyid id-ci-backup)")
    );
    assert_eq!(f.actual.as_deref(), Some("signed by ci (keyid id-ci)"));
    assert_eq!(f.span, Some(sp(20)));
}

#[test]
fn every_counted_attestation_is_checked() {
    let l = instantiated();
    let mut e = evidence();
    e[3] = verified(
        "build-backup.json",
        statement(
            PROVENANCE,
            &[("bin/foo-1.0", "b1")],
            provenance("https://evil.example.com/"),
        ),
        vec![2],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V106"]);
    let f = &v.findings[0];
    assert_eq!(
        f.origin.as_ref().map(|o| o.file.as_str()),
        Some("build-backup.json")
    );
    assert_eq!(
        f.expected.as_deref(),
        Some("== \"https://ci.example.com/\"")
    );
    assert_eq!(f.actual.as_deref(), Some("\"https://evil.example.com/\""));
}

#[test]
fn failed_tests_and_absent_fields_fail() {
    let l = instantiated();
    let mut e = evidence();
    e[1] = verified(
        "test.json",
        statement(
            TEST_RESULT,
            &[("foo", "f00")],
            json!({"result": "FAILED", "failedTests": ["t3"]}),
        ),
        vec![1],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V106", "V106"]);
    e[1] = verified(
        "test.json",
        statement(TEST_RESULT, &[("foo", "f00")], json!({"result": "PASSED"})),
        vec![1],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V106"]);
    assert_eq!(v.findings[0].actual.as_deref(), Some("absent"));
}

#[test]
fn warn_checks_never_fail() {
    let mut l = instantiated();
    let c = &mut l.steps[1].attestations[0].checks[0];
    c.level = Level::Warn;
    let mut e = evidence();
    e[1] = verified(
        "test.json",
        statement(TEST_RESULT, &[("foo", "f00")], test_result("WARNED", &[])),
        vec![1],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V106"]);
    assert_eq!(v.findings[0].severity, Severity::Warn);
    assert!(v.passed());
}

#[test]
fn tested_source_must_match_checkout() {
    let l = instantiated();
    let mut e = evidence();
    e[1] = verified(
        "test.json",
        statement(TEST_RESULT, &[("foo", "0ther")], test_result("PASSED", &[])),
        vec![1],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V104"]);
    let f = &v.findings[0];
    assert_eq!(f.artifact.as_deref(), Some("foo"));
    assert_ne!(
        f.span,
        Some(sp(99)),
        "the finding points at the MATCH that could have taken it, not the block"
    );
    assert_eq!(
        f.label.as_deref(),
        Some("this MATCH could have taken it: the digest differs")
    );
}

#[test]
fn unexpected_product_is_disallowed() {
    let l = instantiated();
    let mut e = evidence();
    for i in [2, 3] {
        let file = if i == 2 {
            "build-ci.json"
        } else {
            "build-backup.json"
        };
        e[i] = verified(
            file,
            statement(
                PROVENANCE,
                &[("bin/foo-1.0", "b1"), ("evil.sh", "e")],
                provenance("https://ci.example.com/"),
            ),
            vec![i - 1],
        );
    }
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V104", "V104"]);
}

#[test]
fn ambiguous_subjects_match_nothing() {
    let l = instantiated();
    let mut e = evidence();
    let twice = [("bin/foo-1.0", "b1"), ("bin/foo-1.0", "b2")];
    for (i, file) in [(2, "build-ci.json"), (3, "build-backup.json")] {
        let body = statement(PROVENANCE, &twice, provenance("https://ci.example.com/"));
        e[i] = verified(file, body, vec![i - 1]);
    }
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V107"]);
}

#[test]
fn links_must_agree() {
    let mut l = instantiated();
    l.steps[0].by = by(&[0, 3], 2);
    let mut e = evidence();
    let clone = ["git", "clone", "https://git.example.com/foo.git"];
    e.push(verified(
        "checkout.m.link",
        link("checkout", &clone, arts(&[]), arts(&[("foo", "bad")])),
        vec![3],
    ));
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert!(codes(&v).contains(&"V103"), "{:?}", codes(&v));
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::LinksDisagree)
        .unwrap();
    assert_eq!(f.artifact.as_deref(), Some("foo"));
}

#[test]
fn link_named_for_another_step_is_not_evidence() {
    let l = instantiated();
    let mut e = evidence();
    let clone = ["git", "clone", "https://git.example.com/foo.git"];
    e[0] = verified(
        "checkout.link",
        link("review", &clone, arts(&[]), arts(&[("foo", "f00")])),
        vec![0],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    // No checkout evidence: V101; what the MATCHes from checkout could not
    // consume is summed up once per rule list (V120); the misnamed link is
    // pointed out (V118).
    assert_eq!(codes(&v), vec!["V101", "V120", "V120", "V120", "V118"]);
    assert_eq!(v.ignored, vec![0]);
}

#[test]
fn link_v03_statement_is_a_link() {
    let l = instantiated();
    let mut e = evidence();
    let pred = json!({"name": "checkout", "command": ["git", "clone", "https://git.example.com/foo.git"], "materials": []});
    e[0] = verified(
        "checkout.json",
        statement(
            cairn_evidence::predicates::LINK_V03,
            &[("foo", "f00")],
            pred,
        ),
        vec![0],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert!(v.passed(), "{:#?}", v.findings);
}

#[test]
fn required_artifact_missing() {
    let mut l = instantiated();
    l.steps[0].products = rules(vec![
        RuleKind::Require {
            name: "go.mod".into(),
        },
        RuleKind::Allow {
            pattern: "*".into(),
        },
    ]);
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V105"]);
    assert_eq!(v.findings[0].span, Some(sp(100)));
}

#[test]
fn final_artifact_must_be_a_product() {
    let l = instantiated();
    let v = eval_with(&l, &evidence(), Some(&digest("other")));
    assert_eq!(codes(&v), vec!["V107"]);
    let v = eval_with(&l, &evidence(), None);
    assert_eq!(codes(&v), vec!["V108"]);
    let mut unbound = l.clone();
    unbound.artifact = None;
    let v = eval_with(&unbound, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V117"]);
}

#[test]
fn expiry_is_inclusive() {
    let l = instantiated();
    let e = evidence();
    let at = |now| {
        evaluate(&Input {
            layout: &l,
            attestations: &e,
            now,
            artifact: Some(&digest("b1")),
            inspections: Inspections::NotRun,
        })
    };
    assert!(at(1_830_211_199).passed());
    let v = at(1_830_211_200);
    assert_eq!(codes(&v), vec!["V109"]);
    assert_eq!(
        v.findings[0].actual.as_deref(),
        Some("2027-12-31T00:00:00Z")
    );
}

#[test]
fn command_differs_is_a_warning() {
    let l = instantiated();
    let mut e = evidence();
    e[0] = verified(
        "checkout.link",
        link(
            "checkout",
            &["git", "clone", "https://evil"],
            arts(&[]),
            arts(&[("foo", "f00")]),
        ),
        vec![0],
    );
    let v = eval_with(&l, &e, Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V112"]);
    assert!(v.passed());
}

#[test]
fn inspections_not_run_cannot_pass() {
    let mut l = instantiated();
    l.inspections.push(Inspection {
        name: "untar".into(),
        span: sp(60),
        run: Command {
            argv: vec!["tar".into(), "xf".into(), "foo.tgz".into()],
            span: sp(61),
        },
        materials: None,
        products: rules(vec![match_from("bin/*", Side::Products, 2)]),
    });
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V110"]);
    assert!(!v.passed());

    let ok = BTreeMap::from([(
        InspectionId(0),
        Link {
            name: "untar".into(),
            command: vec![],
            materials: arts(&[]),
            products: arts(&[("bin/foo-1.0", "b1")]),
            byproducts: json!({"return-value": 0}),
            environment: json!({}),
        },
    )]);
    let e = evidence();
    let run = |map: &BTreeMap<InspectionId, Link>| {
        evaluate(&Input {
            layout: &l,
            attestations: &e,
            now: NOW,
            artifact: Some(&digest("b1")),
            inspections: Inspections::Ran(map),
        })
    };
    assert!(run(&ok).passed());
    let mut bad = ok.clone();
    if let Some(link) = bad.get_mut(&InspectionId(0)) {
        link.byproducts = json!({"return-value": 1});
        link.products = arts(&[("bin/foo-1.0", "tampered")]);
    }
    assert_eq!(codes(&run(&bad)), vec!["V111", "V104"]);
    assert_eq!(codes(&run(&BTreeMap::new())), vec!["V110"]);
}

#[test]
fn fail_closed_on_empty_things() {
    let mut l = instantiated();
    l.steps.clear();
    l.artifact = None;
    let v = eval_with(&l, &[], None);
    assert_eq!(codes(&v), vec!["V115"]);
    assert!(!v.passed());

    let mut l = instantiated();
    l.steps[1].attestations.clear();
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V116"]);
}

#[test]
fn warnings_alone_do_not_make_a_pass() {
    // A layout whose only step has no evidence and whose findings are all
    // suppressed cannot happen; but a verdict with no findings and no
    // satisfied step must still fail.
    let v = Verdict {
        layout: "x".into(),
        now: 0,
        steps: vec![],
        inspections: vec![],
        findings: vec![],
        used: vec![],
        ignored: vec![],
    };
    assert!(!v.passed());
}

#[test]
fn instantiate_substitutes_and_reports_missing() {
    let l = instantiated();
    assert_eq!(
        l.steps[0].command.as_ref().map(|c| c.argv[2].as_str()),
        Some("https://git.example.com/foo.git")
    );
    let given = BTreeMap::from([("repo".to_string(), "https://mirror/foo.git".to_string())]);
    let l2 = instantiate(&layout(), &given).unwrap();
    assert_eq!(
        l2.steps[0].command.as_ref().map(|c| c.argv[2].as_str()),
        Some("https://mirror/foo.git")
    );

    let mut l3 = layout();
    l3.params[0].default = None;
    l3.steps[1].attestations[0].checks[0].test = eq(json!(["{verdict}"]));
    l3.steps[0].products = rules(vec![RuleKind::Allow {
        pattern: "{dir}/*".into(),
    }]);
    let missing = instantiate(&l3, &BTreeMap::new()).unwrap_err();
    let names: Vec<&str> = missing.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["repo", "dir", "verdict"]);
    assert_eq!(missing[0].span, sp(11));
    assert_eq!(Finding::missing_param(&missing[0]).code.as_str(), "V113");
}

#[test]
fn bad_pattern_after_substitution_is_a_finding() {
    let mut l = layout();
    l.params.push(Param {
        name: "dir".into(),
        default: Some("[oops".into()),
        span: sp(4),
    });
    l.steps[0].products = rules(vec![RuleKind::Allow {
        pattern: "{dir}/*".into(),
    }]);
    let l = instantiate(&l, &BTreeMap::new()).unwrap();
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V114", "V104"]);
}

#[test]
fn bad_regex_after_substitution_is_a_finding() {
    let mut l = layout();
    l.params.push(Param {
        name: "ver".into(),
        default: Some("(".into()),
        span: sp(4),
    });
    l.steps[1].attestations[0].checks[0].level = Level::Warn;
    l.steps[1].attestations[0].checks[0].test = Test::Matches {
        regex: "^{ver}".into(),
    };
    let l = instantiate(&l, &BTreeMap::new()).unwrap();
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V114"]);
    assert_eq!(
        v.findings[0].severity,
        Severity::Deny,
        "a broken warn check still denies"
    );
    assert_eq!(
        v.findings[0].help.as_deref(),
        Some("check the parameter values substituted into this check")
    );
}

/// A check that cannot be evaluated in a layout without parameters (one
/// not compiled from `.cairn` text) blames the check, not parameters.
#[test]
fn bad_regex_without_parameters_blames_the_check() {
    let mut l = instantiated();
    l.params.clear();
    l.steps[1].attestations[0].checks[0].test = Test::Matches { regex: "(".into() };
    let v = eval_with(&l, &evidence(), Some(&digest("b1")));
    assert_eq!(codes(&v), vec!["V114"]);
    let help = v.findings[0].help.as_deref().unwrap_or_default();
    assert!(!help.contains("parameter"), "{help}");
    assert!(help.contains("correct the check"), "{help}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every single mutation of the passing bundle fails: dropping an
    /// attestation, re-signing it with an unauthorised key, or changing one
    /// digest of one artifact.
    #[test]
    fn every_mutation_fails(which in 0..4usize, how in 0..3usize) {
        let l = instantiated();
        let mut e = evidence();
        match how {
            0 => {
                e.remove(which);
            }
            1 => {
                let att = e[which].value().clone();
                e[which] = Verified::assume_verified(att, vec![3]);
            }
            _ => {
                let mut att = e[which].value().clone();
                match &mut att.body {
                    Body::Link(link) => {
                        link.products.insert("foo".into(), digest("tampered"));
                    }
                    Body::Statement(st) => st.subjects[0].digest = digest("tampered"),
                }
                let signers = e[which].signers().to_vec();
                e[which] = Verified::assume_verified(att, signers);
            }
        }
        let v = eval_with(&l, &e, Some(&digest("b1")));
        prop_assert!(!v.passed(), "mutation {how} of {which} passed");
    }

    /// Shuffling the attestations never changes the verdict or its findings.
    #[test]
    fn order_never_matters(
        order in Just((0..7usize).collect::<Vec<_>>()).prop_shuffle(),
        drop_one in proptest::option::of(0..7usize),
    ) {
        let l = instantiated();
        let clone = ["git", "clone", "https://git.example.com/foo.git"];
        let mut base = evidence();
        // Extra material: a disagreeing duplicate link, an unauthorised
        // attestation and a failing test result signed by the right key.
        base.push(verified("checkout2.link", link("checkout", &clone, arts(&[]), arts(&[("foo", "bad")])), vec![0]));
        base.push(verified("x.json", statement(TEST_RESULT, &[("foo", "f00")], test_result("PASSED", &[])), vec![3]));
        base.push(verified("t2.json", statement(TEST_RESULT, &[("foo", "f00")], test_result("FAILED", &["t9"])), vec![1]));
        if let Some(d) = drop_one {
            base.remove(d % base.len());
        }
        let reference = eval_with(&l, &base, Some(&digest("b1")));
        let shuffled: Vec<_> = order.iter().filter_map(|&i| base.get(i).cloned()).collect();
        prop_assume!(shuffled.len() == base.len());
        let v = eval_with(&l, &shuffled, Some(&digest("b1")));
        prop_assert_eq!(v.passed(), reference.passed());
        prop_assert_eq!(&v.findings, &reference.findings);
        let used = |v: &Verdict, atts: &[Verified<Attestation>]| {
            let mut s: Vec<String> = v.used.iter().map(|&i| atts[i].value().sha256.clone()).collect();
            s.sort();
            s
        };
        prop_assert_eq!(used(&v, &shuffled), used(&reference, &base));
        prop_assert!(!v.passed());
        // Steps evaluated on every core give what one thread gives.
        let (one_thread, _) = crate::evaluate_traced(&Input {
            layout: &l,
            attestations: &shuffled,
            now: NOW,
            artifact: Some(&digest("b1")),
            inspections: Inspections::NotRun,
        });
        prop_assert_eq!(&one_thread, &v);
    }
}

/// Coverage: in the passing chain every step, rule and check decided
/// something and nothing refused; the unused key decided nothing; a failed
/// test result makes its step and the check refuse.
#[test]
fn coverage_says_what_decided_and_what_refused() {
    let l = instantiated();
    let traced = |atts: &[Verified<Attestation>]| {
        crate::evaluate_traced(&Input {
            layout: &l,
            attestations: atts,
            now: NOW,
            artifact: Some(&digest("b1")),
            inspections: Inspections::NotRun,
        })
    };
    let (verdict, trace) = traced(&evidence());
    assert!(verdict.passed());
    let all = crate::coverage::decisions(&l, &verdict, &trace);
    let of = |kind: crate::coverage::PointKind| all.iter().filter(move |d| d.kind == kind);
    use crate::coverage::PointKind as K;
    assert_eq!(of(K::Step).count(), 3);
    assert!(of(K::Step).all(|d| d.decided && !d.refused));
    assert!(of(K::Rule).all(|d| d.decided && !d.refused), "{all:?}");
    assert!(of(K::Check).all(|d| d.decided && !d.refused));
    let keys: Vec<(&str, bool)> = of(K::Key).map(|d| (d.name.as_str(), d.decided)).collect();
    assert_eq!(
        keys,
        [
            ("alice", true),
            ("ci", true),
            ("ci-backup", true),
            ("mallory", false)
        ]
    );
    // `create` only consumes; `match` can refuse.
    let can: Vec<bool> = of(K::Rule).map(|d| d.can_refuse).collect();
    assert_eq!(can, [false, true, true, false]);

    let mut failing = evidence();
    failing[1] = verified(
        "test.json",
        statement(
            TEST_RESULT,
            &[("foo", "f00")],
            test_result("FAILED", &["t9"]),
        ),
        vec![1],
    );
    let (verdict, trace) = traced(&failing);
    assert!(!verdict.passed());
    let all = crate::coverage::decisions(&l, &verdict, &trace);
    let test = all
        .iter()
        .find(|d| d.kind == K::Step && d.name == "test")
        .unwrap();
    assert!(test.decided && test.refused);
    assert!(all.iter().any(|d| d.kind == K::Check && d.refused));
    assert!(all
        .iter()
        .filter(|d| d.kind == K::Step && d.name != "test")
        .all(|d| !d.refused));
}

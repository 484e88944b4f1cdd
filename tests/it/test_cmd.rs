//! `cairn test`: the suites of `policies/` pass and cover every bundle the
//! examples ship; a broken case fails with a diff naming the missing and
//! extra codes; the JUnit output has the structure of the JUnit schema
//! (`tests/junit/junit.xsd`, also checked with xmllint when it is
//! installed, and always in `.ci/run`); coverage names what no case reached.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::cairn_in;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// JUnit times vary from run to run: `time="0.000"` in snapshots.
fn without_times(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find(" time=\"") {
        let (head, tail) = rest.split_at(at + 7);
        out.push_str(head);
        let end = tail.find('"').unwrap();
        out.push_str("0.000");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A scratch copy of `policies/release` and `policies/threshold` (whose keys
/// a case borrows), with its `tests/` folder emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for policy in ["release", "threshold", "baselines"] {
        copy_tree(
            &root().join("policies").join(policy),
            &dir.join("policies").join(policy),
        );
    }
    let tests = dir.join("policies/release/tests");
    std::fs::remove_dir_all(&tests).unwrap();
    std::fs::create_dir_all(&tests).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Checks JUnit XML against the structure of `tests/junit/junit.xsd`:
/// the elements nest as the schema says, required attributes are there,
/// counts are integers and agree with the cases, times are decimals.
/// Returns (tests, failures, errors) of the root.
fn check_junit(xml: &str) -> (usize, usize, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut root_counts = None;
    let (mut cases, mut failed, mut errored) = (0usize, 0usize, 0usize);
    let (mut suite_counts, mut in_suite) = ((0usize, 0usize, 0usize), (0usize, 0usize, 0usize));
    let number = |v: &str| -> usize { v.parse().unwrap_or_else(|_| panic!("count {v:?}")) };
    loop {
        let event = reader.read_event().unwrap();
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                let name = stack.pop().unwrap();
                if name == "testsuite" {
                    assert_eq!(suite_counts, in_suite, "a testsuite's counts");
                }
                continue;
            }
            Event::Eof => break,
            Event::Text(t) => {
                let parent = stack.last().map(String::as_str);
                assert!(
                    t.iter().all(u8::is_ascii_whitespace)
                        || matches!(parent, Some("failure" | "error" | "skipped")),
                    "text in {parent:?}"
                );
                continue;
            }
            _ => continue,
        };
        let e = start.unwrap();
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let attrs: std::collections::BTreeMap<String, String> = e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect();
        let parent = stack.last().map(String::as_str);
        let allowed: &[&str] = match name.as_str() {
            "testsuites" => &["name", "tests", "failures", "errors", "time"],
            "testsuite" => &[
                "name",
                "tests",
                "failures",
                "errors",
                "skipped",
                "time",
                "timestamp",
                "hostname",
                "file",
            ],
            "properties" => &[],
            "property" => &["name", "value"],
            "testcase" => &["name", "classname", "time"],
            "failure" | "error" | "skipped" => &["message", "type"],
            other => panic!("element {other} is not in the schema"),
        };
        for key in attrs.keys() {
            assert!(allowed.contains(&key.as_str()), "{name} has {key}");
        }
        if let Some(time) = attrs.get("time") {
            assert!(time.parse::<f64>().is_ok_and(|t| t >= 0.0), "time {time}");
        }
        match (name.as_str(), parent) {
            ("testsuites", None) => {
                root_counts = Some((
                    number(&attrs["tests"]),
                    number(&attrs["failures"]),
                    number(&attrs["errors"]),
                ));
            }
            ("testsuite", Some("testsuites")) => {
                for required in ["name", "tests", "failures", "errors"] {
                    assert!(attrs.contains_key(required), "testsuite without {required}");
                }
                suite_counts = (
                    number(&attrs["tests"]),
                    number(&attrs["failures"]),
                    number(&attrs["errors"]),
                );
                in_suite = (0, 0, 0);
            }
            ("properties", Some("testsuite")) | ("property", Some("properties")) => {
                if name == "property" {
                    assert!(attrs.contains_key("name") && attrs.contains_key("value"));
                }
            }
            ("testcase", Some("testsuite")) => {
                assert!(attrs.contains_key("name"), "testcase without name");
                cases += 1;
                in_suite.0 += 1;
            }
            ("failure", Some("testcase")) => {
                failed += 1;
                in_suite.1 += 1;
            }
            ("error", Some("testcase")) => {
                errored += 1;
                in_suite.2 += 1;
            }
            ("skipped", Some("testcase")) => {}
            (name, parent) => panic!("{name} inside {parent:?}"),
        }
        if !empty {
            stack.push(name);
        }
    }
    assert!(stack.is_empty());
    let counts = root_counts.expect("a <testsuites> root");
    assert_eq!(counts, (cases, failed, errored), "the root's counts");
    counts
}

/// Validates with xmllint against `tests/junit/junit.xsd` when xmllint is
/// installed (in CI it must be: `.ci/run` installs it).
fn xmllint(xml: &str, name: &str) {
    let file = std::env::temp_dir().join(format!("cairn-junit-{name}-{}.xml", std::process::id()));
    std::fs::write(&file, xml).unwrap();
    let schema = root().join("tests/junit/junit.xsd");
    match std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
    {
        Ok(o) => assert!(o.status.success(), "{}", text(&o.stderr)),
        Err(_) => assert!(
            std::env::var_os("CI").is_none(),
            "xmllint is needed in CI (apt-get install libxml2-utils)"
        ),
    }
    let _ = std::fs::remove_file(file);
}

#[test]
fn the_policies_suites_pass_and_their_junit_is_valid() {
    let human = cairn_in(&root(), &["test", "policies"]);
    assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
    insta::assert_snapshot!("test_policies_human", text(&human.stdout));

    let junit = cairn_in(&root(), &["test", "policies", "--format", "junit"]);
    assert_eq!(junit.status.code(), Some(0));
    let xml = text(&junit.stdout);
    let (tests, failures, errors) = check_junit(&xml);
    assert!(tests >= 29, "{tests}");
    assert_eq!((failures, errors), (0, 0));
    xmllint(&xml, "policies");
    insta::assert_snapshot!("test_policies_junit", without_times(&xml));
}

/// Every bundle under `policies/*/bundles/` is a case of its policy's
/// suites, with the verdict and codes of its `<case>.expected.json` and
/// its arguments: the suites and the expected files cannot drift apart.
#[test]
fn every_bundle_is_a_case_of_a_suite() {
    let out = cairn_in(&root(), &["test", "policies", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("policy.cairn").is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let suite_file = format!("policies/{name}/tests/bundles.toml");
        let suite: toml::Table =
            toml::from_str(&std::fs::read_to_string(root().join(&suite_file)).unwrap()).unwrap();
        let defaults = suite.get("defaults").and_then(|d| d.as_table()).cloned();
        let cases = suite["case"].as_array().unwrap();
        let results = report["suites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == suite_file.as_str())
            .unwrap_or_else(|| panic!("no results for {suite_file}"));
        for bundle in std::fs::read_dir(dir.join("bundles")).unwrap() {
            let path = bundle.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap();
            let Some(case) = file.strip_suffix(".expected.json") else {
                continue;
            };
            let spec: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let written = cases
                .iter()
                .find(|c| c["name"].as_str() == Some(case))
                .unwrap_or_else(|| panic!("{suite_file} has no case `{case}`"));
            let field = |key: &str| -> Option<String> {
                written
                    .get(key)
                    .or_else(|| defaults.as_ref().and_then(|d| d.get(key)))
                    .map(|v| v.as_str().unwrap().to_owned())
            };
            assert_eq!(
                written["evidence"].as_array().unwrap(),
                &vec![toml::Value::String(format!("bundles/{case}.intoto.jsonl"))],
                "{name}/{case}"
            );
            // The arguments of the expected file, as the suite gives them.
            let mut args: Vec<String> = Vec::new();
            if let Some(a) = field("artifact") {
                args.extend(["--artifact".to_owned(), a]);
            }
            if let Some(d) = field("inspection-dir") {
                args.extend([
                    "--run-inspections".to_owned(),
                    "--inspection-dir".to_owned(),
                    d,
                ]);
            }
            if let Some(params) = written.get("params").and_then(|p| p.as_table()) {
                for (k, v) in params {
                    args.extend(["--param".to_owned(), format!("{k}={}", v.as_str().unwrap())]);
                }
            }
            args.extend(["--time".to_owned(), field("time").unwrap()]);
            let mut want: Vec<String> = spec["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            want.sort();
            args.sort();
            assert_eq!(args, want, "{name}/{case}: arguments");

            let result = results["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == case)
                .unwrap();
            let verdict = match spec["exit"].as_i64().unwrap() {
                0 => "pass",
                1 => "fail",
                _ => "error",
            };
            assert_eq!(result["expected"]["verdict"], verdict, "{name}/{case}");
            let codes: BTreeSet<&str> = result["expected"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap())
                .collect();
            let want: BTreeSet<&str> = spec["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(codes, want, "{name}/{case}: codes");
            seen += 1;
        }
    }
    assert!(seen >= 28, "only {seen} bundles");
}

const BROKEN: &str = r#"[defaults]
time = "2026-06-01T00:00:00Z"
artifact = "artifacts/bin/foo-1.0"

[[case]]
name = "pass"
evidence = ["bundles/pass.intoto.jsonl"]
expect = "pass"

# Wrong on purpose: the tampered artifact gives V107, not V104.
[[case]]
name = "tampered-artifact"
evidence = ["bundles/tampered-artifact.intoto.jsonl"]
artifact = "artifacts/tampered/foo-1.0"
expect = "fail"
codes = ["V104"]

# Wrong on purpose: the review is missing, which fails.
[[case]]
name = "missing-review"
evidence = ["bundles/missing-review.intoto.jsonl"]
expect = "pass"
[[case.finding]]
code = "V101"
step = "review"
line = 12
"#;

#[test]
fn a_broken_case_fails_with_a_diff() {
    let dir = scratch("broken");
    std::fs::write(dir.join("policies/release/tests/broken.toml"), BROKEN).unwrap();
    let human = cairn_in(&dir, &["test", "policies/release"]);
    assert_eq!(human.status.code(), Some(1), "{}", text(&human.stderr));
    let stdout = text(&human.stdout);
    assert!(stdout.contains("- V104\n"), "{stdout}");
    assert!(stdout.contains("+ V107 (step build, line 75)"), "{stdout}");
    insta::assert_snapshot!("test_broken_human", stdout);

    let json = cairn_in(&dir, &["test", "policies/release", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let case = &report["suites"][0]["cases"][1];
    assert_eq!(case["passed"], false);
    assert_eq!(case["missing"][0]["code"], "V104");
    assert_eq!(case["extra"][0]["code"], "V107");
    insta::assert_snapshot!("test_broken_json", text(&json.stdout));

    let junit = cairn_in(&dir, &["test", "policies/release", "--format", "junit"]);
    assert_eq!(junit.status.code(), Some(1));
    let xml = text(&junit.stdout);
    assert_eq!(check_junit(&xml), (3, 2, 0));
    xmllint(&xml, "broken");
    insta::assert_snapshot!("test_broken_junit", without_times(&xml));

    // A summary for a CI job's page: the failed cases with what they missed.
    let markdown = cairn_in(&dir, &["test", "policies/release", "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(1));
    assert!(
        text(&markdown.stderr).is_empty(),
        "{}",
        text(&markdown.stderr)
    );
    insta::assert_snapshot!("test_broken_markdown", text(&markdown.stdout));

    // `--filter` runs only the cases whose `SUITE:CASE` name holds the text.
    let only = cairn_in(&dir, &["test", "policies", "--filter", "broken.toml:pass"]);
    assert_eq!(only.status.code(), Some(0), "{}", text(&only.stdout));
    assert!(text(&only.stdout).contains("1 passed; 0 failed"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A policy with a rule the suite never reaches, and a suite of only the
/// passing case: the coverage names the rule that never decided anything
/// and every rule and check no case made refuse anything; lcov gives its
/// line 0 hits.
#[test]
fn coverage_names_what_no_case_reached() {
    let dir = scratch("coverage");
    let policy = dir.join("policies/release/policy.cairn");
    let text_before = std::fs::read_to_string(&policy).unwrap();
    // Nothing in any bundle is named `foo/*.orig`: this rule decides nothing.
    let changed = text_before.replacen(
        "      products {\n        create \"bin/foo-*\"\n",
        "      products {\n        disallow \"foo/*.orig\"\n        create \"bin/foo-*\"\n",
        1,
    );
    assert_ne!(changed, text_before);
    std::fs::write(&policy, changed).unwrap();
    std::fs::write(
        dir.join("policies/release/tests/pass.toml"),
        "[[case]]\nname = \"pass\"\nevidence = [\"bundles/pass.intoto.jsonl\"]\nartifact = \"artifacts/bin/foo-1.0\"\ntime = \"2026-06-01T00:00:00Z\"\nexpect = \"pass\"\n",
    )
    .unwrap();
    let lcov = dir.join("release.lcov");
    let out = cairn_in(
        &dir,
        &[
            "test",
            "policies/release",
            "--coverage",
            "--lcov",
            lcov.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("line 57: rule `disallow \"foo/*.orig\"` (step build)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no test shows this rule refusing anything"),
        "{stdout}"
    );
    insta::assert_snapshot!("test_coverage_human", stdout);
    let lcov = std::fs::read_to_string(lcov).unwrap();
    assert!(lcov.starts_with("TN:cairn\nSF:policies/release/policy.cairn\n"));
    assert!(lcov.contains("\nDA:57,0\n"), "{lcov}");
    assert!(lcov.contains("\nBRDA:57,0,0,0\nBRDA:57,0,1,0\n"), "{lcov}");
    assert!(lcov.ends_with("end_of_record\n"));
    insta::assert_snapshot!("test_coverage_lcov", lcov);

    let json = cairn_in(
        &dir,
        &["test", "policies/release", "--coverage", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let points = report["coverage"][0]["points"].as_array().unwrap();
    let rule = points.iter().find(|p| p["line"] == 57).unwrap();
    assert_eq!(rule["kind"], "rule");
    assert_eq!(rule["decided"], 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// Every error of `cairn test` (E600-E611), as a user meets it.
#[test]
fn suite_errors() {
    let dir = scratch("errors");
    let tests = dir.join("policies/release/tests");
    let case = "[[case]]\nname = \"a\"\nevidence = [\"bundles/pass.intoto.jsonl\"]\nartifact = \"artifacts/bin/foo-1.0\"\n";
    let now = "time = \"2026-06-01T00:00:00Z\"\n";
    let suites: Vec<(&str, Vec<u8>)> = vec![
        ("E600", b"name = \"caf\xe9\"\n".to_vec()),
        (
            "E601",
            format!("{case}{now}expect = \"passes\"\n").into_bytes(),
        ),
        (
            "E601-unknown",
            format!("{case}{now}expect = \"pass\"\ncode = [\"V101\"]\n").into_bytes(),
        ),
        (
            "E602",
            format!("{case}time = \"yesterday\"\nexpect = \"pass\"\n").into_bytes(),
        ),
        (
            "E602-code",
            format!("{case}{now}expect = \"fail\"\ncodes = [\"V1O1\"]\n").into_bytes(),
        ),
        ("E603", format!("{case}expect = \"pass\"\n").into_bytes()),
        (
            "E602-policy",
            format!("policy = \"../other.cairn\"\n{case}{now}expect = \"pass\"\n").into_bytes(),
        ),
        (
            "E605",
            format!("{case}{now}expect = \"pass\"\n\n{case}{now}expect = \"pass\"\n").into_bytes(),
        ),
        (
            "E606",
            format!("{case}{now}expect = \"pass\"\nkeys = {{ cii = \"keys/ci.pub\" }}\n")
                .into_bytes(),
        ),
    ];
    for (name, bytes) in &suites {
        let file = tests.join(format!("{name}.toml"));
        std::fs::write(&file, bytes).unwrap();
        let rel = format!("policies/release/tests/{name}.toml");
        let out = cairn_in(&dir, &["test", rel.as_str()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&name[..4]), "{name}: {stderr}");
        insta::assert_snapshot!(format!("test_error_{name}"), stderr);
        std::fs::remove_file(file).unwrap();
    }
    // E604: a suite beside no policy.
    std::fs::create_dir_all(dir.join("loose")).unwrap();
    std::fs::write(
        dir.join("loose/a.toml"),
        format!("{case}{now}expect = \"pass\"\n"),
    )
    .unwrap();
    // E607: a policy that does not compile.
    copy_tree(&dir.join("policies/release"), &dir.join("bad"));
    std::fs::write(
        dir.join("bad/policy.cairn"),
        "layout \"x\" {\n  step a { by nobody }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad/tests/a.toml"),
        format!("{case}{now}expect = \"pass\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(
        tests.join("ok.toml"),
        format!("{case}{now}expect = \"pass\"\n"),
    )
    .unwrap();
    for (name, args) in [
        ("E604-beside", vec!["test", "loose/a.toml"]),
        ("E607", vec!["test", "bad"]),
        ("E608", vec!["test", "empty"]),
        ("E609", vec!["test", "no-such-folder"]),
        ("E609-file", vec!["test", "policies/release/README.md"]),
        (
            "E610",
            vec!["test", "policies/release", "--filter", "nothing-like-this"],
        ),
        (
            "E611",
            vec![
                "test",
                "policies/release",
                "--lcov",
                "no-such-folder/x.lcov",
            ],
        ),
    ] {
        let out = cairn_in(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&name[..4]), "{name}: {stderr}");
        insta::assert_snapshot!(format!("test_error_{name}"), stderr);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A case's `trusted-root` replaces the policy's `trust-root`: the GitHub
/// example's bundle, verified against a root whose CA expired before the
/// certificate was issued, counts for nothing.
#[test]
fn a_case_can_trust_another_root() {
    let dir = std::env::temp_dir().join(format!("cairn-test-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&root().join("policies/github"), &dir);
    std::fs::copy(
        root().join("tests/sigstore/cases/ca_validfor_expired_fail/trusted_root.json"),
        dir.join("expired-ca-root.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/roots.toml"),
        r#"[defaults]
time = "2026-06-01T00:00:00Z"
artifact = "artifacts/app-1.0.tar.gz"
evidence = ["bundles/pass.intoto.jsonl"]

[[case]]
name = "policy-root"
expect = "pass"

[[case]]
name = "expired-ca-root"
trusted-root = "expired-ca-root.json"
expect = "fail"
codes = ["V101", "V107", "V119"]
"#,
    )
    .unwrap();
    let out = cairn_in(&dir, &["test", "tests/roots.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("2 passed; 0 failed"));
    let _ = std::fs::remove_dir_all(dir);
}

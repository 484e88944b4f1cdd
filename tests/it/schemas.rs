//! Every JSON output of the command line validates against its schema in
//! `docs/schemas/`; every schema holds the one shape of a finding; every
//! member name is camelCase; and in JSON mode stderr stays empty, so that
//! `cairn ... --format json 2>&1 | jq .` parses.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema(name: &str) -> Value {
    let path = root().join("docs/schemas").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::options().build(&schema(name)).unwrap()
}

/// `cairn ARGS` in `dir`: the JSON document on stdout, checked against
/// `schema`, with nothing on stderr.
fn valid(schema_name: &str, dir: &Path, args: &[&str]) -> Value {
    let out = crate::cairn_in(dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{args:?}: stderr: {stderr}");
    let value: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"));
    let v = validator(schema_name);
    let errors: Vec<String> = v
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{args:?}: {errors:#?}\n{value:#}");
    camel_case(&value, "$", args);
    value
}

/// Every member name is camelCase, but under `claims` (a certificate's
/// extension names, data rather than names of cairn's).
fn camel_case(value: &Value, at: &str, args: &[&str]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let ok = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && k.chars().all(|c| c.is_ascii_alphanumeric());
                assert!(ok, "{args:?}: `{k}` at {at} is not camelCase");
                if k != "claims" {
                    camel_case(v, &format!("{at}.{k}"), args);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                camel_case(item, &format!("{at}[]"), args);
            }
        }
        _ => {}
    }
}

const SCHEMAS: &[&str] = &[
    "check.schema.json",
    "key-id.schema.json",
    "lint.schema.json",
    "verify-bundle.schema.json",
    "verify-envelope.schema.json",
    "verify.schema.json",
];

#[test]
fn every_schema_compiles_and_shares_the_finding() {
    let finding = schema("finding.schema.json");
    for name in SCHEMAS {
        let s = schema(name);
        jsonschema::options().build(&s).unwrap();
        assert_eq!(s["$defs"]["finding"], finding["$defs"]["finding"], "{name}");
        assert_eq!(
            s["$defs"]["location"], finding["$defs"]["location"],
            "{name}"
        );
    }
    // Every schema in the folder is one of these.
    let mut listed: Vec<String> = std::fs::read_dir(root().join("docs/schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut expected: Vec<String> = SCHEMAS.iter().map(|s| (*s).to_owned()).collect();
    expected.push("finding.schema.json".to_owned());
    expected.sort();
    assert_eq!(listed, expected);
}

const NOW: &str = "2026-06-01T00:00:00Z";

#[test]
fn verify_and_explain_reports_follow_their_schema() {
    let release = root().join("policies/release");
    for case in [
        "pass",
        "failed-test",
        "unknown-reviewer",
        "tampered-artifact",
    ] {
        let bundle = format!("bundles/{case}.intoto.jsonl");
        let mut args = vec!["verify", "policy.cairn", "--bundle", &bundle, "--time", NOW];
        args.extend(["--format", "json"]);
        if case == "tampered-artifact" {
            args.extend(["--artifact", "artifacts/tampered/foo-1.0"]);
        }
        let report = valid("verify.schema.json", &release, &args);
        assert_eq!(report["schemaVersion"], 1);
        args[0] = "explain";
        let explained = valid("verify.schema.json", &release, &args);
        assert!(explained["trace"]["lists"].is_array());
    }
    // The validator does refuse a report in another style.
    let v = validator("verify.schema.json");
    let mut bad = valid(
        "verify.schema.json",
        &release,
        &[
            "verify",
            "policy.cairn",
            "--bundle",
            "bundles/pass.intoto.jsonl",
            "--time",
            NOW,
            "--format",
            "json",
        ],
    );
    bad["findings"] = serde_json::json!([{"code": "V101", "severity": "deny"}]);
    assert!(!v.is_valid(&bad));
}

#[test]
fn lint_and_check_outputs_follow_their_schemas() {
    let dir = root();
    let lint_cases = "tests/cases/lint/err";
    let broken = "tests/cases/lint/cli/broken.cairn";
    let clean = "policies/release/policy.cairn";
    let report = valid(
        "lint.schema.json",
        &dir,
        &[
            "lint", "--time", NOW, "--format", "json", lint_cases, broken, clean,
        ],
    );
    assert_eq!(report["schemaVersion"], 2);
    assert!(report["counts"]["deny"].as_u64().unwrap() > 10);
    assert_eq!(report["counts"]["notLinted"], 1);
    let report = valid(
        "check.schema.json",
        &dir,
        &["check", "--format", "json", clean, broken, "policies"],
    );
    assert_eq!(report["valid"], false);
    assert_eq!(report["counts"]["withErrors"], 1);
    let errors = &report["files"][1]["errors"];
    assert_eq!(errors[0]["severity"], "error");
    assert_eq!(errors[0]["location"]["file"], broken);
    let report = valid(
        "check.schema.json",
        &dir,
        &["check", "--format", "json", clean],
    );
    assert_eq!(report["valid"], true);
}

#[test]
fn key_and_envelope_outputs_follow_their_schemas() {
    let dir = root().join("policies/release");
    let report = valid(
        "key-id.schema.json",
        &dir,
        &[
            "key",
            "id",
            "--format",
            "json",
            "keys/ci.pub",
            "keys/alice.pub",
        ],
    );
    assert_eq!(report["keys"].as_array().unwrap().len(), 2);
    // A bundle of several documents, and one document.
    let report = valid(
        "verify-envelope.schema.json",
        &dir,
        &[
            "verify-envelope",
            "bundles/pass.intoto.jsonl",
            "--key",
            "keys/ci.pub",
            "--key",
            "keys/alice.pub",
            "--format",
            "json",
        ],
    );
    assert!(report["documents"].as_array().unwrap().len() > 1);
    let sigstore = root().join("tests/sigstore/cases");
    for (case, verified) in [
        ("dsse_provenance_v03", true),
        ("dsse_provenance_other_repo_fail", false),
    ] {
        let bundle = format!("{case}/bundle.sigstore.json");
        let trusted = format!("{case}/trusted_root.json");
        let artifact = format!("{case}/artifact");
        let report = valid(
            "verify-bundle.schema.json",
            &sigstore,
            &[
                "verify-bundle",
                "--bundle",
                &bundle,
                "--trusted-root",
                &trusted,
                "--certificate-identity",
                "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
                "--certificate-oidc-issuer",
                "https://token.actions.githubusercontent.com",
                "--format",
                "json",
                &artifact,
            ],
        );
        assert_eq!(report["verified"], verified);
    }
}

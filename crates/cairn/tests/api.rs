//! Every example case of `policies/` verified through the public API alone:
//! the verdict and the codes of its findings are those the case expects,
//! and the VSA says the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

/// A case's command-line arguments as options of the API.
fn options(dir: &Path, case: &str, args: &[String]) -> cairn::Options {
    let mut options = cairn::Options::at(0);
    options.evidence = vec![dir.join(format!("bundles/{case}.intoto.jsonl"))];
    let mut params = Vec::new();
    let mut run_inspections = false;
    let mut inspection_dir = dir.to_path_buf();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--run-inspections" => run_inspections = true,
            "--artifact" => {
                let path = dir.join(args.next().unwrap());
                options.artifact = Some(cairn::Artifact::File(path));
            }
            "--time" => options.time = cairn::parse_time(args.next().unwrap()).unwrap(),
            "--param" => params.push(args.next().unwrap().clone()),
            "--inspection-dir" => inspection_dir = dir.join(args.next().unwrap()),
            other => panic!("{case}: flag {other} is not known to this test"),
        }
    }
    options.params = cairn::parse_params(&params).unwrap();
    options.inspections = run_inspections.then(|| cairn::InspectionRun {
        dir: inspection_dir,
        timeout: Some(std::time::Duration::from_secs(10)),
        scratch: std::env::temp_dir(),
    });
    options
}

#[test]
fn every_example_case_gives_its_expected_verdict() {
    let mut seen = 0;
    for entry in std::fs::read_dir(policies()).unwrap() {
        let dir = entry.unwrap().path();
        // `policies/baselines` holds libraries that the policies import.
        if !dir.join("policy.cairn").is_file() {
            continue;
        }
        let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
        let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("bundles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
            .collect();
        cases.sort();
        for expected in cases {
            let spec: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&expected).unwrap()).unwrap();
            let name = expected.file_name().unwrap().to_string_lossy();
            let case = name.strip_suffix(".expected.json").unwrap();
            let args: Vec<String> = spec["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            let want: BTreeSet<String> = spec["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            let options = options(&dir, case, &args);
            let report = match cairn::verify(&policy, &options) {
                Ok(report) => report,
                Err(e) => {
                    // No verdict: the command line exits 2 (1 for a failure).
                    let exit = if e.is_failure() { 1 } else { 2 };
                    assert_eq!(exit, spec["exit"], "{}/{case}: {e}", dir.display());
                    let got: BTreeSet<String> = e
                        .diagnostics()
                        .iter()
                        .filter_map(|d| d.code().map(|c| c.to_string()))
                        .collect();
                    assert_eq!(got, want, "{}/{case}", dir.display());
                    seen += 1;
                    continue;
                }
            };
            let mut got: BTreeSet<String> = report
                .verdict()
                .findings
                .iter()
                .map(|f| f.code.as_str().to_owned())
                .collect();
            for w in report.warnings() {
                if let cairn::Warning::Diagnostic(d) = w {
                    got.extend(d.code().map(|c| c.to_string()));
                }
            }
            let exit = if report.passed() { 0 } else { 1 };
            assert_eq!(exit, spec["exit"], "{}/{case}", dir.display());
            assert_eq!(got, want, "{}/{case}", dir.display());
            let vsa = report.vsa(&cairn::VsaOptions::default()).unwrap();
            let result = if report.passed() { "PASSED" } else { "FAILED" };
            assert!(
                vsa.contains(&format!("\"verificationResult\":\"{result}\"")),
                "{vsa}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 20, "only {seen} cases");
}

#[test]
fn a_policy_that_does_not_compile_gives_every_diagnostic() {
    let text = "layout \"x\" {\n  expires 2030-01-01T00:00:00Z\n  step a { by nobody }\n  step a { by nobody }\n}\n";
    let e = cairn::Policy::from_source("x.cairn", text, Path::new(".")).unwrap_err();
    assert!(!e.is_failure());
    assert!(e.diagnostics().len() >= 2, "{e}");
    let rendered = cairn::render(e.diagnostics()[0].as_ref(), false);
    assert!(rendered.contains("x.cairn"), "{rendered}");
}

#[test]
fn no_evidence_at_all_is_an_error_not_a_verdict() {
    let dir = policies().join("release");
    let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
    let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
    options.evidence = vec![dir.join("bundles/no-such-file.intoto.jsonl")];
    let e = cairn::verify(&policy, &options).unwrap_err();
    assert!(!e.is_failure());
    assert!(e.to_string().contains("no-such-file"), "{e}");
}

#[test]
fn parameters_are_options() {
    let dir = policies().join("params");
    let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
    let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
    options.evidence = vec![dir.join("bundles/pass.intoto.jsonl")];
    options.params = BTreeMap::from([("component".to_string(), "[widget".to_string())]);
    let report = cairn::verify(&policy, &options).unwrap();
    assert!(!report.passed());
    assert!(report
        .verdict()
        .findings
        .iter()
        .any(|f| f.code.as_str() == "V114"));
}

#[test]
fn evidence_given_as_bytes_counts_as_the_file_would() {
    let dir = policies().join("release");
    let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
    let at = cairn::parse_time("2026-06-01T00:00:00Z").unwrap();
    let artifact = cairn::Artifact::File(dir.join("artifacts/bin/foo-1.0"));
    for case in ["pass", "failed-test"] {
        let path = dir.join(format!("bundles/{case}.intoto.jsonl"));
        let mut by_path = cairn::Options::at(at);
        by_path.evidence = vec![path.clone()];
        by_path.artifact = Some(artifact.clone());
        let mut by_bytes = cairn::Options::at(at);
        // Named without `.jsonl`: the lines are recognised as a bundle.
        by_bytes.documents = vec![("upload".to_string(), std::fs::read(&path).unwrap())];
        by_bytes.artifact = Some(artifact.clone());
        let a = cairn::verify(&policy, &by_path).unwrap();
        let b = cairn::verify(&policy, &by_bytes).unwrap();
        assert_eq!(a.passed(), b.passed(), "{case}");
        let codes = |r: &cairn::Report| -> Vec<String> {
            r.verdict()
                .findings
                .iter()
                .map(|f| f.code.as_str().to_owned())
                .collect()
        };
        assert_eq!(codes(&a), codes(&b), "{case}");
    }
    // One unreadable document among readable ones is a finding, not a stop.
    let mut options = cairn::Options::at(at);
    options.documents = vec![
        (
            "pass.intoto.jsonl".to_string(),
            std::fs::read(dir.join("bundles/pass.intoto.jsonl")).unwrap(),
        ),
        ("junk.json".to_string(), b"{\"payload\": ".to_vec()),
    ];
    options.artifact = Some(artifact);
    let report = cairn::verify(&policy, &options).unwrap();
    assert!(report
        .verdict()
        .findings
        .iter()
        .any(|f| f.code.as_str() == "V121" && f.message.contains("junk.json")));
}

#[test]
fn a_document_name_is_never_opened_as_a_file() {
    let dir = policies().join("release");
    let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
    let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
    // A real file's name given to bytes that are not evidence: the finding
    // shows those bytes' line, never a line of the file of that name.
    let real = dir.join("policy.cairn").display().to_string();
    options.documents = vec![
        (
            "pass.intoto.jsonl".to_string(),
            std::fs::read(dir.join("bundles/pass.intoto.jsonl")).unwrap(),
        ),
        (real.clone(), b"{\"payload\": ".to_vec()),
    ];
    let report = cairn::verify(&policy, &options).unwrap();
    assert!(report
        .verdict()
        .findings
        .iter()
        .any(|f| f.code.as_str() == "V121"));
    let text = report.findings(false);
    assert!(!text.contains("layout \"foo-release\""), "{text}");
}

#[test]
fn a_json_document_holding_two_lines_is_one_document() {
    let dir = policies().join("release");
    let policy = cairn::Policy::from_file(&dir.join("policy.cairn")).unwrap();
    let bundle = std::fs::read_to_string(dir.join("bundles/pass.intoto.jsonl")).unwrap();
    let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
    options.documents = vec![("two.json".to_string(), bundle.into_bytes())];
    // Read as one JSON document, the lines are data after the first value:
    // nothing can be read, so there is no verdict.
    let e = cairn::verify(&policy, &options).unwrap_err();
    assert!(!e.is_failure());
    assert!(e.to_string().contains("two.json"), "{e}");
}

//! Sigstore bundles made by cairn's own private instance
//! (`scripts/sigstore-instance/`, confirmed by sigstore-python in
//! `scripts/sigstore-differential.sh`): every case, with the artifact and
//! with its digest, gives its expected verdict, decided by the expected check.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sigstore/cases")
}

#[test]
fn private_instance_cases_give_their_verdicts() {
    let (table, bad) =
        crate::sigstore_cases::run_all(Path::new(env!("CARGO_BIN_EXE_cairn")), &cases());
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // Which check decided each refusal is part of the contract.
    insta::assert_snapshot!(table);
}

/// `cairn verify-bundle ARGS` in the cases folder: exit status, stdout, stderr.
fn verify_bundle(args: &[&str]) -> String {
    let out = crate::cairn_in(&cases(), &[&["verify-bundle"], args].concat());
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const ACME: &[&str] = &[
    "--certificate-identity",
    "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
    "--certificate-oidc-issuer",
    "https://token.actions.githubusercontent.com",
];

fn case_args<'a>(case: &'a str, more: &[&'a str], artifact: &'a str) -> Vec<String> {
    let mut args = vec![
        "--bundle".to_owned(),
        format!("{case}/bundle.sigstore.json"),
        "--trusted-root".to_owned(),
        format!("{case}/trusted_root.json"),
    ];
    args.extend(more.iter().map(|s| (*s).to_owned()));
    args.push(artifact.replace("{case}", case));
    args
}

fn run_case(case: &str, more: &[&str]) -> String {
    let args = case_args(case, more, "{case}/artifact");
    verify_bundle(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// What `verify-bundle` says, verified and refused, in both formats; each
/// refusal names its check's code.
#[test]
fn verify_bundle_messages() {
    let any = [
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer-regexp",
        ".*",
    ];
    let cases: Vec<(&str, String)> = vec![
        (
            "sigstore-verified-human",
            run_case("dsse_provenance_v03", ACME),
        ),
        (
            "sigstore-verified-json",
            run_case(
                "dsse_provenance_v03",
                &[ACME, &["--format", "json"]].concat(),
            ),
        ),
        (
            "sigstore-V150-other-repository",
            run_case(
                "dsse_provenance_other_repo_fail",
                &[ACME, &["--owner", "acme", "--repo", "acme/app"]].concat(),
            ),
        ),
        (
            "sigstore-V150-other-repository-json",
            run_case(
                "dsse_provenance_other_repo_fail",
                &[ACME, &["--format", "json"]].concat(),
            ),
        ),
        (
            "sigstore-V141-set-altered",
            run_case("set_integrated_time_altered_fail", &any),
        ),
        (
            "sigstore-V142-proof-corrupted",
            run_case("inclusion_proof_hash_corrupted_fail", &any),
        ),
        (
            "sigstore-V143-untrusted-tsa",
            run_case("tsa_embedded_untrusted_cert_fail", &any),
        ),
        (
            "sigstore-V145-no-codesigning",
            run_case("leaf_no_codesigning_eku_fail", &any),
        ),
        (
            "sigstore-V146-missing-sct",
            run_case("missing_sct_fail", &any),
        ),
        (
            "sigstore-V148-entry-not-bound",
            run_case("tlog_body_other_signature_fail", &any),
        ),
        (
            "sigstore-V149-wrong-artifact",
            run_case("wrong_artifact_fail", &any),
        ),
        (
            "sigstore-V140-payload-type",
            run_case("dsse_payload_type_wrong_fail", &any),
        ),
        (
            "sigstore-V151-key-window",
            run_case(
                "managed_key",
                &[
                    "--key",
                    "managed_key/key.pub",
                    "--key-valid-until",
                    "2020-01-01T00:00:00Z",
                ],
            ),
        ),
        (
            "sigstore-V152-min-version",
            run_case(
                "msg_v01_promise_only",
                &[&any[..], &["--min-bundle-version", "0.2"]].concat(),
            ),
        ),
        (
            "sigstore-E330-two-signatures",
            run_case("dsse_two_signatures_fail", &any),
        ),
        (
            "sigstore-E330-root-in-chain",
            run_case("v03_chain_with_root_fail", &any),
        ),
        (
            "sigstore-E331-not-a-root",
            verify_bundle(&[
                "--bundle",
                "managed_key/bundle.sigstore.json",
                "--trusted-root",
                "managed_key/expected.json",
                "--key",
                "managed_key/key.pub",
                "managed_key/artifact",
            ]),
        ),
        (
            "sigstore-E435-no-issuer",
            verify_bundle(&[
                "--bundle",
                "msg_v03_email/bundle.sigstore.json",
                "--certificate-identity",
                "someone@example.com",
                "msg_v03_email/artifact",
            ]),
        ),
        (
            "sigstore-E435-bad-regex",
            verify_bundle(&[
                "--bundle",
                "msg_v03_email/bundle.sigstore.json",
                "--certificate-identity-regexp",
                "(",
                "--certificate-oidc-issuer",
                "x",
                "msg_v03_email/artifact",
            ]),
        ),
        (
            "sigstore-E436-no-artifact",
            verify_bundle(&[
                "--bundle",
                "msg_v03_email/bundle.sigstore.json",
                "--certificate-identity",
                "a",
                "--certificate-oidc-issuer",
                "b",
                "sha256:abc",
            ]),
        ),
    ];
    for (name, shown) in cases {
        insta::assert_snapshot!(name, shown);
    }
}

/// Review findings, each a refusal: a key window's start is not rounded
/// down to the second; an empty identity flag is no constraint; a pattern
/// that escapes its anchors is refused.
#[test]
fn verify_bundle_refuses_what_would_widen_a_constraint() {
    let cases: Vec<(&str, String)> = vec![
        (
            "sigstore-V151-key-window-fraction",
            run_case(
                "managed_key",
                &[
                    "--key",
                    "managed_key/key.pub",
                    "--key-valid-from",
                    "2026-06-01T12:00:05.9Z",
                ],
            ),
        ),
        (
            "sigstore-E435-empty-identity",
            run_case(
                "msg_v03_email",
                &[
                    "--certificate-identity",
                    "",
                    "--certificate-oidc-issuer-regexp",
                    ".*",
                ],
            ),
        ),
        (
            "sigstore-E435-escaping-regex",
            run_case(
                "msg_v03_email",
                &[
                    "--certificate-identity-regexp",
                    "nobody)|(.*",
                    "--certificate-oidc-issuer-regexp",
                    ".*",
                ],
            ),
        ),
        (
            "sigstore-E437-min-version",
            run_case(
                "msg_v03_email",
                &[
                    "--certificate-identity-regexp",
                    ".*",
                    "--certificate-oidc-issuer-regexp",
                    ".*",
                    "--min-bundle-version",
                    "0.4",
                ],
            ),
        ),
        (
            "sigstore-E436-uppercase-digest",
            verify_bundle(&[
                "--bundle",
                "msg_v03_email/bundle.sigstore.json",
                "--certificate-identity",
                "a",
                "--certificate-oidc-issuer",
                "b",
                "sha256:ABCDEF0000000000000000000000000000000000000000000000000000000000",
            ]),
        ),
    ];
    for (name, shown) in cases {
        insta::assert_snapshot!(name, shown);
    }
}

/// A policy over Sigstore bundles, written to a scratch folder.
fn policy_dir(name: &str, policy: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-sigstore-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        cases().join("dsse_provenance_v03/trusted_root.json"),
        dir.join("trusted_root.json"),
    )
    .unwrap();
    std::fs::write(dir.join("policy.cairn"), policy).unwrap();
    let mut jsonl = String::new();
    for case in ["dsse_provenance_v03", "dsse_provenance_second_repo"] {
        let text =
            std::fs::read_to_string(cases().join(case).join("bundle.sigstore.json")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        std::fs::write(
            dir.join(format!("{case}.intoto.jsonl")),
            format!("{value}\n"),
        )
        .unwrap();
        jsonl.push_str(&format!("{value}\n"));
    }
    std::fs::write(dir.join("both.intoto.jsonl"), jsonl).unwrap();
    dir
}

const TWO_IDENTITIES: &str = r#"layout "two-repositories" {
  trust-root "trusted_root.json"
  identity app = sigstore {
    issuer "https://token.actions.githubusercontent.com"
    repo "acme/app"
  }
  identity mirror = sigstore {
    issuer "https://token.actions.githubusercontent.com"
    repo "acme/mirror"
  }
  step build {
    by 2 of app, mirror
    attestation slsa-provenance/v1 { products { create "app-*.tar.gz" } }
  }
}
"#;

/// A threshold counts distinct identities: two bundles from two workflows
/// meet `by 2 of app, mirror`; one does not.
#[test]
fn a_threshold_counts_distinct_identities() {
    let dir = policy_dir("threshold", TWO_IDENTITIES);
    let verify = |bundle: &str| {
        let out = crate::cairn_in(
            &dir,
            &[
                "verify",
                "policy.cairn",
                "--bundle",
                bundle,
                "--time",
                "2026-06-01T00:00:00Z",
            ],
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Both count (their provenances then disagree on the materials, which a
    // threshold above one does not allow: V103, not V102).
    let (code, stdout, stderr) = verify("both.intoto.jsonl");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("2 of 2 attestations counted"), "{stdout}");
    assert!(
        !stderr.contains("V102") && stderr.contains("V103"),
        "{stderr}"
    );
    let (code, stdout, stderr) = verify("dsse_provenance_v03.intoto.jsonl");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("V102"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One signature is one signer: a certificate that two identities accept
/// counts for neither, so it cannot meet a threshold of two on its own.
#[test]
fn one_certificate_never_counts_for_two_identities() {
    let policy = TWO_IDENTITIES.replace(
        "identity mirror = sigstore {\n    issuer \"https://token.actions.githubusercontent.com\"\n    repo \"acme/mirror\"",
        "identity mirror = sigstore {\n    issuer \"https://token.actions.githubusercontent.com\"\n    owner \"acme\"",
    );
    let dir = policy_dir("overlap", &policy);
    let out = crate::cairn_in(
        &dir,
        &[
            "verify",
            "policy.cairn",
            "--bundle",
            "dsse_provenance_v03.intoto.jsonl",
            "--time",
            "2026-06-01T00:00:00Z",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let flat = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("matches the identities `app`, `mirror`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn explain` shows how each Sigstore bundle verified (version,
/// certificate identity, verified times, root) and, for a refused one, the
/// check that decided.
#[test]
fn explain_shows_verified_times_and_the_deciding_check() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/github");
    for (name, bundle, all) in [
        ("sigstore-explain-pass", "bundles/pass.intoto.jsonl", true),
        (
            "sigstore-explain-other-repository",
            "bundles/other-repository.intoto.jsonl",
            false,
        ),
    ] {
        let mut args = vec![
            "explain",
            "policy.cairn",
            "--bundle",
            bundle,
            "--artifact",
            "artifacts/app-1.0.tar.gz",
            "--time",
            "2026-06-01T00:00:00Z",
        ];
        if all {
            args.push("--all");
        }
        let out = crate::cairn_in(&dir, &args);
        insta::assert_snapshot!(
            name,
            format!(
                "exit {:?}\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout)
            )
        );
    }
}

/// The legacy Fulcio extensions `.1.1` to `.1.6` hold raw bytes and `.1.8`
/// onwards DER UTF8Strings: each is read as its kind, never the other (a
/// DER reading of `.1.5` would fail or keep the tag bytes).
#[test]
fn fulcio_extensions_are_read_by_their_own_encoding() {
    use base64::Engine as _;
    let text =
        std::fs::read_to_string(cases().join("dsse_provenance_v03/bundle.sigstore.json")).unwrap();
    let bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let raw = bundle["verificationMaterial"]["certificate"]["rawBytes"]
        .as_str()
        .unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .unwrap();
    let claims = cairn_evidence::sigstore::claims::read(&der).unwrap();
    let get = |name: &str| claims.extensions.get(name).map(String::as_str);
    assert_eq!(get("github-workflow-repository"), Some("acme/app"));
    assert_eq!(get("github-workflow-ref"), Some("refs/tags/v1.0.0"));
    assert_eq!(
        get("issuer-v1"),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(
        get("issuer"),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(
        get("source-repository-uri"),
        Some("https://github.com/acme/app")
    );
    assert_eq!(get("runner-environment"), Some("github-hosted"));
    assert_eq!(
        claims.subject(),
        Some("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0")
    );
}

/// A log entry with only an inclusion proof counts only in a log the
/// trusted root lists, whose key was valid when the signature was made: an
/// entry naming another log id, and a log key retired before the signing
/// time, are refused (V141), though the proof and checkpoint verify.
#[test]
fn a_proof_only_entry_must_be_in_a_listed_log_valid_at_signing() {
    let case = cases().join("tsa_with_tlog_proof");
    let dir = std::env::temp_dir().join(format!("cairn-tlog-window-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["bundle.sigstore.json", "trusted_root.json", "artifact"] {
        std::fs::copy(case.join(f), dir.join(f)).unwrap();
    }
    let run = |bundle: &str, root: &str| {
        let out = crate::cairn_in(
            &dir,
            &[
                "verify-bundle",
                "--bundle",
                bundle,
                "--trusted-root",
                root,
                "--certificate-identity",
                "alice@cairn.test",
                "--certificate-oidc-issuer",
                "https://accounts.cairn.test",
                "artifact",
            ],
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run("bundle.sigstore.json", "trusted_root.json").0, Some(0));

    let mut bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bundle.sigstore.json")).unwrap())
            .unwrap();
    bundle["verificationMaterial"]["tlogEntries"][0]["logId"]["keyId"] =
        Value::String("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=".into());
    std::fs::write(dir.join("other-log.json"), bundle.to_string()).unwrap();
    let (code, stderr) = run("other-log.json", "trusted_root.json");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("V141"), "{stderr}");
    insta::assert_snapshot!("sigstore-unlisted-log", stderr);

    let mut root: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("trusted_root.json")).unwrap())
            .unwrap();
    for log in root["tlogs"].as_array_mut().unwrap() {
        log["publicKey"]["validFor"]["end"] = Value::String("2026-03-01T00:00:00Z".into());
    }
    std::fs::write(dir.join("retired-log.json"), root.to_string()).unwrap();
    let (code, stderr) = run("bundle.sigstore.json", "retired-log.json");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("V141"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
    insta::assert_snapshot!("sigstore-retired-log-key", stderr);
}

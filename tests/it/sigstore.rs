//! Sigstore bundles made by cairn's own private instance
//! (`scripts/sigstore-instance/`, confirmed by sigstore-python in
//! `scripts/sigstore-differential.sh`): every case, with the artifact and
//! with its digest, gives its expected verdict, decided by the expected check.

use std::path::{Path, PathBuf};

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

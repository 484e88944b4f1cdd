//! `-` as standard input, and pipes named on the command line: a policy
//! (`check`, `fmt`, `lint`, `compile`, `verify`, `explain`), a `--bundle`
//! (`verify`, `verify-bundle`), and `<(cmd)` through bash.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::messages::cairn_stdin;

const NOW: &str = "2026-06-01T00:00:00Z";

fn release() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/release")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(release().join(name)).unwrap()
}

/// `cairn ARGS` in the release example with `input` on standard input.
fn run(args: &[&str], input: &[u8]) -> Output {
    cairn_stdin(&release(), &[], args, input)
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const PASS: &[&str] = &["--artifact", "artifacts/bin/foo-1.0", "--time", NOW];

#[test]
fn a_policy_on_standard_input_is_checked_compiled_and_linted() {
    let policy = read("policy.cairn");
    let out = run(&["check", "-"], &policy);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let out = run(&["compile", "-"], &policy);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let from_file = crate::cairn_in(&release(), &["compile", "policy.cairn"]);
    assert_eq!(out.stdout, from_file.stdout);
    let out = run(&["lint", "-"], &policy);
    let from_file = crate::cairn_in(&release(), &["lint", "policy.cairn"]);
    assert_eq!(out.status.code(), from_file.status.code(), "{}", said(&out));
    // An error names standard input.
    let out = run(&["check", "-"], b"layout \"x\" {\n  oops\n}\n");
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("<stdin>"), "{}", said(&out));
}

#[test]
fn fmt_of_standard_input_writes_standard_output() {
    let policy = read("policy.cairn");
    let out = run(&["fmt", "-"], &policy);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    // The example is formatted already: it comes back as it went in.
    assert_eq!(out.stdout, policy);
    let out = run(&["fmt", "-"], b"layout   \"x\" {\n}\n");
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "layout \"x\" {}\n");
}

#[test]
fn verify_reads_the_policy_or_a_bundle_from_standard_input() {
    let policy = read("policy.cairn");
    let bundle = read("bundles/pass.intoto.jsonl");
    let args = [
        &["verify", "-", "--bundle", "bundles/pass.intoto.jsonl"],
        PASS,
    ]
    .concat();
    let out = run(&args, &policy);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    // A bundle of JSON lines on standard input is read line by line.
    let args = [&["verify", "policy.cairn", "--bundle", "-"], PASS].concat();
    let out = run(&args, &bundle);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    // And it counts: a failing bundle fails the same way as from its file.
    let failing = read("bundles/missing-review.intoto.jsonl");
    let out = run(&args, &failing);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let args = [&["explain", "policy.cairn", "--bundle", "-"], PASS].concat();
    let out = run(&args, &failing);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
}

#[test]
fn verify_bundle_reads_the_bundle_from_standard_input() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigstore/cases");
    let case = "dsse_provenance_v03";
    let bundle = std::fs::read(cases.join(case).join("bundle.sigstore.json")).unwrap();
    let root = format!("{case}/trusted_root.json");
    let artifact = format!("{case}/artifact");
    let args = [
        "verify-bundle",
        "--bundle",
        "-",
        "--trusted-root",
        &root,
        "--certificate-identity",
        "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
        &artifact,
    ];
    let out = cairn_stdin(&cases, &[], &args, &bundle);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
}

/// `<(cmd)` (a pipe named `/dev/fd/N`) is read as a file would be.
#[cfg(unix)]
#[test]
fn process_substitution_is_read() {
    let has_bash = std::process::Command::new("bash")
        .arg("-c")
        .arg("true")
        .status()
        .is_ok_and(|s| s.success());
    if !has_bash {
        return;
    }
    let script = format!(
        "exec \"$CAIRN\" verify <(cat policy.cairn) --bundle <(sleep 0.2; cat bundles/pass.intoto.jsonl) \
         --artifact artifacts/bin/foo-1.0 --time {NOW}"
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(release())
        .env("CAIRN", env!("CARGO_BIN_EXE_cairn"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
}

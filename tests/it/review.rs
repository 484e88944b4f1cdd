//! Fail-closed review of `cairn verify`: each test builds a small signed
//! bundle with the test keys (`tests/keys/`), runs the real binary in a
//! scratch directory and asserts the outcome a verifier must give. Most of
//! these are attempts to make `verify` exit 0 although something should fail.

use std::path::PathBuf;
use std::process::{Command, Output};

use cairn_evidence::{sign_dsse, SigningKey};
use serde_json::{json, Value};

const KEYS: &str = "tests/keys";
const TYPE: &str = "application/vnd.in-toto+json";
const PROVENANCE: &str = "https://slsa.dev/provenance/v1";
const STATEMENT: &str = "https://in-toto.io/Statement/v1";

/// The policy most tests use: one step, one provenance attestation by bob,
/// products under `bin/`, and the final artifact from that step.
const POLICY: &str = r#"layout "review" {
  expires 2030-01-01T00:00:00Z
  key alice = file "keys/alice.pub"
  key bob = file "keys/bob.pub"

  step checkout {
    by alice
    attestation "https://example.com/checkout/v1" {
      require $.ok == true
    }
  }

  step build {
    by bob
    attestation slsa-provenance/v1 {
      materials {
        allow "src/*"
      }
      products {
        create "bin/*"
      }
      require $.buildDefinition.buildType == "https://example.com/make"
    }
  }

  artifact from build
}
"#;

fn key(name: &str) -> SigningKey {
    let pem = std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap();
    SigningKey::from_pkcs8_pem(&pem).unwrap()
}

struct Scratch {
    dir: PathBuf,
    app_digest: String,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cairn-review-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        for k in ["alice", "bob", "carol", "mallory"] {
            std::fs::copy(
                format!("{KEYS}/{k}.pub"),
                dir.join("keys").join(format!("{k}.pub")),
            )
            .unwrap();
        }
        std::fs::write(dir.join("bin/app"), b"app\n").unwrap();
        std::fs::write(dir.join("policy.cairn"), POLICY).unwrap();
        let app_digest = sha256_hex(b"app\n");
        Scratch { dir, app_digest }
    }

    fn write(&self, name: &str, text: &str) -> &Scratch {
        std::fs::write(self.dir.join(name), text).unwrap();
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// `cairn verify policy.cairn --bundle b.jsonl --artifact bin/app --time ...`.
    fn verify(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "verify",
            "policy.cairn",
            "--bundle",
            "b.jsonl",
            "--time",
            "2026-06-01T00:00:00Z",
        ];
        if !extra.contains(&"--subject") {
            args.extend(["--artifact", "bin/app"]);
        }
        args.extend(extra);
        self.run(&args)
    }
}

impl Scratch {
    /// The policy with one more check on the checkout attestation.
    fn with_checkout_check(&self, check: &str) {
        let ok = "      require $.ok == true\n";
        self.write(
            "policy.cairn",
            &POLICY.replace(ok, &format!("{ok}      {check}\n")),
        );
    }

    /// The good bundle, its checkout predicate given `field: value`.
    fn bundle_with_checkout_field(&self, field: &str, value: Value) -> String {
        let mut c = checkout();
        c["predicate"][field] = value;
        line(&c, "alice") + &line(&provenance(&json!({"sha256": self.app_digest})), "bob")
    }
}

/// The block of the first finding with `code` in a failing run's stderr,
/// with the evidence advice after it.
fn finding(s: &Scratch, code: &str) -> String {
    let err = stderr(&s.verify(&[]));
    err.split("\n\n")
        .skip_while(|b| !b.contains(code))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n\n")
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn line(statement: &Value, signer: &str) -> String {
    line_typed(statement, signer, TYPE)
}

fn line_typed(statement: &Value, signer: &str, payload_type: &str) -> String {
    let payload = serde_json::to_vec(statement).unwrap();
    sign_dsse(payload_type, &payload, &key(signer)).to_line() + "\n"
}

fn checkout() -> Value {
    json!({
        "_type": STATEMENT,
        "subject": [{"name": "src/main.c", "digest": {"sha256": "a".repeat(64)}}],
        "predicateType": "https://example.com/checkout/v1",
        "predicate": {"ok": true},
    })
}

fn provenance(subject_digest: &Value) -> Value {
    json!({
        "_type": STATEMENT,
        "subject": [{"name": "bin/app", "digest": subject_digest}],
        "predicateType": PROVENANCE,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://example.com/make",
                "resolvedDependencies": [
                    {"name": "src/main.c", "digest": {"sha256": "a".repeat(64)}}
                ],
            },
        },
    })
}

fn good_bundle(s: &Scratch) -> String {
    line(&checkout(), "alice") + &line(&provenance(&json!({"sha256": s.app_digest})), "bob")
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a FAIL (exit 1) that names `codes`, in human and JSON output.
fn assert_fails(s: &Scratch, extra: &[&str], codes: &[&str]) {
    let out = s.verify(extra);
    assert_eq!(code(&out), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("FAIL:"), "{}", stdout(&out));
    for c in codes {
        assert!(stderr(&out).contains(c), "{c} missing:\n{}", stderr(&out));
    }
    let mut json_args = extra.to_vec();
    json_args.extend(["--format", "json"]);
    let out = s.verify(&json_args);
    assert_eq!(code(&out), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "FAIL");
}

#[test]
fn the_control_bundle_passes() {
    let s = Scratch::new("control");
    s.write("b.jsonl", &good_bundle(&s));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
}

#[test]
fn an_empty_bundle_or_only_unrecognised_lines_fail() {
    let s = Scratch::new("empty");
    s.write("b.jsonl", "");
    assert_fails(&s, &[], &["V101"]);
    s.write("b.jsonl", "{\"foo\": 1}\n{\"mediaType\": \"x\"}\n");
    assert_fails(&s, &[], &["E318", "V101"]);
}

#[test]
fn a_bundle_of_many_unrecognised_lines_prints_a_bounded_number_of_warnings() {
    let s = Scratch::new("flood");
    s.write("b.jsonl", &"{}\n".repeat(500));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(1));
    let err = stderr(&out);
    assert_eq!(
        err.matches("ignored unrecognised line").count(),
        20,
        "{err}"
    );
    assert!(
        err.contains("E318: 480 more not shown (500 in all)"),
        "{err}"
    );
}

#[test]
fn an_attestation_signed_by_the_key_of_another_step_does_not_count() {
    let s = Scratch::new("other-key");
    let b =
        line(&checkout(), "alice") + &line(&provenance(&json!({"sha256": s.app_digest})), "alice");
    s.write("b.jsonl", &b);
    assert_fails(&s, &[], &["V101"]);
}

#[test]
fn a_refused_attestation_is_no_evidence() {
    let s = Scratch::new("refused");
    let b = line(&checkout(), "alice")
        + &line(&provenance(&json!({"sha256": s.app_digest})), "mallory");
    s.write("b.jsonl", &b);
    assert_fails(&s, &[], &["V101", "V119"]);
}

#[test]
fn a_payload_type_other_than_in_toto_is_not_evidence() {
    let s = Scratch::new("payload-type");
    for t in [
        "application/json",
        "application/vnd.in-toto+JSON",
        "application/vnd.in-toto+json ",
    ] {
        let b = line(&checkout(), "alice")
            + &line_typed(&provenance(&json!({"sha256": s.app_digest})), "bob", t);
        s.write("b.jsonl", &b);
        assert_fails(&s, &[], &["V101"]);
    }
}

#[test]
fn predicate_types_and_statement_types_compare_exactly() {
    let s = Scratch::new("types");
    for t in [
        "https://slsa.dev/provenance/v1/",
        "https://SLSA.dev/provenance/v1",
        "https://slsa.dev/Provenance/v1",
    ] {
        let mut p = provenance(&json!({"sha256": s.app_digest}));
        p["predicateType"] = json!(t);
        s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
        assert_fails(&s, &[], &["V101"]);
    }
    for t in [
        "https://in-toto.io/Statement/v1/",
        "https://in-toto.io/statement/v1",
    ] {
        let mut p = provenance(&json!({"sha256": s.app_digest}));
        p["_type"] = json!(t);
        s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
        let out = s.verify(&[]);
        assert_ne!(code(&out), Some(0), "{t}");
    }
}

#[test]
fn statement_v01_and_v1_mixed_are_each_read_by_their_own_rules() {
    let s = Scratch::new("v01");
    let mut c = checkout();
    c["_type"] = json!("https://in-toto.io/Statement/v0.1");
    s.write(
        "b.jsonl",
        &(line(&c, "alice") + &line(&provenance(&json!({"sha256": s.app_digest})), "bob")),
    );
    assert_eq!(code(&s.verify(&[])), Some(0));
    // v0.1 needs unique subject names; a repeated one refuses the line.
    c["subject"] = json!([
        {"name": "src/main.c", "digest": {"sha256": "a".repeat(64)}},
        {"name": "src/main.c", "digest": {"sha256": "b".repeat(64)}},
    ]);
    s.write(
        "b.jsonl",
        &(line(&c, "alice") + &line(&provenance(&json!({"sha256": s.app_digest})), "bob")),
    );
    // The line is reported (V121) and not counted: checkout has no evidence.
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("V121") && stderr(&out).contains("E315"));
    assert!(stderr(&out).contains("V101"));
}

#[test]
fn duplicate_subjects_with_different_digests_never_match() {
    let s = Scratch::new("dup-subject");
    for order in [0, 1] {
        let mut subjects = vec![
            json!({"name": "bin/app", "digest": {"sha256": s.app_digest}}),
            json!({"name": "bin/app", "digest": {"sha256": "b".repeat(64)}}),
        ];
        if order == 1 {
            subjects.reverse();
        }
        let mut p = provenance(&json!({"sha256": s.app_digest}));
        p["subject"] = json!(subjects);
        s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
        assert_fails(&s, &[], &["V107"]);
    }
}

#[test]
fn weak_or_malformed_digests_never_identify_the_artifact() {
    let s = Scratch::new("weak");
    // md5 only, sha1 only: no strong algorithm shared with the artifact.
    for alg in ["md5", "sha1"] {
        let len = if alg == "md5" { 32 } else { 40 };
        let p = provenance(&json!({ alg: "0".repeat(len) }));
        s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
        assert_fails(&s, &[], &["V107"]);
    }
    // Upper-case hex is refused as malformed evidence (V121, not counted),
    // never matched.
    let p = provenance(&json!({"sha256": s.app_digest.to_uppercase()}));
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(1));
    assert!(stderr(&out).contains("V121") && stderr(&out).contains("E315"));
    // Alone, it is no readable evidence at all: exit 2.
    s.write("b.jsonl", &line(&p, "bob"));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("E315") && !stderr(&out).contains("V121"));
    // A weak --subject never matches, even against the same weak digest.
    let md5 = "d41d8cd98f00b204e9800998ecf8427e";
    let p = provenance(&json!({ "md5": md5 }));
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    assert_fails(&s, &["--subject", &format!("md5:{md5}")], &["V107"]);
}

#[test]
fn an_artifact_that_is_only_a_material_is_not_the_product() {
    let s = Scratch::new("material-only");
    let mut p = provenance(&json!({"sha256": "c".repeat(64)}));
    p["predicate"]["buildDefinition"]["resolvedDependencies"] =
        json!([{"name": "src/main.c", "digest": {"sha256": s.app_digest}}]);
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    assert_fails(&s, &[], &["V107"]);
}

#[test]
fn a_benign_attestation_does_not_hide_a_failing_one() {
    let s = Scratch::new("benign-appended");
    let mut bad = provenance(&json!({"sha256": s.app_digest}));
    bad["predicate"]["buildDefinition"]["buildType"] = json!("https://evil.example/");
    for order in [0, 1] {
        let good = line(&provenance(&json!({"sha256": s.app_digest})), "bob");
        let evil = line(&bad, "bob");
        let b = if order == 0 {
            good.clone() + &evil
        } else {
            evil + &good
        };
        s.write("b.jsonl", &(line(&checkout(), "alice") + &b));
        assert_fails(&s, &[], &["V106"]);
    }
}

#[test]
fn time_outside_the_policy_life_fails_at_and_after_expiry() {
    let s = Scratch::new("time");
    s.write("b.jsonl", &good_bundle(&s));
    for t in [
        "2030-01-01T00:00:00Z",
        "2031-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ] {
        let out = s.run(&[
            "verify",
            "policy.cairn",
            "--bundle",
            "b.jsonl",
            "--artifact",
            "bin/app",
            "--time",
            t,
        ]);
        assert_eq!(code(&out), Some(1), "{t}");
        assert!(stderr(&out).contains("V109"), "{t}");
    }
    // One second before expiry still passes; a malformed time cannot be evaluated.
    let ok = s.run(&[
        "verify",
        "policy.cairn",
        "--bundle",
        "b.jsonl",
        "--artifact",
        "bin/app",
        "--time",
        "2029-12-31T23:59:59Z",
    ]);
    assert_eq!(code(&ok), Some(0));
    for t in [
        "2026-13-01T00:00:00Z",
        "yesterday",
        "2026-06-01T24:00:00Z",
        "",
    ] {
        let out = s.run(&[
            "verify",
            "policy.cairn",
            "--bundle",
            "b.jsonl",
            "--artifact",
            "bin/app",
            "--time",
            t,
        ]);
        assert_eq!(code(&out), Some(2), "{t}");
    }
}

#[test]
fn a_policy_with_only_inspections_or_an_empty_step_cannot_pass() {
    let s = Scratch::new("only-inspections");
    s.write("b.jsonl", &good_bundle(&s));
    s.write(
        "policy.cairn",
        "layout \"x\" {\n  key a = file \"keys/alice.pub\"\n  inspection look {\n    run \"true\"\n  }\n}\n",
    );
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("E226"));
}

#[test]
fn one_attestation_cannot_serve_two_steps() {
    let s = Scratch::new("two-steps");
    s.write("b.jsonl", &good_bundle(&s));
    s.write(
        "policy.cairn",
        &POLICY.replace(
            "  artifact from build",
            "  step release {\n    by bob\n    attestation slsa-provenance/v1 {\n      require $.buildDefinition.buildType == \"https://example.com/make\"\n    }\n  }\n\n  artifact from build",
        ),
    );
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("E233"));
}

#[test]
fn a_failing_run_writes_a_failed_vsa() {
    let s = Scratch::new("vsa");
    let p = provenance(&json!({"sha256": "c".repeat(64)}));
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    let out = s.verify(&["--vsa", "vsa.json"]);
    assert_eq!(code(&out), Some(1));
    let vsa: Value =
        serde_json::from_slice(&std::fs::read(s.dir.join("vsa.json")).unwrap()).unwrap();
    let text = vsa.to_string();
    assert!(text.contains("FAILED"), "{text}");
    assert!(!text.contains("PASSED"), "{text}");
}

#[test]
fn hostile_predicate_values_are_escaped_in_human_output() {
    let s = Scratch::new("hostile-values");
    let mut p = provenance(&json!({"sha256": s.app_digest}));
    p["predicate"]["buildDefinition"]["buildType"] =
        json!("x\nPASS: layout `review`: 0 failures\u{1b}[2K\u{202e}");
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(1));
    let (o, e) = (stdout(&out), stderr(&out));
    for text in [&o, &e] {
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{text}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("PASS")),
            "a forged status line: {text}"
        );
    }
    assert!(e.contains("\\u001b[2K"), "{e}");
}

/// Runs `verify` with a deadline: a hang is a failure, not a stuck test.
fn verify_within(s: &Scratch, args: &[&str], seconds: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(&s.dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(seconds) {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("`cairn {}` did not finish in {seconds} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn fifos_devices_and_directories_are_refused_without_hanging() {
    let s = Scratch::new("not-regular");
    s.write("b.jsonl", &good_bundle(&s));
    let made = Command::new("mkfifo")
        .arg(s.dir.join("fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    let base = ["verify", "policy.cairn", "--time", "2026-06-01T00:00:00Z"];
    for extra in [
        ["--bundle", "b.jsonl", "--artifact", "/dev/zero"],
        ["--bundle", "b.jsonl", "--artifact", "fifo"],
        ["--bundle", "b.jsonl", "--artifact", "bin"],
        ["--bundle", "fifo", "--artifact", "bin/app"],
        ["--bundle", "/dev/zero", "--artifact", "bin/app"],
    ] {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = verify_within(&s, &args, 20);
        assert_eq!(code(&out), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(
            refused_by_kind(&stderr(&out)),
            "{extra:?}: {}",
            stderr(&out)
        );
    }
}

/// Whether a message refuses a file for what it is (not a regular file, a
/// directory, or a pipe nothing was written to).
fn refused_by_kind(stderr: &str) -> bool {
    [
        "not a regular file",
        "it is a directory, not a file",
        "a FIFO that nothing was written to",
    ]
    .iter()
    .any(|reason| stderr.contains(reason))
}

#[test]
fn a_fifo_as_policy_or_key_file_is_refused_without_hanging() {
    let s = Scratch::new("fifo-policy");
    s.write("b.jsonl", &good_bundle(&s));
    assert!(Command::new("mkfifo")
        .arg(s.dir.join("fifo"))
        .status()
        .unwrap()
        .success());
    // Named on the command line, a FIFO is read as a pipe: with no writer
    // there is nothing to read, and it is refused at once.
    let out = verify_within(&s, &["check", "fifo"], 20);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(refused_by_kind(&stderr(&out)), "{}", stderr(&out));
    s.write(
        "policy.cairn",
        &POLICY.replace("file \"keys/bob.pub\"", "file \"fifo\""),
    );
    let out = verify_within(&s, &["check", "policy.cairn"], 20);
    assert_ne!(code(&out), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_link_with_the_right_name_signed_by_another_steps_functionary_does_not_count() {
    let s = Scratch::new("link-other-functionary");
    s.write(
        "policy.cairn",
        r#"layout "links" {
  key alice = file "keys/alice.pub"
  key bob = file "keys/bob.pub"

  step checkout {
    by alice
    products {
      create "src/*"
    }
  }

  step build {
    by bob
    materials {
      match "src/*" with products from checkout
    }
    products {
      create "bin/*"
    }
  }

  artifact from build
}
"#,
    );
    let link = |name: &str, materials: Value, products: Value| {
        json!({
            "_type": "link", "name": name, "command": [],
            "materials": materials, "products": products,
            "byproducts": {}, "environment": {},
        })
    };
    let src = json!({"src/main.c": {"sha256": "a".repeat(64)}});
    let checkout = link("checkout", json!({}), src.clone());
    let build = link("build", src, json!({"bin/app": {"sha256": s.app_digest}}));
    s.write(
        "b.jsonl",
        &(line(&checkout, "alice") + &line(&build, "bob")),
    );
    assert_eq!(code(&s.verify(&[])), Some(0), "the control passes");
    // bob signs both links: the checkout link does not count.
    s.write("b.jsonl", &(line(&checkout, "bob") + &line(&build, "bob")));
    assert_fails(&s, &[], &["V101"]);
    // The same link given twice, or signed twice by bob, is still one key.
    s.write(
        "b.jsonl",
        &(line(&checkout, "alice") + &line(&build, "bob") + &line(&build, "bob")),
    );
    assert_eq!(code(&s.verify(&[])), Some(0));
}

#[test]
fn count_over_a_missing_list_is_not_zero() {
    let s = Scratch::new("count-absent");
    s.write(
        "policy.cairn",
        &POLICY.replace(
            "      require $.buildDefinition.buildType",
            "      require count $.runDetails.byproducts[*] == 0\n      require $.buildDefinition.buildType",
        ),
    );
    s.write("b.jsonl", &good_bundle(&s));
    assert_fails(&s, &[], &["V106", "is absent"]);
    let mut p = provenance(&json!({"sha256": s.app_digest}));
    p["predicate"]["runDetails"] = json!({"byproducts": []});
    s.write("b.jsonl", &(line(&checkout(), "alice") + &line(&p, "bob")));
    assert_eq!(code(&s.verify(&[])), Some(0));
}

/// Under `by 2 of bob, carol`, one key cannot make an artifact the step's
/// product on its own: an extra provenance signed by bob alone for another
/// artifact (or bob's provenance naming one more subject) beside the two
/// that agree makes the counted attestations disagree (V103), while the two
/// agreeing ones alone pass.
#[test]
fn one_key_of_a_threshold_cannot_add_a_product() {
    let s = Scratch::new("threshold-union");
    std::fs::copy(format!("{KEYS}/carol.pub"), s.dir.join("keys/carol.pub")).unwrap();
    s.write(
        "policy.cairn",
        &POLICY
            .replace("    by bob\n", "    by 2 of bob, carol\n")
            .replace(
                "  key bob = file \"keys/bob.pub\"\n",
                "  key bob = file \"keys/bob.pub\"\n  key carol = file \"keys/carol.pub\"\n",
            ),
    );
    let evil_subject = format!("sha256:{}", sha256_hex(b"evil\n"));
    let app = provenance(&json!({"sha256": s.app_digest}));
    let evil = provenance(&json!({"sha256": sha256_hex(b"evil\n")}));
    let agreed = line(&checkout(), "alice") + &line(&app, "bob") + &line(&app, "carol");
    s.write("b.jsonl", &agreed);
    assert_eq!(code(&s.verify(&[])), Some(0), "{}", stderr(&s.verify(&[])));

    let evil_named = {
        let mut v = evil.clone();
        v["subject"][0]["name"] = json!("bin/evil");
        v
    };
    s.write("b.jsonl", &(agreed.clone() + &line(&evil_named, "bob")));
    assert_fails(&s, &["--subject", &evil_subject], &["V103"]);
    assert_fails(&s, &[], &["V103"]);
    insta::assert_snapshot!("V103-attestations-disagree", stderr(&s.verify(&[])));

    let mut two_subjects = app.clone();
    two_subjects["subject"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "bin/evil", "digest": {"sha256": sha256_hex(b"evil\n")}}));
    let bundle = line(&checkout(), "alice") + &line(&two_subjects, "bob") + &line(&app, "carol");
    s.write("b.jsonl", &bundle);
    assert_fails(&s, &["--subject", &evil_subject], &["V103"]);
}

/// A material the predicate lists without a name (only a `uri`, as SLSA
/// v1 dependencies often are), without a digest, or in a list that is not
/// an array still meets the rules: the implicit final `disallow "*"`
/// refuses it instead of never seeing it.
#[test]
fn a_material_without_a_name_or_digest_is_not_dropped() {
    let s = Scratch::new("unnamed-material");
    let with_deps = |deps: Value| {
        let mut p = provenance(&json!({"sha256": s.app_digest}));
        p["predicate"]["buildDefinition"]["resolvedDependencies"] = deps;
        line(&checkout(), "alice") + &line(&p, "bob")
    };
    let good = json!({"name": "src/main.c", "digest": {"sha256": "a".repeat(64)}});
    s.write("b.jsonl", &with_deps(json!([good.clone()])));
    assert_eq!(code(&s.verify(&[])), Some(0), "{}", stderr(&s.verify(&[])));
    for extra in [
        json!({"uri": "https://evil.example/backdoor.tgz", "digest": {"sha256": "b".repeat(64)}}),
        json!({"name": "backdoor.tgz", "uri": "https://evil.example/backdoor.tgz"}),
        json!({"name": "backdoor.tgz", "digest": {"sha256": 1}}),
    ] {
        s.write("b.jsonl", &with_deps(json!([good.clone(), extra.clone()])));
        assert_fails(&s, &[], &["V104"]);
    }
    s.write(
        "b.jsonl",
        &with_deps(json!({"src/main.c": {"sha256": "a".repeat(64)}})),
    );
    assert_fails(&s, &[], &["V104"]);
    insta::assert_snapshot!("V104-material-not-a-list", stderr(&s.verify(&[])));
}

/// A regex's braces are repetitions, not parameters: `{40}` checks forty
/// hex digits (it stopped verification as a missing parameter `40`).
#[test]
fn braces_in_a_regex_are_repetitions() {
    let s = Scratch::new("regex-braces");
    s.with_checkout_check("require $.commit matches \"^[0-9a-f]{40}$\"");
    let with_commit = |commit: &str| s.bundle_with_checkout_field("commit", json!(commit));
    s.write("b.jsonl", &with_commit(&"a".repeat(40)));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    s.write("b.jsonl", &with_commit(&"a".repeat(39)));
    assert_fails(&s, &[], &["V106"]);
}

/// Links that disagree are shown against the `by` they answer to: a
/// link/v0.3 block's own, not the step's.
#[test]
fn disagreeing_links_point_at_their_blocks_by() {
    let s = Scratch::new("links-by");
    std::fs::copy(format!("{KEYS}/carol.pub"), s.dir.join("keys/carol.pub")).unwrap();
    s.write(
        "policy.cairn",
        r#"layout "links-by" {
  expires 2030-01-01T00:00:00Z
  key alice = file "keys/alice.pub"
  key bob = file "keys/bob.pub"
  key carol = file "keys/carol.pub"

  step build {
    by alice
    attestation link/v0.3 {
      by 2 of bob, carol
      materials {}
      products { create "bin/*" }
    }
  }

  artifact from build
}
"#,
    );
    let link = |digest: &str| {
        json!({
            "_type": STATEMENT,
            "subject": [{"name": "bin/app", "digest": {"sha256": digest}}],
            "predicateType": "https://in-toto.io/attestation/link/v0.3",
            "predicate": {"name": "build", "command": [], "materials": []},
        })
    };
    let other = "c".repeat(64);
    s.write(
        "b.jsonl",
        &(line(&link(&s.app_digest), "bob") + &line(&link(&other), "carol")),
    );
    assert_fails(&s, &[], &["V103"]);
    insta::assert_snapshot!("V103-links-by-of-their-block", finding(&s, "V103"));
}

/// `count $.failed[*] == 0` fails when `failed` is a string, a number or
/// null: `[*]` selects nothing from those, but they are no empty list.
#[test]
fn count_over_something_that_is_no_list_fails() {
    let s = Scratch::new("count-no-list");
    s.with_checkout_check("require count $.failed[*] == 0");
    let with_failed = |failed: Value| s.bundle_with_checkout_field("failed", failed);
    s.write("b.jsonl", &with_failed(json!([])));
    let out = s.verify(&[]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    for failed in [json!("integration,e2e"), json!(3), json!(null)] {
        s.write("b.jsonl", &with_failed(failed));
        assert_fails(&s, &[], &["V106"]);
    }
    s.write("b.jsonl", &with_failed(json!("integration,e2e")));
    insta::assert_snapshot!("V106-count-over-a-string", finding(&s, "V106"));
}

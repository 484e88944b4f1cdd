//! The evidence commands end to end: `key gen`, `key id`, `attest`, `sign`,
//! `verify-envelope`, with their exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = "tests/fixtures/in-toto-python";

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn key_id_prints_the_keyids_layouts_use() {
    let out = cairn(&["key", "id", &format!("{FIXTURES}/pass/owner.pub")]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The keyid of the owner's signature on every fixture layout.
    assert!(stdout.contains("441ddc3d832fff30db5ee703cee9c333eb6b790b35e027acbc898ca09706ace0"));
    let out = cairn(&[
        "key",
        "id",
        "--format",
        "json",
        &format!("{FIXTURES}/keys/d2340ae4.json"),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schemaVersion"], 1);
    let rows = &report["keys"];
    assert_eq!(
        rows[0]["keyid"],
        "d2340ae48d56d333ae2d5e548d4fd80f7562356484a56742192ba88862cd91a7"
    );
    let out = cairn(&[
        "key",
        "id",
        "tests/cases/evidence/err/E316-KY-05-small-order.key",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E316"));
}

/// A layout in the shape of in-toto-golang's demo layout
/// (`tests/fixtures/vectors/rsa-layout`, keyids as the generator prints
/// them): its keyid is the legacy formula over the PEM without its final
/// newline, and its RSA-PSS signature covers the canonical JSON of keys
/// whose PEM strings hold raw newlines. The upstream files: `tests/corpus/`.
#[test]
fn go_demo_layout_keyid_and_signature() {
    let key = "tests/fixtures/vectors/rsa-layout/owner.pub";
    let layout = "tests/fixtures/vectors/rsa-layout/root.layout";
    let out = cairn(&["key", "id", key]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(
        "(PEM without final newline, legacy):  38066640fead7a95d45a494d9bf0aed27cb1ff9ee81ae53d175438a31941884c"
    ), "{stdout}");
    assert!(stdout.contains("keyid (legacy): e936d619"), "{stdout}");
    let out = cairn(&["verify-envelope", layout, "--key", key]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let dir = temp_dir("go-demo");
    let text = std::fs::read_to_string(layout).unwrap();
    for (from, to) in [
        ("2031-06-30T12:00:00Z", "2031-06-30T12:00:01Z"),
        // One more byte in a functionary's PEM.
        (
            "-----END PUBLIC KEY-----\"",
            "-----END PUBLIC KEY-----\\n\"",
        ),
    ] {
        assert!(text.contains(from));
        let changed = dir.join("changed.layout");
        std::fs::write(&changed, text.replacen(from, to, 1)).unwrap();
        let out = cairn(&["verify-envelope", s(&changed), "--key", key]);
        assert_eq!(out.status.code(), Some(1), "{to}: {out:?}");
    }
    let other = format!("{FIXTURES}/pass/owner.pub");
    assert_eq!(
        cairn(&["verify-envelope", layout, "--key", &other])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn verify_envelope_exit_codes_on_fixture_links() {
    for case in ["pass", "pass-dsse"] {
        let link = format!("{FIXTURES}/{case}/build.d2340ae4.link");
        let right = format!("{FIXTURES}/keys/d2340ae4.json");
        let wrong = format!("{FIXTURES}/keys/e4ee5c5b.json");
        assert_eq!(
            cairn(&["verify-envelope", &link, "--key", &right])
                .status
                .code(),
            Some(0)
        );
        assert_eq!(
            cairn(&["verify-envelope", &link, "--key", &wrong])
                .status
                .code(),
            Some(1)
        );
        let both = cairn(&[
            "verify-envelope",
            &link,
            "--key",
            &wrong,
            "--key",
            &right,
            "--format",
            "json",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
        assert_eq!(report["signers"][0]["key"], right.as_str());
    }
    let malformed = "tests/cases/evidence/err/E303-SG-08-duplicate-payload.json";
    let key = "tests/cases/evidence/trusted.pub";
    let out = cairn(&["verify-envelope", malformed, "--key", key]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E303"));
}

#[test]
fn key_gen_attest_sign_and_verify() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir("flow");
    let prefix = dir.join("alice");
    let out = cairn(&["key", "gen", "-o", s(&prefix)]);
    assert!(out.status.success());
    let keyid = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(keyid.len(), 64);
    let mode = std::fs::metadata(&prefix).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let private = std::fs::read_to_string(&prefix).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(!keyid.is_empty() && !private.contains(&keyid));
    let public = dir.join("alice.pub");
    let ids = cairn(&["key", "id", s(&public)]);
    assert!(String::from_utf8_lossy(&ids.stdout).contains(&keyid));
    // Never overwrite.
    let again = cairn(&["key", "gen", "-o", s(&prefix)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("E431"));

    let artifact = dir.join("app.bin");
    std::fs::write(&artifact, b"bytes").unwrap();
    let predicate = dir.join("p.json");
    std::fs::write(&predicate, b"{\"ok\": true}").unwrap();
    let bundle = dir.join("app.intoto.jsonl");
    let attest = |subject: &str| {
        Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args([
                "attest",
                "--predicate-type",
                "slsa-provenance/v1",
                "--predicate",
                s(&predicate),
                "--subject",
                subject,
                "--key",
                s(&prefix),
                "-o",
                s(&bundle),
            ])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    // Subjects are artifact names: an absolute or dotted path is refused
    // before anything is written (it would not load as evidence, E320).
    for bad in [s(&artifact), "./app.bin", "x/../app.bin"] {
        let out = attest(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("E434"),
            "{bad}"
        );
    }
    assert!(!bundle.exists());
    for _ in 0..2 {
        let out = attest("app.bin");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert_eq!(text.lines().count(), 2);
    let loaded = cairn_evidence::load(std::slice::from_ref(&bundle), &Default::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let key =
        cairn_evidence::TrustedKey::parse(&std::fs::read_to_string(&public).unwrap(), "a").unwrap();
    let (verified, rejected) = cairn_evidence::verify(loaded.items, &[key]);
    assert_eq!((verified.len(), rejected.len()), (2, 0));
    let cairn_evidence::Body::Statement(st) = &verified[0].value().body else {
        panic!()
    };
    assert_eq!(st.predicate_type, "https://slsa.dev/provenance/v1");
    assert_eq!(st.subjects[0].name, "app.bin");

    // `sign` and `verify-envelope`, and a one-byte change of the payload.
    let env = dir.join("env.json");
    let out = cairn(&[
        "sign",
        "--key",
        s(&prefix),
        s(&predicate),
        "--payload-type",
        "text/plain",
        "-o",
        s(&env),
    ]);
    assert!(out.status.success());
    assert_eq!(
        cairn(&["verify-envelope", s(&env), "--key", s(&public)])
            .status
            .code(),
        Some(0)
    );
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&env).unwrap()).unwrap();
    v["payload"] = cairn_evidence::dsse::b64_encode(b"{\"ok\": truE}").into();
    std::fs::write(&env, v.to_string()).unwrap();
    assert_eq!(
        cairn(&["verify-envelope", s(&env), "--key", s(&public)])
            .status
            .code(),
        Some(1)
    );

    // A public key is not a signing key; an unknown alias is refused.
    let out = cairn(&["sign", "--key", s(&public), s(&predicate)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E317"));
    let out = cairn(&[
        "attest",
        "--predicate-type",
        "provenance",
        "--predicate",
        s(&predicate),
        "--subject",
        s(&artifact),
        "--key",
        s(&prefix),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("E432"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A subject that is not a regular file (a FIFO nobody writes to) is
/// refused at once (E440) instead of being read forever.
#[cfg(unix)]
#[test]
fn attest_refuses_a_fifo_subject() {
    let dir = temp_dir("attest-fifo");
    let fifo = dir.join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let predicate = dir.join("predicate.json");
    std::fs::write(&predicate, "{}").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "attest",
            "--predicate-type",
            "https://example.com/p/v1",
            "--predicate",
        ])
        .arg(&predicate)
        .arg("--subject")
        .arg("pipe")
        .arg("--key")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys/alice"))
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("cairn attest is still reading the FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E440"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--artifact` is hashed with every algorithm the evidence's subjects use:
/// a provenance whose subject carries sha512 only (as npm's do) matches the
/// file, and a file of other bytes does not.
#[test]
fn artifact_is_hashed_with_the_subjects_algorithms() {
    use sha2::Digest as _;
    let dir = temp_dir("sha512-subject");
    let prefix = dir.join("registry");
    assert!(cairn(&["key", "gen", "-o", s(&prefix)]).status.success());
    let artifact = dir.join("pkg-1.0.0.tgz");
    std::fs::write(&artifact, b"package bytes").unwrap();
    let other = dir.join("other.tgz");
    std::fs::write(&other, b"other bytes").unwrap();
    let sha512 = hex::encode(sha2::Sha512::digest(b"package bytes"));
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "pkg:npm/pkg@1.0.0", "digest": {"sha512": sha512}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.com/npm", "externalParameters": {}},
            "runDetails": {"builder": {"id": "https://example.com/builder"}}
        }
    });
    let payload = dir.join("statement.json");
    std::fs::write(&payload, statement.to_string()).unwrap();
    let envelope = dir.join("publish.json");
    let out = cairn(&[
        "sign",
        "--key",
        s(&prefix),
        s(&payload),
        "--payload-type",
        "application/vnd.in-toto+json",
        "-o",
        s(&envelope),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy = dir.join("policy.cairn");
    std::fs::write(
        &policy,
        "layout \"npm\" {\n  expires 2099-01-01T00:00:00Z\n  key registry = file \"registry.pub\"\n  \
         step publish {\n    by registry\n    attestation slsa-provenance/v1 {\n      \
         products {\n        create \"pkg:npm/pkg@1.0.0\"\n      }\n      require $.runDetails.builder.id == \"https://example.com/builder\"\n    }\n  }\n  \
         artifact from publish\n}\n",
    )
    .unwrap();
    let verify = |file: &Path| {
        cairn(&[
            "verify",
            s(&policy),
            "--bundle",
            s(&envelope),
            "--artifact",
            s(file),
        ])
    };
    let out = verify(&artifact);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(&other);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

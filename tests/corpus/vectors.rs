//! The in-toto test vectors over the upstream files themselves, read where
//! they lie under `real-world/` (the plain `cargo test` runs the same checks
//! on files of our own, `tests/fixtures/vectors/`): in-toto 3.1.0's demo
//! files and PEMs (in-toto/in-toto at 9a1efed3), in-toto-golang's RSA-PSS
//! demo layout (at 36d782ff, a newer version than the one these checks were
//! first written for: it adds X.509 `cert_constraints`, which
//! `verify-envelope` does not read) and attestation-verifier's ITE-10 layout
//! and Ed25519 Statements (at 1717532a).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cairn_evidence::keyfile::key_from_object;
use cairn_evidence::keys::keyid;
use cairn_evidence::{Limits, SigningKey, TrustedKey};

fn real_world(path: &str) -> PathBuf {
    let dir = super::shared().join("real-world");
    assert!(
        dir.join("README.md").is_file(),
        "{} is missing",
        dir.display()
    );
    dir.join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-corpus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The RSA functionary keys of in-toto's `demo.layout.template`, by keyid.
fn demo_keys() -> Vec<(String, TrustedKey, serde_json::Value)> {
    let path = real_world("in-toto-in-toto/tests/demo_files/demo.layout.template");
    let layout: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let mut out = Vec::new();
    for (id, obj) in layout["signed"]["keys"].as_object().unwrap() {
        let (key, scheme, stated) = key_from_object(obj).unwrap();
        assert_eq!(stated.as_deref(), Some(id.as_str()));
        out.push((
            id.clone(),
            TrustedKey::new(key, scheme, id.clone()),
            obj.clone(),
        ));
    }
    out
}

#[test]
fn keyid_table_of_section_4_3() {
    let pems = real_world("in-toto-in-toto/tests/pems");
    let ecdsa = TrustedKey::parse(&read(&pems.join("ecdsa_public.pem")), "ecdsa").unwrap();
    assert_eq!(ecdsa.key.keytype(), "ecdsa");
    assert_eq!(
        ecdsa.keyid(),
        "50d7e110ad65f3b2dba5c3cfc8c5ca259be9774cc26be3410044ffd4be3aa5f3"
    );
    let ed = TrustedKey::parse(&read(&pems.join("ed25519_public.pem")), "ed25519").unwrap();
    assert_eq!(
        ed.keyid(),
        "c6d8bf2e4f48b41ac2ce8eca21415ca8ef68c133b47fc33df03d4070a7e1e9cc"
    );
    // RSA: the legacy formula over `keyval.public` exactly as the layout writes it.
    let keys = demo_keys();
    assert_eq!(keys.len(), 2);
    for (id, _, obj) in keys {
        let public = obj["keyval"]["public"].as_str().unwrap();
        assert_eq!(keyid("rsa", "rsassa-pss-sha256", public, true), id);
    }
}

/// in-toto's demo links (RSA-PSS-SHA256, classic and DSSE) verify with the
/// layout's keys, each only with its own key.
#[test]
fn rsa_demo_links_verify_classic_and_dsse() {
    let keys: Vec<TrustedKey> = demo_keys().into_iter().map(|(_, k, _)| k).collect();
    for dir in ["demo_files", "demo_dsse_files"] {
        for link in ["write-code.776a00e2.link", "package.2f89b927.link"] {
            let path = real_world(&format!("in-toto-in-toto/tests/{dir}/{link}"));
            let loaded = cairn_evidence::load(std::slice::from_ref(&path), &Limits::default());
            assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
            let (verified, rejected) = cairn_evidence::verify(loaded.items, &keys);
            assert!(rejected.is_empty(), "{path:?}: {rejected:?}");
            let signer = &keys[verified[0].signers()[0]];
            assert!(signer
                .label
                .starts_with(&link[link.find('.').unwrap() + 1..][..8]));
        }
    }
}

#[test]
fn in_toto_private_keys_sign() {
    let pems = real_world("in-toto-in-toto/tests/pems");
    for (private, public) in [
        ("ed25519_private_unencrypted.pem", "ed25519_public.pem"),
        ("ecdsa_private_unencrypted.pem", "ecdsa_public.pem"),
    ] {
        let key = SigningKey::from_pkcs8_pem(&read(&pems.join(private))).unwrap();
        let public = TrustedKey::parse(&read(&pems.join(public)), "p").unwrap();
        assert_eq!(key.keyid(), public.keyid());
        let env = cairn_evidence::sign_dsse("text/plain", b"hi", &key);
        cairn_evidence::scheme::verify(
            &public.key,
            public.scheme,
            &env.pae(),
            &env.signatures[0].sig,
        )
        .unwrap();
    }
}

/// in-toto-golang's demo layout: its keyid is the legacy formula over the
/// PEM without its final newline, and its RSA-PSS signature covers the
/// canonical JSON of keys whose PEM strings hold raw newlines.
#[test]
fn go_demo_layout_keyid_and_signature() {
    let data = real_world("in-toto-in-toto-golang/test/data");
    let key = data.join("alice.pub");
    let layout = data.join("demo.layout");
    let out = cairn(&["key", "id", s(&key)]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(
        "(PEM without final newline, legacy):  70ca5750c2eda80b18f41f4ec5f92146789b5d68dd09577be422a0159bd13680"
    ), "{stdout}");
    assert!(stdout.contains("keyid (legacy): d4dd0a3f"), "{stdout}");
    let out = cairn(&["verify-envelope", s(&layout), "--key", s(&key)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let dir = temp_dir("go-demo");
    let text = read(&layout);
    for (from, to) in [
        ("2030-11-18T16:06:36Z", "2030-11-19T16:06:36Z"),
        // One more byte in a functionary's PEM.
        (
            "-----END PUBLIC KEY-----\"",
            "-----END PUBLIC KEY-----\\n\"",
        ),
    ] {
        assert!(text.contains(from));
        let changed = dir.join("changed.layout");
        std::fs::write(&changed, text.replacen(from, to, 1)).unwrap();
        let out = cairn(&["verify-envelope", s(&changed), "--key", s(&key)]);
        assert_eq!(out.status.code(), Some(1), "{to}: {out:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Another RSA key of the same test data.
    let other = data.join("dan.pub");
    assert_eq!(
        cairn(&["verify-envelope", s(&layout), "--key", s(&other)])
            .status
            .code(),
        Some(1)
    );
}

/// attestation-verifier's Ed25519 Statements in DSSE: all three signatures
/// verify with the layout's functionary key (keyid `fe1c6281…` by the legacy
/// formula); `test` and `build` are read as Statements of their predicate
/// types, `clone`, whose Statement says `type` for `_type`, is refused.
#[test]
fn attestation_verifier_statements() {
    let av = real_world("in-toto-attestation-verifier");
    let layout: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&read(&av.join("layouts/layout.yml"))).unwrap();
    let id = "fe1c6281c5ff13e35286cc67e5a1fb3e6575b840a6c39ca4267d3805eb17288a";
    let public = layout["functionaries"][id]["keyVal"]["public"]
        .as_str()
        .unwrap();
    assert_eq!(keyid("ed25519", "ed25519", public, true), id);
    let object = serde_json::json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}});
    let (public_key, scheme, _) = key_from_object(&object).unwrap();
    let key = TrustedKey::new(public_key, scheme, id);
    for name in ["clone", "test", "build"] {
        let text = read(&av.join(format!("test-data/{name}.fe1c6281.json")));
        let at = cairn_evidence::Location::file(name);
        let (doc, _) =
            cairn_evidence::document::read_document(text.as_bytes(), &at, &Limits::default())
                .unwrap();
        let check = cairn_evidence::verify::check(&doc, std::slice::from_ref(&key));
        assert_eq!(check.signers, vec![0], "{name}");
        // The same signature over a payload one character off.
        let inside = text.find("\"payload\":\"").unwrap() + 40;
        let mut changed = text.clone().into_bytes();
        changed[inside] = if changed[inside] == b'A' { b'B' } else { b'A' };
        let (doc, _) =
            cairn_evidence::document::read_document(&changed, &at, &Limits::default()).unwrap();
        assert!(
            cairn_evidence::verify::check(&doc, std::slice::from_ref(&key))
                .signers
                .is_empty(),
            "{name}"
        );
    }
    let loaded = cairn_evidence::load(&[av.join("test-data")], &Limits::default());
    let claims: Vec<String> = loaded.items.iter().map(|i| i.claim.to_string()).collect();
    // `clone` spells `_type` as `type`, the protobuf field name: read.
    assert_eq!(
        claims,
        [
            "statement of type `https://slsa.dev/provenance/v1`",
            "link for step `clone`",
            "statement of type `https://in-toto.io/attestation/test-result/v0.1`",
        ]
    );
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let (verified, rejected) = cairn_evidence::verify(loaded.items, &[key]);
    assert_eq!((verified.len(), rejected.len()), (3, 0));
}

fn import(path: &Path) -> (i32, String, String) {
    let out = cairn(&["import", s(path)]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// attestation-verifier's own layout and attestations through `import` and
/// `verify`: the one rule on `subject` is a check on the Statement; without it the layout
/// imports (the list comparison of `clone` as element checks, warnings as
/// its `warn` asks), and verifying its test data reads `test` and `build`
/// and reads `clone`, whose Statement spells `_type` as `type`.
#[test]
fn attestation_verifier_layout_and_test_data() {
    let av = real_world("in-toto-attestation-verifier");
    let original = av.join("layouts/layout.yml");
    let (code, source, stderr) = import(&original);
    // `size(subject) != 0` is a check on the Statement.
    assert_eq!(code, 0, "{stderr}");
    assert!(
        source.contains("require statement.subject is not empty"),
        "{source}"
    );

    let dir = temp_dir("ite10-av");
    let text = read(&original);
    let without = text.replace("          - rule: \"size(subject) != 0\"\n", "");
    assert_ne!(without, text);
    let layout = dir.join("layout.yml");
    std::fs::write(&layout, without).unwrap();
    let (code, source, stderr) = import(&layout);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        source.contains(concat!(
            "      warn count $.command[*] == 3\n",
            "      warn $.command[0] == \"git\"\n",
            "      warn $.command[1] == \"clone\"\n",
            "      warn $.command[2] == \"https://example.com/foo.git\"\n",
        )),
        "{source}"
    );
    let policy = dir.join("policy.cairn");
    std::fs::write(&policy, &source).unwrap();
    let verify = |policy: &Path, bundle: &Path| {
        let out = cairn(&[
            "verify",
            s(policy),
            "--bundle",
            s(bundle),
            "--time",
            "2024-01-01T00:00:00Z",
            "--format",
            "json",
        ]);
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // All three, `clone` with `type` for `_type`: read and counted; every
    // check passes (the upstream clone records the command the layout's
    // `warn` checks compare).
    let (code, json, stderr) = verify(&policy, &av.join("test-data"));
    assert_eq!(code, Some(0), "{stderr}\n{json}");
    // Without it, every check of `test` and `build` runs and passes: the
    // only failures are `clone`'s missing evidence and what follows from it.
    let data = dir.join("test-data");
    std::fs::create_dir_all(&data).unwrap();
    for name in ["test", "build"] {
        let file = format!("{name}.fe1c6281.json");
        std::fs::copy(av.join("test-data").join(&file), data.join(&file)).unwrap();
    }
    let steps = |json: &str| -> Vec<(String, String)> {
        let report: serde_json::Value = serde_json::from_str(json).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["step"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let (code, json, stderr) = verify(&policy, &data);
    assert_eq!(code, Some(1), "{stderr}");
    let found = steps(&json);
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|(code, step)| step == "clone" || code == "V120"),
        "{found:?}"
    );
    // A check that the test result contradicts does fail.
    let changed = source.replace(
        "require $.result == \"PASSED\"",
        "require $.result == \"FAILED\"",
    );
    assert_ne!(changed, source);
    std::fs::write(&policy, &changed).unwrap();
    let (code, json, _) = verify(&policy, &data);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(1));
    let found = steps(&json);
    assert!(
        found.contains(&("V106".to_string(), "test".to_string())),
        "{found:?}"
    );
}

//! Key files in the shapes other in-toto producers write: ECDSA P-384 and
//! P-521 (PEM, securesystemslib JSON), Ed25519 as raw bytes and binary DER,
//! refused curves (P-224, secp256k1) and GPG keys. The files under
//! `tests/keys/more/` are made by `scripts/gen-key-fixtures.sh`; its links,
//! envelopes and layout are signed by OpenSSL, not by cairn.

use std::path::{Path, PathBuf};

use crate::cairn_in;

const DIR: &str = "tests/keys/more";

fn dir() -> PathBuf {
    PathBuf::from(DIR)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cairn_in(&dir(), args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The keyid a classic link's first signature names.
fn link_keyid(file: &str) -> String {
    let text = std::fs::read_to_string(dir().join(file)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["signatures"][0]["keyid"].as_str().unwrap().to_owned()
}

/// `cairn key id` lists the keyid in-toto-golang gives P-384 and P-521 keys
/// (the legacy formula over the PEM without its final newline, with the
/// curve's scheme): the keyid the script's own implementation of the
/// formula put on the links.
#[test]
fn key_id_of_p384_and_p521_is_in_toto_golangs() {
    for (file, link, scheme) in [
        ("p384.pub", "build-p384.link", "ecdsa-sha2-nistp384"),
        ("p521.pub", "build-p521.link", "ecdsa-sha2-nistp521"),
    ] {
        let (code, stdout, stderr) = run(&["key", "id", file]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains(&format!("(ecdsa, {scheme})")), "{stdout}");
        let expected = link_keyid(link);
        assert!(
            stdout.contains(&format!(
                "keyid (PEM without final newline, legacy):  {expected}"
            )),
            "{stdout}"
        );
    }
}

/// A securesystemslib key object with keytype `ecdsa-sha2-nistp384` has the
/// keyids of that keytype; with keytype `ecdsa`, those of the PEM file.
#[test]
fn key_objects_keep_their_keytype_in_keyids() {
    let (code, stdout, _) = run(&[
        "key",
        "id",
        "--format",
        "json",
        "p384.json",
        "p384-ecdsa.json",
        "p384.pub",
    ]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = &report["keys"];
    assert_eq!(rows[0]["keytype"], "ecdsa-sha2-nistp384");
    assert_eq!(rows[1]["keytype"], "ecdsa");
    assert_ne!(rows[0]["keyid"], rows[1]["keyid"]);
    assert_eq!(rows[1]["keyid"], rows[2]["keyid"]);
    assert_eq!(
        rows[1]["keyidLegacyNoNewline"],
        link_keyid("build-p384.link")
    );
}

/// Links and DSSE envelopes signed by OpenSSL (DER signatures over SHA-384
/// and SHA-512, as securesystemslib and in-toto-golang make them) verify
/// with the PEM and the JSON key, and with no other key.
#[test]
fn openssl_signatures_verify_with_p384_and_p521_keys() {
    for (n, other) in [("p384", "p521"), ("p521", "p384")] {
        for key in [
            format!("{n}.pub"),
            format!("{n}.json"),
            format!("{n}-ecdsa.json"),
        ] {
            for file in [format!("build-{n}.link"), format!("{n}.dsse.json")] {
                let (code, stdout, stderr) = run(&["verify-envelope", &file, "--key", &key]);
                assert_eq!(code, 0, "{file} {key}: {stdout}{stderr}");
            }
        }
        let (code, ..) = run(&[
            "verify-envelope",
            &format!("{n}.dsse.json"),
            "--key",
            &format!("{other}.pub"),
        ]);
        assert_eq!(code, 1);
        let (code, ..) = run(&[
            "verify-envelope",
            &format!("build-{n}.link"),
            "--key",
            "p256.pub",
        ]);
        assert_eq!(code, 1);
    }
    // One changed byte of the signed link.
    let tmp = temp_dir("tamper");
    let text = std::fs::read_to_string(dir().join("build-p521.link")).unwrap();
    let changed = tmp.join("build-p521.link");
    std::fs::write(&changed, text.replace("\"make\"", "\"makf\"")).unwrap();
    let key = std::fs::canonicalize(dir().join("p521.pub")).unwrap();
    let (code, ..) = run(&["verify-envelope", s(&changed), "--key", s(&key)]);
    assert_eq!(code, 1);
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// A classic layout signed with P-521 whose step is signed with P-384:
/// `--layout-key` takes the P-521 key, the layout's key object the P-384 one.
#[test]
fn classic_layout_with_ecdsa_keys_verifies() {
    let (code, stdout, stderr) = run(&[
        "verify",
        "--layout",
        "layout/root.layout",
        "--layout-key",
        "p521.pub",
        "--links",
        "layout",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, ..) = run(&[
        "verify",
        "--layout",
        "layout/root.layout",
        "--layout-key",
        "p384.pub",
        "--links",
        "layout",
    ]);
    assert_eq!(code, 1);
}

/// Policies take the new key files with `file`, with or without a scheme.
#[test]
fn policy_file_keys_of_every_new_shape() {
    let tmp = temp_dir("policy");
    let here = std::fs::canonicalize(dir()).unwrap();
    let policy = format!(
        r#"layout "ecdsa-keys" {{
  key k384 = file "{d}/p384.pub"
  key k521 = file "{d}/p521.pub" scheme "ecdsa-sha2-nistp521"
  key raw = file "{d}/ed25519.raw"
  key der = file "{d}/ed25519.spki-null.der"

  step build-p384 {{
    by k384
    command "make"
    materials {{}}
    products {{ create "out.txt" }}
  }}
  step build-p521 {{
    by k521
    command "make"
    materials {{}}
    products {{ create "out.txt" }}
  }}
}}
"#,
        d = here.display()
    );
    let path = tmp.join("policy.cairn");
    std::fs::write(&path, &policy).unwrap();
    let (code, stdout, stderr) = run(&[
        "verify",
        s(&path),
        "--bundle",
        "build-p384.link",
        "--bundle",
        "build-p521.link",
    ]);
    // The two Ed25519 keys are one key in two encodings: a duplicate.
    assert_eq!(code, 2, "{stdout}{stderr}");
    let policy = policy.replace(
        &format!(
            "  key der = file \"{}/ed25519.spki-null.der\"\n",
            here.display()
        ),
        "",
    );
    std::fs::write(&path, &policy).unwrap();
    let (code, stdout, stderr) = run(&[
        "verify",
        s(&path),
        "--bundle",
        "build-p384.link",
        "--bundle",
        "build-p521.link",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // A P-384 key with the P-521 scheme is refused.
    std::fs::write(
        &path,
        policy.replace("p384.pub\"", "p384.pub\" scheme \"ecdsa-sha2-nistp521\""),
    )
    .unwrap();
    let (code, _, stderr) = run(&["verify", s(&path), "--bundle", "build-p384.link"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("ecdsa-sha2-nistp384"), "{stderr}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// cairn signs with P-384 and P-521 PKCS#8 keys; the signatures are DER and
/// verify with the public keys.
#[test]
fn sign_with_p384_and_p521_keys() {
    let tmp = temp_dir("sign");
    let payload = tmp.join("p.json");
    std::fs::write(&payload, b"{\"ok\": true}").unwrap();
    for n in ["p384", "p521"] {
        let key = std::fs::canonicalize(dir().join(n).with_extension("key")).unwrap();
        let public = std::fs::canonicalize(dir().join(n).with_extension("pub")).unwrap();
        let env = tmp.join(format!("{n}.env.json"));
        let (code, _, stderr) = run(&["sign", "--key", s(&key), s(&payload), "-o", s(&env)]);
        assert_eq!(code, 0, "{stderr}");
        let (code, ..) = run(&["verify-envelope", s(&env), "--key", s(&public)]);
        assert_eq!(code, 0);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&env).unwrap()).unwrap();
        let sig =
            cairn_evidence::dsse::b64_decode(v["signatures"][0]["sig"].as_str().unwrap()).unwrap();
        assert_eq!(sig[0], 0x30, "a DER SEQUENCE");
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// Ed25519 as 32 raw bytes, DER SPKI and DER SPKI with NULL parameters (as
/// in-toto-rs writes them) is the key of the PEM/PKCS#8 file.
#[test]
fn ed25519_raw_and_der_keys() {
    let (code, stdout, stderr) = run(&[
        "key",
        "id",
        "--format",
        "json",
        "ed25519.raw",
        "ed25519.spki.der",
        "ed25519.spki-null.der",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = &report["keys"];
    let raw = std::fs::read(dir().join("ed25519.raw")).unwrap();
    let expected = cairn_evidence::keys::keyid("ed25519", "ed25519", &hex::encode(&raw), false);
    for row in rows.as_array().unwrap() {
        assert_eq!(row["keyid"], expected.as_str());
    }
    // An envelope signed with the private key verifies with the raw key.
    let tmp = temp_dir("ed");
    let payload = tmp.join("p.json");
    std::fs::write(&payload, b"{}").unwrap();
    let key = std::fs::canonicalize(dir().join("ed25519.key")).unwrap();
    let env = tmp.join("env.json");
    let (code, _, stderr) = run(&["sign", "--key", s(&key), s(&payload), "-o", s(&env)]);
    assert_eq!(code, 0, "{stderr}");
    for public in ["ed25519.raw", "ed25519.spki.der", "ed25519.spki-null.der"] {
        let (code, ..) = run(&["verify-envelope", s(&env), "--key", public]);
        assert_eq!(code, 0, "{public}");
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// What is refused, and how it is said.
#[test]
fn refused_key_files() {
    let tmp = temp_dir("refused");
    std::fs::write(tmp.join("garbage.bin"), [0xffu8, 0x00, 0x13, 0x37, 0x80]).unwrap();
    std::fs::write(tmp.join("short.der"), [0x30u8, 0x03, 0x02, 0x01, 0x00]).unwrap();
    let mut all = String::new();
    for file in ["p224.pub", "secp256k1.pub", "gpg-rsa.json"] {
        let (code, _, stderr) = run(&["key", "id", file]);
        assert_eq!(code, 2, "{file}");
        assert!(stderr.contains("E316"), "{stderr}");
        all.push_str(&stderr);
    }
    for file in ["garbage.bin", "short.der"] {
        let out = cairn_in(&tmp, &["key", "id", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        all.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(all.contains("P-224"));
    insta::assert_snapshot!("E316-refused-key-files", all);
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// A layout carrying a GPG key the way in-toto python writes it: `import`
/// names the key's method (E509) instead of missing members, and a classic
/// verification refuses the key (E316).
#[test]
fn gpg_keys_in_layouts() {
    let tmp = temp_dir("gpg");
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("gpg-rsa.json")).unwrap())
            .unwrap();
    let id = key["keyid"].as_str().unwrap().to_owned();
    let layout = serde_json::json!({
        "signed": {
            "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "",
            "keys": {id.clone(): key},
            "steps": [{"_type": "step", "name": "build", "threshold": 1, "pubkeys": [id],
                "expected_command": [], "expected_materials": [], "expected_products": []}],
            "inspect": []
        },
        "signatures": [{"keyid": "00", "sig": "00"}]
    });
    std::fs::write(
        tmp.join("gpg.layout"),
        serde_json::to_string_pretty(&layout).unwrap(),
    )
    .unwrap();
    // Unsigned, `import` translates the layout itself.
    let mut unsigned = layout.clone();
    unsigned["signatures"] = serde_json::json!([]);
    std::fs::write(
        tmp.join("unsigned.layout"),
        serde_json::to_string_pretty(&unsigned).unwrap(),
    )
    .unwrap();
    let out = cairn_in(&tmp, &["import", "unsigned.layout", "-o", "out.cairn"]);
    assert_ne!(out.status.code(), Some(0));
    let import = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!import.contains("E502"), "{import}");
    assert!(import.contains("E509"), "{import}");
    insta::assert_snapshot!("E509-gpg-key-import", import);
    let owner = std::fs::canonicalize(dir().join("p384.pub")).unwrap();
    let out = cairn_in(
        &tmp,
        &[
            "verify",
            "--layout",
            "gpg.layout",
            "--layout-key",
            s(&owner),
            "--links",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let verify = String::from_utf8_lossy(&out.stderr).into_owned();
    insta::assert_snapshot!("E316-gpg-key-verify", verify);
    std::fs::remove_dir_all(&tmp).unwrap();
}

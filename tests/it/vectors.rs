//! The test vectors of the in-toto reference (sections 4 and 5), checked
//! against files of the same shapes as in-toto 3.1.0's demo files and PEMs
//! and in-toto/attestation-verifier's test data, made by in-toto 3.1.0 and
//! securesystemslib (`tests/fixtures/vectors/`, written by
//! `scripts/gen-vector-fixtures.py`, which prints the keyids used here as
//! securesystemslib computes them). The same checks over the upstream files
//! themselves are in `tests/corpus/`.

use std::path::PathBuf;

use cairn_evidence::keyfile::key_from_object;
use cairn_evidence::keys::keyid;
use cairn_evidence::{Limits, SigningKey, TrustedKey};

const DEMO: &str = "tests/fixtures/vectors";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{DEMO}/{path}")).unwrap()
}

/// The RSA functionary keys of `demo.layout.template`, keyed by keyid.
fn demo_keys() -> Vec<(String, TrustedKey, serde_json::Value)> {
    let layout: serde_json::Value =
        serde_json::from_str(&read("demo/demo.layout.template")).unwrap();
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
    let ecdsa = TrustedKey::parse(&read("pems/ecdsa_public.pem"), "ecdsa").unwrap();
    assert_eq!(ecdsa.key.keytype(), "ecdsa");
    assert_eq!(
        ecdsa.keyid(),
        "7d7161cc517932a185b6a1d3db5dd4f9e705bb279ce36acd350039832c01b663"
    );
    let ed = TrustedKey::parse(&read("pems/ed25519_public.pem"), "ed25519").unwrap();
    assert_eq!(
        ed.keyid(),
        "b4d4973db7649248682b907a8f7d344b7d6f5d096c353833a8bc2887fa1ea18a"
    );
    // RSA: the legacy formula over `keyval.public` exactly as the layout writes it.
    for (id, _, obj) in demo_keys() {
        let public = obj["keyval"]["public"].as_str().unwrap();
        assert_eq!(keyid("rsa", "rsassa-pss-sha256", public, true), id);
    }
}

/// Demo links made by in-toto (RSA-PSS-SHA256, classic and DSSE) verify
/// with the layout's keys, each only with its own key.
#[test]
fn rsa_demo_links_verify_classic_and_dsse() {
    let keys: Vec<TrustedKey> = demo_keys().into_iter().map(|(_, k, _)| k).collect();
    for dir in ["classic", "dsse"] {
        for link in ["write-code.3ac1f827.link", "package.4b3f0f0f.link"] {
            let path = PathBuf::from(format!("{DEMO}/demo/{dir}/{link}"));
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
    for (private, public) in [
        (
            "pems/ed25519_private_unencrypted.pem",
            "pems/ed25519_public.pem",
        ),
        (
            "pems/ecdsa_private_unencrypted.pem",
            "pems/ecdsa_public.pem",
        ),
    ] {
        let key = SigningKey::from_pkcs8_pem(&read(private)).unwrap();
        let public = TrustedKey::parse(&read(public), "p").unwrap();
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

/// The DSSE spec's HelloWorld envelope (section 5.5) verifies through the
/// document layer; the same signature over a changed payload does not.
#[test]
fn dsse_hello_world_envelope() {
    let point = hex::decode("0467cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d2380c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74").unwrap();
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
    assert_eq!(vk.to_encoded_point(false).as_bytes(), point.as_slice());
    let key = TrustedKey::new(
        cairn_evidence::keys::PublicKey::EcdsaP256(vk),
        cairn_evidence::Scheme::EcdsaP256,
        "hello",
    );
    let text = r#"{"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld","signatures":[{"sig":"A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;
    let at = cairn_evidence::Location::file("hello");
    let (doc, notes) =
        cairn_evidence::document::read_document(text.as_bytes(), &at, &Limits::default()).unwrap();
    assert!(notes.is_empty());
    assert_eq!(
        cairn_evidence::verify::check(&doc, std::slice::from_ref(&key)).signers,
        vec![0]
    );
    let tampered = text.replace("aGVsbG8gd29ybGQ=", "aGVsbG8gd29ybGE=");
    let (doc, _) =
        cairn_evidence::document::read_document(tampered.as_bytes(), &at, &Limits::default())
            .unwrap();
    assert!(cairn_evidence::verify::check(&doc, &[key])
        .signers
        .is_empty());
}

/// Ed25519 Statements in DSSE shaped as attestation-verifier's test data:
/// all three signatures verify with the ITE-10 layout's functionary key
/// (keyid `1ff9e5d7…` by the legacy formula); `test` and `build` are read as
/// Statements of their predicate types, `clone`, whose Statement says `type`
/// for `_type`, is refused.
#[test]
fn attestation_verifier_statements() {
    const AV: &str = "tests/fixtures/vectors/ite10";
    let layout: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(format!("{AV}/layout.yml")).unwrap())
            .unwrap();
    let id = "1ff9e5d7790e1317b3c95930f71b564e79f8265745560e578c9b3c882fd446f2";
    let public = layout["functionaries"][id]["keyVal"]["public"]
        .as_str()
        .unwrap();
    assert_eq!(keyid("ed25519", "ed25519", public, true), id);
    let object = serde_json::json!({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}});
    let (public_key, scheme, _) = key_from_object(&object).unwrap();
    let key = TrustedKey::new(public_key, scheme, id);
    for name in ["clone", "test", "build"] {
        let text = std::fs::read_to_string(format!("{AV}/test-data/{name}.1ff9e5d7.json")).unwrap();
        let at = cairn_evidence::Location::file(name);
        let (doc, _) =
            cairn_evidence::document::read_document(text.as_bytes(), &at, &Limits::default())
                .unwrap();
        let check = cairn_evidence::verify::check(&doc, std::slice::from_ref(&key));
        assert_eq!(check.signers, vec![0], "{name}");
        // The same signature over a payload one character off (inside it,
        // where every bit of the character counts).
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
    let loaded = cairn_evidence::load(
        &[PathBuf::from(format!("{AV}/test-data"))],
        &Limits::default(),
    );
    let claims: Vec<String> = loaded.items.iter().map(|i| i.claim.to_string()).collect();
    assert_eq!(
        claims,
        [
            "statement of type `https://slsa.dev/provenance/v1`",
            "link for step `clone`",
            "statement of type `https://in-toto.io/attestation/test-result/v0.1`",
        ]
    );
    // `clone` spells `_type` as `type`, its protobuf name: read too.
    let problems: Vec<String> = loaded.problems.iter().map(|p| format!("{p:?}")).collect();
    assert!(problems.is_empty(), "{problems:?}");
    let (verified, rejected) = cairn_evidence::verify(loaded.items, &[key]);
    assert_eq!((verified.len(), rejected.len()), (3, 0));
}

/// A key counts once however many signatures it made (SG-05), also when a
/// copy names another keyid (KY-02) or the key is listed twice (KY-03); an
/// untrusted key beside it adds nothing.
#[test]
fn one_key_counts_once() {
    let key = SigningKey::generate_ed25519();
    let env = cairn_evidence::sign_dsse("text/plain", b"x", &key);
    let mut json = env.to_json();
    let sig = json["signatures"][0].clone();
    json["signatures"] =
        serde_json::json!([sig.clone(), sig.clone(), {"keyid": "other", "sig": sig["sig"]}]);
    let trusted = TrustedKey::new(key.public(), cairn_evidence::Scheme::Ed25519, "k");
    let stranger = TrustedKey::new(
        SigningKey::generate_ed25519().public(),
        cairn_evidence::Scheme::Ed25519,
        "s",
    );
    let at = cairn_evidence::Location::file("m");
    let (doc, _) = cairn_evidence::document::read_document(
        json.to_string().as_bytes(),
        &at,
        &Limits::default(),
    )
    .unwrap();
    let outcome = cairn_evidence::verify::check(&doc, &[stranger.clone(), trusted.clone()]);
    assert_eq!(outcome.signers, vec![1]);
    assert_eq!(outcome.failures.len(), 2);
    // The same key material listed twice (KY-03) still counts once.
    let copy = TrustedKey::new(key.public(), cairn_evidence::Scheme::Ed25519, "k-again");
    let outcome = cairn_evidence::verify::check(&doc, &[stranger, trusted, copy]);
    assert_eq!(outcome.signers, vec![1]);
}

/// SG-04: the PAE counts bytes; a signature over a character-count PAE of a
/// non-ASCII payload type does not verify.
#[test]
fn pae_with_character_count_is_refused() {
    let key = SigningKey::generate_ed25519();
    let payload_type = "application/t\u{e9}st";
    let char_count = format!("DSSEv1 {} {payload_type} 1 x", payload_type.chars().count());
    let sig = key.sign(char_count.as_bytes());
    let env = serde_json::json!({
        "payload": "eA==", "payloadType": payload_type,
        "signatures": [{"sig": cairn_evidence::dsse::b64_encode(&sig)}],
    });
    let trusted = TrustedKey::new(key.public(), cairn_evidence::Scheme::Ed25519, "k");
    let at = cairn_evidence::Location::file("m");
    let limits = Limits::default();
    let (doc, _) =
        cairn_evidence::document::read_document(env.to_string().as_bytes(), &at, &limits).unwrap();
    assert!(
        cairn_evidence::verify::check(&doc, std::slice::from_ref(&trusted))
            .signers
            .is_empty()
    );
    let good = cairn_evidence::sign_dsse(payload_type, b"x", &key).to_line();
    let (doc, _) = cairn_evidence::document::read_document(good.as_bytes(), &at, &limits).unwrap();
    assert_eq!(
        cairn_evidence::verify::check(&doc, &[trusted]).signers,
        vec![0]
    );
}

/// Every single-byte change of a signed payload or of its signature fails.
#[test]
fn every_single_byte_mutation_fails() {
    let key = SigningKey::generate_ed25519();
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p","predicate":{}}"#;
    let env = cairn_evidence::sign_dsse(cairn_evidence::dsse::INTOTO_PAYLOAD_TYPE, payload, &key);
    let trusted = [TrustedKey::new(
        key.public(),
        cairn_evidence::Scheme::Ed25519,
        "k",
    )];
    let at = cairn_evidence::Location::file("m");
    let limits = Limits::default();
    let verifies = |env: &cairn_evidence::Envelope| {
        let text = env.to_line();
        let (doc, _) =
            cairn_evidence::document::read_document(text.as_bytes(), &at, &limits).unwrap();
        !cairn_evidence::verify::check(&doc, &trusted)
            .signers
            .is_empty()
    };
    assert!(verifies(&env));
    for i in 0..env.payload.len() {
        let mut changed = env.clone();
        changed.payload[i] ^= 0x01;
        assert!(!verifies(&changed), "payload byte {i}");
    }
    for i in 0..env.signatures[0].sig.len() {
        let mut changed = env.clone();
        changed.signatures[0].sig[i] ^= 0x80;
        assert!(!verifies(&changed), "signature byte {i}");
    }
    let mut changed = env.clone();
    changed.payload_type.push(' ');
    assert!(!verifies(&changed));
}

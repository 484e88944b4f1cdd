//! Evidence cases: every file under `tests/cases/evidence/{ok,err}/` is loaded
//! and verified against `tests/cases/evidence/trusted.pub`; `.key` files are
//! read as public keys. A file named `<CODE>-...` must produce diagnostic
//! `<CODE>`; files under `ok/` must verify. The rendered diagnostics are
//! snapshotted.

use std::path::{Path, PathBuf};

use cairn_base::diag;
use cairn_evidence::{Limits, TrustedKey};
use miette::Diagnostic;

fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

fn trusted() -> TrustedKey {
    let text = std::fs::read_to_string("tests/cases/evidence/trusted.pub").unwrap();
    TrustedKey::parse(&text, "trusted.pub").unwrap()
}

/// Runs one case: the rendered output and the codes it produced.
fn run_case(path: &Path) -> (String, Vec<String>, usize) {
    let rel = relative(path);
    let mut out = String::new();
    let mut codes = Vec::new();
    let mut push = |d: &dyn Diagnostic, out: &mut String| {
        codes.push(d.code().map(|c| c.to_string()).unwrap_or_default());
        out.push_str(&diag::render(d, false));
    };
    if rel.extension().is_some_and(|e| e == "key") {
        let text = std::fs::read_to_string(path).unwrap();
        match TrustedKey::parse(&text, rel.display().to_string()) {
            Ok(k) => out.push_str(&format!("key accepted: {}\n", k.keyid())),
            Err(e) => {
                let e = cairn_evidence::EvidenceError::BadKey {
                    at: cairn_evidence::Location::file(rel.display().to_string()),
                    reason: e.to_string(),
                };
                push(&e, &mut out);
            }
        }
        return (out, codes, 0);
    }
    let loaded = cairn_evidence::load(std::slice::from_ref(&rel), &Limits::default());
    for p in &loaded.problems {
        push(p, &mut out);
    }
    let keys = [trusted()];
    let (verified, rejected) = cairn_evidence::verify(loaded.items, &keys);
    for r in &rejected {
        push(r, &mut out);
    }
    let mut count = verified.len();
    for v in &verified {
        let a = v.value();
        let what = match &a.body {
            cairn_evidence::Body::Link(l) => format!("link `{}`", l.name),
            cairn_evidence::Body::Statement(s) => format!("statement `{}`", s.predicate_type),
        };
        out.push_str(&format!(
            "verified {what} from {} by keys {:?}\n",
            a.origin,
            v.signers()
        ));
    }
    for l in loaded.layouts {
        match cairn_evidence::verify_layout(l, &keys) {
            Ok(v) => {
                count += 1;
                out.push_str(&format!(
                    "verified layout with {} steps\n",
                    v.value().steps.len()
                ));
            }
            Err(r) => push(r.as_ref(), &mut out),
        }
    }
    (out, codes, count)
}

#[test]
fn evidence_cases() {
    insta::glob!("../cases/evidence", "{ok,err}/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (out, codes, verified) = run_case(path);
        let expected = name.split('-').next().unwrap();
        if expected == "ok" {
            assert!(
                codes.iter().all(|c| c.is_empty()),
                "{name}: unexpected diagnostics {codes:?}\n{out}"
            );
            assert!(verified > 0, "{name}: nothing verified\n{out}");
        } else {
            assert!(
                codes.iter().any(|c| c == expected),
                "{name}: expected {expected}, got {codes:?}\n{out}"
            );
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn bundle_duplicate_payload_is_refused_for_its_line_only() {
    let path =
        PathBuf::from("tests/cases/evidence/err/E303-bundle-duplicate-payload-line-2.intoto.jsonl");
    let loaded = cairn_evidence::load(&[path], &Limits::default());
    assert_eq!(loaded.items.len(), 2);
    assert_eq!(loaded.problems.len(), 1);
    let text = loaded.problems[0].to_string();
    assert!(text.contains("intoto.jsonl:2:"), "{text}");
    assert_eq!(loaded.items[1].origin.line, Some(3));
}

const FIXTURES: &str = "tests/fixtures/in-toto-python";

/// Every link of the in-toto 3.1.0 fixtures verifies with the key its layout
/// names for the link's step (keys taken from the verified layout itself);
/// the layouts verify with `owner.pub`. In `fail-wrong-key` the build link is
/// signed by a key the layout does not list.
#[test]
fn in_toto_python_fixtures_verify_with_their_keys() {
    for case in [
        "pass",
        "pass-dsse",
        "pass-threshold-2",
        "fail-wrong-key",
        "fail-tampered-product",
        "fail-expired-layout",
    ] {
        let dir = PathBuf::from(format!("{FIXTURES}/{case}"));
        let loaded = cairn_evidence::load(std::slice::from_ref(&dir), &Limits::default());
        let errors: Vec<_> = loaded
            .problems
            .iter()
            .filter(|p| p.severity() != Some(miette::Severity::Warning))
            .collect();
        assert!(errors.is_empty(), "{case}: {errors:?}");
        assert_eq!(loaded.layouts.len(), 1, "{case}");
        let owner_pem = std::fs::read_to_string(dir.join("owner.pub")).unwrap();
        let owner = TrustedKey::parse(&owner_pem, "owner").unwrap();
        let layout = loaded.layouts.into_iter().next().unwrap();
        let layout = cairn_evidence::verify_layout(layout, &[owner]).unwrap();
        let layout = layout.value();
        assert_eq!(layout.steps.len(), 3);
        let keys: Vec<TrustedKey> = layout
            .keys
            .iter()
            .map(|(id, k)| TrustedKey::new(k.key.clone(), k.scheme, id.clone()))
            .collect();
        assert!(!loaded.items.is_empty());
        for item in loaded.items {
            let file = item.origin.file.clone();
            let cairn_evidence::Claim::Link(step) = item.claim.clone() else {
                panic!("{file}: not a link")
            };
            let authorised = &layout
                .steps
                .iter()
                .find(|s| s.name == step)
                .unwrap()
                .pubkeys;
            let (verified, rejected) = cairn_evidence::verify(vec![item], &keys);
            if case == "fail-wrong-key" && step == "build" {
                assert!(verified.is_empty(), "{file} must not verify");
                assert_eq!(rejected.len(), 1);
            } else {
                assert_eq!(verified.len(), 1, "{file}: {rejected:?}");
                let signer = &keys[verified[0].signers()[0]].label;
                assert!(authorised.contains(signer), "{file}: {signer}");
                assert!(file.contains(&format!(".{}.link", &signer[..8])), "{file}");
            }
        }
    }
}

/// Functionary key objects copied from the fixture layouts.
fn fixture_keys() -> Vec<TrustedKey> {
    let mut keys = Vec::new();
    for entry in std::fs::read_dir(format!("{FIXTURES}/keys")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        keys.push(TrustedKey::parse(&text, path.display().to_string()).unwrap());
    }
    keys.sort_by(|a, b| a.label.cmp(&b.label));
    keys
}

/// One changed payload byte makes every fixture link fail.
#[test]
fn fixture_links_fail_after_a_one_byte_change() {
    let keys = fixture_keys();
    let dir = std::env::temp_dir().join(format!("cairn-evidence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in ["pass", "pass-dsse"] {
        for entry in std::fs::read_dir(format!("{FIXTURES}/{case}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "link") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let changed = if case == "pass-dsse" {
                // Flip one byte of the decoded payload: `_type` -> `_typf`.
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                let payload =
                    cairn_evidence::dsse::b64_decode(v["payload"].as_str().unwrap()).unwrap();
                let payload = String::from_utf8(payload).unwrap().replacen(
                    "\"name\": \"",
                    "\"name\": \"x",
                    1,
                );
                text.replace(
                    v["payload"].as_str().unwrap(),
                    &cairn_evidence::dsse::b64_encode(payload.as_bytes()),
                )
            } else {
                text.replacen("\"name\": \"", "\"name\": \"x", 1)
            };
            assert_ne!(changed, text);
            let out = dir.join(path.file_name().unwrap());
            std::fs::write(&out, changed).unwrap();
            let loaded = cairn_evidence::load(std::slice::from_ref(&out), &Limits::default());
            assert_eq!(loaded.items.len(), 1, "{}", out.display());
            let (verified, rejected) = cairn_evidence::verify(loaded.items, &keys);
            assert!(verified.is_empty(), "{} still verifies", out.display());
            assert_eq!(rejected.len(), 1);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The failure corpus: every `tests/cases/eval/fail/<case>/` holds a policy,
//! unsigned statements and classic links as JSON, and a `case.json` naming
//! which test key (`tests/keys/`) signs which file and the extra arguments of
//! `verify`. The files are signed here with the library, written to a scratch
//! directory (statements as DSSE lines of `bundle.intoto.jsonl`, classic
//! links as metablocks), and the real `cairn` binary runs there, so that
//! every path in its output is relative and the snapshots are stable.
//! Each case snapshots `verify` (exit code, stdout, stderr), `verify
//! --format json` and `explain`; every case must fail (exit 1, or the
//! `exit` the manifest names), and its report must contain every string of
//! the manifest's `expect`. `verify` and `explain` in the manifest are
//! extra flags for those runs (`--explain`, `--all`).

use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_evidence::canonical::to_canonical;
use cairn_evidence::{sign_dsse, SigningKey};
use serde_json::{json, Value};

const KEYS: &str = "tests/keys";

fn key(name: &str) -> SigningKey {
    let pem = std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap();
    SigningKey::from_pkcs8_pem(&pem).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-fail-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    for entry in std::fs::read_dir(KEYS).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pub") {
            std::fs::copy(&path, dir.join("keys").join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// A classic link as a pretty-printed metablock signed by `signer`.
fn metablock(link: &Value, signer: &SigningKey) -> String {
    let sig = signer.sign(&to_canonical(link).unwrap());
    let block = json!({
        "signed": link,
        "signatures": [{"keyid": signer.keyid(), "sig": hex::encode(sig)}],
    });
    serde_json::to_string_pretty(&block).unwrap() + "\n"
}

/// A Statement as one DSSE line signed by `signer`.
fn envelope(statement: &Value, signer: &SigningKey) -> String {
    let payload = serde_json::to_vec(statement).unwrap();
    sign_dsse("application/vnd.in-toto+json", &payload, signer).to_line()
}

/// Changes one character of the first signature, leaving it well formed
/// (hex in a metablock, base64 in an envelope).
fn corrupt(text: &str) -> String {
    let at = text
        .find("\"sig\": \"")
        .map(|i| i + 8)
        .or_else(|| text.find("\"sig\":\"").map(|i| i + 7))
        .unwrap()
        + 2;
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

/// Signs the case's files into `dir`; returns the `--bundle` arguments.
fn prepare(case: &Path, manifest: &Value, dir: &Path) -> Vec<String> {
    std::fs::copy(case.join("policy.cairn"), dir.join("policy.cairn")).unwrap();
    let mut bundle = String::new();
    let mut args = Vec::new();
    for item in manifest["sign"].as_array().unwrap() {
        let file = item["file"].as_str().unwrap();
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join(file)).unwrap()).unwrap();
        let signer = key(item["key"].as_str().unwrap());
        let bad = item.get("corrupt").and_then(Value::as_bool) == Some(true);
        if doc["_type"] == "link" {
            let name = file.trim_end_matches(".json").to_string() + ".link";
            let mut text = metablock(&doc, &signer);
            if bad {
                text = corrupt(&text);
            }
            std::fs::write(dir.join(&name), text).unwrap();
            args.extend(["--bundle".to_string(), name]);
        } else {
            let mut line = envelope(&doc, &signer);
            if bad {
                line = corrupt(&line);
            }
            bundle.push_str(&line);
            bundle.push('\n');
        }
    }
    if !bundle.is_empty() {
        std::fs::write(dir.join("bundle.intoto.jsonl"), bundle).unwrap();
        args.extend(["--bundle".to_string(), "bundle.intoto.jsonl".to_string()]);
    }
    args
}

fn run(dir: &Path, args: &[String]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn failure_corpus() {
    let mut missing = Vec::new();
    insta::glob!("../cases/eval/fail", "*/case.json", |path| {
        let case = path.parent().unwrap();
        let name = case.file_name().unwrap().to_str().unwrap();
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let dir = scratch(name);
        let bundles = prepare(case, &manifest, &dir);
        let extra: Vec<String> = manifest["args"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let clock = if extra.iter().any(|a| a == "--time") {
            Vec::new()
        } else {
            vec!["--time".to_string(), "2026-03-01T00:00:00Z".to_string()]
        };
        let base: Vec<String> = ["policy.cairn", "--color", "never"]
            .iter()
            .map(ToString::to_string)
            .chain(bundles)
            .chain(clock)
            .chain(extra)
            .collect();
        let with = |cmd: &str, more: &[String]| {
            let mut v = vec![cmd.to_string()];
            v.extend(base.iter().cloned());
            v.extend(more.iter().cloned());
            run(&dir, &v)
        };
        let exit = manifest["exit"].as_i64().map_or(1, |e| e as i32);
        let flags = |key: &str| -> Vec<String> {
            manifest[key]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let verify_flags = flags("verify");
        let explain_flags = flags("explain");
        let (code, stdout, stderr) = with("verify", &verify_flags);
        assert_eq!(code, Some(exit), "{name}: {stderr}");
        let (json_code, json, _) = with("verify", &["--format".to_string(), "json".to_string()]);
        assert_eq!(json_code, Some(exit), "{name}");
        if exit == 1 {
            let report: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(report["verdict"], "FAIL");
        }
        let (explain_code, trail, _) = with("explain", &explain_flags);
        assert_eq!(explain_code, Some(exit), "{name}");
        let forging =
            |c: char| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c);
        for text in [&stdout, &stderr, &trail] {
            assert!(!text.chars().any(forging), "{name}: unescaped evidence");
        }
        let _ = std::fs::remove_dir_all(&dir);
        insta::assert_snapshot!(format!(
            "exit: {code:?}\n---- stdout ----\n{stdout}---- stderr ----\n{stderr}---- json ----\n{json}---- explain ----\n{trail}"
        ));
        if let Some(expect) = manifest["expect"].as_array() {
            for needle in expect {
                let needle = needle.as_str().unwrap();
                if !stderr.contains(needle) && !stdout.contains(needle) {
                    missing.push(format!("{name}: `{needle}` not in the report"));
                }
            }
        }
    });
    assert!(missing.is_empty(), "{missing:#?}");
}

/// A failing chain of 3 steps x 10,000 artifacts: `explain` stays short and
/// still names the one artifact that fails.
#[test]
fn explain_is_bounded_on_large_chains() {
    let dir = scratch("large");
    let policy = r#"layout "large" {
  key alice = file "keys/alice.pub"
  step fetch {
    by alice
    products {
      create "src/*"
    }
  }
  step build {
    by alice
    materials {
      match "src/*" with products from fetch
    }
    products {
      create "out/*"
    }
  }
  step package {
    by alice
    materials {
      match "out/*" with products from build
    }
    products {
      create "pkg/*"
    }
  }
}
"#;
    std::fs::write(dir.join("policy.cairn"), policy).unwrap();
    let digest =
        |i: usize, salt: &str| json!({"sha256": format!("{:064x}", i * 7919 + salt.len())});
    let list = |prefix: &str, salt: &str| -> Value {
        (0..10_000)
            .map(|i| (format!("{prefix}/f{i:05}"), digest(i, salt)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let mut tampered = list("out", "b");
    tampered["out/f04242"] = json!({"sha256": "ee".repeat(32)});
    let links = [
        ("fetch", json!({}), list("src", "a")),
        ("build", list("src", "a"), list("out", "b")),
        ("package", tampered, list("pkg", "c")),
    ];
    let alice = key("alice");
    let mut args = vec!["explain".to_string(), "policy.cairn".to_string()];
    for (name, materials, products) in links {
        let link = json!({
            "_type": "link", "name": name, "command": [], "materials": materials,
            "products": products, "byproducts": {}, "environment": {},
        });
        let file = format!("{name}.link");
        std::fs::write(dir.join(&file), metablock(&link, &alice)).unwrap();
        args.extend(["--bundle".to_string(), file]);
    }
    let (code, stdout, stderr) = run(&dir, &args);
    if std::env::var_os("CAIRN_SHOW").is_some() {
        println!("{stdout}\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    let lines = stdout.lines().count() + stderr.lines().count();
    assert!(lines < 200, "{lines} lines:\n{stdout}\n{stderr}");
    assert!(stderr.contains("out/f04242"), "{stderr}");
    assert!(stdout.contains("out/f04242"), "{stdout}");
}

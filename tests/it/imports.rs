//! Imports and libraries: every error an import can cause, rendered with the
//! file it is in (an imported file's by its own name, line and column), and
//! what a policy that imports compiles to.

use std::path::{Path, PathBuf};

use super::cairn_in as cairn;

const KEY: &str = "ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch folder with `files` (path, text) written in it, and the
/// release example's CI key as `lib/keys/ci.pub`.
fn scratch(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-imports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("lib/keys")).unwrap();
    std::fs::copy(
        root().join("policies/release/keys/ci.pub"),
        dir.join("lib/keys/ci.pub"),
    )
    .unwrap();
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn said(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The library most cases import.
fn base() -> String {
    format!(
        r#"library "base" {{
  key ci = file "keys/ci.pub"
  key owner = ed25519 "{KEY}"
  identity release = sigstore {{
    issuer "https://token.actions.githubusercontent.com"
    san matches "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v.*"
  }}
  checks provenance for slsa-provenance/v1 {{
    require $.runDetails.builder.id == "https://ci.example.com/builder/v1"
    checks hosted
  }}
  checks hosted for slsa-provenance/v1 {{
    require $.buildDefinition.buildType matches "^https://ci\\.example\\.com/"
  }}
}}
"#
    )
}

/// A policy importing `lib/base.cairn` whose build attestation holds `body`
/// and whose build step is `by`.
fn policy(by: &str, body: &str) -> String {
    format!(
        r#"import "lib/base.cairn" as base

layout "p" {{
  step build {{
    by {by}
    attestation slsa-provenance/v1 {{
      {body}
    }}
  }}
}}
"#
    )
}

#[test]
fn a_policy_uses_the_keys_identities_and_check_sets_of_a_library() {
    let dir = scratch(
        "ok",
        &[
            ("lib/base.cairn", base()),
            (
                "p.cairn",
                policy(
                    "2 of base.ci, base.release",
                    "checks base.provenance\n      require $.x == 1",
                ),
            ),
        ],
    );
    let out = cairn(&dir, &["check", "p.cairn", "lib/base.cairn"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let out = cairn(&dir, &["compile", "p.cairn"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Only the signers used, named as used; the set's checks in order,
    // the included set's expanded, then the block's own.
    assert_eq!(ir["keys"][0]["name"], "base.ci");
    assert_eq!(ir["keys"].as_array().unwrap().len(), 1);
    assert_eq!(ir["identities"][0]["name"], "base.release");
    let checks = &ir["steps"][0]["attestations"][0]["checks"];
    let paths: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "$.runDetails.builder.id",
            "$.buildDefinition.buildType",
            "$.x"
        ]
    );
    // Imported checks stand at the `checks` line of the policy.
    let text = std::fs::read_to_string(dir.join("p.cairn")).unwrap();
    let start = checks[0]["span"]["start"].as_u64().unwrap() as usize;
    assert!(text[start..].starts_with("checks base.provenance"));
    // Lint follows the imports too.
    let out = cairn(
        &dir,
        &[
            "lint",
            "p.cairn",
            "lib/base.cairn",
            "--time",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert_ne!(out.status.code(), Some(2), "{}", said(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_errors() {
    let layout = r#"layout "l" { key k = ed25519 "KEY" step s { by k } }"#.replace("KEY", KEY);
    let files = [
        ("lib/base.cairn", base()),
        ("lib/layout.cairn", layout),
        (
            "lib/a.cairn",
            "import \"b.cairn\" as b\n\nlibrary \"a\" {}\n".to_string(),
        ),
        (
            "lib/b.cairn",
            "import \"../lib/a.cairn\" as a\n\nlibrary \"b\" {}\n".to_string(),
        ),
        (
            "lib/sets.cairn",
            "library \"sets\" {\n  checks one for vsa/v1 {\n    checks two\n  }\n  checks two for vsa/v1 {\n    checks one\n  }\n}\n"
                .to_string(),
        ),
        (
            "lib/broken.cairn",
            "library \"broken\" {\n  checks bad for slsa-provenance/v9 {\n    require $.a == \"{nothing}\"\n  }\n}\n"
                .to_string(),
        ),
        (
            "lib/unparsable.cairn",
            "library \"u\" {\n  step s {}\n}\n".to_string(),
        ),
        (
            "missing.cairn",
            policy("base.ci", "").replace("lib/base.cairn", "../elsewhere/base.cairn"),
        ),
        ("unknown-set.cairn", policy("base.ci", "checks base.provenanse")),
        ("no-such-import.cairn", policy("base.ci", "checks slsa.provenance")),
        ("unknown-key.cairn", policy("base.cl, bse.ci", "")),
        (
            "same-name.cairn",
            policy("base.ci", "").replace(
                "import \"lib/base.cairn\" as base\n",
                "import \"lib/base.cairn\" as base\nimport \"lib/a.cairn\" as base\n",
            ),
        ),
        (
            "same-file.cairn",
            policy("base.ci", "").replace(
                "import \"lib/base.cairn\" as base\n",
                "import \"lib/base.cairn\" as base\nimport \"./lib/../lib/base.cairn\" as again\n",
            ),
        ),
        (
            "cycle.cairn",
            policy("base.ci", "").replace(
                "import \"lib/base.cairn\" as base\n",
                "import \"lib/base.cairn\" as base\nimport \"lib/a.cairn\" as a\n",
            ),
        ),
        (
            "wrong-type.cairn",
            policy("base.ci", "").replace(
                "attestation slsa-provenance/v1 {\n      \n    }",
                "attestation test-result/v0.1 {\n      checks base.provenance\n    }",
            ),
        ),
        (
            "absolute.cairn",
            policy("base.ci", "").replace("\"lib/base.cairn\"", "\"/etc/base.cairn\""),
        ),
        (
            "a-layout.cairn",
            policy("base.ci", "").replace("lib/base.cairn", "lib/layout.cairn"),
        ),
        (
            "same-key.cairn",
            policy("owner, base.owner", "").replace(
                "layout \"p\" {\n",
                &format!("layout \"p\" {{\n  key owner = ed25519 \"{KEY}\"\n"),
            ),
        ),
        (
            "broken-library.cairn",
            policy("base.ci", "checks broken.bad").replace(
                "import \"lib/base.cairn\" as base\n",
                "import \"lib/base.cairn\" as base\nimport \"lib/broken.cairn\" as broken\nimport \"lib/unparsable.cairn\" as u\n",
            ),
        ),
    ];
    let dir = scratch("errors", &files);
    for (name, args) in [
        ("imports-E260-missing", vec!["check", "missing.cairn"]),
        (
            "imports-E261-unknown-set",
            vec!["check", "unknown-set.cairn"],
        ),
        (
            "imports-E261-no-such-import",
            vec!["check", "no-such-import.cairn"],
        ),
        (
            "imports-E201-unknown-key",
            vec!["check", "unknown-key.cairn"],
        ),
        ("imports-E262-same-name", vec!["check", "same-name.cairn"]),
        ("imports-E262-same-file", vec!["check", "same-file.cairn"]),
        ("imports-E263-cycle", vec!["check", "cycle.cairn"]),
        ("imports-E264-wrong-type", vec!["check", "wrong-type.cairn"]),
        ("imports-E265-set-cycle", vec!["check", "lib/sets.cairn"]),
        ("imports-E266-absolute", vec!["check", "absolute.cairn"]),
        ("imports-E267-a-layout", vec!["check", "a-layout.cairn"]),
        ("imports-E268-same-key", vec!["check", "same-key.cairn"]),
        (
            "imports-E269-compile-a-library",
            vec!["compile", "lib/base.cairn"],
        ),
        (
            "imports-errors-in-a-library",
            vec!["check", "broken-library.cairn"],
        ),
        (
            "imports-lint-json-names-the-library",
            vec!["lint", "--format", "json", "broken-library.cairn"],
        ),
    ] {
        insta::assert_snapshot!(name, said(&cairn(&dir, &args)));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_formats_each_file_on_its_own_and_imports_canonically() {
    let messy = "# head\nimport   \"lib/base.cairn\"   as   base # the base\nimport \"lib/x.cairn\" as x\nlayout \"p\" { step s { by base.ci attestation vsa/v1 { checks   x.y } } }\n";
    let lib = "library \"x\" { checks y for vsa/v1 { require $.a exists checks z } checks z for vsa/v1 {} }\n";
    let dir = scratch(
        "fmt",
        &[
            ("p.cairn", messy.to_string()),
            ("lib/x.cairn", lib.to_string()),
        ],
    );
    let out = cairn(&dir, &["fmt", "p.cairn", "lib/x.cairn"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let p = std::fs::read_to_string(dir.join("p.cairn")).unwrap();
    let x = std::fs::read_to_string(dir.join("lib/x.cairn")).unwrap();
    insta::assert_snapshot!("imports-fmt", format!("{p}---\n{x}"));
    let again = cairn(&dir, &["fmt", "--check", "p.cairn", "lib/x.cairn"]);
    assert_eq!(again.status.code(), Some(0), "{}", said(&again));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn policy_from_source_resolves_imports_against_its_folder() {
    let dir = scratch("api", &[("lib/base.cairn", base())]);
    let text = policy("base.ci", "checks base.hosted");
    let p = cairn::Policy::from_source("p.cairn", &text, &dir).unwrap();
    assert_eq!(p.layout().keys[0].name, "base.ci");
    assert_ne!(
        p.sha256(),
        hex::encode(sha2::Digest::finalize(sha2::Digest::chain_update(
            sha2::Sha256::default(),
            text.as_bytes()
        )))
    );
    let elsewhere = cairn::Policy::from_source("p.cairn", &text, Path::new("/nonexistent"));
    let e = elsewhere.unwrap_err();
    assert!(
        e.to_string().contains("E260") || format!("{e:?}").contains("E260"),
        "{e:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

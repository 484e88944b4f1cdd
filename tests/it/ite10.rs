//! Import of attestation-verifier YAML layouts (ITE-10/11): every file under
//! `tests/cases/ite10/ok/` becomes `.cairn` source that parses, lowers and is
//! already formatted (snapshot: the source); every file under `err/` is
//! refused with every untranslatable construct named (snapshot: the
//! rendered diagnostics).

use std::process::Command;

fn import(path: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["import", path.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(&format!("{}/", env!("CARGO_MANIFEST_DIR")), "");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        stderr,
    )
}

#[test]
fn ite10_layouts_import_to_checked_policies() {
    insta::glob!("../cases/ite10/ok", "*.yaml", |path| {
        let (code, source, stderr) = import(path);
        assert_eq!(code, 0, "{stderr}");
        let parsed = cairn_lang::syntax::parse(&source).unwrap();
        assert_eq!(cairn_lang::syntax::fmt::format(&parsed, &source), source);
        let dir = std::env::temp_dir().join(format!("cairn-ite10-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("imported.cairn");
        std::fs::write(&file, &source).unwrap();
        let check = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["check", file.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        insta::assert_snapshot!(source);
    });
}

#[test]
fn ite10_untranslatable_layouts_are_refused() {
    insta::glob!("../cases/ite10/err", "*.yaml", |path| {
        let (code, source, stderr) = import(path);
        assert_ne!(code, 0);
        assert!(source.is_empty());
        insta::assert_snapshot!(stderr);
    });
}

/// A layout and attestations in the shape of attestation-verifier's own
/// (`tests/fixtures/vectors/ite10`; the upstream files: `tests/corpus/`): the one rule on
/// `subject` is a check on the Statement; without it the layout imports (the list comparison
/// of `clone` as element checks, warnings as its `warn` asks), and verifying
/// its test data reads all three, `clone`'s Statement spelling `_type` as
/// `type` (its protobuf name, which cairn accepts: docs/evidence.md); that
/// link/v0.3 names its step `link`, so `clone` still has no evidence.
#[test]
fn attestation_verifier_layout_and_test_data() {
    const AV: &str = "tests/fixtures/vectors/ite10";
    let original = std::path::Path::new(AV).join("layout.yml");
    let (code, source, stderr) = import(&original);
    // `size(subject) != 0` is a check on the Statement.
    assert_eq!(code, 0, "{stderr}");
    assert!(
        source.contains("require statement.subject is not empty"),
        "{source}"
    );

    let dir = std::env::temp_dir().join(format!("cairn-ite10-av-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&original).unwrap();
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
    let verify = |policy: &std::path::Path, bundle: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["verify", policy.to_str().unwrap(), "--bundle"])
            .arg(bundle)
            .args(["--time", "2024-01-01T00:00:00Z", "--format", "json"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            stderr,
        )
    };
    // All three, `clone` with `type` for `_type` (the protobuf field name):
    // read and counted, every check passes.
    let (code, json, stderr) = verify(&policy, std::path::Path::new(&format!("{AV}/test-data")));
    assert_eq!(code, Some(0), "{stderr}\n{json}");
    assert!(!stderr.contains("E314"), "{stderr}");
    // Without it, every check of `test` and `build` runs and passes: the
    // only failures are `clone`'s missing evidence and what follows from it.
    let data = dir.join("test-data");
    std::fs::create_dir_all(&data).unwrap();
    for name in ["test", "build"] {
        let file = format!("{name}.1ff9e5d7.json");
        std::fs::copy(format!("{AV}/test-data/{file}"), data.join(&file)).unwrap();
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

fn import_with(path: &str, params: &[&str]) -> (i32, String, String) {
    let mut args = vec!["import", path];
    for p in params {
        args.extend(["--param", p]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `--param` fills an attestation-verifier layout's placeholders, a value
/// naming another parameter expanded first (attestation-verifier's own
/// parameter files do so) and its braces kept literal; what is left becomes
/// a `param` of the policy; a cycle is refused.
#[test]
fn ite10_params_are_substituted() {
    const NPM: &str = "tests/cases/ite10/params/npm.yaml";
    let (code, all, notes) = import_with(
        NPM,
        &[
            "repository=acme/app",
            "ref=refs/heads/main",
            "package=app",
            "version=1.2.0",
            "config_source=git+https://github.com/{repository}@{ref}",
            "unused=x{y}",
        ],
    );
    assert_eq!(code, 0, "{notes}");
    insta::assert_snapshot!("ite10_params_all", format!("{notes}\n{all}"));
    let (code, some, notes) = import_with(NPM, &["repository=acme/{app}", "ref=refs/heads/main"]);
    assert_eq!(code, 0, "{notes}");
    insta::assert_snapshot!("ite10_params_some", format!("{notes}\n{some}"));
    let (code, none, notes) = import_with(
        NPM,
        &["package=a{b}", "version={package}-{x}", "x={version}"],
    );
    assert_eq!((code, none.as_str()), (2, ""));
    insta::assert_snapshot!("ite10_params_cycle", notes);
}

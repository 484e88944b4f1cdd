//! `cairn verify --layout` as a drop-in for `in-toto-verify` 3.1.0: every
//! folder under `tests/cases/classic/` (written by
//! `scripts/gen-classic-cases.py` with in-toto's own API, its verdict in
//! `expected.json`) must get the same verdict from cairn. The rendered
//! diagnostics are snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else if entry.file_name() != "expected.json" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs cairn on a scratch copy of the case (inspections write there).
fn verify(case: &Path, expected: &Value) -> (i32, String) {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let work: PathBuf =
        std::env::temp_dir().join(format!("cairn-classic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    copy(case, &work);
    let mut args: Vec<String> = vec!["verify".into(), "--layout".into(), "root.layout".into()];
    for key in expected["layout_keys"].as_array().unwrap() {
        args.push("--layout-key".into());
        args.push(key.as_str().unwrap().into());
    }
    args.extend(["--links".into(), ".".into()]);
    for (k, v) in expected["params"].as_object().unwrap() {
        args.push("--param".into());
        args.push(format!("{k}={}", v.as_str().unwrap()));
    }
    if expected["run_inspections"] == true {
        args.extend([
            "--run-inspections".into(),
            "--inspection-dir".into(),
            ".".into(),
        ]);
    }
    args.extend(["--time".into(), "2026-06-01T00:00:00Z".into()]);
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(&args)
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&work);
    let stderr = String::from_utf8_lossy(&out.stderr).replace(work.to_str().unwrap(), "[CASE]");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn classic_cases_match_in_toto_verdicts() {
    insta::glob!("../cases/classic", "*/expected.json", |path| {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let case = path.parent().unwrap();
        let (code, stderr) = verify(case, &expected);
        // A deliberate difference records cairn's own exit code beside in-toto's.
        let want = expected
            .get("cairn_exit_code")
            .unwrap_or(&expected["exit_code"]);
        assert_eq!(
            i64::from(code),
            want.as_i64().unwrap(),
            "{}: in-toto says {} ({}); cairn said:\n{stderr}",
            case.display(),
            expected["verdict"],
            expected["reason"]
        );
        insta::assert_snapshot!(stderr);
    });
}

fn cairn(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

/// `cairn import` (checking the layout keys), then `check` and `fmt --check`
/// on the result, then `verify` of the policy against the same links: the
/// verdict is in-toto's. Sublayouts are a classic link-directory feature
/// (`verify --layout --links`), so their cases are left out here.
#[test]
fn imported_layouts_give_in_toto_verdicts() {
    let mut cases: Vec<PathBuf> = Vec::new();
    for root in ["tests/cases/classic", "tests/fixtures/in-toto-python"] {
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            // A `.cairn` policy takes evidence by content, never by file
            // name: the cases about in-toto's link file names are
            // `verify --layout` only (docs/in-toto-compat.md).
            let by_name = ["another", "stray"]
                .iter()
                .any(|m| path.to_string_lossy().contains(m));
            if path.join("root.layout").exists()
                && !path.to_string_lossy().contains("sublayout")
                && !by_name
            {
                cases.push(path);
            }
        }
    }
    cases.sort();
    assert!(cases.len() >= 20, "{cases:?}");
    for case in cases {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let work = std::env::temp_dir().join(format!(
            "cairn-import-{}-{}",
            case.file_name().unwrap().to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&work);
        copy(&case, &work);
        let keys: Vec<String> = match expected.get("layout_keys") {
            Some(keys) => keys
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap().to_string())
                .collect(),
            None => vec!["owner.pub".into()],
        };
        let policy_dir = work.join("policy");
        std::fs::create_dir_all(&policy_dir).unwrap();
        let (import_code, import_err) = {
            let mut a = vec!["import", "../root.layout", "-o", "policy.cairn"];
            let mut ks: Vec<String> = Vec::new();
            for k in &keys {
                ks.extend(["--layout-key".into(), format!("../{k}")]);
            }
            if let Some(params) = expected.get("params").and_then(Value::as_object) {
                for (k, v) in params {
                    ks.extend(["--param".into(), format!("{k}={}", v.as_str().unwrap())]);
                }
            }
            a.extend(ks.iter().map(String::as_str));
            cairn(&a, &policy_dir)
        };
        let verdict = if import_code == 0 {
            let (check, err) = cairn(&["check", "policy.cairn"], &policy_dir);
            assert_eq!(check, 0, "{}: check: {err}", case.display());
            let (fmt, err) = cairn(&["fmt", "--check", "policy.cairn"], &policy_dir);
            assert_eq!(fmt, 0, "{}: fmt --check: {err}", case.display());
            let mut a: Vec<String> = ["verify", "policy/policy.cairn", "--bundle", "."]
                .map(String::from)
                .to_vec();
            a.extend(["--time".into(), "2026-06-01T00:00:00Z".into()]);
            if expected.get("run_inspections") == Some(&Value::Bool(true)) {
                a.extend([
                    "--run-inspections".into(),
                    "--inspection-dir".into(),
                    ".".into(),
                ]);
            }
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            cairn(&a, &work)
        } else {
            (import_code, import_err)
        };
        let _ = std::fs::remove_dir_all(&work);
        let want = if expected["verdict"] == "PASS" { 0 } else { 1 };
        assert_eq!(
            verdict.0,
            want,
            "{}: in-toto says {}; import/verify said:\n{}",
            case.display(),
            expected["verdict"],
            verdict.1
        );
    }
}

/// Unsigned classic layouts import too (with a note), and a policy compiled
/// to a classic layout imports back to a policy that checks.
#[test]
fn unsigned_layouts_import_and_round_trip_through_compile() {
    let dir = std::env::temp_dir().join(format!("cairn-import-unsigned-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["ecdsa-rsa-keys", "mixed-features"] {
        let layout = root.join(format!("tests/cases/interop/ok/{name}.json"));
        let (code, err) = cairn(&["import", layout.to_str().unwrap(), "-o", "a.cairn"], &dir);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(err.contains("carries no signature"), "{err}");
        assert_eq!(cairn(&["check", "a.cairn"], &dir).0, 0, "{name}");
        assert_eq!(cairn(&["fmt", "--check", "a.cairn"], &dir).0, 0, "{name}");
        let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["compile", "--target", "in-toto", "a.cairn"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(dir.join("b.json"), &out.stdout).unwrap();
        let (code, err) = cairn(&["import", "b.json", "-o", "b.cairn"], &dir);
        assert_eq!(code, 0, "{name}: {err}");
        let (code, err) = cairn(&["check", "b.cairn"], &dir);
        assert_eq!(code, 0, "{name}: {err}");
    }
    // A link is no layout.
    let link = root.join("tests/fixtures/in-toto-python/pass/build.d2340ae4.link");
    let (code, err) = cairn(&["import", link.to_str().unwrap()], &dir);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E541"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Like in-toto-verify, `--layout` without `--links` or `--bundle` reads the
/// links in the working directory.
#[test]
fn links_default_to_the_working_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/in-toto-python");
    let args = [
        "verify",
        "--layout",
        "root.layout",
        "--layout-key",
        "owner.pub",
    ];
    let args = [&args[..], &["--time", "2026-06-01T00:00:00Z"]].concat();
    assert_eq!(cairn(&args, &root.join("pass")).0, 0);
    assert_eq!(cairn(&args, &root.join("fail-tampered-product")).0, 1);
}

/// A layout key given twice (the same file, or a copy of it) is one owner,
/// as in `in-toto-verify`: the layout is signed by it, for `verify` and
/// `import` alike; a key that did not sign still fails.
#[test]
fn a_layout_key_given_twice_is_one_owner() {
    let pass = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/in-toto-python/pass");
    let copy = std::env::temp_dir().join(format!("cairn-owner-copy-{}.pub", std::process::id()));
    std::fs::copy(pass.join("owner.pub"), &copy).unwrap();
    let copy = copy.to_str().unwrap();
    let time = ["--time", "2026-06-01T00:00:00Z"];
    for keys in [["owner.pub", "owner.pub"], ["owner.pub", copy]] {
        let key_args = ["--layout-key", keys[0], "--layout-key", keys[1]];
        let verify = [&["verify", "--layout", "root.layout"][..], &key_args, &time].concat();
        assert_eq!(cairn(&verify, &pass), (0, String::new()), "{keys:?}");
        let import = [&["import", "root.layout"][..], &key_args].concat();
        assert_eq!(cairn(&import, &pass).0, 0, "{keys:?}");
    }
    let alice = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys/alice.pub");
    let key_args = [
        "--layout-key",
        "owner.pub",
        "--layout-key",
        alice.to_str().unwrap(),
    ];
    let verify = [&["verify", "--layout", "root.layout"][..], &key_args, &time].concat();
    assert_eq!(cairn(&verify, &pass).0, 1);
    std::fs::remove_file(copy).unwrap();
}

/// A DSSE layout's payload is one line of JSON, kilobytes long: a finding
/// on it shows the marked member (between `…`) at its real line and column,
/// not the whole line.
#[test]
fn a_finding_on_a_one_line_dsse_layout_shows_the_member() {
    let case = Path::new("tests/cases/classic/pass-dsse-layout");
    let work: PathBuf =
        std::env::temp_dir().join(format!("cairn-classic-one-line-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    copy(case, &work);
    std::fs::remove_file(work.join("build.5f7c6c21.link")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            "owner.pub",
        ])
        .args(["--links", ".", "--time", "2026-06-01T00:00:00Z"])
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&work);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().all(|l| l.chars().count() < 120), "{stderr}");
    insta::assert_snapshot!(stderr);
}

/// in-toto-golang's X.509 functionaries: every folder under
/// `tests/cases/x509/` (written by `scripts/gen-x509-cases.py`) gets its
/// expected exit code, its messages contain the expected text (compared
/// with line wrapping undone), and the rendered diagnostics are snapshots.
#[test]
fn x509_functionaries_follow_in_toto_golang() {
    insta::glob!("../cases/x509", "*/expected.json", |path| {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let case = path.parent().unwrap();
        let time = expected["time"].as_str().unwrap();
        let (code, stderr) = cairn(
            &[
                "verify",
                "--layout",
                "root.layout",
                "--layout-key",
                "owner.pub",
                "--links",
                ".",
                "--time",
                time,
            ],
            case,
        );
        assert_eq!(
            i64::from(code),
            expected["exit_code"].as_i64().unwrap(),
            "{}: {stderr}",
            case.display()
        );
        let flat = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '│')
                .collect()
        };
        let want = flat(expected["contains"].as_str().unwrap());
        assert!(
            flat(&stderr).contains(&want),
            "{}: no `{want}` in\n{stderr}",
            case.display()
        );
        insta::assert_snapshot!(stderr);
    });
}

/// `cairn import` cannot express X.509 functionaries in the cairn language:
/// it refuses the layout, naming the members.
#[test]
fn import_refuses_x509_functionaries() {
    let case = Path::new("tests/cases/x509/pass-certificate-functionary");
    let out = std::env::temp_dir().join(format!("cairn-x509-import-{}.cairn", std::process::id()));
    let (code, stderr) = cairn(
        &[
            "import",
            "root.layout",
            "--layout-key",
            "owner.pub",
            "-o",
            out.to_str().unwrap(),
        ],
        case,
    );
    let _ = std::fs::remove_file(&out);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!(stderr);
}

/// An artifact given to a classic layout: `V117` says what a classic layout
/// can and cannot say (verify without `--artifact`, or import it), and
/// underlines the layout's `steps` member, not its whole `signed` object.
#[test]
fn an_artifact_given_to_a_classic_layout_gets_classic_advice() {
    let case = Path::new("tests/cases/classic/pass-metablock");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            "owner.pub",
        ])
        .args(["--links", ".", "--time", "2026-06-01T00:00:00Z"])
        .args(["--artifact", "owner.pub"])
        .current_dir(case)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("V117"), "{stderr}");
    assert!(stderr.lines().count() < 30, "{stderr}");
    insta::assert_snapshot!(stderr);
}

/// A link in the folder under a name in-toto never opens: `explain` says
/// which file was not read for the step, and why, instead of "no
/// attestation names this step".
#[test]
fn explain_names_a_link_filed_under_another_keyid() {
    let case = Path::new("tests/cases/classic/fail-link-under-another-keyid");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "explain",
            "--layout",
            "root.layout",
            "--layout-key",
            "owner.pub",
        ])
        .args(["--links", ".", "--time", "2026-06-01T00:00:00Z"])
        .current_dir(case)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("not read: `build.ab5f7c0d.link`"),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);
}

//! The examples are the corpus: every case under `policies/*/bundles/` runs
//! through the real `cairn verify`, from its policy's folder, as its
//! `<case>.expected.json` says; the human output of each is snapshotted.
//! The bundles are reproducible from `scripts/make-examples.sh`, and the
//! README's main command passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

use super::cairn_in;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every diagnostic code rendered on stderr: a line that is just the code.
fn stderr_codes(stderr: &str) -> BTreeSet<String> {
    let is_code = |l: &str| {
        l.len() == 4 && l.starts_with(['E', 'V']) && l.chars().skip(1).all(|c| c.is_ascii_digit())
    };
    // A diagnostic's code on a line of its own, or a finding folded under
    // its root cause (`    V104 product ... is not allowed (...)`).
    stderr
        .lines()
        .filter_map(|l| {
            let code = l.trim().split(' ').next()?;
            let folded = l.starts_with("    ") && l.trim() != code;
            (is_code(code) && (l.trim() == code || folded)).then(|| code.to_owned())
        })
        .collect()
}

struct Case {
    policy_dir: PathBuf,
    args: Vec<String>,
    exit: i32,
    codes: BTreeSet<String>,
}

fn load_case(expected: &Path) -> Case {
    let spec: Value = serde_json::from_slice(&std::fs::read(expected).unwrap()).unwrap();
    let bundles = expected.parent().unwrap();
    let policy_dir = bundles.parent().unwrap().to_path_buf();
    let name = expected.file_name().unwrap().to_str().unwrap();
    let case = name.strip_suffix(".expected.json").unwrap();
    let mut args = vec![
        "verify".to_owned(),
        "policy.cairn".to_owned(),
        "--bundle".to_owned(),
        format!("bundles/{case}.intoto.jsonl"),
    ];
    args.extend(
        spec["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned()),
    );
    let codes = spec["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    Case {
        policy_dir,
        args,
        exit: i32::try_from(spec["exit"].as_i64().unwrap()).unwrap(),
        codes,
    }
}

#[test]
fn every_example_case_verifies_as_expected() {
    insta::glob!("../../policies", "*/bundles/*.expected.json", |path| {
        let case = load_case(path);
        let mut json_args = case.args.clone();
        json_args.extend(["--format".to_owned(), "json".to_owned()]);
        // In JSON mode stderr carries only what stops cairn (exit 2)...
        let quiet = cairn_in(&case.policy_dir, &json_args);
        if case.exit != 2 {
            assert_eq!(text(&quiet.stderr), "", "{}", path.display());
        }
        // ... and the rendered findings with `--verbose`.
        json_args.push("--verbose".to_owned());
        let o = cairn_in(&case.policy_dir, &json_args);
        let stdout = text(&o.stdout);
        let stderr = text(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(case.exit),
            "{}: {stdout}\n{stderr}",
            path.display()
        );
        // The diagnostics on stderr and, when there is a verdict, the JSON
        // report each name exactly the expected codes.
        assert_eq!(
            stderr_codes(&stderr),
            case.codes,
            "{}: {stderr}",
            path.display()
        );
        if case.exit != 2 {
            let report: Value = serde_json::from_str(&stdout).unwrap();
            let verdict = if case.exit == 0 { "PASS" } else { "FAIL" };
            assert_eq!(report["verdict"], verdict, "{}", path.display());
            let json_codes: BTreeSet<String> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(json_codes, case.codes, "{}: {stdout}", path.display());
        }

        let human = cairn_in(&case.policy_dir, &case.args);
        assert_eq!(human.status.code(), Some(case.exit));
        insta::assert_snapshot!(format!(
            "$ cairn {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            case.args.join(" "),
            case.exit,
            text(&human.stdout),
            text(&human.stderr)
        ));
    });
}

#[test]
fn every_policy_has_a_passing_case_and_three_failing_ones() {
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("policy.cairn").is_file() {
            continue;
        }
        let mut pass = 0;
        let mut fail = 0;
        for e in std::fs::read_dir(dir.join("bundles")).unwrap() {
            let p = e.unwrap().path();
            if p.to_str().unwrap().ends_with(".expected.json") {
                match load_case(&p).exit {
                    0 => pass += 1,
                    _ => fail += 1,
                }
            }
        }
        assert!(
            pass >= 1 && fail >= 3,
            "{}: {pass} passing, {fail} failing",
            dir.display()
        );
    }
}

/// `scripts/make-examples.sh` rebuilds the committed bundles byte for byte.
#[test]
fn make_examples_reproduces_the_committed_bundles() {
    let out = std::env::temp_dir().join(format!("cairn-examples-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new("bash")
        .arg(root().join("scripts/make-examples.sh"))
        .arg(&out)
        .env("CAIRN", env!("CARGO_BIN_EXE_cairn"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut compared = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let made = entry.unwrap().path();
        let name = made.file_name().unwrap().to_owned();
        let committed = root().join("policies").join(&name).join("bundles");
        let mut made_files: Vec<_> = std::fs::read_dir(made.join("bundles"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let mut committed_files: Vec<_> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        made_files.sort();
        committed_files.sort();
        assert_eq!(made_files, committed_files, "{}", committed.display());
        for f in &made_files {
            let a = std::fs::read(made.join("bundles").join(f)).unwrap();
            let b = std::fs::read(committed.join(f)).unwrap();
            assert!(
                a == b,
                "{} differs from the script's output",
                committed.join(f).display()
            );
            compared += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(compared >= 32, "only {compared} files compared");
}

/// The passing chain README.md tells users to verify first (its `cairn
/// verify ... pass.intoto.jsonl ...` line), run from the repository root.
#[test]
fn the_readme_main_command_passes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .filter(|l| l.contains("pass.intoto.jsonl"))
        .find_map(|l| l.trim().strip_prefix("cairn verify "))
        .expect("README.md shows `cairn verify ... pass.intoto.jsonl ...`");
    let mut args = vec!["verify".to_owned()];
    args.extend(line.split_whitespace().map(str::to_owned));
    let o = cairn_in(&root(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("PASS"), "{}", text(&o.stdout));
}

/// Each policy's README lists every case with its codes, so that the table
/// cannot drift from the bundles.
#[test]
fn every_case_is_documented_in_its_policy_readme() {
    insta::glob!("../../policies", "*/bundles/*.expected.json", |path| {
        let case = load_case(path);
        let name = path.file_name().unwrap().to_str().unwrap();
        let name = name.strip_suffix(".expected.json").unwrap();
        let readme = std::fs::read_to_string(case.policy_dir.join("README.md")).unwrap();
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| {
                panic!(
                    "README.md of {} has no row for `{name}`",
                    case.policy_dir.display()
                )
            });
        for code in &case.codes {
            assert!(
                row.contains(code.as_str()),
                "{name}: {code} missing from `{row}`"
            );
        }
        assert!(
            row.contains(&format!("| {} |", case.exit)),
            "{name}: exit {} missing from `{row}`",
            case.exit
        );
    });
}

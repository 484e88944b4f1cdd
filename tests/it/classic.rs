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
        assert_eq!(
            i64::from(code),
            expected["exit_code"].as_i64().unwrap(),
            "{}: in-toto says {} ({}); cairn said:\n{stderr}",
            case.display(),
            expected["verdict"],
            expected["reason"]
        );
        insta::assert_snapshot!(stderr);
    });
}

//! CEL checks and checks on the whole Statement in policies: every compile
//! error points at its column inside the expression's text in the policy
//! (snapshots: the rendered diagnostics), and the formatter keeps both.
//! What they find when verifying is shown by `policies/subject/`.

use super::cairn_in as cairn;

/// A policy whose one attestation holds `checks`, written in `dir`.
fn policy(dir: &std::path::Path, name: &str, checks: &str) -> String {
    let text = format!(
        "layout \"t\" {{\n  expires 2027-09-30T00:00:00Z\n  key dev = ed25519 \"ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37\"\n  step checkout {{\n    by dev\n    attestation link/v0.3 {{\n{checks}    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

fn shown(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn cel_compile_errors_point_into_the_expression() {
    let dir = std::env::temp_dir().join(format!("cairn-cel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let long = format!("true{}", " && true".repeat(130));
    for (name, checks) in [
        // The column counts the policy's escapes (`\"` is two characters).
        (
            "E240-cel-syntax",
            "      require cel \"predicate.command[0] == \\\"git\\\" && )\"\n".to_string(),
        ),
        (
            "E241-cel-too-nested",
            "      require cel \"subject.all(s, predicate.a.exists(x, predicate.b.all(y, y == x)))\"\n"
                .to_string(),
        ),
        (
            "E241-cel-too-long",
            format!("      require cel \"{long}\"\n"),
        ),
        (
            "E242-cel-unknown-variable",
            "      warn cel \"size(subjects) != 0\"\n".to_string(),
        ),
        (
            "E208-statement-path",
            "      require statement.subjct[?@.name ==] exists\n".to_string(),
        ),
    ] {
        let file = policy(&dir, &format!("{name}.cairn"), &checks);
        insta::assert_snapshot!(name, shown(&cairn(&dir, &["check", &file])));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn statement_and_cel_checks_format_and_compile() {
    let dir = std::env::temp_dir().join(format!("cairn-cel-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let checks = concat!(
        "      require   any statement.subject[*].digest.gitCommit exists\n",
        "      require statement['predicateType'] == \"https://in-toto.io/attestation/link/v0.3\"\n",
        "      warn cel   \"predicate.name == \\\"checkout\\\"\"\n",
    );
    let file = policy(&dir, "p.cairn", checks);
    let out = cairn(&dir, &["fmt", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let text = std::fs::read_to_string(dir.join(&file)).unwrap();
    assert!(text.contains("      require any statement.subject[*].digest.gitCommit exists\n"));
    assert!(text.contains("      warn cel \"predicate.name == \\\"checkout\\\"\"\n"));
    let out = cairn(&dir, &["compile", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = &ir["steps"][0]["attestations"][0]["checks"];
    assert_eq!(checks[0]["root"], "statement");
    assert_eq!(checks[0]["path"], "$.subject[*].digest.gitCommit");
    assert_eq!(checks[1]["path"], "$['predicateType']");
    assert_eq!(checks[2]["test"]["test"], "cel");
    assert_eq!(checks[2]["test"]["expr"], "predicate.name == \"checkout\"");
    assert!(checks[2].get("path").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A classic link is the `link/v0.3` Statement it amounts to: its products
/// the subjects, the link itself the predicate, `_type` its own.
#[test]
fn a_classic_link_is_seen_as_a_link_statement() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("cairn-cel-classic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&root.join("policies/classic"), &dir);
    let text = std::fs::read_to_string(dir.join("policy.cairn")).unwrap();
    let checks = |extra: &str| {
        text.replacen(
            "      create \"demo/*\"\n    }\n",
            &format!(
                "      create \"demo/*\"\n    }}\n    attestation link/v0.3 {{\n      require any statement.subject[*].name == \"demo/main.c\"\n      require statement._type == \"link\"\n      require statement.predicateType == \"https://in-toto.io/attestation/link/v0.3\"\n      require $.command[0] == \"git\"\n      require cel \"predicate.name == 'checkout' && predicate.products.size() == size(subject)\"\n{extra}    }}\n"
            ),
            1,
        )
    };
    let args = [
        "verify",
        "policy.cairn",
        "--bundle",
        "bundles/pass.intoto.jsonl",
        "--artifact",
        "artifacts/package/demo.tar.gz",
        "--run-inspections",
        "--inspection-dir",
        "artifacts/package",
        "--time",
        "2026-06-01T00:00:00Z",
        "--format",
        "json",
    ];
    std::fs::write(dir.join("policy.cairn"), checks("")).unwrap();
    let out = cairn(&dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    std::fs::write(
        dir.join("policy.cairn"),
        checks("      warn cel \"subject.exists(s, s.name == 'demo/Makefile')\"\n      require cel \"predicate.nope\"\n"),
    )
    .unwrap();
    let out = cairn(&dir, &args);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("V106".to_string(), "warn".to_string()),
            ("V160".to_string(), "deny".to_string())
        ],
        "{}",
        shown(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cel "EXPR" if present` (attestation-verifier's `allowIfNoClaim`): a
/// field or variable the Statement lacks passes the check; a present value
/// that makes it false still fails it. It formats and compiles as written.
#[test]
fn a_cel_check_if_present_passes_what_is_absent() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("cairn-cel-present-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&root.join("policies/classic"), &dir);
    let text = std::fs::read_to_string(dir.join("policy.cairn")).unwrap();
    let with = |checks: &str| {
        let changed = text.replacen(
            "      create \"demo/*\"\n    }\n",
            &format!(
                "      create \"demo/*\"\n    }}\n    attestation link/v0.3 {{\n{checks}    }}\n"
            ),
            1,
        );
        assert_ne!(changed, text);
        std::fs::write(dir.join("policy.cairn"), changed).unwrap();
        cairn(
            &dir,
            &[
                "verify",
                "policy.cairn",
                "--bundle",
                "bundles/pass.intoto.jsonl",
                "--artifact",
                "artifacts/package/demo.tar.gz",
                "--run-inspections",
                "--inspection-dir",
                "artifacts/package",
                "--time",
                "2026-06-01T00:00:00Z",
            ],
        )
    };
    // Absent: passes `if present`, fails (V160) without it.
    let out = with("      require cel \"predicate.reviewed.by == 'bob'\" if present\n");
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let out = with("      require cel \"predicate.reviewed.by == 'bob'\"\n");
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(shown(&out).contains("V160"), "{}", shown(&out));
    // Present and false: fails `if present` too.
    let out = with("      require cel \"predicate.name == 'build'\" if present\n");
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(shown(&out).contains("V106"), "{}", shown(&out));
    // It formats to itself and compiles to the IR's `if_present`.
    let out = cairn(&dir, &["fmt", "--check", "policy.cairn"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let out = cairn(&dir, &["compile", "policy.cairn"]);
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = &ir["steps"][0]["attestations"][0]["checks"][0];
    assert_eq!(check["test"]["if_present"], true, "{check}");
    let _ = std::fs::remove_dir_all(&dir);
}

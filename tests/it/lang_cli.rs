//! The front end's commands as users run them: exit codes, where output
//! goes, and what it says.

use std::path::Path;
use std::process::{Command, Output};

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_accepts_every_example_policy() {
    for p in ["release", "classic", "threshold", "params"] {
        let path = format!("policies/{p}/policy.cairn");
        let o = cairn(&["check", &path]);
        assert_eq!(o.status.code(), Some(0), "{path}: {}", stderr(&o));
        let o = cairn(&["fmt", "--check", &path]);
        assert_eq!(o.status.code(), Some(0), "{path} is not formatted");
    }
}

#[test]
fn check_reports_a_misspelt_step_with_place_code_and_suggestion() {
    let o = cairn(&["check", "tests/cases/lower/err/unknown_match_step.cairn"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("unknown_match_step.cairn:14:38"), "{err}");
    assert!(err.contains("E200"), "{err}");
    assert!(err.contains("did you mean `checkout`?"), "{err}");
    assert!(!err.contains('\u{1b}'), "colour without a terminal: {err}");
}

#[test]
fn check_reports_a_syntax_error_as_a_sentence() {
    let o = cairn(&["check", "tests/cases/syntax/err/missing_test.cairn"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("missing_test.cairn:8:5"), "{err}");
    assert!(
        err.contains("expected `exists`, `in`, `is`, `matches` or a comparison"),
        "{err}"
    );
    assert!(!err.contains("kw_") && !err.contains("Rule::"), "{err}");
}

#[test]
fn check_exit_codes() {
    let o = cairn(&["check", "no/such/file.cairn"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E400"));
    let o = cairn(&["check"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cairn(&[
        "check",
        "policies/release/policy.cairn",
        "tests/cases/lower/err/no_steps.cairn",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = cairn(&[
        "--color",
        "always",
        "check",
        "tests/cases/lower/err/no_steps.cairn",
    ]);
    assert!(stderr(&o).contains('\u{1b}'));
}

/// Runs cairn with the colour variables set as given (and none other).
fn cairn_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn coloured(bytes: &[u8]) -> bool {
    bytes.contains(&0x1b)
}

/// `--color` reaches clap's own usage errors and help, given before or
/// after the subcommand; NO_COLOR and CLICOLOR_FORCE decide `auto` for them
/// and for cairn's diagnostics alike.
#[test]
fn color_choice_reaches_clap_and_the_environment_decides_auto() {
    let force = [("CLICOLOR_FORCE", "1")];
    // CLICOLOR_FORCE colours clap's error off a terminal...
    let o = cairn_env(&["bogus-subcommand"], &force);
    assert_eq!(o.status.code(), Some(2));
    assert!(coloured(&o.stderr), "{}", stderr(&o));
    // ...but `--color never` wins, wherever it is and however spelled.
    for args in [
        &["--color", "never", "bogus-subcommand"][..],
        &["--color=never", "bogus-subcommand"],
        &["bogus-subcommand", "--color", "never"],
        &["check", "--color", "never", "--no-such-flag"],
    ] {
        let o = cairn_env(args, &force);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!coloured(&o.stderr), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error:"), "{args:?}");
    }
    let o = cairn_env(&["--color", "never", "--help"], &force);
    assert_eq!(o.status.code(), Some(0));
    assert!(!coloured(&o.stdout));
    let o = cairn_env(&["--color", "always", "bogus-subcommand"], &[]);
    assert!(coloured(&o.stderr));
    // NO_COLOR turns `auto` off even against CLICOLOR_FORCE.
    let o = cairn_env(
        &["bogus-subcommand"],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
    );
    assert!(!coloured(&o.stderr));
    // cairn's own diagnostics decide `auto` the same way.
    let missing = ["check", "no/such/file.cairn"];
    assert!(coloured(&cairn_env(&missing, &force).stderr));
    assert!(!coloured(&cairn_env(&missing, &[]).stderr));
    let mut never = vec!["--color", "never"];
    never.extend(missing);
    assert!(!coloured(&cairn_env(&never, &force).stderr));
}

#[test]
fn compile_is_deterministic_json() {
    let a = cairn(&["compile", "policies/release/policy.cairn"]);
    let b = cairn(&["compile", "--target", "ir", "policies/release/policy.cairn"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["ir_version"], cairn_lang::ir::IR_VERSION);
    assert_eq!(v["steps"].as_array().unwrap().len(), 4);
    let o = cairn(&["compile", "tests/cases/lower/err/unknown_key.cairn"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E201"));
    assert!(o.stdout.is_empty());
}

#[test]
fn dump_prints_ast_and_ir() {
    let o = cairn(&["dump", "ast", "tests/cases/lower/ok/minimal.cairn"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("StepDecl"));
    let o = cairn(&["dump", "ir", "tests/cases/lower/ok/minimal.cairn"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("expects_link: true"));
    let o = cairn(&["dump", "ast", "tests/cases/syntax/err/missing_test.cairn"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E100"));
}

#[test]
fn fmt_rewrites_in_place_and_check_names_files() {
    let dir = std::env::temp_dir().join(format!("cairn-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.cairn");
    std::fs::write(&file, "layout \"x\" { step s { by a } }").unwrap();
    let path = file.to_str().unwrap();
    let o = cairn(&["fmt", "--check", path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("p.cairn"));
    let o = cairn(&["fmt", path]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text, "layout \"x\" {\n  step s {\n    by a\n  }\n}\n");
    let o = cairn(&["fmt", "--check", path]);
    assert_eq!(o.status.code(), Some(0));
    std::fs::write(&file, "layout {").unwrap();
    let o = cairn(&["fmt", path]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_front_end_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/diagnostics.md")).unwrap();
    let lang = root.join("crates/cairn-lang/src");
    let mut dirs = vec![lang.join("syntax"), lang.join("lower")];
    let mut seen = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("code(E").skip(1) {
                let code: String = part.chars().take_while(char::is_ascii_digit).collect();
                assert!(
                    docs.contains(&format!("### E{code}")),
                    "E{code} ({}) is not in docs/diagnostics.md",
                    path.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 30);
}

/// A regex that verification would refuse (its compiled form is beyond the
/// size limit evaluation enforces) is refused by `check` and `lint`, at the
/// string in the policy, instead of failing every `verify` with V114.
#[test]
fn check_and_lint_refuse_a_regex_verification_would_refuse() {
    let path = "tests/cases/lower/err/regex_too_big.cairn";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    assert!(text.contains(r#"matches "^\\w{50}|PASSED""#), "{text}");
    for command in ["check", "lint"] {
        let o = cairn(&[command, path]);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        // `check` renders errors on stderr; `lint` its results on stdout.
        let err = if command == "lint" {
            String::from_utf8_lossy(&o.stdout).into_owned()
        } else {
            stderr(&o)
        };
        assert!(err.contains("E210"), "{command}: {err}");
        assert!(err.contains("regex_too_big.cairn:6:32"), "{command}: {err}");
        assert!(!err.contains("V114"), "{command}: {err}");
        insta::assert_snapshot!(format!("{command}-regex-beyond-size-limit"), err);
    }
}

/// What only a parameter's value breaks is still found by `verify`, as
/// V114: the policy text itself checks clean.
#[test]
fn verify_reports_a_pattern_broken_by_a_parameter_value() {
    let o = cairn(&["check", "policies/params/policy.cairn"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "verify",
            "policy.cairn",
            "--bundle",
            "bundles/pass.intoto.jsonl",
            "--param",
            "component=[widget",
            "--artifact",
            "artifacts/dist/widget-1.0.0.tar.gz",
            "--time",
            "2026-06-01T00:00:00Z",
            "--format",
            "json",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/params"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bad: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "V114")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        bad,
        [
            "pattern `[widget/*` does not compile: unterminated `[` at byte 0 of the pattern",
            "pattern `[widget/*` does not compile: unterminated `[` at byte 0 of the pattern",
            "pattern `dist/[widget-1.0.0.tar.gz` does not compile: unterminated `[` at byte 5 of the pattern",
        ],
        "{report:#}"
    );
}

//! The command line as a person in a terminal or a CI job uses it:
//! completions and man pages, Markdown summaries, `fmt --diff`, what
//! writes say, `-q`/`-v`, usage errors for flags that contradict, the
//! environment variables, and standard input for keys and envelopes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::messages::cairn_stdin;

const NOW: &str = "2026-06-01T00:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn release() -> PathBuf {
    root().join("policies/release")
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn cairn_env(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (k, v) in vars {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-everyday-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// bash loads the script and completes subcommands and flags.
#[test]
fn bash_completes_subcommands_and_flags() {
    if !has("bash") {
        eprintln!("bash is not installed: completion not tried");
        return;
    }
    let script = format!(
        r#"source <("{bin}" completions bash) || exit 9
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=(); _cairn cairn "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; printf '%s ' "${{COMPREPLY[@]}}"; echo; }}
complete_words cairn verify-
complete_words cairn verify --trusted
complete_words cairn completions ''
"#,
        bin = env!("CARGO_BIN_EXE_cairn")
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains("verify-bundle") && lines[0].contains("verify-envelope"));
    assert_eq!(lines[1].trim(), "--trusted-root");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(lines[2].contains(shell), "{text}");
    }
}

/// Each man page renders with `man -l` (where man is installed) and names
/// its command's flags.
#[test]
fn man_pages_render() {
    let dir = scratch("man");
    let out = crate::cairn_in(&dir, &["man", "--out-dir", "man1"]);
    assert!(out.status.success(), "{}", said(&out));
    let count = std::fs::read_dir(dir.join("man1")).unwrap().count();
    assert!(count > 15, "{count} pages");
    insta::assert_snapshot!(
        "man-out-dir",
        String::from_utf8_lossy(&out.stderr).replace(&dir.display().to_string(), "DIR")
    );
    let page = crate::cairn_in(&dir, &["man", "verify"]);
    let roff = String::from_utf8_lossy(&page.stdout);
    assert!(roff.contains(".TH cairn-verify 1"), "{roff}");
    assert_eq!(
        std::fs::read(dir.join("man1/cairn-verify.1")).unwrap(),
        page.stdout
    );
    if has("man") {
        let rendered = Command::new("man")
            .args(["-l", "-P", "cat"])
            .arg(dir.join("man1/cairn-verify.1"))
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(rendered.status.success(), "{}", said(&rendered));
        assert!(text.contains("--trusted-root"), "{text}");
    } else {
        eprintln!("man is not installed: rendering not tried");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn markdown_summaries_for_ci() {
    let verify = |case: &str, more: &[&str]| {
        let bundle = format!("bundles/{case}.intoto.jsonl");
        let args = [
            &[
                "verify",
                "policy.cairn",
                "--bundle",
                &bundle,
                "--time",
                NOW,
                "--format",
                "markdown",
            ],
            more,
        ]
        .concat();
        said(&crate::cairn_in(&release(), &args))
    };
    insta::assert_snapshot!(
        "markdown-verify-pass",
        verify("pass", &["--artifact", "artifacts/bin/foo-1.0"])
    );
    insta::assert_snapshot!("markdown-verify-failed-test", verify("failed-test", &[]));
    let lint = crate::cairn_in(
        &root(),
        &[
            "lint",
            "--time",
            NOW,
            "--format",
            "markdown",
            "tests/cases/lint/err/L003-require-after-consumed.cairn",
            "tests/cases/lint/cli/broken.cairn",
            "policies/release/policy.cairn",
        ],
    );
    insta::assert_snapshot!("markdown-lint", said(&lint));
}

#[test]
fn fmt_diff_check_and_directories() {
    let dir = scratch("fmt");
    std::fs::create_dir_all(dir.join("policies/sub")).unwrap();
    std::fs::write(
        dir.join("policies/sub/b.cairn"),
        "layout   \"b\" {\n  expires   2030-01-01T00:00:00Z\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("policies/a.cairn"),
        "layout \"a\" {\n  expires 2030-01-01T00:00:00Z\n}\n",
    )
    .unwrap();
    let diff = crate::cairn_in(&dir, &["fmt", "--diff", "policies"]);
    insta::assert_snapshot!("fmt-diff", said(&diff));
    let check = crate::cairn_in(&dir, &["fmt", "--check", "policies"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "policies/sub/b.cairn\n"
    );
    let write = crate::cairn_in(&dir, &["fmt", "policies"]);
    insta::assert_snapshot!("fmt-wrote", said(&write));
    let quiet = crate::cairn_in(&dir, &["fmt", "-q", "policies"]);
    assert_eq!(said(&quiet), "exit Some(0)\n--- stdout\n--- stderr\n");
    // Every policy below the directory is checked, in order (these have
    // no steps: E226).
    let check = crate::cairn_in(&dir, &["check", "policies"]);
    assert_eq!(check.status.code(), Some(1), "{}", said(&check));
    let stderr = String::from_utf8_lossy(&check.stderr);
    let a = stderr.find("policies/a.cairn: 1 error").unwrap();
    let b = stderr.find("policies/sub/b.cairn: 1 error").unwrap();
    assert!(a < b, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn writes_say_what_they_wrote_unless_quiet() {
    let dir = scratch("vsa");
    let vsa = dir.join("vsa.json");
    let vsa = vsa.to_str().unwrap();
    let args = [
        "verify",
        "policy.cairn",
        "--bundle",
        "bundles/pass.intoto.jsonl",
        "--artifact",
        "artifacts/bin/foo-1.0",
        "--time",
        NOW,
        "--vsa",
        vsa,
        "--vsa-key",
        "keys/ci.key",
    ];
    let out = crate::cairn_in(&release(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    insta::assert_snapshot!(
        "vsa-wrote",
        said(&out).replace(&dir.display().to_string(), "DIR")
    );
    let out = crate::cairn_in(&release(), &[&args[..], &["-q"]].concat());
    assert!(out.stderr.is_empty(), "{}", said(&out));
    assert!(Path::new(vsa).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn contradictory_flags_and_missing_evidence_are_usage_errors() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "usage-verify-without-bundle",
            vec!["verify", "policy.cairn"],
        ),
        (
            "usage-explain-explain",
            vec![
                "explain",
                "policy.cairn",
                "--bundle",
                "bundles/pass.intoto.jsonl",
                "--explain",
            ],
        ),
        (
            "usage-layout-trusted-root",
            vec![
                "verify",
                "--layout",
                "root.layout",
                "--layout-key",
                "keys/alice.pub",
                "--trusted-root",
                "root.json",
            ],
        ),
        (
            "usage-staging-trusted-root",
            vec![
                "verify-bundle",
                "--bundle",
                "b.json",
                "--staging",
                "--trusted-root",
                "root.json",
                "--key",
                "keys/ci.pub",
                "sha256:00",
            ],
        ),
        (
            "usage-quiet-verbose",
            vec!["check", "-q", "-v", "policy.cairn"],
        ),
        (
            "usage-key-takes-one-value",
            vec![
                "verify-envelope",
                "--key",
                "keys/ci.pub",
                "keys/alice.pub",
                "bundles/pass.intoto.jsonl",
            ],
        ),
    ];
    let mut all = String::new();
    for (name, args) in cases {
        let out = crate::cairn_in(&release(), &args);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", said(&out));
        all += &format!("== {name}: cairn {}\n{}\n", args.join(" "), said(&out));
    }
    insta::assert_snapshot!("usage-errors", all);
    // `--key` before the file no longer swallows it.
    let out = crate::cairn_in(
        &release(),
        &[
            "verify-envelope",
            "--key",
            "keys/alice.pub",
            "bundles/pass.intoto.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
}

#[test]
fn environment_sets_the_flags_people_set_once() {
    let args = [
        "verify",
        "policy.cairn",
        "--bundle",
        "bundles/failed-test.intoto.jsonl",
        "--time",
        NOW,
    ];
    let out = cairn_env(&release(), &[("CAIRN_FORMAT", "json")], &args);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "FAIL");
    assert!(out.stderr.is_empty(), "{}", said(&out));
    // The flag wins over the environment.
    let out = cairn_env(
        &release(),
        &[("CAIRN_FORMAT", "json")],
        &[&args[..], &["--format", "human"]].concat(),
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("FAIL"));
    // `--color never` and CAIRN_COLOR=never reach clap's own errors.
    for (vars, extra) in [
        (vec![("CLICOLOR_FORCE", "1")], vec!["--color", "never"]),
        (
            vec![("CLICOLOR_FORCE", "1"), ("CAIRN_COLOR", "never")],
            vec![],
        ),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
        command.args(["verify", "--bogus"]).args(&extra);
        for (k, v) in &vars {
            command.env(k, v);
        }
        let out = command.env_remove("NO_COLOR").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(!out.stderr.contains(&0x1b), "{}", said(&out));
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
    let out = command
        .args(["verify", "--bogus"])
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.stderr.contains(&0x1b), "{}", said(&out));
    // `--help` says which variable sets a flag.
    let help = crate::cairn_in(&release(), &["verify", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for var in ["CAIRN_TRUSTED_ROOT", "CAIRN_FORMAT", "CAIRN_COLOR"] {
        assert!(help.contains(var), "{var}: {help}");
    }
}

#[test]
fn keys_and_envelopes_on_standard_input() {
    let key = std::fs::read(release().join("keys/ci.pub")).unwrap();
    let from_stdin = cairn_stdin(&release(), &[], &["key", "id", "-"], &key);
    let from_file = crate::cairn_in(&release(), &["key", "id", "keys/ci.pub"]);
    assert_eq!(from_stdin.status.code(), Some(0), "{}", said(&from_stdin));
    assert_eq!(
        String::from_utf8_lossy(&from_stdin.stdout).replace("<stdin>", "keys/ci.pub"),
        String::from_utf8_lossy(&from_file.stdout)
    );
    // A bundle of JSON lines on standard input is read line by line.
    let bundle = std::fs::read(release().join("bundles/pass.intoto.jsonl")).unwrap();
    let out = cairn_stdin(
        &release(),
        &[],
        &["verify-envelope", "-", "--key", "keys/alice.pub"],
        &bundle,
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("line 6: verified"), "{text}");
    // One envelope, pretty-printed, is read as one document.
    let line = bundle.split(|&b| b == b'\n').nth(5).unwrap();
    let value: serde_json::Value = serde_json::from_slice(line).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let out = cairn_stdin(
        &release(),
        &[],
        &["verify-envelope", "-", "--key", "keys/alice.pub"],
        &pretty,
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    insta::assert_snapshot!("verify-envelope-stdin", said(&out));
    // A private key on standard input, as a CI job passes a secret.
    let private = std::fs::read(release().join("keys/ci.key")).unwrap();
    let signed = cairn_stdin(
        &release(),
        &[],
        &["sign", "--key", "-", "policy.cairn"],
        &private,
    );
    assert_eq!(signed.status.code(), Some(0), "{}", said(&signed));
    let dir = scratch("signed");
    std::fs::write(dir.join("env.json"), &signed.stdout).unwrap();
    let out = crate::cairn_in(
        &dir,
        &[
            "verify-envelope",
            "--key",
            release().join("keys/ci.pub").to_str().unwrap(),
            "env.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's failing example shows what the command prints, from the
/// repository root.
#[test]
fn the_readme_failing_example_is_what_cairn_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- failing-example: checked by tests/it/everyday.rs -->")
        .unwrap();
    let end = readme.find("<!-- /failing-example -->").unwrap();
    let block = &readme[start..end];
    let body = block.split("```console\n").nth(1).unwrap();
    let body = body.strip_suffix("```\n").unwrap();
    let (command, shown) = body.split_once('\n').unwrap();
    let args: Vec<&str> = command
        .strip_prefix("$ cairn ")
        .unwrap()
        .split(' ')
        .collect();
    let out = crate::cairn_in(&root(), &args);
    assert_eq!(out.status.code(), Some(1));
    // stdout, then stderr, as a terminal shows them.
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shown, printed);
}

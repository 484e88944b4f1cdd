//! Every diagnostic cairn defines, each in a snapshot: here the command-line
//! and input errors that the suites of the commands do not show, run as a
//! user runs them, and the few that only a bug in cairn could cause,
//! rendered as the command would print them. `every_code_has_a_snapshot`
//! keeps the set complete.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// Copies in each test's scratch folder, where every command runs, so that
// the paths in messages (and where they wrap) are the same on any machine.
const RELEASE: &str = "release";
const CLASSIC: &str = "classic";
const PARAMS: &str = "params";
const ALICE: &str = "keys/alice";
const NOW: &str = "2026-06-01T00:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

use super::cairn_in as cairn;

/// A fresh scratch folder holding copies of the release example (and the
/// baselines it imports), two classic chains and the test keys.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-msg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("policies/release", RELEASE),
        ("policies/baselines", "baselines"),
        ("tests/cases/classic/pass-metablock", CLASSIC),
        ("tests/cases/classic/pass-params", PARAMS),
        ("tests/keys", "keys"),
    ] {
        copy_tree(&root().join(from), &dir.join(to));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The exit code and stderr.
fn shown(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    format!("exit {:?}\n{stderr}", out.status.code())
}

/// Runs each case in `dir` and snapshots what it says.
fn snapshot_all(dir: &Path, cases: &[(&str, Vec<&str>)]) {
    for (name, args) in cases {
        insta::assert_snapshot!(*name, shown(&cairn(dir, args)));
    }
}

/// A copy of the classic layout's signed part, changed by `change`.
fn classic_layout(dir: &Path, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let path = dir.join(CLASSIC).join("root.layout");
    let mut layout: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    change(&mut layout["signed"]);
    layout["signed"].to_string()
}

#[test]
fn policy_file_errors() {
    let dir = scratch("policy");
    std::fs::write(dir.join("big.cairn"), vec![b'#'; (1 << 20) + 1]).unwrap();
    std::fs::write(dir.join("latin1.cairn"), b"layout \"caf\xe9\" {}\n").unwrap();
    snapshot_all(
        &dir,
        &[
            ("E101-policy-too-large", vec!["check", "big.cairn"]),
            ("E400-policy-unreadable", vec!["check", "missing.cairn"]),
            ("E401-policy-not-utf8", vec!["check", "latin1.cairn"]),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn ARGS` in `dir` with the environment variables `vars` set.
fn cairn_with(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// The byte limits come from the environment, for every command alike; a
/// value cairn cannot read stops any command before it reads anything.
#[test]
fn byte_limits_from_the_environment() {
    let dir = scratch("limits");
    let bundle = format!("{RELEASE}/bundles/pass.intoto.jsonl");
    let policy = format!("{RELEASE}/policy.cairn");
    let artifact = format!("{RELEASE}/artifacts/bin/foo-1.0");
    let verify = [
        "verify",
        policy.as_str(),
        "--bundle",
        bundle.as_str(),
        "--artifact",
        artifact.as_str(),
        "--time",
        NOW,
    ];
    for (name, vars, args) in [
        (
            "E350-limit-not-a-size",
            vec![("CAIRN_MAX_FILE_BYTES", "2GB")],
            &verify[..],
        ),
        (
            "E350-limit-zero",
            vec![("CAIRN_MAX_TOTAL_BYTES", "0")],
            &["check", policy.as_str()][..],
        ),
        (
            "E306-file-over-the-set-limit",
            vec![("CAIRN_MAX_FILE_BYTES", "1KiB")],
            &verify[..],
        ),
        (
            "E306-files-over-the-total-limit",
            vec![("CAIRN_MAX_TOTAL_BYTES", "1KiB")],
            &verify[..],
        ),
    ] {
        insta::assert_snapshot!(name, shown(&cairn_with(&dir, &vars, args)));
    }
    // Raised, the same bundle verifies; an empty value is the default.
    for vars in [
        vec![
            ("CAIRN_MAX_FILE_BYTES", "64MiB"),
            ("CAIRN_MAX_TOTAL_BYTES", "1073741824"),
        ],
        vec![("CAIRN_MAX_FILE_BYTES", "")],
    ] {
        let out = cairn_with(&dir, &vars, &verify);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn ARGS` in `dir` with `input` on its standard input.
pub fn cairn_stdin(dir: &Path, vars: &[(&str, &str)], args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut command = Command::new(env!("CARGO_BIN_EXE_cairn"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written apart: cairn may refuse before reading it all.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Files refused for what they are, and `-` (standard input) given twice.
#[test]
fn files_refused_for_what_they_are() {
    let dir = scratch("kinds");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let policy = format!("{RELEASE}/policy.cairn");
    let bundle = format!("{RELEASE}/bundles/pass.intoto.jsonl");
    let mut cases = vec![
        ("E290-stdin-twice", vec!["check", "-", "-"]),
        (
            "E290-stdin-twice-verify",
            vec!["verify", "-", "--bundle", "-", "--time", NOW],
        ),
        ("E400-policy-directory", vec!["compile", RELEASE]),
        ("E292-no-policy-in-directory", vec!["check", "empty"]),
        ("E291-no-such-man-page", vec!["man", "verfy"]),
        ("E400-policy-device", vec!["check", "/dev/null"]),
        (
            "E300-bundle-device",
            vec!["verify", &policy, "--bundle", "/dev/null", "--time", NOW],
        ),
        (
            "E440-artifact-directory",
            vec![
                "verify",
                &policy,
                "--bundle",
                &bundle,
                "--artifact",
                RELEASE,
                "--time",
                NOW,
            ],
        ),
    ];
    #[cfg(unix)]
    {
        let made = Command::new("mkfifo")
            .arg(dir.join(RELEASE).join("fifo"))
            .status()
            .unwrap();
        assert!(made.success());
        let text = std::fs::read_to_string(dir.join(&policy)).unwrap();
        let keyed = text.replace("file \"keys/ci.pub\"", "file \"fifo\"");
        assert_ne!(text, keyed);
        std::fs::write(dir.join(RELEASE).join("fifo-key.cairn"), keyed).unwrap();
        cases.push((
            "E400-policy-fifo-without-writer",
            vec!["check", "release/fifo"],
        ));
        cases.push((
            "E212-key-file-fifo",
            vec!["check", "release/fifo-key.cairn"],
        ));
    }
    snapshot_all(&dir, &cases);
    // Standard input over the file limit.
    let pass = std::fs::read(dir.join(&bundle)).unwrap();
    let out = cairn_stdin(
        &dir,
        &[("CAIRN_MAX_FILE_BYTES", "1KiB")],
        &["verify", &policy, "--bundle", "-", "--time", NOW],
        &pass,
    );
    insta::assert_snapshot!("E306-stdin-over-the-limit", shown(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_input_errors() {
    let dir = scratch("verify");
    let policy = format!("{RELEASE}/policy.cairn");
    let bundle = format!("{RELEASE}/bundles/pass.intoto.jsonl");
    std::fs::write(dir.join("odd.json"), "{\"a\": 1}\n").unwrap();
    // Sparse: refused by its size (over the 1 GiB default) before a byte is read.
    std::fs::File::create(dir.join("huge.intoto.jsonl"))
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    let verify = |more: &[&'static str]| {
        let mut args = vec!["verify", policy.as_str()];
        args.extend_from_slice(more);
        args
    };
    let with_bundle = |more: &[&'static str]| {
        let mut args = verify(&["--bundle"]);
        args.push(bundle.as_str());
        args.extend_from_slice(more);
        args
    };
    let cases = [
        (
            "E306-file-too-large",
            verify(&["--bundle", "huge.intoto.jsonl", "--time", NOW]),
        ),
        (
            "E309-unrecognised-document",
            verify(&["--bundle", "odd.json", "--time", NOW]),
        ),
        ("E451-verify-time", with_bundle(&["--time", "yesterday"])),
        ("E452-verify-param", with_bundle(&["--param", "x"])),
        ("E453-verify-subject", with_bundle(&["--subject", "abc"])),
        (
            "E458-vsa-needs-artifact",
            with_bundle(&["--vsa", "vsa.json"]),
        ),
        (
            "E530-compile-classic",
            vec!["compile", "--target", "in-toto", policy.as_str()],
        ),
    ];
    snapshot_all(&dir, &cases);
    assert!(!dir.join("vsa.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn classic_input_errors() {
    let dir = scratch("classic");
    let layout = "classic/root.layout";
    let owner = "classic/owner.pub";
    let link = "classic/build.5f7c6c21.link";
    let verify = ["verify", "--layout"];
    snapshot_all(
        &dir,
        &[
            (
                "E454-links-unreadable",
                [
                    &verify[..],
                    &[layout, "--layout-key", owner, "--links", "none"],
                ]
                .concat(),
            ),
            (
                "E455-not-a-layout",
                [
                    &verify[..],
                    &[link, "--layout-key", owner, "--links", CLASSIC],
                ]
                .concat(),
            ),
            (
                "E456-no-layout-key",
                [&verify[..], &[layout, "--links", CLASSIC]].concat(),
            ),
            (
                "E519-parameter-without-value",
                [
                    &verify[..],
                    &["params/root.layout", "--layout-key", "params/owner.pub"],
                    &["--links", PARAMS, "--param", "other=1"],
                ]
                .concat(),
            ),
            ("E541-import-not-a-layout", vec!["import", link]),
            (
                "E542-import-not-signed-by",
                vec![
                    "import",
                    layout,
                    "--layout-key",
                    owner,
                    "--layout-key",
                    "keys/alice.pub",
                ],
            ),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_inspection_without_a_command_stops_verification() {
    let dir = scratch("inspection");
    let layout = classic_layout(&dir, |signed| {
        signed["inspect"] = serde_json::json!([{
            "_type": "inspection",
            "name": "look",
            "run": [],
            "expected_materials": [],
            "expected_products": []
        }]);
    });
    std::fs::write(dir.join("layout.json"), layout).unwrap();
    let sign = [
        "sign",
        "--layout",
        "--key",
        ALICE,
        "layout.json",
        "-o",
        "root.layout",
    ];
    let out = cairn(&dir, &sign);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    std::fs::create_dir_all(dir.join("inspected")).unwrap();
    let out = cairn(
        &dir,
        &[
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            "keys/alice.pub",
            "--links",
            CLASSIC,
            "--run-inspections",
            "--inspection-dir",
            "inspected",
        ],
    );
    insta::assert_snapshot!("E442-inspection-without-command", shown(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn key_and_attest_errors() {
    let dir = scratch("attest");
    std::fs::write(dir.join("app.txt"), "app\n").unwrap();
    std::fs::write(dir.join("list.json"), "[1]\n").unwrap();
    std::fs::write(dir.join("empty.json"), "{}\n").unwrap();
    let attest = |kind: &'static str, predicate: &'static str, subject: &'static str| {
        let what = ["--predicate-type", kind, "--predicate", predicate];
        [
            &["attest"][..],
            &what,
            &["--subject", subject, "--key", ALICE],
        ]
        .concat()
    };
    let custom = "https://example.com/custom/v1";
    snapshot_all(
        &dir,
        &[
            (
                "E432-predicate-type",
                attest("provenance", "empty.json", "app.txt"),
            ),
            (
                "E433-predicate-not-object",
                attest(custom, "list.json", "app.txt"),
            ),
            (
                "E434-subject-name",
                attest(custom, "empty.json", "./app.txt"),
            ),
            ("E430-cannot-write", vec!["key", "gen", "-o", "none/k"]),
        ],
    );
    let out = cairn(&dir, &["key", "gen", "-o", "k"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let again = cairn(&dir, &["key", "gen", "-o", "k"]);
    insta::assert_snapshot!("E431-key-exists", shown(&again));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sign_layout_and_lint_errors() {
    let dir = scratch("sign");
    std::fs::write(dir.join("broken.json"), "{\"_type\": \"layout\",\n").unwrap();
    let float = classic_layout(&dir, |signed| {
        signed["steps"][0]["threshold"] = serde_json::json!(1.5);
    });
    std::fs::write(dir.join("float.json"), float).unwrap();
    let sign = |file| vec!["sign", "--layout", "--key", ALICE, file];
    let policy = "release/policy.cairn";
    snapshot_all(
        &dir,
        &[
            ("E460-sign-layout-not-json", sign("broken.json")),
            (
                "E461-sign-layout-no-layout",
                sign("classic/build.5f7c6c21.link"),
            ),
            ("E462-sign-layout-float", sign("float.json")),
            (
                "E463-lint-time",
                vec!["lint", "--time", "yesterday", policy],
            ),
            (
                "E464-lint-unknown-rule",
                vec!["lint", "--deny", "L999", policy],
            ),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Text from the input that a message quotes (a key, a payload type, a
/// `_type`) cannot write to the terminal: control characters are escaped.
#[test]
fn quoted_input_is_escaped() {
    use base64::Engine as _;
    let dir = scratch("escape");
    let statement = base64::engine::general_purpose::STANDARD
        .encode(r#"{"_type":"https://in-toto.io/Statement/v1\u001b[2J"}"#);
    let signatures = r#""signatures":[{"keyid":"a","sig":"AA=="}]"#;
    let files = [
        (
            "E303-duplicate-key-escaped",
            r#"{"payload":"e30=","payloadType":"x","signatures":[],"k\u001b[31m":1,"k\u001b[31m":2}"#
                .to_string(),
        ),
        (
            "E313-payload-type-escaped",
            format!(r#"{{"payload":"e30=","payloadType":"x\u001b[31m",{signatures}}}"#),
        ),
        (
            "E314-type-escaped",
            format!(
                r#"{{"payload":"{statement}","payloadType":"application/vnd.in-toto+json",{signatures}}}"#
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join("evidence.json"), text).unwrap();
        let args = [
            "verify",
            "release/policy.cairn",
            "--bundle",
            "evidence.json",
        ];
        let out = shown(&cairn(&dir, &[&args[..], &["--time", NOW]].concat()));
        assert!(!out.contains('\u{1b}'), "{out}");
        insta::assert_snapshot!(name, out);
    }
    // A layout's unknown member, and the source line shown under it.
    let layout = r#"{"signed":{"_type":"layout","expires":"2030-01-01T00:00:00Z","readme":"","keys":{},"steps":[],"inspect":[],"\u001b[31mRED\u202eevil":1},"signatures":[]}"#;
    std::fs::write(dir.join("member.layout"), layout).unwrap();
    for color in ["never", "always"] {
        let out = shown(&cairn(&dir, &["--color", color, "import", "member.layout"]));
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out}"
        );
        insta::assert_snapshot!(format!("E503-member-escaped-{color}"), out);
    }
    // The same member written with a raw U+202E: the source line itself
    // holds it, so the snippet is left out and the place given instead.
    let raw = layout.replace("\\u001b[31mRED\\u202e", "ab\u{202e}");
    std::fs::write(dir.join("raw.layout"), raw).unwrap();
    let out = shown(&cairn(&dir, &["import", "raw.layout"]));
    assert!(!out.contains('\u{202e}'), "{out}");
    insta::assert_snapshot!("E503-raw-bidi-in-source", out);
    std::fs::write(dir.join("layout.json"), r#"{"a\u001b": 1, "a\u001b": 2}"#).unwrap();
    let out = shown(&cairn(
        &dir,
        &["sign", "--layout", "--key", ALICE, "layout.json"],
    ));
    assert!(!out.contains('\u{1b}'), "{out}");
    insta::assert_snapshot!("E460-duplicate-key-escaped", out);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Errors no input should cause (each is a bug in cairn, or a failure of
/// the machine that tests cannot bring about), rendered as cairn would
/// print them.
#[test]
fn errors_only_a_bug_or_the_machine_causes() {
    use cairn_base::source::Span;
    use miette::{Diagnostic, NamedSource, Report};

    let text = "layout \"x\" {\n  step a { by k }\n}\n";
    let source = || NamedSource::new("policy.cairn", text.to_string());
    let render = |d: &dyn Diagnostic| cairn_base::diag::render(d, false);
    let cases: Vec<(&str, String)> = vec![
        (
            "E101-policy-text-too-large",
            render(
                Report::new(cairn_lang::syntax::SyntaxError::TooLarge {
                    size: 2 << 20,
                    limit: 1 << 20,
                    span: Span::new(0, 6),
                })
                .with_source_code(source())
                .as_ref(),
            ),
        ),
        (
            "E199-parser-internal",
            render(
                Report::new(cairn_lang::syntax::SyntaxError::Internal {
                    rule: "step_body".into(),
                    span: Span::new(14, 30),
                })
                .with_source_code(source())
                .as_ref(),
            ),
        ),
        (
            "E402-policy-unwritable",
            render(&cairn_lang::lower::IoError::Unwritable {
                path: "policy.cairn".into(),
                reason: "Read-only file system (os error 30)".into(),
            }),
        ),
        (
            // The command line asks for a policy or `--layout` first.
            "E450-nothing-to-verify",
            render(&cairn::InputError::NoPolicy),
        ),
        (
            "E457-policy-key-unusable",
            render(&cairn::InputError::Key {
                name: "ci".into(),
                reason: "the scheme `rsassa-pss-sha256` does not fit an ed25519 key".into(),
            }),
        ),
        (
            "E459-vsa-not-serialised",
            render(&cairn::JsonError("key must be a string".into())),
        ),
        (
            "E471-link-not-canonical",
            render(&cairn_record::RunError::Canonical {
                reason: "the number 1.5 at `$.environment.x` is not an integer".into(),
            }),
        ),
        (
            "E543-import-printed-source",
            render(&cairn_interop::ImportError::Printed {
                reason: "expected `}` at 3:1".into(),
            }),
        ),
    ];
    for (name, rendered) in cases {
        insta::assert_snapshot!(name, rendered);
    }
}

/// Every `code(E...)` in the sources appears in some snapshot of these
/// tests, so no diagnostic goes unseen; every snapshot's code is
/// documented.
#[test]
fn every_code_has_a_snapshot() {
    let mut snapshots = String::new();
    for entry in std::fs::read_dir(root().join("tests/it/snapshots")).unwrap() {
        snapshots.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let mut dirs = vec![root().join("src"), root().join("crates")];
    let mut codes = std::collections::BTreeSet::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("code(E").skip(1) {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                if digits.len() == 3 {
                    codes.insert(format!("E{digits}"));
                }
            }
        }
    }
    assert!(codes.len() > 100, "{codes:?}");
    let unseen: Vec<&String> = codes.iter().filter(|c| !snapshots.contains(*c)).collect();
    assert!(unseen.is_empty(), "no snapshot shows {unseen:?}");
    let undocumented: Vec<&String> = codes
        .iter()
        .filter(|c| !docs.contains(&format!("`{c}`")) && !docs.contains(&format!("### {c}")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "docs/diagnostics.md lacks {undocumented:?}"
    );
}

/// With standard error closed (its reader gone), cairn still exits with the
/// outcome's code: a failed verification 1, an unreadable policy 2.
#[test]
fn a_closed_stderr_changes_no_exit_code() {
    let dir = scratch("closed");
    let bundle = "release/bundles/failed-test.intoto.jsonl";
    let verify = ["verify", "release/policy.cairn", "--bundle", bundle];
    for (args, expected) in [
        ([&verify[..], &["--time", NOW]].concat(), 1),
        (vec!["check", "missing.cairn"], 2),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(&args)
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        assert_eq!(child.wait().unwrap().code(), Some(expected), "{args:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An error on a line too long to show (a minified layout, a generated
/// policy) is reported without its snippet, its place given in the message.
#[test]
fn an_error_on_a_very_long_line_is_shown_without_its_snippet() {
    let dir = scratch("long-line");
    let policy = format!("layout \"t\" {{{}oops }}\n", " ".repeat(70_000));
    std::fs::write(dir.join("long.cairn"), policy).unwrap();
    let layout = json_layout_with_long_readme();
    std::fs::write(dir.join("layout.json"), layout).unwrap();
    snapshot_all(
        &dir,
        &[
            ("E100-long-line", vec!["check", "long.cairn"]),
            ("E501-long-line", vec!["import", "layout.json"]),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A classic layout on one line, with a 70,000-character readme before an
/// error (a threshold written as a string).
fn json_layout_with_long_readme() -> String {
    serde_json::json!({
        "_type": "layout",
        "expires": "2030-01-01T00:00:00Z",
        "readme": "x".repeat(70_000),
        "keys": {},
        "steps": [{"_type": "step", "name": "s", "threshold": "1", "pubkeys": [],
                   "expected_command": [], "expected_materials": [], "expected_products": []}],
        "inspect": []
    })
    .to_string()
}

/// `cairn import` refuses a layout it cannot write as a policy that `cairn
/// check` accepts (E544): a step name that is not a cairn name, a control
/// character in a command (named with where it is; E552 in a YAML layout),
/// an inspection without a command, a YAML layout that breaks the
/// language's rules.
#[test]
fn import_refuses_what_no_policy_can_say() {
    let dir = scratch("untranslatable");
    let layout = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut signed: serde_json::Value =
            serde_json::from_str(&classic_layout(&dir, |_| {})).unwrap();
        change(&mut signed);
        signed.to_string()
    };
    let files = [
        (
            "name.json",
            layout(&|l| l["steps"][2]["name"] = "package.linux".into()),
        ),
        (
            "control.json",
            layout(&|l| {
                l["steps"][0]["expected_command"] = serde_json::json!(["printf", "\u{1b}[31m"])
            }),
        ),
        (
            "no-run.json",
            layout(&|l| {
                l["inspect"] = serde_json::json!([{"_type": "inspection", "name": "i", "run": [],
                    "expected_materials": [], "expected_products": []}]);
            }),
        ),
    ];
    for (file, text) in &files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let key = "e4ee5c5b7b5ac5e6744dd097a5c00dd92ec6fc37f73f14ad99ffa25a67e6f97f";
    let yaml = format!(
        "expires: \"2100-10-10T12:23:22Z\"\nfunctionaries:\n  {key}:\n    keyType: ed25519\n    scheme: ed25519\n    keyVal:\n      public: 12dfaa7caebd0f59d921f363542ff75cc1e02bbd6f21e4257b087016fe62478d\nsteps:\n  - name: a\n    expectedPredicates:\n      - predicateType: https://slsa.dev/provenance/v1\n        functionaries: [{key}]\n        threshold: 5\n  - name: a\n    expectedPredicates:\n      - predicateType: not a uri\n        functionaries: [{key}]\n"
    );
    std::fs::write(dir.join("rules.yaml"), yaml).unwrap();
    let control = format!(
        "expires: \"2100-10-10T12:23:22Z\"\nfunctionaries:\n  {key}:\n    keyType: ed25519\n    scheme: ed25519\n    keyVal:\n      public: 12dfaa7caebd0f59d921f363542ff75cc1e02bbd6f21e4257b087016fe62478d\nsteps:\n  - name: a\n    command: \"printf \\e[31m\"\n    expectedPredicates:\n      - predicateType: https://slsa.dev/provenance/v1\n        functionaries: [{key}]\n"
    );
    std::fs::write(dir.join("control.yaml"), control).unwrap();
    snapshot_all(
        &dir,
        &[
            ("E544-step-name", vec!["import", "name.json"]),
            ("E544-control-character", vec!["import", "control.json"]),
            ("E544-empty-run", vec!["import", "no-run.json"]),
            ("E544-language-rules", vec!["import", "rules.yaml"]),
            ("E552-control-character", vec!["import", "control.yaml"]),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A key file that starts with a byte-order mark, holds nothing, holds two
/// PEM blocks or a key object with a duplicate member is named as such
/// rather than as a bad character, length or encoding inside the key.
#[test]
fn key_files_that_hold_no_single_key() {
    let dir = scratch("key-text");
    let pem = std::fs::read_to_string(dir.join(RELEASE).join("keys/ci.pub")).unwrap();
    std::fs::write(dir.join("bom.pub"), format!("\u{feff}{pem}")).unwrap();
    std::fs::write(dir.join("empty.pub"), "\n").unwrap();
    std::fs::write(dir.join("two.pub"), format!("{pem}{pem}")).unwrap();
    let object = r#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"00"},"keyval":{}}"#;
    std::fs::write(dir.join("object.pub"), object).unwrap();
    let bundle =
        std::fs::read_to_string(dir.join(RELEASE).join("bundles/pass.intoto.jsonl")).unwrap();
    std::fs::write(dir.join("envelope.json"), bundle.lines().next().unwrap()).unwrap();
    snapshot_all(
        &dir,
        &[
            (
                "E316-key-byte-order-mark",
                vec!["verify-envelope", "envelope.json", "--key", "bom.pub"],
            ),
            (
                "E316-key-empty",
                vec!["verify-envelope", "envelope.json", "--key", "empty.pub"],
            ),
            ("E316-key-two-blocks", vec!["key", "id", "two.pub"]),
            ("E316-key-object-duplicate", vec!["key", "id", "object.pub"]),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

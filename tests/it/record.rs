//! `cairn run` end to end: the links it records verify with `cairn verify
//! --layout` against a layout that expects them (metablock and DSSE), what
//! it records and leaves out, its exit codes, and every message it can
//! print (snapshots).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cairn_evidence::SigningKey;
use serde_json::{json, Value};

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys")
}

fn signing_key(name: &str) -> SigningKey {
    SigningKey::from_pkcs8_pem(&std::fs::read_to_string(keys().join(name)).unwrap()).unwrap()
}

/// A scratch directory holding a small project: sources, a `.git`
/// directory, a compiled Python file and an old link (the last three left
/// out by in-toto's default excludes).
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cairn-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in [
        ("src/main.c", "int main(void) { return 0; }\n"),
        ("src/util/util.c", "int util;\n"),
        ("src/util/cache.pyc", "x"),
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("src/old.4f9a1b2c.link", "{}"),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

use super::cairn_in as run_in;

/// The exit code and stderr, with the scratch directory and the key
/// directory written as `[dir]` and `[keys]`.
fn shown(dir: &Path, out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr)
        .replace(dir.to_str().unwrap(), "[dir]")
        .replace(keys().to_str().unwrap(), "[keys]");
    format!("exit {:?}\n{stderr}", out.status.code())
}

fn alice() -> String {
    keys().join("alice").display().to_string()
}

fn link_file(dir: &Path, step: &str) -> PathBuf {
    let keyid = signing_key("alice").keyid();
    dir.join(format!("{step}.{}.link", &keyid[..8]))
}

/// Where `cairn record start` leaves alice's unfinished link of `step`.
fn unfinished_file(dir: &Path, step: &str) -> PathBuf {
    let link = link_file(dir, step);
    dir.join(format!(
        ".{}-unfinished",
        link.file_name().unwrap().to_string_lossy()
    ))
}

/// `cairn run -n build -s [extra] -- sh -c SCRIPT` started in `dir` with
/// alice's key, its stdout a pipe nobody reads yet.
fn spawn_run(dir: &Path, extra: &[&str], script: &str) -> std::process::Child {
    let alice = alice();
    let mut args = vec!["run", "-n", "build", "--key", &alice, "-s"];
    args.extend(extra);
    args.extend(["--", "sh", "-c", script]);
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// `before` and the rest of `child`'s stdout, once it has exited 0.
fn rest_of_output(mut child: std::process::Child, mut before: Vec<u8>) -> Vec<u8> {
    use std::io::Read as _;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut before)
        .unwrap();
    assert!(child.wait().unwrap().success());
    before
}

/// The length of the recorded stdout of `dir`'s metablock link of `build`.
fn recorded_stdout_len(dir: &Path) -> usize {
    let doc = read_json(&link_file(dir, "build"));
    doc["signed"]["byproducts"]["stdout"]
        .as_str()
        .unwrap()
        .len()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A classic layout with one step `build` by alice, signed by bob, written
/// as `root.layout` in `dir`.
fn layout(dir: &Path) {
    layout_with(dir, json!([]));
}

/// [`layout`] with these inspections.
fn layout_with(dir: &Path, inspect: Value) {
    let alice = signing_key("alice").public();
    let keyid = signing_key("alice").keyid();
    let layout = json!({
        "_type": "layout",
        "expires": "2030-01-01T00:00:00Z",
        "readme": "",
        "keys": { keyid.clone(): {
            "keyid_hash_algorithms": ["sha256", "sha512"],
            "keytype": alice.keytype(),
            "scheme": alice.default_scheme(),
            "keyval": { "public": alice.public_text() },
        }},
        "steps": [{
            "_type": "step",
            "name": "build",
            "pubkeys": [keyid],
            "threshold": 1,
            "expected_command": [],
            "expected_materials": [["ALLOW", "src/*"], ["DISALLOW", "*"]],
            "expected_products": [["CREATE", "app"], ["MATCH", "src/*", "WITH", "MATERIALS", "FROM", "build"], ["DISALLOW", "*"]],
        }],
        "inspect": inspect,
    });
    std::fs::write(dir.join("root.unsigned"), layout.to_string()).unwrap();
    let bob = keys().join("bob");
    let out = run_in(
        dir,
        &[
            "sign",
            "--layout",
            "--key",
            bob.to_str().unwrap(),
            "root.unsigned",
            "-o",
            "root.layout",
        ],
    );
    assert!(out.status.success(), "{out:?}");
}

fn verify(dir: &Path) -> Output {
    let bob = keys().join("bob.pub");
    run_in(
        dir,
        &[
            "verify",
            "--layout",
            "root.layout",
            "--layout-key",
            bob.to_str().unwrap(),
        ],
    )
}

#[test]
fn a_recorded_step_verifies_as_metablock_and_as_dsse() {
    for dsse in [false, true] {
        let dir = project(if dsse { "dsse" } else { "metablock" });
        layout(&dir);
        let alice = alice();
        let mut args = vec![
            "run", "-n", "build", "--key", &alice, "-m", "src", "-p", "src", "app", "-s",
        ];
        if dsse {
            args.push("--use-dsse");
        }
        args.extend(["--", "sh", "-c", "echo built > app; echo done"]);
        let out = run_in(&dir, &args);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
        let written = link_file(&dir, "build");
        let doc = read_json(&written);
        let link = if dsse {
            assert_eq!(doc["payloadType"], "application/vnd.in-toto+json");
            let payload =
                cairn_evidence::dsse::b64_decode(doc["payload"].as_str().unwrap()).unwrap();
            serde_json::from_slice(&payload).unwrap()
        } else {
            doc["signed"].clone()
        };
        let names = |list: &str| -> Vec<String> {
            link[list].as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(names("materials"), ["src/main.c", "src/util/util.c"]);
        assert_eq!(names("products"), ["app", "src/main.c", "src/util/util.c"]);
        use sha2::Digest as _;
        assert_eq!(
            link["products"]["app"]["sha256"],
            hex::encode(sha2::Sha256::digest(b"built\n"))
        );
        assert_eq!(link["byproducts"]["return-value"], 0);
        assert_eq!(link["byproducts"]["stdout"], "done\n");
        assert_eq!(
            link["command"],
            json!(["sh", "-c", "echo built > app; echo done"])
        );
        let out = verify(&dir);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
        // Recorded again with a product the layout does not allow: no longer fits.
        std::fs::write(dir.join("extra.txt"), "x").unwrap();
        let mut again = vec![
            "run",
            "-n",
            "build",
            "--key",
            &alice,
            "-m",
            "src",
            "-p",
            "app",
            "extra.txt",
            "-x",
        ];
        if dsse {
            again.push("--dsse");
        }
        let again = run_in(&dir, &again);
        assert_eq!(again.status.code(), Some(0), "{}", shown(&dir, &again));
        assert_eq!(verify(&dir).status.code(), Some(1));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Every message `cairn run` can print for bad input, a failing command or a
/// left-out path, rendered as the user sees it (snapshots), with its exit code.
#[cfg(unix)]
#[test]
fn run_messages() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = project("messages");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(dir.join("other")).unwrap();
    std::fs::write(dir.join("other/util.c"), "another util\n").unwrap();
    std::fs::write(dir.join("not-a-key"), "hello\n").unwrap();
    let alice = alice();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("E470-step-name", vec!["-n", "build/x", "-x"]),
        (
            "E444-parent-path",
            vec!["-n", "s01", "-m", "../src/main.c", "-x"],
        ),
        (
            "E445-prefixes-overlap",
            vec![
                "-n",
                "build",
                "-m",
                "../src",
                "--lstrip-paths",
                "../src/",
                "../src/util/",
                "-x",
            ],
        ),
        (
            "E446-one-name-two-files",
            vec![
                "-n",
                "build",
                "-m",
                "../src/util/util.c",
                "../other/util.c",
                "--lstrip-paths",
                "../src/util/",
                "../other/",
                "-x",
            ],
        ),
        (
            "E443-bad-exclude",
            vec!["-n", "s02", "-m", "../src", "--exclude", "!", "-x"],
        ),
        (
            "E449-timeout",
            vec!["-n", "s03", "--run-timeout", "1", "--", "sleep", "5"],
        ),
        (
            "E441-no-program",
            vec!["-n", "s04", "--", "no-such-program-for-cairn"],
        ),
        (
            "command-fails",
            vec!["-n", "s05", "--", "sh", "-c", "exit 3"],
        ),
        (
            "paths-left-out",
            vec!["-n", "s06", "-m", "gone", "../src/util/broken", "-x"],
        ),
        ("usage-no-command", vec!["-n", "s07", "-m", "../src"]),
        ("usage-command-and-x", vec!["-n", "s08", "-x", "--", "true"]),
        (
            "E440-base-path",
            vec!["-n", "s12", "--base-path", "missing", "-m", "a", "-x"],
        ),
        ("E474-too-much-output", vec!["-n", "s16", "-s", "--", "yes"]),
        (
            "output-not-utf8",
            vec!["-n", "s18", "-s", "--", "printf", "\\377x"],
        ),
        (
            "output-left-open",
            vec!["-n", "s19", "-s", "--", "sh", "-c", "echo hi; sleep 2 &"],
        ),
        (
            "verbose",
            vec![
                "-n",
                "s14",
                "--base-path",
                "..",
                "-m",
                "src",
                "gone",
                "-v",
                "-x",
            ],
        ),
        ("quiet", vec!["-n", "s15", "-m", "gone", "-q", "-x"]),
        (
            "E441-name-escaped",
            vec!["-n", "s13", "--", "no-such-\u{1b}[2J-program"],
        ),
    ];
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("src/util/broken")).unwrap();
    for (name, args) in cases {
        let mut all = vec!["run", "--key", alice.as_str()];
        all.extend(args);
        let out = run_in(&work, &all);
        insta::assert_snapshot!(name, shown(&dir, &out));
    }
    let out = run_in(
        &work,
        &[
            "run",
            "--key",
            "../no-such-\u{1b}[2J-key",
            "-n",
            "s17",
            "-x",
        ],
    );
    insta::assert_snapshot!("E300-key-escaped", shown(&dir, &out));
    // Cases that change the tree, one at a time.
    // Named relatively, so that the message wraps the same in any directory.
    let out = run_in(&work, &["run", "--key", "../not-a-key", "-n", "s09", "-x"]);
    insta::assert_snapshot!("bad-key", shown(&dir, &out));
    std::os::unix::fs::symlink("..", dir.join("src/util/up")).unwrap();
    let out = run_in(
        &work,
        &["run", "--key", &alice, "-n", "s10", "-m", "../src", "-x"],
    );
    insta::assert_snapshot!("E447-cycle", shown(&dir, &out));
    std::fs::remove_file(dir.join("src/util/up")).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(dir.join("src").join(latin1), "x").unwrap();
    let out = run_in(
        &work,
        &["run", "--key", &alice, "-n", "s11", "-m", "../src", "-x"],
    );
    insta::assert_snapshot!("E448-not-utf8", shown(&dir, &out));
    // Nothing was written by any of the failures (each used a step of its
    // own); the two that ran wrote their links.
    let mut written: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let expected: Vec<String> = ["s05", "s06", "s14", "s15", "s18", "s19"]
        .iter()
        .map(|step| {
            let link = link_file(&work, step);
            link.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(written, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn record start|stop`: the link holds the materials from `start` and
/// the products from `stop`, keeps the form `start` chose, verifies against
/// the layout, and the unfinished link is gone.
#[test]
fn a_step_recorded_in_two_commands_verifies() {
    for dsse in [false, true] {
        let dir = project(if dsse { "two-dsse" } else { "two" });
        layout(&dir);
        let alice = alice();
        let mut start = vec![
            "record", "start", "-n", "build", "--key", &alice, "-m", "src",
        ];
        if dsse {
            start.push("--use-dsse");
        }
        let out = run_in(&dir, &start);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
        let unfinished = unfinished_file(&dir, "build");
        assert!(unfinished.exists());
        std::fs::write(dir.join("app"), "built\n").unwrap();
        let out = run_in(
            &dir,
            &[
                "record", "stop", "-n", "build", "--key", &alice, "-p", "src", "app",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
        assert!(!unfinished.exists());
        let doc = read_json(&link_file(&dir, "build"));
        assert_eq!(doc.get("payloadType").is_some(), dsse);
        let out = verify(&dir);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// What `cairn record stop` says when there is nothing to finish, or when
/// the unfinished link was changed or made by another key (snapshots).
#[test]
fn record_stop_messages() {
    let dir = project("stop-messages");
    let alice = alice();
    let bob = keys().join("bob").display().to_string();
    let out = run_in(
        &dir,
        &[
            "record", "stop", "-n", "build", "--key", &alice, "-p", "src",
        ],
    );
    insta::assert_snapshot!("E472-not-started", shown(&dir, &out));
    let out = run_in(
        &dir,
        &[
            "record", "start", "-n", "build", "--key", &alice, "-m", "src",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    let unfinished = unfinished_file(&dir, "build");
    // Another file under alice's name, signed by bob.
    let name = unfinished
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let out = run_in(
        &dir,
        &["record", "start", "-n", "build", "--key", &bob, "-m", "src"],
    );
    assert_eq!(out.status.code(), Some(0));
    let bobs = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-unfinished") && !p.ends_with(&name))
        .unwrap();
    let original = std::fs::read(&unfinished).unwrap();
    std::fs::copy(&bobs, &unfinished).unwrap();
    let out = run_in(
        &dir,
        &[
            "record", "stop", "-n", "build", "--key", &alice, "-p", "src",
        ],
    );
    insta::assert_snapshot!("E473-other-key", shown(&dir, &out));
    // A material changed after signing.
    let text = String::from_utf8(original)
        .unwrap()
        .replace("src/main.c", "src/evil.c");
    std::fs::write(&unfinished, text).unwrap();
    let out = run_in(
        &dir,
        &[
            "record", "stop", "-n", "build", "--key", &alice, "-p", "src",
        ],
    );
    insta::assert_snapshot!("E473-changed", shown(&dir, &out));
    // The link as a DSSE payload of another type.
    let link = r#"{"_type":"link","name":"build","materials":{},"products":{},"command":[],"byproducts":{},"environment":{}}"#;
    std::fs::write(dir.join("payload.json"), link).unwrap();
    let out = run_in(
        &dir,
        &[
            "sign",
            "--key",
            &alice,
            "--payload-type",
            "text/plain",
            "payload.json",
            "-o",
            unfinished.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    let out = run_in(
        &dir,
        &[
            "record", "stop", "-n", "build", "--key", &alice, "-p", "src",
        ],
    );
    insta::assert_snapshot!("E473-payload-type", shown(&dir, &out));
    assert!(!link_file(&dir, "build").exists());
    // The link's name is taken by a directory: said so, and the unfinished
    // link is kept for another try.
    let out = run_in(
        &dir,
        &[
            "record", "start", "-n", "pack", "--key", &alice, "-m", "src",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    std::fs::create_dir(link_file(&dir, "pack")).unwrap();
    let out = run_in(
        &dir,
        &["record", "stop", "-n", "pack", "--key", &alice, "-p", "src"],
    );
    insta::assert_snapshot!("E430-link-is-a-directory", shown(&dir, &out));
    assert!(unfinished_file(&dir, "pack").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cairn record start --help` speaks of no command: `record` runs none.
#[test]
fn record_start_help() {
    let out = run_in(&std::env::temp_dir(), &["record", "start", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(!help.contains("command"), "{help}");
    insta::assert_snapshot!("record-start-help", help);
}

/// A file to hash that is a directory is refused as one (E440), not as a
/// file that could not be read.
#[test]
fn a_directory_is_not_hashed_as_a_file() {
    let dir = project("hash-directory");
    std::fs::write(dir.join("predicate.json"), "{}").unwrap();
    let out = run_in(
        &dir,
        &[
            "attest",
            "--predicate-type",
            "https://example.com/p/v1",
            "--predicate",
            "predicate.json",
            "--subject",
            "src",
            "--key",
            &alice(),
            "-o",
            "out.jsonl",
        ],
    );
    insta::assert_snapshot!("E440-subject-is-a-directory", shown(&dir, &out));
    assert!(!dir.join("out.jsonl").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An inspection that runs past `--inspection-timeout` stops verification
/// (E449); with a longer limit it runs to its end.
#[test]
fn inspections_have_a_time_limit() {
    let dir = project("inspection-timeout");
    layout_with(
        &dir,
        json!([{
            "_type": "inspection",
            "name": "slow",
            "run": ["sleep", "2"],
            "expected_materials": [],
            "expected_products": [],
        }]),
    );
    let alice = alice();
    let out = run_in(
        &dir,
        &[
            "run",
            "-n",
            "build",
            "--key",
            &alice,
            "-m",
            "src",
            "-p",
            "src",
            "app",
            "--",
            "sh",
            "-c",
            "echo built > app",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    let bob = keys().join("bob.pub");
    let verify_with = |limit: &str| {
        run_in(
            &dir,
            &[
                "verify",
                "--layout",
                "root.layout",
                "--layout-key",
                bob.to_str().unwrap(),
                "--run-inspections",
                "--inspection-timeout",
                limit,
            ],
        )
    };
    let out = verify_with("1");
    insta::assert_snapshot!("E449-inspection", shown(&dir, &out));
    let out = verify_with("0");
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With `-s`, what the command wrote is recorded whole even when whoever
/// reads cairn's output is slow, and shown whole too.
#[test]
fn recorded_output_does_not_wait_for_the_reader() {
    use std::io::Read as _;
    let dir = project("slow-reader");
    let mut child = spawn_run(&dir, &[], "head -c 200000 /dev/zero | tr '\\0' a");
    // The reader takes a part, then pauses: the command ends meanwhile
    // (the rest fits in the pipes), and recording must not stop at what
    // had been shown by then.
    let mut out = child.stdout.take().unwrap();
    let mut shown = vec![0u8; 100_000];
    out.read_exact(&mut shown).unwrap();
    child.stdout = Some(out);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let shown = rest_of_output(child, shown);
    assert_eq!(shown.len(), 200_000);
    assert_eq!(recorded_stdout_len(&dir), 200_000);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The link is written as soon as the command is done, whoever reads cairn's
/// output and however slowly; the output is then shown to the end.
#[test]
fn the_link_does_not_wait_for_the_output_to_be_read() {
    let dir = project("unread");
    let child = spawn_run(&dir, &["--run-timeout", "2"], "head -c 1000000 /dev/zero");
    let link = link_file(&dir, "build");
    let started = std::time::Instant::now();
    while !link.exists() && started.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(link.exists(), "no link while the output is unread");
    // Past the time limit the command was given, still nobody reads: no E449.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let shown = rest_of_output(child, Vec::new());
    assert_eq!(shown.len(), 1_000_000);
    assert_eq!(recorded_stdout_len(&dir), 1_000_000);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `record stop` writes every member of a link back, as read and checked,
/// and refuses a started link holding a number it could not write back.
#[test]
fn record_stop_writes_what_it_checked() {
    let dir = project("stop-checked");
    let alice = alice();
    let unfinished = unfinished_file(&dir, "build");
    let sign = |payload: &str| {
        std::fs::write(dir.join("payload.json"), payload).unwrap();
        let out = run_in(
            &dir,
            &[
                "sign",
                "--key",
                &alice,
                "payload.json",
                "-o",
                unfinished.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    };
    let stop = || {
        run_in(
            &dir,
            &[
                "record",
                "stop",
                "-n",
                "build",
                "--key",
                &alice,
                "-p",
                "src/main.c",
            ],
        )
    };
    sign(
        r#"{"_type":"link","name":"build","materials":{},"products":{},"byproducts":{"n":123456789012345678901234567890}}"#,
    );
    let out = stop();
    insta::assert_snapshot!("E473-big-number", shown(&dir, &out));
    // Without the members in-toto may leave out (`command`, `byproducts`,
    // `environment`): written back with them.
    sign(r#"{"_type":"link","name":"build","materials":{},"products":{}}"#);
    let out = stop();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&dir, &out));
    let doc = read_json(&link_file(&dir, "build"));
    let payload = cairn_evidence::dsse::b64_decode(doc["payload"].as_str().unwrap()).unwrap();
    let link: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(
        link,
        json!({
            "_type": "link", "name": "build", "command": [], "byproducts": {}, "environment": {},
            "materials": {},
            "products": {"src/main.c": {"sha256": link["products"]["src/main.c"]["sha256"]}},
        })
    );
    assert!(link["products"]["src/main.c"]["sha256"].is_string());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Output left open by a background process: what was recorded is shown,
/// all of it, and no more; output past the limit written after the command
/// ended is still refused (E474).
#[test]
fn output_from_the_background_is_bounded() {
    let dir = project("background");
    let alice = alice();
    let child = spawn_run(&dir, &[], "seq 1 200000; sleep 3 &");
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let seen = rest_of_output(child, Vec::new());
    assert_eq!(seen.len(), recorded_stdout_len(&dir));
    assert_eq!(seen.len(), 1_288_895);
    let late = [
        "run",
        "-n",
        "late",
        "--key",
        &alice,
        "-s",
        "--",
        "sh",
        "-c",
        "(sleep 0.1; head -c 40000000 /dev/zero) &",
    ];
    let out = run_in(&dir, &late);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&dir, &out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E474"));
    assert!(!link_file(&dir, "late").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `cairn run` against `in-toto-run` 3.1.0: on the same tree with the same
//! flags both record the same names and digests, and `in-toto-verify`
//! accepts what cairn recorded (metablock and DSSE).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

use super::{cairn, root, temp_dir};

fn venv(tool: &str) -> PathBuf {
    let path = root().join(".venv/bin").join(tool);
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup-intoto.sh first",
        path.display()
    );
    path
}

fn key(name: &str) -> String {
    root().join("tests/keys").join(name).display().to_string()
}

fn output_in(dir: &Path, program: &Path, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A tree with what recording has to get right: nesting, names with
/// spaces and non-ASCII letters, an empty file, files and directories
/// reached through symbolic links, a broken link, and files in-toto's
/// default excludes leave out (`.git`, `*.pyc`, `*.link*`, `*~`).
fn tree(name: &str) -> PathBuf {
    let dir = temp_dir(&format!("record-{name}"));
    for (file, text) in [
        ("src/main.c", "int main(void) { return 0; }\n"),
        ("src/lib/util.c", "int util;\n"),
        ("src/lib/a b.txt", "space\n"),
        ("src/lib/résumé.md", "accents\n"),
        ("src/empty", ""),
        ("src/cache.pyc", "x"),
        ("src/notes.txt~", "x"),
        ("src/old.12345678.link", "{}"),
        ("src/.git/HEAD", "x"),
        ("docs/guide.md", "guide\n"),
        ("docs/build/out.html", "<p>\n"),
    ] {
        let path = dir.join("work").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let work = dir.join("work");
    std::os::unix::fs::symlink(work.join("docs"), work.join("src/docs-link")).unwrap();
    std::os::unix::fs::symlink(work.join("docs/guide.md"), work.join("src/guide.md")).unwrap();
    std::os::unix::fs::symlink(work.join("nowhere"), work.join("src/broken")).unwrap();
    dir
}

/// The one link file in `dir`, parsed, and its link (from a metablock or a
/// DSSE envelope).
fn the_link(dir: &Path) -> Value {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    if let Some(payload) = doc["payload"].as_str() {
        let bytes = cairn_evidence::dsse::b64_decode(payload).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    } else {
        doc["signed"].clone()
    }
}

#[test]
fn cairn_run_records_what_in_toto_run_records() {
    let flag_sets: Vec<Vec<&str>> = vec![
        vec!["-m", ".", "-p", "src", "docs/guide.md"],
        vec![
            "-m",
            "./src/../src",
            "docs/",
            "--exclude",
            "*.md",
            "build/",
            "!docs/build",
        ],
        vec![
            "-m",
            "src",
            "--exclude",
            "lib",
            "-p",
            "docs",
            "--lstrip-paths",
            "src/",
            "docs/",
        ],
        vec!["-m", "lib", "main.c", "missing", "--base-path", "src"],
        vec!["-m", "src/**/*.c", "src", "--exclude", "**/lib/*", "?ocs"],
    ];
    let dir = tree("same");
    let work = dir.join("work");
    // A key both read (cairn's test keys carry their public half, which
    // `cryptography` refuses).
    let alice = dir.join("alice").display().to_string();
    cairn(&["key", "gen", "-o", &alice]);
    for (i, flags) in flag_sets.iter().enumerate() {
        let ours = dir.join(format!("cairn-{i}"));
        let theirs = dir.join(format!("in-toto-{i}"));
        std::fs::create_dir_all(&ours).unwrap();
        std::fs::create_dir_all(&theirs).unwrap();
        let mut args = vec![
            "run",
            "-n",
            "step",
            "--key",
            &alice,
            "-d",
            ours.to_str().unwrap(),
        ];
        args.extend(flags.iter().copied());
        args.extend(["--", "sh", "-c", "echo made > made.txt"]);
        output_in(&work, Path::new(env!("CARGO_BIN_EXE_cairn")), &args);
        // Each records the tree as it was before either ran.
        std::fs::remove_file(work.join("made.txt")).unwrap();
        let mut theirs_args = vec![
            "-n",
            "step",
            "--signing-key",
            &alice,
            "-d",
            theirs.to_str().unwrap(),
        ];
        theirs_args.extend(flags.iter().copied());
        theirs_args.extend(["--", "sh", "-c", "echo made > made.txt"]);
        output_in(&work, &venv("in-toto-run"), &theirs_args);
        let (a, b) = (the_link(&ours), the_link(&theirs));
        for list in ["materials", "products"] {
            assert_eq!(a[list], b[list], "{list} differ for {flags:?}");
        }
        assert_eq!(
            a["byproducts"]["return-value"],
            b["byproducts"]["return-value"]
        );
        assert_eq!(a["command"], b["command"]);
        std::fs::remove_file(work.join("made.txt")).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn in_toto_verify_accepts_links_cairn_run_records() {
    for dsse in [false, true] {
        let dir = tree(if dsse { "verify-dsse" } else { "verify" });
        let work = dir.join("work");
        let alice = key("alice");
        let signer = cairn_evidence::SigningKey::from_pkcs8_pem(
            &std::fs::read_to_string(key("alice")).unwrap(),
        )
        .unwrap();
        let public = signer.public();
        let keyid = signer.keyid();
        let layout = json!({
            "_type": "layout",
            "expires": "2030-01-01T00:00:00Z",
            "readme": "",
            "keys": { keyid.clone(): {
                "keyid": keyid,
                "keyid_hash_algorithms": ["sha256", "sha512"],
                "keytype": public.keytype(),
                "scheme": public.default_scheme(),
                "keyval": { "public": public.public_text() },
            }},
            "steps": [{
                "_type": "step",
                "name": "build",
                "pubkeys": [keyid],
                "threshold": 1,
                "expected_command": ["sh", "-c", "cat src/main.c > app"],
                "expected_materials": [["ALLOW", "src/*"], ["DISALLOW", "*"]],
                "expected_products": [["CREATE", "app"], ["DISALLOW", "*"]],
            }],
            "inspect": [],
        });
        std::fs::write(work.join("root.unsigned"), layout.to_string()).unwrap();
        let unsigned = work.join("root.unsigned").display().to_string();
        let signed = work.join("root.layout").display().to_string();
        cairn(&[
            "sign",
            "--layout",
            "--key",
            &key("bob"),
            &unsigned,
            "-o",
            &signed,
        ]);
        std::fs::remove_file(work.join("root.unsigned")).unwrap();
        let mut args = vec![
            "run", "-n", "build", "--key", &alice, "-m", "src", "-p", "app",
        ];
        if dsse {
            args.push("--use-dsse");
        }
        args.extend(["--", "sh", "-c", "cat src/main.c > app"]);
        output_in(&work, Path::new(env!("CARGO_BIN_EXE_cairn")), &args);
        let verify = Command::new(venv("in-toto-verify"))
            .args([
                "--layout",
                "root.layout",
                "--verification-keys",
                &key("bob.pub"),
            ])
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "in-toto-verify refused the link cairn recorded (dsse: {dsse}): {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A step started by one recorder and stopped by the other: each accepts the
/// other's unfinished link (the signature checked with the same key) and
/// writes the link both would.
#[test]
fn record_start_and_stop_across_recorders() {
    let dir = tree("start-stop");
    let work = dir.join("work");
    let key = dir.join("key").display().to_string();
    cairn(&["key", "gen", "-o", &key]);
    let ours = Path::new(env!("CARGO_BIN_EXE_cairn"));
    let theirs = venv("in-toto-record");
    for dsse in [false, true] {
        for cairn_starts in [true, false] {
            let out = dir.join(format!("out-{dsse}-{cairn_starts}"));
            std::fs::create_dir_all(&out).unwrap();
            let mut start = vec!["start", "-n", "edit", "--signing-key", &key, "-m", "src"];
            if dsse {
                start.push("--use-dsse");
            }
            let stop = [
                "stop",
                "-n",
                "edit",
                "--signing-key",
                &key,
                "-p",
                "docs",
                "-d",
                out.to_str().unwrap(),
            ];
            if cairn_starts {
                let mut args = vec!["record"];
                args.extend(start);
                output_in(&work, ours, &args);
                output_in(&work, &theirs, &stop);
            } else {
                output_in(&work, &theirs, &start);
                let mut args = vec!["record"];
                args.extend(stop);
                output_in(&work, ours, &args);
            }
            let link = the_link(&out);
            let names = |list: &str| -> Vec<String> {
                link[list].as_object().unwrap().keys().cloned().collect()
            };
            assert!(
                names("materials").contains(&"src/main.c".to_string()),
                "{link}"
            );
            assert_eq!(names("products"), ["docs/build/out.html", "docs/guide.md"]);
            let left: Vec<_> = std::fs::read_dir(&work)
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with("-unfinished"))
                .collect();
            assert!(left.is_empty(), "dsse {dsse}, cairn starts {cairn_starts}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

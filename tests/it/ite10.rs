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
        let parsed = cairn::syntax::parse(&source).unwrap();
        assert_eq!(cairn::syntax::fmt::format(&parsed, &source), source);
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

//! The language front end, driven by data: every `.cairn` file under
//! `tests/cases/{syntax,lower}/{ok,err}/` is a case, and every policy under
//! `policies/` must check clean and be formatted.

use std::path::Path;

use cairn_base::diag;
use cairn_lang::lower::{self, compile_source};
use cairn_lang::syntax;

/// The case's file name, as diagnostics show it (no machine-specific path).
fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The case's folder, relative to the crate root (key files are relative to it).
fn base_dir(path: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.parent()
        .unwrap()
        .strip_prefix(root)
        .unwrap()
        .to_path_buf()
}

fn render_errors(path: &Path, text: &str) -> String {
    match compile_source(&name(path), text, &base_dir(path)) {
        Ok(_) => panic!("{} compiled but is an error case", path.display()),
        Err(e) => e
            .reports
            .iter()
            .map(|r| diag::render(r.as_ref(), false))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn syntax_ok() {
    insta::glob!("../cases", "syntax/ok/*.cairn", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syntax::parse(&text).unwrap();
        let formatted = syntax::fmt::format(&parsed, &text);
        // The formatter is idempotent and keeps the meaning and every comment.
        let reparsed = syntax::parse(&formatted).unwrap();
        assert_eq!(reparsed, parsed);
        assert_eq!(syntax::format_source(&formatted).unwrap(), formatted);
        insta::assert_snapshot!(format!(
            "{}\n---- formatted ----\n{formatted}",
            syntax::dump(&parsed)
        ));
    });
}

#[test]
fn syntax_err() {
    insta::glob!("../cases", "syntax/err/*.cairn", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let codes = match compile_source(&name(path), &text, &base_dir(path)) {
            Ok(_) => panic!("{} compiled", path.display()),
            Err(e) => e.codes(),
        };
        assert!(
            codes.iter().all(|c| c.starts_with("E1")),
            "{}: {codes:?}",
            path.display()
        );
        insta::assert_snapshot!(render_errors(path, &text));
    });
}

#[test]
fn lower_ok() {
    insta::glob!("../cases", "lower/ok/*.cairn", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let layout = compile_source(&name(path), &text, &base_dir(path))
            .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e.codes()));
        let json = serde_json::to_string_pretty(&layout).unwrap();
        // The JSON reads back as the same IR.
        let back: cairn_lang::ir::Layout = serde_json::from_str(&json).unwrap();
        assert_eq!(back, layout);
        insta::assert_snapshot!("ir_json", json);
        insta::assert_snapshot!("dump_ir", lower::dump(&layout));
    });
}

#[test]
fn lower_err() {
    insta::glob!("../cases", "lower/err/*.cairn", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let codes = match compile_source(&name(path), &text, &base_dir(path)) {
            Ok(_) => panic!("{} compiled", path.display()),
            Err(e) => e.codes(),
        };
        assert!(
            codes.iter().all(|c| c.starts_with("E2")),
            "{}: {codes:?}",
            path.display()
        );
        insta::assert_snapshot!(render_errors(path, &text));
    });
}

#[test]
fn policies_check_clean_and_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let path = dir.join("policy.cairn");
        if !path.exists() {
            continue;
        }
        seen += 1;
        match lower::compile_file(&path) {
            Ok((file, _)) => {
                let formatted = syntax::format_source(&file.text).unwrap();
                assert_eq!(formatted, file.text, "{} is not formatted", path.display());
            }
            Err(lower::FileError::Io(e)) => panic!("{}: {e}", path.display()),
            Err(lower::FileError::Policy(_, e)) => {
                let text: Vec<String> = e
                    .reports
                    .iter()
                    .map(|r| diag::render(r.as_ref(), false))
                    .collect();
                panic!("{}:\n{}", path.display(), text.join("\n"));
            }
        }
        assert!(
            dir.join("README.md").exists(),
            "{} has no README",
            dir.display()
        );
    }
    assert!(seen >= 4, "only {seen} example policies");
}

#[test]
fn error_cases_are_plentiful() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let count = ["syntax/err", "lower/err"]
        .iter()
        .map(|d| std::fs::read_dir(root.join(d)).unwrap().count())
        .sum::<usize>();
    assert!(count >= 40, "{count} error cases");
}

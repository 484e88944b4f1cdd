//! Links as `in-toto-run` and `in-toto-record` write them: their names
//! (`<step>.<keyid8>.link`, `.<step>.<keyid8>.link-unfinished`), the checks
//! of a step name, signing (a classic metablock over securesystemslib
//! canonical JSON, or a DSSE envelope with `--use-dsse`), writing a link
//! whole or not at all, and finishing the link `cairn record start` began.

use std::path::{Path, PathBuf};

use cairn_evidence::canonical::to_canonical;
use cairn_evidence::document::Document;
use cairn_evidence::dsse::INTOTO_PAYLOAD_TYPE;
use cairn_evidence::parse::{content, Content};
use cairn_evidence::{
    sign_dsse, Artifacts, Limits, Link, Location, Scheme, SigningKey, TrustedKey,
};
use serde_json::{json, Value};

use crate::RunError;

/// The link of step `name`: the command it ran (empty for none), the
/// artifacts recorded before and after, the command's byproducts (`{}` for
/// none); the environment is left empty, as in-toto leaves it.
pub fn new_link(
    name: &str,
    command: &[String],
    materials: Artifacts,
    products: Artifacts,
    byproducts: Value,
) -> Link {
    Link {
        name: name.to_owned(),
        command: command.to_vec(),
        materials,
        products,
        byproducts,
        environment: json!({}),
    }
}

/// `<step>.<keyid8>.link`, as in-toto names links.
pub fn link_name(step: &str, key: &SigningKey) -> String {
    let keyid = key.keyid();
    format!("{step}.{}.link", keyid.get(..8).unwrap_or(&keyid))
}

/// `.<step>.<keyid8>.link-unfinished`, as `in-toto-record start` names it.
pub fn unfinished_name(step: &str, key: &SigningKey) -> String {
    format!(".{}-unfinished", link_name(step, key))
}

/// Refuses a step name that cannot start a file name (E470).
pub fn step_name_ok(name: &str) -> Result<(), RunError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it is `.` or `..`")
    } else if name.contains('/') || name.contains('\\') {
        Some("it contains a path separator")
    } else if name
        .chars()
        .any(|c| c.is_control() || cairn_base::escape::is_invisible_format(c))
    {
        Some("it contains a control or invisible format character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RunError::StepName {
            name: name.escape_debug().to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The exit status for a command's `return-value`: its own status, 128+N
/// when signal N ended it (as a shell says), 1 for anything else.
pub fn exit_status(code: i32) -> u8 {
    match code {
        0 => 0,
        1..=255 => u8::try_from(code).unwrap_or(1),
        // Ended by signal N: the shell's 128+N.
        _ if code < 0 => u8::try_from(128 + code.unsigned_abs().min(127)).unwrap_or(1),
        _ => 1,
    }
}

/// `link` signed with `key`, as the text of its file: a classic metablock
/// (the signature over canonical JSON of `signed`, hex-encoded), or with
/// `dsse` a DSSE envelope whose payload is the link as JSON, as
/// `in-toto-run --use-dsse` writes it. Pretty-printed, with a final newline.
pub fn link_text(link: &Link, key: &SigningKey, dsse: bool) -> Result<String, RunError> {
    let mut signed = serde_json::to_value(link).map_err(|e| RunError::Canonical {
        reason: e.to_string(),
    })?;
    if let Some(members) = signed.as_object_mut() {
        members.insert("_type".into(), json!("link"));
    }
    if dsse {
        dsse_text(&signed, key)
    } else {
        metablock_text(signed, key)
    }
}

/// Signs `link` with `key` as a metablock or a DSSE envelope
/// ([`link_text`]) and writes it whole as `file_name` in `dir` (the working
/// directory when `None`); returns the path written.
pub fn write_link(
    link: &Link,
    key: &SigningKey,
    dsse: bool,
    file_name: &str,
    dir: Option<&Path>,
) -> Result<PathBuf, RunError> {
    let text = link_text(link, key, dsse)?;
    let path = match dir {
        Some(dir) => dir.join(file_name),
        None => PathBuf::from(file_name),
    };
    write_whole(&path, &text)?;
    Ok(path)
}

fn metablock_text(signed: Value, key: &SigningKey) -> Result<String, RunError> {
    let canonical = to_canonical(&signed).map_err(|e| RunError::Canonical {
        reason: format!("the number `{}` at `{}`", e.number, e.path),
    })?;
    let block = json!({
        "signatures": [{ "keyid": key.keyid(), "sig": hex::encode(key.sign(&canonical)) }],
        "signed": signed,
    });
    pretty(&block)
}

fn dsse_text(signed: &Value, key: &SigningKey) -> Result<String, RunError> {
    let payload = serde_json::to_vec(signed).map_err(|e| RunError::Canonical {
        reason: e.to_string(),
    })?;
    pretty(&sign_dsse(INTOTO_PAYLOAD_TYPE, &payload, key).to_json())
}

fn pretty(value: &Value) -> Result<String, RunError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| RunError::Canonical {
        reason: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Writes `text` to `path` whole or not at all: to a temporary file beside
/// it, then renamed over it.
fn write_whole(path: &Path, text: &str) -> Result<(), RunError> {
    if path.is_dir() {
        return Err(RunError::IsDirectory {
            path: crate::shown(path),
        });
    }
    let err = |e: std::io::Error| RunError::Write {
        path: crate::shown(path),
        reason: e.to_string(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            err(e)
        })
}

/// The unfinished link of `step` signed by `key`, in the working directory
/// (E472 when `cairn record start` did not write it).
pub fn started_path(step: &str, key: &SigningKey) -> Result<PathBuf, RunError> {
    let started = PathBuf::from(unfinished_name(step, key));
    if started.exists() {
        Ok(started)
    } else {
        Err(RunError::NotStarted {
            file: crate::shown(&started),
            step: step.to_owned(),
        })
    }
}

/// An unfinished link, checked.
#[derive(Debug)]
pub struct Started {
    /// The link as `start` signed it (materials, no products).
    pub link: Link,
    /// Whether `start` wrote a DSSE envelope (the finished link keeps the form).
    pub dsse: bool,
}

/// Checks the unfinished link `doc` read from `file` (E473 when it fails):
/// `key` signed it, it holds a link of `step`, and the numbers of its
/// byproducts and environment are integers of at most 64 bits, which can be
/// written back as they were signed.
pub fn resume(
    doc: &Document,
    file: &Path,
    step: &str,
    key: &SigningKey,
    limits: &Limits,
) -> Result<Started, RunError> {
    let bad = |reason: String| RunError::BadStart {
        file: crate::shown(file),
        reason,
    };
    let public = key.public();
    let trusted = TrustedKey::new(public.clone(), Scheme::default_for(&public), "--key");
    if cairn_evidence::verify::check(doc, &[trusted])
        .signers
        .is_empty()
    {
        return Err(bad("the given key did not sign it".into()));
    }
    let dsse = matches!(doc, Document::Dsse(_));
    let at = Location::file(file.display().to_string());
    let link = match content(doc, &at, limits) {
        Ok(Content::Link(link)) => link,
        Ok(_) => return Err(bad("it does not hold a link".into())),
        Err(e) => return Err(bad(e.to_string())),
    };
    if link.name != step {
        return Err(bad(format!(
            "it is the link of another step, not of `{step}`"
        )));
    }
    for (field, value) in [
        ("$.byproducts", &link.byproducts),
        ("$.environment", &link.environment),
    ] {
        if let Some(path) = first_non_integer(value, field) {
            return Err(bad(format!(
                "the number at `{path}` is not an integer of at most 64 bits, which cairn cannot write back as it was signed"
            )));
        }
    }
    Ok(Started { link, dsse })
}

/// Removes the unfinished link once the link is written.
pub fn remove_started(file: &Path) -> Result<(), RunError> {
    std::fs::remove_file(file).map_err(|e| RunError::Write {
        path: crate::shown(file),
        reason: format!("the link was written, but the unfinished one could not be removed: {e}"),
    })
}

/// Where in `value` (whose path is `at`) the first number is that is not
/// an integer of at most 64 bits (it would not be written back as signed).
fn first_non_integer(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Some(at.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_non_integer(v, &format!("{at}[{i}]"))),
        Value::Object(members) => members
            .iter()
            .find_map(|(k, v)| first_non_integer(v, &format!("{at}[{}]", Value::from(k.as_str())))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn exit_status_follows_the_command() {
        assert_eq!(exit_status(0), 0);
        assert_eq!(exit_status(3), 3);
        assert_eq!(exit_status(255), 255);
        assert_eq!(exit_status(-9), 137);
        assert_eq!(exit_status(-15), 143);
        assert_eq!(exit_status(256), 1);
    }

    #[test]
    fn step_names_that_cannot_name_a_file_are_refused() {
        for bad in ["", ".", "..", "a/b", "a\\b", "a\nb", "a\u{200b}b"] {
            assert!(step_name_ok(bad).is_err(), "{bad:?}");
        }
        for good in ["build", "unit-tests", "v1.2_release"] {
            assert!(step_name_ok(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn names_carry_the_first_eight_digits_of_the_keyid() {
        let key = SigningKey::generate_ed25519();
        let keyid = key.keyid();
        let name = link_name("build", &key);
        assert_eq!(name, format!("build.{}.link", &keyid[..8]));
        assert_eq!(
            unfinished_name("build", &key),
            format!(".{name}-unfinished")
        );
    }

    #[test]
    fn non_integers_are_found_with_their_path() {
        let value = json!({"a": [1, {"b": 1.5}], "c": -3});
        assert_eq!(
            first_non_integer(&value, "$.byproducts").as_deref(),
            Some("$.byproducts[\"a\"][1][\"b\"]")
        );
        assert_eq!(first_non_integer(&json!({"n": u64::MAX}), "$"), None);
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cairn-link-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_written_link_verifies_and_resumes_in_both_forms() {
        let dir = scratch("forms");
        let key = SigningKey::generate_ed25519();
        let other = SigningKey::generate_ed25519();
        let link = new_link(
            "build",
            &["make".into()],
            Artifacts::new(),
            Artifacts::new(),
            json!({"return-value": 0}),
        );
        let limits = Limits::default();
        for dsse in [false, true] {
            let path =
                write_link(&link, &key, dsse, &link_name("build", &key), Some(&dir)).unwrap();
            let (doc, _) = cairn_evidence::load::read_signed_file(&path, &limits).unwrap();
            let started = resume(&doc, &path, "build", &key, &limits).unwrap();
            assert_eq!(started.dsse, dsse);
            assert_eq!(started.link.command, vec!["make".to_string()]);
            let e = resume(&doc, &path, "test", &key, &limits).unwrap_err();
            assert!(e.to_string().contains("another step"), "{e}");
            let e = resume(&doc, &path, "build", &other, &limits).unwrap_err();
            assert!(e.to_string().contains("did not sign"), "{e}");
            remove_started(&path).unwrap();
            assert!(!path.exists());
        }
        // A directory in the link's place is refused, and nothing is left behind.
        std::fs::create_dir(dir.join("taken.link")).unwrap();
        let e = write_link(&link, &key, false, "taken.link", Some(&dir)).unwrap_err();
        assert!(matches!(e, RunError::IsDirectory { .. }), "{e}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

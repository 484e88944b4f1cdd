//! Runs `cairn verify-bundle` on a folder of Sigstore verification cases
//! (`bundle.sigstore.json`, `trusted_root.json`, `artifact` or a digest,
//! `expected.json` with a verdict and a policy), with the flags each case's
//! policy stands for, once with the artifact file and once with its digest.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One run of one case.
pub struct Run {
    /// `group/case` and `(file)`/`(digest)`/`(also)`.
    pub label: String,
    /// PASS or FAIL.
    pub expected: String,
    /// cairn's exit status.
    pub exit: i32,
    /// The diagnostic code cairn printed first (`V145`, `E330`, ...), if any.
    pub code: String,
    /// stderr, for a failure message.
    pub stderr: String,
}

impl Run {
    /// Whether cairn agrees: PASS is exit 0; FAIL is exit 1 (refused) or 2
    /// (the input could not be read as a bundle, key or root at all).
    pub fn agrees(&self) -> bool {
        match self.expected.as_str() {
            "PASS" => self.exit == 0,
            _ => self.exit == 1 || self.exit == 2,
        }
    }
}

/// Every case folder below `root` (folders holding an `expected.json`), sorted.
pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("expected.json").is_file() {
            out.push(dir);
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                }
            }
        }
    }
    out.sort();
    out
}

/// gh and cosign match regexes unanchored; cairn anchors at both ends, so
/// an upstream regex `R` means `.*(?:R).*` here.
fn unanchored(re: &str) -> String {
    format!(".*(?:{re}).*")
}

/// The flags a case's policy stands for.
pub fn policy_flags(dir: &Path, policy: &Value) -> Vec<String> {
    let mut args = Vec::new();
    let s = |k: &str| policy.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(key) = s("key") {
        args.push("--key".into());
        args.push(dir.join(key).display().to_string());
        if let Some(w) = policy.get("key_valid_for") {
            if let Some(start) = w.get("start").and_then(Value::as_str) {
                args.extend(["--key-valid-from".into(), start.to_owned()]);
            }
            if let Some(end) = w.get("end").and_then(Value::as_str) {
                args.extend(["--key-valid-until".into(), end.to_owned()]);
            }
        }
        return args;
    }
    let mut san = false;
    if let Some(v) = s("identity").or_else(|| s("san")) {
        args.extend(["--certificate-identity".into(), v]);
        san = true;
    }
    if let Some(v) = s("san_regex") {
        args.extend(["--certificate-identity-regexp".into(), unanchored(&v)]);
        san = true;
    }
    let issuer = s("issuer");
    if let Some(v) = &issuer {
        args.extend(["--certificate-oidc-issuer".into(), v.clone()]);
    }
    for (key, flag) in [
        ("owner", "--owner"),
        ("repo", "--repo"),
        ("signer_repo", "--signer-repo"),
        ("signer_workflow", "--signer-workflow"),
        ("min_bundle_version", "--min-bundle-version"),
    ] {
        if let Some(v) = s(key) {
            args.extend([flag.into(), v]);
            if key != "min_bundle_version" {
                san = true;
            }
        }
    }
    // A crypto-only policy (upstream checks no identity): say so explicitly.
    if !san {
        args.extend(["--certificate-identity-regexp".into(), ".*".into()]);
    }
    if issuer.is_none() {
        args.extend(["--certificate-oidc-issuer-regexp".into(), ".*".into()]);
    }
    args
}

/// Runs every variant of the case in `dir` with the `cairn` binary at `cairn`.
pub fn run_case(cairn: &Path, dir: &Path, name: &str) -> Vec<Run> {
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let inputs = &expected["inputs"];
    let bundle = dir.join(inputs["bundle"].as_str().unwrap_or("bundle.sigstore.json"));
    let root = dir.join(
        inputs["trusted_root"]
            .as_str()
            .unwrap_or("trusted_root.json"),
    );
    // Upstream runs conformance cases with the file and with its digest;
    // the others with the file, or the digest where there is no file.
    // Cases of cairn's own instance (no `source`) run both ways too.
    let twice = expected["source"]["repo"].as_str() == Some("sigstore/sigstore-conformance")
        || expected.get("source").is_none();
    let mut artifacts = Vec::new();
    if let Some(a) = inputs["artifact"].as_str() {
        artifacts.push(("file", dir.join(a).display().to_string()));
    }
    // A message signature by an Ed25519 key is over the bytes themselves:
    // no verifier can check it from a digest, and the case says so.
    let digest_verifies = inputs["digest_verifies"].as_bool() != Some(false);
    if let Some(d) = inputs["artifact_digest"].as_str() {
        if (twice && digest_verifies) || artifacts.is_empty() {
            artifacts.push(("digest", d.to_owned()));
        }
    }
    let mut policies = vec![("", expected["policy"].clone(), expected["verdict"].clone())];
    if let Some(also) = expected.get("also") {
        policies.push((" also", also["policy"].clone(), also["verdict"].clone()));
    }
    let mut runs = Vec::new();
    for (which, policy, verdict) in &policies {
        for (kind, artifact) in &artifacts {
            let mut args: Vec<String> = vec![
                "verify-bundle".into(),
                "--bundle".into(),
                bundle.display().to_string(),
                "--trusted-root".into(),
                root.display().to_string(),
            ];
            args.extend(policy_flags(dir, policy));
            args.push(artifact.clone());
            let out = std::process::Command::new(cairn)
                .args(&args)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let code = first_code(&stderr);
            runs.push(Run {
                label: format!("{name} ({kind}{which})"),
                expected: verdict.as_str().unwrap_or("?").to_owned(),
                exit: out.status.code().unwrap_or(-1),
                code,
                stderr,
            });
        }
    }
    runs
}

/// The first diagnostic code (`[A-Z][0-9]{3}` inside `(`...`)` or after `×`).
fn first_code(text: &str) -> String {
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(3) {
        let w = &bytes[i..i + 4];
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_alphanumeric());
        if boundary
            && after
            && (w[0] == b'V' || w[0] == b'E')
            && w[1..].iter().all(u8::is_ascii_digit)
        {
            return String::from_utf8_lossy(w).into_owned();
        }
    }
    String::new()
}

/// Runs every case below `root`; returns the table (one line per run) and
/// the disagreements.
pub fn run_all(cairn: &Path, root: &Path) -> (String, Vec<String>) {
    let mut table = String::new();
    let mut bad = Vec::new();
    for dir in case_dirs(root) {
        let name = dir.strip_prefix(root).unwrap().display().to_string();
        for run in run_case(cairn, &dir, &name) {
            let mark = if run.agrees() { "ok" } else { "DISAGREES" };
            table.push_str(&format!(
                "{mark:<9} {:<4} exit {} {:<5} {}\n",
                run.expected, run.exit, run.code, run.label
            ));
            if !run.agrees() {
                bad.push(format!(
                    "{} expected {}, exit {}:\n{}",
                    run.label, run.expected, run.exit, run.stderr
                ));
            }
        }
    }
    (table, bad)
}

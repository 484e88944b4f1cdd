//! Embedding cairn: verify the release example through the public API, as a
//! CI runner, an admission webhook or a registry's event handler would.
//!
//! ```console
//! cargo run -p cairn --example embed
//! cargo run -p cairn --example embed -- policies/release/policy.cairn \
//!     policies/release/bundles/failed-test.intoto.jsonl \
//!     policies/release/artifacts/bin/foo-1.0 2026-06-01T00:00:00Z
//! ```
//!
//! Prints the verdict, each finding, and on success the VSA; exits 0 when
//! the policy is satisfied, 1 when it is not, 2 when it cannot tell.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    let mut path = |default: &str| -> PathBuf {
        args.next()
            .map_or_else(|| here.join(default), PathBuf::from)
    };
    let policy_path = path("policies/release/policy.cairn");
    let bundle = path("policies/release/bundles/pass.intoto.jsonl");
    let artifact = path("policies/release/artifacts/bin/foo-1.0");
    let time = args
        .next()
        .unwrap_or_else(|| "2026-06-01T00:00:00Z".to_string());

    // The policy is compiled once; a server would keep it and verify many
    // artifacts against it.
    let policy = match cairn::Policy::from_file(&policy_path) {
        Ok(policy) => policy,
        Err(e) => return stop(&e),
    };
    let Some(time) = cairn::parse_time(&time) else {
        eprintln!("not an RFC 3339 time: {time}");
        return ExitCode::from(2);
    };
    let mut options = cairn::Options::at(time);
    options.evidence = vec![bundle];
    options.artifact = Some(cairn::Artifact::File(artifact));

    let report = match cairn::verify(&policy, &options) {
        Ok(report) => report,
        Err(e) => return stop(&e),
    };
    for warning in report.warnings() {
        match warning {
            cairn::Warning::Diagnostic(d) => eprintln!("warning: {d}"),
            cairn::Warning::Note(note) => eprintln!("warning: {note}"),
        }
    }
    print!("{}", report.summary());
    for finding in &report.verdict().findings {
        println!(
            "  {} {}: {}",
            finding.code.as_str(),
            finding.step.as_deref().unwrap_or("-"),
            finding.message
        );
    }
    if !report.passed() {
        return ExitCode::from(1);
    }
    match report.vsa(&cairn::VsaOptions::default()) {
        Ok(vsa) => {
            print!("{vsa}");
            ExitCode::SUCCESS
        }
        Err(e) => stop(&e),
    }
}

/// No verdict: every diagnostic, rendered as `cairn` renders it.
fn stop(error: &cairn::Error) -> ExitCode {
    for d in error.diagnostics() {
        eprint!("{}", cairn::render(d.as_ref(), false));
    }
    ExitCode::from(if error.is_failure() { 1 } else { 2 })
}

//! What `cairn verify` writes: the result on stdout (human or JSON), the
//! findings on stderr, and the VSA file.

use std::path::Path;

use clap::ValueEnum;

use cairn::{Diagnostic as Stop, Report};

/// `--format` of `cairn verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The verdict and a line per step on stdout; findings rendered on stderr.
    Human,
    /// The JSON report (`docs/report.md`) on stdout; nothing on stderr but
    /// errors that stop cairn (the rendered findings with `--verbose`).
    Json,
    /// A Markdown summary for CI (`$GITHUB_STEP_SUMMARY`) on stdout; nothing
    /// on stderr but errors that stop cairn (findings with `--verbose`).
    Markdown,
}

/// Renders the findings on stderr: always for people (`--quiet` too: they
/// say why the answer is no), in a machine format only with `--verbose`.
pub fn print_findings(report: &Report, format: Format, color: bool) {
    if format == Format::Human || super::shell::chatty() {
        err!("{}", report.findings(color));
    }
}

/// The Markdown summary of `report`.
fn markdown(report: &Report) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&report.json(false)).unwrap_or(serde_json::Value::Null);
    super::markdown::verify(&value)
}

/// Prints the verdict: the result on stdout, the findings on stderr, each
/// with the line of the evidence file it concerns.
pub fn print(report: &Report, format: Format, color: bool) {
    match format {
        Format::Human => out!("{}", report.summary()),
        Format::Json => out!("{}", report.json(false)),
        Format::Markdown => out!("{}", markdown(report)),
    }
    print_findings(report, format, color);
}

/// For a verification stopped with exit 1 before a verdict (a layout its
/// owners did not sign): the result line, or a JSON report in the schema of
/// `docs/report.md` with no steps and the stopping diagnostics as findings.
pub fn print_early_failure(diagnostics: &[Stop], format: Format, now: Option<i64>) {
    match format {
        Format::Human => outln!("FAIL: the layout's signatures did not verify"),
        Format::Markdown => out!(
            "{}The layout's signatures did not verify.\n",
            super::markdown::heading("verify", false, "FAIL")
        ),
        Format::Json => {
            let findings: Vec<serde_json::Value> = diagnostics
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "code": d.code().map(|c| c.to_string()),
                        "severity": "deny",
                        "step": null,
                        "message": d.to_string(),
                        "location": null,
                        "label": null,
                        "attestation": null,
                        "artifact": null,
                        "expected": null,
                        "actual": null,
                        "help": d.help().map(|h| h.to_string()),
                    })
                })
                .collect();
            let value = serde_json::json!({
                "schemaVersion": cairn_eval::report::SCHEMA_VERSION,
                "layout": null,
                "verdict": "FAIL",
                "time": now,
                "counts": {"deny": findings.len(), "warn": 0},
                "steps": [],
                "inspections": [],
                "findings": findings,
                "inputAttestations": [],
                "ignoredAttestations": [],
                "rejectedAttestations": [],
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
}

/// Before verifying: refuses `--vsa` without an artifact (E458) and removes
/// a VSA left at the path by an earlier run, so that a run that stops before
/// a verdict (exit 2) never leaves an old PASSED VSA where a new one was
/// asked for.
pub fn prepare_vsa(path: Option<&Path>, artifact: bool) -> Result<(), Stop> {
    let Some(path) = path else {
        return Ok(());
    };
    if !artifact {
        return Err(Box::new(cairn::VsaError::NoArtifact));
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Box::new(super::keyio::CliError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })),
    }
}

/// Prints the result and the trail on stdout (as JSON with `--format json`,
/// the report with a `trace` member), the findings on stderr.
pub fn print_explained(report: &cairn::Report, format: Format, all: bool, color: bool) {
    match format {
        Format::Human => out!("{}\n{}", report.summary(), report.trail(all)),
        Format::Json => out!("{}", report.json(true)),
        Format::Markdown => out!("{}", markdown(report)),
    }
    print_findings(report, format, color);
}

//! What `cairn verify` writes: the result on stdout (human or JSON), the
//! findings on stderr, and the VSA file.

use std::path::Path;

use clap::ValueEnum;

use super::verify::{Artifact, Stop};
use super::verify_inputs::format_time;
use crate::eval::Verdict;
use crate::evidence::{self, Attestation, Verified};
use crate::ir::Layout;
use crate::report::{self, vsa};
use crate::source::SourceFile;

/// `--format` of `cairn verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The verdict and a line per step on stdout; findings rendered on stderr.
    Human,
    /// The JSON report (`docs/report.md`) on stdout; findings rendered on stderr.
    Json,
}

/// Prints the verdict: the result on stdout, the findings on stderr, each
/// with the line of the evidence file it concerns.
pub fn print_with_evidence(
    verdict: &Verdict,
    source: &SourceFile,
    evidence: &report::EvidenceFiles,
    format: Format,
    color: bool,
) {
    match format {
        Format::Human => out!("{}", report::summary(verdict)),
        Format::Json => out!("{}", report::json(verdict, Some(source))),
    }
    err!(
        "{}",
        report::findings_with_evidence(verdict, source, evidence, color)
    );
}

/// For a verification stopped with exit 1 before a verdict (a layout its
/// owners did not sign): the result line, or a JSON report in the schema of
/// `docs/report.md` with no steps and the stopping diagnostics as findings.
pub fn print_early_failure(diagnostics: &[Stop], format: Format, now: Option<i64>) {
    match format {
        Format::Human => outln!("FAIL: the layout's signatures did not verify"),
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
                "schemaVersion": report::SCHEMA_VERSION,
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

/// What the VSA needs from the command line.
pub struct VsaRequest<'a> {
    /// Where to write it.
    pub path: &'a Path,
    /// The private key to sign it with, if any.
    pub key: Option<&'a Path>,
    /// `--resource-uri`.
    pub resource_uri: Option<&'a str>,
    /// The policy as named on the command line.
    pub policy_uri: &'a str,
    /// sha256 of the policy bytes.
    pub policy_sha256: &'a str,
    /// The verified artifact.
    pub artifact: Option<&'a Artifact>,
    /// The evaluation clock.
    pub now: i64,
}

/// VSA errors.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum VsaError {
    /// A VSA needs a subject.
    #[error("a VSA needs the verified artifact")]
    #[diagnostic(
        code(E458),
        help("pass `--artifact FILE` or `--subject ALG:HEX` with `--vsa`")
    )]
    NoArtifact,
}

/// Before verifying: refuses `--vsa` without an artifact (E458) and removes
/// a VSA left at the path by an earlier run, so that a run that stops before
/// a verdict (exit 2) never leaves an old PASSED VSA where a new one was
/// asked for.
pub fn prepare_vsa(path: Option<&Path>, artifact: Option<&Artifact>) -> Result<(), Stop> {
    let Some(path) = path else {
        return Ok(());
    };
    if artifact.is_none() {
        return Err(Box::new(VsaError::NoArtifact));
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

/// The `verifier.id` of a VSA whose policy names no verifier.
const DEFAULT_VERIFIER: &str = "urn:cairn:verifier";

/// Builds the VSA for `verdict`, signs it when a key is given, writes it.
pub fn write_vsa(
    request: &VsaRequest<'_>,
    layout: &Layout,
    verdict: &Verdict,
    attestations: &[Verified<Attestation>],
) -> Result<(), Stop> {
    let inputs = verdict
        .used
        .iter()
        .filter_map(|&i| attestations.get(i))
        .map(|a| (a.value().origin.to_string(), a.value().sha256.clone()))
        .collect();
    let summary = layout.summary.as_ref();
    emit(
        request,
        inputs,
        verdict.passed(),
        summary.map(|s| s.levels.clone()).unwrap_or_default(),
        summary.map_or_else(|| DEFAULT_VERIFIER.to_string(), |s| s.verifier.clone()),
    )
}

/// For a verification that failed before a verdict (a classic layout its
/// owners did not sign): a FAILED VSA with no inputs. The layout's own
/// summary is not trusted, so the verifier is the default one.
pub fn write_failed_vsa(request: &VsaRequest<'_>) -> Result<(), Stop> {
    emit(
        request,
        Vec::new(),
        false,
        Vec::new(),
        DEFAULT_VERIFIER.to_string(),
    )
}

fn emit(
    request: &VsaRequest<'_>,
    inputs: Vec<(String, String)>,
    passed: bool,
    levels: Vec<String>,
    verifier_id: String,
) -> Result<(), Stop> {
    let Some((name, digest)) = request.artifact else {
        return Err(Box::new(VsaError::NoArtifact));
    };
    let input = vsa::VsaInput {
        artifact_name: name.clone(),
        artifact_digest: digest.clone(),
        resource_uri: request.resource_uri.unwrap_or(name).to_string(),
        policy_uri: request.policy_uri.to_string(),
        policy_sha256: request.policy_sha256.to_string(),
        inputs,
        passed,
        levels,
        verifier_id,
        time_verified: format_time(request.now),
    };
    let statement = vsa::statement(&input);
    let payload =
        serde_json::to_vec(&statement).map_err(|e| Box::new(JsonError(e.to_string())) as Stop)?;
    let text = match request.key {
        Some(key_path) => {
            let key = super::keyio::read_private_key(key_path).map_err(|e| Box::new(e) as Stop)?;
            let envelope = evidence::sign_dsse("application/vnd.in-toto+json", &payload, &key);
            envelope.to_line()
        }
        None => String::from_utf8_lossy(&payload).into_owned(),
    };
    let text = if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    };
    super::keyio::write_out(Some(request.path), &text, false).map_err(|e| Box::new(e) as Stop)
}

/// Serialising the VSA failed (cannot happen for the values built here).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot serialise the VSA: {0}")]
#[diagnostic(code(E459))]
pub struct JsonError(pub String);

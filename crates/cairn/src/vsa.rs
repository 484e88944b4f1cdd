//! The SLSA Verification Summary Attestation of a verification: a Statement
//! about the verified artifact, optionally signed as a DSSE envelope.

use cairn_eval::report::vsa;
use cairn_evidence::SigningKey;

use crate::error::Diagnostic;
use crate::inputs::format_time;

/// What a VSA says beyond the verdict.
#[derive(Debug, Clone, Default)]
pub struct VsaOptions<'a> {
    /// The private key to sign it with (a DSSE envelope); unsigned without.
    pub key: Option<&'a SigningKey>,
    /// The VSA's `resourceUri` (default: the artifact's name as given).
    pub resource_uri: Option<&'a str>,
    /// The policy's `uri` (default: the policy's file name as given).
    pub policy_uri: Option<&'a str>,
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

/// Serialising the VSA failed (cannot happen for the values built here).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot serialise the VSA: {0}")]
#[diagnostic(code(E459))]
pub struct JsonError(pub String);

/// The `verifier.id` of a VSA whose policy names no verifier.
pub(crate) const DEFAULT_VERIFIER: &str = "urn:cairn:verifier";

/// Everything a VSA is made of.
pub(crate) struct Parts<'a> {
    pub artifact: Option<&'a (String, cairn_evidence::DigestSet)>,
    pub policy_uri: &'a str,
    pub policy_sha256: &'a str,
    pub now: i64,
    pub inputs: Vec<(String, String)>,
    pub passed: bool,
    pub levels: Vec<String>,
    pub verifier_id: String,
}

/// The VSA as one line of text (a Statement, or a DSSE envelope when a key
/// is given), ending in a newline.
pub(crate) fn text(parts: Parts<'_>, options: &VsaOptions<'_>) -> Result<String, Diagnostic> {
    let Some((name, digest)) = parts.artifact else {
        return Err(Box::new(VsaError::NoArtifact));
    };
    let input = vsa::VsaInput {
        artifact_name: name.clone(),
        artifact_digest: digest.clone(),
        resource_uri: options.resource_uri.unwrap_or(name).to_string(),
        policy_uri: options.policy_uri.unwrap_or(parts.policy_uri).to_string(),
        policy_sha256: parts.policy_sha256.to_string(),
        inputs: parts.inputs,
        passed: parts.passed,
        levels: parts.levels,
        verifier_id: parts.verifier_id,
        time_verified: format_time(parts.now),
    };
    let statement = vsa::statement(&input);
    let payload = serde_json::to_vec(&statement)
        .map_err(|e| Box::new(JsonError(e.to_string())) as Diagnostic)?;
    let text = match options.key {
        Some(key) => {
            let envelope = cairn_evidence::sign_dsse("application/vnd.in-toto+json", &payload, key);
            envelope.to_line()
        }
        None => String::from_utf8_lossy(&payload).into_owned(),
    };
    Ok(if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    })
}

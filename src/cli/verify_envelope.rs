//! `cairn verify-envelope`: which of the given keys signed a DSSE envelope or
//! classic metablock. The payload is not interpreted.
//!
//! A file may hold several signed documents (a `.jsonl` bundle's lines,
//! npm's attestations document, gcloud's provenance output): each is checked
//! and reported. A Sigstore bundle's DSSE envelope (or message signature) is
//! checked against the given keys only; its certificate chain, log entries,
//! timestamps and identity are not, which the output says.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::key::Format;
use super::keyio::{read_public_key, report};
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn_evidence::error::{EvidenceError, Location};
use cairn_evidence::scheme::{verify_prehash, PrehashError};
use cairn_evidence::signed::{read_signed_entries, Signed, SignedEntry};
use cairn_evidence::verify::check;
use cairn_evidence::TrustedKey;

/// `cairn verify-envelope`.
#[derive(Debug, Args)]
pub struct VerifyEnvelopeArgs {
    /// A DSSE envelope (JSON), a classic `{signed, signatures}` metablock, a
    /// Sigstore bundle (signature only), a `.jsonl` bundle, npm's
    /// attestations document or gcloud's provenance output.
    file: PathBuf,
    /// Public key files (PEM, Ed25519 hex or securesystemslib JSON).
    #[arg(long, required = true, num_args = 1..)]
    key: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// What the signature check of one signed document found.
struct Checked {
    signers: Vec<usize>,
    failures: Vec<String>,
}

/// What is said once when any signed document came from a Sigstore bundle.
const SIGNATURE_ONLY: &str = "only the signature was checked against the given keys: the Sigstore bundle's certificate chain, transparency log entries, timestamps and signer identity were not (`cairn verify-bundle` checks them)";

/// Checks one signed document against `keys`.
fn check_entry(
    entry: &SignedEntry,
    keys: &[TrustedKey],
    at: &Location,
) -> Result<Checked, EvidenceError> {
    match &entry.signed {
        Signed::Document(doc) | Signed::BundleEnvelope(doc) => {
            let outcome = check(doc, keys);
            Ok(Checked {
                signers: outcome.signers,
                failures: outcome.failures,
            })
        }
        Signed::BundleMessage {
            algorithm,
            digest,
            sig,
        } => {
            let mut signers = Vec::new();
            let mut failures = Vec::new();
            let mut cannot = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                match verify_prehash(&key.key, algorithm, digest, sig) {
                    Ok(()) => signers.push(i),
                    Err(PrehashError::NotVerified(reason)) => failures.push(format!(
                        "message signature: {reason} with `{}`",
                        cairn_base::escape::escape(&key.label)
                    )),
                    Err(PrehashError::Cannot(reason)) => cannot.push((key, reason)),
                }
            }
            if signers.is_empty() && failures.is_empty() {
                if let Some((key, reason)) = cannot.first() {
                    let mut at = at.clone().with_field("$.messageSignature");
                    if let Some(entry) = &entry.entry {
                        at = at.with_field(format!("{entry}.messageSignature"));
                    }
                    return Err(EvidenceError::MessageSignature {
                        at,
                        key: key.label.clone(),
                        reason: reason.clone(),
                    });
                }
            }
            for (key, reason) in cannot {
                failures.push(format!(
                    "message signature: cannot be checked with `{}`: {reason}",
                    cairn_base::escape::escape(&key.label)
                ));
            }
            Ok(Checked { signers, failures })
        }
    }
}

/// Runs `cairn verify-envelope`: exit 0 when a given key verified a
/// signature (of at least one signed document in the file), 1 when none
/// did, 2 when the file or a key is malformed.
pub fn run(args: VerifyEnvelopeArgs, color: ColorChoice) -> ExitCode {
    let mut keys = Vec::new();
    for path in &args.key {
        match read_public_key(path) {
            Ok(k) => keys.push(k),
            Err(e) => {
                report(&e, color);
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let entries = match read_signed_entries(&args.file, &super::limits()) {
        Ok(r) => r,
        Err(e) => {
            report(&e, color);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let at = Location::file(args.file.display().to_string());
    let mut results = Vec::with_capacity(entries.len());
    for entry in &entries {
        for note in &entry.notes {
            report(note, color);
        }
        let mut here = at.clone();
        here.line = entry.line.map(cairn_evidence::error::small);
        match check_entry(entry, &keys, &here) {
            Ok(checked) => results.push(checked),
            Err(e) => {
                report(&e, color);
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let verified = results.iter().any(|r| !r.signers.is_empty());
    let bundle = entries.iter().any(|e| e.signed.in_bundle());
    let plain = matches!(entries.as_slice(), [one] if one.label().is_none() && !bundle);
    let signers_of = |r: &Checked| -> Vec<&TrustedKey> {
        r.signers.iter().filter_map(|&i| keys.get(i)).collect()
    };
    let single = if plain { results.first() } else { None };
    match (args.format, single) {
        (Format::Json, Some(r)) => {
            let value = serde_json::json!({
                "file": args.file.display().to_string(),
                "verified": verified,
                "signers": signers_of(r).iter().map(|k| serde_json::json!({
                    "key": k.label, "keyid": k.keyid(),
                })).collect::<Vec<_>>(),
                "failures": r.failures,
            });
            outln!("{value}");
        }
        (Format::Json, None) => {
            let documents: Vec<_> = entries
                .iter()
                .zip(&results)
                .map(|(e, r)| {
                    let kind = match e.signed {
                        Signed::Document(_) => "envelope",
                        Signed::BundleEnvelope(_) => "sigstore-dsse",
                        Signed::BundleMessage { .. } => "sigstore-message",
                    };
                    serde_json::json!({
                        "line": e.line,
                        "entry": e.entry,
                        "kind": kind,
                        "verified": !r.signers.is_empty(),
                        "signers": signers_of(r).iter().map(|k| serde_json::json!({
                            "key": k.label, "keyid": k.keyid(),
                        })).collect::<Vec<_>>(),
                        "failures": r.failures,
                    })
                })
                .collect();
            let mut value = serde_json::json!({
                "file": args.file.display().to_string(),
                "verified": verified,
                "documents": documents,
            });
            if let (true, Some(map)) = (bundle, value.as_object_mut()) {
                map.insert("not_checked".into(), serde_json::json!(SIGNATURE_ONLY));
            }
            outln!("{value}");
        }
        (Format::Human, _) => {
            for (entry, r) in entries.iter().zip(&results) {
                let prefix = entry.label().map(|l| format!("{l}: ")).unwrap_or_default();
                let message = match entry.signed {
                    Signed::BundleMessage { .. } => " (a message signature over the artifact digest the bundle states; no artifact was given, so that it has this digest was not checked)",
                    _ => "",
                };
                for k in signers_of(r) {
                    outln!(
                        "{prefix}verified: signed by `{}` (keyid {}){message}",
                        k.label,
                        k.keyid()
                    );
                }
                if r.signers.is_empty() {
                    match entry.label() {
                        None => outln!(
                            "not verified: no given key signed `{}`",
                            args.file.display()
                        ),
                        Some(_) => outln!("{prefix}not verified: no given key signed it"),
                    }
                    for f in &r.failures {
                        outln!("  {f}");
                    }
                }
            }
            if entries.len() > 1 {
                let n = results.iter().filter(|r| !r.signers.is_empty()).count();
                outln!(
                    "{n} of {} signed documents verified; exit 0 when at least one did (`cairn verify` with a policy decides which must)",
                    entries.len()
                );
            }
            if bundle {
                outln!("note: {SIGNATURE_ONLY}");
            }
        }
    }
    ExitCode::from(if verified { EXIT_OK } else { EXIT_NO })
}

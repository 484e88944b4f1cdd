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
use super::keyio::report;
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn::envelope::{read_public_key, verify_envelope, DocumentCheck, DocumentKind, NOT_CHECKED};

/// `cairn verify-envelope`.
#[derive(Debug, Args)]
pub struct VerifyEnvelopeArgs {
    /// A DSSE envelope (JSON), a classic `{signed, signatures}` metablock, a
    /// Sigstore bundle (signature only), a `.jsonl` bundle, npm's
    /// attestations document or gcloud's provenance output; `-` reads it
    /// from standard input.
    file: PathBuf,
    /// A public key file (PEM, Ed25519 hex or securesystemslib JSON);
    /// repeatable, one file each: `--key a.pub --key b.pub`.
    #[arg(long, required = true, value_name = "KEY")]
    key: Vec<PathBuf>,
    /// Output format: human, or json (one object on stdout,
    /// `docs/schemas/verify-envelope.schema.json`).
    #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
    format: Format,
}

/// Version of `cairn verify-envelope --format json`.
pub const JSON_VERSION: u32 = 1;

/// The paths that may be `-` (standard input): the file and the keys.
pub fn stdin_paths(args: &VerifyEnvelopeArgs) -> Vec<&std::path::Path> {
    std::iter::once(&args.file)
        .chain(&args.key)
        .map(PathBuf::as_path)
        .collect()
}

/// Runs `cairn verify-envelope`: exit 0 when a given key verified a
/// signature (of at least one signed document in the file), 1 when none
/// did, 2 when the file or a key is malformed.
pub fn run(args: VerifyEnvelopeArgs, color: ColorChoice) -> ExitCode {
    super::shell::set_machine(args.format == Format::Json);
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
    let checked = match verify_envelope(&args.file, &keys, &super::limits()) {
        Ok(r) => r,
        Err(e) => {
            for note in &e.notes {
                report(note, color);
            }
            report(e.error.as_ref(), color);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if super::shell::chatty() {
        for note in checked.documents.iter().flat_map(|d| &d.notes) {
            report(note, color);
        }
    }
    let verified = checked.verified();
    let bundle = checked.from_bundle();
    let documents = &checked.documents;
    let signers = |r: &DocumentCheck| -> Vec<serde_json::Value> {
        r.signers
            .iter()
            .map(|k| serde_json::json!({ "key": k.label, "keyid": k.keyid() }))
            .collect()
    };
    let single = checked.single();
    match (args.format, single) {
        (Format::Json, Some(r)) => {
            let value = serde_json::json!({
                "schemaVersion": JSON_VERSION,
                "file": cairn_base::files::display_name(&args.file),
                "verified": verified,
                "signers": signers(r),
                "failures": r.failures,
            });
            outln!("{value}");
        }
        (Format::Json, None) => {
            let documents: Vec<_> = documents
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "line": r.line,
                        "entry": r.entry,
                        "kind": r.kind.as_str(),
                        "verified": r.verified(),
                        "signers": signers(r),
                        "failures": r.failures,
                    })
                })
                .collect();
            let mut value = serde_json::json!({
                "schemaVersion": JSON_VERSION,
                "file": cairn_base::files::display_name(&args.file),
                "verified": verified,
                "documents": documents,
            });
            if let (true, Some(map)) = (bundle, value.as_object_mut()) {
                map.insert("notChecked".into(), serde_json::json!(NOT_CHECKED));
            }
            outln!("{value}");
        }
        (Format::Human, _) => {
            for r in documents {
                let prefix = r.label().map(|l| format!("{l}: ")).unwrap_or_default();
                let message = match r.kind {
                    DocumentKind::SigstoreMessage => " (a message signature over the artifact digest the bundle states; no artifact was given, so that it has this digest was not checked)",
                    _ => "",
                };
                for k in &r.signers {
                    outln!(
                        "{prefix}verified: signed by `{}` (keyid {}){message}",
                        k.label,
                        k.keyid()
                    );
                }
                if r.signers.is_empty() {
                    match r.label() {
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
            if documents.len() > 1 {
                let n = documents.iter().filter(|r| r.verified()).count();
                outln!(
                    "{n} of {} signed documents verified; exit 0 when at least one did (`cairn verify` with a policy decides which must)",
                    documents.len()
                );
            }
            if bundle {
                outln!("note: {NOT_CHECKED}");
            }
        }
    }
    ExitCode::from(if verified { EXIT_OK } else { EXIT_NO })
}

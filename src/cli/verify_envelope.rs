//! `cairn verify-envelope`: which of the given keys signed a DSSE envelope or
//! classic metablock. The payload is not interpreted.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::key::Format;
use super::keyio::{read_public_key, report};
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use crate::evidence::load::read_signed_file;
use crate::evidence::verify::check;

/// `cairn verify-envelope`.
#[derive(Debug, Args)]
pub struct VerifyEnvelopeArgs {
    /// A DSSE envelope (JSON) or a classic `{signed, signatures}` metablock.
    file: PathBuf,
    /// Public key files (PEM, Ed25519 hex or securesystemslib JSON).
    #[arg(long, required = true, num_args = 1..)]
    key: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Runs `cairn verify-envelope`: exit 0 when at least one key verified a
/// signature, 1 when none did, 2 when the file or a key is malformed.
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
    let (doc, notes) = match read_signed_file(&args.file, &super::limits()) {
        Ok(r) => r,
        Err(e) => {
            report(&e, color);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    for note in &notes {
        report(note, color);
    }
    let outcome = check(&doc, &keys);
    let signers: Vec<_> = outcome
        .signers
        .iter()
        .filter_map(|&i| keys.get(i))
        .collect();
    match args.format {
        Format::Json => {
            let value = serde_json::json!({
                "file": args.file.display().to_string(),
                "verified": !signers.is_empty(),
                "signers": signers.iter().map(|k| serde_json::json!({
                    "key": k.label, "keyid": k.keyid(),
                })).collect::<Vec<_>>(),
                "failures": outcome.failures,
            });
            outln!("{value}");
        }
        Format::Human => {
            for k in &signers {
                outln!("verified: signed by `{}` (keyid {})", k.label, k.keyid());
            }
            if signers.is_empty() {
                outln!(
                    "not verified: no given key signed `{}`",
                    args.file.display()
                );
                for f in &outcome.failures {
                    outln!("  {f}");
                }
            }
        }
    }
    ExitCode::from(if signers.is_empty() { EXIT_NO } else { EXIT_OK })
}

//! `cairn sign`: wrap any payload in a DSSE envelope signed with one key.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::keyio::{read_private_key, report, write_out};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_evidence::dsse::INTOTO_PAYLOAD_TYPE;
use cairn_evidence::load::read_bounded;
use cairn_evidence::sign_dsse;

/// `cairn sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The payload file, signed byte for byte (with `--layout`: a classic layout).
    file: PathBuf,
    /// Sign a classic in-toto layout as a metablock (canonical JSON, the key's
    /// keyid) instead of wrapping the file in a DSSE envelope.
    #[arg(long)]
    layout: bool,
    /// The signing key (unencrypted PKCS#8 PEM, Ed25519 or ECDSA on P-256, P-384 or P-521); `-` reads it from standard input.
    #[arg(long, env = "CAIRN_SIGNING_KEY")]
    key: PathBuf,
    /// The DSSE payload type (ignored with `--layout`).
    #[arg(long, default_value = INTOTO_PAYLOAD_TYPE)]
    payload_type: String,
    /// Where to write the envelope (JSON, one line) or metablock; standard output when absent.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// Runs `cairn sign`.
pub fn run(args: SignArgs, color: ColorChoice) -> ExitCode {
    let result = (|| -> Result<(), Box<dyn miette::Diagnostic + Send + Sync>> {
        let key = read_private_key(&args.key)?;
        if args.layout {
            let text = super::sign_layout::sign(&args.file, &key)?;
            write_out(args.output.as_deref(), &text, false)?;
            return Ok(());
        }
        let payload = read_bounded(&args.file, super::limits().max_file_bytes)?;
        let envelope = sign_dsse(&args.payload_type, &payload, &key);
        let mut text = envelope.to_line();
        text.push('\n');
        write_out(args.output.as_deref(), &text, false)?;
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

//! `cairn attest`: make a signed in-toto Statement v1 and append it to a bundle.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::keyio::{read_private_key, report, write_out, CliError};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_evidence::document::parse_json;
use cairn_evidence::dsse::INTOTO_PAYLOAD_TYPE;
use cairn_evidence::load::read_bounded;
use cairn_evidence::parse::STATEMENT_V1;
use cairn_evidence::{sign_dsse, Location};

/// `cairn attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The predicate type: a full URI or an alias such as `slsa-provenance/v1`.
    #[arg(long)]
    predicate_type: String,
    /// A file holding the predicate as one JSON object.
    #[arg(long)]
    predicate: PathBuf,
    /// Files the Statement is about: named by the path as given (a relative
    /// path without `.` or `..` components), with their sha256; repeatable,
    /// one file each: `--subject a --subject b`.
    #[arg(long, required = true, value_name = "FILE")]
    subject: Vec<PathBuf>,
    /// The signing key (unencrypted PKCS#8 PEM, Ed25519 or ECDSA on P-256, P-384 or P-521); `-` reads it from standard input.
    #[arg(long, env = "CAIRN_SIGNING_KEY")]
    key: PathBuf,
    /// The bundle (`.intoto.jsonl`) to append the signed envelope to, as one
    /// line; standard output when absent.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// Runs `cairn attest`.
pub fn run(args: AttestArgs, color: ColorChoice) -> ExitCode {
    match attest(&args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

type Boxed = Box<dyn miette::Diagnostic + Send + Sync>;

fn predicate_uri(given: &str) -> Result<String, CliError> {
    if let Some(known) = cairn_evidence::predicates::by_alias(given) {
        return Ok(known.uri.to_owned());
    }
    if given.contains("://") {
        return Ok(given.to_owned());
    }
    let aliases = cairn_evidence::predicates::KNOWN
        .iter()
        .map(|p| format!("`{}`", p.alias))
        .collect::<Vec<_>>()
        .join(", ");
    Err(CliError::PredicateType {
        given: given.to_owned(),
        aliases,
    })
}

fn attest(args: &AttestArgs) -> Result<(), Boxed> {
    let limits = super::limits();
    let predicate_type = predicate_uri(&args.predicate_type)?;
    let key = read_private_key(&args.key)?;
    let name = args.predicate.display().to_string();
    let bytes = read_bounded(&args.predicate, limits.max_file_bytes)?;
    let predicate = parse_json(&bytes, &Location::file(name.clone()), limits.max_depth)?;
    if !predicate.is_object() {
        return Err(Box::new(CliError::PredicateNotObject { path: name }));
    }
    let mut subjects = Vec::new();
    for path in &args.subject {
        let name = path.display().to_string();
        if let Some(reason) = cairn_evidence::names::artifact_name_problem(&name) {
            return Err(Box::new(CliError::SubjectName {
                path: cairn_base::escape::escape(&name),
                reason: reason.to_owned(),
            }));
        }
        // A regular file only: a FIFO or a device would never end.
        let digests = cairn_record::hash_file(path)?;
        subjects.push(serde_json::json!({
            "name": name,
            "digest": digests,
        }));
    }
    let statement = serde_json::json!({
        "_type": STATEMENT_V1,
        "subject": subjects,
        "predicateType": predicate_type,
        "predicate": predicate,
    });
    let payload = statement.to_string();
    let envelope = sign_dsse(INTOTO_PAYLOAD_TYPE, payload.as_bytes(), &key);
    let mut line = envelope.to_line();
    line.push('\n');
    if let Some(out) = &args.output {
        // Keep one envelope per line even if the bundle lacks a final newline.
        let needs_newline = std::fs::read(out)
            .map(|b| b.last().is_some_and(|&c| c != b'\n'))
            .unwrap_or(false);
        if needs_newline {
            line.insert(0, '\n');
        }
    }
    write_out(args.output.as_deref(), &line, true)?;
    Ok(())
}

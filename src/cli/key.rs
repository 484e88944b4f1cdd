//! `cairn key gen` and `cairn key id`: make a signing key, compute keyids.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::keyio::{read_public_key, report, CliError};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_evidence::keys::keyid;
use cairn_evidence::SigningKey;

/// `cairn key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Generate an Ed25519 signing key and print its keyid.
    ///
    /// Writes PREFIX (the private key, PKCS#8 PEM, mode 0600, never printed)
    /// and PREFIX.pub (the public key, PEM SubjectPublicKeyInfo).
    Gen {
        /// Path prefix of the two files; existing files are never overwritten.
        #[arg(short = 'o', long = "output", default_value = "cairn-key")]
        prefix: PathBuf,
    },
    /// Print the keyids of public keys by both securesystemslib formulas.
    ///
    /// KEY files hold a PEM public key (Ed25519, ECDSA P-256/P-384/P-521,
    /// RSA), 64 hex digits of an Ed25519 key, a securesystemslib JSON key
    /// object, 32 raw bytes of an Ed25519 key or a binary DER public key. For
    /// PEM keys the keyids of the text without its final newline (how
    /// in-toto-golang and older tools store it) are shown too.
    Id {
        /// Public key files; `-` reads one from standard input.
        #[arg(required = true)]
        keys: Vec<PathBuf>,
        /// Output format: human, or json (one object on stdout,
        /// `docs/schemas/key-id.schema.json`).
        #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
        format: Format,
    },
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Human,
    /// JSON for programs.
    Json,
}

/// Version of `cairn key id --format json`.
pub const JSON_VERSION: u32 = 1;

/// The paths of a `key` command that may be `-` (standard input).
pub fn stdin_paths(args: &KeyArgs) -> Vec<&std::path::Path> {
    match &args.command {
        KeyCommand::Id { keys, .. } => keys.iter().map(PathBuf::as_path).collect(),
        KeyCommand::Gen { .. } => Vec::new(),
    }
}

/// Runs `cairn key`.
pub fn run(args: KeyArgs, color: ColorChoice) -> ExitCode {
    match args.command {
        KeyCommand::Gen { prefix } => gen(prefix, color),
        KeyCommand::Id { keys, format } => id(&keys, format, color),
    }
}

fn gen(prefix: PathBuf, color: ColorChoice) -> ExitCode {
    let key = SigningKey::generate_ed25519();
    let public_path = PathBuf::from(format!("{}.pub", prefix.display()));
    let result = (|| -> Result<(), Box<dyn miette::Diagnostic + Send + Sync>> {
        for path in [&prefix, &public_path] {
            if path.exists() {
                return Err(Box::new(CliError::Exists {
                    path: path.display().to_string(),
                }));
            }
        }
        let private = key
            .to_pkcs8_pem()
            .map_err(|e| write_err(&prefix, e.to_string()))?;
        let public = key
            .public_pem()
            .map_err(|e| write_err(&public_path, e.to_string()))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&prefix)
            .map_err(|e| write_err(&prefix, e.to_string()))?;
        file.write_all(private.as_bytes())
            .map_err(|e| write_err(&prefix, e.to_string()))?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&public_path)
            .and_then(|mut f| f.write_all(public.as_bytes()))
            .map_err(|e| write_err(&public_path, e.to_string()))?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            outln!("{}", key.keyid());
            super::shell::note(&format!(
                "wrote {} (private key, mode 0600) and {}",
                cairn_base::escape::escape(&prefix.display().to_string()),
                cairn_base::escape::escape(&public_path.display().to_string())
            ));
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn write_err(path: &std::path::Path, reason: String) -> Box<dyn miette::Diagnostic + Send + Sync> {
    Box::new(CliError::Write {
        path: path.display().to_string(),
        reason,
    })
}

fn id(paths: &[PathBuf], format: Format, color: ColorChoice) -> ExitCode {
    super::shell::set_machine(format == Format::Json);
    let mut rows = Vec::new();
    let mut failed = false;
    for path in paths {
        match read_public_key(path) {
            Ok(trusted) => {
                let key = &trusted.key;
                let keytype = trusted.keytype.as_str();
                let scheme = trusted.scheme.name();
                let public = key.public_text();
                let mut row = serde_json::json!({
                    "file": cairn_base::files::display_name(path),
                    "keytype": keytype,
                    "scheme": scheme,
                    "keyid": keyid(keytype, scheme, &public, false),
                    "keyidLegacy": keyid(keytype, scheme, &public, true),
                });
                if let (Some(stripped), Some(obj)) =
                    (public.strip_suffix('\n'), row.as_object_mut())
                {
                    obj.insert(
                        "keyidNoNewline".into(),
                        keyid(keytype, scheme, stripped, false).into(),
                    );
                    obj.insert(
                        "keyidLegacyNoNewline".into(),
                        keyid(keytype, scheme, stripped, true).into(),
                    );
                }
                rows.push(row);
            }
            Err(e) => {
                report(&e, color);
                failed = true;
            }
        }
    }
    match format {
        Format::Json => outln!(
            "{:#}",
            serde_json::json!({"schemaVersion": JSON_VERSION, "keys": rows})
        ),
        Format::Human => {
            for row in &rows {
                outln!(
                    "{} ({}, {})",
                    s(&row["file"]),
                    s(&row["keytype"]),
                    s(&row["scheme"])
                );
                outln!("  keyid:          {}", s(&row["keyid"]));
                outln!("  keyid (legacy): {}", s(&row["keyidLegacy"]));
                if row.get("keyidNoNewline").is_some() {
                    outln!(
                        "  keyid (PEM without final newline):          {}",
                        s(&row["keyidNoNewline"])
                    );
                    outln!(
                        "  keyid (PEM without final newline, legacy):  {}",
                        s(&row["keyidLegacyNoNewline"])
                    );
                }
            }
        }
    }
    ExitCode::from(if failed { EXIT_ERROR } else { EXIT_OK })
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

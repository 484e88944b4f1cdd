//! Shared plumbing of the evidence commands: reading key files, writing
//! outputs, printing diagnostics, and the command-line errors (`E43x`).

use std::path::{Path, PathBuf};

use crate::cli::ColorChoice;
use crate::evidence::load::read_bounded;
use crate::evidence::{EvidenceError, Location, SigningKey, TrustedKey};

/// Key files are small; anything larger is not a key.
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// Command-line and file-system errors of the evidence commands.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// An output file could not be written.
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(E430), help("check that the directory exists and is writable"))]
    Write {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// An output file's name is taken by a directory.
    #[error("cannot write `{path}`: it is a directory")]
    #[diagnostic(
        code(E430),
        help("move the directory out of the way, or write to another directory (`-d DIR`)")
    )]
    IsDirectory {
        /// The file.
        path: String,
    },
    /// An output file already exists and cairn will not overwrite it.
    #[error("`{path}` already exists")]
    #[diagnostic(
        code(E431),
        help("choose another `-o` prefix or remove the old key first")
    )]
    Exists {
        /// The file.
        path: String,
    },
    /// A `--predicate-type` that is neither a known alias nor a URI.
    #[error("unknown predicate type `{given}`")]
    #[diagnostic(
        code(E432),
        help("use a full type URI or one of the aliases: {aliases}")
    )]
    PredicateType {
        /// What was given.
        given: String,
        /// The known aliases.
        aliases: String,
    },
    /// A predicate file that is not a JSON object.
    #[error("the predicate in `{path}` must be a JSON object")]
    #[diagnostic(
        code(E433),
        help("write the predicate as one JSON object, without the Statement around it")
    )]
    PredicateNotObject {
        /// The file.
        path: String,
    },
    /// A `--subject` path that would not be a valid artifact name.
    #[error("subject `{path}` cannot name an artifact: {reason}")]
    #[diagnostic(
        code(E434),
        help("give the subject as a relative path without `.` or `..` components (run `cairn attest` from the directory the names are relative to)")
    )]
    SubjectName {
        /// The path as given, escaped.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Prints a diagnostic to stderr.
pub fn report(diagnostic: &dyn miette::Diagnostic, color: ColorChoice) {
    let enabled = color.enabled();
    err!("{}", crate::diag::render(diagnostic, enabled));
}

/// Reads a small text file (a key).
pub fn read_text(path: &Path) -> Result<String, EvidenceError> {
    let bytes = read_bounded(path, MAX_KEY_BYTES)?;
    String::from_utf8(bytes).map_err(|_| EvidenceError::BadKey {
        at: Location::file(path.display().to_string()),
        reason: "the file is not UTF-8 text".into(),
    })
}

/// Reads a trusted public key file (PEM, hex, securesystemslib JSON, 32 raw
/// Ed25519 bytes or binary DER SubjectPublicKeyInfo).
pub fn read_public_key(path: &Path) -> Result<TrustedKey, EvidenceError> {
    let label = path.display().to_string();
    let bytes = read_bounded(path, MAX_KEY_BYTES)?;
    TrustedKey::parse_bytes(&bytes, label.clone()).map_err(|e| EvidenceError::BadKey {
        at: Location::file(label),
        reason: e.to_string(),
    })
}

/// Reads the public key files a layout's owners are given by, each key once:
/// a key given twice (the same file, or two files holding the same key) is
/// one owner, as `in-toto-verify` keeps its keys by keyid.
pub fn read_owner_keys(paths: &[PathBuf]) -> Result<Vec<TrustedKey>, EvidenceError> {
    let mut keys: Vec<TrustedKey> = Vec::new();
    for path in paths {
        let key = read_public_key(path)?;
        if !keys.iter().any(|k| k.keyids.first() == key.keyids.first()) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Reads a private key file (PKCS#8 PEM). The error never quotes the file.
pub fn read_private_key(path: &Path) -> Result<SigningKey, EvidenceError> {
    let label = path.display().to_string();
    let text = read_text(path)?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| EvidenceError::BadPrivateKey {
        at: Location::file(label),
        reason: e.to_string(),
    })
}

/// Writes `text` to `path`, or to stdout when `path` is `None`.
pub fn write_out(path: Option<&Path>, text: &str, append: bool) -> Result<(), CliError> {
    use std::io::Write as _;
    let Some(path) = path else {
        out!("{text}");
        return Ok(());
    };
    let err = |e: std::io::Error| CliError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)
}

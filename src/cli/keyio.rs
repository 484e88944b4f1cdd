//! Shared plumbing of the evidence commands: reading key files, writing
//! outputs, printing diagnostics, and the command-line errors (`E43x`).

use std::path::Path;

use crate::cli::ColorChoice;
pub use cairn_evidence::keyread::{read_owner_keys, read_private_key, read_public_key};

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
    err!("{}", cairn_base::diag::render(diagnostic, enabled));
}

/// Writes `text` to `path`, or to stdout when `path` is `None`; a file
/// written is named on stderr (unless `--quiet`).
pub fn write_out(path: Option<&Path>, text: &str, append: bool) -> Result<(), CliError> {
    let Some(path) = path else {
        out!("{text}");
        return Ok(());
    };
    write_file(path, text, append)?;
    let shown = cairn_base::escape::escape(&path.display().to_string());
    super::shell::note(&if append {
        format!("appended to {shown}")
    } else {
        format!("wrote {shown}")
    });
    Ok(())
}

/// Writes `text` to the file `path` (appended with `append`), silently.
pub fn write_file(path: &Path, text: &str, append: bool) -> Result<(), CliError> {
    use std::io::Write as _;
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

//! Reading (and, for `cairn fmt`, writing back) a policy file: the size limit and UTF-8 are checked here, before
//! the parser sees a byte (`E4xx`: the file could not be used at all).

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::error::MAX_SOURCE_BYTES;
use cairn_base::source::SourceFile;

/// Why a policy file could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum IoError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E400))]
    Unreadable {
        /// The path.
        path: String,
        /// The I/O error.
        reason: String,
        /// What to do about it.
        #[help]
        help: String,
    },
    /// The file could not be written (`cairn fmt`).
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(E402), help("check that the file and its folder are writable"))]
    Unwritable {
        /// The path.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The file is not UTF-8.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset})")]
    #[diagnostic(
        code(E401),
        help("a policy is UTF-8 text; check that this is the right file")
    )]
    NotUtf8 {
        /// The path.
        path: String,
        /// The first invalid byte.
        offset: usize,
    },
    /// The file is larger than the policy limit.
    #[error("`{path}` is {}larger than the limit of {limit} bytes", .size.map(|s| format!("{s} bytes, ")).unwrap_or_default())]
    #[diagnostic(
        code(E101),
        help("a policy is a few hundred lines; check that this is the right file")
    )]
    TooLarge {
        /// The path.
        path: String,
        /// The limit.
        limit: usize,
        /// Its size, when known before reading.
        size: Option<u64>,
    },
}

/// Reads a policy file as UTF-8, refusing files above the size limit
/// without reading them whole. The path is one named on the command line:
/// `-` is standard input and a pipe (`<(...)`) is read to its end.
pub fn read_policy(path: &Path) -> Result<SourceFile, IoError> {
    read_policy_and_base(path).map(|(file, _)| file)
}

/// [`read_policy`], and the folder its `file "..."` paths are relative to:
/// the file's own, or the current one for standard input and a pipe.
pub fn read_policy_and_base(path: &Path) -> Result<(SourceFile, PathBuf), IoError> {
    let name = cairn_base::files::display_name(path);
    let options = cairn_base::files::ReadOptions::stream(MAX_SOURCE_BYTES as u64);
    let mut bytes = Vec::new();
    let source = cairn_base::files::read_into(path, options, &mut bytes).map_err(|e| match e {
        cairn_base::files::ReadError::TooLarge { size, .. } => IoError::TooLarge {
            path: name.clone(),
            limit: MAX_SOURCE_BYTES,
            size,
        },
        e => IoError::Unreadable {
            path: name.clone(),
            help: if e.is_access() {
                "check the path and its permissions"
            } else {
                "give the policy file itself (`-` reads it from standard input)"
            }
            .to_string(),
            reason: e.to_string(),
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| IoError::NotUtf8 {
        path: name.clone(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let base = match path.parent() {
        Some(parent) if !source.is_stream() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((SourceFile::new(name, text), base))
}

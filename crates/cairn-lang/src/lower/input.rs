//! Reading (and, for `cairn fmt`, writing back) a policy file: the size limit and UTF-8 are checked here, before
//! the parser sees a byte (`E4xx`: the file could not be used at all).

use std::io::Read as _;
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::error::MAX_SOURCE_BYTES;
use cairn_base::source::SourceFile;

/// Why a policy file could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum IoError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E400), help("check the path and its permissions"))]
    Unreadable {
        /// The path.
        path: String,
        /// The I/O error.
        reason: String,
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
    #[error("`{path}` is larger than {limit} bytes")]
    #[diagnostic(
        code(E101),
        help("a policy is a few hundred lines; check that this is the right file")
    )]
    TooLarge {
        /// The path.
        path: String,
        /// The limit.
        limit: usize,
    },
}

/// Reads a policy file as UTF-8, refusing files above the size limit
/// without reading them whole.
pub fn read_policy(path: &Path) -> Result<SourceFile, IoError> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| IoError::Unreadable {
        path: name.clone(),
        reason: e.to_string(),
    };
    // A FIFO would block the open itself; a device may never end.
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err(unreadable(std::io::Error::other(
            "not a regular file (a FIFO, device or directory)",
        )));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(IoError::TooLarge {
            path: name,
            limit: MAX_SOURCE_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| IoError::NotUtf8 {
        path: name.clone(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok(SourceFile::new(name, text))
}

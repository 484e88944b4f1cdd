//! Reading whole files named on the command line, bounded, through
//! [`cairn_base::files`]; the errors in evidence's words.

use std::path::Path;

use super::error::{EvidenceError, Location};

/// Reads a whole file named on the command line, refusing it before
/// reading when it is over `limit`; a pipe (`<(...)`) is read to its end
/// (see [`cairn_base::files`]).
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, EvidenceError> {
    let mut bytes = Vec::new();
    read_bounded_into(
        path,
        cairn_base::files::ReadOptions::pipe(limit),
        &mut bytes,
    )?;
    Ok(bytes)
}

/// [`read_bounded`], with `-` read from standard input (once per run).
pub fn read_bounded_stream(path: &Path, limit: u64) -> Result<Vec<u8>, EvidenceError> {
    let mut bytes = Vec::new();
    read_bounded_into(
        path,
        cairn_base::files::ReadOptions::stream(limit),
        &mut bytes,
    )?;
    Ok(bytes)
}

/// [`read_bounded`] as `options` allow, into `bytes` (cleared first), whose
/// memory is reused: a worker reading several large files faults its
/// buffer's pages in once.
pub(crate) fn read_bounded_into(
    path: &Path,
    options: cairn_base::files::ReadOptions,
    bytes: &mut Vec<u8>,
) -> Result<cairn_base::files::Source, EvidenceError> {
    cairn_base::files::read_into(path, options, bytes).map_err(|e| {
        let at = Location::file(cairn_base::files::display_name(path));
        match e {
            cairn_base::files::ReadError::TooLarge { size, limit } => EvidenceError::TooLarge {
                at,
                what: "file",
                limit,
                size,
            },
            e => EvidenceError::Io {
                at,
                help: if e.is_access() {
                    EvidenceError::ACCESS_HELP
                } else {
                    EvidenceError::KIND_HELP
                },
                reason: e.to_string(),
            },
        }
    })
}

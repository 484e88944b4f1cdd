//! Reading trusted root files: one Sigstore trusted root (a JSON
//! document), or several as JSON lines.

use std::path::Path;

use super::read::{read_trust_root, TrustRoot};
use crate::read::read_bounded;
use crate::{EvidenceError, Limits};

/// Bytes of a trusted root file (a few kilobytes in practice).
const MAX_TRUST_ROOT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the trusted roots of `path` (one JSON document, or one per line).
pub fn read_trust_roots(path: &Path, limits: &Limits) -> Result<Vec<TrustRoot>, EvidenceError> {
    let label = path.display().to_string();
    let bytes = read_bounded(path, MAX_TRUST_ROOT_BYTES)?;
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| (i, l.trim_ascii()))
        .collect();
    // One pretty-printed document spans many lines; JSON lines hold one each.
    let one_per_line = lines.len() > 1
        && lines
            .iter()
            .all(|(_, l)| l.first() == Some(&b'{') && l.last().is_some_and(|&b| b == b'}'));
    if !one_per_line {
        return Ok(vec![read_trust_root(&bytes, &label, limits.max_depth)?]);
    }
    lines
        .into_iter()
        .map(|(i, line)| read_trust_root(line, &format!("{label}:{}", i + 1), limits.max_depth))
        .collect()
}

//! Bounds on untrusted input, checked before anything is allocated for it.
//!
//! Every limit is configurable and none can be switched off. The defaults are
//! documented in `docs/evidence.md`; they leave room for large real supply
//! chains (tens of megabytes of links) while refusing hostile sizes early.

/// Limits applied while loading evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one file (a bundle, an envelope, a metablock, a key).
    pub max_file_bytes: u64,
    /// Bytes read over all files of one load.
    pub max_total_bytes: u64,
    /// Bytes of one decoded DSSE payload.
    pub max_payload_bytes: usize,
    /// Non-blank lines of one bundle.
    pub max_lines: usize,
    /// Files read from one directory.
    pub max_dir_entries: usize,
    /// Signatures of one envelope or metablock.
    pub max_signatures: usize,
    /// Subjects of one Statement.
    pub max_subjects: usize,
    /// Materials or products of one link, and keys, steps and rules of one layout.
    pub max_artifacts: usize,
    /// Nesting depth of any JSON document.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_payload_bytes: 64 * 1024 * 1024,
            max_lines: 65_536,
            max_dir_entries: 65_536,
            max_signatures: 32,
            max_subjects: 4096,
            max_artifacts: 100_000,
            max_depth: 128,
        }
    }
}

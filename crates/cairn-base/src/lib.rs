//! The shared leaves of cairn, below every stage: source files and spans
//! ([`source`]), terminal-safe escaping of untrusted text ([`escape`]),
//! "did you mean" ([`suggest`]), rendering a diagnostic to text ([`diag`]),
//! the ordered fan-out over cores ([`parallel`]), the limits regexes and
//! JSONPaths are compiled under ([`limits`]) and reading a file with a byte
//! limit ([`files`]).
//!
//! The bottom of the crate graph: it depends on no other cairn crate, and
//! every other cairn crate depends on it.

pub mod diag;
pub mod escape;
pub mod files;
pub mod limits;
pub mod parallel;
pub mod source;
pub mod suggest;

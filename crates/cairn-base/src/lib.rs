//! The shared leaves of cairn, below every stage: source files and spans
//! ([`source`]), terminal-safe escaping of untrusted text ([`escape`]),
//! "did you mean" ([`suggest`]), rendering a diagnostic to text ([`diag`]) and
//! the ordered fan-out over cores ([`parallel`]).

pub mod diag;
pub mod escape;
pub mod files;
pub mod limits;
pub mod parallel;
pub mod source;
pub mod suggest;

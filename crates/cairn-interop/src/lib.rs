//! Interop with other layout formats: classic in-toto (import of classic
//! layouts into the IR, export of an IR back to a classic layout), ITE-10
//! attestation-verifier layouts ([`ite10`]), and printing an IR as `.cairn`
//! source (what `cairn import` writes).
//!
//! In the crate graph it sits above `cairn-base`, `cairn-evidence` and
//! `cairn-lang` (whose IR it reads and writes); the evaluator (`cairn-eval`,
//! for classic artifact rules and for finding evidence lines), the public
//! library (`cairn`, for classic layouts) and the binary (`cairn import`) use
//! it.
//!
//! This crate reads already-parsed JSON values (the evidence layer parsed
//! the bytes strictly and checked the signature); it never does I/O and
//! never evaluates a policy. Classic semantics are kept exactly: where cairn
//! and in-toto 3.1.0 differ by design, the import refuses the input with an
//! `E5xx` diagnostic rather than changing its meaning (`docs/in-toto-compat.md`).

pub mod classic;
mod error;
mod import_error;
pub mod ite10;
pub mod source;

pub use error::{InteropError, Unsupported};
pub use import_error::ImportError;

use cairn_base::source::SourceFile;

/// Attaches the layout's text to an import error so that it renders with
/// the step or rule underlined.
pub fn report(error: InteropError, file: &SourceFile) -> miette::Report {
    miette::Report::new(error).with_source_code(file.named_source())
}

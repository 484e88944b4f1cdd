//! Reports: a [`crate::Verdict`] rendered for people ([`human()`]) and for
//! machines ([`json()`], schema in `docs/report.md`), and the VSA ([`vsa`]).
//!
//! Renderers only format; they never decide. Every string that may come from
//! evidence (artifact names, predicate values, file names) goes through
//! [`cairn_base::escape`] before it reaches a terminal, so that it cannot forge
//! a status line or hide text with control characters, ANSI escapes or bidi
//! controls.

mod decoded;
mod human;
mod json;
mod snippet;
mod trail;
pub mod vsa;

pub use human::{
    finding_diagnostic, findings, findings_with_evidence, human, summary, FindingDiagnostic,
};
pub use json::{json, json_value, json_with_trace, SCHEMA_VERSION};
pub use snippet::EvidenceFiles;
pub use trail::trail;

#[cfg(test)]
mod cases;

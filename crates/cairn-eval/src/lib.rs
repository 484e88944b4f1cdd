//! The evaluator: a resolved, instantiated [`cairn_lang::ir::Layout`] and verified
//! attestations in, a [`Verdict`] with every [`Finding`] out.
//!
//! Pure: no I/O, no clock (the caller injects one reading), and independent of
//! the order of the attestations. It never stops at the first failure, and it
//! fails closed: no steps, a step without evidence, an expired policy, an
//! inspection not run, a check on an absent field all yield deny findings, and
//! [`Verdict::passed`] also needs at least one satisfied step. The reports a
//! verdict is rendered as (text, JSON, the evidence trail, the VSA) are in
//! [`report`].
//!
//! In the crate graph it sits above `cairn-base`, [`cairn_json`],
//! `cairn-evidence`, `cairn-lang` and `cairn-interop`; the public library
//! (`cairn`) and the binary call it.
//!
//! How evidence meets steps (documented for users in `docs/report.md`):
//! - a *link* for step S is a classic link or a link/v0.3 Statement whose
//!   `name` is S; it counts when signed by a key of S's `by`;
//! - an attestation for an expected predicate type counts when signed by a key
//!   of that attestation's `by` (or the step's);
//! - thresholds count distinct keys; all counted links of a step must agree on
//!   their materials and products;
//! - a step's artifacts (what `match ... from S` and `artifact from S` see)
//!   are those of its first counted link in canonical order, or, for a step
//!   without links, the union of its counted attestations' artifacts, leaving
//!   out any name given different digests; a step with no counted evidence
//!   has no artifacts and a MATCH from it consumes nothing.

mod cel;
mod checks;
pub mod coverage;
mod digest;
mod extra;
mod finding;
mod instantiate;
#[doc(hidden)]
pub mod lazy;
mod rules;
mod run;
mod select;
mod signers;
mod verdict;
mod view;
mod why;

pub mod report;

pub use checks::both_roads as check_both_roads;
pub use digest::{matches as digests_match, STRONG as STRONG_DIGESTS};
pub use finding::{Code, Finding, Severity};
pub use instantiate::instantiate;
pub use rules::{RuleStep, SAMPLE as TRACE_SAMPLE};
pub use run::{evaluate, evaluate_traced, ListTrace, Trace};
pub use signers::key_label;
pub use verdict::{Considered, Input, InspectionReport, Inspections, Status, StepReport, Verdict};
pub use why::short_pair;

#[cfg(test)]
mod classic_tests;
#[cfg(test)]
mod tests;

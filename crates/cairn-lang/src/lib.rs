//! The cairn policy language. The pipeline is one-way: [`syntax`] (text to
//! spanned AST, the only module that knows pest) -> [`lower`] (names resolved,
//! every semantic error collected) -> [`ir`] (plain data). [`lint`] reads the
//! IR and the syntax tree; [`pattern`] is the artifact pattern matcher both
//! lowering and evaluation use.
//!
//! In the crate graph it sits above `cairn-base` and `cairn-evidence` (which
//! reads the policy's keys and names the predicate types); classic in-toto import
//! (`cairn-interop`), the evaluator (`cairn-eval`) and the public library
//! (`cairn`) take its IR.

pub mod cel;
pub mod ir;
pub mod lint;
pub mod lower;
pub mod pattern;
pub mod syntax;

//! cairn: a policy language for software supply chains.
//!
//! The pipeline is one-way: [`syntax`] (text to spanned AST, the only module
//! that knows pest) -> [`lower`] (names resolved, every semantic error
//! collected) -> [`ir`] (plain data) -> [`eval`] (IR x evidence -> verdict,
//! pure) -> [`report`]. Beside it, [`evidence`] parses and verifies every
//! untrusted byte. `docs/ARCHITECTURE.md` keeps the map.

pub mod cli;
pub mod diag;
pub mod eval;
pub mod evidence;
pub mod files;
pub mod interop;
pub mod ir;
pub mod lint;
pub mod lower;
pub mod pattern;
pub mod predicates;
pub mod record;
pub mod report;
pub mod source;
pub mod suggest;
pub mod syntax;

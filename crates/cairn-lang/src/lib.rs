//! The cairn policy language. The pipeline is one-way: [`syntax`] (text to
//! spanned AST, the only module that knows pest) -> [`lower`] (names resolved,
//! every semantic error collected) -> [`ir`] (plain data). [`lint`] reads the
//! IR and the syntax tree; [`pattern`] is the artifact pattern matcher both
//! lowering and evaluation use.

pub mod ir;
pub mod lint;
pub mod lower;
pub mod pattern;
pub mod syntax;

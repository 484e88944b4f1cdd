//! The cairn language server (`cairn lsp`): the diagnostics of `cairn check`
//! and `cairn lint` as a policy is typed, hover, go to definition, find
//! references, rename, completion, formatting (`cairn fmt`), code actions,
//! semantic tokens and document symbols, over the Language Server Protocol.
//!
//! [`serve`] runs a session over any reader and writer (the command line
//! gives it standard input and output). Each open document is analysed
//! whole on every change ([`analysis`]): its syntax tree and names come from
//! `cairn-lang`, key files are read relative to the document's folder, the
//! predicate field trees are lint's. What must work on text that does not
//! parse (completion, semantic tokens) reads tokens ([`lex`]) instead.
//!
//! In the crate graph it sits beside the `cairn` library, above
//! `cairn-lang`, `cairn-evidence` and `cairn-base`; only the command line
//! uses it.

pub mod actions;
pub mod analysis;
pub mod complete;
pub mod fields;
pub mod hover;
pub mod index;
pub mod lex;
pub mod lines;
pub mod outline;
pub mod server;
pub mod tokens;

pub use server::{serve, Error, Exit};

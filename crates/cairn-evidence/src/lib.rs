//! Evidence: every untrusted byte cairn reads is parsed here, and nowhere else.
//!
//! Envelopes (DSSE), bundles (`.intoto.jsonl`), classic metablocks, Statements
//! v1/v0.1, keys, canonical JSON and signature verification. What leaves this
//! crate for the evaluator is a [`Verified`] attestation, which only signature
//! verification can construct. This crate never looks at a policy's rules.
//!
//! In the crate graph it sits above `cairn-base` and [`cairn_json`]; the
//! language (`cairn-lang`), classic in-toto import (`cairn-interop`), the
//! evaluator (`cairn-eval`), recording (`cairn-record`) and the public
//! library (`cairn`) build on it.
//!
//! The flow: [`load()`] reads paths into [`Unverified`] items (collecting every
//! problem), then [`verify()`] checks them against [`TrustedKey`]s. Layers,
//! bottom up: [`cairn_json`] (strict reader) -> [`canonical`] / [`dsse`] ->
//! [`document`] (envelope or metablock) -> [`parse`] / [`layout`] (what it
//! says, over [`members`]) -> [`load`](mod@load) -> [`verify`](mod@verify).

pub mod artifacts;
pub mod bulk;
pub mod canonical;
pub mod digest_set;
pub mod document;
pub mod dsse;
pub mod error;
pub mod holder;
pub mod keyfile;
pub mod keyread;
pub mod keys;
pub mod layout;
pub mod limits;
pub mod link;
pub mod linkscan;
pub mod load;
pub mod members;
pub mod model;
pub mod names;
pub mod parse;
pub mod predicates;
pub mod read;
pub mod scheme;
pub mod signed;
pub mod sigstore;
pub mod statement;
pub mod unverified;
pub mod verify;
pub mod x509;

pub use dsse::{sign_dsse, Envelope};
pub use error::{EvidenceError, Location};
pub use keyfile::{SigningKey, TrustedKey};
pub use layout::ClassicLayout;
pub use limits::Limits;
pub use link::link_from_v03;
pub use load::{load, load_verified, load_verified_bytes, load_verified_with, Loaded};
pub use model::{
    Artifacts, Attestation, Body, DigestSet, Link, Origin, Predicate, Statement, Verified,
};
pub use scheme::Scheme;
pub use unverified::{Claim, LayoutSource, Unverified, UnverifiedLayout};
pub use verify::{
    summary_link, verify, verify_layout, verify_layout_source, verify_sublayout, Checked, Rejected,
};

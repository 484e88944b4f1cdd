//! Evidence: every untrusted byte cairn reads is parsed here, and nowhere else.
//!
//! Envelopes (DSSE), bundles (`.intoto.jsonl`), classic metablocks, Statements
//! v1/v0.1, keys, canonical JSON and signature verification. What leaves this
//! module for the evaluator is a [`Verified`] attestation, which only signature
//! verification can construct. This module never looks at a policy's rules.

pub mod keys;
pub mod model;

pub use model::{Artifacts, Attestation, Body, DigestSet, Link, Origin, Statement, Verified};

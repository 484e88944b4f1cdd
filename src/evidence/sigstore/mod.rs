//! Sigstore bundles: reading them strictly, verifying them offline against an
//! explicit trusted root, and what their certificates say about who signed.
//!
//! The cryptography (log entries, inclusion proofs and checkpoints, RFC 3161
//! timestamps, certificate chains at every verified time, SCTs, DSSE and
//! message signatures, the binding of log entries to the bundle) is
//! `sigstore-verify`'s, on cairn's RustCrypto provider ([`crypto`]). cairn
//! reads every bundle and trusted root strictly first ([`read`]), reads the
//! certificate's claims itself ([`claims`], OtherName SANs included), matches
//! identities with anchored regexes ([`identity`]), and adds what the crate
//! lacks: a managed key's validity window ([`check`]). `docs/sigstore.md`
//! lists the checks in order.

pub mod check;
pub mod claims;
pub mod crypto;
pub mod identity;
pub mod read;

pub use check::{
    verify, Artifact, Check, Digest, Failure, LogEntry, Signer, Verified, VerifiedTime,
};
pub use claims::{Claims, San};
pub use identity::{GhFlags, Identity, Matcher, Mismatch};
pub use read::{
    looks_like_bundle, read_bundle, read_trust_root, Bundle, SigstoreLimits, TrustRoot, Version,
};

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

/// What `cairn verify` trusts Sigstore bundles with: the trusted roots, and
/// the policy's signers by their index (keys first, then identities).
#[derive(Debug, Default)]
pub struct SigstoreTrust {
    /// The trusted roots (a bundle must verify with one).
    pub roots: Vec<TrustRoot>,
    /// The policy's identities, each with its signer index.
    pub identities: Vec<(usize, Identity)>,
    /// The policy's keys as SubjectPublicKeyInfo DER, each with its signer index.
    pub keys: Vec<(usize, Vec<u8>)>,
}

/// The outcome of checking a DSSE bundle against `trust`: the signer
/// indexes it verified for, or why it counts for no one (each line starts
/// with the deciding check's code).
pub fn check_bundle(
    bundle: &Bundle,
    trust: &SigstoreTrust,
) -> (Vec<usize>, Vec<String>, Option<String>) {
    let mut signers = Vec::new();
    let mut failures = Vec::new();
    let mut who = None;
    if trust.roots.is_empty() {
        failures.push("a Sigstore bundle needs a trusted root: name one with `trust-root` in the policy, or give `--trusted-root`".to_owned());
        return (signers, failures, who);
    }
    let Some(digest) = check::first_subject_digest(bundle) else {
        failures.push(
            "V140 bundle structure: the Statement has no subject with a sha256 or sha512 digest"
                .to_owned(),
        );
        return (signers, failures, who);
    };
    let attempts: Vec<(Option<usize>, Signer<'_>)> = if bundle.has_certificate() {
        vec![(None, Signer::Certificate)]
    } else {
        trust
            .keys
            .iter()
            .map(|(i, spki)| (Some(*i), Signer::Key { spki, window: None }))
            .collect()
    };
    if attempts.is_empty() {
        failures.push(
            "V151 signing key: the bundle is signed with a key, and the policy declares none"
                .to_owned(),
        );
    }
    for (index, signer) in &attempts {
        let mut last = None;
        for root in &trust.roots {
            match verify(bundle, root, signer, Artifact::Digest(digest.clone())) {
                Ok(v) => {
                    last = None;
                    match (index, &v.claims) {
                        (Some(i), _) => signers.push(*i),
                        (None, Some(claims)) => {
                            who = Some(format!(
                                "{} (issuer {})",
                                crate::report::escape(claims.subject().unwrap_or("(no SAN)")),
                                crate::report::escape(claims.issuer.as_deref().unwrap_or("none"))
                            ));
                            let mut matched = Vec::new();
                            for (i, identity) in &trust.identities {
                                let mismatches = identity.mismatches(claims);
                                if mismatches.is_empty() {
                                    matched.push((*i, identity.label.as_str()));
                                } else {
                                    failures.push(format!(
                                        "V150 signer identity: not `{}`: {}",
                                        identity.label,
                                        describe(&mismatches)
                                    ));
                                }
                            }
                            // One signature is one signer: a certificate that
                            // several identities accept would otherwise meet a
                            // threshold of two on its own.
                            match matched.as_slice() {
                                [] => {}
                                [(i, _)] => signers.push(*i),
                                several => failures.push(format!(
                                    "V150 signer identity: the certificate matches the identities {}; one signature cannot count for several signers, so make the identities disjoint",
                                    several
                                        .iter()
                                        .map(|(_, n)| format!("`{n}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )),
                            }
                            if trust.identities.is_empty() {
                                failures.push(format!(
                                    "V150 signer identity: signed by {} (issuer {}), and the policy declares no identity",
                                    crate::report::escape(claims.subject().unwrap_or("(no SAN)")),
                                    crate::report::escape(claims.issuer.as_deref().unwrap_or("none"))
                                ));
                            }
                        }
                        (None, None) => {}
                    }
                    break;
                }
                Err(f) => last = Some(f),
            }
        }
        if let Some(f) = last {
            failures.push(format!("{} {}", f.check.code(), f));
        }
    }
    signers.sort_unstable();
    signers.dedup();
    (signers, failures, who)
}

/// Mismatches as one line: `issuer expected "x", the certificate says "y"`.
pub fn describe(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(|m| {
            format!(
                "{} expected {} ({}), the certificate says {}",
                m.claim,
                crate::report::escape(&m.expected),
                crate::report::escape(&m.origin),
                m.actual.as_deref().map_or("nothing".into(), |a| format!(
                    "{:?}",
                    crate::report::escape(a)
                ))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

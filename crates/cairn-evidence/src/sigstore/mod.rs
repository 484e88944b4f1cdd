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
pub mod roots;

pub use check::{
    verify, Artifact, Check, Digest, Failure, LogEntry, Signer, Verified, VerifiedTime,
};
pub use claims::{Claims, San};
pub use identity::{GhFlags, Identity, Matcher, Mismatch};
pub use read::{looks_like_bundle, read_bundle, read_trust_root, Bundle, TrustRoot, Version};
pub use roots::read_trust_roots;

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

/// What [`check_bundle`] found.
#[derive(Debug, Default)]
pub struct Checked {
    /// The signer indexes the bundle counts for (at most one).
    pub signers: Vec<usize>,
    /// Why it counts for no one (each line starts with the deciding check's code).
    pub failures: Vec<String>,
    /// The certificate's SAN and issuer, when the certificate verified.
    pub signer: Option<String>,
    /// How it verified: version, identity, times (for `cairn explain`).
    pub summary: Option<String>,
}

/// Checks a DSSE bundle against `trust`.
pub fn check_bundle(bundle: &Bundle, trust: &SigstoreTrust) -> Checked {
    let mut signers = Vec::new();
    let mut failures = Vec::new();
    let mut who = None;
    let mut summary = None;
    if trust.roots.is_empty() {
        failures.push("a Sigstore bundle needs a trusted root: name one with `trust-root` in the policy, or give `--trusted-root`".to_owned());
        return Checked {
            failures,
            ..Checked::default()
        };
    }
    let Some(digest) = check::first_subject_digest(bundle) else {
        failures.push(
            "V140 bundle structure: the Statement has no subject with a sha256 or sha512 digest"
                .to_owned(),
        );
        return Checked {
            failures,
            ..Checked::default()
        };
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
                    summary = Some(describe_verified(&v, &root.label));
                    match (index, &v.claims) {
                        (Some(i), _) => signers.push(*i),
                        (None, Some(claims)) => {
                            who = Some(format!(
                                "{} (issuer {})",
                                cairn_base::escape::escape(claims.subject().unwrap_or("(no SAN)")),
                                cairn_base::escape::escape(
                                    claims.issuer.as_deref().unwrap_or("none")
                                )
                            ));
                            let mut matched = Vec::new();
                            let mut missed = Vec::new();
                            for (i, identity) in &trust.identities {
                                let mismatches = identity.mismatches(claims);
                                if mismatches.is_empty() {
                                    matched.push((*i, identity.label.as_str()));
                                } else {
                                    missed.push((
                                        mismatches.len(),
                                        identity.label.as_str(),
                                        mismatches,
                                    ));
                                }
                            }
                            // The nearest identity (fewest claims differ) first.
                            missed.sort_by_key(|(n, _, _)| *n);
                            for (rank, (_, label, mismatches)) in missed.iter().enumerate() {
                                let nearest = if rank == 0 && missed.len() > 1 {
                                    " (the nearest identity)"
                                } else {
                                    ""
                                };
                                failures.push(format!(
                                    "V150 signer identity: not `{label}`{nearest}: {}",
                                    describe(mismatches)
                                ));
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
                                    cairn_base::escape::escape(claims.subject().unwrap_or("(no SAN)")),
                                    cairn_base::escape::escape(claims.issuer.as_deref().unwrap_or("none"))
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
    Checked {
        signers,
        failures,
        signer: who,
        summary,
    }
}

/// One line on how a bundle verified: `Sigstore bundle v0.3, certificate for
/// SAN (issuer I), verified at T (transparency-log); root R`.
fn describe_verified(v: &Verified, root: &str) -> String {
    let signer = match &v.claims {
        Some(c) => format!(
            "certificate for {} (issuer {})",
            c.subject().unwrap_or("(no SAN)"),
            c.issuer.as_deref().unwrap_or("none")
        ),
        None => "a policy key".to_owned(),
    };
    let times = v
        .times
        .iter()
        .map(|t| format!("{} ({})", t.time, t.source))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "Sigstore bundle v{}, {signer}, verified at {times}; trusted root {root}",
        v.bundle_version
    )
}

/// Mismatches as one line: `issuer expected "x", the certificate says "y"`.
pub fn describe(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(|m| {
            // Name the clause only where it is not the claim itself (a gh
            // shorthand, an alias).
            let origin = if m.origin.starts_with(&format!("{} ", m.claim)) {
                String::new()
            } else {
                format!(" ({})", cairn_base::escape::escape(&m.origin))
            };
            format!(
                "{} expected {}{origin}, the certificate says {}",
                m.claim,
                cairn_base::escape::escape(&m.expected),
                m.actual.as_deref().map_or("nothing".into(), |a| format!(
                    "{:?}",
                    cairn_base::escape::escape(a)
                ))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

//! `cairn verify-bundle`: verify one Sigstore bundle offline, as the
//! Sigstore conformance suite's client protocol asks (`--bundle`,
//! `--certificate-identity`, `--certificate-oidc-issuer`, `--key`,
//! `--trusted-root`, `--staging`, then the artifact or its digest), with
//! cosign's regexp variants and gh's shorthands.
//!
//! Exit 0: verified; 1: refused; 2: could not evaluate (bad flags, an
//! unreadable or malformed bundle, key or trusted root).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::key::Format;
use super::keyio::{read_text, report};
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn_evidence::sigstore::{
    self, read_bundle, read_trust_root, read_trust_roots, Artifact, Check, Failure, GhFlags,
    Identity, Matcher, Signer, TrustRoot, Verified, Version,
};
use cairn_evidence::{EvidenceError, Limits, Location};

/// `cairn verify-bundle`.
#[derive(Debug, Args)]
#[command(
    after_help = "Regexes are anchored at both ends: `--certificate-identity-regexp 'https://github.com/acme/.*'` accepts any workflow of acme, and a substring match needs `.*` on both sides (cosign and gh match unanchored). Without --trusted-root the public-good root shipped with cairn is used (--staging: the staging root); cairn never fetches anything. Exit codes: 0 verified; 1 refused (the diagnostic's code names the check that decided); 2 could not evaluate."
)]
pub struct VerifyBundleArgs {
    /// The artifact file, or its digest as `sha256:` and 64 hex digits
    /// (`sha384:`, `sha512:` likewise). For a DSSE bundle it must be a
    /// subject of the Statement.
    #[arg(value_name = "FILE_OR_DIGEST")]
    pub artifact: String,
    /// The Sigstore bundle (`*.sigstore.json`); `-` reads it from standard
    /// input, and a pipe (`<(cmd)`) is read too.
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// A `trusted_root.json` (one root, or several as JSON lines, as `gh
    /// attestation trusted-root` writes them: the bundle must verify with one).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Without --trusted-root, use the public-good staging root shipped with cairn.
    #[arg(long, conflicts_with = "trusted_root")]
    pub staging: bool,
    /// The certificate's SAN, exactly.
    #[arg(long, value_name = "IDENTITY", visible_alias = "cert-identity")]
    pub certificate_identity: Option<String>,
    /// The certificate's SAN, by a regex anchored at both ends.
    #[arg(
        long,
        value_name = "REGEX",
        visible_alias = "cert-identity-regex",
        conflicts_with = "certificate_identity"
    )]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, or the legacy .1.1), exactly.
    #[arg(long, value_name = "URL", visible_alias = "cert-oidc-issuer")]
    pub certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer, by a regex anchored at both ends.
    #[arg(long, value_name = "REGEX", conflicts_with = "certificate_oidc_issuer")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// gh: the source repository's owner (`https://github.com/OWNER`).
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// gh: the source repository (`OWNER/NAME`).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// gh: the repository of the workflow that signed (`OWNER/NAME`).
    #[arg(long, value_name = "OWNER/NAME")]
    pub signer_repo: Option<String>,
    /// gh: the workflow that signed, at any ref (`[HOST/]OWNER/NAME/PATH`).
    #[arg(long, value_name = "WORKFLOW", conflicts_with = "signer_repo")]
    pub signer_workflow: Option<String>,
    /// gh: the source repository ref (`refs/tags/v1.0`).
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// gh: the source repository commit.
    #[arg(long, value_name = "DIGEST")]
    pub source_digest: Option<String>,
    /// gh: refuse certificates issued to self-hosted runners.
    #[arg(long)]
    pub deny_self_hosted_runners: bool,
    /// The managed key (PEM) that signed a key-signed bundle; the bundle's
    /// own key hint is never trusted.
    #[arg(
        long,
        value_name = "KEY",
        conflicts_with_all = ["certificate_identity", "certificate_identity_regexp", "certificate_oidc_issuer", "certificate_oidc_issuer_regexp", "owner", "repo", "signer_repo", "signer_workflow", "source_ref", "source_digest", "deny_self_hosted_runners"]
    )]
    pub key: Option<PathBuf>,
    /// The managed key is trusted from this time on (RFC 3339).
    #[arg(long, value_name = "TIME", requires = "key")]
    pub key_valid_from: Option<String>,
    /// The managed key is trusted until this time (RFC 3339, inclusive).
    #[arg(long, value_name = "TIME", requires = "key")]
    pub key_valid_until: Option<String>,
    /// Refuse bundles older than this version (`0.2`: gh's minimum).
    #[arg(long, value_name = "VERSION")]
    pub min_bundle_version: Option<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A command-line error of `verify-bundle` (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BundleCliError {
    /// The flags do not say who must have signed, or say it badly.
    #[error("{0}")]
    #[diagnostic(
        code(E435),
        help("name the signer: `--certificate-identity` and `--certificate-oidc-issuer` (or their `-regexp` forms, or gh's `--owner`/`--repo`), or `--key` for a key-signed bundle")
    )]
    Signer(String),
    /// Another flag's value that cannot be used.
    #[error("{0}")]
    #[diagnostic(
        code(E437),
        help("see `cairn verify-bundle --help` for each flag's values")
    )]
    Flag(String),
    /// An artifact argument that cannot be read.
    #[error("cannot read the artifact `{path}`: {reason}")]
    #[diagnostic(
        code(E436),
        help("give the artifact file, or its digest as `sha256:` and 64 lowercase hex digits")
    )]
    Artifact {
        /// As given.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A bundle that did not verify, with the file it is in.
#[derive(Debug, thiserror::Error)]
#[error("`{file}` did not verify: {failure}")]
pub struct Refused {
    /// The bundle file.
    pub file: String,
    /// Why.
    pub failure: Failure,
}

impl miette::Diagnostic for Refused {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.failure.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.failure.help()
    }
}

/// Runs `cairn verify-bundle`.
pub fn run(args: VerifyBundleArgs, color: ColorChoice) -> ExitCode {
    match verify(&args) {
        Ok((verified, report_to)) => {
            print_verified(&args, &verified, report_to);
            ExitCode::from(EXIT_OK)
        }
        Err(Stop::Refused(refused)) => {
            report(&refused, color);
            print_refused(&args, &refused.failure);
            ExitCode::from(EXIT_NO)
        }
        Err(Stop::Error(e)) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

enum Stop {
    Refused(Refused),
    Error(Box<dyn miette::Diagnostic + Send + Sync>),
}

fn error(e: impl miette::Diagnostic + Send + Sync + 'static) -> Stop {
    Stop::Error(Box::new(e))
}

fn signer_error(message: impl Into<String>) -> Stop {
    error(BundleCliError::Signer(message.into()))
}

fn flag_error(message: impl Into<String>) -> Stop {
    error(BundleCliError::Flag(message.into()))
}

fn trust_roots(args: &VerifyBundleArgs, limits: &Limits) -> Result<Vec<TrustRoot>, Stop> {
    use sigstore_verify::trust_root::{
        SIGSTORE_PRODUCTION_TRUSTED_ROOT, SIGSTORE_STAGING_TRUSTED_ROOT,
    };
    match &args.trusted_root {
        Some(path) => read_trust_roots(path, limits).map_err(error),
        None => {
            let (text, label) = if args.staging {
                (SIGSTORE_STAGING_TRUSTED_ROOT, "(shipped staging root)")
            } else {
                (
                    SIGSTORE_PRODUCTION_TRUSTED_ROOT,
                    "(shipped public-good root)",
                )
            };
            read_trust_root(text.as_bytes(), label, limits.max_depth)
                .map(|r| vec![r])
                .map_err(error)
        }
    }
}

fn identity(args: &VerifyBundleArgs) -> Result<Identity, Stop> {
    let mut id = Identity {
        label: "the command line".into(),
        constraints: Vec::new(),
    };
    let regex = |flag: &str, pattern: &str| {
        Matcher::regex(pattern)
            .map_err(|e| signer_error(format!("{flag} `{pattern}` is not a valid regex: {e}")))
    };
    let mut has_san = false;
    for (flag, value) in [
        ("--certificate-identity", &args.certificate_identity),
        ("--certificate-oidc-issuer", &args.certificate_oidc_issuer),
        ("--owner", &args.owner),
        ("--repo", &args.repo),
        ("--signer-repo", &args.signer_repo),
    ] {
        if value.as_deref().is_some_and(str::is_empty) {
            return Err(signer_error(format!(
                "{flag} is empty: an empty value would stand for no constraint at all"
            )));
        }
    }
    if let Some(s) = &args.certificate_identity {
        id.require("san", Matcher::Exact(s.clone()), "--certificate-identity");
        has_san = true;
    }
    if let Some(s) = &args.certificate_identity_regexp {
        id.require(
            "san",
            regex("--certificate-identity-regexp", s)?,
            "--certificate-identity-regexp",
        );
        has_san = true;
    }
    if let Some(s) = &args.certificate_oidc_issuer {
        id.require(
            "issuer",
            Matcher::Exact(s.clone()),
            "--certificate-oidc-issuer",
        );
    }
    if let Some(s) = &args.certificate_oidc_issuer_regexp {
        id.require(
            "issuer",
            regex("--certificate-oidc-issuer-regexp", s)?,
            "--certificate-oidc-issuer-regexp",
        );
    }
    let gh = GhFlags {
        owner: args.owner.clone(),
        repo: args.repo.clone(),
        signer_repo: args.signer_repo.clone(),
        signer_workflow: args.signer_workflow.clone(),
        source_ref: args.source_ref.clone(),
        source_digest: args.source_digest.clone(),
        deny_self_hosted: args.deny_self_hosted_runners,
    };
    gh.apply(&mut id, has_san).map_err(signer_error)?;
    if !id.has_issuer() {
        return Err(signer_error(
            "no OIDC issuer given: a SAN means nothing without the issuer that vouched for it; give `--certificate-oidc-issuer` (or `--certificate-oidc-issuer-regexp '.*'` to accept any, on purpose)",
        ));
    }
    if !id.constraints.iter().any(|c| c.claim == "san") {
        return Err(signer_error(
            "no certificate identity given: give `--certificate-identity`, `--certificate-identity-regexp`, or gh's `--owner`/`--repo`/`--signer-repo`/`--signer-workflow`",
        ));
    }
    Ok(id)
}

/// A window bound in whole seconds: a start rounds up, an end down, so the
/// window never grows by the fraction cut off.
fn time_flag(flag: &str, text: &Option<String>, start: bool) -> Result<Option<i64>, Stop> {
    let Some(text) = text else { return Ok(None) };
    let t = text
        .parse::<jiff::Timestamp>()
        .map_err(|e| flag_error(format!("{flag} `{text}` is not an RFC 3339 time: {e}")))?;
    let whole = t.as_second();
    Ok(Some(if start && t.subsec_nanosecond() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    }))
}

fn read_key(path: &Path) -> Result<Vec<u8>, Stop> {
    let label = path.display().to_string();
    let text = read_text(path).map_err(error)?;
    let bad = |reason: String| {
        error(EvidenceError::BadKey {
            at: Location::file(label.clone()),
            reason,
        })
    };
    if text.matches("-----BEGIN ").count() != 1 {
        return Err(bad(
            "give exactly one PEM `PUBLIC KEY` block (the file holds none or several)".into(),
        ));
    }
    let der = sigstore_verify::types::DerPublicKey::from_pem(text.trim())
        .map_err(|e| bad(format!("not a PEM public key: {e}")))?;
    sigstore_verify::crypto::VerificationKey::from_spki(&der)
        .map_err(|e| bad(format!("not a key Sigstore signs with: {e}")))?;
    Ok(der.as_bytes().to_vec())
}

/// The artifact argument: a digest, or an open regular file.
enum ArtifactArg {
    Digest(sigstore::Digest),
    File(std::fs::File),
    /// Read whole, into the `bytes` of [`verify`].
    Bytes,
}

fn artifact(text: &str) -> Result<ArtifactArg, Stop> {
    if let Some(d) = sigstore::Digest::parse(text) {
        return Ok(ArtifactArg::Digest(d));
    }
    let digest_like = ["sha256:", "sha384:", "sha512:"]
        .iter()
        .any(|p| text.starts_with(p))
        && !std::path::Path::new(text).exists();
    if digest_like {
        return Err(error(BundleCliError::Artifact {
            path: cairn_base::escape::escape(text),
            reason: "not a digest: the algorithm's size in lowercase hex digits (64 for sha256, 96 for sha384, 128 for sha512)".into(),
        }));
    }
    let bad = |reason: String| {
        error(BundleCliError::Artifact {
            path: cairn_base::escape::escape(text),
            reason,
        })
    };
    cairn_base::files::open_regular(std::path::Path::new(text))
        .map(ArtifactArg::File)
        .map_err(|e| bad(e.to_string()))
}

fn verify(args: &VerifyBundleArgs) -> Result<(Verified, Option<String>), Stop> {
    let limits = super::limits();
    let min_version = match &args.min_bundle_version {
        Some(v) => Some(Version::parse(v).ok_or_else(|| {
            flag_error(format!("--min-bundle-version `{v}` is not 0.1, 0.2 or 0.3"))
        })?),
        None => None,
    };
    let (spki, window, identity) = match &args.key {
        Some(path) => {
            let from = time_flag("--key-valid-from", &args.key_valid_from, true)?;
            let until = time_flag("--key-valid-until", &args.key_valid_until, false)?;
            let window = (from.is_some() || until.is_some()).then_some((from, until));
            (Some(read_key(path)?), window, None)
        }
        None => (None, None, Some(identity(args)?)),
    };
    let roots = trust_roots(args, &limits)?;
    let label = cairn_base::files::display_name(&args.bundle);
    let bytes = cairn_evidence::load::read_bounded_stream(&args.bundle, limits.max_file_bytes)
        .map_err(error)?;
    let bundle =
        read_bundle(&bytes, &Location::file(label.clone()), limits.max_depth).map_err(error)?;
    let refused = |failure: Failure| {
        Stop::Refused(Refused {
            file: label.clone(),
            failure,
        })
    };
    if let Some(min) = min_version {
        if bundle.version < min {
            return Err(refused(Failure::new(
                Check::Version,
                format!(
                    "the bundle is version {}, older than the required {}",
                    bundle.version.as_str(),
                    min.as_str()
                ),
            )));
        }
    }
    let signer = match &spki {
        Some(spki) => Signer::Key { spki, window },
        None => Signer::Certificate,
    };
    let mut artifact_arg = artifact(&args.artifact)?;
    // An Ed25519 message signature is over the artifact's bytes: read them.
    let mut bytes = Vec::new();
    if sigstore::check::needs_bytes(&bundle, &signer) {
        if let ArtifactArg::File(f) = &mut artifact_arg {
            use std::io::Read as _;
            f.take(limits.max_file_bytes)
                .read_to_end(&mut bytes)
                .map_err(|e| {
                    error(BundleCliError::Artifact {
                        path: cairn_base::escape::escape(&args.artifact),
                        reason: e.to_string(),
                    })
                })?;
            artifact_arg = ArtifactArg::Bytes;
        }
    }
    let mut first: Option<Failure> = None;
    for (i, root) in roots.iter().enumerate() {
        if i > 0 {
            // The file was read to its end by the previous root's attempt.
            if let ArtifactArg::File(f) = &mut artifact_arg {
                use std::io::Seek as _;
                f.rewind().map_err(|e| {
                    error(BundleCliError::Artifact {
                        path: cairn_base::escape::escape(&args.artifact),
                        reason: e.to_string(),
                    })
                })?;
            }
        }
        let input = match &mut artifact_arg {
            ArtifactArg::Digest(d) => Artifact::Digest(d.clone()),
            ArtifactArg::File(f) => Artifact::Reader(f),
            ArtifactArg::Bytes => Artifact::Bytes(&bytes),
        };
        match sigstore::verify(&bundle, root, &signer, input) {
            Ok(verified) => {
                if let (Some(id), Some(claims)) = (&identity, &verified.claims) {
                    let mismatches = id.mismatches(claims);
                    if !mismatches.is_empty() {
                        let text = mismatches
                            .iter()
                            .map(|m| {
                                format!(
                                    "{} {} expected {}, the certificate says {}",
                                    m.origin,
                                    m.claim,
                                    m.expected,
                                    m.actual.as_deref().map_or("nothing".into(), |a| format!(
                                        "{:?}",
                                        cairn_base::escape::escape(a)
                                    ))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Err(refused(Failure::new(Check::Identity, text)));
                    }
                }
                let root_label = (roots.len() > 1).then(|| root.label.clone());
                return Ok((verified, root_label));
            }
            Err(f) => {
                // A failure that does not depend on the root (the signature,
                // the artifact, the binding) says more than one that only
                // shows this root is not the bundle's.
                let telling = |c: Check| {
                    !matches!(
                        c,
                        Check::LogEntry
                            | Check::InclusionProof
                            | Check::Timestamp
                            | Check::VerifiedTime
                            | Check::Certificate
                            | Check::Sct
                    )
                };
                match &first {
                    Some(prev) if telling(prev.check) || !telling(f.check) => {}
                    _ => first = Some(f),
                }
            }
        }
    }
    Err(refused(first.unwrap_or_else(|| {
        Failure::new(Check::Structure, "no trusted root to verify with")
    })))
}

fn print_verified(args: &VerifyBundleArgs, v: &Verified, root: Option<String>) {
    match args.format {
        Format::Json => {
            let value = json!({
                "schemaVersion": 1,
                "bundle": args.bundle.display().to_string(),
                "verified": true,
                "bundleVersion": v.bundle_version,
                "trustedRoot": root,
                "claims": v.claims,
                "verifiedTimes": v.times,
                "logEntries": v.log_entries,
                "tlogVerified": v.tlog_verified,
                "sctVerified": v.sct_verified,
            });
            outln!("{value}");
        }
        Format::Human => {
            let esc = |s: &str| cairn_base::escape::escape(s);
            outln!(
                "verified: {} (Sigstore bundle v{})",
                esc(&args.bundle.display().to_string()),
                v.bundle_version
            );
            match &v.claims {
                Some(c) => {
                    outln!(
                        "  signer     {}",
                        c.subject().map_or("(no SAN)".into(), esc)
                    );
                    outln!(
                        "  issuer     {}",
                        c.issuer.as_deref().map_or("(none)".into(), esc)
                    );
                    for (label, name) in [
                        ("repository", "source-repository-uri"),
                        ("ref", "source-repository-ref"),
                        ("commit", "source-repository-digest"),
                        ("workflow", "build-signer-uri"),
                        ("runner", "runner-environment"),
                    ] {
                        if let Some(value) = c.extensions.get(name) {
                            outln!("  {label:<10} {}", esc(value));
                        }
                    }
                }
                None => outln!("  signer     the given key"),
            }
            for t in &v.times {
                outln!("  time       {} ({})", t.time, t.source);
            }
            for e in &v.log_entries {
                let id = e.log_id.get(..16).unwrap_or(&e.log_id);
                outln!("  log entry  {} #{} in log {id}…", e.kind, e.log_index);
            }
            if let Some(root) = root {
                outln!("  root       {}", esc(&root));
            }
        }
    }
}

fn print_refused(args: &VerifyBundleArgs, failure: &Failure) {
    match args.format {
        Format::Json => {
            let value = json!({
                "schemaVersion": 1,
                "bundle": args.bundle.display().to_string(),
                "verified": false,
                "code": failure.check.code(),
                "check": failure.check,
                "message": failure.message,
            });
            outln!("{value}");
        }
        Format::Human => {
            outln!(
                "not verified: {} ({} {})",
                cairn_base::escape::escape(&args.bundle.display().to_string()),
                failure.check.code(),
                failure.check.title()
            );
        }
    }
}

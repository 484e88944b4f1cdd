//! `cairn verify-bundle`: verify one Sigstore bundle offline, as the
//! Sigstore conformance suite's client protocol asks (`--bundle`,
//! `--certificate-identity`, `--certificate-oidc-issuer`, `--key`,
//! `--trusted-root`, `--staging`, then the artifact or its digest), with
//! cosign's regexp variants and gh's shorthands.
//!
//! Exit 0: verified; 1: refused; 2: could not evaluate (bad flags, an
//! unreadable or malformed bundle, key or trusted root).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::key::Format;
use super::keyio::report;
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn::bundle::{
    verify_bundle, BundleOptions, BundleOutcome, BundleSigner, Failure, IdentityFlags, TrustedRoot,
    Verified,
};

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
    #[arg(long, value_name = "FILE", env = "CAIRN_TRUSTED_ROOT")]
    pub trusted_root: Option<PathBuf>,
    /// Without --trusted-root, use the public-good staging root shipped with
    /// cairn (it wins over CAIRN_TRUSTED_ROOT).
    #[arg(long)]
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
    /// Output format on stdout (with json, stderr stays empty but for
    /// errors that stop cairn, unless `--verbose`).
    #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
    pub format: Format,
}

impl VerifyBundleArgs {
    /// The library's options for these flags.
    fn options(&self) -> BundleOptions {
        let signer = match &self.key {
            Some(path) => BundleSigner::Key {
                path: path.clone(),
                valid_from: self.key_valid_from.clone(),
                valid_until: self.key_valid_until.clone(),
            },
            None => BundleSigner::Identity(IdentityFlags {
                certificate_identity: self.certificate_identity.clone(),
                certificate_identity_regexp: self.certificate_identity_regexp.clone(),
                certificate_oidc_issuer: self.certificate_oidc_issuer.clone(),
                certificate_oidc_issuer_regexp: self.certificate_oidc_issuer_regexp.clone(),
                gh: cairn::bundle::GhFlags {
                    owner: self.owner.clone(),
                    repo: self.repo.clone(),
                    signer_repo: self.signer_repo.clone(),
                    signer_workflow: self.signer_workflow.clone(),
                    source_ref: self.source_ref.clone(),
                    source_digest: self.source_digest.clone(),
                    deny_self_hosted: self.deny_self_hosted_runners,
                },
            }),
        };
        // `--trusted-root` and `--staging` together are refused before this
        // (`cli::usage_errors`); a root from CAIRN_TRUSTED_ROOT yields to
        // `--staging`.
        let trusted_root = match (&self.trusted_root, self.staging) {
            (_, true) => TrustedRoot::Staging,
            (Some(path), false) => TrustedRoot::File(path.clone()),
            (None, false) => TrustedRoot::PublicGood,
        };
        BundleOptions {
            bundle: self.bundle.clone(),
            artifact: self.artifact.clone(),
            trusted_root,
            signer,
            min_bundle_version: self.min_bundle_version.clone(),
            limits: super::limits(),
        }
    }
}

/// Runs `cairn verify-bundle`.
pub fn run(args: VerifyBundleArgs, color: ColorChoice) -> ExitCode {
    super::shell::set_machine(args.format == Format::Json);
    let progress = super::shell::Progress::start("verifying the bundle");
    let outcome = verify_bundle(&args.options());
    drop(progress);
    match outcome {
        Ok(BundleOutcome::Verified { verified, root }) => {
            print_verified(&args, &verified, root);
            ExitCode::from(EXIT_OK)
        }
        Ok(BundleOutcome::Refused(refused)) => {
            // In JSON the refusal is the result; rendered only if asked.
            if args.format == Format::Human || super::shell::chatty() {
                report(&refused, color);
            }
            print_refused(&args, &refused.failure);
            ExitCode::from(EXIT_NO)
        }
        Err(e) => {
            report(&e, color);
            ExitCode::from(EXIT_ERROR)
        }
    }
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

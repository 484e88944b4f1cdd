//! `cairn verify`: evaluate a policy (or a classic in-toto layout) against
//! the attestations a supply chain produced; report every finding; write a
//! VSA on request.
//!
//! Exit 0: verified; 1: the policy is violated; 2: cairn could not evaluate
//! (bad flags, unreadable or malformed policy or evidence).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::keyio::report;
use super::verify_classic;
use super::verify_inputs::{self, Prepared};
use super::verify_output;
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use crate::eval::{self, Finding, Input, Inspections};
use crate::evidence::{self, Attestation, Body, DigestSet, Verified};
use crate::ir::InspectionId;

/// `cairn verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The policy (`.cairn`) to verify against; omitted with `--layout`.
    #[arg(
        value_name = "POLICY",
        required_unless_present = "layout",
        conflicts_with = "layout"
    )]
    pub policy: Option<PathBuf>,
    /// Attestations: `.intoto.jsonl` bundles, DSSE envelopes, Sigstore
    /// bundles, classic links, or directories of them (repeatable).
    #[arg(long = "bundle", value_name = "PATH")]
    pub bundles: Vec<PathBuf>,
    /// The Sigstore trusted root Sigstore bundles are verified with (one
    /// root, or several as JSON lines); overrides the policy's `trust-root`.
    #[arg(long, value_name = "FILE", conflicts_with = "layout")]
    pub trusted_root: Option<PathBuf>,
    /// A classic in-toto layout (metablock or DSSE) to verify instead of a policy.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// A public key that must have signed the layout (repeatable; every one must have signed; a key given twice counts once).
    #[arg(long = "layout-key", value_name = "KEY", requires = "layout")]
    pub layout_keys: Vec<PathBuf>,
    /// The directory holding the links of a classic layout (`<step>.<keyid8>.link`;
    /// a sublayout's links in the folder `<step>.<keyid8>/`); `.` when neither
    /// this nor `--bundle` is given. Other `.link` files are ignored and listed
    /// (V153), as in-toto never opens them.
    #[arg(long, value_name = "DIR", requires = "layout")]
    pub links: Option<PathBuf>,
    /// Run the policy's inspections (in a scratch copy of `--inspection-dir`).
    #[arg(long)]
    pub run_inspections: bool,
    /// The directory inspections inspect (copied to a scratch directory first).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub inspection_dir: PathBuf,
    /// Stop an inspection after this many seconds (0: no limit; 10 is
    /// in-toto's limit); verification then stops with E449.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        requires = "run_inspections"
    )]
    pub inspection_timeout: u64,
    /// The final artifact, hashed with sha256 (and sha384/sha512 when the evidence uses them); it must be a product of the step named by `artifact from`.
    #[arg(long, value_name = "FILE", conflicts_with = "subject")]
    pub artifact: Option<PathBuf>,
    /// The final artifact's digest instead of the file, as `ALG:HEX` (e.g. `sha256:ab12...`).
    #[arg(long, value_name = "ALG:HEX")]
    pub subject: Option<String>,
    /// A parameter value, overriding the policy's default (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The evaluation time (RFC 3339, e.g. `2026-01-01T00:00:00Z`) instead of the clock.
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// After the findings, print on stderr the evidence trail of what failed
    /// (what `cairn explain` prints).
    #[arg(long)]
    pub explain: bool,
    /// Output format of the result on stdout.
    #[arg(long, value_enum, default_value_t = verify_output::Format::Human)]
    pub format: verify_output::Format,
    /// Write a SLSA Verification Summary Attestation to this file (needs
    /// `--artifact` or `--subject`; FAILED when verification fails; a file
    /// already there is removed first, so a run that stops leaves none).
    #[arg(long, value_name = "FILE")]
    pub vsa: Option<PathBuf>,
    /// Sign the VSA as a DSSE envelope with this private key (PKCS#8 PEM).
    #[arg(long, value_name = "KEY", requires = "vsa")]
    pub vsa_key: Option<PathBuf>,
    /// The VSA's `resourceUri` (default: the artifact path or the subject as given).
    #[arg(long, value_name = "URI", requires = "vsa")]
    pub resource_uri: Option<String>,
}

impl VerifyArgs {
    /// `--inspection-timeout` as a limit (`None`: no limit).
    pub fn inspection_limit(&self) -> Option<std::time::Duration> {
        crate::record::seconds_limit(self.inspection_timeout)
    }
}

/// What the command prints besides the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `cairn verify`: the result on stdout (and the trail on stderr with `--explain`).
    Verify,
    /// `cairn explain`: the result and the evidence trail on stdout; `all`
    /// includes what passed.
    Explain {
        /// Show satisfied steps and rule lists too.
        all: bool,
    },
}

/// Runs `cairn verify`.
pub fn run(args: VerifyArgs, color: ColorChoice) -> ExitCode {
    run_mode(&args, color, Mode::Verify)
}

/// Runs `cairn verify` or `cairn explain`.
pub fn run_mode(args: &VerifyArgs, color: ColorChoice, mode: Mode) -> ExitCode {
    match verify(args, color, mode) {
        Ok(code) => ExitCode::from(code),
        Err(Stopped { code, diagnostics }) => {
            report_capped(diagnostics.iter().map(AsRef::as_ref), color);
            if code == EXIT_NO {
                let now = verify_inputs::clock(args.time.as_deref()).ok();
                verify_output::print_early_failure(&diagnostics, args.format, now);
            }
            ExitCode::from(code)
        }
    }
}

/// How many diagnostics of one code are printed before the rest are counted
/// only: a bundle of 65,536 unrecognised lines must not print 65,536 warnings.
const MAX_SHOWN_PER_CODE: usize = 20;

/// Prints diagnostics, at most [`MAX_SHOWN_PER_CODE`] of each code, then one
/// line per code saying how many more there were.
fn report_capped<'a>(
    diagnostics: impl Iterator<Item = &'a (dyn miette::Diagnostic + Send + Sync)>,
    color: ColorChoice,
) {
    let mut shown: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for d in diagnostics {
        let code = d.code().map(|c| c.to_string()).unwrap_or_default();
        let count = shown.entry(code).or_default();
        *count += 1;
        if *count <= MAX_SHOWN_PER_CODE {
            report(d, color);
        }
    }
    for (code, count) in shown {
        if let Some(more) = count.checked_sub(MAX_SHOWN_PER_CODE).filter(|&m| m > 0) {
            errln!("\n{code}: {more} more not shown ({count} in all)");
        }
    }
}

/// A diagnostic that stops verification before a verdict.
pub type Stop = Box<dyn miette::Diagnostic + Send + Sync>;

/// Verification stopped before a verdict: exit 2 (could not evaluate) or,
/// for a layout that its owners did not sign, exit 1.
pub struct Stopped {
    /// The exit code.
    pub code: u8,
    /// What to print.
    pub diagnostics: Vec<Stop>,
}

impl From<Vec<Stop>> for Stopped {
    fn from(diagnostics: Vec<Stop>) -> Self {
        Stopped {
            code: EXIT_ERROR,
            diagnostics,
        }
    }
}

impl From<Stop> for Stopped {
    fn from(diagnostic: Stop) -> Self {
        Stopped::from(vec![diagnostic])
    }
}

fn verify(args: &VerifyArgs, color: ColorChoice, mode: Mode) -> Result<u8, Stopped> {
    let now = verify_inputs::clock(args.time.as_deref())?;
    let params = verify_inputs::params(&args.params)?;
    let artifact = verify_inputs::artifact(args)?;
    verify_output::prepare_vsa(args.vsa.as_deref(), artifact.as_ref())?;
    let prepared = match (&args.policy, &args.layout) {
        (_, Some(layout)) => match verify_inputs::classic(layout, &args.layout_keys, &params) {
            Ok(prepared) => prepared,
            Err(stopped) if stopped.code == EXIT_NO => {
                return Err(unsigned_layout(
                    args,
                    layout,
                    artifact.as_ref(),
                    now,
                    stopped,
                ))
            }
            Err(stopped) => return Err(stopped),
        },
        (Some(policy), None) => verify_inputs::policy(policy)?,
        (None, None) => {
            return Err(Stopped::from(
                Box::new(verify_inputs::InputError::NoPolicy) as Stop
            ))
        }
    };
    let Prepared {
        layout,
        source,
        policy_sha256,
        x509,
    } = prepared;
    let mut layout = match eval::instantiate(&layout, &params) {
        Ok(layout) => layout,
        Err(missing) => {
            let stops: Vec<Stop> = missing
                .iter()
                .map(|m| {
                    let finding = Finding::missing_param(m);
                    Box::new(verify_inputs::InputError::MissingParam {
                        name: m.name.clone(),
                        source_code: source.named_source(),
                        span: m.span.into(),
                        help: finding.help.unwrap_or_default(),
                    }) as Stop
                })
                .collect();
            return Err(stops.into());
        }
    };

    // As in-toto-verify, a classic layout's links are in `.` unless told otherwise.
    let here = PathBuf::from(".");
    let links = match (&args.links, &args.layout) {
        (Some(dir), _) => Some(dir),
        (None, Some(_)) if args.bundles.is_empty() => Some(&here),
        (None, _) => None,
    };
    let mut unreadable_evidence = Vec::new();
    // X.509 functionaries join the layout's keys before any link is read.
    let (mut extra, accounted) = match (&x509, links) {
        (Some(policy), Some(dir)) => {
            verify_classic::admit_certificates(&mut layout, policy, dir, now)?
        }
        _ => (Vec::new(), Vec::new()),
    };
    let keys = verify_inputs::trusted_keys(&layout)?;
    let (verified, rejected) = match links {
        Some(dir) => {
            let cx = verify_classic::Context {
                now,
                run_inspections: args.run_inspections,
                inspection_dir: &args.inspection_dir,
                inspection_timeout: args.inspection_limit(),
                color,
                accounted: &accounted,
                in_toto_names: args.layout.is_some(),
            };
            let found = verify_classic::links(&layout, &keys, dir, 0, &cx)?;
            extra.extend(verify_classic::ignored_finding(dir, &found.ignored));
            extra.extend(verify_classic::misnamed_findings(&found.misnamed));
            (found.verified, found.rejected)
        }
        None => {
            let sigstore = sigstore_trust(args, &layout, &keys)?;
            let (loaded, unreadable) =
                load_policy_evidence(&args.bundles, &keys, &sigstore, color)?;
            unreadable_evidence = unreadable;
            (loaded.verified, loaded.rejected)
        }
    };

    let artifact = match (artifact, &args.artifact) {
        (Some(given), Some(path)) => Some(widen_artifact(given, path, &verified)?),
        (artifact, _) => artifact,
    };

    let results = if args.run_inspections {
        run_inspections(&layout, &args.inspection_dir, args.inspection_limit())?
    } else {
        BTreeMap::new()
    };
    let inspections = if args.run_inspections {
        Inspections::Ran(&results)
    } else {
        Inspections::NotRun
    };
    let input = Input {
        layout: &layout,
        attestations: &verified,
        now,
        artifact: artifact.as_ref().map(|(_, d)| d),
        inspections,
    };
    let explaining = args.explain || mode != Mode::Verify;
    let (mut verdict, trace) = if explaining {
        eval::evaluate_traced(&input)
    } else {
        (eval::evaluate(&input), eval::Trace::default())
    };
    verdict.add_rejections(&layout, &rejected);
    verdict.add_unreadable(&unreadable_evidence);
    verdict.add_findings(extra);

    let enabled = color.enabled();
    let files = super::explain::evidence_texts(&verdict);
    match mode {
        Mode::Verify => {
            verify_output::print_with_evidence(&verdict, &source, &files, args.format, enabled);
            if args.explain {
                err!(
                    "\n{}",
                    crate::report::trail(&verdict, &trace, &source, false)
                );
            }
        }
        Mode::Explain { all } => {
            super::explain::print(&verdict, &trace, &source, &files, args.format, all, enabled);
        }
    }
    if let Some(path) = &args.vsa {
        let vsa = verify_output::VsaRequest {
            path,
            key: args.vsa_key.as_deref(),
            resource_uri: args.resource_uri.as_deref(),
            policy_uri: &policy_uri(args),
            policy_sha256: &policy_sha256,
            artifact: artifact.as_ref(),
            now,
        };
        verify_output::write_vsa(&vsa, &layout, &verdict, &verified)?;
    }
    // The process ends after this: freeing the evidence (hundreds of
    // thousands of artifacts, one allocation each) would only delay the exit.
    std::mem::forget(verified);
    Ok(if verdict.passed() { EXIT_OK } else { EXIT_NO })
}

/// The `--artifact` file's digests with every algorithm cairn computes that
/// the evidence's subjects and products use besides sha256 (npm's subjects
/// carry sha512 only), so that it can match them.
fn widen_artifact(
    (name, digests): Artifact,
    path: &std::path::Path,
    verified: &[Verified<Attestation>],
) -> Result<Artifact, Stop> {
    use crate::record::FileHash;
    let mut wanted: Vec<FileHash> = vec![FileHash::Sha256];
    let note = |wanted: &mut Vec<FileHash>, set: &DigestSet| {
        for h in set.keys().filter_map(FileHash::from_name) {
            if !wanted.contains(&h) {
                wanted.push(h);
            }
        }
    };
    for attestation in verified {
        match &attestation.value().body {
            Body::Statement(statement) => {
                for subject in &statement.subjects {
                    note(&mut wanted, &subject.digest);
                }
            }
            Body::Link(link) => {
                for digests in link.products.values() {
                    note(&mut wanted, digests);
                }
            }
        }
        if wanted.len() == FileHash::ALL.len() {
            break;
        }
    }
    // sha256 is in `digests` already: only the others are computed.
    let extra = wanted.get(1..).unwrap_or_default();
    if extra.is_empty() {
        return Ok((name, digests));
    }
    let more = crate::record::hash_file_with(path, extra).map_err(|e| Box::new(e) as Stop)?;
    let mut digests = digests;
    for (alg, value) in more.iter() {
        digests.insert_str(alg, value.into_owned());
    }
    Ok((name, digests))
}

/// Loads `paths` and checks every attestation against `keys`. Malformed
/// input stops verification (exit 2); warnings are printed, and no
/// problem is left in the result.
pub(super) fn load_evidence(
    paths: &[PathBuf],
    keys: &[evidence::TrustedKey],
    color: ColorChoice,
) -> Result<evidence::Checked, Stopped> {
    load_evidence_with(paths, keys, None, color)
}

/// What Sigstore bundles are checked with: the trusted roots of
/// `--trusted-root` (or else the policy's `trust-root`), the policy's
/// identities and its keys. No root is read when neither names one; a
/// bundle then counts for no one, and the finding says why.
fn sigstore_trust(
    args: &VerifyArgs,
    layout: &crate::ir::Layout,
    keys: &[evidence::TrustedKey],
) -> Result<evidence::sigstore::SigstoreTrust, Stop> {
    let path = args.trusted_root.clone().or_else(|| {
        layout
            .trust_root
            .as_ref()
            .map(|t| PathBuf::from(&t.resolved))
    });
    let roots = match path {
        Some(path) => super::verify_bundle::read_trust_roots(&path, &super::limits())
            .map_err(|e| Box::new(e) as Stop)?,
        None => Vec::new(),
    };
    let identities = layout
        .identities
        .iter()
        .enumerate()
        .map(|(i, id)| (layout.keys.len() + i, crate::lower::identity::matcher(id)))
        .collect();
    let keys = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((i, k.key.spki_der()?)))
        .collect();
    Ok(evidence::sigstore::SigstoreTrust {
        roots,
        identities,
        keys,
    })
}

/// [`load_evidence`], with Sigstore bundles checked against `sigstore`.
pub(super) fn load_evidence_with(
    paths: &[PathBuf],
    keys: &[evidence::TrustedKey],
    sigstore: Option<&evidence::sigstore::SigstoreTrust>,
    color: ColorChoice,
) -> Result<evidence::Checked, Stopped> {
    let (checked, errors) = load_and_warn(paths, keys, sigstore, color);
    if !errors.is_empty() {
        return Err(stops(errors));
    }
    Ok(checked)
}

/// Loads a policy's evidence (`--bundle`). An attestation that cannot be
/// read is returned apart, to be reported as a finding and not counted; the
/// run stops (exit 2) only when none of the evidence could be read.
fn load_policy_evidence(
    paths: &[PathBuf],
    keys: &[evidence::TrustedKey],
    sigstore: &evidence::sigstore::SigstoreTrust,
    color: ColorChoice,
) -> Result<(evidence::Checked, Vec<evidence::EvidenceError>), Stopped> {
    let (checked, errors) = load_and_warn(paths, keys, Some(sigstore), color);
    if !errors.is_empty() && checked.verified.is_empty() && checked.rejected.is_empty() {
        return Err(stops(errors));
    }
    Ok((checked, errors))
}

/// Loads and checks the evidence, prints its warnings, and returns its
/// errors apart.
fn load_and_warn(
    paths: &[PathBuf],
    keys: &[evidence::TrustedKey],
    sigstore: Option<&evidence::sigstore::SigstoreTrust>,
    color: ColorChoice,
) -> (evidence::Checked, Vec<evidence::EvidenceError>) {
    let mut checked = evidence::load_verified_with(paths, &super::limits(), keys, sigstore);
    let (warnings, errors): (Vec<_>, Vec<_>) = std::mem::take(&mut checked.problems)
        .into_iter()
        .partition(|p| miette::Diagnostic::severity(p) == Some(miette::Severity::Warning));
    report_capped(
        warnings
            .iter()
            .map(|w| w as &(dyn miette::Diagnostic + Send + Sync)),
        color,
    );
    (checked, errors)
}

fn stops(errors: Vec<evidence::EvidenceError>) -> Stopped {
    let errors: Vec<Stop> = errors.into_iter().map(|p| Box::new(p) as Stop).collect();
    errors.into()
}

/// The policy or layout as named on the command line (the VSA's `policy.uri`).
fn policy_uri(args: &VerifyArgs) -> String {
    args.layout
        .as_ref()
        .or(args.policy.as_ref())
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// A classic layout its owners did not sign: verification failed (exit 1)
/// before any verdict. A VSA asked for says FAILED; writing it may still
/// fail (exit 2).
fn unsigned_layout(
    args: &VerifyArgs,
    layout: &Path,
    artifact: Option<&Artifact>,
    now: i64,
    mut stopped: Stopped,
) -> Stopped {
    let Some(path) = &args.vsa else {
        return stopped;
    };
    let written = verify_inputs::file_sha256(layout).and_then(|policy_sha256| {
        let request = verify_output::VsaRequest {
            path,
            key: args.vsa_key.as_deref(),
            resource_uri: args.resource_uri.as_deref(),
            policy_uri: &policy_uri(args),
            policy_sha256: &policy_sha256,
            artifact,
            now,
        };
        verify_output::write_failed_vsa(&request)
    });
    if let Err(e) = written {
        stopped.code = EXIT_ERROR;
        stopped.diagnostics.push(e);
    }
    stopped
}

pub(super) fn run_inspections(
    layout: &crate::ir::Layout,
    dir: &std::path::Path,
    timeout: Option<std::time::Duration>,
) -> Result<BTreeMap<InspectionId, evidence::Link>, Stop> {
    let mut results = BTreeMap::new();
    for (i, inspection) in layout.inspections.iter().enumerate() {
        let scratch = verify_inputs::scratch_copy(dir)?;
        let link = crate::record::run_inspection(
            &inspection.name,
            &inspection.run.argv,
            &scratch,
            timeout,
        );
        let _ = std::fs::remove_dir_all(&scratch);
        let id = InspectionId(u32::try_from(i).unwrap_or(u32::MAX));
        results.insert(id, link.map_err(|e| Box::new(e) as Stop)?);
    }
    Ok(results)
}

/// The artifact given on the command line: how it was named, and its digests.
pub type Artifact = (String, DigestSet);

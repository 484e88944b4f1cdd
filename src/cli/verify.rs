//! `cairn verify`: evaluate a policy (or a classic in-toto layout) against
//! the attestations a supply chain produced; report every finding; write a
//! VSA on request.
//!
//! Exit 0: verified; 1: the policy is violated; 2: cairn could not evaluate
//! (bad flags, unreadable or malformed policy or evidence).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::keyio::report;
use super::verify_output;
use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn::{Artifact, Diagnostic as Stop, Policy, Warning};

/// `cairn verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The policy (`.cairn`) to verify against; omitted with `--layout`;
    /// `-` reads it from standard input.
    #[arg(
        value_name = "POLICY",
        required_unless_present = "layout",
        conflicts_with = "layout"
    )]
    pub policy: Option<PathBuf>,
    /// Attestations: `.intoto.jsonl` bundles, DSSE envelopes, Sigstore
    /// bundles, classic links, or directories of them (repeatable); `-`
    /// reads one from standard input, and a pipe (`<(cmd)`) is read too.
    #[arg(
        long = "bundle",
        value_name = "PATH",
        required_unless_present = "layout"
    )]
    pub bundles: Vec<PathBuf>,
    /// The Sigstore trusted root Sigstore bundles are verified with (one
    /// root, or several as JSON lines); overrides the policy's `trust-root`.
    /// Not with `--layout`.
    #[arg(long, value_name = "FILE", env = "CAIRN_TRUSTED_ROOT")]
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
    /// (what `cairn explain` prints; with json or markdown only with `--verbose`).
    #[arg(long)]
    pub explain: bool,
    /// Output format of the result on stdout: human, json (`docs/report.md`;
    /// stderr then stays empty but for errors that stop cairn, unless
    /// `--verbose`) or markdown (for `$GITHUB_STEP_SUMMARY`).
    #[arg(
        long,
        value_enum,
        default_value_t = verify_output::Format::Human,
        env = "CAIRN_FORMAT"
    )]
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
        cairn_record::seconds_limit(self.inspection_timeout)
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

/// The paths of a `verify` that may be `-` (standard input): the policy
/// and the `--bundle`s.
pub fn stdin_paths(args: &VerifyArgs) -> Vec<&Path> {
    args.policy
        .iter()
        .chain(&args.bundles)
        .map(PathBuf::as_path)
        .collect()
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
            // A failure before a verdict is in the result of a machine
            // format; what stops cairn (exit 2) is always said.
            if code != EXIT_NO
                || args.format == verify_output::Format::Human
                || super::shell::chatty()
            {
                report_capped(diagnostics.iter().map(AsRef::as_ref), color);
            }
            if code == EXIT_NO {
                let now = clock(args.time.as_deref()).ok();
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

/// Prints what a verification noticed on the way: diagnostics capped per
/// code, plain notes as `warning:` lines, in the order found.
fn print_warnings(warnings: &[Warning], color: ColorChoice) {
    if !super::shell::chatty() {
        return;
    }
    let mut diagnostics = Vec::new();
    for w in warnings {
        match w {
            Warning::Diagnostic(d) => diagnostics.push(d.as_ref()),
            Warning::Note(note) => errln!("warning: {note}"),
        }
    }
    report_capped(diagnostics.into_iter(), color);
}

/// Verification stopped before a verdict: exit 2 (could not evaluate) or,
/// for a layout that its owners did not sign, exit 1.
pub struct Stopped {
    /// The exit code.
    pub code: u8,
    /// What to print.
    pub diagnostics: Vec<Stop>,
}

impl From<cairn::Error> for Stopped {
    fn from(e: cairn::Error) -> Self {
        Stopped {
            code: if e.is_failure() { EXIT_NO } else { EXIT_ERROR },
            diagnostics: e.into_diagnostics(),
        }
    }
}

impl From<Stop> for Stopped {
    fn from(diagnostic: Stop) -> Self {
        Stopped {
            code: EXIT_ERROR,
            diagnostics: vec![diagnostic],
        }
    }
}

/// One clock reading: `--time`, or the system clock.
pub fn clock(time: Option<&str>) -> Result<i64, Stop> {
    match time {
        Some(text) => cairn::parse_time(text).ok_or_else(|| {
            Box::new(cairn::InputError::Time {
                given: text.to_string(),
            }) as Stop
        }),
        None => Ok(time::OffsetDateTime::now_utc().unix_timestamp()),
    }
}

/// The final artifact from `--artifact FILE` or `--subject ALG:HEX`.
fn artifact(args: &VerifyArgs) -> Result<Option<Artifact>, cairn::Error> {
    match (&args.artifact, &args.subject) {
        (Some(path), _) => Ok(Some(Artifact::File(path.clone()))),
        (None, Some(given)) => Artifact::parse_subject(given).map(Some),
        (None, None) => Ok(None),
    }
}

fn verify(args: &VerifyArgs, color: ColorChoice, mode: Mode) -> Result<u8, Stopped> {
    super::shell::set_machine(args.format != verify_output::Format::Human);
    let now = clock(args.time.as_deref())?;
    let params = cairn::parse_params(&args.params)?;
    let artifact = artifact(args)?;
    let limits = super::limits();
    verify_output::prepare_vsa(args.vsa.as_deref(), artifact.is_some())?;
    let policy = match (&args.policy, &args.layout) {
        (_, Some(layout)) => match Policy::classic(layout, &args.layout_keys, &params, &limits) {
            Ok(policy) => policy,
            Err(e) if e.is_failure() => {
                return Err(unsigned_layout(
                    args,
                    layout,
                    artifact.as_ref(),
                    now,
                    e.into(),
                ))
            }
            Err(e) => return Err(e.into()),
        },
        (Some(policy), None) => Policy::from_file(policy)?,
        (None, None) => return Err(Stopped::from(Box::new(cairn::InputError::NoPolicy) as Stop)),
    };
    let explaining = args.explain || mode != Mode::Verify;
    let mut options = cairn::Options::at(now);
    options.evidence.clone_from(&args.bundles);
    options.links.clone_from(&args.links);
    options.trusted_root.clone_from(&args.trusted_root);
    options.artifact = artifact;
    options.params = params;
    options.inspections = args.run_inspections.then(|| cairn::InspectionRun {
        dir: args.inspection_dir.clone(),
        timeout: args.inspection_limit(),
        scratch: std::env::temp_dir(),
    });
    options.trace = explaining;
    options.limits = limits;
    let progress = super::shell::Progress::start("verifying the evidence");
    let verified = cairn::verify(&policy, &options);
    drop(progress);
    let report = match verified {
        Ok(report) => report,
        Err(e) => {
            print_warnings(e.warnings(), color);
            return Err(e.into());
        }
    };
    print_warnings(report.warnings(), color);

    let enabled = color.enabled();
    match mode {
        Mode::Verify => {
            verify_output::print(&report, args.format, enabled);
            // The trail is for people: in a machine format only with `--verbose`.
            if args.explain
                && (args.format == verify_output::Format::Human || super::shell::chatty())
            {
                err!("\n{}", report.trail(false));
            }
        }
        Mode::Explain { all } => {
            verify_output::print_explained(&report, args.format, all, enabled);
        }
    }
    if let Some(path) = &args.vsa {
        let key = match &args.vsa_key {
            Some(path) => {
                Some(super::keyio::read_private_key(path).map_err(|e| Box::new(e) as Stop)?)
            }
            None => None,
        };
        let vsa = report.vsa(&cairn::VsaOptions {
            key: key.as_ref(),
            resource_uri: args.resource_uri.as_deref(),
            policy_uri: None,
        })?;
        super::keyio::write_file(path, &vsa, false).map_err(|e| Box::new(e) as Stop)?;
        wrote_vsa(path, args.vsa_key.is_some(), report.passed());
    }
    let passed = report.passed();
    // The process ends after this: freeing the evidence (hundreds of
    // thousands of artifacts, one allocation each) would only delay the exit.
    std::mem::forget(report);
    Ok(if passed { EXIT_OK } else { EXIT_NO })
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
    let written = (|| -> Result<(), Stop> {
        let key = match &args.vsa_key {
            Some(path) => {
                Some(super::keyio::read_private_key(path).map_err(|e| Box::new(e) as Stop)?)
            }
            None => None,
        };
        let options = cairn::VsaOptions {
            key: key.as_ref(),
            resource_uri: args.resource_uri.as_deref(),
            policy_uri: None,
        };
        let text = cairn::failed_layout_vsa(layout, artifact, now, &options)
            .map_err(|e| e.into_diagnostics().into_iter().next())
            .map_err(|d| d.unwrap_or_else(|| Box::new(cairn::VsaError::NoArtifact)))?;
        super::keyio::write_file(path, &text, false).map_err(|e| Box::new(e) as Stop)?;
        wrote_vsa(path, args.vsa_key.is_some(), false);
        Ok(())
    })();
    if let Err(e) = written {
        stopped.code = EXIT_ERROR;
        stopped.diagnostics.push(e);
    }
    stopped
}

/// Says on stderr which VSA was written (unless `--quiet`, or in a machine
/// format without `--verbose`).
fn wrote_vsa(path: &Path, signed: bool, passed: bool) {
    super::shell::note(&format!(
        "wrote {} VSA ({}) to {}",
        if signed { "a signed" } else { "an unsigned" },
        if passed { "PASSED" } else { "FAILED" },
        cairn_base::escape::escape(&path.display().to_string())
    ));
}

//! The verification pipeline: the policy's keys and trust, the evidence
//! loaded and checked, the artifact, inspections when asked for, the
//! evaluation, and the findings of what could not be counted.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cairn_eval::{Finding, Input, Inspections};
use cairn_evidence::{Attestation, Body, DigestSet, Limits, Verified};
use cairn_lang::ir::InspectionId;

use crate::error::{Diagnostic, Error, Warning};
use crate::inputs::{self, InputError};
use crate::policy::Policy;
use crate::report::Report;

/// The final artifact a verification is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artifact {
    /// A file, hashed with sha256 (and with sha384 or sha512 when the
    /// evidence uses them). It is read when [`verify`] runs.
    File(PathBuf),
    /// A digest set, named as given (the VSA's `resourceUri` by default).
    Digest {
        /// How the artifact was named.
        name: String,
        /// Its digests by algorithm.
        digest: DigestSet,
    },
}

impl Artifact {
    /// An artifact given as `ALG:HEX`, such as `sha256:ab12...`.
    ///
    /// ```
    /// let artifact = cairn::Artifact::parse_subject("sha256:AB12").unwrap();
    /// assert!(matches!(artifact, cairn::Artifact::Digest { .. }));
    /// assert!(cairn::Artifact::parse_subject("sha256").is_err());
    /// ```
    pub fn parse_subject(given: &str) -> Result<Artifact, Error> {
        let (name, digest) = inputs::parse_subject(given)?;
        Ok(Artifact::Digest { name, digest })
    }
}

/// Inspections to run: the policy's `inspect` commands, each in a scratch
/// copy of `dir`. Running them executes programs the policy names, so a
/// caller opts in explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRun {
    /// The directory inspections inspect (copied to a scratch directory first).
    pub dir: PathBuf,
    /// How long an inspection may run (`None`: no limit).
    pub timeout: Option<Duration>,
}

/// How to verify: everything a verification depends on besides the policy.
/// Nothing is read from the clock or the environment: the time is given.
#[derive(Debug, Clone)]
pub struct Options {
    /// The evaluation time, in seconds since the Unix epoch (see
    /// [`parse_time`](crate::parse_time)).
    pub time: i64,
    /// Attestation files or directories of them: `.intoto.jsonl` bundles,
    /// DSSE envelopes, Sigstore bundles, classic links.
    pub evidence: Vec<PathBuf>,
    /// A folder of classic links, read as in-toto does
    /// (`<step>.<keyid8>.link`, sublayouts in `<step>.<keyid8>/`). A
    /// classic layout with neither this nor [`Options::evidence`] reads `.`.
    pub links: Option<PathBuf>,
    /// The Sigstore trusted root file (one root, or several as JSON lines);
    /// overrides the policy's `trust-root`.
    pub trusted_root: Option<PathBuf>,
    /// The final artifact; it must be a product of the step named by
    /// `artifact from`.
    pub artifact: Option<Artifact>,
    /// Parameter values, overriding the policy's defaults.
    pub params: BTreeMap<String, String>,
    /// Run the policy's inspections (`None`: they are not run, and a step
    /// that needs one fails).
    pub inspections: Option<InspectionRun>,
    /// Record the evidence trail for [`Report::trail`] (slower).
    pub trace: bool,
    /// Size limits for every file read.
    pub limits: Limits,
}

impl Options {
    /// Options for verifying at `time` (seconds since the Unix epoch), with
    /// no evidence yet and the default limits.
    pub fn at(time: i64) -> Options {
        Options {
            time,
            evidence: Vec::new(),
            links: None,
            trusted_root: None,
            artifact: None,
            params: BTreeMap::new(),
            inspections: None,
            trace: false,
            limits: Limits::default(),
        }
    }
}

/// Verifies the evidence of `options` against `policy`.
///
/// `Ok` carries the verdict, pass or fail, with every finding; `Err` means
/// verification stopped before a verdict: the inputs could not be used, or
/// (for a classic layout) a sublayout failed, see [`Error::is_failure`].
/// One attestation that cannot be read among readable ones is a finding
/// (V121) and is not counted; verification stops only when no evidence at
/// all can be read.
pub fn verify(policy: &Policy, options: &Options) -> Result<Report, Error> {
    let warnings = RefCell::new(Vec::new());
    match run(policy, options, &warnings) {
        Ok(mut report) => {
            report.set_warnings(warnings.into_inner());
            Ok(report)
        }
        Err(e) => Err(e.with_warnings(warnings.into_inner())),
    }
}

fn run(
    policy: &Policy,
    options: &Options,
    warnings: &RefCell<Vec<Warning>>,
) -> Result<Report, Error> {
    let now = options.time;
    let artifact = match &options.artifact {
        Some(Artifact::File(path)) => {
            let digest = cairn_record::hash_file(path).map_err(|e| Box::new(e) as Diagnostic)?;
            Some((path.display().to_string(), digest))
        }
        Some(Artifact::Digest { name, digest }) => Some((name.clone(), digest.clone())),
        None => None,
    };
    let prepared = policy.prepared();
    let source = &prepared.source;
    let mut layout = match cairn_eval::instantiate(&prepared.layout, &options.params) {
        Ok(layout) => layout,
        Err(missing) => {
            let stops: Vec<Diagnostic> = missing
                .iter()
                .map(|m| {
                    let finding = Finding::missing_param(m);
                    Box::new(InputError::MissingParam {
                        name: m.name.clone(),
                        source_code: source.named_source(),
                        span: m.span.into(),
                        help: finding.help.unwrap_or_default(),
                    }) as Diagnostic
                })
                .collect();
            return Err(stops.into());
        }
    };

    // As in-toto-verify, a classic layout's links are in `.` unless told otherwise.
    let here = PathBuf::from(".");
    let links = match &options.links {
        Some(dir) => Some(dir),
        None if policy.is_classic() && options.evidence.is_empty() => Some(&here),
        None => None,
    };
    let mut unreadable_evidence = Vec::new();
    // X.509 functionaries join the layout's keys before any link is read.
    let (mut extra, accounted) = match (&prepared.x509, links) {
        (Some(certs), Some(dir)) => {
            crate::classic::admit_certificates(&mut layout, certs, dir, now)?
        }
        _ => (Vec::new(), Vec::new()),
    };
    let keys = inputs::trusted_keys(&layout)?;
    let (verified, rejected) = match links {
        Some(dir) => {
            let cx = crate::classic::Context {
                now,
                inspections: options.inspections.as_ref(),
                limits: &options.limits,
                warnings,
                accounted: &accounted,
                in_toto_names: policy.is_classic(),
            };
            let found = crate::classic::links(&layout, &keys, dir, 0, &cx)?;
            extra.extend(crate::classic::ignored_finding(dir, &found.ignored));
            extra.extend(crate::classic::misnamed_findings(&found.misnamed));
            (found.verified, found.rejected)
        }
        None => {
            let sigstore = sigstore_trust(options, &layout, &keys)?;
            let (loaded, unreadable) =
                load_policy_evidence(&options.evidence, &keys, &sigstore, options, warnings)?;
            unreadable_evidence = unreadable;
            (loaded.verified, loaded.rejected)
        }
    };

    let artifact = match (artifact, &options.artifact) {
        (Some(given), Some(Artifact::File(path))) => Some(widen_artifact(given, path, &verified)?),
        (artifact, _) => artifact,
    };

    let results = match &options.inspections {
        Some(run) => run_inspections(&layout, Some(run))?,
        None => BTreeMap::new(),
    };
    let input = Input {
        layout: &layout,
        attestations: &verified,
        now,
        artifact: artifact.as_ref().map(|(_, d)| d),
        inspections: if options.inspections.is_some() {
            Inspections::Ran(&results)
        } else {
            Inspections::NotRun
        },
    };
    let (mut verdict, trace) = if options.trace {
        cairn_eval::evaluate_traced(&input)
    } else {
        (cairn_eval::evaluate(&input), cairn_eval::Trace::default())
    };
    verdict.add_rejections(&layout, &rejected);
    verdict.add_unreadable(&unreadable_evidence);
    verdict.add_findings(extra);
    Ok(Report::new(
        policy, layout, verdict, trace, verified, artifact, now,
    ))
}

/// The artifact file's digests with every algorithm cairn computes that
/// the evidence's subjects and products use besides sha256 (npm's subjects
/// carry sha512 only), so that it can match them.
fn widen_artifact(
    (name, digests): (String, DigestSet),
    path: &Path,
    verified: &[Verified<Attestation>],
) -> Result<(String, DigestSet), Diagnostic> {
    use cairn_record::FileHash;
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
    let more = cairn_record::hash_file_with(path, extra).map_err(|e| Box::new(e) as Diagnostic)?;
    let mut digests = digests;
    for (alg, value) in more.iter() {
        digests.insert_str(alg, value.into_owned());
    }
    Ok((name, digests))
}

/// What Sigstore bundles are checked with: the trusted roots of
/// [`Options::trusted_root`] (or else the policy's `trust-root`), the
/// policy's identities and its keys. No root is read when neither names
/// one; a bundle then counts for no one, and the finding says why.
fn sigstore_trust(
    options: &Options,
    layout: &cairn_lang::ir::Layout,
    keys: &[cairn_evidence::TrustedKey],
) -> Result<cairn_evidence::sigstore::SigstoreTrust, Diagnostic> {
    let path = options.trusted_root.clone().or_else(|| {
        layout
            .trust_root
            .as_ref()
            .map(|t| PathBuf::from(&t.resolved))
    });
    let roots = match path {
        Some(path) => cairn_evidence::sigstore::read_trust_roots(&path, &options.limits)
            .map_err(|e| Box::new(e) as Diagnostic)?,
        None => Vec::new(),
    };
    let identities = layout
        .identities
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                layout.keys.len() + i,
                cairn_lang::lower::identity::matcher(id),
            )
        })
        .collect();
    let keys = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((i, k.key.spki_der()?)))
        .collect();
    Ok(cairn_evidence::sigstore::SigstoreTrust {
        roots,
        identities,
        keys,
    })
}

/// Loads `paths` and checks every attestation against `keys` (and Sigstore
/// bundles against `sigstore`). Malformed input stops verification;
/// warnings are collected, and no problem is left in the result.
pub(crate) fn load_evidence(
    paths: &[PathBuf],
    keys: &[cairn_evidence::TrustedKey],
    sigstore: Option<&cairn_evidence::sigstore::SigstoreTrust>,
    limits: &Limits,
    warnings: &RefCell<Vec<Warning>>,
) -> Result<cairn_evidence::Checked, Error> {
    let (checked, errors) = load_and_warn(paths, keys, sigstore, limits, warnings);
    if !errors.is_empty() {
        return Err(stops(errors));
    }
    Ok(checked)
}

/// Loads a policy's evidence. An attestation that cannot be read is
/// returned apart, to be reported as a finding and not counted; the run
/// stops only when none of the evidence could be read.
fn load_policy_evidence(
    paths: &[PathBuf],
    keys: &[cairn_evidence::TrustedKey],
    sigstore: &cairn_evidence::sigstore::SigstoreTrust,
    options: &Options,
    warnings: &RefCell<Vec<Warning>>,
) -> Result<(cairn_evidence::Checked, Vec<cairn_evidence::EvidenceError>), Error> {
    let (checked, errors) = load_and_warn(paths, keys, Some(sigstore), &options.limits, warnings);
    if !errors.is_empty() && checked.verified.is_empty() && checked.rejected.is_empty() {
        return Err(stops(errors));
    }
    Ok((checked, errors))
}

/// Loads and checks the evidence, keeps its warnings, and returns its
/// errors apart.
fn load_and_warn(
    paths: &[PathBuf],
    keys: &[cairn_evidence::TrustedKey],
    sigstore: Option<&cairn_evidence::sigstore::SigstoreTrust>,
    limits: &Limits,
    warnings: &RefCell<Vec<Warning>>,
) -> (cairn_evidence::Checked, Vec<cairn_evidence::EvidenceError>) {
    let mut checked = cairn_evidence::load_verified_with(paths, limits, keys, sigstore);
    let (found, errors): (Vec<_>, Vec<_>) = std::mem::take(&mut checked.problems)
        .into_iter()
        .partition(|p| miette::Diagnostic::severity(p) == Some(miette::Severity::Warning));
    warnings.borrow_mut().extend(
        found
            .into_iter()
            .map(|w| Warning::Diagnostic(Box::new(w) as Diagnostic)),
    );
    (checked, errors)
}

fn stops(errors: Vec<cairn_evidence::EvidenceError>) -> Error {
    let errors: Vec<Diagnostic> = errors
        .into_iter()
        .map(|p| Box::new(p) as Diagnostic)
        .collect();
    errors.into()
}

/// Runs the inspections of `layout`, each in a fresh scratch copy of the
/// inspected directory.
pub(crate) fn run_inspections(
    layout: &cairn_lang::ir::Layout,
    run: Option<&InspectionRun>,
) -> Result<BTreeMap<InspectionId, cairn_evidence::Link>, Diagnostic> {
    let mut results = BTreeMap::new();
    let Some(run) = run else {
        return Ok(results);
    };
    for (i, inspection) in layout.inspections.iter().enumerate() {
        let scratch = inputs::scratch_copy(&run.dir)?;
        let link = cairn_record::run_inspection(
            &inspection.name,
            &inspection.run.argv,
            &scratch,
            run.timeout,
        );
        let _ = std::fs::remove_dir_all(&scratch);
        let id = InspectionId(u32::try_from(i).unwrap_or(u32::MAX));
        results.insert(id, link.map_err(|e| Box::new(e) as Diagnostic)?);
    }
    Ok(results)
}

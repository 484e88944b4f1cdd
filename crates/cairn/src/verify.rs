//! The verification pipeline: the policy's keys and trust, the evidence
//! loaded and checked, the artifact, inspections when asked for, the
//! evaluation, and the findings of what could not be counted.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cairn_eval::{Finding, Input, Inspections};
use cairn_evidence::{Attestation, Body, DigestSet, Verified};

use crate::error::{Diagnostic, Error, Warning};
use crate::inputs::{self, InputError};
use crate::options::{Artifact, Options};
use crate::policy::Policy;
use crate::report::Report;

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
        None if policy.is_classic()
            && options.evidence.is_empty()
            && options.documents.is_empty() =>
        {
            Some(&here)
        }
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
    let mut ignored_links: Vec<String> = Vec::new();
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
            ignored_links.clone_from(&found.ignored);
            extra.extend(crate::classic::ignored_finding(dir, &found.ignored));
            extra.extend(crate::classic::misnamed_findings(&found.misnamed));
            (found.verified, found.rejected)
        }
        None => {
            let sigstore = sigstore_trust(options, &layout, &keys)?;
            let (loaded, unreadable) = crate::gather::load_policy_evidence(
                &options.evidence,
                &options.documents,
                &keys,
                &sigstore,
                &options.limits,
                warnings,
            )?;
            unreadable_evidence = unreadable;
            (loaded.verified, loaded.rejected)
        }
    };

    let artifact = match (artifact, &options.artifact) {
        (Some(given), Some(Artifact::File(path))) => Some(widen_artifact(given, path, &verified)?),
        (artifact, _) => artifact,
    };

    let results = match &options.inspections {
        Some(run) => crate::gather::run_inspections(&layout, Some(run))?,
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
    if policy.is_classic() {
        classic_advice(&mut verdict, policy.text(), &ignored_links);
    }
    let mut report = Report::new(policy, layout, verdict, trace, verified, artifact, now);
    report.set_documents(&options.documents);
    Ok(report)
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

/// Findings on a classic layout speak of what its JSON can say: a classic
/// layout cannot name the step that produces the final artifact, so `V117`
/// advises verifying without one (or importing the layout to a policy that
/// can), and underlines the layout's `steps` member rather than the whole
/// `signed` object.
fn classic_advice(verdict: &mut cairn_eval::Verdict, text: &str, ignored: &[String]) {
    use cairn_interop::classic::locate::{Locator, Path};
    let steps = Locator::new(text).find_member_name(&Path::default(), "steps");
    for f in &mut verdict.findings {
        // A step without a link whose link is in the folder under another
        // keyid8: say which file, and why in-toto never opens it.
        if f.code == cairn_eval::Code::NoEvidence && f.actual.as_deref() == Some("none") {
            let prefix = f.step.as_deref().map(|s| format!("{s}."));
            let named: Vec<String> = ignored
                .iter()
                .filter(|file| prefix.as_deref().is_some_and(|p| file.starts_with(p)))
                .map(|file| format!("`{file}`"))
                .collect();
            if !named.is_empty() {
                let step = f.step.as_deref().unwrap_or_default();
                f.help = Some(format!(
                    "{} names this step, but not as `{step}.<keyid8>.link` for one of its functionaries, the only links in-toto opens (V153): rename it for the key that signed it if that key is a functionary of the step, or have one record the step",
                    named.join(", ")
                ));
            }
        }
        if f.code != cairn_eval::Code::ArtifactNotBound {
            continue;
        }
        f.help = Some(
            "a classic in-toto layout has no place to say which step produces the artifact: verify without `--artifact` (the links' products are checked by the steps' rules), or import the layout with `cairn import` and add `artifact from STEP` to the policy".to_string(),
        );
        if let Some(span) = steps {
            f.span = Some(span);
            f.label = Some("none of these steps is named as the artifact's producer".to_string());
        }
    }
}

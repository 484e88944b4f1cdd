//! Gathering what a verdict is made of: evidence loaded and checked (its
//! warnings kept), and inspections run.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

use cairn_evidence::Limits;
use cairn_lang::ir::InspectionId;

use crate::error::{Diagnostic, Error, Warning};
use crate::inputs;
use crate::options::InspectionRun;

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
pub(crate) fn load_policy_evidence(
    paths: &[PathBuf],
    documents: &[(String, Vec<u8>)],
    keys: &[cairn_evidence::TrustedKey],
    sigstore: &cairn_evidence::sigstore::SigstoreTrust,
    limits: &Limits,
    warnings: &RefCell<Vec<Warning>>,
) -> Result<(cairn_evidence::Checked, Vec<cairn_evidence::EvidenceError>), Error> {
    let (mut checked, mut errors) = load_and_warn(paths, keys, Some(sigstore), limits, warnings);
    if !documents.is_empty() {
        // What the files used of the total is no longer available to bytes.
        let mut rest = limits.clone();
        let used: u64 = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len())
            .sum();
        rest.max_total_bytes = rest.max_total_bytes.saturating_sub(used);
        let mut more = cairn_evidence::load_verified_bytes(documents, &rest, keys, Some(sigstore));
        let (found, failed) = split(std::mem::take(&mut more.problems));
        keep(found, warnings);
        errors.extend(failed);
        checked.verified.extend(more.verified);
        checked.rejected.extend(more.rejected);
        checked.layouts.extend(more.layouts);
    }
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
    let (found, errors) = split(std::mem::take(&mut checked.problems));
    keep(found, warnings);
    (checked, errors)
}

/// Warnings apart from errors.
fn split(
    problems: Vec<cairn_evidence::EvidenceError>,
) -> (
    Vec<cairn_evidence::EvidenceError>,
    Vec<cairn_evidence::EvidenceError>,
) {
    problems
        .into_iter()
        .partition(|p| miette::Diagnostic::severity(p) == Some(miette::Severity::Warning))
}

fn keep(found: Vec<cairn_evidence::EvidenceError>, warnings: &RefCell<Vec<Warning>>) {
    warnings.borrow_mut().extend(
        found
            .into_iter()
            .map(|w| Warning::Diagnostic(Box::new(w) as Diagnostic)),
    );
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
        let scratch = inputs::scratch_copy(&run.dir, &run.scratch)?;
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

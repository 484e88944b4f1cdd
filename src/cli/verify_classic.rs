//! The links of a classic in-toto layout (`cairn verify --layout`), with
//! sublayouts: a file at a step's link path (`<step>.<keyid8>.link`) whose
//! payload is a layout is verified on its own, with that functionary's key
//! as its only layout key and its links in `<step>.<keyid8>/` beside it, and
//! its summary link then stands for the step (`reference/in-toto.md` 3.4,
//! 3.8). Nesting is limited to [`MAX_DEPTH`] levels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::keyio::report;
use super::verify::{Stop, Stopped};
use super::verify_inputs;
use super::{ColorChoice, EXIT_NO};
use crate::eval::{self, Input, Inspections};
use crate::evidence::{self, Attestation, Body, Link, TrustedKey, Verified};
use crate::ir::Layout;

/// How deeply sublayouts may nest below the root layout.
pub const MAX_DEPTH: usize = 8;

/// What every level of a classic verification shares.
pub struct Context<'a> {
    /// The one clock reading.
    pub now: i64,
    /// `--run-inspections`.
    pub run_inspections: bool,
    /// The directory inspections inspect.
    pub inspection_dir: &'a Path,
    /// How long an inspection may run (`None`: no limit).
    pub inspection_timeout: Option<std::time::Duration>,
    /// `--color`.
    pub color: ColorChoice,
}

/// The errors of sublayout verification.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SublayoutError {
    /// Sublayouts nested more deeply than [`MAX_DEPTH`].
    #[error("sublayout `{file}` is nested more than {MAX_DEPTH} levels deep")]
    #[diagnostic(
        code(E540),
        help("flatten the supply chain: a sublayout may contain sublayouts down to {MAX_DEPTH} levels")
    )]
    TooDeep {
        /// The sublayout file.
        file: String,
    },
    /// A sublayout that failed its own verification.
    #[error("sublayout `{file}` for step `{step}` failed verification")]
    #[diagnostic(code(V192))]
    Failed {
        /// The sublayout file.
        file: String,
        /// The step it stands for.
        step: String,
        /// Its findings, one per line.
        #[help]
        findings: String,
    },
}

/// Loads and verifies the links of `layout` from `dir` (signed by `keys`,
/// the layout's own keys in IR order), replacing every sublayout by its
/// summary link. A directory that does not exist holds no links.
pub fn links(
    layout: &Layout,
    keys: &[TrustedKey],
    dir: &Path,
    depth: usize,
    cx: &Context<'_>,
) -> Result<(Vec<Verified<Attestation>>, Vec<evidence::Rejected>), Stopped> {
    let paths = if depth > 0 && !dir.is_dir() {
        Vec::new()
    } else {
        verify_inputs::link_files(dir)?
    };
    let loaded = super::verify::load_evidence(&paths, keys, cx.color)?;
    let (mut verified, rejected) = (loaded.verified, loaded.rejected);
    for item in loaded.layouts {
        if let Some(summary) = sublayout(layout, keys, item, dir, depth, cx)? {
            verified.push(summary);
        }
    }
    Ok((verified, rejected))
}

/// Splits `<step>.<keyid8>.link` into the step name and the keyid prefix.
fn link_name(file: &str) -> Option<(&str, &str)> {
    let stem = Path::new(file)
        .file_name()?
        .to_str()?
        .strip_suffix(".link")?;
    let (step, prefix) = stem.rsplit_once('.')?;
    (prefix.len() == 8).then_some((step, prefix))
}

/// Verifies one sublayout; `None` when it does not count for its step
/// (a file name naming no functionary of a step, or a bad signature: in-toto
/// skips such links too, and the step's threshold then decides).
fn sublayout(
    layout: &Layout,
    keys: &[TrustedKey],
    item: evidence::UnverifiedLayout,
    dir: &Path,
    depth: usize,
    cx: &Context<'_>,
) -> Result<Option<Verified<Attestation>>, Stopped> {
    let file = item.origin.file.clone();
    let Some((step_name, prefix)) = link_name(&file) else {
        errln!("warning: `{file}` holds a layout but is not named `<step>.<keyid8>.link`; it is ignored");
        return Ok(None);
    };
    let Some((step, index)) = layout.steps.iter().find_map(|step| {
        (step.name == step_name).then_some(())?;
        let key = step.by.keys.iter().find(|k| {
            layout
                .keys
                .get(k.0 as usize)
                .is_some_and(|key| key.keyid.starts_with(prefix))
        })?;
        Some((step, key.0 as usize))
    }) else {
        errln!("warning: `{file}` holds a layout but names no functionary of a step `{step_name}`; it is ignored");
        return Ok(None);
    };
    if depth >= MAX_DEPTH {
        return Err(Stopped::from(
            Box::new(SublayoutError::TooDeep { file }) as Stop
        ));
    }
    let origin = item.origin.clone();
    let sha256 = item.sha256.clone();
    let signed = match evidence::verify_sublayout(item, keys, index) {
        Ok(signed) => signed,
        Err(rejected) => {
            report(rejected.as_ref(), cx.color);
            return Ok(None);
        }
    };
    // in-toto passes no parameters down to a sublayout.
    let prepared = verify_inputs::import_verified(
        signed.value(),
        file.clone(),
        step_name,
        sha256.clone(),
        &BTreeMap::new(),
    )?;
    let sub = match eval::instantiate(&prepared.layout, &BTreeMap::new()) {
        Ok(sub) => sub,
        Err(missing) => {
            return Err(failed(
                &file,
                &step.name,
                missing
                    .iter()
                    .map(|m| format!("parameter `{}` has no value", m.name)),
            ))
        }
    };
    let sub_keys = verify_inputs::trusted_keys(&sub)?;
    let sub_dir: PathBuf = dir.join(format!("{step_name}.{prefix}"));
    let (attestations, rejected) = links(&sub, &sub_keys, &sub_dir, depth + 1, cx)?;
    for r in &rejected {
        report(r, cx.color);
    }
    let results = if cx.run_inspections {
        super::verify::run_inspections(&sub, cx.inspection_dir, cx.inspection_timeout)?
    } else {
        BTreeMap::new()
    };
    let input = Input {
        layout: &sub,
        attestations: &attestations,
        now: cx.now,
        artifact: None,
        inspections: if cx.run_inspections {
            Inspections::Ran(&results)
        } else {
            Inspections::NotRun
        },
    };
    let verdict = eval::evaluate(&input);
    if !verdict.passed() {
        return Err(failed(
            &file,
            &step.name,
            verdict
                .denials()
                .map(|f| format!("{}: {}", f.code.as_str(), f.message)),
        ));
    }
    let counted = |i: usize| -> Option<&Link> {
        let report = verdict.steps.get(i)?;
        let c = report.considered.iter().find(|c| c.counted)?;
        match &attestations.get(c.index)?.value().body {
            Body::Link(link) => Some(link),
            Body::Statement(_) => None,
        }
    };
    let first = counted(0);
    let last = verdict.steps.len().checked_sub(1).and_then(counted);
    let summary = Link {
        name: step.name.clone(),
        command: last.map(|l| l.command.clone()).unwrap_or_default(),
        materials: first.map(|l| l.materials.clone()).unwrap_or_default(),
        products: last.map(|l| l.products.clone()).unwrap_or_default(),
        byproducts: last.map_or(serde_json::Value::Null, |l| l.byproducts.clone()),
        environment: serde_json::Value::Null,
    };
    Ok(Some(evidence::summary_link(
        &signed, origin, sha256, summary,
    )))
}

fn failed(file: &str, step: &str, findings: impl Iterator<Item = String>) -> Stopped {
    Stopped {
        code: EXIT_NO,
        diagnostics: vec![Box::new(SublayoutError::Failed {
            file: file.to_string(),
            step: step.to_string(),
            findings: findings.collect::<Vec<_>>().join("\n"),
        })],
    }
}

#[cfg(test)]
mod tests {
    use super::link_name;

    #[test]
    fn link_names_split_at_the_last_dot() {
        assert_eq!(
            link_name("dir/build.v2.abcdef01.link"),
            Some(("build.v2", "abcdef01"))
        );
        assert_eq!(link_name("build.abc.link"), None);
        assert_eq!(link_name("build.abcdef01.json"), None);
    }
}

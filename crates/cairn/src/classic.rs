//! The links of a classic in-toto layout (`cairn verify --layout`), with
//! sublayouts: a file at a step's link path (`<step>.<keyid8>.link`) whose
//! payload is a layout is verified on its own, with that functionary's key
//! as its only layout key and its links in `<step>.<keyid8>/` beside it, and
//! its summary link then stands for the step (`reference/in-toto.md` 3.4,
//! 3.8). Nesting is limited to [`MAX_DEPTH`] levels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::cell::RefCell;

use crate::error::{Diagnostic as Stop, Error as Stopped, Warning};
use crate::inputs as verify_inputs;
use cairn_eval::{Code, Finding, Input, Inspections};
use cairn_evidence::keys::PublicKey;
use cairn_evidence::scheme::Scheme;
use cairn_evidence::x509::CertPolicy;
use cairn_evidence::{Attestation, Body, Link, TrustedKey, Verified};
use cairn_lang::ir::Layout;

/// How deeply sublayouts may nest below the root layout.
pub const MAX_DEPTH: usize = 8;

/// What every level of a classic verification shares.
pub struct Context<'a> {
    /// The one clock reading.
    pub now: i64,
    /// The inspections to run, if asked for.
    pub inspections: Option<&'a crate::options::InspectionRun>,
    /// The size limits evidence is read with.
    pub limits: &'a cairn_evidence::Limits,
    /// What was noticed on the way.
    pub warnings: &'a RefCell<Vec<Warning>>,
    /// Link files already looked at as certificate functionaries' links
    /// (never listed as ignored).
    pub accounted: &'a [PathBuf],
    /// Only in-toto's link file names are read (`--layout`); a `.cairn`
    /// policy's `--links` folder is read whole.
    pub in_toto_names: bool,
}

impl Context<'_> {
    fn warn(&self, note: String) {
        self.warnings.borrow_mut().push(Warning::Note(note));
    }
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

/// The links of one level, as in-toto reads them.
pub struct Links {
    /// Links (and sublayout summaries) whose signature verified.
    pub verified: Vec<Verified<Attestation>>,
    /// Links no trusted key verified.
    pub rejected: Vec<cairn_evidence::Rejected>,
    /// Files of the folder (or a sublayout's) that are no link of the
    /// layout: not named `<step>.<keyid8>.link` for a step and one of its
    /// functionaries. in-toto never opens them; neither does cairn.
    pub ignored: Vec<String>,
    /// Links signed, but not by the functionary their file name gives
    /// (file, signers): in-toto checks a link only against the key its name
    /// gives, so they do not count.
    pub misnamed: Vec<(String, String)>,
}

/// Loads and verifies the links of `layout` from `dir` (signed by `keys`,
/// the layout's own keys in IR order), replacing every sublayout by its
/// summary link. A directory that does not exist holds no links. Only
/// `<step>.<keyid8>.link` files are read, `keyid8` the first 8 hex digits
/// of a functionary key of that step (in-toto's `LinkNameFormat`); files in
/// `accounted` were already looked at (certificate functionaries).
pub fn links(
    layout: &Layout,
    keys: &[TrustedKey],
    dir: &Path,
    depth: usize,
    cx: &Context<'_>,
) -> Result<Links, Stopped> {
    let all = if depth > 0 && !dir.is_dir() {
        Vec::new()
    } else {
        verify_inputs::link_files(dir)?
    };
    let (paths, ignored): (Vec<PathBuf>, Vec<PathBuf>) = all
        .into_iter()
        .partition(|p| (!cx.in_toto_names && depth == 0) || names_a_functionary(layout, p));
    let ignored = ignored
        .into_iter()
        .filter(|p| !cx.accounted.contains(p))
        .map(|p| {
            if depth == 0 {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            } else {
                p.display().to_string()
            }
        })
        .collect::<Vec<_>>();
    let loaded = crate::gather::load_evidence(&paths, keys, None, cx.limits, cx.warnings)?;
    let by_name = cx.in_toto_names || depth > 0;
    let (verified, misnamed): (Vec<_>, Vec<_>) = loaded
        .verified
        .into_iter()
        .partition(|v| !by_name || signed_as_named(layout, v));
    let misnamed = misnamed
        .iter()
        .map(|v| {
            let signers: Vec<String> = v
                .signers()
                .iter()
                .map(|&i| cairn_eval::key_label(layout, i))
                .collect();
            (v.value().origin.file.clone(), signers.join(", "))
        })
        .collect();
    let mut out = Links {
        verified,
        rejected: loaded.rejected,
        ignored,
        misnamed,
    };
    for item in loaded.layouts {
        if let Some(summary) = sublayout(layout, keys, item, dir, depth, cx, &mut out.ignored)? {
            out.verified.push(summary);
        }
    }
    Ok(out)
}

/// Whether `path` is named `<step>.<keyid8>.link` for a step of `layout`
/// and a key of that step's functionaries.
fn names_a_functionary(layout: &Layout, path: &Path) -> bool {
    let Some((step, prefix)) = path.to_str().and_then(link_name) else {
        return false;
    };
    functionary(layout, step, prefix).is_some()
}

/// Whether a verified link was signed by the key its file name gives.
fn signed_as_named(layout: &Layout, v: &Verified<Attestation>) -> bool {
    let Some((_, prefix)) = link_name(&v.value().origin.file) else {
        return true;
    };
    v.signers().iter().any(|&i| {
        layout.keys.get(i).is_some_and(|key| {
            key.keyid.starts_with(prefix) || key.legacy_keyid.starts_with(prefix)
        })
    })
}

/// The V155 finding for each link signed by another key than its name gives.
pub fn misnamed_findings(misnamed: &[(String, String)]) -> Vec<Finding> {
    misnamed
        .iter()
        .map(|(file, signers)| {
            let named = link_name(file).map_or("?", |(_, p)| p);
            Finding::warn(
                Code::MisnamedLink,
                format!("`{file}` is signed by {signers}, not by the functionary its name gives (keyid `{named}…`); it does not count"),
            )
            .origin(&cairn_evidence::Origin {
                file: file.clone(),
                line: None,
                entry: None,
            })
            .values(format!("signed by the key with keyid `{named}…`"), format!("signed by {signers}"))
            .help("in-toto checks a link only against the key whose keyid starts with the 8 hex digits in its file name; save it as `<step>.<keyid8>.link` of the key that signed it")
        })
        .collect()
}

/// The step named `step` and the index of its functionary key whose keyid
/// (as the layout wrote it, by either formula) starts with `prefix`.
fn functionary<'l>(
    layout: &'l Layout,
    step: &str,
    prefix: &str,
) -> Option<(&'l cairn_lang::ir::Step, usize)> {
    layout.steps.iter().find_map(|s| {
        (s.name == step).then_some(())?;
        let key = s.by.keys.iter().find(|k| {
            layout.keys.get(k.0 as usize).is_some_and(|key| {
                key.keyid.starts_with(prefix) || key.legacy_keyid.starts_with(prefix)
            })
        })?;
        Some((s, key.0 as usize))
    })
}

/// The V153 finding listing `ignored` files, if any.
pub fn ignored_finding(dir: &Path, ignored: &[String]) -> Option<Finding> {
    if ignored.is_empty() {
        return None;
    }
    let n = ignored.len();
    Some(
        Finding::warn(
            Code::IgnoredFiles,
            format!(
                "{n} file{} in `{}` {} no link of this layout and {} ignored",
                if n == 1 { "" } else { "s" },
                dir.display(),
                if n == 1 { "is" } else { "are" },
                if n == 1 { "was" } else { "were" },
            ),
        )
        .values(
            "`<step>.<keyid8>.link` for a step and one of its functionary keys",
            ignored.join(", "),
        )
        .help("in-toto reads only links named `<step>.<keyid8>.link` (keyid8: the first 8 hex digits of the functionary's keyid) and sublayout folders `<step>.<keyid8>`; rename a link for it to count"),
    )
}

/// Admits the X.509 functionaries of `policy`: for every step with
/// `cert_constraints`, each `<step>.<keyid8>.link` in `dir` whose keyid8
/// names none of the step's keys is read, and the certificate of its
/// signature with that keyid prefix is checked ([`CertPolicy::admit`]). An
/// admitted certificate's key joins the layout's keys and the step's
/// functionaries (the link's signature is then checked like any other).
/// Returns a V154 warning for every such file not admitted, and the files
/// looked at.
pub fn admit_certificates(
    layout: &mut Layout,
    policy: &CertPolicy,
    dir: &Path,
    now: i64,
) -> Result<(Vec<Finding>, Vec<PathBuf>), Stopped> {
    let mut notes = Vec::new();
    let mut accounted = Vec::new();
    if !dir.is_dir() {
        return Ok((notes, accounted));
    }
    for path in verify_inputs::link_files(dir)? {
        let Some((step_name, prefix)) = path.to_str().and_then(link_name) else {
            continue;
        };
        if !policy.steps.contains_key(step_name) || functionary(layout, step_name, prefix).is_some()
        {
            continue;
        }
        let Some(index) = layout.steps.iter().position(|s| s.name == step_name) else {
            continue;
        };
        accounted.push(path.clone());
        let file = path.display().to_string();
        let refuse = |why: String| {
            Finding::warn(
                Code::CertificateRefused,
                format!("`{file}` does not count for step `{step_name}`: {why}"),
            )
            .step(step_name)
            .origin(&cairn_evidence::Origin {
                file: file.clone(),
                line: None,
                entry: None,
            })
            .help("a link signed by a key outside the step's `pubkeys` counts only when its signature carries a certificate (`cert`) that chains to the layout's `rootcas` through its `intermediatecas`, valid at the verification time, and matches one of the step's `cert_constraints`")
        };
        match certified_key(policy, step_name, prefix, &path, now) {
            Ok((key, label)) => {
                let step_span = layout
                    .steps
                    .get(index)
                    .map(|s| s.by.span)
                    .unwrap_or_default();
                let id = add_key(layout, &key, label, step_span);
                if let Some(step) = layout.steps.get_mut(index) {
                    if !step.by.keys.contains(&id) {
                        step.by.keys.push(id);
                    }
                }
            }
            Err(why) => notes.push(refuse(why)),
        }
    }
    Ok((notes, accounted))
}

/// The key of the certificate on `path`'s signature whose keyid starts with
/// `prefix`, once [`CertPolicy::admit`] accepted it for `step`.
fn certified_key(
    policy: &CertPolicy,
    step: &str,
    prefix: &str,
    path: &Path,
    now: i64,
) -> Result<(PublicKey, String), String> {
    let limits = cairn_evidence::limits::Limits::default();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err("it is larger than a link may be".into());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("it is not JSON: {e}"))?;
    let signature = value
        .get("signatures")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .find(|s| {
            s.get("keyid")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|k| k.starts_with(prefix))
        })
        .ok_or_else(|| format!("it has no signature whose keyid starts with `{prefix}`"))?;
    let keyid = signature
        .get("keyid")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let cert = signature
        .get("cert")
        .and_then(serde_json::Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            format!("keyid `{keyid}` is none of the step's `pubkeys`, and its signature carries no certificate")
        })?;
    let admitted = policy.admit(step, cert, now)?;
    let scheme = Scheme::default_for(&admitted.key);
    if !cairn_evidence::keyfile::keyids(&admitted.key, scheme.name())
        .iter()
        .any(|k| k == keyid)
    {
        return Err(format!(
            "the signature's keyid `{keyid}` is not the keyid of its certificate's key"
        ));
    }
    Ok((admitted.key, format!("certificate `{}`", admitted.subject)))
}

/// Adds `key` to the layout's keys (once) and returns its index.
fn add_key(
    layout: &mut Layout,
    key: &PublicKey,
    name: String,
    span: cairn_base::source::Span,
) -> cairn_lang::ir::KeyId {
    let scheme = Scheme::default_for(key).name();
    let public = key.public_text();
    if let Some(i) = layout
        .keys
        .iter()
        .position(|k| k.public == public && k.scheme == scheme)
    {
        return cairn_lang::ir::KeyId(u32::try_from(i).unwrap_or(u32::MAX));
    }
    let keytype = key.keytype();
    layout.keys.push(cairn_lang::ir::Key {
        name,
        keytype: keytype.to_string(),
        scheme: scheme.to_string(),
        keyid: cairn_evidence::keys::keyid(keytype, scheme, &public, false),
        // in-toto-golang's keyid of a certificate's key: the legacy formula
        // over the PEM without its final newline (what link file names use).
        legacy_keyid: cairn_evidence::keys::keyid(keytype, scheme, public.trim_end(), true),
        public,
        span,
    });
    cairn_lang::ir::KeyId(u32::try_from(layout.keys.len() - 1).unwrap_or(u32::MAX))
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
    item: cairn_evidence::UnverifiedLayout,
    dir: &Path,
    depth: usize,
    cx: &Context<'_>,
    ignored: &mut Vec<String>,
) -> Result<Option<Verified<Attestation>>, Stopped> {
    let file = item.origin.file.clone();
    let Some((step_name, prefix)) = link_name(&file) else {
        cx.warn(format!(
            "`{file}` holds a layout but is not named `<step>.<keyid8>.link`; it is ignored"
        ));
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
        cx.warn(format!(
            "`{file}` holds a layout but names no functionary of a step `{step_name}`; it is ignored"
        ));
        return Ok(None);
    };
    if depth >= MAX_DEPTH {
        return Err(Stopped::from(
            Box::new(SublayoutError::TooDeep { file }) as Stop
        ));
    }
    let origin = item.origin.clone();
    let sha256 = item.sha256.clone();
    let signed = match cairn_evidence::verify_sublayout(item, keys, index) {
        Ok(signed) => signed,
        Err(rejected) => {
            cx.warnings
                .borrow_mut()
                .push(Warning::Diagnostic(rejected as Stop));
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
        false,
    )?;
    let sub = match cairn_eval::instantiate(&prepared.layout, &BTreeMap::new()) {
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
    let Links {
        verified: attestations,
        rejected,
        ignored: sub_ignored,
        misnamed: sub_misnamed,
    } = links(&sub, &sub_keys, &sub_dir, depth + 1, cx)?;
    ignored.extend(sub_ignored);
    for f in misnamed_findings(&sub_misnamed) {
        cx.warn(f.message);
    }
    for r in rejected {
        cx.warnings
            .borrow_mut()
            .push(Warning::Diagnostic(Box::new(r)));
    }
    let results = crate::gather::run_inspections(&sub, cx.inspections)?;
    let input = Input {
        layout: &sub,
        attestations: &attestations,
        now: cx.now,
        artifact: None,
        inspections: if cx.inspections.is_some() {
            Inspections::Ran(&results)
        } else {
            Inspections::NotRun
        },
    };
    let verdict = cairn_eval::evaluate(&input);
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
    Ok(Some(cairn_evidence::summary_link(
        &signed, origin, sha256, summary,
    )))
}

fn failed(file: &str, step: &str, findings: impl Iterator<Item = String>) -> Stopped {
    Stopped::failure(vec![Box::new(SublayoutError::Failed {
        file: file.to_string(),
        step: step.to_string(),
        findings: findings.collect::<Vec<_>>().join("\n"),
    })])
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

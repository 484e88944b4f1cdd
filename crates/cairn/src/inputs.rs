//! What a verification reads before it evaluates: times, parameters, the
//! final artifact, and the layout (a `.cairn` policy, or a classic in-toto
//! layout whose owner signatures are checked first), and the input errors of
//! verification (`E45x`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::error::{Diagnostic as Stop, Error as Stopped};
use cairn_base::source::SourceFile;
use cairn_evidence::{keys::PublicKey, DigestSet, Scheme, TrustedKey};
use cairn_lang::ir::Layout;

/// A layout ready to evaluate, with the text its spans point into.
pub struct Prepared {
    /// The layout, not yet instantiated with parameters.
    pub layout: Layout,
    /// The policy (or classic layout) text, for rendering findings.
    pub source: SourceFile,
    /// The policy's digest for a VSA's `policy.digest`: sha256 of its exact
    /// bytes, or of the manifest of its files when it imports any
    /// (`cairn_lang::lower::imports::policy_digest`).
    pub policy_sha256: String,
    /// A classic layout's X.509 functionaries (`rootcas`,
    /// `intermediatecas`, `cert_constraints`), if it has any.
    pub x509: Option<cairn_evidence::x509::CertPolicy>,
}

/// The input errors of verification.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InputError {
    /// Neither a policy nor `--layout`.
    #[error("nothing to verify against")]
    #[diagnostic(
        code(E450),
        help("give a policy file, or `--layout` with `--layout-key`")
    )]
    NoPolicy,
    /// `--time` is not RFC 3339.
    #[error("`--time {given}` is not an RFC 3339 time")]
    #[diagnostic(code(E451), help("write it like `2026-01-01T00:00:00Z`"))]
    Time {
        /// What was given.
        given: String,
    },
    /// `--param` without `=`, or with an empty or repeated name.
    #[error("`--param {given}` {problem}")]
    #[diagnostic(code(E452), help("write `--param NAME=VALUE`, once per name"))]
    Param {
        /// What was given.
        given: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// `--subject` that is not `ALG:HEX`.
    #[error("`--subject {given}` is not `ALG:HEX`")]
    #[diagnostic(
        code(E453),
        help("write it like `sha256:` followed by the lowercase hex digest")
    )]
    Subject {
        /// What was given.
        given: String,
    },
    /// A classic layout's X.509 member that cannot be used.
    #[error("`{path}`: {reason}")]
    #[diagnostic(
        code(E325),
        help("`rootcas` and `intermediatecas` map keyids to key objects whose `keyval.certificate` is a PEM certificate; `cert_constraints` is a list of {{common_name, dns_names, emails, organizations, roots, uris}}")
    )]
    X509 {
        /// The layout file.
        path: String,
        /// What is wrong, naming the JSON field.
        reason: String,
    },
    /// A file that could not be read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E454), help("check the path and its permissions"))]
    Read {
        /// The path.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// `--layout` names a file that holds no classic layout.
    #[error("`{path}` holds no in-toto layout")]
    #[diagnostic(code(E455), help("give a signed layout: a `{{signed, signatures}}` metablock or a DSSE envelope whose payload has `_type: layout`"))]
    NotALayout {
        /// The file.
        path: String,
    },
    /// `--layout` without `--layout-key`.
    #[error("`--layout` needs at least one `--layout-key`")]
    #[diagnostic(code(E456), help("pass the public key(s) of the layout's owner(s)"))]
    NoLayoutKey,
    /// A layout some given owner key did not sign.
    #[error("layout `{path}` is not signed by `{key}`")]
    #[diagnostic(
        code(V191),
        help("every `--layout-key` must have signed the layout; re-sign it or pass the right key")
    )]
    LayoutUnsigned {
        /// The layout file.
        path: String,
        /// The key that did not sign.
        key: String,
    },
    /// A policy key that the evidence layer cannot use.
    #[error("key `{name}` cannot verify signatures: {reason}")]
    #[diagnostic(code(E457), help("fix the key's material or its scheme in the policy"))]
    Key {
        /// The key's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A parameter without value or default.
    #[error("parameter `{name}` has no value")]
    #[diagnostic(code(V113))]
    MissingParam {
        /// The parameter.
        name: String,
        /// The policy text.
        #[source_code]
        source_code: miette::NamedSource<String>,
        /// Where it is used.
        #[label("used here")]
        span: miette::SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },
}

fn stop(e: InputError) -> Stop {
    Box::new(e)
}

/// Parses an RFC 3339 time to unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Formats unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(unix: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// `NAME=VALUE` parameter flags as a map (`--param`); a flag without `=`,
/// with an empty name or a name given twice is refused (E452).
pub fn parse_params(flags: &[String]) -> Result<BTreeMap<String, String>, Stop> {
    let mut values = BTreeMap::new();
    for flag in flags {
        let bad = |problem| {
            stop(InputError::Param {
                given: flag.clone(),
                problem,
            })
        };
        let (name, value) = flag.split_once('=').ok_or_else(|| bad("has no `=`"))?;
        if name.is_empty() {
            return Err(bad("has an empty name"));
        }
        if values.insert(name.to_string(), value.to_string()).is_some() {
            return Err(bad("repeats a name"));
        }
    }
    Ok(values)
}

/// A digest given as `ALG:HEX` (`--subject`), as the artifact's name and
/// its digest set; anything else is refused (E453).
pub fn parse_subject(given: &str) -> Result<(String, DigestSet), Stop> {
    let bad = || {
        stop(InputError::Subject {
            given: given.to_string(),
        })
    };
    let (alg, hex_text) = given.split_once(':').ok_or_else(bad)?;
    let well_formed = !alg.is_empty()
        && !hex_text.is_empty()
        && hex_text.len() % 2 == 0
        && hex_text.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(bad());
    }
    let digest = DigestSet::from([(alg.to_string(), hex_text.to_ascii_lowercase())]);
    Ok((given.to_string(), digest))
}

/// sha256 (hex) of a file's bytes (a layout's, for the VSA's `policy.digest`).
pub fn file_sha256(path: &Path) -> Result<String, Stop> {
    let bytes = std::fs::read(path).map_err(|e| {
        stop(InputError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    })?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The policy's keys as trusted keys, in IR order, so that signer indexes
/// are [`cairn_lang::ir::KeyId`]s.
pub fn trusted_keys(layout: &Layout) -> Result<Vec<TrustedKey>, Stop> {
    layout
        .keys
        .iter()
        .map(|key| {
            let bad = |reason: String| {
                stop(InputError::Key {
                    name: key.name.clone(),
                    reason,
                })
            };
            let public = if key.keytype == "ed25519" {
                PublicKey::from_ed25519_hex(&key.public)
            } else {
                PublicKey::from_pem(&key.public)
            }
            .map_err(|e| bad(e.to_string()))?;
            let scheme = Scheme::parse(&key.scheme, &public).map_err(|e| bad(e.to_string()))?;
            Ok(TrustedKey::new(public, scheme, key.name.clone()))
        })
        .collect()
}

/// The `*.link` files directly in a classic link directory, sorted.
pub fn link_files(dir: &Path) -> Result<Vec<PathBuf>, Stop> {
    let read = |e: std::io::Error| {
        stop(InputError::Read {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let entry = entry.map_err(read)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".link") && entry.file_type().map_err(read)?.is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// A fresh scratch directory under `root` holding a copy of `dir`: a new
/// directory is made (never one that is already there), named by the
/// process and a counter.
pub fn scratch_copy(dir: &Path, root: &Path) -> Result<PathBuf, Stop> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let failed = |path: &Path, e: std::io::Error| {
        stop(InputError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    };
    let scratch = loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let candidate = root.join(format!("cairn-inspect-{}-{n}", std::process::id()));
        match std::fs::create_dir(&candidate) {
            Ok(()) => break candidate,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(&candidate, e)),
        }
    };
    cairn_record::copy_tree(dir, &scratch).map_err(|e| Box::new(e) as Stop)?;
    Ok(scratch)
}

/// A `.cairn` policy, compiled.
pub fn policy(path: &Path) -> Result<Prepared, Stopped> {
    match cairn_lang::lower::compile_file_with_imports(path) {
        Ok((source, layout, files)) => Ok(Prepared {
            policy_sha256: cairn_lang::lower::imports::policy_digest(
                &cairn_lang::lower::imports::root_path(&source.name),
                &source.text,
                &files,
            ),
            layout,
            source,
            x509: None,
        }),
        Err(cairn_lang::lower::FileError::Io(e)) => Err(Stopped::from(Box::new(e) as Stop)),
        Err(cairn_lang::lower::FileError::Policy(_, errors)) => Err(Stopped::from(
            errors
                .reports
                .into_iter()
                .map(Box::<dyn miette::Diagnostic + Send + Sync>::from)
                .collect::<Vec<Stop>>(),
        )),
    }
}

/// A classic in-toto layout: loaded, its owner signatures checked (every
/// given key must have signed), parameters substituted as in-toto does, and
/// imported into the IR.
pub fn classic(
    path: &Path,
    key_paths: &[PathBuf],
    params: &BTreeMap<String, String>,
    limits: &cairn_evidence::Limits,
) -> Result<Prepared, Stopped> {
    if key_paths.is_empty() {
        return Err(Stopped::from(stop(InputError::NoLayoutKey)));
    }
    let keys = cairn_evidence::keyread::read_owner_keys(key_paths)
        .map_err(|e| Stopped::from(Box::new(e) as Stop))?;
    let mut loaded = cairn_evidence::load(&[path.to_path_buf()], limits);
    if !loaded.problems.is_empty() {
        let problems: Vec<Stop> = loaded
            .problems
            .into_iter()
            .map(|p| Box::new(p) as Stop)
            .collect();
        return Err(Stopped::from(problems));
    }
    let Some(item) = loaded.layouts.pop().filter(|_| loaded.layouts.is_empty()) else {
        return Err(Stopped::from(stop(InputError::NotALayout {
            path: path.display().to_string(),
        })));
    };
    let bytes = std::fs::read(path).map_err(|e| {
        Stopped::from(stop(InputError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        }))
    })?;
    let (_, verified) = cairn_evidence::verify_layout_source(item, &keys)
        .map_err(|rejected| Stopped::failure(vec![rejected as Stop]))?;
    let unsigned: Vec<Stop> = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| !verified.signers().contains(i))
        .map(|(_, key)| {
            stop(InputError::LayoutUnsigned {
                path: path.display().to_string(),
                key: key.label.clone(),
            })
        })
        .collect();
    if !unsigned.is_empty() {
        return Err(Stopped::failure(unsigned));
    }
    let name = path
        .file_stem()
        .map_or_else(|| "root".to_string(), |s| s.to_string_lossy().into_owned());
    let shown = if verified.value().text.as_bytes() == bytes.as_slice() {
        path.display().to_string()
    } else {
        format!("{} (DSSE payload)", path.display())
    };
    import_verified(
        verified.value(),
        shown,
        &name,
        hex::encode(Sha256::digest(&bytes)),
        params,
        true,
    )
}

/// A classic layout whose signatures were checked: parameters substituted
/// as in-toto does, then imported into the IR. `shown` names the text in
/// diagnostics; `sha256` is the digest of the file's exact bytes. With
/// `x509`, in-toto-golang's X.509 functionaries are read (into
/// [`Prepared::x509`]) rather than refused.
pub fn import_verified(
    layout: &cairn_evidence::LayoutSource,
    shown: String,
    name: &str,
    sha256: String,
    params: &BTreeMap<String, String>,
    x509: bool,
) -> Result<Prepared, Stopped> {
    let mut signed = layout.signed.clone();
    if !params.is_empty() {
        cairn_interop::classic::substitute_parameters(&mut signed, params).map_err(|missing| {
            Stopped::from(
                missing
                    .into_iter()
                    .map(|e| Box::new(e) as Stop)
                    .collect::<Vec<Stop>>(),
            )
        })?;
    }
    let certs = if x509 {
        cairn_evidence::x509::CertPolicy::read(&signed).map_err(|reason| {
            Stopped::from(stop(InputError::X509 {
                path: shown.clone(),
                reason,
            }))
        })?
    } else {
        None
    };
    let source = SourceFile::new(shown, layout.text.clone());
    match cairn_interop::classic::layout_to_ir_with(&signed, &source.text, name, x509) {
        Ok(layout) => Ok(Prepared {
            layout,
            source,
            policy_sha256: sha256,
            x509: certs,
        }),
        Err(errors) => Err(Stopped::from(
            errors
                .into_iter()
                .map(|e| {
                    Box::<dyn miette::Diagnostic + Send + Sync>::from(cairn_interop::report(
                        e, &source,
                    ))
                })
                .collect::<Vec<Stop>>(),
        )),
    }
}

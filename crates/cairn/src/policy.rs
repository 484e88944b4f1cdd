//! A policy ready to verify against: a compiled `.cairn` policy, or a
//! classic in-toto layout whose owner signatures were checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cairn_evidence::Limits;
use cairn_lang::ir::Layout;

use crate::error::{Diagnostic, Error};
use crate::inputs::{self, Prepared};

/// A compiled policy.
///
/// ```
/// let text = r#"
/// layout "demo" {
///   expires 2030-01-01T00:00:00Z
///   key ci = ed25519 "ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37"
///   step build {
///     by ci
///     products { create "*" }
///   }
/// }
/// "#;
/// let policy = cairn::Policy::from_source("demo.cairn", text, std::path::Path::new(".")).unwrap();
/// assert_eq!(policy.layout().name, "demo");
/// assert_eq!(policy.sha256().len(), 64);
///
/// let broken = cairn::Policy::from_source("broken.cairn", "layout {", std::path::Path::new("."));
/// assert!(broken.is_err());
/// ```
pub struct Policy {
    prepared: Prepared,
    uri: String,
    classic: bool,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("uri", &self.uri)
            .field("classic", &self.classic)
            .field("sha256", &self.prepared.policy_sha256)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Reads and compiles a `.cairn` policy file with the libraries it
    /// imports; the key files and libraries it names are read relative to
    /// its folder. Every diagnostic of the policy (and of its libraries,
    /// each against its own file) is in the error; a library is refused
    /// (E269).
    pub fn from_file(path: &Path) -> Result<Policy, Error> {
        Ok(Policy {
            prepared: inputs::policy(path)?,
            uri: path.display().to_string(),
            classic: false,
        })
    }

    /// Compiles policy text named `name` (the name diagnostics and the VSA
    /// use); the key files and the libraries it names (`import "PATH" as
    /// NAME`) are read relative to `base_dir`, as if the text were a file
    /// there.
    pub fn from_source(name: &str, text: &str, base_dir: &Path) -> Result<Policy, Error> {
        Policy::from_source_with(name, text, base_dir, &crate::FileLoader)
    }

    /// [`Policy::from_source`], reading the libraries the policy imports
    /// through `loader` (text the caller holds, such as an editor's open
    /// files) rather than from disk; paths given to the loader are
    /// `base_dir` joined with each import's path, lexically normalised.
    ///
    /// ```
    /// use std::path::{Path, PathBuf};
    ///
    /// struct Memory;
    /// impl cairn::Loader for Memory {
    ///     fn load(&self, path: &Path) -> Result<String, String> {
    ///         match path.to_str() {
    ///             Some("ws/base.cairn") => Ok(r#"library "base" {
    ///                 checks built for slsa-provenance/v1 { require $.runDetails.builder.id exists }
    ///             }"#.to_string()),
    ///             _ => Err("not open".to_string()),
    ///         }
    ///     }
    /// }
    /// let text = r#"
    /// import "base.cairn" as base
    /// layout "demo" {
    ///   key ci = ed25519 "ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37"
    ///   step build { by ci attestation slsa-provenance/v1 { checks base.built } }
    /// }
    /// "#;
    /// let policy = cairn::Policy::from_source_with("p.cairn", text, Path::new("ws"), &Memory).unwrap();
    /// assert_eq!(policy.layout().steps[0].attestations[0].checks.len(), 1);
    /// ```
    pub fn from_source_with(
        name: &str,
        text: &str,
        base_dir: &Path,
        loader: &dyn crate::Loader,
    ) -> Result<Policy, Error> {
        match cairn_lang::lower::compile_source_with_loader(name, text, base_dir, loader) {
            Ok((_, layout, files)) => Ok(Policy {
                prepared: Prepared {
                    layout,
                    source: cairn_base::source::SourceFile::new(name.to_string(), text.to_string()),
                    policy_sha256: cairn_lang::lower::imports::policy_digest(
                        &cairn_lang::lower::imports::root_path(name),
                        text,
                        &files,
                    ),
                    x509: None,
                },
                uri: name.to_string(),
                classic: false,
            }),
            Err(errors) => Err(Error::from(
                errors
                    .reports
                    .into_iter()
                    .map(Diagnostic::from)
                    .collect::<Vec<Diagnostic>>(),
            )),
        }
    }

    /// Reads a classic in-toto layout (a metablock or a DSSE envelope),
    /// checks that every key in `owner_keys` (public key files) signed it,
    /// substitutes `params` as in-toto does, and imports it. A layout its
    /// owners did not sign is a failure ([`Error::is_failure`]).
    pub fn classic(
        path: &Path,
        owner_keys: &[PathBuf],
        params: &BTreeMap<String, String>,
        limits: &Limits,
    ) -> Result<Policy, Error> {
        Ok(Policy {
            prepared: inputs::classic(path, owner_keys, params, limits)?,
            uri: path.display().to_string(),
            classic: true,
        })
    }

    /// The compiled policy (the IR `cairn compile` prints).
    pub fn layout(&self) -> &Layout {
        &self.prepared.layout
    }

    /// The policy's text.
    pub fn text(&self) -> &str {
        &self.prepared.source.text
    }

    /// The VSA's `policy.digest` (sha256, hex): of the policy's exact bytes,
    /// or, when it imports libraries, of the manifest of its files
    /// (`docs/report.md`, "The policy digest").
    pub fn sha256(&self) -> &str {
        &self.prepared.policy_sha256
    }

    /// The policy as named (a path or the name given), a VSA's `policy.uri`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// True for a classic in-toto layout.
    pub fn is_classic(&self) -> bool {
        self.classic
    }

    pub(crate) fn prepared(&self) -> &Prepared {
        &self.prepared
    }
}

/// The VSA of a classic layout its owners did not sign: FAILED, with no
/// inputs and the default verifier (the layout's own summary is not
/// trusted). Reads the layout file for its digest, and the artifact file
/// when one is given as a file.
pub fn failed_layout_vsa(
    layout: &Path,
    artifact: Option<&crate::options::Artifact>,
    time: i64,
    options: &crate::vsa::VsaOptions<'_>,
) -> Result<String, Error> {
    let policy_sha256 = inputs::file_sha256(layout)?;
    let artifact = match artifact {
        Some(crate::options::Artifact::File(path)) => {
            let digest = cairn_record::hash_file(path).map_err(|e| Box::new(e) as Diagnostic)?;
            Some((path.display().to_string(), digest))
        }
        Some(crate::options::Artifact::Digest { name, digest }) => {
            Some((name.clone(), digest.clone()))
        }
        None => None,
    };
    let parts = crate::vsa::Parts {
        artifact: artifact.as_ref(),
        policy_uri: &layout.display().to_string(),
        policy_sha256: &policy_sha256,
        now: time,
        inputs: Vec::new(),
        passed: false,
        levels: Vec::new(),
        verifier_id: crate::vsa::DEFAULT_VERIFIER.to_string(),
    };
    crate::vsa::text(parts, options).map_err(Error::from)
}

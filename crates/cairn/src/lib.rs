//! cairn: a policy language for software supply chains.
//!
//! A policy (`*.cairn`) names the steps of a supply chain, who may perform
//! each step (keys, Sigstore identities, thresholds), which artifacts each
//! step may consume and produce, and what each step's attestations must
//! claim. This crate compiles policies and verifies the attestations a chain
//! produced against them (in-toto links, in-toto Statements in DSSE
//! envelopes, Sigstore bundles, SLSA provenance, classic in-toto layouts),
//! and reports a verdict that explains every failure in the policy's terms,
//! with a SLSA Verification Summary Attestation on request.
//!
//! Nothing here prints, exits, or reads the clock or the environment: the
//! caller gives the time, the files and the limits. Running a policy's
//! inspections is opt-in ([`Options::inspections`]): it executes the
//! programs the policy names, each in a copy of the inspected folder made
//! under the directory the caller gives.
//!
//! This crate is the public face of the cairn workspace: it is built on the
//! stage crates (`cairn-base` for shared leaves, `cairn-json` for strict JSON,
//! `cairn-evidence` for untrusted bytes, `cairn-lang` for the language,
//! `cairn-interop` for classic in-toto and ITE-10, `cairn-eval` for
//! evaluation and reports, `cairn-record` for recording), and the `cairn`
//! binary (`cairn-cli`) sits on top of it. Of those crates it re-exports only
//! what a verification needs ([`Verdict`], [`Finding`], [`DigestSet`],
//! [`Limits`], [`SigningKey`], the compiled form [`ir`], ...).
//!
//! # Verifying
//!
//! Compile the policy once, then verify as many times as needed:
//!
//! ```
//! use std::path::{Path, PathBuf};
//!
//! # fn main() -> Result<(), cairn::Error> {
//! let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/release");
//! let policy = cairn::Policy::from_file(&root.join("policy.cairn"))?;
//!
//! let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
//! options.evidence = vec![root.join("bundles/pass.intoto.jsonl")];
//! options.artifact = Some(cairn::Artifact::File(root.join("artifacts/bin/foo-1.0")));
//!
//! let report = cairn::verify(&policy, &options)?;
//! assert!(report.passed());
//! assert!(report.summary().starts_with("PASS"));
//!
//! // A signed or unsigned VSA for the verified artifact.
//! let vsa = report.vsa(&cairn::VsaOptions::default())?;
//! assert!(vsa.contains("\"verificationResult\":\"PASSED\""));
//! # Ok(())
//! # }
//! ```
//!
//! Evidence can also be given as bytes, each with the name findings give
//! it ([`Options::documents`]), as a webhook or an event handler receives it.
//!
//! A failing verification is an `Ok` report whose findings say why; an
//! [`Error`] means no verdict could be reached (a policy that does not
//! compile, evidence that cannot be read at all), or, for a classic layout,
//! that verification failed before a verdict ([`Error::is_failure`]):
//!
//! ```
//! # use std::path::Path;
//! # fn main() -> Result<(), cairn::Error> {
//! let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/release");
//! let policy = cairn::Policy::from_file(&root.join("policy.cairn"))?;
//! let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
//! options.evidence = vec![root.join("bundles/failed-test.intoto.jsonl")];
//! options.artifact = Some(cairn::Artifact::File(root.join("artifacts/bin/foo-1.0")));
//!
//! let report = cairn::verify(&policy, &options)?;
//! assert!(!report.passed());
//! for finding in &report.verdict().findings {
//!     println!("{} {}", finding.code.as_str(), finding.message);
//! }
//! // The same findings with the policy line underlined, for a terminal.
//! let text = report.findings(false);
//! assert!(text.contains("V1"));
//! # Ok(())
//! # }
//! ```
//!
//! # Reports
//!
//! A [`Report`] is shown the ways `cairn verify` and `cairn explain` show it:
//! [`Report::summary`] (the result line and a line per step),
//! [`Report::findings`] (each finding with the policy line underlined),
//! [`Report::json`] (schema in `docs/report.md`), [`Report::trail`] (the
//! evidence trail, recorded only when [`Options::trace`] is set) and
//! [`Report::vsa`] (a SLSA VSA, signed with a [`SigningKey`] when
//! [`VsaOptions::key`] is given):
//!
//! ```
//! # use std::path::Path;
//! # fn main() -> Result<(), cairn::Error> {
//! let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/release");
//! let policy = cairn::Policy::from_file(&root.join("policy.cairn"))?;
//! let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
//! options.evidence = vec![root.join("bundles/failed-test.intoto.jsonl")];
//! options.trace = true;
//!
//! let report = cairn::verify(&policy, &options)?;
//! let json: serde_json::Value = serde_json::from_str(&report.json(true)).unwrap();
//! assert_eq!(json["verdict"], "FAIL");
//! assert!(json.get("trace").is_some());
//! assert!(!report.trail(false).is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! An [`Error`] holds every [`Diagnostic`] found, each with a code (`E...`),
//! a help line and, where it has one, the place in the policy or evidence it
//! concerns; [`render`] turns one into the text `cairn` prints:
//!
//! ```
//! # use std::path::Path;
//! let error = cairn::Policy::from_source("broken.cairn", "layout {", Path::new("."))
//!     .err()
//!     .unwrap();
//! assert!(!error.is_failure());
//! let text = cairn::render(error.diagnostics()[0].as_ref(), false);
//! assert!(text.contains("broken.cairn"));
//! ```
//!
//! # Trust
//!
//! Keys and Sigstore identities are part of the policy (`key`, `identity`);
//! the Sigstore trusted root is the policy's `trust-root` or
//! [`Options::trusted_root`]. A classic in-toto layout is trusted through
//! the public keys of its owners ([`Policy::classic`]); its links are read
//! from [`Options::links`] as in-toto reads them:
//!
//! ```
//! # use std::collections::BTreeMap;
//! # use std::path::Path;
//! # fn main() -> Result<(), cairn::Error> {
//! let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/classic/pass-metablock");
//! let policy = cairn::Policy::classic(
//!     &case.join("root.layout"),
//!     &[case.join("owner.pub")],
//!     &BTreeMap::new(),
//!     &cairn::Limits::default(),
//! )?;
//! assert!(policy.is_classic());
//!
//! let mut options = cairn::Options::at(cairn::parse_time("2026-06-01T00:00:00Z").unwrap());
//! options.links = Some(case);
//! assert!(cairn::verify(&policy, &options)?.passed());
//! # Ok(())
//! # }
//! ```
//!
//! # One bundle, one envelope
//!
//! [`bundle::verify_bundle`] is `cairn verify-bundle`: one Sigstore bundle
//! against a signer and a trusted root, without a policy.
//! [`envelope::verify_envelope`] is `cairn verify-envelope`: which of the
//! given keys signed each document of a file.
//!
//! # Writing policies
//!
//! [`format()`] is `cairn fmt`; [`lint()`] is `cairn lint` with its default
//! rule levels.
//!
//! ```
//! let text = "layout \"x\" {\nexpires 2030-01-01T00:00:00Z\nkey ci = ed25519 \"ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37\"\nstep build {\nby ci\n}\n}\n";
//! let formatted = cairn::format(text).unwrap();
//! assert!(formatted.contains("\n  step build {\n    by ci\n  }\n"));
//! assert_eq!(cairn::format(&formatted).unwrap(), formatted);
//!
//! let now = cairn::parse_time("2026-06-01T00:00:00Z").unwrap();
//! let findings = cairn::lint("x.cairn", &formatted, std::path::Path::new("."), now).unwrap();
//! // A step that produces nothing is worth a look.
//! assert!(!findings.is_empty());
//! for finding in &findings {
//!     println!("{} {}", finding.code, finding.message);
//! }
//! ```

#![deny(missing_docs)]

pub mod bundle;
mod classic;
pub mod envelope;
mod error;
mod gather;
mod inputs;
mod options;
mod policy;
mod report;
mod verify;
mod vsa;

use std::path::Path;

pub use cairn_eval::coverage::{Decision, PointKind};
pub use cairn_eval::{Code, Finding, Severity, Status, StepReport, Verdict};
pub use cairn_evidence::{DigestSet, EvidenceError, Limits, SigningKey, TrustedKey};
pub use error::{Diagnostic, Error, Warning};
pub use inputs::{format_time, parse_params, parse_time, InputError};
pub use options::{Artifact, InspectionRun, Options};
pub use policy::{failed_layout_vsa, Policy};
pub use report::Report;
pub use verify::verify;
pub use vsa::{JsonError, VsaError, VsaOptions};

/// The compiled form of a policy, as `cairn compile` prints it.
pub use cairn_lang::ir;

/// How the libraries a policy imports are read ([`Policy::from_source_with`]).
pub use cairn_lang::lower::imports::{FileLoader, Loader};

/// A finding of [`lint`].
pub use cairn_lang::lint::Finding as LintFinding;

/// Formats policy text as `cairn fmt` does (comments kept; formatting twice
/// changes nothing). Text that does not parse is an error.
pub fn format(text: &str) -> Result<String, Error> {
    cairn_lang::syntax::format_source(text).map_err(|e| {
        let report = miette::Report::new(e).with_source_code(text.to_string());
        Error::from(Diagnostic::from(report))
    })
}

/// Lints policy text named `name` with every rule at its default level
/// (`# cairn: allow(...)` comments applied) at `time` (seconds since the
/// Unix epoch; a layout about to expire is a finding); key files it names
/// are read relative to `base_dir`. A policy that does not compile is an
/// error with every compile diagnostic.
pub fn lint(name: &str, text: &str, base_dir: &Path, time: i64) -> Result<Vec<LintFinding>, Error> {
    let options = cairn_lang::lint::Options {
        now: time,
        expiry_warn_days: cairn_lang::lint::Options::DEFAULT_EXPIRY_WARN_DAYS,
    };
    cairn_lang::lint::lint_source(
        name,
        text,
        base_dir,
        &options,
        &cairn_lang::lint::Levels::default(),
    )
    .map_err(|errors| {
        Error::from(
            errors
                .reports
                .into_iter()
                .map(Diagnostic::from)
                .collect::<Vec<Diagnostic>>(),
        )
    })
}

/// Renders a diagnostic as `cairn` prints it: message, code, the labelled
/// source lines, help. `color` adds ANSI colours.
pub fn render(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    cairn_base::diag::render(diagnostic, color)
}

//! What a verification depends on besides the policy.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use cairn_evidence::{DigestSet, Limits};

use crate::error::Error;
use crate::inputs;

/// The final artifact a verification is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artifact {
    /// A file, hashed with sha256 (and with sha384 or sha512 when the
    /// evidence uses them). It is read when [`verify`](crate::verify()) runs.
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

/// Inspections to run: the policy's `inspect` commands, each in a fresh
/// copy of `dir` made under `scratch` (and removed afterwards). Running them
/// executes programs the policy names, so a caller opts in explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRun {
    /// The directory inspections inspect (copied to a scratch directory first).
    pub dir: PathBuf,
    /// How long an inspection may run (`None`: no limit).
    pub timeout: Option<Duration>,
    /// Where the copies are made (the command line gives the system's
    /// temporary directory).
    pub scratch: PathBuf,
}

/// How to verify: everything a verification depends on besides the policy.
/// Nothing is read from the clock or the environment: the time is given.
#[derive(Debug, Clone)]
pub struct Options {
    /// The evaluation time, in seconds since the Unix epoch (see
    /// [`parse_time`](crate::parse_time)).
    pub time: i64,
    /// Attestation files or directories of them: `.intoto.jsonl` bundles,
    /// DSSE envelopes, Sigstore bundles, classic links. A path may be a pipe,
    /// and `-` reads the process's standard input (once per process).
    pub evidence: Vec<PathBuf>,
    /// Evidence given as bytes, each with the name findings give it (a name
    /// ending in `.jsonl`, or bytes that are JSON lines under a name without
    /// a `.json`, `.link`, `.layout`, `.dsse` or `.sigstore` ending, is read as
    /// a bundle; anything else as one envelope, Sigstore bundle or link), read
    /// after [`Options::evidence`]: each document at most
    /// [`Limits::max_file_bytes`], all documents together at most
    /// [`Limits::max_total_bytes`]. Findings show no line of a document (its
    /// name is never opened as a file).
    pub documents: Vec<(String, Vec<u8>)>,
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
    /// Record the evidence trail for [`Report::trail`](crate::Report::trail) (slower).
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
            documents: Vec::new(),
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

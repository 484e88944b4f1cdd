//! The outcome of a verification: the verdict with every finding, the
//! evidence trail, and what can be made of them (text for people, JSON for
//! machines, a VSA).

use cairn_base::source::SourceFile;
use cairn_eval::report::{self, EvidenceFiles};
use cairn_eval::{Trace, Verdict};
use cairn_evidence::{Attestation, DigestSet, Verified};
use cairn_lang::ir::Layout;

use crate::error::{Error, Warning};
use crate::policy::Policy;
use crate::vsa::{self, VsaOptions};

/// Evidence files larger than this are not read again to show the line a
/// finding points at; the finding then names the file and line only.
const SNIPPET_FILE_LIMIT: u64 = 16 * 1024 * 1024;

/// A verdict with everything needed to show it, explain it and attest to it.
pub struct Report {
    layout: Layout,
    source: SourceFile,
    policy_uri: String,
    policy_sha256: String,
    verdict: Verdict,
    trace: Trace,
    attestations: Vec<Verified<Attestation>>,
    artifact: Option<(String, DigestSet)>,
    now: i64,
    warnings: Vec<Warning>,
    /// The evidence given as bytes, by name: their text (when it is small
    /// UTF-8) stands for a file of that name, which is never opened.
    documents: std::collections::BTreeMap<String, Option<String>>,
}

impl Report {
    pub(crate) fn new(
        policy: &Policy,
        layout: Layout,
        verdict: Verdict,
        trace: Trace,
        attestations: Vec<Verified<Attestation>>,
        artifact: Option<(String, DigestSet)>,
        now: i64,
    ) -> Report {
        Report {
            layout,
            source: policy.prepared().source.clone(),
            policy_uri: policy.uri().to_string(),
            policy_sha256: policy.sha256().to_string(),
            verdict,
            trace,
            attestations,
            artifact,
            now,
            warnings: Vec::new(),
            documents: std::collections::BTreeMap::new(),
        }
    }

    pub(crate) fn set_documents(&mut self, documents: &[(String, Vec<u8>)]) {
        let limit = usize::try_from(SNIPPET_FILE_LIMIT).unwrap_or(usize::MAX);
        self.documents = documents
            .iter()
            .map(|(name, bytes)| {
                let text = (bytes.len() <= limit)
                    .then(|| String::from_utf8(bytes.clone()).ok())
                    .flatten();
                (name.clone(), text)
            })
            .collect();
    }

    pub(crate) fn set_warnings(&mut self, warnings: Vec<Warning>) {
        self.warnings = warnings;
    }

    /// True when the policy is satisfied: no finding denies.
    pub fn passed(&self) -> bool {
        self.verdict.passed()
    }

    /// The verdict: a report per step and every finding, in policy order.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// What was noticed on the way without stopping the verification
    /// (ignored lines or signatures, sublayouts that do not count).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The verified artifact as named, with its digests, if one was given.
    pub fn artifact(&self) -> Option<&(String, DigestSet)> {
        self.artifact.as_ref()
    }

    /// The result line and a line per step (`PASS`/`FAIL`), as
    /// `cairn verify` prints it on stdout.
    pub fn summary(&self) -> String {
        report::summary(&self.verdict)
    }

    /// Every finding rendered for people: the policy line underlined, and
    /// the line of the evidence file each concerns (evidence files up to
    /// 16 MiB are read again for it). `color` adds ANSI colours.
    pub fn findings(&self, color: bool) -> String {
        report::findings_with_evidence(&self.verdict, &self.source, &self.evidence_texts(), color)
    }

    /// The JSON report (schema in `docs/report.md`); with the evidence
    /// trail when the verification was traced ([`Options::trace`](crate::Options::trace))
    /// and `trace` is asked for.
    pub fn json(&self, trace: bool) -> String {
        if trace {
            report::json_with_trace(&self.verdict, Some(&self.source), &self.trace)
        } else {
            report::json(&self.verdict, Some(&self.source))
        }
    }

    /// The evidence trail of what failed (`all`: of what passed too), as
    /// `cairn explain` prints it. Empty unless the verification was traced.
    pub fn trail(&self, all: bool) -> String {
        report::trail(&self.verdict, &self.trace, &self.source, all)
    }

    /// Every decision point of the policy (steps, expected attestations,
    /// artifact rules, checks, keys, identities) with whether it decided
    /// anything and whether it refused anything in this verification, as
    /// `cairn test --coverage` counts them. Rules are known to have decided
    /// something without refusing only when the verification was traced
    /// ([`Options::trace`](crate::Options::trace)).
    pub fn coverage(&self) -> Vec<crate::Decision> {
        cairn_eval::coverage::decisions(&self.layout, &self.verdict, &self.trace)
    }

    /// The SLSA Verification Summary Attestation of this verdict (PASSED or
    /// FAILED), one line of JSON ending in a newline: a Statement, or a DSSE
    /// envelope when a key is given. Needs the artifact (E458).
    pub fn vsa(&self, options: &VsaOptions<'_>) -> Result<String, Error> {
        let inputs = self
            .verdict
            .used
            .iter()
            .filter_map(|&i| self.attestations.get(i))
            .map(|a| (a.value().origin.to_string(), a.value().sha256.clone()))
            .collect();
        let summary = self.layout.summary.as_ref();
        let parts = vsa::Parts {
            artifact: self.artifact.as_ref(),
            policy_uri: &self.policy_uri,
            policy_sha256: &self.policy_sha256,
            now: self.now,
            inputs,
            passed: self.verdict.passed(),
            levels: summary.map(|s| s.levels.clone()).unwrap_or_default(),
            verifier_id: summary
                .map_or_else(|| vsa::DEFAULT_VERIFIER.to_string(), |s| s.verifier.clone()),
        };
        vsa::text(parts, options).map_err(Error::from)
    }

    /// The text of every evidence file a finding points at, for the second
    /// snippet of each finding (files too large or unreadable are left out).
    fn evidence_texts(&self) -> EvidenceFiles {
        let mut files = EvidenceFiles::new();
        for origin in self
            .verdict
            .findings
            .iter()
            .filter_map(|f| f.origin.as_ref())
        {
            if files.contains_key(&origin.file) {
                continue;
            }
            // Evidence given as bytes is shown from those bytes; its name is
            // not a path to open. Standard input cannot be read again.
            if let Some(given) = self.documents.get(&origin.file) {
                if let Some(text) = given {
                    files.insert(origin.file.clone(), text.clone());
                }
                continue;
            }
            if origin.file == cairn_base::files::display_name(std::path::Path::new("-")) {
                continue;
            }
            // Read back only if it is still a regular file this small.
            let options = cairn_base::files::ReadOptions::file(SNIPPET_FILE_LIMIT);
            let read = cairn_base::files::read(std::path::Path::new(&origin.file), options);
            if let Some(text) = read.ok().and_then(|b| String::from_utf8(b).ok()) {
                files.insert(origin.file.clone(), text);
            }
        }
        files
    }
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("passed", &self.passed())
            .field("findings", &self.verdict.findings.len())
            .field("warnings", &self.warnings.len())
            .finish_non_exhaustive()
    }
}

//! Findings: what the evaluator reports, one value per violated or doubtful
//! fact, each with a stable code (`docs/diagnostics.md`, section "Evaluator").
//!
//! A finding holds raw strings as they came from the policy and the evidence;
//! renderers escape them (untrusted artifact names and predicate values may
//! carry control characters). Nothing here formats for a terminal.

use serde::Serialize;

use cairn_base::source::Span;
use cairn_evidence::Origin;
use cairn_lang::ir::Side;

/// Whether a finding fails verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails verification.
    Deny,
    /// Reported only; never changes the verdict.
    Warn,
}

/// The stable finding codes. `as_str` gives the code written in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    /// V101: no attestation counted for a step or an expected attestation.
    NoEvidence,
    /// V102: fewer distinct authorised keys than the threshold.
    ThresholdUnmet,
    /// V103: the counted links of one step disagree on their artifacts.
    LinksDisagree,
    /// V104: an artifact is refused by a `disallow` rule or the implicit final one.
    ArtifactDisallowed,
    /// V105: a `require`d artifact is not there.
    RequiredArtifactMissing,
    /// V106: a predicate check failed.
    CheckFailed,
    /// V107: the given artifact is not a product of the `artifact from` step.
    ArtifactNotProduced,
    /// V108: the policy names a final artifact but none was given.
    NoArtifactGiven,
    /// V109: the policy has expired.
    PolicyExpired,
    /// V110: an inspection was not run.
    InspectionNotRun,
    /// V111: an inspection ran and failed.
    InspectionFailed,
    /// V112: a link's command differs from the expected command (warning).
    CommandDiffers,
    /// V113: a parameter has neither a value nor a default.
    ParamMissing,
    /// V114: a pattern or regex does not compile after parameter substitution.
    BadPattern,
    /// V115: the policy has no steps, so nothing can be verified.
    NothingToVerify,
    /// V116: a step expects neither a link nor an attestation.
    StepExpectsNothing,
    /// V117: an artifact was given but the policy has no `artifact from` clause.
    ArtifactNotBound,
    /// V118: a link signed by a functionary names no step of the layout (warning).
    LinkNameDiffers,
    /// V119: an attestation no trusted key verified (warning; it counts for nothing).
    NotTrusted,
    /// V120: artifacts a MATCH could not consume because its source step has no evidence.
    UpstreamNoEvidence,
    /// V121: an attestation that could not be read (warning; it counts for nothing).
    Unreadable,
    /// V153: files in a classic link folder that are no link of the layout (warning; ignored).
    IgnoredFiles,
    /// V154: a link whose signer certificate is no X.509 functionary of its step (warning).
    CertificateRefused,
    /// V155: a classic link signed by another key than its file name gives (warning).
    MisnamedLink,
    /// V160: a CEL check gave no boolean (an error, another type, a bound passed).
    CelError,
}

impl Code {
    /// The code as written in reports and documentation (`V101`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NoEvidence => "V101",
            Code::ThresholdUnmet => "V102",
            Code::LinksDisagree => "V103",
            Code::ArtifactDisallowed => "V104",
            Code::RequiredArtifactMissing => "V105",
            Code::CheckFailed => "V106",
            Code::ArtifactNotProduced => "V107",
            Code::NoArtifactGiven => "V108",
            Code::PolicyExpired => "V109",
            Code::InspectionNotRun => "V110",
            Code::InspectionFailed => "V111",
            Code::CommandDiffers => "V112",
            Code::ParamMissing => "V113",
            Code::BadPattern => "V114",
            Code::NothingToVerify => "V115",
            Code::StepExpectsNothing => "V116",
            Code::ArtifactNotBound => "V117",
            Code::LinkNameDiffers => "V118",
            Code::NotTrusted => "V119",
            Code::UpstreamNoEvidence => "V120",
            Code::Unreadable => "V121",
            Code::IgnoredFiles => "V153",
            Code::CertificateRefused => "V154",
            Code::MisnamedLink => "V155",
            Code::CelError => "V160",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// Deny or warn.
    pub severity: Severity,
    /// The step or inspection concerned, if any.
    pub step: Option<String>,
    /// One line: what is wrong (lowercase, no final period).
    pub message: String,
    /// The part of the policy that failed (rule, check, `by`, `expires`, `artifact`).
    pub span: Option<Span>,
    /// What the span's label says.
    pub label: Option<String>,
    /// The attestation concerned, if any.
    pub origin: Option<Origin>,
    /// The artifact concerned, if any.
    pub artifact: Option<String>,
    /// The list of the attestation the artifact is in (or was looked for
    /// in), for pointing at its entry; not part of the JSON report, where
    /// the message names it.
    #[serde(skip)]
    pub list: Option<Side>,
    /// What the policy expected.
    pub expected: Option<String>,
    /// What the evidence says (`absent` when nothing is there).
    pub actual: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The step whose missing evidence this finding only follows from (a
    /// MATCH with nothing to match, a product of a step that has none); the
    /// verdict links it to that step's root finding ([`Finding::cause`]).
    #[serde(skip)]
    pub follows: Option<String>,
    /// Index (into the verdict's findings) of the root finding this one
    /// follows from; set by the verdict, never by whoever makes a finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<usize>,
    /// The member of the attestation this finding is about, as a JSON path
    /// into its Statement or link (`$.predicate.result`, `$.subject`), for
    /// showing the decoded evidence.
    #[serde(skip)]
    pub member: Option<String>,
    /// What evidence the finding is about: `link`, or the predicate type of
    /// an expected attestation (for matching a missing attestation with the
    /// untrusted one that would have been it).
    #[serde(skip)]
    pub about: Option<String>,
}

impl Finding {
    /// A deny-level finding with only a code and a message.
    pub fn deny(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Deny,
            step: None,
            message: message.into(),
            span: None,
            label: None,
            origin: None,
            artifact: None,
            list: None,
            expected: None,
            actual: None,
            help: None,
            follows: None,
            cause: None,
            member: None,
            about: None,
        }
    }

    /// A warning with only a code and a message.
    pub fn warn(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warn,
            ..Finding::deny(code, message)
        }
    }

    /// Sets the step or inspection.
    pub fn step(mut self, name: &str) -> Finding {
        self.step = Some(name.to_string());
        self
    }

    /// Sets the policy span and its label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    /// Sets the attestation's origin.
    pub fn origin(mut self, origin: &Origin) -> Finding {
        self.origin = Some(origin.clone());
        self
    }

    /// Sets the artifact and the list it is in.
    pub fn artifact(mut self, list: Side, name: &str) -> Finding {
        self.artifact = Some(name.to_string());
        self.list = Some(list);
        self
    }

    /// Sets expected and actual values.
    pub fn values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Finding {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Marks the finding as following from the missing evidence of `step`.
    pub fn follows(mut self, step: &str) -> Finding {
        self.follows = Some(step.to_string());
        self
    }

    /// Sets the member of the attestation the finding is about.
    pub fn member(mut self, path: impl Into<String>) -> Finding {
        self.member = Some(path.into());
        self
    }

    /// Sets what evidence the finding is about (`link` or a predicate type).
    pub fn about(mut self, about: &str) -> Finding {
        self.about = Some(about.to_string());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// The finding for a parameter without value or default, so that a front
    /// end can report [`crate::instantiate()`]'s errors like any other.
    pub fn missing_param(missing: &cairn_lang::ir::MissingParam) -> Finding {
        Finding::deny(
            Code::ParamMissing,
            format!("parameter `{}` has no value", missing.name),
        )
        .at(missing.span, "used here")
        .help(format!(
            "give it a default in the policy or pass `--param {}=VALUE`",
            missing.name
        ))
    }
}

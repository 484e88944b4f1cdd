//! `cairn explain`: verify like `cairn verify`, then print the evidence
//! trail: per step the attestations considered and why each did or did not
//! count, and for each rule list the queue before and after every rule.
//! Filtered to what failed unless `--all`; bounded on any chain size.
//!
//! Exit codes are those of `verify`: 0 verified, 1 violated, 2 could not tell.

use std::process::ExitCode;

use clap::Args;

use super::verify::{self, Mode, VerifyArgs};
use super::verify_output::Format;
use super::ColorChoice;
use crate::eval::{Trace, Verdict};
use crate::report::{self, EvidenceFiles};
use crate::source::SourceFile;

/// Evidence files larger than this are not read back for snippets.
const SNIPPET_FILE_LIMIT: u64 = 16 * 1024 * 1024;

/// `cairn explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Every input and flag of `cairn verify`.
    #[command(flatten)]
    pub verify: VerifyArgs,
    /// Show satisfied steps and rule lists too, not only what failed.
    #[arg(long)]
    pub all: bool,
}

/// Runs `cairn explain`.
pub fn run(args: &ExplainArgs, color: ColorChoice) -> ExitCode {
    verify::run_mode(&args.verify, color, Mode::Explain { all: args.all })
}

/// Prints the result and the trail on stdout (as JSON with `--format json`,
/// the report with a `trace` member), the findings on stderr.
pub fn print(
    verdict: &Verdict,
    trace: &Trace,
    source: &SourceFile,
    files: &EvidenceFiles,
    format: Format,
    all: bool,
    color: bool,
) {
    match format {
        Format::Human => out!(
            "{}\n{}",
            report::summary(verdict),
            report::trail(verdict, trace, source, all)
        ),
        Format::Json => out!("{}", report::json_with_trace(verdict, Some(source), trace)),
    }
    err!(
        "{}",
        report::findings_with_evidence(verdict, source, files, color)
    );
}

/// The text of every evidence file a finding points at, for the second
/// snippet of each finding (files too large or unreadable are left out:
/// the finding then names the file and line only).
pub fn evidence_texts(verdict: &Verdict) -> EvidenceFiles {
    let mut files = EvidenceFiles::new();
    for origin in verdict.findings.iter().filter_map(|f| f.origin.as_ref()) {
        if files.contains_key(&origin.file) {
            continue;
        }
        // Read back only if it is still a regular file this small.
        let options = crate::files::ReadOptions::file(SNIPPET_FILE_LIMIT);
        let read = crate::files::read(std::path::Path::new(&origin.file), options);
        if let Some(text) = read.ok().and_then(|b| String::from_utf8(b).ok()) {
            files.insert(origin.file.clone(), text);
        }
    }
    files
}

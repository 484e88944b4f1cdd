//! `cairn explain`: verify like `cairn verify`, then print the evidence
//! trail: per step the attestations considered and why each did or did not
//! count, and for each rule list the queue before and after every rule.
//! Filtered to what failed unless `--all`; bounded on any chain size.
//!
//! Exit codes are those of `verify`: 0 verified, 1 violated, 2 could not tell.

use std::process::ExitCode;

use clap::Args;

use super::verify::{self, Mode, VerifyArgs};
use super::ColorChoice;

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

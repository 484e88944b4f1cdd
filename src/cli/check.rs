//! `cairn check FILE...`: parse, resolve and validate policies (and
//! libraries) with the files they import, reporting every error of every file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn_base::diag;
use cairn_lang::lower::{self, FileError};

/// Checks policies: exit 0 when all are valid, 1 when any has errors, 2 when
/// a file cannot be read. Errors go to stderr with file:line:column.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy or library files (`*.cairn`); `-` reads one from standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs `cairn check`.
pub fn run(args: &CheckArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    let mut status = EXIT_OK;
    for path in &args.files {
        match lower::check_file(path) {
            Ok(_) => {}
            Err(FileError::Io(e)) => {
                err!("{}", diag::render(&e, color));
                status = EXIT_ERROR;
            }
            Err(FileError::Policy(_, errors)) => {
                for report in &errors.reports {
                    err!("{}", diag::render(report.as_ref(), color));
                }
                let n = errors.reports.len() + errors.omitted;
                let omitted = if errors.omitted > 0 {
                    format!(" ({} not shown)", errors.omitted)
                } else {
                    String::new()
                };
                errln!(
                    "{}: {n} error{}{omitted}",
                    path.display(),
                    if n == 1 { "" } else { "s" }
                );
                if status == EXIT_OK {
                    status = EXIT_NO;
                }
            }
        }
    }
    ExitCode::from(status)
}

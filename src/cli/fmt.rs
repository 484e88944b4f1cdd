//! `cairn fmt [--check] FILE...`: rewrite policies in canonical form.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};

/// Formats policies in place. With `--check`, changes nothing and exits 1,
/// naming each file on stdout, when any file is not formatted. Exits 2 when a
/// file cannot be read, parsed or written.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only report files that would change; do not write.
    #[arg(long)]
    pub check: bool,
    /// The policy files (`*.cairn`); `-` reads one from standard input and
    /// writes it formatted to standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs `cairn fmt`.
pub fn run(args: &FmtArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    let mut status = EXIT_OK;
    for path in &args.files {
        let file = match cairn_lang::lower::read_policy(path) {
            Ok(f) => f,
            Err(e) => {
                err!("{}", cairn_base::diag::render(&e, color));
                status = EXIT_ERROR;
                continue;
            }
        };
        let formatted = match cairn_lang::syntax::format_source(&file.text) {
            Ok(f) => f,
            Err(e) => {
                let report = cairn_lang::lower::with_source(&file, e);
                err!("{}", cairn_base::diag::render(report.as_ref(), color));
                status = EXIT_ERROR;
                continue;
            }
        };
        if cairn_base::files::is_stdin(path) && !args.check {
            // Standard input is not written back: the result goes to stdout.
            out!("{formatted}");
            continue;
        }
        if formatted == file.text {
            continue;
        }
        if args.check {
            outln!("{}", path.display());
            if status == EXIT_OK {
                status = EXIT_NO;
            }
        } else if let Err(e) = std::fs::write(path, formatted) {
            let e = cairn_lang::lower::IoError::Unwritable {
                path: path.display().to_string(),
                reason: e.to_string(),
            };
            err!("{}", cairn_base::diag::render(&e, color));
            status = EXIT_ERROR;
        }
    }
    ExitCode::from(status)
}

//! `cairn dump ast|ir FILE`: a stable text view of a representation, for
//! debugging and snapshots.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use crate::{diag, lower, syntax};

/// Prints the syntax tree (`ast`, spans as byte ranges) or the resolved IR
/// (`ir`) of a policy. Exits 2 when the policy has errors or the file cannot
/// be read.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Which representation.
    #[arg(value_enum)]
    pub what: Stage,
    /// The policy file (`*.cairn`).
    pub file: PathBuf,
}

/// The representation to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// The spanned syntax tree, as parsed.
    Ast,
    /// The resolved IR.
    Ir,
}

/// Runs `cairn dump`.
pub fn run(args: &DumpArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    match args.what {
        Stage::Ast => {
            let file = match lower::read_policy(&args.file) {
                Ok(f) => f,
                Err(e) => {
                    err!("{}", diag::render(&e, color));
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            match syntax::parse(&file.text) {
                Ok(parsed) => {
                    out!("{}", syntax::dump(&parsed));
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => {
                    let report = lower::with_source(&file, e);
                    err!("{}", diag::render(report.as_ref(), color));
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
        Stage::Ir => match lower::compile_file(&args.file) {
            Ok((_, layout)) => {
                out!("{}", crate::lower::dump(&layout));
                ExitCode::from(EXIT_OK)
            }
            Err(e) => super::report_file_error(&e, color),
        },
    }
}

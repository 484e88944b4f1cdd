//! `cairn dump ast|ir FILE`: a stable text view of a representation, for
//! debugging and snapshots.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{ColorChoice, EXIT_ERROR, EXIT_OK};

/// Prints the syntax tree (`ast`, spans as byte ranges) or the resolved IR
/// (`ir`) of a policy. Exits 2 when the policy has errors or the file cannot
/// be read.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Which representation.
    #[arg(value_enum)]
    pub what: Stage,
    /// The policy file (`*.cairn`); `-` reads it from standard input.
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
            let file = match cairn_lang::lower::read_policy(&args.file) {
                Ok(f) => f,
                Err(e) => {
                    err!("{}", cairn_base::diag::render(&e, color));
                    return ExitCode::from(EXIT_ERROR);
                }
            };
            match cairn_lang::syntax::parse(&file.text) {
                Ok(parsed) => {
                    out!("{}", cairn_lang::syntax::dump(&parsed));
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => {
                    let report = cairn_lang::lower::with_source(&file, e);
                    err!("{}", cairn_base::diag::render(report.as_ref(), color));
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
        Stage::Ir => match cairn_lang::lower::compile_file(&args.file) {
            Ok((_, layout)) => {
                out!("{}", cairn_lang::lower::dump(&layout));
                ExitCode::from(EXIT_OK)
            }
            Err(e) => super::report_file_error(&e, color),
        },
    }
}

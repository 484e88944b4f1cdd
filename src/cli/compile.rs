//! `cairn compile FILE`: print the resolved policy as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_lang::lower;

/// Compiles a policy and prints it on stdout: the IR as pretty-printed,
/// deterministic JSON (schema in docs/ir.md, versioned by `ir_version`), or
/// with `--target in-toto` an unsigned classic in-toto layout. Exits 2 when
/// the policy has errors, uses what a classic layout cannot express, or the
/// file cannot be read (use `cairn check` to ask whether a policy is valid).
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// What to compile to.
    #[arg(long, value_enum, default_value_t = Target::Ir)]
    pub target: Target,
    /// The policy file (`*.cairn`); `-` reads it from standard input.
    pub file: PathBuf,
}

/// `--target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// cairn's resolved IR as JSON (docs/ir.md).
    Ir,
    /// An unsigned classic in-toto layout (sign it with `cairn sign --layout`).
    InToto,
}

/// Runs `cairn compile`.
pub fn run(args: &CompileArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    match lower::compile_file(&args.file) {
        Ok((source, layout)) => match args.target {
            Target::InToto => in_toto(&layout, &source, color),
            Target::Ir => match serde_json::to_string_pretty(&layout) {
                Ok(json) => {
                    outln!("{json}");
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => {
                    errln!("error: cannot serialise the IR: {e}");
                    ExitCode::from(EXIT_ERROR)
                }
            },
        },
        Err(e) => super::report_file_error(&e, color),
    }
}

/// Prints the classic layout, or every construct a classic layout cannot express.
fn in_toto(
    layout: &cairn_lang::ir::Layout,
    source: &cairn_base::source::SourceFile,
    color: bool,
) -> ExitCode {
    match cairn_interop::classic::ir_to_layout_json(layout) {
        Ok(json) => match serde_json::to_string_pretty(&json) {
            Ok(text) => {
                outln!("{text}");
                ExitCode::from(EXIT_OK)
            }
            Err(e) => {
                errln!("error: cannot serialise the layout: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Err(unsupported) => {
            for u in unsupported {
                let report = miette::Report::new(u).with_source_code(source.named_source());
                err!("{}", cairn_base::diag::render(report.as_ref(), color));
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

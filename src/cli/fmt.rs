//! `cairn fmt [--check | --diff] FILE|DIR...`: rewrite policies in
//! canonical form.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};

/// Formats policies in place. With `--check`, changes nothing and exits 1,
/// naming each file on stdout, when any file is not formatted; `--diff`
/// shows the changes as a unified diff instead. Exits 2 when a file cannot
/// be read, parsed or written.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only report files that would change; do not write.
    #[arg(long)]
    pub check: bool,
    /// Print what would change as a unified diff on stdout; do not write
    /// (exit 1 when anything would change, as `--check`).
    #[arg(long)]
    pub diff: bool,
    /// The policy files (`*.cairn`), or directories (every `*.cairn` below
    /// them, sorted); `-` reads one from standard input and writes it
    /// formatted to standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// The unified diff from `old` to `new` of the file `name`.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

/// Runs `cairn fmt`.
pub fn run(args: &FmtArgs, color: ColorChoice) -> ExitCode {
    let color = color.enabled();
    let mut status = EXIT_OK;
    let (files, dir_errors) = super::paths::expand(&args.files);
    for e in &dir_errors {
        err!("{}", cairn_base::diag::render(e, color));
        status = EXIT_ERROR;
    }
    let write = !args.check && !args.diff;
    let mut changed = 0usize;
    for path in &files {
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
        if cairn_base::files::is_stdin(path) && write {
            // Standard input is not written back: the result goes to stdout.
            out!("{formatted}");
            continue;
        }
        if formatted == file.text {
            continue;
        }
        if args.diff {
            out!("{}", unified_diff(&file.name, &file.text, &formatted));
        } else if args.check {
            outln!("{}", path.display());
        } else if let Err(e) = std::fs::write(path, formatted) {
            let e = cairn_lang::lower::IoError::Unwritable {
                path: path.display().to_string(),
                reason: e.to_string(),
            };
            err!("{}", cairn_base::diag::render(&e, color));
            status = EXIT_ERROR;
            continue;
        } else {
            super::shell::detail(&format!("formatted {}", path.display()));
        }
        changed += 1;
        if !write && status == EXIT_OK {
            status = EXIT_NO;
        }
    }
    if write && changed > 0 {
        super::shell::note(&format!(
            "formatted {changed} file{}",
            if changed == 1 { "" } else { "s" }
        ));
    }
    ExitCode::from(status)
}

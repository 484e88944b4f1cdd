//! `cairn check FILE|DIR...`: parse, resolve and validate policies (and
//! libraries) with the files they import, reporting every error of every file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn_base::diag;
use cairn_lang::lint::output as lint_output;
use cairn_lang::lower::{self, FileError};

/// Checks policies: exit 0 when all are valid, 1 when any has errors, 2 when
/// a file cannot be read. Errors go to stderr with file:line:column.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy or library files (`*.cairn`), or directories (every `*.cairn` below
    /// them, sorted); `-` reads one from standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: human (errors rendered on stderr) or json (one
    /// document on stdout, `docs/schemas/check.schema.json`).
    #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
    pub format: Format,
}

/// `--format` of `cairn check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Errors rendered with the policy lines, on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Version of `cairn check --format json`.
pub const JSON_VERSION: u32 = 1;

/// Runs `cairn check`.
pub fn run(args: &CheckArgs, color: ColorChoice) -> ExitCode {
    let json_mode = args.format == Format::Json;
    super::shell::set_machine(json_mode);
    // Rendered errors: always in human mode, with `--verbose` in JSON mode.
    let render = !json_mode || super::shell::verbose();
    let color = color.enabled();
    let mut status = EXIT_OK;
    let (files, dir_errors) = super::paths::expand(&args.files);
    for e in &dir_errors {
        err!("{}", diag::render(e, color));
        status = EXIT_ERROR;
    }
    let mut entries = Vec::new();
    let (mut with_errors, mut unreadable) = (0usize, 0usize);
    for path in &files {
        let name = cairn_base::files::display_name(path);
        match lower::check_file(path) {
            Ok(_) => {
                entries.push(json!({"file": name, "status": "valid", "errors": []}));
                super::shell::detail(&format!("{name}: valid"));
            }
            Err(FileError::Io(e)) => {
                if render {
                    err!("{}", diag::render(&e, color));
                }
                entries.push(json!({
                    "file": name,
                    "status": "unreadable",
                    "errors": [lint_output::unreadable_json(&e)],
                }));
                unreadable += 1;
                status = EXIT_ERROR;
            }
            Err(FileError::Policy(file, errors)) => {
                let n = errors.reports.len() + errors.omitted;
                if render {
                    for report in &errors.reports {
                        err!("{}", diag::render(report.as_ref(), color));
                    }
                    let omitted = if errors.omitted > 0 {
                        format!(" ({} not shown)", errors.omitted)
                    } else {
                        String::new()
                    };
                    errln!(
                        "{name}: {n} error{}{omitted}",
                        if n == 1 { "" } else { "s" }
                    );
                }
                let mut entry = json!({
                    "file": file.name,
                    "status": "errors",
                    "errors": lint_output::errors_json(&file, &errors),
                });
                if let (true, Some(map)) = (errors.omitted > 0, entry.as_object_mut()) {
                    map.insert("omitted".into(), json!(errors.omitted));
                }
                entries.push(entry);
                with_errors += 1;
                if status == EXIT_OK {
                    status = EXIT_NO;
                }
            }
        }
    }
    if json_mode {
        let value = json!({
            "schemaVersion": JSON_VERSION,
            "valid": status == EXIT_OK,
            "counts": {
                "files": entries.len(),
                "valid": entries.len() - with_errors - unreadable,
                "withErrors": with_errors,
                "unreadable": unreadable,
            },
            "files": Value::Array(entries),
        });
        outln!("{value:#}");
    }
    ExitCode::from(status)
}

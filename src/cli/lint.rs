//! `cairn lint FILE...`: find policies that compile but are wrong or weak.
//!
//! Exit 0: no finding at deny level; 1: a deny-level finding, or a policy
//! with compile errors (as `cairn check`); 2: cairn could not run (bad
//! flags, an unreadable file). Every format is the result and goes to
//! stdout (`cairn lint x.cairn | less`); only errors that stop the command
//! go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use miette::Diagnostic;
use thiserror::Error;

use super::{ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use cairn_base::diag;
use cairn_lang::lint::output::{self, FileResult, Outcome};
use cairn_lang::lint::{self, Levels, Options, Severity};

/// Lints policies for CI. Rules and codes: docs/lints.md.
///
/// Exit 0: no finding at deny level; 1: a deny-level finding or a policy
/// that does not compile; 2: bad flags or an unreadable file.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The policy files (`*.cairn`), or directories (every `*.cairn` below
    /// them, sorted); `-` reads one from standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format on stdout: human, json, sarif (2.1.0), github (workflow commands) or markdown (for `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_enum, default_value_t = Format::Human, env = "CAIRN_FORMAT")]
    pub format: Format,
    /// Treat a rule as deny (by code, e.g. `L004`, or name); `warnings` denies every warning.
    #[arg(long, value_name = "CODE|warnings")]
    pub deny: Vec<String>,
    /// Report a rule as a warning.
    #[arg(long, value_name = "CODE")]
    pub warn: Vec<String>,
    /// Do not report a rule.
    #[arg(long, value_name = "CODE")]
    pub allow: Vec<String>,
    /// The current time (RFC 3339, e.g. `2026-01-01T00:00:00Z`) instead of the clock.
    #[arg(long)]
    pub time: Option<String>,
    /// Warn (L014) when the layout expires within this many days.
    #[arg(long, default_value_t = Options::DEFAULT_EXPIRY_WARN_DAYS, value_name = "DAYS")]
    pub expiry_warn_days: u32,
    /// Where the rule documentation lives (SARIF `helpUri` base).
    #[arg(long, default_value = output::DEFAULT_DOCS_URL, value_name = "URL")]
    pub docs_url: String,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered findings with the policy lines.
    Human,
    /// One JSON document (docs/lints.md), on stdout.
    Json,
    /// A SARIF 2.1.0 log, on stdout.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::`), on stdout.
    Github,
    /// A Markdown summary (a table of findings per file), on stdout.
    Markdown,
}

/// Command-line errors of `cairn lint` (`E463`, `E464`).
#[derive(Debug, Error, Diagnostic)]
pub enum LintError {
    /// `--time` is not RFC 3339.
    #[error("`--time {given}` is not an RFC 3339 time")]
    #[diagnostic(code(E463), help("write it like `2026-01-01T00:00:00Z`"))]
    Time {
        /// What was given.
        given: String,
    },
    /// `--deny`, `--warn` or `--allow` names no lint rule.
    #[error("`--{flag} {given}` names no lint rule")]
    #[diagnostic(code(E464), help("{help}"))]
    UnknownCode {
        /// The flag.
        flag: &'static str,
        /// What was given.
        given: String,
        /// Suggestion.
        help: String,
    },
}

/// Reads the severity flags.
pub fn levels(args: &LintArgs) -> Result<Levels, LintError> {
    let mut levels = Levels::default();
    for (flag, codes, severity) in [
        ("allow", &args.allow, Severity::Allow),
        ("warn", &args.warn, Severity::Warn),
        ("deny", &args.deny, Severity::Deny),
    ] {
        for code in codes {
            levels.set(code, severity).map_err(|given| {
                let mut known: Vec<&str> = lint::RULES.iter().map(|r| r.code).collect();
                if flag == "deny" {
                    known.push("warnings");
                }
                LintError::UnknownCode {
                    flag,
                    help: cairn_base::suggest::help(&given, "lint rule", &known),
                    given,
                }
            })?;
        }
    }
    Ok(levels)
}

/// The exit status for a run's results.
pub fn status(results: &[FileResult]) -> u8 {
    let mut status = EXIT_OK;
    for r in results {
        let s = match &r.outcome {
            Outcome::Unreadable(_) => EXIT_ERROR,
            Outcome::Errors(_) => EXIT_NO,
            Outcome::Linted(f) if lint::any_denied(f) => EXIT_NO,
            Outcome::Linted(_) => EXIT_OK,
        };
        status = status.max(s);
    }
    status
}

/// Runs `cairn lint`.
pub fn run(args: &LintArgs, color: ColorChoice) -> ExitCode {
    let stdout_color = color.enabled_stdout();
    let color = color.enabled();
    let fail = |e: &LintError| {
        err!("{}", diag::render(e, color));
        ExitCode::from(EXIT_ERROR)
    };
    let levels = match levels(args) {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    let now = match &args.time {
        Some(text) => {
            match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            {
                Ok(t) => t.unix_timestamp(),
                Err(_) => {
                    return fail(&LintError::Time {
                        given: text.clone(),
                    })
                }
            }
        }
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let options = Options {
        now,
        expiry_warn_days: args.expiry_warn_days,
    };
    super::shell::set_machine(args.format != Format::Human);
    let (files, dir_errors) = super::paths::expand(&args.files);
    for e in &dir_errors {
        err!("{}", diag::render(e, color));
    }
    let progress = super::shell::Progress::start("linting");
    progress.total(files.len() as u64);
    let results: Vec<FileResult> = files
        .iter()
        .map(|p| {
            let result = output::lint_file(p, &options, &levels);
            progress.advance(1);
            result
        })
        .collect();
    drop(progress);
    if args.format != Format::Human && super::shell::verbose() && !super::shell::quiet() {
        err!("{}", output::human(&results, color));
    }
    match args.format {
        Format::Human => {
            // The results on stdout; a file that could not be read stops
            // cairn for it (exit 2): said on stderr.
            for r in &results {
                let one = std::slice::from_ref(r);
                if matches!(r.outcome, Outcome::Unreadable(_)) {
                    err!("{}", output::human(one, color));
                } else {
                    out!("{}", output::human(one, stdout_color));
                }
            }
        }
        Format::Json => outln!("{:#}", output::json(&results)),
        Format::Sarif => outln!("{:#}", output::sarif(&results, &args.docs_url)),
        Format::Github => out!("{}", output::github(&results)),
        Format::Markdown => out!("{}", super::markdown::lint(&output::json(&results))),
    }
    if !dir_errors.is_empty() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::from(status(&results))
}

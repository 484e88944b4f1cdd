//! The command line: global flags, the subcommand table, exit codes.
//!
//! One file per subcommand (`XArgs` + `fn run`); this file only dispatches.
//! Exit codes are a contract: 0 yes, 1 no (policy violated, errors found),
//! 2 cairn could not do its job (usage, unreadable or malformed input).

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

/// `out!` to stdout that ignores a closed pipe (`cairn ... | head`)
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `outln!` to stdout that ignores a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that does not panic when standard error is closed (`2>&-`,
/// or a pipe whose reader is gone): the exit code still tells the outcome.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprint!` that does not panic when standard error is closed.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod attest;
pub mod check;
pub mod compile;
pub mod completions;
pub mod dump;
pub mod explain;
pub mod fmt;
pub mod import;
pub mod key;
pub mod keyio;
pub mod lint;
pub mod lsp;
pub mod markdown;
pub mod paths;
pub mod record;
pub mod run;
pub mod sign;
pub mod sign_layout;
pub mod test;
pub mod test_output;
pub mod test_suite;
pub mod verify;
pub mod verify_bundle;
pub mod verify_envelope;
pub mod verify_output;

pub mod shell;

pub use shell::{limits, ColorChoice, EXIT_ERROR, EXIT_NO, EXIT_OK};
use shell::{report_file_error, stdin_once, LIMITS};

/// cairn: a policy language for software supply chains.
///
/// Exit codes: 0 yes (valid, verified, no findings); 1 no (the policy has
/// errors or is violated); 2 cairn could not do its job (bad usage,
/// unreadable or malformed input).
#[derive(Debug, Parser)]
#[command(
    name = "cairn",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 yes (valid, verified, no deny-level findings); 1 no (the policy has errors or is violated, or lint found deny-level findings); 2 cairn could not do its job (bad usage, unreadable or malformed input). Results go to stdout, diagnostics and progress to stderr (with --format json, stderr stays empty but for errors that stop cairn, unless --verbose). Environment: CAIRN_COLOR, CAIRN_FORMAT, CAIRN_TRUSTED_ROOT and CAIRN_SIGNING_KEY set the flags of those names (each command's --help says which it reads); CAIRN_MAX_FILE_BYTES (bytes of one evidence file, default 1GiB) and CAIRN_MAX_TOTAL_BYTES (all evidence files of one run, default 4GiB), e.g. CAIRN_MAX_FILE_BYTES=4GiB. Completions: cairn completions bash|zsh|fish|powershell; man pages: cairn man. Documentation: docs/cli.md."
)]
pub struct Cli {
    /// When to colour diagnostics, help and usage errors: auto (on a terminal; never with NO_COLOR, always with CLICOLOR_FORCE), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        env = "CAIRN_COLOR"
    )]
    pub color: ColorChoice,

    /// Print nothing on stderr but errors (and findings for people): no notes of what was written, no warnings, no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more on stderr: counts of what was read and recorded, and with a JSON, SARIF or GitHub `--format` the rendered findings and warnings too.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and validate policies and libraries with the files they import; report every error (exit 0 valid, 1 errors, 2 unreadable).
    Check(check::CheckArgs),
    /// Rewrite policies in canonical form; `--check` only names files that would change, `--diff` shows how (exit 1).
    Fmt(fmt::FmtArgs),
    /// Print a policy compiled to IR JSON, or to a classic in-toto layout, on stdout (exit 2 when it has errors or cannot be read).
    Compile(compile::CompileArgs),
    /// Translate a classic in-toto layout (or an ITE-10 YAML layout) into formatted `.cairn` source.
    Import(import::ImportArgs),
    /// Print the syntax tree or the IR of a policy as stable text, for debugging (exit 2 on errors).
    Dump(dump::DumpArgs),
    /// Generate signing keys and compute keyids.
    Key(key::KeyArgs),
    /// Sign an in-toto Statement v1 about files and append it to a bundle.
    Attest(attest::AttestArgs),
    /// Record a step: hash its materials, run its command, hash its products and
    /// write the signed link `<step>.<keyid8>.link` (as `in-toto-run` does).
    ///
    /// Exit 0: link written, command exited 0; the command's exit status when it
    /// failed (the link is written all the same); 2: nothing could be recorded.
    Run(run::RunArgs),
    /// Record a step in two commands, as `in-toto-record` does: `start` records
    /// the materials, `stop` the products, and writes the signed link.
    ///
    /// Exit 0: recorded; 2: nothing could be recorded (or `start` was not run).
    Record(record::RecordArgs),
    /// Sign any file as the payload of a DSSE envelope, or a classic layout as a metablock.
    Sign(sign::SignArgs),
    /// Show which of the given keys signed an envelope or metablock.
    ///
    /// Also each line of a `.jsonl` bundle, each entry of npm's attestations
    /// document or gcloud's provenance output, and a Sigstore bundle's
    /// signature (only its signature: `verify-bundle` checks the rest).
    /// Exit 0: at least one given key verified a signature; 1: none did;
    /// 2: the file or a key is malformed.
    VerifyEnvelope(verify_envelope::VerifyEnvelopeArgs),
    /// Verify one Sigstore bundle offline against a trusted root, for an
    /// artifact or its digest, signed by a certificate identity or a key.
    ///
    /// Exit 0: verified; 1: refused (the code names the check that decided);
    /// 2: bad flags, or an unreadable or malformed bundle, key or root.
    VerifyBundle(verify_bundle::VerifyBundleArgs),
    /// Verify attestations against a policy, or a classic in-toto supply chain with `--layout`.
    ///
    /// Exit 0: verified; 1: the policy is violated; 2: cairn could not evaluate
    /// (bad flags, unreadable or malformed policy or evidence).
    Verify(verify::VerifyArgs),
    /// Find policies that compile but are wrong or weak; human, JSON, SARIF, GitHub or Markdown output.
    ///
    /// Exit 0: no deny-level finding; 1: a deny-level finding or a policy
    /// with compile errors; 2: bad flags or an unreadable file.
    Lint(lint::LintArgs),
    /// Verify like `verify`, then show the evidence trail of what failed: the
    /// attestations each step considered and why they counted or not, and the
    /// artifact queue before and after each rule (`--all` for everything).
    ///
    /// Exit 0: verified; 1: the policy is violated; 2: cairn could not evaluate.
    Explain(explain::ExplainArgs),
    /// Run the test suites beside policies (`tests/*.toml` next to a
    /// `.cairn` file): each case verifies named evidence and must give its
    /// verdict and exactly its finding codes; `--coverage` shows what no case
    /// exercised. See docs/testing.md.
    ///
    /// Exit 0: every case passed; 1: a case failed; 2: a suite or a path could
    /// not be used, or no case was run.
    Test(test::TestArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    Completions(completions::CompletionsArgs),
    /// Print cairn's man page, or one command's (`cairn man verify | man -l -`), or write them all with `--out-dir`.
    Man(completions::ManArgs),
    /// Run the language server on standard input and output, for editors:
    /// diagnostics, hover, definitions, references, rename, completion,
    /// formatting, code actions, semantic tokens, document symbols.
    ///
    /// Exit 0: `shutdown` then `exit`; 1: the client left without
    /// `shutdown`; 2: a message could not be read or written.
    Lsp(lsp::LspArgs),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // Help, version and usage errors: clap prints them, in the
            // colour `--color` asked for, if it can be read.
            ColorChoice::from_args(&args).write_global();
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli.color.write_global();
    shell::set_verbosity(cli.quiet, cli.verbose);
    if let Some(code) = usage_errors(&cli, &matches) {
        return code;
    }
    // Every command reads the limits the same way, and a value it cannot
    // read stops it before it reads anything.
    match cairn_evidence::Limits::from_env() {
        Ok(limits) => {
            let _ = LIMITS.set(limits);
        }
        Err(e) => {
            let color = cli.color.enabled();
            err!("{}", cairn_base::diag::render(&e, color));
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let named: Vec<&std::path::Path> = match &cli.command {
        Command::Check(args) => args.files.iter().map(|p| p.as_path()).collect(),
        Command::Fmt(args) => args.files.iter().map(|p| p.as_path()).collect(),
        Command::Lint(args) => args.files.iter().map(|p| p.as_path()).collect(),
        Command::Verify(args) => verify::stdin_paths(args),
        Command::Explain(args) => verify::stdin_paths(&args.verify),
        Command::Key(args) => key::stdin_paths(args),
        Command::VerifyEnvelope(args) => verify_envelope::stdin_paths(args),
        _ => Vec::new(),
    };
    if let Some(code) = stdin_once(named, cli.color) {
        return code;
    }
    match cli.command {
        Command::Check(args) => check::run(&args, cli.color),
        Command::Fmt(args) => fmt::run(&args, cli.color),
        Command::Compile(args) => compile::run(&args, cli.color),
        Command::Import(args) => import::run(&args, cli.color),
        Command::Dump(args) => dump::run(&args, cli.color),
        Command::Key(args) => key::run(args, cli.color),
        Command::Attest(args) => attest::run(args, cli.color),
        Command::Run(args) => run::run(args, cli.color),
        Command::Record(args) => record::run(args, cli.color),
        Command::Sign(args) => sign::run(args, cli.color),
        Command::VerifyEnvelope(args) => verify_envelope::run(args, cli.color),
        Command::VerifyBundle(args) => verify_bundle::run(args, cli.color),
        Command::Verify(args) => verify::run(args, cli.color),
        Command::Lint(args) => lint::run(&args, cli.color),
        Command::Explain(args) => explain::run(&args, cli.color),
        Command::Test(args) => test::run(&args, cli.color),
        Command::Completions(args) => completions::run(&args, Cli::command()),
        Command::Man(args) => completions::run_man(&args, Cli::command(), cli.color),
        Command::Lsp(args) => lsp::run(&args),
    }
}

/// Usage errors clap's definitions cannot say (exit 2), printed as clap
/// prints its own: flags that contradict the command they are given to.
fn usage_errors(cli: &Cli, matches: &clap::ArgMatches) -> Option<ExitCode> {
    let given = |name: &str, id: &str| {
        matches
            .subcommand_matches(name)
            .and_then(|m| m.value_source(id))
            == Some(clap::parser::ValueSource::CommandLine)
    };
    let (name, verify) = match &cli.command {
        Command::Verify(args) => ("verify", args),
        Command::Explain(args) => ("explain", &args.verify),
        Command::VerifyBundle(args) if args.staging && given("verify-bundle", "trusted_root") => {
            return Some(conflict(
                "verify-bundle",
                "the argument '--staging' cannot be used with '--trusted-root <FILE>'",
            ));
        }
        _ => return None,
    };
    let message = if name == "explain" && verify.explain {
        "the argument '--explain' cannot be used with 'cairn explain': it always explains (`--all` shows what passed too)"
    } else if verify.layout.is_some() && given(name, "trusted_root") {
        "the argument '--trusted-root <FILE>' cannot be used with '--layout <FILE>': a classic layout verifies no Sigstore bundle"
    } else {
        return None;
    };
    Some(conflict(name, message))
}

/// Prints a usage error of `cairn NAME` as clap prints its own (exit 2).
fn conflict(name: &str, message: &str) -> ExitCode {
    let command = Cli::command();
    let mut sub = command
        .find_subcommand(name)
        .cloned()
        .unwrap_or_else(|| command.clone())
        .bin_name(format!("cairn {name}"));
    let e = sub.error(clap::error::ErrorKind::ArgumentConflict, message);
    let _ = e.print();
    ExitCode::from(EXIT_ERROR)
}

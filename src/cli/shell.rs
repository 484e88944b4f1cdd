//! What every subcommand shares: exit codes, the colour choice, the limits
//! of this run, and the errors any command can stop with before it starts.

use std::process::ExitCode;

use clap::ValueEnum;

/// Exit status: the answer is yes.
pub const EXIT_OK: u8 = 0;
/// Exit status: the answer is no (policy violated, errors or findings).
pub const EXIT_NO: u8 = 1;
/// Exit status: cairn could not do its job.
pub const EXIT_ERROR: u8 = 2;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal, unless NO_COLOR or CLICOLOR=0 is set; CLICOLOR_FORCE colours anywhere.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// The choice of `--color` in `args` (the last one given before `--`), for
    /// clap's own help and errors when the command line did not parse: `auto`
    /// when none is given or its value is not a choice (clap names the bad value).
    pub fn from_args(args: &[std::ffi::OsString]) -> ColorChoice {
        let mut choice = ColorChoice::Auto;
        let mut args = args.iter().skip(1).map(|a| a.to_str());
        while let Some(arg) = args.next() {
            let value = match arg {
                Some("--") => break,
                Some("--color") => args.next().flatten(),
                Some(other) => other.strip_prefix("--color="),
                None => None,
            };
            if let Some(c) = value.and_then(|v| ColorChoice::from_str(v, false).ok()) {
                choice = c;
            }
        }
        choice
    }

    /// Makes this the choice of every stream that decides with anstream,
    /// clap's help and errors among them.
    pub fn write_global(self) {
        let choice = match self {
            ColorChoice::Auto => anstream::ColorChoice::Auto,
            ColorChoice::Always => anstream::ColorChoice::Always,
            ColorChoice::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }

    /// Whether to colour what is written to stderr (diagnostics): `auto` is
    /// decided as anstream decides for clap's own messages.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
            }
        }
    }
}

/// Renders a policy file's errors and returns exit code 2: a command that
/// needs a valid policy (all but `check`) could not do its job.
pub(super) fn report_file_error(e: &cairn_lang::lower::FileError, color: bool) -> ExitCode {
    match e {
        cairn_lang::lower::FileError::Io(e) => {
            err!("{}", cairn_base::diag::render(e, color));
            ExitCode::from(EXIT_ERROR)
        }
        cairn_lang::lower::FileError::Policy(_, errors) => {
            for report in &errors.reports {
                err!("{}", cairn_base::diag::render(report.as_ref(), color));
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `-` (standard input) named more than once in one command.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`-` (standard input) is given {count} times; standard input can be read only once")]
#[diagnostic(
    code(E290),
    help("give `-` for one file at most and name the others by path (a pipe such as `<(cmd)` is read too)")
)]
pub struct StdinTwice {
    /// How many times `-` was given.
    pub count: usize,
}

/// Refuses a command that names `-` more than once among `paths` (exit 2):
/// `None` when it may go on.
pub(super) fn stdin_once<'p>(
    paths: impl IntoIterator<Item = &'p std::path::Path>,
    color: ColorChoice,
) -> Option<ExitCode> {
    let count = cairn_base::files::stdin_count(paths);
    if count < 2 {
        return None;
    }
    let color = color.enabled();
    err!("{}", cairn_base::diag::render(&StdinTwice { count }, color));
    Some(ExitCode::from(EXIT_ERROR))
}

/// The byte limits of this run, read once from the environment by [`main`].
pub(super) static LIMITS: std::sync::OnceLock<cairn_evidence::Limits> = std::sync::OnceLock::new();

/// The limits on untrusted input of this run: the defaults, or what
/// `CAIRN_MAX_FILE_BYTES` and `CAIRN_MAX_TOTAL_BYTES` set (docs/evidence.md,
/// Limits).
pub fn limits() -> cairn_evidence::Limits {
    LIMITS.get().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::ColorChoice;

    #[test]
    fn color_is_read_from_the_options_only() {
        let args = |a: &[&str]| -> Vec<std::ffi::OsString> { a.iter().map(Into::into).collect() };
        let read = |a: &[&str]| ColorChoice::from_args(&args(a));
        assert_eq!(read(&["cairn", "bogus"]), ColorChoice::Auto);
        assert_eq!(
            read(&["cairn", "--color", "never", "x"]),
            ColorChoice::Never
        );
        assert_eq!(read(&["cairn", "x", "--color=always"]), ColorChoice::Always);
        assert_eq!(
            read(&["cairn", "--color", "never", "--color", "always"]),
            ColorChoice::Always
        );
        assert_eq!(read(&["cairn", "--color", "purple"]), ColorChoice::Auto);
        // After `--`, it is the recorded command's argument.
        assert_eq!(
            read(&["cairn", "run", "--", "ls", "--color", "never"]),
            ColorChoice::Auto
        );
    }
}

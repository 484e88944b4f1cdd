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
        // CAIRN_COLOR when no `--color` is given, as clap reads it.
        let mut choice = std::env::var("CAIRN_COLOR")
            .ok()
            .and_then(|v| ColorChoice::from_str(&v, false).ok())
            .unwrap_or(ColorChoice::Auto);
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

    /// Whether to colour what is written to stdout (results people read,
    /// such as `cairn lint`'s): `auto` colours only a terminal.
    pub fn enabled_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
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

/// How much a command says besides its result: `-q`, normal, `-v`.
static VERBOSITY: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);

/// Whether the result is for a program (`--format json`, `sarif`, ...):
/// then standard error carries nothing but what stops cairn, unless
/// `--verbose` asks for more, and no progress is shown.
static MACHINE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `-q/--quiet` and `-v/--verbose` for this run.
pub fn set_verbosity(quiet: bool, verbose: bool) {
    let level = match (quiet, verbose) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    };
    VERBOSITY.store(level, std::sync::atomic::Ordering::Relaxed);
}

/// `-q/--quiet`: nothing on stderr but errors.
pub fn quiet() -> bool {
    VERBOSITY.load(std::sync::atomic::Ordering::Relaxed) == 0
}

/// `-v/--verbose`: say more.
pub fn verbose() -> bool {
    VERBOSITY.load(std::sync::atomic::Ordering::Relaxed) == 2
}

/// Declares that this run's result is for a program (`--format json` and
/// the like): notes, warnings and rendered findings stay off stderr unless
/// `--verbose`, and progress is never drawn.
pub fn set_machine(machine: bool) {
    MACHINE.store(machine, std::sync::atomic::Ordering::Relaxed);
}

/// Whether notes and warnings may go to stderr: not with `--quiet`, and
/// in a machine format only with `--verbose`.
pub fn chatty() -> bool {
    !quiet() && (verbose() || !MACHINE.load(std::sync::atomic::Ordering::Relaxed))
}

/// A line on stderr about what cairn did (`wrote vsa.json`), unless
/// [`chatty`] says no.
pub fn note(line: &str) {
    if chatty() {
        errln!("{line}");
    }
}

/// A line on stderr only with `--verbose` (and never with `--quiet`).
pub fn detail(line: &str) {
    if verbose() && !quiet() {
        errln!("{line}");
    }
}

/// Progress of long work on stderr: a line that counts the seconds (and
/// the items done, when the work says) and is wiped when the work ends.
/// Drawn only when stderr is a terminal, never with `--quiet` or in a
/// machine format, and only once the work has taken half a second.
///
/// Any command can use it: `let p = Progress::start("hashing materials");
/// ...; p.advance(1); ...; drop(p)`.
pub struct Progress {
    shared: Option<std::sync::Arc<ProgressState>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct ProgressState {
    done: std::sync::atomic::AtomicBool,
    count: std::sync::atomic::AtomicU64,
    total: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// How long work runs before its progress is drawn.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(500);
    /// How often the line is redrawn.
    const TICK: std::time::Duration = std::time::Duration::from_millis(100);

    /// Starts showing `message` (a present participle: `hashing materials`).
    pub fn start(message: &str) -> Progress {
        use std::io::IsTerminal as _;
        let wanted = chatty()
            && !MACHINE.load(std::sync::atomic::Ordering::Relaxed)
            && std::io::stderr().is_terminal();
        if !wanted {
            return Progress {
                shared: None,
                thread: None,
            };
        }
        let shared = std::sync::Arc::new(ProgressState {
            done: std::sync::atomic::AtomicBool::new(false),
            count: std::sync::atomic::AtomicU64::new(0),
            total: std::sync::atomic::AtomicU64::new(0),
        });
        let state = std::sync::Arc::clone(&shared);
        let message = message.to_string();
        let thread = std::thread::spawn(move || draw(&state, &message));
        Progress {
            shared: Some(shared),
            thread: Some(thread),
        }
    }

    /// Says that `n` more items are done.
    pub fn advance(&self, n: u64) {
        if let Some(s) = &self.shared {
            s.count.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Says how many items there are in all.
    pub fn total(&self, n: u64) {
        if let Some(s) = &self.shared {
            s.total.store(n, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// The line of a [`Progress`], redrawn until the work is done.
fn draw(state: &ProgressState, message: &str) {
    use std::sync::atomic::Ordering::Relaxed;
    const SPIN: [char; 4] = ['|', '/', '-', '\\'];
    let start = std::time::Instant::now();
    let mut drawn = false;
    let mut tick = 0usize;
    while !state.done.load(Relaxed) {
        std::thread::park_timeout(Progress::TICK);
        if state.done.load(Relaxed) {
            break;
        }
        let elapsed = start.elapsed();
        if elapsed < Progress::DELAY {
            continue;
        }
        let count = state.count.load(Relaxed);
        let total = state.total.load(Relaxed);
        let counted = match (count, total) {
            (0, 0) => String::new(),
            (c, 0) => format!(", {c} done"),
            (c, t) => format!(", {c} of {t}"),
        };
        let spin = SPIN.get(tick % SPIN.len()).copied().unwrap_or('-');
        tick += 1;
        err!(
            "\r\x1b[2K{spin} {message}... {:.1}s{counted}",
            elapsed.as_secs_f64()
        );
        drawn = true;
    }
    if drawn {
        err!("\r\x1b[2K");
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(s) = &self.shared {
            s.done.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
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

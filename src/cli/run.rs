//! `cairn run`: record a step as `in-toto-run` does. Hash the materials,
//! run the command, hash the products, and write the signed link
//! `<step>.<keyid8>.link` (a classic metablock, or a DSSE envelope with
//! `--use-dsse`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::keyio::{read_private_key, report};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};
use cairn_record::exclude::{Excludes, DEFAULT_EXCLUDES};
use cairn_record::link::{exit_status, link_name, new_link, step_name_ok, write_link};
use cairn_record::{byproducts, run_command, Exit, Recorded, Recorder, Streams};

/// `cairn run`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status: 0 when the link was written and the command exited 0; the command's own exit \
status when it failed (the link, recording it, is written all the same; 128+N when a signal N \
ended it); 2 when cairn could not record or sign (nothing is written then).

Examples:
  cairn run -n build --key build.key -m src -p target/app -- make app
  cairn run -n review --key alice.key -m docs/design.pdf -x
  cairn run -n package --key ci.key -m dist -p app.tar.gz --use-dsse -- tar czf app.tar.gz dist")]
pub struct RunArgs {
    #[command(flatten)]
    step: StepSigner,
    /// Files or directories hashed before the command runs (directories
    /// recursively; symbolic links are followed).
    #[arg(short = 'm', long, num_args = 1.., value_name = "PATH")]
    materials: Vec<String>,
    /// Files or directories hashed after the command ran.
    #[arg(short = 'p', long, num_args = 1.., value_name = "PATH")]
    products: Vec<String>,
    /// Record the command's standard output and error in the link (they are
    /// still shown as the command writes them).
    #[arg(short = 's', long)]
    record_streams: bool,
    /// Record a step that runs no command (a review, a sign-off).
    #[arg(short = 'x', long)]
    no_command: bool,
    /// Where files are looked up and how they are named.
    #[command(flatten)]
    recording: RecordingArgs,
    /// The directory the link is written to (default: the working directory).
    #[arg(short = 'd', long, value_name = "DIR")]
    metadata_directory: Option<PathBuf>,
    /// Write the link as a DSSE envelope (payload type
    /// `application/vnd.in-toto+json`) instead of a classic metablock.
    #[arg(long, visible_alias = "dsse")]
    use_dsse: bool,
    /// Stop the command after this many seconds (0: no limit; 10 is
    /// in-toto-run's default); nothing is written then.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    run_timeout: u64,
    /// The command and its arguments, after `--`; it runs in the working
    /// directory, also with `--base-path`.
    #[arg(
        last = true,
        value_name = "COMMAND",
        required_unless_present = "no_command",
        conflicts_with = "no_command"
    )]
    command: Vec<String>,
}

/// The step a link is for and the key that signs it (`cairn run`, `cairn
/// record`).
#[derive(Debug, Args)]
pub struct StepSigner {
    /// The step's name: the link's `name`, and the start of its file name
    /// `<name>.<keyid8>.link`.
    #[arg(short = 'n', long, value_name = "NAME")]
    pub step_name: String,
    /// The signing key (unencrypted PKCS#8 PEM, Ed25519 or ECDSA on P-256, P-384 or P-521); `-` reads it from standard input.
    #[arg(
        long,
        visible_alias = "signing-key",
        value_name = "FILE",
        env = "CAIRN_SIGNING_KEY"
    )]
    pub key: PathBuf,
}

/// The flags `cairn run` and `cairn record` share: which files are left
/// out, where they are looked up, how they are named.
#[derive(Debug, Args)]
pub struct RecordingArgs {
    /// Gitignore-style patterns of paths not to record, in place of the
    /// defaults `*.link*`, `.git`, `*.pyc`, `*~`.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    exclude: Vec<String>,
    /// The directory materials and products are looked up in, left out of
    /// their names (default: the working directory).
    #[arg(long, value_name = "DIR")]
    base_path: Option<PathBuf>,
    /// Prefixes cut from the start of recorded names (the first that
    /// matches); none may start another.
    #[arg(long, num_args = 1.., value_name = "PREFIX")]
    lstrip_paths: Vec<String>,
}

impl RecordingArgs {
    /// Prints a line on stderr unless `--quiet`.
    pub fn note(&self, line: &str) {
        super::shell::note(line);
    }

    /// Says which file was written, unless `--quiet`.
    pub fn wrote(&self, path: &Path) {
        self.note(&format!("wrote {}", cairn_record::shown(path)));
    }

    /// Says which given paths were left out, and why, and with `--verbose`
    /// how many files were recorded as `what` (materials or products).
    pub fn tell(&self, what: &str, recorded: &Recorded) {
        for (path, why) in &recorded.skipped {
            let path = cairn_base::escape::escape(path);
            self.note(&format!(
                "warning: {what} `{path}` {why}; it is not recorded"
            ));
        }
        if super::shell::verbose() {
            self.note(&format!("recorded {} {what}s", recorded.artifacts.len()));
        }
    }

    /// Hashes `paths` as `what` (materials or products), showing progress
    /// on a terminal while it takes time.
    pub fn hash(
        &self,
        recorder: &Recorder,
        what: &str,
        paths: &[String],
    ) -> Result<Recorded, Boxed> {
        let progress = super::shell::Progress::start(&format!("hashing {what}s"));
        let recorded = recorder.record(paths);
        drop(progress);
        Ok(recorded?)
    }

    /// The recorder these flags describe.
    pub fn recorder(&self) -> Result<Recorder, Boxed> {
        let excludes = if self.exclude.is_empty() {
            Excludes::new(&DEFAULT_EXCLUDES)?
        } else {
            Excludes::new(&self.exclude)?
        };
        Ok(Recorder::new(
            excludes,
            self.base_path.clone(),
            self.lstrip_paths.clone(),
        )?)
    }
}

/// Any diagnostic.
pub type Boxed = Box<dyn miette::Diagnostic + Send + Sync>;

/// Runs `cairn run`.
pub fn run(args: RunArgs, color: ColorChoice) -> ExitCode {
    let mut ran = None;
    let done = record(&args, &mut ran);
    // The output is shown whole once the link is written (or not).
    if let Some(exit) = ran {
        exit.finish_showing();
    }
    match done {
        Ok((written, code)) => {
            // The command's own output may be on stdout: the note goes beside
            // the diagnostics.
            args.recording.wrote(&written);
            ExitCode::from(code)
        }
        Err(e) => {
            report(e.as_ref(), color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Records the step and writes its link: the file written and the exit status.
/// The command's [`Exit`] is left in `ran`, for its output to be shown to
/// the end whatever happens next.
fn record(args: &RunArgs, ran: &mut Option<Exit>) -> Result<(PathBuf, u8), Boxed> {
    step_name_ok(&args.step.step_name)?;
    let key = read_private_key(&args.step.key)?;
    let recorder = args.recording.recorder()?;
    let materials = args
        .recording
        .hash(&recorder, "material", &args.materials)?;
    args.recording.tell("material", &materials);
    let (byproducts, code) = if args.no_command {
        (json!({}), EXIT_OK)
    } else {
        let streams = if args.record_streams {
            Streams::ShowAndRecord
        } else {
            Streams::Show
        };
        let timeout = cairn_record::seconds_limit(args.run_timeout);
        let exit = run_command(&args.command, None, streams, timeout)?;
        let (value, lossy) = byproducts(&exit);
        if lossy {
            args.recording.note("warning: the command's output is not UTF-8; the link records it with U+FFFD in place of the bytes that are not");
        }
        if exit.left_open {
            args.recording.note("warning: a process the command left running still holds its output open; the link records what was written until 0.5 s after the command ended");
        }
        if exit.code != 0 {
            args.recording.note(&format!(
                "warning: `{}` exited with {}; the link records it",
                cairn_base::escape::escape(args.command.first().map_or("", String::as_str)),
                exit.code
            ));
        }
        let code = exit_status(exit.code);
        *ran = Some(exit);
        (value, code)
    };
    let products = args.recording.hash(&recorder, "product", &args.products)?;
    args.recording.tell("product", &products);
    let command: &[String] = if args.no_command { &[] } else { &args.command };
    let link = new_link(
        &args.step.step_name,
        command,
        materials.artifacts,
        products.artifacts,
        byproducts,
    );
    let path = write_link(
        &link,
        &key,
        args.use_dsse,
        &link_name(&args.step.step_name, &key),
        args.metadata_directory.as_deref(),
    )?;
    Ok((path, code))
}

//! Recording: hashing the files a step names and running its command
//! between two such snapshots, as in-toto's recorder does (`cairn run`, and
//! inspections under `--run-inspections`).
//!
//! This is the only part of cairn that executes programs, and it runs only
//! when the user asks. It produces a [`cairn_evidence::Link`] with the
//! recorded materials, products and byproducts; it never decides whether
//! they are acceptable (that is `cairn-eval`'s job).
//!
//! In the crate graph it sits above `cairn-base` and `cairn-evidence`; the
//! public library (`cairn`, for inspections) and the binary (`cairn run`,
//! `cairn record`) use it.

mod error;
pub mod exclude;
pub mod link;
mod run_error;
mod tree;

pub use error::{shown, RecordError};
pub use run_error::RunError;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use tree::{hash_file, hash_file_with, FileHash, Recorded, Recorder};

use cairn_evidence::Link;

use error::read_error;

/// What to do with a command's standard output and error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// Shown as the command writes them, not recorded.
    Show,
    /// Shown as the command writes them, and recorded.
    ShowAndRecord,
    /// Recorded only (inspections: cairn's own output stays clean).
    Record,
}

/// How a command ended.
#[derive(Debug)]
pub struct Exit {
    /// The exit code, or minus the signal that ended it (as in-toto
    /// records a `return-value`).
    pub code: i32,
    /// Standard output, when recorded.
    pub stdout: Vec<u8>,
    /// Standard error, when recorded.
    pub stderr: Vec<u8>,
    /// Whether a process the command left behind still held its output
    /// open half a second after it ended (what came later is not recorded).
    pub left_open: bool,
    /// The threads still showing the output (to whoever reads cairn's
    /// stdout and stderr); see [`Exit::finish_showing`].
    showing: Vec<std::thread::JoinHandle<()>>,
}

impl Exit {
    /// Waits until what was recorded has also been shown. Called once the
    /// link is written: a reader of cairn's output that is slow, or never
    /// reads, holds up nothing but this wait.
    pub fn finish_showing(self) {
        for shown in self.showing {
            let _ = shown.join();
        }
    }
}

/// Runs `argv` in `dir` (the working directory when `None`), stopping it
/// after `timeout`.
pub fn run_command(
    argv: &[String],
    dir: Option<&Path>,
    streams: Streams,
    timeout: Option<Duration>,
) -> Result<Exit, RecordError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(RecordError::Spawn {
            command: String::new(),
            reason: "the command is empty".into(),
        });
    };
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    if streams != Streams::Show {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    // Named in every message below, escaped once.
    let name = cairn_base::escape::escape(program);
    let mut child = command.spawn().map_err(|e| RecordError::Spawn {
        command: name.clone(),
        reason: e.to_string(),
    })?;
    let show = streams == Streams::ShowAndRecord;
    let stdout = child
        .stdout
        .take()
        .map(|from| Output::start(from, show.then(std::io::stdout)));
    let stderr = child
        .stderr
        .take()
        .map(|from| Output::start(from, show.then(std::io::stderr)));
    let too_large = || RecordError::OutputTooLarge {
        command: name.clone(),
        mib: MAX_RECORDED >> 20,
    };
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                return Err(RecordError::Spawn {
                    command: name,
                    reason: e.to_string(),
                })
            }
        }
        let stopped = if stdout.iter().chain(&stderr).any(Output::too_large) {
            Some(too_large())
        } else {
            timeout
                .filter(|limit| started.elapsed() >= *limit)
                .map(|limit| RecordError::Timeout {
                    command: name.clone(),
                    seconds: limit.as_secs(),
                })
        };
        if let Some(error) = stopped {
            // Killed and reaped; its output threads end with the pipes.
            let _ = child.kill();
            let _ = child.wait();
            return Err(error);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    // The command has ended; a process it left running in the background
    // may still hold its output open, so what it wrote is taken once the
    // output ends or after a short grace, whichever comes first.
    let grace = Instant::now() + OUTPUT_GRACE;
    let mut showing = Vec::new();
    let mut finish = |output: Option<Output>| -> Result<(Vec<u8>, bool), RecordError> {
        let Some(output) = output else {
            return Ok((Vec::new(), false));
        };
        let (read, open, shown, over) = output.finish(grace);
        showing.extend(shown);
        // Checked once the output was taken: the limit may have been
        // passed after the command ended.
        if over {
            return Err(too_large());
        }
        Ok((read, open))
    };
    let (stdout, open_out) = finish(stdout)?;
    let (stderr, open_err) = finish(stderr)?;
    Ok(Exit {
        code: exit_code(status),
        stdout,
        stderr,
        left_open: open_out || open_err,
        showing,
    })
}

/// A time limit given in seconds, 0 meaning none.
pub fn seconds_limit(seconds: u64) -> Option<Duration> {
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// How long output is still read after the command ended.
const OUTPUT_GRACE: Duration = Duration::from_millis(500);

/// The most output recorded from one stream: a link holding more could not
/// be read back (cairn reads attestations of at most 64 MiB of payload).
const MAX_RECORDED: usize = 32 * 1024 * 1024;

/// A command's output being read on a thread of its own, and shown on
/// another (so that a slow reader of what is shown never holds up what is
/// recorded).
struct Output {
    read: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    done: std::sync::mpsc::Receiver<()>,
    shown: Option<std::thread::JoinHandle<()>>,
    /// Set once more than [`MAX_RECORDED`] bytes came.
    over: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// How much of the output is shown: all of it, unless the recording
    /// went on without its end (then what was recorded).
    show_until: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Output {
    /// Starts reading `from`, showing each piece on `to` when given.
    fn start(from: impl Read + Send + 'static, to: Option<impl Write + Send + 'static>) -> Output {
        let read = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tell, done) = std::sync::mpsc::channel();
        let (pieces, show) = std::sync::mpsc::channel::<Vec<u8>>();
        let show_until = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
        let until = std::sync::Arc::clone(&show_until);
        let shown = to.and_then(|mut to| {
            std::thread::Builder::new()
                .spawn(move || {
                    use std::sync::atomic::Ordering::Relaxed;
                    use std::sync::mpsc::RecvTimeoutError;
                    let mut done = 0usize;
                    while done < until.load(Relaxed) {
                        let piece = match show.recv_timeout(Duration::from_millis(50)) {
                            Ok(piece) => piece,
                            Err(RecvTimeoutError::Timeout) => continue,
                            Err(RecvTimeoutError::Disconnected) => break,
                        };
                        let left = until.load(Relaxed).saturating_sub(done);
                        let piece = piece.get(..left.min(piece.len())).unwrap_or_default();
                        // The terminal going away does not stop the recording.
                        let _ = to.write_all(piece).and_then(|()| to.flush());
                        done += piece.len();
                    }
                })
                .ok()
        });
        let showing = shown.is_some();
        let into = std::sync::Arc::clone(&read);
        let over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let too_much = std::sync::Arc::clone(&over);
        // A thread that cannot start leaves the output unread: recorded empty.
        let _ = std::thread::Builder::new().spawn(move || {
            let mut from = from;
            let mut piece = [0u8; 8192];
            while let Ok(n) = from.read(&mut piece) {
                let Some(read) = piece.get(..n).filter(|r| !r.is_empty()) else {
                    break;
                };
                {
                    let mut into = into
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if into.len() + read.len() > MAX_RECORDED {
                        // Stop taking it in: the command is stopped.
                        too_much.store(true, std::sync::atomic::Ordering::Relaxed);
                        break;
                    }
                    into.extend_from_slice(read);
                }
                if showing {
                    let _ = pieces.send(read.to_vec());
                }
            }
            drop(pieces);
            let _ = tell.send(());
        });
        Output {
            read,
            done,
            shown,
            over,
            show_until,
        }
    }

    /// Whether more than [`MAX_RECORDED`] bytes came.
    fn too_large(&self) -> bool {
        self.over.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What was read by the time the output ended, or by `deadline`;
    /// whether the output was still open then; the thread showing it, to be
    /// waited for (it shows what was recorded, no more: what a process left
    /// in the background writes later is neither recorded nor shown); and
    /// whether more than [`MAX_RECORDED`] bytes came.
    fn finish(
        self,
        deadline: Instant,
    ) -> (Vec<u8>, bool, Option<std::thread::JoinHandle<()>>, bool) {
        let ended = self
            .done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok();
        let read = std::mem::take(
            &mut *self
                .read
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !ended {
            self.show_until
                .store(read.len(), std::sync::atomic::Ordering::Relaxed);
        }
        let over = self.too_large();
        (read, !ended, self.shown, over)
    }
}

#[cfg(unix)]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    status
        .code()
        .or_else(|| status.signal().map(|s| -s))
        .unwrap_or(-1)
}

#[cfg(not(unix))]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or(-1)
}

/// The byproducts in-toto records for a command: its output (empty strings
/// when not recorded) and its `return-value`. Output that is not UTF-8 is
/// kept with U+FFFD for what cannot be decoded; the flag says so.
pub fn byproducts(exit: &Exit) -> (serde_json::Value, bool) {
    let lossy =
        std::str::from_utf8(&exit.stdout).is_err() || std::str::from_utf8(&exit.stderr).is_err();
    let value = serde_json::json!({
        "return-value": exit.code,
        "stdout": String::from_utf8_lossy(&exit.stdout),
        "stderr": String::from_utf8_lossy(&exit.stderr),
    });
    (value, lossy)
}

/// Copies the regular files under `from` (recursively, not following
/// symlinks, skipping `.git`) into the existing directory `to`.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), RecordError> {
    let mut pending: Vec<(PathBuf, PathBuf)> = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((src, dst)) = pending.pop() {
        let entries = std::fs::read_dir(&src).map_err(|e| read_error(&src, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| read_error(&src, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
            let target = dst.join(entry.file_name());
            if kind.is_dir() && entry.file_name() != ".git" {
                std::fs::create_dir_all(&target).map_err(|e| read_error(&target, e))?;
                pending.push((path, target));
            } else if kind.is_file() {
                std::fs::copy(&path, &target).map_err(|e| read_error(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Runs an inspection as in-toto does: records everything under `dir`
/// (in-toto's default excludes), runs `argv` in it with its output
/// recorded, stopped after `timeout` (in-toto's is 10 s), records again.
pub fn run_inspection(
    name: &str,
    argv: &[String],
    dir: &Path,
    timeout: Option<Duration>,
) -> Result<Link, RecordError> {
    if argv.is_empty() {
        return Err(RecordError::EmptyCommand {
            name: cairn_base::escape::escape(name),
        });
    }
    let excludes = exclude::Excludes::new(&exclude::DEFAULT_EXCLUDES)?;
    let recorder = Recorder::new(excludes, Some(dir.to_path_buf()), Vec::new())?;
    let all = [".".to_string()];
    let materials = recorder.record(&all)?.artifacts;
    let exit = run_command(argv, Some(dir), Streams::Record, timeout)?;
    let products = recorder.record(&all)?.artifacts;
    Ok(Link {
        name: name.to_string(),
        command: argv.to_vec(),
        materials,
        products,
        byproducts: byproducts(&exit).0,
        environment: serde_json::json!({}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process left in the background holding the output open neither
    /// holds up the recording nor loses what was written before it ended.
    #[cfg(unix)]
    #[test]
    fn output_held_open_in_the_background_does_not_block() {
        let argv: Vec<String> = ["sh", "-c", "sleep 5 & echo hi"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let started = Instant::now();
        let exit = run_command(&argv, None, Streams::Record, Some(Duration::from_secs(3))).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(exit.stdout, b"hi\n");
        assert_eq!(exit.code, 0);
        let killed = run_command(
            &["sleep".to_string(), "5".to_string()],
            None,
            Streams::Record,
            Some(Duration::from_millis(200)),
        );
        assert!(matches!(killed, Err(RecordError::Timeout { .. })));
    }

    #[test]
    fn inspection_records_before_and_after() {
        let dir = std::env::temp_dir().join(format!("cairn-record-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.txt"), "a").unwrap();
        let argv = vec![
            "sh".to_string(),
            "-c".to_string(),
            "echo b > b.txt".to_string(),
        ];
        let link = run_inspection("touch", &argv, &dir, Some(Duration::from_secs(10))).unwrap();
        assert!(link.materials.contains_key("sub/a.txt"));
        assert!(!link.materials.contains_key("b.txt"));
        assert!(link.products.contains_key("b.txt"));
        assert_eq!(link.byproducts["return-value"], 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

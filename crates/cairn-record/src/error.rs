//! Why recording failed, and the helpers that word it: shared by the
//! recorder (`tree.rs`) and the command runner (`lib.rs`).

use std::path::Path;

use crate::exclude;

/// Why recording failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RecordError {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E440))]
    Read {
        /// The path.
        path: String,
        /// The operating system's reason.
        reason: String,
        /// What to do about it.
        #[help]
        help: &'static str,
    },
    /// A `--base-path` that is not a directory.
    #[error("`--base-path {path}` cannot be used: {reason}")]
    #[diagnostic(
        code(E440),
        help("give an existing directory: paths are looked up in it")
    )]
    BasePath {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The command could not be started.
    #[error("cannot run `{command}`: {reason}")]
    #[diagnostic(code(E441), help("check that the program exists and is executable"))]
    Spawn {
        /// The program.
        command: String,
        /// The operating system's reason.
        reason: String,
    },
    /// An inspection with an empty command.
    #[error("inspection `{name}` has an empty command")]
    #[diagnostic(code(E442), help("give the inspection a `run` command"))]
    EmptyCommand {
        /// The inspection.
        name: String,
    },
    /// A bad exclude pattern.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Exclude(#[from] exclude::ExcludeError),
    /// A file whose name in the link would not be a valid artifact name.
    #[error(
        "`{path}` would be recorded as `{name}`, which is not a valid artifact name: {reason}"
    )]
    #[diagnostic(
        code(E444),
        help("name paths below the working directory, or use `--base-path DIR` or `--lstrip-paths PREFIX` so that names are relative and without `..`")
    )]
    Name {
        /// The file.
        path: String,
        /// The name it would get.
        name: String,
        /// What is wrong with the name.
        reason: &'static str,
    },
    /// Two `--lstrip-paths` prefixes of which one starts the other.
    #[error("the prefixes `{first}` and `{second}` overlap: one starts the other")]
    #[diagnostic(
        code(E445),
        help("give `--lstrip-paths` prefixes of which none is the start of another")
    )]
    PrefixOverlap {
        /// One prefix.
        first: String,
        /// The other.
        second: String,
    },
    /// Two different files that would be recorded under one name.
    #[error("`{first}` and `{second}` would both be recorded as `{name}`")]
    #[diagnostic(
        code(E446),
        help("left-strip fewer or longer prefixes, or record the two paths in separate steps")
    )]
    SameName {
        /// The name.
        name: String,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// A symbolic link leading back into a directory being walked.
    #[error("`{path}` leads back into a directory above it through a symbolic link")]
    #[diagnostic(
        code(E447),
        help("leave the link out with `--exclude`, or name the directories to record one by one")
    )]
    Cycle {
        /// The directory reached again.
        path: String,
    },
    /// A file name that is not UTF-8 (a link names artifacts in JSON text).
    #[error("`{path}` has a name that is not UTF-8")]
    #[diagnostic(code(E448), help("rename the file, or leave it out with `--exclude`"))]
    NotUtf8 {
        /// The path, with the bytes that are not UTF-8 replaced.
        path: String,
    },
    /// The command wrote more than cairn records.
    #[error("`{command}` wrote more than {mib} MiB to one stream and was stopped")]
    #[diagnostic(
        code(E474),
        help("record less of its output (`cairn run` without `-s`), or have the command write it to a file and record the file as a product")
    )]
    OutputTooLarge {
        /// The program.
        command: String,
        /// The limit, in MiB.
        mib: usize,
    },
    /// The command ran past its time limit and was stopped.
    #[error("`{command}` did not finish within {seconds} s and was stopped")]
    #[diagnostic(
        code(E449),
        help("allow it longer: `cairn run --run-timeout SECONDS`, `cairn verify --inspection-timeout SECONDS` (0: no limit)")
    )]
    Timeout {
        /// The program.
        command: String,
        /// The limit.
        seconds: u64,
    },
}

/// A path as messages show it: control and invisible characters escaped,
/// so that a file's name cannot write to the terminal.
pub fn shown(path: &Path) -> String {
    cairn_base::escape::escape(&path.display().to_string())
}

/// The help of a file the operating system would not let cairn read.
const PERMISSIONS_HELP: &str = "check the file's permissions";

/// The help of a file refused for what it is (a directory, FIFO, device).
const NOT_A_FILE_HELP: &str =
    "give a regular file: a directory, FIFO or device is not hashed (a FIFO could block)";

/// A [`RecordError::Read`] for a file [`cairn_base::files`] refused.
pub(crate) fn refused(path: &Path, e: &cairn_base::files::ReadError) -> RecordError {
    RecordError::Read {
        path: shown(path),
        reason: e.to_string(),
        help: if e.is_access() {
            PERMISSIONS_HELP
        } else {
            NOT_A_FILE_HELP
        },
    }
}

pub(crate) fn read_error(path: &Path, e: std::io::Error) -> RecordError {
    RecordError::Read {
        path: shown(path),
        reason: e.to_string(),
        help: PERMISSIONS_HELP,
    }
}

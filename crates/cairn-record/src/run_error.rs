//! The errors of `cairn run` and `cairn record` besides recording's own
//! (`E47x`, and `E430` for a link that cannot be written).

/// The errors of `cairn run` and `cairn record` besides recording's own.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    /// A step name that cannot be the start of a file name.
    #[error("the step name `{name}` cannot name a link file: {reason}")]
    #[diagnostic(
        code(E470),
        help("use the step's name as the layout spells it: letters, digits, `-`, `_` or `.`, without `/`")
    )]
    StepName {
        /// The name, escaped.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `cairn record stop` without the file `cairn record start` writes.
    #[error("`{file}` is not here: nothing was started for step `{step}` with this key")]
    #[diagnostic(
        code(E472),
        help("run `cairn record start -n {step} --key KEY ...` first, in this directory and with the same key")
    )]
    NotStarted {
        /// The file looked for.
        file: String,
        /// The step.
        step: String,
    },
    /// A started link that this key did not sign, or that is not a link of
    /// the step.
    #[error("`{file}` cannot be finished: {reason}")]
    #[diagnostic(
        code(E473),
        help("remove it and start again with `cairn record start`")
    )]
    BadStart {
        /// The file.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The link has no canonical JSON form (a bug: links hold no floats).
    #[error("the link cannot be written as canonical JSON: {reason}")]
    #[diagnostic(code(E471), help("this is a bug in cairn: please report it"))]
    Canonical {
        /// Why.
        reason: String,
    },
    /// A link file that could not be written (or an unfinished one removed).
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(E430), help("check that the directory exists and is writable"))]
    Write {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A link file's name is taken by a directory.
    #[error("cannot write `{path}`: it is a directory")]
    #[diagnostic(
        code(E430),
        help("move the directory out of the way, or write to another directory (`-d DIR`)")
    )]
    IsDirectory {
        /// The file.
        path: String,
    },
}

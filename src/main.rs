//! The `cairn` binary: parses the command line and dispatches; nothing else.
//!
//! The top of the crate graph: `cairn verify` goes through the public
//! library (`cairn`); the other commands (check, lint, run, record, sign,
//! import, dump and the rest) call the stage crates beneath it directly.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

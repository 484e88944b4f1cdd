//! The `cairn` binary: parses the command line and dispatches; nothing else.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

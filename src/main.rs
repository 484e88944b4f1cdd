//! The `cairn` binary: parses the command line and dispatches; nothing else.

fn main() -> std::process::ExitCode {
    cairn::cli::main()
}

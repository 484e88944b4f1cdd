//! `cairn lsp`: the language server, over standard input and output.

use std::process::ExitCode;

use clap::Args;

use super::{EXIT_ERROR, EXIT_NO, EXIT_OK};

/// Runs the cairn language server on standard input and output (JSON-RPC
/// with Content-Length framing, as editors start it). Exit 0 after
/// `shutdown` and `exit`; 1 when the client exits without `shutdown` or
/// closes the input; 2 when a message cannot be read or written.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's language client does); stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Runs `cairn lsp`.
pub fn run(_args: &LspArgs) -> ExitCode {
    let clock = || time::OffsetDateTime::now_utc().unix_timestamp();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    match cairn_lsp::serve(stdin.lock(), stdout.lock(), &clock) {
        Ok(cairn_lsp::Exit::Clean) => ExitCode::from(EXIT_OK),
        Ok(cairn_lsp::Exit::Abrupt) => ExitCode::from(EXIT_NO),
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

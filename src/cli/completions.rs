//! `cairn completions SHELL` and `cairn man`: shell completion scripts and
//! man pages, generated from the same definitions as the parser and
//! `--help` (clap_complete, clap_mangen), so they cannot drift apart.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::keyio::{report, CliError};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};

/// `cairn completions`.
#[derive(Debug, Args)]
#[command(after_help = "Install (see docs/cli.md, Completions and man pages):
  bash:        cairn completions bash > ~/.local/share/bash-completion/completions/cairn
  zsh:         cairn completions zsh > ~/.zfunc/_cairn   (with fpath+=(~/.zfunc) before compinit)
  fish:        cairn completions fish > ~/.config/fish/completions/cairn.fish
  PowerShell:  cairn completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells completions are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// GNU bash (3.2 and later, with bash-completion or without).
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell (5 and 7).
    #[value(alias = "pwsh")]
    Powershell,
    /// Elvish.
    Elvish,
}

impl Shell {
    fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

/// The completion script of `shell` for `cairn`, whose command line is
/// `command` (`Cli::command()`).
pub fn script(shell: Shell, mut command: clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell.generator(), &mut command, "cairn", &mut out);
    out
}

/// Runs `cairn completions`.
pub fn run(args: &CompletionsArgs, command: clap::Command) -> ExitCode {
    use std::io::Write as _;
    let _ = std::io::stdout()
        .lock()
        .write_all(&script(args.shell, command));
    ExitCode::from(EXIT_OK)
}

/// `cairn man`.
#[derive(Debug, Args)]
#[command(after_help = "Read one:      cairn man verify | man -l -
Install all:   cairn man --out-dir ~/.local/share/man/man1   (then `man cairn-verify`)")]
pub struct ManArgs {
    /// The command whose page to print (`verify`, `key id`); cairn's own
    /// page when omitted.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page (`cairn.1`, `cairn-verify.1`, ...) to this directory
    /// instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

/// Commands that have no man page of their own.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`cairn {given}` is not a command, so it has no man page")]
#[diagnostic(code(E291), help("{help}"))]
pub struct NoSuchPage {
    /// What was asked for.
    pub given: String,
    /// The suggestion.
    pub help: String,
}

/// The man page (roff) of `path` (`[]` for cairn itself, `["key", "id"]`)
/// in the command line `command`.
pub fn page(path: &[String], command: clap::Command) -> Result<Vec<u8>, NoSuchPage> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    for part in path {
        let names: Vec<String> = command
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .collect();
        let Some(sub) = command.find_subcommand(part).cloned() else {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            return Err(NoSuchPage {
                given: if path.len() == 1 {
                    part.clone()
                } else {
                    path.join(" ")
                },
                help: cairn_base::suggest::help(part, "command", &known),
            });
        };
        // Built, each subcommand carries its page's name (`cairn-key-id`).
        command = sub;
    }
    let mut out = Vec::new();
    // Writing to memory does not fail.
    let _ = clap_mangen::Man::new(command).render(&mut out);
    Ok(out)
}

/// Runs `cairn man`.
pub fn run_man(args: &ManArgs, command: clap::Command, color: ColorChoice) -> ExitCode {
    use std::io::Write as _;
    if let Some(dir) = &args.out_dir {
        let written =
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir));
        return match written {
            Ok(()) => {
                let count = std::fs::read_dir(dir)
                    .map(|entries| {
                        entries
                            .filter_map(Result::ok)
                            .filter(|e| e.file_name().to_string_lossy().ends_with(".1"))
                            .count()
                    })
                    .unwrap_or(0);
                super::shell::note(&format!(
                    "wrote {count} man pages to {}",
                    cairn_base::escape::escape(&dir.display().to_string())
                ));
                ExitCode::from(EXIT_OK)
            }
            Err(e) => {
                report(
                    &CliError::Write {
                        path: dir.display().to_string(),
                        reason: e.to_string(),
                    },
                    color,
                );
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
    match page(&args.command, command) {
        Ok(text) => {
            let _ = std::io::stdout().lock().write_all(&text);
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            report(&e, color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    fn cli() -> clap::Command {
        crate::cli::Cli::command()
    }

    #[test]
    fn every_shell_gets_a_script_naming_the_commands_and_flags() {
        for shell in Shell::value_variants() {
            let text = String::from_utf8(script(*shell, cli())).unwrap_or_default();
            assert!(!text.is_empty(), "{shell:?}");
            for word in ["verify-bundle", "completions", "--trusted-root", "--format"] {
                assert!(text.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn every_command_has_a_man_page() {
        let top = String::from_utf8(page(&[], cli()).unwrap_or_default()).unwrap_or_default();
        assert!(top.starts_with(".ie") || top.contains(".TH cairn"), "{top}");
        let verify = String::from_utf8(page(&["verify".into()], cli()).unwrap_or_default());
        let verify = verify.unwrap_or_default();
        assert!(verify.contains(".TH cairn-verify"), "{verify}");
        assert!(verify.contains("trusted\\-root"), "{verify}");
        let key_id = page(&["key".into(), "id".into()], cli()).unwrap_or_default();
        assert!(String::from_utf8_lossy(&key_id).contains("cairn-key-id"));
        assert!(page(&["nope".into()], cli()).is_err());
    }
}

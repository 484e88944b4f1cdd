#!/usr/bin/env bash
# Shell completions and man pages, as a user installs them (docs/cli.md,
# "Completions and man pages"): each shell present loads its script and
# completes; every man page renders with `man -l` without a warning.
# Usage: scripts/check-completions.sh [CAIRN]   (default: target/debug/cairn)
set -euo pipefail
cd "$(dirname "$0")/.."
CAIRN=$(realpath "${1:-target/debug/cairn}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

# bash: the completion function is registered and offers the subcommands.
if command -v bash >/dev/null; then
  got=$(bash -c "source <('$CAIRN' completions bash) && complete -p cairn && COMP_WORDS=(cairn verify-) COMP_CWORD=1 && _cairn cairn verify- cairn && echo \"\${COMPREPLY[*]}\"")
  [[ $got == *"-F _cairn cairn"* && $got == *verify-bundle* ]] || fail "bash: $got"
  echo "bash: completions load and complete"
else
  echo "bash: not installed, skipped"
fi

# zsh: compinit registers `_cairn` for `cairn`.
if command -v zsh >/dev/null; then
  got=$(zsh -fc "autoload -U compinit && compinit -u -d '$scratch/zcompdump' && source <('$CAIRN' completions zsh) && print -r -- \$_comps[cairn]")
  [[ $got == _cairn ]] || fail "zsh: $got"
  echo "zsh: completions load"
else
  echo "zsh: not installed, skipped"
fi

# fish: `complete -C` completes subcommands and flags.
if command -v fish >/dev/null; then
  got=$(fish --no-config -c "'$CAIRN' completions fish | source; complete -C 'cairn verify-'; complete -C 'cairn verify --trusted'")
  [[ $got == *verify-bundle* && $got == *--trusted-root* ]] || fail "fish: $got"
  echo "fish: completions load and complete"
else
  echo "fish: not installed, skipped"
fi

# PowerShell: the script registers an argument completer without an error.
if command -v pwsh >/dev/null; then
  "$CAIRN" completions powershell > "$scratch/cairn.ps1"
  pwsh -NoProfile -NonInteractive -Command ". '$scratch/cairn.ps1'" || fail "pwsh"
  echo "pwsh: completions load"
else
  echo "pwsh: not installed, skipped"
fi

# Man pages: one per command, each renders without a warning.
"$CAIRN" man --out-dir "$scratch/man1" 2>/dev/null
pages=("$scratch"/man1/*.1)
if command -v man >/dev/null; then
  for page in "${pages[@]}"; do
    warnings=$(man --warnings -l "$page" 2>&1 >/dev/null) || fail "man -l $page"
    [[ -z $warnings ]] || fail "man -l $(basename "$page"): $warnings"
  done
  echo "man: ${#pages[@]} pages render"
else
  echo "man: not installed, ${#pages[@]} pages written, rendering skipped"
fi
exit "$failed"

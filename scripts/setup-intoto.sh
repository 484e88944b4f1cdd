#!/usr/bin/env bash
# Creates .venv/ at the repository root with the in-toto reference
# implementation (in-toto 3.1.0 and its securesystemslib), used by the
# interoperability tests (`cargo test --features interop --test interop`).
# Idempotent: does nothing when the right version is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x .venv/bin/python ] && .venv/bin/python -c 'import importlib.metadata as m, sys; sys.exit(m.version("in-toto") != "3.1.0")' 2>/dev/null; then
    echo "in-toto 3.1.0 already installed in .venv"
    exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "in-toto==3.1.0"
echo "installed in-toto 3.1.0 in .venv"

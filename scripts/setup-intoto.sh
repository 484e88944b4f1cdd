#!/usr/bin/env bash
# Installs the reference in-toto implementation (3.1.0) into .venv at the repo root.
# Idempotent: running it again only checks that the pinned version is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install in-toto==3.1.0

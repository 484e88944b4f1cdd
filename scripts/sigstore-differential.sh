#!/usr/bin/env bash
# Differential check of tests/sigstore/cases against sigstore-python 4.5.1.
#
# Runs `python -m sigstore --trust-config <cfg> verify identity|github
# --offline --bundle ...` on every case, with a client trust configuration
# that wraps the case's trusted_root.json, and compares the outcome with the
# verdict in the case's expected.json. Prints one line per case (ok,
# MISMATCH or n/a with the reason) and closes with "N passed, M failed,
# K skipped"; exits non-zero on any mismatch.
#
# Sets up target/sigstore-python first (scripts/setup-sigstore-python.sh),
# which needs PyPI the first time and no network afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-sigstore-python.sh >/dev/null
exec target/sigstore-python/bin/python scripts/sigstore-instance/differential.py \
    "${1:-tests/sigstore/cases}"

#!/usr/bin/env bash
# Creates target/sigstore-python/ (a Python virtual environment) with
# sigstore-python 4.5.1, used by scripts/sigstore-differential.sh to
# confirm the verdicts of tests/sigstore/cases, and the packages that
# scripts/sigstore-instance/make.py needs to regenerate those cases.
# Idempotent: does nothing when the right versions are already installed.
# Reaches no network other than PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=target/sigstore-python
want_ok() {
    "$VENV/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
need = {"sigstore": "4.5.1", "asn1crypto": "1.5.1"}
for name, ver in need.items():
    try:
        have = m.version(name)
    except m.PackageNotFoundError:
        sys.exit(1)
    if ver is not None and have != ver:
        sys.exit(1)
PY
}

if [ -x "$VENV/bin/python" ] && want_ok; then
    echo "sigstore 4.5.1 already installed in $VENV"
    exit 0
fi
mkdir -p target
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "sigstore==4.5.1" "asn1crypto==1.5.1"
echo "installed sigstore 4.5.1 in $VENV"

#!/usr/bin/env bash
# The differential step of CI: generates seeded classic in-toto supply chains
# with in-toto 3.1.0's verdicts (gen.py) and checks that
# `cairn verify --layout` gives the same verdict on every one (run.sh).
#
#   scripts/differential/ci.sh [COUNT] [SEED]     (defaults: 500 cases, seed 1)
#
# Needs .venv/ (scripts/setup-intoto.sh) and builds the debug binary. The
# cases are written under target/differential/ and replaced on every run.
set -euo pipefail
cd "$(dirname "$0")/../.."

count="${1:-${CAIRN_DIFF_COUNT:-500}}"
seed="${2:-${CAIRN_DIFF_SEED:-1}}"
out=target/differential/cases

cargo build --locked --quiet
rm -rf "$out"
mkdir -p "$out"
echo "generating $count cases with seed $seed"
.venv/bin/python scripts/differential/gen.py "$out" --count "$count" --seed "$seed" --jobs 2
CAIRN_VERIFY="$PWD/target/debug/cairn verify --layout root.layout --layout-key owner.pub --links ." \
    scripts/differential/run.sh "$out"

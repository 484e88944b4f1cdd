#!/usr/bin/env bash
# Compares `cairn verify` with in-toto-verify 3.1.0 on the same supply chains.
#
#   scripts/bench/compare.sh [--runs R] [SIZE...]     (default: 5 runs; 1000 10000 100000)
#
# Installs in-toto 3.1.0 into .venv (scripts/setup-intoto.sh), generates
# chains of 3 steps x SIZE artifacts with in-toto's own API
# (scripts/bench/gen.py) once into target/bench-data/SIZE/, builds cairn with
# --profile dist, then times both verifiers alternately on the same files
# (scripts/bench/measure.py): the classic chain, the same chain in DSSE form,
# and the same chain as a cairn policy with a `.intoto.jsonl` bundle. With the
# DSSE chain it also times examples/dsse_floor.rs, the least work of cairn's
# design for that chain (whole files read and hashed), on every core, and
# the same with --pieces, the least work of a verifier that gives
# attestations no digest (files read in pieces, not hashed).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=5
sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

scripts/setup-intoto.sh
for size in "${sizes[@]}"; do
    out="target/bench-data/$size"
    if [ ! -f "$out/done" ]; then
        echo "generating 3 x $size artifacts in $out"
        rm -rf "$out"
        .venv/bin/python scripts/bench/gen.py "$out" --artifacts "$size"
        touch "$out/done"
    fi
done
cargo build --profile dist --quiet --bin cairn --example dsse_floor

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
.venv/bin/python scripts/bench/measure.py --runs "$runs" --data target/bench-data \
    --sizes "${sizes[@]}" --cairn target/dist/cairn --intoto .venv/bin/in-toto-verify \
    --floor target/dist/examples/dsse_floor

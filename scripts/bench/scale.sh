#!/usr/bin/env bash
# How cairn's cost grows with the size of a chain, against in-toto-verify.
#
#   scripts/bench/scale.sh [--runs R] [--intoto-up-to N] [SIZE...]
#       (default: 3 runs; 1000 10000 100000 200002 1000000; in-toto up to 200002)
#
# Installs in-toto 3.1.0 into .venv (scripts/setup-intoto.sh), generates the
# classic chain of scripts/bench/gen.py (checkout, build, package; the build
# step records SIZE products, its link holds 2 x SIZE entries) once into
# target/bench-scale/SIZE/, builds cairn with --profile dist, then times both
# verifiers alternately on the same files (scripts/bench/scale.py), in-toto
# only up to --intoto-up-to artifacts (at a million it takes minutes and
# gigabytes). Both must verify the chain. The 1,000,000 chain takes about
# 8 minutes and 3 GB to generate, and 700 MB of disk.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=3
intoto_up_to=200002
sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --intoto-up-to) intoto_up_to="$2"; shift 2 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000 200002 1000000)

scripts/setup-intoto.sh
for size in "${sizes[@]}"; do
    out="target/bench-scale/$size"
    if [ ! -f "$out/done" ]; then
        echo "generating 3 x $size artifacts in $out"
        rm -rf "$out"
        .venv/bin/python scripts/bench/gen.py "$out" --artifacts "$size" --classic-only
        touch "$out/done"
    fi
done
cargo build --profile dist --quiet --bin cairn

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
.venv/bin/python scripts/bench/scale.py --runs "$runs" --data target/bench-scale \
    --sizes "${sizes[@]}" --intoto-up-to "$intoto_up_to" \
    --cairn target/dist/cairn --intoto .venv/bin/in-toto-verify

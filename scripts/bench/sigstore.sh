#!/usr/bin/env bash
# Compares Sigstore bundle verification, cairn against sigstore-python 4.5.1,
# in one run.
#
#   scripts/bench/sigstore.sh [--runs K] [--sample S] [--no-build] [N]
#       (default: 5 rounds, 50 sigstore-python CLI processes a round, N = 1000)
#
# Installs sigstore-python 4.5.1 into target/sigstore-python
# (scripts/setup-sigstore-python.sh), builds cairn with --profile dist (with
# --no-build: target/dist/cairn as it is), makes N copies of one bundle
# (tests/sigstore/cases/dsse_provenance_v03, the same bundle N times) under
# target/bench-data/sigstore/N/ and times, round after round and in
# alternating order (scripts/bench/sigstore_measure.py): sigstore-python's
# CLI and `cairn verify-bundle`, a new process per bundle; sigstore-python's
# library and `cairn verify` on a policy with a .intoto.jsonl of N bundle
# lines, one process for all N. Prints the time per bundle of each, the
# ratios sigstore-python / cairn and the machine's load before and after;
# every process must verify its bundles. Results: docs/performance.md,
# "Sigstore bundles".
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=5
sample=50
build=1
n=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --sample) sample="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "usage: $0 [--runs K] [--sample S] [--no-build] [N]" >&2; exit 2 ;;
        *) n="$1"; shift ;;
    esac
done

scripts/setup-sigstore-python.sh >/dev/null
if [ "$build" = 1 ]; then
    cargo build --profile dist --quiet --bin cairn
fi
[ -x target/dist/cairn ] || { echo "no target/dist/cairn (build it, or drop --no-build)" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
target/sigstore-python/bin/python scripts/bench/sigstore_measure.py --runs "$runs" --sample "$sample" \
    --bundles "$n" --cairn target/dist/cairn --data target/bench-data/sigstore
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

#!/usr/bin/env bash
# Compares recording a step (`cairn run`) with GNU sha256sum and in-toto-run
# 3.1.0 on the same files, in one run.
#
#   scripts/bench/record.sh [--runs R]     (default: 5 runs)
#
# Installs in-toto 3.1.0 into .venv (scripts/setup-intoto.sh), builds cairn
# with --profile dist, makes the trees once under target/bench-data/record/
# (about 600 MB) and times the three alternately (scripts/bench/record.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        *) echo "usage: $0 [--runs R]" >&2; exit 2 ;;
    esac
done

scripts/setup-intoto.sh
cargo build --profile dist --quiet --bin cairn

# A key both tools read (in-toto's `cryptography` refuses PKCS#8 keys that
# carry their public half, as the test keys do).
key=target/bench-data/record/signing.key
if [ ! -f "$key" ]; then
    mkdir -p target/bench-data/record
    target/dist/cairn key gen -o "$key" >/dev/null
fi

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
python3 scripts/bench/record.py --runs "$runs" --data target/bench-data/record \
    --cairn target/dist/cairn --intoto .venv/bin/in-toto-run --key "$key"
